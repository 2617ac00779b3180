/*
 * pg: careful libpq.
 *
 * Connections come from libpq's own environment (PGHOST, PGPORT, PGDATABASE,
 * PGUSER, PGSERVICE, PGPASSFILE ...) or a conninfo string: secrets are never
 * read from our config files.  Every statement's result status is checked
 * exactly; a failure fills err with class MI_EXIT_DATABASE, the server's
 * message (and SQLSTATE) as the primary text, the statement as the detail and
 * the SQLSTATE alone in err->sqlstate ("" when the failure has none, e.g. a
 * lost connection), so that each caller reads it from its own err: nothing
 * here is shared between threads, each of which uses its own connection.
 * All SQL with data in it goes through parameters or COPY, never through
 * string building.
 */
#ifndef MI_PG_H
#define MI_PG_H

#include "err.h"
#include "strbuf.h"

#include <libpq-fe.h>
#include <stddef.h>

/*
 * Connect with PQconnectdbParams (expand_dbname, so conninfo may be a URI
 * or "key=value" string; NULL uses the environment alone) and
 * fallback_application_name = appname.  Sets a quiet notice processor
 * (notices go to the log at debug level).  NULL with err set on failure.
 */
PGconn *mi_pg_connect(const char *appname, const char *conninfo, struct mi_err *err);

/* Cancel what is running, then close. NULL is fine. */
void mi_pg_finish(PGconn *conn);

/* Run sql (no parameters, may hold several statements); 0 or -1. */
int mi_pg_exec(PGconn *conn, const char *sql, struct mi_err *err);

/* A parameterized command expecting PGRES_COMMAND_OK; *affected gets the row count if not NULL. */
int mi_pg_command(PGconn *conn, const char *sql, int nparams, const char *const *params,
		  long long *affected, struct mi_err *err);

/* A parameterized query expecting rows; the caller PQclear()s the result. NULL on error. */
PGresult *mi_pg_query(PGconn *conn, const char *sql, int nparams, const char *const *params,
		      struct mi_err *err);

/*
 * Fill err from a failed result (res may be NULL: the connection's message):
 * what the helpers above do on failure, for callers that run PQexecParams
 * themselves (typed parameters).  Returns -1.
 */
int mi_pg_fail(PGconn *conn, const PGresult *res, const char *sql, struct mi_err *err);

/*
 * Append to out the array literal of the n strings v, for a parameter cast to
 * text[] (the data stays a parameter, never SQL text): {"a","b \"c\""}, each
 * element double-quoted with '"' and '\\' escaped, a NULL element as NULL.
 * 0, or -1 when out of memory or over out's cap (out then holds part of it).
 */
int mi_pg_text_array(struct strbuf *out, const char *const *v, size_t n);

/* COPY ... FROM STDIN: begin, send bytes, end (drains the results). */
int mi_pg_copy_begin(PGconn *conn, const char *copy_sql, struct mi_err *err);
int mi_pg_copy_send(PGconn *conn, const char *buf, size_t len, struct mi_err *err);
/* errmsg NULL ends normally; otherwise aborts the COPY with that message. */
int mi_pg_copy_end(PGconn *conn, const char *errmsg, long long *rows, struct mi_err *err);

/* BEGIN / COMMIT / ROLLBACK (ROLLBACK never fails the caller). */
int mi_pg_begin(PGconn *conn, struct mi_err *err);
int mi_pg_commit(PGconn *conn, struct mi_err *err);
void mi_pg_rollback(PGconn *conn);

#endif
