/*
 * mi-report: write the self-contained HTML report.
 */
#include "atomicfile.h"
#include "err.h"
#include "exitcode.h"
#include "log.h"
#include "opts.h"
#include "pg.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-report",
	"usage: mi-report [--out FILE] [--limit N] [--title TEXT] [--dbname CONNINFO]\n"
	"\n"
	"Write the market-intelligence report as one self-contained HTML file (no\n"
	"external resources: it can be mailed or opened from disk): the open leads,\n"
	"one row per owner with its mailing address, stage, claim and agent,\n"
	"follow-up, reasons, its best property's condition (a person's assessment\n"
	"over the remote estimate) and revenue projection, and the first leads' cards\n"
	"against their competitive sets (the same figures as their rows); the\n"
	"follow-ups due; our units against their competitive sets (charts); review\n"
	"sentiment by aspect (chart); the last run's stages and rejects.  The file is\n"
	"written atomically; its path is printed on stdout.\n"
	"\n"
	"  --out FILE         where to write (default: report.html); '-' for stdout\n"
	"  --limit N          leads shown, 1-1000 (default 25)\n"
	"  --title TEXT       the report's title\n"
	"  --dbname CONNINFO  connection string (default: libpq's environment)\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"Exit status: 0 written, 64 usage, 74 cannot write, 76 database error.\n",
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' },
		{ "title", required_argument, NULL, 't' },
		{ "dbname", required_argument, NULL, 'D' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts ro = { 25, 12, NULL };
	struct mi_err err = MI_ERR_INIT;
	const char *path = "report.html", *dbname = NULL;
	long long n;
	PGconn *conn;
	struct mi_atomicfile af = MI_ATOMICFILE_INIT;
	FILE *out;
	int c;

	mi_log_init(info.name, "report");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': path = optarg; break;
		case 'l':
			if (mi_opts_int(&info, "limit", optarg, 1, 1000, &n) < 0)
				return MI_EXIT_USAGE;
			ro.queue_limit = (int)n;
			break;
		case 't': ro.title = optarg; break;
		case 'D': dbname = optarg; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (optind < argc)
		return mi_opts_usage_error(&info, "unexpected argument '%s'", argv[optind]);
	conn = mi_pg_connect(info.name, dbname, &err);
	if (!conn)
		goto fail;
	if (!strcmp(path, "-")) {
		if (report_write(conn, &ro, stdout, &err) < 0)
			goto fail;
		mi_pg_finish(conn);
		return mi_close_stdout(info.name);
	}
	out = mi_atomicfile_open(&af, path, &err);
	if (!out)
		goto fail;
	if (report_write(conn, &ro, out, &err) < 0) {
		mi_atomicfile_abort(&af);
		goto fail;
	}
	if (mi_atomicfile_commit(&af, &err) < 0)
		goto fail;
	mi_pg_finish(conn);
	printf("%s\n", path);
	return mi_close_stdout(info.name);
fail:
	mi_err_print(stderr, info.name, &err);
	mi_pg_finish(conn);
	return err.code ? err.code : MI_EXIT_INTERNAL;
}
