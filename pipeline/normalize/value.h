/*
 * value: the scalar fields every source writes its own way: money, dates,
 * booleans.  Each parser returns 1 for a value, 0 for "no value" (empty, or
 * a known placeholder), -1 for text it cannot read.  Leading and trailing
 * blanks are ignored.  Nothing allocates; inputs are borrowed byte ranges.
 */
#ifndef MI_VALUE_H
#define MI_VALUE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Money as int64 cents: "$1,379.00", "5,243.79", "1379", "-12.5", "$0".
 * Commas must group thousands; at most 2 decimals; "" -> 0 (no value).
 * Refuses overflow (more than 15 integer digits) and anything else.
 */
int value_money(const char *s, size_t len, int64_t *cents);

/* A calendar date. */
struct value_date {
	int y;       /* 1800-9999 */
	int m, d;    /* 1-12, 1-31 (checked against the month) */
};

/*
 * Dates "YYYY/MM/DD", "YYYY-MM-DD", "MM/DD/YYYY" (one-digit month and day
 * allowed in the slash forms).  "" and the placeholder 1900/01/01 (any
 * form) -> 0 (unknown).  A time after the date ("2024-09-13 12:00:00",
 * "T12:00:00Z") is ignored.  Impossible dates (2023-02-29) -> -1.
 */
int value_date(const char *s, size_t len, struct value_date *out);

/*
 * Exactly "YYYY-MM-DD" and a real date, as command lines take dates: 1 and
 * *out (may be NULL), else 0.
 */
int value_iso_date(const char *s, struct value_date *out);

/* Days since 1970-01-01 (negative before), for a valid date. */
int32_t value_date_days(const struct value_date *d);
/* The inverse of value_date_days. */
void value_date_from_days(int32_t days, struct value_date *out);

/* Write "YYYY-MM-DD" into buf (size >= 11). */
void value_date_format(const struct value_date *d, char *buf, size_t size);

/* A tri-state boolean: t/f/empty as Inside Airbnb writes them. */
enum value_tri {
	VALUE_UNKNOWN = -1,
	VALUE_FALSE = 0,
	VALUE_TRUE = 1,
};

/*
 * "t", "true", "y", "yes", "1" (any case) -> VALUE_TRUE; "f", "false", "n",
 * "no", "0" -> VALUE_FALSE; both return 1.  "" -> VALUE_UNKNOWN, return 0.
 * Anything else: -1 (*out = VALUE_UNKNOWN).
 */
int value_bool(const char *s, size_t len, enum value_tri *out);

#endif
