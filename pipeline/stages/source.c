#include "source.h"
#include "exitcode.h"
#include "filelimits.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const source_keys[] = { "id", "kind", "county", "url", "format", "rules",
					   "schedule", "enabled", NULL };
static const char *const fetch_keys[] = { "concurrency", "rate", "robots", "max_body", "timeout",
					  "connect_timeout", "low_speed_limit", "low_speed_time",
					  "max_redirects", "max_attempts", NULL };
static const char *const paginate_keys[] = { "mode", "next_field", "next_xpath", "items_field",
					     "start", "max_pages", "page_size",
					     "expected_min_items", NULL };
static const char *const auth_keys[] = { "header", "env", "prefix", NULL };
static const char *const no_keys[] = { NULL };
static const char *const sections[] = { "source", "fetch", "paginate", "auth", "limits", NULL };

int (*source_format_known)(const char *format);

static const char *const kinds[] = { "county_sales", "owner_roll", "pm_listings", "reviews",
				     "pricing", NULL };
static const char *const schedules[] = { "nightly", "weekly", "monthly", "manual", NULL };
static const char *const page_modes[] = { "none", "json_next", "html_next", "page_number", NULL };

static int in_list(const char *const *v, const char *s)
{
	for (; *v; v++)
		if (!strcmp(*v, s))
			return 1;
	return 0;
}

/* Unknown sections and unknown keys are errors naming file and line. */
static int check_keys(const struct mi_config *cfg, struct mi_err *err)
{
	size_t i;

	for (i = 0; i < cfg->nsec; i++) {
		if (in_list(sections, cfg->sec[i].name))
			continue;
		mi_err_set(err, MI_EXIT_CONFIG,
			   "unknown section [%s] (known: source, fetch, paginate, auth, limits)",
			   cfg->sec[i].name);
		mi_err_at(err, cfg->path, cfg->sec[i].line, -1);
		return -1;
	}
	for (i = 0; i < cfg->n; i++) {
		const struct mi_config_entry *e = &cfg->v[i];
		const char *const *known = NULL;

		if (!strcmp(e->section, "source"))
			known = source_keys;
		else if (!strcmp(e->section, "fetch"))
			known = fetch_keys;
		else if (!strcmp(e->section, "paginate"))
			known = paginate_keys;
		else if (!strcmp(e->section, "auth"))
			known = auth_keys;
		else if (!strcmp(e->section, "limits"))
			known = mi_limits_keys;
		else
			known = no_keys;
		if (known && !in_list(known, e->key)) {
			mi_err_set(err, MI_EXIT_CONFIG, "unknown key '%s' in section [%s]", e->key,
				   e->section);
			mi_err_at(err, cfg->path, e->line, -1);
			return -1;
		}
	}
	return 0;
}

static int dup_opt(const struct mi_config *cfg, const char *sec, const char *key, const char *def,
		   char **out, struct mi_err *err)
{
	const char *v = mi_config_str(cfg, sec, key, def);

	*out = NULL;
	if (!v)
		return 0;
	*out = strdup(v);
	if (!*out)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	return 0;
}

static int bad_value(const struct mi_config *cfg, const char *sec, const char *key,
		     struct mi_err *err, const char *fmt, const char *v)
{
	const struct mi_config_entry *e = mi_config_find(cfg, sec, key);

	mi_err_set(err, MI_EXIT_CONFIG, fmt, v);
	mi_err_at(err, cfg->path, e ? e->line : 0, -1);
	return -1;
}

int source_id_ok(const char *id)
{
	size_t n = 0;

	if (!id || !((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9')))
		return 0;
	for (; *id; id++, n++)
		if (!((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9') || *id == '_' ||
		      *id == '.' || *id == '-'))
			return 0;
	return n <= 64;
}

/* A rules path stays inside the config directory: relative, no ".." part. */
static int rules_path_ok(const char *p)
{
	if (!*p || *p == '/' || *p == '\\' || strchr(p, ':'))
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/\\");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += n;
		p += strspn(p, "/\\");
	}
	return 1;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

struct source *source_load(const char *path, struct mi_err *err)
{
	struct source *s = calloc(1, sizeof(*s));
	const struct mi_config *cfg;
	const char *v;
	long long ll;
	int idx;

	if (!s) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	if (mi_config_load(&s->cfg, path, err) < 0 || check_keys(&s->cfg, err) < 0)
		goto fail;
	cfg = &s->cfg;
	if (mi_config_req(cfg, "source", "id", &v, err) < 0)
		goto fail;
	{
		const char *b = base_name(path);
		size_t bl = strlen(b);
		if (bl < 4 || strcmp(b + bl - 4, ".ini") || strlen(v) != bl - 4 ||
		    strncmp(b, v, bl - 4)) {
			bad_value(cfg, "source", "id", err,
				  "source id '%s' does not match the file name", v);
			goto fail;
		}
	}
	if (!source_id_ok(v)) {
		bad_value(cfg, "source", "id", err,
			  "bad source id '%s': lowercase letters, digits, '.', '_', '-' (at most 64)", v);
		goto fail;
	}
	if (dup_opt(cfg, "source", "id", NULL, &s->id, err) < 0)
		goto fail;
	if (mi_config_req(cfg, "source", "kind", &v, err) < 0)
		goto fail;
	if (!in_list(kinds, v)) {
		bad_value(cfg, "source", "kind", err,
			  "unknown source kind '%s' (county_sales, owner_roll, pm_listings, reviews, pricing)",
			  v);
		goto fail;
	}
	if (dup_opt(cfg, "source", "kind", NULL, &s->kind, err) < 0)
		goto fail;
	if (mi_config_int(cfg, "source", "county", 0, 4, 0, &ll, err) < 0)
		goto fail;
	s->county = (int)ll;
	if (mi_config_req(cfg, "source", "url", &v, err) < 0)
		goto fail;
	if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8) && strncmp(v, "file://", 7)) {
		bad_value(cfg, "source", "url", err,
			  "unsupported URL '%s': use http://, https:// or file://", v);
		goto fail;
	}
	if (dup_opt(cfg, "source", "url", NULL, &s->url, err) < 0)
		goto fail;
	if (mi_config_req(cfg, "source", "format", &v, err) < 0)
		goto fail;
	if (source_format_known && !source_format_known(v)) {
		bad_value(cfg, "source", "format", err,
			  "unknown format '%s' (mi-parse --list-formats names them)", v);
		goto fail;
	}
	if (dup_opt(cfg, "source", "format", NULL, &s->format, err) < 0)
		goto fail;
	v = mi_config_str(cfg, "source", "rules", NULL);
	if (v && !rules_path_ok(v)) {
		bad_value(cfg, "source", "rules", err,
			  "rules file '%s' must be a relative path inside the configuration "
			  "directory (no '..', not absolute)", v);
		goto fail;
	}
	if (dup_opt(cfg, "source", "rules", NULL, &s->rules, err) < 0)
		goto fail;
	v = mi_config_str(cfg, "source", "schedule", "nightly");
	if (!in_list(schedules, v)) {
		bad_value(cfg, "source", "schedule", err,
			  "unknown schedule '%s' (nightly, weekly, monthly, manual)", v);
		goto fail;
	}
	if (dup_opt(cfg, "source", "schedule", "nightly", &s->schedule, err) < 0 ||
	    mi_config_bool(cfg, "source", "enabled", 0, &s->enabled, err) < 0)
		goto fail;

	if (mi_config_int(cfg, "fetch", "concurrency", 1, 64, 2, &ll, err) < 0)
		goto fail;
	s->concurrency = (int)ll;
	if (mi_config_double(cfg, "fetch", "rate", 0, 1000, 1, &s->rate, err) < 0 ||
	    mi_config_bool(cfg, "fetch", "robots", 1, &s->robots, err) < 0 ||
	    mi_config_int(cfg, "fetch", "max_body", 1, 1LL << 40, 100LL << 20, &s->max_body,
			  err) < 0)
		goto fail;
	if (mi_config_int(cfg, "fetch", "timeout", 1, 86400, 300, &ll, err) < 0)
		goto fail;
	s->timeout = (long)ll;
	if (mi_config_int(cfg, "fetch", "connect_timeout", 1, 600, 15, &ll, err) < 0)
		goto fail;
	s->connect_timeout = (long)ll;
	if (mi_config_int(cfg, "fetch", "low_speed_limit", 0, 1 << 30, 100, &ll, err) < 0)
		goto fail;
	s->low_speed_limit = (long)ll;
	if (mi_config_int(cfg, "fetch", "low_speed_time", 1, 3600, 60, &ll, err) < 0)
		goto fail;
	s->low_speed_time = (long)ll;
	if (mi_config_int(cfg, "fetch", "max_redirects", 0, 50, 5, &ll, err) < 0)
		goto fail;
	s->max_redirects = (long)ll;
	if (mi_config_int(cfg, "fetch", "max_attempts", 1, 20, 5, &ll, err) < 0)
		goto fail;
	s->max_attempts = (int)ll;

	if (mi_config_enum(cfg, "paginate", "mode", page_modes, 0, &idx, err) < 0)
		goto fail;
	s->paginate = idx;
	if (dup_opt(cfg, "paginate", "next_field", "next", &s->next_field, err) < 0 ||
	    dup_opt(cfg, "paginate", "next_xpath", "//a[@rel='next']/@href", &s->next_xpath,
		    err) < 0 ||
	    dup_opt(cfg, "paginate", "items_field", "items", &s->items_field, err) < 0)
		goto fail;
	if (mi_config_int(cfg, "paginate", "start", 0, 1000000, 1, &ll, err) < 0)
		goto fail;
	s->page_start = (int)ll;
	if (mi_config_int(cfg, "paginate", "max_pages", 1, 1000000, 100, &ll, err) < 0)
		goto fail;
	s->max_pages = (int)ll;
	if (mi_config_int(cfg, "paginate", "page_size", 0, 1000000, 0, &ll, err) < 0)
		goto fail;
	s->page_size = ll;
	if (mi_config_int(cfg, "paginate", "expected_min_items", 0, 1000000000, 0, &ll, err) < 0)
		goto fail;
	s->expected_min_items = ll;
	if (s->paginate == SOURCE_PAGE_NUMBER && !strstr(s->url, "{page}")) {
		bad_value(cfg, "source", "url", err,
			  "URL '%s' has no {page} for page_number pagination", s->url);
		goto fail;
	}
	if (dup_opt(cfg, "auth", "header", NULL, &s->auth_header, err) < 0 ||
	    dup_opt(cfg, "auth", "env", NULL, &s->auth_env, err) < 0 ||
	    dup_opt(cfg, "auth", "prefix", NULL, &s->auth_prefix, err) < 0)
		goto fail;
	if (mi_limits_load(cfg, "limits", &s->limits, err) < 0)
		goto fail;
	if (!s->auth_header != !s->auth_env) {
		mi_err_set(err, MI_EXIT_CONFIG, "section [auth] needs both 'header' and 'env'");
		mi_err_at(err, path, 0, -1);
		goto fail;
	}
	return s;
fail:
	source_free(s);
	return NULL;
}

void source_free(struct source *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->kind);
	free(s->url);
	free(s->format);
	free(s->rules);
	free(s->schedule);
	free(s->next_field);
	free(s->next_xpath);
	free(s->items_field);
	free(s->auth_header);
	free(s->auth_env);
	free(s->auth_prefix);
	mi_config_release(&s->cfg);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Two enabled sources with one URL pattern: the fetch of a run keeps one
 * record per URL, so the second would get nothing, night after night.
 */
static int same_url(struct source **v, size_t n, struct mi_err *err)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct mi_config_entry *e;

			if (!v[i]->enabled || !v[j]->enabled || strcmp(v[i]->url, v[j]->url))
				continue;
			e = mi_config_find(&v[i]->cfg, "source", "url");
			mi_err_set(err, MI_EXIT_CONFIG,
				   "source '%s' has the URL of source '%s' (%s): each URL is fetched "
				   "once a run, so one of them would get nothing",
				   v[i]->id, v[j]->id, v[j]->cfg.path);
			mi_err_at(err, v[i]->cfg.path, e ? e->line : 0, -1);
			return -1;
		}
	}
	return 0;
}

int source_load_dir(const char *dir, struct source ***out, size_t *n, struct mi_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nn = 0, an = 0, i;
	struct source **v = NULL;
	int ret = -1;

	*out = NULL;
	*n = 0;
	if (!d)
		return mi_err_set(err, errno == ENOENT ? MI_EXIT_CONFIG : MI_EXIT_IO,
				  "cannot open source directory '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".ini"))
			continue;
		if (nn == an) {
			size_t na = an ? an * 2 : 16;
			char **nv = realloc(names, na * sizeof(*nv));
			if (!nv)
				goto oom;
			names = nv;
			an = na;
		}
		names[nn] = strdup(de->d_name);
		if (!names[nn])
			goto oom;
		nn++;
	}
	if (nn)
		qsort(names, nn, sizeof(*names), cmp_str);
	v = calloc(nn ? nn : 1, sizeof(*v));
	if (!v)
		goto oom;
	for (i = 0; i < nn; i++) {
		struct strbuf p = STRBUF_INIT;
		if (strbuf_addf(&p, "%s/%s", dir, names[i]) < 0) {
			strbuf_release(&p);
			goto oom;
		}
		v[i] = source_load(p.buf, err);
		strbuf_release(&p);
		if (!v[i]) {
			source_free_all(v, i);
			v = NULL;
			goto out;
		}
	}
	if (same_url(v, nn, err) < 0) {
		source_free_all(v, nn);
		v = NULL;
		goto out;
	}
	*out = v;
	*n = nn;
	ret = 0;
	goto out;
oom:
	mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
out:
	for (i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

void source_free_all(struct source **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		source_free(v[i]);
	free(v);
}

char *source_url(const struct source *s, const char *date, int page, struct mi_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = s->url;

	while (*p) {
		const char *close;
		if (*p != '{') {
			if (strbuf_addch(&sb, *p++) < 0)
				goto oom;
			continue;
		}
		close = strchr(p, '}');
		if (!close)
			goto bad;
		if (close - p == 5 && !strncmp(p, "{date", 5)) {
			if (strbuf_addstr(&sb, date) < 0)
				goto oom;
		} else if (close - p == 4 && !strncmp(p, "{ymd", 4)) {
			size_t i;
			for (i = 0; date[i]; i++)
				if (date[i] != '-' && strbuf_addch(&sb, date[i]) < 0)
					goto oom;
		} else if (close - p == 5 && !strncmp(p, "{page", 5)) {
			if (strbuf_addf(&sb, "%d", page) < 0)
				goto oom;
		} else {
			goto bad;
		}
		p = close + 1;
	}
	return strbuf_detach(&sb, NULL);
bad:
	mi_err_set(err, MI_EXIT_CONFIG, "bad placeholder in URL pattern '%s' (known: {date} {ymd} {page})",
		   s->url);
	mi_err_at(err, s->cfg.path, 0, -1);
	strbuf_release(&sb);
	return NULL;
oom:
	mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	strbuf_release(&sb);
	return NULL;
}

int source_auth_header(const struct source *s, char **out, struct mi_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v;

	*out = NULL;
	if (!s->auth_header)
		return 0;
	v = getenv(s->auth_env);
	if (!v || !*v)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "source '%s': environment variable '%s' is not set", s->id,
				  s->auth_env);
	if (strbuf_addf(&sb, "%s: %s%s%s", s->auth_header, s->auth_prefix ? s->auth_prefix : "",
			s->auth_prefix ? " " : "", v) < 0) {
		strbuf_release(&sb);
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	}
	*out = strbuf_detach(&sb, NULL);
	return 0;
}
