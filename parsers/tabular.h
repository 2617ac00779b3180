/*
 * tabular: what the CSV and fixed-width formats share when they turn raw
 * fields into a record: typed setters that remember the first problem of
 * the row (so one bad value rejects the row with a precise reason), a small
 * JSON object builder for the `extra` column, and the reject of a CSV row.
 *
 * Setters take a borrowed byte range, trim ASCII blanks, and write NULL for
 * an empty value.  They never fail the caller: a bad value sets the row's
 * reason (first one wins) and leaves the column NULL; the format then
 * rejects the row when tab_row_bad() says so.
 */
#ifndef MI_TABULAR_H
#define MI_TABULAR_H

#include "csvread.h"
#include "parser.h"
#include "records.h"
#include "strbuf.h"

#include <stddef.h>

struct tab_row {
	struct rec_row rec;
	char why[256]; /* first problem of the row, "" when none */
};

void tab_row_init(struct tab_row *t, enum rec_entity_id entity);
void tab_row_release(struct tab_row *t);
/* Start a new row: forget values and reason (keeps memory). */
void tab_row_start(struct tab_row *t);
#define tab_row_bad(t) ((t)->why[0] != '\0')

/* Set the row's reason unless one is set already. */
void tab_bad(struct tab_row *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Trim ASCII blanks (and a trailing CR) from both ends of [*s, *s + *len). */
void tab_trim(const char **s, size_t *len);

/* Text as is (trimmed); empty -> NULL.  Returns 0, or -1 after tab_bad(). */
int tab_set_text(struct tab_row *t, int col, const char *s, size_t len);
/* Money ("$1,379.00") as numeric text. */
int tab_set_money(struct tab_row *t, int col, const char *s, size_t len);
/* Date in any form of value_date() as YYYY-MM-DD; the 1900/01/01 placeholder -> NULL. */
int tab_set_date(struct tab_row *t, int col, const char *s, size_t len);
/* Boolean t/f/yes/no/1/0. */
int tab_set_bool(struct tab_row *t, int col, const char *s, size_t len);
/* Whole number in [min, max]; "2.0" is accepted as 2. */
int tab_set_int(struct tab_row *t, int col, const char *s, size_t len, long long min,
		long long max);
/* Decimal number ("4.67", "-157.8", "1,234.5") written back without commas. */
int tab_set_num(struct tab_row *t, int col, const char *s, size_t len);
/* Numeric id of 1-19 digits that fits an int64 (listing, review, host ids). */
int tab_set_id(struct tab_row *t, int col, const char *s, size_t len);

/* Parse a decimal number like tab_set_num into buf (size >= 64); 1 value, 0 empty, -1 bad. */
int tab_num(const char *s, size_t len, char *buf, size_t size);
/* Parse a whole number like tab_set_int; 1 value, 0 empty, -1 bad. */
int tab_int(const char *s, size_t len, long long min, long long max, long long *out);

/*
 * Quote a raw value for a reason text: printable ASCII up to 40 bytes as
 * is, longer values cut with "...", other bytes as '?'.  Returns buf.
 */
const char *tab_show(const char *s, size_t len, char *buf, size_t size);

/*
 * The value as UTF-8 into out (replacing its content): kept as is when it is
 * valid UTF-8, else read as windows-1252.  Returns the number of bytes that
 * windows-1252 leaves undefined (written as U+FFFD).
 */
int tab_cp1252_utf8(struct strbuf *out, const char *s, size_t len);

/* JSON object builder: start with tab_json_open, add members, tab_json_close. */
void tab_json_open(struct strbuf *sb);
/* Add "key": "value" (value trimmed; skipped when empty or not UTF-8). */
void tab_json_str(struct strbuf *sb, const char *key, const char *s, size_t len);
/* Add "key": <number text> (skipped when empty; written as a string when not a number). */
void tab_json_num(struct strbuf *sb, const char *key, const char *s, size_t len);
/* Close the object and set it into col (NULL when it has no member). */
int tab_json_close(struct tab_row *t, int col, struct strbuf *sb);

/* Reject a CSV row: its line, offset and raw excerpt. */
int tab_reject_csv(struct parse_ctx *ctx, const struct csvr_row *row, const char *reason,
		   struct mi_err *err);

/* Emit a CSV row's record (provenance from the row). */
int tab_emit_csv(struct parse_ctx *ctx, struct tab_row *t, const struct csvr_row *row,
		 struct mi_err *err);

/*
 * Read an input's CSV (delim 0: ',') with the standard caps, turning a read error into the
 * one reject of an unreadable file.  Returns what csvr_read returns.
 */
int tab_read_csv(struct parse_ctx *ctx, FILE *in, unsigned char delim, csvr_row_fn fn,
		 void *data, struct csvr_stats *stats, struct mi_err *err);

/*
 * The standard end of a CSV format: a file without a header line (empty)
 * is one reject and -1 with err set (MI_EXIT_DATA).
 */
int tab_no_header(struct parse_ctx *ctx, struct mi_err *err);

/*
 * When a column the format reads (field idx of hdr) is given twice in the
 * header: one reject and -1 with err set (MI_EXIT_DATA) naming it; else 0.
 */
int tab_twin_column(struct parse_ctx *ctx, const struct csvr_row *hdr, int idx,
		    struct mi_err *err);

/* Report a missing required header column: one reject, -1 with err set (MI_EXIT_DATA). */
int tab_missing_column(struct parse_ctx *ctx, const struct csvr_row *hdr, const char *col,
		       struct mi_err *err);

#endif
