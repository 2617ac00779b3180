/*
 * robots: the golden runner over fixtures/robots/NAME.txt, each with its
 * NAME.txt.expected twin: a "# agent UA" line, then "allow PATH" or
 * "deny PATH" lines that must all hold; plus the fail-open/closed table.
 */
#include "robots.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(fp, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

Test(robots, golden_fixtures)
{
	glob_t g;
	size_t i;
	int checks = 0;

	cr_assert_eq(glob("fixtures/robots/*.txt", 0, NULL, &g), 0, "no robots fixtures");
	cr_assert_geq(g.gl_pathc, 5);
	for (i = 0; i < g.gl_pathc; i++) {
		char exp_path[4096], line[1024], agent[1024] = "mi-fetch";
		struct robots r = ROBOTS_INIT;
		size_t len;
		char *body = slurp(g.gl_pathv[i], &len);
		FILE *ex;
		int lineno = 0;

		snprintf(exp_path, sizeof(exp_path), "%s.expected", g.gl_pathv[i]);
		ex = fopen(exp_path, "r");
		cr_assert_not_null(ex, "missing twin %s", exp_path);
		while (fgets(line, sizeof(line), ex)) {
			char *nl = strchr(line, '\n');
			lineno++;
			if (nl)
				*nl = '\0';
			if (!strncmp(line, "# agent ", 8)) {
				snprintf(agent, sizeof(agent), "%s", line + 8);
				cr_assert_eq(robots_parse(&r, body, len, agent), 0);
				continue;
			}
			if (!line[0] || line[0] == '#')
				continue;
			if (!strncmp(line, "allow ", 6)) {
				cr_expect(robots_allowed(&r, line + 6), "%s:%d: %s should be allowed",
					  exp_path, lineno, line + 6);
			} else if (!strncmp(line, "deny ", 5)) {
				cr_expect(!robots_allowed(&r, line + 5), "%s:%d: %s should be denied",
					  exp_path, lineno, line + 5);
			} else {
				cr_assert_fail("%s:%d: bad line '%s'", exp_path, lineno, line);
			}
			checks++;
		}
		fclose(ex);
		robots_release(&r);
		free(body);
	}
	globfree(&g);
	cr_assert_geq(checks, 20);
}

Test(robots, fails_closed_on_5xx_429_and_no_answer)
{
	struct robots r = ROBOTS_INIT;

	robots_from_status(&r, 503);
	cr_assert(!robots_allowed(&r, "/"));
	robots_from_status(&r, 500);
	cr_assert(!robots_allowed(&r, "/x"));
	robots_from_status(&r, 429);
	cr_assert(!robots_allowed(&r, "/x"));
	robots_from_status(&r, 0); /* timeout, connection refused */
	cr_assert(!robots_allowed(&r, "/x"));
	robots_from_status(&r, 404);
	cr_assert(robots_allowed(&r, "/x"));
	robots_from_status(&r, 401);
	cr_assert(robots_allowed(&r, "/x"));
	robots_release(&r);
}

Test(robots, crawl_delay_and_robots_txt_itself)
{
	static const char body[] = "User-agent: *\nCrawl-delay: 3\nDisallow: /\n";
	struct robots r = ROBOTS_INIT;

	cr_assert_eq(robots_parse(&r, body, sizeof(body) - 1, "mi-fetch/1.0"), 0);
	cr_assert_float_eq(r.crawl_delay, 3.0, 1e-9);
	cr_assert(!robots_allowed(&r, "/anything"));
	cr_assert(robots_allowed(&r, "/robots.txt"));
	robots_release(&r);
}

/* A hostile robots.txt cannot make matching exponential. */
Test(robots, wildcards_stay_linear, .timeout = 5)
{
	static const char body[] = "User-agent: *\n"
				   "Disallow: /*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b$\n"
				   "Allow: /*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c\n";
	struct robots r = ROBOTS_INIT;
	char path[4002];

	path[0] = '/';
	memset(path + 1, 'a', 4000);
	path[4001] = '\0';
	cr_assert_eq(robots_parse(&r, body, sizeof(body) - 1, "mi-fetch"), 0);
	cr_assert(robots_allowed(&r, path));
	path[4000] = 'b';
	cr_assert(!robots_allowed(&r, path));
	robots_release(&r);
}
