/*
 * json-reviews: paginated JSON review API pages (Hostaway-like
 * {"status":"success","result":[{id, type, rating, publicReview,
 * reviewCategory:[{category, rating}], submittedAt, guestName, ...}]}),
 * mapped by field paths in config/apis/<source>.ini (see json_api.h).
 */
#include "json_api.h"

#include "banned.h"

static int json_reviews_parse(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	return json_api_parse(ctx, in, REC_E_REVIEWS, err);
}

const struct parser parser_json_reviews = {
	"json-reviews",
	"JSON review API pages (overall and category ratings, host responses) by paths in config/apis/",
	"reviews",
	json_reviews_parse,
};
