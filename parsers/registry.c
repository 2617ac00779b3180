/*
 * The table of input formats.  Keep it sorted by name; --list-formats
 * prints it in this order.
 */
#include "parser.h"

#include <string.h>

#include "banned.h"

/* Each format's parser, defined in parsers/<format>.c. */
/* -- tabular formats (CSV, fixed width) -- */
extern const struct parser parser_county_csv;
extern const struct parser parser_insideairbnb_calendar;
extern const struct parser parser_insideairbnb_listings;
extern const struct parser parser_insideairbnb_reviews;
extern const struct parser parser_maui_rpt_sales;
extern const struct parser parser_parcel_csv;
/* -- tree formats (HTML, XML, JSON) -- */
extern const struct parser parser_geojson_parcels;
extern const struct parser parser_html_jsonld;
extern const struct parser parser_html_rules;
extern const struct parser parser_json_calendar;
extern const struct parser parser_json_reviews;
extern const struct parser parser_xml_feed;

static const struct parser *const parsers[] = {
	/* -- tabular formats -- */
	&parser_county_csv,
	&parser_insideairbnb_calendar,
	&parser_insideairbnb_listings,
	&parser_insideairbnb_reviews,
	&parser_maui_rpt_sales,
	&parser_parcel_csv,
	/* -- tree formats -- */
	&parser_geojson_parcels,
	&parser_html_jsonld,
	&parser_html_rules,
	&parser_json_calendar,
	&parser_json_reviews,
	&parser_xml_feed,
	NULL
};

const struct parser *const *parser_all(void)
{
	return parsers;
}

const struct parser *parser_find(const char *name)
{
	for (int i = 0; parsers[i]; i++)
		if (!strcmp(parsers[i]->name, name))
			return parsers[i];
	return NULL;
}

int parser_known(const char *name)
{
	return parser_find(name) != NULL;
}
