/* alg.h - the JOSE algorithm registry, at the bottom of the JOSE core:
 * the JWS "alg" values this program signs with (RFC 7518 section 3.1,
 * RFC 8037 section 3.1), the JWK key types (RFC 7518 section 6.1) and
 * curves (RFC 7518 section 6.2.1.1, RFC 8037 section 2), and ONE table
 * entry per algorithm saying what it needs.
 *
 * This header includes nothing of jwtsign's: the primitives (crypto*),
 * the JWK layer (jwk*, pem) and the JWS layer (jws) all build on it.
 */
#ifndef JWTSIGN_ALG_H
#define JWTSIGN_ALG_H

#include <stddef.h>

/* JWS "alg" values this program signs with (RFC 7518 section 3.1,
 * RFC 8037 section 3.1).  JWS_ALG_INVALID is never used to sign. */
enum jws_alg {
	JWS_ALG_INVALID = 0,
	JWS_ALG_HS256,
	JWS_ALG_HS384,
	JWS_ALG_HS512,
	JWS_ALG_RS256,
	JWS_ALG_RS384,
	JWS_ALG_RS512,
	JWS_ALG_PS256,
	JWS_ALG_PS384,
	JWS_ALG_PS512,
	JWS_ALG_ES256,
	JWS_ALG_ES384,
	JWS_ALG_ES512,
	JWS_ALG_EDDSA,
};

/* JWK "kty" values (RFC 7518 section 6.1, RFC 8037 section 2).
 * JWK_KTY_NONE: no key type (never the type of a parsed key). */
enum jwk_kty { JWK_KTY_NONE = 0, JWK_KTY_OCT, JWK_KTY_RSA, JWK_KTY_EC, JWK_KTY_OKP };

/* JWK "crv" values usable for JWS (RFC 7518 section 6.2.1.1, RFC 8037
 * section 2).  JWK_CRV_NONE: no curve (oct and RSA keys). */
enum jwk_crv { JWK_CRV_NONE = 0, JWK_CRV_P256, JWK_CRV_P384, JWK_CRV_P521, JWK_CRV_ED25519 };

/* How an alg signs.  ALG_FAMILY_NONE only for JWS_ALG_INVALID. */
enum alg_family {
	ALG_FAMILY_NONE = 0,
	ALG_FAMILY_HMAC,
	ALG_FAMILY_RSA_PKCS1,
	ALG_FAMILY_RSA_PSS,
	ALG_FAMILY_ECDSA,
	ALG_FAMILY_EDDSA,
};

/* The hash an alg uses.  ALG_HASH_NONE for EdDSA (Ed25519 hashes the
 * message itself, RFC 8032) and JWS_ALG_INVALID. */
enum alg_hash { ALG_HASH_NONE = 0, ALG_HASH_SHA256, ALG_HASH_SHA384, ALG_HASH_SHA512 };

/* What one JWS alg is and needs.  From alg_info(). */
struct alg_info {
	enum jws_alg alg;
	const char *name; /* registered name, e.g. "ES256" */
	enum alg_family family;
	enum alg_hash hash;
	size_t hash_len;  /* digest bytes (HMAC output, PSS salt); 0 for EdDSA */
	size_t sig_len;	  /* signature bytes; 0 for RS* and PS* (the modulus size) */
	enum jwk_kty kty; /* key type it needs */
	enum jwk_crv crv; /* ES*: the curve; EdDSA: Ed25519; else JWK_CRV_NONE */
};

/* alg_from_name - map an "alg" name (exact, case-sensitive: "HS256",
 * ..., "EdDSA") to *out.  "none", "" and unknown names are ERR_UNSUPPORTED. */
int alg_from_name(const char *name, enum jws_alg *out);

/* alg_name - the registered name of alg (static storage), or NULL for
 * JWS_ALG_INVALID and out-of-range values. */
const char *alg_name(enum jws_alg alg);

/* alg_info - the table entry for alg (static storage), or NULL for
 * JWS_ALG_INVALID and out-of-range values. */
const struct alg_info *alg_info(enum jws_alg alg);

/* alg_kty_from_name - map a "kty" name (exact: "oct", "RSA", "EC", "OKP")
 * to *out.  Other names are ERR_UNSUPPORTED (*out unchanged). */
int alg_kty_from_name(const char *name, enum jwk_kty *out);

/* alg_kty_name - "oct", "RSA", "EC", "OKP"; "?" for JWK_KTY_NONE. */
const char *alg_kty_name(enum jwk_kty kty);

/* alg_crv_name - "P-256", "P-384", "P-521", "Ed25519"; NULL for
 * JWK_CRV_NONE. */
const char *alg_crv_name(enum jwk_crv crv);

/* alg_crv_from_name - the curve named name (exact), or JWK_CRV_NONE
 * (also for NULL). */
enum jwk_crv alg_crv_from_name(const char *name);

/* alg_crv_size - bytes of a coordinate / private scalar: 32, 48, 66
 * (RFC 7518 section 6.2.1.2), 32 for Ed25519; 0 for JWK_CRV_NONE. */
size_t alg_crv_size(enum jwk_crv crv);

#endif
