/* handler.h - one request in, one response out: routing, method check,
 * keys, the backend call, signing, and the mapping of every failure to an
 * HTTP status.  No client I/O happens here.
 */
#ifndef JWTSIGN_HANDLER_H
#define JWTSIGN_HANDLER_H

#include "app.h"
#include "request.h"
#include "response.h"

/* handle_request - answer req into resp (initialised by the caller with
 * response_init; the caller frees it).  Always produces a complete
 * response; never fails.  With the service's security/cors, a preflight
 * gets its CORS answer (204 by default) on any path, and every other
 * answer the CORS headers (cors.h).  Statuses, in the order they are
 * decided (error bodies {"error":"CODE"}):
 *   503 not_configured: no configuration loaded (with Retry-After);
 *   431 header_too_large: Content-Type, X-Forwarded-For or If-None-Match
 *       over max_header_size;
 *   the metrics_endpoint (GET or HEAD): 200 the Prometheus text of the
 *       shared counters (metrics.h), 405 method_not_allowed, 503
 *       metrics_unavailable;
 *   a signer's jwks_endpoint (GET or HEAD): 200 the public JWK Set
 *       (application/jwk-set+json, Cache-Control public, max-age=
 *       cache_duration, ETag), 304 when If-None-Match names the ETag,
 *       405 method_not_allowed (Allow: GET, HEAD), 503 keys_unavailable
 *       (with Retry-After), 500 internal_error;
 *   405 method_not_allowed: the path exists with other methods (with Allow);
 *   404 not_found;
 *   503 not_configured: the endpoint is refused (cfg_endpoint.refused: a
 *       setting jwtsign does not honour yet, e.g. auth/validator);
 *   400 bad_request / incomplete_body, 413 body_too_large (from the reader);
 *   429 rate_limited: qos/ratelimit/router's client limit, or the
 *       failed-login throttle (the username's or the client's failures);
 *       503 rate_limited: the endpoint's limit; both with Retry-After
 *       (limiter.h);
 *   with an auth/validator block on the endpoint (the refresh flow), before
 *       the backend is called: 401 invalid_token or 403 insufficient_scope
 *       with WWW-Authenticate: Bearer error="..." (RFC 6750 section 3),
 *       503 keys_unavailable (no keys to verify with: fail closed); a
 *       valid token's propagate_claims are sent to the backend as headers
 *       (replacing the client's headers of those names);
 *   503 keys_unavailable: the endpoint's key (with Retry-After);
 *   431 header_too_large: the X-Forwarded-For to send (the client's with
 *       the client address appended) over max_header_size;
 *   200 backend answered 200/201 with a JSON object, members signed;
 *   4xx from the backend: its status and kept headers (backend.h), with
 *       its JSON body, or {"error":"backend_error"} for any other body;
 *   500 signing_failed / internal_error;
 *   502 backend_unreachable / backend_bad_status / backend_bad_response;
 *   504 backend_timeout.
 * The detail of every error goes to the log (stderr), never to the client.
 * Every answer is counted (metrics.h): its endpoint, status and error. */
void handle_request(struct app *app, const struct request *req, struct response *resp);

/* handle_authorize - the authorizer role (req->authorizer: FCGI_ROLE
 * AUTHORIZER, or JWTSIGN_MODE=authorizer for nginx's auth_request): the
 * request's method and path (the original request's, as the web server
 * passes them) are matched against the endpoints with auth/validator and
 * the token is checked with that endpoint's block (authz.h).  Answers only
 * 200, 401 or 403 (a web server turns anything else of an authorizer into
 * an error page or worse):
 *   200 allow, empty body, one "Variable-HEADER: value" per
 *       propagate_claims entry;
 *   401 invalid_token (WWW-Authenticate: Bearer error="invalid_token"):
 *       no token, malformed, bad signature, other key or alg, expired, not
 *       yet valid, issuer, audience; also keys unavailable, no
 *       configuration, an unknown JWTSIGN_MODE (fail closed);
 *   403 insufficient_scope (Bearer error="insufficient_scope"): roles or
 *       scopes;
 *   403 no_protected_route: no endpoint with auth/validator matches.
 * Called by handle_request; in handler_authz.c. */
void handle_authorize(struct app *app, const struct request *req, struct response *resp);

#endif
