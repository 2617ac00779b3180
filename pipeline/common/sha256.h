/*
 * sha256: SHA-256 (OpenSSL's) as 64 lowercase hex digits, of a buffer, of a
 * stream of pieces, or of a file read once (counting its lines on the way,
 * for the load, which needs both).
 *
 * The hash names what it hashes everywhere in the pipeline: landed bodies
 * (the landing store), loaded files (etl.loaded_files), parsed inputs (the
 * rejects' landing_hash) and applied migrations (etl.schema_migrations).
 *
 * Ownership: a struct mi_sha256 owns its context between begin and
 * end / release; everything else writes into the caller's buffer.
 */
#ifndef MI_SHA256_H
#define MI_SHA256_H

#include "err.h"

#include <stddef.h>

#define MI_SHA256_HEX 65 /* 64 hex digits and a NUL */

struct mi_sha256 {
	void *ctx; /* EVP_MD_CTX */
};

#define MI_SHA256_INIT { NULL }

/* Start a hash.  0, or -1 when out of memory. */
int mi_sha256_begin(struct mi_sha256 *h);
/* Add n bytes.  0, or -1 on failure (the hash is then unusable: release it). */
int mi_sha256_add(struct mi_sha256 *h, const void *p, size_t n);
/* Finish into hex and release the context.  0, or -1 on failure. */
int mi_sha256_end(struct mi_sha256 *h, char hex[MI_SHA256_HEX]);
/* Release the context without a result (a hash abandoned halfway).  Idempotent. */
void mi_sha256_release(struct mi_sha256 *h);

/* The hash of p[0..n) into hex. */
void mi_sha256_buf(const void *p, size_t n, char hex[MI_SHA256_HEX]);

/*
 * The hash of the file at path into hex, reading it once.  *bytes (may be
 * NULL) gets its size; *lines (may be NULL: not counted) its number of lines,
 * a last line without a newline included.  0, or -1 with err set:
 * MI_EXIT_NOINPUT when the file does not exist, MI_EXIT_IO when it cannot be
 * opened or read, MI_EXIT_INTERNAL when out of memory.
 */
int mi_sha256_file(const char *path, char hex[MI_SHA256_HEX], long long *bytes, long long *lines,
		   struct mi_err *err);

#endif
