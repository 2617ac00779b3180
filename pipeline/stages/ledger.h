/*
 * ledger: the run ledger in etl.runs and etl.stage_results; the only code
 * that writes those two tables (tests/t0911 checks that nothing else does).
 *
 * The contract between stages.  Each stage binary opens its own
 * stage_results row when it starts (ledger_stage_open), may update its
 * counts while it works, and closes it when it exits (ledger_stage_close)
 * with its counts in and out, unchanged and rejected, status, exit code,
 * seconds and its own summary as a JSON object.  mi-run learns what a stage
 * did from that row (ledger_stage_reap, ledger_stage_read), never from the
 * stage's log; a stage that died before closing its row (a signal, a time
 * limit) gets it closed by mi-run from the exit status it saw.
 *
 * The run id of a stage's row: MI_RUN_ID when mi-run started it, else the
 * stage's own --run (ledger_run_of).  A stage run alone creates its run row
 * when missing (kind 'manual') and closes it at its exit; under mi-run the
 * run row exists already and is left to mi-run.  Each stage and source has
 * one stage_results row per run (unique (run_id, stage, source)); running
 * the stage again on the same run id increments its attempt and overwrites
 * its counts.
 *
 * Every function returns 0, or -1 with err (those returning void log a
 * warning instead: a ledger that cannot be written does not stop a stage).
 */
#ifndef MI_LEDGER_H
#define MI_LEDGER_H

#include "err.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <time.h>

struct ledger_counts {
	long long files, bytes;
	long long read, out, inserted, updated, unchanged, skipped, rejected;
};

/* ------------------------------------------------------------------ runs */

/* The ledger run id of a stage: $MI_RUN_ID when set and not empty, else own (may be NULL). */
const char *ledger_run_of(const char *own);

/* Create run run_id (kind: nightly, backfill, manual, test) if missing; *created says if it did. */
int ledger_run_begin(PGconn *conn, const char *run_id, const char *kind, int *created,
		     struct mi_err *err);

/* What mi-run records of the run it starts. */
struct ledger_run_info {
	const char *kind;               /* nightly or backfill */
	const char *date_from, *date_to;
	const char *const *sources;     /* the --source filters (may be none) */
	size_t nsources;
	const char *code_version;
};

/*
 * Create run run_id, or start it again (status running, finished_at, error
 * and exit code cleared; host, pid and user replaced) when it exists.
 */
int ledger_run_start(PGconn *conn, const char *run_id, const struct ledger_run_info *info,
		     struct mi_err *err);

/*
 * Close run run_id: status succeeded, partial, failed or aborted; summary_json
 * (a JSON object text) may be NULL to leave the summary as it is; error may be
 * NULL.
 */
int ledger_run_finish(PGconn *conn, const char *run_id, const char *status, int exit_code,
		      const char *summary_json, const char *error, struct mi_err *err);

/*
 * Under the run lock: close every other nightly or backfill still running as
 * abandoned (etl.mark_abandoned_runs); returns the result (run_id, host, pid,
 * started) to PQclear, or NULL with err.
 */
PGresult *ledger_mark_abandoned(PGconn *conn, const char *by, struct mi_err *err);

/* ---------------------------------------------------- a stage's own row */

/* Open (or reopen, attempt + 1) the stage_results row of (run_id, stage, source). */
int ledger_stage_begin(PGconn *conn, const char *run_id, const char *stage, const char *source,
		       struct mi_err *err);
/*
 * Record counts and status (running, succeeded, partial, failed, skipped) of the
 * stage row; detail_json is a JSON object text or NULL; error may be NULL.
 */
int ledger_stage_update(PGconn *conn, const char *run_id, const char *stage, const char *source,
			const char *status, const struct ledger_counts *c,
			const char *detail_json, const char *error, struct mi_err *err);

/* A stage binary's row from its start to its exit. */
struct ledger_stage {
	PGconn *conn;            /* NULL: no ledger (no run id) */
	int own_conn;            /* conn was opened by ledger_stage_open */
	int created_run;         /* the run row was made for this stage alone */
	char run_id[80];
	char stage[16];
	char source[96];         /* "" for a whole-stage row */
	struct timespec t0;
};

/*
 * Open the row of (run_id, stage, source), source NULL for a whole stage,
 * on conn or (conn NULL) a connection of its own to conninfo (NULL: libpq's
 * environment).  run_id NULL: no ledger at all (a stage run by hand without a
 * run id), every other ledger_stage_* call then does nothing.  When the row
 * cannot be written the stage goes on without it (a warning; mi-run closes
 * it from the exit status) unless required is set: then -1 with err.
 */
int ledger_stage_open(struct ledger_stage *ls, PGconn *conn, const char *conninfo,
		      const char *run_id, const char *stage, const char *source, int required,
		      struct mi_err *err);

/*
 * Close the row: status from exit_code (0 succeeded, MI_EXIT_PARTIAL partial,
 * anything else failed), exit code, seconds since it opened, error (NULL: the
 * exit code's name when it failed), counts (NULL: those the stage recorded
 * with ledger_stage_update) and detail_json (merged into the row's detail;
 * NULL: none).  A transaction the stage left open on conn is rolled back
 * first.  Closes the run too when it was made for this stage, and the
 * connection when it is the ledger's own.  Returns exit_code, or
 * MI_EXIT_DATABASE when the row must be written (required) and could not be.
 */
int ledger_stage_close(struct ledger_stage *ls, int exit_code, const struct ledger_counts *c,
		       const char *detail_json, const char *error);
/* ledger_stage_close with the status given (a fetch that landed too few items fails, exit 1) */
int ledger_stage_close_as(struct ledger_stage *ls, const char *status, int exit_code,
			  const struct ledger_counts *c, const char *detail_json, const char *error);

/* ------------------------------------------------------ mi-run's reading */

/* What a stage's row says. */
struct ledger_row {
	int found;
	int attempt;
	char status[16];
	int exit_code;           /* -1: none recorded */
	double seconds;
	long long in, out, unchanged, rejected;
	char error[480];
	char *detail;            /* JSON object text (malloc'd) or NULL */
};

/* The attempt number of the row (0: no row yet). */
int ledger_stage_attempt(PGconn *conn, const char *run_id, const char *stage,
			 const char *source, int *attempt, struct mi_err *err);

/*
 * After the stage process of (run_id, stage, source) ended with exit_code after
 * seconds: when it never opened its row (the attempt is still attempt_before)
 * the row is written now, as a new attempt; when it left it running (it was
 * killed), it is closed with exit_code.  note (may be NULL) is the error
 * recorded then.  A row the stage closed itself is left as it is (one
 * mi-fetch closes the rows of several sources, each with its own status).
 */
int ledger_stage_reap(PGconn *conn, const char *run_id, const char *stage, const char *source,
		      int attempt_before, int exit_code, double seconds, const char *note,
		      struct mi_err *err);

/*
 * A stage mi-run decided not to start (status skipped, exit_code -1) or could
 * not start (status failed with exit_code): its row, as a new attempt.
 */
int ledger_stage_record(PGconn *conn, const char *run_id, const char *stage, const char *source,
			const char *status, int exit_code, const char *note, struct mi_err *err);

/* Read the row; row->found 0 when there is none.  Release it with ledger_row_release. */
int ledger_stage_read(PGconn *conn, const char *run_id, const char *stage, const char *source,
		      struct ledger_row *row, struct mi_err *err);
void ledger_row_release(struct ledger_row *row);

/* succeeded, partial or failed, as a stage's exit code says */
const char *ledger_status_of(int exit_code);

#endif
