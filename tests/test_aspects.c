/*
 * The rental layer: HTML cleaning, sentence split, aspect tagging, domain
 * phrases under the negation rules, flags, the language gate, the output
 * formats, and the golden fixtures of fixtures/sentiment/ (one table-driven
 * runner: NAME.txt -> NAME.txt.expected for the --aspects output, NAME.tsv
 * -> NAME.tsv.expected or NAME.tsv.err for a reviews file).
 *
 * MI_UPDATE_GOLDEN=1 rewrites the .expected files from the current output
 * (review the diff before committing it).
 */
#include <criterion/criterion.h>

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aspects.h"
#include "strbuf.h"

#include "banned.h"

static struct asp_model am;
static struct asp_scorer sc;

static void setup(void)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(asp_model_load(&am, "data", 0, &err), 0, "%s: %s", err.where, err.msg);
	asp_scorer_init(&sc);
}

static void teardown(void)
{
	asp_scorer_release(&sc);
	asp_model_release(&am);
}

TestSuite(aspects, .init = setup, .fini = teardown);

static struct asp_result score(const char *text)
{
	struct asp_result r;

	cr_assert_eq(asp_score(&am, &sc, text, strlen(text), &r), 0);
	return r;
}

static int fam(const char *name)
{
	int f = asp_family_index(&am, name);

	cr_assert(f >= 0, "no family '%s'", name);
	return f;
}

#define HAS(r, name) (((r).present >> fam(name)) & 1u)
#define FLAGGED(r, name) (((r).flags >> fam(name)) & 1u)

Test(aspects, strip_html_tags_and_entities)
{
	struct strbuf out = STRBUF_INIT;
	const char *in = "Great<br/>stay &amp; <b>nice</b> host&#39;s &#x1F600; &bogus; a < b <3";

	cr_assert_eq(asp_strip_html(&out, in, strlen(in)), 0);
	cr_assert_str_eq(out.buf, "Great\nstay &  nice  host's \xF0\x9F\x98\x80 &bogus; a < b <3");
	strbuf_release(&out);
}

Test(aspects, strip_html_block_tags_break_lines)
{
	struct strbuf out = STRBUF_INIT;
	const char *in = "<p>One</p><p>Two</p><li>Three";

	cr_assert_eq(asp_strip_html(&out, in, strlen(in)), 0);
	cr_assert_str_eq(out.buf, "\nOne\n\nTwo\n\nThree");
	strbuf_release(&out);
}

Test(aspects, sentence_split)
{
	const char *t = "Great place!! The AC broke... We left.\nLine two 3.5 stars";
	size_t pos = 0, a, b;
	const char *want[] = { "Great place!!", "The AC broke...", "We left.", "Line two 3.5 stars" };
	int n = 0;

	while (asp_next_sentence(t, strlen(t), &pos, &a, &b)) {
		cr_assert_lt(n, 4);
		cr_assert_eq(b - a, strlen(want[n]), "sentence %d: '%.*s'", n, (int)(b - a), t + a);
		cr_assert(!memcmp(t + a, want[n], b - a));
		n++;
	}
	cr_assert_eq(n, 4);
}

Test(aspects, tagging_by_keywords_and_phrases)
{
	struct asp_result r = score("The hot water was fine and the lockbox was easy to find.");

	cr_assert(HAS(r, "maintenance"));
	cr_assert(HAS(r, "checkin"));
	cr_assert(!HAS(r, "cleanliness"));
	r = score("The management company was great.");
	cr_assert(HAS(r, "communication"));
}

Test(aspects, aspect_score_is_per_sentence)
{
	struct asp_result r = score("The condo was spotless. The host was rude.");

	cr_assert_gt(r.aspect[fam("cleanliness")], 0.3);
	cr_assert_lt(r.aspect[fam("communication")], -0.3);
	cr_assert(FLAGGED(r, "communication"));
	cr_assert(!FLAGGED(r, "cleanliness"));
}

Test(aspects, domain_phrases_without_sentiment_words)
{
	static const char *const neg[] = {
		"There was no hot water.",	     "The host never responded.",
		"The unit was not as pictured.",     "It was smaller than expected.",
		"We had to pay extra for parking.", "The AC didn't work.",
		"The shower drain was clogged.",     "The bedroom smelled musty.",
	};
	size_t i;

	for (i = 0; i < sizeof(neg) / sizeof(neg[0]); i++) {
		struct asp_result r = score(neg[i]);

		cr_expect_lt(r.compound, -0.05, "'%s': %.4f", neg[i], r.compound);
		cr_expect_neq(r.flags, 0u, "'%s' raised no complaint flag", neg[i]);
	}
}

Test(aspects, domain_positives)
{
	static const char *const pos[] = { "Spotless.", "The host was quick to respond.",
					   "Seamless check-in.", "Exactly as described." };
	size_t i;

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++)
		cr_expect_gt(score(pos[i]).compound, 0.05, "'%s'", pos[i]);
}

Test(aspects, negation_applies_to_domain_phrases)
{
	cr_assert_gt(score("Nothing was broken.").compound, 0.05);
	cr_assert_gt(score("We had no issues.").compound, 0.05);
	cr_assert_gt(score("No problems at all.").compound, 0.05);
	/* negated-only verbs: nothing without a negator */
	cr_assert_eq(score("Everything was working.").compound, 0.0);
	cr_assert_lt(score("Nothing was working.").compound, -0.05);
}

Test(aspects, core_only_misses_what_domain_catches)
{
	struct asp_model core;
	struct mi_err err = MI_ERR_INIT;
	struct asp_result r;
	const char *t = "The host never responded.";

	cr_assert_eq(asp_model_load(&core, "data", ASP_NO_DOMAIN, &err), 0, "%s", err.msg);
	cr_assert_eq(asp_score(&core, &sc, t, strlen(t), &r), 0);
	cr_assert_eq(r.scored, 1);
	cr_assert_gt(r.compound, -0.05); /* the general core misses it */
	cr_assert_lt(score(t).compound, r.compound);
	cr_assert(strstr(core.version, "-core+") != NULL);
	asp_model_release(&core);
}

Test(aspects, flags_only_for_manager_families)
{
	struct asp_result r = score("The neighborhood is noisy and the beach view is awful.");

	cr_assert(HAS(r, "noise"));
	cr_assert(HAS(r, "location"));
	cr_assert_eq(r.flags, 0u);
}

Test(aspects, names_manager_marker)
{
	struct asp_result r;

	/* a negative sentence naming the management company, with a complaint */
	r = score("The management company never fixed the leaking toilet.");
	cr_assert(FLAGGED(r, "maintenance"));
	cr_assert(FLAGGED(r, "names_manager"));
	/* a marker is not an aspect */
	cr_assert(!HAS(r, "names_manager"));
	/* a kind word about the host is no signal */
	r = score("The host was lovely and the condo spotless.");
	cr_assert_eq(r.flags, 0u);
	/* nor is naming the host without a complaint */
	r = score("The host was rude. The condo was spotless.");
	cr_assert(FLAGGED(r, "communication"));
	cr_assert(FLAGGED(r, "names_manager"));
	r = score("We never met the owner. The view was spectacular.");
	cr_assert(!FLAGGED(r, "names_manager"));
}

Test(aspects, language_gate)
{
	struct asp_result r;

	r = score("La casa es muy bonita y limpia, gracias por todo!");
	cr_assert_str_eq(r.language, "es");
	cr_assert_eq(r.scored, 0);
	cr_assert_eq(r.compound, 0.0);
	r = score("Appartement très propre et bien situé, merci pour tout!");
	cr_assert_str_eq(r.language, "fr");
	r = score("Sehr schöne Wohnung, wir kommen wieder.");
	cr_assert_str_eq(r.language, "de");
	r = score("\xE3\x81\xA8\xE3\x81\xA6\xE3\x82\x82\xE8\x89\xAF\xE3\x81\x84"); /* とても良い */
	cr_assert_str_eq(r.language, "ja");
	r = score("\xD0\x9E\xD1\x87\xD0\xB5\xD0\xBD\xD1\x8C \xD1\x85\xD0\xBE\xD1\x80\xD0\xBE\xD1\x88\xD0\xBE");
	cr_assert_str_eq(r.language, "ru");
	r = score("Great place, the host was very helpful.");
	cr_assert_str_eq(r.language, "en");
	cr_assert_eq(r.scored, 1);
	/* one foreign word in an English review does not flip it */
	r = score("Mahalo and gracias, the place was great and the host was kind.");
	cr_assert_str_eq(r.language, "en");
}

Test(aspects, format_json)
{
	struct strbuf out = STRBUF_INIT;
	struct asp_result r = score("The bathroom was filthy.");
	char want[512];

	cr_assert_eq(asp_format_json(&am, &r, &out), 0);
	snprintf(want, sizeof(want),
		 "{\"compound\":-0.5859,\"pos\":0.000,\"neu\":0.441,\"neg\":0.559,"
		 "\"language\":\"en\",\"aspects\":{\"cleanliness\":-0.5859},"
		 "\"flags\":[\"cleanliness\"],\"version\":\"%s\"}",
		 am.version);
	cr_assert_str_eq(out.buf, want);
	r = score("Muy bonito y limpio, gracias.");
	cr_assert_eq(asp_format_json(&am, &r, &out), 0);
	cr_assert(strstr(out.buf, "\"compound\":null") != NULL);
	cr_assert(strstr(out.buf, "\"language\":\"es\"") != NULL);
	strbuf_release(&out);
}

Test(aspects, deterministic)
{
	const char *t = "The AC was broken!!! But the host fixed it FAST :) 👍";
	struct asp_result a = score(t), b = score(t);

	cr_assert(!memcmp(&a, &b, sizeof(a)));
}

Test(aspects, bad_data_file_is_located)
{
	struct mi_err err = MI_ERR_INIT;
	struct asp_model bad;
	char dir[] = "/tmp/mi-test-data-XXXXXX", cmd[512];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cp -R data/sentiment %s/ && printf 'spotless\\t2.6\\tcleanlyness\\n' >> "
		 "%s/sentiment/domain.tsv",
		 dir, dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(asp_model_load(&bad, dir, 0, &err), -1);
	cr_assert_str_eq(err.msg, "unknown aspect family 'cleanlyness' (see families.tsv)");
	cr_assert(strstr(err.where, "domain.tsv") != NULL);
	cr_assert_gt(err.line, 1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* ---- golden fixtures ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		cr_assert_eq(strbuf_add(&sb, buf, n), 0);
	fclose(fp);
	return strbuf_detach(&sb, len);
}

/* Replace every occurrence of the scorer version with @VERSION@. */
static void unversion(struct strbuf *sb)
{
	struct strbuf out = STRBUF_INIT;
	size_t vl = strlen(am.version), i = 0;

	while (i < sb->len) {
		if (sb->len - i >= vl && !memcmp(sb->buf + i, am.version, vl)) {
			cr_assert_eq(strbuf_addstr(&out, "@VERSION@"), 0);
			i += vl;
		} else {
			cr_assert_eq(strbuf_addch(&out, sb->buf[i++]), 0);
		}
	}
	strbuf_release(sb);
	*sb = out;
}

static void compare_golden(const char *path, const char *suffix, struct strbuf *got)
{
	char exp_path[1024];
	size_t elen;
	char *exp;

	snprintf(exp_path, sizeof(exp_path), "%s%s", path, suffix);
	if (getenv("MI_UPDATE_GOLDEN")) {
		FILE *fp = fopen(exp_path, "wb");

		cr_assert_not_null(fp);
		fwrite(got->buf, 1, got->len, fp);
		cr_assert_eq(fclose(fp), 0);
	}
	exp = slurp(exp_path, &elen);
	cr_assert_not_null(exp, "missing golden file '%s'", exp_path);
	cr_expect(elen == got->len && !memcmp(exp, got->buf, elen),
		  "'%s' differs from '%s':\n--- got ---\n%s", path, exp_path, got->buf);
	free(exp);
}

static void run_aspects_case(const char *path)
{
	struct strbuf got = STRBUF_INIT, json = STRBUF_INIT;
	size_t len, pos = 0;
	char *in = slurp(path, &len);

	cr_assert_not_null(in);
	while (pos < len) {
		char *nl = memchr(in + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - in) : len;
		struct asp_result r;

		cr_assert_eq(asp_score(&am, &sc, in + pos, end - pos, &r), 0);
		cr_assert_eq(asp_format_json(&am, &r, &json), 0);
		cr_assert_eq(strbuf_add(&got, json.buf, json.len), 0);
		cr_assert_eq(strbuf_addch(&got, '\n'), 0);
		pos = end + 1;
	}
	unversion(&got);
	compare_golden(path, ".expected", &got);
	free(in);
	strbuf_release(&got);
	strbuf_release(&json);
}

static void run_reviews_case(const char *path)
{
	struct mi_err err = MI_ERR_INIT;
	struct asp_file_stats st;
	struct strbuf got = STRBUF_INIT;
	char *buf = NULL;
	size_t blen = 0;
	FILE *in = fopen(path, "r"), *out = open_memstream(&buf, &blen);
	char errline[1024], err_path[1024];
	int rc;

	cr_assert_not_null(in);
	cr_assert_not_null(out);
	rc = asp_score_reviews(&am, in, path, out, &st, &err);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
	snprintf(err_path, sizeof(err_path), "%s.err", path);
	if (rc < 0 || access(err_path, F_OK) == 0) {
		cr_assert_eq(rc, -1, "'%s' has an error twin but was accepted", path);
		mi_err_format(&err, errline, sizeof(errline));
		cr_assert_eq(strbuf_addstr(&got, errline), 0);
		cr_assert_eq(strbuf_addch(&got, '\n'), 0);
		compare_golden(path, ".err", &got);
	} else {
		cr_assert_eq(strbuf_add(&got, buf, blen), 0);
		unversion(&got);
		compare_golden(path, ".expected", &got);
	}
	free(buf);
	strbuf_release(&got);
}

Test(aspects, golden_fixtures)
{
	glob_t g;
	size_t i, n = 0;

	cr_assert_eq(glob("fixtures/sentiment/*.txt", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++, n++)
		run_aspects_case(g.gl_pathv[i]);
	globfree(&g);
	cr_assert_eq(glob("fixtures/sentiment/reviews-*.tsv", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++, n++)
		run_reviews_case(g.gl_pathv[i]);
	globfree(&g);
	cr_assert_geq(n, 3);
}

Test(aspects, linear_time_on_hostile_input)
{
	static const char *const units[] = { "<a", "&#", "a.", "n't ", "no no ", "\xF0\x9F\x98" };
	size_t len = 4u << 20, i, k;
	char *t = malloc(len);
	struct timespec t0, t1;
	struct asp_result r;

	cr_assert_not_null(t);
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		size_t ul = strlen(units[k]);

		for (i = 0; i < len; i++)
			t[i] = units[k][i % ul];
		clock_gettime(CLOCK_MONOTONIC, &t0);
		cr_assert_eq(asp_score(&am, &sc, t, len, &r), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cr_expect_lt((double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, 5.0,
			     "4 MiB of '%s' took too long", units[k]);
	}
	free(t);
}

Test(aspects, over_long_review_is_cut_not_refused)
{
	size_t len = (16u << 20) + 4096, i;
	char *t = malloc(len);
	struct asp_result r, r2;

	cr_assert_not_null(t);
	for (i = 0; i < len; i++)
		t[i] = "Clean. "[i % 7];
	cr_assert_eq(asp_score(&am, &sc, t, len, &r), 0);
	cr_assert_eq(r.scored, 1);
	cr_assert_gt(r.compound, 0.9);
	/* the next review is not affected by the cut */
	r2 = score("Filthy.");
	cr_assert_lt(r2.compound, -0.5);
	free(t);
}
