#include "contract.h"

#include "deskexec.h"
#include "exitcode.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

static int out_ok(FILE *out, struct mi_err *err)
{
	if (ferror(out))
		return mi_err_set(err, MI_EXIT_IO, "cannot write the output");
	return 0;
}

/*
 * One line per contract: columns 0 number, 1 status, 2 owner, 3 TMK, 4
 * address, 5 period, 6 fee, 7 onboarding done, 8 tasks, 9 overdue, 10 lead,
 * 11 contract id, 12 end (terminated or expired: when and why).
 */
#define CONTRACT_COLUMNS                                                                       \
	" c.contract_number, c.status, p.display_name, pr.tmk_display,"                          \
	" concat_ws(', ', pr.address, pr.city),"                                                  \
	" 'from ' || c.start_date || coalesce(' to ' || c.end_date, ' (open-ended)')"             \
	"   || coalesce(', ' || c.term_months || ' months' || CASE WHEN c.auto_renew"            \
	"      THEN ' renewing' ELSE '' END, ''),"                                                 \
	" to_char(c.management_fee_pct, 'FM990.00') || '%',"                                      \
	" o.done, o.total, o.overdue, c.prospect_id, c.contract_id,"                              \
	" CASE WHEN c.status IN ('terminated', 'expired') THEN c.status || ' '"                   \
	"   || coalesce(c.terminated_on, c.end_date) || coalesce(': ' || c.termination_reason, '')" \
	"   END"                                                                                   \
	" FROM homeowner_acquisition.contracts c"                                                 \
	" JOIN homeowner_acquisition.prospects p ON p.prospect_id = c.prospect_id"               \
	" JOIN external.properties pr ON pr.tmk = c.tmk"                                          \
	" CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE x.status = 'done') AS done,"          \
	"   count(*) AS total, count(*) FILTER (WHERE x.status IN ('pending', 'in_progress',"    \
	"   'blocked') AND x.due_on < current_date) AS overdue"                                   \
	"   FROM homeowner_acquisition.onboarding_progress x WHERE x.contract_id = c.contract_id) o"

static void print_contract(FILE *out, PGresult *res, int r)
{
	fprintf(out, "contract %s  %s  %s  %s  %s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
		PQgetvalue(res, r, 2), PQgetvalue(res, r, 3), PQgetvalue(res, r, 4));
	fprintf(out, "   %s, fee %s; onboarding %s of %s tasks done", PQgetvalue(res, r, 5),
		PQgetvalue(res, r, 6), PQgetvalue(res, r, 7), PQgetvalue(res, r, 8));
	if (strcmp(PQgetvalue(res, r, 9), "0"))
		fprintf(out, ", %s OVERDUE", PQgetvalue(res, r, 9));
	fprintf(out, "  (lead %s, contract id %s)\n", PQgetvalue(res, r, 10), PQgetvalue(res, r, 11));
	if (*PQgetvalue(res, r, 12))
		fprintf(out, "   %s\n", PQgetvalue(res, r, 12));
}

/* The open tasks past due, one line each, indented by indent. */
static int print_overdue(PGconn *conn, const char *contract_id, const char *indent, FILE *out,
			 struct mi_err *err)
{
	const char *pv[1] = { contract_id };
	PGresult *res;

	if (desk_exec(conn,
		"SELECT op.task_code, t.title, op.due_on, current_date - op.due_on"
		" FROM homeowner_acquisition.onboarding_progress op"
		" JOIN homeowner_acquisition.onboarding_tasks t ON t.task_code = op.task_code"
		" WHERE op.contract_id = $1::bigint AND op.status IN ('pending', 'in_progress', 'blocked')"
		"   AND op.due_on < current_date"
		" ORDER BY op.due_on, t.sort_order, op.task_code", 1, pv, &res, err) < 0)
		return -1;
	for (int r = 0; r < PQntuples(res); r++)
		fprintf(out, "%sOVERDUE  %-26s due %s (%s days ago)  %s\n", indent, PQgetvalue(res, r, 0),
			PQgetvalue(res, r, 2), PQgetvalue(res, r, 3), PQgetvalue(res, r, 1));
	PQclear(res);
	return out_ok(out, err);
}

/* The contract line(s) of one contract id. */
static int print_contract_id(PGconn *conn, const char *id, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { id };
	PGresult *res;

	if (desk_exec(conn, "SELECT" CONTRACT_COLUMNS " WHERE c.contract_id = $1::bigint", 1, pv, &res,
		      err) < 0)
		return -1;
	for (int r = 0; r < PQntuples(res); r++)
		print_contract(out, res, r);
	PQclear(res);
	return out_ok(out, err);
}

static int print_lead_stage(PGconn *conn, const char *lead, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { lead };
	PGresult *res;

	if (desk_exec(conn,
		"SELECT 'lead ' || prospect_id || '  stage ' || status"
		" || coalesce('  (' || closed_reason || ')', '')"
		" FROM homeowner_acquisition.prospects WHERE prospect_id = $1::bigint", 1, pv, &res,
		err) < 0)
		return -1;
	if (PQntuples(res))
		fprintf(out, "%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return out_ok(out, err);
}

int contract_sign(PGconn *conn, long long proposal, const char *agent,
		  const struct contract_sign_opts *o, FILE *out, struct mi_err *err)
{
	char id[32], lead[32] = "";
	const char *pv[9] = { id, agent, o->start, o->term, o->fee, o->tmks, o->signed_by, o->number,
			      o->document };
	PGresult *res;
	int ret = 0;

	snprintf(id, sizeof(id), "%lld", proposal);
	/* the function's rows only: a join in the same statement would not see them */
	if (desk_exec(conn,
		"SELECT s.contract_id, s.tasks"
		" FROM homeowner_acquisition.sign_contract($1::bigint, $2, $3::date, $4::integer,"
		"      $5::numeric, $6::text[], $7, $8, $9) s"
		" ORDER BY s.contract_id", 9, pv, &res, err) < 0)
		return -1;
	for (int r = 0; r < PQntuples(res) && !ret; r++) {
		fprintf(out, "signed: %s onboarding tasks, due from the start date\n", PQgetvalue(res, r, 1));
		ret = print_contract_id(conn, PQgetvalue(res, r, 0), out, err);
	}
	if (PQntuples(res) && !ret) {
		PGresult *who;
		const char *cv[1] = { PQgetvalue(res, 0, 0) };

		ret = desk_exec(conn, "SELECT prospect_id FROM homeowner_acquisition.contracts"
				" WHERE contract_id = $1::bigint", 1, cv, &who, err);
		if (!ret && PQntuples(who))
			snprintf(lead, sizeof(lead), "%s", PQgetvalue(who, 0, 0));
		PQclear(who);
	}
	PQclear(res);
	if (ret < 0)
		return -1;
	return *lead ? print_lead_stage(conn, lead, out, err) : out_ok(out, err);
}

int contract_terminate(PGconn *conn, long long contract, const char *agent, const char *reason,
		       const char *on, FILE *out, struct mi_err *err)
{
	char id[32];
	const char *pv[4] = { id, agent, reason, on };
	PGresult *res;
	char lead[32];

	snprintf(id, sizeof(id), "%lld", contract);
	if (desk_exec(conn, "SELECT homeowner_acquisition.terminate_contract($1::bigint, $2, $3, $4::date)",
		      4, pv, &res, err) < 0)
		return -1;
	PQclear(res);
	/* a statement of its own: it sees what the function changed */
	if (desk_exec(conn,
		"SELECT c.prospect_id, pr.is_ours::text, pr.tmk_display"
		" FROM homeowner_acquisition.contracts c JOIN external.properties pr ON pr.tmk = c.tmk"
		" WHERE c.contract_id = $1::bigint", 1, pv, &res, err) < 0)
		return -1;
	snprintf(lead, sizeof(lead), "%s", PQgetvalue(res, 0, 0));
	fprintf(out, "terminated: %s %s\n", PQgetvalue(res, 0, 2),
		strcmp(PQgetvalue(res, 0, 1), "true") ? "is back on the market"
						      : "stays ours (the portfolio or another contract)");
	PQclear(res);
	if (print_contract_id(conn, id, out, err) < 0)
		return -1;
	return print_lead_stage(conn, lead, out, err);
}

int contract_show(PGconn *conn, long long contract, FILE *out, struct mi_err *err)
{
	char id[32];
	const char *pv[1] = { id };
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", contract);
	if (desk_exec(conn,
		"SELECT c.signed_on, coalesce(c.recorded_by, '-'), coalesce(c.signed_by, '-'),"
		" coalesce(pp.proposal_number, '-'), coalesce(c.termination_notice_days || ' days', '-'),"
		" c.terms::text, coalesce(c.document_uri, '')"
		" FROM homeowner_acquisition.contracts c"
		" LEFT JOIN homeowner_acquisition.proposals pp ON pp.proposal_id = c.proposal_id"
		" WHERE c.contract_id = $1::bigint", 1, pv, &res, err) < 0)
		return -1;
	if (!PQntuples(res)) {
		PQclear(res);
		return mi_err_set(err, MI_EXIT_NOINPUT, "no contract %lld", contract);
	}
	if (print_contract_id(conn, id, out, err) < 0) {
		PQclear(res);
		return -1;
	}
	fprintf(out, "signed    %s (recorded by %s), signatory %s, from proposal %s; notice %s\n",
		PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
		PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4));
	fprintf(out, "terms     %s\n", PQgetvalue(res, 0, 5));
	if (*PQgetvalue(res, 0, 6))
		fprintf(out, "document  %s\n", PQgetvalue(res, 0, 6));
	PQclear(res);

	if (desk_exec(conn,
		"SELECT op.task_code, op.status, op.due_on,"
		" CASE WHEN op.status IN ('pending', 'in_progress', 'blocked') AND op.due_on < current_date"
		"      THEN 'OVERDUE' ELSE '' END,"
		" coalesce(to_char(op.completed_at, 'YYYY-MM-DD') || ' by ' || op.completed_by, ''),"
		" coalesce(homeowner_acquisition.onboarding_evidence_text(op.evidence, op.evidence_uri), ''),"
		" t.title, coalesce(t.data_rule, '')"
		" FROM homeowner_acquisition.onboarding_progress op"
		" JOIN homeowner_acquisition.onboarding_tasks t ON t.task_code = op.task_code"
		" WHERE op.contract_id = $1::bigint ORDER BY t.sort_order, op.task_code", 1, pv, &res,
		err) < 0)
		return -1;
	fprintf(out, "\nonboarding (%d tasks; * the nightly data can complete it)\n", PQntuples(res));
	for (int r = 0; r < PQntuples(res); r++) {
		const char *st = PQgetvalue(res, r, 1);

		fprintf(out, "  [%c] %-26s%s %-8s due %s %-7s %s\n", !strcmp(st, "done") ? 'x' : ' ',
			PQgetvalue(res, r, 0), *PQgetvalue(res, r, 7) ? "*" : " ", st,
			PQgetvalue(res, r, 2), PQgetvalue(res, r, 3), PQgetvalue(res, r, 6));
		if (*PQgetvalue(res, r, 4))
			fprintf(out, "        done %s%s%s\n", PQgetvalue(res, r, 4),
				*PQgetvalue(res, r, 5) ? ": " : "", PQgetvalue(res, r, 5));
	}
	PQclear(res);
	return out_ok(out, err);
}

int contract_list(PGconn *conn, FILE *out, struct mi_err *err)
{
	PGresult *res;
	int n;

	if (desk_exec(conn,
		"SELECT" CONTRACT_COLUMNS " WHERE c.status IN ('signed', 'active')"
		" ORDER BY c.start_date, c.contract_id", 0, NULL, &res, err) < 0)
		return -1;
	n = PQntuples(res);
	fprintf(out, "%d contract%s in force\n", n, n == 1 ? "" : "s");
	for (int r = 0; r < n; r++)
		print_contract(out, res, r);
	PQclear(res);
	return out_ok(out, err);
}

int contract_task_done(PGconn *conn, long long contract, const char *task, const char *agent,
		       const char *note, const char *evidence, FILE *out, struct mi_err *err)
{
	char id[32];
	const char *pv[5] = { id, task, agent, note, evidence };
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", contract);
	if (desk_exec(conn,
		"SELECT homeowner_acquisition.complete_onboarding_task($1::bigint, $2, $3, $4, $5)", 5, pv,
		&res, err) < 0)
		return -1;
	PQclear(res);
	fprintf(out, "task %s done\n", task);
	return print_contract_id(conn, id, out, err);
}

int contract_show_lead(PGconn *conn, const char *lead, FILE *out, struct mi_err *err)
{
	const char *pv[1] = { lead };
	PGresult *res;
	int ret = 0;

	if (desk_exec(conn,
		"SELECT" CONTRACT_COLUMNS " WHERE c.prospect_id = $1::bigint"
		" ORDER BY c.status NOT IN ('signed', 'active'), c.start_date DESC, c.contract_id DESC",
		1, pv, &res, err) < 0)
		return -1;
	if (PQntuples(res))
		fprintf(out, "\ncontracts (%d)\n", PQntuples(res));
	for (int r = 0; r < PQntuples(res) && !ret; r++) {
		fputs("  ", out);
		print_contract(out, res, r);
		ret = print_overdue(conn, PQgetvalue(res, r, 11), "     ", out, err);
	}
	PQclear(res);
	return ret < 0 ? -1 : out_ok(out, err);
}
