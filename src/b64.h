/* b64.h - base64url without padding (RFC 7515 section 2 and appendix C).
 * Secrets (key material: a JWK's "k", "d", ...) go through libsodium's
 * constant-time sodium_bin2base64/sodium_base642bin; public bytes (a
 * JWS's protected header, payload and signature) through nettle's
 * table-driven coder (GnuTLS's own library), several times faster, whose
 * timing may depend on the data.  Both produce and accept the same text.
 */
#ifndef JWTSIGN_B64_H
#define JWTSIGN_B64_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* b64url_encoded_len - length in bytes of the encoding of n bytes, without
 * padding and without a terminating NUL. */
size_t b64url_encoded_len(size_t n);

/* b64url_encode_buf - append the base64url (no padding) encoding of the n
 * bytes at p to b.  Returns 0, ERR_NOMEM or ERR_LIMIT. */
int b64url_encode_buf(struct buf *b, const uint8_t *p, size_t n);

/* b64url_decode - strictly decode text (len bytes, no NUL needed) into a
 * newly malloc'd buffer *out of *outlen bytes (the caller frees it; use
 * sodium_memzero first when it held a secret).  An empty input decodes to
 * zero bytes (with *out a valid 1-byte allocation).
 * Refused with ERR_INVALID: padding '=', characters outside the URL-safe
 * alphabet ('+', '/', whitespace, NUL, ...), a length of 1 mod 4, and
 * non-zero unused bits in the last character (non-canonical encodings).
 * Returns 0, ERR_INVALID or ERR_NOMEM. */
int b64url_decode(const char *text, size_t len, uint8_t **out, size_t *outlen);

/* b64url_encode_public - b64url_encode_buf for public bytes only (nettle;
 * not constant time).  Same output, same returns. */
int b64url_encode_public(struct buf *b, const uint8_t *p, size_t n);

/* b64url_decode_public - b64url_decode for public bytes only (a JWT's
 * parts; nettle, not constant time): the same rules, the same returns;
 * *out is not wiped when freed on an error. */
int b64url_decode_public(const char *text, size_t len, uint8_t **out, size_t *outlen);

#endif
