#include "pgtest.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static PGconn *admin_conn(void)
{
	const char *k[] = { "dbname", NULL };
	const char *v[] = { "postgres", NULL };
	PGconn *c = PQconnectdbParams(k, v, 0);

	if (PQstatus(c) != CONNECTION_OK)
		cr_assert_fail("cannot connect to the test server: %s", PQerrorMessage(c));
	return c;
}

void pgt_require_server(void)
{
	if (!getenv("PGHOST") || !getenv("MI_TEMPLATE_DB"))
		cr_skip_test("no test PostgreSQL (run through make test)");
}

PGconn *pgt_fresh_db(const char *prefix, char *name)
{
	static int seq;
	char sql[256];
	PGconn *a, *c;
	PGresult *r;
	const char *k[] = { "dbname", NULL };
	const char *v[] = { name, NULL };

	pgt_require_server();
	snprintf(name, 64, "%s_%d_%d", prefix, (int)getpid(), ++seq);
	a = admin_conn();
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\" TEMPLATE \"%s\"", name,
		 getenv("MI_TEMPLATE_DB"));
	r = PQexec(a, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		cr_assert_fail("%s: %s", sql, PQerrorMessage(a));
	PQclear(r);
	PQfinish(a);
	c = PQconnectdbParams(k, v, 0);
	if (PQstatus(c) != CONNECTION_OK)
		cr_assert_fail("cannot connect to %s: %s", name, PQerrorMessage(c));
	return c;
}

void pgt_drop_db(PGconn *conn, const char *name)
{
	char sql[256];
	PGconn *a;

	PQfinish(conn);
	a = admin_conn();
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	PQclear(PQexec(a, sql));
	PQfinish(a);
}

void pgt_exec(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		cr_assert_fail("%s: %s", sql, PQerrorMessage(conn));
	PQclear(r);
}

long long pgt_scalar(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	long long v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1)
		cr_assert_fail("%s: %s", sql, PQerrorMessage(conn));
	v = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}
