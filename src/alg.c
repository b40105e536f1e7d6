/* alg.c - the JOSE algorithm, key type and curve tables; see alg.h. */
#include "alg.h"
#include "err.h"

#include <string.h>

/* RFC 7518 section 3.1 and RFC 8037 section 3.1, indexed by enum jws_alg. */
static const struct alg_info alg_table[] = {
    {JWS_ALG_INVALID, NULL, ALG_FAMILY_NONE, ALG_HASH_NONE, 0, 0, JWK_KTY_NONE, JWK_CRV_NONE},
    {JWS_ALG_HS256, "HS256", ALG_FAMILY_HMAC, ALG_HASH_SHA256, 32, 32, JWK_KTY_OCT, JWK_CRV_NONE},
    {JWS_ALG_HS384, "HS384", ALG_FAMILY_HMAC, ALG_HASH_SHA384, 48, 48, JWK_KTY_OCT, JWK_CRV_NONE},
    {JWS_ALG_HS512, "HS512", ALG_FAMILY_HMAC, ALG_HASH_SHA512, 64, 64, JWK_KTY_OCT, JWK_CRV_NONE},
    {JWS_ALG_RS256, "RS256", ALG_FAMILY_RSA_PKCS1, ALG_HASH_SHA256, 32, 0, JWK_KTY_RSA,
     JWK_CRV_NONE},
    {JWS_ALG_RS384, "RS384", ALG_FAMILY_RSA_PKCS1, ALG_HASH_SHA384, 48, 0, JWK_KTY_RSA,
     JWK_CRV_NONE},
    {JWS_ALG_RS512, "RS512", ALG_FAMILY_RSA_PKCS1, ALG_HASH_SHA512, 64, 0, JWK_KTY_RSA,
     JWK_CRV_NONE},
    {JWS_ALG_PS256, "PS256", ALG_FAMILY_RSA_PSS, ALG_HASH_SHA256, 32, 0, JWK_KTY_RSA, JWK_CRV_NONE},
    {JWS_ALG_PS384, "PS384", ALG_FAMILY_RSA_PSS, ALG_HASH_SHA384, 48, 0, JWK_KTY_RSA, JWK_CRV_NONE},
    {JWS_ALG_PS512, "PS512", ALG_FAMILY_RSA_PSS, ALG_HASH_SHA512, 64, 0, JWK_KTY_RSA, JWK_CRV_NONE},
    {JWS_ALG_ES256, "ES256", ALG_FAMILY_ECDSA, ALG_HASH_SHA256, 32, 64, JWK_KTY_EC, JWK_CRV_P256},
    {JWS_ALG_ES384, "ES384", ALG_FAMILY_ECDSA, ALG_HASH_SHA384, 48, 96, JWK_KTY_EC, JWK_CRV_P384},
    {JWS_ALG_ES512, "ES512", ALG_FAMILY_ECDSA, ALG_HASH_SHA512, 64, 132, JWK_KTY_EC, JWK_CRV_P521},
    {JWS_ALG_EDDSA, "EdDSA", ALG_FAMILY_EDDSA, ALG_HASH_NONE, 0, 64, JWK_KTY_OKP, JWK_CRV_ED25519},
};

#define ALG_COUNT (sizeof(alg_table) / sizeof(alg_table[0]))

int alg_from_name(const char *name, enum jws_alg *out)
{
	for (size_t i = 1; name && i < ALG_COUNT; i++) {
		if (strcmp(alg_table[i].name, name) == 0) {
			*out = (enum jws_alg)i;
			return 0;
		}
	}
	return ERR_UNSUPPORTED;
}

const struct alg_info *alg_info(enum jws_alg alg)
{
	if (alg <= JWS_ALG_INVALID || (size_t)alg >= ALG_COUNT)
		return NULL;
	return &alg_table[alg];
}

const char *alg_name(enum jws_alg alg)
{
	const struct alg_info *a = alg_info(alg);

	return a ? a->name : NULL;
}

int alg_kty_from_name(const char *s, enum jwk_kty *out)
{
	static const struct {
		const char *name;
		enum jwk_kty kty;
	} map[] = {
	    {"oct", JWK_KTY_OCT}, {"RSA", JWK_KTY_RSA}, {"EC", JWK_KTY_EC}, {"OKP", JWK_KTY_OKP}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, s) == 0) {
			*out = map[i].kty;
			return 0;
		}
	}
	return ERR_UNSUPPORTED;
}

const char *alg_kty_name(enum jwk_kty kty)
{
	switch (kty) {
	case JWK_KTY_OCT:
		return "oct";
	case JWK_KTY_RSA:
		return "RSA";
	case JWK_KTY_EC:
		return "EC";
	case JWK_KTY_OKP:
		return "OKP";
	case JWK_KTY_NONE:
		break;
	}
	return "?";
}

static const struct {
	enum jwk_crv crv;
	const char *name;
	size_t size;
} curve_table[] = {
    {JWK_CRV_P256, "P-256", 32},
    {JWK_CRV_P384, "P-384", 48},
    {JWK_CRV_P521, "P-521", 66},
    {JWK_CRV_ED25519, "Ed25519", 32},
};

#define CURVE_COUNT (sizeof(curve_table) / sizeof(curve_table[0]))

const char *alg_crv_name(enum jwk_crv crv)
{
	for (size_t i = 0; i < CURVE_COUNT; i++)
		if (curve_table[i].crv == crv)
			return curve_table[i].name;
	return NULL;
}

enum jwk_crv alg_crv_from_name(const char *name)
{
	for (size_t i = 0; name && i < CURVE_COUNT; i++)
		if (strcmp(curve_table[i].name, name) == 0)
			return curve_table[i].crv;
	return JWK_CRV_NONE;
}

size_t alg_crv_size(enum jwk_crv crv)
{
	for (size_t i = 0; i < CURVE_COUNT; i++)
		if (curve_table[i].crv == crv)
			return curve_table[i].size;
	return 0;
}
