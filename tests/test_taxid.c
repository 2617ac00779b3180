/* Unit tests of tax and permit ids: single values, positions, bounds. */
#include <criterion/criterion.h>

#include <string.h>

#include "taxid.h"

#include "banned.h"

static int one(const char *s, struct taxid_hit *h)
{
	return taxid_parse(s, strlen(s), h);
}

Test(taxid, single_values_any_case_and_spacing)
{
	struct taxid_hit h;

	cr_assert_eq(one("ta-020-657-9712-01", &h), 0);
	cr_assert_eq(h.kind, TAXID_TA);
	cr_assert_str_eq(h.id, "TA-020-657-9712-01");
	cr_assert_eq(one(" TA 020 657 9712 01 ", &h), 0);
	cr_assert_str_eq(h.id, "TA-020-657-9712-01");
	cr_assert_eq(one("GE020657971201", &h), 0);
	cr_assert_eq(h.kind, TAXID_GE);
	cr_assert_str_eq(h.id, "GE-020-657-9712-01");
	cr_assert_eq(one("119-269-5808-01R", &h), 0);
	cr_assert_eq(h.kind, TAXID_TAX);
	cr_assert_str_eq(h.id, "119-269-5808-01R");
	cr_assert_eq(one("W12345678-01", &h), 0);
	cr_assert_eq(h.kind, TAXID_W);
	cr_assert_eq(one("STKM 2013/0012", &h), 0);
	cr_assert_eq(h.kind, TAXID_PERMIT);
	cr_assert_str_eq(h.id, "STKM-2013-0012");
	cr_assert_eq(one("90/TVU-0123", &h), 0);
	cr_assert_eq(h.kind, TAXID_NUC);
}

Test(taxid, single_value_refusals)
{
	struct taxid_hit h;
	static const char *const bad[] = {
		"", "Exempt", "TA-148-664-9856", "TA-148-664-9856-01 and more", "148664985601",
		"(1) 2-6-010:007", "STAR 2020", "W1234567-01",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(one(bad[i], &h), -1, "'%s'", bad[i]);
}

Test(taxid, extract_reports_positions)
{
	const char *s = "Licensed: TA-116-492-9024-01 / TMK (2) 3-9-001:085-0095";
	struct taxid_hit h[4];

	cr_assert_eq(taxid_extract(s, strlen(s), NULL, h, 4), 2);
	cr_assert_eq(h[0].off, 10);
	cr_assert_eq(h[0].len, strlen("TA-116-492-9024-01"));
	cr_assert_eq(h[1].kind, TAXID_TMK);
	cr_assert_str_eq(h[1].tmk.tmk13, "2390010850095");
	cr_assert_eq(memcmp(s + h[1].off, "(2) 3-9-001:085-0095", h[1].len), 0);
}

Test(taxid, extract_counts_beyond_max)
{
	const char *s = "TA-163-133-0304-01 GE-163-133-0304-01 STKM 2013/0012 TVNC-1234";
	struct taxid_hit h[2];

	cr_assert_eq(taxid_extract(s, strlen(s), NULL, h, 2), 4);
	cr_assert_eq(h[1].kind, TAXID_GE);
	cr_assert_eq(taxid_extract(s, strlen(s), NULL, NULL, 0), 4);
}

Test(taxid, twelve_digits_are_a_tax_id_when_they_repeat_one)
{
	const char *s = "116492902401 (TA-116-492-9024-01)";
	struct taxid_hit h[4];
	struct tmk_opts o;

	memset(&o, 0, sizeof(o));
	o.county_hint = 1;
	cr_assert_eq(taxid_extract(s, strlen(s), &o, h, 4), 1);
	cr_assert_eq(h[0].kind, TAXID_TA);
	/* the same digits alone, in a listing's TMK field, are a TMK */
	cr_assert_eq(taxid_extract("116492902401", 12, &o, h, 4), 1);
	cr_assert_eq(h[0].kind, TAXID_TMK);
}

Test(taxid, kind_names)
{
	cr_assert_str_eq(taxid_kind_name(TAXID_TA), "ta");
	cr_assert_str_eq(taxid_kind_name(TAXID_TMK12), "tmk12");
	cr_assert_str_eq(taxid_kind_name((enum taxid_kind)99), "unknown");
}
