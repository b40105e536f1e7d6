/* jwt.h - validating a JWT in the JWS Compact Serialization (RFC 7519,
 * RFC 7515 section 7.1, RFC 8725): the strict parse, the header checks,
 * the key lookup in a keyring (jwk_keyring.h), the signature, then the
 * claims (jwt_claims.h, included here: enum jwt_reason, struct
 * jwt_policy, enum jwt_kid_strategy, jwt_reason_word).
 *
 * Limits (a token over them is JWT_MALFORMED, nothing is decoded):
 *   JWT_MAX_TOKEN bytes for the whole token, JWT_MAX_HEADER_JSON bytes of
 *   decoded header; JSON nesting JWT_HEADER_DEPTH (header) and
 *   JWT_CLAIMS_DEPTH (claims), at most JWT_MAX_MEMBERS members and
 *   elements in each.
 */
#ifndef JWTSIGN_JWT_H
#define JWTSIGN_JWT_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "buf.h"
#include "err.h"
#include "jwk_keyring.h"
#include "jwt_claims.h"

#define JWT_MAX_TOKEN 16384	 /* bytes of the compact token (16 KiB) */
#define JWT_MAX_HEADER_JSON 2048 /* bytes of the decoded header */
#define JWT_HEADER_DEPTH 4	 /* header nesting ("crit": [..] is 2) */
#define JWT_CLAIMS_DEPTH 32	 /* claims nesting */
#define JWT_MAX_MEMBERS 4096	 /* members + elements per JSON document */

/* A validated token; jwt_token_free releases it.  Zero-initialise it
 * before jwt_verify (jwt_verify frees what it held first). */
struct jwt_token {
	struct buf payload;	    /* decoded payload bytes, exactly as signed */
	struct json_object *claims; /* parsed payload (gojson strict), owned */
	enum jws_alg alg;	    /* the header's alg (allowed by the policy) */
	char *kid;		    /* the header's "kid" (malloc'd) or NULL */
};

/* jwt_verify - validate the compact token tok (len bytes; no NUL needed,
 * no surrounding whitespace allowed) under pol with the keys of ring at
 * time now (Unix seconds).  In order:
 *  1. Compact form: at most JWT_MAX_TOKEN bytes, only base64url
 *     characters and exactly two '.', three parts of which header and
 *     signature are not empty, each canonical base64url without padding
 *     (b64url_decode: no '=', no non-zero trailing bits).  -> malformed
 *  2. Header: a JSON object (gojson strict, UTF-8 checked), no member
 *     twice; "alg" a string.  -> malformed.  "crit" present -> crit (no
 *     extension is understood).  "alg" not in pol->algs (so "none"
 *     never) -> alg.  "kid", "x5t", "x5t#S256" when present strings ->
 *     else malformed.  "jku", "jwk", "x5u", "x5c" are never used to
 *     find a key.
 *  3. Key: the token's identifier by pol->kid_strategy, looked up with
 *     jwk_keyring_find_by: no key with it -> kid; keys with it but none
 *     fitting alg (type, curve, JWK "alg", use, key_ops, size) -> alg;
 *     ring NULL or empty -> keys_unavailable.
 *  4. Signature over ASCII(header '.' payload), crypto_jws_verify
 *     -> signature.
 *  5. Claims: a JSON object without duplicate members (gojson strict)
 *     -> malformed; then jwt_claims_check.
 * out: on JWT_OK holds the payload, the claims, alg and kid; on any other
 * reason it is left empty.  err: a short operator message (never the
 * token, a claim value or key material).  Returns the reason. */
enum jwt_reason jwt_verify(const char *tok, size_t len, const struct jwt_policy *pol,
			   const struct jwk_keyring *ring, int64_t now, struct jwt_token *out,
			   struct err *err);

/* jwt_token_free - release what t holds and zero it.  NULL-safe. */
void jwt_token_free(struct jwt_token *t);

#endif
