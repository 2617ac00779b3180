#include "load_int.h"

#include <stdint.h>
#include <string.h>

#include "banned.h"

/*
 * COPY binary encoding of the canonical values records.h writes: dates
 * YYYY-MM-DD, integers, decimals, t/f booleans and COPY text escapes.  A value
 * of another shape is not guessed at: the caller falls back to COPY text.
 */

/*
 * The row's room is reserved once (strbuf_grow in load_copybin_row), so these
 * append without checks; the callers restore the terminating NUL.
 */
static inline void put_raw(struct strbuf *out, const void *p, size_t n)
{
	memcpy(out->buf + out->len, p, n);
	out->len += n;
}

static inline void put_be16(struct strbuf *out, unsigned v)
{
	unsigned char *b = (unsigned char *)out->buf + out->len;
	b[0] = (unsigned char)(v >> 8);
	b[1] = (unsigned char)v;
	out->len += 2;
}

static inline void put_be32(struct strbuf *out, uint32_t v)
{
	unsigned char *b = (unsigned char *)out->buf + out->len;
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
	out->len += 4;
}

static int bin_date(struct strbuf *out, const char *p, size_t n)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, leap;
	long era, days;
	unsigned yoe, doy, doe;

	if (n != 10 || p[4] != '-' || p[7] != '-')
		return -1;
	for (size_t i = 0; i < n; i++)
		if (i != 4 && i != 7 && (p[i] < '0' || p[i] > '9'))
			return -1;
	y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	m = (p[5] - '0') * 10 + (p[6] - '0');
	d = (p[8] - '0') * 10 + (p[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	/* days from civil (Howard Hinnant), then from 2000-01-01 */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + (long)doe - 719468 - 10957;
	put_be32(out, 4);
	put_be32(out, (uint32_t)(int32_t)days);
	return 0;
}

static int bin_int(struct strbuf *out, const char *p, size_t n, int bytes)
{
	long long v = 0;
	size_t i = 0;
	int neg = 0;

	if (n && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		i = 1;
	}
	if (i == n || n - i > 18)
		return -1;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (neg)
		v = -v;
	if (bytes == 4) {
		if (v < INT32_MIN || v > INT32_MAX)
			return -1;
		put_be32(out, 4);
		put_be32(out, (uint32_t)(int32_t)v);
	} else {
		put_be32(out, 8);
		put_be32(out, (uint32_t)((unsigned long long)v >> 32));
		put_be32(out, (uint32_t)v);
	}
	return 0;
}

/* "-123.45" as PostgreSQL's binary numeric (base 10000 digits). */
static int bin_numeric(struct strbuf *out, const char *p, size_t n)
{
	char ip[64], fp[64];
	size_t il = 0, fl = 0, i = 0;
	int neg = 0, weight, ndig = 0, lead, seen = 0;
	unsigned digits[40];

	if (n && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		i = 1;
	}
	for (; i < n && p[i] != '.'; i++) {
		if (p[i] < '0' || p[i] > '9' || il >= 40)
			return -1;
		seen++;
		if (il || p[i] != '0') /* drop leading zeros */
			ip[il++] = p[i];
	}
	if (i < n) {
		for (i++; i < n; i++) {
			if (p[i] < '0' || p[i] > '9' || fl >= 40)
				return -1;
			fp[fl++] = p[i];
		}
		if (!fl)
			return -1;
	}
	if (!seen && !fl)
		return -1;
	/* integer part in groups of 4 from the right, fraction from the left */
	lead = (int)((4 - il % 4) % 4);
	{
		int ig = (int)((il + (size_t)lead) / 4), fg = (int)((fl + 3) / 4);
		for (int g = 0; g < ig; g++) {
			unsigned v = 0;
			for (int k = 0; k < 4; k++) {
				int pos = g * 4 + k - lead;
				v = v * 10 + (unsigned)(pos >= 0 ? ip[pos] - '0' : 0);
			}
			digits[ndig++] = v;
		}
		for (int g = 0; g < fg; g++) {
			unsigned v = 0;
			for (int k = 0; k < 4; k++) {
				size_t pos = (size_t)(g * 4 + k);
				v = v * 10 + (unsigned)(pos < fl ? fp[pos] - '0' : 0);
			}
			digits[ndig++] = v;
		}
		weight = ig - 1;
	}
	/* strip leading and trailing zero groups */
	{
		int start = 0;
		while (start < ndig && digits[start] == 0) {
			start++;
			weight--;
		}
		while (ndig > start && digits[ndig - 1] == 0)
			ndig--;
		ndig -= start;
		if (ndig <= 0) {
			ndig = 0;
			weight = 0;
			neg = 0;
		}
		put_be32(out, (uint32_t)(8 + 2 * ndig));
		put_be16(out, (unsigned)ndig);
		put_be16(out, (unsigned)(uint16_t)(int16_t)weight);
		put_be16(out, neg ? 0x4000 : 0);
		put_be16(out, (unsigned)fl);
		for (int g = 0; g < ndig; g++)
			put_be16(out, digits[start + g]);
	}
	return 0;
}

static int bin_text(struct strbuf *out, const char *p, size_t n)
{
	size_t lenpos = out->len, start;

	if (!memchr(p, '\\', n)) {
		put_be32(out, (uint32_t)n);
		put_raw(out, p, n);
		return 0;
	}
	put_be32(out, 0);
	start = out->len;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\\' && i + 1 < n) {
			char e = p[++i];
			c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
		}
		out->buf[out->len++] = c;
	}
	{
		uint32_t l = (uint32_t)(out->len - start);
		unsigned char *b = (unsigned char *)out->buf + lenpos;
		b[0] = (unsigned char)(l >> 24);
		b[1] = (unsigned char)(l >> 16);
		b[2] = (unsigned char)(l >> 8);
		b[3] = (unsigned char)l;
	}
	return 0;
}

enum bin_type { BIN_NONE, BIN_TEXT, BIN_DATE, BIN_INT4, BIN_INT8, BIN_NUMERIC, BIN_BOOL };

unsigned char load_copybin_type(const char *pgtype)
{
	if (!strcmp(pgtype, "text"))
		return BIN_TEXT;
	if (!strcmp(pgtype, "date"))
		return BIN_DATE;
	if (!strcmp(pgtype, "integer"))
		return BIN_INT4;
	if (!strcmp(pgtype, "bigint"))
		return BIN_INT8;
	if (!strcmp(pgtype, "numeric"))
		return BIN_NUMERIC;
	if (!strcmp(pgtype, "boolean"))
		return BIN_BOOL;
	return BIN_NONE;
}

/* One field as binary; -1 when binary cannot carry it (the caller falls back). */
static int bin_field(struct strbuf *out, unsigned char type, const char *p, size_t n)
{
	if (n == 2 && p[0] == '\\' && p[1] == 'N') {
		put_be32(out, 0xFFFFFFFFu);
		return 0;
	}
	if (type == BIN_TEXT)
		return bin_text(out, p, n);
	if (type == BIN_DATE)
		return bin_date(out, p, n);
	if (type == BIN_INT4)
		return bin_int(out, p, n, 4);
	if (type == BIN_INT8)
		return bin_int(out, p, n, 8);
	if (type == BIN_NUMERIC)
		return bin_numeric(out, p, n);
	if (type == BIN_BOOL) {
		int v;
		if (n == 1 && (p[0] == 't' || p[0] == 'f'))
			v = p[0] == 't';
		else if (n == 4 && !memcmp(p, "true", 4))
			v = 1;
		else if (n == 5 && !memcmp(p, "false", 5))
			v = 0;
		else
			return -1;
		put_be32(out, 1);
		out->buf[out->len++] = (char)v;
		return 0;
	}
	return -1;
}


int load_copybin_header(struct strbuf *out)
{
	/* signature, flags, header extension length */
	if (strbuf_grow(out, 32) < 0)
		return -1;
	put_raw(out, "PGCOPY\n\377\r\n\0", 11);
	put_be32(out, 0);
	put_be32(out, 0);
	out->buf[out->len] = '\0';
	return 0;
}

int load_copybin_trailer(struct strbuf *out)
{
	if (strbuf_grow(out, 4) < 0)
		return -1;
	put_be16(out, 0xFFFFu);
	out->buf[out->len] = '\0';
	return 0;
}

int load_copybin_row(struct strbuf *out, const char *line, size_t len, int ncols,
		     const unsigned char *keep, const unsigned char *type, int nkeep, int *bad,
		     size_t *bad_at, size_t *bad_len)
{
	const char *p = line, *end = line + len;
	size_t at = out->len;

	/* room for the row: the text, plus lengths and numeric digits */
	if (strbuf_grow(out, len + 32 * (size_t)ncols + 16) < 0)
		return -1;
	put_be16(out, (unsigned)nkeep);
	for (int f = 0; f < ncols; f++) {
		const char *t = memchr(p, '\t', (size_t)(end - p));
		const char *fe = t ? t : end;
		if (keep[f] && bin_field(out, type[f], p, (size_t)(fe - p)) < 0) {
			strbuf_setlen(out, at);
			*bad = f;
			*bad_at = (size_t)(p - line);
			*bad_len = (size_t)(fe - p);
			return 1;
		}
		p = fe + 1;
	}
	out->buf[out->len] = '\0';
	return 0;
}
