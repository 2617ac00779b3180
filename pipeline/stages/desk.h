/*
 * desk: the agents' half of the lead queue.  A lead is an owner (a
 * prospect) with all of its properties; every action an agent takes is one
 * SQL function (sql/061-068, docs/desk.md), which this module calls through
 * desk_exec (deskexec.h), which turns its refusals into errors an agent can
 * read.
 *
 * Every action prints what it did and the lead's state after it to out.
 * The screens (show, mine, queue) read homeowner_acquisition.lead_board, so
 * their figures are the report's and the export's.  show is a list of
 * sections (desk.c: show_sections[]); a new kind of record of a lead gets
 * its own section there.
 *
 * Functions return 0 on success (desk_next: 1 claimed, 0 queue empty) and
 * -1 with err set; write errors on out are MI_EXIT_IO.
 */
#ifndef MI_DESK_H
#define MI_DESK_H

#include "err.h"

#include <libpq-fe.h>
#include <stdio.h>

/* What mi-leads log records (NULL: not given). */
struct desk_log_opts {
	const char *channel;   /* call, email, sms, letter, meeting, site_visit, note */
	const char *outcome;   /* connected, left_message, no_answer, ... */
	const char *note;      /* free text */
	const char *follow_up; /* YYYY-MM-DD */
	const char *direction; /* inbound or outbound */
	const char *tmk;       /* the property it concerns (13 digits) */
};

/* What mi-leads assess records (NULL: not given). */
struct desk_assess_opts {
	const char *condition; /* excellent, good, fair or poor */
	const char *score;     /* 1-10 */
	const char *capex;     /* USD */
	const char *note;      /* free text */
	const char *tmk;       /* the property (13 digits); NULL: the lead's only one */
};

/* Claim the best waiting owner for agent; *lead gets it.  1, 0 when empty, -1. */
int desk_next(PGconn *conn, const char *agent, long long *lead, FILE *out, struct mi_err *err);

/* Give lead to agent to (to == agent: take it by name). */
int desk_assign(PGconn *conn, long long lead, const char *agent, const char *to, const char *note,
		FILE *out, struct mi_err *err);
int desk_release(PGconn *conn, long long lead, const char *agent, const char *reason, FILE *out,
		 struct mi_err *err);
int desk_log(PGconn *conn, long long lead, const char *agent, const struct desk_log_opts *o,
	     FILE *out, struct mi_err *err);
/* A site-visit assessment of a property of lead (record_assessment). */
int desk_assess(PGconn *conn, long long lead, const char *agent, const struct desk_assess_opts *o,
		FILE *out, struct mi_err *err);
int desk_status(PGconn *conn, long long lead, const char *agent, const char *stage,
		const char *reason, FILE *out, struct mi_err *err);
int desk_snooze(PGconn *conn, long long lead, const char *agent, const char *until,
		const char *note, FILE *out, struct mi_err *err);
int desk_dnc(PGconn *conn, long long lead, const char *agent, const char *reason, FILE *out,
	     struct mi_err *err);

/* Everything about one lead on one screen. */
int desk_show(PGconn *conn, long long lead, FILE *out, struct mi_err *err);

/* An agent's claimed leads, follow-ups due first; then snoozed and lapsed ones. */
int desk_mine(PGconn *conn, const char *agent, FILE *out, struct mi_err *err);

/* The first limit waiting owners, best first. */
int desk_queue(PGconn *conn, int limit, FILE *out, struct mi_err *err);

#endif
