#include "sha256.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

#define READ_CHUNK (4u << 20) /* large reads: the load hashes files of gigabytes */

static void to_hex(const unsigned char *md, char hex[MI_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

int mi_sha256_begin(struct mi_sha256 *h)
{
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		mi_sha256_release(h);
		return -1;
	}
	return 0;
}

int mi_sha256_add(struct mi_sha256 *h, const void *p, size_t n)
{
	return EVP_DigestUpdate(h->ctx, p, n) == 1 ? 0 : -1;
}

int mi_sha256_end(struct mi_sha256 *h, char hex[MI_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int ok = EVP_DigestFinal_ex(h->ctx, md, &mdlen) == 1 && mdlen == 32;

	mi_sha256_release(h);
	if (!ok)
		return -1;
	to_hex(md, hex);
	return 0;
}

void mi_sha256_release(struct mi_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void mi_sha256_buf(const void *p, size_t n, char hex[MI_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL);
	to_hex(md, hex);
}

int mi_sha256_file(const char *path, char hex[MI_SHA256_HEX], long long *bytes, long long *lines,
		   struct mi_err *err)
{
	struct mi_sha256 h = MI_SHA256_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	ssize_t n;
	long long size = 0, nl = 0;
	char last = '\n';
	int ret = -1;

	if (fd < 0)
		return mi_err_set(err, errno == ENOENT ? MI_EXIT_NOINPUT : MI_EXIT_IO,
				  "cannot open '%s': %s", path, strerror(errno));
	buf = malloc(READ_CHUNK);
	if (!buf || mi_sha256_begin(&h) < 0) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	while ((n = read(fd, buf, READ_CHUNK)) > 0) {
		if (mi_sha256_add(&h, buf, (size_t)n) < 0) {
			mi_err_set(err, MI_EXIT_INTERNAL, "SHA-256 of '%s' failed", path);
			goto out;
		}
		size += n;
		if (lines) {
			const char *q = buf, *end = buf + n;
			while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
				nl++;
				q++;
			}
		}
		last = buf[n - 1];
	}
	if (n < 0) {
		mi_err_set(err, MI_EXIT_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (mi_sha256_end(&h, hex) < 0) {
		mi_err_set(err, MI_EXIT_INTERNAL, "SHA-256 of '%s' failed", path);
		goto out;
	}
	if (last != '\n')
		nl++; /* a last line without newline */
	if (bytes)
		*bytes = size;
	if (lines)
		*lines = nl;
	ret = 0;
out:
	mi_sha256_release(&h);
	free(buf);
	close(fd);
	return ret;
}
