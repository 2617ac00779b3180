/*
 * mi-leads: opportunity scores, prospects, projections and the lead queue.
 */
#include "err.h"
#include "exitcode.h"
#include "leads.h"
#include "log.h"
#include "opts.h"
#include "value.h"
#include "paths.h"
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-leads",
	"usage: mi-leads score [--as-of DATE] [--run ID]\n"
	"       mi-leads next --agent NAME\n"
	"       mi-leads queue [--limit N]\n"
	"       (each also takes [--config FILE] [--dbname CONNINFO])\n"
	"\n"
	"score  Score every market property (0-100, from the signals and weights in the\n"
	"       settings: recent sale, manager change, self-managed, declining review\n"
	"       aspects, occupancy or ADR below the competitive set, listing gone dark),\n"
	"       create prospects (one per owner key and mailing address) and their\n"
	"       property leads, write one lead activity per new signal, and project the\n"
	"       revenue of every lead with a competitive set; one transaction.  A lead\n"
	"       that turns hot is announced with NOTIFY on channel mi_hot_lead.  A\n"
	"       re-run on the same data writes nothing new.  Run mi-compset before it so\n"
	"       that new leads get competitive sets and projections.\n"
	"next   Claim the best waiting lead for agent NAME (two agents never get the\n"
	"       same lead) and print it with its reasons and projection.\n"
	"queue  Print the waiting leads, best first (do-not-contact owners and our own\n"
	"       properties never appear).\n"
	"\n"
	"  --as-of DATE       YYYY-MM-DD: data date of the scores (default: the\n"
	"                     database's today)\n"
	"  --run ID           run id recorded with what is written\n"
	"  --agent NAME       who claims the lead (login name)\n"
	"  --limit N          leads to print, 1-10000 (default 20)\n"
	"  --config FILE      settings (default: $MI_CONFIG_DIR/leads.ini, else\n"
	"                     config/leads.ini; built-in defaults when neither exists)\n"
	"  --dbname CONNINFO  connection string or URI (default: libpq's environment)\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"Exit status: 0 done (next: a lead was claimed), 1 next: the queue is empty,\n"
	"64 usage, 74 output error, 76 database error, 78 bad configuration.\n",
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "run", required_argument, NULL, 'r' },
		{ "agent", required_argument, NULL, 'g' },
		{ "limit", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "dbname", required_argument, NULL, 'D' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct leads_settings set = LEADS_SETTINGS_INIT;
	struct leads_score_stats st;
	struct mi_err err = MI_ERR_INIT;
	const char *as_of = NULL, *run_id = NULL, *agent = NULL, *config = NULL, *dbname = NULL;
	const char *verb;
	char cbuf[4096], today[16];
	long long limit = 20, lead;
	int c, ret = MI_EXIT_OK, have_limit = 0;
	PGconn *conn = NULL;

	mi_log_init(info.name, "leads");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': as_of = optarg; break;
		case 'r': run_id = optarg; break;
		case 'g': agent = optarg; break;
		case 'l':
			if (mi_opts_int(&info, "limit", optarg, 1, 10000, &limit) < 0)
				return MI_EXIT_USAGE;
			have_limit = 1;
			break;
		case 'c': config = optarg; break;
		case 'D': dbname = optarg; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (optind >= argc)
		return mi_opts_usage_error(&info, "a command is required: score, next or queue");
	verb = argv[optind++];
	if (optind < argc)
		return mi_opts_usage_error(&info, "unexpected argument '%s'", argv[optind]);
	if (strcmp(verb, "score") && strcmp(verb, "next") && strcmp(verb, "queue"))
		return mi_opts_usage_error(&info, "unknown command '%s'", verb);
	if ((as_of || run_id) && strcmp(verb, "score"))
		return mi_opts_usage_error(&info, "--as-of and --run are for 'score' only");
	if (agent && strcmp(verb, "next"))
		return mi_opts_usage_error(&info, "--agent is for 'next' only");
	if (have_limit && strcmp(verb, "queue"))
		return mi_opts_usage_error(&info, "--limit is for 'queue' only");
	if (!strcmp(verb, "next") && (!agent || !*agent))
		return mi_opts_usage_error(&info, "'next' needs --agent NAME");
	if (as_of && !value_iso_date(as_of, NULL))
		return mi_opts_usage_error(&info, "invalid date '%s' for option --as-of: must be YYYY-MM-DD",
					   as_of);
	if (!config)
		config = mi_path_config("leads.ini", cbuf, sizeof(cbuf));
	if (leads_settings_load(&set, config, &err) < 0)
		goto fail;

	conn = mi_pg_connect(info.name, dbname, &err);
	if (!conn)
		goto fail;
	if (!strcmp(verb, "score")) {
		if (!as_of) {
			PGresult *res = mi_pg_query(conn, "SELECT current_date::text", 0, NULL, &err);
			if (!res)
				goto fail;
			snprintf(today, sizeof(today), "%s", PQgetvalue(res, 0, 0));
			PQclear(res);
			as_of = today;
		}
		if (run_id)
			mi_log_set_run(run_id);
		if (leads_score(conn, &set, as_of, run_id, &st, &err) < 0)
			goto fail;
		printf("leads %s (%s): %lld signals on %lld properties; %lld new prospects, %lld new "
		       "leads, %lld rescored, %lld new activities, %lld new projections, %lld prospects "
		       "renamed; %lld scored properties without a known owner\n",
		       as_of, set.version, st.signals, st.scored, st.prospects_new, st.leads_new,
		       st.leads_rescored, st.activities_new, st.projections_new, st.prospects_renamed,
		       st.without_owner);
	} else if (!strcmp(verb, "next")) {
		int got = leads_claim_next(conn, &set, agent, &lead, &err);
		if (got < 0)
			goto fail;
		if (!got) {
			fprintf(stderr, "%s: the lead queue is empty\n", info.name);
			ret = MI_EXIT_PARTIAL;
		} else {
			mi_log_kv(MI_LOG_INFO, "claimed", "agent", agent, NULL);
			if (leads_print_lead(conn, lead, stdout, &err) < 0)
				goto fail;
		}
	} else if (leads_print_queue(conn, (int)limit, stdout, &err) < 0) {
		goto fail;
	}
	mi_pg_finish(conn);
	leads_settings_release(&set);
	c = mi_close_stdout(info.name);
	return c ? c : ret;
fail:
	fflush(stdout);
	mi_err_print(stderr, info.name, &err);
	mi_pg_finish(conn);
	leads_settings_release(&set);
	return err.code ? err.code : MI_EXIT_INTERNAL;
}
