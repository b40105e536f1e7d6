/* keysource_url.c - a jwk_url's keys: the shared cache, refresh, backoff
 * and download; see keysource.h for the rules. */
#include "keysource_int.h"
#include "clock.h"
#include "fetch.h"
#include "metrics.h"
#include "jwk.h"
#include "jwk_cache.h"
#include "log.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

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
		ks->parse_rc = ks_select_key(ks, &e->doc, &k, &perr);
		snprintf(ks->parse_msg, sizeof(ks->parse_msg), "%s", perr.msg);
		ks_adopt(ks, &k);
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
		    ks_have_keys(ks))
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

long long ks_age(const struct keysource *ks, time_t now)
{
	return (long long)now - (long long)ks->e.fetched_at;
}

/* Whether the parsed key may be used now: fetched less than cache_duration
 * + max_stale seconds ago (a fetch time in the future counts as fresh). */
static bool usable(const struct keysource *ks, time_t now)
{
	const struct cfg_keys *s = ks->keys;

	return ks_have_keys(ks) && ks->e.fetched_at > 0 &&
	       ks_age(ks, now) < (long long)s->cache_duration + (long long)s->max_stale;
}

static enum reason need_refresh(const struct keysource *ks, time_t now)
{
	const struct jwk_cache_entry *e = &ks->e;
	const struct cfg_keys *s = ks->keys;

	if (e->fetched_at == 0 || !ks->parsed)
		return R_COLD;
	if (ks_age(ks, now) < 0 || ks_age(ks, now) >= (long long)s->cache_duration)
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
			 e->nfail, backoff(ks), ks_age(ks, now),
			 (long long)s->cache_duration + s->max_stale - ks_age(ks, now), err->msg);
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
	int rc = ks_select_key(ks, &res->body, &k, &perr);

	if (!acceptable(rc)) {
		ks_parsed_free(&k);
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
	ks_adopt(ks, &k);
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

	ks_fetch_opts_of(ks, &o);
	if (have_doc) {
		o.etag = e->etag;
		o.last_modified = e->last_modified;
	}
	memset(&res, 0, sizeof(res));
	buf_init_secret(&res.body, o.max_bytes);
	if (why == R_MISS)
		log_info(ks->name, "%s the JWK Set from %s: refreshing it now",
			 ks_ring_mode(ks) ? "a token names a kid that is not in"
					  : "none of the configured kids is in",
			 o.url);
	rc = fetch_jwks(&o, &res, &err);
	now = clock_now();
	if (rc != 0) {
		record_failure(ks, rc, &err, now);
		metrics_jwks_fetch(ks->metrics, o.url, METRICS_FETCH_ERROR, now);
	} else if (res.status == 304) {
		metrics_jwks_fetch(ks->metrics, o.url, METRICS_FETCH_NOT_MODIFIED, now);
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
		metrics_jwks_fetch(
		    ks->metrics, o.url,
		    e->failed_at == now && e->nfail ? METRICS_FETCH_ERROR : METRICS_FETCH_OK, now);
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
		       s->jwk_url, ks_age(ks, now), s->cache_duration, s->max_stale,
		       e->last_error[0] ? e->last_error : "none");
}

int ks_get_from_url(struct keysource *ks, const struct jwk **key, struct err *err)
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
