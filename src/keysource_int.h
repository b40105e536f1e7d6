/* keysource_int.h - PRIVATE to keysource.c (setup, jwk_local_path, the
 * public calls) and keysource_url.c (a jwk_url's shared cache, refresh and
 * download): the layout of struct keysource and what the two share. */
#ifndef JWTSIGN_KEYSOURCE_INT_H
#define JWTSIGN_KEYSOURCE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "fetch.h"
#include "jwk_cache.h"
#include "keysource.h"

/* Wait between two failed reads of a jwk_local_path, in milliseconds. */
#define KEYSOURCE_RETRY_MS 1000
/* Longest wait between two download attempts after failures, seconds. */
#define KEYSOURCE_MAX_BACKOFF 60
/* Wait between two attempts to open an unusable cache directory, ms. */
#define KEYSOURCE_CACHE_RETRY_MS 60000

/* Why a refresh is wanted. */
enum reason { R_NONE, R_COLD, R_EXPIRED, R_MISS, R_REBUILD };

struct keysource {
	const struct cfg_keys *keys; /* borrowed, as the four below */
	const char *const *kids;     /* the kids to select, in order */
	size_t nkids;
	enum jws_alg alg;	   /* the key must fit it */
	const char *jwks_endpoint; /* NULL: no public set published */
	const struct cfg_limits *limits;
	const char *name;
	struct jwk *key;	 /* the key in use, or NULL */
	struct metrics *metrics; /* downloads counted there, or NULL (borrowed) */
	/* A validator's source (nkids 0): every key of the set that can
	 * verify, or NULL; and a token named a kid the ring lacks (refresh
	 * under failed_jwk_key_cooldown, keysource_ring_miss). */
	struct jwk_keyring *ring;
	bool miss_wanted;

	/* jwk_local_path, key_uri */
	long long attempt_ms;	 /* monotonic time of the last failed read, or 0 */
	long long log_ms;	 /* when a "keys unavailable" line was last
				  * written (keysource_log_due), or 0 */
	unsigned log_skipped;	 /* such lines left out since */
	long long pub_retry_ms;	 /* key_uri: when the token's public key was
				  * last read again for jwks_endpoint, or 0 */
	long long retry_wait_ms; /* key_uri: wait after that failure (its message
				  * and code: parse_msg, parse_rc) */
	time_t loaded_wall;	 /* wall-clock time of the last successful read */

	/* jwk_url */
	unsigned char id[JWK_CACHE_ID_SIZE]; /* source id: URL + security settings */
	struct jwk_cache *cache;	     /* NULL: no usable cache (yet) */
	long long cache_retry_ms;    /* monotonic time before which not to retry opening it */
	char no_cache[ERR_MSG_SIZE]; /* why there is no cache, or "" */
	char refused[ERR_MSG_SIZE];  /* last cache file refusal logged, or "" */
	struct jwk_cache_stamp stamp;
	struct jwk_cache_entry e; /* state of the source as last seen; doc wiped
				   * once parsed, except while refreshing */
	bool rebuild;		  /* the cache file was refused: write a new one */
	bool retry_now;		  /* ignore the recorded backoff (keysource_retry_now) */
	bool parsed;		  /* parse_* describe e's document */
	uint64_t parse_gen;
	unsigned char parse_hash[32];
	int parse_rc; /* jwk_set_select's result for our kids */
	char parse_msg[ERR_MSG_SIZE];

	/* jwks_endpoint: the public JWK Set of the listed kids, made from the
	 * same document as the key (empty when not configured) */
	struct buf published;
};

/* What one parse of a document gives: a signer's key or a validator's
 * ring. */
struct parsed {
	struct jwk *key;
	struct jwk_keyring *ring;
};

/* Parse doc: a signer's key (jwk_set_select of its kids) or a validator's
 * ring (jwk_keyring_parse) into *out; publishes the signer's public set. */
int ks_select_key(struct keysource *ks, const struct buf *doc, struct parsed *out, struct err *err);

/* Replace the keys in use by p's (taken). */
void ks_adopt(struct keysource *ks, struct parsed *p);

/* Release p's keys (after a failed or unused parse). */
void ks_parsed_free(struct parsed *p);

/* Whether ks is a validator's source (no kids: every key that verifies). */
bool ks_ring_mode(const struct keysource *ks);

/* Whether ks holds keys (a key or a ring) from a successful parse. */
bool ks_have_keys(const struct keysource *ks);

/* The download options of ks's jwk_url and limits. */
void ks_fetch_opts_of(const struct keysource *ks, struct fetch_opts *o);

/* A jwk_url's keys now, following keysource.h's rules. */
int ks_get_from_url(struct keysource *ks, const struct jwk **key, struct err *err);

/* A key_uri's key now: opened on first use, again after a failure
 * (keysource_p11.c). */
int ks_get_from_token(struct keysource *ks, const struct jwk **key, struct err *err);

/* Seconds since ks's document was fetched (negative: in the future). */
long long ks_age(const struct keysource *ks, time_t now);

#endif
