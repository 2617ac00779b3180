#include "load_int.h"
#include "exitcode.h"
#include "log.h"
#include "pg.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

/*
 * The pricing fast path (load.h): a new snapshot built apart as a work table
 * partitioned by listing ranges, filled by parallel COPY streams, keyed and
 * attached in the transaction that records the file.
 */

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
	struct load_stream *j = arg;
	load_stream_run(j);
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
	char *buf = malloc(LOAD_CHUNK);
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
		ssize_t r = pread(fd, buf, LOAD_CHUNK, pos);
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

int load_pricing_fast(PGconn *conn, struct load_file *fc, struct mi_err *err)
{
	const struct load_opts *o = fc->o;
	const struct rec_entity *e = fc->e;
	char snap[16], build[64], state[6] = "";
	const char *p[2];
	unsigned char keep[REC_MAX_COLS];
	struct strbuf cols = STRBUF_INIT, copy = STRBUF_INIT, splits = STRBUF_INIT;
	int lcol = rec_column_index(e, "listing_id");
	struct load_stream jobs[4];
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
	{
		struct strbuf key[4] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
		const char *kv[4], *bp[3] = { build, snap, NULL };
		size_t nk = 0;
		int r;
		for (int i = 1; i < n; i++) {
			long long lim = off[i + 1];
			if (off[i] < lim &&
			    listing_boundary(fc->path, lcol, &off[i], &line[i], lim, &key[nk]) == 0) {
				kv[nk] = key[nk].buf;
				nk++;
			}
		}
		r = mi_pg_text_array(&splits, kv, nk);
		bp[2] = splits.buf;
		for (size_t k = 0; k < 4; k++)
			strbuf_release(&key[k]);
		if (r < 0) {
			mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			goto unlock;
		}
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
			jobs[i].btype[c] = load_copybin_type(e->cols[c].pgtype);
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
				*err = jobs[i].err; /* its SQLSTATE with it */
				snprintf(state, sizeof(state), "%s", err->sqlstate);
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
			struct load_rej *r = &jobs[i].rejs.v[k];
			if (load_rej_add(&fc->rejs, r->line, r->offset, r->code, r->reason, r->excerpt,
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
	if (load_rejects_write(conn, fc, "load", err) < 0 || load_record_file(conn, fc, err) < 0)
		goto fail;
	if (load_finish_tx(conn, o, err) < 0)
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
		load_rejlist_release(&jobs[i].rejs);
	}
	strbuf_release(&cols);
	strbuf_release(&copy);
	strbuf_release(&splits);
	return ret;
}
