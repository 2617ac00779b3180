/*
 * sentiment: a lexicon-and-rules sentiment scorer of the VADER family
 * (Hutto & Gilbert, ICWSM 2014), written for this project.  The lexicon and
 * the word lists are data loaded at start; the rules are the code below.
 *
 * Rules (constants of vaderSentiment 3.3.2, see SENTIMENT.md):
 *  - tokens: the text is split on whitespace; leading and trailing
 *    punctuation is stripped from a token unless the token as written is a
 *    lexicon entry (emoticons such as ":)" or "<3" survive); an emoji is a
 *    token of its own even when glued to a word;
 *  - phrases: a run of consecutive tokens that is a lexicon key ("no hot
 *    water", "kind of", "the bomb") is one unit, longest match first, never
 *    across punctuation;
 *  - boosters / dampeners up to 3 units before a word add +-0.293 toward the
 *    word's sign, scaled by 1 / 0.95 / 0.9 with distance; an ALL-CAPS booster
 *    adds 0.733 more;
 *  - ALL-CAPS emphasis: +0.733 toward the word's sign when the word is in
 *    capitals and the text is mixed case;
 *  - negation: a negator (list in data, plus every "n't" word) up to 3 units
 *    before a word multiplies it by -0.74; "never so X" / "never this X"
 *    multiplies by 1.25 instead; "without doubt" does not negate; "no"
 *    before a lexicon word negates it and then scores 0 itself; "least X"
 *    negates unless preceded by "at" or "very";
 *  - idioms: a phrase value replaces the values of its words;
 *  - "but": values before the first "but" x0.5, after it x1.5;
 *  - punctuation: each "!" adds 0.292 (up to 4); "?" counts from 2 on, 0.18
 *    each up to 3, 0.96 for 4 or more; added toward the sum's sign;
 *  - compound = s / sqrt(s^2 + 15); pos/neu/neg are the shares of
 *    (valence + 1) per positive, (|valence| + 1) per negative and 1 per
 *    neutral unit, the punctuation amplifier going to the dominant side.
 *
 * Extensions for review text (this project): entries may carry aspect
 * family bits (a mask the caller defines) and stopword language bits, and an
 * entry may be "negated only": it scores only when a negator governs it
 * ("not working", "never responded"), with its value then taken as given.
 * A negated action is a complaint in a review even when its verb carries no
 * sentiment ("the sink would not drain", "the washer didn't spin"): an
 * auxiliary entry ("would not", "didn't") scores its value when the next
 * word is not a lexicon word and not exempt ("didn't have any issues" stays
 * with the normal negation of "issues").
 *
 * Ownership: a struct sent_model owns its table; it is read-only once
 * loaded and may be shared by threads.  A struct sent_scorer is the
 * per-thread scratch (fixed arrays, one growable lowercase buffer): scoring
 * allocates nothing per token or per text once the buffer has grown to the
 * longest text seen.  Functions returning int return 0 on success and -1
 * after filling err (when not NULL).
 */
#ifndef MI_SENTIMENT_H
#define MI_SENTIMENT_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

#define SENT_B_INCR 0.293
#define SENT_B_DECR (-0.293)
#define SENT_C_INCR 0.733
#define SENT_N_SCALAR (-0.74)
#define SENT_ALPHA 15.0

/* Units scored as one span; a longer span is scored in consecutive pieces. */
#define SENT_MAX_UNITS 512
/* Words in one phrase key at most. */
#define SENT_MAX_PHRASE 6
/* Stopword languages at most (bits of an entry's language mask). */
#define SENT_MAX_LANGS 8

/* Scripts counted by the tokenizer (letters outside Latin). */
enum sent_script {
	SENT_SCRIPT_LATIN,    /* ASCII letters and Latin-1/Extended letters */
	SENT_SCRIPT_CYRILLIC,
	SENT_SCRIPT_GREEK,
	SENT_SCRIPT_HEBREW,
	SENT_SCRIPT_ARABIC,
	SENT_SCRIPT_THAI,
	SENT_SCRIPT_HANGUL,
	SENT_SCRIPT_KANA,     /* hiragana and katakana */
	SENT_SCRIPT_HAN,
	SENT_SCRIPT_OTHER,
	SENT_SCRIPT_COUNT
};

struct sent_model;

/* An empty model (with the structural words: but, no, least, ...); NULL when out of memory. */
struct sent_model *sent_model_new(void);
void sent_model_free(struct sent_model *m);

/* What an entry does; several may be set. */
enum sent_entry_flags {
	SENT_F_VALENCE = 1 << 0, /* scores: has a valence */
	SENT_F_BOOSTER = 1 << 1, /* booster or dampener (value in booster) */
	SENT_F_NEGATE = 1 << 2,  /* negator */
	SENT_F_IDIOM = 1 << 3,   /* valence fixed: no booster, caps or negation */
	SENT_F_NEGONLY = 1 << 4, /* scores only when negated, valence as given */
	SENT_F_AUX = 1 << 5,     /* "didn't", "wouldn't": scores booster when the
				  * next word is neither a lexicon word nor exempt */
	SENT_F_EXEMPT = 1 << 6,  /* "have", "mind": no complaint after an aux */
	SENT_F_CONTRAST = 1 << 7, /* "however": shifts the weight as "but" does */
};

/* Rules a model may switch on (the rental layer does; the general core does not). */
enum sent_options {
	/*
	 * A negated compliment after a compliment is a contrast, as if "but" stood
	 * before its negator: "great view, the room wasn't clean".
	 */
	SENT_OPT_NEGATED_CONTRAST = 1 << 0,
};
void sent_model_set_options(struct sent_model *m, unsigned options);

/*
 * Patterns: token sequences with slots that score as one unit, tried before
 * phrases at every token (the longest match wins, a pattern wins a tie with
 * a phrase) and never across punctuation.  Elements, separated by blanks:
 *   word          that word (case-insensitive)
 *   (a|b c|@m)    one of the alternatives, each a word sequence or a macro
 *   @name         the alternatives of a macro (sent_model_define)
 *   #money        an amount of money ("$30", "$1,200", "\u20ac15", "\u00a38.50")
 *   #num          a number ("30", "4.5")
 *   #pos / #neg   a lexicon word of positive / negative valence
 *   #any          any word
 *   *N            0 to N words
 *   ^             (first) the start of the sentence or of a clause after punctuation
 *   !x            (last) the next word does not match x; not a word of the match
 *   x?            x is optional
 * flags: SENT_F_VALENCE (scored like a lexicon word: negation, boosters, "but"),
 * SENT_F_IDIOM (a fixed value), SENT_F_NEGONLY or SENT_F_NEGATE (the match is a
 * negator, "anything but"), with SENT_F_CONTRAST (the match turns the sentence as
 * "but" does: "too bad about everything else").  The unit's aspects are the pattern's and those of
 * its words.  Fails on a syntax error, an unknown macro, or too many of them.
 */
#define SENT_MAX_PATTERN_NODES 12
#define SENT_MAX_PATTERNS 1024
#define SENT_MAX_PATTERN_TOTAL_NODES 4096
int sent_model_define(struct sent_model *m, const char *name, const char *body,
		      struct mi_err *err);
int sent_model_put_pattern(struct sent_model *m, const char *pattern, unsigned flags,
			   double valence, uint32_t aspects, struct mi_err *err);
/* Number of patterns (for tests and logs). */
size_t sent_model_npatterns(const struct sent_model *m);

/*
 * Add or update the entry for key (words separated by blanks; matched
 * case-insensitively).  set_flags are or-ed in; valence replaces the old one
 * when SENT_F_VALENCE, SENT_F_IDIOM or SENT_F_NEGONLY is among them, booster
 * when SENT_F_BOOSTER is; aspects and langs are or-ed in.  Fails on an
 * empty key, a key of more than SENT_MAX_PHRASE words or 255 bytes, or when
 * out of memory.
 */
int sent_model_put(struct sent_model *m, const char *key, unsigned set_flags,
		   double valence, double booster, uint32_t aspects, unsigned langs,
		   struct mi_err *err);

/*
 * Read a TAB-separated data file: blank lines and lines starting with '#'
 * are skipped, each other line is split on TAB and given to fn (fields are
 * NUL-terminated in a scratch line, valid until fn returns).  fn returns 0
 * or -1 after filling err (the location is then set to path:line).  Fails
 * when the file cannot be read.
 */
typedef int (*sent_tsv_fn)(void *ctx, char **fields, int nfields, struct mi_err *err);
int sent_read_tsv(const char *path, sent_tsv_fn fn, void *ctx, struct mi_err *err);

/* Load a lexicon in the VADER format: token TAB mean-valence [TAB ...]. */
int sent_model_load_lexicon(struct sent_model *m, const char *path, struct mi_err *err);
/*
 * Load rules.tsv: "booster TAB phrase TAB value", "negate TAB word",
 * "idiom TAB phrase TAB valence", "aux TAB phrase TAB valence",
 * "exempt TAB word".
 */
int sent_model_load_rules(struct sent_model *m, const char *path, struct mi_err *err);
/* Load a key TAB valence file (the emoji table). */
int sent_model_load_valences(struct sent_model *m, const char *path, struct mi_err *err);
/*
 * Load stopwords.tsv: "language TAB word".  Languages get bits in the order
 * first seen (at most SENT_MAX_LANGS).
 */
int sent_model_load_stopwords(struct sent_model *m, const char *path, struct mi_err *err);

/* Number of stopword languages loaded, and the name of language bit i ("en"). */
int sent_model_nlangs(const struct sent_model *m);
const char *sent_model_lang(const struct sent_model *m, int i);
/* Number of entries (for tests and logs). */
size_t sent_model_size(const struct sent_model *m);
/* A hash of every key and value put so far, for the scorer version. */
uint32_t sent_model_hash(const struct sent_model *m);

/* The result for one span. */
struct sent_scores {
	double compound; /* -1..1 */
	double pos, neu, neg;
	/* raw sums, so that spans can be added up (sent_scores_add) */
	double sum;      /* sum of unit valences plus punctuation */
	double pos_sum;  /* sum of (valence + 1) over positive units (+ punctuation) */
	double neg_sum;  /* sum of (|valence| + 1) over negative units (+ punctuation) */
	double neu_count;
	uint32_t aspects;               /* or of the aspect masks of the units */
	unsigned nunits;                /* units scored */
	unsigned lang_hits[SENT_MAX_LANGS]; /* stopwords seen per language */
	unsigned script[SENT_SCRIPT_COUNT]; /* letters seen per script */
};

struct sent_unit {
	uint32_t off;          /* of the key in the scorer's lowercase buffer */
	uint16_t len;
	uint8_t ntok;          /* tokens in the unit */
	uint8_t upper : 1;     /* written in capitals */
	uint8_t brk_before : 1; /* punctuation before it: phrases do not cross */
	uint8_t brk_after : 1;
	uint8_t neg : 1;       /* a negator */
	uint8_t money : 1;     /* an amount of money ("$30") */
	uint8_t num : 1;       /* a number ("30") */
	uint8_t special;       /* structural word (internal) */
	int32_t entry;         /* entry index, -1 when not in the model */
	uint32_t aspects;      /* a pattern's unit: the aspects of its words */
};

struct sent_scorer {
	char *low;          /* lowercased keys, separated by single blanks */
	size_t low_alloc;
	unsigned ntok;
	struct sent_unit tok[SENT_MAX_UNITS];
	struct sent_unit unit[SENT_MAX_UNITS];
	double val[SENT_MAX_UNITS];
	int16_t negat[SENT_MAX_UNITS]; /* the unit that negated unit i, or -1 */
	/* per piece: node_gen[i] == gen when a word of it begins an alternative of node i */
	uint32_t gen;
	uint32_t node_gen[SENT_MAX_PATTERN_TOTAL_NODES];
};

/* An empty scorer; nothing allocated yet. */
void sent_scorer_init(struct sent_scorer *s);
void sent_scorer_release(struct sent_scorer *s);

/*
 * Score the len bytes at text (any bytes: invalid UTF-8 and NUL are plain
 * neutral bytes).  Fills out completely.  Returns 0, or -1 when the scratch
 * buffer cannot grow (out of memory).
 */
int sent_score(const struct sent_model *m, struct sent_scorer *s, const char *text,
	       size_t len, struct sent_scores *out);

/* Clear an accumulator. */
void sent_scores_zero(struct sent_scores *acc);
/* Add the raw sums and counts of s to acc. */
void sent_scores_add(struct sent_scores *acc, const struct sent_scores *s);
/* Compute compound and pos/neu/neg from the raw sums (as sent_score does). */
void sent_scores_finish(struct sent_scores *acc);

/* compound = s / sqrt(s^2 + alpha), clamped to [-1, 1]. */
double sent_normalize(double s, double alpha);

#endif
