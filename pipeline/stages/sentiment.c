#include "sentiment.h"
#include "exitcode.h"
#include "strbuf.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Structural words the rules look for by identity. */
enum sent_special {
	SP_NONE,
	SP_NO,
	SP_LEAST,
	SP_AT,
	SP_VERY,
	SP_NEVER,
	SP_SO,
	SP_THIS,
	SP_WITHOUT,
	SP_DOUBT,
	SP_BUT,
	SP_OR,
	SP_NOR,
};

static const struct {
	const char *word;
	enum sent_special sp;
} specials[] = {
	{ "no", SP_NO },	  { "least", SP_LEAST }, { "at", SP_AT },
	{ "very", SP_VERY },	  { "never", SP_NEVER }, { "so", SP_SO },
	{ "this", SP_THIS },	  { "without", SP_WITHOUT }, { "doubt", SP_DOUBT },
	{ "but", SP_BUT },	  { "or", SP_OR },	 { "nor", SP_NOR },
};

struct sent_entry {
	uint32_t key_off;
	uint16_t key_len;
	uint8_t nwords;
	uint8_t maxphrase; /* longest phrase (in words) that starts with this word */
	uint8_t flags;
	uint8_t special;
	uint8_t langs;
	double valence;
	double booster;
	uint32_t aspects;
};

struct sent_model {
	struct strbuf pool; /* keys, back to back */
	struct sent_entry *ent;
	size_t nent, aent;
	uint32_t *slot; /* entry index + 1; 0 = empty */
	size_t nslot;   /* a power of two, at least twice nent */
	uint32_t hash;
	int nlangs;
	char langs[SENT_MAX_LANGS][8];
};

#define VALUED (SENT_F_VALENCE | SENT_F_IDIOM | SENT_F_NEGONLY)

static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int32_t lookup(const struct sent_model *m, const char *key, size_t len)
{
	size_t mask = m->nslot - 1, i;

	if (!m->nslot || len > 0xffff)
		return -1;
	for (i = fnv1a(key, len) & mask;; i = (i + 1) & mask) {
		uint32_t s = m->slot[i];
		const struct sent_entry *e;

		if (!s)
			return -1;
		e = &m->ent[s - 1];
		if (e->key_len == len && !memcmp(m->pool.buf + e->key_off, key, len))
			return (int32_t)(s - 1);
	}
}

static int rehash(struct sent_model *m, size_t nslot)
{
	uint32_t *slot = calloc(nslot, sizeof(*slot));
	size_t i, mask = nslot - 1;

	if (!slot)
		return -1;
	for (i = 0; i < m->nent; i++) {
		const struct sent_entry *e = &m->ent[i];
		size_t j = fnv1a(m->pool.buf + e->key_off, e->key_len) & mask;

		while (slot[j])
			j = (j + 1) & mask;
		slot[j] = (uint32_t)(i + 1);
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
	return 0;
}

/* The entry for a normalized key, created empty when absent; -1 when out of memory. */
static int32_t intern(struct sent_model *m, const char *key, size_t len, unsigned nwords)
{
	int32_t idx = lookup(m, key, len);
	struct sent_entry *e;

	if (idx >= 0)
		return idx;
	if ((m->nent + 1) * 2 > m->nslot && rehash(m, m->nslot ? m->nslot * 2 : 1024) < 0)
		return -1;
	if (m->nent == m->aent) {
		size_t n = m->aent ? m->aent * 2 : 1024;
		struct sent_entry *ne = realloc(m->ent, n * sizeof(*ne));

		if (!ne)
			return -1;
		m->ent = ne;
		m->aent = n;
	}
	e = &m->ent[m->nent];
	memset(e, 0, sizeof(*e));
	e->key_off = (uint32_t)m->pool.len;
	e->key_len = (uint16_t)len;
	e->nwords = (uint8_t)nwords;
	e->maxphrase = 1;
	if (strbuf_add(&m->pool, key, len) < 0)
		return -1;
	{
		size_t mask = m->nslot - 1, j = fnv1a(key, len) & mask;

		while (m->slot[j])
			j = (j + 1) & mask;
		m->slot[j] = (uint32_t)(m->nent + 1);
	}
	return (int32_t)m->nent++;
}

struct sent_model *sent_model_new(void)
{
	struct sent_model *m = calloc(1, sizeof(*m));
	size_t i;

	if (!m)
		return NULL;
	strbuf_init(&m->pool, 0);
	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		int32_t idx = intern(m, specials[i].word, strlen(specials[i].word), 1);

		if (idx < 0) {
			sent_model_free(m);
			return NULL;
		}
		m->ent[idx].special = (uint8_t)specials[i].sp;
	}
	return m;
}

void sent_model_free(struct sent_model *m)
{
	if (!m)
		return;
	strbuf_release(&m->pool);
	free(m->ent);
	free(m->slot);
	free(m);
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int sent_model_put(struct sent_model *m, const char *key, unsigned set_flags,
		   double valence, double booster, uint32_t aspects, unsigned langs,
		   struct mi_err *err)
{
	char norm[256];
	size_t n = 0, words = 0, first_len = 0;
	const char *p;
	int32_t idx;
	struct sent_entry *e;
	uint32_t h;

	/* lowercase, blanks collapsed to one space */
	for (p = key; *p; p++) {
		if (is_blank((unsigned char)*p)) {
			if (n && norm[n - 1] != ' ') {
				if (!first_len)
					first_len = n;
				if (n + 1 >= sizeof(norm))
					goto toolong;
				norm[n++] = ' ';
			}
			continue;
		}
		if (n + 1 >= sizeof(norm))
			goto toolong;
		if (!n || norm[n - 1] == ' ')
			words++;
		norm[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
	}
	if (n && norm[n - 1] == ' ')
		n--;
	if (!n)
		return mi_err_set(err, MI_EXIT_CONFIG, "empty sentiment key");
	if (words > SENT_MAX_PHRASE)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "phrase '%.*s' has more than %d words", (int)n, norm,
				  SENT_MAX_PHRASE);
	if (!first_len || first_len > n)
		first_len = n;
	idx = intern(m, norm, n, (unsigned)words);
	if (idx < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	e = &m->ent[idx];
	e->flags |= (uint8_t)set_flags;
	if (set_flags & VALUED)
		e->valence = valence;
	if (set_flags & (SENT_F_BOOSTER | SENT_F_AUX))
		e->booster = booster;
	e->aspects |= aspects;
	e->langs |= (uint8_t)langs;
	if (words > 1) {
		int32_t f = intern(m, norm, first_len, 1);

		if (f < 0)
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		if (m->ent[f].maxphrase < words)
			m->ent[f].maxphrase = (uint8_t)words;
	}
	h = fnv1a(norm, n);
	h ^= set_flags * 0x9e3779b1u;
	h ^= (uint32_t)lrint(valence * 1000.0) * 0x85ebca6bu;
	h ^= (uint32_t)lrint(booster * 1000.0) * 0xc2b2ae35u;
	h ^= aspects * 0x27d4eb2fu ^ langs;
	m->hash = (m->hash ^ h) * 16777619u + 0x7f4a7c15u;
	return 0;

toolong:
	return mi_err_set(err, MI_EXIT_CONFIG, "sentiment key '%.40s...' is too long", key);
}

int sent_read_tsv(const char *path, sent_tsv_fn fn, void *ctx, struct mi_err *err)
{
	FILE *fp = fopen(path, "r");
	struct strbuf line;
	long lineno = 0;
	int ret = 0, rc;

	strbuf_init(&line, 64 * 1024);
	if (!fp)
		return mi_err_set(err, MI_EXIT_NOINPUT, "cannot open '%s': %s", path,
				  strerror(errno));
	while ((rc = strbuf_getline(&line, fp)) == 1) {
		char *fields[16];
		int nf = 0;
		char *p;

		lineno++;
		if (line.len && line.buf[line.len - 1] == '\r')
			strbuf_setlen(&line, line.len - 1);
		if (!line.len || line.buf[0] == '#')
			continue;
		for (p = line.buf; nf < 16;) {
			char *tab = strchr(p, '\t');

			fields[nf++] = p;
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		if (fn(ctx, fields, nf, err) < 0) {
			mi_err_at(err, path, lineno, -1);
			ret = -1;
			goto out;
		}
	}
	if (rc < 0) {
		ret = mi_err_set(err, line.toobig ? MI_EXIT_CONFIG : MI_EXIT_IO,
				 line.toobig ? "line too long in '%s'" : "cannot read '%s'", path);
		mi_err_at(err, path, lineno + 1, -1);
	}
out:
	fclose(fp);
	strbuf_release(&line);
	return ret;
}

static int parse_value(const char *s, double min, double max, double *out, struct mi_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "invalid value '%s': must be a number between %g and %g", s,
				  min, max);
	*out = v;
	return 0;
}

static int lexicon_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	double v;

	if (nf < 2)
		return mi_err_set(err, MI_EXIT_CONFIG, "expected token TAB valence");
	if (parse_value(f[1], -4.5, 4.5, &v, err) < 0)
		return -1;
	return sent_model_put(ctx, f[0], SENT_F_VALENCE, v, 0, 0, 0, err);
}

int sent_model_load_lexicon(struct sent_model *m, const char *path, struct mi_err *err)
{
	return sent_read_tsv(path, lexicon_line, m, err);
}

static int rules_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	double v;

	if (!strcmp(f[0], "negate")) {
		if (nf != 2)
			return mi_err_set(err, MI_EXIT_CONFIG, "expected 'negate' TAB word");
		return sent_model_put(ctx, f[1], SENT_F_NEGATE, 0, 0, 0, 0, err);
	}
	if (!strcmp(f[0], "booster")) {
		if (nf != 3)
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "expected 'booster' TAB phrase TAB value");
		if (parse_value(f[2], -1, 1, &v, err) < 0)
			return -1;
		return sent_model_put(ctx, f[1], SENT_F_BOOSTER, 0, v, 0, 0, err);
	}
	if (!strcmp(f[0], "aux")) {
		if (nf != 3)
			return mi_err_set(err, MI_EXIT_CONFIG, "expected 'aux' TAB phrase TAB valence");
		if (parse_value(f[2], -4.5, 4.5, &v, err) < 0)
			return -1;
		return sent_model_put(ctx, f[1], SENT_F_AUX | SENT_F_NEGATE, 0, v, 0, 0, err);
	}
	if (!strcmp(f[0], "exempt")) {
		if (nf != 2)
			return mi_err_set(err, MI_EXIT_CONFIG, "expected 'exempt' TAB word");
		return sent_model_put(ctx, f[1], SENT_F_EXEMPT, 0, 0, 0, 0, err);
	}
	if (!strcmp(f[0], "idiom")) {
		if (nf != 3)
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "expected 'idiom' TAB phrase TAB valence");
		if (parse_value(f[2], -4.5, 4.5, &v, err) < 0)
			return -1;
		return sent_model_put(ctx, f[1], SENT_F_IDIOM, v, 0, 0, 0, err);
	}
	return mi_err_set(err, MI_EXIT_CONFIG,
			  "unknown rule kind '%s': expected booster, negate, idiom, aux or exempt", f[0]);
}

int sent_model_load_rules(struct sent_model *m, const char *path, struct mi_err *err)
{
	return sent_read_tsv(path, rules_line, m, err);
}

static int valence_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	double v;

	if (nf != 2)
		return mi_err_set(err, MI_EXIT_CONFIG, "expected key TAB valence");
	if (parse_value(f[1], -4.5, 4.5, &v, err) < 0)
		return -1;
	return sent_model_put(ctx, f[0], SENT_F_VALENCE, v, 0, 0, 0, err);
}

int sent_model_load_valences(struct sent_model *m, const char *path, struct mi_err *err)
{
	return sent_read_tsv(path, valence_line, m, err);
}

static int stopword_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	struct sent_model *m = ctx;
	int i;

	if (nf != 2 || !*f[0] || strlen(f[0]) >= sizeof(m->langs[0]))
		return mi_err_set(err, MI_EXIT_CONFIG, "expected language TAB word");
	for (i = 0; i < m->nlangs; i++)
		if (!strcmp(m->langs[i], f[0]))
			break;
	if (i == m->nlangs) {
		if (m->nlangs == SENT_MAX_LANGS)
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "too many stopword languages: at most %d",
					  SENT_MAX_LANGS);
		snprintf(m->langs[m->nlangs++], sizeof(m->langs[0]), "%s", f[0]);
	}
	if (strchr(f[1], ' '))
		return mi_err_set(err, MI_EXIT_CONFIG, "stopword '%s' is not one word", f[1]);
	return sent_model_put(m, f[1], 0, 0, 0, 0, 1u << i, err);
}

int sent_model_load_stopwords(struct sent_model *m, const char *path, struct mi_err *err)
{
	return sent_read_tsv(path, stopword_line, m, err);
}

int sent_model_nlangs(const struct sent_model *m)
{
	return m->nlangs;
}

const char *sent_model_lang(const struct sent_model *m, int i)
{
	return i >= 0 && i < m->nlangs ? m->langs[i] : "";
}

size_t sent_model_size(const struct sent_model *m)
{
	return m->nent;
}

uint32_t sent_model_hash(const struct sent_model *m)
{
	return m->hash;
}

/* ---- scoring ---- */

void sent_scorer_init(struct sent_scorer *s)
{
	s->low = NULL;
	s->low_alloc = 0;
	s->ntok = 0;
}

void sent_scorer_release(struct sent_scorer *s)
{
	free(s->low);
	sent_scorer_init(s);
}

double sent_normalize(double s, double alpha)
{
	double n = s / sqrt(s * s + alpha);

	return n < -1.0 ? -1.0 : n > 1.0 ? 1.0 : n;
}

void sent_scores_zero(struct sent_scores *acc)
{
	memset(acc, 0, sizeof(*acc));
}

void sent_scores_add(struct sent_scores *acc, const struct sent_scores *s)
{
	int i;

	acc->sum += s->sum;
	acc->pos_sum += s->pos_sum;
	acc->neg_sum += s->neg_sum;
	acc->neu_count += s->neu_count;
	acc->aspects |= s->aspects;
	acc->nunits += s->nunits;
	for (i = 0; i < SENT_MAX_LANGS; i++)
		acc->lang_hits[i] += s->lang_hits[i];
	for (i = 0; i < SENT_SCRIPT_COUNT; i++)
		acc->script[i] += s->script[i];
}

void sent_scores_finish(struct sent_scores *acc)
{
	double total = acc->pos_sum + acc->neg_sum + acc->neu_count;

	acc->compound = acc->sum != 0.0 ? sent_normalize(acc->sum, SENT_ALPHA) : 0.0;
	if (total > 0) {
		acc->pos = acc->pos_sum / total;
		acc->neg = acc->neg_sum / total;
		acc->neu = acc->neu_count / total;
	} else {
		acc->pos = acc->neg = acc->neu = 0.0;
	}
}

static int is_punct(unsigned char c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
	       (c >= '{' && c <= '~');
}

/* Length of a curly quote (U+2018, U+2019, U+201C, U+201D) at p, else 0. */
static size_t curly_quote(const unsigned char *p, const unsigned char *end)
{
	if (end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	    (p[2] == 0x98 || p[2] == 0x99 || p[2] == 0x9C || p[2] == 0x9D))
		return 3;
	return 0;
}

/* Curly quote ending at end (exclusive), else 0. */
static size_t curly_quote_before(const unsigned char *start, const unsigned char *end)
{
	if (end - start >= 3 && curly_quote(end - 3, end))
		return 3;
	return 0;
}

/*
 * Decode one UTF-8 code point at p; returns its length (1..4) and sets *cp,
 * or returns 1 with *cp = -1 for an invalid byte.
 */
static size_t utf8_decode(const unsigned char *p, const unsigned char *end, long *cp)
{
	unsigned char c = p[0];
	size_t n, i;
	long v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
	} else {
		*cp = -1;
		return 1;
	}
	if ((size_t)(end - p) < n) {
		*cp = -1;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*cp = -1;
			return 1;
		}
		v = (v << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = -1;
		return 1;
	}
	*cp = v;
	return n;
}

static int is_emoji(long cp)
{
	return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) ||
	       cp == 0x2B50 || cp == 0x2B55;
}

/* Joiners and modifiers inside emoji sequences: dropped. */
static int is_emoji_modifier(long cp)
{
	return cp == 0xFE0F || cp == 0x200D || (cp >= 0x1F3FB && cp <= 0x1F3FF);
}

static int script_of(long cp)
{
	if (cp < 0x80)
		return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? SENT_SCRIPT_LATIN : -1;
	if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
	    (cp >= 0x1E00 && cp <= 0x1EFF))
		return SENT_SCRIPT_LATIN;
	if (cp >= 0x370 && cp <= 0x3FF)
		return SENT_SCRIPT_GREEK;
	if (cp >= 0x400 && cp <= 0x52F)
		return SENT_SCRIPT_CYRILLIC;
	if (cp >= 0x590 && cp <= 0x5FF)
		return SENT_SCRIPT_HEBREW;
	if (cp >= 0x600 && cp <= 0x6FF)
		return SENT_SCRIPT_ARABIC;
	if (cp >= 0xE00 && cp <= 0xE7F)
		return SENT_SCRIPT_THAI;
	if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0xAC00 && cp <= 0xD7AF))
		return SENT_SCRIPT_HANGUL;
	if (cp >= 0x3040 && cp <= 0x30FF)
		return SENT_SCRIPT_KANA;
	if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))
		return SENT_SCRIPT_HAN;
	if (cp >= 0x250 && !is_emoji(cp) && !(cp >= 0x2000 && cp <= 0x2BFF) &&
	    !(cp >= 0x3000 && cp <= 0x303F) && !(cp >= 0xFE00 && cp <= 0xFE0F) &&
	    !(cp >= 0xFF00 && cp <= 0xFFEF))
		return SENT_SCRIPT_OTHER;
	return -1;
}

struct tokenizer {
	const struct sent_model *m;
	struct sent_scorer *s;
	struct sent_scores *acc; /* pieces are added here */
	const unsigned char *piece; /* start of the current piece's bytes */
	size_t w;                   /* write offset in s->low */
	unsigned nupper;
	int drop_break;             /* a dropped punctuation token: break before the next */
};

static void score_piece(struct tokenizer *t, const unsigned char *end);

/* Lowercase [a, b) into low at w; curly apostrophes become "'".  Returns the new w. */
static size_t lower_into(char *low, size_t w, const unsigned char *a, const unsigned char *b)
{
	while (a < b) {
		size_t q = curly_quote(a, b);

		if (q && (a[2] == 0x98 || a[2] == 0x99)) {
			low[w++] = '\'';
			a += 3;
			continue;
		}
		low[w++] = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : (char)*a;
		a++;
	}
	return w;
}

static int all_caps(const unsigned char *a, const unsigned char *b)
{
	int up = 0;

	for (; a < b; a++) {
		if (*a >= 'a' && *a <= 'z')
			return 0;
		if (*a >= 'A' && *a <= 'Z')
			up = 1;
	}
	return up;
}

static int has_nt(const char *k, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len; i++)
		if (k[i] == 'n' && k[i + 1] == '\'' && k[i + 2] == 't')
			return 1;
	return 0;
}

/* Append one word token [a, b) (no blanks inside). */
static void add_word(struct tokenizer *t, const unsigned char *a, const unsigned char *b)
{
	struct sent_scorer *s = t->s;
	const struct sent_model *m = t->m;
	const unsigned char *sa = a, *sb = b;
	struct sent_unit *u;
	size_t w0, w;
	int32_t idx;
	int monster = 0;

	if (a == b)
		return;
	if (s->ntok == SENT_MAX_UNITS)
		score_piece(t, a);
	for (;;) {
		size_t q;

		if (sa < sb && is_punct(*sa))
			sa++;
		else if ((q = curly_quote(sa, sb)) != 0)
			sa += q;
		else
			break;
	}
	for (;;) {
		size_t q;

		if (sb > sa && is_punct(sb[-1]))
			sb--;
		else if ((q = curly_quote_before(sa, sb)) != 0)
			sb -= q;
		else
			break;
	}
	w0 = t->w ? t->w + 1 : 0;
	w = lower_into(s->low, w0, a, b);
	idx = lookup(m, s->low + w0, w - w0);
	if (sa != a || sb != b) {
		if (idx >= 0 && (m->ent[idx].flags & VALUED)) {
			/* an emoticon or an entry written with its punctuation: whole */
			sa = a;
			sb = b;
		} else if (sa == sb) {
			/* pure punctuation that means nothing: a phrase break */
			t->drop_break = 1;
			if (s->ntok)
				s->tok[s->ntok - 1].brk_after = 1;
			return;
		} else {
			w = lower_into(s->low, w0, sa, sb);
			idx = lookup(m, s->low + w0, w - w0);
		}
	}
	if (w - w0 > 0xffff) {
		/* a monster token: kept (neutral) but never part of a phrase */
		monster = 1;
		w = w0 + 0xffff;
		idx = -1;
	}
	if (t->w)
		s->low[t->w] = ' ';
	u = &s->tok[s->ntok++];
	u->off = (uint32_t)w0;
	u->len = (uint16_t)(w - w0);
	u->ntok = 1;
	u->upper = (uint8_t)all_caps(sa, sb);
	u->brk_before = (uint8_t)(sa > a || t->drop_break || monster);
	u->brk_after = (uint8_t)(sb < b || monster);
	u->entry = idx;
	u->special = idx >= 0 ? m->ent[idx].special : SP_NONE;
	u->neg = (uint8_t)((idx >= 0 && (m->ent[idx].flags & SENT_F_NEGATE)) ||
			   has_nt(s->low + w0, w - w0));
	t->drop_break = 0;
	t->nupper += u->upper;
	t->w = w;
	if (idx >= 0 && m->ent[idx].langs) {
		unsigned langs = m->ent[idx].langs;
		int i;

		for (i = 0; i < SENT_MAX_LANGS; i++)
			if (langs & (1u << i))
				t->acc->lang_hits[i]++;
	}
}

/* Split a blank-free token into words and emoji, count scripts. */
static void add_token(struct tokenizer *t, const unsigned char *a, const unsigned char *b)
{
	const unsigned char *p = a, *word = a;

	while (p < b) {
		long cp;
		size_t n;
		int sc;

		if (*p < 0x80) {
			if (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
				t->acc->script[SENT_SCRIPT_LATIN]++;
			p++;
			continue;
		}
		n = utf8_decode(p, b, &cp);
		if (cp >= 0 && (is_emoji(cp) || is_emoji_modifier(cp))) {
			add_word(t, word, p);
			if (is_emoji(cp)) {
				add_word(t, p, p + n);
				if (t->s->ntok) {
					t->s->tok[t->s->ntok - 1].brk_before = 1;
					t->s->tok[t->s->ntok - 1].brk_after = 1;
				}
			}
			p += n;
			word = p;
			continue;
		}
		sc = cp >= 0 ? script_of(cp) : -1;
		if (sc >= 0)
			t->acc->script[sc]++;
		p += n;
	}
	add_word(t, word, b);
}

static double booster_scalar(const struct sent_model *m, const struct sent_unit *u,
			     double valence, int cap_diff)
{
	double s;

	if (u->entry < 0 || !(m->ent[u->entry].flags & SENT_F_BOOSTER))
		return 0.0;
	s = m->ent[u->entry].booster;
	if (valence < 0)
		s = -s;
	if (cap_diff && u->upper)
		s += valence > 0 ? SENT_C_INCR : -SENT_C_INCR;
	return s;
}

static unsigned flags_of(const struct sent_model *m, const struct sent_unit *u)
{
	return u->entry >= 0 ? m->ent[u->entry].flags : 0;
}

/* The valence of unit i in its context (VADER's sentiment_valence). */
static double unit_valence(const struct sent_model *m, const struct sent_unit *u, unsigned n,
			   unsigned i, int cap_diff)
{
	const struct sent_entry *e;
	unsigned flags = flags_of(m, &u[i]), d;
	int negated = 0, negonly;
	double v;

	if ((flags & SENT_F_AUX) && !(flags & VALUED)) {
		/* "would not drain": a negated action with no sentiment word */
		unsigned next = i + 1 < n ? flags_of(m, &u[i + 1]) : 0;

		if (i + 1 < n && !u[i].brk_after &&
		    !(next & (VALUED | SENT_F_BOOSTER | SENT_F_NEGATE | SENT_F_EXEMPT | SENT_F_AUX)) &&
		    !u[i + 1].neg)
			return m->ent[u[i].entry].booster;
		return 0.0;
	}
	if (!(flags & VALUED) || (flags & SENT_F_BOOSTER))
		return 0.0;
	e = &m->ent[u[i].entry];
	if (flags & SENT_F_IDIOM)
		return e->valence;
	/* "no" before a lexicon word negates that word and scores 0 itself */
	if (u[i].special == SP_NO && i + 1 < n && (flags_of(m, &u[i + 1]) & VALUED) &&
	    !(flags_of(m, &u[i + 1]) & SENT_F_BOOSTER))
		return 0.0;
	negonly = !!(flags & SENT_F_NEGONLY);
	v = negonly ? e->valence / SENT_N_SCALAR : e->valence;
	if ((i > 0 && u[i - 1].special == SP_NO) || (i > 1 && u[i - 2].special == SP_NO) ||
	    (i > 2 && u[i - 3].special == SP_NO &&
	     (u[i - 1].special == SP_OR || u[i - 1].special == SP_NOR))) {
		v *= SENT_N_SCALAR;
		negated = 1;
	}
	if (u[i].upper && cap_diff)
		v += v > 0 ? SENT_C_INCR : -SENT_C_INCR;
	for (d = 1; d <= 3 && d <= i; d++) {
		const struct sent_unit *p = &u[i - d];
		double s;

		if (flags_of(m, p) & VALUED)
			continue; /* a lexicon word is not a modifier */
		s = booster_scalar(m, p, v, cap_diff);
		v += d == 1 ? s : d == 2 ? s * 0.95 : s * 0.9;
		if (d == 1) {
			if (p->neg) {
				v *= SENT_N_SCALAR;
				negated = 1;
			}
		} else if (d == 2) {
			if (p->special == SP_NEVER &&
			    (u[i - 1].special == SP_SO || u[i - 1].special == SP_THIS)) {
				v *= 1.25;
			} else if (p->special == SP_WITHOUT && u[i - 1].special == SP_DOUBT) {
				/* "without doubt" affirms */
			} else if (p->neg) {
				v *= SENT_N_SCALAR;
				negated = 1;
			}
		} else {
			if (p->special == SP_NEVER &&
			    (u[i - 2].special == SP_SO || u[i - 2].special == SP_THIS ||
			     u[i - 1].special == SP_SO || u[i - 1].special == SP_THIS)) {
				v *= 1.25;
			} else if (p->special == SP_WITHOUT &&
				   (u[i - 2].special == SP_DOUBT || u[i - 1].special == SP_DOUBT)) {
				/* "without a doubt" affirms */
			} else if (p->neg) {
				v *= SENT_N_SCALAR;
				negated = 1;
			}
		}
	}
	/* "least X" negates X, unless "at least" or "very least" */
	if (i > 0 && u[i - 1].special == SP_LEAST && !(flags_of(m, &u[i - 1]) & VALUED)) {
		if (i == 1 || (u[i - 2].special != SP_AT && u[i - 2].special != SP_VERY)) {
			v *= SENT_N_SCALAR;
			negated = 1;
		}
	}
	if (negonly && !negated)
		return 0.0;
	return v;
}

/* Group tokens into units: the longest phrase of the model starting at each token. */
static unsigned make_units(const struct sent_model *m, struct sent_scorer *s)
{
	unsigned i = 0, n = 0;

	while (i < s->ntok) {
		struct sent_unit *t = &s->tok[i], *u = &s->unit[n++];
		int32_t best = t->entry;
		unsigned len = 1, k;

		if (best >= 0 && m->ent[best].maxphrase > 1) {
			unsigned maxn = m->ent[best].maxphrase;

			if (maxn > s->ntok - i)
				maxn = s->ntok - i;
			for (k = 1; k < maxn; k++)
				if (s->tok[i + k - 1].brk_after || s->tok[i + k].brk_before)
					break;
			for (maxn = k; maxn >= 2; maxn--) {
				const struct sent_unit *last = &s->tok[i + maxn - 1];
				size_t klen = last->off + last->len - t->off;
				int32_t f = lookup(m, s->low + t->off, klen);

				if (f >= 0 && (m->ent[f].flags || m->ent[f].aspects)) {
					best = f;
					len = maxn;
					break;
				}
			}
		}
		*u = *t;
		if (len > 1) {
			const struct sent_unit *last = &s->tok[i + len - 1];

			u->len = (uint16_t)(last->off + last->len - t->off);
			u->ntok = (uint8_t)len;
			u->entry = best;
			u->brk_after = last->brk_after;
			u->special = m->ent[best].special;
			u->neg = (uint8_t)!!(m->ent[best].flags & SENT_F_NEGATE);
			for (k = 1; k < len; k++)
				u->upper &= s->tok[i + k].upper;
		}
		i += len;
	}
	return n;
}

static void score_piece(struct tokenizer *t, const unsigned char *end)
{
	const struct sent_model *m = t->m;
	struct sent_scorer *s = t->s;
	struct sent_scores *acc = t->acc;
	unsigned n, i, but = 0, nupper = 0;
	int cap_diff, has_but = 0;
	double sum = 0, pos = 0, neg = 0, neu = 0, punct;
	unsigned ep = 0, qm = 0;
	const unsigned char *p;

	n = make_units(m, s);
	for (i = 0; i < n; i++)
		nupper += s->unit[i].upper;
	cap_diff = nupper > 0 && nupper < n;
	for (i = 0; i < n; i++) {
		s->val[i] = unit_valence(m, s->unit, n, i, cap_diff);
		if (!has_but && s->unit[i].special == SP_BUT) {
			has_but = 1;
			but = i;
		}
		if (s->unit[i].entry >= 0)
			acc->aspects |= m->ent[s->unit[i].entry].aspects;
	}
	if (has_but)
		for (i = 0; i < n; i++)
			s->val[i] *= i < but ? 0.5 : i > but ? 1.5 : 1.0;
	for (i = 0; i < n; i++) {
		double v = s->val[i];

		sum += v;
		if (v > 0)
			pos += v + 1;
		else if (v < 0)
			neg += -v + 1;
		else
			neu += 1;
	}
	for (p = t->piece; p < end; p++) {
		ep += *p == '!';
		qm += *p == '?';
	}
	punct = (ep > 4 ? 4 : ep) * 0.292;
	if (qm > 1)
		punct += qm <= 3 ? qm * 0.18 : 0.96;
	if (n) {
		if (sum > 0)
			sum += punct;
		else if (sum < 0)
			sum -= punct;
		if (pos > neg)
			pos += punct;
		else if (pos < neg)
			neg += punct;
	}
	acc->sum += sum;
	acc->pos_sum += pos;
	acc->neg_sum += neg;
	acc->neu_count += neu;
	acc->nunits += n;
	s->ntok = 0;
	t->w = 0;
	t->nupper = 0;
	t->piece = end;
}

int sent_score(const struct sent_model *m, struct sent_scorer *s, const char *text,
	       size_t len, struct sent_scores *out)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	struct tokenizer t;
	size_t need = len * 2 + 16;

	sent_scores_zero(out);
	if (need > s->low_alloc) {
		char *nl = realloc(s->low, need);

		if (!nl)
			return -1;
		s->low = nl;
		s->low_alloc = need;
	}
	t.m = m;
	t.s = s;
	t.acc = out;
	t.piece = p;
	t.w = 0;
	t.nupper = 0;
	t.drop_break = 0;
	s->ntok = 0;
	while (p < end) {
		const unsigned char *a;

		while (p < end && (*p <= ' ' || *p == 0x7f))
			p++;
		a = p;
		while (p < end && *p > ' ' && *p != 0x7f)
			p++;
		if (a < p)
			add_token(&t, a, p);
	}
	score_piece(&t, end);
	sent_scores_finish(out);
	assert(out->compound >= -1.0 && out->compound <= 1.0);
	return 0;
}
