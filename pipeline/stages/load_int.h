/*
 * load_int: what the pieces of the load share; not for use outside them.
 *
 *   load.c          the line checks, the streaming of a file into COPY, the
 *                   generic per-file load (staging, merge, bisection) and
 *                   load_dir
 *   load_rejects.c  rejects collected in memory, written with the file's batch
 *   load_copybin.c  the binary COPY encoder of the canonical values records.h
 *                   writes
 *   load_pricing.c  the pricing fast path: a new snapshot built apart by
 *                   parallel COPY streams and attached
 *
 * The merge scripts they run are sqlscript.h's.  Ownership: a struct
 * load_file borrows its options and entity and owns its rejects.
 */
#ifndef MI_LOAD_INT_H
#define MI_LOAD_INT_H

#include "load.h"
#include "records.h"
#include "strbuf.h"

#include <libpq-fe.h>

#define LOAD_CHUNK (4u << 20) /* file read size */

/* ---- rejects (load_rejects.c) ---- */

struct load_rej {
	long long rn;           /* staging row number, 0 when the line never got there */
	long long line, offset; /* in the .tsv file (0 / -1 unknown) */
	long long src_line, src_offset;
	char *code, *reason, *excerpt, *landing_hash, *src_path;
};

/* At most a fixed number are stored per file; total counts them all. */
struct load_rejlist {
	struct load_rej *v;
	size_t n, alloc;
	long long total;
};

/*
 * Count a reject and store it (the excerpt cut to a bounded length at a
 * UTF-8 boundary; excerpt may be NULL).  Returns 0, or -1 when out of memory.
 */
int load_rej_add(struct load_rejlist *l, long long line, long long offset, const char *code,
		 const char *reason, const char *excerpt, size_t excerpt_len);
/* Keep the first n stored rejects and set the total. */
void load_rejlist_truncate(struct load_rejlist *l, size_t n, long long total);
void load_rejlist_release(struct load_rejlist *l);

/* ---- one entity file (load.c) ---- */

struct load_file {
	const struct load_opts *o;
	const struct rec_entity *e;
	char path[4096];
	char name[256];
	char sha[65];
	long long bytes, lines;
	struct load_counts c; /* this file */
	long long db_rejects; /* rows the database refused (found by bisection) */
	struct load_rejlist rejs;
};

/* Insert the file's stored rejects into etl.rejects (stage stage). 0 or -1. */
int load_rejects_write(PGconn *conn, struct load_file *fc, const char *stage, struct mi_err *err);

/* Record the file in etl.loaded_files (not rejects.tsv). 0 or -1. */
int load_record_file(PGconn *conn, struct load_file *fc, struct mi_err *err);

/* COMMIT, or ROLLBACK under --dry-run. 0 or -1. */
int load_finish_tx(PGconn *conn, const struct load_opts *o, struct mi_err *err);

/*
 * Stream lines [from, to) of path (byte offsets at line starts; first line
 * number first_line; to -1: the end) into the COPY in progress on conn.
 * keep (may be NULL) says which fields to send; bad lines go to rejs.  sent
 * counts the rows.  Safe to run in a thread of its own: it touches nothing
 * but the job.
 */
struct load_stream {
	const char *path;
	int ncols;
	const unsigned char *keep;     /* NULL: the whole line */
	const struct rec_column *cols; /* with keep: the types, for binary COPY */
	int binary;                    /* send COPY binary tuples of the kept fields */
	int nkeep;
	unsigned char btype[REC_MAX_COLS]; /* load_copybin_type() of each column */
	int fallback;                  /* a value binary cannot carry: use the merge path */
	long long from, to, first_line;
	PGconn *conn;
	struct load_rejlist rejs;
	long long sent;
	struct mi_err err;
	int ret;
};

/* Returns 0, or -1 with j->err set; j->ret holds the same. */
int load_stream_run(struct load_stream *j);

/* ---- binary COPY (load_copybin.c) ---- */

/* The binary type of a records.h column type; 0 when binary cannot carry it. */
unsigned char load_copybin_type(const char *pgtype);

/* Append the signature, flags and header extension.  0, or -1 out of memory. */
int load_copybin_header(struct strbuf *out);

/* Append the trailer.  0, or -1 out of memory. */
int load_copybin_trailer(struct strbuf *out);

/*
 * Append one COPY text line of ncols fields as a binary tuple of the nkeep
 * fields keep[] marks, each as type[] says.  Returns 0; 1 when a value cannot
 * be carried in binary (out is left as it was; *bad is the column, *bad_at and
 * *bad_len the value's place in line); -1 when out of memory.
 */
int load_copybin_row(struct strbuf *out, const char *line, size_t len, int ncols,
		     const unsigned char *keep, const unsigned char *type, int nkeep, int *bad,
		     size_t *bad_at, size_t *bad_len);

/* ---- the pricing fast path (load_pricing.c) ---- */

/*
 * Returns 1 when the fast path loaded the file, 0 when it does not apply (the
 * caller takes the merge path), -1 on error.
 */
int load_pricing_fast(PGconn *conn, struct load_file *fc, struct mi_err *err);

#endif
