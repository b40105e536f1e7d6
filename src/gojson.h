/* gojson.h - strict JSON parsing (json-c) and a writer that produces the
 * bytes Go's encoding/json produces for the same value when it was decoded
 * with UseNumber() into map[string]interface{} (KrakenD's backend decoder):
 *
 *  - object keys sorted by their bytes at every depth, no whitespace;
 *  - number literals written exactly as the input wrote them;
 *  - strings: '"' and '\\' escaped, "\n" "\r" "\t" as such, other bytes
 *    below 0x20 as \u00xx (lowercase hex), '<' '>' '&' as \u003c \u003e
 *    \u0026, U+2028/U+2029 as \u2028/\u2029, '/' not escaped, other valid
 *    UTF-8 written raw, each invalid UTF-8 byte as \ufffd.
 */
#ifndef JWTSIGN_GOJSON_H
#define JWTSIGN_GOJSON_H

#include <json-c/json.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Parsing limits (see jwtsign.json(5), top-level "jwtsign" block). */
struct gojson_limits {
	unsigned max_depth;   /* nesting levels of objects/arrays; >= 1 */
	size_t max_members;   /* total object members + array elements in the document; 0 = none */
};

/* gojson_parse - parse one JSON document strictly (RFC 8259: no comments,
 * no single quotes, no NaN/Infinity, no trailing bytes except whitespace,
 * valid UTF-8 not required here: invalid bytes are kept and replaced by
 * the writer as Go does).
 * doc/len: the document (len bytes; it need not be NUL-terminated and may
 *          contain NUL bytes, which are an error outside strings).
 * lim:     limits; exceeding one is ERR_LIMIT.
 * out:     receives a new json-c tree (caller releases it with json_object_put).
 * A number literal that json-c cannot keep exactly (an integer outside the
 * int64/uint64 range, "-0" written as an integer, leading zeros) and an
 * object key containing U+0000 (json-c keys are C strings) are ERR_INVALID
 * rather than a silently changed value.
 * Returns 0, ERR_INVALID (message says what and where), ERR_LIMIT, ERR_NOMEM. */
int gojson_parse(const char *doc, size_t len, const struct gojson_limits *lim,
		 struct json_object **out, struct err *err);

/* gojson_write_string - append the Go encoding of the len bytes at s (may
 * contain NULs and invalid UTF-8) as a JSON string, quotes included.
 * Returns 0, ERR_NOMEM or ERR_LIMIT (from b's limit). */
int gojson_write_string(struct buf *b, const char *s, size_t len);

/* gojson_write - append the Go encoding of v (any json-c value; NULL is
 * written as null).  Returns 0, ERR_NOMEM, ERR_LIMIT, or ERR_INVALID when
 * v holds a value Go could not encode (a non-finite double built in code). */
int gojson_write(struct buf *b, struct json_object *v, struct err *err);

#endif
