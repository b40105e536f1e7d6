/* health.c - the health check; see health.h. */
#include "health.h"
#include "buf.h"
#include "keysource.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

/* Seconds a prober is asked to wait after a 503 (as handler.c). */
#define HEALTH_RETRY_AFTER 5

/* s as a JSON string body (without the quotes): '"', '\' and controls
 * escaped.  Endpoint paths are checked at load; this keeps it JSON
 * whatever they hold. */
static int put_json_str(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int rc = ch < 0x20 || ch == '"' || ch == '\\' ? buf_printf(b, "\\u%04x", ch)
							      : buf_putc(b, (char)ch);
		if (rc)
			return rc;
	}
	return 0;
}

/* Append one failing part: {"endpoint":..,"method":..,"part":..}. */
static int put_failed(struct buf *b, bool *first, const struct cfg_endpoint *ep, const char *part)
{
	int rc;

	if ((rc = buf_puts(b, *first ? "{\"endpoint\":\"" : ",{\"endpoint\":\"")) != 0 ||
	    (rc = put_json_str(b, ep->endpoint)) != 0 ||
	    (rc = buf_printf(b, "\",\"method\":\"%s\",\"part\":\"%s\"}", ep->method, part)) != 0)
		return rc;
	*first = false;
	return 0;
}

/* Load a source; a failure is logged at debug level (the key source logs
 * its download failures itself). */
static bool source_ok(struct keysource *ks, const char *who)
{
	struct err e = {0};

	if (ks == NULL || keysource_load(ks, &e) == 0)
		return true;
	log_debug(who, "health: keys unavailable: %s", e.msg);
	return false;
}

/* The failing parts of app, as a JSON array's members, into b; *nfail
 * counts them. */
static int failing_parts(struct app *app, struct buf *b, size_t *nfail)
{
	bool first = true;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < app->cfg->nendpoints; i++) {
		struct app_endpoint *a = &app->eps[i];
		const char *part = NULL;

		if (a->cfg->refused)
			part = "configuration";
		else if (!source_ok(a->keys, a->cfg->endpoint))
			part = "signer_keys";
		else if (!source_ok(a->vkeys, a->cfg->endpoint))
			part = "validator_keys";
		if (part) {
			rc = put_failed(b, &first, a->cfg, part);
			(*nfail)++;
		}
	}
	return rc;
}

/* The parts that serve but not as configured (a jwk_url source without
 * the shared key cache: its directory was refused), as members of a
 * ,"warnings":[...] array appended to b when there are any; *nwarn counts
 * them.  Call after failing_parts (the sources were loaded). */
static int warning_parts(const struct app *app, struct buf *b, size_t *nwarn)
{
	bool first = true;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < app->cfg->nendpoints; i++) {
		const struct app_endpoint *a = &app->eps[i];

		if (a->cfg->refused ||
		    (!keysource_no_cache(a->keys) && !keysource_no_cache(a->vkeys)))
			continue;
		if (first)
			rc = buf_puts(b, ",\"warnings\":[");
		if (rc == 0)
			rc = put_failed(b, &first, a->cfg, "key_cache");
		(*nwarn)++;
	}
	return rc == 0 && *nwarn ? buf_putc(b, ']') : rc;
}

/* The answer's body: {"status":"ok"}, {"status":"warn","warnings":[..]}
 * or {"status":"fail","failed":[..][,"warnings":[..]]}, into b. */
static int health_body(struct app *app, struct buf *b, size_t *nfail)
{
	struct buf warn = BUF_INIT;
	size_t nwarn = 0;
	int rc;

	if ((rc = buf_puts(b, "{\"status\":\"fail\",\"failed\":[")) != 0 ||
	    (rc = failing_parts(app, b, nfail)) != 0 || (rc = buf_putc(b, ']')) != 0 ||
	    (rc = warning_parts(app, &warn, &nwarn)) != 0)
		goto out;
	if (*nfail == 0) {
		buf_reset(b);
		rc = buf_puts(b, nwarn ? "{\"status\":\"warn\"" : "{\"status\":\"ok\"");
	}
	if (rc == 0 && nwarn)
		rc = buf_append(b, warn.data, warn.len);
	if (rc == 0)
		rc = buf_putc(b, '}');
out:
	buf_free(&warn);
	return rc;
}

bool health_handle(struct app *app, const struct request *req, struct response *resp)
{
	const char *path = app->cfg ? app->cfg->limits.health_endpoint : NULL;
	size_t nfail = 0;

	if (path == NULL || req->path == NULL || strcmp(req->path, path) != 0)
		return false;
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "GET, HEAD");
		response_error(resp, 405, "method_not_allowed");
		return true;
	}
	response_error(resp, 200, "ok");
	buf_reset(&resp->body);
	if (health_body(app, &resp->body, &nfail) != 0) {
		response_error(resp, 500, "internal_error");
		return true;
	}
	resp->error = NULL;
	if (nfail == 0)
		return true;
	resp->status = 503;
	resp->error = "unhealthy"; /* for the metrics */
	resp->retry_after = HEALTH_RETRY_AFTER;
	return true;
}
