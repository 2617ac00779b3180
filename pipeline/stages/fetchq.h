/*
 * fetchq: the shared fetch queue and HTTP state in PostgreSQL (etl schema),
 * so that several mi-fetch processes, on one host or several, split a run's
 * work without fetching anything twice.
 *
 * Tables: etl.fetch_queue, etl.fetch_state and etl.host_state (004_etl.sql,
 * plus the page column of 030_fetch.sql).  The run id is etl.runs.run_id (text).
 *
 * A queue item is one URL of one run: queued -> leased (by a worker, until
 * lease_until) -> done, skipped (robots.txt), parked or failed.  Claims use
 * FOR UPDATE SKIP LOCKED; an item whose lease expired (its worker was
 * killed) is claimable again, and its attempts (claims) count tells the new
 * worker to look in the manifest first.  An item lost max_attempts times is
 * failed.  Finishing
 * an item, saving its HTTP validators (etl.fetch_state) and queueing the
 * next page happen in one transaction.
 *
 * Every function returns 0 (or a count) on success and -1 with err (class
 * MI_EXIT_DATABASE, the statement as detail) on failure.  Strings in a
 * struct fetchq_item are owned by the item (fetchq_items_free).
 */
#ifndef MI_FETCHQ_H
#define MI_FETCHQ_H

#include "err.h"

#include <stddef.h>

struct fetchq; /* opaque: a connection and the worker's identity */

/* Connect through libpq's environment (or conninfo) as worker worker_id. */
struct fetchq *fetchq_open(const char *conninfo, const char *worker_id, struct mi_err *err);
void fetchq_close(struct fetchq *q);

/* Register run_id in etl.runs (kind 'manual') unless mi-run already did. */
int fetchq_register_run(struct fetchq *q, const char *run_id, struct mi_err *err);

/* Queue url as page page of source for run (no-op when already queued); 1 added, 0 not. */
int fetchq_enqueue(struct fetchq *q, const char *run_id, const char *source_id, const char *url,
		   int page, struct mi_err *err);

/* Failed and parked items of the run are queued again (--retry-failed); the count. */
long long fetchq_retry_failed(struct fetchq *q, const char *run_id, struct mi_err *err);

struct fetchq_item {
	long long id;
	char *source_id;
	char *url;
	int page;
	int claims;        /* 1 on the first claim; more after a lease expired */
	char *etag;        /* validators from fetch_state, or NULL */
	char *last_modified;
	char *last_sha256;
};

/*
 * Claim up to limit items of run (of the listed sources only, when nsources
 * > 0) for lease_s seconds.  *items gets a malloc'd array (free with
 * fetchq_items_free).  Returns the count, or -1.
 */
int fetchq_claim(struct fetchq *q, const char *run_id, const char *const *sources,
		 size_t nsources, int limit, int lease_s, struct fetchq_item **items,
		 struct mi_err *err);
void fetchq_items_free(struct fetchq_item *items, int n);

/* Extend the lease of everything this worker holds in run. */
int fetchq_renew(struct fetchq *q, const char *run_id, int lease_s, struct mi_err *err);

/* How an item ended, for fetchq_finish. */
struct fetchq_done {
	long long id;
	const char *run_id;
	const char *source_id;
	const char *url;
	const char *outcome; /* manifest outcome name: landed and not_modified make the item
			      * done, robots skipped, parked parked, failed failed */
	int status;
	const char *sha256, *etag, *last_modified; /* NULL when none */
	long long size;
	const char *error;
	const char *next_url; /* the next page to queue, or NULL */
	int next_page;
};

/*
 * In one transaction: mark the item done/failed (only if this worker still
 * holds it), save the URL's validators and last hash, queue the next page.
 * Returns 1 when the item was still ours, 0 when another worker had
 * reclaimed it (nothing changed), -1 on error.
 */
int fetchq_finish(struct fetchq *q, const struct fetchq_done *d, struct mi_err *err);

/*
 * Park host (lowercase name, no port) for seconds in etl.host_state, so that
 * no worker claims its items until then (reason is kept for people).
 */
int fetchq_park_host(struct fetchq *q, const char *host, long seconds, const char *reason,
		     struct mi_err *err);

/*
 * Reserve the next request start on host (lowercase name, no port) spaced
 * interval_ms after the previous reservation of any worker
 * (etl.host_state.next_allowed_at).  *delay_s gets the wait until our turn.
 */
int fetchq_reserve_host(struct fetchq *q, const char *host, int interval_ms, double *delay_s,
			struct mi_err *err);

/* Items of run waiting for a parked host (left queued for a later run). */
long long fetchq_parked_waiting(struct fetchq *q, const char *run_id, struct mi_err *err);

/* Items of run not finished (queued for a host that is not parked, or leased by a live
 * worker), for the listed sources. */
long long fetchq_outstanding(struct fetchq *q, const char *run_id, const char *const *sources,
			     size_t nsources, struct mi_err *err);

#endif
