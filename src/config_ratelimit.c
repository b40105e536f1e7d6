/* config_ratelimit.c - an endpoint's limits: KrakenD's
 * "qos/ratelimit/router" block (krakend-ratelimit's keys and defaults) and
 * jwtsign's own endpoint block "jwtsign" with the failed-login throttle.
 * See config.h (struct cfg_ratelimit, struct cfg_login_throttle) and
 * jwtsign.json(5). */
#include "config_int.h"
#include "route.h"
#include "signer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Most failures a counter of the shared table holds (MAX_FAILURES of
 * ratelimit.h, a layer above). */
#define MAX_FAILURES 4095

/* Largest interval x capacity accepted (about 8.9 years, in us): a
 * bucket's arrival time stays far inside its 56 bits. */
#define RL_MAX_SPAN (UINT64_C(1) << 48)

/* A rate: a non-negative number (KrakenD's float64); absent is 0. */
static int opt_rate(struct cfg_pctx *c, json_object *obj, const char *key, double *out)
{
	json_object *v = cfg_member(obj, key);
	double d;

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return cfg_fail(c, ERR_INVALID, key, "expected a number, got %s", cfg_jtype(v));
	d = json_object_get_double(v);
	if (!isfinite(d) || d < 0 || d > 1e9)
		return cfg_fail(c, ERR_INVALID, key, "expected a number from 0 to 1e9");
	*out = d;
	return 0;
}

static int opt_capacity(struct cfg_pctx *c, json_object *obj, const char *key, uint64_t *out)
{
	json_object *v = cfg_member(obj, key);
	long long x;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = cfg_want_int(c, v, key, 0, 1000000000, &x)) != 0)
		return rc;
	*out = (uint64_t)x;
	return 0;
}

/* One bucket from a rate per "every" and a capacity (0: the default). */
static int bucket(struct cfg_pctx *c, const char *rate_key, double rate, unsigned every_ms,
		  uint64_t *interval, uint64_t *capacity)
{
	double per_s = rate * 1000.0 / every_ms, us;

	*interval = 0;
	if (rate == 0)
		return 0; /* absent or 0: no limit, as in KrakenD */
	us = floor(1e6 / per_s + 0.5);
	*interval = us < 1 ? 1 : (uint64_t)us;
	if (*capacity == 0)
		*capacity = per_s < 1 ? 1 : (uint64_t)per_s;
	if (*interval > RL_MAX_SPAN / *capacity)
		return cfg_fail(c, ERR_INVALID, rate_key,
				"a bucket refilled this slowly (one token per %.0f s) cannot hold "
				"%llu tokens",
				us / 1e6, (unsigned long long)*capacity);
	return 0;
}

static int strategy(struct cfg_pctx *c, json_object *obj, const struct cfg_endpoint *e,
		    struct cfg_ratelimit *r)
{
	json_object *v = cfg_member(obj, "strategy"), *k = cfg_member(obj, "key");
	const char *s = NULL, *key = NULL;
	char sh[CFG_SHOW], pat[80];
	int rc;

	if (k && (rc = cfg_want_string(c, k, "key", &key)) != 0)
		return rc;
	if (v && (rc = cfg_want_string(c, v, "strategy", &s)) != 0)
		return rc;
	if (s == NULL || *s == '\0') {
		if (r->client_interval_us)
			cfg_notice(c, "\"client_max_rate\" without \"strategy\" is not applied (as "
				      "in KrakenD): set \"strategy\": \"ip\"");
		r->client_interval_us = 0;
		return 0;
	}
	if (strcasecmp(s, "ip") == 0)
		r->strategy = CFG_RL_IP;
	else if (strcasecmp(s, "header") == 0)
		r->strategy = CFG_RL_HEADER;
	else if (strcasecmp(s, "param") == 0)
		r->strategy = CFG_RL_PARAM;
	else
		return cfg_fail(c, ERR_INVALID, "strategy",
				"\"%s\": expected \"ip\", \"header\" or \"param\"",
				cfg_show_str(sh, s));
	if (key && *key == '\0')
		key = NULL;
	if (r->strategy != CFG_RL_PARAM && key && !cfg_is_token(key))
		return cfg_fail(c, ERR_INVALID, "key", "\"%s\" is not a header name",
				cfg_show_str(sh, key));
	if (r->strategy != CFG_RL_IP && key == NULL)
		return cfg_fail(c, ERR_INVALID, "key",
				"required with \"strategy\": \"%s\" (the %s that names the client)",
				s, r->strategy == CFG_RL_HEADER ? "header" : "parameter");
	if (r->strategy == CFG_RL_PARAM) {
		snprintf(pat, sizeof(pat), "{%s}", key);
		if (strstr(e->endpoint, pat) == NULL)
			return cfg_fail(c, ERR_INVALID, "key",
					"\"%s\": the endpoint has no such {parameter}",
					cfg_show_str(sh, key));
	}
	return key ? cfg_dup_str(c, key, &r->key) : 0;
}

int cfg_parse_ratelimit(struct cfg_pctx *c, json_object *obj, const struct cfg_endpoint *e,
			struct cfg_ratelimit *r)
{
	static const char *const known[] = {
	    "max_rate", "capacity", "client_max_rate", "client_capacity", "strategy",
	    "key",	"every",    "num_shards",      "cleanup_period",  "cleanup_threads",
	};
	double rate = 0, client_rate = 0;
	unsigned every = 1000;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = cfg_check_names(c, obj)) != 0)
		return rc;
	json_object_object_foreach(obj, name, val)
	{
		size_t i;

		(void)val;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcasecmp(name, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]) &&
		    (rc = cfg_unknown(c, "setting", name, known,
				      sizeof(known) / sizeof(known[0]))) != 0)
			return rc;
	}
	if ((rc = opt_rate(c, obj, "max_rate", &rate)) != 0 ||
	    (rc = opt_rate(c, obj, "client_max_rate", &client_rate)) != 0 ||
	    (rc = opt_capacity(c, obj, "capacity", &r->capacity)) != 0 ||
	    (rc = opt_capacity(c, obj, "client_capacity", &r->client_capacity)) != 0 ||
	    (rc = cfg_opt_duration(c, obj, "every", &every)) != 0)
		return rc;
	if (every < 1000) {
		cfg_notice(c, "\"every\" below 1s counts as 1s (as in KrakenD)");
		every = 1000;
	}
	if ((rc = bucket(c, "max_rate", rate, every, &r->interval_us, &r->capacity)) != 0 ||
	    (rc = bucket(c, "client_max_rate", client_rate, every, &r->client_interval_us,
			 &r->client_capacity)) != 0)
		return rc;
	return strategy(c, obj, e, r);
}

/* "failure_statuses": a non-empty list of at most 8 statuses 400..599. */
static int statuses(struct cfg_pctx *c, json_object *obj, struct cfg_login_throttle *t)
{
	json_object *v = cfg_member(obj, "failure_statuses");
	size_t n;
	long long x;
	int rc;

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_array) || (n = json_object_array_length(v)) == 0 ||
	    n > sizeof(t->statuses) / sizeof(t->statuses[0]))
		return cfg_fail(c, ERR_INVALID, "failure_statuses",
				"expected a list of 1 to 8 HTTP statuses");
	for (size_t i = 0; i < n; i++) {
		if ((rc = cfg_want_int(c, json_object_array_get_idx(v, i), "failure_statuses", 400,
				       599, &x)) != 0)
			return rc;
		t->statuses[i] = (int)x;
	}
	t->nstatuses = n;
	return 0;
}

static int parse_throttle(struct cfg_pctx *c, json_object *obj, struct cfg_login_throttle *t)
{
	static const char *const known[] = {"max_failures", "window", "username",
					    "failure_statuses", "client_max_failures"};
	json_object *v;
	const char *s;
	struct err e = {0};
	long long x;
	int rc;

	if (!json_object_is_type(obj, json_type_object))
		return cfg_fail(c, ERR_INVALID, "failed_login", "expected an object, got %s",
				cfg_jtype(obj));
	if ((rc = cfg_check_names(c, obj)) != 0)
		return rc;
	json_object_object_foreach(obj, name, val)
	{
		size_t i;

		(void)val;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcasecmp(name, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			return cfg_fail(c, ERR_INVALID, name,
					"unknown setting of \"failed_login\" (known: max_failures, "
					"window, username, failure_statuses, client_max_failures)");
	}
	if ((v = cfg_member(obj, "max_failures")) == NULL)
		return cfg_fail(c, ERR_INVALID, "max_failures",
				"missing (the failures of one username that close the door)");
	if ((rc = cfg_want_int(c, v, "max_failures", 1, MAX_FAILURES, &x)) != 0)
		return rc;
	t->max_failures = (unsigned)x;
	t->client_max_failures =
	    t->max_failures * 10 > MAX_FAILURES ? MAX_FAILURES : t->max_failures * 10;
	t->window_ms = 15 * 60 * 1000;
	t->statuses[0] = 401;
	t->statuses[1] = 403;
	t->nstatuses = 2;
	if ((v = cfg_member(obj, "client_max_failures")) != NULL) {
		if ((rc = cfg_want_int(c, v, "client_max_failures", 0, MAX_FAILURES, &x)) != 0)
			return rc;
		t->client_max_failures = (unsigned)x;
	}
	if ((rc = cfg_opt_duration(c, obj, "window", &t->window_ms)) != 0 ||
	    (rc = statuses(c, obj, t)) != 0)
		return rc;
	if ((v = cfg_member(obj, "username")) == NULL)
		return 0;
	if ((rc = cfg_want_nonempty(c, v, "username", &s)) != 0)
		return rc;
	if (!signer_key_is_pointer(s))
		return cfg_fail(c, ERR_INVALID, "username",
				"expected a JSON Pointer into the login body, e.g. \"/user\"");
	if (signer_check_key(s, &e) != 0)
		return cfg_fail(c, ERR_INVALID, "username", "%s", e.msg);
	return cfg_dup_str(c, s, &t->username);
}

int cfg_parse_endpoint_jwtsign(struct cfg_pctx *c, json_object *obj, struct cfg_endpoint *e)
{
	static const char *const known[] = {"failed_login"};
	json_object *v;

	if ((v = cfg_member(obj, "failed_login")) == NULL) {
		json_object_object_foreach(obj, name, val)
		{
			(void)val;
			return cfg_fail(c, ERR_INVALID, name,
					"unknown setting of the endpoint's \"jwtsign\" block%s",
					cfg_suggest(name, known, 1) ? " (did you mean "
								      "\"failed_login\"?)"
								    : "");
		}
		return 0;
	}
	json_object_object_foreach(obj, name, val)
	{
		(void)val;
		if (strcasecmp(name, "failed_login") != 0)
			return cfg_fail(c, ERR_INVALID, name,
					"unknown setting of the endpoint's \"jwtsign\" block");
	}
	return parse_throttle(c, v, &e->throttle);
}

void cfg_free_ratelimit(struct cfg_endpoint *e)
{
	free(e->ratelimit.key);
	e->ratelimit.key = NULL;
	free(e->throttle.username);
	e->throttle.username = NULL;
}
