/* test_jwt.c - JWT validation (jwt.h, jwt_claims.h, jwk_keyring.h,
 * crypto_jws_verify).
 *
 * Positive: RFC 7515 A.1-A.4 and RFC 8037 A.4 byte for byte, tokens made
 * by python3-jwcrypto (tests/data/jwt-jwcrypto.json, from jwt-gen.py) and
 * by jwtsign's own signer.  Negative: each check of jwt.h, one second
 * each side of every time bound, aud string vs array, nested roles,
 * scopes, wrong kid, algorithm confusion, malformed encodings.
 */
#include <criterion/criterion.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "jwk.h"
#include "jwk_keyring.h"
#include "jwk_set.h"
#include "jws.h"
#include "jwt.h"
#include "testutil.h"

/* ------------------------------------------------------------ helpers */

static struct jwk_keyring *ring_of(const char *doc)
{
	struct jwk_keyring *ring = NULL;
	struct err e = {0};

	cr_assert_eq(jwk_keyring_parse(doc, strlen(doc), NULL, &ring, &e), 0, "%s", e.msg);
	return ring;
}

/* A one-key ring from the "jwk" of a vector file; kid NULL: none. */
static struct jwk_keyring *ring_of_vector(const char *file, const char *kid, bool public_only)
{
	struct json_object *jwk = tu_vector_jwk(file), *set = json_object_new_object();
	struct json_object *keys = json_object_new_array();
	static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi"};
	struct jwk_keyring *ring;

	if (kid)
		json_object_object_add(jwk, "kid", json_object_new_string(kid));
	for (size_t i = 0; public_only && i < 6; i++)
		json_object_object_del(jwk, priv[i]);
	json_object_array_add(keys, jwk);
	json_object_object_add(set, "keys", keys);
	ring = ring_of(json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN));
	json_object_put(set);
	return ring;
}

static struct jwt_policy policy(const enum jws_alg *algs, size_t n)
{
	struct jwt_policy p;

	memset(&p, 0, sizeof(p));
	p.algs = algs;
	p.nalgs = n;
	p.require_exp = true;
	return p;
}

static enum jwt_reason verify(const char *tok, const struct jwt_policy *pol,
			      const struct jwk_keyring *ring, int64_t now)
{
	struct jwt_token t;
	struct err e = {0};
	enum jwt_reason r;

	memset(&t, 0, sizeof(t));
	r = jwt_verify(tok, strlen(tok), pol, ring, now, &t, &e);
	if (r == JWT_OK) {
		cr_assert_not_null(t.claims);
		cr_assert_gt(t.payload.len, 0);
	} else {
		cr_assert_null(t.claims);
		cr_assert_neq(e.msg[0], '\0', "reason %s without message", jwt_reason_word(r));
	}
	jwt_token_free(&t);
	return r;
}

static void append_b64(struct buf *b, const char *s, size_t n)
{
	cr_assert_eq(b64url_encode_buf(b, (const uint8_t *)s, n), 0);
}

/* HMAC test key (32 bytes), kid "h1", and a second one. */
static const char HS_SET[] =
    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h1\",\"k\":"
    "\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"},"
    "{\"kty\":\"oct\",\"kid\":\"h2\",\"k\":\"c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ\"}]}";

/* A compact JWS of the header and payload texts, signed with key and alg
 * whatever the header says. */
static char *mk(const char *header, const char *payload, const struct jwk *key, enum jws_alg alg)
{
	struct buf b = BUF_INIT, sig = BUF_INIT;
	struct err e = {0};
	char *s;

	append_b64(&b, header, strlen(header));
	cr_assert_eq(buf_putc(&b, '.'), 0);
	append_b64(&b, payload, strlen(payload));
	cr_assert_eq(jws_sign_input(&sig, key, alg, (const uint8_t *)b.data, b.len, &e), 0, "%s",
		     e.msg);
	cr_assert_eq(buf_putc(&b, '.'), 0);
	append_b64(&b, sig.data, sig.len);
	buf_free(&sig);
	s = buf_steal(&b, NULL);
	cr_assert_not_null(s);
	return s;
}

static struct jwk *hs_key(const char *kid)
{
	return tu_select_key(HS_SET, strlen(HS_SET), kid, JWS_ALG_HS256, NULL);
}

/* An HS256 token with kid h1 and the given claims. */
static char *hs(const char *payload)
{
	struct jwk *k = hs_key("h1");
	char *t = mk("{\"alg\":\"HS256\",\"kid\":\"h1\"}", payload, k, JWS_ALG_HS256);

	jwk_free(k);
	return t;
}

static const enum jws_alg HS256[] = {JWS_ALG_HS256};
#define NOW 1000000

static enum jwt_reason hs_check(const char *payload, const struct jwt_policy *pol)
{
	struct jwk_keyring *ring = ring_of(HS_SET);
	char *t = hs(payload);
	enum jwt_reason r = verify(t, pol, ring, NOW);

	free(t);
	jwk_keyring_free(ring);
	return r;
}

/* ------------------------------------------------------- RFC vectors */

Test(rfc, a1_hs256)
{
	struct json_object *v = tu_vector("rfc7515-a1-hs256.json");
	struct jwk_keyring *ring = ring_of_vector("rfc7515-a1-hs256.json", NULL, false);
	struct jwt_policy p = policy(HS256, 1);
	struct jwt_token t;
	struct err e = {0};
	const char *tok = tu_vstr(v, "compact");

	memset(&t, 0, sizeof(t));
	/* exp is 1300819380: valid up to that second, expired one after. */
	cr_assert_eq(jwt_verify(tok, strlen(tok), &p, ring, 1300819380, &t, &e), JWT_OK, "%s",
		     e.msg);
	cr_assert_str_eq(t.payload.data, "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n "
					 "\"http://example.com/is_root\":true}");
	cr_assert_null(t.kid);
	cr_assert_eq(t.alg, JWS_ALG_HS256);
	jwt_token_free(&t);
	cr_assert_eq(verify(tok, &p, ring, 1300819381), JWT_EXPIRED);
	jwk_keyring_free(ring);
	json_object_put(v);
}

static void rfc_json(const char *file, enum jws_alg alg, bool public_only)
{
	struct json_object *v = tu_vector(file);
	struct jwk_keyring *ring = ring_of_vector(file, NULL, public_only);
	struct jwt_policy p = policy(&alg, 1);

	cr_assert_eq(verify(tu_vstr(v, "compact"), &p, ring, 1300819380), JWT_OK, "%s", file);
	jwk_keyring_free(ring);
	json_object_put(v);
}

Test(rfc, a2_rs256_public_and_private)
{
	rfc_json("rfc7515-a2-rs256.json", JWS_ALG_RS256, true);
	rfc_json("rfc7515-a2-rs256.json", JWS_ALG_RS256, false);
}

Test(rfc, a3_es256)
{
	rfc_json("rfc7515-a3-es256.json", JWS_ALG_ES256, true);
	rfc_json("rfc7515-a3-es256.json", JWS_ALG_ES256, false);
}

/* A.4 and RFC 8037 A.4 sign a payload that is not JSON: the signature is
 * accepted (the claims step refuses the payload, after it), and one bit
 * less is "signature". */
static void rfc_not_json(const char *file, enum jws_alg alg)
{
	struct json_object *v = tu_vector(file);
	struct jwk_keyring *ring = ring_of_vector(file, NULL, true);
	struct jwt_policy p = policy(&alg, 1);
	const struct jwk *key = NULL;
	const char *in = tu_vstr(v, "signing_input");
	size_t n;
	uint8_t *sig = tu_b64d(tu_vstr(v, "signature_b64"), &n);
	char *tok = strdup(tu_vstr(v, "compact"));

	cr_assert_eq(jwk_keyring_find(ring, NULL, alg, &key, NULL), 0);
	cr_assert_eq(jwk_keyring_verify(key, alg, (const uint8_t *)in, strlen(in), sig, n, NULL),
		     0);
	sig[n / 2] ^= 1;
	cr_assert_eq(jwk_keyring_verify(key, alg, (const uint8_t *)in, strlen(in), sig, n, NULL),
		     ERR_INVALID);
	cr_assert_eq(verify(tok, &p, ring, 0), JWT_MALFORMED);
	tok[strlen(tok) - 3] = tok[strlen(tok) - 3] == 'A' ? 'B' : 'A';
	cr_assert_eq(verify(tok, &p, ring, 0), JWT_SIGNATURE);
	free(tok);
	free(sig);
	jwk_keyring_free(ring);
	json_object_put(v);
}

Test(rfc, a4_es512)
{
	rfc_not_json("rfc7515-a4-es512.json", JWS_ALG_ES512);
}

Test(rfc, rfc8037_a4_eddsa)
{
	rfc_not_json("rfc8037-a4-eddsa-ed25519.json", JWS_ALG_EDDSA);
}

/* ---------------------------------------------------- other producers */

Test(producers, jwcrypto_ps256_rs384_es384_hs512)
{
	struct json_object *v = tu_vector("jwt-jwcrypto.json"), *toks = tu_vobj(v, "tokens");
	const char *set =
	    json_object_to_json_string_ext(tu_vobj(v, "jwks"), JSON_C_TO_STRING_PLAIN);
	struct jwk_keyring *ring = ring_of(set);
	static const char *const aud[] = {"api", "other"}, *const roles[] = {"dev"};
	static const char *const scopes[] = {"read", "write"};

	cr_assert_eq(jwk_keyring_count(ring), 3);
	cr_assert_eq(json_object_array_length(toks), 4);
	for (size_t i = 0; i < 4; i++) {
		struct json_object *t = json_object_array_get_idx(toks, i);
		enum jws_alg alg;
		struct jwt_policy p;

		cr_assert_eq(alg_from_name(tu_vstr(t, "alg"), &alg), 0);
		p = policy(&alg, 1);
		p.issuer = "https://issuer.example";
		p.audience = aud;
		p.naudience = 2;
		p.leeway = 1;
		p.roles = roles;
		p.nroles = 1;
		p.roles_key = "roles";
		p.scopes = scopes;
		p.nscopes = 2;
		p.scopes_key = "scope";
		p.scopes_all = true;
		cr_assert_eq(verify(tu_vstr(t, "token"), &p, ring, 1800000000), JWT_OK, "%s",
			     tu_vstr(t, "alg"));
		cr_assert_eq(verify(tu_vstr(t, "token"), &p, ring, 2000000002), JWT_EXPIRED);
	}
	jwk_keyring_free(ring);
	json_object_put(v);
}

/* jwtsign's own signer, every alg, the key set used both ways. */
Test(producers, own_signer_round_trip)
{
	static const struct {
		const char *file;
		enum jws_alg alg;
	} c[] = {
	    {"rfc7515-a1-hs256.json", JWS_ALG_HS256},
	    {"rfc7515-a1-hs256.json", JWS_ALG_HS384},
	    {"rfc7515-a2-rs256.json", JWS_ALG_RS256},
	    {"rfc7515-a2-rs256.json", JWS_ALG_PS512},
	    {"rfc7515-a3-es256.json", JWS_ALG_ES256},
	    {"rfc7515-a4-es512.json", JWS_ALG_ES512},
	    {"pem-ec-p384-pkcs8.jwk.json", JWS_ALG_ES384},
	    {"rfc8037-a4-eddsa-ed25519.json", JWS_ALG_EDDSA},
	};
	static const char claims[] = "{\"exp\":2000,\"sub\":\"bob\"}";

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *doc = NULL;
		size_t len = 0;
		struct jwk_keyring *ring;
		struct jwk *key;
		struct buf out = BUF_INIT;
		struct jwt_policy p = policy(&c[i].alg, 1);
		struct err e = {0};

		{
			struct json_object *jwk = tu_vector_jwk(c[i].file),
					   *set = json_object_new_object(),
					   *keys = json_object_new_array();

			json_object_object_add(jwk, "kid", json_object_new_string("k"));
			json_object_array_add(keys, jwk);
			json_object_object_add(set, "keys", keys);
			doc = strdup(json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN));
			len = strlen(doc);
			json_object_put(set);
		}
		key = tu_select_key(doc, len, "k", c[i].alg, NULL);
		cr_assert_eq(jws_sign_compact(&out, key, c[i].alg, "JWT", (const uint8_t *)claims,
					      strlen(claims), &e),
			     0, "%s", e.msg);
		ring = ring_of(doc);
		cr_assert_eq(verify(out.data, &p, ring, 2000), JWT_OK, "%s", alg_name(c[i].alg));
		cr_assert_eq(verify(out.data, &p, ring, 2001), JWT_EXPIRED);
		out.data[out.len - 2] = out.data[out.len - 2] == 'A' ? 'B' : 'A';
		cr_assert_eq(verify(out.data, &p, ring, 2000), JWT_SIGNATURE, "%s",
			     alg_name(c[i].alg));
		buf_free(&out);
		jwk_free(key);
		jwk_keyring_free(ring);
		free(doc);
	}
}

/* ------------------------------------------------------------- times */

Test(times, one_second_each_side_with_leeway)
{
	struct jwt_policy p = policy(HS256, 1);
	char buf[200];

	p.leeway = 5;
	/* exp: valid while now - leeway <= exp. */
	snprintf(buf, sizeof(buf), "{\"exp\":%d}", NOW - 5);
	cr_assert_eq(hs_check(buf, &p), JWT_OK);
	snprintf(buf, sizeof(buf), "{\"exp\":%d}", NOW - 6);
	cr_assert_eq(hs_check(buf, &p), JWT_EXPIRED);
	/* nbf: valid once now + leeway >= nbf. */
	snprintf(buf, sizeof(buf), "{\"exp\":%d,\"nbf\":%d}", NOW + 99, NOW + 5);
	cr_assert_eq(hs_check(buf, &p), JWT_OK);
	snprintf(buf, sizeof(buf), "{\"exp\":%d,\"nbf\":%d}", NOW + 99, NOW + 6);
	cr_assert_eq(hs_check(buf, &p), JWT_NOT_YET_VALID);
	/* iat in the future beyond the leeway. */
	snprintf(buf, sizeof(buf), "{\"exp\":%d,\"iat\":%d}", NOW + 99, NOW + 5);
	cr_assert_eq(hs_check(buf, &p), JWT_OK);
	snprintf(buf, sizeof(buf), "{\"exp\":%d,\"iat\":%d}", NOW + 99, NOW + 6);
	cr_assert_eq(hs_check(buf, &p), JWT_ISSUED_IN_FUTURE);
	/* Without leeway, exp itself is the last valid second (go-jose). */
	p.leeway = 0;
	snprintf(buf, sizeof(buf), "{\"exp\":%d}", NOW);
	cr_assert_eq(hs_check(buf, &p), JWT_OK);
	snprintf(buf, sizeof(buf), "{\"exp\":%d}", NOW - 1);
	cr_assert_eq(hs_check(buf, &p), JWT_EXPIRED);
}

Test(times, floats_and_types)
{
	struct jwt_policy p = policy(HS256, 1);
	char buf[200];

	snprintf(buf, sizeof(buf), "{\"exp\":%d.9}", NOW); /* truncated to NOW */
	cr_assert_eq(hs_check(buf, &p), JWT_OK);
	snprintf(buf, sizeof(buf), "{\"exp\":%d.9}", NOW - 1);
	cr_assert_eq(hs_check(buf, &p), JWT_EXPIRED);
	cr_assert_eq(hs_check("{\"exp\":1e300}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"exp\":\"2000000\"}", &p), JWT_MALFORMED);
	cr_assert_eq(hs_check("{\"exp\":2000000,\"nbf\":null}", &p), JWT_MALFORMED);
	cr_assert_eq(hs_check("{\"sub\":\"x\"}", &p), JWT_MISSING_EXP);
	p.require_exp = false;
	cr_assert_eq(hs_check("{\"sub\":\"x\"}", &p), JWT_OK);
}

/* --------------------------------------------------- iss, aud, roles */

Test(claims, issuer_and_audience)
{
	struct jwt_policy p = policy(HS256, 1);
	static const char *const one[] = {"api"}, *const two[] = {"api", "web"};

	p.require_exp = false;
	p.issuer = "me";
	cr_assert_eq(hs_check("{\"iss\":\"me\"}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"iss\":\"you\"}", &p), JWT_ISSUER);
	cr_assert_eq(hs_check("{}", &p), JWT_ISSUER);
	cr_assert_eq(hs_check("{\"iss\":1}", &p), JWT_MALFORMED);
	p.issuer = NULL;
	p.audience = one;
	p.naudience = 1;
	cr_assert_eq(hs_check("{\"aud\":\"api\"}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"aud\":[\"x\",\"api\"]}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"aud\":\"apix\"}", &p), JWT_AUDIENCE);
	cr_assert_eq(hs_check("{}", &p), JWT_AUDIENCE);
	cr_assert_eq(hs_check("{\"aud\":[\"api\",1]}", &p), JWT_MALFORMED);
	/* Every configured audience must be present. */
	p.audience = two;
	p.naudience = 2;
	cr_assert_eq(hs_check("{\"aud\":\"api\"}", &p), JWT_AUDIENCE);
	cr_assert_eq(hs_check("{\"aud\":[\"api\"]}", &p), JWT_AUDIENCE);
	cr_assert_eq(hs_check("{\"aud\":[\"web\",\"api\"]}", &p), JWT_OK);
}

Test(claims, roles_flat_nested_and_string)
{
	struct jwt_policy p = policy(HS256, 1);
	static const char *const roles[] = {"admin", "ops"};

	p.require_exp = false;
	p.roles = roles;
	p.nroles = 2;
	p.roles_key = "roles";
	cr_assert_eq(hs_check("{\"roles\":[\"user\",\"ops\"]}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"roles\":\"user admin\"}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"roles\":[\"user\"]}", &p), JWT_ROLES);
	cr_assert_eq(hs_check("{\"roles\":\"administrator\"}", &p), JWT_ROLES);
	cr_assert_eq(hs_check("{}", &p), JWT_ROLES);
	p.roles_key = "realm_access.roles";
	cr_assert_eq(hs_check("{\"realm_access\":{\"roles\":[\"admin\"]}}", &p), JWT_ROLES);
	cr_assert_eq(hs_check("{\"realm_access.roles\":[\"admin\"]}", &p), JWT_OK);
	p.roles_key_is_nested = true;
	cr_assert_eq(hs_check("{\"realm_access\":{\"roles\":[\"admin\"]}}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"realm_access\":{\"roles\":[\"x\"]}}", &p), JWT_ROLES);
	cr_assert_eq(hs_check("{\"realm_access\":[\"admin\"]}", &p), JWT_ROLES);
	p.roles_key = NULL;
	cr_assert_eq(hs_check("{\"roles\":[\"admin\"]}", &p), JWT_ROLES);
}

Test(claims, scopes_any_and_all)
{
	struct jwt_policy p = policy(HS256, 1);
	static const char *const scopes[] = {"read", "write"};

	p.require_exp = false;
	p.scopes = scopes;
	p.nscopes = 2;
	p.scopes_key = "scope";
	cr_assert_eq(hs_check("{\"scope\":\"read\"}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"scope\":[\"write\"]}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"scope\":\"admin\"}", &p), JWT_SCOPES);
	cr_assert_eq(hs_check("{\"scope\":[]}", &p), JWT_SCOPES);
	p.scopes_all = true;
	cr_assert_eq(hs_check("{\"scope\":\"read\"}", &p), JWT_SCOPES);
	cr_assert_eq(hs_check("{\"scope\":\"write x read\"}", &p), JWT_OK);
	p.scopes_key = "a.scope"; /* a dot always means a path */
	cr_assert_eq(hs_check("{\"a\":{\"scope\":[\"read\",\"write\"]}}", &p), JWT_OK);
	cr_assert_eq(hs_check("{\"a.scope\":[\"read\",\"write\"]}", &p), JWT_SCOPES);
}

Test(claims, claim_string)
{
	struct json_object *c = json_tokener_parse(
	    "{\"s\":\"alice\",\"i\":42,\"f\":1.5,\"b\":true,\"a\":[\"x\",\"y\",3],"
	    "\"o\":{\"p\":{\"q\":\"deep\"}},\"n\":null,"
	    "\"https://example.com/roles\":[\"admin\"]}");
	static const struct {
		const char *path, *want;
	} ok[] = {{"s", "alice"},
		  {"i", "42"},
		  {"f", "1.500000"},
		  {"b", "true"},
		  {"a", "x,y,3"},
		  {"o.p.q", "deep"},
		  {"n", "null"},
		  /* a namespaced claim is one name, as krakend-jose */
		  {"https://example.com/roles", "admin"}};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct buf b = BUF_INIT;

		cr_assert_eq(jwt_claim_string(c, ok[i].path, &b), 0, "%s", ok[i].path);
		cr_assert_str_eq(b.data, ok[i].want);
		buf_free(&b);
	}
	{
		struct buf b = BUF_INIT;

		cr_assert_eq(jwt_claim_string(c, "o", &b), ERR_INVALID);
		cr_assert_eq(jwt_claim_string(c, "zz", &b), ERR_NOTFOUND);
		cr_assert_eq(jwt_claim_string(c, "o.zz", &b), ERR_NOTFOUND);
		cr_assert_eq(b.len, 0);
		buf_free(&b);
	}
	json_object_put(c);
}

/* ------------------------------------------------- header and format */

Test(header, alg_none_crit_duplicates)
{
	struct jwk_keyring *ring = ring_of(HS_SET);
	struct jwt_policy p = policy(HS256, 1);
	struct jwk *k = hs_key("h1");
	static const char pl[] = "{\"exp\":2000000}";
	static const struct {
		const char *header;
		enum jwt_reason want;
	} c[] = {
	    {"{\"alg\":\"HS256\",\"kid\":\"h1\"}", JWT_OK},
	    {"{\"alg\":\"none\",\"kid\":\"h1\"}", JWT_ALG},
	    {"{\"alg\":\"HS512\",\"kid\":\"h1\"}", JWT_ALG},
	    {"{\"alg\":\"hs256\",\"kid\":\"h1\"}", JWT_ALG},
	    {"{\"kid\":\"h1\"}", JWT_MALFORMED},
	    {"{\"alg\":256,\"kid\":\"h1\"}", JWT_MALFORMED},
	    {"{\"alg\":\"HS256\",\"kid\":7}", JWT_MALFORMED},
	    {"{\"alg\":\"HS256\",\"kid\":\"h1\",\"crit\":[\"exp\"],\"exp\":1}", JWT_CRIT},
	    {"{\"alg\":\"HS256\",\"kid\":\"h1\",\"b64\":false,\"crit\":[\"b64\"]}", JWT_CRIT},
	    {"{\"alg\":\"HS256\",\"alg\":\"HS256\",\"kid\":\"h1\"}", JWT_MALFORMED},
	    {"{\"alg\":\"none\",\"kid\":\"h1\",\"alg\":\"HS256\"}", JWT_MALFORMED},
	    {"[\"HS256\"]", JWT_MALFORMED},
	    {"{\"alg\":\"HS256\",\"kid\":\"nope\"}", JWT_KID},
	    {"{\"alg\":\"HS256\"}", JWT_KID},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *t = mk(c[i].header, pl, k, JWS_ALG_HS256);

		cr_assert_eq(verify(t, &p, ring, NOW), c[i].want, "%s: %s", c[i].header,
			     jwt_reason_word(verify(t, &p, ring, NOW)));
		free(t);
	}
	/* An unsecured JWT (RFC 7519 section 6: alg "none", empty signature)
	 * is refused for its alg. */
	cr_assert_eq(verify("eyJhbGciOiJub25lIn0.eyJleHAiOjIwMDAwMDB9.", &p, ring, NOW), JWT_ALG);
	/* Duplicate claims too. */
	{
		char *t = mk("{\"alg\":\"HS256\",\"kid\":\"h1\"}", "{\"exp\":1,\"exp\":2000000}", k,
			     JWS_ALG_HS256);

		cr_assert_eq(verify(t, &p, ring, NOW), JWT_MALFORMED);
		free(t);
	}
	/* The other key's kid: the signature does not verify. */
	{
		char *t = mk("{\"alg\":\"HS256\",\"kid\":\"h2\"}", pl, k, JWS_ALG_HS256);

		cr_assert_eq(verify(t, &p, ring, NOW), JWT_SIGNATURE);
		free(t);
	}
	jwk_free(k);
	jwk_keyring_free(ring);
}

Test(format, compact_strictness)
{
	struct jwk_keyring *ring = ring_of(HS_SET);
	struct jwt_policy p = policy(HS256, 1);
	char *good = hs("{\"exp\":2000000}");
	size_t n = strlen(good);
	char *dot1 = strchr(good, '.'), *dot2 = strrchr(good, '.');
	struct buf b = BUF_INIT;
	char big[JWT_MAX_TOKEN + 2];

	cr_assert_eq(verify(good, &p, ring, NOW), JWT_OK);
	/* Padding, whitespace, other alphabets, dots. */
	cr_assert_eq(buf_printf(&b, "%.*s=.%s", (int)(dot1 - good), good, dot1 + 1), 0);
	cr_assert_eq(verify(b.data, &p, ring, NOW), JWT_MALFORMED);
	buf_reset(&b);
	cr_assert_eq(buf_printf(&b, "%s=", good), 0);
	cr_assert_eq(verify(b.data, &p, ring, NOW), JWT_MALFORMED);
	buf_reset(&b);
	cr_assert_eq(buf_printf(&b, "%s ", good), 0);
	cr_assert_eq(verify(b.data, &p, ring, NOW), JWT_MALFORMED);
	buf_reset(&b);
	cr_assert_eq(buf_printf(&b, "%s.", good), 0);
	cr_assert_eq(verify(b.data, &p, ring, NOW), JWT_MALFORMED);
	buf_reset(&b);
	cr_assert_eq(buf_printf(&b, "%.*s", (int)(dot2 - good + 1), good), 0);
	/* empty signature: the header is read, then no signature verifies */
	cr_assert_eq(verify(b.data, &p, ring, NOW), JWT_SIGNATURE);
	buf_reset(&b);
	cr_assert_eq(buf_printf(&b, "%.*s", (int)(dot2 - good), good), 0);
	cr_assert_eq(verify(b.data, &p, ring, NOW), JWT_MALFORMED); /* one dot */
	buf_reset(&b);
	/* Non-zero trailing bits: a 32-byte HMAC is 43 characters whose last
	 * one carries 4 unused bits. */
	cr_assert_eq(n - (size_t)(dot2 - good) - 1, 43);
	{
		char *t = strdup(good);
		char *last = t + n - 1;
		const char *alpha =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		size_t v = (size_t)(strchr(alpha, *last) - alpha);

		*last = alpha[v | 1]; /* sets an unused bit */
		cr_assert_eq(verify(t, &p, ring, NOW), JWT_MALFORMED);
		free(t);
	}
	/* '+' and '/' of standard base64. */
	{
		char *t = strdup(good);

		t[2] = '+';
		cr_assert_eq(verify(t, &p, ring, NOW), JWT_MALFORMED);
		t[2] = '/';
		cr_assert_eq(verify(t, &p, ring, NOW), JWT_MALFORMED);
		free(t);
	}
	/* Size bound. */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '.';
	big[20] = '.';
	cr_assert_eq(verify(big, &p, ring, NOW), JWT_MALFORMED);
	cr_assert_eq(verify("", &p, ring, NOW), JWT_MALFORMED);
	/* Claims not an object. */
	{
		char *t = hs("[1]");

		cr_assert_eq(verify(t, &p, ring, NOW), JWT_MALFORMED);
		free(t);
	}
	buf_free(&b);
	free(good);
	jwk_keyring_free(ring);
}

/* ------------------------------------------------- keys and confusion */

/* HS256 signed with the bytes of the RSA public key as the HMAC secret
 * (the classic RS256/HS256 confusion) never verifies: an RSA key is not an
 * HMAC secret, whatever the policy allows. */
Test(keys, hs256_with_rsa_public_key_bytes)
{
	struct json_object *jwk = tu_vector_jwk("rfc7515-a2-rs256.json");
	static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi"};
	const enum jws_alg both[] = {JWS_ALG_RS256, JWS_ALG_HS256};
	struct jwt_policy p = policy(both, 2);
	struct buf set = BUF_INIT, oct = BUF_INIT;
	struct jwk_keyring *ring;
	struct jwk *k;
	const char *pub;
	char *t;

	for (size_t i = 0; i < 6; i++)
		json_object_object_del(jwk, priv[i]);
	json_object_object_add(jwk, "kid", json_object_new_string("rsa"));
	pub = json_object_to_json_string_ext(jwk, JSON_C_TO_STRING_PLAIN);
	cr_assert_eq(buf_printf(&set, "{\"keys\":[%s]}", pub), 0);
	ring = ring_of(set.data);
	/* The secret: the public JWK's own text, and its modulus bytes. */
	cr_assert_eq(buf_puts(&oct, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"rsa\",\"k\":\""), 0);
	cr_assert_eq(b64url_encode_buf(&oct, (const uint8_t *)pub, strlen(pub)), 0);
	cr_assert_eq(buf_puts(&oct, "\"}]}"), 0);
	k = tu_select_key(oct.data, oct.len, "rsa", JWS_ALG_HS256, NULL);
	t = mk("{\"alg\":\"HS256\",\"kid\":\"rsa\"}", "{\"exp\":2000000}", k, JWS_ALG_HS256);
	cr_assert_eq(verify(t, &p, ring, NOW), JWT_ALG);
	free(t);
	jwk_free(k);
	buf_reset(&oct);
	{
		size_t nl;
		uint8_t *n = tu_b64d(json_object_get_string(json_object_object_get(jwk, "n")), &nl);

		cr_assert_eq(buf_puts(&oct, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"rsa\",\"k\":\""),
			     0);
		cr_assert_eq(b64url_encode_buf(&oct, n, nl), 0);
		cr_assert_eq(buf_puts(&oct, "\"}]}"), 0);
		free(n);
	}
	k = tu_select_key(oct.data, oct.len, "rsa", JWS_ALG_HS256, NULL);
	t = mk("{\"alg\":\"HS256\",\"kid\":\"rsa\"}", "{\"exp\":2000000}", k, JWS_ALG_HS256);
	cr_assert_eq(verify(t, &p, ring, NOW), JWT_ALG);
	free(t);
	jwk_free(k);
	buf_free(&set);
	buf_free(&oct);
	jwk_keyring_free(ring);
	json_object_put(jwk);
}

/* An ES256 signature must be exactly 64 bytes R || S: DER, one byte more
 * or less is "signature"; an ES256 token checked as ES384 is "alg". */
Test(keys, es_signature_length)
{
	struct json_object *v = tu_vector("rfc7515-a3-es256.json");
	struct jwk_keyring *ring = ring_of_vector("rfc7515-a3-es256.json", NULL, true);
	const enum jws_alg es[] = {JWS_ALG_ES256, JWS_ALG_ES384};
	struct jwt_policy p = policy(es, 2);
	size_t n;
	uint8_t *sig = tu_b64d(tu_vstr(v, "signature_b64"), &n);
	const char *in = tu_vstr(v, "signing_input");
	const struct jwk *key = NULL;
	gnutls_datum_t r = {sig, 32}, s = {sig + 32, 32}, der = {NULL, 0};

	p.require_exp = false;
	cr_assert_eq(n, 64);
	cr_assert_eq(jwk_keyring_find(ring, NULL, JWS_ALG_ES256, &key, NULL), 0);
	cr_assert_eq(
	    jwk_keyring_verify(key, JWS_ALG_ES256, (const uint8_t *)in, strlen(in), sig, 63, NULL),
	    ERR_INVALID);
	cr_assert_eq(gnutls_encode_rs_value(&der, &r, &s), 0);
	cr_assert_eq(jwk_keyring_verify(key, JWS_ALG_ES256, (const uint8_t *)in, strlen(in),
					der.data, der.size, NULL),
		     ERR_INVALID);
	gnutls_free(der.data);
	{
		struct buf t = BUF_INIT;
		uint8_t longer[65];

		memcpy(longer, sig, 64);
		longer[64] = 0;
		cr_assert_eq(buf_printf(&t, "%s.", in), 0);
		cr_assert_eq(b64url_encode_buf(&t, longer, 65), 0);
		cr_assert_eq(verify(t.data, &p, ring, 0), JWT_SIGNATURE);
		buf_free(&t);
	}
	cr_assert_eq(jwk_keyring_find(ring, NULL, JWS_ALG_ES384, &key, NULL), ERR_KEY);
	free(sig);
	jwk_keyring_free(ring);
	json_object_put(v);
}

Test(keys, keyring_skips_and_selects)
{
	static const char doc[] =
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"enc\",\"use\":\"enc\",\"k\":"
	    "\"c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ\"},"
	    "{\"kty\":\"oct\",\"kid\":\"ops\",\"key_ops\":[\"sign\"],\"k\":"
	    "\"c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ\"},"
	    "{\"kty\":\"XYZ\",\"kid\":\"u\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x\",\"x\":\"AAAA\"},"
	    "{\"kty\":\"oct\",\"kid\":\"short\",\"k\":\"c2hvcnQ\"},"
	    "{\"kty\":\"oct\",\"kid\":\"d\",\"alg\":\"HS256\",\"k\":"
	    "\"c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ\"},"
	    "{\"kty\":\"oct\",\"kid\":\"d\",\"alg\":\"HS512\",\"k\":"
	    "\"c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIS1hbmQtbW9yZS1ieXRlcy10by02NC0hISEhISEh"
	    "IQ\"},"
	    "{\"kty\":\"oct\",\"kid\":\"amb\",\"k\":"
	    "\"c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ\"},"
	    "{\"kty\":\"oct\",\"kid\":\"amb\",\"k\":"
	    "\"c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ\"}"
	    "]}";
	struct jwk_keyring *ring = ring_of(doc);
	const struct jwk *k = NULL;
	struct err e = {0};

	cr_assert_eq(jwk_keyring_count(ring), 5); /* short, d, d, amb, amb */
	cr_assert_eq(jwk_keyring_skipped(ring), 4);
	cr_assert_eq(jwk_keyring_find(ring, "enc", JWS_ALG_HS256, &k, NULL), ERR_NOTFOUND);
	cr_assert_eq(jwk_keyring_find(ring, "ops", JWS_ALG_HS256, &k, NULL), ERR_NOTFOUND);
	cr_assert_eq(jwk_keyring_find(ring, "short", JWS_ALG_HS256, &k, &e), ERR_KEY);
	cr_assert_eq(jwk_keyring_find(ring, "d", JWS_ALG_HS512, &k, NULL), 0);
	cr_assert_str_eq(jwk_kid(k), "d");
	cr_assert_eq(jwk_keyring_find(ring, "d", JWS_ALG_HS384, &k, NULL), ERR_KEY);
	cr_assert_eq(jwk_keyring_find(ring, "amb", JWS_ALG_HS256, &k, NULL), ERR_KEY);
	cr_assert_eq(jwk_keyring_find(ring, "nope", JWS_ALG_HS256, &k, NULL), ERR_NOTFOUND);
	cr_assert_eq(jwk_keyring_find(ring, NULL, JWS_ALG_HS256, &k, NULL), ERR_NOTFOUND);
	jwk_keyring_free(ring);
	{
		struct jwk_keyring *r2 = NULL;
		static const char none[] =
		    "{\"keys\":[{\"kty\":\"oct\",\"use\":\"enc\",\"k\":\"AAAA\"}]}";

		cr_assert_eq(jwk_keyring_parse(none, strlen(none), NULL, &r2, &e), ERR_NOTFOUND);
		cr_assert_null(r2);
		cr_assert_eq(jwk_keyring_parse("{\"kty\":\"oct\"}", 13, NULL, &r2, &e),
			     ERR_INVALID);
		cr_assert_eq(jwk_keyring_parse("{\"keys\":[1]}", 12, NULL, &r2, &e), ERR_INVALID);
	}
}

/* Keys rotated away: the token's kid is no longer in the new set. */
Test(keys, rotated_away_and_no_keys)
{
	struct jwt_policy p = policy(HS256, 1);
	static const char rotated[] = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h2\",\"k\":"
				      "\"c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ\"}]}";
	struct jwk_keyring *ring = ring_of(rotated);
	char *t = hs("{\"exp\":2000000}");

	cr_assert_eq(verify(t, &p, ring, NOW), JWT_KID);
	cr_assert_eq(verify(t, &p, NULL, NOW), JWT_KEYS_UNAVAILABLE);
	free(t);
	jwk_keyring_free(ring);
}

Test(keys, kid_strategies)
{
	static const char doc[] = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h1\",\"x5t\":\"dGh1bWI\","
				  "\"x5t#S256\":\"czI1Ng\","
				  "\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-"
				  "1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}]}";
	struct jwk_keyring *ring = ring_of(doc);
	struct jwt_policy p = policy(HS256, 1);
	struct jwk *k = hs_key("h1");
	static const struct {
		enum jwt_kid_strategy s;
		const char *header;
		enum jwt_reason want;
	} c[] = {
	    {JWT_KID_X5T, "{\"alg\":\"HS256\",\"x5t\":\"dGh1bWI\"}", JWT_OK},
	    {JWT_KID_X5T, "{\"alg\":\"HS256\",\"kid\":\"h1\"}", JWT_KID},
	    {JWT_KID_X5T_S256, "{\"alg\":\"HS256\",\"x5t#S256\":\"czI1Ng\"}", JWT_OK},
	    {JWT_KID_X5T_S256, "{\"alg\":\"HS256\",\"x5t\":\"czI1Ng\"}", JWT_KID},
	    {JWT_KID_KID_X5T, "{\"alg\":\"HS256\",\"kid\":\"h1\",\"x5t\":\"dGh1bWI\"}", JWT_OK},
	    {JWT_KID_KID_X5T, "{\"alg\":\"HS256\",\"kid\":\"h1\"}", JWT_KID},
	    {JWT_KID_KID, "{\"alg\":\"HS256\",\"kid\":\"h1\",\"x5t\":\"zz\"}", JWT_OK},
	};

	p.require_exp = false;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *t = mk(c[i].header, "{}", k, JWS_ALG_HS256);

		p.kid_strategy = c[i].s;
		cr_assert_eq(verify(t, &p, ring, NOW), c[i].want, "#%zu", i);
		free(t);
	}
	jwk_free(k);
	jwk_keyring_free(ring);
}

Test(reason, words)
{
	cr_assert_str_eq(jwt_reason_word(JWT_OK), "ok");
	cr_assert_str_eq(jwt_reason_word(JWT_NOT_YET_VALID), "not_yet_valid");
	cr_assert_str_eq(jwt_reason_word(JWT_ISSUED_IN_FUTURE), "issued_in_future");
	cr_assert_str_eq(jwt_reason_word(JWT_KEYS_UNAVAILABLE), "keys_unavailable");
	cr_assert_str_eq(jwt_reason_word((enum jwt_reason)99), "invalid");
}
