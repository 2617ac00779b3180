/*
 * report: the self-contained HTML report for the acquisition team and the
 * analysts: the open leads, one row per owner (mailing address in USPS form,
 * properties and the best one's condition (homeowner_acquisition.current_assessment),
 * score, stage, claim and agent, follow-up, reasons, comp-set
 * figures and projection) and the cards of the first leads against their
 * competitive sets, all from homeowner_acquisition.lead_board in one query;
 * the follow-ups due; our units against their competitive sets (charts);
 * review sentiment by aspect family (chart); the health of the last run
 * (stages, rejects).  A figure the data does not have is written "no data".
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
	int compset_limit; /* lead cards, and our units' cards (default 12 each) */
	const char *title; /* NULL: "Market intelligence" */
};

/* Write the report to out; -1 with err on a database or write error. */
int report_write(PGconn *conn, const struct report_opts *o, FILE *out, struct mi_err *err);

/* HTML-escape s (&, <, >, ", ') to out. */
void report_html_escape(FILE *out, const char *s);

#endif
