/*
 * contract: the end of the lead desk's road.  An accepted proposal becomes a
 * contract per property (the property is ours from the start date, the lead
 * is won, the property leaves every list, the onboarding checklist starts);
 * agents end contracts and tick onboarding tasks; the nightly run ticks the
 * tasks the market data proves done (sql/082-086, docs/desk.md "Contracts").
 * Each action is one SQL function, called through desk_exec (deskexec.h), so the
 * errors are the desk's: LD010 no such proposal, contract or task
 * (MI_EXIT_NOINPUT), other LD codes refused (MI_EXIT_REFUSED), 22xxx a bad
 * value (MI_EXIT_USAGE).
 *
 * Functions print what they did to out and return 0, or -1 with err set;
 * write errors on out are MI_EXIT_IO.
 */
#ifndef MI_CONTRACT_H
#define MI_CONTRACT_H

#include "err.h"

#include <libpq-fe.h>
#include <stdio.h>

/* What mi-leads contract sign records (NULL: the proposal's, or none). */
struct contract_sign_opts {
	const char *start;     /* YYYY-MM-DD, default today */
	const char *term;      /* months, 1-120 */
	const char *fee;       /* percent of gross rent */
	const char *tmks;      /* text[] literal of the owner's other properties to sign */
	const char *signed_by; /* the owner's signatory */
	const char *number;    /* the contract number */
	const char *document;  /* where the signed agreement is */
};

int contract_sign(PGconn *conn, long long proposal, const char *agent,
		  const struct contract_sign_opts *o, FILE *out, struct mi_err *err);
int contract_terminate(PGconn *conn, long long contract, const char *agent, const char *reason,
		       const char *on, FILE *out, struct mi_err *err);
/* One contract: terms, status, the onboarding checklist with evidence and overdue tasks. */
int contract_show(PGconn *conn, long long contract, FILE *out, struct mi_err *err);
/* The contracts in force, one line each, with their onboarding progress. */
int contract_list(PGconn *conn, FILE *out, struct mi_err *err);
/* Mark an onboarding task of a contract done, with a note and an evidence URI. */
int contract_task_done(PGconn *conn, long long contract, const char *task, const char *agent,
		       const char *note, const char *evidence, FILE *out, struct mi_err *err);
/* The "contracts" section of mi-leads show: the lead's contracts and overdue tasks. */
int contract_show_lead(PGconn *conn, const char *lead, FILE *out, struct mi_err *err);

#endif
