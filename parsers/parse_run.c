#include "parse_run.h"
#include "config.h"
#include "exitcode.h"
#include "landing.h"
#include "log.h"
#include "parser.h"
#include "sha256.h"
#include "source.h"
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "banned.h"

/* The first YYYY-MM-DD in path that is a real date, into out[11]; 0 when none. */
static int date_in_path(const char *path, char out[11])
{
	size_t n = strlen(path);
	struct value_date d;

	for (size_t i = 0; i + 10 <= n; i++) {
		const char *p = path + i;
		if (p[4] != '-' || p[7] != '-')
			continue;
		if (i > 0 && p[-1] >= '0' && p[-1] <= '9')
			continue;
		if (i + 10 < n && p[10] >= '0' && p[10] <= '9')
			continue;
		if (value_date(p, 10, &d) == 1) {
			value_date_format(&d, out, 11);
			return 1;
		}
	}
	return 0;
}

/* Errors that stop the whole run rather than one file. */
static int fatal_code(int code)
{
	return code == MI_EXIT_IO || code == MI_EXIT_CONFIG || code == MI_EXIT_USAGE ||
	       code == MI_EXIT_INTERNAL;
}

/* One input: what differs from file to file. */
struct one {
	const char *file;
	const char *format;
	const char *source;
	int county;
	const char *snapshot_date;
	const char *hash;        /* known landing hash, or NULL: hash the file */
	const struct mi_config *rules;
	const struct mi_limits *limits;
};

/* Where each entity file ends before a file is parsed, to take its rows back. */
struct out_mark {
	off_t size[REC_E_COUNT];
	long long count[REC_E_COUNT];
};

static int out_mark(struct parse_out *out, struct out_mark *m)
{
	struct stat st;

	for (int i = 0; i < REC_E_COUNT; i++) {
		m->count[i] = out->count[i];
		if (fflush(out->fp[i]) != 0 || fstat(fileno(out->fp[i]), &st) < 0)
			return -1;
		m->size[i] = st.st_size;
	}
	return 0;
}

static int out_rewind(struct parse_out *out, const struct out_mark *m)
{
	for (int i = 0; i < REC_E_COUNT; i++) {
		FILE *fp = out->fp[i];

		if (fflush(fp) != 0 || ftruncate(fileno(fp), m->size[i]) < 0 ||
		    fseeko(fp, m->size[i], SEEK_SET) < 0)
			return -1;
		clearerr(fp);
		out->count[i] = m->count[i];
	}
	return 0;
}

static int parse_one(const struct parse_run_opts *o, const struct one *w,
		     struct parse_out *out, struct parse_run_result *res, struct mi_err *ferr)
{
	const struct parser *p = w->format ? parser_find(w->format) : NULL;
	const char *file = w->file;
	struct parse_ctx ctx;
	struct parse_guard guard;
	struct out_mark mark;
	char date[11];
	FILE *in = NULL;
	int ret = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.source = w->source ? w->source : w->format ? w->format : "unknown";
	ctx.format = w->format ? w->format : "unknown";
	ctx.file = file;
	ctx.county = w->county;
	ctx.snapshot_date = w->snapshot_date;
	if (!ctx.snapshot_date && o->path_date && date_in_path(file, date))
		ctx.snapshot_date = date;
	ctx.rules = w->rules;
	ctx.out = out;
	ctx.max_rejects = o->max_rejects;

	if (w->hash && strlen(w->hash) == 64)
		memcpy(ctx.landing_hash, w->hash, 65);
	if (!p) {
		mi_err_set(ferr, MI_EXIT_DATA, "unknown format '%s' for '%s'", ctx.format, file);
		if (parse_reject(&ctx, 0, -1, NULL, ferr->msg, NULL, 0, NULL) < 0)
			mi_err_set(ferr, MI_EXIT_IO, "cannot write rejects in '%s'", o->out_dir);
		ret = -1;
		goto out;
	}
	if (out_mark(out, &mark) < 0) {
		mi_err_set(ferr, MI_EXIT_IO, "cannot write in '%s': %s", o->out_dir, strerror(errno));
		ret = -1;
		goto out;
	}
	parse_guard_start(&guard, w->limits);
	if ((!w->hash && mi_sha256_file(file, ctx.landing_hash, NULL, NULL, ferr) < 0) ||
	    !(in = parse_open_input(file, &guard, ferr))) {
		/* the one reject of a file that cannot be read at all */
		if (parse_reject(&ctx, 0, -1, NULL, ferr->msg, NULL, 0, NULL) < 0) {
			mi_err_set(ferr, MI_EXIT_IO, "cannot write rejects in '%s'", o->out_dir);
		} else if (ferr->code != MI_EXIT_NOINPUT) {
			ferr->code = MI_EXIT_DATA;
		}
		ret = -1;
		goto out;
	}
	ctx.guard = &guard;
	if (p->parse(&ctx, in, ferr) < 0) {
		if (ctx.write_failed)
			ferr->code = MI_EXIT_IO;
		else if (!fatal_code(ferr->code))
			ferr->code = MI_EXIT_DATA;
		if (!ferr->where[0])
			mi_err_at(ferr, file, ferr->line, ferr->offset);
		ret = -1;
	}
	ctx.guard = NULL;
	if (guard.hit && !ctx.write_failed) {
		/* over a limit: the file is rejected whole, its rows taken back */
		if (out_rewind(out, &mark) < 0) {
			mi_err_set(ferr, MI_EXIT_IO, "cannot write in '%s': %s", o->out_dir,
				   strerror(errno));
			ret = -1;
			goto out;
		}
		ctx.emitted = ctx.rejected = 0;
		mi_err_clear(ferr);
		if (parse_reject(&ctx, 0, guard.hit == PARSE_LIMIT_BYTES ? guard.lim.max_bytes : -1,
				 NULL, guard.why, NULL, 0, ferr) < 0) {
			ret = -1;
			goto out;
		}
		mi_err_set(ferr, MI_EXIT_DATA, "'%s': %s", file, guard.why);
		mi_err_at(ferr, file, 0, -1);
		ret = -1;
	}
out:
	if (in)
		fclose(in);
	res->read += ctx.read;
	res->emitted += ctx.emitted;
	res->rejected += ctx.rejected;
	{
		char r[24], e[24], j[24];
		snprintf(r, sizeof(r), "%lld", ctx.read);
		snprintf(e, sizeof(e), "%lld", ctx.emitted);
		snprintf(j, sizeof(j), "%lld", ctx.rejected);
		if (ret < 0)
			mi_log_kv(MI_LOG_WARN, "parse_failed", "file", file, "format", ctx.format,
				  "read", r, "emitted", e, "rejected", j, "error", ferr->msg, NULL);
		else
			mi_log_kv(MI_LOG_INFO, "parsed", "file", file, "format", ctx.format, "read", r,
				  "emitted", e, "rejected", j, NULL);
	}
	return ret;
}

static int out_open(const struct parse_run_opts *o, struct parse_out *out, struct mi_err *err)
{
	if (parse_out_open(out, o->out_dir, o->append, err) < 0)
		return -1;
	/*
	 * big buffers: one write per MiB instead of per 4 KiB (12.8 M calendar
	 * rows).  glibc takes the size only with a buffer: without one it keeps
	 * the file system's block size.
	 */
	for (int i = 0; i < REC_E_COUNT; i++) {
		size_t size = i == REC_E_REJECTS ? 64 * 1024 : 1024 * 1024;
		if (!out->fp[i])
			continue;
		out->vbuf[i] = malloc(size);
		if (out->vbuf[i])
			setvbuf(out->fp[i], out->vbuf[i], _IOFBF, size);
	}
	return 0;
}

/* After one input: 1 to go on, 0 fatal (err set). */
static int after_one(int rc, struct mi_err *ferr, struct parse_run_result *res, int *failed,
		     struct mi_err *err)
{
	if (rc == 0)
		return 1;
	if (fatal_code(ferr->code)) {
		*err = *ferr;
		return 0;
	}
	res->files_failed++;
	if (!(*failed)++)
		*err = *ferr;
	return 1;
}

/* Close the output and judge the run. */
static int finish(const struct parse_run_opts *o, struct parse_out *out, int failed,
		  struct parse_run_result *res, struct mi_err *err)
{
	for (int i = 0; i < REC_E_COUNT; i++)
		res->count[i] = out->count[i];
	if (parse_out_close(out, err) < 0)
		return -1;
	if (failed)
		return -1;
	if (o->max_reject_ratio >= 0 && res->read > 0 &&
	    (double)res->rejected / (double)res->read > o->max_reject_ratio)
		return mi_err_set(err, MI_EXIT_DATA,
				  "too many rejects: %lld of %lld records (%.1f%%), over the limit of %.1f%%",
				  res->rejected, res->read,
				  100.0 * (double)res->rejected / (double)res->read,
				  100.0 * o->max_reject_ratio);
	return 0;
}

int parse_run_files(const struct parse_run_opts *o, char *const *files, int nfiles,
		    struct parse_run_result *res, struct mi_err *err)
{
	struct mi_config rules = MI_CONFIG_INIT;
	struct parse_run_result local;
	struct parse_out out;
	int ret = -1, failed = 0;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (!parser_find(o->format))
		return mi_err_set(err, MI_EXIT_USAGE, "unknown format '%s'", o->format);
	if (o->config_path && mi_config_load(&rules, o->config_path, err) < 0)
		return -1;
	if (out_open(o, &out, err) < 0)
		goto out;
	for (int i = 0; i < nfiles; i++) {
		struct mi_err ferr = MI_ERR_INIT;
		struct one w = { files[i], o->format, o->source, o->county, o->snapshot_date, NULL,
				 o->config_path ? &rules : NULL, &o->limits };

		res->files++;
		if (!after_one(parse_one(o, &w, &out, res, &ferr), &ferr, res, &failed, err)) {
			parse_out_close(&out, NULL);
			goto out;
		}
	}
	ret = finish(o, &out, failed, res, err);
out:
	mi_config_release(&rules);
	return ret;
}

/* --run: the state of the walk over a run's manifest. */
struct walk {
	const struct parse_run_opts *o;
	const char *config_dir;
	struct parse_out *out;
	struct parse_run_result *res;
	struct mi_err *err;
	int failed;
	struct mi_config given;   /* --config */
	char *rules_source;       /* the source whose rules are loaded */
	struct mi_config rules;
	int have_rules;
	struct mi_limits limits;  /* that source's limits */
};

/* The rules of source id (cached for consecutive records of one source). */
static int source_rules(struct walk *w, const char *id, struct mi_err *err)
{
	struct source *s;
	char path[4096];

	if (w->rules_source && id && !strcmp(w->rules_source, id))
		return 0;
	free(w->rules_source);
	w->rules_source = NULL;
	mi_config_release(&w->rules);
	w->have_rules = 0;
	w->limits = w->o->limits;
	if (!id || !source_id_ok(id))
		return 0;
	snprintf(path, sizeof(path), "%s/sources/%s.ini", w->config_dir, id);
	if (access(path, R_OK) < 0)
		return 0; /* a source without config: no rules, the default limits */
	s = source_load(path, err);
	if (!s)
		return -1;
	w->limits = s->limits;
	mi_limits_override(&w->limits, &w->o->limits, w->o->limits_forced);
	if (s->rules) {
		snprintf(path, sizeof(path), "%s/%s", w->config_dir, s->rules);
		if (mi_config_load(&w->rules, path, err) < 0) {
			source_free(s);
			return -1;
		}
		w->have_rules = 1;
	}
	source_free(s);
	w->rules_source = strdup(id);
	return 0;
}

/*
 * Formats whose parser dates a file by what it holds (an Inside Airbnb
 * calendar starts on its scrape date) but lets a given date win: under --run
 * they get no fetch date, which would replace the scrape date (a calendar
 * fetched days after its scrape would fail the stay-date window of
 * external.property_pricing).  The other formats take a date found in the
 * file first and the fetch date only for what they cannot date.
 */
static int dates_itself(const char *format)
{
	static const char *const dated[] = { "insideairbnb-calendar" };

	for (size_t i = 0; format && i < sizeof(dated) / sizeof(dated[0]); i++)
		if (!strcmp(format, dated[i]))
			return 1;
	return 0;
}

static int walk_one(const struct landing_record *rec, void *data)
{
	struct walk *w = data;
	struct mi_err ferr = MI_ERR_INIT;
	char date[11] = "";
	struct one one;

	if (!rec->path)
		return 0;
	if (w->o->format && (!rec->format || strcmp(w->o->format, rec->format)))
		return 0;
	if (w->o->source && (!rec->source || strcmp(w->o->source, rec->source)))
		return 0;
	if (source_rules(w, rec->source, w->err) < 0)
		return 1;
	if (rec->fetched_at && strlen(rec->fetched_at) >= 10) {
		memcpy(date, rec->fetched_at, 10);
		date[10] = '\0';
	}
	one.file = rec->path;
	one.format = rec->format;
	one.source = rec->source;
	one.county = w->o->county ? w->o->county : rec->county;
	if (w->o->snapshot_date)
		one.snapshot_date = w->o->snapshot_date;
	else
		one.snapshot_date = date[0] && !dates_itself(rec->format) ? date : NULL;
	one.hash = rec->sha256;
	one.rules = w->o->config_path ? &w->given : w->have_rules ? &w->rules : NULL;
	one.limits = &w->limits;
	w->res->files++;
	return after_one(parse_one(w->o, &one, w->out, w->res, &ferr), &ferr, w->res, &w->failed,
			 w->err) ? 0 : 1;
}

int parse_run_landing(const struct parse_run_opts *o, const char *landing_dir,
		      const char *config_dir, const char *run_id, struct parse_run_result *res,
		      struct mi_err *err)
{
	struct parse_run_result local;
	struct parse_out out;
	struct walk w;
	int rc, ret = -1;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	w.o = o;
	w.config_dir = config_dir;
	w.out = &out;
	w.res = res;
	w.err = err;
	w.limits = o->limits;
	if (!landing_run_id_ok(run_id))
		return mi_err_set(err, MI_EXIT_USAGE, "invalid run id '%s'", run_id);
	if (o->format && !parser_find(o->format))
		return mi_err_set(err, MI_EXIT_USAGE, "unknown format '%s'", o->format);
	if (o->config_path && mi_config_load(&w.given, o->config_path, err) < 0)
		return -1;
	if (out_open(o, &out, err) < 0)
		goto out;
	rc = landing_run_foreach(landing_dir, run_id, 0, walk_one, &w, err);
	if (rc != 0) {
		parse_out_close(&out, NULL);
		goto out;
	}
	ret = finish(o, &out, w.failed, res, err);
out:
	mi_config_release(&w.given);
	mi_config_release(&w.rules);
	free(w.rules_source);
	return ret;
}
