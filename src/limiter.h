/* limiter.h - an endpoint's limits, for the handler: KrakenD's
 * qos/ratelimit/router (a bucket per client: 429; one for the endpoint:
 * 503) and the failed-login throttle (429 while a username or a client
 * has max_failures failed logins in the window), both on the shared table
 * (ratelimit.h) so that every process of the user counts together.
 * Errors answer {"error":"rate_limited"} with Retry-After (seconds,
 * rounded up).  Usernames are hashed (rl_key) and never logged.
 */
#ifndef JWTSIGN_LIMITER_H
#define JWTSIGN_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "request.h"
#include "response.h"
#include "route.h"

/* What limiter_before learnt for limiter_after (one request). */
struct limiter_state {
	bool throttled;	     /* the endpoint has a failed-login throttle */
	bool have_user;	     /* user_key is set (the body named a username) */
	uint64_t user_key;   /* the username's counter */
	uint64_t client_key; /* the client's counter */
};

/* limiter_before - after routing, before the backend: the client's
 * bucket (429), the endpoint's bucket (503), then the failed-login
 * counters of the username and the client (429), in that order (KrakenD
 * checks the client first: a client over its limit takes no token of the
 * endpoint's).  Returns true when resp holds the refusal; false to go
 * on.  ls is filled for limiter_after.  A table that cannot be used
 * allows (app_ratelimit). */
bool limiter_before(struct app *app, const struct app_endpoint *aep, const struct request *req,
		    const struct route_params *params, struct limiter_state *ls,
		    struct response *resp);

/* limiter_after - the backend answered status: one of the throttle's
 * failure_statuses counts a failure for the username and the client; 200
 * or 201 forgets the username's failures. */
void limiter_after(struct app *app, const struct app_endpoint *aep, const struct limiter_state *ls,
		   long status);

#endif
