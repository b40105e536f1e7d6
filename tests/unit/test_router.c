/* Unit tests for router.c: path matching and url_pattern expansion. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "route.h"
#include "router.h"

#define EP(PATH, METHOD)                                                                           \
	{                                                                                          \
		.endpoint = (char *)(PATH), .method = (char *)(METHOD), .has_signer = true         \
	}

/* Built by hand, so that these tests do not depend on config.c. */
static struct cfg_endpoint endpoints[] = {
    EP("/token", "POST"),	     /* 0 */
    EP("/users/{id}", "POST"),	     /* 1 */
    EP("/users/me", "POST"),	     /* 2: literal, later in file order */
    EP("/a/{x}/c/{y}", "POST"),	     /* 3 */
    EP("/token/", "POST"),	     /* 4: trailing slash is significant */
    EP("/", "GET"),		     /* 5 */
    EP("/users/{id}", "GET"),	     /* 6: same pattern, other method */
    EP("/x/{first}", "POST"),	     /* 7 */
    EP("/x/{second}", "POST"),	     /* 8: never reached by router_match */
    EP("/t/{tenant}/token", "POST"), /* 9 */
};
static struct cfg test_cfg = {
    .path = (char *)"router-test",
    .endpoints = endpoints,
    .nendpoints = sizeof(endpoints) / sizeof(endpoints[0]),
};

struct match_case {
	const char *path;
	int want;	/* index into endpoints, or -1 */
	const char *p1; /* "name=value" of the first captured parameter, or NULL */
	const char *p2; /* of the second */
};

static const struct match_case match_cases[] = {
    {"/token", 0, NULL, NULL},
    {"/token/", 4, NULL, NULL},
    {"/users/42", 1, "id=42", NULL},
    {"/users/me", 2, NULL, NULL}, /* literal beats an earlier pattern */
    {"/users/mee", 1, "id=mee", NULL},
    {"/users/a%20b", 1, "id=a%20b", NULL}, /* not decoded */
    {"/users/...", 1, "id=...", NULL},
    {"/users/.x", 1, "id=.x", NULL},
    {"/users/%2e%2e%2e", 1, "id=%2e%2e%2e", NULL},
    {"/a/1/c/2", 3, "x=1", "y=2"},
    {"/a/%20/c/b", 3, "x=%20", "y=b"},
    {"/users/100%25", 1, "id=100%25", NULL},		   /* a '%' itself */
    {"/users/%C3%A9t%C3%A9", 1, "id=%C3%A9t%C3%A9", NULL}, /* UTF-8 */
    {"/users/%2541", 1, "id=%2541", NULL},		   /* "%41" once, "A" twice */
    {"/x/1", 7, "first=1", NULL},			   /* first pattern in file order */
    {"/t/acme/token", 9, "tenant=acme", NULL},
    {"/", 5, NULL, NULL},
    {"/users/", -1, NULL, NULL}, /* a parameter is never empty */
    {"/users", -1, NULL, NULL},
    {"/users/42/", -1, NULL, NULL},
    {"/users/42/x", -1, NULL, NULL},
    {"/users/.", -1, NULL, NULL},
    {"/users/..", -1, NULL, NULL},
    {"/users/%2e%2E", -1, NULL, NULL},
    {"/users/.%2e", -1, NULL, NULL},
    {"/users/%2E", -1, NULL, NULL},
    /* Decoded (once or more), a value holds no '/', '\\', ';', NUL or
     * control byte and is no dot segment. */
    {"/a/%2F/c/b", -1, NULL, NULL},
    {"/a/%2f/c/b", -1, NULL, NULL},
    {"/users/%2e%2e%2fadmin", -1, NULL, NULL},
    {"/users/..%2Fadmin", -1, NULL, NULL},
    {"/users/..%5cadmin", -1, NULL, NULL},
    {"/users/..%5C", -1, NULL, NULL},
    {"/users/a\\b", -1, NULL, NULL},
    {"/users/..;", -1, NULL, NULL},
    {"/users/x;jsessionid=1", -1, NULL, NULL},
    {"/users/%3b", -1, NULL, NULL},
    {"/users/a%00b", -1, NULL, NULL},
    {"/users/a%0d%0aX-Injected:%201", -1, NULL, NULL},
    {"/users/a%09b", -1, NULL, NULL},
    {"/users/a%7fb", -1, NULL, NULL},
    {"/users/%252e%252e", -1, NULL, NULL},
    {"/users/%25252e%2e", -1, NULL, NULL},
    {"/users/%252f", -1, NULL, NULL},
    {"/users/%25%32%65", -1, NULL, NULL}, /* "%2e" once: '.' only if decoded twice */
    {"/users/%", -1, NULL, NULL},	  /* malformed escapes */
    {"/users/%2", -1, NULL, NULL},
    {"/users/%zz", -1, NULL, NULL},
    {"/users/a b", -1, NULL, NULL},
    {"/users/a\tb", -1, NULL, NULL},
    {"/users/a?b", -1, NULL, NULL},
    {"/users/a#b", -1, NULL, NULL},
    {"/a/1/d/2", -1, NULL, NULL},
    {"/a//c/2", -1, NULL, NULL},
    {"/t//token", -1, NULL, NULL},
    {"", -1, NULL, NULL},
    {"token", -1, NULL, NULL},
    {"//token", -1, NULL, NULL},
    {"/token//", -1, NULL, NULL},
    {"/TOKEN", -1, NULL, NULL},	    /* case-sensitive */
    {"/token?x=1", -1, NULL, NULL}, /* the caller strips the query */
    {"/tokens", -1, NULL, NULL},
    {"/toke", -1, NULL, NULL},
};

static void check_param(const struct route_params *p, size_t i, const char *want)
{
	char got[128];

	if (want == NULL) {
		cr_assert(p->n <= i, "unexpected parameter %zu", i);
		return;
	}
	cr_assert(p->n > i, "missing parameter %zu (%s)", i, want);
	snprintf(got, sizeof(got), "%.*s=%.*s", (int)p->p[i].name_len, p->p[i].name,
		 (int)p->p[i].value_len, p->p[i].value);
	cr_assert_str_eq(got, want);
}

static void check_match(const struct match_case *c)
{
	struct route_params params;
	const struct cfg_endpoint *e;

	memset(&params, 0x55, sizeof(params));
	e = router_match(&test_cfg, c->path, &params);
	if (c->want < 0) {
		cr_assert_null(e, "\"%s\" matched %s", c->path, e ? e->endpoint : "");
		cr_assert_eq(params.n, 0);
		return;
	}
	cr_assert_eq(e, &endpoints[c->want], "\"%s\": got %s, expected %s", c->path,
		     e ? e->endpoint : "(none)", endpoints[c->want].endpoint);
	check_param(&params, 0, c->p1);
	check_param(&params, 1, c->p2);
	cr_assert_eq(params.n, (size_t)(c->p1 != NULL) + (c->p2 != NULL));
}

Test(router, match)
{
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++)
		check_match(&match_cases[i]);
}

Test(router, params_may_be_null)
{
	cr_assert_eq(router_match(&test_cfg, "/users/42", NULL), &endpoints[1]);
	cr_assert_null(router_match(&test_cfg, "/nope", NULL));
}

Test(router, empty_config)
{
	struct cfg empty = {0};
	struct route_params p;

	cr_assert_null(router_match(&empty, "/token", &p));
	cr_assert_null(router_match(NULL, "/token", &p));
}

struct method_case {
	const char *method;
	const char *path;
	int want;
	bool path_matched;
};

static const struct method_case match_method_cases[] = {
    {"POST", "/users/42", 1, true}, {"GET", "/users/42", 6, true},
    {"GET", "/users/me", 6, true}, /* the literal one is POST only */
    {"POST", "/users/me", 2, true}, {"DELETE", "/users/42", -1, true}, /* 405 */
    {"post", "/token", -1, true}, /* methods are case-sensitive */
    {"GET", "/token", -1, true},    {"POST", "/token", 0, true},
    {"GET", "/nope", -1, false}, /* 404 */
    {"POST", "/x/1", 7, true},
};

static void check_match_method(const struct method_case *c)
{
	struct route_params params;
	bool pm = !c->path_matched;
	const struct cfg_endpoint *e =
	    router_match_method(&test_cfg, c->method, c->path, &params, &pm);

	if (c->want < 0)
		cr_assert_null(e, "%s %s matched %s %s", c->method, c->path, e ? e->method : "",
			       e ? e->endpoint : "");
	else
		cr_assert_eq(e, &endpoints[c->want], "%s %s: got %s", c->method, c->path,
			     e ? e->endpoint : "(none)");
	cr_assert_eq(pm, c->path_matched, "%s %s", c->method, c->path);
}

Test(router, match_method)
{
	for (size_t i = 0; i < sizeof(match_method_cases) / sizeof(match_method_cases[0]); i++)
		check_match_method(&match_method_cases[i]);
}

Test(router, match_method_params)
{
	struct route_params p;
	const struct cfg_endpoint *e = router_match_method(&test_cfg, "GET", "/users/7", &p, NULL);

	cr_assert_eq(e, &endpoints[6]);
	cr_assert_eq(p.n, 1);
	cr_assert_eq(p.p[0].value_len, 1);
	cr_assert_eq(p.p[0].value[0], '7');
}

/* ------------------------------------------------------------ expansion */

/* Captures for {id}=42, {tenant}=acme, {x}=a%2Fb. */
static struct route_params sample_params(void)
{
	static const char path[] = "42acmea%2Fb";
	static const char pattern[] = "idtenantx";
	struct route_params p = {0};

	p.n = 3;
	p.p[0].name = pattern;
	p.p[0].name_len = 2;
	p.p[0].value = path;
	p.p[0].value_len = 2;
	p.p[1].name = pattern + 2;
	p.p[1].name_len = 6;
	p.p[1].value = path + 2;
	p.p[1].value_len = 4;
	p.p[2].name = pattern + 8;
	p.p[2].name_len = 1;
	p.p[2].value = path + 6;
	p.p[2].value_len = 5;
	return p;
}

struct expand_case {
	const char *pattern;
	int rc;
	const char *want; /* appended to "PRE" */
};

static const struct expand_case expand_cases[] = {
    {"/login", 0, "PRE/login"},
    {"/users/{id}", 0, "PRE/users/42"},
    {"/t/{tenant}/u/{id}", 0, "PRE/t/acme/u/42"},
    {"/{id}{id}", 0, "PRE/4242"},
    {"{id}", 0, "PRE42"},
    {"/q?u={id}&t={tenant}", 0, "PRE/q?u=42&t=acme"},
    {"/raw/{x}", 0, "PRE/raw/a%2Fb"},
    {"/lone/{id", 0, "PRE/lone/{id"},
    {"/lone/}", 0, "PRE/lone/}"},
    {"", 0, "PRE"},
    {"/u/{nope}", ERR_INVALID, "PRE"},
    {"/u/{}", ERR_INVALID, "PRE"},
    {"/u/{ID}", ERR_INVALID, "PRE"}, /* names are case-sensitive */
    {"/u/{i}", ERR_INVALID, "PRE"},
    {"/u/{idx}", ERR_INVALID, "PRE"},
};

static void check_expand(const struct expand_case *c)
{
	struct route_params p = sample_params();
	struct buf out = BUF_INIT;
	struct err e = {0};
	int rc;

	cr_assert_eq(buf_puts(&out, "PRE"), 0);
	rc = route_expand(&out, c->pattern, &p, &e);
	cr_assert_eq(rc, c->rc, "\"%s\": rc %d (%s)", c->pattern, rc, e.msg);
	cr_assert_str_eq(out.data, c->want);
	cr_assert_eq(out.len, strlen(c->want));
	if (rc == ERR_INVALID)
		cr_assert(strstr(e.msg, "url_pattern"), "%s", e.msg);
	buf_free(&out);
}

Test(router, expand)
{
	for (size_t i = 0; i < sizeof(expand_cases) / sizeof(expand_cases[0]); i++)
		check_expand(&expand_cases[i]);
}

Test(router, expand_no_params)
{
	struct buf out = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(route_expand(&out, "/plain", NULL, &e), 0);
	cr_assert_str_eq(out.data, "/plain");
	cr_assert_eq(route_expand(&out, "/{id}", NULL, &e), ERR_INVALID);
	cr_assert_str_eq(out.data, "/plain");
	buf_free(&out);
}

Test(router, expand_limit)
{
	struct route_params p = sample_params();
	struct buf out;
	struct err e = {0};

	buf_init(&out, 10);
	cr_assert_eq(buf_puts(&out, "http://h"), 0);
	cr_assert_eq(route_expand(&out, "/users/{id}", &p, &e), ERR_LIMIT);
	cr_assert_eq(out.len, 8);
	cr_assert_str_eq(out.data, "http://h");
	buf_free(&out);
}

/* Matching then expanding, as the handler does. */
Test(router, match_then_expand)
{
	struct route_params p;
	struct buf out = BUF_INIT;
	struct err e = {0};
	const struct cfg_endpoint *ep = router_match(&test_cfg, "/a/one/c/two", &p);

	cr_assert_eq(ep, &endpoints[3]);
	cr_assert_eq(route_expand(&out, "/backend/{y}/{x}", &p, &e), 0);
	cr_assert_str_eq(out.data, "/backend/two/one");
	buf_free(&out);
}

/* The Allow header lists each method whose endpoint wins for the path. */
Test(router, allowed_methods)
{
	char allow[64];

	router_allowed_methods(&test_cfg, "/users/42", allow, sizeof(allow));
	cr_assert_str_eq(allow, "POST, GET");
	router_allowed_methods(&test_cfg, "/token", allow, sizeof(allow));
	cr_assert_str_eq(allow, "POST");
	router_allowed_methods(&test_cfg, "/nowhere", allow, sizeof(allow));
	cr_assert_str_eq(allow, "");
	router_allowed_methods(&test_cfg, "/users/42", allow, 6);
	cr_assert_str_eq(allow, "POST");
}

Test(router, find_jwks)
{
	struct cfg_endpoint eps[] = {EP("/token", "POST"), EP("/other", "POST")};
	struct cfg cfg = {.endpoints = eps, .nendpoints = 2};

	eps[1].signer.jwks_endpoint = (char *)"/.well-known/jwks.json";
	cr_assert_eq(router_find_jwks(&cfg, "/.well-known/jwks.json"), &eps[1]);
	cr_assert_null(router_find_jwks(&cfg, "/.well-known/jwks.json/"));
	cr_assert_null(router_find_jwks(&cfg, "/token"));
}

/* The pattern checks config.c runs (route.h); their messages do not
 * repeat the pattern (config.c prefixes it). */
Test(router, pattern_checks)
{
	struct err e = {0};

	cr_assert_eq(route_check_endpoint("/u/{id}/{v.2}", &e), 0);
	cr_assert_eq(route_check_endpoint("/u/x{id}", &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "whole segment"), "%s", e.msg);
	cr_assert_eq(route_check_endpoint("/u/{id}/{id}", &e), ERR_INVALID);
	cr_assert_str_eq(e.msg, "parameter {id} appears twice");
	cr_assert_eq(route_check_endpoint("/u?x", &e), ERR_INVALID);
	cr_assert_str_eq(e.msg, "character '?' not allowed in a path");
	cr_assert_eq(route_check_path("/u?x", true, &e), 0);
	cr_assert_eq(route_check_url_pattern("/b/{id}?q=1", "/u/{id}", &e), 0);
	cr_assert_eq(route_check_url_pattern("/b/{nope}", "/u/{id}", &e), ERR_INVALID);
	cr_assert_str_eq(e.msg, "placeholder {nope} is not a parameter of the endpoint");
	cr_assert_eq(route_check_url_pattern("/b/}", "/u/{id}", &e), ERR_INVALID);
	cr_assert_eq(route_check_url_pattern("/b/{", "/u/{id}", &e), ERR_INVALID);
	/* Same route (config.c also compares the methods). */
	cr_assert(route_same("/u/{id}", "/u/{x}"));
	cr_assert(route_same("/u/{id}/t", "/u/{x}/t"));
	cr_assert_not(route_same("/u/{id}", "/u/id"));
	cr_assert_not(route_same("/u/{id}", "/u/{id}/"));
	cr_assert_not(route_same("/u", "/u/{id}"));
}

/* The authorizer's normal form (route_normalize): what lighttpd, Apache
 * and nginx serve for a raw path, so that /api/doc/%73ecret is matched as
 * the /api/doc/secret it opens. */
static void expect_normal(const char *raw, const char *want)
{
	struct buf out = BUF_INIT;
	int rc = route_normalize(raw, &out);

	if (want == NULL) {
		cr_expect_eq(rc, ERR_INVALID, "%s: refused (got %d, \"%s\")", raw, rc,
			     out.data ? out.data : "");
	} else {
		cr_expect_eq(rc, 0, "%s: %d", raw, rc);
		cr_expect_str_eq(out.data ? out.data : "", want, "%s", raw);
	}
	buf_free(&out);
}

Test(router, normalize)
{
	expect_normal("/", "/");
	expect_normal("/api/hello", "/api/hello");
	expect_normal("/api/hello/", "/api/hello/");
	expect_normal("/api/doc/%73ecret", "/api/doc/secret");
	expect_normal("/api/doc/%73%65cret", "/api/doc/secret");
	expect_normal("/api/hello/../admin", "/api/admin");
	expect_normal("/api/./admin", "/api/admin");
	expect_normal("/api//admin", "/api/admin");
	expect_normal("//api///admin", "/api/admin");
	expect_normal("/api/%2e%2e/admin", "/admin");
	expect_normal("/a/b/..", "/a/");
	expect_normal("/a/b/.", "/a/b/");
	expect_normal("/a/..", "/");
	expect_normal("/api/x%20y", "/api/x y");
	expect_normal("/api/%41", "/api/A");
	/* refused: the caller denies */
	expect_normal("", NULL);
	expect_normal("api", NULL);
	expect_normal("/..", NULL);
	expect_normal("/a/../..", NULL);
	expect_normal("/api/doc%2fsecret", NULL);
	expect_normal("/api/doc%2Fsecret", NULL);
	expect_normal("/api/doc\\secret", NULL);
	expect_normal("/api/doc%5csecret", NULL);
	expect_normal("/api/%00", NULL);
	expect_normal("/api/%0d%0a", NULL);
	expect_normal("/api/%zz", NULL);
	expect_normal("/api/%4", NULL);
	expect_normal("/api/%", NULL);
}

/* A protected endpoint (a validator, no signer) is the web server's: the
 * responder never routes to it, nor lists its method. */
Test(router, protected_endpoints_are_not_routed)
{
	struct cfg_endpoint eps[] = {EP("/api/{id}", "GET"), EP("/api/{id}", "POST")};
	struct cfg cfg = {.endpoints = eps, .nendpoints = 2};
	char allow[64];
	bool matched = true;

	eps[0].has_signer = false;
	eps[0].has_validator = true;
	cr_assert_null(router_match_method(&cfg, "GET", "/api/7", NULL, &matched));
	cr_assert(matched); /* POST serves the path: 405 */
	cr_assert_eq(router_match(&cfg, "/api/7", NULL), &eps[1]);
	router_allowed_methods(&cfg, "/api/7", allow, sizeof(allow));
	cr_assert_str_eq(allow, "POST");
	eps[1].has_signer = false;
	cr_assert_null(router_match_method(&cfg, "POST", "/api/7", NULL, &matched));
	cr_assert_not(matched); /* 404 */
}
