#include "match.h"
#include "pg.h"
#include "sqlscript.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

int match_run(PGconn *conn, const char *sqldir, const char *run_id, const char *source,
	      int dry_run, struct match_stats *st, struct mi_err *err)
{
	const char *p[1] = { run_id };
	PGresult *res = NULL;

	memset(st, 0, sizeof(*st));
	if (mi_pg_begin(conn, err) < 0)
		return -1;
	/*
	 * The loads whose rows no match has seen (etl.load_match_pending, one row
	 * per listings or parcels file that wrote rows): none, and the listings
	 * and parcels are as the last match left them, which would change
	 * nothing.  A dry run's loads were rolled back: it matches regardless.
	 */
	res = mi_pg_query(conn, "WITH d AS (DELETE FROM etl.load_match_pending RETURNING 1) "
				"SELECT count(*) FROM d",
			  0, NULL, err);
	if (!res)
		goto fail;
	st->ran = dry_run || atoll(PQgetvalue(res, 0, 0)) > 0;
	PQclear(res);
	if (st->ran && sqlscript_run(conn, sqldir, "match", run_id, source, err) < 0)
		goto fail;
	res = mi_pg_query(conn,
			  "SELECT count(*) FILTER (WHERE tmk_match_method = 'tmk_in_listing'), "
			  "count(*) FILTER (WHERE tmk_match_method = 'tat_id'), "
			  "count(*) FILTER (WHERE tmk_match_method = 'address'), "
			  "count(*) FILTER (WHERE tmk_match_method = 'geo'), "
			  "count(*) FILTER (WHERE tmk IS NULL), "
			  "(SELECT count(*) FROM etl.change_events WHERE event_type = 'manager_changed' "
			  "AND run_id = $1) FROM etl.listings",
			  1, p, err);
	if (!res)
		goto fail;
	st->by_tmk = atoll(PQgetvalue(res, 0, 0));
	st->by_tat = atoll(PQgetvalue(res, 0, 1));
	st->by_address = atoll(PQgetvalue(res, 0, 2));
	st->by_geo = atoll(PQgetvalue(res, 0, 3));
	st->unmatched = atoll(PQgetvalue(res, 0, 4));
	st->manager_changes = atoll(PQgetvalue(res, 0, 5));
	PQclear(res);
	if (dry_run) {
		mi_pg_rollback(conn);
		return 0;
	}
	return mi_pg_commit(conn, err);
fail:
	mi_pg_rollback(conn);
	return -1;
}
