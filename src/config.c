/* config.c - the KrakenD-format configuration file: the document, its
 * top level (limits, endpoints, jwks_endpoint checks), loading and
 * freeing; see config.h and jwtsign.json(5).  One signer block is read by
 * config_signer.c, one validator block by config_validator.c (their key
 * source by config_keys.c), one backend by config_backend.c, each typed
 * setting through config_value.c (config_int.h).
 *
 * Parsing is strict (gojson_parse_ex: RFC 8259, whole input consumed,
 * ill-formed UTF-8 refused) and every error message names the file, the
 * endpoint, the section and the setting, e.g.
 *   /etc/jwtsign/jwtsign.json: endpoint "/token": extra_config
 *   "auth/signer": "alg": unsupported value "none"
 * JSON null counts as "absent", as it does for KrakenD (Go's
 * encoding/json leaves the field at its zero value).
 */
#include "config.h"
#include "buf.h"
#include "config_int.h"
#include "fileio.h"
#include "gojson.h"
#include "log.h"
#include "route.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define CFG_MAX_FILE (4u * 1024 * 1024) /* bytes */
#define CFG_JSON_DEPTH 512		/* nesting accepted in the config file */
#define CFG_MAX_JSON_DEPTH 10000	/* upper bound of max_json_depth */

#define NS_SIGNER "auth/signer"
#define NS_SIGNER_OLD "github.com/devopsfaith/krakend-jose/signer"
#define NS_JWTSIGN "jwtsign"
#define NS_CORS "security/cors"
#define NS_VALIDATOR "auth/validator"
#define NS_VALIDATOR_OLD "github.com/devopsfaith/krakend-jose/validator"
#define NS_RATELIMIT "qos/ratelimit/router"

/* The block of an endpoint object under namespace a or its old name b,
 * or NULL; *ns receives the namespace used.  Both namespaces with
 * different content is an error. */
static int ns_block(struct cfg_pctx *c, json_object *ep_obj, const char *a_ns, const char *b_ns,
		    json_object **out, const char **ns)
{
	json_object *ec = cfg_member(ep_obj, "extra_config"), *a, *b;

	*out = NULL;
	if (ec == NULL)
		return 0;
	if (!json_object_is_type(ec, json_type_object))
		return cfg_fail(c, ERR_INVALID, "extra_config", "expected an object, got %s",
				cfg_jtype(ec));
	a = cfg_ns(ec, a_ns);
	b = cfg_ns(ec, b_ns);
	if (a && b && !json_object_equal(a, b))
		return cfg_fail(c, ERR_INVALID, "extra_config",
				"both \"%s\" and \"%s\" are present with different content (keep "
				"one)",
				a_ns, b_ns);
	*out = a ? a : b;
	*ns = a ? a_ns : b_ns;
	if (*out && !json_object_is_type(*out, json_type_object)) {
		snprintf(c->sect, sizeof(c->sect), "extra_config \"%s\"", *ns);
		return cfg_fail(c, ERR_INVALID, NULL, "expected an object, got %s",
				cfg_jtype(*out));
	}
	return 0;
}

/* The signer and the validator block of an endpoint object (each NULL
 * when absent), and their namespaces. */
struct ep_blocks {
	json_object *signer, *validator;
	const char *sns, *vns;
};

static int ep_blocks(struct cfg_pctx *c, json_object *ep_obj, struct ep_blocks *b)
{
	int rc = ns_block(c, ep_obj, NS_SIGNER, NS_SIGNER_OLD, &b->signer, &b->sns);

	return rc ? rc
		  : ns_block(c, ep_obj, NS_VALIDATOR, NS_VALIDATOR_OLD, &b->validator, &b->vns);
}

/* Label the endpoint for messages: its path when it has one. */
static void set_ep_label(struct cfg_pctx *c, json_object *ep_obj, size_t i)
{
	json_object *v = cfg_member(ep_obj, "endpoint");
	char sh[CFG_SHOW];

	if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0)
		snprintf(
		    c->ep, sizeof(c->ep), "endpoint \"%s\"",
		    cfg_show(sh, json_object_get_string(v), (size_t)json_object_get_string_len(v)));
	else
		snprintf(c->ep, sizeof(c->ep), "endpoints[%zu]", i);
	c->sect[0] = '\0';
}

/* An optional list of names (input_headers, input_query_strings); []
 * is an empty list (nothing forwarded), "*" stands for all. */
static int opt_names(struct cfg_pctx *c, json_object *obj, const char *key, char ***out, size_t *n)
{
	json_object *v = cfg_member(obj, key);

	if (v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0) {
		*out = calloc(1, sizeof(**out)); /* present and empty */
		return *out ? 0 : cfg_nomem(c);
	}
	return cfg_want_strv(c, v, key, out, n);
}

/* The validator block, when there is one. */
static int parse_validator(struct cfg_pctx *c, const struct ep_blocks *b, struct cfg_endpoint *e)
{
	int rc;

	if (b->validator == NULL)
		return 0;
	e->has_validator = true;
	snprintf(c->sect, sizeof(c->sect), "extra_config \"%s\"", b->vns);
	rc = cfg_parse_validator(c, b->validator, &e->validator);
	c->sect[0] = '\0';
	return rc;
}

/* An extra_config namespace of the endpoint that must be an object. */
static int ep_object(struct cfg_pctx *c, json_object *ep_obj, const char *ns, json_object **out)
{
	json_object *ec = cfg_member(ep_obj, "extra_config");

	*out = ec && json_object_is_type(ec, json_type_object) ? cfg_ns(ec, ns) : NULL;
	if (*out == NULL)
		return 0;
	snprintf(c->sect, sizeof(c->sect), "extra_config \"%s\"", ns);
	if (!json_object_is_type(*out, json_type_object))
		return cfg_fail(c, ERR_INVALID, NULL, "expected an object, got %s",
				cfg_jtype(*out));
	return 0;
}

/* The limits of a signer endpoint: qos/ratelimit/router and the
 * endpoint's "jwtsign" block (failed_login). */
static int parse_limits_of(struct cfg_pctx *c, json_object *ep_obj, struct cfg_endpoint *e)
{
	json_object *obj;
	int rc;

	if ((rc = ep_object(c, ep_obj, NS_RATELIMIT, &obj)) != 0)
		return rc;
	if (obj && !e->has_signer)
		cfg_notice(c, "ignored: jwtsign limits only the endpoints it serves (a signer's); "
			      "limit this one in the web server");
	else if (obj && (rc = cfg_parse_ratelimit(c, obj, e, &e->ratelimit)) != 0)
		return rc;
	e->has_ratelimit = obj && e->has_signer;
	if ((rc = ep_object(c, ep_obj, NS_JWTSIGN, &obj)) != 0)
		return rc;
	if (obj && !e->has_signer)
		return cfg_fail(c, ERR_INVALID, NULL,
				"only an endpoint with a signer block has jwtsign settings");
	rc = obj ? cfg_parse_endpoint_jwtsign(c, obj, e) : 0;
	c->sect[0] = '\0';
	return rc;
}

/* One endpoint with a signer block, a validator block or both.  Without
 * a signer the endpoint is the web server's (jwtsign only authorizes its
 * requests): its backend and forwarding settings are not read. */
static int parse_endpoint(struct cfg_pctx *c, json_object *ep_obj, const struct ep_blocks *b,
			  json_object *default_hosts, unsigned default_timeout,
			  struct cfg_endpoint *e)
{
	json_object *v = cfg_member(ep_obj, "endpoint");
	const char *path;
	int rc;

	if (v == NULL)
		return cfg_fail(c, ERR_INVALID, "endpoint",
				"missing (the public path, e.g. \"/token\")");
	if ((rc = cfg_check_known(c, ep_obj, CFG_ENDPOINT)) != 0)
		return rc;
	snprintf(c->sect, sizeof(c->sect), "extra_config");
	rc = cfg_check_known(c, cfg_member(ep_obj, "extra_config"), CFG_ENDPOINT_NS);
	c->sect[0] = '\0';
	if (rc != 0 || (rc = cfg_want_nonempty(c, v, "endpoint", &path)) != 0 ||
	    (rc = cfg_clean_path(c, path, &e->endpoint)) != 0 ||
	    (rc = cfg_check_endpoint(c, e->endpoint)) != 0 ||
	    (rc = cfg_parse_method(c, ep_obj, "GET", &e->method)) != 0)
		return rc;
	e->timeout_ms = default_timeout;
	if (b->signer == NULL)
		return (rc = parse_limits_of(c, ep_obj, e)) ? rc : parse_validator(c, b, e);
	e->has_signer = true;
	if ((rc = opt_names(c, ep_obj, "input_headers", &e->input_headers, &e->ninput_headers)) ||
	    (rc = opt_names(c, ep_obj, "input_query_strings", &e->input_query, &e->ninput_query)) ||
	    (rc = cfg_opt_duration(c, ep_obj, "timeout", &e->timeout_ms)) != 0 ||
	    (rc = cfg_parse_backend(c, ep_obj, default_hosts, e)) != 0)
		return rc;
	snprintf(c->sect, sizeof(c->sect), "extra_config \"%s\"", b->sns);
	rc = cfg_parse_signer(c, b->signer, &e->signer);
	c->sect[0] = '\0';
	if (rc == 0)
		rc = parse_limits_of(c, ep_obj, e);
	return rc ? rc : parse_validator(c, b, e);
}

/* ------------------------------------------------------------ top level */

static void default_limits(struct cfg_limits *l)
{
	l->max_request_body = 1048576;
	l->max_backend_response = 1048576;
	l->max_json_depth = 128;
	l->max_json_members = 100000;
	l->max_jwk_set_size = 1048576;
	l->max_jwk_keys = 1000;
	l->max_header_size = 65536;
	l->connect_timeout_ms = 2000;
	l->jwk_fetch_timeout_ms = 5000;
	l->log_timestamp = -1;
}

static int limit_size(struct cfg_pctx *c, json_object *obj, const char *key, long long max,
		      size_t *out)
{
	json_object *v = cfg_member(obj, key);
	long long x;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = cfg_want_int(c, v, key, 1, max, &x)) != 0)
		return rc;
	*out = (size_t)x;
	return 0;
}

/* "json_escapes": the Go whose string escapes the tokens and answers
 * follow: "go1.22" (the default: \b and \f, as current KrakenD) or
 * "go1.21" (\u0008 and \u000c, as KrakenD builds with older Go). */
static int parse_escapes(struct cfg_pctx *c, json_object *obj, struct cfg_limits *l)
{
	json_object *v = cfg_member(obj, "json_escapes");
	const char *s;
	char sh[CFG_SHOW];
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = cfg_want_string(c, v, "json_escapes", &s)) != 0)
		return rc;
	if (strcmp(s, "go1.22") != 0 && strcmp(s, "go1.21") != 0)
		return cfg_fail(c, ERR_INVALID, "json_escapes",
				"\"%s\": expected \"go1.22\" (the default) or \"go1.21\"",
				cfg_show_str(sh, s));
	l->legacy_escapes = strcmp(s, "go1.21") == 0;
	return 0;
}

/* A fixed path of the service block ("health_endpoint", ...), or none. */
static int service_path(struct cfg_pctx *c, json_object *obj, const char *key, char **out)
{
	json_object *v;
	const char *s;
	char sh[CFG_SHOW];
	int rc;

	if ((v = cfg_member(obj, key)) == NULL)
		return 0;
	if ((rc = cfg_want_nonempty(c, v, key, &s)) != 0 || (rc = cfg_clean_path(c, s, out)) != 0 ||
	    (rc = cfg_check_path(c, key, *out, false)) != 0)
		return rc;
	if (strpbrk(*out, "{}") != NULL)
		return cfg_fail(c, ERR_INVALID, key,
				"\"%s\": a fixed path is expected (no {param})",
				cfg_show_str(sh, *out));
	return 0;
}

/* "log", "log_timestamp", "log_client", "log_request_id",
 * "health_endpoint", "metrics_endpoint": where the lines go, whether they
 * are stamped and tagged, the health check's and the metrics' paths. */
static int parse_service(struct cfg_pctx *c, json_object *obj, struct cfg_limits *l)
{
	json_object *v;
	const char *s;
	struct err e = {0};
	bool stamp = false;
	int rc;

	if ((v = cfg_member(obj, "log")) != NULL) {
		if ((rc = cfg_want_nonempty(c, v, "log", &s)) != 0)
			return rc;
		if (log_check_target(s, &e) != 0)
			return cfg_fail(c, ERR_INVALID, "log", "%s", e.msg);
		if ((rc = cfg_dup_str(c, s, &l->log)) != 0)
			return rc;
	}
	if (cfg_member(obj, "log_timestamp") != NULL) {
		if ((rc = cfg_opt_bool(c, obj, "log_timestamp", &stamp)) != 0)
			return rc;
		l->log_timestamp = stamp;
	}
	if ((rc = cfg_opt_bool(c, obj, "log_client", &l->log_client)) != 0 ||
	    (rc = cfg_opt_bool(c, obj, "log_request_id", &l->log_request_id)) != 0)
		return rc;
	if ((rc = service_path(c, obj, "health_endpoint", &l->health_endpoint)) != 0)
		return rc;
	return service_path(c, obj, "metrics_endpoint", &l->metrics_endpoint);
}

static int parse_limits(struct cfg_pctx *c, json_object *root, struct cfg_limits *l)
{
	static const char *const known[] = {
	    "max_request_body",
	    "max_backend_response",
	    "max_json_depth",
	    "max_json_members",
	    "max_jwk_set_size",
	    "max_jwk_keys",
	    "max_header_size",
	    "connect_timeout",
	    "jwk_fetch_timeout",
	    "json_escapes",
	    "log",
	    "log_timestamp",
	    "log_client",
	    "log_request_id",
	    "health_endpoint",
	    "metrics_endpoint",
	};
	const long long smax = SIZE_MAX > INT64_MAX ? INT64_MAX : (long long)SIZE_MAX;
	json_object *ec = cfg_member(root, "extra_config"), *obj;
	size_t depth = l->max_json_depth;
	int rc;

	if (ec == NULL)
		return 0;
	if (!json_object_is_type(ec, json_type_object))
		return cfg_fail(c, ERR_INVALID, "extra_config", "expected an object, got %s",
				cfg_jtype(ec));
	if ((obj = cfg_ns(ec, NS_JWTSIGN)) == NULL)
		return 0;
	snprintf(c->sect, sizeof(c->sect), "extra_config \"" NS_JWTSIGN "\"");
	if (!json_object_is_type(obj, json_type_object))
		return cfg_fail(c, ERR_INVALID, NULL, "expected an object, got %s", cfg_jtype(obj));
	if ((rc = cfg_check_names(c, obj)) != 0)
		return rc;
	json_object_object_foreach(obj, key, val)
	{
		size_t i, n = sizeof(known) / sizeof(known[0]);
		char sh[CFG_SHOW];

		(void)val;
		for (i = 0; i < n && strcasecmp(key, known[i]) != 0; i++)
			;
		if (i == n) {
			const char *s = cfg_suggest(key, known, n);

			return cfg_fail(c, ERR_INVALID, cfg_show_str(sh, key),
					"unknown setting%s%s%s", s ? " (did you mean \"" : "",
					s ? s : "", s ? "\"?)" : "");
		}
	}
	if ((rc = limit_size(c, obj, "max_request_body", smax, &l->max_request_body)) != 0 ||
	    (rc = limit_size(c, obj, "max_backend_response", smax, &l->max_backend_response)) !=
		0 ||
	    (rc = limit_size(c, obj, "max_json_depth", CFG_MAX_JSON_DEPTH, &depth)) != 0 ||
	    (rc = limit_size(c, obj, "max_json_members", smax, &l->max_json_members)) != 0 ||
	    (rc = limit_size(c, obj, "max_jwk_set_size", smax, &l->max_jwk_set_size)) != 0 ||
	    (rc = limit_size(c, obj, "max_jwk_keys", smax, &l->max_jwk_keys)) != 0 ||
	    (rc = limit_size(c, obj, "max_header_size", smax, &l->max_header_size)) != 0 ||
	    (rc = cfg_opt_duration(c, obj, "connect_timeout", &l->connect_timeout_ms)) != 0 ||
	    (rc = cfg_opt_duration(c, obj, "jwk_fetch_timeout", &l->jwk_fetch_timeout_ms)) != 0)
		return rc;
	l->max_json_depth = (unsigned)depth;
	if ((rc = parse_escapes(c, obj, l)) != 0 || (rc = parse_service(c, obj, l)) != 0)
		return rc;
	c->sect[0] = '\0';
	return 0;
}

static void line_col(const char *doc, size_t end, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < end; i++) {
		*col = doc[i] == '\n' ? 1 : *col + 1;
		*line += doc[i] == '\n';
	}
}

/* Strict parse of the whole document into *root, with gojson's reader
 * (RFC 8259, json-c strict mode plus its raw-byte pass) refusing
 * ill-formed UTF-8 and keeping json-c's lossy integers (want_int refuses
 * the clamped ones by range); the message gives a line and a column. */
static int parse_json(struct cfg_pctx *c, const char *doc, size_t len, json_object **root)
{
	const struct gojson_limits lim = {CFG_JSON_DEPTH, 0};
	struct gojson_failure f;
	const char *why;
	size_t line, col;

	*root = NULL;
	if (len > INT32_MAX)
		return cfg_fail(c, ERR_LIMIT, NULL, "document too large");
	if (gojson_parse_ex(doc, len, &lim, GOJSON_UTF8_STRICT | GOJSON_LOSSY_INTS, root, &f,
			    NULL) == 0) {
		/* A number, true, false or null ending the document: json-c,
		 * the reader before gojson, waited for more input there, and
		 * its message is kept. */
		if (json_object_is_type(*root, json_type_object) ||
		    json_object_is_type(*root, json_type_array) ||
		    json_object_is_type(*root, json_type_string) || strchr(" \t\r\n", doc[len - 1]))
			return 0;
		json_object_put(*root);
		*root = NULL;
		f.stage = GOJSON_TRUNCATED;
	}
	switch (f.stage) {
	case GOJSON_EMPTY:
	case GOJSON_TRUNCATED:
		return cfg_fail(c, ERR_INVALID, NULL, "invalid JSON: unexpected end of input");
	case GOJSON_TRAILING:
		why = "data after the document";
		break;
	case GOJSON_LEXICAL: /* json-c's words when it refuses the byte too */
		why = f.detail ? f.detail : "not standard JSON";
		break;
	case GOJSON_DEPTH:
		why = json_tokener_error_desc(json_tokener_error_depth);
		break;
	default:
		why = f.detail ? f.detail : "not a JSON document";
		break;
	}
	line_col(doc, f.offset, &line, &col);
	if (memmem(doc, len, "{{", 2) != NULL)
		return cfg_fail(
		    c, ERR_INVALID, NULL,
		    "invalid JSON at line %zu, column %zu (%s); the file holds \"{{\": "
		    "it looks like a KrakenD flexible configuration (a Go template), "
		    "which jwtsign reads only once rendered: FC_ENABLE=1 FC_OUT=out.json "
		    "krakend check -c FILE, then point jwtsign at out.json",
		    line, col, why);
	return cfg_fail(c, ERR_INVALID, NULL, "invalid JSON at line %zu, column %zu: %s", line, col,
			why);
}

/* An endpoint without a signer or validator block is not jwtsign's; but a
 * namespace that is a likely typo of one ("auth/validater") would leave a
 * location unprotected (or every request to it denied) in silence: it is
 * refused, as such typos are on jwtsign's own endpoints. */
static int near_miss_namespaces(struct cfg_pctx *c, json_object *extra)
{
	static const char *const ours[] = {NS_SIGNER, NS_SIGNER_OLD, NS_VALIDATOR,
					   NS_VALIDATOR_OLD};
	char sh[CFG_SHOW];

	if (!json_object_is_type(extra, json_type_object))
		return 0;
	json_object_object_foreach(extra, key, val)
	{
		const char *guess = cfg_suggest(key, ours, 4);

		(void)val;
		if (guess && strcmp(guess, key) != 0)
			return cfg_fail(c, ERR_INVALID, NULL,
					"extra_config: unknown namespace \"%s\" (did you mean "
					"\"%s\"?): refused, since the endpoint would be neither "
					"served nor protected by jwtsign",
					cfg_show_str(sh, key), guess);
	}
	return 0;
}

/* The service's "security/cors", when present. */
static int parse_cors(struct cfg_pctx *c, json_object *root, struct cfg *cfg)
{
	json_object *ec = cfg_member(root, "extra_config"), *obj;
	int rc;

	if (ec == NULL || !json_object_is_type(ec, json_type_object) ||
	    (obj = cfg_ns(ec, NS_CORS)) == NULL)
		return 0;
	snprintf(c->sect, sizeof(c->sect), "extra_config \"" NS_CORS "\"");
	rc = cfg_parse_cors(c, obj, &cfg->cors);
	c->sect[0] = '\0';
	return rc;
}

static int parse_top(struct cfg_pctx *c, json_object *root, struct cfg *cfg, unsigned *timeout,
		     json_object **hosts, json_object **endpoints)
{
	json_object *v;
	long long version;
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return cfg_fail(c, ERR_INVALID, NULL,
				"expected a JSON object (a KrakenD configuration), got %s",
				cfg_jtype(root));
	if ((rc = cfg_check_names(c, root)) != 0)
		return rc;
	if ((rc = cfg_check_known(c, root, CFG_TOP)) != 0)
		return rc;
	if ((v = cfg_member(root, "extra_config")) != NULL) {
		snprintf(c->sect, sizeof(c->sect), "extra_config");
		rc = cfg_check_known(c, v, CFG_SERVICE_NS);
		c->sect[0] = '\0';
		if (rc)
			return rc;
	}
	if ((v = cfg_member(root, "version")) != NULL &&
	    (rc = cfg_want_int(c, v, "version", 2, 3, &version)) != 0)
		return rc;
	*timeout = 2000;
	if ((rc = cfg_opt_duration(c, root, "timeout", timeout)) != 0 ||
	    (rc = parse_limits(c, root, &cfg->limits)) != 0 || (rc = parse_cors(c, root, cfg)) != 0)
		return rc;
	*hosts = cfg_member(root, "host");
	*endpoints = cfg_member(root, "endpoints");
	if (*endpoints && !json_object_is_type(*endpoints, json_type_array))
		return cfg_fail(c, ERR_INVALID, "endpoints", "expected an array, got %s",
				cfg_jtype(*endpoints));
	return 0;
}

/* An earlier endpoint with e's route (method and pattern) is an error,
 * as KrakenD refuses it: a request must have one meaning. */
static int check_same_route(struct cfg_pctx *c, const struct cfg *cfg, const struct cfg_endpoint *e)
{
	char sh[CFG_SHOW];

	for (size_t j = 0; j + 1 < cfg->nendpoints; j++) {
		const struct cfg_endpoint *o = &cfg->endpoints[j];

		if (strcmp(o->method, e->method) == 0 && route_same(o->endpoint, e->endpoint))
			return cfg_fail(c, ERR_INVALID, "endpoint",
					"same route as an earlier %s endpoint (\"%s\" %s)",
					o->has_signer ? "signer" : "protected",
					cfg_show_str(sh, o->endpoint), e->method);
	}
	return 0;
}

static int parse_endpoints(struct cfg_pctx *c, json_object *arr, json_object *hosts,
			   unsigned timeout, struct cfg *cfg)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	int rc;

	cfg->endpoints = calloc(n ? n : 1, sizeof(*cfg->endpoints));
	if (cfg->endpoints == NULL)
		return cfg_nomem(c);
	for (size_t i = 0; i < n; i++) {
		json_object *ep = json_object_array_get_idx(arr, i);
		struct ep_blocks b = {0};
		struct cfg_endpoint *e = &cfg->endpoints[cfg->nendpoints];

		snprintf(c->ep, sizeof(c->ep), "endpoints[%zu]", i);
		if (!json_object_is_type(ep, json_type_object))
			return cfg_fail(c, ERR_INVALID, NULL, "expected an object, got %s",
					cfg_jtype(ep));
		set_ep_label(c, ep, i);
		if ((rc = cfg_check_names(c, ep)) != 0 || (rc = ep_blocks(c, ep, &b)) != 0)
			return rc;
		if (b.signer == NULL && b.validator == NULL) {
			if ((rc = near_miss_namespaces(c, cfg_member(ep, "extra_config"))) != 0)
				return rc;
			cfg->nignored++;
			continue;
		}
		cfg->nendpoints++;
		if ((rc = parse_endpoint(c, ep, &b, hosts, timeout, e)) != 0 ||
		    (rc = check_same_route(c, cfg, e)) != 0)
			return rc;
		if (e->has_signer)
			cfg->nsigners++;
		else
			cfg->nprotected++;
	}
	c->ep[0] = '\0';
	if (cfg->nendpoints == 0)
		return cfg_fail(c, ERR_INVALID, "endpoints",
				"nothing to serve: no endpoint has an \"" NS_SIGNER
				"\" or \"" NS_VALIDATOR "\" block in its extra_config");
	return 0;
}

/* The signer endpoint (of any method) that serves path, as the router
 * would choose it (route_better), or NULL. */
static const struct cfg_endpoint *serving_endpoint(const struct cfg *cfg, const char *path)
{
	const struct cfg_endpoint *best = NULL;

	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const struct cfg_endpoint *e = &cfg->endpoints[i];

		if (e->has_signer && route_match(e->endpoint, path, NULL) &&
		    route_better(e->endpoint, best ? best->endpoint : NULL))
			best = e;
	}
	return best;
}

/* Each jwks_endpoint path is set on one endpoint only and no signer
 * endpoint (of any method) matches it, so GET on it is unambiguous. */
static int check_jwks_endpoints(struct cfg_pctx *c, const struct cfg *cfg)
{
	char sh[CFG_SHOW], sh2[CFG_SHOW];

	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const struct cfg_endpoint *e = &cfg->endpoints[i], *m;
		const char *path = e->signer.jwks_endpoint;

		if (path == NULL)
			continue;
		snprintf(c->ep, sizeof(c->ep), "endpoint \"%s\"", cfg_show_str(sh, e->endpoint));
		for (size_t j = 0; j < i; j++) {
			const char *other = cfg->endpoints[j].signer.jwks_endpoint;

			if (other && strcmp(other, path) == 0)
				return cfg_fail(
				    c, ERR_INVALID, "jwks_endpoint",
				    "\"%s\" is already set on endpoint \"%s\" (%s): set it "
				    "on one endpoint only",
				    cfg_show_str(sh, path),
				    cfg_show_str(sh2, cfg->endpoints[j].endpoint),
				    cfg->endpoints[j].method);
		}
		if ((m = serving_endpoint(cfg, path)) != NULL)
			return cfg_fail(c, ERR_INVALID, "jwks_endpoint",
					"\"%s\" is also served by endpoint \"%s\" (%s): choose a "
					"path no endpoint matches",
					cfg_show_str(sh, path), cfg_show_str(sh2, m->endpoint),
					m->method);
	}
	c->ep[0] = '\0';
	return 0;
}

/* A service path (health_endpoint, metrics_endpoint) is no signer
 * endpoint's path nor a jwks_endpoint, nor the other service path. */
static int check_service_path(struct cfg_pctx *c, const struct cfg *cfg, const char *key,
			      const char *path)
{
	const struct cfg_endpoint *m;
	char sh[CFG_SHOW], sh2[CFG_SHOW];

	if (path == NULL)
		return 0;
	snprintf(c->sect, sizeof(c->sect), "extra_config \"" NS_JWTSIGN "\"");
	if ((m = serving_endpoint(cfg, path)) != NULL)
		return cfg_fail(c, ERR_INVALID, key,
				"\"%s\" is also served by endpoint \"%s\" (%s): choose a path "
				"no endpoint matches",
				cfg_show_str(sh, path), cfg_show_str(sh2, m->endpoint), m->method);
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const char *j = cfg->endpoints[i].signer.jwks_endpoint;

		if (j && strcmp(j, path) == 0)
			return cfg_fail(
			    c, ERR_INVALID, key, "\"%s\" is the jwks_endpoint of endpoint \"%s\"",
			    cfg_show_str(sh, path), cfg_show_str(sh2, cfg->endpoints[i].endpoint));
	}
	if (path == cfg->limits.metrics_endpoint && cfg->limits.health_endpoint &&
	    strcmp(path, cfg->limits.health_endpoint) == 0)
		return cfg_fail(c, ERR_INVALID, key, "\"%s\" is also the health_endpoint",
				cfg_show_str(sh, path));
	c->sect[0] = '\0';
	return 0;
}

/* One info line per endpoint jwtsign does not load. */
static void log_ignored(struct cfg_pctx *c, json_object *arr)
{
	size_t n = arr ? json_object_array_length(arr) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *ep = json_object_array_get_idx(arr, i);
		struct ep_blocks b = {0};

		set_ep_label(c, ep, i);
		if (ep_blocks(c, ep, &b) == 0 && b.signer == NULL && b.validator == NULL)
			log_info("config",
				 "%s: %s has no \"" NS_SIGNER "\" or \"" NS_VALIDATOR
				 "\" block: ignored",
				 c->name, c->ep);
	}
	c->ep[0] = '\0';
}

const char *cfg_default_path(void)
{
	return SYSCONFDIR "/jwtsign/jwtsign.json";
}

int cfg_parse(const char *doc, size_t len, const char *name, struct cfg **out, struct err *err)
{
	struct cfg_pctx c = {.name = name ? name : "(config)", .err = err};
	json_object *root = NULL, *hosts = NULL, *endpoints = NULL;
	struct cfg *cfg;
	unsigned timeout = 2000;
	int rc;

	*out = NULL;
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return cfg_nomem(&c);
	c.cfg = cfg;
	default_limits(&cfg->limits);
	if ((rc = cfg_dup_str(&c, c.name, &cfg->path)) != 0 ||
	    (rc = parse_json(&c, doc, len, &root)) != 0 ||
	    (rc = parse_top(&c, root, cfg, &timeout, &hosts, &endpoints)) != 0 ||
	    (rc = parse_endpoints(&c, endpoints, hosts, timeout, cfg)) != 0 ||
	    (rc = check_jwks_endpoints(&c, cfg)) != 0 ||
	    (rc = check_service_path(&c, cfg, "health_endpoint", cfg->limits.health_endpoint)) !=
		0 ||
	    (rc = check_service_path(&c, cfg, "metrics_endpoint", cfg->limits.metrics_endpoint)) !=
		0)
		goto out;
	log_ignored(&c, endpoints);
	*out = cfg;
	cfg = NULL;
out:
	json_object_put(root);
	cfg_free(cfg);
	return rc;
}

int cfg_load(const char *path, struct cfg **out, struct err *err)
{
	struct buf b;
	bool at_open = false;
	int rc;

	*out = NULL;
	buf_init(&b, CFG_MAX_FILE);
	rc = fileio_read_file(path, &b, &at_open);
	if (rc == ERR_IO)
		rc = err_set(err, ERR_IO, "%s: cannot %s: %s", path, at_open ? "open" : "read",
			     strerror(errno));
	else if (rc == ERR_LIMIT)
		rc = err_set(err, ERR_LIMIT, "%s: larger than %u bytes", path, CFG_MAX_FILE);
	else if (rc)
		rc = err_set(err, rc, "%s: out of memory", path);
	else
		rc = cfg_parse(b.data ? b.data : "", b.len, path, out, err);
	buf_free(&b);
	return rc;
}

void cfg_free(struct cfg *cfg)
{
	if (cfg == NULL)
		return;
	cors_free(&cfg->cors);
	cfg_free_strv(cfg->notices, cfg->nnotices);
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		struct cfg_endpoint *e = &cfg->endpoints[i];

		free(e->endpoint);
		free(e->method);
		free(e->refused);
		cfg_free_strv(e->input_headers, e->ninput_headers);
		cfg_free_strv(e->input_query, e->ninput_query);
		cfg_free_strv(e->backend.hosts, e->backend.nhosts);
		free(e->backend.url_pattern);
		free(e->backend.method);
		entity_rules_free(&e->backend.rules);
		cfg_free_signer(&e->signer);
		cfg_free_validator(&e->validator);
		cfg_free_ratelimit(e);
	}
	free(cfg->endpoints);
	free(cfg->limits.log);
	free(cfg->limits.health_endpoint);
	free(cfg->limits.metrics_endpoint);
	free(cfg->path);
	free(cfg);
}
