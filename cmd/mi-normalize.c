/*
 * mi-normalize: the normalization library for scripts and tests: one value
 * per line on stdin, one tab-separated result line per input line on stdout.
 */
#include "err.h"
#include "exitcode.h"
#include "geo_hi.h"
#include "log.h"
#include "normalize.h"
#include "opts.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-normalize",
	"usage: mi-normalize [--county N] [--zip ZIP] [--place NAME] [--range MODE]\n"
	"                    [--island NAME] KIND < values\n"
	"\n"
	"Normalize one value per line from standard input and write exactly one line\n"
	"per input line to standard output, tab-separated, so that scripts can zip\n"
	"input and output.  A value that cannot be normalized (an empty line, bytes\n"
	"that are not UTF-8, a line over 64 KiB included) gives ERROR<TAB>reason.\n"
	"\n"
	"KIND and its output columns (\"-\" stands for an empty field):\n"
	"  tmk      TMK13S  FLAGS  DISPLAYS\n"
	"           the canonical 13-digit TMK(s) CZSPPPPPPUUUU joined by '|' (a field\n"
	"           may hold several parcels), the flags of each joined by '|' (each a\n"
	"           ','-list of county-inferred, portion, cpr-assumed, zeros-dropped,\n"
	"           zone-padded, list, range, cpr-suffix, short-form; '-' for none),\n"
	"           and the display forms (C) Z-S-PPP:PPP-UUUU joined by '|'\n"
	"  ids      KIND:ID joined by '|': every tax id, permit and TMK in the text,\n"
	"           KIND one of ta, ge, tax, w, permit, nuc, tmk, tmk12 ('-': none;\n"
	"           after 32 ids, more:N counts the rest)\n"
	"  address  KEY  HOUSE  STREET  UNIT  CITY  STATE  ZIP  COUNTY  ISLAND\n"
	"           KEY is the matching key (\"74-5905 ALII DR #3\")\n"
	"  owner    KIND  KEY  DISPLAY  FLAGS  CARE_OF  ABSENTEE\n"
	"           input NAME or NAME<TAB>MAILING ADDRESS; KIND person, entity or\n"
	"           trust; FLAGS a ','-list of couple, trustee, estate, etal,\n"
	"           care-of, government; ABSENTEE local, off-island, out-of-state,\n"
	"           foreign or unknown ('-' without a mailing address)\n"
	"\n"
	"  --county N      the source's county 1-4 (1 Honolulu, 2 Maui, 3 Hawaii,\n"
	"                  4 Kauai), for TMKs written without one; for owner, the\n"
	"                  property's county\n"
	"  --zip ZIP       tmk: the records' ZIP, for TMKs without a county (after\n"
	"                  --county)\n"
	"  --place NAME    tmk: the records' city or island, likewise (after --zip)\n"
	"  --range MODE    how to read a TMK range \":003-011\": refuse (default),\n"
	"                  parcels (003 through 011) or cpr (parcel 003, CPR 0011)\n"
	"  --island NAME   owner: the property's island (Oahu, Maui, Molokai, Lanai,\n"
	"                  Hawaii, Kauai), for the absentee column\n"
	"  -h, --help      show this help and exit\n"
	"  -V, --version   show the version and exit\n"
	"\n"
	"Exit status: 0 done (ERROR lines included), 64 usage, 74 read or write error.\n",
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "county", required_argument, NULL, 'c' },
		{ "range", required_argument, NULL, 'r' },
		{ "island", required_argument, NULL, 'i' },
		{ "zip", required_argument, NULL, 'z' },
		{ "place", required_argument, NULL, 'p' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct norm_opts o;
	struct mi_err err = MI_ERR_INIT;
	size_t lines = 0, errors = 0;
	long long v;
	int c, ret;

	memset(&o, 0, sizeof(o));
	mi_log_init(info.name, "normalize");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (mi_opts_int(&info, "county", optarg, 1, 4, &v) < 0)
				return MI_EXIT_USAGE;
			o.county = (int)v;
			break;
		case 'r':
			if (!strcmp(optarg, "refuse"))
				o.range = TMK_RANGE_REFUSE;
			else if (!strcmp(optarg, "parcels"))
				o.range = TMK_RANGE_PARCELS;
			else if (!strcmp(optarg, "cpr"))
				o.range = TMK_RANGE_CPR;
			else
				return mi_opts_usage_error(&info, "invalid value '%s' for option "
							   "--range: must be refuse, parcels or cpr",
							   optarg);
			break;
		case 'i':
			o.island = geo_island_parse(optarg);
			if (o.island == GEO_ISLAND_UNKNOWN)
				return mi_opts_usage_error(&info, "unknown island '%s'", optarg);
			break;
		case 'z': o.zip = optarg; break;
		case 'p': o.place = optarg; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return mi_opts_usage_error(&info, optind == argc ? "missing KIND" :
					   "too many arguments");
	o.kind = norm_kind_parse(argv[optind]);
	if (!o.kind)
		return mi_opts_usage_error(&info, "unknown KIND '%s': must be tmk, ids, address "
					   "or owner", argv[optind]);
	if (norm_stream(&o, stdin, stdout, &lines, &errors, &err) < 0) {
		mi_err_print(stderr, info.name, &err);
		mi_close_stdout(info.name);
		return err.code;
	}
	ret = mi_close_stdout(info.name);
	return ret;
}
