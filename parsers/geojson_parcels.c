/*
 * geojson-parcels: county and State GIS parcel layers as GeoJSON
 * (FeatureCollection of Polygon / MultiPolygon / Point features with TMK
 * properties) -> properties rows with a centroid.
 *
 * Streaming: the file is scanned byte by byte; only one feature at a time
 * is held (each element of the top-level "features" array is cut out and
 * parsed alone with json-c), so memory stays flat whatever the layer size.
 * A feature larger than max_feature_bytes (16 MiB) is rejected and skipped;
 * the document may nest at most 256 levels (deeper: refused).
 *
 * Columns: tmk (+ tmk_flags) from the first property present among tmk,
 * TMK, tmk_txt, TMK_TXT, tmk9txt, TMK9TXT, parid, PARID (county from a
 * county / COUNTY property, a number or a name, else --county); island;
 * land_area_sqft from gisacres / GISACRES (x 43,560) or area_sqft; lat/lon =
 * the area-weighted centroid of the polygon(s) (holes subtract), a Point as
 * is.  A source's config/parcels/<source>.ini may map columns to other
 * properties instead ([properties] tmk = properties.PARCEL_ID).
 *
 * Coordinates must be WGS84 longitude/latitude (RFC 7946); projected
 * coordinates (State Plane feet, UTM metres) are rejected per feature.
 */
#include "exitcode.h"
#include "fieldmap.h"
#include "parser.h"
#include "paths.h"
#include "tree.h"

#include <ctype.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "banned.h"

#define GJ_MAX_FEATURE ((size_t)16 << 20)
#define GJ_MAX_DEPTH 256

struct gj {
	struct parse_ctx *ctx;
	struct fm_map map;
	int have_map;
	struct rec_row row;
	struct strbuf feat, val;
	long long index;
};

/* ---- geometry ---- */

struct centroid {
	double sw, sx, sy;  /* sum of weights (signed areas), weighted x, y */
	double mx, my;      /* plain vertex sums, for degenerate shapes */
	long long nv;
	double ox, oy;      /* origin (first vertex) for precision */
	int have_origin;
	const char *bad;
};

static int position(struct json_object *p, double *x, double *y)
{
	struct json_object *a, *b;

	if (!json_object_is_type(p, json_type_array) || json_object_array_length(p) < 2)
		return -1;
	a = json_object_array_get_idx(p, 0);
	b = json_object_array_get_idx(p, 1);
	if ((!json_object_is_type(a, json_type_double) && !json_object_is_type(a, json_type_int)) ||
	    (!json_object_is_type(b, json_type_double) && !json_object_is_type(b, json_type_int)))
		return -1;
	*x = json_object_get_double(a);
	*y = json_object_get_double(b);
	if (!isfinite(*x) || !isfinite(*y))
		return -1;
	return 0;
}

/* Add one ring; hole: its area counts negative. */
static void ring(struct centroid *c, struct json_object *r, int hole)
{
	size_t n;
	double a = 0, cx = 0, cy = 0;

	if (!json_object_is_type(r, json_type_array) || (n = json_object_array_length(r)) < 3) {
		c->bad = "ring with fewer than 3 positions";
		return;
	}
	for (size_t i = 0; i < n; i++) {
		double x0, y0, x1, y1, cr;
		if (position(json_object_array_get_idx(r, i), &x0, &y0) < 0 ||
		    position(json_object_array_get_idx(r, (i + 1) % n), &x1, &y1) < 0) {
			c->bad = "bad position";
			return;
		}
		if (x0 < -180 || x0 > 180 || y0 < -90 || y0 > 90) {
			c->bad = "coordinates are not longitude/latitude";
			return;
		}
		if (!c->have_origin) {
			c->ox = x0;
			c->oy = y0;
			c->have_origin = 1;
		}
		x0 -= c->ox, y0 -= c->oy, x1 -= c->ox, y1 -= c->oy;
		if (!hole) {
			c->mx += x0;
			c->my += y0;
			c->nv++;
		}
		cr = x0 * y1 - x1 * y0;
		a += cr;
		cx += (x0 + x1) * cr;
		cy += (y0 + y1) * cr;
	}
	a /= 2;
	if (a == 0)
		return;
	cx /= 6 * a;
	cy /= 6 * a;
	/* orientation varies in the wild: weigh by |area|, holes negative */
	a = fabs(a) * (hole ? -1 : 1);
	c->sw += a;
	c->sx += a * cx;
	c->sy += a * cy;
}

static void polygon(struct centroid *c, struct json_object *rings)
{
	size_t n;

	if (!json_object_is_type(rings, json_type_array) || !(n = json_object_array_length(rings))) {
		c->bad = "polygon without rings";
		return;
	}
	for (size_t i = 0; i < n && !c->bad; i++)
		ring(c, json_object_array_get_idx(rings, i), i > 0);
}

/* Centroid of a geometry: 1 found, 0 none (null geometry), -1 bad (*why). */
static int geometry_centroid(struct json_object *g, double *lon, double *lat, const char **kind,
			     const char **why)
{
	struct json_object *t, *coords;
	struct centroid c;
	const char *type;

	memset(&c, 0, sizeof(c));
	*kind = NULL;
	if (!g)
		return 0;
	if (!json_object_object_get_ex(g, "type", &t) || !json_object_is_type(t, json_type_string)) {
		*why = "geometry without type";
		return -1;
	}
	type = json_object_get_string(t);
	*kind = type;
	if (!json_object_object_get_ex(g, "coordinates", &coords)) {
		*why = "geometry without coordinates";
		return -1;
	}
	if (!strcmp(type, "Point")) {
		if (position(coords, lon, lat) < 0 || *lon < -180 || *lon > 180 || *lat < -90 ||
		    *lat > 90) {
			*why = "bad point coordinates";
			return -1;
		}
		return 1;
	} else if (!strcmp(type, "Polygon")) {
		polygon(&c, coords);
	} else if (!strcmp(type, "MultiPolygon")) {
		size_t n = json_object_is_type(coords, json_type_array)
				   ? json_object_array_length(coords)
				   : 0;
		if (!n)
			c.bad = "multipolygon without polygons";
		for (size_t i = 0; i < n && !c.bad; i++)
			polygon(&c, json_object_array_get_idx(coords, i));
	} else {
		*why = "unsupported geometry type";
		return -1;
	}
	if (c.bad) {
		*why = c.bad;
		return -1;
	}
	if (fabs(c.sw) > 1e-18) {
		*lon = c.ox + c.sx / c.sw;
		*lat = c.oy + c.sy / c.sw;
	} else if (c.nv) {
		*lon = c.ox + c.mx / (double)c.nv; /* degenerate: the vertex mean */
		*lat = c.oy + c.my / (double)c.nv;
	} else {
		*why = "empty geometry";
		return -1;
	}
	return 1;
}

/* ---- properties ---- */

static struct json_object *first_prop(struct json_object *props, const char *const *names)
{
	for (int i = 0; names[i]; i++) {
		struct json_object *v = tree_json_get(props, names[i]);
		if (v)
			return v;
	}
	return NULL;
}

static int county_of(struct json_object *v)
{
	const char *s;

	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int(v) >= 1 && json_object_get_int(v) <= 4
			       ? json_object_get_int(v)
			       : 0;
	s = json_object_get_string(v);
	if (!s)
		return 0;
	if (s[0] >= '1' && s[0] <= '4' && !s[1])
		return s[0] - '0';
	if (!strncasecmp(s, "honolulu", 8) || !strncasecmp(s, "oahu", 4))
		return 1;
	if (!strncasecmp(s, "maui", 4))
		return 2;
	if (!strncasecmp(s, "hawaii", 6))
		return 3;
	if (!strncasecmp(s, "kauai", 5))
		return 4;
	return 0;
}

static int reject_feature(struct gj *g, long long line, long long off, const char *path,
			  const char *why, const char *ex, size_t exl, struct mi_err *err)
{
	return parse_reject(g->ctx, line, off, path, why, ex, exl > 200 ? 200 : exl, err);
}

static int feature(struct gj *g, long long line, long long off, struct mi_err *err)
{
	static const char *const p_tmk[] = { "tmk", "TMK", "tmk_txt", "TMK_TXT", "tmk9txt",
					     "TMK9TXT", "parid", "PARID", NULL };
	static const char *const p_county[] = { "county", "COUNTY", "cty", NULL };
	static const char *const p_island[] = { "island", "ISLAND", NULL };
	static const char *const p_acres[] = { "gisacres", "GISACRES", "acres", "ACRES", NULL };
	static const char *const p_sqft[] = { "area_sqft", "sqft", "SQFT", NULL };
	struct parse_ctx *ctx = g->ctx;
	struct json_object *f, *props, *geom = NULL, *v;
	char reason[300], why[400], path[64];
	const char *kind = NULL, *gwhy = NULL;
	double lon = 0, lat = 0;
	int county, rc, ret = 0;
	struct fm_opts fo;

	parse_count(ctx);
	snprintf(path, sizeof(path), "$.features[%lld]", g->index);
	f = tree_json_parse(g->feat.buf, g->feat.len, TREE_JSON_DEPTH, reason, sizeof(reason), NULL);
	if (!f)
		return reject_feature(g, line, off, path, reason, g->feat.buf, g->feat.len, err);
	if (!json_object_is_type(f, json_type_object)) {
		ret = reject_feature(g, line, off, path, "feature is not an object", g->feat.buf,
				     g->feat.len, err);
		goto out;
	}
	props = tree_json_get(f, "properties");
	json_object_object_get_ex(f, "geometry", &geom);
	if (geom && json_object_is_type(geom, json_type_null))
		geom = NULL;
	rec_row_clear(&g->row);
	county = county_of(first_prop(props, p_county));
	fo.county = county ? county : ctx->county;
	if (g->have_map) {
		for (size_t k = 0; k < g->map.n; k++) {
			const struct fm_field *fl = &g->map.f[k];
			strbuf_reset(&g->val);
			rc = tree_json_text(tree_json_get(f, fl->expr), &g->val);
			if (fm_set(&g->row, fl, rc > 0 ? g->val.buf : NULL, g->val.len, &fo, reason,
				   sizeof(reason)) < 0) {
				snprintf(why, sizeof(why), "bad %s: %s", fl->name, reason);
				goto reject;
			}
		}
	}
	if (!g->row.set[PROPERTIES_tmk]) {
		strbuf_reset(&g->val);
		if (tree_json_text(first_prop(props, p_tmk), &g->val) <= 0 || !g->val.len) {
			snprintf(why, sizeof(why), "missing tmk");
			goto reject;
		}
		if (fm_set_typed(&g->row, PROPERTIES_tmk, FM_TMK, g->val.buf, g->val.len, &fo,
				 reason, sizeof(reason)) < 0) {
			snprintf(why, sizeof(why), "%s", reason);
			goto reject;
		}
	}
	if (!g->row.set[PROPERTIES_island] && (v = first_prop(props, p_island))) {
		strbuf_reset(&g->val);
		tree_json_text(v, &g->val);
		fm_set_typed(&g->row, PROPERTIES_island, FM_TEXT, g->val.buf, g->val.len, &fo, reason,
			     sizeof(reason));
	}
	if (!g->row.set[PROPERTIES_land_area_sqft]) {
		if ((v = first_prop(props, p_acres)) && (json_object_is_type(v, json_type_double) ||
							json_object_is_type(v, json_type_int))) {
			char buf[64];
			snprintf(buf, sizeof(buf), "%.0f", json_object_get_double(v) * 43560.0);
			if (json_object_get_double(v) >= 0)
				rec_set_str(&g->row, PROPERTIES_land_area_sqft, buf);
		} else if ((v = first_prop(props, p_sqft))) {
			strbuf_reset(&g->val);
			tree_json_text(v, &g->val);
			fm_set_typed(&g->row, PROPERTIES_land_area_sqft, FM_NUMERIC, g->val.buf,
				     g->val.len, &fo, reason, sizeof(reason));
		}
	}
	rc = geometry_centroid(geom, &lon, &lat, &kind, &gwhy);
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", gwhy);
		goto reject;
	}
	if (rc > 0 && !g->row.set[PROPERTIES_lat]) {
		fm_set_coord(&g->row, PROPERTIES_lat, lat);
		fm_set_coord(&g->row, PROPERTIES_lon, lon);
	}
	if (!g->row.set[PROPERTIES_extra]) {
		char ex[96];
		snprintf(ex, sizeof(ex), "{\"geometry\":\"%s\",\"centroid\":\"%s\"}",
			 kind && strlen(kind) < 20 ? kind : "none",
			 rc == 0 ? "none" : !strcmp(kind, "Point") ? "point" : "area-weighted");
		rec_set_str(&g->row, PROPERTIES_extra, ex);
	}
	ret = parse_emit(ctx, &g->row, line, off, path, err);
	goto out;
reject:
	ret = reject_feature(g, line, off, path, why, g->feat.buf, g->feat.len, err);
out:
	json_object_put(f);
	return ret;
}

static int geojson_parse(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	struct mi_config own = MI_CONFIG_INIT;
	const struct mi_config *cfg = NULL;
	struct gj g;
	unsigned char buf[65536];
	size_t n;
	long long off = 0, line = 1, fline = 0, foff = 0;
	int depth = 0, instr = 0, esc = 0, expect_key = 0, inkey = 0, in_features = 0;
	int want_features = 0, capturing = 0, seen_features = 0, toobig = 0, ret = -1;
	char key[64];
	size_t klen = 0;
	const char *fatal = NULL;

	memset(&g, 0, sizeof(g));
	g.ctx = ctx;
	rec_row_init(&g.row, &rec_entities[REC_E_PROPERTIES], 0);
	strbuf_init(&g.feat, GJ_MAX_FEATURE);
	strbuf_init(&g.val, 1u << 20);
	/* optional rules: --config, or config/parcels/<source>.ini when it exists */
	if (ctx->rules) {
		cfg = ctx->rules;
	} else if (ctx->source && !strchr(ctx->source, '/')) {
		char rel[512], p[1024];
		snprintf(rel, sizeof(rel), "parcels/%s.ini", ctx->source);
		if (mi_path_config(rel, p, sizeof(p))) {
			if (mi_config_load(&own, p, err) < 0)
				goto out;
			cfg = &own;
		}
	}
	if (cfg) {
		if (fm_map_load(&g.map, cfg, "properties", &rec_entities[REC_E_PROPERTIES], NULL,
				err) < 0)
			goto out;
		g.have_map = 1;
	}
	while (!fatal && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		for (size_t i = 0; i < n && !fatal; i++, off++) {
			unsigned char c = buf[i];
			int end_elem = 0;

			if (c == '\n')
				line++;
			if (instr) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"') {
					instr = 0;
					if (inkey) {
						inkey = 0;
						key[klen] = '\0';
					}
				}
				if (inkey && !instr) {
					/* closed above */
				} else if (inkey && klen < sizeof(key) - 1) {
					key[klen++] = (char)c;
				}
			} else if (c == '"') {
				instr = 1;
				if (depth == 1 && expect_key) {
					inkey = 1;
					klen = 0;
					expect_key = 0;
				}
			} else if (c == '{' || c == '[') {
				if (depth == 0 && c != '{') {
					fatal = "not a geojson object";
					break;
				}
				if (depth == 1 && want_features) {
					if (c == '[') {
						in_features = 1;
						seen_features = 1;
					}
					want_features = 0;
					depth++;
					if (c == '[')
						continue; /* the array itself is not captured */
					goto capture;
				}
				if (++depth > GJ_MAX_DEPTH) {
					fatal = "json nested deeper than 256 levels";
					break;
				}
				if (depth == 1)
					expect_key = 1;
			} else if (c == '}' || c == ']') {
				if (in_features && depth == 2 && c == ']') {
					end_elem = 1;
					in_features = 0;
				}
				depth--;
				if (depth < 0) {
					fatal = "unbalanced brackets";
					break;
				}
			} else if (depth == 1 && c == ':') {
				want_features = !strcmp(key, "features");
			} else if (depth == 1 && c == ',') {
				expect_key = 1;
				want_features = 0;
			} else if (in_features && depth == 2 && c == ',') {
				end_elem = 1;
			}
			if (end_elem && capturing) {
				capturing = 0;
				if (toobig) {
					parse_count(ctx);
					if (reject_feature(&g, fline, foff, NULL,
							   "feature larger than 16777216 bytes",
							   g.feat.buf, g.feat.len, err) < 0)
						goto out;
				} else if (feature(&g, fline, foff, err) < 0) {
					goto out;
				}
				g.index++;
				continue;
			}
			if (end_elem)
				continue;
capture:
			if (in_features && depth >= 2 && !(depth == 2 && !capturing && isspace(c))) {
				if (!capturing) {
					capturing = 1;
					toobig = 0;
					strbuf_reset(&g.feat);
					g.feat.toobig = 0;
					fline = line;
					foff = off;
				}
				if (!toobig && strbuf_addch(&g.feat, c) < 0)
					toobig = 1;
			}
		}
	}
	if (ferror(in))
		fatal = "read error";
	else if (!fatal && (depth != 0 || instr))
		fatal = "json cut short";
	else if (!fatal && !seen_features)
		fatal = "no 'features' array";
	if (fatal) {
		char why[200];
		parse_count(ctx);
		snprintf(why, sizeof(why), "%s at byte %lld", fatal, off);
		if (parse_reject(ctx, line, off, NULL, why, capturing ? g.feat.buf : NULL,
				 capturing ? (g.feat.len > 200 ? 200 : g.feat.len) : 0, err) < 0)
			goto out;
		/* the features before the cut are kept; the file fails: the rest is missing */
		if (ctx->emitted)
			mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': %s (%lld features before it kept)",
				   ctx->file, why, ctx->emitted);
		else
			mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': %s", ctx->file, why);
		goto out;
	}
	ret = 0;
out:
	if (g.have_map)
		fm_map_release(&g.map);
	rec_row_release(&g.row);
	strbuf_release(&g.feat);
	strbuf_release(&g.val);
	mi_config_release(&own);
	return ret;
}

const struct parser parser_geojson_parcels = {
	"geojson-parcels",
	"GIS parcel layers as GeoJSON (TMK properties, polygon centroids), streamed per feature",
	"properties",
	geojson_parse,
};
