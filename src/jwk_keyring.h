/* jwk_keyring.h - every key of a JWK Set that can VERIFY a JWS, parsed
 * once (RFC 7517 section 5), and the lookup of the key for a token's
 * header.  The signer's selection of ONE key is jwk_set.h.
 *
 * What is kept: every entry that parses (jwk_parse) and may be used for
 * signatures: "use" absent or "sig", "key_ops" absent or containing
 * "verify", kty oct, RSA, EC (P-256/384/521) or OKP (Ed25519).  Every
 * other entry is SKIPPED, not an error: a JWK Set published by an
 * identity provider routinely holds encryption keys ("use": "enc"),
 * key types or curves jwtsign does not verify with (X25519, secp256k1)
 * and keys for other consumers; refusing the whole set for them would
 * deny every token.  jwk_keyring_skipped counts them.  A set where
 * nothing usable remains is ERR_NOTFOUND.  Secrets (oct "k") live in
 * sodium_malloc'd memory and are wiped by jwk_keyring_free, as is every
 * string of the parsed document.
 */
#ifndef JWTSIGN_JWK_KEYRING_H
#define JWTSIGN_JWK_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "err.h"
#include "jwk.h"
#include "jwk_set.h"

/* Which key identifier a lookup compares (KrakenD's
 * key_identify_strategy, krakend-jose key_cacher.go / jwk_client.go).
 * The key side: */
enum jwk_keyring_id {
	JWK_ID_KID = 0,	 /* the JWK's "kid" */
	JWK_ID_X5T,	 /* base64url of the JWK's "x5t" (SHA-1 thumbprint) */
	JWK_ID_X5T_S256, /* base64url of the JWK's "x5t#S256" */
	JWK_ID_KID_X5T,	 /* "kid" followed by base64url("x5t") */
};

struct jwk_keyring;

/* jwk_keyring_parse - parse the JWK Set document doc (len bytes,
 * {"keys":[...]}) under lim (may be NULL; max_doc_bytes, max_keys) and
 * keep every usable key (see above).  *out: the new ring (jwk_keyring_free).
 * Errors: the document is not a JWK Set (ERR_INVALID: not JSON, a bare
 * JWK, "keys" missing or not an array, an entry not an object with a
 * string "kty", a "kid" that is not a string), over the limits
 * (ERR_LIMIT), no usable key in it (ERR_NOTFOUND, the message says why
 * the last entry was skipped), ERR_NOMEM.  On error *out is NULL. */
int jwk_keyring_parse(const char *doc, size_t len, const struct jwk_limits *lim,
		      struct jwk_keyring **out, struct err *err);

/* jwk_keyring_free - wipe and release every key.  NULL-safe. */
void jwk_keyring_free(struct jwk_keyring *ring);

/* jwk_keyring_count - the number of usable keys kept (0 for NULL). */
size_t jwk_keyring_count(const struct jwk_keyring *ring);

/* jwk_keyring_skipped - the number of entries of the document that were
 * skipped (0 for NULL). */
size_t jwk_keyring_skipped(const struct jwk_keyring *ring);

/* jwk_keyring_usable_with - how many keys of ring can verify alg
 * (jwk_check_verify_alg): 0 means every token of that alg is refused, which
 * check-config reports.  0 for NULL. */
size_t jwk_keyring_usable_with(const struct jwk_keyring *ring, enum jws_alg alg);

/* jwk_keyring_find - jwk_keyring_find_by(ring, JWK_ID_KID, kid, ...). */
int jwk_keyring_find(const struct jwk_keyring *ring, const char *kid, enum jws_alg alg,
		     const struct jwk **key, struct err *err);

/* jwk_keyring_find_by - the key whose identifier of kind which equals id
 * (a token's header value, computed by the caller; NULL means "none in
 * the token" and matches the keys whose identifier is empty, KrakenD's
 * rule for a token without "kid").  One identifier may name several keys
 * (RFC 7517 section 4.5), resolved as jwk_set_select does: the one of
 * alg's key type; among several of that type, the one whose "alg" member
 * names alg.  *key: borrowed from ring (valid until jwk_keyring_free).
 * Returns 0; ERR_NOTFOUND (no key has that identifier: the caller may
 * refresh the set); ERR_KEY (keys have it, but none fits alg:
 * jwk_check_verify_alg, or several fit and none names alg); ERR_UNSUPPORTED
 * (alg JWS_ALG_INVALID). */
int jwk_keyring_find_by(const struct jwk_keyring *ring, enum jwk_keyring_id which, const char *id,
			enum jws_alg alg, const struct jwk **key, struct err *err);

/* jwk_keyring_verify - crypto_jws_verify (crypto.h) with a key of the
 * ring: 0 when sig (siglen bytes) is alg's valid signature of the len
 * bytes at msg under key, which jwk_keyring_find_by returned for alg.
 * Returns 0, ERR_INVALID (wrong signature), ERR_KEY, ERR_NOMEM,
 * ERR_CRYPTO, ERR_UNSUPPORTED. */
int jwk_keyring_verify(const struct jwk *key, enum jws_alg alg, const uint8_t *msg, size_t len,
		       const uint8_t *sig, size_t siglen, struct err *err)
    __attribute__((warn_unused_result));

#endif
