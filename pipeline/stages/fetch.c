#include "fetch.h"
#include "atomicfile.h"
#include "exitcode.h"
#include "log.h"
#include "robots.h"
#include "strbuf.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

/* ------------------------------------------------------------------ */
/* pure helpers                                                        */
/* ------------------------------------------------------------------ */

long fetch_retry_after(const char *value, long long now)
{
	char buf[128];
	size_t n, i;
	time_t t;

	if (!value)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	n = strlen(value);
	while (n && isspace((unsigned char)value[n - 1]))
		n--;
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, value, n);
	buf[n] = '\0';
	for (i = 0; i < n && isdigit((unsigned char)buf[i]); i++)
		;
	if (i == n) {
		if (n > 9) /* more than 31 years: treat as "very long" */
			return 999999999L;
		return strtol(buf, NULL, 10);
	}
	/* an HTTP date needs letters (day or month names); curl_getdate is lenient */
	for (i = 0; i < n && !isalpha((unsigned char)buf[i]); i++)
		;
	if (i == n)
		return -1;
	t = curl_getdate(buf, NULL);
	if (t == (time_t)-1)
		return -1;
	return t > now ? (long)(t - now) : 0;
}

long fetch_backoff_ms(int attempt, long base_ms, long cap_ms, double rnd)
{
	double d = (double)base_ms;
	int i;

	if (attempt < 1)
		attempt = 1;
	for (i = 1; i < attempt && d < (double)cap_ms; i++)
		d *= 2;
	if (d > (double)cap_ms)
		d = (double)cap_ms;
	if (rnd < 0)
		rnd = 0;
	if (rnd >= 1)
		rnd = 0.999999;
	return (long)(d / 2 + rnd * (d / 2));
}

int fetch_retryable(int curl_code, long status)
{
	switch (curl_code) {
	case CURLE_OK:
		return status == 429 || (status >= 500 && status <= 599);
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

int fetch_origin(const char *url, char *buf, size_t size)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int ret = -1, n;
	size_t i;

	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto out;
	if (!strcmp(scheme, "file")) {
		n = snprintf(buf, size, "file://");
		ret = n > 0 && (size_t)n < size ? 0 : -1;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	n = snprintf(buf, size, "%s://%s:%s", scheme, host, port);
	if (n < 0 || (size_t)n >= size)
		goto out;
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ret;
}

/* Resolve rel against base; malloc'd, or NULL when unusable (or not http/https/file). */
static char *resolve_url(const char *base, const char *rel)
{
	CURLU *u = curl_url();
	char *s = NULL, *scheme = NULL, *ret = NULL;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, rel, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (!strcmp(scheme, "http") || !strcmp(scheme, "https") || !strcmp(scheme, "file")) &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		ret = strdup(s);
	curl_free(s);
	curl_free(scheme);
	curl_url_cleanup(u);
	return ret;
}

/* The value at a dotted path ("paging.next", "data.items"); NULL when absent. */
static struct json_object *json_path(struct json_object *o, const char *path)
{
	char key[256];

	while (o && *path) {
		const char *dot = strchr(path, '.');
		size_t kl = dot ? (size_t)(dot - path) : strlen(path);
		struct json_object *v = NULL;

		if (kl >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, kl);
		key[kl] = '\0';
		if (!json_object_object_get_ex(o, key, &v))
			return NULL;
		o = v;
		path = dot ? dot + 1 : path + kl;
	}
	return o;
}

static struct json_object *parse_json(const char *body, size_t len, struct mi_err *err)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (!tok) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (!o) {
		mi_err_set(err, MI_EXIT_DATA, "page is not JSON: %s",
			   json_tokener_error_desc(json_tokener_get_error(tok)));
		mi_err_at(err, NULL, 0, (long long)json_tokener_get_parse_end(tok));
	}
	json_tokener_free(tok);
	return o;
}

static int html_next(const struct source *s, const char *body, size_t len, const char *base,
		     char **out, struct mi_err *err)
{
	htmlDocPtr doc;
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr res = NULL;
	xmlChar *val = NULL;
	int ret = -1;

	if (len > (size_t)0x7fffffff)
		return mi_err_set(err, MI_EXIT_DATA, "page too large for the HTML parser");
	doc = htmlReadMemory(body, (int)len, base, NULL,
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
				     HTML_PARSE_NONET);
	if (!doc) {
		/* an empty or unreadable page has no next link */
		return 0;
	}
	ctx = xmlXPathNewContext(doc);
	if (!ctx) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	res = xmlXPathEvalExpression((const xmlChar *)s->next_xpath, ctx);
	if (!res) {
		mi_err_set(err, MI_EXIT_CONFIG, "bad next_xpath '%s'", s->next_xpath);
		mi_err_at(err, s->cfg.path, 0, -1);
		goto out;
	}
	if (res->type == XPATH_NODESET && res->nodesetval && res->nodesetval->nodeNr > 0)
		val = xmlNodeGetContent(res->nodesetval->nodeTab[0]);
	else if (res->type == XPATH_STRING && res->stringval && *res->stringval)
		val = xmlStrdup(res->stringval);
	if (val) {
		char *t = (char *)val;
		size_t n;
		while (isspace((unsigned char)*t))
			t++;
		n = strlen(t);
		while (n && isspace((unsigned char)t[n - 1]))
			t[--n] = '\0';
		if (*t)
			*out = resolve_url(base, t);
	}
	ret = 0;
out:
	xmlFree(val);
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return ret;
}

/* 1 when every key of the dotted path is there (the last one may hold null) */
static int json_path_exists(struct json_object *o, const char *path)
{
	char key[256];

	while (*path) {
		const char *dot = strchr(path, '.');
		size_t kl = dot ? (size_t)(dot - path) : strlen(path);
		struct json_object *v = NULL;

		if (!o || kl >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return 0;
		memcpy(key, path, kl);
		key[kl] = '\0';
		if (!json_object_object_get_ex(o, key, &v))
			return 0;
		o = v;
		path = dot ? dot + 1 : path + kl;
	}
	return 1;
}

int fetch_page_info(const struct source *s, const char *body, size_t len, long long *items,
		    int *next_present)
{
	struct mi_err e = MI_ERR_INIT;
	struct json_object *o = parse_json(body, len, &e), *v;

	*items = -1;
	*next_present = 0;
	if (!o)
		return -1;
	v = json_path(o, s->items_field);
	if (v && json_object_is_type(v, json_type_array))
		*items = (long long)json_object_array_length(v);
	*next_present = json_path_exists(o, s->next_field);
	json_object_put(o);
	return 0;
}

int fetch_next_url(const struct source *s, const char *body, size_t len, const char *base_url,
		   const char *date, int page, char **out, struct mi_err *err)
{
	struct json_object *o = NULL, *v;
	int ret = 0;

	*out = NULL;
	switch (s->paginate) {
	case SOURCE_PAGE_NONE:
		return 0;
	case SOURCE_PAGE_HTML_NEXT:
		return html_next(s, body, len, base_url, out, err);
	case SOURCE_PAGE_JSON_NEXT:
		o = parse_json(body, len, err);
		if (!o)
			return -1;
		v = json_path(o, s->next_field);
		if (v && json_object_is_type(v, json_type_string) && *json_object_get_string(v))
			*out = resolve_url(base_url, json_object_get_string(v));
		break;
	case SOURCE_PAGE_NUMBER:
		o = parse_json(body, len, err);
		if (!o)
			return -1;
		v = json_path(o, s->items_field);
		if (v && json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0) {
			*out = source_url(s, date, page + 1, err);
			if (!*out)
				ret = -1;
		}
		break;
	}
	json_object_put(o);
	return ret;
}

const char *fetch_outcome_name(int outcome)
{
	switch (outcome) {
	case FETCH_LANDED: return "landed";
	case FETCH_NOT_MODIFIED: return "not_modified";
	case FETCH_FAILED: return "failed";
	case FETCH_ROBOTS: return "robots";
	case FETCH_PARKED: return "parked";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* the engine                                                          */
/* ------------------------------------------------------------------ */

struct host;

struct item {
	struct fetch_req req; /* strings point at the copies below */
	char *url, *etag, *last_modified, *prev_sha256;
	char *cur;         /* the URL a redirect led to (NULL: url itself) */
	long redirects;    /* redirects followed so far */
	int attempts;
	double not_before; /* monotonic seconds */
	int is_robots;
	struct host *host;
	struct item *next;
};

struct host {
	char origin[256];
	struct item *head, *tail;
	int waiting;
	int inflight;
	int cap;
	double interval; /* seconds between request starts */
	double next_at;  /* monotonic */
	int want_robots;
	int robots_state; /* 0 unknown, 1 fetching, 2 known */
	struct robots robots;
	char robots_err[1024]; /* fail-closed reason, "" when rules apply */
	int parked;
	char park_msg[1024];
	int slot_reserved; /* a start time was reserved through opts.reserve */
	double slot_at;
};

struct xfer {
	CURL *h;
	struct item *it;
	struct landing_writer w;
	int writing;
	struct strbuf small; /* robots.txt body */
	struct curl_slist *hdrs;
	char etag[256], last_modified[128], retry_after[128], content_encoding[64];
	char errbuf[CURL_ERROR_SIZE];
	struct mi_err werr;
	int write_failed; /* local I/O failure: stops the run */
	int toobig;
	double start;
	long long bytes;
};

struct fetch {
	struct fetch_opts o;
	const struct landing *ld;
	CURLM *multi;
	struct host **hosts;
	size_t nhosts, ahosts;
	size_t waiting; /* items queued, not in flight */
	int inflight;
	CURL **pool;
	size_t npool, apool;
	struct fetch_stats st;
	unsigned int rnd;
	fetch_done_fn done;
	void *data;
	int stop;
	struct mi_err *err;
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void iso_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char tmp[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (tm.tm_year > 9000)
		tm.tm_year = 9000;
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%.19s.%03dZ", tmp, (int)(ts.tv_nsec / 1000000) % 1000);
}

static double rnd01(struct fetch *f)
{
	return (double)rand_r(&f->rnd) / ((double)RAND_MAX + 1.0);
}

static int global_done;

int fetch_global_init(struct mi_err *err)
{
	if (global_done)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return mi_err_set(err, MI_EXIT_INTERNAL, "cannot initialize libcurl");
	xmlInitParser();
	global_done = 1;
	if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_ASYNCHDNS))
		mi_log(MI_LOG_WARN, "curl_resolver",
		       "libcurl has no asynchronous resolver: a slow DNS lookup stalls every transfer");
	return 0;
}

void fetch_global_cleanup(void)
{
	if (!global_done)
		return;
	curl_global_cleanup();
	xmlCleanupParser();
	global_done = 0;
}

struct fetch *fetch_new(const struct fetch_opts *opts, const struct landing *ld,
			struct mi_err *err)
{
	struct fetch *f;

	if (fetch_global_init(err) < 0)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	f->o = *opts;
	if (f->o.max_inflight < 1)
		f->o.max_inflight = 1;
	if (f->o.backoff_base_ms <= 0)
		f->o.backoff_base_ms = 500;
	if (f->o.backoff_cap_ms <= 0)
		f->o.backoff_cap_ms = 60000;
	if (f->o.robots_ttl <= 0)
		f->o.robots_ttl = 86400;
	if (!f->o.user_agent)
		f->o.user_agent = "mi-fetch/" "0.1";
	f->ld = ld;
	f->rnd = (unsigned)getpid() ^ (unsigned)time(NULL);
	f->multi = curl_multi_init();
	if (!f->multi) {
		free(f);
		mi_err_set(err, MI_EXIT_INTERNAL, "cannot create a libcurl multi handle");
		return NULL;
	}
	/* connections are kept per origin; allow as many as our own caps may use */
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, (long)f->o.max_inflight * 2);
	return f;
}

static void item_free(struct item *it)
{
	if (!it)
		return;
	free(it->url);
	free(it->cur);
	free(it->etag);
	free(it->last_modified);
	free(it->prev_sha256);
	free(it);
}

void fetch_free(struct fetch *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nhosts; i++) {
		struct host *h = f->hosts[i];
		while (h->head) {
			struct item *it = h->head;
			h->head = it->next;
			item_free(it);
		}
		robots_release(&h->robots);
		free(h);
	}
	free(f->hosts);
	for (i = 0; i < f->npool; i++)
		curl_easy_cleanup(f->pool[i]);
	free(f->pool);
	curl_multi_cleanup(f->multi);
	free(f);
}

size_t fetch_pending(const struct fetch *f)
{
	return f->waiting + (size_t)f->inflight;
}

void fetch_get_stats(const struct fetch *f, struct fetch_stats *st)
{
	*st = f->st;
}

static struct host *host_get(struct fetch *f, const char *origin, struct mi_err *err)
{
	struct host *h;
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (!strcmp(f->hosts[i]->origin, origin))
			return f->hosts[i];
	if (f->nhosts == f->ahosts) {
		size_t na = f->ahosts ? f->ahosts * 2 : 8;
		struct host **nv = realloc(f->hosts, na * sizeof(*nv));
		if (!nv)
			goto oom;
		f->hosts = nv;
		f->ahosts = na;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		goto oom;
	snprintf(h->origin, sizeof(h->origin), "%s", origin);
	h->cap = 0; /* set by the first request */
	h->robots.mode = ROBOTS_ALLOW_ALL;
	f->hosts[f->nhosts++] = h;
	return h;
oom:
	mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	return NULL;
}

static char *xstrdup(const char *s, int *oom)
{
	char *r;

	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		*oom = 1;
	return r;
}

int fetch_add(struct fetch *f, const struct fetch_req *req, struct mi_err *err)
{
	char origin[256];
	struct item *it;
	struct host *h;
	int oom = 0, is_file;

	if (fetch_origin(req->url, origin, sizeof(origin)) < 0) {
		/* an unusable URL is a per-request failure, reported at once */
		struct fetch_result res;
		memset(&res, 0, sizeof(res));
		res.req = req;
		res.outcome = FETCH_FAILED;
		res.error = "unusable URL";
		iso_now(res.fetched_at, sizeof(res.fetched_at));
		f->st.failed++;
		return f->done ? f->done(f, &res, f->data, err) : 0;
	}
	is_file = !strcmp(origin, "file://");
	h = host_get(f, origin, err);
	if (!h)
		return -1;
	it = calloc(1, sizeof(*it));
	if (!it)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	it->req = *req;
	it->url = xstrdup(req->url, &oom);
	it->etag = xstrdup(req->etag, &oom);
	it->last_modified = xstrdup(req->last_modified, &oom);
	it->prev_sha256 = xstrdup(req->prev_sha256, &oom);
	if (oom) {
		item_free(it);
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	}
	it->req.url = it->url;
	it->req.etag = it->etag;
	it->req.last_modified = it->last_modified;
	it->req.prev_sha256 = it->prev_sha256;
	it->host = h;
	/* the most polite of the sources sharing an origin wins */
	if (!f->o.politeness || is_file) {
		h->cap = f->o.max_inflight;
	} else {
		if (!h->cap || req->src->concurrency < h->cap)
			h->cap = req->src->concurrency;
		if (req->src->rate > 0 && 1.0 / req->src->rate > h->interval)
			h->interval = 1.0 / req->src->rate;
		if (req->src->robots)
			h->want_robots = 1;
	}
	if (h->cap < 1) /* a source always allows one transfer */
		h->cap = 1;
	if (h->tail)
		h->tail->next = it;
	else
		h->head = it;
	h->tail = it;
	h->waiting++;
	f->waiting++;
	return 0;
}

/* ---- finishing ---- */

static int finish(struct fetch *f, struct item *it, struct xfer *x, int outcome, long status,
		  const char *error, struct fetch_result *pre)
{
	struct fetch_result res;
	int r = 0;

	if (pre)
		res = *pre;
	else
		memset(&res, 0, sizeof(res));
	res.req = &it->req;
	res.outcome = outcome;
	res.status = status;
	res.attempts = it->attempts;
	res.error = error;
	if (x) {
		res.etag = x->etag[0] ? x->etag : NULL;
		res.last_modified = x->last_modified[0] ? x->last_modified : NULL;
		res.retry_after = x->retry_after[0] ? x->retry_after : NULL;
		res.content_encoding = x->content_encoding[0] ? x->content_encoding : NULL;
		res.elapsed_ms = (long long)((mono_now() - x->start) * 1000);
	}
	if (!res.fetched_at[0])
		iso_now(res.fetched_at, sizeof(res.fetched_at));
	switch (outcome) {
	case FETCH_LANDED: f->st.landed++; break;
	case FETCH_NOT_MODIFIED: f->st.not_modified++; break;
	case FETCH_FAILED: f->st.failed++; break;
	case FETCH_ROBOTS: f->st.robots++; break;
	case FETCH_PARKED: f->st.parked++; break;
	}
	if (f->done && !f->stop)
		r = f->done(f, &res, f->data, f->err);
	if (r < 0)
		f->stop = 1;
	item_free(it);
	return r;
}

/* ---- curl callbacks ---- */

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t len = size * n, kl, vl;
	const char *colon, *v;
	char *dst = NULL;
	size_t dsz = 0;

	if (len >= 5 && !memcmp(p, "HTTP/", 5)) { /* a new response (redirect, 100) */
		x->etag[0] = x->last_modified[0] = x->retry_after[0] = x->content_encoding[0] = '\0';
		return len;
	}
	colon = memchr(p, ':', len);
	if (!colon)
		return len;
	kl = (size_t)(colon - p);
	if (kl == 4 && !strncasecmp(p, "etag", 4)) {
		dst = x->etag;
		dsz = sizeof(x->etag);
	} else if (kl == 13 && !strncasecmp(p, "last-modified", 13)) {
		dst = x->last_modified;
		dsz = sizeof(x->last_modified);
	} else if (kl == 11 && !strncasecmp(p, "retry-after", 11)) {
		dst = x->retry_after;
		dsz = sizeof(x->retry_after);
	} else if (kl == 16 && !strncasecmp(p, "content-encoding", 16)) {
		dst = x->content_encoding;
		dsz = sizeof(x->content_encoding);
	}
	if (!dst)
		return len;
	v = colon + 1;
	vl = len - kl - 1;
	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl && isspace((unsigned char)v[vl - 1]))
		vl--;
	if (vl >= dsz)
		vl = dsz - 1;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t len = size * n;
	long status = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	x->bytes += (long long)len;
	if (x->it->is_robots) {
		if (strbuf_add(&x->small, p, len) < 0)
			return len; /* over 512 KiB: the rest is ignored, as RFC 9309 allows */
		return len;
	}
	if (status != 0 && (status < 200 || status > 299))
		return len; /* an error page: never stored */
	if (!x->writing)
		return len;
	if (landing_writer_write(&x->w, p, len, &x->werr) < 0) {
		if (x->w.toobig)
			x->toobig = 1;
		else
			x->write_failed = 1;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	return len;
}

/* ---- robots.txt ---- */

static void robots_cache_path(const struct fetch *f, const struct host *h, char *buf, size_t size)
{
	char name[512];
	size_t i, j = 0;

	for (i = 0; h->origin[i] && j < sizeof(name) - 1; i++) {
		char c = h->origin[i];
		name[j++] = (isalnum((unsigned char)c) || c == '.' || c == '-') ? c : '_';
	}
	name[j] = '\0';
	snprintf(buf, size, "%s/robots/%s.txt", f->ld->dir, name);
}

/* Use a cached robots.txt younger than the TTL; 1 when used. */
static int robots_from_cache(struct fetch *f, struct host *h)
{
	char path[4096];
	struct stat stt;
	struct strbuf sb = STRBUF_INIT;
	FILE *fp;
	char buf[8192];
	size_t n;
	int ok = 0;

	robots_cache_path(f, h, path, sizeof(path));
	if (stat(path, &stt) < 0 || time(NULL) - stt.st_mtime > f->o.robots_ttl)
		return 0;
	fp = fopen(path, "rb");
	if (!fp)
		return 0;
	strbuf_init(&sb, 512 * 1024);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (strbuf_add(&sb, buf, n) < 0)
			break;
	if (!ferror(fp) && robots_parse(&h->robots, sb.buf, sb.len, f->o.user_agent) == 0)
		ok = 1;
	fclose(fp);
	strbuf_release(&sb);
	return ok;
}

static void robots_to_cache(struct fetch *f, struct host *h, const char *body, size_t len)
{
	char path[4096];

	robots_cache_path(f, h, path, sizeof(path));
	mi_atomicfile_write(path, body, len, NULL); /* a cache: a failure only costs a fetch */
}

/* A Crawl-delay longer than our own interval wins (capped at a minute). */
static void apply_crawl_delay(struct host *h)
{
	double d = h->robots.crawl_delay > 60 ? 60 : h->robots.crawl_delay;

	if (h->robots.mode == ROBOTS_RULES && d > h->interval) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%.3g", d);
		h->interval = d;
		mi_log_kv(MI_LOG_INFO, "crawl_delay", "origin", h->origin, "seconds", buf, NULL);
	}
}

static void robots_done(struct fetch *f, struct host *h, CURLcode code, long status,
			const struct strbuf *body)
{
	h->robots_state = 2;
	h->robots_err[0] = '\0';
	if (code == CURLE_OK && status >= 200 && status <= 299) {
		if (robots_parse(&h->robots, body->buf, body->len, f->o.user_agent) < 0) {
			robots_from_status(&h->robots, 0);
			snprintf(h->robots_err, sizeof(h->robots_err), "out of memory reading robots.txt");
		}
		robots_to_cache(f, h, body->buf, body->len);
		apply_crawl_delay(h);
	} else if (code == CURLE_OK && status >= 400 && status <= 499 && status != 429) {
		robots_from_status(&h->robots, (int)status);
		robots_to_cache(f, h, "", 0);
	} else {
		robots_from_status(&h->robots, code == CURLE_OK ? (int)status : 0);
		if (code == CURLE_OK)
			snprintf(h->robots_err, sizeof(h->robots_err),
				 "robots.txt of '%s' answered %ld: not fetching (fail closed)",
				 h->origin, status);
		else
			snprintf(h->robots_err, sizeof(h->robots_err),
				 "robots.txt of '%s' unavailable (%s): not fetching (fail closed)",
				 h->origin, curl_easy_strerror(code));
	}
	mi_log_kv(h->robots_err[0] ? MI_LOG_WARN : MI_LOG_INFO, "robots", "origin", h->origin,
		  "msg", h->robots_err[0] ? h->robots_err : "robots.txt read", NULL);
}

/* ---- starting transfers ---- */

static CURL *handle_get(struct fetch *f)
{
	if (f->npool) {
		CURL *h = f->pool[--f->npool];
		curl_easy_reset(h);
		return h;
	}
	return curl_easy_init();
}

static void handle_put(struct fetch *f, CURL *h)
{
	if (f->npool == f->apool) {
		size_t na = f->apool ? f->apool * 2 : 16;
		CURL **nv = realloc(f->pool, na * sizeof(*nv));
		if (!nv) {
			curl_easy_cleanup(h);
			return;
		}
		f->pool = nv;
		f->apool = na;
	}
	f->pool[f->npool++] = h;
}

static void xfer_free(struct fetch *f, struct xfer *x)
{
	if (!x)
		return;
	if (x->h) {
		curl_multi_remove_handle(f->multi, x->h);
		handle_put(f, x->h);
	}
	if (x->writing)
		landing_writer_abort(&x->w);
	curl_slist_free_all(x->hdrs);
	strbuf_release(&x->small);
	free(x);
}

/* Whether two URLs have one origin (scheme, host and port). */
static int same_origin(const char *a, const char *b)
{
	char oa[512], ob[512];

	if (a == b)
		return 1;
	return fetch_origin(a, oa, sizeof(oa)) == 0 && fetch_origin(b, ob, sizeof(ob)) == 0 &&
	       !strcmp(oa, ob);
}

static int start(struct fetch *f, struct item *it, struct mi_err *err)
{
	const struct source *s = it->req.src;
	struct xfer *x = calloc(1, sizeof(*x));
	struct strbuf hb = STRBUF_INIT;
	const char *url = it->cur ? it->cur : it->url;
	CURL *h;

	if (!x)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	x->it = it;
	x->start = mono_now();
	mi_err_clear(&x->werr);
	strbuf_init(&x->small, 512 * 1024);
	h = x->h = handle_get(f);
	if (!h) {
		free(x);
		return mi_err_set(err, MI_EXIT_INTERNAL, "cannot create a libcurl handle");
	}
	if (!it->is_robots) {
		if (landing_writer_begin(f->ld, &x->w, (unsigned long long)s->max_body, err) < 0) {
			handle_put(f, h);
			strbuf_release(&x->small);
			free(x);
			return -1;
		}
		x->writing = 1;
		if (it->etag && strbuf_addf(&hb, "If-None-Match: %s", it->etag) == 0)
			x->hdrs = curl_slist_append(x->hdrs, hb.buf);
		strbuf_reset(&hb);
		if (it->last_modified &&
		    strbuf_addf(&hb, "If-Modified-Since: %s", it->last_modified) == 0)
			x->hdrs = curl_slist_append(x->hdrs, hb.buf);
		strbuf_release(&hb);
		if (s->auth_header && same_origin(it->url, url)) {
			/* credentials go to the source's own origin only, never where a redirect leads */
			char *line = NULL;
			struct mi_err e2 = MI_ERR_INIT;
			if (source_auth_header(s, &line, &e2) == 0 && line)
				x->hdrs = curl_slist_append(x->hdrs, line);
			free(line);
		}
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->max_body);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, s->connect_timeout);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, it->is_robots && s->timeout > 30 ? 30L : s->timeout);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, s->low_speed_limit);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, s->low_speed_time);
	/*
	 * Redirects are followed here, not by libcurl (follow_redirect): libcurl
	 * would carry a custom credential header (X-Api-Key) to any host.
	 */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding libcurl decodes */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, f->o.user_agent);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (f->o.ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, f->o.ca_file);
	if (x->hdrs)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	if (curl_multi_add_handle(f->multi, h) != CURLM_OK) {
		xfer_free(f, x);
		return mi_err_set(err, MI_EXIT_INTERNAL, "cannot add a transfer to the multi handle");
	}
	it->attempts++;
	it->host->inflight++;
	f->inflight++;
	if (f->inflight > f->st.max_inflight_seen)
		f->st.max_inflight_seen = f->inflight;
	f->st.requests++;
	mi_log_kv(MI_LOG_DEBUG, "request", "url", it->url, NULL);
	return 0;
}

static int start_robots(struct fetch *f, struct host *h, const struct source *src,
			struct mi_err *err)
{
	struct item *it = calloc(1, sizeof(*it));
	struct strbuf u = STRBUF_INIT;

	if (!it || strbuf_addf(&u, "%s/robots.txt", h->origin) < 0) {
		free(it);
		strbuf_release(&u);
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	}
	it->url = strbuf_detach(&u, NULL);
	it->req.url = it->url;
	it->req.src = src;
	it->is_robots = 1;
	it->host = h;
	h->robots_state = 1;
	if (start(f, it, err) < 0) {
		item_free(it);
		h->robots_state = 0;
		return -1;
	}
	return 0;
}

/* The path and query of url, for robots matching. */
static const char *url_path(const char *url, char *buf, size_t size)
{
	const char *p = strstr(url, "://");

	p = p ? strchr(p + 3, '/') : NULL;
	snprintf(buf, size, "%s", p ? p : "/");
	{
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
	}
	return buf;
}

static struct item *take(struct host *h, struct item *prev, struct item *it)
{
	if (prev)
		prev->next = it->next;
	else
		h->head = it->next;
	if (h->tail == it)
		h->tail = prev;
	it->next = NULL;
	h->waiting--;
	return it;
}

/* Whether robots.txt (known by now) keeps the host's item with this url: 1 or 0. */
static int robots_keeps_out(struct host *h, const char *url)
{
	char path[4096];

	return h->want_robots && h->robots_state == 2 &&
	       (h->robots_err[0] || !robots_allowed(&h->robots, url_path(url, path, sizeof(path))));
}

/* Finish the waiting item it (after prev in the host's queue) as robots.txt says. */
static int robots_refuse(struct fetch *f, struct host *h, struct item *prev, struct item *it)
{
	take(h, prev, it);
	f->waiting--;
	return finish(f, it, NULL, h->robots_err[0] ? FETCH_FAILED : FETCH_ROBOTS, 0,
		      h->robots_err[0] ? h->robots_err : "forbidden by robots.txt", NULL);
}

/* Start what may start; *wake gets the earliest time something waits for. */
static int schedule(struct fetch *f, double *wake)
{
	double now = mono_now();
	size_t i;

	for (i = 0; i < f->nhosts && !f->stop; i++) {
		struct host *h = f->hosts[i];

		while (h->head && !f->stop) {
			struct item *it, *prev = NULL;

			if (h->parked) {
				it = take(h, NULL, h->head);
				f->waiting--;
				if (finish(f, it, NULL, FETCH_PARKED, 0, h->park_msg, NULL) < 0)
					return -1;
				continue;
			}
			if (f->inflight >= f->o.max_inflight || h->inflight >= h->cap)
				break;
			if (h->want_robots && h->robots_state == 0) {
				if (robots_from_cache(f, h)) {
					h->robots_state = 2;
					apply_crawl_delay(h);
				} else {
					if (start_robots(f, h, h->head->req.src, f->err) < 0)
						return -1;
					h->next_at = now + h->interval;
					break;
				}
			}
			if (h->want_robots && h->robots_state == 1)
				break;
			if (robots_keeps_out(h, h->head->url)) {
				if (robots_refuse(f, h, NULL, h->head) < 0)
					return -1;
				continue;
			}
			if (now < h->next_at) {
				if (h->next_at < *wake)
					*wake = h->next_at;
				break;
			}
			for (it = h->head; it && it->not_before > now; prev = it, it = it->next)
				if (it->not_before < *wake)
					*wake = it->not_before;
			if (!it)
				break;
			/* the head was checked above; a later item may be the one ready */
			if (robots_keeps_out(h, it->url)) {
				if (robots_refuse(f, h, prev, it) < 0)
					return -1;
				continue;
			}
			if (h->interval > 0 && f->o.reserve && !h->slot_reserved) {
				/* the rate is shared with other workers: take our turn */
				double d = 0;
				if (f->o.reserve(h->origin, h->interval, &d, f->o.reserve_data, f->err) < 0)
					return -1;
				h->slot_reserved = 1;
				/*
				 * d counts from when the database answered, not from
				 * now: timed from before the round trip, the start
				 * came early by that long (tens of ms on a loaded
				 * machine), closer to another worker's than the rate
				 */
				now = mono_now();
				h->slot_at = now + (d > 0 ? d : 0);
			}
			if (h->slot_reserved && now < h->slot_at) {
				if (h->slot_at < *wake)
					*wake = h->slot_at;
				break;
			}
			h->slot_reserved = 0;
			take(h, prev, it);
			f->waiting--;
			if (start(f, it, f->err) < 0) {
				item_free(it);
				return -1;
			}
			/*
			 * Starts keep to a grid 1/rate apart, so the wake-up latency of
			 * the loop does not slow the rate down; after an idle spell the
			 * grid restarts from now (no burst to catch up).
			 */
			if (h->next_at > 0 && now - h->next_at < h->interval)
				h->next_at += h->interval;
			else
				h->next_at = now + h->interval;
		}
	}
	return f->stop ? -1 : 0;
}

/* Put a failed item back for another attempt, or park its origin. */
static int retry_later(struct fetch *f, struct item *it, struct xfer *x, long status,
		       const char *error)
{
	struct host *h = it->host;
	long delay_ms = fetch_backoff_ms(it->attempts, f->o.backoff_base_ms, f->o.backoff_cap_ms,
					 rnd01(f));
	long ra = x->retry_after[0] ? fetch_retry_after(x->retry_after, (long long)time(NULL)) : -1;
	double now = mono_now();

	if (ra >= 0) {
		/* honoured for the whole origin, plus a little jitter so workers do not align */
		long ra_ms = ra * 1000 + (long)(rnd01(f) * (250.0 + (double)ra * 100.0));
		if (ra_ms > delay_ms)
			delay_ms = ra_ms;
		if (now + (double)delay_ms / 1000 > h->next_at)
			h->next_at = now + (double)delay_ms / 1000;
	}
	if (f->o.deadline && (long long)time(NULL) + delay_ms / 1000 > f->o.deadline) {
		h->parked = 1;
		snprintf(h->park_msg, sizeof(h->park_msg),
			 "'%s' asked to wait %lds, past the run's deadline: host parked", h->origin,
			 delay_ms / 1000);
		mi_log_kv(MI_LOG_WARN, "parked", "origin", h->origin, "msg", h->park_msg, NULL);
		return finish(f, it, x, FETCH_PARKED, status, h->park_msg, NULL);
	}
	mi_log_kv(MI_LOG_INFO, "retry", "url", it->url, "msg", error, NULL);
	f->st.retries++;
	it->not_before = now + (double)delay_ms / 1000;
	/* back at the head: it keeps its place */
	it->next = h->head;
	h->head = it;
	if (!h->tail)
		h->tail = it;
	h->waiting++;
	f->waiting++;
	return 0;
}

/*
 * A 3xx with a Location: start the same item again at the new URL (the same
 * attempt, one more redirect), or end it when the redirect is one too many or
 * leaves http and https.  The [auth] header goes only to the source's origin
 * (start).  Returns 1 when followed, 0 when the item failed (x and it freed),
 * -1 on a fatal error.
 */
static int follow_redirect(struct fetch *f, struct item *it, struct xfer *x, const char *loc,
			   long status)
{
	struct fetch_result pre;
	char msg[600], *copy;
	int r;

	if (it->redirects >= it->req.src->max_redirects)
		snprintf(msg, sizeof(msg), "more than %ld redirects", it->req.src->max_redirects);
	else if (strncasecmp(loc, "http://", 7) && strncasecmp(loc, "https://", 8))
		snprintf(msg, sizeof(msg), "redirect to '%.200s' refused: only http and https are followed",
			 loc);
	else
		msg[0] = '\0';
	if (msg[0]) {
		if (it->is_robots) {
			robots_done(f, it->host, CURLE_TOO_MANY_REDIRECTS, status, &x->small);
			item_free(it);
			xfer_free(f, x);
			return 0;
		}
		memset(&pre, 0, sizeof(pre));
		r = finish(f, it, x, FETCH_FAILED, status, msg, &pre);
		xfer_free(f, x);
		return r < 0 ? -1 : 0;
	}
	copy = strdup(loc);
	if (!copy) {
		mi_err_set(f->err, MI_EXIT_INTERNAL, "out of memory");
		f->stop = 1;
		item_free(it);
		xfer_free(f, x);
		return -1;
	}
	mi_log_kv(MI_LOG_DEBUG, "redirect", "url", it->cur ? it->cur : it->url, "to", copy, NULL);
	free(it->cur);
	it->cur = copy;
	it->redirects++;
	xfer_free(f, x);
	it->attempts--; /* start() counts an attempt: a redirect is the same one */
	if (start(f, it, f->err) < 0) {
		item_free(it);
		return -1;
	}
	return 1;
}

static int on_done(struct fetch *f, CURL *h, CURLcode code)
{
	struct xfer *x = NULL;
	struct item *it;
	struct fetch_result pre;
	long status = 0;
	char *eff = NULL, *ctype = NULL;
	char msg[512];
	int r = 0, is_file;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
	it = x->it;
	it->host->inflight--;
	f->inflight--;
	f->st.bytes += x->bytes;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
	is_file = !strncmp(it->url, "file:", 5);

	if (code == CURLE_OK && !is_file && status >= 300 && status <= 399 && status != 304 &&
	    !x->write_failed) {
		char *loc = NULL;

		curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
		if (loc)
			return follow_redirect(f, it, x, loc, status) < 0 ? -1 : 0;
	}
	if (it->is_robots) {
		robots_done(f, it->host, code, status, &x->small);
		item_free(it);
		xfer_free(f, x);
		return 0;
	}
	if (x->write_failed) { /* our disk, not their server: stop */
		*f->err = x->werr;
		f->stop = 1;
		xfer_free(f, x);
		item_free(it);
		return -1;
	}
	memset(&pre, 0, sizeof(pre));
	pre.final_url = eff;
	pre.content_type = ctype;
	if (code == CURLE_OK && is_file)
		status = 200;
	if (code == CURLE_OK && status >= 200 && status <= 299) {
		struct mi_err e2 = MI_ERR_INIT;
		pre.size = (long long)x->w.size;
		x->writing = 0;
		if (landing_writer_commit(&x->w, pre.sha256, &pre.was_new, &e2) < 0) {
			*f->err = e2;
			f->stop = 1;
			xfer_free(f, x);
			item_free(it);
			return -1;
		}
		r = finish(f, it, x, FETCH_LANDED, status, NULL, &pre);
	} else if (code == CURLE_OK && status == 304 && it->prev_sha256) {
		snprintf(pre.sha256, sizeof(pre.sha256), "%s", it->prev_sha256);
		r = finish(f, it, x, FETCH_NOT_MODIFIED, status, NULL, &pre);
	} else {
		int retry = fetch_retryable((int)code, status) && !x->toobig;
		if (x->toobig || code == CURLE_FILESIZE_EXCEEDED)
			snprintf(msg, sizeof(msg), "body larger than %lld bytes: not stored",
				 it->req.src->max_body);
		else if (code == CURLE_TOO_MANY_REDIRECTS)
			snprintf(msg, sizeof(msg), "more than %ld redirects", it->req.src->max_redirects);
		else if (code != CURLE_OK) {
			snprintf(msg, sizeof(msg), "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(code));
			msg[0] = (char)tolower((unsigned char)msg[0]);
		}
		else if (status == 304)
			snprintf(msg, sizeof(msg), "304 without an earlier body");
		else
			snprintf(msg, sizeof(msg), "HTTP status %ld", status);
		if (retry && it->attempts < it->req.src->max_attempts) {
			r = retry_later(f, it, x, status, msg);
		} else {
			char full[600];
			if (retry)
				snprintf(full, sizeof(full), "giving up after %d attempts: %s",
					 it->attempts, msg);
			else
				snprintf(full, sizeof(full), "%s", msg);
			r = finish(f, it, x, FETCH_FAILED, status, full, &pre);
		}
	}
	xfer_free(f, x);
	return r;
}

int fetch_run(struct fetch *f, fetch_done_fn done, fetch_tick_fn tick, void *data,
	      struct mi_err *err)
{
	double last_tick = 0;
	int running = 0;

	f->done = done;
	f->data = data;
	f->err = err;
	f->stop = 0;
	for (;;) {
		double now = mono_now(), wake = now + 1.0;
		CURLMsg *msg;
		int left, timeout;

		if (tick && ((int)f->waiting < f->o.max_inflight || now - last_tick >= 1.0)) {
			int want = f->o.max_inflight * 2 - (int)f->waiting;
			last_tick = now;
			if (tick(f, want > 0 ? want : 0, data, err) < 0)
				return -1;
		}
		if (schedule(f, &wake) < 0)
			return -1;
		if (!f->waiting && !f->inflight) {
			if (!tick)
				break;
			/* nothing left: one more refill, then done */
			if (tick(f, f->o.max_inflight * 2, data, err) < 0)
				return -1;
			if (!f->waiting)
				break;
			continue;
		}
		now = mono_now();
		timeout = (int)((wake - now) * 1000 + 0.999); /* round up: never spin */
		if (timeout < 0)
			timeout = 0;
		if (timeout > 1000)
			timeout = 1000;
		if (f->inflight) {
			if (curl_multi_poll(f->multi, NULL, 0, timeout, NULL) != CURLM_OK)
				return mi_err_set(err, MI_EXIT_INTERNAL, "curl_multi_poll failed");
		} else if (timeout > 0) {
			struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
		if (curl_multi_perform(f->multi, &running) != CURLM_OK)
			return mi_err_set(err, MI_EXIT_INTERNAL, "curl_multi_perform failed");
		while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			if (on_done(f, msg->easy_handle, msg->data.result) < 0 && f->stop)
				return -1;
		}
		if (f->stop)
			return -1;
	}
	return 0;
}
