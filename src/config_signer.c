/* config_signer.c - the signer block of an endpoint ("auth/signer"):
 * alg, kid, keys_to_sign, typ and jwtsign's extensions; the JWK source,
 * its TLS settings and cache times are read by config_keys.c.  See
 * config.h for the settings and config_int.h. */
#include "config_int.h"
#include "jws.h"
#include "log.h"
#include "signer.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CFG_MAX_SECONDS 2147483647LL /* cache_duration & co. */

/* ------------------------------------------------------------ signer */

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
    "alg", "kid",      "keys_to_sign",	   "keys-to-sign",  "full",
    "typ", "omit_typ", CFG_KEYS_NAMES,	   "jwks_endpoint", "set_iat",
    "ttl", "nbf_skew", CFG_KEYS_P11_NAMES,
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

		if ((rc = cfg_keys_refused(c, key, val)) != 0)
			return rc;
		for (i = 0; i < n; i++) {
			if (strcasecmp(key, signer_keys[i]) == 0)
				break;
		}
		if (i == n && (rc = cfg_unknown(c, "setting", key, signer_keys, n)) != 0)
			return rc;
	}
	return 0;
}

/* A key on a PKCS#11 token: one kid, and an alg GnuTLS can sign with
 * through the token (no HMAC: a secret key object is not reachable through
 * GnuTLS's private key API). */
static int check_key_uri(struct cfg_pctx *c, const struct cfg_signer *s)
{
	const struct alg_info *a = alg_info(s->alg);

	if (s->keys.key_uri == NULL)
		return 0;
	if (a && a->family == ALG_FAMILY_HMAC)
		return cfg_fail(c, ERR_UNSUPPORTED, "alg",
				"%s cannot be used with \"key_uri\": an HMAC secret on a PKCS#11 "
				"token cannot sign through GnuTLS (use RS*, PS*, ES* or EdDSA, or "
				"a JWK Set)",
				a->name);
	if (s->nkids != 1)
		return cfg_fail(c, ERR_INVALID, "kid",
				"with \"key_uri\" give one kid (the token holds one key)");
	return 0;
}

int cfg_parse_signer(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v;
	const char *key;
	int rc;

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
	    (rc = cfg_parse_keys(c, obj, CFG_KEYS_SIGNER, &s->keys)) != 0 ||
	    (rc = check_key_uri(c, s)) != 0 || (rc = parse_typ(c, obj, s)) != 0 ||
	    (rc = parse_time_claims(c, obj, s)) != 0 || (rc = parse_jwks_endpoint(c, obj, s)) != 0)
		return rc;
	return 0;
}

void cfg_free_signer(struct cfg_signer *s)
{
	cfg_free_strv(s->kids, s->nkids);
	cfg_free_strv(s->keys_to_sign, s->nkeys_to_sign);
	cfg_free_keys(&s->keys);
	free(s->typ);
	free(s->jwks_endpoint);
}
