#include "fieldmap.h"
#include "exitcode.h"
#include "taxid.h"
#include "tmk.h"
#include "value.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Regexes from config run on untrusted text: bound their work. */
#define FM_MATCH_LIMIT 1000000u
#define FM_DEPTH_LIMIT 10000u

struct fm_re {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int groups;
};

static void fm_re_free(struct fm_re *r)
{
	if (!r)
		return;
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mc);
	pcre2_code_free(r->code);
	free(r);
}

static struct fm_re *fm_re_compile(const char *pat, char *msg, size_t msize)
{
	struct fm_re *r = calloc(1, sizeof(*r));
	PCRE2_UCHAR ebuf[160];
	PCRE2_SIZE eoff = 0;
	int ecode = 0;
	uint32_t cap = 0;

	if (!r) {
		snprintf(msg, msize, "out of memory");
		return NULL;
	}
	r->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ecode, &eoff,
				NULL);
	if (!r->code) {
		pcre2_get_error_message(ecode, ebuf, sizeof(ebuf));
		snprintf(msg, msize, "bad regex at offset %zu: %s", (size_t)eoff, (char *)ebuf);
		fm_re_free(r);
		return NULL;
	}
	pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &cap);
	r->groups = (int)cap;
	r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
	r->mc = pcre2_match_context_create(NULL);
	if (!r->md || !r->mc) {
		snprintf(msg, msize, "out of memory");
		fm_re_free(r);
		return NULL;
	}
	pcre2_set_match_limit(r->mc, FM_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mc, FM_DEPTH_LIMIT);
	return r;
}

/*
 * Match r in s from start; 1 and the span of group g (or of the whole match
 * when g is 0 or unset), 0 no match or error (a bad UTF-8 subject is no match).
 */
static int fm_re_find(struct fm_re *r, const char *s, size_t len, size_t start, int g,
		      size_t *ms, size_t *me, size_t *mend)
{
	PCRE2_SIZE *ov;
	int rc;

	rc = pcre2_match(r->code, (PCRE2_SPTR)s, len, start, 0, r->md, r->mc);
	if (rc < 0)
		return 0;
	ov = pcre2_get_ovector_pointer(r->md);
	*mend = ov[1];
	if (g > 0 && g < rc && ov[2 * g] != PCRE2_UNSET) {
		*ms = ov[2 * g];
		*me = ov[2 * g + 1];
	} else {
		*ms = ov[0];
		*me = ov[1];
	}
	return 1;
}

int fm_type_parse(const char *s)
{
	static const char *const names[] = { "auto", "text", "int", "numeric", "money",
					     "double", "date", "bool", "tmk", "taxids",
					     "json", NULL };

	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

enum fm_type fm_type_for_column(const struct rec_entity *e, int col)
{
	const char *n = e->cols[col].name, *t = e->cols[col].pgtype;

	if (!strcmp(n, "tmk"))
		return FM_TMK;
	if (!strcmp(n, "tat_ids") || !strcmp(n, "ge_ids"))
		return FM_TAXIDS;
	if (!strcmp(t, "bigint") || !strcmp(t, "integer") || !strcmp(t, "smallint"))
		return FM_INT;
	if (!strcmp(t, "numeric"))
		return strstr(n, "price") || strstr(n, "value") || strstr(n, "tax") ? FM_MONEY
										: FM_NUMERIC;
	if (!strcmp(t, "double precision"))
		return FM_DOUBLE;
	if (!strcmp(t, "date"))
		return FM_DATE;
	if (!strcmp(t, "boolean"))
		return FM_BOOL;
	if (!strcmp(t, "jsonb"))
		return FM_JSON;
	return FM_TEXT;
}

static int is_reserved(const char *key, const char *const *reserved)
{
	if (!strcmp(key, "required"))
		return 1;
	for (int i = 0; reserved && reserved[i]; i++)
		if (!strcmp(key, reserved[i]))
			return 1;
	return 0;
}

struct fm_field *fm_map_field(const struct fm_map *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->f[i].name, name))
			return &m->f[i];
	return NULL;
}

static struct fm_field *map_add(struct fm_map *m, const char *name, int col)
{
	struct fm_field *f, *nf;

	if ((f = fm_map_field(m, name)))
		return f;
	nf = realloc(m->f, (m->n + 1) * sizeof(*m->f));
	if (!nf)
		return NULL;
	m->f = nf;
	f = &m->f[m->n];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return NULL;
	f->col = col;
	f->type = FM_AUTO;
	m->n++;
	return f;
}

static int cfg_fail(struct mi_err *err, const struct mi_config *cfg, int line, const char *fmt,
		    const char *a, const char *b)
{
	char msg[300];

	snprintf(msg, sizeof(msg), fmt, a, b);
	return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: %s", cfg->path ? cfg->path : "config",
			  line, msg);
}

int fm_map_load(struct fm_map *m, const struct mi_config *cfg, const char *section,
		const struct rec_entity *e, const char *const *reserved, struct mi_err *err)
{
	const struct mi_config_entry *req = NULL;

	memset(m, 0, sizeof(*m));
	m->e = e;
	m->path = cfg->path;
	m->section = strdup(section);
	if (!m->section)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < cfg->n; i++) {
		const struct mi_config_entry *ce = &cfg->v[i];
		char name[128];
		const char *dot, *suffix = NULL;
		struct fm_field *f;
		int col;

		if (strcmp(ce->section, section))
			continue;
		if (!strcmp(ce->key, "required")) {
			req = ce;
			continue;
		}
		if (is_reserved(ce->key, reserved))
			continue;
		dot = strchr(ce->key, '.');
		if (dot) {
			suffix = dot + 1;
			snprintf(name, sizeof(name), "%.*s", (int)(dot - ce->key), ce->key);
		} else {
			snprintf(name, sizeof(name), "%s", ce->key);
		}
		col = rec_column_index(e, name);
		if (col < 0 || col <= REC_COL_SRC_PATH)
			return cfg_fail(err, cfg, ce->line, "unknown column '%s' for entity '%s'",
					name, e->name);
		if (suffix && strcmp(suffix, "regex") && strcmp(suffix, "type"))
			return cfg_fail(err, cfg, ce->line, "unknown key '%s' in section [%s]",
					ce->key, section);
		f = map_add(m, name, col);
		if (!f)
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		if (!suffix) {
			free(f->expr);
			f->expr = strdup(ce->value);
			if (!f->expr)
				return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			f->line = ce->line;
		} else if (!strcmp(suffix, "type")) {
			int t = fm_type_parse(ce->value);
			if (t < 0)
				return cfg_fail(err, cfg, ce->line, "unknown type '%s' for '%s'",
						ce->value, name);
			f->type = (enum fm_type)t;
		} else {
			char msg[200];
			fm_re_free(f->re);
			f->re = fm_re_compile(ce->value, msg, sizeof(msg));
			if (!f->re)
				return cfg_fail(err, cfg, ce->line, "%s in '%s'", msg, ce->key);
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		if (!m->f[i].expr)
			return cfg_fail(err, cfg, 0, "'%s' has options but no expression in [%s]",
					m->f[i].name, section);
		if (m->f[i].type == FM_AUTO)
			m->f[i].type = fm_type_for_column(e, m->f[i].col);
	}
	if (req) {
		const char *p = req->value;
		while (*p) {
			char name[128];
			size_t n = strcspn(p, ", \t");
			struct fm_field *f;

			if (n) {
				snprintf(name, sizeof(name), "%.*s", (int)n, p);
				f = fm_map_field(m, name);
				if (!f)
					return cfg_fail(err, cfg, req->line,
							"required column '%s' is not mapped in [%s]",
							name, section);
				f->required = 1;
			}
			p += n;
			p += strspn(p, ", \t");
		}
	}
	return 0;
}

void fm_map_release(struct fm_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->f[i].name);
		free(m->f[i].expr);
		fm_re_free(m->f[i].re);
		if (m->f[i].compiled && m->free_compiled)
			m->free_compiled(m->f[i].compiled);
	}
	free(m->f);
	free(m->section);
	memset(m, 0, sizeof(*m));
}

int fm_apply_regex(const struct fm_field *f, const char *s, size_t len, const char **out,
		   size_t *outlen)
{
	size_t ms, me, mend;

	if (!f->re) {
		*out = s;
		*outlen = len;
		return 1;
	}
	if (!fm_re_find(f->re, s, len, 0, 1, &ms, &me, &mend))
		return 0;
	*out = s + ms;
	*outlen = me - ms;
	return 1;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Copy s/len to buf (NUL-terminated) dropping the characters in drop; -1 if too long. */
static int squeeze(const char *s, size_t len, const char *drop, char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (strchr(drop, s[i]))
			continue;
		if (n + 1 >= size)
			return -1;
		buf[n++] = s[i];
	}
	buf[n] = '\0';
	return 0;
}

int fm_parse_int(const char *s, size_t len, long long *v)
{
	char buf[40], *end;
	double d;

	trim(&s, &len);
	if (!len || squeeze(s, len, ", ", buf, sizeof(buf)) < 0 || !buf[0])
		return -1;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	if (!*end && errno == 0)
		return 0;
	/* "3.0" from a float-typed source */
	d = strtod(buf, &end);
	if (*end || !isfinite(d) || d != floor(d) || fabs(d) > 9e15)
		return -1;
	*v = (long long)d;
	return 0;
}

int fm_parse_double(const char *s, size_t len, double *v)
{
	char buf[64], *end;

	trim(&s, &len);
	if (!len || squeeze(s, len, " ", buf, sizeof(buf)) < 0 || !buf[0])
		return -1;
	*v = strtod(buf, &end);
	return *end || !isfinite(*v) ? -1 : 0;
}

int fm_parse_money(const char *s, size_t len, long long *cents)
{
	int64_t c = 0;

	trim(&s, &len);
	/* currency words around the number: "USD 250", "250 USD", "US$250" */
	if (len >= 3 && (!strncasecmp(s, "USD", 3) || !strncasecmp(s, "US$", 3))) {
		s += 3;
		len -= 3;
	}
	if (len >= 3 && !strncasecmp(s + len - 3, "USD", 3))
		len -= 3;
	trim(&s, &len);
	if (!len || value_money(s, len, &c) != 1)
		return -1;
	*cents = (long long)c;
	return 0;
}

int fm_parse_date(const char *s, size_t len, char out[11])
{
	struct value_date d;

	if (value_date(s, len, &d) != 1)
		return -1;
	value_date_format(&d, out, 11);
	return 0;
}

int fm_parse_bool(const char *s, size_t len, int *v)
{
	/* what calendars and feeds write besides t/f, yes/no, 1/0 */
	static const char *const yes[] = { "available", "on", "open", NULL };
	static const char *const no[] = { "unavailable", "off", "blocked", "booked", "closed",
					  NULL };
	enum value_tri t;
	char buf[16];

	if (value_bool(s, len, &t) == 1) {
		*v = t == VALUE_TRUE;
		return 0;
	}
	trim(&s, &len);
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (int i = 0; yes[i]; i++)
		if (!strcasecmp(buf, yes[i]))
			return (*v = 1), 0;
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(buf, no[i]))
			return (*v = 0), 0;
	return -1;
}

int fm_set_coord(struct rec_row *row, int col, double v)
{
	char buf[48];
	int n = snprintf(buf, sizeof(buf), "%.7f", v);

	while (n > 1 && buf[n - 1] == '0')
		n--;
	if (n > 1 && buf[n - 1] == '.')
		n--;
	return rec_set(row, col, buf, (size_t)n);
}

int fm_add_clean_text(struct strbuf *sb, const char *s, size_t len)
{
	int space = 0, any = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		/* U+00A0 (no-break space) counts as a space too */
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
			i++;
			c = ' ';
		}
		if (isspace(c)) {
			space = 1;
			continue;
		}
		if (space && any && strbuf_addch(sb, ' ') < 0)
			return -1;
		space = 0;
		any = 1;
		if (strbuf_addch(sb, c) < 0)
			return -1;
	}
	return 0;
}

int fm_json_quote(struct strbuf *sb, const char *s, size_t len)
{
	if (strbuf_addch(sb, '"') < 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;
		if (c == '"' || c == '\\')
			rc = strbuf_addch(sb, '\\') < 0 ? -1 : strbuf_addch(sb, c);
		else if (c < 0x20)
			rc = strbuf_addf(sb, "\\u%04x", c);
		else
			rc = strbuf_addch(sb, c);
		if (rc < 0)
			return -1;
	}
	return strbuf_addch(sb, '"');
}

static int set_tmk(struct rec_row *row, int col, const char *s, size_t len,
		   const struct fm_opts *o, char *reason, size_t rsize)
{
	struct tmk_opts to = { 0 };
	struct tmk t, list[TMK_MAX_LIST];
	enum tmk_reason why = TMK_OK;
	char flags[200];
	int fcol;

	to.county_hint = o ? o->county : 0;
	if (tmk_parse(s, len, &to, &t, &why) < 0) {
		if (why != TMK_E_TOO_MANY ||
		    tmk_parse_list(s, len, &to, list, TMK_MAX_LIST, &why) < 1) {
			snprintf(reason, rsize, "bad tmk: %s", tmk_reason_str(why));
			return -1;
		}
		t = list[0]; /* a list: the first parcel, flagged "list" */
	}
	rec_set_str(row, col, t.tmk13);
	fcol = rec_column_index(row->e, "tmk_flags");
	if (fcol >= 0 && col == rec_column_index(row->e, "tmk")) {
		tmk_flags_format(t.flags, flags, sizeof(flags));
		rec_set_str(row, fcol, flags[0] ? flags : NULL);
	}
	return 0;
}

static int set_text(struct rec_row *row, int col, const char *s, size_t len, char *reason,
		    size_t rsize)
{
	struct strbuf sb;
	int rc;

	strbuf_init(&sb, 16u << 20);
	if (fm_add_clean_text(&sb, s, len) < 0) {
		strbuf_release(&sb);
		snprintf(reason, rsize, "value too long");
		return -1;
	}
	rc = rec_set(row, col, sb.len ? sb.buf : NULL, sb.len);
	strbuf_release(&sb);
	if (rc != REC_OK) {
		snprintf(reason, rsize, "%s", rec_set_strerror(rc));
		return -1;
	}
	return 0;
}

int fm_set_typed(struct rec_row *row, int col, enum fm_type t, const char *s, size_t len,
		 const struct fm_opts *o, char *reason, size_t rsize)
{
	long long ll;
	double d;
	char date[11];
	int b, rc = REC_OK;

	if (!s) {
		rec_set(row, col, NULL, 0);
		return 0;
	}
	if (t == FM_AUTO)
		t = fm_type_for_column(row->e, col);
	if (t != FM_JSON)
		trim(&s, &len);
	if (!len) {
		rec_set(row, col, NULL, 0);
		return 0;
	}
	if (t != FM_TEXT && t != FM_JSON && t != FM_TAXIDS && !rec_utf8_valid(s, len)) {
		snprintf(reason, rsize, "invalid utf-8");
		return -1;
	}
	switch (t) {
	case FM_AUTO:
	case FM_TEXT:
		return set_text(row, col, s, len, reason, rsize);
	case FM_INT:
		if (fm_parse_int(s, len, &ll) < 0)
			goto bad;
		rc = rec_set_int(row, col, ll);
		break;
	case FM_NUMERIC: {
		char buf[48], *end;
		if (squeeze(s, len, "$, ", buf, sizeof(buf)) < 0 || !buf[0])
			goto bad;
		d = strtod(buf, &end);
		if (*end || !isfinite(d) || !strpbrk(buf, "0123456789") || strpbrk(buf, "eExXnN"))
			goto bad;
		rc = rec_set_str(row, col, buf);
		break;
	}
	case FM_MONEY:
		if (fm_parse_money(s, len, &ll) < 0)
			goto bad;
		rc = rec_set_cents(row, col, ll);
		break;
	case FM_DOUBLE:
		if (fm_parse_double(s, len, &d) < 0)
			goto bad;
		rc = fm_set_coord(row, col, d);
		break;
	case FM_DATE: {
		struct value_date vd;
		int vr = value_date(s, len, &vd);
		if (vr < 0)
			goto bad;
		if (vr == 0) { /* a placeholder such as 1900/01/01: unknown */
			rec_set(row, col, NULL, 0);
			return 0;
		}
		value_date_format(&vd, date, sizeof(date));
		rc = rec_set(row, col, date, 10);
		break;
	}
	case FM_BOOL:
		if (fm_parse_bool(s, len, &b) < 0)
			goto bad;
		rc = rec_set_bool(row, col, b);
		break;
	case FM_TMK:
		return set_tmk(row, col, s, len, o, reason, rsize);
	case FM_TAXIDS: {
		struct strbuf ta, ge;
		const char *name = row->e->cols[col].name;
		strbuf_init(&ta, 1u << 16);
		strbuf_init(&ge, 1u << 16);
		fm_extract_ids(s, len, 0, &ta, &ge, NULL, NULL);
		if (!strcmp(name, "ge_ids"))
			rc = rec_set(row, col, ge.len ? ge.buf : NULL, ge.len);
		else
			rc = rec_set(row, col, ta.len ? ta.buf : NULL, ta.len);
		strbuf_release(&ta);
		strbuf_release(&ge);
		break;
	}
	case FM_JSON:
		rc = rec_set(row, col, s, len);
		break;
	}
	if (rc != REC_OK) {
		snprintf(reason, rsize, "%s", rec_set_strerror(rc));
		return -1;
	}
	return 0;
bad:
	snprintf(reason, rsize, "bad %s value",
		 t == FM_INT ? "integer" : t == FM_NUMERIC ? "number" : t == FM_MONEY ? "money"
		 : t == FM_DOUBLE ? "number" : t == FM_DATE ? "date" : "boolean");
	return -1;
}

int fm_set(struct rec_row *row, const struct fm_field *f, const char *s, size_t len,
	   const struct fm_opts *o, char *reason, size_t rsize)
{
	const char *v;
	size_t vlen;

	if (!s || !fm_apply_regex(f, s, len, &v, &vlen)) {
		rec_set(row, f->col, NULL, 0);
		return 0;
	}
	return fm_set_typed(row, f->col, f->type, v, vlen, o, reason, rsize);
}

/* ---- Hawaii ids in free text ---- */

/* Append id to a comma list unless already there. */
static int list_add(struct strbuf *sb, const char *id)
{
	size_t n = strlen(id);
	const char *p = sb->buf;

	while ((p = strstr(p, id))) {
		if ((p == sb->buf || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 0;
		p += n;
	}
	if (sb->len && strbuf_addch(sb, ',') < 0)
		return -1;
	return strbuf_addstr(sb, id);
}

#define FM_MAX_HITS 64

int fm_extract_ids(const char *s, size_t len, int county, struct strbuf *ta,
		   struct strbuf *ge, struct strbuf *permits, struct strbuf *tmks)
{
	struct taxid_hit hits[FM_MAX_HITS];
	struct tmk_opts to = { 0 };
	size_t n;
	int found = 0;

	to.county_hint = county;
	n = taxid_extract(s, len, &to, hits, FM_MAX_HITS);
	if (n > FM_MAX_HITS)
		n = FM_MAX_HITS;
	for (size_t i = 0; i < n; i++) {
		struct strbuf *dst = NULL;

		switch (hits[i].kind) {
		case TAXID_TA:
		case TAXID_TAX:
		case TAXID_W:
			dst = ta;
			break;
		case TAXID_GE:
			dst = ge;
			break;
		case TAXID_PERMIT:
		case TAXID_NUC:
			dst = permits;
			break;
		case TAXID_TMK:
			dst = tmks;
			break;
		case TAXID_TMK12:
			break; /* no county known: not a usable key */
		}
		if (dst && list_add(dst, hits[i].kind == TAXID_TMK ? hits[i].tmk.tmk13 : hits[i].id) == 0)
			found++;
	}
	return found;
}
