/*
 * spawn: run a stage binary as a child process, for mi-run.
 *
 * The child gets the caller's environment plus MI_RUN_ID, its stdout and
 * stderr appended to a log file (the JSON log lines of the stage), and dies
 * with its parent (PR_SET_PDEATHSIG), so a killed mi-run leaves no stage
 * running behind the lock it held.
 */
#ifndef MI_SPAWN_H
#define MI_SPAWN_H

#include "err.h"

#include <sys/types.h>

struct spawn_result {
	int exit_code;      /* the child's exit status, or 128 + signal */
	int signaled;       /* killed by a signal */
	int timed_out;      /* stopped because it ran past its time limit */
	int stopped;        /* stopped because the stop fd became readable */
	double seconds;     /* wall time */
	double cpu_seconds; /* user + system */
	long max_rss_kb;    /* peak resident memory */
};

/*
 * How to run it.
 *
 * A child that runs past time_limit seconds, or while stop_fd becomes
 * readable (stop.h), is sent SIGTERM (each stage cancels its queries and
 * dies of it), then SIGKILL when it is still there grace seconds later.
 */
struct spawn_opts {
	const char *log_path;    /* stdout and stderr appended here; NULL: inherited */
	const char *run_id;      /* exported as MI_RUN_ID; NULL: not */
	const char *const *env;  /* "NAME=value" set in the child; NULL-terminated, may be NULL */
	double time_limit;       /* seconds, 0: none */
	double grace;            /* seconds from SIGTERM to SIGKILL; 0: 10 */
	int stop_fd;             /* stop when it is readable; -1: never (set it) */
};

/*
 * Run argv[0] (a path) with argv as opts says, and wait for it (or stop it).
 * Returns 0 when the child ran (whatever its exit status; see res), -1 when
 * it could not be started (err set).
 */
int spawn_run_opts(char *const argv[], const struct spawn_opts *opts,
		   struct spawn_result *res, struct mi_err *err);

/*
 * spawn_run_opts() with a log, a run id and nothing else.
 */
int spawn_run(char *const argv[], const char *log_path, const char *run_id,
	      struct spawn_result *res, struct mi_err *err);

#endif
