/*
 * compset: the similarity parts, the grid search against a brute-force scan
 * of the same points (same members, same order), and the settings and
 * portfolio files (defaults, values, errors naming file:line).
 */
#include "compset.h"
#include "err.h"
#include "exitcode.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct compset_point pt(const char *tmk, double lat, double lon, int bd, double ba,
			       int guests, const char *type)
{
	struct compset_point p;

	memset(&p, 0, sizeof(p));
	snprintf(p.tmk, sizeof(p.tmk), "%s", tmk);
	p.lat = lat;
	p.lon = lon;
	p.bedrooms = bd;
	p.bathrooms = ba;
	p.guests = guests;
	p.type = compset_type_parse(type);
	return p;
}

Test(compset, distance_is_haversine)
{
	/* Lahaina town to Kihei, about 27.5 km as the crow flies */
	double d = compset_distance_m(20.8783, -156.6825, 20.7644, -156.4450);

	cr_expect(d > 27000 && d < 28000, "distance %f", d);
	cr_expect_float_eq(compset_distance_m(21.3, -157.8, 21.3, -157.8), 0.0, 1e-9);
	/* 0.01 degree of latitude is 1.11 km */
	cr_expect_float_eq(compset_distance_m(21.30, -157.8, 21.31, -157.8), 1111.95, 0.5);
}

Test(compset, similarity_parts)
{
	struct compset_params p;
	struct compset_parts parts;
	struct compset_point a = pt("2440130040101", 20.94, -156.69, 2, 2.0, 6, "condo");
	struct compset_point b = pt("2440130040102", 20.94, -156.69, 3, 1.0, 4, "hotel_condo");
	struct compset_point c = pt("2440130040103", 20.94, -156.69, -1, -1, -1, NULL);
	double s;

	compset_params_default(&p);
	s = compset_similarity(&a, &a, 0, &p, &parts);
	cr_expect_float_eq(s, 1.0, 1e-12);
	s = compset_similarity(&a, &b, 2000, &p, &parts);
	cr_expect_float_eq(parts.distance, exp(-1), 1e-12);
	cr_expect_float_eq(parts.bedrooms, 0.5, 1e-12);
	cr_expect_float_eq(parts.bathrooms, 0.5, 1e-12);
	cr_expect_float_eq(parts.guests, 1 - 2.0 / 6, 1e-12);
	cr_expect_float_eq(parts.type, 0.6, 1e-12);
	cr_expect_float_eq(s, (0.35 * exp(-1) + 0.25 * 0.5 + 0.10 * 0.5 + 0.15 * (1 - 2.0 / 6) +
			       0.15 * 0.6), 1e-12);
	/* unknowns score one half */
	compset_similarity(&a, &c, 0, &p, &parts);
	cr_expect_float_eq(parts.bedrooms + parts.bathrooms + parts.guests + parts.type, 2.0, 1e-12);
	/* different families score 0 */
	b.type = compset_type_parse("single_family");
	compset_similarity(&a, &b, 0, &p, &parts);
	cr_expect_float_eq(parts.type, 0.0, 1e-12);
	cr_expect_eq(compset_type_parse("castle"), -1);
	cr_expect_str_eq(compset_type_name(compset_type_parse("townhouse")), "townhouse");
}

/* deterministic pseudo-random numbers */
static unsigned long long rng = 88172645463325252ULL;
static double rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static int cmp_match(const void *x, const void *y, void *ctx)
{
	const struct compset_match *a = x, *b = y;
	const struct compset_point *pts = ctx;

	if (a->similarity != b->similarity)
		return a->similarity > b->similarity ? -1 : 1;
	if (a->parts.distance_m != b->parts.distance_m)
		return a->parts.distance_m < b->parts.distance_m ? -1 : 1;
	return strcmp(pts[a->index].tmk, pts[b->index].tmk);
}

static void brute(const struct compset_point *pts, size_t n, const struct compset_point *s,
		  const struct compset_params *p, struct compset_match *out, int *found)
{
	struct compset_match *all = calloc(n, sizeof(*all));
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		double d;
		if (!strcmp(pts[i].tmk, s->tmk))
			continue;
		d = compset_distance_m(s->lat, s->lon, pts[i].lat, pts[i].lon);
		if (d > p->max_radius_m)
			continue;
		all[m].index = i;
		all[m].similarity = compset_similarity(s, &pts[i], d, p, &all[m].parts);
		m++;
	}
	qsort_r(all, m, sizeof(*all), cmp_match, (void *)pts);
	*found = (int)(m < (size_t)p->k ? m : (size_t)p->k);
	memcpy(out, all, (size_t)*found * sizeof(*out));
	free(all);
}

static void grid_equals_brute_force(double cell_m, double radius_m, int k)
{
	enum { N = 3000 };
	static const char *const types[] = { "condo", "single_family", "townhouse", "hotel_condo", NULL };
	struct compset_point *pts = calloc(N, sizeof(*pts));
	struct compset_match got[64], want[64];
	struct compset_params p;
	struct compset_index *ix;
	struct mi_err err = MI_ERR_INIT;

	compset_params_default(&p);
	p.cell_m = cell_m;
	p.max_radius_m = radius_m;
	p.k = k;
	for (int i = 0; i < N; i++) {
		char tmk[14];
		/* clusters on west Maui and Kihei, and a scatter over the islands */
		double lat, lon;
		if (i % 3 == 0) {
			lat = 20.90 + rnd() * 0.08;
			lon = -156.70 + rnd() * 0.05;
		} else if (i % 3 == 1) {
			lat = 20.70 + rnd() * 0.10;
			lon = -156.46 + rnd() * 0.03;
		} else {
			lat = 19.0 + rnd() * 3.2;
			lon = -159.7 + rnd() * 4.9;
		}
		snprintf(tmk, sizeof(tmk), "2%012d", i + 1);
		pts[i] = pt(tmk, lat, lon, (int)(rnd() * 5) - (i % 17 == 0), 1 + (int)(rnd() * 4) * 0.5,
			    2 + (int)(rnd() * 8), types[(int)(rnd() * 5)]);
	}
	ix = compset_index_build(pts, N, &p, &err);
	cr_assert_not_null(ix, "%s", err.msg);
	for (int s = 0; s < N; s += 7) {
		int n = compset_knn(ix, &pts[s], &p, got), m;
		brute(pts, N, &pts[s], &p, want, &m);
		cr_assert_eq(n, m, "subject %d: %d members, brute force %d", s, n, m);
		for (int j = 0; j < n; j++)
			cr_assert_eq(got[j].index, want[j].index,
				     "subject %d rank %d: grid %zu (%.6f) brute %zu (%.6f)", s, j + 1,
				     got[j].index, got[j].similarity, want[j].index, want[j].similarity);
	}
	compset_index_free(ix);
	free(pts);
}

Test(compset, grid_matches_brute_force)
{
	grid_equals_brute_force(1000, 15000, 10);
}

Test(compset, grid_matches_brute_force_small_cells_wide_radius)
{
	grid_equals_brute_force(250, 60000, 25);
}

Test(compset, grid_matches_brute_force_big_cells)
{
	grid_equals_brute_force(20000, 8000, 5);
}

Test(compset, subject_off_the_grid_and_empty_index)
{
	struct compset_params p;
	struct compset_point pts[2] = { pt("1260100070001", 21.28, -157.83, 1, 1, 2, "condo"),
					pt("1260100070002", 21.281, -157.831, 1, 1, 2, "condo") };
	struct compset_point far = pt("4440010980314", 22.22, -159.48, 1, 1, 2, "condo");
	struct compset_match out[10];
	struct mi_err err = MI_ERR_INIT;
	struct compset_index *ix;

	compset_params_default(&p);
	ix = compset_index_build(pts, 2, &p, &err);
	cr_assert_not_null(ix);
	/* Kauai is 180 km from Waikiki: nothing within 15 km */
	cr_expect_eq(compset_knn(ix, &far, &p, out), 0);
	/* the subject itself is never its own competitor */
	cr_expect_eq(compset_knn(ix, &pts[0], &p, out), 1);
	cr_expect_str_eq(pts[out[0].index].tmk, "1260100070002");
	compset_index_free(ix);
	ix = compset_index_build(pts, 0, &p, &err);
	cr_assert_not_null(ix);
	cr_expect_eq(compset_knn(ix, &far, &p, out), 0);
	compset_index_free(ix);
}

/* A settings or portfolio file with the given text, in a scratch folder. */
static const char *ini(const char *name, const char *text)
{
	static char path[4096];
	const char *base = getenv("MI_TEST_TMP");
	FILE *fp;

	snprintf(path, sizeof(path), "%s/compset-%d-%s", base && *base ? base : "/tmp",
		 (int)getpid(), name);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	cr_assert_eq(fclose(fp), 0);
	return path;
}

static void expect_defaults(const struct compset_opts *o)
{
	cr_expect_eq(o->params.k, 10);
	cr_expect_float_eq(o->params.max_radius_m, 15000, 1e-9);
	cr_expect_float_eq(o->params.distance_scale_m, 2000, 1e-9);
	cr_expect_float_eq(o->params.cell_m, 1000, 1e-9);
	cr_expect_float_eq(o->params.w_distance, 0.35, 1e-9);
	cr_expect_float_eq(o->params.w_type, 0.15, 1e-9);
	cr_expect_eq(o->metrics, 1);
	cr_expect_eq(o->mark_nights, 1);
	cr_expect_eq(o->trailing_days, 90);
	cr_expect_eq(o->forward_days, 90);
	cr_expect_eq(o->candidates_listed_only, 1);
	cr_expect_eq(o->subjects, COMPSET_S_OURS | COMPSET_S_PROSPECTS);
}

Test(compset, settings)
{
	struct compset_opts o;
	struct mi_err err = MI_ERR_INIT;

	memset(&o, 0, sizeof(o));
	cr_assert_eq(compset_settings_load(&o, NULL, &err), 0);
	expect_defaults(&o);
	/* the shipped file says what the built-in defaults are */
	memset(&o, 0, sizeof(o));
	cr_assert_eq(compset_settings_load(&o, "config/compset.ini", &err), 0, "%s", err.msg);
	expect_defaults(&o);

	cr_assert_eq(compset_settings_load(&o, ini("a.ini",
		"[compset]\nk = 5\ncandidates = all\nsubjects = listed, ours\n"
		"[weights]\ndistance = 1\nbedrooms = 0\nbathrooms = 0\nguests = 0\ntype = 0\n"
		"[metrics]\ntrailing_days = 30\nmark_nights = false\n"), &err), 0, "%s", err.msg);
	cr_expect_eq(o.params.k, 5);
	cr_expect_eq(o.candidates_listed_only, 0);
	cr_expect_eq(o.subjects, COMPSET_S_LISTED | COMPSET_S_OURS);
	cr_expect_float_eq(o.params.w_distance, 1, 1e-9);
	cr_expect_float_eq(o.params.w_bedrooms, 0, 1e-9);
	cr_expect_eq(o.trailing_days, 30);
	cr_expect_eq(o.forward_days, 90);
	cr_expect_eq(o.mark_nights, 0);
	cr_expect_float_eq(o.params.max_radius_m, 15000, 1e-9, "a key not given keeps its default");
}

Test(compset, settings_errors)
{
	struct compset_opts o;
	struct mi_err err = MI_ERR_INIT;

	memset(&o, 0, sizeof(o));
	cr_assert_eq(compset_settings_load(&o, ini("b.ini", "[compset]\nkk = 5\n"), &err), -1);
	cr_expect_eq(err.code, MI_EXIT_CONFIG);
	cr_expect(strstr(err.msg, "unknown key 'kk'"), "%s", err.msg);
	cr_assert_eq(compset_settings_load(&o, ini("c.ini", "[compset]\nk = 500\n"), &err), -1);
	cr_expect_eq(err.code, MI_EXIT_CONFIG);
	cr_assert_eq(compset_settings_load(&o, ini("d.ini", "\n[compset]\ncandidates = some\n"), &err),
		     -1);
	cr_expect(strstr(err.msg, "d.ini:3: candidates must be 'listed' or 'all', not 'some'"), "%s",
		  err.msg);
	cr_assert_eq(compset_settings_load(&o, ini("e.ini", "[compset]\nsubjects = ours, theirs\n"),
					   &err), -1);
	cr_expect(strstr(err.msg, "e.ini:2: unknown subject kind 'theirs'"), "%s", err.msg);
	cr_assert_eq(compset_settings_load(&o, ini("f.ini",
		"[weights]\ndistance = 0\nbedrooms = 0\nbathrooms = 0\nguests = 0\ntype = 0\n"), &err),
		-1);
	cr_expect(strstr(err.msg, "the [weights] must not all be 0"), "%s", err.msg);
	cr_assert_eq(compset_settings_load(&o, "no/such/compset.ini", &err), -1);
	cr_expect_eq(err.code, MI_EXIT_CONFIG);
	cr_expect(strstr(err.msg, "cannot open 'no/such/compset.ini'"), "%s", err.msg);
}

Test(compset, portfolio)
{
	struct mi_err err = MI_ERR_INIT;
	char **tmks = NULL;
	size_t n = 0;

	cr_assert_eq(compset_portfolio_load(ini("p.ini",
		"[portfolio]\ntmks = (2) 4-4-001:098-0201;  (1) 2-6-010:007-1402 ,\n"), &tmks, &n, &err),
		0, "%s", err.msg);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(tmks[0], "2440010980201");
	cr_expect_str_eq(tmks[1], "1260100071402");
	cr_assert_eq(compset_portfolio_load(ini("q.ini", "[portfolio]\n\ntmks = 12\n"), &tmks, &n,
					    &err), -1);
	cr_expect_eq(err.code, MI_EXIT_CONFIG);
	cr_expect(strstr(err.msg, "q.ini:3: bad tmk '12'"), "%s", err.msg);
	cr_assert_eq(n, 2, "what was read stays for the caller to free");
	compset_portfolio_free(tmks, n);
	tmks = NULL;
	n = 0;
	cr_assert_eq(compset_portfolio_load(ini("r.ini", "[portfolio]\ntmks =\n"), &tmks, &n, &err), 0);
	cr_expect_eq(n, 0);
	compset_portfolio_free(tmks, n);
}
