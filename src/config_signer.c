/* config_signer.c - the signer block of an endpoint ("auth/signer"):
 * alg, kid, keys_to_sign, the JWK source and its TLS settings, cache
 * times and jwtsign's extensions.  See config.h for the settings and
 * config_int.h. */
#include "config_int.h"
#include "jws.h"
#include "log.h"
#include "signer.h"
#include "tls.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CFG_MAX_SECONDS 2147483647LL /* cache_duration & co. */

/* ------------------------------------------------------------ TLS settings */

static int parse_cipher_suites(struct cfg_pctx *c, json_object *v, struct cfg_signer *s)
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

/* ------------------------------------------------------------ signer */

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

static int parse_fingerprints(struct cfg_pctx *c, json_object *v, struct cfg_signer *s)
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

static int parse_kid(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v = cfg_member(obj, "kid");
	const char *kid;
	int rc;

	if (v == NULL)
		return cfg_fail(c, ERR_INVALID, "kid", "missing (the key id to sign with)");
	if (json_object_is_type(v, json_type_array))
		return cfg_want_strv(c, v, "kid", &s->kids, &s->nkids);
	if ((rc = cfg_want_nonempty(c, v, "kid", &kid)) != 0)
		return rc;
	s->kids = calloc(1, sizeof(*s->kids));
	if (s->kids == NULL)
		return cfg_nomem(c);
	s->nkids = 1;
	return cfg_dup_str(c, kid, &s->kids[0]);
}

static int parse_alg(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v = cfg_member(obj, "alg");
	char sh[CFG_SHOW];
	const char *name;
	int rc;

	if (v == NULL)
		return cfg_fail(c, ERR_INVALID, "alg",
				"missing (e.g. \"RS256\", \"ES256\", \"EdDSA\")");
	if ((rc = cfg_want_string(c, v, "alg", &name)) != 0)
		return rc;
	rc = alg_from_name(name, &s->alg);
	if (rc != 0 || s->alg == JWS_ALG_INVALID)
		return cfg_fail(c, rc ? rc : ERR_UNSUPPORTED, "alg", "unsupported value \"%s\"",
				cfg_show_str(sh, name));
	return 0;
}

/* jwk_url / jwk_local_path: exactly one; URL policy. */
static int parse_jwk_source(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *url, *path;
	const char *ukey, *pkey, *str;
	char sh[CFG_SHOW];
	int rc;

	if ((rc = cfg_aliased(c, obj, "jwk_url", "jwk-url", &url, &ukey)) != 0 ||
	    (rc = cfg_aliased(c, obj, "jwk_local_path", "jwk-local-path", &path, &pkey)) != 0)
		return rc;
	if (url && path)
		return cfg_fail(c, ERR_INVALID, ukey, "conflicts with \"%s\": set only one of them",
				pkey);
	if (!url && !path)
		return cfg_fail(c, ERR_INVALID, "jwk_url",
				"missing: set \"jwk_url\" or \"jwk_local_path\" (where the JWK Set "
				"is)");
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

/* keys_to_sign: non-empty strings; entries starting with '/' are JSON
 * Pointers checked by signer_check_key. */
static int parse_keys_to_sign(struct cfg_pctx *c, json_object *v, const char *key,
			      struct cfg_signer *s)
{
	char sh[CFG_SHOW];
	int rc;

	if ((rc = cfg_want_strv(c, v, key, &s->keys_to_sign, &s->nkeys_to_sign)) != 0)
		return rc;
	for (size_t i = 0; i < s->nkeys_to_sign; i++) {
		struct err e = {0};

		if (signer_check_key(s->keys_to_sign[i], &e) != 0)
			return cfg_fail(c, ERR_INVALID, key, "element %zu: \"%s\": %s", i,
					cfg_show_str(sh, s->keys_to_sign[i]), e.msg);
	}
	return 0;
}

/* set_iat, ttl, nbf_skew (extensions; see config.h). */
static int parse_time_claims(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v;
	long long x;
	int rc;

	if ((rc = cfg_opt_bool(c, obj, "set_iat", &s->set_iat)) != 0)
		return rc;
	if ((v = cfg_member(obj, "ttl")) != NULL) {
		if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 0)
			return cfg_fail(c, ERR_INVALID, "ttl",
					"must be at least 1 second (leave \"ttl\" out to add no "
					"\"exp\" claim)");
		if ((rc = cfg_want_int(c, v, "ttl", 1, CFG_MAX_SECONDS, &x)) != 0)
			return rc;
		s->ttl = (unsigned)x;
	}
	if ((v = cfg_member(obj, "nbf_skew")) != NULL) {
		if ((rc = cfg_want_int(c, v, "nbf_skew", 0, CFG_MAX_SECONDS, &x)) != 0)
			return rc;
		s->set_nbf = true;
		s->nbf_skew = (unsigned)x;
	}
	return 0;
}

/* jwks_endpoint: a fixed path (checks across endpoints: see
 * check_jwks_endpoints). */
static int parse_jwks_endpoint(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v = cfg_member(obj, "jwks_endpoint");
	char sh[CFG_SHOW];
	const char *str;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = cfg_want_nonempty(c, v, "jwks_endpoint", &str)) != 0 ||
	    (rc = cfg_clean_path(c, str, &s->jwks_endpoint)) != 0 ||
	    (rc = cfg_check_path(c, "jwks_endpoint", s->jwks_endpoint, false)) != 0)
		return rc;
	if (strpbrk(s->jwks_endpoint, "{}") != NULL)
		return cfg_fail(c, ERR_INVALID, "jwks_endpoint",
				"\"%s\": a fixed path is expected ('{' and '}' are not allowed)",
				cfg_show_str(sh, s->jwks_endpoint));
	return 0;
}

static const char *const signer_keys[] = {
    "alg",
    "kid",
    "keys_to_sign",
    "keys-to-sign",
    "jwk_url",
    "jwk-url",
    "jwk_local_path",
    "jwk-local-path",
    "full",
    "typ",
    "omit_typ",
    "disable_jwk_security",
    "jwk_fingerprints",
    "cipher_suites",
    "jwk_local_ca",
    "cache_duration",
    "failed_jwk_key_cooldown",
    "max_stale",
    "jwks_endpoint",
    "set_iat",
    "ttl",
    "nbf_skew",
};

/* typ: KrakenD's default "JWT" unless the value is non-empty ("" is the
 * default too); the jwtsign extension omit_typ leaves the member out. */
static int parse_typ(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s)
{
	const char *str = "";
	bool omit = false;
	json_object *v;
	int rc;

	if ((v = cfg_member(obj, "typ")) != NULL && (rc = cfg_want_string(c, v, "typ", &str)) != 0)
		return rc;
	if ((rc = cfg_opt_bool(c, obj, "omit_typ", &omit)) != 0)
		return rc;
	if (omit && *str)
		return cfg_fail(c, ERR_INVALID, "omit_typ",
				"is true but \"typ\" is set: choose one");
	return cfg_dup_str(c, omit ? "" : *str ? str : "JWT", &s->typ);
}

/* Refuse what jwtsign cannot do; warn about unknown settings (typos). */
static int check_signer_keys(struct cfg_pctx *c, json_object *obj)
{
	int rc = cfg_check_names(c, obj);

	if (rc)
		return rc;
	json_object_object_foreach(obj, key, val)
	{
		size_t i, n = sizeof(signer_keys) / sizeof(signer_keys[0]);

		if ((strcasecmp(key, "secret_url") == 0 || strcasecmp(key, "cipher_key") == 0) &&
		    val != NULL &&
		    !(json_object_is_type(val, json_type_string) &&
		      json_object_get_string_len(val) == 0))
			return cfg_fail(c, ERR_UNSUPPORTED, key,
					"encrypted JWK files are not supported by jwtsign");
		for (i = 0; i < n; i++) {
			if (strcasecmp(key, signer_keys[i]) == 0)
				break;
		}
		if (i == n)
			cfg_unknown(c, "setting", key, signer_keys, n);
	}
	return 0;
}

int cfg_parse_signer(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v;
	const char *key, *str;
	int rc;

	s->cache_duration = 900;
	s->failed_jwk_key_cooldown = 60;
	s->max_stale = 86400;
	if ((rc = check_signer_keys(c, obj)) != 0 || (rc = parse_alg(c, obj, s)) != 0 ||
	    (rc = parse_kid(c, obj, s)) != 0)
		return rc;
	if ((rc = cfg_aliased(c, obj, "keys_to_sign", "keys-to-sign", &v, &key)) != 0)
		return rc;
	if (v == NULL)
		return cfg_fail(c, ERR_INVALID, "keys_to_sign",
				"missing (the response members to sign, e.g. [\"access_token\"])");
	if ((rc = parse_keys_to_sign(c, v, key, s)) != 0 ||
	    (rc = cfg_opt_bool(c, obj, "full", &s->full)) != 0 ||
	    (rc = cfg_opt_bool(c, obj, "disable_jwk_security", &s->disable_jwk_security)) != 0 ||
	    (rc = parse_jwk_source(c, obj, s)) != 0)
		return rc;
	if ((rc = parse_typ(c, obj, s)) != 0)
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
	    (rc = opt_seconds(c, obj, "failed_jwk_key_cooldown", &s->failed_jwk_key_cooldown)) !=
		0 ||
	    (rc = opt_seconds(c, obj, "max_stale", &s->max_stale)) != 0)
		return rc;
	if (s->cache_duration == 0)
		s->cache_duration = 900; /* KrakenD: 0 means the default, 15 min */
	if ((rc = parse_time_claims(c, obj, s)) != 0 || (rc = parse_jwks_endpoint(c, obj, s)) != 0)
		return rc;
	return 0;
}

void cfg_free_signer(struct cfg_signer *s)
{
	cfg_free_strv(s->kids, s->nkids);
	cfg_free_strv(s->keys_to_sign, s->nkeys_to_sign);
	free(s->jwk_url);
	free(s->jwk_local_path);
	free(s->typ);
	cfg_free_strv(s->jwk_fingerprints, s->njwk_fingerprints);
	free(s->cipher_suites);
	free(s->jwk_local_ca);
	free(s->jwks_endpoint);
}
