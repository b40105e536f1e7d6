/* crypto_verify.c - the JWS verification primitives; see crypto.h
 * (crypto_jws_verify).  The signing side is crypto.c.
 *
 * HS256/HS512 and Ed25519 go through libsodium, HS384, RS*, PS* and ES*
 * through GnuTLS, exactly as signing does.  Every length is checked
 * before a library sees the signature; HMAC values are compared in
 * constant time.  Nothing here implements a primitive itself.
 */
#include "crypto.h"

#include <gnutls/crypto.h>
#include <sodium.h>
#include <string.h>

/* HS*: recompute, compare in constant time. */
static int verify_hmac(const struct crypto_key *key, const struct alg_info *a, const uint8_t *msg,
		       size_t len, const uint8_t *sig, size_t siglen, struct err *err)
{
	uint8_t mac[64];
	int rc;

	if (key->secret == NULL || key->secret_len == 0)
		return err_set(err, ERR_KEY, "key %s: no symmetric key", key->label);
	if (siglen != a->hash_len)
		return err_set(err, ERR_INVALID, "key %s: %s signature is %zu bytes, not %zu",
			       key->label, a->name, siglen, a->hash_len);
	rc = crypto_hmac(key, a, msg, len, mac, err);
	if (rc == 0 && sodium_memcmp(mac, sig, a->hash_len) != 0)
		rc = err_set(err, ERR_INVALID, "key %s: %s signature does not match", key->label,
			     a->name);
	sodium_memzero(mac, sizeof(mac));
	return rc;
}

/* RSA PKCS#1 v1.5, RSA-PSS or ECDSA (already DER) through GnuTLS. */
static int verify_gnutls(const struct crypto_key *key, const struct alg_info *a, const uint8_t *msg,
			 size_t len, const gnutls_datum_t *sig, struct err *err)
{
	gnutls_datum_t data = {(unsigned char *)msg, (unsigned)len};
	unsigned flags = 0;
	int rc;

	/* RFC 7518 section 3.5: the salt is as long as the hash. */
	if (a->family == ALG_FAMILY_RSA_PSS)
		flags |= GNUTLS_VERIFY_RSA_PSS_FIXED_SALT_LENGTH;
	rc = gnutls_pubkey_verify_data2(key->pub, crypto_gnutls_sign(a), flags, &data, sig);
	if (rc == GNUTLS_E_MEMORY_ERROR)
		return err_set(err, ERR_NOMEM, "key %s: out of memory", key->label);
	if (rc < 0)
		return err_set(err, ERR_INVALID, "key %s: %s signature does not verify", key->label,
			       a->name);
	return 0;
}

/* RS*, PS*: nettle would read a short signature as a smaller integer, so
 * the length is pinned to the modulus size first. */
static int verify_rsa(const struct crypto_key *key, const struct alg_info *a, const uint8_t *msg,
		      size_t len, const uint8_t *sig, size_t siglen, struct err *err)
{
	gnutls_datum_t d = {(unsigned char *)sig, (unsigned)siglen};
	unsigned bits = 0;

	if (gnutls_pubkey_get_pk_algorithm(key->pub, &bits) != GNUTLS_PK_RSA)
		return err_set(err, ERR_KEY, "key %s: not an RSA public key", key->label);
	if (siglen != (bits + 7) / 8)
		return err_set(err, ERR_INVALID,
			       "key %s: %s signature is %zu bytes, not the modulus size %u",
			       key->label, a->name, siglen, (bits + 7) / 8);
	return verify_gnutls(key, a, msg, len, &d, err);
}

static int verify_ecdsa(const struct crypto_key *key, const struct alg_info *a, const uint8_t *msg,
			size_t len, const uint8_t *sig, size_t siglen, struct err *err)
{
	size_t field = alg_crv_size(a->crv);
	gnutls_datum_t r = {(unsigned char *)sig, (unsigned)field};
	gnutls_datum_t s = {(unsigned char *)sig + field, (unsigned)field};
	gnutls_datum_t der = {NULL, 0};
	int rc;

	/* RFC 7518 section 3.4: R || S, each exactly the field size; a DER
	 * signature or any other length is refused. */
	if (siglen != 2 * field)
		return err_set(err, ERR_INVALID, "key %s: %s signature is %zu bytes, not %zu",
			       key->label, a->name, siglen, 2 * field);
	rc = gnutls_encode_rs_value(&der, &r, &s);
	if (rc < 0)
		return err_set(err, rc == GNUTLS_E_MEMORY_ERROR ? ERR_NOMEM : ERR_CRYPTO,
			       "key %s: cannot encode the ECDSA signature: %s", key->label,
			       gnutls_strerror(rc));
	rc = verify_gnutls(key, a, msg, len, &der, err);
	gnutls_free(der.data);
	return rc;
}

static int verify_eddsa(const struct crypto_key *key, const uint8_t *msg, size_t len,
			const uint8_t *sig, size_t siglen, struct err *err)
{
	if (!key->has_ed25519_pub)
		return err_set(err, ERR_KEY, "key %s: no Ed25519 public key", key->label);
	if (siglen != crypto_sign_ed25519_BYTES)
		return err_set(err, ERR_INVALID, "key %s: EdDSA signature is %zu bytes, not %u",
			       key->label, siglen, (unsigned)crypto_sign_ed25519_BYTES);
	if (crypto_sign_ed25519_verify_detached(sig, msg, len, key->ed25519_pub) != 0)
		return err_set(err, ERR_INVALID, "key %s: EdDSA signature does not verify",
			       key->label);
	return 0;
}

int crypto_jws_verify(const struct crypto_key *key, enum jws_alg alg, const uint8_t *msg,
		      size_t len, const uint8_t *sig, size_t siglen, struct err *err)
{
	const struct alg_info *a = alg_info(alg);

	if (a == NULL)
		return err_set(err, ERR_UNSUPPORTED, "no valid alg to verify with");
	if (key == NULL)
		return err_set(err, ERR_KEY, "no key to verify with");
	if (len > 0xffffffffu || siglen > 0xffffffffu)
		return err_set(err, ERR_INVALID, "key %s: input too long", key->label);
	switch (a->family) {
	case ALG_FAMILY_HMAC:
		return verify_hmac(key, a, msg, len, sig, siglen, err);
	case ALG_FAMILY_RSA_PKCS1:
	case ALG_FAMILY_RSA_PSS:
	case ALG_FAMILY_ECDSA:
		if (key->pub == NULL)
			return err_set(err, ERR_KEY, "key %s: no public key to verify with",
				       key->label);
		if (a->family == ALG_FAMILY_ECDSA)
			return verify_ecdsa(key, a, msg, len, sig, siglen, err);
		return verify_rsa(key, a, msg, len, sig, siglen, err);
	case ALG_FAMILY_EDDSA:
		return verify_eddsa(key, msg, len, sig, siglen, err);
	case ALG_FAMILY_NONE:
		break;
	}
	return err_set(err, ERR_INTERNAL, "crypto: unknown verification kind");
}
