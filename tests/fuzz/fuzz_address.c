/*
 * libFuzzer target: addr_normalize, textfold and the place table on any
 * bytes.  Properties: outputs are NUL-terminated inside their fields; the
 * key of a street line is stable (normalizing the key again gives the key);
 * county and island agree.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "geo_hi.h"
#include "textfold.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr a, b;
	struct geo_place p;
	char buf[64];
	size_t i;

	(void)textfold((const char *)data, size, "-#,/", buf, sizeof(buf));
	if (geo_hi_place((const char *)data, size, &p) == 0 &&
	    (p.county < 1 || p.county > 4))
		abort();
	(void)geo_hi_zip((const char *)data, size, &p);
	if (addr_normalize((const char *)data, size, &a, NULL) != 0)
		return 0;
	if (!memchr(a.key, '\0', sizeof(a.key)) || !memchr(a.street, '\0', sizeof(a.street)) ||
	    !memchr(a.unit, '\0', sizeof(a.unit)) || !memchr(a.city, '\0', sizeof(a.city)))
		abort();
	if (a.island != GEO_ISLAND_UNKNOWN && geo_island_county(a.island) != a.county)
		abort();
	/* a street line alone (no city split off), written with letters, digits,
	 * blanks, '-' and '#', must give a key that is a fixed point */
	for (i = 0; i < size; i++)
		if (!isalnum(data[i]) && data[i] != ' ' && data[i] != '-' && data[i] != '#')
			return 0;
	if (a.key[0] && !a.city[0] && !a.zip[0] && !a.state[0] &&
	    addr_normalize(a.key, strlen(a.key), &b, NULL) == 0 && strcmp(a.key, b.key) != 0) {
		/* a key must be a fixed point, except when truncation cut it */
		if (strlen(a.house) + strlen(a.street) + strlen(a.unit) + 4 < sizeof(a.key) &&
		    strlen(a.street) < sizeof(a.street) - 1)
			abort();
	}
	return 0;
}
