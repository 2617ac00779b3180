/*
 * load: put the entity files that mi-parse and mi-score wrote (records.h, COPY
 * text) into PostgreSQL, fast and idempotently.
 *
 * For each DIR/<entity>.tsv, in dependency order (properties, owners, sales,
 * listings, reviews, pricing, rejects):
 *
 *  1. the file's SHA-256 is computed; a file already recorded in
 *     etl.loaded_files for that entity is skipped whole (its rows count as
 *     skipped);
 *  2. every line is checked on the way (field count, UTF-8, no NUL byte, only
 *     the four COPY escapes): a bad line becomes a reject (etl.rejects, stage
 *     load, with file, line, byte offset and reason) and is not sent;
 *  3. the good lines are streamed unchanged with COPY into a temporary
 *     all-text staging table whose columns come from records.h, and the
 *     set-based merge statements of SQLDIR/load/<entity>.sql move them into
 *     the target tables (typed there).  A row the database refuses (a bad date,
 *     a failed CHECK) is found by bisecting the batch under savepoints and
 *     becomes a reject with the server's message; the rest loads;
 *  4. the merge, the rejects, the loaded_files row and the stage counts commit
 *     in ONE transaction per file: a load killed at any point leaves the
 *     database as it was before that file.
 *
 * pricing.tsv holding one snapshot date that is not loaded yet takes the fast
 * path: the snapshot partition is built apart as a work table partitioned by
 * listing ranges that start at the streams' slices of the file, filled by
 * parallel COPY streams (one thread and connection each; provenance columns
 * cut and the rest encoded as COPY binary on the client), given its primary
 * key (de-duplicated first when the key build finds duplicates), and attached
 * in the same transaction that records the file.  A leftover work table of a
 * killed load is dropped by the next one.  A value the binary encoder cannot
 * carry, or a row the work table refuses, sends the file to the merge path:
 * pricing rows merged into their partitions (created when missing).
 *
 * After the files, listings are matched to parcels (match.h) and the manager
 * history follows the matched listings.
 *
 * Ownership: the caller owns conn and every string in struct load_opts.
 */
#ifndef MI_LOAD_H
#define MI_LOAD_H

#include "err.h"

#include <libpq-fe.h>
#include <stdio.h>

struct load_opts {
	const char *run_id;      /* etl.runs id (required) */
	const char *source;      /* source id the files come from (required) */
	const char *dir;         /* folder holding <entity>.tsv files */
	const char *date;        /* YYYY-MM-DD the files were seen (first_seen, last_seen,
				    change events); NULL: the database's today */
	const char *sqldir;      /* the sql/ folder (its load/ subfolder holds the merges) */
	const char *conninfo;    /* for the extra COPY connections of the fast path; NULL: env */
	double max_reject_share; /* fail (MI_EXIT_DATA) above this share of rejected rows */
	int dry_run;             /* check and merge everything, then roll back */
	int copy_streams;        /* parallel COPY streams for a new pricing snapshot (1-4; 0: 2) */
	int text_copy;           /* send that snapshot as COPY text, not binary */
	FILE *report;            /* one line per file and a summary; may be NULL */
};

struct load_counts {
	long long files, files_skipped, bytes;
	long long read, inserted, updated, unchanged, skipped, rejected;
	long long parse_rejects; /* rows of rejects.tsv (the parser's own rejects) */
};

/*
 * Load every entity file of o->dir.  Returns 0 when everything loaded and the
 * reject share is within o->max_reject_share; -1 with err set otherwise
 * (MI_EXIT_DATA when the share is exceeded: what was loaded stays, committed
 * file by file; MI_EXIT_DATABASE, MI_EXIT_NOINPUT, MI_EXIT_IO ...).  total
 * (may be NULL) receives the counts either way.  The caller opened the
 * (o->run_id, load, o->source) row of the ledger (ledger_stage_open): its
 * counts are updated after each file and the row is set succeeded or
 * failed here; the caller closes it with its exit code.
 */
int load_dir(PGconn *conn, const struct load_opts *o, struct load_counts *total,
	     struct mi_err *err);

/*
 * Check one COPY text line (without its newline) of an entity with ncols
 * columns.  Returns NULL when it may be sent to COPY as is, else a static
 * reason code ("field_count", "invalid_utf8", "nul_byte", "bad_escape",
 * "carriage_return").
 */
const char *load_check_line(const char *line, size_t len, int ncols);

#endif
