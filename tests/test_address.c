/* Unit tests of address keys, text folding and the Hawaii place table. */
#include <criterion/criterion.h>

#include <string.h>

#include "address.h"
#include "geo_hi.h"
#include "textfold.h"

#include "banned.h"

static const char *key(const char *s, char *buf, size_t size)
{
	cr_assert(addr_key(s, strlen(s), buf, size) >= 0, "'%s'", s);
	return buf;
}

Test(address, same_place_same_key)
{
	static const char *const same[] = {
		"74-5905 Aliʻi Dr Apt 3", "74-5905 ALII DRIVE #3", "74-5905 Ali'i Drive, Unit 3",
		"74-5905 Alii Dr. #3, Kailua-Kona, HI 96740", "74-5905 Ali‘i Dr Unit 3",
		"74 - 5905 ALII DR APT 3",
	};
	char a[160], b[160];
	size_t i;

	key(same[0], a, sizeof(a));
	cr_assert_str_eq(a, "74-5905 ALII DR #3");
	for (i = 1; i < sizeof(same) / sizeof(same[0]); i++)
		cr_assert_str_eq(key(same[i], b, sizeof(b)), a, "'%s'", same[i]);
}

Test(address, different_units_differ)
{
	char a[160], b[160];

	cr_assert_str_neq(key("2450 Kalakaua Ave #1402", a, sizeof(a)),
			  key("2450 Kalakaua Ave #1403", b, sizeof(b)));
	cr_assert_str_neq(key("74-5905 Alii Dr", a, sizeof(a)), key("75-5905 Alii Dr", b, sizeof(b)));
}

Test(address, key_truncates_into_small_buffers)
{
	char small[8];

	cr_assert_eq(addr_key("74-5905 Alii Dr", 15, small, sizeof(small)), 15);
	cr_assert_str_eq(small, "74-5905");
}

Test(address, errors)
{
	struct addr a;
	enum addr_reason r;
	char big[ADDR_MAX_INPUT + 1];

	cr_assert_eq(addr_normalize("", 0, &a, &r), -1);
	cr_assert_eq(r, ADDR_E_EMPTY);
	cr_assert_eq(addr_normalize("\xff", 1, &a, &r), -1);
	cr_assert_eq(r, ADDR_E_ENCODING);
	memset(big, 'a', sizeof(big));
	cr_assert_eq(addr_normalize(big, sizeof(big), &a, &r), -1);
	cr_assert_eq(r, ADDR_E_TOO_LONG);
	cr_assert_str_eq(addr_reason_str(ADDR_E_NO_STREET), "no street");
}

Test(address, fold_hawaiian_diacritics)
{
	char buf[64];

	cr_assert_eq(textfold("Aliʻi", strlen("Aliʻi"), "", buf, sizeof(buf)), 4);
	cr_assert_str_eq(buf, "ALII");
	textfold("Kalākaua Hawaiʻi Lānaʻi Kōloa Kūhiō", strlen("Kalākaua Hawaiʻi Lānaʻi Kōloa Kūhiō"),
		 "", buf, sizeof(buf));
	cr_assert_str_eq(buf, "KALAKAUA HAWAII LANAI KOLOA KUHIO");
	textfold("  a -- b  ", 10, "", buf, sizeof(buf));
	cr_assert_str_eq(buf, "A B");
	textfold("74–5905", strlen("74–5905"), "-", buf, sizeof(buf));
	cr_assert_str_eq(buf, "74-5905");
	cr_assert_eq(textfold("\xe2\x80", 2, "", buf, sizeof(buf)), -1);
	cr_assert_eq(textfold("abcdef", 6, "", buf, 4), 3);
	cr_assert_str_eq(buf, "ABC");
	cr_assert(textfold_valid_utf8("ʻokina", strlen("ʻokina")));
	cr_assert_not(textfold_valid_utf8("\xed\xa0\x80", 3)); /* a surrogate */
	cr_assert_not(textfold_valid_utf8("\xc0\xaf", 2));     /* overlong */
}

Test(address, zip_and_place_table)
{
	struct geo_place p;

	cr_assert_eq(geo_hi_zip("96740", 5, &p), 0);
	cr_assert_eq(p.county, 3);
	cr_assert_eq(p.island, GEO_HAWAII);
	cr_assert_eq(geo_hi_zip("96815-1234", 10, &p), 0);
	cr_assert_eq(p.county, 1);
	cr_assert_eq(geo_hi_zip("96748", 5, &p), 0);
	cr_assert_eq(p.island, GEO_MOLOKAI);
	cr_assert_eq(p.county, 2);
	cr_assert_eq(geo_hi_zip("96769", 5, &p), 0);
	cr_assert_eq(p.island, GEO_NIIHAU);
	cr_assert_eq(geo_hi_zip("98101", 5, &p), -1);
	cr_assert_eq(geo_hi_zip("96702", 5, &p), -1);
	cr_assert_eq(geo_hi_zip("9674", 4, &p), -1);
	cr_assert_eq(geo_hi_zip("96740x", 6, &p), -1);
	cr_assert_eq(geo_hi_place("Kailua-Kona", 11, &p), 0);
	cr_assert_eq(p.county, 3);
	cr_assert_eq(geo_hi_place("KAILUA KONA", 11, &p), 0);
	cr_assert_eq(geo_hi_place("Līhuʻe", strlen("Līhuʻe"), &p), 0);
	cr_assert_eq(p.county, 4);
	cr_assert_eq(geo_hi_place("Big Island", 10, &p), 0);
	cr_assert_eq(p.county, 3);
	cr_assert_eq(geo_hi_place("Wailea", 6, &p), 0);
	cr_assert_eq(p.county, 2);
	cr_assert_eq(geo_hi_place("Waimea", 6, &p), -1, "two islands");
	cr_assert_eq(geo_hi_place("Kailua", 6, &p), -1, "two islands");
	cr_assert_eq(geo_hi_place("Seattle", 7, &p), -1);
	cr_assert_eq(geo_is_hawaii_state("Hawaiʻi", strlen("Hawaiʻi")), 1);
	cr_assert_eq(geo_is_hawaii_state("hi", 2), 1);
	cr_assert_eq(geo_is_hawaii_state("CA", 2), 0);
	cr_assert_eq(geo_is_hawaii_state("", 0), -1);
	cr_assert_str_eq(geo_island_name(GEO_LANAI), "Lanai");
	cr_assert_str_eq(geo_county_name(4), "Kauai");
	cr_assert_eq(geo_island_county(GEO_KAHOOLAWE), 2);
}

/* The USPS form of a mailing address: fields in, delivery line, unit, city, state, ZIP out. */
Test(address, usps_form)
{
	static const struct {
		const char *street, *city, *state, *zip, *country;
		const char *w_street, *w_unit, *w_city, *w_state, *w_zip, *w_key;
	} cases[] = {
		{ "1050 Bishop St., Suite 400", "Honolulu", "HI", "96813", NULL,
		  "1050 BISHOP ST", "STE 400", "HONOLULU", "HI", "96813", "1050 BISHOP ST #400" },
		{ "2211 NW Market Street Apt 4", "Seattle", "WA", "981071234", NULL,
		  "2211 NW MARKET ST", "APT 4", "SEATTLE", "WA", "98107-1234", "2211 NW MARKET ST #4" },
		{ "74-5905 Aliʻi Drive #3", "Kailua-Kona", "HI", "96740 1234", "USA",
		  "74-5905 ALII DR", "# 3", "KAILUA-KONA", "HI", "96740-1234", "74-5905 ALII DR #3" },
		{ "P.O. Box 1187", "Kula", "Hawaii", "96790", NULL,
		  "PO BOX 1187", "", "KULA", "HI", "96790", "PO BOX 1187" },
		/* a deed's one-line address */
		{ "4000 MacArthur Blvd Ste 600, Newport Beach CA 92660", NULL, NULL, NULL, NULL,
		  "4000 MACARTHUR BLVD", "STE 600", "NEWPORT BEACH", "CA", "92660",
		  "4000 MACARTHUR BLVD #600" },
		/* ... with the state the sale file gave apart */
		{ "4000 MacArthur Blvd Ste 600, Newport Beach CA 92660", NULL, "CA", NULL, NULL,
		  "4000 MACARTHUR BLVD", "STE 600", "NEWPORT BEACH", "CA", "92660",
		  "4000 MACARTHUR BLVD #600" },
		{ "2211 NW Market St Apt 4, Seattle, WA", NULL, NULL, "98107", NULL,
		  "2211 NW MARKET ST", "APT 4", "SEATTLE", "WA", "98107", "2211 NW MARKET ST #4" },
		{ "2450 Kalakaua Ave 1402", "Honolulu", "HI", "96815", "United States",
		  "2450 KALAKAUA AVE", "# 1402", "HONOLULU", "HI", "96815", "2450 KALAKAUA AVE #1402" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct addr_usps u;

		cr_assert_eq(addr_usps_format(cases[i].street, cases[i].city, cases[i].state, cases[i].zip,
					      cases[i].country, &u, NULL), 0, "%s", cases[i].street);
		cr_expect_eq(u.foreign, 0, "%s", cases[i].street);
		cr_expect_str_eq(u.street, cases[i].w_street, "%s", cases[i].street);
		cr_expect_str_eq(u.unit, cases[i].w_unit, "%s", cases[i].street);
		cr_expect_str_eq(u.city, cases[i].w_city, "%s", cases[i].street);
		cr_expect_str_eq(u.state, cases[i].w_state, "%s", cases[i].street);
		cr_expect_str_eq(u.zip, cases[i].w_zip, "%s", cases[i].street);
		cr_expect_str_eq(u.key, cases[i].w_key, "%s", cases[i].street);
		cr_expect_str_eq(u.country, "", "%s", cases[i].street);
	}
}

Test(address, usps_foreign_kept_whole)
{
	struct addr_usps u;

	cr_assert_eq(addr_usps_format("2-11-3 Meguro,  Meguro-ku ", "Tokyo", NULL, "153-0063", "JAPAN", &u,
				      NULL), 0);
	cr_expect_eq(u.foreign, 1);
	cr_expect_str_eq(u.street, "2-11-3 Meguro, Meguro-ku");
	cr_expect_str_eq(u.unit, "");
	cr_expect_str_eq(u.city, "Tokyo");
	cr_expect_str_eq(u.zip, "153-0063");
	cr_expect_str_eq(u.country, "JAPAN");
	cr_expect_str_eq(u.key, "");
}

Test(address, usps_unreadable_kept_as_written)
{
	struct addr_usps u;
	enum addr_reason r;

	cr_assert_eq(addr_usps_format("", "Honolulu", "HI", "96813", NULL, &u, &r), -1);
	cr_expect_eq(r, ADDR_E_NO_STREET);
	cr_expect_str_eq(u.city, "Honolulu");
	cr_expect_str_eq(u.key, "");
}
