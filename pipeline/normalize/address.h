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

#endif
