/*
 * csvread: a streaming CSV record reader over libcsv that knows where each
 * record came from (line and byte offset) and keeps memory bounded.
 *
 * RFC 4180 as written in the wild: quoted fields with embedded newlines and
 * CRLF, "" escapes, CRLF or LF line ends, blank lines skipped, a UTF-8 BOM at
 * the start skipped (offsets still count it).  Quoting errors are read
 * tolerantly (libcsv's non-strict mode).
 *
 * Bounds: a field longer than max_field bytes, a record longer than
 * max_record bytes or with more than max_fields fields is delivered once with
 * CSVR_F_TOOBIG (and the fields read so far) so the caller can reject it; the
 * reader then skips to the next line.  Memory stays under about max_field +
 * max_record + max_span + 3 blocks of 64 KiB whatever the input.
 *
 * Stray quotes: a quoted field that runs over a line end starts a record
 * of several lines.  From that line end on the record is read strictly
 * (RFC 4180: a quote inside it must be doubled or end the field), and its
 * raw lines are kept.  When it then breaks that rule, ends with another
 * number of fields than the header (opts->header), grows past max_span
 * bytes or a size cap, or meets the end of the input, it was a stray quote:
 * the line where it opened is delivered alone with CSVR_F_STRAY_QUOTE (or
 * CSVR_F_UNTERMINATED at the end of input) and a reason (row->why), and the
 * lines after it are read again as records of their own.  One bad quote
 * costs one line, whatever follows it.
 *
 * Speed: a whole line without a quote character, outside a multi-line
 * record, is split directly (the same fields libcsv gives: blanks around
 * unquoted fields trimmed); any other line goes through libcsv.
 *
 * The reader does not judge content: NUL bytes and invalid UTF-8 reach the
 * callback as they are (rec_set() refuses them, the caller rejects).
 *
 * Ownership: the row passed to the callback and everything it points to are
 * borrowed and valid only during the call.
 */
#ifndef MI_CSVREAD_H
#define MI_CSVREAD_H

#include "err.h"

#include <stddef.h>
#include <stdio.h>

enum csvr_flags {
	CSVR_F_TOOBIG = 1u << 0,       /* a field or the record exceeded its cap */
	CSVR_F_UNTERMINATED = 1u << 1, /* input ended inside a quoted field */
	CSVR_F_STRAY_QUOTE = 1u << 2,  /* a quoted field opened here broke over the line end */
};

#define CSVR_EXCERPT 200

struct csvr_row {
	int nfields;
	const char *const *f; /* field bytes, each NUL-terminated (may hold NULs) */
	const size_t *len;
	long long line;       /* 1-based line where the record starts */
	long long offset;     /* byte offset of the record start in the (decompressed) input */
	long long end_line;   /* line where the record ends */
	const char *raw;      /* the first raw bytes of the record, for excerpts */
	size_t raw_len;       /* <= CSVR_EXCERPT */
	unsigned flags;       /* enum csvr_flags */
	const char *why;      /* with CSVR_F_STRAY_QUOTE: the reason, else NULL */
};

/*
 * The callback: return 0 to go on, -1 to stop (the reader returns -1 and
 * leaves err as the callback set it).
 */
typedef int (*csvr_row_fn)(void *data, const struct csvr_row *row, struct mi_err *err);

struct csvr_opts {
	size_t max_field;   /* 0: 1 MiB */
	size_t max_record;  /* 0: 4 MiB */
	int max_fields;     /* 0: 1024 */
	unsigned char delim; /* 0: ',' */
	int libcsv_only;     /* 1: no fast path (tests compare both paths) */
	int header;          /* 1: the first record is a header; its width is the records' */
	size_t max_span;     /* a record over several lines: at most this many bytes
			      * after its first line (0: 64 KiB) */
};

struct csvr_stats {
	long long records;  /* records delivered */
	long long lines;    /* lines read */
	long long bytes;    /* bytes read */
};

/*
 * Read every record of in (opts may be NULL) and call fn for each.  name is
 * the input's name for messages.  Returns 0 at end of input, or -1 on a
 * read error ("cannot read 'name': ...", err->line set; for a gzip stream
 * this is also how a truncated or corrupt file shows) or when fn stopped.
 * stats may be NULL.
 */
int csvr_read(FILE *in, const char *name, const struct csvr_opts *opts, csvr_row_fn fn,
	      void *data, struct csvr_stats *stats, struct mi_err *err);

/*
 * Map header names to field indexes: for each names[i], idx[i] is the index
 * of the first field equal to it (ASCII case-insensitive, surrounding blanks
 * ignored), or -1.  Returns how many names were found.
 */
int csvr_header_map(const struct csvr_row *hdr, const char *const *names, int n, int *idx);

/*
 * Another field of the header named as field i (compared as csvr_header_map
 * compares), or -1: a column given twice, which no reader can tell apart.
 */
int csvr_header_twin(const struct csvr_row *hdr, int i);

/* The field i of row, or NULL (with *len 0) when the row is shorter. */
const char *csvr_field(const struct csvr_row *row, int i, size_t *len);

/* A short reason for a row's flags ("field too long"), or NULL when none. */
const char *csvr_flag_reason(unsigned flags);
/* The reason to reject row: row->why, else its flags' reason; NULL when none. */
const char *csvr_row_reason(const struct csvr_row *row);

#endif
