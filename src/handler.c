/* handler.c - the token endpoint; see handler.h. */
#include "handler.h"
#include "alg.h"
#include "authz.h"
#include "clock.h"
#include "forward.h"
#include "health.h"
#include "query.h"
#include "buf.h"
#include "jwk.h"
#include "keysource.h"
#include "limiter.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "signer.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Seconds a client is asked to wait after a 503. */
#define HANDLER_RETRY_AFTER 5

/* X-Forwarded-For to send: the incoming list with the client address
 * appended (the de-facto proxy convention). */
static int forwarded_for(const struct request *req, struct buf *out)
{
	if (req->forwarded_for && *req->forwarded_for && req->remote_addr)
		return buf_printf(out, "%s, %s", req->forwarded_for, req->remote_addr);
	if (req->forwarded_for && *req->forwarded_for)
		return buf_puts(out, req->forwarded_for);
	if (req->remote_addr)
		return buf_puts(out, req->remote_addr);
	return 0;
}

struct call_state {
	const struct cfg_endpoint *ep;
	const struct request *req;
	const struct route_params *params;
	struct buf xff;			/* X-Forwarded-For to send (empty: none) */
	struct forward_headers headers; /* the client headers forwarded */
	struct buf query;		/* the query forwarded, encoded (or empty) */
	struct backend_reply reply;
};

/* Call the backend hosts in order until one answers; returns the last
 * error (ERR_NET when no host could be reached). */
static int call_backend(struct app *app, struct call_state *cs, const struct cfg_limits *lim,
			struct err *err)
{
	const struct cfg_backend *be = &cs->ep->backend;
	struct buf url = BUF_INIT;
	int rc = ERR_NET;

	for (size_t i = 0; i < be->nhosts; i++) {
		struct backend_request br = {
		    .method = be->method ? be->method : cs->ep->method,
		    .body = cs->req->body,
		    .body_len = cs->req->body_len,
		    .content_type = cs->req->content_type,
		    .forwarded_for = cs->xff.len ? cs->xff.data : NULL,
		    .headers = cs->headers.h,
		    .nheaders = cs->headers.n,
		    .timeout_ms = cs->ep->timeout_ms,
		    .connect_timeout_ms = lim->connect_timeout_ms < cs->ep->timeout_ms
					      ? lim->connect_timeout_ms
					      : cs->ep->timeout_ms,
		    .max_response = lim->max_backend_response,
		    .max_header = lim->max_header_size,
		};

		buf_reset(&url);
		if (buf_puts(&url, be->hosts[i]) != 0) {
			rc = err_set(err, ERR_NOMEM, "out of memory");
			break;
		}
		/* "http://h:1/" + "/path": keep one slash. */
		if (url.len && url.data[url.len - 1] == '/' && be->url_pattern[0] == '/')
			buf_truncate(&url, url.len - 1);
		rc = route_expand(&url, be->url_pattern, cs->params, err);
		if (rc)
			break;
		/* lura: the url_pattern's own query, then '&' and the client's. */
		if (cs->query.len && (buf_putc(&url, strchr(url.data, '?') ? '&' : '?') != 0 ||
				      buf_append(&url, cs->query.data, cs->query.len) != 0)) {
			rc = err_set(err, ERR_NOMEM, "out of memory");
			break;
		}
		br.url = url.data;
		rc = app->backend_call(app->backend_ctx, &br, &cs->reply, err);
		if (rc != ERR_NET)
			break;
		if (i + 1 < be->nhosts)
			log_warn(cs->ep->endpoint, "%s; trying the next host",
				 err ? err->msg : "backend unreachable");
	}
	buf_free(&url);
	return rc;
}

static void answer_call_error(const struct cfg_endpoint *ep, int rc, const struct err *e,
			      struct response *resp)
{
	log_error(ep->endpoint, "%s", e->msg);
	switch (rc) {
	case ERR_NET:
		response_error(resp, 502, "backend_unreachable");
		break;
	case ERR_TIMEOUT:
		response_error(resp, 504, "backend_timeout");
		break;
	case ERR_LIMIT:
	case ERR_IO:
		response_error(resp, 502, "backend_bad_response");
		break;
	default:
		response_error(resp, 500, "internal_error");
		break;
	}
}

/* Whether ct names JSON: application/json or a +json type (RFC 6839
 * section 3.1), case-insensitive, parameters ignored. */
static bool is_json_media_type(const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	       (n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
		strncasecmp(ct + n - 5, "+json", 5) == 0);
}

/* The header line ("Name: value\r\n") of h at *pos, its length in *n;
 * advances *pos.  NULL at the end. */
static const char *next_line(const struct buf *h, size_t *pos, size_t *n)
{
	const char *line, *end;

	if (*pos >= h->len || (end = strstr(line = h->data + *pos, "\r\n")) == NULL)
		return NULL;
	*n = (size_t)(end - line) + 2;
	*pos += *n;
	return line;
}

/* Whether line is a header line of that name. */
static bool line_is(const char *line, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

static bool has_line(const struct buf *h, const char *name)
{
	const char *line;
	size_t pos = 0, n;

	while ((line = next_line(h, &pos, &n)) != NULL)
		if (line_is(line, name))
			return true;
	return false;
}

/* Append h's header lines to resp, but Content-Type (resp has its own)
 * and, unless keep_cache, Cache-Control. */
static int pass_headers(const struct buf *h, bool keep_cache, struct response *resp)
{
	const char *line;
	size_t pos = 0, n;

	while ((line = next_line(h, &pos, &n)) != NULL) {
		if (line_is(line, "Content-Type") ||
		    (!keep_cache && line_is(line, "Cache-Control")))
			continue;
		if (buf_append(&resp->headers, line, n) != 0)
			return ERR_NOMEM;
	}
	return 0;
}

/* Backend 4xx: its status, with the headers a client needs to act on it
 * (BACKEND_KEPT_HEADERS: WWW-Authenticate, Retry-After, ...) and nosniff.
 * A JSON body goes back unchanged (with the backend's Cache-Control, else
 * no-store); any other body (a text/html error page that echoes the login
 * input would be active content on the token endpoint's origin) is
 * replaced by {"error":"backend_error"}. */
static void pass_through(const struct cfg_endpoint *ep, const struct backend_reply *reply,
			 struct response *resp)
{
	bool json = is_json_media_type(reply->content_type);
	bool cache = json && has_line(&reply->headers, "Cache-Control");

	if (json) {
		resp->status = (int)reply->status;
		snprintf(resp->content_type, sizeof(resp->content_type), "%s", reply->content_type);
		resp->no_store = !cache;
		buf_reset(&resp->body);
		if (buf_append(&resp->body, reply->body.data, reply->body.len) != 0)
			goto oom;
	} else {
		log_info(ep->endpoint,
			 "backend's %ld answer is not JSON (Content-Type \"%s\"): its body is "
			 "replaced by {\"error\":\"backend_error\"}",
			 reply->status, reply->content_type);
		response_error(resp, (int)reply->status, "backend_error");
	}
	resp->nosniff = 1;
	if (pass_headers(&reply->headers, cache, resp) == 0)
		return;
oom:
	response_error(resp, 500, "internal_error");
}

static void sign_reply(struct metrics *m, const struct app_endpoint *aep, const struct jwk *key,
		       const struct backend_reply *reply, struct response *resp)
{
	const struct cfg_endpoint *ep = aep->cfg;
	struct signer_opts opts = aep->sign;
	struct err e = {0};
	int rc;

	opts.key = key;
	buf_reset(&resp->body);
	rc = signer_transform(&opts, reply->body.data ? reply->body.data : "", reply->body.len,
			      &resp->body, &e);
	if (rc == 0) {
		resp->status = 200;
		snprintf(resp->content_type, sizeof(resp->content_type),
			 "application/json; charset=utf-8");
		resp->no_store = 1;
		log_debug(ep->endpoint, "signed answer of %zu bytes", resp->body.len);
		metrics_token(m, metrics_endpoint(m, ep->endpoint), alg_name(ep->signer.alg),
			      jwk_kid(key));
		return;
	}
	if (rc == ERR_INVALID || rc == ERR_LIMIT) {
		log_error(ep->endpoint, "backend answer refused: %s", e.msg);
		response_error(resp, 502, "backend_bad_response");
	} else if (rc == ERR_IO) {
		/* Only a key on a PKCS#11 token signs with I/O: the token is
		 * gone or refuses; it is opened again on a later request. */
		keysource_key_failed(aep->keys, &e);
		log_error(ep->endpoint, "keys unavailable: %s (opened again on a later request)",
			  e.msg);
		resp->retry_after = HANDLER_RETRY_AFTER;
		response_error(resp, 503, "keys_unavailable");
	} else {
		/* ERR_KEY, ERR_CRYPTO, ERR_UNSUPPORTED, ERR_INTERNAL, ERR_NOMEM */
		log_error(ep->endpoint, "signing failed: %s", e.msg);
		response_error(resp, 500, rc == ERR_NOMEM ? "internal_error" : "signing_failed");
	}
}

static void handle_reply(struct metrics *m, const struct app_endpoint *aep, const struct jwk *key,
			 const struct backend_reply *reply, struct response *resp)
{
	const struct cfg_endpoint *ep = aep->cfg;
	long st = reply->status;

	if (st == 200 || st == 201) {
		sign_reply(m, aep, key, reply, resp);
	} else if (st >= 400 && st <= 499) {
		log_info(ep->endpoint, "backend answered %ld: passed through", st);
		pass_through(ep, reply, resp);
	} else {
		log_error(ep->endpoint, "backend answered HTTP %ld (200 or 201 expected)", st);
		response_error(resp, 502, "backend_bad_status");
	}
}

/* GET on a jwks_endpoint: the public JWK Set, cacheable for
 * cache_duration, with an ETag (a digest of the bytes) for conditional
 * requests. */
static void serve_jwks(const struct app_endpoint *aep, const struct request *req,
		       struct response *resp)
{
	const struct cfg_signer *s = &aep->cfg->signer;
	unsigned char digest[16];
	char hex[sizeof(digest) * 2 + 1], more_buf[64];
	unsigned skipped;
	const char *doc;
	size_t len;
	struct err e = {0};

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "GET, HEAD");
		response_error(resp, 405, "method_not_allowed");
		return;
	}
	if (keysource_published(aep->keys, &doc, &len, &e) != 0) {
		if (keysource_log_due(aep->keys, &skipped))
			log_error(s->jwks_endpoint, "public keys unavailable: %s%s", e.msg,
				  log_more(skipped, more_buf, sizeof(more_buf)));
		resp->retry_after = HANDLER_RETRY_AFTER;
		response_error(resp, 503, "keys_unavailable");
		return;
	}
	crypto_generichash(digest, sizeof(digest), (const unsigned char *)doc, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	snprintf(resp->etag, sizeof(resp->etag), "\"%s\"", hex);
	snprintf(resp->cache_control, sizeof(resp->cache_control), "public, max-age=%u",
		 s->keys.cache_duration);
	snprintf(resp->content_type, sizeof(resp->content_type), "application/jwk-set+json");
	resp->no_store = 0;
	buf_reset(&resp->body);
	if (req->if_none_match && strstr(req->if_none_match, resp->etag) != NULL) {
		resp->status = 304;
		resp->content_type[0] = '\0';
		return;
	}
	if (buf_append(&resp->body, doc, len) != 0) {
		response_error(resp, 500, "internal_error");
		return;
	}
	resp->status = 200;
}

/* The name of the first client header jwtsign uses that is longer than max
 * bytes, or NULL.  The web server has its own limits; in CGI mode these
 * come from the environment. */
static const char *oversized_header(const struct request *req, size_t max)
{
	if (req->content_type && strlen(req->content_type) > max)
		return "Content-Type";
	if (req->forwarded_for && strlen(req->forwarded_for) > max)
		return "X-Forwarded-For";
	if (req->if_none_match && strlen(req->if_none_match) > max)
		return "If-None-Match";
	return NULL;
}

/* The client's query that ep forwards (input_query_strings; absent or
 * []: none), encoded as lura does. */
static int forward_query(const struct cfg_endpoint *ep, const struct request *req, struct buf *out)
{
	bool all = false;

	for (size_t i = 0; i < ep->ninput_query; i++)
		all = all || strcmp(ep->input_query[i], "*") == 0;
	if (ep->ninput_query == 0 || req->query == NULL)
		return 0;
	return query_forward(req->query, ep->input_query, ep->ninput_query, all, out);
}

/* Call the backend for req and answer with its signed (or passed-through)
 * reply.  The headers built for the backend are sent whole or the request
 * is refused with 431: the X-Forwarded-For sent is the client's list plus
 * the client address, which must not be cut (the backend trusts its
 * right-most entry). */
static void forward(struct app *app, const struct app_endpoint *aep, const struct request *req,
		    const struct route_params *params, const struct jwk *key,
		    const struct authz_result *claims, const struct limiter_state *ls,
		    struct response *resp)
{
	const struct cfg_endpoint *ep = aep->cfg;
	const struct cfg_limits *lim = &app->cfg->limits;
	const char *too_large = NULL;
	struct metrics *m = app_metrics(app);
	struct call_state cs;
	struct err e = {0};
	long long started;
	int rc;

	memset(&cs, 0, sizeof(cs));
	cs.ep = ep;
	cs.req = req;
	cs.params = params;
	buf_init(&cs.xff, 0);
	buf_init(&cs.query, 0);
	buf_init(&cs.reply.body, lim->max_backend_response);
	buf_init(&cs.reply.headers, 0);
	if (forwarded_for(req, &cs.xff) != 0 || (rc = forward_query(ep, req, &cs.query)) != 0 ||
	    (rc = forward_headers_build(ep, req, lim->max_header_size, &cs.headers, &too_large)) ==
		ERR_NOMEM) {
		response_error(resp, 500, "internal_error");
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < claims->n; i++)
		rc = forward_headers_set(&cs.headers, claims->h[i].name, claims->h[i].value,
					 lim->max_header_size, &too_large);
	if (rc == ERR_NOMEM) {
		response_error(resp, 500, "internal_error");
		goto out;
	}
	if (rc == ERR_LIMIT) {
		log_info(ep->endpoint,
			 "request refused: %s header over %zu bytes (max_header_size)", too_large,
			 lim->max_header_size);
		response_error(resp, 431, "header_too_large");
		goto out;
	}
	if (cs.xff.len > lim->max_header_size) {
		log_info(ep->endpoint,
			 "request refused: X-Forwarded-For with the client address is %zu bytes, "
			 "over %zu (max_header_size)",
			 cs.xff.len, lim->max_header_size);
		response_error(resp, 431, "header_too_large");
		goto out;
	}
	started = clock_monotonic_us();
	rc = call_backend(app, &cs, lim, &e);
	metrics_backend(m, metrics_endpoint(m, ep->endpoint),
			(uint64_t)(clock_monotonic_us() - started));
	if (rc) {
		answer_call_error(ep, rc, &e, resp);
	} else {
		limiter_after(app, aep, ls, cs.reply.status);
		handle_reply(m, aep, key, &cs.reply, resp);
	}
out:
	buf_free(&cs.xff);
	buf_free(&cs.query);
	forward_headers_free(&cs.headers);
	buf_free(&cs.reply.headers);
	buf_free(&cs.reply.body);
}

/* The metrics_endpoint: the Prometheus text of the shared counters, as
 * they stand before this request is counted.  Whether it answered. */
static bool serve_metrics(struct app *app, const struct request *req, struct response *resp)
{
	const char *path = app->cfg->limits.metrics_endpoint;
	struct metrics *m;

	if (path == NULL || strcmp(req->path, path) != 0)
		return false;
	resp->endpoint = path;
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "GET, HEAD");
		response_error(resp, 405, "method_not_allowed");
		return true;
	}
	if ((m = app_metrics(app)) == NULL) {
		resp->retry_after = HANDLER_RETRY_AFTER;
		response_error(resp, 503, "metrics_unavailable");
		return true;
	}
	buf_reset(&resp->body);
	if (metrics_format(m, clock_now(), PACKAGE_VERSION, &resp->body) != 0) {
		response_error(resp, 500, "internal_error");
		return true;
	}
	resp->status = 200;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", METRICS_CONTENT_TYPE);
	resp->no_store = 1;
	return true;
}

/* Everything but CORS; see handle_request. */
/* 503 keys_unavailable for the signer's keys, and its log line (one a
 * second at most while the keys stay unavailable). */
static void keys_unavailable(const struct app_endpoint *aep, const struct err *e,
			     struct response *resp)
{
	char more_buf[64];
	unsigned skipped;

	if (keysource_log_due(aep->keys, &skipped))
		log_error(aep->cfg->endpoint, "keys unavailable: %s%s", e->msg,
			  log_more(skipped, more_buf, sizeof(more_buf)));
	resp->retry_after = HANDLER_RETRY_AFTER;
	response_error(resp, 503, "keys_unavailable");
}

static void answer(struct app *app, const struct request *req, struct response *resp)
{
	const struct cfg_endpoint *ep;
	const struct app_endpoint *aep;
	struct route_params params;
	bool path_matched = false;
	const struct jwk *key = NULL;
	struct authz_result claims = {NULL, 0, NULL};
	struct limiter_state ls;
	enum authz_verdict v;
	struct err e = {0};
	const char *hdr;
	int rc;

	if (app->cfg == NULL) {
		resp->retry_after = HANDLER_RETRY_AFTER;
		response_error(resp, 503, "not_configured");
		return;
	}
	if ((hdr = oversized_header(req, app->cfg->limits.max_header_size)) != NULL) {
		log_info("request", "request refused: %s header over %zu bytes (max_header_size)",
			 hdr, app->cfg->limits.max_header_size);
		response_error(resp, 431, "header_too_large");
		return;
	}
	if (health_handle(app, req, resp)) {
		resp->endpoint = app->cfg->limits.health_endpoint;
		return;
	}
	if (serve_metrics(app, req, resp))
		return;
	if ((ep = router_find_jwks(app->cfg, req->path)) != NULL &&
	    (aep = app_endpoint_of(app, ep)) != NULL) {
		resp->endpoint = ep->signer.jwks_endpoint;
		serve_jwks(aep, req, resp);
		return;
	}
	ep = router_match_method(app->cfg, req->method, req->path, &params, &path_matched);
	if (ep == NULL && path_matched) {
		router_allowed_methods(app->cfg, req->path, resp->allow, sizeof(resp->allow));
		response_error(resp, 405, "method_not_allowed");
		return;
	}
	if (ep == NULL && router_match_validator(app->cfg, req->method, req->path, NULL)) {
		/* an authorizer call that arrived as a token request */
		log_warn("router",
			 "%s %s is a protected endpoint (auth/validator), answered only in the "
			 "authorizer role: set FCGI authorizer mode, or JWTSIGN_MODE=authorizer "
			 "(nginx: fastcgi_param JWTSIGN_MODE authorizer;); 404",
			 req->method, req->path);
		response_error(resp, 404, "not_found");
		return;
	}
	if (ep == NULL || (aep = app_endpoint_of(app, ep)) == NULL) {
		log_info("router", "no endpoint for %s %s", req->method, req->path);
		response_error(resp, 404, "not_found");
		return;
	}
	resp->endpoint = ep->endpoint;
	if (ep->refused) {
		log_error(ep->endpoint, "request refused: %s", ep->refused);
		response_error(resp, 503, "not_configured");
		return;
	}
	if (req->reject_status) {
		log_info(ep->endpoint, "request refused: %s: %s", req->reject_code,
			 req->reject_why);
		response_error(resp, req->reject_status, req->reject_code);
		return;
	}
	if (limiter_before(app, aep, req, &params, &ls, resp))
		return;
	if (ep->has_validator) {
		v = authz_check(aep, req, &claims);
		metrics_validator(app->metrics, metrics_endpoint(app->metrics, ep->endpoint),
				  claims.reason);
		if (v != AUTHZ_ALLOW) {
			authz_deny(resp, v, false);
			goto out;
		}
	}
	app_pkcs11_recover(app);
	rc = keysource_get(aep->keys, &key, &e);
	if (rc) {
		keys_unavailable(aep, &e, resp);
		goto out;
	}
	forward(app, aep, req, &params, key, &claims, &ls, resp);
out:
	authz_result_free(&claims);
}

/* jwtsign_requests_total and jwtsign_errors_total of the answer. */
static void count(struct app *app, const struct response *resp)
{
	struct metrics *m = app_metrics(app);

	metrics_request(m, metrics_endpoint(m, resp->endpoint), resp->status,
			resp->status >= 400 ? resp->error : NULL);
}

/* KrakenD's CORS (cors.h) wraps every answer: a preflight is answered on
 * any path before routing; any other answer gets the CORS headers. */
void handle_request(struct app *app, const struct request *req, struct response *resp)
{
	const struct cors *c = app->cfg ? &app->cfg->cors : NULL;
	const char *origin = request_header(req, "HTTP_ORIGIN");
	const char *acrm = request_header(req, "HTTP_ACCESS_CONTROL_REQUEST_METHOD");
	int rc;

	resp->error = NULL;
	resp->endpoint = NULL;
	if (req->authorizer) {
		handle_authorize(app, req, resp);
		count(app, resp);
		return;
	}
	if (c && c->enabled && cors_is_preflight(req->method, acrm)) {
		buf_reset(&resp->body);
		resp->content_type[0] = '\0';
		/* As every answer of jwtsign (the browser's preflight cache
		 * follows Access-Control-Max-Age, not Cache-Control). */
		resp->no_store = 1;
		rc = cors_preflight(c, origin, acrm,
				    request_header(req, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
				    &resp->headers, &resp->status);
		if (rc)
			response_error(resp, 500, "internal_error");
		count(app, resp);
		return;
	}
	answer(app, req, resp);
	if (c && c->enabled && cors_actual(c, origin, req->method, &resp->headers) != 0)
		response_error(resp, 500, "internal_error");
	count(app, resp);
}
