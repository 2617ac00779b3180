/*
 * libFuzzer target: the CSV path of mi-parse on any bytes.
 *
 *  1. csvread with its fast path and with libcsv alone must deliver the
 *     same records (fields, lines, offsets, flags);
 *  2. the Inside Airbnb calendar read through its fast path and through its
 *     general path (MI_PARSE_NO_FAST) must write the same bytes, rows and
 *     rejects alike, with and without a snapshot date;
 *  3. a tabular format picked by the first byte (Inside Airbnb calendar,
 *     listings, reviews, the Maui spool, parcel-csv, county-csv with the
 *     Honolulu OWNDAT map when the fuzzer runs from the repository root)
 *     reads the bytes without a crash, a leak or a sanitizer report, and
 *     accounts for every record; records go to /dev/null.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csvread.h"
#include "err.h"
#include "parser.h"
#include "strbuf.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int dump(void *data, const struct csvr_row *row, struct mi_err *err)
{
	struct strbuf *sb = data;

	(void)err;
	strbuf_addf(sb, "%lld:%lld:%lld:%u:%d", row->line, row->offset, row->end_line,
		    row->flags, row->nfields);
	for (int i = 0; i < row->nfields; i++) {
		strbuf_addf(sb, "|%zu:", row->len[i]);
		strbuf_add(sb, row->f[i], row->len[i]);
	}
	strbuf_addch(sb, '\n');
	return 0;
}

static int read_all(const uint8_t *data, size_t size, int libcsv_only, struct strbuf *sb)
{
	struct csvr_opts o = { .max_field = 4096, .max_record = 16384, .max_fields = 64,
				.libcsv_only = libcsv_only, .header = 1, .max_span = 8192 };
	struct mi_err err = MI_ERR_INIT;
	FILE *fp = fmemopen((void *)data, size, "r");
	int rc;

	if (!fp)
		abort();
	rc = csvr_read(fp, "fuzz", &o, dump, sb, NULL, &err);
	fclose(fp);
	return rc;
}

static struct parse_out out;
static struct mi_config owndat = MI_CONFIG_INIT;
static int ready, have_owndat;

static void setup(void)
{
	memset(&out, 0, sizeof(out));
	for (int i = 0; i < REC_E_COUNT; i++) {
		out.fp[i] = fopen("/dev/null", "w");
		if (!out.fp[i])
			abort();
	}
	have_owndat = mi_config_load(&owndat, "config/formats/honolulu-owndat.ini", NULL) == 0;
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
	ctx.source = name;
	ctx.format = name;
	ctx.file = "fuzz";
	ctx.county = county;
	ctx.rules = rules;
	ctx.out = &out;
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		abort();
	(void)p->parse(&ctx, fp, &err);
	fclose(fp);
	/* every record considered is accounted for */
	if (ctx.emitted + ctx.rejected < ctx.read)
		abort();
}

/* The calendar's output (every entity file, back to back) through one path. */
static void calendar_bytes(const uint8_t *data, size_t size, const char *snapshot, int general,
			   char **buf, size_t *len)
{
	const struct parser *p = parser_find("insideairbnb-calendar");
	struct parse_out mem;
	struct parse_ctx ctx;
	struct mi_err err = MI_ERR_INIT;
	FILE *fp, *sink;

	if (!p || !(sink = open_memstream(buf, len)))
		abort();
	memset(&mem, 0, sizeof(mem));
	for (int i = 0; i < REC_E_COUNT; i++)
		mem.fp[i] = sink;
	memset(&ctx, 0, sizeof(ctx));
	ctx.source = "airbnb-hawaii";
	ctx.format = "insideairbnb-calendar";
	ctx.file = "fuzz";
	ctx.snapshot_date = snapshot;
	ctx.out = &mem;
	if (general)
		setenv("MI_PARSE_NO_FAST", "1", 1);
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		abort();
	(void)p->parse(&ctx, fp, &err);
	fclose(fp);
	unsetenv("MI_PARSE_NO_FAST");
	fclose(sink);
}

static void calendar_both_paths(const uint8_t *data, size_t size, const char *snapshot)
{
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;

	calendar_bytes(data, size, snapshot, 0, &a, &na);
	calendar_bytes(data, size, snapshot, 1, &b, &nb);
	if (na != nb || memcmp(a, b, na))
		abort();
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf fast = STRBUF_INIT, slow = STRBUF_INIT;
	int a, b;

	if (!size)
		return 0;
	if (!ready)
		setup();
	a = read_all(data, size, 0, &fast);
	b = read_all(data, size, 1, &slow);
	if (a != b || fast.len != slow.len || memcmp(fast.buf, slow.buf, fast.len))
		abort();
	strbuf_release(&fast);
	strbuf_release(&slow);

	/* one format per input (the first byte picks it): more inputs per second */
	switch (data[0] % 6) {
	case 0:
		run_format("insideairbnb-calendar", NULL, 0, data, size);
		calendar_both_paths(data, size, size % 2 ? "2024-02-27" : NULL);
		break;
	case 1: run_format("insideairbnb-listings", NULL, size % 5, data, size); break;
	case 2: run_format("insideairbnb-reviews", NULL, 0, data, size); break;
	case 3: run_format("maui-rpt-sales", NULL, 2, data, size); break;
	case 4: run_format("parcel-csv", NULL, 0, data, size); break;
	default:
		if (have_owndat)
			run_format("county-csv", &owndat, 1, data, size);
		break;
	}
	return 0;
}
