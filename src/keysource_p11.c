/* keysource_p11.c - a signer's key on a PKCS#11 token (key_uri): opened
 * by each process on first use (after fork: PKCS#11 is per process) and
 * kept with its session; dropped when the token fails to sign and opened
 * again on a later request, at most once a second (once a minute after a
 * PIN or key type error: a token locks after a few wrong PINs).  See
 * keysource.h and jwk_pkcs11.h. */
#include "keysource.h"
#include "keysource_int.h"
#include "clock.h"
#include "fileio.h"
#include "jwk.h"
#include "jwk_pkcs11.h"
#include "jwk_set.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Wait after a PIN or key error before the token is asked again, ms. */
#define KEYSOURCE_P11_KEY_RETRY_MS 60000

/* The public JWK Set for jwks_endpoint: public_jwk_path's keys when set,
 * else the key read from the token (pub, has_pub).  A failure is logged:
 * the key signs all the same. */
static void publish_p11(struct keysource *ks, const struct buf *pub, bool has_pub)
{
	const struct cfg_keys *s = ks->keys;
	struct jwk_limits lim = {ks->limits->max_jwk_set_size, ks->limits->max_jwk_keys};
	struct buf doc = BUF_INIT, out = BUF_INIT;
	struct err e = {0};
	int rc = 0;

	if (ks->jwks_endpoint == NULL)
		return;
	if (s->public_jwk_path) {
		doc.limit = ks->limits->max_jwk_set_size;
		rc = fileio_read_file(s->public_jwk_path, &doc, NULL);
		if (rc)
			err_set(&e, rc, "public_jwk_path %s: %s", s->public_jwk_path,
				rc == ERR_IO ? strerror(errno) : err_strerror(rc));
	} else if (!has_pub) {
		rc = err_set(&e, ERR_NOTFOUND,
			     "GnuTLS cannot read the public key from the token: set "
			     "\"public_jwk_path\"");
	}
	if (rc == 0) {
		const struct buf *d = s->public_jwk_path ? &doc : pub;

		rc = jwk_set_publish(d->data ? d->data : "", d->len, ks->kids, ks->nkids, &lim,
				     &out, &e);
	}
	if (rc == 0 && out.len <= strlen("{\"keys\":[]}"))
		rc = err_set(&e, ERR_NOTFOUND, "public_jwk_path %s has no key with kid \"%s\"",
			     s->public_jwk_path, ks->kids[0]);
	if (rc) {
		log_warn(ks->name, "%s: public JWK Set not updated: %s", ks->jwks_endpoint, e.msg);
		buf_free(&out);
	} else {
		buf_free(&ks->published);
		ks->published = out;
	}
	buf_free(&doc);
}

int ks_get_from_token(struct keysource *ks, const struct jwk **key, struct err *err)
{
	const struct cfg_keys *s = ks->keys;
	long long now = clock_monotonic_ms();
	struct jwk_pkcs11_opts o = {s->key_uri, s->pin_file, ks->kids[0], ks->alg};
	struct buf pub = BUF_INIT;
	struct jwk *k = NULL;
	char shown[200];
	bool has_pub = false;
	int rc;

	*key = NULL;
	if (ks->key) {
		*key = ks->key;
		return 0;
	}
	if (ks->attempt_ms && !ks->retry_now && now - ks->attempt_ms < ks->retry_wait_ms)
		return err_set(err, ks->parse_rc ? ks->parse_rc : ERR_IO,
			       "%s (tried %lld ms ago; next attempt after %lld ms)", ks->parse_msg,
			       now - ks->attempt_ms, ks->retry_wait_ms);
	rc = jwk_pkcs11_open(&o, &k, &pub, &has_pub, err);
	if (rc) {
		ks->attempt_ms = now;
		ks->retry_wait_ms = rc == ERR_KEY || rc == ERR_UNSUPPORTED || rc == ERR_INVALID
					? KEYSOURCE_P11_KEY_RETRY_MS
					: KEYSOURCE_RETRY_MS;
		ks->parse_rc = rc;
		snprintf(ks->parse_msg, sizeof(ks->parse_msg), "%s", err ? err->msg : "");
		buf_free(&pub);
		return rc;
	}
	publish_p11(ks, &pub, has_pub);
	buf_free(&pub);
	ks->key = k;
	ks->attempt_ms = 0;
	ks->parse_rc = 0;
	ks->loaded_wall = clock_now();
	jwk_pkcs11_uri_redact(s->key_uri, shown, sizeof(shown));
	log_info(ks->name, "key \"%s\" opened on the PKCS#11 token: %s", ks->kids[0], shown);
	*key = k;
	return 0;
}

void keysource_key_failed(struct keysource *ks, const struct err *why)
{
	if (ks == NULL || ks->keys->key_uri == NULL || ks->key == NULL)
		return;
	jwk_free(ks->key);
	ks->key = NULL;
	ks->attempt_ms = clock_monotonic_ms();
	ks->retry_wait_ms = KEYSOURCE_RETRY_MS;
	ks->parse_rc = ERR_IO;
	snprintf(ks->parse_msg, sizeof(ks->parse_msg), "%s", why ? why->msg : "signing failed");
}

void keysource_close_token(struct keysource *ks)
{
	if (ks == NULL || ks->keys->key_uri == NULL)
		return;
	jwk_free(ks->key);
	ks->key = NULL;
	ks->attempt_ms = 0;
}
