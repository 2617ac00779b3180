#include "pg.h"
#include "exitcode.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void on_notice(void *arg, const char *message)
{
	(void)arg;
	mi_log(MI_LOG_DEBUG, "db_notice", "%s", message);
}

PGconn *mi_pg_connect(const char *appname, const char *conninfo, struct mi_err *err)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { conninfo, appname, NULL };
	PGconn *conn;

	if (!conninfo) {
		keys[0] = "fallback_application_name";
		vals[0] = appname;
		keys[1] = NULL;
		vals[1] = NULL;
	}
	conn = PQconnectdbParams(keys, vals, 1);
	if (!conn) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
		msg[strcspn(msg, "\n")] = '\0';
		mi_err_set(err, MI_EXIT_DATABASE, "cannot connect to the database: %s", msg);
		mi_err_detail(err, "the connection comes from libpq's environment "
				   "(PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE)");
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, on_notice, NULL);
	return conn;
}

void mi_pg_finish(PGconn *conn)
{
	if (!conn)
		return;
	if (PQtransactionStatus(conn) == PQTRANS_ACTIVE) {
		PGcancel *c = PQgetCancel(conn);
		char buf[256];
		if (c) {
			PQcancel(c, buf, sizeof(buf));
			PQfreeCancel(c);
		}
	}
	PQfinish(conn);
}

int mi_pg_fail(PGconn *conn, const PGresult *res, const char *sql, struct mi_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char msg[512];

	if (!prim) {
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
		msg[strcspn(msg, "\n")] = '\0';
		prim = msg;
	}
	mi_err_set(err, MI_EXIT_DATABASE, "%s%s%s%s", prim, state ? " (SQLSTATE " : "",
		   state ? state : "", state ? ")" : "");
	if (detail)
		mi_err_detail(err, "%s; statement: %.180s", detail, sql);
	else
		mi_err_detail(err, "statement: %.200s", sql);
	if (err) /* after mi_err_set, which clears it */
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state ? state : "");
	return -1;
}

int mi_pg_exec(PGconn *conn, const char *sql, struct mi_err *err)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int ret = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		ret = mi_pg_fail(conn, res, sql, err);
	PQclear(res);
	return ret;
}

int mi_pg_command(PGconn *conn, const char *sql, int nparams, const char *const *params,
		  long long *affected, struct mi_err *err)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	int ret = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		ret = mi_pg_fail(conn, res, sql, err);
	else if (affected)
		*affected = atoll(PQcmdTuples(res));
	PQclear(res);
	return ret;
}

PGresult *mi_pg_query(PGconn *conn, const char *sql, int nparams, const char *const *params,
		      struct mi_err *err)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		mi_pg_fail(conn, res, sql, err);
		PQclear(res);
		return NULL;
	}
	return res;
}

int mi_pg_copy_begin(PGconn *conn, const char *copy_sql, struct mi_err *err)
{
	PGresult *res = PQexec(conn, copy_sql);
	int ret = 0;

	if (PQresultStatus(res) != PGRES_COPY_IN)
		ret = mi_pg_fail(conn, res, copy_sql, err);
	PQclear(res);
	return ret;
}

int mi_pg_copy_send(PGconn *conn, const char *buf, size_t len, struct mi_err *err)
{
	while (len) {
		int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
		if (PQputCopyData(conn, buf, chunk) != 1)
			return mi_pg_fail(conn, NULL, "COPY data", err);
		buf += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

int mi_pg_copy_end(PGconn *conn, const char *errmsg, long long *rows, struct mi_err *err)
{
	PGresult *res;
	int ret = 0;

	if (PQputCopyEnd(conn, errmsg) != 1)
		ret = mi_pg_fail(conn, NULL, "COPY end", err);
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (!ret && !errmsg)
				ret = mi_pg_fail(conn, res, "COPY", err);
			else
				ret = -1;
		} else if (rows) {
			*rows = atoll(PQcmdTuples(res));
		}
		PQclear(res);
	}
	return errmsg ? -1 : ret;
}

int mi_pg_begin(PGconn *conn, struct mi_err *err)
{
	return mi_pg_exec(conn, "BEGIN", err);
}

int mi_pg_commit(PGconn *conn, struct mi_err *err)
{
	return mi_pg_exec(conn, "COMMIT", err);
}

void mi_pg_rollback(PGconn *conn)
{
	PGresult *res = PQexec(conn, "ROLLBACK");
	PQclear(res);
}

int mi_pg_text_array(struct strbuf *out, const char *const *v, size_t n)
{
	int ret = strbuf_addch(out, '{');

	for (size_t i = 0; i < n && !ret; i++) {
		if (i)
			ret |= strbuf_addch(out, ',');
		if (!v[i]) {
			ret |= strbuf_addstr(out, "NULL");
			continue;
		}
		ret |= strbuf_addch(out, '"');
		for (const char *s = v[i]; *s && !ret; s++) {
			if (*s == '"' || *s == '\\')
				ret |= strbuf_addch(out, '\\');
			ret |= strbuf_addch(out, *s);
		}
		ret |= strbuf_addch(out, '"');
	}
	ret |= strbuf_addch(out, '}');
	return ret ? -1 : 0;
}
