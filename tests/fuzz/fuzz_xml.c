/*
 * libFuzzer target: the XML feed path of mi-parse on any bytes, read as a
 * stream by xml-feed with the example feed rules (records, attributes,
 * absolute paths) when the fuzzer runs from the repository root; entities
 * are never expanded and nothing is fetched.  Records go to /dev/null;
 * every record considered must be emitted or rejected.
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
static struct mi_config feed = MI_CONFIG_INIT;
static int ready, have_feed;

static void setup(void)
{
	memset(&out, 0, sizeof(out));
	for (int i = 0; i < REC_E_COUNT; i++) {
		out.fp[i] = fopen("/dev/null", "w");
		if (!out.fp[i])
			abort();
	}
	have_feed = mi_config_load(&feed, "config/feeds/islandfeed.ini", NULL) == 0;
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct parser *p = parser_find("xml-feed");
	struct parse_ctx ctx;
	struct mi_err err = MI_ERR_INIT;
	FILE *fp;

	if (!size || !p)
		return 0;
	if (!ready)
		setup();
	if (!have_feed)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.source = "fuzz";
	ctx.format = "xml-feed";
	ctx.file = "fuzz";
	ctx.county = 2;
	ctx.snapshot_date = "2026-11-20";
	ctx.rules = &feed;
	ctx.out = &out;
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		abort();
	(void)p->parse(&ctx, fp, &err);
	fclose(fp);
	if (ctx.emitted + ctx.rejected < ctx.read)
		abort();
	return 0;
}
