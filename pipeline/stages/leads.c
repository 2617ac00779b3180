#include "leads.h"

#include "config.h"
#include "exitcode.h"
#include "log.h"
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
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

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
	known[NSETTINGS + 1].section = "queue";
	known[NSETTINGS + 1].key = "claim_hours";
	known[NSETTINGS + 2].section = NULL;
	known[NSETTINGS + 2].key = NULL;

	strbuf_reset(&s->json);
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
		if (strbuf_addf(&s->json, ",\"%s\":%.10g", d->json, v) < 0)
			goto oom;
	}
	if (strbuf_addch(&s->json, '}') < 0)
		goto oom;
	if (path) {
		long long h;
		if (mi_config_int(&cfg, "queue", "claim_hours", 1, 720, 4, &h, err) < 0)
			goto out;
		s->claim_hours = (int)h;
	}
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
	res = mi_pg_query(conn, "SELECT item, n FROM etl.score_leads($1::date, $2::jsonb, $3::text)",
			  3, pv, err);
	if (!res)
		goto out;
	for (int r = 0; r < PQntuples(res); r++) {
		const char *item = PQgetvalue(res, r, 0);
		long long n = atoll(PQgetvalue(res, r, 1));
		if (!strcmp(item, "signals")) st->signals = n;
		else if (!strcmp(item, "properties_scored")) st->scored = n;
		else if (!strcmp(item, "without_owner")) st->without_owner = n;
		else if (!strcmp(item, "prospects_new")) st->prospects_new = n;
		else if (!strcmp(item, "prospects_renamed")) st->prospects_renamed = n;
		else if (!strcmp(item, "leads_new")) st->leads_new = n;
		else if (!strcmp(item, "leads_rescored")) st->leads_rescored = n;
		else if (!strcmp(item, "activities_new")) st->activities_new = n;
		else if (!strcmp(item, "assessments_written")) st->assessments = n;
	}
	PQclear(res);
	res = mi_pg_query(conn, "SELECT etl.project_revenue($1::date, $2::jsonb, $3::text)", 3, pv, err);
	if (!res)
		goto out;
	st->projections_new = atoll(PQgetvalue(res, 0, 0));
	if (mi_pg_commit(conn, err) < 0)
		goto out;
	ret = 0;
out:
	PQclear(res);
	if (ret < 0)
		mi_pg_rollback(conn);
	return ret;
}

int leads_claim_next(PGconn *conn, const struct leads_settings *s, const char *agent,
		     long long *lead_id, struct mi_err *err)
{
	char lease[32], id[32];
	const char *pv[2] = { agent, lease }, *pv2[2] = { agent, id };
	PGresult *res = NULL;
	int ret = -1;

	snprintf(lease, sizeof(lease), "%d hours", s->claim_hours);
	if (mi_pg_begin(conn, err) < 0)
		return -1;
	res = mi_pg_query(conn, "SELECT homeowner_acquisition.claim_next_lead($1, $2::interval)", 2, pv,
			  err);
	if (!res)
		goto out;
	if (PQgetisnull(res, 0, 0)) {
		ret = 0;
		goto out;
	}
	*lead_id = atoll(PQgetvalue(res, 0, 0));
	snprintf(id, sizeof(id), "%lld", *lead_id);
	PQclear(res);
	/* the claim in the lead's log, in the same transaction */
	res = mi_pg_query(conn,
		"INSERT INTO homeowner_acquisition.lead_activities (prospect_id, prospect_property_id,"
		" activity_type, direction, performed_by, subject, body)"
		" SELECT prospect_id, prospect_property_id, 'status_change', 'internal', $1,"
		"        'claimed from the lead queue', 'claim expires ' || claim_expires_at"
		"   FROM homeowner_acquisition.prospect_properties"
		"  WHERE prospect_property_id = $2::bigint RETURNING 1",
		2, pv2, err);
	if (!res)
		goto out;
	ret = 1;
out:
	PQclear(res);
	if (ret < 0) {
		mi_pg_rollback(conn);
	} else if (mi_pg_commit(conn, err) < 0) {
		ret = -1;
	}
	return ret;
}

static int out_err(FILE *out, struct mi_err *err)
{
	if (ferror(out))
		return mi_err_set(err, MI_EXIT_IO, "cannot write the output");
	return 0;
}

int leads_print_lead(PGconn *conn, long long lead_id, FILE *out, struct mi_err *err)
{
	char id[32];
	const char *pv[1] = { id };
	PGresult *res = NULL;
	int ret = -1;

	snprintf(id, sizeof(id), "%lld", lead_id);
	res = mi_pg_query(conn,
		"SELECT pp.prospect_property_id, to_char(coalesce(pp.opportunity_score, 0), 'FM990.00'),"
		" pp.lead_source_code, pp.status, coalesce(pp.claimed_by, '-'),"
		" pr.display_name, concat_ws(', ', pr.mailing_address, pr.mailing_city,"
		"   concat_ws(' ', pr.mailing_state, pr.mailing_zip)),"
		" p.tmk_display, concat_ws(', ', p.address, p.city, p.island),"
		" concat_ws(' ', p.bedrooms || ' bd', p.bathrooms || ' ba', p.property_type),"
		" (SELECT count(*) FROM homeowner_acquisition.prospect_properties o"
		"   WHERE o.prospect_id = pp.prospect_id),"
		" pp.prospect_id"
		" FROM homeowner_acquisition.prospect_properties pp"
		" JOIN homeowner_acquisition.prospects pr ON pr.prospect_id = pp.prospect_id"
		" JOIN external.properties p ON p.tmk = pp.tmk"
		" WHERE pp.prospect_property_id = $1::bigint", 1, pv, err);
	if (!res)
		goto out;
	if (PQntuples(res) != 1) {
		mi_err_set(err, MI_EXIT_NOINPUT, "no lead %lld", lead_id);
		goto out;
	}
	fprintf(out, "lead %s  score %s  source %s  status %s  agent %s\n", PQgetvalue(res, 0, 0),
		PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
		PQgetvalue(res, 0, 4));
	fprintf(out, "owner     %s (prospect %s, %s propert%s)\n", PQgetvalue(res, 0, 5),
		PQgetvalue(res, 0, 11), PQgetvalue(res, 0, 10),
		strcmp(PQgetvalue(res, 0, 10), "1") ? "ies" : "y");
	if (*PQgetvalue(res, 0, 6))
		fprintf(out, "mailing   %s\n", PQgetvalue(res, 0, 6));
	fprintf(out, "parcel    %s  %s\n", PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8));
	if (*PQgetvalue(res, 0, 9))
		fprintf(out, "property  %s\n", PQgetvalue(res, 0, 9));
	PQclear(res);

	res = mi_pg_query(conn,
		"SELECT to_char((e ->> 'contribution')::numeric, 'FM990.00'), e ->> 'signal',"
		" etl.signal_reason(e ->> 'signal', e -> 'evidence')"
		" FROM homeowner_acquisition.prospect_properties pp,"
		"      jsonb_array_elements(pp.score_signals) WITH ORDINALITY AS s(e, i)"
		" WHERE pp.prospect_property_id = $1::bigint ORDER BY s.i", 1, pv, err);
	if (!res)
		goto out;
	fprintf(out, "reasons\n");
	for (int r = 0; r < PQntuples(res); r++)
		fprintf(out, "  %6s  %-24s %s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
			PQgetvalue(res, r, 2));
	if (!PQntuples(res))
		fprintf(out, "  (no signal)\n");
	PQclear(res);

	res = mi_pg_query(conn,
		"SELECT period_start, period_end, to_char(adr, 'FM$999,990.00'),"
		" to_char(occupancy * 100, 'FM990.0'), available_nights, projected_nights,"
		" to_char(gross_revenue, 'FM$999,999,990'), management_fee_pct,"
		" to_char(management_fee, 'FM$999,999,990'), to_char(net_to_owner, 'FM$999,999,990'),"
		" comp_count, compset_computed_on"
		" FROM homeowner_acquisition.revenue_projections"
		" WHERE prospect_property_id = $1::bigint AND scenario = 'expected'"
		" ORDER BY period_start DESC, created_at DESC LIMIT 1", 1, pv, err);
	if (!res)
		goto out;
	if (PQntuples(res))
		fprintf(out,
			"projection %s to %s: ADR %s x occupancy %s%% x %s nights = %s booked nights,\n"
			"           gross %s, management fee %s%% %s, net to owner %s\n"
			"           (%s comparable properties, competitive set of %s)\n",
			PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
			PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5),
			PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8),
			PQgetvalue(res, 0, 9), PQgetvalue(res, 0, 10), PQgetvalue(res, 0, 11));
	else
		fprintf(out, "projection none yet (no competitive set with metrics)\n");
	PQclear(res);
	res = mi_pg_query(conn,
		"SELECT string_agg(scenario || ' ' || to_char(net_to_owner, 'FM$999,999,990'), ', '"
		"                  ORDER BY scenario)"
		" FROM (SELECT DISTINCT ON (scenario) scenario, net_to_owner"
		"         FROM homeowner_acquisition.revenue_projections"
		"        WHERE prospect_property_id = $1::bigint AND scenario <> 'expected'"
		"        ORDER BY scenario, period_start DESC, created_at DESC) x", 1, pv, err);
	if (!res)
		goto out;
	if (!PQgetisnull(res, 0, 0))
		fprintf(out, "           net to owner by scenario: %s\n", PQgetvalue(res, 0, 0));
	ret = out_err(out, err);
out:
	PQclear(res);
	return ret;
}

int leads_print_queue(PGconn *conn, int limit, FILE *out, struct mi_err *err)
{
	char lim[16];
	const char *pv[1] = { lim };
	PGresult *res;

	snprintf(lim, sizeof(lim), "%d", limit);
	res = mi_pg_query(conn,
		"SELECT q.prospect_property_id, to_char(q.queue_score, 'FM990.00'), q.tmk_display,"
		" q.display_name, q.lead_source_code,"
		" coalesce((SELECT string_agg(etl.signal_reason(e ->> 'signal', e -> 'evidence'), '; '"
		"                             ORDER BY i)"
		"             FROM jsonb_array_elements(q.score_signals) WITH ORDINALITY s(e, i)"
		"            WHERE i <= 3), '-'),"
		" coalesce((SELECT to_char(rp.gross_revenue, 'FM$999,999,990') || ' gross, '"
		"                  || to_char(rp.net_to_owner, 'FM$999,999,990') || ' net to owner over '"
		"                  || (rp.period_end - rp.period_start) || ' days'"
		"             FROM homeowner_acquisition.revenue_projections rp"
		"            WHERE rp.prospect_property_id = q.prospect_property_id"
		"              AND rp.scenario = 'expected'"
		"            ORDER BY rp.period_start DESC, rp.created_at DESC LIMIT 1), 'no projection')"
		" FROM homeowner_acquisition.lead_queue q LIMIT $1::integer", 1, pv, err);
	if (!res)
		return -1;
	for (int r = 0; r < PQntuples(res); r++)
		fprintf(out, "%d. lead %s  score %s  %s  %s  [%s]  %s\n   %s\n", r + 1,
			PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
			PQgetvalue(res, r, 3), PQgetvalue(res, r, 4), PQgetvalue(res, r, 6),
			PQgetvalue(res, r, 5));
	if (!PQntuples(res))
		fprintf(out, "the lead queue is empty\n");
	PQclear(res);
	return out_err(out, err);
}
