/* handler_authz.c - the authorizer role: allow or deny a request the web
 * server serves itself; see handler.h (handle_authorize). */
#include "authz.h"
#include "handler.h"
#include "log.h"
#include "metrics.h"
#include "route.h"
#include "router.h"

#include <string.h>

/* Header of one allow: "Variable-NAME: value" (lighttpd and mod_fcgid
 * pass Variable-* to the next handler's environment; nginx reads them
 * with auth_request_set $upstream_http_variable_...). */
static int put_variables(const struct authz_result *res, struct response *resp)
{
	for (size_t i = 0; i < res->n; i++) {
		if (buf_printf(&resp->headers, "Variable-%s: %s\r\n", res->h[i].name,
			       res->h[i].value) != 0)
			return ERR_NOMEM;
	}
	return 0;
}

static void allow(const struct authz_result *res, struct response *resp)
{
	response_error(resp, 200, "ok");
	buf_reset(&resp->body);
	resp->content_type[0] = '\0';
	/* Apache's mod_fcgid adds an allow's headers to the protected
	 * answer: no Cache-Control or Pragma of ours may reach it. */
	resp->no_store = 0;
	if (put_variables(res, resp) != 0) {
		log_error("authorizer", "out of memory for the propagated claims: denied");
		authz_deny(resp, AUTHZ_INTERNAL, true);
	}
}

void handle_authorize(struct app *app, const struct request *req, struct response *resp)
{
	const struct cfg_endpoint *ep;
	const struct app_endpoint *aep;
	struct route_params params;
	struct authz_result res = {NULL, 0, NULL};
	struct buf path = BUF_INIT;
	enum authz_verdict v;

	if (app->cfg == NULL) {
		log_error("authorizer", "%s %s denied: no configuration (%s)", req->method,
			  req->path, app->cfg_error);
		authz_deny(resp, AUTHZ_UNAVAILABLE, true);
		return;
	}
	if (req->mode_invalid) {
		log_error("authorizer",
			  "%s %s denied: JWTSIGN_MODE is neither \"authorizer\" nor "
			  "\"responder\"",
			  req->method, req->path);
		authz_deny(resp, AUTHZ_UNAVAILABLE, true);
		return;
	}
	if (route_normalize(req->path, &path) != 0) {
		log_info("authorizer",
			 "%s %s denied: the path is not one a web server serves "
			 "as is (malformed or encoded '/', '\\', control byte, '..' above "
			 "the root)",
			 req->method, req->path);
		response_error(resp, 403, "no_protected_route");
		goto out;
	}
	ep = router_match_validator(app->cfg, req->method, path.data, &params);
	aep = ep ? app_endpoint_of(app, ep) : NULL;
	if (aep == NULL) {
		log_info("authorizer", "%s %s denied: no endpoint with auth/validator matches",
			 req->method, path.data);
		response_error(resp, 403, "no_protected_route");
		goto out;
	}
	resp->endpoint = ep->endpoint;
	v = authz_check(aep, req, &res);
	metrics_validator(app_metrics(app), metrics_endpoint(app->metrics, ep->endpoint),
			  res.reason);
	if (v == AUTHZ_ALLOW)
		allow(&res, resp);
	else
		authz_deny(resp, v, true);
out:
	authz_result_free(&res);
	buf_free(&path);
}
