#include "parser.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	}
	free(out->dir);
	out->dir = NULL;
	return ret;
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

int parse_emit(struct parse_ctx *ctx, struct rec_row *row, long long line, long long offset,
	       const char *path, struct mi_err *err)
{
	set_provenance(ctx, row, line, offset, path);
	if (write_row(ctx, row, err) < 0)
		return -1;
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

/* A FILE that reads through zlib: gzread passes plain bytes through unchanged. */
static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
	int n = gzread((gzFile)cookie, buf, size > (1u << 30) ? (1u << 30) : (unsigned)size);

	if (n < 0) {
		errno = EIO;
		return -1;
	}
	return n;
}

static int gz_close(void *cookie)
{
	return gzclose_r((gzFile)cookie) == Z_OK ? 0 : -1;
}

FILE *parse_open_input(const char *path, struct mi_err *err)
{
	cookie_io_functions_t io = { gz_read, NULL, NULL, gz_close };
	gzFile gz;
	FILE *fp;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
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

int parse_file_sha256(const char *path, char hex[65], struct mi_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c;
	FILE *fp;
	size_t n;
	int ret = -1;

	fp = fopen(path, "rb");
	if (!fp)
		return mi_err_set(err, errno == ENOENT ? MI_EXIT_NOINPUT : MI_EXIT_IO,
				  "cannot open '%s': %s", path, strerror(errno));
	c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		mi_err_set(err, MI_EXIT_INTERNAL, "cannot start SHA-256");
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		EVP_DigestUpdate(c, buf, n);
	if (ferror(fp)) {
		mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(c, md, &mdlen);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
	ret = 0;
out:
	EVP_MD_CTX_free(c);
	fclose(fp);
	return ret;
}
