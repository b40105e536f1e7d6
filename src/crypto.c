/* crypto.c - the JWS signing primitives; see crypto.h.  The alg table
 * itself is alg.c.
 *
 * HS256/HS512 and Ed25519 go through libsodium, HS384, RS*, PS* and ES*
 * through GnuTLS.  Nothing here implements a primitive itself.
 */
#include "crypto.h"

#include <gnutls/crypto.h>
#include <sodium.h>
#include <string.h>

gnutls_sign_algorithm_t crypto_gnutls_sign(const struct alg_info *a)
{
	static const gnutls_sign_algorithm_t rsa[] = {GNUTLS_SIGN_UNKNOWN, GNUTLS_SIGN_RSA_SHA256,
						      GNUTLS_SIGN_RSA_SHA384,
						      GNUTLS_SIGN_RSA_SHA512};
	static const gnutls_sign_algorithm_t pss[] = {
	    GNUTLS_SIGN_UNKNOWN, GNUTLS_SIGN_RSA_PSS_SHA256, GNUTLS_SIGN_RSA_PSS_SHA384,
	    GNUTLS_SIGN_RSA_PSS_SHA512};
	static const gnutls_sign_algorithm_t ecdsa[] = {
	    GNUTLS_SIGN_UNKNOWN, GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_SIGN_ECDSA_SHA384,
	    GNUTLS_SIGN_ECDSA_SHA512};

	if (a == NULL)
		return GNUTLS_SIGN_UNKNOWN;
	switch (a->family) {
	case ALG_FAMILY_RSA_PKCS1:
		return rsa[a->hash];
	case ALG_FAMILY_RSA_PSS:
		return pss[a->hash];
	case ALG_FAMILY_ECDSA:
		return ecdsa[a->hash];
	default:
		return GNUTLS_SIGN_UNKNOWN;
	}
}

void crypto_bytes_free(struct crypto_bytes *b)
{
	if (b == NULL)
		return;
	if (b->p) {
		sodium_memzero(b->p, b->len);
		sodium_free(b->p);
	}
	b->p = NULL;
	b->len = 0;
}

int crypto_bytes_set(struct crypto_bytes *b, const uint8_t *p, size_t len)
{
	uint8_t *n = sodium_malloc(len ? len : 1);

	if (n == NULL)
		return ERR_NOMEM;
	if (len)
		memcpy(n, p, len);
	crypto_bytes_free(b);
	b->p = n;
	b->len = len;
	return 0;
}

struct crypto_hmac_keyed {
	crypto_auth_hmacsha256_state s256;
	crypto_auth_hmacsha512_state s512;
};

int crypto_hmac_prepare(struct crypto_key *key)
{
	struct crypto_hmac_keyed *h = sodium_malloc(sizeof(*h));

	if (h == NULL)
		return ERR_NOMEM;
	/* The _init API takes keys of any length (RFC 2104 section 3). */
	if (crypto_auth_hmacsha256_init(&h->s256, key->secret, key->secret_len) != 0 ||
	    crypto_auth_hmacsha512_init(&h->s512, key->secret, key->secret_len) != 0) {
		sodium_free(h);
		return ERR_CRYPTO;
	}
	key->hmac = h;
	return 0;
}

void crypto_hmac_release(struct crypto_key *key)
{
	if (key == NULL || key->hmac == NULL)
		return;
	sodium_free(key->hmac); /* sodium_free wipes the region */
	key->hmac = NULL;
}

/* HMAC (RFC 2104) of msg with the key's "k" into mac (hash_len bytes):
 * a copy of the keyed state when there is one, else keyed now. */
int crypto_hmac(const struct crypto_key *key, const struct alg_info *a, const uint8_t *msg,
		size_t len, uint8_t *mac, struct err *err)
{
	int rc = 0;

	switch (a->hash) {
	case ALG_HASH_SHA256: {
		crypto_auth_hmacsha256_state st;

		if (key->hmac)
			st = key->hmac->s256;
		else
			rc = crypto_auth_hmacsha256_init(&st, key->secret, key->secret_len);
		if (rc == 0)
			rc = crypto_auth_hmacsha256_update(&st, msg, len);
		if (rc == 0)
			rc = crypto_auth_hmacsha256_final(&st, mac);
		sodium_memzero(&st, sizeof(st));
		break;
	}
	case ALG_HASH_SHA512: {
		crypto_auth_hmacsha512_state st;

		if (key->hmac)
			st = key->hmac->s512;
		else
			rc = crypto_auth_hmacsha512_init(&st, key->secret, key->secret_len);
		if (rc == 0)
			rc = crypto_auth_hmacsha512_update(&st, msg, len);
		if (rc == 0)
			rc = crypto_auth_hmacsha512_final(&st, mac);
		sodium_memzero(&st, sizeof(st));
		break;
	}
	case ALG_HASH_SHA384:
		/* libsodium has no HMAC-SHA-384. */
		rc = gnutls_hmac_fast(GNUTLS_MAC_SHA384, key->secret, key->secret_len, msg, len,
				      mac);
		break;
	default:
		return err_set(err, ERR_INTERNAL, "crypto: not an HMAC alg");
	}
	if (rc != 0)
		return err_set(err, ERR_CRYPTO, "key %s: HMAC computation failed", key->label);
	return 0;
}

int crypto_ecdsa_der_to_raw(const gnutls_datum_t *der, size_t field, uint8_t *out)
{
	gnutls_datum_t r = {NULL, 0}, s = {NULL, 0};
	const gnutls_datum_t *part[2] = {&r, &s};
	int rc = 0;

	if (gnutls_decode_rs_value(der, &r, &s) < 0)
		return ERR_CRYPTO;
	memset(out, 0, 2 * field);
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = part[i]->data;
		size_t n = part[i]->size;

		/* DER integers carry a leading zero byte when the top bit is
		 * set; short values are left-padded (RFC 7518 section 3.4). */
		while (n > 0 && *p == 0) {
			p++;
			n--;
		}
		if (n > field) {
			rc = ERR_CRYPTO;
			break;
		}
		memcpy(out + (size_t)i * field + (field - n), p, n);
	}
	gnutls_free(r.data);
	gnutls_free(s.data);
	return rc;
}

/* RSA PKCS#1 v1.5, RSA-PSS, ECDSA (or EdDSA on a PKCS#11 token) through
 * the GnuTLS private key. */
static int sign_gnutls(const struct crypto_key *key, const struct alg_info *a, const uint8_t *msg,
		       size_t len, struct buf *sig, struct err *err)
{
	gnutls_datum_t data = {(unsigned char *)msg, (unsigned)len};
	gnutls_datum_t out = {NULL, 0};
	unsigned flags = 0;
	int rc;

	if (key->priv == NULL)
		return err_set(err, ERR_KEY, "key %s: no private key to sign with", key->label);
	if (len > 0xffffffffu)
		return err_set(err, ERR_LIMIT, "key %s: signing input too long", key->label);
	/* RFC 7518 section 3.5: MGF1 with the same hash, salt length equal
	 * to the hash length.  GnuTLS's default would pick the same size, but
	 * the flag makes it explicit. */
	if (a->family == ALG_FAMILY_RSA_PSS)
		flags |= GNUTLS_PRIVKEY_FLAG_RSA_PSS_FIXED_SALT_LENGTH;
	rc = gnutls_privkey_sign_data2(key->priv,
				       a->family == ALG_FAMILY_EDDSA ? GNUTLS_SIGN_EDDSA_ED25519
								     : crypto_gnutls_sign(a),
				       flags, &data, &out);
	if (rc < 0 && key->token)
		return err_set(err, ERR_IO, "key %s: the PKCS#11 token failed to sign: %s",
			       key->label, gnutls_strerror(rc));
	if (rc < 0)
		return err_set(err, ERR_CRYPTO, "key %s: signing with GnuTLS failed: %s",
			       key->label, gnutls_strerror(rc));
	if (a->family == ALG_FAMILY_ECDSA) {
		size_t field = alg_crv_size(a->crv);
		uint8_t raw[2 * 66];

		rc = crypto_ecdsa_der_to_raw(&out, field, raw);
		gnutls_free(out.data);
		if (rc)
			return err_set(err, rc, "key %s: cannot decode the ECDSA signature",
				       key->label);
		rc = buf_append(sig, raw, 2 * field);
	} else {
		rc = buf_append(sig, out.data, out.size);
		gnutls_free(out.data);
	}
	if (rc)
		return err_set(err, rc, "key %s: cannot store the signature: %s", key->label,
			       err_strerror(rc));
	return 0;
}

static int sign_eddsa(const struct crypto_key *key, const uint8_t *msg, size_t len, struct buf *sig,
		      struct err *err)
{
	uint8_t out[crypto_sign_ed25519_BYTES];
	int rc;

	if (key->secret == NULL && key->token && key->priv)
		return sign_gnutls(key, alg_info(JWS_ALG_EDDSA), msg, len, sig, err);
	if (key->secret == NULL || key->secret_len != crypto_sign_ed25519_SECRETKEYBYTES)
		return err_set(err, ERR_KEY, "key %s: no Ed25519 private key", key->label);
	if (crypto_sign_ed25519_detached(out, NULL, msg, len, key->secret) != 0)
		return err_set(err, ERR_CRYPTO, "key %s: Ed25519 signing failed", key->label);
	rc = buf_append(sig, out, sizeof(out));
	if (rc)
		return err_set(err, rc, "key %s: cannot store the signature: %s", key->label,
			       err_strerror(rc));
	return 0;
}

int crypto_jws_sign(const struct crypto_key *key, enum jws_alg alg, const uint8_t *msg, size_t len,
		    struct buf *sig, struct err *err)
{
	const struct alg_info *a = alg_info(alg);
	uint8_t mac[64];
	int rc;

	if (a == NULL)
		return err_set(err, ERR_UNSUPPORTED, "no valid alg to sign with");
	switch (a->family) {
	case ALG_FAMILY_HMAC:
		if (key->secret == NULL || key->secret_len == 0)
			return err_set(err, ERR_KEY, "key %s: no symmetric key", key->label);
		rc = crypto_hmac(key, a, msg, len, mac, err);
		if (rc == 0) {
			rc = buf_append(sig, mac, a->hash_len);
			if (rc)
				err_set(err, rc, "key %s: cannot store the signature: %s",
					key->label, err_strerror(rc));
		}
		sodium_memzero(mac, sizeof(mac));
		return rc;
	case ALG_FAMILY_RSA_PKCS1:
	case ALG_FAMILY_RSA_PSS:
	case ALG_FAMILY_ECDSA:
		return sign_gnutls(key, a, msg, len, sig, err);
	case ALG_FAMILY_EDDSA:
		return sign_eddsa(key, msg, len, sig, err);
	case ALG_FAMILY_NONE:
		break;
	}
	return err_set(err, ERR_INTERNAL, "crypto: unknown signing kind");
}
