/*
 * compset: competitive sets, the k most similar market properties of a subject
 * (one of ours, or a prospect's), found with a uniform grid over latitude and
 * longitude instead of a cross join.
 *
 * Similarity (0-1) is the weighted mean of five part scores, each 0-1:
 *
 *   distance   exp(-d / distance_scale_m), d the great-circle distance
 *   bedrooms   1 same, 0.5 one apart, 0.15 two apart, 0 further
 *   bathrooms  1 - |difference| / 2, at least 0
 *   guests     1 - |difference| / larger of the two, at least 0
 *   type       1 same, 0.6 same family (condo, hotel_condo, townhouse,
 *              timeshare | single_family, multi_family), 0 otherwise
 *
 * and a part whose value is unknown on either side scores 0.5.  Candidates
 * farther than max_radius_m are never chosen.  The search is exact: rings of
 * grid cells are scanned outwards until no unscanned cell can hold a
 * candidate better than the k-th best found (the distance part bounds it).
 * Ties are broken by distance, then TMK, so a run is reproducible.
 * Definitions are in docs/metrics.md ("Competitive sets").
 *
 * Ownership: compset_index_build() copies nothing; the index borrows the
 * points array, which must outlive it.  compset_index_free() frees the index.
 * compset_run() owns everything it allocates.
 */
#ifndef MI_COMPSET_H
#define MI_COMPSET_H

#include "err.h"

#include <libpq-fe.h>
#include <stddef.h>

/* Property types as stored in external.properties.property_type; -1 unknown. */
enum compset_type {
	COMPSET_T_SINGLE_FAMILY, COMPSET_T_CONDO, COMPSET_T_TOWNHOUSE,
	COMPSET_T_MULTI_FAMILY, COMPSET_T_VACANT_LAND, COMPSET_T_AGRICULTURAL,
	COMPSET_T_COMMERCIAL, COMPSET_T_HOTEL_CONDO, COMPSET_T_TIMESHARE,
	COMPSET_T_OTHER, COMPSET_T_COUNT
};

/* One property.  Unknown numbers are negative. */
struct compset_point {
	char tmk[14];
	double lat, lon;
	int bedrooms;
	double bathrooms;
	int guests;
	int type; /* enum compset_type or -1 */
	char *metrics; /* compset_run: COPY text of the trailing metrics, or NULL */
};

struct compset_params {
	int k;                   /* members per set, 1-100 */
	double max_radius_m;     /* farthest competitor */
	double distance_scale_m; /* distance part = exp(-d / scale) */
	double cell_m;           /* grid cell size */
	double w_distance, w_bedrooms, w_bathrooms, w_guests, w_type; /* >= 0, sum > 0 */
};

/* Defaults: k 10, radius 15 km, scale 2 km, cells 1 km, weights .35 .25 .10 .15 .15. */
void compset_params_default(struct compset_params *p);

/* Part scores of one pair (for the basis shown to people). */
struct compset_parts {
	double distance_m;
	double distance, bedrooms, bathrooms, guests, type;
};

struct compset_match {
	size_t index; /* into the indexed points */
	double similarity;
	struct compset_parts parts;
};

/* The type code of a property_type string, -1 when unknown or NULL. */
int compset_type_parse(const char *s);
/* The property_type string of a code, NULL for -1. */
const char *compset_type_name(int type);

/* Great-circle (haversine) distance in metres. */
double compset_distance_m(double lat1, double lon1, double lat2, double lon2);

/* Similarity of a and b at distance_m; fills parts when not NULL. */
double compset_similarity(const struct compset_point *a, const struct compset_point *b,
			  double distance_m, const struct compset_params *p,
			  struct compset_parts *parts);

struct compset_index;

/*
 * Index n points (borrowed) on a grid of about p->cell_m (enlarged when the
 * area would need too many cells).  NULL with err set on allocation failure.
 */
struct compset_index *compset_index_build(const struct compset_point *pts, size_t n,
					  const struct compset_params *p, struct mi_err *err);
void compset_index_free(struct compset_index *ix);

/*
 * The best (at most p->k) candidates for subject, most similar first, into
 * out[0..p->k-1]; a point with the subject's TMK is skipped.  Returns how many
 * were found (0 when none is within the radius), or -1 on allocation failure.
 */
int compset_knn(const struct compset_index *ix, const struct compset_point *subject,
		const struct compset_params *p, struct compset_match *out);

/* Which properties get a set, besides the portfolio TMKs. */
enum compset_subject_kinds {
	COMPSET_S_OURS = 1u << 0,      /* external.properties.is_ours */
	COMPSET_S_PROSPECTS = 1u << 1, /* open prospect_properties */
	COMPSET_S_LISTED = 1u << 2,    /* an active matched listing */
	COMPSET_S_ALL = 1u << 3,       /* every located property (market studies, bench) */
};

/* What compset_run does. */
struct compset_opts {
	const char *as_of;      /* YYYY-MM-DD: computed_on and the metrics date */
	const char *const *extra_subjects; /* canonical TMKs from the portfolio config */
	size_t n_extra;
	unsigned subjects;      /* enum compset_subject_kinds */
	int candidates_listed_only; /* candidates must have a matched listing */
	int metrics;            /* refresh etl.market_metrics first */
	int mark_nights;        /* and write the night status onto the pricing rows */
	int trailing_days, forward_days;
	struct compset_params params;
	/*
	 * The portfolio file and the contracts in force are the truth about
	 * external.properties.is_ours: when set (and n_extra > 0), compset_run
	 * first makes is_ours true for the extra_subjects and the contracted
	 * properties, and false for every other property that was ours.
	 */
	int sync_ours;
};

/*
 * The settings of compset_run: the built-in defaults (compset_params_default,
 * metrics refreshed with the nights marked, 90-day trailing and forward
 * windows, candidates with a matched listing, subjects ours and prospects),
 * then, when path is not NULL, the values of that file (config/compset.ini):
 * [compset] k, max_radius_m, distance_scale_m, cell_m, subjects (ours,
 * prospects, listed), candidates (listed or all); [weights] distance,
 * bedrooms, bathrooms, guests, type (not all 0); [metrics] trailing_days,
 * forward_days, mark_nights.  Unknown keys and bad values are errors naming
 * file:line (MI_EXIT_CONFIG).  Sets only those fields of o.  0 or -1.
 */
int compset_settings_load(struct compset_opts *o, const char *path, struct mi_err *err);

/*
 * Append the TMKs of a portfolio file ([portfolio] tmks = TMKs in any form,
 * separated by commas or semicolons) to *tmks as canonical 13-digit TMKs,
 * counting them in *n; the caller frees them with compset_portfolio_free().
 * A bad TMK is an error naming file:line (MI_EXIT_CONFIG).  0 or -1.
 */
int compset_portfolio_load(const char *path, char ***tmks, size_t *n, struct mi_err *err);
void compset_portfolio_free(char **tmks, size_t n);

struct compset_stats {
	long long candidates, subjects, subjects_unlocated, members, metric_rows, nights_marked;
	long long ours_set, ours_cleared; /* is_ours flips made by the portfolio sync */
	long long ours_missing; /* portfolio TMKs not in external.properties */
	long long inserted, deleted; /* the store's rows: written, taken out (members - inserted were kept) */
	long long subjects_kept; /* sets kept as stored earlier the same day: their inputs are the same */
	double seconds_load, seconds_search, seconds_store; /* wall clock */
	double cpu_search; /* processor time of the search */
};

/*
 * Make external.properties.is_ours match the portfolio, in one statement:
 * true for the n canonical TMKs (borrowed) and the properties under a
 * contract in force (homeowner_acquisition.contracted_properties), false for
 * every other property that was true.  *set and *cleared get the number of rows flipped each way,
 * *missing the number of TMKs with no property row.  Callers must not pass
 * an empty portfolio unless they mean "nothing is ours".  0 or -1 with err set.
 */
int compset_sync_ours(PGconn *conn, const char *const *tmks, size_t n, long long *set,
		      long long *cleared, long long *missing, struct mi_err *err);

/*
 * Sync is_ours from the portfolio (when o->sync_ours and o->n_extra > 0),
 * refresh the market metrics and the inferred night status of the latest
 * snapshot (when asked), then compute the competitive set of every subject
 * (the portfolio TMKs and the kinds in o->subjects), with the competitors'
 * trailing metrics, and make the rows of external.competitive_sets computed
 * on as_of exactly those sets, in one transaction: etl.compset_store
 * (sql/104) deletes the members not computed as they are and inserts the new
 * ones; st gets how many of each.  0 or -1 with err
 * set.
 */
int compset_run(PGconn *conn, const struct compset_opts *o, struct compset_stats *st,
		struct mi_err *err);

#endif
