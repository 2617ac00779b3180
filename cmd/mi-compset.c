/*
 * mi-compset: market metrics and competitive sets.
 */
#include "compset.h"
#include "err.h"
#include "exitcode.h"
#include "ledger.h"
#include "log.h"
#include "opts.h"
#include "paths.h"
#include "pg.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-compset",
	"usage: mi-compset [--as-of DATE] [--config FILE] [--portfolio FILE] [--k N]\n"
	"                  [--all-subjects] [--no-metrics] [--dbname CONNINFO]\n"
	"\n"
	"Refresh the market metrics (occupancy, ADR, RevPAR per listing and per\n"
	"property, trailing and forward windows, from the pricing snapshots taken up to\n"
	"DATE; see docs/metrics.md), then compute the competitive set of every subject\n"
	"property: the k most similar located market properties by distance, bedrooms,\n"
	"bathrooms, guests and type, found on a grid.  The sets computed on DATE are\n"
	"replaced in external.competitive_sets in one transaction, with each\n"
	"competitor's trailing metrics.  A re-run on the same DATE gives the same rows;\n"
	"a subject whose inputs (its row, every candidate's, the settings) are those\n"
	"its set was stored with on DATE keeps that set without a search.\n"
	"\n"
	"  --as-of DATE       YYYY-MM-DD: computation date (default: the database's today)\n"
	"  --config FILE      settings (default: $MI_CONFIG_DIR/compset.ini, else\n"
	"                     config/compset.ini; built-in defaults when neither exists)\n"
	"  --portfolio FILE   our portfolio: [portfolio] tmks = ... (default:\n"
	"                     portfolio.ini next to the settings file, when it exists)\n"
	"  --k N              members per set, 1-100 (overrides [compset] k)\n"
	"  --all-subjects     a set for every located property (market studies, bench)\n"
	"  --no-metrics       do not refresh etl.market_metrics (use the stored ones)\n"
	"  --dbname CONNINFO  connection string or URI (default: libpq's environment)\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"The portfolio file and the signed contracts are the truth about our units:\n"
	"when the file lists TMKs, external.properties.is_ours is made true for them\n"
	"and the properties under a contract in force, and false for every other\n"
	"property (logged as portfolio_sync with the counts); an empty list changes\n"
	"nothing.\n"
	"\n"
	"Subjects are the portfolio TMKs and the kinds in [compset] subjects: ours\n"
	"(external.properties.is_ours), prospects (open prospect properties), listed\n"
	"(an active matched listing).  One summary line goes to stdout.\n"
	"\n"
	"Exit status: 0 done, 64 usage, 66 a named file is missing, 76 database error,\n"
	"78 bad configuration.\n",
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'c' },
		{ "portfolio", required_argument, NULL, 'p' },
		{ "k", required_argument, NULL, 'k' },
		{ "all-subjects", no_argument, NULL, 'A' },
		{ "no-metrics", no_argument, NULL, 'M' },
		{ "dbname", required_argument, NULL, 'D' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct compset_opts o;
	struct compset_stats st;
	struct mi_err err = MI_ERR_INIT;
	const char *as_of = NULL, *config = NULL, *portfolio = NULL, *dbname = NULL;
	char cbuf[4096], pbuf[4096], today[16];
	char **tmks = NULL;
	size_t ntmks = 0;
	long long k = 0;
	int c, all = 0, no_metrics = 0, ret;
	PGconn *conn = NULL;
	PGresult *res;
	struct ledger_stage ls;

	memset(&o, 0, sizeof(o));
	memset(&ls, 0, sizeof(ls));
	mi_log_init(info.name, "compset");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': as_of = optarg; break;
		case 'c': config = optarg; break;
		case 'p': portfolio = optarg; break;
		case 'k':
			if (mi_opts_int(&info, "k", optarg, 1, 100, &k) < 0)
				return MI_EXIT_USAGE;
			break;
		case 'A': all = 1; break;
		case 'M': no_metrics = 1; break;
		case 'D': dbname = optarg; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (optind < argc)
		return mi_opts_usage_error(&info, "unexpected argument '%s'", argv[optind]);
	if (as_of && !value_iso_date(as_of, NULL))
		return mi_opts_usage_error(&info, "invalid date '%s' for option --as-of: must be YYYY-MM-DD",
					   as_of);
	if (!config)
		config = mi_path_config("compset.ini", cbuf, sizeof(cbuf));
	if (compset_settings_load(&o, config, &err) < 0)
		goto fail;
	if (no_metrics)
		o.metrics = 0;
	if (!portfolio && config) {
		const char *slash = strrchr(config, '/');
		snprintf(pbuf, sizeof(pbuf), "%.*sportfolio.ini", slash ? (int)(slash - config + 1) : 0,
			 config);
		FILE *fp = fopen(pbuf, "r");
		if (fp) {
			fclose(fp);
			portfolio = pbuf;
		}
	}
	if (portfolio && compset_portfolio_load(portfolio, &tmks, &ntmks, &err) < 0)
		goto fail;
	/* an empty list is a portfolio nobody filled in, not "we manage nothing" */
	o.sync_ours = ntmks > 0;
	if (portfolio && !ntmks)
		mi_log_kv(MI_LOG_WARN, "portfolio_empty", "file", portfolio, "msg",
			  "the portfolio lists no tmk: is_ours left as it is", NULL);
	if (k)
		o.params.k = (int)k;
	if (all)
		o.subjects |= COMPSET_S_ALL;
	o.extra_subjects = (const char *const *)tmks;
	o.n_extra = ntmks;

	conn = mi_pg_connect(info.name, dbname, &err);
	if (!conn)
		goto fail;
	if (!as_of) {
		res = mi_pg_query(conn, "SELECT current_date::text", 0, NULL, &err);
		if (!res)
			goto fail;
		snprintf(today, sizeof(today), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		as_of = today;
	}
	o.as_of = as_of;
	/* under mi-run, the stage's row in the ledger */
	if (ledger_stage_open(&ls, conn, NULL, ledger_run_of(NULL), "compset", NULL, 1, &err) < 0)
		goto fail;
	mi_log_kv(MI_LOG_INFO, "start", "as_of", as_of, "config", config ? config : "(defaults)",
		  NULL);
	if (compset_run(conn, &o, &st, &err) < 0)
		goto fail;
	printf("compset %s: %lld subjects (%lld without coordinates), %lld members from %lld "
	       "candidates, %lld metric rows, %lld nights marked, %lld members stored "
	       "(%lld kept as they were, %lld taken out); %lld sets not searched again (their "
	       "inputs as when stored this day); load %.2fs search %.2fs (cpu %.2fs) store %.2fs\n",
	       as_of, st.subjects, st.subjects_unlocated, st.members, st.candidates,
	       st.metric_rows, st.nights_marked, st.inserted, st.members - st.inserted, st.deleted,
	       st.subjects_kept, st.seconds_load, st.seconds_search, st.cpu_search, st.seconds_store);
	if (st.subjects_unlocated)
		mi_log(MI_LOG_WARN, "unlocated", "%lld subject properties have no coordinates",
		       st.subjects_unlocated);
	ret = mi_close_stdout(info.name);
	{
		struct ledger_counts lc;
		char detail[512];
		memset(&lc, 0, sizeof(lc));
		lc.read = st.subjects;
		lc.out = st.members;
		snprintf(detail, sizeof(detail),
			 "{\"as_of\": \"%s\", \"subjects\": %lld, \"unlocated\": %lld,"
			 " \"members\": %lld, \"candidates\": %lld, \"metric_rows\": %lld,"
			 " \"nights_marked\": %lld, \"stored\": %lld, \"kept\": %lld,"
			 " \"taken_out\": %lld, \"sets_kept\": %lld}",
			 as_of, st.subjects, st.subjects_unlocated, st.members, st.candidates,
			 st.metric_rows, st.nights_marked, st.inserted, st.members - st.inserted, st.deleted,
			 st.subjects_kept);
		ret = ledger_stage_close(&ls, ret, &lc, detail, NULL);
	}
	mi_pg_finish(conn);
	compset_portfolio_free(tmks, ntmks);
	return ret;
fail:
	fflush(stdout);
	mi_err_print(stderr, info.name, &err);
	ledger_stage_close(&ls, err.code ? err.code : MI_EXIT_INTERNAL, NULL, NULL, err.msg);
	mi_pg_finish(conn);
	compset_portfolio_free(tmks, ntmks);
	ret = err.code ? err.code : MI_EXIT_INTERNAL;
	return ret;
}
