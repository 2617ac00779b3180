#include "parser.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "banned.h"

int parse_out_open(struct parse_out *out, const char *dir, int append, struct mi_err *err)
{
	memset(out, 0, sizeof(*out));
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return mi_err_set(err, MI_EXIT_IO, "cannot create directory '%s': %s", dir,
				  strerror(errno));
	out->dir = strdup(dir);
	if (!out->dir)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	for (int i = 0; i < REC_E_COUNT; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, rec_entities[i].file);
		/* every entity file exists after a run, empty when nothing was found */
		out->fp[i] = fopen(path, append ? "a" : "w");
		if (!out->fp[i]) {
			mi_err_set(err, MI_EXIT_IO, "cannot open '%s': %s", path, strerror(errno));
			parse_out_close(out, NULL);
			return -1;
		}
	}
	return 0;
}

int parse_out_close(struct parse_out *out, struct mi_err *err)
{
	int ret = 0;

	for (int i = 0; i < REC_E_COUNT; i++) {
		FILE *fp = out->fp[i];
		if (!fp)
			continue;
		if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) < 0) {
			if (!ret)
				mi_err_set(err, MI_EXIT_IO, "cannot write '%s/%s': %s", out->dir,
					   rec_entities[i].file, strerror(errno));
			ret = -1;
		}
		if (fclose(fp) != 0 && !ret) {
			mi_err_set(err, MI_EXIT_IO, "cannot close '%s/%s': %s", out->dir,
				   rec_entities[i].file, strerror(errno));
			ret = -1;
		}
		out->fp[i] = NULL;
		free(out->vbuf[i]);
		out->vbuf[i] = NULL;
	}
	free(out->dir);
	out->dir = NULL;
	return ret;
}

/* ---- limits ---- */

static double cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void parse_guard_start(struct parse_guard *g, const struct mi_limits *lim)
{
	memset(g, 0, sizeof(*g));
	g->lim = *lim;
	g->cpu0 = cpu_now();
}

static int guard_cpu(struct parse_guard *g)
{
	double used;

	if (g->hit || !(g->lim.cpu_seconds > 0))
		return g->hit != 0;
	used = cpu_now() - g->cpu0;
	if (used <= g->lim.cpu_seconds)
		return 0;
	g->hit = PARSE_LIMIT_CPU;
	snprintf(g->why, sizeof(g->why),
		 "file rejected: parsing it took more than %g s of CPU (limit cpu_seconds)",
		 g->lim.cpu_seconds);
	return 1;
}

int parse_guard_read(struct parse_guard *g, size_t n)
{
	if (!g)
		return 0;
	if (g->hit)
		return 1;
	g->bytes += (long long)n;
	if (g->lim.max_bytes && g->bytes > g->lim.max_bytes) {
		g->hit = PARSE_LIMIT_BYTES;
		snprintf(g->why, sizeof(g->why),
			 "file rejected: more than %lld bytes once decompressed (limit max_bytes)",
			 g->lim.max_bytes);
		return 1;
	}
	return guard_cpu(g);
}

/* Before a row is written: -1 with err when the file is over a limit. */
static int guard_row(struct parse_ctx *ctx, struct mi_err *err)
{
	struct parse_guard *g = ctx->guard;

	if (!g)
		return 0;
	if (!g->hit && g->lim.max_rows && ctx->emitted + ctx->rejected >= g->lim.max_rows) {
		g->hit = PARSE_LIMIT_ROWS;
		snprintf(g->why, sizeof(g->why),
			 "file rejected: more than %lld rows (limit max_rows)", g->lim.max_rows);
	}
	if (!g->hit && ++g->tick >= 1024) {
		g->tick = 0;
		guard_cpu(g);
	}
	if (!g->hit)
		return 0;
	return mi_err_set(err, MI_EXIT_DATA, "'%s': %s", ctx->file ? ctx->file : "input", g->why);
}

long long parse_max_attributes(const struct parse_ctx *ctx)
{
	return ctx->guard ? ctx->guard->lim.max_attributes : MI_LIMITS_MAX_ATTRIBUTES;
}

static void set_provenance(struct parse_ctx *ctx, struct rec_row *row, long long line,
			   long long offset, const char *path)
{
	rec_set_str(row, REC_COL_SOURCE, ctx->source ? ctx->source : ctx->format);
	rec_set_str(row, REC_COL_LANDING_HASH, ctx->landing_hash[0] ? ctx->landing_hash : NULL);
	if (line > 0)
		rec_set_int(row, REC_COL_SRC_LINE, line);
	else
		rec_set(row, REC_COL_SRC_LINE, NULL, 0);
	if (offset >= 0)
		rec_set_int(row, REC_COL_SRC_OFFSET, offset);
	else
		rec_set(row, REC_COL_SRC_OFFSET, NULL, 0);
	if (path && rec_set_str(row, REC_COL_SRC_PATH, path) != REC_OK)
		rec_set_str(row, REC_COL_SRC_PATH, "(unprintable path)");
}

static int write_row(struct parse_ctx *ctx, struct rec_row *row, struct mi_err *err)
{
	FILE *fp = ctx->out->fp[row->e->id];

	if (!fp || rec_row_write(row, fp) < 0) {
		ctx->write_failed = 1;
		return mi_err_set(err, MI_EXIT_IO, "cannot write '%s/%s': %s",
				  ctx->out->dir ? ctx->out->dir : "?", row->e->file,
				  strerror(errno));
	}
	ctx->out->count[row->e->id]++;
	return 0;
}

/* An excerpt for a row refused by parse_check_row: "col=value" of its set columns. */
static size_t row_excerpt(const struct rec_row *row, char *buf, size_t size)
{
	size_t n = 0;

	for (int i = REC_COL_SRC_PATH + 1; i < row->e->ncols && n + 1 < size; i++) {
		int w;

		if (!row->set[i])
			continue;
		w = snprintf(buf + n, size - n, "%s%s=%.*s", n ? " " : "", row->e->cols[i].name,
			     (int)(row->len[i] > 60 ? 60 : row->len[i]), row->data.buf + row->start[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return n < size ? n : size - 1;
}

int parse_emit(struct parse_ctx *ctx, struct rec_row *row, long long line, long long offset,
	       const char *path, struct mi_err *err)
{
	char why[256], ex[400];

	if (parse_check_row(row, why, sizeof(why)))
		return parse_reject(ctx, line, offset, path, why, ex,
				    row_excerpt(row, ex, sizeof(ex)), err);
	return parse_emit_checked(ctx, row, line, offset, path, err);
}

int parse_emit_checked(struct parse_ctx *ctx, struct rec_row *row, long long line,
		       long long offset, const char *path, struct mi_err *err)
{
	if (ctx->guard && guard_row(ctx, err) < 0)
		return -1;
	set_provenance(ctx, row, line, offset, path);
	if (write_row(ctx, row, err) < 0)
		return -1;
	ctx->emitted++;
	return 0;
}

size_t parse_row_prefix(struct parse_ctx *ctx, char *buf, size_t size)
{
	struct rec_row row;
	size_t n = 0;

	rec_row_init(&row, &rec_entities[REC_E_PRICING], 0);
	set_provenance(ctx, &row, 0, -1, NULL);
	for (int c = REC_COL_SOURCE; c <= REC_COL_LANDING_HASH; c++) {
		size_t len = row.set[c] ? row.len[c] : 2;
		if (n + len + 1 > size) {
			n = 0;
			break;
		}
		memcpy(buf + n, row.set[c] ? row.data.buf + row.start[c] : "\\N", len);
		n += len;
		buf[n++] = '\t';
	}
	rec_row_release(&row);
	return n;
}

int parse_emit_line(struct parse_ctx *ctx, enum rec_entity_id e, const char *line, size_t len,
		    struct mi_err *err)
{
	FILE *fp = ctx->out->fp[e];

	if (ctx->guard && guard_row(ctx, err) < 0)
		return -1;
	if (!fp || fwrite(line, 1, len, fp) != len) {
		ctx->write_failed = 1;
		return mi_err_set(err, MI_EXIT_IO, "cannot write '%s/%s': %s",
				  ctx->out->dir ? ctx->out->dir : "?", rec_entities[e].file,
				  strerror(errno));
	}
	ctx->out->count[e]++;
	ctx->emitted++;
	return 0;
}

/* Cut s to at most max bytes on a character boundary, replacing bad bytes by '?'. */
static size_t clean_excerpt(const char *s, size_t len, char *out, size_t max)
{
	size_t i = 0, n = 0;

	while (i < len && n < max) {
		unsigned char c = (unsigned char)s[i];
		size_t cl = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
			    : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (cl == 0 || i + cl > len || !rec_utf8_valid(s + i, cl) || c == 0) {
			out[n++] = '?';
			i++;
			continue;
		}
		if (n + cl > max)
			break;
		memcpy(out + n, s + i, cl);
		n += cl;
		i += cl;
	}
	return n;
}

int parse_reject(struct parse_ctx *ctx, long long line, long long offset, const char *path,
		 const char *reason, const char *excerpt, size_t excerpt_len, struct mi_err *err)
{
	struct rec_row row;
	char buf[200];
	size_t n;
	int ret = 0;

	if (ctx->guard && guard_row(ctx, err) < 0)
		return -1;
	ctx->rejected++;
	if (ctx->max_rejects && ctx->rejected > ctx->max_rejects)
		return 0;
	rec_row_init(&row, &rec_entities[REC_E_REJECTS], 0);
	set_provenance(ctx, &row, line, offset, path);
	rec_set_str(&row, REJECTS_file, ctx->file);
	rec_set_str(&row, REJECTS_format, ctx->format);
	if (rec_set_str(&row, REJECTS_reason, reason) != REC_OK)
		rec_set_str(&row, REJECTS_reason, "(unprintable reason)");
	if (excerpt) {
		n = clean_excerpt(excerpt, excerpt_len, buf, sizeof(buf));
		rec_set(&row, REJECTS_excerpt, buf, n);
	}
	if (write_row(ctx, &row, err) < 0)
		ret = -1;
	rec_row_release(&row);
	return ret;
}

/*
 * A gzip stream that ends early is a read error, not a quiet end of file:
 * zlib's gzread() reports a truncated stream as Z_BUF_ERROR "unexpected end
 * of file" and then returns 0.
 */
struct gz_in {
	gzFile gz;
	struct parse_guard *g;
};

static ssize_t gz_read_strict(void *cookie, char *buf, size_t size)
{
	struct gz_in *gi = cookie;
	int n = gzread(gi->gz, buf, size > (1u << 30) ? (1u << 30) : (unsigned)size);
	int zerr = Z_OK;

	if (n == 0)
		gzerror(gi->gz, &zerr);
	if (n < 0 || zerr != Z_OK) {
		errno = EIO;
		return -1;
	}
	if (n > 0 && parse_guard_read(gi->g, (size_t)n)) {
		errno = EFBIG; /* over a limit: the parser stops, parse_run says why */
		return -1;
	}
	return n;
}

static int gz_close_strict(void *cookie)
{
	struct gz_in *gi = cookie;
	int rc = gzclose_r(gi->gz) == Z_OK ? 0 : -1;

	free(gi);
	return rc;
}

/*
 * A zip archive (the Maui County sales file is published as a zip holding
 * sales.csv): its first member, stored or deflated, read as a stream.
 */
struct zip_in {
	struct parse_guard *g;
	int fd;
	z_stream z;
	int method;          /* 0 stored, 8 deflate */
	unsigned long long left; /* stored: bytes left */
	int done;
	unsigned char buf[65536];
};

static ssize_t zip_read(void *cookie, char *out, size_t size)
{
	struct zip_in *zi = cookie;
	unsigned want;
	ssize_t n;

	if (zi->done || !size)
		return 0;
	if (zi->method == 0) {
		if (!zi->left)
			return 0;
		n = read(zi->fd, out, size < zi->left ? size : (size_t)zi->left);
		if (n <= 0) {
			errno = EIO; /* truncated */
			return -1;
		}
		zi->left -= (unsigned long long)n;
		if (parse_guard_read(zi->g, (size_t)n)) {
			errno = EFBIG;
			return -1;
		}
		return n;
	}
	want = size > (1u << 30) ? (1u << 30) : (unsigned)size;
	zi->z.next_out = (unsigned char *)out;
	zi->z.avail_out = want;
	while (zi->z.avail_out == want) { /* until some bytes come out */
		int rc;

		if (!zi->z.avail_in) {
			n = read(zi->fd, zi->buf, sizeof(zi->buf));
			if (n <= 0) {
				errno = EIO; /* the member ends early */
				return -1;
			}
			zi->z.next_in = zi->buf;
			zi->z.avail_in = (unsigned)n;
		}
		rc = inflate(&zi->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			zi->done = 1;
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			errno = EIO;
			return -1;
		}
	}
	n = (ssize_t)((unsigned char *)zi->z.next_out - (unsigned char *)out);
	if (parse_guard_read(zi->g, (size_t)n)) {
		errno = EFBIG;
		return -1;
	}
	return n;
}

static int zip_close(void *cookie)
{
	struct zip_in *zi = cookie;

	if (zi->method == 8)
		inflateEnd(&zi->z);
	close(zi->fd);
	free(zi);
	return 0;
}

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long le32(const unsigned char *p)
{
	return (unsigned long)le16(p) | (unsigned long)le16(p + 2) << 16;
}

/* fd is at offset 0 of a file starting "PK\3\4"; NULL with err on failure. */
static FILE *open_zip(int fd, const char *path, struct parse_guard *guard, struct mi_err *err)
{
	cookie_io_functions_t io = { zip_read, NULL, NULL, zip_close };
	unsigned char h[30];
	struct zip_in *zi;
	unsigned flags, method, skip;
	FILE *fp;

	if (read(fd, h, sizeof(h)) != (ssize_t)sizeof(h)) {
		mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': truncated zip header", path);
		return NULL;
	}
	flags = le16(h + 6);
	method = le16(h + 8);
	skip = le16(h + 26) + le16(h + 28);
	if (flags & 1) {
		mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': encrypted zip member", path);
		return NULL;
	}
	if (method != 0 && method != 8) {
		mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': zip compression method %u "
			   "(only stored and deflate are read)", path, method);
		return NULL;
	}
	if (method == 0 && (flags & 8)) {
		mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': stored zip member of unknown size",
			   path);
		return NULL;
	}
	if (lseek(fd, (off_t)skip, SEEK_CUR) < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	zi = calloc(1, sizeof(*zi));
	if (!zi) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	zi->fd = fd;
	zi->g = guard;
	zi->method = (int)method;
	zi->left = le32(h + 18);
	if (method == 8 && inflateInit2(&zi->z, -MAX_WBITS) != Z_OK) {
		free(zi);
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	fp = fopencookie(zi, "r", io);
	if (!fp) {
		if (method == 8)
			inflateEnd(&zi->z);
		free(zi);
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, 256 * 1024);
	return fp;
}

FILE *parse_open_input(const char *path, struct parse_guard *guard, struct mi_err *err)
{
	cookie_io_functions_t io = { gz_read_strict, NULL, NULL, gz_close_strict };
	unsigned char magic[4];
	struct gz_in *gi;
	gzFile gz;
	FILE *fp;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		mi_err_set(err, errno == ENOENT ? MI_EXIT_NOINPUT : MI_EXIT_IO,
			   "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (pread(fd, magic, 4, 0) == 4 && !memcmp(magic, "PK\3\4", 4)) {
		fp = open_zip(fd, path, guard, err);
		if (!fp)
			close(fd);
		return fp;
	}
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	gzbuffer(gz, 256 * 1024);
	gi = malloc(sizeof(*gi));
	fp = gi ? fopencookie(gi, "r", io) : NULL;
	if (!fp) {
		gzclose_r(gz);
		free(gi);
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	gi->gz = gz;
	gi->g = guard;
	setvbuf(fp, NULL, _IOFBF, 256 * 1024);
	return fp;
}
