#include "leads.h"

#include "address.h"
#include "config.h"
#include "exitcode.h"
#include "log.h"
#include "owner.h"
#include "pg.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Numeric settings: section, key, name in the settings object, range, default. */
static const struct setting {
	const char *section, *key, *json;
	double min, max, def;
	int integer;
} settings[] = {
	{ "scoring", "min_score", "min_score", 0, 100, 10, 0 },
	{ "scoring", "hot_threshold", "hot_threshold", 0, 100, 70, 0 },
	{ "signals", "sale_window_days", "sale_window_days", 1, 3650, 365, 1 },
	{ "signals", "manager_change_window_days", "manager_change_window_days", 1, 3650, 180, 1 },
	{ "signals", "review_recent_days", "review_recent_days", 1, 3650, 180, 1 },
	{ "signals", "review_prior_days", "review_prior_days", 1, 3650, 365, 1 },
	{ "signals", "review_min_reviews", "review_min_reviews", 1, 1000, 2, 1 },
	{ "signals", "review_negative_below", "review_negative_below", -1, 1, -0.1, 0 },
	{ "signals", "review_decline_by", "review_decline_by", 0, 2, 0.3, 0 },
	{ "signals", "review_cap", "review_cap", 0, 100, 36, 0 },
	{ "signals", "compset_gap", "compset_gap", 0, 1, 0.15, 0 },
	{ "signals", "compset_min_members", "compset_min_members", 1, 100, 3, 1 },
	{ "signals", "compset_min_similarity", "compset_min_similarity", 0, 1, 0.5, 0 },
	{ "signals", "occupancy_min_nights", "occupancy_min_nights", 0, 3650, 14, 1 },
	{ "signals", "dark_window_days", "dark_window_days", 1, 3650, 120, 1 },
	{ "signals", "dark_closed_nights", "dark_closed_nights", 1, 1095, 60, 1 },
	{ "weights", "sale", "w_sale", 0, 100, 30, 0 },
	{ "weights", "sale_absentee", "w_sale_absentee", 0, 100, 40, 0 },
	{ "weights", "sale_out_of_state", "w_sale_out_of_state", 0, 100, 45, 0 },
	{ "weights", "manager_change", "w_manager_change", 0, 100, 35, 0 },
	{ "weights", "self_managed", "w_self_managed", 0, 100, 15, 0 },
	{ "weights", "review_aspect", "w_review_aspect", 0, 100, 18, 0 },
	{ "weights", "occupancy_below", "w_occupancy_below", 0, 100, 15, 0 },
	{ "weights", "adr_below", "w_adr_below", 0, 100, 10, 0 },
	{ "weights", "listing_dark", "w_listing_dark", 0, 100, 20, 0 },
	{ "projection", "horizon_days", "horizon_days", 1, 366, 365, 1 },
	{ "projection", "owner_nights", "owner_nights", 0, 365, 0, 1 },
	{ "projection", "management_fee_pct", "management_fee_pct", 0, 100, 20, 0 },
	{ "projection", "month_min_nights", "month_min_nights", 1, 31, 10, 1 },
	{ "projection", "distant_m", "distant_m", 0, 100000, 5000, 1 },
	{ "projection", "range_low_pct", "range_low_pct", 0, 90, 25, 0 },
	{ "projection", "range_medium_pct", "range_medium_pct", 0, 90, 15, 0 },
	{ "projection", "range_high_pct", "range_high_pct", 0, 90, 8, 0 },
	{ "projection", "cleaning_cost_per_stay", "cleaning_cost_per_stay", 0, 10000, 150, 0 },
	{ "projection", "average_stay_nights", "average_stay_nights", 1, 365, 4, 0 },
	{ "projection", "channel_fee_pct", "channel_fee_pct", 0, 50, 3, 0 },
	{ "projection", "get_pct", "get_pct", 0, 20, 4.712, 0 },
	{ "projection", "tat_pct", "tat_pct", 0, 30, 13.25, 0 },
	{ "proposal", "onboarding_fee", "onboarding_fee", 0, 100000, 0, 0 },
	{ "proposal", "contract_term_months", "contract_term_months", 1, 120, 12, 1 },
	{ "proposal", "termination_notice_days", "termination_notice_days", 0, 365, 30, 1 },
	{ "proposal", "valid_days", "valid_days", 1, 365, 30, 1 },
	{ "queue", "claim_hours", "claim_hours", 1, 720, 4, 1 },
	{ "queue", "hold_days", "hold_days", 1, 365, 14, 1 },
	{ "queue", "signal_since_lost_points", "signal_since_lost_points", 0, 100, 30, 0 },
	{ "condition", "window_days", "condition_window_days", 30, 3650, 365, 1 },
	{ "condition", "old_building_years", "condition_old_years", 1, 200, 40, 1 },
	{ "condition", "assumed_sqft", "condition_assumed_sqft", 100, 100000, 900, 1 },
	{ "condition", "capex_broken", "capex_broken", 0, 999999, 1500, 0 },
	{ "condition", "capex_leak", "capex_leak", 0, 999999, 4000, 0 },
	{ "condition", "capex_mold", "capex_mold", 0, 999999, 6000, 0 },
	{ "condition", "capex_pests", "capex_pests", 0, 999999, 1200, 0 },
	{ "condition", "capex_per_sqft_fair", "capex_per_sqft_fair", 0, 10000, 10, 0 },
	{ "condition", "capex_per_sqft_poor", "capex_per_sqft_poor", 0, 10000, 35, 0 },
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/*
 * [onboarding] our_managers = Name, Other Name: each name keyed by the owner
 * normalizer (the manager key the listings get), into s->our_managers as a
 * text[] literal.  A name that keys to nothing is an error naming file:line.
 */
static int leads_our_managers(struct leads_settings *s, const struct mi_config_entry *e,
			      const char *path, struct mi_err *err)
{
	const char *keys[32];
	char buf[32][256];
	size_t n = 0;
	const char *p = e ? e->value : "";

	while (*p) {
		size_t len = strcspn(p, ",");
		int kl;

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len) {
			if (n == sizeof(keys) / sizeof(keys[0]))
				return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: our_managers names more "
						  "than %zu managers", path, e->line, n);
			kl = owner_key(p, len, buf[n], sizeof(buf[n]));
			if (kl <= 0)
				return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: our_managers: '%.*s' is "
						  "not a manager name", path, e->line, (int)len, p);
			keys[n] = buf[n];
			n++;
		}
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	if (mi_pg_text_array(&s->our_managers, keys, n) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	return 0;
}

int leads_settings_load(struct leads_settings *s, const char *path, struct mi_err *err)
{
	struct mi_config_key known[NSETTINGS + 3];
	struct mi_config cfg = MI_CONFIG_INIT;
	const char *version = "leads-1";
	int ret = -1;

	for (size_t i = 0; i < NSETTINGS; i++) {
		known[i].section = settings[i].section;
		known[i].key = settings[i].key;
	}
	known[NSETTINGS].section = "scoring";
	known[NSETTINGS].key = "version";
	known[NSETTINGS + 1].section = "onboarding";
	known[NSETTINGS + 1].key = "our_managers";
	known[NSETTINGS + 2].section = NULL;
	known[NSETTINGS + 2].key = NULL;

	strbuf_reset(&s->json);
	strbuf_reset(&s->our_managers);
	if (path && (mi_config_load(&cfg, path, err) < 0 || mi_config_check(&cfg, known, err) < 0))
		goto out;
	if (path)
		version = mi_config_str(&cfg, "scoring", "version", version);
	if (!*version || strlen(version) >= sizeof(s->version) ||
	    strspn(version, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
		    strlen(version)) {
		const struct mi_config_entry *e = mi_config_find(&cfg, "scoring", "version");
		mi_err_set(err, MI_EXIT_CONFIG,
			   "%s:%d: version '%s' must be 1-63 letters, digits, dots, dashes or underscores",
			   path, e ? e->line : 0, version);
		goto out;
	}
	memcpy(s->version, version, strlen(version) + 1);
	if (strbuf_addf(&s->json, "{\"version\":\"%s\"", s->version) < 0)
		goto oom;
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct setting *d = &settings[i];
		double v = d->def;

		if (path) {
			if (d->integer) {
				long long iv;
				if (mi_config_int(&cfg, d->section, d->key, (long long)d->min,
						  (long long)d->max, (long long)d->def, &iv, err) < 0)
					goto out;
				v = (double)iv;
			} else if (mi_config_double(&cfg, d->section, d->key, d->min, d->max, d->def,
						    &v, err) < 0) {
				goto out;
			}
		}
		if (!strcmp(d->json, "hot_threshold"))
			s->hot_threshold = v;
		if (!strcmp(d->json, "claim_hours"))
			s->claim_hours = (int)v;
		if (strbuf_addf(&s->json, ",\"%s\":%.10g", d->json, v) < 0)
			goto oom;
	}
	if (strbuf_addch(&s->json, '}') < 0)
		goto oom;
	if (leads_our_managers(s, path ? mi_config_find(&cfg, "onboarding", "our_managers") : NULL,
			       path, err) < 0)
		goto out;
	ret = 0;
	goto out;
oom:
	mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
out:
	mi_config_release(&cfg);
	return ret;
}

void leads_settings_release(struct leads_settings *s)
{
	strbuf_release(&s->json);
	strbuf_release(&s->our_managers);
}

/* The (item, n) rows an SQL step returns, into the counters named by item. */
struct item_count {
	const char *item;
	long long *n;
};

static void read_item_counts(PGresult *res, const struct item_count *f, size_t nf)
{
	for (int r = 0; r < PQntuples(res); r++)
		for (size_t k = 0; k < nf; k++)
			if (!strcmp(PQgetvalue(res, r, 0), f[k].item)) {
				*f[k].n = atoll(PQgetvalue(res, r, 1));
				break;
			}
}

int leads_score(PGconn *conn, const struct leads_settings *s, const char *as_of,
		const char *run_id, struct leads_score_stats *st, struct mi_err *err)
{
	const char *pv[3] = { as_of, s->json.buf, run_id };
	PGresult *res = NULL;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (mi_pg_begin(conn, err) < 0)
		return -1;
	/* one scoring at a time: a second one waits and then finds nothing new */
	if (mi_pg_exec(conn, "SELECT pg_advisory_xact_lock(hashtext('mi-leads score'))", err) < 0)
		goto out;
	/* the contracts first: a property that became ours tonight is not scored */
	{
		const char *cv[3] = { as_of, s->our_managers.len ? s->our_managers.buf : "{}", run_id };

		res = mi_pg_query(conn, "SELECT item, n FROM homeowner_acquisition.advance_contracts("
				  "$1::date, $2::text[], $3::text)", 3, cv, err);
		if (!res)
			goto out;
		const struct item_count items[] = {
			{ "contracts_started", &st->contracts_started },
			{ "contracts_renewed", &st->contracts_renewed },
			{ "contracts_expired", &st->contracts_expired },
			{ "properties_made_ours", &st->made_ours },
			{ "onboarding_tasks_done", &st->tasks_done },
		};
		read_item_counts(res, items, sizeof(items) / sizeof(items[0]));
		PQclear(res);
	}
	res = mi_pg_query(conn, "SELECT item, n FROM etl.score_leads($1::date, $2::jsonb, $3::text)",
			  3, pv, err);
	if (!res)
		goto out;
	{
		const struct item_count items[] = {
			{ "signals", &st->signals },
			{ "properties_scored", &st->scored },
			{ "without_owner", &st->without_owner },
			{ "prospects_new", &st->prospects_new },
			{ "prospects_renamed", &st->prospects_renamed },
			{ "leads_new", &st->leads_new },
			{ "leads_rescored", &st->leads_rescored },
			{ "activities_new", &st->activities_new },
			{ "assessments_written", &st->assessments },
			{ "properties_joined", &st->properties_joined },
			{ "lost_leads_signalled", &st->lost_signalled },
		};
		read_item_counts(res, items, sizeof(items) / sizeof(items[0]));
	}
	PQclear(res);
	/* each review's share of the review signals just computed (their temporary table) */
	res = mi_pg_query(conn, "SELECT etl.review_contributions($1::date, $2::jsonb)", 2, pv, err);
	if (!res)
		goto out;
	st->reviews_attributed = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = mi_pg_query(conn, "SELECT etl.assess_condition($1::date, $2::jsonb, $3::text)", 3, pv, err);
	if (!res)
		goto out;
	st->conditions_new = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = mi_pg_query(conn, "SELECT etl.project_revenue($1::date, $2::jsonb, $3::text)", 3, pv, err);
	if (!res)
		goto out;
	st->projections_new = atoll(PQgetvalue(res, 0, 0));
	if (leads_key_mailing(conn, &st->mailing_keyed, err) < 0)
		goto out;
	if (mi_pg_commit(conn, err) < 0)
		goto out;
	ret = 0;
out:
	PQclear(res);
	if (ret < 0)
		mi_pg_rollback(conn);
	return ret;
}


int leads_key_mailing(PGconn *conn, long long *keyed, struct mi_err *err)
{
	struct strbuf ids = STRBUF_INIT, keys = STRBUF_INIT;
	const char **idv = NULL, **keyv = NULL;
	char (*keybuf)[160] = NULL;
	const char *pv[2];
	PGresult *res;
	size_t n = 0;
	int ret = -1;

	if (keyed)
		*keyed = 0;
	res = mi_pg_query(conn,
		"SELECT prospect_id, mailing_address, coalesce(mailing_city, ''),"
		" coalesce(mailing_state, ''), coalesce(mailing_zip, ''), mailing_country"
		" FROM homeowner_acquisition.prospects"
		" WHERE mailing_norm_key IS NULL AND coalesce(mailing_address, '') <> ''"
		" ORDER BY prospect_id", 0, NULL, err);
	if (!res)
		return -1;
	if (PQntuples(res)) {
		idv = calloc((size_t)PQntuples(res), sizeof(*idv));
		keyv = calloc((size_t)PQntuples(res), sizeof(*keyv));
		keybuf = calloc((size_t)PQntuples(res), sizeof(*keybuf));
		if (!idv || !keyv || !keybuf)
			goto oom;
	}
	for (int r = 0; r < PQntuples(res); r++) {
		struct addr_usps u;

		/* a foreign address keeps the roll's key: the normalizer reads US ones */
		if (addr_usps_format(PQgetvalue(res, r, 1), PQgetvalue(res, r, 2), PQgetvalue(res, r, 3),
				     PQgetvalue(res, r, 4),
				     PQgetisnull(res, r, 5) ? NULL : PQgetvalue(res, r, 5), &u, NULL) < 0 ||
		    u.foreign || !u.key[0])
			continue;
		memcpy(keybuf[n], u.key, sizeof(keybuf[n]));
		idv[n] = PQgetvalue(res, r, 0);
		keyv[n] = keybuf[n];
		n++;
	}
	/* two parallel arrays for one UPDATE ... FROM unnest(): ids and keys */
	if (n) {
		long long done = 0;

		if (mi_pg_text_array(&ids, idv, n) < 0 || mi_pg_text_array(&keys, keyv, n) < 0)
			goto oom;
		pv[0] = ids.buf;
		pv[1] = keys.buf;
		if (mi_pg_command(conn,
				  "UPDATE homeowner_acquisition.prospects p SET mailing_norm_key = k.key"
				  " FROM unnest($1::bigint[], $2::text[]) AS k(id, key)"
				  " WHERE p.prospect_id = k.id AND p.mailing_norm_key IS NULL",
				  2, pv, &done, err) < 0)
			goto out;
		if (keyed)
			*keyed = done;
	}
	ret = 0;
	goto out;
oom:
	mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
out:
	PQclear(res);
	free(idv);
	free(keyv);
	free(keybuf);
	strbuf_release(&ids);
	strbuf_release(&keys);
	return ret;
}
