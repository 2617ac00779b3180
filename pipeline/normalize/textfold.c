#include "textfold.h"

#include <string.h>

#include "banned.h"

size_t textfold_utf8(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		*cp = ((c & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		v = ((c & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3F);
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		v = ((c & 0x07) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
		    (s[3] & 0x3F);
		if (v < 0x10000 || v > 0x10FFFF)
			return 0;
		*cp = v;
		return 4;
	}
	return 0;
}

int textfold_valid_utf8(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		size_t l;

		if (u[i] < 0x80) {
			i++;
			continue;
		}
		l = textfold_utf8(u + i, len - i, &cp);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

/* Base letter of U+00C0..U+017F, upper case; 0 when none. */
static char latin_base(unsigned cp)
{
	static const char l1[] =
		/* C0 */ "AAAAAAACEEEEIIII"
		/* D0 */ "DNOOOOO OUUUUY  "
		/* E0 */ "AAAAAAACEEEEIIII"
		/* F0 */ "DNOOOOO OUUUUY Y";
	static const char xa[] =
		/* 100 */ "AAAAAACCCCCCCCDD"
		/* 110 */ "DDEEEEEEEEEEGGGG"
		/* 120 */ "GGGGHHHHIIIIIIII"
		/* 130 */ "IIJJJJKKKLLLLLLL"
		/* 140 */ "LLLNNNNNNNNNOOOO"
		/* 150 */ "OOOORRRRRRSSSSSS"
		/* 160 */ "SSTTTTTTUUUUUUUU"
		/* 170 */ "UUUUWWYYYZZZZZZS";
	char c = 0;

	if (cp >= 0xC0 && cp <= 0xFF)
		c = l1[cp - 0xC0];
	else if (cp >= 0x100 && cp <= 0x17F)
		c = xa[cp - 0x100];
	return c == ' ' ? 0 : c;
}

int textfold(const char *s, size_t len, const char *keep, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n = 0;
	int blank = 0;

	while (i < len) {
		unsigned cp;
		size_t l;
		char out = 0;

		if (u[i] < 0x80) {
			cp = u[i];
			l = 1;
		} else {
			l = textfold_utf8(u + i, len - i, &cp);
			if (!l)
				return -1;
		}
		i += l;
		if (cp >= 'a' && cp <= 'z')
			out = (char)(cp - 32);
		else if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
			out = (char)cp;
		else if (cp == '\'' || cp == '`' || cp == '.' || cp == 0x2BB || cp == 0x2BC ||
			 cp == 0x2018 || cp == 0x2019 || cp == 0xB4 || cp == 0x2C8)
			continue; /* dropped without a blank */
		else if (cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7)
			out = latin_base(cp);
		else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
			out = strchr(keep, '-') ? '-' : 0;
		else if (cp < 0x80 && cp > 0x20 && strchr(keep, (int)cp))
			out = (char)cp;
		else if (cp == 0xDF)
			out = 'S';
		if (!out) {
			blank = 1;
			continue;
		}
		if (blank && n && n + 1 < size)
			buf[n++] = ' ';
		blank = 0;
		if (n + 1 < size)
			buf[n++] = out;
	}
	buf[n] = '\0';
	return (int)n;
}
