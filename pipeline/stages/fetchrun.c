#include "fetchrun.h"
#include "exitcode.h"
#include "fetch.h"
#include "fetchq.h"
#include "landing.h"
#include "log.h"
#include "opts.h"
#include "source.h"
#include "strbuf.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

/* ---- a small string map (open addressing), for URLs ---- */

struct smap {
	char **keys;
	void **vals;
	size_t cap, n;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void **smap_slot(const struct smap *m, const char *key, size_t *idx)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = fnv(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->keys[i], key)) {
			*idx = i;
			return &m->vals[i];
		}
	*idx = i;
	return NULL;
}

static void *smap_get(const struct smap *m, const char *key)
{
	size_t i;
	void **v = smap_slot(m, key, &i);

	return v ? *v : NULL;
}

static int smap_has(const struct smap *m, const char *key)
{
	size_t i;

	return smap_slot(m, key, &i) != NULL;
}

/* Set key (copied) to val; the old value is returned in *old (may be NULL). */
static int smap_put(struct smap *m, const char *key, void *val, void **old)
{
	size_t i;
	void **v;

	if (old)
		*old = NULL;
	if ((m->n + 1) * 2 > m->cap) {
		struct smap nm = { NULL, NULL, m->cap ? m->cap * 2 : 64, 0 };
		size_t j;
		nm.keys = calloc(nm.cap, sizeof(*nm.keys));
		nm.vals = calloc(nm.cap, sizeof(*nm.vals));
		if (!nm.keys || !nm.vals) {
			free(nm.keys);
			free(nm.vals);
			return -1;
		}
		for (j = 0; j < m->cap; j++)
			if (m->keys[j]) {
				smap_slot(&nm, m->keys[j], &i);
				nm.keys[i] = m->keys[j];
				nm.vals[i] = m->vals[j];
				nm.n++;
			}
		free(m->keys);
		free(m->vals);
		*m = nm;
	}
	v = smap_slot(m, key, &i);
	if (v) {
		if (old)
			*old = *v;
		*v = val;
		return 0;
	}
	m->keys[i] = strdup(key);
	if (!m->keys[i])
		return -1;
	m->vals[i] = val;
	m->n++;
	return 0;
}

static void smap_free(struct smap *m, void (*fr)(void *))
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->keys[i]) {
			free(m->keys[i]);
			if (fr)
				fr(m->vals[i]);
		}
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- run context ---- */

struct vstate { /* HTTP validators of a URL (local queue) */
	char *etag, *last_modified, *sha256;
};

static void vstate_free(void *p)
{
	struct vstate *v = p;

	if (!v)
		return;
	free(v->etag);
	free(v->last_modified);
	free(v->sha256);
	free(v);
}

struct done_rec { /* what a manifest says about a URL (local resume) */
	int final;
	int page;
	char *next;
};

static void done_rec_free(void *p)
{
	struct done_rec *d = p;

	if (!d)
		return;
	free(d->next);
	free(d);
}

struct run {
	const struct fetchrun_opts *o;
	struct landing ld;
	struct landing_manifest man;
	struct source **srcs;
	size_t nsrc;
	const char **sel; /* ids of the selected sources */
	size_t nsel;
	struct fetch *f;
	struct fetchq *q;
	char worker[160];
	char date[16];
	struct smap seen;  /* URLs queued or done in this run (cursor repeats) */
	struct smap state; /* local: url -> struct vstate */
	FILE *state_fp;
	struct fetchrun_summary *sum;
	double last_renew, next_claim;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct source *find_source(const struct run *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nsrc; i++)
		if (!strcmp(r->srcs[i]->id, id))
			return r->srcs[i];
	return NULL;
}

static int selected(const struct run *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nsel; i++)
		if (!strcmp(r->sel[i], id))
			return 1;
	return 0;
}

/* ---- local HTTP state file ---- */

static int state_set(struct run *r, const char *url, const char *etag, const char *lm,
		     const char *sha)
{
	struct vstate *v = calloc(1, sizeof(*v));
	void *old;

	if (!v)
		return -1;
	v->etag = etag ? strdup(etag) : NULL;
	v->last_modified = lm ? strdup(lm) : NULL;
	v->sha256 = sha ? strdup(sha) : NULL;
	if (smap_put(&r->state, url, v, &old) < 0) {
		vstate_free(v);
		return -1;
	}
	vstate_free(old);
	return 0;
}

static int state_load(struct run *r, struct mi_err *err)
{
	struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
	FILE *fp;
	int rc, ret = -1;

	strbuf_addf(&path, "%s/fetch-state.jsonl", r->ld.dir);
	fp = fopen(path.buf, "r");
	if (fp) {
		strbuf_init(&line, 1 << 16);
		while ((rc = strbuf_getline(&line, fp)) != 0) {
			struct json_object *o, *u, *e, *l, *s;
			if (rc < 0)
				continue;
			o = json_tokener_parse(line.buf);
			if (!o)
				continue; /* a torn last line: the state is only a hint */
			if (json_object_object_get_ex(o, "url", &u) &&
			    json_object_is_type(u, json_type_string)) {
				json_object_object_get_ex(o, "etag", &e);
				json_object_object_get_ex(o, "last_modified", &l);
				json_object_object_get_ex(o, "sha256", &s);
				if (state_set(r, json_object_get_string(u),
					      e && json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL,
					      l && json_object_is_type(l, json_type_string) ? json_object_get_string(l) : NULL,
					      s && json_object_is_type(s, json_type_string) ? json_object_get_string(s) : NULL) < 0) {
					json_object_put(o);
					fclose(fp);
					mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
					goto out;
				}
			}
			json_object_put(o);
		}
		fclose(fp);
	}
	r->state_fp = fopen(path.buf, "a");
	if (!r->state_fp) {
		mi_err_set(err, MI_EXIT_IO, "cannot open '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&path);
	strbuf_release(&line);
	return ret;
}

static int state_append(struct run *r, const char *url, const char *etag, const char *lm,
			const char *sha, struct mi_err *err)
{
	struct json_object *o = json_object_new_object();
	const char *s;

	if (!o)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "etag", etag ? json_object_new_string(etag) : NULL);
	json_object_object_add(o, "last_modified", lm ? json_object_new_string(lm) : NULL);
	json_object_object_add(o, "sha256", sha ? json_object_new_string(sha) : NULL);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (fprintf(r->state_fp, "%s\n", s) < 0 || fflush(r->state_fp) != 0) {
		json_object_put(o);
		return mi_err_set(err, MI_EXIT_IO, "cannot write '%s/fetch-state.jsonl': %s",
				  r->ld.dir, strerror(errno));
	}
	json_object_put(o);
	if (state_set(r, url, etag, lm, sha) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	return 0;
}

/* ---- adding requests ---- */

static int add_req(struct run *r, const struct source *s, const char *url, int page,
		   long long qid, const char *etag, const char *lm, const char *sha,
		   struct mi_err *err)
{
	struct fetch_req req;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.src = s;
	req.page = page;
	req.user_id = qid;
	if (r->o->local) {
		const struct vstate *v = smap_get(&r->state, url);
		if (v && v->sha256 && landing_has(&r->ld, v->sha256)) {
			etag = v->etag;
			lm = v->last_modified;
			sha = v->sha256;
		}
	}
	/* validators are only worth sending when the body they stand for is still here */
	if (sha && landing_hash_ok(sha) && landing_has(&r->ld, sha)) {
		req.etag = etag;
		req.last_modified = lm;
		req.prev_sha256 = sha;
	}
	if (!smap_has(&r->seen, url) && smap_put(&r->seen, url, NULL, NULL) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	return fetch_add(r->f, &req, err);
}

/* ---- pagination ---- */

static int read_object(const struct landing *ld, const char *sha, long long max,
		       struct strbuf *out)
{
	char path[4096];
	char buf[65536];
	FILE *fp;
	size_t n;
	int ret = 0;

	if (!landing_object_path(ld, sha, path, sizeof(path)))
		return -1;
	fp = fopen(path, "rb");
	if (!fp)
		return -1;
	strbuf_init(out, (size_t)max);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (strbuf_add(out, buf, n) < 0) {
			ret = -1;
			break;
		}
	if (ferror(fp))
		ret = -1;
	fclose(fp);
	return ret;
}

/*
 * What a landed page says: its next page (NULL: none), its items (a JSON
 * page's items_field array; *items_known 0 when not counted) and a warning
 * when pagination stops where it should not: a full page (page_size items
 * or more) whose next_field resolves to nothing (the path is not in the
 * page; a null there is the API saying it was the last page).
 */
static char *next_page(struct run *r, const struct fetch_result *res, long long *items,
		       int *items_known, char *warn, size_t warn_size)
{
	const struct fetch_req *rq = res->req;
	const struct source *s = rq->src;
	struct strbuf body = STRBUF_INIT;
	struct mi_err e = MI_ERR_INIT;
	char *next = NULL;
	char pg[16];
	int next_present = 0;

	*items_known = 0;
	*items = 0;
	warn[0] = '\0';
	if ((s->paginate == SOURCE_PAGE_NONE && !s->expected_min_items) || !res->sha256[0])
		return NULL;
	if (read_object(&r->ld, res->sha256, s->max_body, &body) < 0) {
		mi_log_kv(MI_LOG_WARN, "paginate", "source", s->id, "url", rq->url, "msg",
			  "cannot read the landed page: pagination stops", NULL);
		goto out;
	}
	if (s->paginate == SOURCE_PAGE_JSON_NEXT || s->paginate == SOURCE_PAGE_NUMBER ||
	    s->expected_min_items) {
		if (fetch_page_info(s, body.buf, body.len, items, &next_present) == 0 && *items >= 0)
			*items_known = 1;
		else
			*items = 0;
	}
	if (fetch_next_url(s, body.buf, body.len, res->final_url ? res->final_url : rq->url,
			   r->date, rq->page, &next, &e) < 0) {
		mi_log_kv(MI_LOG_WARN, "paginate", "source", s->id, "url", rq->url, "msg", e.msg,
			  NULL);
		goto out;
	}
	snprintf(pg, sizeof(pg), "%d", rq->page);
	/* the API's own end is a null or empty next link; a path naming nothing
	 * on a full page is a misconfigured next_field, or an API that changed */
	if (!next && !next_present && s->paginate == SOURCE_PAGE_JSON_NEXT && s->page_size > 0 &&
	    *items_known && *items >= s->page_size) {
		snprintf(warn, warn_size,
			 "pagination stopped at page %d of a full page (%lld items, page_size %lld): "
			 "next_field '%s' resolves to nothing", rq->page, *items, s->page_size,
			 s->next_field);
		mi_log_kv(MI_LOG_WARN, "pagination_stopped", "source", s->id, "url", rq->url, "page",
			  pg, "msg", warn, NULL);
	}
	if (next && rq->page >= s->max_pages) {
		mi_log_kv(MI_LOG_WARN, "page_limit", "source", s->id, "url", rq->url, "page", pg,
			  "msg", "page limit reached: pagination stops", NULL);
		free(next);
		next = NULL;
	}
	if (next && smap_has(&r->seen, next)) {
		mi_log_kv(MI_LOG_WARN, "cursor_repeat", "source", s->id, "url", rq->url, "next", next,
			  "msg", "pagination cursor repeats: pagination stops", NULL);
		free(next);
		next = NULL;
	}
out:
	strbuf_release(&body);
	return next;
}

/* ---- the done callback ---- */

/* Keep a warning for the summary (the first FETCHRUN_MAX_WARNINGS; all are counted). */
static void summary_warn(struct fetchrun_summary *sum, const char *source, const char *msg)
{
	if (sum->nwarnings < FETCHRUN_MAX_WARNINGS)
		snprintf(sum->warnings[sum->nwarnings], sizeof(sum->warnings[0]), "%s: %s", source,
			 msg);
	sum->nwarnings++;
}

struct items_count {
	const char *source;
	long long items;
};

static int count_items(const struct landing_record *rec, void *data)
{
	struct items_count *c = data;

	if (rec->source && !strcmp(rec->source, c->source) && rec->items_known)
		c->items += rec->items;
	return 0;
}

/*
 * After the run: a source with expected_min_items whose landed pages (every
 * worker's, from the manifest) hold fewer items failed.
 */
static int check_min_items(struct run *r, struct mi_err *err)
{
	for (size_t i = 0; i < r->nsel; i++) {
		const struct source *s = find_source(r, r->sel[i]);
		struct items_count c = { s->id, 0 };
		char msg[256];

		if (!s->expected_min_items)
			continue;
		if (landing_run_foreach(r->ld.dir, r->o->run_id, 0, count_items, &c, err) < 0) {
			if (err->code != MI_EXIT_NOINPUT)
				return -1;
			mi_err_clear(err);
		}
		if (c.items >= s->expected_min_items)
			continue;
		snprintf(msg, sizeof(msg), "%lld items, expected at least %lld: the source failed",
			 c.items, s->expected_min_items);
		mi_log_kv(MI_LOG_WARN, "too_few_items", "source", s->id, "msg", msg, NULL);
		summary_warn(r->sum, s->id, msg);
		r->sum->short_sources++;
	}
	return 0;
}

/* The host name of an origin "scheme://host:port" (lowercase already); 0 or -1. */
static int origin_host(const char *origin, char *host, size_t size)
{
	const char *p = strstr(origin, "://");
	size_t n = 0;

	if (!p)
		return -1;
	for (p += 3; *p && *p != ':' && *p != '/' && n < size - 1; p++)
		host[n++] = *p;
	host[n] = '\0';
	return n && !strchr(host, '[') ? 0 : -1;
}

static int reserve_slot(const char *origin, double interval_s, double *delay_s, void *data,
			struct mi_err *err)
{
	struct run *r = data;
	char host[256];

	*delay_s = 0;
	if (origin_host(origin, host, sizeof(host)) < 0)
		return 0;
	return fetchq_reserve_host(r->q, host, (int)(interval_s * 1000 + 0.5), delay_s, err);
}

/* Tell the other workers: no claims for this host until its wait is over. */
static int park_host(struct run *r, const struct fetch_result *res, struct mi_err *err)
{
	char host[256];
	const char *p = strstr(res->req->url, "://");
	size_t n = 0;
	long wait = res->retry_after ? fetch_retry_after(res->retry_after, (long long)time(NULL)) : -1;

	if (!p || wait <= 0)
		return 0;
	for (p += 3; *p && *p != '/' && *p != ':' && *p != '?' && *p != '#' && n < sizeof(host) - 1; p++)
		host[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	host[n] = '\0';
	if (!n || strchr(host, '@') || strchr(host, '['))
		return 0;
	return fetchq_park_host(r->q, host, wait, res->error ? res->error : "parked", err);
}

static int on_done(struct fetch *f, const struct fetch_result *res, void *data,
		   struct mi_err *err)
{
	struct run *r = data;
	const struct fetch_req *rq = res->req;
	const struct source *s = rq->src;
	struct landing_record rec;
	char *next = NULL, warn[512];
	long long items = 0;
	int items_known = 0, ret = -1;

	(void)f;
	warn[0] = '\0';
	if (res->outcome == FETCH_LANDED || res->outcome == FETCH_NOT_MODIFIED)
		next = next_page(r, res, &items, &items_known, warn, sizeof(warn));
	memset(&rec, 0, sizeof(rec));
	rec.run = r->o->run_id;
	rec.source = s->id;
	rec.kind = s->kind;
	rec.format = s->format;
	rec.county = s->county;
	rec.url = rq->url;
	rec.final_url = res->final_url;
	rec.page = rq->page;
	rec.outcome = fetch_outcome_name(res->outcome);
	rec.status = (int)res->status;
	rec.sha256 = res->sha256[0] ? res->sha256 : NULL;
	rec.size = res->size;
	rec.content_type = res->content_type;
	rec.etag = res->etag;
	rec.last_modified = res->last_modified;
	rec.retry_after = res->retry_after;
	rec.content_encoding = res->content_encoding;
	rec.fetched_at = res->fetched_at;
	rec.elapsed_ms = res->elapsed_ms;
	rec.attempts = res->attempts;
	rec.error = res->error;
	rec.next = next;
	rec.worker = r->worker;
	rec.items_known = items_known;
	rec.items = items;
	rec.warning = warn[0] ? warn : NULL;
	if (landing_manifest_append(&r->man, &rec, err) < 0)
		goto out;
	if (warn[0])
		summary_warn(r->sum, s->id, warn);
	switch (res->outcome) {
	case FETCH_LANDED:
		r->sum->landed++;
		if (res->was_new)
			r->sum->new_bodies++;
		break;
	case FETCH_NOT_MODIFIED: r->sum->not_modified++; break;
	case FETCH_FAILED: r->sum->failed++; break;
	case FETCH_ROBOTS: r->sum->robots++; break;
	case FETCH_PARKED: r->sum->parked++; break;
	}
	mi_log_kv(res->outcome == FETCH_FAILED ? MI_LOG_WARN : MI_LOG_DEBUG, "fetched", "source",
		  s->id, "url", rq->url, "outcome", rec.outcome, "msg", res->error, NULL);
	if (r->o->local) {
		/* a 304 keeps the validators we sent; a 200 brings new ones */
		if (res->outcome == FETCH_LANDED &&
		    state_append(r, rq->url, res->etag, res->last_modified, res->sha256, err) < 0)
			goto out;
		if (next && add_req(r, s, next, rq->page + 1, 0, NULL, NULL, NULL, err) < 0)
			goto out;
	} else {
		struct fetchq_done d;
		int rc;
		memset(&d, 0, sizeof(d));
		d.id = rq->user_id;
		d.run_id = r->o->run_id;
		d.source_id = s->id;
		d.url = rq->url;
		d.outcome = rec.outcome;
		d.status = (int)res->status;
		d.sha256 = rec.sha256;
		d.etag = res->outcome == FETCH_NOT_MODIFIED ? rq->etag : res->etag;
		d.last_modified =
			res->outcome == FETCH_NOT_MODIFIED ? rq->last_modified : res->last_modified;
		d.size = res->size;
		d.error = res->error;
		d.next_url = next;
		d.next_page = rq->page + 1;
		rc = fetchq_finish(r->q, &d, err);
		if (rc < 0)
			goto out;
		if (res->outcome == FETCH_PARKED && park_host(r, res, err) < 0)
			goto out;
		if (rc == 0)
			mi_log_kv(MI_LOG_WARN, "lease_lost", "url", rq->url, "msg",
				  "another worker reclaimed this item", NULL);
		if (next && !smap_has(&r->seen, next) && smap_put(&r->seen, next, NULL, NULL) < 0) {
			mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	free(next);
	return ret;
}

/* ---- the shared queue ---- */

struct mfind {
	const char *url;
	char sha[LANDING_HASH_HEX];
	char outcome[16];
	int status;
	long long size;
	int found;
};

static int mfind_cb(const struct landing_record *rec, void *data)
{
	struct mfind *m = data;

	if (!strcmp(rec->url, m->url)) {
		snprintf(m->sha, sizeof(m->sha), "%s", rec->sha256);
		snprintf(m->outcome, sizeof(m->outcome), "%s", rec->outcome);
		m->status = rec->status;
		m->size = rec->size;
		m->found = 1;
	}
	return 0;
}

/*
 * An item claimed for the second time may have landed already, before its
 * worker died: the manifest says so, and the item is finished from it.
 */
static int already_landed(struct run *r, const struct fetchq_item *it, struct mi_err *err)
{
	struct mfind m;
	struct fetchq_done d;

	memset(&m, 0, sizeof(m));
	m.url = it->url;
	if (landing_run_foreach(r->ld.dir, r->o->run_id, 0, mfind_cb, &m, err) < 0)
		return err->code == MI_EXIT_NOINPUT ? (mi_err_clear(err), 0) : -1;
	if (!m.found)
		return 0;
	memset(&d, 0, sizeof(d));
	d.id = it->id;
	d.run_id = r->o->run_id;
	d.source_id = it->source_id;
	d.url = it->url;
	d.outcome = m.outcome;
	d.status = m.status;
	d.sha256 = m.sha;
	d.size = m.size;
	mi_log_kv(MI_LOG_INFO, "resumed", "url", it->url, "msg",
		  "landed before its worker stopped: not fetched again", NULL);
	r->sum->skipped++;
	return fetchq_finish(r->q, &d, err) < 0 ? -1 : 1;
}

static int claim(struct run *r, int want, struct mi_err *err)
{
	struct fetchq_item *items = NULL;
	int n, i, ret = -1;

	n = fetchq_claim(r->q, r->o->run_id, r->sel, r->nsel, want, r->o->lease_s, &items, err);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct source *s = find_source(r, items[i].source_id);
		if (!s) {
			/* selected by id, so this cannot happen unless the config changed under us */
			mi_err_set(err, MI_EXIT_CONFIG, "queue item for unknown source '%s'",
				   items[i].source_id);
			goto out;
		}
		if (items[i].claims > 1) {
			int rc = already_landed(r, &items[i], err);
			if (rc < 0)
				goto out;
			if (rc > 0)
				continue;
		}
		if (add_req(r, s, items[i].url, items[i].page, items[i].id, items[i].etag,
			    items[i].last_modified, items[i].last_sha256, err) < 0)
			goto out;
	}
	ret = n;
out:
	fetchq_items_free(items, n);
	return ret;
}

static int on_tick(struct fetch *f, int want, void *data, struct mi_err *err)
{
	struct run *r = data;

	for (;;) {
		double now = mono();
		long long out;

		if (now - r->last_renew >= r->o->lease_s / 3.0) {
			if (fetchq_renew(r->q, r->o->run_id, r->o->lease_s, err) < 0)
				return -1;
			r->last_renew = now;
		}
		if (want > 0 && now >= r->next_claim) {
			int n = claim(r, want, err);
			if (n < 0)
				return -1;
			r->next_claim = n >= want ? now : now + (n ? 0.2 : 0.5);
		}
		if (fetch_pending(f) > 0)
			return 0;
		/* nothing in hand: wait while other workers still hold items */
		out = fetchq_outstanding(r->q, r->o->run_id, r->sel, r->nsel, err);
		if (out < 0)
			return -1;
		if (out == 0)
			return 0;
		if (want <= 0)
			want = 1;
		{
			struct timespec ts = { 0, 300 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
}

/* ---- the local queue: the manifest says what is done ---- */

static int load_done_cb(const struct landing_record *rec, void *data)
{
	struct run *r = data;
	struct done_rec *d;
	void *old;
	int final;

	if (!rec->url || !rec->outcome)
		return 0;
	final = !strcmp(rec->outcome, "landed") || !strcmp(rec->outcome, "not_modified") ||
		!strcmp(rec->outcome, "robots") ||
		(!strcmp(rec->outcome, "failed") && !r->o->retry_failed);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -2;
	d->final = final;
	d->page = rec->page;
	d->next = rec->next ? strdup(rec->next) : NULL;
	if (smap_put(&r->seen, rec->url, d, &old) < 0) {
		done_rec_free(d);
		return -2;
	}
	if (old) {
		/* a later line wins, but never undoes a final one */
		struct done_rec *o = old;
		if (o->final && !d->final) {
			size_t i;
			void **slot = smap_slot(&r->seen, rec->url, &i);
			*slot = o;
			done_rec_free(d);
			return 0;
		}
		done_rec_free(o);
	}
	return 0;
}

static int seed_local(struct run *r, const struct source *s, struct mi_err *err)
{
	char *url = source_url(s, r->date, s->page_start, err);
	int page = s->page_start, hops = 0, ret = -1;

	if (!url)
		return -1;
	for (;;) {
		const struct done_rec *d = smap_get(&r->seen, url);
		if (!d || !d->final) {
			ret = add_req(r, s, url, page, 0, NULL, NULL, NULL, err);
			break;
		}
		r->sum->skipped++;
		if (!d->next || ++hops > s->max_pages) {
			ret = 0;
			break;
		}
		free(url);
		url = strdup(d->next);
		page = d->page + 1;
		if (!url) {
			mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			return -1;
		}
	}
	free(url);
	return ret;
}

/* ---- the run ---- */

static int select_sources(struct run *r, struct mi_err *err)
{
	const struct fetchrun_opts *o = r->o;
	size_t i;

	r->sel = calloc(r->nsrc + 1, sizeof(*r->sel));
	if (!r->sel)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	for (i = 0; i < o->nonly; i++) {
		const struct source *s = find_source(r, o->only[i]);
		if (!s)
			return mi_err_set(err, MI_EXIT_USAGE, "no source '%s' in '%s'", o->only[i],
					  o->sources_dir);
		if (!s->enabled)
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "source '%s' is disabled (enabled = false in '%s')",
					  s->id, s->cfg.path);
	}
	for (i = 0; i < r->nsrc; i++) {
		const struct source *s = r->srcs[i];
		size_t j;
		int want = s->enabled && !o->nonly;
		for (j = 0; j < o->nonly; j++)
			if (!strcmp(o->only[j], s->id))
				want = 1;
		if (want && !selected(r, s->id))
			r->sel[r->nsel++] = s->id;
	}
	return 0;
}

int fetchrun(const struct fetchrun_opts *o, struct fetchrun_summary *sum, struct mi_err *err)
{
	struct run r;
	struct fetch_opts fo;
	struct fetch_stats st;
	double t0 = mono();
	char host[128];
	size_t i;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	memset(sum, 0, sizeof(*sum));
	r.o = o;
	r.sum = sum;
	r.man.fd = -1;
	if (!landing_run_id_ok(o->run_id))
		return mi_err_set(err, MI_EXIT_USAGE,
				  "bad run id '%s': use letters, digits, '.', '_', '-' (at most 64)",
				  o->run_id);
	if (o->date)
		snprintf(r.date, sizeof(r.date), "%s", o->date);
	else {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(r.date, sizeof(r.date), "%Y-%m-%d", &tm);
	}
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(r.worker, sizeof(r.worker), "%s:%ld", host, (long)getpid());

	if (source_load_dir(o->sources_dir, &r.srcs, &r.nsrc, err) < 0)
		goto out;
	if (select_sources(&r, err) < 0)
		goto out;
	if (!r.nsel) {
		mi_log(MI_LOG_WARN, "no_sources", "no enabled source in '%s'", o->sources_dir);
		ret = 0;
		goto out;
	}
	if (o->dry_run) {
		for (i = 0; i < r.nsel; i++) {
			const struct source *s = find_source(&r, r.sel[i]);
			char *url = source_url(s, r.date, s->page_start, err);
			if (!url)
				goto out;
			if (printf("%s\t%s\n", s->id, url) < 0) {
				free(url);
				mi_err_set(err, MI_EXIT_IO, "cannot write to standard output");
				goto out;
			}
			free(url);
		}
		ret = 0;
		goto out;
	}
	if (landing_open(&r.ld, o->landing_dir, err) < 0)
		goto out;
	r.ld.no_fsync = o->no_fsync;
	if (landing_manifest_open(&r.ld, o->run_id, &r.man, err) < 0)
		goto out;

	memset(&fo, 0, sizeof(fo));
	fo.user_agent = o->user_agent ? o->user_agent : "mi-fetch/" MI_VERSION " (market-intelligence)";
	fo.max_inflight = o->max_inflight;
	fo.deadline = o->budget_s ? (long long)time(NULL) + o->budget_s : 0;
	fo.politeness = o->politeness;
	fo.backoff_base_ms = o->backoff_base_ms;
	fo.ca_file = o->ca_file;
	if (!o->local) {
		fo.reserve = reserve_slot;
		fo.reserve_data = &r;
	}
	r.f = fetch_new(&fo, &r.ld, err);
	if (!r.f)
		goto out;

	if (o->local) {
		if (state_load(&r, err) < 0)
			goto out;
		{
			int rc = landing_run_foreach(r.ld.dir, o->run_id, LANDING_ALL, load_done_cb, &r,
						     err);
			if (rc == -2) {
				mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				goto out;
			}
			if (rc < 0 && err->code != MI_EXIT_NOINPUT)
				goto out;
			mi_err_clear(err);
		}
		for (i = 0; i < r.nsel; i++)
			if (seed_local(&r, find_source(&r, r.sel[i]), err) < 0)
				goto out;
		if (fetch_run(r.f, on_done, NULL, &r, err) < 0)
			goto out;
	} else {
		r.q = fetchq_open(o->conninfo, r.worker, err);
		if (!r.q)
			goto out;
		if (fetchq_register_run(r.q, o->run_id, err) < 0)
			goto out;
		for (i = 0; i < r.nsel; i++) {
			const struct source *s = find_source(&r, r.sel[i]);
			char *url = source_url(s, r.date, s->page_start, err);
			int rc;
			if (!url)
				goto out;
			rc = fetchq_enqueue(r.q, o->run_id, s->id, url, s->page_start, err);
			free(url);
			if (rc < 0)
				goto out;
		}
		if (o->retry_failed && fetchq_retry_failed(r.q, o->run_id, err) < 0)
			goto out;
		r.last_renew = mono();
		if (fetch_run(r.f, on_done, on_tick, &r, err) < 0)
			goto out;
		{
			long long w = fetchq_parked_waiting(r.q, o->run_id, err);
			if (w < 0)
				goto out;
			if (w > 0)
				mi_log(MI_LOG_WARN, "parked_waiting",
				       "%lld items wait for parked hosts: a later run with this id fetches them", w);
			sum->parked += w;
		}
	}
	if (check_min_items(&r, err) < 0)
		goto out;
	ret = 0;
out:
	if (r.f) {
		fetch_get_stats(r.f, &st);
		sum->requests = st.requests;
		sum->retries = st.retries;
		sum->bytes = st.bytes;
	}
	sum->seconds = mono() - t0;
	fetch_free(r.f);
	fetchq_close(r.q);
	if (r.state_fp && fclose(r.state_fp) != 0 && ret == 0)
		ret = mi_err_set(err, MI_EXIT_IO, "cannot write '%s/fetch-state.jsonl': %s", r.ld.dir,
				 strerror(errno));
	landing_manifest_close(&r.man);
	smap_free(&r.seen, o->local ? done_rec_free : NULL);
	smap_free(&r.state, vstate_free);
	free(r.sel);
	source_free_all(r.srcs, r.nsrc);
	landing_release(&r.ld);
	return ret;
}
