/*
 * xml-feed: XML listing and rate feeds, read as a stream with libxml2's
 * xmlTextReader (never a tree of the whole document), element names mapped
 * by a per-feed config (config/feeds/<source>.ini):
 *
 *   [feed]
 *   platform = islandfeed
 *   county = 2
 *
 *   [listings]                  ; an entity name, or "entity:label"
 *   record = property           ; element (local name) that is one record,
 *                               ; or an absolute path /feed/properties/property
 *   listing_id = @id            ; attribute of the record element
 *   name = name                 ; text of a child element
 *   city = address/city         ; a descendant by path
 *   currency = rates/@currency  ; a descendant's attribute
 *   ids_text = description      ; text searched for TAT/GE/permit ids and TMKs
 *   required = listing_id
 *
 *   [pricing]
 *   record = rate
 *   listing_id = /feed/property/@id  ; absolute: the last one seen in the
 *                               ; document, forgotten when its element closes
 *   stay_date = @date
 *
 * Safety: XML_PARSE_NONET, no entity substitution (no XML_PARSE_NOENT), no
 * DTD loading or defaulted attributes, XML_PARSE_HUGE off (libxml2's depth,
 * text-size and entity-amplification limits stay on).  A record holding an
 * entity reference is rejected (entities are never expanded); a document
 * libxml2 refuses (billion laughs, bad UTF-8, truncation) gives one reject
 * at the line it stopped, after the records read before it, and fails the
 * file (the rest of the document is missing).
 */
#include "exitcode.h"
#include "fieldmap.h"
#include "parser.h"
#include "tree.h"

#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define XF_VALUE_MAX ((size_t)1 << 20)
#define XF_MAX_FIELDS 64

static const char *const reserved[] = { "record", "ids_text", NULL };

struct xf_value {
	struct strbuf sb;
	int has;         /* a value was captured */
	int open_depth;  /* element depth collecting text, -1 none */
	int clear_depth; /* absolute fields: forget when an element at this depth ends */
};

struct xf_section {
	struct fm_map map;
	const char *record;      /* element name or absolute path (borrowed from config) */
	const char *ids_text;    /* relative element path, or NULL */
	struct xf_value v[XF_MAX_FIELDS + 1]; /* [map.n] is ids_text */
	int active;
	int rec_depth;
	size_t base_len;         /* length of the record element's path */
	long long line, offset, index;
	char *bad;               /* first problem of the record (static or NULL) */
	char badbuf[200];
};

struct xf {
	struct parse_ctx *ctx;
	const char *platform;
	long long county;
	struct xf_section *s;
	size_t ns;
	struct strbuf path;
	size_t plen[300];        /* path length at each depth */
	char errmsg[300];
	int errline;
	FILE *in;
	struct tree_attr_guard ag; /* attributes per element, before libxml2 sees them */
	long long nelem;           /* start tags read, in document order */
	int open;                  /* elements open (not yet ended) */
};

static int xf_read(void *ctx, char *buf, int len)
{
	struct xf *x = ctx;
	size_t n = fread(buf, 1, (size_t)len, x->in);

	if (n == 0 && ferror(x->in))
		return -1;
	tree_attr_guard_feed(&x->ag, buf, n);
	return (int)n;
}

static void xf_error(void *arg, xmlErrorPtr e)
{
	struct xf *x = arg;
	size_t n;

	if (x->errmsg[0] || !e || (e->level != XML_ERR_FATAL && e->level != XML_ERR_ERROR))
		return;
	snprintf(x->errmsg, sizeof(x->errmsg), "%.*s",
		 e->message ? (int)strcspn(e->message, "\n") : 9, e->message ? e->message : "xml error");
	n = strlen(x->errmsg);
	while (n && (x->errmsg[n - 1] == '\n' || x->errmsg[n - 1] == ' '))
		x->errmsg[--n] = '\0';
	x->errline = e->line;
}

static void xf_release(struct xf *x)
{
	tree_attr_guard_release(&x->ag);
	for (size_t i = 0; i < x->ns; i++) {
		fm_map_release(&x->s[i].map);
		for (size_t k = 0; k <= XF_MAX_FIELDS; k++)
			strbuf_release(&x->s[i].v[k].sb);
	}
	free(x->s);
	strbuf_release(&x->path);
}

static int seen_section(const struct mi_config *cfg, size_t upto, const char *section)
{
	for (size_t j = 0; j < upto; j++)
		if (!strcmp(cfg->v[j].section, section))
			return 1;
	return 0;
}

static int xf_load(struct xf *x, const struct mi_config *cfg, struct mi_err *err)
{
	static const struct mi_config_key feed_keys[] = {
		{ "feed", "platform" }, { "feed", "county" }, { "*", "*" }, { NULL, NULL }
	};

	if (mi_config_check(cfg, feed_keys, err) < 0)
		return -1;
	x->platform = mi_config_str(cfg, "feed", "platform", NULL);
	if (mi_config_int(cfg, "feed", "county", 0, 4, 0, &x->county, err) < 0)
		return -1;
	for (size_t i = 0; i < cfg->n; i++) {
		const char *sec = cfg->v[i].section, *colon;
		const struct rec_entity *e;
		struct xf_section *s, *ns;
		char ename[64];

		if (!sec[0] || !strcmp(sec, "feed") || seen_section(cfg, i, sec))
			continue;
		colon = strchr(sec, ':');
		snprintf(ename, sizeof(ename), "%.*s", colon ? (int)(colon - sec) : (int)strlen(sec),
			 sec);
		e = rec_entity_find(ename);
		if (!e || e->id == REC_E_REJECTS)
			return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: unknown entity '%s' in [%s]",
					  cfg->path, cfg->v[i].line, ename, sec);
		ns = realloc(x->s, (x->ns + 1) * sizeof(*x->s));
		if (!ns)
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		x->s = ns;
		s = &x->s[x->ns++];
		memset(s, 0, sizeof(*s));
		for (size_t k = 0; k <= XF_MAX_FIELDS; k++) {
			strbuf_init(&s->v[k].sb, XF_VALUE_MAX);
			s->v[k].open_depth = s->v[k].clear_depth = -1;
		}
		if (fm_map_load(&s->map, cfg, sec, e, reserved, err) < 0)
			return -1;
		if (s->map.n > XF_MAX_FIELDS)
			return mi_err_set(err, MI_EXIT_CONFIG, "%s: too many fields in [%s]",
					  cfg->path, sec);
		if (mi_config_req(cfg, sec, "record", &s->record, err) < 0)
			return -1;
		s->ids_text = mi_config_str(cfg, sec, "ids_text", NULL);
	}
	if (!x->ns)
		return mi_err_set(err, MI_EXIT_CONFIG, "%s: no record sections", cfg->path);
	return 0;
}

/* Does the element path p (e.g. "/feed/property") match a record spec? */
static int record_match(const char *spec, const char *p, size_t plen)
{
	const char *last;

	if (spec[0] == '/')
		return strlen(spec) == plen && !memcmp(spec, p, plen);
	last = p + plen;
	while (last > p && last[-1] != '/')
		last--;
	return strlen(spec) == (size_t)(p + plen - last) && !memcmp(spec, last, strlen(spec));
}

static void set_value(struct xf_value *v, const char *s, size_t n)
{
	if (v->has)
		return; /* the first occurrence wins */
	strbuf_reset(&v->sb);
	v->sb.toobig = 0;
	strbuf_add(&v->sb, s, n);
	v->has = 1;
}

/* The expression of field k of s (ids_text for k == map.n). */
static const char *field_expr(const struct xf_section *s, size_t k)
{
	return k < s->map.n ? s->map.f[k].expr : s->ids_text;
}

static void start_record(struct xf *x, struct xf_section *s, xmlTextReaderPtr r, int depth)
{
	s->active = 1;
	s->rec_depth = depth;
	s->base_len = x->path.len;
	/* the node's own line; the parser's byte position runs ahead of the reader */
	s->line = xmlGetLineNo(xmlTextReaderCurrentNode(r));
	s->offset = -1;
	s->index++;
	s->bad = NULL;
	for (size_t k = 0; k <= s->map.n; k++) {
		const char *e = field_expr(s, k);
		if (e && e[0] == '/')
			continue; /* absolute values live across records */
		s->v[k].has = 0;
		s->v[k].open_depth = -1;
		strbuf_reset(&s->v[k].sb);
	}
}

/* An element starts: open the fields it is the target of. */
static void on_element(struct xf *x, xmlTextReaderPtr r, int depth)
{
	for (size_t i = 0; i < x->ns; i++) {
		struct xf_section *s = &x->s[i];
		const char *rel;

		if (!s->active && record_match(s->record, x->path.buf, x->path.len))
			start_record(x, s, r, depth);
		rel = s->active ? x->path.buf + s->base_len + (x->path.len > s->base_len) : NULL;
		for (size_t k = 0; k <= s->map.n; k++) {
			const char *e = field_expr(s, k);
			struct xf_value *v = &s->v[k];
			if (!e || strchr(e, '@') || v->has || v->open_depth >= 0)
				continue;
			if (e[0] == '/' ? !strcmp(e, x->path.buf) : (rel && !strcmp(e, rel))) {
				v->open_depth = depth;
				strbuf_reset(&v->sb);
				v->sb.toobig = 0;
				if (e[0] == '/')
					v->clear_depth = depth - 1;
			}
		}
	}
}

/* An attribute of the current element (path is the element's). */
static void on_attribute(struct xf *x, const char *name, const char *value, int depth)
{
	for (size_t i = 0; i < x->ns; i++) {
		struct xf_section *s = &x->s[i];
		const char *rel = s->active ? x->path.buf + s->base_len + (x->path.len > s->base_len)
					    : NULL;

		for (size_t k = 0; k <= s->map.n; k++) {
			const char *e = field_expr(s, k), *at;
			size_t elen;
			if (!e || !(at = strstr(e, "@")) || strcmp(at + 1, name))
				continue;
			elen = (size_t)(at - e); /* "rates/@x" -> "rates/" ; "@x" -> "" */
			if (e[0] == '/') {
				if (elen == x->path.len + 1 && !memcmp(e, x->path.buf, x->path.len) &&
				    e[elen - 1] == '/') {
					s->v[k].has = 0;
					set_value(&s->v[k], value, strlen(value));
					s->v[k].clear_depth = depth;
				}
			} else if (rel) {
				size_t rl = strlen(rel);
				if ((elen == 0 && rl == 0) ||
				    (elen == rl + 1 && !memcmp(e, rel, rl) && e[rl] == '/'))
					set_value(&s->v[k], value, strlen(value));
			}
		}
	}
}

static void on_text(struct xf *x, const char *t, size_t n)
{
	for (size_t i = 0; i < x->ns; i++) {
		struct xf_section *s = &x->s[i];
		for (size_t k = 0; k <= s->map.n; k++) {
			struct xf_value *v = &s->v[k];
			if (v->open_depth < 0)
				continue;
			if (strbuf_add(&v->sb, t, n) < 0 && s->active && !s->bad)
				snprintf(s->bad = s->badbuf, sizeof(s->badbuf), "value of '%s' too long",
					 k < s->map.n ? s->map.f[k].name : "ids_text");
		}
	}
}

static void on_entity(struct xf *x, const char *name)
{
	for (size_t i = 0; i < x->ns; i++) {
		struct xf_section *s = &x->s[i];
		if (s->active && !s->bad)
			snprintf(s->bad = s->badbuf, sizeof(s->badbuf),
				 "entity reference '&%s;' not expanded", name);
	}
}

/*
 * The element just read (the x->nelem-th) went over the attribute limit:
 * the innermost record holding it is rejected, or, outside any record, the
 * element alone.
 */
static int check_attributes(struct xf *x, struct mi_err *err)
{
	struct tree_attr_guard *g = &x->ag;
	char why[300];
	int held = 0;

	while (g->next < g->nhit && g->hit[g->next].ordinal < x->nelem)
		g->next++;
	if (g->next >= g->nhit || g->hit[g->next].ordinal != x->nelem)
		return 0;
	tree_attr_hit_reason(g, &g->hit[g->next], why, sizeof(why));
	{
		/* the innermost record holding it (a rate, not its property) */
		struct xf_section *in = NULL;
		for (size_t i = 0; i < x->ns; i++)
			if (x->s[i].active && (!in || x->s[i].rec_depth > in->rec_depth))
				in = &x->s[i];
		if (in && !in->bad) {
			snprintf(in->badbuf, sizeof(in->badbuf), "%s", why);
			in->bad = in->badbuf;
		}
		held = in != NULL;
	}
	g->hit[g->next].used = held;
	g->next++;
	if (held)
		return 0;
	parse_count(x->ctx);
	return parse_reject(x->ctx, g->hit[g->next - 1].line, -1, NULL, why, NULL, 0, err);
}

static int finish_record(struct xf *x, struct xf_section *s, struct mi_err *err)
{
	struct parse_ctx *ctx = x->ctx;
	struct fm_opts o = { (int)(x->county ? x->county : ctx->county) };
	struct rec_row row;
	char reason[256], why[320], path[600];
	int ret = 0;

	s->active = 0;
	parse_count(ctx);
	/* XPath of the n-th record element in document order */
	snprintf(path, sizeof(path), "(%.*s)[%lld]", (int)s->base_len, x->path.buf, s->index);
	if (s->bad) {
		snprintf(why, sizeof(why), "%s", s->bad);
		goto reject;
	}
	rec_row_init(&row, s->map.e, 0);
	for (size_t k = 0; k < s->map.n; k++) {
		const struct fm_field *f = &s->map.f[k];
		struct xf_value *v = &s->v[k];
		if (fm_set(&row, f, v->has ? v->sb.buf : NULL, v->sb.len, &o, reason,
			   sizeof(reason)) < 0) {
			snprintf(why, sizeof(why), "bad %s: %s", f->name, reason);
			rec_row_release(&row);
			goto reject;
		}
	}
	for (size_t k = 0; k < s->map.n; k++) {
		if (s->map.f[k].required && !row.set[s->map.f[k].col]) {
			snprintf(why, sizeof(why), "missing %s", s->map.f[k].name);
			rec_row_release(&row);
			goto reject;
		}
	}
	if (s->ids_text && s->v[s->map.n].has)
		tree_ids_from_text(&row, s->v[s->map.n].sb.buf, s->v[s->map.n].sb.len, o.county);
	tree_defaults(ctx, x->platform, (int)x->county, &row);
	if (parse_check_row(&row, why, sizeof(why))) {
		rec_row_release(&row);
		goto reject;
	}
	ret = parse_emit_checked(ctx, &row, s->line, s->offset, path, err);
	rec_row_release(&row);
	return ret;
reject: {
	/* the excerpt: the record's values as they were read */
	struct strbuf ex;
	strbuf_init(&ex, 4096);
	for (size_t k = 0; k < s->map.n && ex.len < 200; k++) {
		if (!s->v[k].has)
			continue;
		strbuf_addf(&ex, "%s%s=", ex.len ? " " : "", s->map.f[k].name);
		strbuf_add(&ex, s->v[k].sb.buf, s->v[k].sb.len > 80 ? 80 : s->v[k].sb.len);
	}
	ret = parse_reject(ctx, s->line, s->offset, path, why, ex.buf, ex.len, err);
	strbuf_release(&ex);
	return ret;
}
}

/* An element ends at depth: close fields, finish records, forget absolute values. */
static int on_end(struct xf *x, int depth, struct mi_err *err)
{
	for (size_t i = 0; i < x->ns; i++) {
		struct xf_section *s = &x->s[i];
		for (size_t k = 0; k <= s->map.n; k++) {
			struct xf_value *v = &s->v[k];
			if (v->open_depth == depth) {
				v->open_depth = -1;
				v->has = 1;
			}
		}
		if (s->active && s->rec_depth == depth && finish_record(x, s, err) < 0)
			return -1;
		for (size_t k = 0; k <= s->map.n; k++) {
			struct xf_value *v = &s->v[k];
			if (v->clear_depth == depth) {
				v->has = 0;
				v->clear_depth = -1;
				strbuf_reset(&v->sb);
			}
		}
	}
	return 0;
}

static int xml_feed_parse(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	struct mi_config own = MI_CONFIG_INIT;
	const struct mi_config *cfg;
	struct xf x;
	xmlTextReaderPtr r = NULL;
	long long before = ctx->emitted;
	int ret = -1, rc;

	memset(&x, 0, sizeof(x));
	x.ctx = ctx;
	x.in = in;
	tree_attr_guard_init(&x.ag, parse_max_attributes(ctx), 0);
	strbuf_init(&x.path, 64u << 10);
	tree_quiet();
	if (tree_rules(ctx, "feeds", &own, &cfg, err) < 0 || xf_load(&x, cfg, err) < 0)
		goto out;
	r = xmlReaderForIO(xf_read, NULL, &x, NULL, NULL,
			   XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
	if (!r) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(r, xf_error, &x);
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
		const char *name, *val;

		if (depth < 0 || depth >= (int)(sizeof(x.plen) / sizeof(x.plen[0])) - 1)
			continue; /* libxml2 stops at 256 levels itself */
		switch (type) {
		case XML_READER_TYPE_ELEMENT:
			x.nelem++;
			name = (const char *)xmlTextReaderConstLocalName(r);
			strbuf_setlen(&x.path, depth > 0 ? x.plen[depth - 1] : 0);
			if (strbuf_addch(&x.path, '/') < 0 || strbuf_addstr(&x.path, name) < 0)
				break;
			x.plen[depth] = x.path.len;
			on_element(&x, r, depth);
			if (check_attributes(&x, err) < 0)
				goto out;
			while (xmlTextReaderMoveToNextAttribute(r) == 1) {
				const char *an = (const char *)xmlTextReaderConstLocalName(r);
				val = (const char *)xmlTextReaderConstValue(r);
				if (an && val)
					on_attribute(&x, an, val, depth);
			}
			xmlTextReaderMoveToElement(r);
			if (!xmlTextReaderIsEmptyElement(r))
				x.open++;
			else if (on_end(&x, depth, err) < 0)
				goto out;
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			val = (const char *)xmlTextReaderConstValue(r);
			if (val)
				on_text(&x, val, strlen(val));
			break;
		case XML_READER_TYPE_ENTITY_REFERENCE:
			name = (const char *)xmlTextReaderConstName(r);
			on_entity(&x, name ? name : "?");
			break;
		case XML_READER_TYPE_END_ELEMENT:
			x.open--;
			if (on_end(&x, depth, err) < 0)
				goto out;
			strbuf_setlen(&x.path, depth > 0 ? x.plen[depth - 1] : 0);
			break;
		default:
			break;
		}
	}
	if (rc < 0) {
		/*
		 * The records before the error are kept, but the document is
		 * broken or cut short: its source fails (the rest of it is
		 * missing), it is not a night like the others.
		 */
		char why[400];
		parse_count(ctx);
		if (x.open > 0 && feof(in) && !ferror(in))
			snprintf(why, sizeof(why),
				 "xml document cut short at line %d: %d element%s left open "
				 "(libxml2: %s)", x.errline, x.open, x.open == 1 ? "" : "s",
				 x.errmsg[0] ? x.errmsg : "unreadable document");
		else
			snprintf(why, sizeof(why), "xml error at line %d: %s", x.errline,
				 x.errmsg[0] ? x.errmsg : "unreadable document");
		if (parse_reject(ctx, x.errline, xmlTextReaderByteConsumed(r), NULL, why, NULL, 0,
				 err) < 0)
			goto out;
		if (ctx->emitted > before)
			mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': %s (%lld records before it kept)",
				   ctx->file, why, ctx->emitted - before);
		else
			mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': %s", ctx->file, why);
		goto out;
	}
	ret = 0;
out:
	xmlFreeTextReader(r);
	xf_release(&x);
	mi_config_release(&own);
	return ret;
}

const struct parser parser_xml_feed = {
	"xml-feed",
	"XML listing and rate feeds, streamed, element names mapped in config/feeds/",
	"listings,pricing,properties,reviews",
	xml_feed_parse,
};
