/* test_cors.c - the CORS answers of KrakenD's security/cors (rs/cors
 * v1.11 semantics), header lines byte for byte. */
#include "cors.h"
#include "err.h"

#include <criterion/criterion.h>
#include <string.h>

static char *origins[] = {"https://app.example", "https://*.example.org"};
static char *methods[] = {"POST", "GET"};
static char *headers[] = {"content-type", "x-requested-with"};

static struct cors spa(void)
{
	struct cors c = {0};

	c.enabled = true;
	c.origins = origins;
	c.norigins = 2;
	c.methods = methods;
	c.nmethods = 2;
	c.headers = headers;
	c.nheaders = 2;
	c.expose = "Authorization, X-Request-Id";
	c.credentials = true;
	c.max_age = 43200;
	c.preflight_status = 204;
	return c;
}

static void expect_preflight(const struct cors *c, const char *origin, const char *acrm,
			     const char *acrh, const char *want)
{
	struct buf out = BUF_INIT;
	int status = 0;

	cr_assert_eq(cors_preflight(c, origin, acrm, acrh, &out, &status), 0);
	cr_assert_eq(status, c->preflight_status);
	cr_assert_str_eq(out.data, want, "origin %s, method %s, headers %s", origin, acrm,
			 acrh ? acrh : "-");
	buf_free(&out);
}

#define VARY_PRE "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\r\n"

Test(cors, preflight_allowed)
{
	struct cors c = spa();

	expect_preflight(&c, "https://app.example", "POST", "content-type",
			 VARY_PRE "Access-Control-Allow-Origin: https://app.example\r\n"
				  "Access-Control-Allow-Methods: POST\r\n"
				  "Access-Control-Allow-Headers: content-type\r\n"
				  "Access-Control-Allow-Credentials: true\r\n"
				  "Access-Control-Max-Age: 43200\r\n");
	/* The wildcard origin, case-insensitively; no requested headers. */
	expect_preflight(&c, "https://Login.EXAMPLE.org", "GET", NULL,
			 VARY_PRE "Access-Control-Allow-Origin: https://Login.EXAMPLE.org\r\n"
				  "Access-Control-Allow-Methods: GET\r\n"
				  "Access-Control-Allow-Credentials: true\r\n"
				  "Access-Control-Max-Age: 43200\r\n");
}

Test(cors, preflight_refused_gets_vary_only)
{
	struct cors c = spa();

	expect_preflight(&c, "https://evil.example", "POST", NULL, VARY_PRE);
	expect_preflight(&c, "", "POST", NULL, VARY_PRE);
	expect_preflight(&c, NULL, "POST", NULL, VARY_PRE);
	expect_preflight(&c, "https://app.example", "DELETE", NULL, VARY_PRE);
	expect_preflight(&c, "https://app.example", "POST", "content-type, authorization",
			 VARY_PRE);
	/* The bare domain does not match the wildcard. */
	expect_preflight(&c, "https://example.org", "POST", NULL, VARY_PRE);
}

Test(cors, defaults_all_origins_and_headers)
{
	char *simple[] = {"GET", "POST", "HEAD"};
	struct cors c = {0};

	c.enabled = true;
	c.origins_all = true;
	c.headers_all = true;
	c.methods = simple;
	c.nmethods = 3;
	c.preflight_status = 204;
	expect_preflight(&c, "https://any.example", "POST", "x-custom, authorization",
			 VARY_PRE "Access-Control-Allow-Origin: *\r\n"
				  "Access-Control-Allow-Methods: POST\r\n"
				  "Access-Control-Allow-Headers: x-custom, authorization\r\n");
	expect_preflight(&c, "https://any.example", "PUT", NULL, VARY_PRE);
}

Test(cors, actual_answers)
{
	struct cors c = spa();
	struct buf out = BUF_INIT;

	cr_assert_eq(cors_actual(&c, "https://app.example", "POST", &out), 0);
	cr_assert_str_eq(out.data, "Vary: Origin\r\n"
				   "Access-Control-Allow-Origin: https://app.example\r\n"
				   "Access-Control-Expose-Headers: Authorization, X-Request-Id\r\n"
				   "Access-Control-Allow-Credentials: true\r\n");
	buf_reset(&out);
	cr_assert_eq(cors_actual(&c, "https://evil.example", "POST", &out), 0);
	cr_assert_str_eq(out.data, "Vary: Origin\r\n");
	buf_reset(&out);
	cr_assert_eq(cors_actual(&c, NULL, "POST", &out), 0);
	cr_assert_str_eq(out.data, "Vary: Origin\r\n");
	buf_reset(&out);
	cr_assert_eq(cors_actual(&c, "https://app.example", "DELETE", &out), 0);
	cr_assert_str_eq(out.data, "Vary: Origin\r\n");
	/* A control byte in the origin never splits a header line. */
	buf_reset(&out);
	c.origins_all = true;
	c.credentials = false;
	c.expose = NULL;
	cr_assert_eq(cors_actual(&c, "https://a\r\nX: 1", "GET", &out), 0);
	cr_assert_str_eq(out.data, "Vary: Origin\r\nAccess-Control-Allow-Origin: *\r\n");
	buf_free(&out);
}

Test(cors, is_preflight)
{
	cr_assert(cors_is_preflight("OPTIONS", "POST"));
	cr_assert_not(cors_is_preflight("OPTIONS", NULL));
	cr_assert_not(cors_is_preflight("OPTIONS", ""));
	cr_assert_not(cors_is_preflight("POST", "POST"));
}
