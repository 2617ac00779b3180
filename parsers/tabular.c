#include "tabular.h"
#include "exitcode.h"
#include "value.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

void tab_row_init(struct tab_row *t, enum rec_entity_id entity)
{
	/* 2 MiB per row: the CSV reader caps a field at 1 MiB, a record at 2 MiB */
	rec_row_init(&t->rec, &rec_entities[entity], 2 * 1024 * 1024);
	t->why[0] = '\0';
}

void tab_row_release(struct tab_row *t)
{
	rec_row_release(&t->rec);
}

void tab_row_start(struct tab_row *t)
{
	rec_row_clear(&t->rec);
	t->why[0] = '\0';
}

void tab_bad(struct tab_row *t, const char *fmt, ...)
{
	va_list ap;

	if (t->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
}

void tab_trim(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len;

	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	*s = p;
	*len = n;
}

const char *tab_show(const char *s, size_t len, char *buf, size_t size)
{
	size_t n = 0, max = size > 44 ? 40 : (size > 4 ? size - 4 : 0);

	for (size_t i = 0; i < len && n < max; i++)
		buf[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (len > max && size > n + 3) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return buf;
}

/* Decimal digits of v into the end of buf[24]; returns where they start (no snprintf: hot path). */
static char *fmt_u64(char *end, unsigned long long v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static int set_ll(struct rec_row *r, int col, long long v)
{
	char buf[24], *p = fmt_u64(buf + sizeof(buf),
				  v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);

	if (v < 0)
		*--p = '-';
	return rec_set(r, col, p, (size_t)(buf + sizeof(buf) - p));
}

static int set_cents(struct rec_row *r, int col, long long cents)
{
	unsigned long long a = cents < 0 ? 0ULL - (unsigned long long)cents
					 : (unsigned long long)cents;
	char buf[32], *end = buf + sizeof(buf), *p;

	*--end = (char)('0' + a % 10);
	*--end = (char)('0' + (a / 10) % 10);
	*--end = '.';
	p = fmt_u64(end, a / 100);
	if (cents < 0)
		*--p = '-';
	return rec_set(r, col, p, (size_t)(buf + sizeof(buf) - p));
}

static const char *colname(const struct tab_row *t, int col)
{
	return t->rec.e->cols[col].name;
}

static int set_raw(struct tab_row *t, int col, const char *s, size_t len)
{
	int rc = rec_set(&t->rec, col, s, len);

	if (rc == REC_OK)
		return 0;
	tab_bad(t, "%s in column '%s'", rec_set_strerror(rc), colname(t, col));
	return -1;
}

static int bad_value(struct tab_row *t, int col, const char *what, const char *s, size_t len)
{
	char show[64];

	tab_bad(t, "bad %s '%s' in column '%s'", what, tab_show(s, len, show, sizeof(show)),
		colname(t, col));
	rec_set(&t->rec, col, NULL, 0);
	return -1;
}

int tab_set_text(struct tab_row *t, int col, const char *s, size_t len)
{
	if (!s)
		return set_raw(t, col, NULL, 0);
	tab_trim(&s, &len);
	return set_raw(t, col, len ? s : NULL, len);
}

int tab_set_money(struct tab_row *t, int col, const char *s, size_t len)
{
	int64_t cents;
	int rc;

	if (!s)
		return set_raw(t, col, NULL, 0);
	rc = value_money(s, len, &cents);
	if (rc < 0)
		return bad_value(t, col, "amount", s, len);
	if (rc == 0)
		return set_raw(t, col, NULL, 0);
	return set_cents(&t->rec, col, cents) == REC_OK ? 0 : -1;
}

int tab_set_date(struct tab_row *t, int col, const char *s, size_t len)
{
	struct value_date d;
	char buf[16];
	int rc;

	if (!s)
		return set_raw(t, col, NULL, 0);
	rc = value_date(s, len, &d);
	if (rc < 0)
		return bad_value(t, col, "date", s, len);
	if (rc == 0)
		return set_raw(t, col, NULL, 0);
	tab_trim(&s, &len);
	if (len == 10 && s[4] == '-' && s[7] == '-')
		return set_raw(t, col, s, len); /* already YYYY-MM-DD: no formatting (hot path) */
	value_date_format(&d, buf, sizeof(buf));
	return set_raw(t, col, buf, strlen(buf));
}

int tab_set_bool(struct tab_row *t, int col, const char *s, size_t len)
{
	enum value_tri v;
	int rc;

	if (!s)
		return set_raw(t, col, NULL, 0);
	rc = value_bool(s, len, &v);
	if (rc < 0)
		return bad_value(t, col, "boolean", s, len);
	if (rc == 0)
		return set_raw(t, col, NULL, 0);
	return set_raw(t, col, v == VALUE_TRUE ? "t" : "f", 1);
}

int tab_int(const char *s, size_t len, long long min, long long max, long long *out)
{
	unsigned long long v = 0;
	size_t i = 0;
	int neg = 0;

	if (!s)
		return 0;
	tab_trim(&s, &len);
	if (!len)
		return 0;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i++;
	}
	if (i == len)
		return -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (unsigned long long)INT64_MAX / 10)
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	/* "2.0", "2.00": pandas writes whole numbers as floats */
	if (i < len && s[i] == '.' && i + 1 < len) {
		for (i++; i < len && s[i] == '0'; i++)
			;
	}
	if (i != len || v > (unsigned long long)INT64_MAX)
		return -1;
	*out = neg ? -(long long)v : (long long)v;
	return *out >= min && *out <= max ? 1 : -1;
}

int tab_set_int(struct tab_row *t, int col, const char *s, size_t len, long long min,
		long long max)
{
	long long v;
	int rc = tab_int(s, len, min, max, &v);

	if (rc < 0 && tab_int(s, len, INT64_MIN, INT64_MAX, &v) == 1) {
		char show[64];
		tab_bad(t, "number %s in column '%s' is out of range (%lld to %lld)",
			tab_show(s, len, show, sizeof(show)), colname(t, col), min, max);
		rec_set(&t->rec, col, NULL, 0);
		return -1;
	}
	if (rc < 0)
		return bad_value(t, col, "number", s, len);
	if (rc == 0)
		return set_raw(t, col, NULL, 0);
	return set_ll(&t->rec, col, v) == REC_OK ? 0 : -1;
}

int tab_num(const char *s, size_t len, char *buf, size_t size)
{
	size_t i = 0, n = 0;
	int digits = 0, dot = 0;

	if (!s)
		return 0;
	tab_trim(&s, &len);
	if (!len)
		return 0;
	if (len > 40 || size < 64)
		return -1;
	if (s[0] == '-' || s[0] == '+') {
		if (s[0] == '-')
			buf[n++] = '-';
		i++;
	}
	for (; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			buf[n++] = c;
			digits++;
		} else if (c == '.' && !dot) {
			buf[n++] = c;
			dot = 1;
		} else if (c == ',' && !dot && digits) {
			continue;
		} else {
			return -1;
		}
	}
	if (!digits)
		return -1;
	buf[n] = '\0';
	return 1;
}

int tab_set_num(struct tab_row *t, int col, const char *s, size_t len)
{
	char buf[64];
	int rc = tab_num(s, len, buf, sizeof(buf));

	if (rc < 0)
		return bad_value(t, col, "number", s, len);
	if (rc == 0)
		return set_raw(t, col, NULL, 0);
	return set_raw(t, col, buf, strlen(buf));
}

int tab_set_id(struct tab_row *t, int col, const char *s, size_t len)
{
	unsigned long long v = 0;

	if (!s)
		return set_raw(t, col, NULL, 0);
	tab_trim(&s, &len);
	if (!len)
		return set_raw(t, col, NULL, 0);
	if (len > 19)
		return bad_value(t, col, "id", s, len);
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return bad_value(t, col, "id", s, len);
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (v > (unsigned long long)INT64_MAX)
		return bad_value(t, col, "id", s, len);
	return set_raw(t, col, s, len);
}

void tab_json_open(struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addch(sb, '{');
}

static void json_key(struct strbuf *sb, const char *key)
{
	if (sb->len > 1)
		strbuf_addch(sb, ',');
	strbuf_addch(sb, '"');
	strbuf_addstr(sb, key);
	strbuf_add(sb, "\":", 2);
}

void tab_json_str(struct strbuf *sb, const char *key, const char *s, size_t len)
{
	if (!s)
		return;
	tab_trim(&s, &len);
	if (!len || !rec_utf8_valid(s, len) || memchr(s, '\0', len))
		return;
	json_key(sb, key);
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, c);
		} else if (c < 0x20) {
			strbuf_addf(sb, "\\u%04x", c);
		} else {
			strbuf_addch(sb, c);
		}
	}
	strbuf_addch(sb, '"');
}

void tab_json_num(struct strbuf *sb, const char *key, const char *s, size_t len)
{
	char buf[64];
	int rc = tab_num(s, len, buf, sizeof(buf));

	if (rc == 0)
		return;
	if (rc < 0 || buf[0] == '.' || (buf[0] == '-' && buf[1] == '.') ||
	    buf[strlen(buf) - 1] == '.' || (buf[0] == '0' && buf[1] >= '0' && buf[1] <= '9')) {
		tab_json_str(sb, key, s, len);
		return;
	}
	json_key(sb, key);
	strbuf_addstr(sb, buf);
}

int tab_json_close(struct tab_row *t, int col, struct strbuf *sb)
{
	if (sb->len <= 1)
		return set_raw(t, col, NULL, 0);
	strbuf_addch(sb, '}');
	return set_raw(t, col, sb->buf, sb->len);
}

/* windows-1252 0x80-0x9F; 0 = undefined byte */
static const uint16_t cp1252_hi[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

int tab_cp1252_utf8(struct strbuf *out, const char *s, size_t len)
{
	int bad = 0;

	strbuf_reset(out);
	if (rec_utf8_valid(s, len)) {
		strbuf_add(out, s, len);
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned c = (unsigned char)s[i];
		unsigned u = c < 0x80 ? c : c < 0xA0 ? cp1252_hi[c - 0x80] : c;

		if (!u && c) {
			u = 0xFFFD;
			bad++;
		}
		if (u < 0x80) {
			strbuf_addch(out, (int)u);
		} else if (u < 0x800) {
			strbuf_addch(out, (int)(0xC0 | (u >> 6)));
			strbuf_addch(out, (int)(0x80 | (u & 0x3F)));
		} else {
			strbuf_addch(out, (int)(0xE0 | (u >> 12)));
			strbuf_addch(out, (int)(0x80 | ((u >> 6) & 0x3F)));
			strbuf_addch(out, (int)(0x80 | (u & 0x3F)));
		}
	}
	return bad;
}

int tab_reject_csv(struct parse_ctx *ctx, const struct csvr_row *row, const char *reason,
		   struct mi_err *err)
{
	return parse_reject(ctx, row->line, row->offset, NULL, reason, row->raw, row->raw_len,
			    err);
}

int tab_emit_csv(struct parse_ctx *ctx, struct tab_row *t, const struct csvr_row *row,
		 struct mi_err *err)
{
	char why[256];

	if (parse_check_row(&t->rec, why, sizeof(why)))
		return tab_reject_csv(ctx, row, why, err); /* with the raw line */
	return parse_emit_checked(ctx, &t->rec, row->line, row->offset, NULL, err);
}

int tab_read_csv(struct parse_ctx *ctx, FILE *in, unsigned char delim, csvr_row_fn fn,
		 void *data, struct csvr_stats *stats, struct mi_err *err)
{
	struct csvr_opts o = { 1024 * 1024, 2 * 1024 * 1024, 1024, delim ? delim : ',', 0, 1, 0 };
	int ret = csvr_read(in, ctx->file, &o, fn, data, stats, err);

	if (ret < 0 && err && err->code == MI_EXIT_IO && !ctx->write_failed) {
		/* the input broke off (a truncated gzip stream, an I/O error) */
		char why[512];
		snprintf(why, sizeof(why), "%s (at line %ld)", err->msg, err->line);
		mi_err_detail(err, "a truncated or corrupt compressed file reads this way");
		err->code = MI_EXIT_DATA;
		if (parse_reject(ctx, err->line, err->offset, NULL, why, NULL, 0, NULL) < 0)
			err->code = MI_EXIT_IO;
	}
	return ret;
}

int tab_no_header(struct parse_ctx *ctx, struct mi_err *err)
{
	if (parse_reject(ctx, 0, -1, NULL, "empty file: no header line", NULL, 0, err) < 0)
		return -1;
	mi_err_set(err, MI_EXIT_DATA, "empty file '%s': no header line", ctx->file);
	return -1;
}

int tab_twin_column(struct parse_ctx *ctx, const struct csvr_row *hdr, int idx,
		    struct mi_err *err)
{
	char why[200], show[64];
	const char *name;
	size_t len;
	int twin = csvr_header_twin(hdr, idx);

	if (twin < 0)
		return 0;
	name = hdr->f[idx];
	len = hdr->len[idx];
	tab_trim(&name, &len);
	snprintf(why, sizeof(why), "column '%s' given twice in the header (fields %d and %d)",
		 tab_show(name, len, show, sizeof(show)),
		 (idx < twin ? idx : twin) + 1, (idx < twin ? twin : idx) + 1);
	if (tab_reject_csv(ctx, hdr, why, err) < 0)
		return -1;
	mi_err_set(err, MI_EXIT_DATA, "%s: %s", ctx->file, why);
	mi_err_at(err, ctx->file, (long)hdr->line, hdr->offset);
	return -1;
}

int tab_missing_column(struct parse_ctx *ctx, const struct csvr_row *hdr, const char *col,
		       struct mi_err *err)
{
	char why[160];

	snprintf(why, sizeof(why), "missing column '%s' in header", col);
	if (tab_reject_csv(ctx, hdr, why, err) < 0)
		return -1;
	mi_err_set(err, MI_EXIT_DATA, "%s: missing column '%s' in header line", ctx->file, col);
	mi_err_at(err, ctx->file, (long)hdr->line, hdr->offset);
	return -1;
}
