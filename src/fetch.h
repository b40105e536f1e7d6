/* fetch.h - download a JWK Set document over HTTP(S) with libcurl, under
 * the signer's TLS policy (see jwtsign.json(5): jwk_url,
 * disable_jwk_security, jwk_local_ca, jwk_fingerprints, cipher_suites).
 *
 * The policy, for every connection of a download (redirects included):
 * - https:// only (http:// too when insecure), TLS 1.2 or 1.3, the server
 *   certificate verified against the system store (libcurl's CA path,
 *   /etc/ssl/certs on Debian) plus ca_file, and the host name checked;
 * - when pins are given, the SHA-256 of the SubjectPublicKeyInfo of at
 *   least one certificate of the chain the server presented must be one of
 *   them (KrakenD's rule); a connection without TLS is then refused;
 * - the negotiated cipher suite must be one of suites (default: ECDHE with
 *   AES-GCM or ChaCha20-Poly1305 under TLS 1.2, any TLS 1.3 suite).
 * These checks run right after each TLS handshake, before the request is
 * sent (CURLOPT_PREREQFUNCTION on the GnuTLS session), so nothing is read
 * from a server that fails them.  libcurl 7.88's GnuTLS backend ignores
 * CURLOPT_SSL_CIPHER_LIST (it always offers its "NORMAL" priority), so the
 * suite list is enforced on the negotiated suite, and the TLS versions
 * offered are narrowed to those the listed suites need; the GnuTLS
 * priority string of the list is still passed, for libcurl versions that
 * honour it.  The policy's parts (suite tables, priority strings, pins)
 * are in tls.h.
 */
#ifndef JWTSIGN_FETCH_H
#define JWTSIGN_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct fetch_opts {
	const char *url;
	bool insecure;	     /* disable_jwk_security: http:// allowed, no cert checks */
	const char *ca_file; /* extra trusted CA PEM file, or NULL */
	const char *ca_path; /* directory of trusted CAs standing for the system
			      * store, or NULL for libcurl's default (tests) */
	char *const *pins;   /* jwk_fingerprints (base64 SHA-256 of SPKI, any
			      * alphabet, padded or not) */
	size_t npins;
	const uint16_t *suites; /* IANA cipher suite numbers, or NULL for the default */
	size_t nsuites;
	unsigned connect_timeout_ms;
	unsigned timeout_ms;	   /* whole download */
	size_t max_bytes;	   /* body cap */
	size_t max_header_bytes;   /* cap on each answer's header block (status
				    * line and header lines), bytes; 0: none */
	const char *etag;	   /* for a conditional GET (If-None-Match), or NULL */
	const char *last_modified; /* for If-Modified-Since, or NULL */
};

struct fetch_result {
	long status;		 /* final HTTP status: 200, or 304 for a conditional GET */
	struct buf body;	 /* the document (status 200); the caller inits it
				  * with buf_init_secret (it may hold secret keys:
				  * then no copy is left when it grows) and frees it */
	char etag[256];		 /* ETag of the answer, or "" */
	char last_modified[128]; /* Last-Modified of the answer, or "" */
	char tls[96];		 /* "TLS1.3 TLS_AES_256_GCM_SHA384" of the last TLS
				  * connection, or "" (plain http) */
};

/* fetch_jwks - GET opts->url under the policy above.  At most 3
 * redirects, to https:// only unless insecure.  Accepted: status 200 with
 * a JSON Content-Type (application/json or application/jwk-set+json,
 * parameters allowed), or 304 when etag/last_modified were given.
 * res->body is reset first and receives the document.
 * Returns 0, ERR_INVALID (URL scheme not allowed, bad pin or suite: see
 * fetch_check_opts), ERR_NET (connect, TLS handshake, certificate, pin or
 * cipher suite refused), ERR_TIMEOUT, ERR_HTTP (other status or content
 * type, too many redirects), ERR_LIMIT (body over max_bytes, or a header
 * block over max_header_bytes), ERR_IO (ca_file
 * unreadable, transfer cut), ERR_NOMEM.  The message names the URL. */
int fetch_jwks(const struct fetch_opts *opts, struct fetch_result *res, struct err *err);

/* fetch_check_opts - validate the policy of opts without any I/O: the URL
 * scheme, every pin (base64 of 32 bytes), every suite (known to GnuTLS,
 * and a priority string GnuTLS accepts).  For configuration checks at
 * startup.  Returns 0, ERR_INVALID or ERR_UNSUPPORTED (message names the
 * setting and the value). */
int fetch_check_opts(const struct fetch_opts *opts, struct err *err);

#endif
