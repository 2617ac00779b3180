#include "landing.h"
#include "atomicfile.h"
#include "exitcode.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

static int mkdir_p1(const char *path, struct mi_err *err)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return mi_err_set(err, MI_EXIT_IO, "cannot create directory '%s': %s", path,
			  strerror(errno));
}

/* path and the folders above it that are missing, like mkdir -p */
static int mkdir_parents(const char *path, struct mi_err *err)
{
	char tmp[4096];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp))
		return mi_err_set(err, MI_EXIT_IO, "path '%.64s...' is too long", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir_p1(tmp, err) < 0)
			return -1;
		*p = '/';
	}
	return mkdir_p1(tmp, err);
}

/*
 * Temporaries of workers killed mid-transfer: removed once older than two
 * days (no transfer lives that long; live workers may share the store).
 */
static void sweep_tmp(const char *dir)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	DIR *d;

	snprintf(path, sizeof(path), "%s/tmp", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "body-", 5))
			continue;
		snprintf(path, sizeof(path), "%s/tmp/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > 2 * 86400)
			unlink(path);
	}
	closedir(d);
}

int landing_open(struct landing *ld, const char *dir, struct mi_err *err)
{
	static const char *const subs[] = { "objects", "tmp", "runs", "robots" };
	char path[4096];
	size_t i;

	ld->dir = strdup(dir);
	if (!ld->dir)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	if (mkdir_parents(dir, err) < 0)
		goto fail;
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
		if (mkdir_p1(path, err) < 0)
			goto fail;
	}
	sweep_tmp(dir);
	return 0;
fail:
	free(ld->dir);
	ld->dir = NULL;
	return -1;
}

void landing_release(struct landing *ld)
{
	free(ld->dir);
	ld->dir = NULL;
}

int landing_run_id_ok(const char *run_id)
{
	size_t n = 0;
	const char *p;

	if (!run_id || !*run_id || *run_id == '.')
		return 0;
	for (p = run_id; *p; p++, n++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n <= 64;
}

int landing_hash_ok(const char *hex)
{
	int i;

	if (!hex)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	return hex[64] == '\0';
}

char *landing_object_path(const struct landing *ld, const char *hex, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/objects/%.2s/%s", ld->dir, hex, hex + 2);

	if (n < 0 || (size_t)n >= size)
		return NULL;
	return buf;
}

int landing_has(const struct landing *ld, const char *hex)
{
	char path[4096];

	if (!landing_object_path(ld, hex, path, sizeof(path)))
		return 0;
	return access(path, F_OK) == 0;
}

int landing_writer_begin(const struct landing *ld, struct landing_writer *w,
			 unsigned long long max, struct mi_err *err)
{
	memset(w, 0, sizeof(*w));
	w->ld = ld;
	w->fd = -1;
	w->max = max;
	snprintf(w->tmp_path, sizeof(w->tmp_path), "%s/tmp/body-XXXXXX", ld->dir);
	w->fd = mkstemp(w->tmp_path);
	if (w->fd < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot create a temporary file in '%s/tmp': %s",
			   ld->dir, strerror(errno));
		w->tmp_path[0] = '\0';
		return -1;
	}
	if (mi_sha256_begin(&w->md) < 0) {
		landing_writer_abort(w);
		return mi_err_set(err, MI_EXIT_INTERNAL, "cannot initialize SHA-256");
	}
	return 0;
}

int landing_writer_write(struct landing_writer *w, const void *data, size_t len,
			 struct mi_err *err)
{
	const char *p = data;

	if (w->max && w->size + len > w->max) {
		w->toobig = 1;
		return mi_err_set(err, MI_EXIT_DATA, "body larger than %llu bytes", w->max);
	}
	if (mi_sha256_add(&w->md, data, len) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "SHA-256 update failed");
	w->size += len;
	while (len > 0) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mi_err_set(err, MI_EXIT_IO, "cannot write '%s': %s", w->tmp_path,
					  strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int landing_writer_commit(struct landing_writer *w, char hex[LANDING_HASH_HEX], int *was_new,
			  struct mi_err *err)
{
	char path[4096], dir[4096];
	int ret = -1;

	if (was_new)
		*was_new = 0;
	if (mi_sha256_end(&w->md, hex) < 0) {
		mi_err_set(err, MI_EXIT_INTERNAL, "SHA-256 final failed");
		goto out;
	}
	if (!landing_object_path(w->ld, hex, path, sizeof(path))) {
		mi_err_set(err, MI_EXIT_IO, "landing path too long");
		goto out;
	}
	if (access(path, F_OK) == 0) { /* already stored: content-addressed, so identical */
		ret = 0;
		goto out;
	}
	if (!w->ld->no_fsync && fsync(w->fd) < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot fsync '%s': %s", w->tmp_path, strerror(errno));
		goto out;
	}
	if (fchmod(w->fd, 0444) < 0 || close(w->fd) < 0) {
		w->fd = -1;
		mi_err_set(err, MI_EXIT_IO, "cannot close '%s': %s", w->tmp_path, strerror(errno));
		goto out;
	}
	w->fd = -1;
	snprintf(dir, sizeof(dir), "%s/objects/%.2s", w->ld->dir, hex);
	/* the fan-out directory exists after the first few hundred bodies: try first */
	if (rename(w->tmp_path, path) < 0) {
		if (errno != ENOENT)
			goto rename_failed;
		if (mkdir_p1(dir, err) < 0)
			goto out;
		if (rename(w->tmp_path, path) < 0)
			goto rename_failed;
	}
	w->tmp_path[0] = '\0';
	if (!w->ld->no_fsync && mi_fsync_dir(dir) < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot fsync '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (was_new)
		*was_new = 1;
	ret = 0;
	goto out;
rename_failed:
	mi_err_set(err, MI_EXIT_IO, "cannot rename '%s' to '%s': %s", w->tmp_path, path,
		   strerror(errno));
out:
	landing_writer_abort(w);
	return ret;
}

void landing_writer_abort(struct landing_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->tmp_path[0])
		unlink(w->tmp_path);
	w->tmp_path[0] = '\0';
	mi_sha256_release(&w->md);
}

int landing_put(const struct landing *ld, const void *data, size_t len,
		char hex[LANDING_HASH_HEX], int *was_new, struct mi_err *err)
{
	struct landing_writer w;

	if (landing_writer_begin(ld, &w, 0, err) < 0)
		return -1;
	if (landing_writer_write(&w, data, len, err) < 0) {
		landing_writer_abort(&w);
		return -1;
	}
	return landing_writer_commit(&w, hex, was_new, err);
}

int landing_manifest_open(const struct landing *ld, const char *run_id,
			  struct landing_manifest *m, struct mi_err *err)
{
	char path[4096];

	m->fd = -1;
	m->path = NULL;
	m->no_fsync = ld->no_fsync;
	if (!landing_run_id_ok(run_id))
		return mi_err_set(err, MI_EXIT_USAGE,
				  "bad run id '%s': use letters, digits, '.', '_', '-'", run_id);
	snprintf(path, sizeof(path), "%s/runs/%s", ld->dir, run_id);
	if (mkdir_p1(path, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/runs/%s/manifest.jsonl", ld->dir, run_id);
	m->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (m->fd < 0)
		return mi_err_set(err, MI_EXIT_IO, "cannot open '%s': %s", path, strerror(errno));
	m->path = strdup(path);
	if (!m->path) {
		landing_manifest_close(m);
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	}
	return 0;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

int landing_manifest_append(struct landing_manifest *m, const struct landing_record *r,
			    struct mi_err *err)
{
	struct json_object *o = json_object_new_object();
	struct strbuf line = STRBUF_INIT;
	const char *s;
	int ret = -1;

	if (!o)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	json_object_object_add(o, "v", json_object_new_int(1));
	add_str(o, "run", r->run);
	add_str(o, "source", r->source);
	add_str(o, "kind", r->kind);
	add_str(o, "format", r->format);
	json_object_object_add(o, "county", json_object_new_int(r->county));
	add_str(o, "url", r->url);
	add_str(o, "final_url", r->final_url);
	json_object_object_add(o, "page", json_object_new_int(r->page));
	add_str(o, "outcome", r->outcome);
	json_object_object_add(o, "status", json_object_new_int(r->status));
	add_str(o, "sha256", r->sha256);
	json_object_object_add(o, "size", json_object_new_int64(r->size));
	add_str(o, "content_type", r->content_type);
	add_str(o, "etag", r->etag);
	add_str(o, "last_modified", r->last_modified);
	add_str(o, "retry_after", r->retry_after);
	add_str(o, "content_encoding", r->content_encoding);
	add_str(o, "fetched_at", r->fetched_at);
	json_object_object_add(o, "elapsed_ms", json_object_new_int64(r->elapsed_ms));
	json_object_object_add(o, "attempts", json_object_new_int(r->attempts));
	add_str(o, "error", r->error);
	add_str(o, "next", r->next);
	add_str(o, "worker", r->worker);
	if (r->items_known)
		json_object_object_add(o, "items", json_object_new_int64(r->items));
	add_str(o, "warning", r->warning);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || strbuf_addstr(&line, s) < 0 || strbuf_addch(&line, '\n') < 0) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	/* one write() on O_APPEND: lines of concurrent workers never interleave */
	{
		ssize_t n = write(m->fd, line.buf, line.len);
		if (n < 0 || (size_t)n != line.len) {
			mi_err_set(err, MI_EXIT_IO, "cannot append to '%s': %s", m->path,
				   n < 0 ? strerror(errno) : "short write");
			goto out;
		}
	}
	if (!m->no_fsync && fdatasync(m->fd) < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot fsync '%s': %s", m->path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	json_object_put(o);
	strbuf_release(&line);
	return ret;
}

void landing_manifest_close(struct landing_manifest *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	free(m->path);
	m->path = NULL;
}

/* -------- reading a run's manifest -------- */

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static long long jint(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return 0;
	return json_object_get_int64(v);
}

static void decode(struct json_object *o, struct landing_record *r)
{
	memset(r, 0, sizeof(*r));
	r->run = jstr(o, "run");
	r->source = jstr(o, "source");
	r->kind = jstr(o, "kind");
	r->format = jstr(o, "format");
	r->county = (int)jint(o, "county");
	r->url = jstr(o, "url");
	r->final_url = jstr(o, "final_url");
	r->page = (int)jint(o, "page");
	r->outcome = jstr(o, "outcome");
	r->status = (int)jint(o, "status");
	r->sha256 = jstr(o, "sha256");
	r->size = jint(o, "size");
	r->content_type = jstr(o, "content_type");
	r->etag = jstr(o, "etag");
	r->last_modified = jstr(o, "last_modified");
	r->retry_after = jstr(o, "retry_after");
	r->content_encoding = jstr(o, "content_encoding");
	r->fetched_at = jstr(o, "fetched_at");
	r->elapsed_ms = jint(o, "elapsed_ms");
	r->attempts = (int)jint(o, "attempts");
	r->error = jstr(o, "error");
	r->next = jstr(o, "next");
	r->worker = jstr(o, "worker");
	{
		struct json_object *v;
		r->items_known = json_object_object_get_ex(o, "items", &v) && v;
		r->items = r->items_known ? json_object_get_int64(v) : 0;
	}
	r->warning = jstr(o, "warning");
}

static int has_body(const struct landing_record *r)
{
	return r->outcome && r->url && landing_hash_ok(r->sha256) &&
	       (!strcmp(r->outcome, "landed") || !strcmp(r->outcome, "not_modified"));
}

struct line_obj {
	struct json_object *o;
	long line;
	int keep;
};

int landing_run_foreach(const char *dir, const char *run_id, unsigned flags,
			int (*cb)(const struct landing_record *rec, void *data), void *data,
			struct mi_err *err)
{
	struct landing ld = { (char *)dir, 0 };
	struct strbuf sb = STRBUF_INIT;
	struct line_obj *v = NULL;
	size_t n = 0, alloc = 0, i, j;
	char path[4096], obj[4096];
	long lineno = 0;
	FILE *fp = NULL;
	int ret = -1, r;

	if (!landing_run_id_ok(run_id))
		return mi_err_set(err, MI_EXIT_USAGE, "bad run id '%s'", run_id);
	snprintf(path, sizeof(path), "%s/runs/%s/manifest.jsonl", dir, run_id);
	fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT)
			return mi_err_set(err, MI_EXIT_NOINPUT, "no run '%s' in '%s'", run_id, dir);
		return mi_err_set(err, MI_EXIT_IO, "cannot open '%s': %s", path, strerror(errno));
	}
	strbuf_init(&sb, 1 << 20);
	while ((r = strbuf_getline(&sb, fp)) != 0) {
		struct json_object *o;
		int complete;

		lineno++;
		if (r < 0) {
			if (ferror(fp)) {
				mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", path,
					   strerror(errno));
				goto out;
			}
			mi_err_set(err, MI_EXIT_DATA, "manifest line too long");
			mi_err_at(err, path, lineno, -1);
			goto out;
		}
		complete = !feof(fp);
		if (!sb.len)
			continue;
		o = json_tokener_parse(sb.buf);
		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			if (!complete) /* a killed writer's last line */
				break;
			mi_err_set(err, MI_EXIT_DATA, "manifest line is not a JSON object");
			mi_err_at(err, path, lineno, -1);
			goto out;
		}
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			void *nv = realloc(v, na * sizeof(*v));
			if (!nv) {
				json_object_put(o);
				mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				goto out;
			}
			v = nv;
			alloc = na;
		}
		v[n].o = o;
		v[n].line = lineno;
		v[n].keep = 1;
		n++;
	}
	if (ferror(fp)) {
		mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!(flags & LANDING_ALL)) {
		/*
		 * Keep each URL's last body record, reported at the place of the
		 * URL's first body record.  Quadratic only in duplicates: a
		 * manifest has a few thousand lines.
		 */
		for (i = 0; i < n; i++) {
			struct landing_record ri;
			decode(v[i].o, &ri);
			if (!has_body(&ri)) {
				v[i].keep = 0;
				continue;
			}
			for (j = i + 1; j < n; j++) {
				struct landing_record rj;
				if (!v[j].keep)
					continue;
				decode(v[j].o, &rj);
				if (has_body(&rj) && !strcmp(ri.url, rj.url)) {
					struct json_object *t = v[i].o;
					long tl = v[i].line;
					v[i].o = v[j].o;
					v[i].line = v[j].line;
					v[j].o = t;
					v[j].line = tl;
					v[j].keep = 0;
				}
			}
		}
	}
	ret = 0;
	for (i = 0; i < n; i++) {
		struct landing_record rec;
		if (!v[i].keep)
			continue;
		decode(v[i].o, &rec);
		rec.line = v[i].line;
		if (has_body(&rec))
			rec.path = landing_object_path(&ld, rec.sha256, obj, sizeof(obj));
		r = cb(&rec, data);
		if (r) {
			ret = r;
			break;
		}
	}
out:
	for (i = 0; i < n; i++)
		json_object_put(v[i].o);
	free(v);
	strbuf_release(&sb);
	fclose(fp);
	return ret;
}
