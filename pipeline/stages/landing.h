/*
 * landing: the immutable, content-addressed store of everything mi-fetch
 * received, and the per-run manifests that say what was fetched when.
 *
 * Layout under the landing directory (config: [landing] dir, --landing DIR):
 *
 *   objects/ab/cdef0123...      one file per distinct body, named by the
 *                               SHA-256 (lowercase hex) of its bytes: the
 *                               first two hex digits are the directory, the
 *                               other 62 the file name.  The bytes are the
 *                               body as delivered after transfer decoding
 *                               (a gzip Content-Encoding is undone; a .gz
 *                               file served as such stays gzip).  Written
 *                               once (temporary file in tmp/, fsync, rename,
 *                               fsync of the directory), mode 0444, never
 *                               modified.  Storing a body that is already
 *                               there is a no-op.
 *   tmp/                        temporaries of bodies being received; a
 *                               leftover here is garbage from a killed
 *                               worker, removed by landing_open() once two
 *                               days old.
 *   runs/<run_id>/manifest.jsonl
 *                               the run's manifest: one JSON object per line,
 *                               one line per finished request (success or
 *                               final failure), appended with a single
 *                               write() on an O_APPEND descriptor and
 *                               fsync'd, so that two workers may append to
 *                               the same manifest.  Never rewritten.  Workers
 *                               on several hosts need the store on a file
 *                               system where O_APPEND writes are atomic (a
 *                               local or cluster file system; not NFS).
 *   robots/                     robots.txt cache (one file per origin, used
 *                               for a day).
 *   fetch-state.jsonl           HTTP validators (url, etag, last_modified,
 *                               sha256) of mi-fetch --local runs; the shared
 *                               queue keeps them in etl.fetch_state instead.
 *
 * Manifest fields (version 1; absent or null when unknown):
 *   "v"             1
 *   "run"           run id
 *   "source"        source id (config/sources/<id>.ini)
 *   "kind"          source kind: county_sales, owner_roll, pm_listings,
 *                   reviews, pricing
 *   "format"        the parser format named by the source
 *   "county"        county digit 1-4, 0 when the source spans counties
 *   "url"           the URL requested (after pattern expansion)
 *   "final_url"     the URL after redirects
 *   "page"          page number within the source, 1-based
 *   "outcome"       "landed": the body is in the store (new or not);
 *                   "not_modified": a 304, nothing new stored, sha256 is
 *                   the earlier body's; "failed": retries exhausted or a
 *                   permanent error (see "error"); "robots": forbidden by
 *                   robots.txt, not requested; "parked": not requested
 *                   because the host asked for a wait longer than the run's
 *                   budget
 *   "status"        HTTP status of the last attempt (0: no response; file://
 *                   bodies are reported as 200)
 *   "sha256"        body hash (hex), for landed and not_modified
 *   "size"          body size in bytes
 *   "content_type"  Content-Type header
 *   "etag", "last_modified", "retry_after", "content_encoding"
 *                   the response headers that matter, verbatim
 *   "fetched_at"    UTC time the request finished, "2026-11-24T03:00:01.123Z"
 *   "elapsed_ms"    wall time of the last attempt
 *   "attempts"      attempts made (1 = no retry)
 *   "error"         lowercase message for a failure, else null
 *   "next"          the next page's URL found in this body (pagination), or
 *                   null; a resumed run enqueues it if it is not done
 *   "worker"        worker id ("host:pid")
 *
 * A reader must ignore fields it does not know.  A URL can appear more than
 * once in a manifest only after a worker was killed between landing and
 * marking its queue item done; landing_run_foreach() yields it once.
 *
 * Errors: functions return 0 on success and -1 with err filled (class
 * MI_EXIT_IO for file system failures, MI_EXIT_NOINPUT for a missing run,
 * MI_EXIT_DATA for a corrupt manifest line).  Ownership: struct landing owns
 * its strings; records handed to callbacks are borrowed for the duration of
 * the call.
 */
#ifndef MI_LANDING_H
#define MI_LANDING_H

#include "err.h"
#include "sha256.h"

#include <stddef.h>

#define LANDING_HASH_HEX 65 /* 64 hex digits and a NUL */

struct landing {
	char *dir;
	int no_fsync; /* benchmarks only: skip fsync (never in production) */
};

#define LANDING_INIT { NULL, 0 }

/* Open the store at dir, creating it (and the folders above it) and objects/, tmp/,
 * runs/ and robots/ when missing. */
int landing_open(struct landing *ld, const char *dir, struct mi_err *err);
void landing_release(struct landing *ld);

/* 1 when run_id is usable as a directory name: [A-Za-z0-9._-]{1,64}, not starting with '.'. */
int landing_run_id_ok(const char *run_id);

/* A lowercase 64-digit hex string? */
int landing_hash_ok(const char *hex);

/*
 * The path of the object with hash hex: "<dir>/objects/ab/cdef...".
 * Returns buf, or NULL when it does not fit in size.
 */
char *landing_object_path(const struct landing *ld, const char *hex, char *buf, size_t size);

/* 1 when the object exists in the store. */
int landing_has(const struct landing *ld, const char *hex);

/*
 * Streaming writer for one body: bytes go to a temporary file while their
 * hash is computed; commit moves the file into place (or drops it when the
 * object exists), abort deletes it.  max is the largest body accepted (0:
 * no limit): a write past it fails with "body larger than N bytes" and the
 * writer must then be aborted: nothing half-received is ever stored.
 */
struct landing_writer {
	const struct landing *ld;
	int fd;
	char tmp_path[4096];
	struct mi_sha256 md;
	unsigned long long size;
	unsigned long long max;
	int toobig;
};

int landing_writer_begin(const struct landing *ld, struct landing_writer *w,
			 unsigned long long max, struct mi_err *err);
int landing_writer_write(struct landing_writer *w, const void *data, size_t len,
			 struct mi_err *err);
/* Finish: hex receives the hash, *was_new (may be NULL) whether the object is new. */
int landing_writer_commit(struct landing_writer *w, char hex[LANDING_HASH_HEX], int *was_new,
			  struct mi_err *err);
/* Drop the temporary file; safe after a failed begin/commit and twice. */
void landing_writer_abort(struct landing_writer *w);

/* Store a body held in memory (writer in one call). */
int landing_put(const struct landing *ld, const void *data, size_t len,
		char hex[LANDING_HASH_HEX], int *was_new, struct mi_err *err);

/* One manifest line, decoded.  Strings are NULL when absent. */
struct landing_record {
	const char *run;
	const char *source;
	const char *kind;
	const char *format;
	int county;
	const char *url;
	const char *final_url;
	int page;
	const char *outcome; /* "landed", "not_modified", "failed", "robots", "parked" */
	int status;
	const char *sha256;
	long long size;
	const char *content_type;
	const char *etag;
	const char *last_modified;
	const char *retry_after;
	const char *content_encoding;
	const char *fetched_at;
	long long elapsed_ms;
	int attempts;
	const char *error;
	const char *next;
	const char *worker;
	int items_known;     /* 1: items was counted */
	long long items;     /* items of a JSON page (fetch_page_items) */
	const char *warning; /* what went wrong on a page that landed (pagination), or NULL */
	/* filled by landing_run_foreach for landed / not_modified records */
	const char *path; /* the object's path in the store */
	long line;        /* manifest line number */
};

/* An open manifest, for appending. */
struct landing_manifest {
	int fd;
	char *path;
	int no_fsync;
};

#define LANDING_MANIFEST_INIT { -1, NULL, 0 }

/* Open (creating) runs/<run_id>/manifest.jsonl for appending. */
int landing_manifest_open(const struct landing *ld, const char *run_id,
			  struct landing_manifest *m, struct mi_err *err);
/* Append one record as a JSON line (one write, then fsync). */
int landing_manifest_append(struct landing_manifest *m, const struct landing_record *rec,
			    struct mi_err *err);
void landing_manifest_close(struct landing_manifest *m);

enum landing_foreach_flags {
	/* every line, in file order, failures and duplicates included */
	LANDING_ALL = 1 << 0,
};

/*
 * Call cb for each body of run run_id in the store at dir: by default each
 * URL's last "landed" or "not_modified" record once, in the order of the
 * URLs' first appearance, with rec->path set.  With LANDING_ALL, every line.
 * A callback returning nonzero stops the walk; that value is returned.
 * Returns 0 after the last record, or -1 (err set): the run does not exist
 * (MI_EXIT_NOINPUT), a line is not a JSON object (MI_EXIT_DATA, err names the
 * manifest and line), a read fails (MI_EXIT_IO).  A truncated last line (a
 * killed writer) is skipped, not an error.
 */
int landing_run_foreach(const char *dir, const char *run_id, unsigned flags,
			int (*cb)(const struct landing_record *rec, void *data), void *data,
			struct mi_err *err);

#endif
