#include "aspects.h"
#include "exitcode.h"
#include "paths.h"
#include "records.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The largest review text cleaned; the rest of a longer one is ignored. */
#define ASP_CLEAN_CAP (16u << 20)

struct load_ctx {
	struct asp_model *am;
	uint32_t hash;
};

static int path_of(const char *datadir, const char *rel, char *buf, size_t size,
		   struct mi_err *err)
{
	int w;

	if (!datadir)
		return mi_path_data(rel, buf, size, err);
	w = snprintf(buf, size, "%s/%s", datadir, rel);
	if (w < 0 || (size_t)w >= size)
		return mi_err_set(err, MI_EXIT_NOINPUT, "data path too long: '%s/%s'", datadir,
				  rel);
	return 0;
}

int asp_family_index(const struct asp_model *am, const char *name)
{
	int i;

	for (i = 0; i < am->nfam; i++)
		if (!strcmp(am->fam[i], name))
			return i;
	return -1;
}

/* "a,b,c" or "-" into a family mask. */
static int parse_families(struct asp_model *am, const char *s, uint32_t *mask,
			  struct mi_err *err)
{
	char name[32];

	*mask = 0;
	if (!strcmp(s, "-") || !*s)
		return 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		int f;

		if (n >= sizeof(name))
			return mi_err_set(err, MI_EXIT_CONFIG, "unknown aspect family '%.*s'",
					  (int)n, s);
		memcpy(name, s, n);
		name[n] = '\0';
		f = asp_family_index(am, name);
		if (f < 0)
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "unknown aspect family '%s' (see families.tsv)", name);
		*mask |= 1u << f;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

static int family_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	struct load_ctx *lc = ctx;
	struct asp_model *am = lc->am;
	const char *p;

	if (nf != 3 || (strcmp(f[1], "0") && strcmp(f[1], "1") && strcmp(f[1], "m")))
		return mi_err_set(err, MI_EXIT_CONFIG, "expected family TAB 0|1|m TAB title");
	if (!*f[0] || strlen(f[0]) >= sizeof(am->fam[0]))
		return mi_err_set(err, MI_EXIT_CONFIG, "bad family name '%s'", f[0]);
	for (p = f[0]; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "bad family name '%s': use a-z and _", f[0]);
	if (asp_family_index(am, f[0]) >= 0)
		return mi_err_set(err, MI_EXIT_CONFIG, "duplicate family '%s'", f[0]);
	if (am->nfam == ASP_MAX_FAMILIES)
		return mi_err_set(err, MI_EXIT_CONFIG, "too many families: at most %d",
				  ASP_MAX_FAMILIES);
	snprintf(am->fam[am->nfam], sizeof(am->fam[0]), "%s", f[0]);
	if (f[1][0] == '1')
		am->flag_mask |= 1u << am->nfam;
	if (f[1][0] == 'm')
		am->marker_mask |= 1u << am->nfam;
	am->nfam++;
	for (p = f[0]; *p; p++)
		lc->hash = (lc->hash ^ (unsigned char)*p) * 16777619u;
	lc->hash = (lc->hash ^ (unsigned char)f[1][0]) * 16777619u;
	return 0;
}

static int aspect_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	struct load_ctx *lc = ctx;
	int fam;

	if (nf != 2)
		return mi_err_set(err, MI_EXIT_CONFIG, "expected family TAB keyword");
	fam = asp_family_index(lc->am, f[0]);
	if (fam < 0)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "unknown aspect family '%s' (see families.tsv)", f[0]);
	return sent_model_put(lc->am->sent, f[1], 0, 0, 0, 1u << fam, 0, err);
}

static int domain_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	struct load_ctx *lc = ctx;
	unsigned flags = SENT_F_VALENCE;
	uint32_t mask = 0;
	char *end;
	double v;

	if (nf < 2 || nf > 4)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "expected phrase TAB valence [TAB families [TAB negated]]");
	errno = 0;
	v = strtod(f[1], &end);
	if (errno || end == f[1] || *end || !isfinite(v) || v < -4.5 || v > 4.5)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "invalid valence '%s': must be a number between -4.5 and 4.5",
				  f[1]);
	if (nf >= 3 && parse_families(lc->am, f[2], &mask, err) < 0)
		return -1;
	if (nf == 4) {
		if (strcmp(f[3], "negated"))
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "unknown mode '%s': expected 'negated'", f[3]);
		flags = SENT_F_NEGONLY;
	}
	return sent_model_put(lc->am->sent, f[0], flags, v, 0, mask, 0, err);
}

static int pattern_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	struct load_ctx *lc = ctx;
	unsigned flags = SENT_F_VALENCE;
	uint32_t mask = 0;
	char *end;
	double v;

	if (!strcmp(f[0], "define")) {
		if (nf != 3)
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "expected 'define' TAB name TAB alternatives");
		return sent_model_define(lc->am->sent, f[1], f[2], err);
	}
	if (strcmp(f[0], "pattern"))
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "unknown kind '%s': expected define or pattern", f[0]);
	if (nf < 4 || nf > 5)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "expected 'pattern' TAB pattern TAB valence TAB families [TAB mode]");
	errno = 0;
	v = strtod(f[2], &end);
	if (errno || end == f[2] || *end || !isfinite(v) || v < -4.5 || v > 4.5)
		return mi_err_set(err, MI_EXIT_CONFIG,
				  "invalid valence '%s': must be a number between -4.5 and 4.5",
				  f[2]);
	if (parse_families(lc->am, f[3], &mask, err) < 0)
		return -1;
	if (nf == 5) {
		if (!strcmp(f[4], "fixed"))
			flags = SENT_F_IDIOM;
		else if (!strcmp(f[4], "negated"))
			flags = SENT_F_NEGONLY;
		else if (!strcmp(f[4], "negator"))
			flags = SENT_F_NEGATE;
		else if (!strcmp(f[4], "contrast"))
			flags = SENT_F_IDIOM | SENT_F_CONTRAST;
		else
			return mi_err_set(err, MI_EXIT_CONFIG,
					  "unknown mode '%s': expected fixed, negated, negator or contrast",
					  f[4]);
	}
	return sent_model_put_pattern(lc->am->sent, f[1], flags, v, mask, err);
}

int asp_model_load(struct asp_model *am, const char *datadir, unsigned flags,
		   struct mi_err *err)
{
	struct load_ctx lc = { am, 2166136261u };
	char path[PATH_MAX];
	int i, ret = -1;

	memset(am, 0, sizeof(*am));
	am->en = -1;
	am->sent = sent_model_new();
	if (!am->sent)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	if (path_of(datadir, "sentiment/families.tsv", path, sizeof(path), err) < 0 ||
	    sent_read_tsv(path, family_line, &lc, err) < 0)
		goto out;
	if (!am->nfam) {
		mi_err_set(err, MI_EXIT_CONFIG, "no aspect family in '%s'", path);
		goto out;
	}
	if (path_of(datadir, "sentiment/vader_lexicon.txt", path, sizeof(path), err) < 0 ||
	    sent_model_load_lexicon(am->sent, path, err) < 0)
		goto out;
	if (path_of(datadir, "sentiment/rules.tsv", path, sizeof(path), err) < 0 ||
	    sent_model_load_rules(am->sent, path, err) < 0)
		goto out;
	if (path_of(datadir, "sentiment/emoji.tsv", path, sizeof(path), err) < 0 ||
	    sent_model_load_valences(am->sent, path, err) < 0)
		goto out;
	if (!(flags & ASP_NO_DOMAIN) &&
	    (path_of(datadir, "sentiment/rental_rules.tsv", path, sizeof(path), err) < 0 ||
	     sent_model_load_rules(am->sent, path, err) < 0))
		goto out;
	if (!(flags & ASP_NO_DOMAIN) &&
	    (path_of(datadir, "sentiment/domain.tsv", path, sizeof(path), err) < 0 ||
	     sent_read_tsv(path, domain_line, &lc, err) < 0))
		goto out;
	/* stopwords before the patterns: a pattern's filter avoids common words */
	if (path_of(datadir, "sentiment/stopwords.tsv", path, sizeof(path), err) < 0 ||
	    sent_model_load_stopwords(am->sent, path, err) < 0)
		goto out;
	if (!(flags & ASP_NO_DOMAIN) &&
	    (path_of(datadir, "sentiment/patterns.tsv", path, sizeof(path), err) < 0 ||
	     sent_read_tsv(path, pattern_line, &lc, err) < 0))
		goto out;
	if (path_of(datadir, "sentiment/aspects.tsv", path, sizeof(path), err) < 0 ||
	    sent_read_tsv(path, aspect_line, &lc, err) < 0)
		goto out;
	for (i = 0; i < sent_model_nlangs(am->sent); i++)
		if (!strcmp(sent_model_lang(am->sent, i), "en"))
			am->en = i;
	snprintf(am->version, sizeof(am->version), "%s%s+%08x", ASP_SCORER_VERSION,
		 (flags & ASP_NO_DOMAIN) ? "-core" : "",
		 (unsigned)(sent_model_hash(am->sent) ^ lc.hash));
	ret = 0;
out:
	if (ret < 0) {
		sent_model_free(am->sent);
		am->sent = NULL;
	}
	return ret;
}

void asp_model_release(struct asp_model *am)
{
	sent_model_free(am->sent);
	am->sent = NULL;
}

void asp_scorer_init(struct asp_scorer *s)
{
	sent_scorer_init(&s->sc);
	strbuf_init(&s->clean, ASP_CLEAN_CAP);
}

void asp_scorer_release(struct asp_scorer *s)
{
	sent_scorer_release(&s->sc);
	strbuf_release(&s->clean);
}

/* ---- HTML ---- */

static int add_utf8(struct strbuf *out, unsigned long cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return strbuf_add(out, b, n);
}

static const struct {
	const char *name;
	unsigned long cp;
} entities[] = {
	{ "amp", '&' },	      { "lt", '<' },	     { "gt", '>' },	     { "quot", '"' },
	{ "apos", '\'' },     { "nbsp", ' ' },	     { "rsquo", 0x2019 },  { "lsquo", 0x2018 },
	{ "rdquo", 0x201D },  { "ldquo", 0x201C },   { "hellip", 0x2026 }, { "mdash", 0x2014 },
	{ "ndash", 0x2013 },  { "eacute", 0xE9 },    { "egrave", 0xE8 },   { "aacute", 0xE1 },
	{ "oacute", 0xF3 },   { "iacute", 0xED },    { "uacute", 0xFA },   { "ntilde", 0xF1 },
	{ "ccedil", 0xE7 },   { "uuml", 0xFC },	     { "ouml", 0xF6 },	   { "auml", 0xE4 },
};

/* Decode the entity at text[i] ('&'); returns its length, 0 when it is not one. */
static size_t entity(const char *text, size_t len, size_t i, unsigned long *cp)
{
	size_t j = i + 1, k;

	if (j < len && text[j] == '#') {
		unsigned long v = 0;
		int hex = 0, digits = 0;

		j++;
		if (j < len && (text[j] == 'x' || text[j] == 'X')) {
			hex = 1;
			j++;
		}
		for (; j < len && digits < 8; j++, digits++) {
			int c = (unsigned char)text[j], d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				d = (c | 0x20) - 'a' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + (unsigned long)d;
		}
		if (!digits || j >= len || text[j] != ';' || v == 0 || v > 0x10FFFF ||
		    (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return j + 1 - i;
	}
	for (k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
		size_t n = strlen(entities[k].name);

		if (j + n < len && !memcmp(text + j, entities[k].name, n) && text[j + n] == ';') {
			*cp = entities[k].cp;
			return n + 2;
		}
	}
	return 0;
}

static int is_block_tag(const char *name, size_t n)
{
	static const char *const blocks[] = { "br", "p", "div", "li", "ul", "ol", "tr",
					      "h1", "h2", "h3", "h4", "h5", "h6", "blockquote" };
	size_t k;

	for (k = 0; k < sizeof(blocks) / sizeof(blocks[0]); k++)
		if (strlen(blocks[k]) == n && !strncasecmp(name, blocks[k], n))
			return 1;
	return 0;
}

int asp_strip_html(struct strbuf *out, const char *text, size_t len)
{
	size_t i = 0, run = 0, next_gt = (size_t)-1; /* unknown yet */

	strbuf_reset(out);
	out->toobig = 0;
	while (i < len) {
		unsigned char c = (unsigned char)text[i];

		if (c == '<' && i + 1 < len &&
		    (((text[i + 1] | 0x20) >= 'a' && (text[i + 1] | 0x20) <= 'z') ||
		     text[i + 1] == '/' || text[i + 1] == '!')) {
			const char *gt;

			/* the next '>' is found once, not once per '<': linear time */
			if (next_gt == (size_t)-1 || next_gt < i) {
				gt = memchr(text + i, '>', len - i);
				next_gt = gt ? (size_t)(gt - text) : len;
			}
			gt = next_gt < len && next_gt - i < 1024 ? text + next_gt : NULL;
			if (gt) {
				const char *name = text + i + 1;
				size_t n = 0;

				if (*name == '/')
					name++;
				while (name + n < gt && (((name[n] | 0x20) >= 'a' &&
							  (name[n] | 0x20) <= 'z') ||
							 (name[n] >= '0' && name[n] <= '9')))
					n++;
				if (strbuf_addch(out, is_block_tag(name, n) ? '\n' : ' ') < 0)
					return -1;
				i = (size_t)(gt - text) + 1;
				continue;
			}
		}
		if (c == '&') {
			unsigned long cp;
			size_t n = entity(text, len, i, &cp);

			if (n) {
				if (add_utf8(out, cp) < 0)
					return -1;
				i += n;
				continue;
			}
		}
		/* copy a run of plain bytes at once */
		run = i;
		while (i < len && text[i] != '<' && text[i] != '&')
			i++;
		if (i == run)
			i++;
		if (out->cap_limit && i - run > out->cap_limit - out->len) {
			/* keep what fits of an over-long text */
			strbuf_add(out, text + run, out->cap_limit - out->len);
			out->toobig = 1;
			return -1;
		}
		if (strbuf_add(out, text + run, i - run) < 0)
			return -1;
	}
	return 0;
}

/* ---- sentences ---- */

static int blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

int asp_next_sentence(const char *text, size_t len, size_t *pos, size_t *start, size_t *end)
{
	size_t i = *pos, s;

	while (i < len && (blank((unsigned char)text[i]) || text[i] == '\n'))
		i++;
	if (i >= len) {
		*pos = len;
		return 0;
	}
	s = i;
	while (i < len) {
		char c = text[i];

		if (c == '\n') {
			*end = i;
			*pos = i + 1;
			goto found;
		}
		if (c == '.' || c == '!' || c == '?') {
			size_t j = i;

			while (j < len && (text[j] == '.' || text[j] == '!' || text[j] == '?'))
				j++;
			if (j >= len || blank((unsigned char)text[j]) || text[j] == '\n') {
				*end = j;
				*pos = j;
				goto found;
			}
			i = j;
			continue;
		}
		i++;
	}
	*end = len;
	*pos = len;
found:
	while (*end > s && blank((unsigned char)text[*end - 1]))
		(*end)--;
	*start = s;
	return 1;
}

/* ---- scoring ---- */

static const char *script_language(const unsigned *script)
{
	static const char *const names[SENT_SCRIPT_COUNT] = {
		[SENT_SCRIPT_LATIN] = "en",	[SENT_SCRIPT_CYRILLIC] = "ru",
		[SENT_SCRIPT_GREEK] = "el",	[SENT_SCRIPT_HEBREW] = "he",
		[SENT_SCRIPT_ARABIC] = "ar",	[SENT_SCRIPT_THAI] = "th",
		[SENT_SCRIPT_HANGUL] = "ko",	[SENT_SCRIPT_KANA] = "ja",
		[SENT_SCRIPT_HAN] = "zh",	[SENT_SCRIPT_OTHER] = "und",
	};
	unsigned other = 0, best = 0;
	int i, bi = -1;

	for (i = 1; i < SENT_SCRIPT_COUNT; i++) {
		other += script[i];
		if (script[i] > best) {
			best = script[i];
			bi = i;
		}
	}
	if (other <= script[SENT_SCRIPT_LATIN])
		return NULL;
	/* Japanese mixes kanji and kana */
	if (bi == SENT_SCRIPT_HAN && script[SENT_SCRIPT_KANA])
		return "ja";
	return names[bi];
}

static int alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

/*
 * The start of the next clause of a sentence after from (or len): a ';' or
 * a contrastive word (but, however, although, though, except) begins one.
 */
static size_t next_clause(const char *t, size_t len, size_t from)
{
	static const struct {
		const char *w;
		size_t n;
	} words[] = { { "but", 3 }, { "however", 7 }, { "although", 8 }, { "though", 6 },
		      { "except", 6 } };
	size_t i, k;

	for (i = from + 1; i < len; i++) {
		unsigned char c = (unsigned char)t[i] | 0x20;

		if (t[i] == ';')
			return i + 1 < len ? i + 1 : len;
		/* only a word start with a first letter of one of the words */
		if ((c != 'b' && c != 'h' && c != 'a' && c != 't' && c != 'e') ||
		    alnum((unsigned char)t[i - 1]))
			continue;
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
			size_t n = words[k].n;

			if (len - i >= n && (t[i] | 0x20) == words[k].w[0] &&
			    !strncasecmp(t + i, words[k].w, n) &&
			    (i + n == len || !alnum((unsigned char)t[i + n])))
				return i;
		}
	}
	return len;
}

static void attribute(const struct asp_model *am, const struct sent_scores *sc, double *asum,
		      unsigned *acount)
{
	uint32_t m;

	for (m = sc->aspects; m; m &= m - 1) {
		int f = __builtin_ctz(m);

		if (f < am->nfam) {
			asum[f] += sc->compound;
			acount[f]++;
		}
	}
}

static void guess_language(const struct asp_model *am, const struct sent_scores *t,
			   char *lang, size_t size)
{
	const char *s = script_language(t->script);
	unsigned en = am->en >= 0 ? t->lang_hits[am->en] : 0, best = 0;
	int i, bi = -1;

	if (s) {
		snprintf(lang, size, "%s", s);
		return;
	}
	for (i = 0; i < sent_model_nlangs(am->sent); i++) {
		if (i == am->en)
			continue;
		if (t->lang_hits[i] > best) {
			best = t->lang_hits[i];
			bi = i;
		}
	}
	if (bi >= 0 && best > en && (best >= 2 || en == 0))
		snprintf(lang, size, "%s", sent_model_lang(am->sent, bi));
	else
		snprintf(lang, size, "en");
}

int asp_score(const struct asp_model *am, struct asp_scorer *s, const char *text,
	      size_t len, struct asp_result *out)
{
	struct sent_scores total, sc;
	double asum[ASP_MAX_FAMILIES];
	unsigned acount[ASP_MAX_FAMILIES];
	size_t pos = 0, a, b, c0, c1;
	const char *clean;
	int f, rc;

	memset(out, 0, sizeof(*out));
	memset(asum, 0, sizeof(asum));
	memset(acount, 0, sizeof(acount));
	sent_scores_zero(&total);
	/* a strip that hit the cap keeps what fits */
	rc = asp_strip_html(&s->clean, text, len);
	if (rc < 0 && !s->clean.toobig)
		return -1;
	clean = s->clean.buf;
	while (asp_next_sentence(clean, s->clean.len, &pos, &a, &b)) {
		if (sent_score(am->sent, &s->sc, clean + a, b - a, &sc) < 0)
			return -1;
		sent_scores_add(&total, &sc);
		out->nsentences++;
		/* one family or none: the whole sentence (with its "but" rule) speaks for it */
		if (__builtin_popcount(sc.aspects) < 2 || next_clause(clean + a, b - a, 0) == b - a) {
			attribute(am, &sc, asum, acount);
			continue;
		}
		/* "great view but a dirty unit": each clause credits its own aspects */
		for (c0 = 0; c0 < b - a; c0 = c1) {
			struct sent_scores cs;

			c1 = next_clause(clean + a, b - a, c0);
			if (sent_score(am->sent, &s->sc, clean + a + c0, c1 - c0, &cs) < 0)
				return -1;
			sent_scores_finish(&cs);
			attribute(am, &cs, asum, acount);
		}
	}
	sent_scores_finish(&total);
	guess_language(am, &total, out->language, sizeof(out->language));
	if (strcmp(out->language, "en"))
		return 0;
	out->scored = 1;
	out->compound = total.compound;
	out->pos = total.pos;
	out->neu = total.neu;
	out->neg = total.neg;
	for (f = 0; f < am->nfam; f++) {
		if (!acount[f])
			continue;
		out->aspect[f] = asum[f] / acount[f];
		if (am->marker_mask & (1u << f))
			continue;
		out->present |= 1u << f;
		if ((am->flag_mask & (1u << f)) && out->aspect[f] <= ASP_NEG_THRESHOLD)
			out->flags |= 1u << f;
	}
	/* a marker goes with a complaint: "the host never answered" */
	for (f = 0; f < am->nfam && out->flags; f++)
		if ((am->marker_mask & (1u << f)) && acount[f] && out->aspect[f] <= ASP_NEG_THRESHOLD)
			out->flags |= 1u << f;
	return 0;
}

/* ---- output ---- */

/* Round to 4 decimals, and never print "-0.0000". */
static double r4(double v)
{
	v = round(v * 10000.0) / 10000.0;
	return v == 0.0 ? 0.0 : v;
}

static double r3(double v)
{
	v = round(v * 1000.0) / 1000.0;
	return v == 0.0 ? 0.0 : v;
}

int asp_format_aspects(const struct asp_model *am, const struct asp_result *r,
		       struct strbuf *out)
{
	int f, first = 1;

	strbuf_reset(out);
	if (strbuf_addch(out, '{') < 0)
		return -1;
	for (f = 0; f < am->nfam; f++) {
		if (!(r->present & (1u << f)))
			continue;
		if (strbuf_addf(out, "%s\"%s\":%.4f", first ? "" : ",", am->fam[f],
				r4(r->aspect[f])) < 0)
			return -1;
		first = 0;
	}
	return strbuf_addch(out, '}');
}

int asp_format_flags(const struct asp_model *am, const struct asp_result *r,
		     struct strbuf *out)
{
	int f, first = 1;

	strbuf_reset(out);
	for (f = 0; f < am->nfam; f++) {
		if (!(r->flags & (1u << f)))
			continue;
		if (strbuf_addf(out, "%s%s", first ? "" : ",", am->fam[f]) < 0)
			return -1;
		first = 0;
	}
	return 0;
}

int asp_format_json(const struct asp_model *am, const struct asp_result *r,
		    struct strbuf *out)
{
	struct strbuf part = STRBUF_INIT;
	int f, first = 1, ret = -1;

	strbuf_reset(out);
	if (!r->scored) {
		if (strbuf_addf(out,
				"{\"compound\":null,\"pos\":null,\"neu\":null,\"neg\":null,"
				"\"language\":\"%s\",\"aspects\":{},\"flags\":[],"
				"\"version\":\"%s\"}",
				r->language, am->version) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	if (asp_format_aspects(am, r, &part) < 0 ||
	    strbuf_addf(out,
			"{\"compound\":%.4f,\"pos\":%.3f,\"neu\":%.3f,\"neg\":%.3f,"
			"\"language\":\"%s\",\"aspects\":%s,\"flags\":[",
			r4(r->compound), r3(r->pos), r3(r->neu), r3(r->neg), r->language,
			part.buf) < 0)
		goto out;
	for (f = 0; f < am->nfam; f++) {
		if (!(r->flags & (1u << f)))
			continue;
		if (strbuf_addf(out, "%s\"%s\"", first ? "" : ",", am->fam[f]) < 0)
			goto out;
		first = 0;
	}
	if (strbuf_addf(out, "],\"version\":\"%s\"}", am->version) < 0)
		goto out;
	ret = 0;
out:
	strbuf_release(&part);
	return ret;
}

/* ---- reviews files ---- */

static int set_fixed(struct rec_row *row, int col, const char *fmt, double v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), fmt, v);

	return rec_set(row, col, buf, (size_t)n);
}

int asp_score_reviews(const struct asp_model *am, FILE *in, const char *name, FILE *out,
		      struct asp_file_stats *st, struct mi_err *err)
{
	const struct rec_entity *e = &rec_entities[REC_E_REVIEWS];
	struct strbuf line, aspects = STRBUF_INIT, flags = STRBUF_INIT;
	struct asp_scorer sc;
	struct rec_row row;
	char *fields[REC_MAX_COLS];
	size_t lens[REC_MAX_COLS];
	long lineno = 0;
	int ret = -1, rc, n, i;

	memset(st, 0, sizeof(*st));
	strbuf_init(&line, 64u << 20);
	asp_scorer_init(&sc);
	rec_row_init(&row, e, 0);
	while ((rc = strbuf_getline(&line, in)) == 1) {
		struct asp_result r;
		const char *text;
		size_t tlen;

		lineno++;
		n = rec_split_line(line.buf, line.len, fields, lens, REC_MAX_COLS);
		if (n != REVIEWS__N) {
			mi_err_set(err, MI_EXIT_DATA,
				   "expected %d columns in a reviews row, found %d", REVIEWS__N, n);
			mi_err_at(err, name, lineno, -1);
			goto out;
		}
		rec_row_clear(&row);
		for (i = 0; i < REVIEWS_language; i++) {
			rc = rec_set(&row, i, fields[i], lens[i]);
			if (rc != REC_OK) {
				mi_err_set(err, MI_EXIT_DATA, "bad value in column '%s': %s",
					   e->cols[i].name, rec_set_strerror(rc));
				mi_err_at(err, name, lineno, -1);
				goto out;
			}
		}
		st->rows++;
		text = fields[REVIEWS_text];
		tlen = lens[REVIEWS_text];
		if (!text || !tlen) {
			st->no_text++;
		} else {
			if (asp_score(am, &sc, text, tlen, &r) < 0) {
				mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
				goto out;
			}
			rc = rec_set_str(&row, REVIEWS_language, r.language);
			if (r.scored) {
				st->scored++;
				st->flagged += r.flags != 0;
				if (asp_format_aspects(am, &r, &aspects) < 0 ||
				    asp_format_flags(am, &r, &flags) < 0) {
					mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
					goto out;
				}
				rc |= set_fixed(&row, REVIEWS_compound, "%.4f", r4(r.compound));
				rc |= set_fixed(&row, REVIEWS_pos, "%.3f", r3(r.pos));
				rc |= set_fixed(&row, REVIEWS_neu, "%.3f", r3(r.neu));
				rc |= set_fixed(&row, REVIEWS_neg, "%.3f", r3(r.neg));
				rc |= rec_set(&row, REVIEWS_aspects, aspects.buf, aspects.len);
				rc |= rec_set(&row, REVIEWS_complaint_flags, flags.buf, flags.len);
			} else {
				st->not_english++;
			}
			if (rc != REC_OK) {
				mi_err_set(err, MI_EXIT_INTERNAL, "cannot set the score columns");
				mi_err_at(err, name, lineno, -1);
				goto out;
			}
		}
		if (rec_set_str(&row, REVIEWS_scorer_version, am->version) != REC_OK) {
			mi_err_set(err, MI_EXIT_INTERNAL, "cannot set the scorer version");
			goto out;
		}
		if (rec_row_write(&row, out) < 0) {
			mi_err_set(err, MI_EXIT_IO, "cannot write the scored rows: %s",
				   strerror(errno));
			goto out;
		}
	}
	if (rc < 0) {
		if (line.toobig)
			mi_err_set(err, MI_EXIT_DATA, "row too long (over 64 MiB)");
		else
			mi_err_set(err, MI_EXIT_IO, "cannot read: %s", strerror(errno));
		mi_err_at(err, name, lineno + 1, -1);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&line);
	strbuf_release(&aspects);
	strbuf_release(&flags);
	asp_scorer_release(&sc);
	rec_row_release(&row);
	return ret;
}

/* ---- evaluation ---- */

struct eval_acc {
	unsigned n, correct, negs, neg_hit, neg_pred, tag_true, tag_hit, tagged;
	double sx, sy, sxx, syy, sxy;
};

static void eval_add(struct eval_acc *e, double human, double pred)
{
	int hc = human > 0 ? 1 : human < 0 ? -1 : 0;
	int pc = pred >= ASP_POS_THRESHOLD ? 1 : pred <= ASP_NEG_THRESHOLD ? -1 : 0;

	e->n++;
	e->correct += hc == pc;
	e->neg_pred += pc < 0;
	if (hc < 0) {
		e->negs++;
		e->neg_hit += pc < 0;
	}
	e->sx += pred;
	e->sy += human;
	e->sxx += pred * pred;
	e->syy += human * human;
	e->sxy += pred * human;
}

static double pearson(const struct eval_acc *e)
{
	double n = e->n, cov, vx, vy;

	if (e->n < 2)
		return 0.0;
	cov = e->sxy - e->sx * e->sy / n;
	vx = e->sxx - e->sx * e->sx / n;
	vy = e->syy - e->sy * e->sy / n;
	return vx > 0 && vy > 0 ? cov / sqrt(vx * vy) : 0.0;
}

struct eval_ctx {
	const struct asp_model *am;
	struct asp_scorer sc;
	struct eval_acc all, fam[ASP_MAX_FAMILIES];
	unsigned unscored;
};

static int eval_line(void *ctx, char **f, int nf, struct mi_err *err)
{
	struct eval_ctx *ec = ctx;
	struct asp_result r;
	uint32_t mask = 0, m;
	char *end;
	long pol;

	if (nf != 3)
		return mi_err_set(err, MI_EXIT_DATA,
				  "expected text TAB polarity TAB families (or -)");
	errno = 0;
	pol = strtol(f[1], &end, 10);
	if (errno || end == f[1] || *end || pol < -4 || pol > 4)
		return mi_err_set(err, MI_EXIT_DATA,
				  "invalid polarity '%s': must be an integer between -4 and 4", f[1]);
	if (parse_families((struct asp_model *)ec->am, f[2], &mask, err) < 0) {
		err->code = MI_EXIT_DATA;
		return -1;
	}
	if (asp_score(ec->am, &ec->sc, f[0], strlen(f[0]), &r) < 0)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	if (!r.scored)
		ec->unscored++;
	eval_add(&ec->all, (double)pol, r.scored ? r.compound : 0.0);
	for (m = mask; m; m &= m - 1) {
		int fi = __builtin_ctz(m);

		eval_add(&ec->fam[fi], (double)pol, r.scored ? r.compound : 0.0);
		ec->fam[fi].tag_true++;
		ec->fam[fi].tag_hit += !!(r.present & (1u << fi));
	}
	for (m = r.present; m; m &= m - 1)
		ec->fam[__builtin_ctz(m)].tagged++;
	return 0;
}

static void eval_print(FILE *out, const char *name, const struct eval_acc *e, int tags)
{
	fprintf(out, "%-14s %5u  %6.3f  %6.3f  ", name, e->n, pearson(e),
		e->n ? (double)e->correct / e->n : 0.0);
	if (e->negs)
		fprintf(out, "%6.3f (%3u)", (double)e->neg_hit / e->negs, e->negs);
	else
		fprintf(out, "%6s (  0)", "-");
	if (e->neg_pred)
		fprintf(out, "  %6.3f (%3u)", (double)e->neg_hit / e->neg_pred, e->neg_pred);
	else
		fprintf(out, "  %6s (  0)", "-");
	if (tags)
		fprintf(out, "  %6.3f  %6.3f", e->tagged ? (double)e->tag_hit / e->tagged : 0.0,
			e->tag_true ? (double)e->tag_hit / e->tag_true : 0.0);
	fputc('\n', out);
}

int asp_eval(const struct asp_model *am, const char *path, FILE *out, struct mi_err *err)
{
	struct eval_ctx *ec = calloc(1, sizeof(*ec));
	int f, ret = -1;

	if (!ec)
		return mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
	ec->am = am;
	asp_scorer_init(&ec->sc);
	if (sent_read_tsv(path, eval_line, ec, err) < 0)
		goto out;
	fprintf(out, "# scorer %s on '%s' (%u texts, %u not scored as English)\n",
		am->version, path, ec->all.n, ec->unscored);
	fprintf(out, "# class: compound >= %.2f positive, <= %.2f negative; human polarity sign\n",
		ASP_POS_THRESHOLD, ASP_NEG_THRESHOLD);
	fprintf(out, "%-14s %5s  %6s  %6s  %s\n", "set", "n", "r", "acc3",
		"negrecall (negs)  negprecision (predicted)  tag-precision  tag-recall");
	eval_print(out, "all", &ec->all, 0);
	for (f = 0; f < am->nfam; f++)
		if (!(am->marker_mask & (1u << f)))
			eval_print(out, am->fam[f], &ec->fam[f], 1);
	ret = 0;
out:
	asp_scorer_release(&ec->sc);
	free(ec);
	return ret;
}
