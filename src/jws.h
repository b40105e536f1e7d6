/* jws.h - JSON Web Signature (RFC 7515) production: protected header,
 * JWS Signing Input, compact and flattened JSON serializations.
 */
#ifndef JWTSIGN_JWS_H
#define JWTSIGN_JWS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct jwk;

/* JWS "alg" values this program signs with (RFC 7518 section 3.1,
 * RFC 8037 section 3.1).  JWS_ALG_INVALID is never used to sign. */
enum jws_alg {
	JWS_ALG_INVALID = 0,
	JWS_ALG_HS256,
	JWS_ALG_HS384,
	JWS_ALG_HS512,
	JWS_ALG_RS256,
	JWS_ALG_RS384,
	JWS_ALG_RS512,
	JWS_ALG_PS256,
	JWS_ALG_PS384,
	JWS_ALG_PS512,
	JWS_ALG_ES256,
	JWS_ALG_ES384,
	JWS_ALG_ES512,
	JWS_ALG_EDDSA,
};

/* jws_alg_from_name - map an "alg" name (exact, case-sensitive: "HS256",
 * ..., "EdDSA") to *out.  "none", "" and unknown names are ERR_UNSUPPORTED. */
int jws_alg_from_name(const char *name, enum jws_alg *out);

/* jws_alg_name - the registered name of alg, or NULL for JWS_ALG_INVALID. */
const char *jws_alg_name(enum jws_alg alg);

/* jws_protected_header - append the protected header JSON
 * {"alg":ALG,"kid":KID,"typ":TYP} (members sorted, Go string escaping,
 * "kid" left out when kid is NULL, "typ" left out when typ is NULL or "")
 * to b.  Not base64url-encoded.  Returns 0, ERR_NOMEM, ERR_LIMIT,
 * ERR_UNSUPPORTED (invalid alg).  RFC 7515 section 4.1. */
int jws_protected_header(struct buf *b, enum jws_alg alg, const char *kid, const char *typ);

/* jws_sign_compact - append to out the JWS Compact Serialization
 * (RFC 7515 section 7.1) of payload (len bytes), signed with key and alg.
 * The protected header is jws_protected_header(alg, jwk_kid(key), typ).
 * key:  borrowed; must have passed jwk_check_alg(key, alg) (checked again
 *       here: a cheap comparison of fields).
 * On failure out is left with its previous len (nothing half-written).
 * Returns 0, ERR_KEY (key unusable for alg, or NULL), ERR_CRYPTO,
 * ERR_NOMEM, ERR_LIMIT (out's limit), ERR_UNSUPPORTED (JWS_ALG_INVALID). */
int jws_sign_compact(struct buf *out, const struct jwk *key, enum jws_alg alg, const char *typ,
		     const uint8_t *payload, size_t len, struct err *err)
    __attribute__((warn_unused_result));

/* jws_sign_flattened - like jws_sign_compact, but append the flattened JWS
 * JSON Serialization (RFC 7515 section 7.2.2) with members in the order
 * {"payload":"...","protected":"...","signature":"..."}.  Errors as
 * jws_sign_compact. */
int jws_sign_flattened(struct buf *out, const struct jwk *key, enum jws_alg alg, const char *typ,
		       const uint8_t *payload, size_t len, struct err *err)
    __attribute__((warn_unused_result));

/* jws_sign_input - sign an already built JWS Signing Input (RFC 7515
 * section 2: ASCII(BASE64URL(header) || '.' || BASE64URL(payload))) and
 * append the raw signature bytes (not encoded) to sig.  ECDSA signatures
 * are R || S, each left-padded to the field size (RFC 7518 section 3.4);
 * RSA-PSS uses MGF1 with the same hash and a salt as long as the hash
 * (section 3.5).  The key is checked with jwk_check_alg first.
 * Errors as jws_sign_compact, and ERR_UNSUPPORTED for JWS_ALG_INVALID. */
int jws_sign_input(struct buf *sig, const struct jwk *key, enum jws_alg alg, const uint8_t *input,
		   size_t len, struct err *err) __attribute__((warn_unused_result));

#endif
