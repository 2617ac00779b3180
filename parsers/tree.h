/*
 * tree: what the tree formats (html-rules, html-jsonld, xml-feed,
 * json-reviews, json-calendar, geojson-parcels) share: reading a capped
 * input, finding a source's rules file, parsing HTML safely, and evaluating
 * an XPath to a clean string.
 *
 * Safety rules kept here in one place: HTML is parsed with
 * HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING from memory
 * after a size cap; a parse that libxml2 had to stop (nesting deeper than
 * 256, huge input) is reported, not silently half used; libxml2 never prints
 * (the thread's generic and structured error handlers are silenced).
 *
 * Ownership: returned documents are owned by the caller (xmlFreeDoc); text
 * goes into caller-owned strbufs.
 */
#ifndef MI_TREE_H
#define MI_TREE_H

#include "config.h"
#include "err.h"
#include "parser.h"
#include "strbuf.h"

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <stddef.h>
#include <stdio.h>

/* Default input caps (a page, an API page); rules may lower or raise them with max_bytes. */
#define TREE_HTML_MAX ((size_t)16 << 20)
/* json-c needs about 30 bytes of memory per byte of a record-dense page: 16 MiB -> ~500 MB */
#define TREE_JSON_MAX ((size_t)16 << 20)
/* JSON nesting accepted (json_tokener depth). */
#define TREE_JSON_DEPTH 64

/* Silence libxml2's own printing for this thread (idempotent). */
void tree_quiet(void);

/*
 * Read all of in into sb (replacing its content) up to cap bytes.  Returns 0,
 * or -1 with a reason ("input larger than 33554432 bytes", "read error: ...").
 */
int tree_slurp(FILE *in, struct strbuf *sb, size_t cap, char *reason, size_t rsize);

/*
 * The rules of ctx's source: ctx->rules when set, else
 * <config dir>/<subdir>/<source>.ini loaded into *own, where the config dir
 * is $MI_CONFIG_DIR, else "config" (the checkout), else MI_DATADIR/config.
 * *rules is set to the config to use.  Returns 0, or -1 with err set
 * (MI_EXIT_CONFIG) when there is no source or the file is bad.  *own must
 * be released by the caller (mi_config_release) in every case.
 */
int tree_rules(struct parse_ctx *ctx, const char *subdir, struct mi_config *own,
	       const struct mi_config **rules, struct mi_err *err);

/*
 * Parse an HTML page from memory.  Returns the document, or NULL with a
 * reason when libxml2 could not build one or had to stop early (the reason
 * then names the problem, e.g. "html parse stopped: Excessive depth in
 * document: 256 ...").
 */
htmlDocPtr tree_html_parse(const char *buf, size_t len, char *reason, size_t rsize);

/*
 * Whether a page that is UTF-8 by declaration (or by default) holds bytes
 * that are not UTF-8: libxml2 then reads the rest as ISO-8859-1, so the
 * text is a guess.  Returns 1 and a reason naming the first bad byte's
 * offset, else 0.
 */
int tree_html_bad_encoding(htmlDocPtr doc, const char *buf, size_t len, char *reason,
			   size_t rsize);

/*
 * Evaluate expr at node and append its string value to out, whitespace
 * collapsed: a node-set gives the text of its first node (attribute value,
 * element text), a string/number/boolean its XPath string.  Returns 1 when
 * there was a value (possibly empty), 0 when the node-set was empty or the
 * evaluation failed, -1 when out hit its cap.
 */
int tree_xpath_string(xmlXPathContextPtr xc, xmlXPathCompExprPtr expr, xmlNodePtr node,
		      struct strbuf *out);

/*
 * The visible text of a page: every text node under body (or the root) not
 * inside script, style, noscript or template, joined with spaces, appended
 * to out until its cap.
 */
void tree_visible_text(xmlDocPtr doc, struct strbuf *out);

/* The node's XPath-like location ("/html/body/div[3]"), into buf. */
void tree_node_path(xmlNodePtr node, char *buf, size_t size);

/* An excerpt of a node's serialized markup for a reject, into out (capped at 200 bytes). */
void tree_node_excerpt(xmlNodePtr node, struct strbuf *out);

/*
 * Fill the columns every tree format fills the same way when its rules do
 * not map them: platform (platform, else the source id), snapshot_date (the
 * context's), county (county, else the context's), and the matching keys
 * manager_key / owner_key (owner.h) and address_key (address.h) from
 * manager_name / owner_name / address.
 */
void tree_defaults(struct parse_ctx *ctx, const char *platform, int county,
		   struct rec_row *row);

/*
 * Fill unmapped id columns of row (tat_ids, ge_ids, str_permit, tmk) from
 * free text, when the entity has them.
 */
void tree_ids_from_text(struct rec_row *row, const char *text, size_t len, int county);

/* ---- attributes per element ---- */

/*
 * libxml2 checks each attribute of an element against the ones before it:
 * 200,000 attributes cost minutes of CPU.  The guard reads the markup
 * before libxml2 does (as a stream, or a page in memory) and blanks every
 * attribute past the limit (spaces; line ends kept, so lines and offsets do
 * not move), noting each element it cut.  The format then rejects the
 * record holding that element (xml-feed: by the element's ordinal among the
 * document's start tags; html-rules: by lines) or, outside any record, the
 * element alone.  Comments, CDATA, processing instructions and declarations
 * are skipped; in HTML, the content of script, style, textarea and title.
 */
struct tree_attr_hit {
	long long ordinal;  /* 1-based among the start tags */
	long line, end_line; /* where the start tag begins and ends */
	long long count;    /* attributes it had */
	char name[48];      /* its tag name (cut) */
	int used;           /* a record holding it was rejected for it */
};

struct tree_attr_guard {
	long long max;      /* 0: no limit */
	int html;
	int state, sub, blank, quote;
	long line, tag_line;
	long long count, ordinal;
	char name[48];
	size_t nlen;
	char raw[16];       /* html raw-text element whose end tag is awaited */
	struct tree_attr_hit *hit;
	size_t nhit, ahit, next; /* next: the first hit not yet used by the format */
};

void tree_attr_guard_init(struct tree_attr_guard *g, long long max, int html);
void tree_attr_guard_release(struct tree_attr_guard *g);
/* Read (and blank where needed) the next len bytes of the markup, in place. */
void tree_attr_guard_feed(struct tree_attr_guard *g, char *buf, size_t len);
/* The first hit within node's lines (html: the record node holding it), or NULL. */
struct tree_attr_hit *tree_attr_hit_in(struct tree_attr_guard *g, xmlNodePtr node);
/*
 * Reject every hit no record was rejected for (the element alone: its
 * line, the reason); -1 on a write error.
 */
int tree_attr_reject_rest(struct parse_ctx *ctx, struct tree_attr_guard *g, struct mi_err *err);
/* The reason for a hit ("element <x> at line 12 has 300 attributes, ..."), into buf. */
const char *tree_attr_hit_reason(const struct tree_attr_guard *g, const struct tree_attr_hit *h,
				 char *buf, size_t size);

/* ---- JSON (json-c) ---- */
struct json_object;

/*
 * Parse len bytes as one JSON value with a nesting limit of depth.  Returns
 * the value (the caller owns it: json_object_put), or NULL with a reason
 * ("bad json at byte 1234: unexpected character") and *err_off (may be
 * NULL) the byte offset where parsing stopped.  Trailing bytes other than
 * blanks after the value are an error; so is a value cut short.
 */
struct json_object *tree_json_parse(const char *buf, size_t len, int depth, char *reason,
				    size_t rsize, long long *err_off);

/*
 * Follow a path from o: keys separated by '.', array items as [n]; "[]" or
 * a key reached through an array takes the array's first item.  "" or "$"
 * is o itself.  Returns a borrowed value, or NULL when absent or JSON null.
 */
struct json_object *tree_json_get(struct json_object *o, const char *path);

/*
 * Append v's text to out: a string as is, a number or boolean in JSON form,
 * an object or array serialized compactly.  Returns 1 with a value, 0 for
 * NULL/absent, -1 when out hit its cap.
 */
int tree_json_text(struct json_object *v, struct strbuf *out);

#endif
