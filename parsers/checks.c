/*
 * checks: the ranges a record's values must keep, tested when a parser
 * emits it, so that a value that reads but is wrong (a negative price,
 * latitude 91, a rating of 11 on a 10-point scale, an id written as 1e+20)
 * is a reject with a precise reason at parse time instead of a refused row
 * at load, or a wrong row.  The rules mirror the database's constraints
 * (sql/002_external.sql, sql/004_etl.sql) and add what they cannot know
 * (a review's rating against its own scale, ids in scientific notation).
 */
#include "parser.h"
#include "value.h"

#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The value of column col as a C string in buf, or NULL when unset or too long. */
static const char *val(const struct rec_row *row, int col, char *buf, size_t size)
{
	if (col < 0 || !row->set[col] || row->len[col] >= size)
		return NULL;
	memcpy(buf, row->data.buf + row->start[col], row->len[col]);
	buf[row->len[col]] = '\0';
	return buf;
}

/* Column col as a number: 1 and *v, 0 unset, -1 not a number. */
static int num(const struct rec_row *row, int col, double *v)
{
	char buf[64], *end;
	const char *s = val(row, col, buf, sizeof(buf));

	if (!s)
		return col >= 0 && row->set[col] ? -1 : 0;
	*v = strtod(s, &end);
	return *end || end == s || !isfinite(*v) ? -1 : 1;
}

static const char *name(const struct rec_row *row, int c)
{
	return row->e->cols[c].name;
}

/* Column c's value in [lo, hi] (an unset value passes): 0, or 1 with why. */
static int range(const struct rec_row *row, int c, double lo, double hi, const char *what,
		 char *why, size_t size)
{
	char buf[64];
	double v;
	int rc = num(row, c, &v);

	if (rc == 0)
		return 0;
	if (rc < 0) {
		snprintf(why, size, "%s '%s' is not a number", name(row, c),
			 val(row, c, buf, sizeof(buf)) ? buf : "?");
		return 1;
	}
	if (v >= lo && v <= hi)
		return 0;
	val(row, c, buf, sizeof(buf));
	if (what)
		snprintf(why, size, "%s %s is %s", name(row, c), buf, what);
	else if (v < lo && lo == 0)
		snprintf(why, size, "%s %s is negative", name(row, c), buf);
	else
		snprintf(why, size, "%s %s is out of range (%g to %g)", name(row, c), buf, lo, hi);
	return 1;
}

/*
 * Column c not negative (an unset value passes).  The hot path of every
 * amount and count: the typed setters write plain decimal text, so only a
 * leading '-' can make it negative; nothing is parsed.
 */
static __attribute__((noinline, cold)) int negative(const struct rec_row *row, int c,
						      char *why, size_t size)
{
	char buf[64];

	snprintf(why, size, "%s %s is negative", name(row, c),
		 val(row, c, buf, sizeof(buf)) ? buf : "(long)");
	return 1;
}

static inline int nonneg(const struct rec_row *row, int c, char *why, size_t size)
{
	if (!row->set[c] || !row->len[c] || row->data.buf[row->start[c]] != '-')
		return 0;
	return negative(row, c, why, size);
}

/* Whether s[0..n) are all ASCII digits: eight bytes at a time (ids are 1-19 digits). */
static inline int all_digits(const char *s, size_t n)
{
	const uint64_t lo = 0x3030303030303030u, hi = 0x4646464646464646u;
	const uint64_t top = 0x8080808080808080u;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x;

		memcpy(&x, s + i, 8);
		/* a byte below '0' borrows into its top bit; one above '9' carries into it */
		if (((x - lo) | (x + hi)) & top)
			return 0;
	}
	for (; i < n; i++)
		if ((unsigned char)(s[i] - '0') > 9)
			return 0;
	return 1;
}

/* An external id: 1-200 printable ASCII bytes, no space, not a number in scientific notation. */
static __attribute__((noinline)) int id_slow(const struct rec_row *row, int c, char *why,
					      size_t size);

static inline int id(const struct rec_row *row, int c, char *why, size_t size)
{
	if (!row->set[c])
		return 0;
	if (row->len[c] <= 200 && row->len[c] && all_digits(row->data.buf + row->start[c], row->len[c]))
		return 0; /* the common case: a numeric id */
	return id_slow(row, c, why, size);
}

static int id_slow(const struct rec_row *row, int c, char *why, size_t size)
{
	char buf[256];
	const char *s;
	size_t n, digits = 0, numeric = 0;
	int expo = 0;

	if (!row->set[c])
		return 0;
	n = row->len[c];
	s = row->data.buf + row->start[c];
	digits = 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~') {
			snprintf(why, size, "%s '%.60s' is not an id (printable ASCII without spaces)",
				 name(row, c), val(row, c, buf, sizeof(buf)) ? buf : "");
			return 1;
		}
		digits += s[i] >= '0' && s[i] <= '9';
		numeric += (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
			   s[i] == '+' || s[i] == '-';
		expo |= (s[i] == 'e' || s[i] == 'E') && i > 0 && i + 1 < n;
	}
	if (n > 200) {
		snprintf(why, size, "%s is %zu bytes long, an id is at most 200", name(row, c), n);
		return 1;
	}
	if (expo && digits + 2 >= n && numeric == n) {
		/* 1e+20, 4.7039E+11: a number a spreadsheet or a float mangled */
		snprintf(why, size, "%s '%s' is a number in scientific notation, not an id",
			 name(row, c), val(row, c, buf, sizeof(buf)) ? buf : "?");
		return 1;
	}
	return 0;
}

/* Latitude and longitude (columns la, lo): both or neither, within the box. */
static int latlon(const struct rec_row *row, int la, int lo, double lat0, double lat1,
		  double lon0, double lon1, const char *where, char *why, size_t size)
{
	char what[64];

	if (row->set[la] != row->set[lo]) {
		snprintf(why, size, "%s without %s", row->set[la] ? "lat" : "lon",
			 row->set[la] ? "lon" : "lat");
		return 1;
	}
	if (!row->set[la])
		return 0;
	if (where) {
		snprintf(what, sizeof(what), "outside %s (%g to %g)", where, lat0, lat1);
		if (range(row, la, lat0, lat1, what, why, size))
			return 1;
		snprintf(what, sizeof(what), "outside %s (%g to %g)", where, lon0, lon1);
		return range(row, lo, lon0, lon1, what, why, size);
	}
	return range(row, la, lat0, lat1, NULL, why, size) ||
	       range(row, lo, lon0, lon1, NULL, why, size);
}

/* A review's rating and category ratings against its scale. */
static int ratings(const struct rec_row *row, char *why, size_t size)
{
	char buf[64];
	double scale = 0, r = 0, max;
	int rs = num(row, REVIEWS_rating_scale, &scale), rr = num(row, REVIEWS_rating, &r);
	struct json_object *o;

	if (rs < 0 || (rs > 0 && (!(scale > 0) || scale > 999))) {
		snprintf(why, size, "rating_scale '%s' is not a scale (a number above 0)",
			 val(row, REVIEWS_rating_scale, buf, sizeof(buf)) ? buf : "?");
		return 1;
	}
	val(row, REVIEWS_rating, buf, sizeof(buf));
	if (rr < 0) {
		snprintf(why, size, "rating '%s' is not a number", buf);
		return 1;
	}
	if (rr > 0 && rs == 0) {
		snprintf(why, size, "rating %s without a scale", buf);
		return 1;
	}
	if (rr > 0 && r < 0) {
		snprintf(why, size, "rating %s is below 0", buf);
		return 1;
	}
	if (rr > 0 && r > scale) {
		snprintf(why, size, "rating %s is above its scale of %g", buf, scale);
		return 1;
	}
	if (!row->set[REVIEWS_category_ratings])
		return 0;
	{
		struct json_tokener *tok = json_tokener_new();
		o = tok ? json_tokener_parse_ex(tok, row->data.buf + row->start[REVIEWS_category_ratings],
						(int)row->len[REVIEWS_category_ratings])
			: NULL;
		if (tok && json_tokener_get_error(tok) != json_tokener_success) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		snprintf(why, size, "category_ratings is not a JSON object");
		return 1;
	}
	max = rs > 0 ? scale : 100;
	json_object_object_foreach(o, k, v)
	{
		double x;

		if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)) {
			snprintf(why, size, "category rating '%.40s' is not a number: %.40s", k,
				 json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
		} else if ((x = json_object_get_double(v)) < 0) {
			snprintf(why, size, "category rating '%.40s' %g is below 0", k, x);
		} else if (x > max) {
			snprintf(why, size, "category rating '%.40s' %g is above %s %g", k, x,
				 rs > 0 ? "its scale of" : "the limit of", max);
		} else {
			continue;
		}
		json_object_put(o);
		return 1;
	}
	json_object_put(o);
	return 0;
}

/* Days since 1970-01-01 of a YYYY-MM-DD value (as the setters write dates): 1, else 0. */
static int iso_days(const char *s, size_t len, long *days)
{
	long y, m, d, era, yoe, doy, doe;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	/* days from civil (H. Hinnant): proleptic Gregorian */
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return 1;
}

/* How many years b's YYYY is after a's (both 4 digits at the start). */
static int years_after(const char *a, const char *b)
{
	int ya = 0, yb = 0;

	for (int i = 0; i < 4; i++) {
		ya = ya * 10 + (a[i] - '0');
		yb = yb * 10 + (b[i] - '0');
	}
	return yb - ya;
}

/* A pricing row's stay date within the snapshot's window (-1 to +1100 days). */
static int stay_window(const struct rec_row *row, char *why, size_t size)
{
	char a[16], b[16], lo[16], hi[16];
	struct value_date d;
	long ds, dt;

	const char *sn, *st;

	if (!row->set[PRICING_snapshot_date] || !row->set[PRICING_stay_date] ||
	    row->len[PRICING_snapshot_date] != 10 || row->len[PRICING_stay_date] != 10)
		return 0;
	sn = row->data.buf + row->start[PRICING_snapshot_date];
	st = row->data.buf + row->start[PRICING_stay_date];
	/*
	 * The hot path (every night of a calendar): a stay date on or after the
	 * snapshot in its year, or in one of the two years after it, is in the
	 * window (+1100 days reaches past the end of the second year): YYYY-MM-DD
	 * compares as text, no date arithmetic.
	 */
	if (!memcmp(sn, st, 4) ? memcmp(st, sn, 10) >= 0
			       : memcmp(st, sn, 4) > 0 && years_after(sn, st) <= 2)
		return 0;
	if (!iso_days(sn, 10, &ds) || !iso_days(st, 10, &dt))
		return 0;
	if (dt >= ds - 1 && dt <= ds + 1100)
		return 0;
	val(row, PRICING_snapshot_date, a, sizeof(a));
	val(row, PRICING_stay_date, b, sizeof(b));
	value_date_from_days((int32_t)(ds - 1), &d);
	value_date_format(&d, lo, sizeof(lo));
	value_date_from_days((int32_t)(ds + 1100), &d);
	value_date_format(&d, hi, sizeof(hi));
	snprintf(why, size, "stay_date %s is outside the window of snapshot %s (%s to %s)", b, a, lo,
		 hi);
	return 1;
}

int parse_check_row(const struct rec_row *row, char *why, size_t size)
{
	why[0] = '\0';
	switch (row->e->id) {
	case REC_E_PRICING: /* the hot path: millions of calendar nights */
		return id(row, PRICING_listing_id, why, size) ||
		       nonneg(row, PRICING_price, why, size) ||
		       nonneg(row, PRICING_adjusted_price, why, size) ||
		       nonneg(row, PRICING_min_nights, why, size) ||
		       nonneg(row, PRICING_max_nights, why, size) ||
		       stay_window(row, why, size);
	case REC_E_LISTINGS:
		return id(row, LISTINGS_listing_id, why, size) || id(row, LISTINGS_host_id, why, size) ||
		       nonneg(row, LISTINGS_nightly_price, why, size) ||
		       latlon(row, LISTINGS_lat, LISTINGS_lon, -90, 90, -180, 180, NULL, why, size) ||
		       range(row, LISTINGS_rating, 0, 5, "outside the 5-point scale (0 to 5)", why,
			     size) ||
		       range(row, LISTINGS_bedrooms, 0, 100, NULL, why, size) ||
		       range(row, LISTINGS_bathrooms, 0, 100, NULL, why, size) ||
		       range(row, LISTINGS_accommodates, 0, 500, NULL, why, size) ||
		       nonneg(row, LISTINGS_review_count, why, size) ||
		       nonneg(row, LISTINGS_host_listings, why, size);
	case REC_E_REVIEWS:
		return id(row, REVIEWS_listing_id, why, size) || id(row, REVIEWS_review_id, why, size) ||
		       ratings(row, why, size);
	case REC_E_PROPERTIES:
		return latlon(row, PROPERTIES_lat, PROPERTIES_lon, 18.5, 28.5, -178.5, -154.5, "Hawaii",
			      why, size) ||
		       nonneg(row, PROPERTIES_land_value, why, size) ||
		       nonneg(row, PROPERTIES_building_value, why, size) ||
		       range(row, PROPERTIES_bedrooms, 0, 100, NULL, why, size) ||
		       range(row, PROPERTIES_bathrooms, 0, 100, NULL, why, size) ||
		       range(row, PROPERTIES_max_guests, 1, 500, NULL, why, size) ||
		       range(row, PROPERTIES_year_built, 1800, 2100, NULL, why, size);
	case REC_E_SALES:
		return nonneg(row, SALES_price, why, size) ||
		       nonneg(row, SALES_conveyance_tax, why, size);
	case REC_E_OWNERS:
		return range(row, OWNERS_pct_owned, 0, 100, NULL, why, size) ||
		       range(row, OWNERS_tax_year, 1900, 2100, NULL, why, size);
	default:
		return 0;
	}
}
