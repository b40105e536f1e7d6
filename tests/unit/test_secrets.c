/* test_secrets.c - secrets are wiped before their memory is released.
 *
 * How, without a debugger: this test is linked with
 *   -Wl,--wrap=free,--wrap=realloc,--wrap=json_object_put,--wrap=json_tokener_free
 * so every free(), realloc(), json_object_put() and json_tokener_free() called from
 * jwtsign's own code (src/libjwtsign.a) and from this file goes through a
 * hook first.  While recording is on, the hook copies the block about to
 * be released (free: malloc_usable_size bytes; json_object_put: every
 * string of the tree; json_tokener_free: its string buffer), and the test
 * then searches the copies for the key material: the base64url text of
 * each private member (k, d, p, q, dp, dq, qi) and its decoded bytes
 * (first 16 of each).  A block released with buf_wipe_free, or a json-c
 * string wiped with sodium_memzero, holds only zeros by then.  While
 * recording, realloc() always moves the block (malloc, copy, free through
 * the hook), the worst case of a real realloc: the old block it releases
 * is recorded as it is, so a buffer that grows with key material in it is
 * caught unless it wipes the old block itself (a secret buf).
 *
 * Not observed: memory that libraries release themselves (GnuTLS's
 * private key objects, json-c's own internal frees, libsodium's
 * sodium_free, which always wipes), and stack copies.  Those are the
 * libraries' promises (GnuTLS zeroizes private key parameters on
 * deinit; sodium_free wipes the whole region).
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <malloc.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The hook copies whole allocations (malloc_usable_size), whose slack was
 * never written: tell memcheck the copies are defined. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define REC_DEFINED(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#endif
#endif
#ifndef REC_DEFINED
#define REC_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#include "b64.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "jwk.h"
#include "jwk_gen.h"
#include "jwk_set.h"
#include "jws.h"
#include "keysource.h"
#include "log.h"
#include "testutil.h"
#include "tls_stub.h"

#include <fcntl.h>

/* keysource_new's arguments for a signer block s. */
#define SIGNER_KEYS(s)                                                                             \
	&(s).keys, (const char *const *)(s).kids, (s).nkids, (s).alg, (s).jwks_endpoint

/* ------------------------------------------------------------ the hook */

void __real_free(void *p);
void *__real_realloc(void *p, size_t n);
int __real_json_object_put(struct json_object *o);
void __real_json_tokener_free(struct json_tokener *tok);

#define REC_MAX_BLOCK (1u << 20)
#define REC_MAX_TOTAL (64u << 20)

struct rec_block {
	unsigned char *data;
	size_t len;
};

static struct {
	bool on;
	struct rec_block *blocks;
	size_t n, cap, total;
} rec;

static void rec_add(const void *p, size_t len)
{
	struct rec_block *nb;
	unsigned char *copy;

	if (!rec.on || p == NULL || len == 0)
		return;
	if (len > REC_MAX_BLOCK)
		len = REC_MAX_BLOCK;
	if (rec.total + len > REC_MAX_TOTAL)
		return;
	if (rec.n == rec.cap) {
		nb = __real_realloc(rec.blocks, (rec.cap ? 2 * rec.cap : 256) * sizeof(*nb));
		if (nb == NULL)
			return;
		rec.blocks = nb;
		rec.cap = rec.cap ? 2 * rec.cap : 256;
	}
	if ((copy = malloc(len)) == NULL)
		return;
	memcpy(copy, p, len);
	REC_DEFINED(copy, len);
	rec.blocks[rec.n].data = copy;
	rec.blocks[rec.n++].len = len;
	rec.total += len;
}

void __wrap_free(void *p);
void __wrap_free(void *p)
{
	if (p != NULL && rec.on)
		rec_add(p, malloc_usable_size(p));
	__real_free(p);
}

/* While recording, a realloc that moves its block: the old one is released
 * through the free hook (recorded as it is). */
void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (!rec.on || p == NULL || n == 0)
		return __real_realloc(p, n);
	old = malloc_usable_size(p);
	if ((q = malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	__wrap_free(p);
	return q;
}

static void rec_tree(struct json_object *o)
{
	size_t i;

	switch (json_object_get_type(o)) {
	case json_type_string:
		rec_add(json_object_get_string(o), (size_t)json_object_get_string_len(o));
		break;
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			rec_tree(json_object_array_get_idx(o, i));
		break;
	case json_type_object: {
		json_object_object_foreach(o, key, val)
		{
			rec_add(key, strlen(key));
			rec_tree(val);
		}
		break;
	}
	default:
		break;
	}
}

int __wrap_json_object_put(struct json_object *o);
int __wrap_json_object_put(struct json_object *o)
{
	if (o != NULL && rec.on)
		rec_tree(o);
	return __real_json_object_put(o);
}

void __wrap_json_tokener_free(struct json_tokener *tok);
void __wrap_json_tokener_free(struct json_tokener *tok)
{
	if (tok != NULL && tok->pb != NULL && rec.on)
		rec_add(tok->pb->buf, (size_t)tok->pb->size);
	__real_json_tokener_free(tok);
}

static void rec_start(void)
{
	rec.on = true;
}

static void rec_stop_and_clear(void)
{
	size_t i;

	rec.on = false;
	for (i = 0; i < rec.n; i++)
		__real_free(rec.blocks[i].data);
	__real_free(rec.blocks);
	memset(&rec, 0, sizeof(rec));
}

/* ------------------------------------------------------------ secrets */

#define PAT_LEN 16
#define MAX_PATS 64

static struct {
	unsigned char pat[MAX_PATS][PAT_LEN];
	char what[MAX_PATS][64];
	size_t n;
} pats;

static void add_pattern(const void *p, size_t len, const char *what)
{
	cr_assert(pats.n < MAX_PATS);
	cr_assert(len >= PAT_LEN, "%s: too short to search for", what);
	memcpy(pats.pat[pats.n], p, PAT_LEN);
	snprintf(pats.what[pats.n], sizeof(pats.what[0]), "%s", what);
	pats.n++;
}

/* The text and the decoded bytes of a private member. */
static void add_secret(const char *b64, const char *what)
{
	uint8_t *raw;
	size_t rawlen;
	char label[64];

	snprintf(label, sizeof(label), "%s (base64url)", what);
	add_pattern(b64, strlen(b64), label);
	cr_assert_eq(b64url_decode(b64, strlen(b64), &raw, &rawlen), 0);
	snprintf(label, sizeof(label), "%s (bytes)", what);
	add_pattern(raw, rawlen, label);
	sodium_memzero(raw, rawlen);
	free(raw);
}

/* Search every recorded block; returns the first pattern found or NULL. */
static const char *rec_find_secret(size_t *block)
{
	size_t i, j;

	for (i = 0; i < rec.n; i++)
		for (j = 0; j < pats.n; j++)
			if (rec.blocks[i].len >= PAT_LEN &&
			    memmem(rec.blocks[i].data, rec.blocks[i].len, pats.pat[j], PAT_LEN)) {
				*block = i;
				return pats.what[j];
			}
	return NULL;
}

static void assert_no_secret_released(const char *during)
{
	size_t block = 0;
	const char *found = rec_find_secret(&block);

	cr_assert_null(found, "%s: %s found in a released block (#%zu of %zu, %zu bytes)", during,
		       found, block, rec.n, found ? rec.blocks[block].len : 0);
	cr_assert_gt(rec.n, 0, "%s: the hook saw no release at all", during);
}

/* ------------------------------------------------------------ keys */

static struct json_object *vector_jwk(const char *file, const char *kid)
{
	struct json_object *copy = tu_vector_jwk(file);

	json_object_object_del(copy, "use");
	json_object_object_add(copy, "kid", json_object_new_string(kid));
	return copy;
}

static const char *const private_members[] = {"k", "d", "p", "q", "dp", "dq", "qi"};

static const struct {
	const char *file, *kid;
	enum jws_alg alg;
} test_keys[] = {
    {"rfc7515-a1-hs256.json", "hs", JWS_ALG_HS256},
    {"rfc7520-4.1-rs256.json", "rs", JWS_ALG_RS256},
    {"rfc7520-4.1-rs256.json", "rs", JWS_ALG_PS256},
    {"rfc7515-a3-es256.json", "es", JWS_ALG_ES256},
    {"rfc7515-a4-es512.json", "es512", JWS_ALG_ES512},
    {"rfc8037-a4-eddsa-ed25519.json", "ed", JWS_ALG_EDDSA},
};
#define NKEYS (sizeof(test_keys) / sizeof(test_keys[0]))

/* The JWK Set of all test keys (malloc'd, released by the caller outside
 * recording); the patterns of all their private members. */
static char *make_set(void)
{
	struct json_object *set = json_object_new_object(), *keys = json_object_new_array(), *v;
	char *doc;
	size_t i, m;

	memset(&pats, 0, sizeof(pats));
	for (i = 0; i < NKEYS; i++) {
		struct json_object *k;

		if (i > 0 && strcmp(test_keys[i].kid, test_keys[i - 1].kid) == 0)
			continue;
		k = vector_jwk(test_keys[i].file, test_keys[i].kid);
		for (m = 0; m < sizeof(private_members) / sizeof(private_members[0]); m++)
			if (json_object_object_get_ex(k, private_members[m], &v)) {
				char what[64];

				snprintf(what, sizeof(what), "%s.%s", test_keys[i].kid,
					 private_members[m]);
				add_secret(json_object_get_string(v), what);
			}
		json_object_array_add(keys, k);
	}
	json_object_object_add(set, "keys", keys);
	doc = strdup(json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN));
	cr_assert_not_null(doc);
	json_object_put(set);
	return doc;
}

/* make_set() with a "x-pad" member after "keys", so that the document is
 * over 32 KiB: a buffer reading it grows several times (8 KiB reads,
 * 16 KiB libcurl writes) with the private members already in it. */
#define BIG_SET_PAD 40000
static char *make_big_set(void)
{
	char *doc = make_set(), *big;
	size_t n = strlen(doc);

	cr_assert_gt(n, 1);
	cr_assert_eq(doc[n - 1], '}');
	big = malloc(n + BIG_SET_PAD + 16);
	cr_assert_not_null(big);
	memcpy(big, doc, n - 1);
	memcpy(big + n - 1, ",\"x-pad\":\"", 10);
	memset(big + n + 9, 'A', BIG_SET_PAD);
	memcpy(big + n + 9 + BIG_SET_PAD, "\"}", 3);
	free(doc);
	return big;
}

static void write_file(const char *path, const char *doc)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert_eq(fputs(doc, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
	cr_assert(sodium_init() >= 0);
	log_set_level(LOG_ERROR);
}

TestSuite(secrets, .init = setup);

/* ------------------------------------------------------------ tests */

/* The hook works: a secret released with buf_free (no wipe) is found. */
Test(secrets, hook_sees_an_unwiped_buffer)
{
	char *doc = make_set();
	struct buf b = BUF_INIT;
	size_t block;

	cr_assert_eq(buf_puts(&b, doc), 0);
	rec_start();
	buf_free(&b);
	cr_assert_not_null(rec_find_secret(&block), "the hook missed a released secret");
	rec_stop_and_clear();
	free(doc);
}

/* The hook works for json-c too: a parsed JWK Set put without wiping its
 * strings, and the tokenizer buffer of a string, are found. */
Test(secrets, hook_sees_an_unwiped_json_tree)
{
	char *doc = make_set();
	struct json_object *o;
	struct json_tokener *tok;
	size_t block;

	o = json_tokener_parse(doc);
	cr_assert_not_null(o);
	rec_start();
	json_object_put(o);
	cr_assert_not_null(rec_find_secret(&block), "the json_object_put hook missed a secret");
	rec_stop_and_clear();

	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, doc, (int)strlen(doc));
	cr_assert_not_null(o);
	__real_json_object_put(o);
	rec_start();
	json_tokener_free(tok);
	/* The buffer holds the last string parsed: a public or private
	 * member value, depending on the order; at least it was seen. */
	cr_assert_gt(rec.n, 0, "the json_tokener_free hook saw nothing");
	rec_stop_and_clear();
	free(doc);
}

/* buf_wipe_free zeroes the whole allocation (cap bytes) before free. */
Test(secrets, buf_wipe_free_zeroes_the_allocation)
{
	char *doc = make_set();
	struct buf b = BUF_INIT;
	size_t i, cap;

	cr_assert_eq(buf_puts(&b, doc), 0);
	cr_assert_eq(buf_append(&b, doc, 10), 0);
	cap = b.cap;
	rec_start();
	buf_wipe_free(&b);
	rec.on = false;
	cr_assert_eq(rec.n, 1, "one block released, saw %zu", rec.n);
	cr_assert_geq(rec.blocks[0].len, cap);
	for (i = 0; i < cap; i++)
		cr_assert_eq(rec.blocks[0].data[i], 0, "byte %zu of %zu not wiped", i, cap);
	cr_assert_null(b.data);
	cr_assert_eq(b.len, 0);
	rec_stop_and_clear();
	free(doc);
}

/* Selecting, signing with and freeing each key leaves no key material in
 * released memory (json-c trees, the tokenizer buffer, base64 scratch). */
Test(secrets, select_sign_free_every_key_type)
{
	char *doc = make_set();
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const char *kid = test_keys[i].kid;
		struct jwk *key = NULL;
		struct buf tok = BUF_INIT;
		struct err err = {0};
		char during[128];

		rec_start();
		cr_assert_eq(
		    jwk_set_select(doc, strlen(doc), &kid, 1, test_keys[i].alg, NULL, &key, &err),
		    0, "%s: %s", kid, err.msg);
		cr_assert_eq(jws_sign_compact(&tok, key, test_keys[i].alg, "JWT",
					      (const uint8_t *)"{}", 2, &err),
			     0, "%s: %s", kid, err.msg);
		cr_assert_eq(jws_sign_flattened(&tok, key, test_keys[i].alg, NULL,
						(const uint8_t *)"{\"a\":1}", 7, &err),
			     0, "%s: %s", kid, err.msg);
		jwk_free(key);
		buf_free(&tok);
		snprintf(during, sizeof(during), "select/sign/free %s %s", kid,
			 alg_name(test_keys[i].alg));
		assert_no_secret_released(during);
		rec_stop_and_clear();
	}
	free(doc);
}

/* Refusals release the parsed document wiped too (a kid that cannot sign
 * the alg, an absent kid). */
Test(secrets, refusals_wipe_too)
{
	char *doc = make_set();
	const char *kids[] = {"hs", "nope"};
	enum jws_alg algs[] = {JWS_ALG_RS256, JWS_ALG_HS256};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct jwk *key = NULL;
		struct err err = {0};

		rec_start();
		cr_assert_neq(
		    jwk_set_select(doc, strlen(doc), &kids[i], 1, algs[i], NULL, &key, &err), 0);
		cr_assert_null(key);
		assert_no_secret_released(kids[i]);
		rec_stop_and_clear();
	}
	free(doc);
}

/* The public export parses every private key and releases it wiped. */
Test(secrets, public_export_wipes)
{
	char *doc = make_set();
	struct buf out = BUF_INIT;
	struct err err = {0};

	rec_start();
	cr_assert_eq(jwk_set_public(doc, strlen(doc), NULL, &out, &err), 0, "%s", err.msg);
	assert_no_secret_released("jwk_set_public");
	rec_stop_and_clear();
	buf_free(&out);
	free(doc);
}

/* Through the key source (jwk_local_path): the file's bytes are wiped
 * after parsing, and keysource_free wipes the key. */
static void local_file_wipes(char *doc, const char *during)
{
	char dir[] = "/tmp/jwtsign-test-secrets.XXXXXX", path[600], cfgdoc[1400];
	struct cfg *cfg = NULL;
	struct keysource *ks = NULL;
	const struct jwk *key;
	struct err err = {0};

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keys.json", dir);
	write_file(path, doc);
	snprintf(cfgdoc, sizeof(cfgdoc),
		 "{\"version\":3,\"endpoints\":[{\"endpoint\":\"/t\",\"method\":\"POST\","
		 "\"backend\":[{\"host\":[\"http://127.0.0.1:1\"],\"url_pattern\":\"/x\"}],"
		 "\"extra_config\":{\"auth/signer\":{\"alg\":\"ES256\",\"kid\":\"es\","
		 "\"keys_to_sign\":[\"a\"],\"jwk_local_path\":\"%s\"}}}]}",
		 path);
	cr_assert_eq(cfg_parse(cfgdoc, strlen(cfgdoc), "test", &cfg, &err), 0, "%s", err.msg);
	rec_start();
	cr_assert_eq(
	    keysource_new(SIGNER_KEYS(cfg->endpoints[0].signer), &cfg->limits, "/t", &ks, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(keysource_get(ks, &key, &err), 0, "%s", err.msg);
	keysource_free(ks);
	assert_no_secret_released(during);
	rec_stop_and_clear();
	cfg_free(cfg);
	unlink(path);
	rmdir(dir);
	free(doc);
}

Test(secrets, keysource_local_file_wipes)
{
	local_file_wipes(make_set(), "keysource (jwk_local_path)");
}

/* A JWK Set over 32 KiB: the read buffer grows while it holds the private
 * members; each old block must be wiped before it is released. */
Test(secrets, keysource_local_big_file_wipes_while_growing)
{
	local_file_wipes(make_big_set(), "keysource (jwk_local_path, JWK Set over 32 KiB)");
}

/* The same set downloaded (jwk_url, plain http from the test stub): the
 * body buffer grows with every libcurl write; then the shared cache file
 * is written, and a second source reads it back. */
Test(secrets, keysource_jwk_url_big_set_wipes_while_growing)
{
	char *doc = make_big_set();
	char base[] = "/tmp/jwtsign-test-secrets.XXXXXX", cachedir[128], url[128], cmd[256];
	static char *kids[] = {"es"};
	struct cfg_signer signer;
	struct cfg_limits limits;
	struct keysource *ks = NULL;
	const struct jwk *key;
	struct stub stub;
	struct err err = {0};
	int round;

	cr_assert_not_null(mkdtemp(base));
	snprintf(cachedir, sizeof(cachedir), "%s/cache", base);
	setenv("JWTSIGN_CACHE_DIR", cachedir, 1);
	cr_assert_eq(stub_start(&stub, NULL, NULL, NULL), 0);
	cr_assert_lt(strlen(doc), sizeof(stub.cfg->body));
	stub_set_body(&stub, doc);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/jwks.json", stub.port);
	memset(&signer, 0, sizeof(signer));
	signer.alg = JWS_ALG_ES256;
	signer.kids = kids;
	signer.nkids = 1;
	signer.keys.jwk_url = url;
	signer.keys.disable_jwk_security = true;
	signer.keys.cache_duration = 900;
	signer.keys.failed_jwk_key_cooldown = 60;
	signer.keys.max_stale = 3600;
	memset(&limits, 0, sizeof(limits));
	limits.max_jwk_set_size = 1048576;
	limits.max_jwk_keys = 100;
	limits.connect_timeout_ms = 20000;
	limits.jwk_fetch_timeout_ms = 30000;
	/* Round 0 downloads and writes the cache; round 1 reads the cache. */
	for (round = 0; round < 2; round++) {
		rec_start();
		cr_assert_eq(keysource_new(SIGNER_KEYS(signer), &limits, "/t", &ks, &err), 0, "%s",
			     err.msg);
		cr_assert_eq(keysource_get(ks, &key, &err), 0, "%s", err.msg);
		keysource_free(ks);
		assert_no_secret_released(round ? "keysource (jwk_url, from the cache file)"
						: "keysource (jwk_url, downloaded)");
		rec_stop_and_clear();
	}
	cr_assert_eq(stub.cfg->requests >= 1, 1);
	stub_stop(&stub);
	unsetenv("JWTSIGN_CACHE_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	cr_assert_eq(system(cmd), 0);
	free(doc);
}

/* Run a CLI subcommand with stdin from in_path and stdout to /dev/null. */
static int run_cli(int (*cmd)(int, char **), int argc, char **argv, const char *in_path)
{
	int in = open(in_path, O_RDONLY), out = open("/dev/null", O_WRONLY);
	int saved_in = dup(0), saved_out = dup(1), rc;

	cr_assert(in >= 0 && out >= 0 && saved_in >= 0 && saved_out >= 0);
	fflush(stdout);
	dup2(in, 0);
	dup2(out, 1);
	rc = cmd(argc, argv);
	fflush(stdout);
	dup2(saved_in, 0);
	dup2(saved_out, 1);
	close(in);
	close(out);
	close(saved_in);
	close(saved_out);
	return rc;
}

/* The CLI reads a JWK Set over 32 KiB from a file (sign --jwks) and from
 * stdin (pubkeys): no old block of the growing buffer keeps the keys. */
Test(secrets, cli_big_set_wipes_while_growing)
{
	char *doc = make_big_set();
	char dir[] = "/tmp/jwtsign-test-secrets.XXXXXX", path[600];
	char *sign_argv[] = {"sign", "--jwks", path, "--kid", "es", "--alg", "ES256", NULL};
	char *pub_argv[] = {"pubkeys", NULL};

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keys.json", dir);
	write_file(path, doc);
	rec_start();
	cr_assert_eq(run_cli(cli_sign, 7, sign_argv, "/dev/null"), 0);
	assert_no_secret_released("jwtsign sign --jwks (JWK Set over 32 KiB)");
	rec_stop_and_clear();
	rec_start();
	cr_assert_eq(run_cli(cli_pubkeys, 1, pub_argv, path), 0);
	assert_no_secret_released("jwtsign pubkeys < set (JWK Set over 32 KiB)");
	rec_stop_and_clear();
	unlink(path);
	rmdir(dir);
	free(doc);
}

/* The hook sees what realloc leaves behind: an ordinary buf that grows
 * with a secret in it releases an unwiped copy. */
Test(secrets, hook_sees_a_grown_ordinary_buffer)
{
	char *doc = make_set();
	struct buf b = BUF_INIT;
	size_t block;
	int i;

	cr_assert_eq(buf_puts(&b, doc), 0);
	rec_start();
	for (i = 0; i < 64; i++)
		cr_assert_eq(buf_append(&b, doc, 1024 < strlen(doc) ? 1024 : strlen(doc)), 0);
	rec.on = false;
	cr_assert_not_null(rec_find_secret(&block), "the realloc hook missed a grown secret");
	rec_stop_and_clear();
	buf_wipe_free(&b);
	free(doc);
}

/* A secret buf wipes every block it drops: growing (64 appends), cutting
 * back (buf_truncate), emptying (buf_reset) and freeing. */
Test(secrets, secret_buf_wipes_when_growing_truncating_resetting)
{
	char *doc = make_set();
	size_t i, cap, old;
	struct buf b;
	const char *found;
	size_t block = 0;

	buf_init_secret(&b, 0);
	rec_start();
	cr_assert_eq(buf_puts(&b, doc), 0);
	for (i = 0; i < 64; i++)
		cr_assert_eq(buf_append(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 32), 0);
	cr_assert_eq(buf_puts(&b, doc), 0);
	assert_no_secret_released("secret buf growing");
	old = b.len;
	buf_truncate(&b, 32);
	cr_assert_eq(b.len, 32);
	for (i = 32; i < old; i++)
		cr_assert_eq(b.data[i], 0, "buf_truncate: byte %zu of the %zu cut not wiped", i,
			     old - 32);
	cr_assert_eq(buf_puts(&b, doc), 0);
	cap = b.cap;
	buf_reset(&b);
	for (i = 0; i < cap; i++)
		cr_assert_eq(b.data[i], 0, "buf_reset: byte %zu of %zu not wiped", i, cap);
	cr_assert_eq(buf_puts(&b, doc), 0);
	buf_free(&b);
	cr_assert_null(b.data);
	cr_assert(b.secret, "buf_free keeps the mode");
	rec.on = false;
	found = rec_find_secret(&block);
	cr_assert_null(found, "%s found in released block #%zu", found, block);
	cr_assert_gt(rec.n, 1, "growth released no block");
	rec_stop_and_clear();
	free(doc);
}

/* jwk_generate: nothing of the new key is left in released memory; the
 * caller wipes the output with buf_wipe_free. */
Test(secrets, generate_wipes)
{
	static const struct {
		const char *kty, *crv;
		unsigned bits;
	} gens[] = {{"oct", NULL, 256}, {"EC", "P-256", 0}, {"OKP", NULL, 0}, {"RSA", NULL, 2048}};
	size_t i, m;

	for (i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
		struct buf out = BUF_INIT;
		struct err err = {0};
		struct json_object *set, *k, *v;

		rec_start();
		cr_assert_eq(
		    jwk_generate(&out, gens[i].kty, gens[i].bits, gens[i].crv, "g", NULL, &err), 0,
		    "%s: %s", gens[i].kty, err.msg);
		rec.on = false;
		/* The patterns of the new key, learnt after the fact. */
		memset(&pats, 0, sizeof(pats));
		set = json_tokener_parse(out.data);
		cr_assert_not_null(set);
		k = json_object_array_get_idx(json_object_object_get(set, "keys"), 0);
		for (m = 0; m < sizeof(private_members) / sizeof(private_members[0]); m++)
			if (json_object_object_get_ex(k, private_members[m], &v))
				add_secret(json_object_get_string(v), private_members[m]);
		__real_json_object_put(set);
		cr_assert_gt(pats.n, 0);
		assert_no_secret_released(gens[i].kty);
		rec_start();
		buf_wipe_free(&out);
		assert_no_secret_released("buf_wipe_free of the generated set");
		rec_stop_and_clear();
	}
}
