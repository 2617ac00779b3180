/*
 * leads: opportunity scores, prospects and revenue projections: the
 * pipeline's half of the lead queue (the agents' half is desk.h).  The heavy
 * lifting is set-based SQL (sql/022_leads.sql, sql/023_lead_reasons.sql,
 * sql/040_total_order.sql, sql/069_leads_desk_nightly.sql,
 * sql/070_review_contributions.sql, sql/071_remote_condition.sql); this module loads
 * the settings, runs the scoring in one transaction and keys the prospects'
 * mailing addresses.  Signal and score definitions: docs/metrics.md
 * ("Opportunity score").
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
	int claim_hours;     /* [queue] claim_hours: how long an untouched claim holds */
	/*
	 * [onboarding] our_managers: our company's names as listings show them,
	 * keyed like external.property_managers.manager_key, as a PostgreSQL
	 * text[] literal ("{}" when none): the nightly onboarding evidence.
	 */
	struct strbuf our_managers;
};

#define LEADS_SETTINGS_INIT { STRBUF_INIT, "", 70, 4, STRBUF_INIT }

/*
 * Read the settings from path (config/leads.ini), or the built-in defaults
 * when path is NULL.  Unknown keys and out-of-range values are errors naming
 * file:line (MI_EXIT_CONFIG).
 */
int leads_settings_load(struct leads_settings *s, const char *path, struct mi_err *err);
void leads_settings_release(struct leads_settings *s);

struct leads_score_stats {
	long long signals, scored, without_owner, prospects_new, prospects_renamed, leads_new,
		leads_rescored, activities_new, assessments, projections_new, properties_joined,
		lost_signalled, mailing_keyed;
	long long reviews_attributed; /* reviews whose opportunity_contribution changed */
	long long conditions_new;     /* remote condition assessments written */
	/* homeowner_acquisition.advance_contracts, run first */
	long long contracts_started, contracts_renewed, contracts_expired, made_ours, tasks_done;
};

/*
 * First advance the contracts (start, renew, expire them on their dates, keep
 * their properties ours, complete the onboarding tasks the data proves done:
 * homeowner_acquisition.advance_contracts), then
 * score every market property as of as_of (YYYY-MM-DD), create or update
 * prospects and leads, write the new signal activities, each review's
 * share of the score (opportunity_contribution), the remote condition
 * assessments whose inputs changed and the revenue projections, in one
 * transaction (hot leads are notified at commit on
 * channel mi_hot_lead).  run_id may be NULL.  A re-run on the same data
 * writes nothing new.
 */
int leads_score(PGconn *conn, const struct leads_settings *s, const char *as_of,
		const char *run_id, struct leads_score_stats *st, struct mi_err *err);

/*
 * Key the mailing address of every prospect that has none keyed yet
 * (prospects.mailing_norm_key NULL: new, or its address changed) with the
 * address normalizer, for the suppression list to match.  Foreign addresses
 * are left alone.  *keyed (may be NULL) gets how many were keyed.  Runs in
 * the caller's transaction, if any.
 */
int leads_key_mailing(PGconn *conn, long long *keyed, struct mi_err *err);

#endif
