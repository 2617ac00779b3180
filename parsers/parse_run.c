#include "parse_run.h"
#include "config.h"
#include "exitcode.h"
#include "log.h"
#include "parser.h"
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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

/*
 * Like parse_open_input(), but a gzip stream that ends early is a read
 * error, not a quiet end of file: zlib's gzread() reports a truncated
 * stream as Z_BUF_ERROR "unexpected end of file" and then returns 0.
 */
static ssize_t gz_read_strict(void *cookie, char *buf, size_t size)
{
	int n = gzread((gzFile)cookie, buf, size > (1u << 30) ? (1u << 30) : (unsigned)size);
	int zerr = Z_OK;

	if (n == 0)
		gzerror((gzFile)cookie, &zerr);
	if (n < 0 || zerr != Z_OK) {
		errno = EIO;
		return -1;
	}
	return n;
}

static int gz_close_strict(void *cookie)
{
	return gzclose_r((gzFile)cookie) == Z_OK ? 0 : -1;
}

static FILE *open_input(const char *path, struct mi_err *err)
{
	cookie_io_functions_t io = { gz_read_strict, NULL, NULL, gz_close_strict };
	gzFile gz;
	FILE *fp;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		mi_err_set(err, errno == ENOENT ? MI_EXIT_NOINPUT : MI_EXIT_IO,
			   "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	gzbuffer(gz, 256 * 1024);
	fp = fopencookie(gz, "r", io);
	if (!fp) {
		gzclose_r(gz);
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, 256 * 1024);
	return fp;
}

/* Errors that stop the whole run rather than one file. */
static int fatal_code(int code)
{
	return code == MI_EXIT_IO || code == MI_EXIT_CONFIG || code == MI_EXIT_USAGE ||
	       code == MI_EXIT_INTERNAL;
}

static int parse_one(const struct parse_run_opts *o, const struct parser *p,
		     const struct mi_config *rules, struct parse_out *out, const char *file,
		     struct parse_run_result *res, struct mi_err *ferr)
{
	struct parse_ctx ctx;
	char date[11];
	FILE *in = NULL;
	int ret = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.source = o->source ? o->source : o->format;
	ctx.format = o->format;
	ctx.file = file;
	ctx.county = o->county;
	ctx.snapshot_date = o->snapshot_date;
	if (!ctx.snapshot_date && o->path_date && date_in_path(file, date))
		ctx.snapshot_date = date;
	ctx.rules = rules;
	ctx.out = out;
	ctx.max_rejects = o->max_rejects;

	if (parse_file_sha256(file, ctx.landing_hash, ferr) < 0 ||
	    !(in = open_input(file, ferr))) {
		/* the one reject of a file that cannot be read at all */
		if (parse_reject(&ctx, 0, -1, NULL, ferr->msg, NULL, 0, NULL) < 0) {
			mi_err_set(ferr, MI_EXIT_IO, "cannot write rejects in '%s'", o->out_dir);
		} else if (ferr->code != MI_EXIT_NOINPUT) {
			ferr->code = MI_EXIT_DATA;
		}
		ret = -1;
		goto out;
	}
	if (p->parse(&ctx, in, ferr) < 0) {
		if (ctx.write_failed)
			ferr->code = MI_EXIT_IO;
		else if (!fatal_code(ferr->code))
			ferr->code = MI_EXIT_DATA;
		if (!ferr->where[0])
			mi_err_at(ferr, file, ferr->line, ferr->offset);
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
			mi_log_kv(MI_LOG_WARN, "parse_failed", "file", file, "format", o->format,
				  "read", r, "emitted", e, "rejected", j, "error", ferr->msg, NULL);
		else
			mi_log_kv(MI_LOG_INFO, "parsed", "file", file, "format", o->format, "read", r,
				  "emitted", e, "rejected", j, NULL);
	}
	return ret;
}

int parse_run_files(const struct parse_run_opts *o, char *const *files, int nfiles,
		    struct parse_run_result *res, struct mi_err *err)
{
	const struct parser *p = parser_find(o->format);
	struct mi_config rules = MI_CONFIG_INIT;
	struct parse_run_result local;
	struct parse_out out;
	int have_out = 0, ret = -1, file_failed = 0;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (!p)
		return mi_err_set(err, MI_EXIT_USAGE, "unknown format '%s'", o->format);
	if (o->config_path && mi_config_load(&rules, o->config_path, err) < 0)
		return -1;
	if (parse_out_open(&out, o->out_dir, o->append, err) < 0)
		goto out;
	have_out = 1;
	/* big buffers: one write per MiB instead of per 4 KiB (12.8 M calendar rows) */
	for (int i = 0; i < REC_E_COUNT; i++)
		if (out.fp[i])
			setvbuf(out.fp[i], NULL, _IOFBF, i == REC_E_REJECTS ? 64 * 1024 : 1024 * 1024);
	for (int i = 0; i < nfiles; i++) {
		struct mi_err ferr = MI_ERR_INIT;

		res->files++;
		if (parse_one(o, p, o->config_path ? &rules : NULL, &out, files[i], res,
			      &ferr) == 0)
			continue;
		if (fatal_code(ferr.code)) {
			*err = ferr;
			goto out;
		}
		res->files_failed++;
		if (!file_failed++)
			*err = ferr;
	}
	for (int i = 0; i < REC_E_COUNT; i++)
		res->count[i] = out.count[i];
	have_out = 0;
	if (parse_out_close(&out, err) < 0)
		goto out;
	if (file_failed)
		goto out;
	if (o->max_reject_ratio >= 0 && res->read > 0 &&
	    (double)res->rejected / (double)res->read > o->max_reject_ratio) {
		mi_err_set(err, MI_EXIT_DATA,
			   "too many rejects: %lld of %lld records (%.1f%%), over the limit of %.1f%%",
			   res->rejected, res->read, 100.0 * (double)res->rejected / (double)res->read,
			   100.0 * o->max_reject_ratio);
		goto out;
	}
	ret = 0;
out:
	if (have_out) {
		for (int i = 0; i < REC_E_COUNT; i++)
			res->count[i] = out.count[i];
		parse_out_close(&out, NULL);
	}
	mi_config_release(&rules);
	return ret;
}
