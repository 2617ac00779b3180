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
	cr_assert_eq(score("The AC was working.").compound, 0.0);
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

/*
 * Issue 16: each family of complaints without a sentiment word, with its
 * other wordings (negative), and its look-alikes that are no complaint (not
 * negative): the rules must not fire outside their context.
 */
struct family_case {
	const char *family;
	const char *const *neg; /* compound <= -0.05 */
	const char *const *pos; /* compound > -0.05 */
};

static const char *const size_neg[] = {
	"The room was very small.", "Our bathroom was a bit cramped.",
	"We had to squeeze past the bed to reach the closet.", "The studio is on the small side.",
	"There was no room to put our suitcases.", "The lanai is barely big enough for one chair.",
	"Way too small for four adults.", NULL
};
static const char *const size_pos[] = {
	"Small but spotless.", "The kitchen is small but has everything you need.",
	"Cozy little cottage, perfect for two.", "There is a small grocery store across the street.",
	"The room was spacious and bright.", NULL
};
static const char *const age_neg[] = {
	"The hotel is very old.", "The decor is a bit dated.", "The bathroom needs renovation.",
	"The wifi needs to be improved.", "The furniture has seen better days.",
	"The unit could use some TLC.", "Kitchen cabinets straight out of the 80s.", NULL
};
static const char *const age_pos[] = {
	"Old Hawaiian charm with a huge lanai.", "It has that old Hawaii feel we love.",
	"The condo was recently renovated and looks brand new.", "The wifi improved after day one.",
	NULL
};
static const char *const plain_neg[] = {
	"The room was very basic.", "The apartment is just functional.",
	"Breakfast was very average.", "Nothing modern about the place.",
	"The pool is mediocre at best.", NULL
};
static const char *const plain_pos[] = {
	"Simple but clean and comfortable.", "The check in was very simple.",
	"Nothing fancy but it had everything we needed.", "Far better than your average hotel.",
	NULL
};
static const char *const noise_neg[] = {
	"There was a lot of noise.", "Noise all night from the ice machine.",
	"We could hear every conversation in the hallway.",
	"The fridge hums all night long.", "The roosters kept us awake.", NULL
};
static const char *const noise_pos[] = {
	"The sound of the waves put us to sleep.", "No noise at all, even on weekends.",
	"There is a white noise machine in each bedroom.", "We could hear the ocean from the bed.",
	NULL
};
static const char *const price_neg[] = {
	"$30 for two sandwiches at the pool bar.", "I would expect much more for the price.",
	"They charged us $150 for a late checkout.", "Twelve dollars for a coffee.",
	"Basic for the price we paid.", NULL
};
static const char *const price_pos[] = {
	"Great value for money.", "We paid $220 a night for a two bedroom.",
	"Not cheap, but worth it.", "For the price you can't beat it.", NULL
};
static const char *const intent_neg[] = {
	"It was well below my expectations.", "This hotel is not for me.", "We will not go back.",
	"I wouldn't use them again.", "Don't go.", "Won't be returning.",
	"Not what we expected at all.", NULL
};
static const char *const intent_pos[] = {
	"Can't wait to go back!", "We won't stay anywhere else on Kauai.",
	"You can't go wrong with this place.", "I can't recommend this place enough.",
	"Don't hesitate to book.", "Exceeded our expectations.", NULL
};
static const char *const access_neg[] = {
	"It is far from town.", "You need a car to get anywhere.",
	"The room is only reachable through the parking garage.",
	"Nothing within walking distance.", "Hard to find at night.", NULL
};
static const char *const access_pos[] = {
	"Not far from town.", "You don't need a car, everything is walkable.",
	"Close to shops and restaurants.", "Not far from the beach at all.", NULL
};
static const char *const pest_neg[] = {
	"We saw a mouse in the kitchen.", "Found hair in the shower.",
	"A centipede crawled out from under the bed.", "There were ants all over the counter.",
	"The sheets were not changed between guests.", NULL
};
static const char *const pest_pos[] = {
	"No bugs at all, which surprised us.", "Not a single ant or roach the whole week.",
	"The hair dryer works great.", "Bring bug spray for the hike.", NULL
};
static const char *const faint_neg[] = {
	"The only good thing was the view.", "The only downside was the parking.",
	"The stay was anything but relaxing.", "The worst stay ever.",
	"The pool was the only redeeming feature.",
	"The view was amazing, too bad about everything else.", NULL
};
static const char *const faint_pos[] = {
	"The only thing we'd change is staying longer.", "The only downside was having to leave!",
	"Our only complaint is that we couldn't stay longer.", "It's the only place we stay on Maui.",
	"This was the best stay ever.", NULL
};
static const char *const negcompl_neg[] = {
	"The location was amazing, the room wasn't the best.", "I really didn't like the room.",
	"Great view, the bed was not comfortable at all.",
	"The host was lovely, the apartment wasn't very clean.", NULL
};
static const char *const negcompl_pos[] = {
	"Great location, we didn't have any issues.",
	"The view is incredible, the pictures don't do it justice.",
	"Loved it, not a single complaint.", "The location could not be better.", NULL
};

static const struct family_case families[] = {
	{ "size", size_neg, size_pos },
	{ "age and upkeep", age_neg, age_pos },
	{ "ordinariness", plain_neg, plain_pos },
	{ "noise", noise_neg, noise_pos },
	{ "price", price_neg, price_pos },
	{ "expectations and intent", intent_neg, intent_pos },
	{ "access", access_neg, access_pos },
	{ "pests and hygiene", pest_neg, pest_pos },
	{ "faint praise and contrast", faint_neg, faint_pos },
	{ "negated compliment", negcompl_neg, negcompl_pos },
};

Test(aspects, complaint_families_and_their_look_alikes)
{
	struct asp_model core;
	struct mi_err err = MI_ERR_INIT;
	size_t f, i, core_missed = 0, nneg = 0;

	cr_assert_eq(asp_model_load(&core, "data", ASP_NO_DOMAIN, &err), 0, "%s", err.msg);
	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		for (i = 0; families[f].neg[i]; i++) {
			const char *t = families[f].neg[i];
			struct asp_result r = score(t), c;

			cr_expect_leq(r.compound, ASP_NEG_THRESHOLD, "%s: '%s' scored %.4f",
				      families[f].family, t, r.compound);
			cr_assert_eq(asp_score(&core, &sc, t, strlen(t), &c), 0);
			core_missed += c.compound > ASP_NEG_THRESHOLD;
			nneg++;
		}
		for (i = 0; families[f].pos[i]; i++) {
			const char *t = families[f].pos[i];
			struct asp_result r = score(t);

			cr_expect_gt(r.compound, ASP_NEG_THRESHOLD, "%s look-alike: '%s' scored %.4f",
				     families[f].family, t, r.compound);
		}
	}
	/* the cases are ones the general rules miss: the layer is what catches them */
	cr_expect_geq(core_missed * 10, nneg * 7, "the core alone caught %zu of %zu", nneg - core_missed,
		      nneg);
	asp_model_release(&core);
}

Test(aspects, family_rules_flag_the_right_aspect)
{
	struct asp_result r;

	r = score("The hotel is very old and the bathroom needs renovation.");
	cr_assert(FLAGGED(r, "maintenance"));
	r = score("$30 for two sandwiches at the pool bar.");
	cr_assert(FLAGGED(r, "value"));
	r = score("We saw a mouse in the kitchen.");
	cr_assert(FLAGGED(r, "cleanliness"));
	/* noise and location are scored, never flagged */
	r = score("Noise all night from the ice machine. It is far from town.");
	cr_assert(HAS(r, "noise"));
	cr_assert(HAS(r, "location"));
	cr_assert_eq(r.flags, 0u);
}
