/*
 * leads: the settings file.  Every fixtures/leads/settings/NAME.ini has a twin:
 * NAME.ini.expected (the settings object passed to the scoring SQL) or
 * NAME.ini.err (the error, formatted as mi-leads prints it).
 */
#include "err.h"
#include "exitcode.h"
#include "leads.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

Test(leads, settings_golden)
{
	glob_t g;
	int cases = 0;

	cr_assert_eq(glob("fixtures/leads/settings/*.ini", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *ini = g.gl_pathv[i];
		struct leads_settings s = LEADS_SETTINGS_INIT;
		struct mi_err err = MI_ERR_INIT;
		char twin[512], msg[1024];
		char *want;
		int rc = leads_settings_load(&s, ini, &err);

		snprintf(twin, sizeof(twin), "%s.expected", ini);
		want = slurp(twin);
		if (want) {
			cr_expect_eq(rc, 0, "%s: %s", ini, mi_err_format(&err, msg, sizeof(msg)));
			cr_expect_str_eq(s.json.buf, want, "%s", ini);
		} else {
			snprintf(twin, sizeof(twin), "%s.err", ini);
			want = slurp(twin);
			cr_assert_not_null(want, "%s has no .expected or .err twin", ini);
			cr_expect_eq(rc, -1, "%s should fail", ini);
			cr_expect_eq(err.code, MI_EXIT_CONFIG, "%s: class %d", ini, err.code);
			cr_expect_str_eq(mi_err_format(&err, msg, sizeof(msg)), want, "%s", ini);
		}
		free(want);
		leads_settings_release(&s);
		cases++;
	}
	globfree(&g);
	cr_expect_geq(cases, 4);
}

Test(leads, defaults_match_the_shipped_config)
{
	struct leads_settings def = LEADS_SETTINGS_INIT, shipped = LEADS_SETTINGS_INIT;
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(leads_settings_load(&def, NULL, &err), 0);
	cr_assert_eq(leads_settings_load(&shipped, "config/leads.ini", &err), 0, "%s", err.msg);
	/* only the version differs: the built-in one is a placeholder */
	cr_expect_str_eq(strchr(def.json.buf, ','), strchr(shipped.json.buf, ','));
	cr_expect_eq(shipped.claim_hours, 4);
	cr_expect_float_eq(shipped.hot_threshold, 70, 1e-9);
	leads_settings_release(&def);
	leads_settings_release(&shipped);
}
