/* fuzz_signer.c - libFuzzer target: the response transformer.
 *
 * Input: byte 0 picks the options (bit 0: the ES256 key instead of the
 * HS256 key, bit 1: "full" (flattened JSON serialization), bit 2: no
 * "typ", bit 3: keys_to_sign ["/data/access_token", "/list/0",
 * "refresh_token", "/data/access_token", "/refresh_token/x"] (JSON
 * Pointers, a repeated entry, a pointer into a member signed before)
 * instead of ["access_token", "refresh_token"], bit 4: the time claims
 * iat, exp (ttl 3600) and nbf (skew 60) at a fixed clock); the rest is
 * the backend answer given to signer_transform(), nesting limited to 128
 * levels and 100000 members.
 * Properties (besides no crash, leak or undefined behaviour):
 *  - the answer is accepted exactly when gojson_parse accepts it and it is
 *    an object;
 *  - every listed target that held an object comes out as a string that is
 *    a valid JWS of the Go encoding of that object (plus the time claims
 *    it lacked), checked independently
 *    (libsodium HMAC-SHA256, GnuTLS ECDSA verification), whose protected
 *    header names the configured alg and kid: never "none", never an empty
 *    signature, never the claims unsigned;
 *  - everything else is carried over unchanged.
 */
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <json-c/json.h>
#include <sodium.h>
#include <string.h>

#include "b64.h"
#include "clock.h"
#include "fuzz.h"
#include "gojson.h"
#include "jwk.h"
#include "jwk_set.h"
#include "log.h"
#include "signer.h"

/* RFC 7515 appendix A.1 (HS256) and A.3 (ES256) keys, with kids. */
#define HS_K                                                                                       \
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
#define ES_X "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define ES_Y "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
#define ES_D "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
static const char hs_set[] = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"hs\",\"k\":\"" HS_K "\"}]}";
static const char es_set[] =
    "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"es\",\"crv\":\"P-256\",\"x\":\"" ES_X "\",\"y\":\"" ES_Y
    "\",\"d\":\"" ES_D "\"}]}";

static struct {
	struct jwk *hs, *es;
	uint8_t *hs_k;
	size_t hs_klen;
	gnutls_pubkey_t es_pub;
} fz;

static char *const keys_to_sign[] = {"access_token", "refresh_token"};
static char *const pointers_to_sign[] = {"/data/access_token", "/list/0", "refresh_token",
					 "/data/access_token", "/refresh_token/x"};
#define FUZZ_NOW 1700000000
#define FUZZ_TTL 3600
#define FUZZ_SKEW 60
static const struct gojson_limits limits = {128, 100000};

static void load_key(const char *set, const char *kid, enum jws_alg alg, struct jwk **out)
{
	struct err err = {0};

	if (jwk_set_select(set, strlen(set), &kid, 1, alg, NULL, out, &err) != 0) {
		fprintf(stderr, "fuzz_signer: cannot load key %s: %s\n", kid, err.msg);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	gnutls_datum_t x, y;
	uint8_t *xb, *yb;
	size_t xl, yl;

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	clock_set_override(FUZZ_NOW);
	FUZZ_ASSERT(sodium_init() >= 0);
	load_key(hs_set, "hs", JWS_ALG_HS256, &fz.hs);
	load_key(es_set, "es", JWS_ALG_ES256, &fz.es);
	FUZZ_ASSERT(b64url_decode(HS_K, strlen(HS_K), &fz.hs_k, &fz.hs_klen) == 0);
	FUZZ_ASSERT(b64url_decode(ES_X, strlen(ES_X), &xb, &xl) == 0);
	FUZZ_ASSERT(b64url_decode(ES_Y, strlen(ES_Y), &yb, &yl) == 0);
	x.data = xb;
	x.size = (unsigned)xl;
	y.data = yb;
	y.size = (unsigned)yl;
	FUZZ_ASSERT(gnutls_pubkey_init(&fz.es_pub) == 0);
	FUZZ_ASSERT(gnutls_pubkey_import_ecc_raw(fz.es_pub, GNUTLS_ECC_CURVE_SECP256R1, &x, &y) ==
		    0);
	free(xb);
	free(yb);
	return 0;
}

/* Check a signature over input with the key that was used. */
static void check_signature(int es, const char *input, size_t inlen, const uint8_t *sig,
			    size_t siglen)
{
	if (!es) {
		crypto_auth_hmacsha256_state st;
		uint8_t mac[crypto_auth_hmacsha256_BYTES];

		FUZZ_ASSERT(siglen == sizeof(mac));
		crypto_auth_hmacsha256_init(&st, fz.hs_k, fz.hs_klen);
		crypto_auth_hmacsha256_update(&st, (const uint8_t *)input, inlen);
		crypto_auth_hmacsha256_final(&st, mac);
		FUZZ_ASSERT(sodium_memcmp(mac, sig, sizeof(mac)) == 0);
	} else {
		gnutls_datum_t r = {(unsigned char *)sig, 32}, s = {(unsigned char *)sig + 32, 32};
		gnutls_datum_t der = {NULL, 0}, data = {(unsigned char *)input, (unsigned)inlen};

		FUZZ_ASSERT(siglen == 64);
		FUZZ_ASSERT(gnutls_encode_rs_value(&der, &r, &s) == 0);
		FUZZ_ASSERT(gnutls_pubkey_verify_data2(fz.es_pub, GNUTLS_SIGN_ECDSA_SHA256, 0,
						       &data, &der) >= 0);
		gnutls_free(der.data);
	}
}

/* Check the protected header: {"alg":ALG,"kid":KID[,"typ":"JWT"]}. */
static void check_header(int es, int typ, const char *b64, size_t len)
{
	uint8_t *h;
	size_t hl;
	char want[64];

	FUZZ_ASSERT(b64url_decode(b64, len, &h, &hl) == 0);
	snprintf(want, sizeof(want), "{\"alg\":\"%s\",\"kid\":\"%s\"%s}", es ? "ES256" : "HS256",
		 es ? "es" : "hs", typ ? ",\"typ\":\"JWT\"" : "");
	FUZZ_ASSERT(hl == strlen(want) && memcmp(h, want, hl) == 0);
	free(h);
}

/* Check the payload: the Go encoding of the claims. */
static void check_payload(const char *b64, size_t len, const struct buf *claims)
{
	uint8_t *p;
	size_t pl;

	FUZZ_ASSERT(b64url_decode(b64, len, &p, &pl) == 0);
	FUZZ_ASSERT(pl == claims->len && memcmp(p, claims->data, pl) == 0);
	free(p);
}

/* tok: a compact serialization "H.P.S". */
static void check_compact(int es, int typ, const char *tok, size_t len, const struct buf *claims)
{
	const char *d1 = memchr(tok, '.', len), *d2;
	uint8_t *sig;
	size_t siglen;

	FUZZ_ASSERT(d1 != NULL);
	d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok));
	FUZZ_ASSERT(d2 != NULL);
	FUZZ_ASSERT(memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) == NULL);
	check_header(es, typ, tok, (size_t)(d1 - tok));
	check_payload(d1 + 1, (size_t)(d2 - d1 - 1), claims);
	FUZZ_ASSERT(b64url_decode(d2 + 1, len - (size_t)(d2 + 1 - tok), &sig, &siglen) == 0);
	FUZZ_ASSERT(siglen > 0);
	check_signature(es, tok, (size_t)(d2 - tok), sig, siglen);
	free(sig);
}

/* tok: a flattened JSON serialization {"payload","protected","signature"}. */
static void check_flattened(int es, int typ, const char *tok, size_t len, const struct buf *claims)
{
	struct json_object *o = NULL, *p, *h, *s;
	struct buf input = BUF_INIT;
	uint8_t *sig;
	size_t siglen;

	FUZZ_ASSERT(gojson_parse(tok, len, NULL, &o, NULL) == 0);
	FUZZ_ASSERT(json_object_is_type(o, json_type_object));
	FUZZ_ASSERT(json_object_object_length(o) == 3);
	FUZZ_ASSERT(json_object_object_get_ex(o, "payload", &p) &&
		    json_object_is_type(p, json_type_string));
	FUZZ_ASSERT(json_object_object_get_ex(o, "protected", &h) &&
		    json_object_is_type(h, json_type_string));
	FUZZ_ASSERT(json_object_object_get_ex(o, "signature", &s) &&
		    json_object_is_type(s, json_type_string));
	check_header(es, typ, json_object_get_string(h), (size_t)json_object_get_string_len(h));
	check_payload(json_object_get_string(p), (size_t)json_object_get_string_len(p), claims);
	FUZZ_ASSERT(b64url_decode(json_object_get_string(s), (size_t)json_object_get_string_len(s),
				  &sig, &siglen) == 0);
	FUZZ_ASSERT(siglen > 0);
	FUZZ_ASSERT(
	    buf_printf(&input, "%s.%s", json_object_get_string(h), json_object_get_string(p)) == 0);
	check_signature(es, input.data, input.len, sig, siglen);
	free(sig);
	buf_free(&input);
	json_object_put(o);
}

/* Compare the Go encodings of two values. */
static void check_same(struct json_object *a, struct json_object *b)
{
	struct buf ea = BUF_INIT, eb = BUF_INIT;

	FUZZ_ASSERT(gojson_write(&ea, a, NULL) == 0);
	FUZZ_ASSERT(gojson_write(&eb, b, NULL) == 0);
	FUZZ_ASSERT(ea.len == eb.len && memcmp(ea.data, eb.data, ea.len) == 0);
	buf_free(&ea);
	buf_free(&eb);
}

/* A target of a keys_to_sign entry: the value and where it sits. */
struct target {
	struct json_object *val, *parent;
	const char *name; /* member name in an object parent, else NULL */
	size_t idx;	  /* index in an array parent */
};

/* Resolve a plain name or a JSON Pointer without escapes (the fixed
 * entries have none) as signer.h says.  Returns 1 when found. */
static int resolve(struct json_object *root, const char *entry, struct target *t, char *tokbuf,
		   size_t tokcap)
{
	struct json_object *cur = root, *next;
	const char *p = entry;

	memset(t, 0, sizeof(*t));
	if (entry[0] != '/') {
		if (!json_object_object_get_ex(root, entry, &next))
			return 0;
		t->val = next;
		t->parent = root;
		t->name = entry;
		return 1;
	}
	while (*p == '/') {
		const char *q = strchr(p + 1, '/');
		size_t n = q ? (size_t)(q - p - 1) : strlen(p + 1);

		FUZZ_ASSERT(n < tokcap);
		memcpy(tokbuf, p + 1, n);
		tokbuf[n] = '\0';
		if (json_object_is_type(cur, json_type_object)) {
			if (!json_object_object_get_ex(cur, tokbuf, &next))
				return 0;
			t->name = tokbuf;
		} else if (json_object_is_type(cur, json_type_array)) {
			size_t idx = 0, k;

			if (n == 0 || (n > 1 && tokbuf[0] == '0'))
				return 0;
			for (k = 0; k < n; k++) {
				if (tokbuf[k] < '0' || tokbuf[k] > '9' || idx > 1000000)
					return 0;
				idx = idx * 10 + (size_t)(tokbuf[k] - '0');
			}
			if (idx >= json_object_array_length(cur))
				return 0;
			next = json_object_array_get_idx(cur, idx);
			t->name = NULL;
			t->idx = idx;
		} else {
			return 0;
		}
		t->parent = cur;
		t->val = next;
		cur = next;
		p += 1 + n;
	}
	return 1;
}

/* Put v (a new reference) where t points. */
static void replace(struct target *t, struct json_object *v)
{
	if (t->name)
		FUZZ_ASSERT(json_object_object_add(t->parent, t->name, v) == 0);
	else
		FUZZ_ASSERT(json_object_array_put_idx(t->parent, t->idx, v) == 0);
}

/* The claims as signed: the backend's object plus the time claims it does
 * not have. */
static void expected_claims(struct json_object *claims, int times, struct buf *b)
{
	struct json_object *c = NULL;

	FUZZ_ASSERT(json_object_deep_copy(claims, &c, NULL) == 0);
	if (times) {
		if (!json_object_object_get_ex(c, "iat", NULL))
			json_object_object_add(c, "iat", json_object_new_int64(FUZZ_NOW));
		if (!json_object_object_get_ex(c, "exp", NULL))
			json_object_object_add(c, "exp",
					       json_object_new_int64(FUZZ_NOW + FUZZ_TTL));
		if (!json_object_object_get_ex(c, "nbf", NULL))
			json_object_object_add(c, "nbf",
					       json_object_new_int64(FUZZ_NOW - FUZZ_SKEW));
	}
	buf_reset(b);
	FUZZ_ASSERT(gojson_write(b, c, NULL) == 0);
	json_object_put(c);
}

static void check_output(int es, int full, int typ, int times, char *const *entries,
			 size_t nentries, struct json_object *in, const struct buf *out)
{
	struct json_object *res = NULL;
	struct buf claims = BUF_INIT;
	struct target ti, to;
	char tb1[64], tb2[64];
	size_t i;

	FUZZ_ASSERT(gojson_parse(out->data, out->len, NULL, &res, NULL) == 0);
	FUZZ_ASSERT(json_object_is_type(res, json_type_object));
	for (i = 0; i < nentries; i++) {
		if (!resolve(in, entries[i], &ti, tb1, sizeof(tb1)) ||
		    !json_object_is_type(ti.val, json_type_object))
			continue;
		/* Never the claims unsigned: a string holding a valid JWS. */
		FUZZ_ASSERT(resolve(res, entries[i], &to, tb2, sizeof(tb2)));
		FUZZ_ASSERT(json_object_is_type(to.val, json_type_string));
		expected_claims(ti.val, times, &claims);
		if (full)
			check_flattened(es, typ, json_object_get_string(to.val),
					(size_t)json_object_get_string_len(to.val), &claims);
		else
			check_compact(es, typ, json_object_get_string(to.val),
				      (size_t)json_object_get_string_len(to.val), &claims);
		/* Mask the signed target in both trees; later entries then
		 * find a string, as signer_transform's do. */
		replace(&ti, json_object_new_string("signed"));
		replace(&to, json_object_new_string("signed"));
	}
	/* Everything else unchanged. */
	check_same(in, res);
	buf_free(&claims);
	json_object_put(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct signer_opts opts;
	struct json_object *in = NULL;
	struct buf out;
	struct err err = {0};
	int es, full, typ, ptrs, times, prc, rc;
	const char *body;
	size_t len;

	if (size < 1)
		return 0;
	es = data[0] & 1;
	full = (data[0] >> 1) & 1;
	typ = !((data[0] >> 2) & 1);
	ptrs = (data[0] >> 3) & 1;
	times = (data[0] >> 4) & 1;
	body = (const char *)data + 1;
	len = size - 1;

	memset(&opts, 0, sizeof(opts));
	opts.key = es ? fz.es : fz.hs;
	opts.alg = es ? JWS_ALG_ES256 : JWS_ALG_HS256;
	opts.typ = typ ? "JWT" : NULL;
	opts.full = full;
	opts.keys_to_sign = ptrs ? pointers_to_sign : keys_to_sign;
	opts.nkeys_to_sign = ptrs ? 5 : 2;
	if (times) {
		opts.set_iat = true;
		opts.ttl = FUZZ_TTL;
		opts.set_nbf = true;
		opts.nbf_skew = FUZZ_SKEW;
	}
	opts.limits = limits;
	buf_init(&out, 16u * 1024u * 1024u);

	prc = gojson_parse(body, len, &limits, &in, NULL);
	rc = signer_transform(&opts, body, len, &out, &err);
	if (rc == ERR_NOMEM)
		goto done;
	if (prc != 0 || !json_object_is_type(in, json_type_object)) {
		FUZZ_ASSERT(rc == ERR_INVALID || rc == ERR_LIMIT);
		FUZZ_ASSERT(err.code == rc && err.msg[0] != '\0');
		FUZZ_ASSERT(out.len == 0);
		if (prc != 0)
			FUZZ_ASSERT(rc == prc);
		goto done;
	}
	FUZZ_ASSERT(rc == 0);
	check_output(es, full, typ, times, opts.keys_to_sign, opts.nkeys_to_sign, in, &out);
done:
	json_object_put(in);
	buf_free(&out);
	return 0;
}
