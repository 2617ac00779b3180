#include "config.h"
#include "exitcode.h"
#include "opts.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

struct load_ctx {
	FILE *fp;
	int lineno;
	int at_bol;
	struct mi_config *cfg;
	struct mi_err *err;
	int failed;
};

/* inih stops at the first handler that returns 0 and reports its line. */
static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	struct mi_config *cfg = ctx->cfg;
	struct mi_config_entry *e;

	if (!name) /* a section header alone */
		return 1;
	if (mi_config_find(cfg, section, name)) {
		mi_err_set(ctx->err, MI_EXIT_CONFIG, "key '%s' given twice in section [%s]",
			   name, section);
		ctx->failed = 1;
		return 0;
	}
	if (cfg->n == cfg->alloc) {
		size_t na = cfg->alloc ? cfg->alloc * 2 : 16;
		void *nv = realloc(cfg->v, na * sizeof(*cfg->v));
		if (!nv)
			goto oom;
		cfg->v = nv;
		cfg->alloc = na;
	}
	e = &cfg->v[cfg->n];
	e->section = strdup(section);
	e->key = strdup(name);
	e->value = strdup(value);
	e->line = ctx->lineno;
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
		goto oom;
	}
	cfg->n++;
	return 1;
oom:
	mi_err_set(ctx->err, MI_EXIT_INTERNAL, "out of memory");
	ctx->failed = 1;
	return 0;
}

/*
 * Remember a "[name]" header line (inih reports sections only through their
 * keys, so an empty or misspelled section would go unseen).  Headers start
 * in the first column (an indented line may be a value's continuation);
 * names are trimmed as inih trims them; a line inih refuses is left to it.
 */
static int note_section(struct load_ctx *ctx, const char *line)
{
	struct mi_config *cfg = ctx->cfg;
	const char *p = line, *end;
	size_t n;

	if (*p != '[' || !(end = strchr(p, ']')))
		return 0;
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(end - p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (cfg->nsec == cfg->asec) {
		size_t na = cfg->asec ? cfg->asec * 2 : 8;
		void *nv = realloc(cfg->sec, na * sizeof(*cfg->sec));
		if (!nv)
			return -1;
		cfg->sec = nv;
		cfg->asec = na;
	}
	cfg->sec[cfg->nsec].name = strndup(p, n);
	if (!cfg->sec[cfg->nsec].name)
		return -1;
	cfg->sec[cfg->nsec].line = ctx->lineno;
	cfg->nsec++;
	return 0;
}

/*
 * inih does not hand the line number to the handler, so the reader counts
 * the lines it gives inih: when the handler runs, the current count is the
 * line of the entry (the last line of a continued value).
 */
static char *read_line(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	char *r = fgets(str, num, ctx->fp);

	if (r && ctx->at_bol) {
		ctx->lineno++;
		if (note_section(ctx, r) < 0 && !ctx->failed) {
			mi_err_set(ctx->err, MI_EXIT_INTERNAL, "out of memory");
			ctx->failed = 1;
			return NULL;
		}
	}
	if (r) {
		ctx->at_bol = strchr(r, '\n') != NULL;
		if (!ctx->at_bol && !feof(ctx->fp) && !ctx->failed) {
			/* inih would read the rest as a new line: refuse instead */
			mi_err_set(ctx->err, MI_EXIT_CONFIG, "line too long (at most %d bytes)",
				   num - 2);
			mi_err_at(ctx->err, ctx->cfg->path, ctx->lineno, -1);
			ctx->failed = 1;
			return NULL;
		}
	}
	return r;
}

int mi_config_load(struct mi_config *cfg, const char *path, struct mi_err *err)
{
	struct load_ctx ctx = { NULL, 0, 1, cfg, err, 0 };
	FILE *fp;
	int r;

	cfg->path = strdup(path);
	if (!cfg->path)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	fp = fopen(path, "r");
	if (!fp) {
		mi_err_set(err, MI_EXIT_CONFIG, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	ctx.fp = fp;
	r = ini_parse_stream(read_line, &ctx, on_entry, &ctx);
	if (r != 0 || ctx.failed) {
		if (!ctx.failed)
			mi_err_set(err, MI_EXIT_CONFIG, "syntax error");
		mi_err_at(err, path, r > 0 ? r : ctx.lineno, -1);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

void mi_config_release(struct mi_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->v[i].section);
		free(cfg->v[i].key);
		free(cfg->v[i].value);
	}
	for (size_t i = 0; i < cfg->nsec; i++)
		free(cfg->sec[i].name);
	free(cfg->sec);
	free(cfg->v);
	free(cfg->path);
	cfg->v = NULL;
	cfg->sec = NULL;
	cfg->path = NULL;
	cfg->n = cfg->alloc = cfg->nsec = cfg->asec = 0;
}

const struct mi_config_entry *mi_config_find(const struct mi_config *cfg,
					     const char *section, const char *key)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->v[i].section, section) && !strcmp(cfg->v[i].key, key))
			return &cfg->v[i];
	return NULL;
}

const char *mi_config_str(const struct mi_config *cfg, const char *section,
			  const char *key, const char *def)
{
	const struct mi_config_entry *e = mi_config_find(cfg, section, key);

	return e ? e->value : def;
}

static int bad_value(const struct mi_config *cfg, const struct mi_config_entry *e,
		     struct mi_err *err, const char *want)
{
	mi_err_set(err, MI_EXIT_CONFIG, "invalid value '%s' for key '%s' in section [%s]: %s",
		   e->value, e->key, e->section, want);
	mi_err_at(err, cfg->path, e->line, -1);
	return -1;
}

int mi_config_req(const struct mi_config *cfg, const char *section, const char *key,
		  const char **out, struct mi_err *err)
{
	const struct mi_config_entry *e = mi_config_find(cfg, section, key);

	if (!e || !e->value[0]) {
		mi_err_set(err, MI_EXIT_CONFIG, "missing key '%s' in section [%s]", key, section);
		mi_err_at(err, cfg->path, e ? e->line : 0, -1);
		return -1;
	}
	*out = e->value;
	return 0;
}

int mi_config_int(const struct mi_config *cfg, const char *section, const char *key,
		  long long min, long long max, long long def, long long *out,
		  struct mi_err *err)
{
	const struct mi_config_entry *e = mi_config_find(cfg, section, key);
	char want[96];

	if (!e) {
		*out = def;
		return 0;
	}
	if (mi_parse_ll(e->value, min, max, out) == 0)
		return 0;
	snprintf(want, sizeof(want), "must be an integer between %lld and %lld", min, max);
	return bad_value(cfg, e, err, want);
}

int mi_config_double(const struct mi_config *cfg, const char *section, const char *key,
		     double min, double max, double def, double *out, struct mi_err *err)
{
	const struct mi_config_entry *e = mi_config_find(cfg, section, key);
	char want[96];

	if (!e) {
		*out = def;
		return 0;
	}
	if (mi_parse_double(e->value, min, max, out) == 0)
		return 0;
	snprintf(want, sizeof(want), "must be a number between %g and %g", min, max);
	return bad_value(cfg, e, err, want);
}

int mi_config_bool(const struct mi_config *cfg, const char *section, const char *key,
		   int def, int *out, struct mi_err *err)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	const struct mi_config_entry *e = mi_config_find(cfg, section, key);

	if (!e) {
		*out = def;
		return 0;
	}
	for (int i = 0; yes[i]; i++) {
		if (!strcasecmp(e->value, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(e->value, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return bad_value(cfg, e, err, "must be true or false");
}

int mi_config_enum(const struct mi_config *cfg, const char *section, const char *key,
		   const char *const *choices, int def, int *out, struct mi_err *err)
{
	const struct mi_config_entry *e = mi_config_find(cfg, section, key);
	char want[256];
	size_t n = 0;

	if (!e) {
		*out = def;
		return 0;
	}
	for (int i = 0; choices[i]; i++)
		if (!strcmp(e->value, choices[i])) {
			*out = i;
			return 0;
		}
	n += (size_t)snprintf(want, sizeof(want), "must be one of");
	for (int i = 0; choices[i] && n < sizeof(want); i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s %s", i ? "," : "",
				      choices[i]);
	return bad_value(cfg, e, err, want);
}

int mi_config_check(const struct mi_config *cfg, const struct mi_config_key *known,
		    struct mi_err *err)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const struct mi_config_entry *e = &cfg->v[i];
		int ok = 0;

		for (const struct mi_config_key *k = known; k->section; k++) {
			if ((!strcmp(k->section, "*") || !strcmp(k->section, e->section)) &&
			    (!strcmp(k->key, "*") || !strcmp(k->key, e->key))) {
				ok = 1;
				break;
			}
		}
		if (!ok) {
			mi_err_set(err, MI_EXIT_CONFIG, "unknown key '%s' in section [%s]",
				   e->key, e->section);
			mi_err_at(err, cfg->path, e->line, -1);
			return -1;
		}
	}
	return 0;
}
