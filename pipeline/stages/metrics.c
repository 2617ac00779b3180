#include "metrics.h"

#include "pg.h"

#include <stdio.h>
#include <stdlib.h>

#include "banned.h"

int metrics_refresh(PGconn *conn, const char *as_of, int trailing_days, int forward_days,
		    long long *rows, struct mi_err *err)
{
	char t[16], f[16];
	const char *pv[3] = { as_of, t, f };
	PGresult *res;

	snprintf(t, sizeof(t), "%d", trailing_days);
	snprintf(f, sizeof(f), "%d", forward_days);
	res = mi_pg_query(conn, "SELECT etl.refresh_market_metrics($1::date, $2::integer, $3::integer)",
			  3, pv, err);
	if (!res)
		return -1;
	if (rows)
		*rows = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int metrics_mark_nights(PGconn *conn, const char *as_of, long long *rows, struct mi_err *err)
{
	const char *pv[1] = { as_of };
	PGresult *res = mi_pg_query(conn, "SELECT etl.mark_night_status($1::date)", 1, pv, err);

	if (!res)
		return -1;
	if (rows)
		*rows = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int metrics_refresh_and_mark(PGconn *conn, const char *as_of, int trailing_days,
			     int forward_days, int mark, long long *rows, long long *marked,
			     struct mi_err *err)
{
	char t[16], f[16];
	const char *pv[4] = { as_of, t, f, mark ? "31" : NULL };
	PGresult *res;

	snprintf(t, sizeof(t), "%d", trailing_days);
	snprintf(f, sizeof(f), "%d", forward_days);
	res = mi_pg_query(conn,
			  "SELECT metric_rows, nights_marked FROM etl.refresh_night_metrics($1::date,"
			  " $2::integer, $3::integer, $4::integer)",
			  4, pv, err);
	if (!res)
		return -1;
	if (rows)
		*rows = atoll(PQgetvalue(res, 0, 0));
	if (marked)
		*marked = atoll(PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}
