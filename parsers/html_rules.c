/*
 * html-rules: HTML pages read by XPath rules from a per-site config file
 * (config/sites/<source>.ini): county parcel pages (qPublic-style owner,
 * parcel, sales history and assessment tables) and property-manager listing
 * cards.  A new site is a new rules file, never new C code.
 *
 *   [site]
 *   platform = example-pm      ; platform column when the entity has one
 *   county = 2                 ; TMK county hint
 *   max_bytes = 16777216       ; page size cap (the tree needs ~20x in memory)
 *
 *   [listings]                 ; an entity name, or "entity:label" for several
 *   xpath = //div[@class='card']   ; one record per matching node
 *   listing_id = @data-id          ; column = XPath relative to the node
 *   nightly_price = .//span[@class='rate']
 *   nightly_price.regex = \$([0-9,.]+)
 *   required = listing_id
 *   ids_text = .               ; text to find TAT/GE/permit ids and TMKs in
 *   min_records = 1            ; fewer on the page -> one reject (site drift)
 *
 * An XPath starting with "/" reads the whole page (e.g. the parcel's TMK for
 * every sales row); a string literal ('x') is a constant.
 */
#include "exitcode.h"
#include "fieldmap.h"
#include "parser.h"
#include "tree.h"

#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

static const char *const reserved[] = { "xpath", "ids_text", "min_records", NULL };

struct rule {
	struct fm_map map;
	const char *xpath_src;  /* borrowed from the config */
	xmlXPathCompExprPtr xpath;
	xmlXPathCompExprPtr ids_text;
	long long min_records;
};

struct site {
	const char *platform;
	long long county;
	long long max_bytes;
	struct rule *r;
	size_t n;
};

static void free_xpath(void *p)
{
	xmlXPathFreeCompExpr(p);
}

static int compile(const struct mi_config *cfg, const char *section, const char *key,
		   const char *expr, xmlXPathCompExprPtr *out, struct mi_err *err)
{
	const struct mi_config_entry *ce = mi_config_find(cfg, section, key);

	*out = xmlXPathCompile((const xmlChar *)expr);
	if (!*out)
		return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: bad xpath '%s' for '%s'",
				  cfg->path ? cfg->path : "config", ce ? ce->line : 0, expr, key);
	return 0;
}

static void site_release(struct site *s)
{
	for (size_t i = 0; i < s->n; i++) {
		fm_map_release(&s->r[i].map);
		xmlXPathFreeCompExpr(s->r[i].xpath);
		xmlXPathFreeCompExpr(s->r[i].ids_text);
	}
	free(s->r);
	memset(s, 0, sizeof(*s));
}

static int seen_section(const struct mi_config *cfg, size_t upto, const char *section)
{
	for (size_t j = 0; j < upto; j++)
		if (!strcmp(cfg->v[j].section, section))
			return 1;
	return 0;
}

static int site_load(struct site *s, const struct mi_config *cfg, struct mi_err *err)
{
	static const struct mi_config_key site_keys[] = {
		{ "site", "platform" }, { "site", "county" }, { "site", "max_bytes" },
		{ "*", "*" }, { NULL, NULL }
	};

	memset(s, 0, sizeof(*s));
	if (mi_config_check(cfg, site_keys, err) < 0)
		return -1;
	s->platform = mi_config_str(cfg, "site", "platform", NULL);
	if (mi_config_int(cfg, "site", "county", 0, 4, 0, &s->county, err) < 0 ||
	    mi_config_int(cfg, "site", "max_bytes", 1024, (long long)1 << 31,
			  (long long)TREE_HTML_MAX, &s->max_bytes, err) < 0)
		return -1;
	for (size_t i = 0; i < cfg->n; i++) {
		const char *sec = cfg->v[i].section, *colon;
		const struct rec_entity *e;
		const char *xp, *ids;
		char ename[64];
		struct rule *r, *nr;

		if (!sec[0] || !strcmp(sec, "site") || seen_section(cfg, i, sec))
			continue;
		colon = strchr(sec, ':');
		snprintf(ename, sizeof(ename), "%.*s", colon ? (int)(colon - sec) : (int)strlen(sec),
			 sec);
		e = rec_entity_find(ename);
		if (!e || e->id == REC_E_REJECTS)
			return mi_err_set(err, MI_EXIT_CONFIG, "%s:%d: unknown entity '%s' in [%s]",
					  cfg->path, cfg->v[i].line, ename, sec);
		nr = realloc(s->r, (s->n + 1) * sizeof(*s->r));
		if (!nr)
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		s->r = nr;
		r = &s->r[s->n++];
		memset(r, 0, sizeof(*r));
		if (fm_map_load(&r->map, cfg, sec, e, reserved, err) < 0)
			return -1;
		r->map.free_compiled = free_xpath;
		if (mi_config_req(cfg, sec, "xpath", &xp, err) < 0 ||
		    compile(cfg, sec, "xpath", xp, &r->xpath, err) < 0)
			return -1;
		r->xpath_src = xp;
		ids = mi_config_str(cfg, sec, "ids_text", NULL);
		if (ids && compile(cfg, sec, "ids_text", ids, &r->ids_text, err) < 0)
			return -1;
		if (mi_config_int(cfg, sec, "min_records", 0, 1000000, 0, &r->min_records, err) < 0)
			return -1;
		for (size_t k = 0; k < r->map.n; k++) {
			struct fm_field *f = &r->map.f[k];
			xmlXPathCompExprPtr c;
			if (compile(cfg, sec, f->name, f->expr, &c, err) < 0)
				return -1;
			f->compiled = c;
		}
	}
	if (!s->n)
		return mi_err_set(err, MI_EXIT_CONFIG, "%s: no record sections", cfg->path);
	return 0;
}

/* Fill unmapped id columns from the record's text. */
static void ids_from_text(const struct rule *r, xmlXPathContextPtr xc, xmlNodePtr node,
			  int county, struct rec_row *row)
{
	struct strbuf text;

	strbuf_init(&text, 1u << 20);
	tree_xpath_string(xc, r->ids_text, node, &text);
	tree_ids_from_text(row, text.buf, text.len, county);
	strbuf_release(&text);
}

/*
 * The record's location: "(<section xpath>)[k]", an XPath that selects it
 * again.  (xmlGetNodePath counts preceding siblings: quadratic on a page of
 * 100,000 cards.)
 */
static void record_path(const struct rule *r, int k, char *buf, size_t size)
{
	snprintf(buf, size, "(%s)[%d]", r->xpath_src, k + 1);
}

static int reject_node(struct parse_ctx *ctx, const struct rule *r, int k, xmlNodePtr node,
		       const char *reason, struct mi_err *err)
{
	char path[600];
	struct strbuf ex;
	int rc;

	strbuf_init(&ex, 4096);
	record_path(r, k, path, sizeof(path));
	tree_node_excerpt(node, &ex);
	rc = parse_reject(ctx, xmlGetLineNo(node), -1, path, reason, ex.buf, ex.len, err);
	strbuf_release(&ex);
	return rc;
}

/* A field that reads the page, not the record: evaluated once per page. */
static int page_level(const struct fm_field *f)
{
	return f->expr[0] == '/' || f->expr[0] == '\'';
}

static int one_record(struct parse_ctx *ctx, const struct site *s, const struct rule *r,
		      xmlXPathContextPtr xc, xmlNodePtr node, int idx, struct rec_row *row,
		      struct strbuf *val, struct strbuf *page_vals, const int *page_got,
		      struct tree_attr_guard *ag, struct mi_err *err)
{
	struct fm_opts o = { (int)(s->county ? s->county : ctx->county) };
	char reason[256], why[300], path[600];
	struct tree_attr_hit *hit;

	parse_count(ctx);
	rec_row_clear(row);
	if ((hit = tree_attr_hit_in(ag, node)) != NULL) {
		/* an element of the record went over the attribute limit */
		hit->used = 1;
		return reject_node(ctx, r, idx, node, tree_attr_hit_reason(ag, hit, why, sizeof(why)),
				   err);
	}
	for (size_t k = 0; k < r->map.n; k++) {
		const struct fm_field *f = &r->map.f[k];
		const struct strbuf *v = val;
		int got;

		if (page_level(f)) {
			v = &page_vals[k];
			got = page_got[k];
		} else {
			strbuf_reset(val);
			val->toobig = 0;
			got = tree_xpath_string(xc, f->compiled, node, val);
		}
		if (got < 0) {
			snprintf(why, sizeof(why), "value of '%s' too long", f->name);
			return reject_node(ctx, r, idx, node, why, err);
		}
		if (fm_set(row, f, got ? v->buf : NULL, v->len, &o, reason, sizeof(reason)) < 0) {
			snprintf(why, sizeof(why), "bad %s: %s", f->name, reason);
			return reject_node(ctx, r, idx, node, why, err);
		}
	}
	if (r->ids_text)
		ids_from_text(r, xc, node, o.county, row);
	for (size_t k = 0; k < r->map.n; k++) {
		const struct fm_field *f = &r->map.f[k];
		if (f->required && !row->set[f->col]) {
			snprintf(why, sizeof(why), "missing %s", f->name);
			return reject_node(ctx, r, idx, node, why, err);
		}
	}
	tree_defaults(ctx, s->platform, (int)s->county, row);
	if (parse_check_row(row, why, sizeof(why)))
		return reject_node(ctx, r, idx, node, why, err);
	record_path(r, idx, path, sizeof(path));
	return parse_emit_checked(ctx, row, xmlGetLineNo(node), -1, path, err);
}

/* Does the page end with </html> (blanks and comments aside)? */
static int truncation_checked(const struct strbuf *page)
{
	size_t from = page->len > 4096 ? page->len - 4096 : 0;

	for (size_t i = page->len; i-- > from;)
		if (i + 7 <= page->len && !strncasecmp(page->buf + i, "</html>", 7))
			return 1;
	return 0;
}

static int html_rules_parse(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	struct mi_config own = MI_CONFIG_INIT;
	const struct mi_config *cfg;
	struct site s = { 0 };
	struct strbuf page = STRBUF_INIT, val;
	struct tree_attr_guard ag;
	struct rec_row row;
	htmlDocPtr doc = NULL;
	xmlXPathContextPtr xc = NULL;
	char reason[300];
	int ret = -1;

	strbuf_init(&val, 1u << 20);
	tree_attr_guard_init(&ag, parse_max_attributes(ctx), 1);
	tree_quiet();
	if (tree_rules(ctx, "sites", &own, &cfg, err) < 0 || site_load(&s, cfg, err) < 0)
		goto out;
	if (tree_slurp(in, &page, (size_t)s.max_bytes, reason, sizeof(reason)) < 0) {
		parse_count(ctx);
		parse_reject(ctx, 0, -1, NULL, reason, page.buf, page.len, err);
		mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': %s", ctx->file, reason);
		goto out;
	}
	tree_attr_guard_feed(&ag, page.buf, page.len);
	doc = tree_html_parse(page.buf, page.len, reason, sizeof(reason));
	if (!doc) {
		parse_count(ctx);
		if (parse_reject(ctx, 0, 0, NULL, reason, page.buf, page.len, err) == 0)
			mi_err_set(err, MI_EXIT_DATA, "cannot parse '%s': %s", ctx->file, reason);
		goto out;
	}
	if (tree_html_bad_encoding(doc, page.buf, page.len, reason, sizeof(reason))) {
		/* still use the page (names are mostly ASCII), but say its text is a guess */
		parse_count(ctx);
		if (parse_reject(ctx, 0, -1, NULL, reason, page.buf, page.len > 200 ? 200 : page.len,
				 err) < 0)
			goto out;
	}
	if (!truncation_checked(&page)) {
		/* still use the page, but say its end is missing: the last record may be partial */
		parse_count(ctx);
		if (parse_reject(ctx, 0, (long long)page.len, NULL,
				 "html page cut short: no closing </html> tag (last record may be partial)",
				 page.buf + (page.len > 120 ? page.len - 120 : 0),
				 page.len > 120 ? 120 : page.len, err) < 0)
			goto out;
	}
	xc = xmlXPathNewContext(doc);
	if (!xc) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < s.n; i++) {
		const struct rule *r = &s.r[i];
		xmlXPathObjectPtr set;
		struct strbuf *pv;
		int nr = 0, rc = 0, *pgot;

		xc->node = xmlDocGetRootElement(doc);
		set = xmlXPathCompiledEval(r->xpath, xc);
		if (set && set->type == XPATH_NODESET && set->nodesetval)
			nr = set->nodesetval->nodeNr;
		rec_row_init(&row, r->map.e, 0);
		pv = calloc(r->map.n + 1, sizeof(*pv));
		pgot = calloc(r->map.n + 1, sizeof(*pgot));
		if (!pv || !pgot) {
			free(pv);
			free(pgot);
			rec_row_release(&row);
			xmlXPathFreeObject(set);
			mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < r->map.n; k++) {
			strbuf_init(&pv[k], 1u << 20);
			if (nr && page_level(&r->map.f[k]))
				pgot[k] = tree_xpath_string(xc, r->map.f[k].compiled,
							    xmlDocGetRootElement(doc), &pv[k]);
		}
		for (int k = 0; k < nr && rc == 0; k++)
			rc = one_record(ctx, &s, r, xc, set->nodesetval->nodeTab[k], k, &row, &val, pv,
					pgot, &ag, err);
		for (size_t k = 0; k < r->map.n; k++)
			strbuf_release(&pv[k]);
		free(pv);
		free(pgot);
		rec_row_release(&row);
		if (rc < 0) {
			xmlXPathFreeObject(set);
			goto out;
		}
		xmlXPathFreeObject(set);
		if (nr < r->min_records) {
			char why[300];
			parse_count(ctx);
			snprintf(why, sizeof(why),
				 "[%s]: %d records found, at least %lld expected (site changed?)",
				 r->map.section, nr, r->min_records);
			if (parse_reject(ctx, 0, -1, NULL, why, page.buf,
					 page.len > 200 ? 200 : page.len, err) < 0)
				goto out;
		}
	}
	if (tree_attr_reject_rest(ctx, &ag, err) < 0)
		goto out;
	ret = 0;
out:
	tree_attr_guard_release(&ag);
	xmlXPathFreeContext(xc);
	xmlFreeDoc(doc);
	site_release(&s);
	mi_config_release(&own);
	strbuf_release(&page);
	strbuf_release(&val);
	return ret;
}

const struct parser parser_html_rules = {
	"html-rules",
	"HTML pages (county parcel pages, PM listing cards) by XPath rules in config/sites/",
	"properties,owners,sales,listings,reviews,pricing",
	html_rules_parse,
};
