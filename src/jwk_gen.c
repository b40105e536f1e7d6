/* jwk_gen.c - new keys as private JWK Sets (genkey); see jwk_gen.h.
 * RFC 7518 sections 3.2 and 6, RFC 8037 section 2.
 */
#include "jwk_gen.h"
#include "crypto.h"
#include "jwk_int.h"
#include "jwk_set.h"

#include <sodium.h>
#include <string.h>

struct gen_params {
	enum jwk_kty kty;
	unsigned bits;
	enum jwk_crv crv;
	const struct alg_info *alg; /* or NULL */
};

/* Check the request and fill in defaults. */
static int gen_check(const char *kty, unsigned bits, const char *crv, const char *kid,
		     const char *alg, struct gen_params *g, struct err *err)
{
	enum jws_alg a;

	memset(g, 0, sizeof(*g));
	if (kid == NULL || *kid == '\0')
		return err_set(err, ERR_INVALID, "a kid is required");
	if (kty == NULL || alg_kty_from_name(kty, &g->kty) != 0)
		return err_set(err, ERR_UNSUPPORTED, "kty must be oct, RSA, EC or OKP");
	if (alg) {
		if (alg_from_name(alg, &a) != 0)
			return err_set(err, ERR_UNSUPPORTED, "alg \"%.20s\" is not supported", alg);
		g->alg = alg_info(a);
		if (g->alg->kty != g->kty)
			return err_set(err, ERR_INVALID, "alg %s needs kty \"%s\"", alg,
				       alg_kty_name(g->alg->kty));
	}
	if ((g->kty == JWK_KTY_OCT || g->kty == JWK_KTY_RSA) && crv)
		return err_set(err, ERR_INVALID, "crv applies to kty EC and OKP only");
	if ((g->kty == JWK_KTY_EC || g->kty == JWK_KTY_OKP) && bits)
		return err_set(err, ERR_INVALID,
			       "the size applies to kty oct and RSA only (use crv)");
	switch (g->kty) {
	case JWK_KTY_OCT:
		/* RFC 7518 section 3.2: at least the hash size. */
		g->bits = bits ? bits : g->alg ? (unsigned)g->alg->hash_len * 8 : 256;
		if (g->bits % 8 || g->bits < 128 || g->bits > 8192)
			return err_set(err, ERR_INVALID,
				       "oct size must be a multiple of 8 from 128 to 8192");
		if (g->alg && g->bits < g->alg->hash_len * 8)
			return err_set(err, ERR_INVALID,
				       "%s needs a key of at least %zu bits (RFC 7518 "
				       "section 3.2)",
				       alg, g->alg->hash_len * 8);
		break;
	case JWK_KTY_RSA:
		g->bits = bits ? bits : CRYPTO_RSA_MIN_BITS;
		if (g->bits % 8 || g->bits < CRYPTO_RSA_MIN_BITS || g->bits > CRYPTO_RSA_MAX_BITS)
			return err_set(err, ERR_INVALID,
				       "RSA size must be a multiple of 8 from %u to %u",
				       CRYPTO_RSA_MIN_BITS, CRYPTO_RSA_MAX_BITS);
		break;
	case JWK_KTY_EC:
	case JWK_KTY_OKP:
		if (crv == NULL)
			g->crv = g->alg			? g->alg->crv
				 : g->kty == JWK_KTY_EC ? JWK_CRV_P256
							: JWK_CRV_ED25519;
		else
			g->crv = alg_crv_from_name(crv);
		if (g->crv == 0 || (g->crv == JWK_CRV_ED25519) != (g->kty == JWK_KTY_OKP))
			return err_set(err, ERR_UNSUPPORTED, "crv must be %s",
				       g->kty == JWK_KTY_OKP ? "Ed25519" : "P-256, P-384 or P-521");
		if (g->alg && g->alg->crv != g->crv)
			return err_set(err, ERR_INVALID, "alg %s needs crv %s", alg,
				       alg_crv_name(g->alg->crv));
		break;
	case JWK_KTY_NONE:
		break;
	}
	return 0;
}

/* Write the key members of a new key into b (reserved beforehand so the
 * secret is never left behind by a realloc). */
static int gen_members(struct buf *b, const struct gen_params *g, struct err *err)
{
	struct crypto_rsa r;
	struct crypto_bytes x = {NULL, 0}, y = {NULL, 0}, d = {NULL, 0};
	int rc;

	memset(&r, 0, sizeof(r));
	switch (g->kty) {
	case JWK_KTY_OCT:
		d.p = sodium_malloc(g->bits / 8);
		if (d.p == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
		d.len = g->bits / 8;
		randombytes_buf(d.p, d.len);
		rc = jwk_put_b64(b, "k", &d);
		break;
	case JWK_KTY_RSA:
		rc = crypto_rsa_generate(g->bits, &r, err);
		if (rc)
			return rc;
		if ((rc = jwk_put_b64(b, "n", &r.n)) || (rc = jwk_put_b64(b, "e", &r.e)) ||
		    (rc = jwk_put_b64(b, "d", &r.d)) || (rc = jwk_put_b64(b, "p", &r.p)) ||
		    (rc = jwk_put_b64(b, "q", &r.q)) || (rc = jwk_put_b64(b, "dp", &r.dp)) ||
		    (rc = jwk_put_b64(b, "dq", &r.dq)) || (rc = jwk_put_b64(b, "qi", &r.qi)))
			break;
		break;
	default:
		rc = crypto_ec_generate(g->crv, &x, &y, &d, err);
		if (rc)
			return rc;
		rc = buf_printf(b, ",\"crv\":\"%s\"", alg_crv_name(g->crv));
		if (rc == 0)
			rc = jwk_put_b64(b, "x", &x);
		if (rc == 0 && y.p)
			rc = jwk_put_b64(b, "y", &y);
		if (rc == 0)
			rc = jwk_put_b64(b, "d", &d);
		break;
	}
	crypto_rsa_free(&r);
	crypto_bytes_free(&x);
	crypto_bytes_free(&y);
	crypto_bytes_free(&d);
	if (rc)
		return err_set(err, rc, "cannot write the key: %s", err_strerror(rc));
	return 0;
}

/* Parse the new set back and check the key can sign: catches any
 * mismatch between GnuTLS's export and the JWK encoding. */
static int gen_selfcheck(const struct buf *b, const char *kid, const struct gen_params *g,
			 struct err *err)
{
	static const enum jws_alg natural[] = {[JWK_KTY_OCT] = JWS_ALG_HS256,
					       [JWK_KTY_RSA] = JWS_ALG_RS256,
					       [JWK_KTY_EC] = JWS_ALG_ES256,
					       [JWK_KTY_OKP] = JWS_ALG_EDDSA};
	const char *kids[1] = {kid};
	enum jws_alg alg = g->alg ? g->alg->alg : natural[g->kty];
	struct jwk *key = NULL;
	int rc;

	if (!g->alg && g->kty == JWK_KTY_EC)
		alg = g->crv == JWK_CRV_P384   ? JWS_ALG_ES384
		      : g->crv == JWK_CRV_P521 ? JWS_ALG_ES512
					       : JWS_ALG_ES256;
	rc = jwk_set_select(b->data, b->len, kids, 1, alg, NULL, &key, err);
	jwk_free(key);
	if (rc && err)
		err_prefix(err, "the new key failed its check");
	return rc;
}

int jwk_generate(struct buf *out, const char *kty, unsigned bits, const char *crv, const char *kid,
		 const char *alg, struct err *err)
{
	struct gen_params g;
	struct buf b = BUF_INIT_SECRET;
	int rc;

	if (sodium_init() < 0)
		return err_set(err, ERR_CRYPTO, "libsodium cannot be initialised");
	rc = gen_check(kty, bits, crv, kid, alg, &g, err);
	if (rc)
		return rc;
	/* Room for every member (RSA: about 4.5 modulus sizes, base64url'd)
	 * plus the kid, escaped at most 6 bytes per byte. */
	rc = buf_reserve(&b, (g.kty == JWK_KTY_RSA || g.kty == JWK_KTY_OCT ? g.bits : 0) + 1024 +
				 6 * strlen(kid));
	if (rc == 0)
		rc = jwk_put_head(&b, g.kty, kid, g.alg ? g.alg->alg : JWS_ALG_INVALID);
	if (rc) {
		err_set(err, rc, "%s", err_strerror(rc));
		goto out;
	}
	rc = gen_members(&b, &g, err);
	if (rc)
		goto out;
	rc = buf_puts(&b, "}]}");
	if (rc == 0)
		rc = buf_reserve(out, b.len);
	if (rc) {
		err_set(err, rc, "%s", err_strerror(rc));
		goto out;
	}
	rc = gen_selfcheck(&b, kid, &g, err);
	if (rc == 0)
		rc = buf_append(out, b.data, b.len);
out:
	buf_wipe_free(&b);
	return rc;
}
