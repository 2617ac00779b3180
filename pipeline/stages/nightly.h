/*
 * nightly: the orchestration behind mi-run.
 *
 * A run is one run id, every selected source taken through
 * fetch -> parse -> score -> load, then compset and leads once.  Each stage
 * is its own binary, started as a child process (spawn.h) with its log in
 * <work>/<run>/logs/; a failing source is recorded and the others go on.
 *
 * One run at a time: the run holds the session advisory lock
 * etl.run_lock_key() on its own connection for its whole life.  The lock
 * dies with the connection, so a run killed by any means (SIGKILL, a reboot)
 * leaves no stale lock behind, and its stages die with it (PDEATHSIG).
 * A second run started meanwhile exits with MI_EXIT_BUSY and names the
 * holder.
 *
 * Run ids: "nightly-YYYYMMDD" (the run date) for nightly runs, so that a
 * run killed in the middle and started again the same day continues the
 * same run: fetch skips what landed, parse is deterministic, load skips
 * files already merged and every merge is keyed.  Backfills are
 * "backfill-FROM-TO" (plus the sources), resumable the same way; they
 * re-parse and re-load what the landing store holds for each day's nightly
 * run, fetching only days that never landed (for sources whose URL takes a
 * date) or everything with refetch.  A backfill rebuilds the past: compset
 * runs as of its last day, but the lead queue is today's, so leads score it
 * (as of today) only when the range reaches today, never as of a past date.
 *
 * Every stage binary records what it did in its own etl.stage_results row
 * (ledger.h); mi-run reads each stage's result from that row, never from the
 * stage's log, and closes the row itself only when the stage could not (it
 * was killed, or never started).  The summary (per source and stage: status,
 * rows in and out, rejects, seconds; new leads) is printed to the given
 * stream and stored in etl.runs.summary; each stage shows once (the second
 * pass of compset and leads, when leads made new leads, is added to their
 * rows).
 *
 * Workers (o->worker): a nightly run shared by the hosts that run it at
 * once.  The night is a set of work items in PostgreSQL (workq.h): each
 * worker plans them when they are missing, then claims the next ready item
 * (a source's parse after its fetch, its score after its parse, its load
 * after its score and the load of every source before it; compset after
 * every load; leads, and the second pass of compset and leads when it made
 * new leads, after compset), runs it, and goes on until every item is done;
 * then it prints the night's summary, read from the ledger, and closes the
 * run.  Workers share the landing store (checked at start: MI_EXIT_CONFIG
 * when this host cannot see what others fetched) but each has its own work
 * folder: a worker that takes over a source's score or load parses (and
 * scores) it again into its own folder first.  Workers hold the run lock
 * shared: a one-host run waits for them, and they for it.
 *
 * Exit code: MI_EXIT_OK when every stage succeeded; otherwise the code of
 * the most severe failure (database, internal, I/O, configuration, network,
 * data, in that order), or MI_EXIT_PARTIAL when some stage failed with
 * another code.  MI_EXIT_BUSY when another run holds the lock.
 */
#ifndef MI_NIGHTLY_H
#define MI_NIGHTLY_H

#include "err.h"

#include <stddef.h>
#include <stdio.h>

enum nightly_mode { NIGHTLY_RUN, NIGHTLY_BACKFILL };

struct nightly_opts {
	enum nightly_mode mode;
	const char *run_id;      /* NULL: derived from the date(s) */
	const char *date;        /* nightly run date YYYY-MM-DD (NULL: today, UTC) */
	const char *date_from;   /* backfill range, inclusive */
	const char *date_to;
	/* NULL: found as runcfg.h says ($CONFIGURATION_DIRECTORY, $STATE_DIRECTORY,
	 * $LOGS_DIRECTORY, pipeline.ini [paths]) */
	const char *config_dir;  /* config/ (sources/, leads.ini, compset.ini, pipeline.ini) */
	const char *landing_dir; /* landing store */
	const char *work_dir;    /* entity files and stage logs: <work>/<run>/... */
	const char *bin_dir;     /* where the stage binaries are */
	const char *const *only; /* --source filters */
	size_t nonly;
	const char *conninfo;    /* NULL: libpq's environment */
	double max_reject_share; /* handed to mi-load */
	int dry_run;             /* print the plan, run nothing, take no lock */
	int progress;            /* 1: progress line on stderr (a terminal) */
	int skip_fetch;          /* nightly: use what landed, fetch nothing */
	int refetch;             /* backfill: fetch every day again */
	int local_fetch;         /* mi-fetch --local (no shared queue) */
	int worker;              /* nightly: one of the hosts sharing the night (see above) */
	long long lease_ms;      /* worker: the lease of a claimed item (0: 60 s) */
};

/* Run it; returns an exit code (see above).  err is set when it is not 0. */
int nightly_run(const struct nightly_opts *o, FILE *summary, struct mi_err *err);

#endif
