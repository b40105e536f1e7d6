/* Unit tests for jwk_pkcs11.c: the key_uri checks, the redaction of a
 * pin-value, and what is refused before any token is asked.  Signing on a
 * token is tests/integration/pkcs11.sh (SoftHSM2). */
#include <criterion/criterion.h>
#include <string.h>

#include "jwk.h"
#include "jwk_pkcs11.h"

static int check(const char *uri, bool *value, bool *pin)
{
	struct err e = {0};

	return jwk_pkcs11_uri_check(uri, value, pin, &e);
}

Test(jwk_pkcs11, uri_check)
{
	bool value = true, pin = true;

	cr_assert_eq(check("pkcs11:token=t;object=k;type=private", &value, &pin), 0);
	cr_assert(!value && !pin);
	cr_assert_eq(check("PKCS11:object=k?pin-value=12%2534", &value, &pin), 0);
	cr_assert(value && pin);
	cr_assert_eq(
	    check("pkcs11:object=k?module-name=softhsm2&pin-source=/etc/pin", &value, &pin), 0);
	cr_assert(!value && pin);
	cr_assert_eq(check("file:/etc/key.pem", NULL, NULL), ERR_INVALID);
	cr_assert_eq(check("pkcs11:object=k?pin-source=file:/etc/pin", NULL, NULL), ERR_INVALID);
	cr_assert_eq(check("pkcs11:object=k?pin-source=", NULL, NULL), ERR_INVALID);
	cr_assert_eq(check("pkcs11:object=k?pin-value=1&pin-value=2", NULL, NULL), ERR_INVALID);
	cr_assert_eq(check("pkcs11:object=k?pin-value=%4", NULL, NULL), ERR_INVALID);
	cr_assert_eq(check("pkcs11:object=k?pin-value=%00", NULL, NULL), ERR_INVALID);
}

Test(jwk_pkcs11, redact)
{
	char out[128];

	jwk_pkcs11_uri_redact("pkcs11:token=t;object=k?pin-value=1234&module-name=m", out,
			      sizeof(out));
	cr_assert_str_eq(out, "pkcs11:token=t;object=k?pin-value=REDACTED&module-name=m");
	jwk_pkcs11_uri_redact("pkcs11:pin-value=1234;object=k", out, sizeof(out));
	cr_assert_str_eq(out, "pkcs11:pin-value=REDACTED;object=k");
	jwk_pkcs11_uri_redact("pkcs11:object=x-pin-value=1", out, sizeof(out));
	cr_assert_str_eq(out, "pkcs11:object=x-pin-value=1");
	jwk_pkcs11_uri_redact("pkcs11:object=a\nb?pin-source=/p", out, sizeof(out));
	cr_assert_str_eq(out, "pkcs11:object=a?b?pin-source=/p");
	jwk_pkcs11_uri_redact("pkcs11:object=k?pin-value=1234", out, 20);
	cr_assert_eq(strlen(out), 19);
	cr_assert_null(strstr(out, "1234"));
}

Test(jwk_pkcs11, hmac_refused_before_the_token)
{
	struct jwk_pkcs11_opts o = {"pkcs11:object=k?pin-value=1234", NULL, "k1", JWS_ALG_HS256};
	struct jwk *key = (struct jwk *)1;
	struct err e = {0};
	bool has_pub = true;

	cr_assert_eq(jwk_pkcs11_open(&o, &key, NULL, &has_pub, &e), ERR_UNSUPPORTED);
	cr_assert_null(key);
	cr_assert(!has_pub);
	cr_assert(strstr(e.msg, "HS256 cannot sign through PKCS#11"), "%s", e.msg);
	cr_assert(strstr(e.msg, "pin-value=REDACTED"), "%s", e.msg);
	cr_assert_null(strstr(e.msg, "1234"), "%s", e.msg);
	o.alg = JWS_ALG_INVALID;
	cr_assert_eq(jwk_pkcs11_open(&o, &key, NULL, &has_pub, &e), ERR_UNSUPPORTED);
}

Test(jwk_pkcs11, bad_uri_refused_before_the_token)
{
	struct jwk_pkcs11_opts o = {"pkcs11:object=k?pin-source=relative", NULL, "k1",
				    JWS_ALG_ES256};
	struct jwk *key = NULL;
	struct err e = {0};
	bool has_pub;

	cr_assert_eq(jwk_pkcs11_open(&o, &key, NULL, &has_pub, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "absolute"), "%s", e.msg);
}
