/* config_known.c - every KrakenD setting jwtsign meets: honoured, ignored
 * without consequence for a signer endpoint, or ignored with a meaning
 * the operator must know; unknown names get "did you mean".  Each notice
 * is logged when the file is loaded and listed by check-config (which
 * then exits 2).  Names and namespaces from lura config/parser.go and
 * KrakenD's documentation.  See config_int.h. */
#include "config_int.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* meaning NULL: honoured; "": ignored, harmless here; else: ignored, and
 * what that means. */
struct known {
	const char *name, *meaning;
};

/* Settings of KrakenD's own listener and client: the web server's and
 * libcurl's business. */
#define SERVER_SIDE ""

static const struct known top_keys[] = {
    {"version", NULL},
    {"host", NULL},
    {"timeout", NULL},
    {"endpoints", NULL},
    {"extra_config", NULL},
    {"$schema", ""},
    {"name", ""},
    {"port", SERVER_SIDE},
    {"listen_ip", SERVER_SIDE},
    {"tls", SERVER_SIDE},
    {"client_tls", ""},
    {"read_timeout", SERVER_SIDE},
    {"write_timeout", SERVER_SIDE},
    {"idle_timeout", SERVER_SIDE},
    {"read_header_timeout", SERVER_SIDE},
    {"max_header_bytes", "client headers are limited by the web server and "
			 "max_header_size"},
    {"disable_keep_alives", SERVER_SIDE},
    {"disable_compression", SERVER_SIDE},
    {"disable_rest", ""},
    {"max_idle_connections", SERVER_SIDE},
    {"max_idle_connections_per_host", SERVER_SIDE},
    {"idle_connection_timeout", SERVER_SIDE},
    {"response_header_timeout", SERVER_SIDE},
    {"expect_continue_timeout", SERVER_SIDE},
    {"dialer_timeout", "the connect timeout is extra_config.jwtsign.connect_timeout"},
    {"dialer_fallback_delay", SERVER_SIDE},
    {"dialer_keep_alive", SERVER_SIDE},
    {"debug_endpoint", ""},
    {"echo_endpoint", ""},
    {"sequential_start", ""},
    {"plugin", "KrakenD plugins do not run"},
    {"dns_cache_ttl", SERVER_SIDE},
    {"max_shutdown_wait_time", SERVER_SIDE},
    {"use_h2c", SERVER_SIDE},
    {"allow_insecure_connections", SERVER_SIDE},
    {"async_agent", ""},
    {"cache_ttl", "answers are Cache-Control: no-store"},
    {"output_encoding", ""},
};

static const struct known endpoint_keys[] = {
    {"endpoint", NULL},
    {"method", NULL},
    {"backend", NULL},
    {"timeout", NULL},
    {"input_headers", NULL},
    {"input_query_strings", NULL},
    {"extra_config", NULL},
    {"output_encoding", ""}, /* KrakenD's signer always answers JSON */
    {"concurrent_calls", "the backend is called once per request"},
    {"cache_ttl", "answers are Cache-Control: no-store"},
};

static const struct known backend_keys[] = {
    {"host", NULL},
    {"url_pattern", NULL},
    {"method", NULL},
    {"encoding", NULL},
    {"is_collection", NULL},
    {"target", NULL},
    {"allow", NULL},
    {"deny", NULL},
    {"mapping", NULL},
    {"group", NULL},
    {"extra_config", NULL},
    {"sd", ""},
    {"sd_scheme", ""},
    {"disable_host_sanitize", "hosts are always sanitised (http:// added, '/' removed)"},
    {"input_headers", "the endpoint's input_headers decide what is forwarded"},
    {"input_query_strings", "the endpoint's input_query_strings decide what is forwarded"},
};

static const struct known endpoint_ns[] = {
    {"auth/signer", NULL},
    {"github.com/devopsfaith/krakend-jose/signer", NULL},
    {"auth/validator", NULL}, /* config_validator.c */
    {"github.com/devopsfaith/krakend-jose/validator", NULL},
    {"qos/ratelimit/router", NULL}, /* config_ratelimit.c */
    {"jwtsign", NULL},		    /* the endpoint's extensions (failed_login) */
    {"qos/ratelimit/proxy", "the backend calls are not rate limited"},
    {"validation/json-schema", "request bodies are not checked against a schema; the backend "
			       "must check them"},
    {"validation/cel", "no CEL expression is evaluated"},
    {"security/policies", "no security policy is evaluated"},
    {"proxy", "the endpoint's proxy options (sequential, shadow, static) do not apply"},
    {"modifier/lua-proxy", "no Lua script runs"},
    {"modifier/lua-endpoint", "no Lua script runs"},
    {"modifier/martian", "no request or response modifier runs"},
    {"modifier/jmespath", "the answer is not transformed"},
    {"modifier/response-body-generator", "the answer is not generated"},
    {"auth/api-keys", "no API key is required"},
    {"auth/basic", "no basic authentication is required"},
    {"security/bot-detector", "bots are not detected"},
    {"telemetry/logging", ""},
    {"telemetry/opentelemetry", ""},
};

static const struct known service_ns[] = {
    {"jwtsign", NULL},
    {"security/cors", NULL},
    {"qos/ratelimit/service", "the service is not rate limited"},
    {"security/http", "security headers and host checks are the web server's job"},
    {"auth/revoker", "tokens cannot be revoked"},
    /* krakend-jose's service-level block: shared_cache_duration, the age
     * of keys shared between validators */
    {"auth/validator", "each validator keeps its keys for its own cache_duration "
		       "(jwtsign's key cache is always shared)"},
    {"github.com/devopsfaith/krakend-jose/validator",
     "each validator keeps its keys for its own cache_duration "
     "(jwtsign's key cache is always shared)"},
    {"router", "KrakenD's router options (error bodies, health path, ...) do not apply"},
    {"server/virtualhost", "virtual hosts are the web server's job"},
    {"plugin/http-server", "KrakenD plugins do not run"},
    {"security/bot-detector", "bots are not detected"},
    {"telemetry/logging", ""},
    {"telemetry/metrics", ""},
    {"telemetry/opentelemetry", ""},
    {"telemetry/opencensus", ""},
    {"telemetry/gelf", ""},
    {"telemetry/logstash", ""},
    {"telemetry/influx", ""},
    {"telemetry/newrelic", ""},
    {"telemetry/moesif", ""},
    {"grpc", ""},
    {"documentation/openapi", ""},
    {"auth/gcp", ""},
};

static const struct known backend_ns[] = {
    {"qos/circuit-breaker", "no circuit breaker protects the backend"},
    {"qos/ratelimit/proxy", "the backend calls are not rate limited"},
    {"qos/http-cache", "backend answers are not cached"},
    {"backend/http", "the backend's error bodies are handled by jwtsign's rules"},
    {"backend/http/client", "the HTTP client options do not apply"},
    {"modifier/martian", "no request or response modifier runs"},
    {"modifier/lua-backend", "no Lua script runs"},
    {"auth/client-credentials", "no OAuth client credentials are fetched for the backend"},
    {"backend/static-filesystem", ""},
    {"telemetry/opentelemetry", ""},
};

static const struct {
	const struct known *table;
	size_t n;
	bool ns; /* extra_config namespaces: exact map keys */
	const char *what;
} levels[] = {
    [CFG_TOP] = {top_keys, sizeof(top_keys) / sizeof(top_keys[0]), false, "setting"},
    [CFG_ENDPOINT] = {endpoint_keys, sizeof(endpoint_keys) / sizeof(endpoint_keys[0]), false,
		      "setting"},
    [CFG_BACKEND] = {backend_keys, sizeof(backend_keys) / sizeof(backend_keys[0]), false,
		     "setting"},
    [CFG_SERVICE_NS] = {service_ns, sizeof(service_ns) / sizeof(service_ns[0]), true, "namespace"},
    [CFG_ENDPOINT_NS] = {endpoint_ns, sizeof(endpoint_ns) / sizeof(endpoint_ns[0]), true,
			 "namespace"},
    [CFG_BACKEND_NS] = {backend_ns, sizeof(backend_ns) / sizeof(backend_ns[0]), true, "namespace"},
};

void cfg_notice(struct cfg_pctx *c, const char *fmt, ...)
{
	char msg[512], line[1024];
	struct cfg *cfg = c->cfg;
	va_list ap;
	char **grown;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s%s%s%s%s", c->ep, c->ep[0] ? ": " : "", c->sect,
		 c->sect[0] ? ": " : "", msg);
	log_warn("config", "%s: %s", c->name, line);
	if (cfg == NULL ||
	    (grown = realloc(cfg->notices, (cfg->nnotices + 1) * sizeof(*grown))) == NULL)
		return;
	cfg->notices = grown;
	if ((cfg->notices[cfg->nnotices] = strdup(line)) != NULL)
		cfg->nnotices++;
}

/* Levenshtein distance of a and b (ASCII case folded), capped. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = (a[i - 1] | 0x20) != (b[j - 1] | 0x20);

			tmp = row[j];
			row[j] = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			if (prev + cost < row[j])
				row[j] = prev + cost;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *cfg_suggest(const char *name, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t bestd = 99, len = strlen(name);

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(name, names[i]);

		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	/* Close enough to be a typo: at most 2 edits, and fewer than a third
	 * of the name. */
	return best && bestd <= 2 && bestd * 3 <= len ? best : NULL;
}

int cfg_unknown(struct cfg_pctx *c, const char *what, const char *name, const char *const *names,
		size_t n)
{
	const char *s = cfg_suggest(name, names, n);
	char sh[CFG_SHOW];

	if (s)
		return cfg_fail(c, ERR_INVALID, NULL,
				"unknown %s \"%s\" (did you mean \"%s\"?): refused, since "
				"ignoring it would drop what \"%s\" configures",
				what, cfg_show_str(sh, name), s, s);
	cfg_notice(c, "unknown %s \"%s\" ignored", what, cfg_show_str(sh, name));
	return 0;
}

/* The notice for an unknown name that is no typo of an honoured one: "did
 * you mean" an ignored KrakenD name when it is close to one. */
static void unknown_ignored(struct cfg_pctx *c, const char *what, const char *name,
			    const char *const *names, size_t n)
{
	const char *s = cfg_suggest(name, names, n);
	char sh[CFG_SHOW];

	if (s)
		cfg_notice(c, "unknown %s \"%s\" ignored (did you mean \"%s\"?)", what,
			   cfg_show_str(sh, name), s);
	else
		cfg_notice(c, "unknown %s \"%s\" ignored", what, cfg_show_str(sh, name));
}

int cfg_check_known(struct cfg_pctx *c, json_object *obj, enum cfg_level level)
{
	const struct known *t = levels[level].table;
	size_t n = levels[level].n, nh = 0, ni = 0;
	const char *honoured[64], *ignored[64];

	if (!json_object_is_type(obj, json_type_object))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i].meaning == NULL && nh < 64)
			honoured[nh++] = t[i].name;
		else if (t[i].meaning && ni < 64)
			ignored[ni++] = t[i].name;
	}
	json_object_object_foreach(obj, key, val)
	{
		size_t i;
		char sh[CFG_SHOW];

		(void)val;
		for (i = 0; i < n; i++)
			if (levels[level].ns ? strcmp(key, t[i].name) == 0
					     : strcasecmp(key, t[i].name) == 0)
				break;
		if (i < n) {
			if (t[i].meaning && t[i].meaning[0])
				cfg_notice(c, "%s \"%s\" is ignored: %s", levels[level].what,
					   cfg_show_str(sh, key), t[i].meaning);
			continue;
		}
		/* Namespaces jwtsign knows nothing about are many (plugins):
		 * named without a guess of meaning, unless a typo of ours. */
		if (cfg_suggest(key, honoured, nh))
			return cfg_unknown(c, levels[level].what, key, honoured, nh);
		unknown_ignored(c, levels[level].what, key, ignored, ni);
	}
	return 0;
}
