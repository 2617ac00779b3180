/*
 * mi-parse: turn landed bodies or given files into normalized entity files.
 */
#include "err.h"
#include "exitcode.h"
#include "landing.h"
#include "ledger.h"
#include "log.h"
#include "opts.h"
#include "parse_run.h"
#include "parser.h"
#include "source.h"
#include "records.h"
#include "value.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-parse",
	"usage: mi-parse --format NAME [--source ID] [--county N] [--snapshot-date D]\n"
	"                [--config FILE] [--append] [--max-reject-ratio R] [LIMITS]\n"
	"                --out DIR FILE...\n"
	"       mi-parse --run ID [--landing DIR] [--config-dir DIR] [--format NAME]\n"
	"                [--source ID] [LIMITS] --out DIR\n"
	"       mi-parse --list-formats\n"
	"\n"
	"Read each FILE (plain, gzip, or a zip's first member) in format NAME and\n"
	"write the records found as PostgreSQL COPY text files in DIR, one per entity:\n"
	"properties.tsv, owners.tsv, sales.tsv, listings.tsv, reviews.tsv, pricing.tsv,\n"
	"and rejects.tsv (records that could not be used, with file, line, byte offset,\n"
	"reason and an excerpt).  A bad record never stops a file; a file that cannot\n"
	"be read at all is one reject.\n"
	"\n"
	"  --format NAME          input format (see --list-formats)\n"
	"  --source ID            source id written in every record (default: the format;\n"
	"                         with --run: parse only that source's bodies)\n"
	"  --county N             the source's county 1-4 (1 Honolulu, 2 Maui, 3 Hawaii,\n"
	"                         4 Kauai), for TMKs written without their county digit\n"
	"  --snapshot-date D      YYYY-MM-DD the input was fetched (default: a date in\n"
	"                         the file's path, else what the format finds in it)\n"
	"  --config FILE          the format's rules (county-csv: column map INI)\n"
	"  --out DIR              output directory (created if missing)\n"
	"  --append               append to the entity files instead of replacing them\n"
	"  --max-reject-ratio R   fail with exit 65 when rejected/read exceeds R (default\n"
	"                         0.05; 1 never fails on rejects)\n"
	"  --run ID               parse every body fetch run ID landed, each with its\n"
	"                         source's format, id, county and rules (a calendar keeps\n"
	"                         its scrape date; otherwise a date found in the file,\n"
	"                         else the fetch date, is the snapshot date); with\n"
	"                         --format or --source, only that format's or source's\n"
	"                         bodies\n"
	"  --landing DIR          landing store for --run (default: landing)\n"
	"  --config-dir DIR       configuration directory for --run (default: config)\n"
	"\n"
	"LIMITS: what one file may cost (with --run each source's [limits] section sets\n"
	"them; an option given here wins; 0 switches a limit off).  A file over\n"
	"max-bytes, max-rows or cpu-seconds is rejected whole (its rows taken back, one\n"
	"reject says why) and the run exits 65; an element over max-attributes is\n"
	"rejected alone.\n"
	"  --max-bytes N          bytes of a file once decompressed (default 2147483648)\n"
	"  --max-rows N           rows a file may write, rejects included (default 25000000)\n"
	"  --max-attributes N     attributes of one XML/HTML element (default 256)\n"
	"  --cpu-seconds S        CPU time to parse one file (default 600)\n"
	"  --list-formats         print the formats: name, entities, summary\n"
	"  -h, --help             show this help and exit\n"
	"  -V, --version          show the version and exit\n"
	"\n"
	"The rows written per entity are printed on stdout (entity TAB count), then the\n"
	"records read (read TAB count: the input's rows as a person counts them, a\n"
	"record over several lines once, the header not).\n"
	"\n"
	"Exit status: 0 done, 64 usage, 65 a file could not be read, was over a limit\n"
	"or too many rejects,\n"
	"66 an input file or run does not exist, 74 output cannot be written,\n"
	"78 bad --config.\n",
};

static int list_formats(void)
{
	const struct parser *const *all = parser_all();

	for (int i = 0; all[i]; i++)
		printf("%s\t%s\t%s\n", all[i]->name, all[i]->entities, all[i]->summary);
	return mi_close_stdout(info.name);
}

/* the stage's row: records read, entity rows written, rejects; rows per entity */
static int close_ledger(struct ledger_stage *ls, int code, const struct parse_run_result *res,
			const char *error)
{
	struct ledger_counts c;
	json_object *d = json_object_new_object(), *rows = json_object_new_object();
	int ret;

	memset(&c, 0, sizeof(c));
	c.files = res->files;
	c.read = res->read;
	for (int i = 0; i < REC_E_COUNT; i++) {
		json_object_object_add(rows, rec_entities[i].name, json_object_new_int64(res->count[i]));
		if (i == REC_E_REJECTS)
			c.rejected = res->count[i];
		else
			c.out += res->count[i];
	}
	json_object_object_add(d, "rows", rows);
	json_object_object_add(d, "files_failed", json_object_new_int(res->files_failed));
	ret = ledger_stage_close(ls, code, &c, json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN),
				 error);
	json_object_put(d);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "source", required_argument, NULL, 's' },
		{ "county", required_argument, NULL, 'c' },
		{ "snapshot-date", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'C' },
		{ "out", required_argument, NULL, 'o' },
		{ "append", no_argument, NULL, 'a' },
		{ "max-reject-ratio", required_argument, NULL, 'r' },
		{ "run", required_argument, NULL, 'R' },
		{ "landing", required_argument, NULL, 'l' },
		{ "config-dir", required_argument, NULL, 'D' },
		{ "list-formats", no_argument, NULL, 'L' },
		{ "max-bytes", required_argument, NULL, 'B' },
		{ "max-rows", required_argument, NULL, 'N' },
		{ "max-attributes", required_argument, NULL, 'A' },
		{ "cpu-seconds", required_argument, NULL, 'U' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct parse_run_opts o;
	struct parse_run_result res;
	struct ledger_stage ls;
	struct mi_err err = MI_ERR_INIT;
	const char *run = NULL, *landing = "landing", *config_dir = "config";
	int c, list = 0, ret;
	long long n;
	double r;

	memset(&o, 0, sizeof(o));
	o.max_reject_ratio = 0.05;
	o.path_date = 1;
	{
		const struct mi_limits def = MI_LIMITS_DEFAULT;
		o.limits = def;
	}
	mi_log_init(info.name, "parse");
	source_format_known = parser_known; /* a misspelled format is a config error */
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': o.format = optarg; break;
		case 's': o.source = optarg; break;
		case 'c':
			if (mi_opts_int(&info, "county", optarg, 1, 4, &n) < 0)
				return MI_EXIT_USAGE;
			o.county = (int)n;
			break;
		case 'd': {
			struct value_date d;
			if (!value_iso_date(optarg, &d))
				return mi_opts_usage_error(&info,
					"invalid value '%s' for option --snapshot-date: must be a date YYYY-MM-DD",
					optarg);
			o.snapshot_date = optarg;
			break;
		}
		case 'C': o.config_path = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'a': o.append = 1; break;
		case 'r':
			if (mi_opts_double(&info, "max-reject-ratio", optarg, 0, 1, &r) < 0)
				return MI_EXIT_USAGE;
			o.max_reject_ratio = r >= 1 ? -1 : r;
			break;
		case 'R': run = optarg; break;
		case 'l': landing = optarg; break;
		case 'D': config_dir = optarg; break;
		case 'L': list = 1; break;
		case 'B':
			if (mi_opts_int(&info, "max-bytes", optarg, 0, 1LL << 50, &n) < 0)
				return MI_EXIT_USAGE;
			o.limits.max_bytes = n;
			o.limits_forced |= MI_LIMIT_BYTES;
			break;
		case 'N':
			if (mi_opts_int(&info, "max-rows", optarg, 0, 1LL << 50, &n) < 0)
				return MI_EXIT_USAGE;
			o.limits.max_rows = n;
			o.limits_forced |= MI_LIMIT_ROWS;
			break;
		case 'A':
			if (mi_opts_int(&info, "max-attributes", optarg, 0, 1000000, &n) < 0)
				return MI_EXIT_USAGE;
			o.limits.max_attributes = n;
			o.limits_forced |= MI_LIMIT_ATTRIBUTES;
			break;
		case 'U':
			if (mi_opts_double(&info, "cpu-seconds", optarg, 0, 1e6, &r) < 0)
				return MI_EXIT_USAGE;
			o.limits.cpu_seconds = r;
			o.limits_forced |= MI_LIMIT_CPU;
			break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (list) {
		if (o.format || run || optind < argc)
			return mi_opts_usage_error(&info, "--list-formats takes no other argument");
		return list_formats();
	}
	if (o.format && !parser_find(o.format))
		return mi_opts_usage_error(&info, "unknown format '%s' (see --list-formats)",
					   o.format);
	if (!o.out_dir)
		return mi_opts_usage_error(&info, "--out is required");
	if (run) {
		if (optind < argc)
			return mi_opts_usage_error(&info, "--run takes no input file");
		if (!landing_run_id_ok(run))
			return mi_opts_usage_error(&info, "invalid run id '%s'", run);
		mi_log_set_run(run);
	} else {
		if (!o.format)
			return mi_opts_usage_error(&info, "--format is required");
		if (optind >= argc)
			return mi_opts_usage_error(&info, "no input file");
	}
	/* under mi-run, the stage's row in the ledger (no database otherwise) */
	ledger_stage_open(&ls, NULL, NULL, ledger_run_of(NULL), "parse", o.source, 0, NULL);
	if (run)
		ret = parse_run_landing(&o, landing, config_dir, run, &res, &err);
	else
		ret = parse_run_files(&o, argv + optind, argc - optind, &res, &err);
	{
		char f[16], rd[24], em[24], rj[24];
		snprintf(f, sizeof(f), "%d", res.files);
		snprintf(rd, sizeof(rd), "%lld", res.read);
		snprintf(em, sizeof(em), "%lld", res.emitted);
		snprintf(rj, sizeof(rj), "%lld", res.rejected);
		mi_log_kv(MI_LOG_INFO, "summary", "format", o.format ? o.format : "(per source)", "files", f, "read", rd,
			  "emitted", em, "rejected", rj, "out", o.out_dir, NULL);
		/* the summary on stdout: entity, rows written; then the records read */
		for (int i = 0; i < REC_E_COUNT; i++)
			printf("%s\t%lld\n", rec_entities[i].name, res.count[i]);
		printf("read\t%lld\n", res.read);
	}
	if (ret < 0) {
		fflush(stdout);
		mi_err_print(stderr, info.name, &err);
		ret = err.code ? err.code : MI_EXIT_INTERNAL;
	} else {
		ret = mi_close_stdout(info.name);
	}
	return close_ledger(&ls, ret, &res, ret ? err.msg : NULL);
}
