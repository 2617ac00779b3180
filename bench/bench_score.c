/*
 * bench_score: time the review scorer on one core over a file of texts (one
 * per line), the way `mi-score --text` scores them (HTML strip, sentences,
 * rental phrases, language gate), with the model loaded once beforehand.
 *
 *   bench_score [--core] [--min-seconds S] FILE
 *
 * Prints one line: "texts=N bytes=B rounds=R cpu_seconds=S wall_seconds=W
 * texts_per_s=X mb_per_s=Y checksum=C"; the rates are per CPU second of the
 * process (robust to other load on the machine); the checksum, a sum of the
 * compounds, keeps the work honest and shows that two runs score alike.  The data files are found as by
 * mi-score (MI_DATADIR).
 */
#include "aspects.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct mi_err err = MI_ERR_INIT;
	struct asp_model am;
	struct asp_scorer sc;
	double min_seconds = 2.0, t0, t1, c0, c1, checksum = 0;
	unsigned flags = 0;
	const char *path = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n, ntexts = 0, rounds = 0, bytes = 0;
	FILE *fp;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--core"))
			flags |= ASP_NO_DOMAIN;
		else if (!strcmp(argv[i], "--min-seconds") && i + 1 < argc)
			min_seconds = atof(argv[++i]);
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: bench_score [--core] [--min-seconds S] FILE\n");
		return 64;
	}
	fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		return 66;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				return 70;
		}
		n = fread(buf + len, 1, cap - len, fp);
		if (!n)
			break;
		len += n;
	}
	fclose(fp);
	if (asp_model_load(&am, NULL, flags, &err) < 0) {
		mi_err_print(stderr, "bench_score", &err);
		return err.code;
	}
	asp_scorer_init(&sc);
	t0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	do {
		size_t pos = 0;

		while (pos < len) {
			char *nl = memchr(buf + pos, '\n', len - pos);
			size_t end = nl ? (size_t)(nl - buf) : len;
			struct asp_result r;

			if (asp_score(&am, &sc, buf + pos, end - pos, &r) < 0)
				return 70;
			checksum += r.compound;
			ntexts++;
			bytes += end - pos + 1;
			pos = end + 1;
		}
		rounds++;
		c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	} while (c1 - c0 < min_seconds);
	t1 = clock_s(CLOCK_MONOTONIC);
	/* rates per CPU second: a shared, loaded machine does not skew them */
	printf("texts=%zu bytes=%zu rounds=%zu cpu_seconds=%.3f wall_seconds=%.3f "
	       "texts_per_s=%.0f mb_per_s=%.2f checksum=%.4f\n",
	       ntexts, bytes, rounds, c1 - c0, t1 - t0, ntexts / (c1 - c0),
	       bytes / (c1 - c0) / 1e6, checksum / (double)rounds);
	asp_scorer_release(&sc);
	asp_model_release(&am);
	free(buf);
	return 0;
}
