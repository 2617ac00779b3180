/*
 * fieldmap: "a field of the input -> a column of an entity, with a type
 * conversion", shared by the tree formats (HTML rules, XML feeds, JSON APIs,
 * GeoJSON) and usable by any column-mapped format.
 *
 * A map is read from one config section.  Every key of the section names a
 * column of the entity and its value is a format-specific expression (an
 * XPath for HTML, an element path for XML, a JSON path for JSON):
 *
 *   [listings]
 *   listing_id = @data-id
 *   nightly_price = .//span[@class='price']
 *   nightly_price.regex = \$([0-9,.]+)      ; keep group 1 (or the whole match)
 *   nightly_price.type = money               ; else guessed from the column
 *   required = listing_id, name              ; missing -> the record is rejected
 *
 * Keys a format reserves for itself (such as "xpath" or "record") are passed
 * in `reserved` and left alone; any other key that is not a column, a
 * column.regex or a column.type is an error naming file:line.
 *
 * Types: text, int, numeric, money, double, date, bool, tmk, taxids, json.
 * The type of a column without .type comes from its PostgreSQL type (and
 * "tmk" / "tat_ids" / "ge_ids" by name).
 *
 * Ownership: struct fm_map owns its fields, names, expressions and compiled
 * regexes; fm_map_release() frees them.  Conversion functions borrow their
 * inputs (byte ranges, no NUL needed) and copy into the row.
 */
#ifndef MI_FIELDMAP_H
#define MI_FIELDMAP_H

#include "config.h"
#include "err.h"
#include "records.h"
#include "strbuf.h"

#include <stddef.h>

enum fm_type {
	FM_AUTO = 0, /* from the column's PostgreSQL type */
	FM_TEXT,     /* trimmed, inner whitespace runs collapsed to one space */
	FM_INT,      /* "1,234" -> 1234; "3.0" -> 3 */
	FM_NUMERIC,  /* a decimal; "$", "," and spaces dropped */
	FM_MONEY,    /* "$1,379.00", "USD 250", "250" -> 1379.00 (two decimals) */
	FM_DOUBLE,   /* a float, written with up to 7 decimals */
	FM_DATE,     /* YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, ISO date-times -> YYYY-MM-DD */
	FM_BOOL,     /* t/f, true/false, yes/no, y/n, 1/0, available/unavailable */
	FM_TMK,      /* one TMK (tmk.h) -> tmk13; also sets tmk_flags when the entity has it */
	FM_TAXIDS,   /* tax ids found in free text, normalized, comma-separated */
	FM_JSON,     /* a JSON value, copied as is (the caller serializes) */
};

struct fm_field {
	char *name;       /* column name */
	int col;          /* column index in the entity */
	enum fm_type type;
	char *expr;       /* the format-specific expression */
	void *re;         /* pcre2_code *, or NULL */
	int required;
	int line;         /* config line, for messages */
	void *compiled;   /* owned by the format (its compiled expr); freed with free_compiled */
};

struct fm_map {
	const struct rec_entity *e;
	char *section;
	struct fm_field *f;
	size_t n;
	const char *path; /* config path, borrowed */
	void (*free_compiled)(void *); /* called on each non-NULL compiled at release */
};

/*
 * Load the map of section for entity e from cfg.  reserved: keys the format
 * reads itself (NULL-terminated, may be NULL).  Returns 0, or -1 with err
 * naming file:line (MI_EXIT_CONFIG).  The map must be released even on error.
 */
int fm_map_load(struct fm_map *m, const struct mi_config *cfg, const char *section,
		const struct rec_entity *e, const char *const *reserved, struct mi_err *err);
void fm_map_release(struct fm_map *m);
/* The field of column name, or NULL. */
struct fm_field *fm_map_field(const struct fm_map *m, const char *name);

/* Parse a type name ("money"); -1 when unknown. */
int fm_type_parse(const char *s);
/* The type used for column col of e when none is configured. */
enum fm_type fm_type_for_column(const struct rec_entity *e, int col);

/*
 * Apply f's regex (if any) to s/len: on a match the value becomes group 1 if
 * the pattern has one, else the whole match.  Returns 1 and sets *out and *outlen
 * (pointing into s), 0 when the pattern does not match (the value is absent).
 * Without a regex, returns 1 with the input unchanged.
 */
int fm_apply_regex(const struct fm_field *f, const char *s, size_t len, const char **out,
		   size_t *outlen);

/* What conversions may need to know about the record. */
struct fm_opts {
	int county;        /* county hint for TMKs, 0 none */
};

/*
 * Convert s/len as type t and set column col of row.  Empty (after trimming)
 * sets NULL and returns 0.  Returns 0, or -1 with a short lowercase reason
 * written into reason ("bad money value", "bad tmk: street address").
 */
int fm_set_typed(struct rec_row *row, int col, enum fm_type t, const char *s, size_t len,
		 const struct fm_opts *o, char *reason, size_t rsize);
/* fm_apply_regex then fm_set_typed with f's column and type; no match sets NULL. */
int fm_set(struct rec_row *row, const struct fm_field *f, const char *s, size_t len,
	   const struct fm_opts *o, char *reason, size_t rsize);

/*
 * Value parsers, usable alone.  Each returns 0 on success, -1 when s is not
 * such a value.  s/len borrowed, surrounding whitespace ignored.
 */
int fm_parse_money(const char *s, size_t len, long long *cents);
int fm_parse_int(const char *s, size_t len, long long *v);
int fm_parse_double(const char *s, size_t len, double *v);
/* Writes "YYYY-MM-DD" into out[11]. */
int fm_parse_date(const char *s, size_t len, char out[11]);
int fm_parse_bool(const char *s, size_t len, int *v);
/* Set a double with at most 7 decimals and no trailing zeros. */
int fm_set_coord(struct rec_row *row, int col, double v);

/*
 * Hawaii ids in free text (descriptions, license fields, visible page text).
 * Each list is appended to (comma-separated, de-duplicated, normalized):
 * ta: "TA-123-456-7890-01" (and legacy "W12345678-01"), ge: "GE-...",
 * permits: county STR permits ("STKM-2019-0012", "STVR-19-123456", "TVNC-1234",
 * "NUC-90-123"), tmks: canonical 13-digit TMKs written after a "TMK" label
 * (county from hint when absent).  Any of the buffers may be NULL.
 * Returns the number of ids found.
 */
int fm_extract_ids(const char *s, size_t len, int county, struct strbuf *ta,
		   struct strbuf *ge, struct strbuf *permits, struct strbuf *tmks);

/* Collapse whitespace runs to one space and trim, into sb (appended). */
int fm_add_clean_text(struct strbuf *sb, const char *s, size_t len);

/* Append s/len to sb as a JSON string literal (quotes included). */
int fm_json_quote(struct strbuf *sb, const char *s, size_t len);

#endif
