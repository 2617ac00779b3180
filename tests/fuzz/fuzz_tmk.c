/*
 * libFuzzer target: tmk_parse_list on any bytes, with options taken from the
 * first byte.  Properties: never crash or read out of bounds; every TMK it
 * returns is self-consistent (tmk_check); its display form parses back to
 * the same key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmk.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmk t[TMK_MAX_LIST];
	struct tmk_opts o;
	enum tmk_reason r;
	int n, i;

	memset(&o, 0, sizeof(o));
	if (size) {
		o.county_hint = data[0] % 6;
		o.range = (enum tmk_range_mode)((data[0] >> 3) % 3);
		if (data[0] & 0x40)
			o.zip = "96740";
		if (data[0] & 0x80)
			o.place = "Lahaina";
		data++;
		size--;
	}
	n = tmk_parse_list((const char *)data, size, &o, t, (size_t)(size % TMK_MAX_LIST) + 1, &r);
	if (n < 0) {
		if (r == TMK_OK || !tmk_reason_str(r)[0])
			abort();
		return 0;
	}
	if (n == 0 || n > TMK_MAX_LIST)
		abort();
	for (i = 0; i < n; i++) {
		char disp[24], flags[256];
		struct tmk back;

		if (!tmk_check(&t[i]))
			abort();
		tmk_display(&t[i], disp, sizeof(disp));
		if (tmk_parse(disp, strlen(disp), NULL, &back, NULL) != 0 ||
		    memcmp(back.tmk13, t[i].tmk13, 14) != 0)
			abort();
		tmk_flags_format(t[i].flags, flags, sizeof(flags));
	}
	return 0;
}
