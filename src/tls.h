/* tls.h - the TLS policy of a JWK Set download, without the transfer:
 * the cipher suites a configuration may name (IANA numbers and names,
 * Go's "insecure" list), the default suites, the GnuTLS priority string
 * of a suite list, and the public-key pins of jwk_fingerprints (RFC 7469
 * section 2.4 "pin-sha256": the SHA-256 of a certificate's
 * SubjectPublicKeyInfo).  fetch.c applies it to each connection; the
 * configuration reader checks "cipher_suites" and "jwk_fingerprints"
 * against it.  See jwtsign.json(5).
 */
#ifndef JWTSIGN_TLS_H
#define JWTSIGN_TLS_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Size of a decoded pin: a SHA-256 digest, in bytes. */
#define TLS_PIN_SIZE 32

/* tls_cipher_suite_name - the IANA name of a TLS cipher suite number
 * accepted in "cipher_suites" (e.g. 49199 ->
 * "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), or NULL when unknown.  Static
 * string. */
const char *tls_cipher_suite_name(uint16_t id);

/* tls_cipher_suite_insecure - whether the suite numbered id (one
 * tls_cipher_suite_name knows) is in Go's tls.InsecureCipherSuites(): the
 * configuration accepts it with a warning.  False for unknown numbers. */
bool tls_cipher_suite_insecure(uint16_t id);

/* tls_priority - the GnuTLS priority string selecting the suites
 * suites[0..n-1] (IANA numbers; n == 0: the default set), written to out
 * (size bytes, NUL-terminated).  GnuTLS selects key exchange, cipher and
 * MAC separately, so the string may also allow combinations of the listed
 * suites' parts; fetch_jwks refuses any negotiated suite not listed.
 * Returns 0, ERR_UNSUPPORTED (a number GnuTLS does not know, named in the
 * message) or ERR_LIMIT (out too small). */
int tls_priority(const uint16_t *suites, size_t n, char *out, size_t size, struct err *err);

/* tls_suite_allowed - whether the suite numbered id (IANA) may be used
 * under the list suites[0..n-1] (n == 0: the default set: ECDHE with
 * AES-GCM or ChaCha20-Poly1305 under TLS 1.2, any TLS 1.3 suite). */
bool tls_suite_allowed(const uint16_t *suites, size_t n, uint16_t id);

/* tls_suite_versions - which TLS versions the list suites[0..n-1] needs,
 * as bits: 1 = TLS 1.2, 2 = TLS 1.3 (n == 0: both, 3).  Numbers GnuTLS
 * does not know add nothing, so 0 means no usable suite. */
int tls_suite_versions(const uint16_t *suites, size_t n);

/* tls_session_suite - the IANA number of the cipher suite negotiated on
 * the GnuTLS session s (borrowed), from GnuTLS's table, into *id.
 * Returns 0 or ERR_NOTFOUND. */
int tls_session_suite(gnutls_session_t s, uint16_t *id);

/* tls_pin_decode - decode one jwk_fingerprints entry: base64 in the
 * standard or URL alphabet, with or without padding (libsodium decoder),
 * of exactly TLS_PIN_SIZE bytes, into out.
 * Returns 0 or ERR_INVALID. */
int tls_pin_decode(const char *b64, unsigned char out[TLS_PIN_SIZE]);

/* tls_spki_sha256 - SHA-256 of the DER SubjectPublicKeyInfo of the
 * DER X.509 certificate der (len bytes), into out: the value pinned by
 * jwk_fingerprints (RFC 7469 section 2.4, "pin-sha256" of certtool).
 * Returns 0, ERR_INVALID (not a certificate), ERR_NOMEM or ERR_CRYPTO. */
int tls_spki_sha256(const unsigned char *der, size_t len, unsigned char out[TLS_PIN_SIZE],
		    struct err *err);

/* Most certificates of a peer's chain that tls_chain_path considers. */
#define TLS_MAX_CHAIN 16

/* tls_chain_path - the certificates of chain (n DER certificates as the
 * server sent them, leaf first; borrowed) that form the path from the leaf
 * to its trust anchor: the leaf, then each one's issuer among the sent
 * certificates (issuer name matched and the signature verified by a CA
 * certificate), until a self-signed certificate or one whose issuer was
 * not sent.  Other certificates a server appends are not on the path, so
 * a pin compared with the path holds against a chain that carries the
 * genuine pinned certificate after an attacker's leaf.  Writes up to max
 * indexes into chain to idx, leaf first; returns their count (0 when the
 * leaf cannot be parsed or out of memory).  At most TLS_MAX_CHAIN sent
 * certificates are considered. */
size_t tls_chain_path(const gnutls_datum_t *chain, size_t n, size_t *idx, size_t max);

#endif
