/*
 * libFuzzer target: owner_normalize on any bytes, and the whole mi-normalize
 * line engine for every kind.  Properties: no crash; fields NUL-terminated;
 * a kind is always set on success; norm_line writes exactly one line (no
 * newline inside).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "owner.h"
#include "strbuf.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct owner o;
	struct norm_opts no;
	struct strbuf out = STRBUF_INIT;
	int k;

	if (owner_normalize((const char *)data, size, &o, NULL) == 0) {
		if (o.kind < OWNER_PERSON || o.kind > OWNER_TRUST)
			abort();
		if (!memchr(o.key, '\0', sizeof(o.key)) || !memchr(o.display, '\0', sizeof(o.display)))
			abort();
	}
	memset(&no, 0, sizeof(no));
	no.county = 1;
	for (k = NORM_TMK; k <= NORM_OWNER; k++) {
		no.kind = (enum norm_kind)k;
		strbuf_reset(&out);
		if (norm_line(&no, (const char *)data, size, &out) < 0)
			abort();
		if (!out.len || memchr(out.buf, '\n', out.len))
			abort();
	}
	strbuf_release(&out);
	return 0;
}
