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
	double seconds;     /* wall time */
	double cpu_seconds; /* user + system */
	long max_rss_kb;    /* peak resident memory */
};

/*
 * Run argv[0] (a path) with argv, stdout and stderr appended to log_path
 * (NULL: inherited), and wait for it.  run_id (may be NULL) is exported as
 * MI_RUN_ID.  Returns 0 when the child ran (whatever its exit status; see
 * res), -1 when it could not be started (err set).
 */
int spawn_run(char *const argv[], const char *log_path, const char *run_id,
	      struct spawn_result *res, struct mi_err *err);

#endif
