#include "load_int.h"
#include "exitcode.h"
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MAX_STORED_REJECTS 20000  /* per file; more are counted, not stored */
#define EXCERPT_MAX 512

static void rej_free_one(struct load_rej *r)
{
	free(r->code);
	free(r->reason);
	free(r->excerpt);
	free(r->landing_hash);
	free(r->src_path);
}

void load_rejlist_truncate(struct load_rejlist *l, size_t n, long long total)
{
	while (l->n > n)
		rej_free_one(&l->v[--l->n]);
	l->total = total;
}

void load_rejlist_release(struct load_rejlist *l)
{
	load_rejlist_truncate(l, 0, 0);
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

int load_rej_add(struct load_rejlist *l, long long line, long long offset, const char *code,
		 const char *reason, const char *excerpt, size_t excerpt_len)
{
	struct load_rej *r;

	l->total++;
	if (l->n >= MAX_STORED_REJECTS)
		return 0;
	if (l->n == l->alloc) {
		size_t na = l->alloc ? 2 * l->alloc : 64;
		struct load_rej *nv = realloc(l->v, na * sizeof(*nv));
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

int load_rejects_write(PGconn *conn, struct load_file *fc, const char *stage, struct mi_err *err)
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
		const struct load_rej *r = &fc->rejs.v[i];
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
