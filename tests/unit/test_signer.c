/* test_signer.c - the response transformer through the real jwk/jws code.
 *
 * HS256 is deterministic, so whole outputs are compared byte for byte with
 * tokens computed independently (Python hmac/base64 over the Go encoding
 * of the claims, written by hand).  Where a test builds its own claims,
 * the token is checked part by part: the header and the payload decode
 * to the expected bytes and the signature verifies with libsodium's
 * HMAC-SHA-256 directly, not through jws.c.
 *
 * The tests of the extensions (JSON Pointers in keys_to_sign, time
 * claims) were computed the same way: the Go encoding written by hand,
 * sorted, then in Python 3:
 *   si = b64url(HEADER) + "." + b64url(payload)
 *   si + "." + b64url(hmac.new(sim2_k, si, hashlib.sha256).digest())
 * with b64url = base64.urlsafe_b64encode(...).rstrip(b"="), for the
 * fixed clock NOW. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "err.h"
#include "jwk.h"
#include "jwk_set.h"
#include "jws.h"
#include "signer.h"
#include "testutil.h"

#define SIM2_K                                                                                     \
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"

/* base64url({"alg":"HS256","kid":"sim2","typ":"JWT"}) */
#define HDR_B64 "eyJhbGciOiJIUzI1NiIsImtpZCI6InNpbTIiLCJ0eXAiOiJKV1QifQ"
/* base64url({"aud":"https://api.example/v1","exp":1735689600,"sub":"u-42"}) */
#define CLAIMS_B64                                                                                 \
	"eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzM1Njg5NjAwLCJzdWIiOiJ1LTQyIn0"
#define CLAIMS_SIG "mZSK32sQOXnlHrOAVXwnGZYtjMu415MUtqMBkoS5xm0"
#define REF_TOKEN HDR_B64 "." CLAIMS_B64 "." CLAIMS_SIG

#define CLAIMS_JSON "{\"sub\":\"u-42\",\"aud\":\"https://api.example/v1\",\"exp\":1735689600}"

/* A fixture file that must not be empty. */
static char *read_data(const char *name, size_t *len)
{
	char *p = tu_read_file(name, len);

	cr_assert(*len > 0);
	return p;
}

static struct jwk *sim2_key(void)
{
	struct jwk_limits lim = {65536, 16};
	size_t len;
	char *doc = read_data("signer-jwks-sim2.json", &len);
	struct jwk *key = tu_select_key(doc, len, "sim2", JWS_ALG_HS256, &lim);

	free(doc);
	return key;
}

static struct signer_opts sim2_opts(const struct jwk *key, char *const *names, size_t n)
{
	struct signer_opts o;

	memset(&o, 0, sizeof(o));
	o.key = key;
	o.alg = JWS_ALG_HS256;
	o.typ = "JWT";
	o.full = false;
	o.keys_to_sign = names;
	o.nkeys_to_sign = n;
	o.limits.max_depth = 128;
	o.limits.max_members = 0;
	return o;
}

/* Run the transformer on body and compare the whole output with want. */
static void expect_out(const struct signer_opts *o, const char *body, const char *want)
{
	struct buf out = BUF_INIT;
	struct err e = {0};
	int rc = signer_transform(o, body, strlen(body), &out, &e);

	cr_assert_eq(rc, 0, "signer_transform: rc %d: %s", rc, e.msg);
	cr_assert_str_eq(out.data, want);
	cr_assert_eq(out.len, strlen(want));
	buf_free(&out);
}

/* Run the transformer expecting code; out must keep its earlier content. */
static void expect_fail_len(const struct signer_opts *o, const char *body, size_t len, int code)
{
	struct buf out = BUF_INIT;
	struct err e = {0};
	int rc;

	cr_assert_eq(buf_puts(&out, "before"), 0);
	rc = signer_transform(o, body, len, &out, &e);
	cr_assert_eq(rc, code, "body \"%.60s\": rc %d, want %d (%s)", body, rc, code, e.msg);
	cr_assert_eq(e.code, code);
	cr_assert(e.msg[0] != '\0');
	cr_assert_eq(out.len, 6, "body \"%.60s\": output touched", body);
	cr_assert_str_eq(out.data, "before");
	buf_free(&out);
}

#define EXPECT_FAIL(o, body, code) expect_fail_len(o, body, sizeof(body) - 1, code)

/* Check one compact token: header and payload segments decode to hdr and
 * payload exactly, and the signature is HMAC-SHA-256 with the sim2 key. */
static void check_token(const char *tok, size_t toklen, const char *hdr, const char *payload)
{
	const char *d1 = memchr(tok, '.', toklen), *d2;
	unsigned char key[64], mac[crypto_auth_hmacsha256_BYTES], sig[64], dec[4096];
	size_t keylen, maclen, declen;
	crypto_auth_hmacsha256_state st;

	cr_assert_not_null(d1);
	d2 = memchr(d1 + 1, '.', toklen - (size_t)(d1 + 1 - tok));
	cr_assert_not_null(d2);
	cr_assert_eq(sodium_base642bin(dec, sizeof(dec), tok, (size_t)(d1 - tok), NULL, &declen,
				       NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
		     0);
	cr_assert_eq(declen, strlen(hdr));
	cr_assert(memcmp(dec, hdr, declen) == 0, "header %.*s", (int)declen, dec);
	cr_assert_eq(sodium_base642bin(dec, sizeof(dec), d1 + 1, (size_t)(d2 - d1 - 1), NULL,
				       &declen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
		     0);
	cr_assert_eq(declen, strlen(payload), "payload %.*s", (int)declen, dec);
	cr_assert(memcmp(dec, payload, declen) == 0, "payload %.*s\nwant    %s", (int)declen, dec,
		  payload);
	cr_assert_eq(sodium_base642bin(key, sizeof(key), SIM2_K, strlen(SIM2_K), NULL, &keylen,
				       NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
		     0);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)tok, (size_t)(d2 - tok));
	crypto_auth_hmacsha256_final(&st, mac);
	cr_assert_eq(sodium_base642bin(sig, sizeof(sig), d2 + 1, toklen - (size_t)(d2 + 1 - tok),
				       NULL, &maclen, NULL,
				       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
		     0);
	cr_assert_eq(maclen, sizeof(mac));
	cr_assert(memcmp(sig, mac, maclen) == 0, "signature does not verify");
}

/* The string value of member name in the JSON text out (no escapes in
 * tokens), as pointer and length. */
static const char *member_str(const char *out, const char *name, size_t *len)
{
	char pat[128];
	const char *p, *q;

	snprintf(pat, sizeof(pat), "\"%s\":\"", name);
	p = strstr(out, pat);
	cr_assert_not_null(p, "member %s missing in %s", name, out);
	p += strlen(pat);
	q = strchr(p, '"');
	cr_assert_not_null(q);
	*len = (size_t)(q - p);
	return p;
}

static const char HDR_JSON[] = "{\"alg\":\"HS256\",\"kid\":\"sim2\",\"typ\":\"JWT\"}";

/* ------------------------------------------------------------------ */

Test(signer, reference_hs256_token)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	expect_out(&o, "{\"access_token\":" CLAIMS_JSON "}",
		   "{\"access_token\":\"" REF_TOKEN "\"}");
	jwk_free(key);
}

Test(signer, project_reference_backend_answer)
{
	static char *const names[] = {"access_token", "refresh_token"};
	static const char want_access[] =
	    "{\"aud\":\"https://your.krakend.io\",\"exp\":1735689600,"
	    "\"iss\":\"https://your-backend\",\"jti\":\"mnb23vcsrt756yuiomnbvcx98ertyuiop\","
	    "\"roles\":[\"role_a\",\"role_b\"],\"sub\":\"1234567890qwertyuio\"}";
	static const char want_refresh[] =
	    "{\"aud\":\"https://your.krakend.io\",\"exp\":1735689600,"
	    "\"iss\":\"https://your-backend\","
	    "\"jti\":\"mnb23vcsrt756yuiomn12876bvcx98ertyuiop\",\"sub\":\"1234567890qwertyuio\"}";
	/* Computed independently (Python hmac + base64 over want_*). */
	static const char want[] =
	    "{\"access_token\":\"" HDR_B64
	    ".eyJhdWQiOiJodHRwczovL3lvdXIua3Jha2VuZC5pbyIsImV4cCI6MTczNTY4OTYwMCwiaXNzIjoiaHR0"
	    "cHM6Ly95b3VyLWJhY2tlbmQiLCJqdGkiOiJtbmIyM3Zjc3J0NzU2eXVpb21uYnZjeDk4ZXJ0eXVpb3Ai"
	    "LCJyb2xlcyI6WyJyb2xlX2EiLCJyb2xlX2IiXSwic3ViIjoiMTIzNDU2Nzg5MHF3ZXJ0eXVpbyJ9"
	    ".l7fyWfpAYEg2kPPxhaOJRzCv06jfNF1H8IuM9epR3Hg\","
	    "\"exp\":1735689600,"
	    "\"refresh_token\":\"" HDR_B64
	    ".eyJhdWQiOiJodHRwczovL3lvdXIua3Jha2VuZC5pbyIsImV4cCI6MTczNTY4OTYwMCwiaXNzIjoiaHR0"
	    "cHM6Ly95b3VyLWJhY2tlbmQiLCJqdGkiOiJtbmIyM3Zjc3J0NzU2eXVpb21uMTI4NzZidmN4OThlcnR5"
	    "dWlvcCIsInN1YiI6IjEyMzQ1Njc4OTBxd2VydHl1aW8ifQ"
	    ".imYYP1voIVxnbhtjo9EOzobW2GUja98L7j41-XpIuCo\"}";
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 2);
	struct buf out = BUF_INIT;
	struct err e = {0};
	const char *t;
	size_t len, tl;
	char *body = read_data("signer-backend-reference.json", &len);

	cr_assert_eq(signer_transform(&o, body, len, &out, &e), 0, "%s", e.msg);
	t = member_str(out.data, "access_token", &tl);
	check_token(t, tl, HDR_JSON, want_access);
	t = member_str(out.data, "refresh_token", &tl);
	check_token(t, tl, HDR_JSON, want_refresh);
	cr_assert_str_eq(out.data, want);
	free(body);
	buf_free(&out);
	jwk_free(key);
}

Test(signer, full_flattened_serialization)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	o.full = true;
	expect_out(&o, "{\"access_token\":" CLAIMS_JSON ",\"x\":1}",
		   "{\"access_token\":\"{\\\"payload\\\":\\\"" CLAIMS_B64
		   "\\\",\\\"protected\\\":\\\"" HDR_B64 "\\\",\\\"signature\\\":\\\"" CLAIMS_SIG
		   "\\\"}\",\"x\":1}");
	jwk_free(key);
}

Test(signer, typ_left_out_when_null_or_empty)
{
	static char *const names[] = {"t"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);
	static const char want[] = "{\"t\":\"eyJhbGciOiJIUzI1NiIsImtpZCI6InNpbTIifQ." CLAIMS_B64
				   ".Rw2uDWjtjb_imX7FNgoFV2RgDZCnbMwBZAiWRyBR8AM\"}";

	o.typ = NULL;
	expect_out(&o, "{\"t\":" CLAIMS_JSON "}", want);
	o.typ = "";
	expect_out(&o, "{\"t\":" CLAIMS_JSON "}", want);
	jwk_free(key);
}

Test(signer, payload_is_go_encoding)
{
	static char *const names[] = {"tok"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);
	struct buf out = BUF_INIT;
	struct err e = {0};
	const char *t;
	size_t tl;
#define PREFIX "{\"other\":\"\\u003c\\u003e\",\"tok\":\""
	/* Whitespace, unsorted keys at every depth, HTML characters, escaped
	 * slash, U+2028, control characters, non-ASCII, number literals,
	 * duplicate keys (last wins), invalid UTF-8. */
	static const char body[] =
	    "{ \"tok\" : { \"z\" : [ 1.0 , 1E+5 , -1.5e-3, 12345678901234567890, 1e400 ],\n"
	    "  \"a\" : { \"y\" : \"<b>&\", \"x\" : \"http:\\/\\/h/\\u2028\\b\\f\\n\\u0001\" },\n"
	    "  \"m\" : \"\\u00e9\xe4\xb8\xad\xff\", \"dup\" : 1, \"dup\" : 2, \"n\" : null,\n"
	    "  \"B\" : true } , \"other\" : \"<>\" }";
	static const char payload[] =
	    "{\"B\":true,\"a\":{\"x\":\"http://h/\\u2028\\b\\f\\n\\u0001\","
	    "\"y\":\"\\u003cb\\u003e\\u0026\"},\"dup\":2,"
	    "\"m\":\"\xc3\xa9\xe4\xb8\xad\xef\xbf\xbd\",\"n\":null,"
	    "\"z\":[1.0,1E+5,-1.5e-3,12345678901234567890,1e400]}";

	cr_assert_eq(signer_transform(&o, body, sizeof(body) - 1, &out, &e), 0, "%s", e.msg);
	t = member_str(out.data, "tok", &tl);
	check_token(t, tl, HDR_JSON, payload);
	cr_assert_eq(strncmp(out.data, PREFIX, strlen(PREFIX)), 0, "%s", out.data);
#undef PREFIX
	cr_assert_eq(out.data[out.len - 2], '"');
	cr_assert_eq(out.data[out.len - 1], '}');
	buf_free(&out);
	jwk_free(key);
}

Test(signer, non_object_members_untouched_and_missing_skipped)
{
	static char *const names[] = {"s", "a", "n", "z", "f", "i", "missing", "e"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 8);

	expect_out(&o,
		   "{\"s\":\"str<\",\"a\":[{\"b\":1,\"a\":2}],\"n\":null,\"z\":1.0,\"f\":false,"
		   "\"i\":-7,\"e\":{}}",
		   "{\"a\":[{\"a\":2,\"b\":1}],\"e\":\"" HDR_B64
		   ".e30.XeyIsjkYYug3aLmRg3EaVU-sbn17NFJaUn8-FE_f38E\",\"f\":false,\"i\":-7,"
		   "\"n\":null,\"s\":\"str\\u003c\",\"z\":1.0}");
	jwk_free(key);
}

Test(signer, nothing_to_sign)
{
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, NULL, 0);

	expect_out(&o, "{\"b\":{\"y\":1,\"x\":2},\"a\":0}", "{\"a\":0,\"b\":{\"x\":2,\"y\":1}}");
	expect_out(&o, "{}", "{}");
	jwk_free(key);
}

Test(signer, only_top_level_members)
{
	static char *const names[] = {"t"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	expect_out(&o, "{\"x\":{\"t\":{\"a\":1}}}", "{\"x\":{\"t\":{\"a\":1}}}");
	jwk_free(key);
}

Test(signer, repeated_name_signed_once)
{
	static char *const names[] = {"access_token", "access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 2);

	expect_out(&o, "{\"access_token\":" CLAIMS_JSON "}",
		   "{\"access_token\":\"" REF_TOKEN "\"}");
	jwk_free(key);
}

Test(signer, duplicate_member_last_wins)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	expect_out(&o, "{\"access_token\":\"old\",\"access_token\":" CLAIMS_JSON "}",
		   "{\"access_token\":\"" REF_TOKEN "\"}");
	expect_out(&o, "{\"access_token\":" CLAIMS_JSON ",\"access_token\":\"new\"}",
		   "{\"access_token\":\"new\"}");
	jwk_free(key);
}

Test(signer, appends_to_out)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);
	struct buf out = BUF_INIT;
	struct err e = {0};
	static const char body[] = "{\"access_token\":" CLAIMS_JSON "}";

	cr_assert_eq(buf_puts(&out, "HTTP body: "), 0);
	cr_assert_eq(signer_transform(&o, body, sizeof(body) - 1, &out, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out.data, "HTTP body: {\"access_token\":\"" REF_TOKEN "\"}");
	buf_free(&out);
	jwk_free(key);
}

Test(signer, deep_claims_sign)
{
	static char *const names[] = {"t"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);
	struct buf body = BUF_INIT, out = BUF_INIT, payload = BUF_INIT;
	struct err e = {0};
	const char *t;
	size_t tl;
	int i;

	/* 64 levels in all: the root object and the 63 from "t" down. */
	cr_assert_eq(buf_puts(&body, "{\"t\":"), 0);
	for (i = 0; i < 63; i++)
		cr_assert_eq(buf_puts(&body, "{\"k\":"), 0);
	cr_assert_eq(buf_puts(&body, "1"), 0);
	for (i = 0; i < 64; i++)
		cr_assert_eq(buf_putc(&body, '}'), 0);
	/* The claims: the value of "t", 63 levels. */
	for (i = 0; i < 63; i++)
		cr_assert_eq(buf_puts(&payload, "{\"k\":"), 0);
	cr_assert_eq(buf_puts(&payload, "1"), 0);
	for (i = 0; i < 63; i++)
		cr_assert_eq(buf_putc(&payload, '}'), 0);
	o.limits.max_depth = 64;
	cr_assert_eq(signer_transform(&o, body.data, body.len, &out, &e), 0, "%s", e.msg);
	t = member_str(out.data, "t", &tl);
	check_token(t, tl, HDR_JSON, payload.data);
	buf_reset(&out);
	o.limits.max_depth = 63;
	expect_fail_len(&o, body.data, body.len, ERR_LIMIT);
	buf_free(&body);
	buf_free(&out);
	buf_free(&payload);
	jwk_free(key);
}

Test(signer, invalid_backend_answers)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);
	size_t n = 1000000;
	char *deep = malloc(n);

	EXPECT_FAIL(&o, "", ERR_INVALID);
	EXPECT_FAIL(&o, " \r\n", ERR_INVALID);
	EXPECT_FAIL(&o, "[{\"access_token\":{}}]", ERR_INVALID);
	EXPECT_FAIL(&o, "\"text\"", ERR_INVALID);
	EXPECT_FAIL(&o, "1", ERR_INVALID);
	EXPECT_FAIL(&o, "null", ERR_INVALID);
	EXPECT_FAIL(&o, "true", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"access_token\":{}} x", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"access_token\":{}}{}", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"access_token\":NaN}", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"a\":Infinity}", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"a\":1 /* c */}", ERR_INVALID);
	EXPECT_FAIL(&o, "// c\n{\"a\":1}", ERR_INVALID);
	EXPECT_FAIL(&o, "{'access_token':{}}", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"access_token\":{\"exp\":-0}}", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"access_token\":{\"exp\":99999999999999999999}}", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"access_token\":{\"a\\u0000\":1}}", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"access_token\":{}}\0", ERR_INVALID);
	EXPECT_FAIL(&o, "{\"access_token\":{}", ERR_INVALID);
	cr_assert_not_null(deep);
	memset(deep, '[', n);
	expect_fail_len(&o, deep, n, ERR_LIMIT);
	memset(deep, '{', n);
	expect_fail_len(&o, deep, n, ERR_LIMIT);
	free(deep);
	o.limits.max_members = 2;
	EXPECT_FAIL(&o, "{\"access_token\":{\"a\":1,\"b\":2}}", ERR_LIMIT);
	jwk_free(key);
}

Test(signer, signing_failure_writes_nothing)
{
	static char *const names[] = {"b", "a"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 2);
	struct buf out = BUF_INIT;
	struct err e = {0};
	static const char body[] = "{\"a\":{\"x\":1},\"b\":{\"y\":2}}";
	int rc;

	/* An oct key cannot make ES256 signatures. */
	o.alg = JWS_ALG_ES256;
	cr_assert_eq(buf_puts(&out, "before"), 0);
	rc = signer_transform(&o, body, sizeof(body) - 1, &out, &e);
	cr_assert(rc == ERR_KEY || rc == ERR_CRYPTO, "rc %d (%s)", rc, e.msg);
	cr_assert_str_eq(out.data, "before");
	cr_assert_eq(out.len, 6);
	buf_free(&out);
	jwk_free(key);
}

Test(signer, output_limit_writes_nothing)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);
	struct buf out;
	struct err e = {0};
	static const char body[] = "{\"access_token\":" CLAIMS_JSON "}";
	size_t full = strlen("{\"access_token\":\"" REF_TOKEN "\"}");

	buf_init(&out, full - 1);
	cr_assert_eq(signer_transform(&o, body, sizeof(body) - 1, &out, &e), ERR_LIMIT);
	cr_assert_eq(out.len, 0);
	buf_free(&out);
	buf_init(&out, full);
	cr_assert_eq(signer_transform(&o, body, sizeof(body) - 1, &out, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out.data, "{\"access_token\":\"" REF_TOKEN "\"}");
	buf_free(&out);
	jwk_free(key);
}

/* ------------------------------------------------------------------ */
/* Extensions: time claims */

#define NOW 1700000000 /* fixed clock for the time claim tests */

/* CLAIMS_JSON without "exp". */
#define CLAIMS2_JSON "{\"sub\":\"u-42\",\"aud\":\"https://api.example/v1\"}"

/* Payload {"aud":"https://api.example/v1","exp":1700003600,"iat":1700000000,
 * "nbf":1699999970,"sub":"u-42"}: iat, ttl 3600, nbf_skew 30 at NOW. */
#define TOK_ALL                                                                                    \
	HDR_B64                                                                                    \
	".eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzAwMDAzNjA"                         \
	"wLCJpYXQiOjE3MDAwMDAwMDAsIm5iZiI6MTY5OTk5OTk3MCwic3ViIjoidS00MiJ"                         \
	"9.r4ZtIuIXj4qssqzExUTfHMAzNib9UCmDu5jbBm1JU7w"
/* {"aud":"https://api.example/v1","iat":1700000000,"sub":"u-42"} */
#define TOK_IAT                                                                                    \
	HDR_B64                                                                                    \
	".eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiaWF0IjoxNzAwMDAwMDA"                         \
	"wLCJzdWIiOiJ1LTQyIn0._fB3T-oSYts-lToiuEohWmm2HorDE7HrDSOUy1_uOVU"
/* {"aud":"https://api.example/v1","exp":1700003600,"sub":"u-42"} */
#define TOK_EXP                                                                                    \
	HDR_B64                                                                                    \
	".eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzAwMDAzNjA"                         \
	"wLCJzdWIiOiJ1LTQyIn0.zgvTkPwt9pfb5aOE1UsKvD_x14Iar899oLr1m6Awqjw"
/* {"aud":"https://api.example/v1","nbf":1700000000,"sub":"u-42"} */
#define TOK_NBF0                                                                                   \
	HDR_B64                                                                                    \
	".eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwibmJmIjoxNzAwMDAwMDA"                         \
	"wLCJzdWIiOiJ1LTQyIn0.odRryzAVNqhw4bGRZk9-XtDGvCOAGeEgcezOUHwSu6k"
/* {"aud":"https://api.example/v1","exp":1735689600,"iat":"x","nbf":null,
 * "sub":"u-42"} */
#define TOK_PRESENT                                                                                \
	HDR_B64                                                                                    \
	".eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzM1Njg5NjA"                         \
	"wLCJpYXQiOiJ4IiwibmJmIjpudWxsLCJzdWIiOiJ1LTQyIn0.a2a28SFZRTI27Va"                         \
	"LvKQ7aXG378YRu71SepATK5rWjWY"
/* {"exp":1700003600,"iat":1700000000,"nbf":1699999970} */
#define TOK_EMPTY_ALL                                                                              \
	HDR_B64                                                                                    \
	".eyJleHAiOjE3MDAwMDM2MDAsImlhdCI6MTcwMDAwMDAwMCwibmJmIjoxNjk5OTk"                         \
	"5OTcwfQ.M3PKFRBO-6iFYoIiQMFGKBgobAjGNr_B7gi2LSOnzK4"

static void time_all(struct signer_opts *o)
{
	o->set_iat = true;
	o->ttl = 3600;
	o->set_nbf = true;
	o->nbf_skew = 30;
}

Test(signer_time, all_three_added_sorted)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);
	struct buf out = BUF_INIT;
	struct err e = {0};
	static const char body[] = "{\"access_token\":" CLAIMS2_JSON "}";
	const char *t;
	size_t tl;

	clock_set_override(NOW);
	time_all(&o);
	expect_out(&o, body, "{\"access_token\":\"" TOK_ALL "\"}");
	/* The same through the independent verifier. */
	cr_assert_eq(signer_transform(&o, body, sizeof(body) - 1, &out, &e), 0, "%s", e.msg);
	t = member_str(out.data, "access_token", &tl);
	check_token(t, tl, HDR_JSON,
		    "{\"aud\":\"https://api.example/v1\",\"exp\":1700003600,\"iat\":1700000000,"
		    "\"nbf\":1699999970,\"sub\":\"u-42\"}");
	buf_free(&out);
	/* An empty claims object gets the three. */
	expect_out(&o, "{\"access_token\":{}}", "{\"access_token\":\"" TOK_EMPTY_ALL "\"}");
	clock_set_override((time_t)-1);
	jwk_free(key);
}

Test(signer_time, each_alone)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	clock_set_override(NOW);
	o.set_iat = true;
	expect_out(&o, "{\"access_token\":" CLAIMS2_JSON "}", "{\"access_token\":\"" TOK_IAT "\"}");
	o.set_iat = false;
	o.ttl = 3600;
	expect_out(&o, "{\"access_token\":" CLAIMS2_JSON "}", "{\"access_token\":\"" TOK_EXP "\"}");
	o.ttl = 0;
	o.set_nbf = true; /* a skew of 0: nbf = now */
	expect_out(&o, "{\"access_token\":" CLAIMS2_JSON "}",
		   "{\"access_token\":\"" TOK_NBF0 "\"}");
	/* nbf_skew without set_nbf adds nothing. */
	o.set_nbf = false;
	o.nbf_skew = 30;
	expect_out(&o, "{\"access_token\":" CLAIMS_JSON "}",
		   "{\"access_token\":\"" REF_TOKEN "\"}");
	clock_set_override((time_t)-1);
	jwk_free(key);
}

Test(signer_time, present_claims_never_overwritten)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	clock_set_override(NOW);
	time_all(&o);
	/* exp present (a number), iat present (a string), nbf present (null). */
	expect_out(&o,
		   "{\"access_token\":{\"nbf\":null,\"sub\":\"u-42\",\"iat\":\"x\","
		   "\"aud\":\"https://api.example/v1\",\"exp\":1735689600}}",
		   "{\"access_token\":\"" TOK_PRESENT "\"}");
	/* exp present, ttl set: the reference token, unchanged. */
	o.set_iat = false;
	o.set_nbf = false;
	expect_out(&o, "{\"access_token\":" CLAIMS_JSON "}",
		   "{\"access_token\":\"" REF_TOKEN "\"}");
	clock_set_override((time_t)-1);
	jwk_free(key);
}

Test(signer_time, only_signed_members_get_claims)
{
	static char *const names[] = {"access_token", "s", "missing"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 3);

	clock_set_override(NOW);
	time_all(&o);
	/* The outer object, other members, non-object targets: unchanged. */
	expect_out(&o, "{\"x\":{},\"s\":\"str\",\"access_token\":" CLAIMS2_JSON ",\"n\":{\"a\":1}}",
		   "{\"access_token\":\"" TOK_ALL "\",\"n\":{\"a\":1},\"s\":\"str\",\"x\":{}}");
	clock_set_override((time_t)-1);
	jwk_free(key);
}

Test(signer_time, clock_is_read)
{
	static char *const names[] = {"t"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);
	struct buf out = BUF_INIT;
	struct err e = {0};
	static const char body[] = "{\"t\":{}}";
	const char *t;
	size_t tl;

	/* Another clock, another token: the time comes from clock_now(). */
	clock_set_override(1);
	o.set_iat = true;
	o.ttl = 2;
	o.set_nbf = true;
	o.nbf_skew = 5;
	cr_assert_eq(signer_transform(&o, body, sizeof(body) - 1, &out, &e), 0, "%s", e.msg);
	t = member_str(out.data, "t", &tl);
	check_token(t, tl, HDR_JSON, "{\"exp\":3,\"iat\":1,\"nbf\":-4}");
	buf_free(&out);
	clock_set_override((time_t)-1);
	jwk_free(key);
}

Test(signer_time, off_by_default_clock_ignored)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1); /* zeroed: KrakenD's tokens */

	clock_set_override(NOW);
	expect_out(&o, "{\"access_token\":" CLAIMS2_JSON "}",
		   "{\"access_token\":\"" HDR_B64
		   /* {"aud":"https://api.example/v1","sub":"u-42"}, Python as above */
		   ".eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwic3ViIjoidS00MiJ9"
		   ".VrC7-f3iyqx-hw5sv0tWbecKKTviyZQQJ7chjfy2Nd4\"}");
	clock_set_override((time_t)-1);
	jwk_free(key);
}

/* ------------------------------------------------------------------ */
/* Extensions: JSON Pointers in keys_to_sign (RFC 6901) */

#define REF "\"" REF_TOKEN "\""
#define CL CLAIMS_JSON
#define CL_SORTED "{\"aud\":\"https://api.example/v1\",\"exp\":1735689600,\"sub\":\"u-42\"}"

Test(signer_pointer, check_key)
{
	static const char *const ok[] = {"a",	 "a/b",	  "a~2",	"/",  "/a",
					 "/a/b", "/~0~1", "/a~01/c~10", "//", "/-"};
	static const char *const bad[] = {"/~", "/a~", "/a~2", "/a~/b", "/~~0", "/a/b~x"};
	struct err e = {0};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_eq(signer_check_key(ok[i], &e), 0, "%s: %s", ok[i], e.msg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		cr_assert_eq(signer_check_key(bad[i], &e), ERR_INVALID, "%s", bad[i]);
		cr_assert_not_null(strstr(e.msg, "JSON Pointer"), "%s", e.msg);
	}
	cr_assert_eq(signer_check_key("", &e), ERR_INVALID);
	cr_assert_eq(signer_check_key("/a~2", &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "at byte 3"), "%s", e.msg);
	cr_assert(signer_key_is_pointer("/a"));
	cr_assert(!signer_key_is_pointer("a/b"));
}

Test(signer_pointer, nested_member)
{
	static char *const names[] = {"/data/session/access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	/* Only the nested member; the top-level one of the same name stays. */
	expect_out(
	    &o,
	    "{\"data\":{\"session\":{\"access_token\":" CL ",\"x\":1}},"
	    "\"access_token\":{\"b\":1,\"a\":2}}",
	    "{\"access_token\":{\"a\":2,\"b\":1},\"data\":{\"session\":{\"access_token\":" REF
	    ",\"x\":1}}}");
	jwk_free(key);
}

Test(signer_pointer, top_level_pointer_equals_name)
{
	static char *const names[] = {"/access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	expect_out(&o, "{\"access_token\":" CL "}", "{\"access_token\":" REF "}");
	jwk_free(key);
}

Test(signer_pointer, escapes)
{
	static char *const names[] = {"/a~1b", "/m~0n", "/~01"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 3);

	/* "~01" is "~1" (not "/"): RFC 6901 section 4 order. */
	expect_out(
	    &o, "{\"a/b\":" CL ",\"m~n\":" CL ",\"~1\":" CL ",\"/\":{},\"m~0n\":{},\"a~1b\":{}}",
	    "{\"/\":{},\"a/b\":" REF ",\"a~1b\":{},\"m~0n\":{},\"m~n\":" REF ",\"~1\":" REF "}");
	jwk_free(key);
}

Test(signer_pointer, plain_names_stay_top_level)
{
	static char *const names[] = {"a/b", "data/x", "t~1"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 3);

	/* Without a leading '/', '/' and '~' are part of the member name. */
	expect_out(&o, "{\"a/b\":" CL ",\"data\":{\"x\":{}},\"t~1\":" CL ",\"t/\":{}}",
		   "{\"a/b\":" REF ",\"data\":{\"x\":{}},\"t/\":{},\"t~1\":" REF "}");
	jwk_free(key);
}

Test(signer_pointer, array_elements)
{
	static char *const names[] = {"/list/1", "/o/1", "/-", "/"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 4);

	/* An index in an array; the member "1" in an object; "-" and "" are
	 * member names in an object. */
	expect_out(&o,
		   "{\"list\":[{\"x\":1}," CL ",{}],\"o\":{\"1\":" CL ",\"01\":{}},\"-\":" CL
		   ",\"\":" CL "}",
		   "{\"\":" REF ",\"-\":" REF ",\"list\":[{\"x\":1}," REF
		   ",{}],\"o\":{\"01\":{},\"1\":" REF "}}");
	jwk_free(key);
}

Test(signer_pointer, unresolved_skipped)
{
	static char *const names[] = {
	    "/list/01", "/list/-", "/list/3", "/list/+1", "/list/1x", "/list/", "/list/ 1",
	    /* json-c 0.16's json_pointer_get reads 4294967297 as 1 */
	    "/list/4294967297", "/list/18446744073709551617", "/list/99999999999999999999999",
	    "/missing", "/missing/x", "/s/x", "/n/x", "/i/0", "/o/x/y", "/list/1/x", "/o/01"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, sizeof(names) / sizeof(names[0]));
	static const char body[] = "{\"list\":[{},{\"b\":1,\"a\":2}],\"s\":\"str\",\"n\":null,"
				   "\"i\":5,\"o\":{\"x\":{},\"1\":{}}}";

	expect_out(&o, body,
		   "{\"i\":5,\"list\":[{},{\"a\":2,\"b\":1}],\"n\":null,\"o\":{\"1\":{},\"x\":{}},"
		   "\"s\":\"str\"}");
	jwk_free(key);
}

Test(signer_pointer, non_object_targets_untouched)
{
	static char *const names[] = {"/d/s", "/d/a", "/d/n", "/d/z", "/d/f", "/d/a/0"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 6);

	expect_out(&o, "{\"d\":{\"s\":\"x\",\"a\":[1],\"n\":null,\"z\":1.0,\"f\":false}}",
		   "{\"d\":{\"a\":[1],\"f\":false,\"n\":null,\"s\":\"x\",\"z\":1.0}}");
	jwk_free(key);
}

/* The parent, signed after its child, carries the child's token; in the
 * other order the child is inside a string and is skipped. */
#define TOK_DATA                                                                                   \
	HDR_B64                                                                                    \
	".eyJzZXNzaW9uIjp7ImFjY2Vzc190b2tlbiI6ImV5SmhiR2NpT2lKSVV6STFOaUl"                         \
	"zSW10cFpDSTZJbk5wYlRJaUxDSjBlWEFpT2lKS1YxUWlmUS5leUpoZFdRaU9pSm9"                         \
	"kSFJ3Y3pvdkwyRndhUzVsZUdGdGNHeGxMM1l4SWl3aVpYaHdJam94TnpNMU5qZzV"                         \
	"OakF3TENKemRXSWlPaUoxTFRReUluMC5tWlNLMzJzUU9YbmxIck9BVlh3bkdaWXR"                         \
	"qTXU0MTVNVXRxTUJrb1M1eG0wIiwieCI6MX19.J5GhsOY7htAsyAUdZvoMI0VWUz"                         \
	"fPl5u_7oc1qQ15fxU"

Test(signer_pointer, order_of_entries)
{
	static char *const child_first[] = {"/data/session/access_token", "/data"};
	static char *const parent_first[] = {"/data", "/data/session/access_token"};
	static const char body[] = "{\"data\":{\"session\":{\"x\":1,\"access_token\":" CL "}}}";
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, child_first, 2);
	struct buf out = BUF_INIT;
	struct err e = {0};
	const char *t;
	size_t tl;

	/* {"session":{"access_token":REF_TOKEN,"x":1}} */
	expect_out(&o, body, "{\"data\":\"" TOK_DATA "\"}");
	o.keys_to_sign = parent_first;
	cr_assert_eq(signer_transform(&o, body, sizeof(body) - 1, &out, &e), 0, "%s", e.msg);
	t = member_str(out.data, "data", &tl);
	check_token(t, tl, HDR_JSON, "{\"session\":{\"access_token\":" CL_SORTED ",\"x\":1}}");
	buf_free(&out);
	jwk_free(key);
}

Test(signer_pointer, with_time_claims)
{
	static char *const names[] = {"/a/0/t"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	clock_set_override(NOW);
	time_all(&o);
	expect_out(&o, "{\"a\":[{\"t\":" CLAIMS2_JSON ",\"u\":{}}],\"t\":{}}",
		   "{\"a\":[{\"t\":\"" TOK_ALL "\",\"u\":{}}],\"t\":{}}");
	clock_set_override((time_t)-1);
	jwk_free(key);
}

Test(signer_pointer, full_serialization)
{
	static char *const names[] = {"/x/access_token"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	o.full = true;
	expect_out(&o, "{\"x\":{\"access_token\":" CL "}}",
		   "{\"x\":{\"access_token\":\"{\\\"payload\\\":\\\"" CLAIMS_B64
		   "\\\",\\\"protected\\\":\\\"" HDR_B64 "\\\",\\\"signature\\\":\\\"" CLAIMS_SIG
		   "\\\"}\"}}");
	jwk_free(key);
}

Test(signer_pointer, malformed_pointer_is_internal_error)
{
	static char *const names[] = {"/a~2"};
	struct jwk *key = sim2_key();
	struct signer_opts o = sim2_opts(key, names, 1);

	EXPECT_FAIL(&o, "{\"a~2\":{}}", ERR_INTERNAL);
	jwk_free(key);
}

/* ------------------------------------------------------------------ */
/* From the configuration file, through app_signer_opts as app.c */

static struct signer_opts opts_from_cfg(const struct cfg *cfg, const struct jwk *key)
{
	struct signer_opts opts;

	app_signer_opts(&opts, &cfg->endpoints[0], &cfg->limits, key);
	return opts;
}

static void run_cfg(const char *cfg_file, const char *body_file, const char *want)
{
	struct cfg *cfg = NULL;
	struct jwk *key = sim2_key();
	struct signer_opts o;
	struct buf out = BUF_INIT;
	struct err e = {0};
	char path[1024];
	size_t len;
	char *body = read_data(body_file, &len);

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, cfg_file);
	cr_assert_eq(cfg_load(path, &cfg, &e), 0, "%s", e.msg);
	o = opts_from_cfg(cfg, key);
	cr_assert_eq(signer_transform(&o, body, len, &out, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out.data, want);
	buf_free(&out);
	free(body);
	cfg_free(cfg);
	jwk_free(key);
}

Test(signer_cfg, krakend_config_same_bytes_as_before)
{
	/* The expected answer of project_reference_backend_answer, computed
	 * before the extensions existed; the clock must not matter. */
	static const char want[] =
	    "{\"access_token\":\"" HDR_B64
	    ".eyJhdWQiOiJodHRwczovL3lvdXIua3Jha2VuZC5pbyIsImV4cCI6MTczNTY4OTYwMCwiaXNzIjoiaHR0"
	    "cHM6Ly95b3VyLWJhY2tlbmQiLCJqdGkiOiJtbmIyM3Zjc3J0NzU2eXVpb21uYnZjeDk4ZXJ0eXVpb3Ai"
	    "LCJyb2xlcyI6WyJyb2xlX2EiLCJyb2xlX2IiXSwic3ViIjoiMTIzNDU2Nzg5MHF3ZXJ0eXVpbyJ9"
	    ".l7fyWfpAYEg2kPPxhaOJRzCv06jfNF1H8IuM9epR3Hg\","
	    "\"exp\":1735689600,"
	    "\"refresh_token\":\"" HDR_B64
	    ".eyJhdWQiOiJodHRwczovL3lvdXIua3Jha2VuZC5pbyIsImV4cCI6MTczNTY4OTYwMCwiaXNzIjoiaHR0"
	    "cHM6Ly95b3VyLWJhY2tlbmQiLCJqdGkiOiJtbmIyM3Zjc3J0NzU2eXVpb21uMTI4NzZidmN4OThlcnR5"
	    "dWlvcCIsInN1YiI6IjEyMzQ1Njc4OTBxd2VydHl1aW8ifQ"
	    ".imYYP1voIVxnbhtjo9EOzobW2GUja98L7j41-XpIuCo\"}";

	clock_set_override(NOW);
	run_cfg("config-sim2-krakend.json", "signer-backend-reference.json", want);
	clock_set_override((time_t)-1);
}

Test(signer_cfg, extensions_config)
{
	/* Payload {"aud":"https://api.example/v1","exp":1700003600,
	 * "iat":1700000000,"nbf":1699999940,"roles":["a"],"sub":"u-42"}
	 * (set_iat, ttl 3600, nbf_skew 60 at NOW), Python as above. */
	static const char want[] =
	    "{\"access_token\":{\"sub\":\"top\"},\"data\":{\"session\":{\"access_token\":"
	    "\"" HDR_B64 ".eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzAwMDAzNjAwLCJp"
	    "YXQiOjE3MDAwMDAwMDAsIm5iZiI6MTY5OTk5OTk0MCwicm9sZXMiOlsiYSJdLCJzdWIiOiJ1LTQyIn0"
	    ".er5h1Vh40ImEIgFo2prtRvKhw0vjuyXGfYJCfSbYP3M\",\"expires_in\":3600}},"
	    "\"exp\":1735689600}";

	clock_set_override(NOW);
	run_cfg("config-sim2-extensions.json", "signer-backend-nested.json", want);
	clock_set_override((time_t)-1);
}
