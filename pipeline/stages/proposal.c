#include "proposal.h"

#include "deskexec.h"
#include "exitcode.h"
#include "report.h"
#include "sha256.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static int out_ok(FILE *out, struct mi_err *err)
{
	if (ferror(out))
		return mi_err_set(err, MI_EXIT_IO, "cannot write the output");
	return 0;
}

/* "proposal P-2026-0001  lead 4  status sent  version 2 ..." */
static int print_state(PGconn *conn, const char *id, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { id };
	PGresult *res;

	if (desk_exec(conn,
		"SELECT 'proposal ' || p.proposal_number || '  lead ' || p.prospect_id || '  status '"
		" || p.status || '  version ' || p.current_version_no"
		" || coalesce('  sent ' || to_char(p.sent_at, 'YYYY-MM-DD'), '')"
		" || coalesce('  decided ' || to_char(p.decided_at, 'YYYY-MM-DD'), '')"
		" || CASE WHEN p.status IN ('draft', 'sent', 'negotiating')"
		"         THEN coalesce('  offer stands until ' || p.expires_on, '') ELSE '' END"
		" FROM homeowner_acquisition.proposals p WHERE p.proposal_id = $1::bigint",
		1, pv, &res, err) < 0)
		return -1;
	if (PQntuples(res) == 1)
		fprintf(out, "%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return out_ok(out, err);
}

int proposal_number(PGconn *conn, long long id, char *buf, size_t size, struct mi_err *err)
{
	char ids[32];
	const char *pv[1] = { ids };
	PGresult *res;

	snprintf(ids, sizeof(ids), "%lld", id);
	if (desk_exec(conn, "SELECT proposal_number FROM homeowner_acquisition.proposals"
			    " WHERE proposal_id = $1::bigint", 1, pv, &res, err) < 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		mi_err_set(err, MI_EXIT_NOINPUT, "no proposal %lld", id);
		snprintf(err->sqlstate, sizeof(err->sqlstate), "LD010");
		return -1;
	}
	snprintf(buf, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* The terms as a JSON object, built by the database from text parameters $n..$n+4. */
#define TERMS_JSON(a, b, c, d, e)                                                             \
	"jsonb_strip_nulls(jsonb_build_object('management_fee_pct', " a "::numeric,"          \
	" 'onboarding_fee', " b "::numeric, 'contract_term_months', " c "::numeric,"           \
	" 'termination_notice_days', " d "::numeric, 'minimum_guarantee', " e "::numeric))"

int proposal_draft(PGconn *conn, long long lead, const char *agent, const struct proposal_terms *t,
		   const char *tmk13, const char *settings_json, long long *id, FILE *out,
		   struct mi_err *err)
{
	char leads[32], ids[32];
	const char *pv[9] = { leads, agent, tmk13, settings_json, t->fee_pct, t->onboarding_fee,
			      t->term_months, t->notice_days, t->guarantee };
	PGresult *res;

	snprintf(leads, sizeof(leads), "%lld", lead);
	if (desk_exec(conn,
		"SELECT homeowner_acquisition.draft_proposal($1::bigint, $2, "
		TERMS_JSON("coalesce($5, s->>'management_fee_pct')",
			   "coalesce($6, s->>'onboarding_fee')",
			   "coalesce($7, s->>'contract_term_months')",
			   "coalesce($8, s->>'termination_notice_days')", "$9")
		", $3, coalesce((s->>'valid_days')::integer, 30))"
		" FROM (SELECT $4::jsonb AS s) x", 9, pv, &res, err) < 0)
		return -1;
	*id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	snprintf(ids, sizeof(ids), "%lld", *id);
	fprintf(out, "lead %lld: proposal %lld drafted (version 1)\n", lead, *id);
	if (print_state(conn, ids, out, err) < 0)
		return -1;
	fputc('\n', out);
	return proposal_show(conn, *id, out, err);
}

int proposal_revise(PGconn *conn, long long id, const char *agent, const struct proposal_terms *t,
		    const char *note, FILE *out, struct mi_err *err)
{
	char ids[32];
	const char *pv[8] = { ids, agent, note, t->fee_pct, t->onboarding_fee, t->term_months,
			      t->notice_days, t->guarantee };
	PGresult *res;

	snprintf(ids, sizeof(ids), "%lld", id);
	if (desk_exec(conn,
		"SELECT homeowner_acquisition.revise_proposal($1::bigint, $2, "
		TERMS_JSON("$4", "$5", "$6", "$7", "$8") ", $3)", 8, pv, &res, err) < 0)
		return -1;
	fprintf(out, "proposal %s: version %s written\n", ids, PQgetvalue(res, 0, 0));
	PQclear(res);
	return print_state(conn, ids, out, err);
}

int proposal_send(PGconn *conn, long long id, const char *agent, const char *document, FILE *out,
		  struct mi_err *err)
{
	char ids[32], hex[MI_SHA256_HEX], *abs = NULL;
	const char *pv[4] = { ids, agent, NULL, NULL };
	PGresult *res;
	int ret = -1;

	snprintf(ids, sizeof(ids), "%lld", id);
	if (document) {
		struct mi_sha256 h = MI_SHA256_INIT;
		char buf[65536];
		size_t n;
		FILE *f = fopen(document, "rb");

		if (!f)
			return mi_err_set(err, MI_EXIT_NOINPUT, "cannot open %s", document);
		if (mi_sha256_begin(&h) < 0) {
			fclose(f);
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		}
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			if (mi_sha256_add(&h, buf, n) < 0)
				break;
		if (ferror(f) || mi_sha256_end(&h, hex) < 0) {
			mi_sha256_release(&h);
			fclose(f);
			return mi_err_set(err, MI_EXIT_IO, "cannot read %s", document);
		}
		fclose(f);
		abs = realpath(document, NULL);
		pv[2] = abs ? abs : document;
		pv[3] = hex;
	}
	if (desk_exec(conn, "SELECT homeowner_acquisition.send_proposal($1::bigint, $2, $3, $4)", 4, pv,
		      &res, err) < 0)
		goto out;
	fprintf(out, "proposal %s: version %s sent%s%s\n", ids, PQgetvalue(res, 0, 0),
		document ? " with " : "", document ? pv[2] : "");
	PQclear(res);
	ret = print_state(conn, ids, out, err);
out:
	free(abs);
	return ret;
}

/* accept or decline: the function returns the version decided */
static int decide(PGconn *conn, long long id, const char *sql, const char *agent, const char *text,
		  const char *done, FILE *out, struct mi_err *err)
{
	char ids[32];
	const char *pv[3] = { ids, agent, text };
	PGresult *res;

	snprintf(ids, sizeof(ids), "%lld", id);
	if (desk_exec(conn, sql, 3, pv, &res, err) < 0)
		return -1;
	fprintf(out, "proposal %s: version %s %s\n", ids, PQgetvalue(res, 0, 0), done);
	PQclear(res);
	return print_state(conn, ids, out, err);
}

int proposal_accept(PGconn *conn, long long id, const char *agent, const char *note, FILE *out,
		    struct mi_err *err)
{
	return decide(conn, id, "SELECT homeowner_acquisition.accept_proposal($1::bigint, $2, $3)", agent,
		      note, "accepted", out, err);
}

int proposal_decline(PGconn *conn, long long id, const char *agent, const char *reason, FILE *out,
		     struct mi_err *err)
{
	return decide(conn, id, "SELECT homeowner_acquisition.decline_proposal($1::bigint, $2, $3)",
		      agent, reason, "declined", out, err);
}

/* The proposal, its current version and its expected projection: one row. */
#define HEAD_SQL                                                                                  \
	"SELECT p.proposal_number, p.prospect_id, p.status, p.current_version_no, p.prepared_by,"      \
	" coalesce(to_char(p.expires_on, 'FMMonth FMDD, YYYY'), ''),"                                \
	" pr.display_name, coalesce(ep.tmk_display, p.tmk), coalesce(ep.address, ''),"               \
	" coalesce(ep.city, ''), coalesce(ep.island, ''),"                                            \
	" coalesce(ep.bedrooms::text || ' bedroom' || CASE WHEN ep.bedrooms = 1 THEN '' ELSE 's' END"  \
	"          || ', ', '') || coalesce(ep.bathrooms::text || ' bath, ', '')"                     \
	"   || coalesce(ep.property_type, 'property'),"                                              \
	" to_char(v.management_fee_pct, 'FM990.##') || '%',"                                          \
	" coalesce(nullif(to_char(v.onboarding_fee, 'FM$999,990'), '$0'), 'none'),"                   \
	" coalesce(v.contract_term_months::text || ' months', 'open'),"                               \
	" coalesce(v.termination_notice_days::text || ' days', 'none'),"                              \
	" coalesce(to_char(v.minimum_guarantee, 'FM$999,999,990'), 'none'),"                         \
	" to_char(rp.period_start, 'FMMonth YYYY'), to_char(rp.period_end - 1, 'FMMonth YYYY'),"     \
	" coalesce(rp.confidence, ''), coalesce(to_char(rp.range_pct, 'FM990'), ''),"                \
	" coalesce(rp.assumptions->>'confidence_reason', ''), rp.comp_count,"                          \
	" coalesce(rp.compset_computed_on::text, ''), v.proposal_version_id, p.tmk,"                 \
	" coalesce(v.owner_nights_per_year, 0), coalesce(v.change_summary, ''),"                      \
	" to_char(v.created_at, 'FMMonth FMDD, YYYY'),"                                              \
	" coalesce(rp.assumptions #>> '{settings,cleaning_cost_per_stay}', ''),"                        \
	" coalesce(rp.assumptions #>> '{settings,average_stay_nights}', ''),"                           \
	" coalesce(rp.assumptions #>> '{settings,get_pct}', ''),"                                       \
	" coalesce(rp.assumptions #>> '{settings,tat_pct}', ''),"                                       \
	" coalesce(rp.assumptions #>> '{settings,channel_fee_pct}', ''),"                               \
	" coalesce(to_char((rp.assumptions #>> '{history,0}')::date, 'FMMonth YYYY'), ''),"            \
	" coalesce(to_char((rp.assumptions #>> '{history,1}')::date, 'FMMonth YYYY'), ''),"            \
	" coalesce(v.terms #>> '{assessment,type}', ''),"                                             \
	" coalesce(v.terms #>> '{assessment,overall_condition}', ''),"                                \
	" coalesce(v.terms #>> '{assessment,assessed_on}', ''),"                                      \
	" coalesce(v.terms #>> '{assessment,str_readiness_score}', ''),"                              \
	" coalesce(v.terms #>> '{assessment,compliance_status}', ''),"                                \
	" coalesce(v.terms #>> '{assessment,opportunity_score}', '')"                                 \
	" FROM homeowner_acquisition.proposals p"                                                    \
	" JOIN homeowner_acquisition.prospects pr ON pr.prospect_id = p.prospect_id"                  \
	" JOIN homeowner_acquisition.proposal_versions v"                                            \
	"   ON v.proposal_id = p.proposal_id AND v.version_no = p.current_version_no"                \
	" LEFT JOIN homeowner_acquisition.revenue_projections rp"                                    \
	"   ON rp.revenue_projection_id = v.revenue_projection_id"                                    \
	" LEFT JOIN external.properties ep ON ep.tmk = p.tmk"                                         \
	" WHERE p.proposal_id = $1::bigint"

enum {
	H_NUMBER, H_LEAD, H_STATUS, H_VERSION, H_BY, H_EXPIRES, H_OWNER, H_TMK, H_ADDRESS, H_CITY,
	H_ISLAND, H_KIND, H_FEE, H_ONBOARD, H_TERM, H_NOTICE, H_GUARANTEE, H_FROM, H_TO, H_CONF,
	H_RANGE, H_CONF_WHY, H_COMPS, H_COMPSET_ON, H_VERSION_ID, H_TMK13, H_OWNER_NIGHTS, H_CHANGE,
	H_WRITTEN, H_CLEAN, H_STAY, H_GET, H_TAT, H_CHANNEL, H_HIST_FROM, H_HIST_TO, H_AS_TYPE,
	H_AS_COND, H_AS_ON, H_AS_READY, H_AS_COMPLY, H_AS_SCORE
};

/* Per month: expected figures, and net and gross of the low and high cases. */
#define MONTHS_SQL                                                                               \
	"SELECT to_char(f.month, 'YYYY-MM'), to_char(f.month, 'Mon YYYY'),"                          \
	" max(f.projected_nights) FILTER (WHERE f.scenario = 'expected'),"                          \
	" to_char(max(f.adr) FILTER (WHERE f.scenario = 'expected'), 'FM$999,990'),"                 \
	" to_char(max(f.occupancy) FILTER (WHERE f.scenario = 'expected') * 100, 'FM990') || '%',"  \
	" to_char(max(f.gross_revenue) FILTER (WHERE f.scenario = 'expected'), 'FM$999,999,990'),"   \
	" to_char(max(f.management_fee) FILTER (WHERE f.scenario = 'expected'), 'FM$999,999,990'),"  \
	" to_char(max(f.cleaning_costs + f.taxes + f.channel_fees) FILTER (WHERE f.scenario = 'expected'),"\
	"         'FM$999,999,990'),"                                                               \
	" to_char(max(f.net_to_owner) FILTER (WHERE f.scenario = 'expected'), 'FM$999,999,990'),"    \
	" to_char(max(f.net_to_owner) FILTER (WHERE f.scenario = 'conservative'), 'FM$999,999,990'),"\
	" to_char(max(f.net_to_owner) FILTER (WHERE f.scenario = 'optimistic'), 'FM$999,999,990'),"  \
	" max(f.net_to_owner) FILTER (WHERE f.scenario = 'expected'),"                              \
	" max(f.net_to_owner) FILTER (WHERE f.scenario = 'conservative'),"                          \
	" max(f.net_to_owner) FILTER (WHERE f.scenario = 'optimistic'),"                            \
	" max(f.gross_revenue) FILTER (WHERE f.scenario = 'expected'),"                             \
	" max(f.basis) FILTER (WHERE f.scenario = 'expected')"                                       \
	" FROM homeowner_acquisition.proposal_figures($1::bigint) f"                                 \
	" GROUP BY f.month ORDER BY f.month"

enum { M_KEY, M_LABEL, M_NIGHTS, M_ADR, M_OCC, M_GROSS, M_FEE, M_COSTS, M_NET, M_NET_LO, M_NET_HI,
       M_NETV, M_NET_LOV, M_NET_HIV, M_GROSSV, M_BASIS };

/* The year, per case. */
#define YEAR_SQL                                                                                 \
	"SELECT f.scenario, sum(f.projected_nights),"                                                \
	" to_char(sum(f.gross_revenue), 'FM$999,999,990'),"                                          \
	" to_char(sum(f.management_fee), 'FM$999,999,990'),"                                         \
	" to_char(sum(f.cleaning_costs), 'FM$999,999,990'), to_char(sum(f.taxes), 'FM$999,999,990'),"\
	" to_char(sum(f.channel_fees), 'FM$999,999,990'),"                                           \
	" to_char(sum(f.net_to_owner), 'FM$999,999,990'),"                                           \
	" to_char(sum(f.gross_revenue) / nullif(sum(f.projected_nights), 0), 'FM$999,990'),"         \
	" to_char(sum(f.projected_nights) / nullif(sum(f.available_nights), 0) * 100, 'FM990') || '%',"\
	" to_char(sum(f.cleaning_costs + f.taxes + f.channel_fees), 'FM$999,999,990')"               \
	" FROM homeowner_acquisition.proposal_figures($1::bigint) f"                                 \
	" GROUP BY f.scenario"                                                                       \
	" ORDER BY array_position(ARRAY['conservative', 'expected', 'optimistic'], f.scenario)"

enum { Y_SCEN, Y_NIGHTS, Y_GROSS, Y_FEE, Y_CLEAN, Y_TAXES, Y_CHANNEL, Y_NET, Y_ADR, Y_OCC, Y_COSTS };

static int head(PGconn *conn, long long id, PGresult **res, struct mi_err *err)
{
	char ids[32];
	const char *pv[1] = { ids };

	snprintf(ids, sizeof(ids), "%lld", id);
	if (desk_exec(conn, HEAD_SQL, 1, pv, res, err) < 0)
		return -1;
	if (PQntuples(*res) != 1) {
		PQclear(*res);
		*res = NULL;
		mi_err_set(err, MI_EXIT_NOINPUT, "no proposal %lld", id);
		snprintf(err->sqlstate, sizeof(err->sqlstate), "LD010");
		return -1;
	}
	return 0;
}

int proposal_show(PGconn *conn, long long id, FILE *out, struct mi_err *err)
{
	PGresult *h = NULL, *m = NULL, *y = NULL, *v = NULL;
	const char *pv[1];
	char ids[32];
	int ret = -1;

	if (head(conn, id, &h, err) < 0)
		return -1;
	pv[0] = PQgetvalue(h, 0, H_VERSION_ID);
	if (desk_exec(conn, MONTHS_SQL, 1, pv, &m, err) < 0 || desk_exec(conn, YEAR_SQL, 1, pv, &y, err) < 0)
		goto out;
	snprintf(ids, sizeof(ids), "%lld", id);
	pv[0] = ids;
	if (desk_exec(conn,
		"SELECT v.version_no, to_char(v.created_at, 'YYYY-MM-DD HH24:MI'), v.created_by,"
		" to_char(v.management_fee_pct, 'FM990.00') || '%',"
		" coalesce(to_char(v.projected_net_to_owner, 'FM$999,999,990'), '-'),"
		" coalesce('sent ' || to_char(v.sent_at, 'YYYY-MM-DD'), 'not sent'),"
		" coalesce(v.change_summary, '')"
		" FROM homeowner_acquisition.proposal_versions v WHERE v.proposal_id = $1::bigint"
		" ORDER BY v.version_no", 1, pv, &v, err) < 0)
		goto out;

	fprintf(out, "proposal  %s  lead %s  status %s  version %s  prepared by %s\n",
		PQgetvalue(h, 0, H_NUMBER), PQgetvalue(h, 0, H_LEAD), PQgetvalue(h, 0, H_STATUS),
		PQgetvalue(h, 0, H_VERSION), PQgetvalue(h, 0, H_BY));
	fprintf(out, "owner     %s\n", PQgetvalue(h, 0, H_OWNER));
	fprintf(out, "property  %s  %s, %s\n", PQgetvalue(h, 0, H_TMK), PQgetvalue(h, 0, H_ADDRESS),
		PQgetvalue(h, 0, H_CITY));
	fprintf(out, "terms     management fee %s of gross rent; onboarding fee %s; term %s;\n"
		     "          notice %s; minimum guarantee %s; offer stands until %s\n",
		PQgetvalue(h, 0, H_FEE), PQgetvalue(h, 0, H_ONBOARD), PQgetvalue(h, 0, H_TERM),
		PQgetvalue(h, 0, H_NOTICE), PQgetvalue(h, 0, H_GUARANTEE), PQgetvalue(h, 0, H_EXPIRES));
	fprintf(out, "projection %s to %s, confidence %s (range %s%%): %s\n", PQgetvalue(h, 0, H_FROM),
		PQgetvalue(h, 0, H_TO), PQgetvalue(h, 0, H_CONF), PQgetvalue(h, 0, H_RANGE),
		PQgetvalue(h, 0, H_CONF_WHY));
	if (*PQgetvalue(h, 0, H_AS_TYPE))
		fprintf(out, "assessment %s of %s%s%s\n", PQgetvalue(h, 0, H_AS_TYPE),
			PQgetvalue(h, 0, H_AS_ON),
			*PQgetvalue(h, 0, H_AS_COND) ? ", condition " : "",
			PQgetvalue(h, 0, H_AS_COND));
	else
		fprintf(out, "assessment none\n");
	fprintf(out, "\n%-9s %7s %6s %5s %10s %9s %9s %10s   %s\n", "month", "nights", "ADR", "occ",
		"gross", "fee", "costs", "net", "net low - high");
	for (int r = 0; r < PQntuples(m); r++)
		fprintf(out, "%-9s %7s %6s %5s %10s %9s %9s %10s   %s - %s%s\n", PQgetvalue(m, r, M_KEY),
			PQgetvalue(m, r, M_NIGHTS), PQgetvalue(m, r, M_ADR), PQgetvalue(m, r, M_OCC),
			PQgetvalue(m, r, M_GROSS), PQgetvalue(m, r, M_FEE), PQgetvalue(m, r, M_COSTS),
			PQgetvalue(m, r, M_NET), PQgetvalue(m, r, M_NET_LO), PQgetvalue(m, r, M_NET_HI),
			strcmp(PQgetvalue(m, r, M_BASIS), "month") ? "  *" : "");
	for (int r = 0; r < PQntuples(y); r++)
		if (!strcmp(PQgetvalue(y, r, Y_SCEN), "expected"))
			fprintf(out, "%-9s %7s %6s %5s %10s %9s %9s %10s\n", "year", PQgetvalue(y, r, Y_NIGHTS),
				PQgetvalue(y, r, Y_ADR), PQgetvalue(y, r, Y_OCC), PQgetvalue(y, r, Y_GROSS),
				PQgetvalue(y, r, Y_FEE), PQgetvalue(y, r, Y_COSTS), PQgetvalue(y, r, Y_NET));
	fputs("          (* a month the comps' calendars did not show: their whole year's figures)\n", out);
	fprintf(out, "net to owner by case:");
	for (int r = 0; r < PQntuples(y); r++)
		fprintf(out, "%s %s %s", r ? "," : "", PQgetvalue(y, r, Y_SCEN), PQgetvalue(y, r, Y_NET));
	fprintf(out, "\n\nversions (%d)\n", PQntuples(v));
	for (int r = 0; r < PQntuples(v); r++)
		fprintf(out, "  %s  %s  %-10s fee %s  net %s  %s\n      %s\n", PQgetvalue(v, r, 0),
			PQgetvalue(v, r, 1), PQgetvalue(v, r, 2), PQgetvalue(v, r, 3), PQgetvalue(v, r, 4),
			PQgetvalue(v, r, 5), PQgetvalue(v, r, 6));
	ret = out_ok(out, err);
out:
	PQclear(h);
	PQclear(m);
	PQclear(y);
	PQclear(v);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* The printable page                                                         */
/* ------------------------------------------------------------------------ */

#define E(s) report_html_escape(out, (s))

/* Letter paper, 0.6 in margins: 7.3 in of width; nothing wider than the page. */
static const char *page_css =
	"@page{size:Letter;margin:0.6in}"
	"*{box-sizing:border-box}"
	"body{font:10.5pt/1.45 Georgia,'DejaVu Serif',serif;color:#1d2a33;margin:0 auto;max-width:7.3in;"
	"padding:0 0 24px}"
	"header{border-bottom:3px solid #0b4f6c;padding:12px 0 8px;margin-bottom:12px}"
	"header h1{font:600 20pt/1.2 system-ui,'DejaVu Sans',sans-serif;color:#0b4f6c;margin:0}"
	"header p{margin:4px 0 0;color:#4b5b65}"
	"h2{font:600 13pt system-ui,'DejaVu Sans',sans-serif;color:#0b4f6c;margin:18px 0 6px;"
	"break-after:avoid}"
	"section{break-inside:avoid}"
	".figures{display:flex;gap:10px;margin:10px 0}"
	".figure{flex:1;border:1px solid #d5dde2;padding:8px 10px;border-radius:4px}"
	".figure b{display:block;font:600 16pt system-ui,'DejaVu Sans',sans-serif;color:#0b4f6c}"
	".figure span{font-size:9pt;color:#4b5b65}"
	"table{border-collapse:collapse;width:100%;font-size:9.5pt}"
	"th,td{padding:3px 6px;border-bottom:1px solid #e3e8eb;text-align:left}"
	"th{font:600 8.5pt system-ui,'DejaVu Sans',sans-serif;color:#3b4d57;background:#eef3f5}"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"table.months{font-size:8.5pt}table.months td,table.months th{padding:2px 4px}"
	"table.months td:first-child{white-space:nowrap}"
	"tr{break-inside:avoid}tfoot td{font-weight:600;border-top:2px solid #0b4f6c}"
	"svg{display:block;width:100%;height:auto}"
	"svg text{font:10px system-ui,'DejaVu Sans',sans-serif;fill:#3b4d57}"
	"ul{margin:4px 0;padding-left:18px}li{margin:2px 0}"
	"p.small{font-size:9pt;color:#4b5b65}"
	"footer{margin-top:18px;border-top:1px solid #d5dde2;padding-top:6px;font-size:8.5pt;color:#4b5b65}";

/* The month-by-month chart: expected net as bars, the low-high range as a line. */
static void month_chart(FILE *out, PGresult *m)
{
	const double W = 700, H = 220, left = 56, bottom = 24, top = 10;
	double max = 1, min = 0, plot_h = H - bottom - top, step;
	int n = PQntuples(m);

	for (int r = 0; r < n; r++) {
		double hi = atof(PQgetvalue(m, r, M_NET_HIV)), lo = atof(PQgetvalue(m, r, M_NET_LOV));
		max = fmax(max, hi);
		min = fmin(min, lo);
	}
	step = n ? (W - left) / n : W;
	fprintf(out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"Net to owner by month, "
		     "expected with the low to high range\">", W, H);
	/* the axis: 0 and the top, in dollars */
	for (int i = 0; i <= 4; i++) {
		double v = min + (max - min) * i / 4, y = top + plot_h * (1 - (v - min) / (max - min));
		fprintf(out, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e8eb\"/>"
			     "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">$%.0f</text>",
			left, W, y, y, left - 4, y + 3, v);
	}
	for (int r = 0; r < n; r++) {
		double net = atof(PQgetvalue(m, r, M_NETV)), lo = atof(PQgetvalue(m, r, M_NET_LOV));
		double hi = atof(PQgetvalue(m, r, M_NET_HIV));
		double x = left + step * r, y0 = top + plot_h * (1 - (0 - min) / (max - min));
		double y = top + plot_h * (1 - (net - min) / (max - min));
		double ylo = top + plot_h * (1 - (lo - min) / (max - min));
		double yhi = top + plot_h * (1 - (hi - min) / (max - min));
		double bw = step * 0.56, cx = x + step / 2;

		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#0b7285\"/>",
			cx - bw / 2, fmin(y, y0), bw, fabs(y0 - y));
		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#a86b00\" "
			     "stroke-width=\"2\"/>"
			     "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#a86b00\" stroke-width=\"2\"/>"
			     "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#a86b00\" stroke-width=\"2\"/>",
			cx, cx, yhi, ylo, cx - 6, cx + 6, yhi, yhi, cx - 6, cx + 6, ylo, ylo);
		fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">", cx, H - 8);
		E(PQgetvalue(m, r, M_LABEL));
		fputs("</text>", out);
	}
	fputs("</svg>", out);
}

/* The comp set: each comparable's nightly rate and occupancy, with its similarity (the
 * longest bar leaves room for its label: "$1,250 (100%), 12.5 km away"). */
static void compset_chart(FILE *out, PGresult *c)
{
	const double W = 700, row = 18, left = 250;
	int n = PQntuples(c);
	double max = 1, H = row * n + 22;

	for (int r = 0; r < n; r++)
		if (!PQgetisnull(c, r, 3))
			max = fmax(max, atof(PQgetvalue(c, r, 3)));
	fprintf(out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"The comparable rentals' "
		     "average nightly rates\">", W, H);
	fprintf(out, "<text x=\"0\" y=\"11\" font-weight=\"600\">Comparable rental</text>"
		     "<text x=\"%.0f\" y=\"11\" font-weight=\"600\">Average nightly rate, booked nights "
		     "(occupancy)</text>", left);
	for (int r = 0; r < n; r++) {
		double y = 22 + row * r;

		fprintf(out, "<text x=\"0\" y=\"%.0f\">", y + 11);
		E(PQgetvalue(c, r, 1));
		fputs("</text>", out);
		if (PQgetisnull(c, r, 3)) {
			fprintf(out, "<text x=\"%.0f\" y=\"%.0f\">no bookings seen</text>", left, y + 11);
			continue;
		}
		double w = (W - left - 175) * atof(PQgetvalue(c, r, 3)) / max;
		fprintf(out, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"12\" fill=\"#0b7285\" "
			     "fill-opacity=\"%.2f\"/><text x=\"%.1f\" y=\"%.0f\">",
			left, y + 1, w, 0.35 + 0.65 * atof(PQgetvalue(c, r, 2)), left + w + 4, y + 11);
		E(PQgetvalue(c, r, 4));
		fputs("</text>", out);
	}
	fputs("</svg>", out);
}

int proposal_html(PGconn *conn, long long id, FILE *out, struct mi_err *err)
{
	PGresult *h = NULL, *m = NULL, *y = NULL, *c = NULL;
	const char *pv[2];
	const char *lo = "", *hi = "", *net = "", *gross = "", *fee = "", *clean = "", *taxes = "",
		   *channel = "", *nights = "", *adr = "", *occ = "", *costs = "";
	int ret = -1;

	if (head(conn, id, &h, err) < 0)
		return -1;
	pv[0] = PQgetvalue(h, 0, H_VERSION_ID);
	if (desk_exec(conn, MONTHS_SQL, 1, pv, &m, err) < 0 || desk_exec(conn, YEAR_SQL, 1, pv, &y, err) < 0)
		goto out;
	pv[0] = PQgetvalue(h, 0, H_TMK13);
	pv[1] = PQgetvalue(h, 0, H_COMPSET_ON);
	if (desk_exec(conn,
		"SELECT c.rank, coalesce(ep.address || coalesce(', ' || ep.city, ''),"
		"                        'listing ' || c.competitor_platform || ' ' || c.competitor_listing_id,"
		"                        c.competitor_tmk),"
		" c.similarity, c.adr,"
		" to_char(c.adr, 'FM$999,990') || coalesce(' (' || to_char(c.occupancy * 100, 'FM990')"
		"   || '%)', '') || CASE WHEN c.distance_m < 100 THEN ', next door'"
		"   ELSE coalesce(', ' || to_char(c.distance_m / 1000, 'FM990.0') || ' km away', '') END"
		" FROM external.competitive_sets c LEFT JOIN external.properties ep ON ep.tmk = c.competitor_tmk"
		" WHERE c.subject_tmk = $1 AND c.computed_on = nullif($2, '')::date AND c.similarity > 0"
		" ORDER BY c.rank LIMIT 10", 2, pv, &c, err) < 0)
		goto out;
	for (int r = 0; r < PQntuples(y); r++) {
		const char *s = PQgetvalue(y, r, Y_SCEN);
		if (!strcmp(s, "conservative"))
			lo = PQgetvalue(y, r, Y_NET);
		else if (!strcmp(s, "optimistic"))
			hi = PQgetvalue(y, r, Y_NET);
		else {
			net = PQgetvalue(y, r, Y_NET);
			gross = PQgetvalue(y, r, Y_GROSS);
			fee = PQgetvalue(y, r, Y_FEE);
			clean = PQgetvalue(y, r, Y_CLEAN);
			taxes = PQgetvalue(y, r, Y_TAXES);
			channel = PQgetvalue(y, r, Y_CHANNEL);
			nights = PQgetvalue(y, r, Y_NIGHTS);
			adr = PQgetvalue(y, r, Y_ADR);
			occ = PQgetvalue(y, r, Y_OCC);
			costs = PQgetvalue(y, r, Y_COSTS);
		}
	}

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>", out);
	fputs("Management proposal ", out);
	E(PQgetvalue(h, 0, H_NUMBER));
	fputs("</title><style>", out);
	fputs(page_css, out);
	fputs("</style></head><body>\n<header><h1>Vacation rental management proposal</h1><p>", out);
	fputs("Prepared for <b>", out);
	E(PQgetvalue(h, 0, H_OWNER));
	fputs("</b> &middot; ", out);
	E(PQgetvalue(h, 0, H_ADDRESS));
	if (*PQgetvalue(h, 0, H_CITY)) {
		fputs(", ", out);
		E(PQgetvalue(h, 0, H_CITY));
	}
	fputs("<br>Proposal ", out);
	E(PQgetvalue(h, 0, H_NUMBER));
	fputs(", version ", out);
	E(PQgetvalue(h, 0, H_VERSION));
	fputs(" of ", out);
	E(PQgetvalue(h, 0, H_WRITTEN));
	if (*PQgetvalue(h, 0, H_EXPIRES)) {
		fputs(" &middot; the offer stands until ", out);
		E(PQgetvalue(h, 0, H_EXPIRES));
	}
	fputs("</p></header>\n", out);

	/* the answer first: what the owner keeps */
	fputs("<section><div class=\"figures\">"
	      "<div class=\"figure\"><span>Projected net to you, first year</span><b>", out);
	E(net);
	fputs("</b><span>likely between ", out);
	E(lo);
	fputs(" and ", out);
	E(hi);
	fputs("</span></div><div class=\"figure\"><span>Projected rental income (gross)</span><b>", out);
	E(gross);
	fputs("</b><span>", out);
	E(nights);
	fputs(" booked nights at ", out);
	E(adr);
	fputs(" a night on average</span></div><div class=\"figure\"><span>Our management fee</span><b>", out);
	E(PQgetvalue(h, 0, H_FEE));
	fputs("</b><span>of rental income, ", out);
	E(fee);
	fputs(" in the first year</span></div></div></section>\n", out);

	/* the property */
	fputs("<section><h2>Your property</h2><p>", out);
	E(PQgetvalue(h, 0, H_ADDRESS));
	if (*PQgetvalue(h, 0, H_CITY)) {
		fputs(", ", out);
		E(PQgetvalue(h, 0, H_CITY));
	}
	if (*PQgetvalue(h, 0, H_ISLAND)) {
		fputs(", ", out);
		E(PQgetvalue(h, 0, H_ISLAND));
	}
	fputs(" (tax map key ", out);
	E(PQgetvalue(h, 0, H_TMK));
	fputs("): ", out);
	E(PQgetvalue(h, 0, H_KIND));
	fputs(".", out);
	/* a person's assessment only: the remote estimate is ours, not a finding to show */
	if (*PQgetvalue(h, 0, H_AS_TYPE) && strcmp(PQgetvalue(h, 0, H_AS_TYPE), "remote_condition")) {
		fputs(" Our ", out);
		fputs(!strcmp(PQgetvalue(h, 0, H_AS_TYPE), "site_visit") ? "site visit"
		      : !strcmp(PQgetvalue(h, 0, H_AS_TYPE), "photo_review") ? "photo review"
		      : "review", out);
		fputs(" of ", out);
		E(PQgetvalue(h, 0, H_AS_ON));
		if (*PQgetvalue(h, 0, H_AS_COND)) {
			fputs(" found it in ", out);
			E(PQgetvalue(h, 0, H_AS_COND));
			fputs(" condition", out);
		}
		fputs(".", out);
	}
	fputs("</p></section>\n", out);

	/* the comp set */
	fputs("<section><h2>The rentals we compared it with</h2><p class=\"small\">", out);
	E(PQgetvalue(h, 0, H_COMPS));
	fputs(" comparable vacation rentals nearby, the most similar first (a darker bar is a closer "
	      "match in size, type and place).</p>", out);
	compset_chart(out, c);
	fputs("</section>\n", out);

	/* month by month */
	fputs("<section><h2>Month by month</h2><p class=\"small\">Projected net to you each month from ", out);
	E(PQgetvalue(h, 0, H_FROM));
	fputs(" to ", out);
	E(PQgetvalue(h, 0, H_TO));
	fputs(": the bars are the expected case, the lines the range from a slow to a strong "
	      "year.</p>", out);
	month_chart(out, m);
	fputs("</section>\n<section><table class=\"months\"><thead><tr><th>Month</th>"
	      "<th class=\"num\">Nights</th><th class=\"num\">Rate</th><th class=\"num\">Income</th>"
	      "<th class=\"num\">Our fee</th><th class=\"num\">Costs</th>"
	      "<th class=\"num\">Net to you</th><th class=\"num\">Low &ndash; high</th></tr></thead><tbody>", out);
	for (int r = 0; r < PQntuples(m); r++) {
		fputs("<tr><td>", out);
		E(PQgetvalue(m, r, M_LABEL));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(m, r, M_NIGHTS));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(m, r, M_ADR));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(m, r, M_GROSS));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(m, r, M_FEE));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(m, r, M_COSTS));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(m, r, M_NET));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(m, r, M_NET_LO));
		fputs("&ndash;", out);
		E(PQgetvalue(m, r, M_NET_HI));
		fputs("</td></tr>", out);
	}
	fputs("</tbody><tfoot><tr><td>First year</td><td class=\"num\">", out);
	E(nights);
	fputs("</td><td class=\"num\">", out);
	E(adr);
	fputs("</td><td class=\"num\">", out);
	E(gross);
	fputs("</td><td class=\"num\">", out);
	E(fee);
	fputs("</td><td class=\"num\">", out);
	E(costs);
	fputs("</td><td class=\"num\">", out);
	E(net);
	fputs("</td><td class=\"num\">", out);
	E(lo);
	fputs("&ndash;", out);
	E(hi);
	fputs("</td></tr></tfoot></table></section>\n", out);

	/* fees and terms */
	fputs("<section><h2>Fees and terms</h2><table><tbody>"
	      "<tr><td>Management fee</td><td>", out);
	E(PQgetvalue(h, 0, H_FEE));
	fputs(" of rental income (", out);
	E(fee);
	fputs(" in the projected first year)</td></tr><tr><td>Onboarding fee</td><td>", out);
	E(PQgetvalue(h, 0, H_ONBOARD));
	fputs("</td></tr><tr><td>Term</td><td>", out);
	E(PQgetvalue(h, 0, H_TERM));
	fputs(", then month to month</td></tr><tr><td>Notice to end it</td><td>", out);
	E(PQgetvalue(h, 0, H_NOTICE));
	fputs("</td></tr><tr><td>Minimum guarantee</td><td>", out);
	E(PQgetvalue(h, 0, H_GUARANTEE));
	fputs("</td></tr><tr><td>Costs paid from rental income</td><td>cleanings ", out);
	E(clean);
	fputs(", general excise and transient accommodations taxes ", out);
	E(taxes);
	fputs(", booking site fees ", out);
	E(channel);
	fputs(" (first year, expected)</td></tr><tr><td>Net to you</td><td><b>", out);
	E(net);
	fputs("</b> in the first year, expected</td></tr></tbody></table></section>\n", out);

	/* what we do */
	fputs("<section><h2>What we do</h2><ul>"
	      "<li>List your home on the major booking sites, with professional photos and a "
	      "description we keep current.</li>"
	      "<li>Set the nightly rate every day from what comparable homes nearby are booking, "
	      "season by season.</li>"
	      "<li>Answer guests day and night, screen them, and handle check-in and check-out.</li>"
	      "<li>Arrange the cleaning and linen after every stay and inspect the home.</li>"
	      "<li>Look after maintenance and repairs, with your approval above an agreed amount.</li>"
	      "<li>Register and file the general excise and transient accommodations taxes, and "
	      "keep the licence numbers on every listing.</li>"
	      "<li>Send you a monthly statement and pay you what is yours each month.</li>"
	      "</ul></section>\n", out);

	/* the assumptions, in plain words */
	fputs("<section><h2>How we projected it</h2><ul><li>The figures come from the calendars of the "
	      "comparable rentals above: the nights they booked and the rates they got in each month "
	      "from ", out);
	E(PQgetvalue(h, 0, H_HIST_FROM));
	fputs(" to ", out);
	E(PQgetvalue(h, 0, H_HIST_TO));
	fputs(", weighted by how similar each is to your home. A month their calendars did not show "
	      "takes their figures for the whole period.</li><li>Expected: about ", out);
	E(occ);
	fputs(" of the nights booked over the year at ", out);
	E(adr);
	fputs(" a night on average. The range assumes occupancy and rates ", out);
	E(PQgetvalue(h, 0, H_RANGE));
	fputs("% lower or higher; our confidence in the projection is ", out);
	E(PQgetvalue(h, 0, H_CONF));
	fputs(" (", out);
	E(PQgetvalue(h, 0, H_CONF_WHY));
	fputs(").</li><li>", out);
	if (!strcmp(PQgetvalue(h, 0, H_OWNER_NIGHTS), "0")) {
		fputs("Every night is for rent: the projection keeps none for your own use.", out);
	} else {
		fputs("You keep ", out);
		E(PQgetvalue(h, 0, H_OWNER_NIGHTS));
		fputs(" nights a year for your own use; the others are for rent.", out);
	}
	fputs("</li><li>Each stay is taken as ", out);
	E(PQgetvalue(h, 0, H_STAY));
	fputs(" nights with one cleaning at $", out);
	E(PQgetvalue(h, 0, H_CLEAN));
	fputs("; general excise tax ", out);
	E(PQgetvalue(h, 0, H_GET));
	fputs("% and transient accommodations tax ", out);
	E(PQgetvalue(h, 0, H_TAT));
	fputs("% of rental income; the booking sites keep ", out);
	E(PQgetvalue(h, 0, H_CHANNEL));
	fputs("%.</li><li>Rental income is the nightly rates only; the guests' cleaning fees are "
	      "not counted as income. Repairs, supplies, utilities, insurance and property tax are "
	      "not included.</li><li>A projection is not a promise: the coming year can differ from the "
	      "last one.</li></ul></section>\n<footer>Proposal ", out);
	E(PQgetvalue(h, 0, H_NUMBER));
	fputs(" version ", out);
	E(PQgetvalue(h, 0, H_VERSION));
	fputs(" &middot; prepared by ", out);
	E(PQgetvalue(h, 0, H_BY));
	fputs("</footer>\n</body></html>\n", out);
	ret = out_ok(out, err);
out:
	PQclear(h);
	PQclear(m);
	PQclear(y);
	PQclear(c);
	return ret;
}
