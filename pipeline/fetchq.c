#include "fetchq.h"
#include "exitcode.h"
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

int fetchq_enqueue(struct fetchq *q, const char *run_id, const char *source_id, const char *url,
		   int page, struct mi_err *err)
{
	static const char sql[] =
		"INSERT INTO etl.fetch_queue (run_id, source_id, url, page) VALUES ($1, $2, $3, $4) "
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
		"UPDATE etl.fetch_queue SET state = 'pending', worker = NULL, lease_until = NULL "
		"WHERE run_id = $1 AND state = 'failed'";
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
	size_t i;

	if (!n)
		return NULL;
	strbuf_addch(&sb, '{');
	for (i = 0; i < n; i++) {
		const char *s;
		if (i)
			strbuf_addch(&sb, ',');
		strbuf_addch(&sb, '"');
		for (s = v[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				strbuf_addch(&sb, '\\');
			strbuf_addch(&sb, *s);
		}
		strbuf_addch(&sb, '"');
	}
	if (strbuf_addch(&sb, '}') < 0) {
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
	static const char sql[] =
		"WITH c AS ("
		"  SELECT id FROM etl.fetch_queue"
		"  WHERE run_id = $1"
		"    AND (state = 'pending' OR (state = 'claimed' AND lease_until < now()))"
		"    AND ($2::text[] IS NULL OR source_id = ANY ($2::text[]))"
		"  ORDER BY id LIMIT $3"
		"  FOR UPDATE SKIP LOCKED) "
		"UPDATE etl.fetch_queue q SET state = 'claimed', worker = $4, claims = q.claims + 1,"
		"  claimed_at = now(), lease_until = now() + make_interval(secs => $5::int) "
		"FROM c WHERE q.id = c.id "
		"RETURNING q.id, q.source_id, q.url, q.page, q.claims,"
		"  (SELECT s.etag FROM etl.fetch_state s WHERE s.url = q.url),"
		"  (SELECT s.last_modified FROM etl.fetch_state s WHERE s.url = q.url),"
		"  (SELECT s.last_sha256 FROM etl.fetch_state s WHERE s.url = q.url)";
	char lim[16], lease[16];
	char *arr = array_literal(sources, nsources);
	const char *p[5] = { run_id, arr, lim, q->worker, lease };
	struct fetchq_item *v = NULL;
	PGresult *r;
	int n, i;

	*items = NULL;
	if (nsources && !arr)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
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
		"WHERE run_id = $1 AND worker = $2 AND state = 'claimed'";
	char lease[16];
	const char *p[3] = { run_id, q->worker, lease };

	snprintf(lease, sizeof(lease), "%d", lease_s);
	return mi_pg_command(q->conn, sql, 3, p, NULL, err);
}

int fetchq_finish(struct fetchq *q, const struct fetchq_done *d, struct mi_err *err)
{
	static const char upd[] =
		"UPDATE etl.fetch_queue SET state = $3, outcome = $4, http_status = $5,"
		"  sha256 = $6, attempts = $7, error = $8, finished_at = now(), lease_until = NULL "
		"WHERE id = $1 AND worker = $2 AND state = 'claimed'";
	static const char state[] =
		"INSERT INTO etl.fetch_state AS s (url, source_id, etag, last_modified, last_sha256,"
		"  last_status, last_fetched_at, last_changed_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, now(), now()) "
		"ON CONFLICT (url) DO UPDATE SET source_id = EXCLUDED.source_id,"
		"  etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,"
		"  last_sha256 = EXCLUDED.last_sha256, last_status = EXCLUDED.last_status,"
		"  last_fetched_at = EXCLUDED.last_fetched_at,"
		"  last_changed_at = CASE WHEN s.last_sha256 IS DISTINCT FROM EXCLUDED.last_sha256"
		"    THEN now() ELSE s.last_changed_at END";
	char id[24], status[16], attempts[16];
	long long n = 0;
	int ret = -1;

	snprintf(id, sizeof(id), "%lld", d->id);
	snprintf(status, sizeof(status), "%d", d->status);
	snprintf(attempts, sizeof(attempts), "%d", d->attempts);
	if (mi_pg_begin(q->conn, err) < 0)
		return -1;
	{
		const char *p[8] = { id, q->worker, d->final ? "done" : "failed", d->outcome, status,
				     d->sha256, attempts, d->error };
		if (mi_pg_command(q->conn, upd, 8, p, &n, err) < 0)
			goto fail;
	}
	if (n == 0) { /* our lease expired and someone else holds it now */
		mi_pg_rollback(q->conn);
		return 0;
	}
	if (d->sha256 && d->final) {
		const char *p[6] = { d->url, d->source_id, d->etag, d->last_modified, d->sha256, status };
		if (mi_pg_command(q->conn, state, 6, p, NULL, err) < 0)
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
		"SELECT count(*) FROM etl.fetch_queue WHERE run_id = $1"
		"  AND state IN ('pending', 'claimed')"
		"  AND ($2::text[] IS NULL OR source_id = ANY ($2::text[]))";
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
