/* fetch.c - JWK Set download with libcurl under the TLS policy; see
 * fetch.h. */
#include "fetch.h"
#include "header_cap.h"
#include "tls.h"

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* At most this many redirects are followed. */
#define FETCH_MAX_REDIRS 3

/* State of one download, shared with the libcurl callbacks. */
struct fetch_ctx {
	const struct fetch_opts *o;
	struct fetch_result *res;
	CURL *curl;
	unsigned char pins[16][TLS_PIN_SIZE];
	size_t npins;
	int over_limit;
	struct header_cap header; /* o->max_header_bytes on each header block */
	int policy_rc;		  /* set when on_prereq refused a connection */
	struct err policy_err;
};

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
	unsigned char tmp[TLS_PIN_SIZE];

	if (o->npins > sizeof(c->pins) / sizeof(c->pins[0]))
		return err_set(err, ERR_INVALID, "jwk_fingerprints: at most %zu entries",
			       sizeof(c->pins) / sizeof(c->pins[0]));
	for (size_t i = 0; i < o->npins; i++) {
		if (tls_pin_decode(o->pins[i], c ? c->pins[i] : tmp) != 0)
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
	    (rc = tls_priority(o->suites, o->nsuites, prio, sizeof(prio), err)) != 0)
		return rc;
	if (tls_suite_versions(o->suites, o->nsuites) == 0)
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
	if (tls_session_suite(s, &id) != 0 || !tls_suite_allowed(c->o->suites, c->o->nsuites, id)) {
		snprintf(detail, sizeof(detail), "%s (%u)", name ? name : "?", id);
		return refuse(c, ERR_NET,
			      "jwk_url %s: %s negotiated the cipher suite %s, which cipher_suites "
			      "does not allow",
			      ip, port, detail);
	}
	return CURL_PREREQFUNC_OK;
}

/* The pins are compared with the certificates of the path from the leaf
 * to the trust anchor only (the leaf alone when verification is off):
 * an extra certificate the server appends, such as the genuine pinned one
 * after an attacker's leaf from any trusted CA, matches nothing. */
static int check_chain(struct fetch_ctx *c, gnutls_session_t s, const char *ip, int port)
{
	unsigned int n = 0;
	const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
	unsigned char h[TLS_PIN_SIZE];
	char seen[3 * 48] = "", b64[48];
	size_t used = 0, path[TLS_MAX_CHAIN];
	size_t len = chain ? tls_chain_path(chain, n, path, c->o->insecure ? 1 : TLS_MAX_CHAIN) : 0;

	for (size_t k = 0; k < len; k++) {
		if (tls_spki_sha256(chain[path[k]].data, chain[path[k]].size, h, NULL) != 0)
			continue;
		for (size_t j = 0; j < c->npins; j++) {
			if (sodium_memcmp(h, c->pins[j], TLS_PIN_SIZE) == 0)
				return CURL_PREREQFUNC_OK;
		}
		if (k < 3 && used + sizeof(b64) < sizeof(seen)) {
			sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
					  sodium_base64_VARIANT_ORIGINAL);
			used += (size_t)snprintf(seen + used, sizeof(seen) - used, "%s%s",
						 used ? " " : "", b64);
		}
	}
	return refuse(c, ERR_NET,
		      "jwk_url %s: no certificate of the chain presented by %s matches "
		      "jwk_fingerprints (SPKI SHA-256 of the leaf and its issuers: %s)",
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
	switch (tls_suite_versions(o->suites, o->nsuites)) {
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
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); /* decoded, as Go does */
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
	    (rc = tls_priority(o->suites, o->nsuites, prio, sizeof(prio), err)) != 0)
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
