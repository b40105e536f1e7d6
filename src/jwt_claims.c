/* jwt_claims.c - the claims checks and claim lookup; see jwt_claims.h.
 * RFC 7519 section 4.1; KrakenD's semantics from krakend-jose jose.go
 * (roles, scopes, Claims.Get) and go-jose jwt/validation.go (time
 * claims and leeway).
 */
#include "jwt_claims.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *jwt_reason_word(enum jwt_reason r)
{
	static const char *const words[] = {
	    "ok",
	    "malformed",
	    "alg",
	    "kid",
	    "signature",
	    "expired",
	    "not_yet_valid",
	    "issued_in_future",
	    "issuer",
	    "audience",
	    "missing_exp",
	    "crit",
	    "roles",
	    "scopes",
	    "keys_unavailable",
	};

	if ((unsigned)r >= sizeof(words) / sizeof(words[0]))
		return "invalid";
	return words[r];
}

/* ------------------------------------------------------------ lookup */

struct json_object *jwt_claim_find(struct json_object *claims, const char *path, bool nested)
{
	struct json_object *cur = claims, *v = NULL;
	const char *p = path, *dot;
	char name[256];

	if (claims == NULL || path == NULL || !json_object_is_type(claims, json_type_object))
		return NULL;
	if (!nested)
		return json_object_object_get_ex(claims, path, &v) ? v : NULL;
	for (;;) {
		size_t n;

		dot = strchr(p, '.');
		if (dot == NULL)
			return json_object_object_get_ex(cur, p, &v) ? v : NULL;
		n = (size_t)(dot - p);
		if (n >= sizeof(name))
			return NULL;
		memcpy(name, p, n);
		name[n] = '\0';
		if (!json_object_object_get_ex(cur, name, &v) ||
		    !json_object_is_type(v, json_type_object))
			return NULL;
		cur = v;
		p = dot + 1;
	}
}

/* ------------------------------------------------------------ times */

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* The NumericDate at name: 1 present (in *t), 0 absent, -1 wrong type. */
static int numeric_date(struct json_object *claims, const char *name, int64_t *t)
{
	struct json_object *v;

	if (!json_object_object_get_ex(claims, name, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		/* json-c clamps a uint64 beyond INT64_MAX to INT64_MAX. */
		*t = json_object_get_int64(v);
		return 1;
	}
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (!isfinite(d))
			return -1;
		/* go-jose: NumericDate(f), a truncation toward zero. */
		*t = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
		return 1;
	}
	return -1;
}

static enum jwt_reason check_times(struct json_object *claims, const struct jwt_policy *pol,
				   int64_t now, struct err *err)
{
	int64_t exp = 0, nbf = 0, iat = 0, lw = (int64_t)pol->leeway;
	int has_exp = numeric_date(claims, "exp", &exp);
	int has_nbf = numeric_date(claims, "nbf", &nbf);
	int has_iat = numeric_date(claims, "iat", &iat);

	if (has_exp < 0 || has_nbf < 0 || has_iat < 0) {
		err_set(err, ERR_INVALID, "claim \"%s\" is not a number",
			has_exp < 0   ? "exp"
			: has_nbf < 0 ? "nbf"
				      : "iat");
		return JWT_MALFORMED;
	}
	if (has_nbf && sat_add(now, lw) < nbf) {
		err_set(err, ERR_INVALID, "token not valid yet (nbf %lld s ahead, leeway %u s)",
			(long long)(nbf - now), pol->leeway);
		return JWT_NOT_YET_VALID;
	}
	if (has_exp && sat_add(now, -lw) > exp) {
		err_set(err, ERR_INVALID, "token expired %lld s ago (leeway %u s)",
			(long long)(now - exp), pol->leeway);
		return JWT_EXPIRED;
	}
	if (has_iat && sat_add(now, lw) < iat) {
		err_set(err, ERR_INVALID, "token issued %lld s in the future (leeway %u s)",
			(long long)(iat - now), pol->leeway);
		return JWT_ISSUED_IN_FUTURE;
	}
	if (!has_exp && pol->require_exp) {
		err_set(err, ERR_INVALID, "token has no \"exp\" claim (require_exp)");
		return JWT_MISSING_EXP;
	}
	return JWT_OK;
}

/* ------------------------------------------------------ iss and aud */

static enum jwt_reason check_issuer(struct json_object *claims, const char *issuer, struct err *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(claims, "iss", &v)) {
		if (issuer == NULL)
			return JWT_OK;
		err_set(err, ERR_INVALID, "token has no \"iss\" claim");
		return JWT_ISSUER;
	}
	if (!json_object_is_type(v, json_type_string)) {
		err_set(err, ERR_INVALID, "claim \"iss\" is not a string");
		return JWT_MALFORMED;
	}
	if (issuer && strcmp(json_object_get_string(v), issuer) != 0) {
		err_set(err, ERR_INVALID, "claim \"iss\" is not the configured issuer");
		return JWT_ISSUER;
	}
	return JWT_OK;
}

static bool str_is(struct json_object *v, const char *want)
{
	return json_object_is_type(v, json_type_string) &&
	       (size_t)json_object_get_string_len(v) == strlen(want) &&
	       strcmp(json_object_get_string(v), want) == 0;
}

static enum jwt_reason check_audience(struct json_object *claims, const struct jwt_policy *pol,
				      struct err *err)
{
	struct json_object *v;
	size_t n = 0;

	if (!json_object_object_get_ex(claims, "aud", &v)) {
		if (pol->naudience == 0)
			return JWT_OK;
		err_set(err, ERR_INVALID, "token has no \"aud\" claim");
		return JWT_AUDIENCE;
	}
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
				goto bad;
	} else if (!json_object_is_type(v, json_type_string)) {
		goto bad;
	}
	for (size_t k = 0; k < pol->naudience; k++) {
		bool found = false;

		if (json_object_is_type(v, json_type_string))
			found = str_is(v, pol->audience[k]);
		for (size_t i = 0; !found && i < n; i++)
			found = str_is(json_object_array_get_idx(v, i), pol->audience[k]);
		if (!found) {
			err_set(err, ERR_INVALID, "claim \"aud\" lacks configured audience #%zu",
				k + 1);
			return JWT_AUDIENCE;
		}
	}
	return JWT_OK;
bad:
	err_set(err, ERR_INVALID, "claim \"aud\" is not a string or an array of strings");
	return JWT_MALFORMED;
}

/* ------------------------------------------------------ roles, scopes */

/* Whether want is among the values v gives: the strings of an array, or
 * the space-separated words of a string (Go strings.Split: empty words
 * count). */
static bool has_value(struct json_object *v, const char *want)
{
	size_t wl = strlen(want);

	if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++)
			if (str_is(json_object_array_get_idx(v, i), want))
				return true;
		return false;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v), *end = s + json_object_get_string_len(v);

		for (;;) {
			const char *sp = memchr(s, ' ', (size_t)(end - s));
			const char *stop = sp ? sp : end;

			if ((size_t)(stop - s) == wl && memcmp(s, want, wl) == 0)
				return true;
			if (sp == NULL)
				return false;
			s = sp + 1;
		}
	}
	return false;
}

/* KrakenD: an array is used when it is not empty; otherwise only a string
 * holds values. */
static bool values_usable(struct json_object *v)
{
	if (json_object_is_type(v, json_type_array))
		return json_object_array_length(v) > 0;
	return json_object_is_type(v, json_type_string);
}

static enum jwt_reason check_roles(struct json_object *claims, const struct jwt_policy *pol,
				   struct err *err)
{
	struct json_object *v;

	if (pol->nroles == 0)
		return JWT_OK;
	v = pol->roles_key ? jwt_claim_find(claims, pol->roles_key, pol->roles_key_is_nested)
			   : NULL;
	for (size_t i = 0; v && i < pol->nroles; i++)
		if (has_value(v, pol->roles[i]))
			return JWT_OK;
	err_set(err, ERR_INVALID, "none of the %zu configured roles is in the token", pol->nroles);
	return JWT_ROLES;
}

static enum jwt_reason check_scopes(struct json_object *claims, const struct jwt_policy *pol,
				    struct err *err)
{
	struct json_object *v;
	size_t found = 0;

	if (pol->nscopes == 0)
		return JWT_OK;
	v = pol->scopes_key
		? jwt_claim_find(claims, pol->scopes_key, strchr(pol->scopes_key, '.') != NULL)
		: NULL;
	for (size_t i = 0; v && values_usable(v) && i < pol->nscopes; i++)
		found += has_value(v, pol->scopes[i]);
	if (pol->scopes_all ? found == pol->nscopes : found > 0)
		return JWT_OK;
	err_set(err, ERR_INVALID, "the token's scopes do not match (%s of %zu)",
		pol->scopes_all ? "all" : "any", pol->nscopes);
	return JWT_SCOPES;
}

enum jwt_reason jwt_claims_check(struct json_object *claims, const struct jwt_policy *pol,
				 int64_t now, struct err *err)
{
	enum jwt_reason r;

	if (!json_object_is_type(claims, json_type_object)) {
		err_set(err, ERR_INVALID, "the claims set is not a JSON object");
		return JWT_MALFORMED;
	}
	if ((r = check_issuer(claims, pol->issuer, err)) != JWT_OK ||
	    (r = check_audience(claims, pol, err)) != JWT_OK ||
	    (r = check_times(claims, pol, now, err)) != JWT_OK ||
	    (r = check_roles(claims, pol, err)) != JWT_OK ||
	    (r = check_scopes(claims, pol, err)) != JWT_OK)
		return r;
	return JWT_OK;
}

/* ------------------------------------------------ jwt_claim_string */

/* A number as Go's %v prints a float64: the shortest digits that read
 * back, exponent form from 1e21 and below 1e-4. */
static int put_go_float(struct buf *out, double d)
{
	char tmp[40];

	if (d > -1e18 && d < 1e18 && d == (double)(long long)d) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)d);
		return buf_puts(out, tmp);
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	return buf_puts(out, tmp);
}

/* One array element, as fmt's %v does. */
static int put_element(struct buf *out, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return buf_append(out, json_object_get_string(v),
				  (size_t)json_object_get_string_len(v));
	case json_type_boolean:
		return buf_puts(out, json_object_get_boolean(v) ? "true" : "false");
	case json_type_int:
	case json_type_double:
		return put_go_float(out, json_object_get_double(v));
	default:
		return ERR_INVALID;
	}
}

int jwt_claim_string(struct json_object *claims, const char *path, struct buf *out)
{
	/* krakend-jose: a name with '.' is a dot path unless it starts with
	 * "http" (a namespaced claim such as "https://example.com/roles"). */
	bool nested = path && strncmp(path, "http", 4) != 0;
	struct json_object *v = jwt_claim_find(claims, path, nested);
	size_t start = out->len;
	char tmp[64];
	int rc = 0;

	if (v == NULL) {
		/* json-c keeps a JSON null as a NULL member value. */
		if (claims && path && json_object_is_type(claims, json_type_object) &&
		    json_object_object_get_ex(claims, path, NULL))
			return buf_puts(out, "null");
		return ERR_NOTFOUND;
	}
	switch (json_object_get_type(v)) {
	case json_type_string:
		rc = buf_append(out, json_object_get_string(v),
				(size_t)json_object_get_string_len(v));
		break;
	case json_type_boolean:
		rc = buf_puts(out, json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_int:
	case json_type_double: {
		double d = json_object_get_double(v);
		/* Go: math.Round, then within 1e-6 an integer (no libm here). */
		long long r = d > -9.2e18 && d < 9.2e18 ? (long long)(d + (d < 0 ? -0.5 : 0.5)) : 0;
		double diff = d - (double)r;

		if (d > -9.2e18 && d < 9.2e18 && diff <= 1e-6 && diff >= -1e-6)
			snprintf(tmp, sizeof(tmp), "%lld", r);
		else
			snprintf(tmp, sizeof(tmp), "%f", d);
		rc = buf_puts(out, tmp);
		break;
	}
	case json_type_array: {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (i)
				rc = buf_putc(out, ',');
			if (rc == 0)
				rc = put_element(out, json_object_array_get_idx(v, i));
		}
		break;
	}
	default:
		rc = ERR_INVALID;
		break;
	}
	if (rc)
		buf_truncate(out, start);
	return rc;
}
