/* authz.h - the verdict of an endpoint's auth/validator block on one
 * request: where the bearer token is (RFC 6750 section 2.1, or the
 * block's auth_header_name / cookie_key), jwt_verify with the endpoint's
 * keys and policy, and the claims to propagate as headers.  Used by the
 * handler for a signer endpoint that validates first (the refresh flow)
 * and for the authorizer role (handler_authz.c).
 */
#ifndef JWTSIGN_AUTHZ_H
#define JWTSIGN_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "request.h"
#include "response.h"

/* What the validator decided.  AUTHZ_ALLOW is 0. */
enum authz_verdict {
	AUTHZ_ALLOW = 0,
	AUTHZ_DENY_TOKEN,   /* 401 invalid_token: malformed, expired, forged,
			     * other key or alg, issuer, audience */
	AUTHZ_DENY_MISSING, /* 401 as AUTHZ_DENY_TOKEN, without a token: the
			     * challenge names no error (RFC 6750 section 3.1) */
	AUTHZ_DENY_SCOPE,   /* 403 insufficient_scope: roles or scopes */
	AUTHZ_UNAVAILABLE,  /* no usable keys (fail closed: never allow) */
	AUTHZ_INTERNAL,	    /* out of memory */
};

/* One propagated claim: header name (borrowed from the configuration)
 * and value (owned, wiped when freed). */
struct authz_header {
	const char *name;
	char *value;
};

/* The claims to propagate, in the order of propagate_claims; a claim
 * absent from the token is left out (as KrakenD does). */
struct authz_result {
	struct authz_header *h;
	size_t n;
	const char *reason; /* jwt_reason_word of a deny, or "keys_unavailable" */
};

/* authz_check - validate req's token with aep's validator (aep->cfg must
 * have one; aep->vkeys is its key source).  now: seconds since the epoch.
 * Fills res (caller frees with authz_result_free, also after a deny).
 * Every deny and its reason is logged at info level (operation_debug: the
 * claims' iss/sub too are named); never the token.
 * A claim value holding a control byte (CR, LF, ...) cannot be sent as a
 * header: the token is denied (AUTHZ_DENY_TOKEN, reason "claim"). */
enum authz_verdict authz_check(const struct app_endpoint *aep, const struct request *req,
			       struct authz_result *res);

/* authz_result_free - release res's values and zero it.  NULL-safe. */
void authz_result_free(struct authz_result *res);

/* authz_deny - make resp the RFC 6750 answer (section 3) to a deny:
 * AUTHZ_DENY_TOKEN: 401, WWW-Authenticate: Bearer error="invalid_token",
 * {"error":"invalid_token"}; AUTHZ_DENY_MISSING: the same with the bare
 * challenge "WWW-Authenticate: Bearer"; AUTHZ_DENY_SCOPE: 403, Bearer
 * error="insufficient_scope", {"error":"insufficient_scope"}.
 * AUTHZ_UNAVAILABLE and AUTHZ_INTERNAL: for the authorizer role
 * (authorizer true) the 401 invalid_token answer, because a web server
 * turns any other status of an authorizer into a 500 (nginx) or an allow
 * it must not give; else 503 keys_unavailable (Retry-After) and 500
 * internal_error. */
void authz_deny(struct response *resp, enum authz_verdict v, bool authorizer);

#endif
