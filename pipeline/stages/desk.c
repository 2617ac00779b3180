#include "desk.h"

#include "address.h"
#include "contract.h"
#include "deskexec.h"
#include "exitcode.h"
#include "pg.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

static int out_ok(FILE *out, struct mi_err *err)
{
	if (ferror(out))
		return mi_err_set(err, MI_EXIT_IO, "cannot write the output");
	return 0;
}

/* "lead 12  stage meeting  claimed by kalani until ...  follow-up ..." */
static int print_state(PGconn *conn, const char *id, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { id };
	PGresult *res;

	if (desk_exec(conn,
		"SELECT 'lead ' || p.prospect_id || '  stage ' || p.status"
		" || CASE WHEN p.claim_expires_at > now() THEN '  claimed by ' || p.assigned_to"
		"         || ' until ' || to_char(p.claim_expires_at, 'YYYY-MM-DD HH24:MI TZ')"
		"         WHEN p.claim_expires_at IS NOT NULL THEN '  claim of ' || p.assigned_to"
		"         || ' lapsed at ' || to_char(p.claim_expires_at, 'YYYY-MM-DD HH24:MI TZ')"
		"         WHEN p.status IN ('won', 'lost', 'do_not_contact') AND p.assigned_to IS NOT NULL"
		"         THEN '  (' || p.assigned_to || ')' ELSE '  in no agent''s hands' END"
		" || coalesce('  follow-up ' || p.follow_up_on"
		"    || CASE WHEN p.follow_up_on <= current_date THEN ' (due)' ELSE '' END, '')"
		" || coalesce('  snoozed until ' || p.snoozed_until, '')"
		" FROM homeowner_acquisition.prospects p WHERE p.prospect_id = $1::bigint",
		1, pv, &res, err) < 0)
		return -1;
	if (PQntuples(res) == 1)
		fprintf(out, "%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return out_ok(out, err);
}

/* Call an action (a query returning one value), then print what it did and the state. */
static int action(PGconn *conn, long long lead, const char *sql, int n, const char *const *pv,
		  const char *done, FILE *out, struct mi_err *err)
{
	char id[32];
	PGresult *res;

	if (desk_exec(conn, sql, n, pv, &res, err) < 0)
		return -1;
	PQclear(res);
	snprintf(id, sizeof(id), "%lld", lead);
	fprintf(out, "lead %s: %s\n", id, done);
	return print_state(conn, id, out, err);
}

int desk_next(PGconn *conn, const char *agent, long long *lead, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { agent };
	PGresult *res;

	if (desk_exec(conn, "SELECT homeowner_acquisition.claim_next_lead($1)", 1, pv, &res, err) < 0)
		return -1;
	if (PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return 0;
	}
	*lead = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (desk_show(conn, *lead, out, err) < 0)
		return -1;
	return 1;
}

int desk_assign(PGconn *conn, long long lead, const char *agent, const char *to, const char *note,
		FILE *out, struct mi_err *err)
{
	char id[32], done[160];
	const char *pv[4] = { id, agent, to, note };

	snprintf(id, sizeof(id), "%lld", lead);
	if (!strcmp(agent, to))
		snprintf(done, sizeof(done), "claimed by %s", agent);
	else
		snprintf(done, sizeof(done), "assigned to %s by %s", to, agent);
	return action(conn, lead, "SELECT homeowner_acquisition.assign_lead($1::bigint, $2, $3, $4)", 4,
		      pv, done, out, err);
}

int desk_release(PGconn *conn, long long lead, const char *agent, const char *reason, FILE *out,
		 struct mi_err *err)
{
	char id[32];
	const char *pv[3] = { id, agent, reason };

	snprintf(id, sizeof(id), "%lld", lead);
	return action(conn, lead, "SELECT homeowner_acquisition.release_lead($1::bigint, $2, $3)", 3, pv,
		      "released to the queue", out, err);
}

int desk_log(PGconn *conn, long long lead, const char *agent, const struct desk_log_opts *o,
	     FILE *out, struct mi_err *err)
{
	char id[32], done[160];
	const char *pv[8] = { id, agent, o->channel, o->outcome, o->note, o->follow_up, o->direction,
			      o->tmk };

	snprintf(id, sizeof(id), "%lld", lead);
	snprintf(done, sizeof(done), "%s logged%s%s", o->channel, o->outcome ? ": " : "",
		 o->outcome ? o->outcome : "");
	return action(conn, lead,
		      "SELECT homeowner_acquisition.log_lead_activity($1::bigint, $2, $3, $4, $5,"
		      " $6::date, $7, $8)", 8, pv, done, out, err);
}

int desk_assess(PGconn *conn, long long lead, const char *agent, const struct desk_assess_opts *o,
		FILE *out, struct mi_err *err)
{
	char id[32], done[160];
	const char *pv[7] = { id, agent, o->condition, o->score, o->capex, o->note, o->tmk };

	snprintf(id, sizeof(id), "%lld", lead);
	snprintf(done, sizeof(done), "site visit assessment recorded: %s%s%s", o->condition,
		 o->score ? " " : "", o->score ? o->score : "");
	if (o->score)
		snprintf(done + strlen(done), sizeof(done) - strlen(done), "/10");
	return action(conn, lead,
		      "SELECT homeowner_acquisition.record_assessment($1::bigint, $2, $3, $4::integer,"
		      " $5::numeric, $6, $7)", 7, pv, done, out, err);
}

int desk_status(PGconn *conn, long long lead, const char *agent, const char *stage,
		const char *reason, FILE *out, struct mi_err *err)
{
	char id[32], done[96];
	const char *pv[4] = { id, agent, stage, reason };

	snprintf(id, sizeof(id), "%lld", lead);
	snprintf(done, sizeof(done), "moved to %s", stage);
	return action(conn, lead, "SELECT homeowner_acquisition.set_lead_stage($1::bigint, $2, $3, $4)",
		      4, pv, done, out, err);
}

int desk_snooze(PGconn *conn, long long lead, const char *agent, const char *until,
		const char *note, FILE *out, struct mi_err *err)
{
	char id[32], done[64];
	const char *pv[4] = { id, agent, until, note };

	snprintf(id, sizeof(id), "%lld", lead);
	snprintf(done, sizeof(done), "snoozed until %s", until);
	return action(conn, lead, "SELECT homeowner_acquisition.snooze_lead($1::bigint, $2, $3::date, $4)",
		      4, pv, done, out, err);
}

int desk_dnc(PGconn *conn, long long lead, const char *agent, const char *reason, FILE *out,
	     struct mi_err *err)
{
	char id[32];
	const char *pv[3] = { id, agent, reason };
	PGresult *res;
	int already;

	snprintf(id, sizeof(id), "%lld", lead);
	if (desk_exec(conn, "SELECT homeowner_acquisition.mark_do_not_contact($1::bigint, $2, $3)", 3,
		      pv, &res, err) < 0)
		return -1;
	already = PQgetisnull(res, 0, 0);
	PQclear(res);
	if (already) {
		fprintf(out, "lead %s: already do-not-contact\n", id);
		return print_state(conn, id, out, err);
	}
	if (desk_exec(conn,
		"SELECT count(*) - 1 FROM homeowner_acquisition.prospects o"
		" JOIN homeowner_acquisition.prospects p ON p.owner_key = o.owner_key"
		" WHERE p.prospect_id = $1::bigint AND o.do_not_contact", 1, pv, &res, err) < 0)
		return -1;
	fprintf(out, "lead %s: do not contact, for good, with all its properties", id);
	if (atoll(PQgetvalue(res, 0, 0)) > 0)
		fprintf(out, " (and the %s other lead%s of the same owner)", PQgetvalue(res, 0, 0),
			strcmp(PQgetvalue(res, 0, 0), "1") ? "s" : "");
	fputc('\n', out);
	PQclear(res);
	return print_state(conn, id, out, err);
}

/* ------------------------------------------------------------------ */
/* show */

/* The mailing address in USPS form, one line after another, each indented. */
static void print_mailing(FILE *out, const char *label, const char *care_of, const char *street,
			  const char *city, const char *state, const char *zip, const char *country)
{
	struct addr_usps u;
	const char *ind = "          ";
	int first = 1;

	if (!*street && !*city && !*zip) {
		fprintf(out, "%-10sunknown (no mailing address on the roll)\n", label);
		return;
	}
	addr_usps_format(street, city, state, zip, *country ? country : NULL, &u, NULL);
#define LINE(...)                                                       \
	do {                                                            \
		fputs(first ? label : ind, out);                        \
		if (first)                                              \
			fprintf(out, "%*s", 10 - (int)strlen(label), ""); \
		fprintf(out, __VA_ARGS__);                              \
		fputc('\n', out);                                       \
		first = 0;                                              \
	} while (0)
	if (*care_of)
		LINE("C/O %s", care_of);
	if (u.street[0])
		LINE("%s%s%s", u.street, u.unit[0] ? " " : "", u.unit);
	LINE("%s%s%s%s%s", u.city, u.city[0] && u.state[0] ? " " : "", u.state,
	     (u.city[0] || u.state[0]) && u.zip[0] ? " " : "", u.zip);
	if (u.foreign)
		LINE("%s", u.country);
#undef LINE
}

static int show_owner(PGconn *conn, const char *id, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { id };
	PGresult *res;

	if (desk_exec(conn,
		"SELECT p.display_name, coalesce(p.owner_name_raw, ''), p.owner_kind,"
		" coalesce(p.care_of, ''), coalesce(p.mailing_address, ''), coalesce(p.mailing_city, ''),"
		" coalesce(p.mailing_state, ''), coalesce(p.mailing_zip, ''), coalesce(p.mailing_country, ''),"
		" p.status, coalesce(p.closed_reason, ''),"
		" coalesce(to_char(p.do_not_contact_at, 'YYYY-MM-DD') || ': ' || p.do_not_contact_reason, ''),"
		" coalesce((SELECT 'on the suppression list (entry ' || s.suppression_id || ', ' || s.source"
		"   || coalesce(' line ' || s.source_line, '') || ': ' || s.reason || ')'"
		"   FROM etl.lead_suppressions s WHERE s.suppression_id = b.suppression_id), ''),"
		" coalesce(to_char(p.signal_since_lost_at, 'YYYY-MM-DD'), ''),"
		" coalesce(to_char(p.last_contacted_at, 'YYYY-MM-DD HH24:MI'), 'never'),"
		" ls.name, to_char(p.created_at, 'YYYY-MM-DD'),"
		" coalesce(p.email, ''), coalesce(p.phone, ''),"
		" coalesce(to_char(b.queue_score, 'FM990.00'), '-'), coalesce(b.holdings, '')"
		" FROM homeowner_acquisition.prospects p"
		" JOIN homeowner_acquisition.lead_sources ls ON ls.lead_source_code = p.lead_source_code"
		" LEFT JOIN homeowner_acquisition.lead_board b ON b.lead_id = p.prospect_id"
		" WHERE p.prospect_id = $1::bigint", 1, pv, &res, err) < 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return mi_err_set(err, MI_EXIT_NOINPUT, "no lead %s", id);
	}
	fprintf(out, "owner     %s (%s", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 2));
	if (*PQgetvalue(res, 0, 1) && strcmp(PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0)))
		fprintf(out, "; on the roll %s", PQgetvalue(res, 0, 1));
	fprintf(out, "; a lead since %s from %s)\n", PQgetvalue(res, 0, 16), PQgetvalue(res, 0, 15));
	print_mailing(out, "mail", PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5),
		      PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8));
	if (*PQgetvalue(res, 0, 17) || *PQgetvalue(res, 0, 18))
		fprintf(out, "contact   %s%s%s\n", PQgetvalue(res, 0, 17),
			*PQgetvalue(res, 0, 17) && *PQgetvalue(res, 0, 18) ? "  " : "",
			PQgetvalue(res, 0, 18));
	fprintf(out, "score     %s (its best property)%s%s\n", PQgetvalue(res, 0, 19),
		*PQgetvalue(res, 0, 20) ? "; " : "", PQgetvalue(res, 0, 20));
	fprintf(out, "contacted %s\n", PQgetvalue(res, 0, 14));
	if (*PQgetvalue(res, 0, 10))
		fprintf(out, "%-10s%s\n", !strcmp(PQgetvalue(res, 0, 9), "lost") ? "lost" : "closed",
			PQgetvalue(res, 0, 10));
	if (*PQgetvalue(res, 0, 11))
		fprintf(out, "DO NOT CONTACT since %s\n", PQgetvalue(res, 0, 11));
	if (*PQgetvalue(res, 0, 12))
		fprintf(out, "SUPPRESSED %s\n", PQgetvalue(res, 0, 12));
	if (*PQgetvalue(res, 0, 13))
		fprintf(out, "NEW SIGNAL since the lead was lost (%s): see the activity below\n",
			PQgetvalue(res, 0, 13));
	PQclear(res);
	return out_ok(out, err);
}

/*
 * The property's condition: the assessment that counts (current_assessment:
 * a person's over the remote estimate), and the remote estimate a person's
 * overrode.
 */
static int show_condition(PGconn *conn, const char *pp_id, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { pp_id };
	PGresult *res;

	if (desk_exec(conn,
		"SELECT coalesce(c.overall_condition, 'not graded')"
		"   || coalesce(' ' || c.condition_score || '/10', ''),"
		" coalesce(CASE WHEN c.capex_is_estimate AND c.estimated_capex = 0"
		"   THEN 'no capex in the estimate'"
		"   WHEN c.capex_is_estimate"
		"   THEN 'capex estimate ' || to_char(c.estimated_capex, 'FM$999,999,990')"
		"   ELSE 'capex ' || to_char(c.estimated_capex, 'FM$999,999,990') END, 'no capex figure'),"
		" CASE WHEN c.by_person"
		"   THEN replace(c.assessment_type, '_', ' ') || ' by ' || c.assessed_by || ' '"
		"        || c.assessed_on"
		"   ELSE 'remote estimate ' || c.assessed_on || ', confidence ' || c.confidence END,"
		" CASE WHEN NOT c.by_person THEN 'from ' || (c.evidence ->> 'aspect_reviews')"
		"   || ' reviews on maintenance, cleanliness or amenities'"
		"   || coalesce('; complaints: ' || (SELECT string_agg(k || ' (' || (v ->> 'reviews')"
		"        || ')', ', ' ORDER BY k) FROM jsonb_each(c.evidence -> 'complaints') x(k, v)), '')"
		"   || coalesce('; built ' || coalesce(c.evidence #>> '{county,effective_year}',"
		"        c.evidence #>> '{county,year_built}'), '') END,"
		" coalesce(c.notes, ''), c.by_person,"
		" coalesce((SELECT 'remote estimate was ' || r.overall_condition || ' '"
		"   || r.condition_score || '/10, capex estimate '"
		"   || to_char(r.estimated_capex, 'FM$999,999,990') || ' (' || r.assessed_on || ')'"
		"   FROM homeowner_acquisition.property_assessments r"
		"   WHERE r.property_assessment_id = c.remote_assessment_id AND c.by_person), '')"
		" FROM homeowner_acquisition.prospect_properties pp"
		" JOIN homeowner_acquisition.current_assessment c ON c.tmk = pp.tmk"
		" WHERE pp.prospect_property_id = $1::bigint", 1, pv, &res, err) < 0)
		return -1;
	if (!PQntuples(res)) {
		fprintf(out, "condition not assessed (mi-leads assess records a site visit)\n");
	} else {
		/* columns: 0 grade, 1 capex, 2 whose, 3 remote evidence, 4 notes, 5 by person,
		 * 6 the remote estimate a person overrode */
		fprintf(out, "condition %s, %s (%s)\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
			PQgetvalue(res, 0, 2));
		if (*PQgetvalue(res, 0, 3))
			fprintf(out, "          %s\n", PQgetvalue(res, 0, 3));
		if (!strcmp(PQgetvalue(res, 0, 5), "t") && *PQgetvalue(res, 0, 4))
			fprintf(out, "          \"%s\"\n", PQgetvalue(res, 0, 4));
		if (*PQgetvalue(res, 0, 6))
			fprintf(out, "          (%s)\n", PQgetvalue(res, 0, 6));
	}
	PQclear(res);
	return out_ok(out, err);
}

/* One property: parcel, reasons, comp set, projection. */
static int show_property(PGconn *conn, const char *pp_id, int nth, int count, FILE *out,
			 struct mi_err *err)
{
	const char *pv[1] = { pp_id };
	PGresult *res;
	int ret = -1;

	if (desk_exec(conn,
		"SELECT pr.tmk_display, concat_ws(', ', pr.address, pr.city, pr.island),"
		" concat_ws(' ', pr.bedrooms || ' bd', pr.bathrooms || ' ba', pr.property_type),"
		" to_char(coalesce(pp.opportunity_score, 0) + pp.priority_boost, 'FM990.00'),"
		" pp.lead_source_code, pp.status, pr.is_ours::text, pp.relationship,"
		" cs.computed_on::text, coalesce(cs.members, 0),"
		" coalesce(to_char(own.adr, 'FM$999,990.00'), 'no data'),"
		" coalesce(round(own.occupancy * 100) || '%', 'no data')"
		" FROM homeowner_acquisition.prospect_properties pp"
		" JOIN external.properties pr ON pr.tmk = pp.tmk"
		" LEFT JOIN LATERAL (SELECT c.computed_on, count(*) AS members"
		"   FROM external.competitive_sets c WHERE c.subject_tmk = pp.tmk"
		"   GROUP BY c.computed_on ORDER BY c.computed_on DESC LIMIT 1) cs ON true"
		" LEFT JOIN LATERAL (SELECT mm.adr, mm.occupancy FROM etl.market_metrics mm"
		"   WHERE mm.subject_kind = 'property' AND mm.tmk = pp.tmk AND mm.window_kind = 'trailing'"
		"   ORDER BY mm.as_of DESC LIMIT 1) own ON true"
		" WHERE pp.prospect_property_id = $1::bigint", 1, pv, &res, err) < 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	fprintf(out, "\nproperty %d of %d  score %s  source %s", nth, count, PQgetvalue(res, 0, 3),
		PQgetvalue(res, 0, 4));
	if (strcmp(PQgetvalue(res, 0, 5), "new"))
		fprintf(out, "  (%s)", PQgetvalue(res, 0, 5));
	if (!strcmp(PQgetvalue(res, 0, 6), "true"))
		fputs("  (ours now)", out);
	if (strcmp(PQgetvalue(res, 0, 7), "owner"))
		fprintf(out, "  (as %s)", PQgetvalue(res, 0, 7));
	fprintf(out, "\nparcel    %s  %s\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	if (*PQgetvalue(res, 0, 2))
		fprintf(out, "property  %s\n", PQgetvalue(res, 0, 2));
	if (PQgetisnull(res, 0, 8))
		fprintf(out, "comp set  no competitive set yet; own ADR %s, occupancy %s\n",
			PQgetvalue(res, 0, 10), PQgetvalue(res, 0, 11));
	else
		fprintf(out, "comp set  %s members, computed %s; own ADR %s, occupancy %s\n",
			PQgetvalue(res, 0, 9), PQgetvalue(res, 0, 8), PQgetvalue(res, 0, 10),
			PQgetvalue(res, 0, 11));
	PQclear(res);
	if (show_condition(conn, pp_id, out, err) < 0)
		return -1;

	if (desk_exec(conn,
		"SELECT to_char((e ->> 'contribution')::numeric, 'FM990.00'), e ->> 'signal',"
		" etl.signal_reason(e ->> 'signal', e -> 'evidence')"
		" FROM homeowner_acquisition.prospect_properties pp,"
		"      jsonb_array_elements(pp.score_signals) WITH ORDINALITY AS s(e, i)"
		" WHERE pp.prospect_property_id = $1::bigint ORDER BY s.i", 1, pv, &res, err) < 0)
		return -1;
	fprintf(out, "reasons\n");
	for (int r = 0; r < PQntuples(res); r++)
		fprintf(out, "  %6s  %-24s %s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
			PQgetvalue(res, r, 2));
	if (!PQntuples(res))
		fprintf(out, "  (no signal)\n");
	PQclear(res);

	/* the projection the board shows: the property's latest expected one */
	if (desk_exec(conn,
		"SELECT period_start, period_end, to_char(adr, 'FM$999,990.00'),"
		" to_char(occupancy * 100, 'FM990.0'), available_nights, projected_nights,"
		" to_char(gross_revenue, 'FM$999,999,990'), management_fee_pct,"
		" to_char(management_fee, 'FM$999,999,990'), to_char(net_to_owner, 'FM$999,999,990'),"
		" comp_count, compset_computed_on,"
		" (SELECT string_agg(o.scenario || ' ' || to_char(o.net_to_owner, 'FM$999,999,990'), ', '"
		"                    ORDER BY o.scenario)"
		"    FROM homeowner_acquisition.revenue_projections o"
		"   WHERE o.tmk = rp.tmk AND o.scenario <> 'expected' AND o.period_start = rp.period_start"
		"     AND o.period_end = rp.period_end AND o.model_version = rp.model_version"
		"     AND o.compset_computed_on IS NOT DISTINCT FROM rp.compset_computed_on)"
		" FROM homeowner_acquisition.revenue_projections rp"
		" WHERE rp.tmk = (SELECT tmk FROM homeowner_acquisition.prospect_properties"
		"                 WHERE prospect_property_id = $1::bigint)"
		"   AND rp.scenario = 'expected'"
		" ORDER BY rp.period_start DESC, rp.revenue_projection_id DESC LIMIT 1", 1, pv, &res,
		err) < 0)
		return -1;
	if (PQntuples(res)) {
		fprintf(out,
			"projection %s to %s: ADR %s x occupancy %s%% x %s nights = %s booked nights,\n"
			"           gross %s, management fee %s%% %s, net to owner %s\n"
			"           (%s comparable properties, competitive set of %s)\n",
			PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
			PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5),
			PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8),
			PQgetvalue(res, 0, 9), PQgetvalue(res, 0, 10), PQgetvalue(res, 0, 11));
		if (!PQgetisnull(res, 0, 12))
			fprintf(out, "           net to owner by scenario: %s\n", PQgetvalue(res, 0, 12));
	} else {
		fprintf(out, "projection none yet (no competitive set with enough members with metrics)\n");
	}
	ret = 0;
	PQclear(res);
	return ret;
}

static int show_properties(PGconn *conn, const char *id, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { id };
	PGresult *res;
	int ret = 0;

	/* open ones best first (the board's order), then the closed ones */
	if (desk_exec(conn,
		"SELECT pp.prospect_property_id FROM homeowner_acquisition.prospect_properties pp"
		" JOIN external.properties pr ON pr.tmk = pp.tmk"
		" WHERE pp.prospect_id = $1::bigint"
		" ORDER BY (pp.status = 'new' AND NOT pr.is_ours) DESC,"
		"          coalesce(pp.opportunity_score, 0) + pp.priority_boost DESC, pp.tmk",
		1, pv, &res, err) < 0)
		return -1;
	for (int r = 0; r < PQntuples(res) && !ret; r++)
		ret = show_property(conn, PQgetvalue(res, r, 0), r + 1, PQntuples(res), out, err);
	if (!PQntuples(res))
		fprintf(out, "\nno property\n");
	PQclear(res);
	return ret < 0 ? -1 : out_ok(out, err);
}

static int show_activities(PGconn *conn, const char *id, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { id };
	PGresult *res;
	int n;

	if (desk_exec(conn,
		"SELECT to_char(a.occurred_at, 'YYYY-MM-DD HH24:MI'), coalesce(a.performed_by, '-'),"
		" coalesce(a.subject, a.activity_type), coalesce(a.body, ''),"
		" coalesce(' (follow-up ' || a.follow_up_on || ')', ''),"
		" coalesce(' -> ' || a.handed_to, '')"
		" FROM homeowner_acquisition.lead_activities a WHERE a.prospect_id = $1::bigint"
		" ORDER BY a.occurred_at DESC, a.lead_activity_id DESC", 1, pv, &res, err) < 0)
		return -1;
	n = PQntuples(res);
	fprintf(out, "\nactivity (%d, newest first)\n", n);
	for (int r = 0; r < n; r++) {
		fprintf(out, "  %s  %-10s %s%s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
			PQgetvalue(res, r, 2), PQgetvalue(res, r, 4));
		if (*PQgetvalue(res, r, 3))
			fprintf(out, "  %16s  %-10s \"%s\"\n", "", "", PQgetvalue(res, r, 3));
	}
	if (!n)
		fprintf(out, "  (none)\n");
	PQclear(res);
	return out_ok(out, err);
}

/*
 * The sections of the show screen, in order.  A later record of a lead
 * (proposals, contracts, assessments) adds its printer here.
 */
static const struct show_section {
	const char *name;
	int (*print)(PGconn *conn, const char *id, FILE *out, struct mi_err *err);
} show_sections[] = {
	{ "owner", show_owner },
	{ "properties", show_properties },
	{ "contracts", contract_show_lead },
	{ "activity", show_activities },
};

int desk_show(PGconn *conn, long long lead, FILE *out, struct mi_err *err)
{
	char id[32];
	const char *pv[1] = { id };
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", lead);
	if (desk_exec(conn, "SELECT 1 FROM homeowner_acquisition.prospects WHERE prospect_id = $1::bigint",
		      1, pv, &res, err) < 0)
		return -1;
	if (!PQntuples(res)) {
		PQclear(res);
		return mi_err_set(err, MI_EXIT_NOINPUT, "no lead %lld", lead);
	}
	PQclear(res);
	if (print_state(conn, id, out, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(show_sections) / sizeof(show_sections[0]); i++)
		if (show_sections[i].print(conn, id, out, err) < 0)
			return -1;
	return out_ok(out, err);
}

/* ------------------------------------------------------------------ */
/* lists */

/* One lead of a list: two or three lines. */
static void print_lead_row(FILE *out, PGresult *res, int r, const char *head)
{
	/* columns: 0 id, 1 score, 2 tmk, 3 name, 4 source, 5 projection, 6 reasons, 7 others */
	fprintf(out, "%s lead %s  score %s  %s  %s  [%s]  %s\n", head, PQgetvalue(res, r, 0),
		PQgetvalue(res, r, 1), PQgetvalue(res, r, 2), PQgetvalue(res, r, 3),
		PQgetvalue(res, r, 4), PQgetvalue(res, r, 5));
	fprintf(out, "   %s\n", PQgetvalue(res, r, 6));
	if (*PQgetvalue(res, r, 7))
		fprintf(out, "   also %s\n", PQgetvalue(res, r, 7));
}

/* The columns print_lead_row reads, from lead_board b. */
#define LEAD_ROW_COLUMNS                                                                      \
	" b.lead_id, to_char(b.queue_score, 'FM990.00'), b.best_tmk_display, b.display_name,"  \
	" b.lead_source_code,"                                                                 \
	" coalesce(to_char(b.projected_gross, 'FM$999,999,990') || ' gross, '"                 \
	"   || to_char(b.projected_net, 'FM$999,999,990') || ' net to owner over '"            \
	"   || (b.projection_end - b.projection_start) || ' days', 'no projection'),"          \
	" coalesce(nullif(concat_ws('; ', b.holdings,"                                         \
	"   nullif(array_to_string(b.reasons[1:3], '; '), '')), ''), '-'),"                    \
	" coalesce((SELECT string_agg((o ->> 'tmk_display') || ' ('"                           \
	"   || to_char((o ->> 'score')::numeric, 'FM990.00') || ')', ', ' ORDER BY i)"          \
	"   FROM jsonb_array_elements(b.other_properties) WITH ORDINALITY x(o, i)), '')"

int desk_queue(PGconn *conn, int limit, FILE *out, struct mi_err *err)
{
	char lim[16];
	const char *pv[1] = { lim };
	PGresult *res;

	snprintf(lim, sizeof(lim), "%d", limit);
	if (desk_exec(conn,
		"SELECT" LEAD_ROW_COLUMNS
		" FROM homeowner_acquisition.lead_queue b ORDER BY b.queue_score DESC, b.lead_id"
		" LIMIT $1::integer", 1, pv, &res, err) < 0)
		return -1;
	for (int r = 0; r < PQntuples(res); r++) {
		char head[16];

		snprintf(head, sizeof(head), "%d.", r + 1);
		print_lead_row(out, res, r, head);
	}
	if (!PQntuples(res))
		fprintf(out, "the lead queue is empty\n");
	PQclear(res);
	return out_ok(out, err);
}

int desk_mine(PGconn *conn, const char *agent, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { agent };
	PGresult *res;
	int n, due = 0;

	if (desk_exec(conn,
		"SELECT" LEAD_ROW_COLUMNS ","
		" b.follow_up_due, coalesce(b.follow_up_on::text, ''), b.stage,"
		" to_char(b.claim_expires_at, 'YYYY-MM-DD HH24:MI')"
		" FROM homeowner_acquisition.lead_board b"
		" WHERE b.agent = $1 AND b.claim_state = 'claimed'"
		"   AND coalesce(b.snoozed_until <= current_date, true)"
		" ORDER BY b.follow_up_due DESC, CASE WHEN b.follow_up_due THEN b.follow_up_on END,"
		"          b.queue_score DESC, b.lead_id", 1, pv, &res, err) < 0)
		return -1;
	n = PQntuples(res);
	for (int r = 0; r < n; r++)
		due += !strcmp(PQgetvalue(res, r, 8), "t");
	fprintf(out, "%s: %d lead%s, %d follow-up%s due\n", agent, n, n == 1 ? "" : "s", due,
		due == 1 ? "" : "s");
	for (int r = 0; r < n; r++) {
		char head[96];

		if (!strcmp(PQgetvalue(res, r, 8), "t"))
			snprintf(head, sizeof(head), "%d. FOLLOW-UP DUE %s  %s ", r + 1,
				 PQgetvalue(res, r, 9), PQgetvalue(res, r, 10));
		else if (*PQgetvalue(res, r, 9))
			snprintf(head, sizeof(head), "%d. follow-up %s  %s ", r + 1, PQgetvalue(res, r, 9),
				 PQgetvalue(res, r, 10));
		else
			snprintf(head, sizeof(head), "%d. %s ", r + 1, PQgetvalue(res, r, 10));
		print_lead_row(out, res, r, head);
		fprintf(out, "   claim until %s\n", PQgetvalue(res, r, 11));
	}
	PQclear(res);

	/* what the agent holds but does not see above */
	if (desk_exec(conn,
		"SELECT b.lead_id, b.display_name, CASE WHEN b.claim_state = 'lapsed'"
		"   THEN 'claim lapsed at ' || to_char(b.claim_expires_at, 'YYYY-MM-DD HH24:MI')"
		"        || ': claim it again with mi-leads claim ' || b.lead_id"
		"   ELSE 'snoozed until ' || b.snoozed_until END"
		" FROM homeowner_acquisition.lead_board b"
		" WHERE b.agent = $1 AND b.stage NOT IN ('won', 'lost', 'do_not_contact')"
		"   AND (b.claim_state = 'lapsed' OR (b.claim_state = 'claimed' AND b.snoozed_until > current_date))"
		" ORDER BY b.claim_state, b.lead_id", 1, pv, &res, err) < 0)
		return -1;
	for (int r = 0; r < PQntuples(res); r++)
		fprintf(out, "   lead %s  %s: %s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
			PQgetvalue(res, r, 2));
	PQclear(res);
	return out_ok(out, err);
}
