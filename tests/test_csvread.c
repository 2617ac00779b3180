#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "csvread.h"
#include "err.h"
#include "exitcode.h"
#include "strbuf.h"

#include "banned.h"

/* Every row as "line:offset:flags|f1|f2|...\n" into a strbuf. */
static int dump_row(void *data, const struct csvr_row *row, struct mi_err *err)
{
	struct strbuf *sb = data;

	(void)err;
	strbuf_addf(sb, "%lld:%lld:%u", row->line, row->offset, row->flags);
	for (int i = 0; i < row->nfields; i++) {
		strbuf_addch(sb, '|');
		for (size_t k = 0; k < row->len[i]; k++) {
			char c = row->f[i][k];
			if (c == '\n')
				strbuf_add(sb, "\\n", 2);
			else if (c == '\r')
				strbuf_add(sb, "\\r", 2);
			else if (c == '\0')
				strbuf_add(sb, "\\0", 2);
			else
				strbuf_addch(sb, c);
		}
	}
	strbuf_addch(sb, '\n');
	return 0;
}

static void read_mem(const char *s, size_t len, int libcsv_only, struct strbuf *out)
{
	struct csvr_opts o = { .libcsv_only = libcsv_only };
	struct mi_err err = MI_ERR_INIT;
	FILE *fp = fmemopen((void *)s, len, "r");

	cr_assert_not_null(fp);
	strbuf_reset(out);
	cr_assert_eq(csvr_read(fp, "mem", &o, dump_row, out, NULL, &err), 0, "%s", err.msg);
	fclose(fp);
}

Test(csvread, lines_offsets_quotes_crlf_bom)
{
	static const char in[] = "\xEF\xBB\xBF" "a,b\r\n"
				 "1,\"two\nlines\"\r\n"
				 "\n"
				 "3,\"x\"\"y\"\n"
				 "4,last";
	struct strbuf sb = STRBUF_INIT;

	read_mem(in, sizeof(in) - 1, 0, &sb);
	/* the BOM is skipped but counted: the header starts at byte 3 */
	cr_assert_str_eq(sb.buf, "1:3:0|a|b\n"
				 "2:8:0|1|two\\nlines\n"
				 "5:24:0|3|x\"y\n"
				 "6:33:0|4|last\n");
	strbuf_release(&sb);
}

Test(csvread, nul_bytes_pass_through)
{
	static const char in[] = "a,b\nx\0y,z\n";
	struct strbuf sb = STRBUF_INIT;

	read_mem(in, sizeof(in) - 1, 0, &sb);
	cr_assert_str_eq(sb.buf, "1:0:0|a|b\n2:4:0|x\\0y|z\n");
	strbuf_release(&sb);
}

Test(csvread, unterminated_quote_is_flagged)
{
	static const char in[] = "a,b\n1,\"open\n";
	struct strbuf sb = STRBUF_INIT;

	read_mem(in, sizeof(in) - 1, 0, &sb);
	cr_assert_str_eq(sb.buf, "1:0:0|a|b\n2:4:2|1|open\\n\n");
	cr_assert_str_eq(csvr_flag_reason(CSVR_F_UNTERMINATED),
			 "unterminated quoted field at end of input");
	strbuf_release(&sb);
}

/* The fast path for quote-free lines gives exactly what libcsv gives. */
Test(csvread, fast_path_matches_libcsv)
{
	static const char *const inputs[] = {
		"a,b,c\n1,2,3\n",
		" a , b ,\t c \n,,\n,\n x\n",
		"a,\"b\"\n1,2\r\n3,\"4\r\n5\"\n6,7",
		"a\rb,c\nd,e\n",
		"   \n\t\n,\n",
		"x,y\n\"q\" ,z\nw,\"\"\n",
		"1,2\n\n\n3,4\r\n\r\n5,6\n",
		/* quotes around whole fields: split directly (calendar prices) */
		"1,2024-09-13,t,\"$1,379.00\",\"$1,379.00\",3,365\n2,x,f,$9.00,,,\n",
		"\"a\",\"\",\"b,c\"\r\n\"\",\"\"\n\" x \",\"y \"\n\"z\"\n",
		"a,\"b\",\n,\"\",\"\"\n\"1\",,2\n",
		/* and what libcsv reads: quotes inside, blanks around, text after */
		"a,\"b\"\"c\",d\n \"e\",f\n\"g\" ,h\n\"i\"j,k\nl\"m\",n\n\"o,p\n",
		"\"a\",\"b\nc\",d\n\"e\"\n",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct strbuf fast = STRBUF_INIT, slow = STRBUF_INIT;

		read_mem(inputs[i], strlen(inputs[i]), 0, &fast);
		read_mem(inputs[i], strlen(inputs[i]), 1, &slow);
		cr_expect_str_eq(fast.buf, slow.buf, "input %zu", i);
		strbuf_release(&fast);
		strbuf_release(&slow);
	}
}

struct count {
	int rows, toobig;
	long long last_line;
	size_t longest;
};

static int count_row(void *data, const struct csvr_row *row, struct mi_err *err)
{
	struct count *c = data;

	(void)err;
	c->rows++;
	if (row->flags & CSVR_F_TOOBIG)
		c->toobig++;
	c->last_line = row->line;
	for (int i = 0; i < row->nfields; i++)
		if (row->len[i] > c->longest)
			c->longest = row->len[i];
	return 0;
}

static long peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A 10 MB line is one reject and memory stays bounded; the next line reads. */
static void ten_mb_line(int quoted)
{
	const size_t big = 10 * 1024 * 1024;
	struct csvr_opts o = { 0 };
	struct mi_err err = MI_ERR_INIT;
	struct count c = { 0, 0, 0, 0 };
	FILE *fp = tmpfile();
	char *chunk = malloc(65536);
	long before;

	cr_assert_not_null(fp);
	cr_assert_not_null(chunk);
	memset(chunk, 'x', 65536);
	fputs("a,b\n1,", fp);
	if (quoted)
		fputc('"', fp);
	for (size_t n = 0; n < big; n += 65536)
		fwrite(chunk, 1, 65536, fp);
	if (quoted)
		fputc('"', fp);
	fputs("\n2,ok\n", fp);
	free(chunk);
	rewind(fp);
	before = peak_kb();
	cr_assert_eq(csvr_read(fp, "big", &o, count_row, &c, NULL, &err), 0, "%s", err.msg);
	fclose(fp);
	cr_expect_eq(c.toobig, 1);
	cr_expect_eq(c.rows, 3, "rows %d", c.rows);
	cr_expect_eq(c.last_line, 3);
	cr_expect(c.longest <= 1024 * 1024, "longest field %zu", c.longest);
	/* the 1 MiB field cap and 64 KiB blocks: far below the 10 MB line
	 * (not measurable under AddressSanitizer, which keeps freed blocks) */
#ifndef __SANITIZE_ADDRESS__
	cr_expect(peak_kb() - before < 6 * 1024, "peak grew by %ld kB", peak_kb() - before);
#else
	(void)before;
#endif
}

Test(csvread, ten_mb_unquoted_line)
{
	ten_mb_line(0);
}

Test(csvread, ten_mb_quoted_field)
{
	ten_mb_line(1);
}

Test(csvread, many_fields_capped)
{
	struct csvr_opts o = { .max_fields = 16 };
	struct mi_err err = MI_ERR_INIT;
	struct count c = { 0, 0, 0, 0 };
	static const char in[] = "a\n1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18\nok\n";
	FILE *fp = fmemopen((void *)in, sizeof(in) - 1, "r");

	cr_assert_eq(csvr_read(fp, "mem", &o, count_row, &c, NULL, &err), 0);
	fclose(fp);
	cr_expect_eq(c.rows, 3);
	cr_expect_eq(c.toobig, 1);
}

static int stop_at_two(void *data, const struct csvr_row *row, struct mi_err *err)
{
	(void)data;
	if (row->line == 2)
		return mi_err_set(err, MI_EXIT_IO, "stop");
	return 0;
}

Test(csvread, callback_stops_the_reader)
{
	static const char in[] = "a\nb\nc\n";
	struct mi_err err = MI_ERR_INIT;
	FILE *fp = fmemopen((void *)in, sizeof(in) - 1, "r");

	cr_expect_eq(csvr_read(fp, "mem", NULL, stop_at_two, NULL, NULL, &err), -1);
	cr_expect_str_eq(err.msg, "stop");
	fclose(fp);
}

Test(csvread, header_map_by_name)
{
	const char *f[] = { "ID", " name ", "price\r" };
	size_t len[] = { 2, 6, 6 };
	struct csvr_row row = { 3, f, len, 1, 0, 1, "", 0, 0, NULL };
	const char *const want[] = { "price", "id", "missing", "name" };
	int idx[4];

	cr_assert_eq(csvr_header_map(&row, want, 4, idx), 3);
	cr_expect_eq(idx[0], 2);
	cr_expect_eq(idx[1], 0);
	cr_expect_eq(idx[2], -1);
	cr_expect_eq(idx[3], 1);
}

/* ---- stray quotes: one bad quote costs one line ---- */

static void read_hdr(const char *s, size_t len, int libcsv_only, size_t max_span,
		     struct strbuf *out)
{
	struct csvr_opts o = { .libcsv_only = libcsv_only, .header = 1, .max_span = max_span };
	struct mi_err err = MI_ERR_INIT;
	FILE *fp = fmemopen((void *)s, len, "r");

	cr_assert_not_null(fp);
	strbuf_reset(out);
	cr_assert_eq(csvr_read(fp, "mem", &o, dump_row, out, NULL, &err), 0, "%s", err.msg);
	fclose(fp);
}

/* Both paths (fast and libcsv alone) give want. */
static void expect_both(const char *in, size_t max_span, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	for (int slow = 0; slow <= 1; slow++) {
		read_hdr(in, strlen(in), slow, max_span, &sb);
		cr_expect_str_eq(sb.buf, want, "libcsv_only=%d", slow);
	}
	strbuf_release(&sb);
}

Test(csvread, stray_quote_wrong_width_costs_one_line)
{
	/* the quote opened on line 3 closes on line 5, where "q" is out of place */
	expect_both("a,b,c,d\n"
		    "1,x,y,z\n"
		    "2,\"open,y,z\n"
		    "3,x,y,z\n"
		    "4,\"q\",y,z\n"
		    "5,x,y,z\n",
		    0,
		    "1:0:0|a|b|c|d\n"
		    "2:8:0|1|x|y|z\n"
		    "3:16:4|2\n"
		    "4:28:0|3|x|y|z\n"
		    "5:36:0|4|q|y|z\n"
		    "6:46:0|5|x|y|z\n");
}

Test(csvread, stray_quote_closing_cleanly_into_the_wrong_width)
{
	/* a quote opened on line 2 closes cleanly at line 3's end: 2 fields, the header has 3 */
	expect_both("a,b,c\n"
		    "2,\"open,y\n"
		    "3,x,y\"\n"
		    "4,x,y\n",
		    0,
		    "1:0:0|a|b|c\n"
		    "2:6:4|2|open,y\\n3,x,y\n"
		    "3:16:0|3|x|y\"\n"
		    "4:23:0|4|x|y\n");
}

Test(csvread, stray_quote_right_width_caught_by_strict_reading)
{
	/*
	 * Inside Airbnb prices are quoted in the same column, so a stray
	 * quote on line 2 closes at line 3's opening quote and the record
	 * would even have the header's width: the quote out of place after
	 * the line end gives it away.
	 */
	expect_both("listing_id,date,price,min\n"
		    "77,2024-09-14,\"$50.00,1\n"
		    "77,2024-09-15,\"$60.00\",1\n"
		    "77,2024-09-16,\"$1,060.00\",1\n",
		    0,
		    "1:0:0|listing_id|date|price|min\n"
		    "2:26:4|77|2024-09-14\n"
		    "3:50:0|77|2024-09-15|$60.00|1\n"
		    "4:75:0|77|2024-09-16|$1,060.00|1\n");
}

Test(csvread, stray_quote_never_closing_stops_at_the_span)
{
	struct strbuf in = STRBUF_INIT, got = STRBUF_INIT;
	int rows = 0, rejects = 0;

	strbuf_addstr(&in, "id,name,n\n");
	for (int i = 1; i <= 2000; i++)
		strbuf_addf(&in, "%d,%sname %d,%d\n", i, i == 1000 ? "\"" : "", i, i);
	for (int slow = 0; slow <= 1; slow++) {
		read_hdr(in.buf, in.len, slow, 4096, &got);
		rows = rejects = 0;
		for (const char *p = got.buf; *p; p = strchr(p, '\n') + 1) {
			rows++;
			if (strncmp(strchr(p, ':') + 1 + strcspn(strchr(p, ':') + 1, ":") + 1, "0|", 2))
				rejects++;
		}
		cr_expect_eq(rows, 2001, "libcsv_only=%d: %d rows", slow, rows);
		cr_expect_eq(rejects, 1, "libcsv_only=%d: %d rejects", slow, rejects);
		cr_expect(strstr(got.buf, "\n1000:") && strstr(got.buf, "\n1001:"),
			  "the lines around the stray quote are there");
	}
	strbuf_release(&in);
	strbuf_release(&got);
}

static int note(void *data, const struct csvr_row *row, struct mi_err *e)
{
	struct strbuf *sb = data;
	const char *why = csvr_row_reason(row);

	(void)e;
	strbuf_addf(sb, "%lld %s - ", row->line, why ? why : "-");
	for (size_t i = 0; i < row->raw_len; i++)
		if (row->raw[i] == '\n')
			strbuf_add(sb, "\\n", 2);
		else
			strbuf_addch(sb, row->raw[i]);
	strbuf_addch(sb, '\n');
	return 0;
}

Test(csvread, stray_quote_reasons_and_excerpt)
{
	struct strbuf log = STRBUF_INIT;
	static const char in[] = "a,b\n1,\"x\n2,y\n3,\"q\" z\n";
	struct csvr_opts o = { .header = 1 };
	struct mi_err err = MI_ERR_INIT;
	FILE *fp = fmemopen((void *)in, sizeof(in) - 1, "r");

	cr_assert_eq(csvr_read(fp, "mem", &o, note, &log, NULL, &err), 0);
	fclose(fp);
	cr_expect_str_eq(log.buf,
			 "1 - - a,b\\n\n"
			 "2 stray quote: the quoted field opened on this line runs to line 4, "
			 "where a quote is out of place - 1,\"x\\n\n"
			 "3 - - 2,y\\n\n"
			 "4 unterminated quoted field at end of input - 3,\"q\" z\\n\n");
	strbuf_release(&log);
}

Test(csvread, legit_multiline_fields_still_read)
{
	expect_both("id,text,n\n"
		    "1,\"two\nlines, \"\"quoted\"\"\",3\n"
		    "2,\"three\n\nlines\",4\n",
		    0,
		    "1:0:0|id|text|n\n"
		    "2:10:0|1|two\\nlines, \"quoted\"|3\n"
		    "4:38:0|2|three\\n\\nlines|4\n");
}

Test(csvread, unterminated_after_a_line_end_costs_one_line)
{
	expect_both("a,b\n1,\"open\n2,x\n3,y\n", 0,
		    "1:0:0|a|b\n"
		    "2:4:2|1|open\\n2,x\\n3,y\\n\n"
		    "3:12:0|2|x\n"
		    "4:16:0|3|y\n");
}

static int stray_rows(void *data, const struct csvr_row *row, struct mi_err *e)
{
	int *n = data;

	(void)e;
	if (row->flags) {
		(*n)++;
		cr_expect_eq(row->line, 50002, "the reject is the stray quote's line");
		cr_expect_eq(row->flags, CSVR_F_STRAY_QUOTE);
	} else {
		cr_expect_eq(row->nfields, 7, "line %lld", row->line);
	}
	return 0;
}

/* The case: a 100,000-row calendar with a stray quote at row 50,001. */
Test(csvread, stray_quote_in_a_big_calendar)
{
	struct strbuf in = STRBUF_INIT;
	struct csvr_opts o = { .header = 1 };
	struct mi_err err = MI_ERR_INIT;
	struct count c = { 0, 0, 0, 0 };
	struct csvr_stats st;
	FILE *fp;
	int strays = 0;

	strbuf_addstr(&in, "listing_id,date,available,price,adjusted_price,minimum_nights,"
			   "maximum_nights\n");
	for (int i = 1; i <= 100000; i++)
		strbuf_addf(&in, "%d,2024-09-%02d,t,%s$%d.00%s,,1,30\n", 1000 + i / 30,
			    1 + i % 28, i == 50001 ? "\"" : i % 7 ? "" : "\"", 50 + i % 90,
			    i != 50001 && i % 7 == 0 ? "\"" : "");
	fp = fmemopen(in.buf, in.len, "r");
	cr_assert_not_null(fp);
	cr_assert_eq(csvr_read(fp, "cal", &o, count_row, &c, &st, &err), 0, "%s", err.msg);
	fclose(fp);
	cr_expect_eq(c.rows, 100001, "%d rows", c.rows);
	cr_expect_eq(st.lines, 100001);
	fp = fmemopen(in.buf, in.len, "r");
	cr_assert_eq(csvr_read(fp, "cal", &o, stray_rows, &strays, NULL, &err), 0);
	fclose(fp);
	cr_expect_eq(strays, 1);
	strbuf_release(&in);
}
