/* jwks.h - the public JWK Set a signer endpoint publishes at its
 * "jwks_endpoint" (RFC 7517 section 5): what validators fetch to check the
 * tokens jwtsign signs.
 */
#ifndef JWTSIGN_JWKS_H
#define JWTSIGN_JWKS_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "jwk.h"

/* jwks_publish - append to out the public JWK Set {"keys":[...]} holding
 * the public part of every key of the JWK Set document doc (len bytes)
 * whose kid is one of kids[0..nkids-1], in the order of kids (so with a
 * rotation list, the key that signs now comes first, then the keys
 * published ahead of their use).  "oct" keys are never published (a
 * shared secret has no public part).  Members are written sorted, as
 * gojson_write does, so the same keys always give the same bytes.
 * Errors: as jwk_set_public (the document or one of its keys is
 * malformed), ERR_NOMEM, ERR_LIMIT.  On error out is unchanged. */
int jwks_publish(const char *doc, size_t len, const char *const *kids, size_t nkids,
		 const struct jwk_limits *lim, struct buf *out, struct err *err);

#endif
