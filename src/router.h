/* router.h - match a request path to a configured endpoint, and expand
 * {param} placeholders of a backend url_pattern (KrakenD semantics: a
 * {name} endpoint segment matches one non-empty path segment). */
#ifndef JWTSIGN_ROUTER_H
#define JWTSIGN_ROUTER_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "err.h"

#define ROUTER_MAX_PARAMS 16

/* Parameters captured by a match.  Names and values point into the
 * endpoint pattern and the request path respectively (not NUL-terminated),
 * so they are valid while both are. */
struct route_params {
	size_t n;
	struct {
		const char *name;
		size_t name_len;
		const char *value;
		size_t value_len;
	} p[ROUTER_MAX_PARAMS];
};

/* router_match - find the endpoint whose "endpoint" pattern matches path
 * (the URL path without query string, not percent-decoded).  Exact
 * literal matches win over patterns with parameters; otherwise the first
 * in file order.  Method is not considered (the caller answers 405).
 * Returns the endpoint (borrowed from cfg) and fills params, or NULL. */
const struct cfg_endpoint *router_match(const struct cfg *cfg, const char *path,
					struct route_params *params);

/* router_expand - append url_pattern to out with each {name} replaced by
 * the value captured for name.  Returns 0, ERR_NOMEM, ERR_LIMIT, or
 * ERR_INVALID when the pattern names a parameter the endpoint lacks. */
int router_expand(struct buf *out, const char *url_pattern, const struct route_params *params,
		  struct err *err);

#endif
