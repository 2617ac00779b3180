/*
 * strbuf: a growable byte buffer with a hard size cap.
 *
 * Invariants (checked by strbuf_check() in debug builds):
 *  - sb->buf is never NULL: an empty buffer points at a static "" until the
 *    first append;
 *  - sb->buf[sb->len] == '\0' always, so buf can be used as a C string when
 *    the content has no NUL byte of its own;
 *  - sb->len <= sb->cap_limit when a limit is set (cap_limit == 0 means none).
 *
 * Ownership: the strbuf owns its bytes.  strbuf_detach() hands them to the
 * caller (who frees them with free()), strbuf_release() frees them and resets
 * the buffer to empty.  A strbuf may be reused after strbuf_release().
 *
 * Appends return 0 on success and -1 when the cap would be exceeded or memory
 * is exhausted; on -1 the buffer is unchanged and sb->toobig is set when the
 * cap was the reason.  Network bodies and untrusted input are always read
 * into a capped buffer, so a hostile peer cannot exhaust memory.
 */
#ifndef MI_STRBUF_H
#define MI_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap_limit; /* 0: unlimited */
	int toobig;       /* set once an append was refused by the cap */
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { strbuf_slopbuf, 0, 0, 0, 0 }

/* Initialize an empty buffer; limit is the largest len allowed (0: none). */
void strbuf_init(struct strbuf *sb, size_t limit);
/* Free the bytes and reset to empty (the limit is kept). */
void strbuf_release(struct strbuf *sb);
/* Hand the bytes to the caller; the buffer is reset to empty. Never NULL. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* Make room for extra more bytes; -1 on cap or out of memory. */
int strbuf_grow(struct strbuf *sb, size_t extra);
/* Truncate to len bytes (len <= sb->len). */
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Remove leading and trailing ASCII whitespace. */
void strbuf_trim(struct strbuf *sb);

/*
 * Read one line (up to and excluding '\n'; a trailing '\r' is kept) from fp
 * into sb, replacing its content.  Returns 1 when a line was read, 0 at end of
 * file, -1 on a read error or when the line exceeds the cap (the rest of the
 * over-long line is consumed and sb->toobig is set, so the caller can report
 * it and continue with the next line).
 */
#include <stdio.h>
int strbuf_getline(struct strbuf *sb, FILE *fp);

/* Debug-only invariant check, for use inside assert(). */
int strbuf_check(const struct strbuf *sb);

#endif
