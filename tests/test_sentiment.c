/*
 * The VADER-family core: one test per rule, each pinning the rule's exact
 * effect on a small model built here (so that removing the rule fails the
 * test), then reference values of vaderSentiment 3.3.2 on the real lexicon.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aspects.h"
#include "sentiment.h"

#include "banned.h"

static struct sent_model *m;
static struct sent_scorer sc;

static void put(const char *key, unsigned flags, double v, double b)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(sent_model_put(m, key, flags, v, b, 0, 0, &err), 0, "%s", err.msg);
}

static void setup(void)
{
	m = sent_model_new();
	cr_assert_not_null(m);
	put("good", SENT_F_VALENCE, 1.9, 0);
	put("bad", SENT_F_VALENCE, -2.5, 0);
	put("no", SENT_F_VALENCE, -1.2, 0);
	put("doubt", SENT_F_VALENCE, -1.5, 0);
	put("bomb", SENT_F_VALENCE, -2.0, 0);
	put(":)", SENT_F_VALENCE, 2.0, 0);
	put("\xF0\x9F\x98\x80", SENT_F_VALENCE, 2.2, 0); /* grinning face */
	put("no hot water", SENT_F_VALENCE, -2.4, 0);
	put("working", SENT_F_NEGONLY, -1.9, 0);
	put("very", SENT_F_BOOSTER, 0, 0.293);
	put("kind of", SENT_F_BOOSTER, 0, -0.293);
	put("not", SENT_F_NEGATE, 0, 0);
	put("never", SENT_F_NEGATE, 0, 0);
	put("without", SENT_F_NEGATE, 0, 0);
	put("nothing", SENT_F_NEGATE, 0, 0);
	put("wasnt", SENT_F_NEGATE, 0, 0);
	put("the bomb", SENT_F_IDIOM, 3.0, 0);
	put("would not", SENT_F_AUX | SENT_F_NEGATE, 0, -1.2);
	put("have", SENT_F_EXEMPT, 0, 0);
	sent_scorer_init(&sc);
}

static void teardown(void)
{
	sent_scorer_release(&sc);
	sent_model_free(m);
}

/* The raw valence sum (words plus punctuation) of text. */
static double sum_of(const char *text)
{
	struct sent_scores s;

	cr_assert_eq(sent_score(m, &sc, text, strlen(text), &s), 0);
	return s.sum;
}

#define assert_sum(text, expected)                                                       \
	do {                                                                             \
		double got_ = sum_of(text);                                              \
		cr_assert(fabs(got_ - (expected)) < 1e-9, "'%s': sum %.6f, expected %.6f", \
			  text, got_, (double)(expected));                               \
	} while (0)

TestSuite(sentiment, .init = setup, .fini = teardown);

Test(sentiment, lexicon_word)
{
	assert_sum("good", 1.9);
	assert_sum("bad", -2.5);
	assert_sum("food", 0.0);
	assert_sum("GoOd", 1.9); /* case-insensitive */
}

Test(sentiment, compound_normalization)
{
	struct sent_scores s;

	cr_assert_eq(sent_score(m, &sc, "good", 4, &s), 0);
	cr_assert(fabs(s.compound - 1.9 / sqrt(1.9 * 1.9 + 15)) < 1e-12);
	cr_assert(fabs(sent_normalize(1e9, 15) - 1.0) < 1e-9);
	cr_assert(fabs(sent_normalize(-4, 15) + 4 / sqrt(31.0)) < 1e-12);
}

Test(sentiment, shares_pos_neu_neg)
{
	struct sent_scores s;

	/* good: 1.9 + 1 = 2.9 positive; food: 1 neutral; bad: 2.5 + 1 = 3.5 negative */
	cr_assert_eq(sent_score(m, &sc, "good food bad", 13, &s), 0);
	cr_assert(fabs(s.pos - 2.9 / 7.4) < 1e-12);
	cr_assert(fabs(s.neu - 1.0 / 7.4) < 1e-12);
	cr_assert(fabs(s.neg - 3.5 / 7.4) < 1e-12);
	cr_assert(fabs(s.pos + s.neu + s.neg - 1.0) < 1e-12);
}

Test(sentiment, punctuation_stripped_from_words)
{
	assert_sum("(good),", 1.9);
	assert_sum("\xE2\x80\x9Cgood\xE2\x80\x9D", 1.9); /* curly quotes */
}

Test(sentiment, emoticon_kept)
{
	assert_sum("good :)", 1.9 + 2.0);
	/* stripped, ":)" would vanish */
	assert_sum(":)", 2.0);
}

Test(sentiment, emoji_split_from_word)
{
	assert_sum("good\xF0\x9F\x98\x80", 1.9 + 2.2);
	/* a variation selector or skin tone after it is ignored */
	assert_sum("\xF0\x9F\x98\x80\xEF\xB8\x8F", 2.2);
}

Test(sentiment, booster_distance_decay)
{
	assert_sum("very good", 1.9 + 0.293);
	assert_sum("very much good", 1.9 + 0.293 * 0.95);
	assert_sum("very much much good", 1.9 + 0.293 * 0.9);
	assert_sum("very much much much good", 1.9);
}

Test(sentiment, booster_follows_sign)
{
	assert_sum("very bad", -2.5 - 0.293);
}

Test(sentiment, booster_word_scores_zero)
{
	/* a booster that is also a lexicon word scores 0 itself */
	put("really", SENT_F_VALENCE, 1.0, 0);
	assert_sum("really", 1.0);
	put("really", SENT_F_BOOSTER, 0, 0.293);
	assert_sum("really", 0.0);
	/* and, being a lexicon word, it boosts nothing (as in vaderSentiment) */
	assert_sum("really good", 1.9);
}

Test(sentiment, dampener_phrase)
{
	/* "kind of" is one unit: a dampener that scores 0 itself */
	assert_sum("kind of good", 1.9 - 0.293);
	assert_sum("kind of bad", -2.5 + 0.293);
}

Test(sentiment, allcaps_emphasis_in_mixed_case)
{
	assert_sum("GOOD food", 1.9 + 0.733);
	assert_sum("BAD food", -2.5 - 0.733);
	/* all capitals: no differential, no emphasis */
	assert_sum("GOOD FOOD", 1.9);
}

Test(sentiment, allcaps_booster)
{
	assert_sum("VERY good food", 1.9 + 0.293 + 0.733);
}

Test(sentiment, negation_window)
{
	double n = SENT_N_SCALAR;

	assert_sum("not good", 1.9 * n);
	assert_sum("not the good", 1.9 * n);
	assert_sum("not the food good", 1.9 * n);
	assert_sum("not the food here good", 1.9);
	assert_sum("not bad", -2.5 * n);
}

Test(sentiment, negation_with_booster)
{
	assert_sum("not very good", (1.9 + 0.293) * SENT_N_SCALAR);
}

Test(sentiment, negation_nt_words)
{
	assert_sum("isn't good", 1.9 * SENT_N_SCALAR);
	assert_sum("isn\xE2\x80\x99t good", 1.9 * SENT_N_SCALAR); /* curly apostrophe */
	assert_sum("wasnt good", 1.9 * SENT_N_SCALAR);           /* listed in data */
	assert_sum("isnt good", 1.9);                             /* not listed */
}

Test(sentiment, never_so_intensifies)
{
	assert_sum("never so good", 1.9 * 1.25);
	assert_sum("never this good", 1.9 * 1.25);
	assert_sum("never so the good", 1.9 * 1.25);
	assert_sum("never the good", 1.9 * SENT_N_SCALAR);
}

Test(sentiment, without_doubt_affirms)
{
	/* "doubt" is negated by "without"; "good" is not */
	assert_sum("without doubt good", -1.5 * SENT_N_SCALAR + 1.9);
	assert_sum("without a good", 1.9 * SENT_N_SCALAR);
}

Test(sentiment, no_before_lexicon_word)
{
	/* "no" scores 0 and negates the word */
	assert_sum("no good", 1.9 * SENT_N_SCALAR);
	assert_sum("no food good", -1.2 + 1.9 * SENT_N_SCALAR); /* "no" keeps -1.2: "food" is not a lexicon word */
	/* before a word that is not in the lexicon, "no" keeps its own valence */
	assert_sum("no towels", -1.2);
}

Test(sentiment, least_negates)
{
	assert_sum("least good", 1.9 * SENT_N_SCALAR);
	assert_sum("the least good", 1.9 * SENT_N_SCALAR);
	assert_sum("at least good", 1.9);
}

Test(sentiment, idiom_overrides_words)
{
	assert_sum("bomb", -2.0);
	assert_sum("the bomb", 3.0);
	/* an idiom takes no negation */
	assert_sum("not the bomb", 3.0);
}

Test(sentiment, but_shifts_weight)
{
	assert_sum("good but bad", 1.9 * 0.5 - 2.5 * 1.5);
	assert_sum("good BUT bad", 1.9 * 0.5 - 2.5 * 1.5);
	/* only the first "but" counts */
	assert_sum("good but bad but good", 1.9 * 0.5 - 2.5 * 1.5 + 1.9 * 1.5);
}

Test(sentiment, exclamation_amplifies)
{
	assert_sum("good!", 1.9 + 0.292);
	assert_sum("good!!!!", 1.9 + 4 * 0.292);
	assert_sum("good!!!!!!!", 1.9 + 4 * 0.292);
	assert_sum("bad!", -2.5 - 0.292);
	assert_sum("food!", 0.0);
}

Test(sentiment, question_marks_amplify)
{
	assert_sum("good?", 1.9);
	assert_sum("good??", 1.9 + 2 * 0.18);
	assert_sum("good???", 1.9 + 3 * 0.18);
	assert_sum("good?????", 1.9 + 0.96);
}

Test(sentiment, punctuation_goes_to_dominant_share)
{
	struct sent_scores s;

	cr_assert_eq(sent_score(m, &sc, "good food!", 10, &s), 0);
	cr_assert(fabs(s.pos_sum - (2.9 + 0.292)) < 1e-12);
	cr_assert(fabs(s.neu_count - 1.0) < 1e-12);
}

Test(sentiment, phrase_longest_match)
{
	assert_sum("there was no hot water", -2.4);
	/* never across punctuation: "no" keeps its own valence */
	assert_sum("no hot, water", -1.2);
}

Test(sentiment, negated_only_entry)
{
	assert_sum("everything was working", 0.0);
	assert_sum("nothing was working", -1.9);
	assert_sum("wasn't working", -1.9);
}

Test(sentiment, negated_action_is_a_complaint)
{
	/* no sentiment word at all, still a complaint */
	assert_sum("the sink would not drain", -1.2);
	/* a lexicon word after it: the normal negation instead */
	assert_sum("would not good", 1.9 * SENT_N_SCALAR);
	/* exempt verbs and the end of the text */
	assert_sum("we would not have bad", -2.5 * SENT_N_SCALAR);
	assert_sum("it would not", 0.0);
	assert_sum("it would not. drain", 0.0);
}

Test(sentiment, long_text_in_pieces)
{
	struct sent_scores s;
	char *text = malloc(5 * 2000 + 1);
	int i;

	cr_assert_not_null(text);
	for (i = 0; i < 2000; i++)
		memcpy(text + 5 * i, "good ", 5);
	text[5 * 2000] = '\0';
	cr_assert_eq(sent_score(m, &sc, text, strlen(text), &s), 0);
	cr_assert(fabs(s.sum - 2000 * 1.9) < 1e-6, "sum %f", s.sum);
	cr_assert_eq(s.nunits, 2000);
	free(text);
}

Test(sentiment, any_bytes_are_safe_and_deterministic)
{
	unsigned char buf[4096];
	struct sent_scores a, b;
	unsigned x = 12345;
	int round, i;

	for (round = 0; round < 200; round++) {
		for (i = 0; i < (int)sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
		}
		cr_assert_eq(sent_score(m, &sc, (char *)buf, sizeof(buf), &a), 0);
		cr_assert_eq(sent_score(m, &sc, (char *)buf, sizeof(buf), &b), 0);
		cr_assert(a.compound >= -1 && a.compound <= 1);
		cr_assert(a.compound == b.compound && a.pos == b.pos);
	}
}

Test(sentiment, bad_keys_refused)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(sent_model_put(m, "   ", SENT_F_VALENCE, 1, 0, 0, 0, &err), -1);
	cr_assert_str_eq(err.msg, "empty sentiment key");
	cr_assert_eq(sent_model_put(m, "a b c d e f g", SENT_F_VALENCE, 1, 0, 0, 0, &err), -1);
	cr_assert_str_eq(err.msg, "phrase 'a b c d e f g' has more than 6 words");
}

Test(sentiment, data_file_errors_carry_location)
{
	struct mi_err err = MI_ERR_INIT;
	char path[] = "/tmp/mi-test-rules-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;

	cr_assert(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("# comment\nbooster\tvery\t0.293\nboost\tvery\t1\n", fp);
	fclose(fp);
	cr_assert_eq(sent_model_load_rules(m, path, &err), -1);
	cr_assert_str_eq(err.msg, "unknown rule kind 'boost': expected booster, negate, idiom, aux or exempt");
	cr_assert_str_eq(err.where, path);
	cr_assert_eq(err.line, 3);
	unlink(path);
}

/* ---- the real lexicon against vaderSentiment 3.3.2's published outputs ---- */

static struct asp_model am;

static void setup_real(void)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(asp_model_load(&am, "data", ASP_NO_DOMAIN, &err), 0, "%s", err.msg);
	sent_scorer_init(&sc);
}

static void teardown_real(void)
{
	sent_scorer_release(&sc);
	asp_model_release(&am);
}

TestSuite(vader_reference, .init = setup_real, .fini = teardown_real);

Test(vader_reference, readme_examples)
{
	static const struct {
		const char *text;
		double compound;
	} cases[] = {
		{ "VADER is smart, handsome, and funny.", 0.8316 },
		{ "VADER is smart, handsome, and funny!", 0.8439 },
		{ "VADER is very smart, handsome, and funny.", 0.8545 },
		{ "VADER is VERY SMART, handsome, and FUNNY.", 0.9227 },
		{ "VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342 },
		{ "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469 },
		{ "VADER is not smart, handsome, nor funny.", -0.7424 },
		{ "The book was good.", 0.4404 },
		{ "At least it isn't a horrible book.", 0.431 },
		{ "The book was only kind of good.", 0.3832 },
		{ "The plot was good, but the characters are uncompelling and the dialog is not great.",
		  -0.7042 },
		{ "Today SUX!", -0.5461 },
		{ "Today only kinda sux! But I'll get by, lol", 0.5249 },
		{ "Make sure you :) or :D today!", 0.8633 },
		{ "Not bad at all", 0.431 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sent_scores s;

		cr_assert_eq(sent_score(am.sent, &sc, cases[i].text, strlen(cases[i].text), &s), 0);
		cr_expect(fabs(s.compound - cases[i].compound) < 0.00005, "'%s': %.4f, expected %.4f",
			  cases[i].text, s.compound, cases[i].compound);
	}
}
