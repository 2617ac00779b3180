/*
 * deskexec: one call of a lead desk or contract function (sql/061-068,
 * 082-086), its refusals turned into errors an agent can read:
 *
 *   SQLSTATE LD001, LD010 (no such lead,
 *     proposal, contract or task)          -> MI_EXIT_NOINPUT
 *   SQLSTATE LD002-LD015 (a rule refused)  -> MI_EXIT_REFUSED
 *   SQLSTATE 22xxx (a bad value)           -> MI_EXIT_USAGE
 *   anything else                          -> MI_EXIT_DATABASE
 *
 * err->msg is then the database's sentence ("lead 12 is claimed by kalani
 * until 2026-12-05 15:04 HST"), err->detail its detail and hint, and
 * err->sqlstate the SQLSTATE.  Shared by desk.c and contract.c.
 */
#ifndef MI_DESKEXEC_H
#define MI_DESKEXEC_H

#include "err.h"

#include <libpq-fe.h>

/*
 * Run one statement with text parameters; *res gets the result of a query
 * (the caller PQclear()s it).  0, or -1 with err set as above.
 */
int desk_exec(PGconn *conn, const char *sql, int n, const char *const *pv, PGresult **res,
	      struct mi_err *err);

#endif
