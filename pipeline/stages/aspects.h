/*
 * aspects: the vacation-rental layer over the sentiment core.
 *
 * A review is cleaned (HTML tags dropped, <br>/<p>/<li> become line breaks,
 * entities decoded), split into sentences (line breaks, and runs of . ! ?
 * followed by a blank), and each sentence is scored by sent_score() and
 * tagged with the aspect families whose keywords or phrases it contains.
 * The review's compound and pos/neu/neg come from the sum over its
 * sentences; an aspect's score is the mean compound of the sentences tagged
 * with it; the complaint flags are the manager-controllable families (flag
 * 1 in families.tsv) whose score is -0.05 or lower, plus the markers (flag
 * "m", e.g. names_manager: the review names the host or the management
 * company in a negative sentence) when there is such a complaint.  Markers
 * are not aspects: they never appear in the aspects JSON.  A review whose language
 * is not English (stopword counts, script) is not scored.
 *
 * Data files (under the data directory, see paths.h), all loaded by
 * asp_model_load(): sentiment/vader_lexicon.txt, rules.tsv, emoji.tsv,
 * rental_rules.tsv, domain.tsv, patterns.tsv, families.tsv, aspects.tsv,
 * stopwords.tsv
 * (formats in data/sentiment/README.md).
 *
 * Ownership: struct asp_model owns its sentiment model; read-only after
 * load.  struct asp_scorer is per-thread scratch, reused from review to
 * review.  int functions return 0, or -1 after filling err.
 */
#ifndef MI_ASPECTS_H
#define MI_ASPECTS_H

#include "err.h"
#include "sentiment.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>

#define ASP_MAX_FAMILIES 32
/* Bump when the rules (code) change; the data hash follows the data files. */
#define ASP_SCORER_VERSION "rental-1"
/* Class thresholds on compound, as VADER's. */
#define ASP_POS_THRESHOLD 0.05
#define ASP_NEG_THRESHOLD (-0.05)

enum asp_load_flags {
	ASP_NO_DOMAIN = 1 << 0, /* general core only: skip rental_rules.tsv and domain.tsv */
};

struct asp_model {
	struct sent_model *sent;
	int nfam;
	char fam[ASP_MAX_FAMILIES][24];
	uint32_t flag_mask;  /* families reported in complaint flags */
	uint32_t marker_mask; /* markers (flag "m"): not aspects; flagged with a complaint */
	int en;              /* stopword language index of "en", -1 if none */
	char version[48];    /* "rental-1+1a2b3c4d" */
};

/*
 * Load every data file from datadir (NULL: found with mi_path_data()).
 * Errors name the file and line.  On failure nothing needs releasing.
 */
int asp_model_load(struct asp_model *am, const char *datadir, unsigned flags,
		   struct mi_err *err);
void asp_model_release(struct asp_model *am);
/* Index of family name, or -1. */
int asp_family_index(const struct asp_model *am, const char *name);

struct asp_result {
	char language[8];   /* "en", "es", "ja", ... */
	int scored;         /* 0 when not English: no score below is meaningful */
	double compound, pos, neu, neg;
	unsigned nsentences;
	uint32_t present;   /* families mentioned */
	uint32_t flags;     /* complaint flags: present, flagged family, negative */
	double aspect[ASP_MAX_FAMILIES]; /* mean sentence compound, when present */
};

struct asp_scorer {
	struct sent_scorer sc;
	struct strbuf clean;
};

void asp_scorer_init(struct asp_scorer *s);
void asp_scorer_release(struct asp_scorer *s);

/* Score one review (any bytes).  Returns 0, or -1 when out of memory. */
int asp_score(const struct asp_model *am, struct asp_scorer *s, const char *text,
	      size_t len, struct asp_result *out);

/*
 * Cleaning, exposed for tests: replace the content of out with text without
 * HTML tags and with entities decoded; block tags become '\n'.  Returns 0 or
 * -1 (out of memory or over out's cap: the text is then cut).
 */
int asp_strip_html(struct strbuf *out, const char *text, size_t len);

/*
 * The next sentence of text[0..len) at or after *pos: sets *start and *end
 * (end exclusive, trailing blanks excluded, the final . ! ? kept) and
 * advances *pos.  Returns 0 when there is no sentence left.
 */
int asp_next_sentence(const char *text, size_t len, size_t *pos, size_t *start, size_t *end);

/*
 * Formatting of a result.  aspects JSON: {"cleanliness":-0.6200,...} in
 * family order ("{}" when none); flags: "cleanliness,maintenance" ("" when
 * none).  Both replace out's content; -1 when out of memory.
 */
int asp_format_aspects(const struct asp_model *am, const struct asp_result *r,
		       struct strbuf *out);
int asp_format_flags(const struct asp_model *am, const struct asp_result *r,
		     struct strbuf *out);
/* One JSON object (no newline): compound, pos, neu, neg, language, aspects, flags, version. */
int asp_format_json(const struct asp_model *am, const struct asp_result *r,
		    struct strbuf *out);

/*
 * Score a reviews file (the COPY text rows of REC_REVIEWS, see records.h)
 * from in, writing every row to out with the score columns filled
 * (language, compound, pos, neu, neg, aspects, complaint_flags,
 * scorer_version; the four numbers, aspects and flags are \N when the
 * review is not English or has no text).  name is used in messages.  Fails
 * (MI_EXIT_DATA, name:line) on a row without the right number of columns,
 * MI_EXIT_IO on a read or write error.
 */
struct asp_file_stats {
	long rows, scored, not_english, no_text, flagged;
};
int asp_score_reviews(const struct asp_model *am, FILE *in, const char *name, FILE *out,
		      struct asp_file_stats *st, struct mi_err *err);

/*
 * Evaluate on a labelled file (text TAB polarity -4..4 TAB families or "-"):
 * writes Pearson r, 3-class accuracy and negative recall, overall and per
 * labelled family, to out.  Fails on a malformed line (file:line).
 */
int asp_eval(const struct asp_model *am, const char *path, FILE *out, struct mi_err *err);

#endif
