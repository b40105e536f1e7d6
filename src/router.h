/* router.h - the route grammar: check the endpoint and url_pattern
 * patterns of the configuration, match a request path to a configured
 * endpoint (and to a jwks_endpoint), list the methods a path allows, and
 * expand {param} placeholders of a backend url_pattern (KrakenD
 * semantics: a {name} endpoint segment matches one non-empty path
 * segment). */
#ifndef JWTSIGN_ROUTER_H
#define JWTSIGN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* The configuration's types (config.h); the router reads them, config.c
 * calls the pattern checks below while it reads the file. */
struct cfg;
struct cfg_endpoint;

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
 * (the URL path without query string, not percent-decoded).  Segments are
 * compared byte for byte; a trailing '/' is significant ("/token" and
 * "/token/" differ, as in KrakenD/gin).  A {name} segment matches one
 * non-empty segment that is not "." or ".." (also percent-encoded as
 * %2e) and holds no blank, control byte, '?' or '#'.  Exact literal
 * matches (patterns without parameters) win over patterns with
 * parameters; otherwise the first in file order.  Method is not
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

/* router_expand - append url_pattern to out with each {name} replaced by
 * the value captured for name (raw bytes as in the request path, not
 * decoded or re-encoded).  A '{' without '}' is copied as is (cfg_parse
 * refuses such patterns).  On failure out keeps its previous length.
 * params may be NULL (no parameters).  Returns 0, ERR_NOMEM, ERR_LIMIT,
 * or ERR_INVALID when the pattern names a parameter the endpoint lacks. */
int router_expand(struct buf *out, const char *url_pattern, const struct route_params *params,
		  struct err *err);

/* router_check_path - bytes never allowed in a configured path p
 * (borrowed, NUL-terminated): control bytes, space, DEL, '#', and '?'
 * unless query_ok (a url_pattern may carry a query string).  Returns 0 or
 * ERR_INVALID, with a message such as "character '#' not allowed in a
 * path" that does not repeat p (the caller names the setting and p). */
int router_check_path(const char *p, bool query_ok, struct err *err);

/* router_check_endpoint - check an endpoint pattern (starts with '/'):
 * router_check_path without '?', each {name} a whole segment of letters,
 * digits, '_', '-', '.', names unique, at most ROUTER_MAX_PARAMS of them.
 * Returns 0 or ERR_INVALID; the message does not repeat the pattern. */
int router_check_endpoint(const char *pattern, struct err *err);

/* router_check_url_pattern - check a backend url_pattern up against the
 * endpoint pattern ep (both borrowed, checked by router_check_endpoint for
 * ep): router_check_path with '?' allowed, no lone '}', each '{' opening a
 * "{name}" placeholder that names a parameter of ep.  Returns 0 or
 * ERR_INVALID; the message does not repeat up. */
int router_check_url_pattern(const char *up, const char *ep, struct err *err);

/* router_same_route - whether a and b (borrowed) have the same method and
 * the same segments, any {param} being equal to any other: gin would
 * refuse the pair, and the second could never be reached. */
bool router_same_route(const struct cfg_endpoint *a, const struct cfg_endpoint *b);

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
