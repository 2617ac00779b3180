/*
 * err: an error report that carries a message, its class (an exit code) and
 * the input location it concerns.
 *
 * Library code never prints and never exits: a function that fails fills the
 * caller's struct mi_err (when not NULL) and returns a negative value.  Only
 * cmd/ prints (mi_err_print) and maps the class to an exit code.
 *
 * Messages follow one style: lowercase, no trailing period, what failed
 * first, the subject quoted: "cannot open 'x.csv': No such file or directory".
 * The struct is fixed-size so that hot paths can report without allocating;
 * over-long messages are truncated.
 */
#ifndef MI_ERR_H
#define MI_ERR_H

#include <stdio.h>

struct mi_err {
	int code;           /* enum mi_exit class; 0 when no error */
	char msg[384];      /* primary message */
	char detail[256];   /* optional detail line (server message, SQL, ...) */
	char where[256];    /* source: file path, URL or source id; "" unknown */
	long line;          /* 1-based line, 0 unknown */
	long long offset;   /* byte offset in the input, -1 unknown */
	char sqlstate[6];   /* the server's SQLSTATE of a database error (pg.h); "" otherwise */
};

#define MI_ERR_INIT { 0, "", "", "", 0, -1, "" }

void mi_err_clear(struct mi_err *e);

/*
 * Set code and message (clearing the detail and the SQLSTATE); returns -1 so
 * callers can write `return mi_err_set(...)`.
 */
int mi_err_set(struct mi_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Set the detail line. */
void mi_err_detail(struct mi_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Set the location; where may be NULL to keep it, line 0 / offset -1 unknown. */
void mi_err_at(struct mi_err *e, const char *where, long line, long long offset);

/*
 * Write "where:line: msg" (plus " (byte N)" when known) into buf, and return
 * buf.  Never fails; truncates.
 */
const char *mi_err_format(const struct mi_err *e, char *buf, size_t size);

/* Print "prog: error: <formatted>" and the detail line to fp. */
void mi_err_print(FILE *fp, const char *prog, const struct mi_err *e);

#endif
