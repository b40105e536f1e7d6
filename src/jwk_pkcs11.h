/* jwk_pkcs11.h - a signing key that stays on a PKCS#11 token (HSM, smart
 * card, SoftHSM), named by an RFC 7512 "pkcs11:" URI and used through
 * GnuTLS (gnutls_privkey_import_url; modules found through p11-kit).
 *
 * The struct jwk it makes holds no key material: its GnuTLS private key
 * object signs on the token (RS*, PS*, ES*, EdDSA; an HMAC secret cannot
 * be reached through GnuTLS's key API).  The PIN comes from the URI's
 * pin-value or pin-source query attribute, or from a pin file; it is read
 * when the token asks for it, handed to GnuTLS and wiped, never logged.
 *
 * PKCS#11 modules must be initialised in the process that uses them:
 * open the key after fork(), in each worker.
 */
#ifndef JWTSIGN_JWK_PKCS11_H
#define JWTSIGN_JWK_PKCS11_H

#include <stdbool.h>
#include <stddef.h>

#include "alg.h"
#include "buf.h"
#include "err.h"

struct jwk;

/* Longest PIN read from a pin file or a URI, in bytes. */
#define JWK_PKCS11_PIN_MAX 256

/* What jwk_pkcs11_open needs.  Every pointer is borrowed for the call;
 * the strings are copied (the PIN sources too: the key keeps them to log
 * in again when the token asks). */
struct jwk_pkcs11_opts {
	const char *uri;      /* "pkcs11:..." (RFC 7512), possibly with pin-value or
			       * pin-source query attributes */
	const char *pin_file; /* file holding the PIN (trailing newline ignored),
			       * used when the URI names no PIN; or NULL */
	const char *kid;      /* the kid of the key (the JWS header's and the
			       * published JWK's) */
	enum jws_alg alg;     /* the key must fit it */
};

/* jwk_pkcs11_uri_check - check a key_uri at configuration time: it starts
 * with "pkcs11:", names at most one of pin-value and pin-source, and a
 * pin-source is an absolute file path (RFC 7512 section 2.4 allows other
 * forms; only a path is read here).  *has_pin_value (may be NULL) tells
 * whether the URI carries the PIN itself (the caller warns).  *has_pin
 * (may be NULL) whether it names a PIN at all.
 * Returns 0 or ERR_INVALID (err says why; the URI is not quoted). */
int jwk_pkcs11_uri_check(const char *uri, bool *has_pin_value, bool *has_pin, struct err *err);

/* jwk_pkcs11_uri_redact - uri for a message: the value of a pin-value
 * attribute replaced by "REDACTED", control bytes by '?'.  out: size
 * bytes, always NUL-terminated (cut when too long). */
void jwk_pkcs11_uri_redact(const char *uri, char *out, size_t size);

/* jwk_pkcs11_open - open the private key o->uri names, check that its type
 * (and curve) fits o->alg, and make one test signature on the token,
 * verified with the token's public key when GnuTLS can read it.
 * *out: a new key (jwk_free; it keeps the token session and releases it).
 * When the token exports the public key, the public JWK Set
 * {"keys":[{kty, kid, use "sig", alg, n, e / crv, x, y}]} is appended to
 * pub (may be NULL) and *has_pub set; otherwise *has_pub is false (the
 * caller publishes a configured public JWK instead).  Messages name the
 * URI with jwk_pkcs11_uri_redact.
 * Returns 0, ERR_INVALID (the URI), ERR_UNSUPPORTED (alg is HS* or none),
 * ERR_KEY (wrong PIN or no PIN, a key type or curve that does not fit alg,
 * an RSA key under 2048 bits), ERR_NOTFOUND (no such token or object),
 * ERR_IO (the pin file cannot be read; the token fails to sign), ERR_CRYPTO
 * (another GnuTLS error), ERR_NOMEM, ERR_LIMIT (pub's limit). */
int jwk_pkcs11_open(const struct jwk_pkcs11_opts *o, struct jwk **out, struct buf *pub,
		    bool *has_pub, struct err *err) __attribute__((warn_unused_result));

/* jwk_pkcs11_reset_wanted - whether an open found no token or object
 * (some modules, SoftHSM, see a token that came back, or one several
 * processes opened at once, only after PKCS#11 is initialised again:
 * jwk_pkcs11_reset), and the last initialisation again is at least 5 s
 * old. */
bool jwk_pkcs11_reset_wanted(void);

/* jwk_pkcs11_resets_in_a_row - initialisations again (jwk_pkcs11_reset)
 * since a key was last opened: 1 for the first of a series, to log it
 * once while a token stays away. */
unsigned jwk_pkcs11_resets_in_a_row(void);

/* jwk_pkcs11_keys - how many token keys of this process exist (made by
 * jwk_pkcs11_open, not yet freed). */
size_t jwk_pkcs11_keys(void);

/* jwk_pkcs11_reset - finalise the process's PKCS#11 modules and load them
 * again (gnutls_pkcs11_deinit, gnutls_pkcs11_init with p11-kit's
 * registry).  Every token key must be freed first: their sessions end
 * with the modules.  Returns 0, ERR_INTERNAL (keys still open),
 * ERR_CRYPTO. */
int jwk_pkcs11_reset(struct err *err);

#endif
