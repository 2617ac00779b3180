#include "compset.h"

#include "config.h"
#include "exitcode.h"
#include "log.h"
#include "metrics.h"
#include "opts.h"
#include "pg.h"
#include "sha256.h"
#include "strbuf.h"
#include "tmk.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

#define EARTH_RADIUS_M 6371008.8
#define M_PER_DEG (EARTH_RADIUS_M * M_PI / 180.0)
#define MAX_CELLS (4u << 20)
#define COPY_CHUNK (1u << 20) /* bytes of COPY text sent at a time */
/*
 * Goes into every subject's input digest (etl.compset_subject_inputs, sql/107)
 * with the program version: change it when the search, the similarity or the
 * member rows change, so that sets stored earlier the same day are computed
 * again rather than kept.
 */
#define COMPSET_INPUTS_VERSION "compset-inputs 1"

static const char *const type_names[COMPSET_T_COUNT] = {
	"single_family", "condo", "townhouse", "multi_family", "vacant_land",
	"agricultural", "commercial", "hotel_condo", "timeshare", "other",
};

void compset_params_default(struct compset_params *p)
{
	p->k = 10;
	p->max_radius_m = 15000;
	p->distance_scale_m = 2000;
	p->cell_m = 1000;
	p->w_distance = 0.35;
	p->w_bedrooms = 0.25;
	p->w_bathrooms = 0.10;
	p->w_guests = 0.15;
	p->w_type = 0.15;
}

/* ------------------------------------------------------------------ */
/* Settings (config/compset.ini) and the portfolio file                */
/* ------------------------------------------------------------------ */

static const struct mi_config_key known_keys[] = {
	{ "compset", "k" },
	{ "compset", "max_radius_m" },
	{ "compset", "distance_scale_m" },
	{ "compset", "cell_m" },
	{ "compset", "subjects" },
	{ "compset", "candidates" },
	{ "weights", "distance" },
	{ "weights", "bedrooms" },
	{ "weights", "bathrooms" },
	{ "weights", "guests" },
	{ "weights", "type" },
	{ "metrics", "trailing_days" },
	{ "metrics", "forward_days" },
	{ "metrics", "mark_nights" },
	{ NULL, NULL },
};

int compset_settings_load(struct compset_opts *o, const char *path, struct mi_err *err)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct compset_params *p = &o->params;
	long long v;
	int ret = -1;
	const char *s;

	compset_params_default(p);
	o->metrics = 1;
	o->mark_nights = 1;
	o->trailing_days = 90;
	o->forward_days = 90;
	o->candidates_listed_only = 1;
	o->subjects = COMPSET_S_OURS | COMPSET_S_PROSPECTS;
	if (!path)
		return 0;
	if (mi_config_load(&cfg, path, err) < 0 || mi_config_check(&cfg, known_keys, err) < 0)
		goto out;
	if (mi_config_int(&cfg, "compset", "k", 1, 100, p->k, &v, err) < 0)
		goto out;
	p->k = (int)v;
	if (mi_config_double(&cfg, "compset", "max_radius_m", 100, 200000, p->max_radius_m,
			     &p->max_radius_m, err) < 0 ||
	    mi_config_double(&cfg, "compset", "distance_scale_m", 10, 100000, p->distance_scale_m,
			     &p->distance_scale_m, err) < 0 ||
	    mi_config_double(&cfg, "compset", "cell_m", 50, 50000, p->cell_m, &p->cell_m, err) < 0 ||
	    mi_config_double(&cfg, "weights", "distance", 0, 100, p->w_distance, &p->w_distance, err) < 0 ||
	    mi_config_double(&cfg, "weights", "bedrooms", 0, 100, p->w_bedrooms, &p->w_bedrooms, err) < 0 ||
	    mi_config_double(&cfg, "weights", "bathrooms", 0, 100, p->w_bathrooms, &p->w_bathrooms, err) < 0 ||
	    mi_config_double(&cfg, "weights", "guests", 0, 100, p->w_guests, &p->w_guests, err) < 0 ||
	    mi_config_double(&cfg, "weights", "type", 0, 100, p->w_type, &p->w_type, err) < 0)
		goto out;
	if (p->w_distance + p->w_bedrooms + p->w_bathrooms + p->w_guests + p->w_type <= 0) {
		mi_err_set(err, MI_EXIT_CONFIG, "%s: the [weights] must not all be 0", path);
		goto out;
	}
	if (mi_config_int(&cfg, "metrics", "trailing_days", 1, 1095, o->trailing_days, &v, err) < 0)
		goto out;
	o->trailing_days = (int)v;
	if (mi_config_int(&cfg, "metrics", "forward_days", 1, 1095, o->forward_days, &v, err) < 0)
		goto out;
	o->forward_days = (int)v;
	if (mi_config_bool(&cfg, "metrics", "mark_nights", o->mark_nights, &o->mark_nights, err) < 0)
		goto out;
	s = mi_config_str(&cfg, "compset", "candidates", NULL);
	if (s) {
		const struct mi_config_entry *e = mi_config_find(&cfg, "compset", "candidates");
		if (!strcmp(s, "listed")) {
			o->candidates_listed_only = 1;
		} else if (!strcmp(s, "all")) {
			o->candidates_listed_only = 0;
		} else {
			mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: candidates must be 'listed' or 'all', not '%s'",
				   path, e->line, s);
			goto out;
		}
	}
	s = mi_config_str(&cfg, "compset", "subjects", NULL);
	if (s) {
		const struct mi_config_entry *e = mi_config_find(&cfg, "compset", "subjects");
		char word[32];
		int n;

		o->subjects = 0;
		while (sscanf(s, " %31[^, ]%n", word, &n) == 1) {
			if (!strcmp(word, "ours")) {
				o->subjects |= COMPSET_S_OURS;
			} else if (!strcmp(word, "prospects")) {
				o->subjects |= COMPSET_S_PROSPECTS;
			} else if (!strcmp(word, "listed")) {
				o->subjects |= COMPSET_S_LISTED;
			} else {
				mi_err_set(err, MI_EXIT_CONFIG,
					   "%s:%d: unknown subject kind '%s' (ours, prospects, listed)",
					   path, e->line, word);
				goto out;
			}
			s += n;
			while (*s == ',' || *s == ' ')
				s++;
		}
	}
	ret = 0;
out:
	mi_config_release(&cfg);
	return ret;
}

int compset_portfolio_load(const char *path, char ***tmks, size_t *n, struct mi_err *err)
{
	static const struct mi_config_key keys[] = { { "portfolio", "tmks" }, { NULL, NULL } };
	struct mi_config cfg = MI_CONFIG_INIT;
	const struct mi_config_entry *e;
	const char *s;
	int ret = -1;

	if (mi_config_load(&cfg, path, err) < 0 || mi_config_check(&cfg, keys, err) < 0)
		goto out;
	e = mi_config_find(&cfg, "portfolio", "tmks");
	for (s = e ? e->value : ""; *s;) {
		size_t len = strcspn(s, ",;");
		const char *b = s, *end = s + len;
		struct tmk t;
		enum tmk_reason why;
		char **grown;

		while (b < end && (*b == ' ' || *b == '\t'))
			b++;
		while (end > b && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > b) {
			if (tmk_parse(b, (size_t)(end - b), NULL, &t, &why) < 0) {
				mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: bad tmk '%.*s': %s", path, e->line,
					   (int)(end - b), b, tmk_reason_str(why));
				goto out;
			}
			grown = realloc(*tmks, (*n + 1) * sizeof(**tmks));
			if (!grown || !(grown[*n] = strdup(t.tmk13))) {
				if (grown)
					*tmks = grown;
				mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				goto out;
			}
			*tmks = grown;
			(*n)++;
		}
		s += len;
		if (*s)
			s++;
	}
	ret = 0;
out:
	mi_config_release(&cfg);
	return ret;
}

void compset_portfolio_free(char **tmks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tmks[i]);
	free(tmks);
}

/* ------------------------------------------------------------------ */

int compset_type_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < COMPSET_T_COUNT; i++)
		if (!strcmp(s, type_names[i]))
			return i;
	return -1;
}

const char *compset_type_name(int type)
{
	return type >= 0 && type < COMPSET_T_COUNT ? type_names[type] : NULL;
}

double compset_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
	double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
	double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	return 2 * EARTH_RADIUS_M * asin(sqrt(a < 1 ? a : 1));
}

static int type_family(int t)
{
	switch (t) {
	case COMPSET_T_CONDO:
	case COMPSET_T_HOTEL_CONDO:
	case COMPSET_T_TOWNHOUSE:
	case COMPSET_T_TIMESHARE:
		return 1;
	case COMPSET_T_SINGLE_FAMILY:
	case COMPSET_T_MULTI_FAMILY:
		return 2;
	default:
		return 0;
	}
}

double compset_similarity(const struct compset_point *a, const struct compset_point *b,
			  double distance_m, const struct compset_params *p,
			  struct compset_parts *parts)
{
	struct compset_parts s;
	double wsum = p->w_distance + p->w_bedrooms + p->w_bathrooms + p->w_guests + p->w_type;

	s.distance_m = distance_m;
	s.distance = exp(-distance_m / p->distance_scale_m);
	if (a->bedrooms < 0 || b->bedrooms < 0) {
		s.bedrooms = 0.5;
	} else {
		int d = abs(a->bedrooms - b->bedrooms);
		s.bedrooms = d == 0 ? 1 : d == 1 ? 0.5 : d == 2 ? 0.15 : 0;
	}
	if (a->bathrooms < 0 || b->bathrooms < 0)
		s.bathrooms = 0.5;
	else
		s.bathrooms = fmax(0, 1 - fabs(a->bathrooms - b->bathrooms) / 2);
	if (a->guests <= 0 || b->guests <= 0)
		s.guests = 0.5;
	else
		s.guests = fmax(0, 1 - (double)abs(a->guests - b->guests) /
					       (a->guests > b->guests ? a->guests : b->guests));
	if (a->type < 0 || b->type < 0)
		s.type = 0.5;
	else if (a->type == b->type)
		s.type = 1;
	else if (type_family(a->type) && type_family(a->type) == type_family(b->type))
		s.type = 0.6;
	else
		s.type = 0;
	if (parts)
		*parts = s;
	assert(wsum > 0);
	return (p->w_distance * s.distance + p->w_bedrooms * s.bedrooms +
		p->w_bathrooms * s.bathrooms + p->w_guests * s.guests + p->w_type * s.type) / wsum;
}

struct compset_index {
	const struct compset_point *pts;
	size_t n;
	double lat0, lon0, cell_lat, cell_lon; /* grid origin and cell size in degrees */
	double cell_min_m, cos_ref;            /* smallest cell side in metres, at cos_ref */
	long nx, ny;
	uint32_t *start; /* nx * ny + 1 offsets into order */
	uint32_t *order; /* point indexes sorted by cell */
};

static long cell_of(double v, double v0, double size)
{
	return (long)floor((v - v0) / size);
}

struct compset_index *compset_index_build(const struct compset_point *pts, size_t n,
					  const struct compset_params *p, struct mi_err *err)
{
	struct compset_index *ix = calloc(1, sizeof(*ix));
	double latmin = 0, latmax = 0, lonmin = 0, lonmax = 0, maxabs = 0, cell_m = p->cell_m;
	uint32_t *cellno = NULL;

	if (!ix || n > UINT32_MAX - 1)
		goto oom;
	ix->pts = pts;
	ix->n = n;
	for (size_t i = 0; i < n; i++) {
		if (!i || pts[i].lat < latmin) latmin = pts[i].lat;
		if (!i || pts[i].lat > latmax) latmax = pts[i].lat;
		if (!i || pts[i].lon < lonmin) lonmin = pts[i].lon;
		if (!i || pts[i].lon > lonmax) lonmax = pts[i].lon;
		if (fabs(pts[i].lat) > maxabs) maxabs = fabs(pts[i].lat);
	}
	if (maxabs > 89)
		maxabs = 89;
	ix->cos_ref = cos(maxabs * M_PI / 180);
	for (;;) {
		ix->cell_lat = cell_m / M_PER_DEG;
		ix->cell_lon = cell_m / (M_PER_DEG * ix->cos_ref);
		ix->nx = cell_of(lonmax, lonmin, ix->cell_lon) + 1;
		ix->ny = cell_of(latmax, latmin, ix->cell_lat) + 1;
		if ((double)ix->nx * (double)ix->ny <= MAX_CELLS)
			break;
		cell_m *= 2;
	}
	/* a little under the cell size: great circles bend, and floor() rounds */
	ix->cell_min_m = cell_m * 0.99;
	ix->lat0 = latmin;
	ix->lon0 = lonmin;
	ix->start = calloc((size_t)(ix->nx * ix->ny) + 1, sizeof(*ix->start));
	ix->order = malloc((n ? n : 1) * sizeof(*ix->order));
	cellno = malloc((n ? n : 1) * sizeof(*cellno));
	if (!ix->start || !ix->order || !cellno)
		goto oom;
	/* counting sort of the points by cell */
	for (size_t i = 0; i < n; i++) {
		long cx = cell_of(pts[i].lon, ix->lon0, ix->cell_lon);
		long cy = cell_of(pts[i].lat, ix->lat0, ix->cell_lat);
		assert(cx >= 0 && cx < ix->nx && cy >= 0 && cy < ix->ny);
		cellno[i] = (uint32_t)(cy * ix->nx + cx);
		ix->start[cellno[i] + 1]++;
	}
	for (long c = 0; c < ix->nx * ix->ny; c++)
		ix->start[c + 1] += ix->start[c];
	{
		uint32_t *fill = malloc((size_t)(ix->nx * ix->ny) * sizeof(*fill));
		if (!fill)
			goto oom;
		memcpy(fill, ix->start, (size_t)(ix->nx * ix->ny) * sizeof(*fill));
		for (size_t i = 0; i < n; i++)
			ix->order[fill[cellno[i]]++] = (uint32_t)i;
		free(fill);
	}
	free(cellno);
	return ix;
oom:
	free(cellno);
	compset_index_free(ix);
	mi_err_set(err, MI_EXIT_INTERNAL, "out of memory indexing %zu properties", n);
	return NULL;
}

void compset_index_free(struct compset_index *ix)
{
	if (!ix)
		return;
	free(ix->start);
	free(ix->order);
	free(ix);
}

/* a before b in a set: more similar, then nearer, then lower TMK */
static int better(const struct compset_index *ix, const struct compset_match *a,
		  const struct compset_match *b)
{
	if (a->similarity != b->similarity)
		return a->similarity > b->similarity;
	if (a->parts.distance_m != b->parts.distance_m)
		return a->parts.distance_m < b->parts.distance_m;
	return strcmp(ix->pts[a->index].tmk, ix->pts[b->index].tmk) < 0;
}

static void scan_cell(const struct compset_index *ix, long cx, long cy,
		      const struct compset_point *subject, const struct compset_params *p,
		      struct compset_match *out, int *found)
{
	uint32_t c, e;

	if (cx < 0 || cy < 0 || cx >= ix->nx || cy >= ix->ny)
		return;
	c = ix->start[cy * ix->nx + cx];
	e = ix->start[cy * ix->nx + cx + 1];
	for (; c < e; c++) {
		const struct compset_point *q = &ix->pts[ix->order[c]];
		struct compset_match m;
		int i;
		double d;

		if (!strcmp(q->tmk, subject->tmk))
			continue;
		/* the best q could score, at distance 0: skip the distance when it cannot make the set */
		if (*found == p->k && compset_similarity(subject, q, 0, p, NULL) < out[p->k - 1].similarity)
			continue;
		d = compset_distance_m(subject->lat, subject->lon, q->lat, q->lon);
		if (d > p->max_radius_m)
			continue;
		m.index = ix->order[c];
		m.similarity = compset_similarity(subject, q, d, p, &m.parts);
		if (*found == p->k && !better(ix, &m, &out[p->k - 1]))
			continue;
		/* insertion into the sorted top-k */
		i = *found < p->k ? (*found)++ : p->k - 1;
		while (i > 0 && better(ix, &m, &out[i - 1])) {
			out[i] = out[i - 1];
			i--;
		}
		out[i] = m;
	}
}

int compset_knn(const struct compset_index *ix, const struct compset_point *subject,
		const struct compset_params *p, struct compset_match *out)
{
	double wsum = p->w_distance + p->w_bedrooms + p->w_bathrooms + p->w_guests + p->w_type;
	double cell_min_m = ix->cell_min_m;
	long cx, cy;
	int found = 0;

	if (!ix->n || p->k < 1)
		return 0;
	/* a subject nearer a pole than every point sees narrower cells */
	if (fabs(subject->lat) < 89 && cos(fabs(subject->lat) * M_PI / 180) < ix->cos_ref)
		cell_min_m *= cos(fabs(subject->lat) * M_PI / 180) / ix->cos_ref;
	cx = cell_of(subject->lon, ix->lon0, ix->cell_lon);
	cy = cell_of(subject->lat, ix->lat0, ix->cell_lat);
	for (long r = 0;; r++) {
		double reach = r * cell_min_m, bound;

		if (r == 0) {
			scan_cell(ix, cx, cy, subject, p, out, &found);
		} else {
			for (long x = cx - r; x <= cx + r; x++) {
				scan_cell(ix, x, cy - r, subject, p, out, &found);
				scan_cell(ix, x, cy + r, subject, p, out, &found);
			}
			for (long y = cy - r + 1; y <= cy + r - 1; y++) {
				scan_cell(ix, cx - r, y, subject, p, out, &found);
				scan_cell(ix, cx + r, y, subject, p, out, &found);
			}
		}
		/* every point not yet scanned is at least reach metres away */
		if (reach > p->max_radius_m)
			break;
		if (cx - r <= 0 && cx + r >= ix->nx - 1 && cy - r <= 0 && cy + r >= ix->ny - 1)
			break; /* the whole grid is scanned */
		bound = (p->w_distance * exp(-reach / p->distance_scale_m) +
			 (wsum - p->w_distance)) / wsum;
		if (found == p->k && out[p->k - 1].similarity > bound)
			break;
	}
	return found;
}

/* ---------------------------------------------------------------------------
 * The database run
 * ------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Read rows of (tmk, lat, lon, bedrooms, bathrooms, guests, type [, 8 metric
 * columns]) into *pts; with metrics, each point gets its COPY text fragment
 * of the metric columns (owned by the points array: free_points()).
 */
static int load_points(PGresult *res, int with_metrics, struct compset_point **pts, size_t *n,
		       struct mi_err *err)
{
	size_t rows = (size_t)PQntuples(res);
	struct compset_point *v = calloc(rows ? rows : 1, sizeof(*v));
	struct strbuf sb = STRBUF_INIT;

	if (!v)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory reading %zu properties", rows);
	*pts = v;
	*n = rows;
	for (size_t i = 0; i < rows; i++) {
		int r = (int)i;
		const char *tmk = PQgetvalue(res, r, 0);

		if (strlen(tmk) != 13 || strspn(tmk, "0123456789") != 13) {
			*n = i;
			return mi_err_set(err, MI_EXIT_DATABASE, "unexpected tmk '%s' in the database", tmk);
		}
		memcpy(v[i].tmk, tmk, 14);
		v[i].lat = strtod(PQgetvalue(res, r, 1), NULL);
		v[i].lon = strtod(PQgetvalue(res, r, 2), NULL);
		v[i].bedrooms = PQgetisnull(res, r, 3) ? -1 : atoi(PQgetvalue(res, r, 3));
		v[i].bathrooms = PQgetisnull(res, r, 4) ? -1 : strtod(PQgetvalue(res, r, 4), NULL);
		v[i].guests = PQgetisnull(res, r, 5) ? -1 : atoi(PQgetvalue(res, r, 5));
		v[i].type = PQgetisnull(res, r, 6) ? -1 : compset_type_parse(PQgetvalue(res, r, 6));
		if (!with_metrics || PQgetisnull(res, r, 7))
			continue;
		/* dates and numbers only: nothing to escape for COPY */
		strbuf_reset(&sb);
		for (int c = 7; c < 15; c++)
			if (strbuf_addf(&sb, "%s%s", c > 7 ? "\t" : "",
					PQgetisnull(res, r, c) ? "\\N" : PQgetvalue(res, r, c)) < 0)
				goto oom;
		v[i].metrics = strbuf_detach(&sb, NULL);
	}
	strbuf_release(&sb);
	return 0;
oom:
	strbuf_release(&sb);
	return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory reading %zu properties", rows);
}

static void free_points(struct compset_point *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].metrics);
	free(v);
}

/*
 * One COPY line of external.competitive_sets.  The basis keeps the part
 * scores and the weights (the attributes compared are on the two
 * properties' rows).
 */
static int add_member(struct strbuf *sb, const struct compset_point *s,
		      const struct compset_point *c, int rank, const struct compset_match *m,
		      const struct compset_params *p)
{
	const struct compset_parts *q = &m->parts;
	int rc = 0;

	rc |= strbuf_addf(sb, "%s\t%s\t%d\t%.4f\t%.1f\t", s->tmk, c->tmk, rank,
			  m->similarity, q->distance_m);
	rc |= strbuf_addf(sb, "{\"method\":\"grid_knn\",\"scores\":{\"distance\":%.4f,"
			  "\"bedrooms\":%.4f,\"bathrooms\":%.4f,\"guests\":%.4f,\"type\":%.4f},",
			  q->distance, q->bedrooms, q->bathrooms, q->guests, q->type);
	rc |= strbuf_addf(sb, "\"weights\":{\"distance\":%g,\"bedrooms\":%g,\"bathrooms\":%g,"
			  "\"guests\":%g,\"type\":%g},\"distance_scale_m\":%g}\t", p->w_distance,
			  p->w_bedrooms, p->w_bathrooms, p->w_guests, p->w_type, p->distance_scale_m);
	rc |= strbuf_addstr(sb, c->metrics ? c->metrics : "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N");
	rc |= strbuf_addch(sb, '\n');
	return rc ? -1 : 0;
}

/* Log each portfolio TMK that is not a located property (subj is sorted by tmk). */
static void warn_missing(const struct compset_opts *o, const struct compset_point *subj,
			 size_t nsubj)
{
	for (size_t i = 0; i < o->n_extra; i++) {
		size_t lo = 0, hi = nsubj;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(subj[mid].tmk, o->extra_subjects[i]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == nsubj || strcmp(subj[lo].tmk, o->extra_subjects[i]))
			mi_log_kv(MI_LOG_WARN, "portfolio_tmk_missing", "tmk", o->extra_subjects[i],
				  "msg", "portfolio tmk is not a located property: no competitive set",
				  NULL);
	}
}


/* Row r of res into h: each value, \N for NULL, tab-separated, a newline after. */
static int digest_row(struct mi_sha256 *h, PGresult *res, int r)
{
	int rc = 0;

	for (int c = 0; c < PQnfields(res); c++) {
		const char *v = PQgetisnull(res, r, c) ? "\\N" : PQgetvalue(res, r, c);
		rc |= mi_sha256_add(h, v, strlen(v));
		rc |= mi_sha256_add(h, c + 1 < PQnfields(res) ? "\t" : "\n", 1);
	}
	return rc;
}

/*
 * What every set of the run follows from, as a SHA-256: the version, the
 * settings that shape a set, and every candidate row (in TMK order) with its
 * metrics.  A subject's digest adds its own row to it (subject_digest).
 */
static int candidates_digest(PGresult *res, const struct compset_opts *o,
			     char hex[MI_SHA256_HEX])
{
	const struct compset_params *p = &o->params;
	struct mi_sha256 h = MI_SHA256_INIT;
	char head[512];
	int rc;

	snprintf(head, sizeof(head),
		 "%s\n%s\nk=%d radius=%.17g scale=%.17g cell=%.17g"
		 " weights=%.17g,%.17g,%.17g,%.17g,%.17g listed_only=%d\n",
		 COMPSET_INPUTS_VERSION, MI_VERSION, p->k, p->max_radius_m, p->distance_scale_m,
		 p->cell_m, p->w_distance, p->w_bedrooms, p->w_bathrooms, p->w_guests, p->w_type,
		 o->candidates_listed_only);
	rc = mi_sha256_begin(&h);
	rc |= mi_sha256_add(&h, head, strlen(head));
	for (int r = 0; r < PQntuples(res) && !rc; r++)
		rc |= digest_row(&h, res, r);
	rc |= mi_sha256_end(&h, hex);
	mi_sha256_release(&h);
	return rc ? -1 : 0;
}

static int subject_digest(const char *cand_hex, PGresult *res, int r, char hex[MI_SHA256_HEX])
{
	struct mi_sha256 h = MI_SHA256_INIT;
	int rc = mi_sha256_begin(&h);

	rc |= mi_sha256_add(&h, cand_hex, strlen(cand_hex));
	rc |= mi_sha256_add(&h, "\n", 1);
	rc |= digest_row(&h, res, r);
	rc |= mi_sha256_end(&h, hex);
	mi_sha256_release(&h);
	return rc ? -1 : 0;
}

/* A subject's set as stored earlier the same day (etl.compset_stored_inputs). */
struct stored_set {
	char tmk[14];
	char sha[MI_SHA256_HEX];
	int members;
};

static int stored_cmp(const void *a, const void *b)
{
	return strcmp(((const struct stored_set *)a)->tmk, ((const struct stored_set *)b)->tmk);
}

/* The day's stored digests whose members are all there, in byte order of TMK (bsearch). */
static int load_stored(PGconn *conn, const char *day, struct stored_set **out, size_t *n,
		       struct mi_err *err)
{
	const char *pv[1] = { day };
	PGresult *res = mi_pg_query(conn,
				    "SELECT subject_tmk, inputs_sha256, members"
				    " FROM etl.compset_stored_inputs($1::date)", 1, pv, err);
	size_t rows;

	*out = NULL;
	*n = 0;
	if (!res)
		return -1;
	rows = (size_t)PQntuples(res);
	*out = calloc(rows ? rows : 1, sizeof(**out));
	if (!*out) {
		PQclear(res);
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory reading %zu stored sets", rows);
	}
	for (size_t i = 0; i < rows; i++) {
		snprintf((*out)[*n].tmk, sizeof((*out)[*n].tmk), "%s", PQgetvalue(res, (int)i, 0));
		snprintf((*out)[*n].sha, sizeof((*out)[*n].sha), "%s", PQgetvalue(res, (int)i, 1));
		(*out)[*n].members = atoi(PQgetvalue(res, (int)i, 2));
		(*n)++;
	}
	PQclear(res);
	return 0;
}

int compset_sync_ours(PGconn *conn, const char *const *tmks, size_t n, long long *set,
		      long long *cleared, long long *missing, struct mi_err *err)
{
	/*
	 * Ours: the portfolio file's TMKs and the properties under a contract in
	 * force (a contract is never undone by the file).
	 * One statement: the flips and the count of unknown TMKs are computed
	 * from the same snapshot, and a concurrent reader sees the old or the
	 * new portfolio, never half of it.
	 */
	static const char sql[] =
		"WITH portfolio AS (SELECT t FROM unnest($1::text[]) AS u(t)"
		"                   UNION SELECT c.tmk FROM homeowner_acquisition.contracted_properties c),"
		" flipped AS ("
		"  UPDATE external.properties p SET is_ours = NOT p.is_ours, updated_at = now()"
		"   WHERE (NOT p.is_ours AND p.tmk IN (SELECT t FROM portfolio))"
		"      OR (p.is_ours AND p.tmk NOT IN (SELECT t FROM portfolio))"
		"  RETURNING p.is_ours)"
		" SELECT (SELECT count(*) FROM flipped WHERE is_ours),"
		"        (SELECT count(*) FROM flipped WHERE NOT is_ours),"
		"        (SELECT count(*) FROM portfolio WHERE t NOT IN"
		"          (SELECT q.tmk FROM external.properties q WHERE q.tmk IN (SELECT t FROM portfolio)))";
	struct strbuf arr = STRBUF_INIT;
	PGresult *res = NULL;
	const char *pv[1];
	int ret = -1;

	if (mi_pg_text_array(&arr, tmks, n) < 0) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory syncing the portfolio");
		goto out;
	}
	pv[0] = arr.buf;
	res = mi_pg_query(conn, sql, 1, pv, err);
	if (!res)
		goto out;
	*set = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*cleared = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	*missing = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	ret = 0;
out:
	PQclear(res);
	strbuf_release(&arr);
	return ret;
}

static const char point_cols[] =
	"tmk, latitude, longitude, bedrooms, bathrooms, max_guests, property_type";

int compset_run(PGconn *conn, const struct compset_opts *o, struct compset_stats *st,
		struct mi_err *err)
{
	struct compset_point *cand = NULL, *subj = NULL;
	struct compset_match *best = NULL;
	struct compset_index *ix = NULL;
	struct stored_set *stored = NULL;
	char (*digest)[MI_SHA256_HEX] = NULL;
	unsigned char *kept = NULL; /* per subject: its stored set is kept, not computed */
	char cand_hex[MI_SHA256_HEX];
	struct strbuf sb = STRBUF_INIT, arr = STRBUF_INIT, kinds = STRBUF_INIT;
	PGresult *res = NULL;
	size_t ncand = 0, nsubj = 0, nstored = 0;
	double t0 = now_s(), t1, sent = 0;
	clock_t c0;
	int ret = -1, in_tx = 0, in_copy = 0;

	memset(st, 0, sizeof(*st));
	if (o->sync_ours && o->n_extra) {
		char a[24], b[24], c[24], d[24];

		if (compset_sync_ours(conn, o->extra_subjects, o->n_extra, &st->ours_set,
				      &st->ours_cleared, &st->ours_missing, err) < 0)
			goto out;
		snprintf(a, sizeof(a), "%zu", o->n_extra);
		snprintf(b, sizeof(b), "%lld", st->ours_set);
		snprintf(c, sizeof(c), "%lld", st->ours_cleared);
		snprintf(d, sizeof(d), "%lld", st->ours_missing);
		mi_log_kv(MI_LOG_INFO, "portfolio_sync", "portfolio", a, "set_ours", b,
			  "cleared_ours", c, "not_in_registry", d, NULL);
	}
	if (o->metrics &&
	    metrics_refresh_and_mark(conn, o->as_of, o->trailing_days, o->forward_days,
				     o->mark_nights, &st->metric_rows, &st->nights_marked, err) < 0)
		goto out;

	/*
	 * The day's sets end as computed now, in one transaction (a re-run gives
	 * the same rows).  Its lock is taken before the inputs are read: a run
	 * that keeps a stored set relies on no other run storing the day between
	 * its reading of the stored digests and its commit.
	 */
	if (mi_pg_begin(conn, err) < 0)
		goto out;
	in_tx = 1;
	/* two runs at once would both write the day and collide on its keys: queue them */
	if (mi_pg_exec(conn, "SELECT pg_advisory_xact_lock(hashtext('mi-compset store'))", err) < 0)
		goto out;
	{
		const char *pv[2] = { o->candidates_listed_only ? "true" : "false", o->as_of };
		/* each competitor with its latest trailing property metrics, in TMK order (the digest) */
		static const char sql[] =
			 "SELECT c.tmk, c.latitude, c.longitude, c.bedrooms, c.bathrooms, c.max_guests,"
			 " c.property_type, m.window_from, m.window_to, m.nights_observed,"
			 " m.booked_nights, m.blocked_nights, m.adr, m.occupancy, m.revpar"
			 " FROM etl.compset_candidates($1::boolean) c"
			 " LEFT JOIN (SELECT DISTINCT ON (mm.tmk) mm.* FROM etl.market_metrics mm"
			 "             WHERE mm.subject_kind = 'property' AND mm.window_kind = 'trailing'"
			 "               AND mm.as_of <= $2::date"
			 "             ORDER BY mm.tmk, mm.as_of DESC) m ON m.tmk = c.tmk"
			 " ORDER BY c.tmk COLLATE \"C\"";
		res = mi_pg_query(conn, sql, 2, pv, err);
		if (!res || load_points(res, 1, &cand, &ncand, err) < 0)
			goto out;
		if (candidates_digest(res, o, cand_hex) < 0)
			goto oom;
		PQclear(res);
		res = NULL;
	}
	/* the subjects: the portfolio TMKs and the kinds, as text[] parameters */
	{
		const char *kind[4] = { o->subjects & COMPSET_S_OURS ? "ours" : "-",
					o->subjects & COMPSET_S_PROSPECTS ? "prospects" : "-",
					o->subjects & COMPSET_S_LISTED ? "listed" : "-",
					o->subjects & COMPSET_S_ALL ? "all" : "-" };
		char sql[512];
		const char *pv[2];
		if (mi_pg_text_array(&arr, o->extra_subjects, o->n_extra) < 0 ||
		    mi_pg_text_array(&kinds, kind, 4) < 0)
			goto oom;
		pv[0] = arr.buf;
		pv[1] = kinds.buf;
		snprintf(sql, sizeof(sql),
			 "SELECT %s FROM etl.compset_subjects($1::text[], $2::text[]) ORDER BY tmk",
			 point_cols);
		res = mi_pg_query(conn, sql, 2, pv, err);
		if (!res)
			goto out;
		/* unlocated subjects come back with NULL coordinates: count them, skip them */
		for (int r = 0; r < PQntuples(res); r++)
			if (PQgetisnull(res, r, 1))
				st->subjects_unlocated++;
		if (load_points(res, 0, &subj, &nsubj, err) < 0)
			goto out;
		digest = calloc(nsubj ? nsubj : 1, sizeof(*digest));
		kept = calloc(nsubj ? nsubj : 1, sizeof(*kept));
		if (!digest || !kept)
			goto oom;
		for (size_t i = 0; i < nsubj; i++) {
			if (PQgetisnull(res, (int)i, 1))
				subj[i].tmk[0] = '\0';
			else if (subject_digest(cand_hex, res, (int)i, digest[i]) < 0)
				goto oom;
		}
		PQclear(res);
		res = NULL;
	}
	/* the sets stored earlier today whose inputs are these: kept as they are */
	if (load_stored(conn, o->as_of, &stored, &nstored, err) < 0)
		goto out;
	for (size_t i = 0; i < nsubj; i++) {
		struct stored_set key, *hit;

		if (!subj[i].tmk[0])
			continue;
		memcpy(key.tmk, subj[i].tmk, sizeof(key.tmk));
		hit = bsearch(&key, stored, nstored, sizeof(*stored), stored_cmp);
		if (hit && !strcmp(hit->sha, digest[i])) {
			kept[i] = 1;
			st->subjects_kept++;
			st->members += hit->members;
		}
	}
	st->candidates = (long long)ncand;
	st->subjects = (long long)nsubj - st->subjects_unlocated;
	t1 = now_s();
	st->seconds_load = t1 - t0;

	c0 = clock();
	ix = compset_index_build(cand, ncand, &o->params, err);
	best = calloc((size_t)o->params.k, sizeof(*best));
	if (!ix || !best)
		goto oom;
	warn_missing(o, subj, nsubj);
	t0 = now_s();
	st->seconds_search = t0 - t1;

	/*
	 * Every subject with its digest and whether it is computed now, then the
	 * members computed, streamed into temporary tables as they are found (so
	 * memory stays flat however many subjects there are); etl.compset_store
	 * (sql/104, 107) writes the difference with the stored day: the second
	 * pass of a night adds the new subjects' sets and leaves the others' rows
	 * alone.
	 */
	if (mi_pg_exec(conn,
		       "CREATE TEMP TABLE cs_subjects (subject_tmk text PRIMARY KEY,"
		       " inputs_sha256 text NOT NULL, computed boolean NOT NULL) ON COMMIT DROP", err) < 0 ||
	    mi_pg_exec(conn,
		       "CREATE TEMP TABLE cs_day ON COMMIT DROP AS"
		       " SELECT subject_tmk, competitor_tmk, competitor_platform, competitor_listing_id,"
		       " rank, similarity, distance_m, basis, metrics_from, metrics_to,"
		       " nights_observed, booked_nights, blocked_nights, adr, occupancy, revpar"
		       " FROM external.competitive_sets WITH NO DATA", err) < 0)
		goto out;
	if (mi_pg_copy_begin(conn, "COPY cs_subjects (subject_tmk, inputs_sha256, computed) FROM STDIN",
			     err) < 0)
		goto out;
	in_copy = 1;
	for (size_t i = 0; i < nsubj; i++) {
		if (!subj[i].tmk[0])
			continue;
		if (strbuf_addf(&sb, "%s\t%s\t%s\n", subj[i].tmk, digest[i], kept[i] ? "f" : "t") < 0)
			goto oom;
		if (sb.len >= COPY_CHUNK) {
			if (mi_pg_copy_send(conn, sb.buf, sb.len, err) < 0)
				goto out;
			strbuf_reset(&sb);
		}
	}
	if (sb.len && mi_pg_copy_send(conn, sb.buf, sb.len, err) < 0)
		goto out;
	strbuf_reset(&sb);
	in_copy = 0;
	if (mi_pg_copy_end(conn, NULL, NULL, err) < 0)
		goto out;
	if (mi_pg_copy_begin(conn,
			     "COPY cs_day (subject_tmk, competitor_tmk,"
			     " rank, similarity, distance_m, basis, metrics_from, metrics_to,"
			     " nights_observed, booked_nights, blocked_nights, adr, occupancy, revpar)"
			     " FROM STDIN", err) < 0)
		goto out;
	in_copy = 1;
	t1 = now_s();
	st->seconds_store = t1 - t0;
	for (size_t i = 0; i < nsubj; i++) {
		int n;

		if (!subj[i].tmk[0] || kept[i])
			continue;
		n = compset_knn(ix, &subj[i], &o->params, best);
		for (int r = 0; r < n; r++)
			if (add_member(&sb, &subj[i], &cand[best[r].index], r + 1,
				       &best[r], &o->params) < 0)
				goto oom;
		st->members += n;
		if (sb.len >= COPY_CHUNK) {
			double ts = now_s();
			if (mi_pg_copy_send(conn, sb.buf, sb.len, err) < 0)
				goto out;
			strbuf_reset(&sb);
			sent += now_s() - ts;
		}
	}
	t0 = now_s();
	st->seconds_search += t0 - t1 - sent;
	st->seconds_store += sent;
	st->cpu_search = (double)(clock() - c0) / CLOCKS_PER_SEC;
	if (sb.len && mi_pg_copy_send(conn, sb.buf, sb.len, err) < 0)
		goto out;
	in_copy = 0;
	if (mi_pg_copy_end(conn, NULL, NULL, err) < 0)
		goto out;
	{
		const char *pv[1] = { o->as_of };
		res = mi_pg_query(conn,
				  "SELECT deleted, inserted FROM etl.compset_store($1::date)", 1, pv,
				  err);
		if (!res)
			goto out;
		st->deleted = atoll(PQgetvalue(res, 0, 0));
		st->inserted = atoll(PQgetvalue(res, 0, 1));
		PQclear(res);
		res = NULL;
	}
	if (mi_pg_commit(conn, err) < 0)
		goto out;
	in_tx = 0;
	st->seconds_store += now_s() - t0;
	ret = 0;
	goto out;
oom:
	mi_err_set(err, MI_EXIT_INTERNAL, "out of memory computing competitive sets");
out:
	if (in_copy) {
		struct mi_err ignored = MI_ERR_INIT;
		mi_pg_copy_end(conn, "mi-compset failed", NULL, &ignored);
	}
	if (in_tx)
		mi_pg_rollback(conn);
	PQclear(res);
	compset_index_free(ix);
	free(best);
	free(stored);
	free(digest);
	free(kept);
	free_points(cand, ncand);
	free_points(subj, nsubj);
	strbuf_release(&sb);
	strbuf_release(&arr);
	strbuf_release(&kinds);
	return ret;
}
