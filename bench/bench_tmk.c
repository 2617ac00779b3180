/*
 * bench_tmk: TMK normalizations per second on one core.
 *
 *   bench_tmk [--min-seconds S] FILE
 *
 * FILE is fixtures/normalize/tmk.tsv (or any file whose lines start with a
 * TMK as written, up to the first tab; '#' lines skipped): every written
 * form, lists and refusals, in their real proportions of the fixture.  The
 * inputs are loaded first; the timed loop only calls tmk_parse_list() into
 * a stack array, as a parser does, until S seconds have passed.
 *
 * The hot path must not allocate: this program counts every malloc, calloc
 * and realloc made during the timed loop (it interposes them over the C
 * library's) and fails when there is one.  Prints one line:
 * "values=N ok=K refused=R seconds=S per_s=X allocations=0".
 */
#include "tmk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNT_ALLOCS 0
#endif
#endif
#ifndef COUNT_ALLOCS
#define COUNT_ALLOCS 1
#endif

static volatile int counting;
static volatile unsigned long allocations;

#if COUNT_ALLOCS
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
	if (counting)
		allocations++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	if (counting)
		allocations++;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (counting)
		allocations++;
	return __libc_realloc(p, n);
}
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct input {
	char *s;
	size_t len;
};

int main(int argc, char **argv)
{
	double min_seconds = 2.0, t0, t1;
	const char *path = NULL;
	struct input *in = NULL;
	size_t nin = 0, cap = 0, i, values = 0, ok = 0, refused = 0;
	char line[8192];
	FILE *fp;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--min-seconds") && a + 1 < argc)
			min_seconds = atof(argv[++a]);
		else if (argv[a][0] != '-' && !path)
			path = argv[a];
		else {
			fprintf(stderr, "usage: bench_tmk [--min-seconds S] FILE\n");
			return 64;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: bench_tmk [--min-seconds S] FILE\n");
		return 64;
	}
	fp = fopen(path, "r");
	if (!fp) {
		perror(path);
		return 66;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *tab = strchr(line, '\t');
		size_t len = tab ? (size_t)(tab - line) : strcspn(line, "\n");

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (nin == cap) {
			cap = cap ? cap * 2 : 256;
			in = realloc(in, cap * sizeof(*in));
			if (!in)
				return 70;
		}
		in[nin].s = malloc(len + 1);
		if (!in[nin].s)
			return 70;
		memcpy(in[nin].s, line, len);
		in[nin].s[len] = '\0';
		in[nin].len = len;
		nin++;
	}
	fclose(fp);
	if (!nin) {
		fprintf(stderr, "bench_tmk: no inputs in '%s'\n", path);
		return 65;
	}

	counting = 1;
	t0 = now();
	do {
		for (i = 0; i < nin; i++) {
			struct tmk t[TMK_MAX_LIST];
			enum tmk_reason r;
			int n = tmk_parse_list(in[i].s, in[i].len, NULL, t, TMK_MAX_LIST, &r);

			if (n > 0)
				ok++;
			else
				refused++;
		}
		values += nin;
		t1 = now();
	} while (t1 - t0 < min_seconds);
	counting = 0;

	printf("values=%zu ok=%zu refused=%zu seconds=%.3f per_s=%.0f allocations=%lu\n", values,
	       ok, refused, t1 - t0, (double)values / (t1 - t0), allocations);
	for (i = 0; i < nin; i++)
		free(in[i].s);
	free(in);
	if (fflush(stdout) != 0)
		return 74;
	if (COUNT_ALLOCS && allocations) {
		fprintf(stderr, "bench_tmk: the hot path allocated %lu times\n", allocations);
		return 1;
	}
	return 0;
}
