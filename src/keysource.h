/* keysource.h - where one signer's key comes from (jwk_local_path,
 * jwk_url or a PKCS#11 token's key_uri), and keeping it: loaded once,
 * reused for every request, and refreshed from a URL after cache_duration
 * without a restart.
 *
 * A key_uri's key is opened by each process on first use (PKCS#11 is
 * initialised per process) with one test signature, and kept with its
 * token session.  When the token fails to sign, keysource_key_failed
 * drops it; a later request opens it again, at most once a second (once
 * a minute after a wrong PIN or a key that does not fit alg: a token
 * locks after a few wrong PINs; a reload tries at once).  Its public key
 * (or public_jwk_path's) is published at jwks_endpoint.
 *
 * A jwk_url's JWK Set goes through the cache shared by every jwtsign
 * process of the user (jwk_cache.h), so that N processes share one
 * download:
 * - fresh (fetched less than cache_duration seconds ago): used as is;
 * - expired: one process takes the source's lock and refreshes it with a
 *   conditional GET (ETag / Last-Modified), while the others keep using
 *   the cached keys (no thundering herd); a process without any key waits
 *   for the refresher (at most connect + download timeout + 1 s, then
 *   downloads by itself without writing the cache);
 * - a configured kid missing from the set triggers an immediate refresh,
 *   at most once per failed_jwk_key_cooldown seconds per source;
 * - a failed download is logged and the last good set is used until
 *   cache_duration + max_stale seconds after its download; after that the
 *   source is unavailable (the caller answers 503).  After a failure the
 *   next attempt (by any process) waits 1, 2, 4, ... seconds, at most 60
 *   and at most cache_duration;
 * - each process parses the set again only when the cached document
 *   changed (new generation);
 * - when the cache directory cannot be used (see jwk_cache_open) the
 *   process logs why and downloads for itself, under the same rules.
 */
#ifndef JWTSIGN_KEYSOURCE_H
#define JWTSIGN_KEYSOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "err.h"

struct jwk;
struct jwk_keyring;
struct keysource;

/* keysource_new - prepare a key source.  Nothing is loaded yet.  keys
 * (where the JWK Set is: a signer's or a validator's struct cfg_keys),
 * kids (nkids entries: the kids to select, in order, as a signer's "kid"),
 * alg (the key must fit it), jwks_endpoint (the path whose public set is
 * kept, or NULL) and limits are borrowed and must outlive the source; name
 * (borrowed) labels log lines (usually the endpoint path).  A signer
 * passes its block: keysource_new(&s->keys, (const char *const *)s->kids,
 * s->nkids, s->alg, s->jwks_endpoint, ...).  A validator passes nkids 0
 * (and alg JWS_ALG_INVALID, jwks_endpoint NULL): its source keeps every
 * key of the set that can verify (keysource_get_ring).
 * *out is freed with keysource_free().
 * Returns 0, ERR_NOMEM, or a configuration error of the jwk_url TLS
 * settings (fetch_check_opts): ERR_INVALID (URL scheme, a jwk_fingerprints
 * entry that is not the base64 of 32 bytes), ERR_UNSUPPORTED (a
 * cipher_suites number GnuTLS does not know). */
int keysource_new(const struct cfg_keys *keys, const char *const *kids, size_t nkids,
		  enum jws_alg alg, const char *jwks_endpoint, const struct cfg_limits *limits,
		  const char *name, struct keysource **out, struct err *err);

/* keysource_free - wipe and release the source and its key.  NULL-safe. */
void keysource_free(struct keysource *ks);

/* keysource_get - a signer's source: the key to sign with now (borrowed: valid until the next
 * keysource_get or keysource_free).  Loads it on first use; for jwk_url
 * follows the rules above.  A jwk_local_path file is read once; after a
 * failed read the next attempt waits one second.
 * Returns 0, or why there is no usable key (ERR_IO, ERR_NET, ERR_TIMEOUT,
 * ERR_HTTP, ERR_INVALID, ERR_LIMIT, ERR_NOTFOUND (none of the kids in the
 * set), ERR_KEY, ERR_UNSUPPORTED, ERR_CRYPTO, ERR_NOMEM): the caller
 * answers 503. */
int keysource_get(struct keysource *ks, const struct jwk **key, struct err *err);

/* keysource_load - load (or refresh, by the rules above) the source's
 * keys now, for either kind of source.  Returns 0 or the errors of
 * keysource_get. */
int keysource_load(struct keysource *ks, struct err *err);

/* keysource_get_ring - a validator's source (made with nkids 0): the keys
 * of its JWK Set that can verify (jwk_keyring.h; borrowed: valid until the
 * next call on ks), loaded and refreshed like keysource_get's key.  Returns
 * 0, the errors of keysource_get (the caller denies: fail closed), or
 * ERR_INVALID for a signer's source. */
int keysource_get_ring(struct keysource *ks, const struct jwk_keyring **ring, struct err *err);

/* keysource_ring_miss - a token named a kid that the ring lacks: for a
 * jwk_url, download the set now unless a kid-triggered refresh (by any
 * process sharing the cache) happened less than failed_jwk_key_cooldown
 * seconds ago.  Returns true when new keys were loaded (verify again),
 * false otherwise (also for a jwk_local_path, read once). */
bool keysource_ring_miss(struct keysource *ks);

/* keysource_describe - write a one-line description of where the key
 * comes from and how old it is into out (size bytes, always
 * NUL-terminated): "file /etc/k.json", "url https://..., cache
 * /dev/shm/jwtsign-33/jwks-HEX.cache, fetched 12 s ago, generation 3",
 * "url https://..., no shared cache (REASON), fetched 12 s ago",
 * "url https://..., not fetched yet". */
void keysource_describe(const struct keysource *ks, char *out, size_t size);

/* keysource_log_due - whether a "keys unavailable" line for ks is due:
 * one a second at most while the keys stay unavailable (an outage would
 * otherwise log a line per request).  *skipped: the lines left out since
 * the last one written (0 when none).  NULL ks: always due. */
bool keysource_log_due(struct keysource *ks, unsigned *skipped);

/* keysource_no_cache - why a jwk_url source serves without the shared
 * key cache (its directory was refused: wrong owner or mode, a symbolic
 * link; every process then downloads the JWK Set itself), borrowed until
 * the next keysource call; NULL when it has the cache, has not tried to
 * open it yet, or reads a file.  NULL-safe. */
const char *keysource_no_cache(const struct keysource *ks);

/* keysource_published - the public JWK Set published at the signer's
 * jwks_endpoint: the public part of every key of the current JWK Set whose
 * kid is listed in "kid" (oct keys never), made when the set is parsed
 * (jwk_set_publish).  Loads or refreshes the set like keysource_get.
 * *doc (borrowed, not NUL-terminated guarantee: use *len bytes) is valid
 * until the next keysource call.  Returns 0, the errors of
 * keysource_get, or ERR_NOTFOUND (no jwks_endpoint, or the set could not
 * be made: see the log). */
int keysource_published(struct keysource *ks, const char **doc, size_t *len, struct err *err);

/* keysource_retry_now - from now on, download when the keys are needed
 * even while the failures recorded in the shared cache (by any process)
 * ask to wait: check-config never reports a failure it has not just seen
 * itself.  NULL-safe. */
void keysource_retry_now(struct keysource *ks);

/* keysource_key_failed - the key keysource_get gave failed to sign with a
 * token error (crypto_jws_sign's ERR_IO): for a key_uri, drop it (the
 * pointer keysource_get returned is no longer valid) and open it again on
 * a request at least one second later; why (borrowed, may be NULL) is the
 * message keysource_get repeats until then.  Other sources: nothing.
 * NULL-safe. */
void keysource_key_failed(struct keysource *ks, const struct err *why);

/* keysource_close_token - a key_uri's source: free its key (it is opened
 * again, at once, on the next use), so that PKCS#11 can be initialised
 * again (app_pkcs11_recover).  Other sources: nothing.  NULL-safe. */
void keysource_close_token(struct keysource *ks);

struct metrics;

/* keysource_set_metrics - count ks's JWK Set downloads in m (metrics.h,
 * borrowed: it must outlive ks; NULL stops counting).  NULL-safe ks. */
void keysource_set_metrics(struct keysource *ks, struct metrics *m);

#endif
