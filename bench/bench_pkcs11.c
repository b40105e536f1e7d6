/* bench_pkcs11.c - signing through a PKCS#11 token against the same key in
 * memory (bench/README.md, "PKCS#11"; issue 20).  For each of ES256,
 * RS256, PS256 and EdDSA: jws_sign_compact of the reference claims with
 * the key of bench/keys.json parsed into memory, and with the same key
 * imported into the token (bench/run.sh imports it into SoftHSM), opened
 * by jwk_pkcs11_open; interleaved rounds, wall time (a token's work is not
 * necessarily this thread's CPU).  Not part of `make check`.
 *
 *   bench_pkcs11 --jwks keys.json --uri-prefix 'pkcs11:token=T;object='
 *                --pin-file FILE [--rounds N] [--round-ms MS]
 */
#include "bench_common.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "jwk.h"
#include "jwk_pkcs11.h"
#include "jwk_set.h"
#include "jws.h"

/* The reference answer's access_token claims (as bench_sign). */
static const char CLAIMS[] =
    "{\"aud\":\"https://your.krakend.io\",\"exp\":1735689600,\"iss\":\"https://your-backend\","
    "\"jti\":\"mnb23vcsrt756yuiomnbvcx98ertyuiop\",\"roles\":[\"role_a\",\"role_b\"],"
    "\"sub\":\"1234567890qwertyuio\"}";

struct sign_op {
	const struct jwk *key;
	enum jws_alg alg;
	struct buf out;
};

static int sign_once(void *ctx)
{
	struct sign_op *c = ctx;
	struct err e = {0};

	buf_reset(&c->out);
	return jws_sign_compact(&c->out, c->key, c->alg, "JWT", (const uint8_t *)CLAIMS,
				sizeof(CLAIMS) - 1, &e);
}

static struct jwk *memory_key(const char *jwks, const char *kid, enum jws_alg alg)
{
	struct jwk_limits lim = {1 << 20, 100};
	struct jwk *key = NULL;
	struct err e = {0};
	size_t len;
	char *doc = read_file(jwks, &len);

	if (jwk_set_select(doc, len, &kid, 1, alg, &lim, &key, &e) != 0)
		die(jwks, e.msg);
	sodium_memzero(doc, len);
	free(doc);
	return key;
}

static struct jwk *token_key(const char *prefix, const char *pin_file, const char *kid,
			     enum jws_alg alg)
{
	char uri[512];
	struct jwk_pkcs11_opts o = {uri, pin_file, kid, alg};
	struct jwk *key = NULL;
	struct err e = {0};
	bool has_pub;

	snprintf(uri, sizeof(uri), "%s%s;type=private", prefix, kid);
	if (jwk_pkcs11_open(&o, &key, NULL, &has_pub, &e) != 0)
		die("jwk_pkcs11_open", e.msg);
	return key;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *alg, *kid;
	} cases[] = {{"ES256", "bench-ec"},
		     {"RS256", "bench-rsa"},
		     {"PS256", "bench-rsa"},
		     {"EdDSA", "bench-ed"}};
	const char *jwks = NULL, *prefix = NULL, *pin = NULL;
	unsigned rounds = 5;
	double round_s = 0.2;

	bench_prog = "bench_pkcs11";
	bench_clock = CLOCK_MONOTONIC;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--jwks") == 0)
			jwks = argv[i + 1];
		else if (strcmp(argv[i], "--uri-prefix") == 0)
			prefix = argv[i + 1];
		else if (strcmp(argv[i], "--pin-file") == 0)
			pin = argv[i + 1];
		else if (strcmp(argv[i], "--rounds") == 0)
			rounds = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--round-ms") == 0)
			round_s = strtod(argv[i + 1], NULL) / 1000.0;
		else
			die(argv[i], "unknown option");
	}
	if (jwks == NULL || prefix == NULL || pin == NULL || rounds == 0 || round_s <= 0)
		die("usage", "--jwks FILE --uri-prefix URI --pin-file FILE [--rounds N] "
			     "[--round-ms MS]");
	if (sodium_init() < 0)
		die("libsodium", "initialisation failed");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum jws_alg alg;
		struct sign_op mem = {0}, tok = {0};
		struct bench bs[2];
		char fig[64];

		if (alg_from_name(cases[i].alg, &alg) != 0)
			die(cases[i].alg, "unknown alg");
		mem.key = memory_key(jwks, cases[i].kid, alg);
		tok.key = token_key(prefix, pin, cases[i].kid, alg);
		mem.alg = tok.alg = alg;
		buf_init(&mem.out, 0);
		buf_init(&tok.out, 0);
		bs[0] = (struct bench){"pkcs11", sign_once, &tok, 0, 0};
		bs[1] = (struct bench){"memory", sign_once, &mem, 0, 0};
		run_interleaved(bs, 2, rounds, round_s);
		snprintf(fig, sizeof(fig), "pkcs11-softhsm-%s", cases[i].alg);
		figure(fig, bs[0].best, "tokens/s", "in-memory", bs[1].best, "tokens/s");
		buf_free(&mem.out);
		buf_free(&tok.out);
		jwk_free((struct jwk *)mem.key);
		jwk_free((struct jwk *)tok.key);
	}
	return 0;
}
