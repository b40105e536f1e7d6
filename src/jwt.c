/* jwt.c - strict compact JWS parse, header checks, key lookup and
 * signature of a JWT; see jwt.h.  The claims are jwt_claims.c.
 */
#include "jwt.h"
#include "b64.h"
#include "gojson.h"

#include <stdlib.h>
#include <string.h>

/* The three parts of a compact token. */
struct compact {
	const char *part[3];
	size_t plen[3];
};

/* The three parts at the two '.'.  Only the dots are looked for here:
 * every other byte is checked by b64url_decode_public (b64.h: anything outside
 * the URL-safe alphabet, '.', '=', whitespace and NUL included, is
 * refused), which jwt_verify runs on all three parts before it reads any
 * of them, so a byte outside base64url still makes the token malformed.
 * (Checking each byte here too cost as much as a third of the JSON
 * parsing, for nothing.) */
static enum jwt_reason split(const char *tok, size_t len, struct compact *c, struct err *err)
{
	const char *p, *end = tok + len, *dot;
	size_t dots = 0;

	if (tok == NULL || len == 0) {
		err_set(err, ERR_INVALID, "empty token");
		return JWT_MALFORMED;
	}
	if (len > JWT_MAX_TOKEN) {
		err_set(err, ERR_LIMIT, "token of %zu bytes is over %u", len, JWT_MAX_TOKEN);
		return JWT_MALFORMED;
	}
	for (p = tok;; p = dot + 1) {
		dot = memchr(p, '.', (size_t)(end - p));
		if (dots > 2) {
			err_set(err, ERR_INVALID, "token has more than two '.'");
			return JWT_MALFORMED;
		}
		c->part[dots] = p;
		c->plen[dots] = (size_t)((dot ? dot : end) - p);
		dots++;
		if (dot == NULL)
			break;
	}
	if (dots != 3) {
		err_set(err, ERR_INVALID, "token has %zu '.' (a compact JWS has two)", dots - 1);
		return JWT_MALFORMED;
	}
	/* An empty signature is left to the header's alg check (an unsecured
	 * JWT, alg "none", is refused as "alg") and then to the signature
	 * check, which no empty signature passes. */
	if (c->plen[0] == 0) {
		err_set(err, ERR_INVALID, "token has an empty header");
		return JWT_MALFORMED;
	}
	return JWT_OK;
}

/* The header's string member name: 1 (in *s), 0 absent, -1 not a string
 * or holding U+0000. */
static int header_string(struct json_object *h, const char *name, const char **s)
{
	struct json_object *v;

	*s = NULL;
	if (!json_object_object_get_ex(h, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return -1;
	*s = json_object_get_string(v);
	return 1;
}

struct header {
	struct json_object *obj;
	enum jws_alg alg;
	const char *kid, *x5t, *x5t_s256; /* borrowed from obj, or NULL */
};

static enum jwt_reason parse_header(const uint8_t *raw, size_t n, const struct jwt_policy *pol,
				    struct header *h, struct err *err)
{
	struct gojson_limits lim = {JWT_HEADER_DEPTH, JWT_MAX_MEMBERS};
	const char *alg;
	bool allowed = false;

	if (n > JWT_MAX_HEADER_JSON) {
		err_set(err, ERR_LIMIT, "header of %zu bytes is over %u", n, JWT_MAX_HEADER_JSON);
		return JWT_MALFORMED;
	}
	if (gojson_parse_ex((const char *)raw, n, &lim, GOJSON_UTF8_STRICT | GOJSON_NO_DUPLICATES,
			    &h->obj, NULL, err) != 0) {
		err_prefix(err, "header");
		return JWT_MALFORMED;
	}
	if (!json_object_is_type(h->obj, json_type_object)) {
		err_set(err, ERR_INVALID, "header is not a JSON object");
		return JWT_MALFORMED;
	}
	if (header_string(h->obj, "alg", &alg) != 1 || header_string(h->obj, "kid", &h->kid) < 0 ||
	    header_string(h->obj, "x5t", &h->x5t) < 0 ||
	    header_string(h->obj, "x5t#S256", &h->x5t_s256) < 0) {
		err_set(err, ERR_INVALID,
			"header: \"alg\" missing, or \"alg\", \"kid\", \"x5t\" "
			"or \"x5t#S256\" not a string");
		return JWT_MALFORMED;
	}
	if (json_object_object_get_ex(h->obj, "crit", NULL)) {
		err_set(err, ERR_UNSUPPORTED, "header has \"crit\": no extension is understood");
		return JWT_CRIT;
	}
	if (alg_from_name(alg, &h->alg) == 0)
		for (size_t i = 0; i < pol->nalgs && !allowed; i++)
			allowed = pol->algs[i] == h->alg;
	if (!allowed) {
		/* Only a registered name is echoed: the header is the sender's. */
		err_set(err, ERR_UNSUPPORTED, "header alg %s is not allowed",
			h->alg != JWS_ALG_INVALID ? alg_name(h->alg) : "(unknown or \"none\")");
		return JWT_ALG;
	}
	return JWT_OK;
}

/* The token's key identifier by strategy (krakend-jose jwk_client.go):
 * *id borrowed from the header, or NULL (none); for kid_x5t the joined
 * string, malloc'd into *owned (the caller frees it). */
static int token_id(const struct header *h, enum jwt_kid_strategy s, enum jwk_keyring_id *which,
		    const char **id, char **owned)
{
	*id = h->kid;
	*owned = NULL;
	*which = JWK_ID_KID;
	switch (s) {
	case JWT_KID_X5T:
		*which = JWK_ID_X5T;
		*id = h->x5t ? h->x5t : h->kid;
		break;
	case JWT_KID_X5T_S256:
		*which = JWK_ID_X5T_S256;
		*id = h->x5t_s256 ? h->x5t_s256 : h->kid;
		break;
	case JWT_KID_KID_X5T: {
		const char *k = h->kid ? h->kid : "", *x = h->x5t ? h->x5t : k;
		size_t kl = strlen(k);

		*which = JWK_ID_KID_X5T;
		if ((*owned = malloc(kl + strlen(x) + 1)) == NULL)
			return ERR_NOMEM;
		memcpy(*owned, k, kl);
		strcpy(*owned + kl, x);
		*id = *owned;
		break;
	}
	case JWT_KID_KID:
		break;
	}
	return 0;
}

static enum jwt_reason find_key(const struct header *h, const struct jwt_policy *pol,
				const struct jwk_keyring *ring, const struct jwk **key,
				struct err *err)
{
	enum jwk_keyring_id which;
	const char *id;
	char *owned;
	int rc;

	if (jwk_keyring_count(ring) == 0) {
		err_set(err, ERR_KEY, "no keys to verify with");
		return JWT_KEYS_UNAVAILABLE;
	}
	if (token_id(h, pol->kid_strategy, &which, &id, &owned) != 0) {
		err_set(err, ERR_NOMEM, "out of memory");
		return JWT_KEYS_UNAVAILABLE;
	}
	rc = jwk_keyring_find_by(ring, which, id, h->alg, key, err);
	free(owned);
	if (rc == ERR_NOTFOUND)
		return JWT_KID;
	return rc ? JWT_ALG : JWT_OK;
}

static enum jwt_reason parse_claims(const uint8_t *raw, size_t n, struct json_object **out,
				    struct err *err)
{
	struct gojson_limits lim = {JWT_CLAIMS_DEPTH, JWT_MAX_MEMBERS};

	if (gojson_parse_ex((const char *)raw, n, &lim, GOJSON_UTF8_STRICT | GOJSON_NO_DUPLICATES,
			    out, NULL, err) != 0) {
		*out = NULL;
		err_prefix(err, "claims");
		return JWT_MALFORMED;
	}
	if (!json_object_is_type(*out, json_type_object)) {
		err_set(err, ERR_INVALID, "claims set is not a JSON object");
		return JWT_MALFORMED;
	}
	return JWT_OK;
}

enum jwt_reason jwt_verify(const char *tok, size_t len, const struct jwt_policy *pol,
			   const struct jwk_keyring *ring, int64_t now, struct jwt_token *out,
			   struct err *err)
{
	struct compact c;
	struct header h = {NULL, JWS_ALG_INVALID, NULL, NULL, NULL};
	uint8_t *raw[3] = {NULL, NULL, NULL};
	size_t rawlen[3] = {0, 0, 0};
	const struct jwk *key = NULL;
	struct json_object *claims = NULL;
	enum jwt_reason r;

	jwt_token_free(out);
	if ((r = split(tok, len, &c, err)) != JWT_OK)
		return r;
	for (int i = 0; i < 3; i++) {
		int rc = b64url_decode_public(c.part[i], c.plen[i], &raw[i], &rawlen[i]);

		if (rc) {
			static const char *const names[] = {"header", "payload", "signature"};

			err_set(err, rc, "token %s is not canonical base64url without padding",
				names[i]);
			r = JWT_MALFORMED;
			goto out;
		}
	}
	if ((r = parse_header(raw[0], rawlen[0], pol, &h, err)) != JWT_OK ||
	    (r = find_key(&h, pol, ring, &key, err)) != JWT_OK)
		goto out;
	/* The signing input is the first two parts and the '.' between. */
	if (jwk_keyring_verify(key, h.alg, (const uint8_t *)tok, c.plen[0] + 1 + c.plen[1], raw[2],
			       rawlen[2], err) != 0) {
		r = JWT_SIGNATURE;
		goto out;
	}
	if ((r = parse_claims(raw[1], rawlen[1], &claims, err)) != JWT_OK ||
	    (r = jwt_claims_check(claims, pol, now, err)) != JWT_OK)
		goto out;
	if (buf_append(&out->payload, raw[1], rawlen[1]) != 0 ||
	    (h.kid && (out->kid = strdup(h.kid)) == NULL)) {
		err_set(err, ERR_NOMEM, "out of memory");
		jwt_token_free(out);
		r = JWT_MALFORMED;
		goto out;
	}
	out->claims = claims;
	claims = NULL;
	out->alg = h.alg;
	err_clear(err);
out:
	json_object_put(claims);
	json_object_put(h.obj);
	for (int i = 0; i < 3; i++)
		free(raw[i]);
	return r;
}

void jwt_token_free(struct jwt_token *t)
{
	if (t == NULL)
		return;
	buf_free(&t->payload);
	json_object_put(t->claims);
	free(t->kid);
	memset(t, 0, sizeof(*t));
}
