/*
 * directmail: the lead queue handed to a mail house, and the suppression
 * list that keeps owners out of it.
 *
 * Export: one CSV row per owner (lead) from homeowner_acquisition.lead_board:
 * the display name, the care-of line, the mailing address in USPS form
 * (addr_usps_format: delivery line, unit, city, state, ZIP or ZIP+4; a
 * foreign address kept whole), the open properties (address and TMK display
 * form, best first), the score, the stage, the main reason sentence and the
 * projection.  RFC 4180: a header, CRLF line ends, a field quoted when it
 * holds a comma, a quote, CR or LF, quotes doubled; UTF-8 (the connection's
 * client encoding is set to UTF8).  Do-not-contact, suppressed and snoozed
 * owners never come out; owners without a mailing address are counted, not
 * written.
 *
 * Suppression: each entry (an owner name and/or a mailing address) is keyed
 * with the project's normalizers (owner_key(), addr_usps_format()) and
 * stored with homeowner_acquisition.add_lead_suppression(), all in one
 * transaction: from the commit on it applies to the queue, every claim and
 * every export.  An entry neither normalizer can read is rejected with its
 * line and reason; the others go on.
 *
 * Functions return 0 and -1 with err set (MI_EXIT_IO for a write error).
 */
#ifndef MI_DIRECTMAIL_H
#define MI_DIRECTMAIL_H

#include "err.h"

#include <libpq-fe.h>
#include <stdio.h>

struct directmail_opts {
	const char *const *stages; /* NULL-terminated stages to export; NULL: the open ones */
	double min_score;          /* owners whose best property scores at least this */
};

struct directmail_stats {
	long long rows;       /* owners written */
	long long no_address; /* owners left out: no mailing address */
};

int directmail_export_csv(PGconn *conn, const struct directmail_opts *o, FILE *out,
			  struct directmail_stats *st, struct mi_err *err);

/* Write one CSV field (RFC 4180 quoting); sep is written before it unless 0. */
void directmail_csv_field(FILE *out, const char *s, int sep);

/* One entry of a suppression list, as listed (NULL or "" when absent). */
struct directmail_entry {
	const char *owner;
	const char *street, *city, *state, *zip;
	const char *reason;
	long long line;
};

struct directmail_suppress {
	PGconn *conn;
	const char *agent, *source;
	long long added, already, rejected;
	FILE *rejects; /* where "source:line: reason" goes for each rejected entry */
};

/* BEGIN, and key the prospects' mailing addresses not keyed yet. */
int directmail_suppress_begin(struct directmail_suppress *s, PGconn *conn, const char *agent,
			      const char *source, FILE *rejects, struct mi_err *err);
/* Key and add one entry (a rejected entry is counted and reported, not an error). */
int directmail_suppress_add(struct directmail_suppress *s, const struct directmail_entry *e,
			    struct mi_err *err);
/* COMMIT; *suppressed (may be NULL) gets how many leads the whole list now keeps out. */
int directmail_suppress_end(struct directmail_suppress *s, long long *suppressed, struct mi_err *err);
/* ROLLBACK after a failure. */
void directmail_suppress_abort(struct directmail_suppress *s);

#endif
