/*
 * match: tie listings (etl.listings) to parcels (external.properties), then
 * keep the manager history (external.property_managers) in step with the
 * matched listings.
 *
 * The matching is set-based SQL in SQLDIR/load/match.sql, tried in order of
 * confidence on every listing that has no parcel yet, so that an unmatched
 * listing is retried on each later run and never dropped:
 *
 *   1. tmk_in_listing  a TMK the parser found in the listing and the registry
 *                      knows (confidence 0.98; 0.90 when only its parcel is
 *                      known and the unit is not);
 *   2. tat_id          a TAT id already tied to exactly one TMK, by the registry
 *                      or by an earlier match (0.90);
 *   3. address         the normalized street address and unit equal to exactly
 *                      one parcel's (0.85; 0.75 without a unit);
 *   4. geo             the nearest parcel within 200 m whose property type and
 *                      bedrooms agree (0.40-0.70 by distance and by how many
 *                      candidates there were).
 *
 * A matched listing's TAT ids are added to its parcel, so that later listings
 * with only the TAT id match (method 2).  Then, per parcel, the manager of its
 * most recently seen matched listing is compared with the current history
 * row: a different manager closes that row and opens a new one with a
 * manager_changed event; the same manager changes nothing.
 */
#ifndef MI_MATCH_H
#define MI_MATCH_H

#include "err.h"

#include <libpq-fe.h>

struct match_stats {
	long long by_tmk, by_tat, by_address, by_geo, unmatched; /* all listings, after the run */
	long long manager_changes;                               /* events recorded by this run */
	int ran; /* 0: no load left rows to match (etl.load_match_pending), nothing done */
};

/*
 * Run the matching and the manager history in one transaction (rolled back
 * when dry_run) and fill stats.  The matching runs when a load left rows to
 * match (etl.load_match_pending, which it empties in the same transaction)
 * or under dry_run; the stats are read either way.  0 or -1 with err.
 */
int match_run(PGconn *conn, const char *sqldir, const char *run_id, const char *source,
	      int dry_run, struct match_stats *stats, struct mi_err *err);

#endif
