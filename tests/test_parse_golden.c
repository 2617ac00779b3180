/*
 * The one table-driven runner for mi-parse's golden fixtures.
 *
 * For every case directory fixtures/parse/<format>/<case>/ it parses the
 * input files (input*, in name order) with the options of the optional
 * `args` file into a temporary directory, then compares every entity file
 * with its twin expected/<entity>.tsv byte for byte (an entity without a
 * twin must come out empty), and the run's error with expected/error (no
 * such file: the run must succeed).  Layout and update procedure:
 * fixtures/parse/README.md.  MI_GOLDEN_UPDATE=1 rewrites the twins from
 * the current output instead of comparing (review the diff before committing).
 * MI_GOLDEN_CASE=<format>/<case> or <format>, comma-separated, selects cases.
 * Calendar cases run twice: through the parser's fast path and through its
 * general path (MI_PARSE_NO_FAST=1), both against the same twins.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "parse_run.h"
#include "parser.h"
#include "records.h"
#include "strbuf.h"

#include "banned.h"

#define ROOT "fixtures/parse"
#define MAX_INPUTS 16

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir (skipping dot files), sorted; returns the count, -1 when dir cannot be read. */
static int list_dir(const char *dir, char **names, int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL && n < max) {
		if (e->d_name[0] == '.')
			continue;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	return n;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
}

/* Whole file into sb; 1 read, 0 absent, -1 error. */
static int slurp(const char *path, struct strbuf *sb)
{
	FILE *fp = fopen(path, "rb");
	char buf[65536];
	size_t n;

	strbuf_reset(sb);
	if (!fp)
		return errno == ENOENT ? 0 : -1;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(sb, buf, n);
	fclose(fp);
	return 1;
}

static int spit(const char *path, const char *s, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (!fp)
		return -1;
	if (len && fwrite(s, 1, len, fp) != len) {
		fclose(fp);
		return -1;
	}
	return fclose(fp) == 0 ? 0 : -1;
}

/* Describe the first difference of two texts into why. */
static void first_diff(const char *name, const struct strbuf *want, const struct strbuf *got,
		       char *why, size_t size)
{
	size_t i = 0, line = 1, ls = 0;

	while (i < want->len && i < got->len && want->buf[i] == got->buf[i]) {
		if (want->buf[i] == '\n') {
			line++;
			ls = i + 1;
		}
		i++;
	}
	{
		const char *w = want->buf + ls, *g = got->buf + ls;
		size_t wl = ls < want->len ? strcspn(w, "\n") : 0;
		size_t gl = ls < got->len ? strcspn(g, "\n") : 0;
		snprintf(why, size, "%s differs at line %zu:\n  expected: %.*s\n  got:      %.*s",
			 name, line, (int)(wl > 600 ? 600 : wl), ls < want->len ? w : "(end of file)",
			 (int)(gl > 600 ? 600 : gl), ls < got->len ? g : "(end of file)");
	}
}

/* Read the args file into o (strings are kept in store). */
static int read_args(const char *path, struct parse_run_opts *o, char *store, size_t size,
		     char *why, size_t wsize)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	size_t used = 0;
	int ln = 0;

	if (!fp)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), fp)) {
		char *key = line, *val, *end;
		size_t vl;

		ln++;
		line[strcspn(line, "\r\n")] = '\0';
		while (*key == ' ' || *key == '-')
			key++;
		if (!*key || *key == '#')
			continue;
		val = key + strcspn(key, " =\t");
		if (*val)
			*val++ = '\0';
		while (*val == ' ' || *val == '=' || *val == '\t')
			val++;
		vl = strlen(val);
		if (used + vl + 1 > size) {
			fclose(fp);
			snprintf(why, wsize, "%s:%d: too long", path, ln);
			return -1;
		}
		memcpy(store + used, val, vl + 1);
		val = store + used;
		used += vl + 1;
		if (!strcmp(key, "source")) {
			o->source = val;
		} else if (!strcmp(key, "county")) {
			o->county = (int)strtol(val, &end, 10);
		} else if (!strcmp(key, "snapshot-date")) {
			o->snapshot_date = val;
		} else if (!strcmp(key, "config")) {
			o->config_path = val;
		} else if (!strcmp(key, "max-rejects")) {
			o->max_rejects = strtoll(val, &end, 10);
		} else if (!strcmp(key, "max-bytes")) {
			o->limits.max_bytes = strtoll(val, &end, 10);
		} else if (!strcmp(key, "max-rows")) {
			o->limits.max_rows = strtoll(val, &end, 10);
		} else if (!strcmp(key, "max-attributes")) {
			o->limits.max_attributes = strtoll(val, &end, 10);
		} else if (!strcmp(key, "cpu-seconds")) {
			o->limits.cpu_seconds = strtod(val, &end);
		} else {
			fclose(fp);
			snprintf(why, wsize, "%s:%d: unknown key '%s'", path, ln, key);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

static void rm_tree(const char *dir)
{
	char *names[64];
	char path[4096];
	int n = list_dir(dir, names, 64);

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	free_names(names, n > 0 ? n : 0);
	rmdir(dir);
}

/*
 * Run one case; 0 when it matches, -1 with why set otherwise.  exp_dir is
 * the directory of the twins (normally <case>/expected).
 */
static int run_case(const char *format, const char *case_dir, const char *exp_dir, int update,
		    char *why, size_t wsize)
{
	struct parse_run_opts o;
	struct mi_err err = MI_ERR_INIT;
	char *names[64], *inputs[MAX_INPUTS];
	char tmp[] = "/tmp/mi-golden-XXXXXX";
	char path[4096], store[4096];
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	int n, ninputs = 0, rc, ret = -1;

	if (!parser_find(format)) {
		/* never let an update turn a missing parser into expected errors */
		snprintf(why, wsize, "%s: unknown format '%s'", case_dir, format);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.format = format;
	o.max_reject_ratio = -1;
	o.path_date = 1;
	{
		const struct mi_limits def = MI_LIMITS_DEFAULT;
		o.limits = def;
	}
	snprintf(path, sizeof(path), "%s/args", case_dir);
	if (read_args(path, &o, store, sizeof(store), why, wsize) < 0)
		return -1;
	n = list_dir(case_dir, names, 64);
	for (int i = 0; i < n && ninputs < MAX_INPUTS; i++) {
		if (strncmp(names[i], "input", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", case_dir, names[i]);
		inputs[ninputs++] = strdup(path);
	}
	free_names(names, n > 0 ? n : 0);
	if (!ninputs) {
		snprintf(why, wsize, "%s: no input file", case_dir);
		return -1;
	}
	if (!mkdtemp(tmp)) {
		snprintf(why, wsize, "cannot create a temporary directory");
		goto out;
	}
	o.out_dir = tmp;
	rc = parse_run_files(&o, inputs, ninputs, NULL, &err);

	if (update)
		mkdir(exp_dir, 0777);
	/* the error twin */
	snprintf(path, sizeof(path), "%s/error", exp_dir);
	if (update) {
		if (rc < 0) {
			strbuf_reset(&got);
			strbuf_addf(&got, "%s\n", err.msg);
			spit(path, got.buf, got.len);
		} else {
			unlink(path);
		}
	} else if (slurp(path, &want) > 0) {
		strbuf_trim(&want);
		if (rc == 0) {
			snprintf(why, wsize, "%s: the run succeeded, expected error: %s", case_dir,
				 want.buf);
			goto out;
		}
		if (strcmp(want.buf, err.msg)) {
			snprintf(why, wsize, "%s: error differs:\n  expected: %s\n  got:      %s",
				 case_dir, want.buf, err.msg);
			goto out;
		}
	} else if (rc < 0) {
		snprintf(why, wsize, "%s: the run failed: %s", case_dir, err.msg);
		goto out;
	}

	/* the entity twins */
	for (int i = 0; i < REC_E_COUNT; i++) {
		char exp_path[4096], label[4200];
		int have;

		snprintf(path, sizeof(path), "%s/%s", tmp, rec_entities[i].file);
		snprintf(exp_path, sizeof(exp_path), "%s/%s", exp_dir, rec_entities[i].file);
		if (slurp(path, &got) < 0) {
			snprintf(why, wsize, "cannot read '%s'", path);
			goto out;
		}
		if (update) {
			if (got.len)
				spit(exp_path, got.buf, got.len);
			else
				unlink(exp_path);
			continue;
		}
		have = slurp(exp_path, &want);
		if (have <= 0) {
			if (got.len) {
				snprintf(label, sizeof(label), "%s (no expected twin)", exp_path);
				first_diff(label, &want, &got, why, wsize);
				goto out;
			}
			continue;
		}
		if (want.len != got.len || memcmp(want.buf, got.buf, want.len)) {
			first_diff(exp_path, &want, &got, why, wsize);
			goto out;
		}
	}
	ret = 0;
out:
	if (o.out_dir)
		rm_tree(tmp);
	for (int i = 0; i < ninputs; i++)
		free(inputs[i]);
	strbuf_release(&want);
	strbuf_release(&got);
	return ret;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Is case name (of format) in the comma-separated selection only? */
static int selected(const char *only, const char *format, const char *name)
{
	const char *p = only;

	while (*p) {
		size_t n = strcspn(p, ",");
		if ((n == strlen(name) && !strncmp(p, name, n)) ||
		    (n == strlen(format) && !strncmp(p, format, n)))
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

Test(parse_golden, every_case)
{
	char *formats[64], *cases[256];
	char dir[4096], exp[4200], why[10240];
	const char *only = getenv("MI_GOLDEN_CASE");
	const char *upd = getenv("MI_GOLDEN_UPDATE");
	int update = upd && !strcmp(upd, "1");
	int nf = list_dir(ROOT, formats, 64), total = 0, failed = 0;

	cr_assert(nf > 0, "no fixtures under %s (run from the repository root)", ROOT);
	for (int i = 0; i < nf; i++) {
		int nc;

		snprintf(dir, sizeof(dir), "%s/%s", ROOT, formats[i]);
		if (!is_dir(dir))
			continue;
		nc = list_dir(dir, cases, 256);
		for (int j = 0; j < nc; j++) {
			char name[512];

			snprintf(name, sizeof(name), "%s/%s", formats[i], cases[j]);
			snprintf(dir, sizeof(dir), "%s/%s/%s", ROOT, formats[i], cases[j]);
			if (!is_dir(dir) || (only && !selected(only, formats[i], name)))
				continue;
			snprintf(exp, sizeof(exp), "%s/expected", dir);
			total++;
			why[0] = '\0';
			if (run_case(formats[i], dir, exp, update, why, sizeof(why)) < 0) {
				failed++;
				cr_log_error("case %s: %s", name, why);
			}
			/*
			 * The calendar's fast path writes the usual line itself: the
			 * general path (MI_PARSE_NO_FAST) must give the same bytes
			 */
			if (!update && !strcmp(formats[i], "insideairbnb-calendar")) {
				setenv("MI_PARSE_NO_FAST", "1", 1);
				why[0] = '\0';
				if (run_case(formats[i], dir, exp, 0, why, sizeof(why)) < 0) {
					failed++;
					cr_log_error("case %s (general path): %s", name, why);
				}
				unsetenv("MI_PARSE_NO_FAST");
			}
		}
		free_names(cases, nc > 0 ? nc : 0);
	}
	free_names(formats, nf);
	cr_expect(total > 0, "no case ran");
	cr_expect_eq(failed, 0, "%d of %d golden cases failed (see above)", failed, total);
}

/* The runner itself must be able to fail: a wrong twin is reported. */
Test(parse_golden, reports_a_difference)
{
	char tmp[] = "/tmp/mi-golden-exp-XXXXXX";
	char src[] = "/tmp/mi-golden-case-XXXXXX";
	char path[4200], why[10240];
	const char *input = "listing_id,date,available,price,adjusted_price,minimum_nights,"
			    "maximum_nights\n1,2024-11-05,t,$70.00,,2,30\n";
	const char *wrong = "not the output\n";

	cr_assert_not_null(mkdtemp(tmp));
	cr_assert_not_null(mkdtemp(src));
	snprintf(path, sizeof(path), "%s/input.csv", src);
	cr_assert_eq(spit(path, input, strlen(input)), 0);
	snprintf(path, sizeof(path), "%s/pricing.tsv", tmp);
	cr_assert_eq(spit(path, wrong, strlen(wrong)), 0);
	why[0] = '\0';
	cr_expect_eq(run_case("insideairbnb-calendar", src, tmp, 0, why, sizeof(why)), -1);
	cr_expect(strstr(why, "pricing.tsv differs at line 1") != NULL, "why: %s", why);

	/* a missing twin for a non-empty entity is a failure too */
	snprintf(path, sizeof(path), "%s/pricing.tsv", tmp);
	unlink(path);
	why[0] = '\0';
	cr_expect_eq(run_case("insideairbnb-calendar", src, tmp, 0, why, sizeof(why)), -1);
	cr_expect(strstr(why, "no expected twin") != NULL, "why: %s", why);

	/* an expected error that does not happen is a failure */
	snprintf(path, sizeof(path), "%s/error", tmp);
	cr_assert_eq(spit(path, "boom\n", 5), 0);
	why[0] = '\0';
	cr_expect_eq(run_case("insideairbnb-calendar", src, tmp, 0, why, sizeof(why)), -1);
	cr_expect(strstr(why, "expected error: boom") != NULL, "why: %s", why);
	rm_tree(tmp);
	rm_tree(src);
}
