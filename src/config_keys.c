/* config_keys.c - the key-source settings a signer and a validator block
 * share (struct cfg_keys): jwk_url or jwk_local_path, the TLS settings of
 * the download (disable_jwk_security, jwk_fingerprints, cipher_suites,
 * jwk_local_ca) and the cache times.  One reader for both blocks, so the
 * same file gets the same defaults, errors and notices wherever it sits.
 * See config.h and config_int.h. */
#include "config_int.h"
#include "jwk_pkcs11.h"
#include "log.h"
#include "tls.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CFG_MAX_SECONDS 2147483647LL /* cache_duration & co. */

/* ------------------------------------------------------------ TLS settings */

static int parse_cipher_suites(struct cfg_pctx *c, json_object *v, struct cfg_keys *s)
{
	const char *key = "cipher_suites";
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return cfg_fail(c, ERR_INVALID, key, "expected an array of IANA numbers, got %s",
				cfg_jtype(v));
	n = json_object_array_length(v);
	if (n == 0)
		return 0; /* empty: the TLS library's default, as in KrakenD */
	s->cipher_suites = calloc(n, sizeof(*s->cipher_suites));
	if (s->cipher_suites == NULL)
		return cfg_nomem(c);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const char *name;
		long long id;
		int rc;

		if ((rc = cfg_want_int(c, e, key, 0, 65535, &id)) != 0)
			return rc;
		if ((name = tls_cipher_suite_name((uint16_t)id)) == NULL)
			return cfg_fail(
			    c, ERR_INVALID, key,
			    "unknown cipher suite %lld (0x%04llx); use IANA numbers, e.g. "
			    "49199 for TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
			    id, id);
		if (tls_cipher_suite_insecure((uint16_t)id))
			log_warn("config", "%s: %s: %s: \"%s\": %s (%lld) is insecure", c->name,
				 c->ep, c->sect, key, name, id);
		s->cipher_suites[s->ncipher_suites++] = (uint16_t)id;
	}
	return 0;
}

/* Decode a SHA-256 fingerprint in any base64 flavour (KrakenD uses
 * base64url with padding) and store it as standard padded base64. */
static int parse_fingerprint(struct cfg_pctx *c, const char *in, size_t i, char **out)
{
	unsigned char bin[TLS_PIN_SIZE];
	char b64[sodium_base64_ENCODED_LEN(TLS_PIN_SIZE, sodium_base64_VARIANT_ORIGINAL)];
	char sh[CFG_SHOW];

	if (tls_pin_decode(in, bin) == 0) {
		sodium_bin2base64(b64, sizeof(b64), bin, sizeof(bin),
				  sodium_base64_VARIANT_ORIGINAL);
		return cfg_dup_str(c, b64, out);
	}
	return cfg_fail(c, ERR_INVALID, "jwk_fingerprints",
			"element %zu: \"%s\" is not a base64 SHA-256 digest (32 bytes)", i,
			cfg_show_str(sh, in));
}

static int parse_fingerprints(struct cfg_pctx *c, json_object *v, struct cfg_keys *s)
{
	char **raw = NULL;
	size_t n = 0;
	int rc;

	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0)
		return 0; /* empty: no pinning */
	if ((rc = cfg_want_strv(c, v, "jwk_fingerprints", &raw, &n)) != 0)
		return rc;
	/* Pins are compared with a TLS certificate chain: with keys from a
	 * file or a plain http:// URL (disable_jwk_security) they cannot
	 * apply, and are ignored with a warning (KrakenD's own example file
	 * holds placeholders there). */
	if (s->jwk_url == NULL || strncasecmp(s->jwk_url, "https://", 8) != 0) {
		cfg_notice(c, "\"jwk_fingerprints\" ignored: %s",
			   s->jwk_url ? "the jwk_url is plain http://, and pins apply to TLS only"
				      : "the keys come from jwk_local_path, not from a server");
		goto out;
	}
	s->jwk_fingerprints = calloc(n, sizeof(*s->jwk_fingerprints));
	if (s->jwk_fingerprints == NULL) {
		rc = cfg_nomem(c);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = parse_fingerprint(c, raw[i], i, &s->jwk_fingerprints[i])) != 0)
			goto out;
		s->njwk_fingerprints++;
	}
out:
	cfg_free_strv(raw, n);
	return rc;
}

/* ------------------------------------------------------------ source */

/* An optional non-empty string setting into *out. */
static int opt_string(struct cfg_pctx *c, json_object *obj, const char *key, char **out)
{
	json_object *v = cfg_member(obj, key);
	const char *str;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = cfg_want_nonempty(c, v, key, &str)) != 0)
		return rc;
	return cfg_dup_str(c, str, out);
}

/* key_uri (a signer's key on a PKCS#11 token), pin_file, public_jwk_path.
 * *found: key_uri is set. */
static int parse_key_uri(struct cfg_pctx *c, json_object *obj, struct cfg_keys *s, bool *found)
{
	struct err e = {0};
	bool pin_value = false, pin = false;
	char shown[200];
	int rc;

	*found = false;
	if ((rc = opt_string(c, obj, "key_uri", &s->key_uri)) != 0)
		return rc;
	if (s->key_uri == NULL) {
		if (cfg_member(obj, "pin_file") || cfg_member(obj, "public_jwk_path"))
			return cfg_fail(c, ERR_INVALID,
					cfg_member(obj, "pin_file") ? "pin_file"
								    : "public_jwk_path",
					"is only for a key on a PKCS#11 token (\"key_uri\")");
		return 0;
	}
	*found = true;
	jwk_pkcs11_uri_redact(s->key_uri, shown, sizeof(shown));
	if (jwk_pkcs11_uri_check(s->key_uri, &pin_value, &pin, &e) != 0)
		return cfg_fail(c, ERR_INVALID, "key_uri", "\"%s\": %s", shown, e.msg);
	if ((rc = opt_string(c, obj, "pin_file", &s->pin_file)) != 0 ||
	    (rc = opt_string(c, obj, "public_jwk_path", &s->public_jwk_path)) != 0)
		return rc;
	if (pin && s->pin_file)
		return cfg_fail(
		    c, ERR_INVALID, "pin_file",
		    "conflicts with the PIN named in \"key_uri\": set only one of them");
	if (pin_value)
		cfg_notice(c, "\"key_uri\" holds the PIN (pin-value): anyone who reads the "
			      "configuration has it; prefer \"pin_file\" or pin-source");
	return 0;
}

/* jwk_url / jwk_local_path: exactly one; URL policy.  A signer's key_uri
 * replaces both. */
static int parse_jwk_source(struct cfg_pctx *c, json_object *obj, enum cfg_keys_block block,
			    struct cfg_keys *s)
{
	json_object *url, *path;
	const char *ukey, *pkey, *str;
	char sh[CFG_SHOW];
	int rc;

	bool uri = false;

	if ((rc = cfg_aliased(c, obj, "jwk_url", "jwk-url", &url, &ukey)) != 0 ||
	    (rc = cfg_aliased(c, obj, "jwk_local_path", "jwk-local-path", &path, &pkey)) != 0)
		return rc;
	if (block == CFG_KEYS_SIGNER && (rc = parse_key_uri(c, obj, s, &uri)) != 0)
		return rc;
	if (uri && (url || path))
		return cfg_fail(c, ERR_INVALID, "key_uri",
				"conflicts with \"%s\": the key is either on a PKCS#11 token or in "
				"a JWK Set, set only one of them",
				url ? ukey : pkey);
	if (uri)
		return 0;
	if (url && path)
		return cfg_fail(c, ERR_INVALID, ukey, "conflicts with \"%s\": set only one of them",
				pkey);
	if (!url && !path)
		return cfg_fail(
		    c, ERR_INVALID, "jwk_url",
		    block == CFG_KEYS_SIGNER
			? "missing: set \"jwk_url\" or \"jwk_local_path\" (where the JWK "
			  "Set is), or \"key_uri\" (a key on a PKCS#11 token)"
			: "missing: set \"jwk_url\" or \"jwk_local_path\" (where the JWK "
			  "Set is)");
	if (path) {
		if ((rc = cfg_want_nonempty(c, path, pkey, &str)) != 0)
			return rc;
		return cfg_dup_str(c, str, &s->jwk_local_path);
	}
	if ((rc = cfg_want_nonempty(c, url, ukey, &str)) != 0)
		return rc;
	if (strncasecmp(str, "https://", 8) != 0) {
		if (strncasecmp(str, "http://", 7) != 0)
			return cfg_fail(c, ERR_INVALID, ukey,
					"\"%s\": only https:// URLs (or http:// with "
					"disable_jwk_security) are allowed",
					cfg_show_str(sh, str));
		if (!s->disable_jwk_security)
			return cfg_fail(
			    c, ERR_INVALID, ukey,
			    "\"%s\" is not https:// (set \"disable_jwk_security\": true to "
			    "allow it)",
			    cfg_show_str(sh, str));
	}
	if (s->disable_jwk_security)
		log_warn("config",
			 "%s: %s: %s: \"disable_jwk_security\" is true: the JWK Set "
			 "server's certificate is not checked",
			 c->name, c->ep, c->sect);
	return cfg_dup_str(c, str, &s->jwk_url);
}

static int opt_seconds(struct cfg_pctx *c, json_object *obj, const char *key, unsigned *out)
{
	json_object *v = cfg_member(obj, key);
	long long x;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = cfg_want_int(c, v, key, 0, CFG_MAX_SECONDS, &x)) != 0)
		return rc;
	*out = (unsigned)x;
	return 0;
}

/* failed_jwk_key_cooldown: seconds; in a validator also KrakenD's own type,
 * a Go duration string ("1m"), whole seconds kept (KrakenD keeps no
 * cooldown under 1 s: 0 here, as "0"). */
static int parse_cooldown(struct cfg_pctx *c, json_object *obj, enum cfg_keys_block block,
			  struct cfg_keys *s)
{
	const char *key = "failed_jwk_key_cooldown", *str;
	json_object *v = cfg_member(obj, key);
	char sh[CFG_SHOW];
	unsigned ms;
	int rc;

	if (block != CFG_KEYS_VALIDATOR || v == NULL || !json_object_is_type(v, json_type_string))
		return opt_seconds(c, obj, key, &s->failed_jwk_key_cooldown);
	if ((rc = cfg_want_string(c, v, key, &str)) != 0)
		return rc;
	if (cfg_parse_duration(str, &ms) != 0)
		return cfg_fail(c, ERR_INVALID, key,
				"\"%s\": expected a Go duration such as \"1m\" (at most 24h) or "
				"a number of seconds",
				cfg_show_str(sh, str));
	s->failed_jwk_key_cooldown = ms / 1000;
	return 0;
}

/* ------------------------------------------------------------ the block */

int cfg_keys_refused(struct cfg_pctx *c, const char *key, json_object *val)
{
	/* KrakenD's JSON tag is "cypher_key"; "cipher_key" is how its
	 * documentation is often misread.  "" is KrakenD's zero value:
	 * nothing set. */
	if ((strcasecmp(key, "secret_url") == 0 || strcasecmp(key, "cipher_key") == 0 ||
	     strcasecmp(key, "cypher_key") == 0) &&
	    val != NULL &&
	    !(json_object_is_type(val, json_type_string) && json_object_get_string_len(val) == 0))
		return cfg_fail(c, ERR_UNSUPPORTED, key,
				"encrypted JWK files are not supported by jwtsign");
	return 0;
}

int cfg_parse_keys(struct cfg_pctx *c, json_object *obj, enum cfg_keys_block block,
		   struct cfg_keys *s)
{
	json_object *v;
	const char *str;
	int rc;

	s->cache_duration = 900;
	s->failed_jwk_key_cooldown = 60;
	s->max_stale = 86400;
	if ((rc = cfg_opt_bool(c, obj, "disable_jwk_security", &s->disable_jwk_security)) != 0 ||
	    (rc = parse_jwk_source(c, obj, block, s)) != 0)
		return rc;
	if ((v = cfg_member(obj, "jwk_fingerprints")) != NULL &&
	    (rc = parse_fingerprints(c, v, s)) != 0)
		return rc;
	if ((v = cfg_member(obj, "cipher_suites")) != NULL &&
	    (rc = parse_cipher_suites(c, v, s)) != 0)
		return rc;
	if ((v = cfg_member(obj, "jwk_local_ca")) != NULL) {
		if ((rc = cfg_want_nonempty(c, v, "jwk_local_ca", &str)) != 0 ||
		    (rc = cfg_dup_str(c, str, &s->jwk_local_ca)) != 0)
			return rc;
	}
	if ((rc = opt_seconds(c, obj, "cache_duration", &s->cache_duration)) != 0 ||
	    (rc = parse_cooldown(c, obj, block, s)) != 0 ||
	    (rc = opt_seconds(c, obj, "max_stale", &s->max_stale)) != 0)
		return rc;
	if (s->cache_duration == 0)
		s->cache_duration = 900; /* KrakenD: 0 means the default, 15 min */
	return 0;
}

void cfg_free_keys(struct cfg_keys *s)
{
	free(s->jwk_url);
	free(s->jwk_local_path);
	if (s->key_uri) {
		sodium_memzero(s->key_uri, strlen(s->key_uri));
		free(s->key_uri);
	}
	free(s->pin_file);
	free(s->public_jwk_path);
	cfg_free_strv(s->jwk_fingerprints, s->njwk_fingerprints);
	free(s->cipher_suites);
	free(s->jwk_local_ca);
}
