/*
 * The one table-driven runner for the normalizers' golden cases:
 * fixtures/normalize/<kind>.tsv, one case a line, INPUT<TAB>OPTIONS<TAB>
 * EXPECTED (format: fixtures/normalize/README.md).  Each case goes through
 * norm_line(), the engine of mi-normalize, and must give EXPECTED byte for
 * byte.  Every mismatch is reported with file:line before the test fails.
 * MI_GOLDEN_UPDATE=1 rewrites EXPECTED from the current output instead
 * (review the diff before committing).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_hi.h"
#include "normalize.h"
#include "strbuf.h"

#include "banned.h"

#define ROOT "fixtures/normalize"

/* Undo the fixture escapes \t \\ \xNN into out; returns -1 on a bad escape. */
static int unescape(const char *s, size_t n, struct strbuf *out)
{
	size_t i;

	strbuf_reset(out);
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '\\' && i + 1 < n) {
			char h[3];

			switch (s[i + 1]) {
			case 't': c = '\t'; i++; break;
			case '\\': c = '\\'; i++; break;
			case 'x':
				if (i + 3 >= n)
					return -1;
				h[0] = s[i + 2];
				h[1] = s[i + 3];
				h[2] = '\0';
				c = (int)strtol(h, NULL, 16);
				i += 3;
				break;
			default: break;
			}
		}
		if (strbuf_addch(out, c) < 0)
			return -1;
	}
	return 0;
}

/* Options "county=1,range=parcels"; the strings point into opts (modified). */
static int parse_opts(char *opts, struct norm_opts *o)
{
	char *p = opts;

	if (!strcmp(opts, "-"))
		return 0;
	while (p && *p) {
		char *comma = strchr(p, ','), *eq;

		if (comma)
			*comma = '\0';
		eq = strchr(p, '=');
		if (!eq)
			return -1;
		*eq++ = '\0';
		if (!strcmp(p, "county")) {
			o->county = atoi(eq);
		} else if (!strcmp(p, "zip")) {
			o->zip = eq;
		} else if (!strcmp(p, "place")) {
			o->place = eq;
		} else if (!strcmp(p, "range")) {
			o->range = !strcmp(eq, "parcels") ? TMK_RANGE_PARCELS :
				   !strcmp(eq, "cpr") ? TMK_RANGE_CPR : TMK_RANGE_REFUSE;
		} else if (!strcmp(p, "island")) {
			o->island = geo_island_parse(eq);
			if (o->island == GEO_ISLAND_UNKNOWN)
				return -1;
		} else {
			return -1;
		}
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static void run_kind(const char *kind, enum norm_kind k, int min_cases)
{
	char path[256], line[8192];
	FILE *fp, *upd = NULL;
	struct strbuf in = STRBUF_INIT, got = STRBUF_INIT;
	int lineno = 0, cases = 0, failures = 0;
	int update = getenv("MI_GOLDEN_UPDATE") && !strcmp(getenv("MI_GOLDEN_UPDATE"), "1");
	char updpath[300];

	snprintf(path, sizeof(path), "%s/%s.tsv", ROOT, kind);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open '%s' (run from the repository root)", path);
	if (update) {
		snprintf(updpath, sizeof(updpath), "%s.new", path);
		upd = fopen(updpath, "w");
		cr_assert_not_null(upd, "cannot write '%s'", updpath);
	}
	while (fgets(line, sizeof(line), fp)) {
		size_t len = strlen(line);
		char *t1, *t2, *expected;
		struct norm_opts o;

		lineno++;
		cr_assert(len && line[len - 1] == '\n', "%s:%d: line too long or unterminated",
			  path, lineno);
		line[--len] = '\0';
		if (!len || line[0] == '#') {
			if (upd)
				fprintf(upd, "%s\n", line);
			continue;
		}
		t1 = strchr(line, '\t');
		t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		cr_assert(t1 && t2, "%s:%d: want INPUT<TAB>OPTIONS<TAB>EXPECTED", path, lineno);
		*t1 = *t2 = '\0';
		expected = t2 + 1;
		memset(&o, 0, sizeof(o));
		o.kind = k;
		if (upd)
			fprintf(upd, "%s\t%s\t", line, t1 + 1);
		cr_assert(parse_opts(t1 + 1, &o) == 0, "%s:%d: bad options", path, lineno);
		cr_assert(unescape(line, (size_t)(t1 - line), &in) == 0, "%s:%d: bad escape",
			  path, lineno);
		strbuf_reset(&got);
		cr_assert(norm_line(&o, in.buf, in.len, &got) >= 0, "%s:%d: out of memory", path,
			  lineno);
		cases++;
		if (upd) {
			fprintf(upd, "%s\n", got.buf);
			continue;
		}
		if (strcmp(got.buf, expected) != 0) {
			failures++;
			cr_log_error("%s:%d: input '%s'\n  expected: %s\n       got: %s", path,
				     lineno, line, expected, got.buf);
		}
	}
	fclose(fp);
	if (upd) {
		cr_assert(fclose(upd) == 0);
		cr_assert(rename(updpath, path) == 0);
	}
	strbuf_release(&in);
	strbuf_release(&got);
	cr_expect_geq(cases, min_cases, "%s: %d cases, want at least %d", path, cases, min_cases);
	cr_assert_eq(failures, 0, "%s: %d of %d cases differ", path, failures, cases);
}

Test(normalize_golden, tmk)
{
	run_kind("tmk", NORM_TMK, 200);
}

Test(normalize_golden, ids)
{
	run_kind("ids", NORM_IDS, 50);
}

Test(normalize_golden, address)
{
	run_kind("address", NORM_ADDRESS, 50);
}

Test(normalize_golden, owner)
{
	run_kind("owner", NORM_OWNER, 50);
}
