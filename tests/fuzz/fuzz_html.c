/*
 * libFuzzer target: the HTML paths of mi-parse on any bytes.  The page is
 * read by html-jsonld (JSON-LD blocks, OpenGraph, visible-text ids) and by
 * html-rules with the example PM-card rules and the qPublic parcel rules
 * (when the fuzzer runs from the repository root); records go to /dev/null.
 * Every record considered must be emitted or rejected.
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
static struct mi_config pm = MI_CONFIG_INIT, qpublic = MI_CONFIG_INIT;
static int ready, have_pm, have_qpublic;

static void setup(void)
{
	memset(&out, 0, sizeof(out));
	for (int i = 0; i < REC_E_COUNT; i++) {
		out.fp[i] = fopen("/dev/null", "w");
		if (!out.fp[i])
			abort();
	}
	have_pm = mi_config_load(&pm, "config/sites/example-pm.ini", NULL) == 0;
	have_qpublic = mi_config_load(&qpublic, "config/sites/qpublic-maui.ini", NULL) == 0;
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
	ctx.source = "fuzz";
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
	run_format("html-jsonld", NULL, size % 5, data, size);
	if (have_pm)
		run_format("html-rules", &pm, 2, data, size);
	if (have_qpublic)
		run_format("html-rules", &qpublic, 2, data, size);
	return 0;
}
