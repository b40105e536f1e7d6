/* jwk.h - one JSON Web Key (RFC 7517): parsing and strict validation for
 * signing (RFC 7518 section 6, RFC 8037 section 2).  JWK Sets (selection
 * by kid, public export) are jwk_set.h.
 *
 * PEM private keys (PKCS#8, PKCS#1, SEC1) are converted into JWK Sets
 * by pem_to_jwk_set (pem.h).
 *
 * A struct jwk holds one parsed key.  Private material lives in
 * sodium_malloc'd memory (or a GnuTLS private key object) and is wiped when
 * the key is freed.  Messages in struct err name the kid and the member,
 * never a key value.
 */
#ifndef JWTSIGN_JWK_H
#define JWTSIGN_JWK_H

#include <json-c/json.h>
#include <stddef.h>

#include "alg.h"
#include "buf.h"
#include "err.h"

/* Opaque here; the layout is private to the JWK layer (jwk_int.h). */
struct jwk;

/* jwk_parse - parse one JWK (a json-c object, borrowed) into a new key.
 * Public-only keys parse (they cannot sign: see jwk_check_alg).  Errors as
 * jwk_set_select (jwk_set.h), which also lists what each kty needs. */
int jwk_parse(struct json_object *obj, struct jwk **out, struct err *err);

/* jwk_check_alg - 0 when key can produce JWS with alg: oct for HS* with a
 * key at least as long as the hash output (32, 48, 64 bytes: RFC 7518
 * section 3.2 says MUST; KrakenD accepts shorter ones), RSA
 * with a private part and >= 2048 bits for RS* and PS*, EC on the curve of the
 * alg for ES*, OKP Ed25519 for EdDSA, and a "alg" member in the JWK, when
 * present, equal to alg; a "use" member, when present, "sig" (RFC 7517
 * section 4.2); a "key_ops" member, when present, containing "sign"
 * (section 4.3).  Else ERR_KEY naming the kid and the member;
 * ERR_UNSUPPORTED when alg is JWS_ALG_INVALID. */
int jwk_check_alg(const struct jwk *key, enum jws_alg alg, struct err *err);

/* jwk_check_verify_alg - 0 when key can verify JWS made with alg: the
 * key type and curve of alg (an RSA, EC or OKP key is never used as an
 * HMAC secret, so no HS-with-RSA-key confusion), an "alg" member, when
 * present, equal to alg; "use", when present, "sig"; "key_ops", when
 * present, containing "verify"; HMAC keys at least the hash length and RSA
 * keys at least 2048 bits (the signer's rules, jwk_check_alg); public key
 * material present (public and private JWKs both verify).  Else ERR_KEY
 * naming the kid and the member; ERR_UNSUPPORTED for JWS_ALG_INVALID. */
int jwk_check_verify_alg(const struct jwk *key, enum jws_alg alg, struct err *err);

/* jwk_kid - the key's "kid" (borrowed, valid until jwk_free), or NULL. */
const char *jwk_kid(const struct jwk *key);

/* jwk_kty - the key type. */
enum jwk_kty jwk_kty(const struct jwk *key);

/* jwk_free - wipe and release a key.  NULL-safe. */
void jwk_free(struct jwk *key);

#endif
