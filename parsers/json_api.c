#include "json_api.h"
#include "exitcode.h"
#include "fieldmap.h"
#include "tree.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const reserved[] = { "pairs", "only", NULL };

struct api {
	struct parse_ctx *ctx;
	const char *platform, *records, *status, *status_ok;
	long long max_bytes, county;
	struct fm_map map;
	char pair_key[64], pair_val[64];
	char only_path[128], only_value[128];
	struct json_object *root;
	struct rec_row row;
	struct strbuf val;
};

static int api_load(struct api *a, const struct mi_config *cfg, const struct rec_entity *e,
		    struct mi_err *err)
{
	static const struct mi_config_key keys[] = {
		{ "api", "platform" }, { "api", "records" }, { "api", "status" },
		{ "api", "status_ok" }, { "api", "max_bytes" }, { "api", "county" },
		{ "reviews", "*" }, { "pricing", "*" }, { "listings", "*" }, { NULL, NULL }
	};
	const char *p;

	if (mi_config_check(cfg, keys, err) < 0)
		return -1;
	a->platform = mi_config_str(cfg, "api", "platform", NULL);
	a->status = mi_config_str(cfg, "api", "status", NULL);
	a->status_ok = mi_config_str(cfg, "api", "status_ok", NULL);
	if (mi_config_req(cfg, "api", "records", &a->records, err) < 0 ||
	    mi_config_int(cfg, "api", "max_bytes", 1024, (long long)1 << 31,
			  (long long)TREE_JSON_MAX, &a->max_bytes, err) < 0 ||
	    mi_config_int(cfg, "api", "county", 0, 4, 0, &a->county, err) < 0)
		return -1;
	if (fm_map_load(&a->map, cfg, e->name, e, reserved, err) < 0)
		return -1;
	if (!a->map.n)
		return mi_err_set(err, MI_EXIT_CONFIG, "%s: no [%s] section (field paths)",
				  cfg->path, e->name);
	if ((p = mi_config_str(cfg, e->name, "pairs", NULL)) &&
	    sscanf(p, " %63[^, ] , %63[^, ]", a->pair_key, a->pair_val) != 2)
		return mi_err_set(err, MI_EXIT_CONFIG, "%s: [%s] pairs must be 'key, value'",
				  cfg->path, e->name);
	if ((p = mi_config_str(cfg, e->name, "only", NULL)) &&
	    sscanf(p, " %127[^: ] : %127[^\n]", a->only_path, a->only_value) != 2)
		return mi_err_set(err, MI_EXIT_CONFIG, "%s: [%s] only must be 'path: value'",
				  cfg->path, e->name);
	return 0;
}

/*
 * A JSON number written as a string ("4", " 4.5 ", "10.0"): 1 and the number
 * in JSON form in buf, else 0.
 */
static int json_number_text(const char *s, size_t len, char *buf, size_t size)
{
	char tmp[64], *end;
	double d;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof(tmp) || strspn(s, "0123456789.-+") != len)
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	d = strtod(tmp, &end);
	if (*end || !isfinite(d) || (tmp[0] == '.' || (tmp[0] == '-' && tmp[1] == '.')))
		return 0;
	snprintf(buf, size, "%.15g", d);
	return 1;
}

/* The value of a field expression for record rec: constant, root path or record path. */
static int field_text(struct api *a, const char *expr, struct json_object *rec,
		      struct strbuf *out, int pairs)
{
	struct json_object *v;
	size_t n = strlen(expr);

	strbuf_reset(out);
	out->toobig = 0;
	if (n >= 2 && expr[0] == '\'' && expr[n - 1] == '\'')
		return strbuf_add(out, expr + 1, n - 2) < 0 ? -1 : 1;
	v = expr[0] == '$' ? tree_json_get(a->root, expr) : tree_json_get(rec, expr);
	if (pairs && v && a->pair_key[0] && json_object_is_type(v, json_type_array)) {
		/* [{"category": "cleanliness", "rating": 10}, ...] -> {"cleanliness": 10} */
		size_t len = json_object_array_length(v);
		int any = 0;
		strbuf_addch(out, '{');
		for (size_t i = 0; i < len; i++) {
			struct json_object *it = json_object_array_get_idx(v, i), *k, *r;
			if (!json_object_object_get_ex(it, a->pair_key, &k) ||
			    !json_object_object_get_ex(it, a->pair_val, &r) ||
			    !json_object_is_type(k, json_type_string) || !r)
				continue; /* no name, or a null rating: not rated */
			if (any++)
				strbuf_addch(out, ',');
			fm_json_quote(out, json_object_get_string(k),
				      (size_t)json_object_get_string_len(k));
			strbuf_addch(out, ':');
			if (json_object_is_type(r, json_type_string)) {
				/* "4" is the number 4; another string stays a string (a reject) */
				const char *sv = json_object_get_string(r);
				size_t vl = (size_t)json_object_get_string_len(r);
				char num[64];
				if (json_number_text(sv, vl, num, sizeof(num)))
					strbuf_addstr(out, num);
				else
					fm_json_quote(out, sv, vl);
			} else {
				tree_json_text(r, out);
			}
		}
		strbuf_addch(out, '}');
		if (out->toobig)
			return -1;
		if (!any)
			strbuf_reset(out);
		return any ? 1 : 0;
	}
	if (pairs && v && json_object_is_type(v, json_type_string))
		return fm_json_quote(out, json_object_get_string(v),
				     (size_t)json_object_get_string_len(v)) < 0 ? -1 : 1;
	return tree_json_text(v, out);
}

static int reject_rec(struct api *a, const char *path, const char *why, struct json_object *rec,
		      struct mi_err *err)
{
	size_t n = 0;
	const char *s = rec ? json_object_to_json_string_length(rec, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE, &n)
			    : "";

	return parse_reject(a->ctx, 0, -1, path, why, s, n, err);
}

static int one_record(struct api *a, struct json_object *rec, const char *path,
		      struct mi_err *err)
{
	struct fm_opts o = { (int)(a->county ? a->county : a->ctx->county) };
	char reason[256], why[320];

	if (a->only_path[0]) {
		struct strbuf sb = STRBUF_INIT;
		int keep;
		tree_json_text(tree_json_get(rec, a->only_path), &sb);
		keep = sb.len == strlen(a->only_value) && !memcmp(sb.buf, a->only_value, sb.len);
		strbuf_release(&sb);
		if (!keep)
			return 0;
	}
	parse_count(a->ctx);
	if (!json_object_is_type(rec, json_type_object))
		return reject_rec(a, path, "record is not an object", rec, err);
	rec_row_clear(&a->row);
	for (size_t k = 0; k < a->map.n; k++) {
		const struct fm_field *f = &a->map.f[k];
		int got = field_text(a, f->expr, rec, &a->val, f->type == FM_JSON);
		if (got < 0) {
			snprintf(why, sizeof(why), "value of '%s' too long", f->name);
			return reject_rec(a, path, why, rec, err);
		}
		if (fm_set(&a->row, f, got ? a->val.buf : NULL, a->val.len, &o, reason,
			   sizeof(reason)) < 0) {
			snprintf(why, sizeof(why), "bad %s: %s", f->name, reason);
			return reject_rec(a, path, why, rec, err);
		}
	}
	for (size_t k = 0; k < a->map.n; k++) {
		if (a->map.f[k].required && !a->row.set[a->map.f[k].col]) {
			snprintf(why, sizeof(why), "missing %s", a->map.f[k].name);
			return reject_rec(a, path, why, rec, err);
		}
	}
	tree_defaults(a->ctx, a->platform, (int)a->county, &a->row);
	if (parse_check_row(&a->row, why, sizeof(why)))
		return reject_rec(a, path, why, rec, err);
	return parse_emit_checked(a->ctx, &a->row, 0, -1, path, err);
}

/* Walk "a[].b[].c": arrays marked [] are iterated, the last value's items are records. */
static int walk(struct api *a, struct json_object *o, const char *spec, struct strbuf *path,
		struct mi_err *err)
{
	const char *mark = strstr(spec, "[].");
	char seg[256];
	struct json_object *v;
	size_t keep = path->len;
	int ret = 0;

	snprintf(seg, sizeof(seg), "%.*s", mark ? (int)(mark - spec) : (int)strlen(spec), spec);
	v = tree_json_get(o, seg);
	if (seg[0] && strcmp(seg, "$"))
		strbuf_addf(path, ".%s", seg[0] == '$' ? seg + 2 : seg);
	if (!v) {
		ret = 0;
	} else if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n && ret == 0; i++) {
			size_t k = path->len;
			strbuf_addf(path, "[%zu]", i);
			if (mark)
				ret = walk(a, json_object_array_get_idx(v, i), mark + 3, path, err);
			else
				ret = one_record(a, json_object_array_get_idx(v, i), path->buf, err);
			strbuf_setlen(path, k);
		}
	} else if (!mark) {
		ret = one_record(a, v, path->buf, err); /* a single record object */
	}
	strbuf_setlen(path, keep);
	return ret;
}

int json_api_parse(struct parse_ctx *ctx, FILE *in, enum rec_entity_id eid, struct mi_err *err)
{
	struct mi_config own = MI_CONFIG_INIT;
	const struct mi_config *cfg;
	struct strbuf page = STRBUF_INIT, path;
	struct api a;
	char reason[300], why[400];
	long long off = -1;
	int ret = -1;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	rec_row_init(&a.row, &rec_entities[eid], 0);
	strbuf_init(&a.val, 4u << 20);
	strbuf_init(&path, 64u << 10);
	if (tree_rules(ctx, "apis", &own, &cfg, err) < 0 ||
	    api_load(&a, cfg, &rec_entities[eid], err) < 0)
		goto out;
	if (tree_slurp(in, &page, (size_t)a.max_bytes, reason, sizeof(reason)) < 0 ||
	    !(a.root = tree_json_parse(page.buf, page.len, TREE_JSON_DEPTH, reason, sizeof(reason),
				       &off))) {
		const char *ex = page.buf;
		size_t exl = page.len;
		if (off > 0 && (size_t)off <= page.len) {
			/* show the bytes where parsing stopped */
			size_t from = (size_t)off > 60 ? (size_t)off - 60 : 0;
			ex = page.buf + from;
			exl = page.len - from;
		}
		parse_count(ctx);
		if (parse_reject(ctx, 0, off, NULL, reason, ex, exl > 200 ? 200 : exl, err) == 0)
			mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': %s", ctx->file, reason);
		goto out;
	}
	if (a.status) {
		struct strbuf st = STRBUF_INIT;
		tree_json_text(tree_json_get(a.root, a.status), &st);
		if (!a.status_ok || st.len != strlen(a.status_ok) ||
		    memcmp(st.buf, a.status_ok, st.len)) {
			snprintf(why, sizeof(why), "api status '%.100s', not '%.100s'",
				 st.len ? st.buf : "(none)", a.status_ok ? a.status_ok : "");
			strbuf_release(&st);
			parse_count(ctx);
			if (parse_reject(ctx, 0, -1, "$", why, page.buf,
					 page.len > 200 ? 200 : page.len, err) == 0)
				mi_err_set(err, MI_EXIT_DATA, "cannot use '%s': %s", ctx->file, why);
			goto out;
		}
		strbuf_release(&st);
	}
	strbuf_addch(&path, '$');
	if (!tree_json_get(a.root, a.records) && strcmp(a.records, "$")) {
		snprintf(why, sizeof(why), "no records at '%s'", a.records);
		parse_count(ctx);
		if (parse_reject(ctx, 0, -1, "$", why, page.buf, page.len > 200 ? 200 : page.len,
				 err) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	if (walk(&a, a.root, a.records, &path, err) < 0)
		goto out;
	ret = 0;
out:
	json_object_put(a.root);
	fm_map_release(&a.map);
	rec_row_release(&a.row);
	strbuf_release(&a.val);
	strbuf_release(&path);
	strbuf_release(&page);
	mi_config_release(&own);
	return ret;
}
