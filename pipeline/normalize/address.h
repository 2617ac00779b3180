/*
 * address: street addresses normalized for matching a listing to a parcel
 * and an owner's mailing address to a prospect.
 *
 * The key is upper case ASCII: Hawaiian diacritics folded (ʻokina dropped,
 * kahakō vowels to plain vowels: "Aliʻi" = "Alii", "Kalākaua" = "Kalakaua"),
 * punctuation dropped, blanks collapsed, the last street word shortened to
 * its USPS suffix (DRIVE -> DR, HIGHWAY -> HWY), directions shortened
 * (NORTH -> N), Hawaii hyphenated house numbers kept whole ("74-5905"), the
 * unit split off ("Apt 3", "Unit 3", "#3", "Ste 3", ", 3") and written as
 * "#3".  So "74-5905 Aliʻi Dr Apt 3" and "74-5905 ALII DRIVE #3" both give
 * "74-5905 ALII DR #3".
 *
 * A full one-line address may follow the street with ", city, HI 96740"; the
 * city or ZIP gives county and island (geo_hi.h).
 *
 * Memory: nothing allocates; outputs are fixed-size caller structs (fields
 * truncated at their size, which real addresses never reach).
 */
#ifndef MI_ADDRESS_H
#define MI_ADDRESS_H

#include "geo_hi.h"

#include <stddef.h>

#define ADDR_MAX_INPUT 1024

enum addr_reason {
	ADDR_OK = 0,
	ADDR_E_EMPTY,      /* "empty" */
	ADDR_E_NO_STREET,  /* "no street" (nothing left after city/state/ZIP) */
	ADDR_E_ENCODING,   /* "invalid utf-8" */
	ADDR_E_TOO_LONG,   /* "too long" */
};

struct addr {
	char house[16];     /* "74-5905", "2450", "" for none (PO Box, rural) */
	char street[96];    /* "ALII DR", "PO BOX 123" */
	char unit[24];      /* "3", "1402", "" */
	char unit_type[8];  /* the unit's designator in USPS form: "APT", "STE", "UNIT",
			     * "#" (written as "#"), "" when the unit came bare */
	char city[48];      /* "KAILUA-KONA" as written, folded; "" */
	char state[4];      /* "HI", "CA", ""; two letters when recognized */
	char zip[11];       /* "96740" or "96740-1234", "" */
	char country[24];   /* folded, "" when none written */
	int county;         /* 1-4 from ZIP or city; 0 unknown */
	enum geo_island island;
	char key[160];      /* "74-5905 ALII DR #3": house street #unit */
};

/*
 * Normalize one address (a street line, or a whole one-line address).
 * Returns 0 and fills *out, or -1 and *reason (reason may be NULL).
 */
int addr_normalize(const char *s, size_t len, struct addr *out, enum addr_reason *reason);

/*
 * Write the matching key of s into buf (NUL-terminated when size > 0).
 * Returns the key length, or -1 on the errors of addr_normalize.
 */
int addr_key(const char *s, size_t len, char *buf, size_t size);

const char *addr_reason_str(enum addr_reason r);

/*
 * A mailing address in the form the USPS asks for (Publication 28): upper
 * case, no punctuation, suffixes and directions abbreviated; the delivery
 * line ("1050 BISHOP ST", "PO BOX 1187"), the unit line apart ("STE 400",
 * "APT 1204", "# 5" when the designator is unknown), city, state and ZIP or
 * ZIP+4 ("96813-1234"; nine digits written together get their dash).  A
 * foreign address (a country other than the US written) is kept whole: its
 * fields as written, blanks trimmed, foreign set.
 */
struct addr_usps {
	char street[128];
	char unit[40];
	char city[64];
	char state[32];
	char zip[16];
	char country[64]; /* "" for the US */
	char key[160];    /* the matching key of struct addr ("1050 BISHOP ST #400"); "" foreign */
	int foreign;
};

/*
 * Format a mailing address given as its fields (each may be NULL; street
 * may be a whole one-line address when the others are NULL).  Returns 0,
 * or -1 and *reason (may be NULL) when a US street line cannot be read; out
 * then holds the fields as written.
 */
int addr_usps_format(const char *street, const char *city, const char *state, const char *zip,
		     const char *country, struct addr_usps *out, enum addr_reason *reason);

#endif
