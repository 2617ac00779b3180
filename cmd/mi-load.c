/*
 * mi-load: load the entity files of one source into PostgreSQL (pipeline/stages/load.h).
 */
#include "err.h"
#include "exitcode.h"
#include "ledger.h"
#include "load.h"
#include "log.h"
#include "migrate.h"
#include "opts.h"
#include "pg.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-load",
	"usage: mi-load --run ID --source ID [options] DIR\n"
	"\n"
	"Load DIR/*.tsv (the entity files of mi-parse and mi-score: properties, owners,\n"
	"sales, listings, reviews, pricing, rejects) into PostgreSQL: each file streamed\n"
	"with COPY into staging and merged by the set-based SQL of sql/load/, in one\n"
	"transaction per file; a file already loaded (same SHA-256) is skipped.  Then\n"
	"listings are matched to parcels and the manager history is updated.  Counts go\n"
	"to etl.stage_results (stage load), rejects to etl.rejects.\n"
	"\n"
	"  --run ID                 run id (etl.runs; created as a manual run if missing)\n"
	"  --source ID              source id of the files\n"
	"  --date DATE              YYYY-MM-DD: the day the files were seen (the rows'\n"
	"                           first_seen and last_seen, the change events' dates;\n"
	"                           default: the database's today; mi-run gives its night's)\n"
	"  --max-reject-share X     fail with exit 65 when more than this share of the rows\n"
	"                           is rejected (0-1, default 0.05)\n"
	"  --dry-run                check and merge everything, then roll back\n"
	"  --streams N              parallel COPY streams for a new pricing snapshot (1-4,\n"
	"                           default 2)\n"
	"  --text-copy              send that snapshot as COPY text (default: binary)\n"
	"  --sql-dir DIR            the sql/ folder holding load/*.sql (default: installed)\n"
	"  --dbname CONNINFO        connection string or URI (default: libpq's environment:\n"
	"                           PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, PGPASSFILE)\n"
	"  -q, --quiet              no per-file report on stdout\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n"
	"\n"
	"Exit status: 0 loaded, 64 usage, 65 rejects above the share (what loaded stays\n"
	"committed), 66 no such folder or no entity file, 74 I/O error, 76 database error.\n",
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 's' },
		{ "date", required_argument, NULL, 'a' },
		{ "max-reject-share", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "streams", required_argument, NULL, 'S' },
		{ "text-copy", no_argument, NULL, 't' },
		{ "sql-dir", required_argument, NULL, 'd' },
		{ "dbname", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct load_opts o;
	struct load_counts counts;
	struct mi_err err = MI_ERR_INIT;
	char sqldir[4096];
	PGconn *conn = NULL;
	long long streams = 2;
	int c, quiet = 0, ret;
	struct ledger_stage ls;

	memset(&o, 0, sizeof(o));
	o.max_reject_share = 0.05;
	mi_log_init(info.name, "load");
	while ((c = getopt_long(argc, argv, "qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.run_id = optarg; break;
		case 's': o.source = optarg; break;
		case 'a':
			if (!value_iso_date(optarg, NULL))
				return mi_opts_usage_error(&info, "invalid date '%s' for option --date: "
								  "must be YYYY-MM-DD", optarg);
			o.date = optarg;
			break;
		case 'm':
			if (mi_opts_double(&info, "max-reject-share", optarg, 0, 1,
					   &o.max_reject_share) < 0)
				return MI_EXIT_USAGE;
			break;
		case 'n': o.dry_run = 1; break;
		case 'S':
			if (mi_opts_int(&info, "streams", optarg, 1, 4, &streams) < 0)
				return MI_EXIT_USAGE;
			break;
		case 't': o.text_copy = 1; break;
		case 'd': o.sqldir = optarg; break;
		case 'D': o.conninfo = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (!o.run_id)
		return mi_opts_usage_error(&info, "--run is required");
	if (!o.source)
		return mi_opts_usage_error(&info, "--source is required");
	if (optind + 1 != argc)
		return mi_opts_usage_error(&info, optind < argc ? "only one DIR, please"
							       : "the folder DIR is missing");
	o.dir = argv[optind];
	o.copy_streams = (int)streams;
	o.report = quiet ? NULL : stdout;
	mi_log_set_run(o.run_id);
	if (!o.sqldir) {
		if (migrate_default_dir(sqldir, sizeof(sqldir)) < 0) {
			fprintf(stderr, "%s: error: cannot find the sql/ directory; use --sql-dir\n",
				info.name);
			return MI_EXIT_NOINPUT;
		}
		o.sqldir = sqldir;
	}
	conn = mi_pg_connect(info.name, o.conninfo, &err);
	if (!conn)
		goto fail;
	if (ledger_stage_open(&ls, conn, NULL, o.run_id, "load", o.source, 1, &err) < 0)
		goto fail;
	ret = load_dir(conn, &o, &counts, &err);
	if (ret < 0) {
		ledger_stage_close(&ls, err.code ? err.code : MI_EXIT_INTERNAL, NULL, NULL,
				   err.msg);
		goto fail;
	}
	mi_log(MI_LOG_INFO, "loaded",
	       "%lld files (%lld unchanged), %lld rows read, %lld inserted, %lld updated, "
	       "%lld rejected",
	       counts.files, counts.files_skipped, counts.read, counts.inserted, counts.updated,
	       counts.rejected);
	ret = mi_close_stdout(info.name);
	ret = ledger_stage_close(&ls, ret, NULL, NULL, NULL);
	mi_pg_finish(conn);
	return ret;
fail:
	fflush(stdout);
	mi_err_print(stderr, info.name, &err);
	mi_pg_finish(conn);
	return err.code ? err.code : MI_EXIT_INTERNAL;
}
