/*
 * pg: a failed statement's SQLSTATE travels in the caller's own struct mi_err
 * (nothing shared), also when threads with their own connections fail at once,
 * as the COPY streams of the pricing fast path do.
 */
#include "err.h"
#include "exitcode.h"
#include "pg.h"
#include "pgtest.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "banned.h"

static PGconn *connect_db(void)
{
	struct mi_err err = MI_ERR_INIT;
	PGconn *c;

	pgt_require_server();
	c = mi_pg_connect("test_pg", "dbname=postgres", &err);
	cr_assert_not_null(c, "%s", err.msg);
	return c;
}

Test(pg, sqlstate_in_err)
{
	PGconn *c = connect_db();
	struct mi_err err = MI_ERR_INIT;
	const char *bad[1] = { "x" };
	PGresult *res;

	cr_assert_eq(mi_pg_exec(c, "SELECT 1/0", &err), -1);
	cr_assert_eq(err.code, MI_EXIT_DATABASE);
	cr_assert_str_eq(err.sqlstate, "22012");
	cr_assert(strstr(err.msg, "(SQLSTATE 22012)"), "%s", err.msg);
	cr_assert(strstr(err.detail, "SELECT 1/0"), "%s", err.detail);

	res = mi_pg_query(c, "SELECT * FROM no_such_table", 0, NULL, &err);
	cr_assert_null(res);
	cr_assert_str_eq(err.sqlstate, "42P01");

	cr_assert_eq(mi_pg_command(c, "SELECT $1::integer", 1, bad, NULL, &err), -1);
	cr_assert_str_eq(err.sqlstate, "22P02");

	cr_assert_eq(mi_pg_copy_begin(c, "COPY no_such_table FROM STDIN", &err), -1);
	cr_assert_str_eq(err.sqlstate, "42P01");

	/* a refused COPY row reports at the end of the COPY */
	cr_assert_eq(mi_pg_exec(c, "CREATE TEMP TABLE t (i integer)", &err), 0);
	cr_assert_eq(mi_pg_copy_begin(c, "COPY t FROM STDIN", &err), 0);
	cr_assert_eq(mi_pg_copy_send(c, "1\nx\n", 4, &err), 0);
	cr_assert_eq(mi_pg_copy_end(c, NULL, NULL, &err), -1);
	cr_assert_str_eq(err.sqlstate, "22P02");

	/* another error in the same err does not keep a stale SQLSTATE */
	mi_err_set(&err, MI_EXIT_IO, "cannot write 'x'");
	cr_assert_str_eq(err.sqlstate, "");
	cr_assert_eq(mi_pg_exec(c, "SELECT 1/0", &err), -1);
	mi_err_clear(&err);
	cr_assert_str_eq(err.sqlstate, "");
	cr_assert_eq(mi_pg_exec(c, "SELECT 1", &err), 0);
	cr_assert_str_eq(err.sqlstate, "");
	mi_pg_finish(c);
}

Test(pg, text_array_round_trip)
{
	/* every element comes back from the server as it was sent, in order */
	static const char *const v[] = { "plain", "two words", "quote \" in", "back\\slash",
					  "", "NULL", "{braces},comma", "ʻokina", NULL, "end\\" };
	const size_t n = sizeof(v) / sizeof(v[0]);
	PGconn *c = connect_db();
	struct mi_err err = MI_ERR_INIT;
	struct strbuf sb = STRBUF_INIT;
	const char *p[1];
	PGresult *res;

	cr_assert_eq(mi_pg_text_array(&sb, v, 2), 0);
	cr_assert_str_eq(sb.buf, "{\"plain\",\"two words\"}");
	strbuf_reset(&sb);
	cr_assert_eq(mi_pg_text_array(&sb, v, 0), 0);
	cr_assert_str_eq(sb.buf, "{}");
	strbuf_reset(&sb);
	cr_assert_eq(mi_pg_text_array(&sb, v, n), 0);
	p[0] = sb.buf;
	res = mi_pg_query(c, "SELECT e, i FROM unnest($1::text[]) WITH ORDINALITY AS u(e, i) ORDER BY i",
			  1, p, &err);
	cr_assert_not_null(res, "%s", err.msg);
	cr_assert_eq(PQntuples(res), (int)n);
	for (size_t i = 0; i < n; i++) {
		if (!v[i]) {
			cr_expect(PQgetisnull(res, (int)i, 0), "element %zu is not NULL", i);
			continue;
		}
		cr_expect_not(PQgetisnull(res, (int)i, 0), "element %zu is NULL", i);
		cr_expect_str_eq(PQgetvalue(res, (int)i, 0), v[i]);
	}
	PQclear(res);
	strbuf_release(&sb);
	mi_pg_finish(c);
}

struct job {
	const char *sql, *state;
	int wrong;
	char conn_error[384];
};

static void *fail_often(void *arg)
{
	struct job *j = arg;
	struct mi_err err = MI_ERR_INIT;
	PGconn *c = mi_pg_connect("test_pg", "dbname=postgres", &err);

	if (!c) {
		memcpy(j->conn_error, err.msg, sizeof(j->conn_error));
		return NULL;
	}
	for (int i = 0; i < 200; i++) {
		mi_err_clear(&err);
		if (mi_pg_exec(c, j->sql, &err) != -1 || strcmp(err.sqlstate, j->state))
			j->wrong++;
	}
	mi_pg_finish(c);
	return NULL;
}

Test(pg, sqlstate_per_thread)
{
	struct job jobs[4] = {
		{ "SELECT 1/0", "22012", 0, "" },
		{ "SELECT 'x'::integer", "22P02", 0, "" },
		{ "SELECT * FROM no_such_table", "42P01", 0, "" },
		{ "SELECT no_such_function()", "42883", 0, "" },
	};
	pthread_t th[4];

	pgt_require_server();
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, fail_often, &jobs[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++) {
		cr_expect_str_eq(jobs[i].conn_error, "");
		cr_expect_eq(jobs[i].wrong, 0, "'%s': %d of 200 without SQLSTATE %s", jobs[i].sql,
			     jobs[i].wrong, jobs[i].state);
	}
}
