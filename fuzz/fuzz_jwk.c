/* fuzz_jwk.c - libFuzzer target: the JWK Set loader.
 *
 * Input: byte 0 picks the alg (modulo the number of algs, 0 being the
 * invalid alg), byte 1 picks the kids (bits 0-2: the first kid from a
 * fixed list of the kids of the test vectors; bit 3: add a second kid;
 * bit 4: tight limits of 4 KiB and 3 keys instead of 1 MiB and 1000
 * keys); the rest is the JWK Set document, given to jwk_set_select() and
 * to jwk_set_public().
 * Properties: no crash, leak or undefined behaviour; a selected key has
 * one of the requested kids and passes jwk_check_alg for the alg; the
 * public set holds no private member (d, p, q, dp, dq, qi, k, oth) and is
 * itself a JWK Set that jwk_set_public accepts again, unchanged.
 */
#include <json-c/json.h>
#include <string.h>

#include "alg.h"
#include "fuzz.h"
#include "gojson.h"
#include "jwk.h"
#include "jwk_set.h"
#include "log.h"

static const char *const fuzz_kids[8] = {
    "1",
    "2011-04-29",
    "HMAC key used in JWS spec Appendix A.1 example",
    "bilbo.baggins@hobbiton.example",
    "e9bc097a-ce51-4036-9562-d2ade882db0d",
    "018c0ae5-4d9b-471b-bfd6-eef314bc7037",
    "sim2",
    "k",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	return 0;
}

/* No private member may appear in an entry of the public set.  Returns
 * the number of entries. */
static size_t check_public(const char *doc, size_t len)
{
	static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"};
	struct json_object *root = NULL, *keys, *e, *v;
	struct gojson_limits lim = {64, 0};
	size_t i, j;

	FUZZ_ASSERT(gojson_parse(doc, len, &lim, &root, NULL) == 0);
	FUZZ_ASSERT(json_object_object_get_ex(root, "keys", &keys));
	FUZZ_ASSERT(json_object_is_type(keys, json_type_array));
	for (i = 0; i < json_object_array_length(keys); i++) {
		e = json_object_array_get_idx(keys, i);
		FUZZ_ASSERT(json_object_is_type(e, json_type_object));
		for (j = 0; j < sizeof(priv) / sizeof(priv[0]); j++)
			FUZZ_ASSERT(!json_object_object_get_ex(e, priv[j], &v));
		FUZZ_ASSERT(json_object_object_get_ex(e, "kty", &v));
		FUZZ_ASSERT(strcmp(json_object_get_string(v), "oct") != 0);
	}
	j = json_object_array_length(keys);
	json_object_put(root);
	return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *kids[2];
	struct jwk_limits lim;
	struct jwk *key = (struct jwk *)1;
	struct err err = {0};
	struct buf pub = BUF_INIT, pub2 = BUF_INIT;
	enum jws_alg alg;
	size_t nkids;
	const char *doc;
	size_t len;
	int rc;

	if (size < 2)
		return 0;
	alg = (enum jws_alg)(data[0] % (JWS_ALG_EDDSA + 1));
	kids[0] = fuzz_kids[data[1] & 7];
	kids[1] = fuzz_kids[(data[1] + 1) & 7];
	nkids = (data[1] & 8) ? 2 : 1;
	if (data[1] & 16) {
		lim.max_doc_bytes = 4096;
		lim.max_keys = 3;
	} else {
		lim.max_doc_bytes = 1024 * 1024;
		lim.max_keys = 1000;
	}
	doc = (const char *)data + 2;
	len = size - 2;

	rc = jwk_set_select(doc, len, kids, nkids, alg, &lim, &key, &err);
	if (rc == 0) {
		const char *kid;

		FUZZ_ASSERT(key != NULL);
		FUZZ_ASSERT(alg != JWS_ALG_INVALID);
		kid = jwk_kid(key);
		FUZZ_ASSERT(kid != NULL);
		FUZZ_ASSERT(strcmp(kid, kids[0]) == 0 || (nkids == 2 && strcmp(kid, kids[1]) == 0));
		FUZZ_ASSERT(jwk_check_alg(key, alg, NULL) == 0);
		if (alg <= JWS_ALG_HS512)
			FUZZ_ASSERT(jwk_kty(key) == JWK_KTY_OCT);
		else
			FUZZ_ASSERT(jwk_kty(key) != JWK_KTY_OCT);
		jwk_free(key);
	} else {
		FUZZ_ASSERT(rc < 0 && key == NULL && err.code == rc && err.msg[0] != '\0');
	}

	err.code = 0;
	err.msg[0] = '\0';
	rc = jwk_set_public(doc, len, &lim, &pub, &err);
	if (rc == 0) {
		FUZZ_ASSERT(pub.data != NULL);
		/* Idempotent: the public set of the public set is itself (an
		 * empty set is refused as input, so only when non-empty). */
		if (check_public(pub.data, pub.len) > 0) {
			FUZZ_ASSERT(jwk_set_public(pub.data, pub.len, NULL, &pub2, NULL) == 0);
			FUZZ_ASSERT(pub2.len == pub.len &&
				    memcmp(pub2.data, pub.data, pub.len) == 0);
		}
	} else {
		FUZZ_ASSERT(rc < 0 && err.code == rc && pub.len == 0);
	}
	buf_wipe_free(&pub);
	buf_free(&pub2);
	return 0;
}
