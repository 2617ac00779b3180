/*
 * fuzz_sentiment: any bytes through the review scorer (HTML strip, sentence
 * split, tokenizer, phrase matching, rules, language gate, JSON output).
 * Checks: no crash or sanitizer report (the input is exactly its size: a
 * read past its end is reported), scores in range, shares summing to 1, the
 * same result twice (determinism, no state leaking between texts), and the
 * same result when other bytes follow the text in memory (words are read
 * eight bytes at a time: nothing after the end may count).  The data files
 * come from $MI_DATADIR, else ./data.
 */
#include "aspects.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct asp_model am;
static struct asp_scorer sc;
static int loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct asp_result a, b;
	struct strbuf json = STRBUF_INIT;
	char *padded;

	if (!loaded) {
		struct mi_err err = MI_ERR_INIT;
		const char *dir = getenv("MI_DATADIR");

		if (asp_model_load(&am, dir && *dir ? dir : "data", 0, &err) < 0)
			abort();
		asp_scorer_init(&sc);
		loaded = 1;
	}
	if (asp_score(&am, &sc, (const char *)data, size, &a) < 0)
		return 0;
	if (asp_score(&am, &sc, (const char *)data, size, &b) < 0)
		return 0;
	if (memcmp(&a, &b, sizeof(a)))
		abort();
	padded = malloc(size + 32);
	if (!padded)
		return 0;
	memcpy(padded, data, size);
	memset(padded + size, 'x', 32);
	if (asp_score(&am, &sc, padded, size, &b) == 0 && memcmp(&a, &b, sizeof(a)))
		abort();
	free(padded);
	if (a.scored) {
		double total = a.pos + a.neu + a.neg;

		if (!(a.compound >= -1.0 && a.compound <= 1.0))
			abort();
		if (total != 0.0 && fabs(total - 1.0) > 1e-9)
			abort();
	}
	if (asp_format_json(&am, &a, &json) < 0)
		abort();
	strbuf_release(&json);
	return 0;
}
