/* metrics.h - counters shared by every jwtsign process of one user, and
 * their Prometheus text exposition (format 0.0.4).
 *
 * Design:
 * - The layout (which series exist) is made from the configuration when
 *   it is loaded: the endpoint label values (every endpoint path, the
 *   jwks_endpoints, the health_endpoint and the metrics_endpoint, and
 *   "none" for a request no endpoint took), the signer keys (endpoint,
 *   alg, kid) and the jwk_url sources.  Label sets whose values are
 *   known in advance (status code 100..599, the error and deny reasons
 *   below) get a slot each.
 * - One file per layout, "metrics-v1-HASH.counters" (HASH: 16 hex digits
 *   of the BLAKE2b digest of the layout), in the directory of the JWK
 *   Set cache, made and checked by shmfile.h (0600, owned by the
 *   effective user, not a link).  Its header holds a magic, the version,
 *   the slot count, the whole layout digest and a checksum of those; a
 *   file whose header disagrees is refused.  A configuration with another
 *   layout counts in a file of its own: old slots are never read with a
 *   new meaning, and processes still on the old configuration keep
 *   counting in theirs.  The file outlives the processes (a recycled
 *   worker adds to the same counters) until the machine restarts or the
 *   directory is cleaned.
 * - Every slot is a 64-bit counter changed only by C11 atomic adds (or
 *   stores, for the time of a JWK Set's last download).
 * - Degrading: a file that cannot be used turns counting off for the
 *   process (logged once by the caller, app.h): every counting function
 *   takes a NULL struct metrics and does nothing.
 */
#ifndef JWTSIGN_METRICS_H
#define JWTSIGN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "err.h"

/* The endpoint label of a request no endpoint took (404, 431, ...). */
#define METRICS_NO_ENDPOINT "none"
/* The Content-Type of the exposition. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A JWK Set download's result (jwtsign_jwks_fetch_total's result). */
enum metrics_fetch {
	METRICS_FETCH_OK = 0,	    /* "ok": a new document, keys usable */
	METRICS_FETCH_NOT_MODIFIED, /* "not_modified": 304 */
	METRICS_FETCH_ERROR,	    /* "error": failed, or no usable key */
	METRICS_NFETCH
};

/* The limit of a limiter decision (jwtsign_limiter_decisions_total). */
enum metrics_limit {
	METRICS_LIMIT_CLIENT = 0,   /* "client": qos/ratelimit/router client bucket */
	METRICS_LIMIT_ENDPOINT,	    /* "endpoint": its endpoint bucket */
	METRICS_LIMIT_FAILED_LOGIN, /* "failed_login": the failed-login throttle */
	METRICS_NLIMIT
};

struct metrics;

/* metrics_open - the counters of cfg's layout (cfg is borrowed: close m
 * before freeing it) in directory dir (a path rundir_open accepts),
 * making the file when missing if create.  *out is freed with
 * metrics_close.  Returns 0, ERR_INVALID (refused: the message says
 * why), ERR_NOTFOUND (no file and !create), ERR_LIMIT (over 2^24
 * slots), ERR_IO, ERR_NOMEM. */
int metrics_open(const char *dir, const struct cfg *cfg, bool create, struct metrics **out,
		 struct err *err);

/* metrics_close - unmap and free.  NULL-safe. */
void metrics_close(struct metrics *m);

/* metrics_path - the file's path (borrowed from m). */
const char *metrics_path(const struct metrics *m);

/* metrics_endpoint - the index of endpoint label value path (an
 * endpoint's "endpoint", a jwks_endpoint, ...), or 0 (METRICS_NO_ENDPOINT)
 * for NULL or a path not in the layout.  The index is what the counting
 * functions below take as ep. */
size_t metrics_endpoint(const struct metrics *m, const char *path);

/* metrics_request - one answer of status (100..599; others not counted)
 * on ep; with error (the {"error":CODE} of the answer, or NULL) also
 * jwtsign_errors_total{endpoint,reason} (a code not in the list counts as
 * "other"). */
void metrics_request(struct metrics *m, size_t ep, int status, const char *error);

/* metrics_backend - one backend call of ep that took us microseconds. */
void metrics_backend(struct metrics *m, size_t ep, uint64_t us);

/* metrics_token - one answer of ep signed with alg (alg_name) and kid
 * (NULL: ""): a key the layout lacks is not counted. */
void metrics_token(struct metrics *m, size_t ep, const char *alg, const char *kid);

/* metrics_validator - a validator's decision on ep: reason NULL or "ok"
 * is an allow, else a deny for reason (authz_result.reason; one not in
 * the list counts as "other"). */
void metrics_validator(struct metrics *m, size_t ep, const char *reason);

/* metrics_limiter - a limit's decision on ep (deny: refused). */
void metrics_limiter(struct metrics *m, size_t ep, enum metrics_limit limit, bool deny);

/* metrics_jwks_fetch - one download of the JWK Set at url (a jwk_url of
 * the layout; another is not counted) that ended with result at now
 * (seconds since the epoch): OK and NOT_MODIFIED also set the time its
 * age (jwtsign_jwks_age_seconds) is counted from. */
void metrics_jwks_fetch(struct metrics *m, const char *url, enum metrics_fetch result, time_t now);

/* metrics_reload - one configuration reload, applied (ok) or refused. */
void metrics_reload(struct metrics *m, bool ok);

/* metrics_format - append the Prometheus text exposition (format 0.0.4)
 * of m at now (seconds since the epoch, for the ages) to out: HELP and
 * TYPE for every family, label values escaped (\\, \", \n), the
 * requests, errors, validator, limiter and download counters only for
 * the label sets counted at least once, and version (jwtsign_build_info).
 * Returns 0 or ERR_NOMEM. */
int metrics_format(const struct metrics *m, time_t now, const char *version, struct buf *out);

#endif
