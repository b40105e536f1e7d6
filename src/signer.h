/* signer.h - the response transformer: backend JSON in, the same JSON
 * with each configured member replaced by a JWS, out (KrakenD's signer
 * semantics; see jwtsign.json(5)). */
#ifndef JWTSIGN_SIGNER_H
#define JWTSIGN_SIGNER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "gojson.h"
#include "jws.h"

struct jwk;

struct signer_opts {
	const struct jwk *key;         /* borrowed; passed jwk_check_alg(key, alg) */
	enum jws_alg alg;
	const char *typ;               /* header "typ"; NULL or "" leaves it out */
	bool full;                     /* flattened JSON serialization as a string */
	char *const *keys_to_sign;     /* member names (top level) */
	size_t nkeys_to_sign;
	struct gojson_limits limits;   /* for parsing the backend answer */
};

/* signer_transform - parse body (len bytes, need not be NUL-terminated)
 * with gojson_parse and opts->limits; it must be a JSON object.  For each
 * name in keys_to_sign whose top-level member exists and holds an object,
 * replace the member by the JWS of the Go encoding of that object
 * (gojson_write): a compact serialization string, or with full a string
 * holding the flattened JSON serialization.  Members missing or holding a
 * non-object are left as they are (a name listed twice is signed once).
 * Then append the Go encoding of the whole object to out.  opts and body
 * are borrowed.  On any error nothing is appended to out.
 * Errors: ERR_INVALID / ERR_LIMIT (the body is not acceptable JSON or not
 * an object, see gojson_parse: the caller answers 502), ERR_KEY /
 * ERR_CRYPTO / ERR_UNSUPPORTED (signing failed: 500), ERR_LIMIT also when
 * out's own limit is reached, ERR_NOMEM. */
int signer_transform(const struct signer_opts *opts, const char *body, size_t len,
		     struct buf *out, struct err *err) __attribute__((warn_unused_result));

#endif
