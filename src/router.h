/* router.h - which configured endpoint serves a request: match a request
 * path (and method) to a configured endpoint with the route grammar of
 * route.h, find a jwks_endpoint, list the methods a path allows. */
#ifndef JWTSIGN_ROUTER_H
#define JWTSIGN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "route.h"

/* The configuration's types (config.h), read by the router. */
struct cfg;
struct cfg_endpoint;

/* router_match - find the endpoint whose "endpoint" pattern matches path
 * (the URL path without query string, not percent-decoded) under
 * route_match.  Exact literal matches (patterns without parameters) win
 * over patterns with parameters; otherwise the first in file order
 * (route_better).  Method is not
 * considered: see router_match_method.
 * Returns the endpoint (borrowed from cfg) and fills params (may be NULL;
 * n = 0 when nothing matched), or NULL. */
const struct cfg_endpoint *router_match(const struct cfg *cfg, const char *path,
					struct route_params *params);

/* router_match_method - like router_match, but only among the endpoints
 * whose method equals method (case-sensitive; config methods are upper
 * case), as gin keeps one tree per method: with "/token" GET and "/token"
 * POST both configured, a POST gets the POST one.  *path_matched (may be
 * NULL) is set to whether any endpoint, of any method, matched the path:
 * NULL returned with *path_matched true means 405, false means 404. */
const struct cfg_endpoint *router_match_method(const struct cfg *cfg, const char *method,
					       const char *path, struct route_params *params,
					       bool *path_matched);

/* router_match_validator - like router_match_method, among the endpoints
 * that carry an auth/validator block (the locations jwtsign authorizes,
 * and signer endpoints that validate first): the one whose pattern
 * matches path for method, or NULL (the authorizer then denies). */
const struct cfg_endpoint *router_match_validator(const struct cfg *cfg, const char *method,
						  const char *path, struct route_params *params);

/* router_find_jwks - the endpoint whose signer publishes its public keys
 * at path (its "jwks_endpoint", compared byte for byte), or NULL.
 * Borrowed from cfg. */
const struct cfg_endpoint *router_find_jwks(const struct cfg *cfg, const char *path);

/* router_allowed_methods - the Allow header (RFC 9110 section 10.2.1) for
 * a path that exists with other methods: every configured method whose
 * endpoint wins for path under router_match_method, comma separated, in
 * file order, each method once, written to out (size bytes, always
 * NUL-terminated; a method that does not fit is left out with the rest). */
void router_allowed_methods(const struct cfg *cfg, const char *path, char *out, size_t size);

#endif
