/*
 * mi-run: the nightly job and backfills.
 */
#include "err.h"
#include "exitcode.h"
#include "log.h"
#include "nightly.h"
#include "opts.h"
#include "parser.h"
#include "source.h"
#include "stop.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-run",
	"usage: mi-run nightly [--date YYYY-MM-DD] [--worker [--lease S]] [OPTIONS]\n"
	"       mi-run backfill --from YYYY-MM-DD --to YYYY-MM-DD [--refetch] [OPTIONS]\n"
	"\n"
	"nightly   one run id (nightly-YYYYMMDD); every enabled source (or each --source)\n"
	"          through fetch -> parse -> score -> load, then mi-compset and\n"
	"          mi-leads score.  A failing source does not stop the others.  Started\n"
	"          again the same day (after a kill), it continues the same run and\n"
	"          ends with the tables an uninterrupted run gives.\n"
	"          With --worker, one of several hosts sharing the night (below).\n"
	"backfill  re-parse and re-load what the landing store holds for each day of\n"
	"          the range (after a parser fix), without fetching again; days that\n"
	"          never landed are fetched for sources whose URL takes a {date}, and\n"
	"          every day with --refetch.  Then mi-compset as of the last day.  The\n"
	"          lead queue is today's: it is scored (as of today) only when the\n"
	"          range reaches today.  Idempotent and resumable after a kill.\n"
	"\n"
	"One run at a time: a run started while another holds the lock exits 75.\n"
	"\n"
	"Workers: mi-run nightly --worker, started on any number of hosts (or\n"
	"several times on one), shares one night between them.  The night is a set\n"
	"of work items in the database, one per source and stage, plus compset and\n"
	"leads; each worker claims the next ready item (a source's parse after its\n"
	"fetch, its load after its score and after the loads before it; compset and\n"
	"leads after every load), runs it and goes on until all are done, then\n"
	"prints the night's summary.  A worker renews the lease of its item while\n"
	"it runs; the item of a worker that died (its database session is gone) is\n"
	"taken over by another once the lease expires.  Every host needs the same\n"
	"landing store, a path on a shared file system (a worker that cannot see\n"
	"the bodies others fetched says so and exits 78), and a work folder of its\n"
	"own.  Workers exclude a one-host run and the other way round (75).\n"
	"A summary (per source and stage: status, rows in and out, rejects, seconds;\n"
	"new leads) goes to stdout and to etl.runs.summary; each stage's log is\n"
	"kept in WORK/RUN/logs/ (or LOGS/RUN/, see below).\n"
	"\n"
	"Where things are, first found: the option; systemd's folders of the unit\n"
	"($CONFIGURATION_DIRECTORY for the configuration, $STATE_DIRECTORY/landing\n"
	"and $STATE_DIRECTORY/work, $LOGS_DIRECTORY for the stage logs); [paths] of\n"
	"CONFIG/pipeline.ini.  The configuration otherwise defaults to ./config or\n"
	"the installed one; without a landing store or a work folder mi-run exits\n"
	"64.  CONFIG/pipeline.ini also sets each stage's lock_timeout,\n"
	"statement_timeout and wall-clock time_limit.\n"
	"\n"
	"  --date D            nightly run date (default: today, UTC)\n"
	"  --from D, --to D    backfill range, inclusive\n"
	"  --source ID         only this source (repeatable)\n"
	"  --run-id ID         use this run id instead of the derived one\n"
	"  --config-dir DIR    configuration (sources/, leads.ini, pipeline.ini ...)\n"
	"  --landing DIR       landing store\n"
	"  --work DIR          entity files and stage logs\n"
	"  --bin-dir DIR       where the stage binaries are (default: mi-run's folder)\n"
	"  --max-reject-share R  a source whose rejects exceed R of its records fails\n"
	"                      its load (default 0.05)\n"
	"  --skip-fetch        nightly: use what already landed for the run\n"
	"  --refetch           backfill: fetch every day of the range again\n"
	"  --local-fetch       fetch without the shared PostgreSQL queue\n"
	"  --worker            nightly: share the night with other workers (above)\n"
	"  --lease S           a worker's claim on an item lasts S seconds unless\n"
	"                      renewed (default 60; renewed every S/3)\n"
	"  --dbname CONNINFO   connection string (default: libpq's environment)\n"
	"  --dry-run           print the plan; run, lock and change nothing\n"
	"  --progress, --no-progress\n"
	"                      progress line on stderr (default: when it is a terminal)\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Exit status: 0 every stage succeeded; 1 some stage failed in another way;\n"
	"otherwise the most severe failure: 76 database, 70 internal, 74 I/O,\n"
	"78 configuration, 69 network, 65 rejects over the share, 66 missing input;\n"
	"64 usage; 75 another run holds the lock.  SIGTERM or SIGINT stops the stage\n"
	"at work (its queries are cancelled), records the run as aborted, then mi-run\n"
	"dies of the signal.\n",
};

#define MAX_ONLY 256

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "source", required_argument, NULL, 's' },
		{ "run-id", required_argument, NULL, 'r' },
		{ "config-dir", required_argument, NULL, 'c' },
		{ "landing", required_argument, NULL, 'l' },
		{ "work", required_argument, NULL, 'w' },
		{ "bin-dir", required_argument, NULL, 'b' },
		{ "max-reject-share", required_argument, NULL, 'm' },
		{ "skip-fetch", no_argument, NULL, 'S' },
		{ "refetch", no_argument, NULL, 'R' },
		{ "local-fetch", no_argument, NULL, 'L' },
		{ "worker", no_argument, NULL, 'W' },
		{ "lease", required_argument, NULL, 'E' },
		{ "dbname", required_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "progress", no_argument, NULL, 'p' },
		{ "no-progress", no_argument, NULL, 'P' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct nightly_opts o;
	const char *only[MAX_ONLY];
	struct mi_err err = MI_ERR_INIT;
	int c, progress = -1, ret;

	memset(&o, 0, sizeof(o));
	o.max_reject_share = 0.05;
	o.only = only;
	mi_log_init(info.name, "run");
	source_format_known = parser_known; /* a misspelled format is a config error */
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.date = optarg; break;
		case 'f': o.date_from = optarg; break;
		case 't': o.date_to = optarg; break;
		case 's':
			if (o.nonly == MAX_ONLY)
				return mi_opts_usage_error(&info, "too many --source options");
			only[o.nonly++] = optarg;
			break;
		case 'r': o.run_id = optarg; break;
		case 'c': o.config_dir = optarg; break;
		case 'l': o.landing_dir = optarg; break;
		case 'w': o.work_dir = optarg; break;
		case 'b': o.bin_dir = optarg; break;
		case 'm':
			if (mi_opts_double(&info, "max-reject-share", optarg, 0, 1,
					   &o.max_reject_share) < 0)
				return MI_EXIT_USAGE;
			break;
		case 'S': o.skip_fetch = 1; break;
		case 'R': o.refetch = 1; break;
		case 'L': o.local_fetch = 1; break;
		case 'W': o.worker = 1; break;
		case 'E': {
			double lease;
			if (mi_opts_double(&info, "lease", optarg, 0.3, 86400, &lease) < 0)
				return MI_EXIT_USAGE;
			o.lease_ms = (long long)(lease * 1000.0);
			break;
		}
		case 'D': o.conninfo = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'p': progress = 1; break;
		case 'P': progress = 0; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (optind >= argc)
		return mi_opts_usage_error(&info, "missing command: nightly or backfill");
	if (!strcmp(argv[optind], "nightly")) {
		o.mode = NIGHTLY_RUN;
		if (o.date_from || o.date_to || o.refetch)
			return mi_opts_usage_error(&info, "--from, --to and --refetch are for backfill");
		if (o.lease_ms && !o.worker)
			return mi_opts_usage_error(&info, "--lease is for --worker");
	} else if (!strcmp(argv[optind], "backfill")) {
		o.mode = NIGHTLY_BACKFILL;
		if (!o.date_from || !o.date_to)
			return mi_opts_usage_error(&info, "backfill needs --from and --to");
		if (o.date || o.skip_fetch)
			return mi_opts_usage_error(&info, "--date and --skip-fetch are for nightly");
		if (o.worker || o.lease_ms)
			return mi_opts_usage_error(&info, "--worker and --lease are for nightly");
	} else {
		return mi_opts_usage_error(&info, "unknown command '%s'", argv[optind]);
	}
	if (optind + 1 < argc)
		return mi_opts_usage_error(&info, "unexpected argument '%s'", argv[optind + 1]);
	o.progress = progress < 0 ? isatty(STDERR_FILENO) : progress;

	ret = nightly_run(&o, stdout, &err);
	if (ret < 0)
		ret = err.code ? err.code : MI_EXIT_INTERNAL;
	if (ret && err.msg[0]) {
		fflush(stdout);
		mi_err_print(stderr, info.name, &err);
	}
	c = mi_close_stdout(info.name);
	/* stopped by SIGTERM or SIGINT: the run is recorded; die of the signal */
	mi_stop_reraise();
	return ret ? ret : c;
}
