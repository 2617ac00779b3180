/*
 * json-calendar: JSON calendar API pages (per-day availability, price,
 * minimum nights), mapped by field paths in config/apis/<source>.ini (see
 * json_api.h); nested month/day arrays are walked with "months[].days".
 */
#include "json_api.h"

#include "banned.h"

static int json_calendar_parse(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	return json_api_parse(ctx, in, REC_E_PRICING, err);
}

const struct parser parser_json_calendar = {
	"json-calendar",
	"JSON calendar API pages (per-day available, price, min nights) by paths in config/apis/",
	"pricing",
	json_calendar_parse,
};
