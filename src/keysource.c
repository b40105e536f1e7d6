/* keysource.c - loading and keeping a signer's key; see keysource.h. */
#include "keysource.h"
#include "keysource_int.h"
#include "clock.h"
#include "fetch.h"
#include "fileio.h"
#include "jwk.h"
#include "jwk_cache.h"
#include "jwk_keyring.h"
#include "jwk_pkcs11.h"
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

/* ------------------------------------------------------------ setup */

void ks_fetch_opts_of(const struct keysource *ks, struct fetch_opts *o)
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

		ks_fetch_opts_of(ks, &o);
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

bool ks_ring_mode(const struct keysource *ks)
{
	return ks->nkids == 0;
}

bool ks_have_keys(const struct keysource *ks)
{
	return ks->key != NULL || ks->ring != NULL;
}

/* Replace the keys in use by p's (taken). */
void ks_adopt(struct keysource *ks, struct parsed *p)
{
	jwk_free(ks->key);
	jwk_keyring_free(ks->ring);
	ks->key = p->key;
	ks->ring = p->ring;
	p->key = NULL;
	p->ring = NULL;
}

void ks_parsed_free(struct parsed *p)
{
	jwk_free(p->key);
	jwk_keyring_free(p->ring);
	p->key = NULL;
	p->ring = NULL;
}

int ks_select_key(struct keysource *ks, const struct buf *doc, struct parsed *out, struct err *err)
{
	const struct cfg_keys *s = ks->keys;
	struct jwk_limits lim = {ks->limits->max_jwk_set_size, ks->limits->max_jwk_keys};
	const char *d = doc->data ? doc->data : "";
	int rc;

	out->key = NULL;
	out->ring = NULL;
	if (ks_ring_mode(ks))
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

	if (ks_have_keys(ks)) {
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
		rc = ks_select_key(ks, &doc, &k, err);
	buf_wipe_free(&doc);
	if (rc) {
		ks_parsed_free(&k);
		ks->attempt_ms = now;
		return rc;
	}
	ks_adopt(ks, &k);
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

/* ------------------------------------------------------------ public */

static int load(struct keysource *ks, const struct jwk **key, struct err *err)
{
	*key = NULL;
	if (ks->keys->key_uri)
		return ks_get_from_token(ks, key, err);
	if (ks->keys->jwk_local_path)
		return get_from_file(ks, key, err);
	return ks_get_from_url(ks, key, err);
}

int keysource_get(struct keysource *ks, const struct jwk **key, struct err *err)
{
	if (ks_ring_mode(ks)) {
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
	if (!ks_ring_mode(ks))
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

	if (!ks_ring_mode(ks) || ks->keys->jwk_local_path)
		return false;
	ks->miss_wanted = true;
	(void)ks_get_from_url(ks, &key, &e);
	ks->miss_wanted = false;
	return ks->ring != NULL && (ks->parse_gen != gen || ks->ring != before);
}

bool keysource_log_due(struct keysource *ks, unsigned *skipped)
{
	long long now = clock_monotonic_ms();

	*skipped = 0;
	if (ks == NULL)
		return true;
	if (ks->log_ms && now - ks->log_ms < 1000) {
		ks->log_skipped++;
		return false;
	}
	*skipped = ks->log_skipped;
	ks->log_skipped = 0;
	ks->log_ms = now;
	return true;
}

const char *keysource_no_cache(const struct keysource *ks)
{
	return ks && ks->keys->jwk_url && ks->cache == NULL && ks->no_cache[0] ? ks->no_cache
									       : NULL;
}

void keysource_describe(const struct keysource *ks, char *out, size_t size)
{
	const struct cfg_keys *s = ks->keys;
	time_t now = clock_now();
	char where[PATH_MAX + 32];

	if (s->key_uri) {
		char shown[200];

		jwk_pkcs11_uri_redact(s->key_uri, shown, sizeof(shown));
		snprintf(out, size, "pkcs11 %s%s", shown, ks->key ? "" : ", not open");
		return;
	}
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
			 where, ks_age(ks, now), (unsigned long long)ks->e.generation,
			 ks_age(ks, now) >= (long long)s->cache_duration ? " (stale)" : "");
}

/* A token key whose public key could not be read when it was opened
 * (a token busy with other processes' logins fails it now and then): the
 * key is opened again, at most every KEYSOURCE_P11_PUB_RETRY_MS, so that
 * one worker does not answer its jwks_endpoint with 503 for good. */
#define KEYSOURCE_P11_PUB_RETRY_MS 10000

static void reopen_for_public(struct keysource *ks)
{
	long long now = clock_monotonic_ms();

	if (ks->keys->key_uri == NULL || ks->keys->public_jwk_path || ks->published.len ||
	    ks->key == NULL ||
	    (ks->pub_retry_ms && now - ks->pub_retry_ms < KEYSOURCE_P11_PUB_RETRY_MS))
		return;
	ks->pub_retry_ms = now;
	keysource_close_token(ks);
}

int keysource_published(struct keysource *ks, const char **doc, size_t *len, struct err *err)
{
	const struct jwk *key;
	int rc;

	reopen_for_public(ks);
	rc = keysource_get(ks, &key, err);
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

void keysource_set_metrics(struct keysource *ks, struct metrics *m)
{
	if (ks)
		ks->metrics = m;
}
