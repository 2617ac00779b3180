/*
 * proposal: management proposals to an owner (docs/desk.md, "Proposals").
 * Every action is one SQL function of sql/076_proposals.sql, called through
 * desk_exec (so its refusals are the desk's: LD010 no such proposal ->
 * MI_EXIT_NOINPUT, LD0xx -> MI_EXIT_REFUSED, 22xxx -> MI_EXIT_USAGE); each
 * prints what it did and the proposal's state after it.
 *
 * The status of a proposal: draft -> sent -> accepted | declined; a revision
 * after sending makes it negotiating until the new version is sent; a newer
 * proposal for the same property withdraws the open one (withdrawn).
 *
 * proposal_html writes the printable page for the owner: one self-contained
 * HTML file (inline CSS and SVG, no external resource) laid out for Letter
 * paper.  Every value from the database is HTML-escaped; all SQL is fixed
 * text with parameters.
 *
 * Functions return 0, or -1 with err set.
 */
#ifndef MI_PROPOSAL_H
#define MI_PROPOSAL_H

#include "err.h"

#include <libpq-fe.h>
#include <stdio.h>

/* Terms as given on the command line: NULL = not given (propose: the settings'). */
struct proposal_terms {
	const char *fee_pct;         /* management fee, percent of gross rent */
	const char *onboarding_fee;  /* USD */
	const char *term_months;     /* contract term */
	const char *notice_days;     /* termination notice */
	const char *guarantee;       /* minimum yearly net to owner, USD */
};

/*
 * Draft a proposal for lead (its best property, or tmk13) from its latest
 * projection; terms not given come from settings_json (the lead settings:
 * management_fee_pct, onboarding_fee, contract_term_months,
 * termination_notice_days, valid_days).  *id gets the proposal id.
 */
int proposal_draft(PGconn *conn, long long lead, const char *agent, const struct proposal_terms *t,
		   const char *tmk13, const char *settings_json, long long *id, FILE *out,
		   struct mi_err *err);
int proposal_revise(PGconn *conn, long long id, const char *agent, const struct proposal_terms *t,
		    const char *note, FILE *out, struct mi_err *err);
/* document: a file sent with it (its path and SHA-256 are recorded), or NULL. */
int proposal_send(PGconn *conn, long long id, const char *agent, const char *document, FILE *out,
		  struct mi_err *err);
int proposal_accept(PGconn *conn, long long id, const char *agent, const char *note, FILE *out,
		    struct mi_err *err);
int proposal_decline(PGconn *conn, long long id, const char *agent, const char *reason, FILE *out,
		     struct mi_err *err);

/* The proposal on one screen: terms, projection month by month, versions. */
int proposal_show(PGconn *conn, long long id, FILE *out, struct mi_err *err);

/* The printable HTML proposal for the owner (its current version). */
int proposal_html(PGconn *conn, long long id, FILE *out, struct mi_err *err);

/* The proposal's number (P-2026-0042) into buf; -1 with err (LD010) when there is none. */
int proposal_number(PGconn *conn, long long id, char *buf, size_t size, struct mi_err *err);

#endif
