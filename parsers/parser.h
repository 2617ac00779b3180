/*
 * parser: the interface every input format implements, and the output side
 * they all share (entity files and rejects).
 *
 * A parser reads one input (a landed body or a file given on the command
 * line) as a stream and emits normalized records (records.h) through
 * parse_emit(), and unusable records through parse_reject().  A bad record
 * never stops the input: the parser rejects it and goes on.  A parser returns
 * -1 only when the input cannot be read at all (it then also records that as
 * one reject) or when output fails (disk full: err says so).
 *
 * Adding a format: write parsers/<format>.c defining a `const struct parser`,
 * add it to the table in parsers/registry.c, add fixtures under
 * fixtures/parse/<format>/ (input + .expected twins, error twins), and the
 * golden runner picks them up.
 */
#ifndef MI_PARSER_H
#define MI_PARSER_H

#include "config.h"
#include "err.h"
#include "filelimits.h"
#include "records.h"

#include <stdio.h>

/* Where the records go: one file per entity in a directory, opened lazily. */
struct parse_out {
	char *dir;
	FILE *fp[REC_E_COUNT];
	char *vbuf[REC_E_COUNT];      /* each file's stdio buffer when not stdio's own */
	long long count[REC_E_COUNT]; /* records written, per entity */
};

/* Open an output set in dir (created if missing); append to existing files when append. */
int parse_out_open(struct parse_out *out, const char *dir, int append, struct mi_err *err);
/* Flush, fsync and close every file; -1 (err set) on a write error. */
int parse_out_close(struct parse_out *out, struct mi_err *err);

/*
 * What one file may still cost while it is parsed (filelimits.h): the input
 * stream counts its decompressed bytes and the rows written are counted by
 * parse_emit() and parse_reject(), which also look at the CPU time now and
 * then.  Over a limit, reads fail and parse_emit()/parse_reject() return -1
 * with err set, so the parser stops; parse_run then takes the file's rows
 * back and rejects the file with the reason in why.
 */
enum parse_limit { PARSE_LIMIT_NONE, PARSE_LIMIT_BYTES, PARSE_LIMIT_ROWS, PARSE_LIMIT_CPU };

struct parse_guard {
	struct mi_limits lim;
	long long bytes;     /* decompressed bytes read */
	double cpu0;         /* the thread's CPU seconds when the file started */
	unsigned tick;       /* rows since the last look at the CPU time */
	int hit;             /* enum parse_limit: the limit that stopped the file */
	char why[256];       /* the file's reject reason once hit */
};

/* Start counting for one file under lim. */
void parse_guard_start(struct parse_guard *g, const struct mi_limits *lim);
/* Add n bytes read; 1 (and g->hit) when over max_bytes or cpu_seconds now. */
int parse_guard_read(struct parse_guard *g, size_t n);

struct parse_ctx {
	/* set by the caller */
	const char *source;        /* source id ("maui-rpt-sales", "airbnb-hawaii") */
	const char *format;        /* format name */
	const char *file;          /* input path, for messages and rejects */
	char landing_hash[65];     /* SHA-256 hex of the input bytes ("" unknown) */
	int county;                /* the source's county 1-4, 0 unknown */
	const char *snapshot_date; /* YYYY-MM-DD the input was fetched/scraped, or NULL */
	const struct mi_config *rules; /* the source's config (column maps, XPath rules), or NULL */
	struct parse_out *out;
	long long max_rejects;     /* stop emitting reject rows past this many (0: no limit) */
	struct parse_guard *guard; /* the file's limits, or NULL for none */

	/* kept by parse_emit/parse_reject */
	long long read;            /* records seen (emitted + rejected) */
	long long emitted;
	long long rejected;
	int write_failed;
};

/*
 * Fill the provenance columns of row (source, landing hash, line, offset,
 * path) and write it to its entity's file.  A value refused by rec_set (bad
 * UTF-8, NUL) should have been turned into a reject by the parser already; a
 * row out of range (parse_check_row) is written as a reject instead, its
 * excerpt the row's key values.  Returns 0, or -1 on a write error or a file
 * over its limits (err set; the parser should stop).
 */
int parse_emit(struct parse_ctx *ctx, struct rec_row *row, long long line, long long offset,
	       const char *path, struct mi_err *err);
/* parse_emit for a row its parser already passed through parse_check_row (checked once). */
int parse_emit_checked(struct parse_ctx *ctx, struct rec_row *row, long long line,
		       long long offset, const char *path, struct mi_err *err);

/*
 * For a parser's fast path, which writes whole lines itself: the start every
 * row of ctx begins with (its source and landing hash, escaped and
 * tab-terminated as parse_emit writes them) into buf; returns its length, 0
 * when it does not fit size.
 */
size_t parse_row_prefix(struct parse_ctx *ctx, char *buf, size_t size);
/*
 * Write one finished line (ending in a newline) of entity e, whose columns
 * the caller built as parse_emit would have, checks included; the file's
 * limits apply as to parse_emit.  Returns 0, or -1 (err set).
 */
int parse_emit_line(struct parse_ctx *ctx, enum rec_entity_id e, const char *line, size_t len,
		    struct mi_err *err);

/*
 * Record a reject: where (line, byte offset, XPath/JSON path; unknown: 0, -1,
 * NULL), why (a short lowercase reason, e.g. "bad TMK: too few digits"), and
 * an excerpt of the raw bytes (cut to 200 bytes and made valid UTF-8).
 * Returns 0, or -1 on a write error.
 */
int parse_reject(struct parse_ctx *ctx, long long line, long long offset, const char *path,
		 const char *reason, const char *excerpt, size_t excerpt_len, struct mi_err *err);

/*
 * The ranges a record's values must keep (parsers/checks.c: no negative
 * amount, coordinates on Earth and, for parcels, in Hawaii, a rating within
 * its scale, ids that are not numbers in scientific notation, a stay date in
 * its snapshot's window, ...).  Returns 1 with a precise reason in why when
 * one is out ("rating 11 is above its scale of 10"), else 0.  parse_emit()
 * applies it and turns a failing row into a reject; a parser that can show
 * the raw record calls it first and rejects with that excerpt.
 */
int parse_check_row(const struct rec_row *row, char *why, size_t size);

/* Counts a record as read; parsers call it once per input record they consider. */
#define parse_count(ctx) ((ctx)->read++)

struct parser {
	const char *name;    /* "insideairbnb-calendar" */
	const char *summary; /* one line for --list-formats */
	/* the entities it writes, for --list-formats ("pricing") */
	const char *entities;
	int (*parse)(struct parse_ctx *ctx, FILE *in, struct mi_err *err);
};

/* The registry (parsers/registry.c). */
const struct parser *parser_find(const char *name);
/* 1 when a format of that name is registered (source_format_known in source.h). */
int parser_known(const char *name);
const struct parser *const *parser_all(void);

/*
 * Open path for reading: a zip archive's first member (stored or deflated;
 * Maui publishes its sales file as a zip), gzip content (by magic bytes, not
 * by name), or the plain bytes.  The returned FILE reads the decompressed
 * stream; a compressed stream that ends early is a read error (ferror), not a
 * quiet end of file, and so is a stream over guard's limits (guard may be
 * NULL).  NULL with err set on failure.
 */
FILE *parse_open_input(const char *path, struct parse_guard *guard, struct mi_err *err);

/* The most attributes an XML/HTML element of ctx's file may have (0: no limit). */
long long parse_max_attributes(const struct parse_ctx *ctx);

#endif
