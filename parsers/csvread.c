#include "csvread.h"
#include "exitcode.h"
#include "strbuf.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

#define BLOCK (64 * 1024)

/* libcsv's parser state for "inside a field" (its FIELD_BEGUN); see read_end(). */
#define LIBCSV_FIELD_BEGUN 2

/* What feed() found. */
enum { FEED_OK, FEED_TOOBIG, FEED_STRAY };

struct csvr {
	struct csv_parser p;
	int p_live;
	size_t max_field, max_record, max_span;
	int max_fields;
	unsigned char delim;
	int fast;
	int direct;           /* the fields point into the input block */
	int header;           /* the first record is a header: its width is the expected one */
	int header_seen;
	int expect;           /* fields of the header, 0 unknown */

	/* the record being collected */
	struct strbuf store;  /* field bytes, each followed by a NUL */
	size_t *start, *flen; /* per field: offset in store, length */
	const char **fptr;
	int nf, af;
	unsigned flags;
	int in_record;
	long long rec_line, rec_off;
	char raw[CSVR_EXCERPT];
	size_t raw_len;

	/*
	 * A record whose quoted field runs over a line end: its lines after
	 * the first are kept, so that when it turns out to be a stray quote
	 * the reader can read them again as records of their own.
	 */
	int multi;
	int stray;            /* the multi-line record failed: replay once csv_parse returns */
	int ignore;           /* drop what libcsv still calls back before the replay */
	struct strbuf cap;    /* the lines after the record's first one, as read */
	long long cap_line, cap_off;
	char why[200];

	/* where the reader is */
	long long cur_line;
	long long seg_off;

	csvr_row_fn fn;
	void *data;
	struct mi_err *err;
	int stop;
	long long records;
};

static void begin_record(struct csvr *r)
{
	r->in_record = 1;
	r->rec_line = r->cur_line;
	r->rec_off = r->seg_off;
	r->raw_len = 0;
}

/* Room for one more field in the per-field arrays; -1 when out of memory. */
static int grow_fields(struct csvr *r)
{
	int na = r->af ? 2 * r->af : 32;
	size_t *ns = realloc(r->start, (size_t)na * sizeof(*ns));
	size_t *nl;
	const char **np;

	if (ns)
		r->start = ns;
	nl = ns ? realloc(r->flen, (size_t)na * sizeof(*nl)) : NULL;
	if (nl)
		r->flen = nl;
	np = nl ? realloc(r->fptr, (size_t)na * sizeof(*np)) : NULL;
	if (np)
		r->fptr = np;
	if (!ns || !nl || !np)
		return -1;
	r->af = na;
	return 0;
}

static void field_cb(void *s, size_t len, void *data)
{
	struct csvr *r = data;

	if (r->stop || r->ignore)
		return;
	if (!r->in_record)
		begin_record(r);
	if (r->flags & CSVR_F_TOOBIG)
		return;
	if (r->nf >= r->max_fields || len > r->max_field) {
		r->flags |= CSVR_F_TOOBIG;
		return;
	}
	if (r->nf == r->af && grow_fields(r) < 0) {
		r->flags |= CSVR_F_TOOBIG;
		return;
	}
	r->start[r->nf] = r->store.len;
	if (strbuf_add(&r->store, s ? s : "", s ? len : 0) < 0 ||
	    strbuf_addch(&r->store, '\0') < 0) {
		r->flags |= CSVR_F_TOOBIG;
		return;
	}
	r->flen[r->nf] = len;
	r->nf++;
}

/*
 * The record in progress is a stray quote: its first line is rejected with
 * why ("stray quote: the quoted field opened on this line " + what follows)
 * and the lines after it are read again.
 */
static void set_stray(struct csvr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_stray(struct csvr *r, const char *fmt, ...)
{
	static const char lead[] = "stray quote: the quoted field opened on this line ";
	va_list ap;

	r->stray = 1;
	r->flags = (r->flags & CSVR_F_UNTERMINATED) | CSVR_F_STRAY_QUOTE;
	memcpy(r->why, lead, sizeof(lead));
	va_start(ap, fmt);
	vsnprintf(r->why + sizeof(lead) - 1, sizeof(r->why) - (sizeof(lead) - 1), fmt, ap);
	va_end(ap);
}

static void end_multi(struct csvr *r)
{
	if (r->multi && r->p_live)
		csv_set_opts(&r->p, 0);
	r->multi = 0;
	strbuf_reset(&r->cap);
}

static void deliver(struct csvr *r)
{
	struct csvr_row row;
	const char **fp = r->fptr; /* as many slots as start and flen */

	if (r->stop)
		return;
	if (r->multi && !r->stray) {
		/* a quote that ran over a line end into a record too big or of the wrong width */
		if (r->flags & CSVR_F_TOOBIG)
			set_stray(r, "runs to line %lld, past the record's size cap", r->cur_line);
		else if (r->expect && r->nf != r->expect)
			set_stray(r, "runs to line %lld and leaves %d fields, the header has %d",
				  r->cur_line, r->nf, r->expect);
	}
	if (!r->direct) /* fields in the store; a split line points into the block */
		for (int i = 0; i < r->nf; i++)
			fp[i] = r->store.buf + r->start[i];
	r->direct = 0;
	row.nfields = r->nf;
	row.f = fp;
	row.len = r->flen;
	row.line = r->rec_line;
	row.offset = r->rec_off;
	row.end_line = r->cur_line;
	row.raw = r->raw;
	row.raw_len = r->raw_len;
	row.flags = r->flags;
	row.why = NULL;
	if (r->stray) {
		/* only the line where the quote opened is rejected */
		const char *nl = memchr(r->raw, '\n', r->raw_len);
		if (nl)
			row.raw_len = (size_t)(nl - r->raw) + 1;
		row.end_line = r->rec_line;
		row.why = r->why[0] ? r->why : NULL;
		r->ignore = 1; /* the rest of this parse call is read again */
	}
	if (!r->header_seen) {
		r->header_seen = 1;
		if (r->header && !row.flags)
			r->expect = r->nf;
	}
	r->records++;
	if (r->fn(r->data, &row, r->err) < 0)
		r->stop = 1;
	r->nf = 0;
	r->flags = 0;
	r->in_record = 0;
	strbuf_reset(&r->store);
	if (!r->stray)
		end_multi(r);
}

static void record_cb(int c, void *data)
{
	struct csvr *r = data;

	(void)c;
	if (r->ignore)
		return;
	if (!r->in_record)
		begin_record(r);
	deliver(r);
}

static int parser_start(struct csvr *r)
{
	if (csv_init(&r->p, 0) != 0)
		return -1;
	csv_set_delim(&r->p, r->delim);
	/* grow the field buffer in big steps: fewer reallocs on long fields */
	csv_set_blk_size(&r->p, 64 * 1024);
	r->p_live = 1;
	return 0;
}

static void parser_stop(struct csvr *r)
{
	if (r->p_live)
		csv_free(&r->p);
	r->p_live = 0;
}

/* A line of blanks only: libcsv starts no record for it (blanks before a row are skipped). */
static int is_blank_line(const char *s, size_t len)
{
	if (!len || s[len - 1] != '\n')
		return 0;
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/*
 * A whole line without quotes, outside any record: split it here, as libcsv
 * would (unquoted fields lose their surrounding blanks, CR and LF end the
 * line), without its per-byte state machine.
 */
static void split_line(struct csvr *r, char *s, size_t len)
{
	size_t i = 0;

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	/* no copy: each field is cut in place (s[len] is the line's CR or LF) */
	r->direct = 1;
	for (;;) {
		char *d = memchr(s + i, r->delim, len - i);
		size_t e = d ? (size_t)(d - s) : len, b = i, f = e;

		while (b < f && (s[b] == ' ' || s[b] == '\t'))
			b++;
		while (f > b && (s[f - 1] == ' ' || s[f - 1] == '\t'))
			f--;
		if (!(r->flags & CSVR_F_TOOBIG)) {
			if (r->nf >= r->max_fields || (r->nf == r->af && grow_fields(r) < 0)) {
				r->flags |= CSVR_F_TOOBIG;
			} else {
				s[f] = '\0';
				r->fptr[r->nf] = s + b;
				r->flen[r->nf] = f - b;
				r->nf++;
			}
		}
		if (!d)
			break;
		i = e + 1;
	}
	deliver(r);
}

/*
 * A line whose quotes only wrap whole fields: each quote opens a field (right
 * after the line start or a delimiter) or closes it (right before a
 * delimiter or the line end), with no quote inside (calendar prices such as
 * "$1,379.00").  libcsv gives such a field's bytes between the quotes, as
 * they are.  Checked before anything is cut; any other line goes to libcsv.
 */
static int simple_quotes(const char *s, size_t len, unsigned char delim)
{
	size_t i = 0;

	for (;;) {
		if (i < len && s[i] == '"') {
			const char *q = memchr(s + i + 1, '"', len - i - 1);
			if (!q)
				return 0;
			i = (size_t)(q - s) + 1;
			if (i < len && (unsigned char)s[i] != delim)
				return 0;
		} else {
			const char *d = memchr(s + i, delim, len - i);
			size_t e = d ? (size_t)(d - s) : len;
			if (memchr(s + i, '"', e - i))
				return 0;
			i = e;
		}
		if (i >= len)
			return 1;
		i++;
	}
}

/* Split a line of simple_quotes() in place, as libcsv would. */
static void split_quoted(struct csvr *r, char *s, size_t len)
{
	size_t i = 0;

	r->direct = 1;
	for (;;) {
		size_t b, f, next;
		if (i < len && s[i] == '"') {
			char *q = memchr(s + i + 1, '"', len - i - 1);
			b = i + 1;
			f = (size_t)(q - s);
			next = f + 1;
		} else {
			char *d = memchr(s + i, r->delim, len - i);
			next = d ? (size_t)(d - s) : len;
			b = i;
			f = next;
			while (b < f && (s[b] == ' ' || s[b] == '\t'))
				b++;
			while (f > b && (s[f - 1] == ' ' || s[f - 1] == '\t'))
				f--;
		}
		if (!(r->flags & CSVR_F_TOOBIG)) {
			if (r->nf >= r->max_fields || (r->nf == r->af && grow_fields(r) < 0)) {
				r->flags |= CSVR_F_TOOBIG;
			} else {
				s[f] = '\0';
				r->fptr[r->nf] = s + b;
				r->flen[r->nf] = f - b;
				r->nf++;
			}
		}
		if (next >= len)
			break;
		i = next + 1;
	}
	deliver(r);
}

/* Feed one segment (a line or part of one): FEED_OK, FEED_TOOBIG or FEED_STRAY. */
static int feed(struct csvr *r, char *s, size_t len)
{
	size_t n;

	if (!r->in_record) {
		if (is_blank_line(s, len) && r->p.pstate == 0)
			return FEED_OK;
		begin_record(r);
		/* (len >= 2 here: blank lines returned above) */
		if (r->fast && r->p.pstate == 0 && len >= 2 && s[len - 1] == '\n' && len <= r->max_field &&
		    !memchr(s, '\r', len - 2)) {
			size_t body = s[len - 2] == '\r' ? len - 2 : len - 1;
			int quoted = memchr(s, '"', len) != NULL;
			if (!quoted || simple_quotes(s, body, r->delim)) {
				r->raw_len = len < CSVR_EXCERPT ? len : CSVR_EXCERPT;
				memcpy(r->raw, s, r->raw_len);
				if (quoted)
					split_quoted(r, s, body);
				else
					split_line(r, s, len);
				return FEED_OK;
			}
		}
	}
	if (r->raw_len < CSVR_EXCERPT) {
		n = len < CSVR_EXCERPT - r->raw_len ? len : CSVR_EXCERPT - r->raw_len;
		memcpy(r->raw + r->raw_len, s, n);
		r->raw_len += n;
	}
	n = csv_parse(&r->p, s, len, field_cb, record_cb, r);
	if (r->stop || r->stray)
		return r->stray ? FEED_STRAY : FEED_OK;
	if (n < len && r->multi && csv_error(&r->p) == CSV_EPARSE) {
		/* strict reading after the line end: a quote out of place */
		set_stray(r, "runs to line %lld, where a quote is out of place", r->cur_line);
		return FEED_STRAY;
	}
	if (n < len || r->p.entry_pos > r->max_field)
		return FEED_TOOBIG;
	return FEED_OK;
}

/* Deliver the record in progress as the reject of its first line (r->stray set). */
static void reject_first_line(struct csvr *r)
{
	if (r->in_record)
		deliver(r);
}

int csvr_read(FILE *in, const char *name, const struct csvr_opts *opts, csvr_row_fn fn,
	      void *data, struct csvr_stats *stats, struct mi_err *err)
{
	struct csvr r;
	struct strbuf pend = STRBUF_INIT; /* lines to read again before the rest */
	size_t ppos = 0, got = 0, bpos = 0;
	long long poff = 0, off = 0;
	char *buf = NULL;
	int first = 1, skipping = 0, eof = 0, ret = -1;

	memset(&r, 0, sizeof(r));
	r.max_field = opts && opts->max_field ? opts->max_field : 1024 * 1024;
	r.max_record = opts && opts->max_record ? opts->max_record : 4 * 1024 * 1024;
	r.max_fields = opts && opts->max_fields ? opts->max_fields : 1024;
	r.max_span = opts && opts->max_span ? opts->max_span : 64 * 1024;
	r.delim = opts && opts->delim ? opts->delim : ',';
	r.header = opts && opts->header;
	r.fast = !(opts && opts->libcsv_only) && r.delim != ' ' && r.delim != '\t';
	strbuf_init(&r.store, r.max_record);
	strbuf_init(&r.cap, 0);
	r.fn = fn;
	r.data = data;
	r.err = err;
	r.cur_line = 1;
	buf = malloc(BLOCK);
	if (!buf || parser_start(&r) < 0) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	for (;;) {
		char *src, *nl;
		size_t avail, end;
		int from_pend = 0, rc;

		if (ppos < pend.len) {
			src = pend.buf + ppos;
			avail = pend.len - ppos;
			r.seg_off = poff + (long long)ppos;
			from_pend = 1;
		} else if (bpos < got) {
			src = buf + bpos;
			avail = got - bpos;
			r.seg_off = off + (long long)bpos;
			from_pend = 0;
		} else if (!eof) {
			off += (long long)got;
			got = fread(buf, 1, BLOCK, in);
			bpos = 0;
			if (got == 0) {
				if (ferror(in)) {
					mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", name,
						   errno ? strerror(errno) : "read error");
					mi_err_at(err, name, (long)r.cur_line, off);
					goto out;
				}
				eof = 1;
			} else if (first && got >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
				bpos = 3;
			}
			first = 0;
			continue;
		} else if (r.multi && !skipping) {
			/*
			 * The input ends inside a quoted field that opened lines
			 * ago: reject its first line, read the others again.
			 */
			r.stray = 1;
			r.flags |= CSVR_F_UNTERMINATED;
			r.why[0] = '\0';
			csv_fini(&r.p, field_cb, record_cb, &r);
			reject_first_line(&r);
			if (r.stop)
				goto out;
			goto replay;
		} else {
			break;
		}
		nl = memchr(src, '\n', avail);
		end = nl ? (size_t)(nl - src) + 1 : avail;
		if (r.multi && !skipping && strbuf_add(&r.cap, src, end) < 0) {
			mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		if (skipping) {
			/* the rest of an over-long line */
			skipping = !nl;
			rc = FEED_OK;
		} else {
			rc = feed(&r, src, end);
		}
		if (from_pend)
			ppos += end;
		else
			bpos += end;
		if (nl)
			r.cur_line++;
		if (r.stop)
			goto out;
		if (rc == FEED_OK && !r.multi && !(nl && r.in_record))
			continue; /* the common case: a line read, no record left open */
		if (rc == FEED_TOOBIG && r.multi) {
			set_stray(&r, "runs to line %lld, past the record's size cap", r.cur_line - !!nl);
			rc = FEED_STRAY;
		} else if (rc == FEED_OK && r.multi && r.cap.len > r.max_span) {
			set_stray(&r, "runs over more than %zu bytes", r.max_span);
			rc = FEED_STRAY;
		}
		if (rc == FEED_STRAY) {
			reject_first_line(&r);
			if (r.stop)
				goto out;
			goto replay;
		}
		if (rc == FEED_TOOBIG) {
			/* too big: report what we have, restart at the next line */
			r.flags |= CSVR_F_TOOBIG;
			deliver(&r);
			if (r.stop)
				goto out;
			parser_stop(&r);
			if (parser_start(&r) < 0) {
				mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				goto out;
			}
			skipping = !nl;
			continue;
		}
		if (nl && r.in_record && !r.multi && r.p.pstate == LIBCSV_FIELD_BEGUN && r.p.quoted) {
			/*
			 * A quoted field runs over the line end: keep the next
			 * lines until the record ends, and read them strictly
			 * (RFC 4180) so that a stray quote shows early.
			 */
			r.multi = 1;
			r.cap_line = r.cur_line;
			r.cap_off = r.seg_off + (long long)end;
			strbuf_reset(&r.cap);
			csv_set_opts(&r.p, CSV_STRICT);
		}
		continue;
replay:
		/* the lines after the stray quote's, then what was still to read */
		if (from_pend || eof) {
			size_t rest = pend.len > ppos ? pend.len - ppos : 0;
			if (strbuf_add(&r.cap, pend.buf + ppos, rest) < 0) {
				mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				goto out;
			}
		}
		{
			struct strbuf t = pend;
			pend = r.cap;
			r.cap = t;
		}
		strbuf_reset(&r.cap);
		ppos = 0;
		poff = r.cap_off;
		r.cur_line = r.cap_line;
		r.stray = r.ignore = r.multi = 0;
		r.in_record = 0;
		r.nf = 0;
		r.flags = 0;
		strbuf_reset(&r.store);
		skipping = 0;
		parser_stop(&r);
		if (parser_start(&r) < 0) {
			mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			goto out;
		}
	}
	if (!skipping) {
		/*
		 * libcsv ends an open quoted field silently at csv_fini(); a
		 * record cut inside quotes is not a record we want, so flag it.
		 */
		if (r.p.pstate == LIBCSV_FIELD_BEGUN && r.p.quoted)
			r.flags |= CSVR_F_UNTERMINATED;
		csv_fini(&r.p, field_cb, record_cb, &r);
		if (r.in_record && !r.stop)
			deliver(&r);
		if (r.stop)
			goto out;
	}
	ret = 0;
out:
	if (stats) {
		stats->records = r.records;
		stats->lines = r.cur_line - 1;
		stats->bytes = off;
	}
	parser_stop(&r);
	strbuf_release(&r.store);
	strbuf_release(&r.cap);
	strbuf_release(&pend);
	free(r.start);
	free(r.flen);
	free(r.fptr);
	free(buf);
	return ret;
}
static int name_eq(const char *f, size_t len, const char *name)
{
	size_t nlen = strlen(name);

	while (len && (*f == ' ' || *f == '\t')) {
		f++;
		len--;
	}
	while (len && (f[len - 1] == ' ' || f[len - 1] == '\t' || f[len - 1] == '\r'))
		len--;
	return len == nlen && !strncasecmp(f, name, len);
}

int csvr_header_map(const struct csvr_row *hdr, const char *const *names, int n, int *idx)
{
	int found = 0;

	for (int i = 0; i < n; i++) {
		idx[i] = -1;
		for (int j = 0; j < hdr->nfields; j++) {
			if (name_eq(hdr->f[j], hdr->len[j], names[i])) {
				idx[i] = j;
				found++;
				break;
			}
		}
	}
	return found;
}

int csvr_header_twin(const struct csvr_row *hdr, int i)
{
	const char *f;
	size_t len;
	char name[256];

	if (i < 0 || i >= hdr->nfields)
		return -1;
	f = hdr->f[i];
	len = hdr->len[i];
	while (len && (*f == ' ' || *f == '\t')) {
		f++;
		len--;
	}
	while (len && (f[len - 1] == ' ' || f[len - 1] == '\t' || f[len - 1] == '\r'))
		len--;
	if (!len || len >= sizeof(name))
		return -1;
	memcpy(name, f, len);
	name[len] = '\0';
	for (int j = 0; j < hdr->nfields; j++)
		if (j != i && name_eq(hdr->f[j], hdr->len[j], name))
			return j;
	return -1;
}

const char *csvr_field(const struct csvr_row *row, int i, size_t *len)
{
	if (i < 0 || i >= row->nfields) {
		*len = 0;
		return NULL;
	}
	*len = row->len[i];
	return row->f[i];
}

const char *csvr_flag_reason(unsigned flags)
{
	if (flags & CSVR_F_STRAY_QUOTE)
		return "stray quote: the quoted field opened on this line does not close on it";
	if (flags & CSVR_F_TOOBIG)
		return "record too large: a field or the record exceeds its size cap";
	if (flags & CSVR_F_UNTERMINATED)
		return "unterminated quoted field at end of input";
	return NULL;
}

const char *csvr_row_reason(const struct csvr_row *row)
{
	if (row->why && row->why[0])
		return row->why;
	return csvr_flag_reason(row->flags);
}
