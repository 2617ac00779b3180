/*
 * tmk: the Hawaii Tax Map Key, parsed from any of the ways people and
 * county systems write it, into one canonical 13-digit key.
 *
 *   canonical  CZSPPPPPPUUUU   county, zone, section, plat (3), parcel (3),
 *                              CPR unit (4; 0000 = the whole parcel)
 *   display    (C) Z-S-PPP:PPP-UUUU
 *   parcel9    CZSPPPPPP       the parcel without its CPR, for unit-to-parcel joins
 *
 * Accepted forms (every one has golden cases in fixtures/normalize/tmk.tsv):
 * "(1) 2-6-010:007", "(2) 2-7-003:135-0000", "1-2-6-010-007-0152",
 * "4-4-2-016-063", "2-1-035:003" and "1-2-013-020" (no county), bare runs of
 * 8 (ZSPPPPPP), 9 (CZSPPPPPP), 12 (ZSPPPPPPUUUU) and 13 digits, zeros dropped
 * ("7-1-02-32", "3-7-4-4-32"), zone zero-padded ("(3) 03-8-001:009"), any
 * Unicode dash, prefixes "TMK", "TMK:", "TMK #", "Tax Map Key", "Parcel ID",
 * "Parcel ID (TMK)", a county or island named before the label ("Honolulu
 * TMK 1-9-2-043-005": the county it names), trailing punctuation, "CPR n" /
 * "UNIT n" suffixes, portions "(P)" / "POR", and lists "(1) 8-6-001:040,
 * :041 and :046", "5-2-009:017, 026 & 027", "2-2-060:033, and 034",
 * ";"-separated.
 *
 * Refused with a reason (enum tmk_reason): street addresses that look like
 * TMK fragments ("41-717 Kakaina St"), tax ids, Land Court and Regular
 * System document numbers, spreadsheet damage ("4.7039E+11"), placeholders
 * ("N/A"), too few or too many digits, a zone or section that cannot exist
 * in the county, ambiguous ranges (":003-011") unless the caller says how to
 * read them, and bytes that are not UTF-8.
 *
 * County: taken from the string when present ("(1)", the first of 13 or 9
 * digits, the first of 6 dashed parts); otherwise from opts->county_hint,
 * then opts->zip, then opts->place (see geo_hi.h), and flagged
 * TMK_F_COUNTY_INFERRED; otherwise TMK_E_COUNTY_UNKNOWN.
 *
 * Memory: nothing here allocates.  Inputs are borrowed byte ranges (no NUL
 * needed); outputs are caller-provided structs; reason strings are static.
 * All functions are reentrant and safe to call from several threads.
 */
#ifndef MI_TMK_H
#define MI_TMK_H

#include <stddef.h>

/* Longest input looked at; longer values are refused with TMK_E_TOO_LONG. */
#define TMK_MAX_INPUT 1024
/* Most parcels one field may expand to (lists and ranges). */
#define TMK_MAX_LIST 64

/* Flags on a parsed TMK; each bit has a stable lowercase name (tmk_flag_name). */
enum tmk_flags {
	TMK_F_COUNTY_INFERRED = 1u << 0, /* "county-inferred": county not in the string */
	TMK_F_PORTION = 1u << 1,         /* "portion": written with (P) / POR */
	TMK_F_CPR_ASSUMED = 1u << 2,     /* "cpr-assumed": no CPR written, 0000 used */
	TMK_F_ZEROS_DROPPED = 1u << 3,   /* "zeros-dropped": a part lacked its zero padding */
	TMK_F_ZONE_PADDED = 1u << 4,     /* "zone-padded": zone written "03" */
	TMK_F_LIST = 1u << 5,            /* "list": one of several parcels in the field */
	TMK_F_RANGE = 1u << 6,           /* "range": expanded from ":003-011" (TMK_RANGE_PARCELS) */
	TMK_F_CPR_SUFFIX = 1u << 7,      /* "cpr-suffix": CPR given as "CPR n" / "UNIT n" */
	TMK_F_SHORT_FORM = 1u << 8,      /* "short-form": written as 8 or 9 digits (no CPR) */
};
#define TMK_F_COUNT 9

/* Why a value was refused.  tmk_reason_str() gives a short static text. */
enum tmk_reason {
	TMK_OK = 0,
	TMK_E_EMPTY,            /* "empty" */
	TMK_E_PLACEHOLDER,      /* "placeholder": N/A, NONE, -, *168476 */
	TMK_E_SYNTAX,           /* "not a tmk" */
	TMK_E_UNEXPECTED_TEXT,  /* "unexpected text" after the digits */
	TMK_E_TOO_FEW_DIGITS,   /* "too few digits" */
	TMK_E_TOO_MANY_DIGITS,  /* "too many digits" */
	TMK_E_DIGIT_COUNT,      /* "unexpected digit count": 10 or 11 bare digits */
	TMK_E_ADDRESS,          /* "street address" */
	TMK_E_TAX_ID,           /* "tax id" */
	TMK_E_DOCUMENT,         /* "document number": Land Court T1234567, Regular A-12345678 */
	TMK_E_SCIENTIFIC,       /* "spreadsheet scientific notation" */
	TMK_E_COUNTY_UNKNOWN,   /* "county unknown" */
	TMK_E_COUNTY_RANGE,     /* "county out of range" (not 1-4) */
	TMK_E_COUNTY_CONFLICT,  /* "county conflict": (1) 2-... */
	TMK_E_ZONE,             /* "zone not in county" (0, or > 5 Kauai, > 6 Maui) */
	TMK_E_SECTION,          /* "section out of range" (0) */
	TMK_E_PLAT,             /* "plat out of range" (000 or > 3 digits) */
	TMK_E_PARCEL,           /* "parcel out of range" (000 or > 3 digits) */
	TMK_E_CPR,              /* "cpr out of range" (> 4 digits) */
	TMK_E_CPR_CONFLICT,     /* "conflicting cpr" */
	TMK_E_RANGE_AMBIGUOUS,  /* "ambiguous range": :003-011 */
	TMK_E_RANGE_BAD,        /* "bad range": end before start */
	TMK_E_TOO_MANY,         /* "too many parcels" (> TMK_MAX_LIST or > max) */
	TMK_E_ENCODING,         /* "invalid utf-8" */
	TMK_E_TOO_LONG,         /* "too long" (> TMK_MAX_INPUT bytes) */
};

/* How to read ":003-011" (parcel, dash, 1-3 digits): refused by default. */
enum tmk_range_mode {
	TMK_RANGE_REFUSE = 0, /* TMK_E_RANGE_AMBIGUOUS */
	TMK_RANGE_PARCELS,    /* parcels 003 through 011, each flagged TMK_F_RANGE */
	TMK_RANGE_CPR,        /* parcel 003, CPR 0011 */
};

/* Parsing options; a zeroed struct (or NULL) means no hint, ranges refused. */
struct tmk_opts {
	int county_hint;     /* 1-4: the source's county; 0: none */
	const char *zip;     /* ZIP in the same record, NUL-terminated, or NULL */
	const char *place;   /* city / island name in the same record, or NULL */
	enum tmk_range_mode range;
};

/* One parsed TMK.  All parts are numbers; tmk13 is the NUL-terminated key. */
struct tmk {
	char tmk13[14];
	unsigned char county, zone, section; /* 1-4, 1-9, 1-9 */
	short plat, parcel, cpr;             /* 1-999, 1-999, 0-9999 */
	unsigned flags;                      /* enum tmk_flags */
};

/*
 * Parse a field that holds exactly one TMK (a list or range is refused with
 * TMK_E_TOO_MANY).  s/len is the raw field.  Returns 0 and fills *out, or -1
 * and sets *reason (reason may be NULL; *out is then unspecified).
 */
int tmk_parse(const char *s, size_t len, const struct tmk_opts *opts,
	      struct tmk *out, enum tmk_reason *reason);

/*
 * Parse a field that may hold several parcels into out[0..max-1].  Returns
 * the number of TMKs (>= 1), every one flagged TMK_F_LIST when more than one,
 * or -1 and *reason (nothing partial: one bad item refuses the field).
 */
int tmk_parse_list(const char *s, size_t len, const struct tmk_opts *opts,
		   struct tmk *out, size_t max, enum tmk_reason *reason);

/*
 * Build a TMK from split numeric columns (State GIS zone/section/plat/parcel,
 * Maui fixed width).  cpr < 0 means none (0000, TMK_F_CPR_ASSUMED).  Returns
 * 0 or -1 and *reason.
 */
int tmk_from_parts(int county, int zone, int section, int plat, int parcel,
		   int cpr, struct tmk *out, enum tmk_reason *reason);

/*
 * Write the display form "(C) Z-S-PPP:PPP-UUUU" into buf (always
 * NUL-terminated when size > 0).  Returns the length of the full form (20),
 * like snprintf.
 */
size_t tmk_display(const struct tmk *t, char *buf, size_t size);

/* Write the 9-digit parcel key CZSPPPPPP (no CPR) into out[10]. */
void tmk_parcel9(const struct tmk *t, char out[10]);

/* The stable name of one flag bit ("county-inferred"), or NULL when unknown. */
const char *tmk_flag_name(unsigned bit);

/*
 * Write the names of the set flags joined by ',' into buf ("" when none).
 * Returns the length of the full text, like snprintf.
 */
size_t tmk_flags_format(unsigned flags, char *buf, size_t size);

/* The short static text of a reason ("street address"). */
const char *tmk_reason_str(enum tmk_reason r);

/*
 * Whether zone (and section) can exist in county: 1 or 0.  Honolulu and
 * Hawaii zones 1-9, Maui 1-6, Kauai 1-5; sections 1-9 everywhere.
 */
int tmk_zone_valid(int county, int zone, int section);

/* Invariant check for assert(): a filled struct is self-consistent. */
int tmk_check(const struct tmk *t);

#endif
