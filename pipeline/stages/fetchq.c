#include "fetchq.h"
#include "exitcode.h"
#include "ledger.h"
#include "pg.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

struct fetchq {
	PGconn *conn;
	char *worker;
};

struct fetchq *fetchq_open(const char *conninfo, const char *worker_id, struct mi_err *err)
{
	struct fetchq *q = calloc(1, sizeof(*q));

	if (!q) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	q->worker = strdup(worker_id);
	if (!q->worker) {
		free(q);
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	q->conn = mi_pg_connect("mi-fetch", conninfo, err);
	if (!q->conn) {
		free(q->worker);
		free(q);
		return NULL;
	}
	return q;
}

void fetchq_close(struct fetchq *q)
{
	if (!q)
		return;
	mi_pg_finish(q->conn);
	free(q->worker);
	free(q);
}

int fetchq_register_run(struct fetchq *q, const char *run_id, struct mi_err *err)
{
	return ledger_run_begin(q->conn, run_id, "manual", NULL, err);
}

int fetchq_enqueue(struct fetchq *q, const char *run_id, const char *source_id, const char *url,
		   int page, struct mi_err *err)
{
	static const char sql[] =
		"INSERT INTO etl.fetch_queue (run_id, source, url, page, priority)"
		"  VALUES ($1, $2, $3, $4, 100 + least($4::int, 1000)) "
		"ON CONFLICT (run_id, url) DO NOTHING";
	char pg[16];
	const char *p[4] = { run_id, source_id, url, pg };
	long long n = 0;

	snprintf(pg, sizeof(pg), "%d", page);
	if (mi_pg_command(q->conn, sql, 4, p, &n, err) < 0)
		return -1;
	return n > 0;
}

long long fetchq_retry_failed(struct fetchq *q, const char *run_id, struct mi_err *err)
{
	static const char sql[] =
		"UPDATE etl.fetch_queue SET state = 'queued', worker = NULL, lease_until = NULL,"
		"  attempts = 0, finished_at = NULL "
		"WHERE run_id = $1 AND state IN ('failed', 'parked')";
	const char *p[1] = { run_id };
	long long n = 0;

	if (mi_pg_command(q->conn, sql, 1, p, &n, err) < 0)
		return -1;
	return n;
}

/* A text[] literal for the source filter: {"a","b"}; NULL for no filter. */
static char *array_literal(const char *const *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	if (!n)
		return NULL;
	if (mi_pg_text_array(&sb, v, n) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static char *dup_val(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return strdup(PQgetvalue(r, row, col));
}

int fetchq_claim(struct fetchq *q, const char *run_id, const char *const *sources,
		 size_t nsources, int limit, int lease_s, struct fetchq_item **items,
		 struct mi_err *err)
{
	/*
	 * Like etl.claim_fetch_items(), limited to one run and its sources.
	 * attempts counts claims: above 1, an earlier worker lost the item.
	 */
	static const char sql[] =
		"WITH c AS ("
		"  SELECT q.fetch_id FROM etl.fetch_queue q"
		"  LEFT JOIN etl.host_state h ON h.host = q.host"
		"  WHERE q.run_id = $1"
		"    AND ((q.state = 'queued' AND q.next_try_at <= now())"
		"         OR (q.state = 'leased' AND q.lease_until < now()))"
		"    AND q.attempts < q.max_attempts"
		"    AND ($2::text[] IS NULL OR q.source = ANY ($2::text[]))"
		"    AND (h.host IS NULL OR h.parked_until IS NULL OR h.parked_until <= now())"
		"  ORDER BY q.priority, q.fetch_id LIMIT $3"
		"  FOR UPDATE OF q SKIP LOCKED) "
		"UPDATE etl.fetch_queue q SET state = 'leased', worker = $4, attempts = q.attempts + 1,"
		"  started_at = now(), lease_until = now() + make_interval(secs => $5::int) "
		"FROM c WHERE q.fetch_id = c.fetch_id "
		"RETURNING q.fetch_id, q.source, q.url, q.page, q.attempts,"
		"  (SELECT s.etag FROM etl.fetch_state s WHERE s.url = q.url),"
		"  (SELECT s.last_modified FROM etl.fetch_state s WHERE s.url = q.url),"
		"  (SELECT s.last_hash FROM etl.fetch_state s WHERE s.url = q.url)";
	/* items whose workers died too often: failed, so the run can finish */
	static const char lost[] =
		"UPDATE etl.fetch_queue SET state = 'failed', lease_until = NULL, finished_at = now(),"
		"  last_error = format('lost by %s workers (killed or stuck)', attempts) "
		"WHERE run_id = $1 AND state = 'leased' AND lease_until < now()"
		"  AND attempts >= max_attempts";
	char lim[16], lease[16];
	char *arr = array_literal(sources, nsources);
	const char *p[5] = { run_id, arr, lim, q->worker, lease };
	struct fetchq_item *v = NULL;
	PGresult *r;
	int n, i;

	*items = NULL;
	if (nsources && !arr)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	if (mi_pg_command(q->conn, lost, 1, p, NULL, err) < 0) {
		free(arr);
		return -1;
	}
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(lease, sizeof(lease), "%d", lease_s);
	r = mi_pg_query(q->conn, sql, 5, p, err);
	free(arr);
	if (!r)
		return -1;
	n = PQntuples(r);
	if (n) {
		v = calloc((size_t)n, sizeof(*v));
		if (!v) {
			PQclear(r);
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		}
	}
	for (i = 0; i < n; i++) {
		v[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		v[i].source_id = dup_val(r, i, 1);
		v[i].url = dup_val(r, i, 2);
		v[i].page = atoi(PQgetvalue(r, i, 3));
		v[i].claims = atoi(PQgetvalue(r, i, 4));
		v[i].etag = dup_val(r, i, 5);
		v[i].last_modified = dup_val(r, i, 6);
		v[i].last_sha256 = dup_val(r, i, 7);
		if (!v[i].source_id || !v[i].url) {
			PQclear(r);
			fetchq_items_free(v, i + 1);
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		}
	}
	PQclear(r);
	*items = v;
	return n;
}

void fetchq_items_free(struct fetchq_item *items, int n)
{
	int i;

	if (!items)
		return;
	for (i = 0; i < n; i++) {
		free(items[i].source_id);
		free(items[i].url);
		free(items[i].etag);
		free(items[i].last_modified);
		free(items[i].last_sha256);
	}
	free(items);
}

int fetchq_renew(struct fetchq *q, const char *run_id, int lease_s, struct mi_err *err)
{
	static const char sql[] =
		"UPDATE etl.fetch_queue SET lease_until = now() + make_interval(secs => $3::int) "
		"WHERE run_id = $1 AND worker = $2 AND state = 'leased'";
	char lease[16];
	const char *p[3] = { run_id, q->worker, lease };

	snprintf(lease, sizeof(lease), "%d", lease_s);
	return mi_pg_command(q->conn, sql, 3, p, NULL, err);
}

int fetchq_finish(struct fetchq *q, const struct fetchq_done *d, struct mi_err *err)
{
	static const char upd[] =
		"UPDATE etl.fetch_queue SET state = $3, last_http_status = $4, landing_hash = $5,"
		"  bytes = $6, last_error = $7, finished_at = now(), lease_until = NULL "
		"WHERE fetch_id = $1 AND worker = $2 AND state = 'leased'";
	static const char state[] =
		"INSERT INTO etl.fetch_state AS s (url, source, etag, last_modified, last_hash,"
		"  last_status, content_length, last_fetched_at, last_changed_at, last_run_id,"
		"  consecutive_failures) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now(), $8, 0) "
		"ON CONFLICT (url) DO UPDATE SET source = EXCLUDED.source,"
		"  etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,"
		"  last_hash = EXCLUDED.last_hash, last_status = EXCLUDED.last_status,"
		"  content_length = EXCLUDED.content_length,"
		"  last_fetched_at = EXCLUDED.last_fetched_at, last_run_id = EXCLUDED.last_run_id,"
		"  consecutive_failures = 0,"
		"  last_changed_at = CASE WHEN s.last_hash IS DISTINCT FROM EXCLUDED.last_hash"
		"    THEN now() ELSE s.last_changed_at END";
	char id[24], status[16], size[24];
	const char *state_name;
	long long n = 0;
	int ret = -1;

	snprintf(id, sizeof(id), "%lld", d->id);
	snprintf(status, sizeof(status), "%d", d->status);
	snprintf(size, sizeof(size), "%lld", d->size);
	if (!strcmp(d->outcome, "landed") || !strcmp(d->outcome, "not_modified"))
		state_name = "done";
	else if (!strcmp(d->outcome, "robots"))
		state_name = "skipped";
	else if (!strcmp(d->outcome, "parked"))
		state_name = "parked";
	else
		state_name = "failed";
	if (mi_pg_begin(q->conn, err) < 0)
		return -1;
	{
		const char *p[7] = { id, q->worker, state_name, status, d->sha256,
				     d->sha256 ? size : NULL, d->error };
		if (mi_pg_command(q->conn, upd, 7, p, &n, err) < 0)
			goto fail;
	}
	if (n == 0) { /* our lease expired and someone else holds it now */
		mi_pg_rollback(q->conn);
		return 0;
	}
	if (d->sha256 && !strcmp(state_name, "done")) {
		const char *p[8] = { d->url, d->source_id, d->etag, d->last_modified, d->sha256,
				     status, size, d->run_id };
		if (mi_pg_command(q->conn, state, 8, p, NULL, err) < 0)
			goto fail;
	}
	if (d->next_url && fetchq_enqueue(q, d->run_id, d->source_id, d->next_url, d->next_page,
					  err) < 0)
		goto fail;
	if (mi_pg_commit(q->conn, err) < 0)
		goto fail;
	ret = 1;
	return ret;
fail:
	mi_pg_rollback(q->conn);
	return -1;
}

long long fetchq_outstanding(struct fetchq *q, const char *run_id, const char *const *sources,
			     size_t nsources, struct mi_err *err)
{
	static const char sql[] =
		"SELECT count(*) FROM etl.fetch_queue q"
		"  LEFT JOIN etl.host_state h ON h.host = q.host"
		"  WHERE q.run_id = $1"
		"  AND ((q.state = 'queued'"
		"        AND (h.host IS NULL OR h.parked_until IS NULL OR h.parked_until <= now()))"
		"       OR (q.state = 'leased' AND"
		"           (q.lease_until >= now() OR q.attempts < q.max_attempts)))"
		"  AND ($2::text[] IS NULL OR q.source = ANY ($2::text[]))";
	char *arr = array_literal(sources, nsources);
	const char *p[2] = { run_id, arr };
	PGresult *r;
	long long n;

	if (nsources && !arr)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	r = mi_pg_query(q->conn, sql, 2, p, err);
	free(arr);
	if (!r)
		return -1;
	n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

int fetchq_park_host(struct fetchq *q, const char *host, long seconds, const char *reason,
		     struct mi_err *err)
{
	static const char sql[] =
		"INSERT INTO etl.host_state AS h (host, parked_until, parked_reason)"
		"  VALUES ($1, now() + make_interval(secs => $2::bigint), $3) "
		"ON CONFLICT (host) DO UPDATE SET"
		"  parked_until = greatest(h.parked_until, EXCLUDED.parked_until),"
		"  parked_reason = EXCLUDED.parked_reason";
	char secs[24];
	const char *p[3] = { host, secs, reason };

	snprintf(secs, sizeof(secs), "%ld", seconds);
	return mi_pg_command(q->conn, sql, 3, p, NULL, err);
}

long long fetchq_parked_waiting(struct fetchq *q, const char *run_id, struct mi_err *err)
{
	static const char sql[] =
		"SELECT count(*) FROM etl.fetch_queue q JOIN etl.host_state h ON h.host = q.host"
		"  WHERE q.run_id = $1 AND q.state = 'queued' AND h.parked_until > now()";
	const char *p[1] = { run_id };
	PGresult *r = mi_pg_query(q->conn, sql, 1, p, err);
	long long n;

	if (!r)
		return -1;
	n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

int fetchq_reserve_host(struct fetchq *q, const char *host, int interval_ms, double *delay_s,
			struct mi_err *err)
{
	/* our slot is max(next_allowed_at, now()); the next one is interval later */
	static const char sql[] =
		"INSERT INTO etl.host_state AS h (host, min_interval_ms, next_allowed_at)"
		"  VALUES ($1, $2::int, clock_timestamp() + make_interval(secs => $2::int / 1000.0)) "
		"ON CONFLICT (host) DO UPDATE SET min_interval_ms = EXCLUDED.min_interval_ms,"
		"  next_allowed_at = greatest(h.next_allowed_at, clock_timestamp())"
		"    + make_interval(secs => $2::int / 1000.0) "
		"RETURNING greatest(0, extract(epoch FROM h.next_allowed_at - clock_timestamp())"
		"  - $2::int / 1000.0)";
	char ms[16];
	const char *p[2] = { host, ms };
	PGresult *r;

	snprintf(ms, sizeof(ms), "%d", interval_ms);
	r = mi_pg_query(q->conn, sql, 2, p, err);
	if (!r)
		return -1;
	*delay_s = strtod(PQgetvalue(r, 0, 0), NULL);
	PQclear(r);
	return 0;
}
