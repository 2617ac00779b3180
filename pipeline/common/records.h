/*
 * records: the normalized entity files that mi-parse writes, mi-score
 * extends and mi-load reads.  This header is the ONE place where their
 * columns are defined: the parsers fill rows by column id, mi-load builds its
 * staging tables from the same list (name and PostgreSQL type), and the
 * column order on disk is the order below.
 *
 * File format: PostgreSQL COPY text format (no header line), one record per
 * line, columns separated by TAB, NULL written as \N, and backslash escapes
 * for backslash, TAB, LF and CR.  Values are valid UTF-8 without NUL bytes:
 * rec_set() refuses anything else so that a bad value becomes a reject, not a
 * broken row.
 *
 * Every entity begins with the same provenance columns: the source id, the
 * SHA-256 of the landed body (or of the input file), and the location of the
 * record in it (line and byte offset; "path" holds an XPath or JSON path when
 * the input is a tree).
 */
#ifndef MI_RECORDS_H
#define MI_RECORDS_H

#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>

#define REC_PROVENANCE(X)                 \
	X(source, "text")                  \
	X(landing_hash, "text")            \
	X(src_line, "bigint")              \
	X(src_offset, "bigint")            \
	X(src_path, "text")

/* A parcel as seen by a county roll, a parcel layer or a parcel page. */
#define REC_PROPERTIES(X)                 \
	REC_PROVENANCE(X)                  \
	X(tmk, "text")                     \
	X(tmk_flags, "text")               \
	X(address, "text")                 \
	X(address_key, "text")             \
	X(unit, "text")                    \
	X(city, "text")                    \
	X(zip, "text")                     \
	X(island, "text")                  \
	X(district, "text")                \
	X(lat, "double precision")         \
	X(lon, "double precision")         \
	X(property_type, "text")           \
	X(bedrooms, "smallint")            \
	X(bathrooms, "numeric")            \
	X(max_guests, "smallint")          \
	X(living_area_sqft, "integer")     \
	X(land_area_sqft, "numeric")       \
	X(year_built, "smallint")          \
	X(tax_class, "text")               \
	X(land_value, "numeric")           \
	X(building_value, "numeric")       \
	X(str_permit, "text")              \
	X(tat_ids, "text")                 \
	X(extra, "jsonb")

/* An owner of a parcel (tax-bill owner, fee owner, lessee ...). */
#define REC_OWNERS(X)                     \
	REC_PROVENANCE(X)                  \
	X(tmk, "text")                     \
	X(owner_name, "text")              \
	X(owner_kind, "text")              \
	X(owner_key, "text")               \
	X(owner_display, "text")           \
	X(owner_type, "text")              \
	X(pct_owned, "numeric")            \
	X(care_of, "text")                 \
	X(mailing_address, "text")         \
	X(mailing_city, "text")            \
	X(mailing_state, "text")           \
	X(mailing_zip, "text")             \
	X(mailing_country, "text")         \
	X(mailing_key, "text")             \
	X(absentee, "boolean")             \
	X(out_of_state, "boolean")         \
	X(tax_year, "smallint")

/* One parcel row of a recorded sale (a multi-parcel deed gives one row per parcel). */
#define REC_SALES(X)                      \
	REC_PROVENANCE(X)                  \
	X(tmk, "text")                     \
	X(portion, "boolean")              \
	X(doc_no, "text")                  \
	X(land_court_no, "text")           \
	X(cert_no, "text")                 \
	X(book, "text")                    \
	X(page, "text")                    \
	X(sale_date, "date")               \
	X(record_date, "date")             \
	X(price, "numeric")                \
	X(conveyance_tax, "numeric")       \
	X(instrument_type, "text")         \
	X(doc_type, "text")                \
	X(validity_code, "text")           \
	X(sale_type, "text")               \
	X(grantor, "text")                 \
	X(grantee, "text")                 \
	X(buyer_mailing_address, "text")   \
	X(buyer_state, "text")             \
	X(record_hash, "text")             \
	X(flags, "text")

/* A rental listing and who runs it (the manager signal). */
#define REC_LISTINGS(X)                   \
	REC_PROVENANCE(X)                  \
	X(platform, "text")                \
	X(listing_id, "text")              \
	X(url, "text")                     \
	X(name, "text")                    \
	X(snapshot_date, "date")           \
	X(host_id, "text")                 \
	X(host_name, "text")               \
	X(host_listings, "integer")        \
	X(manager_name, "text")            \
	X(manager_key, "text")             \
	X(self_managed, "boolean")         \
	X(tmk, "text")                     \
	X(tmk_flags, "text")               \
	X(tat_ids, "text")                 \
	X(ge_ids, "text")                  \
	X(str_permit, "text")              \
	X(license_raw, "text")             \
	X(address, "text")                 \
	X(address_key, "text")             \
	X(unit, "text")                    \
	X(city, "text")                    \
	X(zip, "text")                     \
	X(county, "smallint")              \
	X(lat, "double precision")         \
	X(lon, "double precision")         \
	X(property_type, "text")           \
	X(room_type, "text")               \
	X(bedrooms, "smallint")            \
	X(bathrooms, "numeric")            \
	X(accommodates, "smallint")        \
	X(nightly_price, "numeric")        \
	X(currency, "text")                \
	X(rating, "numeric")               \
	X(review_count, "integer")         \
	X(last_review_date, "date")        \
	X(extra, "jsonb")

/* A guest review; the columns after host_response are added by mi-score. */
#define REC_REVIEWS(X)                    \
	REC_PROVENANCE(X)                  \
	X(platform, "text")                \
	X(listing_id, "text")              \
	X(review_id, "text")               \
	X(review_date, "date")             \
	X(reviewer_name, "text")           \
	X(rating, "numeric")               \
	X(rating_scale, "numeric")         \
	X(category_ratings, "jsonb")       \
	X(text, "text")                    \
	X(host_response, "text")           \
	X(language, "text")                \
	X(compound, "double precision")    \
	X(pos, "double precision")         \
	X(neu, "double precision")         \
	X(neg, "double precision")         \
	X(aspects, "jsonb")                \
	X(complaint_flags, "text")         \
	X(scorer_version, "text")

/* One night of a listing's calendar as seen on one snapshot date. */
#define REC_PRICING(X)                    \
	REC_PROVENANCE(X)                  \
	X(platform, "text")                \
	X(listing_id, "text")              \
	X(snapshot_date, "date")           \
	X(stay_date, "date")               \
	X(available, "boolean")            \
	X(price, "numeric")                \
	X(adjusted_price, "numeric")       \
	X(currency, "text")                \
	X(min_nights, "integer")           \
	X(max_nights, "integer")

/* A record that could not be used, with why and where. */
#define REC_REJECTS(X)                    \
	REC_PROVENANCE(X)                  \
	X(file, "text")                    \
	X(format, "text")                  \
	X(reason, "text")                  \
	X(excerpt, "text")

enum rec_entity_id {
	REC_E_PROPERTIES,
	REC_E_OWNERS,
	REC_E_SALES,
	REC_E_LISTINGS,
	REC_E_REVIEWS,
	REC_E_PRICING,
	REC_E_REJECTS,
	REC_E_COUNT
};

/* Column ids: PROPERTIES_tmk, PRICING_stay_date, ... */
#define REC_ENUM_PROPERTIES(n, t) PROPERTIES_##n,
#define REC_ENUM_OWNERS(n, t) OWNERS_##n,
#define REC_ENUM_SALES(n, t) SALES_##n,
#define REC_ENUM_LISTINGS(n, t) LISTINGS_##n,
#define REC_ENUM_REVIEWS(n, t) REVIEWS_##n,
#define REC_ENUM_PRICING(n, t) PRICING_##n,
#define REC_ENUM_REJECTS(n, t) REJECTS_##n,
enum { REC_PROPERTIES(REC_ENUM_PROPERTIES) PROPERTIES__N };
enum { REC_OWNERS(REC_ENUM_OWNERS) OWNERS__N };
enum { REC_SALES(REC_ENUM_SALES) SALES__N };
enum { REC_LISTINGS(REC_ENUM_LISTINGS) LISTINGS__N };
enum { REC_REVIEWS(REC_ENUM_REVIEWS) REVIEWS__N };
enum { REC_PRICING(REC_ENUM_PRICING) PRICING__N };
enum { REC_REJECTS(REC_ENUM_REJECTS) REJECTS__N };

/* The provenance columns have the same index in every entity. */
enum { REC_COL_SOURCE, REC_COL_LANDING_HASH, REC_COL_SRC_LINE, REC_COL_SRC_OFFSET,
       REC_COL_SRC_PATH };

struct rec_column {
	const char *name;
	const char *pgtype;
};

struct rec_entity {
	enum rec_entity_id id;
	const char *name; /* "pricing" */
	const char *file; /* "pricing.tsv" */
	const struct rec_column *cols;
	int ncols;
};

extern const struct rec_entity rec_entities[REC_E_COUNT];

/* The entity named name ("sales") or whose file is name ("sales.tsv"); NULL if none. */
const struct rec_entity *rec_entity_find(const char *name);
/* Index of column name in e, or -1. */
int rec_column_index(const struct rec_entity *e, const char *name);

/*
 * A row under construction.  Fields are set by column id in any order;
 * unset fields are written as \N.  The row owns a copy of each value.
 */
#define REC_MAX_COLS 64

struct rec_row {
	const struct rec_entity *e;
	struct strbuf data;           /* escaped values, back to back */
	uint32_t start[REC_MAX_COLS]; /* offset of each value in data */
	uint32_t len[REC_MAX_COLS];
	unsigned char set[REC_MAX_COLS];
};

/* cap: the largest row allowed in bytes (0: 16 MiB). */
void rec_row_init(struct rec_row *r, const struct rec_entity *e, size_t cap);
void rec_row_release(struct rec_row *r);
/* Forget all values (keeps the memory). */
void rec_row_clear(struct rec_row *r);

enum rec_set_result {
	REC_OK = 0,
	REC_BAD_UTF8 = -1, /* value is not valid UTF-8 */
	REC_NUL = -2,      /* value holds a NUL byte */
	REC_TOOBIG = -3,   /* the row would exceed its cap */
};

/* Set column col to the len bytes at s (s NULL: NULL). Returns an rec_set_result. */
int rec_set(struct rec_row *r, int col, const char *s, size_t len);
int rec_set_str(struct rec_row *r, int col, const char *s);
int rec_set_int(struct rec_row *r, int col, long long v);
int rec_set_double(struct rec_row *r, int col, double v);
int rec_set_bool(struct rec_row *r, int col, int v);
/* Money in cents as a numeric text ("1379.00"). */
int rec_set_cents(struct rec_row *r, int col, long long cents);
/* Static description of a rec_set_result. */
const char *rec_set_strerror(int rc);

/* Write the row as one COPY text line to fp; -1 on a write error. */
int rec_row_write(const struct rec_row *r, FILE *fp);

/* Is [s, s+len) valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF)? */
int rec_utf8_valid(const char *s, size_t len);

/*
 * Read one COPY text line back: split it into fields and unescape them in
 * place.  line is modified; fields[i] points into it (NULL for \N).  Returns
 * the number of fields, or -1 when there are more than max.
 */
int rec_split_line(char *line, size_t len, char **fields, size_t *lens, int max);

#endif
