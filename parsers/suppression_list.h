/*
 * suppression_list: a suppression list as a mail house or the team keeps it:
 * CSV (RFC 4180, UTF-8, an optional BOM) with a header line naming its
 * columns, in any order, any case:
 *
 *   owner    owner, owner_name, name            the owner's name as written
 *   street   address, mailing_address, street, address1
 *   unit     unit, address2                     appended to the street
 *   city     city
 *   state    state
 *   zip      zip, zip_code, zipcode, postal_code
 *   reason   reason, note
 *
 * A row needs an owner or a street (the reader does not judge them: the
 * caller normalizes).  Other columns are ignored.  A row the CSV reader cannot
 * take whole (a field too long, a quote never closed) comes with bad set, for
 * the caller to reject with its line.
 *
 * Ownership: the row passed to the callback is borrowed for the call.
 */
#ifndef MI_SUPPRESSION_LIST_H
#define MI_SUPPRESSION_LIST_H

#include "err.h"

#include <stdio.h>

struct suppression_row {
	const char *owner, *street, *city, *state, *zip, *reason; /* "" when absent */
	long long line;
	const char *bad; /* why the row could not be read (too long, unterminated), else NULL */
};

/* 0 to go on, -1 to stop (with err set). */
typedef int (*suppression_row_fn)(void *data, const struct suppression_row *row,
				  struct mi_err *err);

/*
 * Read every row of in (named name in messages) and call fn.  Returns the
 * number of rows read, or -1: a read error, no header, a header with neither
 * an owner nor a street column (MI_EXIT_DATA), or fn stopped.
 */
long long suppression_list_read(FILE *in, const char *name, suppression_row_fn fn, void *data,
				struct mi_err *err);

#endif
