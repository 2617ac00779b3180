/*
 * sqlscript: the set-based SQL of the load and the matching,
 * SQLDIR/load/<name>.sql, read as a list of tagged statements and run with
 * the load's parameters.
 *
 * A script is a list of statements, each introduced by a line
 *
 *   -- @step    a merge step run over a range of staging rows
 *   -- @count   the same, returning one row per merged row: 't' inserted, else updated
 *   -- @reject  the same, returning the staging rows it refuses
 *   -- @final   run once after every range
 *
 * Text before the first tag is commentary.  Every statement takes the same
 * typed parameters: $1 run id (text), $2 source (text), $3 lo and $4 hi
 * (bigint, the staging row range), $5 the file name (text), $6 the day the
 * files were seen (date: first_seen, last_seen, change events).
 *
 * Ownership: a struct sqlscript owns its text; its statements point into it.
 */
#ifndef MI_SQLSCRIPT_H
#define MI_SQLSCRIPT_H

#include "err.h"
#include "strbuf.h"

#include <libpq-fe.h>

enum sqlscript_kind { SQLSCRIPT_RANGE, SQLSCRIPT_COUNT, SQLSCRIPT_REJECT, SQLSCRIPT_FINAL };

struct sqlscript_stmt {
	enum sqlscript_kind kind;
	char *sql;
};

struct sqlscript {
	struct sqlscript_stmt v[32];
	int n;
	struct strbuf text;
};

struct sqlscript_params {
	const char *run_id, *source, *file;
	const char *date; /* YYYY-MM-DD (load_dir resolves it) */
};

/*
 * Read SQLDIR/load/<name>.sql into s.  0, or -1 with err (MI_EXIT_NOINPUT,
 * MI_EXIT_IO, MI_EXIT_CONFIG for an unknown tag or no statement).  Release s
 * with sqlscript_release() either way.
 */
int sqlscript_read(struct sqlscript *s, const char *sqldir, const char *name,
		   struct mi_err *err);
void sqlscript_release(struct sqlscript *s);

/*
 * Run one statement with mp and the range [lo, hi].  Returns its result (the
 * caller PQclear()s it), or NULL with err set as pg.h says (the server's
 * SQLSTATE in err->sqlstate).
 */
PGresult *sqlscript_exec(PGconn *conn, const char *sql, const struct sqlscript_params *mp,
			 long long lo, long long hi, struct mi_err *err);

/*
 * Run every statement of SQLDIR/load/<name>.sql once, in order, inside the
 * caller's transaction, with $1 = run_id, $2 = source, $3 = $4 = 0,
 * $5 = '' and $6 = NULL (no day: the matching does not use it).  0 or -1 with err (the failing statement in its detail).
 */
int sqlscript_run(PGconn *conn, const char *sqldir, const char *name, const char *run_id,
		  const char *source, struct mi_err *err);

#endif
