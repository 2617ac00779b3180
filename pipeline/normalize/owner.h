/*
 * owner: owner names as county rolls and deeds write them, classified and
 * keyed for prospect de-duplication.
 *
 * Styles handled: "SURNAME,GIVEN MIDDLE" without a space (Honolulu roll),
 * "Surname, Given M." and "GIVEN M SURNAME"; trust markers TR, TRS, TTEE(S),
 * TRUSTEE(S), TR EST, IRREVOCABLE TR, TRUST; couples joined by "/" or "&"
 * ("HUDSON,MORDECAI H JR/RUTH M TR", "LOUIE,THOMAS/CYNTHIA"); entities (LLC,
 * L.L.C., INC, CORP, LTD, LP, LLP, LLLP, PARTNERSHIP, COMPANY, HUI, AOAO,
 * ASSOCIATION, ESTATE, government "STATE OF HAWAII"); "C/O ..." and
 * "ETAL" / "/etal" tails.
 *
 * Key: upper-case ASCII, diacritics folded, punctuation dropped, role words
 * (TR, TRUSTEE, ETAL, C/O tail) removed, person names as "SURNAME GIVEN
 * MIDDLE [SUFFIX]" and several persons sorted and joined by " & ", entity
 * words normalized (L.L.C. -> LLC, INCORPORATED -> INC, THE dropped).  So
 * "SMITH,JOHN A TR", "JOHN A SMITH TRUSTEE" and "Smith, John A., Trustee"
 * share the key "SMITH JOHN A".
 *
 * Memory: nothing allocates; outputs are fixed-size caller structs.
 */
#ifndef MI_OWNER_H
#define MI_OWNER_H

#include "address.h"
#include "geo_hi.h"

#include <stddef.h>

#define OWNER_MAX_INPUT 1024

enum owner_kind {
	OWNER_PERSON = 1, /* "person" (one or several people) */
	OWNER_ENTITY,     /* "entity": company, partnership, estate, government, association */
	OWNER_TRUST,      /* "trust": a trust or people acting as trustees */
};

enum owner_flags {
	OWNER_F_COUPLE = 1u << 0,     /* "couple": several people in one name */
	OWNER_F_TRUSTEE = 1u << 1,    /* "trustee": TR, TRS, TTEE, TRUSTEE */
	OWNER_F_ESTATE = 1u << 2,     /* "estate": TR EST, ESTATE OF */
	OWNER_F_ETAL = 1u << 3,       /* "etal": more owners not named */
	OWNER_F_CARE_OF = 1u << 4,    /* "care-of": a C/O tail was split off */
	OWNER_F_GOVERNMENT = 1u << 5, /* "government": state, county, federal body */
};
#define OWNER_F_COUNT 6

enum owner_reason {
	OWNER_OK = 0,
	OWNER_E_EMPTY,     /* "empty" */
	OWNER_E_ENCODING,  /* "invalid utf-8" */
	OWNER_E_TOO_LONG,  /* "too long" */
	OWNER_E_NO_NAME,   /* "no name" (only punctuation or role words) */
};

struct owner {
	enum owner_kind kind;
	unsigned flags;      /* enum owner_flags */
	char display[160];   /* "John A Smith", "Mordecai H Hudson Jr & Ruth M Hudson", "PAUMALU RANCH LLC" */
	char key[160];       /* "SMITH JOHN A" */
	char care_of[96];    /* the C/O name when one was split off, folded; "" */
};

/* Where an owner's mailing address is, relative to the property. */
enum owner_absentee {
	OWNER_ABS_UNKNOWN = 0, /* "unknown" */
	OWNER_ABS_LOCAL,       /* "local": same island */
	OWNER_ABS_OFF_ISLAND,  /* "off-island": elsewhere in Hawaii */
	OWNER_ABS_OUT_OF_STATE,/* "out-of-state": another US state */
	OWNER_ABS_FOREIGN,     /* "foreign": another country */
};

/*
 * Normalize one owner name.  Returns 0 and fills *out, or -1 and *reason
 * (reason may be NULL).
 */
int owner_normalize(const char *s, size_t len, struct owner *out, enum owner_reason *reason);

/* Write the key of s into buf; returns its length or -1 (as owner_normalize). */
int owner_key(const char *s, size_t len, char *buf, size_t size);

/*
 * Absentee status of a mailing address for a property on prop_island (or,
 * when that is unknown, in prop_county 1-4).  Unknown when the mailing
 * address gives neither state, ZIP, country nor a known city.
 */
enum owner_absentee owner_absentee(const struct addr *mail, enum geo_island prop_island,
				   int prop_county);

const char *owner_kind_name(enum owner_kind kind);
const char *owner_flag_name(unsigned bit);
/* Names of the set flags joined by ','; returns the full length like snprintf. */
size_t owner_flags_format(unsigned flags, char *buf, size_t size);
const char *owner_absentee_name(enum owner_absentee a);
const char *owner_reason_str(enum owner_reason r);

#endif
