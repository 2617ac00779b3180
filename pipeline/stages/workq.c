#include "workq.h"
#include "exitcode.h"
#include "log.h"
#include "pg.h"
#include "strbuf.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

struct workq {
	PGconn *conn;          /* the caller's: the worker's lock, claims */
	PGconn *beat_conn;     /* the heartbeat thread's */
	char run_id[80];
	char worker[300];
	char key[16];          /* worker_key, as text */
	char lease[24];        /* ms, as text */
	long long lease_ms;
	pthread_t beat;
	int beating;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

const char *workq_worker(const struct workq *q)
{
	return q->worker;
}

/* renew the lease of every item this worker runs, every third of the lease */
static void *heartbeat(void *arg)
{
	struct workq *q = arg;
	long long every = q->lease_ms / 3 > 50 ? q->lease_ms / 3 : 50;

	pthread_mutex_lock(&q->mu);
	while (!q->stop) {
		struct timespec ts;
		struct mi_err err = MI_ERR_INIT;
		const char *p[3] = { q->run_id, q->key, q->lease };

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += every / 1000;
		ts.tv_nsec += (every % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!q->stop && pthread_cond_timedwait(&q->cv, &q->mu, &ts) != ETIMEDOUT)
			;
		if (q->stop)
			break;
		pthread_mutex_unlock(&q->mu);
		if (mi_pg_command(q->beat_conn,
				  "UPDATE etl.work_items SET heartbeat_at = now(),"
				  " lease_until = now() + $3::bigint * interval '1 millisecond'"
				  " WHERE run_id = $1 AND worker_key = $2::integer AND status = 'running'",
				  3, p, NULL, &err) < 0)
			mi_log(MI_LOG_WARN, "heartbeat_failed", "%s", err.msg);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct workq *workq_open(PGconn *conn, const char *conninfo, const char *run_id,
			 long long lease_ms, struct mi_err *err)
{
	struct workq *q = calloc(1, sizeof(*q));
	char host[256] = "", idle[16], interval[16];
	PGresult *res;

	if (!q) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	q->conn = conn;
	q->lease_ms = lease_ms;
	snprintf(q->run_id, sizeof(q->run_id), "%s", run_id);
	snprintf(q->lease, sizeof(q->lease), "%lld", lease_ms);
	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "?");
	snprintf(q->worker, sizeof(q->worker), "%s:%d", host, (int)getpid());
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	/*
	 * the worker's key, and its lock for its whole life; the server cuts the
	 * session of a host that went silent about a lease after its last word
	 */
	snprintf(idle, sizeof(idle), "%lld", lease_ms / 1000 > 1 ? lease_ms / 1000 : 1);
	snprintf(interval, sizeof(interval), "%lld", lease_ms / 3000 > 1 ? lease_ms / 3000 : 1);
	{
		const char *p[2] = { idle, interval };
		res = mi_pg_query(conn,
				  "SELECT set_config('tcp_keepalives_idle', $1, false),"
				  " set_config('tcp_keepalives_interval', $2, false),"
				  " set_config('tcp_keepalives_count', '3', false)",
				  2, p, err);
		if (!res)
			goto fail;
		PQclear(res);
	}
	for (int tries = 0; tries < 8; tries++) {
		long key;
		res = mi_pg_query(conn,
				  "SELECT k, pg_try_advisory_lock(1835628395, k)"
				  " FROM (SELECT 1 + floor(random() * 2147483646)::integer AS k) s",
				  0, NULL, err);
		if (!res)
			goto fail;
		key = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		if (PQgetvalue(res, 0, 1)[0] == 't') {
			snprintf(q->key, sizeof(q->key), "%ld", key);
			PQclear(res);
			break;
		}
		PQclear(res);
	}
	if (!q->key[0]) {
		mi_err_set(err, MI_EXIT_DATABASE, "cannot take a worker lock");
		goto fail;
	}
	if (mi_pg_exec(conn, "LISTEN mi_work", err) < 0)
		goto fail;
	q->beat_conn = mi_pg_connect("mi-run heartbeat", conninfo, err);
	if (!q->beat_conn)
		goto fail;
	if (pthread_create(&q->beat, NULL, heartbeat, q) != 0) {
		mi_err_set(err, MI_EXIT_INTERNAL, "cannot start the heartbeat thread");
		goto fail;
	}
	q->beating = 1;
	return q;
fail:
	workq_close(q);
	return NULL;
}

void workq_close(struct workq *q)
{
	if (!q)
		return;
	if (q->beating) {
		pthread_mutex_lock(&q->mu);
		q->stop = 1;
		pthread_cond_signal(&q->cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->beat, NULL);
	}
	mi_pg_finish(q->beat_conn);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
}

int workq_plan(struct workq *q, const struct workq_plan_item *items, size_t n,
	       struct mi_err *err)
{
	if (mi_pg_begin(q->conn, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char seq[16];
		const char *p[4] = { q->run_id, items[i].stage, items[i].source, seq };
		snprintf(seq, sizeof(seq), "%d", items[i].seq);
		if (mi_pg_command(q->conn,
				  "INSERT INTO etl.work_items (run_id, stage, source, seq)"
				  " VALUES ($1, $2, $3, $4::integer)"
				  " ON CONFLICT ON CONSTRAINT work_items_key DO NOTHING",
				  4, p, NULL, err) < 0) {
			mi_pg_rollback(q->conn);
			return -1;
		}
	}
	return mi_pg_commit(q->conn, err);
}

/*
 * Ready: waiting, or running with an expired lease and nobody holding its
 * worker's lock; and nothing it depends on is unfinished.
 */
static const char claim_sql[] =
	"UPDATE etl.work_items w SET status = 'running', attempts = w.attempts + 1,"
	" worker = $2, worker_key = $3::integer, claimed_at = now(), heartbeat_at = now(),"
	" lease_until = now() + $4::bigint * interval '1 millisecond'"
	" FROM (SELECT c.run_id, c.stage, c.source FROM etl.work_items c"
	"        WHERE c.run_id = $1"
	"          AND (c.status = 'waiting'"
	"               OR (c.status = 'running' AND c.lease_until < now()"
	"                   AND NOT EXISTS (SELECT 1 FROM pg_locks l"
	"                                    WHERE l.locktype = 'advisory' AND l.granted"
	"                                      AND l.objsubid = 2"
	"                                      AND l.classid = 1835628395::oid"
	"                                      AND l.objid = c.worker_key::oid)))"
	"          AND NOT EXISTS (SELECT 1 FROM etl.work_items d"
	"                           WHERE d.run_id = c.run_id AND d.status <> 'done'"
	"                             AND ((c.stage = 'parse' AND d.stage = 'fetch' AND d.source = c.source)"
	"                               OR (c.stage = 'score' AND d.stage = 'parse' AND d.source = c.source)"
	"                               OR (c.stage = 'load' AND d.stage IN ('parse', 'score')"
	"                                   AND d.source = c.source)"
	"                               OR (c.stage = 'load' AND d.stage = 'load' AND d.seq < c.seq)"
	"                               OR (c.stage = 'compset' AND d.stage <> 'compset'"
	"                                   AND d.stage <> 'leads')"
	"                               OR (c.stage = 'leads' AND d.stage <> 'leads')))"
	"        ORDER BY c.source = ANY ($5::text[]) DESC NULLS LAST, c.seq"
	"        LIMIT 1 FOR UPDATE OF c SKIP LOCKED) n"
	" WHERE w.run_id = n.run_id AND w.stage = n.stage"
	" AND w.source IS NOT DISTINCT FROM n.source"
	" RETURNING w.stage, coalesce(w.source, ''), w.seq, w.attempts";

int workq_claim(struct workq *q, const char *const *local, size_t nlocal,
		struct workq_item *it, struct mi_err *err)
{
	struct strbuf arr = STRBUF_INIT;
	PGresult *res;
	int got;

	mi_pg_text_array(&arr, local, nlocal);
	{
		const char *p[5] = { q->run_id, q->worker, q->key, q->lease, arr.buf };
		res = mi_pg_query(q->conn, claim_sql, 5, p, err);
	}
	strbuf_release(&arr);
	if (!res)
		return -1;
	got = PQntuples(res) == 1;
	if (got) {
		memset(it, 0, sizeof(*it));
		snprintf(it->stage, sizeof(it->stage), "%s", PQgetvalue(res, 0, 0));
		snprintf(it->source, sizeof(it->source), "%s", PQgetvalue(res, 0, 1));
		it->seq = atoi(PQgetvalue(res, 0, 2));
		it->attempts = atoi(PQgetvalue(res, 0, 3));
	}
	PQclear(res);
	return got;
}

int workq_finish(struct workq *q, const struct workq_item *it, const char *outcome,
		 int exit_code, int *lost, struct mi_err *err)
{
	char code[16];
	const char *p[6] = { q->run_id, it->stage, it->source[0] ? it->source : NULL, q->key,
			     outcome, exit_code < 0 ? NULL : code };
	long long n = 0;

	snprintf(code, sizeof(code), "%d", exit_code);
	if (mi_pg_command(q->conn,
			  "UPDATE etl.work_items SET status = 'done', outcome = $5,"
			  " exit_code = $6::smallint, completions = completions + 1,"
			  " finished_at = now(), lease_until = NULL"
			  " WHERE run_id = $1 AND stage = $2 AND source IS NOT DISTINCT FROM $3"
			  " AND worker_key = $4::integer AND status = 'running'",
			  6, p, &n, err) < 0)
		return -1;
	if (lost)
		*lost = n != 1;
	return mi_pg_exec(q->conn, "NOTIFY mi_work", err);
}

int workq_open_items(struct workq *q, long long *open, struct mi_err *err)
{
	const char *p[1] = { q->run_id };
	PGresult *res = mi_pg_query(q->conn,
				    "SELECT count(*) FROM etl.work_items"
				    " WHERE run_id = $1 AND status <> 'done'",
				    1, p, err);

	if (!res)
		return -1;
	*open = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

void workq_wait(struct workq *q, double seconds)
{
	int fd = PQsocket(q->conn);
	PGnotify *n;
	fd_set rd;
	struct timeval tv;

	if (fd < 0)
		return;
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	if (select(fd + 1, &rd, NULL, NULL, &tv) > 0)
		PQconsumeInput(q->conn);
	while ((n = PQnotifies(q->conn)) != NULL)
		PQfreemem(n);
}

int workq_landing_check(PGconn *conn, const char *landing, struct mi_err *err)
{
	PGresult *res = mi_pg_query(conn,
				    "SELECT landing_hash, run_id, source FROM etl.fetch_queue"
				    " WHERE state = 'done' AND landing_hash IS NOT NULL"
				    " ORDER BY finished_at DESC NULLS LAST, fetch_id DESC LIMIT 50",
				    0, NULL, err);
	int missing = 0, first = -1;

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *h = PQgetvalue(res, i, 0);
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof(path), "%s/objects/%.2s/%s", landing, h, h + 2);
		if (stat(path, &st) < 0) {
			missing++;
			if (first < 0)
				first = i;
		}
	}
	if (missing) {
		mi_err_set(err, MI_EXIT_CONFIG,
			   "this host cannot see the bodies other hosts fetched: %d of the last %d"
			   " landed bodies are not in the landing store '%s' (the first: %s of run %s,"
			   " source %s)",
			   missing, PQntuples(res), landing, PQgetvalue(res, first, 0),
			   PQgetvalue(res, first, 1), PQgetvalue(res, first, 2));
		mi_err_detail(err, "workers share one landing store: give every host the same path"
				   " on a shared file system (--landing, or [paths] landing)");
	}
	PQclear(res);
	return missing ? -1 : 0;
}
