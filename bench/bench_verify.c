/* bench_verify.c - in-process verification benchmarks for `make bench`
 * (see bench/README.md).  Not part of `make check`.
 *
 *   bench_verify tokens  --jwks FILE [--rounds N] [--round-ms MS] [--algs A,B,...]
 *       Per token, the key parsed once: one token of the reference claims
 *       per alg, signed by jwtsign with a key of FILE, verified
 *       - by jwtsign: jwt_verify (strict parse, header, keyring lookup,
 *         signature, claims: iss, aud, exp) with a keyring parsed once
 *         (jwk_keyring_parse; the public JWK Set of FILE for RSA, EC and
 *         OKP, FILE itself for the oct key), as `jwtsign verify` and the
 *         authorizer do per token;
 *       - by the raw primitive on the same signing input and signature,
 *         with the same parsed key: gnutls_pubkey_verify_data2 (RS256;
 *         ES256 after gnutls_encode_rs_value, the R||S to DER conversion
 *         the raw path needs), crypto_sign_ed25519_verify_detached
 *         (EdDSA), libsodium HMAC-SHA-256 and sodium_memcmp (HS256);
 *       - by libjwt 1.10 (when built with it): jwt_decode of the same
 *         token with the same key (raw bytes for HS256, a PEM public key
 *         for RS256/ES256; libjwt 1.10 has no EdDSA), then jwt_free.
 *       Prints the `bench:` lines and a `target:` line per target of
 *       issue 14 (HS256 >= 3x libjwt; RS256, ES256, EdDSA >= 0.9x raw).
 *   bench_verify profile --jwks FILE --alg ALG --what jwtsign|raw|libjwt [--count N]
 *       Run one verification N times, for callgrind: collect with
 *       --toggle-collect='bench_op_*' to count the per-token path only.
 *
 * Rates: see bench_common.h (per CPU second of the thread, best of N
 * interleaved rounds; --clock wall for CLOCK_MONOTONIC).
 */
#include "b64.h"
#include "bench_common.h"
#include "buf.h"
#include "crypto.h"
#include "jwk.h"
#include "jwk_int.h" /* struct jwk: the parsed key, for the raw primitives */
#include "jwk_keyring.h"
#include "jwk_set.h"
#include "jws.h"
#include "jwt.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBJWT
#include <jwt.h>
#endif

/* The access_token claims of the reference backend answer
 * (tests/integration/lib.sh REFERENCE_ANSWER), as jwtsign signs them
 * (Go's encoding/json: members sorted). */
static const char reference_claims[] =
    "{\"aud\":\"https://your.krakend.io\",\"exp\":1735689600,\"iss\":\"https://your-backend\","
    "\"jti\":\"mnb23vcsrt756yuiomnbvcx98ertyuiop\",\"roles\":[\"role_a\",\"role_b\"],"
    "\"sub\":\"1234567890qwertyuio\"}";
/* The validator's policy: a KrakenD auth/validator with issuer and
 * audience, the time one minute before exp. */
static const char issuer[] = "https://your-backend";
static const char *const audience[] = {"https://your.krakend.io"};
#define VERIFY_NOW (1735689600 - 60)

/* The kid of bench/keys.json used for each alg. */
static const char *kid_for(enum jws_alg alg)
{
	switch (alg) {
	case JWS_ALG_HS256:
		return "sim2";
	case JWS_ALG_RS256:
		return "bench-rsa";
	case JWS_ALG_ES256:
		return "bench-ec";
	case JWS_ALG_EDDSA:
		return "bench-ed";
	default:
		return NULL;
	}
}

/* ------------------------------------------------------------ operations */

/* Everything one alg's three operations share. */
struct verify_ctx {
	enum jws_alg alg;
	struct jwk_keyring *ring;
	const struct jwk *key; /* borrowed from ring: the key the token names */
	struct jwt_policy pol;
	enum jws_alg algs[1];
	struct buf token; /* the compact token, NUL-terminated */
	size_t input_len; /* header '.' payload */
	uint8_t *sig;	  /* decoded signature */
	size_t siglen;
	struct jwt_token out;
#ifdef HAVE_LIBJWT
	gnutls_datum_t lkey; /* libjwt's key: secret bytes or PEM */
#endif
};

/* jwtsign: what `jwtsign verify` and the authorizer do per token. */
static int op_jwtsign(void *arg)
{
	struct verify_ctx *c = arg;
	struct err e = {0};
	enum jwt_reason r;

	r = jwt_verify(c->token.data, c->token.len, &c->pol, c->ring, VERIFY_NOW, &c->out, &e);
	jwt_token_free(&c->out);
	return r == JWT_OK ? 0 : 1000 + (int)r;
}

/* The primitive alone, key already parsed, over the same bytes. */
static int op_raw(void *arg)
{
	struct verify_ctx *c = arg;
	const struct crypto_key *k = &c->key->ck;
	const uint8_t *in = (const uint8_t *)c->token.data;

	switch (c->alg) {
	case JWS_ALG_HS256: {
		uint8_t mac[crypto_auth_hmacsha256_BYTES];
		int bad;

		crypto_auth_hmacsha256_state st;
		crypto_auth_hmacsha256_init(&st, k->secret, k->secret_len);
		crypto_auth_hmacsha256_update(&st, in, c->input_len);
		crypto_auth_hmacsha256_final(&st, mac);
		bad = c->siglen != sizeof(mac) || sodium_memcmp(mac, c->sig, sizeof(mac)) != 0;
		sodium_memzero(&st, sizeof(st));
		return bad ? ERR_INVALID : 0;
	}
	case JWS_ALG_RS256: {
		gnutls_datum_t data = {(unsigned char *)in, (unsigned)c->input_len};
		gnutls_datum_t sig = {c->sig, (unsigned)c->siglen};

		return gnutls_pubkey_verify_data2(k->pub, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig) <
			       0
			   ? ERR_INVALID
			   : 0;
	}
	case JWS_ALG_ES256: {
		gnutls_datum_t data = {(unsigned char *)in, (unsigned)c->input_len};
		gnutls_datum_t r = {c->sig, 32}, s = {c->sig + 32, 32}, der = {NULL, 0};
		int rc;

		if (c->siglen != 64 || gnutls_encode_rs_value(&der, &r, &s) < 0)
			return ERR_CRYPTO;
		rc = gnutls_pubkey_verify_data2(k->pub, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &der);
		gnutls_free(der.data);
		return rc < 0 ? ERR_INVALID : 0;
	}
	case JWS_ALG_EDDSA:
		return crypto_sign_ed25519_verify_detached(c->sig, in, c->input_len,
							   k->ed25519_pub) == 0
			   ? 0
			   : ERR_INVALID;
	default:
		return ERR_UNSUPPORTED;
	}
}

#ifdef HAVE_LIBJWT
static jwt_alg_t libjwt_alg(enum jws_alg alg)
{
	switch (alg) {
	case JWS_ALG_HS256:
		return JWT_ALG_HS256;
	case JWS_ALG_RS256:
		return JWT_ALG_RS256;
	case JWS_ALG_ES256:
		return JWT_ALG_ES256;
	default:
		return JWT_ALG_INVAL; /* EdDSA: not in libjwt 1.10 */
	}
}

/* libjwt 1.10: jwt_decode verifies the signature (when given a key) and
 * parses header and claims; it checks no claim. */
static int op_libjwt(void *arg)
{
	struct verify_ctx *c = arg;
	jwt_t *jwt = NULL;
	int rc;

	rc = jwt_decode(&jwt, c->token.data, c->lkey.data, (int)c->lkey.size);
	if (rc == 0 && jwt_get_alg(jwt) != libjwt_alg(c->alg))
		rc = -1;
	jwt_free(jwt);
	return rc == 0 ? 0 : ERR_INVALID;
}

/* The key as libjwt wants it: the raw secret for HMAC, a PEM
 * SubjectPublicKeyInfo (exported from the GnuTLS key jwtsign parsed)
 * otherwise. */
static int libjwt_key(const struct jwk *key, gnutls_datum_t *out)
{
	if (key->kty == JWK_KTY_OCT) {
		out->data = gnutls_malloc(key->ck.secret_len);
		if (out->data == NULL)
			return -1;
		memcpy(out->data, key->ck.secret, key->ck.secret_len);
		out->size = (unsigned)key->ck.secret_len;
		return 0;
	}
	return gnutls_pubkey_export2(key->ck.pub, GNUTLS_X509_FMT_PEM, out) < 0 ? -1 : 0;
}
#endif

/* What is timed and profiled: callgrind collects inside bench_op_*
 * only (--toggle-collect), so the checks of ctx_init, which call op_*
 * directly, stay out of the per-token counts. */
__attribute__((noinline)) int bench_op_jwtsign(void *arg)
{
	return op_jwtsign(arg);
}

__attribute__((noinline)) int bench_op_raw(void *arg)
{
	return op_raw(arg);
}

#ifdef HAVE_LIBJWT
__attribute__((noinline)) int bench_op_libjwt(void *arg)
{
	return op_libjwt(arg);
}
#endif

/* ------------------------------------------------------------ setup */

struct opts {
	const char *mode, *jwks, *alg, *what, *algs;
	unsigned rounds;
	double round_s;
	unsigned long count;
};

static enum jws_alg alg_or_die(const char *name)
{
	enum jws_alg alg;

	if (name == NULL || alg_from_name(name, &alg) != 0 || kid_for(alg) == NULL)
		die("--alg", "missing, or not one of HS256, RS256, ES256, EdDSA");
	return alg;
}

/* Sign the reference claims with FILE's key for alg, parse the keyring a
 * validator would hold, and check that all three operations accept the
 * token. */
static void ctx_init(struct verify_ctx *c, const struct opts *o, enum jws_alg alg)
{
	struct jwk_limits lim = {1 << 20, 100};
	const char *kid = kid_for(alg);
	struct jwk *signer = NULL;
	struct buf pub = BUF_INIT;
	struct err e = {0};
	size_t len;
	char *doc = read_file(o->jwks, &len);
	const char *dot;

	memset(c, 0, sizeof(*c));
	c->alg = alg;
	if (jwk_set_select(doc, len, &kid, 1, alg, &lim, &signer, &e) != 0)
		die(o->jwks, e.msg);
	if (jws_sign_compact(&c->token, signer, alg, "JWT", (const uint8_t *)reference_claims,
			     strlen(reference_claims), &e) != 0 ||
	    buf_append(&c->token, "", 1) != 0)
		die(alg_name(alg), "jwtsign cannot sign the reference claims");
	c->token.len--; /* the NUL stays after the token, for libjwt */
	jwk_free(signer);
	/* A validator of an asymmetric alg holds the public JWK Set. */
	if (alg == JWS_ALG_HS256) {
		if (jwk_keyring_parse(doc, len, &lim, &c->ring, &e) != 0)
			die(o->jwks, e.msg);
	} else if (jwk_set_public(doc, len, &lim, &pub, &e) != 0 ||
		   jwk_keyring_parse(pub.data, pub.len, &lim, &c->ring, &e) != 0) {
		die(o->jwks, e.msg);
	}
	buf_free(&pub);
	sodium_memzero(doc, len);
	free(doc);
	if (jwk_keyring_find(c->ring, kid, alg, &c->key, &e) != 0)
		die(kid, e.msg);
	c->algs[0] = alg;
	c->pol = (struct jwt_policy){.algs = c->algs,
				     .nalgs = 1,
				     .issuer = issuer,
				     .audience = audience,
				     .naudience = 1,
				     .require_exp = true};
	dot = strrchr(c->token.data, '.');
	c->input_len = (size_t)(dot - c->token.data);
	if (b64url_decode(dot + 1, c->token.len - c->input_len - 1, &c->sig, &c->siglen) != 0)
		die(alg_name(alg), "the signature is not base64url");
	if (op_jwtsign(c) != 0)
		die(alg_name(alg), "jwt_verify refuses jwtsign's own token");
	if (op_raw(c) != 0)
		die(alg_name(alg), "the raw primitive refuses jwtsign's own token");
#ifdef HAVE_LIBJWT
	if (libjwt_alg(alg) != JWT_ALG_INVAL) {
		if (libjwt_key(c->key, &c->lkey) != 0)
			die(alg_name(alg), "cannot export the key for libjwt");
		if (op_libjwt(c) != 0)
			die(alg_name(alg), "libjwt refuses jwtsign's token");
	}
#endif
	/* And a verifier that accepts everything would be fast: a token with
	 * one payload byte changed must be refused by all three. */
	{
		size_t p = (size_t)(strchr(c->token.data, '.') - c->token.data) + 2;
		char saved = c->token.data[p];

		c->token.data[p] = saved == 'A' ? 'B' : 'A';
		if (op_jwtsign(c) == 0 || op_raw(c) == 0)
			die(alg_name(alg), "a changed token verifies");
#ifdef HAVE_LIBJWT
		if (c->lkey.data && op_libjwt(c) == 0)
			die(alg_name(alg), "libjwt accepts a changed token");
#endif
		c->token.data[p] = saved;
	}
}

static void ctx_free(struct verify_ctx *c)
{
	jwt_token_free(&c->out);
	jwk_keyring_free(c->ring);
	buf_free(&c->token);
	free(c->sig);
#ifdef HAVE_LIBJWT
	if (c->lkey.data) {
		sodium_memzero(c->lkey.data, c->lkey.size);
		gnutls_free(c->lkey.data);
	}
#endif
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------ modes */

static void tokens_one_alg(const struct opts *o, enum jws_alg alg)
{
	const char *name = alg_name(alg);
	struct verify_ctx c;
	struct bench bs[3];
	size_t n = 0;
	char nm[3][64], fig[64];

	ctx_init(&c, o, alg);
	snprintf(nm[0], sizeof(nm[0]), "jwtsign-verify-%s", name);
	snprintf(nm[1], sizeof(nm[1]), "raw-verify-%s", name);
	bs[n++] = (struct bench){nm[0], bench_op_jwtsign, &c, 0, 0};
	bs[n++] = (struct bench){nm[1], bench_op_raw, &c, 0, 0};
#ifdef HAVE_LIBJWT
	if (c.lkey.data) {
		snprintf(nm[2], sizeof(nm[2]), "libjwt-decode-%s", name);
		bs[n++] = (struct bench){nm[2], bench_op_libjwt, &c, 0, 0};
	}
#endif
	printf("# %s: token of %zu bytes, keyring of %zu keys\n", name, c.token.len,
	       jwk_keyring_count(c.ring));
	run_interleaved(bs, n, o->rounds, o->round_s);

	snprintf(fig, sizeof(fig), "verify-%s", name);
	figure(fig, bs[0].best, "tokens/s", bs[1].name, bs[1].best, "verify/s");
	snprintf(fig, sizeof(fig), "verify-%s-overhead", name);
	figure(fig, 1e6 / bs[0].best - 1e6 / bs[1].best, "us/token", bs[1].name, 1e6 / bs[1].best,
	       "us/verify");
	if (alg != JWS_ALG_HS256) {
		snprintf(fig, sizeof(fig), "verify-%s-vs-raw", name);
		target(fig, bs[0].best, bs[1].best, 0.9);
	}
	if (n == 3) {
		snprintf(fig, sizeof(fig), "verify-%s-vs-libjwt", name);
		figure(fig, bs[0].best, "tokens/s", bs[2].name, bs[2].best, "tokens/s");
		if (alg == JWS_ALG_HS256)
			target(fig, bs[0].best, bs[2].best, 3.0);
	} else {
		printf("# verify-%s-vs-libjwt: not measured: %s\n", name,
#ifdef HAVE_LIBJWT
		       "libjwt 1.10 has no such alg"
#else
		       "built without libjwt (apt-get install libjwt-dev, then configure again)"
#endif
		);
		if (alg == JWS_ALG_HS256)
			printf("target: verify-HS256-vs-libjwt: not measurable (no libjwt)\n");
	}
	fflush(stdout);
	ctx_free(&c);
}

static int mode_tokens(const struct opts *o)
{
	const char *list = o->algs ? o->algs : "HS256,RS256,ES256,EdDSA";
	char *copy = strdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		tokens_one_alg(o, alg_or_die(t));
	free(copy);
	return 0;
}

static int mode_profile(const struct opts *o)
{
	enum jws_alg alg = alg_or_die(o->alg);
	struct verify_ctx c;
	int (*fn)(void *) = NULL;

	ctx_init(&c, o, alg);
	if (o->what == NULL || strcmp(o->what, "jwtsign") == 0)
		fn = bench_op_jwtsign;
	else if (strcmp(o->what, "raw") == 0)
		fn = bench_op_raw;
#ifdef HAVE_LIBJWT
	else if (strcmp(o->what, "libjwt") == 0 && c.lkey.data)
		fn = bench_op_libjwt;
#endif
	else
		die("--what", "jwtsign, raw or libjwt (built with libjwt; not EdDSA)");
	for (unsigned long i = 0; i < o->count; i++)
		if (fn(&c) != 0)
			die(o->alg, "operation failed");
	printf("profiled %lu x %s %s\n", o->count, o->what ? o->what : "jwtsign", o->alg);
	ctx_free(&c);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_verify tokens  --jwks FILE [--rounds N] [--round-ms MS] [--algs "
		"LIST]\n"
		"       bench_verify profile --jwks FILE --alg ALG --what jwtsign|raw|libjwt "
		"[--count N]\n"
		"common: [--clock cpu|wall]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	struct opts o = {0};

	bench_prog = "bench_verify";
	o.rounds = 5;
	o.round_s = 0.2;
	o.count = 2000;
	if (argc < 2)
		usage();
	o.mode = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(a, "--jwks") == 0)
			o.jwks = v;
		else if (strcmp(a, "--alg") == 0)
			o.alg = v;
		else if (strcmp(a, "--algs") == 0)
			o.algs = v;
		else if (strcmp(a, "--what") == 0)
			o.what = v;
		else if (strcmp(a, "--rounds") == 0)
			o.rounds = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "--round-ms") == 0)
			o.round_s = strtod(v, NULL) / 1000.0;
		else if (strcmp(a, "--count") == 0)
			o.count = strtoul(v, NULL, 10);
		else if (strcmp(a, "--clock") == 0)
			bench_clock =
			    strcmp(v, "wall") == 0 ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID;
		else
			usage();
		i++;
	}
	if (o.jwks == NULL || o.rounds == 0 || o.round_s <= 0)
		usage();
	if (sodium_init() < 0)
		die("libsodium", "initialisation failed");
	if (strcmp(o.mode, "tokens") == 0)
		return mode_tokens(&o);
	if (strcmp(o.mode, "profile") == 0)
		return mode_profile(&o);
	usage();
	return 64;
}
