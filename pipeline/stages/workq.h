/*
 * workq: the work items of a night shared between hosts (etl.work_items,
 * sql/046_work_items.sql), for mi-run nightly --worker.
 *
 * Each (source, stage) of a run is one item; workq_plan() adds them (every
 * worker may: the plan of a run is made once), workq_claim() hands out the
 * next item whose predecessors are finished, in the night's order, with
 * FOR UPDATE SKIP LOCKED, and workq_finish() marks it done.
 *
 * Leases.  A worker holds a session advisory lock (1835628395, its key) on
 * its connection for its whole life, and renews the lease of the items it
 * runs from a thread of its own with a second connection, every third of the
 * lease.  An item still running whose lease expired is taken over only when
 * that lock is free: its worker's session ended (the process died, or the
 * server cut the connection of a dead host: the session's TCP keepalives are
 * set from the lease).  A live worker slowed down by a loaded machine never
 * loses its item, so a short lease is safe.
 *
 * Functions return 0 (workq_claim: 1 when it claimed, 0 when nothing is
 * ready) or -1 with err (MI_EXIT_DATABASE).
 */
#ifndef MI_WORKQ_H
#define MI_WORKQ_H

#include "err.h"

#include <libpq-fe.h>
#include <stddef.h>

#define WORKQ_LOCK_CLASS 1835628395 /* "miwk": first key of the workers' advisory locks */

struct workq;

struct workq_item {
	char stage[16];
	char source[96];   /* "" for compset and leads */
	int seq;
	int attempts;      /* this claim is the attempts-th */
};

/* one planned item */
struct workq_plan_item {
	const char *stage;
	const char *source; /* NULL for compset and leads */
	int seq;
};

/*
 * A worker of run run_id on conn (kept by the caller; it holds the worker's
 * lock and makes the claims); conninfo (NULL: libpq's environment) opens the
 * heartbeat's connection; lease_ms the lease of a claim.
 */
struct workq *workq_open(PGconn *conn, const char *conninfo, const char *run_id,
			 long long lease_ms, struct mi_err *err);
void workq_close(struct workq *q);

/* "host:pid" */
const char *workq_worker(const struct workq *q);

/* Add the items of the plan that are missing (one transaction). */
int workq_plan(struct workq *q, const struct workq_plan_item *items, size_t n,
	       struct mi_err *err);

/*
 * Claim the next ready item into it; local (n of them) are the sources whose
 * entity files this worker has: their items come first.
 */
int workq_claim(struct workq *q, const char *const *local, size_t nlocal,
		struct workq_item *it, struct mi_err *err);

/*
 * Mark it done with outcome (succeeded, partial, failed, skipped) and exit
 * code (-1: none).  *lost (may be NULL) is set when the claim was no longer
 * this worker's (it was taken over): nothing is changed then.
 */
int workq_finish(struct workq *q, const struct workq_item *it, const char *outcome,
		 int exit_code, int *lost, struct mi_err *err);

/* Items of the run not done yet. */
int workq_open_items(struct workq *q, long long *open, struct mi_err *err);

/* Wait until another worker finishes an item, or at most seconds. */
void workq_wait(struct workq *q, double seconds);

/*
 * The landing store at landing is the one other hosts fetched into: each of
 * the last bodies the shared fetch queue records as landed (at most 50) is a
 * file of the store.  0 when it is (or nothing was fetched yet); -1 with err
 * (MI_EXIT_CONFIG) naming what is missing, or MI_EXIT_DATABASE.
 */
int workq_landing_check(PGconn *conn, const char *landing, struct mi_err *err);

#endif
