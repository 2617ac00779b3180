/*
 * fetchrun: one mi-fetch run, the pipeline entry point behind cmd/mi-fetch.
 *
 * Reads the sources (config/sources/<id>.ini), queues each enabled source's
 * first page for the run, then fetches with the engine (fetch.h) into the
 * landing store (landing.h), appending every finished request to the run's
 * manifest and following pagination.
 *
 * Two queues:
 *  - shared (default): the queue and HTTP state live in PostgreSQL
 *    (fetchq.h); any number of workers may run the same run id at once, and
 *    each returns when the whole run is finished (it waits for items other
 *    workers hold until they finish or their lease expires);
 *  - local (opts.local): one process; the manifest is the queue (a re-run
 *    skips what it records as done and follows its "next" links), and HTTP
 *    validators are kept in <landing>/fetch-state.jsonl.
 *
 * Either way, re-running a run id continues where it stopped and fetches
 * nothing already landed.  Failed and parked items are final for the run
 * unless opts.retry_failed.
 *
 * Returns 0 with sum filled, or -1 with err (config, database, landing I/O).
 * Per-request failures are counted in sum, not errors; so are a full page
 * whose next link resolves to nothing (a warning, also in the manifest) and a
 * source whose pages hold fewer than its expected_min_items items
 * (short_sources: the source failed).
 */
#ifndef MI_FETCHRUN_H
#define MI_FETCHRUN_H

#include "err.h"

#include <stddef.h>

struct fetchrun_opts {
	const char *run_id;
	const char *landing_dir;
	const char *sources_dir;     /* config/sources */
	const char *const *only;     /* --source filters (NULL: every enabled source) */
	size_t nonly;
	const char *date;            /* run date YYYY-MM-DD for URL patterns (NULL: today, UTC) */
	int max_inflight;            /* transfers in flight in all */
	int local;                   /* 1: no database */
	const char *conninfo;        /* NULL: libpq environment */
	int lease_s;                 /* shared queue lease */
	long budget_s;               /* the run must end within this (0: no limit) */
	int politeness;              /* 0: benchmarks only */
	int retry_failed;
	int dry_run;                 /* print the first URLs, fetch nothing */
	int no_fsync;                /* benchmarks only */
	long backoff_base_ms;        /* 0: default */
	const char *user_agent;      /* NULL: default */
	const char *ca_file;         /* CA bundle replacing the system one (TLS is always verified) */
};

#define FETCHRUN_MAX_WARNINGS 16

struct fetchrun_summary {
	long long landed, new_bodies, not_modified, failed, robots, parked, skipped;
	long long requests, retries, bytes;
	double seconds;
	/* "source: ..." for a full page that ends pagination and for a source below
	 * its expected_min_items (the first FETCHRUN_MAX_WARNINGS of nwarnings) */
	char warnings[FETCHRUN_MAX_WARNINGS][640];
	int nwarnings;
	long long short_sources; /* sources below expected_min_items: failed */
};

int fetchrun(const struct fetchrun_opts *o, struct fetchrun_summary *sum, struct mi_err *err);

#endif
