/*
 * runcfg: mi-run's own settings, CONFIG/pipeline.ini, and where a run's
 * files go.
 *
 *   [paths]    landing, work, logs: absolute folders, used when neither the
 *              command line nor systemd says (see runcfg_paths)
 *   [stages]   lock_timeout, statement_timeout, time_limit: every stage's
 *              limits (a duration: "250ms", "30s", "5min", "2h", "1d"; a
 *              bare number is seconds; 0 = no limit)
 *   [fetch] [parse] [score] [load] [compset] [leads]
 *              the same keys for one stage, over [stages]
 *
 * lock_timeout and statement_timeout reach every connection of the stage
 * (PostgreSQL's settings of the same names, through PGOPTIONS); time_limit
 * is the wall-clock limit mi-run gives the whole stage before it stops it.
 * The file is optional: without it the built-in defaults below apply.
 */
#ifndef MI_RUNCFG_H
#define MI_RUNCFG_H

#include "err.h"

#include <limits.h>

enum runcfg_stage {
	RUNCFG_FETCH,
	RUNCFG_PARSE,
	RUNCFG_SCORE,
	RUNCFG_LOAD,
	RUNCFG_COMPSET,
	RUNCFG_LEADS,
	RUNCFG_STAGES
};

/* The stage's name ("fetch", ...), or -1 for a name that is none. */
int runcfg_stage_id(const char *name);

struct runcfg_limits {
	long long lock_timeout_ms;      /* 0: wait for a lock without end */
	long long statement_timeout_ms; /* 0: no limit */
	long long time_limit_ms;        /* 0: no wall-clock limit */
};

/* Built-in defaults: a lock wait of 10 minutes, a statement of 2 hours, a stage of 4 hours. */
#define RUNCFG_LOCK_TIMEOUT_MS (10LL * 60 * 1000)
#define RUNCFG_STATEMENT_TIMEOUT_MS (2LL * 3600 * 1000)
#define RUNCFG_TIME_LIMIT_MS (4LL * 3600 * 1000)

struct runcfg {
	char path[PATH_MAX];                        /* CONFIG/pipeline.ini */
	int found;                                  /* it exists (else the defaults) */
	char landing[PATH_MAX], work[PATH_MAX], logs[PATH_MAX]; /* [paths]; "" unset */
	struct runcfg_limits all;                  /* [stages] (mi-run's own connection) */
	struct runcfg_limits stage[RUNCFG_STAGES]; /* [stages] with each stage's section over it */
};

/*
 * The configuration folder: the option when given, else $CONFIGURATION_DIRECTORY
 * (systemd's ConfigurationDirectory=; its first folder), else the one
 * mi_path_configdir() finds ($MI_CONFIG_DIR, ./config, the installed one).
 * Never NULL; the result is the option, an environment string or a static one.
 */
const char *runcfg_config_dir(const char *opt);

/*
 * Read config_dir/pipeline.ini into rc (the defaults when the file does not
 * exist).  Returns 0, or -1 with err naming the file and line
 * (MI_EXIT_CONFIG) for an unknown key, a bad duration or a relative path.
 */
int runcfg_load(struct runcfg *rc, const char *config_dir, struct mi_err *err);

/*
 * Parse a duration ("0", "250ms", "30s", "5min", "2h", "1d"; a bare number
 * is seconds) into milliseconds; 0 or -1.
 */
int runcfg_duration_ms(const char *s, long long *ms);

/*
 * Where a run's files go, first found: the option (NULL when not given);
 * $STATE_DIRECTORY/landing and .../work (set by systemd for a unit with
 * StateDirectory=; the first folder when it lists several); [paths] of
 * pipeline.ini.  The stage logs: $LOGS_DIRECTORY (systemd's LogsDirectory=),
 * else [paths] logs, else "" (the caller puts them under the work folder).
 * from_* name where each came from ("--landing", "$STATE_DIRECTORY",
 * "pipeline.ini").  Returns 0, or -1 with MI_EXIT_USAGE when the landing
 * store or the work folder is named nowhere.
 */
struct runcfg_paths {
	char landing[PATH_MAX], work[PATH_MAX], logs[PATH_MAX];
	const char *from_landing, *from_work, *from_logs;
};

int runcfg_paths(const struct runcfg *rc, const char *landing_opt, const char *work_opt,
		 struct runcfg_paths *out, struct mi_err *err);

#endif
