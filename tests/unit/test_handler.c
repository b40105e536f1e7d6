/* Unit tests for handler.c: the whole request path with a fake backend. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "clock.h"
#include "config.h"
#include "handler.h"
#include "request.h"
#include "response.h"

/* What the fake backend saw and what it answers. */
struct fake {
	int calls;
	char url[2][256];
	char body[256];
	size_t body_len;
	char ctype[128];
	char xff[128];
	size_t max_header;
	int fail_first; /* ERR_NET on the first host */
	int rc;		/* error to return, or 0 */
	long status;
	const char *answer_ctype;
	const char *answer;
	const char *answer_headers; /* reply->headers lines, or NULL */
};

static struct fake fk;

static int fake_call(void *ctx, const struct backend_request *req, struct backend_reply *reply,
		     struct err *err)
{
	(void)ctx;
	if (fk.calls < 2)
		snprintf(fk.url[fk.calls], sizeof(fk.url[0]), "%s", req->url);
	fk.calls++;
	memcpy(fk.body, req->body, req->body_len < sizeof(fk.body) ? req->body_len : 0);
	fk.body_len = req->body_len;
	fk.max_header = req->max_header;
	snprintf(fk.ctype, sizeof(fk.ctype), "%s", req->content_type ? req->content_type : "");
	snprintf(fk.xff, sizeof(fk.xff), "%s", req->forwarded_for ? req->forwarded_for : "");
	if (fk.fail_first && fk.calls == 1)
		return err_set(err, ERR_NET, "connection refused");
	if (fk.rc)
		return err_set(err, fk.rc, "fake failure");
	reply->status = fk.status;
	snprintf(reply->content_type, sizeof(reply->content_type), "%s",
		 fk.answer_ctype ? fk.answer_ctype : "application/json");
	if (fk.answer_headers && buf_puts(&reply->headers, fk.answer_headers) != 0)
		return err_set(err, ERR_NOMEM, "fake: out of memory");
	buf_reset(&reply->body);
	return buf_puts(&reply->body, fk.answer);
}

#define CONFIG_FMT                                                                                 \
	"{\"version\":3,\"endpoints\":["                                                           \
	"{\"endpoint\":\"/token\",\"method\":\"POST\",\"backend\":[{\"host\":"                     \
	"[\"http://127.0.0.1:1\",\"http://127.0.0.1:2/\"],\"url_pattern\":\"/token-issuer\"}],"    \
	"\"extra_config\":{\"auth/signer\":{\"alg\":\"HS256\",\"kid\":\"sim2\","                   \
	"\"keys_to_sign\":[\"access_token\"],\"jwk_local_path\":\"%s\"}}},"                        \
	"{\"endpoint\":\"/t/{tenant}\",\"method\":\"POST\",\"backend\":[{\"host\":"                \
	"[\"http://127.0.0.1:1\"],\"url_pattern\":\"/issuer/{tenant}\"}],"                         \
	"\"extra_config\":{\"auth/signer\":{\"alg\":\"HS256\",\"kid\":\"sim2\","                   \
	"\"keys_to_sign\":[\"access_token\"],\"jwk_local_path\":\"%s\"}}}]}"

static struct app app;
static struct response resp;

static void setup_app(const char *keyfile)
{
	char doc[4096];
	struct cfg *cfg = NULL;
	struct err e = {0};

	memset(&fk, 0, sizeof(fk));
	fk.status = 200;
	fk.answer = "{\"access_token\":{\"sub\":\"u-42\",\"aud\":\"https://api.example/v1\","
		    "\"exp\":1735689600},\"z\":1,\"a\":[true,null]}";
	snprintf(doc, sizeof(doc), CONFIG_FMT, keyfile, keyfile);
	cr_assert_eq(cfg_parse(doc, strlen(doc), "test.json", &cfg, &e), 0, "%s", e.msg);
	memset(&app, 0, sizeof(app));
	cr_assert_eq(app_init_cfg(&app, cfg, fake_call, NULL, &e), 0, "%s", e.msg);
	response_init(&resp);
}

static void setup(void)
{
	setup_app(TEST_DATA_DIR "/handler-sim2.json");
}

static void teardown(void)
{
	response_free(&resp);
	app_free(&app);
}

static void run(const char *method, const char *path, const char *body)
{
	struct request req;

	memset(&req, 0, sizeof(req));
	req.method = (char *)method;
	req.path = (char *)path;
	req.content_type = (char *)"application/json";
	req.remote_addr = (char *)"192.0.2.7";
	req.body = (uint8_t *)(body ? body : "");
	req.body_len = body ? strlen(body) : 0;
	handle_request(&app, &req, &resp);
}

static void assert_error(int status, const char *code)
{
	char expect[128];

	snprintf(expect, sizeof(expect), "{\"error\":\"%s\"}", code);
	cr_assert_eq(resp.status, status, "status %d, expected %d", resp.status, status);
	cr_assert_str_eq(resp.body.data, expect);
	cr_assert_str_eq(resp.content_type, "application/json; charset=utf-8");
}

TestSuite(handler, .init = setup, .fini = teardown);

Test(handler, signs_reference_claims_and_sorts_members)
{
	run("POST", "/token", "{\"user\":\"john\"}");
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(
	    resp.body.data,
	    "{\"a\":[true,null],\"access_token\":\"eyJhbGciOiJIUzI1NiIsImtpZCI6InNpbTIiLCJ0eXAiOi"
	    "JKV1QifQ.eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzM1Njg5NjAwLCJzdWIiO"
	    "iJ1LTQyIn0.mZSK32sQOXnlHrOAVXwnGZYtjMu415MUtqMBkoS5xm0\",\"z\":1}");
	cr_assert(resp.no_store);
	cr_assert_str_eq(fk.body, "{\"user\":\"john\"}");
	cr_assert_str_eq(fk.ctype, "application/json");
	cr_assert_str_eq(fk.xff, "192.0.2.7");
	cr_assert_str_eq(fk.url[0], "http://127.0.0.1:1/token-issuer");
}

/* The signer options are computed once per endpoint when the app is
 * built, from the endpoint's signer block, without a key. */
Test(handler, signer_opts_computed_at_load)
{
	for (size_t i = 0; i < app.cfg->nendpoints; i++) {
		const struct app_endpoint *aep = &app.eps[i];
		const struct cfg_signer *s = &aep->cfg->signer;

		cr_assert_null(aep->sign.key);
		cr_assert_eq(aep->sign.alg, s->alg);
		cr_assert_eq(aep->sign.typ, s->typ);
		cr_assert_eq(aep->sign.keys_to_sign, s->keys_to_sign);
		cr_assert_eq(aep->sign.nkeys_to_sign, s->nkeys_to_sign);
		cr_assert_eq(aep->sign.limits.max_depth, app.cfg->limits.max_json_depth);
		cr_assert_eq(aep->sign.limits.max_members, app.cfg->limits.max_json_members);
	}
}

Test(handler, created_is_signed_too)
{
	fk.status = 201;
	run("POST", "/token", "x");
	cr_assert_eq(resp.status, 200);
}

Test(handler, next_host_on_connection_failure)
{
	fk.fail_first = 1;
	run("POST", "/token", "x");
	cr_assert_eq(resp.status, 200);
	cr_assert_eq(fk.calls, 2);
	cr_assert_str_eq(fk.url[1], "http://127.0.0.1:2/token-issuer");
}

Test(handler, path_parameters_reach_the_backend_url)
{
	run("POST", "/t/acme", "x");
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(fk.url[0], "http://127.0.0.1:1/issuer/acme");
}

Test(handler, unknown_endpoint_is_404)
{
	run("POST", "/nope", "x");
	assert_error(404, "not_found");
	cr_assert_eq(fk.calls, 0);
}

Test(handler, wrong_method_is_405_with_allow)
{
	run("GET", "/token", NULL);
	assert_error(405, "method_not_allowed");
	cr_assert_str_eq(resp.allow, "POST");
	cr_assert_eq(fk.calls, 0);
}

Test(handler, rejected_request_keeps_reader_status)
{
	struct request req;

	memset(&req, 0, sizeof(req));
	req.method = (char *)"POST";
	req.path = (char *)"/token";
	req.body = (uint8_t *)"";
	req.reject_status = 413;
	req.reject_code = "body_too_large";
	handle_request(&app, &req, &resp);
	assert_error(413, "body_too_large");
	cr_assert_eq(fk.calls, 0);
}

Test(handler, backend_4xx_passes_through)
{
	fk.status = 401;
	fk.answer_ctype = "application/problem+json";
	fk.answer = "{\"error\":\"bad credentials\"}";
	run("POST", "/token", "x");
	cr_assert_eq(resp.status, 401);
	cr_assert_str_eq(resp.content_type, "application/problem+json");
	cr_assert_str_eq(resp.body.data, "{\"error\":\"bad credentials\"}");
}

/* The headers a client needs come with the 4xx; Content-Type is the
 * response's own, Cache-Control replaces no-store; nosniff always. */
Test(handler, backend_4xx_keeps_the_headers_a_client_needs)
{
	struct buf out = BUF_INIT;

	fk.status = 401;
	fk.answer = "{\"error\":\"invalid_grant\"}";
	fk.answer_headers =
	    "Content-Type: application/json\r\n"
	    "WWW-Authenticate: Bearer realm=\"x\", error=\"invalid_token\"\r\n"
	    "WWW-Authenticate: Basic realm=\"x\"\r\n"
	    "Retry-After: 30\r\nContent-Language: de\r\nCache-Control: no-cache\r\n";
	run("POST", "/token", "x");
	cr_assert_eq(resp.status, 401);
	cr_assert_eq(response_serialize(&resp, &out), 0);
	cr_assert_str_eq(out.data,
			 "Status: 401 Unauthorized\r\n"
			 "Content-Type: application/json\r\n"
			 "Content-Length: 25\r\n"
			 "X-Content-Type-Options: nosniff\r\n"
			 "WWW-Authenticate: Bearer realm=\"x\", error=\"invalid_token\"\r\n"
			 "WWW-Authenticate: Basic realm=\"x\"\r\n"
			 "Retry-After: 30\r\nContent-Language: de\r\n"
			 "Cache-Control: no-cache\r\n\r\n"
			 "{\"error\":\"invalid_grant\"}");
	buf_free(&out);
}

/* A body that is not JSON (an HTML page echoing the login) is never
 * served: a JSON error with the backend's status and its other headers. */
Test(handler, backend_4xx_not_json_is_replaced)
{
	static const char *const ctypes[] = {"text/html; charset=utf-8", "", "text/plain",
					     "application/jsonx", "application/xml"};

	for (size_t i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++) {
		fk.status = 403;
		fk.answer_ctype = ctypes[i];
		fk.answer = "<script>alert(1)</script>";
		fk.answer_headers = "WWW-Authenticate: Basic\r\nCache-Control: max-age=60\r\n";
		run("POST", "/token", "x");
		assert_error(403, "backend_error");
		cr_assert(resp.nosniff);
		cr_assert_str_eq(resp.headers.data, "WWW-Authenticate: Basic\r\n", "%s", ctypes[i]);
	}
	fk.answer_ctype = "application/problem+JSON; charset=utf-8";
	fk.answer_headers = NULL;
	run("POST", "/token", "x");
	cr_assert_eq(resp.status, 403);
	cr_assert_str_eq(resp.body.data, "<script>alert(1)</script>");
}

Test(handler, reason_phrases)
{
	cr_assert_str_eq(response_reason(407), "Proxy Authentication Required");
	cr_assert_str_eq(response_reason(499), "Client Closed Request");
	cr_assert_str_eq(response_reason(418), "Client Error");
	cr_assert_str_eq(response_reason(599), "Server Error");
	cr_assert_str_eq(response_reason(600), "Unknown");
}

Test(handler, backend_other_statuses_are_502)
{
	static const long statuses[] = {202, 204, 301, 302, 304, 500, 503};

	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		fk.status = statuses[i];
		run("POST", "/token", "x");
		assert_error(502, "backend_bad_status");
	}
}

Test(handler, backend_bad_json_is_502)
{
	static const char *const bodies[] = {"",     "[1]",   "{\"a\":NaN}",	"{'a':1}",
					     "{} x", "hello", "{\"a\":1}/*c*/", "null"};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		fk.answer = bodies[i];
		run("POST", "/token", "x");
		assert_error(502, "backend_bad_response");
	}
}

Test(handler, unreachable_timeout_and_oversize)
{
	fk.rc = ERR_NET;
	run("POST", "/token", "x");
	assert_error(502, "backend_unreachable");
	cr_assert_eq(fk.calls, 2, "every host is tried");
	fk.rc = ERR_TIMEOUT;
	run("POST", "/token", "x");
	assert_error(504, "backend_timeout");
	fk.rc = ERR_LIMIT;
	run("POST", "/token", "x");
	assert_error(502, "backend_bad_response");
}

Test(handler, forwarded_for_is_extended)
{
	struct request req;

	memset(&req, 0, sizeof(req));
	req.method = (char *)"POST";
	req.path = (char *)"/token";
	req.body = (uint8_t *)"";
	req.remote_addr = (char *)"192.0.2.7";
	req.forwarded_for = (char *)"198.51.100.1";
	handle_request(&app, &req, &resp);
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(fk.xff, "198.51.100.1, 192.0.2.7");
}

/* Each client header jwtsign reads may hold max_header_size (65536) bytes;
 * one more is 431 and the backend is not called. */
Test(handler, oversized_client_headers_are_431)
{
	static char big[65538];
	struct request req;

	memset(big, 'a', sizeof(big) - 1);
	memset(&req, 0, sizeof(req));
	req.method = (char *)"POST";
	req.path = (char *)"/token";
	req.body = (uint8_t *)"";
	req.content_type = big + 1; /* 65536 bytes: accepted */
	handle_request(&app, &req, &resp);
	cr_assert_eq(resp.status, 200);
	cr_assert_eq(fk.calls, 1);
	cr_assert_eq(fk.max_header, 65536, "the backend's header block is capped too");
	for (int i = 0; i < 3; i++) {
		response_free(&resp);
		response_init(&resp);
		req.content_type = i == 0 ? big : NULL;
		req.forwarded_for = i == 1 ? big : NULL;
		req.if_none_match = i == 2 ? big : NULL;
		handle_request(&app, &req, &resp);
		assert_error(431, "header_too_large");
		cr_assert_eq(fk.calls, 1, "backend not called (case %d)", i);
	}
}

Test(handler_nokeys, missing_key_file_is_503_and_backend_not_called)
{
	setup_app(TEST_DATA_DIR "/does-not-exist.json");
	run("POST", "/token", "x");
	assert_error(503, "keys_unavailable");
	cr_assert_eq(resp.retry_after, 5);
	cr_assert_eq(fk.calls, 0);
	teardown();
}

Test(handler_nocfg, unconfigured_process_answers_503)
{
	struct app none;
	struct request req;
	struct response r;

	memset(&none, 0, sizeof(none));
	memset(&req, 0, sizeof(req));
	req.method = (char *)"POST";
	req.path = (char *)"/token";
	response_init(&r);
	handle_request(&none, &req, &r);
	cr_assert_eq(r.status, 503);
	cr_assert_str_eq(r.body.data, "{\"error\":\"not_configured\"}");
	response_free(&r);
}

Test(handler_methods, same_path_two_methods_routes_by_method)
{
	const char *doc =
	    "{\"version\":3,\"endpoints\":["
	    "{\"endpoint\":\"/token\",\"method\":\"GET\",\"backend\":[{\"host\":[\"http://h1\"],"
	    "\"url_pattern\":\"/get\"}],\"extra_config\":{\"auth/signer\":{\"alg\":\"HS256\","
	    "\"kid\":\"sim2\",\"keys_to_sign\":[\"access_token\"],\"jwk_local_path\":"
	    "\"" TEST_DATA_DIR "/handler-sim2.json\"}}},"
	    "{\"endpoint\":\"/token\",\"method\":\"POST\",\"backend\":[{\"host\":[\"http://h1\"],"
	    "\"url_pattern\":\"/post\"}],\"extra_config\":{\"auth/signer\":{\"alg\":\"HS256\","
	    "\"kid\":\"sim2\",\"keys_to_sign\":[\"access_token\"],\"jwk_local_path\":"
	    "\"" TEST_DATA_DIR "/handler-sim2.json\"}}}]}";
	struct cfg *cfg = NULL;
	struct err e = {0};

	memset(&fk, 0, sizeof(fk));
	fk.status = 200;
	fk.answer = "{}";
	cr_assert_eq(cfg_parse(doc, strlen(doc), "t.json", &cfg, &e), 0, "%s", e.msg);
	memset(&app, 0, sizeof(app));
	cr_assert_eq(app_init_cfg(&app, cfg, fake_call, NULL, &e), 0, "%s", e.msg);
	response_init(&resp);
	run("POST", "/token", "x");
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(fk.url[0], "http://h1/post");
	run("DELETE", "/token", "x");
	assert_error(405, "method_not_allowed");
	cr_assert_str_eq(resp.allow, "GET, POST");
	teardown();
}

/* Expected token computed independently with python3 hmac/hashlib/base64
 * for the claims plus "iat":1700000000 (sorted). */
Test(handler_time, set_iat_reaches_the_signer)
{
	const char *doc =
	    "{\"version\":3,\"endpoints\":["
	    "{\"endpoint\":\"/token\",\"method\":\"POST\",\"backend\":[{\"host\":[\"http://h1\"],"
	    "\"url_pattern\":\"/t\"}],\"extra_config\":{\"auth/signer\":{\"alg\":\"HS256\","
	    "\"kid\":\"sim2\",\"keys_to_sign\":[\"access_token\"],\"set_iat\":true,"
	    "\"jwk_local_path\":\"" TEST_DATA_DIR "/handler-sim2.json\"}}}]}";
	struct cfg *cfg = NULL;
	struct err e = {0};

	memset(&fk, 0, sizeof(fk));
	fk.status = 200;
	fk.answer = "{\"access_token\":{\"sub\":\"u-42\",\"aud\":\"https://api.example/v1\","
		    "\"exp\":1735689600}}";
	cr_assert_eq(cfg_parse(doc, strlen(doc), "t.json", &cfg, &e), 0, "%s", e.msg);
	memset(&app, 0, sizeof(app));
	cr_assert_eq(app_init_cfg(&app, cfg, fake_call, NULL, &e), 0, "%s", e.msg);
	response_init(&resp);
	clock_set_override(1700000000);
	run("POST", "/token", "x");
	clock_set_override((time_t)-1);
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(
	    resp.body.data,
	    "{\"access_token\":\"eyJhbGciOiJIUzI1NiIsImtpZCI6InNpbTIiLCJ0eXAiOiJKV1QifQ."
	    "eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzM1Njg5NjAwLCJpYXQiOj"
	    "E3MDAwMDAwMDAsInN1YiI6InUtNDIifQ.J092Ve0xH2UGQYo9RDh_av9QipSrXTa1d6BUn4YFbg"
	    "s\"}");
	teardown();
}

/* jwks_endpoint with a rotation list: "new" signs (listed first), "old"
 * is published too, the oct key never. */
static void setup_jwks(void)
{
	const char *doc =
	    "{\"version\":3,\"endpoints\":["
	    "{\"endpoint\":\"/token\",\"method\":\"POST\",\"backend\":[{\"host\":[\"http://h1\"],"
	    "\"url_pattern\":\"/t\"}],\"extra_config\":{\"auth/signer\":{\"alg\":\"ES256\","
	    "\"kid\":[\"new\",\"old\",\"hmac\"],\"keys_to_sign\":[\"access_token\"],"
	    "\"jwks_endpoint\":\"/.well-known/jwks.json\",\"cache_duration\":600,"
	    "\"jwk_local_path\":\"" TEST_DATA_DIR "/handler-ec-rotation.json\"}}}]}";
	struct cfg *cfg = NULL;
	struct err e = {0};

	memset(&fk, 0, sizeof(fk));
	cr_assert_eq(cfg_parse(doc, strlen(doc), "t.json", &cfg, &e), 0, "%s", e.msg);
	memset(&app, 0, sizeof(app));
	cr_assert_eq(app_init_cfg(&app, cfg, fake_call, NULL, &e), 0, "%s", e.msg);
	response_init(&resp);
}

Test(handler_jwks, publishes_listed_public_keys_in_kid_order, .init = setup_jwks, .fini = teardown)
{
	run("GET", "/.well-known/jwks.json", NULL);
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(resp.content_type, "application/jwk-set+json");
	cr_assert_str_eq(resp.cache_control, "public, max-age=600");
	cr_assert_eq(resp.no_store, 0);
	cr_assert_eq(strlen(resp.etag), 34, "quoted 32 hex digits: %s", resp.etag);
	cr_assert(strstr(resp.body.data, "\"d\"") == NULL, "no private member");
	cr_assert(strstr(resp.body.data, "\"oct\"") == NULL, "no oct key");
	char *pnew = strstr(resp.body.data, "\"kid\":\"new\"");
	char *pold = strstr(resp.body.data, "\"kid\":\"old\"");
	cr_assert(pnew && pold && pnew < pold, "%s", resp.body.data);
	cr_assert_eq(fk.calls, 0);
}

Test(handler_jwks, conditional_get_and_methods, .init = setup_jwks, .fini = teardown)
{
	struct request req;
	char etag[80];

	run("GET", "/.well-known/jwks.json", NULL);
	snprintf(etag, sizeof(etag), "%s", resp.etag);
	memset(&req, 0, sizeof(req));
	req.method = (char *)"GET";
	req.path = (char *)"/.well-known/jwks.json";
	req.body = (uint8_t *)"";
	req.if_none_match = etag;
	response_free(&resp);
	response_init(&resp);
	handle_request(&app, &req, &resp);
	cr_assert_eq(resp.status, 304);
	cr_assert_eq(resp.body.len, 0);
	response_free(&resp);
	response_init(&resp);
	run("POST", "/.well-known/jwks.json", "x");
	assert_error(405, "method_not_allowed");
	cr_assert_str_eq(resp.allow, "GET, HEAD");
}

/* ------------------------------------------------ metrics */

static char mdir[64]; /* mkdtemp'd: JWTSIGN_CACHE_DIR is mdir/c */

static void setup_metrics_dir(mode_t mode)
{
	static const char prefix[] = "{\"version\":3,";
	char doc[4096], cdir[128];
	struct cfg *cfg = NULL;
	struct err e = {0};
	const char *key = TEST_DATA_DIR "/handler-sim2.json";

	snprintf(mdir, sizeof(mdir), "/tmp/jwtsign-handler-metrics.XXXXXX");
	cr_assert_not_null(mkdtemp(mdir));
	snprintf(cdir, sizeof(cdir), "%s/c", mdir);
	cr_assert_eq(mkdir(cdir, mode), 0);
	cr_assert_eq(chmod(cdir, mode), 0);
	setenv("JWTSIGN_CACHE_DIR", cdir, 1);
	memset(&fk, 0, sizeof(fk));
	fk.status = 200;
	fk.answer = "{\"access_token\":{\"sub\":\"u-42\"}}";
	snprintf(
	    doc, sizeof(doc),
	    "{\"version\":3,\"extra_config\":{\"jwtsign\":{\"metrics_endpoint\":\"/metrics\"}},");
	snprintf(doc + strlen(doc), sizeof(doc) - strlen(doc), CONFIG_FMT + strlen(prefix), key,
		 key);
	cr_assert_eq(cfg_parse(doc, strlen(doc), "test.json", &cfg, &e), 0, "%s", e.msg);
	memset(&app, 0, sizeof(app));
	cr_assert_eq(app_init_cfg(&app, cfg, fake_call, NULL, &e), 0, "%s", e.msg);
	response_init(&resp);
}

static void setup_metrics(void)
{
	setup_metrics_dir(0700);
}

static void setup_metrics_refused(void)
{
	setup_metrics_dir(0755); /* rundir refuses it: counting off */
}

static void teardown_metrics(void)
{
	char cmd[128];

	teardown();
	unsetenv("JWTSIGN_CACHE_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", mdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", mdir);
}

Test(handler_metrics, answers_counted_and_served, .init = setup_metrics, .fini = teardown_metrics)
{
	run("POST", "/token", "{\"user\":\"john\"}");
	cr_assert_eq(resp.status, 200);
	run("GET", "/nowhere", NULL);
	assert_error(404, "not_found");
	run("POST", "/metrics", NULL);
	assert_error(405, "method_not_allowed");
	cr_assert_str_eq(resp.allow, "GET, HEAD");
	run("GET", "/metrics", NULL);
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(resp.content_type, "text/plain; version=0.0.4; charset=utf-8");
	cr_assert_not_null(strstr(resp.body.data,
				  "\njwtsign_requests_total{endpoint=\"/token\",code=\"200\"} 1\n"),
			   "%s", resp.body.data);
	cr_assert_not_null(
	    strstr(resp.body.data, "\njwtsign_requests_total{endpoint=\"none\",code=\"404\"} 1\n"));
	cr_assert_not_null(strstr(
	    resp.body.data, "\njwtsign_errors_total{endpoint=\"/metrics\",reason=\"method_not_"
			    "allowed\"} 1\n"));
	cr_assert_not_null(strstr(resp.body.data, "\njwtsign_tokens_issued_total{endpoint=\"/"
						  "token\",alg=\"HS256\",kid=\"sim2\"} 1\n"));
	cr_assert_not_null(strstr(resp.body.data, "\njwtsign_backend_duration_seconds_count{"
						  "endpoint=\"/token\"} 1\n"));
}

Test(handler_metrics, refused_file_turns_counting_off_only, .init = setup_metrics_refused,
     .fini = teardown_metrics)
{
	run("POST", "/token", "{\"user\":\"john\"}");
	cr_assert_eq(resp.status, 200, "the answer does not depend on the counters");
	cr_assert_not_null(strstr(resp.body.data, "\"access_token\":\"eyJ"), "%s", resp.body.data);
	cr_assert_null(app.metrics);
	cr_assert(app.metrics_failed, "logged once, not retried");
	run("GET", "/metrics", NULL);
	assert_error(503, "metrics_unavailable");
	run("POST", "/token", "{\"user\":\"john\"}");
	cr_assert_eq(resp.status, 200);
}

/* ------------------------------------------------ rate limits */

/* /token: 2 a minute per client (REMOTE_ADDR, or the first address of
 * X-Forwarded-For); /busy: the whole endpoint 1 a minute; /login: the
 * failed-login throttle at 3 wrong answers per username in 10 minutes.
 * The table lives in a private JWTSIGN_CACHE_DIR (rdir/c), the clocks are
 * fixed: nothing here sleeps. */
#define RL_EP_FMT                                                                                  \
	"{\"endpoint\":\"%s\",\"method\":\"POST\",\"backend\":[{\"host\":[\"http://h1\"],"         \
	"\"url_pattern\":\"/issuer\"}],\"extra_config\":{%s,\"auth/signer\":{\"alg\":\"HS256\","   \
	"\"kid\":\"sim2\",\"keys_to_sign\":[\"access_token\"],\"jwk_local_path\":"                 \
	"\"" TEST_DATA_DIR "/handler-sim2.json\"}}}"

#define RL_SEC 1000000LL

static char rdir[64]; /* mkdtemp'd: JWTSIGN_CACHE_DIR is rdir/c */
static long long rl_now = 5000 * RL_SEC;

static void setup_ratelimit(void)
{
	char doc[8192], cdir[128];
	struct cfg *cfg = NULL;
	struct err e = {0};
	int n;

	snprintf(rdir, sizeof(rdir), "/tmp/jwtsign-handler-rl.XXXXXX");
	cr_assert_not_null(mkdtemp(rdir));
	snprintf(cdir, sizeof(cdir), "%s/c", rdir);
	cr_assert_eq(mkdir(cdir, 0700), 0);
	setenv("JWTSIGN_CACHE_DIR", cdir, 1);
	rl_now = 5000 * RL_SEC;
	clock_set_monotonic_override(rl_now);
	clock_set_override(1700000000);
	n = snprintf(doc, sizeof(doc), "{\"version\":3,\"endpoints\":[");
	n += snprintf(doc + n, sizeof(doc) - (size_t)n, RL_EP_FMT ",", "/token",
		      "\"qos/ratelimit/router\":{\"client_max_rate\":2,\"client_capacity\":2,"
		      "\"every\":\"1m\",\"strategy\":\"ip\",\"key\":\"X-Forwarded-For\"}");
	n += snprintf(doc + n, sizeof(doc) - (size_t)n, RL_EP_FMT ",", "/busy",
		      "\"qos/ratelimit/router\":{\"max_rate\":1,\"capacity\":1,\"every\":\"1m\"}");
	n += snprintf(doc + n, sizeof(doc) - (size_t)n, RL_EP_FMT ",", "/login",
		      "\"jwtsign\":{\"failed_login\":{\"max_failures\":3,\"window\":\"10m\","
		      "\"username\":\"/user\"}}");
	n += snprintf(doc + n, sizeof(doc) - (size_t)n, RL_EP_FMT "]}", "/login2",
		      "\"qos/ratelimit/router\":{\"client_max_rate\":5,\"client_capacity\":5,"
		      "\"every\":\"1m\"},"
		      "\"jwtsign\":{\"failed_login\":{\"max_failures\":3,\"window\":\"10m\","
		      "\"username\":\"/user\"}}");
	cr_assert_lt((size_t)n, sizeof(doc));
	memset(&fk, 0, sizeof(fk));
	fk.status = 200;
	fk.answer = "{\"access_token\":{\"sub\":\"u-42\"}}";
	cr_assert_eq(cfg_parse(doc, strlen(doc), "test.json", &cfg, &e), 0, "%s", e.msg);
	memset(&app, 0, sizeof(app));
	cr_assert_eq(app_init_cfg(&app, cfg, fake_call, NULL, &e), 0, "%s", e.msg);
	response_init(&resp);
}

static void teardown_ratelimit(void)
{
	char cmd[128];

	teardown();
	clock_set_monotonic_override(-1);
	clock_set_override((time_t)-1);
	unsetenv("JWTSIGN_CACHE_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", rdir);
}

/* run_from: run() from another client address, as X-Forwarded-For
 * names it (NULL: REMOTE_ADDR only); a fresh response each time. */
static void run_from(const char *path, const char *body, const char *xff)
{
	struct request req;
	char var[128];
	char *hdr[1] = {var};

	response_free(&resp);
	response_init(&resp);
	memset(&req, 0, sizeof(req));
	req.method = (char *)"POST";
	req.path = (char *)path;
	req.content_type = (char *)"application/json";
	req.remote_addr = (char *)"192.0.2.7";
	req.body = (uint8_t *)body;
	req.body_len = strlen(body);
	if (xff) {
		snprintf(var, sizeof(var), "HTTP_X_FORWARDED_FOR=%s", xff);
		req.forwarded_for = var + strlen("HTTP_X_FORWARDED_FOR=");
		req.headers = hdr;
		req.nheaders = 1;
	}
	handle_request(&app, &req, &resp);
}

/* login USER PASS-OK: the backend says 200 to a right password, 401 to a
 * wrong one. */
static void login(const char *user, bool right)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"user\":\"%s\",\"pass\":\"%s\"}", user,
		 right ? "right" : "wrong");
	fk.status = right ? 200 : 401;
	fk.answer = right ? "{\"access_token\":{\"sub\":\"u-42\"}}" : "{\"error\":\"bad\"}";
	run_from("/login", body, NULL);
}

TestSuite(handler_ratelimit, .init = setup_ratelimit, .fini = teardown_ratelimit);

Test(handler_ratelimit, client_over_its_rate_is_429_without_the_backend)
{
	run_from("/token", "{}", "198.51.100.1");
	cr_assert_eq(resp.status, 200, "%s", resp.body.data);
	run_from("/token", "{}", "198.51.100.1");
	cr_assert_eq(resp.status, 200);
	cr_assert_eq(fk.calls, 2);
	run_from("/token", "{}", "198.51.100.1");
	assert_error(429, "rate_limited");
	/* 2 a minute: the next token in 30 s (rounded up to seconds). */
	cr_assert(resp.retry_after >= 1 && resp.retry_after <= 30, "Retry-After %u",
		  resp.retry_after);
	cr_assert_eq(fk.calls, 2, "the backend was not called");
	run_from("/token", "{}", "198.51.100.1, 203.0.113.9");
	assert_error(429, "rate_limited");
	cr_assert_eq(fk.calls, 2);
	/* Another client, and REMOTE_ADDR without the header, are not. */
	run_from("/token", "{}", "203.0.113.9");
	cr_assert_eq(resp.status, 200);
	run_from("/token", "{}", NULL);
	cr_assert_eq(resp.status, 200);
	cr_assert_eq(fk.calls, 4);
	/* 30 s later the first client has one token again. */
	clock_set_monotonic_override(rl_now + 30 * RL_SEC);
	run_from("/token", "{}", "198.51.100.1");
	cr_assert_eq(resp.status, 200);
	run_from("/token", "{}", "198.51.100.1");
	assert_error(429, "rate_limited");
	cr_assert_eq(fk.calls, 5);
}

Test(handler_ratelimit, endpoint_over_max_rate_is_503)
{
	run_from("/busy", "{}", NULL);
	cr_assert_eq(resp.status, 200);
	run_from("/busy", "{}", "203.0.113.9"); /* any client: the endpoint's bucket */
	assert_error(503, "rate_limited");
	cr_assert(resp.retry_after >= 1 && resp.retry_after <= 60, "Retry-After %u",
		  resp.retry_after);
	cr_assert_eq(fk.calls, 1, "the backend was not called");
	/* The other endpoints have their own limits. */
	run_from("/token", "{}", NULL);
	cr_assert_eq(resp.status, 200);
	clock_set_monotonic_override(rl_now + 60 * RL_SEC);
	run_from("/busy", "{}", NULL);
	cr_assert_eq(resp.status, 200);
}

Test(handler_ratelimit, failed_logins_close_one_username_only)
{
	for (int i = 1; i <= 3; i++) {
		login("alice", false);
		cr_assert_eq(resp.status, 401, "wrong answer %d reaches the backend", i);
	}
	cr_assert_eq(fk.calls, 3);
	login("alice", true); /* even the right password: the door is closed */
	assert_error(429, "rate_limited");
	cr_assert(resp.retry_after >= 1 && resp.retry_after <= 600, "Retry-After %u",
		  resp.retry_after);
	cr_assert_eq(fk.calls, 3, "the backend was not called");
	/* from another address too: the username counts, not the client */
	fk.status = 200;
	run_from("/login", "{\"user\":\"alice\",\"pass\":\"right\"}", "203.0.113.9");
	assert_error(429, "rate_limited");
	cr_assert_eq(fk.calls, 3);
	/* bob is unaffected */
	login("bob", true);
	cr_assert_eq(resp.status, 200);
	login("bob", false);
	cr_assert_eq(resp.status, 401);
	cr_assert_eq(fk.calls, 5);
	/* the window passes: alice may try again */
	clock_set_monotonic_override(rl_now + 601 * RL_SEC);
	login("alice", true);
	cr_assert_eq(resp.status, 200);
	cr_assert_eq(fk.calls, 6);
}

/* A client over its rate whose username is also locked is told the
 * longer wait (the lock's), not the bucket's next token. */
Test(handler_ratelimit, two_limits_tell_the_longest_wait)
{
	const char *wrong = "{\"user\":\"alice\",\"pass\":\"wrong\"}";

	fk.status = 401;
	fk.answer = "{\"error\":\"bad\"}";
	for (int i = 1; i <= 3; i++) {
		run_from("/login2", wrong, NULL);
		cr_assert_eq(resp.status, 401, "attempt %d", i);
	}
	for (int i = 4; i <= 7; i++) {
		run_from("/login2", wrong, NULL);
		assert_error(429, "rate_limited");
		/* attempts 4-5: the lock; 6-7: also over 5 a minute */
		cr_assert(resp.retry_after > 500 && resp.retry_after <= 600,
			  "attempt %d: Retry-After %u", i, resp.retry_after);
	}
	cr_assert_eq(fk.calls, 3);
}

Test(handler_ratelimit, a_successful_login_resets_the_count)
{
	login("alice", false);
	login("alice", false);
	cr_assert_eq(resp.status, 401);
	login("alice", true);
	cr_assert_eq(resp.status, 200, "%s", resp.body.data);
	/* three more wrong answers reach the backend: the count restarted */
	for (int i = 1; i <= 3; i++) {
		login("alice", false);
		cr_assert_eq(resp.status, 401, "wrong answer %d after the reset", i);
	}
	cr_assert_eq(fk.calls, 6);
	login("alice", false);
	assert_error(429, "rate_limited");
	cr_assert_eq(fk.calls, 6);
}
