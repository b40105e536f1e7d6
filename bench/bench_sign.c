/* bench_sign.c - in-process signing benchmarks for `make bench` (see
 * bench/README.md).  Not part of `make check`.
 *
 *   bench_sign tokens  --jwks FILE [--rounds N] [--round-ms MS] [--algs A,B,...]
 *       Per-token signing of the reference access_token claims, for each
 *       alg: jwtsign's path (what `jwtsign sign` does per line: gojson_parse,
 *       gojson_write, jws_sign_compact) against the raw primitive on a
 *       signing input of the same bytes with the key already parsed
 *       (libsodium HMAC-SHA-256 / GnuTLS sign / libsodium Ed25519), and
 *       against libjwt (when built with it) signing the same claims with
 *       the same key.  Prints the `bench:` lines.
 *   bench_sign lines   --jwks FILE --kid KID --alg ALG --input FILE [--rounds N]
 *       The same per-token path over every line of a JSON Lines file, in
 *       memory (the reference for the batch CLI figure).  Prints
 *       "rate=TOKENS_PER_SECOND".
 *   bench_sign rsa-raw --jwks FILE [--rounds N] [--round-ms MS]
 *       GnuTLS RSA-2048 PKCS#1 v1.5 signatures of a SHA-256 digest (what
 *       `openssl speed rsa2048` measures).  Prints "rate=SIGNS_PER_SECOND".
 *   bench_sign profile --jwks FILE --alg ALG --what jwtsign|raw|libjwt|rsa-raw
 *                      [--count N]
 *       Run one operation N times, for callgrind: collect with
 *       --toggle-collect='bench_op_*' to count the per-token path only.
 *
 * Rates: see bench_common.h (per CPU second of the thread, best of N
 * interleaved rounds; --clock wall for CLOCK_MONOTONIC).
 */
#include "bench_common.h"
#include "buf.h"
#include "crypto.h"
#include "gojson.h"
#include "jwk.h"
#include "jwk_int.h" /* struct jwk: the parsed key, for the raw primitives */
#include "jwk_set.h"
#include "jws.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_LIBJWT
#include <jwt.h>
#endif

/* The access_token claims of the reference backend answer
 * (tests/integration/lib.sh REFERENCE_ANSWER), as the backend sends them. */
static const char reference_claims[] =
    "{\"aud\":\"https://your.krakend.io\",\"iss\":\"https://your-backend\","
    "\"sub\":\"1234567890qwertyuio\",\"jti\":\"mnb23vcsrt756yuiomnbvcx98ertyuiop\","
    "\"roles\":[\"role_a\",\"role_b\"],\"exp\":1735689600}";

/* The kid of bench/keys.json used for each alg. */
static const char *kid_for(enum jws_alg alg)
{
	switch (alg) {
	case JWS_ALG_HS256:
	case JWS_ALG_HS384:
	case JWS_ALG_HS512:
		return "sim2";
	case JWS_ALG_RS256:
	case JWS_ALG_RS384:
	case JWS_ALG_RS512:
	case JWS_ALG_PS256:
	case JWS_ALG_PS384:
	case JWS_ALG_PS512:
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

/* jwtsign's per-token path: cli.c sign_line() without the stdout write. */
struct jwtsign_op {
	const struct jwk *key;
	enum jws_alg alg;
	const char *claims;
	size_t claims_len;
	struct buf payload, out;
};

__attribute__((noinline)) int bench_op_jwtsign(void *arg)
{
	struct jwtsign_op *c = arg;
	struct gojson_limits lim = {128, 100000};
	struct json_object *obj = NULL;
	struct err e = {0};
	int rc;

	rc = gojson_parse(c->claims, c->claims_len, &lim, &obj, &e);
	if (rc)
		return rc;
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return ERR_INVALID;
	}
	buf_reset(&c->payload);
	rc = gojson_write(&c->payload, obj, &e);
	json_object_put(obj);
	if (rc)
		return rc;
	buf_reset(&c->out);
	return jws_sign_compact(&c->out, c->key, c->alg, "JWT", (const uint8_t *)c->payload.data,
				c->payload.len, &e);
}

/* The primitive alone, key already parsed, over the same signing input. */
struct raw_op {
	const struct jwk *key;
	enum jws_alg alg;
	const uint8_t *input;
	size_t len;
	uint8_t sig[64];
};

__attribute__((noinline)) int bench_op_raw(void *arg)
{
	struct raw_op *c = arg;
	const struct alg_info *a = alg_info(c->alg);

	switch (a->family) {
	case ALG_FAMILY_HMAC: {
		crypto_auth_hmacsha256_state st;

		if (c->alg != JWS_ALG_HS256)
			return ERR_UNSUPPORTED;
		crypto_auth_hmacsha256_init(&st, c->key->ck.secret, c->key->ck.secret_len);
		crypto_auth_hmacsha256_update(&st, c->input, c->len);
		crypto_auth_hmacsha256_final(&st, c->sig);
		return 0;
	}
	case ALG_FAMILY_RSA_PKCS1:
	case ALG_FAMILY_RSA_PSS:
	case ALG_FAMILY_ECDSA: {
		gnutls_datum_t data = {(unsigned char *)c->input, (unsigned)c->len};
		gnutls_datum_t out = {NULL, 0};
		unsigned flags = a->family == ALG_FAMILY_RSA_PSS
				     ? GNUTLS_PRIVKEY_FLAG_RSA_PSS_FIXED_SALT_LENGTH
				     : 0;

		if (gnutls_privkey_sign_data2(c->key->ck.priv, crypto_gnutls_sign(a), flags, &data,
					      &out) < 0)
			return ERR_CRYPTO;
		gnutls_free(out.data);
		return 0;
	}
	case ALG_FAMILY_EDDSA:
		return crypto_sign_ed25519_detached(c->sig, NULL, c->input, c->len,
						    c->key->ck.secret) == 0
			   ? 0
			   : ERR_CRYPTO;
	case ALG_FAMILY_NONE:
		break;
	}
	return ERR_INTERNAL;
}

/* Two HMAC-SHA-256 alternatives, to size proposed changes: GnuTLS's
 * (nettle: SHA-NI / assembly where the CPU has it), and libsodium's with
 * the key schedule done once (the state after init copied per token). */
__attribute__((noinline)) int bench_op_hmac_gnutls(void *arg)
{
	struct raw_op *c = arg;

	return gnutls_hmac_fast(GNUTLS_MAC_SHA256, c->key->ck.secret, c->key->ck.secret_len,
				c->input, c->len, c->sig) < 0
		   ? ERR_CRYPTO
		   : 0;
}

struct hmac_keyed_op {
	struct raw_op *raw;
	crypto_auth_hmacsha256_state keyed;
};

__attribute__((noinline)) int bench_op_hmac_keyed(void *arg)
{
	struct hmac_keyed_op *c = arg;
	crypto_auth_hmacsha256_state st = c->keyed;

	crypto_auth_hmacsha256_update(&st, c->raw->input, c->raw->len);
	crypto_auth_hmacsha256_final(&st, c->raw->sig);
	sodium_memzero(&st, sizeof(st));
	return 0;
}

/* GnuTLS RSA PKCS#1 v1.5 over a precomputed SHA-256 digest. */
struct rsa_raw_op {
	gnutls_privkey_t priv;
	uint8_t digest[32];
};

__attribute__((noinline)) int bench_op_rsa_raw(void *arg)
{
	struct rsa_raw_op *c = arg;
	gnutls_datum_t hash = {c->digest, sizeof(c->digest)};
	gnutls_datum_t out = {NULL, 0};

	if (gnutls_privkey_sign_hash2(c->priv, GNUTLS_SIGN_RSA_SHA256, 0, &hash, &out) < 0)
		return ERR_CRYPTO;
	gnutls_free(out.data);
	return 0;
}

#ifdef HAVE_LIBJWT
/* libjwt: one jwt_t with the key set once; per token the grants are
 * replaced by the claims text and the token encoded (libjwt re-reads a
 * PEM key inside every jwt_encode_str: that is its API's cost). */
struct libjwt_op {
	jwt_t *jwt;
	const char *claims;
	char *last;
};

__attribute__((noinline)) int bench_op_libjwt(void *arg)
{
	struct libjwt_op *c = arg;
	char *s;

	jwt_del_grants(c->jwt, NULL);
	if (jwt_add_grants_json(c->jwt, c->claims) != 0)
		return ERR_INVALID;
	s = jwt_encode_str(c->jwt);
	if (s == NULL)
		return ERR_CRYPTO;
	free(c->last);
	c->last = s;
	return 0;
}

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
		return JWT_ALG_INVAL; /* PS256, EdDSA: not in libjwt 1.10 */
	}
}

/* The key as libjwt wants it: raw bytes for HMAC, a PKCS#8 PEM (exported
 * from the GnuTLS key jwtsign parsed) otherwise.  Caller frees *out with
 * gnutls_free after wiping. */
static int libjwt_key(const struct jwk *key, gnutls_datum_t *out)
{
	gnutls_x509_privkey_t x = NULL;
	int rc;

	if (key->kty == JWK_KTY_OCT) {
		out->data = gnutls_malloc(key->ck.secret_len);
		if (out->data == NULL)
			return -1;
		memcpy(out->data, key->ck.secret, key->ck.secret_len);
		out->size = (unsigned)key->ck.secret_len;
		return 0;
	}
	if (gnutls_privkey_export_x509(key->ck.priv, &x) < 0)
		return -1;
	rc =
	    gnutls_x509_privkey_export2_pkcs8(x, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, out);
	gnutls_x509_privkey_deinit(x);
	return rc < 0 ? -1 : 0;
}
#endif

/* ------------------------------------------------------------ setup */

struct opts {
	const char *mode, *jwks, *kid, *alg, *input, *what, *algs;
	unsigned rounds;
	double round_s;
	unsigned long count;
};

static struct jwk *load_key(const struct opts *o, enum jws_alg alg, const char *kid)
{
	struct jwk_limits lim = {1 << 20, 100};
	struct jwk *key = NULL;
	struct err e = {0};
	size_t len;
	char *doc = read_file(o->jwks, &len);

	if (jwk_set_select(doc, len, &kid, 1, alg, &lim, &key, &e) != 0)
		die(o->jwks, e.msg);
	sodium_memzero(doc, len);
	free(doc);
	return key;
}

static enum jws_alg alg_or_die(const char *name)
{
	enum jws_alg alg;

	if (name == NULL || alg_from_name(name, &alg) != 0)
		die("--alg", "missing or not a JWS algorithm");
	return alg;
}

/* The signing input (header '.' payload) of a jwtsign token. */
static void signing_input_of(const struct buf *token, const uint8_t **p, size_t *len)
{
	const char *dot = strrchr(token->data, '.');

	if (dot == NULL)
		die("token", "no '.'");
	*p = (const uint8_t *)token->data;
	*len = (size_t)(dot - token->data);
}

/* ------------------------------------------------------------ modes */

static void tokens_one_alg(const struct opts *o, enum jws_alg alg)
{
	const char *name = alg_name(alg);
	struct jwk *key = load_key(o, alg, kid_for(alg));
	struct jwtsign_op js = {key,	  alg,	   reference_claims, strlen(reference_claims),
				BUF_INIT, BUF_INIT};
	struct raw_op raw = {key, alg, NULL, 0, {0}};
	struct hmac_keyed_op keyed;
	struct bench bs[3], hs[3];
	size_t n = 0;
	char nm[3][64], fig[64];
#ifdef HAVE_LIBJWT
	struct libjwt_op lj = {NULL, reference_claims, NULL};
	gnutls_datum_t lkey = {NULL, 0};
#endif

	if (bench_op_jwtsign(&js) != 0)
		die(name, "jwtsign could not sign the reference claims");
	signing_input_of(&js.out, &raw.input, &raw.len);
	/* raw.input points into js.out, which the next jwtsign operation
	 * rewrites with the same bytes (for ES/PS the signature part differs,
	 * not the input): keep a copy all the same. */
	raw.input = (const uint8_t *)strndup((const char *)raw.input, raw.len);
	snprintf(nm[0], sizeof(nm[0]), "jwtsign-%s", name);
	snprintf(nm[1], sizeof(nm[1]), "raw-%s", name);
	bs[n++] = (struct bench){nm[0], bench_op_jwtsign, &js, 0, 0};
	bs[n++] = (struct bench){nm[1], bench_op_raw, &raw, 0, 0};
#ifdef HAVE_LIBJWT
	if (libjwt_alg(alg) != JWT_ALG_INVAL) {
		if (libjwt_key(key, &lkey) != 0 || jwt_new(&lj.jwt) != 0 ||
		    jwt_set_alg(lj.jwt, libjwt_alg(alg), lkey.data, (int)lkey.size) != 0 ||
		    jwt_add_header(lj.jwt, "kid", kid_for(alg)) != 0)
			die(name, "libjwt setup failed");
		if (bench_op_libjwt(&lj) != 0)
			die(name, "libjwt could not sign the reference claims");
		snprintf(nm[2], sizeof(nm[2]), "libjwt-%s", name);
		bs[n++] = (struct bench){nm[2], bench_op_libjwt, &lj, 0, 0};
		/* Both encode the claims as compact JSON with sorted keys: the
		 * payload segments should be the same bytes. */
		{
			const char *a = strchr(js.out.data, '.'), *b = strchr(lj.last, '.');
			size_t la = (size_t)(strrchr(js.out.data, '.') - a);
			size_t lb = (size_t)(strrchr(lj.last, '.') - b);

			printf("# %s: payload segment %s libjwt's\n", name,
			       la == lb && memcmp(a, b, la) == 0 ? "identical to" : "DIFFERS from");
		}
	}
#endif
	run_interleaved(bs, n, o->rounds, o->round_s);
	if (alg == JWS_ALG_HS256) {
		keyed.raw = &raw;
		crypto_auth_hmacsha256_init(&keyed.keyed, key->ck.secret, key->ck.secret_len);
		hs[0] = (struct bench){"raw-HS256", bench_op_raw, &raw, 0, 0};
		hs[1] = (struct bench){"gnutls-HS256", bench_op_hmac_gnutls, &raw, 0, 0};
		hs[2] = (struct bench){"keyed-HS256", bench_op_hmac_keyed, &keyed, 0, 0};
		run_interleaved(hs, 3, o->rounds, o->round_s);
		sodium_memzero(&keyed.keyed, sizeof(keyed.keyed));
	}

	snprintf(fig, sizeof(fig), "sign-%s", name);
	figure(fig, bs[0].best, "tokens/s", bs[1].name, bs[1].best, "sig/s");
	snprintf(fig, sizeof(fig), "sign-%s-overhead", name);
	figure(fig, 1e6 / bs[0].best - 1e6 / bs[1].best, "us/token", bs[1].name, 1e6 / bs[1].best,
	       "us/sig");
	if (alg == JWS_ALG_HS256) {
		figure("hmac-HS256-gnutls", hs[1].best, "sig/s", "raw-HS256-libsodium", hs[0].best,
		       "sig/s");
		figure("hmac-HS256-keyed-once", hs[2].best, "sig/s", "raw-HS256-libsodium",
		       hs[0].best, "sig/s");
	}
	if (n == 3) {
		snprintf(fig, sizeof(fig), "sign-%s-vs-libjwt", name);
		figure(fig, bs[0].best, "tokens/s", bs[2].name, bs[2].best, "tokens/s");
	} else {
		printf("# sign-%s-vs-libjwt: not measured: %s\n", name,
#ifdef HAVE_LIBJWT
		       "libjwt 1.10 has no such alg"
#else
		       "built without libjwt (apt-get install libjwt-dev, then configure again)"
#endif
		);
	}
#ifdef HAVE_LIBJWT
	if (lj.jwt)
		jwt_free(lj.jwt);
	free(lj.last);
	if (lkey.data) {
		sodium_memzero(lkey.data, lkey.size);
		gnutls_free(lkey.data);
	}
#endif
	free((void *)raw.input);
	buf_free(&js.payload);
	buf_free(&js.out);
	jwk_free(key);
}

static int mode_tokens(const struct opts *o)
{
	const char *list = o->algs ? o->algs : "HS256,RS256,PS256,ES256,EdDSA";
	char *copy = strdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		tokens_one_alg(o, alg_or_die(t));
	free(copy);
	return 0;
}

/* Every line of a JSON Lines file through the per-token path. */
struct lines_op {
	struct jwtsign_op js;
	char *doc;
	size_t len;
};

__attribute__((noinline)) int bench_op_lines(void *arg)
{
	struct lines_op *c = arg;
	char *p = c->doc, *end = c->doc + c->len;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int rc;

		if (n > 0) {
			c->js.claims = p;
			c->js.claims_len = n;
			if ((rc = bench_op_jwtsign(&c->js)) != 0)
				return rc;
		}
		p += n + 1;
	}
	return 0;
}

static int mode_lines(const struct opts *o)
{
	enum jws_alg alg = alg_or_die(o->alg);
	struct lines_op c = {{NULL, alg, NULL, 0, BUF_INIT, BUF_INIT}, NULL, 0};
	size_t lines = 0;
	double best = 0;

	struct jwk *key;

	if (o->kid == NULL || o->input == NULL)
		die("lines", "--kid and --input are required");
	c.js.key = key = load_key(o, alg, o->kid);
	c.doc = read_file(o->input, &c.len);
	for (size_t i = 0; i < c.len; i++) /* non-empty lines, as bench_op_lines signs */
		lines += c.doc[i] != '\n' && (i + 1 == c.len || c.doc[i + 1] == '\n');
	for (unsigned r = 0; r < o->rounds; r++) {
		double t0 = now_s(), dt;

		if (bench_op_lines(&c) != 0)
			die(o->input, "a line could not be signed");
		dt = now_s() - t0;
		if ((double)lines / dt > best)
			best = (double)lines / dt;
	}
	printf("rate=%.0f lines=%zu\n", best, lines);
	free(c.doc);
	buf_free(&c.js.payload);
	buf_free(&c.js.out);
	jwk_free(key);
	return 0;
}

static int mode_rsa_raw(const struct opts *o)
{
	struct jwk *key = load_key(o, JWS_ALG_RS256, "bench-rsa");
	struct rsa_raw_op c = {key->ck.priv, {0}};
	struct bench b = {"gnutls-rsa2048", bench_op_rsa_raw, &c, 0, 0};

	crypto_hash_sha256(c.digest, (const unsigned char *)"jwtsign", 7);
	run_interleaved(&b, 1, o->rounds, o->round_s);
	printf("rate=%.1f bits=%u\n", b.best, key->bits);
	jwk_free(key);
	return 0;
}

static int mode_profile(const struct opts *o)
{
	enum jws_alg alg = alg_or_die(o->alg);
	struct jwk *key = load_key(o, alg, kid_for(alg));
	struct jwtsign_op js = {key,	  alg,	   reference_claims, strlen(reference_claims),
				BUF_INIT, BUF_INIT};
	struct raw_op raw = {key, alg, NULL, 0, {0}};
	struct rsa_raw_op rr = {key->ck.priv, {0}};
	int (*fn)(void *) = NULL;
	void *ctx = NULL;
#ifdef HAVE_LIBJWT
	struct libjwt_op lj = {NULL, reference_claims, NULL};
	gnutls_datum_t lkey = {NULL, 0};
#endif

	if (o->what == NULL || strcmp(o->what, "jwtsign") == 0) {
		fn = bench_op_jwtsign;
		ctx = &js;
	} else if (strcmp(o->what, "raw") == 0) {
		if (bench_op_jwtsign(&js) != 0)
			die(o->alg, "jwtsign could not sign");
		signing_input_of(&js.out, &raw.input, &raw.len);
		fn = bench_op_raw;
		ctx = &raw;
	} else if (strcmp(o->what, "rsa-raw") == 0) {
		crypto_hash_sha256(rr.digest, (const unsigned char *)"jwtsign", 7);
		fn = bench_op_rsa_raw;
		ctx = &rr;
#ifdef HAVE_LIBJWT
	} else if (strcmp(o->what, "libjwt") == 0) {
		if (libjwt_alg(alg) == JWT_ALG_INVAL || libjwt_key(key, &lkey) != 0 ||
		    jwt_new(&lj.jwt) != 0 ||
		    jwt_set_alg(lj.jwt, libjwt_alg(alg), lkey.data, (int)lkey.size) != 0)
			die(o->alg, "libjwt setup failed");
		fn = bench_op_libjwt;
		ctx = &lj;
#endif
	} else {
		die("--what", "jwtsign, raw, rsa-raw or libjwt (when built with libjwt)");
	}
	for (unsigned long i = 0; i < o->count; i++)
		if (fn(ctx) != 0)
			die(o->alg, "operation failed");
	printf("profiled %lu x %s %s\n", o->count, o->what ? o->what : "jwtsign", o->alg);
#ifdef HAVE_LIBJWT
	if (lj.jwt)
		jwt_free(lj.jwt);
	free(lj.last);
	gnutls_free(lkey.data);
#endif
	buf_free(&js.payload);
	buf_free(&js.out);
	jwk_free(key);
	return 0;
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: bench_sign tokens  --jwks FILE [--rounds N] [--round-ms MS] [--algs LIST]\n"
	    "       bench_sign lines   --jwks FILE --kid KID --alg ALG --input FILE [--rounds N]\n"
	    "       bench_sign rsa-raw --jwks FILE [--rounds N] [--round-ms MS]\n"
	    "       bench_sign profile --jwks FILE --alg ALG --what jwtsign|raw|libjwt|rsa-raw "
	    "[--count N]\n"
	    "common: [--clock cpu|wall]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	struct opts o = {0};

	o.rounds = 5;
	o.round_s = 0.2;
	o.count = 2000;
	bench_prog = "bench_sign";
	if (argc < 2)
		usage();
	o.mode = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(a, "--jwks") == 0)
			o.jwks = v;
		else if (strcmp(a, "--kid") == 0)
			o.kid = v;
		else if (strcmp(a, "--alg") == 0)
			o.alg = v;
		else if (strcmp(a, "--algs") == 0)
			o.algs = v;
		else if (strcmp(a, "--input") == 0)
			o.input = v;
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
	if (strcmp(o.mode, "lines") == 0)
		return mode_lines(&o);
	if (strcmp(o.mode, "rsa-raw") == 0)
		return mode_rsa_raw(&o);
	if (strcmp(o.mode, "profile") == 0)
		return mode_profile(&o);
	usage();
	return 64;
}
