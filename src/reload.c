/* reload.c - configuration reload between requests; see reload.h. */
#include "reload.h"
#include "gojson.h"
#include "log.h"
#include "metrics.h"

#include <stdio.h>
#include <string.h>

static void now_utc(char *out, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "(unknown time)");
}

static int watch_keys(struct filewatch *w, const struct cfg_keys *k)
{
	int rc = filewatch_add(w, k->jwk_local_path);

	/* A key_uri's pin_file and public_jwk_path: a fixed PIN is tried at
	 * once, not after the minute a wrong PIN waits. */
	if (rc == 0)
		rc = filewatch_add(w, k->pin_file);
	if (rc == 0)
		rc = filewatch_add(w, k->public_jwk_path);
	return rc ? rc : filewatch_add(w, k->jwk_local_ca);
}

/* Record the configuration file and every file app's configuration
 * names, as they are now. */
static int watch_files(struct reload *r, const struct app *app)
{
	int rc;

	filewatch_free(&r->watch);
	if ((rc = filewatch_add(&r->watch, r->config_path)) != 0)
		return rc;
	for (size_t i = 0; app->cfg && i < app->cfg->nendpoints; i++) {
		const struct cfg_endpoint *e = &app->cfg->endpoints[i];

		if ((e->has_signer && (rc = watch_keys(&r->watch, &e->signer.keys)) != 0) ||
		    (e->has_validator && (rc = watch_keys(&r->watch, &e->validator.keys)) != 0))
			return rc;
	}
	return 0;
}

/* The configuration's "log" and "log_timestamp", unless JWTSIGN_LOG is
 * set (then it was applied at start and stays). */
static void apply_log(const struct reload *r, const struct cfg *cfg)
{
	const char *want;
	struct err e = {0};

	if (cfg == NULL || r->env_log)
		return;
	log_set_timestamp(cfg->limits.log_timestamp);
	want = cfg->limits.log ? cfg->limits.log : "stderr";
	if (strcmp(want, log_target()) == 0)
		return;
	if (log_set_target(want, &e) != 0)
		log_error("log", "%s; logging to %s instead", e.msg, log_target());
}

int reload_init(struct reload *r, const struct app *app, const char *config_path,
		const char *env_log)
{
	memset(r, 0, sizeof(*r));
	r->config_path = config_path;
	r->env_log = env_log && *env_log ? env_log : NULL;
	clock_gettime(CLOCK_MONOTONIC, &r->last);
	now_utc(r->loaded_at, sizeof(r->loaded_at));
	apply_log(r, app->cfg);
	return watch_files(r, app);
}

/* Keep the old state: restore what the new one changed process-wide,
 * look at the files as they are now (so that the same broken file is
 * not tried every second), and log one line. */
static int refuse(struct reload *r, struct app *app, int rc, const char *msg)
{
	if (app->cfg)
		gojson_set_legacy_escapes(app->cfg->limits.legacy_escapes);
	r->failures++;
	metrics_reload(app_metrics(app), false);
	log_error("reload", "new configuration refused: %s; still serving the one loaded at %s",
		  msg, r->loaded_at);
	if (watch_files(r, app) != 0)
		log_error("reload", "out of memory: file changes are no longer noticed");
	return rc;
}

/* The most verbose level in use, to set back after a quiet trial. */
static enum log_level level_now(void)
{
	return log_enabled(LOG_DEBUG)  ? LOG_DEBUG
	       : log_enabled(LOG_INFO) ? LOG_INFO
	       : log_enabled(LOG_WARN) ? LOG_WARN
				       : LOG_ERROR;
}

/* The new configuration on trial: loaded, prepared and its keys loaded
 * with only errors from outside logged (a download that failed), so that
 * a refused reload is one line.  Returns 0 with *fresh usable (failed:
 * key sources that are not, the first named in first), or the error code
 * with the reason in msg (fresh freed). */
static int try_new(struct reload *r, const struct app *app, struct app *fresh, size_t *failed,
		   char *first, size_t fsize, char *msg, size_t msize)
{
	enum log_level level = level_now();
	struct cfg *cfg = NULL;
	struct err e = {0};
	int rc;

	memset(fresh, 0, sizeof(*fresh));
	log_set_level(LOG_ERROR);
	if ((rc = cfg_load(r->config_path, &cfg, &e)) == 0) {
		/* A test's fake backend stays; else a new libcurl client. */
		rc = app->backend == NULL && app->backend_call
			 ? app_init_cfg(fresh, cfg, app->backend_call, app->backend_ctx, &e)
			 : app_init_cfg(fresh, cfg, NULL, NULL, &e);
		if (rc)
			app_free(fresh);
	}
	if (rc == 0)
		*failed = app_try_keys(fresh, first, fsize);
	log_set_level(level);
	if (rc)
		snprintf(msg, msize, "%s", e.msg);
	return rc;
}

static int do_reload(struct reload *r, struct app *app, const char *why)
{
	struct app fresh;
	char msg[2 * ERR_MSG_SIZE + 128], first[ERR_MSG_SIZE + 64];
	size_t failed = 0;
	int rc;

	if ((rc = try_new(r, app, &fresh, &failed, first, sizeof(first), msg, sizeof(msg))) != 0)
		return refuse(r, app, rc, msg);
	if (failed && app->cfg) {
		app_free(&fresh);
		snprintf(msg, sizeof(msg),
			 "%zu key source(s) of the new configuration unusable (the first: %s)",
			 failed, first);
		return refuse(r, app, ERR_KEY, msg);
	}
	app_free(app);
	*app = fresh;
	r->reloads++;
	metrics_reload(app_metrics(app), true);
	now_utc(r->loaded_at, sizeof(r->loaded_at));
	apply_log(r, app->cfg);
	/* What the trial kept quiet, now that the new configuration serves. */
	for (size_t i = 0; i < app->cfg->nnotices; i++)
		log_warn("config", "%s: %s", r->config_path, app->cfg->notices[i]);
	if (failed)
		log_error("reload", "%zu key source(s) unusable (the first: %s)", failed, first);
	log_info("reload", "configuration and keys loaded again from %s (%s)", r->config_path, why);
	if (watch_files(r, app) != 0)
		log_error("reload", "out of memory: file changes are no longer noticed");
	return 1;
}

/* Milliseconds since the last look; *now is the time. */
static long since_last(const struct reload *r, struct timespec *now)
{
	clock_gettime(CLOCK_MONOTONIC, now);
	return (long)(now->tv_sec - r->last.tv_sec) * 1000 +
	       (now->tv_nsec - r->last.tv_nsec) / 1000000;
}

int reload_wait_ms(const struct reload *r)
{
	struct timespec now;
	long left = 1000 - since_last(r, &now);

	return left < 0 ? 0 : left > 1000 ? 1000 : (int)left;
}

int reload_tick(struct reload *r, struct app *app, bool force, const char *why)
{
	struct timespec now;
	const char *changed;
	char cause[1100];

	if (since_last(r, &now) < 1000 && !force)
		return 0;
	r->last = now;
	log_reopen(force);
	if (force)
		return do_reload(r, app, why ? why : "requested");
	if ((changed = filewatch_changed(&r->watch)) == NULL)
		return 0;
	snprintf(cause, sizeof(cause), "%.1024s changed", changed);
	return do_reload(r, app, cause);
}

void reload_free(struct reload *r)
{
	if (r)
		filewatch_free(&r->watch);
}
