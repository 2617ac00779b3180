/*
 * html-jsonld: listing pages read through their schema.org JSON-LD blocks
 * (<script type="application/ld+json">), with OpenGraph meta tags as the
 * fallback.  No rules file is needed: the vocabulary is the standard.
 *
 * Lodging nodes (VacationRental, LodgingBusiness, Accommodation, House,
 * Apartment, Hotel, ...) become listings; they may sit at the top of a block,
 * in an array, or under @graph, and @type may be a string or an array.  Their
 * unit details may be nested in containsPlace (occupancy.value or maxValue,
 * numberOfBedrooms ...).  Offer and AggregateRating nodes, nested or
 * standalone in the graph, fill price and rating; Review nodes become
 * reviews of the page's listing.  TMK, TAT/GE and permit ids come from the
 * identifier, the description and the visible text of the page.
 *
 * Rejects: a block that is not JSON (with its byte offset), a lodging node
 * without any id or URL, a page with neither JSON-LD lodging nor OpenGraph.
 */
#include "exitcode.h"
#include "fieldmap.h"
#include "parser.h"
#include "tree.h"

#include <json-c/json.h>
#include <libxml/xpathInternals.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

#define MAX_NODES 256

static const char *const lodging_types[] = {
	"VacationRental", "LodgingBusiness", "Accommodation", "House", "SingleFamilyResidence",
	"Apartment", "Suite", "Room", "HotelRoom", "Hotel", "Resort", "BedAndBreakfast",
	"Motel", "Hostel", "Residence", "ApartmentComplex", "GatedResidenceCommunity", NULL
};

struct page {
	struct parse_ctx *ctx;
	struct json_object *lodging[MAX_NODES];
	long lodging_line[MAX_NODES];
	size_t nlodging;
	struct json_object *offers[MAX_NODES], *ratings[MAX_NODES], *reviews[MAX_NODES];
	long review_line[MAX_NODES];
	size_t noffers, nratings, nreviews;
	struct strbuf visible;  /* the page's visible text */
	xmlXPathContextPtr xc;
	xmlDocPtr doc;
};

/* The first @type of o that is in list (or any @type when list is NULL). */
static const char *type_in(struct json_object *o, const char *const *list)
{
	struct json_object *t;
	size_t n = 1;

	if (!json_object_object_get_ex(o, "@type", &t))
		return NULL;
	if (json_object_is_type(t, json_type_array))
		n = json_object_array_length(t);
	for (size_t i = 0; i < n; i++) {
		struct json_object *ti = json_object_is_type(t, json_type_array)
						 ? json_object_array_get_idx(t, i)
						 : t;
		const char *s = json_object_get_string(ti), *slash;
		if (!s || !json_object_is_type(ti, json_type_string))
			continue;
		/* "https://schema.org/VacationRental" and "schema:House" too */
		slash = strrchr(s, '/');
		if (slash)
			s = slash + 1;
		else if ((slash = strrchr(s, ':')))
			s = slash + 1;
		if (!list)
			return s;
		for (int k = 0; list[k]; k++)
			if (!strcmp(s, list[k]))
				return list[k];
	}
	return NULL;
}

static int is_type(struct json_object *o, const char *name)
{
	const char *const one[] = { name, NULL };

	return type_in(o, one) != NULL;
}

/* Sort a block's nodes into the page's lists; depth bounds the walk. */
static void collect(struct page *pg, struct json_object *o, long line, int depth)
{
	struct json_object *g;

	if (!o || depth > 8)
		return;
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++)
			collect(pg, json_object_array_get_idx(o, i), line, depth + 1);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	if (json_object_object_get_ex(o, "@graph", &g))
		collect(pg, g, line, depth + 1);
	if (type_in(o, lodging_types)) {
		if (pg->nlodging < MAX_NODES) {
			pg->lodging_line[pg->nlodging] = line;
			pg->lodging[pg->nlodging++] = o;
		}
	} else if (is_type(o, "Offer") || is_type(o, "AggregateOffer")) {
		if (pg->noffers < MAX_NODES)
			pg->offers[pg->noffers++] = o;
	} else if (is_type(o, "AggregateRating")) {
		if (pg->nratings < MAX_NODES)
			pg->ratings[pg->nratings++] = o;
	} else if (is_type(o, "Review")) {
		if (pg->nreviews < MAX_NODES) {
			pg->review_line[pg->nreviews] = line;
			pg->reviews[pg->nreviews++] = o;
		}
	} else if (is_type(o, "Product") || is_type(o, "WebPage") || is_type(o, "ItemList")) {
		/* listings are sometimes wrapped: mainEntity, itemListElement[].item */
		struct json_object *m;
		if (json_object_object_get_ex(o, "mainEntity", &m))
			collect(pg, m, line, depth + 1);
		if (json_object_object_get_ex(o, "itemListElement", &m))
			collect(pg, m, line, depth + 1);
		if (json_object_object_get_ex(o, "item", &m))
			collect(pg, m, line, depth + 1);
	} else if (is_type(o, "ListItem")) {
		struct json_object *m;
		if (json_object_object_get_ex(o, "item", &m))
			collect(pg, m, line, depth + 1);
	}
}

/* A path's text into sb (reset first); 1 when non-empty. */
static int get_text(struct json_object *o, const char *path, struct strbuf *sb)
{
	strbuf_reset(sb);
	return tree_json_text(tree_json_get(o, path), sb) > 0 && sb->len > 0;
}

/* Set a column from the first of paths found in o (then in alt, e.g. containsPlace). */
static int set_from(struct rec_row *row, int col, enum fm_type t, struct json_object *o,
		    struct json_object *alt, const char *const *paths, struct strbuf *sb,
		    char *reason, size_t rsize)
{
	struct fm_opts fo = { 0 };

	for (int pass = 0; pass < 2; pass++) {
		struct json_object *src = pass ? alt : o;
		if (!src)
			continue;
		for (int i = 0; paths[i]; i++) {
			if (!get_text(src, paths[i], sb))
				continue;
			if (fm_set_typed(row, col, t, sb->buf, sb->len, &fo, reason, rsize) < 0)
				return -1;
			return 1;
		}
	}
	return 0;
}

/* identifier: a string, a number, a PropertyValue {propertyID, value}, or an array of them. */
static void identifiers(struct json_object *o, struct strbuf *first, struct strbuf *all,
			struct strbuf *tmk_hint)
{
	struct json_object *id;
	size_t n = 1;

	if (!json_object_object_get_ex(o, "identifier", &id) || !id)
		return;
	if (json_object_is_type(id, json_type_array))
		n = json_object_array_length(id);
	for (size_t i = 0; i < n && i < 16; i++) {
		struct json_object *it = json_object_is_type(id, json_type_array)
						 ? json_object_array_get_idx(id, i)
						 : id;
		struct strbuf v = STRBUF_INIT, pid = STRBUF_INIT;

		if (json_object_is_type(it, json_type_object)) {
			tree_json_text(tree_json_get(it, "value"), &v);
			tree_json_text(tree_json_get(it, "propertyID"), &pid);
			if (!pid.len)
				tree_json_text(tree_json_get(it, "name"), &pid);
		} else {
			tree_json_text(it, &v);
		}
		if (v.len) {
			if (!first->len && (!pid.len || !strcasestr(pid.buf, "tmk")))
				strbuf_add(first, v.buf, v.len);
			if (all->len)
				strbuf_addstr(all, "; ");
			if (pid.len)
				strbuf_addf(all, "%s: ", pid.buf);
			strbuf_add(all, v.buf, v.len);
			if (pid.len && (strcasestr(pid.buf, "tmk") || strcasestr(pid.buf, "tax map")))
				strbuf_add(tmk_hint, v.buf, v.len);
		}
		strbuf_release(&v);
		strbuf_release(&pid);
	}
}

static void og(struct page *pg, const char *prop, struct strbuf *out)
{
	char expr[160];
	xmlXPathCompExprPtr c;

	strbuf_reset(out);
	snprintf(expr, sizeof(expr), "string(//meta[@property='%s' or @name='%s']/@content)", prop,
		 prop);
	c = xmlXPathCompile((const xmlChar *)expr);
	if (!c)
		return;
	tree_xpath_string(pg->xc, c, xmlDocGetRootElement(pg->doc), out);
	xmlXPathFreeCompExpr(c);
}

static void sha_id(const char *prefix, const struct strbuf *in, struct strbuf *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(in->buf, in->len, md, &mdlen, EVP_sha256(), NULL);
	strbuf_addstr(out, prefix);
	for (unsigned i = 0; i < 8 && i < mdlen; i++)
		strbuf_addf(out, "%02x", md[i]);
}

/* Append the first value of paths found in o as a JSON member. */
static void extra_add(struct strbuf *ex, const char *key, struct json_object *v)
{
	const char *s;
	size_t n;

	if (!v)
		return;
	s = json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	strbuf_addch(ex, ex->len > 1 ? ',' : '{');
	fm_json_quote(ex, key, strlen(key));
	strbuf_addch(ex, ':');
	strbuf_add(ex, s, n);
}

static int reject_at(struct parse_ctx *ctx, long line, const char *path, const char *why,
		     struct json_object *o, struct mi_err *err)
{
	size_t n = 0;
	const char *s = o ? json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE, &n)
			  : "";

	return parse_reject(ctx, line, -1, path, why, s, n, err);
}

/* Fill ids (TAT, GE, permit, TMK) from text; tmk only when unset. */
static void ids(struct rec_row *row, const char *text, size_t len, int county)
{
	tree_ids_from_text(row, text, len, county);
}

static int emit_review(struct page *pg, struct json_object *rv, long line, const char *listing_id,
		       const char *platform, int k, struct mi_err *err)
{
	static const char *const p_date[] = { "datePublished", "dateCreated", NULL };
	static const char *const p_author[] = { "author.name", "author", NULL };
	static const char *const p_rating[] = { "reviewRating.ratingValue", NULL };
	static const char *const p_best[] = { "reviewRating.bestRating", NULL };
	static const char *const p_text[] = { "reviewBody", "description", NULL };
	static const char *const p_lang[] = { "inLanguage", NULL };
	struct rec_row row;
	struct strbuf sb, key;
	char reason[200], why[260], path[64];
	int ret = 0;

	parse_count(pg->ctx);
	rec_row_init(&row, &rec_entities[REC_E_REVIEWS], 0);
	strbuf_init(&sb, 1u << 20);
	strbuf_init(&key, 1u << 20);
	snprintf(path, sizeof(path), "$.review[%d]", k);
	rec_set_str(&row, REVIEWS_platform, platform);
	rec_set_str(&row, REVIEWS_listing_id, listing_id);
#define TRY(col, type, paths, what)                                                        \
	do {                                                                               \
		if (set_from(&row, col, type, rv, NULL, paths, &sb, reason, sizeof(reason)) < 0) { \
			snprintf(why, sizeof(why), "bad %s: %s", what, reason);              \
			ret = reject_at(pg->ctx, line, path, why, rv, err);                  \
			goto out;                                                          \
		}                                                                          \
	} while (0)
	TRY(REVIEWS_review_date, FM_DATE, p_date, "review date");
	TRY(REVIEWS_reviewer_name, FM_TEXT, p_author, "reviewer");
	TRY(REVIEWS_rating, FM_NUMERIC, p_rating, "rating");
	TRY(REVIEWS_text, FM_TEXT, p_text, "review text");
#undef TRY
	set_from(&row, REVIEWS_language, FM_TEXT, rv, NULL, p_lang, &sb, reason, sizeof(reason));
	if (row.set[REVIEWS_rating] &&
	    set_from(&row, REVIEWS_rating_scale, FM_NUMERIC, rv, NULL, p_best, &sb, reason,
		     sizeof(reason)) <= 0)
		rec_set_str(&row, REVIEWS_rating_scale, "5");
	if (!row.set[REVIEWS_text] && !row.set[REVIEWS_rating]) {
		ret = reject_at(pg->ctx, line, path, "review without text or rating", rv, err);
		goto out;
	}
	/* a stable id: the node's own, else a hash of what identifies the review */
	if (!get_text(rv, "@id", &sb) && !get_text(rv, "identifier", &sb) &&
	    !get_text(rv, "url", &sb)) {
		strbuf_addstr(&key, listing_id);
		for (int c = REVIEWS_review_date; c <= REVIEWS_text; c++) {
			strbuf_addch(&key, '|');
			if (row.set[c] && row.len[c])
				strbuf_add(&key, row.data.buf + row.start[c], row.len[c]);
		}
		strbuf_reset(&sb);
		sha_id("h:", &key, &sb);
	}
	rec_set(&row, REVIEWS_review_id, sb.buf, sb.len);
	ret = parse_emit(pg->ctx, &row, line, -1, path, err);
out:
	rec_row_release(&row);
	strbuf_release(&sb);
	strbuf_release(&key);
	return ret;
}

static int emit_listing(struct page *pg, struct json_object *o, long line, size_t index,
			struct mi_err *err)
{
	static const char *const p_name[] = { "name", NULL };
	static const char *const p_url[] = { "url", "@id", NULL };
	static const char *const p_street[] = { "address.streetAddress", "address", NULL };
	static const char *const p_city[] = { "address.addressLocality", NULL };
	static const char *const p_zip[] = { "address.postalCode", NULL };
	static const char *const p_lat[] = { "latitude", "geo.latitude", NULL };
	static const char *const p_lon[] = { "longitude", "geo.longitude", NULL };
	static const char *const p_bed[] = { "numberOfBedrooms", NULL };
	static const char *const p_bath[] = { "numberOfBathroomsTotal", "numberOfFullBathrooms",
					      NULL };
	static const char *const p_occ[] = { "occupancy.value", "occupancy.maxValue", NULL };
	static const char *const p_room[] = { "additionalType", NULL };
	static const char *const p_mgr[] = { "brand.name", "provider.name", "brand", NULL };
	static const char *const p_price[] = { "price", "lowPrice", "priceSpecification.price",
					       NULL };
	static const char *const p_cur[] = { "priceCurrency", "priceSpecification.priceCurrency",
					     NULL };
	static const char *const p_rating[] = { "ratingValue", NULL };
	static const char *const p_count[] = { "reviewCount", "ratingCount", NULL };
	struct parse_ctx *ctx = pg->ctx;
	struct json_object *place = tree_json_get(o, "containsPlace"), *v;
	struct json_object *offer = tree_json_get(o, "offers"), *rating = tree_json_get(o, "aggregateRating");
	const char *platform = ctx->source ? ctx->source : ctx->format, *t;
	struct rec_row row;
	struct strbuf sb, id, all, tmkh, text, ex;
	char reason[200], why[260], path[64];
	int county = ctx->county, ret = 0, rc = 0;

	parse_count(ctx);
	rec_row_init(&row, &rec_entities[REC_E_LISTINGS], 0);
	strbuf_init(&sb, 1u << 20);
	strbuf_init(&id, 4096);
	strbuf_init(&all, 1u << 16);
	strbuf_init(&tmkh, 4096);
	strbuf_init(&text, 4u << 20);
	strbuf_init(&ex, 1u << 16);
	snprintf(path, sizeof(path), "$.lodging[%zu]", index);
	if (place && json_object_is_type(place, json_type_array))
		place = json_object_array_length(place) ? json_object_array_get_idx(place, 0) : NULL;
	if (!offer && index == 0 && pg->noffers)
		offer = pg->offers[0];
	if (rating && !tree_json_get(rating, "ratingValue")) {
		/* a reference {"@id": "#rating"} to a node elsewhere in the graph */
		struct json_object *ref = tree_json_get(rating, "@id");
		rating = NULL;
		for (size_t i = 0; ref && i < pg->nratings && !rating; i++) {
			struct json_object *rid = tree_json_get(pg->ratings[i], "@id");
			if (rid && !strcmp(json_object_get_string(rid), json_object_get_string(ref)))
				rating = pg->ratings[i];
		}
	}
	if (!rating && index == 0 && pg->nratings)
		rating = pg->ratings[0];

	identifiers(o, &id, &all, &tmkh);
	if (!id.len)
		get_text(o, "url", &id);
	if (!id.len)
		get_text(o, "@id", &id);
	if (!id.len && index == 0) {
		og(pg, "og:url", &sb);
		strbuf_add(&id, sb.buf, sb.len);
	}
	if (!id.len) {
		ret = reject_at(ctx, line, path, "lodging node without identifier, @id or url", o, err);
		goto out;
	}
	if (rec_set(&row, LISTINGS_listing_id, id.buf, id.len) != REC_OK) {
		ret = reject_at(ctx, line, path, "bad listing id", o, err);
		goto out;
	}
	rec_set_str(&row, LISTINGS_platform, platform);
	if (ctx->snapshot_date)
		rec_set_str(&row, LISTINGS_snapshot_date, ctx->snapshot_date);
	if (county)
		rec_set_int(&row, LISTINGS_county, county);
	if (all.len)
		rec_set(&row, LISTINGS_license_raw, all.buf, all.len);
#define TRY(col, type, src, alt, paths, what)                                                \
	do {                                                                                 \
		if (set_from(&row, col, type, src, alt, paths, &sb, reason, sizeof(reason)) < 0) { \
			snprintf(why, sizeof(why), "bad %s: %s", what, reason);                \
			rc = -1;                                                             \
			goto bad;                                                            \
		}                                                                            \
	} while (0)
	TRY(LISTINGS_name, FM_TEXT, o, NULL, p_name, "name");
	TRY(LISTINGS_url, FM_TEXT, o, NULL, p_url, "url");
	TRY(LISTINGS_address, FM_TEXT, o, NULL, p_street, "address");
	TRY(LISTINGS_city, FM_TEXT, o, NULL, p_city, "city");
	TRY(LISTINGS_zip, FM_TEXT, o, NULL, p_zip, "postal code");
	TRY(LISTINGS_lat, FM_DOUBLE, o, NULL, p_lat, "latitude");
	TRY(LISTINGS_lon, FM_DOUBLE, o, NULL, p_lon, "longitude");
	TRY(LISTINGS_bedrooms, FM_INT, o, place, p_bed, "numberOfBedrooms");
	TRY(LISTINGS_bathrooms, FM_NUMERIC, o, place, p_bath, "numberOfBathroomsTotal");
	TRY(LISTINGS_accommodates, FM_INT, o, place, p_occ, "occupancy");
	TRY(LISTINGS_room_type, FM_TEXT, place, NULL, p_room, "containsPlace.additionalType");
	TRY(LISTINGS_manager_name, FM_TEXT, o, NULL, p_mgr, "brand");
	if (offer) {
		TRY(LISTINGS_nightly_price, FM_MONEY, offer, NULL, p_price, "offer price");
		TRY(LISTINGS_currency, FM_TEXT, offer, NULL, p_cur, "offer currency");
	}
	if (!row.set[LISTINGS_nightly_price] && get_text(o, "priceRange", &sb)) {
		/* "$350 - $425": the low end */
		size_t s = strcspn(sb.buf, "0123456789"), e = s;
		long long cents;
		while (e < sb.len && strchr("0123456789,.", sb.buf[e]))
			e++;
		if (e > s && fm_parse_money(sb.buf + s, e - s, &cents) == 0)
			rec_set_cents(&row, LISTINGS_nightly_price, cents);
	}
	if (rating) {
		TRY(LISTINGS_rating, FM_NUMERIC, rating, NULL, p_rating, "ratingValue");
		TRY(LISTINGS_review_count, FM_INT, rating, NULL, p_count, "reviewCount");
	}
#undef TRY
	/* property type: additionalType, else the lodging @type */
	if (get_text(o, "additionalType", &sb)) {
		const char *slash = strrchr(sb.buf, '/');
		rec_set_str(&row, LISTINGS_property_type, slash ? slash + 1 : sb.buf);
	} else if ((t = type_in(o, lodging_types))) {
		rec_set_str(&row, LISTINGS_property_type, t);
	}
	if (!row.set[LISTINGS_name] && index == 0) {
		og(pg, "og:title", &sb);
		if (sb.len)
			rec_set(&row, LISTINGS_name, sb.buf, sb.len);
	}
	if (!row.set[LISTINGS_url] && index == 0) {
		og(pg, "og:url", &sb);
		if (sb.len)
			rec_set(&row, LISTINGS_url, sb.buf, sb.len);
	}
	/* Hawaii ids: identifier (TMK), then description, then the visible page */
	if (tmkh.len) {
		struct fm_opts fo = { county };
		fm_set_typed(&row, LISTINGS_tmk, FM_TMK, tmkh.buf, tmkh.len, &fo, reason,
			     sizeof(reason));
	}
	if (all.len)
		strbuf_add(&text, all.buf, all.len);
	if (get_text(o, "description", &sb)) {
		strbuf_addch(&text, ' ');
		strbuf_add(&text, sb.buf, sb.len);
	}
	if (pg->nlodging <= 1) {
		strbuf_addch(&text, ' ');
		strbuf_add(&text, pg->visible.buf, pg->visible.len);
	}
	ids(&row, text.buf, text.len, county);
	/* extra: what has no column */
	extra_add(&ex, "type", json_object_object_get_ex(o, "@type", &v) ? v : NULL);
	extra_add(&ex, "checkinTime", tree_json_get(o, "checkinTime"));
	extra_add(&ex, "checkoutTime", tree_json_get(o, "checkoutTime"));
	extra_add(&ex, "priceRange", tree_json_get(o, "priceRange"));
	if (rating)
		extra_add(&ex, "bestRating", tree_json_get(rating, "bestRating"));
	if (ex.len) {
		strbuf_addch(&ex, '}');
		if (rec_set(&row, LISTINGS_extra, ex.buf, ex.len) != REC_OK)
			rec_set(&row, LISTINGS_extra, NULL, 0);
	}
	tree_defaults(ctx, platform, county, &row);
	ret = parse_emit(ctx, &row, line, -1, path, err);
	if (ret < 0)
		goto out;
	/* reviews: nested in the node, plus standalone ones for the page's first listing */
	{
		struct json_object *rv = tree_json_get(o, "review");
		int k = 0;
		if (!rv)
			rv = tree_json_get(o, "reviews");
		if (rv && json_object_is_type(rv, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(rv) && ret == 0; i++)
				ret = emit_review(pg, json_object_array_get_idx(rv, i), line, id.buf,
						  platform, k++, err);
		} else if (rv && json_object_is_type(rv, json_type_object)) {
			ret = emit_review(pg, rv, line, id.buf, platform, k++, err);
		}
		for (size_t i = 0; index == 0 && i < pg->nreviews && ret == 0; i++)
			ret = emit_review(pg, pg->reviews[i], pg->review_line[i], id.buf, platform,
					  k++, err);
	}
	goto out;
bad:
	(void)rc;
	ret = reject_at(ctx, line, path, why, o, err);
out:
	rec_row_release(&row);
	strbuf_release(&sb);
	strbuf_release(&id);
	strbuf_release(&all);
	strbuf_release(&tmkh);
	strbuf_release(&text);
	strbuf_release(&ex);
	return ret;
}

/* No JSON-LD lodging: a listing from OpenGraph tags, or one reject. */
static int opengraph(struct page *pg, const char *page, size_t plen, struct mi_err *err)
{
	struct parse_ctx *ctx = pg->ctx;
	struct strbuf title, url, desc, text;
	struct rec_row row;
	int ret;

	parse_count(ctx);
	strbuf_init(&title, 1u << 16);
	strbuf_init(&url, 1u << 16);
	strbuf_init(&desc, 1u << 20);
	strbuf_init(&text, 4u << 20);
	og(pg, "og:title", &title);
	og(pg, "og:url", &url);
	og(pg, "og:description", &desc);
	if (!url.len) {
		ret = parse_reject(ctx, 0, -1, NULL,
				   title.len ? "opengraph tags without og:url"
					     : "no json-ld lodging block and no opengraph tags",
				   page, plen > 200 ? 200 : plen, err);
		goto out;
	}
	rec_row_init(&row, &rec_entities[REC_E_LISTINGS], 0);
	rec_set_str(&row, LISTINGS_platform, ctx->source ? ctx->source : ctx->format);
	rec_set(&row, LISTINGS_listing_id, url.buf, url.len);
	rec_set(&row, LISTINGS_url, url.buf, url.len);
	if (title.len)
		rec_set(&row, LISTINGS_name, title.buf, title.len);
	if (ctx->snapshot_date)
		rec_set_str(&row, LISTINGS_snapshot_date, ctx->snapshot_date);
	if (ctx->county)
		rec_set_int(&row, LISTINGS_county, ctx->county);
	strbuf_add(&text, desc.buf, desc.len);
	strbuf_addch(&text, ' ');
	strbuf_add(&text, pg->visible.buf, pg->visible.len);
	ids(&row, text.buf, text.len, ctx->county);
	rec_set_str(&row, LISTINGS_extra, "{\"via\":\"opengraph\"}");
	tree_defaults(ctx, NULL, ctx->county, &row);
	ret = parse_emit(ctx, &row, 0, -1, "/html/head/meta[@property='og:url']", err);
	rec_row_release(&row);
out:
	strbuf_release(&title);
	strbuf_release(&url);
	strbuf_release(&desc);
	strbuf_release(&text);
	return ret;
}

static int html_jsonld_parse(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	struct strbuf page = STRBUF_INIT;
	struct tree_attr_guard ag;
	struct page *pg;
	struct json_object *roots[MAX_NODES];
	size_t nroots = 0;
	xmlXPathObjectPtr set = NULL;
	char reason[300];
	int ret = -1, read_ok;

	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	pg->ctx = ctx;
	strbuf_init(&pg->visible, 4u << 20);
	tree_attr_guard_init(&ag, parse_max_attributes(ctx), 1);
	tree_quiet();
	read_ok = tree_slurp(in, &page, TREE_HTML_MAX, reason, sizeof(reason)) == 0;
	if (read_ok)
		tree_attr_guard_feed(&ag, page.buf, page.len); /* before libxml2 sees it */
	if (!read_ok || !(pg->doc = tree_html_parse(page.buf, page.len, reason, sizeof(reason)))) {
		parse_count(ctx);
		if (parse_reject(ctx, 0, -1, NULL, reason, page.buf, page.len > 200 ? 200 : page.len,
				 err) == 0)
			mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': %s", ctx->file, reason);
		goto out;
	}
	if (tree_html_bad_encoding(pg->doc, page.buf, page.len, reason, sizeof(reason))) {
		parse_count(ctx);
		if (parse_reject(ctx, 0, -1, NULL, reason, page.buf, page.len > 200 ? 200 : page.len,
				 err) < 0)
			goto out;
	}
	pg->xc = xmlXPathNewContext(pg->doc);
	if (!pg->xc) {
		mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	tree_visible_text(pg->doc, &pg->visible);
	set = xmlXPathEvalExpression(
		(const xmlChar *)"//script[translate(normalize-space(@type),"
				 "'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
				 "='application/ld+json']",
		pg->xc);
	for (int i = 0; set && set->nodesetval && i < set->nodesetval->nodeNr; i++) {
		xmlNodePtr sc = set->nodesetval->nodeTab[i];
		xmlChar *body = xmlNodeGetContent(sc);
		long long off = -1;
		struct json_object *o;
		char path[512];
		size_t blen = body ? strlen((const char *)body) : 0;

		o = body ? tree_json_parse((const char *)body, blen, TREE_JSON_DEPTH, reason,
					  sizeof(reason), &off)
			 : NULL;
		if (!o) {
			char why[400];
			parse_count(ctx);
			tree_node_path(sc, path, sizeof(path));
			snprintf(why, sizeof(why), "bad json-ld block: %s",
				 body ? reason : "empty");
			if (parse_reject(ctx, xmlGetLineNo(sc), -1, path, why, (const char *)body,
					 blen, err) < 0) {
				xmlFree(body);
				goto out;
			}
		} else if (nroots < MAX_NODES) {
			roots[nroots++] = o;
			collect(pg, o, xmlGetLineNo(sc), 0);
		} else {
			json_object_put(o);
		}
		xmlFree(body);
	}
	/* elements over the attribute limit: the element alone (no record is an element here) */
	if (tree_attr_reject_rest(ctx, &ag, err) < 0)
		goto out;
	if (pg->nlodging == 0) {
		if (opengraph(pg, page.buf, page.len, err) < 0)
			goto out;
	} else {
		for (size_t i = 0; i < pg->nlodging; i++)
			if (emit_listing(pg, pg->lodging[i], pg->lodging_line[i], i, err) < 0)
				goto out;
	}
	ret = 0;
out:
	tree_attr_guard_release(&ag);
	for (size_t i = 0; i < nroots; i++)
		json_object_put(roots[i]);
	xmlXPathFreeObject(set);
	xmlXPathFreeContext(pg->xc);
	xmlFreeDoc(pg->doc);
	strbuf_release(&pg->visible);
	strbuf_release(&page);
	free(pg);
	return ret;
}

const struct parser parser_html_jsonld = {
	"html-jsonld",
	"listing pages: schema.org JSON-LD (VacationRental, LodgingBusiness, ...), OpenGraph fallback",
	"listings,reviews",
	html_jsonld_parse,
};
