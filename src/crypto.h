/* crypto.h - INTERNAL to the JOSE core (jwk*, pem, jws) and crypto*.c:
 * the primitives that sign, import and generate keys through libsodium
 * (HMAC-SHA-256/512, Ed25519) and GnuTLS (HMAC-SHA-384, RSA PKCS#1 v1.5,
 * RSA-PSS, ECDSA).  Other modules use jwk.h, jwk_set.h and jws.h.
 *
 * The primitives know the algorithm table (alg.h) and nothing of the
 * layers above: a key reaches them as a struct crypto_key, borrowed from
 * the JWK layer's struct jwk (jwk_int.h).
 *
 * Function names avoid libsodium's crypto_auth_*, crypto_sign_*, ... names.
 */
#ifndef JWTSIGN_CRYPTO_H
#define JWTSIGN_CRYPTO_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "alg.h"

/* Ed25519 sizes (RFC 8032): seed ("d"), public key ("x"), signature. */
#define CRYPTO_ED25519_SEED 32
#define CRYPTO_ED25519_PUB 32

/* RSA modulus bounds in bits: smaller keys cannot sign (RFC 7518 section
 * 3.3 requires 2048); larger ones are refused to bound the CPU cost. */
#define CRYPTO_RSA_MIN_BITS 2048
#define CRYPTO_RSA_MAX_BITS 16384

/* The key material the signing primitives need.  Borrowed: the JWK layer
 * fills it in when it parses a key and frees it in jwk_free. */
struct crypto_key {
	const char *label;		/* printable kid for messages */
	uint8_t *secret;		/* sodium_malloc: oct "k" or Ed25519 seed||pk (64) */
	size_t secret_len;		/* bytes at secret */
	gnutls_privkey_t priv;		/* RSA / EC private key, or NULL */
	struct crypto_hmac_keyed *hmac; /* oct: HMAC-SHA-256/512 states keyed once
					 * (sodium_malloc), or NULL */
	gnutls_pubkey_t pub;		/* RSA / EC public key (imported from n, e or
					 * x, y; derived from priv for a private
					 * key), or NULL: what verification uses */
	uint8_t ed25519_pub[CRYPTO_ED25519_PUB]; /* OKP: the public key "x" */
	int has_ed25519_pub;			 /* ed25519_pub is set */
	int token; /* priv is a key on a PKCS#11 token (it signs EdDSA too); a
		    * failed signature is ERR_IO: the token may be gone */
};

/* crypto_hmac_prepare - key the HMAC-SHA-256 and HMAC-SHA-512 states of an
 * oct key once (RFC 2104: the padded key blocks), so signing costs only the
 * message's hashing.  The states are secret-equivalent: they live in
 * sodium_malloc'd memory, released (and wiped) by crypto_hmac_release.
 * Returns 0, ERR_NOMEM or ERR_CRYPTO. */
int crypto_hmac_prepare(struct crypto_key *key);

/* crypto_hmac_release - wipe and free the keyed states.  NULL-safe. */
void crypto_hmac_release(struct crypto_key *key);

/* A byte string in sodium_malloc'd memory (p NULL when absent). */
struct crypto_bytes {
	uint8_t *p;
	size_t len;
};

/* crypto_bytes_free - sodium_free (which wipes) and reset.  NULL-safe. */
void crypto_bytes_free(struct crypto_bytes *b);

/* crypto_bytes_set - replace *b by a sodium_malloc'd copy of len bytes at
 * p (len >= 1).  Returns 0 or ERR_NOMEM. */
int crypto_bytes_set(struct crypto_bytes *b, const uint8_t *p, size_t len);

/* crypto_gnutls_sign - the GnuTLS signature algorithm of an RS*, PS* or
 * ES* alg (from its family and hash), else GNUTLS_SIGN_UNKNOWN. */
gnutls_sign_algorithm_t crypto_gnutls_sign(const struct alg_info *a);

/* crypto_jws_sign - append the raw JWS signature (RFC 7518 section 3; RFC 8037
 * section 3.1) of the len bytes at msg to sig.  The caller has checked
 * the key with jwk_check_alg.  key: borrowed.  On error sig is unchanged.
 * A key on a PKCS#11 token (key->token) signs RS*, PS*, ES* and EdDSA
 * through its GnuTLS private key.
 * Returns 0, ERR_CRYPTO, ERR_NOMEM, ERR_LIMIT (sig's limit), ERR_KEY
 * (the key lacks the material for alg), ERR_IO (a token key failed to
 * sign: removed, logged out, PIN changed). */
int crypto_jws_sign(const struct crypto_key *key, enum jws_alg alg, const uint8_t *msg, size_t len,
		    struct buf *sig, struct err *err) __attribute__((warn_unused_result));

/* crypto_hmac - the HMAC (RFC 2104) of the len bytes at msg with the oct
 * key (its keyed state when crypto_hmac_prepare made one) into mac
 * (a->hash_len bytes; a is an HS* row of alg.c): libsodium for SHA-256
 * and SHA-512, GnuTLS for SHA-384, as signing does.  mac is secret until
 * published: the caller wipes it.  Returns 0, ERR_CRYPTO, ERR_INTERNAL. */
int crypto_hmac(const struct crypto_key *key, const struct alg_info *a, const uint8_t *msg,
		size_t len, uint8_t *mac, struct err *err) __attribute__((warn_unused_result));

/* crypto_jws_verify - 0 when sig (siglen bytes) is a valid raw JWS
 * signature (RFC 7518 section 3, RFC 8037 section 3.1) of the len bytes at
 * msg under key for alg (src/crypto_verify.c).  The caller has checked the
 * key with jwk_check_verify_alg.  HS*: the HMAC recomputed and compared in
 * constant time (sodium_memcmp), siglen exactly the hash length; RS* and
 * PS*: gnutls_pubkey_verify_data2, siglen exactly the modulus bytes, PSS
 * with MGF1 of the same hash and a salt as long as the hash; ES*: siglen
 * exactly 2 x the field bytes (R || S, RFC 7518 section 3.4), turned into
 * DER with gnutls_encode_rs_value, then verified; EdDSA: libsodium's
 * crypto_sign_ed25519_verify_detached, siglen 64.  key: borrowed.
 * Returns 0 (valid), ERR_INVALID (the signature is wrong, whatever the
 * reason: length, encoding, value), ERR_KEY (the key lacks the material
 * for alg), ERR_UNSUPPORTED (JWS_ALG_INVALID), ERR_NOMEM, ERR_CRYPTO. */
int crypto_jws_verify(const struct crypto_key *key, enum jws_alg alg, const uint8_t *msg,
		      size_t len, const uint8_t *sig, size_t siglen, struct err *err)
    __attribute__((warn_unused_result));

/* crypto_rsa_pub_import - a new GnuTLS public key from the RSA modulus n
 * (no leading zero bytes) and exponent e (odd, at most 8 bytes).  *bits:
 * modulus bits.  who labels messages.  Returns 0, ERR_KEY, ERR_NOMEM. */
int crypto_rsa_pub_import(const struct crypto_bytes *n, const struct crypto_bytes *e,
			  const char *who, gnutls_pubkey_t *out, unsigned *bits, struct err *err);

/* crypto_ec_pub_import - a new GnuTLS public key for the point (x, y)
 * (each alg_crv_size bytes) on the P-256/384/521 curve crv, refused with
 * ERR_KEY when it is not on the curve (gnutls_pubkey_verify_params).
 * Returns 0, ERR_KEY, ERR_NOMEM, ERR_UNSUPPORTED (curve). */
int crypto_ec_pub_import(enum jwk_crv crv, const uint8_t *x, const uint8_t *y, const char *who,
			 gnutls_pubkey_t *out, struct err *err);

/* crypto_pub_from_priv - the public key of the GnuTLS private key priv
 * (borrowed) into a new *out.  Returns 0, ERR_NOMEM, ERR_CRYPTO. */
int crypto_pub_from_priv(gnutls_privkey_t priv, const char *who, gnutls_pubkey_t *out,
			 struct err *err);

/* crypto_ecdsa_der_to_raw - convert the DER ECDSA-Sig-Value der into
 * R || S, each left-padded with zero bytes to field bytes, written to out
 * (2 * field bytes).  R or S longer than field (after leading zero bytes)
 * is ERR_CRYPTO.  Returns 0, ERR_CRYPTO, ERR_NOMEM. */
int crypto_ecdsa_der_to_raw(const gnutls_datum_t *der, size_t field, uint8_t *out);

/* RSA private key members (RFC 7518 section 6.3), each sodium_malloc'd. */
struct crypto_rsa {
	struct crypto_bytes n, e, d, p, q, dp, dq, qi;
};

/* crypto_rsa_free - wipe and free every member.  NULL-safe. */
void crypto_rsa_free(struct crypto_rsa *r);

/* crypto_rsa_import - import r into a new GnuTLS private key.  n, e, d,
 * p, q are required; dp, dq, qi are either all present or all absent
 * (GnuTLS derives them; when present they must equal the derived values).
 * The key is checked with gnutls_privkey_verify_params and a trial
 * signature (GnuTLS does not check d otherwise).  who labels messages.
 * *out: new key (gnutls_privkey_deinit), *bits: modulus bits.
 * Returns 0, ERR_KEY (inconsistent parts, naming the member), ERR_CRYPTO,
 * ERR_NOMEM. */
int crypto_rsa_import(const struct crypto_rsa *r, const char *who, gnutls_privkey_t *out,
		      unsigned *bits, struct err *err);

/* crypto_crv_from_gnutls - the JWK curve (RFC 7518 section 6.2.1.1, RFC
 * 8037) of a GnuTLS curve: P-256, P-384, P-521, Ed25519, else
 * JWK_CRV_NONE. */
enum jwk_crv crypto_crv_from_gnutls(gnutls_ecc_curve_t c);

/* crypto_ec_import - import the P-256/384/521 private key (x, y, d, each
 * exactly alg_crv_size bytes) into a new GnuTLS key, refused with
 * ERR_KEY when the point is not on the curve or does not belong to d
 * (gnutls_privkey_verify_params).  Returns 0, ERR_KEY, ERR_CRYPTO,
 * ERR_NOMEM, ERR_UNSUPPORTED (curve). */
int crypto_ec_import(enum jwk_crv crv, const uint8_t *x, const uint8_t *y, const uint8_t *d,
		     const char *who, gnutls_privkey_t *out, struct err *err);

/* crypto_ed25519_import - derive the libsodium secret key (seed || pk, 64
 * bytes, new sodium_malloc'd *sk) from the 32-byte seed d and check that
 * its public key equals the 32 bytes at x (RFC 8037 section 2).
 * Returns 0, ERR_KEY (x does not belong to d), ERR_NOMEM, ERR_CRYPTO. */
int crypto_ed25519_import(const uint8_t *d, const uint8_t *x, const char *who,
			  struct crypto_bytes *sk, struct err *err);

/* crypto_rsa_export - fill every member of *r (minimal big-endian, no
 * leading zero bytes) from the GnuTLS RSA private key k (borrowed).  On
 * error *r is freed.  The caller frees *r with crypto_rsa_free.
 * Returns 0, ERR_CRYPTO, ERR_NOMEM. */
int crypto_rsa_export(gnutls_privkey_t k, struct crypto_rsa *r, struct err *err);

/* crypto_rsa_generate - a new RSA key of bits bits (public exponent
 * 65537) with every member of *r filled (minimal big-endian, no leading
 * zero bytes).  The caller frees *r with crypto_rsa_free.
 * Returns 0, ERR_CRYPTO, ERR_NOMEM. */
int crypto_rsa_generate(unsigned bits, struct crypto_rsa *r, struct err *err);

/* crypto_ec_generate - a new key on crv: x, y, d each alg_crv_size
 * bytes (sodium_malloc'd; free with crypto_bytes_free).  For Ed25519, x is
 * the public key, d the seed and y is left empty.
 * Returns 0, ERR_CRYPTO, ERR_NOMEM, ERR_UNSUPPORTED. */
int crypto_ec_generate(enum jwk_crv crv, struct crypto_bytes *x, struct crypto_bytes *y,
		       struct crypto_bytes *d, struct err *err);

/* crypto_datum_wipe - wipe and gnutls_free a datum GnuTLS allocated, and
 * reset it.  NULL data is safe. */
void crypto_datum_wipe(gnutls_datum_t *d);

/* crypto_take_datum - copy a GnuTLS export into *b (sodium_malloc'd),
 * then wipe and free the export (also on error).  Returns 0 or
 * ERR_NOMEM. */
int crypto_take_datum(struct crypto_bytes *b, gnutls_datum_t *d);

/* crypto_take_datum_padded - like crypto_take_datum, left-padded with zero
 * bytes (or stripped of leading zero bytes) to exactly size bytes.
 * Returns 0, ERR_CRYPTO (the value does not fit in size bytes), ERR_NOMEM. */
int crypto_take_datum_padded(struct crypto_bytes *b, gnutls_datum_t *d, size_t size);

#endif
