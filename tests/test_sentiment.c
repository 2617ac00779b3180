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
	cr_assert_str_eq(err.msg, "unknown rule kind 'boost': expected booster, negate, idiom, aux, "
				  "exempt, contrast or option");
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

/* ---- patterns and contrasts (the rental layer's rules, pinned on a small model) ---- */

static void pat(const char *pattern, unsigned flags, double v)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(sent_model_put_pattern(m, pattern, flags, v, 0, &err), 0, "%s: %s", pattern,
		     err.msg);
}

static void def(const char *name, const char *body)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(sent_model_define(m, name, body, &err), 0, "%s", err.msg);
}

Test(sentiment, pattern_words_macro_and_optional)
{
	def("small", "small|tiny|cramped");
	pat("(very|a bit|quite) @small", SENT_F_VALENCE, -1.3);
	assert_sum("the room was very small", -1.3);
	assert_sum("the room was a bit cramped", -1.3);
	assert_sum("the room was small", 0); /* the intensifier is not optional */
	pat("on the (@small|old)? side", SENT_F_VALENCE, -1.0);
	assert_sum("it is on the small side", -1.0);
	assert_sum("it is on the side", -1.0);
	assert_sum("it is on the beach side", 0);
}

Test(sentiment, pattern_macro_errors)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(sent_model_put_pattern(m, "@nosuch room", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert_str_eq(err.msg, "unknown macro '@nosuch'");
	cr_assert_eq(sent_model_define(m, "x", "a|b", &err), 0);
	cr_assert_eq(sent_model_define(m, "x", "c", &err), -1);
	cr_assert_eq(sent_model_put_pattern(m, "(very @x) room", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert(strstr(err.msg, "inside an alternative") != NULL, "%s", err.msg);
	cr_assert_eq(sent_model_put_pattern(m, "(@x y) room", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert(strstr(err.msg, "a macro must be a whole alternative") != NULL, "%s", err.msg);
	cr_assert_eq(sent_model_put_pattern(m, "room?", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert(strstr(err.msg, "needs a word that is not optional") != NULL, "%s", err.msg);
	cr_assert_eq(sent_model_put_pattern(m, "!a room", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert_eq(sent_model_put_pattern(m, "room ^", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert_eq(sent_model_put_pattern(m, "(room", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert_eq(sent_model_put_pattern(m, "#cash for", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert_eq(sent_model_put_pattern(m, "room *9", SENT_F_VALENCE, -1, 0, &err), -1);
	cr_assert_eq(sent_model_npatterns(m), 0u);
}

Test(sentiment, pattern_money_and_number_slots)
{
	pat("#money for", SENT_F_VALENCE, -1.0);
	pat("#num dollars", SENT_F_VALENCE, -0.5);
	assert_sum("$30 for two sandwiches", -1.0);
	assert_sum("they charged $1,200.50 for it", -1.0);
	assert_sum("\xE2\x82\xAC" "15 for a beer", -1.0); /* euro sign */
	assert_sum("\xC2\xA3" "8 for a coffee", -1.0);   /* pound sign */
	assert_sum("30 for two", 0);  /* a number is not money */
	assert_sum("$ for two", 0);
	assert_sum("$30. for two", 0); /* not across punctuation */
	assert_sum("it was 30 dollars", -0.5);
	/* the "$" of an amount is no punctuation between two words of a pattern */
	pat("charged #money", SENT_F_VALENCE, -1.2);
	assert_sum("they charged $30", -1.2);
}

Test(sentiment, pattern_longest_match_wins_and_beats_a_phrase)
{
	pat("no hot", SENT_F_VALENCE, -1.0);
	pat("no hot water at all", SENT_F_VALENCE, -3.0);
	assert_sum("no hot water", -2.4);       /* the phrase is longer than "no hot" */
	assert_sum("no hot water at all", -3.0); /* the longer pattern wins */
	pat("no hot water", SENT_F_VALENCE, -1.5);
	assert_sum("no hot water", -1.5); /* a tie: the pattern */
}

Test(sentiment, pattern_gap_lookahead_and_start)
{
	pat("noise *2 (all night)", SENT_F_VALENCE, -1.8);
	assert_sum("noise all night", -1.8);
	assert_sum("noise from the bar all night", 0); /* three words: over the gap */
	assert_sum("noise from bar all night", -1.8);
	pat("old !(charm|hawaii)", SENT_F_VALENCE, -1.0);
	assert_sum("it is old", -1.0);
	assert_sum("old hawaii charm", 0);
	assert_sum("old, charm", -1.0); /* the look-ahead stops at punctuation too */
	pat("^ dont go", SENT_F_VALENCE, -1.8);
	assert_sum("dont go", -1.8);
	assert_sum("honestly, dont go", -1.8);
	assert_sum("you dont go there", 0);
}

Test(sentiment, pattern_slots_pos_neg_any)
{
	pat("the only #pos thing", SENT_F_IDIOM, -1.9);
	assert_sum("the only good thing", -1.9);
	assert_sum("the only bad thing", -2.5);
	pat("smelled of #any", SENT_F_VALENCE, -1.4);
	assert_sum("it smelled of smoke", -1.4);
}

Test(sentiment, pattern_unit_takes_negation_unless_fixed)
{
	pat("far from town", SENT_F_VALENCE, -1.2);
	assert_sum("far from town", -1.2);
	assert_sum("not far from town", -1.2 * SENT_N_SCALAR);
	pat("need a car", SENT_F_IDIOM, -1.1);
	assert_sum("you need a car", -1.1);
	assert_sum("you wasnt need a car", -1.1); /* fixed: no negation */
	assert_sum("very far from town", -1.2 - 0.293); /* a booster before it */
}

Test(sentiment, pattern_negator)
{
	pat("anything but", SENT_F_NEGATE, 0);
	assert_sum("anything but good", 1.9 * SENT_N_SCALAR);
	/* the "but" inside the match is not the contrast word */
	assert_sum("good anything but good", 1.9 + 1.9 * SENT_N_SCALAR);
}

Test(sentiment, pattern_unit_has_the_aspects_of_its_words)
{
	struct mi_err err = MI_ERR_INIT;
	struct sent_scores s;

	cr_assert_eq(sent_model_put(m, "towels", 0, 0, 0, 1u << 3, 0, &err), 0);
	cr_assert_eq(sent_model_put_pattern(m, "only two towels", SENT_F_VALENCE, -1.2, 1u << 5, &err),
		     0);
	cr_assert_eq(sent_score(m, &sc, "only two towels", 15, &s), 0);
	cr_assert_eq(s.aspects, (1u << 3) | (1u << 5));
}

Test(sentiment, contrast_word)
{
	put("however", SENT_F_CONTRAST, 0, 0);
	assert_sum("good however bad", 1.9 * 0.5 - 2.5 * 1.5);
	/* "but" first: it is the pivot */
	assert_sum("good but bad however good", 1.9 * 0.5 - 2.5 * 1.5 + 1.9 * 1.5);
	pat("except", SENT_F_IDIOM | SENT_F_CONTRAST, -0.6);
	assert_sum("good except bad", 1.9 * 0.5 - 0.6 - 2.5 * 1.5);
}

Test(sentiment, negated_compliment_after_a_compliment)
{
	/* without the option: VADER's plain sum */
	assert_sum("good the room wasnt good", 1.9 + 1.9 * SENT_N_SCALAR);
	sent_model_set_options(m, SENT_OPT_NEGATED_CONTRAST);
	assert_sum("good the room wasnt good", 1.9 * 0.5 + 1.9 * SENT_N_SCALAR * 1.5);
	/* no compliment before it: no contrast */
	assert_sum("the room wasnt good", 1.9 * SENT_N_SCALAR);
	/* a negated complaint is no negated compliment */
	assert_sum("good nothing bad", 1.9 - 2.5 * SENT_N_SCALAR);
	/* an explicit "but" keeps its own pivot */
	assert_sum("good but wasnt good", 1.9 * 0.5 + 1.9 * SENT_N_SCALAR * 1.5);
	/* "no" is a negator too */
	assert_sum("good no good", 1.9 * 0.5 + 1.9 * SENT_N_SCALAR * 1.5);
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
