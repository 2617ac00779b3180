/*
 * fetchbench: drive the fetch engine (pipeline/stages/fetch.h) and the landing store
 * against a loopback server, as mi-fetch does, and report throughput, CPU
 * time per page and peak memory.
 *
 *   fetchbench -u BASE -n PAGES [-s SIZE] [-c INFLIGHT] [-r RATE] [-f] -d LANDING
 *
 * Requests BASE/gen/<i>?size=SIZE for i in 1..PAGES (distinct bodies), lands
 * every body and appends a manifest line per page (run "bench").  -r RATE
 * turns politeness on (one origin, RATE requests per second, INFLIGHT per
 * host, robots.txt); without it politeness is off.  -f fsyncs bodies and
 * manifest lines (off by default: the bench measures the engine, not the
 * disk).  Prints one JSON object on stdout.
 */
#include "fetch.h"
#include "landing.h"
#include "opts.h"
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

struct bench {
	struct landing_manifest man;
	long long landed, failed, bytes;
	const char *first_error;
};

static int on_done(struct fetch *f, const struct fetch_result *res, void *data,
		   struct mi_err *err)
{
	struct bench *b = data;
	struct landing_record rec;

	(void)f;
	memset(&rec, 0, sizeof(rec));
	rec.run = "bench";
	rec.source = res->req->src->id;
	rec.url = res->req->url;
	rec.outcome = fetch_outcome_name(res->outcome);
	rec.status = (int)res->status;
	rec.sha256 = res->sha256[0] ? res->sha256 : NULL;
	rec.size = res->size;
	rec.fetched_at = res->fetched_at;
	rec.attempts = res->attempts;
	rec.error = res->error;
	if (landing_manifest_append(&b->man, &rec, err) < 0)
		return -1;
	if (res->outcome == FETCH_LANDED) {
		b->landed++;
		b->bytes += res->size;
	} else {
		b->failed++;
		if (!b->first_error && res->error)
			b->first_error = strdup(res->error);
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *base = NULL, *dir = NULL;
	long n = 1000, size = 20000, inflight = 64;
	double rate = 0;
	int do_fsync = 0, opt;
	struct landing ld = LANDING_INIT;
	struct mi_err err = MI_ERR_INIT;
	struct fetch_opts fo;
	struct fetch *f;
	struct source src;
	struct bench b;
	struct rusage ru;
	double t0, t1, cpu;
	char url[512];
	long i;

	while ((opt = getopt(argc, argv, "u:n:s:c:r:fd:")) != -1) {
		switch (opt) {
		case 'u': base = optarg; break;
		case 'n': n = atol(optarg); break;
		case 's': size = atol(optarg); break;
		case 'c': inflight = atol(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'f': do_fsync = 1; break;
		case 'd': dir = optarg; break;
		default:
			fprintf(stderr, "usage: fetchbench -u BASE -n PAGES [-s SIZE] [-c N] [-r RATE] [-f] -d DIR\n");
			return 64;
		}
	}
	if (!base || !dir || n < 1 || inflight < 1) {
		fprintf(stderr, "fetchbench: -u, -d and positive -n, -c are required\n");
		return 64;
	}
	if (landing_open(&ld, dir, &err) < 0)
		goto fail;
	ld.no_fsync = !do_fsync;
	memset(&b, 0, sizeof(b));
	b.man.fd = -1;
	if (landing_manifest_open(&ld, "bench", &b.man, &err) < 0)
		goto fail;

	/* one source for every page, as a config file would give */
	memset(&src, 0, sizeof(src));
	src.id = (char *)"bench";
	src.kind = (char *)"pricing";
	src.format = (char *)"bench";
	src.concurrency = (int)inflight;
	src.rate = rate;
	src.robots = rate > 0;
	src.max_body = 1 << 26;
	src.timeout = 60;
	src.connect_timeout = 10;
	src.low_speed_limit = 100;
	src.low_speed_time = 30;
	src.max_redirects = 5;
	src.max_attempts = 3;

	memset(&fo, 0, sizeof(fo));
	fo.user_agent = "mi-fetch-bench/" MI_VERSION;
	fo.max_inflight = (int)inflight;
	fo.politeness = rate > 0;
	f = fetch_new(&fo, &ld, &err);
	if (!f)
		goto fail;
	for (i = 1; i <= n; i++) {
		struct fetch_req req;
		memset(&req, 0, sizeof(req));
		snprintf(url, sizeof(url), "%s/gen/%ld?size=%ld", base, i, size);
		req.url = url;
		req.src = &src;
		req.page = 1;
		if (fetch_add(f, &req, &err) < 0)
			goto fail;
	}
	t0 = now_s();
	if (fetch_run(f, on_done, NULL, &b, &err) < 0)
		goto fail;
	t1 = now_s();
	{
		struct fetch_stats st;
		fetch_get_stats(f, &st);
		getrusage(RUSAGE_SELF, &ru);
		cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		printf("{\"pages\":%ld,\"size\":%ld,\"inflight\":%ld,\"rate\":%g,\"fsync\":%d,"
		       "\"landed\":%lld,\"failed\":%lld,\"seconds\":%.3f,\"pages_per_s\":%.1f,"
		       "\"mb_per_s\":%.1f,\"cpu_us_per_page\":%.1f,\"peak_rss_kb\":%ld,"
		       "\"max_inflight_seen\":%d%s%s%s}\n",
		       n, size, inflight, rate, do_fsync, b.landed, b.failed, t1 - t0,
		       (double)b.landed / (t1 - t0), (double)b.bytes / (t1 - t0) / 1e6,
		       cpu * 1e6 / (double)n, ru.ru_maxrss, st.max_inflight_seen,
		       b.first_error ? ",\"first_error\":\"" : "",
		       b.first_error ? b.first_error : "", b.first_error ? "\"" : "");
	}
	free((char *)b.first_error);
	fetch_free(f);
	landing_manifest_close(&b.man);
	landing_release(&ld);
	fetch_global_cleanup();
	return mi_close_stdout("fetchbench");
fail:
	mi_err_print(stderr, "fetchbench", &err);
	return err.code ? err.code : 70;
}
