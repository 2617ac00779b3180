/*
 * ledger: the run ledger in etl.runs and etl.stage_results, for every stage
 * binary and for mi-run.
 *
 * A stage run alone (mi-load --run ID) creates its run row when missing
 * (kind 'manual') and finishes it; under mi-run the run row exists already
 * and is left to mi-run.  Each stage and source has one stage_results row per
 * run (unique (run_id, stage, source)); running the stage again on the same
 * run id increments its attempt and overwrites its counts.
 *
 * Every function runs its statements outside any caller transaction when
 * conn is idle, so the ledger survives a rolled-back batch; 0 or -1 with err.
 */
#ifndef MI_LEDGER_H
#define MI_LEDGER_H

#include "err.h"

#include <libpq-fe.h>

struct ledger_counts {
	long long files, bytes;
	long long read, inserted, updated, unchanged, skipped, rejected;
};

/* Create run run_id (kind: nightly, backfill, manual, test) if missing; *created says if it did. */
int ledger_run_begin(PGconn *conn, const char *run_id, const char *kind, int *created,
		     struct mi_err *err);
/* Close run run_id: status succeeded, partial, failed or aborted; error may be NULL. */
int ledger_run_finish(PGconn *conn, const char *run_id, const char *status, int exit_code,
		      const char *error, struct mi_err *err);

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

#endif
