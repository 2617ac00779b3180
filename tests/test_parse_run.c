/*
 * parse_run: the driver behind mi-parse (files and --run), its failure
 * classes and its per-file rejects.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "exitcode.h"
#include "landing.h"
#include "parse_run.h"
#include "strbuf.h"

#include "banned.h"

static const char cal_hdr[] =
	"listing_id,date,available,price,adjusted_price,minimum_nights,maximum_nights\n";

static char tmp[64];

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/mi-parse-run-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
}

static void write_file(const char *path, const char *s)
{
	FILE *fp = fopen(path, "w");

	cr_assert_not_null(fp, "%s", path);
	fputs(s, fp);
	cr_assert_eq(fclose(fp), 0);
}

static void slurp(const char *path, struct strbuf *sb)
{
	FILE *fp = fopen(path, "r");
	char buf[4096];
	size_t n;

	strbuf_reset(sb);
	cr_assert_not_null(fp, "%s", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(sb, buf, n);
	fclose(fp);
}

static void opts_init(struct parse_run_opts *o, const char *format, char *out)
{
	memset(o, 0, sizeof(*o));
	o->format = format;
	o->out_dir = out;
	o->max_reject_ratio = -1;
	o->path_date = 1;
}

TestSuite(parse_run, .init = setup, .fini = teardown);

Test(parse_run, missing_file_is_one_reject_and_the_others_are_parsed)
{
	struct parse_run_opts o;
	struct parse_run_result res;
	struct mi_err err = MI_ERR_INIT;
	char good[256], missing[256], out[128];
	char *files[2];
	struct strbuf sb = STRBUF_INIT;

	snprintf(good, sizeof(good), "%s/insideairbnb-2024-09-13/calendar.csv", tmp);
	snprintf(missing, sizeof(missing), "%s/nope.csv", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	{
		char d[128];
		snprintf(d, sizeof(d), "%s/insideairbnb-2024-09-13", tmp);
		cr_assert_eq(mkdir(d, 0777), 0);
	}
	write_file(good, "listing_id,date,available,price,adjusted_price,minimum_nights,"
			 "maximum_nights\n1,2024-09-20,t,$10.00,,1,2\n");
	files[0] = missing;
	files[1] = good;
	opts_init(&o, "insideairbnb-calendar", out);
	cr_assert_eq(parse_run_files(&o, files, 2, &res, &err), -1);
	cr_expect_eq(err.code, MI_EXIT_NOINPUT);
	cr_expect(strstr(err.msg, "nope.csv") != NULL, "%s", err.msg);
	cr_expect_eq(res.files, 2);
	cr_expect_eq(res.files_failed, 1);
	cr_expect_eq(res.emitted, 1);
	cr_expect_eq(res.count[REC_E_PRICING], 1);
	cr_expect_eq(res.count[REC_E_REJECTS], 1);
	/* the snapshot date comes from the path */
	snprintf(good, sizeof(good), "%s/pricing.tsv", out);
	slurp(good, &sb);
	cr_expect(strstr(sb.buf, "\t2024-09-13\t2024-09-20\t") != NULL, "%s", sb.buf);
	strbuf_release(&sb);
}

Test(parse_run, reject_ratio_fails_with_data)
{
	struct parse_run_opts o;
	struct parse_run_result res;
	struct mi_err err = MI_ERR_INIT;
	char in[128], out[128];
	char *files[1] = { in };

	snprintf(in, sizeof(in), "%s/cal.csv", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	write_file(in, "listing_id,date,available,price,adjusted_price,minimum_nights,"
		       "maximum_nights\n1,2024-09-20,t,$10.00,,1,2\n1,bad,t,,,,\n");
	opts_init(&o, "insideairbnb-calendar", out);
	o.max_reject_ratio = 0.25;
	cr_assert_eq(parse_run_files(&o, files, 1, &res, &err), -1);
	cr_expect_eq(err.code, MI_EXIT_DATA);
	cr_expect_str_eq(err.msg, "too many rejects: 1 of 2 records (50.0%), over the limit of 25.0%");
	o.max_reject_ratio = 0.5;
	cr_expect_eq(parse_run_files(&o, files, 1, &res, &err), 0, "%s", err.msg);
}

Test(parse_run, unknown_format_and_bad_config)
{
	struct parse_run_opts o;
	struct mi_err err = MI_ERR_INIT;
	char in[128], out[128], cfg[128];
	char *files[1] = { in };

	snprintf(in, sizeof(in), "%s/x.csv", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(cfg, sizeof(cfg), "%s/map.ini", tmp);
	write_file(in, "a\n1\n");
	opts_init(&o, "no-such-format", out);
	cr_expect_eq(parse_run_files(&o, files, 1, NULL, &err), -1);
	cr_expect_eq(err.code, MI_EXIT_USAGE);
	write_file(cfg, "[format]\nentity = owners\nbogus = 1\n");
	opts_init(&o, "county-csv", out);
	o.config_path = cfg;
	cr_expect_eq(parse_run_files(&o, files, 1, NULL, &err), -1);
	cr_expect_eq(err.code, MI_EXIT_CONFIG);
	cr_expect(strstr(err.msg, "unknown key 'bogus'") != NULL, "%s", err.msg);
}

static void land(struct landing *ld, struct landing_manifest *m, const char *source,
		 const char *format, int county, const char *url, const char *body)
{
	struct landing_record r;
	struct mi_err err = MI_ERR_INIT;
	char hex[LANDING_HASH_HEX];

	cr_assert_eq(landing_put(ld, body, strlen(body), hex, NULL, &err), 0, "%s", err.msg);
	memset(&r, 0, sizeof(r));
	r.run = "r1";
	r.source = source;
	r.kind = "pricing";
	r.format = format;
	r.county = county;
	r.url = url;
	r.outcome = "landed";
	r.status = 200;
	r.sha256 = hex;
	r.size = (long long)strlen(body);
	r.fetched_at = "2024-09-13T03:00:01.000Z";
	r.attempts = 1;
	cr_assert_eq(landing_manifest_append(m, &r, &err), 0, "%s", err.msg);
}

Test(parse_run, landed_run_is_parsed_with_each_source_format)
{
	struct landing ld = LANDING_INIT;
	struct landing_manifest m = LANDING_MANIFEST_INIT;
	struct parse_run_opts o;
	struct parse_run_result res;
	struct mi_err err = MI_ERR_INIT;
	char store[128], out[128], path[192], cfgdir[128];
	struct strbuf sb = STRBUF_INIT;
	char body[512];

	snprintf(store, sizeof(store), "%s/landing", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(cfgdir, sizeof(cfgdir), "%s/config", tmp);
	cr_assert_eq(landing_open(&ld, store, &err), 0, "%s", err.msg);
	ld.no_fsync = 1;
	cr_assert_eq(landing_manifest_open(&ld, "r1", &m, &err), 0, "%s", err.msg);
	snprintf(body, sizeof(body), "%s%s", cal_hdr, "42,2024-09-13,t,\"$1,379.00\",,2,30\n");
	land(&ld, &m, "airbnb-hawaii", "insideairbnb-calendar", 0, "https://x/calendar.csv.gz",
	     body);
	land(&ld, &m, "odd-source", "no-such-format", 1, "https://x/odd", "whatever\n");
	landing_manifest_close(&m);
	landing_release(&ld);

	opts_init(&o, NULL, out);
	o.format = NULL;
	cr_assert_eq(parse_run_landing(&o, store, cfgdir, "r1", &res, &err), -1);
	cr_expect_eq(err.code, MI_EXIT_DATA);
	cr_expect(strstr(err.msg, "unknown format 'no-such-format'") != NULL, "%s", err.msg);
	cr_expect_eq(res.files, 2);
	cr_expect_eq(res.count[REC_E_PRICING], 1);
	cr_expect_eq(res.count[REC_E_REJECTS], 1);
	snprintf(path, sizeof(path), "%s/pricing.tsv", out);
	slurp(path, &sb);
	/* source from the manifest, snapshot date from fetched_at, hash = object name */
	cr_expect(!strncmp(sb.buf, "airbnb-hawaii\t", 14), "%s", sb.buf);
	cr_expect(strstr(sb.buf, "\t2024-09-13\t2024-09-13\tt\t1379.00\t") != NULL, "%s", sb.buf);

	/* only one format */
	o.format = "insideairbnb-calendar";
	cr_expect_eq(parse_run_landing(&o, store, cfgdir, "r1", &res, &err), 0, "%s", err.msg);
	cr_expect_eq(res.files, 1);

	/* only one source: selected, not relabelled */
	o.format = NULL;
	o.source = "airbnb-hawaii";
	cr_expect_eq(parse_run_landing(&o, store, cfgdir, "r1", &res, &err), 0, "%s", err.msg);
	cr_expect_eq(res.files, 1);
	slurp(path, &sb);
	cr_expect(!strncmp(sb.buf, "airbnb-hawaii\t", 14), "%s", sb.buf);
	o.source = "no-such-source";
	cr_expect_eq(parse_run_landing(&o, store, cfgdir, "r1", &res, &err), 0, "%s", err.msg);
	cr_expect_eq(res.files, 0);
	o.source = NULL;

	/* a run that does not exist */
	cr_expect_eq(parse_run_landing(&o, store, cfgdir, "r2", &res, &err), -1);
	cr_expect_eq(err.code, MI_EXIT_NOINPUT);
	strbuf_release(&sb);
}

Test(parse_run, landed_calendar_keeps_its_scrape_date)
{
	struct landing ld = LANDING_INIT;
	struct landing_manifest m = LANDING_MANIFEST_INIT;
	struct parse_run_opts o;
	struct parse_run_result res;
	struct mi_err err = MI_ERR_INIT;
	char store[128], out[128], path[192], cfgdir[128];
	struct strbuf sb = STRBUF_INIT;
	char body[512];

	snprintf(store, sizeof(store), "%s/landing", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(cfgdir, sizeof(cfgdir), "%s/config", tmp);
	cr_assert_eq(landing_open(&ld, store, &err), 0, "%s", err.msg);
	ld.no_fsync = 1;
	cr_assert_eq(landing_manifest_open(&ld, "r1", &m, &err), 0, "%s", err.msg);
	/* scraped on 2024-09-10, fetched on 2024-09-13 (land()) */
	snprintf(body, sizeof(body), "%s%s%s", cal_hdr, "42,2024-09-10,t,$100.00,,2,30\n",
		 "42,2024-09-11,f,$100.00,,2,30\n");
	land(&ld, &m, "airbnb-hawaii", "insideairbnb-calendar", 0, "https://x/calendar.csv.gz",
	     body);
	landing_manifest_close(&m);
	landing_release(&ld);

	opts_init(&o, NULL, out);
	cr_assert_eq(parse_run_landing(&o, store, cfgdir, "r1", &res, &err), 0, "%s", err.msg);
	cr_expect_eq(res.count[REC_E_PRICING], 2);
	snprintf(path, sizeof(path), "%s/pricing.tsv", out);
	slurp(path, &sb);
	cr_expect(strstr(sb.buf, "\t2024-09-10\t2024-09-10\tt\t100.00\t") != NULL, "%s", sb.buf);
	cr_expect(strstr(sb.buf, "\t2024-09-10\t2024-09-11\tf\t") != NULL, "%s", sb.buf);
	cr_expect(strstr(sb.buf, "2024-09-13") == NULL, "%s", sb.buf);

	/* a date given on the command line still wins */
	o.snapshot_date = "2024-09-09";
	cr_assert_eq(parse_run_landing(&o, store, cfgdir, "r1", &res, &err), 0, "%s", err.msg);
	slurp(path, &sb);
	cr_expect(strstr(sb.buf, "\t2024-09-09\t2024-09-10\tt\t") != NULL, "%s", sb.buf);
	strbuf_release(&sb);
}
