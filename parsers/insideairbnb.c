/*
 * Inside Airbnb listings.csv, reviews.csv and calendar.csv (plain or .gz).
 *
 * Columns are found by header name, never by position, so the 75-column
 * detailed file, the 18-column summary file and older (pre-2020) column
 * sets all read.  A row whose field count differs from the header's is
 * ragged and rejected; so is a row with a bad id, date, amount or boolean,
 * invalid UTF-8 or a NUL byte.  See fixtures/parse/README.md for the rules
 * (snapshot date, ids from the license field, the self-managed guess).
 */
#include "csvread.h"
#include "exitcode.h"
#include "owner.h"
#include "parser.h"
#include "tabular.h"
#include "taxid.h"
#include "tmk.h"
#include "value.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

#define PLATFORM "airbnb"

/* What the three formats share while reading one file. */
struct iab {
	struct parse_ctx *ctx;
	struct tab_row row;
	struct strbuf sb;    /* scratch: JSON extra, id lists */
	int have_header;
	int nhdr;            /* fields in the header line */
	int *col;            /* index of each wanted column, -1 absent */
	const char *const *names;
	int nnames;
	char snapshot[11];   /* calendar: snapshot date used for every row */
	char prefix[192];    /* calendar fast path: the rows' provenance start (0 length: off) */
	size_t prefix_len;
	int snapshot_year;   /* calendar fast path: the year of snapshot */
	char rating_100[16]; /* listings: the row's rating on the older 100-point scale */
};

static void iab_init(struct iab *s, struct parse_ctx *ctx, enum rec_entity_id e,
		     const char *const *names, int n, int *col)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	tab_row_init(&s->row, e);
	strbuf_init(&s->sb, 0);
	s->names = names;
	s->nnames = n;
	s->col = col;
}

static void iab_release(struct iab *s)
{
	tab_row_release(&s->row);
	strbuf_release(&s->sb);
}

/* The value of wanted column k in row (NULL when the file has no such column). */
static const char *fld(const struct iab *s, const struct csvr_row *row, int k, size_t *len)
{
	return csvr_field(row, s->col[k], len);
}

/*
 * Header line and the checks every data row goes through.  Returns 1 when
 * the row is to be parsed, 0 when it was the header or was rejected, -1 to
 * stop.
 */
static int iab_begin(struct iab *s, const struct csvr_row *row, const int *required,
		     int nreq, struct mi_err *err)
{
	const char *why;
	char buf[128];

	if (!s->have_header) {
		s->have_header = 1;
		s->nhdr = row->nfields;
		if ((why = csvr_row_reason(row)) != NULL) {
			tab_reject_csv(s->ctx, row, why, err);
			mi_err_set(err, MI_EXIT_DATA, "%s: unreadable header line: %s",
				   s->ctx->file, why);
			return -1;
		}
		csvr_header_map(row, s->names, s->nnames, s->col);
		for (int i = 0; i < nreq; i++)
			if (s->col[required[i]] < 0)
				return tab_missing_column(s->ctx, row, s->names[required[i]], err);
		for (int i = 0; i < s->nnames; i++)
			if (s->col[i] >= 0 && tab_twin_column(s->ctx, row, s->col[i], err) < 0)
				return -1;
		return 0;
	}
	parse_count(s->ctx);
	if ((why = csvr_row_reason(row)) != NULL)
		return tab_reject_csv(s->ctx, row, why, err) < 0 ? -1 : 0;
	if (row->nfields != s->nhdr) {
		snprintf(buf, sizeof(buf), "ragged row: %d fields, the header has %d",
			 row->nfields, s->nhdr);
		return tab_reject_csv(s->ctx, row, buf, err) < 0 ? -1 : 0;
	}
	tab_row_start(&s->row);
	return 1;
}

/* Emit the row, or reject it when a setter found a problem. */
static int iab_end(struct iab *s, const struct csvr_row *row, struct mi_err *err)
{
	if (tab_row_bad(&s->row))
		return tab_reject_csv(s->ctx, row, s->row.why, err);
	return tab_emit_csv(s->ctx, &s->row, row, err);
}

static int iab_finish(struct iab *s, int rc, struct mi_err *err)
{
	if (rc < 0)
		return -1;
	if (!s->have_header)
		return tab_no_header(s->ctx, err);
	return 0;
}

/* ---- calendar ---------------------------------------------------------- */

enum { C_LISTING, C_DATE, C_AVAILABLE, C_PRICE, C_ADJUSTED, C_MIN, C_MAX, C__N };
static const char *const cal_names[C__N] = {
	"listing_id", "date", "available", "price", "adjusted_price", "minimum_nights",
	"maximum_nights",
};
static const int cal_required[] = { C_LISTING, C_DATE, C_AVAILABLE, C_PRICE };

/*
 * The calendar's fast path.  Nearly every line of a calendar is plain: a
 * numeric id, an ISO date on or after the snapshot (in its year or the two
 * after), t or f, dollar amounts (with thousands commas or not), whole
 * numbers.  Such a line is written straight to pricing.tsv, the bytes the
 * setters and checks of cal_row would write; anything else (spaces, other
 * date or number forms, a value the checks might refuse) returns 0 and takes
 * the general path.
 * MI_PARSE_NO_FAST=1 in the environment turns it off (the golden tests run
 * every calendar case both ways against the same twins).
 */
static int all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static char *put_ll(char *o, long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(o, p, (size_t)(buf + sizeof(buf) - p));
	return o + (buf + sizeof(buf) - p);
}

/* A whole number without sign or leading zero, at most 9 digits (or empty: \N). */
static char *fast_count(char *o, const char *v, size_t len)
{
	if (!v || !len) {
		memcpy(o, "\\N", 2);
		return o + 2;
	}
	if (len > 9 || (v[0] == '0' && len > 1) || !all_digits(v, len))
		return NULL;
	memcpy(o, v, len);
	return o + len;
}

/*
 * "$D.DD" (or "D.DD", "$D"; D at most 12 digits without a leading zero, with
 * or without thousands commas: "$1,018.00" is 1018.00), or empty: \N.
 */
static char *fast_money(char *o, const char *v, size_t len)
{
	size_t i = 0, d, digits = 0, grp = 0;
	int commas = 0;

	if (!v || !len) {
		memcpy(o, "\\N", 2);
		return o + 2;
	}
	if (v[0] == '$')
		i++;
	for (d = i; d < len; d++) {
		if (v[d] >= '0' && v[d] <= '9') {
			if (++digits > 12) /* before the copy: out holds 12 */
				return NULL;
			*o++ = v[d];
			grp++;
		} else if (v[d] == ',') {
			/* first group 1-3 digits, later groups exactly 3 */
			if (!digits || (commas ? grp != 3 : grp > 3))
				return NULL;
			commas = 1;
			grp = 0;
		} else {
			break;
		}
	}
	if (!digits || (commas && grp != 3) || (v[i] == '0' && d - i > 1))
		return NULL;
	if (d == len) {
		memcpy(o, ".00", 3);
		return o + 3;
	}
	if (len - d != 3 || v[d] != '.' || v[d + 1] < '0' || v[d + 1] > '9' || v[d + 2] < '0' ||
	    v[d + 2] > '9')
		return NULL;
	memcpy(o, v + d, 3);
	return o + 3;
}

/* 1: written; 0: not a plain line (take the general path); -1: error (err set). */
static int cal_fast(struct iab *s, const struct csvr_row *row, struct mi_err *err)
{
	static const char max_id[] = "9223372036854775807";
	static const unsigned char mdays[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	char out[512], *o = out;
	const char *v, *sn = s->snapshot;
	size_t len;
	int y, m, d, dollar;

	if (!s->prefix_len || !sn[0])
		return 0;
	if (!s->snapshot_year)
		s->snapshot_year = (sn[0] - '0') * 1000 + (sn[1] - '0') * 100 + (sn[2] - '0') * 10 +
				   (sn[3] - '0');
	memcpy(o, s->prefix, s->prefix_len);
	o += s->prefix_len;
	o = put_ll(o, row->line);
	*o++ = '\t';
	o = put_ll(o, row->offset);
	memcpy(o, "\t\\N\t" PLATFORM "\t", sizeof(PLATFORM) + 4);
	o += sizeof(PLATFORM) + 4;
	/* listing id: digits, at most INT64_MAX */
	v = fld(s, row, C_LISTING, &len);
	if (!v || !len || len > 19 || !all_digits(v, len) ||
	    (len == 19 && memcmp(v, max_id, 19) > 0))
		return 0;
	memcpy(o, v, len);
	o += len;
	*o++ = '\t';
	memcpy(o, sn, 10);
	o += 10;
	*o++ = '\t';
	/*
	 * the night: YYYY-MM-DD, a real day, on or after the snapshot and in its
	 * year or one of the two after it (inside the +1100 days window)
	 */
	v = fld(s, row, C_DATE, &len);
	if (!v || len != 10 || v[4] != '-' || v[7] != '-' || !all_digits(v, 4) ||
	    !all_digits(v + 5, 2) || !all_digits(v + 8, 2) || memcmp(v, sn, 10) < 0)
		return 0;
	y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
	m = (v[5] - '0') * 10 + (v[6] - '0');
	d = (v[8] - '0') * 10 + (v[9] - '0');
	if (y - s->snapshot_year > 2 || y < 1901 || m < 1 || m > 12 || d < 1 || d > mdays[m] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return 0;
	memcpy(o, v, 10);
	o += 10;
	*o++ = '\t';
	v = fld(s, row, C_AVAILABLE, &len);
	if (!v || len != 1 || (v[0] != 't' && v[0] != 'f'))
		return 0;
	*o++ = v[0];
	*o++ = '\t';
	v = fld(s, row, C_PRICE, &len);
	dollar = v && len && v[0] == '$';
	if (!(o = fast_money(o, v, len)))
		return 0;
	*o++ = '\t';
	v = fld(s, row, C_ADJUSTED, &len);
	if (!(o = fast_money(o, v, len)))
		return 0;
	*o++ = '\t';
	memcpy(o, dollar ? "USD\t" : "\\N\t", dollar ? 4 : 3);
	o += dollar ? 4 : 3;
	v = fld(s, row, C_MIN, &len);
	if (!(o = fast_count(o, v, len)))
		return 0;
	*o++ = '\t';
	v = fld(s, row, C_MAX, &len);
	if (!(o = fast_count(o, v, len)))
		return 0;
	*o++ = '\n';
	return parse_emit_line(s->ctx, REC_E_PRICING, out, (size_t)(o - out), err) < 0 ? -1 : 1;
}

static int cal_row(void *data, const struct csvr_row *row, struct mi_err *err)
{
	struct iab *s = data;
	struct tab_row *t = &s->row;
	const char *v;
	size_t len;
	int rc = iab_begin(s, row, cal_required, 4, err);

	if (rc <= 0)
		return rc;
	rc = cal_fast(s, row, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rec_set(&t->rec, PRICING_platform, PLATFORM, sizeof(PLATFORM) - 1);
	v = fld(s, row, C_LISTING, &len);
	tab_set_id(t, PRICING_listing_id, v, len);
	v = fld(s, row, C_DATE, &len);
	tab_set_date(t, PRICING_stay_date, v, len);
	if (!t->rec.set[PRICING_stay_date] && !tab_row_bad(t)) {
		const char *d = v;
		size_t dl = len;
		char show[64];

		if (d)
			tab_trim(&d, &dl);
		if (d && dl) /* 1900-01-01 and the like: read, but not a night */
			tab_bad(t, "stay date '%s' is a placeholder, not a date",
				tab_show(d, dl, show, sizeof(show)));
		else
			tab_bad(t, "missing stay date");
	}
	if (!s->snapshot[0] && !tab_row_bad(t))
		/* no snapshot date given: the calendar starts on the scrape date */
		memcpy(s->snapshot, t->rec.data.buf + t->rec.start[PRICING_stay_date], 10);
	if (s->snapshot[0])
		rec_set(&t->rec, PRICING_snapshot_date, s->snapshot, 10);
	v = fld(s, row, C_AVAILABLE, &len);
	tab_set_bool(t, PRICING_available, v, len);
	v = fld(s, row, C_PRICE, &len);
	tab_set_money(t, PRICING_price, v, len);
	if (len && memchr(v, '$', len))
		rec_set(&t->rec, PRICING_currency, "USD", 3);
	v = fld(s, row, C_ADJUSTED, &len);
	tab_set_money(t, PRICING_adjusted_price, v, len);
	v = fld(s, row, C_MIN, &len);
	tab_set_int(t, PRICING_min_nights, v, len, 0, 1000000000);
	v = fld(s, row, C_MAX, &len);
	tab_set_int(t, PRICING_max_nights, v, len, 0, 2147483647);
	return iab_end(s, row, err);
}

/* Read one Inside Airbnb file: wanted columns by header name, row by row. */
#define IAB_MAX_COLS 128

static int iab_parse(struct parse_ctx *ctx, FILE *in, enum rec_entity_id e,
		     const char *const *names, int n, csvr_row_fn fn, struct mi_err *err)
{
	struct iab s;
	int col[IAB_MAX_COLS];
	struct value_date d;
	int rc;

	assert(n <= IAB_MAX_COLS);
	iab_init(&s, ctx, e, names, n, col);
	if (e == REC_E_PRICING && ctx->snapshot_date &&
	    value_date(ctx->snapshot_date, strlen(ctx->snapshot_date), &d) == 1)
		value_date_format(&d, s.snapshot, sizeof(s.snapshot));
	if (e == REC_E_PRICING && !getenv("MI_PARSE_NO_FAST"))
		s.prefix_len = parse_row_prefix(ctx, s.prefix, sizeof(s.prefix));
	rc = tab_read_csv(ctx, in, ',', fn, &s, NULL, err);
	rc = iab_finish(&s, rc, err);
	iab_release(&s);
	return rc;
}

static int parse_calendar(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	return iab_parse(ctx, in, REC_E_PRICING, cal_names, C__N, cal_row, err);
}

/* ---- reviews ----------------------------------------------------------- */

enum { R_LISTING, R_ID, R_DATE, R_REVIEWER_ID, R_REVIEWER, R_COMMENTS, R__N };
static const char *const rev_names[R__N] = {
	"listing_id", "id", "date", "reviewer_id", "reviewer_name", "comments",
};
static const int rev_required[] = { R_LISTING, R_DATE };

static int rev_row(void *data, const struct csvr_row *row, struct mi_err *err)
{
	struct iab *s = data;
	struct tab_row *t = &s->row;
	const char *v;
	size_t len;
	int rc = iab_begin(s, row, rev_required, 2, err);

	if (rc <= 0)
		return rc;
	rec_set(&t->rec, REVIEWS_platform, PLATFORM, sizeof(PLATFORM) - 1);
	v = fld(s, row, R_LISTING, &len);
	tab_set_id(t, REVIEWS_listing_id, v, len);
	if (!t->rec.set[REVIEWS_listing_id])
		tab_bad(t, "missing listing_id");
	v = fld(s, row, R_ID, &len);
	tab_set_id(t, REVIEWS_review_id, v, len);
	v = fld(s, row, R_DATE, &len);
	tab_set_date(t, REVIEWS_review_date, v, len);
	v = fld(s, row, R_REVIEWER, &len);
	tab_set_text(t, REVIEWS_reviewer_name, v, len);
	/* the text as written (with its <br/>): mi-score reads markup itself */
	v = fld(s, row, R_COMMENTS, &len);
	tab_set_text(t, REVIEWS_text, v, len);
	return iab_end(s, row, err);
}

static int parse_reviews(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	return iab_parse(ctx, in, REC_E_REVIEWS, rev_names, R__N, rev_row, err);
}

/* ---- listings ---------------------------------------------------------- */

enum {
	L_ID, L_URL, L_NAME, L_LAST_SCRAPED, L_HOST_ID, L_HOST_NAME, L_CALC_COUNT,
	L_HOST_COUNT, L_HOST_TOTAL, L_LICENSE, L_DESCRIPTION, L_STREET, L_CITY, L_ZIP,
	L_NGROUP_C, L_NGROUP, L_NEIGH_C, L_NEIGH, L_LAT, L_LON, L_PTYPE, L_RTYPE,
	L_BEDROOMS, L_BATHROOMS, L_BATH_TEXT, L_ACCOM, L_PRICE, L_RATING, L_NREVIEWS,
	L_LAST_REVIEW, L_SCRAPE_ID, L_SOURCE, L_SUPERHOST, L_CALC_ENTIRE, L_AVAIL365,
	L_INSTANT, L_MIN_NIGHTS, L_HOST_SINCE, L_NREVIEWS_LTM, L_EST_OCC, L_EST_REV,
	L_HOST_LOCATION,
	L__N
};
static const char *const lst_names[L__N] = {
	"id", "listing_url", "name", "last_scraped", "host_id", "host_name",
	"calculated_host_listings_count", "host_listings_count", "host_total_listings_count",
	"license", "description", "street", "city", "zipcode",
	"neighbourhood_group_cleansed", "neighbourhood_group", "neighbourhood_cleansed",
	"neighbourhood", "latitude", "longitude", "property_type", "room_type",
	"bedrooms", "bathrooms", "bathrooms_text", "accommodates", "price",
	"review_scores_rating", "number_of_reviews", "last_review", "scrape_id", "source",
	"host_is_superhost", "calculated_host_listings_count_entire_homes",
	"availability_365", "instant_bookable", "minimum_nights", "host_since",
	"number_of_reviews_ltm", "estimated_occupancy_l365d", "estimated_revenue_l365d",
	"host_location",
};
static const int lst_required[] = { L_ID };

/* The county of an Inside Airbnb Hawaii neighbourhood group (= county name). */
static int county_of_group(const char *s, size_t len)
{
	static const char *const names[] = { "Honolulu", "Maui", "Hawaii", "Kauai" };

	if (!s)
		return 0;
	tab_trim(&s, &len);
	for (int i = 0; i < 4; i++)
		if (len == strlen(names[i]) && !strncasecmp(s, names[i], len))
			return i + 1;
	return 0;
}

/*
 * Words in a host name that say "a business", whatever owner.h thinks of it.
 * Whole words; a trailing '*' matches any ending ("rental*": Rentals).
 */
static int looks_like_company(const char *name)
{
	static const char *const words[] = {
		"rental*", "vacation*", "propert*", "manag*", "realt*", "resort*", "hotel*",
		"hospitality", "villa", "villas", "stays", "condo", "condos", "homes", "suites",
		"team", "group", "llc", "inc", "ltd", "getaway*", "retreat*", "lodg*",
		"collection", "hawaii", "maui", "kauai", "oahu", "kona", "beach*",
		"reservation*", "escape*", "co", "company", "services", NULL,
	};
	const char *p = name;

	while (*p) {
		size_t n;

		while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			       (*p >= '0' && *p <= '9')))
			p++;
		for (n = 0; (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
			    (p[n] >= '0' && p[n] <= '9'); n++)
			;
		for (int i = 0; n && words[i]; i++) {
			size_t wl = strlen(words[i]);
			int prefix = words[i][wl - 1] == '*';

			if (prefix ? n >= wl - 1 && !strncasecmp(p, words[i], wl - 1)
				   : n == wl && !strncasecmp(p, words[i], wl))
				return 1;
		}
		p += n;
	}
	return 0;
}

/*
 * The self-managed guess (mi-load refines it against the parcel's owner):
 * true for a host with exactly one listing in the snapshot whose name reads
 * as a person; false for a host with 5 or more listings, or whose name reads
 * as a business; unknown (NULL) otherwise.
 */
static int self_managed_guess(const char *name, size_t len, long long nlist)
{
	struct owner o;
	char buf[256];
	int person;

	if (!name || !len || len >= sizeof(buf))
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	person = owner_normalize(name, len, &o, NULL) == 0 && o.kind == OWNER_PERSON &&
		 !looks_like_company(buf);
	if (nlist >= 5 || looks_like_company(buf) ||
	    (owner_normalize(name, len, &o, NULL) == 0 && o.kind == OWNER_ENTITY))
		return 0;
	if (nlist == 1 && person)
		return 1;
	return -1;
}

/* Append id to a comma-separated list in sb unless it is there already. */
static void list_add(struct strbuf *sb, const char *id)
{
	size_t n = strlen(id);
	const char *p = sb->buf;

	while ((p = strstr(p, id)) != NULL) {
		if ((p == sb->buf || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return;
		p += n;
	}
	if (sb->len)
		strbuf_addch(sb, ',');
	strbuf_add(sb, id, n);
}

/*
 * The ids of a license text (or, when it has none, of the description):
 * first TMK -> tmk/tmk_flags, TA (and bare tax ids, W ids) -> tat_ids, GE ->
 * ge_ids, county permits and Honolulu NUCs -> str_permit.  Further TMKs and
 * TMKs without a county go into extra.
 */
struct ids {
	struct strbuf tat, ge, permit, tmks;
	int found;
};

static void ids_scan(struct ids *ids, struct tab_row *t, const char *s, size_t len,
		     int county)
{
	struct taxid_hit hits[16];
	struct tmk_opts o = { county, NULL, NULL, TMK_RANGE_REFUSE };
	size_t n;
	char flags[128];

	if (!s || !len || !rec_utf8_valid(s, len))
		return;
	n = taxid_extract(s, len, &o, hits, 16);
	if (n > 16)
		n = 16;
	for (size_t i = 0; i < n; i++) {
		struct taxid_hit *h = &hits[i];
		ids->found++;
		switch (h->kind) {
		case TAXID_TA:
		case TAXID_TAX:
		case TAXID_W:
			list_add(&ids->tat, h->id);
			break;
		case TAXID_GE:
			list_add(&ids->ge, h->id);
			break;
		case TAXID_PERMIT:
		case TAXID_NUC:
			list_add(&ids->permit, h->id);
			break;
		case TAXID_TMK:
			if (!t->rec.set[LISTINGS_tmk]) {
				rec_set_str(&t->rec, LISTINGS_tmk, h->tmk.tmk13);
				tmk_flags_format(h->tmk.flags, flags, sizeof(flags));
				rec_set_str(&t->rec, LISTINGS_tmk_flags, flags[0] ? flags : NULL);
			} else {
				list_add(&ids->tmks, h->tmk.tmk13);
			}
			break;
		case TAXID_TMK12:
			list_add(&ids->tmks, h->id);
			break;
		}
	}
}

static void set_list(struct tab_row *t, int col, const struct strbuf *sb)
{
	rec_set(&t->rec, col, sb->len ? sb->buf : NULL, sb->len);
}

/*
 * Inside Airbnb's files before 2021 (the column set with `street`) give
 * review_scores_rating out of 100; later ones out of 5, the scale listings
 * are loaded on.  In an older file a rating of 0-100 is written as its
 * 5-point value (97 -> 4.85), the original kept in extra; anything else is
 * left to the range check (a reject).
 */
static void rating_5_point(struct iab *s)
{
	struct rec_row *r = &s->row.rec;
	char buf[32];
	double v;

	s->rating_100[0] = '\0';
	if (!r->set[LISTINGS_rating] || r->len[LISTINGS_rating] >= sizeof(s->rating_100))
		return;
	memcpy(buf, r->data.buf + r->start[LISTINGS_rating], r->len[LISTINGS_rating]);
	buf[r->len[LISTINGS_rating]] = '\0';
	v = atof(buf);
	if (s->col[L_STREET] < 0 || !(v >= 0 && v <= 100))
		return;
	memcpy(s->rating_100, buf, strlen(buf) + 1);
	snprintf(buf, sizeof(buf), "%.2f", v / 20);
	rec_set_str(r, LISTINGS_rating, buf);
}

/* Bathrooms from "1.5 shared baths", "Half-bath", "2 baths". */
static void bath_from_text(struct tab_row *t, const char *s, size_t len)
{
	char num[64];
	size_t i = 0;

	if (!s)
		return;
	tab_trim(&s, &len);
	while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
		i++;
	if (i && tab_num(s, i, num, sizeof(num)) == 1)
		rec_set_str(&t->rec, LISTINGS_bathrooms, num);
	else if (len && strcasestr(s, "half-bath"))
		rec_set_str(&t->rec, LISTINGS_bathrooms, "0.5");
}

static int lst_row(void *data, const struct csvr_row *row, struct mi_err *err)
{
	struct iab *s = data;
	struct tab_row *t = &s->row;
	struct ids ids;
	const char *v, *name;
	size_t len, nlen;
	long long nlist = -1;
	int from_description = 0;
	int county, rc = iab_begin(s, row, lst_required, 1, err);

	if (rc <= 0)
		return rc;
	rec_set(&t->rec, LISTINGS_platform, PLATFORM, sizeof(PLATFORM) - 1);
	v = fld(s, row, L_ID, &len);
	tab_set_id(t, LISTINGS_listing_id, v, len);
	if (!t->rec.set[LISTINGS_listing_id])
		tab_bad(t, "missing listing id");
	v = fld(s, row, L_URL, &len);
	tab_set_text(t, LISTINGS_url, v, len);
	v = fld(s, row, L_NAME, &len);
	tab_set_text(t, LISTINGS_name, v, len);
	v = fld(s, row, L_LAST_SCRAPED, &len);
	tab_set_date(t, LISTINGS_snapshot_date, v, len);
	if (!t->rec.set[LISTINGS_snapshot_date] && s->ctx->snapshot_date)
		tab_set_date(t, LISTINGS_snapshot_date, s->ctx->snapshot_date,
			     strlen(s->ctx->snapshot_date));
	v = fld(s, row, L_HOST_ID, &len);
	tab_set_id(t, LISTINGS_host_id, v, len);
	name = fld(s, row, L_HOST_NAME, &nlen);
	tab_set_text(t, LISTINGS_host_name, name, nlen);
	tab_set_text(t, LISTINGS_manager_name, name, nlen);
	if (name)
		tab_trim(&name, &nlen);

	/* the manager-size signal: count within this snapshot first */
	for (int k = L_CALC_COUNT; k <= L_HOST_TOTAL; k++) {
		v = fld(s, row, k, &len);
		if (v && tab_int(v, len, 0, 1000000, &nlist) == 1)
			break;
		nlist = -1;
	}
	if (nlist >= 0)
		rec_set_int(&t->rec, LISTINGS_host_listings, nlist);
	if (name && nlen && rec_utf8_valid(name, nlen)) {
		char key[256];
		int kl = owner_key(name, nlen, key, sizeof(key));
		int sm = self_managed_guess(name, nlen, nlist);

		if (kl > 0)
			rec_set(&t->rec, LISTINGS_manager_key, key, (size_t)kl);
		if (sm >= 0)
			rec_set_bool(&t->rec, LISTINGS_self_managed, sm);
	}

	county = 0;
	v = fld(s, row, L_NGROUP_C, &len);
	if (!(county = county_of_group(v, len))) {
		v = fld(s, row, L_NGROUP, &len);
		county = county_of_group(v, len);
	}
	if (!county)
		county = s->ctx->county;
	if (county)
		rec_set_int(&t->rec, LISTINGS_county, county);

	memset(&ids, 0, sizeof(ids));
	strbuf_init(&ids.tat, 1024);
	strbuf_init(&ids.ge, 1024);
	strbuf_init(&ids.permit, 1024);
	strbuf_init(&ids.tmks, 1024);
	v = fld(s, row, L_LICENSE, &len);
	tab_set_text(t, LISTINGS_license_raw, v, len);
	ids_scan(&ids, t, v, len, county);
	if (!ids.found) {
		v = fld(s, row, L_DESCRIPTION, &len);
		ids_scan(&ids, t, v, len, county);
		from_description = ids.found > 0;
	}
	set_list(t, LISTINGS_tat_ids, &ids.tat);
	set_list(t, LISTINGS_ge_ids, &ids.ge);
	set_list(t, LISTINGS_str_permit, &ids.permit);

	v = fld(s, row, L_STREET, &len);
	tab_set_text(t, LISTINGS_address, v, len);
	v = fld(s, row, L_CITY, &len);
	tab_set_text(t, LISTINGS_city, v, len);
	v = fld(s, row, L_ZIP, &len);
	tab_set_text(t, LISTINGS_zip, v, len);
	v = fld(s, row, L_LAT, &len);
	tab_set_num(t, LISTINGS_lat, v, len);
	v = fld(s, row, L_LON, &len);
	tab_set_num(t, LISTINGS_lon, v, len);
	v = fld(s, row, L_PTYPE, &len);
	tab_set_text(t, LISTINGS_property_type, v, len);
	v = fld(s, row, L_RTYPE, &len);
	tab_set_text(t, LISTINGS_room_type, v, len);
	v = fld(s, row, L_BEDROOMS, &len);
	tab_set_int(t, LISTINGS_bedrooms, v, len, 0, 1000);
	v = fld(s, row, L_BATHROOMS, &len);
	tab_set_num(t, LISTINGS_bathrooms, v, len);
	if (!t->rec.set[LISTINGS_bathrooms]) {
		v = fld(s, row, L_BATH_TEXT, &len);
		bath_from_text(t, v, len);
	}
	v = fld(s, row, L_ACCOM, &len);
	tab_set_int(t, LISTINGS_accommodates, v, len, 0, 1000);
	v = fld(s, row, L_PRICE, &len);
	tab_set_money(t, LISTINGS_nightly_price, v, len);
	if (t->rec.set[LISTINGS_nightly_price])
		rec_set(&t->rec, LISTINGS_currency, "USD", 3);
	v = fld(s, row, L_RATING, &len);
	tab_set_num(t, LISTINGS_rating, v, len);
	rating_5_point(s);
	v = fld(s, row, L_NREVIEWS, &len);
	tab_set_int(t, LISTINGS_review_count, v, len, 0, 2147483647);
	v = fld(s, row, L_LAST_REVIEW, &len);
	tab_set_date(t, LISTINGS_last_review_date, v, len);

	tab_json_open(&s->sb);
	v = fld(s, row, L_SCRAPE_ID, &len);
	tab_json_str(&s->sb, "scrape_id", v, len);
	v = fld(s, row, L_SOURCE, &len);
	tab_json_str(&s->sb, "scrape_source", v, len);
	v = fld(s, row, L_NGROUP_C, &len);
	if (!v) v = fld(s, row, L_NGROUP, &len);
	tab_json_str(&s->sb, "neighbourhood_group", v, len);
	v = fld(s, row, L_NEIGH_C, &len);
	if (!v) v = fld(s, row, L_NEIGH, &len);
	tab_json_str(&s->sb, "neighbourhood", v, len);
	v = fld(s, row, L_HOST_LOCATION, &len);
	tab_json_str(&s->sb, "host_location", v, len);
	v = fld(s, row, L_HOST_SINCE, &len);
	tab_json_str(&s->sb, "host_since", v, len);
	v = fld(s, row, L_SUPERHOST, &len);
	tab_json_str(&s->sb, "host_is_superhost", v, len);
	v = fld(s, row, L_HOST_TOTAL, &len);
	tab_json_num(&s->sb, "host_total_listings_count", v, len);
	v = fld(s, row, L_CALC_ENTIRE, &len);
	tab_json_num(&s->sb, "host_entire_homes", v, len);
	v = fld(s, row, L_MIN_NIGHTS, &len);
	tab_json_num(&s->sb, "minimum_nights", v, len);
	v = fld(s, row, L_AVAIL365, &len);
	tab_json_num(&s->sb, "availability_365", v, len);
	v = fld(s, row, L_NREVIEWS_LTM, &len);
	tab_json_num(&s->sb, "number_of_reviews_ltm", v, len);
	v = fld(s, row, L_INSTANT, &len);
	tab_json_str(&s->sb, "instant_bookable", v, len);
	v = fld(s, row, L_EST_OCC, &len);
	tab_json_num(&s->sb, "estimated_occupancy_l365d", v, len);
	v = fld(s, row, L_EST_REV, &len);
	tab_json_num(&s->sb, "estimated_revenue_l365d", v, len);
	if (s->rating_100[0])
		tab_json_num(&s->sb, "review_scores_rating_100", s->rating_100, strlen(s->rating_100));
	if (ids.tmks.len)
		tab_json_str(&s->sb, "more_tmks", ids.tmks.buf, ids.tmks.len);
	if (from_description)
		tab_json_str(&s->sb, "ids_from", "description", 11);
	tab_json_close(t, LISTINGS_extra, &s->sb);

	strbuf_release(&ids.tat);
	strbuf_release(&ids.ge);
	strbuf_release(&ids.permit);
	strbuf_release(&ids.tmks);
	return iab_end(s, row, err);
}

static int parse_listings(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	return iab_parse(ctx, in, REC_E_LISTINGS, lst_names, L__N, lst_row, err);
}

const struct parser parser_insideairbnb_calendar = {
	"insideairbnb-calendar",
	"Inside Airbnb calendar.csv(.gz): one row per listing and night",
	"pricing",
	parse_calendar,
};

const struct parser parser_insideairbnb_listings = {
	"insideairbnb-listings",
	"Inside Airbnb listings.csv(.gz), detailed or summary: host, license ids, manager signal",
	"listings",
	parse_listings,
};

const struct parser parser_insideairbnb_reviews = {
	"insideairbnb-reviews",
	"Inside Airbnb reviews.csv(.gz): review text by listing",
	"reviews",
	parse_reviews,
};
