/* gojson_parse.c - the strict JSON reader; see gojson.h.
 *
 * Parsing is json-c's (strict mode).  Before json-c sees the document a
 * single pass over the raw bytes (gj_scan) enforces the limits and refuses
 * what json-c 0.16 would accept or change silently; it tracks only
 * "inside a string / after a backslash", a bracket counter and the extent
 * of number tokens: the grammar itself is json-c's.
 */
#include "gojson.h"
#include "gojson_int.h"

#include <json-c/printbuf.h>
#include <limits.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest integer literals json-c keeps exactly (int64 / uint64). */
#define GJ_INT64_MIN_DIGITS "9223372036854775808"
#define GJ_UINT64_MAX_DIGITS "18446744073709551615"

/* ------------------------------------------------------------------ UTF-8 */

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
	int bad_utf8;	 /* some string holds ill-formed UTF-8 */
	bool lossy_ints; /* GOJSON_LOSSY_INTS */
	struct err *err;
	struct gojson_failure *fail; /* where and why, or NULL */
};

/* Record where and why the document was refused (f may be NULL), before
 * err_set: `return gj_at(...), err_set(...)`. */
static void gj_at(struct gojson_failure *f, enum gojson_stage stage, size_t offset,
		  const char *detail)
{
	if (f) {
		f->stage = stage;
		f->offset = offset;
		f->detail = detail;
	}
}

static int gj_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
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
		return gj_at(s->fail, GOJSON_MEMBERS, s->i, NULL),
		       err_set(s->err, ERR_LIMIT,
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
			return gj_at(s->fail, GOJSON_TRUNCATED, s->len, NULL),
			       err_set(s->err, ERR_INVALID,
				       "JSON: unterminated string starting at offset %zu", start);
		if (p[i] == '"')
			break;
		if (p[i] == '\\') {
			if (i + 5 < s->len && p[i + 1] == 'u' && memcmp(p + i + 2, "0000", 4) == 0)
				has_nul = 1;
			i += 2;
		} else if (p[i] < 0x20) {
			return gj_at(s->fail, GOJSON_LEXICAL, i, NULL),
			       err_set(
				   s->err, ERR_INVALID,
				   "JSON: control character 0x%02x inside a string at offset %zu",
				   p[i], i);
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
			return gj_at(s->fail, GOJSON_LEXICAL, start, NULL),
			       err_set(s->err, ERR_INVALID,
				       "JSON: object key with U+0000 at offset %zu (not supported)",
				       start);
	}
	return 0;
}

static int gj_is_number_byte(unsigned char c)
{
	return gj_is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
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
		return gj_at(s->fail, GOJSON_LEXICAL, s->i, NULL),
		       err_set(s->err, ERR_INVALID, "JSON: invalid number \"%.*s\" at offset %zu",
			       (int)(tok > 40 ? 40 : tok), (const char *)p, s->i);
	if (s->lossy_ints) {
		s->i += n;
		return 0;
	}
	if (is_int && n == 2 && p[0] == '-' && p[1] == '0')
		return gj_at(s->fail, GOJSON_LEXICAL, s->i, NULL),
		       err_set(s->err, ERR_INVALID,
			       "JSON: the integer -0 at offset %zu cannot be kept (json-c reads 0)",
			       s->i);
	if (is_int && !gj_int_fits(p, n))
		return gj_at(s->fail, GOJSON_LEXICAL, s->i, NULL),
		       err_set(s->err, ERR_INVALID,
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
		return gj_at(s->fail, GOJSON_DEPTH, s->i, NULL),
		       err_set(s->err, ERR_LIMIT, "JSON: nested deeper than %u levels (offset %zu)",
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
				return gj_at(s->fail, GOJSON_GRAMMAR, s->i,
					     json_tokener_error_desc(
						 json_tokener_error_parse_unexpected)),
				       err_set(s->err, ERR_INVALID,
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
			/* json-c refuses these too, in its words, except the
			 * single quote and NaN/Infinity, which json-c 0.16 takes. */
			gj_at(s->fail, GOJSON_LEXICAL, s->i,
			      c >= 0x21 && c <= 0x7E && c != '\'' && c != 'N' && c != 'I'
				  ? json_tokener_error_desc(json_tokener_error_parse_unexpected)
				  : NULL);
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

/* One json-c tokener kept between documents (the process has one
 * thread): making and freeing one per document was 4 % of a token's
 * validation.  It is made again only for a deeper limit: json-c's depth
 * is a backstop, gj_scan has enforced the document's own max_depth. */
static struct json_tokener *kept_tok;
static int kept_depth;
/* Largest scratch buffer (bytes) of a tokener that is kept. */
#define GJ_KEEP_PB_MAX 4096

/* A reset tokener for at least depth levels (kept_tok, made when
 * needed), or NULL when out of memory. */
static struct json_tokener *gj_tokener(int depth)
{
	if (kept_tok && kept_depth >= depth) {
		json_tokener_reset(kept_tok);
		return kept_tok;
	}
	if (kept_tok)
		json_tokener_free(kept_tok);
	kept_tok = json_tokener_new_ex(depth);
	kept_depth = kept_tok ? depth : 0;
	return kept_tok;
}

/* gj_tokenize - run json-c over the scanned document. */
static int gj_tokenize(const char *doc, size_t len, unsigned max_depth, unsigned flags,
		       struct json_object **out, struct gojson_failure *f, struct err *err)
{
	bool truncated = false;
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;
	int rc = 0;

	/* json-c counts a scalar inside the deepest container as one more
	 * level; the scan has already enforced max_depth. */
	tok = gj_tokener((int)max_depth + 2);
	if (tok == NULL)
		return err_set(err, ERR_NOMEM, "JSON: out of memory");
	json_tokener_set_flags(tok,
			       JSON_TOKENER_STRICT |
				   ((flags & GOJSON_UTF8_STRICT) ? JSON_TOKENER_VALIDATE_UTF8 : 0));
	/* No string is longer than the document: with a buffer that large
	 * already, json-c never reallocates (and frees) a partial secret. */
	if ((flags & GOJSON_SECRET) && len < INT_MAX) {
		if (printbuf_memset(tok->pb, 0, 0, (int)len + 1) < 0)
			return err_set(err, ERR_NOMEM, "JSON: out of memory");
		printbuf_reset(tok->pb);
	}
	obj = json_tokener_parse_ex(tok, doc, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* A top-level number (or nothing) runs to the end: json-c
		 * needs the terminating NUL to finish it. */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
		truncated = true;
	}
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		gj_at(f,
		      truncated				 ? GOJSON_TRUNCATED
		      : jerr == json_tokener_error_depth ? GOJSON_DEPTH
							 : GOJSON_GRAMMAR,
		      end < len ? end : len, json_tokener_error_desc(jerr));
		rc = err_set(err, jerr == json_tokener_error_depth ? ERR_LIMIT : ERR_INVALID,
			     "JSON: %s at offset %zu", json_tokener_error_desc(jerr),
			     end < len ? end : len);
	} else if (!gj_tail_is_ws(doc, end, len)) {
		size_t at = end;

		while (gj_is_ws((unsigned char)doc[at]))
			at++;
		gj_at(f, GOJSON_TRAILING, at, NULL);
		json_object_put(obj);
		rc = err_set(err, ERR_INVALID,
			     "JSON: unexpected data after the value at offset %zu", end);
	} else {
		*out = obj;
	}
	/* The tokener's scratch buffer holds the last strings parsed, which
	 * for a JWK Set are private key values (and a login body's are
	 * passwords): wipe it before the tokener is kept for the next. */
	if (tok->pb != NULL && tok->pb->buf != NULL)
		sodium_memzero(tok->pb->buf, (size_t)tok->pb->size);
	/* One grown for a long string (or presized for a secret document)
	 * is not kept: each later parse would wipe all of it. */
	if (tok->pb == NULL || tok->pb->size > GJ_KEEP_PB_MAX) {
		json_tokener_free(tok);
		kept_tok = NULL;
		kept_depth = 0;
	} else {
		json_tokener_reset(tok);
	}
	return rc;
}

/* gj_count_tree - object members plus array elements of the tree o, as
 * gj_scan counts them in the text: fewer in the tree means json-c merged
 * two members of one name.  Depth is bounded by the scan's max_depth. */
static size_t gj_count_tree(struct json_object *o)
{
	size_t n = 0;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			n += 1 + gj_count_tree(v);
		}
		break;
	}
	case json_type_array: {
		size_t len = json_object_array_length(o);

		for (size_t i = 0; i < len; i++)
			n += 1 + gj_count_tree(json_object_array_get_idx(o, i));
		break;
	}
	default:
		break;
	}
	return n;
}

int gojson_parse(const char *doc, size_t len, const struct gojson_limits *lim,
		 struct json_object **out, struct err *err)
{
	return gojson_parse_ex(doc, len, lim, 0, out, NULL, err);
}

int gojson_parse_ex(const char *doc, size_t len, const struct gojson_limits *lim, unsigned flags,
		    struct json_object **out, struct gojson_failure *fail, struct err *err)
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
	s.fail = fail;
	s.lossy_ints = (flags & GOJSON_LOSSY_INTS) != 0;
	gj_at(fail, GOJSON_ACCEPTED, 0, NULL);
	if (lim) {
		if (lim->max_depth < s.max_depth)
			s.max_depth = lim->max_depth;
		s.max_members = lim->max_members;
	}
	if (len > INT_MAX - 1)
		return gj_at(fail, GOJSON_TOO_LARGE, 0, NULL),
		       err_set(err, ERR_LIMIT, "JSON: document of %zu bytes is too large", len);
	if (len == 0 || gj_tail_is_ws(doc, 0, len))
		return gj_at(fail, GOJSON_EMPTY, len, NULL),
		       err_set(err, ERR_INVALID, "JSON: empty document");
	rc = gj_scan(&s);
	if (rc)
		return rc;
	rc = gj_tokenize(doc, len, s.max_depth, flags, &obj, fail, err);
	if (rc)
		return rc;
	/* With GOJSON_UTF8_STRICT json-c has refused ill-formed UTF-8. */
	if (s.bad_utf8 && (rc = gj_fix_tree(obj, 0, err)) != 0) {
		gj_at(fail, GOJSON_TREE, 0, NULL);
		json_object_put(obj);
		return rc;
	}
	if ((flags & GOJSON_NO_DUPLICATES) && gj_count_tree(obj) != s.members) {
		gj_at(fail, GOJSON_DUPLICATE, 0, NULL);
		json_object_put(obj);
		return err_set(err, ERR_INVALID,
			       "JSON: an object has two members of the same name");
	}
	*out = obj;
	return 0;
}

/* Overwrite every string value of the tree v; json-c's buffers are
 * writable, so the const is cast away.  The recursion is bounded by the
 * depth the document was parsed with. */
static void wipe_strings(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string: {
		char *s = (char *)json_object_get_string(v);
		int n = json_object_get_string_len(v);

		if (s && n > 0)
			sodium_memzero(s, (size_t)n);
		break;
	}
	case json_type_object: {
		json_object_object_foreach(v, name, child)
		{
			(void)name;
			wipe_strings(child);
		}
		break;
	}
	case json_type_array: {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++)
			wipe_strings(json_object_array_get_idx(v, i));
		break;
	}
	default:
		break;
	}
}

void gojson_put_wiped(struct json_object *root)
{
	if (root == NULL)
		return;
	wipe_strings(root);
	json_object_put(root);
}
