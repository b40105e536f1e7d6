/* keysource.c - loading and keeping a signer's key; see keysource.h. */
#include "keysource.h"
#include "clock.h"
#include "fetch.h"
#include "fileio.h"
#include "jwk.h"
#include "jwk_cache.h"
#include "jwk_keyring.h"
#include "jwk_set.h"
#include "log.h"
#include "pem.h"
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	struct jwk *key; /* the key in use, or NULL */
	/* A validator's source (nkids 0): every key of the set that can
	 * verify, or NULL; and a token named a kid the ring lacks (refresh
	 * under failed_jwk_key_cooldown, keysource_ring_miss). */
	struct jwk_keyring *ring;
	bool miss_wanted;

	/* jwk_local_path */
	long long attempt_ms; /* monotonic time of the last failed read, or 0 */
	time_t loaded_wall;   /* wall-clock time of the last successful read */

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

/* ------------------------------------------------------------ setup */

static void fetch_opts_of(const struct keysource *ks, struct fetch_opts *o)
{
	const struct cfg_keys *s = ks->keys;

	memset(o, 0, sizeof(*o));
	o->url = s->jwk_url;
	o->insecure = s->disable_jwk_security;
	o->ca_file = s->jwk_local_ca;
	o->pins = s->jwk_fingerprints;
	o->npins = s->njwk_fingerprints;
	o->suites = s->cipher_suites;
	o->nsuites = s->ncipher_suites;
	o->connect_timeout_ms = ks->limits->connect_timeout_ms;
	o->timeout_ms = ks->limits->jwk_fetch_timeout_ms;
	o->max_bytes = ks->limits->max_jwk_set_size;
	o->max_header_bytes = ks->limits->max_header_size;
}

/* The source id: the URL and every setting that changes what a download
 * may return or accept. */
static int source_id(const struct cfg_keys *s, unsigned char id[JWK_CACHE_ID_SIZE])
{
	struct buf pins = BUF_INIT, suites = BUF_INIT;
	const char *parts[5];
	int rc = buf_puts(&pins, "pins");

	for (size_t i = 0; i < s->njwk_fingerprints && rc == 0; i++) {
		unsigned char pin[TLS_PIN_SIZE];
		char hex[2 * TLS_PIN_SIZE + 1];

		if (tls_pin_decode(s->jwk_fingerprints[i], pin) != 0) {
			rc = ERR_INVALID;
			break;
		}
		sodium_bin2hex(hex, sizeof(hex), pin, sizeof(pin));
		rc = buf_printf(&pins, " %s", hex);
	}
	if (rc == 0)
		rc = buf_puts(&suites, "suites");
	for (size_t i = 0; i < s->ncipher_suites && rc == 0; i++)
		rc = buf_printf(&suites, " %u", (unsigned)s->cipher_suites[i]);
	if (rc == 0) {
		parts[0] = s->jwk_url;
		parts[1] = s->disable_jwk_security ? "insecure" : "verify";
		parts[2] = s->jwk_local_ca ? s->jwk_local_ca : "";
		parts[3] = pins.data;
		parts[4] = suites.data;
		jwk_cache_id(parts, 5, id);
	}
	buf_free(&pins);
	buf_free(&suites);
	return rc;
}

int keysource_new(const struct cfg_keys *keys, const char *const *kids, size_t nkids,
		  enum jws_alg alg, const char *jwks_endpoint, const struct cfg_limits *limits,
		  const char *name, struct keysource **out, struct err *err)
{
	struct keysource *ks;
	int rc;

	*out = NULL;
	ks = calloc(1, sizeof(*ks));
	if (ks == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	ks->keys = keys;
	ks->kids = kids;
	ks->nkids = nkids;
	ks->alg = alg;
	ks->jwks_endpoint = jwks_endpoint;
	ks->limits = limits;
	ks->name = name;
	jwk_cache_entry_init(&ks->e);
	if (keys->jwk_url && !keys->jwk_local_path) {
		struct fetch_opts o;

		fetch_opts_of(ks, &o);
		if ((rc = fetch_check_opts(&o, err)) != 0 || (rc = source_id(keys, ks->id)) != 0) {
			if (rc == ERR_NOMEM)
				err_set(err, rc, "out of memory");
			err_prefix(err, "%s", name ? name : "jwk_url");
			keysource_free(ks);
			return rc;
		}
	}
	*out = ks;
	return 0;
}

void keysource_free(struct keysource *ks)
{
	if (ks == NULL)
		return;
	jwk_free(ks->key);
	jwk_keyring_free(ks->ring);
	jwk_cache_entry_free(&ks->e);
	jwk_cache_close(ks->cache);
	buf_free(&ks->published);
	sodium_memzero(ks, sizeof(*ks));
	free(ks);
}

/* ------------------------------------------------------------ jwk_local_path */

/* Read the whole file at path (at most max bytes) into b. */
static int read_file(const char *path, size_t max, struct buf *b, struct err *err)
{
	int rc;

	b->limit = max;
	rc = fileio_read_file(path, b, NULL);
	if (rc == ERR_IO)
		return err_set(err, ERR_IO, "jwk_local_path %s: %s", path, strerror(errno));
	if (rc)
		return err_set(err, rc,
			       rc == ERR_LIMIT ? "jwk_local_path %s: larger than %zu bytes "
						 "(max_jwk_set_size)"
					       : "jwk_local_path %s: out of memory (%zu bytes)",
			       path, max);
	return 0;
}

/* Make the public JWK Set for jwks_endpoint from doc.  A failure leaves
 * the previous one in place and is logged: the key itself is usable. */
static void publish(struct keysource *ks, const struct buf *doc, const struct jwk_limits *lim)
{
	struct buf pub = BUF_INIT;
	struct err e = {0};

	if (ks->jwks_endpoint == NULL)
		return;
	if (jwk_set_publish(doc->data ? doc->data : "", doc->len, ks->kids, ks->nkids, lim, &pub,
			    &e) != 0) {
		log_warn(ks->name, "%s: public JWK Set not updated: %s", ks->jwks_endpoint, e.msg);
		buf_free(&pub);
		return;
	}
	buf_free(&ks->published);
	ks->published = pub;
}

/* What one parse of a document gives: a signer's key or a validator's
 * ring. */
struct parsed {
	struct jwk *key;
	struct jwk_keyring *ring;
};

static bool ring_mode(const struct keysource *ks)
{
	return ks->nkids == 0;
}

static bool have_keys(const struct keysource *ks)
{
	return ks->key != NULL || ks->ring != NULL;
}

/* Replace the keys in use by p's (taken). */
static void adopt(struct keysource *ks, struct parsed *p)
{
	jwk_free(ks->key);
	jwk_keyring_free(ks->ring);
	ks->key = p->key;
	ks->ring = p->ring;
	p->key = NULL;
	p->ring = NULL;
}

static void parsed_free(struct parsed *p)
{
	jwk_free(p->key);
	jwk_keyring_free(p->ring);
	p->key = NULL;
	p->ring = NULL;
}

static int select_key(struct keysource *ks, const struct buf *doc, struct parsed *out,
		      struct err *err)
{
	const struct cfg_keys *s = ks->keys;
	struct jwk_limits lim = {ks->limits->max_jwk_set_size, ks->limits->max_jwk_keys};
	const char *d = doc->data ? doc->data : "";
	int rc;

	out->key = NULL;
	out->ring = NULL;
	if (ring_mode(ks))
		rc = jwk_keyring_parse(d, doc->len, &lim, &out->ring, err);
	else
		rc =
		    jwk_set_select(d, doc->len, ks->kids, ks->nkids, ks->alg, &lim, &out->key, err);

	if (rc)
		err_prefix(err, "JWK Set from %s",
			   s->jwk_local_path ? s->jwk_local_path : s->jwk_url);
	else
		publish(ks, doc, &lim);
	return rc;
}

/* A PEM private key file (PKCS#8, PKCS#1 RSA, SEC1 EC): replace doc by the
 * JWK Set jwtsign builds from it, with the first configured kid. */
static int pem_to_set(const struct keysource *ks, struct buf *doc, struct err *err)
{
	const struct cfg_keys *s = ks->keys;
	struct buf conv;
	int rc;

	buf_init_secret(&conv, 0);
	rc = pem_to_jwk_set(doc->data, doc->len, ks->nkids ? ks->kids[0] : NULL, alg_name(ks->alg),
			    &conv, err);
	buf_wipe_free(doc);
	if (rc) {
		err_prefix(err, "jwk_local_path %s", s->jwk_local_path);
		buf_wipe_free(&conv);
		return rc;
	}
	*doc = conv;
	return 0;
}

static int get_from_file(struct keysource *ks, const struct jwk **key, struct err *err)
{
	const struct cfg_keys *s = ks->keys;
	long long now = clock_monotonic_ms();
	struct buf doc;
	struct parsed k = {NULL, NULL};
	int rc;

	if (have_keys(ks)) {
		*key = ks->key;
		return 0;
	}
	if (ks->attempt_ms && now - ks->attempt_ms < KEYSOURCE_RETRY_MS)
		return err_set(
		    err, ERR_IO,
		    "jwk_local_path %s: keys unavailable (last load failed less than %d ms "
		    "ago)",
		    s->jwk_local_path, KEYSOURCE_RETRY_MS);
	buf_init_secret(&doc, ks->limits->max_jwk_set_size);
	rc = read_file(s->jwk_local_path, ks->limits->max_jwk_set_size, &doc, err);
	if (rc == 0 && pem_detect(doc.data, doc.len))
		rc = pem_to_set(ks, &doc, err);
	if (rc == 0)
		rc = select_key(ks, &doc, &k, err);
	buf_wipe_free(&doc);
	if (rc) {
		parsed_free(&k);
		ks->attempt_ms = now;
		return rc;
	}
	adopt(ks, &k);
	ks->attempt_ms = 0;
	ks->loaded_wall = clock_now();
	if (ks->ring)
		log_info(ks->name, "%zu key(s) to verify with loaded from %s",
			 jwk_keyring_count(ks->ring), s->jwk_local_path);
	else
		log_info(ks->name, "key \"%s\" loaded from %s",
			 jwk_kid(ks->key) ? jwk_kid(ks->key) : "", s->jwk_local_path);
	*key = ks->key;
	return 0;
}

/* ------------------------------------------------------------ jwk_url state */

/* Parse e's document when it is not the one parsed last, then wipe it
 * unless keep. */
static void parse_entry(struct keysource *ks, bool keep)
{
	struct jwk_cache_entry *e = &ks->e;
	struct parsed k = {NULL, NULL};
	struct err perr = {0};

	if (e->doc.len == 0)
		return;
	if (!ks->parsed || ks->parse_gen != e->generation ||
	    sodium_memcmp(ks->parse_hash, e->doc_hash, sizeof(ks->parse_hash)) != 0) {
		ks->parse_rc = select_key(ks, &e->doc, &k, &perr);
		snprintf(ks->parse_msg, sizeof(ks->parse_msg), "%s", perr.msg);
		adopt(ks, &k);
		ks->parse_gen = e->generation;
		memcpy(ks->parse_hash, e->doc_hash, sizeof(ks->parse_hash));
		ks->parsed = true;
		if (ks->parse_rc == 0)
			log_debug(ks->name, "JWK Set generation %llu parsed: %s \"%s\"",
				  (unsigned long long)e->generation,
				  ks->ring ? "keys to verify" : "key",
				  ks->key && jwk_kid(ks->key) ? jwk_kid(ks->key) : "");
		else
			log_debug(ks->name, "JWK Set generation %llu parsed: %s",
				  (unsigned long long)e->generation, ks->parse_msg);
	}
	if (!keep)
		buf_wipe_free(&e->doc);
}

/* Open the cache directory when there is none yet (retrying a refused one
 * at most once a minute).  Returns 0 when ks->cache is usable. */
static int ensure_cache(struct keysource *ks)
{
	char dir[PATH_MAX];
	struct err e = {0};
	long long now = clock_monotonic_ms();
	int rc;

	if (ks->cache)
		return 0;
	if (ks->cache_retry_ms && now < ks->cache_retry_ms)
		return ERR_IO;
	rc = jwk_cache_default_dir(dir, sizeof(dir), &e);
	if (rc == 0)
		rc = jwk_cache_open(dir, &ks->cache, &e);
	if (rc == 0) {
		ks->no_cache[0] = '\0';
		ks->stamp.valid = false;
		return 0;
	}
	ks->cache_retry_ms = now + KEYSOURCE_CACHE_RETRY_MS;
	snprintf(ks->no_cache, sizeof(ks->no_cache), "%s", e.msg);
	log_error(ks->name, "%s; downloading JWK Sets directly, not shared with other processes",
		  e.msg);
	return rc;
}

/* A process holding keys read an entry without any document (written by a
 * process that had none and failed to download): keep what describes the
 * keys it has, take the failure record. */
static void keep_document_of(struct jwk_cache_entry *e, const struct jwk_cache_entry *old)
{
	e->generation = old->generation;
	memcpy(e->doc_hash, old->doc_hash, sizeof(e->doc_hash));
	e->fetched_at = old->fetched_at;
	memcpy(e->etag, old->etag, sizeof(e->etag));
	memcpy(e->last_modified, old->last_modified, sizeof(e->last_modified));
}

/* Bring ks->e up to date with the cache file (force: read it even when it
 * looks unchanged) and parse a new document.  keep: keep the document in
 * ks->e (a refresher needs it for a 304). */
static void sync_cache(struct keysource *ks, bool force, bool keep)
{
	struct jwk_cache_entry old;
	struct err e = {0};
	int rc;

	if (ks->cache == NULL)
		return;
	if (force)
		ks->stamp.valid = false;
	old = ks->e; /* for its times only: the read may free old.doc */
	rc =
	    jwk_cache_read(ks->cache, ks->id, &ks->stamp, ks->limits->max_jwk_set_size, &ks->e, &e);
	if (rc == 0) {
		ks->refused[0] = '\0';
		ks->rebuild = false;
		if (ks->e.doc.len == 0 && ks->e.fetched_at == 0 && old.fetched_at > 0 &&
		    have_keys(ks))
			keep_document_of(&ks->e, &old);
		parse_entry(ks, keep);
		return;
	}
	if (rc == JWK_CACHE_UNCHANGED || rc == ERR_NOTFOUND)
		return;
	ks->stamp.valid = false;
	if (rc == ERR_INVALID)
		ks->rebuild = true;
	if (strcmp(ks->refused, e.msg) != 0) {
		snprintf(ks->refused, sizeof(ks->refused), "%s", e.msg);
		log_warn(ks->name, "%s%s", e.msg,
			 rc == ERR_INVALID ? "; not trusted, it will be rebuilt" : "");
	}
}

static long long age(const struct keysource *ks, time_t now)
{
	return (long long)now - (long long)ks->e.fetched_at;
}

/* Whether the parsed key may be used now: fetched less than cache_duration
 * + max_stale seconds ago (a fetch time in the future counts as fresh). */
static bool usable(const struct keysource *ks, time_t now)
{
	const struct cfg_keys *s = ks->keys;

	return have_keys(ks) && ks->e.fetched_at > 0 &&
	       age(ks, now) < (long long)s->cache_duration + (long long)s->max_stale;
}

static enum reason need_refresh(const struct keysource *ks, time_t now)
{
	const struct jwk_cache_entry *e = &ks->e;
	const struct cfg_keys *s = ks->keys;

	if (e->fetched_at == 0 || !ks->parsed)
		return R_COLD;
	if (age(ks, now) < 0 || age(ks, now) >= (long long)s->cache_duration)
		return R_EXPIRED;
	if ((ks->parse_rc == ERR_NOTFOUND || ks->miss_wanted) &&
	    (e->miss_at == 0 || now < e->miss_at ||
	     (long long)now - e->miss_at >= (long long)s->failed_jwk_key_cooldown))
		return R_MISS;
	if (ks->rebuild)
		return R_REBUILD;
	return R_NONE;
}

/* Seconds to wait after the last failure before the next attempt. */
static long long backoff(const struct keysource *ks)
{
	unsigned n = ks->e.nfail;
	long long d = 1LL << (n > 7 ? 6 : n ? n - 1 : 0);

	if (d > KEYSOURCE_MAX_BACKOFF)
		d = KEYSOURCE_MAX_BACKOFF;
	if (d > (long long)ks->keys->cache_duration)
		d = ks->keys->cache_duration;
	return d;
}

/* Seconds until the next attempt is allowed (0: now). */
static long long backing_off(const struct keysource *ks, time_t now)
{
	const struct jwk_cache_entry *e = &ks->e;
	long long since;

	if (ks->retry_now || e->nfail == 0 || e->failed_at == 0 || now < e->failed_at)
		return 0;
	since = (long long)now - e->failed_at;
	return since < backoff(ks) ? backoff(ks) - since : 0;
}

/* ------------------------------------------------------------ downloading */

/* A downloaded document: keep it unless it is broken as a whole (then it
 * counts as a failed download and the previous set stays in use). */
static bool acceptable(int rc)
{
	return rc == 0 || rc == ERR_NOTFOUND || rc == ERR_KEY || rc == ERR_UNSUPPORTED;
}

static void record_failure(struct keysource *ks, int rc, const struct err *err, time_t now)
{
	struct jwk_cache_entry *e = &ks->e;
	const struct cfg_keys *s = ks->keys;

	e->failed_at = now;
	e->nfail++;
	e->last_code = rc;
	snprintf(e->last_error, sizeof(e->last_error), "%s", err->msg);
	if (usable(ks, now))
		log_warn(ks->name,
			 "JWK Set refresh failed (%u in a row, next attempt in %lld s); still "
			 "using the keys fetched %lld s ago, for at most %lld s more: %s",
			 e->nfail, backoff(ks), age(ks, now),
			 (long long)s->cache_duration + s->max_stale - age(ks, now), err->msg);
	else
		log_error(ks->name,
			  "JWK Set download failed (%u in a row, next attempt in %lld s): %s",
			  e->nfail, backoff(ks), err->msg);
}

/* A 200 answer: adopt body as the new document if it is acceptable. */
static void record_document(struct keysource *ks, struct fetch_result *res, time_t now)
{
	struct jwk_cache_entry *e = &ks->e;
	struct parsed k = {NULL, NULL};
	struct err perr = {0};
	int rc = select_key(ks, &res->body, &k, &perr);

	if (!acceptable(rc)) {
		parsed_free(&k);
		record_failure(ks, rc, &perr, now);
		return;
	}
	buf_wipe_free(&e->doc);
	e->doc = res->body;
	buf_init_secret(&res->body, 0);
	e->generation++;
	crypto_generichash(e->doc_hash, sizeof(e->doc_hash), (const unsigned char *)e->doc.data,
			   e->doc.len, NULL, 0);
	e->fetched_at = now;
	e->failed_at = 0;
	e->nfail = 0;
	e->last_code = 0;
	e->last_error[0] = '\0';
	snprintf(e->etag, sizeof(e->etag), "%s", res->etag);
	snprintf(e->last_modified, sizeof(e->last_modified), "%s", res->last_modified);
	adopt(ks, &k);
	ks->parse_rc = rc;
	snprintf(ks->parse_msg, sizeof(ks->parse_msg), "%s", perr.msg);
	ks->parse_gen = e->generation;
	memcpy(ks->parse_hash, e->doc_hash, sizeof(ks->parse_hash));
	ks->parsed = true;
	log_info(ks->name, "JWK Set downloaded from %s (%zu bytes%s%s, generation %llu)%s%s",
		 ks->keys->jwk_url, e->doc.len, res->tls[0] ? ", " : "", res->tls,
		 (unsigned long long)e->generation, rc ? ": " : "", rc ? perr.msg : "");
}

/* Download the set (conditionally when the current document is known) and
 * record the outcome in ks->e. */
static void download(struct keysource *ks, enum reason why, bool have_doc)
{
	struct jwk_cache_entry *e = &ks->e;
	struct fetch_opts o;
	struct fetch_result res;
	struct err err = {0};
	time_t now;
	int rc;

	fetch_opts_of(ks, &o);
	if (have_doc) {
		o.etag = e->etag;
		o.last_modified = e->last_modified;
	}
	memset(&res, 0, sizeof(res));
	buf_init_secret(&res.body, o.max_bytes);
	if (why == R_MISS)
		log_info(ks->name, "%s the JWK Set from %s: refreshing it now",
			 ring_mode(ks) ? "a token names a kid that is not in"
				       : "none of the configured kids is in",
			 o.url);
	rc = fetch_jwks(&o, &res, &err);
	now = clock_now();
	if (rc != 0) {
		record_failure(ks, rc, &err, now);
	} else if (res.status == 304) {
		e->fetched_at = now;
		e->failed_at = 0;
		e->nfail = 0;
		e->last_code = 0;
		e->last_error[0] = '\0';
		if (res.etag[0])
			snprintf(e->etag, sizeof(e->etag), "%s", res.etag);
		if (res.last_modified[0])
			snprintf(e->last_modified, sizeof(e->last_modified), "%s",
				 res.last_modified);
		log_info(ks->name, "JWK Set at %s not modified (generation %llu)", o.url,
			 (unsigned long long)e->generation);
	} else {
		record_document(ks, &res, now);
	}
	/* A kid still missing after this download: the next kid-triggered
	 * refresh waits failed_jwk_key_cooldown from now. */
	if (why == R_MISS || (ks->parsed && ks->parse_rc == ERR_NOTFOUND))
		e->miss_at = now;
	buf_wipe_free(&res.body);
}

/* Milliseconds a process without keys waits for another one's refresh. */
static unsigned lock_wait_ms(const struct keysource *ks)
{
	return ks->limits->connect_timeout_ms + ks->limits->jwk_fetch_timeout_ms + 1000;
}

/* Write ks->e to the cache.  Without a document in hand (the cache file
 * was missing or refused and the download failed), only the failure is
 * recorded: the entry says "never fetched", as for other processes it is. */
static int write_entry(struct keysource *ks, struct err *err)
{
	struct jwk_cache_entry w = ks->e; /* shallow: w.doc is ks->e.doc, not freed here */

	if (w.doc.len == 0) {
		w.fetched_at = 0;
		memset(w.doc_hash, 0, sizeof(w.doc_hash));
		w.etag[0] = '\0';
		w.last_modified[0] = '\0';
	}
	return jwk_cache_write(ks->cache, ks->id, &w, err);
}

/* Refresh through the shared cache: one process at a time. */
static void refresh_shared(struct keysource *ks, enum reason why)
{
	struct err err = {0};
	int fd = -1, rc;
	time_t now = clock_now();
	bool have_key = usable(ks, now);

	rc = jwk_cache_lock(ks->cache, ks->id, have_key ? 0 : lock_wait_ms(ks), &fd, &err);
	if (rc == ERR_TIMEOUT && have_key)
		return; /* another process is refreshing: keep serving */
	if (rc != 0) {
		log_warn(ks->name, "%s; downloading without the cache", err.msg);
		download(ks, why, ks->parsed && ks->e.fetched_at > 0);
		buf_wipe_free(&ks->e.doc);
		return;
	}
	/* Someone may have refreshed while we were waiting. */
	sync_cache(ks, true, true);
	now = clock_now();
	why = need_refresh(ks, now);
	if (why != R_NONE && backing_off(ks, now) == 0) {
		download(ks, why, ks->e.doc.len > 0);
		if (write_entry(ks, &err) != 0)
			log_warn(ks->name, "%s", err.msg);
		else
			ks->rebuild = false;
	}
	jwk_cache_unlock(fd);
	buf_wipe_free(&ks->e.doc);
}

/* The answer when there is no usable key. */
static int no_key(const struct keysource *ks, time_t now, struct err *err)
{
	const struct jwk_cache_entry *e = &ks->e;
	const struct cfg_keys *s = ks->keys;
	long long wait = backing_off(ks, now);

	if (e->fetched_at == 0)
		return err_set(err, e->last_code ? e->last_code : ERR_IO,
			       "no JWK Set yet (failed downloads: %u, next attempt in %lld s): %s",
			       e->nfail, wait, e->last_error[0] ? e->last_error : "?");
	if (ks->parsed && ks->parse_rc != 0)
		return err_set(err, ks->parse_rc, "%s", ks->parse_msg);
	return err_set(err, e->last_code ? e->last_code : ERR_IO,
		       "JWK Set from %s too old: fetched %lld s ago, over cache_duration (%u s) "
		       "+ max_stale (%u s); last error: %s",
		       s->jwk_url, age(ks, now), s->cache_duration, s->max_stale,
		       e->last_error[0] ? e->last_error : "none");
}

static int get_from_url(struct keysource *ks, const struct jwk **key, struct err *err)
{
	time_t now = clock_now();
	enum reason why;

	if (ensure_cache(ks) == 0)
		sync_cache(ks, false, false);
	why = need_refresh(ks, now);
	if (why != R_NONE && backing_off(ks, now) == 0) {
		if (ks->cache)
			refresh_shared(ks, why);
		else
			download(ks, why, ks->parsed && ks->e.fetched_at > 0);
		buf_wipe_free(&ks->e.doc);
		now = clock_now();
	}
	if (usable(ks, now)) {
		*key = ks->key;
		return 0;
	}
	return no_key(ks, now, err);
}

/* ------------------------------------------------------------ public */

static int load(struct keysource *ks, const struct jwk **key, struct err *err)
{
	*key = NULL;
	if (ks->keys->jwk_local_path)
		return get_from_file(ks, key, err);
	return get_from_url(ks, key, err);
}

int keysource_get(struct keysource *ks, const struct jwk **key, struct err *err)
{
	if (ring_mode(ks)) {
		*key = NULL;
		return err_set(err, ERR_INVALID, "%s: a validator's keys do not sign", ks->name);
	}
	return load(ks, key, err);
}

int keysource_load(struct keysource *ks, struct err *err)
{
	const struct jwk *key;

	return load(ks, &key, err);
}

int keysource_get_ring(struct keysource *ks, const struct jwk_keyring **ring, struct err *err)
{
	const struct jwk *key;
	int rc;

	*ring = NULL;
	if (!ring_mode(ks))
		return err_set(err, ERR_INVALID, "%s: a signer's source has no keys to verify with",
			       ks->name);
	rc = load(ks, &key, err);
	if (rc == 0)
		*ring = ks->ring;
	return rc;
}

bool keysource_ring_miss(struct keysource *ks)
{
	const struct jwk *key;
	struct err e = {0};
	uint64_t gen = ks->parse_gen;
	const struct jwk_keyring *before = ks->ring;

	if (!ring_mode(ks) || ks->keys->jwk_local_path)
		return false;
	ks->miss_wanted = true;
	(void)get_from_url(ks, &key, &e);
	ks->miss_wanted = false;
	return ks->ring != NULL && (ks->parse_gen != gen || ks->ring != before);
}

void keysource_describe(const struct keysource *ks, char *out, size_t size)
{
	const struct cfg_keys *s = ks->keys;
	time_t now = clock_now();
	char where[PATH_MAX + 32];

	if (s->jwk_local_path) {
		snprintf(out, size, "file %s", s->jwk_local_path);
		return;
	}
	if (ks->cache) {
		memcpy(where, "cache ", 6);
		jwk_cache_path(ks->cache, ks->id, where + 6, sizeof(where) - 6);
	} else {
		snprintf(where, sizeof(where), "no shared cache (%s)",
			 ks->no_cache[0] ? ks->no_cache : "not opened yet");
	}
	if (ks->e.fetched_at == 0)
		snprintf(out, size, "url %s, %s, not fetched yet", s->jwk_url, where);
	else
		snprintf(out, size, "url %s, %s, fetched %lld s ago, generation %llu%s", s->jwk_url,
			 where, age(ks, now), (unsigned long long)ks->e.generation,
			 age(ks, now) >= (long long)s->cache_duration ? " (stale)" : "");
}

int keysource_published(struct keysource *ks, const char **doc, size_t *len, struct err *err)
{
	const struct jwk *key;
	int rc = keysource_get(ks, &key, err);

	*doc = NULL;
	*len = 0;
	if (rc)
		return rc;
	if (ks->published.len == 0)
		return err_set(err, ERR_NOTFOUND, "no public JWK Set for %s",
			       ks->jwks_endpoint ? ks->jwks_endpoint : "(no jwks_endpoint)");
	*doc = ks->published.data;
	*len = ks->published.len;
	return 0;
}

void keysource_retry_now(struct keysource *ks)
{
	if (ks)
		ks->retry_now = true;
}
