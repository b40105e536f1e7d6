/* pem.h - PEM private keys (RFC 7468; PKCS#8, PKCS#1, SEC1) converted into
 * private JWK Sets, which the JWK Set layer (jwk_set.h) then reads like
 * any other.
 */
#ifndef JWTSIGN_PEM_H
#define JWTSIGN_PEM_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* pem_detect - nonzero when the len bytes at doc are PEM (RFC 7468) rather
 * than a JWK Set: the first byte after whitespace (space, tab, CR, LF) is
 * not '{' and a "-----BEGIN " line follows.  Explanatory text before the
 * first BEGIN line (certtool's "Public Key Info" dump, openssl pkcs12's
 * "Bag Attributes") is allowed, as pem_to_jwk_set skips it.  doc may be
 * NULL when len is 0. */
int pem_detect(const char *doc, size_t len);

/* pem_to_jwk_set - convert the PEM private key in pem (len bytes, RFC
 * 7468 text) into a private JWK Set document {"keys":[JWK]} appended to
 * out.  The caller wipes out (buf_wipe_free): it holds private material.
 * Read: the one block whose label ends with "PRIVATE KEY" (other blocks
 * such as "EC PARAMETERS" or "CERTIFICATE", before or after it, are
 * skipped): "PRIVATE KEY" (unencrypted PKCS#8, RFC 5208 / RFC 5958, with
 * an RSA, EC or Ed25519 key, RFC 8410), "RSA PRIVATE KEY" (PKCS#1, RFC
 * 8017 appendix A.1.2), "EC PRIVATE KEY" (SEC1, RFC 5915).  Parsed by
 * GnuTLS without a password.
 * The JWK: kty, kid, use ("sig"), alg (when alg_or_null is not NULL),
 * then RSA n, e, d, p, q, dp, dq, qi (minimal big-endian) / EC crv, x,
 * y, d (each exactly 32/48/66 bytes for P-256/P-384/P-521, left-padded
 * with zero bytes, RFC 7518 section 6.2) / OKP crv "Ed25519", x, d (RFC
 * 8037 section 2); all base64url without padding.
 * kid: required, non-empty (JSON-escaped as needed).  alg_or_null: a JWS
 * alg name or NULL; when given, the key must be able to sign with it
 * (jwk_check_alg: kty, curve, RSA at least 2048 bits).  Without alg an RSA
 * key under 2048 bits converts, and jwk_set_select refuses it.
 * The new set is parsed back with the checks of jwk_set_select (an
 * inconsistent key is refused) before it is appended; on error out is
 * unchanged.  Messages start with "PEM" and never show key material.
 * Errors: ERR_INVALID (no kid; no PEM block; a BEGIN line without its END
 * line; more than one "... PRIVATE KEY" block; a block GnuTLS cannot decode, which includes keys on
 * curves GnuTLS does not know, e.g. secp256k1), ERR_KEY (no "... PRIVATE KEY" block: a certificate
 * or public key only; an inconsistent key; the key cannot sign alg), ERR_UNSUPPORTED (an encrypted
 * key: "ENCRYPTED PRIVATE KEY" or a Proc-Type header; other labels such as "OPENSSH PRIVATE KEY" or
 * "DSA PRIVATE KEY"; RSA-PSS-only, DSA, Ed448, X25519 keys; curves other than P-256, P-384, P-521,
 * Ed25519; an unknown alg), ERR_CRYPTO, ERR_NOMEM, ERR_LIMIT (out's limit). */
int pem_to_jwk_set(const char *pem, size_t len, const char *kid, const char *alg_or_null,
		   struct buf *out, struct err *err);

#endif
