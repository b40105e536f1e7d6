/* limiter.c - an endpoint's limits; see limiter.h. */
#include "limiter.h"
#include "gojson.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "signer.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The CGI meta-variable of header name ("X-Forwarded-For" ->
 * "HTTP_X_FORWARDED_FOR"), into out. */
static void header_var(const char *name, char *out, size_t size)
{
	size_t j = snprintf(out, size, "HTTP_");

	for (; *name && j + 1 < size; name++)
		out[j++] = *name == '-' ? '_' : (char)toupper((unsigned char)*name);
	out[j] = '\0';
}

/* The first address of a header value ("203.0.113.7, 10.0.0.1",
 * "[2001:db8::1]:443", "192.0.2.1:80"), into out; false when it holds
 * none. */
static bool first_address(const char *v, char *out, size_t size)
{
	unsigned char bin[16];
	size_t n;

	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, ",");
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n > 0 && v[0] == '[') { /* [v6]:port */
		const char *end = memchr(v, ']', n);

		if (end == NULL)
			return false;
		n = (size_t)(end - v) - 1;
		v++;
	}
	if (n == 0 || n >= size)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	if (inet_pton(AF_INET6, out, bin) == 1)
		return true;
	out[strcspn(out, ":")] = '\0'; /* v4:port */
	return inet_pton(AF_INET, out, bin) == 1;
}

/* Who the client is for the router block (KrakenD's token extractors);
 * false when the request names none (KrakenD then answers 429). */
static bool client_id(const struct cfg_ratelimit *r, const struct request *req,
		      const struct route_params *params, char *out, size_t size)
{
	char var[128];
	const char *v;

	switch (r->strategy) {
	case CFG_RL_HEADER:
		header_var(r->key, var, sizeof(var));
		v = request_header(req, var);
		if (v == NULL || *v == '\0')
			return false;
		snprintf(out, size, "%s", v);
		return true;
	case CFG_RL_PARAM:
		for (size_t i = 0; params && i < params->n; i++)
			if (strlen(r->key) == params->p[i].name_len &&
			    memcmp(params->p[i].name, r->key, params->p[i].name_len) == 0 &&
			    params->p[i].value_len > 0) {
				snprintf(out, size, "%.*s", (int)params->p[i].value_len,
					 params->p[i].value);
				return true;
			}
		return false;
	case CFG_RL_IP:
	case CFG_RL_NONE:
		if (r->key) {
			header_var(r->key, var, sizeof(var));
			v = request_header(req, var);
			if (v && first_address(v, out, size))
				return true;
		}
		if (req->remote_addr == NULL || *req->remote_addr == '\0')
			return false;
		snprintf(out, size, "%s", req->remote_addr);
		return true;
	}
	return false;
}

static void refuse(struct response *resp, int status, uint64_t retry_us)
{
	uint64_t s = (retry_us + 999999) / 1000000;

	resp->retry_after = s < 1 ? 1 : (unsigned)(s > 86400 ? 86400 : s);
	response_error(resp, status, "rate_limited");
}

/* The key of a limit: the configuration file (the processes of one user
 * share the table: two sites' files keep their own buckets, the workers
 * of one file share them), its kind, the endpoint's route, the numbers
 * that define it (a changed limit starts with new buckets) and who. */
static uint64_t limit_key(struct rl_table *t, const char *scope, const char *kind,
			  const struct cfg_endpoint *ep, uint64_t a, uint64_t b, const char *who)
{
	char nums[48];
	const char *parts[6] = {scope ? scope : "", kind, ep->method, ep->endpoint, nums, who};

	snprintf(nums, sizeof(nums), "%llu/%llu", (unsigned long long)a, (unsigned long long)b);
	return rl_key(t, parts, 6);
}

/* The username the login body names at the throttle's JSON Pointer, into
 * out (a string value only); false when there is none. */
static bool username(const struct app *app, const struct cfg_login_throttle *th,
		     const struct request *req, char *out, size_t size)
{
	const struct cfg_limits *lim = &app->cfg->limits;
	struct gojson_limits gl = {lim->max_json_depth, lim->max_json_members};
	struct json_object *root = NULL, *v = NULL;
	bool ok = false;

	if (th->username == NULL || req->body_len == 0 ||
	    gojson_parse_ex((const char *)req->body, req->body_len, &gl, GOJSON_SECRET, &root, NULL,
			    NULL) != 0)
		return false;
	if (signer_pointer_get(root, th->username, &v) == 1 &&
	    json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) < size && json_object_get_string_len(v) > 0) {
		memcpy(out, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
		ok = true;
	}
	gojson_put_wiped(root); /* the body holds the password */
	return ok;
}

/* What client_id lacked, for the log line: the header, the parameter or
 * the address that names the client. */
static const char *missing_identity(const struct cfg_ratelimit *r)
{
	static char why[200];

	if (r->strategy == CFG_RL_HEADER)
		snprintf(why, sizeof(why), "the request has no %.64s header (strategy \"header\")",
			 r->key ? r->key : "(none)");
	else if (r->strategy == CFG_RL_PARAM)
		snprintf(why, sizeof(why), "the path has no {%.64s} value (strategy \"param\")",
			 r->key ? r->key : "(none)");
	else if (r->key)
		snprintf(why, sizeof(why),
			 "no address in the %.64s header, and none from the web server "
			 "(REMOTE_ADDR)",
			 r->key);
	else
		snprintf(why, sizeof(why),
			 "the web server passed no REMOTE_ADDR (a server configuration "
			 "problem: every request without it is refused)");
	return why;
}

static bool check_router(struct rl_table *t, const char *scope, const struct cfg_endpoint *ep,
			 const struct request *req, const struct route_params *params,
			 struct metrics *m, struct response *resp)
{
	size_t mi = metrics_endpoint(m, ep->endpoint);

	const struct cfg_ratelimit *r = &ep->ratelimit;
	char who[256];
	uint64_t retry = 0;

	if (r->client_interval_us) {
		if (!client_id(r, req, params, who, sizeof(who))) {
			log_info(ep->endpoint,
				 "request refused: no client identity for the client rate limit "
				 "(qos/ratelimit/router): %s",
				 missing_identity(r));
			refuse(resp, 429, 1000000);
			metrics_limiter(m, mi, METRICS_LIMIT_CLIENT, true);
			return true;
		}
		if (rl_take(t,
			    limit_key(t, scope, "client", ep, r->client_interval_us,
				      r->client_capacity, who),
			    r->client_interval_us, r->client_capacity, &retry) == RL_DENY) {
			log_info(ep->endpoint, "request refused: client rate limit");
			refuse(resp, 429, retry);
			metrics_limiter(m, mi, METRICS_LIMIT_CLIENT, true);
			return true;
		}
		metrics_limiter(m, mi, METRICS_LIMIT_CLIENT, false);
	}
	if (r->interval_us &&
	    rl_take(t, limit_key(t, scope, "endpoint", ep, r->interval_us, r->capacity, ""),
		    r->interval_us, r->capacity, &retry) == RL_DENY) {
		log_info(ep->endpoint, "request refused: endpoint rate limit");
		refuse(resp, 503, retry);
		metrics_limiter(m, mi, METRICS_LIMIT_ENDPOINT, true);
		return true;
	}
	if (r->interval_us)
		metrics_limiter(m, mi, METRICS_LIMIT_ENDPOINT, false);
	return false;
}

/* Whether the failed-login throttle refuses req now (a username or a
 * client over its failures); *retry: how long, in microseconds.  ls gets
 * the keys limiter_after counts with.  quiet: no log line (another limit
 * already refused the request). */
static bool throttle_blocked(struct app *app, struct rl_table *t, const struct cfg_endpoint *ep,
			     const struct request *req, struct limiter_state *ls, uint64_t *retry,
			     bool quiet)
{
	const struct cfg_login_throttle *th = &ep->throttle;
	struct cfg_ratelimit ip = {0};
	char who[256], user[256];
	bool refused = false;

	/* The throttle's client: as the router block's "ip" strategy names
	 * it (its trusted header), else REMOTE_ADDR. */
	ip.strategy = CFG_RL_IP;
	ip.key =
	    ep->has_ratelimit && ep->ratelimit.strategy == CFG_RL_IP ? ep->ratelimit.key : NULL;
	if (!client_id(&ip, req, NULL, who, sizeof(who)))
		who[0] = '\0';
	ls->throttled = true;
	ls->client_key = limit_key(t, app->cfg->path, "failed-client", ep, th->window_ms, 0, who);
	if (username(app, th, req, user, sizeof(user))) {
		ls->have_user = true;
		ls->user_key =
		    limit_key(t, app->cfg->path, "failed-user", ep, th->window_ms, 0, user);
		sodium_memzero(user, sizeof(user));
		refused = rl_fail_blocked(t, ls->user_key, th->max_failures, retry) == RL_DENY;
		if (refused && !quiet)
			log_info(ep->endpoint,
				 "login refused: %u failed logins of this username "
				 "(failed_login)",
				 th->max_failures);
	}
	if (!refused && th->client_max_failures &&
	    rl_fail_blocked(t, ls->client_key, th->client_max_failures, retry) == RL_DENY) {
		if (!quiet)
			log_info(ep->endpoint,
				 "login refused: %u failed logins from this client "
				 "(failed_login)",
				 th->client_max_failures);
		refused = true;
	}
	return refused;
}

bool limiter_before(struct app *app, const struct app_endpoint *aep, const struct request *req,
		    const struct route_params *params, struct limiter_state *ls,
		    struct response *resp)
{
	const struct cfg_endpoint *ep = aep->cfg;
	const struct cfg_login_throttle *th = &ep->throttle;
	struct limiter_state other;
	struct rl_table *t;
	uint64_t retry = 0;
	bool refused;

	memset(ls, 0, sizeof(*ls));
	if (!ep->has_ratelimit && th->max_failures == 0)
		return false;
	if ((t = app_ratelimit(app)) == NULL)
		return false;
	if (ep->has_ratelimit &&
	    check_router(t, app->cfg->path, ep, req, params, app_metrics(app), resp)) {
		/* The longest wait is the one to tell: a locked username
		 * waits out its window, not the bucket's next token. */
		memset(&other, 0, sizeof(other));
		if (th->max_failures && throttle_blocked(app, t, ep, req, &other, &retry, true) &&
		    (retry + 999999) / 1000000 > resp->retry_after)
			refuse(resp, resp->status, retry);
		return true;
	}
	if (th->max_failures == 0)
		return false;
	refused = throttle_blocked(app, t, ep, req, ls, &retry, false);
	if (refused)
		refuse(resp, 429, retry);
	metrics_limiter(app_metrics(app), metrics_endpoint(app->metrics, ep->endpoint),
			METRICS_LIMIT_FAILED_LOGIN, refused);
	return refused;
}

void limiter_after(struct app *app, const struct app_endpoint *aep, const struct limiter_state *ls,
		   long status)
{
	const struct cfg_login_throttle *th = &aep->cfg->throttle;
	uint64_t window = (uint64_t)th->window_ms * 1000;
	struct rl_table *t;
	bool failed = false;

	if (!ls->throttled || (t = app_ratelimit(app)) == NULL)
		return;
	for (size_t i = 0; i < th->nstatuses; i++)
		failed = failed || status == th->statuses[i];
	if (failed) {
		if (ls->have_user)
			rl_fail_add(t, ls->user_key, window);
		if (th->client_max_failures)
			rl_fail_add(t, ls->client_key, window);
	} else if ((status == 200 || status == 201) && ls->have_user) {
		rl_fail_reset(t, ls->user_key);
	}
}
