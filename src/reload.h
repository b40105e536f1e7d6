/* reload.h - a FastCGI worker's configuration reload, between requests:
 * the configuration file or a key file it names (jwk_local_path,
 * jwk_local_ca) changed (filewatch.h; looked at most once a second), or
 * SIGUSR2 / SIGHUP asked for it (main.c).  The new state replaces the old
 * only when it is usable: a configuration that cannot be loaded keeps the
 * old one serving and logs one line; so does one whose keys cannot be
 * loaded while the old ones can.  A log file target is reopened when
 * logrotate moved it, and on every forced reload.  See jwtsign(8),
 * RELOADING.
 */
#ifndef JWTSIGN_RELOAD_H
#define JWTSIGN_RELOAD_H

#include <stdbool.h>
#include <time.h>

#include "app.h"
#include "filewatch.h"

struct reload {
	const char *config_path; /* borrowed: the file app was loaded from */
	const char *env_log;	 /* JWTSIGN_LOG (borrowed), or NULL: the
				  * configuration's "log" decides */
	struct filewatch watch;	 /* the files of the state in use */
	struct timespec last;	 /* CLOCK_MONOTONIC of the last look */
	char loaded_at[32];	 /* UTC time the state in use was loaded */
	unsigned long reloads;	 /* states replaced */
	unsigned long failures;	 /* reloads refused (old state kept) */
};

/* reload_init - start watching the files of app (loaded from config_path,
 * borrowed like env_log) and apply its log settings (log_set_target,
 * log_set_timestamp) unless env_log is set.  Returns 0 or ERR_NOMEM. */
int reload_init(struct reload *r, const struct app *app, const char *config_path,
		const char *env_log);

/* reload_tick - call between requests.  When force is true, or a second
 * has passed since the last look and a watched file changed: load the
 * configuration again and, when usable, replace *app with it (the old
 * state freed).  why names the cause in the log line when force is set
 * ("SIGUSR2").  Returns 1 when app was replaced, 0 when nothing was due,
 * or a negative error code when a reload was refused (app unchanged,
 * one line logged). */
int reload_tick(struct reload *r, struct app *app, bool force, const char *why);

/* reload_wait_ms - milliseconds until the next look at the files is due
 * (0 to 1000): how long an idle worker may wait for a connection. */
int reload_wait_ms(const struct reload *r);

/* reload_free - release r's watch list.  NULL-safe. */
void reload_free(struct reload *r);

#endif
