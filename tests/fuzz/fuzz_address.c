/*
 * libFuzzer target: addr_normalize, textfold, the place table and the USPS
 * form on any bytes.  Properties: outputs are NUL-terminated inside their
 * fields; the key of a street line is stable (normalizing the key again gives
 * the key); county and island agree; the USPS form of the bytes split at
 * newlines into street, city, state, ZIP and country never overruns a field,
 * and a US form's key is a key addr_normalize would give.
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

/* The USPS form of the bytes as up to five newline-separated fields. */
static void usps(const uint8_t *data, size_t size)
{
	char copy[4 * 1024 + 1], *f[5] = { NULL, NULL, NULL, NULL, NULL }, *p;
	struct addr_usps u;
	int n = 0;

	if (size >= sizeof(copy))
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy; n < 5 && p; n++) {
		f[n] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	(void)addr_usps_format(f[0], f[1], f[2], f[3], f[4], &u, NULL);
	if (!memchr(u.street, '\0', sizeof(u.street)) || !memchr(u.unit, '\0', sizeof(u.unit)) ||
	    !memchr(u.city, '\0', sizeof(u.city)) || !memchr(u.state, '\0', sizeof(u.state)) ||
	    !memchr(u.zip, '\0', sizeof(u.zip)) || !memchr(u.country, '\0', sizeof(u.country)) ||
	    !memchr(u.key, '\0', sizeof(u.key)))
		abort();
	if (u.foreign && u.key[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr a, b;
	struct geo_place p;
	char buf[64];
	size_t i;

	usps(data, size);

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
