/* handler.c - the token endpoint; see handler.h. */
#include "handler.h"
#include "buf.h"
#include "jwk.h"
#include "keysource.h"
#include "log.h"
#include "router.h"
#include "signer.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Seconds a client is asked to wait after a 503. */
#define HANDLER_RETRY_AFTER 5

static const struct app_endpoint *find_app_endpoint(const struct app *app,
						    const struct cfg_endpoint *ep)
{
	for (size_t i = 0; i < app->cfg->nendpoints; i++) {
		if (app->eps[i].cfg == ep)
			return &app->eps[i];
	}
	return NULL;
}

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
	struct backend_reply reply;
};

/* Call the backend hosts in order until one answers; returns the last
 * error (ERR_NET when no host could be reached). */
static int call_backend(struct app *app, struct call_state *cs, const struct cfg_limits *lim,
			struct err *err)
{
	const struct cfg_backend *be = &cs->ep->backend;
	struct buf xff = BUF_INIT, url = BUF_INIT;
	int rc = ERR_NET;

	if (forwarded_for(cs->req, &xff) != 0)
		return err_set(err, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < be->nhosts; i++) {
		struct backend_request br = {
		    .method = be->method ? be->method : cs->ep->method,
		    .body = cs->req->body,
		    .body_len = cs->req->body_len,
		    .content_type = cs->req->content_type,
		    .forwarded_for = xff.len ? xff.data : NULL,
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
		rc = router_expand(&url, be->url_pattern, cs->params, err);
		if (rc)
			break;
		br.url = url.data;
		rc = app->backend_call(app->backend_ctx, &br, &cs->reply, err);
		if (rc != ERR_NET)
			break;
		if (i + 1 < be->nhosts)
			log_warn(cs->ep->endpoint, "%s; trying the next host",
				 err ? err->msg : "backend unreachable");
	}
	buf_free(&url);
	buf_free(&xff);
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

/* Backend 4xx: status, Content-Type and body go back unchanged. */
static void pass_through(const struct backend_reply *reply, struct response *resp)
{
	resp->status = (int)reply->status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", reply->content_type);
	resp->no_store = 1;
	buf_reset(&resp->body);
	if (buf_append(&resp->body, reply->body.data, reply->body.len) != 0)
		response_error(resp, 500, "internal_error");
}

static void sign_reply(const struct cfg_endpoint *ep, const struct cfg_limits *lim,
		       const struct jwk *key, const struct backend_reply *reply,
		       struct response *resp)
{
	struct signer_opts opts;
	struct err e = {0};
	int rc;

	signer_opts_from_cfg(&opts, &ep->signer, lim, key);
	buf_reset(&resp->body);
	rc = signer_transform(&opts, reply->body.data ? reply->body.data : "", reply->body.len,
			      &resp->body, &e);
	if (rc == 0) {
		resp->status = 200;
		snprintf(resp->content_type, sizeof(resp->content_type),
			 "application/json; charset=utf-8");
		resp->no_store = 1;
		log_debug(ep->endpoint, "signed answer of %zu bytes", resp->body.len);
		return;
	}
	if (rc == ERR_INVALID || rc == ERR_LIMIT) {
		log_error(ep->endpoint, "backend answer refused: %s", e.msg);
		response_error(resp, 502, "backend_bad_response");
	} else {
		/* ERR_KEY, ERR_CRYPTO, ERR_UNSUPPORTED, ERR_INTERNAL, ERR_NOMEM */
		log_error(ep->endpoint, "signing failed: %s", e.msg);
		response_error(resp, 500, rc == ERR_NOMEM ? "internal_error" : "signing_failed");
	}
}

static void handle_reply(const struct cfg_endpoint *ep, const struct cfg_limits *lim,
			 const struct jwk *key, const struct backend_reply *reply,
			 struct response *resp)
{
	long st = reply->status;

	if (st == 200 || st == 201) {
		sign_reply(ep, lim, key, reply, resp);
	} else if (st >= 400 && st <= 499) {
		log_info(ep->endpoint, "backend answered %ld: passed through", st);
		pass_through(reply, resp);
	} else {
		log_error(ep->endpoint, "backend answered HTTP %ld (200 or 201 expected)", st);
		response_error(resp, 502, "backend_bad_status");
	}
}

/* The Allow header for a path that exists with other methods: every
 * configured method whose endpoint matches path, comma separated. */
static void allowed_methods(const struct cfg *cfg, const char *path, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const char *m = cfg->endpoints[i].method;
		int n;

		/* Only the endpoint that wins for its method is listed, so each
		 * method appears once. */
		if (router_match_method(cfg, m, path, NULL, NULL) != &cfg->endpoints[i])
			continue;
		n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", m);
		if (n < 0 || (size_t)n >= size - used) {
			out[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
}

/* The endpoint whose signer publishes its public keys at path, or NULL. */
static const struct app_endpoint *find_jwks_endpoint(const struct app *app, const char *path)
{
	for (size_t i = 0; i < app->cfg->nendpoints; i++) {
		const char *p = app->eps[i].cfg->signer.jwks_endpoint;

		if (p != NULL && strcmp(p, path) == 0)
			return &app->eps[i];
	}
	return NULL;
}

/* GET on a jwks_endpoint: the public JWK Set, cacheable for
 * cache_duration, with an ETag (a digest of the bytes) for conditional
 * requests. */
static void serve_jwks(const struct app_endpoint *aep, const struct request *req,
		       struct response *resp)
{
	const struct cfg_signer *s = &aep->cfg->signer;
	unsigned char digest[16];
	char hex[sizeof(digest) * 2 + 1];
	const char *doc;
	size_t len;
	struct err e = {0};

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "GET, HEAD");
		response_error(resp, 405, "method_not_allowed");
		return;
	}
	if (keysource_published(aep->keys, &doc, &len, &e) != 0) {
		log_error(s->jwks_endpoint, "public keys unavailable: %s", e.msg);
		resp->retry_after = HANDLER_RETRY_AFTER;
		response_error(resp, 503, "keys_unavailable");
		return;
	}
	crypto_generichash(digest, sizeof(digest), (const unsigned char *)doc, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	snprintf(resp->etag, sizeof(resp->etag), "\"%s\"", hex);
	snprintf(resp->cache_control, sizeof(resp->cache_control), "public, max-age=%u",
		 s->cache_duration);
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

void handle_request(struct app *app, const struct request *req, struct response *resp)
{
	const struct cfg_endpoint *ep;
	const struct app_endpoint *aep;
	struct route_params params;
	bool path_matched = false;
	struct call_state cs;
	const struct jwk *key = NULL;
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
	if ((aep = find_jwks_endpoint(app, req->path)) != NULL) {
		serve_jwks(aep, req, resp);
		return;
	}
	ep = router_match_method(app->cfg, req->method, req->path, &params, &path_matched);
	if (ep == NULL && path_matched) {
		allowed_methods(app->cfg, req->path, resp->allow, sizeof(resp->allow));
		response_error(resp, 405, "method_not_allowed");
		return;
	}
	if (ep == NULL || (aep = find_app_endpoint(app, ep)) == NULL) {
		log_info("router", "no endpoint for %s %s", req->method, req->path);
		response_error(resp, 404, "not_found");
		return;
	}
	if (req->reject_status) {
		log_info(ep->endpoint, "request refused: %s", req->reject_code);
		response_error(resp, req->reject_status, req->reject_code);
		return;
	}
	rc = keysource_get(aep->keys, &key, &e);
	if (rc) {
		log_error(ep->endpoint, "keys unavailable: %s", e.msg);
		resp->retry_after = HANDLER_RETRY_AFTER;
		response_error(resp, 503, "keys_unavailable");
		return;
	}
	memset(&cs, 0, sizeof(cs));
	cs.ep = ep;
	cs.req = req;
	cs.params = &params;
	buf_init(&cs.reply.body, app->cfg->limits.max_backend_response);
	rc = call_backend(app, &cs, &app->cfg->limits, &e);
	if (rc)
		answer_call_error(ep, rc, &e, resp);
	else
		handle_reply(ep, &app->cfg->limits, key, &cs.reply, resp);
	buf_free(&cs.reply.body);
}
