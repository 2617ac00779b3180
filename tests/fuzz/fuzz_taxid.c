/*
 * libFuzzer target: taxid_extract and taxid_parse on any bytes.  Properties:
 * every hit lies inside the text, hits come left to right without overlap,
 * ids are NUL-terminated, TMK hits are self-consistent, and a tax id parsed
 * alone gives the same canonical id.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "taxid.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct taxid_hit h[16], one;
	struct tmk_opts o;
	size_t n, i, end = 0;

	memset(&o, 0, sizeof(o));
	o.county_hint = size ? data[0] % 5 : 0;
	n = taxid_extract((const char *)data, size, &o, h, 16);
	for (i = 0; i < n && i < 16; i++) {
		if (h[i].off < end || h[i].off + h[i].len > size || !h[i].len)
			abort();
		end = h[i].off + h[i].len;
		if (memchr(h[i].id, '\0', sizeof(h[i].id)) == NULL)
			abort();
		if (h[i].kind == TAXID_TMK && !tmk_check(&h[i].tmk))
			abort();
		if ((h[i].kind == TAXID_TA || h[i].kind == TAXID_GE) &&
		    (taxid_parse(h[i].id, strlen(h[i].id), &one) != 0 || strcmp(one.id, h[i].id)))
			abort();
	}
	(void)taxid_parse((const char *)data, size, &one);
	return 0;
}
