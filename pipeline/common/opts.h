/*
 * opts: the command-line conventions every binary shares.
 *
 *  - every binary accepts --help (usage on stdout, exit 0) and --version
 *    (name and version on stdout, exit 0);
 *  - a usage error prints "prog: <message>" and "Try 'prog --help'." on
 *    stderr, and the binary exits with MI_EXIT_USAGE (64);
 *  - numbers are range-checked with one fixed wording.
 *
 * These helpers are for cmd/ only; they print but never exit: the caller
 * returns the exit code they give.
 */
#ifndef MI_OPTS_H
#define MI_OPTS_H

#include <getopt.h>
#include <stdio.h>

#define MI_VERSION "0.1.0"

/* Add these two to every long option table; their short codes are 'h' and 'V'. */
#define MI_OPTS_COMMON                               \
	{ "help", no_argument, NULL, 'h' },          \
	{ "version", no_argument, NULL, 'V' }

struct mi_cmd_info {
	const char *name;  /* "mi-fetch" */
	const char *usage; /* the whole --help text, ending in a newline */
};

/* Print the --help text to stdout; returns MI_EXIT_OK (or MI_EXIT_IO). */
int mi_opts_help(const struct mi_cmd_info *info);
/* Print "name (market-intelligence) version"; returns MI_EXIT_OK. */
int mi_opts_version(const struct mi_cmd_info *info);
/* Print a usage error and the hint line; returns MI_EXIT_USAGE. */
int mi_opts_usage_error(const struct mi_cmd_info *info, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parse a whole decimal integer in [min, max] for option opt.  Returns 0 or
 * -1 after printing "prog: invalid value 'x' for option --opt: must be an
 * integer between min and max".
 */
int mi_opts_int(const struct mi_cmd_info *info, const char *opt, const char *s,
		long long min, long long max, long long *out);
/* Same for a decimal number. */
int mi_opts_double(const struct mi_cmd_info *info, const char *opt, const char *s,
		   double min, double max, double *out);

/* Library form without printing: 0 or -1. */
int mi_parse_ll(const char *s, long long min, long long max, long long *out);
int mi_parse_double(const char *s, double min, double max, double *out);

/*
 * Flush and close stdout, reporting a write error (disk full, closed pipe):
 * returns MI_EXIT_OK, or MI_EXIT_IO after printing the error.
 */
int mi_close_stdout(const char *prog);

#endif
