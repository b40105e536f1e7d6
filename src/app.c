/* app.c - per-process state; see app.h. */
#include "app.h"
#include "gojson.h"
#include "keysource.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int app_init_cfg(struct app *app, struct cfg *cfg, backend_call_fn call, void *ctx, struct err *err)
{
	int rc;

	gojson_set_legacy_escapes(cfg->limits.legacy_escapes);
	app->cfg = cfg;
	app->eps = calloc(cfg->nendpoints ? cfg->nendpoints : 1, sizeof(*app->eps));
	if (app->eps == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const struct cfg_endpoint *ep = &cfg->endpoints[i];

		app->eps[i].cfg = ep;
		if (!ep->has_signer)
			continue; /* protected: no key source to sign with */
		app_signer_opts(&app->eps[i].sign, ep, &cfg->limits, NULL);
		rc = keysource_new(&ep->signer.keys, (const char *const *)ep->signer.kids,
				   ep->signer.nkids, ep->signer.alg, ep->signer.jwks_endpoint,
				   &cfg->limits, ep->endpoint, &app->eps[i].keys, err);
		if (rc)
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
		log_error("config", "%s; every request will be answered 503",
			  err ? err->msg : err_strerror(rc));
		return rc;
	}
	rc = app_init_cfg(app, cfg, NULL, NULL, err);
	if (rc) {
		/* Half-built state is never served: drop it all. */
		app_free(app);
		snprintf(app->cfg_error, sizeof(app->cfg_error), "%s", err ? err->msg : "");
		log_error("main", "%s; every request will be answered 503", app->cfg_error);
	}
	return rc;
}

size_t app_load_keys(struct app *app)
{
	size_t failed = 0;

	if (app->cfg == NULL)
		return 0;
	for (size_t i = 0; i < app->cfg->nendpoints; i++) {
		const struct jwk *key;
		struct err e = {0};

		if (app->eps[i].keys == NULL)
			continue;
		if (keysource_get(app->eps[i].keys, &key, &e) != 0) {
			log_error(app->eps[i].cfg->endpoint, "keys unavailable: %s", e.msg);
			failed++;
		}
	}
	return failed;
}

void app_free(struct app *app)
{
	if (app == NULL)
		return;
	if (app->eps && app->cfg) {
		for (size_t i = 0; i < app->cfg->nendpoints; i++)
			keysource_free(app->eps[i].keys);
	}
	free(app->eps);
	backend_free(app->backend);
	cfg_free(app->cfg);
	memset(app, 0, sizeof(*app));
}
