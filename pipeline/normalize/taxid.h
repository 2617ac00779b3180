/*
 * taxid: Hawaii tax ids and county rental permit ids, one at a time or
 * extracted (together with TMKs) from free text such as an Inside Airbnb
 * `license` field or a listing description.
 *
 * Canonical forms (kind name used in mi-normalize output in brackets):
 *   [ta]     TA-###-###-####-##   Transient Accommodations Tax (since 2017)
 *   [ge]     GE-###-###-####-##   General Excise
 *   [tax]    ###-###-####-##      the same digits written without TA/GE
 *   [w]      W########-##         the pre-2017 id
 *   [permit] county short-term-rental permits, upper case, digit groups
 *            joined by '-': Maui STKM-2013-0012 (ST or BB + community plan
 *            area KM WM PH MP HN WK MO LA), Hawaii County STVR-19-366858,
 *            Kauai TVNC-1234 and TVR-2015-012
 *   [nuc]    Honolulu nonconforming use certificate, 90/TVU-0123 (also
 *            BBH, TVR)
 *   [tmk]    a TMK, canonical 13 digits (see tmk.h)
 *   [tmk12]  a TMK whose county cannot be known (none written, no hint):
 *            its other 12 digits ZSPPPPPPUUUU
 * A trailing letter seen in real ids ("119-269-5808-01R") is kept.
 *
 * Input is written in any case and spacing, with or without dashes:
 * "ta-020-657-9712-01", "TA 148 664 9856 01", "TA148664985601".
 *
 * A 12-digit run is a tax id, not a TMK, when a tax word (TAX, TAT, GET,
 * TA, GE, LICENSE #) stands right before it, when it repeats the digits of a
 * tax id found in the same text (kept once, as the tax id), or when it cannot
 * be a TMK (zone 0, zone not in the county).  Otherwise it is a TMK.
 *
 * Memory: nothing allocates; text is borrowed, hits are caller-provided.
 */
#ifndef MI_TAXID_H
#define MI_TAXID_H

#include "tmk.h"

#include <stddef.h>

enum taxid_kind {
	TAXID_TA = 1,  /* "ta" */
	TAXID_GE,      /* "ge" */
	TAXID_TAX,     /* "tax": state tax id without its TA/GE prefix */
	TAXID_W,       /* "w": legacy W########-## */
	TAXID_PERMIT,  /* "permit": county STR / TVR permit */
	TAXID_NUC,     /* "nuc": Honolulu nonconforming use certificate */
	TAXID_TMK,     /* "tmk": a TMK (hit.tmk is filled) */
	TAXID_TMK12,   /* "tmk12": a TMK without a knowable county (id = 12 digits) */
};

/* One id found in a text. */
struct taxid_hit {
	enum taxid_kind kind;
	char id[32];        /* canonical form, NUL-terminated */
	size_t off, len;    /* where the id was written in the text */
	struct tmk tmk;     /* kind TAXID_TMK only */
};

/* The stable kind name ("ta", "permit", ...). */
const char *taxid_kind_name(enum taxid_kind kind);

/*
 * Parse a field holding exactly one tax or permit id (surrounding blanks and
 * trailing punctuation allowed).  Returns 0 and fills *hit (off/len cover the
 * id), or -1 when the field is not one id.
 */
int taxid_parse(const char *s, size_t len, struct taxid_hit *hit);

/*
 * Find every tax id, permit id and TMK in text, left to right, into
 * hits[0..max-1].  In prose a TMK must look like one: a "(C)" county, a
 * colon, at least four dashed parts with plat and parcel written in full,
 * or a run of 12 or 13 digits; right after "TMK" also 8 or 9 digits and
 * zeros dropped.  "808-555-1234", "sleeps 4-5-6-7" and "41-717 Kakaina St"
 * are not TMKs.
 * Lists and portions are not expanded here (the first parcel is reported).  opts gives the county hint for TMKs without one (may be
 * NULL).  Returns the number found (hits beyond max are counted but not
 * stored), 0 when none.  Never fails: malformed bytes are skipped.
 */
size_t taxid_extract(const char *text, size_t len, const struct tmk_opts *opts,
		     struct taxid_hit *hits, size_t max);

#endif
