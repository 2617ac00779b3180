/*
 * libFuzzer target: the JSON paths of mi-parse on any bytes: json-reviews
 * (Hostaway-like rules), json-calendar (nested months[].days rules) when the
 * fuzzer runs from the repository root, and geojson-parcels (the streaming
 * feature scanner, no rules needed).  Records go to /dev/null; every record
 * considered must be emitted or rejected.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "parser.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct parse_out out;
static struct mi_config reviews = MI_CONFIG_INIT, calendar = MI_CONFIG_INIT;
static int ready, have_reviews, have_calendar;

static void setup(void)
{
	memset(&out, 0, sizeof(out));
	for (int i = 0; i < REC_E_COUNT; i++) {
		out.fp[i] = fopen("/dev/null", "w");
		if (!out.fp[i])
			abort();
	}
	have_reviews = mi_config_load(&reviews, "config/apis/hostaway.ini", NULL) == 0;
	have_calendar = mi_config_load(&calendar, "config/apis/example-calendar.ini", NULL) == 0;
	ready = 1;
}

static void run_format(const char *name, const struct mi_config *rules, int county,
		       const uint8_t *data, size_t size)
{
	const struct parser *p = parser_find(name);
	struct parse_ctx ctx;
	struct mi_err err = MI_ERR_INIT;
	FILE *fp;

	if (!p)
		abort();
	memset(&ctx, 0, sizeof(ctx));
	ctx.source = NULL; /* geojson-parcels: no rules file looked up */
	ctx.format = name;
	ctx.file = "fuzz";
	ctx.county = county;
	ctx.snapshot_date = "2026-11-20";
	ctx.rules = rules;
	ctx.out = &out;
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		abort();
	(void)p->parse(&ctx, fp, &err);
	fclose(fp);
	if (ctx.emitted + ctx.rejected < ctx.read)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (!ready)
		setup();
	if (have_reviews)
		run_format("json-reviews", &reviews, 0, data, size);
	if (have_calendar)
		run_format("json-calendar", &calendar, 2, data, size);
	run_format("geojson-parcels", NULL, size % 5, data, size);
	return 0;
}
