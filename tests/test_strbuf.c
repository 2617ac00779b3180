#include "strbuf.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

Test(strbuf, starts_empty_and_nul_terminated)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_not_null(sb.buf);
	cr_assert_eq(sb.len, 0);
	cr_assert_str_eq(sb.buf, "");
	cr_assert(strbuf_check(&sb));
	strbuf_release(&sb);
}

Test(strbuf, appends_and_formats)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	cr_assert_eq(strbuf_addstr(&sb, "TMK "), 0);
	cr_assert_eq(strbuf_addf(&sb, "(%d) %s", 2, "4-3-005:020"), 0);
	cr_assert_eq(strbuf_addch(&sb, '!'), 0);
	cr_assert_str_eq(sb.buf, "TMK (2) 4-3-005:020!");
	cr_assert(strbuf_check(&sb));
	strbuf_release(&sb);
}

Test(strbuf, hard_cap_refuses_and_keeps_content)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	cr_assert_eq(strbuf_addstr(&sb, "12345678"), 0);
	cr_assert_eq(strbuf_addch(&sb, '9'), -1);
	cr_assert(sb.toobig);
	cr_assert_str_eq(sb.buf, "12345678");
	cr_assert_eq(strbuf_addf(&sb, "%s", "more"), -1);
	cr_assert_eq(sb.len, 8);
	strbuf_release(&sb);
}

Test(strbuf, detach_hands_over_the_bytes)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	char *s;

	strbuf_addstr(&sb, "aloha");
	s = strbuf_detach(&sb, &len);
	cr_assert_str_eq(s, "aloha");
	cr_assert_eq(len, 5);
	cr_assert_eq(sb.len, 0);
	cr_assert_str_eq(sb.buf, "");
	free(s);
	s = strbuf_detach(&sb, NULL); /* an empty buffer detaches to "" */
	cr_assert_str_eq(s, "");
	free(s);
}

Test(strbuf, trim)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, " \t Kihei \r\n");
	strbuf_trim(&sb);
	cr_assert_str_eq(sb.buf, "Kihei");
	strbuf_release(&sb);
}

Test(strbuf, getline_reports_overlong_lines_and_goes_on)
{
	struct strbuf sb;
	FILE *fp = tmpfile();

	fputs("short\n0123456789abcdef\nnext\nlast", fp);
	rewind(fp);
	strbuf_init(&sb, 10);
	cr_assert_eq(strbuf_getline(&sb, fp), 1);
	cr_assert_str_eq(sb.buf, "short");
	cr_assert_eq(strbuf_getline(&sb, fp), -1);
	cr_assert(sb.toobig);
	cr_assert_eq(strbuf_getline(&sb, fp), 1);
	cr_assert_str_eq(sb.buf, "next");
	cr_assert_eq(strbuf_getline(&sb, fp), 1);
	cr_assert_str_eq(sb.buf, "last");
	cr_assert_eq(strbuf_getline(&sb, fp), 0);
	strbuf_release(&sb);
	fclose(fp);
}
