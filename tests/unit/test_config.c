/* Unit tests for config.c: the KrakenD-format configuration loader. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tls.h"
#include "testutil.h"

#define NAME "test.json"

/* One signer endpoint; SIGNER is the body of the "auth/signer" block. */
#define ONE_EP(SIGNER)                                                                             \
	"{\"version\":3,\"endpoints\":[{\"endpoint\":\"/token\",\"method\":\"POST\","              \
	"\"backend\":[{\"host\":[\"http://127.0.0.1:8080\"],\"url_pattern\":\"/login\"}],"         \
	"\"extra_config\":{\"auth/signer\":{" SIGNER "}}}]}"

/* An endpoint object with ENDPOINT_EXTRA members, a BACKEND object body
 * and the base signer. */
#define EP_OBJ(ENDPOINT_EXTRA, BACKEND)                                                            \
	"{\"endpoint\":\"/token\"," ENDPOINT_EXTRA "\"backend\":[{" BACKEND "}],"                  \
	"\"extra_config\":{\"auth/signer\":{" BASE "}}}"

#define DOC(TOP, EPS) "{\"version\":3," TOP "\"endpoints\":[" EPS "]}"

#define HOST "\"host\":[\"http://127.0.0.1:8080\"],"
#define BACKEND HOST "\"url_pattern\":\"/login\""

#define SIGN_HEAD "\"alg\":\"HS256\",\"kid\":\"k1\",\"keys_to_sign\":[\"access_token\"]"
#define BASE SIGN_HEAD ",\"jwk_local_path\":\"/etc/keys.json\""
/* A signer whose pins apply (keys from an https:// server). */
#define BASE_URL SIGN_HEAD ",\"jwk_url\":\"https://keys.example/jwks.json\""

static struct cfg *parse_ok(const char *doc)
{
	struct cfg *cfg = NULL;
	struct err e = {0};
	int rc = cfg_parse(doc, strlen(doc), NAME, &cfg, &e);

	cr_assert_eq(rc, 0, "cfg_parse failed (%d): %s", rc, e.msg);
	cr_assert_not_null(cfg);
	return cfg;
}

/* Parse must fail with code; the message must start with the file name
 * and contain each of the (up to three) needles. */
static void parse_err3(const char *doc, int code, const char *n1, const char *n2, const char *n3)
{
	struct cfg *cfg = (struct cfg *)1;
	struct err e = {0};
	int rc = cfg_parse(doc, strlen(doc), NAME, &cfg, &e);

	cr_assert_eq(rc, code, "expected %d, got %d (%s) for %s", code, rc, e.msg, doc);
	cr_assert_eq(e.code, code);
	cr_assert_null(cfg);
	cr_assert(strncmp(e.msg, NAME ": ", strlen(NAME) + 2) == 0, "no file name: %s", e.msg);
	cr_assert(n1 == NULL || strstr(e.msg, n1), "\"%s\" not in: %s", n1, e.msg);
	cr_assert(n2 == NULL || strstr(e.msg, n2), "\"%s\" not in: %s", n2, e.msg);
	cr_assert(n3 == NULL || strstr(e.msg, n3), "\"%s\" not in: %s", n3, e.msg);
}

/* A signer setting error: names the endpoint, the section, the setting. */
static void signer_err(const char *doc, int code, const char *setting)
{
	parse_err3(doc, code, "endpoint \"/token\"", "extra_config \"auth/signer\"", setting);
}

static void backend_err(const char *doc, const char *setting)
{
	parse_err3(doc, ERR_INVALID, "endpoint \"/token\"", "backend[0]", setting);
}

static void endpoint_err(const char *doc, const char *setting)
{
	parse_err3(doc, ERR_INVALID, "endpoint \"/token\"", setting, NULL);
}

/* ------------------------------------------------------------ durations */

struct dur_case {
	const char *in;
	int rc;
	unsigned ms;
};

static const struct dur_case duration_cases[] = {
    {"0", 0, 0},
    {"+0", 0, 0},
    {"2s", 0, 2000},
    {"500ms", 0, 500},
    {"1m30s", 0, 90000},
    {"1h2m3.5s", 0, 3723500},
    {"1.5s", 0, 1500},
    {".5s", 0, 500},
    {"1.s", 0, 1000},
    {"+3s", 0, 3000},
    {"0s", 0, 0},
    {"0.0s", 0, 0},
    {"100us", 0, 1},	    /* rounded up */
    {"100\xc2\xb5s", 0, 1}, /* U+00B5 micro sign */
    {"100\xce\xbcs", 0, 1}, /* U+03BC Greek mu */
    {"1ns", 0, 1},
    {"1000000ns", 0, 1},
    {"1000001ns", 0, 2},
    {"1500us", 0, 2},
    {"2000us", 0, 2},
    {"1ms1ns", 0, 2},
    {"0.1s", 0, 100},
    {"2.3s", 0, 2300},
    {"1.0000001s", 0, 1001}, /* 1 s + 100 ns -> rounded up */
    {"3000ms", 0, 3000},
    {"1h", 0, 3600000},
    {"24h", 0, 86400000},
    {"23h60m", 0, 86400000},
    {"1440m", 0, 86400000},
    {"0.5h", 0, 1800000},
    {"10s10s", 0, 20000}, /* Go accepts repeated units */
    {"1.00000000000000000000001s", 0, 1000},
    {"", ERR_INVALID, 0},
    {"-1s", ERR_INVALID, 0},
    {"-0", ERR_INVALID, 0},
    {"+", ERR_INVALID, 0},
    {"1", ERR_INVALID, 0},  /* missing unit */
    {"00", ERR_INVALID, 0}, /* only a bare "0" needs no unit */
    {"1x", ERR_INVALID, 0},
    {"1S", ERR_INVALID, 0},
    {"1sec", ERR_INVALID, 0},
    {"1d", ERR_INVALID, 0},
    {"s", ERR_INVALID, 0},
    {".s", ERR_INVALID, 0},
    {".", ERR_INVALID, 0},
    {"1.2.3s", ERR_INVALID, 0},
    {" 1s", ERR_INVALID, 0},
    {"1s ", ERR_INVALID, 0},
    {"1 s", ERR_INVALID, 0},
    {"1e3s", ERR_INVALID, 0},
    {"1s-1s", ERR_INVALID, 0},
    {"24h1ns", ERR_INVALID, 0},
    {"25h", ERR_INVALID, 0},
    {"86400001ms", ERR_INVALID, 0},
    {"99999999999999999999s", ERR_INVALID, 0},
    {"9223372036854775807ns1h", ERR_INVALID, 0},
    {"0x10s", ERR_INVALID, 0},
};

static void check_duration(const struct dur_case *c)
{
	unsigned ms = 4242;
	int rc = cfg_parse_duration(c->in, &ms);

	cr_assert_eq(rc, c->rc, "\"%s\": rc %d, expected %d", c->in, rc, c->rc);
	if (c->rc == 0)
		cr_assert_eq(ms, c->ms, "\"%s\": %u ms, expected %u", c->in, ms, c->ms);
	else
		cr_assert_eq(ms, 4242, "\"%s\": output written on error", c->in);
}

Test(config, duration)
{
	for (size_t i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]); i++)
		check_duration(&duration_cases[i]);
}

/* ------------------------------------------------------------ valid files */

Test(config, defaults)
{
	struct cfg *cfg = parse_ok("{\"endpoints\":[{\"endpoint\":\"/token\",\"backend\":[{" BACKEND
				   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}]}");
	const struct cfg_endpoint *e = &cfg->endpoints[0];
	const struct cfg_signer *s = &e->signer;

	cr_assert_str_eq(cfg->path, NAME);
	cr_assert_eq(cfg->nendpoints, 1);
	cr_assert_eq(cfg->nignored, 0);
	cr_assert_str_eq(e->endpoint, "/token");
	cr_assert_str_eq(e->method, "GET"); /* KrakenD's default */
	cr_assert_eq(e->timeout_ms, 2000);
	cr_assert_eq(e->backend.nhosts, 1);
	cr_assert_str_eq(e->backend.hosts[0], "http://127.0.0.1:8080");
	cr_assert_str_eq(e->backend.url_pattern, "/login");
	cr_assert_str_eq(e->backend.method, "GET");
	cr_assert_eq(s->alg, JWS_ALG_HS256);
	cr_assert_eq(s->nkids, 1);
	cr_assert_str_eq(s->kids[0], "k1");
	cr_assert_eq(s->nkeys_to_sign, 1);
	cr_assert_str_eq(s->keys_to_sign[0], "access_token");
	cr_assert_null(s->keys.jwk_url);
	cr_assert_str_eq(s->keys.jwk_local_path, "/etc/keys.json");
	cr_assert_eq(s->full, false);
	cr_assert_str_eq(s->typ, "JWT");
	cr_assert_eq(s->keys.disable_jwk_security, false);
	cr_assert_null(s->keys.jwk_fingerprints);
	cr_assert_eq(s->keys.njwk_fingerprints, 0);
	cr_assert_null(s->keys.cipher_suites);
	cr_assert_eq(s->keys.ncipher_suites, 0);
	cr_assert_null(s->keys.jwk_local_ca);
	cr_assert_eq(s->keys.cache_duration, 900);
	cr_assert_eq(s->keys.failed_jwk_key_cooldown, 60);
	cr_assert_eq(s->keys.max_stale, 86400);
	cr_assert_null(s->jwks_endpoint); /* extensions: all off */
	cr_assert_eq(s->set_iat, false);
	cr_assert_eq(s->ttl, 0);
	cr_assert_eq(s->set_nbf, false);
	cr_assert_eq(s->nbf_skew, 0);
	cr_assert_eq(cfg->limits.max_request_body, 1048576);
	cr_assert_eq(cfg->limits.max_backend_response, 1048576);
	cr_assert_eq(cfg->limits.max_json_depth, 128);
	cr_assert_eq(cfg->limits.max_json_members, 100000);
	cr_assert_eq(cfg->limits.max_jwk_set_size, 1048576);
	cr_assert_eq(cfg->limits.max_jwk_keys, 1000);
	cr_assert_eq(cfg->limits.connect_timeout_ms, 2000);
	cr_assert_eq(cfg->limits.jwk_fetch_timeout_ms, 5000);
	cfg_free(cfg);
}

Test(config, krakend_file)
{
	struct cfg *cfg = NULL;
	struct err e = {0};
	const struct cfg_endpoint *t, *u;
	int rc = cfg_load(TEST_DATA_DIR "/config-krakend.json", &cfg, &e);

	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_str_eq(cfg->path, TEST_DATA_DIR "/config-krakend.json");
	/* two signers; GET /users/{id} is protected (a validator, no signer) */
	cr_assert_eq(cfg->nendpoints, 3);
	cr_assert_eq(cfg->nsigners, 2);
	cr_assert_eq(cfg->nprotected, 1);
	cr_assert_eq(cfg->nignored, 2);
	cr_assert(cfg->endpoints[0].has_signer && !cfg->endpoints[0].has_validator);
	cr_assert(!cfg->endpoints[2].has_signer && cfg->endpoints[2].has_validator);
	cr_assert_str_eq(cfg->endpoints[2].endpoint, "/users/{id}");
	cr_assert_str_eq(cfg->endpoints[2].validator.keys.jwk_url,
			 "https://auth.example.com/jwk/public.json");
	t = &cfg->endpoints[0];
	cr_assert_str_eq(t->endpoint, "/token");
	cr_assert_str_eq(t->method, "POST");
	cr_assert_eq(t->timeout_ms, 1500); /* endpoint timeout beats top-level */
	cr_assert_eq(t->backend.nhosts, 2);
	cr_assert_str_eq(t->backend.hosts[0], "http://127.0.0.1:8080");
	cr_assert_str_eq(t->backend.hosts[1], "http://127.0.0.1:8081"); /* '/' removed */
	cr_assert_str_eq(t->backend.url_pattern, "/login");
	cr_assert_str_eq(t->backend.method, "POST");
	cr_assert_eq(t->signer.alg, JWS_ALG_RS256);
	cr_assert_eq(t->signer.nkeys_to_sign, 2);
	cr_assert_str_eq(t->signer.keys_to_sign[1], "refresh_token");
	cr_assert_str_eq(t->signer.keys.jwk_url, "https://auth.example.com/jwk/private.json");
	cr_assert_null(t->signer.keys.jwk_local_path);
	cr_assert_eq(t->signer.keys.njwk_fingerprints, 1);
	cr_assert_str_eq(t->signer.keys.jwk_fingerprints[0],
			 "jlUjD2zWlWFrmhpqr7pcwJzXvQWBJnTNzi3oZU5Lxtk=");
	cr_assert_eq(t->signer.keys.ncipher_suites, 3);
	cr_assert_eq(t->signer.keys.cipher_suites[0], 49199);
	cr_assert_eq(t->signer.keys.cipher_suites[1], 49195);
	cr_assert_eq(t->signer.keys.cipher_suites[2], 4865);
	cr_assert_eq(t->signer.keys.cache_duration, 600);

	u = &cfg->endpoints[1];
	cr_assert_str_eq(u->endpoint, "/tenants/{tenant}/token");
	cr_assert_str_eq(u->method, "POST"); /* upper-cased */
	cr_assert_eq(u->timeout_ms, 3000);   /* top-level "timeout" */
	cr_assert_eq(u->backend.nhosts, 1);  /* top-level "host" */
	cr_assert_str_eq(u->backend.hosts[0], "http://127.0.0.1:9000");
	cr_assert_str_eq(u->backend.url_pattern, "/t/{tenant}/login");
	cr_assert_eq(u->signer.nkids, 2);
	cr_assert_str_eq(u->signer.kids[0], "2024-06");
	cr_assert_str_eq(u->signer.kids[1], "2024-01");
	cr_assert_str_eq(u->signer.typ, "JWT"); /* "" is KrakenD's default */

	cr_assert_eq(cfg->limits.max_request_body, 65536);
	cr_assert_eq(cfg->limits.connect_timeout_ms, 750);
	cr_assert_eq(cfg->limits.jwk_fetch_timeout_ms, 5000);
	cfg_free(cfg);
}

Test(config, legacy_namespace_and_spellings)
{
	struct cfg *cfg = NULL;
	struct err e = {0};
	const struct cfg_endpoint *t;
	int rc = cfg_load(TEST_DATA_DIR "/config-legacy.json", &cfg, &e);

	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(cfg->nendpoints, 1);
	t = &cfg->endpoints[0];
	cr_assert_eq(t->timeout_ms, 5000);
	cr_assert_str_eq(t->backend.hosts[0], "http://127.0.0.1:8080"); /* scheme added */
	cr_assert_str_eq(t->backend.url_pattern, "/login");		/* '/' added */
	cr_assert_str_eq(t->backend.method, "PUT");
	cr_assert_eq(t->signer.alg, JWS_ALG_EDDSA);
	cr_assert_str_eq(t->signer.keys_to_sign[0], "access_token");
	cr_assert_str_eq(t->signer.keys.jwk_url, "http://127.0.0.1:8000/jwk.json");
	cr_assert(t->signer.keys.disable_jwk_security);
	cr_assert(t->signer.full);
	cfg_free(cfg);
}

Test(config, hyphenated_local_path)
{
	struct cfg *cfg = parse_ok(ONE_EP(SIGN_HEAD ",\"jwk-local-path\":\"/k.json\""));

	cr_assert_str_eq(cfg->endpoints[0].signer.keys.jwk_local_path, "/k.json");
	cfg_free(cfg);
}

Test(config, both_spellings_identical)
{
	struct cfg *cfg =
	    parse_ok(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k1\",\"keys_to_sign\":[\"a\",\"b\"],"
			    "\"keys-to-sign\":[\"a\",\"b\"],\"jwk_url\":\"https://x/"
			    "k\",\"jwk-url\":\"https://x/k\""));

	cr_assert_eq(cfg->endpoints[0].signer.nkeys_to_sign, 2);
	cr_assert_str_eq(cfg->endpoints[0].signer.keys.jwk_url, "https://x/k");
	cfg_free(cfg);
}

Test(config, both_namespaces_identical)
{
	struct cfg *cfg = parse_ok(
	    DOC("", "{\"endpoint\":\"/token\",\"backend\":[{" BACKEND "}],\"extra_config\":{"
		    "\"auth/signer\":{" BASE "},"
		    "\"github.com/devopsfaith/krakend-jose/signer\":{" BASE "}}}"));

	cr_assert_eq(cfg->nendpoints, 1);
	cfg_free(cfg);
}

Test(config, null_is_absent)
{
	struct cfg *cfg = parse_ok(ONE_EP(BASE ",\"typ\":null,\"full\":null,\"jwk_url\":null"));

	cr_assert_str_eq(cfg->endpoints[0].signer.typ, "JWT");
	cfg_free(cfg);
}

Test(config, signer_options)
{
	struct cfg *cfg = parse_ok(
	    ONE_EP(SIGN_HEAD ",\"jwk_url\":\"HTTPS://auth.example/k\",\"full\":true,"
			     "\"typ\":\"at+jwt\",\"jwk_local_ca\":\"/etc/ca.pem\","
			     "\"cache_duration\":0,\"failed_jwk_key_cooldown\":0,"
			     "\"max_stale\":3600,\"cipher_suites\":[],\"jwk_fingerprints\":[]"));
	const struct cfg_signer *s = &cfg->endpoints[0].signer;

	cr_assert_str_eq(s->keys.jwk_url, "HTTPS://auth.example/k");
	cr_assert(s->full);
	cr_assert_str_eq(s->typ, "at+jwt");
	cr_assert_str_eq(s->keys.jwk_local_ca, "/etc/ca.pem");
	cr_assert_eq(s->keys.cache_duration, 900); /* 0 means the default, as in KrakenD */
	cr_assert_eq(s->keys.failed_jwk_key_cooldown, 0);
	cr_assert_eq(s->keys.max_stale, 3600);
	cr_assert_eq(s->keys.ncipher_suites, 0);
	cr_assert_eq(s->keys.njwk_fingerprints, 0);
	cfg_free(cfg);
}

Test(config, all_algs)
{
	static const char *const names[] = {"HS256", "HS384", "HS512", "RS256", "RS384",
					    "RS512", "PS256", "PS384", "PS512", "ES256",
					    "ES384", "ES512", "EdDSA"};
	char doc[1024];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cfg *cfg;

		snprintf(doc, sizeof(doc),
			 ONE_EP("\"alg\":\"%s\",\"kid\":\"k\",\"keys_to_sign\":[\"a\"],"
				"\"jwk_local_path\":\"/k\""),
			 names[i]);
		cfg = parse_ok(doc);
		cr_assert_str_eq(alg_name(cfg->endpoints[0].signer.alg), names[i]);
		cfg_free(cfg);
	}
}

Test(config, fingerprint_flavours)
{
	/* The same digest as base64url padded (KrakenD), unpadded, standard. */
	struct cfg *cfg =
	    parse_ok(ONE_EP(BASE_URL ",\"jwk_fingerprints\":["
				     "\"-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_8=\","
				     "\"-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_8\","
				     "\"+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/8=\"]"));
	const struct cfg_signer *s = &cfg->endpoints[0].signer;

	cr_assert_eq(s->keys.njwk_fingerprints, 3);
	for (size_t i = 0; i < 3; i++)
		cr_assert_str_eq(s->keys.jwk_fingerprints[i],
				 "+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/8=");
	cfg_free(cfg);
}

Test(config, all_go_cipher_suites)
{
	static const unsigned ids[] = {5,     10,    47,    53,	   60,	  156,	 157,
				       49159, 49161, 49162, 49169, 49170, 49171, 49172,
				       49187, 49191, 49199, 49195, 49200, 49196, 52392,
				       52393, 4865,  4866,  4867};
	char list[512] = "", doc[1024];
	size_t len = 0;
	struct cfg *cfg;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		len +=
		    (size_t)snprintf(list + len, sizeof(list) - len, "%s%u", i ? "," : "", ids[i]);
		cr_assert_not_null(tls_cipher_suite_name((uint16_t)ids[i]), "%u", ids[i]);
	}
	snprintf(doc, sizeof(doc), ONE_EP(BASE ",\"cipher_suites\":[%s]"), list);
	cfg = parse_ok(doc);
	cr_assert_eq(cfg->endpoints[0].signer.keys.ncipher_suites, sizeof(ids) / sizeof(ids[0]));
	cfg_free(cfg);
	cr_assert_str_eq(tls_cipher_suite_name(49199), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	cr_assert_str_eq(tls_cipher_suite_name(5), "TLS_RSA_WITH_RC4_128_SHA");
	cr_assert_str_eq(tls_cipher_suite_name(4867), "TLS_CHACHA20_POLY1305_SHA256");
	cr_assert_null(tls_cipher_suite_name(0));
	cr_assert_null(tls_cipher_suite_name(0x5600)); /* TLS_FALLBACK_SCSV */
}

Test(config, same_path_other_method)
{
	struct cfg *cfg = parse_ok(DOC("", EP_OBJ("\"method\":\"POST\",", BACKEND) "," EP_OBJ(
					       "\"method\":\"PUT\",", BACKEND)));

	cr_assert_eq(cfg->nendpoints, 2);
	cfg_free(cfg);
}

Test(config, limits_block)
{
	struct cfg *cfg = parse_ok(DOC(
	    "\"extra_config\":{\"jwtsign\":{\"max_request_body\":10,\"max_backend_response\":20,"
	    "\"max_json_depth\":1,\"max_json_members\":40,\"max_jwk_set_size\":50,"
	    "\"max_jwk_keys\":60,\"connect_timeout\":\"1.5s\",\"jwk_fetch_timeout\":\"1m\"}},",
	    EP_OBJ("", BACKEND)));

	cr_assert_eq(cfg->limits.max_request_body, 10);
	cr_assert_eq(cfg->limits.max_backend_response, 20);
	cr_assert_eq(cfg->limits.max_json_depth, 1);
	cr_assert_eq(cfg->limits.max_json_members, 40);
	cr_assert_eq(cfg->limits.max_jwk_set_size, 50);
	cr_assert_eq(cfg->limits.max_jwk_keys, 60);
	cr_assert_eq(cfg->limits.connect_timeout_ms, 1500);
	cr_assert_eq(cfg->limits.jwk_fetch_timeout_ms, 60000);
	cfg_free(cfg);
}

Test(config, trailing_whitespace)
{
	struct cfg *cfg = parse_ok(ONE_EP(BASE) " \r\n\t\n");

	cfg_free(cfg);
}

/* ------------------------------------------------------------ errors: document */

Test(config, err_message_format)
{
	struct cfg *cfg = NULL;
	struct err e = {0};
	const char *doc = ONE_EP("\"alg\":\"none\",\"kid\":\"k\",\"keys_to_sign\":[\"a\"],"
				 "\"jwk_local_path\":\"/k\"");
	int rc = cfg_parse(doc, strlen(doc), "/etc/jwtsign/jwtsign.json", &cfg, &e);

	cr_assert_eq(rc, ERR_UNSUPPORTED);
	cr_assert_str_eq(e.msg, "/etc/jwtsign/jwtsign.json: endpoint \"/token\": extra_config "
				"\"auth/signer\": \"alg\": unsupported value \"none\"");
}

Test(config, err_json_syntax)
{
	parse_err3("{\"version\":3,\n \"endpoints\": [,]}", ERR_INVALID, "invalid JSON", "line 2",
		   NULL);
}

Test(config, err_json_trailing_data)
{
	parse_err3(ONE_EP(BASE) " {}", ERR_INVALID, "invalid JSON", NULL, NULL);
}

Test(config, err_json_truncated)
{
	parse_err3("{\"version\":3,", ERR_INVALID, "unexpected end", NULL, NULL);
}

Test(config, err_json_empty)
{
	parse_err3("", ERR_INVALID, "unexpected end", NULL, NULL);
}

Test(config, err_json_not_strict)
{
	/* json-c's lenient mode would take single quotes and trailing commas */
	parse_err3("{'version':3}", ERR_INVALID, "invalid JSON", NULL, NULL);
	parse_err3("{\"version\":3,}", ERR_INVALID, "invalid JSON", NULL, NULL);
	parse_err3("{\"version\":3} /* c */", ERR_INVALID, "invalid JSON", NULL, NULL);
}

Test(config, err_json_extensions_json_c_strict_takes)
{
	/* json-c 0.16 accepts these even with JSON_TOKENER_STRICT */
	parse_err3("{'version':3}", ERR_INVALID, "line 1, column 2: not standard JSON", NULL, NULL);
	parse_err3("{\"version\":3,\"endpoints\":[],\"x\":'a'}", ERR_INVALID, "line 1, column 33",
		   NULL, NULL);
	parse_err3("{\"x\":NaN}", ERR_INVALID, "not standard JSON", NULL, NULL);
	parse_err3("{\"x\":-Infinity}", ERR_INVALID, "not standard JSON", NULL, NULL);
	parse_err3("{\"x\":1.}", ERR_INVALID, "not standard JSON", NULL, NULL);
	parse_err3("{\"x\":\"a\tb\"}", ERR_INVALID, "not standard JSON", NULL, NULL);
	parse_err3("{\n\"x\":\n\"\x01\"}", ERR_INVALID, "line 3, column 2: not standard JSON", NULL,
		   NULL);
}

Test(config, json_escapes_are_fine)
{
	/* the lexical check must not trip over escaped quotes and backslashes */
	struct cfg *cfg = parse_ok(DOC(
	    "\"name\":\"a\\\"'NaN\\\\\",\"n\":[1.5e3,-0.0,true,false,null],", EP_OBJ("", BACKEND)));

	cfg_free(cfg);
}

Test(config, err_json_nul_byte)
{
	static const char doc[] = "{\"version\":3}\0";
	struct cfg *cfg = NULL;
	struct err e = {0};

	cr_assert_eq(cfg_parse(doc, sizeof(doc) - 1, NAME, &cfg, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "invalid JSON"), "%s", e.msg);
}

Test(config, err_json_bad_utf8)
{
	parse_err3("{\"name\":\"\xff\"}", ERR_INVALID, "invalid JSON", NULL, NULL);
}

Test(config, err_not_object)
{
	parse_err3("[1,2]", ERR_INVALID, "expected a JSON object", "an array", NULL);
}

Test(config, err_version)
{
	parse_err3("{\"version\":1,\"endpoints\":[]}", ERR_INVALID, "\"version\"", "out of range",
		   NULL);
	parse_err3("{\"version\":\"3\",\"endpoints\":[]}", ERR_INVALID, "\"version\"",
		   "expected an integer", NULL);
}

Test(config, err_endpoints_type)
{
	parse_err3("{\"version\":3,\"endpoints\":{}}", ERR_INVALID, "\"endpoints\"",
		   "expected an array", NULL);
}

Test(config, err_endpoint_not_object)
{
	parse_err3(DOC("", "3"), ERR_INVALID, "endpoints[0]", "expected an object", NULL);
}

Test(config, err_nothing_to_serve)
{
	parse_err3(DOC("", "{\"endpoint\":\"/a\",\"backend\":[{" BACKEND "}]}"), ERR_INVALID,
		   "\"endpoints\"", "nothing to serve", NULL);
	parse_err3("{\"version\":3}", ERR_INVALID, "nothing to serve", NULL, NULL);
}

Test(config, err_top_timeout)
{
	parse_err3(DOC("\"timeout\":\"3 s\",", EP_OBJ("", BACKEND)), ERR_INVALID, "\"timeout\"",
		   "invalid duration", NULL);
	parse_err3(DOC("\"timeout\":3000,", EP_OBJ("", BACKEND)), ERR_INVALID, "\"timeout\"",
		   "expected a string", NULL);
}

Test(config, err_extra_config_type)
{
	parse_err3(DOC("", "{\"endpoint\":\"/token\",\"extra_config\":[]}"), ERR_INVALID,
		   "endpoint \"/token\"", "\"extra_config\"", "expected an object");
	parse_err3(DOC("\"extra_config\":3,", EP_OBJ("", BACKEND)), ERR_INVALID, "\"extra_config\"",
		   "expected an object", NULL);
}

Test(config, err_both_namespaces_differ)
{
	parse_err3(DOC("", "{\"endpoint\":\"/token\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "},"
			   "\"github.com/devopsfaith/krakend-jose/signer\":{" SIGN_HEAD
			   ",\"jwk_local_path\":\"/other.json\"}}}"),
		   ERR_INVALID, "endpoint \"/token\"", "\"extra_config\"",
		   "github.com/devopsfaith/krakend-jose/signer");
}

Test(config, err_signer_not_object)
{
	parse_err3(DOC("", "{\"endpoint\":\"/token\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":true}}"),
		   ERR_INVALID, "endpoint \"/token\"", "extra_config \"auth/signer\"",
		   "expected an object");
}

/* ------------------------------------------------------------ errors: endpoint */

Test(config, err_endpoint_missing)
{
	parse_err3(
	    DOC("", "{\"backend\":[{" BACKEND "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
	    ERR_INVALID, "endpoints[0]", "\"endpoint\"", "missing");
}

Test(config, err_endpoint_type)
{
	parse_err3(DOC("", "{\"endpoint\":7,\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		   ERR_INVALID, "endpoints[0]", "\"endpoint\"", "expected a string");
}

Test(config, err_endpoint_nul)
{
	static const char doc[] = DOC("", "{\"endpoint\":\"/to\\u0000ken\",\"backend\":[{" BACKEND
					  "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}");

	parse_err3(doc, ERR_INVALID, "\"endpoint\"", "NUL", NULL);
}

Test(config, err_endpoint_partial_param)
{
	parse_err3(DOC("", "{\"endpoint\":\"/a{id}\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		   ERR_INVALID, "\"endpoint\"", "whole segment", NULL);
}

Test(config, err_endpoint_duplicate_param)
{
	parse_err3(DOC("", "{\"endpoint\":\"/{id}/{id}\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		   ERR_INVALID, "\"endpoint\"", "twice", NULL);
}

Test(config, err_endpoint_too_many_params)
{
	parse_err3(DOC("", "{\"endpoint\":\"/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}/{k}/{l}/{m}/"
			   "{n}/{o}/{p}/{q}\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		   ERR_INVALID, "\"endpoint\"", "more than 16", NULL);
}

Test(config, err_endpoint_query)
{
	parse_err3(DOC("", "{\"endpoint\":\"/token?x=1\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		   ERR_INVALID, "\"endpoint\"", "'?'", NULL);
}

Test(config, err_method)
{
	endpoint_err(DOC("", EP_OBJ("\"method\":\"PO ST\",", BACKEND)), "\"method\"");
	endpoint_err(DOC("", EP_OBJ("\"method\":\"\",", BACKEND)), "\"method\"");
	endpoint_err(DOC("", EP_OBJ("\"method\":[\"POST\"],", BACKEND)), "\"method\"");
}

Test(config, err_endpoint_timeout)
{
	endpoint_err(DOC("", EP_OBJ("\"timeout\":\"2\",", BACKEND)), "\"timeout\"");
	endpoint_err(DOC("", EP_OBJ("\"timeout\":\"0s\",", BACKEND)), "\"timeout\"");
	endpoint_err(DOC("", EP_OBJ("\"timeout\":\"-1s\",", BACKEND)), "\"timeout\"");
}

Test(config, err_duplicate_route)
{
	parse_err3(DOC("", EP_OBJ("\"method\":\"POST\",",
				  BACKEND) "," EP_OBJ("\"method\":\"post\",", BACKEND)),
		   ERR_INVALID, "endpoint \"/token\"", "\"endpoint\"", "same route");
}

Test(config, err_duplicate_route_params)
{
	parse_err3(DOC("", "{\"endpoint\":\"/u/{id}\",\"method\":\"POST\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}},"
			   "{\"endpoint\":\"/u/{name}\",\"method\":\"POST\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		   ERR_INVALID, "endpoint \"/u/{name}\"", "same route", NULL);
}

/* ------------------------------------------------------------ errors: backend */

Test(config, err_backend_missing)
{
	endpoint_err(
	    DOC("", "{\"endpoint\":\"/token\",\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
	    "\"backend\"");
}

Test(config, err_backend_empty)
{
	endpoint_err(DOC("", "{\"endpoint\":\"/token\",\"backend\":[],\"extra_config\":{"
			     "\"auth/signer\":{" BASE "}}}"),
		     "\"backend\"");
}

Test(config, err_backend_two)
{
	parse_err3(DOC("", "{\"endpoint\":\"/token\",\"backend\":[{" BACKEND "},{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		   ERR_INVALID, "endpoint \"/token\"", "\"backend\"", "exactly one");
}

Test(config, err_backend_not_object)
{
	endpoint_err(DOC("", "{\"endpoint\":\"/token\",\"backend\":[\"http://x\"],"
			     "\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		     "\"backend\"");
}

Test(config, err_host_missing)
{
	backend_err(DOC("", EP_OBJ("", "\"url_pattern\":\"/login\"")), "\"host\"");
}

Test(config, err_host_empty)
{
	backend_err(DOC("", EP_OBJ("", "\"host\":[],\"url_pattern\":\"/login\"")), "\"host\"");
	/* an empty list does not fall back to the top-level one */
	backend_err(
	    DOC("\"host\":[\"http://a\"],", EP_OBJ("", "\"host\":[],\"url_pattern\":\"/login\"")),
	    "\"host\"");
}

Test(config, err_host_type)
{
	backend_err(DOC("", EP_OBJ("", "\"host\":\"http://a\",\"url_pattern\":\"/login\"")),
		    "\"host\"");
	backend_err(DOC("", EP_OBJ("", "\"host\":[\"\"],\"url_pattern\":\"/login\"")), "\"host\"");
}

Test(config, err_host_scheme)
{
	backend_err(DOC("", EP_OBJ("", "\"host\":[\"ftp://a\"],\"url_pattern\":\"/login\"")),
		    "\"host\"");
	backend_err(DOC("", EP_OBJ("", "\"host\":[\"http:///\"],\"url_pattern\":\"/login\"")),
		    "\"host\"");
	backend_err(DOC("", EP_OBJ("", "\"host\":[\"http://a b\"],\"url_pattern\":\"/login\"")),
		    "\"host\"");
}

Test(config, err_url_pattern_missing)
{
	backend_err(DOC("", EP_OBJ("", HOST "\"method\":\"POST\"")), "\"url_pattern\"");
}

Test(config, err_url_pattern_unknown_param)
{
	backend_err(DOC("", EP_OBJ("", HOST "\"url_pattern\":\"/u/{id}\"")), "\"url_pattern\"");
	backend_err(DOC("", EP_OBJ("", HOST "\"url_pattern\":\"/u/{id\"")), "\"url_pattern\"");
	backend_err(DOC("", EP_OBJ("", HOST "\"url_pattern\":\"/u/id}\"")), "\"url_pattern\"");
}

Test(config, err_backend_method)
{
	backend_err(DOC("", EP_OBJ("", BACKEND ",\"method\":\"G(ET\"")), "\"method\"");
}

/* ------------------------------------------------------------ errors: signer */

Test(config, err_alg_missing)
{
	signer_err(ONE_EP("\"kid\":\"k\",\"keys_to_sign\":[\"a\"],\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"alg\"");
}

Test(config, err_alg_none)
{
	signer_err(ONE_EP("\"alg\":\"none\",\"kid\":\"k\",\"keys_to_sign\":[\"a\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_UNSUPPORTED, "\"alg\"");
}

Test(config, err_alg_unknown)
{
	signer_err(ONE_EP("\"alg\":\"hs256\",\"kid\":\"k\",\"keys_to_sign\":[\"a\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_UNSUPPORTED, "\"alg\"");
	signer_err(ONE_EP("\"alg\":\"\",\"kid\":\"k\",\"keys_to_sign\":[\"a\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_UNSUPPORTED, "\"alg\"");
}

Test(config, err_alg_type)
{
	signer_err(ONE_EP("\"alg\":256,\"kid\":\"k\",\"keys_to_sign\":[\"a\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"alg\"");
}

Test(config, err_kid_missing)
{
	signer_err(ONE_EP("\"alg\":\"HS256\",\"keys_to_sign\":[\"a\"],\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"kid\"");
}

Test(config, err_kid_empty)
{
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":\"\",\"keys_to_sign\":[\"a\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"kid\"");
}

Test(config, err_kid_array)
{
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":[],\"keys_to_sign\":[\"a\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"kid\"");
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":[\"a\",1],\"keys_to_sign\":[\"a\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"kid\"");
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":{},\"keys_to_sign\":[\"a\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"kid\"");
}

Test(config, err_keys_to_sign_missing)
{
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k\",\"jwk_local_path\":\"/k\""), ERR_INVALID,
		   "\"keys_to_sign\"");
}

Test(config, err_keys_to_sign_empty)
{
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k\",\"keys_to_sign\":[],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"keys_to_sign\"");
}

Test(config, err_keys_to_sign_element)
{
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k\",\"keys_to_sign\":[\"a\",\"\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"keys_to_sign\"");
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k\",\"keys-to-sign\":\"a\","
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"keys-to-sign\"");
}

Test(config, err_keys_to_sign_spellings_differ)
{
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k\",\"keys_to_sign\":[\"a\"],"
			  "\"keys-to-sign\":[\"b\"],\"jwk_local_path\":\"/k\""),
		   ERR_INVALID, "\"keys_to_sign\": conflicts with \"keys-to-sign\"");
}

Test(config, err_jwk_url_spellings_differ)
{
	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_url\":\"https://a/k\",\"jwk-url\":\"https://b/k\""),
		   ERR_INVALID, "\"jwk_url\": conflicts with \"jwk-url\"");
}

Test(config, err_jwk_local_path_spellings_differ)
{
	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_local_path\":\"/a\",\"jwk-local-path\":\"/b\""),
		   ERR_INVALID, "\"jwk_local_path\": conflicts with \"jwk-local-path\"");
}

Test(config, err_jwk_source_neither)
{
	signer_err(ONE_EP(SIGN_HEAD), ERR_INVALID, "\"jwk_url\"");
}

Test(config, err_jwk_source_both)
{
	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_url\":\"https://a/k\",\"jwk-local-path\":\"/k\""),
		   ERR_INVALID, "\"jwk_url\": conflicts with \"jwk-local-path\"");
}

Test(config, err_jwk_url_http)
{
	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_url\":\"http://a/k\""), ERR_INVALID, "\"jwk_url\"");
	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_url\":\"http://a/k\",\"disable_jwk_security\":false"),
		   ERR_INVALID, "disable_jwk_security");
}

Test(config, err_jwk_url_scheme)
{
	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_url\":\"file:///k\",\"disable_jwk_security\":true"),
		   ERR_INVALID, "\"jwk_url\"");
	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_url\":\"\""), ERR_INVALID, "\"jwk_url\"");
}

Test(config, err_jwk_local_path_type)
{
	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_local_path\":[\"/k\"]"), ERR_INVALID,
		   "\"jwk_local_path\"");
}

Test(config, err_full_type)
{
	signer_err(ONE_EP(BASE ",\"full\":\"true\""), ERR_INVALID, "\"full\"");
}

Test(config, err_disable_jwk_security_type)
{
	signer_err(ONE_EP(BASE ",\"disable_jwk_security\":1"), ERR_INVALID,
		   "\"disable_jwk_security\"");
}

Test(config, err_typ_type)
{
	signer_err(ONE_EP(BASE ",\"typ\":false"), ERR_INVALID, "\"typ\"");
}

Test(config, err_fingerprints)
{
	signer_err(ONE_EP(BASE_URL ",\"jwk_fingerprints\":\"abc\""), ERR_INVALID,
		   "\"jwk_fingerprints\"");
	signer_err(ONE_EP(BASE_URL ",\"jwk_fingerprints\":[\"abc=\"]"), ERR_INVALID,
		   "\"jwk_fingerprints\"");
	/* 33 bytes */
	signer_err(
	    ONE_EP(BASE_URL
		   ",\"jwk_fingerprints\":[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]"),
	    ERR_INVALID, "\"jwk_fingerprints\"");
	/* mixed alphabets */
	signer_err(
	    ONE_EP(BASE_URL
		   ",\"jwk_fingerprints\":[\"-/-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_8=\"]"),
	    ERR_INVALID, "\"jwk_fingerprints\"");
}

Test(config, err_cipher_suite_unknown)
{
	signer_err(ONE_EP(BASE ",\"cipher_suites\":[49199,4868]"), ERR_INVALID,
		   "\"cipher_suites\": unknown cipher suite 4868");
}

Test(config, err_cipher_suite_type)
{
	signer_err(ONE_EP(BASE ",\"cipher_suites\":[\"49199\"]"), ERR_INVALID, "\"cipher_suites\"");
	signer_err(ONE_EP(BASE ",\"cipher_suites\":49199"), ERR_INVALID, "\"cipher_suites\"");
	signer_err(ONE_EP(BASE ",\"cipher_suites\":[65536]"), ERR_INVALID, "\"cipher_suites\"");
	signer_err(ONE_EP(BASE ",\"cipher_suites\":[-1]"), ERR_INVALID, "\"cipher_suites\"");
}

Test(config, err_jwk_local_ca)
{
	signer_err(ONE_EP(BASE ",\"jwk_local_ca\":\"\""), ERR_INVALID, "\"jwk_local_ca\"");
	signer_err(ONE_EP(BASE ",\"jwk_local_ca\":1"), ERR_INVALID, "\"jwk_local_ca\"");
}

Test(config, err_cache_duration)
{
	signer_err(ONE_EP(BASE ",\"cache_duration\":-1"), ERR_INVALID, "\"cache_duration\"");
	signer_err(ONE_EP(BASE ",\"cache_duration\":1.5"), ERR_INVALID, "\"cache_duration\"");
	signer_err(ONE_EP(BASE ",\"cache_duration\":\"900\""), ERR_INVALID, "\"cache_duration\"");
	signer_err(ONE_EP(BASE ",\"cache_duration\":99999999999999999999"), ERR_INVALID,
		   "\"cache_duration\"");
}

Test(config, err_failed_jwk_key_cooldown)
{
	signer_err(ONE_EP(BASE ",\"failed_jwk_key_cooldown\":\"60s\""), ERR_INVALID,
		   "\"failed_jwk_key_cooldown\"");
}

Test(config, err_max_stale)
{
	signer_err(ONE_EP(BASE ",\"max_stale\":2147483648"), ERR_INVALID, "\"max_stale\"");
}

Test(config, err_secret_url_unsupported)
{
	struct cfg *cfg;

	signer_err(ONE_EP(BASE ",\"secret_url\":\"base64key://x\""), ERR_UNSUPPORTED,
		   "\"secret_url\"");
	signer_err(ONE_EP(BASE ",\"cipher_key\":\"AAAA\""), ERR_UNSUPPORTED, "\"cipher_key\"");
	/* KrakenD's own JSON tag */
	signer_err(ONE_EP(BASE ",\"cypher_key\":\"AAAA\""), ERR_UNSUPPORTED, "\"cypher_key\"");
	/* empty or null: nothing to decrypt */
	cfg = parse_ok(ONE_EP(BASE ",\"secret_url\":\"\",\"cipher_key\":null,\"cypher_key\":\"\""));
	cfg_free(cfg);
}

/* ------------------------------------------------------------ extensions */

Test(config, extensions)
{
	struct cfg *cfg = parse_ok(ONE_EP(
	    "\"alg\":\"HS256\",\"kid\":\"k1\",\"jwk_local_path\":\"/k\","
	    "\"keys_to_sign\":[\"/data/session/access_token\",\"/a~0~1\",\"plain/name~2\",\"/-\","
	    "\"/\",\"access_token\"],"
	    "\"jwks_endpoint\":\"/.well-known/jwks.json\",\"set_iat\":true,\"ttl\":3600,"
	    "\"nbf_skew\":0"));
	const struct cfg_signer *s = &cfg->endpoints[0].signer;

	cr_assert_eq(s->nkeys_to_sign, 6);
	cr_assert_str_eq(s->keys_to_sign[0], "/data/session/access_token"); /* kept as written */
	cr_assert_str_eq(s->keys_to_sign[1], "/a~0~1");
	cr_assert_str_eq(s->keys_to_sign[2], "plain/name~2");
	cr_assert_str_eq(s->jwks_endpoint, "/.well-known/jwks.json");
	cr_assert(s->set_iat);
	cr_assert_eq(s->ttl, 3600);
	cr_assert(s->set_nbf); /* present, even as 0 */
	cr_assert_eq(s->nbf_skew, 0);
	cfg_free(cfg);
}

Test(config, extensions_limits_and_spellings)
{
	struct cfg *cfg = parse_ok(ONE_EP(SIGN_HEAD ",\"jwk_local_path\":\"/k\",\"set_iat\":false,"
						    "\"ttl\":2147483647,\"nbf_skew\":2147483647,"
						    "\"jwks_endpoint\":\"jwks\""));
	const struct cfg_signer *s = &cfg->endpoints[0].signer;

	cr_assert_eq(s->set_iat, false);
	cr_assert_eq(s->ttl, 2147483647u);
	cr_assert(s->set_nbf);
	cr_assert_eq(s->nbf_skew, 2147483647u);
	cr_assert_str_eq(s->jwks_endpoint, "/jwks"); /* '/' prepended, as for "endpoint" */
	cfg_free(cfg);
	cfg = parse_ok(ONE_EP(SIGN_HEAD ",\"jwk_local_path\":\"/k\",\"ttl\":1,\"nbf_skew\":5"));
	cr_assert_eq(cfg->endpoints[0].signer.ttl, 1);
	cr_assert_eq(cfg->endpoints[0].signer.nbf_skew, 5);
	cfg_free(cfg);
	/* keys-to-sign takes pointers too */
	cfg = parse_ok(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k1\",\"keys-to-sign\":[\"/a/b\"],"
			      "\"jwk_local_path\":\"/k\""));
	cr_assert_str_eq(cfg->endpoints[0].signer.keys_to_sign[0], "/a/b");
	cfg_free(cfg);
}

Test(config, extensions_null_is_absent)
{
	struct cfg *cfg = parse_ok(
	    ONE_EP(BASE ",\"jwks_endpoint\":null,\"set_iat\":null,\"ttl\":null,\"nbf_skew\":null"));
	const struct cfg_signer *s = &cfg->endpoints[0].signer;

	cr_assert_null(s->jwks_endpoint);
	cr_assert_eq(s->set_iat, false);
	cr_assert_eq(s->ttl, 0);
	cr_assert_eq(s->set_nbf, false);
	cfg_free(cfg);
}

Test(config, extensions_file)
{
	struct cfg *cfg = NULL;
	struct err e = {0};
	const struct cfg_signer *s;

	cr_assert_eq(cfg_load(TEST_DATA_DIR "/config-sim2-extensions.json", &cfg, &e), 0, "%s",
		     e.msg);
	s = &cfg->endpoints[0].signer;
	cr_assert_str_eq(s->keys_to_sign[0], "/data/session/access_token");
	cr_assert_str_eq(s->jwks_endpoint, "/.well-known/jwks.json");
	cr_assert(s->set_iat);
	cr_assert_eq(s->ttl, 3600);
	cr_assert(s->set_nbf);
	cr_assert_eq(s->nbf_skew, 60);
	cfg_free(cfg);
}

/* typ: "JWT" unless non-empty (KrakenD); omit_typ (an extension) drops it. */
Test(config, typ_default_and_omit)
{
	static const struct {
		const char *extra, *want;
	} cases[] = {
	    {"", "JWT"},
	    {",\"typ\":\"\"", "JWT"},
	    {",\"typ\":\"at+jwt\"", "at+jwt"},
	    {",\"omit_typ\":true", ""},
	    {",\"omit_typ\":false,\"typ\":\"\"", "JWT"},
	    {",\"omit_typ\":true,\"typ\":\"\"", ""},
	};
	char doc[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cfg *cfg;

		snprintf(doc, sizeof(doc), ONE_EP(BASE "%s"), cases[i].extra);
		cfg = parse_ok(doc);
		cr_assert_str_eq(cfg->endpoints[0].signer.typ, cases[i].want, "case %zu", i);
		cfg_free(cfg);
	}
	signer_err(ONE_EP(BASE ",\"omit_typ\":true,\"typ\":\"JWT\""), ERR_INVALID, "\"omit_typ\"");
	signer_err(ONE_EP(BASE ",\"omit_typ\":1"), ERR_INVALID, "\"omit_typ\"");
}

/* Setting names match case-insensitively, as Go's encoding/json (and so
 * KrakenD) matches struct fields; namespaces are exact map keys. */
Test(config, names_match_case_insensitively, .init = cr_redirect_stderr)
{
	struct cfg *cfg = parse_ok(
	    "{\"Version\":3,\"EXTRA_CONFIG\":{\"jwtsign\":{\"Max_Header_Size\":4096}},"
	    "\"Endpoints\":[{\"Endpoint\":\"/token\",\"METHOD\":\"post\",\"Timeout\":\"5s\","
	    "\"Backend\":[{\"Host\":[\"http://127.0.0.1:8080\"],\"URL_Pattern\":\"/login\"}],"
	    "\"Extra_Config\":{\"auth/signer\":{\"Alg\":\"HS384\",\"KID\":\"k9\","
	    "\"Keys_To_Sign\":[\"access_token\"],\"JWK_Local_Path\":\"/etc/k.json\","
	    "\"Typ\":\"at+jwt\",\"Full\":true}}}]}");
	const struct cfg_endpoint *e = &cfg->endpoints[0];
	char log[4096];

	cr_assert_eq(cfg->limits.max_header_size, 4096);
	cr_assert_str_eq(e->endpoint, "/token");
	cr_assert_str_eq(e->method, "POST");
	cr_assert_eq(e->timeout_ms, 5000);
	cr_assert_str_eq(e->backend.url_pattern, "/login");
	cr_assert_eq(e->signer.alg, JWS_ALG_HS384);
	cr_assert_str_eq(e->signer.kids[0], "k9");
	cr_assert_str_eq(e->signer.keys_to_sign[0], "access_token");
	cr_assert_str_eq(e->signer.typ, "at+jwt");
	cr_assert(e->signer.full);
	cfg_free(cfg);
	tu_read_stderr(log, sizeof(log));
	cr_assert_null(strstr(log, "unknown setting"), "%s", log);
	/* Two cases of one name are ambiguous (Go would take the last one),
	 * at every level. */
	signer_err(ONE_EP(BASE ",\"ALG\":\"HS512\""), ERR_INVALID, "\"ALG\"");
	parse_err3(DOC("\"Timeout\":\"1s\",\"timeout\":\"2s\",", EP_OBJ("", BACKEND)), ERR_INVALID,
		   "\"timeout\"", "\"Timeout\"", "same setting");
	parse_err3(DOC("", EP_OBJ("\"Method\":\"GET\",\"method\":\"POST\",", BACKEND)), ERR_INVALID,
		   "endpoint \"/token\"", "\"method\"", "same setting");
	parse_err3(DOC("", EP_OBJ("", BACKEND ",\"URL_PATTERN\":\"/x\"")), ERR_INVALID,
		   "backend[0]", "\"URL_PATTERN\"", "same setting");
	/* Namespaces are map keys: "Auth/Signer" is not the signer, and a
	 * likely typo of it is refused. */
	parse_err3("{\"version\":3,\"endpoints\":[{\"endpoint\":\"/token\",\"backend\":[{" BACKEND
		   "}],\"extra_config\":{\"Auth/Signer\":{" BASE "}}}]}",
		   ERR_INVALID, "did you mean \"auth/signer\"", NULL, NULL);
}

/* Both validator namespaces on a signer endpoint: the refresh flow. */
Test(config, validator_on_a_signer_endpoint, .init = cr_redirect_stderr)
{
	static const char *const ns[] = {"auth/validator",
					 "github.com/devopsfaith/krakend-jose/validator"};
	char doc[2048], log[4096];

	for (size_t i = 0; i < 2; i++) {
		struct cfg *cfg;

		snprintf(doc, sizeof(doc),
			 "{\"version\":3,\"endpoints\":[{\"endpoint\":\"/"
			 "refresh\",\"backend\":[{" BACKEND
			 "}],\"extra_config\":{\"%s\":{\"alg\":\"RS256\",\"jwk_local_path\":"
			 "\"/etc/pub.json\"},\"auth/signer\":{" BASE "}}}]}",
			 ns[i]);
		cfg = parse_ok(doc);
		cr_assert_null(cfg->endpoints[0].refused, "%s", ns[i]);
		cr_assert(cfg->endpoints[0].has_signer, "%s", ns[i]);
		cr_assert(cfg->endpoints[0].has_validator, "%s", ns[i]);
		cr_assert_eq(cfg->endpoints[0].validator.nalgs, 1);
		cr_assert_eq(cfg->endpoints[0].validator.algs[0], JWS_ALG_RS256);
		cfg_free(cfg);
	}
	tu_read_stderr(log, sizeof(log));
	cr_assert_null(strstr(log, "not supported"), "%s", log);
}

/* KrakenD's answer manipulation in a backend block (entity.h). */
Test(config, backend_answer_rules, .init = cr_redirect_stderr)
{
	struct cfg *cfg = parse_ok(
	    DOC("", EP_OBJ("", BACKEND ",\"target\":\"data\",\"group\":\"login\","
				       "\"deny\":[\"password_hash\",\"user.ssn\"],\"allow\":[],"
				       "\"mapping\":{\"tok\":\"access_token\",\"b\":\"c\"},"
				       "\"is_collection\":true,\"encoding\":\"JSON\"")));
	const struct entity_rules *r = &cfg->endpoints[0].backend.rules;

	cr_assert_eq(r->decoding, ENTITY_COLLECTION);
	cr_assert_str_eq(r->target, "data");
	cr_assert_str_eq(r->group, "login");
	cr_assert_eq(r->nallow, 0);
	cr_assert_eq(r->ndeny, 2);
	cr_assert_str_eq(r->deny[1], "user.ssn");
	cr_assert_eq(r->nmap, 2);
	cr_assert_str_eq(r->map[0].from, "tok");
	cr_assert_str_eq(r->map[0].to, "access_token");
	cr_assert_str_eq(r->map[1].from, "b");
	cfg_free(cfg);
	cfg = parse_ok(DOC("", EP_OBJ("", BACKEND ",\"encoding\":\"safejson\",\"target\":\"\"")));
	cr_assert_eq(cfg->endpoints[0].backend.rules.decoding, ENTITY_SAFE);
	cr_assert_null(cfg->endpoints[0].backend.rules.target);
	cr_assert(!entity_rules_active(&cfg->endpoints[0].backend.rules) == false);
	cfg_free(cfg);
	cfg = parse_ok(ONE_EP(BASE));
	cr_assert(!entity_rules_active(&cfg->endpoints[0].backend.rules));
	cfg_free(cfg);
	parse_err3(DOC("", EP_OBJ("", BACKEND ",\"encoding\":\"no-op\"")), ERR_UNSUPPORTED,
		   "backend[0]", "\"encoding\"", "cannot be signed");
	parse_err3(DOC("", EP_OBJ("", BACKEND ",\"mapping\":{\"a\":1}")), ERR_INVALID, "backend[0]",
		   "\"mapping\"", NULL);
	parse_err3(DOC("", EP_OBJ("", BACKEND ",\"deny\":\"a\"")), ERR_INVALID, "backend[0]",
		   "\"deny\"", NULL);
	parse_err3(DOC("", EP_OBJ("", BACKEND ",\"is_collection\":1")), ERR_INVALID, "backend[0]",
		   "\"is_collection\"", NULL);
}

/* "json_escapes" picks the Go whose \b/\f escapes the output follows. */
Test(config, json_escapes)
{
	struct cfg *cfg = parse_ok(ONE_EP(BASE));

	cr_assert(!cfg->limits.legacy_escapes);
	cfg_free(cfg);
	cfg = parse_ok(DOC("\"extra_config\":{\"jwtsign\":{\"json_escapes\":\"go1.21\"}},",
			   EP_OBJ("", BACKEND)));
	cr_assert(cfg->limits.legacy_escapes);
	cfg_free(cfg);
	cfg = parse_ok(DOC("\"extra_config\":{\"jwtsign\":{\"json_escapes\":\"go1.22\"}},",
			   EP_OBJ("", BACKEND)));
	cr_assert(!cfg->limits.legacy_escapes);
	cfg_free(cfg);
	parse_err3(DOC("\"extra_config\":{\"jwtsign\":{\"json_escapes\":\"go1.20\"}},",
		       EP_OBJ("", BACKEND)),
		   ERR_INVALID, "\"json_escapes\"", "go1.21", NULL);
}

/* KrakenD flexible configuration (templates) is named as such. */
Test(config, flexible_configuration_is_named)
{
	parse_err3("{\"version\":3,\"endpoints\":[{{ template \"eps.tmpl\" . }}]}", ERR_INVALID,
		   "invalid JSON at line 1", "flexible configuration", "FC_OUT");
	parse_err3("{\"version\":3,\n\"endpoints\": [ {{ range .eps }} ]}", ERR_INVALID, "line 2",
		   "krakend check", NULL);
	/* Without "{{", the plain JSON message. */
	parse_err3("{\"version\":3,,}", ERR_INVALID, "invalid JSON at line 1", NULL, NULL);
	{
		struct cfg *cfg = (struct cfg *)1;
		struct err e = {0};

		cfg_parse("{\"version\":3,,}", 15, NAME, &cfg, &e);
		cr_assert_null(strstr(e.msg, "flexible"), "%s", e.msg);
	}
}

/* A fingerprint that is no SHA-256 digest is an error where pinning
 * applies (an https:// jwk_url), a warning where it cannot. */
Test(config, fingerprints_where_pinning_applies, .init = cr_redirect_stderr)
{
#define PINS ",\"jwk_fingerprints\":[\"placeholder\"]"
	struct cfg *cfg;
	char log[4096];

	signer_err(ONE_EP(SIGN_HEAD ",\"jwk_url\":\"https://keys.example/jwks\"" PINS), ERR_INVALID,
		   "\"jwk_fingerprints\"");
	cfg = parse_ok(ONE_EP(SIGN_HEAD ",\"jwk_url\":\"http://127.0.0.1/jwks\","
					"\"disable_jwk_security\":true" PINS));
	cr_assert_eq(cfg->endpoints[0].signer.keys.njwk_fingerprints, 0);
	cfg_free(cfg);
	cfg = parse_ok(ONE_EP(BASE PINS));
	cr_assert_eq(cfg->endpoints[0].signer.keys.njwk_fingerprints, 0);
	cfg_free(cfg);
	tu_read_stderr(log, sizeof(log));
	cr_assert_not_null(
	    strstr(log, "\"jwk_fingerprints\" ignored: the jwk_url is plain http://"), "%s", log);
	cr_assert_not_null(strstr(log, "\"jwk_fingerprints\" ignored: the keys come from "
				       "jwk_local_path"),
			   "%s", log);
#undef PINS
}

/* input_headers / input_query_strings: absent (NULL), [] (present,
 * empty), or a list that may hold "*". */
Test(config, input_headers_and_query_strings)
{
	struct cfg *cfg = parse_ok(DOC(
	    "", EP_OBJ("\"input_headers\":[\"Authorization\",\"*\"],\"input_query_strings\":[],",
		       BACKEND)));
	const struct cfg_endpoint *e = &cfg->endpoints[0];

	cr_assert_eq(e->ninput_headers, 2);
	cr_assert_str_eq(e->input_headers[0], "Authorization");
	cr_assert_str_eq(e->input_headers[1], "*");
	cr_assert_not_null(e->input_query);
	cr_assert_eq(e->ninput_query, 0);
	cfg_free(cfg);
	cfg = parse_ok(ONE_EP(BASE));
	cr_assert_null(cfg->endpoints[0].input_headers);
	cr_assert_null(cfg->endpoints[0].input_query);
	cfg_free(cfg);
	parse_err3(DOC("", EP_OBJ("\"input_headers\":\"Cookie\",", BACKEND)), ERR_INVALID,
		   "endpoint \"/token\"", "\"input_headers\"", NULL);
	parse_err3(DOC("", EP_OBJ("\"input_query_strings\":[1],", BACKEND)), ERR_INVALID,
		   "endpoint \"/token\"", "\"input_query_strings\"", NULL);
}

/* The service's security/cors, with krakend-cors's defaults. */
Test(config, security_cors)
{
	struct cfg *cfg = parse_ok(
	    DOC("\"extra_config\":{\"security/cors\":{\"allow_origins\":[\"https://App.example\"],"
		"\"expose_headers\":[\"x-request-id\",\"etag\"],\"allow_credentials\":true,"
		"\"max_age\":\"12h\",\"allow_headers\":[\"Content-Type\"]}},",
		EP_OBJ("", BACKEND)));
	const struct cors *c = &cfg->cors;

	cr_assert(c->enabled);
	cr_assert_not(c->origins_all);
	cr_assert_str_eq(c->origins[0], "https://app.example");
	cr_assert_str_eq(c->headers[0], "content-type");
	cr_assert_not(c->headers_all);
	cr_assert_str_eq(c->expose, "X-Request-Id, Etag");
	cr_assert(c->credentials);
	cr_assert_eq(c->max_age, 43200);
	cr_assert_eq(c->preflight_status, 204);
	cr_assert_eq(c->nmethods, 3); /* GET, POST, HEAD */
	cfg_free(cfg);
	cfg = parse_ok(DOC("\"extra_config\":{\"security/cors\":{}},", EP_OBJ("", BACKEND)));
	cr_assert(cfg->cors.origins_all && cfg->cors.headers_all);
	cfg_free(cfg);
	cfg = parse_ok(ONE_EP(BASE));
	cr_assert_not(cfg->cors.enabled);
	cfg_free(cfg);
	parse_err3(DOC("\"extra_config\":{\"security/cors\":{\"allow_origins\":\"*\"}},",
		       EP_OBJ("", BACKEND)),
		   ERR_INVALID, "extra_config \"security/cors\"", "\"allow_origins\"", NULL);
	parse_err3(DOC("\"extra_config\":{\"security/cors\":{\"options_success_status\":404}},",
		       EP_OBJ("", BACKEND)),
		   ERR_INVALID, "\"options_success_status\"", NULL, NULL);
}

/* What jwtsign ignores with a consequence, or does not know, is kept as a
 * notice (check-config lists them); harmless KrakenD settings are not. */
Test(config, notices_name_what_is_ignored, .init = cr_redirect_stderr)
{
	struct cfg *cfg =
	    parse_ok(DOC("\"port\":8080,\"name\":\"gw\",\"endpoint_list\":[],\"extra_config\":{"
			 "\"telemetry/logging\":{},\"qos/ratelimit/service\":{},\"my/plugin\":{}},",
			 EP_OBJ("\"concurrent_calls\":3,",
				BACKEND ",\"sd\":\"static\","
					"\"extra_config\":{\"qos/circuit-breaker\":{}}")));
	static const char *const want[] = {
	    "unknown setting \"endpoint_list\" ignored",
	    "extra_config: namespace \"qos/ratelimit/service\" is ignored: the service is not "
	    "rate limited",
	    "extra_config: unknown namespace \"my/plugin\" ignored",
	    "endpoint \"/token\": setting \"concurrent_calls\" is ignored",
	    "endpoint \"/token\": backend[0]: extra_config: namespace \"qos/circuit-breaker\" is "
	    "ignored: no circuit breaker protects the backend",
	};

	cr_assert_eq(cfg->nnotices, 5, "%zu notices", cfg->nnotices);
	for (size_t i = 0; i < 5; i++)
		cr_assert(strncmp(cfg->notices[i], want[i], strlen(want[i])) == 0, "notice %zu: %s",
			  i, cfg->notices[i]);
	cfg_free(cfg);
	cfg = parse_ok(ONE_EP(BASE));
	cr_assert_eq(cfg->nnotices, 0);
	cfg_free(cfg);
}

Test(config, extensions_are_known_settings, .init = cr_redirect_stderr)
{
	struct cfg *cfg = parse_ok(ONE_EP(BASE ",\"jwks_endpoint\":\"/jwks\",\"set_iat\":true,"
					       "\"ttl\":60,\"nbf_skew\":5,\"my_note\":1"));
	char log[4096];

	cfg_free(cfg);
	tu_read_stderr(log, sizeof(log));
	/* Only the unknown one is reported. */
	cr_assert_not_null(strstr(log, "unknown setting \"my_note\" ignored"), "%s", log);
	cr_assert_eq(strstr(strstr(log, "unknown setting") + 1, "unknown setting"), NULL, "%s",
		     log);
}

Test(config, jwks_endpoint_paths_that_do_not_collide)
{
	/* A trailing '/' is another path; a non-signer endpoint is not
	 * served, so its path is free. */
	struct cfg *cfg = parse_ok(
	    DOC("", "{\"endpoint\":\"/token\",\"backend\":[{" BACKEND "}],\"extra_config\":{"
		    "\"auth/signer\":{" BASE ",\"jwks_endpoint\":\"/token/\"}}},"
		    "{\"endpoint\":\"/jwks\",\"backend\":[{" BACKEND "}]},"
		    "{\"endpoint\":\"/other\",\"backend\":[{" BACKEND "}],\"extra_config\":{"
		    "\"auth/signer\":{" BASE ",\"jwks_endpoint\":\"/jwks\"}}}"));

	cr_assert_str_eq(cfg->endpoints[0].signer.jwks_endpoint, "/token/");
	cr_assert_str_eq(cfg->endpoints[1].signer.jwks_endpoint, "/jwks");
	cfg_free(cfg);
}

Test(config, err_keys_to_sign_pointer)
{
	static const char *const bad[] = {"/a~2", "/a~", "/~", "/a~/b", "/ok/x~y"};
	char doc[1024];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(doc, sizeof(doc),
			 ONE_EP("\"alg\":\"HS256\",\"kid\":\"k\",\"keys_to_sign\":[\"a\",\"%s\"],"
				"\"jwk_local_path\":\"/k\""),
			 bad[i]);
		signer_err(doc, ERR_INVALID, "\"keys_to_sign\": element 1");
		parse_err3(doc, ERR_INVALID, "JSON Pointer", "not followed by '0' or '1'", bad[i]);
	}
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k\",\"keys-to-sign\":[\"/x~3\"],"
			  "\"jwk_local_path\":\"/k\""),
		   ERR_INVALID,
		   "\"keys-to-sign\": element 0: \"/x~3\": JSON Pointer: '~' at byte 3");
}

Test(config, err_set_iat)
{
	signer_err(ONE_EP(BASE ",\"set_iat\":\"true\""), ERR_INVALID,
		   "\"set_iat\": expected true or false, got a string");
	signer_err(ONE_EP(BASE ",\"set_iat\":1"), ERR_INVALID, "\"set_iat\"");
	signer_err(ONE_EP(BASE ",\"set_iat\":{}"), ERR_INVALID, "\"set_iat\"");
}

Test(config, err_ttl)
{
	signer_err(ONE_EP(BASE ",\"ttl\":0"), ERR_INVALID, "\"ttl\": must be at least 1 second");
	signer_err(ONE_EP(BASE ",\"ttl\":-1"), ERR_INVALID, "\"ttl\": -1 out of range");
	signer_err(ONE_EP(BASE ",\"ttl\":2147483648"), ERR_INVALID, "\"ttl\"");
	signer_err(ONE_EP(BASE ",\"ttl\":99999999999999999999"), ERR_INVALID, "\"ttl\"");
	signer_err(ONE_EP(BASE ",\"ttl\":1.5"), ERR_INVALID, "\"ttl\": expected an integer");
	signer_err(ONE_EP(BASE ",\"ttl\":3600.0"), ERR_INVALID, "\"ttl\"");
	signer_err(ONE_EP(BASE ",\"ttl\":\"3600\""), ERR_INVALID,
		   "\"ttl\": expected an integer, got a string");
	signer_err(ONE_EP(BASE ",\"ttl\":\"1h\""), ERR_INVALID, "\"ttl\"");
	signer_err(ONE_EP(BASE ",\"ttl\":true"), ERR_INVALID, "\"ttl\"");
}

Test(config, err_nbf_skew)
{
	signer_err(ONE_EP(BASE ",\"nbf_skew\":-1"), ERR_INVALID, "\"nbf_skew\": -1 out of range");
	signer_err(ONE_EP(BASE ",\"nbf_skew\":2147483648"), ERR_INVALID, "\"nbf_skew\"");
	signer_err(ONE_EP(BASE ",\"nbf_skew\":2.0"), ERR_INVALID,
		   "\"nbf_skew\": expected an integer");
	signer_err(ONE_EP(BASE ",\"nbf_skew\":\"30s\""), ERR_INVALID, "\"nbf_skew\"");
	signer_err(ONE_EP(BASE ",\"nbf_skew\":[]"), ERR_INVALID, "\"nbf_skew\"");
}

Test(config, err_jwks_endpoint_value)
{
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":\"\""), ERR_INVALID,
		   "\"jwks_endpoint\": must not be empty");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":1"), ERR_INVALID,
		   "\"jwks_endpoint\": expected a string, got a number");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":[\"/jwks\"]"), ERR_INVALID, "\"jwks_endpoint\"");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":true"), ERR_INVALID, "\"jwks_endpoint\"");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":\"/a b\""), ERR_INVALID,
		   "\"jwks_endpoint\": \"/a b\": character ' ' not allowed");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":\"/jwks?x=1\""), ERR_INVALID,
		   "character '?' not allowed");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":\"/jwks#x\""), ERR_INVALID,
		   "character '#' not allowed");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":\"/a\\u0001\""), ERR_INVALID,
		   "\"jwks_endpoint\"");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":\"/a\\u0000b\""), ERR_INVALID,
		   "\"jwks_endpoint\": contains a NUL character");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":\"/t/{tenant}/jwks\""), ERR_INVALID,
		   "\"jwks_endpoint\": \"/t/{tenant}/jwks\": a fixed path is expected");
	signer_err(ONE_EP(BASE ",\"jwks_endpoint\":\"/jwks}\""), ERR_INVALID,
		   "a fixed path is expected");
}

Test(config, err_jwks_endpoint_served_by_endpoint)
{
	/* The endpoint's own path, whatever its method. */
	endpoint_err(ONE_EP(BASE ",\"jwks_endpoint\":\"/token\""),
		     "\"jwks_endpoint\": \"/token\" is also served by endpoint \"/token\" (POST)");
	endpoint_err(ONE_EP(BASE ",\"jwks_endpoint\":\"token\""),
		     "\"jwks_endpoint\": \"/token\" is also served");
	/* Another endpoint's pattern, with a parameter, later in the file. */
	endpoint_err(DOC("",
			 "{\"endpoint\":\"/token\",\"backend\":[{" BACKEND
			 "}],\"extra_config\":{\"auth/signer\":{" BASE
			 ",\"jwks_endpoint\":\"/t/jwks.json\"}}},"
			 "{\"endpoint\":\"/t/{tenant}\",\"method\":\"POST\",\"backend\":[{" BACKEND
			 "}],\"extra_config\":{\"auth/signer\":{" BASE "}}}"),
		     "\"jwks_endpoint\": \"/t/jwks.json\" is also served by endpoint "
		     "\"/t/{tenant}\" (POST)");
}

Test(config, err_jwks_endpoint_twice)
{
	parse_err3(
	    DOC("", "{\"endpoint\":\"/a\",\"backend\":[{" BACKEND
		    "}],\"extra_config\":{\"auth/signer\":{" BASE ",\"jwks_endpoint\":\"/jwks\"}}},"
		    "{\"endpoint\":\"/token\",\"method\":\"POST\",\"backend\":[{" BACKEND
		    "}],\"extra_config\":{\"auth/signer\":{" BASE ",\"jwks_endpoint\":\"jwks\"}}}"),
	    ERR_INVALID, "endpoint \"/token\": \"jwks_endpoint\"",
	    "\"/jwks\" is already set on endpoint \"/a\" (GET)", "set it on one endpoint only");
}

/* ------------------------------------------------------------ errors: limits */

static void limit_err(const char *block, const char *setting)
{
	char doc[2048];

	snprintf(doc, sizeof(doc), DOC("\"extra_config\":{\"jwtsign\":{%s}},", EP_OBJ("", BACKEND)),
		 block);
	parse_err3(doc, ERR_INVALID, "extra_config \"jwtsign\"", setting, NULL);
}

Test(config, err_limits)
{
	limit_err("\"max_request_body\":0", "\"max_request_body\"");
	limit_err("\"max_request_body\":\"1M\"", "\"max_request_body\"");
	limit_err("\"max_backend_response\":-5", "\"max_backend_response\"");
	limit_err("\"max_json_depth\":0", "\"max_json_depth\"");
	limit_err("\"max_json_depth\":10001", "\"max_json_depth\"");
	limit_err("\"max_json_members\":1.0", "\"max_json_members\"");
	limit_err("\"max_jwk_set_size\":true", "\"max_jwk_set_size\"");
	limit_err("\"max_jwk_keys\":[]", "\"max_jwk_keys\"");
	limit_err("\"max_header_size\":\"64k\"", "\"max_header_size\"");
	limit_err("\"max_header_size\":0", "\"max_header_size\"");
	limit_err("\"connect_timeout\":2", "\"connect_timeout\"");
	limit_err("\"connect_timeout\":\"0\"", "\"connect_timeout\"");
	limit_err("\"jwk_fetch_timeout\":\"5 s\"", "\"jwk_fetch_timeout\"");
	limit_err("\"max_request_bdy\":5", "\"max_request_bdy\": unknown setting");
}

Test(config, err_limits_block_type)
{
	parse_err3(DOC("\"extra_config\":{\"jwtsign\":[]},", EP_OBJ("", BACKEND)), ERR_INVALID,
		   "extra_config \"jwtsign\"", "expected an object", NULL);
}

/* ------------------------------------------------------------ cfg_load */

Test(config, load_missing_file)
{
	struct cfg *cfg = (struct cfg *)1;
	struct err e = {0};
	int rc = cfg_load("/nonexistent/jwtsign.json", &cfg, &e);

	cr_assert_eq(rc, ERR_IO);
	cr_assert_null(cfg);
	cr_assert(strstr(e.msg, "/nonexistent/jwtsign.json"), "%s", e.msg);
	cr_assert(strstr(e.msg, strerror(ENOENT)), "%s", e.msg);
}

Test(config, load_directory)
{
	struct cfg *cfg = NULL;
	struct err e = {0};
	int rc = cfg_load(TEST_DATA_DIR, &cfg, &e);

	cr_assert_eq(rc, ERR_IO, "%s", e.msg);
	cr_assert(strstr(e.msg, strerror(EISDIR)), "%s", e.msg);
}

Test(config, load_too_large)
{
	char path[] = "/tmp/jwtsign-test-config-XXXXXX";
	int fd = mkstemp(path);
	struct cfg *cfg = NULL;
	struct err e = {0};
	static char block[65536];
	int rc;

	cr_assert(fd >= 0);
	memset(block, ' ', sizeof(block));
	for (int i = 0; i < 64; i++)
		cr_assert_eq(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
	cr_assert_eq(write(fd, "{}", 2), 2);
	close(fd);
	rc = cfg_load(path, &cfg, &e);
	unlink(path);
	cr_assert_eq(rc, ERR_LIMIT, "%s", e.msg);
	cr_assert(strstr(e.msg, path), "%s", e.msg);
}

Test(config, load_names_file_in_errors)
{
	char path[] = "/tmp/jwtsign-test-config-XXXXXX";
	int fd = mkstemp(path);
	const char *doc = ONE_EP(BASE ",\"cipher_suites\":[1]");
	struct cfg *cfg = NULL;
	struct err e = {0};
	int rc;

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	rc = cfg_load(path, &cfg, &e);
	unlink(path);
	cr_assert_eq(rc, ERR_INVALID);
	cr_assert(strncmp(e.msg, path, strlen(path)) == 0, "%s", e.msg);
}

Test(config, default_path)
{
	const char *p = cfg_default_path();

	cr_assert_not_null(p);
	cr_assert(strlen(p) > 21 && strcmp(p + strlen(p) - 21, "/jwtsign/jwtsign.json") == 0, "%s",
		  p);
}

Test(config, free_null)
{
	cfg_free(NULL);
}

/* ------------------------------------------------------------ validator */

/* A protected endpoint (no signer, no backend); VALIDATOR is the body of
 * its "auth/validator" block. */
#define VAL_EP(VALIDATOR)                                                                          \
	"{\"version\":3,\"endpoints\":[{\"endpoint\":\"/api/x\",\"extra_config\":{"                \
	"\"auth/validator\":{" VALIDATOR "}}}]}"
#define VBASE "\"alg\":\"RS256\",\"jwk_local_path\":\"/etc/pub.json\""
#define VURL "\"alg\":\"RS256\",\"jwk_url\":\"https://idp.example/jwks\",\"cache\":true"

static void validator_err(const char *doc, int code, const char *setting, const char *why)
{
	parse_err3(doc, code, "endpoint \"/api/x\": extra_config \"auth/validator\"", setting, why);
}

/* The one validator of a file that must parse. */
static struct cfg *val_ok(const char *doc, const struct cfg_validator **v)
{
	struct cfg *cfg = parse_ok(doc);

	cr_assert_eq(cfg->nendpoints, 1);
	cr_assert(cfg->endpoints[0].has_validator);
	*v = &cfg->endpoints[0].validator;
	return cfg;
}

static bool has_notice(const struct cfg *cfg, const char *needle)
{
	for (size_t i = 0; i < cfg->nnotices; i++) {
		if (strstr(cfg->notices[i], needle))
			return true;
	}
	return false;
}

Test(config, validator_defaults)
{
	const struct cfg_validator *v;
	struct cfg *cfg = val_ok(VAL_EP(VBASE), &v);
	const struct cfg_endpoint *e = &cfg->endpoints[0];

	cr_assert_eq(cfg->nsigners, 0);
	cr_assert_eq(cfg->nprotected, 1);
	cr_assert_not(e->has_signer);
	cr_assert_null(e->refused);
	cr_assert_str_eq(e->method, "GET");
	cr_assert_eq(e->backend.nhosts, 0); /* not read: the web server's */
	cr_assert_null(e->backend.url_pattern);
	cr_assert_eq(v->nalgs, 1);
	cr_assert_eq(v->algs[0], JWS_ALG_RS256);
	cr_assert_str_eq(v->keys.jwk_local_path, "/etc/pub.json");
	cr_assert_null(v->keys.jwk_url);
	cr_assert_eq(v->keys.cache_duration, 900);
	cr_assert_eq(v->keys.failed_jwk_key_cooldown, 60);
	cr_assert_eq(v->keys.max_stale, 86400);
	cr_assert_not(v->cache);
	cr_assert_null(v->issuer);
	cr_assert_null(v->audience);
	cr_assert_eq(v->naudience, 0);
	cr_assert_null(v->roles);
	cr_assert_str_eq(v->roles_key, "roles");
	cr_assert_not(v->roles_key_is_nested);
	cr_assert_null(v->scopes);
	cr_assert_null(v->scopes_key);
	cr_assert_not(v->scopes_all);
	cr_assert_eq(v->leeway, 1); /* KrakenD's */
	cr_assert_str_eq(v->auth_header_name, "Authorization");
	cr_assert_null(v->cookie_key); /* no cookie unless configured */
	cr_assert_eq(v->npropagate, 0);
	cr_assert_eq(v->kid_strategy, CFG_KID_KID);
	cr_assert_not(v->operation_debug);
	cr_assert(v->require_exp);
	cr_assert_eq(cfg->nnotices, 0, "%s", cfg->nnotices ? cfg->notices[0] : "");
	cfg_free(cfg);
	/* KrakenD's zero values mean the defaults too */
	cfg =
	    val_ok(VAL_EP(VBASE ",\"issuer\":\"\",\"roles_key\":\"\",\"leeway\":\"\","
				"\"auth_header_name\":\"\",\"cookie_key\":\"\",\"scopes_matcher\":"
				"\"\",\"key_identify_strategy\":\"\",\"audience\":[],\"roles\":[],"
				"\"scopes\":[],\"propagate_claims\":[],\"cache_duration\":0"),
		   &v);
	cr_assert_null(v->issuer);
	cr_assert_str_eq(v->roles_key, "roles");
	cr_assert_eq(v->leeway, 1);
	cr_assert_str_eq(v->auth_header_name, "Authorization");
	cr_assert_null(v->cookie_key);
	cr_assert_eq(v->naudience + v->nroles + v->nscopes + v->npropagate, 0);
	cr_assert_eq(v->keys.cache_duration, 900);
	cfg_free(cfg);
}

Test(config, validator_every_setting)
{
	const struct cfg_validator *v;
	struct cfg *cfg = val_ok(
	    VAL_EP("\"alg\":[\"ES256\",\"EdDSA\"],\"jwk_url\":\"https://idp.example/jwks\","
		   "\"cache\":true,\"cache_duration\":300,\"failed_jwk_key_cooldown\":\"2m\","
		   "\"max_stale\":60,\"issuer\":\"https://idp.example\","
		   "\"audience\":[\"api\",\"web\"],\"roles\":[\"admin\",\"user\"],"
		   "\"roles_key\":\"realm_access.roles\",\"roles_key_is_nested\":true,"
		   "\"scopes\":[\"read\",\"write\"],\"scopes_key\":\"scope\","
		   "\"scopes_matcher\":\"all\",\"leeway\":\"1m30s\","
		   "\"auth_header_name\":\"x-access-token\",\"cookie_key\":\"TOKEN\","
		   "\"propagate_claims\":[[\"sub\",\"X-User\"],[\"realm_access.roles\","
		   "\"x-roles\"],[\"https://example.com/claims.name\",\"X-Name\"]],"
		   "\"propagate_claims_preserve_array\":false,"
		   "\"key_identify_strategy\":\"x5t#S256\",\"operation_debug\":true,"
		   "\"require_exp\":false"),
	    &v);

	cr_assert_eq(v->nalgs, 2);
	cr_assert_eq(v->algs[0], JWS_ALG_ES256);
	cr_assert_eq(v->algs[1], JWS_ALG_EDDSA);
	cr_assert_str_eq(v->keys.jwk_url, "https://idp.example/jwks");
	cr_assert(v->cache);
	cr_assert_eq(v->keys.cache_duration, 300);
	cr_assert_eq(v->keys.failed_jwk_key_cooldown, 120);
	cr_assert_eq(v->keys.max_stale, 60);
	cr_assert_str_eq(v->issuer, "https://idp.example");
	cr_assert_eq(v->naudience, 2);
	cr_assert_str_eq(v->audience[1], "web");
	cr_assert_eq(v->nroles, 2);
	cr_assert_str_eq(v->roles[0], "admin");
	cr_assert_str_eq(v->roles_key, "realm_access.roles");
	cr_assert(v->roles_key_is_nested);
	cr_assert_eq(v->nscopes, 2);
	cr_assert_str_eq(v->scopes_key, "scope");
	cr_assert(v->scopes_all);
	cr_assert_eq(v->leeway, 90);
	cr_assert_str_eq(v->auth_header_name, "X-Access-Token"); /* Go's canonical form */
	cr_assert_str_eq(v->cookie_key, "TOKEN");
	cr_assert_eq(v->npropagate, 3);
	cr_assert_str_eq(v->propagate[0].claim, "sub");
	cr_assert_str_eq(v->propagate[0].header, "X-User");
	cr_assert_str_eq(v->propagate[1].claim, "realm_access.roles");
	cr_assert_str_eq(v->propagate[1].header, "x-roles"); /* as written */
	cr_assert_str_eq(v->propagate[2].claim, "https://example.com/claims.name");
	cr_assert_eq(v->kid_strategy, CFG_KID_X5T_S256);
	cr_assert(v->operation_debug);
	cr_assert_not(v->require_exp);
	cr_assert_eq(cfg->nnotices, 0, "%s", cfg->nnotices ? cfg->notices[0] : "");
	cfg_free(cfg);
}

Test(config, validator_values)
{
	static const struct {
		const char *json;
		enum cfg_kid_strategy k;
	} kids[] = {{"kid", CFG_KID_KID},
		    {"x5t", CFG_KID_X5T},
		    {"x5t#S256", CFG_KID_X5T_S256},
		    {"kid_x5t", CFG_KID_KID_X5T}};
	static const struct {
		const char *json;
		unsigned s;
	} leeways[] = {{"0", 0},     {"0s", 0},	  {"1500ms", 1},
		       {"999ms", 0}, {"2m", 120}, {"24h", 86400}};
	static const struct {
		const char *json;
		unsigned s;
	} cooldowns[] = {{"30", 30}, {"0", 0}, {"\"0\"", 0}, {"\"500ms\"", 0}, {"\"1h\"", 3600}};
	const struct cfg_validator *v;
	char doc[1024];
	struct cfg *cfg;

	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++) {
		snprintf(doc, sizeof(doc), VAL_EP(VBASE ",\"key_identify_strategy\":\"%s\""),
			 kids[i].json);
		cfg = val_ok(doc, &v);
		cr_assert_eq(v->kid_strategy, kids[i].k, "%s", kids[i].json);
		cfg_free(cfg);
	}
	for (size_t i = 0; i < sizeof(leeways) / sizeof(leeways[0]); i++) {
		snprintf(doc, sizeof(doc), VAL_EP(VBASE ",\"leeway\":\"%s\""), leeways[i].json);
		cfg = val_ok(doc, &v);
		cr_assert_eq(v->leeway, leeways[i].s, "%s", leeways[i].json);
		cfg_free(cfg);
	}
	for (size_t i = 0; i < sizeof(cooldowns) / sizeof(cooldowns[0]); i++) {
		snprintf(doc, sizeof(doc), VAL_EP(VBASE ",\"failed_jwk_key_cooldown\":%s"),
			 cooldowns[i].json);
		cfg = val_ok(doc, &v);
		cr_assert_eq(v->keys.failed_jwk_key_cooldown, cooldowns[i].s, "%s",
			     cooldowns[i].json);
		cfg_free(cfg);
	}
	cfg = val_ok(VAL_EP(VBASE ",\"scopes\":[\"a\"],\"scopes_key\":\"data.scopes\","
				  "\"scopes_matcher\":\"any\""),
		     &v);
	cr_assert_not(v->scopes_all);
	cfg_free(cfg);
	/* the old namespace; KrakenD's key names in any ASCII case, as Go */
	cfg = val_ok("{\"version\":3,\"endpoints\":[{\"endpoint\":\"/api/x\",\"method\":\"post\","
		     "\"extra_config\":{\"github.com/devopsfaith/krakend-jose/validator\":{"
		     "\"Alg\":\"HS256\",\"JWK_LOCAL_PATH\":\"/k.json\",\"Issuer\":\"i\"}}}]}",
		     &v);
	cr_assert_str_eq(cfg->endpoints[0].method, "POST");
	cr_assert_eq(v->algs[0], JWS_ALG_HS256);
	cr_assert_str_eq(v->issuer, "i");
	cfg_free(cfg);
}

Test(config, validator_notices)
{
	const struct cfg_validator *v;
	struct cfg *cfg;

	/* KrakenD would download the set for every token without "cache" */
	cfg = val_ok(VAL_EP("\"alg\":\"RS256\",\"jwk_url\":\"https://idp.example/jwks\""), &v);
	cr_assert(has_notice(cfg, "\"cache\" is not true, yet the JWK Set is kept 900 s"));
	cfg_free(cfg);
	cfg = val_ok(VAL_EP(VURL ",\"propagate_claims\":[[\"sub\",\"X-User\"]],"
				 "\"propagate_claims_preserve_array\":true"),
		     &v);
	cr_assert(has_notice(cfg, "\"propagate_claims_preserve_array\" is ignored"));
	cr_assert(has_notice(cfg, "endpoint \"/api/x\": extra_config \"auth/validator\": "));
	cr_assert_eq(cfg->nnotices, 1);
	cfg_free(cfg);
	/* an unknown name in a validator is an error, not a notice: a misspelt
	 * "audience" or "roles" would let tokens through */
	validator_err(VAL_EP(VURL ",\"rols\":[\"a\"]"), ERR_INVALID, "\"rols\"",
		      "unknown setting (did you mean \"roles\"?)");
	validator_err(VAL_EP(VURL ",\"audiance\":[\"a\"]"), ERR_INVALID, "\"audiance\"",
		      "did you mean \"audience\"?");
	validator_err(VAL_EP(VURL ",\"shared_cache_duration\":60"), ERR_INVALID,
		      "\"shared_cache_duration\"", "unknown setting");
	/* the pins notice, as for a signer */
	cfg = val_ok(VAL_EP(VBASE ",\"jwk_fingerprints\":[\"x\"]"), &v);
	cr_assert(has_notice(cfg, "\"jwk_fingerprints\" ignored: the keys come from "
				  "jwk_local_path"));
	cfg_free(cfg);
	/* the service-level block (shared_cache_duration) is named */
	cfg = parse_ok("{\"version\":3,\"extra_config\":{\"auth/validator\":{"
		       "\"shared_cache_duration\":60}},\"endpoints\":[{\"endpoint\":\"/api/x\","
		       "\"extra_config\":{\"auth/validator\":{" VBASE "}}}]}");
	cr_assert(has_notice(cfg, "namespace \"auth/validator\" is ignored: each validator "
				  "keeps its keys for its own cache_duration"));
	cfg_free(cfg);
}

Test(config, validator_refusals)
{
	validator_err(VAL_EP("\"jwk_local_path\":\"/k\""), ERR_INVALID, "\"alg\"", "missing");
	validator_err(VAL_EP("\"alg\":\"none\",\"jwk_local_path\":\"/k\""), ERR_UNSUPPORTED,
		      "\"alg\"", "\"none\" is never accepted");
	validator_err(VAL_EP("\"alg\":[\"RS256\",\"None\"],\"jwk_local_path\":\"/k\""),
		      ERR_UNSUPPORTED, "element 1: \"None\" is never accepted", NULL);
	validator_err(VAL_EP("\"alg\":\"HS257\",\"jwk_local_path\":\"/k\""), ERR_UNSUPPORTED,
		      "\"alg\"", "unsupported value \"HS257\"");
	validator_err(VAL_EP("\"alg\":\"rs256\",\"jwk_local_path\":\"/k\""), ERR_UNSUPPORTED,
		      "\"alg\"", "unsupported value");
	validator_err(VAL_EP("\"alg\":[],\"jwk_local_path\":\"/k\""), ERR_INVALID, "\"alg\"",
		      "empty array");
	validator_err(VAL_EP("\"alg\":[256],\"jwk_local_path\":\"/k\""), ERR_INVALID, "\"alg\"",
		      "element 0: expected a string");
	validator_err(VAL_EP("\"alg\":256,\"jwk_local_path\":\"/k\""), ERR_INVALID, "\"alg\"",
		      "expected a string");
	validator_err(VAL_EP("\"alg\":[\"RS256\",\"RS256\"],\"jwk_local_path\":\"/k\""),
		      ERR_INVALID, "\"alg\"", "listed twice");
	/* the key source, read as for a signer */
	validator_err(VAL_EP("\"alg\":\"RS256\""), ERR_INVALID, "\"jwk_url\"", "missing");
	validator_err(VAL_EP("\"alg\":\"RS256\",\"jwk_url\":\"http://idp/jwks\""), ERR_INVALID,
		      "\"jwk_url\"", "disable_jwk_security");
	validator_err(VAL_EP(VBASE ",\"jwk_url\":\"https://idp/jwks\""), ERR_INVALID, "conflicts",
		      NULL);
	validator_err(VAL_EP(VBASE ",\"cipher_suites\":[1]"), ERR_INVALID, "\"cipher_suites\"",
		      "unknown cipher suite");
	validator_err(VAL_EP(VBASE ",\"cache_duration\":\"15m\""), ERR_INVALID,
		      "\"cache_duration\"", NULL);
	validator_err(VAL_EP(VBASE ",\"failed_jwk_key_cooldown\":\"1x\""), ERR_INVALID,
		      "\"failed_jwk_key_cooldown\"", "Go duration");
	validator_err(VAL_EP(VBASE ",\"failed_jwk_key_cooldown\":-1"), ERR_INVALID,
		      "\"failed_jwk_key_cooldown\"", NULL);
	validator_err(VAL_EP(VBASE ",\"secret_url\":\"base64key://x\""), ERR_UNSUPPORTED,
		      "\"secret_url\"", "encrypted JWK files");
	validator_err(VAL_EP(VBASE ",\"cypher_key\":\"AAAA\""), ERR_UNSUPPORTED, "\"cypher_key\"",
		      NULL);
	/* types */
	validator_err(VAL_EP(VBASE ",\"cache\":\"true\""), ERR_INVALID, "\"cache\"", NULL);
	validator_err(VAL_EP(VBASE ",\"issuer\":5"), ERR_INVALID, "\"issuer\"", NULL);
	validator_err(VAL_EP(VBASE ",\"audience\":\"api\""), ERR_INVALID, "\"audience\"",
		      "expected an array of strings");
	validator_err(VAL_EP(VBASE ",\"audience\":[\"\"]"), ERR_INVALID, "\"audience\"",
		      "non-empty");
	validator_err(VAL_EP(VBASE ",\"roles\":[1]"), ERR_INVALID, "\"roles\"", NULL);
	validator_err(VAL_EP(VBASE ",\"roles_key_is_nested\":\"yes\""), ERR_INVALID,
		      "\"roles_key_is_nested\"", NULL);
	validator_err(VAL_EP(VBASE ",\"roles_key\":\"a..b\",\"roles_key_is_nested\":true"),
		      ERR_INVALID, "\"roles_key\"", "empty part");
	validator_err(VAL_EP(VBASE ",\"operation_debug\":1"), ERR_INVALID, "\"operation_debug\"",
		      NULL);
	validator_err(VAL_EP(VBASE ",\"require_exp\":\"false\""), ERR_INVALID, "\"require_exp\"",
		      NULL);
	/* scopes: KrakenD would check nothing without scopes_key */
	validator_err(VAL_EP(VBASE ",\"scopes\":[\"read\"]"), ERR_INVALID, "\"scopes_key\"",
		      "no scope would be checked");
	validator_err(VAL_EP(VBASE ",\"scopes\":[\"r\"],\"scopes_key\":\"s.\""), ERR_INVALID,
		      "\"scopes_key\"", "empty part");
	validator_err(VAL_EP(VBASE ",\"scopes_matcher\":\"ALL\""), ERR_INVALID,
		      "\"scopes_matcher\"", "expected \"any\" (the default) or \"all\"");
	validator_err(VAL_EP(VBASE ",\"scopes_matcher\":true"), ERR_INVALID, "\"scopes_matcher\"",
		      NULL);
	/* leeway: KrakenD's type is a Go duration string */
	validator_err(VAL_EP(VBASE ",\"leeway\":30"), ERR_INVALID, "\"leeway\"",
		      "expected a Go duration string");
	validator_err(VAL_EP(VBASE ",\"leeway\":\"-1s\""), ERR_INVALID, "\"leeway\"", NULL);
	validator_err(VAL_EP(VBASE ",\"leeway\":\"30\""), ERR_INVALID, "\"leeway\"", NULL);
	validator_err(VAL_EP(VBASE ",\"leeway\":\"25h\""), ERR_INVALID, "\"leeway\"", NULL);
	/* where the token is */
	validator_err(VAL_EP(VBASE ",\"auth_header_name\":\"X Token\""), ERR_INVALID,
		      "\"auth_header_name\"", "not an HTTP header name");
	validator_err(VAL_EP(VBASE ",\"auth_header_name\":\"X:\""), ERR_INVALID,
		      "\"auth_header_name\"", NULL);
	validator_err(VAL_EP(VBASE ",\"cookie_key\":\"a;b\""), ERR_INVALID, "\"cookie_key\"",
		      "not a cookie name");
	/* propagate_claims */
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":\"sub\""), ERR_INVALID,
		      "\"propagate_claims\"", "expected an array of [\"claim\", \"Header\"] pairs");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[[\"sub\"]]"), ERR_INVALID,
		      "\"propagate_claims\"", "element 0: expected a pair");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[[\"a\",\"X\",\"Y\"]]"), ERR_INVALID,
		      "\"propagate_claims\"", "expected a pair");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[\"sub\"]"), ERR_INVALID,
		      "\"propagate_claims\"", "expected a pair");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[[\"sub\",1]]"), ERR_INVALID,
		      "\"propagate_claims\"", "expected two strings, got a number");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[[\"\",\"X\"]]"), ERR_INVALID,
		      "\"propagate_claims\"", "element 0: claim \"\"");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[[\"a..b\",\"X\"]]"), ERR_INVALID,
		      "\"propagate_claims\"", "dot path");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[[\"sub\",\"X User\"]]"), ERR_INVALID,
		      "\"propagate_claims\"", "not an HTTP header name");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[[\"sub\",\"\"]]"), ERR_INVALID,
		      "\"propagate_claims\"", "not an HTTP header name");
	validator_err(VAL_EP(VBASE ",\"propagate_claims\":[[\"sub\",\"X-U\"],[\"a\",\"x-u\"]]"),
		      ERR_INVALID, "element 1: header \"x-u\" is already set by element 0", NULL);
	validator_err(VAL_EP(VBASE ",\"propagate_claims_preserve_array\":1"), ERR_INVALID,
		      "\"propagate_claims_preserve_array\"", NULL);
	validator_err(VAL_EP(VBASE ",\"key_identify_strategy\":\"jku\""), ERR_INVALID,
		      "\"key_identify_strategy\"", "expected \"kid\" (the default)");
	validator_err(VAL_EP(VBASE ",\"key_identify_strategy\":1"), ERR_INVALID,
		      "\"key_identify_strategy\"", NULL);
	/* the block itself */
	parse_err3("{\"endpoints\":[{\"endpoint\":\"/api/x\",\"extra_config\":{"
		   "\"auth/validator\":[]}}]}",
		   ERR_INVALID, "extra_config \"auth/validator\"", "expected an object", NULL);
	parse_err3("{\"endpoints\":[{\"endpoint\":\"/api/x\",\"extra_config\":{"
		   "\"auth/validator\":{" VBASE
		   "},\"github.com/devopsfaith/krakend-jose/validator\":"
		   "{\"alg\":\"HS256\",\"jwk_local_path\":\"/k\"}}}]}",
		   ERR_INVALID, "both \"auth/validator\" and", "different content", NULL);
	validator_err(VAL_EP(VBASE ",\"Issuer\":\"a\",\"issuer\":\"b\""), ERR_INVALID,
		      "same setting", NULL);
}

/* Protected endpoints: loaded without a backend, routes unique. */
Test(config, validator_endpoints)
{
#define PROT(PATH, METHOD)                                                                         \
	"{\"endpoint\":\"" PATH "\",\"method\":\"" METHOD "\",\"extra_config\":{"                  \
	"\"auth/validator\":{" VBASE "}}}"
	struct cfg *cfg;

	/* a backend jwtsign would refuse is the web server's business here */
	cfg = parse_ok(DOC("", "{\"endpoint\":\"/api/{id}\",\"backend\":[{\"url_pattern\":"
			       "\"/x/{nope}\"},{}],\"extra_config\":{\"auth/validator\":{" VBASE
			       "}}}"));
	cr_assert_eq(cfg->nprotected, 1);
	cr_assert_eq(cfg->endpoints[0].backend.nhosts, 0);
	cfg_free(cfg);
	/* same path, other methods; and next to a signer */
	cfg = parse_ok(DOC(
	    "", PROT("/api/{id}", "GET") "," PROT("/api/{id}", "DELETE") "," EP_OBJ("", BACKEND)));
	cr_assert_eq(cfg->nendpoints, 3);
	cr_assert_eq(cfg->nsigners, 1);
	cr_assert_eq(cfg->nprotected, 2);
	cfg_free(cfg);
	/* the same route twice: an error, as for signers */
	parse_err3(DOC("", PROT("/api/{id}", "GET") "," PROT("/api/{name}", "GET")), ERR_INVALID,
		   "endpoint \"/api/{name}\"",
		   "same route as an earlier protected endpoint (\"/api/{id}\" GET)", NULL);
	parse_err3(DOC("", EP_OBJ("", BACKEND) "," PROT("/token", "GET")), ERR_INVALID,
		   "same route as an earlier signer endpoint (\"/token\" GET)", NULL, NULL);
	/* an endpoint with neither block is still skipped; none at all */
	parse_err3(DOC("", "{\"endpoint\":\"/x\"}"), ERR_INVALID, "nothing to serve",
		   "\"auth/signer\" or \"auth/validator\"", NULL);
	/* a signer's jwks_endpoint may be a protected path (the web server
	 * routes it) */
	cfg =
	    parse_ok(DOC("", PROT("/jwks", "GET") ",{\"endpoint\":\"/token\",\"backend\":[{" BACKEND
						  "}],\"extra_config\":{\"auth/signer\":{" BASE
						  ",\"jwks_endpoint\":\"/jwks\"}}}"));
	cfg_free(cfg);
#undef PROT
}

/* Signer and validator on one endpoint (the refresh flow): both read,
 * the endpoint served. */
Test(config, refresh_flow_endpoint, .init = cr_redirect_stderr)
{
	struct cfg *cfg = parse_ok(
	    DOC("", "{\"endpoint\":\"/refresh\",\"method\":\"POST\",\"backend\":[{" BACKEND
		    "}],\"extra_config\":{\"auth/signer\":{" BASE "},\"auth/validator\":{" VBASE
		    ",\"propagate_claims\":[[\"sub\",\"X-User\"]]}}}"));
	const struct cfg_endpoint *e = &cfg->endpoints[0];

	cr_assert(e->has_signer && e->has_validator);
	cr_assert_eq(cfg->nsigners, 1);
	cr_assert_eq(cfg->nprotected, 0);
	cr_assert_str_eq(e->validator.propagate[0].header, "X-User");
	cr_assert_str_eq(e->signer.keys.jwk_local_path, "/etc/keys.json");
	cr_assert_str_eq(e->validator.keys.jwk_local_path, "/etc/pub.json");
	cr_assert_null(e->refused);
	cfg_free(cfg);
	/* its validator is checked like any other */
	parse_err3(DOC("", "{\"endpoint\":\"/refresh\",\"backend\":[{" BACKEND
			   "}],\"extra_config\":{\"auth/signer\":{" BASE
			   "},\"auth/validator\":{\"alg\":\"none\",\"jwk_local_path\":\"/k\"}}}"),
		   ERR_UNSUPPORTED, "endpoint \"/refresh\": extra_config \"auth/validator\"",
		   "\"none\" is never accepted", NULL);
}

/* "log", "log_timestamp", "health_endpoint": the service settings of the
 * "jwtsign" block. */
#define JW(X) DOC("\"extra_config\":{\"jwtsign\":{" X "}},", EP_OBJ("", BACKEND))

Test(config, service_settings_default)
{
	struct cfg *cfg = parse_ok(ONE_EP(BASE));

	cr_assert_null(cfg->limits.log);
	cr_assert_eq(cfg->limits.log_timestamp, -1);
	cr_assert_null(cfg->limits.health_endpoint);
	cr_assert_null(cfg->limits.metrics_endpoint);
	cr_assert_not(cfg->limits.log_client);
	cr_assert_not(cfg->limits.log_request_id);
	cfg_free(cfg);
}

Test(config, service_settings)
{
	struct cfg *cfg =
	    parse_ok(JW("\"log\":\"syslog:local3\",\"log_timestamp\":true,"
			"\"health_endpoint\":\"healthz\",\"metrics_endpoint\":\"metrics\""));

	cr_assert_str_eq(cfg->limits.log, "syslog:local3");
	cr_assert_eq(cfg->limits.log_timestamp, 1);
	cr_assert_str_eq(cfg->limits.health_endpoint, "/healthz");
	cr_assert_str_eq(cfg->limits.metrics_endpoint, "/metrics");
	cfg_free(cfg);
	cfg = parse_ok(JW("\"log\":\"/var/log/jwtsign/jwtsign.log\",\"log_timestamp\":false"));
	cr_assert_str_eq(cfg->limits.log, "/var/log/jwtsign/jwtsign.log");
	cr_assert_eq(cfg->limits.log_timestamp, 0);
	cfg_free(cfg);
	cfg = parse_ok(JW("\"log_client\":true,\"log_request_id\":true"));
	cr_assert(cfg->limits.log_client);
	cr_assert(cfg->limits.log_request_id);
	cfg_free(cfg);
}

Test(config, service_settings_refused)
{
	parse_err3(JW("\"log\":\"relative.log\""), ERR_INVALID, "\"log\"", "absolute", NULL);
	parse_err3(JW("\"log\":\"syslog:nope\""), ERR_INVALID, "\"log\"", "facility", NULL);
	parse_err3(JW("\"log\":\"\""), ERR_INVALID, "\"log\"", NULL, NULL);
	parse_err3(JW("\"log_timestamp\":\"yes\""), ERR_INVALID, "log_timestamp", NULL, NULL);
	parse_err3(JW("\"log_client\":1"), ERR_INVALID, "log_client", NULL, NULL);
	parse_err3(JW("\"log_request_id\":\"on\""), ERR_INVALID, "log_request_id", NULL, NULL);
	parse_err3(JW("\"log_requestid\":true"), ERR_INVALID, "did you mean", "log_request_id",
		   NULL);
	parse_err3(JW("\"health_endpoint\":\"/token\""), ERR_INVALID, "health_endpoint",
		   "also served", NULL);
	parse_err3(JW("\"health_endpoint\":\"/h/{x}\""), ERR_INVALID, "health_endpoint", "fixed",
		   NULL);
	parse_err3(JW("\"helth_endpoint\":\"/h\""), ERR_INVALID, "did you mean", "health_endpoint",
		   NULL);
	parse_err3(JW("\"metrics_endpoint\":\"/token\""), ERR_INVALID, "metrics_endpoint",
		   "also served", NULL);
	parse_err3(JW("\"metrics_endpoint\":\"/m/{x}\""), ERR_INVALID, "metrics_endpoint", "fixed",
		   NULL);
	parse_err3(JW("\"metrics_endpoint\":\"/h\",\"health_endpoint\":\"/h\""), ERR_INVALID,
		   "metrics_endpoint", "health_endpoint", NULL);
}

/* ------------------------------------------------ rate limits */

/* An endpoint with more extra_config namespaces after the signer. */
#define EP_NS(NS)                                                                                  \
	DOC("", "{\"endpoint\":\"/token/{tenant}\",\"backend\":[{" BACKEND "}],"                   \
		"\"extra_config\":{\"auth/signer\":{" BASE "}," NS "}}")
#define RL(BODY) EP_NS("\"qos/ratelimit/router\":{" BODY "}")
#define TH(BODY) EP_NS("\"jwtsign\":{\"failed_login\":{" BODY "}}")

Test(config, ratelimit_krakend_defaults)
{
	struct cfg *cfg = parse_ok(DOC("", EP_OBJ("", BACKEND)));
	const struct cfg_endpoint *e = &cfg->endpoints[0];

	cr_assert_not(e->has_ratelimit);
	cr_assert_eq(e->throttle.max_failures, 0, "the throttle is off by default");
	cfg_free(cfg);
	/* 50 per 10 minutes: one token per 12 s; capacity defaults to the
	 * rate per second, at least 1. */
	cfg = parse_ok(RL("\"max_rate\":50,\"client_max_rate\":5,\"every\":\"10m\","
			  "\"strategy\":\"ip\""));
	e = &cfg->endpoints[0];
	cr_assert(e->has_ratelimit);
	cr_assert_eq(e->ratelimit.interval_us, 12000000);
	cr_assert_eq(e->ratelimit.capacity, 1);
	cr_assert_eq(e->ratelimit.client_interval_us, 120000000);
	cr_assert_eq(e->ratelimit.client_capacity, 1);
	cr_assert_eq(e->ratelimit.strategy, CFG_RL_IP);
	cr_assert_null(e->ratelimit.key);
	cfg_free(cfg);
	/* every defaults to 1s: 100 per second, capacity 100. */
	cfg = parse_ok(RL("\"max_rate\":100,\"client_max_rate\":2.5,\"client_capacity\":7,"
			  "\"strategy\":\"header\",\"key\":\"X-Api-Key\""));
	e = &cfg->endpoints[0];
	cr_assert_eq(e->ratelimit.interval_us, 10000);
	cr_assert_eq(e->ratelimit.capacity, 100);
	cr_assert_eq(e->ratelimit.client_interval_us, 400000);
	cr_assert_eq(e->ratelimit.client_capacity, 7);
	cr_assert_str_eq(e->ratelimit.key, "X-Api-Key");
	cfg_free(cfg);
	cfg = parse_ok(RL("\"client_max_rate\":1,\"strategy\":\"param\",\"key\":\"tenant\""));
	cr_assert_eq(cfg->endpoints[0].ratelimit.strategy, CFG_RL_PARAM);
	cfg_free(cfg);
}

Test(config, ratelimit_notices, .init = cr_redirect_stderr)
{
	struct cfg *cfg = parse_ok(RL("\"client_max_rate\":5,\"every\":\"100ms\""));

	cr_assert(has_notice(cfg, "without \"strategy\" is not applied"));
	cr_assert(has_notice(cfg, "below 1s counts as 1s"));
	cr_assert_eq(cfg->endpoints[0].ratelimit.client_interval_us, 0);
	cfg_free(cfg);
}

Test(config, ratelimit_refusals)
{
	parse_err3(RL("\"max_rate\":-1"), ERR_INVALID, "qos/ratelimit/router", "max_rate", NULL);
	parse_err3(RL("\"max_rate\":\"10\""), ERR_INVALID, "max_rate", "expected a number", NULL);
	parse_err3(RL("\"capacity\":1.5"), ERR_INVALID, "capacity", NULL, NULL);
	parse_err3(RL("\"every\":\"soon\""), ERR_INVALID, "every", NULL, NULL);
	parse_err3(RL("\"client_max_rate\":1,\"strategy\":\"cookie\""), ERR_INVALID, "strategy",
		   "cookie", NULL);
	parse_err3(RL("\"client_max_rate\":1,\"strategy\":\"header\""), ERR_INVALID, "key",
		   "required", NULL);
	parse_err3(RL("\"client_max_rate\":1,\"strategy\":\"param\",\"key\":\"user\""), ERR_INVALID,
		   "key", "no such {parameter}", NULL);
	parse_err3(RL("\"client_max_rate\":1,\"strategy\":\"ip\",\"key\":\"X Forwarded\""),
		   ERR_INVALID, "key", "not a header name", NULL);
	parse_err3(RL("\"max_rate\":0.0001,\"every\":\"24h\",\"capacity\":1000000000"), ERR_INVALID,
		   "max_rate", "cannot hold", NULL);
	parse_err3(EP_NS("\"qos/ratelimit/router\":[]"), ERR_INVALID, "qos/ratelimit/router",
		   "expected an object", NULL);
}

Test(config, throttle_defaults_and_values)
{
	struct cfg *cfg = parse_ok(TH("\"max_failures\":3"));
	const struct cfg_login_throttle *t = &cfg->endpoints[0].throttle;

	cr_assert_eq(t->max_failures, 3);
	cr_assert_eq(t->window_ms, 15 * 60 * 1000);
	cr_assert_eq(t->client_max_failures, 30);
	cr_assert_eq(t->nstatuses, 2);
	cr_assert_eq(t->statuses[0], 401);
	cr_assert_eq(t->statuses[1], 403);
	cr_assert_null(t->username);
	cfg_free(cfg);
	cfg = parse_ok(TH("\"max_failures\":1000,\"window\":\"1h\",\"username\":\"/login/user\","
			  "\"failure_statuses\":[400],\"client_max_failures\":0"));
	t = &cfg->endpoints[0].throttle;
	cr_assert_eq(t->window_ms, 3600000);
	cr_assert_str_eq(t->username, "/login/user");
	cr_assert_eq(t->nstatuses, 1);
	cr_assert_eq(t->statuses[0], 400);
	cr_assert_eq(t->client_max_failures, 0);
	cfg_free(cfg);
	cfg = parse_ok(TH("\"max_failures\":1000"));
	cr_assert_eq(cfg->endpoints[0].throttle.client_max_failures, 4095, "capped");
	cfg_free(cfg);
}

Test(config, throttle_refusals)
{
	parse_err3(TH(""), ERR_INVALID, "max_failures", "missing", NULL);
	parse_err3(TH("\"max_failures\":0"), ERR_INVALID, "max_failures", NULL, NULL);
	parse_err3(TH("\"max_failures\":4096"), ERR_INVALID, "max_failures", NULL, NULL);
	parse_err3(TH("\"max_failures\":3,\"username\":\"user\""), ERR_INVALID, "username",
		   "JSON Pointer", NULL);
	parse_err3(TH("\"max_failures\":3,\"username\":\"/a~2\""), ERR_INVALID, "username", "'~'",
		   NULL);
	parse_err3(TH("\"max_failures\":3,\"failure_statuses\":[200]"), ERR_INVALID,
		   "failure_statuses", NULL, NULL);
	parse_err3(TH("\"max_failures\":3,\"failure_statuses\":[]"), ERR_INVALID,
		   "failure_statuses", NULL, NULL);
	parse_err3(TH("\"max_failures\":3,\"window\":\"0s\""), ERR_INVALID, "window", NULL, NULL);
	parse_err3(TH("\"max_failures\":3,\"max_failure\":3"), ERR_INVALID, "max_failure", NULL,
		   NULL);
	parse_err3(EP_NS("\"jwtsign\":{\"failed_logins\":{}}"), ERR_INVALID, "failed_logins",
		   "did you mean", NULL);
}

/* A likely typo of the signer or validator namespace on an endpoint that
 * has neither is refused: the location would be unprotected (or denied)
 * in silence.  A plain KrakenD endpoint's namespaces are not ours. */
Test(config, near_miss_namespace_is_refused, .init = cr_redirect_stderr)
{
	struct cfg *cfg;

	parse_err3(
	    DOC("", "{\"endpoint\":\"/api/{id}\",\"extra_config\":{\"auth/validater\":{}}}," EP_OBJ(
			"", BACKEND)),
	    ERR_INVALID, "unknown namespace \"auth/validater\" (did you mean \"auth/validator\"?)",
	    "neither served nor protected", NULL);
	parse_err3(
	    DOC("", "{\"endpoint\":\"/api/{id}\",\"extra_config\":{\"Auth/Validator\":{}}}," EP_OBJ(
			"", BACKEND)),
	    ERR_INVALID, "did you mean \"auth/validator\"", NULL, NULL);
	cfg = parse_ok(DOC(
	    "", "{\"endpoint\":\"/other\",\"extra_config\":{\"qos/ratelimit/router\":{}}}," EP_OBJ(
		    "", BACKEND)));
	cr_assert_eq(cfg->nnotices, 0, "a plain KrakenD endpoint's namespaces are not ours");
	cfg_free(cfg);
}

/* A likely typo of a name jwtsign honours is refused, at every level:
 * ignoring it would drop a validator, a rate limit, a signer setting or
 * the endpoints in silence (a refresh endpoint would sign without
 * checking the token). */
Test(config, typo_of_an_honoured_name_is_refused, .init = cr_redirect_stderr)
{
	parse_err3(DOC("\"endpionts\":[],", EP_OBJ("", BACKEND)), ERR_INVALID, "\"endpionts\"",
		   "did you mean \"endpoints\"", NULL);
	parse_err3(ONE_EP(BASE ",\"tttl\":1"), ERR_INVALID, "\"tttl\"", "did you mean \"ttl\"",
		   NULL);
	parse_err3(EP_NS("\"auth/validatr\":{}"), ERR_INVALID, "\"auth/validatr\"",
		   "did you mean \"auth/validator\"", NULL);
	parse_err3(EP_NS("\"Auth/Validator\":{}"), ERR_INVALID, "\"Auth/Validator\"",
		   "did you mean \"auth/validator\"", NULL);
	parse_err3(EP_NS("\"github.com/devopsfaith/krakend-jose/validatr\":{}"), ERR_INVALID,
		   "did you mean \"github.com/devopsfaith/krakend-jose/validator\"", NULL, NULL);
	parse_err3(EP_NS("\"qos/ratelimit/routr\":{}"), ERR_INVALID,
		   "did you mean \"qos/ratelimit/router\"", NULL, NULL);
	parse_err3(EP_NS("\"jwtsing\":{}"), ERR_INVALID, "did you mean \"jwtsign\"", NULL, NULL);
	parse_err3(DOC("\"extra_config\":{\"security/cor\":{}},", EP_OBJ("", BACKEND)), ERR_INVALID,
		   "did you mean \"security/cors\"", NULL, NULL);
}

/* ------------------------------------------------------------ key_uri (PKCS#11) */

#define P11_HEAD "\"alg\":\"ES256\",\"kid\":\"k1\",\"keys_to_sign\":[\"access_token\"]"

Test(config, key_uri_signer)
{
	struct cfg *cfg =
	    parse_ok(ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:token=t;object=k\","
				     "\"pin_file\":\"/etc/jwtsign/pin\","
				     "\"public_jwk_path\":\"/etc/jwtsign/pub.json\""));
	const struct cfg_keys *k = &cfg->endpoints[0].signer.keys;

	cr_assert_str_eq(k->key_uri, "pkcs11:token=t;object=k");
	cr_assert_str_eq(k->pin_file, "/etc/jwtsign/pin");
	cr_assert_str_eq(k->public_jwk_path, "/etc/jwtsign/pub.json");
	cr_assert_null(k->jwk_local_path);
	cr_assert_null(k->jwk_url);
	cfg_free(cfg);
}

Test(config, key_uri_pin_source)
{
	struct cfg *cfg = parse_ok(ONE_EP(
	    P11_HEAD ",\"key_uri\":\"pkcs11:token=t;object=k?pin-source=/etc/jwtsign/pin\""));

	cr_assert_null(cfg->endpoints[0].signer.keys.pin_file);
	cfg_free(cfg);
}

Test(config, key_uri_pin_value_warns, .init = cr_redirect_stderr)
{
	struct cfg *cfg =
	    parse_ok(ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:token=t;object=k?pin-value=2468\""));

	cfg_free(cfg);
	fflush(stderr);
	cr_assert_stderr_neq_str("", "no warning for a pin-value");
}

Test(config, key_uri_and_jwk_source_conflict)
{
	signer_err(
	    ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:object=k\",\"jwk_local_path\":\"/k.json\""),
	    ERR_INVALID, "\"key_uri\": conflicts with \"jwk_local_path\"");
	signer_err(ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:object=k\",\"jwk_url\":\"https://k/\""),
		   ERR_INVALID, "\"key_uri\": conflicts with \"jwk_url\"");
}

Test(config, key_uri_refuses_hmac)
{
	signer_err(ONE_EP("\"alg\":\"HS256\",\"kid\":\"k1\",\"keys_to_sign\":[\"a\"],"
			  "\"key_uri\":\"pkcs11:object=k\""),
		   ERR_UNSUPPORTED, "HS256 cannot be used with \"key_uri\"");
}

Test(config, key_uri_one_kid)
{
	signer_err(ONE_EP("\"alg\":\"ES256\",\"kid\":[\"a\",\"b\"],\"keys_to_sign\":[\"a\"],"
			  "\"key_uri\":\"pkcs11:object=k\""),
		   ERR_INVALID, "give one kid");
}

Test(config, key_uri_malformed)
{
	signer_err(ONE_EP(P11_HEAD ",\"key_uri\":\"/etc/key.pem\""), ERR_INVALID,
		   "expected a PKCS#11 URI");
	signer_err(ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:object=k?pin-source=pin.txt\""),
		   ERR_INVALID, "pin-source must be an absolute file path");
	signer_err(ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:object=k?pin-value=1&pin-source=/p\""),
		   ERR_INVALID, "names the PIN more than once");
	signer_err(ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:object=k?pin-value=%zz\""), ERR_INVALID,
		   "malformed");
	signer_err(ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:object=k?pin-value=1\","
				   "\"pin_file\":\"/p\""),
		   ERR_INVALID, "\"pin_file\": conflicts with the PIN named in \"key_uri\"");
}

Test(config, key_uri_error_redacts_pin_value)
{
	struct cfg *cfg = NULL;
	struct err e = {0};
	const char *doc =
	    ONE_EP(P11_HEAD ",\"key_uri\":\"pkcs11:object=k?pin-value=8642&pin-source=/p\"");

	cr_assert_neq(cfg_parse(doc, strlen(doc), NAME, &cfg, &e), 0);
	cr_assert(strstr(e.msg, "pin-value=REDACTED"), "%s", e.msg);
	cr_assert_null(strstr(e.msg, "8642"), "%s", e.msg);
}

Test(config, pin_file_without_key_uri)
{
	signer_err(ONE_EP(BASE ",\"pin_file\":\"/p\""), ERR_INVALID,
		   "\"pin_file\": is only for a key on a PKCS#11 token");
	signer_err(ONE_EP(BASE ",\"public_jwk_path\":\"/p\""), ERR_INVALID, "\"public_jwk_path\"");
}
