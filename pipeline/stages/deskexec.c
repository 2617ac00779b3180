#include "deskexec.h"

#include "exitcode.h"
#include "pg.h"

#include <string.h>

#include "banned.h"

int desk_exec(PGconn *conn, const char *sql, int n, const char *const *pv, PGresult **res,
	      struct mi_err *err)
{
	PGresult *r = PQexecParams(conn, sql, n, NULL, pv, NULL, NULL, 0);
	const char *state, *prim, *detail, *hint;
	int code;

	*res = NULL;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		*res = r;
		return 0;
	}
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	prim = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
	hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
	if (state && prim && (!strcmp(state, "LD001") || !strcmp(state, "LD010")))
		code = MI_EXIT_NOINPUT;
	else if (state && prim && !strncmp(state, "LD", 2))
		code = MI_EXIT_REFUSED;
	else if (state && prim && !strncmp(state, "22", 2))
		code = MI_EXIT_USAGE;
	else
		code = 0;
	if (code) {
		mi_err_set(err, code, "%s", prim);
		if (detail || hint)
			mi_err_detail(err, "%s%s%s%s", detail ? detail : "", detail && hint ? "; " : "",
				      hint ? "hint: " : "", hint ? hint : "");
		if (err) /* after mi_err_set, which clears it */
			snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	} else {
		mi_pg_fail(conn, r, sql, err);
	}
	PQclear(r);
	return -1;
}
