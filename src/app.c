/* app.c - per-process state; see app.h. */
#include "app.h"
#include "gojson.h"
#include "jwk_pkcs11.h"
#include "keysource.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "rundir.h"
#include "clock.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The jwt_policy of a validator block (pointing into it). */
static void validator_policy(struct jwt_policy *p, const struct cfg_validator *v)
{
	static const enum jwt_kid_strategy kid[] = {
	    [CFG_KID_KID] = JWT_KID_KID,
	    [CFG_KID_X5T] = JWT_KID_X5T,
	    [CFG_KID_X5T_S256] = JWT_KID_X5T_S256,
	    [CFG_KID_KID_X5T] = JWT_KID_KID_X5T,
	};

	memset(p, 0, sizeof(*p));
	p->algs = v->algs;
	p->nalgs = v->nalgs;
	p->issuer = v->issuer;
	p->audience = (const char *const *)v->audience;
	p->naudience = v->naudience;
	p->leeway = v->leeway;
	p->require_exp = v->require_exp;
	p->roles = (const char *const *)v->roles;
	p->nroles = v->nroles;
	p->roles_key = v->roles_key;
	p->roles_key_is_nested = v->roles_key_is_nested;
	p->scopes = (const char *const *)v->scopes;
	p->nscopes = v->nscopes;
	p->scopes_key = v->scopes_key;
	p->scopes_all = v->scopes_all;
	p->kid_strategy = kid[v->kid_strategy];
}

/* One endpoint's state: the signer's key source and options, the
 * validator's key source (every key that verifies) and policy. */
static int endpoint_init(struct app_endpoint *a, const struct cfg_endpoint *ep,
			 const struct cfg_limits *lim, struct err *err)
{
	int rc;

	a->cfg = ep;
	if (ep->has_signer) {
		app_signer_opts(&a->sign, ep, lim, NULL);
		rc = keysource_new(&ep->signer.keys, (const char *const *)ep->signer.kids,
				   ep->signer.nkids, ep->signer.alg, ep->signer.jwks_endpoint, lim,
				   ep->endpoint, &a->keys, err);
		if (rc)
			return rc;
	}
	if (ep->has_validator) {
		validator_policy(&a->policy, &ep->validator);
		rc = keysource_new(&ep->validator.keys, NULL, 0, JWS_ALG_INVALID, NULL, lim,
				   ep->endpoint, &a->vkeys, err);
		if (rc)
			return rc;
	}
	return 0;
}

const struct app_endpoint *app_endpoint_of(const struct app *app, const struct cfg_endpoint *ep)
{
	for (size_t i = 0; app->cfg && i < app->cfg->nendpoints; i++) {
		if (app->eps[i].cfg == ep)
			return &app->eps[i];
	}
	return NULL;
}

int app_init_cfg(struct app *app, struct cfg *cfg, backend_call_fn call, void *ctx, struct err *err)
{
	int rc;

	gojson_set_legacy_escapes(cfg->limits.legacy_escapes);
	app->cfg = cfg;
	app->eps = calloc(cfg->nendpoints ? cfg->nendpoints : 1, sizeof(*app->eps));
	if (app->eps == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		if ((rc = endpoint_init(&app->eps[i], &cfg->endpoints[i], &cfg->limits, err)) != 0)
			return rc;
	}
	if (call) {
		app->backend_call = call;
		app->backend_ctx = ctx;
		return 0;
	}
	rc = backend_new(&app->backend, err);
	if (rc)
		return rc;
	app->backend_call = backend_call;
	app->backend_ctx = app->backend;
	return 0;
}

void app_signer_opts(struct signer_opts *opts, const struct cfg_endpoint *ep,
		     const struct cfg_limits *lim, const struct jwk *key)
{
	const struct cfg_signer *s = &ep->signer;

	memset(opts, 0, sizeof(*opts));
	opts->key = key;
	opts->alg = s->alg;
	opts->typ = s->typ;
	opts->full = s->full;
	opts->keys_to_sign = s->keys_to_sign;
	opts->nkeys_to_sign = s->nkeys_to_sign;
	opts->limits.max_depth = lim->max_json_depth;
	opts->limits.max_members = lim->max_json_members;
	opts->set_iat = s->set_iat;
	opts->ttl = s->ttl;
	opts->set_nbf = s->set_nbf;
	opts->nbf_skew = s->nbf_skew;
	opts->entity = &ep->backend.rules;
}

int app_init(struct app *app, const char *config_path, struct err *err)
{
	struct cfg *cfg = NULL;
	int rc;

	memset(app, 0, sizeof(*app));
	rc = cfg_load(config_path, &cfg, err);
	if (rc) {
		snprintf(app->cfg_error, sizeof(app->cfg_error), "%s", err ? err->msg : "");
		log_error("config",
			  "%s; every request will be refused (503 not_configured; the authorizer "
			  "denies, 401)",
			  err ? err->msg : err_strerror(rc));
		return rc;
	}
	rc = app_init_cfg(app, cfg, NULL, NULL, err);
	if (rc) {
		/* Half-built state is never served: drop it all. */
		app_free(app);
		snprintf(app->cfg_error, sizeof(app->cfg_error), "%s", err ? err->msg : "");
		log_error("main",
			  "%s; every request will be refused (503 not_configured; the authorizer "
			  "denies, 401)",
			  app->cfg_error);
	}
	return rc;
}

/* Load one source now; counts a failure, and logs it (first NULL) or
 * keeps the first one in first. */
static size_t load_one(struct keysource *ks, const char *who, const char *what, char *first,
		       size_t size)
{
	struct err e = {0};

	if (ks == NULL || keysource_load(ks, &e) == 0)
		return 0;
	if (first == NULL)
		log_error(who, "%s unavailable: %s", what, e.msg);
	else if (first[0] == '\0')
		snprintf(first, size, "%s: %s unavailable: %s", who, what, e.msg);
	return 1;
}

static size_t load_all(struct app *app, char *first, size_t size)
{
	size_t failed = 0;

	if (first && size)
		first[0] = '\0';
	if (app->cfg == NULL)
		return 0;
	app_metrics(app);
	for (size_t i = 0; i < app->cfg->nendpoints; i++) {
		const char *who = app->eps[i].cfg->endpoint;

		failed += load_one(app->eps[i].keys, who, "keys", first, size);
		failed +=
		    load_one(app->eps[i].vkeys, who, "keys to verify tokens with", first, size);
	}
	return failed;
}

size_t app_load_keys(struct app *app)
{
	size_t failed = load_all(app, NULL, 0);

	/* A token that other processes opened at the same moment may be
	 * missing for this one until PKCS#11 is initialised again (SoftHSM):
	 * once, at once, rather than on the first request. */
	if (failed && jwk_pkcs11_reset_wanted()) {
		app_pkcs11_recover(app);
		failed = load_all(app, NULL, 0);
	}
	return failed;
}

size_t app_try_keys(struct app *app, char *first, size_t size)
{
	return load_all(app, first, size);
}

void app_pkcs11_recover(struct app *app)
{
	struct err e = {0};

	if (!jwk_pkcs11_reset_wanted() || app->cfg == NULL)
		return;
	for (size_t i = 0; i < app->cfg->nendpoints; i++)
		keysource_close_token(app->eps[i].keys);
	if (jwk_pkcs11_keys() != 0)
		return; /* another struct app (a reload) holds token keys */
	if (jwk_pkcs11_reset(&e) != 0)
		log_error("pkcs11", "%s", e.msg);
	else if (jwk_pkcs11_resets_in_a_row() == 1) /* once while a token stays away */
		log_info("pkcs11",
			 "a token key could not be found: PKCS#11 modules initialised again (every "
			 "5 s at most until it is back), token keys are opened again");
}

void app_free(struct app *app)
{
	if (app == NULL)
		return;
	if (app->eps && app->cfg) {
		for (size_t i = 0; i < app->cfg->nendpoints; i++) {
			keysource_free(app->eps[i].keys);
			keysource_free(app->eps[i].vkeys);
		}
	}
	free(app->eps);
	backend_free(app->backend);
	rl_table_close(app->rl);
	metrics_close(app->metrics);
	cfg_free(app->cfg);
	memset(app, 0, sizeof(*app));
}

/* Seconds between attempts to open an unusable rate limit table. */
#define APP_RL_RETRY_MS 60000

struct rl_table *app_ratelimit(struct app *app)
{
	char dir[PATH_MAX];
	struct err e = {0};
	long long now;
	int rc;

	if (app->rl)
		return app->rl;
	now = clock_monotonic_ms();
	if (app->rl_retry_ms && now < app->rl_retry_ms)
		return NULL;
	rc = rundir_default(dir, sizeof(dir), &e);
	if (rc == 0)
		rc = rl_table_open(dir, RL_DEFAULT_SLOTS, &app->rl, &e);
	if (rc == 0) {
		if (app->rl_failed)
			log_info("ratelimit", "rate limit table %s in use", rl_table_path(app->rl));
		app->rl_failed = false;
		return app->rl;
	}
	if (!app->rl_failed)
		log_error("ratelimit",
			  "%s: rate limits are not enforced (requests allowed); retried every "
			  "minute, logged once",
			  e.msg);
	app->rl_failed = true;
	app->rl_retry_ms = now + APP_RL_RETRY_MS;
	return NULL;
}

struct metrics *app_metrics(struct app *app)
{
	char dir[PATH_MAX];
	struct err e = {0};
	int rc;

	if (app->metrics || app->metrics_failed || app->cfg == NULL)
		return app->metrics;
	rc = rundir_default(dir, sizeof(dir), &e);
	if (rc == 0)
		rc = metrics_open(dir, app->cfg, true, &app->metrics, &e);
	if (rc) {
		log_error("metrics", "%s: metrics are not counted by this process (logged once)",
			  e.msg);
		app->metrics_failed = true;
		return NULL;
	}
	for (size_t i = 0; i < app->cfg->nendpoints; i++) {
		keysource_set_metrics(app->eps[i].keys, app->metrics);
		keysource_set_metrics(app->eps[i].vkeys, app->metrics);
	}
	return app->metrics;
}
