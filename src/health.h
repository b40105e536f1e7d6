/* health.h - the health check ("health_endpoint" in the top-level
 * "jwtsign" block, like php-fpm's ping.path): 200 {"status":"ok"} when
 * the configuration is usable and every endpoint's keys are loaded, 503
 * {"status":"fail","failed":[...]} naming each failing part otherwise.
 * Access control is the web server's.  See jwtsign.json(5).
 */
#ifndef JWTSIGN_HEALTH_H
#define JWTSIGN_HEALTH_H

#include <stdbool.h>

#include "app.h"
#include "request.h"
#include "response.h"

/* health_handle - when req's path is app's health_endpoint, answer the
 * health check into resp (GET and HEAD; other methods 405) and return
 * true; else leave resp alone and return false.  Loads (or refreshes, by
 * their rules) each key source, as a request would.  app and req are
 * borrowed. */
bool health_handle(struct app *app, const struct request *req, struct response *resp);

#endif
