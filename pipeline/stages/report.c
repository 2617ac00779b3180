#include "report.h"
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

static int section_queue(PGconn *conn, const struct report_opts *o, FILE *out,
			 struct mi_err *err)
{
	char limit[16];
	const char *p[1] = { limit };
	PGresult *res;

	snprintf(limit, sizeof(limit), "%d", o->queue_limit);
	res = mi_pg_query(
		conn,
		"SELECT q.display_name, coalesce(q.tmk_display, q.tmk),"
		" coalesce(q.address, '') || coalesce(', ' || q.city, ''),"
		" round(q.queue_score)::text,"
		" coalesce((SELECT ls.name FROM homeowner_acquisition.lead_sources ls"
		"   WHERE ls.lead_source_code = q.lead_source_code), q.lead_source_code),"
		" coalesce((SELECT string_agg(etl.signal_reason(e ->> 'signal', e -> 'evidence'),"
		"   E'\\n' ORDER BY (e ->> 'contribution')::numeric DESC NULLS LAST, i)"
		"   FROM jsonb_array_elements(CASE WHEN jsonb_typeof(q.score_signals) = 'array'"
		"        THEN q.score_signals ELSE '[]' END) WITH ORDINALITY s(e, i)), ''),"
		" coalesce((SELECT to_char(rp.gross_revenue, 'FM$999,999,990') || ' gross, '"
		"   || to_char(rp.net_to_owner, 'FM$999,999,990') || ' net to owner over '"
		"   || (rp.period_end - rp.period_start) || ' days (occupancy '"
		"   || round(rp.occupancy * 100) || '% × ADR ' || to_char(rp.adr, 'FM$99,990') || ')'"
		"   FROM homeowner_acquisition.revenue_projections rp"
		"   WHERE rp.tmk = q.tmk AND rp.scenario = 'expected'"
		"   ORDER BY rp.created_at DESC LIMIT 1), 'no competitive set yet')"
		" FROM homeowner_acquisition.lead_queue q LIMIT $1::int",
		1, p, err);
	if (!res)
		return -1;
	fputs("<h2>Lead queue</h2>\n<p class=\"note\">Owners worth calling, best first. "
	      "Do-not-contact owners and our own properties never appear. Take the next "
	      "lead with <code>mi-leads next --agent NAME</code>.</p>\n",
	      out);
	if (PQntuples(res) == 0) {
		fputs("<p>The queue is empty.</p>\n", out);
		PQclear(res);
		return 0;
	}
	fputs("<table><tr><th>#</th><th>Owner</th><th>Parcel (TMK)</th><th>Score</th>"
	      "<th>Why</th><th>Revenue projection</th></tr>\n", out);
	for (int r = 0; r < PQntuples(res); r++) {
		double score = atof(PQgetvalue(res, r, 3));
		char *reasons = PQgetvalue(res, r, 5), *line;
		fprintf(out, "<tr><td class=\"num\">%d</td><td>", r + 1);
		E(PQgetvalue(res, r, 0));
		fputs("</td><td class=\"tmk\">", out);
		E(PQgetvalue(res, r, 1));
		fputs("<br><small>", out);
		E(PQgetvalue(res, r, 2));
		fprintf(out, "</small></td><td class=\"num%s\">", score >= 70 ? " hot" : "");
		E(PQgetvalue(res, r, 3));
		fputs(" ", out);
		score_bar(out, score, 70);
		fputs("<br><small>", out);
		E(PQgetvalue(res, r, 4));
		fputs("</small></td><td><ul class=\"reasons\">", out);
		while ((line = strsep(&reasons, "\n")) != NULL) {
			if (!*line)
				continue;
			fputs("<li>", out);
			E(line);
			fputs("</li>", out);
		}
		fputs("</ul></td><td>", out);
		E(PQgetvalue(res, r, 6));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	PQclear(res);
	return 0;
}

/* Grouped bars: subject vs competitive-set median, for ADR and occupancy. */
static void compset_chart(FILE *out, double adr, double cs_adr, double occ, double cs_occ)
{
	double maxadr = fmax(fmax(adr, cs_adr), 1);
	double a1 = 150 * adr / maxadr, a2 = 150 * cs_adr / maxadr;
	double o1 = 150 * occ, o2 = 150 * cs_occ;

	fprintf(out,
		"<svg width=\"340\" height=\"86\" role=\"img\" aria-label=\"ADR and occupancy "
		"against the competitive set\">"
		"<text x=\"0\" y=\"12\">ADR</text>"
		"<rect x=\"80\" y=\"2\" width=\"%.1f\" height=\"12\" fill=\"#0b7285\"/>"
		"<text x=\"%.1f\" y=\"12\">$%.0f</text>"
		"<rect x=\"80\" y=\"16\" width=\"%.1f\" height=\"12\" fill=\"#adb5bd\"/>"
		"<text x=\"%.1f\" y=\"26\">$%.0f comp set</text>"
		"<text x=\"0\" y=\"54\">Occupancy</text>"
		"<rect x=\"80\" y=\"44\" width=\"%.1f\" height=\"12\" fill=\"#0b7285\"/>"
		"<text x=\"%.1f\" y=\"54\">%.0f%%</text>"
		"<rect x=\"80\" y=\"58\" width=\"%.1f\" height=\"12\" fill=\"#adb5bd\"/>"
		"<text x=\"%.1f\" y=\"68\">%.0f%% comp set</text></svg>",
		a1, 84 + a1, adr, a2, 84 + a2, cs_adr, o1, 84 + o1, occ * 100, o2, 84 + o2,
		cs_occ * 100);
}

static int section_compsets(PGconn *conn, const struct report_opts *o, FILE *out,
			    struct mi_err *err)
{
	char limit[16];
	const char *p[1] = { limit };
	PGresult *res;

	snprintf(limit, sizeof(limit), "%d", o->compset_limit);
	res = mi_pg_query(
		conn,
		"WITH latest AS (SELECT subject_tmk, max(computed_on) AS d"
		"   FROM external.competitive_sets GROUP BY subject_tmk),"
		" cs AS (SELECT c.subject_tmk, c.computed_on, count(*) AS members,"
		"   percentile_cont(0.5) WITHIN GROUP (ORDER BY c.adr) AS adr,"
		"   percentile_cont(0.5) WITHIN GROUP (ORDER BY c.occupancy) AS occ,"
		"   percentile_cont(0.5) WITHIN GROUP (ORDER BY c.revpar) AS revpar,"
		"   round(avg(c.distance_m)) AS dist"
		"   FROM external.competitive_sets c JOIN latest l"
		"   ON l.subject_tmk = c.subject_tmk AND l.d = c.computed_on"
		"   GROUP BY c.subject_tmk, c.computed_on)"
		" SELECT coalesce(p.tmk_display, p.tmk), coalesce(p.address, ''),"
		"  coalesce(p.is_ours, false)::text, cs.members::text, cs.computed_on::text,"
		"  coalesce(m.adr, 0)::text, coalesce(m.occupancy, 0)::text,"
		"  coalesce(cs.adr, 0)::text, coalesce(cs.occ, 0)::text,"
		"  coalesce(round(cs.revpar::numeric, 2), 0)::text, coalesce(cs.dist, 0)::text,"
		"  (m.tmk IS NOT NULL)::text"
		" FROM cs JOIN external.properties p ON p.tmk = cs.subject_tmk"
		" LEFT JOIN LATERAL (SELECT mm.tmk, mm.adr, mm.occupancy FROM etl.market_metrics mm"
		"   WHERE mm.subject_kind = 'property' AND mm.tmk = cs.subject_tmk"
		"   AND mm.window_kind = 'trailing' ORDER BY mm.as_of DESC LIMIT 1) m ON true"
		" ORDER BY coalesce(p.is_ours, false) DESC, cs.subject_tmk LIMIT $1::int",
		1, p, err);
	if (!res)
		return -1;
	fputs("<h2>Market metrics by competitive set</h2>\n<p class=\"note\">Each subject "
	      "(our properties first, then prospects' properties) against the median of its "
	      "competitive set, trailing window. Booked nights are inferred from calendar "
	      "snapshots (a night that turns unavailable between two snapshots); nights "
	      "unavailable in every snapshot count as blocked. Definitions: "
	      "docs/metrics.md.</p>\n<div class=\"cards\">\n",
	      out);
	if (PQntuples(res) == 0)
		fputs("<p>No competitive sets yet (run mi-compset).</p>\n", out);
	for (int r = 0; r < PQntuples(res); r++) {
		fputs("<div class=\"card\"><h3 class=\"tmk\">", out);
		E(PQgetvalue(res, r, 0));
		if (!strcmp(PQgetvalue(res, r, 2), "true"))
			fputs(" <small class=\"ok\">ours</small>", out);
		fputs("</h3><small>", out);
		E(PQgetvalue(res, r, 1));
		fputs(" &middot; ", out);
		{
			long comps = atol(PQgetvalue(res, r, 3));
			double dist = atof(PQgetvalue(res, r, 10));
			fprintf(out, "%ld comp%s, mean distance ", comps, comps == 1 ? "" : "s");
			if (dist >= 1000)
				fprintf(out, "%.1f km", dist / 1000);
			else
				fprintf(out, "%.0f m", dist);
		}
		fputs(", computed ", out);
		E(PQgetvalue(res, r, 4));
		fputs("</small><br>", out);
		compset_chart(out, atof(PQgetvalue(res, r, 5)), atof(PQgetvalue(res, r, 7)),
			      atof(PQgetvalue(res, r, 6)), atof(PQgetvalue(res, r, 8)));
		fputs("<br><small>comp-set RevPAR $", out);
		E(PQgetvalue(res, r, 9));
		if (strcmp(PQgetvalue(res, r, 11), "true"))
			fputs(" &middot; <span class=\"warn\">no calendar of its own</span>", out);
		fputs("</small></div>\n", out);
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
	if (section_queue(conn, o, out, err) < 0 || section_compsets(conn, o, out, err) < 0 ||
	    section_sentiment(conn, out, err) < 0 || section_run(conn, out, err) < 0)
		return -1;
	fputs("</main></body></html>\n", out);
	if (ferror(out))
		return mi_err_set(err, MI_EXIT_IO, "cannot write the report: %s", strerror(errno));
	return 0;
}
