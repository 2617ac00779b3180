#include "tree.h"
#include "paths.h"
#include "address.h"
#include "exitcode.h"
#include "fieldmap.h"
#include "owner.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "banned.h"

static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

void tree_quiet(void)
{
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
}

int tree_slurp(FILE *in, struct strbuf *sb, size_t cap, char *reason, size_t rsize)
{
	char buf[65536];
	size_t n;

	strbuf_release(sb);
	strbuf_init(sb, cap);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (strbuf_add(sb, buf, n) < 0) {
			snprintf(reason, rsize, "input larger than %zu bytes", cap);
			return -1;
		}
	}
	if (ferror(in)) {
		snprintf(reason, rsize, "read error: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int tree_rules(struct parse_ctx *ctx, const char *subdir, struct mi_config *own,
	       const struct mi_config **rules, struct mi_err *err)
{
	const char *dir = mi_path_configdir();
	char path[4096];

	*rules = NULL;
	if (ctx->rules) {
		*rules = ctx->rules;
		return 0;
	}
	if (!ctx->source || !ctx->source[0])
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "format '%s' needs rules: give --source naming config/%s/<source>.ini",
				  ctx->format, subdir);
	if (strchr(ctx->source, '/') || ctx->source[0] == '.')
		return mi_err_set(err, MI_EXIT_CONFIG, "bad source id '%s'", ctx->source);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s.ini", dir, subdir, ctx->source) >=
	    sizeof(path))
		return mi_err_set(err, MI_EXIT_CONFIG, "config path too long for source '%s'",
				  ctx->source);
	if (mi_config_load(own, path, err) < 0)
		return -1;
	*rules = own;
	return 0;
}

/* ---- attributes per element ---- */

enum {
	AG_TEXT, AG_LT, AG_NAME, AG_TAG, AG_ANAME, AG_AFTER, AG_EQ, AG_VAL, AG_UVAL,
	AG_BANG, AG_COMMENT, AG_CDATA, AG_PI, AG_DECL, AG_SKIPTAG, AG_RAW,
};

void tree_attr_guard_init(struct tree_attr_guard *g, long long max, int html)
{
	memset(g, 0, sizeof(*g));
	g->max = max;
	g->html = html;
	g->line = 1;
}

void tree_attr_guard_release(struct tree_attr_guard *g)
{
	free(g->hit);
	g->hit = NULL;
	g->nhit = g->ahit = g->next = 0;
}

const char *tree_attr_hit_reason(const struct tree_attr_guard *g, const struct tree_attr_hit *h,
				 char *buf, size_t size)
{
	snprintf(buf, size,
		 "element <%s> at line %ld has %lld attributes, more than the limit of %lld "
		 "(max_attributes): rejected",
		 h->name, h->line, h->count, g->max);
	return buf;
}

struct tree_attr_hit *tree_attr_hit_in(struct tree_attr_guard *g, xmlNodePtr node)
{
	long first, last;
	xmlNodePtr n = node;

	if (!g->nhit || !node)
		return NULL;
	first = xmlGetLineNo(node);
	while (n->last)
		n = n->last;
	last = xmlGetLineNo(n);
	if (last < first)
		last = first;
	for (size_t i = 0; i < g->nhit; i++)
		if (g->hit[i].end_line >= first && g->hit[i].line <= last)
			return &g->hit[i];
	return NULL;
}

int tree_attr_reject_rest(struct parse_ctx *ctx, struct tree_attr_guard *g, struct mi_err *err)
{
	char why[300];

	for (size_t i = 0; i < g->nhit; i++) {
		if (g->hit[i].used)
			continue;
		g->hit[i].used = 1;
		parse_count(ctx);
		if (parse_reject(ctx, g->hit[i].line, -1, NULL,
				 tree_attr_hit_reason(g, &g->hit[i], why, sizeof(why)), NULL, 0,
				 err) < 0)
			return -1;
	}
	return 0;
}

static int ag_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The start tag ends ('>' read): note it when it went over the limit. */
static void ag_tag_end(struct tree_attr_guard *g)
{
	static const char *const raw[] = { "script", "style", "textarea", "title", NULL };

	g->state = AG_TEXT;
	g->blank = 0;
	if (g->max && g->count > g->max) {
		if (g->nhit == g->ahit) {
			size_t na = g->ahit ? g->ahit * 2 : 8;
			struct tree_attr_hit *nh = realloc(g->hit, na * sizeof(*nh));
			if (nh) {
				g->hit = nh;
				g->ahit = na;
			}
		}
		if (g->nhit < g->ahit) {
			struct tree_attr_hit *h = &g->hit[g->nhit++];
			memset(h, 0, sizeof(*h)); /* the name's tail too: no stale heap bytes */
			h->ordinal = g->ordinal;
			h->line = g->tag_line;
			h->end_line = g->line;
			h->count = g->count;
			h->used = 0;
			memcpy(h->name, g->name, g->nlen);
			h->name[g->nlen] = '\0';
		}
	}
	if (g->html) {
		for (int i = 0; raw[i]; i++) {
			if (strlen(raw[i]) == g->nlen && !strncasecmp(raw[i], g->name, g->nlen)) {
				memcpy(g->raw, raw[i], g->nlen + 1);
				g->state = AG_RAW;
				g->sub = 0;
			}
		}
	}
}

/* An attribute starts at *c: count it, and blank it past the limit. */
static void ag_attr(struct tree_attr_guard *g, char *c)
{
	g->count++;
	g->blank = g->max && g->count > g->max;
	if (g->blank)
		*c = ' ';
	g->state = AG_ANAME;
}

void tree_attr_guard_feed(struct tree_attr_guard *g, char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char *c = &buf[i];
		unsigned char u = (unsigned char)*c;

		if (u == '\n')
			g->line++;
		switch (g->state) {
		case AG_TEXT: {
			/* the fast part: up to the next '<' */
			char *lt = memchr(c, '<', len - i);
			size_t stop = lt ? (size_t)(lt - buf) : len;
			for (size_t k = i + 1; k < stop; k++)
				g->line += buf[k] == '\n';
			i = stop;
			if (lt) {
				g->state = AG_LT;
				g->tag_line = g->line;
			}
			break;
		}
		case AG_LT:
			if (u == '!') {
				g->state = AG_BANG;
				g->sub = 0;
			} else if (u == '?') {
				g->state = AG_PI;
				g->sub = 0;
			} else if (u == '/') {
				g->state = AG_SKIPTAG;
			} else if (isalpha(u) || u == '_' || u == ':' || u >= 0x80) {
				g->state = AG_NAME;
				g->ordinal++;
				g->count = 0;
				g->blank = 0;
				g->name[0] = *c;
				g->nlen = 1;
			} else {
				g->state = AG_TEXT; /* "< " in sloppy HTML: text */
			}
			break;
		case AG_NAME:
			if (u == '>') {
				ag_tag_end(g);
			} else if (ag_space(u) || u == '/') {
				g->state = AG_TAG;
			} else if (g->nlen + 1 < sizeof(g->name)) {
				g->name[g->nlen++] = *c;
			}
			break;
		case AG_TAG:
			if (u == '>')
				ag_tag_end(g);
			else if (!ag_space(u) && u != '/')
				ag_attr(g, c);
			break;
		case AG_ANAME:
		case AG_AFTER:
			if (u == '>') {
				ag_tag_end(g);
			} else if (u == '=') {
				g->state = AG_EQ;
			} else if (ag_space(u)) {
				g->state = AG_AFTER;
			} else if (u == '/') {
				g->state = AG_TAG;
				g->blank = 0;
			} else if (g->state == AG_AFTER) {
				ag_attr(g, c); /* a new attribute without a value before it */
				break;
			}
			if (g->blank && u != '\n' && u != '\r' && u != '>')
				*c = ' ';
			break;
		case AG_EQ:
			if (u == '>') {
				ag_tag_end(g);
				break;
			}
			if (u == '"' || u == '\'') {
				g->quote = u;
				g->state = AG_VAL;
			} else if (!ag_space(u)) {
				g->state = AG_UVAL;
			}
			if (g->blank && u != '\n' && u != '\r')
				*c = ' ';
			break;
		case AG_VAL:
			if (u == g->quote)
				g->state = AG_TAG;
			if (g->blank && u != '\n' && u != '\r')
				*c = ' ';
			if (g->state == AG_TAG)
				g->blank = 0;
			break;
		case AG_UVAL:
			if (u == '>') {
				ag_tag_end(g);
				break;
			}
			if (ag_space(u)) {
				g->state = AG_TAG;
				g->blank = 0;
			} else if (g->blank) {
				*c = ' ';
			}
			break;
		case AG_BANG: /* after "<!": "--" a comment, "[CDATA[" a CDATA section */
			if (g->sub == 0 && (u == '-' || u == '[')) {
				g->quote = u;
				g->sub = 1;
				break;
			}
			if (g->sub > 0 && g->quote == '-' && u == '-') {
				g->state = AG_COMMENT;
				g->sub = g->quote = 0;
				break;
			}
			if (g->sub > 0 && g->quote == '[' && u == (unsigned char)"[CDATA["[g->sub]) {
				if (++g->sub == 7) {
					g->state = AG_CDATA;
					g->sub = g->quote = 0;
				}
				break;
			}
			/* else a declaration (<!DOCTYPE ...>): this byte is its first */
			g->state = AG_DECL;
			g->sub = g->quote = 0;
			i--;
			if (u == '\n')
				g->line--;
			break;
		case AG_COMMENT: /* until "-->" */
			if (u == '-')
				g->sub = g->sub < 2 ? g->sub + 1 : 2;
			else if (u == '>' && g->sub == 2)
				g->state = AG_TEXT;
			else
				g->sub = 0;
			break;
		case AG_CDATA: /* until "]]>" */
			if (u == ']')
				g->sub = g->sub < 2 ? g->sub + 1 : 2;
			else if (u == '>' && g->sub == 2)
				g->state = AG_TEXT;
			else
				g->sub = 0;
			break;
		case AG_PI: /* until "?>" */
			if (u == '>' && g->sub)
				g->state = AG_TEXT;
			g->sub = u == '?';
			break;
		case AG_DECL: /* <!DOCTYPE ... [ <!ENTITY x "..."> ] >: quotes and brackets */
			if (g->quote) {
				if (u == g->quote)
					g->quote = 0;
			} else if (u == '"' || u == '\'') {
				g->quote = u;
			} else if (u == '[') {
				g->sub++;
			} else if (u == ']' && g->sub > 0) {
				g->sub--;
			} else if (u == '>' && g->sub == 0) {
				g->state = AG_TEXT;
			}
			break;
		case AG_SKIPTAG:
			if (u == '>')
				g->state = AG_TEXT;
			break;
		case AG_RAW: { /* html: until "</name" */
			size_t rl = strlen(g->raw);
			if (g->sub == 0) {
				g->sub = u == '<';
			} else if (g->sub == 1) {
				g->sub = u == '/' ? 2 : u == '<';
			} else if ((size_t)g->sub - 2 < rl &&
				   tolower(u) == (unsigned char)g->raw[g->sub - 2]) {
				if ((size_t)++g->sub - 2 == rl) {
					g->state = AG_SKIPTAG;
					g->sub = 0;
				}
			} else {
				g->sub = u == '<';
			}
			break;
		}
		}
	}
}

htmlDocPtr tree_html_parse(const char *buf, size_t len, char *reason, size_t rsize)
{
	htmlParserCtxtPtr c;
	htmlDocPtr doc = NULL;

	tree_quiet();
	if (len > (size_t)INT32_MAX) {
		snprintf(reason, rsize, "input too large");
		return NULL;
	}
	c = htmlNewParserCtxt();
	if (!c) {
		snprintf(reason, rsize, "out of memory");
		return NULL;
	}
	doc = htmlCtxtReadMemory(c, buf, (int)len, NULL, NULL,
				 HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
					 HTML_PARSE_COMPACT);
	if (doc && c->disableSAX) {
		/* libxml2 gave up part way (depth, huge input): do not use half a page */
		const char *m = c->lastError.message ? c->lastError.message : "unknown error";
		size_t ml = strcspn(m, "\n");
		snprintf(reason, rsize, "html parse stopped at line %d: %.*s", c->lastError.line,
			 (int)ml, m);
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (!doc) {
		snprintf(reason, rsize, "not an html document");
	}
	htmlFreeParserCtxt(c);
	return doc;
}

/* Elements whose edges separate words: "<td>RD 1203<br>KIHEI</td>" is "RD 1203 KIHEI". */
static int breaks_words(const xmlChar *name)
{
	static const char *const b[] = { "br", "p", "div", "li", "td", "th", "tr", "h1", "h2",
					 "h3", "h4", "h5", "h6", "dd", "dt", "section", "table",
					 "ul", "ol", NULL };

	for (int i = 0; b[i]; i++)
		if (!xmlStrcasecmp(name, (const xmlChar *)b[i]))
			return 1;
	return 0;
}

/* The text under n, block edges as spaces, scripts and styles left out; -1 at the cap. */
static int node_text(xmlNodePtr top, struct strbuf *out)
{
	struct strbuf raw;
	xmlNodePtr n = top->children;
	int rc;

	strbuf_init(&raw, out->cap_limit ? out->cap_limit : (16u << 20));
	while (n) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
			if (strbuf_addstr(&raw, (const char *)n->content) < 0)
				break;
		} else if (n->type == XML_ELEMENT_NODE && breaks_words(n->name)) {
			strbuf_addch(&raw, ' ');
		}
		if (n->type == XML_ELEMENT_NODE && n->children &&
		    xmlStrcasecmp(n->name, (const xmlChar *)"script") &&
		    xmlStrcasecmp(n->name, (const xmlChar *)"style")) {
			n = n->children;
			continue;
		}
		while (n != top && !n->next) {
			n = n->parent;
			if (n != top && n->type == XML_ELEMENT_NODE && breaks_words(n->name))
				strbuf_addch(&raw, ' ');
		}
		if (n == top)
			break;
		n = n->next;
	}
	rc = raw.toobig ? -1 : fm_add_clean_text(out, raw.buf, raw.len);
	strbuf_release(&raw);
	return rc;
}

int tree_html_bad_encoding(htmlDocPtr doc, const char *buf, size_t len, char *reason,
			   size_t rsize)
{
	const char *enc = doc && doc->encoding ? (const char *)doc->encoding : NULL;
	size_t off = 0;

	if (enc && strcasecmp(enc, "utf-8") && strcasecmp(enc, "utf8"))
		return 0; /* declared otherwise and converted by libxml2 */
	if (rec_utf8_valid(buf, len))
		return 0;
	/* find the first bad sequence: grow a valid prefix */
	while (off < len) {
		size_t step = 1;
		unsigned char c = (unsigned char)buf[off];
		if (c >= 0xC0)
			step = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (off + step > len || !rec_utf8_valid(buf + off, step))
			break;
		off += step;
	}
	snprintf(reason, rsize,
		 "html page is not valid utf-8 (byte %zu): read as iso-8859-1, text may be garbled",
		 off);
	return 1;
}

int tree_xpath_string(xmlXPathContextPtr xc, xmlXPathCompExprPtr expr, xmlNodePtr node,
		      struct strbuf *out)
{
	xmlXPathObjectPtr o;
	xmlChar *s = NULL;
	int ret = 0;

	o = xmlXPathCompiledEval(expr, (xc->node = node, xc));
	if (!o)
		return 0;
	switch (o->type) {
	case XPATH_NODESET:
		if (o->nodesetval && o->nodesetval->nodeNr > 0) {
			xmlNodePtr n = o->nodesetval->nodeTab[0];
			if (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
			    n->type == XML_HTML_DOCUMENT_NODE) {
				ret = node_text(n, out) < 0 ? -1 : 1;
				xmlXPathFreeObject(o);
				return ret;
			}
			s = xmlNodeGetContent(n);
		}
		break;
	case XPATH_STRING:
	case XPATH_NUMBER:
	case XPATH_BOOLEAN:
		s = xmlXPathCastToString(o);
		break;
	default:
		break;
	}
	if (s) {
		ret = fm_add_clean_text(out, (const char *)s, strlen((const char *)s)) < 0 ? -1 : 1;
		xmlFree(s);
	}
	xmlXPathFreeObject(o);
	return ret;
}

static int hidden(const xmlChar *name)
{
	static const char *const h[] = { "script", "style", "noscript", "template", "head",
					 NULL };

	for (int i = 0; h[i]; i++)
		if (!xmlStrcasecmp(name, (const xmlChar *)h[i]))
			return 1;
	return 0;
}

void tree_visible_text(xmlDocPtr doc, struct strbuf *out)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n;

	if (!root)
		return;
	/* iterative walk: pages can nest deeply */
	n = root;
	while (n) {
		if (n->type == XML_TEXT_NODE && n->content) {
			if (out->len)
				strbuf_addch(out, ' ');
			if (fm_add_clean_text(out, (const char *)n->content,
					      strlen((const char *)n->content)) < 0)
				return;
		}
		if (n->type == XML_ELEMENT_NODE && n->children && !hidden(n->name)) {
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next)
			n = n->parent;
		if (!n || n == root)
			break;
		n = n->next;
	}
}

void tree_node_path(xmlNodePtr node, char *buf, size_t size)
{
	xmlChar *p = xmlGetNodePath(node);

	snprintf(buf, size, "%s", p ? (const char *)p : "");
	xmlFree(p);
}

void tree_node_excerpt(xmlNodePtr node, struct strbuf *out)
{
	xmlBufferPtr b = xmlBufferCreate();

	if (!b)
		return;
	if (node->doc && node->doc->type == XML_HTML_DOCUMENT_NODE)
		htmlNodeDump(b, node->doc, node);
	else
		xmlNodeDump(b, node->doc, node, 0, 0);
	strbuf_add(out, xmlBufferContent(b),
		   (size_t)xmlBufferLength(b) > 200 ? 200 : (size_t)xmlBufferLength(b));
	xmlBufferFree(b);
}

struct json_object *tree_json_parse(const char *buf, size_t len, int depth, char *reason,
				    size_t rsize, long long *err_off)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	enum json_tokener_error je;
	size_t used, rest;

	if (err_off)
		*err_off = -1;
	if (len > (size_t)INT32_MAX) {
		snprintf(reason, rsize, "json too large");
		return NULL;
	}
	tok = json_tokener_new_ex(depth);
	if (!tok) {
		snprintf(reason, rsize, "out of memory");
		return NULL;
	}
#ifdef JSON_TOKENER_VALIDATE_UTF8
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
#endif
	o = json_tokener_parse_ex(tok, buf, (int)len);
	je = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	if (!o && je == json_tokener_continue) {
		snprintf(reason, rsize, "json cut short at byte %zu", len);
		if (err_off)
			*err_off = (long long)len;
	} else if (!o || je != json_tokener_success) {
		snprintf(reason, rsize, "bad json at byte %zu: %s", used,
			 json_tokener_error_desc(je));
		if (err_off)
			*err_off = (long long)used;
		json_object_put(o);
		o = NULL;
	} else {
		for (rest = used; rest < len && isspace((unsigned char)buf[rest]); rest++)
			;
		if (rest < len) {
			snprintf(reason, rsize, "bad json at byte %zu: trailing data", rest);
			if (err_off)
				*err_off = (long long)rest;
			json_object_put(o);
			o = NULL;
		}
	}
	json_tokener_free(tok);
	return o;
}

struct json_object *tree_json_get(struct json_object *o, const char *path)
{
	const char *p = path;

	if (*p == '$')
		p++;
	if (*p == '.')
		p++;
	while (o && *p) {
		char key[128];
		size_t n;

		if (*p == '[') {
			char *end;
			long idx = 0;
			if (p[1] == ']') {
				end = (char *)p + 1;
			} else {
				idx = strtol(p + 1, &end, 10);
				if (*end != ']' || idx < 0)
					return NULL;
			}
			if (!json_object_is_type(o, json_type_array) ||
			    (size_t)idx >= json_object_array_length(o))
				return NULL;
			o = json_object_array_get_idx(o, (size_t)idx);
			p = end + 1;
			if (*p == '.')
				p++;
			continue;
		}
		n = strcspn(p, ".[");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		p += n;
		if (*p == '.')
			p++;
		/* a key through an array: its first item */
		while (json_object_is_type(o, json_type_array))
			o = json_object_array_length(o) ? json_object_array_get_idx(o, 0) : NULL;
		if (!o || !json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o))
			return NULL;
	}
	if (o && json_object_is_type(o, json_type_null))
		return NULL;
	return o;
}

int tree_json_text(struct json_object *v, struct strbuf *out)
{
	const char *s;
	size_t n;

	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
	} else {
		s = json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	}
	return strbuf_add(out, s, n) < 0 ? -1 : 1;
}

/* Derive key column kc from the value of column vc with fn (owner_key, addr_key). */
static void derive_key(struct rec_row *row, const char *vname, const char *kname,
		       int (*fn)(const char *, size_t, char *, size_t))
{
	int vc = rec_column_index(row->e, vname), kc = rec_column_index(row->e, kname);
	char key[256];
	int kl;

	if (vc < 0 || kc < 0 || !row->set[vc] || row->set[kc])
		return;
	/* the stored value is COPY-escaped; names and addresses hold no TAB or backslash */
	kl = fn(row->data.buf + row->start[vc], row->len[vc], key, sizeof(key));
	if (kl > 0 && (size_t)kl < sizeof(key))
		rec_set(row, kc, key, (size_t)kl);
}

void tree_defaults(struct parse_ctx *ctx, const char *platform, int county,
		   struct rec_row *row)
{
	const struct rec_entity *e = row->e;
	int c;

	derive_key(row, "manager_name", "manager_key", owner_key);
	derive_key(row, "owner_name", "owner_key", owner_key);
	derive_key(row, "address", "address_key", addr_key);

	if ((c = rec_column_index(e, "platform")) >= 0 && !row->set[c])
		rec_set_str(row, c, platform ? platform : ctx->source ? ctx->source : ctx->format);
	if ((c = rec_column_index(e, "snapshot_date")) >= 0 && !row->set[c] &&
	    ctx->snapshot_date)
		rec_set_str(row, c, ctx->snapshot_date);
	if (!county)
		county = ctx->county;
	if ((c = rec_column_index(e, "county")) >= 0 && !row->set[c] && county)
		rec_set_int(row, c, county);
}

void tree_ids_from_text(struct rec_row *row, const char *text, size_t len, int county)
{
	const struct rec_entity *e = row->e;
	struct strbuf ta, ge, permit, tmks;
	int ct = rec_column_index(e, "tat_ids"), cg = rec_column_index(e, "ge_ids"),
	    cp = rec_column_index(e, "str_permit"), ck = rec_column_index(e, "tmk");

	strbuf_init(&ta, 4096);
	strbuf_init(&ge, 4096);
	strbuf_init(&permit, 4096);
	strbuf_init(&tmks, 4096);
	fm_extract_ids(text, len, county, &ta, &ge, &permit, &tmks);
	if (ct >= 0 && !row->set[ct] && ta.len)
		rec_set(row, ct, ta.buf, ta.len);
	if (cg >= 0 && !row->set[cg] && ge.len)
		rec_set(row, cg, ge.buf, ge.len);
	if (cp >= 0 && !row->set[cp] && permit.len)
		rec_set(row, cp, permit.buf, permit.len);
	if (ck >= 0 && !row->set[ck] && tmks.len) {
		char reason[128];
		struct fm_opts o = { county };
		fm_set_typed(row, ck, FM_TMK, tmks.buf, strcspn(tmks.buf, ","), &o, reason,
			     sizeof(reason));
	}
	strbuf_release(&ta);
	strbuf_release(&ge);
	strbuf_release(&permit);
	strbuf_release(&tmks);
}
