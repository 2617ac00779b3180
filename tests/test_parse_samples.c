/*
 * Optional: parse the real Inside Airbnb files in ../shared/samples (public
 * data, never copied into the repository) and check row counts and a few
 * values.  Skipped, saying so, when the folder is absent.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "parse_run.h"
#include "records.h"
#include "strbuf.h"

#include "banned.h"

#define SAMPLES "../shared/samples/insideairbnb-albany-2024-11-05"

static int have_samples(void)
{
	struct stat st;

	return stat(SAMPLES "/listings.csv", &st) == 0;
}

struct parsed {
	char dir[64];
	struct parse_run_result res;
};

static void parse(const char *format, const char *file, struct parsed *p)
{
	struct parse_run_opts o;
	struct mi_err err = MI_ERR_INIT;
	char *files[1];
	char path[512];

	snprintf(p->dir, sizeof(p->dir), "/tmp/mi-samples-XXXXXX");
	cr_assert_not_null(mkdtemp(p->dir));
	snprintf(path, sizeof(path), "%s/%s", SAMPLES, file);
	files[0] = path;
	memset(&o, 0, sizeof(o));
	o.format = format;
	o.out_dir = p->dir;
	o.max_reject_ratio = 0;
	o.path_date = 1;
	cr_assert_eq(parse_run_files(&o, files, 1, &p->res, &err), 0, "%s: %s", file, err.msg);
}

static void cleanup(struct parsed *p)
{
	char path[256];

	for (int i = 0; i < REC_E_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", p->dir, rec_entities[i].file);
		unlink(path);
	}
	rmdir(p->dir);
}

/*
 * Call fn for every row of an entity file; fields are split COPY values
 * (NULL for \N).
 */
typedef void (*row_fn)(void *data, char **f, long long n);

static long long each_row(struct parsed *p, enum rec_entity_id e, row_fn fn, void *data)
{
	char path[256];
	struct strbuf line = STRBUF_INIT;
	char *f[REC_MAX_COLS];
	size_t len[REC_MAX_COLS];
	long long n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", p->dir, rec_entities[e].file);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open %s", path);
	while (strbuf_getline(&line, fp) > 0) {
		int nf = rec_split_line(line.buf, line.len, f, len, REC_MAX_COLS);
		cr_assert_eq(nf, rec_entities[e].ncols, "%s row %lld: %d fields", path, n + 1, nf);
		fn(data, f, n++);
	}
	fclose(fp);
	strbuf_release(&line);
	return n;
}

struct listings_check {
	int ids19, no_price, kenneth, thomas_1379;
};

static void check_listing(void *data, char **f, long long n)
{
	struct listings_check *c = data;

	if (n == 0) {
		cr_expect_str_eq(f[LISTINGS_listing_id], "2992450");
		cr_expect_str_eq(f[LISTINGS_host_name], "Kenneth");
		cr_expect_str_eq(f[LISTINGS_host_listings], "1");
		cr_expect_str_eq(f[LISTINGS_nightly_price], "70.00");
		cr_expect_str_eq(f[LISTINGS_snapshot_date], "2024-11-05");
		cr_expect_str_eq(f[LISTINGS_src_line], "2");
		c->kenneth = 1;
	}
	if (strlen(f[LISTINGS_listing_id]) == 19)
		c->ids19++;
	if (!f[LISTINGS_nightly_price])
		c->no_price++;
	if (!strcmp(f[LISTINGS_listing_id], "621960198566758900")) {
		cr_expect_str_eq(f[LISTINGS_nightly_price], "1379.00");
		cr_expect_str_eq(f[LISTINGS_host_name], "Thomas");
		c->thomas_1379 = 1;
	}
	cr_expect_str_eq(f[LISTINGS_platform], "airbnb");
	cr_expect_null(f[LISTINGS_tmk], "Albany has no TMK");
}

Test(parse_samples, insideairbnb_listings)
{
	struct parsed p;
	struct listings_check c = { 0, 0, 0, 0 };

	if (!have_samples())
		cr_skip_test("samples folder " SAMPLES " is absent: skipped");
	parse("insideairbnb-listings", "listings.csv", &p);
	cr_expect_eq(p.res.read, 421);
	cr_expect_eq(p.res.rejected, 0);
	cr_expect_eq(each_row(&p, REC_E_LISTINGS, check_listing, &c), 421);
	cr_expect_eq(c.ids19, 129);
	cr_expect_eq(c.no_price, 37, "the 'previous scrape' rows have no price");
	cr_expect(c.kenneth && c.thomas_1379);
	cleanup(&p);
}

static void check_night(void *data, char **f, long long n)
{
	long long *with_price = data;

	if (n == 0) {
		cr_expect_str_eq(f[PRICING_listing_id], "2992450");
		cr_expect_str_eq(f[PRICING_stay_date], "2024-11-05");
		cr_expect_str_eq(f[PRICING_available], "f");
		cr_expect_str_eq(f[PRICING_price], "70.00");
		cr_expect_null(f[PRICING_adjusted_price], "adjusted_price is empty in this scrape");
		cr_expect_str_eq(f[PRICING_min_nights], "28");
		cr_expect_str_eq(f[PRICING_max_nights], "1125");
	}
	/* the scrape date, from the folder name */
	cr_expect_str_eq(f[PRICING_snapshot_date], "2024-11-05");
	if (f[PRICING_price])
		(*with_price)++;
}

Test(parse_samples, insideairbnb_calendar)
{
	struct parsed p;
	long long with_price = 0;

	if (!have_samples())
		cr_skip_test("samples folder " SAMPLES " is absent: skipped");
	parse("insideairbnb-calendar", "calendar_sample.csv", &p);
	cr_expect_eq(p.res.read, 3650);
	cr_expect_eq(p.res.rejected, 0);
	cr_expect_eq(each_row(&p, REC_E_PRICING, check_night, &with_price), 3650);
	cr_expect_gt(with_price, 3000);
	cleanup(&p);
}

static void check_review(void *data, char **f, long long n)
{
	(void)data;
	if (n == 0) {
		cr_expect_str_eq(f[REVIEWS_listing_id], "2992450");
		cr_expect_str_eq(f[REVIEWS_review_id], "15066586");
		cr_expect_str_eq(f[REVIEWS_review_date], "2014-07-01");
		cr_expect_str_eq(f[REVIEWS_reviewer_name], "Kristen");
		cr_expect(f[REVIEWS_text] && !strncmp(f[REVIEWS_text], "Large apartment;", 16));
	}
	if (n == 3183) {
		cr_expect_str_eq(f[REVIEWS_review_id], "554576017");
		cr_expect_str_eq(f[REVIEWS_reviewer_name], "Poojitha");
	}
}

Test(parse_samples, insideairbnb_reviews)
{
	struct parsed p;

	if (!have_samples())
		cr_skip_test("samples folder " SAMPLES " is absent: skipped");
	parse("insideairbnb-reviews", "reviews_sample.csv", &p);
	cr_expect_eq(p.res.read, 3184);
	cr_expect_eq(p.res.rejected, 0);
	cr_expect_eq(each_row(&p, REC_E_REVIEWS, check_review, NULL), 3184);
	cleanup(&p);
}
