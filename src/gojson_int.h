/* gojson_int.h - what gojson_parse.c and gojson_write.c share: the
 * nesting bound and the UTF-8 decoder both follow Go's.  Private to the
 * gojson module. */
#ifndef JWTSIGN_GOJSON_INT_H
#define JWTSIGN_GOJSON_INT_H

#include <stddef.h>
#include <stdint.h>

/* Go's encoding/json refuses documents nested deeper than this
 * (maxNestingDepth); it also bounds the recursion of the tree walks. */
#define GJ_HARD_MAX_DEPTH 10000u

/* gj_utf8_seq - length of the well-formed UTF-8 sequence starting at s (n
 * bytes available, s[0] >= 0x80) and its code point in *cp, or 0 when s[0]
 * starts none (Go's utf8.DecodeRune returning RuneError with size 1:
 * overlong forms, surrogates, > U+10FFFF, truncated sequences). */
static inline size_t gj_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;

	if (c >= 0xC2 && c <= 0xDF) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		*cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		*cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (n < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		*cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		      ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	}
	return 0;
}

static inline int gj_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* gj_number_len - length of the RFC 8259 number at the start of p (n
 * bytes), or 0 when it does not start with one; *is_int tells whether it
 * has neither fraction nor exponent. */
static inline size_t gj_number_len(const unsigned char *p, size_t n, int *is_int)
{
	size_t i = 0, d;

	*is_int = 1;
	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0') {
		i++;
	} else if (i < n && p[i] >= '1' && p[i] <= '9') {
		while (i < n && gj_is_digit(p[i]))
			i++;
	} else {
		return 0;
	}
	if (i < n && p[i] == '.') {
		*is_int = 0;
		for (d = ++i; i < n && gj_is_digit(p[i]); i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		*is_int = 0;
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (d = i; i < n && gj_is_digit(p[i]); i++)
			;
		if (i == d)
			return 0;
	}
	return i;
}

#endif
