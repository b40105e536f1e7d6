/* jwk_set.h - JWK Sets (RFC 7517 section 5): selecting the key that signs
 * by kid and alg, the public JWK Set of a document, and the public JWK Set
 * a signer endpoint publishes at its "jwks_endpoint" (what validators
 * fetch to check the tokens jwtsign signs).
 *
 * One key of a set is parsed with jwk_parse (jwk.h).
 */
#ifndef JWTSIGN_JWK_SET_H
#define JWTSIGN_JWK_SET_H

#include <stddef.h>

#include "alg.h"
#include "buf.h"
#include "err.h"
#include "jwk.h"

/* Limits for JWK Set documents (bytes / count).  A NULL limits pointer or
 * a 0 field means "no limit". */
struct jwk_limits {
	size_t max_doc_bytes; /* the whole JWK Set document */
	size_t max_keys;      /* entries in "keys" */
};

/* jwk_set_select - parse the JWK Set document doc (len bytes, JSON text
 * {"keys":[...]}), take the first kid of kids[0..nkids-1] that the set
 * contains, parse that key fully and check it can sign with alg
 * (jwk_check_alg).  Other entries are only checked for shape (an object
 * with a string "kty").  A kid may name several entries (RFC 7517 section
 * 4.5): the one of alg's key type is taken, and among several of that
 * type the one whose "alg" member names alg; when none has alg's type,
 * the kid's first entry (then refused by jwk_check_alg).
 * The document is parsed with gojson_parse (RFC 8259 strict, json-c
 * underneath; nesting limited to 16 levels), whitespace after it allowed.
 * String buffers of the parsed document are wiped before it is released.
 * out: receives a new key (NULL on error); the caller frees it with
 * jwk_free().
 * Errors (ERR_INVALID unless stated): not JSON, a bare JWK instead of a
 * set, "keys" missing/not an array/empty, a kid naming several keys of
 * alg's type with no single one naming alg (ambiguous), over the limits
 * (ERR_LIMIT), none of the kids present (ERR_NOTFOUND), the key malformed
 * (bad base64url, wrong sizes, missing members), or unusable with alg
 * or inconsistent (x not d's public key, dp/dq/qi or d not matching the
 * primes) (ERR_KEY), ERR_UNSUPPORTED (alg JWS_ALG_INVALID, kty, crv, RSA
 * without p and q, multi-prime RSA), ERR_CRYPTO, ERR_NOMEM.
 * RSA: n, e, d, p, q required for a private key; dp, dq, qi all or none
 * (derived by GnuTLS when absent); leading zero bytes of n are ignored.
 * EC: x, y (and d) exactly 32/48/66 bytes for P-256/P-384/P-521.
 * OKP: Ed25519 only; d is the 32-byte seed. */
int jwk_set_select(const char *doc, size_t len, const char *const *kids, size_t nkids,
		   enum jws_alg alg, const struct jwk_limits *lim, struct jwk **out,
		   struct err *err);

/* jwk_set_public - append to out the public JWK Set of the document doc:
 * one entry per RSA, EC or OKP key (public members only, plus kid, alg,
 * use, key_ops when present), "oct" keys left out.  Every entry is parsed
 * fully (a private key must be consistent, an unknown kty is refused), so
 * this costs one key import per entry.  Member order: kty, kid, use,
 * key_ops, alg, then n, e / crv, x, y / crv, x.  On error out is
 * unchanged and the message starts with "JWK Set entry #N" for a bad
 * entry.  Errors as jwk_set_select. */
int jwk_set_public(const char *doc, size_t len, const struct jwk_limits *lim, struct buf *out,
		   struct err *err);

/* jwk_set_check_first - parse the JWK Set document doc (len bytes) as
 * jwk_set_select does (every entry checked for shape; no limits), parse its first entry fully
 * (jwk_parse) and, unless alg is JWS_ALG_INVALID, check that key can sign with alg (jwk_check_alg).
 * No key is kept.  Used to check a set this program has just written (PEM
 * conversion).  Errors as jwk_set_select, without ERR_NOTFOUND. */
int jwk_set_check_first(const char *doc, size_t len, enum jws_alg alg, struct err *err);

/* jwk_set_publish - append to out the public JWK Set {"keys":[...]} holding
 * the public part of every key of the JWK Set document doc (len bytes)
 * whose kid is one of kids[0..nkids-1], in the order of kids (so with a
 * rotation list, the key that signs now comes first, then the keys
 * published ahead of their use).  "oct" keys are never published (a
 * shared secret has no public part).  Members are written sorted, as
 * gojson_write does, so the same keys always give the same bytes.
 * Errors: as jwk_set_public (the document or one of its keys is
 * malformed), ERR_NOMEM, ERR_LIMIT.  On error out is unchanged. */
int jwk_set_publish(const char *doc, size_t len, const char *const *kids, size_t nkids,
		    const struct jwk_limits *lim, struct buf *out, struct err *err);

#endif
