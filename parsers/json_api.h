/*
 * json_api: the engine behind json-reviews and json-calendar: one JSON API
 * page (a review page, a calendar page) read with json-c under a size cap
 * and a nesting limit, its records found and mapped by field paths in a
 * per-API config (config/apis/<source>.ini):
 *
 *   [api]
 *   platform = hostaway
 *   records = result              ; path of the record array; "a[].b" walks
 *                                 ; nested arrays (calendar months -> days)
 *   status = status               ; optional: the page's status field ...
 *   status_ok = success           ; ... and the value a usable page has
 *   max_bytes = 16777216          ; the page cap (json-c needs ~30x in memory)
 *
 *   [reviews]                     ; the entity the format writes
 *   review_id = id                ; column = path inside the record
 *   listing_id = listingMapId
 *   snapshot_date = $.meta.date   ; "$." starts from the page's root
 *   rating_scale = '10'           ; a quoted constant
 *   category_ratings = reviewCategory
 *   pairs = category, rating      ; jsonb arrays of {category, rating} -> {"cat": rating}
 *   only = type: guest-to-host    ; other records are skipped (not counted)
 *   required = review_id, listing_id
 *
 * The page is one JSON value, so it is held whole: a page over max_bytes is
 * refused with one reject (API pages are paginated; they are small).
 */
#ifndef MI_JSON_API_H
#define MI_JSON_API_H

#include "parser.h"

/* Parse one page into entity e's file (the section named after e). */
int json_api_parse(struct parse_ctx *ctx, FILE *in, enum rec_entity_id e, struct mi_err *err);

#endif
