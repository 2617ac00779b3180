/*
 * sha256: the published test vectors, the same hash by buffer, by pieces and by
 * file (across the file reader's 4 MiB chunks), line counts with and without a
 * last newline, and the error classes of a missing or unreadable file.
 */
#include "err.h"
#include "exitcode.h"
#include "sha256.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "banned.h"

#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define TWO_BLOCKS "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

static char dir[4096];

static void setup(void)
{
	const char *base = getenv("MI_TEST_TMP");

	snprintf(dir, sizeof(dir), "%s/sha256.XXXXXX", base && *base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
}

static const char *write_file(const char *name, const char *data, size_t len)
{
	static char path[4200];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(data, 1, len, fp), len);
	cr_assert_eq(fclose(fp), 0);
	return path;
}

TestSuite(sha256, .init = setup);

Test(sha256, vectors)
{
	static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[MI_SHA256_HEX];
	struct mi_sha256 h = MI_SHA256_INIT;

	mi_sha256_buf("", 0, hex);
	cr_assert_str_eq(hex, EMPTY);
	mi_sha256_buf("abc", 3, hex);
	cr_assert_str_eq(hex, ABC);
	mi_sha256_buf(two, strlen(two), hex);
	cr_assert_str_eq(hex, TWO_BLOCKS);
	/* the same in pieces */
	cr_assert_eq(mi_sha256_begin(&h), 0);
	for (size_t i = 0; i < strlen(two); i += 5)
		cr_assert_eq(mi_sha256_add(&h, two + i, strlen(two) - i < 5 ? strlen(two) - i : 5), 0);
	cr_assert_eq(mi_sha256_end(&h, hex), 0);
	cr_assert_str_eq(hex, TWO_BLOCKS);
	cr_assert_null(h.ctx);
	mi_sha256_release(&h); /* idempotent */
}

Test(sha256, file_lines_and_bytes)
{
	char hex[MI_SHA256_HEX];
	long long bytes = -1, lines = -1;
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(mi_sha256_file(write_file("abc", "abc", 3), hex, &bytes, &lines, &err), 0);
	cr_assert_str_eq(hex, ABC);
	cr_assert_eq(bytes, 3);
	cr_assert_eq(lines, 1, "a last line without newline counts");
	cr_assert_eq(mi_sha256_file(write_file("empty", "", 0), hex, &bytes, &lines, &err), 0);
	cr_assert_str_eq(hex, EMPTY);
	cr_assert_eq(bytes, 0);
	cr_assert_eq(lines, 0);
	cr_assert_eq(mi_sha256_file(write_file("two", "a\nb\n", 4), hex, &bytes, &lines, &err), 0);
	cr_assert_eq(lines, 2);
	cr_assert_eq(mi_sha256_file(write_file("two", "a\nb\n", 4), hex, NULL, NULL, &err), 0);
}

Test(sha256, file_across_read_chunks)
{
	size_t n = (9u << 20) + 37; /* more than two of the reader's 4 MiB chunks */
	char *data = malloc(n);
	char want[MI_SHA256_HEX], got[MI_SHA256_HEX];
	long long bytes = 0, lines = 0, nl = 0;
	struct mi_err err = MI_ERR_INIT;

	cr_assert_not_null(data);
	for (size_t i = 0; i < n; i++) {
		data[i] = i % 97 == 96 ? '\n' : (char)('a' + i % 26);
		nl += data[i] == '\n';
	}
	mi_sha256_buf(data, n, want);
	cr_assert_eq(mi_sha256_file(write_file("big", data, n), got, &bytes, &lines, &err), 0,
		     "%s", err.msg);
	cr_assert_str_eq(got, want);
	cr_assert_eq(bytes, (long long)n);
	cr_assert_eq(lines, nl + (data[n - 1] != '\n'));
	free(data);
}

Test(sha256, file_errors)
{
	char hex[MI_SHA256_HEX], path[4200];
	struct mi_err err = MI_ERR_INIT;

	snprintf(path, sizeof(path), "%s/missing", dir);
	cr_assert_eq(mi_sha256_file(path, hex, NULL, NULL, &err), -1);
	cr_assert_eq(err.code, MI_EXIT_NOINPUT);
	cr_assert(strstr(err.msg, "cannot open '"), "%s", err.msg);
	/* a folder opens but cannot be read */
	cr_assert_eq(mi_sha256_file(dir, hex, NULL, NULL, &err), -1);
	cr_assert_eq(err.code, MI_EXIT_IO);
	cr_assert(strstr(err.msg, "cannot read '"), "%s", err.msg);
}
