#include "address.h"
#include "geo_hi.h"
#include "textfold.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

const char *addr_reason_str(enum addr_reason r)
{
	switch (r) {
	case ADDR_OK: return "ok";
	case ADDR_E_EMPTY: return "empty";
	case ADDR_E_NO_STREET: return "no street";
	case ADDR_E_ENCODING: return "invalid utf-8";
	case ADDR_E_TOO_LONG: return "too long";
	}
	return "unknown reason";
}

/* ------------------------------------------------------------------ */

struct word {
	const char *s;
	size_t n;
};

/* USPS street suffixes (Publication 28, appendix C1), long forms and variants. */
static const char *const suffixes[][2] = {
	{ "ALLEY", "ALY" }, { "ALLEE", "ALY" }, { "ALY", "ALY" },
	{ "AVENUE", "AVE" }, { "AV", "AVE" }, { "AVEN", "AVE" }, { "AVENU", "AVE" },
	{ "AVN", "AVE" }, { "AVNUE", "AVE" }, { "AVE", "AVE" },
	{ "BOULEVARD", "BLVD" }, { "BOUL", "BLVD" }, { "BOULV", "BLVD" }, { "BLVD", "BLVD" },
	{ "CIRCLE", "CIR" }, { "CIRC", "CIR" }, { "CIRCL", "CIR" }, { "CRCL", "CIR" },
	{ "CRCLE", "CIR" }, { "CIR", "CIR" },
	{ "COURT", "CT" }, { "CRT", "CT" }, { "CT", "CT" },
	{ "COVE", "CV" }, { "CV", "CV" },
	{ "CRESCENT", "CRES" }, { "CRES", "CRES" },
	{ "DRIVE", "DR" }, { "DRIV", "DR" }, { "DRV", "DR" }, { "DR", "DR" },
	{ "EXPRESSWAY", "EXPY" }, { "EXPY", "EXPY" },
	{ "FREEWAY", "FWY" }, { "FWY", "FWY" },
	{ "HIGHWAY", "HWY" }, { "HIGHWY", "HWY" }, { "HIWAY", "HWY" }, { "HIWY", "HWY" },
	{ "HWAY", "HWY" }, { "HWY", "HWY" },
	{ "LANE", "LN" }, { "LN", "LN" },
	{ "LOOP", "LOOP" }, { "LOOPS", "LOOP" },
	{ "PARKWAY", "PKWY" }, { "PARKWY", "PKWY" }, { "PKWAY", "PKWY" }, { "PKY", "PKWY" },
	{ "PKWY", "PKWY" },
	{ "PLACE", "PL" }, { "PL", "PL" },
	{ "PLAZA", "PLZ" }, { "PLZA", "PLZ" }, { "PLZ", "PLZ" },
	{ "POINT", "PT" }, { "PT", "PT" },
	{ "ROAD", "RD" }, { "RD", "RD" },
	{ "SQUARE", "SQ" }, { "SQR", "SQ" }, { "SQ", "SQ" },
	{ "STREET", "ST" }, { "STRT", "ST" }, { "STR", "ST" }, { "ST", "ST" },
	{ "TERRACE", "TER" }, { "TERR", "TER" }, { "TER", "TER" },
	{ "TRAIL", "TRL" }, { "TRAILS", "TRL" }, { "TRL", "TRL" },
	{ "WAY", "WAY" }, { "WY", "WAY" },
	{ "WALK", "WALK" },
	{ "MALL", "MALL" },
	{ "ROW", "ROW" },
	{ "CENTER", "CTR" }, { "CENTRE", "CTR" }, { "CTR", "CTR" },
	{ "HEIGHTS", "HTS" }, { "HTS", "HTS" },
	{ "VIEW", "VW" }, { "VW", "VW" },
	{ "RIDGE", "RDG" }, { "RDG", "RDG" },
	{ "LANDING", "LNDG" }, { "LNDG", "LNDG" },
};

static const char *const directions[][2] = {
	{ "NORTH", "N" }, { "SOUTH", "S" }, { "EAST", "E" }, { "WEST", "W" },
	{ "NORTHEAST", "NE" }, { "NORTHWEST", "NW" }, { "SOUTHEAST", "SE" },
	{ "SOUTHWEST", "SW" },
};

/* Secondary unit designators and their USPS forms (Publication 28, appendix C2). */
static const char *const unit_words[][2] = {
	{ "APT", "APT" }, { "APARTMENT", "APT" }, { "UNIT", "UNIT" }, { "STE", "STE" },
	{ "SUITE", "STE" }, { "RM", "RM" }, { "ROOM", "RM" }, { "NO", "#" }, { "NUMBER", "#" },
	{ "UNT", "UNIT" }, { "PH", "PH" }, { "PENTHOUSE", "PH" }, { "BLDG", "BLDG" },
	{ "BUILDING", "BLDG" }, { "FL", "FL" }, { "FLOOR", "FL" }, { "SPC", "SPC" },
	{ "SPACE", "SPC" }, { "TRLR", "TRLR" },
};

static const char *const us_states[] = {
	"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL",
	"IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE",
	"NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD",
	"TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
	"AE", "AP", "AA",
};

/* State names written out, to their code. */
static const char *const state_names[][2] = {
	{ "HAWAII", "HI" }, { "CALIFORNIA", "CA" }, { "WASHINGTON", "WA" }, { "OREGON", "OR" },
	{ "NEVADA", "NV" }, { "ARIZONA", "AZ" }, { "TEXAS", "TX" }, { "COLORADO", "CO" },
	{ "ALASKA", "AK" }, { "UTAH", "UT" }, { "IDAHO", "ID" }, { "NEW YORK", "NY" },
	{ "FLORIDA", "FL" }, { "ILLINOIS", "IL" }, { "MINNESOTA", "MN" },
	{ "NEW JERSEY", "NJ" }, { "MASSACHUSETTS", "MA" }, { "VIRGINIA", "VA" },
};

static const char *const countries[] = {
	"USA", "US", "UNITED STATES", "UNITED STATES OF AMERICA", "U S A", "CANADA", "JAPAN",
	"AUSTRALIA", "NEW ZEALAND", "UNITED KINGDOM", "UK", "ENGLAND", "GERMANY", "FRANCE",
	"SWITZERLAND", "KOREA", "SOUTH KOREA", "CHINA", "HONG KONG", "TAIWAN", "SINGAPORE",
	"PHILIPPINES", "MEXICO",
};

static int weq(struct word w, const char *s)
{
	size_t l = strlen(s);

	return w.n == l && memcmp(w.s, s, l) == 0;
}

/* The USPS form of a unit designator word, or NULL when w is none. */
static const char *unit_word(struct word w)
{
	size_t i;

	for (i = 0; i < sizeof(unit_words) / sizeof(unit_words[0]); i++)
		if (weq(w, unit_words[i][0]))
			return unit_words[i][1];
	return NULL;
}

static int is_unit_word(struct word w)
{
	return unit_word(w) != NULL;
}

static const char *suffix_abbr(struct word w)
{
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (weq(w, suffixes[i][0]))
			return suffixes[i][1];
	return NULL;
}

static const char *direction_abbr(struct word w)
{
	size_t i;

	for (i = 0; i < sizeof(directions) / sizeof(directions[0]); i++)
		if (weq(w, directions[i][0]))
			return directions[i][1];
	return NULL;
}

/* NORTH or N, NORTHWEST or NW, ... */
static int is_direction(struct word w)
{
	size_t d;

	if (direction_abbr(w))
		return 1;
	for (d = 0; d < sizeof(directions) / sizeof(directions[0]); d++)
		if (weq(w, directions[d][1]))
			return 1;
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int has_digit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return 1;
	return 0;
}

/* Append text to a fixed field, blank-separated; truncates. */
static void put(char *dst, size_t size, const char *s, size_t n)
{
	size_t l = strlen(dst);

	if (l && l + 1 < size)
		dst[l++] = ' ';
	if (l + n >= size)
		n = size - 1 - l;
	memcpy(dst + l, s, n);
	dst[l + n] = '\0';
}

/* Copy text into a field, dropping dashes and blanks (units: "A-302" -> "A302"). */
static void put_unit(char *dst, size_t size, const char *s, size_t n)
{
	size_t l = strlen(dst), i;

	for (i = 0; i < n && l + 1 < size; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))
			dst[l++] = s[i];
	dst[l] = '\0';
}

static size_t split_words(const char *s, size_t n, struct word *w, size_t max)
{
	size_t i = 0, k = 0;

	while (i < n) {
		size_t j;

		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (k < max) {
			w[k].s = s + i;
			w[k].n = j - i;
			k++;
		}
		i = j;
	}
	return k;
}

/* Is s a ZIP ("96740", "96740-1234")? */
static int is_zip(const char *s, size_t n)
{
	if (n == 5)
		return all_digits(s, 5);
	if (n == 10)
		return all_digits(s, 5) && s[5] == '-' && all_digits(s + 6, 4);
	return 0;
}

static const char *state_code(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(us_states) / sizeof(us_states[0]); i++)
		if (n == 2 && memcmp(s, us_states[i], 2) == 0)
			return us_states[i];
	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (strlen(state_names[i][0]) == n && memcmp(s, state_names[i][0], n) == 0)
			return state_names[i][1];
	return NULL;
}

static int is_country(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		if (strlen(countries[i]) == n && memcmp(s, countries[i], n) == 0)
			return 1;
	return 0;
}

static void copy_field(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * Peel "STATE ZIP", "ZIP", "STATE" and a country off the end of part p[0..*n).
 * Returns 1 when something was taken.
 */
static int take_tail(const char *p, size_t *n, struct addr *a, int strict)
{
	struct word w[64];
	size_t k = split_words(p, *n, w, 64), took = 0;
	int any = 0;

	if (k == 0 || k > 64)
		return 0;
	/* strict (a street line with no comma): only "STATE ZIP" ends it */
	if (strict && !(k >= 3 && is_zip(w[k - 1].s, w[k - 1].n) &&
			(state_code(w[k - 2].s, w[k - 2].n) ||
			 (k >= 4 && state_code(w[k - 3].s,
					       (size_t)(w[k - 2].s + w[k - 2].n - w[k - 3].s))))))
		return 0;
	if (!a->zip[0] && k >= 1 && is_zip(w[k - 1].s, w[k - 1].n)) {
		copy_field(a->zip, sizeof(a->zip), w[k - 1].s, w[k - 1].n);
		k--;
		any = 1;
	}
	if (!a->state[0] && k >= 1) {
		const char *sc = state_code(w[k - 1].s, w[k - 1].n);

		if (!sc && k >= 2) {
			size_t l = (size_t)(w[k - 1].s + w[k - 1].n - w[k - 2].s);

			sc = state_code(w[k - 2].s, l);
			if (sc)
				took = 1;
		}
		/* "HI 96740", or a part that is only the state ("..., HI"): a state
		 * word at the end of a street line is the street's ("Kaiolu La") */
		if (sc && (any || k - took == 1)) {
			copy_field(a->state, sizeof(a->state), sc, 2);
			k -= 1 + took;
			any = 1;
		}
	}
	if (k == 0)
		*n = 0;
	else
		*n = (size_t)(w[k - 1].s + w[k - 1].n - p);
	return any;
}

static int is_d(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Blank out words made of punctuation only ("--", "#####-", "/"), except the
 * dash of a spaced house number "74 - 5905"; then collapse blanks.  Done on
 * the folded text so that every later step sees the same words.
 */
static int drop_punct_words(char *f, int n)
{
	int i = 0, o = 0;

	while (i < n) {
		int j = i, alnum = 0, k;

		if (f[i] == ' ' || f[i] == ',') {
			if (!(f[i] == ' ' && o && (f[o - 1] == ' ')))
				f[o++] = f[i];
			i++;
			continue;
		}
		while (j < n && f[j] != ' ' && f[j] != ',') {
			if ((f[j] >= 'A' && f[j] <= 'Z') || is_d(f[j]))
				alnum = 1;
			j++;
		}
		if (alnum || (j - i == 1 && f[i] == '-' && o >= 2 && is_d(f[o - 2]) && j + 1 < n &&
			      is_d(f[j + 1]))) {
			for (k = i; k < j; k++)
				f[o++] = f[k];
		}
		i = j;
	}
	while (o && f[o - 1] == ' ')
		o--;
	f[o] = '\0';
	return o;
}

int addr_normalize(const char *s, size_t len, struct addr *out, enum addr_reason *reason)
{
	char f[ADDR_MAX_INPUT + 1];
	const char *part[16];
	size_t plen[16], np = 0, i, first;
	struct word w[64];
	size_t nw, hi, house_end = 0, unit_at, street_end;
	enum addr_reason r = ADDR_OK;
	int n;
	struct geo_place gp;

	memset(out, 0, sizeof(*out));
	if (len > ADDR_MAX_INPUT) {
		r = ADDR_E_TOO_LONG;
		goto out;
	}
	n = textfold(s, len, "-#,/", f, sizeof(f));
	if (n < 0) {
		r = ADDR_E_ENCODING;
		goto out;
	}
	n = drop_punct_words(f, n);
	if (n == 0) {
		r = ADDR_E_EMPTY;
		goto out;
	}
	/* parts between commas */
	{
		size_t st = 0;

		for (i = 0; i <= (size_t)n; i++) {
			if (i == (size_t)n || f[i] == ',') {
				size_t a = st, b = i;

				while (a < b && f[a] == ' ')
					a++;
				while (b > a && f[b - 1] == ' ')
					b--;
				if (b > a && np < 16) {
					part[np] = f + a;
					plen[np] = b - a;
					np++;
				}
				st = i + 1;
			}
		}
	}
	if (!np) {
		r = ADDR_E_EMPTY;
		goto out;
	}
	/* from the end: country, state, ZIP, then the city */
	while (np > 1 && is_country(part[np - 1], plen[np - 1])) {
		copy_field(out->country, sizeof(out->country), part[np - 1], plen[np - 1]);
		np--;
	}
	if (np > 1 && take_tail(part[np - 1], &plen[np - 1], out, 0) && plen[np - 1] == 0)
		np--;
	if (np > 1 && !out->zip[0] && !out->state[0] &&
	    take_tail(part[np - 1], &plen[np - 1], out, 0) && plen[np - 1] == 0)
		np--;
	if (np > 1 && plen[np - 1] && !has_digit(part[np - 1], plen[np - 1])) {
		copy_field(out->city, sizeof(out->city), part[np - 1], plen[np - 1]);
		np--;
	}
	if (np == 1 && !out->zip[0] && !out->state[0])
		take_tail(part[0], &plen[0], out, 1);
	/* "Honolulu, HI 96815": a city and nothing before it */
	if (np == 1 && !out->city[0] && (out->zip[0] || out->state[0]) &&
	    !has_digit(part[0], plen[0]) && part[0] + plen[0] < f + n) {
		r = ADDR_E_NO_STREET;
		goto out;
	}

	/* the street: the first part with a digit or a street word; extra parts are units */
	first = 0;
	nw = split_words(part[first], plen[first], w, 64);
	if (!nw) {
		r = ADDR_E_NO_STREET;
		goto out;
	}
	/* words of punctuation only mean nothing, except the dash of "74 - 5905" */
	{
		size_t k = 0;

		for (i = 0; i < nw; i++) {
			size_t j;
			int alnum = 0;

			for (j = 0; j < w[i].n; j++)
				if ((w[i].s[j] >= 'A' && w[i].s[j] <= 'Z') ||
				    (w[i].s[j] >= '0' && w[i].s[j] <= '9'))
					alnum = 1;
			if (!alnum && !(weq(w[i], "-") && i == 1 && i + 1 < nw &&
					all_digits(w[0].s, w[0].n) && all_digits(w[2].s, w[2].n)))
				continue;
			w[k++] = w[i];
		}
		nw = k;
	}
	if (!nw) {
		r = ADDR_E_NO_STREET;
		goto out;
	}
	hi = 0;
	/* house number: "74-5905", "2450", "74 - 5905", "1234A" */
	if (has_digit(w[0].s, w[0].n) && w[0].s[0] >= '0' && w[0].s[0] <= '9') {
		char house[16] = "";

		put_unit(house, sizeof(house), w[0].s, w[0].n);
		copy_field(out->house, sizeof(out->house), w[0].s, w[0].n);
		hi = 1;
		if (nw >= 3 && weq(w[1], "-") && all_digits(w[2].s, w[2].n) &&
		    w[0].n + 1 + w[2].n < sizeof(out->house)) {
			memcpy(out->house + w[0].n, "-", 1);
			memcpy(out->house + w[0].n + 1, w[2].s, w[2].n);
			out->house[w[0].n + 1 + w[2].n] = '\0';
			hi = 3;
		}
		(void)house;
	}
	house_end = hi;
	/* unit designator inside the street part */
	unit_at = nw;
	for (i = house_end; i < nw; i++) {
		if ((is_unit_word(w[i]) && i + 1 < nw && i > house_end) ||
		    (w[i].s[0] == '#' && i > house_end)) {
			unit_at = i;
			break;
		}
	}
	street_end = unit_at;
	/* "2450 Kalakaua Ave 1402": a number right after the suffix is the unit */
	if (unit_at == nw && nw >= house_end + 3 && all_digits(w[nw - 1].s, w[nw - 1].n) &&
	    suffix_abbr(w[nw - 2])) {
		street_end = nw - 1;
		put_unit(out->unit, sizeof(out->unit), w[nw - 1].s, w[nw - 1].n);
	}
	if (unit_at < nw) {
		size_t j = unit_at;

		if (w[j].s[0] == '#' && w[j].n > 1) {
			put_unit(out->unit, sizeof(out->unit), w[j].s + 1, w[j].n - 1);
			copy_field(out->unit_type, sizeof(out->unit_type), "#", 1);
			j++;
		} else {
			const char *d = w[j].s[0] == '#' ? "#" : unit_word(w[j]);

			copy_field(out->unit_type, sizeof(out->unit_type), d, strlen(d));
			j++;
			if (j < nw && w[j].s[0] == '#' && w[j].n == 1)
				j++;
			if (j < nw) {
				put_unit(out->unit, sizeof(out->unit), w[j].s, w[j].n);
				j++;
			}
		}
		/* anything after the unit, with no comma, is the city */
		if (j < nw && !out->city[0]) {
			size_t l = (size_t)(w[nw - 1].s + w[nw - 1].n - w[j].s);

			copy_field(out->city, sizeof(out->city), w[j].s, l);
		}
	}
	/* the street words, suffix and directions shortened */
	if (street_end > house_end && weq(w[house_end], "P") && street_end > house_end + 2 &&
	    weq(w[house_end + 1], "O") && weq(w[house_end + 2], "BOX")) {
		put(out->street, sizeof(out->street), "PO BOX", 6);
		house_end += 3;
	} else if (street_end > house_end + 1 && weq(w[house_end], "POST") &&
		   weq(w[house_end + 1], "OFFICE")) {
		put(out->street, sizeof(out->street), "PO", 2);
		house_end += 2;
	}
	{
		/* the last suffix word ends the street; words after it (no comma) are the city */
		size_t last_sfx = street_end;

		for (i = street_end; i-- > house_end + 1;)
			if (suffix_abbr(w[i])) {
				last_sfx = i;
				break;
			}
		/* "Ave NW": a direction after the suffix is still the street */
		if (last_sfx < street_end && last_sfx + 2 == street_end &&
		    is_direction(w[last_sfx + 1]))
			last_sfx = street_end;
		if (last_sfx < street_end && last_sfx + 1 < street_end && unit_at == nw &&
		    !out->city[0] && !has_digit(w[last_sfx + 1].s, w[last_sfx + 1].n)) {
			size_t l = (size_t)(w[street_end - 1].s + w[street_end - 1].n -
					    w[last_sfx + 1].s);

			copy_field(out->city, sizeof(out->city), w[last_sfx + 1].s, l);
			street_end = last_sfx + 1;
		}
		for (i = house_end; i < street_end; i++) {
			const char *ab = NULL;

			if (weq(w[i], "-") || weq(w[i], "/"))
				continue;
			if (i > house_end && (i == street_end - 1 ||
					      (i == street_end - 2 && is_direction(w[i + 1]))))
				ab = suffix_abbr(w[i]);
			if (!ab && (i == house_end || i == street_end - 1) &&
			    street_end - house_end > 1)
				ab = direction_abbr(w[i]);
			if (ab)
				put(out->street, sizeof(out->street), ab, strlen(ab));
			else
				put(out->street, sizeof(out->street), w[i].s, w[i].n);
		}
	}
	/* extra comma parts before the city: "Unit 1402", "#3", "Apt B" */
	for (i = first + 1; i < np; i++) {
		struct word u[8];
		size_t k = split_words(part[i], plen[i], u, 8);

		if (!k)
			continue;
		if (u[0].s[0] == '#' && u[0].n > 1) {
			put_unit(out->unit, sizeof(out->unit), u[0].s + 1, u[0].n - 1);
			copy_field(out->unit_type, sizeof(out->unit_type), "#", 1);
		} else if (is_unit_word(u[0]) && k >= 2) {
			const char *d = unit_word(u[0]);

			put_unit(out->unit, sizeof(out->unit), u[k - 1].s, u[k - 1].n);
			copy_field(out->unit_type, sizeof(out->unit_type), d, strlen(d));
		} else if (k == 1 && has_digit(u[0].s, u[0].n) && !out->unit[0])
			put_unit(out->unit, sizeof(out->unit), u[0].s, u[0].n);
		else if (!out->city[0])
			copy_field(out->city, sizeof(out->city), part[i], plen[i]);
	}
	if (!out->street[0] && !out->house[0]) {
		r = ADDR_E_NO_STREET;
		goto out;
	}
	/* county and island: ZIP first, then the city */
	if (out->zip[0] && geo_hi_zip(out->zip, strlen(out->zip), &gp) == 0) {
		out->county = gp.county;
		out->island = gp.island;
		if (!out->state[0])
			copy_field(out->state, sizeof(out->state), "HI", 2);
	} else if (out->city[0] && (!out->state[0] || !strcmp(out->state, "HI")) &&
		   geo_hi_place(out->city, strlen(out->city), &gp) == 0) {
		out->county = gp.county;
		out->island = gp.island;
	}
	/* the key */
	if (out->house[0])
		put(out->key, sizeof(out->key), out->house, strlen(out->house));
	if (out->street[0])
		put(out->key, sizeof(out->key), out->street, strlen(out->street));
	if (out->unit[0]) {
		char u[26];
		size_t l = strlen(out->unit);

		u[0] = '#';
		memcpy(u + 1, out->unit, l + 1);
		put(out->key, sizeof(out->key), u, l + 1);
	}
out:
	if (reason)
		*reason = r;
	return r == ADDR_OK ? 0 : -1;
}

int addr_key(const char *s, size_t len, char *buf, size_t size)
{
	struct addr a;
	size_t l;

	if (addr_normalize(s, len, &a, NULL) < 0)
		return -1;
	l = strlen(a.key);
	if (size) {
		size_t c = l < size - 1 ? l : size - 1;

		memcpy(buf, a.key, c);
		buf[c] = '\0';
	}
	return (int)l;
}

/* ------------------------------------------------------------------ */

/* Copy s into dst trimmed, inner blank runs collapsed; NULL gives "". */
static void copy_trimmed(char *dst, size_t size, const char *s)
{
	size_t o = 0;
	int blank = 0;

	dst[0] = '\0';
	if (!s)
		return;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (; *s && o + 1 < size; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			blank = 1;
			continue;
		}
		if (blank && o + 2 < size)
			dst[o++] = ' ';
		blank = 0;
		dst[o++] = *s;
	}
	dst[o] = '\0';
}

static int is_us_country(const char *c)
{
	char f[64];
	int n;

	if (!c)
		return 1;
	n = textfold(c, strlen(c), "", f, sizeof(f));
	if (n <= 0)
		return n == 0;
	return !strcmp(f, "US") || !strcmp(f, "USA") || !strcmp(f, "U S A") || !strcmp(f, "U S") ||
	       !strcmp(f, "UNITED STATES") || !strcmp(f, "UNITED STATES OF AMERICA");
}

/* "96813", "96813-1234"; nine digits written together get their dash. */
static void usps_zip(char *dst, size_t size, const char *zip)
{
	char z[32];
	size_t n;

	copy_trimmed(z, sizeof(z), zip);
	n = strlen(z);
	if (n == 9 && all_digits(z, 9)) {
		snprintf(dst, size, "%.5s-%.4s", z, z + 5);
		return;
	}
	if (n == 10 && all_digits(z, 5) && (z[5] == ' ' || z[5] == '-') && all_digits(z + 6, 4)) {
		snprintf(dst, size, "%.5s-%.4s", z, z + 6);
		return;
	}
	copy_field(dst, size, z, n);
}

int addr_usps_format(const char *street, const char *city, const char *state, const char *zip,
		     const char *country, struct addr_usps *out, enum addr_reason *reason)
{
	char line[ADDR_MAX_INPUT + 1], z[16];
	struct addr a;
	enum addr_reason r = ADDR_OK;
	int n;

	memset(out, 0, sizeof(*out));
	if (!is_us_country(country)) {
		/* kept whole: a foreign address is written the way its country writes it */
		out->foreign = 1;
		copy_trimmed(out->street, sizeof(out->street), street);
		copy_trimmed(out->city, sizeof(out->city), city);
		copy_trimmed(out->state, sizeof(out->state), state);
		copy_trimmed(out->zip, sizeof(out->zip), zip);
		copy_trimmed(out->country, sizeof(out->country), country);
		goto out;
	}
	usps_zip(z, sizeof(z), zip);
	/* a whole one-line address in the street field (a deed's "..., Newport
	 * Beach CA 92660"): its own city, state and ZIP win, the fields fill gaps */
	if (street && strchr(street, ',') && addr_normalize(street, strlen(street), &a, NULL) == 0 &&
	    (a.city[0] || a.zip[0])) {
		char f[64];

		if (!a.city[0] && city && textfold(city, strlen(city), "-", f, sizeof(f)) > 0)
			copy_field(a.city, sizeof(a.city), f, strlen(f));
		if (!a.state[0] && state && textfold(state, strlen(state), "", f, sizeof(f)) == 2)
			copy_field(a.state, sizeof(a.state), f, 2);
		if (!a.zip[0] && *z)
			copy_field(a.zip, sizeof(a.zip), z, strlen(z));
	} else {
		n = snprintf(line, sizeof(line), "%s%s%s%s%s%s%s", street ? street : "",
			     city && *city ? ", " : "", city ? city : "",
			     (state && *state) || *z ? ", " : "", state ? state : "",
			     state && *state && *z ? " " : "", z);
		if (n < 0 || (size_t)n >= sizeof(line) || addr_normalize(line, (size_t)n, &a, &r) < 0) {
			if (r == ADDR_OK)
				r = ADDR_E_TOO_LONG;
			copy_trimmed(out->street, sizeof(out->street), street);
			copy_trimmed(out->city, sizeof(out->city), city);
			copy_trimmed(out->state, sizeof(out->state), state);
			copy_field(out->zip, sizeof(out->zip), z, strlen(z));
			goto out;
		}
	}
	snprintf(out->street, sizeof(out->street), "%s%s%s", a.house, a.house[0] && a.street[0] ? " " : "",
		 a.street);
	if (a.unit[0])
		snprintf(out->unit, sizeof(out->unit), "%s %s", a.unit_type[0] ? a.unit_type : "#", a.unit);
	copy_field(out->city, sizeof(out->city), a.city, strlen(a.city));
	copy_field(out->state, sizeof(out->state), a.state, strlen(a.state));
	copy_field(out->zip, sizeof(out->zip), a.zip, strlen(a.zip));
	copy_field(out->key, sizeof(out->key), a.key, strlen(a.key));
out:
	if (reason)
		*reason = r;
	return r == ADDR_OK ? 0 : -1;
}
