#include "report.h"
#include "address.h"
#include "exitcode.h"
#include "opts.h"
#include "pg.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

void report_html_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

#define E(s) report_html_escape(out, (s))

static const char *css =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;"
	"color:#1d2a33;background:#f6f8f9}"
	"header{background:#0b4f6c;color:#fff;padding:18px 28px}"
	"header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}"
	"main{padding:8px 28px 40px;max-width:1200px}"
	"h2{margin:28px 0 8px;font-size:18px;color:#0b4f6c}"
	"p.note{color:#5b6b75;margin:0 0 10px}"
	"table{border-collapse:collapse;width:100%;background:#fff;"
	"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
	"th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e3e8eb;"
	"vertical-align:top}"
	"th{background:#eef3f5;font-weight:600;font-size:12px;text-transform:uppercase;"
	"letter-spacing:.03em;color:#3b4d57}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"td.tmk{font-family:ui-monospace,Menlo,monospace;white-space:nowrap}"
	"ul.reasons{margin:0;padding-left:16px}"
	".hot{color:#b3261e;font-weight:600}"
	".ok{color:#1b7f3b}.bad{color:#b3261e}.warn{color:#a86b00}"
	"small.mail{font-family:ui-monospace,Menlo,monospace;font-size:11px}"
	"td.owner{min-width:170px}span.tmk{font-family:ui-monospace,Menlo,monospace;"
	"white-space:nowrap}ul.reasons{min-width:210px}"
	"td.comp{font-size:13px;min-width:150px}"
	".cards{display:flex;flex-wrap:wrap;gap:14px}"
	".card{background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08);padding:10px 12px;"
	"width:360px}.card h3{font-size:14px;margin:0 0 4px}"
	"svg text{font:11px system-ui,sans-serif;fill:#3b4d57}";

/* A horizontal bar for a score 0-100. */
static void score_bar(FILE *out, double score, double hot)
{
	double w = score < 0 ? 0 : score > 100 ? 100 : score;

	fprintf(out,
		"<svg width=\"110\" height=\"14\" role=\"img\" aria-label=\"score %.0f\">"
		"<rect width=\"100\" height=\"10\" y=\"2\" fill=\"#e3e8eb\"/>"
		"<rect width=\"%.1f\" height=\"10\" y=\"2\" fill=\"%s\"/></svg>",
		score, w, score >= hot ? "#b3261e" : "#0b7285");
}

/* The mailing address in USPS form, lines joined by <br>. */
static void mailing_html(FILE *out, const char *care_of, const char *street, const char *city,
			 const char *state, const char *zip, const char *country)
{
	struct addr_usps u;

	if (!*street && !*city && !*zip) {
		fputs("<span class=\"warn\">no mailing address</span>", out);
		return;
	}
	addr_usps_format(street, city, state, zip, *country ? country : NULL, &u, NULL);
	if (*care_of) {
		fputs("C/O ", out);
		E(care_of);
		fputs("<br>", out);
	}
	if (u.street[0]) {
		E(u.street);
		if (u.unit[0]) {
			fputc(' ', out);
			E(u.unit);
		}
		fputs("<br>", out);
	}
	E(u.city);
	fputc(' ', out);
	E(u.state);
	fputc(' ', out);
	E(u.zip);
	if (u.foreign) {
		fputs("<br>", out);
		E(u.country);
	}
}

/*
 * Grouped bars: the subject against its competitive set, for ADR and
 * occupancy; a missing figure (NAN) is written "no data", never drawn as 0.
 */
static void compset_chart(FILE *out, double adr, double cs_adr, double occ, double cs_occ)
{
	double maxadr = fmax(fmax(isnan(adr) ? 0 : adr, isnan(cs_adr) ? 0 : cs_adr), 1);
	const struct { const char *label; double v; int money, y; const char *fill, *suffix; } bars[] = {
		{ "ADR", adr, 1, 2, "#0b7285", "" },
		{ NULL, cs_adr, 1, 16, "#adb5bd", " comp set" },
		{ "Occupancy", occ, 0, 44, "#0b7285", "" },
		{ NULL, cs_occ, 0, 58, "#adb5bd", " comp set" },
	};

	fputs("<svg width=\"340\" height=\"86\" role=\"img\" aria-label=\"ADR and occupancy "
	      "against the competitive set\">", out);
	for (size_t i = 0; i < sizeof(bars) / sizeof(bars[0]); i++) {
		double w;

		if (bars[i].label)
			fprintf(out, "<text x=\"0\" y=\"%d\">%s</text>", bars[i].y + 10, bars[i].label);
		if (isnan(bars[i].v)) {
			fprintf(out, "<text x=\"84\" y=\"%d\">no data%s</text>", bars[i].y + 10,
				bars[i].suffix);
			continue;
		}
		w = bars[i].money ? 150 * bars[i].v / maxadr : 150 * bars[i].v;
		fprintf(out, "<rect x=\"80\" y=\"%d\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>",
			bars[i].y, w, bars[i].fill);
		if (bars[i].money)
			fprintf(out, "<text x=\"%.1f\" y=\"%d\">$%.0f%s</text>", 84 + w, bars[i].y + 10,
				bars[i].v, bars[i].suffix);
		else
			fprintf(out, "<text x=\"%.1f\" y=\"%d\">%.0f%%%s</text>", 84 + w, bars[i].y + 10,
				bars[i].v * 100, bars[i].suffix);
	}
	fputs("</svg>", out);
}

static double num_or_nan(PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NAN : atof(PQgetvalue(res, r, c));
}

/*
 * The leads: one query (homeowner_acquisition.lead_board) gives every row of
 * the table and every card, so the comp-set ADR and occupancy of a lead are
 * the same strings in its row, its card, its reasons and its projection.
 */
enum {
	L_ID, L_NAME, L_CARE, L_STREET, L_CITY, L_STATE, L_ZIP, L_COUNTRY, L_TMK, L_ADDRESS, L_COUNT,
	L_HOLDINGS, L_OTHERS, L_SCORE, L_SOURCE, L_STAGE, L_CLAIM, L_AGENT, L_UNTIL, L_FOLLOW,
	L_DUE, L_REASONS, L_CS_ADR, L_CS_OCC, L_CS_N, L_CS_ON, L_OWN_ADR, L_OWN_OCC, L_CS_LATEST,
	L_CS_LATEST_N, L_PROJECTION, L_V_CS_ADR, L_V_CS_OCC, L_V_OWN_ADR, L_V_OWN_OCC, L_CONDITION
};

static void comp_text(FILE *out, PGresult *res, int r)
{
	if (!PQgetisnull(res, r, L_CS_ADR)) {
		fputs("comp set ADR ", out);
		E(PQgetvalue(res, r, L_CS_ADR));
		fputs(", occupancy ", out);
		E(PQgetvalue(res, r, L_CS_OCC));
		fputs(" (", out);
		E(PQgetvalue(res, r, L_CS_N));
		fputs(" comps, ", out);
		E(PQgetvalue(res, r, L_CS_ON));
		fputs(")", out);
	} else if (!PQgetisnull(res, r, L_CS_LATEST)) {
		fputs("competitive set of ", out);
		E(PQgetvalue(res, r, L_CS_LATEST_N));
		fputs(" (", out);
		E(PQgetvalue(res, r, L_CS_LATEST));
		fputs("): too few similar members with metrics for figures", out);
	} else {
		fputs("no competitive set yet", out);
	}
}

static int section_leads(PGconn *conn, const struct report_opts *o, FILE *out, struct mi_err *err)
{
	char limit[16];
	const char *p[1] = { limit };
	PGresult *res;
	int n, cards;

	snprintf(limit, sizeof(limit), "%d", o->queue_limit);
	res = mi_pg_query(
		conn,
		"SELECT b.lead_id, b.display_name, coalesce(b.care_of, ''), coalesce(b.mailing_address, ''),"
		" coalesce(b.mailing_city, ''), coalesce(b.mailing_state, ''), coalesce(b.mailing_zip, ''),"
		" coalesce(b.mailing_country, ''), b.best_tmk_display,"
		" concat_ws(', ', b.best_address, b.best_city), b.property_count, coalesce(b.holdings, ''),"
		" coalesce((SELECT string_agg(x.o ->> 'tmk_display', ', ' ORDER BY x.i)"
		"   FROM jsonb_array_elements(b.other_properties) WITH ORDINALITY x(o, i)), ''),"
		" round(b.queue_score)::text,"
		" coalesce((SELECT ls.name FROM homeowner_acquisition.lead_sources ls"
		"   WHERE ls.lead_source_code = b.lead_source_code), b.lead_source_code),"
		" b.stage, b.claim_state, coalesce(b.agent, ''),"
		" coalesce(to_char(b.claim_expires_at, 'YYYY-MM-DD HH24:MI'), ''),"
		" coalesce(b.follow_up_on::text, ''), b.follow_up_due::text,"
		" array_to_string(b.reasons, E'\\n'),"
		" to_char(b.compset_adr, 'FM$999,990.00'), round(b.compset_occupancy * 100) || '%',"
		" b.compset_members::text, b.compset_computed_on::text,"
		" coalesce(to_char(b.own_adr, 'FM$999,990.00'), 'no data'),"
		" coalesce(round(b.own_occupancy * 100) || '%', 'no data'),"
		" b.compset_latest_on::text, b.compset_latest_members::text,"
		" to_char(b.projected_gross, 'FM$999,999,990') || ' gross, '"
		"   || to_char(b.projected_net, 'FM$999,999,990') || ' net to owner over '"
		"   || (b.projection_end - b.projection_start) || ' days (occupancy '"
		"   || round(b.compset_occupancy * 100) || '% × ADR '"
		"   || to_char(b.compset_adr, 'FM$999,990.00') || ')',"
		" b.compset_adr, b.compset_occupancy, b.own_adr, b.own_occupancy,"
		/* the best property's condition: a person's assessment over the remote estimate */
		" (SELECT 'condition ' || coalesce(c.overall_condition, 'not graded')"
		"   || coalesce(' ' || c.condition_score || '/10', '')"
		"   || coalesce(CASE WHEN c.capex_is_estimate AND c.estimated_capex = 0"
		"                    THEN ', no capex in the estimate'"
		"                    WHEN c.capex_is_estimate THEN ', capex estimate '"
		"                         || to_char(c.estimated_capex, 'FM$999,999,990')"
		"                    ELSE ', capex ' || to_char(c.estimated_capex, 'FM$999,999,990') END, '')"
		"   || CASE WHEN c.by_person"
		"        THEN ' (' || replace(c.assessment_type, '_', ' ') || ' by ' || c.assessed_by"
		"             || ', ' || c.assessed_on || ')'"
		"        ELSE ' (remote estimate, ' || c.confidence || ' confidence)' END"
		"   FROM homeowner_acquisition.current_assessment c WHERE c.tmk = b.best_tmk)"
		" FROM homeowner_acquisition.lead_board b"
		" WHERE b.stage IN ('new', 'contacted', 'meeting', 'proposal', 'negotiating', 'nurture')"
		"   AND NOT b.do_not_contact AND b.suppression_id IS NULL"
		"   AND coalesce(b.snoozed_until <= current_date, true)"
		" ORDER BY b.queue_score DESC, b.lead_id LIMIT $1::int",
		1, p, err);
	if (!res)
		return -1;
	n = PQntuples(res);
	fputs("<h2>Leads</h2>\n<p class=\"note\">Owners worth calling, best first by their best "
	      "property, whoever holds them: waiting ones are taken with <code>mi-leads next</code>. "
	      "Do-not-contact, suppressed and snoozed owners and our own properties never appear. "
	      "The comp-set figures of a lead are its projection's, in its row and its card.</p>\n",
	      out);
	if (n == 0) {
		fputs("<p>No open lead.</p>\n", out);
		PQclear(res);
		return 0;
	}
	fputs("<table><tr><th>#</th><th>Owner and mailing address</th><th>Properties</th>"
	      "<th>Score</th><th>Stage and claim</th><th>Why</th><th>Comp set and projection</th>"
	      "</tr>\n", out);
	for (int r = 0; r < n; r++) {
		double score = atof(PQgetvalue(res, r, L_SCORE));
		char *reasons = PQgetvalue(res, r, L_REASONS), *line;
		const char *claim = PQgetvalue(res, r, L_CLAIM);

		fprintf(out, "<tr id=\"lead-%s\"><td class=\"num\">%d</td><td class=\"owner\"><b>",
			PQgetvalue(res, r, L_ID), r + 1);
		E(PQgetvalue(res, r, L_NAME));
		fputs("</b> <small>lead ", out);
		E(PQgetvalue(res, r, L_ID));
		fputs("</small><br><small class=\"mail\">", out);
		mailing_html(out, PQgetvalue(res, r, L_CARE), PQgetvalue(res, r, L_STREET),
			     PQgetvalue(res, r, L_CITY), PQgetvalue(res, r, L_STATE),
			     PQgetvalue(res, r, L_ZIP), PQgetvalue(res, r, L_COUNTRY));
		fputs("</small></td><td><span class=\"tmk\">", out);
		E(PQgetvalue(res, r, L_TMK));
		fputs("</span><br><small>", out);
		E(PQgetvalue(res, r, L_ADDRESS));
		if (*PQgetvalue(res, r, L_HOLDINGS)) {
			fputs("<br>", out);
			E(PQgetvalue(res, r, L_HOLDINGS));
			fputs("<br>also ", out);
			E(PQgetvalue(res, r, L_OTHERS));
		}
		if (!PQgetisnull(res, r, L_CONDITION)) {
			fputs("<br><span class=\"cond\">", out);
			E(PQgetvalue(res, r, L_CONDITION));
			fputs("</span>", out);
		}
		fprintf(out, "</small></td><td class=\"num%s\">", score >= 70 ? " hot" : "");
		E(PQgetvalue(res, r, L_SCORE));
		fputs(" ", out);
		score_bar(out, score, 70);
		fputs("<br><small>", out);
		E(PQgetvalue(res, r, L_SOURCE));
		fputs("</small></td><td>", out);
		E(PQgetvalue(res, r, L_STAGE));
		fputs("<br><small>", out);
		if (!strcmp(claim, "claimed")) {
			fputs("claimed by <b>", out);
			E(PQgetvalue(res, r, L_AGENT));
			fputs("</b> until ", out);
			E(PQgetvalue(res, r, L_UNTIL));
		} else if (!strcmp(claim, "lapsed")) {
			fputs("<span class=\"warn\">waiting: ", out);
			E(PQgetvalue(res, r, L_AGENT));
			fputs("'s claim lapsed</span>", out);
		} else {
			fputs("waiting", out);
		}
		if (*PQgetvalue(res, r, L_FOLLOW)) {
			fprintf(out, "<br><span class=\"%s\">follow-up%s ",
				!strcmp(PQgetvalue(res, r, L_DUE), "true") ? "bad" : "ok",
				!strcmp(PQgetvalue(res, r, L_DUE), "true") ? " due" : "");
			E(PQgetvalue(res, r, L_FOLLOW));
			fputs("</span>", out);
		}
		fputs("</small></td><td><ul class=\"reasons\">", out);
		while ((line = strsep(&reasons, "\n")) != NULL) {
			if (!*line)
				continue;
			fputs("<li>", out);
			E(line);
			fputs("</li>", out);
		}
		fputs("</ul></td><td class=\"comp\">", out);
		comp_text(out, res, r);
		fputs("<br>", out);
		if (!PQgetisnull(res, r, L_PROJECTION))
			E(PQgetvalue(res, r, L_PROJECTION));
		else
			fputs("no projection", out);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);

	/* the cards of the first leads, from the same rows */
	cards = n < o->compset_limit ? n : o->compset_limit;
	fputs("<h2>The leads against their competitive sets</h2>\n<p class=\"note\">The best "
	      "property of each of the first leads against its competitive set: its own trailing "
	      "ADR and occupancy (from its calendar) and the comp set's (the similarity-weighted "
	      "means its projection uses). Definitions: docs/metrics.md.</p>\n<div class=\"cards\">\n",
	      out);
	for (int r = 0; r < cards; r++) {
		fprintf(out, "<div class=\"card\" id=\"card-%s\"><h3 class=\"tmk\">", PQgetvalue(res, r, L_ID));
		E(PQgetvalue(res, r, L_TMK));
		fputs("</h3><small>", out);
		E(PQgetvalue(res, r, L_NAME));
		fputs(" &middot; lead ", out);
		E(PQgetvalue(res, r, L_ID));
		fputs("<br>own ADR ", out);
		E(PQgetvalue(res, r, L_OWN_ADR));
		fputs(", occupancy ", out);
		E(PQgetvalue(res, r, L_OWN_OCC));
		fputs("<br>", out);
		comp_text(out, res, r);
		fputs("</small><br>", out);
		if (!PQgetisnull(res, r, L_CS_ADR) || !PQgetisnull(res, r, L_V_OWN_ADR) ||
		    !PQgetisnull(res, r, L_V_OWN_OCC))
			compset_chart(out, num_or_nan(res, r, L_V_OWN_ADR), num_or_nan(res, r, L_V_CS_ADR),
				      num_or_nan(res, r, L_V_OWN_OCC), num_or_nan(res, r, L_V_CS_OCC));
		fputs("</div>\n", out);
	}
	fputs("</div>\n", out);
	PQclear(res);
	return 0;
}

/* Follow-ups due today or earlier, by agent. */
static int section_follow_ups(PGconn *conn, FILE *out, struct mi_err *err)
{
	PGresult *res = mi_pg_query(
		conn,
		"SELECT coalesce(b.agent, '-'), b.follow_up_on::text, b.lead_id, b.display_name, b.stage,"
		" b.claim_state"
		" FROM homeowner_acquisition.lead_board b"
		" WHERE b.follow_up_due AND NOT b.do_not_contact AND b.suppression_id IS NULL"
		"   AND b.stage IN ('new', 'contacted', 'meeting', 'proposal', 'negotiating', 'nurture')"
		" ORDER BY b.agent, b.follow_up_on, b.lead_id", 0, NULL, err);

	if (!res)
		return -1;
	fputs("<h2>Follow-ups due</h2>\n", out);
	if (!PQntuples(res)) {
		fputs("<p>No follow-up is due.</p>\n", out);
		PQclear(res);
		return 0;
	}
	fputs("<table><tr><th>Agent</th><th>Due</th><th>Lead</th><th>Owner</th><th>Stage</th>"
	      "</tr>\n", out);
	for (int r = 0; r < PQntuples(res); r++) {
		fputs("<tr><td>", out);
		E(PQgetvalue(res, r, 0));
		if (strcmp(PQgetvalue(res, r, 5), "claimed"))
			fputs(" <small class=\"warn\">(claim lapsed)</small>", out);
		fputs("</td><td class=\"bad\">", out);
		E(PQgetvalue(res, r, 1));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(res, r, 2));
		fputs("</td><td>", out);
		E(PQgetvalue(res, r, 3));
		fputs("</td><td>", out);
		E(PQgetvalue(res, r, 4));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	PQclear(res);
	return 0;
}

/* The contracts in force: onboarding progress, the overdue tasks named. */
static int section_onboarding(PGconn *conn, FILE *out, struct mi_err *err)
{
	PGresult *res = mi_pg_query(
		conn,
		"SELECT c.contract_number, p.display_name, coalesce(pr.tmk_display, pr.tmk),"
		" coalesce(pr.address, ''), c.status, c.start_date::text,"
		" count(*) FILTER (WHERE op.status = 'done')::text, count(op.*)::text,"
		" coalesce(string_agg(op.task_code || ' (due ' || op.due_on || ')', ', '"
		"   ORDER BY op.due_on, op.task_code) FILTER (WHERE op.status IN ('pending',"
		"   'in_progress', 'blocked') AND op.due_on < current_date), ''),"
		" c.prospect_id::text"
		" FROM homeowner_acquisition.contracts c"
		" JOIN homeowner_acquisition.prospects p ON p.prospect_id = c.prospect_id"
		" JOIN external.properties pr ON pr.tmk = c.tmk"
		" LEFT JOIN homeowner_acquisition.onboarding_progress op ON op.contract_id = c.contract_id"
		" WHERE c.status IN ('signed', 'active')"
		" GROUP BY c.contract_id, p.display_name, pr.tmk_display, pr.tmk, pr.address"
		" ORDER BY c.start_date, c.contract_id", 0, NULL, err);

	if (!res)
		return -1;
	fputs("<h2>Onboarding</h2>\n", out);
	if (!PQntuples(res)) {
		fputs("<p>No contract is in force.</p>\n", out);
		PQclear(res);
		return 0;
	}
	fputs("<p class=\"note\">The owners under contract and their onboarding checklist "
	      "(mi-leads contract show): tasks done by the team or by the nightly data, and the "
	      "open ones past their due date.</p>\n<table><tr><th>Contract</th><th>Owner</th>"
	      "<th>Property</th><th>Since</th><th>Done</th><th>Overdue</th></tr>\n", out);
	for (int r = 0; r < PQntuples(res); r++) {
		fprintf(out, "<tr id=\"contract-%s\"><td>", PQgetvalue(res, r, 0));
		E(PQgetvalue(res, r, 0));
		fputs(" <small>", out);
		E(PQgetvalue(res, r, 4));
		fputs("</small></td><td>", out);
		E(PQgetvalue(res, r, 1));
		fputs(" <small>lead ", out);
		E(PQgetvalue(res, r, 9));
		fputs("</small></td><td class=\"tmk\">", out);
		E(PQgetvalue(res, r, 2));
		fputs("<br><small>", out);
		E(PQgetvalue(res, r, 3));
		fputs("</small></td><td>", out);
		E(PQgetvalue(res, r, 5));
		fputs("</td><td class=\"num\">", out);
		E(PQgetvalue(res, r, 6));
		fputs(" of ", out);
		E(PQgetvalue(res, r, 7));
		if (*PQgetvalue(res, r, 8)) {
			fputs("</td><td class=\"bad\">OVERDUE: ", out);
			E(PQgetvalue(res, r, 8));
		} else {
			fputs("</td><td>none", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	PQclear(res);
	return 0;
}

static int section_compsets(PGconn *conn, const struct report_opts *o, FILE *out,
			    struct mi_err *err)
{
	char limit[16];
	const char *p[1] = { limit };
	PGresult *res;

	snprintf(limit, sizeof(limit), "%d", o->compset_limit);
	/* our units: the same figures as a lead's (etl.compset_figures, the settings' similarity) */
	res = mi_pg_query(
		conn,
		"SELECT coalesce(p.tmk_display, p.tmk), coalesce(p.address, ''), f.n_occ::text,"
		" f.computed_on::text, to_char(m.adr, 'FM$999,990.00'), round(m.occupancy * 100) || '%',"
		" to_char(f.adr, 'FM$999,990.00'), round(f.occ * 100) || '%',"
		" (SELECT round(avg(c.distance_m)) FROM external.competitive_sets c"
		"   WHERE c.subject_tmk = f.tmk AND c.computed_on = f.computed_on)::text,"
		" m.adr, f.adr, m.occupancy, f.occ"
		" FROM etl.compset_figures(current_date,"
		"      coalesce((SELECT (s.settings ->> 'compset_min_similarity')::numeric"
		"                  FROM etl.lead_settings s), 0.5)) f"
		" JOIN external.properties p ON p.tmk = f.tmk"
		" LEFT JOIN LATERAL (SELECT mm.adr, mm.occupancy FROM etl.market_metrics mm"
		"   WHERE mm.subject_kind = 'property' AND mm.tmk = f.tmk"
		"   AND mm.window_kind = 'trailing' ORDER BY mm.as_of DESC LIMIT 1) m ON true"
		" WHERE p.is_ours"
		" ORDER BY f.tmk LIMIT $1::int",
		1, p, err);
	if (!res)
		return -1;
	fputs("<h2>Our properties against their competitive sets</h2>\n<p class=\"note\">Each of "
	      "our units against its competitive set, trailing window: the similarity-weighted "
	      "means of the members, as for a lead. Booked nights are inferred from calendar "
	      "snapshots (a night that turns unavailable between two snapshots); nights "
	      "unavailable in every snapshot count as blocked. Definitions: "
	      "docs/metrics.md.</p>\n<div class=\"cards\">\n",
	      out);
	if (PQntuples(res) == 0)
		fputs("<p>None of our units has a competitive set yet (run mi-compset).</p>\n", out);
	for (int r = 0; r < PQntuples(res); r++) {
		fputs("<div class=\"card\"><h3 class=\"tmk\">", out);
		E(PQgetvalue(res, r, 0));
		fputs(" <small class=\"ok\">ours</small></h3><small>", out);
		E(PQgetvalue(res, r, 1));
		fputs(" &middot; ", out);
		{
			long comps = atol(PQgetvalue(res, r, 2));
			fprintf(out, "%ld comp%s with metrics", comps, comps == 1 ? "" : "s");
			if (!PQgetisnull(res, r, 8)) {
				double dist = atof(PQgetvalue(res, r, 8));
				if (dist >= 1000)
					fprintf(out, ", mean distance %.1f km", dist / 1000);
				else
					fprintf(out, ", mean distance %.0f m", dist);
			}
		}
		fputs(", computed ", out);
		E(PQgetvalue(res, r, 3));
		fputs("<br>own ADR ", out);
		E(PQgetisnull(res, r, 4) ? "no data" : PQgetvalue(res, r, 4));
		fputs(", occupancy ", out);
		E(PQgetisnull(res, r, 5) ? "no data" : PQgetvalue(res, r, 5));
		fputs("; comp set ADR ", out);
		E(PQgetisnull(res, r, 6) ? "no data" : PQgetvalue(res, r, 6));
		fputs(", occupancy ", out);
		E(PQgetisnull(res, r, 7) ? "no data" : PQgetvalue(res, r, 7));
		fputs("</small><br>", out);
		compset_chart(out, num_or_nan(res, r, 9), num_or_nan(res, r, 10), num_or_nan(res, r, 11),
			      num_or_nan(res, r, 12));
		fputs("</div>\n", out);
	}
	fputs("</div>\n", out);
	PQclear(res);
	return 0;
}

static int section_sentiment(PGconn *conn, FILE *out, struct mi_err *err)
{
	PGresult *res = mi_pg_query(
		conn,
		"SELECT a.key, count(*)::text, round(avg(a.value::text::numeric), 3)::text,"
		" count(*) FILTER (WHERE a.value::text::numeric < -0.05)::text,"
		" (a.key IN ('cleanliness', 'maintenance', 'communication', 'checkin', 'check_in',"
		"  'accuracy', 'amenities'))::text"
		" FROM external.property_reviews r,"
		" jsonb_each(CASE WHEN jsonb_typeof(r.aspect_scores) = 'object'"
		"   THEN r.aspect_scores ELSE '{}' END) a"
		" WHERE jsonb_typeof(a.value) = 'number'"
		" GROUP BY a.key ORDER BY avg(a.value::text::numeric), a.key",
		0, NULL, err);
	int n;

	if (!res)
		return -1;
	n = PQntuples(res);
	fputs("<h2>Review sentiment by aspect</h2>\n<p class=\"note\">Mean sentiment (-1 to +1) "
	      "of the review sentences about each aspect, and how many were negative. Aspects a "
	      "manager controls (marked PM) feed the opportunity score; location and building "
	      "complaints do not.</p>\n",
	      out);
	if (!n) {
		fputs("<p>No scored reviews yet.</p>\n", out);
		PQclear(res);
		return 0;
	}
	fprintf(out, "<svg width=\"720\" height=\"%d\" role=\"img\" aria-label=\"sentiment by "
		     "aspect\"><line x1=\"360\" y1=\"0\" x2=\"360\" y2=\"%d\" stroke=\"#adb5bd\"/>",
		24 * n + 10, 24 * n + 4);
	for (int r = 0; r < n; r++) {
		double v = atof(PQgetvalue(res, r, 2));
		double w = fabs(v) * 200, y = 24.0 * r + 4;
		int pm = !strcmp(PQgetvalue(res, r, 4), "true");
		fprintf(out, "<text x=\"0\" y=\"%.0f\">", y + 12);
		E(PQgetvalue(res, r, 0));
		fprintf(out, "%s</text>", pm ? " (PM)" : "");
		fprintf(out, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>",
			v < 0 ? 360 - w : 360, y, w, v < 0 ? "#b3261e" : "#1b7f3b");
		fprintf(out, "<text x=\"%.1f\" y=\"%.0f\">%+.2f &middot; ", v < 0 ? 360 + 6 : 366 + w,
			y + 12, v);
		E(PQgetvalue(res, r, 1));
		fputs(" mentions, ", out);
		E(PQgetvalue(res, r, 3));
		fputs(" negative</text>", out);
	}
	fputs("</svg>\n", out);
	PQclear(res);
	return 0;
}

static int section_run(PGconn *conn, FILE *out, struct mi_err *err)
{
	PGresult *run, *st, *rej;
	const char *p[1];
	int ret = -1;

	run = mi_pg_query(conn,
			  "SELECT run_id, kind, status, to_char(started_at, 'YYYY-MM-DD HH24:MI TZ'),"
			  " coalesce(round(extract(epoch FROM finished_at - started_at))::text, '?'),"
			  " coalesce(exit_code::text, '')"
			  " FROM etl.runs ORDER BY started_at DESC LIMIT 1",
			  0, NULL, err);
	if (!run)
		return -1;
	fputs("<h2>Last run</h2>\n", out);
	if (!PQntuples(run)) {
		fputs("<p>No run recorded yet.</p>\n", out);
		PQclear(run);
		return 0;
	}
	fputs("<p class=\"note\">Run <code>", out);
	E(PQgetvalue(run, 0, 0));
	fputs("</code> (", out);
	E(PQgetvalue(run, 0, 1));
	fputs(") started ", out);
	E(PQgetvalue(run, 0, 3));
	fputs(", took ", out);
	E(PQgetvalue(run, 0, 4));
	fputs(" s: <b>", out);
	E(PQgetvalue(run, 0, 2));
	fputs("</b>.</p>\n", out);
	p[0] = PQgetvalue(run, 0, 0);
	st = mi_pg_query(conn,
			 "SELECT stage, coalesce(source, '-'), status, rows_read::text,"
			 " (rows_inserted + rows_updated)::text, rows_unchanged::text,"
			 " rows_rejected::text, coalesce(error, '')"
			 " FROM etl.stage_results WHERE run_id = $1"
			 " ORDER BY array_position(ARRAY['fetch','parse','score','load','compset',"
			 "'leads'], stage), source NULLS LAST",
			 1, p, err);
	if (!st)
		goto out_run;
	fputs("<table><tr><th>Stage</th><th>Source</th><th>Status</th><th>Read</th>"
	      "<th>Written</th><th>Unchanged</th><th>Rejected</th><th>Note</th></tr>\n", out);
	for (int r = 0; r < PQntuples(st); r++) {
		const char *status = PQgetvalue(st, r, 2);
		fputs("<tr><td>", out);
		E(PQgetvalue(st, r, 0));
		fputs("</td><td>", out);
		E(PQgetvalue(st, r, 1));
		fprintf(out, "</td><td class=\"%s\">",
			!strcmp(status, "succeeded") ? "ok" : !strcmp(status, "failed") ? "bad" : "warn");
		E(status);
		for (int c = 3; c < 7; c++) {
			fputs("</td><td class=\"num\">", out);
			E(PQgetvalue(st, r, c));
		}
		fputs("</td><td><small>", out);
		E(PQgetvalue(st, r, 7));
		fputs("</small></td></tr>\n", out);
	}
	fputs("</table>\n", out);
	PQclear(st);
	rej = mi_pg_query(conn,
			  "SELECT source, reason, count(*)::text FROM etl.rejects"
			  " WHERE run_id = $1 GROUP BY source, reason"
			  " ORDER BY count(*) DESC, source, reason LIMIT 15",
			  1, p, err);
	if (!rej)
		goto out_run;
	if (PQntuples(rej)) {
		fputs("<h2>Rejected records</h2>\n<p class=\"note\">Every rejected record is kept "
		      "in etl.rejects with its file, line, byte offset and an excerpt.</p>\n"
		      "<table><tr><th>Source</th><th>Reason</th><th>Records</th></tr>\n", out);
		for (int r = 0; r < PQntuples(rej); r++) {
			fputs("<tr><td>", out);
			E(PQgetvalue(rej, r, 0));
			fputs("</td><td>", out);
			E(PQgetvalue(rej, r, 1));
			fputs("</td><td class=\"num\">", out);
			E(PQgetvalue(rej, r, 2));
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	PQclear(rej);
	ret = 0;
out_run:
	PQclear(run);
	return ret;
}

int report_write(PGconn *conn, const struct report_opts *o, FILE *out, struct mi_err *err)
{
	struct report_opts def = { 25, 12, NULL };
	time_t now = time(NULL);
	char when[64];

	if (!o)
		o = &def;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	      "<title>", out);
	E(o->title ? o->title : "Market intelligence");
	fprintf(out, "</title><style>%s</style></head><body>\n<header><h1>", css);
	E(o->title ? o->title : "Market intelligence");
	fprintf(out, "</h1><p>Hawaii vacation-rental market &middot; generated %s by "
		     "mi-report %s</p></header>\n<main>\n", when, MI_VERSION);
	if (section_leads(conn, o, out, err) < 0 || section_follow_ups(conn, out, err) < 0 ||
	    section_onboarding(conn, out, err) < 0 || section_compsets(conn, o, out, err) < 0 ||
	    section_sentiment(conn, out, err) < 0 || section_run(conn, out, err) < 0)
		return -1;
	fputs("</main></body></html>\n", out);
	if (ferror(out))
		return mi_err_set(err, MI_EXIT_IO, "cannot write the report: %s", strerror(errno));
	return 0;
}
