#include "exitcode.h"
#include "runcfg.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a configuration folder holding pipeline.ini with text (NULL: no file) */
static char *config_with(const char *text)
{
	static char dir[64];
	char path[128];
	FILE *fp;

	snprintf(dir, sizeof(dir), "/tmp/test_runcfg.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	if (text) {
		snprintf(path, sizeof(path), "%s/pipeline.ini", dir);
		fp = fopen(path, "w");
		cr_assert_not_null(fp);
		fputs(text, fp);
		fclose(fp);
	}
	return dir;
}

static void remove_config(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/pipeline.ini", dir);
	unlink(path);
	rmdir(dir);
}

static void formatted(const struct mi_err *e, const char *want)
{
	char buf[1024];

	cr_assert(strstr(mi_err_format(e, buf, sizeof(buf)), want), "got '%s', want '%s' in it", buf,
		  want);
}

Test(runcfg, durations)
{
	static const struct {
		const char *s;
		long long ms;
	} ok[] = { { "0", 0 },	       { "250ms", 250 },     { "30s", 30000 },  { "30", 30000 },
		   { "5min", 300000 }, { "2h", 7200000 },    { "1d", 86400000 }, { "2 h", 7200000 },
		   { "30d", 2592000000LL } };
	static const char *const bad[] = { "", "-1", "1.5s", "5m", "s", "10 weeks", "31d", "1e3",
					   " 5s" };
	long long ms;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(runcfg_duration_ms(ok[i].s, &ms), 0, "'%s'", ok[i].s);
		cr_assert_eq(ms, ok[i].ms, "'%s' gave %lld", ok[i].s, ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(runcfg_duration_ms(bad[i], &ms), -1, "'%s' accepted", bad[i]);
}

Test(runcfg, defaults_without_a_file)
{
	struct runcfg rc;
	struct mi_err err = MI_ERR_INIT;
	char *dir = config_with(NULL);

	cr_assert_eq(runcfg_load(&rc, dir, &err), 0);
	cr_assert_eq(rc.found, 0);
	for (int i = 0; i < RUNCFG_STAGES; i++) {
		cr_assert_eq(rc.stage[i].lock_timeout_ms, RUNCFG_LOCK_TIMEOUT_MS);
		cr_assert_eq(rc.stage[i].statement_timeout_ms, RUNCFG_STATEMENT_TIMEOUT_MS);
		cr_assert_eq(rc.stage[i].time_limit_ms, RUNCFG_TIME_LIMIT_MS);
	}
	cr_assert_str_eq(rc.landing, "");
	remove_config(dir);
}

Test(runcfg, a_stage_section_over_stages)
{
	struct runcfg rc;
	struct mi_err err = MI_ERR_INIT;
	char *dir = config_with("[paths]\nlanding = /srv/l\nwork = /srv/w\n"
				"[stages]\nlock_timeout = 2s\nstatement_timeout = 0\ntime_limit = 1h\n"
				"[load]\ntime_limit = 3h\n[leads]\nlock_timeout = 250ms\n");

	cr_assert_eq(runcfg_load(&rc, dir, &err), 0, "%s", err.msg);
	cr_assert_str_eq(rc.landing, "/srv/l");
	cr_assert_eq(rc.all.lock_timeout_ms, 2000);
	cr_assert_eq(rc.stage[RUNCFG_LOAD].lock_timeout_ms, 2000);
	cr_assert_eq(rc.stage[RUNCFG_LOAD].statement_timeout_ms, 0);
	cr_assert_eq(rc.stage[RUNCFG_LOAD].time_limit_ms, 3 * 3600000LL);
	cr_assert_eq(rc.stage[RUNCFG_FETCH].time_limit_ms, 3600000LL);
	cr_assert_eq(rc.stage[RUNCFG_LEADS].lock_timeout_ms, 250);
	cr_assert_eq(runcfg_stage_id("compset"), RUNCFG_COMPSET);
	cr_assert_eq(runcfg_stage_id("report"), -1);
	remove_config(dir);
}

Test(runcfg, errors_name_the_file_and_line)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[stages]\nlock_timeout = soon\n",
		  "pipeline.ini:2: invalid value 'soon' for key 'lock_timeout' in section [stages]" },
		{ "[load]\n\ntimeout = 2s\n", "pipeline.ini:3: unknown key 'timeout' in section [load]" },
		{ "[paths]\nlanding = landing\n",
		  "pipeline.ini:2: invalid value 'landing' for key 'landing' in section [paths]: must be an absolute path" },
		{ "[report]\ntime_limit = 1h\n", "pipeline.ini:2: unknown key 'time_limit' in section [report]" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct runcfg rc;
		struct mi_err err = MI_ERR_INIT;
		char *dir = config_with(cases[i].text);
		cr_assert_eq(runcfg_load(&rc, dir, &err), -1, "case %zu accepted", i);
		cr_assert_eq(err.code, MI_EXIT_CONFIG);
		formatted(&err, cases[i].want);
		remove_config(dir);
	}
}

Test(runcfg, where_a_run_puts_its_files)
{
	struct runcfg rc;
	struct runcfg_paths p;
	struct mi_err err = MI_ERR_INIT;
	char *dir = config_with("[paths]\nlanding = /cfg/landing\nwork = /cfg/work\n");

	unsetenv("STATE_DIRECTORY");
	unsetenv("LOGS_DIRECTORY");
	cr_assert_eq(runcfg_load(&rc, dir, &err), 0);
	/* the configuration */
	cr_assert_eq(runcfg_paths(&rc, NULL, NULL, &p, &err), 0);
	cr_assert_str_eq(p.landing, "/cfg/landing");
	cr_assert_str_eq(p.from_work, "pipeline.ini");
	cr_assert_str_eq(p.logs, "");
	/* systemd's folders come before it (the first of a list) */
	setenv("STATE_DIRECTORY", "/var/lib/market-intel:/var/lib/other", 1);
	setenv("LOGS_DIRECTORY", "/var/log/market-intel", 1);
	cr_assert_eq(runcfg_paths(&rc, NULL, NULL, &p, &err), 0);
	cr_assert_str_eq(p.landing, "/var/lib/market-intel/landing");
	cr_assert_str_eq(p.work, "/var/lib/market-intel/work");
	cr_assert_str_eq(p.from_landing, "$STATE_DIRECTORY");
	cr_assert_str_eq(p.logs, "/var/log/market-intel");
	/* and the options before everything */
	cr_assert_eq(runcfg_paths(&rc, "/opt/l", "/opt/w", &p, &err), 0);
	cr_assert_str_eq(p.landing, "/opt/l");
	cr_assert_str_eq(p.from_work, "--work");
	unsetenv("STATE_DIRECTORY");
	unsetenv("LOGS_DIRECTORY");
	remove_config(dir);

	/* nowhere: a usage error that says how to name a place */
	dir = config_with(NULL);
	cr_assert_eq(runcfg_load(&rc, dir, &err), 0);
	cr_assert_eq(runcfg_paths(&rc, NULL, "/opt/w", &p, &err), -1);
	cr_assert_eq(err.code, MI_EXIT_USAGE);
	cr_assert_str_eq(err.msg, "no landing store: give --landing DIR");
	cr_assert(strstr(err.detail, "StateDirectory=") && strstr(err.detail, "(no such file yet)"),
		  "%s", err.detail);
	remove_config(dir);

	/* the configuration folder: systemd's, else the option */
	setenv("CONFIGURATION_DIRECTORY", "/etc/market-intel", 1);
	cr_assert_str_eq(runcfg_config_dir(NULL), "/etc/market-intel");
	cr_assert_str_eq(runcfg_config_dir("/x"), "/x");
	unsetenv("CONFIGURATION_DIRECTORY");
}
