/*
 * county-csv and parcel-csv: CSV exports whose columns are mapped to an
 * entity by a config file (config/formats/NAME.ini), so that a new county
 * export is a new INI file, not new C code.
 *
 *   [format]
 *   entity = owners            ; owners | sales | properties
 *   county = 1                 ; TMK county for ids written without it
 *   delimiter = comma          ; comma, semicolon, pipe or tab
 *   encoding = utf-8           ; or windows-1252 (values not valid UTF-8 are read as it)
 *   [columns]
 *   ; entity column = header name, alternatives joined by '|', a leading '?'
 *   ; makes the column optional (absent from the header: NULL)
 *   tmk = parid | TMK
 *   owner_name = taxbillowner | TAXBILLO
 *   care_of = ?address1
 *   [extra]
 *   ; member of the entity's `extra` jsonb = header name (properties only)
 *   pittcode = ?pittcode
 *
 * Besides the entity's own columns, [columns] accepts these inputs:
 *   cpr                    CPR unit appended to an 8-digit tmk (Honolulu `tmk` + CPR)
 *   tmk_zone, tmk_section, tmk_plat, tmk_parcel
 *                          split TMK parts (State GIS layers) when there is no tmk column
 *   county                 per-row county (1-4 or Honolulu/Maui/Hawaii/Kauai)
 *   land_area_acres        acres, written as land_area_sqft (x 43,560)
 *
 * Values are typed by the entity's column types (records.h): dates in any
 * form value_date() reads, amounts with $ and thousands commas, whole
 * numbers, booleans.  The TMK is parsed with tmk_parse() and the county
 * hint; a row without a usable TMK is rejected.  Derived columns: owners get
 * owner_kind/owner_key/owner_display (owner_normalize), care_of when the
 * name carries a C/O tail, mailing_key, absentee and out_of_state from the
 * mailing address (owner_absentee); sales get record_hash and TMK flags;
 * properties get address_key.
 *
 * parcel-csv is the same reader with a built-in map for GIS parcel layer
 * exports (TMK plus centroid): see parcel_defaults below; --config may
 * replace it.  Its coordinates must fall in Hawaii (a layer exported in a
 * projected system, UTM metres, is rejected row by row with that reason).
 */
#include "address.h"
#include "config.h"
#include "csvread.h"
#include "exitcode.h"
#include "geo_hi.h"
#include "owner.h"
#include "parser.h"
#include "tabular.h"
#include "tmk.h"
#include "value.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

#define MAX_MAP 64
#define MAX_ALT 8

enum pseudo {
	P_CPR = -100, P_ZONE, P_SECTION, P_PLAT, P_PARCEL, P_COUNTY, P_ACRES,
};

static const struct { const char *name; int id; } pseudo_names[] = {
	{ "cpr", P_CPR }, { "tmk_zone", P_ZONE }, { "tmk_section", P_SECTION },
	{ "tmk_plat", P_PLAT }, { "tmk_parcel", P_PARCEL }, { "county", P_COUNTY },
	{ "land_area_acres", P_ACRES },
};

struct map {
	int target;               /* column id in the entity, or enum pseudo */
	const char *key;          /* the config key (target name or extra member) */
	char *buf;                /* owned copy of the value, split in place */
	const char *alt[MAX_ALT]; /* header names */
	int nalt;
	int optional;
	int is_extra;
	int idx;                  /* field index in the file, -1 absent */
	int line;                 /* config line, for messages */
};

struct ccsv {
	struct parse_ctx *ctx;
	const struct rec_entity *e;
	const char *cfg_path;
	int parcel;               /* parcel-csv: check coordinates */
	int county;
	unsigned char delim;
	int cp1252;               /* encoding = windows-1252 */
	struct map m[MAX_MAP];
	int n;
	int have_header, nhdr;
	struct tab_row row;
	struct strbuf sb, key, conv;
};

static int add_map(struct ccsv *c, const char *key, const char *value, int line, int is_extra,
		   struct mi_err *err)
{
	struct map *m;
	char *p, *tok;
	int target = -1;

	if (c->n == MAX_MAP)
		return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: too many columns (at most %d)",
				  c->cfg_path, line, MAX_MAP);
	if (!is_extra) {
		for (size_t i = 0; i < sizeof(pseudo_names) / sizeof(pseudo_names[0]); i++)
			if (!strcmp(key, pseudo_names[i].name))
				target = pseudo_names[i].id;
		if (target == -1)
			target = rec_column_index(c->e, key);
		if (target >= 0 && target <= REC_COL_SRC_PATH)
			target = -1;
		if (target == -1 || (target >= 0 && !strcmp(c->e->cols[target].name, "extra")))
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "%s:%d: unknown column '%s' for entity '%s'",
					  c->cfg_path, line, key, c->e->name);
	} else if (rec_column_index(c->e, "extra") < 0) {
		return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: entity '%s' has no extra column",
				  c->cfg_path, line, c->e->name);
	}
	m = &c->m[c->n];
	memset(m, 0, sizeof(*m));
	m->target = target;
	m->key = key;
	m->is_extra = is_extra;
	m->line = line;
	m->idx = -1;
	m->buf = strdup(value);
	if (!m->buf)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	c->n++;
	p = m->buf;
	while (*p == ' ')
		p++;
	if (*p == '?') {
		m->optional = 1;
		p++;
	}
	while ((tok = strsep(&p, "|")) != NULL) {
		char *end;
		while (*tok == ' ')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (!*tok)
			continue;
		if (m->nalt == MAX_ALT)
			return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: too many alternatives",
					  c->cfg_path, line);
		m->alt[m->nalt++] = tok;
	}
	if (!m->nalt)
		return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: no header name for '%s'",
				  c->cfg_path, line, key);
	return 0;
}

static int load_rules(struct ccsv *c, const struct mi_config *cfg, struct mi_err *err)
{
	static const struct mi_config_key known[] = {
		{ "format", "entity" }, { "format", "county" }, { "format", "delimiter" },
		{ "format", "description" }, { "format", "encoding" }, { "columns", "*" },
		{ "extra", "*" }, { NULL, NULL },
	};
	static const char *const entities[] = { "owners", "sales", "properties", NULL };
	static const char *const encodings[] = { "utf-8", "windows-1252", NULL };
	int enc;
	long long county;
	const char *d;
	int ent;

	c->cfg_path = cfg->path ? cfg->path : "(config)";
	if (mi_config_check(cfg, known, err) < 0)
		return -1;
	if (!mi_config_find(cfg, "format", "entity"))
		return mi_err_set(err, MI_EXIT_CONFIG, "%s: missing key 'entity' in section [format]",
				  c->cfg_path);
	if (mi_config_enum(cfg, "format", "entity", entities, 0, &ent, err) < 0)
		return -1;
	c->e = rec_entity_find(entities[ent]);
	if (mi_config_int(cfg, "format", "county", 0, 4, 0, &county, err) < 0)
		return -1;
	c->county = county ? (int)county : c->ctx->county;
	if (mi_config_enum(cfg, "format", "encoding", encodings, 0, &enc, err) < 0)
		return -1;
	c->cp1252 = enc == 1;
	d = mi_config_str(cfg, "format", "delimiter", ",");
	/* ';' starts a comment in INI files: the delimiters have names too */
	if (!strcmp(d, "tab") || !strcmp(d, "\\t"))
		c->delim = '\t';
	else if (!strcmp(d, "semicolon"))
		c->delim = ';';
	else if (!strcmp(d, "comma"))
		c->delim = ',';
	else if (!strcmp(d, "pipe"))
		c->delim = '|';
	else if (strlen(d) == 1 && strchr(",|", d[0]))
		c->delim = (unsigned char)d[0];
	else
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "%s:%d: invalid delimiter '%s': must be comma, semicolon, pipe or tab",
				  c->cfg_path, mi_config_find(cfg, "format", "delimiter")->line, d);
	for (size_t i = 0; i < cfg->n; i++) {
		const struct mi_config_entry *en = &cfg->v[i];
		int is_extra = !strcmp(en->section, "extra");

		if (!is_extra && strcmp(en->section, "columns"))
			continue;
		if (add_map(c, en->key, en->value, en->line, is_extra, err) < 0)
			return -1;
	}
	return 0;
}

/* The built-in map of parcel-csv: GIS parcel layer exports. */
static int parcel_defaults(struct ccsv *c, struct mi_err *err)
{
	static const char *const map[][2] = {
		{ "tmk", "?tmk|tmk_txt|tmk9txt|TMK9T|cty_tmk|parid|TMK13|parcel_id" },
		{ "tmk_zone", "?zone" },
		{ "tmk_section", "?section" },
		{ "tmk_plat", "?plat" },
		{ "tmk_parcel", "?parcel" },
		{ "county", "?county|division" },
		{ "lat", "lat|latitude|centroid_lat|y|INTPTLAT|ycoord|point_y" },
		{ "lon", "lon|lng|longitude|centroid_lon|x|INTPTLON|xcoord|point_x" },
		{ "island", "?island" },
		{ "land_area_acres", "?gisacres|acres|calc_acres" },
		{ "address", "?address|site_address|situs" },
		{ "zip", "?zip|zipcode" },
	};

	c->cfg_path = "(parcel-csv built-in map)";
	c->e = rec_entity_find("properties");
	c->county = c->ctx->county;
	c->delim = ',';
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (add_map(c, map[i][0], map[i][1], 0, 0, err) < 0)
			return -1;
	return 0;
}

static const char *val(const struct csvr_row *row, const struct map *m, size_t *len)
{
	const char *s = csvr_field(row, m->idx, len);

	if (s)
		tab_trim(&s, len);
	return s;
}

static int county_value(const char *s, size_t len)
{
	static const char *const names[] = { "honolulu", "maui", "hawaii", "kauai" };

	if (len == 1 && s[0] >= '1' && s[0] <= '4')
		return s[0] - '0';
	for (int i = 0; i < 4; i++)
		if (len >= strlen(names[i]) && !strncasecmp(s, names[i], strlen(names[i])))
			return i + 1;
	return 0;
}

static void set_typed(struct tab_row *t, int col, const char *s, size_t len)
{
	const char *type = t->rec.e->cols[col].pgtype;
	int64_t cents;

	if (!strcmp(type, "date"))
		tab_set_date(t, col, s, len);
	else if (!strcmp(type, "boolean"))
		tab_set_bool(t, col, s, len);
	else if (!strcmp(type, "integer") || !strcmp(type, "smallint") || !strcmp(type, "bigint"))
		tab_set_int(t, col, s, len, -2147483647LL, 2147483647LL);
	else if (!strcmp(type, "numeric") && s && value_money(s, len, &cents) >= 0)
		tab_set_money(t, col, s, len); /* amounts: "$1,250,000", "5,243.79" */
	else if (!strcmp(type, "numeric") || !strcmp(type, "double precision"))
		tab_set_num(t, col, s, len);
	else
		tab_set_text(t, col, s, len);
}

/* The TMK of the row, from the tmk column (+ cpr) or the split parts. */
static int row_tmk(struct ccsv *c, const struct csvr_row *row, int county, struct tmk *tk)
{
	const char *tmk = NULL, *cpr = NULL;
	size_t tlen = 0, clen = 0;
	long long part[4];
	int have_parts = 0;
	enum tmk_reason why = TMK_OK;
	char buf[64], show[64];

	for (int i = 0; i < c->n; i++) {
		const struct map *m = &c->m[i];
		const char *s;
		size_t len;

		if (m->idx < 0 || m->is_extra)
			continue;
		s = val(row, m, &len);
		if (m->target == rec_column_index(c->e, "tmk") && len) {
			tmk = s;
			tlen = len;
		} else if (m->target == P_CPR && len) {
			cpr = s;
			clen = len;
		} else if (m->target <= P_PARCEL && m->target >= P_ZONE && len) {
			if (tab_int(s, len, 0, 999, &part[m->target - P_ZONE]) == 1)
				have_parts |= 1 << (m->target - P_ZONE);
		}
	}
	if (tmk && cpr && tlen == 8 && clen <= 4) {
		/* Honolulu: 8-digit tmk and its CPR in another column */
		snprintf(buf, sizeof(buf), "%.8s%04d", tmk, atoi(cpr));
		tmk = buf;
		tlen = strlen(buf);
	}
	if (tmk) {
		struct tmk_opts o = { county, NULL, NULL, TMK_RANGE_REFUSE };
		if (tmk_parse(tmk, tlen, &o, tk, &why) == 0)
			return 0;
		tab_bad(&c->row, "bad TMK '%s': %s", tab_show(tmk, tlen, show, sizeof(show)),
			tmk_reason_str(why));
		return -1;
	}
	if (have_parts == 15) {
		if (tmk_from_parts(county, (int)part[0], (int)part[1], (int)part[2], (int)part[3],
				   cpr ? atoi(cpr) : -1, tk, &why) == 0)
			return 0;
		tab_bad(&c->row, "bad TMK parts: %s", tmk_reason_str(why));
		return -1;
	}
	tab_bad(&c->row, "missing TMK");
	return -1;
}

static void set_hash(struct ccsv *c)
{
	const struct rec_row *r = &c->row.rec;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[65];

	strbuf_reset(&c->key);
	for (int i = REC_COL_SRC_PATH + 1; i < r->e->ncols; i++) {
		if (i == SALES_record_hash || i == SALES_flags)
			continue;
		if (i > REC_COL_SRC_PATH + 1)
			strbuf_addch(&c->key, '|');
		if (r->set[i])
			strbuf_add(&c->key, r->data.buf + r->start[i], r->len[i]);
	}
	if (!EVP_Digest(c->key.buf, c->key.len, md, &mdlen, EVP_sha256(), NULL))
		return;
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
	rec_set(&c->row.rec, SALES_record_hash, hex, 64);
}

/* The value of entity column col as set in the row (NULL when unset). */
static const char *got(const struct rec_row *r, int col, size_t *len)
{
	if (col < 0 || !r->set[col]) {
		*len = 0;
		return NULL;
	}
	*len = r->len[col];
	return r->data.buf + r->start[col];
}

/*
 * Owner columns derived from the name and the mailing address.  The
 * absentee flags compare the mailing address with the parcel's island (from
 * its TMK: Maui County spans three islands), the same reading as
 * `mi-normalize --island ISLAND owner`.
 */
static void derive_owner(struct ccsv *c, int county, enum geo_island island)
{
	struct rec_row *r = &c->row.rec;
	struct owner o;
	struct addr a;
	const char *s;
	size_t len;

	s = got(r, OWNERS_owner_name, &len);
	if (s && owner_normalize(s, len, &o, NULL) == 0) {
		if (!r->set[OWNERS_owner_kind])
			rec_set_str(r, OWNERS_owner_kind, owner_kind_name(o.kind));
		rec_set_str(r, OWNERS_owner_key, o.key[0] ? o.key : NULL);
		rec_set_str(r, OWNERS_owner_display, o.display[0] ? o.display : NULL);
		if (o.care_of[0] && !r->set[OWNERS_care_of])
			rec_set_str(r, OWNERS_care_of, o.care_of);
	}
	/* the whole mailing address as one line, for the address normalizer */
	strbuf_reset(&c->sb);
	for (int col = OWNERS_mailing_address; col <= OWNERS_mailing_country; col++) {
		s = got(r, col, &len);
		if (!s || !len)
			continue;
		if (c->sb.len)
			strbuf_addstr(&c->sb, col == OWNERS_mailing_zip ? " " : ", ");
		strbuf_add(&c->sb, s, len);
	}
	if (c->sb.len && addr_normalize(c->sb.buf, c->sb.len, &a, NULL) == 0) {
		enum owner_absentee abs;

		rec_set_str(r, OWNERS_mailing_key, a.key[0] ? a.key : NULL);
		/* a one-line "CITY ST ZIP" column (OWNINFO address3): split it */
		if (!r->set[OWNERS_mailing_state] && !r->set[OWNERS_mailing_zip] && a.city[0] &&
		    (a.state[0] || a.zip[0]))
			rec_set_str(r, OWNERS_mailing_city, a.city);
		if (!r->set[OWNERS_mailing_state] && a.state[0])
			rec_set_str(r, OWNERS_mailing_state, a.state);
		if (!r->set[OWNERS_mailing_zip] && a.zip[0])
			rec_set_str(r, OWNERS_mailing_zip, a.zip);
		if (!r->set[OWNERS_mailing_country] && a.country[0])
			rec_set_str(r, OWNERS_mailing_country, a.country);
		abs = owner_absentee(&a, island, county);
		if (abs != OWNER_ABS_UNKNOWN) {
			rec_set_bool(r, OWNERS_absentee, abs != OWNER_ABS_LOCAL);
			rec_set_bool(r, OWNERS_out_of_state,
				     abs == OWNER_ABS_OUT_OF_STATE || abs == OWNER_ABS_FOREIGN);
		}
	}
}

static int header(struct ccsv *c, const struct csvr_row *row, struct mi_err *err)
{
	const char *why;

	c->have_header = 1;
	c->nhdr = row->nfields;
	if ((why = csvr_row_reason(row)) != NULL) {
		tab_reject_csv(c->ctx, row, why, err);
		return mi_err_set(err, MI_EXIT_DATA, "%s: unreadable header line: %s", c->ctx->file,
				  why);
	}
	for (int i = 0; i < c->n; i++) {
		struct map *m = &c->m[i];
		int idx;

		for (int k = 0; k < m->nalt && m->idx < 0; k++)
			if (csvr_header_map(row, &m->alt[k], 1, &idx) == 1)
				m->idx = idx;
		if (m->idx < 0 && !m->optional)
			return tab_missing_column(c->ctx, row, m->alt[0], err);
		if (m->idx >= 0 && tab_twin_column(c->ctx, row, m->idx, err) < 0)
			return -1;
	}
	return 0;
}

static int ccsv_row(void *data, const struct csvr_row *row, struct mi_err *err)
{
	struct ccsv *c = data;
	struct tab_row *t = &c->row;
	struct tmk tk;
	const char *why;
	char buf[128];
	int county = c->county, tmk_col = rec_column_index(c->e, "tmk");
	enum geo_island island = GEO_ISLAND_UNKNOWN;
	int extra_col = rec_column_index(c->e, "extra");

	if (!c->have_header)
		return header(c, row, err);
	parse_count(c->ctx);
	if ((why = csvr_row_reason(row)) != NULL)
		return tab_reject_csv(c->ctx, row, why, err);
	if (row->nfields != c->nhdr) {
		snprintf(buf, sizeof(buf), "ragged row: %d fields, the header has %d", row->nfields,
			 c->nhdr);
		return tab_reject_csv(c->ctx, row, buf, err);
	}
	tab_row_start(t);
	if (extra_col >= 0)
		tab_json_open(&c->sb);
	for (int i = 0; i < c->n; i++) {
		const struct map *m = &c->m[i];
		const char *s;
		size_t len;

		if (m->idx < 0)
			continue;
		s = val(row, m, &len);
		if (c->cp1252 && s && len) {
			/* the value is copied by the setters before the next conversion */
			tab_cp1252_utf8(&c->conv, s, len);
			s = c->conv.buf;
			len = c->conv.len;
		}
		if (m->is_extra) {
			tab_json_str(&c->sb, m->key, s, len);
		} else if (m->target == P_COUNTY) {
			if (len && county_value(s, len))
				county = county_value(s, len);
		} else if (m->target == P_ACRES) {
			char num[64];
			if (tab_num(s, len, num, sizeof(num)) == 1) {
				snprintf(buf, sizeof(buf), "%.0f", atof(num) * 43560.0);
				rec_set_str(&t->rec, PROPERTIES_land_area_sqft, buf);
			} else if (len) {
				tab_bad(t, "bad number '%s' in column 'land_area_acres'",
					tab_show(s, len, buf, sizeof(buf)));
			}
		} else if (m->target >= 0 && m->target != tmk_col) {
			set_typed(t, m->target, s, len);
		}
	}
	if (extra_col >= 0)
		tab_json_close(t, extra_col, &c->sb);
	if (row_tmk(c, row, county, &tk) == 0) {
		char flags[128];

		island = geo_tmk_island(tk.county, tk.zone, tk.section);
		tmk_flags_format(tk.flags, flags, sizeof(flags));
		rec_set_str(&t->rec, tmk_col, tk.tmk13);
		if (c->e->id == REC_E_PROPERTIES)
			rec_set_str(&t->rec, PROPERTIES_tmk_flags, flags[0] ? flags : NULL);
		else if (c->e->id == REC_E_SALES && flags[0])
			rec_set_str(&t->rec, SALES_flags, flags);
		county = tk.county;
	}
	if (c->e->id == REC_E_OWNERS && !tab_row_bad(t)) {
		derive_owner(c, county, island);
	} else if (c->e->id == REC_E_SALES && !tab_row_bad(t)) {
		set_hash(c);
	} else if (c->e->id == REC_E_PROPERTIES && !tab_row_bad(t)) {
		const char *s;
		size_t len;
		char key[160];

		s = got(&t->rec, PROPERTIES_address, &len);
		if (s && addr_key(s, len, key, sizeof(key)) > 0)
			rec_set_str(&t->rec, PROPERTIES_address_key, key);
		if (c->parcel) {
			const char *la = got(&t->rec, PROPERTIES_lat, &len);
			double lat = la ? atof(la) : 0;
			const char *lo = got(&t->rec, PROPERTIES_lon, &len);
			double lon = lo ? atof(lo) : 0;

			if (!la || !lo)
				tab_bad(t, "missing coordinates");
			else if (lat < 18.5 || lat > 22.5 || lon < -160.5 || lon > -154.5)
				tab_bad(t, "coordinates outside Hawaii (%.6g, %.6g): not WGS84 degrees?",
					lat, lon);
		}
	}
	if (tab_row_bad(t))
		return tab_reject_csv(c->ctx, row, t->why, err);
	return tab_emit_csv(c->ctx, t, row, err);
}

static int run(struct parse_ctx *ctx, FILE *in, int parcel, struct mi_err *err)
{
	struct ccsv c;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.parcel = parcel;
	strbuf_init(&c.sb, 0);
	strbuf_init(&c.key, 0);
	strbuf_init(&c.conv, 0);
	if (ctx->rules) {
		if (load_rules(&c, ctx->rules, err) < 0)
			goto out;
	} else if (parcel) {
		if (parcel_defaults(&c, err) < 0)
			goto out;
	} else {
		mi_err_set(err, MI_EXIT_CONFIG, "format '%s' needs --config: a column map "
			   "(see config/formats/)", ctx->format);
		goto out;
	}
	tab_row_init(&c.row, c.e->id);
	if (tab_read_csv(ctx, in, c.delim, ccsv_row, &c, NULL, err) < 0) {
		tab_row_release(&c.row);
		goto out;
	}
	tab_row_release(&c.row);
	if (!c.have_header) {
		tab_no_header(ctx, err);
		goto out;
	}
	ret = 0;
out:
	for (int i = 0; i < c.n; i++)
		free(c.m[i].buf);
	strbuf_release(&c.sb);
	strbuf_release(&c.key);
	strbuf_release(&c.conv);
	return ret;
}

static int parse_county_csv(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	return run(ctx, in, 0, err);
}

static int parse_parcel_csv(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	return run(ctx, in, 1, err);
}

const struct parser parser_county_csv = {
	"county-csv",
	"county owner-roll / sales / parcel CSV export, columns mapped by --config INI",
	"owners|sales|properties",
	parse_county_csv,
};

const struct parser parser_parcel_csv = {
	"parcel-csv",
	"GIS parcel layer CSV export: TMK (or its parts) and centroid lat/lon",
	"properties",
	parse_parcel_csv,
};
