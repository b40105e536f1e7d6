/* fetch.c - JWK Set download with libcurl under the TLS policy; see
 * fetch.h. */
#include "fetch.h"
#include "header_cap.h"

#include <curl/curl.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* At most this many redirects are followed. */
#define FETCH_MAX_REDIRS 3

/* The TLS 1.2 suites of the default policy (KrakenD's default list):
 * ECDHE with AES-GCM or ChaCha20-Poly1305.  Any TLS 1.3 suite is allowed
 * by default too. */
static const uint16_t default_suites[] = {
    0xc02b, /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    0xc02f, /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    0xc02c, /* TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
    0xc030, /* TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
    0xcca8, /* TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
    0xcca9, /* TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
};
#define NDEFAULT_SUITES (sizeof(default_suites) / sizeof(default_suites[0]))

/* One entry of GnuTLS's cipher-suite table. */
struct suite_info {
	uint16_t id;
	const char *name;	  /* GnuTLS's name, e.g. TLS_ECDHE_RSA_AES_128_GCM_SHA256 */
	gnutls_kx_algorithm_t kx; /* GNUTLS_KX_UNKNOWN for TLS 1.3 suites */
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t mac;
	gnutls_protocol_t min_version;
};

/* State of one download, shared with the libcurl callbacks. */
struct fetch_ctx {
	const struct fetch_opts *o;
	struct fetch_result *res;
	CURL *curl;
	unsigned char pins[16][FETCH_PIN_SIZE];
	size_t npins;
	int over_limit;
	struct header_cap header; /* o->max_header_bytes on each header block */
	int policy_rc;		  /* set when on_prereq refused a connection */
	struct err policy_err;
};

/* ------------------------------------------------------------ suites */

static int suite_lookup(uint16_t id, struct suite_info *out)
{
	unsigned char cs[2];

	for (size_t i = 0;; i++) {
		const char *name = gnutls_cipher_suite_info(i, cs, &out->kx, &out->cipher,
							    &out->mac, &out->min_version);

		if (name == NULL)
			return ERR_NOTFOUND;
		if ((uint16_t)(cs[0] << 8 | cs[1]) == id) {
			out->id = id;
			out->name = name;
			return 0;
		}
	}
}

static bool is_tls13_suite(const struct suite_info *s)
{
	return s->min_version == GNUTLS_TLS1_3;
}

bool fetch_suite_allowed(const uint16_t *suites, size_t n, uint16_t id)
{
	if (n == 0) {
		struct suite_info si;

		if (suite_lookup(id, &si) == 0 && is_tls13_suite(&si))
			return true;
		suites = default_suites;
		n = NDEFAULT_SUITES;
	}
	for (size_t i = 0; i < n; i++) {
		if (suites[i] == id)
			return true;
	}
	return false;
}

/* Which TLS versions the list needs: bit 0 = TLS 1.2, bit 1 = TLS 1.3. */
static int suite_versions(const uint16_t *suites, size_t n)
{
	int v = 0;

	if (n == 0)
		return 3;
	for (size_t i = 0; i < n; i++) {
		struct suite_info si;

		if (suite_lookup(suites[i], &si) == 0)
			v |= is_tls13_suite(&si) ? 2 : 1;
	}
	return v;
}

/* Append "+NAME" to the priority string p unless it is already there. */
static int add_token(struct buf *p, const char *name)
{
	char tok[64];

	if (name == NULL)
		return 0;
	snprintf(tok, sizeof(tok), ":+%s", name);
	if (p->data && strstr(p->data, tok) != NULL)
		return 0;
	return buf_puts(p, tok);
}

/* The three parts of suites[] (kx, cipher, mac) appended to p: one
 * "-X-ALL:+A:+B" group per part. */
static int add_parts(struct buf *p, const uint16_t *suites, size_t n, struct err *err)
{
	struct suite_info si;
	int rc = 0;

	for (int part = 0; part < 3 && rc == 0; part++) {
		rc = buf_puts(p, part == 0 ? ":-KX-ALL" : part == 1 ? ":-CIPHER-ALL" : ":-MAC-ALL");
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (suite_lookup(suites[i], &si) != 0)
				return err_set(
				    err, ERR_UNSUPPORTED,
				    "cipher_suites: %u (0x%04x) is not a cipher suite GnuTLS "
				    "knows",
				    suites[i], suites[i]);
			if (part == 0 && si.kx != GNUTLS_KX_UNKNOWN)
				rc = add_token(p, gnutls_kx_get_name(si.kx));
			else if (part == 1)
				rc = add_token(p, gnutls_cipher_get_name(si.cipher));
			else if (part == 2)
				rc = add_token(p, gnutls_mac_get_name(si.mac));
		}
	}
	return rc ? err_set(err, rc, "cipher_suites: out of memory") : 0;
}

int fetch_priority(const uint16_t *suites, size_t n, char *out, size_t size, struct err *err)
{
	struct buf p = BUF_INIT;
	int versions, rc;

	if (n == 0) {
		/* The TLS 1.2 default set; TLS 1.3 suites use the same ciphers. */
		suites = default_suites;
		n = NDEFAULT_SUITES;
		versions = 3;
	} else {
		versions = suite_versions(suites, n);
	}
	rc = buf_puts(&p, "NORMAL:-VERS-ALL");
	if (rc == 0 && (versions & 2))
		rc = buf_puts(&p, ":+VERS-TLS1.3");
	if (rc == 0 && (versions & 1))
		rc = buf_puts(&p, ":+VERS-TLS1.2");
	if (rc != 0) {
		buf_free(&p);
		return err_set(err, rc, "cipher_suites: out of memory");
	}
	rc = add_parts(&p, suites, n, err);
	if (rc == 0 && p.len + 1 > size)
		rc = err_set(err, ERR_LIMIT, "cipher_suites: priority string longer than %zu bytes",
			     size);
	if (rc == 0)
		memcpy(out, p.data, p.len + 1);
	buf_free(&p);
	return rc;
}

/* ------------------------------------------------------------ pins */

int fetch_pin_decode(const char *b64, unsigned char out[FETCH_PIN_SIZE])
{
	static const int variants[] = {
	    sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
	    sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING};
	size_t len = strlen(b64);

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		size_t bin_len = 0;
		const char *end = NULL;

		if (sodium_base642bin(out, FETCH_PIN_SIZE, b64, len, NULL, &bin_len, &end,
				      variants[i]) == 0 &&
		    end == b64 + len && bin_len == FETCH_PIN_SIZE)
			return 0;
	}
	return ERR_INVALID;
}

int fetch_spki_sha256(const unsigned char *der, size_t len, unsigned char out[FETCH_PIN_SIZE],
		      struct err *err)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t in = {(unsigned char *)der, (unsigned int)len};
	gnutls_datum_t spki = {NULL, 0};
	int rc = 0;

	if (len > 0xffffffffu)
		return err_set(err, ERR_INVALID, "certificate too large");
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_pubkey_init(&pub) < 0) {
		rc = err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_pubkey_import_x509(pub, crt, 0) < 0) {
		rc = err_set(err, ERR_INVALID, "not a DER X.509 certificate with a public key");
		goto out;
	}
	if (gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki) < 0 ||
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, out) < 0)
		rc = err_set(err, ERR_CRYPTO, "cannot hash the certificate's public key");
out:
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/* ------------------------------------------------------------ options */

static int check_scheme(const struct fetch_opts *o, struct err *err)
{
	if (o->url == NULL)
		return err_set(err, ERR_INVALID, "jwk_url: missing");
	if (strncasecmp(o->url, "https://", 8) == 0)
		return 0;
	if (o->insecure && strncasecmp(o->url, "http://", 7) == 0)
		return 0;
	return err_set(err, ERR_INVALID,
		       "jwk_url %s: only https:// is allowed (set disable_jwk_security to allow "
		       "http://)",
		       o->url);
}

static int check_pins(const struct fetch_opts *o, struct fetch_ctx *c, struct err *err)
{
	unsigned char tmp[FETCH_PIN_SIZE];

	if (o->npins > sizeof(c->pins) / sizeof(c->pins[0]))
		return err_set(err, ERR_INVALID, "jwk_fingerprints: at most %zu entries",
			       sizeof(c->pins) / sizeof(c->pins[0]));
	for (size_t i = 0; i < o->npins; i++) {
		if (fetch_pin_decode(o->pins[i], c ? c->pins[i] : tmp) != 0)
			return err_set(err, ERR_INVALID,
				       "jwk_fingerprints[%zu] \"%.64s\": not the base64 of a "
				       "SHA-256 digest (32 bytes)",
				       i, o->pins[i]);
	}
	if (c)
		c->npins = o->npins;
	return 0;
}

int fetch_check_opts(const struct fetch_opts *o, struct err *err)
{
	char prio[512];
	gnutls_priority_t pc;
	const char *where = NULL;
	int rc;

	if ((rc = check_scheme(o, err)) != 0 || (rc = check_pins(o, NULL, err)) != 0 ||
	    (rc = fetch_priority(o->suites, o->nsuites, prio, sizeof(prio), err)) != 0)
		return rc;
	if (suite_versions(o->suites, o->nsuites) == 0)
		return err_set(err, ERR_INVALID, "cipher_suites: no usable suite");
	rc = gnutls_priority_init(&pc, prio, &where);
	if (rc < 0)
		return err_set(err, ERR_UNSUPPORTED,
			       "cipher_suites: GnuTLS refuses the priority \"%s\" at \"%.32s\": %s",
			       prio, where ? where : "", gnutls_strerror(rc));
	gnutls_priority_deinit(pc);
	return 0;
}

/* ------------------------------------------------------------ callbacks */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct fetch_ctx *c = ud;
	size_t len = size * n;
	int rc = buf_append(&c->res->body, p, len);

	if (rc == ERR_LIMIT)
		c->over_limit = 1;
	return rc ? 0 : len;
}

/* Copy a header value (after "Name:") without blanks at the ends and
 * without control bytes. */
static void header_value(const char *line, size_t len, size_t skip, char *out, size_t outsz)
{
	size_t j = 0;

	while (skip < len && (line[skip] == ' ' || line[skip] == '\t'))
		skip++;
	for (size_t i = skip; i < len && j + 1 < outsz; i++) {
		unsigned char ch = (unsigned char)line[i];

		if (ch >= 0x20 && ch != 0x7f)
			out[j++] = (char)ch;
	}
	while (j > 0 && out[j - 1] == ' ')
		j--;
	out[j] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct fetch_ctx *c = ud;
	size_t len = size * n;
	bool status_line;

	/* A new status line starts a new header block (after a redirect). */
	if (header_cap_line(&c->header, p, len, &status_line) != 0)
		return 0; /* makes libcurl stop: CURLE_WRITE_ERROR */
	if (status_line) {
		c->res->etag[0] = '\0';
		c->res->last_modified[0] = '\0';
	} else if (len > 5 && strncasecmp(p, "ETag:", 5) == 0) {
		header_value(p, len, 5, c->res->etag, sizeof(c->res->etag));
	} else if (len > 14 && strncasecmp(p, "Last-Modified:", 14) == 0) {
		header_value(p, len, 14, c->res->last_modified, sizeof(c->res->last_modified));
	}
	return len;
}

static int refuse(struct fetch_ctx *c, int code, const char *fmt, const char *ip, int port,
		  const char *detail)
{
	char what[96];

	snprintf(what, sizeof(what), "%s port %d", ip ? ip : "?", port);
	c->policy_rc = err_set(&c->policy_err, code, fmt, c->o->url, what, detail);
	return CURL_PREREQFUNC_ABORT;
}

/* The negotiated suite's IANA number, from GnuTLS's table. */
static int negotiated_suite(gnutls_session_t s, uint16_t *id)
{
	gnutls_protocol_t ver = gnutls_protocol_get_version(s);
	gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
	gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s);
	gnutls_mac_algorithm_t mac = gnutls_mac_get(s);
	unsigned char cs[2];
	gnutls_kx_algorithm_t tkx;
	gnutls_cipher_algorithm_t tcipher;
	gnutls_mac_algorithm_t tmac;
	gnutls_protocol_t tver;

	for (size_t i = 0; gnutls_cipher_suite_info(i, cs, &tkx, &tcipher, &tmac, &tver); i++) {
		bool v13 = tver == GNUTLS_TLS1_3;

		if (tcipher != cipher || tmac != mac || v13 != (ver == GNUTLS_TLS1_3))
			continue;
		if (v13 || tkx == kx) {
			*id = (uint16_t)(cs[0] << 8 | cs[1]);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

static int check_suite(struct fetch_ctx *c, gnutls_session_t s, const char *ip, int port)
{
	gnutls_protocol_t ver = gnutls_protocol_get_version(s);
	const char *name = gnutls_ciphersuite_get(s);
	char detail[128];
	uint16_t id = 0;

	snprintf(c->res->tls, sizeof(c->res->tls), "%s %s", gnutls_protocol_get_name(ver),
		 name ? name : "?");
	if (ver != GNUTLS_TLS1_2 && ver != GNUTLS_TLS1_3)
		return refuse(c, ERR_NET, "jwk_url %s: %s negotiated %s (TLS 1.2 or 1.3 required)",
			      ip, port, gnutls_protocol_get_name(ver));
	if (negotiated_suite(s, &id) != 0 ||
	    !fetch_suite_allowed(c->o->suites, c->o->nsuites, id)) {
		snprintf(detail, sizeof(detail), "%s (%u)", name ? name : "?", id);
		return refuse(c, ERR_NET,
			      "jwk_url %s: %s negotiated the cipher suite %s, which cipher_suites "
			      "does not allow",
			      ip, port, detail);
	}
	return CURL_PREREQFUNC_OK;
}

static int check_chain(struct fetch_ctx *c, gnutls_session_t s, const char *ip, int port)
{
	unsigned int n = 0;
	const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
	unsigned char h[FETCH_PIN_SIZE];
	char seen[3 * 48] = "", b64[48];
	size_t used = 0;

	for (unsigned int i = 0; chain && i < n; i++) {
		if (fetch_spki_sha256(chain[i].data, chain[i].size, h, NULL) != 0)
			continue;
		for (size_t j = 0; j < c->npins; j++) {
			if (sodium_memcmp(h, c->pins[j], FETCH_PIN_SIZE) == 0)
				return CURL_PREREQFUNC_OK;
		}
		if (i < 3 && used + sizeof(b64) < sizeof(seen)) {
			sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
					  sodium_base64_VARIANT_ORIGINAL);
			used += (size_t)snprintf(seen + used, sizeof(seen) - used, "%s%s",
						 used ? " " : "", b64);
		}
	}
	return refuse(c, ERR_NET,
		      "jwk_url %s: no certificate of the chain presented by %s matches "
		      "jwk_fingerprints (the chain's SPKI SHA-256: %s)",
		      ip, port, seen[0] ? seen : "none");
}

/* Called by libcurl once a connection is set up (or reused) and before
 * each request: the TLS policy checks of fetch.h. */
static int on_prereq(void *ud, char *ip, char *local_ip, int port, int local_port)
{
	struct fetch_ctx *c = ud;
	struct curl_tlssessioninfo *ti = NULL;
	gnutls_session_t s;
	int rc;

	(void)local_ip;
	(void)local_port;
	if (curl_easy_getinfo(c->curl, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK || ti == NULL ||
	    ti->internals == NULL) {
		c->res->tls[0] = '\0';
		if (c->npins)
			return refuse(c, ERR_NET,
				      "jwk_url %s: the connection to %s is not TLS, but "
				      "jwk_fingerprints are set%s",
				      ip, port, "");
		return CURL_PREREQFUNC_OK;
	}
	if (ti->backend != CURLSSLBACKEND_GNUTLS)
		return refuse(c, ERR_INTERNAL, "jwk_url %s: %s: libcurl does not use GnuTLS%s", ip,
			      port, "");
	s = ti->internals;
	rc = check_suite(c, s, ip, port);
	if (rc == CURL_PREREQFUNC_OK && c->npins)
		rc = check_chain(c, s, ip, port);
	return rc;
}

/* ------------------------------------------------------------ transfer */

static int json_content_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 0;
	n = strcspn(ct, "; \t");
	return (n == 16 && strncasecmp(ct, "application/json", n) == 0) ||
	       (n == 24 && strncasecmp(ct, "application/jwk-set+json", n) == 0);
}

static struct curl_slist *conditional_headers(const struct fetch_opts *o)
{
	struct curl_slist *h = NULL, *t;
	char line[512];

	if (o->etag && *o->etag) {
		snprintf(line, sizeof(line), "If-None-Match: %s", o->etag);
		if ((t = curl_slist_append(h, line)) != NULL)
			h = t;
	}
	if (o->last_modified && *o->last_modified) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", o->last_modified);
		if ((t = curl_slist_append(h, line)) != NULL)
			h = t;
	}
	return h;
}

static long ssl_version(const struct fetch_opts *o)
{
	switch (suite_versions(o->suites, o->nsuites)) {
	case 1:
		return (long)(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2);
	case 2:
		return (long)CURL_SSLVERSION_TLSv1_3;
	default:
		return (long)CURL_SSLVERSION_TLSv1_2;
	}
}

static void setup(CURL *curl, const struct fetch_opts *o, struct fetch_ctx *c,
		  struct curl_slist *hdrs, const char *prio, char *errbuf)
{
	const char *protos = o->insecure ? "http,https" : "https";

	curl_easy_setopt(curl, CURLOPT_URL, o->url);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protos);
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protos);
	curl_easy_setopt(curl, CURLOPT_SSLVERSION, ssl_version(o));
	curl_easy_setopt(curl, CURLOPT_SSL_CIPHER_LIST, prio);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (o->ca_path)
		curl_easy_setopt(curl, CURLOPT_CAPATH, o->ca_path);
	if (o->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(curl, CURLOPT_PREREQDATA, c);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "jwtsign/" PACKAGE_VERSION);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
}

static int map_error(CURLcode cc, const struct fetch_ctx *c, const char *errbuf, struct err *err)
{
	const struct fetch_opts *o = c->o;
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_ABORTED_BY_CALLBACK:
		if (c->policy_rc) {
			if (err)
				*err = c->policy_err;
			return c->policy_rc;
		}
		return err_set(err, ERR_INTERNAL, "jwk_url %s: %s", o->url, why);
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(err, ERR_TIMEOUT, "jwk_url %s: %s", o->url, why);
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		if (c->header.over)
			return err_set(err, ERR_LIMIT,
				       "jwk_url %s: response header block larger than %zu bytes "
				       "(max_header_size)",
				       o->url, o->max_header_bytes);
		if (c->over_limit || cc == CURLE_FILESIZE_EXCEEDED)
			return err_set(
			    err, ERR_LIMIT,
			    "jwk_url %s: JWK Set larger than %zu bytes (max_jwk_set_size)", o->url,
			    o->max_bytes);
		return err_set(err, ERR_NOMEM, "jwk_url %s: out of memory", o->url);
	case CURLE_TOO_MANY_REDIRECTS:
		return err_set(err, ERR_HTTP, "jwk_url %s: more than %d redirects", o->url,
			       FETCH_MAX_REDIRS);
	case CURLE_UNSUPPORTED_PROTOCOL:
		return err_set(err, ERR_HTTP, "jwk_url %s: %s (redirects are followed to %s only)",
			       o->url, why, o->insecure ? "http:// and https://" : "https://");
	case CURLE_PEER_FAILED_VERIFICATION:
		return err_set(err, ERR_NET,
			       "jwk_url %s: the server's certificate is not trusted (%s); add its "
			       "CA with jwk_local_ca",
			       o->url, why);
	case CURLE_SSL_CACERT_BADFILE:
		return err_set(err, ERR_IO,
			       "jwk_url %s: jwk_local_ca %s cannot be read or holds no PEM "
			       "certificate (%s)",
			       o->url, o->ca_file ? o->ca_file : "(system store)", why);
	case CURLE_SSL_CONNECT_ERROR:
		return err_set(err, ERR_NET, "jwk_url %s: TLS handshake failed: %s", o->url, why);
	case CURLE_OUT_OF_MEMORY:
		/* libcurl 7.88 also reports a response header line over its
		 * 100 KiB limit this way: a bad answer rather than our memory. */
		return err_set(err, ERR_IO,
			       "jwk_url %s: %s (a response header over libcurl's limit?)", o->url,
			       why);
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return err_set(err, ERR_IO, "jwk_url %s: %s", o->url, why);
	default:
		return err_set(err, ERR_NET, "jwk_url %s: %s", o->url, why);
	}
}

static int check_answer(CURL *curl, const struct fetch_opts *o, struct fetch_result *res,
			struct err *err)
{
	char *ct = NULL;

	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
	if (res->status == 304 &&
	    ((o->etag && *o->etag) || (o->last_modified && *o->last_modified)))
		return 0;
	if (res->status != 200)
		return err_set(err, ERR_HTTP, "jwk_url %s: HTTP status %ld (200 expected)", o->url,
			       res->status);
	curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
	if (!json_content_type(ct))
		return err_set(err, ERR_HTTP,
			       "jwk_url %s: Content-Type \"%.64s\" is not application/json or "
			       "application/jwk-set+json",
			       o->url, ct ? ct : "");
	return 0;
}

int fetch_jwks(const struct fetch_opts *o, struct fetch_result *res, struct err *err)
{
	struct fetch_ctx *c = NULL;
	struct curl_slist *hdrs = NULL;
	char prio[512];
	char errbuf[CURL_ERROR_SIZE];
	CURL *curl = NULL;
	CURLcode cc;
	int rc;

	res->status = 0;
	res->etag[0] = '\0';
	res->last_modified[0] = '\0';
	res->tls[0] = '\0';
	errbuf[0] = '\0';
	buf_reset(&res->body);
	res->body.limit = o->max_bytes;
	if ((rc = check_scheme(o, err)) != 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return err_set(err, ERR_NOMEM, "jwk_url %s: out of memory", o->url);
	c->o = o;
	c->res = res;
	header_cap_init(&c->header, o->max_header_bytes);
	if ((rc = check_pins(o, c, err)) != 0 ||
	    (rc = fetch_priority(o->suites, o->nsuites, prio, sizeof(prio), err)) != 0)
		goto out;
	curl = curl_easy_init();
	if (curl == NULL) {
		rc = err_set(err, ERR_NOMEM, "jwk_url %s: cannot create a libcurl handle", o->url);
		goto out;
	}
	c->curl = curl;
	hdrs = conditional_headers(o);
	setup(curl, o, c, hdrs, prio, errbuf);
	cc = curl_easy_perform(curl);
	rc = cc == CURLE_OK ? check_answer(curl, o, res, err) : map_error(cc, c, errbuf, err);
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(hdrs);
	free(c);
	return rc;
}
