/* Unit tests of money, dates and booleans as the sources write them. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "value.h"

#include "banned.h"

static int money(const char *s, int64_t *c)
{
	return value_money(s, strlen(s), c);
}

Test(value, money_forms)
{
	int64_t c = -1;

	cr_assert_eq(money("\"$1,379.00\"" + 1, &c), -1); /* the quote is the CSV's job */
	cr_assert_eq(money("$1,379.00", &c), 1);
	cr_assert_eq(c, 137900);
	cr_assert_eq(money("5,243.79", &c), 1);
	cr_assert_eq(c, 524379);
	cr_assert_eq(money("1379", &c), 1);
	cr_assert_eq(c, 137900);
	cr_assert_eq(money(" $85.5 ", &c), 1);
	cr_assert_eq(c, 8550);
	cr_assert_eq(money("-$12.05", &c), 1);
	cr_assert_eq(c, -1205);
	cr_assert_eq(money("$1,234,567.89", &c), 1);
	cr_assert_eq(c, 123456789);
	cr_assert_eq(money("$0", &c), 1);
	cr_assert_eq(c, 0);
	cr_assert_eq(money("999999999999999", &c), 1);
	c = 7;
	cr_assert_eq(money("", &c), 0);
	cr_assert_eq(c, 7, "no value leaves the output alone");
	cr_assert_eq(money("   ", &c), 0);
}

Test(value, money_refusals)
{
	int64_t c;
	static const char *const bad[] = {
		"$", "1,23", "12,3456", ",123", "1.234", "abc", "$1,379.00 per night", "1e5",
		"1000000000000000", "--5", "1..2", "$-", "1,234,56",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(money(bad[i], &c), -1, "'%s'", bad[i]);
}

Test(value, date_forms)
{
	struct value_date d;

	cr_assert_eq(value_date("2024/09/13", 10, &d), 1);
	cr_assert(d.y == 2024 && d.m == 9 && d.d == 13);
	cr_assert_eq(value_date("2024-09-13", 10, &d), 1);
	cr_assert_eq(value_date("9/13/2024", 9, &d), 1);
	cr_assert(d.y == 2024 && d.m == 9 && d.d == 13);
	cr_assert_eq(value_date("09/03/2024", 10, &d), 1);
	cr_assert(d.m == 9 && d.d == 3);
	cr_assert_eq(value_date("2024-09-13 12:00:00", 19, &d), 1);
	cr_assert_eq(value_date("2024-02-29", 10, &d), 1);
	cr_assert_eq(value_date("2000/02/29", 10, &d), 1);
}

Test(value, date_placeholders_and_refusals)
{
	struct value_date d;
	static const char *const unknown[] = { "", "  ", "1900/01/01", "1900-01-01", "01/01/1900" };
	static const char *const bad[] = {
		"2023-02-29", "1900/02/30", "2024-13-01", "2024-00-10", "2024-1-5", "13/01/2024",
		"2024/09/13x", "20240913", "Sept 13 2024", "2024-09-13T", "1799-12-31",
	};
	size_t i;

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		cr_assert_eq(value_date(unknown[i], strlen(unknown[i]), &d), 0, "'%s'", unknown[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(value_date(bad[i], strlen(bad[i]), &d), -1, "'%s'", bad[i]);
}

Test(value, days_round_trip)
{
	struct value_date d = { 1970, 1, 1 }, e;
	int32_t z;

	cr_assert_eq(value_date_days(&d), 0);
	d.y = 2024;
	d.m = 9;
	d.d = 13;
	cr_assert_eq(value_date_days(&d), 19979);
	d.y = 1969;
	d.m = 12;
	d.d = 31;
	cr_assert_eq(value_date_days(&d), -1);
	for (z = -50000; z < 60000; z += 37) {
		char buf[16];

		value_date_from_days(z, &e);
		cr_assert_eq(value_date_days(&e), z);
		value_date_format(&e, buf, sizeof(buf));
		cr_assert_eq(strlen(buf), 10);
	}
}

Test(value, booleans)
{
	enum value_tri b;

	cr_assert_eq(value_bool("t", 1, &b), 1);
	cr_assert_eq(b, VALUE_TRUE);
	cr_assert_eq(value_bool("f", 1, &b), 1);
	cr_assert_eq(b, VALUE_FALSE);
	cr_assert_eq(value_bool("TRUE", 4, &b), 1);
	cr_assert_eq(b, VALUE_TRUE);
	cr_assert_eq(value_bool("No", 2, &b), 1);
	cr_assert_eq(b, VALUE_FALSE);
	cr_assert_eq(value_bool("", 0, &b), 0);
	cr_assert_eq(b, VALUE_UNKNOWN);
	cr_assert_eq(value_bool("maybe", 5, &b), -1);
	cr_assert_eq(b, VALUE_UNKNOWN);
	cr_assert_eq(value_bool("tt", 2, &b), -1);
}
