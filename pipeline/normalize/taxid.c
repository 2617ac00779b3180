#include "taxid.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

/*
 * A hand-written scanner: at each word start it tries, in order, a state
 * tax id, a county permit, a Honolulu NUC and a TMK.  A tax id's digits are
 * collected in a first pass so that the same digits written again without
 * dashes ("116492902401") are not mistaken for a TMK.
 */

#define MAX_TAX_SEEN 16

const char *taxid_kind_name(enum taxid_kind kind)
{
	switch (kind) {
	case TAXID_TA: return "ta";
	case TAXID_GE: return "ge";
	case TAXID_TAX: return "tax";
	case TAXID_W: return "w";
	case TAXID_PERMIT: return "permit";
	case TAXID_NUC: return "nuc";
	case TAXID_TMK: return "tmk";
	case TAXID_TMK12: return "tmk12";
	}
	return "unknown";
}

static int up(int c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c;
}

static int dig(int c)
{
	return c >= '0' && c <= '9';
}

static int alpha(int c)
{
	c = up(c);
	return c >= 'A' && c <= 'Z';
}

static int alnum(int c)
{
	return dig(c) || alpha(c);
}

/* Case-insensitive: does t[i..] start with word w (w upper case)? */
static size_t at_word(const char *t, size_t len, size_t i, const char *w)
{
	size_t l = strlen(w), k;

	if (i + l > len)
		return 0;
	for (k = 0; k < l; k++)
		if (up((unsigned char)t[i + k]) != w[k])
			return 0;
	return l;
}

/* A Unicode dash (U+2010..U+2015, U+2212) at t[i]: its byte length, else 0. */
static size_t udash(const char *t, size_t len, size_t i)
{
	const unsigned char *u = (const unsigned char *)t + i;

	if (i + 3 <= len && u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x95)
		return 3;
	if (i + 3 <= len && u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92)
		return 3;
	return 0;
}

/*
 * Read 12 digits as ###-###-####-## from t[i]: separators '-' / ' ' / '.'
 * allowed only between the groups.  Returns the bytes used (0: no), the
 * digits in d[13], and whether any separator was written.
 */
static size_t read12(const char *t, size_t len, size_t i, char d[13], int *dashed)
{
	static const int glen[4] = { 3, 3, 4, 2 };
	size_t p = i;
	int g, k, n = 0;

	*dashed = 0;
	for (g = 0; g < 4; g++) {
		if (g > 0 && p < len) {
			size_t ud = udash(t, len, p);

			if (t[p] == '-' || t[p] == ' ' || t[p] == '.') {
				p++;
				*dashed = 1;
			} else if (ud) {
				p += ud;
				*dashed = 1;
			}
		}
		for (k = 0; k < glen[g]; k++) {
			if (p >= len || !dig((unsigned char)t[p]))
				return 0;
			d[n++] = t[p++];
		}
	}
	d[12] = '\0';
	if (p < len && dig((unsigned char)t[p]))
		return 0;
	return p - i;
}

static void canon_tax(char *id, size_t size, const char *prefix, const char d[13], char suffix)
{
	char sfx[2] = { suffix, '\0' };

	snprintf(id, size, "%s%.3s-%.3s-%.4s-%.2s%s", prefix, d, d + 3, d + 6, d + 10, sfx);
}

/* Is a tax keyword (TAX, TAT, GET, TA, GE, LICENSE, LIC) right before position i? */
static int tax_word_before(const char *t, size_t i)
{
	size_t j = i, e;
	int steps = 0;

	/* skip separators: blanks, '#', ':', '-', '.', and words like NO, ID, NUMBER, "&" */
	while (j > 0 && steps < 40) {
		while (j > 0 && !alnum((unsigned char)t[j - 1]) && steps < 40) {
			j--;
			steps++;
		}
		e = j;
		while (j > 0 && alpha((unsigned char)t[j - 1]))
			j--;
		if (e == j)
			return 0;
		{
			char w[12];
			size_t l = e - j, k;

			if (l >= sizeof(w))
				return 0;
			for (k = 0; k < l; k++)
				w[k] = (char)up((unsigned char)t[j + k]);
			w[l] = '\0';
			if (!strcmp(w, "TAX") || !strcmp(w, "TAT") || !strcmp(w, "GET") ||
			    !strcmp(w, "TA") || !strcmp(w, "GE") || !strcmp(w, "LICENSE") ||
			    !strcmp(w, "LIC") || !strcmp(w, "GETAX") || !strcmp(w, "TATAX"))
				return 1;
			if (strcmp(w, "NO") && strcmp(w, "ID") && strcmp(w, "NUMBER") &&
			    strcmp(w, "NUM") && strcmp(w, "AND") && strcmp(w, "HI") &&
			    strcmp(w, "HAWAII") && strcmp(w, "STATE"))
				return 0;
		}
		steps++;
	}
	return 0;
}

/* A state tax id at t[i] (a word start).  Returns the bytes used, 0 if none. */
static size_t try_tax(const char *t, size_t len, size_t i, struct taxid_hit *h)
{
	char d[13];
	size_t p = i, n;
	int dashed, kind = 0;
	char suffix = 0;

	/* legacy W########-## */
	if (up((unsigned char)t[p]) == 'W' && p + 11 <= len) {
		size_t q = p + 1, k;
		char w8[9], w2[3];

		for (k = 0; k < 8 && q < len && dig((unsigned char)t[q]); k++)
			w8[k] = t[q++];
		if (k == 8) {
			if (q < len && (t[q] == '-' || t[q] == ' '))
				q++;
			for (k = 0; k < 2 && q < len && dig((unsigned char)t[q]); k++)
				w2[k] = t[q++];
			if (k == 2 && (q >= len || !alnum((unsigned char)t[q]))) {
				w8[8] = '\0';
				w2[2] = '\0';
				h->kind = TAXID_W;
				snprintf(h->id, sizeof(h->id), "W%s-%s", w8, w2);
				h->off = i;
				h->len = q - i;
				return q - i;
			}
		}
		return 0;
	}
	if (at_word(t, len, p, "TA") || at_word(t, len, p, "GE")) {
		kind = up((unsigned char)t[p]) == 'T' ? TAXID_TA : TAXID_GE;
		p += 2;
		while (p < len && p < i + 6 &&
		       (t[p] == '-' || t[p] == ' ' || t[p] == ':' || t[p] == '#' || t[p] == '.'))
			p++;
		if (p < len && udash(t, len, p))
			p += udash(t, len, p);
	}
	if (p >= len || !dig((unsigned char)t[p]))
		return 0;
	n = read12(t, len, p, d, &dashed);
	if (!n)
		return 0;
	p += n;
	/* one trailing letter ("01R") */
	if (p < len && alpha((unsigned char)t[p]) && (p + 1 >= len || !alnum((unsigned char)t[p + 1]))) {
		suffix = (char)up((unsigned char)t[p]);
		p++;
	}
	if (p < len && alnum((unsigned char)t[p]))
		return 0;
	if (!kind) {
		/* bare: dashed ###-###-####-##, or 12 digits after a tax word */
		if (!dashed && !tax_word_before(t, i))
			return 0;
		kind = TAXID_TAX;
	}
	h->kind = (enum taxid_kind)kind;
	canon_tax(h->id, sizeof(h->id), kind == TAXID_TA ? "TA-" : kind == TAXID_GE ? "GE-" : "",
		  d, suffix);
	h->off = i;
	h->len = p - i;
	return p - i;
}

/* Digit groups joined by '-' or '/' after a permit prefix; returns bytes used. */
static size_t permit_digits(const char *t, size_t len, size_t p, char *out, size_t size,
			    int *groups)
{
	size_t start = p, o = strlen(out);

	*groups = 0;
	while (p < len && dig((unsigned char)t[p])) {
		if (*groups && o + 1 < size)
			out[o++] = '-';
		while (p < len && dig((unsigned char)t[p])) {
			if (o + 1 < size)
				out[o++] = t[p];
			p++;
		}
		(*groups)++;
		out[o] = '\0';
		if (p + 1 < len && (t[p] == '-' || t[p] == '/') && dig((unsigned char)t[p + 1]))
			p++;
		else
			break;
	}
	out[o] = '\0';
	return p - start;
}

/* County permit at t[i]: Maui ST/BB + area, STVR, TVNC, TVR. */
static size_t try_permit(const char *t, size_t len, size_t i, struct taxid_hit *h)
{
	static const char *const maui_areas[] = { "KM", "WM", "PH", "MP", "HN", "WK", "MO", "LA" };
	char prefix[8] = "";
	size_t p = i, n, k;
	int groups;

	if (at_word(t, len, p, "STVR") || at_word(t, len, p, "TVNC")) {
		memcpy(prefix, t + p, 4);
		p += 4;
	} else if (at_word(t, len, p, "TVR")) {
		memcpy(prefix, "TVR", 3);
		p += 3;
	} else if (at_word(t, len, p, "ST") || at_word(t, len, p, "BB")) {
		for (k = 0; k < sizeof(maui_areas) / sizeof(maui_areas[0]); k++)
			if (at_word(t, len, p + 2, maui_areas[k])) {
				memcpy(prefix, t + p, 2);
				memcpy(prefix + 2, maui_areas[k], 2);
				break;
			}
		if (!prefix[0])
			return 0;
		p += 4;
	} else {
		return 0;
	}
	for (k = 0; prefix[k]; k++)
		prefix[k] = (char)up((unsigned char)prefix[k]);
	if (p < len && alpha((unsigned char)t[p]))
		return 0;
	while (p < len && p < i + 10 && (t[p] == '-' || t[p] == ' ' || t[p] == '#' || t[p] == ':'))
		p++;
	snprintf(h->id, sizeof(h->id), "%s-", prefix);
	n = permit_digits(t, len, p, h->id, sizeof(h->id), &groups);
	if (!n || n < 3)
		return 0;
	p += n;
	if (p < len && alnum((unsigned char)t[p]))
		return 0;
	h->kind = TAXID_PERMIT;
	h->off = i;
	h->len = p - i;
	return p - i;
}

/* Honolulu NUC: "90/TVU-0123", "NUC 90/TVU-0123", "NUC-1234". */
static size_t try_nuc(const char *t, size_t len, size_t i, struct taxid_hit *h)
{
	static const char *const kinds[] = { "TVU", "BBH", "TVR" };
	size_t p = i, k;
	int nuc = 0;

	if (at_word(t, len, p, "NUC")) {
		nuc = 1;
		p += 3;
		while (p < len && p < i + 10 && (t[p] == '-' || t[p] == ' ' || t[p] == '#' ||
						 t[p] == ':' || t[p] == '.'))
			p++;
	}
	if (p + 9 <= len && dig((unsigned char)t[p]) && dig((unsigned char)t[p + 1]) &&
	    t[p + 2] == '/') {
		for (k = 0; k < 3; k++)
			if (at_word(t, len, p + 3, kinds[k]))
				break;
		if (k < 3 && (t[p + 6] == '-' || t[p + 6] == ' ')) {
			size_t q = p + 7, d = 0;

			while (q < len && dig((unsigned char)t[q]) && d < 6) {
				q++;
				d++;
			}
			if (d >= 2 && (q >= len || !alnum((unsigned char)t[q]))) {
				snprintf(h->id, sizeof(h->id), "%.2s/%s-%.*s", t + p, kinds[k],
					 (int)d, t + p + 7);
				h->kind = TAXID_NUC;
				h->off = i;
				h->len = q - i;
				return q - i;
			}
		}
	}
	if (nuc) {
		int groups;

		memcpy(h->id, "NUC-", 5);
		k = permit_digits(t, len, p, h->id, sizeof(h->id), &groups);
		if (k >= 2 && (p + k >= len || !alnum((unsigned char)t[p + k]))) {
			h->kind = TAXID_NUC;
			h->off = i;
			h->len = p + k - i;
			return p + k - i;
		}
	}
	return 0;
}

/* Was a TMK keyword written just before i ("TMK", "TMK#", "Tax Map Key:")? */
static int tmk_word_before(const char *t, size_t i)
{
	size_t j = i;
	int steps = 0;

	while (j > 0 && steps < 8 && !alnum((unsigned char)t[j - 1])) {
		j--;
		steps++;
	}
	if (j >= 3 && up((unsigned char)t[j - 3]) == 'T' && up((unsigned char)t[j - 2]) == 'M' &&
	    up((unsigned char)t[j - 1]) == 'K')
		return 1;
	if (j >= 3 && up((unsigned char)t[j - 3]) == 'K' && up((unsigned char)t[j - 2]) == 'E' &&
	    up((unsigned char)t[j - 1]) == 'Y')
		return 1;
	return 0;
}

/* A TMK at t[i]: digits, dashes, colons, "(C)" first.  Returns the bytes used. */
static size_t try_tmk(const char *t, size_t len, size_t i, const struct tmk_opts *opts,
		      char (*taxd)[13], size_t ntax, struct taxid_hit *h, int *hit)
{
	size_t p = i, start, end, digits = 0, groups = 0, k;
	int colon = 0, paren = 0, keyword;
	char run[14];
	enum tmk_reason r;

	if (t[p] == '(' && p + 2 < len && dig((unsigned char)t[p + 1]) && t[p + 2] == ')') {
		p += 3;
		paren = 1;
		while (p < len && t[p] == ' ')
			p++;
	}
	if (p >= len || !dig((unsigned char)t[p]))
		return 0;
	end = start = p;
	while (p < len) {
		size_t ud = udash(t, len, p);

		if (dig((unsigned char)t[p])) {
			if (p == start || !dig((unsigned char)t[p - 1]))
				groups++;
			if (digits < 13)
				run[digits] = t[p];
			digits++;
			p++;
			end = p;
		} else if (t[p] == '-' || t[p] == ':') {
			colon |= t[p] == ':';
			p++;
		} else if (ud) {
			p += ud;
		} else if (t[p] == ' ' && groups > 0) {
			/* blanks only around dashes: "3 – 2 – 7 – 55" */
			size_t q = p;
			int near_dash = t[p - 1] == '-' || (p >= 3 && udash(t, len, p - 3));

			while (q < len && t[q] == ' ')
				q++;
			if (!near_dash && !(q < len && (t[q] == '-' || udash(t, len, q))))
				break;
			p = q;
		} else {
			break;
		}
		if (digits > 13)
			return end - i;
	}
	if (digits > 13)
		return end - i;
	keyword = tmk_word_before(t, i);
	/* what may pass for a TMK in prose */
	if (groups == 1 && digits != 12 && digits != 13 && !(keyword && (digits == 8 || digits == 9)))
		return end - i;
	if (groups > 1 && !colon && !paren && groups < 4)
		return end - i;
	/* a street address: digits then a word */
	if (groups <= 2) {
		size_t q = end;

		while (q < len && t[q] == ' ')
			q++;
		if (q < len && alpha((unsigned char)t[q]) && !at_word(t, len, q, "CPR"))
			return end - i;
	}
	/* the 12 digits of a tax id written a second time */
	if (groups == 1 && digits == 12) {
		run[12] = '\0';
		for (k = 0; k < ntax; k++)
			if (!memcmp(taxd[k], run, 12))
				return end - i;
	}
	if (tmk_parse(t + i, end - i, opts, &h->tmk, &r) == 0) {
		/* "sleeps 4-5-6-7": in prose, zeros dropped only right after "TMK" */
		if ((h->tmk.flags & TMK_F_ZEROS_DROPPED) && !keyword && !paren && !colon)
			return end - i;
		h->kind = TAXID_TMK;
		memcpy(h->id, h->tmk.tmk13, 14);
	} else if (r == TMK_E_COUNTY_UNKNOWN) {
		struct tmk_opts o;
		struct tmk tk;

		memset(&o, 0, sizeof(o));
		o.county_hint = 1; /* zones 1-9: only checks the rest */
		if (tmk_parse(t + i, end - i, &o, &tk, NULL) < 0)
			return end - i;
		h->kind = TAXID_TMK12;
		memcpy(h->id, tk.tmk13 + 1, 13);
		memset(&h->tmk, 0, sizeof(h->tmk));
	} else {
		return end - i;
	}
	h->off = i;
	h->len = end - i;
	*hit = 1;
	return end - i;
}

static size_t scan(const char *text, size_t len, const struct tmk_opts *opts,
		   struct taxid_hit *hits, size_t max, char (*taxd)[13], size_t *ntax, int pass)
{
	size_t i = 0, count = 0;

	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		struct taxid_hit h;
		size_t n;

		if (!(alnum(c) || c == '(') || (i > 0 && alnum((unsigned char)text[i - 1]))) {
			i++;
			continue;
		}
		memset(&h, 0, sizeof(h));
		n = try_tax(text, len, i, &h);
		if (n && pass == 0) {
			if (*ntax < MAX_TAX_SEEN && h.kind != TAXID_W) {
				const char *s = h.id;
				size_t k = 0;

				for (; *s && k < 12; s++)
					if (dig((unsigned char)*s))
						taxd[*ntax][k++] = *s;
				(*ntax)++;
			}
			i += n;
			continue;
		}
		if (pass == 0) {
			i++;
			continue;
		}
		if (!n)
			n = try_permit(text, len, i, &h);
		if (!n)
			n = try_nuc(text, len, i, &h);
		if (!n) {
			int hit = 0;

			n = try_tmk(text, len, i, opts, taxd, *ntax, &h, &hit);
			if (!hit) {
				i += n ? n : 1;
				continue;
			}
		}
		if (count < max)
			hits[count] = h;
		count++;
		i += n;
	}
	return count;
}

size_t taxid_extract(const char *text, size_t len, const struct tmk_opts *opts,
		     struct taxid_hit *hits, size_t max)
{
	char taxd[MAX_TAX_SEEN][13];
	size_t ntax = 0;

	scan(text, len, opts, hits, 0, taxd, &ntax, 0);
	return scan(text, len, opts, hits, max, taxd, &ntax, 1);
}

int taxid_parse(const char *s, size_t len, struct taxid_hit *hit)
{
	size_t a = 0, b = len, n;

	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '.' ||
			 s[b - 1] == ',' || s[b - 1] == ';' || s[b - 1] == '\r'))
		b--;
	if (a == b)
		return -1;
	memset(hit, 0, sizeof(*hit));
	n = try_tax(s, b, a, hit);
	if (!n)
		n = try_permit(s, b, a, hit);
	if (!n)
		n = try_nuc(s, b, a, hit);
	if (!n || a + n != b)
		return -1;
	return 0;
}
