/* signer.h - the response transformer: backend JSON in, the same JSON
 * with each configured member replaced by a JWS, out (KrakenD's signer
 * semantics; see jwtsign.json(5)). */
#ifndef JWTSIGN_SIGNER_H
#define JWTSIGN_SIGNER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "entity.h"
#include "err.h"
#include "gojson.h"
#include "jws.h"

struct jwk;

struct signer_opts {
	const struct jwk *key; /* borrowed; passed jwk_check_alg(key, alg) */
	enum jws_alg alg;
	const char *typ;	   /* header "typ"; NULL or "" leaves it out */
	bool full;		   /* flattened JSON serialization as a string */
	char *const *keys_to_sign; /* member names (top level) or, when starting
				    * with '/', JSON Pointers (RFC 6901); each
				    * passed signer_check_key */
	size_t nkeys_to_sign;
	struct gojson_limits limits;	   /* for parsing the backend answer */
	const struct entity_rules *entity; /* KrakenD's changes to the answer
					    * before signing (entity.h), or NULL */
	/* Time claims (extensions to KrakenD's signer).  All zero: none are
	 * added, and the tokens are KrakenD's. */
	bool set_iat;	   /* add "iat" = now */
	unsigned ttl;	   /* seconds; > 0: add "exp" = now + ttl */
	bool set_nbf;	   /* add "nbf" = now - nbf_skew */
	unsigned nbf_skew; /* seconds; used only with set_nbf */
};

/* signer_key_is_pointer - whether the keys_to_sign entry name is a JSON
 * Pointer (RFC 6901): it starts with '/'.  Any other name is a top-level
 * member name, even when it holds '/' or '~' further on. */
bool signer_key_is_pointer(const char *name);

/* signer_check_key - validate one keys_to_sign entry (a NUL-terminated
 * string, borrowed).  A plain name must not be empty.  A JSON Pointer must
 * follow RFC 6901 section 3: each '~' is followed by '0' (for '~') or '1'
 * (for '/').  Array indices and "-" are not checked here: whether a token
 * is a member name or an index depends on the answer (see
 * signer_transform).  Returns 0, or ERR_INVALID with a message that does
 * not repeat the name (e.g. "JSON Pointer: '~' at byte 6 is not followed
 * by '0' or '1' (write ~0 for '~' and ~1 for '/')"). */
int signer_check_key(const char *name, struct err *err);

/* signer_pointer_get - the value the JSON Pointer ptr (RFC 6901, as
 * signer_transform resolves it) selects in root, in *out (borrowed from
 * root; NULL for JSON null).  Returns 1 (found), 0 (nothing there) or
 * ERR_NOMEM. */
int signer_pointer_get(struct json_object *root, const char *ptr, struct json_object **out);

/* signer_transform - parse body (len bytes, need not be NUL-terminated)
 * with gojson_parse and opts->limits; it must be a JSON object.  For each
 * entry of keys_to_sign, in order, find its target:
 *  - a plain name: the top-level member of that name;
 *  - a JSON Pointer (RFC 6901 section 4): from the root, each reference
 *    token selects the member of that (unescaped) name in an object, or
 *    in an array the element of that index ("0", or digits without a
 *    leading zero, below the array length); "-" and any other token
 *    select nothing in an array.  "/" is the top-level member "".
 * When the target exists and holds an object, it is replaced by the JWS
 * of the Go encoding of that object (gojson_write): a compact
 * serialization string, or with full a string holding the flattened JSON
 * serialization.  Targets missing (a pointer that does not resolve) or
 * holding a non-object are left as they are; an entry whose target was
 * already signed finds a string and is skipped, so a member is signed
 * once, and a pointer into a member signed earlier finds nothing.
 * Before encoding, the time claims are added to the claims object when
 * it has no member of that name (whatever its value, even null, a
 * present member wins): "iat" (set_iat), "exp" (ttl > 0), "nbf"
 * (set_nbf), as integers (NumericDate, RFC 7519 section 2) from one
 * clock_now() reading per call; the encoding sorts them into place.
 * Then append the Go encoding of the whole object to out.  opts and body
 * are borrowed.  On any error nothing is appended to out.
 * Errors: ERR_INVALID / ERR_LIMIT (the body is not acceptable JSON or not
 * an object, see gojson_parse: the caller answers 502), ERR_KEY /
 * ERR_CRYPTO / ERR_UNSUPPORTED (signing failed: 500), ERR_LIMIT also when
 * out's own limit is reached, ERR_NOMEM, ERR_INTERNAL (a keys_to_sign
 * entry that fails signer_check_key). */
int signer_transform(const struct signer_opts *opts, const char *body, size_t len, struct buf *out,
		     struct err *err) __attribute__((warn_unused_result));

#endif
