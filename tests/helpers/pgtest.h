/*
 * pgtest: a fresh database per Criterion test, copied from MI_TEMPLATE_DB
 * (every migration applied) on the server tests/run.sh started.
 */
#ifndef MI_PGTEST_H
#define MI_PGTEST_H

#include <libpq-fe.h>

/* Skip (cr_skip_test) when no test server is configured (PGHOST unset). */
void pgt_require_server(void);
/*
 * Create a database named after prefix and the pid, connect to it and return the
 * connection; name (>= 64 bytes) receives its name.  Fails the test on error.
 */
PGconn *pgt_fresh_db(const char *prefix, char *name);
/* Close conn and drop the database. */
void pgt_drop_db(PGconn *conn, const char *name);
/* Run sql; fail the test on error. */
void pgt_exec(PGconn *conn, const char *sql);
/* The first value of the first row of sql, as a long long. */
long long pgt_scalar(PGconn *conn, const char *sql);

#endif
