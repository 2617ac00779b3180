/*
 * fetch: the transfer engine (libcurl multi interface) and its politeness.
 *
 * A caller adds requests (fetch_add), then runs the engine (fetch_run), which
 * keeps many transfers in flight with one curl_multi_poll() loop and calls
 * back once per request when it is finished for good: landed, not modified,
 * forbidden by robots.txt, parked, or failed after its last attempt.
 *
 * Politeness, per origin (scheme://host:port): a handle joins the multi only
 * when its origin has a free slot (the source's concurrency) and its next
 * allowed time has come (1/rate apart), so timeouts measure transfers, not
 * queueing (with opts.reserve, the rate holds across every worker of a
 * shared queue).  Before the first request to an origin its robots.txt is read
 * (from the cache in the landing store when younger than a day, else
 * fetched) and obeyed for our user agent, its Crawl-delay included (up to
 * a minute, when longer than the source's own interval); it fails closed on
 * 5xx, 429 and no answer.  With politeness off (benchmarks, file:// sources), neither.
 *
 * Retries: timeouts, connection errors, truncated bodies, 5xx and 429 are
 * retried with exponential backoff and jitter, honouring Retry-After (both
 * forms) for the whole origin, up to the source's max_attempts.  A wait that
 * would end past the run's deadline parks the origin: its pending requests
 * finish as "parked" and the run is partial.  Other 4xx, too many redirects
 * and an oversized body fail at once.
 *
 * Redirects are followed by the engine, not by libcurl, up to the source's
 * max_redirects and only to http and https (a Location to file:// or ftp://
 * fails the request).  The source's [auth] header is sent to its own origin
 * (scheme, host and port of its URL) only: never where a redirect leads
 * elsewhere, whatever the header's name (libcurl would strip Authorization
 * but carry X-Api-Key).
 *
 * Bodies stream into the landing store's writer (SHA-256 on the fly); only a
 * complete 2xx body is committed.  Conditional requests use the etag /
 * last_modified the caller gives; a 304 stores nothing.
 *
 * Errors: fetch_new/fetch_run return -1 with err only for local failures
 * (out of memory, a landing write error); network failures are per-request
 * results.  Ownership: the engine copies what fetch_add is given; the
 * result handed to the callback is borrowed for the duration of the call.
 */
#ifndef MI_FETCH_H
#define MI_FETCH_H

#include "err.h"
#include "landing.h"
#include "source.h"

#include <stddef.h>

/* ---- pure helpers (unit-tested) ---- */

/*
 * Parse a Retry-After value, either delta-seconds or an HTTP date (IMF-fixdate,
 * RFC 850 or asctime), relative to now.  Returns the wait in seconds (0 for
 * a date in the past), or -1 when the value is not understood.
 */
long fetch_retry_after(const char *value, long long now);

/*
 * Backoff before attempt number attempt+1 (attempt >= 1 failed so far):
 * base_ms * 2^(attempt-1), at most cap_ms, with "equal jitter": a uniform
 * value in [d/2, d].  rnd is a uniform random number in [0, 1).
 */
long fetch_backoff_ms(int attempt, long base_ms, long cap_ms, double rnd);

/* Whether a result is worth another attempt: curl code and HTTP status. */
int fetch_retryable(int curl_code, long status);

/*
 * The origin "scheme://host:port" of url into buf (lowercased, default port
 * made explicit); "file://" for file URLs.  -1 when url cannot be parsed.
 */
int fetch_origin(const char *url, char *buf, size_t size);

/*
 * The next page of a paginated source, from this page's body: for
 * json_next the string at the dotted next_field path, for html_next the
 * first result of next_xpath, resolved against base_url; for page_number
 * the URL of page+1 unless the items_field array is missing or empty.
 * *out is a malloc'd absolute URL or NULL (no next page).  Returns 0, or -1
 * with err when the body cannot be read as the expected format.
 */
/*
 * What a JSON page holds: *items the length of the array at the source's
 * dotted items_field path (-1: no such array), *next_present 1 when the
 * next_field path names something in it (an explicit null included: the
 * API's own "no next page"), 0 when it names nothing (a misspelled path).
 * 0, or -1 when the page is not JSON.
 */
int fetch_page_info(const struct source *s, const char *body, size_t len, long long *items,
		    int *next_present);

int fetch_next_url(const struct source *s, const char *body, size_t len, const char *base_url,
		   const char *date, int page, char **out, struct mi_err *err);

/* ---- the engine ---- */

enum fetch_outcome { FETCH_LANDED, FETCH_NOT_MODIFIED, FETCH_FAILED, FETCH_ROBOTS, FETCH_PARKED };

/* "landed", "not_modified", ... as in the manifest. */
const char *fetch_outcome_name(int outcome);

struct fetch_opts {
	const char *user_agent;  /* "mi-fetch/0.1.0 (+contact)"; robots group by its token */
	int max_inflight;        /* transfers in flight in all, >= 1 */
	long long deadline;      /* unix time the run must end by (0: none) */
	int politeness;          /* 0: no robots, no rate, no per-host cap (benchmarks) */
	long backoff_base_ms;    /* first retry wait (default 500) */
	long backoff_cap_ms;     /* longest backoff without Retry-After (default 60000) */
	long robots_ttl;         /* seconds a cached robots.txt is used (default 86400) */
	const char *ca_file;     /* CA bundle replacing the system one, or NULL */
	/*
	 * Optional: share each origin's rate with other processes.  Called
	 * before a request to an origin with a rate limit; sets *delay_s to the
	 * wait (>= 0) until the start time reserved for us.  -1 with err stops
	 * the run.
	 */
	int (*reserve)(const char *origin, double interval_s, double *delay_s, void *data,
		       struct mi_err *err);
	void *reserve_data;
};

struct fetch_req {
	const char *url;
	const struct source *src; /* borrowed: must outlive the engine */
	int page;
	const char *etag;          /* validators from the last fetch, or NULL */
	const char *last_modified;
	const char *prev_sha256;   /* the body they belong to, reported on a 304 */
	void *user;                /* handed back in the result */
	long long user_id;
};

struct fetch_result {
	const struct fetch_req *req; /* the request as added (strings are the engine's copies) */
	int outcome;
	long status;
	const char *final_url;
	char sha256[LANDING_HASH_HEX]; /* "" unless landed / not_modified */
	int was_new;                   /* the body was not in the store before */
	long long size;
	const char *content_type, *etag, *last_modified, *retry_after, *content_encoding;
	long long elapsed_ms;
	char fetched_at[32];
	int attempts;
	const char *error; /* NULL on success */
};

struct fetch;

/* Called once per request when it is finished.  Return 0, or -1 to stop the run (err set). */
typedef int (*fetch_done_fn)(struct fetch *f, const struct fetch_result *res, void *data,
			     struct mi_err *err);
/*
 * Called when fewer than max_inflight requests are waiting, and about once a
 * second: the caller may fetch_add more (refill from a queue) and renew leases.
 * Return 0, or -1 to stop (err set).
 */
typedef int (*fetch_tick_fn)(struct fetch *f, int want, void *data, struct mi_err *err);

struct fetch *fetch_new(const struct fetch_opts *opts, const struct landing *ld,
			struct mi_err *err);
void fetch_free(struct fetch *f);

/* Queue a request (copied); 0, or -1 out of memory. */
int fetch_add(struct fetch *f, const struct fetch_req *req, struct mi_err *err);

/* Requests added but not finished yet. */
size_t fetch_pending(const struct fetch *f);

/*
 * Run until every request is finished and tick adds no more.  Returns 0
 * or -1 (err set) when a callback or the landing store failed.
 */
int fetch_run(struct fetch *f, fetch_done_fn done, fetch_tick_fn tick, void *data,
	      struct mi_err *err);

/* Counters since fetch_new. */
struct fetch_stats {
	long long requests;   /* HTTP/file transfers started, robots.txt included */
	long long retries;
	long long landed, not_modified, failed, robots, parked;
	long long bytes;
	int max_inflight_seen;
};
void fetch_get_stats(const struct fetch *f, struct fetch_stats *st);

/* Initialize libcurl once per process (not thread-safe: call from main). */
int fetch_global_init(struct mi_err *err);
void fetch_global_cleanup(void);

#endif
