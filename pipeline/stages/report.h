/*
 * report: the self-contained HTML report for the acquisition team and the
 * analysts: the lead queue with reasons and projections, market metrics of
 * each competitive set (charts), review sentiment by aspect family (chart),
 * and the health of the last run (stages, rejects).
 *
 * One file, no external resources: CSS inline, charts as inline SVG, so it
 * can be mailed or opened from disk.  Every value from the database is
 * HTML-escaped.  Only reads; all SQL is fixed text with parameters.
 */
#ifndef MI_REPORT_H
#define MI_REPORT_H

#include "err.h"

#include <libpq-fe.h>
#include <stdio.h>

struct report_opts {
	int queue_limit;   /* leads shown (default 25) */
	int compset_limit; /* subjects shown in the compset section (default 12) */
	const char *title; /* NULL: "Market intelligence" */
};

/* Write the report to out; -1 with err on a database or write error. */
int report_write(PGconn *conn, const struct report_opts *o, FILE *out, struct mi_err *err);

/* HTML-escape s (&, <, >, ", ') to out. */
void report_html_escape(FILE *out, const char *s);

#endif
