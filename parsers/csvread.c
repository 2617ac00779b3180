#include "csvread.h"
#include "exitcode.h"
#include "strbuf.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

#define BLOCK (64 * 1024)

/* libcsv's parser state for "inside a field" (its FIELD_BEGUN); see read_end(). */
#define LIBCSV_FIELD_BEGUN 2

struct csvr {
	struct csv_parser p;
	int p_live;
	size_t max_field, max_record;
	int max_fields;
	unsigned char delim;
	int fast;
	int direct;           /* the fields point into the input block */

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

	if (r->stop)
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

static void deliver(struct csvr *r)
{
	struct csvr_row row;
	const char **fp = r->fptr; /* as many slots as start and flen */

	if (r->stop)
		return;
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
	r->records++;
	if (r->fn(r->data, &row, r->err) < 0)
		r->stop = 1;
	r->nf = 0;
	r->flags = 0;
	r->in_record = 0;
	strbuf_reset(&r->store);
}

static void record_cb(int c, void *data)
{
	struct csvr *r = data;

	(void)c;
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

/* Feed one segment (a line or part of one); returns 1 when the record went too big. */
static int feed(struct csvr *r, char *s, size_t len)
{
	size_t n;

	if (!r->in_record) {
		if (is_blank_line(s, len) && r->p.pstate == 0)
			return 0;
		begin_record(r);
		/* (len >= 2 here: blank lines returned above) */
		if (r->fast && r->p.pstate == 0 && len >= 2 && s[len - 1] == '\n' && len <= r->max_field &&
		    !memchr(s, '"', len) && !memchr(s, '\r', len - 2)) {
			r->raw_len = len < CSVR_EXCERPT ? len : CSVR_EXCERPT;
			memcpy(r->raw, s, r->raw_len);
			split_line(r, s, len);
			return 0;
		}
	}
	if (r->raw_len < CSVR_EXCERPT) {
		n = len < CSVR_EXCERPT - r->raw_len ? len : CSVR_EXCERPT - r->raw_len;
		memcpy(r->raw + r->raw_len, s, n);
		r->raw_len += n;
	}
	n = csv_parse(&r->p, s, len, field_cb, record_cb, r);
	if (r->stop)
		return 0;
	if (n < len || r->p.entry_pos > r->max_field)
		return 1;
	return 0;
}

int csvr_read(FILE *in, const char *name, const struct csvr_opts *opts, csvr_row_fn fn,
	      void *data, struct csvr_stats *stats, struct mi_err *err)
{
	struct csvr r;
	char *buf = NULL;
	long long off = 0;
	int first = 1, skipping = 0, ret = -1;

	memset(&r, 0, sizeof(r));
	r.max_field = opts && opts->max_field ? opts->max_field : 1024 * 1024;
	r.max_record = opts && opts->max_record ? opts->max_record : 4 * 1024 * 1024;
	r.max_fields = opts && opts->max_fields ? opts->max_fields : 1024;
	r.delim = opts && opts->delim ? opts->delim : ',';
	r.fast = !(opts && opts->libcsv_only) && r.delim != ' ' && r.delim != '\t';
	strbuf_init(&r.store, r.max_record);
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
		size_t got = fread(buf, 1, BLOCK, in), pos = 0;

		if (got == 0)
			break;
		if (first && got >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
			pos = 3;
		first = 0;
		while (pos < got) {
			const char *nl = memchr(buf + pos, '\n', got - pos);
			size_t end = nl ? (size_t)(nl - buf) + 1 : got;

			r.seg_off = off + (long long)pos;
			if (skipping) {
				/* the rest of an over-long line */
				skipping = !nl;
			} else if (feed(&r, buf + pos, end - pos)) {
				/* too big: report what we have, restart at the next line */
				r.flags |= CSVR_F_TOOBIG;
				deliver(&r);
				parser_stop(&r);
				if (parser_start(&r) < 0) {
					mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
					goto out;
				}
				skipping = !nl;
			}
			if (r.stop)
				goto out;
			if (nl)
				r.cur_line++;
			pos = end;
		}
		off += (long long)got;
	}
	if (ferror(in)) {
		mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", name,
			   errno ? strerror(errno) : "read error");
		mi_err_at(err, name, (long)r.cur_line, off);
		goto out;
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
	if (flags & CSVR_F_TOOBIG)
		return "record too large: a field or the record exceeds its size cap";
	if (flags & CSVR_F_UNTERMINATED)
		return "unterminated quoted field at end of input";
	return NULL;
}
