/*
 * mi-score: review sentiment with the vacation-rental aspect layer.
 */
#include "aspects.h"
#include "atomicfile.h"
#include "err.h"
#include "exitcode.h"
#include "ledger.h"
#include "log.h"
#include "opts.h"
#include "strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	"mi-score",
	"usage: mi-score [--in FILE] [--out FILE]\n"
	"       mi-score [--source ID] DIR\n"
	"       mi-score --text | --aspects   (one text per line on stdin)\n"
	"       mi-score --eval FILE\n"
	"\n"
	"Score guest reviews: VADER-family sentiment (compound, pos/neu/neg) per\n"
	"sentence, aspect families of vacation rentals (cleanliness, maintenance,\n"
	"communication, check-in, accuracy, amenities, value, noise, location,\n"
	"building), the manager-controllable complaint flags, a language guess (a\n"
	"review that is not English is not scored) and the scorer version.\n"
	"\n"
	"  --in FILE      reviews file written by mi-parse (COPY text rows; default stdin)\n"
	"  --out FILE     where to write the scored rows (default stdout)\n"
	"  DIR            score DIR/reviews.tsv in place (written atomically)\n"
	"  --source ID    the source DIR holds: under mi-run ($MI_RUN_ID), the\n"
	"                 stage's row of the run ledger is (run, score, ID)\n"
	"  --text         print one compound score per input line (\\N when not English)\n"
	"  --aspects      print one JSON object per input line: scores, aspects, flags\n"
	"  --eval FILE    labelled file (text TAB polarity -4..4 TAB families): print\n"
	"                 Pearson r, 3-class accuracy and negative recall per family\n"
	"  --core         general core only: leave out the rental rules and phrases\n"
	"                 (rental_rules.tsv, domain.tsv)\n"
	"  --data-dir DIR data directory (default: $MI_DATADIR, <bin>/../data, installed)\n"
	"  -h, --help     show this help and exit\n"
	"  -V, --version  show the version and exit\n"
	"\n"
	"Exit status: 0 done, 64 usage, 65 bad input rows, 66 missing input or data\n"
	"file, 74 read or write error, 78 bad data file.\n",
};

enum mode { M_FILE, M_TEXT, M_ASPECTS, M_EVAL };

static int score_lines(const struct asp_model *am, int json, struct mi_err *err)
{
	struct strbuf line, out = STRBUF_INIT;
	struct asp_scorer sc;
	int rc, ret = -1;

	strbuf_init(&line, 64u << 20);
	asp_scorer_init(&sc);
	while ((rc = strbuf_getline(&line, stdin)) == 1) {
		struct asp_result r;

		if (asp_score(am, &sc, line.buf, line.len, &r) < 0) {
			mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		if (json) {
			if (asp_format_json(am, &r, &out) < 0) {
				mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				goto out;
			}
			fwrite(out.buf, 1, out.len, stdout);
			putchar('\n');
		} else if (r.scored) {
			double c = r.compound;

			printf("%.4f\n", c > -0.00005 && c < 0.00005 ? 0.0 : c);
		} else {
			fputs("\\N\n", stdout);
		}
		if (ferror(stdout)) {
			mi_err_set(err, MI_EXIT_IO, "cannot write to stdout: %s", strerror(errno));
			goto out;
		}
	}
	if (rc < 0) {
		mi_err_set(err, line.toobig ? MI_EXIT_DATA : MI_EXIT_IO,
			   line.toobig ? "input line too long (over 64 MiB)" : "cannot read stdin");
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&line);
	strbuf_release(&out);
	asp_scorer_release(&sc);
	return ret;
}

static int score_file(const struct asp_model *am, const char *in_path, const char *out_path,
		      const char *dir, struct asp_file_stats *stp, struct mi_err *err)
{
	char inbuf[PATH_MAX];
	FILE *in = stdin, *out = stdout;
	struct mi_atomicfile af = MI_ATOMICFILE_INIT; /* DIR mode: reviews.tsv rewritten */
	struct asp_file_stats st;
	int ret = -1;
	char n1[32], n2[32], n3[32], n4[32];

	if (dir) {
		if (snprintf(inbuf, sizeof(inbuf), "%s/reviews.tsv", dir) >= (int)sizeof(inbuf))
			return mi_err_set(err, MI_EXIT_USAGE, "directory name too long");
		in_path = inbuf;
	}
	if (in_path && !(in = fopen(in_path, "r")))
		return mi_err_set(err, errno == ENOENT ? MI_EXIT_NOINPUT : MI_EXIT_IO,
				  "cannot open '%s': %s", in_path, strerror(errno));
	if (dir) {
		/* the rewritten file keeps the original's permissions */
		out = mi_atomicfile_open(&af, inbuf, err);
		if (!out) {
			out = stdout;
			goto out;
		}
	} else if (out_path && !(out = fopen(out_path, "w"))) {
		mi_err_set(err, MI_EXIT_IO, "cannot write '%s': %s", out_path, strerror(errno));
		out = stdout;
		goto out;
	}
	if (asp_score_reviews(am, in, in_path ? in_path : "<stdin>", out, &st, err) < 0)
		goto out;
	if (dir) {
		out = stdout;
		if (mi_atomicfile_commit(&af, err) < 0)
			goto out;
	} else if (out != stdout) {
		FILE *o = out;

		out = stdout;
		if (fflush(o) || fclose(o)) {
			mi_err_set(err, MI_EXIT_IO, "cannot write '%s': %s", out_path, strerror(errno));
			goto out;
		}
	}
	snprintf(n1, sizeof(n1), "%ld", st.rows);
	snprintf(n2, sizeof(n2), "%ld", st.scored);
	snprintf(n3, sizeof(n3), "%ld", st.not_english);
	snprintf(n4, sizeof(n4), "%ld", st.flagged);
	mi_log_kv(MI_LOG_INFO, "scored", "rows", n1, "scored", n2, "not_english", n3,
		  "flagged", n4, "scorer_version", am->version, NULL);
	*stp = st;
	ret = 0;
out:
	if (dir)
		mi_atomicfile_abort(&af); /* after a commit: nothing left to do */
	else if (out != stdout)
		fclose(out);
	if (in != stdin)
		fclose(in);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "text", no_argument, NULL, 't' },
		{ "aspects", no_argument, NULL, 'a' },
		{ "eval", required_argument, NULL, 'e' },
		{ "core", no_argument, NULL, 'c' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	const char *in = NULL, *out = NULL, *eval = NULL, *datadir = NULL, *dir = NULL;
	const char *source = NULL;
	struct asp_file_stats st;
	struct ledger_stage ls;
	enum mode mode = M_FILE;
	unsigned flags = 0;
	struct mi_err err = MI_ERR_INIT;
	struct asp_model am;
	int c, ret, modes = 0;

	mi_log_init(info.name, "score");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 't': mode = M_TEXT; modes++; break;
		case 'a': mode = M_ASPECTS; modes++; break;
		case 'e': mode = M_EVAL; eval = optarg; modes++; break;
		case 'c': flags |= ASP_NO_DOMAIN; break;
		case 'd': datadir = optarg; break;
		case 's': source = optarg; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (modes > 1)
		return mi_opts_usage_error(&info, "--text, --aspects and --eval cannot be combined");
	if (optind < argc) {
		if (mode != M_FILE || optind + 1 < argc)
			return mi_opts_usage_error(&info, "unexpected argument '%s'",
						   argv[mode != M_FILE ? optind : optind + 1]);
		dir = argv[optind];
	}
	if (mode != M_FILE && (in || out))
		return mi_opts_usage_error(&info, "--in and --out only apply to a reviews file");
	if (dir && (in || out))
		return mi_opts_usage_error(&info, "DIR cannot be combined with --in or --out");
	if (source && mode != M_FILE)
		return mi_opts_usage_error(&info, "--source only applies to a reviews file");
	/* under mi-run, the stage's row in the ledger (no database otherwise) */
	memset(&st, 0, sizeof(st));
	ledger_stage_open(&ls, NULL, NULL, mode == M_FILE ? ledger_run_of(NULL) : NULL, "score",
			  source, 0, NULL);
	if (asp_model_load(&am, datadir, flags, &err) < 0) {
		mi_err_print(stderr, info.name, &err);
		return ledger_stage_close(&ls, err.code, NULL, NULL, err.msg);
	}
	switch (mode) {
	case M_TEXT: ret = score_lines(&am, 0, &err); break;
	case M_ASPECTS: ret = score_lines(&am, 1, &err); break;
	case M_EVAL: ret = asp_eval(&am, eval, stdout, &err); break;
	default: ret = score_file(&am, in, out, dir, &st, &err); break;
	}
	asp_model_release(&am);
	if (ret < 0) {
		mi_err_print(stderr, info.name, &err);
		mi_close_stdout(info.name);
		ret = err.code;
	} else {
		ret = mi_close_stdout(info.name);
	}
	{
		/* reviews in, reviews written; how many were scored, not English, flagged */
		struct ledger_counts lc;
		char detail[160];
		memset(&lc, 0, sizeof(lc));
		lc.read = st.rows;
		lc.out = ret ? 0 : st.rows;
		snprintf(detail, sizeof(detail),
			 "{\"scored\": %ld, \"not_english\": %ld, \"no_text\": %ld, \"flagged\": %ld}",
			 st.scored, st.not_english, st.no_text, st.flagged);
		return ledger_stage_close(&ls, ret, &lc, detail, ret ? err.msg : NULL);
	}
}
