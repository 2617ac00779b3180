/*
 * mi-fetch: fetch the configured sources into the landing store.
 */
#include "err.h"
#include "exitcode.h"
#include "fetch.h"
#include "fetchrun.h"
#include "landing.h"
#include "ledger.h"
#include "log.h"
#include "opts.h"
#include "parser.h"
#include "pg.h"
#include "source.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-fetch",
	"usage: mi-fetch --run ID [--source ID]... [--landing DIR] [--workers N]\n"
	"                [--config-dir DIR] [--date YYYY-MM-DD] [--local] [--dry-run]\n"
	"\n"
	"Fetch every enabled source of DIR/sources/*.ini (or only the --source ones)\n"
	"into the landing store: each body once, named by its SHA-256, and one manifest\n"
	"line per request in LANDING/runs/ID/manifest.jsonl.  Re-running a run id\n"
	"continues where it stopped and fetches nothing already landed.  By default the\n"
	"queue is shared through PostgreSQL (libpq's environment), so several mi-fetch\n"
	"processes, on one host or several, can split a run; each returns when the\n"
	"whole run is done.  Polite by default: robots.txt, per-host concurrency and\n"
	"rate, Retry-After, backoff.\n"
	"\n"
	"  --run ID            run id (letters, digits, '.', '_', '-')\n"
	"  --source ID         only this source (repeatable; it must be enabled)\n"
	"  --landing DIR       landing store (default: landing)\n"
	"  --workers N         transfers in flight in all, 1-1024 (default 16)\n"
	"  --config-dir DIR    configuration directory (default: config)\n"
	"  --date YYYY-MM-DD   the run date for URL patterns (default: today, UTC)\n"
	"  --local             no database: one process, the manifest is the queue\n"
	"  --dbname CONNINFO   connection string (default: libpq's environment)\n"
	"  --lease SECONDS     how long a claimed item is ours without renewal (default 120)\n"
	"  --budget SECONDS    the run must end within this; a host asking for a longer\n"
	"                      wait is parked and the run is partial (default 21600)\n"
	"  --retry-failed      try again the items that failed in an earlier attempt\n"
	"  --dry-run           print each selected source's first URL, fetch nothing\n"
	"  --no-politeness     no robots.txt, rate or per-host limit (benchmarks only)\n"
	"  --no-fsync          do not fsync landed bodies (benchmarks only)\n"
	"  --backoff-ms N      first retry wait in milliseconds (default 500)\n"
	"  --ca-file FILE      verify TLS against this CA bundle instead of the system's\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"A summary is printed on stdout as one JSON object; its warnings name a full\n"
	"page whose next link resolves to nothing (pagination stopped early) and a\n"
	"source whose pages hold fewer items than its expected_min_items (it failed).\n"
	"Exit status: 0 done, 1 partial (some requests failed or were parked, or a\n"
	"source had fewer items than expected), 64 usage,\n"
	"69 nothing could be fetched, 74 landing store I/O error, 76 database error,\n"
	"78 bad configuration.\n",
};

#define MAX_SOURCES 64

/* the fetch rows of the ledger: one per --source, or one for the whole fetch */
static struct ledger_stage ledger_rows[MAX_SOURCES];
static size_t nledger_rows;
static PGconn *ledger_conn;

struct fetch_count {
	const char *source; /* NULL: every source */
	long long landed, failed, items;
	char warning[300]; /* the first page's warning (pagination stopped early) */
	int warnings;
};

static int count_fetch(const struct landing_record *rec, void *arg)
{
	struct fetch_count *c = arg;

	if (c->source && (!rec->source || strcmp(rec->source, c->source)))
		return 0;
	if (rec->outcome && (!strcmp(rec->outcome, "landed") || !strcmp(rec->outcome, "not_modified")))
		c->landed++;
	else
		c->failed++;
	if (rec->warning && !c->warnings++)
		snprintf(c->warning, sizeof(c->warning), "%s", rec->warning);
	return 0;
}

/* each URL's last body once: the items of the source's pages */
static int count_items(const struct landing_record *rec, void *arg)
{
	struct fetch_count *c = arg;

	if ((!c->source || (rec->source && !strcmp(rec->source, c->source))) && rec->items_known)
		c->items += rec->items;
	return 0;
}

/*
 * Close the ledger row of one source (or, source NULL, of the whole fetch)
 * from the run's manifest: URLs landed or unchanged, URLs that failed;
 * code is mi-fetch's exit code, error its error (NULL when it ran).
 */
static void close_source(struct ledger_stage *ls, const struct fetchrun_opts *o,
			 const char *source, long long expected_min, int code, const char *error)
{
	struct fetch_count n;
	struct mi_err e = MI_ERR_INIT;
	struct ledger_counts c;
	char note[400], detail[640], esc[620];
	const char *status;
	size_t len;
	int sc, too_few = 0;

	if (!ls->conn)
		return;
	memset(&n, 0, sizeof(n));
	n.source = source;
	note[0] = '\0';
	if ((landing_run_foreach(o->landing_dir, o->run_id, LANDING_ALL, count_fetch, &n, &e) < 0 ||
	     landing_run_foreach(o->landing_dir, o->run_id, 0, count_items, &n, &e) < 0) &&
	    !code) {
		sc = MI_EXIT_PARTIAL;
		snprintf(note, sizeof(note), "nothing landed");
	} else {
		sc = n.failed ? (n.landed ? MI_EXIT_PARTIAL : MI_EXIT_NETWORK) : MI_EXIT_OK;
		if (code && !n.landed && !n.failed)
			sc = code;
		if (n.failed)
			snprintf(note, sizeof(note), "%lld request%s failed", n.failed,
				 n.failed == 1 ? "" : "s");
	}
	status = ledger_status_of(sc);
	/* a source that shrank is no market that shrank: it fails, unloaded */
	if (expected_min && n.landed && n.items < expected_min) {
		len = strlen(note);
		snprintf(note + len, sizeof(note) - len, "%s%lld items, expected at least %lld: not loaded",
			 len ? "; " : "", n.items, expected_min);
		if (sc == MI_EXIT_OK)
			sc = MI_EXIT_PARTIAL;
		status = "failed";
		too_few = 1;
	}
	if (n.warnings) {
		len = strlen(note);
		snprintf(note + len, sizeof(note) - len, "%swarning: %s", len ? "; " : "", n.warning);
	}
	memset(&c, 0, sizeof(c));
	c.read = n.landed + n.failed;
	c.out = n.landed;
	c.rejected = n.failed;
	{
		/* the note as a JSON string */
		json_object *j = json_object_new_string(note);
		snprintf(esc, sizeof(esc), "%s", json_object_to_json_string(j));
		json_object_put(j);
	}
	snprintf(detail, sizeof(detail),
		 "{\"landed\": %lld, \"failed\": %lld, \"items\": %lld, \"too_few\": %s%s%s}",
		 n.landed, n.failed, n.items, too_few ? "true" : "false", note[0] ? ", \"note\": " : "",
		 note[0] ? esc : "");
	if (error && sc == code) {
		ledger_stage_close_as(ls, status, sc, &c, detail, error);
	} else {
		char why[480];
		snprintf(why, sizeof(why), "exit %d (%s)%s%s", sc, mi_exit_name(sc), note[0] ? ": " : "",
			 note);
		ledger_stage_close_as(ls, status, sc, &c, detail,
				      sc || strcmp(status, "succeeded") ? why : NULL);
	}
}

/*
 * Under mi-run ($MI_RUN_ID), or with the shared queue (the run's own id),
 * each source's row in the ledger; a dry run records nothing.
 */
static void open_ledger(const struct fetchrun_opts *o)
{
	const char *run = ledger_run_of(o->local ? NULL : o->run_id);
	struct mi_err e = MI_ERR_INIT;

	if (!run || o->dry_run)
		return;
	ledger_conn = mi_pg_connect("mi-fetch", o->conninfo, &e);
	if (!ledger_conn) {
		mi_log(MI_LOG_WARN, "ledger_failed", "%s", e.msg);
		return;
	}
	nledger_rows = o->nonly ? o->nonly : 1;
	for (size_t i = 0; i < nledger_rows; i++)
		ledger_stage_open(&ledger_rows[i], ledger_conn, NULL, run, "fetch",
				  o->nonly ? o->only[i] : NULL, 0, NULL);
}

static int close_ledger(const struct fetchrun_opts *o, int code, const char *error)
{
	struct source **srcs = NULL;
	size_t nsrcs = 0;
	struct mi_err e = MI_ERR_INIT;

	if (nledger_rows && source_load_dir(o->sources_dir, &srcs, &nsrcs, &e) < 0)
		nsrcs = 0;
	for (size_t i = 0; i < nledger_rows; i++) {
		const char *id = o->nonly ? o->only[i] : NULL;
		long long min = 0;
		for (size_t j = 0; id && j < nsrcs; j++)
			if (!strcmp(srcs[j]->id, id))
				min = srcs[j]->expected_min_items;
		close_source(&ledger_rows[i], o, id, min, code, error);
	}
	source_free_all(srcs, nsrcs);
	mi_pg_finish(ledger_conn);
	return code;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 's' },
		{ "landing", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "config-dir", required_argument, NULL, 'c' },
		{ "date", required_argument, NULL, 'd' },
		{ "local", no_argument, NULL, 'L' },
		{ "dbname", required_argument, NULL, 'D' },
		{ "lease", required_argument, NULL, 'e' },
		{ "budget", required_argument, NULL, 'b' },
		{ "retry-failed", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-politeness", no_argument, NULL, 'P' },
		{ "no-fsync", no_argument, NULL, 'F' },
		{ "backoff-ms", required_argument, NULL, 'B' },
		{ "ca-file", required_argument, NULL, 'A' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	const char *only[MAX_SOURCES];
	const char *config_dir = "config";
	char sources_dir[4096];
	struct fetchrun_opts o;
	struct fetchrun_summary sum;
	struct mi_err err = MI_ERR_INIT;
	long long v;
	int c, ret;

	memset(&o, 0, sizeof(o));
	o.landing_dir = "landing";
	o.max_inflight = 16;
	o.lease_s = 120;
	o.budget_s = 21600;
	o.politeness = 1;
	o.only = only;
	mi_log_init(info.name, "fetch");
	source_format_known = parser_known; /* a misspelled format is a config error */
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.run_id = optarg; break;
		case 's':
			if (o.nonly == MAX_SOURCES)
				return mi_opts_usage_error(&info, "too many --source options (at most %d)",
							   MAX_SOURCES);
			only[o.nonly++] = optarg;
			break;
		case 'l': o.landing_dir = optarg; break;
		case 'w':
			if (mi_opts_int(&info, "workers", optarg, 1, 1024, &v) < 0)
				return MI_EXIT_USAGE;
			o.max_inflight = (int)v;
			break;
		case 'c': config_dir = optarg; break;
		case 'd':
			if (strlen(optarg) != 10 || optarg[4] != '-' || optarg[7] != '-')
				return mi_opts_usage_error(&info, "bad --date '%s': use YYYY-MM-DD", optarg);
			o.date = optarg;
			break;
		case 'L': o.local = 1; break;
		case 'D': o.conninfo = optarg; break;
		case 'e':
			if (mi_opts_int(&info, "lease", optarg, 1, 86400, &v) < 0)
				return MI_EXIT_USAGE;
			o.lease_s = (int)v;
			break;
		case 'b':
			if (mi_opts_int(&info, "budget", optarg, 0, 7 * 86400, &v) < 0)
				return MI_EXIT_USAGE;
			o.budget_s = (long)v;
			break;
		case 'R': o.retry_failed = 1; break;
		case 'n': o.dry_run = 1; break;
		case 'P': o.politeness = 0; break;
		case 'F': o.no_fsync = 1; break;
		case 'B':
			if (mi_opts_int(&info, "backoff-ms", optarg, 1, 600000, &v) < 0)
				return MI_EXIT_USAGE;
			o.backoff_base_ms = (long)v;
			break;
		case 'A': o.ca_file = optarg; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (optind < argc)
		return mi_opts_usage_error(&info, "unexpected argument '%s'", argv[optind]);
	if (!o.run_id)
		return mi_opts_usage_error(&info, "--run is required");
	if (o.local && o.conninfo)
		return mi_opts_usage_error(&info, "--local and --dbname cannot be combined");
	snprintf(sources_dir, sizeof(sources_dir), "%s/sources", config_dir);
	o.sources_dir = sources_dir;
	mi_log_set_run(o.run_id);
	open_ledger(&o);
	if (fetch_global_init(&err) < 0) {
		mi_err_print(stderr, info.name, &err);
		return close_ledger(&o, err.code, err.msg);
	}
	if (fetchrun(&o, &sum, &err) < 0) {
		fetch_global_cleanup();
		mi_err_print(stderr, info.name, &err);
		return close_ledger(&o, err.code ? err.code : MI_EXIT_INTERNAL, err.msg);
	}
	fetch_global_cleanup();
	if (!o.dry_run) {
		struct json_object *w = json_object_new_array();

		for (int i = 0; i < sum.nwarnings && i < FETCHRUN_MAX_WARNINGS; i++)
			json_object_array_add(w, json_object_new_string(sum.warnings[i]));
		printf("{\"run\":\"%s\",\"landed\":%lld,\"new_bodies\":%lld,\"not_modified\":%lld,"
		       "\"failed\":%lld,\"robots\":%lld,\"parked\":%lld,\"skipped\":%lld,"
		       "\"requests\":%lld,\"retries\":%lld,\"bytes\":%lld,\"seconds\":%.3f,"
		       "\"short_sources\":%lld,\"warnings\":%s}\n",
		       o.run_id, sum.landed, sum.new_bodies, sum.not_modified, sum.failed, sum.robots,
		       sum.parked, sum.skipped, sum.requests, sum.retries, sum.bytes, sum.seconds,
		       sum.short_sources,
		       json_object_to_json_string_ext(w, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(w);
		for (int i = 0; i < sum.nwarnings && i < FETCHRUN_MAX_WARNINGS; i++)
			mi_log(MI_LOG_WARN, "warning", "%s", sum.warnings[i]);
	}
	ret = MI_EXIT_OK;
	if (sum.failed || sum.parked)
		ret = (sum.landed + sum.not_modified + sum.robots + sum.skipped) ? MI_EXIT_PARTIAL
										  : MI_EXIT_NETWORK;
	if (sum.short_sources && ret == MI_EXIT_OK)
		ret = MI_EXIT_PARTIAL;
	if (!o.dry_run)
		mi_log(sum.failed || sum.parked ? MI_LOG_WARN : MI_LOG_INFO, "summary",
		       "%lld landed (%lld new), %lld not modified, %lld failed, %lld robots, %lld parked",
		       sum.landed, sum.new_bodies, sum.not_modified, sum.failed, sum.robots,
		       sum.parked);
	{
		int cr = mi_close_stdout(info.name);
		if (cr != MI_EXIT_OK)
			ret = cr;
	}
	return close_ledger(&o, ret, NULL);
}
