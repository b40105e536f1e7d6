/* gojson.h - strict JSON parsing (json-c; gojson_parse.c, the one strict
 * JSON reader of the program) and a writer (gojson_write.c) that produces the
 * bytes Go's encoding/json produces for the same value when it was decoded
 * with UseNumber() into map[string]interface{} (KrakenD's backend decoder):
 *
 *  - object keys sorted by their bytes at every depth, no whitespace;
 *  - number literals written exactly as the input wrote them;
 *  - strings: '"' and '\\' escaped, "\n" "\r" "\t" as such, other bytes
 *    below 0x20 as \u00xx (lowercase hex), '<' '>' '&' as \u003c \u003e
 *    \u0026, U+2028/U+2029 as \u2028/\u2029, '/' not escaped, other valid
 *    UTF-8 written raw, each invalid UTF-8 byte as \ufffd.  (Go 1.22 and
 *    later write \b and \f; jwtsign keeps \u0008 and \u000c.)
 */
#ifndef JWTSIGN_GOJSON_H
#define JWTSIGN_GOJSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Parsing limits (see jwtsign.json(5), top-level "jwtsign" block). */
struct gojson_limits {
	unsigned max_depth; /* nesting levels of objects/arrays ("[]" is 1, "[[1]]" 2); >= 1 */
	size_t max_members; /* total object members + array elements in the document; 0 = none */
};

/* gojson_parse - parse one JSON document strictly, as Go's decoder reads
 * it (RFC 8259: no comments, no single quotes, no NaN/Infinity, no
 * trailing bytes except whitespace), with json-c in strict mode plus one
 * pass over the raw bytes for what json-c 0.16 accepts or changes.
 * doc/len: the document (len bytes; it need not be NUL-terminated).
 * lim:     limits; exceeding one is ERR_LIMIT.  NULL means no member
 *          limit.  max_depth is capped at 10000, Go's own limit; a
 *          million '[' is a clean ERR_LIMIT.
 * out:     receives a new json-c tree (caller releases it with
 *          json_object_put); NULL on error, and for the document "null".
 * The tree holds what Go's decoder would hold:
 *  - ill-formed UTF-8 in strings and keys is replaced by U+FFFD (the bytes
 *    EF BF BD) per offending byte, as Go's decoder does; lone surrogate
 *    escapes become U+FFFD (json-c does this itself);
 *  - a number with a fraction or an exponent is a json-c double carrying
 *    its literal text (json_object_new_double_s: 1.0, 1E+5 and 1e400 are
 *    written back as they were); an integer is a json-c int64/uint64,
 *    which writes back as the same digits;
 *  - duplicate keys: the last value wins.
 * Refused with ERR_INVALID (the message gives the byte offset):
 *  - an empty or whitespace-only document; bytes after the value other
 *    than space, tab, LF, CR;
 *  - outside strings, any byte but JSON whitespace, structural characters,
 *    number characters and the letters of true/false/null: NUL, a UTF-8
 *    BOM, '/' (comments), '\'' (single quotes), NaN, Infinity, VT, FF...;
 *  - raw control characters (below 0x20, NUL included) inside strings;
 *  - numbers outside RFC 8259 grammar (01, 00, -01, 1., .5, +1, 1e, 0x1);
 *  - numbers json-c cannot keep: the integer -0 (json-c reads 0), and
 *    integers below -9223372036854775808 or above 18446744073709551615
 *    (json-c clamps them silently);
 *  - an object key containing U+0000 (json-c keys are C strings);
 *  - two keys of one object that become equal once ill-formed UTF-8 is
 *    replaced (json-c's member order cannot tell which one Go keeps);
 *  - anything json-c's strict grammar refuses (missing ',' or ':',
 *    trailing commas, bad escapes, unterminated values).
 * Returns 0, ERR_INVALID, ERR_LIMIT, ERR_NOMEM. */
int gojson_parse(const char *doc, size_t len, const struct gojson_limits *lim,
		 struct json_object **out, struct err *err);

/* Flags of gojson_parse_ex. */
#define GOJSON_UTF8_STRICT                                                                         \
	1u /* refuse ill-formed UTF-8 (json-c's own check,                                         \
	    * JSON_TOKENER_VALIDATE_UTF8) instead of                                               \
	    * replacing it by U+FFFD */
#define GOJSON_LOSSY_INTS                                                                          \
	2u /* accept the integers json-c cannot keep: -0                                           \
	    * (read as 0) and those outside                                                        \
	    * [INT64_MIN, UINT64_MAX] (clamped), for a caller                                      \
	    * that range-checks every integer it reads */
/* The document holds secrets (a JWK Set): json-c's string buffer is sized
 * to the document before parsing, so that it never grows (a growth frees
 * the old block, holding part of the string being read, unwiped). */
#define GOJSON_SECRET 4u
/* Refuse an object with two members of the same name (ERR_INVALID,
 * GOJSON_DUPLICATE) instead of keeping the last value: for input where a
 * second "alg" or "exp" could mean something else to another reader (JWS
 * headers and JWT claims; RFC 7515 section 5.2 step 4). */
#define GOJSON_NO_DUPLICATES 8u

/* Why gojson_parse_ex refused a document (the stage that refused it). */
enum gojson_stage {
	GOJSON_ACCEPTED = 0, /* no failure */
	GOJSON_TOO_LARGE,    /* over INT_MAX - 1 bytes (ERR_LIMIT) */
	GOJSON_EMPTY,	     /* empty or whitespace only */
	GOJSON_LEXICAL,	     /* the raw-byte pass refused a byte json-c would take
			      * or alter: a byte outside JSON, a control
			      * character in a string, a number outside RFC 8259
			      * or json-c's exact range, a key with U+0000 */
	GOJSON_DEPTH,	     /* nested deeper than max_depth (ERR_LIMIT) */
	GOJSON_MEMBERS,	     /* more than max_members (ERR_LIMIT) */
	GOJSON_GRAMMAR,	     /* json-c's strict grammar refused it (detail says why) */
	GOJSON_TRUNCATED,    /* the document ends inside a value or a string */
	GOJSON_TRAILING,     /* bytes other than whitespace after the value */
	GOJSON_TREE,	     /* replacing ill-formed UTF-8 failed (ERR_NOMEM, or two
			      * keys became equal) */
	GOJSON_DUPLICATE,    /* GOJSON_NO_DUPLICATES: an object has two members of
			      * one name (offset 0: json-c does not say where) */
};

/* Where and why, for callers that word their own messages (the
 * configuration reader gives a line and a column). */
struct gojson_failure {
	enum gojson_stage stage;
	size_t offset;	    /* byte offset of the first byte at fault; the length
			     * for GOJSON_EMPTY and GOJSON_TRUNCATED */
	const char *detail; /* json_tokener_error_desc() text for GOJSON_GRAMMAR
			     * (and GOJSON_TRUNCATED / GOJSON_DEPTH when json-c
			     * found them), and for GOJSON_LEXICAL on a printable
			     * byte json-c refuses as well ("unexpected
			     * character"); NULL for what json-c 0.16 would take
			     * ('\'', NaN, Infinity, control bytes in strings,
			     * numbers); static */
};

/* gojson_parse_ex - gojson_parse with flags (GOJSON_* or 0) and,
 * when fail is not NULL, the stage and the byte offset of a refusal in
 * *fail (GOJSON_ACCEPTED on success).  The err message and the return
 * codes are gojson_parse's.  gojson_parse(d, n, l, o, e) is
 * gojson_parse_ex(d, n, l, 0, o, NULL, e). */
int gojson_parse_ex(const char *doc, size_t len, const struct gojson_limits *lim, unsigned flags,
		    struct json_object **out, struct gojson_failure *fail, struct err *err);

/* gojson_put_wiped - overwrite every string value of the document root
 * (member names are left: names, not secrets; json-c cannot scrub its
 * own strings), then release it.  For documents that held key material
 * or credentials.  NULL-safe. */
void gojson_put_wiped(struct json_object *root);

/* gojson_write_string - append the Go encoding of the len bytes at s (may
 * contain NULs and invalid UTF-8: each byte that starts no well-formed
 * sequence is written \ufffd, as Go's encoder does) as a JSON string,
 * quotes included.  On error nothing is appended.
 * Returns 0, ERR_NOMEM or ERR_LIMIT (from b's limit). */
int gojson_write_string(struct buf *b, const char *s, size_t len);

/* gojson_set_legacy_escapes - how gojson_write and gojson_write_string
 * escape U+0008 and U+000C: false (the default) as Go 1.22 and later do,
 * "\b" and "\f" (KrakenD CE 2.10 and later is built with Go 1.24);
 * true as older Go did, "\u0008" and "\u000c".  Process-wide, set once at
 * start-up (the configuration's "json_escapes"). */
void gojson_set_legacy_escapes(bool on);

/* gojson_write - append the Go encoding of v (any json-c value, borrowed;
 * NULL is written as null).  A double carrying its literal text (see
 * gojson_parse) is written as that text, like Go's json.Number; another
 * double is written as Go writes a float64 (shortest digits, exponent form
 * below 1e-6 and from 1e21 on).  On error nothing is appended and err is
 * set.  Returns 0, ERR_NOMEM, ERR_LIMIT (b's limit, or nesting deeper than
 * 10000), or ERR_INVALID when v holds a value Go could not encode (a
 * non-finite double, or a literal text that is no JSON number). */
int gojson_write(struct buf *b, struct json_object *v, struct err *err);

#endif
