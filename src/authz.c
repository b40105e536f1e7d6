/* authz.c - an endpoint's auth/validator verdict on a request; see authz.h. */
#include "authz.h"
#include "clock.h"
#include "jwt.h"
#include "jwt_claims.h"
#include "keysource.h"
#include "log.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest header or cookie name the token is looked up under. */
#define AUTHZ_NAME_MAX 128

/* The meta-variable of header name ("HTTP_" + upper case, '-' as '_')
 * into out (size AUTHZ_NAME_MAX + 6).  Returns false when too long. */
static bool header_var(const char *name, char *out, size_t size)
{
	size_t n = strlen(name);

	if (n + 6 > size)
		return false;
	memcpy(out, "HTTP_", 5);
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];

		out[5 + i] = c == '-' ? '_' : (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	return true;
}

/* The token in header value v: the value, without a "Bearer" prefix and
 * the spaces after it (the scheme in any case, as krakend-jose; RFC 6750
 * section 2.1: "Bearer" 1*SP b64token).  *len 0 when there is none. */
static const char *from_header(const char *v, size_t *len)
{
	size_t n = v ? strlen(v) : 0;

	if (n > 7 && strncasecmp(v, "Bearer ", 7) == 0) {
		v += 7;
		n -= 7;
		while (n > 0 && *v == ' ') {
			v++;
			n--;
		}
	}
	*len = n;
	return v;
}

/* The value of cookie name in a Cookie header (RFC 6265 section 5.4: pairs
 * separated by ";", blanks around them ignored; a value in double quotes
 * is taken without them, as Go's net/http does).  The first pair with that
 * name wins.  *len 0 when absent. */
static const char *from_cookie(const char *h, const char *name, size_t *len)
{
	size_t nl = strlen(name);

	*len = 0;
	while (h && *h) {
		const char *end;
		size_t pl;

		h += strspn(h, " \t;");
		end = strchr(h, ';');
		pl = end ? (size_t)(end - h) : strlen(h);
		while (pl > 0 && (h[pl - 1] == ' ' || h[pl - 1] == '\t'))
			pl--;
		if (pl > nl && h[nl] == '=' && memcmp(h, name, nl) == 0) {
			const char *v = h + nl + 1;
			size_t vl = pl - nl - 1;

			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
				v++;
				vl -= 2;
			}
			*len = vl;
			return v;
		}
		h = end ? end + 1 : NULL;
	}
	return NULL;
}

/* Where the validator finds the token: its header (default
 * Authorization), then, only when cookie_key is configured, that cookie.
 * (krakend-jose also reads a cookie "access_token" when no cookie_key is
 * set; jwtsign does not: a cookie is sent by the browser on every
 * cross-site request, so it is a choice to make, not a default.) */
static const char *find_token(const struct cfg_validator *v, const struct request *req, size_t *len)
{
	char var[AUTHZ_NAME_MAX + 6];
	const char *name = v->auth_header_name ? v->auth_header_name : "Authorization";
	const char *t = NULL;

	*len = 0;
	if (header_var(name, var, sizeof(var)))
		t = from_header(request_header(req, var), len);
	if (*len == 0 && v->cookie_key)
		t = from_cookie(request_header(req, "HTTP_COOKIE"), v->cookie_key, len);
	return *len ? t : NULL;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* Fill res with the propagated claims of the valid token t.  A claim
 * absent from the token gives an empty value (krakend-jose sends the
 * header empty, which also replaces a client's header of that name). */
static enum authz_verdict propagate(const struct cfg_validator *v, const struct jwt_token *t,
				    struct authz_result *res, const char *who)
{
	struct buf val = BUF_INIT;
	enum authz_verdict out = AUTHZ_ALLOW;
	int rc;

	if (v->npropagate == 0)
		return AUTHZ_ALLOW;
	res->h = calloc(v->npropagate, sizeof(*res->h));
	if (res->h == NULL)
		return AUTHZ_INTERNAL;
	for (size_t i = 0; i < v->npropagate && out == AUTHZ_ALLOW; i++) {
		buf_reset(&val);
		rc = jwt_claim_string(t->claims, v->propagate[i].claim, &val);
		if (rc == ERR_NOMEM) {
			out = AUTHZ_INTERNAL;
			break;
		}
		if (rc == 0 && has_control(val.data, val.len)) {
			log_info(who,
				 "token refused: claim \"%s\" holds a control character, "
				 "which no header can carry",
				 v->propagate[i].claim);
			res->reason = "claim";
			out = AUTHZ_DENY_TOKEN;
			break;
		}
		res->h[i].name = v->propagate[i].header;
		res->h[i].value =
		    strndup(rc == 0 && val.data ? val.data : "", rc == 0 ? val.len : 0);
		if (res->h[i].value == NULL) {
			out = AUTHZ_INTERNAL;
			break;
		}
		res->n = i + 1;
	}
	buf_wipe_free(&val);
	return out;
}

static enum authz_verdict verdict_of(enum jwt_reason r)
{
	switch (r) {
	case JWT_OK:
		return AUTHZ_ALLOW;
	case JWT_ROLES:
	case JWT_SCOPES:
		return AUTHZ_DENY_SCOPE;
	case JWT_KEYS_UNAVAILABLE:
		return AUTHZ_UNAVAILABLE;
	default:
		return AUTHZ_DENY_TOKEN;
	}
}

/* Verify t with the source's current keys; a kid the set lacks asks the
 * source for a refresh (at most once per failed_jwk_key_cooldown) and
 * tries again once with the new keys. */
static enum jwt_reason verify(const struct app_endpoint *aep, const char *tok, size_t len,
			      struct jwt_token *t, struct err *e)
{
	const struct jwk_keyring *ring = NULL;
	enum jwt_reason r;

	if (keysource_get_ring(aep->vkeys, &ring, e) != 0)
		return JWT_KEYS_UNAVAILABLE;
	r = jwt_verify(tok, len, &aep->policy, ring, clock_now(), t, e);
	if (r == JWT_KID && keysource_ring_miss(aep->vkeys)) {
		jwt_token_free(t);
		if (keysource_get_ring(aep->vkeys, &ring, e) != 0)
			return JWT_KEYS_UNAVAILABLE;
		r = jwt_verify(tok, len, &aep->policy, ring, clock_now(), t, e);
	}
	return r;
}

enum authz_verdict authz_check(const struct app_endpoint *aep, const struct request *req,
			       struct authz_result *res)
{
	const struct cfg_validator *v = &aep->cfg->validator;
	const char *who = aep->cfg->endpoint;
	struct jwt_token t;
	struct err e = {0};
	enum jwt_reason r;
	enum authz_verdict out;
	const char *tok;
	char more_buf[64];
	unsigned skipped;
	size_t len;

	memset(res, 0, sizeof(*res));
	memset(&t, 0, sizeof(t));
	tok = find_token(v, req, &len);
	if (tok == NULL) {
		res->reason = "missing";
		log_info(who, "%s %s denied: no token", req->method, req->path);
		return AUTHZ_DENY_MISSING;
	}
	r = verify(aep, tok, len, &t, &e);
	out = verdict_of(r);
	if (out == AUTHZ_UNAVAILABLE) {
		res->reason = "keys_unavailable";
		if (keysource_log_due(aep->vkeys, &skipped))
			log_error(who, "%s %s denied: keys unavailable: %s%s", req->method,
				  req->path, e.msg, log_more(skipped, more_buf, sizeof(more_buf)));
	} else if (out != AUTHZ_ALLOW) {
		res->reason = jwt_reason_word(r);
		log_info(who, "%s %s denied: %s%s%s", req->method, req->path, res->reason,
			 e.msg[0] && v->operation_debug ? ": " : "",
			 v->operation_debug ? e.msg : "");
	} else {
		out = propagate(v, &t, res, who);
		if (out == AUTHZ_ALLOW && v->operation_debug)
			log_info(who, "%s %s allowed", req->method, req->path);
	}
	jwt_token_free(&t);
	return out;
}

void authz_result_free(struct authz_result *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->n; i++) {
		if (res->h[i].value) {
			sodium_memzero(res->h[i].value, strlen(res->h[i].value));
			free(res->h[i].value);
		}
	}
	free(res->h);
	memset(res, 0, sizeof(*res));
}

void authz_deny(struct response *resp, enum authz_verdict v, bool authorizer)
{
	const char *code = "invalid_token";
	int status = 401;
	int rc;

	if (!authorizer && v == AUTHZ_UNAVAILABLE) {
		resp->retry_after = 5;
		response_error(resp, 503, "keys_unavailable");
		return;
	}
	if (!authorizer && v == AUTHZ_INTERNAL) {
		response_error(resp, 500, "internal_error");
		return;
	}
	if (v == AUTHZ_DENY_SCOPE) {
		code = "insufficient_scope";
		status = 403;
	}
	response_error(resp, status, code);
	rc = v == AUTHZ_DENY_MISSING
		 ? buf_puts(&resp->headers, "WWW-Authenticate: Bearer\r\n")
		 : buf_printf(&resp->headers, "WWW-Authenticate: Bearer error=\"%s\"\r\n", code);
	if (rc != 0) /* the JSON answer stays; only the challenge is lost */
		log_warn("authz", "out of memory for WWW-Authenticate");
}
