/* test_jwk.c - JWK / JWK Set loading rules, public export and generation
 * (jwk.h).  Every refusal has its own test with the smallest JWK that
 * triggers it; the messages must name the kid and the member and never
 * carry key material.
 */
#include <criterion/criterion.h>
#include <gnutls/abstract.h>
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
#include "jwk_gen.h"
#include "jwk_int.h" /* which entry was chosen */
#include "jwk_set.h"
#include "jws.h"
#include "pem.h"
#include "testutil.h"

/* 32-byte HMAC keys (the least HS256 accepts, RFC 7518 section 3.2):
 * "a" * 32, "b" * 32, "B" * 32. */
#define K_A "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE"
#define K_B "YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI"
#define K_BB "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI"

/* ------------------------------------------------------------ helpers */

static void set_member(struct json_object *jwk, const char *name, const char *value)
{
	json_object_object_add(jwk, name, json_object_new_string(value));
}

/* Flip one bit of a base64url member's middle byte, keeping it canonical. */
static void corrupt_member(struct json_object *jwk, const char *name)
{
	char *s = strdup(tu_vstr(jwk, name));
	size_t mid = strlen(s) / 2;

	s[mid] = s[mid] == 'A' ? 'B' : 'A';
	set_member(jwk, name, s);
	free(s);
}

/* {"keys":[jwk]} as text (jwk is consumed). */
static char *set_of(struct json_object *jwk)
{
	struct json_object *set = json_object_new_object(), *keys = json_object_new_array();
	char *doc;

	json_object_array_add(keys, jwk);
	json_object_object_add(set, "keys", keys);
	doc = strdup(json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN));
	json_object_put(set);
	return doc;
}

/* Select kid from doc for alg; returns the error code, fills *e. */
static int select_doc(const char *doc, const char *kid, enum jws_alg alg, struct err *e)
{
	const char *kids[1] = {kid};
	struct jwk *key = (struct jwk *)1;
	int rc;

	err_clear(e);
	rc = jwk_set_select(doc, strlen(doc), kids, 1, alg, NULL, &key, e);
	if (rc == 0) {
		cr_assert_not_null(key);
		jwk_free(key);
	} else {
		cr_assert_null(key, "*out must be NULL on failure");
		cr_assert_eq(e->code, rc);
		cr_assert_neq(e->msg[0], '\0', "no message");
	}
	return rc;
}

/* Wrap jwk (consumed) with kid "t" and select it for alg. */
static int select_jwk(struct json_object *jwk, enum jws_alg alg, struct err *e)
{
	char *doc;
	int rc;

	set_member(jwk, "kid", "t");
	doc = set_of(jwk);
	rc = select_doc(doc, "t", alg, e);
	free(doc);
	return rc;
}

/* The refusal has code, names the kid, contains text (which names the
 * member and the cause) and shows no key value. */
static void expect_refused(struct json_object *jwk, enum jws_alg alg, int code, const char *text)
{
	struct json_object *copy = NULL;
	struct err e;
	int rc;

	cr_assert_eq(json_object_deep_copy(jwk, &copy, NULL), 0);
	rc = select_jwk(jwk, alg, &e);
	cr_assert_eq(rc, code, "got %d (%s), want %d", rc, e.msg, code);
	cr_assert_not_null(strstr(e.msg, "key \"t\": "), "kid not named: %s", e.msg);
	cr_assert_not_null(strstr(e.msg, text), "want '%s' in: %s", text, e.msg);
	json_object_object_foreach(copy, name, val)
	{
		const char *s = json_object_get_string(val);
		char head[9];

		if (strcmp(name, "kty") == 0 || strcmp(name, "crv") == 0 ||
		    strcmp(name, "alg") == 0 || strcmp(name, "use") == 0 ||
		    strcmp(name, "kid") == 0 || strlen(s) < 8)
			continue;
		memcpy(head, s, 8);
		head[8] = '\0';
		cr_assert_null(strstr(e.msg, head), "message shows part of %s: %s", name, e.msg);
	}
	json_object_put(copy);
}

static enum jws_alg alg_of(const char *name)
{
	enum jws_alg a = JWS_ALG_INVALID;

	cr_assert_eq(alg_from_name(name, &a), 0, "%s", name);
	return a;
}

#define B64K "is not strict base64url"
#define SIM2_K                                                                                     \
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"

static struct json_object *oct_jwk(const char *k)
{
	struct json_object *jwk = json_object_new_object();

	set_member(jwk, "kty", "oct");
	if (k)
		set_member(jwk, "k", k);
	return jwk;
}

/* Verify a raw signature with libsodium / GnuTLS public-key code, using
 * only the public members of the JWK text pub (a key of a set). */
static int verify_with(struct json_object *pub, enum jws_alg alg, const uint8_t *msg, size_t len,
		       const uint8_t *sig, size_t siglen)
{
	gnutls_datum_t data = {(unsigned char *)msg, (unsigned)len};
	gnutls_datum_t s = {(unsigned char *)sig, (unsigned)siglen}, der = {NULL, 0};
	gnutls_datum_t a = {NULL, 0}, b = {NULL, 0};
	gnutls_sign_algorithm_t algo;
	gnutls_pubkey_t pk;
	const char *kty = tu_vstr(pub, "kty");
	size_t n1, n2;
	int rc;

	if (strcmp(kty, "OKP") == 0) {
		cr_assert_eq(
		    b64url_decode(tu_vstr(pub, "x"), strlen(tu_vstr(pub, "x")), &a.data, &n1), 0);
		rc = n1 == 32 && siglen == 64 &&
		     crypto_sign_ed25519_verify_detached(sig, msg, len, a.data) == 0;
		free(a.data);
		return rc;
	}
	cr_assert_eq(gnutls_pubkey_init(&pk), 0);
	if (strcmp(kty, "RSA") == 0) {
		cr_assert_eq(
		    b64url_decode(tu_vstr(pub, "n"), strlen(tu_vstr(pub, "n")), &a.data, &n1), 0);
		cr_assert_eq(
		    b64url_decode(tu_vstr(pub, "e"), strlen(tu_vstr(pub, "e")), &b.data, &n2), 0);
		a.size = (unsigned)n1;
		b.size = (unsigned)n2;
		cr_assert_eq(gnutls_pubkey_import_rsa_raw(pk, &a, &b), 0);
		algo = alg == JWS_ALG_RS256   ? GNUTLS_SIGN_RSA_SHA256
		       : alg == JWS_ALG_PS256 ? GNUTLS_SIGN_RSA_PSS_RSAE_SHA256
					      : GNUTLS_SIGN_UNKNOWN;
	} else {
		const char *crv = tu_vstr(pub, "crv");
		gnutls_ecc_curve_t c = strcmp(crv, "P-256") == 0   ? GNUTLS_ECC_CURVE_SECP256R1
				       : strcmp(crv, "P-384") == 0 ? GNUTLS_ECC_CURVE_SECP384R1
								   : GNUTLS_ECC_CURVE_SECP521R1;
		size_t field = c == GNUTLS_ECC_CURVE_SECP256R1	 ? 32
			       : c == GNUTLS_ECC_CURVE_SECP384R1 ? 48
								 : 66;
		gnutls_datum_t r = {(unsigned char *)sig, (unsigned)field};
		gnutls_datum_t ss = {(unsigned char *)sig + field, (unsigned)field};

		cr_assert_eq(
		    b64url_decode(tu_vstr(pub, "x"), strlen(tu_vstr(pub, "x")), &a.data, &n1), 0);
		cr_assert_eq(
		    b64url_decode(tu_vstr(pub, "y"), strlen(tu_vstr(pub, "y")), &b.data, &n2), 0);
		a.size = (unsigned)n1;
		b.size = (unsigned)n2;
		cr_assert_eq(gnutls_pubkey_import_ecc_raw(pk, c, &a, &b), 0);
		cr_assert_eq(siglen, 2 * field);
		cr_assert_eq(gnutls_encode_rs_value(&der, &r, &ss), 0);
		s = der;
		algo = alg == JWS_ALG_ES256   ? GNUTLS_SIGN_ECDSA_SHA256
		       : alg == JWS_ALG_ES384 ? GNUTLS_SIGN_ECDSA_SHA384
					      : GNUTLS_SIGN_ECDSA_SHA512;
	}
	rc = gnutls_pubkey_verify_data2(pk, algo, 0, &data, &s) >= 0;
	gnutls_pubkey_deinit(pk);
	gnutls_free(der.data);
	free(a.data);
	free(b.data);
	return rc;
}

/* ------------------------------------------------------------ selection */

#define SIM2_SET "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"sim2\",\"k\":\"" SIM2_K "\"}]}"

Test(jwk_select, by_kid)
{
	const char *kids[1] = {"sim2"};
	struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(
	    jwk_set_select(SIM2_SET, strlen(SIM2_SET), kids, 1, JWS_ALG_HS256, NULL, &key, &e), 0,
	    "%s", e.msg);
	cr_assert_str_eq(jwk_kid(key), "sim2");
	cr_assert_eq(jwk_kty(key), JWK_KTY_OCT);
	cr_assert_eq(jwk_check_alg(key, JWS_ALG_HS512, &e), 0);
	jwk_free(key);
	jwk_free(NULL);
}

/* The first kid of the list that the set holds wins; matching is exact. */
Test(jwk_select, first_listed_kid_present)
{
	const char *doc = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"},"
			  "{\"kty\":\"oct\",\"kid\":\"b\",\"k\":\"" K_B "\"},"
			  "{\"kty\":\"oct\",\"kid\":\"B\",\"k\":\"" K_BB "\"}]}";
	const char *kids[] = {"missing", "b ", "b", "a"};
	struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(jwk_set_select(doc, strlen(doc), kids, 4, JWS_ALG_HS256, NULL, &key, &e), 0,
		     "%s", e.msg);
	cr_assert_str_eq(jwk_kid(key), "b");
	jwk_free(key);
}

Test(jwk_select, kid_not_found)
{
	struct err e;

	cr_assert_eq(select_doc(SIM2_SET, "sim3", JWS_ALG_HS256, &e), ERR_NOTFOUND);
	cr_assert_not_null(strstr(e.msg, "\"sim3\""), "%s", e.msg);
	cr_assert_eq(select_doc(SIM2_SET, "SIM2", JWS_ALG_HS256, &e), ERR_NOTFOUND);
}

Test(jwk_select, key_without_kid_is_not_selectable)
{
	const char *doc = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" K_A "\"}]}";
	struct err e;

	cr_assert_eq(select_doc(doc, "", JWS_ALG_HS256, &e), ERR_NOTFOUND);
}

Test(jwk_select, bare_jwk)
{
	const char *doc = "{\"kty\":\"oct\",\"kid\":\"sim2\",\"k\":\"" SIM2_K "\"}";
	struct err e;

	cr_assert_eq(select_doc(doc, "sim2", JWS_ALG_HS256, &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "single JWK"), "%s", e.msg);
}

Test(jwk_select, empty_set)
{
	struct err e;

	cr_assert_eq(select_doc("{\"keys\":[]}", "a", JWS_ALG_HS256, &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "empty"), "%s", e.msg);
}

Test(jwk_select, keys_missing_or_not_array)
{
	struct err e;

	cr_assert_eq(select_doc("{}", "a", JWS_ALG_HS256, &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "\"keys\""), "%s", e.msg);
	cr_assert_eq(select_doc("{\"keys\":{}}", "a", JWS_ALG_HS256, &e), ERR_INVALID);
	cr_assert_eq(select_doc("[{\"kty\":\"oct\"}]", "a", JWS_ALG_HS256, &e), ERR_INVALID);
}

/* A kid may name several keys (RFC 7517 section 4.5: across key types);
 * selection takes the one of the alg's key type and refuses only a choice
 * it cannot make.  Other kids are never affected. */
Test(jwk_select, shared_kid)
{
	const char *doc = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"x\",\"k\":\"" K_A "\"},"
			  "{\"kty\":\"oct\",\"kid\":\"y\",\"k\":\"" K_BB "\"},"
			  "{\"kty\":\"oct\",\"kid\":\"x\",\"k\":\"" K_B "\"}]}";
	const char *typed = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"s\",\"k\":\"" K_A "\"},"
			    "{\"kty\":\"EC\",\"kid\":\"s\",\"crv\":\"P-256\"}]}";
	const char *with_alg =
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"x\",\"k\":\"" K_A "\"},"
	    "{\"kty\":\"oct\",\"kid\":\"x\",\"alg\":\"HS256\",\"k\":\"" K_B "\"}]}";
	const char *kids[] = {"x"};
	struct jwk *key = NULL;
	struct err e;

	cr_assert_eq(select_doc(doc, "y", JWS_ALG_HS256, &e), 0, "%s", e.msg);
	cr_assert_eq(select_doc(doc, "x", JWS_ALG_HS256, &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "kid \"x\" names 2 keys of type oct that could sign "
					 "HS256 (entries #0 and #2)"),
			   "%s", e.msg);
	/* Across key types: the alg's type decides. */
	cr_assert_eq(select_doc(typed, "s", JWS_ALG_HS256, &e), 0, "%s", e.msg);
	cr_assert_eq(select_doc(typed, "s", JWS_ALG_ES256, &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "member \"x\""), "the EC entry was chosen: %s", e.msg);
	cr_assert_eq(select_doc(typed, "s", JWS_ALG_RS256, &e), ERR_KEY);
	cr_assert_not_null(strstr(e.msg, "cannot sign RS256"), "%s", e.msg);
	/* Two of one type: an "alg" member naming the configured alg decides. */
	cr_assert_eq(
	    jwk_set_select(with_alg, strlen(with_alg), kids, 1, JWS_ALG_HS256, NULL, &key, &e), 0,
	    "%s", e.msg);
	cr_assert_eq(key->ck.secret_len, 32);
	cr_assert_eq(key->ck.secret[0], 'b', "the entry with \"alg\" was chosen");
	jwk_free(key);
}

Test(jwk_select, entry_shapes)
{
	struct err e;

	cr_assert_eq(select_doc("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"},7]}",
				"a", JWS_ALG_HS256, &e),
		     ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "#1"), "%s", e.msg);
	cr_assert_eq(select_doc("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"},"
				"{\"kid\":\"b\"}]}",
				"a", JWS_ALG_HS256, &e),
		     ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "\"kty\""), "%s", e.msg);
	cr_assert_eq(select_doc("{\"keys\":[{\"kty\":\"oct\",\"kid\":5,\"k\":\"" K_A "\"}]}", "5",
				JWS_ALG_HS256, &e),
		     ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "\"kid\""), "%s", e.msg);
	cr_assert_eq(select_doc("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\\u0000b\",\"k\":\"" K_A
				"\"}]}",
				"a", JWS_ALG_HS256, &e),
		     ERR_INVALID);
}

/* json-c strict mode, whole input: comments, trailing commas, single
 * quotes, trailing data and NUL bytes are all refused. */
Test(jwk_select, strict_json)
{
	static const char *const bad[] = {
	    "",
	    "   ",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"}]",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"}]}x",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"}]}{}",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"},]}",
	    "{\"keys\":[{'kty':\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"}]}",
	    "/**/{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"}]}",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\",}]}",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"\xff\"}]}",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\",\"n\":NaN}]}",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\",\"n\":1.}]}",
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\tb\",\"k\":\"" K_A "\"}]}",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	};
	const char *kids[1] = {"a"};
	struct err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jwk *key = NULL;

		err_clear(&e);
		cr_assert_eq(
		    jwk_set_select(bad[i], strlen(bad[i]), kids, 1, JWS_ALG_HS256, NULL, &key, &e),
		    i == sizeof(bad) / sizeof(bad[0]) - 1 ? ERR_LIMIT : ERR_INVALID, "case %zu: %s",
		    i, e.msg);
		cr_assert_null(key);
	}
	/* A NUL byte after the document is not whitespace. */
	{
		const char doc[] =
		    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"}]}\0";
		struct jwk *key = NULL;

		cr_assert_eq(
		    jwk_set_select(doc, sizeof(doc), kids, 1, JWS_ALG_HS256, NULL, &key, &e),
		    ERR_INVALID);
		/* Trailing whitespace (a file's final newline) is fine. */
		cr_assert_eq(jwk_set_select("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":"
					    "\"" K_A "\"}]}\r\n\t ",
					    strlen(doc) + 4, kids, 1, JWS_ALG_HS256, NULL, &key,
					    &e),
			     0, "%s", e.msg);
		jwk_free(key);
	}
}

/* err is optional: the codes are the same without it. */
Test(jwk_select, null_err)
{
	const char *kids[1] = {"sim2"};
	struct jwk *key = NULL;
	struct buf out = BUF_INIT;

	cr_assert_eq(jwk_set_select("{", 1, kids, 1, JWS_ALG_HS256, NULL, &key, NULL), ERR_INVALID);
	cr_assert_eq(
	    jwk_set_select(SIM2_SET, strlen(SIM2_SET), kids, 1, JWS_ALG_RS256, NULL, &key, NULL),
	    ERR_KEY);
	cr_assert_eq(jwk_set_public("{\"keys\":[{\"kty\":\"EC\"}]}", 23, NULL, &out, NULL),
		     ERR_INVALID);
	cr_assert_eq(jwk_generate(&out, "RSA", 1024, NULL, "k", NULL, NULL), ERR_INVALID);
	cr_assert_eq(out.len, 0);
	cr_assert_null(key);
	buf_free(&out);
}

Test(jwk_select, limits)
{
	const char *kids[1] = {"sim2"};
	struct jwk_limits lim = {strlen(SIM2_SET) - 1, 0};
	struct jwk *key = NULL;
	struct err e = {0};
	const char *two = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K_A "\"},"
			  "{\"kty\":\"oct\",\"kid\":\"b\",\"k\":\"" K_A "\"}]}";

	cr_assert_eq(
	    jwk_set_select(SIM2_SET, strlen(SIM2_SET), kids, 1, JWS_ALG_HS256, &lim, &key, &e),
	    ERR_LIMIT);
	lim.max_doc_bytes = strlen(SIM2_SET);
	cr_assert_eq(
	    jwk_set_select(SIM2_SET, strlen(SIM2_SET), kids, 1, JWS_ALG_HS256, &lim, &key, &e), 0,
	    "%s", e.msg);
	jwk_free(key);
	key = NULL;
	lim.max_doc_bytes = 0;
	lim.max_keys = 1;
	kids[0] = "a";
	cr_assert_eq(jwk_set_select(two, strlen(two), kids, 1, JWS_ALG_HS256, &lim, &key, &e),
		     ERR_LIMIT);
	cr_assert_not_null(strstr(e.msg, "limit"), "%s", e.msg);
	lim.max_keys = 2;
	cr_assert_eq(jwk_set_select(two, strlen(two), kids, 1, JWS_ALG_HS256, &lim, &key, &e), 0);
	jwk_free(key);
}

/* 10,000 entries: only the selected one is parsed fully (the others hold
 * "k" values that are not even base64url). */
Test(jwk_select, large_set_only_selected_key_parsed, .timeout = 120)
{
	struct buf doc = BUF_INIT;
	struct jwk_limits lim = {0, 10000};
	const char *kids[1] = {"k-9999"};
	struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(buf_puts(&doc, "{\"keys\":["), 0);
	for (int i = 0; i < 9999; i++)
		cr_assert_eq(
		    buf_printf(&doc, "{\"kty\":\"oct\",\"kid\":\"k-%d\",\"k\":\"!!\"},", i), 0);
	cr_assert_eq(buf_puts(&doc, "{\"kty\":\"oct\",\"kid\":\"k-9999\",\"k\":\"" SIM2_K "\"}]}"),
		     0);
	cr_assert_eq(jwk_set_select(doc.data, doc.len, kids, 1, JWS_ALG_HS256, &lim, &key, &e), 0,
		     "%s", e.msg);
	cr_assert_str_eq(jwk_kid(key), "k-9999");
	jwk_free(key);
	kids[0] = "k-5";
	cr_assert_eq(jwk_set_select(doc.data, doc.len, kids, 1, JWS_ALG_HS256, &lim, &key, &e),
		     ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "\"k-5\""), "%s", e.msg);
	buf_free(&doc);
}

/* ------------------------------------------------------------ alg */

Test(jwk_alg, none_refused)
{
	struct json_object *v = tu_vector("negative-rfc7515-a5-alg-none.json");
	enum jws_alg a = JWS_ALG_HS256;
	struct err e;

	cr_assert_str_eq(tu_vstr(v, "alg"), "none");
	cr_assert_eq(alg_from_name(tu_vstr(v, "alg"), &a), ERR_UNSUPPORTED);
	cr_assert_eq(select_doc(SIM2_SET, "sim2", JWS_ALG_INVALID, &e), ERR_UNSUPPORTED);
	cr_assert_not_null(strstr(e.msg, "none"), "%s", e.msg);
	json_object_put(v);
}

Test(jwk_alg, jwk_alg_member_must_match)
{
	struct json_object *jwk = oct_jwk(SIM2_K);

	set_member(jwk, "alg", "HS512");
	expect_refused(jwk, JWS_ALG_HS256, ERR_KEY, "member \"alg\" is \"HS512\"");
}

Test(jwk_alg, jwk_alg_member_none)
{
	struct json_object *jwk = oct_jwk(SIM2_K);

	set_member(jwk, "alg", "none");
	expect_refused(jwk, JWS_ALG_HS256, ERR_KEY, "member \"alg\" is \"none\"");
}

Test(jwk_alg, jwk_alg_member_equal_accepted)
{
	struct json_object *jwk = oct_jwk(SIM2_K);
	struct err e;

	set_member(jwk, "alg", "HS384");
	cr_assert_eq(select_jwk(jwk, JWS_ALG_HS384, &e), 0, "%s", e.msg);
}

Test(jwk_alg, use_enc_refused)
{
	struct json_object *jwk = oct_jwk(SIM2_K);

	set_member(jwk, "use", "enc");
	expect_refused(jwk, JWS_ALG_HS256, ERR_KEY, "member \"use\" is \"enc\"");
}

Test(jwk_alg, key_ops_without_sign_refused)
{
	struct json_object *jwk = oct_jwk(SIM2_K), *ops = json_object_new_array();
	struct json_object *ok = oct_jwk(SIM2_K), *ops2 = json_object_new_array();
	struct err e;

	json_object_array_add(ops, json_object_new_string("verify"));
	json_object_object_add(jwk, "key_ops", ops);
	expect_refused(jwk, JWS_ALG_HS256, ERR_KEY, "member \"key_ops\" does not include");
	json_object_array_add(ops2, json_object_new_string("verify"));
	json_object_array_add(ops2, json_object_new_string("sign"));
	json_object_object_add(ok, "key_ops", ops2);
	cr_assert_eq(select_jwk(ok, JWS_ALG_HS256, &e), 0, "%s", e.msg);
}

/* The negative vectors of ../shared/vectors: all refused, no key out. */
Test(jwk_alg, negative_vectors_all_refused)
{
	static const char *const files[] = {
	    "negative-ec-p384-key-with-es256.json", "negative-oct-k-bad-length.json",
	    "negative-oct-k-invalid-chars.json",    "negative-oct-k-std-base64-padded.json",
	    "negative-oct-key-with-rs256.json",	    "negative-rfc7515-a5-alg-none.json",
	    "negative-rsa-key-with-hs256.json",	    "negative-rsa-missing-d-public-only.json",
	    "negative-rsa-missing-d-with-crt.json",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct json_object *v = tu_vector(files[i]), *jwk = tu_vobj(v, "jwk"), *copy = NULL;
		enum jws_alg alg = JWS_ALG_INVALID;
		struct err e;
		int rc;

		cr_assert_str_eq(tu_vstr(v, "expect"), "error");
		if (alg_from_name(tu_vstr(v, "alg"), &alg) != 0) {
			/* "none" never gets as far as a key. */
			cr_assert(json_object_is_type(jwk, json_type_null));
			json_object_put(v);
			continue;
		}
		cr_assert_eq(json_object_deep_copy(jwk, &copy, NULL), 0);
		rc = select_jwk(copy, alg, &e);
		cr_assert_lt(rc, 0, "%s was accepted", files[i]);
		cr_assert_not_null(strstr(e.msg, "\"t\""), "%s: %s", files[i], e.msg);
		json_object_put(v);
	}
}

/* ------------------------------------------------------------ oct */

Test(jwk_oct, rfc7517_a3_symmetric_keys_parse)
{
	struct json_object *v = tu_vector("rfc7517-appendix-a-keys.json");
	struct json_object *keys = tu_vobj(tu_vobj(v, "a3_symmetric_keys"), "keys");

	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		struct jwk *key = NULL;
		struct err e = {0};

		cr_assert_eq(jwk_parse(json_object_array_get_idx(keys, i), &key, &e), 0, "%s",
			     e.msg);
		cr_assert_eq(jwk_kty(key), JWK_KTY_OCT);
		jwk_free(key);
	}
	json_object_put(v);
}

Test(jwk_oct, k_padding_refused)
{
	expect_refused(oct_jwk("YWE="), JWS_ALG_HS256, ERR_INVALID, B64K);
}

Test(jwk_oct, k_plus_refused)
{
	expect_refused(oct_jwk("a+Fh"), JWS_ALG_HS256, ERR_INVALID, B64K);
}

Test(jwk_oct, k_slash_refused)
{
	expect_refused(oct_jwk("a/Fh"), JWS_ALG_HS256, ERR_INVALID, B64K);
}

Test(jwk_oct, k_stray_bytes_refused)
{
	expect_refused(oct_jwk("YWFh\n"), JWS_ALG_HS256, ERR_INVALID, B64K);
	expect_refused(oct_jwk("YW Fh"), JWS_ALG_HS256, ERR_INVALID, B64K);
}

Test(jwk_oct, k_bad_length_refused)
{
	expect_refused(oct_jwk("YWFhY"), JWS_ALG_HS256, ERR_INVALID, B64K);
}

/* An HMAC key shorter than the hash output is refused (RFC 7518 section
 * 3.2: 32, 48, 64 bytes for HS256, HS384, HS512); that length is enough. */
Test(jwk_oct, k_shorter_than_the_hash_refused)
{
	static const struct {
		enum jws_alg alg;
		size_t need;
	} algs[] = {{JWS_ALG_HS256, 32}, {JWS_ALG_HS384, 48}, {JWS_ALG_HS512, 64}};
	unsigned char raw[64];
	char k[128], want[64];
	struct err e;

	memset(raw, 'k', sizeof(raw));
	for (size_t i = 0; i < 3; i++) {
		sodium_bin2base64(k, sizeof(k), raw, algs[i].need - 1,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		snprintf(want, sizeof(want), "a %zu-byte key is too short", algs[i].need - 1);
		expect_refused(oct_jwk(k), algs[i].alg, ERR_KEY, want);
		sodium_bin2base64(k, sizeof(k), raw, algs[i].need,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		cr_assert_eq(select_jwk(oct_jwk(k), algs[i].alg, &e), 0, "%s", e.msg);
	}
	expect_refused(oct_jwk("aw"), JWS_ALG_HS256, ERR_KEY, "RFC 7518 section 3.2");
}

Test(jwk_oct, k_non_canonical_refused)
{
	/* "YR" has non-zero unused bits ("YQ" is the encoding of "a"). */
	expect_refused(oct_jwk("YR"), JWS_ALG_HS256, ERR_INVALID, B64K);
}

Test(jwk_oct, k_empty_refused)
{
	expect_refused(oct_jwk(""), JWS_ALG_HS256, ERR_INVALID, "member \"k\" is empty");
}

Test(jwk_oct, k_missing_refused)
{
	expect_refused(oct_jwk(NULL), JWS_ALG_HS256, ERR_INVALID, "member \"k\" is missing");
}

Test(jwk_oct, k_not_string_refused)
{
	struct json_object *jwk = oct_jwk(NULL);

	json_object_object_add(jwk, "k", json_object_new_int(5));
	expect_refused(jwk, JWS_ALG_HS256, ERR_INVALID, "member \"k\" is not a string");
}

Test(jwk_oct, oct_with_asymmetric_alg_refused)
{
	expect_refused(oct_jwk(SIM2_K), JWS_ALG_RS256, ERR_KEY,
		       "member \"kty\": a \"oct\" key cannot sign");
	expect_refused(oct_jwk(SIM2_K), JWS_ALG_ES256, ERR_KEY,
		       "member \"kty\": a \"oct\" key cannot sign");
	expect_refused(oct_jwk(SIM2_K), JWS_ALG_EDDSA, ERR_KEY,
		       "member \"kty\": a \"oct\" key cannot sign");
	expect_refused(oct_jwk(SIM2_K), JWS_ALG_PS256, ERR_KEY,
		       "member \"kty\": a \"oct\" key cannot sign");
}

Test(jwk_kty, unknown_kty_refused)
{
	struct json_object *jwk = json_object_new_object();

	set_member(jwk, "kty", "OCT");
	expect_refused(jwk, JWS_ALG_HS256, ERR_UNSUPPORTED, "member \"kty\": key type \"OCT\"");
}

/* ------------------------------------------------------------ RSA */

#define A2 "rfc7515-a2-rs256.json"

/* Sign the A.2 signing input with the edited A.2 key and compare with the
 * RFC's signature: the key must not merely load, it must sign right. */
static void expect_a2_signature(struct json_object *jwk)
{
	struct json_object *v = tu_vector(A2);
	const char *in = tu_vstr(v, "signing_input");
	struct buf sig = BUF_INIT, enc = BUF_INIT;
	struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(jwk_parse(jwk, &key, &e), 0, "%s", e.msg);
	cr_assert_eq(jws_sign_input(&sig, key, JWS_ALG_RS256, (const uint8_t *)in, strlen(in), &e),
		     0, "%s", e.msg);
	cr_assert_eq(b64url_encode_buf(&enc, (const uint8_t *)sig.data, sig.len), 0);
	cr_assert_str_eq(enc.data, tu_vstr(v, "signature_b64"));
	buf_free(&sig);
	buf_free(&enc);
	jwk_free(key);
	json_object_put(jwk);
	json_object_put(v);
}

Test(jwk_rsa, without_crt_members_derived)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	json_object_object_del(jwk, "dp");
	json_object_object_del(jwk, "dq");
	json_object_object_del(jwk, "qi");
	expect_a2_signature(jwk);
}

Test(jwk_rsa, modulus_leading_zero_accepted)
{
	struct json_object *jwk = tu_vector_jwk(A2);
	struct buf enc = BUF_INIT;
	uint8_t *n, *n0;
	size_t len;

	cr_assert_eq(b64url_decode(tu_vstr(jwk, "n"), strlen(tu_vstr(jwk, "n")), &n, &len), 0);
	n0 = calloc(1, len + 1);
	memcpy(n0 + 1, n, len);
	cr_assert_eq(b64url_encode_buf(&enc, n0, len + 1), 0);
	set_member(jwk, "n", enc.data);
	free(n);
	free(n0);
	buf_free(&enc);
	expect_a2_signature(jwk);
}

Test(jwk_rsa, public_only_refused)
{
	struct json_object *v = tu_vector("negative-rsa-missing-d-public-only.json");
	struct json_object *jwk = NULL;

	cr_assert_eq(json_object_deep_copy(tu_vobj(v, "jwk"), &jwk, NULL), 0);
	expect_refused(jwk, JWS_ALG_RS256, ERR_KEY, "member \"d\" is missing: a public key");
	json_object_put(v);
}

Test(jwk_rsa, crt_without_d_refused)
{
	struct json_object *v = tu_vector("negative-rsa-missing-d-with-crt.json");
	struct json_object *jwk = NULL;

	cr_assert_eq(json_object_deep_copy(tu_vobj(v, "jwk"), &jwk, NULL), 0);
	expect_refused(jwk, JWS_ALG_RS256, ERR_INVALID, "member \"d\" is missing but");
	json_object_put(v);
}

Test(jwk_rsa, d_without_primes_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	json_object_object_del(jwk, "p");
	json_object_object_del(jwk, "q");
	json_object_object_del(jwk, "dp");
	json_object_object_del(jwk, "dq");
	json_object_object_del(jwk, "qi");
	expect_refused(jwk, JWS_ALG_RS256, ERR_UNSUPPORTED, "members \"p\" and \"q\" are missing");
}

Test(jwk_rsa, one_prime_missing_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	json_object_object_del(jwk, "q");
	expect_refused(jwk, JWS_ALG_RS256, ERR_INVALID, "member \"q\" is missing");
}

Test(jwk_rsa, partial_crt_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	json_object_object_del(jwk, "dq");
	expect_refused(jwk, JWS_ALG_RS256, ERR_INVALID, "member \"dq\" is missing");
}

Test(jwk_rsa, wrong_d_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	corrupt_member(jwk, "d");
	expect_refused(jwk, JWS_ALG_RS256, ERR_KEY, "member \"d\" does not match");
}

Test(jwk_rsa, wrong_n_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	corrupt_member(jwk, "n");
	expect_refused(jwk, JWS_ALG_RS256, ERR_KEY,
		       "members \"n\", \"e\", \"p\", \"q\" are inconsistent");
}

Test(jwk_rsa, wrong_dp_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	corrupt_member(jwk, "dp");
	expect_refused(jwk, JWS_ALG_RS256, ERR_KEY, "member \"dp\" does not match");
}

Test(jwk_rsa, wrong_qi_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	corrupt_member(jwk, "qi");
	expect_refused(jwk, JWS_ALG_RS256, ERR_KEY, "member \"qi\" does not match");
}

Test(jwk_rsa, swapped_primes_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);
	char *p = strdup(tu_vstr(jwk, "p"));

	set_member(jwk, "p", tu_vstr(jwk, "q"));
	set_member(jwk, "q", p);
	free(p);
	expect_refused(jwk, JWS_ALG_RS256, ERR_KEY, "inconsistent RSA private key");
}

Test(jwk_rsa, multi_prime_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	json_object_object_add(jwk, "oth", json_object_new_array());
	expect_refused(jwk, JWS_ALG_RS256, ERR_UNSUPPORTED, "member \"oth\": multi-prime");
}

Test(jwk_rsa, e_bad_base64url_refused)
{
	struct json_object *jwk = tu_vector_jwk(A2);

	set_member(jwk, "e", "AQAB=");
	expect_refused(jwk, JWS_ALG_RS256, ERR_INVALID, "member \"e\" is not strict base64url");
}

Test(jwk_rsa, under_2048_bits_refused)
{
	struct json_object *v = tu_vector("jwk-rsa1024.json");
	struct json_object *jwk = NULL;
	struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(
	    json_object_deep_copy(json_object_array_get_idx(tu_vobj(v, "keys"), 0), &jwk, NULL), 0);
	/* It is a sound key: it parses, but cannot sign. */
	cr_assert_eq(jwk_parse(jwk, &key, &e), 0, "%s", e.msg);
	jwk_free(key);
	expect_refused(jwk, JWS_ALG_RS256, ERR_KEY,
		       "member \"n\": a 1024-bit RSA key is too small");
	json_object_put(v);
}

Test(jwk_rsa, rsa_with_hmac_alg_refused)
{
	struct json_object *v = tu_vector("negative-rsa-key-with-hs256.json");
	struct json_object *jwk = NULL;

	cr_assert_eq(json_object_deep_copy(tu_vobj(v, "jwk"), &jwk, NULL), 0);
	expect_refused(jwk, JWS_ALG_HS256, ERR_KEY,
		       "member \"kty\": a \"RSA\" key cannot sign HS256");
	json_object_put(v);
}

Test(jwk_rsa, rfc7517_a2_private_rsa_key_signs_ps256)
{
	struct json_object *v = tu_vector("rfc7517-appendix-a-keys.json");
	const char *doc =
	    json_object_to_json_string_ext(tu_vobj(v, "a2_private_keys"), JSON_C_TO_STRING_PLAIN);
	struct err e;

	/* Its "alg" member is RS256. */
	cr_assert_eq(select_doc(doc, "2011-04-29", JWS_ALG_RS256, &e), 0, "%s", e.msg);
	cr_assert_eq(select_doc(doc, "2011-04-29", JWS_ALG_PS256, &e), ERR_KEY);
	cr_assert_not_null(strstr(e.msg, "\"alg\""), "%s", e.msg);
	json_object_put(v);
}

/* ------------------------------------------------------------ EC */

#define A3 "rfc7515-a3-es256.json"

Test(jwk_ec, p384_key_with_es256_refused)
{
	struct json_object *v = tu_vector("negative-ec-p384-key-with-es256.json");
	struct json_object *jwk = NULL, *ok = NULL;
	struct err e;

	cr_assert_eq(json_object_deep_copy(tu_vobj(v, "jwk"), &jwk, NULL), 0);
	cr_assert_eq(json_object_deep_copy(tu_vobj(v, "jwk"), &ok, NULL), 0);
	expect_refused(jwk, JWS_ALG_ES256, ERR_KEY,
		       "member \"crv\": a P-384 key cannot sign ES256");
	cr_assert_eq(select_jwk(ok, JWS_ALG_ES384, &e), 0, "%s", e.msg);
	json_object_put(v);
}

Test(jwk_ec, every_curve_alg_pairing)
{
	static const char *const files[] = {A3, "negative-ec-p384-key-with-es256.json",
					    "rfc7515-a4-es512.json"};
	static const enum jws_alg algs[] = {JWS_ALG_ES256, JWS_ALG_ES384, JWS_ALG_ES512};

	for (int f = 0; f < 3; f++) {
		for (int a = 0; a < 3; a++) {
			struct json_object *jwk = tu_vector_jwk(files[f]);
			struct err e;

			cr_assert_eq(select_jwk(jwk, algs[a], &e), f == a ? 0 : ERR_KEY,
				     "%s %s: %s", files[f], alg_name(algs[a]), e.msg);
		}
	}
}

Test(jwk_ec, short_x_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);

	/* 31 bytes */
	set_member(jwk, "x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVA");
	expect_refused(jwk, JWS_ALG_ES256, ERR_INVALID, "member \"x\" is 31 bytes");
}

Test(jwk_ec, long_y_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);
	struct buf b = BUF_INIT;
	uint8_t y[33];

	memset(y, 1, sizeof(y));
	cr_assert_eq(b64url_encode_buf(&b, y, sizeof(y)), 0);
	set_member(jwk, "y", b.data);
	buf_free(&b);
	expect_refused(jwk, JWS_ALG_ES256, ERR_INVALID, "member \"y\" is 33 bytes");
}

Test(jwk_ec, short_d_refused)
{
	struct json_object *v = tu_vector("rfc7515-a4-es512.json");
	struct json_object *jwk = NULL;
	struct buf b = BUF_INIT;
	uint8_t *d;
	size_t n;

	cr_assert_eq(json_object_deep_copy(tu_vobj(v, "jwk"), &jwk, NULL), 0);
	/* P-521 "d" without its leading zero byte: 65 instead of 66. */
	cr_assert_eq(b64url_decode(tu_vstr(jwk, "d"), strlen(tu_vstr(jwk, "d")), &d, &n), 0);
	cr_assert_eq(n, 66);
	cr_assert_eq(b64url_encode_buf(&b, d + 1, 65), 0);
	set_member(jwk, "d", b.data);
	free(d);
	buf_free(&b);
	expect_refused(jwk, JWS_ALG_ES512, ERR_INVALID, "member \"d\" is 65 bytes");
	json_object_put(v);
}

Test(jwk_ec, y_missing_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);

	json_object_object_del(jwk, "y");
	expect_refused(jwk, JWS_ALG_ES256, ERR_INVALID, "member \"y\" is missing");
}

Test(jwk_ec, crv_missing_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);

	json_object_object_del(jwk, "crv");
	expect_refused(jwk, JWS_ALG_ES256, ERR_INVALID, "member \"crv\" is missing");
}

Test(jwk_ec, crv_unsupported_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);

	set_member(jwk, "crv", "secp256k1");
	expect_refused(jwk, JWS_ALG_ES256, ERR_UNSUPPORTED,
		       "member \"crv\": curve \"secp256k1\" is not supported");
}

Test(jwk_ec, ed25519_crv_on_ec_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);

	set_member(jwk, "crv", "Ed25519");
	expect_refused(jwk, JWS_ALG_ES256, ERR_UNSUPPORTED,
		       "curve \"Ed25519\" is not supported for kty \"EC\"");
}

Test(jwk_ec, point_of_another_key_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);
	struct json_object *v = tu_vector("rfc7517-appendix-a-keys.json");
	struct json_object *other =
	    json_object_array_get_idx(tu_vobj(tu_vobj(v, "a2_private_keys"), "keys"), 0);

	set_member(jwk, "x", tu_vstr(other, "x"));
	set_member(jwk, "y", tu_vstr(other, "y"));
	expect_refused(jwk, JWS_ALG_ES256, ERR_KEY, "are not the public point of \"d\"");
	json_object_put(v);
}

Test(jwk_ec, point_off_curve_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);

	corrupt_member(jwk, "y");
	expect_refused(jwk, JWS_ALG_ES256, ERR_KEY, "are not the public point of \"d\"");
}

Test(jwk_ec, public_only_refused)
{
	struct json_object *jwk = tu_vector_jwk(A3);

	json_object_object_del(jwk, "d");
	expect_refused(jwk, JWS_ALG_ES256, ERR_KEY, "member \"d\" is missing: a public key");
}

/* RFC 7517 A.2's EC key is marked "use":"enc". */
Test(jwk_ec, rfc7517_a2_ec_key_is_for_encryption)
{
	struct json_object *v = tu_vector("rfc7517-appendix-a-keys.json");
	const char *doc =
	    json_object_to_json_string_ext(tu_vobj(v, "a2_private_keys"), JSON_C_TO_STRING_PLAIN);
	struct err e;

	cr_assert_eq(select_doc(doc, "1", JWS_ALG_ES256, &e), ERR_KEY);
	cr_assert_not_null(strstr(e.msg, "\"use\""), "%s", e.msg);
	json_object_put(v);
}

/* ------------------------------------------------------------ OKP */

#define A4_ED "rfc8037-a4-eddsa-ed25519.json"

Test(jwk_okp, rfc8037_key_loads)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);
	struct err e;

	cr_assert_eq(select_jwk(jwk, JWS_ALG_EDDSA, &e), 0, "%s", e.msg);
}

Test(jwk_okp, x_not_matching_d_refused)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);

	corrupt_member(jwk, "x");
	expect_refused(jwk, JWS_ALG_EDDSA, ERR_KEY, "member \"x\" is not the public key of \"d\"");
}

Test(jwk_okp, x25519_refused)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);

	set_member(jwk, "crv", "X25519");
	expect_refused(jwk, JWS_ALG_EDDSA, ERR_UNSUPPORTED, "curve \"X25519\" is not supported");
}

Test(jwk_okp, ed448_refused)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);

	set_member(jwk, "crv", "Ed448");
	expect_refused(jwk, JWS_ALG_EDDSA, ERR_UNSUPPORTED, "curve \"Ed448\" is not supported");
}

Test(jwk_okp, p256_crv_on_okp_refused)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);

	set_member(jwk, "crv", "P-256");
	expect_refused(jwk, JWS_ALG_EDDSA, ERR_UNSUPPORTED,
		       "curve \"P-256\" is not supported for kty \"OKP\"");
}

Test(jwk_okp, short_d_refused)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);

	struct buf b = BUF_INIT;
	uint8_t d[31];

	memset(d, 7, sizeof(d));
	cr_assert_eq(b64url_encode_buf(&b, d, sizeof(d)), 0);
	set_member(jwk, "d", b.data);
	buf_free(&b);
	expect_refused(jwk, JWS_ALG_EDDSA, ERR_INVALID, "member \"d\" is 31 bytes");
}

Test(jwk_okp, public_only_refused)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);

	json_object_object_del(jwk, "d");
	expect_refused(jwk, JWS_ALG_EDDSA, ERR_KEY, "member \"d\" is missing: a public key");
}

Test(jwk_okp, okp_with_es256_refused)
{
	expect_refused(tu_vector_jwk(A4_ED), JWS_ALG_ES256, ERR_KEY,
		       "member \"kty\": a \"OKP\" key cannot sign ES256");
}

/* ------------------------------------------------------------ public */

/* RFC 7517 A.1 is the public half of A.2: our export of A.2 must equal
 * it member for member. */
Test(jwk_public, rfc7517_a2_gives_a1)
{
	struct json_object *v = tu_vector("rfc7517-appendix-a-keys.json");
	const char *doc =
	    json_object_to_json_string_ext(tu_vobj(v, "a2_private_keys"), JSON_C_TO_STRING_PLAIN);
	struct buf out = BUF_INIT;
	struct json_object *got;
	struct err e = {0};

	cr_assert_eq(jwk_set_public(doc, strlen(doc), NULL, &out, &e), 0, "%s", e.msg);
	got = json_tokener_parse(out.data);
	cr_assert_not_null(got, "not JSON: %s", out.data);
	cr_assert(json_object_equal(got, tu_vobj(v, "a1_public_keys")), "%s", out.data);
	cr_assert_null(strstr(out.data, "\"d\""));
	json_object_put(got);
	buf_free(&out);
	json_object_put(v);
}

/* A public set passes through unchanged. */
Test(jwk_public, public_set_unchanged)
{
	struct json_object *v = tu_vector("rfc7517-appendix-a-keys.json");
	const char *doc =
	    json_object_to_json_string_ext(tu_vobj(v, "a1_public_keys"), JSON_C_TO_STRING_PLAIN);
	struct buf out = BUF_INIT;
	struct json_object *got;
	struct err e = {0};

	cr_assert_eq(jwk_set_public(doc, strlen(doc), NULL, &out, &e), 0, "%s", e.msg);
	got = json_tokener_parse(out.data);
	cr_assert(json_object_equal(got, tu_vobj(v, "a1_public_keys")), "%s", out.data);
	json_object_put(got);
	buf_free(&out);
	json_object_put(v);
}

Test(jwk_public, oct_left_out)
{
	struct json_object *v = tu_vector("rfc7517-appendix-a-keys.json");
	const char *doc =
	    json_object_to_json_string_ext(tu_vobj(v, "a3_symmetric_keys"), JSON_C_TO_STRING_PLAIN);
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(jwk_set_public(doc, strlen(doc), NULL, &out, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out.data, "{\"keys\":[]}");
	buf_free(&out);
	json_object_put(v);
}

Test(jwk_public, okp_and_exact_bytes)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);
	struct buf out = BUF_INIT;
	struct err e = {0};
	char *doc;

	set_member(jwk, "kid", "ed");
	doc = set_of(jwk);
	cr_assert_eq(jwk_set_public(doc, strlen(doc), NULL, &out, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out.data, "{\"keys\":[{\"kty\":\"OKP\",\"kid\":\"ed\",\"crv\":\"Ed25519\","
				   "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}");
	free(doc);
	buf_free(&out);
}

Test(jwk_public, inconsistent_key_refused_out_unchanged)
{
	struct json_object *jwk = tu_vector_jwk(A4_ED);
	struct buf out = BUF_INIT;
	struct err e = {0};
	char *doc;

	corrupt_member(jwk, "x");
	doc = set_of(jwk);
	cr_assert_eq(buf_puts(&out, "keep"), 0);
	cr_assert_eq(jwk_set_public(doc, strlen(doc), NULL, &out, &e), ERR_KEY);
	cr_assert_str_eq(out.data, "keep");
	cr_assert_not_null(strstr(e.msg, "entry #0"), "%s", e.msg);
	cr_assert_eq(jwk_set_public("{\"kty\":\"oct\"}", 13, NULL, &out, &e), ERR_INVALID);
	cr_assert_str_eq(out.data, "keep");
	free(doc);
	buf_free(&out);
}

/* ------------------------------------------------------------ generate */

/* Generate, select, sign, export the public set and verify with it. */
static void generate_and_verify(const char *kty, unsigned bits, const char *crv, const char *alg,
				size_t member_bytes, const char *member)
{
	const char *kids[1] = {"gen-1"};
	enum jws_alg a = alg_of(alg);
	struct buf priv = BUF_INIT, pub = BUF_INIT, sig = BUF_INIT;
	struct json_object *privset, *pubset, *pj, *kj;
	struct jwk *key = NULL;
	struct err e = {0};
	uint8_t *raw;
	size_t n;

	cr_assert_eq(jwk_generate(&priv, kty, bits, crv, "gen-1", alg, &e), 0, "%s", e.msg);
	privset = json_tokener_parse(priv.data);
	cr_assert_not_null(privset, "%s", priv.data);
	kj = json_object_array_get_idx(tu_vobj(privset, "keys"), 0);
	cr_assert_str_eq(tu_vstr(kj, "kty"), kty);
	cr_assert_str_eq(tu_vstr(kj, "kid"), "gen-1");
	cr_assert_str_eq(tu_vstr(kj, "alg"), alg);
	cr_assert_str_eq(tu_vstr(kj, "use"), "sig");
	cr_assert_eq(b64url_decode(tu_vstr(kj, member), strlen(tu_vstr(kj, member)), &raw, &n), 0);
	cr_assert_eq(n, member_bytes, "%s: %s is %zu bytes", alg, member, n);
	sodium_memzero(raw, n);
	free(raw);
	cr_assert_eq(jwk_set_select(priv.data, priv.len, kids, 1, a, NULL, &key, &e), 0, "%s",
		     e.msg);
	cr_assert_eq(jws_sign_input(&sig, key, a, (const uint8_t *)"abc.def", 7, &e), 0, "%s",
		     e.msg);
	if (strcmp(kty, "oct") != 0) {
		cr_assert_eq(jwk_set_public(priv.data, priv.len, NULL, &pub, &e), 0, "%s", e.msg);
		cr_assert_null(strstr(pub.data, "\"d\""), "%s", pub.data);
		pubset = json_tokener_parse(pub.data);
		pj = json_object_array_get_idx(tu_vobj(pubset, "keys"), 0);
		cr_assert(verify_with(pj, a, (const uint8_t *)"abc.def", 7,
				      (const uint8_t *)sig.data, sig.len),
			  "%s signature does not verify", alg);
		json_object_put(pubset);
	}
	json_object_put(privset);
	jwk_free(key);
	buf_wipe_free(&priv);
	buf_free(&pub);
	buf_free(&sig);
}

Test(jwk_generate, oct_defaults)
{
	generate_and_verify("oct", 0, NULL, "HS256", 32, "k");
	generate_and_verify("oct", 0, NULL, "HS384", 48, "k");
	generate_and_verify("oct", 0, NULL, "HS512", 64, "k");
	generate_and_verify("oct", 1024, NULL, "HS256", 128, "k");
}

Test(jwk_generate, ec_and_okp)
{
	generate_and_verify("EC", 0, NULL, "ES256", 32, "d");
	generate_and_verify("EC", 0, "P-384", "ES384", 48, "y");
	generate_and_verify("EC", 0, NULL, "ES512", 66, "x");
	generate_and_verify("OKP", 0, NULL, "EdDSA", 32, "d");
	generate_and_verify("OKP", 0, "Ed25519", "EdDSA", 32, "x");
}

Test(jwk_generate, rsa, .timeout = 300)
{
	generate_and_verify("RSA", 0, NULL, "PS256", 256, "n");
}

Test(jwk_generate, without_alg)
{
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(jwk_generate(&out, "EC", 0, "P-384", "x", NULL, &e), 0, "%s", e.msg);
	cr_assert_null(strstr(out.data, "\"alg\""), "%s", out.data);
	cr_assert_not_null(strstr(out.data, "\"crv\":\"P-384\""), "%s", out.data);
	buf_reset(&out);
	cr_assert_eq(jwk_generate(&out, "oct", 0, NULL, "x", NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(out.len, strlen("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"x\",\"use\":\"sig\","
				     "\"k\":\"\"}]}") +
				  43);
	buf_wipe_free(&out);
}

Test(jwk_generate, two_keys_differ)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(jwk_generate(&a, "OKP", 0, NULL, "x", NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(jwk_generate(&b, "OKP", 0, NULL, "x", NULL, &e), 0, "%s", e.msg);
	cr_assert_str_neq(a.data, b.data);
	buf_wipe_free(&a);
	buf_wipe_free(&b);
}

Test(jwk_generate, refusals)
{
	static const struct {
		const char *kty;
		unsigned bits;
		const char *crv, *kid, *alg;
		int code;
	} c[] = {
	    {"oct", 0, NULL, NULL, NULL, ERR_INVALID},	      /* no kid */
	    {"oct", 0, NULL, "", NULL, ERR_INVALID},	      /* empty kid */
	    {"dsa", 0, NULL, "k", NULL, ERR_UNSUPPORTED},     /* kty */
	    {NULL, 0, NULL, "k", NULL, ERR_UNSUPPORTED},      /* no kty */
	    {"oct", 0, NULL, "k", "none", ERR_UNSUPPORTED},   /* alg none */
	    {"oct", 0, NULL, "k", "RS256", ERR_INVALID},      /* alg/kty */
	    {"EC", 0, NULL, "k", "EdDSA", ERR_INVALID},	      /* alg/kty */
	    {"oct", 100, NULL, "k", NULL, ERR_INVALID},	      /* not bytes */
	    {"oct", 64, NULL, "k", NULL, ERR_INVALID},	      /* too short */
	    {"oct", 256, NULL, "k", "HS512", ERR_INVALID},    /* < hash size */
	    {"oct", 0, "P-256", "k", NULL, ERR_INVALID},      /* crv on oct */
	    {"RSA", 1024, NULL, "k", NULL, ERR_INVALID},      /* < 2048 */
	    {"RSA", 0, "P-256", "k", NULL, ERR_INVALID},      /* crv on RSA */
	    {"EC", 256, NULL, "k", NULL, ERR_INVALID},	      /* bits on EC */
	    {"EC", 0, "P-192", "k", NULL, ERR_UNSUPPORTED},   /* curve */
	    {"EC", 0, "Ed25519", "k", NULL, ERR_UNSUPPORTED}, /* curve */
	    {"EC", 0, "P-256", "k", "ES384", ERR_INVALID},    /* crv/alg */
	    {"OKP", 0, "X25519", "k", NULL, ERR_UNSUPPORTED}, /* curve */
	    {"OKP", 0, "P-256", "k", NULL, ERR_UNSUPPORTED},  /* curve */
	};
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct err e = {0};

		cr_assert_eq(
		    jwk_generate(&out, c[i].kty, c[i].bits, c[i].crv, c[i].kid, c[i].alg, &e),
		    c[i].code, "case %zu: %s", i, e.msg);
		cr_assert_eq(out.len, 0, "case %zu wrote output", i);
		cr_assert_neq(e.msg[0], '\0');
	}
	buf_free(&out);
}

Test(jwk_generate, kid_escaped)
{
	const char *kids[1] = {"a\"b<c"};
	struct buf out = BUF_INIT;
	struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(jwk_generate(&out, "oct", 0, NULL, kids[0], NULL, &e), 0, "%s", e.msg);
	cr_assert_not_null(strstr(out.data, "\"kid\":\"a\\\"b\\u003cc\""), "%s", out.data);
	cr_assert_eq(jwk_set_select(out.data, out.len, kids, 1, JWS_ALG_HS256, NULL, &key, &e), 0,
		     "%s", e.msg);
	jwk_free(key);
	buf_wipe_free(&out);
}

/* ------------------------------------------------------------ PEM */

/* The fixtures tests/data/pem-*.pem and pem-*.jwk.json were made once by
 * tests/data/pem-gen.sh: keys by openssl / certtool, expected JWKs and
 * JWS by python3-jwcrypto (JWK.from_pem(...).export_private()). */

/* Convert the fixture file with kid and alg; returns the code. */
static int pem_convert(const char *file, const char *kid, const char *alg, struct buf *out,
		       struct err *e)
{
	size_t len;
	char *pem = tu_read_file(file, &len);
	int rc;

	err_clear(e);
	rc = pem_to_jwk_set(pem, len, kid, alg, out, e);
	free(pem);
	return rc;
}

/* The single key of a converted set (owned by *set). */
static struct json_object *only_key(const char *doc, struct json_object **set)
{
	struct json_object *keys;

	*set = json_tokener_parse(doc);
	cr_assert_not_null(*set, "not JSON: %s", doc);
	keys = tu_vobj(*set, "keys");
	cr_assert_eq(json_object_array_length(keys), 1);
	return json_object_array_get_idx(keys, 0);
}

/* The signing input (header.payload) and signature of a compact JWS. */
static void jws_split(const char *jws, char **input, char **sig)
{
	const char *dot = strrchr(jws, '.');

	cr_assert_not_null(dot);
	*input = strndup(jws, (size_t)(dot - jws));
	*sig = strdup(dot + 1);
}

/* Convert pem-NAME.pem, compare with pem-NAME.jwk.json (jwcrypto), then
 * select the key, sign jwcrypto's signing input and compare (RS256,
 * EdDSA: byte for byte) or cross-verify (ES*: both signatures with both
 * public keys), and export the public set. */
static void pem_matches_jwcrypto(const char *name)
{
	char file[128], expect_file[128];
	const char *kids[1] = {"pem-1"};
	struct json_object *exp, *ej, *set, *got, *pubset, *pj;
	struct buf out = BUF_INIT, pub = BUF_INIT, sig = BUF_INIT, enc = BUF_INIT;
	struct jwk *key = NULL;
	struct err e = {0};
	const char *algname;
	char *input, *theirs;
	enum jws_alg alg;
	size_t members = 0;
	uint8_t *raw;
	size_t rawlen;

	snprintf(file, sizeof(file), "pem-%s.pem", name);
	snprintf(expect_file, sizeof(expect_file), "pem-%s.jwk.json", name);
	exp = tu_vector(expect_file);
	ej = tu_vobj(exp, "jwk");
	algname = tu_vstr(exp, "alg");
	alg = alg_of(algname);

	cr_assert_eq(pem_convert(file, "pem-1", algname, &out, &e), 0, "%s: %s", name, e.msg);
	got = only_key(out.data, &set);
	cr_assert_str_eq(tu_vstr(got, "kid"), "pem-1");
	cr_assert_str_eq(tu_vstr(got, "use"), "sig");
	cr_assert_str_eq(tu_vstr(got, "alg"), algname);
	json_object_object_foreach(ej, m, v)
	{
		if (strcmp(m, "kid") == 0) /* jwcrypto's is the thumbprint */
			continue;
		members++;
		cr_assert_str_eq(tu_vstr(got, m), json_object_get_string(v), "%s: member %s", name,
				 m);
	}
	/* Nothing more than jwcrypto's members and kid, use, alg. */
	cr_assert_eq((size_t)json_object_object_length(got), members + 3, "%s: %s", name, out.data);

	/* The keysource path: select, sign, publish. */
	cr_assert_eq(jwk_set_select(out.data, out.len, kids, 1, alg, NULL, &key, &e), 0, "%s: %s",
		     name, e.msg);
	jws_split(tu_vstr(exp, "jws"), &input, &theirs);
	cr_assert_eq(jws_sign_input(&sig, key, alg, (const uint8_t *)input, strlen(input), &e), 0,
		     "%s: %s", name, e.msg);
	cr_assert_eq(jwk_set_public(out.data, out.len, NULL, &pub, &e), 0, "%s: %s", name, e.msg);
	cr_assert_null(strstr(pub.data, "\"d\""), "%s", pub.data);
	pj = only_key(pub.data, &pubset);
	if (alg == JWS_ALG_RS256 || alg == JWS_ALG_EDDSA) {
		cr_assert_eq(b64url_encode_buf(&enc, (const uint8_t *)sig.data, sig.len), 0);
		cr_assert_str_eq(enc.data, theirs, "%s: signature differs from jwcrypto's", name);
	} else {
		cr_assert(verify_with(ej, alg, (const uint8_t *)input, strlen(input),
				      (const uint8_t *)sig.data, sig.len),
			  "%s: our signature does not verify with jwcrypto's key", name);
		cr_assert_eq(b64url_decode(theirs, strlen(theirs), &raw, &rawlen), 0);
		cr_assert(verify_with(pj, alg, (const uint8_t *)input, strlen(input), raw, rawlen),
			  "%s: jwcrypto's signature does not verify with our public key", name);
		free(raw);
	}
	json_object_put(pubset);
	json_object_put(set);
	json_object_put(exp);
	free(input);
	free(theirs);
	jwk_free(key);
	buf_wipe_free(&out);
	buf_free(&pub);
	buf_free(&sig);
	buf_free(&enc);
}

Test(jwk_pem, rsa_pkcs1_and_pkcs8)
{
	pem_matches_jwcrypto("rsa2048-pkcs1");
	pem_matches_jwcrypto("rsa2048-pkcs8");
}

Test(jwk_pem, ec_sec1)
{
	/* The P-256 file starts with an "EC PARAMETERS" block. */
	pem_matches_jwcrypto("ec-p256-sec1");
	pem_matches_jwcrypto("ec-p384-sec1");
	pem_matches_jwcrypto("ec-p521-sec1");
}

Test(jwk_pem, ec_pkcs8)
{
	pem_matches_jwcrypto("ec-p256-pkcs8");
	pem_matches_jwcrypto("ec-p384-pkcs8");
	pem_matches_jwcrypto("ec-p521-pkcs8");
}

Test(jwk_pem, ed25519_pkcs8)
{
	pem_matches_jwcrypto("ed25519-pkcs8");
}

/* The fixture was drawn so that a P-256 member starts with a zero byte:
 * the JWK keeps it (fixed 32 bytes), and P-521 members are 66 bytes. */
Test(jwk_pem, ec_members_left_padded)
{
	static const char *const files[] = {"pem-ec-p256-pkcs8.pem", "pem-ec-p521-sec1.pem",
					    "pem-ec-p521-pkcs8.pem"};
	static const size_t sizes[] = {32, 66, 66};
	int zero_seen = 0;

	for (int f = 0; f < 3; f++) {
		struct json_object *set, *k;
		struct buf out = BUF_INIT;
		struct err e;

		cr_assert_eq(pem_convert(files[f], "k", NULL, &out, &e), 0, "%s", e.msg);
		k = only_key(out.data, &set);
		for (const char *const *m = (const char *const[]){"x", "y", "d", NULL}; *m; m++) {
			uint8_t *raw;
			size_t n;

			cr_assert_eq(
			    b64url_decode(tu_vstr(k, *m), strlen(tu_vstr(k, *m)), &raw, &n), 0);
			cr_assert_eq(n, sizes[f], "%s %s: %zu bytes", files[f], *m, n);
			if (f == 0 && raw[0] == 0)
				zero_seen = 1;
			sodium_memzero(raw, n);
			free(raw);
		}
		json_object_put(set);
		buf_wipe_free(&out);
	}
	cr_assert(zero_seen, "the P-256 fixture has no member with a leading zero byte");
}

/* Byte-exact output: member order kty, kid, use, alg, then the key. */
Test(jwk_pem, ed25519_exact_text)
{
	struct json_object *exp = tu_vector("pem-ed25519-pkcs8.jwk.json");
	struct buf out = BUF_INIT, want = BUF_INIT;
	struct err e;

	cr_assert_eq(buf_puts(&out, "prefix:"), 0);
	cr_assert_eq(pem_convert("pem-ed25519-pkcs8.pem", "ed", "EdDSA", &out, &e), 0, "%s", e.msg);
	cr_assert_eq(
	    buf_printf(&want,
		       "prefix:{\"keys\":[{\"kty\":\"OKP\",\"kid\":\"ed\",\"use\":\"sig\","
		       "\"alg\":\"EdDSA\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"d\":\"%s\"}]}",
		       tu_vstr(tu_vobj(exp, "jwk"), "x"), tu_vstr(tu_vobj(exp, "jwk"), "d")),
	    0);
	cr_assert_str_eq(out.data, want.data);
	buf_reset(&out);
	cr_assert_eq(pem_convert("pem-ed25519-pkcs8.pem", "ed", NULL, &out, &e), 0, "%s", e.msg);
	cr_assert_null(strstr(out.data, "\"alg\""), "%s", out.data);
	buf_wipe_free(&out);
	buf_wipe_free(&want);
	json_object_put(exp);
}

Test(jwk_pem, kid_escaped)
{
	const char *kids[1] = {"a\"b<c"};
	struct buf out = BUF_INIT;
	struct jwk *key = NULL;
	struct err e;

	cr_assert_eq(pem_convert("pem-ed25519-pkcs8.pem", kids[0], NULL, &out, &e), 0, "%s", e.msg);
	cr_assert_not_null(strstr(out.data, "\"kid\":\"a\\\"b\\u003cc\""), "%s", out.data);
	cr_assert_eq(jwk_set_select(out.data, out.len, kids, 1, JWS_ALG_EDDSA, NULL, &key, &e), 0,
		     "%s", e.msg);
	cr_assert_str_eq(jwk_kid(key), kids[0]);
	jwk_free(key);
	buf_wipe_free(&out);
}

/* Several blocks: the one "... PRIVATE KEY" block is used, whatever comes
 * before or after it (text, a certificate); two private keys are refused,
 * in either order: the first one is never taken in silence. */
Test(jwk_pem, one_private_key_block)
{
	struct json_object *exp = tu_vector("pem-ec-p256-pkcs8.jwk.json");
	char *cert = tu_read_file("pem-cert.pem", NULL),
	     *ec = tu_read_file("pem-ec-p256-pkcs8.pem", NULL);
	char *rsa = tu_read_file("pem-rsa2048-pkcs1.pem", NULL);
	struct json_object *set, *k;
	struct buf doc = BUF_INIT, out = BUF_INIT;
	struct err e = {0};

	/* openssl pkcs12 -nodes style: attributes, then cert, key, cert. */
	cr_assert_eq(buf_printf(&doc, "Bag Attributes\n    localKeyID: 01\n%s%s%s", cert, ec, cert),
		     0);
	cr_assert(pem_detect(doc.data, doc.len));
	cr_assert_eq(pem_to_jwk_set(doc.data, doc.len, "k", "ES256", &out, &e), 0, "%s", e.msg);
	k = only_key(out.data, &set);
	cr_assert_str_eq(tu_vstr(k, "kty"), "EC");
	cr_assert_str_eq(tu_vstr(k, "d"), tu_vstr(tu_vobj(exp, "jwk"), "d"));
	json_object_put(set);
	for (int order = 0; order < 2; order++) {
		buf_reset(&doc);
		buf_reset(&out);
		cr_assert_eq(buf_printf(&doc, "%s%s\n%s", cert, order ? rsa : ec, order ? ec : rsa),
			     0);
		cr_assert_eq(pem_to_jwk_set(doc.data, doc.len, "k", NULL, &out, &e), ERR_INVALID);
		cr_assert_not_null(strstr(e.msg, "more than one private key"), "%s", e.msg);
		cr_assert_eq(out.len, 0);
	}
	json_object_put(exp);
	free(cert);
	free(ec);
	free(rsa);
	buf_wipe_free(&doc);
	buf_wipe_free(&out);
}

/* CRLF line ends and indentation before the markers are accepted. */
Test(jwk_pem, crlf_and_indent)
{
	char *ed = tu_read_file("pem-ed25519-pkcs8.pem", NULL);
	struct buf doc = BUF_INIT, out = BUF_INIT, ref = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(buf_puts(&doc, "\r\n  "), 0);
	for (const char *p = ed; *p; p++)
		cr_assert_eq(*p == '\n' ? buf_puts(&doc, "\r\n") : buf_putc(&doc, *p), 0);
	cr_assert(pem_detect(doc.data, doc.len));
	cr_assert_eq(pem_to_jwk_set(doc.data, doc.len, "k", NULL, &out, &e), 0, "%s", e.msg);
	cr_assert_eq(pem_to_jwk_set(ed, strlen(ed), "k", NULL, &ref, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out.data, ref.data);
	free(ed);
	buf_wipe_free(&doc);
	buf_wipe_free(&out);
	buf_wipe_free(&ref);
}

/* A 1024-bit RSA key converts without alg (it matches jwcrypto's), and
 * is refused for signing, here with alg and by jwk_set_select. */
Test(jwk_pem, rsa1024_refused_for_signing)
{
	struct json_object *exp = tu_vector("pem-rsa1024-pkcs1.jwk.json");
	struct json_object *set, *k;
	struct buf out = BUF_INIT;
	const char *kids[1] = {"k"};
	struct jwk *key = (struct jwk *)1;
	struct err e;

	cr_assert_eq(pem_convert("pem-rsa1024-pkcs1.pem", "k", NULL, &out, &e), 0, "%s", e.msg);
	k = only_key(out.data, &set);
	cr_assert_str_eq(tu_vstr(k, "n"), tu_vstr(tu_vobj(exp, "jwk"), "n"));
	cr_assert_str_eq(tu_vstr(k, "qi"), tu_vstr(tu_vobj(exp, "jwk"), "qi"));
	cr_assert_eq(jwk_set_select(out.data, out.len, kids, 1, JWS_ALG_RS256, NULL, &key, &e),
		     ERR_KEY);
	cr_assert_not_null(strstr(e.msg, "1024-bit RSA key is too small"), "%s", e.msg);
	cr_assert_null(key);
	buf_reset(&out);
	cr_assert_eq(pem_convert("pem-rsa1024-pkcs1.pem", "k", "RS256", &out, &e), ERR_KEY);
	cr_assert_not_null(strstr(e.msg, "1024-bit RSA key is too small"), "%s", e.msg);
	cr_assert_eq(out.len, 0);
	json_object_put(set);
	json_object_put(exp);
	buf_wipe_free(&out);
}

/* GnuTLS recomputes dp, dq, qi from d, p, q when it reads PKCS#1: a wrong
 * "exponent1" in the file must never reach the JWK (either refused, or
 * replaced by the right value). */
Test(jwk_pem, wrong_crt_value_never_copied)
{
	struct json_object *exp = tu_vector("pem-rsa2048-pkcs1.jwk.json");
	struct json_object *set, *k;
	struct buf out = BUF_INIT;
	struct err e;
	int rc = pem_convert("pem-rsa2048-bad-dp.pem", "k", "RS256", &out, &e);

	if (rc == 0) {
		k = only_key(out.data, &set);
		cr_assert_str_eq(tu_vstr(k, "dp"), tu_vstr(tu_vobj(exp, "jwk"), "dp"));
		json_object_put(set);
	} else {
		cr_assert_eq(rc, ERR_KEY, "%s", e.msg);
		cr_assert_eq(out.len, 0);
	}
	json_object_put(exp);
	buf_wipe_free(&out);
}

/* Each refusal: its code, its text, "PEM" first, out unchanged, and no
 * line of the file in the message. */
static void pem_refused(const char *file, const char *kid, const char *alg, int code,
			const char *text)
{
	struct buf out = BUF_INIT;
	struct err e;
	char *pem = tu_read_file(file, NULL), *line, *save = NULL;
	int rc;

	cr_assert_eq(buf_puts(&out, "keep"), 0);
	rc = pem_convert(file, kid, alg, &out, &e);
	cr_assert_eq(rc, code, "%s: got %d (%s), want %d", file, rc, e.msg, code);
	cr_assert_eq(e.code, code);
	cr_assert_str_eq(out.data, "keep", "%s: out changed", file);
	cr_assert_eq(strncmp(e.msg, "PEM", 3), 0, "%s: %s", file, e.msg);
	cr_assert_not_null(strstr(e.msg, text), "%s: want '%s' in: %s", file, text, e.msg);
	for (line = strtok_r(pem, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char head[13];

		if (strncmp(line, "-----", 5) == 0 || strchr(line, ':') || strlen(line) < 12)
			continue;
		memcpy(head, line, 12);
		head[12] = '\0';
		cr_assert_null(strstr(e.msg, head), "%s: message shows the key: %s", file, e.msg);
	}
	free(pem);
	buf_free(&out);
}

Test(jwk_pem, refusals)
{
	pem_refused("pem-encrypted-pkcs8.pem", "k", NULL, ERR_UNSUPPORTED,
		    "encrypted (\"ENCRYPTED PRIVATE KEY\"");
	pem_refused("pem-encrypted-pkcs1.pem", "k", NULL, ERR_UNSUPPORTED,
		    "\"RSA PRIVATE KEY\" is encrypted (Proc-Type header)");
	pem_refused("pem-cert.pem", "k", NULL, ERR_KEY,
		    "a private key is needed, but the file holds no \"... PRIVATE KEY\" block "
		    "(first block: \"CERTIFICATE\")");
	pem_refused("pem-public.pem", "k", NULL, ERR_KEY,
		    "a private key is needed, but the file holds no \"... PRIVATE KEY\" block "
		    "(first block: \"PUBLIC KEY\")");
	pem_refused("pem-openssh.pem", "k", NULL, ERR_UNSUPPORTED,
		    "an OpenSSH private key is not supported");
	pem_refused("pem-ed448-pkcs8.pem", "k", NULL, ERR_UNSUPPORTED,
		    "key type EdDSA (Ed448) is not supported");
	pem_refused("pem-x25519-pkcs8.pem", "k", NULL, ERR_UNSUPPORTED,
		    "key type ECDH (X25519) is not supported");
	pem_refused("pem-ec-p192-sec1.pem", "k", NULL, ERR_UNSUPPORTED,
		    "curve SECP192R1 is not supported (P-256, P-384, P-521, Ed25519)");
	/* GnuTLS does not know secp256k1 and reports a DER error. */
	pem_refused("pem-ec-secp256k1-sec1.pem", "k", NULL, ERR_INVALID,
		    "or holds a key type or curve GnuTLS does not know");
	pem_refused("pem-rsa2048-bad-d.pem", "k", NULL, ERR_KEY,
		    "key \"k\": member \"d\" does not match");
	/* The kid and alg. */
	pem_refused("pem-ed25519-pkcs8.pem", NULL, NULL, ERR_INVALID, "a kid is needed");
	pem_refused("pem-ed25519-pkcs8.pem", "", NULL, ERR_INVALID, "a kid is needed");
	pem_refused("pem-ed25519-pkcs8.pem", "k", "none", ERR_UNSUPPORTED,
		    "alg \"none\" is not supported");
	pem_refused("pem-ed25519-pkcs8.pem", "k", "ES256", ERR_KEY,
		    "a \"OKP\" key cannot sign ES256");
	pem_refused("pem-ec-p384-pkcs8.pem", "k", "ES256", ERR_KEY,
		    "a P-384 key cannot sign ES256");
	pem_refused("pem-rsa2048-pkcs8.pem", "k", "EdDSA", ERR_KEY,
		    "a \"RSA\" key cannot sign EdDSA");
}

/* Malformed PEM text, built here. */
Test(jwk_pem, malformed_text)
{
	static const struct {
		const char *doc;
		int code;
		const char *text;
	} c[] = {
	    {"", ERR_INVALID, "no \"-----BEGIN ...-----\" line found"},
	    {"{\"keys\":[]}", ERR_INVALID, "no \"-----BEGIN ...-----\" line found"},
	    {"x-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n", ERR_INVALID,
	     "no \"-----BEGIN ...-----\" line found"},
	    {"-----BEGIN PRIVATE KEY\nAA==\n-----END PRIVATE KEY-----\n", ERR_INVALID,
	     "has no label closed by \"-----\""},
	    {"-----BEGIN PRIVATE\001KEY-----\nAA==\n", ERR_INVALID, "outside printable ASCII"},
	    {"-----BEGIN PRIVATE KEY-----\nMIIEvAIBADANBgkqhkiG9w0BAQEFAASC\n", ERR_INVALID,
	     "the \"PRIVATE KEY\" block has no \"-----END PRIVATE KEY-----\" line"},
	    {"-----BEGIN PRIVATE KEY-----\nAA==\n-----END RSA PRIVATE KEY-----\n", ERR_INVALID,
	     "has no \"-----END PRIVATE KEY-----\" line"},
	    {"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", ERR_INVALID,
	     "GnuTLS cannot read the key"},
	    {"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n", ERR_INVALID,
	     "GnuTLS cannot read the key"},
	    {"-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n",
	     ERR_UNSUPPORTED, "a \"DSA PRIVATE KEY\" block is not supported"},
	    {"-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n", ERR_KEY,
	     "(first block: \"X509 CRL\")"},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct buf out = BUF_INIT;
		struct err e = {0};
		int rc = pem_to_jwk_set(c[i].doc, strlen(c[i].doc), "k", NULL, &out, &e);

		cr_assert_eq(rc, c[i].code, "case %zu: got %d (%s)", i, rc, e.msg);
		cr_assert_not_null(strstr(e.msg, c[i].text), "case %zu: want '%s' in: %s", i,
				   c[i].text, e.msg);
		cr_assert_eq(out.len, 0, "case %zu wrote output", i);
	}
	{
		struct buf out = BUF_INIT;
		struct err e = {0};

		cr_assert_eq(pem_to_jwk_set(NULL, 0, "k", NULL, &out, &e), ERR_INVALID);
		cr_assert_eq(out.len, 0);
	}
}

Test(jwk_pem, is_pem)
{
	static const char *const yes[] = {
	    "-----BEGIN ", "-----BEGIN PRIVATE KEY-----\n", " \t\r\n-----BEGIN CERTIFICATE-----",
	    "Bag Attributes\n-----BEGIN PRIVATE KEY-----", "\v-----BEGIN PRIVATE KEY-----"};
	static const char *const no[] = {"",
					 "   ",
					 "-----BEGIN",
					 "----BEGIN PRIVATE KEY-----",
					 "{\"keys\":[]}",
					 "{\"x\":\"-----BEGIN PRIVATE KEY-----\"}",
					 "-----begin private key-----"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		cr_assert(pem_detect(yes[i], strlen(yes[i])), "%zu", i);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert_not(pem_detect(no[i], strlen(no[i])), "%zu", i);
	cr_assert_not(pem_detect(NULL, 0));
	/* len bounds the look. */
	cr_assert_not(pem_detect("-----BEGIN PRIVATE KEY-----", 10));
	cr_assert(pem_detect("-----BEGIN PRIVATE KEY-----", 11));
}

/* What keysource does with a jwk_local_path that holds PEM: detect,
 * convert with the configured kid and alg, select. */
Test(jwk_pem, keysource_flow)
{
	const char *kids[2] = {"new", "old"};
	struct buf conv = BUF_INIT;
	struct jwk *key = NULL;
	struct err e = {0};
	size_t len;
	char *doc = tu_read_file("pem-ec-p384-sec1.pem", &len);

	cr_assert(pem_detect(doc, len));
	cr_assert_eq(pem_to_jwk_set(doc, len, kids[0], alg_name(JWS_ALG_ES384), &conv, &e), 0, "%s",
		     e.msg);
	cr_assert_eq(jwk_set_select(conv.data, conv.len, kids, 2, JWS_ALG_ES384, NULL, &key, &e), 0,
		     "%s", e.msg);
	cr_assert_str_eq(jwk_kid(key), "new");
	cr_assert_eq(jwk_kty(key), JWK_KTY_EC);
	jwk_free(key);
	buf_wipe_free(&conv);
	free(doc);
}

/* fuzz/crashes-fixed/jwk/gnutls-rsa-import-even-p-leak: GnuTLS 3.7.9
 * leaks memory importing an even prime, so it is refused before import. */
Test(jwk_rsa, even_prime_refused_before_import)
{
	static const char doc[] =
	    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"0w\",\"e\":\"QA\","
	    "\"d\":\"XQ\",\"p\":\"rVI\",\"q\":\"3256\"}]}";
	const char *kid = "r";
	struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(jwk_set_select(doc, sizeof(doc) - 1, &kid, 1, JWS_ALG_RS256, NULL, &key, &e),
		     ERR_KEY, "%s", e.msg);
	cr_assert_null(key);
	cr_assert(strstr(e.msg, "must be odd") != NULL, "%s", e.msg);
}

/* fuzz/crashes-fixed/jwk/gnutls-rsa-import-gcd-leak: GnuTLS 3.7.9 leaked
 * 16 bytes refusing a key whose q has no inverse mod p (here gcd(p, q) =
 * 3) when it was given no "qi".  Refused, with and without CRT members;
 * the sanitizer build and make check-valgrind fail on a leak. */
Test(jwk_rsa, primes_with_common_factor_refused)
{
	static const char *const docs[] = {
	    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"ATs\",\"e\":\"Aw\",\"d\":\"AQ\","
	    "\"p\":\"Dw\",\"q\":\"FQ\"}]}",
	    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"ATs\",\"e\":\"Aw\",\"d\":\"AQ\","
	    "\"p\":\"Dw\",\"q\":\"FQ\",\"dp\":\"AQ\",\"dq\":\"AQ\",\"qi\":\"AQ\"}]}",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		const char *kid = "r";
		struct jwk *key = NULL;
		struct err e = {0};

		cr_assert_eq(jwk_set_select(docs[i], strlen(docs[i]), &kid, 1, JWS_ALG_RS256, NULL,
					    &key, &e),
			     ERR_KEY, "doc %zu: %s", i, e.msg);
		cr_assert_null(key);
		cr_assert(strstr(e.msg, "refused by GnuTLS") != NULL, "%s", e.msg);
	}
}
