/* fuzz_verify.c - libFuzzer target: the JWT parser and validator
 * (jwt_verify, jwt_claims_check, jwk_keyring_find_by, crypto_jws_verify).
 *
 * Input: byte 0 picks the policy (bits 0-1: kid strategy; bit 2:
 * require_exp; bit 3: leeway 5 s; bit 4: issuer "joe" and audience "api";
 * bit 5: roles ["admin"] at "realm.roles", nested; bit 6: scopes
 * ["read","write"] at "scope", matcher all); the rest is the token.  The
 * keyring is fixed: RFC 7515 A.1's HMAC key and A.3's P-256 public key
 * (both without kid, as in the RFC tokens) and an HMAC key "h1"; allowed
 * algs HS256, ES256, RS256; the clock is fixed at 1300819380 (A.1's exp).
 * Properties: no crash, leak or undefined behaviour; a reason word for
 * every answer; on JWT_OK the token is exactly two dots, its payload is
 * the strict base64url decoding of the middle part, the claims are an
 * object, the alg is an allowed one, an HS256 signature equals an
 * independent libsodium HMAC-SHA-256 under one of the two HMAC keys, and
 * a second call gives the same answer; on any other reason the output
 * token is empty.
 */
#include <json-c/json.h>
#include <sodium.h>
#include <string.h>

#include "b64.h"
#include "fuzz.h"
#include "jwk_keyring.h"
#include "jwt.h"
#include "log.h"

#define K_A1                                                                                       \
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
#define K_H1 "c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ"

static const char ring_doc[] =
    "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" K_A1 "\"},"
    "{\"kty\":\"oct\",\"kid\":\"h1\",\"x5t\":\"dGh1bWI\",\"k\":\"" K_H1 "\"},"
    "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";

static struct jwk_keyring *ring;
static uint8_t *hkeys[2];
static size_t hklen[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	if (jwk_keyring_parse(ring_doc, strlen(ring_doc), NULL, &ring, NULL) != 0)
		abort();
	if (b64url_decode(K_A1, strlen(K_A1), &hkeys[0], &hklen[0]) != 0 ||
	    b64url_decode(K_H1, strlen(K_H1), &hkeys[1], &hklen[1]) != 0)
		abort();
	return 0;
}

static bool hs256_matches(const char *tok, size_t siglen_at, const uint8_t *sig, size_t n)
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];

	if (n != sizeof(mac))
		return false;
	for (int i = 0; i < 2; i++) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, hkeys[i], hklen[i]);
		crypto_auth_hmacsha256_update(&st, (const uint8_t *)tok, siglen_at);
		crypto_auth_hmacsha256_final(&st, mac);
		if (memcmp(mac, sig, n) == 0)
			return true;
	}
	return false;
}

static void check_ok(const char *tok, size_t len, const struct jwt_token *t)
{
	const char *d1 = memchr(tok, '.', len), *d2;
	uint8_t *raw = NULL;
	size_t n = 0;

	FUZZ_ASSERT(d1 != NULL);
	d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok));
	FUZZ_ASSERT(d2 != NULL);
	FUZZ_ASSERT(memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) == NULL);
	FUZZ_ASSERT(b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &raw, &n) == 0);
	FUZZ_ASSERT(n == t->payload.len && memcmp(raw, t->payload.data, n) == 0);
	free(raw);
	FUZZ_ASSERT(json_object_is_type(t->claims, json_type_object));
	FUZZ_ASSERT(t->alg == JWS_ALG_HS256 || t->alg == JWS_ALG_ES256 || t->alg == JWS_ALG_RS256);
	if (t->alg == JWS_ALG_HS256) {
		FUZZ_ASSERT(b64url_decode(d2 + 1, len - (size_t)(d2 + 1 - tok), &raw, &n) == 0);
		FUZZ_ASSERT(hs256_matches(tok, (size_t)(d2 - tok), raw, n));
		free(raw);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum jws_alg algs[] = {JWS_ALG_HS256, JWS_ALG_ES256, JWS_ALG_RS256};
	static const char *const aud[] = {"api"}, *const roles[] = {"admin"};
	static const char *const scopes[] = {"read", "write"};
	struct jwt_policy p;
	struct jwt_token t, t2;
	enum jwt_reason r;
	const char *tok;
	size_t len;

	if (size < 1)
		return 0;
	memset(&p, 0, sizeof(p));
	p.algs = algs;
	p.nalgs = 3;
	p.kid_strategy = (enum jwt_kid_strategy)(data[0] & 3);
	p.require_exp = (data[0] & 4) != 0;
	p.leeway = (data[0] & 8) ? 5 : 0;
	if (data[0] & 16) {
		p.issuer = "joe";
		p.audience = aud;
		p.naudience = 1;
	}
	if (data[0] & 32) {
		p.roles = roles;
		p.nroles = 1;
		p.roles_key = "realm.roles";
		p.roles_key_is_nested = true;
	}
	if (data[0] & 64) {
		p.scopes = scopes;
		p.nscopes = 2;
		p.scopes_key = "scope";
		p.scopes_all = true;
	}
	tok = (const char *)data + 1;
	len = size - 1;
	memset(&t, 0, sizeof(t));
	memset(&t2, 0, sizeof(t2));
	r = jwt_verify(tok, len, &p, ring, 1300819380, &t, NULL);
	FUZZ_ASSERT(strcmp(jwt_reason_word(r), "invalid") != 0);
	if (r == JWT_OK) {
		check_ok(tok, len, &t);
		FUZZ_ASSERT(jwt_verify(tok, len, &p, ring, 1300819380, &t2, NULL) == JWT_OK);
		FUZZ_ASSERT(t2.payload.len == t.payload.len);
	} else {
		FUZZ_ASSERT(t.claims == NULL && t.payload.len == 0 && t.kid == NULL);
	}
	jwt_token_free(&t);
	jwt_token_free(&t2);
	return 0;
}
