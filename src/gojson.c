/* gojson.c - see gojson.h.
 *
 * Parsing is json-c's (strict mode).  Before json-c sees the document a
 * single pass over the raw bytes (gj_scan) enforces the limits and refuses
 * what json-c 0.16 would accept or change silently; it tracks only
 * "inside a string / after a backslash", a bracket counter and the extent
 * of number tokens: the grammar itself is json-c's.
 */
#include "gojson.h"

#include <json-c/printbuf.h>
#include <limits.h>
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Go's encoding/json refuses documents nested deeper than this
 * (maxNestingDepth); it also bounds the recursion of the tree walks. */
#define GJ_HARD_MAX_DEPTH 10000u

/* The longest integer literals json-c keeps exactly (int64 / uint64). */
#define GJ_INT64_MIN_DIGITS "9223372036854775808"
#define GJ_UINT64_MAX_DIGITS "18446744073709551615"

/* ------------------------------------------------------------------ UTF-8 */

/* gj_utf8_seq - length of the well-formed UTF-8 sequence starting at s (n
 * bytes available, s[0] >= 0x80) and its code point in *cp, or 0 when s[0]
 * starts none (Go's utf8.DecodeRune returning RuneError with size 1:
 * overlong forms, surrogates, > U+10FFFF, truncated sequences). */
static size_t gj_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
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

static int gj_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = gj_utf8_seq(p + i, n - i, &cp);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* gj_utf8_coerce - append s to b with each byte that starts no well-formed
 * sequence replaced by U+FFFD (EF BF BD), as Go's decoder does. */
static int gj_utf8_coerce(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, k;
	uint32_t cp;
	int rc;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = gj_utf8_seq(p + i, n - i, &cp);
		if (k) {
			i += k;
			continue;
		}
		if ((rc = buf_append(b, s + start, i - start)) ||
		    (rc = buf_append(b, "\xEF\xBF\xBD", 3)))
			return rc;
		start = ++i;
	}
	return buf_append(b, s + start, i - start);
}

/* ------------------------------------------------------------ raw scan */

struct gj_scan {
	const unsigned char *p;
	size_t len;
	size_t i;	    /* current offset */
	unsigned max_depth; /* containers */
	size_t max_members; /* 0 = no limit */
	size_t depth;
	size_t members;
	int bad_utf8; /* some string holds ill-formed UTF-8 */
	struct err *err;
};

static int gj_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int gj_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Offset of the first non-whitespace byte at or after i (len if none). */
static size_t gj_skip_ws(const struct gj_scan *s, size_t i)
{
	while (i < s->len && gj_is_ws(s->p[i]))
		i++;
	return i;
}

static int gj_count_member(struct gj_scan *s)
{
	s->members++;
	if (s->max_members && s->members > s->max_members)
		return err_set(s->err, ERR_LIMIT,
			       "JSON: more than %zu members and elements (offset %zu)",
			       s->max_members, s->i);
	return 0;
}

/* gj_scan_string - s->i is at the opening quote; move past the closing one.
 * Raw control characters are refused (json-c 0.16 keeps them; Go refuses);
 * escapes are left to json-c except that "\u0000" in an object key is
 * refused: json-c keys are C strings and would be cut there. */
static int gj_scan_string(struct gj_scan *s)
{
	const unsigned char *p = s->p;
	size_t start = s->i, i = s->i + 1, k;
	int has_nul = 0;
	uint32_t cp;

	for (;;) {
		if (i >= s->len)
			return err_set(s->err, ERR_INVALID,
				       "JSON: unterminated string starting at offset %zu", start);
		if (p[i] == '"')
			break;
		if (p[i] == '\\') {
			if (i + 5 < s->len && p[i + 1] == 'u' && memcmp(p + i + 2, "0000", 4) == 0)
				has_nul = 1;
			i += 2;
		} else if (p[i] < 0x20) {
			return err_set(
			    s->err, ERR_INVALID,
			    "JSON: control character 0x%02x inside a string at offset %zu", p[i],
			    i);
		} else if (p[i] < 0x80) {
			i++;
		} else if ((k = gj_utf8_seq(p + i, s->len - i, &cp)) != 0) {
			i += k;
		} else {
			s->bad_utf8 = 1;
			i++;
		}
	}
	s->i = i + 1;
	if (has_nul) {
		k = gj_skip_ws(s, s->i);
		if (k < s->len && p[k] == ':')
			return err_set(s->err, ERR_INVALID,
				       "JSON: object key with U+0000 at offset %zu (not supported)",
				       start);
	}
	return 0;
}

static int gj_is_number_byte(unsigned char c)
{
	return gj_is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* gj_number_len - length of the RFC 8259 number at the start of p (n
 * bytes), or 0 when it does not start with one; *is_int tells whether it
 * has neither fraction nor exponent. */
static size_t gj_number_len(const unsigned char *p, size_t n, int *is_int)
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

/* gj_int_fits - whether the integer literal p (n bytes, valid grammar) is in
 * the range json-c keeps exactly: [INT64_MIN, UINT64_MAX]. */
static int gj_int_fits(const unsigned char *p, size_t n)
{
	const char *lim = GJ_UINT64_MAX_DIGITS;
	size_t ll;

	if (p[0] == '-') {
		p++;
		n--;
		lim = GJ_INT64_MIN_DIGITS;
	}
	ll = strlen(lim);
	return n < ll || (n == ll && memcmp(p, lim, ll) <= 0);
}

/* gj_scan_number - s->i is at '-' or a digit. */
static int gj_scan_number(struct gj_scan *s)
{
	const unsigned char *p = s->p + s->i;
	size_t avail = s->len - s->i, tok = 0, n;
	int is_int;

	while (tok < avail && gj_is_number_byte(p[tok]))
		tok++;
	n = gj_number_len(p, tok, &is_int);
	if (n == 0 || n != tok)
		return err_set(s->err, ERR_INVALID, "JSON: invalid number \"%.*s\" at offset %zu",
			       (int)(tok > 40 ? 40 : tok), (const char *)p, s->i);
	if (is_int && n == 2 && p[0] == '-' && p[1] == '0')
		return err_set(s->err, ERR_INVALID,
			       "JSON: the integer -0 at offset %zu cannot be kept (json-c reads 0)",
			       s->i);
	if (is_int && !gj_int_fits(p, n))
		return err_set(s->err, ERR_INVALID,
			       "JSON: integer \"%.*s\" at offset %zu is outside the 64-bit range "
			       "that can be kept exactly",
			       (int)(n > 40 ? 40 : n), (const char *)p, s->i);
	s->i += n;
	return 0;
}

static int gj_scan_open(struct gj_scan *s)
{
	size_t k;
	int rc;

	if (++s->depth > s->max_depth)
		return err_set(s->err, ERR_LIMIT, "JSON: nested deeper than %u levels (offset %zu)",
			       s->max_depth, s->i);
	k = gj_skip_ws(s, s->i + 1);
	if (k < s->len && s->p[k] != ']' && s->p[k] != '}' && (rc = gj_count_member(s)))
		return rc;
	s->i++;
	return 0;
}

/* gj_hint - why an unexpected character may have been written. */
static const char *gj_hint(unsigned char c)
{
	if (c == '/')
		return " (comments are not JSON)";
	if (c == '\'')
		return " (single quotes are not JSON)";
	if (c == 'N' || c == 'I')
		return " (NaN and Infinity are not JSON)";
	return "";
}

/* gj_scan - one pass over the document: limits, and what json-c would
 * accept or alter (see gojson.h).  Outside strings only JSON whitespace,
 * structural characters, numbers and the letters of true/false/null may
 * appear; json-c checks the grammar afterwards. */
static int gj_scan(struct gj_scan *s)
{
	int rc = 0;
	unsigned char c;

	while (s->i < s->len && rc == 0) {
		c = s->p[s->i];
		switch (c) {
		case ' ':
		case '\t':
		case '\n':
		case '\r':
		case ':':
		case 'a':
		case 'e':
		case 'f':
		case 'l':
		case 'n':
		case 'r':
		case 's':
		case 't':
		case 'u':
			s->i++;
			break;
		case '"':
			rc = gj_scan_string(s);
			break;
		case '[':
		case '{':
			rc = gj_scan_open(s);
			break;
		case ']':
		case '}':
			if (s->depth == 0)
				return err_set(s->err, ERR_INVALID,
					       "JSON: unexpected '%c' at offset %zu", c, s->i);
			s->depth--;
			s->i++;
			break;
		case ',':
			rc = gj_count_member(s);
			s->i++;
			break;
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			rc = gj_scan_number(s);
			break;
		default:
			if (c == 0)
				return err_set(s->err, ERR_INVALID, "JSON: NUL byte at offset %zu",
					       s->i);
			if (c >= 0x21 && c <= 0x7E)
				return err_set(s->err, ERR_INVALID,
					       "JSON: unexpected character '%c' at offset %zu%s", c,
					       s->i, gj_hint(c));
			return err_set(s->err, ERR_INVALID,
				       "JSON: unexpected byte 0x%02x at offset %zu", c, s->i);
		}
	}
	return rc;
}

/* ------------------------------------------------ UTF-8 coercion of trees */

static int gj_fix_tree(struct json_object *o, unsigned depth, struct err *err);

static int gj_fix_string(struct json_object *o, struct err *err)
{
	const char *s = json_object_get_string(o);
	size_t n = (size_t)json_object_get_string_len(o);
	struct buf b = BUF_INIT_SECRET;
	int rc;

	if (gj_utf8_valid(s, n))
		return 0;
	rc = gj_utf8_coerce(&b, s, n);
	/* The old text is wiped before json-c frees it: callers such as the
	 * JWK parser wipe the strings of their trees. */
	if (rc == 0 && b.len <= INT_MAX)
		sodium_memzero((char *)s, n);
	if (rc == 0 && (b.len > INT_MAX || !json_object_set_string_len(o, b.data, (int)b.len)))
		rc = ERR_NOMEM;
	buf_wipe_free(&b);
	return rc ? err_set(err, rc, "JSON: out of memory") : 0;
}

/* gj_fix_key - replace the ill-formed key k of object o by its coerced
 * form; refuse when that form is already a key (Go would keep the later
 * one, which json-c's member order cannot tell). */
static int gj_fix_key(struct json_object *o, const char *k, struct err *err)
{
	struct buf nk = BUF_INIT;
	struct json_object *v = NULL;
	int rc;

	rc = gj_utf8_coerce(&nk, k, strlen(k));
	if (rc)
		goto nomem;
	if (json_object_object_get_ex(o, nk.data, NULL)) {
		buf_free(&nk);
		return err_set(err, ERR_INVALID,
			       "JSON: two object keys are equal once ill-formed UTF-8 is replaced "
			       "by U+FFFD (not supported)");
	}
	json_object_object_get_ex(o, k, &v);
	v = json_object_get(v);
	json_object_object_del(o, k);
	if (json_object_object_add(o, nk.data, v) != 0) {
		json_object_put(v);
		goto nomem;
	}
	buf_free(&nk);
	return 0;
nomem:
	buf_free(&nk);
	return err_set(err, ERR_NOMEM, "JSON: out of memory");
}

static int gj_fix_object(struct json_object *o, unsigned depth, struct err *err)
{
	char **bad = NULL;
	size_t nbad = 0, i;
	int rc = 0;

	json_object_object_foreach(o, key, val)
	{
		if (rc == 0)
			rc = gj_fix_tree(val, depth + 1, err);
		if (rc == 0 && !gj_utf8_valid(key, strlen(key))) {
			char **nb = realloc(bad, (nbad + 1) * sizeof(*bad));
			if (nb == NULL || (nb[nbad] = strdup(key)) == NULL) {
				bad = nb ? nb : bad;
				rc = err_set(err, ERR_NOMEM, "JSON: out of memory");
			} else {
				bad = nb;
				nbad++;
			}
		}
	}
	for (i = 0; i < nbad; i++) {
		if (rc == 0)
			rc = gj_fix_key(o, bad[i], err);
		free(bad[i]);
	}
	free(bad);
	return rc;
}

/* gj_fix_tree - replace ill-formed UTF-8 in every string and key of o by
 * U+FFFD per byte, as Go's decoder does (only called when the scan saw
 * some). */
static int gj_fix_tree(struct json_object *o, unsigned depth, struct err *err)
{
	size_t i, n;
	int rc;

	if (depth > GJ_HARD_MAX_DEPTH)
		return err_set(err, ERR_LIMIT, "JSON: nested too deep");
	switch (json_object_get_type(o)) {
	case json_type_string:
		return gj_fix_string(o, err);
	case json_type_object:
		return gj_fix_object(o, depth, err);
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if ((rc = gj_fix_tree(json_object_array_get_idx(o, i), depth + 1, err)))
				return rc;
		return 0;
	default:
		return 0;
	}
}

/* --------------------------------------------------------------- parse */

static int gj_tail_is_ws(const char *doc, size_t from, size_t len)
{
	for (; from < len; from++)
		if (!gj_is_ws((unsigned char)doc[from]))
			return 0;
	return 1;
}

/* gj_tokenize - run json-c over the scanned document. */
static int gj_tokenize(const char *doc, size_t len, unsigned max_depth, struct json_object **out,
		       struct err *err)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;
	int rc = 0;

	/* json-c counts a scalar inside the deepest container as one more
	 * level; the scan has already enforced max_depth. */
	tok = json_tokener_new_ex((int)max_depth + 2);
	if (tok == NULL)
		return err_set(err, ERR_NOMEM, "JSON: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, doc, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* A top-level number (or nothing) runs to the end: json-c
		 * needs the terminating NUL to finish it. */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	}
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		rc = err_set(err, jerr == json_tokener_error_depth ? ERR_LIMIT : ERR_INVALID,
			     "JSON: %s at offset %zu", json_tokener_error_desc(jerr),
			     end < len ? end : len);
	} else if (!gj_tail_is_ws(doc, end, len)) {
		json_object_put(obj);
		rc = err_set(err, ERR_INVALID,
			     "JSON: unexpected data after the value at offset %zu", end);
	} else {
		*out = obj;
	}
	/* The tokener's scratch buffer holds the last strings parsed, which
	 * for a JWK Set are private key values: wipe it before freeing. */
	if (tok->pb != NULL && tok->pb->buf != NULL)
		sodium_memzero(tok->pb->buf, (size_t)tok->pb->size);
	json_tokener_free(tok);
	return rc;
}

int gojson_parse(const char *doc, size_t len, const struct gojson_limits *lim,
		 struct json_object **out, struct err *err)
{
	struct gj_scan s;
	struct json_object *obj = NULL;
	int rc;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)doc;
	s.len = len;
	s.max_depth = GJ_HARD_MAX_DEPTH;
	s.err = err;
	if (lim) {
		if (lim->max_depth < s.max_depth)
			s.max_depth = lim->max_depth;
		s.max_members = lim->max_members;
	}
	if (len > INT_MAX - 1)
		return err_set(err, ERR_LIMIT, "JSON: document of %zu bytes is too large", len);
	if (len == 0 || gj_tail_is_ws(doc, 0, len))
		return err_set(err, ERR_INVALID, "JSON: empty document");
	rc = gj_scan(&s);
	if (rc)
		return rc;
	rc = gj_tokenize(doc, len, s.max_depth, &obj, err);
	if (rc)
		return rc;
	if (s.bad_utf8 && (rc = gj_fix_tree(obj, 0, err)) != 0) {
		json_object_put(obj);
		return rc;
	}
	*out = obj;
	return 0;
}

/* -------------------------------------------------------------- writer */

/* Bytes below 0x80 that Go writes as they are (HTML escaping on): not
 * the controls, '"', '&', '<', '>', '\\'. */
/* clang-format off */
static const unsigned char gj_ascii_raw[128] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, /* 0x30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
};
/* clang-format on */

/* gj_escape - append the escape for an ASCII byte Go does not write raw. */
static int gj_escape(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};

	switch (c) {
	case '"':
		return buf_append(b, "\\\"", 2);
	case '\\':
		return buf_append(b, "\\\\", 2);
	case '\n':
		return buf_append(b, "\\n", 2);
	case '\r':
		return buf_append(b, "\\r", 2);
	case '\t':
		return buf_append(b, "\\t", 2);
	default:
		return buf_append(b, e, sizeof(e));
	}
}

/* gj_string_body - the string without quotes; see gojson_write_string. */
static int gj_string_body(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, k;
	uint32_t cp;
	int rc;

	while (i < len) {
		if (p[i] < 0x80) {
			if (gj_ascii_raw[p[i]]) {
				i++;
				continue;
			}
			if ((rc = buf_append(b, s + start, i - start)) || (rc = gj_escape(b, p[i])))
				return rc;
			start = ++i;
			continue;
		}
		k = gj_utf8_seq(p + i, len - i, &cp);
		if (k != 0 && cp != 0x2028 && cp != 0x2029) {
			i += k;
			continue;
		}
		if ((rc = buf_append(b, s + start, i - start)))
			return rc;
		if (k == 0)
			rc = buf_append(b, "\\ufffd", 6);
		else
			rc = buf_append(b, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
		if (rc)
			return rc;
		i += k ? k : 1;
		start = i;
	}
	return buf_append(b, s + start, i - start);
}

int gojson_write_string(struct buf *b, const char *s, size_t len)
{
	size_t old = b->len;
	int rc;

	if (len > SIZE_MAX - 2)
		return ERR_NOMEM;
	rc = buf_reserve(b, len + 2);
	if (rc == 0)
		rc = buf_putc(b, '"');
	if (rc == 0)
		rc = gj_string_body(b, s, len);
	if (rc == 0)
		rc = buf_putc(b, '"');
	if (rc)
		buf_truncate(b, old);
	return rc;
}

/* gj_write_u64 - append the decimal form of v, with a leading '-' if neg. */
static int gj_write_u64(struct buf *b, uint64_t v, int neg)
{
	char t[24];
	size_t i = sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		t[--i] = '-';
	return buf_append(b, t + i, sizeof(t) - i);
}

static int gj_write_int(struct buf *b, struct json_object *v)
{
	int64_t i = json_object_get_int64(v);

	/* json_object_get_uint64 gives the exact value of a non-negative int,
	 * including uint64 values above INT64_MAX (for which get_int64 is
	 * clamped). */
	if (i < 0)
		return gj_write_u64(b, (uint64_t)0 - (uint64_t)i, 1);
	return gj_write_u64(b, json_object_get_uint64(v), 0);
}

/* gj_write_float - a double without its source literal, formatted as Go's
 * encoding/json formats a float64: shortest digits that read back to the
 * same double ('f' layout, or 'e' layout below 1e-6 and from 1e21 on, with
 * "e-07" shortened to "e-7").  The digit search uses the C library's
 * correctly rounded %e; it can differ from Go's in the last digit only for
 * rare values at a power-of-two boundary. */
static int gj_write_float(struct buf *b, double f, struct err *err)
{
	char t[40], digits[20], *p, *e;
	int prec, exp10, nd = 0, i;
	double a = fabs(f);
	int rc = 0;

	if (!isfinite(f))
		return err_set(err, ERR_INVALID, "JSON: a non-finite number cannot be written");
	if (f == 0)
		return buf_puts(b, signbit(f) ? "-0" : "0");
	for (prec = 0; prec < 17; prec++) {
		snprintf(t, sizeof(t), "%.*e", prec, a);
		if (strtod(t, NULL) == a)
			break;
	}
	if (prec == 17)
		snprintf(t, sizeof(t), "%.*e", prec, a);
	e = strchr(t, 'e');
	for (p = t; p < e; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp10 = atoi(e + 1);
	if (f < 0)
		rc = buf_putc(b, '-');
	if (rc == 0 && (a < 1e-6 || a >= 1e21)) {
		rc = buf_putc(b, digits[0]);
		if (rc == 0 && nd > 1 && (rc = buf_putc(b, '.')) == 0)
			rc = buf_append(b, digits + 1, (size_t)nd - 1);
		if (rc == 0)
			rc = buf_printf(b, "e%c%d", exp10 < 0 ? '-' : '+', abs(exp10));
		return rc;
	}
	if (rc == 0 && exp10 < 0) {
		rc = buf_append(b, "0.", 2);
		for (i = 0; rc == 0 && i < -exp10 - 1; i++)
			rc = buf_putc(b, '0');
		if (rc == 0)
			rc = buf_append(b, digits, (size_t)nd);
		return rc;
	}
	for (i = 0; rc == 0 && i <= exp10; i++)
		rc = buf_putc(b, i < nd ? digits[i] : '0');
	if (rc == 0 && nd > exp10 + 1 && (rc = buf_putc(b, '.')) == 0)
		rc = buf_append(b, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
	return rc;
}

static int gj_write_double(struct buf *b, struct json_object *v, struct err *err)
{
	/* A double parsed by json-c carries its source literal as userdata
	 * (json_object_new_double_s): written as it is, like Go's
	 * json.Number. */
	const char *lit = json_object_get_userdata(v);
	size_t n;
	int is_int;

	if (lit == NULL)
		return gj_write_float(b, json_object_get_double(v), err);
	n = strlen(lit);
	if (gj_number_len((const unsigned char *)lit, n, &is_int) != n)
		return err_set(err, ERR_INVALID, "JSON: invalid number literal \"%.*s\"",
			       (int)(n > 40 ? 40 : n), lit);
	return buf_append(b, lit, n);
}

struct gj_member {
	const char *key;
	size_t klen;
	struct json_object *val;
};

/* Members of the objects being written, innermost last: one allocation per
 * gojson_write call instead of one per object. */
struct gj_writer {
	struct buf *b;
	struct gj_member *stack;
	size_t top, cap;
	struct err *err;
};

static int gj_member_cmp(const void *pa, const void *pb)
{
	const struct gj_member *a = pa, *b = pb;
	int c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);

	if (c)
		return c;
	return a->klen < b->klen ? -1 : a->klen > b->klen;
}

static void gj_sort(struct gj_member *m, size_t n)
{
	size_t i, j;
	struct gj_member t;

	if (n > 12) {
		qsort(m, n, sizeof(*m), gj_member_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		t = m[i];
		for (j = i; j > 0 && gj_member_cmp(&m[j - 1], &t) > 0; j--)
			m[j] = m[j - 1];
		m[j] = t;
	}
}

static int gj_write_value(struct gj_writer *w, struct json_object *v, unsigned depth);

static int gj_write_object(struct gj_writer *w, struct json_object *v, unsigned depth)
{
	size_t n = (size_t)json_object_object_length(v), base = w->top, i;
	struct gj_member *m;
	int rc;

	if (n == 0) /* no member: w->stack may still be NULL */
		return buf_puts(w->b, "{}");
	if (n > w->cap - w->top) {
		size_t ncap = w->cap ? w->cap : 64;
		while (ncap - w->top < n)
			ncap *= 2;
		m = realloc(w->stack, ncap * sizeof(*m));
		if (m == NULL)
			return err_set(w->err, ERR_NOMEM, "JSON: out of memory");
		w->stack = m;
		w->cap = ncap;
	}
	m = w->stack + base;
	i = 0;
	json_object_object_foreach(v, key, val)
	{
		m[i].key = key;
		m[i].klen = strlen(key);
		m[i].val = val;
		i++;
	}
	gj_sort(m, n);
	w->top = base + n;
	rc = buf_putc(w->b, '{');
	for (i = 0; rc == 0 && i < n; i++) {
		/* w->stack may move while a member is written. */
		m = w->stack + base + i;
		if (i && (rc = buf_putc(w->b, ',')))
			break;
		if ((rc = gojson_write_string(w->b, m->key, m->klen)) || (rc = buf_putc(w->b, ':')))
			break;
		rc = gj_write_value(w, m->val, depth + 1);
	}
	w->top = base;
	return rc ? rc : buf_putc(w->b, '}');
}

static int gj_write_array(struct gj_writer *w, struct json_object *v, unsigned depth)
{
	size_t n = json_object_array_length(v), i;
	int rc = buf_putc(w->b, '[');

	for (i = 0; rc == 0 && i < n; i++) {
		if (i && (rc = buf_putc(w->b, ',')))
			break;
		rc = gj_write_value(w, json_object_array_get_idx(v, i), depth + 1);
	}
	return rc ? rc : buf_putc(w->b, ']');
}

static int gj_write_value(struct gj_writer *w, struct json_object *v, unsigned depth)
{
	if (depth > GJ_HARD_MAX_DEPTH)
		return err_set(w->err, ERR_LIMIT, "JSON: value nested deeper than %u levels",
			       GJ_HARD_MAX_DEPTH);
	switch (json_object_get_type(v)) {
	case json_type_null:
		return buf_append(w->b, "null", 4);
	case json_type_boolean:
		return json_object_get_boolean(v) ? buf_append(w->b, "true", 4)
						  : buf_append(w->b, "false", 5);
	case json_type_int:
		return gj_write_int(w->b, v);
	case json_type_double:
		return gj_write_double(w->b, v, w->err);
	case json_type_string:
		return gojson_write_string(w->b, json_object_get_string(v),
					   (size_t)json_object_get_string_len(v));
	case json_type_array:
		return gj_write_array(w, v, depth);
	case json_type_object:
		return gj_write_object(w, v, depth);
	}
	return err_set(w->err, ERR_INTERNAL, "JSON: unknown json-c type");
}

int gojson_write(struct buf *b, struct json_object *v, struct err *err)
{
	struct gj_writer w = {b, NULL, 0, 0, err};
	size_t old = b->len;
	int rc;

	/* Errors from buf_* carry no message: one is added below when the
	 * record is still clear. */
	err_clear(err);
	rc = gj_write_value(&w, v, 0);
	free(w.stack);
	if (rc) {
		buf_truncate(b, old);
		if (err && err->code == 0)
			err_set(err, rc, "JSON: %s while writing",
				rc == ERR_LIMIT ? "output over the size limit" : err_strerror(rc));
	}
	return rc;
}
