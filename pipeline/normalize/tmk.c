#include "tmk.h"
#include "geo_hi.h"
#include "textfold.h"

#include <string.h>

#include "banned.h"

/*
 * How it works: the raw bytes are first folded into a small ASCII buffer on
 * the stack (upper case; every Unicode dash to '-', every Unicode blank to
 * ' ', any other non-ASCII character to MARK so that it can never pass for a
 * digit or a separator).  Decorations are peeled off the field, the field is
 * split into list items, and each item is read as groups of digits with the
 * separators between them.  The shape (number of groups, their lengths, where
 * a colon stands) decides which group is which part.
 */

#define MARK '\x01'

static const char *const flag_names[TMK_F_COUNT] = {
	"county-inferred", "portion", "cpr-assumed", "zeros-dropped", "zone-padded",
	"list", "range", "cpr-suffix", "short-form",
};

const char *tmk_flag_name(unsigned bit)
{
	unsigned i;

	for (i = 0; i < TMK_F_COUNT; i++)
		if (bit == 1u << i)
			return flag_names[i];
	return NULL;
}

size_t tmk_flags_format(unsigned flags, char *buf, size_t size)
{
	size_t n = 0;
	unsigned i;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < TMK_F_COUNT; i++) {
		size_t l;

		if (!(flags & (1u << i)))
			continue;
		if (n) {
			if (n + 1 < size) {
				buf[n] = ',';
				buf[n + 1] = '\0';
			}
			n++;
		}
		l = strlen(flag_names[i]);
		if (n + l < size) {
			memcpy(buf + n, flag_names[i], l + 1);
		} else if (n < size) {
			memcpy(buf + n, flag_names[i], size - n - 1);
			buf[size - 1] = '\0';
		}
		n += l;
	}
	return n;
}

const char *tmk_reason_str(enum tmk_reason r)
{
	switch (r) {
	case TMK_OK: return "ok";
	case TMK_E_EMPTY: return "empty";
	case TMK_E_PLACEHOLDER: return "placeholder";
	case TMK_E_SYNTAX: return "not a tmk";
	case TMK_E_UNEXPECTED_TEXT: return "unexpected text";
	case TMK_E_TOO_FEW_DIGITS: return "too few digits";
	case TMK_E_TOO_MANY_DIGITS: return "too many digits";
	case TMK_E_DIGIT_COUNT: return "unexpected digit count";
	case TMK_E_ADDRESS: return "street address";
	case TMK_E_TAX_ID: return "tax id";
	case TMK_E_DOCUMENT: return "document number";
	case TMK_E_SCIENTIFIC: return "spreadsheet scientific notation";
	case TMK_E_COUNTY_UNKNOWN: return "county unknown";
	case TMK_E_COUNTY_RANGE: return "county out of range";
	case TMK_E_COUNTY_CONFLICT: return "county conflict";
	case TMK_E_ZONE: return "zone not in county";
	case TMK_E_SECTION: return "section out of range";
	case TMK_E_PLAT: return "plat out of range";
	case TMK_E_PARCEL: return "parcel out of range";
	case TMK_E_CPR: return "cpr out of range";
	case TMK_E_CPR_CONFLICT: return "conflicting cpr";
	case TMK_E_RANGE_AMBIGUOUS: return "ambiguous range";
	case TMK_E_RANGE_BAD: return "bad range";
	case TMK_E_TOO_MANY: return "too many parcels";
	case TMK_E_ENCODING: return "invalid utf-8";
	case TMK_E_TOO_LONG: return "too long";
	}
	return "unknown reason";
}

int tmk_zone_valid(int county, int zone, int section)
{
	int maxzone;

	switch (county) {
	case 1: case 3: maxzone = 9; break;
	case 2: maxzone = 6; break;
	case 4: maxzone = 5; break;
	default: return 0;
	}
	return zone >= 1 && zone <= maxzone && section >= 1 && section <= 9;
}

int tmk_check(const struct tmk *t)
{
	char d[14];
	int i;

	if (!tmk_zone_valid(t->county, t->zone, t->section))
		return 0;
	if (t->plat < 1 || t->plat > 999 || t->parcel < 1 || t->parcel > 999 ||
	    t->cpr < 0 || t->cpr > 9999)
		return 0;
	d[0] = (char)('0' + t->county);
	d[1] = (char)('0' + t->zone);
	d[2] = (char)('0' + t->section);
	for (i = 0; i < 3; i++) {
		static const int p10[] = { 100, 10, 1 };
		d[3 + i] = (char)('0' + t->plat / p10[i] % 10);
		d[6 + i] = (char)('0' + t->parcel / p10[i] % 10);
	}
	for (i = 0; i < 4; i++) {
		static const int p10[] = { 1000, 100, 10, 1 };
		d[9 + i] = (char)('0' + t->cpr / p10[i] % 10);
	}
	d[13] = '\0';
	return memcmp(d, t->tmk13, 14) == 0;
}

static void put3(char *p, int v)
{
	p[0] = (char)('0' + v / 100);
	p[1] = (char)('0' + v / 10 % 10);
	p[2] = (char)('0' + v % 10);
}

static void fill_key(struct tmk *t)
{
	t->tmk13[0] = (char)('0' + t->county);
	t->tmk13[1] = (char)('0' + t->zone);
	t->tmk13[2] = (char)('0' + t->section);
	put3(t->tmk13 + 3, t->plat);
	put3(t->tmk13 + 6, t->parcel);
	t->tmk13[9] = (char)('0' + t->cpr / 1000);
	put3(t->tmk13 + 10, t->cpr % 1000);
	t->tmk13[13] = '\0';
}

size_t tmk_display(const struct tmk *t, char *buf, size_t size)
{
	char d[21];

	/* (C) Z-S-PPP:PPP-UUUU */
	d[0] = '(';
	d[1] = t->tmk13[0];
	d[2] = ')';
	d[3] = ' ';
	d[4] = t->tmk13[1];
	d[5] = '-';
	d[6] = t->tmk13[2];
	d[7] = '-';
	memcpy(d + 8, t->tmk13 + 3, 3);
	d[11] = ':';
	memcpy(d + 12, t->tmk13 + 6, 3);
	d[15] = '-';
	memcpy(d + 16, t->tmk13 + 9, 4);
	d[20] = '\0';
	if (size) {
		size_t n = size - 1 < 20 ? size - 1 : 20;

		memcpy(buf, d, n);
		buf[n] = '\0';
	}
	return 20;
}

void tmk_parcel9(const struct tmk *t, char out[10])
{
	memcpy(out, t->tmk13, 9);
	out[9] = '\0';
}

int tmk_from_parts(int county, int zone, int section, int plat, int parcel,
		   int cpr, struct tmk *out, enum tmk_reason *reason)
{
	enum tmk_reason r = TMK_OK;

	if (county < 1 || county > 4)
		r = TMK_E_COUNTY_RANGE;
	else if (section < 1 || section > 9)
		r = TMK_E_SECTION;
	else if (!tmk_zone_valid(county, zone, section))
		r = TMK_E_ZONE;
	else if (plat < 1 || plat > 999)
		r = TMK_E_PLAT;
	else if (parcel < 1 || parcel > 999)
		r = TMK_E_PARCEL;
	else if (cpr > 9999)
		r = TMK_E_CPR;
	if (r != TMK_OK) {
		if (reason)
			*reason = r;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->county = (unsigned char)county;
	out->zone = (unsigned char)zone;
	out->section = (unsigned char)section;
	out->plat = (short)plat;
	out->parcel = (short)parcel;
	if (cpr < 0) {
		out->cpr = 0;
		out->flags |= TMK_F_CPR_ASSUMED;
	} else {
		out->cpr = (short)cpr;
	}
	fill_key(out);
	if (reason)
		*reason = TMK_OK;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Folding the raw bytes to ASCII                                       */

static int fold_field(const char *s, size_t len, char *b, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned c = u[i];

		if (c < 0x80) {
			if (c >= 'a' && c <= 'z')
				c -= 32;
			else if (c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
				c = ' ';
			else if (c < 0x20 || c == 0x7F)
				c = (unsigned char)MARK;
			b[n++] = (char)c;
			i++;
		} else {
			unsigned cp;
			size_t l = textfold_utf8(u + i, len - i, &cp);

			if (!l)
				return -1;
			i += l;
			if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 ||
			    cp == 0xFE63 || cp == 0xFF0D)
				b[n++] = '-';
			else if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
				 cp == 0x3000)
				b[n++] = ' ';
			else if (cp == 0x200B || cp == 0xFEFF)
				; /* zero width: nothing */
			else if (cp == 0xFF1A)
				b[n++] = ':';
			else
				b[n++] = MARK;
		}
	}
	b[n] = '\0';
	*outlen = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Field-level checks                                                   */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || c == MARK;
}

static int is_sep(int c)
{
	return c == '-' || c == ':' || c == '.' || c == '/';
}

/* Does b start with word w, not followed by a letter? */
static size_t starts_word(const char *b, size_t n, const char *w)
{
	size_t l;

	if (!n || b[0] != w[0])
		return 0; /* the common case, without strlen */
	l = strlen(w);
	if (l > n || memcmp(b, w, l) != 0)
		return 0;
	if (l < n && is_alpha((unsigned char)b[l]))
		return 0;
	return l;
}

static void trim(const char *b, size_t *start, size_t *end)
{
	while (*start < *end && b[*start] == ' ')
		(*start)++;
	while (*end > *start && b[*end - 1] == ' ')
		(*end)--;
}

/* Peel "TMK", "Tax Map Key", "Parcel ID (TMK)" and the like off the front. */
static void strip_prefixes(const char *b, size_t *start, size_t end)
{
	static const char *const prefixes[] = {
		"PARCEL IDENTIFICATION NUMBER", "PARCEL ID", "PARCEL NUMBER", "PARCEL NO",
		"PARCEL", "TAX MAP KEY NUMBER", "TAX MAP KEY NO", "TAX MAP KEY",
		"TMK NUMBER", "TMK NO", "TMK", "(TMK)", "(TAX MAP KEY)", "PROPERTY REGISTRATION NUMBER",
		"NUMBER", "NO",
	};
	int again = 1;
	int seen = 0;

	while (again) {
		size_t i;

		again = 0;
		while (*start < end && (b[*start] == ' ' || b[*start] == ':' || b[*start] == '#' ||
					(seen && b[*start] == '.') || b[*start] == '='))
			(*start)++;
		if (*start >= end || is_digit((unsigned char)b[*start]))
			break; /* the usual case: no prefix at all */
		for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t l;

			/* bare NUMBER/NO only right after another prefix */
			if (!seen && i >= sizeof(prefixes) / sizeof(prefixes[0]) - 2)
				break;
			l = starts_word(b + *start, end - *start, prefixes[i]);
			if (l) {
				*start += l;
				again = seen = 1;
				break;
			}
		}
	}
}

/*
 * A county or island named before a TMK label ("Honolulu TMK 1-9-2-043-005",
 * "Maui County Tax Map Key ..."): *start moves past the name and the county
 * is returned (0 for "Hawaii" alone, which may be the state).  Without a
 * label right after it, a name is not a prefix: nothing moves, -1.
 */
static int strip_place_label(const char *b, size_t *start, size_t end)
{
	static const struct {
		const char *name;
		int county;
	} places[] = {
		{ "CITY AND COUNTY OF HONOLULU", 1 }, { "HONOLULU COUNTY", 1 }, { "HONOLULU", 1 },
		{ "OAHU", 1 }, { "COUNTY OF MAUI", 2 }, { "MAUI COUNTY", 2 }, { "MAUI", 2 },
		{ "MOLOKAI", 2 }, { "LANAI", 2 }, { "COUNTY OF HAWAII", 3 }, { "HAWAII COUNTY", 3 },
		{ "BIG ISLAND", 3 }, { "HAWAII", 0 }, { "COUNTY OF KAUAI", 4 }, { "KAUAI COUNTY", 4 },
		{ "KAUAI", 4 }, { "NIIHAU", 4 },
	};
	static const char *const labels[] = { "TMK", "(TMK)", "TAX MAP KEY", "(TAX MAP KEY)" };
	size_t i, k, l, p;

	if (*start >= end || !is_alpha((unsigned char)b[*start]))
		return -1;
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		l = starts_word(b + *start, end - *start, places[i].name);
		if (!l)
			continue;
		p = *start + l;
		while (p < end && (b[p] == ' ' || b[p] == ','))
			p++;
		for (k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
			if (starts_word(b + p, end - p, labels[k])) {
				*start = p;
				return places[i].county;
			}
		}
		return -1;
	}
	return -1;
}

static int all_digits(const char *b, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)b[i]))
			return 0;
	return 1;
}

static int is_placeholder(const char *b, size_t n)
{
	static const char *const words[] = {
		"N/A", "NA", "N.A.", "NONE", "NULL", "NIL", "-", "--", "---", "TBD", "UNKNOWN",
		"PENDING", "EXEMPT", "?", "X", "XX",
	};
	size_t i;

	if (n && b[0] == '*')
		return 1;
	if (!n || n > 7 || is_digit((unsigned char)b[0]) || b[0] == '(')
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && memcmp(words[i], b, n) == 0)
			return 1;
	return 0;
}

/* "4.7039E+11", "5.30091E+11", "4E11" */
static int is_scientific(const char *b, size_t n)
{
	size_t i = 0, d = 0;

	while (i < n && is_digit((unsigned char)b[i]))
		i++, d++;
	if (i < n && (b[i] == '.' || b[i] == ',')) {
		i++;
		while (i < n && is_digit((unsigned char)b[i]))
			i++, d++;
	}
	if (!d || i >= n || b[i] != 'E')
		return 0;
	i++;
	if (i < n && (b[i] == '+' || b[i] == '-'))
		i++;
	if (i >= n || !is_digit((unsigned char)b[i]))
		return 0;
	while (i < n && is_digit((unsigned char)b[i]))
		i++;
	return i == n;
}

/* Land Court "T13017068", "T-1234567", Regular System "A-12345678", "DOC NO ..." */
static int is_document(const char *b, size_t n)
{
	size_t i;

	if (!n || !is_alpha((unsigned char)b[0]))
		return 0;
	if (starts_word(b, n, "DOC") || starts_word(b, n, "DOCUMENT") ||
	    starts_word(b, n, "LAND COURT") || starts_word(b, n, "LC") ||
	    starts_word(b, n, "CERT") || starts_word(b, n, "TCT"))
		return 1;
	if (n >= 8 && (b[0] == 'T' || b[0] == 'A')) {
		i = 1;
		if (b[i] == '-' || b[i] == ' ')
			i++;
		if (n - i >= 7 && n - i <= 10 && all_digits(b + i, n - i))
			return 1;
	}
	return 0;
}

/*
 * A state tax id: TA/GE prefix and 12 digits, W + 8 + 2 digits, or the bare
 * dashed shape ###-###-####-## (optionally a trailing letter).
 */
static int is_taxid(const char *b, size_t n)
{
	size_t i = 0, d = 0, groups[6], ng = 0, glen = 0;
	int prefix = 0;

	if (n >= 2 && ((b[0] == 'T' && b[1] == 'A') || (b[0] == 'G' && b[1] == 'E'))) {
		prefix = 1;
		i = 2;
	} else if (n >= 1 && b[0] == 'W' && n > 1 && is_digit((unsigned char)b[1])) {
		prefix = 2;
		i = 1;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (is_digit(c)) {
			d++;
			glen++;
		} else if (c == '-' || c == ' ' || c == '.' || c == ':' || c == '#') {
			if (glen) {
				if (ng < 6)
					groups[ng] = glen;
				ng++;
			}
			glen = 0;
		} else if (is_alpha(c) && i == n - 1 && d) {
			break; /* trailing letter: "01R" */
		} else {
			return 0;
		}
	}
	if (glen) {
		if (ng < 6)
			groups[ng] = glen;
		ng++;
	}
	if (prefix == 1)
		return d == 12;
	if (prefix == 2)
		return d == 10;
	return d == 12 && ng == 4 && groups[0] == 3 && groups[1] == 3 && groups[2] == 4 &&
	       groups[3] == 2;
}

/* ------------------------------------------------------------------ */
/* One item: "(1) 2-6-010:007 CPR 12 (P)"                               */

struct group {
	size_t pos; /* where its digits start in the folded buffer */
	int val;
	unsigned char len;
	char sep; /* separator before this group: 0 none, ':' colon, '-' dash/dot, ' ' */
};

struct item {
	int paren;            /* county written "(C)", 0 none */
	struct group g[8];
	int ng;
	int portion;
	int cpr_suffix;       /* -1 none */
	int cpr_suffix_len;
	int lead_colon;       /* ":041" continuation */
	int named_county;     /* "(Maui)" after the digits: 1-4, 0 none */
};

static enum tmk_reason scan_item(const char *b, size_t i, size_t end, struct item *it)
{
	char pending = 0;
	int saw_space = 0;

	/* field by field: a memset of the whole struct shows in the profile */
	it->paren = 0;
	it->ng = 0;
	it->portion = 0;
	it->cpr_suffix = -1;
	it->cpr_suffix_len = 0;
	it->lead_colon = 0;
	it->named_county = 0;
	while (i < end && b[i] == ' ')
		i++;
	if (i < end && b[i] == '(') {
		/* "(1)", "( 1 )" */
		size_t j = i + 1;

		while (j < end && b[j] == ' ')
			j++;
		if (j < end && is_digit((unsigned char)b[j])) {
			size_t d = j++;

			while (j < end && b[j] == ' ')
				j++;
			if (j < end && b[j] == ')') {
				it->paren = b[d] - '0';
				if (it->paren == 0)
					it->paren = -1;
				i = j + 1;
				/* "(1)-2-6-010:007" */
				while (i < end && (b[i] == ' ' || b[i] == '-'))
					i++;
			}
		}
	}
	while (i < end) {
		unsigned char c = (unsigned char)b[i];

		if (c == ' ') {
			saw_space = 1;
			i++;
			continue;
		}
		if (is_digit(c)) {
			int v = 0;
			size_t l = 0;

			while (i < end && is_digit((unsigned char)b[i])) {
				if (l < 14)
					v = v < 100000000 ? v * 10 + (b[i] - '0') : v;
				l++;
				i++;
			}
			if (it->ng >= 8)
				return TMK_E_SYNTAX;
			if (it->ng == 0 && pending == ':')
				it->lead_colon = 1;
			else if (it->ng == 0 && pending)
				return TMK_E_SYNTAX;
			it->g[it->ng].pos = i - l;
			it->g[it->ng].val = v;
			it->g[it->ng].len = (unsigned char)(l > 255 ? 255 : l);
			it->g[it->ng].sep = pending ? pending : (saw_space ? ' ' : 0);
			it->ng++;
			pending = 0;
			saw_space = 0;
			continue;
		}
		if (is_sep(c)) {
			if (c == ':')
				pending = ':';
			else if (pending != ':')
				pending = '-';
			i++;
			continue;
		}
		if (c == '(') {
			size_t j = i + 1, l, k;
			struct geo_place gp;

			while (j < end && b[j] == ' ')
				j++;
			if ((l = starts_word(b + j, end - j, "P")) ||
			    (l = starts_word(b + j, end - j, "POR")) ||
			    (l = starts_word(b + j, end - j, "PORTION"))) {
				j += l;
				while (j < end && (b[j] == '.' || b[j] == ' '))
					j++;
				if (j < end && b[j] == ')') {
					it->portion = 1;
					i = j + 1;
					continue;
				}
				return TMK_E_SYNTAX;
			}
			/* "(Maui)", "(Big Island)": the county by name */
			for (k = j; k < end && b[k] != ')'; k++)
				;
			if (it->ng > 0 && k < end && k > j &&
			    ((k - j == 6 && !memcmp(b + j, "HAWAII", 6) && (gp.county = 3)) ||
			     geo_hi_place(b + j, k - j, &gp) == 0)) {
				it->named_county = gp.county;
				i = k + 1;
				continue;
			}
			return TMK_E_SYNTAX;
		}
		if (is_alpha(c)) {
			size_t j = i, l;

			while (j < end && (is_alpha((unsigned char)b[j]) || b[j] == '\''))
				j++;
			l = j - i;
			if ((l == 3 && !memcmp(b + i, "POR", 3)) ||
			    (l == 7 && !memcmp(b + i, "PORTION", 7))) {
				it->portion = 1;
				i = j;
				if (i < end && b[i] == '.')
					i++;
				continue;
			}
			if ((l == 3 && !memcmp(b + i, "CPR", 3)) ||
			    (l == 4 && !memcmp(b + i, "UNIT", 4))) {
				int v = 0;
				size_t dl = 0;

				if (it->ng == 0)
					return TMK_E_SYNTAX;
				while (j < end && (b[j] == ' ' || b[j] == '#' || b[j] == ':' ||
						   b[j] == '.' || b[j] == '-'))
					j++;
				if (starts_word(b + j, end - j, "NO")) {
					j += 2;
					while (j < end && (b[j] == ' ' || b[j] == '.' || b[j] == '#'))
						j++;
				}
				while (j < end && is_digit((unsigned char)b[j])) {
					if (dl < 6)
						v = v * 10 + (b[j] - '0');
					dl++;
					j++;
				}
				if (dl) {
					if (it->cpr_suffix >= 0)
						return TMK_E_CPR_CONFLICT;
					if (dl > 4)
						return TMK_E_CPR;
					it->cpr_suffix = v;
					it->cpr_suffix_len = (int)dl;
				} else if (l == 4) {
					return TMK_E_UNEXPECTED_TEXT; /* UNIT without a number */
				}
				i = j;
				pending = 0;
				continue;
			}
			/* a dangling "and" of a cut list, or any other word */
			if (it->ng == 0 || (l == 3 && !memcmp(b + i, "AND", 3)))
				return TMK_E_SYNTAX;
			if (it->ng <= 2 && !it->paren)
				return TMK_E_ADDRESS;
			return TMK_E_UNEXPECTED_TEXT;
		}
		return TMK_E_SYNTAX;
	}
	if (pending && pending != '-')
		return TMK_E_SYNTAX;
	if (pending == '-' && i > 0 && b[i - 1] != '.')
		return TMK_E_SYNTAX;
	return TMK_OK;
}

/* Parts read from one item before the county is settled. */
struct parts {
	int county;      /* 0 when not written */
	int zone, section, plat, parcel, cpr; /* cpr -1: none */
	int range_end;   /* -1 none; else last parcel (or CPR) of ":003-011" */
	int range_len;
	unsigned flags;
	int continuation; /* parcel only, rest from the previous item */
};

static int zone_group(const struct group *g, int *zone, unsigned *flags)
{
	if (g->len == 1) {
		*zone = g->val;
		return 0;
	}
	if (g->len == 2 && g->val < 10) {
		*zone = g->val;
		*flags |= TMK_F_ZONE_PADDED;
		return 0;
	}
	return -1;
}

static int digit_at(const char *run, int i)
{
	return run[i] - '0';
}

static int num_at(const char *run, int i, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (run[i++] - '0');
	return v;
}

static enum tmk_reason read_digits(const char *run, int l, struct parts *p)
{
	int o = 0;

	if (l < 8)
		return TMK_E_TOO_FEW_DIGITS;
	if (l > 13)
		return TMK_E_TOO_MANY_DIGITS;
	switch (l) {
	case 13:
	case 9:
		p->county = digit_at(run, 0);
		if (p->county == 0)
			return TMK_E_COUNTY_RANGE;
		o = 1;
		break;
	case 12:
	case 8:
		break;
	default:
		return TMK_E_DIGIT_COUNT;
	}
	p->zone = digit_at(run, o);
	p->section = digit_at(run, o + 1);
	p->plat = num_at(run, o + 2, 3);
	p->parcel = num_at(run, o + 5, 3);
	if (l == 13 || l == 12) {
		p->cpr = num_at(run, o + 8, 4);
	} else {
		p->cpr = -1;
		p->flags |= TMK_F_SHORT_FORM;
	}
	return TMK_OK;
}

/* Fill plat, parcel and (optional) cpr groups; flags zeros dropped. */
static enum tmk_reason read_tail(const struct group *g, int n, struct parts *p)
{
	if (g[0].len > 3)
		return TMK_E_PLAT;
	if (g[1].len > 3)
		return TMK_E_PARCEL;
	p->plat = g[0].val;
	p->parcel = g[1].val;
	if (g[0].len < 3 || g[1].len < 3)
		p->flags |= TMK_F_ZEROS_DROPPED;
	if (n >= 3) {
		if (g[2].len > 4)
			return TMK_E_CPR;
		p->cpr = g[2].val;
		if (g[2].len < 4)
			p->flags |= TMK_F_ZEROS_DROPPED;
	}
	return TMK_OK;
}

static enum tmk_reason interpret(const char *b, const struct item *it,
				 enum tmk_range_mode range, struct parts *p)
{
	const struct group *g = it->g;
	int ng = it->ng, k, i;
	enum tmk_reason r;

	memset(p, 0, sizeof(*p));
	p->cpr = -1;
	p->range_end = -1;
	if (ng == 0)
		return TMK_E_SYNTAX;

	/* ":041", "026": a parcel of the previous item's plat */
	if (it->lead_colon || (ng == 1 && g[0].len <= 3 && !it->paren)) {
		if (ng != 1 || g[0].len > 3)
			return TMK_E_SYNTAX;
		p->continuation = 1;
		p->parcel = g[0].val;
		return TMK_OK;
	}

	/* one run of digits */
	if (ng == 1)
		return read_digits(b + g[0].pos, g[0].len, p);

	for (k = 1; k < ng; k++)
		if (g[k].sep == ':')
			break;
	if (k < ng) {
		/* colon form: g[k-1] plat, g[k] parcel, what precedes is [C] Z S */
		int before = k - 1, after = ng - k - 1;

		if (before == 2) {
			if (zone_group(&g[0], &p->zone, &p->flags) || g[1].len != 1)
				return TMK_E_SYNTAX;
			p->section = g[1].val;
		} else if (before == 3) {
			if (g[0].len != 1 || zone_group(&g[1], &p->zone, &p->flags) || g[2].len != 1)
				return TMK_E_SYNTAX;
			p->county = g[0].val;
			p->section = g[2].val;
			if (!p->county)
				return TMK_E_COUNTY_RANGE;
		} else if (before == 1 && g[0].len == 2 && g[0].val >= 10) {
			p->zone = g[0].val / 10;
			p->section = g[0].val % 10;
		} else {
			return TMK_E_SYNTAX;
		}
		if (after > 1)
			return TMK_E_SYNTAX;
		r = read_tail(&g[k - 1], 2, p);
		if (r != TMK_OK)
			return r;
		if (after == 1) {
			const struct group *t = &g[k + 1];

			if (t->len == 4) {
				p->cpr = t->val;
			} else if (t->len > 4) {
				return TMK_E_CPR;
			} else if (t->sep == ':') {
				return TMK_E_SYNTAX;
			} else {
				/* ":003-011" */
				switch (range) {
				case TMK_RANGE_REFUSE:
					return TMK_E_RANGE_AMBIGUOUS;
				case TMK_RANGE_CPR:
					p->cpr = t->val;
					break;
				case TMK_RANGE_PARCELS:
					if (t->val <= p->parcel)
						return TMK_E_RANGE_BAD;
					p->range_end = t->val;
					break;
				}
			}
		}
		return TMK_OK;
	}

	/* dashes (or blanks, dots) only */
	if (ng == 4 && g[0].len == 3 && g[1].len == 3 && g[2].len == 4 && g[3].len == 2)
		return TMK_E_TAX_ID;
	for (i = 1; i < ng; i++)
		if (g[i].sep == 0)
			return TMK_E_SYNTAX;
	switch (ng) {
	case 2:
		return TMK_E_TOO_FEW_DIGITS;
	case 3:
		if (g[0].len == 2 && g[0].val >= 10) {
			p->zone = g[0].val / 10;
			p->section = g[0].val % 10;
			return read_tail(&g[1], 2, p);
		}
		return TMK_E_TOO_FEW_DIGITS;
	case 4:
		if (g[0].len == 2 && g[0].val >= 10) {
			p->zone = g[0].val / 10;
			p->section = g[0].val % 10;
			return read_tail(&g[1], 3, p);
		}
		if (zone_group(&g[0], &p->zone, &p->flags) || g[1].len != 1)
			return TMK_E_SYNTAX;
		p->section = g[1].val;
		return read_tail(&g[2], 2, p);
	case 5:
		if (!it->paren && g[0].len == 1 && g[1].len == 1 && g[2].len == 1 &&
		    g[0].val >= 1 && g[0].val <= 4) {
			/* C-Z-S-P-P (4-4-2-016-063, 3-7-4-4-32) */
			p->county = g[0].val;
			p->zone = g[1].val;
			p->section = g[2].val;
			return read_tail(&g[3], 2, p);
		}
		/* Z-S-PPP-PPP-CCCC */
		if (zone_group(&g[0], &p->zone, &p->flags) || g[1].len != 1)
			return TMK_E_SYNTAX;
		p->section = g[1].val;
		return read_tail(&g[2], 3, p);
	case 6:
		if (g[0].len != 1 || g[2].len != 1 || zone_group(&g[1], &p->zone, &p->flags))
			return TMK_E_SYNTAX;
		p->county = g[0].val;
		p->section = g[2].val;
		if (!p->county)
			return TMK_E_COUNTY_RANGE;
		return read_tail(&g[3], 3, p);
	default:
		return TMK_E_SYNTAX;
	}
}

static int county_from_opts(const struct tmk_opts *o)
{
	struct geo_place gp;

	if (!o)
		return 0;
	if (o->county_hint >= 1 && o->county_hint <= 4)
		return o->county_hint;
	if (o->zip && geo_hi_zip(o->zip, strlen(o->zip), &gp) == 0 && gp.county)
		return gp.county;
	if (o->place && geo_hi_place(o->place, strlen(o->place), &gp) == 0 && gp.county)
		return gp.county;
	return 0;
}

/*
 * Split points of a list: ',', ';', '&', ' AND ' (outside parentheses); a
 * joiner right after another (", and") starts no empty item.
 */
static size_t split_items(const char *b, size_t start, size_t end, size_t *is, size_t *ie,
			  size_t max)
{
	size_t n = 0, i = start, s = start;
	int depth = 0;

	while (i <= end) {
		size_t cut = 0;

		if (i < end) {
			char c = b[i];

			if (c == '(')
				depth++;
			else if (c == ')' && depth)
				depth--;
			if (!depth) {
				if (c == ',' || c == ';' || c == '&')
					cut = 1;
				else if (c == ' ' && i + 5 <= end && !memcmp(b + i, " AND ", 5))
					cut = 5;
			}
		}
		if (i == end || cut) {
			size_t k = s;

			while (k < i && b[k] == ' ')
				k++;
			/* "033, and 034", "017, & 018": one joiner after another, no item between */
			if (k < i || !n || i == end) {
				if (n < max) {
					is[n] = s;
					ie[n] = i;
				}
				n++;
			}
			if (i == end)
				break;
			i += cut;
			s = i;
			continue;
		}
		i++;
	}
	return n;
}

int tmk_parse_list(const char *s, size_t len, const struct tmk_opts *opts,
		   struct tmk *out, size_t max, enum tmk_reason *reason)
{
	char b[TMK_MAX_INPUT + 1];
	size_t n, start, end, is[TMK_MAX_LIST + 1], ie[TMK_MAX_LIST + 1], nitems, k;
	size_t count = 0;
	enum tmk_reason r = TMK_OK;
	struct tmk base;
	int have_base = 0, hint_county = -1, named;
	enum tmk_range_mode range = opts ? opts->range : TMK_RANGE_REFUSE;

	memset(&base, 0, sizeof(base));
	if (len > TMK_MAX_INPUT) {
		r = TMK_E_TOO_LONG;
		goto out;
	}
	if (fold_field(s, len, b, &n) < 0) {
		r = TMK_E_ENCODING;
		goto out;
	}
	start = 0;
	end = n;
	trim(b, &start, &end);
	named = strip_place_label(b, &start, end);
	strip_prefixes(b, &start, end);
	while (end > start && (b[end - 1] == '.' || b[end - 1] == ',' || b[end - 1] == ';' ||
			       b[end - 1] == ' ' || b[end - 1] == ':' || b[end - 1] == '!'))
		end--;
	if (start == end) {
		r = TMK_E_EMPTY;
		goto out;
	}
	if (is_placeholder(b + start, end - start)) {
		r = TMK_E_PLACEHOLDER;
		goto out;
	}
	if (is_scientific(b + start, end - start)) {
		r = TMK_E_SCIENTIFIC;
		goto out;
	}
	if (is_document(b + start, end - start)) {
		r = TMK_E_DOCUMENT;
		goto out;
	}
	if (is_taxid(b + start, end - start)) {
		r = TMK_E_TAX_ID;
		goto out;
	}

	nitems = split_items(b, start, end, is, ie, TMK_MAX_LIST + 1);
	if (nitems > TMK_MAX_LIST) {
		r = TMK_E_TOO_MANY;
		goto out;
	}
	for (k = 0; k < nitems; k++) {
		struct item it;
		struct parts p;
		int county, last, v;
		unsigned flags;

		trim(b, &is[k], &ie[k]);
		if (k > 0) {
			/* "033, and 034": the joining word after the comma */
			size_t l = starts_word(b + is[k], ie[k] - is[k], "AND");
			if (l) {
				is[k] += l;
				trim(b, &is[k], &ie[k]);
			}
			strip_prefixes(b, &is[k], ie[k]);
		}
		if (is[k] == ie[k]) {
			r = nitems > 1 ? TMK_E_SYNTAX : TMK_E_EMPTY;
			goto out;
		}
		r = scan_item(b, is[k], ie[k], &it);
		if (r != TMK_OK)
			goto out;
		if (k == 0 && named > 0 && !it.named_county)
			it.named_county = named; /* "Honolulu TMK ..." */
		r = interpret(b, &it, range, &p);
		if (r != TMK_OK)
			goto out;
		if (p.continuation) {
			if (!have_base) {
				r = TMK_E_TOO_FEW_DIGITS;
				goto out;
			}
			p.county = base.county;
			p.zone = base.zone;
			p.section = base.section;
			p.plat = base.plat;
			p.flags |= base.flags & TMK_F_COUNTY_INFERRED;
		}
		if (it.cpr_suffix >= 0) {
			if (p.cpr >= 0 && p.cpr != it.cpr_suffix) {
				r = TMK_E_CPR_CONFLICT;
				goto out;
			}
			p.cpr = it.cpr_suffix;
			p.flags |= TMK_F_CPR_SUFFIX;
		}
		/* parts that exist nowhere */
		if (p.zone == 0) {
			r = TMK_E_ZONE;
			goto out;
		}
		if (p.section == 0) {
			r = TMK_E_SECTION;
			goto out;
		}
		if (p.plat == 0) {
			r = TMK_E_PLAT;
			goto out;
		}
		if (p.parcel == 0) {
			r = TMK_E_PARCEL;
			goto out;
		}
		/* the county */
		county = p.county;
		if (it.paren) {
			if (it.paren < 0 || it.paren > 4) {
				r = TMK_E_COUNTY_RANGE;
				goto out;
			}
			if (county && county != it.paren) {
				r = TMK_E_COUNTY_CONFLICT;
				goto out;
			}
			county = it.paren;
		}
		if (it.named_county) {
			if (county && county != it.named_county) {
				r = TMK_E_COUNTY_CONFLICT;
				goto out;
			}
			county = it.named_county;
		}
		if (!county && have_base && !p.continuation) {
			county = base.county;
			p.flags |= base.flags & TMK_F_COUNTY_INFERRED;
		}
		if (!county && !p.continuation) {
			if (hint_county < 0)
				hint_county = county_from_opts(opts);
			county = hint_county;
			if (county)
				p.flags |= TMK_F_COUNTY_INFERRED;
		}
		if (!county) {
			r = TMK_E_COUNTY_UNKNOWN;
			goto out;
		}
		if (county > 4) {
			r = TMK_E_COUNTY_RANGE;
			goto out;
		}
		if (!tmk_zone_valid(county, p.zone, p.section)) {
			r = TMK_E_ZONE;
			goto out;
		}
		flags = p.flags;
		if (p.cpr < 0) {
			p.cpr = 0;
			flags |= TMK_F_CPR_ASSUMED;
		}
		if (it.portion)
			flags |= TMK_F_PORTION;
		last = p.range_end >= 0 ? p.range_end : p.parcel;
		if (p.range_end >= 0)
			flags |= TMK_F_RANGE;
		for (v = p.parcel; v <= last; v++) {
			struct tmk *t;

			if (count >= max || count >= TMK_MAX_LIST) {
				r = TMK_E_TOO_MANY;
				goto out;
			}
			t = &out[count++];
			t->county = (unsigned char)county;
			t->zone = (unsigned char)p.zone;
			t->section = (unsigned char)p.section;
			t->plat = (short)p.plat;
			t->parcel = (short)v;
			t->cpr = (short)p.cpr;
			t->flags = flags;
			fill_key(t);
			/* tmk_check(t) holds here; the fuzz target and the unit tests
			 * check it on every result, off the hot path */
			base = *t;
			have_base = 1;
		}
	}
	if (count > 1)
		for (k = 0; k < count; k++)
			out[k].flags |= TMK_F_LIST;
out:
	if (reason)
		*reason = r;
	return r == TMK_OK ? (int)count : -1;
}

int tmk_parse(const char *s, size_t len, const struct tmk_opts *opts,
	      struct tmk *out, enum tmk_reason *reason)
{
	struct tmk two[2];
	int n = tmk_parse_list(s, len, opts, two, 2, reason);

	if (n < 0)
		return -1;
	if (n != 1) {
		if (reason)
			*reason = TMK_E_TOO_MANY;
		return -1;
	}
	*out = two[0];
	return 0;
}
