#include "load_int.h"
#include "exitcode.h"
#include "ledger.h"
#include "log.h"
#include "match.h"
#include "pg.h"
#include "sha256.h"
#include "sqlscript.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define SEND_CHUNK (1u << 20)     /* COPY message size */
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
/* Streaming a file into COPY                                               */
/* ------------------------------------------------------------------------ */

static int stream_flush(struct load_stream *j, struct strbuf *out)
{
	if (!out->len)
		return 0;
	if (mi_pg_copy_send(j->conn, out->buf, out->len, &j->err) < 0)
		return -1;
	strbuf_reset(out);
	return 0;
}

static int stream_line(struct load_stream *j, const char *line, size_t len, long long lineno,
		       long long offset, struct strbuf *out)
{
	const char *why = load_check_line(line, len, j->ncols);

	if (why) {
		if (load_rej_add(&j->rejs, lineno, offset, why, reason_text(why), line, len) < 0)
			return mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
		return 0;
	}
	if (!j->keep) {
		if (strbuf_add(out, line, len) < 0 || strbuf_addch(out, '\n') < 0)
			return mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
	} else if (j->binary) {
		int bad = 0;
		size_t at = 0, n = 0;
		int r = load_copybin_row(out, line, len, j->ncols, j->keep, j->btype, j->nkeep, &bad,
					 &at, &n);
		if (r < 0)
			return mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
		if (r > 0) {
			j->fallback = 1;
			return mi_err_set(&j->err, MI_EXIT_DATA,
					  "line %lld: value '%.*s' of column '%s' cannot be sent "
					  "in binary", lineno, (int)(n > 60 ? 60 : n), line + at,
					  j->cols[bad].name);
		}
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

int load_stream_run(struct load_stream *j)
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
	buf = malloc(LOAD_CHUNK);
	if (!buf) {
		mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if (j->binary && load_copybin_header(&out) < 0) {
		mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	for (;;) {
		size_t want = LOAD_CHUNK - have;
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
		if (start == 0 && have == LOAD_CHUNK) {
			/* a line longer than the buffer: reject it and skip to its end */
			char c;
			load_rej_add(&j->rejs, lineno, line_off, "line_too_long", "line too long", buf, 200);
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
	if (j->binary && load_copybin_trailer(&out) < 0) {
		mi_err_set(&j->err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
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

static int is_data_error(const char *state)
{
	/* 22 data exception, 23 integrity violation, 21 cardinality */
	return state[0] == '2' && (state[1] == '2' || state[1] == '3' || state[1] == '1');
}

/*
 * The staging row's place in the original input, from four columns of row r
 * starting at column c: src_line, src_offset, landing_hash, src_path.
 */
static void rej_locate(struct load_rej *rj, const PGresult *res, int r, int c)
{
	rj->src_line = PQgetisnull(res, r, c) ? 0 : atoll(PQgetvalue(res, r, c));
	rj->src_offset = PQgetisnull(res, r, c + 1) ? -1 : atoll(PQgetvalue(res, r, c + 1));
	if (!PQgetisnull(res, r, c + 2))
		rj->landing_hash = strdup(PQgetvalue(res, r, c + 2));
	if (!PQgetisnull(res, r, c + 3))
		rj->src_path = strdup(PQgetvalue(res, r, c + 3));
}

/* Run the ranged steps over [lo, hi]; bisect under savepoints on bad data. */
static int merge_range(PGconn *conn, const struct sqlscript *s,
		       const struct sqlscript_params *mp,
		       long long lo, long long hi, struct load_file *fc, struct mi_err *err)
{
	size_t rn0 = fc->rejs.n;
	long long rt0 = fc->rejs.total, ins = 0, upd = 0, rej = 0;
	struct mi_err e2 = MI_ERR_INIT;
	int failed = 0;

	if (lo > hi)
		return 0;
	if (mi_pg_exec(conn, "SAVEPOINT load_batch", err) < 0)
		return -1;
	for (int i = 0; i < s->n && !failed; i++) {
		PGresult *res;
		if (s->v[i].kind == SQLSCRIPT_FINAL)
			continue;
		res = sqlscript_exec(conn, s->v[i].sql, mp, lo, hi, &e2);
		if (!res) {
			failed = 1;
			break;
		}
		if (s->v[i].kind == SQLSCRIPT_COUNT) {
			for (int r = 0; r < PQntuples(res); r++) {
				if (PQgetvalue(res, r, 0)[0] == 't')
					ins++;
				else
					upd++;
			}
		} else if (s->v[i].kind == SQLSCRIPT_REJECT) {
			/* rn, reason_code, reason, src_line, src_offset, landing_hash, src_path, excerpt */
			for (int r = 0; r < PQntuples(res); r++) {
				const char *ex = PQgetvalue(res, r, 7);
				if (load_rej_add(&fc->rejs, 0, -1, PQgetvalue(res, r, 1),
					    PQgetvalue(res, r, 2), PQgetisnull(res, r, 7) ? NULL : ex,
					    strlen(ex)) < 0) {
					PQclear(res);
					return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				}
				if (fc->rejs.n && fc->rejs.n > rn0) {
					struct load_rej *rj = &fc->rejs.v[fc->rejs.n - 1];
					rj->rn = atoll(PQgetvalue(res, r, 0));
					rej_locate(rj, res, r, 3);
				}
				rej++;
			}
		}
		PQclear(res);
	}
	if (!failed) {
		if (mi_pg_exec(conn, "RELEASE SAVEPOINT load_batch", err) < 0)
			return -1;
		fc->c.inserted += ins;
		fc->c.updated += upd;
		fc->c.rejected += rej;
		fc->c.unchanged += (hi - lo + 1) - ins - upd - rej;
		return 0;
	}
	/* undo this range's effects, rejects included */
	if (mi_pg_exec(conn, "ROLLBACK TO SAVEPOINT load_batch", err) < 0 ||
	    mi_pg_exec(conn, "RELEASE SAVEPOINT load_batch", err) < 0)
		return -1;
	load_rejlist_truncate(&fc->rejs, rn0, rt0);
	if (!is_data_error(e2.sqlstate)) {
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
		if (load_rej_add(&fc->rejs, 0, -1, "database", e2.msg,
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
			struct load_rej *rj = &fc->rejs.v[fc->rejs.n - 1];
			rj->rn = lo;
			rej_locate(rj, res, 0, 0);
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
static int drop_rejected(PGconn *conn, const struct load_file *fc, struct mi_err *err)
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

int load_record_file(PGconn *conn, struct load_file *fc, struct mi_err *err)
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

int load_finish_tx(PGconn *conn, const struct load_opts *o, struct mi_err *err)
{
	if (o->dry_run) {
		mi_pg_rollback(conn);
		return 0;
	}
	return mi_pg_commit(conn, err);
}

/*
 * The match (match.c) reads the listings and the place columns of the
 * parcels: a file that wrote either leaves a row in etl.load_match_pending,
 * in its own transaction, for the match after the files.  A listings file
 * marks whenever it has rows (its disappearance sweep writes rows its count
 * does not see); a parcels file when it inserted or changed one.  Owners,
 * sales and reviews write nothing the match reads: the parcels they add carry
 * no place, and a listing a TMK names enters the registry by the match itself.
 */
static int match_mark(PGconn *conn, const struct load_file *fc, long long rows,
		      struct mi_err *err)
{
	const char *p[3] = { fc->o->run_id, fc->o->source, fc->name };

	if (!(fc->e->id == REC_E_LISTINGS && rows > 0) &&
	    !(fc->e->id == REC_E_PROPERTIES && fc->c.inserted + fc->c.updated > 0))
		return 0;
	return mi_pg_command(conn,
			     "INSERT INTO etl.load_match_pending (run_id, source, file_name) "
			     "VALUES ($1, $2, $3)",
			     3, p, NULL, err) < 0
		       ? -1
		       : 0;
}

/*
 * Once a file's merge has written its rows, the tables it filled beyond what
 * their statistics know are analyzed, in its transaction (ANALYZE counts the
 * transaction's own rows; etl.load_analyze_grown, sql/109): after a load that
 * did not commit, a vacuum of its dead rows leaves statistics of 0 rows on
 * full pages, and the file's last steps (the listings' disappearance sweep),
 * the match and the night's later stages would be planned for empty tables.
 */
static int analyze_grown(PGconn *conn, const struct load_file *fc, struct mi_err *err)
{
	static const char *const tables[REC_E_COUNT] = {
		[REC_E_PROPERTIES] = "{external.properties}",
		[REC_E_OWNERS] = "{external.properties}",
		[REC_E_SALES] = "{external.property_sales,external.properties}",
		[REC_E_LISTINGS] = "{etl.listings}",
		[REC_E_REVIEWS] = "{external.property_reviews,etl.listings}",
	};
	char rows[24];
	const char *p[2] = { NULL, rows };

	/*
	 * The function analyzes nothing under 1,000 rows (p_rows >= 1000 in
	 * sql/109): the same floor here spares a small file the savepoint and
	 * the round trip.
	 */
	if (fc->e->id >= REC_E_COUNT || !tables[fc->e->id] || fc->c.inserted < 1000)
		return 0;
	p[0] = tables[fc->e->id];
	snprintf(rows, sizeof(rows), "%lld", fc->c.inserted);
	if (mi_pg_exec(conn, "SAVEPOINT load_analyze", err) < 0)
		return -1;
	if (mi_pg_command(conn, "SELECT etl.load_analyze_grown($1::regclass[], $2::bigint)", 2, p,
			  NULL, err) < 0) {
		/* a role not granted it yet (config/ops/db-role.sql) loads all the same */
		if (strcmp(err->sqlstate, "42501") != 0)
			return -1;
		mi_log(MI_LOG_WARN, "analyze_denied", "%s: cannot analyze the tables it filled: %s",
		       fc->name, err->msg);
		mi_err_clear(err);
		if (mi_pg_exec(conn, "ROLLBACK TO SAVEPOINT load_analyze", err) < 0)
			return -1;
	}
	return mi_pg_exec(conn, "RELEASE SAVEPOINT load_analyze", err) < 0 ? -1 : 0;
}

static int load_generic(PGconn *conn, struct load_file *fc, struct mi_err *err)
{
	struct strbuf create = STRBUF_INIT, copy = STRBUF_INIT;
	struct sqlscript s;
	struct sqlscript_params mp = { fc->o->run_id, fc->o->source, fc->name, fc->o->date };
	struct load_stream j;
	long long rows = 0;
	int ret = -1, script_ok = 0;

	memset(&j, 0, sizeof(j));
	memset(&s, 0, sizeof(s));
	if (sqlscript_read(&s, fc->o->sqldir, fc->e->name, err) < 0)
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
	if (load_stream_run(&j) < 0) {
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
	/*
	 * The merges' plans need the row count and a rough number of distinct
	 * keys, which a sample of 3,000 rows gives: the default 30,000 of every
	 * wide text column took as long as the COPY itself.
	 */
	if (mi_pg_exec(conn, "SET LOCAL default_statistics_target = 10", err) < 0 ||
	    mi_pg_exec(conn, "ANALYZE stg", err) < 0)
		goto fail;
	if (merge_range(conn, &s, &mp, 1, rows, fc, err) < 0)
		goto fail;
	if (analyze_grown(conn, fc, err) < 0)
		goto fail;
	if (drop_rejected(conn, fc, err) < 0)
		goto fail;
	for (int i = 0; i < s.n; i++) {
		PGresult *res;
		if (s.v[i].kind != SQLSCRIPT_FINAL)
			continue;
		res = sqlscript_exec(conn, s.v[i].sql, &mp, 1, rows, err);
		if (!res)
			goto fail;
		PQclear(res);
	}
	if (load_rejects_write(conn, fc, "load", err) < 0 || load_record_file(conn, fc, err) < 0 ||
	    match_mark(conn, fc, rows, err) < 0)
		goto fail;
	if (load_finish_tx(conn, fc->o, err) < 0)
		goto out;
	ret = 0;
	goto out;
fail:
	mi_pg_rollback(conn);
out:
	load_rejlist_release(&j.rejs);
	(void)script_ok;
	sqlscript_release(&s);
	strbuf_release(&create);
	strbuf_release(&copy);
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

/*
 * Two loads of one file at once (two mi-load of a folder, a backfill beside
 * the nightly) take turns: a session advisory lock per content hash and
 * entity, held from the "already loaded?" check to the commit.  The second
 * waits for the first (at most lock_timeout), then finds the file in
 * etl.loaded_files and skips it, instead of failing on its key.
 */
static int file_lock(PGconn *conn, const struct load_file *fc, int lock, struct mi_err *err)
{
	const char *p[2] = { fc->sha, fc->e->name };

	return mi_pg_command(conn,
			     lock ? "SELECT pg_advisory_lock(hashtext('mi-load file'),"
				    " hashtext($1 || ' ' || $2))"
				  : "SELECT pg_advisory_unlock(hashtext('mi-load file'),"
				    " hashtext($1 || ' ' || $2))",
			     2, p, NULL, err);
}

static int load_one_locked(PGconn *conn, struct load_file *fc, struct mi_err *err);

static int load_one(PGconn *conn, struct load_file *fc, struct mi_err *err)
{
	int ret;

	if (mi_sha256_file(fc->path, fc->sha, &fc->bytes, &fc->lines, err) < 0)
		return -1;
	if (fc->e->id == REC_E_REJECTS)
		return load_one_locked(conn, fc, err); /* replaced per run, no key */
	if (file_lock(conn, fc, 1, err) < 0)
		return -1;
	ret = load_one_locked(conn, fc, err);
	file_lock(conn, fc, 0, NULL);
	return ret;
}

static int load_one_locked(PGconn *conn, struct load_file *fc, struct mi_err *err)
{
	int yes = 0, r;
	long long loaded = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
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
			fprintf(fc->o->report, "%s: unchanged (%s): already loaded, %lld rows skipped\n",
				fc->name, fc->sha, fc->lines);
		return 0;
	}
	r = 0;
	if (fc->e->id == REC_E_PRICING)
		r = load_pricing_fast(conn, fc, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		load_rejlist_release(&fc->rejs);
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

/*
 * The pricing work tables of loads killed during their COPY (whatever their
 * date; a load at work keeps its own): etl.load_pricing_drop_stale.  A
 * failure here is a warning, not a reason to load nothing.
 */
static void drop_stale_builds(PGconn *conn, const struct load_opts *o)
{
	struct mi_err e = MI_ERR_INIT;
	PGresult *res = mi_pg_query(conn, "SELECT etl.load_pricing_drop_stale()", 0, NULL, &e);

	if (!res) {
		mi_log(MI_LOG_WARN, "stale_work_tables", "cannot drop stale pricing work tables: %s",
		       e.msg);
		return;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		mi_log(MI_LOG_INFO, "stale_work_table", "dropped %s (left by a killed load)",
		       PQgetvalue(res, i, 0));
		if (o->report)
			fprintf(o->report, "dropped %s, left by a killed load\n",
				PQgetvalue(res, i, 0));
	}
	PQclear(res);
}

static void to_ledger(const struct load_counts *t, struct ledger_counts *l)
{
	l->files = t->files;
	l->bytes = t->bytes;
	l->read = t->read;
	l->inserted = t->inserted;
	l->updated = t->updated;
	l->out = t->inserted + t->updated;
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
	struct load_opts od = *o; /* o, with the day the rows were seen resolved */
	struct load_counts t;
	struct ledger_counts lc;
	struct match_stats ms;
	char detail[1024], today[16];
	int ret = -1, any = 0;
	double share = 0;

	memset(&t, 0, sizeof(t));
	memset(&ms, 0, sizeof(ms));
	if (!od.date) {
		/* the server's today, asked once: one day for every file, even across midnight */
		PGresult *res = mi_pg_query(conn, "SELECT current_date::text", 0, NULL, err);
		if (!res)
			goto done;
		snprintf(today, sizeof(today), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		od.date = today;
	}
	o = &od;
	if (!o->dry_run)
		drop_stale_builds(conn, o);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct load_file fc;
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
			load_rejlist_release(&fc.rejs);
			goto done;
		}
		load_rejlist_release(&fc.rejs);
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
