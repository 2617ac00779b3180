/*
 * leads: opportunity scores, prospects, revenue projections and the lead
 * queue.  The heavy lifting is set-based SQL (sql/022_leads.sql,
 * sql/023_lead_reasons.sql); this module loads the settings, runs the
 * scoring in one transaction, claims leads and prints them.  Signal and
 * score definitions: docs/metrics.md ("Opportunity score").
 *
 * Ownership: struct leads_settings owns its JSON text (leads_settings_release).
 * Printing functions write to the caller's FILE and report write errors as
 * MI_EXIT_IO.  Every function returns 0 (or a count) on success and -1 with
 * err set on failure.
 */
#ifndef MI_LEADS_H
#define MI_LEADS_H

#include "err.h"
#include "strbuf.h"

#include <libpq-fe.h>
#include <stdio.h>

struct leads_settings {
	struct strbuf json;  /* the settings object passed to etl.score_leads() */
	char version[64];    /* [scoring] version: stored with every score */
	double hot_threshold;
	int claim_hours;     /* [queue] claim_hours: how long a claim holds */
};

#define LEADS_SETTINGS_INIT { STRBUF_INIT, "", 70, 4 }

/*
 * Read the settings from path (config/leads.ini), or the built-in defaults
 * when path is NULL.  Unknown keys and out-of-range values are errors naming
 * file:line (MI_EXIT_CONFIG).
 */
int leads_settings_load(struct leads_settings *s, const char *path, struct mi_err *err);
void leads_settings_release(struct leads_settings *s);

struct leads_score_stats {
	long long signals, scored, without_owner, prospects_new, prospects_renamed, leads_new,
		leads_rescored, activities_new, assessments, projections_new;
};

/*
 * Score every market property as of as_of (YYYY-MM-DD), create or update
 * prospects and leads, write the new signal activities and the revenue
 * projections, in one transaction (hot leads are notified at commit on
 * channel mi_hot_lead).  run_id may be NULL.  A re-run on the same data
 * writes nothing new.
 */
int leads_score(PGconn *conn, const struct leads_settings *s, const char *as_of,
		const char *run_id, struct leads_score_stats *st, struct mi_err *err);

/*
 * Claim the best waiting lead for agent (FOR UPDATE SKIP LOCKED: two agents
 * never get the same lead).  Returns 1 and *lead_id, 0 when the queue is
 * empty, -1 on error.
 */
int leads_claim_next(PGconn *conn, const struct leads_settings *s, const char *agent,
		     long long *lead_id, struct mi_err *err);

/* Print one lead: owner, parcel, score, every reason, the projection. */
int leads_print_lead(PGconn *conn, long long lead_id, FILE *out, struct mi_err *err);

/* Print the first limit leads of the queue, one line each, best first. */
int leads_print_queue(PGconn *conn, int limit, FILE *out, struct mi_err *err);

#endif
