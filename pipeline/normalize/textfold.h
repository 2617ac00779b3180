/*
 * textfold: fold UTF-8 text to upper-case ASCII for comparison keys.
 *
 * Letters are upper-cased; Hawaiian diacritics folded: the ʻokina (U+02BB)
 * and apostrophes (' ` ‘ ’) are dropped without a blank ("Aliʻi" -> "ALII"),
 * kahakō vowels (ā ē ī ō ū) and other Latin-1 / Latin Extended-A accented
 * letters become their base letter; '.' is dropped ("L.L.C." -> "LLC");
 * Unicode dashes count as '-'.  Characters listed in keep (ASCII punctuation
 * such as "-#,/") are kept; every other character becomes a blank; blanks
 * are collapsed and trimmed.
 *
 * Memory: writes into the caller's buffer; nothing allocates.
 */
#ifndef MI_TEXTFOLD_H
#define MI_TEXTFOLD_H

#include <stddef.h>

/*
 * Fold s[0..len) into buf (NUL-terminated, truncated at size-1; size > 0).
 * Returns the folded length, or -1 when s is not valid UTF-8.
 */
int textfold(const char *s, size_t len, const char *keep, char *buf, size_t size);

/*
 * Decode one UTF-8 sequence at s[0..n): returns its length (1-4) and sets
 * *cp, or 0 when the bytes are not valid UTF-8 (overlong, surrogate, cut).
 */
size_t textfold_utf8(const unsigned char *s, size_t n, unsigned *cp);

/* Whether s[0..len) is valid UTF-8: 1 or 0. */
int textfold_valid_utf8(const char *s, size_t len);

#endif
