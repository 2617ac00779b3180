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
	uint32_t pat_head; /* patterns whose first word this is: pstart index + 1, 0 = none */
	uint32_t node_head; /* pattern nodes with an alternative that begins with it: nlist index + 1 */
};

/* Pattern atoms: an entry index (>= 0) or one of these slots. */
enum { PA_MONEY = -1, PA_NUM = -2, PA_POS = -3, PA_NEG = -4, PA_ANY = -5 };

enum { PN_ALT, PN_GAP, PN_START, PN_NOT };

struct sent_pnode {
	uint8_t kind;
	uint8_t opt;   /* PN_ALT: may be skipped */
	uint8_t gap;   /* PN_GAP: 0..gap words */
	uint16_t nalt; /* PN_ALT, PN_NOT: alternatives */
	uint16_t nslot; /* of them, those that begin with a slot (#any ...) */
	uint32_t alt;  /* in patoms: per alternative its length, then its atoms */
	uint32_t sorted; /* in paltoff: the alternatives' offsets, slots first, then by first word */
	uint8_t req;     /* a match needs one of its first words (no slot, not optional) */
	uint64_t fbits[2]; /* the filter bits of its first words (see filter_bit) */
};

struct sent_pattern {
	uint32_t node; /* first node in pnodes */
	uint8_t nnode;
	int32_t entry; /* the entry scored for a match */
	uint32_t filter; /* its required node of fewest alternatives, UINT32_MAX: none */
};

/* (node, first word) -> the range of the node's sorted alternatives that begin with it */
struct sent_nkey {
	uint32_t node; /* UINT32_MAX: empty slot */
	int32_t e;
	uint32_t lo, n;
};

struct sent_nlist {
	uint32_t node;
	uint32_t next; /* index + 1, 0 = end */
};

struct sent_pstart {
	uint32_t pattern;
	uint32_t filter; /* the pattern's filter node (sent_pattern.filter) */
	uint32_t next;   /* index + 1, 0 = end */
};

#define SENT_MAX_MACROS 96

struct sent_model {
	struct strbuf pool; /* keys, back to back */
	struct sent_entry *ent;
	size_t nent, aent;
	uint32_t *slot; /* entry index + 1; 0 = empty */
	size_t nslot;   /* a power of two, at least twice nent */
	uint32_t hash;
	int nlangs;
	char langs[SENT_MAX_LANGS][8];
	unsigned options;
	/* patterns */
	struct sent_pattern *pat;
	size_t npat, apat;
	struct sent_pnode *pnodes;
	size_t npnodes, apnodes;
	int32_t *patoms;
	size_t npatoms, apatoms;
	struct sent_pstart *pstart;
	size_t npstart, apstart;
	uint32_t *paltoff;
	size_t npaltoff, apaltoff;
	struct sent_nkey *nkey; /* open addressing, a power of two slots */
	size_t nnkey, snkey;
	struct sent_nlist *nlist;
	size_t nnlist, anlist;
	uint32_t money_head, num_head, any_head; /* pstart lists of the slots */
	struct strbuf mpool; /* macro bodies */
	int nmacros;
	struct {
		char name[32];
		uint32_t off, len;
	} macros[SENT_MAX_MACROS];
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
	strbuf_init(&m->mpool, 0);
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
	strbuf_release(&m->mpool);
	free(m->ent);
	free(m->slot);
	free(m->pat);
	free(m->pnodes);
	free(m->patoms);
	free(m->pstart);
	free(m->paltoff);
	free(m->nkey);
	free(m->nlist);
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
	if (!strcmp(f[0], "contrast")) {
		if (nf != 2)
			return mi_err_set(err, MI_EXIT_CONFIG, "expected 'contrast' TAB word");
		return sent_model_put(ctx, f[1], SENT_F_CONTRAST, 0, 0, 0, 0, err);
	}
	if (!strcmp(f[0], "option")) {
		if (nf != 2 || strcmp(f[1], "negated-contrast"))
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "expected 'option' TAB negated-contrast");
		sent_model_set_options(ctx, ((struct sent_model *)ctx)->options |
						    SENT_OPT_NEGATED_CONTRAST);
		return 0;
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
			  "unknown rule kind '%s': expected booster, negate, idiom, aux, exempt, "
			  "contrast or option", f[0]);
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

void sent_model_set_options(struct sent_model *m, unsigned options)
{
	m->options = options;
	m->hash ^= (options + 1) * 0x27d4eb2fu;
}

size_t sent_model_npatterns(const struct sent_model *m)
{
	return m->npat;
}

/* Grow an array to hold one more element; -1 when out of memory. */
static int grow(void **arr, size_t *alloc, size_t n, size_t size)
{
	void *na;
	size_t a;

	if (n < *alloc)
		return 0;
	a = *alloc ? *alloc * 2 : 64;
	na = realloc(*arr, a * size);
	if (!na)
		return -1;
	*arr = na;
	*alloc = a;
	return 0;
}

static int is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

int sent_model_define(struct sent_model *m, const char *name, const char *body,
		      struct mi_err *err)
{
	const char *p;
	int i;

	if (!*name || strlen(name) >= sizeof(m->macros[0].name))
		return mi_err_set(err, MI_EXIT_CONFIG, "bad macro name '%s'", name);
	for (p = name; *p; p++)
		if (!is_name_char((unsigned char)*p))
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "bad macro name '%s': use letters, digits, _ and -", name);
	for (i = 0; i < m->nmacros; i++)
		if (!strcmp(m->macros[i].name, name))
			return mi_err_set(err, MI_EXIT_CONFIG, "macro '@%s' defined twice", name);
	if (m->nmacros == SENT_MAX_MACROS)
		return mi_err_set(err, MI_EXIT_CONFIG, "too many macros: at most %d",
				  SENT_MAX_MACROS);
	if (!*body || strchr(body, '(') || strchr(body, ')'))
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "macro '@%s': expected alternatives a|b c|@other", name);
	snprintf(m->macros[m->nmacros].name, sizeof(m->macros[0].name), "%s", name);
	m->macros[m->nmacros].off = (uint32_t)m->mpool.len;
	m->macros[m->nmacros].len = (uint32_t)strlen(body);
	if (strbuf_add(&m->mpool, body, strlen(body)) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	m->nmacros++;
	m->hash ^= fnv1a(name, strlen(name)) * 0x165667b1u;
	m->hash ^= fnv1a(body, strlen(body)) * 0xd3a2646cu;
	return 0;
}

/* The entry of one literal word of a pattern (created when absent); -1 when out of memory. */
static int32_t pattern_word(struct sent_model *m, const char *w, size_t n)
{
	char norm[256];
	size_t i;

	for (i = 0; i < n; i++)
		norm[i] = (w[i] >= 'A' && w[i] <= 'Z') ? (char)(w[i] - 'A' + 'a') : w[i];
	return intern(m, norm, n, 1);
}

static int push_atom(struct sent_model *m, int32_t a)
{
	if (grow((void **)&m->patoms, &m->apatoms, m->npatoms, sizeof(*m->patoms)) < 0)
		return -1;
	m->patoms[m->npatoms++] = a;
	return 0;
}

/*
 * Append the alternatives of body[0..len) ("a|b c|@macro") to the atoms of
 * node nd; depth limits macros inside macros.
 */
static int parse_alts(struct sent_model *m, struct sent_pnode *nd, const char *body, size_t len,
		      int depth, struct mi_err *err)
{
	size_t i = 0;

	while (i <= len) {
		size_t a = i, b, lenpos, natoms = 0;

		while (i < len && body[i] != '|')
			i++;
		b = i++;
		while (a < b && is_blank((unsigned char)body[a]))
			a++;
		while (b > a && is_blank((unsigned char)body[b - 1]))
			b--;
		if (a == b)
			return mi_err_set(err, MI_EXIT_CONFIG, "empty alternative in '%.*s'",
					  (int)len, body);
		if (body[a] == '@') {
			int k;

			if (memchr(body + a, ' ', b - a) || memchr(body + a, '\t', b - a))
				return mi_err_set(err, MI_EXIT_CONFIG,
						  "'%.*s': a macro must be a whole alternative",
						  (int)(b - a), body + a);

			for (k = 0; k < m->nmacros; k++)
				if (strlen(m->macros[k].name) == b - a - 1 &&
				    !memcmp(m->macros[k].name, body + a + 1, b - a - 1))
					break;
			if (k == m->nmacros)
				return mi_err_set(err, MI_EXIT_CONFIG, "unknown macro '%.*s'",
						  (int)(b - a), body + a);
			if (depth > 4)
				return mi_err_set(err, MI_EXIT_CONFIG, "macros nested too deep at '%.*s'",
						  (int)(b - a), body + a);
			if (parse_alts(m, nd, m->mpool.buf + m->macros[k].off, m->macros[k].len,
				       depth + 1, err) < 0)
				return -1;
			continue;
		}
		lenpos = m->npatoms;
		if (push_atom(m, 0) < 0)
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		while (a < b) {
			size_t w = a;
			int32_t atom;

			while (w < b && !is_blank((unsigned char)body[w]))
				w++;
			if (w - a >= 256)
				return mi_err_set(err, MI_EXIT_CONFIG, "word too long in a pattern");
			if (body[a] == '#') {
				static const struct {
					const char *n;
					int32_t a;
				} slots[] = { { "#money", PA_MONEY }, { "#num", PA_NUM },
					      { "#pos", PA_POS },     { "#neg", PA_NEG },
					      { "#any", PA_ANY } };
				size_t k;

				for (k = 0; k < sizeof(slots) / sizeof(slots[0]); k++)
					if (strlen(slots[k].n) == w - a && !memcmp(slots[k].n, body + a, w - a))
						break;
				if (k == sizeof(slots) / sizeof(slots[0]))
					return mi_err_set(err, MI_EXIT_CONFIG,
							  "unknown slot '%.*s': expected #money, #num, "
							  "#pos, #neg or #any", (int)(w - a), body + a);
				atom = slots[k].a;
			} else if (body[a] == '@' || body[a] == '(' || body[a] == '*' ||
				   body[a] == '!' || body[a] == '^' || body[w - 1] == '?') {
				return mi_err_set(err, MI_EXIT_CONFIG,
						  "'%.*s' inside an alternative: only words and slots",
						  (int)(w - a), body + a);
			} else {
				atom = pattern_word(m, body + a, w - a);
				if (atom < 0)
					return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			}
			if (push_atom(m, atom) < 0)
				return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			natoms++;
			if (natoms > SENT_MAX_PHRASE)
				return mi_err_set(err, MI_EXIT_CONFIG,
						  "an alternative of more than %d words", SENT_MAX_PHRASE);
			a = w;
			while (a < b && is_blank((unsigned char)body[a]))
				a++;
		}
		m->patoms[lenpos] = (int32_t)natoms;
		nd->nalt++;
	}
	return 0;
}

static int add_start(struct sent_model *m, uint32_t *head, uint32_t pattern)
{
	if (*head && m->pstart[*head - 1].pattern == pattern)
		return 0; /* already first in this list */
	if (grow((void **)&m->pstart, &m->apstart, m->npstart, sizeof(*m->pstart)) < 0)
		return -1;
	m->pstart[m->npstart].pattern = pattern;
	m->pstart[m->npstart].filter = m->pat[pattern].filter;
	m->pstart[m->npstart].next = *head;
	*head = (uint32_t)++m->npstart;
	return 0;
}

static size_t nkey_slot(uint32_t node, int32_t e, size_t mask)
{
	return ((node * 2654435761u) ^ ((uint32_t)e * 2246822519u)) & mask;
}

static int nkey_put(struct sent_model *m, uint32_t node, int32_t e, uint32_t lo, uint32_t n)
{
	size_t i, mask;

	if ((m->nnkey + 1) * 2 > m->snkey) {
		size_t ns = m->snkey ? m->snkey * 2 : 1024, k;
		struct sent_nkey *t = malloc(ns * sizeof(*t));

		if (!t)
			return -1;
		for (k = 0; k < ns; k++)
			t[k].node = UINT32_MAX;
		for (k = 0; k < m->snkey; k++) {
			if (m->nkey[k].node == UINT32_MAX)
				continue;
			for (i = nkey_slot(m->nkey[k].node, m->nkey[k].e, ns - 1); t[i].node != UINT32_MAX;
			     i = (i + 1) & (ns - 1))
				;
			t[i] = m->nkey[k];
		}
		free(m->nkey);
		m->nkey = t;
		m->snkey = ns;
	}
	mask = m->snkey - 1;
	for (i = nkey_slot(node, e, mask); m->nkey[i].node != UINT32_MAX; i = (i + 1) & mask)
		;
	m->nkey[i].node = node;
	m->nkey[i].e = e;
	m->nkey[i].lo = lo;
	m->nkey[i].n = n;
	m->nnkey++;
	return 0;
}

static const struct sent_nkey *nkey_get(const struct sent_model *m, uint32_t node, int32_t e)
{
	size_t mask = m->snkey - 1, i;

	if (!m->snkey)
		return NULL;
	for (i = nkey_slot(node, e, mask); m->nkey[i].node != UINT32_MAX; i = (i + 1) & mask)
		if (m->nkey[i].node == node && m->nkey[i].e == e)
			return &m->nkey[i];
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sort the alternatives of node nd by their first atom (slots first), so
 * that matching looks a word up by binary search instead of trying them all.
 */
static int sort_alts(struct sent_model *m, struct sent_pnode *nd)
{
	uint64_t *key = malloc((nd->nalt ? nd->nalt : 1) * sizeof(*key));
	uint32_t off = nd->alt;
	unsigned a;

	if (!key)
		return -1;
	nd->nslot = 0;
	for (a = 0; a < nd->nalt; a++) {
		int32_t first = m->patoms[off + 1];

		nd->nslot += first < 0;
		key[a] = ((uint64_t)((uint32_t)first ^ 0x80000000u) << 32) | off;
		off += (uint32_t)m->patoms[off] + 1;
	}
	qsort(key, nd->nalt, sizeof(*key), cmp_u64);
	nd->sorted = (uint32_t)m->npaltoff;
	for (a = 0; a < nd->nalt; a++) {
		if (grow((void **)&m->paltoff, &m->apaltoff, m->npaltoff, sizeof(*m->paltoff)) < 0) {
			free(key);
			return -1;
		}
		m->paltoff[m->npaltoff++] = (uint32_t)key[a];
	}
	free(key);
	/* index the runs of alternatives with the same first word */
	for (a = nd->nslot; a < nd->nalt;) {
		int32_t e = m->patoms[m->paltoff[nd->sorted + a] + 1];
		unsigned b = a + 1;

		while (b < nd->nalt && m->patoms[m->paltoff[nd->sorted + b] + 1] == e)
			b++;
		if (nkey_put(m, (uint32_t)(nd - m->pnodes), e, a, b - a) < 0)
			return -1;
		a = b;
	}
	return 0;
}

/* File pattern pi under every word that can begin a match. */
static int index_pattern(struct sent_model *m, uint32_t pi)
{
	const struct sent_pattern *p = &m->pat[pi];
	unsigned k;

	for (k = 0; k < p->nnode; k++) {
		const struct sent_pnode *nd = &m->pnodes[p->node + k];
		const int32_t *at = m->patoms + nd->alt;
		unsigned a;

		if (nd->kind == PN_START || nd->kind == PN_NOT)
			continue;
		if (nd->kind == PN_GAP)
			return add_start(m, &m->any_head, pi);
		for (a = 0; a < nd->nalt; a++) {
			int32_t first = at[1];
			int rc;

			if (first >= 0)
				rc = add_start(m, &m->ent[first].pat_head, pi);
			else if (first == PA_MONEY)
				rc = add_start(m, &m->money_head, pi);
			else if (first == PA_NUM)
				rc = add_start(m, &m->num_head, pi);
			else
				rc = add_start(m, &m->any_head, pi);
			if (rc < 0)
				return -1;
			at += at[0] + 1;
		}
		if (!nd->opt)
			return 0;
	}
	return 0;
}

/*
 * Filters.  A pattern is tried only when each of its required nodes has a
 * word of the piece among the first words of its alternatives (exact, with
 * the stamps of the scorer's node_gen).  And a node is looked up for a word
 * only when the word's bit (one of 128, from its entry index) is among the
 * node's (collisions only let more through).
 */
static unsigned filter_bit(int32_t e)
{
	return ((uint32_t)e * 2654435761u) >> 25;
}

static void filter_node(struct sent_model *m, struct sent_pnode *nd)
{
	unsigned a;

	nd->fbits[0] = nd->fbits[1] = 0;
	nd->req = nd->kind == PN_ALT && !nd->opt && !nd->nslot;
	for (a = nd->nslot; a < nd->nalt; a++) {
		unsigned bit = filter_bit(m->patoms[m->paltoff[nd->sorted + a] + 1]);

		nd->fbits[bit >> 6] |= 1ull << (bit & 63);
	}
}

/* Choose pattern p's filter node and list it under each of the node's first words. */
static int filter_pattern(struct sent_model *m, struct sent_pattern *p)
{
	const struct sent_pnode *best = NULL;
	unsigned k, a;

	unsigned best_common = 0;

	p->filter = UINT32_MAX;
	/* the node with the fewest common words (stopwords), then the fewest words */
	for (k = 0; k < p->nnode; k++) {
		const struct sent_pnode *nd = &m->pnodes[p->node + k];
		unsigned common = 0;

		if (!nd->req)
			continue;
		for (a = nd->nslot; a < nd->nalt; a++)
			common += m->ent[m->patoms[m->paltoff[nd->sorted + a] + 1]].langs != 0;
		if (!best || common < best_common ||
		    (common == best_common && nd->nalt < best->nalt)) {
			best = nd;
			best_common = common;
		}
	}
	if (!best)
		return 0;
	p->filter = (uint32_t)(best - m->pnodes);
	for (a = best->nslot; a < best->nalt; a++) {
		int32_t e = m->patoms[m->paltoff[best->sorted + a] + 1];

		if (m->ent[e].node_head && m->nlist[m->ent[e].node_head - 1].node == p->filter)
			continue; /* the run of alternatives with this first word */
		if (grow((void **)&m->nlist, &m->anlist, m->nnlist, sizeof(*m->nlist)) < 0)
			return -1;
		m->nlist[m->nnlist].node = p->filter;
		m->nlist[m->nnlist].next = m->ent[e].node_head;
		m->ent[e].node_head = (uint32_t)++m->nnlist;
	}
	return 0;
}

int sent_model_put_pattern(struct sent_model *m, const char *pattern, unsigned flags,
			   double valence, uint32_t aspects, struct mi_err *err)
{
	struct sent_pattern p;
	const char *s = pattern;
	char key[32];
	int n, consumes = 0;
	int32_t e;

	if (!(flags & (VALUED | SENT_F_NEGATE)) ||
	    (flags & ~(VALUED | SENT_F_NEGATE | SENT_F_CONTRAST)))
		return mi_err_set(err, MI_EXIT_CONFIG, "pattern '%s': bad flags", pattern);
	p.node = (uint32_t)m->npnodes;
	p.nnode = 0;
	while (*s) {
		struct sent_pnode *nd;
		const char *a;

		while (is_blank((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (p.nnode == SENT_MAX_PATTERN_NODES)
			return mi_err_set(err, MI_EXIT_CONFIG, "pattern '%s': more than %d elements",
					  pattern, SENT_MAX_PATTERN_NODES);
		if (grow((void **)&m->pnodes, &m->apnodes, m->npnodes, sizeof(*m->pnodes)) < 0)
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		nd = &m->pnodes[m->npnodes];
		memset(nd, 0, sizeof(*nd));
		nd->kind = PN_ALT;
		nd->alt = (uint32_t)m->npatoms;
		if (*s == '^') {
			if (p.nnode)
				return mi_err_set(err, MI_EXIT_CONFIG,
						  "pattern '%s': '^' must come first", pattern);
			nd->kind = PN_START;
			s++;
			goto next;
		}
		if (*s == '!') {
			nd->kind = PN_NOT;
			s++;
		}
		if (*s == '*' && nd->kind == PN_ALT) {
			char *end;
			long g = strtol(s + 1, &end, 10);

			if (end == s + 1 || g < 1 || g > 4)
				return mi_err_set(err, MI_EXIT_CONFIG,
						  "pattern '%s': expected *1 to *4", pattern);
			nd->kind = PN_GAP;
			nd->gap = (uint8_t)g;
			s = end;
		} else if (*s == '(') {
			a = strchr(s, ')');
			if (!a)
				return mi_err_set(err, MI_EXIT_CONFIG, "pattern '%s': '(' without ')'",
						  pattern);
			if (parse_alts(m, nd, s + 1, (size_t)(a - s - 1), 0, err) < 0)
				return -1;
			s = a + 1;
		} else {
			a = s;
			while (*s && !is_blank((unsigned char)*s) && *s != '?')
				s++;
			if (parse_alts(m, nd, a, (size_t)(s - a), 0, err) < 0)
				return -1;
		}
		/* parse_alts may have moved pnodes? no: it only grows patoms */
		if (*s == '?') {
			if (nd->kind != PN_ALT)
				return mi_err_set(err, MI_EXIT_CONFIG,
						  "pattern '%s': only a word or a group can be optional",
						  pattern);
			nd->opt = 1;
			s++;
		}
		if (nd->kind == PN_ALT && !nd->opt)
			consumes = 1;
		if (nd->kind == PN_ALT && p.nnode && m->pnodes[m->npnodes - 1].kind == PN_NOT)
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "pattern '%s': '!x' must come last", pattern);
	next:
		if (*s && !is_blank((unsigned char)*s))
			return mi_err_set(err, MI_EXIT_CONFIG, "pattern '%s': unexpected '%c'",
					  pattern, *s);
		if (m->npnodes >= SENT_MAX_PATTERN_TOTAL_NODES)
			return mi_err_set(err, MI_EXIT_CONFIG, "too many pattern elements: at most %d",
					  SENT_MAX_PATTERN_TOTAL_NODES);
		if ((nd->kind == PN_ALT || nd->kind == PN_NOT) && sort_alts(m, nd) < 0)
			return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
		filter_node(m, nd);
		m->npnodes++;
		p.nnode++;
	}
	if (!consumes)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "pattern '%s': needs a word that is not optional", pattern);
	if (m->npat >= SENT_MAX_PATTERNS)
		return mi_err_set(err, MI_EXIT_CONFIG, "too many patterns: at most %d",
				  SENT_MAX_PATTERNS);
	if (
	    grow((void **)&m->pat, &m->apat, m->npat, sizeof(*m->pat)) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	/* its entry: a key no token can have (tokens never hold a byte below 0x20) */
	n = snprintf(key, sizeof(key), "\x01pattern %zu", m->npat);
	e = intern(m, key, (size_t)n, 1);
	if (e < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	m->ent[e].flags = (uint8_t)flags;
	m->ent[e].valence = valence;
	m->ent[e].aspects = aspects;
	p.entry = e;
	if (filter_pattern(m, &p) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	m->pat[m->npat] = p;
	if (index_pattern(m, (uint32_t)m->npat) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	m->npat++;
	m->hash ^= fnv1a(pattern, strlen(pattern)) * 0x9e3779b1u;
	m->hash ^= flags * 0x85ebca6bu;
	m->hash ^= (uint32_t)lrint(valence * 1000.0) * 0xc2b2ae35u;
	m->hash ^= aspects * 0x27d4eb2fu;
	return 0;
}

/* ---- pattern matching (on the tokens of a piece) ---- */

/* Tokens j - 1 and j are not separated by punctuation. */
static int joined(const struct sent_scorer *s, unsigned j)
{
	return !s->tok[j - 1].brk_after && !s->tok[j].brk_before;
}

static int atom_ok(const struct sent_model *m, const struct sent_unit *t, int32_t a)
{
	const struct sent_entry *e;

	if (a >= 0)
		return t->entry == a;
	switch (a) {
	case PA_MONEY:
		return t->money;
	case PA_NUM:
		return t->num;
	case PA_ANY:
		return 1;
	default:
		if (t->entry < 0)
			return 0;
		e = &m->ent[t->entry];
		if (!(e->flags & SENT_F_VALENCE) || (e->flags & SENT_F_BOOSTER))
			return 0;
		return a == PA_POS ? e->valence > 0 : e->valence < 0;
	}
}

/* Words an alternative (its length, then its atoms) matches at token j, else 0. */
static unsigned alt_match(const struct sent_model *m, const struct sent_scorer *s,
			  const int32_t *at, unsigned j)
{
	unsigned k, n = (unsigned)at[0];

	if (j + n > s->ntok)
		return 0;
	for (k = 0; k < n; k++)
		if ((k && !joined(s, j + k)) || !atom_ok(m, &s->tok[j + k], at[k + 1]))
			return 0;
	return n;
}

static long pmatch(const struct sent_model *m, const struct sent_scorer *s,
		   const struct sent_pattern *p, unsigned k, unsigned j, unsigned start);
static unsigned filter_bit(int32_t e);

/*
 * The alternatives of node nd that match at word j.  When go, the longest
 * match of the rest of p (nodes k + 1..) after each, or -1; else 1 when one
 * alternative matches, 0 when none does.
 */
static long any_alt(const struct sent_model *m, const struct sent_scorer *s,
		    const struct sent_pnode *nd, unsigned j, const struct sent_pattern *p,
		    unsigned k, unsigned start, int go)
{
	const uint32_t *off = m->paltoff + nd->sorted;
	int32_t e = s->tok[j].entry;
	long best = go ? -1 : 0, r;
	unsigned a, end = nd->nslot;

	for (a = 0;; a++) {
		unsigned n;

		if (a == end) {
			/* then the alternatives beginning with this word (the filter bit first) */
			const struct sent_nkey *nk;

			if (a > nd->nslot || e < 0 ||
			    !(nd->fbits[filter_bit(e) >> 6] & (1ull << (filter_bit(e) & 63))) ||
			    !(nk = nkey_get(m, (uint32_t)(nd - m->pnodes), e)))
				break;
			a = nk->lo;
			end = nk->lo + nk->n;
		}
		n = alt_match(m, s, m->patoms + off[a], j);
		if (!n)
			continue;
		if (!go)
			return 1;
		if ((r = pmatch(m, s, p, k + 1, j + n, start)) > best)
			best = r;
	}
	return best;
}

/* The end of the longest match of nodes k.. of p with the words from j on, or -1. */
static long pmatch(const struct sent_model *m, const struct sent_scorer *s,
		   const struct sent_pattern *p, unsigned k, unsigned j, unsigned start)
{
	const struct sent_pnode *nd;
	long best = -1, r;
	unsigned g;
	int open;

	if (k == p->nnode)
		return j;
	nd = &m->pnodes[p->node + k];
	/* can the next word be part of the match? */
	open = j < s->ntok && (j == start || joined(s, j));
	switch (nd->kind) {
	case PN_START:
		if (j == 0 || s->tok[j - 1].brk_after || s->tok[j].brk_before)
			return pmatch(m, s, p, k + 1, j, start);
		return -1;
	case PN_NOT:
		if (open && any_alt(m, s, nd, j, NULL, 0, 0, 0))
			return -1;
		return pmatch(m, s, p, k + 1, j, start);
	case PN_GAP:
		for (g = 0; g <= nd->gap; g++) {
			if (g && !(j + g <= s->ntok && (j + g - 1 == start || joined(s, j + g - 1))))
				break;
			r = pmatch(m, s, p, k + 1, j + g, start);
			if (r > best)
				best = r;
		}
		return best;
	default:
		if (nd->opt)
			best = pmatch(m, s, p, k + 1, j, start);
		if (!open)
			return best;
		r = any_alt(m, s, nd, j, p, k, start, 1);
		return r > best ? r : best;
	}
}

static void try_list(const struct sent_model *m, struct sent_scorer *s, uint32_t head,
		     unsigned i, unsigned *best_len, int32_t *best)
{
	for (; head; head = m->pstart[head - 1].next) {
		const struct sent_pstart *ps = &m->pstart[head - 1];
		const struct sent_pattern *p;
		long end;

		if (ps->filter != UINT32_MAX && s->node_gen[ps->filter] != s->gen)
			continue;
		p = &m->pat[ps->pattern];
		end = pmatch(m, s, p, 0, i, i);

		if (end > (long)i && (unsigned)(end - i) > *best_len) {
			*best_len = (unsigned)(end - i);
			*best = p->entry;
		}
	}
}

/* The longest pattern match starting at token i: its length (0: none) and entry. */
static unsigned try_patterns(const struct sent_model *m, struct sent_scorer *s,
			     unsigned i, int32_t *entry)
{
	const struct sent_unit *t = &s->tok[i];
	unsigned len = 0;

	if (t->entry >= 0 && m->ent[t->entry].pat_head)
		try_list(m, s, m->ent[t->entry].pat_head, i, &len, entry);
	if (t->money && m->money_head)
		try_list(m, s, m->money_head, i, &len, entry);
	if (t->num && m->num_head)
		try_list(m, s, m->num_head, i, &len, entry);
	if (m->any_head)
		try_list(m, s, m->any_head, i, &len, entry);
	return len;
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
	s->gen = 0;
	memset(s->node_gen, 0, sizeof(s->node_gen));
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

static int only_dollars(const unsigned char *a, const unsigned char *b)
{
	for (; a < b; a++)
		if (*a != '$')
			return 0;
	return 1;
}

/*
 * Mark a number ("30", "1,200.50") and an amount of money: a number after a
 * stripped "$" (raw [a, sa)), or with a euro or pound sign before it in key.
 */
static void classify_number(struct sent_unit *u, const unsigned char *a,
			    const unsigned char *sa, const char *key, size_t len)
{
	size_t i = 0, digits = 0;
	int cur = 0;

	u->money = u->num = 0;
	if (len >= 3 && !memcmp(key, "\xE2\x82\xAC", 3)) { /* euro sign */
		i = 3;
		cur = 1;
	} else if (len >= 2 && !memcmp(key, "\xC2\xA3", 2)) { /* pound sign */
		i = 2;
		cur = 1;
	}
	if (i == len || key[i] < '0' || key[i] > '9')
		return;
	for (; i < len; i++) {
		if (key[i] >= '0' && key[i] <= '9')
			digits++;
		else if (key[i] != ',' && key[i] != '.')
			return;
	}
	if (!digits)
		return;
	if (cur || (sa > a && memchr(a, '$', (size_t)(sa - a))))
		u->money = 1;
	else
		u->num = 1;
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
	classify_number(u, a, sa, s->low + w0, w - w0);
	/* "$30": the stripped "$" is part of the amount, not a break */
	u->brk_before = (uint8_t)((sa > a && !(u->money && only_dollars(a, sa))) ||
				  t->drop_break || monster);
	u->aspects = 0;
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
			   unsigned i, int cap_diff, int16_t *neg_at)
{
	const struct sent_entry *e;
	unsigned flags = flags_of(m, &u[i]), d;
	int negated = 0, negonly;
	double v;

	*neg_at = -1;
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
		*neg_at = (int16_t)(i > 0 && u[i - 1].special == SP_NO ? i - 1 :
				    u[i - 2].special == SP_NO ? i - 2 : i - 3);
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
				*neg_at = (int16_t)(i - d);
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
				*neg_at = (int16_t)(i - d);
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
				*neg_at = (int16_t)(i - d);
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
	if (m->npat && ++s->gen == 0) {
		/* wrapped: forget every stamp */
		memset(s->node_gen, 0, sizeof(s->node_gen));
		s->gen = 1;
	}
	if (m->npat)
		for (i = 0; i < s->ntok; i++) {
			uint32_t h = s->tok[i].entry >= 0 ? m->ent[s->tok[i].entry].node_head : 0;

			for (; h; h = m->nlist[h - 1].next)
				s->node_gen[m->nlist[h - 1].node] = s->gen;
		}
	i = 0;
	while (i < s->ntok) {
		struct sent_unit *t = &s->tok[i], *u = &s->unit[n++];
		int32_t best = t->entry, pbest = -1;
		unsigned len = 1, k, plen = m->npat ? try_patterns(m, s, i, &pbest) : 0;

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
		if (plen && plen >= len) {
			/* a pattern: one unit, with the aspects of its words */
			len = plen;
			best = pbest;
			for (k = 0; k < len; k++)
				if (s->tok[i + k].entry >= 0)
					u->aspects |= m->ent[s->tok[i + k].entry].aspects;
		}
		if (len > 1 || best != t->entry) {
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

/*
 * "Great view, the room wasn't clean": the first negated compliment that
 * follows a compliment turns the sentence as "but" would, at its negator.
 */
static unsigned negated_contrast(const struct sent_model *m, const struct sent_scorer *s,
				 unsigned n, int *found)
{
	unsigned i, k;

	for (i = 0; i < n; i++) {
		const struct sent_entry *e;
		int piv = s->negat[i];

		if (piv < 0 || s->val[i] >= 0 || s->unit[i].entry < 0)
			continue;
		e = &m->ent[s->unit[i].entry];
		if (!(e->flags & SENT_F_VALENCE) || e->valence <= 0 ||
		    (e->flags & (SENT_F_IDIOM | SENT_F_NEGONLY)))
			continue;
		for (k = 0; k < (unsigned)piv; k++)
			if (s->val[k] > 0) {
				*found = 1;
				return (unsigned)piv;
			}
	}
	return 0;
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
		s->val[i] = unit_valence(m, s->unit, n, i, cap_diff, &s->negat[i]);
		if (!has_but && (s->unit[i].special == SP_BUT ||
				 (flags_of(m, &s->unit[i]) & SENT_F_CONTRAST))) {
			has_but = 1;
			but = i;
		}
		acc->aspects |= s->unit[i].aspects;
		if (s->unit[i].entry >= 0)
			acc->aspects |= m->ent[s->unit[i].entry].aspects;
	}
	if (!has_but && (m->options & SENT_OPT_NEGATED_CONTRAST))
		but = negated_contrast(m, s, n, &has_but);
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
