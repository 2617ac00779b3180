/*
 * load: the line checks that decide what may go to COPY as is.  (The merges,
 * rejects, idempotence and kills are covered end to end by tests/t07xx-load-*.sh.)
 */
#include "load.h"
#include "records.h"

#include <criterion/criterion.h>
#include <string.h>

#include "banned.h"

static const char *check(const char *s, int ncols)
{
	return load_check_line(s, strlen(s), ncols);
}

Test(load, good_lines)
{
	cr_expect_null(check("a\tb\tc", 3));
	cr_expect_null(check("\\N\t\\N\t\\N", 3));
	cr_expect_null(check("tab\\tin\\nside\\\\ and \\r\tx\ty", 3));
	cr_expect_null(check("Hale \xca\xbb\xc5\x8chi\xca\xbba \xf0\x9f\x8c\xba\t\t", 3));
	cr_expect_null(check("'); DROP TABLE x; --\t\"q\"\t$$", 3));
	cr_expect_null(check("", 1));
}

Test(load, field_count)
{
	cr_expect_str_eq(check("a\tb", 3), "field_count");
	cr_expect_str_eq(check("a\tb\tc\td", 3), "field_count");
}

Test(load, escapes_copy_would_reinterpret)
{
	cr_expect_str_eq(check("octal \\0 nul\tb\tc", 3), "bad_escape");
	cr_expect_str_eq(check("hex \\x41\tb\tc", 3), "bad_escape");
	cr_expect_str_eq(check("\\.", 1), "bad_escape");
	cr_expect_str_eq(check("trailing backslash\\", 1), "bad_escape");
	/* \N is NULL only as a whole field */
	cr_expect_str_eq(check("a\\N\tb", 2), "bad_escape");
	cr_expect_str_eq(check("\\Nb\tb", 2), "bad_escape");
}

Test(load, raw_bytes)
{
	static const char nul[] = "a\0b\tc";
	cr_expect_str_eq(load_check_line(nul, sizeof(nul) - 1, 2), "nul_byte");
	cr_expect_str_eq(check("a\rb\tc", 2), "carriage_return");
	cr_expect_str_eq(check("a\x01" "b\tc", 2), "control_char");
	cr_expect_str_eq(check("bad \xff\xfe\tc", 2), "invalid_utf8");
	cr_expect_str_eq(check("overlong \xc0\xaf\tc", 2), "invalid_utf8");
	cr_expect_str_eq(check("surrogate \xed\xa0\x80\tc", 2), "invalid_utf8");
	cr_expect_str_eq(check("cut \xe2\x80", 1), "invalid_utf8");
}

Test(load, every_row_the_writer_makes_passes)
{
	/* what rec_set() escapes, load_check_line() accepts: the two ends agree */
	static const char *vals[] = { "plain", "tab\there", "nl\nhere", "cr\rhere", "bs\\here",
				      "\\N", "\\.", "", "\xca\xbb\xc5\x8c", "x\\0y" };
	const struct rec_entity *e = rec_entity_find("pricing");
	struct rec_row r;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	cr_assert_not_null(e);
	rec_row_init(&r, e, 0);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		rec_row_clear(&r);
		for (int c = 0; c < e->ncols; c++)
			cr_assert_eq(rec_set_str(&r, c, c % 2 ? vals[i] : NULL), REC_OK);
		fp = open_memstream(&buf, &len);
		cr_assert_not_null(fp);
		cr_assert_eq(rec_row_write(&r, fp), 0);
		fclose(fp);
		cr_assert(len > 0 && buf[len - 1] == '\n');
		cr_expect_null(load_check_line(buf, len - 1, e->ncols), "value %zu: %s", i,
			       load_check_line(buf, len - 1, e->ncols));
		free(buf);
		buf = NULL;
	}
	rec_row_release(&r);
}
