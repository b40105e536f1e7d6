/* app.h - the per-process state: loaded configuration, one key source per
 * signer endpoint, and the backend client.  The only long-lived state in
 * the program: main.c makes one (app_init) per process, every request
 * borrows it, app_free releases it at exit (HACKING, "Request flow").
 */
#ifndef JWTSIGN_APP_H
#define JWTSIGN_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "config.h"
#include "err.h"
#include "jwt.h"
#include "signer.h"

struct keysource;
struct metrics;
struct rl_table;

struct app_endpoint {
	const struct cfg_endpoint *cfg; /* borrowed from app->cfg */
	struct keysource *keys;		/* the signer's key, or NULL (no signer) */
	struct signer_opts sign;	/* app_signer_opts of cfg, computed once at
					 * load; points into app->cfg.  Its key is
					 * NULL: the handler sets the key of each
					 * request on a copy */
	struct keysource *vkeys;	/* the validator's keys, or NULL (no validator) */
	struct jwt_policy policy;	/* the validator block as jwt_verify takes it,
					 * computed once at load; points into app->cfg */
};

struct app {
	struct cfg *cfg;	      /* NULL when the configuration failed to load */
	char cfg_error[ERR_MSG_SIZE]; /* why, when cfg is NULL */
	struct app_endpoint *eps;     /* cfg->nendpoints entries */
	struct backend *backend;      /* the real backend client, or NULL */
	backend_call_fn backend_call; /* how the handler calls the backend */
	void *backend_ctx;
	/* The shared rate limit table (ratelimit.h), opened at the first
	 * request that needs it (app_ratelimit); NULL until then or while it
	 * cannot be used. */
	struct rl_table *rl;
	long long rl_retry_ms; /* clock_monotonic_ms() of the next attempt */
	bool rl_failed;	       /* the last attempt failed (logged once) */
	/* The shared counters (metrics.h), opened by app_metrics; NULL until
	 * then, and for good once opening failed (metrics_failed). */
	struct metrics *metrics;
	bool metrics_failed;
};

/* app_signer_opts - the options of a configured endpoint's signer block,
 * with the rules of its backend's answer (entity), and the process limits
 * (lim), signing with key (all borrowed: opts points into them).  The one mapping from the
 * configuration to the signer, used by app_init (once per endpoint, key NULL: the handler sets each
 * request's key on a copy) and tests. */
void app_signer_opts(struct signer_opts *opts, const struct cfg_endpoint *ep,
		     const struct cfg_limits *lim, const struct jwk *key);

/* app_init - zero app, load the configuration file at config_path and
 * prepare a key source per endpoint and the libcurl backend client.  Keys
 * are not loaded here (see app_load_keys).
 * On a configuration error the reason is logged once, kept in
 * app->cfg_error, app->cfg stays NULL (the server then answers 503), and
 * the error is returned: ERR_IO, ERR_INVALID, ERR_UNSUPPORTED, ERR_NOMEM.
 * Release with app_free() in every case. */
int app_init(struct app *app, const char *config_path, struct err *err);

/* app_init_cfg - like app_init, but with an already parsed configuration
 * (ownership of cfg passes to app) and the given backend function (NULL:
 * the real libcurl client).  For tests and the CLI. */
int app_init_cfg(struct app *app, struct cfg *cfg, backend_call_fn call, void *ctx,
		 struct err *err);

/* app_endpoint_of - the state of configured endpoint ep (borrowed), or
 * NULL when ep is not one of app->cfg's. */
const struct app_endpoint *app_endpoint_of(const struct app *app, const struct cfg_endpoint *ep);

/* app_load_keys - load every endpoint's keys now (a signer's key, a
 * validator's keys to verify with), logging each failure (the endpoint
 * then answers 503, its validator denies, until a later load works); when
 * a PKCS#11 token key was not found, PKCS#11 is initialised again and
 * the keys loaded once more (app_pkcs11_recover).  Returns the number of
 * key sources that could not be loaded. */
size_t app_load_keys(struct app *app);

/* app_try_keys - app_load_keys for a configuration on trial (a reload):
 * nothing is logged for a failure; the first one is written to first
 * (size bytes, "ENDPOINT: keys unavailable: REASON", "" when none).
 * Returns the number of key sources that could not be loaded. */
size_t app_try_keys(struct app *app, char *first, size_t size);

/* app_ratelimit - the shared rate limit table, opened (and made) in the
 * directory of the JWK Set cache (rundir.h) on the first call; NULL when
 * it cannot be used: the first failure is logged, limits are then not
 * enforced (requests are allowed) and the table is tried again once a
 * minute. */
struct rl_table *app_ratelimit(struct app *app);

/* app_metrics - the shared counters of the configuration's layout
 * (metrics.h), opened (and made) in the directory of the JWK Set cache on
 * the first call, and handed to every key source; NULL without a
 * configuration or when the file cannot be used: then counting is off
 * for this app (logged once, not retried: the counters stay whole or
 * absent, never half). */
struct metrics *app_metrics(struct app *app);

/* app_free - release everything app owns.  NULL-safe. */
void app_free(struct app *app);

/* app_pkcs11_recover - when a token key could not be found (at start,
 * or after the token failed to sign; jwk_pkcs11_reset_wanted: every 5 s
 * at most), close every token
 * key of app and initialise PKCS#11 again (jwk_pkcs11_reset: some modules
 * only see a token that came back after that); the keys are opened again
 * on their next use.  Call it between requests, before keysource_get.
 * Failures are logged. */
void app_pkcs11_recover(struct app *app);

#endif
