#include "records.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static char *row_text(const struct rec_row *r)
{
	static char buf[4096];
	FILE *fp = fmemopen(buf, sizeof(buf), "w");

	cr_assert_eq(rec_row_write(r, fp), 0);
	fclose(fp);
	return buf;
}

Test(records, entities_are_found_by_name_and_file)
{
	cr_assert_eq(rec_entity_find("pricing")->id, REC_E_PRICING);
	cr_assert_eq(rec_entity_find("sales.tsv")->id, REC_E_SALES);
	cr_assert_null(rec_entity_find("nope"));
	cr_assert_eq(rec_column_index(rec_entity_find("pricing"), "stay_date"), PRICING_stay_date);
	for (int i = 0; i < REC_E_COUNT; i++)
		cr_assert_str_eq(rec_entities[i].cols[REC_COL_SOURCE].name, "source");
}

Test(records, unset_columns_are_null_and_specials_escaped)
{
	struct rec_row r;
	char *s;

	rec_row_init(&r, &rec_entities[REC_E_PRICING], 0);
	rec_set_str(&r, PRICING_source, "airbnb");
	rec_set_str(&r, PRICING_listing_id, "a\tb\\c\nd\re");
	rec_set_cents(&r, PRICING_price, 137900);
	rec_set_bool(&r, PRICING_available, 0);
	s = row_text(&r);
	cr_assert_str_eq(s, "airbnb\t\\N\t\\N\t\\N\t\\N\t\\N\ta\\tb\\\\c\\nd\\re\t\\N\t\\N\tf"
			    "\t1379.00\t\\N\t\\N\t\\N\t\\N\n");
	rec_row_release(&r);
}

Test(records, refuses_bad_utf8_and_nul)
{
	struct rec_row r;

	rec_row_init(&r, &rec_entities[REC_E_REVIEWS], 0);
	cr_assert_eq(rec_set(&r, REVIEWS_text, "ok\xff", 3), REC_BAD_UTF8);
	cr_assert_eq(rec_set(&r, REVIEWS_text, "a\0b", 3), REC_NUL);
	cr_assert_eq(rec_set(&r, REVIEWS_text, "\xed\xa0\x80", 3), REC_BAD_UTF8); /* surrogate */
	cr_assert_eq(rec_set(&r, REVIEWS_text, "\xc0\xaf", 2), REC_BAD_UTF8);     /* overlong */
	cr_assert_eq(rec_set_str(&r, REVIEWS_text, "Aliʻi Drive — mahalo"), REC_OK);
	rec_row_release(&r);
}

Test(records, row_cap_is_enforced)
{
	struct rec_row r;
	char big[200];

	memset(big, 'x', sizeof(big));
	rec_row_init(&r, &rec_entities[REC_E_REVIEWS], 100);
	cr_assert_eq(rec_set(&r, REVIEWS_text, big, sizeof(big)), REC_TOOBIG);
	cr_assert_eq(rec_set(&r, REVIEWS_text, big, 50), REC_OK);
	rec_row_release(&r);
}

Test(records, split_line_round_trips)
{
	struct rec_row r;
	char *fields[64];
	size_t lens[64];
	char line[4096];
	int n;

	rec_row_init(&r, &rec_entities[REC_E_PRICING], 0);
	rec_set_str(&r, PRICING_listing_id, "tab\there\\and\nnewline");
	rec_set_str(&r, PRICING_currency, "");
	snprintf(line, sizeof(line), "%s", row_text(&r));
	n = rec_split_line(line, strlen(line), fields, lens, 64);
	cr_assert_eq(n, PRICING__N);
	cr_assert_null(fields[PRICING_source]);
	cr_assert_str_eq(fields[PRICING_listing_id], "tab\there\\and\nnewline");
	cr_assert_eq(lens[PRICING_listing_id], strlen("tab\there\\and\nnewline"));
	cr_assert_str_eq(fields[PRICING_currency], "");
	cr_assert_null(fields[PRICING_max_nights]);
	rec_row_release(&r);
}

Test(records, long_rows_are_written_whole)
{
	static char big[40000], line[50000];
	struct rec_row r;
	char *fields[64];
	size_t lens[64];
	FILE *fp = fmemopen(line, sizeof(line), "w");

	memset(big, 'a', sizeof(big) - 1);
	big[100] = '\t';
	rec_row_init(&r, &rec_entities[REC_E_REVIEWS], 0);
	rec_set_str(&r, REVIEWS_text, big);
	rec_set_int(&r, REVIEWS_src_line, -1234567890123LL);
	cr_assert_eq(rec_row_write(&r, fp), 0);
	fclose(fp);
	cr_assert_eq(rec_split_line(line, strlen(line), fields, lens, 64), REVIEWS__N);
	cr_assert_eq(lens[REVIEWS_text], sizeof(big) - 1);
	cr_assert_eq(fields[REVIEWS_text][100], '\t');
	cr_assert_str_eq(fields[REVIEWS_src_line], "-1234567890123");
	rec_row_release(&r);
}
