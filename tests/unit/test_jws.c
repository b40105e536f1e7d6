/* test_jws.c - JWS production (jws.h) for every alg.
 *
 * Deterministic algs (HS*, RS*, EdDSA) are checked byte for byte against
 * RFC 7515, RFC 7520 and RFC 8037; HS384/HS512 against values computed
 * once with Python's hmac module.  Randomised algs (PS*, ES*) are checked
 * the other way round: the RFC's signature and ours must both verify with
 * GnuTLS's public-key code (a separate path from the signing code), with
 * the PSS salt length pinned to the hash length.
 */
#include <criterion/criterion.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "jwk.h"
#include "jwk_set.h"
#include "jws.h"
#include "testutil.h"

/* ------------------------------------------------------------ helpers */

/* Load the JWK jwk (borrowed) as the only key of a set, with kid. */
static struct jwk *load_jwk(struct json_object *jwk, const char *kid, enum jws_alg alg)
{
	struct json_object *copy = NULL, *set = json_object_new_object();
	struct json_object *keys = json_object_new_array();
	struct jwk *key;
	const char *doc;

	cr_assert_eq(json_object_deep_copy(jwk, &copy, NULL), 0);
	json_object_object_add(copy, "kid", json_object_new_string(kid));
	json_object_array_add(keys, copy);
	json_object_object_add(set, "keys", keys);
	doc = json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN);
	key = tu_select_key(doc, strlen(doc), kid, alg, NULL);
	json_object_put(set);
	return key;
}

static struct jwk *load_vector_key(struct json_object *v)
{
	enum jws_alg alg;

	cr_assert_eq(alg_from_name(tu_vstr(v, "alg"), &alg), 0);
	return load_jwk(tu_vobj(v, "jwk"), "t", alg);
}

static gnutls_datum_t datum_of(struct json_object *jwk, const char *member, uint8_t **hold)
{
	size_t n;
	gnutls_datum_t d;

	*hold = tu_b64d(tu_vstr(jwk, member), &n);
	d.data = *hold;
	d.size = (unsigned)n;
	return d;
}

/* A GnuTLS public key from the public members of jwk. */
static gnutls_pubkey_t pubkey_of(struct json_object *jwk)
{
	gnutls_pubkey_t pub;
	uint8_t *a = NULL, *b = NULL;
	const char *kty = tu_vstr(jwk, "kty");
	int rc;

	cr_assert_eq(gnutls_pubkey_init(&pub), 0);
	if (strcmp(kty, "RSA") == 0) {
		gnutls_datum_t n = datum_of(jwk, "n", &a), e = datum_of(jwk, "e", &b);

		rc = gnutls_pubkey_import_rsa_raw(pub, &n, &e);
	} else {
		const char *crv = tu_vstr(jwk, "crv");
		gnutls_ecc_curve_t c = strcmp(crv, "P-256") == 0   ? GNUTLS_ECC_CURVE_SECP256R1
				       : strcmp(crv, "P-384") == 0 ? GNUTLS_ECC_CURVE_SECP384R1
								   : GNUTLS_ECC_CURVE_SECP521R1;
		gnutls_datum_t x = datum_of(jwk, "x", &a), y = datum_of(jwk, "y", &b);

		rc = gnutls_pubkey_import_ecc_raw(pub, c, &x, &y);
	}
	cr_assert_eq(rc, 0, "public key import: %s", gnutls_strerror(rc));
	free(a);
	free(b);
	return pub;
}

/* Verify sig (raw JWS form) over msg with the public part of jwk. */
static int verify(struct json_object *jwk, enum jws_alg alg, const uint8_t *msg, size_t len,
		  const uint8_t *sig, size_t siglen)
{
	gnutls_datum_t data = {(unsigned char *)msg, (unsigned)len};
	gnutls_datum_t s = {(unsigned char *)sig, (unsigned)siglen}, der = {NULL, 0};
	gnutls_sign_algorithm_t algo;
	unsigned flags = 0;
	size_t field = 0;
	gnutls_pubkey_t pub;
	int rc;

	if (alg == JWS_ALG_EDDSA) {
		size_t n;
		uint8_t *x = tu_b64d(tu_vstr(jwk, "x"), &n);

		cr_assert_eq(n, 32);
		rc = siglen == 64 && crypto_sign_ed25519_verify_detached(sig, msg, len, x) == 0;
		free(x);
		return rc;
	}
	switch (alg) {
	case JWS_ALG_RS256:
		algo = GNUTLS_SIGN_RSA_SHA256;
		break;
	case JWS_ALG_RS384:
		algo = GNUTLS_SIGN_RSA_SHA384;
		break;
	case JWS_ALG_RS512:
		algo = GNUTLS_SIGN_RSA_SHA512;
		break;
	case JWS_ALG_PS256:
		algo = GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
		break;
	case JWS_ALG_PS384:
		algo = GNUTLS_SIGN_RSA_PSS_RSAE_SHA384;
		break;
	case JWS_ALG_PS512:
		algo = GNUTLS_SIGN_RSA_PSS_RSAE_SHA512;
		break;
	case JWS_ALG_ES256:
		algo = GNUTLS_SIGN_ECDSA_SHA256;
		field = 32;
		break;
	case JWS_ALG_ES384:
		algo = GNUTLS_SIGN_ECDSA_SHA384;
		field = 48;
		break;
	case JWS_ALG_ES512:
		algo = GNUTLS_SIGN_ECDSA_SHA512;
		field = 66;
		break;
	default:
		cr_assert_fail("not a public-key alg");
		return 0;
	}
	/* RFC 7518 section 3.5: salt length = hash length, and nothing else. */
	if (alg == JWS_ALG_PS256 || alg == JWS_ALG_PS384 || alg == JWS_ALG_PS512)
		flags |= GNUTLS_VERIFY_RSA_PSS_FIXED_SALT_LENGTH;
	if (field) {
		gnutls_datum_t r = {(unsigned char *)sig, (unsigned)field};
		gnutls_datum_t ss = {(unsigned char *)sig + field, (unsigned)field};

		if (siglen != 2 * field)
			return 0;
		cr_assert_eq(gnutls_encode_rs_value(&der, &r, &ss), 0);
		s = der;
	}
	pub = pubkey_of(jwk);
	rc = gnutls_pubkey_verify_data2(pub, algo, flags, &data, &s);
	gnutls_pubkey_deinit(pub);
	gnutls_free(der.data);
	return rc >= 0;
}

/* Sign the vector's signing input with the vector's key. */
static void sign_vector_input(struct json_object *v, struct buf *sig)
{
	const char *in = tu_vstr(v, "signing_input");
	struct jwk *key = load_vector_key(v);
	enum jws_alg alg;
	struct err e = {0};

	cr_assert_eq(alg_from_name(tu_vstr(v, "alg"), &alg), 0);
	cr_assert_eq(jws_sign_input(sig, key, alg, (const uint8_t *)in, strlen(in), &e), 0, "%s",
		     e.msg);
	jwk_free(key);
}

/* The base64url form of a raw signature. */
static char *b64e(const struct buf *sig)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(b64url_encode_buf(&b, (const uint8_t *)sig->data, sig->len), 0);
	return buf_steal(&b, NULL);
}

static void expect_vector_signature(const char *file)
{
	struct json_object *v = tu_vector(file);
	struct buf sig = BUF_INIT;
	char *got;

	sign_vector_input(v, &sig);
	got = b64e(&sig);
	cr_assert_str_eq(got, tu_vstr(v, "signature_b64"), "%s: signature differs", file);
	free(got);
	buf_free(&sig);
	json_object_put(v);
}

/* ------------------------------------------------------------ alg names */

Test(jws_alg, names_round_trip)
{
	for (int a = JWS_ALG_HS256; a <= JWS_ALG_EDDSA; a++) {
		enum jws_alg back = JWS_ALG_INVALID;
		const char *name = alg_name((enum jws_alg)a);

		cr_assert_not_null(name);
		cr_assert_eq(alg_from_name(name, &back), 0);
		cr_assert_eq(back, a);
	}
	cr_assert_str_eq(alg_name(JWS_ALG_EDDSA), "EdDSA");
	cr_assert_null(alg_name(JWS_ALG_INVALID));
}

Test(jws_alg, none_and_unknown_refused)
{
	static const char *const bad[] = {"none",   "None",   "",	 "hs256",
					  "HS256 ", "ES256K", "Ed25519", "RSA-OAEP"};
	enum jws_alg out = JWS_ALG_HS256;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(alg_from_name(bad[i], &out), ERR_UNSUPPORTED, "%s", bad[i]);
	cr_assert_eq(alg_from_name(NULL, &out), ERR_UNSUPPORTED);
}

/* ------------------------------------------------------------ header */

Test(jws_header, sorted_members)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(jws_protected_header(&b, JWS_ALG_HS256, "sim2", "JWT"), 0);
	cr_assert_str_eq(b.data, "{\"alg\":\"HS256\",\"kid\":\"sim2\",\"typ\":\"JWT\"}");
	buf_reset(&b);
	cr_assert_eq(jws_protected_header(&b, JWS_ALG_EDDSA, NULL, NULL), 0);
	cr_assert_str_eq(b.data, "{\"alg\":\"EdDSA\"}");
	buf_reset(&b);
	cr_assert_eq(jws_protected_header(&b, JWS_ALG_PS512, NULL, ""), 0);
	cr_assert_str_eq(b.data, "{\"alg\":\"PS512\"}");
	buf_reset(&b);
	cr_assert_eq(jws_protected_header(&b, JWS_ALG_ES384, "k", "at+jwt"), 0);
	cr_assert_str_eq(b.data, "{\"alg\":\"ES384\",\"kid\":\"k\",\"typ\":\"at+jwt\"}");
	buf_free(&b);
}

Test(jws_header, go_string_escaping)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(jws_protected_header(&b, JWS_ALG_RS256, "a\"b\\c<d>&e/\n", NULL), 0);
	cr_assert_str_eq(b.data,
			 "{\"alg\":\"RS256\",\"kid\":\"a\\\"b\\\\c\\u003cd\\u003e\\u0026e/\\n\"}");
	buf_free(&b);
}

Test(jws_header, invalid_alg)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(jws_protected_header(&b, JWS_ALG_INVALID, "k", "JWT"), ERR_UNSUPPORTED);
	cr_assert_eq(b.len, 0);
	buf_free(&b);
}

/* ------------------------------------------------------------ HMAC */

#define SIM2_SET                                                                                   \
	"{\"keys\":[{\"kty\":\"oct\",\"kid\":\"sim2\",\"k\":"                                      \
	"\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow" \
	"\"}]}"
#define SIM2_PAYLOAD "{\"aud\":\"https://api.example/v1\",\"exp\":1735689600,\"sub\":\"u-42\"}"
#define SIM2_HEADER_B64 "eyJhbGciOiJIUzI1NiIsImtpZCI6InNpbTIiLCJ0eXAiOiJKV1QifQ"
#define SIM2_PAYLOAD_B64                                                                           \
	"eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzM1Njg5NjAwLCJzdWIiOiJ1LTQyIn0"
#define SIM2_SIG_B64 "mZSK32sQOXnlHrOAVXwnGZYtjMu415MUtqMBkoS5xm0"

static struct jwk *sim2_key(enum jws_alg alg)
{
	return tu_select_key(SIM2_SET, strlen(SIM2_SET), "sim2", alg, NULL);
}

Test(jws_hmac, hs256_reference_compact)
{
	struct jwk *key = sim2_key(JWS_ALG_HS256);
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(jws_sign_compact(&out, key, JWS_ALG_HS256, "JWT",
				      (const uint8_t *)SIM2_PAYLOAD, strlen(SIM2_PAYLOAD), &e),
		     0, "%s", e.msg);
	cr_assert_str_eq(out.data, SIM2_HEADER_B64 "." SIM2_PAYLOAD_B64 "." SIM2_SIG_B64);
	buf_free(&out);
	jwk_free(key);
}

Test(jws_hmac, hs256_reference_flattened)
{
	struct jwk *key = sim2_key(JWS_ALG_HS256);
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(jws_sign_flattened(&out, key, JWS_ALG_HS256, "JWT",
					(const uint8_t *)SIM2_PAYLOAD, strlen(SIM2_PAYLOAD), &e),
		     0, "%s", e.msg);
	cr_assert_str_eq(out.data,
			 "{\"payload\":\"" SIM2_PAYLOAD_B64 "\",\"protected\":\"" SIM2_HEADER_B64
			 "\",\"signature\":\"" SIM2_SIG_B64 "\"}");
	buf_free(&out);
	jwk_free(key);
}

Test(jws_hmac, appends_after_existing_content)
{
	struct jwk *key = sim2_key(JWS_ALG_HS256);
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(buf_puts(&out, "prefix:"), 0);
	cr_assert_eq(jws_sign_compact(&out, key, JWS_ALG_HS256, "JWT",
				      (const uint8_t *)SIM2_PAYLOAD, strlen(SIM2_PAYLOAD), &e),
		     0, "%s", e.msg);
	cr_assert_str_eq(out.data, "prefix:" SIM2_HEADER_B64 "." SIM2_PAYLOAD_B64 "." SIM2_SIG_B64);
	buf_free(&out);
	jwk_free(key);
}

Test(jws_hmac, rfc7515_a1_hs256)
{
	expect_vector_signature("rfc7515-a1-hs256.json");
}

Test(jws_hmac, rfc7520_4_4_hs256)
{
	expect_vector_signature("rfc7520-4.4-hs256.json");
}

/* RFC 7520 4.4: the header we build is the RFC's, so the whole compact
 * and flattened serializations come out byte for byte. */
Test(jws_hmac, rfc7520_4_4_whole_serializations)
{
	struct json_object *v = tu_vector("rfc7520-4.4-hs256.json");
	struct json_object *jwk = tu_vobj(v, "jwk"), *flat = tu_vobj(v, "json_flattened");
	const char *payload = tu_vstr(v, "payload_utf8");
	struct jwk *key = load_jwk(jwk, tu_vstr(jwk, "kid"), JWS_ALG_HS256);
	struct buf out = BUF_INIT, want = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(jws_sign_compact(&out, key, JWS_ALG_HS256, NULL, (const uint8_t *)payload,
				      strlen(payload), &e),
		     0, "%s", e.msg);
	cr_assert_str_eq(out.data, tu_vstr(v, "compact"));
	buf_reset(&out);
	cr_assert_eq(jws_sign_flattened(&out, key, JWS_ALG_HS256, NULL, (const uint8_t *)payload,
					strlen(payload), &e),
		     0, "%s", e.msg);
	cr_assert_eq(buf_printf(&want,
				"{\"payload\":\"%s\",\"protected\":\"%s\",\"signature\":\"%s\"}",
				tu_vstr(flat, "payload"), tu_vstr(flat, "protected"),
				tu_vstr(flat, "signature")),
		     0);
	cr_assert_str_eq(out.data, want.data);
	buf_free(&out);
	buf_free(&want);
	jwk_free(key);
	json_object_put(v);
}

/* Expected values computed once with Python 3:
 *   k = base64url-decode(RFC 7515 A.1 "k"); m = A.1 signing input
 *   hmac.new(k, m, hashlib.sha384 / sha512).digest(), base64url-encoded. */
static void expect_hmac(enum jws_alg alg, const char *k_b64, const char *want)
{
	struct json_object *v = tu_vector("rfc7515-a1-hs256.json");
	struct json_object *jwk = json_object_new_object();
	const char *in = tu_vstr(v, "signing_input");
	struct buf sig = BUF_INIT;
	struct jwk *key;
	struct err e = {0};
	char *got;

	json_object_object_add(jwk, "kty", json_object_new_string("oct"));
	json_object_object_add(jwk, "k", json_object_new_string(k_b64));
	key = load_jwk(jwk, "h", alg);
	cr_assert_eq(jws_sign_input(&sig, key, alg, (const uint8_t *)in, strlen(in), &e), 0, "%s",
		     e.msg);
	got = b64e(&sig);
	cr_assert_str_eq(got, want, "%s", alg_name(alg));
	free(got);
	buf_free(&sig);
	jwk_free(key);
	json_object_put(jwk);
	json_object_put(v);
}

#define A1_K                                                                                       \
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
/* bytes 0..99 followed by 100 zero bytes: longer than every HMAC block */
#define LONG_K                                                                                     \
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BB" \
	"QkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAA"

Test(jws_hmac, hs384_python_value)
{
	expect_hmac(JWS_ALG_HS384, A1_K,
		    "azVX8-2q_DEdR5zRuXcG0qXAudGzchZHmWo-uKNQi_S5q9lpGrlH7hnDyIKEhZmX");
}

Test(jws_hmac, hs512_python_value)
{
	expect_hmac(
	    JWS_ALG_HS512, A1_K,
	    "MNHB8V8aB0FknfHyFENJHJkpilOknuKGNCH5xJc_m1eUHtYzi0zNjSqbQ5IK9BYQb9_dyIzws4Zjt3AcsuKZ"
	    "Ag");
}

/* Keys longer than the hash block are hashed first (RFC 2104 section 2).
 * Keys shorter than the hash output are refused (test_jwk). */
Test(jws_hmac, key_lengths_python_values)
{
	expect_hmac(JWS_ALG_HS256, LONG_K, "srHEBjsubQMyF5AqaOXhcuAaq2rPdhTGLCgAc31KIEs");
	expect_hmac(JWS_ALG_HS384, LONG_K,
		    "NtpGYYdC5prYGFjAA1X_0BWBmKNXewOgoApCE1EfqpW9AtCqQTmDWKn_EV80SOvm");
	expect_hmac(
	    JWS_ALG_HS512, LONG_K,
	    "ATGy4_r4bCnn3HzjwCIvVnocSQvdGwILpXnW36qNk7TJQEeg_pQ_yRSMwEX-Y2E-9FoGpBaY1Vfdm3K0tgV7"
	    "cQ");
}

/* ------------------------------------------------------------ RSA */

Test(jws_rsa, rfc7515_a2_rs256)
{
	expect_vector_signature("rfc7515-a2-rs256.json");
}

Test(jws_rsa, rfc7520_4_1_rs256)
{
	expect_vector_signature("rfc7520-4.1-rs256.json");
}

Test(jws_rsa, rfc7520_4_1_whole_compact)
{
	struct json_object *v = tu_vector("rfc7520-4.1-rs256.json");
	struct json_object *jwk = tu_vobj(v, "jwk");
	const char *payload = tu_vstr(v, "payload_utf8");
	struct jwk *key = load_jwk(jwk, tu_vstr(jwk, "kid"), JWS_ALG_RS256);
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(jws_sign_compact(&out, key, JWS_ALG_RS256, NULL, (const uint8_t *)payload,
				      strlen(payload), &e),
		     0, "%s", e.msg);
	cr_assert_str_eq(out.data, tu_vstr(v, "compact"));
	buf_free(&out);
	jwk_free(key);
	json_object_put(v);
}

/* RS384/RS512 have no RFC vector: ours must verify, be deterministic and
 * be modulus-sized. */
Test(jws_rsa, rs384_rs512_verify)
{
	struct json_object *v = tu_vector("rfc7520-4.1-rs256.json");
	struct json_object *jwk = tu_vobj(v, "jwk");
	const char *in = tu_vstr(v, "signing_input");
	enum jws_alg algs[] = {JWS_ALG_RS384, JWS_ALG_RS512};

	for (int i = 0; i < 2; i++) {
		struct jwk *key = load_jwk(jwk, "r", algs[i]);
		struct buf s1 = BUF_INIT, s2 = BUF_INIT;
		struct err e = {0};

		cr_assert_eq(jws_sign_input(&s1, key, algs[i], (const uint8_t *)in, strlen(in), &e),
			     0, "%s", e.msg);
		cr_assert_eq(jws_sign_input(&s2, key, algs[i], (const uint8_t *)in, strlen(in), &e),
			     0, "%s", e.msg);
		cr_assert_eq(s1.len, 256);
		cr_assert_arr_eq(s1.data, s2.data, 256, "PKCS#1 v1.5 is deterministic");
		cr_assert(verify(jwk, algs[i], (const uint8_t *)in, strlen(in),
				 (const uint8_t *)s1.data, s1.len));
		s1.data[10] ^= 1;
		cr_assert_not(verify(jwk, algs[i], (const uint8_t *)in, strlen(in),
				     (const uint8_t *)s1.data, s1.len),
			      "a corrupted signature must not verify");
		buf_free(&s1);
		buf_free(&s2);
		jwk_free(key);
	}
	json_object_put(v);
}

Test(jws_pss, rfc7520_4_2_ps384_rfc_signature_verifies)
{
	struct json_object *v = tu_vector("rfc7520-4.2-ps384.json");
	const char *in = tu_vstr(v, "signing_input");
	size_t n;
	uint8_t *sig = tu_b64d(tu_vstr(v, "signature_b64"), &n);

	cr_assert(
	    verify(tu_vobj(v, "jwk"), JWS_ALG_PS384, (const uint8_t *)in, strlen(in), sig, n));
	sig[n - 1] ^= 1;
	cr_assert_not(
	    verify(tu_vobj(v, "jwk"), JWS_ALG_PS384, (const uint8_t *)in, strlen(in), sig, n));
	free(sig);
	json_object_put(v);
}

/* Ours verify with the salt length pinned to the hash length, and two
 * signatures differ (random salt). */
Test(jws_pss, ps256_ps384_ps512_verify)
{
	struct json_object *v = tu_vector("rfc7520-4.2-ps384.json");
	struct json_object *jwk = tu_vobj(v, "jwk");
	const char *in = tu_vstr(v, "signing_input");
	enum jws_alg algs[] = {JWS_ALG_PS256, JWS_ALG_PS384, JWS_ALG_PS512};

	for (int i = 0; i < 3; i++) {
		struct jwk *key = load_jwk(jwk, "p", algs[i]);
		struct buf s1 = BUF_INIT, s2 = BUF_INIT;
		struct err e = {0};

		cr_assert_eq(jws_sign_input(&s1, key, algs[i], (const uint8_t *)in, strlen(in), &e),
			     0, "%s", e.msg);
		cr_assert_eq(jws_sign_input(&s2, key, algs[i], (const uint8_t *)in, strlen(in), &e),
			     0, "%s", e.msg);
		cr_assert_eq(s1.len, 256);
		cr_assert_neq(memcmp(s1.data, s2.data, 256), 0, "PSS salt must be random");
		cr_assert(verify(jwk, algs[i], (const uint8_t *)in, strlen(in),
				 (const uint8_t *)s1.data, s1.len),
			  "%s", alg_name(algs[i]));
		cr_assert(verify(jwk, algs[i], (const uint8_t *)in, strlen(in),
				 (const uint8_t *)s2.data, s2.len));
		buf_free(&s1);
		buf_free(&s2);
		jwk_free(key);
	}
	json_object_put(v);
}

/* ------------------------------------------------------------ ECDSA */

static void expect_rfc_ecdsa_verifies(const char *file, enum jws_alg alg)
{
	struct json_object *v = tu_vector(file);
	const char *in = tu_vstr(v, "signing_input");
	size_t n;
	uint8_t *sig = tu_b64d(tu_vstr(v, "signature_b64"), &n);

	cr_assert(verify(tu_vobj(v, "jwk"), alg, (const uint8_t *)in, strlen(in), sig, n), "%s",
		  file);
	sig[n / 2] ^= 1;
	cr_assert_not(verify(tu_vobj(v, "jwk"), alg, (const uint8_t *)in, strlen(in), sig, n));
	free(sig);
	json_object_put(v);
}

Test(jws_ecdsa, rfc_signatures_verify)
{
	expect_rfc_ecdsa_verifies("rfc7515-a3-es256.json", JWS_ALG_ES256);
	expect_rfc_ecdsa_verifies("rfc7515-a4-es512.json", JWS_ALG_ES512);
	expect_rfc_ecdsa_verifies("rfc7520-4.3-es512.json", JWS_ALG_ES512);
}

/* Every signature is exactly 2 * field bytes and verifies; with random
 * nonces, R or S is short (needs left padding) about once in 256 and has
 * a DER sign byte about half the time, so many rounds catch both. */
static void ecdsa_rounds(struct json_object *jwk, enum jws_alg alg, size_t field, int rounds)
{
	struct jwk *key = load_jwk(jwk, "e", alg);
	const char *in = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA";
	int short_parts = 0;

	for (int i = 0; i < rounds; i++) {
		struct buf sig = BUF_INIT;
		struct err e = {0};

		cr_assert_eq(jws_sign_input(&sig, key, alg, (const uint8_t *)in, strlen(in), &e), 0,
			     "%s", e.msg);
		cr_assert_eq(sig.len, 2 * field, "round %d: %zu bytes", i, sig.len);
		cr_assert(verify(jwk, alg, (const uint8_t *)in, strlen(in),
				 (const uint8_t *)sig.data, sig.len),
			  "round %d does not verify", i);
		short_parts += sig.data[0] == 0 || sig.data[field] == 0;
		buf_free(&sig);
	}
	jwk_free(key);
	cr_log_info("%s: %d of %d signatures had a zero leading byte in R or S", alg_name(alg),
		    short_parts, rounds);
}

Test(jws_ecdsa, es512_1000_rounds, .timeout = 600)
{
	struct json_object *v = tu_vector("rfc7515-a4-es512.json");

	ecdsa_rounds(tu_vobj(v, "jwk"), JWS_ALG_ES512, 66, 1000);
	json_object_put(v);
}

Test(jws_ecdsa, es256_500_rounds, .timeout = 600)
{
	struct json_object *v = tu_vector("rfc7515-a3-es256.json");

	ecdsa_rounds(tu_vobj(v, "jwk"), JWS_ALG_ES256, 32, 500);
	json_object_put(v);
}

Test(jws_ecdsa, es384_500_rounds, .timeout = 600)
{
	struct json_object *v = tu_vector("negative-ec-p384-key-with-es256.json");

	/* The key of this negative vector is a sound P-384 key (its
	 * "key_valid_for" is ES384). */
	cr_assert_str_eq(tu_vstr(v, "key_valid_for"), "ES384");
	ecdsa_rounds(tu_vobj(v, "jwk"), JWS_ALG_ES384, 48, 500);
	json_object_put(v);
}

/* ------------------------------------------------------------ EdDSA */

Test(jws_eddsa, rfc8037_a4_ed25519)
{
	expect_vector_signature("rfc8037-a4-eddsa-ed25519.json");
}

/* jwk_parse on the RFC's JWK (no kid), so our header is the RFC's
 * {"alg":ALG} and the whole compact serialization must come out. */
static void expect_whole_compact(const char *file, enum jws_alg alg)
{
	struct json_object *v = tu_vector(file);
	struct jwk *key = NULL;
	struct buf out = BUF_INIT;
	struct err e = {0};
	size_t n;
	uint8_t *payload = tu_b64d(tu_vstr(v, "payload_b64"), &n);

	cr_assert_eq(jwk_parse(tu_vobj(v, "jwk"), &key, &e), 0, "%s", e.msg);
	cr_assert_null(jwk_kid(key));
	cr_assert_eq(jws_sign_compact(&out, key, alg, NULL, payload, n, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out.data, tu_vstr(v, "compact"), "%s", file);
	free(payload);
	buf_free(&out);
	jwk_free(key);
	json_object_put(v);
}

Test(jws_eddsa, rfc8037_a4_whole_compact)
{
	expect_whole_compact("rfc8037-a4-eddsa-ed25519.json", JWS_ALG_EDDSA);
}

Test(jws_rsa, rfc7515_a2_whole_compact)
{
	expect_whole_compact("rfc7515-a2-rs256.json", JWS_ALG_RS256);
}

/* ------------------------------------------------------------ failures */

/* A refused signing leaves out exactly as it was and sets err. */
Test(jws_fail, wrong_alg_leaves_out_unchanged)
{
	struct jwk *key = sim2_key(JWS_ALG_HS256);
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(buf_puts(&out, "keep"), 0);
	cr_assert_eq(
	    jws_sign_compact(&out, key, JWS_ALG_RS256, "JWT", (const uint8_t *)"{}", 2, &e),
	    ERR_KEY);
	cr_assert_str_eq(out.data, "keep");
	cr_assert_eq(out.len, 4);
	cr_assert_not_null(strstr(e.msg, "\"sim2\""), "%s", e.msg);
	cr_assert_eq(
	    jws_sign_flattened(&out, key, JWS_ALG_HS512, "JWT", (const uint8_t *)"{}", 2, &e), 0,
	    "an oct key signs every HS* alg");
	buf_reset(&out);
	cr_assert_eq(buf_puts(&out, "keep"), 0);
	cr_assert_eq(
	    jws_sign_flattened(&out, key, JWS_ALG_EDDSA, NULL, (const uint8_t *)"{}", 2, &e),
	    ERR_KEY);
	cr_assert_str_eq(out.data, "keep");
	cr_assert_eq(jws_sign_input(&out, key, JWS_ALG_INVALID, (const uint8_t *)"x", 1, &e),
		     ERR_UNSUPPORTED);
	cr_assert_str_eq(out.data, "keep");
	buf_free(&out);
	jwk_free(key);
}

/* An output limit reached half-way also leaves out unchanged. */
Test(jws_fail, limit_leaves_out_unchanged)
{
	struct jwk *key = sim2_key(JWS_ALG_HS256);
	struct buf out;
	struct err e = {0};

	buf_init(&out, 60);
	cr_assert_eq(buf_puts(&out, "keep"), 0);
	cr_assert_eq(jws_sign_compact(&out, key, JWS_ALG_HS256, "JWT",
				      (const uint8_t *)SIM2_PAYLOAD, strlen(SIM2_PAYLOAD), &e),
		     ERR_LIMIT);
	cr_assert_str_eq(out.data, "keep");
	cr_assert_eq(jws_sign_flattened(&out, key, JWS_ALG_HS256, "JWT",
					(const uint8_t *)SIM2_PAYLOAD, strlen(SIM2_PAYLOAD), &e),
		     ERR_LIMIT);
	cr_assert_str_eq(out.data, "keep");
	buf_free(&out);
	jwk_free(key);
}

Test(jws_fail, null_key)
{
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(jws_sign_compact(&out, NULL, JWS_ALG_HS256, NULL, (const uint8_t *)"x", 1, &e),
		     ERR_KEY);
	cr_assert_eq(jws_sign_input(&out, NULL, JWS_ALG_HS256, (const uint8_t *)"x", 1, &e),
		     ERR_KEY);
	cr_assert_eq(out.len, 0);
	buf_free(&out);
}
