#include "runcfg.h"
#include "config.h"
#include "exitcode.h"
#include "paths.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

static const char *const stage_names[RUNCFG_STAGES] = { "fetch", "parse", "score",
							 "load",  "compset", "leads" };

int runcfg_stage_id(const char *name)
{
	for (int i = 0; i < RUNCFG_STAGES; i++)
		if (!strcmp(name, stage_names[i]))
			return i;
	return -1;
}

int runcfg_duration_ms(const char *s, long long *ms)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "min", 60000 }, { "h", 3600000 },
		      { "d", 86400000 }, { "", 1000 } };
	char *end;
	long long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		/* at most 30 days: PostgreSQL's timeouts are int milliseconds */
		if (v > 30LL * 86400000 / units[i].ms)
			return -1;
		*ms = v * units[i].ms;
		return 0;
	}
	return -1;
}

/* the first folder of a colon-separated list (systemd joins several with ':') */
static const char *first_dir(const char *list, char *buf, size_t size)
{
	size_t n;

	if (!list || !list[0])
		return NULL;
	n = strcspn(list, ":");
	if (n == 0 || n >= size)
		return NULL;
	memcpy(buf, list, n);
	buf[n] = '\0';
	return buf;
}

const char *runcfg_config_dir(const char *opt)
{
	static char buf[PATH_MAX];
	const char *d;

	if (opt)
		return opt;
	d = first_dir(getenv("CONFIGURATION_DIRECTORY"), buf, sizeof(buf));
	return d ? d : mi_path_configdir();
}

static int get_limit(const struct mi_config *cfg, const char *section, const char *key,
		     long long *out, struct mi_err *err)
{
	const struct mi_config_entry *e = mi_config_find(cfg, section, key);

	if (!e)
		return 0;
	if (runcfg_duration_ms(e->value, out) == 0)
		return 0;
	mi_err_set(err, MI_EXIT_CONFIG,
		   "invalid value '%s' for key '%s' in section [%s]: must be a duration such as "
		   "250ms, 30s, 5min, 2h or 1d (0 = no limit, at most 30 days)",
		   e->value, key, section);
	mi_err_at(err, cfg->path, e->line, -1);
	return -1;
}

static int get_path(const struct mi_config *cfg, const char *key, char *out, size_t size,
		    struct mi_err *err)
{
	const struct mi_config_entry *e = mi_config_find(cfg, "paths", key);

	if (!e || !e->value[0])
		return 0;
	if (e->value[0] != '/') {
		mi_err_set(err, MI_EXIT_CONFIG,
			   "invalid value '%s' for key '%s' in section [paths]: must be an "
			   "absolute path", e->value, key);
		mi_err_at(err, cfg->path, e->line, -1);
		return -1;
	}
	if ((size_t)snprintf(out, size, "%s", e->value) >= size) {
		mi_err_set(err, MI_EXIT_CONFIG, "path of key '%s' in section [paths] is too long",
			   key);
		mi_err_at(err, cfg->path, e->line, -1);
		return -1;
	}
	return 0;
}

int runcfg_load(struct runcfg *rc, const char *config_dir, struct mi_err *err)
{
	static const char *const keys[] = { "lock_timeout", "statement_timeout", "time_limit" };
	static const struct mi_config_key known[] = {
		{ "paths", "landing" }, { "paths", "work" }, { "paths", "logs" },
		{ "stages", "lock_timeout" }, { "stages", "statement_timeout" },
		{ "stages", "time_limit" },
		{ "fetch", "*" }, { "parse", "*" }, { "score", "*" }, { "load", "*" },
		{ "compset", "*" }, { "leads", "*" }, { NULL, NULL },
	};
	struct mi_config cfg = MI_CONFIG_INIT;
	struct runcfg_limits def = { RUNCFG_LOCK_TIMEOUT_MS, RUNCFG_STATEMENT_TIMEOUT_MS,
				     RUNCFG_TIME_LIMIT_MS };
	struct stat st;
	int ret = -1;

	memset(rc, 0, sizeof(*rc));
	rc->all = def;
	for (int i = 0; i < RUNCFG_STAGES; i++)
		rc->stage[i] = def;
	snprintf(rc->path, sizeof(rc->path), "%s/pipeline.ini", config_dir);
	if (stat(rc->path, &st) < 0 && errno == ENOENT)
		return 0;
	rc->found = 1;
	if (mi_config_load(&cfg, rc->path, err) < 0 || mi_config_check(&cfg, known, err) < 0)
		goto out;
	if (get_path(&cfg, "landing", rc->landing, sizeof(rc->landing), err) < 0 ||
	    get_path(&cfg, "work", rc->work, sizeof(rc->work), err) < 0 ||
	    get_path(&cfg, "logs", rc->logs, sizeof(rc->logs), err) < 0)
		goto out;
	if (get_limit(&cfg, "stages", keys[0], &def.lock_timeout_ms, err) < 0 ||
	    get_limit(&cfg, "stages", keys[1], &def.statement_timeout_ms, err) < 0 ||
	    get_limit(&cfg, "stages", keys[2], &def.time_limit_ms, err) < 0)
		goto out;
	rc->all = def;
	for (int i = 0; i < RUNCFG_STAGES; i++) {
		struct runcfg_limits *l = &rc->stage[i];
		*l = def;
		if (get_limit(&cfg, stage_names[i], keys[0], &l->lock_timeout_ms, err) < 0 ||
		    get_limit(&cfg, stage_names[i], keys[1], &l->statement_timeout_ms, err) < 0 ||
		    get_limit(&cfg, stage_names[i], keys[2], &l->time_limit_ms, err) < 0)
			goto out;
	}
	/* a stage section takes the three keys only */
	for (size_t i = 0; i < cfg.n; i++) {
		const struct mi_config_entry *e = &cfg.v[i];
		int ok = runcfg_stage_id(e->section) < 0;
		for (size_t k = 0; k < 3 && !ok; k++)
			ok = !strcmp(e->key, keys[k]);
		if (!ok) {
			mi_err_set(err, MI_EXIT_CONFIG, "unknown key '%s' in section [%s]", e->key,
				   e->section);
			mi_err_at(err, cfg.path, e->line, -1);
			goto out;
		}
	}
	ret = 0;
out:
	mi_config_release(&cfg);
	return ret;
}

static int set_path(char *out, const char *base, const char *leaf)
{
	return (size_t)snprintf(out, PATH_MAX, "%s%s%s", base, leaf ? "/" : "", leaf ? leaf : "") <
			       PATH_MAX
		       ? 0
		       : -1;
}

int runcfg_paths(const struct runcfg *rc, const char *landing_opt, const char *work_opt,
		 struct runcfg_paths *out, struct mi_err *err)
{
	char buf[PATH_MAX];
	const char *state = first_dir(getenv("STATE_DIRECTORY"), buf, sizeof(buf));
	char logsbuf[PATH_MAX];
	const char *logs = first_dir(getenv("LOGS_DIRECTORY"), logsbuf, sizeof(logsbuf));
	const char *where = rc->path[0] ? rc->path : "CONFIG/pipeline.ini";

	memset(out, 0, sizeof(*out));
	if (landing_opt) {
		out->from_landing = "--landing";
		set_path(out->landing, landing_opt, NULL);
	} else if (state) {
		out->from_landing = "$STATE_DIRECTORY";
		set_path(out->landing, state, "landing");
	} else if (rc->landing[0]) {
		out->from_landing = "pipeline.ini";
		set_path(out->landing, rc->landing, NULL);
	}
	if (work_opt) {
		out->from_work = "--work";
		set_path(out->work, work_opt, NULL);
	} else if (state) {
		out->from_work = "$STATE_DIRECTORY";
		set_path(out->work, state, "work");
	} else if (rc->work[0]) {
		out->from_work = "pipeline.ini";
		set_path(out->work, rc->work, NULL);
	}
	if (logs) {
		out->from_logs = "$LOGS_DIRECTORY";
		set_path(out->logs, logs, NULL);
	} else if (rc->logs[0]) {
		out->from_logs = "pipeline.ini";
		set_path(out->logs, rc->logs, NULL);
	}
	if (!out->from_landing || !out->from_work) {
		mi_err_set(err, MI_EXIT_USAGE, "no %s: give %s", !out->from_landing
								    ? "landing store"
								    : "work folder",
			   !out->from_landing ? "--landing DIR" : "--work DIR");
		mi_err_detail(err, "or run under systemd with StateDirectory= ($STATE_DIRECTORY), "
				   "or set [paths] %s in %s%s", !out->from_landing ? "landing" : "work",
			      where, rc->found ? "" : " (no such file yet)");
		return -1;
	}
	return 0;
}
