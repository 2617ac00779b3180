/*
 * dateshift: move every date of a file by the same number of days, so that a
 * fixture market written around one day can be served as if scraped today
 * (the demo and the end-to-end tests of mi-run).
 *
 *   dateshift --from YYYY-MM-DD --to YYYY-MM-DD IN OUT
 *
 * Every date written YYYY-MM-DD or YYYY/MM/DD (year 1990-2199, a real
 * calendar day, not touching other digits) moves by TO - FROM days and keeps
 * its separator; every other byte is copied unchanged (any encoding: the
 * Maui spool is windows-1252).  Placeholders such as 1900/01/01 stay.
 * OUT is written whole, then renamed over.
 *
 * Exit status: 0 done, 64 usage, 66 IN cannot be read, 74 OUT cannot be
 * written.
 */
#include "exitcode.h"
#include "opts.h"
#include "strbuf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

static const struct mi_cmd_info info = {
	.name = "dateshift",
	.usage = "usage: dateshift --from YYYY-MM-DD --to YYYY-MM-DD IN OUT\n"
		 "\n"
		 "Copy IN to OUT with every date YYYY-MM-DD or YYYY/MM/DD moved by the\n"
		 "days from --from to --to.\n"
		 "\n"
		 "Exit status: 0 done, 64 usage, 66 IN cannot be read, 74 OUT cannot be written.\n",
};

static int digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* days since 1970-01-01 of a valid date, or -1 */
static long day_number(int y, int m, int d)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
		return -1;
	return (long)(t / 86400);
}

static int parse_arg_date(const char *s, long *day)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	*day = day_number(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2));
	return *day < 0 ? -1 : 0;
}

static void shift(struct strbuf *out, const char *buf, size_t len, long by)
{
	size_t i = 0;

	while (i < len) {
		const char *p = buf + i;
		int y, m, d;
		long n;

		if (i + 10 <= len && (p[4] == '-' || p[4] == '/') && p[7] == p[4] &&
		    (i == 0 || !is_digit(buf[i - 1])) && (i + 10 == len || !is_digit(p[10])) &&
		    (y = digits(p, 4)) >= 1990 && y < 2200 && (m = digits(p + 5, 2)) > 0 &&
		    (d = digits(p + 8, 2)) > 0 && (n = day_number(y, m, d)) >= 0) {
			time_t t = (time_t)(n + by) * 86400 + 43200;
			struct tm tm;
			char sep = p[4];

			gmtime_r(&t, &tm);
			strbuf_addf(out, "%04d%c%02d%c%02d", tm.tm_year + 1900, sep, tm.tm_mon + 1, sep,
				    tm.tm_mday);
			i += 10;
			continue;
		}
		strbuf_addch(out, *p);
		i++;
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		MI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *to = NULL;
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT, tmp = STRBUF_INIT;
	long a, b;
	int c, ret = MI_EXIT_OK;
	FILE *fp;
	char chunk[65536];
	size_t n;

	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'h': return mi_opts_help(&info);
		case 'V': return mi_opts_version(&info);
		default: return mi_opts_usage_error(&info, "unknown option");
		}
	}
	if (!from || !to || argc - optind != 2)
		return mi_opts_usage_error(&info, "--from, --to, IN and OUT are required");
	if (parse_arg_date(from, &a) < 0 || parse_arg_date(to, &b) < 0)
		return mi_opts_usage_error(&info, "invalid date: must be YYYY-MM-DD");

	fp = fopen(argv[optind], "rb");
	if (!fp) {
		fprintf(stderr, "dateshift: cannot open '%s'\n", argv[optind]);
		return MI_EXIT_NOINPUT;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		strbuf_add(&in, chunk, n);
	if (ferror(fp)) {
		fprintf(stderr, "dateshift: cannot read '%s'\n", argv[optind]);
		ret = MI_EXIT_NOINPUT;
	}
	fclose(fp);
	if (ret)
		goto out;
	shift(&out, in.buf, in.len, b - a);

	strbuf_addf(&tmp, "%s.tmp", argv[optind + 1]);
	fp = fopen(tmp.buf, "wb");
	if (!fp || fwrite(out.buf, 1, out.len, fp) != out.len || fclose(fp) != 0 ||
	    rename(tmp.buf, argv[optind + 1]) < 0) {
		fprintf(stderr, "dateshift: cannot write '%s'\n", argv[optind + 1]);
		ret = MI_EXIT_IO;
	}
out:
	strbuf_release(&in);
	strbuf_release(&out);
	strbuf_release(&tmp);
	return ret;
}
