/*
 * source: the golden runner.  Each fixtures/fetch/sources/NAME.ini has a
 * NAME.ini.expected twin (the loaded values, one canonical dump); each
 * fixtures/fetch/sources-bad/NAME.ini has a NAME.ini.err twin (the exact
 * error, with file and line).
 */
#include "exitcode.h"
#include "filelimits.h"
#include "parser.h"
#include "source.h"
#include "strbuf.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void dump(const struct source *s, struct strbuf *sb)
{
	struct mi_err err = MI_ERR_INIT;
	char *url = source_url(s, "2026-11-24", 1, &err);

	cr_assert_not_null(url, "%s", err.msg);
	strbuf_addf(sb, "id=%s kind=%s county=%d format=%s schedule=%s enabled=%d\n", s->id,
		    s->kind, s->county, s->format, s->schedule, s->enabled);
	strbuf_addf(sb, "url(2026-11-24,1)=%s\n", url);
	strbuf_addf(sb,
		    "concurrency=%d rate=%.2f robots=%d max_body=%lld timeout=%ld connect_timeout=%ld "
		    "low_speed=%ld/%ld max_redirects=%ld max_attempts=%d\n",
		    s->concurrency, s->rate, s->robots, s->max_body, s->timeout, s->connect_timeout,
		    s->low_speed_limit, s->low_speed_time, s->max_redirects, s->max_attempts);
	strbuf_addf(sb, "paginate=%d", s->paginate);
	if (s->paginate == SOURCE_PAGE_JSON_NEXT)
		strbuf_addf(sb, " next_field=%s", s->next_field);
	if (s->paginate == SOURCE_PAGE_HTML_NEXT)
		strbuf_addf(sb, " next_xpath=%s", s->next_xpath);
	if (s->paginate == SOURCE_PAGE_NUMBER)
		strbuf_addf(sb, " items_field=%s", s->items_field);
	if (s->paginate)
		strbuf_addf(sb, " start=%d max_pages=%d", s->page_start, s->max_pages);
	strbuf_addch(sb, '\n');
	if (s->auth_header)
		strbuf_addf(sb, "auth=%s:$%s\n", s->auth_header, s->auth_env);
	strbuf_addf(sb, "limits: max_bytes=%lld max_rows=%lld max_attributes=%lld cpu_seconds=%g\n",
		    s->limits.max_bytes, s->limits.max_rows, s->limits.max_attributes,
		    s->limits.cpu_seconds);
	free(url);
}

static void slurp(const char *path, struct strbuf *sb)
{
	FILE *fp = fopen(path, "r");
	char buf[4096];
	size_t n;

	cr_assert_not_null(fp, "missing twin %s", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(sb, buf, n);
	fclose(fp);
}

/* As the programs do: a format no parser reads is a configuration error. */
static void formats_known(void)
{
	source_format_known = parser_known;
}

Test(source, golden_good_configs, .init = formats_known)
{
	glob_t g;
	size_t i;

	cr_assert_eq(glob("fixtures/fetch/sources/*.ini", 0, NULL, &g), 0);
	cr_assert_geq(g.gl_pathc, 4);
	for (i = 0; i < g.gl_pathc; i++) {
		struct mi_err err = MI_ERR_INIT;
		struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
		char twin[4096];
		struct source *s = source_load(g.gl_pathv[i], &err);

		cr_assert_not_null(s, "%s: %s", g.gl_pathv[i], err.msg);
		dump(s, &got);
		snprintf(twin, sizeof(twin), "%s.expected", g.gl_pathv[i]);
		slurp(twin, &want);
		cr_expect_str_eq(got.buf, want.buf, "%s differs", twin);
		strbuf_release(&got);
		strbuf_release(&want);
		source_free(s);
	}
	globfree(&g);
}

Test(source, golden_error_twins, .init = formats_known)
{
	glob_t g;
	size_t i;

	cr_assert_eq(glob("fixtures/fetch/sources-bad/*.ini", 0, NULL, &g), 0);
	cr_assert_geq(g.gl_pathc, 15);
	for (i = 0; i < g.gl_pathc; i++) {
		struct mi_err err = MI_ERR_INIT;
		struct strbuf want = STRBUF_INIT;
		char twin[4096], buf[1024];
		struct source *s = source_load(g.gl_pathv[i], &err);

		cr_expect_null(s, "%s loaded but should fail", g.gl_pathv[i]);
		source_free(s);
		snprintf(twin, sizeof(twin), "%s.err", g.gl_pathv[i]);
		slurp(twin, &want);
		strbuf_trim(&want);
		cr_expect_str_eq(mi_err_format(&err, buf, sizeof(buf)), want.buf, "%s", twin);
		strbuf_release(&want);
	}
	globfree(&g);
}

Test(source, load_dir_sorted_and_placeholders)
{
	struct mi_err err = MI_ERR_INIT;
	struct source **v;
	size_t n;
	char *u;

	cr_assert_eq(source_load_dir("fixtures/fetch/sources", &v, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(v[0]->id, "calendar-pages");
	cr_assert_str_eq(v[3]->id, "reviews-json");
	u = source_url(v[0], "2026-01-02", 7, &err);
	cr_assert_str_eq(u, "http://127.0.0.1:9/cal?date=2026-01-02&page=7");
	free(u);
	source_free_all(v, n);
	cr_assert_eq(source_load_dir("fixtures/fetch/sources-bad", &v, &n, &err), -1);
	cr_assert_eq(source_load_dir("fixtures/fetch/no-such-dir", &v, &n, &err), -1);
}

Test(source, credentials_come_from_the_environment_only)
{
	struct mi_err err = MI_ERR_INIT;
	struct source *s = source_load("fixtures/fetch/sources/reviews-json.ini", &err);
	char *line = NULL;

	cr_assert_not_null(s);
	unsetenv("MI_TEST_REVIEWS_KEY");
	cr_assert_eq(source_auth_header(s, &line, &err), -1);
	cr_assert_str_eq(err.msg,
			 "source 'reviews-json': environment variable 'MI_TEST_REVIEWS_KEY' is not set");
	setenv("MI_TEST_REVIEWS_KEY", "s3cret", 1);
	cr_assert_eq(source_auth_header(s, &line, &err), 0);
	cr_assert_str_eq(line, "X-Api-Key: s3cret");
	free(line);
	source_free(s);
}

Test(source, shipped_configs_load_and_are_disabled)
{
	struct mi_err err = MI_ERR_INIT;
	struct source **v;
	size_t n, i;

	cr_assert_eq(source_load_dir("config/sources", &v, &n, &err), 0, "%s", err.msg);
	cr_assert_geq(n, 1);
	for (i = 0; i < n; i++) {
		cr_expect(!v[i]->enabled, "%s is enabled by default", v[i]->cfg.path);
		if (strncmp(v[i]->url, "file://", 7) && strstr(v[i]->url, "://127.0.0.1") == NULL)
			cr_expect(!v[i]->enabled, "%s points outside loopback", v[i]->cfg.path);
	}
	source_free_all(v, n);
}

/* Two enabled sources with one URL: the second would get nothing, every night. */
Test(source, same_url_twice_is_a_configuration_error, .init = formats_known)
{
	struct mi_err err = MI_ERR_INIT;
	struct source **v = NULL;
	size_t n = 0;
	char buf[1024];

	cr_assert_eq(source_load_dir("fixtures/fetch/sources-dup", &v, &n, &err), -1);
	cr_expect_null(v);
	cr_expect_eq(err.code, MI_EXIT_CONFIG);
	cr_expect_str_eq(mi_err_format(&err, buf, sizeof(buf)),
			 "fixtures/fetch/sources-dup/maui-owners.ini:5: source 'maui-owners' has the "
			 "URL of source 'maui-owners-2026' (fixtures/fetch/sources-dup/"
			 "maui-owners-2026.ini): each URL is fetched once a run, so one of them would "
			 "get nothing");
}

Test(source, limits_default_and_off)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;
	struct mi_limits l;
	char path[] = "/tmp/mi-limits-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");

	cr_assert_not_null(fp);
	fputs("[limits]\nmax_rows = 0\ncpu_seconds = 2.5\n", fp);
	fclose(fp);
	cr_assert_eq(mi_config_load(&cfg, path, &err), 0, "%s", err.msg);
	cr_assert_eq(mi_limits_load(&cfg, "limits", &l, &err), 0, "%s", err.msg);
	cr_expect_eq(l.max_bytes, MI_LIMITS_MAX_BYTES);
	cr_expect_eq(l.max_rows, 0, "0 switches a limit off");
	cr_expect_eq(l.max_attributes, MI_LIMITS_MAX_ATTRIBUTES);
	cr_expect_eq(l.cpu_seconds, 2.5);
	mi_config_release(&cfg);
	unlink(path);
}
