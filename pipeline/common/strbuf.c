#include "strbuf.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t limit)
{
	sb->buf = strbuf_slopbuf;
	sb->len = 0;
	sb->alloc = 0;
	sb->cap_limit = limit;
	sb->toobig = 0;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb->buf = strbuf_slopbuf;
	sb->len = 0;
	sb->alloc = 0;
	sb->toobig = 0;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	if (!sb->alloc) {
		res = calloc(1, 1);
		if (!res)
			abort(); /* one byte: nothing sensible left to do */
	} else {
		res = sb->buf;
	}
	if (len)
		*len = sb->len;
	sb->buf = strbuf_slopbuf;
	sb->len = 0;
	sb->alloc = 0;
	return res;
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need, nalloc;
	char *nb;

	if (extra > SIZE_MAX - sb->len - 1)
		return -1;
	need = sb->len + extra;
	if (sb->cap_limit && need > sb->cap_limit) {
		sb->toobig = 1;
		return -1;
	}
	if (need + 1 <= sb->alloc)
		return 0;
	nalloc = sb->alloc ? sb->alloc : 64;
	while (nalloc < need + 1)
		nalloc = nalloc < SIZE_MAX / 2 ? nalloc * 2 : need + 1;
	if (sb->cap_limit && nalloc > sb->cap_limit + 1)
		nalloc = sb->cap_limit + 1;
	nb = sb->alloc ? realloc(sb->buf, nalloc) : malloc(nalloc);
	if (!nb)
		return -1;
	if (!sb->alloc)
		nb[0] = '\0';
	sb->buf = nb;
	sb->alloc = nalloc;
	return 0;
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	assert(len <= sb->len);
	sb->len = len;
	if (sb->alloc)
		sb->buf[len] = '\0';
}

int strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len) < 0)
		return -1;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	return strbuf_add(sb, &ch, 1);
}

int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (strbuf_grow(sb, (size_t)n) < 0)
		return -1;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

void strbuf_trim(struct strbuf *sb)
{
	size_t b = 0, e = sb->len;

	while (b < e && isspace((unsigned char)sb->buf[b]))
		b++;
	while (e > b && isspace((unsigned char)sb->buf[e - 1]))
		e--;
	if (b)
		memmove(sb->buf, sb->buf + b, e - b);
	if (sb->alloc) {
		sb->len = e - b;
		sb->buf[sb->len] = '\0';
	}
}

int strbuf_getline(struct strbuf *sb, FILE *fp)
{
	int c, got = 0;

	strbuf_reset(sb);
	sb->toobig = 0;
	while ((c = getc(fp)) != EOF) {
		got = 1;
		if (c == '\n')
			break;
		if (!sb->toobig && strbuf_addch(sb, c) < 0 && !sb->toobig)
			return -1; /* out of memory */
	}
	if (ferror(fp))
		return -1;
	if (sb->toobig)
		return -1;
	return got;
}

int strbuf_check(const struct strbuf *sb)
{
	if (!sb->buf)
		return 0;
	if (sb->alloc && sb->len >= sb->alloc)
		return 0;
	if (!sb->alloc && sb->len)
		return 0;
	if (sb->buf[sb->len] != '\0')
		return 0;
	if (sb->cap_limit && sb->len > sb->cap_limit)
		return 0;
	return 1;
}
