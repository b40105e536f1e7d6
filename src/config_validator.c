/* config_validator.c - the validator block of an endpoint
 * ("auth/validator"): KrakenD's settings with KrakenD's meaning (alg, the
 * key source read by config_keys.c, issuer, audience, roles, scopes,
 * leeway, where the token is, propagate_claims, key_identify_strategy,
 * operation_debug, cache) and jwtsign's extensions (an alg list,
 * require_exp).  Where KrakenD quietly falls back to a default on a value
 * it does not know (scopes_matcher, key_identify_strategy, leeway) or
 * checks nothing (scopes without scopes_key), jwtsign refuses the file:
 * a validator that checks less than its file says fails open.  See
 * config.h for the settings and config_int.h. */
#include "config_int.h"
#include "jws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LEEWAY_DEFAULT 1 /* seconds: KrakenD's, for an absent or unparsable leeway */

static const char *const validator_keys[] = {
    "alg",
    CFG_KEYS_NAMES,
    "cache",
    "issuer",
    "audience",
    "roles",
    "roles_key",
    "roles_key_is_nested",
    "scopes",
    "scopes_key",
    "scopes_matcher",
    "leeway",
    "auth_header_name",
    "cookie_key",
    "propagate_claims",
    "propagate_claims_preserve_array",
    "key_identify_strategy",
    "operation_debug",
    "require_exp",
};

/* ------------------------------------------------------------ alg */

static int one_alg(struct cfg_pctx *c, json_object *e, const char *what, enum jws_alg *out)
{
	char sh[CFG_SHOW];
	const char *name;
	int rc;

	if (!json_object_is_type(e, json_type_string))
		return cfg_fail(c, ERR_INVALID, "alg", "%sexpected a string, got %s", what,
				cfg_jtype(e));
	if ((rc = cfg_want_string(c, e, "alg", &name)) != 0)
		return rc;
	if (strcasecmp(name, "none") == 0)
		return cfg_fail(c, ERR_UNSUPPORTED, "alg",
				"%s\"%s\" is never accepted: tokens must be signed", what,
				cfg_show_str(sh, name));
	if (alg_from_name(name, out) != 0 || *out == JWS_ALG_INVALID)
		return cfg_fail(c, ERR_UNSUPPORTED, "alg", "%sunsupported value \"%s\"", what,
				cfg_show_str(sh, name));
	return 0;
}

/* "alg": one name (KrakenD) or a list of names (extension). */
static int parse_algs(struct cfg_pctx *c, json_object *obj, struct cfg_validator *v)
{
	json_object *a = cfg_member(obj, "alg");
	size_t n;
	int rc;

	if (a == NULL)
		return cfg_fail(c, ERR_INVALID, "alg",
				"missing (the token's algorithm, e.g. \"RS256\", or a list)");
	n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 1;
	if (n == 0)
		return cfg_fail(c, ERR_INVALID, "alg", "must not be an empty array");
	if ((v->algs = calloc(n, sizeof(*v->algs))) == NULL)
		return cfg_nomem(c);
	if (!json_object_is_type(a, json_type_array)) {
		v->nalgs = 1;
		return one_alg(c, a, "", &v->algs[0]);
	}
	for (size_t i = 0; i < n; i++) {
		char what[32];

		snprintf(what, sizeof(what), "element %zu: ", i);
		if ((rc = one_alg(c, json_object_array_get_idx(a, i), what, &v->algs[i])) != 0)
			return rc;
		for (size_t j = 0; j < i; j++) {
			if (v->algs[j] == v->algs[i])
				return cfg_fail(c, ERR_INVALID, "alg", "%s\"%s\" is listed twice",
						what, alg_name(v->algs[i]));
		}
		v->nalgs++;
	}
	return 0;
}

/* ------------------------------------------------------------ strings */

/* An optional string; "" (KrakenD's zero value) or absent gives dflt
 * (NULL: left NULL). */
static int opt_str(struct cfg_pctx *c, json_object *obj, const char *key, const char *dflt,
		   char **out)
{
	json_object *v = cfg_member(obj, key);
	const char *s = "";
	int rc;

	if (v != NULL && (rc = cfg_want_string(c, v, key, &s)) != 0)
		return rc;
	if (*s == '\0')
		s = dflt;
	return s ? cfg_dup_str(c, s, out) : 0;
}

/* An optional list of strings; [] is absent. */
static int opt_list(struct cfg_pctx *c, json_object *obj, const char *key, char ***out, size_t *n)
{
	json_object *v = cfg_member(obj, key);

	if (v == NULL ||
	    (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0))
		return 0;
	return cfg_want_strv(c, v, key, out, n);
}

/* A dot path with no empty segment ("a..b", ".a", "a."), unless it is a
 * URL-named claim (starts with "http": never split, as in KrakenD). */
static bool good_path(const char *p)
{
	size_t n = strlen(p);

	if (n == 0)
		return false;
	if (strncmp(p, "http", 4) == 0)
		return true;
	return p[0] != '.' && p[n - 1] != '.' && strstr(p, "..") == NULL;
}

/* Go's textproto.CanonicalMIMEHeaderKey for a token: upper case after
 * the start and each '-', lower case elsewhere. */
static void canonical_header(char *h)
{
	bool up = true;

	for (; *h; h++) {
		if (up && *h >= 'a' && *h <= 'z')
			*h = (char)(*h - 'a' + 'A');
		else if (!up && *h >= 'A' && *h <= 'Z')
			*h = (char)(*h - 'A' + 'a');
		up = *h == '-';
	}
}

/* auth_header_name and cookie_key: HTTP tokens.  auth_header_name has
 * KrakenD's default; cookie_key none (KrakenD reads "access_token"): a
 * browser sends a cookie with every cross-site request, so reading one is
 * a choice the file makes. */
static int parse_token_source(struct cfg_pctx *c, json_object *obj, struct cfg_validator *v)
{
	char sh[CFG_SHOW];
	int rc;

	if ((rc = opt_str(c, obj, "auth_header_name", "Authorization", &v->auth_header_name)) !=
		0 ||
	    (rc = opt_str(c, obj, "cookie_key", NULL, &v->cookie_key)) != 0)
		return rc;
	if (!cfg_is_token(v->auth_header_name))
		return cfg_fail(c, ERR_INVALID, "auth_header_name",
				"\"%s\" is not an HTTP header name",
				cfg_show_str(sh, v->auth_header_name));
	if (v->cookie_key && !cfg_is_token(v->cookie_key))
		return cfg_fail(c, ERR_INVALID, "cookie_key", "\"%s\" is not a cookie name",
				cfg_show_str(sh, v->cookie_key));
	canonical_header(v->auth_header_name);
	return 0;
}

/* ------------------------------------------------------------ claims */

static int parse_roles_scopes(struct cfg_pctx *c, json_object *obj, struct cfg_validator *v)
{
	json_object *m;
	const char *s = "";
	char sh[CFG_SHOW];
	int rc;

	if ((rc = opt_list(c, obj, "roles", &v->roles, &v->nroles)) != 0 ||
	    (rc = opt_str(c, obj, "roles_key", "roles", &v->roles_key)) != 0 ||
	    (rc = cfg_opt_bool(c, obj, "roles_key_is_nested", &v->roles_key_is_nested)) != 0 ||
	    (rc = opt_list(c, obj, "scopes", &v->scopes, &v->nscopes)) != 0 ||
	    (rc = opt_str(c, obj, "scopes_key", NULL, &v->scopes_key)) != 0)
		return rc;
	if (v->roles_key_is_nested && !good_path(v->roles_key))
		return cfg_fail(c, ERR_INVALID, "roles_key",
				"\"%s\": a nested key has no empty part (\"a.b\")",
				cfg_show_str(sh, v->roles_key));
	if (v->scopes_key && !good_path(v->scopes_key))
		return cfg_fail(c, ERR_INVALID, "scopes_key",
				"\"%s\": a dot path has no empty part (\"a.b\")",
				cfg_show_str(sh, v->scopes_key));
	if (v->nscopes && v->scopes_key == NULL)
		return cfg_fail(c, ERR_INVALID, "scopes_key",
				"missing: \"scopes\" is set, and without the claim that holds "
				"them no scope would be checked (KrakenD skips the check)");
	if ((m = cfg_member(obj, "scopes_matcher")) != NULL &&
	    (rc = cfg_want_string(c, m, "scopes_matcher", &s)) != 0)
		return rc;
	if (*s && strcmp(s, "any") != 0 && strcmp(s, "all") != 0)
		return cfg_fail(c, ERR_INVALID, "scopes_matcher",
				"\"%s\": expected \"any\" (the default) or \"all\"",
				cfg_show_str(sh, s));
	v->scopes_all = strcmp(s, "all") == 0;
	return 0;
}

/* One ["claim", "Header"] pair. */
static int parse_pair(struct cfg_pctx *c, json_object *e, size_t i, struct cfg_propagate *p)
{
	const char *key = "propagate_claims";
	json_object *claim, *header;
	char sh[CFG_SHOW];
	int rc;

	if (!json_object_is_type(e, json_type_array) || json_object_array_length(e) != 2)
		return cfg_fail(c, ERR_INVALID, key,
				"element %zu: expected a pair [\"claim\", \"Header\"], got %s", i,
				json_object_is_type(e, json_type_array) ? "another length"
									: cfg_jtype(e));
	claim = json_object_array_get_idx(e, 0);
	header = json_object_array_get_idx(e, 1);
	if (!json_object_is_type(claim, json_type_string) ||
	    !json_object_is_type(header, json_type_string))
		return cfg_fail(
		    c, ERR_INVALID, key, "element %zu: expected two strings, got %s", i,
		    cfg_jtype(json_object_is_type(claim, json_type_string) ? header : claim));
	if ((rc = cfg_dup_str(c, json_object_get_string(claim), &p->claim)) != 0 ||
	    (rc = cfg_dup_str(c, json_object_get_string(header), &p->header)) != 0)
		return rc;
	if (strlen(p->claim) != (size_t)json_object_get_string_len(claim) || !good_path(p->claim))
		return cfg_fail(c, ERR_INVALID, key,
				"element %zu: claim \"%s\": expected a claim name or a dot path "
				"(\"realm_access.roles\")",
				i, cfg_show_str(sh, p->claim));
	if (strlen(p->header) != (size_t)json_object_get_string_len(header) ||
	    !cfg_is_token(p->header))
		return cfg_fail(c, ERR_INVALID, key,
				"element %zu: \"%s\" is not an HTTP header name", i,
				cfg_show_str(sh, p->header));
	return 0;
}

static int parse_propagate(struct cfg_pctx *c, json_object *obj, struct cfg_validator *v)
{
	json_object *a = cfg_member(obj, "propagate_claims");
	bool preserve = false;
	char sh[CFG_SHOW];
	size_t n;
	int rc;

	if ((rc = cfg_opt_bool(c, obj, "propagate_claims_preserve_array", &preserve)) != 0)
		return rc;
	if (a == NULL)
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return cfg_fail(c, ERR_INVALID, "propagate_claims",
				"expected an array of [\"claim\", \"Header\"] pairs, got %s",
				cfg_jtype(a));
	if ((n = json_object_array_length(a)) == 0)
		return 0;
	if ((v->propagate = calloc(n, sizeof(*v->propagate))) == NULL)
		return cfg_nomem(c);
	for (size_t i = 0; i < n; i++) {
		struct cfg_propagate *p = &v->propagate[i];

		v->npropagate++;
		if ((rc = parse_pair(c, json_object_array_get_idx(a, i), i, p)) != 0)
			return rc;
		for (size_t j = 0; j < i; j++) {
			if (strcasecmp(v->propagate[j].header, p->header) == 0)
				return cfg_fail(c, ERR_INVALID, "propagate_claims",
						"element %zu: header \"%s\" is already set by "
						"element %zu",
						i, cfg_show_str(sh, p->header), j);
		}
	}
	if (preserve)
		cfg_notice(c, "\"propagate_claims_preserve_array\" is ignored: an array claim "
			      "is sent as one header, its elements joined with \",\"");
	return 0;
}

/* ------------------------------------------------------------ the rest */

/* "leeway": KrakenD's type is a Go duration string; KrakenD takes 1 s
 * for an absent or unparsable one, jwtsign refuses the latter. */
static int parse_leeway(struct cfg_pctx *c, json_object *obj, struct cfg_validator *v)
{
	json_object *l = cfg_member(obj, "leeway");
	char sh[CFG_SHOW];
	const char *s;
	unsigned ms;
	int rc;

	v->leeway = LEEWAY_DEFAULT;
	if (l == NULL)
		return 0;
	if (!json_object_is_type(l, json_type_string))
		return cfg_fail(c, ERR_INVALID, "leeway",
				"expected a Go duration string such as \"30s\" (KrakenD's type), "
				"got %s",
				cfg_jtype(l));
	if ((rc = cfg_want_string(c, l, "leeway", &s)) != 0)
		return rc;
	if (*s == '\0')
		return 0; /* KrakenD's zero value: its default */
	if (cfg_parse_duration(s, &ms) != 0)
		return cfg_fail(c, ERR_INVALID, "leeway",
				"\"%s\": expected a Go duration such as \"30s\" or \"0\" (at most "
				"24h)",
				cfg_show_str(sh, s));
	v->leeway = ms / 1000;
	return 0;
}

static int parse_kid_strategy(struct cfg_pctx *c, json_object *obj, struct cfg_validator *v)
{
	static const char *const names[] = {"kid", "x5t", "x5t#S256", "kid_x5t"};
	json_object *k = cfg_member(obj, "key_identify_strategy");
	char sh[CFG_SHOW];
	const char *s = "";
	int rc;

	if (k != NULL && (rc = cfg_want_string(c, k, "key_identify_strategy", &s)) != 0)
		return rc;
	if (*s == '\0')
		return 0; /* CFG_KID_KID */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			v->kid_strategy = (enum cfg_kid_strategy)i;
			return 0;
		}
	}
	return cfg_fail(c, ERR_INVALID, "key_identify_strategy",
			"\"%s\": expected \"kid\" (the default), \"x5t\", \"x5t#S256\" or "
			"\"kid_x5t\"",
			cfg_show_str(sh, s));
}

/* Refuse what jwtsign cannot do, and unknown settings: a misspelt
 * "audience" or "roles" would check less than the file says (the signer
 * block only gets a notice for them; a typo there cannot let a token
 * through). */
static int check_validator_keys(struct cfg_pctx *c, json_object *obj)
{
	const size_t n = sizeof(validator_keys) / sizeof(validator_keys[0]);
	int rc = cfg_check_names(c, obj);

	if (rc)
		return rc;
	json_object_object_foreach(obj, key, val)
	{
		size_t i;

		if ((rc = cfg_keys_refused(c, key, val)) != 0)
			return rc;
		for (i = 0; i < n && strcasecmp(key, validator_keys[i]) != 0; i++)
			;
		if (i == n) {
			const char *guess = cfg_suggest(key, validator_keys, n);
			char sh[CFG_SHOW];

			return cfg_fail(c, ERR_INVALID, cfg_show_str(sh, key),
					"unknown setting%s%s%s: a validator must check all its "
					"file says",
					guess ? " (did you mean \"" : "", guess ? guess : "",
					guess ? "\"?)" : "");
		}
	}
	return 0;
}

/* "cache": KrakenD without it downloads the JWK Set for every token;
 * jwtsign keeps the set cache_duration seconds in any case. */
static void cache_notice(struct cfg_pctx *c, const struct cfg_validator *v)
{
	if (v->cache || v->keys.jwk_url == NULL)
		return;
	cfg_notice(c,
		   "\"cache\" is not true, yet the JWK Set is kept %u s (cache_duration): a key "
		   "removed from it is still accepted that long (KrakenD would download the set "
		   "for every token)",
		   v->keys.cache_duration);
}

int cfg_parse_validator(struct cfg_pctx *c, json_object *obj, struct cfg_validator *v)
{
	int rc;

	v->require_exp = true;
	if ((rc = check_validator_keys(c, obj)) != 0 || (rc = parse_algs(c, obj, v)) != 0 ||
	    (rc = cfg_parse_keys(c, obj, CFG_KEYS_VALIDATOR, &v->keys)) != 0 ||
	    (rc = cfg_opt_bool(c, obj, "cache", &v->cache)) != 0 ||
	    (rc = opt_str(c, obj, "issuer", NULL, &v->issuer)) != 0 ||
	    (rc = opt_list(c, obj, "audience", &v->audience, &v->naudience)) != 0 ||
	    (rc = parse_roles_scopes(c, obj, v)) != 0 || (rc = parse_leeway(c, obj, v)) != 0 ||
	    (rc = parse_token_source(c, obj, v)) != 0 || (rc = parse_propagate(c, obj, v)) != 0 ||
	    (rc = parse_kid_strategy(c, obj, v)) != 0 ||
	    (rc = cfg_opt_bool(c, obj, "operation_debug", &v->operation_debug)) != 0 ||
	    (rc = cfg_opt_bool(c, obj, "require_exp", &v->require_exp)) != 0)
		return rc;
	cache_notice(c, v);
	return 0;
}

void cfg_free_validator(struct cfg_validator *v)
{
	free(v->algs);
	cfg_free_keys(&v->keys);
	free(v->issuer);
	cfg_free_strv(v->audience, v->naudience);
	cfg_free_strv(v->roles, v->nroles);
	free(v->roles_key);
	cfg_free_strv(v->scopes, v->nscopes);
	free(v->scopes_key);
	free(v->auth_header_name);
	free(v->cookie_key);
	for (size_t i = 0; i < v->npropagate; i++) {
		free(v->propagate[i].claim);
		free(v->propagate[i].header);
	}
	free(v->propagate);
}
