/*
 * The tree formats (html-rules, html-jsonld, xml-feed, json-reviews,
 * json-calendar, geojson-parcels) on hostile input: external entities,
 * billion laughs, deep nesting, 10 MB lines, oversized inputs, and memory
 * that must stay flat on a large streamed layer.  The golden fixtures
 * (tests/test_parse_golden.c) cover the ordinary and malformed cases.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "parser.h"
#include "records.h"
#include "strbuf.h"

#include "banned.h"

struct run {
	char dir[64];
	char input[128];
	int rc;
	struct mi_err err;
	long long read, emitted, rejected;
};

/* Parse data (len bytes) as format with the rules file cfg (may be NULL). */
static void run_parser(struct run *r, const char *format, const char *cfg, const char *source,
		       const void *data, size_t len)
{
	const struct parser *p = parser_find(format);
	struct mi_config rules = MI_CONFIG_INIT;
	struct parse_out out;
	struct parse_ctx ctx;
	FILE *fp;

	cr_assert(p != NULL, "format %s registered", format);
	memset(r, 0, sizeof(*r));
	mi_err_clear(&r->err);
	snprintf(r->dir, sizeof(r->dir), "/tmp/mi-tree-XXXXXX");
	cr_assert(mkdtemp(r->dir) != NULL);
	snprintf(r->input, sizeof(r->input), "%s/input", r->dir);
	fp = fopen(r->input, "wb");
	cr_assert(fp != NULL);
	cr_assert_eq(fwrite(data, 1, len, fp), len);
	cr_assert_eq(fclose(fp), 0);
	if (cfg)
		cr_assert_eq(mi_config_load(&rules, cfg, &r->err), 0, "%s", r->err.msg);
	cr_assert_eq(parse_out_open(&out, r->dir, 0, &r->err), 0, "%s", r->err.msg);
	memset(&ctx, 0, sizeof(ctx));
	ctx.source = source;
	ctx.format = format;
	ctx.file = r->input;
	ctx.snapshot_date = "2026-11-20";
	ctx.rules = cfg ? &rules : NULL;
	ctx.out = &out;
	fp = parse_open_input(r->input, NULL, &r->err);
	cr_assert(fp != NULL);
	r->rc = p->parse(&ctx, fp, &r->err);
	fclose(fp);
	cr_assert_eq(parse_out_close(&out, NULL), 0);
	mi_config_release(&rules);
	r->read = ctx.read;
	r->emitted = ctx.emitted;
	r->rejected = ctx.rejected;
}

/* The content of an output file of the run (caller frees). */
static char *output(const struct run *r, const char *file)
{
	struct strbuf sb = STRBUF_INIT;
	char path[256], buf[65536];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", r->dir, file);
	fp = fopen(path, "rb");
	cr_assert(fp != NULL, "%s exists", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

static int outputs_contain(const struct run *r, const char *needle)
{
	for (int i = 0; i < REC_E_COUNT; i++) {
		char *s = output(r, rec_entities[i].file);
		int hit = strstr(s, needle) != NULL;
		free(s);
		if (hit)
			return 1;
	}
	return 0;
}

static void cleanup(struct run *r)
{
	char path[256];

	for (int i = 0; i < REC_E_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", r->dir, rec_entities[i].file);
		unlink(path);
	}
	unlink(r->input);
	rmdir(r->dir);
}

static long max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A loopback listener: any connection attempt to it would be a leak. */
static int listener(int *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	cr_assert(s >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s, 4), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return s;
}

static int nobody_connected(int s)
{
	int c = accept(s, NULL, NULL);

	if (c >= 0) {
		close(c);
		return 0;
	}
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* ---- XML ---- */

Test(xml_feed, external_entities_are_never_read)
{
	struct strbuf doc = STRBUF_INIT;
	struct run r;
	int port, s = listener(&port);

	strbuf_addf(&doc,
		    "<?xml version=\"1.0\"?>\n"
		    "<!DOCTYPE feed [\n"
		    "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
		    "  <!ENTITY net SYSTEM \"http://127.0.0.1:%d/x.xml\">\n"
		    "  <!ENTITY %% pe SYSTEM \"http://127.0.0.1:%d/pe.dtd\">\n"
		    "  %%pe;\n"
		    "]>\n"
		    "<feed><properties>\n"
		    "<property id=\"A1\"><name>leak &xxe; here</name></property>\n"
		    "<property id=\"A2\"><name>&net;</name></property>\n"
		    "<property id=\"A3\"><name>Clean</name></property>\n"
		    "</properties></feed>\n",
		    port, port);
	run_parser(&r, "xml-feed", "config/feeds/islandfeed.ini", "islandfeed", doc.buf, doc.len);
	cr_assert_eq(r.rc, 0, "%s", r.err.msg);
	cr_assert(!outputs_contain(&r, "root:"), "/etc/passwd must not be read");
	cr_assert(!outputs_contain(&r, "/bin/"), "/etc/passwd must not be read");
	cr_assert(nobody_connected(s), "no network access for entities or DTDs");
	cr_assert_eq(r.emitted, 1);
	cr_assert_eq(r.rejected, 2);
	{
		char *rej = output(&r, "rejects.tsv");
		cr_assert(strstr(rej, "entity reference '&xxe;' not expanded"), "%s", rej);
		free(rej);
	}
	close(s);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(xml_feed, billion_laughs_is_refused_quickly)
{
	struct strbuf doc = STRBUF_INIT;
	struct run r;
	long before = max_rss_kb();

	strbuf_addstr(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE feed [\n<!ENTITY l0 \"lol\">\n");
	for (int i = 1; i <= 10; i++) {
		strbuf_addf(&doc, "<!ENTITY l%d \"", i);
		for (int k = 0; k < 10; k++)
			strbuf_addf(&doc, "&l%d;", i - 1);
		strbuf_addstr(&doc, "\">\n");
	}
	strbuf_addstr(&doc, "]>\n<feed><properties><property id=\"B\"><name>&l10;</name>"
			    "</property></properties></feed>\n");
	run_parser(&r, "xml-feed", "config/feeds/islandfeed.ini", "islandfeed", doc.buf, doc.len);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.emitted, 0);
	cr_assert_eq(r.rejected, 1);
	cr_assert(strstr(r.err.msg, "entity"), "%s", r.err.msg);
#ifndef __SANITIZE_ADDRESS__
	cr_assert_lt(max_rss_kb() - before, 64 * 1024, "memory stays bounded");
#else
	(void)before;
#endif
	cleanup(&r);
	strbuf_release(&doc);
}

Test(xml_feed, ten_megabyte_line_of_records)
{
	struct strbuf doc;
	struct run r;
	int n = 0;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "<feed><properties><property id=\"L\">");
	while (doc.len < 10u << 20) {
		strbuf_addf(&doc, "<rate date=\"2027-01-%02d\" status=\"available\" amount=\"%d.00\" "
				  "minStay=\"2\"/>",
			    n % 28 + 1, 100 + n % 50);
		n++;
	}
	strbuf_addstr(&doc, "</property></properties></feed>"); /* one line, no newline */
	run_parser(&r, "xml-feed", "config/feeds/islandfeed.ini", "islandfeed", doc.buf, doc.len);
	cr_assert_eq(r.rc, 0, "%s", r.err.msg);
	cr_assert_eq(r.emitted, n + 1, "every rate and the listing");
	cr_assert_eq(r.rejected, 0);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(xml_feed, ten_megabyte_text_node_is_rejected_not_kept)
{
	struct strbuf doc;
	struct run r;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "<feed><properties><property id=\"T\"><description>");
	while (doc.len < (10u << 20) + 1000)
		strbuf_addstr(&doc, "Ocean view condo in Kihei, TA-123-456-7890-01. ");
	strbuf_addstr(&doc, "</description></property></properties></feed>\n");
	run_parser(&r, "xml-feed", "config/feeds/islandfeed.ini", "islandfeed", doc.buf, doc.len);
	/* libxml2 refuses text nodes over 10,000,000 bytes without XML_PARSE_HUGE */
	cr_assert_eq(r.emitted, 0);
	cr_assert_eq(r.rejected, 1);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(xml_feed, deep_nesting_is_refused)
{
	struct strbuf doc;
	struct run r;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "<feed><properties><property id=\"D\">");
	for (int i = 0; i < 100000; i++)
		strbuf_addstr(&doc, "<x>");
	run_parser(&r, "xml-feed", "config/feeds/islandfeed.ini", "islandfeed", doc.buf, doc.len);
	cr_assert_eq(r.emitted, 0);
	cr_assert_eq(r.rejected, 1);
	{
		char *rej = output(&r, "rejects.tsv");
		cr_assert(strstr(rej, "xml error"), "%s", rej);
		free(rej);
	}
	cleanup(&r);
	strbuf_release(&doc);
}

/* ---- HTML ---- */

static void deep_divs(struct strbuf *doc, int n)
{
	strbuf_init(doc, 0);
	strbuf_addstr(doc, "<html><head><meta property=\"og:url\" content=\"https://x.example/1\">"
			   "</head><body>");
	for (int i = 0; i < n; i++)
		strbuf_addstr(doc, "<div class=\"property-card\" data-property-id=\"X\">");
	strbuf_addstr(doc, "<h3 class=\"property-name\">deep</h3></body></html>");
}

Test(html_rules, hundred_thousand_nested_divs_are_refused)
{
	struct strbuf doc;
	struct run r;

	deep_divs(&doc, 100000);
	run_parser(&r, "html-rules", "config/sites/example-pm.ini", "example-pm", doc.buf, doc.len);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.emitted, 0);
	cr_assert_eq(r.rejected, 1);
	cr_assert(strstr(r.err.msg, "Excessive depth"), "%s", r.err.msg);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(html_jsonld, hundred_thousand_nested_divs_are_refused)
{
	struct strbuf doc;
	struct run r;

	deep_divs(&doc, 100000);
	run_parser(&r, "html-jsonld", NULL, "example-pm", doc.buf, doc.len);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.emitted, 0);
	cr_assert_eq(r.rejected, 1);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(html_rules, ten_megabyte_line_is_handled)
{
	struct strbuf doc;
	struct run r;
	int n = 0;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "<html><head><meta property=\"og:site_name\" content=\"PM\"></head><body>");
	while (doc.len < 10u << 20) {
		strbuf_addf(&doc,
			    "<div class=\"property-card\" data-property-id=\"P%d\"><h3 "
			    "class=\"property-name\">Unit %d</h3><span class=\"amount\">$%d</span></div>",
			    n, n, 100 + n % 400);
		n++;
	}
	strbuf_addstr(&doc, "</body></html>");
	run_parser(&r, "html-rules", "config/sites/example-pm.ini", "example-pm", doc.buf, doc.len);
	cr_assert_eq(r.rc, 0, "%s", r.err.msg);
	cr_assert_eq(r.emitted, n);
	cr_assert_eq(r.rejected, 0);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(html_jsonld, oversized_page_is_one_reject)
{
	struct strbuf doc;
	struct run r;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "<html><body><p>");
	while (doc.len < (17u << 20))
		strbuf_addstr(&doc, "aloha aloha aloha aloha aloha aloha aloha aloha aloha aloha ");
	run_parser(&r, "html-jsonld", NULL, "example-pm", doc.buf, doc.len);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.rejected, 1);
	cr_assert(strstr(r.err.msg, "input larger than"), "%s", r.err.msg);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(html_jsonld, deeply_nested_json_ld_block)
{
	struct strbuf doc;
	struct run r;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "<html><head><meta property=\"og:title\" content=\"T\">"
			    "<meta property=\"og:url\" content=\"https://x.example/t\">"
			    "<script type=\"application/ld+json\">");
	for (int i = 0; i < 10000; i++)
		strbuf_addstr(&doc, "{\"a\":");
	strbuf_addstr(&doc, "1");
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&doc, '}');
	strbuf_addstr(&doc, "</script></head><body></body></html>");
	run_parser(&r, "html-jsonld", NULL, "example-pm", doc.buf, doc.len);
	cr_assert_eq(r.rc, 0, "%s", r.err.msg);
	cr_assert_eq(r.rejected, 1, "the block is refused");
	cr_assert_eq(r.emitted, 1, "the OpenGraph fallback still gives the listing");
	{
		char *rej = output(&r, "rejects.tsv");
		cr_assert(strstr(rej, "bad json-ld block"), "%s", rej);
		free(rej);
	}
	cleanup(&r);
	strbuf_release(&doc);
}

/* ---- JSON APIs ---- */

Test(json_reviews, ten_thousand_levels_are_refused)
{
	struct strbuf doc;
	struct run r;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "{\"status\":\"success\",\"result\":[");
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&doc, '[');
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&doc, ']');
	strbuf_addstr(&doc, "]}");
	run_parser(&r, "json-reviews", "config/apis/hostaway.ini", "hostaway", doc.buf, doc.len);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.rejected, 1);
	cr_assert(strstr(r.err.msg, "nesting too deep"), "%s", r.err.msg);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(json_calendar, ten_megabyte_line_is_handled)
{
	struct strbuf doc;
	struct run r;
	int n = 0;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "{\"listingId\":\"L1\",\"currency\":\"USD\",\"months\":[{\"days\":[");
	while (doc.len < 10u << 20) {
		strbuf_addf(&doc, "%s{\"date\":\"2027-%02d-%02d\",\"available\":true,\"price\":%d}",
			    n ? "," : "", n % 12 + 1, n % 28 + 1, 100 + n % 300);
		n++;
	}
	strbuf_addstr(&doc, "]}]}");
	run_parser(&r, "json-calendar", "config/apis/example-calendar.ini", "example-calendar",
		   doc.buf, doc.len);
	cr_assert_eq(r.rc, 0, "%s", r.err.msg);
	cr_assert_eq(r.emitted, n);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(json_reviews, bad_utf8_in_a_string)
{
	const char doc[] = "{\"status\":\"success\",\"result\":[{\"id\":1,\"type\":\"guest-to-host\","
			   "\"listingMapId\":7,\"publicReview\":\"bad \xff\xfe bytes\"}]}";
	struct run r;

	run_parser(&r, "json-reviews", "config/apis/hostaway.ini", "hostaway", doc, sizeof(doc) - 1);
	cr_assert_eq(r.emitted, 0);
	cr_assert_eq(r.rejected, 1);
	cleanup(&r);
}

/* ---- GeoJSON ---- */

Test(geojson_parcels, deep_nesting_is_refused)
{
	struct strbuf doc;
	struct run r;

	strbuf_init(&doc, 0);
	strbuf_addstr(&doc, "{\"type\":\"FeatureCollection\",\"features\":[");
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&doc, '[');
	run_parser(&r, "geojson-parcels", NULL, NULL, doc.buf, doc.len);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.rejected, 1);
	cr_assert(strstr(r.err.msg, "nested deeper"), "%s", r.err.msg);
	cleanup(&r);
	strbuf_release(&doc);
}

Test(geojson_parcels, memory_stays_flat_on_a_large_layer)
{
	char path[] = "/tmp/mi-geojson-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	const struct parser *p = parser_find("geojson-parcels");
	struct parse_out out;
	struct parse_ctx ctx;
	struct mi_err err = MI_ERR_INIT;
	char dir[] = "/tmp/mi-geojson-out-XXXXXX";
	long before;
#ifdef __SANITIZE_ADDRESS__
	int n = 20000; /* ASan's quarantine holds freed memory: no RSS check */
#else
	int n = 150000;
#endif

	cr_assert(fp && p && mkdtemp(dir));
	fputs("{\"type\":\"FeatureCollection\",\"features\":[\n", fp);
	for (int i = 0; i < n; i++) {
		double x = -156.5 + (i % 1000) * 0.0005, y = 20.7 + (i / 1000) * 0.0005;
		fprintf(fp,
			"%s{\"type\":\"Feature\",\"properties\":{\"tmk\":\"2%d%d%03d%03d\"},"
			"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],"
			"[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}\n",
			i ? "," : "", 1 + i % 6, 1 + i % 9, 1 + i % 999, 1 + (i / 7) % 999, x, y,
			x + 0.0004, y, x + 0.0004, y + 0.0004, x, y + 0.0004, x, y);
	}
	fputs("]}\n", fp);
	cr_assert_eq(fclose(fp), 0);
	before = max_rss_kb();
	cr_assert_eq(parse_out_open(&out, dir, 0, &err), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.format = "geojson-parcels";
	ctx.file = path;
	ctx.out = &out;
	fp = parse_open_input(path, NULL, &err);
	cr_assert(fp != NULL);
	cr_assert_eq(p->parse(&ctx, fp, &err), 0, "%s", err.msg);
	fclose(fp);
	cr_assert_eq(parse_out_close(&out, &err), 0);
	cr_assert_eq(ctx.emitted, n);
	cr_assert_eq(ctx.rejected, 0);
#ifndef __SANITIZE_ADDRESS__
	/* about 40 MB of GeoJSON; one feature at a time is held */
	cr_assert_lt(max_rss_kb() - before, 16 * 1024, "rss grew by %ld kB",
		     max_rss_kb() - before);
#else
	(void)before;
#endif
	unlink(path);
	for (int i = 0; i < REC_E_COUNT; i++) {
		char f[256];
		snprintf(f, sizeof(f), "%s/%s", dir, rec_entities[i].file);
		unlink(f);
	}
	rmdir(dir);
}

/* ---- rules files ---- */

static char *temp_ini(const char *text)
{
	char *path = strdup("/tmp/mi-rules-XXXXXX");
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	cr_assert(fp != NULL);
	fputs(text, fp);
	fclose(fp);
	return path;
}

Test(geojson_parcels, rules_map_other_property_names)
{
	char *ini = temp_ini("[properties]\ntmk = properties.PARCEL_ID\n"
			     "island = properties.ISLE\n");
	const char doc[] = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
			   "\"properties\":{\"PARCEL_ID\":\"4-2-8-014-032\",\"ISLE\":\"Kauai\"},"
			   "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-159.46,21.87]}}]}";
	struct run r;
	char *props;

	run_parser(&r, "geojson-parcels", ini, "kauai-gis", doc, sizeof(doc) - 1);
	cr_assert_eq(r.rc, 0, "%s", r.err.msg);
	cr_assert_eq(r.emitted, 1);
	props = output(&r, "properties.tsv");
	cr_assert(strstr(props, "\t4280140320000\t"), "%s", props);
	cr_assert(strstr(props, "\tKauai\t"), "%s", props);
	cr_assert(strstr(props, "\t21.87\t-159.46\t"), "%s", props);
	free(props);
	cleanup(&r);
	unlink(ini);
	free(ini);
}

Test(html_rules, bad_rules_are_config_errors_with_file_and_line)
{
	char *ini = temp_ini("[site]\nplatform = x\n[listing]\nxpath = //div\nname = h3\n");
	const char page[] = "<html><body><div><h3>x</h3></div></body></html>";
	struct run r;

	run_parser(&r, "html-rules", ini, "x", page, sizeof(page) - 1);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.err.code, 78, "MI_EXIT_CONFIG");
	cr_assert(strstr(r.err.msg, ":4: unknown entity 'listing' in [listing]"), "%s", r.err.msg);
	cleanup(&r);
	unlink(ini);
	free(ini);

	ini = temp_ini("[listings]\nxpath = //div[\nname = h3\n");
	run_parser(&r, "html-rules", ini, "x", page, sizeof(page) - 1);
	cr_assert_eq(r.rc, -1);
	cr_assert(strstr(r.err.msg, ":2: bad xpath '//div[' for 'xpath'"), "%s", r.err.msg);
	cleanup(&r);
	unlink(ini);
	free(ini);
}

Test(xml_feed, no_rules_without_a_source)
{
	const char doc[] = "<feed/>";
	struct run r;

	run_parser(&r, "xml-feed", NULL, NULL, doc, sizeof(doc) - 1);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.err.code, 78);
	cr_assert(strstr(r.err.msg, "needs rules"), "%s", r.err.msg);
	cleanup(&r);
}
