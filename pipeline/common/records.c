#include "records.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define REC_COLDEF(n, t) { #n, t },
static const struct rec_column cols_properties[] = { REC_PROPERTIES(REC_COLDEF) };
static const struct rec_column cols_owners[] = { REC_OWNERS(REC_COLDEF) };
static const struct rec_column cols_sales[] = { REC_SALES(REC_COLDEF) };
static const struct rec_column cols_listings[] = { REC_LISTINGS(REC_COLDEF) };
static const struct rec_column cols_reviews[] = { REC_REVIEWS(REC_COLDEF) };
static const struct rec_column cols_pricing[] = { REC_PRICING(REC_COLDEF) };
static const struct rec_column cols_rejects[] = { REC_REJECTS(REC_COLDEF) };

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

const struct rec_entity rec_entities[REC_E_COUNT] = {
	{ REC_E_PROPERTIES, "properties", "properties.tsv", cols_properties, N(cols_properties) },
	{ REC_E_OWNERS, "owners", "owners.tsv", cols_owners, N(cols_owners) },
	{ REC_E_SALES, "sales", "sales.tsv", cols_sales, N(cols_sales) },
	{ REC_E_LISTINGS, "listings", "listings.tsv", cols_listings, N(cols_listings) },
	{ REC_E_REVIEWS, "reviews", "reviews.tsv", cols_reviews, N(cols_reviews) },
	{ REC_E_PRICING, "pricing", "pricing.tsv", cols_pricing, N(cols_pricing) },
	{ REC_E_REJECTS, "rejects", "rejects.tsv", cols_rejects, N(cols_rejects) },
};

_Static_assert(PROPERTIES__N <= REC_MAX_COLS && LISTINGS__N <= REC_MAX_COLS &&
		       REVIEWS__N <= REC_MAX_COLS && SALES__N <= REC_MAX_COLS,
	       "raise REC_MAX_COLS");
_Static_assert((int)PRICING_source == (int)REC_COL_SOURCE &&
		       (int)PRICING_src_path == (int)REC_COL_SRC_PATH,
	       "provenance columns come first");

const struct rec_entity *rec_entity_find(const char *name)
{
	for (int i = 0; i < REC_E_COUNT; i++)
		if (!strcmp(rec_entities[i].name, name) || !strcmp(rec_entities[i].file, name))
			return &rec_entities[i];
	return NULL;
}

int rec_column_index(const struct rec_entity *e, const char *name)
{
	for (int i = 0; i < e->ncols; i++)
		if (!strcmp(e->cols[i].name, name))
			return i;
	return -1;
}

void rec_row_init(struct rec_row *r, const struct rec_entity *e, size_t cap)
{
	r->e = e;
	strbuf_init(&r->data, cap ? cap : (size_t)16 << 20);
	memset(r->set, 0, sizeof(r->set));
}

void rec_row_release(struct rec_row *r)
{
	strbuf_release(&r->data);
	memset(r->set, 0, sizeof(r->set));
}

void rec_row_clear(struct rec_row *r)
{
	strbuf_reset(&r->data);
	r->data.toobig = 0;
	memset(r->set, 0, (size_t)r->e->ncols);
}

int rec_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;

	while (s < end) {
		unsigned c = *s;
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			if (end - s < 2 || (s[1] & 0xC0) != 0x80)
				return 0;
			s += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			if (end - s < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
				return 0;
			if (c == 0xE0 && s[1] < 0xA0)
				return 0; /* overlong */
			if (c == 0xED && s[1] >= 0xA0)
				return 0; /* surrogate */
			s += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			if (end - s < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
			    (s[3] & 0xC0) != 0x80)
				return 0;
			if (c == 0xF0 && s[1] < 0x90)
				return 0;
			if (c == 0xF4 && s[1] >= 0x90)
				return 0;
			s += 4;
		} else {
			return 0;
		}
	}
	return 1;
}

/*
 * 1 for the bytes a value holds as they are: ASCII but NUL and the four that
 * COPY's text format escapes.
 */
static const unsigned char rec_plain[256] = {
	0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

int rec_set(struct rec_row *r, int col, const char *s, size_t len)
{
	size_t before, i, run;

	assert(col >= 0 && col < r->e->ncols);
	if (!s) {
		r->set[col] = 0;
		return REC_OK;
	}
	/*
	 * Most values are plain ASCII: one pass finds it, one copy stores them
	 * (no NUL, nothing to escape, valid UTF-8 by construction).
	 */
	for (i = 0; i < len && rec_plain[(unsigned char)s[i]]; i++)
		;
	if (i == len) {
		before = r->data.len;
		if (before > UINT32_MAX || len > UINT32_MAX - before ||
		    strbuf_add(&r->data, s, len) < 0) {
			strbuf_setlen(&r->data, before);
			return REC_TOOBIG;
		}
		r->start[col] = (uint32_t)before;
		r->len[col] = (uint32_t)len;
		r->set[col] = 1;
		return REC_OK;
	}
	if (memchr(s, '\0', len))
		return REC_NUL;
	if (!rec_utf8_valid(s, len))
		return REC_BAD_UTF8;
	before = r->data.len;
	/* copy runs of plain bytes at once; escape the four special ones */
	for (i = 0; i < len; i += run) {
		const char *esc = NULL;
		run = 0;
		while (i + run < len) {
			char c = s[i + run];
			if (c == '\\' || c == '\t' || c == '\n' || c == '\r')
				break;
			run++;
		}
		if (run && strbuf_add(&r->data, s + i, run) < 0)
			goto toobig;
		if (i + run == len)
			break;
		switch (s[i + run]) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		default: esc = "\\r"; break;
		}
		if (strbuf_add(&r->data, esc, 2) < 0)
			goto toobig;
		run++;
	}
	if (r->data.len - before > UINT32_MAX || before > UINT32_MAX)
		goto toobig;
	r->start[col] = (uint32_t)before;
	r->len[col] = (uint32_t)(r->data.len - before);
	r->set[col] = 1;
	return REC_OK;
toobig:
	strbuf_setlen(&r->data, before);
	return REC_TOOBIG;
}

int rec_set_str(struct rec_row *r, int col, const char *s)
{
	return rec_set(r, col, s, s ? strlen(s) : 0);
}

/* Decimal digits of v into the end of buf; returns where they start. */
static char *format_ll(long long v, char *end)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char *p = end;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

int rec_set_int(struct rec_row *r, int col, long long v)
{
	char buf[24], *p = format_ll(v, buf + sizeof(buf));

	return rec_set(r, col, p, (size_t)(buf + sizeof(buf) - p));
}

int rec_set_double(struct rec_row *r, int col, double v)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%.17g", v);

	return rec_set(r, col, buf, (size_t)n);
}

int rec_set_bool(struct rec_row *r, int col, int v)
{
	return rec_set(r, col, v ? "t" : "f", 1);
}

int rec_set_cents(struct rec_row *r, int col, long long cents)
{
	char buf[40];
	unsigned long long a = cents < 0 ? 0ULL - (unsigned long long)cents
					 : (unsigned long long)cents;
	int n = snprintf(buf, sizeof(buf), "%s%llu.%02llu", cents < 0 ? "-" : "", a / 100,
			 a % 100);

	return rec_set(r, col, buf, (size_t)n);
}

const char *rec_set_strerror(int rc)
{
	switch (rc) {
	case REC_OK: return "ok";
	case REC_BAD_UTF8: return "invalid UTF-8";
	case REC_NUL: return "NUL byte in value";
	case REC_TOOBIG: return "record too large";
	}
	return "unknown error";
}

int rec_row_write(const struct rec_row *r, FILE *fp)
{
	char line[16384];
	size_t n = 0;

	/* the usual row fits in one buffer: one fwrite per row, not per field */
	for (int i = 0; i < r->e->ncols; i++) {
		size_t need = (r->set[i] ? r->len[i] : 2) + 2;
		if (n + need > sizeof(line))
			goto slow;
		if (i)
			line[n++] = '\t';
		if (!r->set[i]) {
			line[n++] = '\\';
			line[n++] = 'N';
		} else {
			memcpy(line + n, r->data.buf + r->start[i], r->len[i]);
			n += r->len[i];
		}
	}
	line[n++] = '\n';
	return fwrite(line, 1, n, fp) == n ? 0 : -1;
slow:
	for (int i = 0; i < r->e->ncols; i++) {
		if (i && putc('\t', fp) == EOF)
			return -1;
		if (!r->set[i]) {
			if (fputs("\\N", fp) == EOF)
				return -1;
		} else if (r->len[i] &&
			   fwrite(r->data.buf + r->start[i], 1, r->len[i], fp) != r->len[i]) {
			return -1;
		}
	}
	return putc('\n', fp) == EOF ? -1 : 0;
}

int rec_split_line(char *line, size_t len, char **fields, size_t *lens, int max)
{
	int n = 0;
	size_t i = 0;

	if (len && line[len - 1] == '\n')
		len--;
	for (;;) {
		char *out = line + i, *start = out;
		size_t j = i;

		if (n == max)
			return -1;
		if (len - i >= 2 && line[i] == '\\' && line[i + 1] == 'N' &&
		    (i + 2 == len || line[i + 2] == '\t')) {
			fields[n] = NULL;
			lens[n] = 0;
			n++;
			i += 2;
		} else {
			while (j < len && line[j] != '\t') {
				if (line[j] == '\\' && j + 1 < len) {
					char c = line[j + 1];
					*out++ = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
					j += 2;
				} else {
					*out++ = line[j++];
				}
			}
			fields[n] = start;
			lens[n] = (size_t)(out - start);
			n++;
			i = j;
			if (out < line + len)
				*out = '\0';
		}
		if (i >= len)
			break;
		i++; /* the tab */
	}
	return n;
}
