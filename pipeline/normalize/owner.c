#include "owner.h"
#include "textfold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MAX_TOK 96
#define MAX_PERSONS 8

static const char *const flag_names[OWNER_F_COUNT] = {
	"couple", "trustee", "estate", "etal", "care-of", "government",
};

const char *owner_kind_name(enum owner_kind kind)
{
	switch (kind) {
	case OWNER_PERSON: return "person";
	case OWNER_ENTITY: return "entity";
	case OWNER_TRUST: return "trust";
	}
	return "unknown";
}

const char *owner_flag_name(unsigned bit)
{
	unsigned i;

	for (i = 0; i < OWNER_F_COUNT; i++)
		if (bit == 1u << i)
			return flag_names[i];
	return NULL;
}

size_t owner_flags_format(unsigned flags, char *buf, size_t size)
{
	size_t n = 0;
	unsigned i;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < OWNER_F_COUNT; i++) {
		if (!(flags & (1u << i)))
			continue;
		n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0,
				      "%s%s", n ? "," : "", flag_names[i]);
	}
	return n;
}

const char *owner_absentee_name(enum owner_absentee a)
{
	switch (a) {
	case OWNER_ABS_UNKNOWN: return "unknown";
	case OWNER_ABS_LOCAL: return "local";
	case OWNER_ABS_OFF_ISLAND: return "off-island";
	case OWNER_ABS_OUT_OF_STATE: return "out-of-state";
	case OWNER_ABS_FOREIGN: return "foreign";
	}
	return "unknown";
}

const char *owner_reason_str(enum owner_reason r)
{
	switch (r) {
	case OWNER_OK: return "ok";
	case OWNER_E_EMPTY: return "empty";
	case OWNER_E_ENCODING: return "invalid utf-8";
	case OWNER_E_TOO_LONG: return "too long";
	case OWNER_E_NO_NAME: return "no name";
	}
	return "unknown reason";
}

/* ------------------------------------------------------------------ */

struct tok {
	const char *s;
	size_t n;
	int drop; /* a role word, removed from names and keys */
};

static int teq(const struct tok *t, const char *w)
{
	size_t l = strlen(w);

	return t->n == l && memcmp(t->s, w, l) == 0;
}

static int in_list(const struct tok *t, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (teq(t, list[i]))
			return 1;
	return 0;
}

#define IN(t, list) in_list((t), (list), sizeof(list) / sizeof((list)[0]))

static const char *const trustee_words[] = {
	"TR", "TRS", "TTEE", "TTEES", "TRUSTEE", "TRUSTEES", "TRSTEE", "TRSTE",
};
static const char *const trust_words[] = { "TRUST", "TRUSTS" };
static const char *const trust_decor[] = {
	"REV", "REVOCABLE", "IRREVOCABLE", "IRREV", "LIVING", "DTD", "UAD", "UTD", "AGREEMENT",
};
static const char *const strong_entity[] = {
	"LLC", "PLLC", "LLLP", "LLP", "LP", "INC", "INCORPORATED", "CORP", "CORPORATION",
	"LTD", "LIMITED", "PARTNERSHIP", "PTNSHP", "PTSHP", "COMPANY", "KK", "GK", "PTY", "PLC",
	"GMBH", "HUI", "ASSOCIATION", "ASSN", "ASSOC", "AOAO", "FOUNDATION", "BANK", "CHURCH",
	"COOPERATIVE", "SOCIETY", "UNIVERSITY", "CONDOMINIUM", "SCHOOLS", "SCHOOL", "MINISTRIES",
};
static const char *const weak_entity[] = {
	"CO", "PARTNERS", "HOLDINGS", "HOLDING", "PROPERTIES", "PROPERTY", "INVESTMENTS",
	"INVESTMENT", "VENTURES", "VENTURE", "ENTERPRISES", "GROUP", "DEVELOPMENT", "RANCH",
	"CLUB", "ESTATES", "REALTY", "MANAGEMENT", "CAPITAL", "PARTNERSHIP", "ASSOCIATES",
	"CONDO", "HOMES", "APARTMENTS", "RESORT", "HOTEL", "FARMS", "FARM", "LAND",
};
static const char *const etal_words[] = { "ETAL", "ETUX", "ETVIR" };
static const char *const suffix_words[] = { "JR", "SR", "II", "III", "IV", "V" };
static const char *const honorifics[] = { "MR", "MRS", "MS", "MISS", "DR", "REVEREND" };

/* Entity words written long, to one short form in keys. */
static const char *const entity_syn[][2] = {
	{ "INCORPORATED", "INC" }, { "CORPORATION", "CORP" }, { "COMPANY", "CO" },
	{ "LIMITED", "LTD" }, { "PARTNERSHIP", "PTNSHP" }, { "PTSHP", "PTNSHP" },
	{ "PART", "PTNSHP" }, { "ASSOCIATION", "ASSN" }, { "ASSOC", "ASSN" },
	{ "REVOCABLE", "REV" }, { "IRREVOCABLE", "IRREV" }, { "TRUSTS", "TRUST" },
	{ "AND", "&" }, { "DEPARTMENT", "DEPT" },
};

/* Several words to one short form in keys. */
static const char *const entity_phrases[][2] = {
	{ "LIMITED LIABILITY COMPANY", "LLC" }, { "LIMITED LIABILITY PARTNERSHIP", "LLP" },
	{ "LIMITED PARTNERSHIP", "LP" }, { "ASSOCIATION OF APARTMENT OWNERS", "AOAO" },
	{ "ASSN OF APARTMENT OWNERS", "AOAO" }, { "ASSOC OF APARTMENT OWNERS", "AOAO" },
};

/* Number of tokens of the blank-separated phrase p at t[i], 0 when absent. */
static size_t phrase_at(const struct tok *t, size_t nt, size_t i, const char *p)
{
	size_t m = 0;

	while (*p) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (i + m >= nt || t[i + m].n != l || memcmp(t[i + m].s, p, l) != 0)
			return 0;
		m++;
		p += l;
		while (*p == ' ')
			p++;
	}
	return m;
}

static const char *const gov_starts[] = {
	"STATE OF HAWAII", "STATE OF", "COUNTY OF", "CITY AND COUNTY", "CITY & COUNTY",
	"UNITED STATES", "USA", "DEPT", "DEPARTMENT OF", "BOARD OF", "OFFICE OF",
	"HAWAIIAN HOMES", "DHHL", "UNIVERSITY OF HAWAII",
};

static size_t tokenize(const char *f, size_t n, struct tok *t, size_t max)
{
	size_t i = 0, k = 0;

	while (i < n && k < max) {
		size_t j;

		if (f[i] == ' ') {
			i++;
			continue;
		}
		j = i;
		if (f[i] == ',' || f[i] == '/' || f[i] == '&') {
			j = i + 1;
		} else {
			while (j < n && f[j] != ' ' && f[j] != ',' && f[j] != '/' && f[j] != '&')
				j++;
		}
		t[k].s = f + i;
		t[k].n = j - i;
		t[k].drop = 0;
		k++;
		i = j;
	}
	return k;
}

/* Append a word to a fixed buffer with a blank; truncates. */
static void put(char *dst, size_t size, const char *s, size_t n, int blank)
{
	size_t l = strlen(dst);

	if (blank && l && l + 1 < size)
		dst[l++] = ' ';
	if (l + n >= size)
		n = size - 1 - l;
	memcpy(dst + l, s, n);
	dst[l + n] = '\0';
}

/* Title case: "MORDECAI" -> "Mordecai", "MCDONALD" stays "Mcdonald". */
static void put_title(char *dst, size_t size, const struct tok *t)
{
	char w[64];
	size_t i, n = t->n < sizeof(w) ? t->n : sizeof(w) - 1;

	for (i = 0; i < n; i++) {
		char c = t->s[i];

		w[i] = (char)(i > 0 && c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	put(dst, size, w, n, 1);
}

struct person {
	const struct tok *sur; /* may be NULL: borrowed from another person */
	const struct tok *given[12];
	size_t ngiven;
	const struct tok *suffix;
	char key[96];
};

static int cmp_person(const void *a, const void *b)
{
	return strcmp(((const struct person *)a)->key, ((const struct person *)b)->key);
}

/* Fill persons from the kept tokens of a person-style name; returns the count. */
static size_t parse_persons(struct tok *t, size_t nt, struct person *p)
{
	size_t np = 0, i = 0;
	int comma_style = 0;

	/* a comma with a name word after it (in the same segment) marks SURNAME,GIVEN */
	for (i = 0; i < nt && !comma_style; i++) {
		size_t j;

		if (t[i].drop || !teq(&t[i], ","))
			continue;
		for (j = i + 1; j < nt; j++) {
			if (t[j].drop || teq(&t[j], ","))
				continue;
			if (teq(&t[j], "/") || teq(&t[j], "&") || teq(&t[j], "AND"))
				break;
			if (!IN(&t[j], suffix_words)) {
				comma_style = 1;
				break;
			}
		}
	}
	i = 0;
	while (i < nt && np < MAX_PERSONS) {
		const struct tok *w[16];
		size_t nw = 0, comma_at = (size_t)-1, j;
		struct person *q = &p[np];

		memset(q, 0, sizeof(*q));
		/* one segment: up to '/' or '&' */
		for (; i < nt; i++) {
			if (t[i].drop)
				continue;
			if (teq(&t[i], "/") || teq(&t[i], "&") || teq(&t[i], "AND")) {
				i++;
				break;
			}
			if (teq(&t[i], ",")) {
				if (comma_at == (size_t)-1 && nw)
					comma_at = nw;
				continue;
			}
			if (nw < 16)
				w[nw++] = &t[i];
		}
		if (!nw)
			continue;
		if (comma_at == nw || !comma_style)
			comma_at = (size_t)-1; /* "JOHN A SMITH, TTEE": no given name after it */
		for (j = 0; j < nw; j++) {
			if (IN(w[j], suffix_words) && j > 0) {
				q->suffix = w[j];
				continue;
			}
			if (IN(w[j], honorifics))
				continue;
			if (comma_at != (size_t)-1 && j < comma_at) {
				if (!q->sur)
					q->sur = w[j]; /* first surname word; more join given */
				else if (q->ngiven < 12)
					q->given[q->ngiven++] = w[j];
			} else if (q->ngiven < 12) {
				q->given[q->ngiven++] = w[j];
			}
		}
		if (comma_at == (size_t)-1 && !comma_style && q->ngiven >= 3 &&
		    q->given[q->ngiven - 1]->n == 1 && q->given[0]->n > 1) {
			/* "SMITH JOHN A": roll order without the comma (a name does not
			 * end with a middle initial) */
			q->sur = q->given[0];
			memmove(q->given, q->given + 1, (q->ngiven - 1) * sizeof(q->given[0]));
			q->ngiven--;
		} else if (comma_at == (size_t)-1 && !comma_style && q->ngiven >= 2) {
			/* natural order: the last word is the surname */
			q->sur = q->given[--q->ngiven];
		}
		if (q->sur || q->ngiven)
			np++;
	}
	/* persons without a surname borrow one: roll "HUDSON,M/RUTH", prose "JOHN & JANE SMITH" */
	for (i = 0; i < np; i++) {
		if (p[i].sur)
			continue;
		if (comma_style) {
			size_t j;

			for (j = i; j-- > 0;)
				if (p[j].sur) {
					p[i].sur = p[j].sur;
					break;
				}
		} else {
			size_t j;

			for (j = i + 1; j < np; j++)
				if (p[j].sur) {
					p[i].sur = p[j].sur;
					break;
				}
		}
	}
	for (i = 0; i < np; i++) {
		size_t j;

		p[i].key[0] = '\0';
		if (p[i].sur)
			put(p[i].key, sizeof(p[i].key), p[i].sur->s, p[i].sur->n, 1);
		for (j = 0; j < p[i].ngiven; j++)
			put(p[i].key, sizeof(p[i].key), p[i].given[j]->s, p[i].given[j]->n, 1);
		if (p[i].suffix)
			put(p[i].key, sizeof(p[i].key), p[i].suffix->s, p[i].suffix->n, 1);
	}
	return np;
}

static int starts_with_words(const char *f, const char *w)
{
	size_t l = strlen(w);

	return strncmp(f, w, l) == 0 && (f[l] == '\0' || f[l] == ' ' || f[l] == '/' ||
					 f[l] == ',');
}

int owner_normalize(const char *s, size_t len, struct owner *out, enum owner_reason *reason)
{
	char f[OWNER_MAX_INPUT + 1];
	struct tok t[MAX_TOK];
	size_t nt, i, kept = 0;
	int n, has_comma = 0, trustee = 0, trust = 0, strong = 0, weak = 0, gov = 0;
	enum owner_reason r = OWNER_OK;

	memset(out, 0, sizeof(*out));
	if (len > OWNER_MAX_INPUT) {
		r = OWNER_E_TOO_LONG;
		goto out;
	}
	n = textfold(s, len, ",/&", f, sizeof(f));
	if (n < 0) {
		r = OWNER_E_ENCODING;
		goto out;
	}
	if (n == 0) {
		r = OWNER_E_EMPTY;
		goto out;
	}
	/* a care-of tail: "C/O JANE DOE", "ATTN JANE DOE" */
	for (i = 0; i + 3 <= (size_t)n; i++) {
		if ((i == 0 || f[i - 1] == ' ' || f[i - 1] == ',') &&
		    ((!strncmp(f + i, "C/O", 3) && (f[i + 3] == ' ' || f[i + 3] == '\0')) ||
		     (!strncmp(f + i, "C / O ", 6)) ||
		     (!strncmp(f + i, "ATTN ", 5)))) {
			/* "C/O" may end the name: its NUL is then the care-of's end */
			const char *c = f + i + (f[i] == 'A' ? 5 : f[i + 1] == ' ' ? 6 : 3);

			while (*c == ' ')
				c++;
			put(out->care_of, sizeof(out->care_of), c, strlen(c), 0);
			out->flags |= OWNER_F_CARE_OF;
			f[i] = '\0';
			n = (int)i;
			while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == ','))
				f[--n] = '\0';
			break;
		}
	}
	for (i = 0; i < sizeof(gov_starts) / sizeof(gov_starts[0]); i++)
		if (starts_with_words(f, gov_starts[i]))
			gov = 1;
	nt = tokenize(f, (size_t)n, t, MAX_TOK);
	for (i = 0; i < nt; i++) {
		if (teq(&t[i], ",") && !(i + 1 < nt && (teq(&t[i + 1], "A") || teq(&t[i + 1], "AN")) &&
					 i + 2 < nt && !teq(&t[i + 2], "/") && !teq(&t[i + 2], "&"))) {
			has_comma = 1;
		} else if (teq(&t[i], ",") && i + 1 < nt && (teq(&t[i + 1], "A") || teq(&t[i + 1], "AN")) &&
			   i + 2 < nt && !teq(&t[i + 2], "/") && !teq(&t[i + 2], "&")) {
			/* "WAILEA 670 LLC, A HAWAII LIMITED LIABILITY COMPANY": a description */
			size_t j;

			for (j = i; j < nt; j++)
				t[j].drop = 1;
			break;
		} else if (IN(&t[i], trustee_words)) {
			trustee = 1;
			t[i].drop = 1;
			/* "TRUSTEE OF THE ... TRUST", "TR UNDER ...": the rest names the trust */
			if (i + 1 < nt && (teq(&t[i + 1], "OF") || teq(&t[i + 1], "UNDER") ||
					   teq(&t[i + 1], "UND") || teq(&t[i + 1], "FOR"))) {
				size_t j;

				for (j = i + 1; j < nt; j++)
					t[j].drop = 1;
				break;
			}
			/* "TRUSTEE(S)" folds to "TRUSTEE S"; "TR EST" is a trust estate */
			if (i + 1 < nt && teq(&t[i + 1], "S"))
				t[++i].drop = 1;
			if (i + 1 < nt && (teq(&t[i + 1], "EST") || teq(&t[i + 1], "ESTATE"))) {
				out->flags |= OWNER_F_ESTATE;
				t[++i].drop = 1;
			}
		} else if (IN(&t[i], trust_words)) {
			trust = 1;
		} else if (IN(&t[i], etal_words) ||
			   (teq(&t[i], "ET") && i + 1 < nt &&
			    (teq(&t[i + 1], "AL") || teq(&t[i + 1], "UX")))) {
			out->flags |= OWNER_F_ETAL;
			t[i].drop = 1;
			if (teq(&t[i], "ET"))
				t[++i].drop = 1;
			/* "/etal": the slash before it goes too */
			if (i >= 1 && teq(&t[i - 1], "/"))
				t[i - 1].drop = 1;
			if (i >= 2 && teq(&t[i - 2], "/") && t[i - 1].drop)
				t[i - 2].drop = 1;
		} else if (IN(&t[i], strong_entity)) {
			strong = 1;
		} else if (IN(&t[i], weak_entity)) {
			weak = 1;
		} else if (teq(&t[i], "ESTATE") || teq(&t[i], "EST")) {
			out->flags |= OWNER_F_ESTATE;
		}
	}
	if (trustee)
		out->flags |= OWNER_F_TRUSTEE;
	if (gov) {
		out->kind = OWNER_ENTITY;
		out->flags |= OWNER_F_GOVERNMENT;
	} else if (trustee || trust) {
		out->kind = OWNER_TRUST;
	} else if (strong || (weak && !has_comma)) {
		out->kind = OWNER_ENTITY;
	} else if (out->flags & OWNER_F_ESTATE) {
		out->kind = OWNER_ENTITY;
	} else {
		out->kind = OWNER_PERSON;
	}

	if (out->kind == OWNER_PERSON ||
	    (out->kind == OWNER_TRUST && !strong && (has_comma || (trustee && !trust)))) {
		struct person p[MAX_PERSONS];
		size_t np, j;

		/* the trust's own words are not part of the people's names */
		for (i = 0; i < nt; i++)
			if (IN(&t[i], trust_words) || IN(&t[i], trust_decor) ||
			    ((out->flags & OWNER_F_ESTATE) &&
			     (teq(&t[i], "EST") || teq(&t[i], "ESTATE") || teq(&t[i], "OF"))))
				t[i].drop = 1;
		np = parse_persons(t, nt, p);
		if (!np) {
			r = OWNER_E_NO_NAME;
			goto out;
		}
		if (np > 1)
			out->flags |= OWNER_F_COUPLE;
		for (i = 0; i < np; i++) {
			if (i)
				put(out->display, sizeof(out->display), "&", 1, 1);
			for (j = 0; j < p[i].ngiven; j++)
				put_title(out->display, sizeof(out->display), p[i].given[j]);
			if (p[i].sur)
				put_title(out->display, sizeof(out->display), p[i].sur);
			if (p[i].suffix)
				put_title(out->display, sizeof(out->display), p[i].suffix);
		}
		qsort(p, np, sizeof(p[0]), cmp_person);
		for (i = 0; i < np; i++) {
			if (i && !strcmp(p[i].key, p[i - 1].key))
				continue;
			if (i)
				put(out->key, sizeof(out->key), "&", 1, 1);
			put(out->key, sizeof(out->key), p[i].key, strlen(p[i].key), 1);
		}
		goto out;
	}

	/* entity-style: the words as written, long forms shortened in the key */
	for (i = 0; i < nt; i++) {
		const char *kw = NULL;
		size_t k;

		if (t[i].drop)
			continue;
		if (teq(&t[i], ",")) {
			put(out->display, sizeof(out->display), ",", 1, 0);
			continue;
		}
		if (teq(&t[i], "/")) {
			put(out->display, sizeof(out->display), "/", 1, 0);
			put(out->key, sizeof(out->key), " ", 0, 1);
			continue;
		}
		put(out->display, sizeof(out->display), t[i].s, t[i].n,
		    !(i > 0 && teq(&t[i - 1], "/")));
		if (kept == 0 && teq(&t[i], "THE") && nt > 1)
			continue;
		for (k = 0; k < sizeof(entity_phrases) / sizeof(entity_phrases[0]); k++) {
			size_t m = phrase_at(t, nt, i, entity_phrases[k][0]);

			if (m) {
				size_t q;

				for (q = 1; q < m; q++)
					put(out->display, sizeof(out->display), t[i + q].s, t[i + q].n, 1);
				kw = entity_phrases[k][1];
				i += m - 1;
				break;
			}
		}
		for (k = 0; !kw && k < sizeof(entity_syn) / sizeof(entity_syn[0]); k++)
			if (teq(&t[i], entity_syn[k][0]))
				kw = entity_syn[k][1];
		if (kw)
			put(out->key, sizeof(out->key), kw, strlen(kw), 1);
		else
			put(out->key, sizeof(out->key), t[i].s, t[i].n, 1);
		kept++;
	}
	/* "/" above may have left a double or trailing blank in the key */
	{
		char *d = out->key, *q = out->key;

		while (*q) {
			if (*q == ' ' && (d == out->key || d[-1] == ' ')) {
				q++;
				continue;
			}
			*d++ = *q++;
		}
		while (d > out->key && d[-1] == ' ')
			d--;
		*d = '\0';
	}
	if (!kept)
		r = OWNER_E_NO_NAME;
out:
	if (r != OWNER_OK)
		memset(out, 0, sizeof(*out));
	if (reason)
		*reason = r;
	return r == OWNER_OK ? 0 : -1;
}

int owner_key(const char *s, size_t len, char *buf, size_t size)
{
	struct owner o;
	size_t l;

	if (owner_normalize(s, len, &o, NULL) < 0)
		return -1;
	l = strlen(o.key);
	if (size) {
		size_t c = l < size - 1 ? l : size - 1;

		memcpy(buf, o.key, c);
		buf[c] = '\0';
	}
	return (int)l;
}

enum owner_absentee owner_absentee(const struct addr *mail, enum geo_island prop_island,
				   int prop_county)
{
	struct geo_place gp;
	int hawaii = -1; /* -1 unknown, 0 elsewhere in the US, 1 Hawaii */
	enum geo_island isl = mail->island;
	int county = mail->county;

	if (mail->country[0] && strcmp(mail->country, "USA") && strcmp(mail->country, "US") &&
	    strcmp(mail->country, "UNITED STATES") && strcmp(mail->country, "U S A") &&
	    strcmp(mail->country, "UNITED STATES OF AMERICA"))
		return OWNER_ABS_FOREIGN;
	if (mail->zip[0]) {
		hawaii = geo_hi_zip(mail->zip, strlen(mail->zip), &gp) == 0;
		if (hawaii) {
			isl = gp.island;
			county = gp.county;
		}
	} else if (mail->state[0]) {
		hawaii = !strcmp(mail->state, "HI");
	} else if (mail->city[0] && geo_hi_place(mail->city, strlen(mail->city), &gp) == 0) {
		hawaii = 1;
		isl = gp.island;
		county = gp.county;
	}
	if (hawaii < 0)
		return OWNER_ABS_UNKNOWN;
	if (!hawaii)
		return OWNER_ABS_OUT_OF_STATE;
	if (prop_island != GEO_ISLAND_UNKNOWN && isl != GEO_ISLAND_UNKNOWN)
		return isl == prop_island ? OWNER_ABS_LOCAL : OWNER_ABS_OFF_ISLAND;
	if (!prop_county && prop_island != GEO_ISLAND_UNKNOWN)
		prop_county = geo_island_county(prop_island);
	if (prop_county && county) {
		if (county != prop_county)
			return OWNER_ABS_OFF_ISLAND;
		/* same county: only Maui County spans several islands */
		if (county != 2)
			return OWNER_ABS_LOCAL;
	}
	return OWNER_ABS_UNKNOWN;
}
