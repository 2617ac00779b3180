#include "ledger.h"
#include "pg.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

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

int ledger_run_finish(PGconn *conn, const char *run_id, const char *status, int exit_code,
		      const char *error, struct mi_err *err)
{
	char code[16];
	const char *p[4] = { run_id, status, code, error };

	snprintf(code, sizeof(code), "%d", exit_code);
	return mi_pg_command(conn,
			     "UPDATE etl.runs SET status = $2, finished_at = greatest(now(), started_at), "
			     "exit_code = $3::smallint, error = $4 WHERE run_id = $1",
			     4, p, NULL, err);
}

int ledger_stage_begin(PGconn *conn, const char *run_id, const char *stage, const char *source,
		       struct mi_err *err)
{
	const char *p[3] = { run_id, stage, source };

	return mi_pg_command(
		conn,
		"INSERT INTO etl.stage_results AS r (run_id, stage, source) VALUES ($1, $2, $3) "
		"ON CONFLICT (run_id, stage, source) DO UPDATE SET status = 'running', "
		"attempt = r.attempt + 1, started_at = now(), finished_at = NULL, error = NULL, "
		"files = 0, bytes_read = 0, rows_read = 0, rows_inserted = 0, rows_updated = 0, "
		"rows_unchanged = 0, rows_skipped = 0, rows_rejected = 0",
		3, p, NULL, err);
}

int ledger_stage_update(PGconn *conn, const char *run_id, const char *stage, const char *source,
			const char *status, const struct ledger_counts *c,
			const char *detail_json, const char *error, struct mi_err *err)
{
	char v[8][24];
	const char *p[14];

	snprintf(v[0], sizeof(v[0]), "%lld", c->files);
	snprintf(v[1], sizeof(v[1]), "%lld", c->bytes);
	snprintf(v[2], sizeof(v[2]), "%lld", c->read);
	snprintf(v[3], sizeof(v[3]), "%lld", c->inserted);
	snprintf(v[4], sizeof(v[4]), "%lld", c->updated);
	snprintf(v[5], sizeof(v[5]), "%lld", c->unchanged);
	snprintf(v[6], sizeof(v[6]), "%lld", c->skipped);
	snprintf(v[7], sizeof(v[7]), "%lld", c->rejected);
	p[0] = run_id;
	p[1] = stage;
	p[2] = source;
	p[3] = status;
	for (int i = 0; i < 8; i++)
		p[4 + i] = v[i];
	p[12] = detail_json ? detail_json : "{}";
	p[13] = error;
	return mi_pg_command(
		conn,
		"UPDATE etl.stage_results SET status = $4, files = $5::integer, "
		"bytes_read = $6::bigint, rows_read = $7::bigint, rows_inserted = $8::bigint, "
		"rows_updated = $9::bigint, rows_unchanged = $10::bigint, rows_skipped = $11::bigint, "
		"rows_rejected = $12::bigint, detail = $13::jsonb, error = $14, "
		"finished_at = CASE WHEN $4 = 'running' THEN NULL "
		"ELSE greatest(now(), started_at) END "
		"WHERE run_id = $1 AND stage = $2 AND source IS NOT DISTINCT FROM $3",
		14, p, NULL, err);
}
