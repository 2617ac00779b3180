#include "ledger.h"
#include "exitcode.h"
#include "log.h"
#include "pg.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

/* ------------------------------------------------------------------ runs */

const char *ledger_run_of(const char *own)
{
	const char *env = getenv("MI_RUN_ID");

	return env && env[0] ? env : own;
}

int ledger_run_begin(PGconn *conn, const char *run_id, const char *kind, int *created,
		     struct mi_err *err)
{
	char pid[24], host[256] = "";
	const char *p[4] = { run_id, kind, pid, host };
	long long n = 0;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	if (mi_pg_command(conn,
			  "INSERT INTO etl.runs (run_id, kind, pid, host, started_by) "
			  "VALUES ($1, $2, $3::integer, nullif($4, ''), current_user) "
			  "ON CONFLICT (run_id) DO NOTHING",
			  4, p, &n, err) < 0)
		return -1;
	if (created)
		*created = n == 1;
	return 0;
}

int ledger_run_start(PGconn *conn, const char *run_id, const struct ledger_run_info *info,
		     struct mi_err *err)
{
	struct strbuf srcs = STRBUF_INIT;
	char host[256] = "", pid[16];
	const char *user = getenv("USER");
	int ret;

	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	mi_pg_text_array(&srcs, info->sources, info->nsources);
	const char *p[9] = { run_id, info->kind, info->date_from, info->date_to, srcs.buf,
			     host,   pid,	 user ? user : "", info->code_version };
	ret = mi_pg_command(conn,
			    "INSERT INTO etl.runs (run_id, kind, date_from, date_to, sources, host, pid,"
			    " started_by, code_version)"
			    " VALUES ($1, $2, $3, $4, $5::text[], nullif($6, ''), $7, $8, $9)"
			    " ON CONFLICT (run_id) DO UPDATE SET status = 'running', finished_at = NULL,"
			    " error = NULL, exit_code = NULL, host = EXCLUDED.host, pid = EXCLUDED.pid,"
			    " started_by = EXCLUDED.started_by",
			    9, p, NULL, err);
	strbuf_release(&srcs);
	return ret;
}

int ledger_run_finish(PGconn *conn, const char *run_id, const char *status, int exit_code,
		      const char *summary_json, const char *error, struct mi_err *err)
{
	char code[16];
	const char *p[5] = { run_id, status, code, summary_json, error };

	snprintf(code, sizeof(code), "%d", exit_code);
	return mi_pg_command(conn,
			     "UPDATE etl.runs SET status = $2, finished_at = greatest(now(), started_at),"
			     " exit_code = $3::smallint, summary = coalesce($4::jsonb, summary),"
			     " error = $5 WHERE run_id = $1",
			     5, p, NULL, err);
}

PGresult *ledger_mark_abandoned(PGconn *conn, const char *by, struct mi_err *err)
{
	const char *p[1] = { by };

	return mi_pg_query(conn,
			   "SELECT run_id, coalesce(host, '?'), coalesce(pid::text, '?'),"
			   " to_char(started_at, 'YYYY-MM-DD HH24:MI:SS TZ')"
			   " FROM etl.mark_abandoned_runs($1)",
			   1, p, err);
}

/* ---------------------------------------------------- a stage's own row */

int ledger_stage_begin(PGconn *conn, const char *run_id, const char *stage, const char *source,
		       struct mi_err *err)
{
	const char *p[3] = { run_id, stage, source };

	return mi_pg_command(
		conn,
		"INSERT INTO etl.stage_results AS r (run_id, stage, source) VALUES ($1, $2, $3) "
		"ON CONFLICT (run_id, stage, source) DO UPDATE SET status = 'running', "
		"attempt = r.attempt + 1, started_at = now(), finished_at = NULL, error = NULL, "
		"files = 0, bytes_read = 0, rows_read = 0, rows_out = 0, rows_inserted = 0, "
		"rows_updated = 0, rows_unchanged = 0, rows_skipped = 0, rows_rejected = 0, "
		"exit_code = NULL, seconds = NULL, detail = '{}'",
		3, p, NULL, err);
}

static void counts_params(const struct ledger_counts *c, char v[9][24])
{
	snprintf(v[0], sizeof(v[0]), "%lld", c->files);
	snprintf(v[1], sizeof(v[1]), "%lld", c->bytes);
	snprintf(v[2], sizeof(v[2]), "%lld", c->read);
	snprintf(v[3], sizeof(v[3]), "%lld", c->inserted);
	snprintf(v[4], sizeof(v[4]), "%lld", c->updated);
	snprintf(v[5], sizeof(v[5]), "%lld", c->unchanged);
	snprintf(v[6], sizeof(v[6]), "%lld", c->skipped);
	snprintf(v[7], sizeof(v[7]), "%lld", c->rejected);
	snprintf(v[8], sizeof(v[8]), "%lld", c->out);
}

int ledger_stage_update(PGconn *conn, const char *run_id, const char *stage, const char *source,
			const char *status, const struct ledger_counts *c,
			const char *detail_json, const char *error, struct mi_err *err)
{
	char v[9][24];
	const char *p[15];

	counts_params(c, v);
	p[0] = run_id;
	p[1] = stage;
	p[2] = source;
	p[3] = status;
	for (int i = 0; i < 8; i++)
		p[4 + i] = v[i];
	p[12] = detail_json ? detail_json : "{}";
	p[13] = error;
	p[14] = v[8];
	return mi_pg_command(
		conn,
		"UPDATE etl.stage_results SET status = $4, files = $5::integer, "
		"bytes_read = $6::bigint, rows_read = $7::bigint, rows_inserted = $8::bigint, "
		"rows_updated = $9::bigint, rows_unchanged = $10::bigint, rows_skipped = $11::bigint, "
		"rows_rejected = $12::bigint, rows_out = $15::bigint, detail = $13::jsonb, "
		"error = $14, finished_at = CASE WHEN $4 = 'running' THEN NULL "
		"ELSE greatest(now(), started_at) END "
		"WHERE run_id = $1 AND stage = $2 AND source IS NOT DISTINCT FROM $3",
		15, p, NULL, err);
}

const char *ledger_status_of(int exit_code)
{
	if (exit_code == MI_EXIT_OK)
		return "succeeded";
	if (exit_code == MI_EXIT_PARTIAL)
		return "partial";
	return "failed";
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int ledger_stage_open(struct ledger_stage *ls, PGconn *conn, const char *conninfo,
		      const char *run_id, const char *stage, const char *source, int required,
		      struct mi_err *err)
{
	struct mi_err e = MI_ERR_INIT;

	memset(ls, 0, sizeof(*ls));
	clock_gettime(CLOCK_MONOTONIC, &ls->t0);
	if (!run_id || !run_id[0])
		return 0;
	snprintf(ls->run_id, sizeof(ls->run_id), "%s", run_id);
	snprintf(ls->stage, sizeof(ls->stage), "%s", stage);
	snprintf(ls->source, sizeof(ls->source), "%s", source ? source : "");
	if (!conn) {
		conn = mi_pg_connect("mi-ledger", conninfo, &e);
		if (!conn)
			goto fail;
		ls->own_conn = 1;
	}
	ls->conn = conn;
	if (ledger_run_begin(conn, run_id, "manual", &ls->created_run, &e) < 0 ||
	    ledger_stage_begin(conn, run_id, stage, source, &e) < 0)
		goto fail;
	return 0;
fail:
	if (ls->own_conn)
		mi_pg_finish(conn);
	ls->conn = NULL;
	ls->own_conn = 0;
	if (required) {
		if (err)
			*err = e;
		return -1;
	}
	mi_log_kv(MI_LOG_WARN, "ledger_failed", "stage", stage, "msg", e.msg, NULL);
	return 0;
}

int ledger_stage_close(struct ledger_stage *ls, int exit_code, const struct ledger_counts *c,
		       const char *detail_json, const char *error)
{
	return ledger_stage_close_as(ls, ledger_status_of(exit_code), exit_code, c, detail_json,
				     error);
}

int ledger_stage_close_as(struct ledger_stage *ls, const char *status, int exit_code,
			  const struct ledger_counts *c, const char *detail_json, const char *error)
{
	struct mi_err e = MI_ERR_INIT;
	char v[9][24], code[16], secs[32], why[160];
	const char *p[17];
	int ret = exit_code;

	if (!ls->conn)
		return exit_code;
	if (PQtransactionStatus(ls->conn) != PQTRANS_IDLE)
		mi_pg_rollback(ls->conn);
	snprintf(code, sizeof(code), "%d", exit_code);
	snprintf(secs, sizeof(secs), "%.3f", since(&ls->t0));
	snprintf(why, sizeof(why), "exit %d (%s)", exit_code, mi_exit_name(exit_code));
	if (c)
		counts_params(c, v);
	p[0] = ls->run_id;
	p[1] = ls->stage;
	p[2] = ls->source[0] ? ls->source : NULL;
	p[3] = status;
	p[4] = code;
	p[5] = secs;
	p[6] = error && error[0] ? error : (exit_code || strcmp(status, "succeeded") ? why : NULL);
	p[7] = detail_json;
	for (int i = 0; i < 9; i++)
		p[8 + i] = c ? v[i] : NULL;
	if (mi_pg_command(
		    ls->conn,
		    "UPDATE etl.stage_results SET status = $4, exit_code = $5::smallint,"
		    " seconds = $6::numeric, finished_at = greatest(now(), started_at),"
		    " error = CASE WHEN $4 = 'succeeded' THEN error ELSE coalesce(error, $7) END,"
		    " detail = detail || coalesce($8::jsonb, '{}'),"
		    " files = coalesce($9::integer, files), bytes_read = coalesce($10::bigint, bytes_read),"
		    " rows_read = coalesce($11::bigint, rows_read),"
		    " rows_inserted = coalesce($12::bigint, rows_inserted),"
		    " rows_updated = coalesce($13::bigint, rows_updated),"
		    " rows_unchanged = coalesce($14::bigint, rows_unchanged),"
		    " rows_skipped = coalesce($15::bigint, rows_skipped),"
		    " rows_rejected = coalesce($16::bigint, rows_rejected),"
		    " rows_out = coalesce($17::bigint, rows_out)"
		    " WHERE run_id = $1 AND stage = $2 AND source IS NOT DISTINCT FROM $3",
		    17, p, NULL, &e) < 0) {
		mi_log_kv(MI_LOG_WARN, "ledger_failed", "stage", ls->stage, "msg", e.msg, NULL);
		if (!exit_code)
			ret = MI_EXIT_DATABASE;
	}
	if (ls->created_run) {
		struct mi_err e2 = MI_ERR_INIT;
		if (ledger_run_finish(ls->conn, ls->run_id, exit_code ? "failed" : "succeeded",
				      exit_code, NULL, exit_code ? p[6] : NULL, &e2) < 0)
			mi_log_kv(MI_LOG_WARN, "ledger_failed", "stage", ls->stage, "msg", e2.msg,
				  NULL);
	}
	if (ls->own_conn)
		mi_pg_finish(ls->conn);
	ls->conn = NULL;
	return ret;
}

/* ------------------------------------------------------ mi-run's reading */

int ledger_stage_attempt(PGconn *conn, const char *run_id, const char *stage,
			 const char *source, int *attempt, struct mi_err *err)
{
	const char *p[3] = { run_id, stage, source };
	PGresult *res = mi_pg_query(conn,
				    "SELECT attempt FROM etl.stage_results WHERE run_id = $1"
				    " AND stage = $2 AND source IS NOT DISTINCT FROM $3",
				    3, p, err);

	if (!res)
		return -1;
	*attempt = PQntuples(res) ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return 0;
}

int ledger_stage_record(PGconn *conn, const char *run_id, const char *stage, const char *source,
			const char *status, int exit_code, const char *note, struct mi_err *err)
{
	char code[16], why[160];
	const char *p[6] = { run_id, stage, source, status, exit_code < 0 ? NULL : code, NULL };

	snprintf(code, sizeof(code), "%d", exit_code);
	snprintf(why, sizeof(why), "exit %d (%s)", exit_code, mi_exit_name(exit_code));
	p[5] = note && note[0] ? note : (!strcmp(status, "failed") ? why : NULL);
	return mi_pg_command(
		conn,
		"INSERT INTO etl.stage_results AS s (run_id, stage, source, status, finished_at,"
		" exit_code, seconds, error)"
		" VALUES ($1, $2, $3, $4, now(), $5::smallint, CASE WHEN $5 IS NULL THEN NULL ELSE 0 END, $6)"
		" ON CONFLICT ON CONSTRAINT stage_results_key DO UPDATE SET"
		" status = EXCLUDED.status, attempt = s.attempt + 1, started_at = now(),"
		" finished_at = now(), exit_code = EXCLUDED.exit_code, seconds = EXCLUDED.seconds,"
		" error = EXCLUDED.error, detail = '{}', files = 0, bytes_read = 0, rows_read = 0,"
		" rows_out = 0, rows_inserted = 0, rows_updated = 0, rows_unchanged = 0,"
		" rows_skipped = 0, rows_rejected = 0",
		6, p, NULL, err);
}

int ledger_stage_reap(PGconn *conn, const char *run_id, const char *stage, const char *source,
		      int attempt_before, int exit_code, double seconds, const char *note,
		      struct mi_err *err)
{
	const char *p[7];
	char code[16], secs[32], why[160];
	PGresult *res;
	int attempt, running;

	snprintf(code, sizeof(code), "%d", exit_code);
	p[0] = run_id;
	p[1] = stage;
	p[2] = source;
	res = mi_pg_query(conn,
			  "SELECT attempt, status = 'running' FROM etl.stage_results"
			  " WHERE run_id = $1 AND stage = $2 AND source IS NOT DISTINCT FROM $3",
			  3, p, err);
	if (!res)
		return -1;
	attempt = PQntuples(res) ? atoi(PQgetvalue(res, 0, 0)) : 0;
	running = PQntuples(res) && PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	if (attempt <= attempt_before) {
		/* it never opened its row: mi-run writes it */
		if (ledger_stage_record(conn, run_id, stage, source, ledger_status_of(exit_code),
					exit_code, note, err) < 0)
			return -1;
		running = 1;
	} else if (!running) {
		return 0; /* closed by the stage itself */
	}
	snprintf(secs, sizeof(secs), "%.3f", seconds);
	snprintf(why, sizeof(why), "exit %d (%s)", exit_code, mi_exit_name(exit_code));
	p[3] = ledger_status_of(exit_code);
	p[4] = code;
	p[5] = secs;
	p[6] = note && note[0] ? note : why;
	/* a load that did not reconcile is never called succeeded */
	return mi_pg_command(
		conn,
		"UPDATE etl.stage_results SET status = CASE WHEN $4 = 'succeeded' AND stage = 'load'"
		" AND rows_read <> rows_inserted + rows_updated + rows_unchanged + rows_skipped"
		" + rows_rejected THEN 'failed' ELSE $4 END,"
		" exit_code = $5::smallint, seconds = $6::numeric,"
		" finished_at = greatest(now(), started_at),"
		" error = CASE WHEN $4 = 'succeeded' THEN error ELSE coalesce($7, error) END"
		" WHERE run_id = $1 AND stage = $2 AND source IS NOT DISTINCT FROM $3",
		7, p, NULL, err);
}

int ledger_stage_read(PGconn *conn, const char *run_id, const char *stage, const char *source,
		      struct ledger_row *row, struct mi_err *err)
{
	const char *p[3] = { run_id, stage, source };
	PGresult *res;

	memset(row, 0, sizeof(*row));
	row->exit_code = -1;
	res = mi_pg_query(conn,
			  "SELECT attempt, status, coalesce(exit_code, -1), coalesce(seconds, 0),"
			  " rows_read, rows_out, rows_unchanged, rows_rejected, coalesce(error, ''),"
			  " detail::text"
			  " FROM etl.stage_results WHERE run_id = $1 AND stage = $2"
			  " AND source IS NOT DISTINCT FROM $3",
			  3, p, err);
	if (!res)
		return -1;
	if (PQntuples(res)) {
		row->found = 1;
		row->attempt = atoi(PQgetvalue(res, 0, 0));
		snprintf(row->status, sizeof(row->status), "%s", PQgetvalue(res, 0, 1));
		row->exit_code = atoi(PQgetvalue(res, 0, 2));
		row->seconds = strtod(PQgetvalue(res, 0, 3), NULL);
		row->in = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
		row->out = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
		row->unchanged = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
		row->rejected = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
		snprintf(row->error, sizeof(row->error), "%s", PQgetvalue(res, 0, 8));
		row->detail = strdup(PQgetvalue(res, 0, 9));
	}
	PQclear(res);
	return 0;
}

void ledger_row_release(struct ledger_row *row)
{
	free(row->detail);
	row->detail = NULL;
}
