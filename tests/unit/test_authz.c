/* test_authz.c - auth/validator on a request: the refresh flow (validator
 * and signer on one endpoint) and the authorizer role (handler_authz.c),
 * with a fake backend and a fixed clock.  The token is the one
 * test_handler.c's set_iat test checks byte for byte (HS256, kid "sim2",
 * claims aud, exp 1735689600, iat 1700000000, sub "u-42"). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "config.h"
#include "handler.h"

#define TOKEN                                                                                      \
	"eyJhbGciOiJIUzI1NiIsImtpZCI6InNpbTIiLCJ0eXAiOiJKV1QifQ."                                  \
	"eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzM1Njg5NjAwLCJpYXQiOj"               \
	"E3MDAwMDAwMDAsInN1YiI6InUtNDIifQ.J092Ve0xH2UGQYo9RDh_av9QipSrXTa1d6BUn4YFbgs"
#define EXP 1735689600
#define KEYS TEST_DATA_DIR "/handler-sim2.json"

struct fake {
	int calls;
	char headers[1024]; /* "Name: value\n" of every header sent */
};

static struct fake fk;
static struct app app;
static struct response resp;

static int fake_call(void *ctx, const struct backend_request *req, struct backend_reply *reply,
		     struct err *err)
{
	size_t used = 0;

	(void)ctx;
	(void)err;
	fk.calls++;
	fk.headers[0] = '\0';
	for (size_t i = 0; i < req->nheaders; i++) {
		int n = snprintf(fk.headers + used, sizeof(fk.headers) - used, "%s: %s\n",
				 req->headers[i].name, req->headers[i].value);

		if (n > 0 && (size_t)n < sizeof(fk.headers) - used)
			used += (size_t)n;
	}
	reply->status = 200;
	snprintf(reply->content_type, sizeof(reply->content_type), "application/json");
	buf_reset(&reply->body);
	return buf_puts(&reply->body, "{\"access_token\":{\"sub\":\"u-42\"}}");
}

#define SIGNER                                                                                     \
	"\"auth/signer\":{\"alg\":\"HS256\",\"kid\":\"sim2\",\"keys_to_sign\":[\"access_token\"]," \
	"\"jwk_local_path\":\"" KEYS "\"}"
#define VALIDATOR(extra)                                                                           \
	"\"auth/validator\":{\"alg\":\"HS256\",\"jwk_local_path\":\"%s\","                         \
	"\"propagate_claims\":[[\"sub\",\"X-User\"]]" extra "}"

static void setup_doc(const char *keys)
{
	char doc[4096];
	struct cfg *cfg = NULL;
	struct err e = {0};

	snprintf(
	    doc, sizeof(doc),
	    "{\"version\":3,\"endpoints\":["
	    "{\"endpoint\":\"/refresh\",\"method\":\"POST\",\"input_headers\":[\"X-User\"],"
	    "\"backend\":[{\"host\":[\"http://h1\"],\"url_pattern\":\"/refresh\"}],"
	    "\"extra_config\":{" SIGNER "," VALIDATOR(
		"") "}},"
		    "{\"endpoint\":\"/api/{id}\",\"extra_config\":{" VALIDATOR(
			"") "}},"
			    "{\"endpoint\":\"/cookie\",\"extra_config\":{" VALIDATOR(
				",\"cookie_key\":\"access_token\"") "}},"
								    "{\"endpoint\":\"/"
								    "admin\",\"extra_config\":"
								    "{" VALIDATOR(",\"roles\":["
										  "\"admin\"],"
										  "\"roles_key\":"
										  "\"roles\"") "}}]"
											       "}",
	    keys, keys, keys, keys);
	memset(&fk, 0, sizeof(fk));
	cr_assert_eq(cfg_parse(doc, strlen(doc), "t.json", &cfg, &e), 0, "%s", e.msg);
	memset(&app, 0, sizeof(app));
	cr_assert_eq(app_init_cfg(&app, cfg, fake_call, NULL, &e), 0, "%s", e.msg);
	response_init(&resp);
	clock_set_override(1700000000);
}

static void setup(void)
{
	setup_doc(KEYS);
}

static void teardown(void)
{
	clock_set_override((time_t)-1);
	response_free(&resp);
	app_free(&app);
}

/* One request; headers: NULL-terminated "HTTP_NAME=value" list. */
static void run(bool authorizer, const char *method, const char *path, char **headers)
{
	struct request req;
	size_t n = 0;

	while (headers && headers[n])
		n++;
	response_free(&resp);
	response_init(&resp);
	memset(&req, 0, sizeof(req));
	req.method = (char *)method;
	req.path = (char *)path;
	req.content_type = (char *)"application/json";
	req.remote_addr = (char *)"192.0.2.7";
	req.body = (uint8_t *)"{}";
	req.body_len = 2;
	req.headers = headers;
	req.nheaders = n;
	req.authorizer = authorizer;
	handle_request(&app, &req, &resp);
}

static void expect(int status, const char *body, const char *header_line)
{
	cr_assert_eq(resp.status, status, "status %d, expected %d (%s)", resp.status, status,
		     resp.body.data ? resp.body.data : "");
	if (body)
		cr_assert_str_eq(resp.body.data ? resp.body.data : "", body);
	if (header_line)
		cr_assert_not_null(resp.headers.data && strstr(resp.headers.data, header_line),
				   "header %s missing in [%s]", header_line,
				   resp.headers.data ? resp.headers.data : "");
}

#define DENY_401 "{\"error\":\"invalid_token\"}"
#define BEARER_401 "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
/* No token at all: the bare challenge (RFC 6750 section 3.1). */
#define BARE_401 "WWW-Authenticate: Bearer\r\n"

TestSuite(authz, .init = setup, .fini = teardown);

Test(authz, refresh_valid_token_reaches_the_backend_with_the_claim)
{
	char *h[] = {"HTTP_AUTHORIZATION=Bearer " TOKEN, "HTTP_X_USER=mallory", NULL};

	run(false, "POST", "/refresh", h);
	expect(200, NULL, NULL);
	cr_assert_eq(fk.calls, 1);
	cr_assert_not_null(strstr(fk.headers, "X-User: u-42\n"), "%s", fk.headers);
	cr_assert_null(strstr(fk.headers, "mallory"), "the client chose its X-User: %s",
		       fk.headers);
	cr_assert_not_null(strstr(resp.body.data, "\"access_token\":\"eyJ"), "%s", resp.body.data);
}

Test(authz, refresh_denials_never_reach_the_backend)
{
	char *none[] = {NULL};
	char *forged[] = {"HTTP_AUTHORIZATION=Bearer " TOKEN "x", NULL};
	char *basic[] = {"HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz", NULL};
	char *lower[] = {"HTTP_AUTHORIZATION=bearer " TOKEN, NULL};

	run(false, "POST", "/refresh", none);
	expect(401, DENY_401, BARE_401);
	run(false, "POST", "/refresh", forged);
	expect(401, DENY_401, BEARER_401);
	run(false, "POST", "/refresh", basic);
	expect(401, DENY_401, BEARER_401);
	cr_assert_eq(fk.calls, 0);
	run(false, "POST", "/refresh", lower); /* "Bearer " in any case, as KrakenD */
	expect(200, NULL, NULL);
	cr_assert_eq(fk.calls, 1);
}

/* Default leeway: 1 s (KrakenD's). */
Test(authz, refresh_expiry_one_second_each_side)
{
	char *h[] = {"HTTP_AUTHORIZATION=Bearer " TOKEN, NULL};

	clock_set_override(EXP + 1);
	run(false, "POST", "/refresh", h);
	expect(200, NULL, NULL);
	clock_set_override(EXP + 2);
	run(false, "POST", "/refresh", h);
	expect(401, DENY_401, BEARER_401);
	cr_assert_eq(fk.calls, 1);
}

Test(authz, refresh_without_keys_is_503_and_authorizer_401)
{
	char *h[] = {"HTTP_AUTHORIZATION=Bearer " TOKEN, NULL};

	teardown(); /* the suite's set-up, replaced by one without keys */
	setup_doc(TEST_DATA_DIR "/no-such-keys.json");
	run(false, "POST", "/refresh", h);
	expect(503, "{\"error\":\"keys_unavailable\"}", NULL);
	run(true, "GET", "/api/7", h);
	expect(401, DENY_401, BEARER_401);
	cr_assert_eq(fk.calls, 0);
}

Test(authz, authorizer_allows_with_variables)
{
	char *h[] = {"HTTP_AUTHORIZATION=Bearer " TOKEN, NULL};

	run(true, "GET", "/api/7", h);
	expect(200, "", "Variable-X-User: u-42\r\n");
	cr_assert_eq(fk.calls, 0, "the authorizer never calls a backend");
	/* the path a web server serves, not the raw bytes */
	run(true, "GET", "/api/x/../%37", h);
	expect(200, "", "Variable-X-User: u-42\r\n");
}

Test(authz, authorizer_denials)
{
	char *h[] = {"HTTP_AUTHORIZATION=Bearer " TOKEN, NULL};
	char *none[] = {NULL};

	run(true, "GET", "/api/7", none);
	expect(401, DENY_401, BARE_401);
	run(true, "GET", "/admin", h); /* no roles claim */
	expect(403, "{\"error\":\"insufficient_scope\"}",
	       "WWW-Authenticate: Bearer error=\"insufficient_scope\"\r\n");
	run(true, "GET", "/nothing", h);
	expect(403, "{\"error\":\"no_protected_route\"}", NULL);
	cr_assert_null(resp.headers.data && strstr(resp.headers.data, "WWW-Authenticate") ? ""
											  : NULL);
	run(true, "POST", "/api/7", h); /* the endpoint is GET */
	expect(403, "{\"error\":\"no_protected_route\"}", NULL);
	run(true, "GET", "/api/a%2fb", h);
	expect(403, "{\"error\":\"no_protected_route\"}", NULL);
	run(true, "GET", "/token", h); /* a signer endpoint without validator */
	expect(403, "{\"error\":\"no_protected_route\"}", NULL);
	clock_set_override(EXP + 2);
	run(true, "GET", "/api/7", h);
	expect(401, DENY_401, BEARER_401);
}

/* A protected endpoint is the web server's: the responder does not serve
 * it. */
Test(authz, responder_does_not_serve_protected_endpoints)
{
	char *h[] = {"HTTP_AUTHORIZATION=Bearer " TOKEN, NULL};

	run(false, "GET", "/api/7", h);
	expect(404, "{\"error\":\"not_found\"}", NULL);
	cr_assert_eq(fk.calls, 0);
}

/* A cookie is read only where cookie_key is configured (KrakenD reads
 * "access_token" by default; jwtsign does not: CSRF). */
Test(authz, cookie_only_when_configured)
{
	char *h[] = {"HTTP_COOKIE=theme=dark; access_token=" TOKEN "; x=1", NULL};
	char *quoted[] = {"HTTP_COOKIE=access_token=\"" TOKEN "\"", NULL};
	char *other[] = {"HTTP_COOKIE=access_tokens=" TOKEN, NULL};

	run(true, "GET", "/cookie", h);
	expect(200, "", "Variable-X-User: u-42\r\n");
	run(true, "GET", "/cookie", quoted);
	expect(200, "", NULL);
	run(true, "GET", "/cookie", other);
	expect(401, DENY_401, BARE_401);
	run(true, "GET", "/api/7", h);
	expect(401, DENY_401, BARE_401);
}

/* RFC 6750 section 2.1: "Bearer" 1*SP b64token. */
Test(authz, bearer_with_several_spaces)
{
	char *two[] = {"HTTP_AUTHORIZATION=Bearer  " TOKEN, NULL};
	char *tab[] = {"HTTP_AUTHORIZATION=Bearer\t" TOKEN, NULL};

	run(true, "GET", "/api/7", two);
	expect(200, "", NULL);
	run(true, "GET", "/api/7", tab);
	expect(401, DENY_401, BEARER_401);
}
