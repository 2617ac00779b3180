/* Unit tests of owner keys (prospect de-duplication) and absentee status. */
#include <criterion/criterion.h>

#include <string.h>

#include "address.h"
#include "owner.h"

#include "banned.h"

static void same_key(const char *const *names, size_t n)
{
	char a[160], b[160];
	size_t i;

	cr_assert(owner_key(names[0], strlen(names[0]), a, sizeof(a)) > 0);
	for (i = 1; i < n; i++) {
		cr_assert(owner_key(names[i], strlen(names[i]), b, sizeof(b)) > 0);
		cr_assert_str_eq(b, a, "'%s' vs '%s'", names[i], names[0]);
	}
}

Test(owner, one_person_three_ways)
{
	static const char *const v[] = {
		"SMITH,JOHN A TR", "JOHN A SMITH TRUSTEE", "Smith, John A., Trustee", "SMITH,JOHN A",
		"Smith, John A", "JOHN A. SMITH, TTEE",
	};

	same_key(v, sizeof(v) / sizeof(v[0]));
}

Test(owner, couples_in_any_order)
{
	static const char *const v[] = {
		"LOUIE,THOMAS/CYNTHIA", "LOUIE,CYNTHIA/THOMAS", "Thomas & Cynthia Louie",
		"Cynthia Louie and Thomas Louie",
	};

	same_key(v, sizeof(v) / sizeof(v[0]));
}

Test(owner, entity_spellings)
{
	static const char *const v[] = {
		"KAI PROPERTIES L.L.C.", "Kai Properties LLC", "Kai Properties, Limited Liability Company",
		"KAI PROPERTIES LLC C/O ABC ACCOUNTING",
	};

	same_key(v, sizeof(v) / sizeof(v[0]));
}

Test(owner, different_people_differ)
{
	char a[160], b[160];

	owner_key("SMITH,JOHN A", 12, a, sizeof(a));
	owner_key("SMITH,JOHN B", 12, b, sizeof(b));
	cr_assert_str_neq(a, b);
	owner_key("WONG,DAVID JR", 13, a, sizeof(a));
	owner_key("WONG,DAVID SR", 13, b, sizeof(b));
	cr_assert_str_neq(a, b);
}

Test(owner, kinds_and_flags)
{
	struct owner o;

	cr_assert_eq(owner_normalize("GILMAN,HANNAH K TR EST", 22, &o, NULL), 0);
	cr_assert_eq(o.kind, OWNER_TRUST);
	cr_assert(o.flags & OWNER_F_TRUSTEE);
	cr_assert(o.flags & OWNER_F_ESTATE);
	cr_assert_eq(owner_normalize("PAUMALU RANCH LLC", 17, &o, NULL), 0);
	cr_assert_eq(o.kind, OWNER_ENTITY);
	cr_assert_eq(owner_normalize("COUNTY OF MAUI", 14, &o, NULL), 0);
	cr_assert(o.flags & OWNER_F_GOVERNMENT);
	cr_assert_eq(owner_normalize("HUDSON,MORDECAI H JR/RUTH M TR", 30, &o, NULL), 0);
	cr_assert(o.flags & OWNER_F_COUPLE);
	cr_assert_str_eq(o.display, "Mordecai H Hudson Jr & Ruth M Hudson");
	cr_assert_eq(owner_normalize("SMITH,JOHN C/O JANE DOE", 23, &o, NULL), 0);
	cr_assert_str_eq(o.care_of, "JANE DOE");
	cr_assert_eq(o.kind, OWNER_PERSON);
	/* a C/O that ends the name names nobody (not the bytes past its end) */
	cr_assert_eq(owner_normalize("SMITH,JOHN C/O", 14, &o, NULL), 0);
	cr_assert_str_eq(o.care_of, "");
	cr_assert_str_eq(o.display, "John Smith");
}

Test(owner, errors)
{
	struct owner o;
	enum owner_reason r;

	cr_assert_eq(owner_normalize("", 0, &o, &r), -1);
	cr_assert_eq(r, OWNER_E_EMPTY);
	cr_assert_eq(owner_normalize("TR", 2, &o, &r), -1);
	cr_assert_eq(r, OWNER_E_NO_NAME);
	cr_assert_eq(owner_normalize("\xc3", 1, &o, &r), -1);
	cr_assert_eq(r, OWNER_E_ENCODING);
	cr_assert_str_eq(owner_reason_str(OWNER_E_TOO_LONG), "too long");
}

static enum owner_absentee abs_of(const char *mail, enum geo_island isl, int county)
{
	struct addr a;

	cr_assert_eq(addr_normalize(mail, strlen(mail), &a, NULL), 0, "'%s'", mail);
	return owner_absentee(&a, isl, county);
}

Test(owner, absentee)
{
	cr_assert_eq(abs_of("1234 Main St, Seattle, WA 98101", GEO_MAUI, 2), OWNER_ABS_OUT_OF_STATE);
	cr_assert_eq(abs_of("PO Box 1, Lahaina, HI 96761", GEO_MAUI, 2), OWNER_ABS_LOCAL);
	cr_assert_eq(abs_of("PO Box 1, Kaunakakai, HI 96748", GEO_MAUI, 2), OWNER_ABS_OFF_ISLAND);
	cr_assert_eq(abs_of("PO Box 1, Honolulu, HI 96813", GEO_ISLAND_UNKNOWN, 3),
		     OWNER_ABS_OFF_ISLAND);
	cr_assert_eq(abs_of("PO Box 1, Honolulu, HI 96813", GEO_ISLAND_UNKNOWN, 1), OWNER_ABS_LOCAL);
	cr_assert_eq(abs_of("1-2-3 Shibuya, Tokyo, Japan", GEO_OAHU, 1), OWNER_ABS_FOREIGN);
	cr_assert_eq(abs_of("123 Main St", GEO_OAHU, 1), OWNER_ABS_UNKNOWN);
	cr_assert_str_eq(owner_absentee_name(OWNER_ABS_OFF_ISLAND), "off-island");
}
