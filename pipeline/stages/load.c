#include "load.h"
#include "exitcode.h"
#include "ledger.h"
#include "log.h"
#include "match.h"
#include "pg.h"
#include "records.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define CHUNK (4u << 20)          /* file read size */
#define SEND_CHUNK (1u << 20)     /* COPY message size */
#define MAX_STORED_REJECTS 20000  /* per file; more are counted, not stored */
#define EXCERPT_MAX 512
#define MAX_DB_REJECTS 1000       /* per file, before giving up bisecting */

/* ------------------------------------------------------------------------ */
/* Line checks                                                              */
/* ------------------------------------------------------------------------ */

const char *load_check_line(const char *line, size_t len, int ncols)
{
	const unsigned char *s = (const unsigned char *)line, *end = s + len;
	int fields = 1;
	const unsigned char *fstart = s;

	while (s < end) {
		unsigned c = *s;
		if (c >= 0x20 && c != '\\' && c < 0x80) {
			s++;
			continue;
		}
		if (c == '\t') {
			fields++;
			s++;
			fstart = s;
			continue;
		}
		if (c == '\\') {
			if (s + 1 >= end)
				return "bad_escape";
			switch (s[1]) {
			case '\\': case 't': case 'n': case 'r':
				s += 2;
				continue;
			case 'N':
				/* \N only as a whole field */
				if (s == fstart && (s + 2 == end || s[2] == '\t')) {
					s += 2;
					continue;
				}
				return "bad_escape";
			default:
				return "bad_escape";
			}
		}
		if (c == 0)
			return "nul_byte";
		if (c == '\r')
			return "carriage_return";
		if (c < 0x20)
			return "control_char";
		/* a multi-byte sequence: check it with the strict validator */
		{
			const unsigned char *q = s + 1;
			while (q < end && (*q & 0xC0) == 0x80 && q - s < 4)
				q++;
			if (!rec_utf8_valid((const char *)s, (size_t)(q - s)))
				return "invalid_utf8";
			s = q;
		}
	}
	return fields == ncols ? NULL : "field_count";
}

static const char *reason_text(const char *code)
{
	if (!strcmp(code, "field_count"))
		return "wrong number of fields";
	if (!strcmp(code, "bad_escape"))
		return "backslash not followed by \\\\, t, n or r (or \\N not alone in its field)";
	if (!strcmp(code, "nul_byte"))
		return "NUL byte in the line";
	if (!strcmp(code, "carriage_return"))
		return "raw carriage return in the line";
	if (!strcmp(code, "control_char"))
		return "raw control character in the line";
	if (!strcmp(code, "invalid_utf8"))
		return "invalid UTF-8";
	return code;
}

/* ------------------------------------------------------------------------ */
/* Rejects collected in memory, written with the batch                      */
/* ------------------------------------------------------------------------ */

struct rej {
	long long rn;           /* staging row number, 0 when the line never got there */
	long long line, offset; /* in the .tsv file (0 / -1 unknown) */
	long long src_line, src_offset;
	char *code, *reason, *excerpt, *landing_hash, *src_path;
};

struct rejlist {
	struct rej *v;
	size_t n, alloc;
	long long total;
};

static void rej_free_one(struct rej *r)
{
	free(r->code);
	free(r->reason);
	free(r->excerpt);
	free(r->landing_hash);
	free(r->src_path);
}

static void rejlist_truncate(struct rejlist *l, size_t n, long long total)
{
	while (l->n > n)
		rej_free_one(&l->v[--l->n]);
	l->total = total;
}

static void rejlist_release(struct rejlist *l)
{
	rejlist_truncate(l, 0, 0);
	free(l->v);
	l->v = NULL;
	l->alloc = 0;
}

static char *dup_excerpt(const char *s, size_t len)
{
	char *p;
	size_t n = len > EXCERPT_MAX ? EXCERPT_MAX : len;

	/* cut at a UTF-8 boundary; bytes that are not UTF-8 become '?' */
	p = malloc(n + 1);
	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p[i] = s[i] ? s[i] : '?';
	p[n] = '\0';
	while (n && !rec_utf8_valid(p, n)) {
		size_t i;
		for (i = 0; i < n && rec_utf8_valid(p, i + 1); i++)
			;
		/* replace the first bad byte and try again */
		p[i < n ? i : n - 1] = '?';
	}
	return p;
}

/* Returns 0, or -1 when out of memory. */
static int rej_add(struct rejlist *l, long long line, long long offset, const char *code,
		   const char *reason, const char *excerpt, size_t excerpt_len)
{
	struct rej *r;

	l->total++;
	if (l->n >= MAX_STORED_REJECTS)
		return 0;
	if (l->n == l->alloc) {
		size_t na = l->alloc ? 2 * l->alloc : 64;
		struct rej *nv = realloc(l->v, na * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->alloc = na;
	}
	r = &l->v[l->n];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->offset = offset;
	r->src_line = 0;
	r->src_offset = -1;
	r->code = strdup(code);
	r->reason = strdup(reason);
	r->excerpt = excerpt ? dup_excerpt(excerpt, excerpt_len) : NULL;
	if (!r->code || !r->reason || (excerpt && !r->excerpt)) {
		rej_free_one(r);
		return -1;
	}
	l->n++;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* SQL helpers with typed parameters                                        */
/* ------------------------------------------------------------------------ */

static int sql_fail(PGconn *conn, PGresult *res, const char *sql, struct mi_err *err,
		    char sqlstate[6])
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char msg[512];

	if (sqlstate)
		snprintf(sqlstate, 6, "%s", state ? state : "");
	if (!prim) {
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
		msg[strcspn(msg, "\n")] = '\0';
		prim = msg;
	}
	mi_err_set(err, MI_EXIT_DATABASE, "%s%s%s%s", prim, state ? " (SQLSTATE " : "",
		   state ? state : "", state ? ")" : "");
	if (detail)
		mi_err_detail(err, "%s; statement: %.160s", detail, sql);
	else
		mi_err_detail(err, "statement: %.200s", sql);
	return -1;
}

/* Parameters of every merge statement: $1 run id, $2 source, $3 lo, $4 hi, $5 file. */
#define NPARAMS 5
static const Oid param_types[NPARAMS] = { 25, 25, 20, 20, 25 };

struct merge_params {
	const char *run_id, *source, *file;
};

static PGresult *exec_step(PGconn *conn, const char *sql, const struct merge_params *mp,
			   long long lo, long long hi, struct mi_err *err, char sqlstate[6])
{
	char los[24], his[24];
	const char *p[NPARAMS] = { mp->run_id, mp->source, los, his, mp->file };
	PGresult *res;
	ExecStatusType st;

	snprintf(los, sizeof(los), "%lld", lo);
	snprintf(his, sizeof(his), "%lld", hi);
	res = PQexecParams(conn, sql, NPARAMS, param_types, p, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		sql_fail(conn, res, sql, err, sqlstate);
		PQclear(res);
		return NULL;
	}
	return res;
}

static int exec_simple(PGconn *conn, const char *sql, struct mi_err *err, char sqlstate[6])
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int ret = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		ret = sql_fail(conn, res, sql, err, sqlstate);
	PQclear(res);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Merge scripts: SQLDIR/load/<name>.sql split into tagged statements      */
/* ------------------------------------------------------------------------ */

enum step_kind { STEP_RANGE, STEP_COUNT, STEP_REJECT, STEP_FINAL };

struct step {
	enum step_kind kind;
	char *sql;
};

struct script {
	struct step v[32];
	int n;
	struct strbuf text;
};

static void script_release(struct script *s)
{
	strbuf_release(&s->text);
	s->n = 0;
}

/*
 * A script is a list of statements, each introduced by a line
 * "-- @step", "-- @count", "-- @reject" or "-- @final".  Text before the
 * first tag is commentary.
 */
static int script_load(struct script *s, const char *sqldir, const char *name,
		       struct mi_err *err)
{
	char path[4096];
	FILE *fp;
	char buf[65536];
	size_t n;
	char *p;

	s->n = 0;
	strbuf_init(&s->text, 4u << 20);
	snprintf(path, sizeof(path), "%s/load/%s.sql", sqldir, name);
	fp = fopen(path, "rb");
	if (!fp)
		return mi_err_set(err, MI_EXIT_NOINPUT, "cannot open '%s': %s", path,
				  strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (strbuf_add(&s->text, buf, n) < 0) {
			fclose(fp);
			return mi_err_set(err, MI_EXIT_IO, "'%s' is too large", path);
		}
	if (ferror(fp)) {
		fclose(fp);
		return mi_err_set(err, MI_EXIT_IO, "cannot read '%s'", path);
	}
	fclose(fp);
	p = s->text.buf;
	while ((p = strstr(p, "-- @")) != NULL) {
		enum step_kind k;
		char *eol;
		if (p != s->text.buf && p[-1] != '\n') {
			p += 4;
			continue;
		}
		if (!strncmp(p + 4, "step", 4))
			k = STEP_RANGE;
		else if (!strncmp(p + 4, "count", 5))
			k = STEP_COUNT;
		else if (!strncmp(p + 4, "reject", 6))
			k = STEP_REJECT;
		else if (!strncmp(p + 4, "final", 5))
			k = STEP_FINAL;
		else
			return mi_err_set(err, MI_EXIT_CONFIG, "'%s': unknown tag '%.12s'", path, p);
		if (s->n == (int)(sizeof(s->v) / sizeof(s->v[0])))
			return mi_err_set(err, MI_EXIT_CONFIG, "'%s': too many statements", path);
		*p = '\0'; /* ends the previous statement */
		eol = strchr(p + 1, '\n');
		if (!eol)
			break;
		s->v[s->n].kind = k;
		s->v[s->n].sql = eol + 1;
		s->n++;
		p = eol + 1;
	}
	if (!s->n)
		return mi_err_set(err, MI_EXIT_CONFIG, "'%s' holds no tagged statement", path);
	return 0;
}

int load_run_script(PGconn *conn, const char *sqldir, const char *name, const char *run_id,
		    const char *source, struct mi_err *err)
{
	struct script s;
	struct merge_params mp = { run_id, source, "" };
	int ret = 0;

	memset(&s, 0, sizeof(s));
	if (script_load(&s, sqldir, name, err) < 0) {
		script_release(&s);
		return -1;
	}
	for (int i = 0; i < s.n && !ret; i++) {
		char state[6];
		PGresult *res = exec_step(conn, s.v[i].sql, &mp, 0, 0, err, state);
		if (!res)
			ret = -1;
		PQclear(res);
	}
	script_release(&s);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

static int hash_file(const char *path, char hex[65], long long *bytes, long long *lines,
		     struct mi_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	EVP_MD_CTX *ctx = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char *buf = NULL;
	ssize_t n;
	int ret = -1;
	char last = '\n';

	*bytes = 0;
	*lines = 0;
	if (fd < 0)
		return mi_err_set(err, MI_EXIT_NOINPUT, "cannot open '%s': %s", path,
				  strerror(errno));
	buf = malloc(CHUNK);
	ctx = EVP_MD_CTX_new();
	if (!buf || !ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	while ((n = read(fd, buf, CHUNK)) > 0) {
		const char *q = buf, *end = buf + n;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		*bytes += n;
		while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
			(*lines)++;
			q++;
		}
		last = buf[n - 1];
	}
	if (n < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (last != '\n')
		(*lines)++; /* a last line without newline */
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	close(fd);
	return ret;
}

/*
 * Stream lines [from, to) of fd (byte offsets at line starts; first line
 * number first_line) into the COPY in progress on conn.  keep (may be NULL)
 * says which fields to send; bad lines go to rejs.  *sent counts the rows.
 */
struct stream_job {
	const char *path;
	int ncols;
	const unsigned char *keep; /* NULL: the whole line */
	const struct rec_column *cols; /* with keep: the types, for binary COPY */
	int binary;                    /* send COPY binary tuples of the kept fields */
	int nkeep;
	unsigned char btype[REC_MAX_COLS]; /* enum bin_type of each column */
	int fallback;                  /* a value binary cannot carry: use the merge path */
	long long from, to, first_line;
	PGconn *conn;
	struct rejlist rejs;
	long long sent;
	struct mi_err err;
	int ret;
};

static int stream_flush(struct stream_job *j, struct strbuf *out)
{
	if (!out->len)
		return 0;
	if (mi_pg_copy_send(j->conn, out->buf, out->len, &j->err) < 0)
		return -1;
	strbuf_reset(out);
	return 0;
}

/* ---- COPY binary encoding of the canonical values records.h writes ---- */

/*
 * The row's room is reserved once (strbuf_grow in stream_line), so these
 * append without checks; stream_line restores the terminating NUL.
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

static unsigned char bin_type_of(const char *pgtype)
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

static int stream_line(struct stream_job *j, const char *line, size_t len, long long lineno,
		       long long offset, struct strbuf *out)
{
	const char *why = load_check_line(line, len, j->ncols);

	if (why) {
		if (rej_add(&j->rejs, lineno, offset, why, reason_text(why), line, len) < 0)
			return mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
		return 0;
	}
	if (!j->keep) {
		if (strbuf_add(out, line, len) < 0 || strbuf_addch(out, '\n') < 0)
			return mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
	} else if (j->binary) {
		const char *p = line, *end = line + len;
		size_t at = out->len;
		/* room for the row: the text, plus lengths and numeric digits */
		if (strbuf_grow(out, len + 32 * (size_t)j->ncols + 16) < 0)
			return mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
		put_be16(out, (unsigned)j->nkeep);
		for (int f = 0; f < j->ncols; f++) {
			const char *t = memchr(p, '\t', (size_t)(end - p));
			const char *fe = t ? t : end;
			if (j->keep[f] && bin_field(out, j->btype[f], p, (size_t)(fe - p)) < 0) {
				strbuf_setlen(out, at);
				j->fallback = 1;
				return mi_err_set(&j->err, MI_EXIT_DATA,
						  "line %lld: value '%.*s' of column '%s' cannot be sent "
						  "in binary", lineno, (int)(fe - p > 60 ? 60 : fe - p), p,
						  j->cols[f].name);
			}
			p = fe + 1;
		}
		out->buf[out->len] = '\0';
	} else {
		const char *p = line, *end = line + len;
		int first = 1;
		for (int f = 0; f < j->ncols; f++) {
			const char *t = memchr(p, '\t', (size_t)(end - p));
			const char *fe = t ? t : end;
			if (j->keep[f]) {
				if ((!first && strbuf_addch(out, '\t') < 0) ||
				    strbuf_add(out, p, (size_t)(fe - p)) < 0)
					return mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
				first = 0;
			}
			p = fe + 1;
		}
		if (strbuf_addch(out, '\n') < 0)
			return mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
	}
	j->sent++;
	if (out->len >= SEND_CHUNK)
		return stream_flush(j, out);
	return 0;
}

static int stream_run(struct stream_job *j)
{
	int fd = open(j->path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t have = 0;
	long long pos = j->from, lineno = j->first_line, line_off = j->from;
	struct strbuf out;
	int ret = -1;

	strbuf_init(&out, 0);
	if (fd < 0) {
		mi_err_set(&j->err, MI_EXIT_NOINPUT, "cannot open '%s': %s", j->path,
			   strerror(errno));
		goto out;
	}
	buf = malloc(CHUNK);
	if (!buf) {
		mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if (j->binary) {
		/* signature, flags, header extension length */
		if (strbuf_grow(&out, 32) < 0) {
			mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		put_raw(&out, "PGCOPY\n\377\r\n\0", 11);
		put_be32(&out, 0);
		put_be32(&out, 0);
		out.buf[out.len] = '\0';
	}
	for (;;) {
		size_t want = CHUNK - have;
		ssize_t n = 0;
		size_t start = 0;
		if (j->to >= 0 && pos + (long long)want > j->to)
			want = (size_t)(j->to - pos);
		if (want)
			n = pread(fd, buf + have, want, pos);
		if (n < 0) {
			mi_err_set(&j->err, MI_EXIT_IO, "cannot read '%s': %s", j->path,
				   strerror(errno));
			goto out;
		}
		pos += n;
		have += (size_t)n;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			if (!nl)
				break;
			if (stream_line(j, buf + start, (size_t)(nl - (buf + start)), lineno,
					line_off, &out) < 0)
				goto out;
			line_off += nl + 1 - (buf + start);
			start = (size_t)(nl + 1 - buf);
			lineno++;
		}
		if (n == 0) {
			if (have > start) { /* a last line without newline */
				if (stream_line(j, buf + start, have - start, lineno, line_off, &out) < 0)
					goto out;
			}
			break;
		}
		if (start == 0 && have == CHUNK) {
			/* a line longer than the buffer: reject it and skip to its end */
			char c;
			rej_add(&j->rejs, lineno, line_off, "line_too_long", "line too long", buf, 200);
			do {
				if (pread(fd, &c, 1, pos) != 1)
					break;
				pos++;
			} while (c != '\n');
			line_off = pos;
			lineno++;
			have = 0;
			continue;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	if (j->binary) {
		if (strbuf_grow(&out, 4) < 0) {
			mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		put_be16(&out, 0xFFFFu); /* trailer */
		out.buf[out.len] = '\0';
	}
	if (stream_flush(j, &out) < 0)
		goto out;
	ret = 0;
out:
	strbuf_release(&out);
	free(buf);
	if (fd >= 0)
		close(fd);
	j->ret = ret;
	return ret;
}

/* ------------------------------------------------------------------------ */
/* One entity file through staging and merge                                */
/* ------------------------------------------------------------------------ */

struct file_ctx {
	const struct load_opts *o;
	const struct rec_entity *e;
	char path[4096];
	char name[256];
	char sha[65];
	long long bytes, lines;
	struct load_counts c; /* this file */
	long long db_rejects; /* rows the database refused (found by bisection) */
	struct rejlist rejs;
};

static int is_data_error(const char *state)
{
	/* 22 data exception, 23 integrity violation, 21 cardinality */
	return state[0] == '2' && (state[1] == '2' || state[1] == '3' || state[1] == '1');
}

/* Run the ranged steps over [lo, hi]; bisect under savepoints on bad data. */
static int merge_range(PGconn *conn, const struct script *s, const struct merge_params *mp,
		       long long lo, long long hi, struct file_ctx *fc, struct mi_err *err)
{
	char state[6] = "";
	size_t rn0 = fc->rejs.n;
	long long rt0 = fc->rejs.total, ins = 0, upd = 0, rej = 0;
	struct mi_err e2 = MI_ERR_INIT;
	int failed = 0;

	if (lo > hi)
		return 0;
	if (exec_simple(conn, "SAVEPOINT load_batch", err, NULL) < 0)
		return -1;
	for (int i = 0; i < s->n && !failed; i++) {
		PGresult *res;
		if (s->v[i].kind == STEP_FINAL)
			continue;
		res = exec_step(conn, s->v[i].sql, mp, lo, hi, &e2, state);
		if (!res) {
			failed = 1;
			break;
		}
		if (s->v[i].kind == STEP_COUNT) {
			for (int r = 0; r < PQntuples(res); r++) {
				if (PQgetvalue(res, r, 0)[0] == 't')
					ins++;
				else
					upd++;
			}
		} else if (s->v[i].kind == STEP_REJECT) {
			/* rn, reason_code, reason, src_line, src_offset, landing_hash, src_path, excerpt */
			for (int r = 0; r < PQntuples(res); r++) {
				const char *ex = PQgetvalue(res, r, 7);
				if (rej_add(&fc->rejs, 0, -1, PQgetvalue(res, r, 1),
					    PQgetvalue(res, r, 2), PQgetisnull(res, r, 7) ? NULL : ex,
					    strlen(ex)) < 0) {
					PQclear(res);
					return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				}
				if (fc->rejs.n && fc->rejs.n > rn0) {
					struct rej *rj = &fc->rejs.v[fc->rejs.n - 1];
					rj->rn = atoll(PQgetvalue(res, r, 0));
					rj->src_line = PQgetisnull(res, r, 3) ? 0 : atoll(PQgetvalue(res, r, 3));
					rj->src_offset = PQgetisnull(res, r, 4) ? -1 : atoll(PQgetvalue(res, r, 4));
					if (!PQgetisnull(res, r, 5))
						rj->landing_hash = strdup(PQgetvalue(res, r, 5));
					if (!PQgetisnull(res, r, 6))
						rj->src_path = strdup(PQgetvalue(res, r, 6));
				}
				rej++;
			}
		}
		PQclear(res);
	}
	if (!failed) {
		if (exec_simple(conn, "RELEASE SAVEPOINT load_batch", err, NULL) < 0)
			return -1;
		fc->c.inserted += ins;
		fc->c.updated += upd;
		fc->c.rejected += rej;
		fc->c.unchanged += (hi - lo + 1) - ins - upd - rej;
		return 0;
	}
	/* undo this range's effects, rejects included */
	if (exec_simple(conn, "ROLLBACK TO SAVEPOINT load_batch", err, NULL) < 0 ||
	    exec_simple(conn, "RELEASE SAVEPOINT load_batch", err, NULL) < 0)
		return -1;
	rejlist_truncate(&fc->rejs, rn0, rt0);
	if (!is_data_error(state)) {
		*err = e2;
		return -1;
	}
	if (lo == hi) {
		/* this row is the culprit: a reject with the server's reason */
		char rns[24];
		const char *p[1] = { rns };
		PGresult *res;
		snprintf(rns, sizeof(rns), "%lld", lo);
		res = PQexecParams(conn,
				   "SELECT src_line, src_offset, landing_hash, src_path, "
				   "left(s::text, 400) FROM stg s WHERE rn = $1::bigint",
				   1, NULL, p, NULL, NULL, 0);
		if (rej_add(&fc->rejs, 0, -1, "database", e2.msg,
			    PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
				    ? PQgetvalue(res, 0, 4)
				    : NULL,
			    PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
				    ? strlen(PQgetvalue(res, 0, 4))
				    : 0) < 0) {
			PQclear(res);
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		}
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    fc->rejs.n > rn0) {
			struct rej *rj = &fc->rejs.v[fc->rejs.n - 1];
			rj->rn = lo;
			rj->src_line = PQgetisnull(res, 0, 0) ? 0 : atoll(PQgetvalue(res, 0, 0));
			rj->src_offset = PQgetisnull(res, 0, 1) ? -1 : atoll(PQgetvalue(res, 0, 1));
			if (!PQgetisnull(res, 0, 2))
				rj->landing_hash = strdup(PQgetvalue(res, 0, 2));
			if (!PQgetisnull(res, 0, 3))
				rj->src_path = strdup(PQgetvalue(res, 0, 3));
			if (e2.detail[0]) {
				char *r2 = malloc(strlen(e2.msg) + strlen(e2.detail) + 3);
				if (r2) {
					size_t l = strlen(e2.msg);
					memcpy(r2, e2.msg, l);
					memcpy(r2 + l, ": ", 2);
					memcpy(r2 + l + 2, e2.detail, strlen(e2.detail) + 1);
					free(rj->reason);
					rj->reason = r2;
				}
			}
		}
		PQclear(res);
		fc->c.rejected++;
		fc->db_rejects++;
		return 0;
	}
	if (fc->db_rejects >= MAX_DB_REJECTS) {
		/* a systematic refusal, not a few bad rows: stop bisecting */
		*err = e2;
		err->code = MI_EXIT_DATA;
		mi_err_detail(err, "more than %d rows of '%s' refused by the database; "
				   "the file is not loaded (%s)",
			      MAX_DB_REJECTS, fc->name, e2.detail);
		return -1;
	}
	{
		long long mid = lo + (hi - lo) / 2;
		if (merge_range(conn, s, mp, lo, mid, fc, err) < 0)
			return -1;
		return merge_range(conn, s, mp, mid + 1, hi, fc, err);
	}
}

/* Take the rejected rows out of staging, so that the @final statements see only loaded rows. */
static int drop_rejected(PGconn *conn, const struct file_ctx *fc, struct mi_err *err)
{
	struct strbuf arr = STRBUF_INIT;
	const char *p[1];
	int ret = 0, any = 0;

	strbuf_addch(&arr, '{');
	for (size_t i = 0; i < fc->rejs.n; i++) {
		if (!fc->rejs.v[i].rn)
			continue;
		strbuf_addf(&arr, "%s%lld", any ? "," : "", fc->rejs.v[i].rn);
		any = 1;
	}
	strbuf_addch(&arr, '}');
	p[0] = arr.buf;
	if (any)
		ret = mi_pg_command(conn, "DELETE FROM stg WHERE rn = ANY ($1::bigint[])", 1, p,
				    NULL, err);
	strbuf_release(&arr);
	return ret;
}

static int write_rejects(PGconn *conn, struct file_ctx *fc, const char *stage, struct mi_err *err)
{
	static const char sql[] =
		"INSERT INTO etl.rejects (run_id, stage, source, entity, format, file, landing_hash, "
		"line, byte_offset, src_path, reason_code, reason, excerpt) "
		"VALUES ($1, $2, $3, $4, 'copy-text', $5, "
		"CASE WHEN $6 ~ '^[0-9a-f]{64}$' THEN $6 END, "
		"nullif($7::bigint, 0), nullif($8::bigint, -1), $9, "
		"left(regexp_replace(lower($10), '[^a-z0-9_]', '_', 'g'), 64), "
		"coalesce(nullif($11, ''), 'rejected'), left($12, 1000))";
	for (size_t i = 0; i < fc->rejs.n; i++) {
		const struct rej *r = &fc->rejs.v[i];
		char ln[24], off[24], file[4400];
		const char *p[12];
		/* the original input's location when known, else the .tsv's */
		long long line = r->src_line > 0 ? r->src_line : r->line;
		long long offset = r->src_line > 0 ? r->src_offset : r->offset;
		if (r->src_line > 0 || r->line <= 0)
			snprintf(file, sizeof(file), "%s", fc->name);
		else
			snprintf(file, sizeof(file), "%s:%lld", fc->name, r->line);
		snprintf(ln, sizeof(ln), "%lld", line > 0 ? line : 0);
		snprintf(off, sizeof(off), "%lld", offset >= 0 ? offset : -1);
		p[0] = fc->o->run_id;
		p[1] = stage;
		p[2] = fc->o->source;
		p[3] = fc->e->name;
		p[4] = file;
		p[5] = r->landing_hash ? r->landing_hash : "";
		p[6] = ln;
		p[7] = off;
		p[8] = r->src_path;
		p[9] = r->code;
		p[10] = r->reason;
		p[11] = r->excerpt;
		if (mi_pg_command(conn, sql, 12, p, NULL, err) < 0)
			return -1;
	}
	return 0;
}

static int staging_sql(const struct rec_entity *e, struct strbuf *create, struct strbuf *copy)
{
	strbuf_addstr(create, "CREATE TEMP TABLE stg (rn bigint GENERATED ALWAYS AS IDENTITY");
	strbuf_addstr(copy, "COPY stg (");
	for (int i = 0; i < e->ncols; i++) {
		strbuf_addf(create, ", %s text", e->cols[i].name);
		strbuf_addf(copy, "%s%s", i ? ", " : "", e->cols[i].name);
	}
	strbuf_addstr(create, ") ON COMMIT DROP");
	return strbuf_addstr(copy, ") FROM STDIN");
}

static int already_loaded(PGconn *conn, const char *sha, const char *entity, int *yes,
			  long long *rows_loaded, struct mi_err *err)
{
	const char *p[2] = { sha, entity };
	PGresult *res = mi_pg_query(conn,
				    "SELECT rows_loaded FROM etl.loaded_files WHERE content_sha256 = $1 "
				    "AND entity = $2",
				    2, p, err);
	if (!res)
		return -1;
	*yes = PQntuples(res) > 0;
	*rows_loaded = *yes ? atoll(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return 0;
}

static int record_loaded(PGconn *conn, struct file_ctx *fc, struct mi_err *err)
{
	char bytes[24], rows[24];
	const char *p[7] = { fc->sha, fc->e->name, fc->o->source, fc->name, bytes, rows,
			     fc->o->run_id };

	if (fc->e->id == REC_E_REJECTS)
		return 0; /* replaced per run, see rejects.sql */
	snprintf(bytes, sizeof(bytes), "%lld", fc->bytes);
	snprintf(rows, sizeof(rows), "%lld", fc->c.read - fc->c.rejected);
	return mi_pg_command(conn,
			     "INSERT INTO etl.loaded_files (content_sha256, entity, source, file_name, "
			     "bytes, rows_loaded, run_id) VALUES ($1, $2, $3, $4, $5::bigint, "
			     "$6::bigint, $7)",
			     7, p, NULL, err) < 0
		       ? -1
		       : 0;
}

static int finish_tx(PGconn *conn, const struct load_opts *o, struct mi_err *err)
{
	if (o->dry_run) {
		mi_pg_rollback(conn);
		return 0;
	}
	return mi_pg_commit(conn, err);
}

static int load_generic(PGconn *conn, struct file_ctx *fc, struct mi_err *err)
{
	struct strbuf create = STRBUF_INIT, copy = STRBUF_INIT;
	struct script s;
	struct merge_params mp = { fc->o->run_id, fc->o->source, fc->name };
	struct stream_job j;
	long long rows = 0;
	int ret = -1, script_ok = 0;

	memset(&j, 0, sizeof(j));
	memset(&s, 0, sizeof(s));
	if (script_load(&s, fc->o->sqldir, fc->e->name, err) < 0)
		goto out;
	script_ok = 1;
	staging_sql(fc->e, &create, &copy);
	if (mi_pg_begin(conn, err) < 0)
		goto out;
	if (mi_pg_exec(conn, "SET LOCAL work_mem = '256MB'", err) < 0 ||
	    mi_pg_exec(conn, create.buf, err) < 0 ||
	    mi_pg_copy_begin(conn, copy.buf, err) < 0)
		goto fail;
	j.path = fc->path;
	j.ncols = fc->e->ncols;
	j.from = 0;
	j.to = -1;
	j.first_line = 1;
	j.conn = conn;
	j.err = (struct mi_err)MI_ERR_INIT;
	if (stream_run(&j) < 0) {
		*err = j.err;
		mi_pg_copy_end(conn, "load aborted", NULL, NULL);
		goto fail;
	}
	if (mi_pg_copy_end(conn, NULL, &rows, err) < 0)
		goto fail;
	/* the line checks' rejects come first */
	fc->rejs = j.rejs;
	memset(&j.rejs, 0, sizeof(j.rejs));
	fc->c.rejected += fc->rejs.total;
	if (mi_pg_exec(conn, "ANALYZE stg", err) < 0)
		goto fail;
	if (merge_range(conn, &s, &mp, 1, rows, fc, err) < 0)
		goto fail;
	if (drop_rejected(conn, fc, err) < 0)
		goto fail;
	for (int i = 0; i < s.n; i++) {
		PGresult *res;
		char state[6];
		if (s.v[i].kind != STEP_FINAL)
			continue;
		res = exec_step(conn, s.v[i].sql, &mp, 1, rows, err, state);
		if (!res)
			goto fail;
		PQclear(res);
	}
	if (write_rejects(conn, fc, "load", err) < 0 || record_loaded(conn, fc, err) < 0)
		goto fail;
	if (finish_tx(conn, fc->o, err) < 0)
		goto out;
	ret = 0;
	goto out;
fail:
	mi_pg_rollback(conn);
out:
	rejlist_release(&j.rejs);
	(void)script_ok;
	script_release(&s);
	strbuf_release(&create);
	strbuf_release(&copy);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Pricing fast path: a new snapshot built apart and attached              */
/* ------------------------------------------------------------------------ */

/* records.h names whose target column is named otherwise. */
static const char *pricing_target_name(const char *rec_name)
{
	if (!strcmp(rec_name, "price"))
		return "nightly_rate";
	if (!strcmp(rec_name, "adjusted_price"))
		return "adjusted_rate";
	return rec_name;
}

static void *stream_thread(void *arg)
{
	struct stream_job *j = arg;
	stream_run(j);
	return NULL;
}

/* The snapshot date of the file's first line (YYYY-MM-DD), or "" if none. */
static void first_snapshot(const char *path, const struct rec_entity *e, char out[16])
{
	FILE *fp = fopen(path, "rb");
	struct strbuf sb;
	int col = rec_column_index(e, "snapshot_date");

	out[0] = '\0';
	if (!fp)
		return;
	strbuf_init(&sb, 1 << 20);
	if (strbuf_getline(&sb, fp) == 1 && col >= 0) {
		const char *p = sb.buf;
		for (int f = 0; f < col && p; f++) {
			p = strchr(p, '\t');
			if (p)
				p++;
		}
		if (p && strlen(p) >= 10 && (p[10] == '\t' || p[10] == '\0'))
			snprintf(out, 16, "%.10s", p);
	}
	strbuf_release(&sb);
	fclose(fp);
	for (int i = 0; out[i]; i++)
		if (!(out[i] >= '0' && out[i] <= '9') && out[i] != '-')
			out[0] = '\0';
}

/* Find the line starts that split [0, bytes) into n parts; line numbers too. */
static int split_points(const char *path, long long bytes, int n, long long *off,
			long long *line, struct mi_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = malloc(CHUNK);
	long long pos = 0, lineno = 1;
	int k = 1;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return mi_err_set(err, MI_EXIT_IO, "cannot read '%s'", path);
	}
	off[0] = 0;
	line[0] = 1;
	/* count lines up to each target (a plain scan: memchr is cheap) */
	while (k < n) {
		long long target = bytes * k / n;
		ssize_t r = pread(fd, buf, CHUNK, pos);
		const char *q, *end;
		if (r <= 0)
			break;
		end = buf + r;
		q = buf;
		while (k < n) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			long long at;
			if (!nl)
				break;
			lineno++;
			at = pos + (nl + 1 - buf);
			q = nl + 1;
			if (at >= target) {
				off[k] = at;
				line[k] = lineno;
				k++;
				target = bytes * k / n;
			}
		}
		pos += r;
	}
	for (; k < n; k++) {
		off[k] = bytes;
		line[k] = lineno;
	}
	off[n] = bytes;
	free(buf);
	close(fd);
	return 0;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void drop_build(PGconn *conn, const char *build)
{
	const char *p[1] = { build };
	mi_pg_command(conn, "SELECT etl.load_pricing_drop_build($1)", 1, p, NULL, NULL);
}

/*
 * Move the line start *off forward to the first line whose field col differs
 * from that of the line at *off (a listing boundary in a file sorted by
 * listing); that field goes to key.  Returns 0, or -1 when none is found
 * within a bounded look-ahead (then no split there).
 */
static int listing_boundary(const char *path, int col, long long *off, long long *line,
			    long long limit, struct strbuf *key)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 16u << 20;
	char *buf = malloc(cap);
	ssize_t n;
	const char *p, *end;
	char first[256] = "";
	int ret = -1, have_first = 0;
	long long pos = *off, lineno = *line;

	if (fd < 0 || !buf)
		goto out;
	n = pread(fd, buf, cap, pos);
	if (n <= 0)
		goto out;
	p = buf;
	end = buf + n;
	while (p < end && pos < limit) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *f = p, *fe;
		size_t flen;
		if (!nl)
			break;
		for (int i = 0; i < col && f; i++) {
			f = memchr(f, '\t', (size_t)(nl - f));
			if (f)
				f++;
		}
		if (!f)
			break;
		fe = memchr(f, '\t', (size_t)(nl - f));
		if (!fe)
			fe = nl;
		flen = (size_t)(fe - f);
		if (!have_first) {
			if (flen >= sizeof(first))
				break;
			memcpy(first, f, flen);
			first[flen] = '\0';
			have_first = 1;
		} else if (flen != strlen(first) || memcmp(f, first, flen)) {
			if (flen == 0 || flen > 200 || memchr(f, '\\', flen))
				break; /* no usable key here */
			strbuf_reset(key);
			strbuf_add(key, f, flen);
			*off = pos;
			*line = lineno;
			ret = 0;
			break;
		}
		pos += nl + 1 - p;
		lineno++;
		p = nl + 1;
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * Returns 1 when the fast path loaded the file, 0 when it does not apply (the
 * caller takes the merge path), -1 on error.
 */
static int load_pricing_fast(PGconn *conn, struct file_ctx *fc, struct mi_err *err)
{
	const struct load_opts *o = fc->o;
	const struct rec_entity *e = fc->e;
	char snap[16], build[64], state[6] = "";
	const char *p[2];
	unsigned char keep[REC_MAX_COLS];
	struct strbuf cols = STRBUF_INIT, copy = STRBUF_INIT, splits = STRBUF_INIT;
	int lcol = rec_column_index(e, "listing_id");
	struct stream_job jobs[4];
	pthread_t th[4];
	int started[4] = { 0 };
	long long off[5], line[5];
	int n = o->copy_streams > 0 && o->copy_streams <= 4 ? o->copy_streams : 2;
	int ret = -1, exists = 0;
	long long sent = 0, dups = 0;
	PGresult *res = NULL;
	double t_start = mono_now(), t_build = 0, t_copy = 0;

	memset(jobs, 0, sizeof(jobs));
	first_snapshot(fc->path, e, snap);
	if (!snap[0])
		return 0;
	p[0] = snap;
	snprintf(build, sizeof(build), "pricing_build_%c%c%c%c%c%c%c%c", snap[0], snap[1], snap[2],
		 snap[3], snap[5], snap[6], snap[8], snap[9]);

	/* the columns the target has, in records.h order */
	res = mi_pg_query(conn,
			  "SELECT attname FROM pg_attribute WHERE attrelid = "
			  "'external.property_pricing'::regclass AND attnum > 0 AND NOT attisdropped",
			  0, NULL, err);
	if (!res)
		return -1;
	for (int i = 0; i < e->ncols; i++) {
		const char *name = pricing_target_name(e->cols[i].name);
		keep[i] = 0;
		for (int r = 0; r < PQntuples(res); r++)
			if (!strcmp(PQgetvalue(res, r, 0), name))
				keep[i] = 1;
		if (keep[i])
			strbuf_addf(&cols, "%s%s", cols.len ? ", " : "", name);
	}
	PQclear(res);
	strbuf_addf(&copy, "COPY etl.%s (%s) FROM STDIN%s", build, cols.buf,
		    o->text_copy ? "" : " (FORMAT binary)");

	/* 1. a fresh build table, committed so that the streams can see it */
	if (mi_pg_command(conn, "SELECT pg_advisory_lock(hashtext('mi-load pricing ' || $1))", 1,
			  p, NULL, err) < 0)
		goto out;
	/* only for a snapshot date nobody loaded yet (checked under the lock) */
	res = mi_pg_query(conn, "SELECT etl.load_pricing_snapshot_exists($1::date)", 1, p, err);
	if (!res)
		goto unlock;
	exists = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	res = NULL;
	if (exists) {
		ret = 0;
		goto unlock;
	}
	/*
	 * The slices of the streams start at listing boundaries; the work table
	 * is partitioned at those listing ids, so that each stream fills its own
	 * heap in file order and the key is built on (usually) sorted rows.
	 */
	if (split_points(fc->path, fc->bytes, n, off, line, err) < 0)
		goto unlock;
	strbuf_addch(&splits, '{');
	for (int i = 1; i < n; i++) {
		struct strbuf key = STRBUF_INIT;
		long long lim = off[i + 1];
		if (off[i] < lim &&
		    listing_boundary(fc->path, lcol, &off[i], &line[i], lim, &key) == 0) {
			strbuf_addstr(&splits, splits.len > 1 ? ",\"" : "\"");
			for (size_t k = 0; k < key.len; k++) {
				if (key.buf[k] == '"' || key.buf[k] == '\\')
					strbuf_addch(&splits, '\\');
				strbuf_addch(&splits, key.buf[k]);
			}
			strbuf_addch(&splits, '"');
		}
		strbuf_release(&key);
	}
	strbuf_addch(&splits, '}');
	{
		const char *bp[3] = { build, snap, splits.buf };
		if (mi_pg_command(conn, "SELECT etl.load_pricing_build_table($1, $2::date, $3::text[])",
				  3, bp, NULL, err) < 0)
			goto unlock;
	}

	t_build = mono_now();
	/* 2. parallel COPY streams over slices of the file */
	for (int i = 0; i < n; i++) {
		jobs[i].path = fc->path;
		jobs[i].ncols = e->ncols;
		jobs[i].keep = keep;
		jobs[i].cols = e->cols;
		jobs[i].binary = !o->text_copy;
		for (int c = 0; c < e->ncols; c++) {
			jobs[i].btype[c] = bin_type_of(e->cols[c].pgtype);
			jobs[i].nkeep += keep[c] != 0;
		}
		jobs[i].from = off[i];
		jobs[i].to = off[i + 1];
		jobs[i].first_line = line[i];
		jobs[i].err = (struct mi_err)MI_ERR_INIT;
		jobs[i].conn = mi_pg_connect("mi-load", o->conninfo, err);
		if (!jobs[i].conn)
			goto streams_done;
		if (mi_pg_exec(jobs[i].conn, "SET synchronous_commit = off", err) < 0 ||
		    mi_pg_begin(jobs[i].conn, err) < 0 ||
		    mi_pg_copy_begin(jobs[i].conn, copy.buf, err) < 0)
			goto streams_done;
	}
	for (int i = 0; i < n; i++) {
		if (pthread_create(&th[i], NULL, stream_thread, &jobs[i]) != 0) {
			mi_err_set(err, MI_EXIT_INTERNAL, "cannot start a COPY thread");
			goto streams_done;
		}
		started[i] = 1;
	}
streams_done:
	for (int i = 0; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	{
		int bad = 0;
		for (int i = 0; i < n; i++) {
			long long rows = 0;
			if (!jobs[i].conn) {
				bad = 1;
				continue;
			}
			if (!started[i] || jobs[i].ret < 0) {
				if (!bad && started[i])
					*err = jobs[i].err;
				bad = 1;
				mi_pg_copy_end(jobs[i].conn, "load aborted", NULL, NULL);
				continue;
			}
			if (bad) {
				mi_pg_copy_end(jobs[i].conn, "load aborted", NULL, NULL);
				continue;
			}
			if (mi_pg_copy_end(jobs[i].conn, NULL, &rows, &jobs[i].err) < 0 ||
			    mi_pg_commit(jobs[i].conn, &jobs[i].err) < 0) {
				*err = jobs[i].err;
				snprintf(state, sizeof(state), "%s", mi_pg_last_sqlstate());
				bad = 1;
				continue;
			}
			sent += rows;
		}
		for (int i = 0; i < n; i++) {
			mi_pg_finish(jobs[i].conn);
			jobs[i].conn = NULL;
		}
		for (int i = 0; i < n; i++)
			if (jobs[i].fallback) {
				*err = jobs[i].err;
				snprintf(state, sizeof(state), "22000");
			}
		if (bad) {
			/* a row of another date (23514) or a bad value: the merge path decides */
			drop_build(conn, build);
			if (err->msg[0] && (!strncmp(state, "22", 2) || !strncmp(state, "23", 2))) {
				mi_log(MI_LOG_INFO, "pricing_fast_path_off", "%s", err->msg);
				mi_err_clear(err);
				ret = 0;
			}
			goto unlock;
		}
	}
	for (int i = 0; i < n; i++) {
		/* rejects of every slice, in file order */
		for (size_t k = 0; k < jobs[i].rejs.n; k++) {
			struct rej *r = &jobs[i].rejs.v[k];
			if (rej_add(&fc->rejs, r->line, r->offset, r->code, r->reason, r->excerpt,
				    r->excerpt ? strlen(r->excerpt) : 0) < 0) {
				mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				goto unlock;
			}
		}
		fc->rejs.total += jobs[i].rejs.total - (long long)jobs[i].rejs.n;
	}
	fc->c.rejected += fc->rejs.total;

	t_copy = mono_now();
	/* 3. key, attach and record in one transaction */
	if (mi_pg_begin(conn, err) < 0)
		goto unlock;
	if (mi_pg_exec(conn, "SET LOCAL maintenance_work_mem = '1GB'", err) < 0)
		goto fail;
	{
		const char *ap[2] = { build, snap };
		/* the snapshot date comes from the file: a parameter, never SQL text */
		res = mi_pg_query(conn,
				  "SELECT etl.load_pricing_attach(('etl.' || quote_ident($1))::regclass,"
				  " $2::date)",
				  2, ap, err);
	}
	if (!res)
		goto fail;
	dups = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	fc->c.inserted += sent - dups;
	fc->c.skipped += dups; /* duplicate keys in the file: the first one is kept */
	if (write_rejects(conn, fc, "load", err) < 0 || record_loaded(conn, fc, err) < 0)
		goto fail;
	if (finish_tx(conn, o, err) < 0)
		goto unlock;
	if (o->dry_run)
		drop_build(conn, build);
	mi_log(MI_LOG_INFO, "pricing_snapshot",
	       "snapshot %s: build table %.2f s, %d COPY streams %.2f s, key + attach + commit %.2f s",
	       snap, t_build - t_start, n, t_copy - t_build, mono_now() - t_copy);
	ret = 1;
	goto unlock;
fail:
	mi_pg_rollback(conn);
	drop_build(conn, build);
unlock:
	mi_pg_command(conn, "SELECT pg_advisory_unlock(hashtext('mi-load pricing ' || $1))", 1, p,
		      NULL, NULL);
out:
	for (int i = 0; i < n; i++) {
		mi_pg_finish(jobs[i].conn);
		rejlist_release(&jobs[i].rejs);
	}
	strbuf_release(&cols);
	strbuf_release(&copy);
	strbuf_release(&splits);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* The directory                                                            */
/* ------------------------------------------------------------------------ */

static void add_counts(struct load_counts *t, const struct load_counts *c)
{
	t->files += c->files;
	t->files_skipped += c->files_skipped;
	t->bytes += c->bytes;
	t->read += c->read;
	t->inserted += c->inserted;
	t->updated += c->updated;
	t->unchanged += c->unchanged;
	t->skipped += c->skipped;
	t->rejected += c->rejected;
	t->parse_rejects += c->parse_rejects;
}

static int load_one(PGconn *conn, struct file_ctx *fc, struct mi_err *err)
{
	int yes = 0, r;
	long long loaded = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (hash_file(fc->path, fc->sha, &fc->bytes, &fc->lines, err) < 0)
		return -1;
	fc->c.files = 1;
	fc->c.bytes = fc->bytes;
	fc->c.read = fc->lines;
	if (fc->e->id != REC_E_REJECTS &&
	    already_loaded(conn, fc->sha, fc->e->name, &yes, &loaded, err) < 0)
		return -1;
	if (yes) {
		/* what was rejected the first time still counts against the share */
		fc->c.files_skipped = 1;
		fc->c.rejected = loaded <= fc->lines ? fc->lines - loaded : 0;
		fc->c.skipped = fc->lines - fc->c.rejected;
		if (fc->o->report)
			fprintf(fc->o->report, "%s: unchanged (%s), %lld rows skipped\n", fc->name,
				fc->sha, fc->lines);
		return 0;
	}
	r = 0;
	if (fc->e->id == REC_E_PRICING)
		r = load_pricing_fast(conn, fc, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		rejlist_release(&fc->rejs);
		memset(&fc->c, 0, sizeof(fc->c));
		fc->c.files = 1;
		fc->c.bytes = fc->bytes;
		fc->c.read = fc->lines;
		if (load_generic(conn, fc, err) < 0)
			return -1;
	}
	if (fc->e->id == REC_E_REJECTS) {
		fc->c.parse_rejects = fc->c.inserted + fc->c.updated + fc->c.unchanged;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (fc->o->report)
		fprintf(fc->o->report,
			"%s: %lld read, %lld inserted, %lld updated, %lld unchanged, %lld skipped, "
			"%lld rejected in %.2f s%s\n",
			fc->name, fc->c.read, fc->c.inserted, fc->c.updated, fc->c.unchanged,
			fc->c.skipped, fc->c.rejected,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
			r == 1 ? " (snapshot built apart and attached)" : "");
	return 0;
}

static void to_ledger(const struct load_counts *t, struct ledger_counts *l)
{
	l->files = t->files;
	l->bytes = t->bytes;
	l->read = t->read;
	l->inserted = t->inserted;
	l->updated = t->updated;
	l->unchanged = t->unchanged;
	l->skipped = t->skipped;
	l->rejected = t->rejected;
}

int load_dir(PGconn *conn, const struct load_opts *o, struct load_counts *total,
	     struct mi_err *err)
{
	static const enum rec_entity_id order[] = { REC_E_PROPERTIES, REC_E_OWNERS, REC_E_SALES,
						    REC_E_LISTINGS,   REC_E_REVIEWS, REC_E_PRICING,
						    REC_E_REJECTS };
	struct load_counts t;
	struct ledger_counts lc;
	struct match_stats ms;
	char detail[1024];
	int ret = -1, any = 0;
	double share = 0;

	memset(&t, 0, sizeof(t));
	memset(&ms, 0, sizeof(ms));
	if (ledger_stage_begin(conn, o->run_id, "load", o->source, err) < 0)
		goto done;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct file_ctx fc;
		struct stat st;
		memset(&fc, 0, sizeof(fc));
		fc.o = o;
		fc.e = &rec_entities[order[i]];
		snprintf(fc.name, sizeof(fc.name), "%s", fc.e->file);
		snprintf(fc.path, sizeof(fc.path), "%s/%s", o->dir, fc.e->file);
		if (stat(fc.path, &st) < 0)
			continue;
		any = 1;
		mi_err_at(err, fc.path, 0, -1);
		if (load_one(conn, &fc, err) < 0) {
			rejlist_release(&fc.rejs);
			goto done;
		}
		rejlist_release(&fc.rejs);
		if (fc.e->id == REC_E_REJECTS) {
			/* the parser's rejects: counted apart, not as rows of the load */
			t.files += fc.c.files;
			t.files_skipped += fc.c.files_skipped;
			t.bytes += fc.c.bytes;
			t.parse_rejects += fc.c.parse_rejects;
			t.rejected += fc.c.rejected; /* lines of rejects.tsv we could not load */
			t.read += fc.c.rejected;
		} else {
			add_counts(&t, &fc.c);
		}
		to_ledger(&t, &lc);
		if (ledger_stage_update(conn, o->run_id, "load", o->source, "running", &lc, NULL,
					NULL, err) < 0)
			goto done;
	}
	mi_err_at(err, "", 0, -1);
	if (!any) {
		mi_err_set(err, MI_EXIT_NOINPUT, "no entity file (*.tsv) in '%s'", o->dir);
		goto done;
	}
	/* listings -> parcels, retried for every unmatched listing; then managers */
	if (match_run(conn, o->sqldir, o->run_id, o->source, o->dry_run, &ms, err) < 0)
		goto done;
	if (o->report)
		fprintf(o->report,
			"match: %lld by tmk, %lld by tat_id, %lld by address, %lld by geo, "
			"%lld unmatched; %lld manager changes\n",
			ms.by_tmk, ms.by_tat, ms.by_address, ms.by_geo, ms.unmatched,
			ms.manager_changes);
	ret = 0;
done:
	if (t.read + t.parse_rejects > 0)
		share = (double)(t.rejected + t.parse_rejects) / (double)(t.read + t.parse_rejects);
	if (ret == 0 && share > o->max_reject_share) {
		mi_err_set(err, MI_EXIT_DATA,
			   "source '%s': %lld of %lld rows rejected (%.2f%%), above the limit of %.2f%%",
			   o->source, t.rejected + t.parse_rejects, t.read + t.parse_rejects,
			   share * 100, o->max_reject_share * 100);
		mi_err_detail(err, "the rejects are in etl.rejects (run '%s'); what loaded is committed",
			      o->run_id);
		ret = -1;
	}
	if (o->report)
		fprintf(o->report,
			"total: %lld files (%lld unchanged), %lld read, %lld inserted, %lld updated, "
			"%lld unchanged, %lld skipped, %lld rejected, %lld parse rejects\n",
			t.files, t.files_skipped, t.read, t.inserted, t.updated, t.unchanged, t.skipped,
			t.rejected, t.parse_rejects);
	snprintf(detail, sizeof(detail),
		 "{\"files_unchanged\": %lld, \"parse_rejects\": %lld, \"reject_share\": %.6f, "
		 "\"match\": {\"tmk_in_listing\": %lld, \"tat_id\": %lld, \"address\": %lld, "
		 "\"geo\": %lld, \"unmatched\": %lld}, \"manager_changes\": %lld, \"dry_run\": %s}",
		 t.files_skipped, t.parse_rejects, share, ms.by_tmk, ms.by_tat, ms.by_address,
		 ms.by_geo, ms.unmatched, ms.manager_changes, o->dry_run ? "true" : "false");
	if (PQtransactionStatus(conn) == PQTRANS_IDLE) {
		struct mi_err e2 = MI_ERR_INIT;
		to_ledger(&t, &lc);
		if (ret == 0) {
			/* unchanged is what reconciles read with the rest */
			if (ledger_stage_update(conn, o->run_id, "load", o->source, "succeeded", &lc,
						detail, NULL, &e2) < 0) {
				*err = e2;
				ret = -1;
			}
		} else {
			ledger_stage_update(conn, o->run_id, "load", o->source, "failed", &lc, detail,
					    err->msg[0] ? err->msg : "failed", &e2);
		}
	}
	if (total)
		*total = t;
	return ret;
}
