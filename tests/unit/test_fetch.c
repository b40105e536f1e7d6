/* test_fetch.c - the JWK Set download under the TLS policy: pin decoding
 * and SPKI hashing against certtool's pin-sha256, the cipher-suite mapping
 * for every suite the config accepts, and real downloads from a local
 * HTTP(S) stub (tls_stub.c) with the certificates of tests/data/tls-*
 * (made by tests/data/tls-gen.sh): trust, extra CA, pins on the leaf and
 * the intermediate, wrong CA, cipher restrictions, http, redirects,
 * status, type, size, timeouts. */
#include <criterion/criterion.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "tls.h"
#include "tls_stub.h"

#define D TEST_DATA_DIR "/"
#define CHAIN D "tls-chain.pem"
#define LEAF_KEY D "tls-leaf.key"
#define ROOT D "tls-root.pem"
#define OTHER D "tls-other.pem"

static struct stub stub;
static char url[128];

/* certtool's pin-sha256 of tests/data/tls-NAME.pem (tls-pins.txt). */
static void pin_of(const char *name, char *out, size_t size)
{
	FILE *f = fopen(D "tls-pins.txt", "r");
	char n[32], p[128];

	cr_assert_not_null(f);
	out[0] = '\0';
	while (fscanf(f, "%31s %127s", n, p) == 2) {
		if (strcmp(n, name) == 0)
			snprintf(out, size, "%s", p);
	}
	fclose(f);
	cr_assert_neq(out[0], '\0', "no pin for %s", name);
}

static void opts_init(struct fetch_opts *o, const char *u)
{
	memset(o, 0, sizeof(*o));
	o->url = u;
	/* generous: the stub is slow under valgrind */
	o->connect_timeout_ms = 20000;
	o->timeout_ms = 30000;
	o->max_bytes = 65536;
}

/* res must be zero-initialised before the first call; its body buffer
 * is reused (fetch_jwks resets it) and freed by the test. */
static int get(struct fetch_opts *o, struct fetch_result *res, struct err *e)
{
	struct buf body = res->body;

	memset(res, 0, sizeof(*res));
	res->body = body;
	err_clear(e);
	return fetch_jwks(o, res, e);
}

static void start_https(const char *priority)
{
	cr_assert_eq(stub_start(&stub, CHAIN, LEAF_KEY, priority), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/jwks.json", stub.port);
}

static void start_http(void)
{
	cr_assert_eq(stub_start(&stub, NULL, NULL, NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/jwks.json", stub.port);
}

static void teardown(void)
{
	stub_stop(&stub);
}

TestSuite(fetch, .fini = teardown);

/* ------------------------------------------------------------ pins */

Test(fetch, pin_decode_accepts_every_base64_flavour)
{
	static const char *forms[] = {
	    "CBbt9NURGPWj3BTEnLs/D2t54X6a/FuhnQhed+q+mKE=",
	    "CBbt9NURGPWj3BTEnLs/D2t54X6a/FuhnQhed+q+mKE",
	    "CBbt9NURGPWj3BTEnLs_D2t54X6a_FuhnQhed-q-mKE=",
	    "CBbt9NURGPWj3BTEnLs_D2t54X6a_FuhnQhed-q-mKE",
	};
	unsigned char ref[TLS_PIN_SIZE], got[TLS_PIN_SIZE];

	cr_assert_eq(tls_pin_decode(forms[0], ref), 0);
	cr_assert_eq(ref[0], 0x08);
	cr_assert_eq(ref[31], 0xa1);
	for (size_t i = 1; i < 4; i++) {
		cr_assert_eq(tls_pin_decode(forms[i], got), 0, "%s", forms[i]);
		cr_assert_eq(memcmp(ref, got, sizeof(ref)), 0, "%s", forms[i]);
	}
	cr_assert_eq(tls_pin_decode("", got), ERR_INVALID);
	cr_assert_eq(tls_pin_decode("CBbt9NURGPWj3BTEnLs/D2t54X6a/Fuh", got), ERR_INVALID);
	cr_assert_eq(tls_pin_decode("CBbt9NURGPWj3BTEnLs/D2t54X6a/FuhnQhed+q+mKE=x", got),
		     ERR_INVALID);
	cr_assert_eq(tls_pin_decode("CBbt9NURGPWj3BTEnLs/D2t54X6a/FuhnQhed+q+mK!=", got),
		     ERR_INVALID);
}

static void der_of(const char *path, gnutls_datum_t *der)
{
	gnutls_datum_t pem;
	gnutls_x509_crt_t crt;

	cr_assert_eq(gnutls_load_file(path, &pem), 0);
	cr_assert_eq(gnutls_x509_crt_init(&crt), 0);
	cr_assert_eq(gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM), 0);
	cr_assert_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, der), 0);
	gnutls_x509_crt_deinit(crt);
	gnutls_free(pem.data);
}

Test(fetch, spki_sha256_matches_certtool_pin)
{
	static const char *names[] = {"root", "int", "leaf", "other"};

	for (size_t i = 0; i < 4; i++) {
		char path[512], pin[128];
		unsigned char want[TLS_PIN_SIZE], got[TLS_PIN_SIZE];
		gnutls_datum_t der;

		snprintf(path, sizeof(path), D "tls-%s.pem", names[i]);
		pin_of(names[i], pin, sizeof(pin));
		cr_assert_eq(tls_pin_decode(pin, want), 0);
		der_of(path, &der);
		cr_assert_eq(tls_spki_sha256(der.data, der.size, got, NULL), 0);
		cr_assert_eq(memcmp(want, got, sizeof(got)), 0, "pin of %s", names[i]);
		gnutls_free(der.data);
	}
	cr_assert_eq(tls_spki_sha256((const unsigned char *)"nope", 4,
				     (unsigned char[TLS_PIN_SIZE]){0}, NULL),
		     ERR_INVALID);
}

struct path_case {
	const char *sent[4]; /* names of tests/data/tls-NAME.pem, leaf first */
	size_t want[4], nwant;
};

/* The path from the leaf follows issuers among the sent certificates;
 * unrelated or appended certificates are not on it. */
Test(fetch, chain_path_follows_issuers_only)
{
	static const struct path_case cases[] = {
	    {{"leaf", "int"}, {0, 1}, 2},
	    {{"leaf", "int", "root"}, {0, 1, 2}, 3},
	    {{"leaf", "root", "int"}, {0, 2, 1}, 3}, /* any order */
	    {{"leaf", "other", "int"}, {0, 2}, 2},   /* unrelated CA skipped */
	    {{"leaf", "other"}, {0}, 1},
	    {{"leaf", "leaf"}, {0}, 1},	       /* a leaf issues nothing */
	    {{"int", "leaf"}, {0, 0}, 1},      /* the leaf did not issue int */
	    {{"root", "int", "leaf"}, {0}, 1}, /* self-signed: the end */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gnutls_datum_t der[4];
		size_t n = 0, idx[TLS_MAX_CHAIN], got;
		char path[512];

		for (; n < 4 && cases[i].sent[n]; n++) {
			snprintf(path, sizeof(path), D "tls-%s.pem", cases[i].sent[n]);
			der_of(path, &der[n]);
		}
		got = tls_chain_path(der, n, idx, TLS_MAX_CHAIN);
		cr_assert_eq(got, cases[i].nwant, "case %zu: %zu on the path", i, got);
		for (size_t k = 0; k < got; k++)
			cr_assert_eq(idx[k], cases[i].want[k], "case %zu, position %zu", i, k);
		cr_assert_eq(tls_chain_path(der, n, idx, 1), 1, "max 1: the leaf alone");
		for (size_t k = 0; k < n; k++)
			gnutls_free(der[k].data);
	}
	cr_assert_eq(tls_chain_path(NULL, 0, (size_t[1]){0}, 1), 0);
}

/* ------------------------------------------------------------ suites */

/* The suites a priority string enables, from GnuTLS itself. */
static int enabled(const char *prio, uint16_t id)
{
	gnutls_priority_t p;
	unsigned sidx;
	int found = 0;

	cr_assert_geq(gnutls_priority_init(&p, prio, NULL), 0, "%s", prio);
	for (unsigned i = 0; gnutls_priority_get_cipher_suite_index(p, i, &sidx) !=
			     GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE;
	     i++) {
		unsigned char cs[2];

		if (gnutls_priority_get_cipher_suite_index(p, i, &sidx) < 0)
			continue;
		if (gnutls_cipher_suite_info(sidx, cs, NULL, NULL, NULL, NULL) &&
		    (uint16_t)(cs[0] << 8 | cs[1]) == id)
			found = 1;
	}
	gnutls_priority_deinit(p);
	return found;
}

Test(fetch, every_config_suite_maps_to_gnutls)
{
	unsigned known = 0;

	for (unsigned id = 0; id <= 0xffff; id++) {
		uint16_t s = (uint16_t)id;
		char prio[512];
		struct err e = {0};
		struct fetch_opts o;

		if (tls_cipher_suite_name(s) == NULL)
			continue;
		known++;
		cr_assert_eq(tls_priority(&s, 1, prio, sizeof(prio), &e), 0, "%u: %s", id, e.msg);
		opts_init(&o, "https://example.org/");
		o.suites = &s;
		o.nsuites = 1;
		cr_assert_eq(fetch_check_opts(&o, &e), 0, "%u: %s", id, e.msg);
		cr_assert(tls_suite_allowed(&s, 1, s));
		/* RC4 stays off in GnuTLS's NORMAL base even when asked for. */
		if (strstr(tls_cipher_suite_name(s), "RC4") == NULL)
			cr_assert(enabled(prio, s), "%u (%s) not enabled by %s", id,
				  tls_cipher_suite_name(s), prio);
	}
	cr_assert_geq(known, 30);
}

Test(fetch, unknown_suite_is_refused)
{
	uint16_t s = 0x1234;
	char prio[512];
	struct err e = {0};
	struct fetch_opts o;

	cr_assert_eq(tls_priority(&s, 1, prio, sizeof(prio), &e), ERR_UNSUPPORTED);
	cr_assert(strstr(e.msg, "4660") != NULL, "%s", e.msg);
	opts_init(&o, "https://example.org/");
	o.suites = &s;
	o.nsuites = 1;
	cr_assert_eq(fetch_check_opts(&o, &e), ERR_UNSUPPORTED);
}

Test(fetch, priority_strings)
{
	uint16_t one = 49199, tls13 = 0x1301;
	char prio[512];

	cr_assert_eq(tls_priority(&one, 1, prio, sizeof(prio), NULL), 0);
	cr_assert(enabled(prio, 49199), "%s", prio);
	cr_assert_not(enabled(prio, 49200), "%s", prio);  /* AES-256-GCM not asked */
	cr_assert_not(enabled(prio, 49195), "%s", prio);  /* ECDSA not asked */
	cr_assert_not(enabled(prio, 0x1301), "%s", prio); /* no TLS 1.3 suite listed */
	cr_assert_eq(tls_priority(&tls13, 1, prio, sizeof(prio), NULL), 0);
	cr_assert(strstr(prio, "+VERS-TLS1.3") && !strstr(prio, "+VERS-TLS1.2"), "%s", prio);
	/* the default: ECDHE + AEAD, TLS 1.2 and 1.3 */
	cr_assert_eq(tls_priority(NULL, 0, prio, sizeof(prio), NULL), 0);
	cr_assert(enabled(prio, 49199) && enabled(prio, 52393) && enabled(prio, 0x1302), "%s",
		  prio);
	cr_assert_not(enabled(prio, 47), "%s", prio);	 /* RSA kx, CBC */
	cr_assert_not(enabled(prio, 49171), "%s", prio); /* CBC */
	cr_assert_eq(tls_priority(&one, 1, prio, 8, NULL), ERR_LIMIT);
}

Test(fetch, suite_allowed)
{
	uint16_t list[] = {49199};

	cr_assert(tls_suite_allowed(NULL, 0, 0x1301));
	cr_assert(tls_suite_allowed(NULL, 0, 0x1303));
	cr_assert(tls_suite_allowed(NULL, 0, 49199));
	cr_assert(tls_suite_allowed(NULL, 0, 52393));
	cr_assert_not(tls_suite_allowed(NULL, 0, 47));
	cr_assert_not(tls_suite_allowed(NULL, 0, 49171));
	cr_assert(tls_suite_allowed(list, 1, 49199));
	cr_assert_not(tls_suite_allowed(list, 1, 49200));
	cr_assert_not(tls_suite_allowed(list, 1, 0x1301));
}

Test(fetch, check_opts)
{
	struct fetch_opts o;
	char *bad[] = {"AAAA"};
	struct err e = {0};

	opts_init(&o, "http://example.org/");
	cr_assert_eq(fetch_check_opts(&o, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "disable_jwk_security"), "%s", e.msg);
	o.insecure = true;
	cr_assert_eq(fetch_check_opts(&o, &e), 0);
	opts_init(&o, "ftp://example.org/");
	o.insecure = true;
	cr_assert_eq(fetch_check_opts(&o, &e), ERR_INVALID);
	opts_init(&o, "https://example.org/");
	o.pins = bad;
	o.npins = 1;
	cr_assert_eq(fetch_check_opts(&o, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "jwk_fingerprints[0]"), "%s", e.msg);
}

/* ------------------------------------------------------------ trust */

Test(fetch, https_trusted_through_jwk_local_ca)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;

	start_https(NULL);
	stub_set_body(&stub, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"}]}");
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"v1\"");
	opts_init(&o, url);
	o.ca_file = ROOT;
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body.data, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"}]}");
	cr_assert_str_eq(r.etag, "\"v1\"");
	cr_assert(strncmp(r.tls, "TLS1.", 5) == 0, "%s", r.tls);
	cr_assert(strstr(stub.cfg->last_request, "GET /jwks.json HTTP/1.1"), "%s",
		  stub.cfg->last_request);
	cr_assert(strstr(stub.cfg->last_request, "User-Agent: jwtsign/"));
	buf_wipe_free(&r.body);
}

Test(fetch, untrusted_server_is_refused)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;

	start_https(NULL);
	opts_init(&o, url);
	cr_assert_eq(get(&o, &r, &e), ERR_NET); /* the system store only */
	cr_assert(strstr(e.msg, "not trusted") && strstr(e.msg, url), "%s", e.msg);
	o.ca_file = OTHER; /* wrong CA */
	cr_assert_eq(get(&o, &r, &e), ERR_NET);
	cr_assert(strstr(e.msg, "not trusted"), "%s", e.msg);
	cr_assert_eq(stub.cfg->requests, 0);
	o.ca_file = D "no-such-ca.pem";
	cr_assert_eq(get(&o, &r, &e), ERR_IO);
	cr_assert(strstr(e.msg, "no-such-ca.pem"), "%s", e.msg);
	buf_wipe_free(&r.body);
}

/* A directory standing for the system store, holding only cert. */
static void store_with(char *dir, size_t size, const char *cert)
{
	char cmd[1024];

	snprintf(dir, size, "/tmp/jwtsign-test-store.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	if (cert) {
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s/ca.pem'", cert, dir);
		cr_assert_eq(system(cmd), 0);
	}
}

static void rm_store(const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(fetch, local_ca_is_in_addition_to_the_system_store)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;
	char with_root[64], empty[64];

	start_https(NULL);
	store_with(with_root, sizeof(with_root), ROOT);
	store_with(empty, sizeof(empty), NULL);
	opts_init(&o, url);
	o.ca_path = with_root;
	o.ca_file = OTHER; /* does not replace the store */
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	o.ca_path = empty;
	cr_assert_eq(get(&o, &r, &e), ERR_NET);
	o.ca_file = ROOT;
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	rm_store(with_root);
	rm_store(empty);
	buf_wipe_free(&r.body);
}

/* ------------------------------------------------------------ pins */

static int get_pinned(const char *pin, struct err *e)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	char *pins[2];
	int rc;

	pins[0] = (char *)pin;
	opts_init(&o, url);
	o.ca_file = ROOT;
	o.pins = pins;
	o.npins = 1;
	rc = get(&o, &r, e);
	buf_wipe_free(&r.body);
	return rc;
}

Test(fetch, pins_match_leaf_or_intermediate)
{
	char leaf[128], in[128], url_form[128];
	struct err e;

	start_https(NULL);
	pin_of("leaf", leaf, sizeof(leaf));
	pin_of("int", in, sizeof(in));
	cr_assert_eq(get_pinned(leaf, &e), 0, "%s", e.msg);
	cr_assert_eq(get_pinned(in, &e), 0, "%s", e.msg);
	/* KrakenD writes them base64url; without padding works too */
	snprintf(url_form, sizeof(url_form), "%s", in);
	for (char *p = url_form; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	url_form[strcspn(url_form, "=")] = '\0';
	cr_assert_eq(get_pinned(url_form, &e), 0, "%s", e.msg);
	cr_assert_eq(stub.cfg->requests, 3);
}

Test(fetch, pin_mismatch_is_refused_before_the_request)
{
	char root[128], other[128], leaf[128];
	struct err e;

	start_https(NULL);
	pin_of("root", root, sizeof(root));
	pin_of("other", other, sizeof(other));
	pin_of("leaf", leaf, sizeof(leaf));
	cr_assert_eq(get_pinned(other, &e), ERR_NET);
	cr_assert(strstr(e.msg, url) && strstr(e.msg, "jwk_fingerprints"), "%s", e.msg);
	cr_assert(strstr(e.msg, leaf), "the presented pins are shown: %s", e.msg);
	/* the root is not in the chain the server presents */
	cr_assert_eq(get_pinned(root, &e), ERR_NET);
	cr_assert_eq(stub.cfg->requests, 0);
}

Test(fetch, pins_are_checked_without_verification_too)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;
	char other[128], *pins[1];

	start_https(NULL);
	pin_of("other", other, sizeof(other));
	pins[0] = other;
	opts_init(&o, url);
	o.insecure = true; /* no CA: verification skipped */
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	o.pins = pins;
	o.npins = 1;
	cr_assert_eq(get(&o, &r, &e), ERR_NET);
	cr_assert(strstr(e.msg, "jwk_fingerprints"), "%s", e.msg);
	buf_wipe_free(&r.body);
}

/* ------------------------------------------------------------ cipher suites */

Test(fetch, suite_restriction_the_server_cannot_meet_fails)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;
	uint16_t aes128[] = {49199}, aes256[] = {49200};

	/* the server speaks TLS 1.2 with ECDHE-RSA-AES256-GCM only */
	start_https("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:-KX-ALL:+ECDHE-RSA");
	opts_init(&o, url);
	o.ca_file = ROOT;
	o.suites = aes128;
	o.nsuites = 1;
	cr_assert_eq(get(&o, &r, &e), ERR_NET);
	cr_assert(strstr(e.msg, url), "%s", e.msg);
	cr_assert_eq(stub.cfg->requests, 0);
	o.suites = aes256;
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	cr_assert(strstr(r.tls, "TLS1.2"), "%s", r.tls);
	buf_wipe_free(&r.body);
}

Test(fetch, tls12_only_list_fails_on_a_tls13_only_server)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;
	uint16_t tls12[] = {49199, 49200, 52392}, tls13[] = {0x1301, 0x1302, 0x1303};

	start_https("NORMAL:-VERS-ALL:+VERS-TLS1.3");
	opts_init(&o, url);
	o.ca_file = ROOT;
	o.suites = tls12;
	o.nsuites = 3;
	cr_assert_eq(get(&o, &r, &e), ERR_NET);
	o.suites = tls13;
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	cr_assert(strstr(r.tls, "TLS1.3"), "%s", r.tls);
	buf_wipe_free(&r.body);
}

Test(fetch, tls12_only_list_caps_the_version)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;
	uint16_t aes128[] = {49199};

	/* the server speaks TLS 1.2 and 1.3, AES-128-GCM only: without the
	 * cap TLS 1.3 (suite 0x1301, not listed) would be negotiated */
	start_https("NORMAL:-CIPHER-ALL:+AES-128-GCM");
	opts_init(&o, url);
	o.ca_file = ROOT;
	o.suites = aes128;
	o.nsuites = 1;
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	cr_assert(strstr(r.tls, "TLS1.2"), "%s", r.tls);
	buf_wipe_free(&r.body);
}

Test(fetch, default_policy_refuses_cbc)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;

	start_https("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1");
	opts_init(&o, url);
	o.ca_file = ROOT;
	cr_assert_eq(get(&o, &r, &e), ERR_NET);
	cr_assert(strstr(e.msg, "cipher_suites") || strstr(e.msg, "handshake"), "%s", e.msg);
	cr_assert_eq(stub.cfg->requests, 0);
	buf_wipe_free(&r.body);
}

/* ------------------------------------------------------------ http */

Test(fetch, http_needs_disable_jwk_security)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;
	char leaf[128], *pins[1];

	start_http();
	opts_init(&o, url);
	cr_assert_eq(get(&o, &r, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "disable_jwk_security"), "%s", e.msg);
	cr_assert_eq(stub.cfg->requests, 0);
	o.insecure = true;
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	cr_assert_str_eq(r.body.data, "{\"keys\":[]}");
	cr_assert_str_eq(r.tls, "");
	/* pins cannot be checked on a plain connection: refused */
	pin_of("leaf", leaf, sizeof(leaf));
	pins[0] = leaf;
	o.pins = pins;
	o.npins = 1;
	cr_assert_eq(get(&o, &r, &e), ERR_NET);
	cr_assert(strstr(e.msg, "not TLS"), "%s", e.msg);
	buf_wipe_free(&r.body);
}

Test(fetch, status_type_size_and_conditional_get)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;

	start_http();
	opts_init(&o, url);
	o.insecure = true;
	stub.cfg->status = 404;
	cr_assert_eq(get(&o, &r, &e), ERR_HTTP);
	cr_assert(strstr(e.msg, "404"), "%s", e.msg);
	stub.cfg->status = 200;
	snprintf(stub.cfg->ctype, sizeof(stub.cfg->ctype), "text/html");
	cr_assert_eq(get(&o, &r, &e), ERR_HTTP);
	cr_assert(strstr(e.msg, "text/html"), "%s", e.msg);
	snprintf(stub.cfg->ctype, sizeof(stub.cfg->ctype),
		 "application/jwk-set+json; charset=utf-8");
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	o.max_bytes = 5;
	cr_assert_eq(get(&o, &r, &e), ERR_LIMIT);
	o.max_bytes = 65536;
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"abc\"");
	o.etag = "\"abc\"";
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.status, 304);
	cr_assert(strstr(stub.cfg->last_request, "If-None-Match: \"abc\""));
	o.etag = "\"old\"";
	o.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(stub.cfg->last_request, "If-Modified-Since: Mon, 01 Jan 2024"));
	/* 304 without a conditional request is an error */
	o.etag = NULL;
	o.last_modified = NULL;
	stub.cfg->status = 304;
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "%s", "");
	cr_assert_eq(get(&o, &r, &e), ERR_HTTP);
	buf_wipe_free(&r.body);
}

Test(fetch, redirects)
{
	struct stub second;
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;

	start_https(NULL);
	cr_assert_eq(stub_start(&second, NULL, NULL, NULL), 0);
	/* https -> http refused without disable_jwk_security */
	stub.cfg->status = 302;
	snprintf(stub.cfg->location, sizeof(stub.cfg->location), "http://127.0.0.1:%d/k.json",
		 second.port);
	opts_init(&o, url);
	o.ca_file = ROOT;
	cr_assert_eq(get(&o, &r, &e), ERR_HTTP);
	cr_assert_eq(second.cfg->requests, 0);
	/* followed when allowed */
	o.insecure = true;
	cr_assert_eq(get(&o, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(second.cfg->requests, 1);
	/* a loop: at most 3 redirects */
	second.cfg->status = 302;
	snprintf(second.cfg->location, sizeof(second.cfg->location), "/again");
	cr_assert_eq(get(&o, &r, &e), ERR_HTTP);
	cr_assert(strstr(e.msg, "redirects"), "%s", e.msg);
	cr_assert_eq(second.cfg->requests, 1 + 3);
	stub_stop(&second);
	buf_wipe_free(&r.body);
}

Test(fetch, timeout_and_refused_connection)
{
	struct fetch_opts o;
	struct fetch_result r = {0};
	struct err e;

	start_http();
	stub.cfg->delay_ms = 1500;
	opts_init(&o, url);
	o.insecure = true;
	o.timeout_ms = 300;
	cr_assert_eq(get(&o, &r, &e), ERR_TIMEOUT);
	cr_assert(strstr(e.msg, url), "%s", e.msg);
	opts_init(&o, "http://127.0.0.1:1/jwks.json");
	o.insecure = true;
	cr_assert_eq(get(&o, &r, &e), ERR_NET);
	buf_wipe_free(&r.body);
}
