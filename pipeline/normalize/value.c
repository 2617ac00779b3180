#include "value.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
			(*s)[*len - 1] == '\r' || (*s)[*len - 1] == '\n'))
		(*len)--;
}

static int isdig(char c)
{
	return c >= '0' && c <= '9';
}

int value_money(const char *s, size_t len, int64_t *cents)
{
	size_t i = 0, intd = 0, grp = 0;
	int neg = 0, commas = 0, frac = 0;
	int64_t v = 0;

	trim(&s, &len);
	if (!len)
		return 0;
	if (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-';
		i++;
	}
	if (i < len && s[i] == '$')
		i++;
	if (!neg && i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	/* integer part, with optional thousands commas */
	for (; i < len && (isdig(s[i]) || s[i] == ','); i++) {
		if (s[i] == ',') {
			/* first group 1-3 digits, later groups exactly 3 */
			if (!intd || (commas ? grp != 3 : grp > 3))
				return -1;
			commas = 1;
			grp = 0;
			continue;
		}
		if (intd >= 15)
			return -1;
		v = v * 10 + (s[i] - '0');
		intd++;
		grp++;
	}
	if (commas && grp != 3)
		return -1;
	v *= 100;
	if (i < len && s[i] == '.') {
		i++;
		if (i < len && isdig(s[i])) {
			v += (s[i] - '0') * 10;
			i++;
			frac++;
			if (i < len && isdig(s[i])) {
				v += s[i] - '0';
				i++;
				frac++;
			}
		}
		if (!frac && !intd)
			return -1;
	}
	if (!intd && !frac)
		return -1;
	if (i != len)
		return -1;
	*cents = neg ? -v : v;
	return 1;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Read 1..max digits at s[*i]; returns the count read. */
static int num(const char *s, size_t len, size_t *i, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (*i < len && isdig(s[*i]) && n < max) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	if (n < min || (*i < len && isdig(s[*i])))
		return 0;
	*out = v;
	return n;
}

int value_date(const char *s, size_t len, struct value_date *out)
{
	size_t i = 0;
	int y, m, d;

	trim(&s, &len);
	if (!len)
		return 0;
	if (len >= 4 && isdig(s[0]) && isdig(s[1]) && isdig(s[2]) && isdig(s[3])) {
		char sep;

		if (!num(s, len, &i, 4, 4, &y) || i >= len)
			return -1;
		sep = s[i++];
		if (sep != '-' && sep != '/')
			return -1;
		if (!num(s, len, &i, sep == '/' ? 1 : 2, 2, &m) || i >= len || s[i++] != sep)
			return -1;
		if (!num(s, len, &i, sep == '/' ? 1 : 2, 2, &d))
			return -1;
	} else {
		if (!num(s, len, &i, 1, 2, &m) || i >= len || s[i++] != '/')
			return -1;
		if (!num(s, len, &i, 1, 2, &d) || i >= len || s[i++] != '/')
			return -1;
		if (!num(s, len, &i, 4, 4, &y))
			return -1;
	}
	/* a time after the date is ignored */
	if (i < len) {
		if (s[i] != ' ' && s[i] != 'T')
			return -1;
		i++;
		if (i >= len || !isdig(s[i]))
			return -1;
	}
	if (y == 1900 && m == 1 && d == 1)
		return 0;
	if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		return -1;
	out->y = y;
	out->m = m;
	out->d = d;
	return 1;
}

/* Howard Hinnant's days_from_civil. */
int32_t value_date_days(const struct value_date *dt)
{
	int y = dt->y - (dt->m <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (unsigned)((153 * (dt->m + (dt->m > 2 ? -3 : 9)) + 2) / 5 + dt->d - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + (int)doe - 719468);
}

void value_date_from_days(int32_t z, struct value_date *out)
{
	int32_t era, y;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int32_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->m = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->y = (int)(y + (out->m <= 2));
}

void value_date_format(const struct value_date *d, char *buf, size_t size)
{
	snprintf(buf, size, "%04d-%02d-%02d", d->y, d->m, d->d);
}

int value_bool(const char *s, size_t len, enum value_tri *out)
{
	static const char *const yes[] = { "T", "TRUE", "Y", "YES", "1" };
	static const char *const no[] = { "F", "FALSE", "N", "NO", "0" };
	char u[8];
	size_t i;

	*out = VALUE_UNKNOWN;
	trim(&s, &len);
	if (!len)
		return 0;
	if (len >= sizeof(u))
		return -1;
	for (i = 0; i < len; i++)
		u[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	u[len] = '\0';
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(u, yes[i])) {
			*out = VALUE_TRUE;
			return 1;
		}
		if (!strcmp(u, no[i])) {
			*out = VALUE_FALSE;
			return 1;
		}
	}
	return -1;
}

int value_iso_date(const char *s, struct value_date *out)
{
	struct value_date d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || value_date(s, 10, &d) != 1)
		return 0;
	if (out)
		*out = d;
	return 1;
}
