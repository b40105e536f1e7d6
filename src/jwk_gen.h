/* jwk_gen.h - key generation: a new private key as a JWK Set document
 * (jwtsign genkey).
 */
#ifndef JWTSIGN_JWK_GEN_H
#define JWTSIGN_JWK_GEN_H

#include "buf.h"
#include "err.h"

/* jwk_generate - append to out a private JWK Set {"keys":[JWK]} holding a
 * new key made with the system CSPRNG (libsodium randombytes, GnuTLS key
 * generation).
 * kty: "oct" (size = bits, a multiple of 8 from 128 to 8192; default 256,
 * or the hash size of alg, which is also the minimum with alg, RFC 7518
 * section 3.2), "RSA" (size = bits, a multiple of 8, default 2048, min
 * 2048, max 16384; e = 65537), "EC" (crv P-256/P-384/P-521, default the
 * curve of alg, else P-256), "OKP" (crv Ed25519, the default).  bits must
 * be 0 for EC/OKP, crv NULL for oct/RSA.  kid: required, non-empty.
 * alg: optional; when set it must suit the key and is written as "alg".
 * The JWK also gets "use":"sig".  Member order: kty, kid, use, alg, then
 * the key members (RFC 7518 section 6).  The new set is parsed back and
 * checked before it is appended; on error out is unchanged.
 * Returns 0, ERR_INVALID, ERR_UNSUPPORTED, ERR_CRYPTO, ERR_NOMEM.  The
 * caller should wipe out (buf_wipe_free) after use. */
int jwk_generate(struct buf *out, const char *kty, unsigned bits, const char *crv, const char *kid,
		 const char *alg, struct err *err);

#endif
