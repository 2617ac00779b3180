/*
 * metrics: market metrics (occupancy, ADR, RevPAR) from competitor calendar
 * snapshots.  The computation is set-based in SQL (sql/020_market_metrics.sql,
 * sql/021_compset.sql); this module runs it.  The definitions, with the
 * inference of booked and blocked nights and their confidence, are in
 * docs/metrics.md.
 *
 *   night     available (open at the last look), booked (open in an earlier
 *             snapshot, closed in a later one; at the last listed price),
 *             blocked (closed in every snapshot; left out of occupancy)
 *   occupancy booked / (booked + available)
 *   ADR       booked revenue / booked nights with a price
 *   RevPAR    booked revenue / (booked + available)
 *
 * Windows: trailing = the trailing_days nights before as_of; forward = as_of
 * and the forward_days - 1 nights after it (on the books), from the
 * snapshots taken on or before as_of.
 */
#ifndef MI_METRICS_H
#define MI_METRICS_H

#include "err.h"

#include <libpq-fe.h>

/*
 * Recompute etl.market_metrics for as_of (YYYY-MM-DD) per listing and per
 * matched property, replacing that date's rows.  Windows are 1-1095 days.
 * *rows (when not NULL) gets the number of rows written.  0, or -1 with err
 * set (MI_EXIT_DATABASE).  Runs in the caller's transaction when one is open.
 */
int metrics_refresh(PGconn *conn, const char *as_of, int trailing_days, int forward_days,
		    long long *rows, struct mi_err *err);

/*
 * Write the inferred status and confidence of every night onto the rows of
 * the latest snapshot taken on or before as_of (external.property_pricing
 * inferred_status, inferred_confidence).  *rows gets the rows changed (0 on
 * a re-run).  0, or -1 with err set.
 */
int metrics_mark_nights(PGconn *conn, const char *as_of, long long *rows, struct mi_err *err);

/*
 * Both of the above from one computation of the night statuses
 * (etl.refresh_night_metrics), as mi-compset runs them: the metrics, and the
 * marks unless mark is 0.  *rows and *marked (when not NULL) get the metric
 * rows written and the pricing rows marked.  0, or -1 with err set.
 */
int metrics_refresh_and_mark(PGconn *conn, const char *as_of, int trailing_days,
			     int forward_days, int mark, long long *rows, long long *marked,
			     struct mi_err *err);

#endif
