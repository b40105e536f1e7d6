/* router.h - match a request path to a configured endpoint, and expand
 * {param} placeholders of a backend url_pattern (KrakenD semantics: a
 * {name} endpoint segment matches one non-empty path segment). */
#ifndef JWTSIGN_ROUTER_H
#define JWTSIGN_ROUTER_H

#include <stdbool.h>
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

#endif
