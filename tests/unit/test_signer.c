/* test_signer.c - the response transformer through the real jwk/jws code.
 *
 * HS256 is deterministic, so whole outputs are compared byte for byte with
 * tokens computed independently (Python hmac/base64 over the Go encoding
 * of the claims, written by hand).  Where a test builds its own claims,
 * the token is checked part by part: the header and the payload decode
 * to the expected bytes and the signature verifies with libsodium's
 * HMAC-SHA-256 directly, not through jws.c. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "jwk.h"
#include "jws.h"
#include "signer.h"

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

static char *read_data(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *p;
	long n;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert(n > 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	cr_assert_not_null(p);
	cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static struct jwk *sim2_key(void)
{
	static const char *const kids[] = {"sim2"};
	struct jwk_limits lim = {65536, 16};
	struct jwk *key = NULL;
	struct err e = {0};
	size_t len;
	char *doc = read_data("signer-jwks-sim2.json", &len);
	int rc = jwk_set_select(doc, len, kids, 1, JWS_ALG_HS256, &lim, &key, &e);

	free(doc);
	cr_assert_eq(rc, 0, "jwk_set_select: %s", e.msg);
	cr_assert_not_null(key);
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
	    "{\"B\":true,\"a\":{\"x\":\"http://h/\\u2028\\u0008\\u000c\\n\\u0001\","
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
