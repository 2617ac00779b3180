/* libFuzzer target: money, dates and booleans on any bytes; a parsed date round-trips. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t c;
	struct value_date d, e;
	enum value_tri b;

	(void)value_money((const char *)data, size, &c);
	(void)value_bool((const char *)data, size, &b);
	if (value_date((const char *)data, size, &d) == 1) {
		char buf[16];

		value_date_from_days(value_date_days(&d), &e);
		if (e.y != d.y || e.m != d.m || e.d != d.d)
			abort();
		value_date_format(&d, buf, sizeof(buf));
		if (value_date(buf, strlen(buf), &e) == -1)
			abort();
	}
	return 0;
}
