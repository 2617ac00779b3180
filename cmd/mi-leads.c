/*
 * mi-leads: opportunity scores and the lead desk: the queue of owners, the
 * actions of the agents who work it, the direct-mail export.
 */
#include "atomicfile.h"
#include "contract.h"
#include "desk.h"
#include "directmail.h"
#include "err.h"
#include "exitcode.h"
#include "ledger.h"
#include "leads.h"
#include "log.h"
#include "opts.h"
#include "paths.h"
#include "pg.h"
#include "proposal.h"
#include "suppression_list.h"
#include "tmk.h"
#include "value.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define COMMON_OPTS                                                                   \
	"  --config FILE      settings (default: $MI_CONFIG_DIR/leads.ini, else\n"       \
	"                     config/leads.ini; built-in defaults when neither exists)\n" \
	"  --dbname CONNINFO  connection string or URI (default: libpq's environment)\n"  \
	"  -h, --help         show this help and exit\n"

#define AGENT_OPT                                                                     \
	"  --agent NAME       who acts (login name; default: $MI_AGENT)\n"

#define EXIT_DESK                                                                     \
	"Exit status: 0 done, 64 usage or a bad value, 66 no such lead, 67 refused\n"    \
	"(claimed by another agent, your claim lapsed, an illegal stage move ...),\n"    \
	"74 output error, 76 database error, 78 bad configuration.\n"

static const struct mi_cmd_info info = {
	"mi-leads",
	"usage: mi-leads COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"The lead desk.  A lead is an owner with all of its properties; the queue ranks\n"
	"owners by their best property.  Working the queue, in the order an agent does:\n"
	"\n"
	"  next      take the best waiting owner (a claim: it lapses unless touched)\n"
	"  show      everything about a lead on one screen\n"
	"  log       record a call, email, letter, meeting or site visit; set a follow-up\n"
	"  status    move the lead to its next stage (new, contacted, meeting, proposal,\n"
	"            negotiating, won / lost / nurture / do_not_contact)\n"
	"  snooze    put it away until a date\n"
	"  mine      your leads, follow-ups due first\n"
	"  assign    hand it over to another agent      claim   take a lead by its number\n"
	"  release   give it back to the queue          dnc     do not contact, for good\n"
	"  propose   draft a management proposal from the lead's projection\n"
	"  proposal  show, revise, send, accept or decline a proposal\n"
	"\n"
	"When the owner signs:\n"
	"  contract  sign an accepted proposal, terminate, show, list the signed owners\n"
	"  task      mark an onboarding task of a contract done\n"
	"\n"
	"For the team and the pipeline:\n"
	"  queue     the waiting owners, best first\n"
	"  export    the owners as CSV for a mail house\n"
	"  suppress  import a suppression list (names and/or mailing addresses)\n"
	"  score     score the market, make prospects and projections (nightly)\n"
	"\n"
	"Every command answers --help: mi-leads log --help.  The stages, the rules and\n"
	"the errors: docs/desk.md.\n"
	"\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"Exit status: 0 done, 1 next: the queue is empty, 64 usage or a bad value,\n"
	"65 bad input file, 66 no such lead or file, 67 refused by the desk's rules,\n"
	"74 output error, 76 database error, 78 bad configuration.\n",
};

/* Options, one bit each; a command lists those it takes. */
enum {
	O_AGENT = 1u << 0, O_TO = 1u << 1, O_REASON = 1u << 2, O_CHANNEL = 1u << 3,
	O_OUTCOME = 1u << 4, O_NOTE = 1u << 5, O_FOLLOW = 1u << 6, O_INBOUND = 1u << 7,
	O_TMK = 1u << 8, O_UNTIL = 1u << 9, O_FORMAT = 1u << 10, O_STATUS = 1u << 11,
	O_MINSCORE = 1u << 12, O_OUT = 1u << 13, O_LIMIT = 1u << 14, O_ASOF = 1u << 15,
	O_RUN = 1u << 16, O_CONDITION = 1u << 17, O_SCORE = 1u << 18, O_CAPEX = 1u << 19,
	O_START = 1u << 20, O_TERM = 1u << 21, O_FEE = 1u << 22, O_SIGNEDBY = 1u << 23,
	O_NUMBER = 1u << 24, O_DOCUMENT = 1u << 25, O_ON = 1u << 26, O_EVIDENCE = 1u << 27,
	O_NOTICE = 1u << 28, O_ONBOARD = 1u << 29, O_GUARANTEE = 1u << 30,
};

/* getopt values of the contract options (no short form; above any character) */
enum {
	OPT_START = 256, OPT_TERM, OPT_FEE, OPT_SIGNEDBY, OPT_NUMBER, OPT_DOCUMENT, OPT_ON,
	OPT_EVIDENCE, OPT_NOTICE, OPT_ONBOARD, OPT_GUARANTEE,
};

struct cmd;

struct args {
	const char *agent, *to, *reason, *channel, *outcome, *note, *follow_up, *tmk, *until;
	const char *format, *status, *out, *as_of, *run_id, *config, *dbname;
	const char *condition, *score, *capex;
	const char *start, *term, *fee, *signed_by, *number, *document, *on, *evidence;
	const char *tmks[16]; /* every --tmk, in order (contract sign takes several) */
	int ntmk;
	struct proposal_terms terms;
	const char *pos[3];
	int npos, inbound;
	long long limit;
	double min_score;
	unsigned given;
	char tmk13[14];
	long long lead;
	const struct cmd *cmd;
};

/*
 * The commands: each returns an exit code, or -1 with err set (main prints
 * it).  a->cmd says which command run_desk and run_lists serve.
 */
typedef int run_fn(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err);
static run_fn run_score, run_next, run_desk, run_lists, run_export, run_suppress, run_contract,
	run_task, run_proposal;

#define TERM_OPTS                                                                     \
	"  --fee PCT          management fee, percent of gross rent (0-100)\n"           \
	"  --term MONTHS      the contract's initial term (1-120)\n"                       \
	"  --notice DAYS      notice to end it (0-365)\n"                                  \
	"  --onboarding-fee USD  a one-time fee (0: none)\n"                               \
	"  --guarantee USD    a minimum yearly net to the owner\n"

#define PROPOSAL_STATES                                                               \
	"A proposal is draft, then sent; the owner's answer makes it accepted or\n"      \
	"declined.  A revision after sending makes it negotiating until the new\n"        \
	"version is sent.  A new proposal for the same property withdraws the open one.\n"

static const struct cmd {
	const char *name;
	unsigned opts;      /* O_* it takes */
	int npos;           /* positional arguments it needs */
	const char *args;   /* their names, for messages */
	run_fn *run;
	const char *help;
} cmds[] = {
	{ "next", O_AGENT, 0, "", run_next,
	  "usage: mi-leads next [--agent NAME]\n"
	  "\n"
	  "Claim the best waiting owner of the queue, with all of its properties, and\n"
	  "show it.  Agents taking leads at the same moment always get different owners.\n"
	  "The claim lapses after claim_hours ([queue] of the settings, 4) unless you act\n"
	  "on the lead; each action holds it hold_days (14) longer, or past a follow-up.\n"
	  "\n" AGENT_OPT COMMON_OPTS "\n"
	  "Exit status: 0 a lead was claimed, 1 the queue is empty, 64 usage,\n"
	  "76 database error, 78 bad configuration.\n" },
	{ "show", 0, 1, "LEAD", run_desk,
	  "usage: mi-leads show LEAD\n"
	  "\n"
	  "Everything about a lead on one screen: its stage and claim, the owner, the\n"
	  "care-of line and mailing address (USPS form), each property with its signals\n"
	  "and their points, its condition (a person's assessment, else the remote\n"
	  "estimate), its competitive set and revenue projection, and the whole\n"
	  "activity history, newest first.\n"
	  "\n" COMMON_OPTS "\n" EXIT_DESK },
	{ "log", O_AGENT | O_CHANNEL | O_OUTCOME | O_NOTE | O_FOLLOW | O_INBOUND | O_TMK, 1, "LEAD",
	  run_desk,
	  "usage: mi-leads log LEAD --channel CHANNEL [--outcome OUTCOME] [--note TEXT]\n"
	  "                [--follow-up DATE] [--inbound] [--tmk TMK] [--agent NAME]\n"
	  "\n"
	  "Record what you did with the owner of a lead you hold.  The first contact moves\n"
	  "a new lead to contacted.  A follow-up date puts the lead first in your list\n"
	  "(mi-leads mine) on that date; logging on or after it without a new date\n"
	  "marks it done.  Every log touches your claim.\n"
	  "\n"
	  "  --channel CHANNEL  call, email, sms, letter, meeting, site_visit or note\n"
	  "  --outcome OUTCOME  connected, left_message, no_answer, bounced, interested,\n"
	  "                     not_interested, callback, meeting_set or completed\n"
	  "  --note TEXT        what was said (required for a note)\n"
	  "  --follow-up DATE   YYYY-MM-DD, today or later: the next follow-up\n"
	  "  --inbound          the owner reached us (default: we reached out)\n"
	  "  --tmk TMK          the property it was about, in any TMK form\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "assess", O_AGENT | O_CONDITION | O_SCORE | O_CAPEX | O_NOTE | O_TMK, 1, "LEAD", run_desk,
	  "usage: mi-leads assess LEAD --condition CONDITION [--score N] [--capex USD]\n"
	  "                [--note TEXT] [--tmk TMK] [--agent NAME]\n"
	  "\n"
	  "Record the condition of a lead's property as you found it on a site visit.\n"
	  "From then on it is the property's assessment in show, the report and\n"
	  "proposals: a person's assessment always wins over the remote estimate that\n"
	  "mi-leads score makes from reviews and the county record.  Logged as an\n"
	  "activity; the claim is left as it is.  Refused on a lead another agent holds.\n"
	  "\n"
	  "  --condition CONDITION  excellent, good, fair or poor\n"
	  "  --score N          condition 1-10 (10 = like new)\n"
	  "  --capex USD        what it takes to make it rental-ready, in dollars\n"
	  "  --note TEXT        what you saw\n"
	  "  --tmk TMK          the property, in any TMK form (needed when the lead has\n"
	  "                     several)\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "status", O_AGENT | O_REASON, 2, "LEAD STAGE", run_desk,
	  "usage: mi-leads status LEAD STAGE [--reason TEXT] [--agent NAME]\n"
	  "\n"
	  "Move a lead you hold to STAGE.  The moves the database allows:\n"
	  "\n"
	  "  new          -> contacted, meeting, nurture, lost, do_not_contact\n"
	  "  contacted    -> meeting, proposal, nurture, lost, do_not_contact\n"
	  "  meeting      -> proposal, nurture, lost, do_not_contact\n"
	  "  proposal     -> negotiating, won, nurture, lost, do_not_contact\n"
	  "  negotiating  -> won, nurture, lost, do_not_contact\n"
	  "  nurture      -> contacted, meeting, proposal, lost, do_not_contact\n"
	  "  lost         -> contacted, nurture (reopened: who moves it holds it),\n"
	  "                  do_not_contact\n"
	  "  won          -> lost (the owner left: its last contract ended), do_not_contact\n"
	  "  do_not_contact  never moves again\n"
	  "\n"
	  "lost needs --reason.  won and lost end the claim.  Every move is logged.\n"
	  "\n"
	  "  --reason TEXT      why (required for lost)\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "snooze", O_AGENT | O_UNTIL | O_NOTE, 1, "LEAD", run_desk,
	  "usage: mi-leads snooze LEAD --until DATE [--note TEXT] [--agent NAME]\n"
	  "\n"
	  "Put a lead you hold out of every list (the queue, yours, exports) until DATE;\n"
	  "then it is back at the top of your list (your claim holds past the date).\n"
	  "\n"
	  "  --until DATE       YYYY-MM-DD, after today, at most two years ahead\n"
	  "  --note TEXT        why\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "mine", O_AGENT, 0, "", run_lists,
	  "usage: mi-leads mine [--agent NAME]\n"
	  "\n"
	  "The leads you hold: follow-ups due first (oldest due first), then by score;\n"
	  "then your snoozed leads and the claims of yours that lapsed.\n"
	  "\n" AGENT_OPT COMMON_OPTS "\n"
	  "Exit status: 0 done, 64 usage, 74 output error, 76 database error.\n" },
	{ "assign", O_AGENT | O_TO | O_NOTE, 1, "LEAD", run_desk,
	  "usage: mi-leads assign LEAD --to AGENT [--note TEXT] [--agent NAME]\n"
	  "\n"
	  "Hand a lead you hold over to AGENT, or deal out a lead nobody holds.  AGENT\n"
	  "gets a fresh claim (it lapses unless AGENT acts on the lead).\n"
	  "\n"
	  "  --to AGENT         who gets it\n"
	  "  --note TEXT        a word for them\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "claim", O_AGENT | O_NOTE, 1, "LEAD", run_desk,
	  "usage: mi-leads claim LEAD [--note TEXT] [--agent NAME]\n"
	  "\n"
	  "Take a lead by its number (an owner who called in, a claim of yours that\n"
	  "lapsed) when nobody else holds it.  A lost lead is reopened with status.\n"
	  "\n"
	  "  --note TEXT        why\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "release", O_AGENT | O_REASON, 1, "LEAD", run_desk,
	  "usage: mi-leads release LEAD --reason TEXT [--agent NAME]\n"
	  "\n"
	  "Give a lead you hold back to the queue, at its stage, with its history.\n"
	  "\n"
	  "  --reason TEXT      why, for the next agent (required)\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "dnc", O_AGENT | O_REASON, 1, "LEAD", run_desk,
	  "usage: mi-leads dnc LEAD [--reason TEXT] [--agent NAME]\n"
	  "\n"
	  "The owner asked not to be contacted: the lead and every other lead of the\n"
	  "same owner leave every list for good (queue, claims, exports), with all their\n"
	  "properties, and so does any lead the owner gets later.  Any agent may do it,\n"
	  "whoever holds the lead.  It cannot be undone.\n"
	  "\n"
	  "  --reason TEXT      what the owner said (default: asked not to be contacted)\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "propose", O_AGENT | O_TMK | O_FEE | O_TERM | O_NOTICE | O_ONBOARD | O_GUARANTEE, 1, "LEAD",
	  run_proposal,
	  "usage: mi-leads propose LEAD [--tmk TMK] [--fee PCT] [--term MONTHS]\n"
	  "                [--notice DAYS] [--onboarding-fee USD] [--guarantee USD]\n"
	  "                [--agent NAME]\n"
	  "\n"
	  "Draft a management proposal for a lead you hold: its best property (or --tmk),\n"
	  "the property's latest revenue projection month by month with its low and high\n"
	  "cases, its competitive set and assessment, and the terms: those given here,\n"
	  "else the settings' ([projection] management_fee_pct, [proposal] onboarding_fee,\n"
	  "contract_term_months, termination_notice_days, valid_days).  Prints the\n"
	  "proposal; mi-report --proposal ID writes the printable page for the owner.\n"
	  "\n" PROPOSAL_STATES "\n"
	  "  --tmk TMK          the property, in any TMK form (default: the best)\n"
	  TERM_OPTS AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "proposal", O_AGENT | O_FEE | O_TERM | O_NOTICE | O_ONBOARD | O_GUARANTEE | O_NOTE | O_REASON |
	  O_DOCUMENT, 2, "ACTION PROPOSAL", run_proposal,
	  "usage: mi-leads proposal show PROPOSAL\n"
	  "       mi-leads proposal revise PROPOSAL [--fee PCT] [--term MONTHS]\n"
	  "                [--notice DAYS] [--onboarding-fee USD] [--guarantee USD]\n"
	  "                [--note TEXT] [--agent NAME]\n"
	  "       mi-leads proposal send PROPOSAL [--document FILE] [--agent NAME]\n"
	  "       mi-leads proposal accept PROPOSAL [--note TEXT] [--agent NAME]\n"
	  "       mi-leads proposal decline PROPOSAL --reason TEXT [--agent NAME]\n"
	  "\n"
	  "show: the terms, the projection month by month and every version.  revise:\n"
	  "a new version with the terms changed.  send: the current version goes to the\n"
	  "owner (the lead moves to the proposal stage).  accept, decline: the owner's\n"
	  "answer to the version sent.  Every action but show is logged on the lead and\n"
	  "needs your claim on it.\n"
	  "\n" PROPOSAL_STATES "\n"
	  TERM_OPTS
	  "  --note TEXT        a word on the revision or the acceptance\n"
	  "  --reason TEXT      why the owner declined (required)\n"
	  "  --document FILE    the document sent (its path and SHA-256 are recorded)\n"
	  AGENT_OPT COMMON_OPTS "\n" EXIT_DESK },
	{ "contract", O_AGENT | O_START | O_TERM | O_FEE | O_TMK | O_SIGNEDBY | O_NUMBER | O_DOCUMENT |
	  O_REASON | O_ON, 2, "ACTION (sign PROPOSAL, terminate CONTRACT, show CONTRACT or list)",
	  run_contract,
	  "usage: mi-leads contract sign PROPOSAL [--start DATE] [--term MONTHS]\n"
	  "                [--fee PCT] [--tmk TMK]... [--signed-by NAME]\n"
	  "                [--number NUMBER] [--document URI] [--agent NAME]\n"
	  "       mi-leads contract terminate CONTRACT --reason TEXT [--on DATE]\n"
	  "                [--agent NAME]\n"
	  "       mi-leads contract show CONTRACT\n"
	  "       mi-leads contract list\n"
	  "\n"
	  "sign: the owner signed the accepted proposal PROPOSAL.  One contract per\n"
	  "property (the proposal's, and the owner's others given with --tmk), with the\n"
	  "fee, term, notice and other terms of the proposal's current version unless\n"
	  "given here.  From the start date the property is ours (never scored, never\n"
	  "queued, a comp-set subject as ours, whatever the portfolio file says); the\n"
	  "lead is won and the property leaves every list and export for good; its\n"
	  "onboarding checklist starts, due from the start date.  The lead must be at\n"
	  "proposal or negotiating, and nobody else may hold it.\n"
	  "\n"
	  "terminate: the contract ends; the property returns to the market (scored again\n"
	  "the next night), its open onboarding tasks are skipped, and an owner with no\n"
	  "other contract goes to lost (reopen it later like any lost lead).  The\n"
	  "history stays.  A term that does not renew ends by itself (the nightly run).\n"
	  "\n"
	  "show: the terms and the onboarding checklist, with the evidence of each task\n"
	  "done and the overdue ones.  list: the contracts in force.\n"
	  "\n"
	  "  --start DATE       first day of management (YYYY-MM-DD, default today)\n"
	  "  --term MONTHS      term in months, 1-120 (renews by itself)\n"
	  "  --fee PCT          management fee, percent of gross rent\n"
	  "  --tmk TMK          another property of the owner under the same terms\n"
	  "  --signed-by NAME   who signed for the owner (trustee, officer ...)\n"
	  "  --number NUMBER    the contract number (default C-<year>-<id>)\n"
	  "  --document URI     where the signed agreement is\n"
	  "  --reason TEXT      why the contract ends (terminate: required)\n"
	  "  --on DATE          the day it ended (default today)\n"
	  AGENT_OPT COMMON_OPTS "\n"
	  "Exit status: 0 done, 64 usage or a bad value, 66 no such proposal or contract,\n"
	  "67 refused (not accepted, already under contract, another agent holds the\n"
	  "lead ...), 74 output error, 76 database error, 78 bad configuration.\n" },
	{ "task", O_AGENT | O_NOTE | O_EVIDENCE, 3, "done CONTRACT TASK", run_task,
	  "usage: mi-leads task done CONTRACT TASK [--note TEXT] [--evidence URI]\n"
	  "                [--agent NAME]\n"
	  "\n"
	  "Mark the onboarding task TASK (its code, e.g. OWNER_W9_AND_BANKING) of a\n"
	  "contract done, with what proves it.  The tasks and their state: mi-leads\n"
	  "contract show CONTRACT.  The nightly run marks some by itself, from the\n"
	  "market data: the listing under our manager name, the tax ids on it, the\n"
	  "first booked nights, the first review.\n"
	  "\n"
	  "  --note TEXT        what was done\n"
	  "  --evidence URI     where the proof is (a scan, a binder, photos)\n"
	  AGENT_OPT COMMON_OPTS "\n"
	  "Exit status: 0 done, 64 usage, 66 no such contract or task, 67 refused (done\n"
	  "already, the contract ended), 74 output error, 76 database error.\n" },
	{ "queue", O_LIMIT, 0, "", run_lists,
	  "usage: mi-leads queue [--limit N]\n"
	  "\n"
	  "The owners waiting for an agent, best first: rank, lead, the best property's\n"
	  "score and TMK, the owner, the strongest source and the projection; then the\n"
	  "reasons (\"owns 3 units at ...\" first for several properties) and the other\n"
	  "properties.  Do-not-contact and suppressed owners, our own properties, claimed\n"
	  "and snoozed leads never appear.\n"
	  "\n"
	  "  --limit N          owners to print, 1-10000 (default 20)\n"
	  COMMON_OPTS "\n"
	  "Exit status: 0 done, 64 usage, 74 output error, 76 database error.\n" },
	{ "export", O_FORMAT | O_STATUS | O_MINSCORE | O_OUT, 0, "", run_export,
	  "usage: mi-leads export [--format csv] [--status STAGE,...] [--min-score N]\n"
	  "                       [--out FILE]\n"
	  "\n"
	  "One row per owner for a mail house: lead, owner, care-of line, mailing address\n"
	  "in USPS form (street, unit, city, state, ZIP or ZIP+4; a foreign address as\n"
	  "written, with its country), the properties (address [TMK]), the count, the\n"
	  "score, the stage, the main reason and the projection.  RFC 4180 CSV with a\n"
	  "header, UTF-8, CRLF line ends.  Do-not-contact, suppressed and snoozed owners\n"
	  "never come out; owners without a mailing address are counted on stderr.\n"
	  "\n"
	  "  --format csv       the only format\n"
	  "  --status STAGE,... stages to export (default: new, contacted, meeting,\n"
	  "                     proposal, negotiating, nurture; also won, lost)\n"
	  "  --min-score N      owners whose best property scores at least N (0-100)\n"
	  "  --out FILE         write FILE (atomically) instead of stdout\n"
	  COMMON_OPTS "\n"
	  "Exit status: 0 done, 64 usage, 74 cannot write, 76 database error.\n" },
	{ "suppress", O_AGENT, 1, "FILE", run_suppress,
	  "usage: mi-leads suppress FILE [--agent NAME]\n"
	  "\n"
	  "Import a suppression list: CSV with a header naming an owner column (owner,\n"
	  "name) and/or address columns (address or street, unit, city, state, zip),\n"
	  "optionally a reason.  Each entry is keyed with the owner and address\n"
	  "normalizers; from then on every owner it matches is out of the queue, claims\n"
	  "and exports.  A list imported again adds nothing.  Rows that cannot be read\n"
	  "are listed on stderr with their line; the rest is imported.  '-' reads stdin.\n"
	  "\n" AGENT_OPT COMMON_OPTS "\n"
	  "Exit status: 0 done, 64 usage, 65 unreadable file (no owner or address\n"
	  "column), 66 no such file, 76 database error.\n" },
	{ "score", O_ASOF | O_RUN, 0, "", run_score,
	  "usage: mi-leads score [--as-of DATE] [--run ID]\n"
	  "\n"
	  "Score every market property (0-100, from the signals and weights in the\n"
	  "settings: recent sale, manager change, self-managed, declining review\n"
	  "aspects, occupancy or ADR below the competitive set, listing gone dark),\n"
	  "create prospects (one per owner key and mailing address) with all of their\n"
	  "properties, write one lead activity per new signal, each review's share of\n"
	  "its property's score, a remote condition estimate of every market property\n"
	  "(from its reviews and the county record, with a capex estimate by the\n"
	  "[condition] settings; a new one only when its inputs changed), and project\n"
	  "the revenue of every lead with a competitive set; one transaction.  It never\n"
	  "changes a stage, a claim, a note or a person's assessment: a strong new\n"
	  "signal on a lost lead is logged and flags it (\"signal since lost\"), nothing\n"
	  "more.  A lead that turns hot is announced with NOTIFY on channel\n"
	  "mi_hot_lead.  A re-run on the same data writes nothing new.  Run mi-compset\n"
	  "before it so that new leads get competitive sets and projections.\n"
	  "\n"
	  "  --as-of DATE       YYYY-MM-DD: data date of the scores (default: the\n"
	  "                     database's today)\n"
	  "  --run ID           run id recorded with what is written\n"
	  COMMON_OPTS "\n"
	  "Exit status: 0 done, 64 usage, 76 database error, 78 bad configuration.\n" },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const struct { unsigned bit; const char *name; } opt_names[] = {
	{ O_AGENT, "--agent" }, { O_TO, "--to" }, { O_REASON, "--reason" },
	{ O_CHANNEL, "--channel" }, { O_OUTCOME, "--outcome" }, { O_NOTE, "--note" },
	{ O_FOLLOW, "--follow-up" }, { O_INBOUND, "--inbound" }, { O_TMK, "--tmk" },
	{ O_UNTIL, "--until" }, { O_FORMAT, "--format" }, { O_STATUS, "--status" },
	{ O_MINSCORE, "--min-score" }, { O_OUT, "--out" }, { O_LIMIT, "--limit" },
	{ O_ASOF, "--as-of" }, { O_RUN, "--run" }, { O_CONDITION, "--condition" },
	{ O_SCORE, "--score" }, { O_CAPEX, "--capex" }, { O_START, "--start" }, { O_TERM, "--term" },
	{ O_FEE, "--fee" }, { O_SIGNEDBY, "--signed-by" }, { O_NUMBER, "--number" },
	{ O_DOCUMENT, "--document" }, { O_ON, "--on" }, { O_EVIDENCE, "--evidence" },
	{ O_NOTICE, "--notice" }, { O_ONBOARD, "--onboarding-fee" }, { O_GUARANTEE, "--guarantee" },
};

static const char *const export_stages[] = { "new", "contacted", "meeting", "proposal",
					     "negotiating", "nurture", "won", "lost" };

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int cmd_help(const struct cmd *c)
{
	fputs(c->help, stdout);
	return mi_close_stdout(info.name);
}

static int usage_error(const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "mi-leads log: needs --channel ...", the hint line; MI_EXIT_USAGE. */
static int usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", info.name, c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s --help'.\n", info.name, c->name);
	return MI_EXIT_USAGE;
}

/* The agent: --agent, else $MI_AGENT. */
static int need_agent(const struct cmd *c, struct args *a)
{
	if (!a->agent || !*a->agent)
		a->agent = getenv("MI_AGENT");
	if (!a->agent || !*a->agent)
		return usage_error(c, "who acts? give --agent NAME (or set MI_AGENT)");
	return 0;
}

/* A number argument of contract and task: lead, proposal or contract. */
static int parse_number(const struct cmd *c, const char *what, const char *s, long long *v)
{
	if (mi_parse_ll(s, 1, LLONG_MAX, v) < 0)
		return usage_error(c, "invalid %s '%s': must be a %s number", what, s, what);
	return 0;
}

/*
 * contract ACTION [N] and task done CONTRACT TASK: the action, its number,
 * the options it takes and its agent; a->lead gets the number.
 */
static int check_contract_args(const struct cmd *c, struct args *a)
{
	static const struct { const char *action, *what; unsigned opts; int agent; } acts[] = {
		{ "sign", "proposal", O_START | O_TERM | O_FEE | O_TMK | O_SIGNEDBY | O_NUMBER | O_DOCUMENT, 1 },
		{ "terminate", "contract", O_REASON | O_ON, 1 },
		{ "show", "contract", 0, 0 },
		{ "list", NULL, 0, 0 },
		{ "done", "contract", O_NOTE | O_EVIDENCE, 1 },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(a->pos[0], acts[i].action) &&
		    (c->run == run_task) == !strcmp(acts[i].action, "done"))
			break;
	if (i == sizeof(acts) / sizeof(acts[0]))
		return usage_error(c, "unknown action '%s': %s", a->pos[0],
				   c->run == run_task ? "the action is done"
						      : "sign, terminate, show or list");
	if (acts[i].what && a->npos < 2)
		return usage_error(c, "%s needs a %s number", a->pos[0], acts[i].what);
	if (!acts[i].what && a->npos > 1)
		return usage_error(c, "unexpected argument '%s'", a->pos[1]);
	if (acts[i].what && (rc = parse_number(c, acts[i].what, a->pos[1], &a->lead)) != 0)
		return rc;
	for (size_t k = 0; k < sizeof(opt_names) / sizeof(opt_names[0]); k++)
		if ((a->given & opt_names[k].bit) && opt_names[k].bit != O_AGENT &&
		    !(acts[i].opts & opt_names[k].bit))
			return usage_error(c, "%s is not an option of %s", opt_names[k].name, a->pos[0]);
	if (a->start && !value_iso_date(a->start, NULL))
		return usage_error(c, "invalid date '%s' for option --start: must be YYYY-MM-DD", a->start);
	if (a->on && !value_iso_date(a->on, NULL))
		return usage_error(c, "invalid date '%s' for option --on: must be YYYY-MM-DD", a->on);
	if (a->term) {
		long long v;
		if (mi_parse_ll(a->term, 1, 120, &v) < 0)
			return usage_error(c, "invalid value '%s' for option --term: must be a number of "
					   "months between 1 and 120", a->term);
	}
	if (a->fee) {
		double v;
		if (mi_parse_double(a->fee, 0, 100, &v) < 0)
			return usage_error(c, "invalid value '%s' for option --fee: must be a percent "
					   "between 0 and 100", a->fee);
	}
	if (!strcmp(a->pos[0], "terminate") && (!a->reason || !*a->reason))
		return usage_error(c, "needs --reason TEXT: why the contract ends");
	if (acts[i].agent)
		return need_agent(c, a);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "agent", required_argument, NULL, 'g' },
		{ "to", required_argument, NULL, 't' },
		{ "reason", required_argument, NULL, 'R' },
		{ "channel", required_argument, NULL, 'C' },
		{ "outcome", required_argument, NULL, 'O' },
		{ "note", required_argument, NULL, 'n' },
		{ "follow-up", required_argument, NULL, 'F' },
		{ "inbound", no_argument, NULL, 'i' },
		{ "tmk", required_argument, NULL, 'k' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "status", required_argument, NULL, 's' },
		{ "min-score", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "run", required_argument, NULL, 'r' },
		{ "condition", required_argument, NULL, 'N' },
		{ "score", required_argument, NULL, 'S' },
		{ "capex", required_argument, NULL, 'X' },
		{ "start", required_argument, NULL, OPT_START },
		{ "term", required_argument, NULL, OPT_TERM },
		{ "fee", required_argument, NULL, OPT_FEE },
		{ "signed-by", required_argument, NULL, OPT_SIGNEDBY },
		{ "number", required_argument, NULL, OPT_NUMBER },
		{ "document", required_argument, NULL, OPT_DOCUMENT },
		{ "on", required_argument, NULL, OPT_ON },
		{ "evidence", required_argument, NULL, OPT_EVIDENCE },
		{ "notice", required_argument, NULL, OPT_NOTICE },
		{ "onboarding-fee", required_argument, NULL, OPT_ONBOARD },
		{ "guarantee", required_argument, NULL, OPT_GUARANTEE },
		{ "config", required_argument, NULL, 'c' },
		{ "dbname", required_argument, NULL, 'D' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct leads_settings set = LEADS_SETTINGS_INIT;
	struct mi_err err = MI_ERR_INIT;
	struct args a;
	const struct cmd *c;
	const char *limit_arg = NULL, *minscore_arg = NULL;
	char cbuf[4096];
	int opt, help = 0, ret;
	PGconn *conn = NULL;

	memset(&a, 0, sizeof(a));
	a.limit = 20;
	mi_log_init(info.name, "leads");
	while ((opt = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'g': a.agent = optarg; a.given |= O_AGENT; break;
		case 't': a.to = optarg; a.given |= O_TO; break;
		case 'R': a.reason = optarg; a.given |= O_REASON; break;
		case 'C': a.channel = optarg; a.given |= O_CHANNEL; break;
		case 'O': a.outcome = optarg; a.given |= O_OUTCOME; break;
		case 'n': a.note = optarg; a.given |= O_NOTE; break;
		case 'F': a.follow_up = optarg; a.given |= O_FOLLOW; break;
		case 'i': a.inbound = 1; a.given |= O_INBOUND; break;
		case 'k':
			a.tmk = optarg;
			a.given |= O_TMK;
			if (a.ntmk == (int)(sizeof(a.tmks) / sizeof(a.tmks[0])))
				return mi_opts_usage_error(&info, "too many --tmk options");
			a.tmks[a.ntmk++] = optarg;
			break;
		case 'u': a.until = optarg; a.given |= O_UNTIL; break;
		case 'f': a.format = optarg; a.given |= O_FORMAT; break;
		case 's': a.status = optarg; a.given |= O_STATUS; break;
		case 'm': minscore_arg = optarg; a.given |= O_MINSCORE; break;
		case 'o': a.out = optarg; a.given |= O_OUT; break;
		case 'l': limit_arg = optarg; a.given |= O_LIMIT; break;
		case 'a': a.as_of = optarg; a.given |= O_ASOF; break;
		case 'r': a.run_id = optarg; a.given |= O_RUN; break;
		case 'N': a.condition = optarg; a.given |= O_CONDITION; break;
		case 'S': a.score = optarg; a.given |= O_SCORE; break;
		case 'X': a.capex = optarg; a.given |= O_CAPEX; break;
		case OPT_START: a.start = optarg; a.given |= O_START; break;
		case OPT_TERM: a.term = optarg; a.given |= O_TERM; break;
		case OPT_FEE: a.fee = optarg; a.given |= O_FEE; break;
		case OPT_SIGNEDBY: a.signed_by = optarg; a.given |= O_SIGNEDBY; break;
		case OPT_NUMBER: a.number = optarg; a.given |= O_NUMBER; break;
		case OPT_DOCUMENT: a.document = optarg; a.given |= O_DOCUMENT; break;
		case OPT_ON: a.on = optarg; a.given |= O_ON; break;
		case OPT_EVIDENCE: a.evidence = optarg; a.given |= O_EVIDENCE; break;
		case OPT_NOTICE: a.terms.notice_days = optarg; a.given |= O_NOTICE; break;
		case OPT_ONBOARD: a.terms.onboarding_fee = optarg; a.given |= O_ONBOARD; break;
		case OPT_GUARANTEE: a.terms.guarantee = optarg; a.given |= O_GUARANTEE; break;
		case 'c': a.config = optarg; break;
		case 'D': a.dbname = optarg; break;
		case 'h': help = 1; break;
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (optind >= argc) {
		if (help)
			return mi_opts_help(&info);
		return mi_opts_usage_error(&info, "a command is required: next, show, log, assess, "
					   "status, snooze, mine, assign, claim, release, dnc, propose, "
					   "proposal, contract, task, queue, export, suppress or score");
	}
	c = find_cmd(argv[optind]);
	if (!c)
		return mi_opts_usage_error(&info, "unknown command '%s'", argv[optind]);
	if (help)
		return cmd_help(c);
	optind++;
	while (optind < argc) {
		if (a.npos >= c->npos)
			return usage_error(c, "unexpected argument '%s'", argv[optind]);
		a.pos[a.npos++] = argv[optind++];
	}
	/* contract list takes no number */
	if (a.npos < (c->run == run_contract ? 1 : c->npos))
		return usage_error(c, "needs %s", c->args);
	for (size_t i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++)
		if ((a.given & opt_names[i].bit) && !(c->opts & opt_names[i].bit))
			return usage_error(c, "%s is not an option of this command", opt_names[i].name);

	/* values, checked before any connection */
	a.terms.fee_pct = a.fee;
	a.terms.term_months = a.term;
	if (!strcmp(c->name, "proposal")) {
		static const char *const actions[] = { "show", "revise", "send", "accept", "decline" };
		size_t i;
		long long v;

		for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
			if (!strcmp(a.pos[0], actions[i]))
				break;
		if (i == sizeof(actions) / sizeof(actions[0]))
			return usage_error(c, "unknown action '%s': show, revise, send, accept or decline",
					   a.pos[0]);
		if (mi_parse_ll(a.pos[1], 1, LLONG_MAX, &v) < 0)
			return usage_error(c, "invalid proposal '%s': must be a proposal number", a.pos[1]);
		a.lead = v;
		if (!strcmp(a.pos[0], "decline") && (!a.reason || !*a.reason))
			return usage_error(c, "needs --reason TEXT: say why the owner declined");
		if ((a.given & (O_FEE | O_TERM | O_NOTICE | O_ONBOARD | O_GUARANTEE)) &&
		    strcmp(a.pos[0], "revise"))
			return usage_error(c, "the terms are options of revise only");
		if (!strcmp(a.pos[0], "revise") &&
		    !(a.given & (O_FEE | O_TERM | O_NOTICE | O_ONBOARD | O_GUARANTEE)))
			return usage_error(c, "revise what? give --fee, --term, --notice, --onboarding-fee "
					   "or --guarantee");
		if (a.document && strcmp(a.pos[0], "send"))
			return usage_error(c, "--document is an option of send only");
		if (a.reason && strcmp(a.pos[0], "decline"))
			return usage_error(c, "--reason is an option of decline only");
		if (a.note && strcmp(a.pos[0], "revise") && strcmp(a.pos[0], "accept"))
			return usage_error(c, "--note is an option of revise and accept only");
	} else if (c->npos && strcmp(c->args, "FILE") && c->run != run_contract && c->run != run_task) {
		long long v;
		if (mi_parse_ll(a.pos[0], 1, LLONG_MAX, &v) < 0)
			return usage_error(c, "invalid lead '%s': must be a lead number", a.pos[0]);
		a.lead = v;
	}
	{
		const struct { const char *v, *opt; double min, max; } nums[] = {
			{ a.terms.fee_pct, "--fee", 0, 100 },
			{ a.terms.term_months, "--term", 1, 120 },
			{ a.terms.notice_days, "--notice", 0, 365 },
			{ a.terms.onboarding_fee, "--onboarding-fee", 0, 1000000 },
			{ a.terms.guarantee, "--guarantee", 0, 10000000 },
		};
		for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
			double d;
			if (nums[i].v && mi_parse_double(nums[i].v, nums[i].min, nums[i].max, &d) < 0)
				return usage_error(c, "invalid value '%s' for option %s: must be a number "
						   "between %g and %g", nums[i].v, nums[i].opt, nums[i].min,
						   nums[i].max);
		}
	}
	if (limit_arg && mi_parse_ll(limit_arg, 1, 10000, &a.limit) < 0)
		return usage_error(c, "invalid value '%s' for option --limit: must be an integer "
				   "between 1 and 10000", limit_arg);
	if (minscore_arg && mi_parse_double(minscore_arg, 0, 100, &a.min_score) < 0)
		return usage_error(c, "invalid value '%s' for option --min-score: must be a number "
				   "between 0 and 100", minscore_arg);
	if (a.as_of && !value_iso_date(a.as_of, NULL))
		return usage_error(c, "invalid date '%s' for option --as-of: must be YYYY-MM-DD", a.as_of);
	if (a.follow_up && !value_iso_date(a.follow_up, NULL))
		return usage_error(c, "invalid date '%s' for option --follow-up: must be YYYY-MM-DD",
				   a.follow_up);
	if (a.until && !value_iso_date(a.until, NULL))
		return usage_error(c, "invalid date '%s' for option --until: must be YYYY-MM-DD", a.until);
	if (!strcmp(c->name, "log") && !a.channel)
		return usage_error(c, "needs --channel (call, email, sms, letter, meeting, site_visit "
				   "or note)");
	if (!strcmp(c->name, "assess")) {
		long long v;
		double d;

		if (!a.condition)
			return usage_error(c, "needs --condition (excellent, good, fair or poor)");
		if (a.score && mi_parse_ll(a.score, 1, 10, &v) < 0)
			return usage_error(c, "invalid value '%s' for option --score: must be an integer "
					   "between 1 and 10", a.score);
		if (a.capex && mi_parse_double(a.capex, 0, 1e11, &d) < 0)
			return usage_error(c, "invalid value '%s' for option --capex: must be an amount "
					   "in dollars, 0 or more", a.capex);
	}
	if (!strcmp(c->name, "snooze") && !a.until)
		return usage_error(c, "needs --until DATE");
	if (!strcmp(c->name, "assign") && !a.to)
		return usage_error(c, "needs --to AGENT");
	if (!strcmp(c->name, "release") && (!a.reason || !*a.reason))
		return usage_error(c, "needs --reason TEXT: say why, for the next agent");
	if (a.tmk) {
		struct tmk t;
		if (tmk_parse(a.tmk, strlen(a.tmk), NULL, &t, NULL) < 0)
			return usage_error(c, "invalid TMK '%s'", a.tmk);
		memcpy(a.tmk13, t.tmk13, sizeof(a.tmk13));
	}
	if (a.format && strcmp(a.format, "csv"))
		return usage_error(c, "unknown format '%s': the export is csv", a.format);
	if (c->run == run_contract || c->run == run_task) {
		if ((ret = check_contract_args(c, &a)) != 0)
			return ret;
	} else if ((c->opts & O_AGENT) && !(c->run == run_proposal && !strcmp(a.pos[0], "show")) &&
		   (ret = need_agent(c, &a)) != 0) {
		return ret;
	}

	if (!a.config)
		a.config = mi_path_config("leads.ini", cbuf, sizeof(cbuf));
	if (leads_settings_load(&set, a.config, &err) < 0)
		goto fail;
	conn = mi_pg_connect(info.name, a.dbname, &err);
	if (!conn)
		goto fail;
	a.cmd = c;
	ret = c->run(conn, &set, &a, &err);
	if (ret < 0)
		goto fail;
	mi_pg_finish(conn);
	leads_settings_release(&set);
	opt = mi_close_stdout(info.name);
	return opt ? opt : ret;
fail:
	fflush(stdout);
	mi_err_print(stderr, info.name, &err);
	mi_pg_finish(conn);
	leads_settings_release(&set);
	return err.code ? err.code : MI_EXIT_INTERNAL;
}

static int run_score(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err)
{
	struct leads_score_stats st;
	struct ledger_stage ls;
	char today[16], line[1024];
	int ret;

	if (!a->as_of) {
		PGresult *res = mi_pg_query(conn, "SELECT current_date::text", 0, NULL, err);
		if (!res)
			return -1;
		snprintf(today, sizeof(today), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		a->as_of = today;
	}
	if (a->run_id)
		mi_log_set_run(a->run_id);
	/* the stage's row in the ledger: the run's (mi-run), or --run's */
	if (ledger_stage_open(&ls, conn, NULL, ledger_run_of(a->run_id), "leads", NULL, 1, err) < 0)
		return -1;
	if (leads_score(conn, set, a->as_of, a->run_id, &st, err) < 0) {
		ledger_stage_close(&ls, err->code ? err->code : MI_EXIT_INTERNAL, NULL, NULL, err->msg);
		return -1;
	}
	snprintf(line, sizeof(line),
		 "leads %s (%s): %lld signals on %lld properties; %lld new prospects, %lld new "
		 "leads, %lld rescored, %lld new activities, %lld new projections, %lld prospects "
		 "renamed; %lld scored properties without a known owner; %lld properties joined "
		 "their owner's lead, %lld lost leads with a new signal; %lld review contributions "
		 "changed, %lld remote condition assessments; contracts: %lld started, %lld renewed, "
		 "%lld expired, %lld properties made ours, %lld onboarding tasks done by the data",
		 a->as_of, set->version, st.signals, st.scored, st.prospects_new, st.leads_new,
		 st.leads_rescored, st.activities_new, st.projections_new, st.prospects_renamed,
		 st.without_owner, st.properties_joined, st.lost_signalled, st.reviews_attributed,
		 st.conditions_new, st.contracts_started, st.contracts_renewed, st.contracts_expired,
		 st.made_ours, st.tasks_done);
	printf("%s\n", line);
	{
		/* properties scored; the figures and the line above for mi-run's summary */
		struct ledger_counts c;
		json_object *d = json_object_new_object();
		memset(&c, 0, sizeof(c));
		c.read = st.scored;
		c.out = st.scored;
		json_object_object_add(d, "as_of", json_object_new_string(a->as_of));
		json_object_object_add(d, "signals", json_object_new_int64(st.signals));
		json_object_object_add(d, "new_prospects", json_object_new_int64(st.prospects_new));
		json_object_object_add(d, "new_leads", json_object_new_int64(st.leads_new));
		json_object_object_add(d, "rescored", json_object_new_int64(st.leads_rescored));
		json_object_object_add(d, "new_activities", json_object_new_int64(st.activities_new));
		json_object_object_add(d, "new_projections", json_object_new_int64(st.projections_new));
		json_object_object_add(d, "line", json_object_new_string(line));
		ret = ledger_stage_close(&ls, MI_EXIT_OK, &c,
					 json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN), NULL);
		json_object_put(d);
	}
	if (ret)
		return mi_err_set(err, ret, "cannot record the stage in the run ledger");
	return MI_EXIT_OK;
}

static int run_next(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err)
{
	long long lead = 0;
	int got;

	(void)set;
	got = desk_next(conn, a->agent, &lead, stdout, err);
	if (got < 0)
		return -1;
	if (!got) {
		fprintf(stderr, "%s: the lead queue is empty\n", info.name);
		return MI_EXIT_PARTIAL;
	}
	mi_log_kv(MI_LOG_INFO, "claimed", "agent", a->agent, NULL);
	return MI_EXIT_OK;
}

/* The commands on one lead. */
static int run_desk(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err)
{
	const char *v = a->cmd->name;
	int rc;

	(void)set;
	if (!strcmp(v, "show")) {
		rc = desk_show(conn, a->lead, stdout, err);
	} else if (!strcmp(v, "log")) {
		struct desk_log_opts o = { a->channel, a->outcome, a->note, a->follow_up,
					   a->inbound ? "inbound" : NULL, a->tmk ? a->tmk13 : NULL };
		rc = desk_log(conn, a->lead, a->agent, &o, stdout, err);
	} else if (!strcmp(v, "assess")) {
		struct desk_assess_opts o = { a->condition, a->score, a->capex, a->note,
					      a->tmk ? a->tmk13 : NULL };
		rc = desk_assess(conn, a->lead, a->agent, &o, stdout, err);
	} else if (!strcmp(v, "status")) {
		rc = desk_status(conn, a->lead, a->agent, a->pos[1], a->reason, stdout, err);
	} else if (!strcmp(v, "snooze")) {
		rc = desk_snooze(conn, a->lead, a->agent, a->until, a->note, stdout, err);
	} else if (!strcmp(v, "assign")) {
		rc = desk_assign(conn, a->lead, a->agent, a->to, a->note, stdout, err);
	} else if (!strcmp(v, "claim")) {
		rc = desk_assign(conn, a->lead, a->agent, a->agent, a->note, stdout, err);
	} else if (!strcmp(v, "release")) {
		rc = desk_release(conn, a->lead, a->agent, a->reason, stdout, err);
	} else if (!strcmp(v, "dnc")) {
		rc = desk_dnc(conn, a->lead, a->agent, a->reason, stdout, err);
	} else {
		return mi_err_set(err, MI_EXIT_INTERNAL, "no handler for '%s'", v);
	}
	return rc < 0 ? -1 : MI_EXIT_OK;
}

static int run_contract(PGconn *conn, struct leads_settings *set, struct args *a,
			struct mi_err *err)
{
	const char *act = a->pos[0];
	int rc;

	(void)set;
	if (!strcmp(act, "sign")) {
		struct contract_sign_opts o = { a->start, a->term, a->fee, NULL, a->signed_by, a->number,
						a->document };
		struct strbuf arr = STRBUF_INIT;
		const char *t13[sizeof(a->tmks) / sizeof(a->tmks[0])];
		char buf[sizeof(a->tmks) / sizeof(a->tmks[0])][14];

		for (int i = 0; i < a->ntmk; i++) {
			struct tmk t;

			if (tmk_parse(a->tmks[i], strlen(a->tmks[i]), NULL, &t, NULL) < 0)
				return mi_err_set(err, MI_EXIT_USAGE, "invalid TMK '%s'", a->tmks[i]);
			memcpy(buf[i], t.tmk13, sizeof(buf[i]));
			t13[i] = buf[i];
		}
		if (a->ntmk) {
			if (mi_pg_text_array(&arr, t13, (size_t)a->ntmk) < 0)
				return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			o.tmks = arr.buf;
		}
		rc = contract_sign(conn, a->lead, a->agent, &o, stdout, err);
		strbuf_release(&arr);
	} else if (!strcmp(act, "terminate")) {
		rc = contract_terminate(conn, a->lead, a->agent, a->reason, a->on, stdout, err);
	} else if (!strcmp(act, "show")) {
		rc = contract_show(conn, a->lead, stdout, err);
	} else {
		rc = contract_list(conn, stdout, err);
	}
	return rc < 0 ? -1 : MI_EXIT_OK;
}

static int run_task(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err)
{
	(void)set;
	if (contract_task_done(conn, a->lead, a->pos[2], a->agent, a->note, a->evidence, stdout,
			       err) < 0)
		return -1;
	return MI_EXIT_OK;
}

static int run_lists(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err)
{
	int rc;

	(void)set;
	if (!strcmp(a->cmd->name, "mine"))
		rc = desk_mine(conn, a->agent, stdout, err);
	else
		rc = desk_queue(conn, (int)a->limit, stdout, err);
	return rc < 0 ? -1 : MI_EXIT_OK;
}

static int run_export(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err)
{
	const char *stages[sizeof(export_stages) / sizeof(export_stages[0]) + 1];
	struct directmail_opts o = { NULL, a->min_score };
	struct directmail_stats st;
	struct mi_atomicfile af = MI_ATOMICFILE_INIT;
	char list[256];
	FILE *out = stdout;
	int n = 0;

	(void)set;
	if (a->status) {
		char *p, *w;

		if (strlen(a->status) >= sizeof(list))
			return mi_err_set(err, MI_EXIT_USAGE, "--status '%s' is too long", a->status);
		snprintf(list, sizeof(list), "%s", a->status);
		for (p = list; (w = strsep(&p, ",")) != NULL;) {
			size_t k;

			w += strspn(w, " ");
			w[strcspn(w, " ")] = '\0';
			if (!*w)
				continue;
			for (k = 0; k < sizeof(export_stages) / sizeof(export_stages[0]); k++)
				if (!strcmp(w, export_stages[k]))
					break;
			if (k == sizeof(export_stages) / sizeof(export_stages[0])) {
				mi_err_set(err, MI_EXIT_USAGE, "unknown stage '%s' for --status", w);
				mi_err_detail(err, "stages: new, contacted, meeting, proposal, negotiating, "
						   "nurture, won, lost (do-not-contact owners are never exported)");
				return -1;
			}
			if (n < (int)(sizeof(stages) / sizeof(stages[0])) - 1)
				stages[n++] = export_stages[k];
		}
		if (!n)
			return mi_err_set(err, MI_EXIT_USAGE, "--status names no stage");
		stages[n] = NULL;
		o.stages = stages;
	}
	if (a->out) {
		out = mi_atomicfile_open(&af, a->out, err);
		if (!out)
			return -1;
	}
	if (directmail_export_csv(conn, &o, out, &st, err) < 0) {
		if (out != stdout)
			mi_atomicfile_abort(&af);
		return -1;
	}
	if (out != stdout && mi_atomicfile_commit(&af, err) < 0)
		return -1;
	fprintf(stderr, "%s: exported %lld owner%s", info.name, st.rows, st.rows == 1 ? "" : "s");
	if (st.no_address)
		fprintf(stderr, "; %lld left out: no mailing address", st.no_address);
	fputc('\n', stderr);
	return MI_EXIT_OK;
}

static int on_suppression_row(void *data, const struct suppression_row *row, struct mi_err *err)
{
	struct directmail_suppress *s = data;
	struct directmail_entry e = { row->owner, row->street, row->city, row->state, row->zip,
				      row->reason, row->line };

	if (row->bad) {
		s->rejected++;
		fprintf(stderr, "%s:%lld: %s\n", s->source, row->line, row->bad);
		return 0;
	}
	return directmail_suppress_add(s, &e, err);
}

static int run_suppress(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err)
{
	struct directmail_suppress s;
	const char *path = a->pos[0];
	long long suppressed = 0, rows;
	FILE *in;

	(void)set;
	in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!in)
		return mi_err_set(err, errno == ENOENT ? MI_EXIT_NOINPUT : MI_EXIT_IO,
				  "cannot open '%s': %s", path, strerror(errno));
	if (directmail_suppress_begin(&s, conn, a->agent, strcmp(path, "-") ? path : "stdin", stderr,
				      err) < 0)
		goto fail;
	rows = suppression_list_read(in, s.source, on_suppression_row, &s, err);
	if (rows < 0) {
		directmail_suppress_abort(&s);
		goto fail;
	}
	if (directmail_suppress_end(&s, &suppressed, err) < 0)
		goto fail;
	if (in != stdin)
		fclose(in);
	printf("suppress %s: %lld entr%s added, %lld already listed, %lld rejected; "
	       "%lld lead%s now suppressed\n", s.source, s.added, s.added == 1 ? "y" : "ies",
	       s.already, s.rejected, suppressed, suppressed == 1 ? "" : "s");
	return MI_EXIT_OK;
fail:
	if (in != stdin)
		fclose(in);
	return -1;
}

/* propose, and the actions on a proposal. */
static int run_proposal(PGconn *conn, struct leads_settings *set, struct args *a, struct mi_err *err)
{
	const char *v = a->cmd->npos == 2 ? a->pos[0] : "propose";
	long long id = 0;
	int rc;

	if (!strcmp(v, "propose")) {
		rc = proposal_draft(conn, a->lead, a->agent, &a->terms, a->tmk ? a->tmk13 : NULL,
				    set->json.buf, &id, stdout, err);
		if (!rc)
			mi_log_kv(MI_LOG_INFO, "proposal_drafted", "agent", a->agent, NULL);
	} else if (!strcmp(v, "show")) {
		rc = proposal_show(conn, a->lead, stdout, err);
	} else if (!strcmp(v, "revise")) {
		rc = proposal_revise(conn, a->lead, a->agent, &a->terms, a->note, stdout, err);
	} else if (!strcmp(v, "send")) {
		rc = proposal_send(conn, a->lead, a->agent, a->document, stdout, err);
	} else if (!strcmp(v, "accept")) {
		rc = proposal_accept(conn, a->lead, a->agent, a->note, stdout, err);
	} else if (!strcmp(v, "decline")) {
		rc = proposal_decline(conn, a->lead, a->agent, a->reason, stdout, err);
	} else {
		return mi_err_set(err, MI_EXIT_INTERNAL, "no handler for '%s'", v);
	}
	return rc < 0 ? -1 : MI_EXIT_OK;
}
