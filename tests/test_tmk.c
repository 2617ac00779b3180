/*
 * Unit tests of the tmk API beyond the golden cases: output helpers, bounds,
 * byte ranges without a NUL, split columns, and the invariants.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "tmk.h"

#include "banned.h"

static int parse(const char *s, int county, struct tmk *t, enum tmk_reason *r)
{
	struct tmk_opts o;

	memset(&o, 0, sizeof(o));
	o.county_hint = county;
	return tmk_parse(s, strlen(s), &o, t, r);
}

Test(tmk, canonical_parts_and_display)
{
	struct tmk t;
	enum tmk_reason r;
	char buf[32], p9[10];

	cr_assert_eq(parse("TMK (1) 2-6-010:007-0152", 0, &t, &r), 0);
	cr_assert_str_eq(t.tmk13, "1260100070152");
	cr_assert_eq(t.county, 1);
	cr_assert_eq(t.zone, 2);
	cr_assert_eq(t.section, 6);
	cr_assert_eq(t.plat, 10);
	cr_assert_eq(t.parcel, 7);
	cr_assert_eq(t.cpr, 152);
	cr_assert_eq(tmk_display(&t, buf, sizeof(buf)), 20);
	cr_assert_str_eq(buf, "(1) 2-6-010:007-0152");
	tmk_parcel9(&t, p9);
	cr_assert_str_eq(p9, "126010007");
	cr_assert(tmk_check(&t));
}

Test(tmk, display_truncates_like_snprintf)
{
	struct tmk t;
	char small[8];

	cr_assert_eq(parse("1260100070152", 0, &t, NULL), 0);
	cr_assert_eq(tmk_display(&t, small, sizeof(small)), 20);
	cr_assert_str_eq(small, "(1) 2-6");
	cr_assert_eq(tmk_display(&t, NULL, 0), 20);
}

Test(tmk, flags_have_stable_names)
{
	char buf[256];
	unsigned i;

	cr_assert_str_eq(tmk_flag_name(TMK_F_COUNTY_INFERRED), "county-inferred");
	cr_assert_str_eq(tmk_flag_name(TMK_F_PORTION), "portion");
	cr_assert_str_eq(tmk_flag_name(TMK_F_CPR_ASSUMED), "cpr-assumed");
	cr_assert_null(tmk_flag_name(1u << 20));
	cr_assert_null(tmk_flag_name(3));
	for (i = 0; i < TMK_F_COUNT; i++)
		cr_assert_not_null(tmk_flag_name(1u << i));
	cr_assert_eq(tmk_flags_format(0, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(tmk_flags_format(TMK_F_PORTION | TMK_F_LIST, buf, sizeof(buf)),
		     strlen("portion,list"));
	cr_assert_str_eq(buf, "portion,list");
	/* truncation keeps a NUL and reports the full length */
	cr_assert_eq(tmk_flags_format(TMK_F_PORTION | TMK_F_LIST, buf, 5), strlen("portion,list"));
	cr_assert_str_eq(buf, "port");
}

Test(tmk, reasons_are_distinct_short_texts)
{
	int a, b;

	for (a = TMK_E_EMPTY; a <= TMK_E_TOO_LONG; a++) {
		const char *s = tmk_reason_str((enum tmk_reason)a);

		cr_assert(s && *s && strlen(s) < 40);
		for (b = a + 1; b <= TMK_E_TOO_LONG; b++)
			cr_assert_str_neq(s, tmk_reason_str((enum tmk_reason)b));
	}
}

Test(tmk, byte_range_without_nul)
{
	const char text[] = "(1) 2-6-010:007XXXX";
	struct tmk t;

	cr_assert_eq(tmk_parse(text, 15, NULL, &t, NULL), 0);
	cr_assert_str_eq(t.tmk13, "1260100070000");
}

Test(tmk, too_long_input_is_refused)
{
	char big[TMK_MAX_INPUT + 2];
	struct tmk t;
	enum tmk_reason r;

	memset(big, '1', sizeof(big));
	cr_assert_eq(tmk_parse(big, sizeof(big), NULL, &t, &r), -1);
	cr_assert_eq(r, TMK_E_TOO_LONG);
}

Test(tmk, list_respects_the_callers_bound)
{
	const char *s = "(4) 2-8-014:049, 050, 051, 052";
	struct tmk t[4];
	enum tmk_reason r;

	cr_assert_eq(tmk_parse_list(s, strlen(s), NULL, t, 4, &r), 4);
	cr_assert_eq(tmk_parse_list(s, strlen(s), NULL, t, 3, &r), -1);
	cr_assert_eq(r, TMK_E_TOO_MANY);
	/* tmk_parse wants exactly one */
	cr_assert_eq(tmk_parse(s, strlen(s), NULL, t, &r), -1);
	cr_assert_eq(r, TMK_E_TOO_MANY);
}

Test(tmk, range_modes)
{
	const char *s = "(1) 8-6-001:003-005";
	struct tmk t[8];
	struct tmk_opts o;
	enum tmk_reason r;

	memset(&o, 0, sizeof(o));
	cr_assert_eq(tmk_parse_list(s, strlen(s), &o, t, 8, &r), -1);
	cr_assert_eq(r, TMK_E_RANGE_AMBIGUOUS);
	o.range = TMK_RANGE_PARCELS;
	cr_assert_eq(tmk_parse_list(s, strlen(s), &o, t, 8, &r), 3);
	cr_assert_eq(t[2].parcel, 5);
	cr_assert(t[2].flags & TMK_F_RANGE);
	o.range = TMK_RANGE_CPR;
	cr_assert_eq(tmk_parse_list(s, strlen(s), &o, t, 8, &r), 1);
	cr_assert_eq(t[0].cpr, 5);
}

Test(tmk, county_from_hint_zip_place_in_that_order)
{
	struct tmk t;
	struct tmk_opts o;

	memset(&o, 0, sizeof(o));
	o.zip = "96740";
	o.place = "Lahaina";
	cr_assert_eq(tmk_parse("7-5-017:012", 11, &o, &t, NULL), 0);
	cr_assert_eq(t.county, 3);
	cr_assert(t.flags & TMK_F_COUNTY_INFERRED);
	o.county_hint = 1;
	cr_assert_eq(tmk_parse("7-5-017:012", 11, &o, &t, NULL), 0);
	cr_assert_eq(t.county, 1);
	o.county_hint = 0;
	o.zip = NULL;
	cr_assert_eq(tmk_parse("4-4-013:004", 11, &o, &t, NULL), 0);
	cr_assert_eq(t.county, 2);
	/* a county in the string is never flagged */
	cr_assert_eq(tmk_parse("(3) 7-5-017:012", 15, &o, &t, NULL), 0);
	cr_assert_eq(t.county, 3);
	cr_assert_not(t.flags & TMK_F_COUNTY_INFERRED);
}

Test(tmk, from_parts)
{
	struct tmk t;
	enum tmk_reason r;

	cr_assert_eq(tmk_from_parts(1, 3, 7, 12, 24, -1, &t, &r), 0);
	cr_assert_str_eq(t.tmk13, "1370120240000");
	cr_assert(t.flags & TMK_F_CPR_ASSUMED);
	cr_assert_eq(tmk_from_parts(2, 4, 4, 13, 4, 21, &t, &r), 0);
	cr_assert_str_eq(t.tmk13, "2440130040021");
	cr_assert_eq(tmk_from_parts(4, 7, 1, 1, 1, 0, &t, &r), -1);
	cr_assert_eq(r, TMK_E_ZONE);
	cr_assert_eq(tmk_from_parts(5, 1, 1, 1, 1, 0, &t, &r), -1);
	cr_assert_eq(r, TMK_E_COUNTY_RANGE);
	cr_assert_eq(tmk_from_parts(1, 1, 1, 0, 1, 0, &t, &r), -1);
	cr_assert_eq(r, TMK_E_PLAT);
	cr_assert_eq(tmk_from_parts(1, 1, 1, 1, 1000, 0, &t, &r), -1);
	cr_assert_eq(r, TMK_E_PARCEL);
	cr_assert_eq(tmk_from_parts(1, 1, 1, 1, 1, 10000, &t, &r), -1);
	cr_assert_eq(r, TMK_E_CPR);
}

Test(tmk, zone_rules_per_county)
{
	cr_assert(tmk_zone_valid(1, 9, 9));
	cr_assert(tmk_zone_valid(3, 9, 1));
	cr_assert(tmk_zone_valid(2, 6, 1));
	cr_assert_not(tmk_zone_valid(2, 7, 1));
	cr_assert(tmk_zone_valid(4, 5, 9));
	cr_assert_not(tmk_zone_valid(4, 6, 1));
	cr_assert_not(tmk_zone_valid(1, 0, 1));
	cr_assert_not(tmk_zone_valid(1, 1, 0));
	cr_assert_not(tmk_zone_valid(0, 1, 1));
}

Test(tmk, check_catches_inconsistent_structs)
{
	struct tmk t;

	cr_assert_eq(parse("1260100070152", 0, &t, NULL), 0);
	cr_assert(tmk_check(&t));
	t.parcel = 8;
	cr_assert_not(tmk_check(&t));
}

Test(tmk, every_unicode_dash)
{
	static const char *const dashes[] = {
		"\xe2\x80\x90", "\xe2\x80\x91", "\xe2\x80\x92", "\xe2\x80\x93", "\xe2\x80\x94",
		"\xe2\x80\x95", "\xe2\x88\x92", "\xef\xb9\xa3", "\xef\xbc\x8d",
	};
	size_t i;

	for (i = 0; i < sizeof(dashes) / sizeof(dashes[0]); i++) {
		char s[64];
		struct tmk t;

		snprintf(s, sizeof(s), "1%s2%s6%s010%s007%s0152", dashes[i], dashes[i], dashes[i],
			 dashes[i], dashes[i]);
		cr_assert_eq(tmk_parse(s, strlen(s), NULL, &t, NULL), 0, "dash %zu", i);
		cr_assert_str_eq(t.tmk13, "1260100070152");
	}
}
