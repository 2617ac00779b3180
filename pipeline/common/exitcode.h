/*
 * Exit codes shared by every binary, so that cron, systemd or a workflow
 * scheduler can tell the kinds of failure apart.  Values follow BSD
 * sysexits(3) where one fits.  Documented in README.md ("Exit codes") and in
 * every binary's --help; keep the three in step.
 */
#ifndef MI_EXITCODE_H
#define MI_EXITCODE_H

enum mi_exit {
	MI_EXIT_OK = 0,        /* everything done */
	MI_EXIT_PARTIAL = 1,   /* done, but some sources or items failed (see summary) */
	MI_EXIT_USAGE = 64,    /* bad command line */
	MI_EXIT_DATA = 65,     /* bad input data: rejects over the configured share */
	MI_EXIT_NOINPUT = 66,  /* an input file or run does not exist */
	MI_EXIT_REFUSED = 67,  /* the lead desk refused the action: it breaks one of its rules */
	MI_EXIT_NETWORK = 69,  /* network failure: hosts unreachable, retries exhausted */
	MI_EXIT_INTERNAL = 70, /* internal error (a bug): please report */
	MI_EXIT_IO = 74,       /* local I/O failure: disk full, permissions */
	MI_EXIT_BUSY = 75,     /* another run holds the lock: try again later */
	MI_EXIT_DATABASE = 76, /* database unreachable or a statement failed */
	MI_EXIT_CONFIG = 78,   /* bad configuration file */
};

/* The one-word name of an exit code ("usage", "data", ...), for logs. */
const char *mi_exit_name(int code);

#endif
