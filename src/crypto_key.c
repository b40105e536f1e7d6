/* crypto_key.c - import, check and generate RSA, EC and Ed25519 private
 * keys through GnuTLS and libsodium; see crypto.h.  Reading them from PEM
 * is pem.c.
 */
#include "crypto.h"

#include <gnutls/x509.h>
#include <limits.h>
#include <sodium.h>
#include <string.h>

/* A message-independent probe signed once to check an imported RSA key. */
static const char rsa_probe[] = "jwtsign RSA key consistency check";

void crypto_rsa_free(struct crypto_rsa *r)
{
	if (r == NULL)
		return;
	crypto_bytes_free(&r->n);
	crypto_bytes_free(&r->e);
	crypto_bytes_free(&r->d);
	crypto_bytes_free(&r->p);
	crypto_bytes_free(&r->q);
	crypto_bytes_free(&r->dp);
	crypto_bytes_free(&r->dq);
	crypto_bytes_free(&r->qi);
}

static gnutls_ecc_curve_t gnutls_curve(enum jwk_crv crv)
{
	switch (crv) {
	case JWK_CRV_P256:
		return GNUTLS_ECC_CURVE_SECP256R1;
	case JWK_CRV_P384:
		return GNUTLS_ECC_CURVE_SECP384R1;
	case JWK_CRV_P521:
		return GNUTLS_ECC_CURVE_SECP521R1;
	default:
		return GNUTLS_ECC_CURVE_INVALID;
	}
}

static gnutls_datum_t datum(const struct crypto_bytes *b)
{
	gnutls_datum_t d = {b->p, (unsigned)b->len};

	return d;
}

/* Wipe and release a datum GnuTLS allocated. */
void crypto_datum_wipe(gnutls_datum_t *d)
{
	if (d->data) {
		sodium_memzero(d->data, d->size);
		gnutls_free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

/* Compare a JWK big integer (leading zero bytes allowed) with a minimal
 * GnuTLS export, in constant time for equal lengths. */
static int bigint_equal(const struct crypto_bytes *b, const gnutls_datum_t *d)
{
	const uint8_t *p = b->p;
	size_t n = b->len;

	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	return n == d->size && (n == 0 || sodium_memcmp(p, d->data, n) == 0);
}

/* dp, dq and qi, when given, must equal what GnuTLS derived from d, p and
 * q (GnuTLS silently recomputes them, so a wrong value would otherwise go
 * unnoticed). */
static int rsa_check_crt(const struct crypto_rsa *r, gnutls_privkey_t k, const char *who,
			 struct err *err)
{
	gnutls_datum_t u = {NULL, 0}, e1 = {NULL, 0}, e2 = {NULL, 0};
	const char *bad = NULL;
	int rc;

	if (r->dp.p == NULL)
		return 0;
	rc = gnutls_privkey_export_rsa_raw2(k, NULL, NULL, NULL, NULL, NULL, &u, &e1, &e2,
					    GNUTLS_EXPORT_FLAG_NO_LZ);
	if (rc < 0) {
		rc = err_set(err, ERR_CRYPTO, "key %s: cannot read back the RSA key: %s", who,
			     gnutls_strerror(rc));
		goto out;
	}
	if (!bigint_equal(&r->dp, &e1))
		bad = "dp";
	else if (!bigint_equal(&r->dq, &e2))
		bad = "dq";
	else if (!bigint_equal(&r->qi, &u))
		bad = "qi";
	if (bad)
		rc = err_set(err, ERR_KEY,
			     "key %s: member \"%s\" does not match \"d\", \"p\" and \"q\" "
			     "(inconsistent RSA private key)",
			     who, bad);
out:
	crypto_datum_wipe(&u);
	crypto_datum_wipe(&e1);
	crypto_datum_wipe(&e2);
	return rc;
}

/* GnuTLS's parameter check does not cover d; signing does (nettle checks
 * the result against the public key), so sign once. */
static int rsa_trial_sign(gnutls_privkey_t k, const char *who, struct err *err)
{
	gnutls_datum_t data = {(unsigned char *)rsa_probe, sizeof(rsa_probe) - 1};
	gnutls_datum_t sig = {NULL, 0};
	int rc = gnutls_privkey_sign_data2(k, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig);

	gnutls_free(sig.data);
	if (rc < 0)
		return err_set(err, ERR_KEY,
			       "key %s: member \"d\" does not match \"n\", \"e\", \"p\" and \"q\" "
			       "(inconsistent RSA private key: %s)",
			       who, gnutls_strerror(rc));
	return 0;
}

int crypto_rsa_import(const struct crypto_rsa *r, const char *who, gnutls_privkey_t *out,
		      unsigned *bits, struct err *err)
{
	gnutls_datum_t n = datum(&r->n), e = datum(&r->e), d = datum(&r->d);
	gnutls_datum_t p = datum(&r->p), q = datum(&r->q), u = datum(&r->qi);
	static unsigned char placeholder_u = 1;
	gnutls_privkey_t k = NULL;
	int crt = (r->dp.p != NULL) + (r->dq.p != NULL) + (r->qi.p != NULL);
	int rc;

	*out = NULL;
	*bits = 0;
	/* GnuTLS dereferences the primes unconditionally. */
	if (!r->n.p || !r->e.p || !r->d.p || !r->p.p || !r->q.p || (crt != 0 && crt != 3))
		return err_set(err, ERR_INTERNAL, "key %s: incomplete RSA key reached import", who);
	/* Primes and a public exponent are odd.  GnuTLS 3.7.9 leaks memory
	 * importing an even p or q (fuzz/crashes-fixed/jwk), so refuse them
	 * before it sees them. */
	if (!(r->p.p[r->p.len - 1] & 1) || !(r->q.p[r->q.len - 1] & 1) ||
	    !(r->e.p[r->e.len - 1] & 1))
		return err_set(err, ERR_KEY,
			       "key %s: members \"p\", \"q\", \"e\" must be odd (RSA primes and "
			       "public exponent)",
			       who);
	rc = gnutls_privkey_init(&k);
	if (rc < 0)
		return err_set(err, ERR_NOMEM, "key %s: gnutls_privkey_init: %s", who,
			       gnutls_strerror(rc));
	/* GnuTLS 3.7 derives u = q^-1 mod p, e1 and e2 from d, p and q,
	 * whatever it is given.  But given no u, it allocates one outside the
	 * parameters its failure paths release, so every key it then refuses
	 * (q not invertible mod p) leaks 16 bytes (fuzz/crashes-fixed/jwk).
	 * So it always gets a u: "qi" when the JWK has one, else 1.  Should a
	 * GnuTLS use that value, rsa_check_crt catches a wrong "qi" and the
	 * trial signature (which nettle checks against n and e) a wrong u. */
	if (u.data == NULL) {
		u.data = &placeholder_u;
		u.size = 1;
	}
	rc = gnutls_privkey_import_rsa_raw(k, &n, &e, &d, &p, &q, &u, NULL, NULL);
	if (rc < 0) {
		rc = err_set(err, ERR_KEY, "key %s: RSA key refused by GnuTLS: %s", who,
			     gnutls_strerror(rc));
		goto out;
	}
	rc = gnutls_privkey_verify_params(k);
	if (rc < 0) {
		rc = err_set(err, ERR_KEY,
			     "key %s: members \"n\", \"e\", \"p\", \"q\" are inconsistent "
			     "(RSA key check: %s)",
			     who, gnutls_strerror(rc));
		goto out;
	}
	if (gnutls_privkey_get_pk_algorithm(k, bits) != GNUTLS_PK_RSA) {
		rc = err_set(err, ERR_CRYPTO, "key %s: GnuTLS did not import an RSA key", who);
		goto out;
	}
	/* Keys too small to sign are refused later by jwk_check_alg, with a
	 * clearer message than a failed probe would give.  The probe comes
	 * first: a wrong "d" also makes the derived dp/dq differ. */
	if (*bits >= CRYPTO_RSA_MIN_BITS) {
		rc = rsa_trial_sign(k, who, err);
		if (rc)
			goto out;
	}
	rc = rsa_check_crt(r, k, who, err);
	if (rc)
		goto out;
	*out = k;
	k = NULL;
out:
	if (k)
		gnutls_privkey_deinit(k);
	return rc;
}

int crypto_ec_import(enum jwk_crv crv, const uint8_t *x, const uint8_t *y, const uint8_t *d,
		     const char *who, gnutls_privkey_t *out, struct err *err)
{
	gnutls_ecc_curve_t curve = gnutls_curve(crv);
	size_t size = alg_crv_size(crv);
	gnutls_datum_t dx = {(unsigned char *)x, (unsigned)size};
	gnutls_datum_t dy = {(unsigned char *)y, (unsigned)size};
	gnutls_datum_t dd = {(unsigned char *)d, (unsigned)size};
	gnutls_privkey_t k = NULL;
	int rc;

	*out = NULL;
	if (curve == GNUTLS_ECC_CURVE_INVALID)
		return err_set(err, ERR_UNSUPPORTED, "key %s: not a NIST curve", who);
	rc = gnutls_privkey_init(&k);
	if (rc < 0)
		return err_set(err, ERR_NOMEM, "key %s: gnutls_privkey_init: %s", who,
			       gnutls_strerror(rc));
	rc = gnutls_privkey_import_ecc_raw(k, curve, &dx, &dy, &dd);
	if (rc < 0) {
		rc = err_set(err, ERR_KEY, "key %s: EC key refused by GnuTLS: %s", who,
			     gnutls_strerror(rc));
		goto out;
	}
	/* Checks that (x, y) is on the curve and equals d * G. */
	rc = gnutls_privkey_verify_params(k);
	if (rc < 0) {
		rc = err_set(err, ERR_KEY,
			     "key %s: members \"x\", \"y\" are not the public point of \"d\" on "
			     "%s (EC key check: %s)",
			     who, alg_crv_name(crv), gnutls_strerror(rc));
		goto out;
	}
	*out = k;
	k = NULL;
out:
	if (k)
		gnutls_privkey_deinit(k);
	return rc;
}

int crypto_ed25519_import(const uint8_t *d, const uint8_t *x, const char *who,
			  struct crypto_bytes *sk, struct err *err)
{
	uint8_t pk[crypto_sign_ed25519_PUBLICKEYBYTES];
	uint8_t *s = sodium_malloc(crypto_sign_ed25519_SECRETKEYBYTES);

	if (s == NULL)
		return err_set(err, ERR_NOMEM, "key %s: out of memory", who);
	if (crypto_sign_ed25519_seed_keypair(pk, s, d) != 0) {
		sodium_free(s);
		return err_set(err, ERR_CRYPTO, "key %s: Ed25519 key derivation failed", who);
	}
	if (sodium_memcmp(pk, x, sizeof(pk)) != 0) {
		sodium_free(s);
		return err_set(err, ERR_KEY,
			       "key %s: member \"x\" is not the public key of \"d\" "
			       "(inconsistent Ed25519 key)",
			       who);
	}
	crypto_bytes_free(sk);
	sk->p = s;
	sk->len = crypto_sign_ed25519_SECRETKEYBYTES;
	return 0;
}

/* Copy a GnuTLS export into sodium memory, then wipe and free it. */
int crypto_take_datum(struct crypto_bytes *b, gnutls_datum_t *d)
{
	int rc = crypto_bytes_set(b, d->data, d->size);

	crypto_datum_wipe(d);
	return rc;
}

/* Like crypto_take_datum, left-padded (or stripped of leading zeros) to size. */
int crypto_take_datum_padded(struct crypto_bytes *b, gnutls_datum_t *d, size_t size)
{
	const uint8_t *p = d->data;
	size_t n = d->size;
	int rc = ERR_CRYPTO;

	while (n > size && *p == 0) {
		p++;
		n--;
	}
	if (n <= size) {
		uint8_t *s = sodium_malloc(size);

		rc = ERR_NOMEM;
		if (s) {
			memset(s, 0, size - n);
			memcpy(s + (size - n), p, n);
			crypto_bytes_free(b);
			b->p = s;
			b->len = size;
			rc = 0;
		}
	}
	crypto_datum_wipe(d);
	return rc;
}

int crypto_rsa_export(gnutls_privkey_t k, struct crypto_rsa *r, struct err *err)
{
	gnutls_datum_t m = {0}, e = {0}, d = {0}, p = {0}, q = {0}, u = {0}, e1 = {0}, e2 = {0};
	int rc = gnutls_privkey_export_rsa_raw2(k, &m, &e, &d, &p, &q, &u, &e1, &e2,
						GNUTLS_EXPORT_FLAG_NO_LZ);

	if (rc < 0) {
		rc = err_set(err, ERR_CRYPTO, "RSA key export failed: %s", gnutls_strerror(rc));
		goto out;
	}
	/* GnuTLS's coefficient u is q^-1 mod p (PKCS#1 "coefficient"), which
	 * is JWK "qi". */
	if (crypto_take_datum(&r->n, &m) || crypto_take_datum(&r->e, &e) ||
	    crypto_take_datum(&r->d, &d) || crypto_take_datum(&r->p, &p) ||
	    crypto_take_datum(&r->q, &q) || crypto_take_datum(&r->dp, &e1) ||
	    crypto_take_datum(&r->dq, &e2) || crypto_take_datum(&r->qi, &u)) {
		crypto_rsa_free(r);
		rc = err_set(err, ERR_NOMEM, "out of memory");
	}
out:
	crypto_datum_wipe(&m);
	crypto_datum_wipe(&e);
	crypto_datum_wipe(&d);
	crypto_datum_wipe(&p);
	crypto_datum_wipe(&q);
	crypto_datum_wipe(&u);
	crypto_datum_wipe(&e1);
	crypto_datum_wipe(&e2);
	return rc;
}

int crypto_rsa_generate(unsigned bits, struct crypto_rsa *r, struct err *err)
{
	gnutls_privkey_t k = NULL;
	int rc;

	rc = gnutls_privkey_init(&k);
	if (rc < 0)
		return err_set(err, ERR_NOMEM, "gnutls_privkey_init: %s", gnutls_strerror(rc));
	rc = gnutls_privkey_generate2(k, GNUTLS_PK_RSA, bits, 0, NULL, 0);
	if (rc < 0)
		rc = err_set(err, ERR_CRYPTO, "RSA key generation (%u bits) failed: %s", bits,
			     gnutls_strerror(rc));
	else
		rc = crypto_rsa_export(k, r, err);
	gnutls_privkey_deinit(k);
	return rc;
}

static int ed25519_generate(struct crypto_bytes *x, struct crypto_bytes *d, struct err *err)
{
	uint8_t pk[crypto_sign_ed25519_PUBLICKEYBYTES];
	uint8_t *seed = sodium_malloc(crypto_sign_ed25519_SEEDBYTES);
	uint8_t *sk = sodium_malloc(crypto_sign_ed25519_SECRETKEYBYTES);
	int rc = 0;

	if (seed == NULL || sk == NULL) {
		rc = err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	randombytes_buf(seed, crypto_sign_ed25519_SEEDBYTES);
	if (crypto_sign_ed25519_seed_keypair(pk, sk, seed) != 0) {
		rc = err_set(err, ERR_CRYPTO, "Ed25519 key derivation failed");
		goto out;
	}
	if (crypto_bytes_set(x, pk, sizeof(pk)) != 0) {
		rc = err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	crypto_bytes_free(d);
	d->p = seed;
	d->len = crypto_sign_ed25519_SEEDBYTES;
	seed = NULL;
out:
	if (seed)
		sodium_free(seed);
	if (sk)
		sodium_free(sk);
	return rc;
}

int crypto_ec_generate(enum jwk_crv crv, struct crypto_bytes *x, struct crypto_bytes *y,
		       struct crypto_bytes *d, struct err *err)
{
	gnutls_ecc_curve_t curve = gnutls_curve(crv), got = GNUTLS_ECC_CURVE_INVALID;
	gnutls_datum_t dx = {0}, dy = {0}, dd = {0};
	size_t size = alg_crv_size(crv);
	gnutls_privkey_t k = NULL;
	int rc;

	if (crv == JWK_CRV_ED25519)
		return ed25519_generate(x, d, err);
	if (curve == GNUTLS_ECC_CURVE_INVALID)
		return err_set(err, ERR_UNSUPPORTED, "unsupported curve");
	rc = gnutls_privkey_init(&k);
	if (rc < 0)
		return err_set(err, ERR_NOMEM, "gnutls_privkey_init: %s", gnutls_strerror(rc));
	rc = gnutls_privkey_generate2(k, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(curve), 0, NULL, 0);
	if (rc < 0) {
		rc = err_set(err, ERR_CRYPTO, "EC key generation (%s) failed: %s",
			     alg_crv_name(crv), gnutls_strerror(rc));
		goto out;
	}
	rc = gnutls_privkey_export_ecc_raw2(k, &got, &dx, &dy, &dd, GNUTLS_EXPORT_FLAG_NO_LZ);
	if (rc < 0 || got != curve) {
		rc = err_set(err, ERR_CRYPTO, "EC key export failed: %s",
			     rc < 0 ? gnutls_strerror(rc) : "wrong curve");
		goto out;
	}
	/* RFC 7518 section 6.2.1.2/6.2.2.1: fixed-size coordinates. */
	rc = crypto_take_datum_padded(x, &dx, size);
	if (rc == 0)
		rc = crypto_take_datum_padded(y, &dy, size);
	if (rc == 0)
		rc = crypto_take_datum_padded(d, &dd, size);
	if (rc) {
		crypto_bytes_free(x);
		crypto_bytes_free(y);
		crypto_bytes_free(d);
		rc = err_set(err, rc, "EC key export: %s", err_strerror(rc));
	}
out:
	crypto_datum_wipe(&dx);
	crypto_datum_wipe(&dy);
	crypto_datum_wipe(&dd);
	gnutls_privkey_deinit(k);
	return rc;
}

/* ------------------------------------------------------- public keys */

int crypto_rsa_pub_import(const struct crypto_bytes *n, const struct crypto_bytes *e,
			  const char *who, gnutls_pubkey_t *out, unsigned *bits, struct err *err)
{
	gnutls_datum_t dn = datum(n), de = datum(e);
	gnutls_pubkey_t k = NULL;
	int rc;

	*out = NULL;
	*bits = 0;
	if (!n->p || !e->p || n->len == 0 || e->len == 0)
		return err_set(err, ERR_INTERNAL, "key %s: incomplete RSA key reached import", who);
	/* An even exponent has no inverse; a huge one is a CPU sink. */
	if (!(e->p[e->len - 1] & 1) || e->len > 8)
		return err_set(err, ERR_KEY,
			       "key %s: member \"e\" must be an odd exponent of at most 64 bits",
			       who);
	if (!(n->p[n->len - 1] & 1))
		return err_set(err, ERR_KEY, "key %s: member \"n\" must be odd (an RSA modulus)",
			       who);
	rc = gnutls_pubkey_init(&k);
	if (rc < 0)
		return err_set(err, ERR_NOMEM, "key %s: gnutls_pubkey_init: %s", who,
			       gnutls_strerror(rc));
	rc = gnutls_pubkey_import_rsa_raw(k, &dn, &de);
	if (rc < 0) {
		rc = err_set(err, ERR_KEY, "key %s: RSA public key refused by GnuTLS: %s", who,
			     gnutls_strerror(rc));
		goto out;
	}
	if (gnutls_pubkey_get_pk_algorithm(k, bits) != GNUTLS_PK_RSA) {
		rc = err_set(err, ERR_KEY, "key %s: GnuTLS did not import an RSA key", who);
		goto out;
	}
	*out = k;
	k = NULL;
out:
	if (k)
		gnutls_pubkey_deinit(k);
	return rc;
}

int crypto_ec_pub_import(enum jwk_crv crv, const uint8_t *x, const uint8_t *y, const char *who,
			 gnutls_pubkey_t *out, struct err *err)
{
	gnutls_ecc_curve_t curve = gnutls_curve(crv);
	size_t size = alg_crv_size(crv);
	gnutls_datum_t dx = {(unsigned char *)x, (unsigned)size};
	gnutls_datum_t dy = {(unsigned char *)y, (unsigned)size};
	gnutls_pubkey_t k = NULL;
	int rc;

	*out = NULL;
	if (curve == GNUTLS_ECC_CURVE_INVALID)
		return err_set(err, ERR_UNSUPPORTED, "key %s: not a NIST curve", who);
	rc = gnutls_pubkey_init(&k);
	if (rc < 0)
		return err_set(err, ERR_NOMEM, "key %s: gnutls_pubkey_init: %s", who,
			       gnutls_strerror(rc));
	rc = gnutls_pubkey_import_ecc_raw(k, curve, &dx, &dy);
	if (rc < 0) {
		rc = err_set(err, ERR_KEY, "key %s: EC public key refused by GnuTLS: %s", who,
			     gnutls_strerror(rc));
		goto out;
	}
	/* The point must be on the curve (invalid-curve attacks). */
	rc = gnutls_pubkey_verify_params(k);
	if (rc < 0) {
		rc = err_set(err, ERR_KEY,
			     "key %s: members \"x\", \"y\" are not a point of %s (EC key check: "
			     "%s)",
			     who, alg_crv_name(crv), gnutls_strerror(rc));
		goto out;
	}
	*out = k;
	k = NULL;
out:
	if (k)
		gnutls_pubkey_deinit(k);
	return rc;
}

int crypto_pub_from_priv(gnutls_privkey_t priv, const char *who, gnutls_pubkey_t *out,
			 struct err *err)
{
	gnutls_pubkey_t k = NULL;
	int rc;

	*out = NULL;
	rc = gnutls_pubkey_init(&k);
	if (rc < 0)
		return err_set(err, ERR_NOMEM, "key %s: gnutls_pubkey_init: %s", who,
			       gnutls_strerror(rc));
	rc = gnutls_pubkey_import_privkey(k, priv, 0, 0);
	if (rc < 0) {
		gnutls_pubkey_deinit(k);
		return err_set(err, ERR_CRYPTO, "key %s: cannot derive the public key: %s", who,
			       gnutls_strerror(rc));
	}
	*out = k;
	return 0;
}

enum jwk_crv crypto_crv_from_gnutls(gnutls_ecc_curve_t c)
{
	switch (c) {
	case GNUTLS_ECC_CURVE_SECP256R1:
		return JWK_CRV_P256;
	case GNUTLS_ECC_CURVE_SECP384R1:
		return JWK_CRV_P384;
	case GNUTLS_ECC_CURVE_SECP521R1:
		return JWK_CRV_P521;
	case GNUTLS_ECC_CURVE_ED25519:
		return JWK_CRV_ED25519;
	default:
		return JWK_CRV_NONE;
	}
}
