/*
 * libFuzzer target: the attribute guard (tree.h), the reader that sees XML
 * and HTML markup before libxml2 does and blanks the attributes of an
 * element past the limit.  On any bytes, in XML and HTML mode, with a small
 * limit:
 *  1. it only ever turns bytes into spaces, never a line end: lines and
 *     offsets stay where they were;
 *  2. fed in one piece or in pieces of any size (the first byte picks it),
 *     it writes the same bytes and notes the same elements;
 *  3. an element it notes had more attributes than the limit, and its lines
 *     are in order.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, int html, size_t step, char *out,
		struct tree_attr_guard *g)
{
	memcpy(out, data, size);
	tree_attr_guard_init(g, 3, html);
	for (size_t i = 0; i < size; i += step)
		tree_attr_guard_feed(g, out + i, size - i < step ? size - i : step);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tree_attr_guard a, b;
	char *one, *pieces;
	size_t step;

	if (!size)
		return 0;
	step = 1 + data[0] % 17;
	one = malloc(size);
	pieces = malloc(size);
	if (!one || !pieces)
		abort();
	for (int html = 0; html <= 1; html++) {
		run(data, size, html, size, one, &a);
		run(data, size, html, step, pieces, &b);
		if (memcmp(one, pieces, size) || a.nhit != b.nhit || a.line != b.line)
			abort();
		for (size_t i = 0; i < size; i++)
			if (one[i] != (char)data[i] &&
			    (one[i] != ' ' || data[i] == '\n' || data[i] == '\r'))
				abort();
		for (size_t i = 0; i < a.nhit; i++) {
			/* field by field: a struct's padding is not its value */
			if (a.hit[i].ordinal != b.hit[i].ordinal || a.hit[i].line != b.hit[i].line ||
			    a.hit[i].end_line != b.hit[i].end_line || a.hit[i].count != b.hit[i].count ||
			    a.hit[i].used != b.hit[i].used || strcmp(a.hit[i].name, b.hit[i].name) ||
			    a.hit[i].count <= 3 ||
			    a.hit[i].end_line < a.hit[i].line || a.hit[i].line < 1 ||
			    (i && a.hit[i].ordinal <= a.hit[i - 1].ordinal))
				abort();
		}
		tree_attr_guard_release(&a);
		tree_attr_guard_release(&b);
	}
	free(one);
	free(pieces);
	return 0;
}
