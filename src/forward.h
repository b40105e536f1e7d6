/* forward.h - which of the client's headers reach the backend, by
 * KrakenD's rules (lura router/gin/endpoint.go NewRequest): the
 * endpoint's input_headers (absent: none besides Content-Type, which
 * backend.c always sends; "*": all), X-Forwarded-Host always, and the
 * User-Agent forwarded with X-Forwarded-Via naming jwtsign.  Hop-by-hop
 * and framing headers are never forwarded (RFC 9110 section 7.6.1), nor
 * those jwtsign writes itself (Content-Type, X-Forwarded-For, Expect). */
#ifndef JWTSIGN_FORWARD_H
#define JWTSIGN_FORWARD_H

#include <stddef.h>

#include "backend.h"
#include "config.h"
#include "request.h"

struct forward_headers {
	struct backend_header *h; /* n entries; names and values owned here */
	size_t n;
};

/* forward_headers_build - the headers of req (borrowed; req->headers are
 * its HTTP_* meta-variables) that ep (borrowed) forwards, into *out
 * (freed with forward_headers_free, also on error).  A header value over
 * max bytes is refused: ERR_LIMIT, *too_large names it (borrowed from out
 * or static).  Returns 0, ERR_LIMIT or ERR_NOMEM. */
int forward_headers_build(const struct cfg_endpoint *ep, const struct request *req, size_t max,
			  struct forward_headers *out, const char **too_large);

/* forward_headers_set - make value (copied) the only header named name
 * (copied; any case) in f: a claim propagated by the endpoint's validator
 * (propagate_claims) replaces what the client sent under that name, so a
 * client cannot choose it (krakend/krakend-ce#309).  A value over max
 * bytes: ERR_LIMIT, *too_large names it.  Returns 0, ERR_LIMIT,
 * ERR_NOMEM. */
int forward_headers_set(struct forward_headers *f, const char *name, const char *value, size_t max,
			const char **too_large);

/* forward_headers_free - release out's entries (values wiped: an
 * Authorization or Cookie header is a credential).  NULL-safe. */
void forward_headers_free(struct forward_headers *out);

#endif
