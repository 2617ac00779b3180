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

static int col(const struct rec_row *row, const char *name)
{
	return rec_column_index(row->e, name);
}

/* name's value in [lo, hi] (an unset value passes): 0, or 1 with why. */
static int range(const struct rec_row *row, const char *name, double lo, double hi,
		 const char *what, char *why, size_t size)
{
	char buf[64];
	double v;
	int c = col(row, name), rc = num(row, c, &v);

	if (rc == 0)
		return 0;
	if (rc < 0) {
		snprintf(why, size, "%s '%s' is not a number", name,
			 val(row, c, buf, sizeof(buf)) ? buf : "?");
		return 1;
	}
	if (v >= lo && v <= hi)
		return 0;
	val(row, c, buf, sizeof(buf));
	if (what)
		snprintf(why, size, "%s %s is %s", name, buf, what);
	else if (v < lo && lo == 0)
		snprintf(why, size, "%s %s is negative", name, buf);
	else
		snprintf(why, size, "%s %s is out of range (%g to %g)", name, buf, lo, hi);
	return 1;
}

/* An external id: 1-200 printable ASCII bytes, no space, not a number in scientific notation. */
static int id(const struct rec_row *row, const char *name, char *why, size_t size)
{
	char buf[256];
	int c = col(row, name);
	const char *s;
	size_t n, digits = 0, numeric = 0;
	int expo = 0;

	if (c < 0 || !row->set[c])
		return 0;
	n = row->len[c];
	s = row->data.buf + row->start[c];
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~') {
			snprintf(why, size, "%s '%.60s' is not an id (printable ASCII without spaces)",
				 name, val(row, c, buf, sizeof(buf)) ? buf : "");
			return 1;
		}
		digits += s[i] >= '0' && s[i] <= '9';
		numeric += strchr("0123456789.eE+-", s[i]) != NULL;
		expo |= (s[i] == 'e' || s[i] == 'E') && i > 0 && i + 1 < n;
	}
	if (n > 200) {
		snprintf(why, size, "%s is %zu bytes long, an id is at most 200", name, n);
		return 1;
	}
	if (expo && digits + 2 >= n && numeric == n) {
		/* 1e+20, 4.7039E+11: a number a spreadsheet or a float mangled */
		snprintf(why, size, "%s '%s' is a number in scientific notation, not an id", name,
			 val(row, c, buf, sizeof(buf)) ? buf : "?");
		return 1;
	}
	return 0;
}

/* Latitude and longitude: both or neither, within the box. */
static int latlon(const struct rec_row *row, double lat0, double lat1, double lon0, double lon1,
		  const char *where, char *why, size_t size)
{
	int la = col(row, "lat"), lo = col(row, "lon");
	char what[64];

	if (row->set[la] != row->set[lo]) {
		snprintf(why, size, "%s without %s", row->set[la] ? "lat" : "lon",
			 row->set[la] ? "lon" : "lat");
		return 1;
	}
	if (where) {
		snprintf(what, sizeof(what), "outside %s (%g to %g)", where, lat0, lat1);
		if (range(row, "lat", lat0, lat1, what, why, size))
			return 1;
		snprintf(what, sizeof(what), "outside %s (%g to %g)", where, lon0, lon1);
		return range(row, "lon", lon0, lon1, what, why, size);
	}
	return range(row, "lat", lat0, lat1, NULL, why, size) ||
	       range(row, "lon", lon0, lon1, NULL, why, size);
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

/* A pricing row's stay date within the snapshot's window (-1 to +1100 days). */
static int stay_window(const struct rec_row *row, char *why, size_t size)
{
	char a[16], b[16], lo[16], hi[16];
	struct value_date sd, st, d;
	int32_t ds, dt;

	if (!val(row, PRICING_snapshot_date, a, sizeof(a)) || !val(row, PRICING_stay_date, b, sizeof(b)) ||
	    value_date(a, strlen(a), &sd) != 1 || value_date(b, strlen(b), &st) != 1)
		return 0;
	ds = value_date_days(&sd);
	dt = value_date_days(&st);
	if (dt >= ds - 1 && dt <= ds + 1100)
		return 0;
	value_date_from_days(ds - 1, &d);
	value_date_format(&d, lo, sizeof(lo));
	value_date_from_days(ds + 1100, &d);
	value_date_format(&d, hi, sizeof(hi));
	snprintf(why, size, "stay_date %s is outside the window of snapshot %s (%s to %s)", b, a, lo,
		 hi);
	return 1;
}

int parse_check_row(const struct rec_row *row, char *why, size_t size)
{
	why[0] = '\0';
	switch (row->e->id) {
	case REC_E_PRICING:
		return id(row, "listing_id", why, size) ||
		       range(row, "price", 0, 1e12, NULL, why, size) ||
		       range(row, "adjusted_price", 0, 1e12, NULL, why, size) ||
		       range(row, "min_nights", 0, 2147483647, NULL, why, size) ||
		       range(row, "max_nights", 0, 2147483647, NULL, why, size) ||
		       stay_window(row, why, size);
	case REC_E_LISTINGS:
		return id(row, "listing_id", why, size) || id(row, "host_id", why, size) ||
		       range(row, "nightly_price", 0, 1e12, NULL, why, size) ||
		       latlon(row, -90, 90, -180, 180, NULL, why, size) ||
		       range(row, "rating", 0, 5, "outside the 5-point scale (0 to 5)", why, size) ||
		       range(row, "bedrooms", 0, 100, NULL, why, size) ||
		       range(row, "bathrooms", 0, 100, NULL, why, size) ||
		       range(row, "accommodates", 0, 500, NULL, why, size) ||
		       range(row, "review_count", 0, 2147483647, NULL, why, size) ||
		       range(row, "host_listings", 0, 2147483647, NULL, why, size);
	case REC_E_REVIEWS:
		return id(row, "listing_id", why, size) || id(row, "review_id", why, size) ||
		       ratings(row, why, size);
	case REC_E_PROPERTIES:
		return latlon(row, 18.5, 28.5, -178.5, -154.5, "Hawaii", why, size) ||
		       range(row, "land_value", 0, 1e12, NULL, why, size) ||
		       range(row, "building_value", 0, 1e12, NULL, why, size) ||
		       range(row, "bedrooms", 0, 100, NULL, why, size) ||
		       range(row, "bathrooms", 0, 100, NULL, why, size) ||
		       range(row, "max_guests", 1, 500, NULL, why, size) ||
		       range(row, "year_built", 1800, 2100, NULL, why, size);
	case REC_E_SALES:
		return range(row, "price", 0, 1e12, NULL, why, size) ||
		       range(row, "conveyance_tax", 0, 1e12, NULL, why, size);
	case REC_E_OWNERS:
		return range(row, "pct_owned", 0, 100, NULL, why, size) ||
		       range(row, "tax_year", 1900, 2100, NULL, why, size);
	default:
		return 0;
	}
}
