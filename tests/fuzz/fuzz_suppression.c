/*
 * libFuzzer target: the suppression-list reader (parsers/suppression_list.c)
 * on any bytes.  Every row handed to the callback has its strings set (never
 * NULL) and a line within the input; a row the reader could not take whole
 * says why.  No crash, leak or sanitizer report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "suppression_list.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	size_t size;
	long long rows, last_line;
};

static int check_row(void *data, const struct suppression_row *row, struct mi_err *err)
{
	struct seen *s = data;

	(void)err;
	if (!row->owner || !row->street || !row->city || !row->state || !row->zip || !row->reason)
		abort();
	/* a row starts on a line of the input, in order (lines are counted by LF: a
	 * header ended by a lone CR shares line 1 with the first row) */
	if (row->line < 1 || row->line < s->last_line || (size_t)row->line > s->size + 1)
		abort();
	if (row->bad && !row->bad[0])
		abort();
	/* the strings are readable to their end */
	if (strlen(row->owner) + strlen(row->street) + strlen(row->city) + strlen(row->state) +
		    strlen(row->zip) + strlen(row->reason) > 16 * (s->size + 1))
		abort();
	s->last_line = row->line;
	s->rows++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { .size = size };
	struct mi_err err = MI_ERR_INIT;
	FILE *fp = fmemopen((void *)data, size ? size : 1, "r");
	long long n;

	if (!fp)
		abort();
	if (!size) { /* fmemopen needs a buffer: an empty input is a read at its end */
		fgetc(fp);
	}
	n = suppression_list_read(fp, "fuzz", check_row, &s, &err);
	fclose(fp);
	if (n >= 0 && n != s.rows)
		abort();
	return 0;
}
