/* jwt_claims.h - the validation policy of JWTs (RFC 7519) and the checks
 * of the claims set: time claims with leeway, "iss", "aud", roles and
 * scopes (KrakenD's auth/validator meaning, krakend-jose jose.go and
 * go-jose jwt/validation.go), and claim lookup by dot path for header
 * propagation.  The token itself (compact parse, header, signature) is
 * jwt.h, which includes this header: callers use jwt.h.
 */
#ifndef JWTSIGN_JWT_CLAIMS_H
#define JWTSIGN_JWT_CLAIMS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "buf.h"
#include "err.h"

/* Why a token was refused: the one word `jwtsign verify` prints and the
 * log says (jwt_reason_word). */
enum jwt_reason {
	JWT_OK = 0,	      /* "ok": valid */
	JWT_MALFORMED,	      /* "malformed": not a strict compact JWS with a JSON
			       * object header and claims set, or a claim of the
			       * wrong type (exp not a number, aud not a string
			       * or an array of strings, ...) */
	JWT_ALG,	      /* "alg": alg missing from the policy, "none", or
			       * not matching the key (type, curve, JWK "alg") */
	JWT_KID,	      /* "kid": no key of the set has the token's key id */
	JWT_SIGNATURE,	      /* "signature": does not verify */
	JWT_EXPIRED,	      /* "expired": now - leeway > exp */
	JWT_NOT_YET_VALID,    /* "not_yet_valid": now + leeway < nbf */
	JWT_ISSUED_IN_FUTURE, /* "issued_in_future": now + leeway < iat */
	JWT_ISSUER,	      /* "issuer": iss absent or not the policy's */
	JWT_AUDIENCE,	      /* "audience": a configured audience is not in aud */
	JWT_MISSING_EXP,      /* "missing_exp": no exp and require_exp */
	JWT_CRIT,	      /* "crit": the header has "crit" (no extension is
			       * understood, RFC 7515 section 4.1.11) */
	JWT_ROLES,	      /* "roles": none of the policy's roles */
	JWT_SCOPES,	      /* "scopes": scopes do not match */
	JWT_KEYS_UNAVAILABLE, /* "keys_unavailable": no key set to verify with */
};

/* jwt_reason_word - the lower-case word of r ("malformed", "alg", ...);
 * "invalid" for values outside the enum.  Static storage. */
const char *jwt_reason_word(enum jwt_reason r);

/* How the key of a token is looked up (KrakenD's key_identify_strategy).
 * The token side, as krakend-jose jwk_client.go: */
enum jwt_kid_strategy {
	JWT_KID_KID = 0,  /* "kid": header "kid" against the JWK "kid" */
	JWT_KID_X5T,	  /* "x5t": header "x5t" (else "kid") against the JWK's
			   * "x5t" */
	JWT_KID_X5T_S256, /* "x5t#S256": header "x5t#S256" (else "kid") against
			   * the JWK's "x5t#S256" */
	JWT_KID_KID_X5T,  /* "kid_x5t": header kid followed by x5t (else kid
			   * again) against JWK kid followed by its x5t */
};

/* The policy one validator applies.  Every pointer is borrowed (from the
 * configuration or the command line) and must outlive the calls. */
struct jwt_policy {
	const enum jws_alg *algs;    /* allowed algs; "none" cannot be expressed */
	size_t nalgs;		     /* >= 1, else every token is JWT_ALG */
	const char *issuer;	     /* NULL: not checked; else iss must equal it */
	const char *const *audience; /* every one must be in aud (string or array) */
	size_t naudience;
	unsigned leeway;		    /* seconds allowed each side of exp, nbf, iat */
	bool require_exp;		    /* refuse tokens without exp (default true) */
	const char *const *roles;	    /* any one of them must be in the roles claim */
	size_t nroles;			    /* 0: roles not checked */
	const char *roles_key;		    /* claim holding the roles: an array of strings or
					     * a space-separated string; NULL with nroles > 0
					     * refuses every token (JWT_ROLES) */
	bool roles_key_is_nested;	    /* roles_key is a dot path ("realm_access.roles") */
	const char *const *scopes;	    /* required scopes */
	size_t nscopes;			    /* 0: scopes not checked */
	const char *scopes_key;		    /* claim holding them (array or space-separated
					     * string); a '.' makes it a dot path, always
					     * (as krakend-jose); NULL refuses (JWT_SCOPES) */
	bool scopes_all;		    /* matcher "all": every scope; false: "any" */
	enum jwt_kid_strategy kid_strategy; /* default JWT_KID_KID */
};

/* jwt_claims_check - check the claims set claims (a json-c object,
 * borrowed) against pol at time now (Unix seconds).  In order: iss, aud,
 * nbf, exp, iat (go-jose's order), missing exp, roles, scopes.
 *  - exp, nbf, iat: JSON numbers, integers or with a fraction/exponent;
 *    a fraction is truncated toward zero (go-jose's NumericDate), values
 *    beyond int64 are clamped.  Another type is JWT_MALFORMED.
 *  - Bounds (go-jose ValidateWithLeeway): expired when now - leeway > exp
 *    (so exp + leeway itself is still valid), not yet valid when
 *    now + leeway < nbf, issued in the future when now + leeway < iat.
 *  - iss: a string equal to pol->issuer (absent: JWT_ISSUER; not a
 *    string: JWT_MALFORMED).
 *  - aud: a string or an array of strings (else JWT_MALFORMED); each of
 *    pol->audience must be one of them.
 * err gets a short message naming the claim (never its value).
 * Returns JWT_OK or the reason. */
enum jwt_reason jwt_claims_check(struct json_object *claims, const struct jwt_policy *pol,
				 int64_t now, struct err *err);

/* jwt_claim_find - the value at path in claims: with nested, path is split
 * at '.' and each part but the last must name an object; without, path
 * is one member name (dots included).  Returns the value (borrowed) or
 * NULL when absent. */
struct json_object *jwt_claim_find(struct json_object *claims, const char *path, bool nested);

/* jwt_claim_string - the claim at a dot path ("realm_access.roles"; a
 * path starting with "http" is one member name, as in krakend-jose) as the header value KrakenD
 * propagates (krakend-jose Claims.Get): a string as is; a number within 1e-6 of an integer as that
 * integer, another as printf "%f"; an array with each element printed
 * (strings as is, numbers as Go's %v, booleans) joined with ","; a bool
 * "true"/"false"; null "null".  Appended to out.
 * Returns 0, ERR_NOTFOUND (absent), ERR_INVALID (an object, or an array
 * holding an object, array or null), ERR_NOMEM, ERR_LIMIT (out's limit). */
int jwt_claim_string(struct json_object *claims, const char *path, struct buf *out);

#endif
