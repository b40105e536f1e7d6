/* jwk.c - JWK and JWK Set parsing, validation for signing, public export
 * and generation; see jwk.h.  RFC 7517, RFC 7518 section 6, RFC 8037.
 *
 * Only the selected key of a set is parsed fully (base64url, sizes, a
 * GnuTLS/libsodium import and consistency checks); the other entries are
 * checked for shape, so a set of thousands of keys stays cheap.  Key
 * material is copied into sodium_malloc'd memory at once and every string
 * of the json-c document is wiped before the document is released.
 */
#include "jwk.h"
#include "b64.h"
#include "crypto.h"
#include "gojson.h"

#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Nesting allowed in a JWK Set: set, "keys", key, "key_ops"/"x5c", plus
 * headroom for extension members. */
#define JWK_JSON_DEPTH 16

/* ------------------------------------------------------------ helpers */

/* Copy the len bytes at s into dst (size n) for a message: control bytes,
 * '"' and '\\' become '?', long text is cut with "...". */
static void printable(char *dst, size_t n, const char *s, size_t len)
{
	size_t o = 0, max = n - 4;

	for (size_t i = 0; i < len && o < n - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o >= max && i + 1 < len) {
			/* Do not cut a UTF-8 sequence in half. */
			while (o > 0 && ((unsigned char)dst[o - 1] & 0xc0) == 0x80)
				o--;
			if (o > 0 && ((unsigned char)dst[o - 1] & 0xc0) == 0xc0)
				o--;
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		dst[o++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	dst[o] = '\0';
}

/* The message label of a key: "KID" (quoted) or `without kid`. */
static void make_label(char *dst, const char *kid, size_t len)
{
	if (kid == NULL) {
		snprintf(dst, CRYPTO_LABEL_SIZE, "without kid");
		return;
	}
	dst[0] = '"';
	printable(dst + 1, CRYPTO_LABEL_SIZE - 2, kid, len);
	strcat(dst, "\"");
}

/* Overwrite every string value of the tree v (keys are names, not key
 * material).  json-c cannot scrub its own strings: its buffers are
 * writable, so cast the const away.  Recursion depth is bounded by
 * JWK_JSON_DEPTH. */
static void wipe_strings(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string: {
		char *s = (char *)json_object_get_string(v);
		int n = json_object_get_string_len(v);

		if (s && n > 0)
			sodium_memzero(s, (size_t)n);
		break;
	}
	case json_type_object: {
		json_object_object_foreach(v, name, child)
		{
			(void)name;
			wipe_strings(child);
		}
		break;
	}
	case json_type_array: {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++)
			wipe_strings(json_object_array_get_idx(v, i));
		break;
	}
	default:
		break;
	}
}

/* Wipe the document's strings, then release it.  NULL-safe. */
static void doc_release(struct json_object *root)
{
	if (root == NULL)
		return;
	wipe_strings(root);
	json_object_put(root);
}

/* Parse a whole JWK Set document strictly: RFC 8259 through gojson_parse
 * (json-c in strict mode plus the checks json-c lacks: no single quotes,
 * NaN, raw control characters; only whitespace after the value). */
static int doc_parse(const char *doc, size_t len, const struct jwk_limits *lim,
		     struct json_object **out, struct err *err)
{
	struct gojson_limits glim = {JWK_JSON_DEPTH, 0};
	int rc;

	*out = NULL;
	if (lim && lim->max_doc_bytes && len > lim->max_doc_bytes)
		return err_set(err, ERR_LIMIT, "JWK Set is %zu bytes; the limit is %zu", len,
			       lim->max_doc_bytes);
	if (doc == NULL || len == 0)
		return err_set(err, ERR_INVALID, "JWK Set is empty");
	rc = gojson_parse(doc, len, &glim, out, err);
	if (rc) {
		*out = NULL;
		if (err)
			err_prefix(err, "JWK Set");
	}
	return rc;
}

/* *s = the string member name of obj (NULL when absent).  A member of
 * another type is ERR_INVALID. */
static int get_string(struct json_object *obj, const char *name, const char *who, const char **s,
		      size_t *len, struct err *err)
{
	struct json_object *v;

	*s = NULL;
	*len = 0;
	if (!json_object_object_get_ex(obj, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return err_set(err, ERR_INVALID, "key %s: member \"%s\" is not a string", who,
			       name);
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return 0;
}

/* Decode the base64url member name into sodium memory (out->p NULL when
 * absent and not required).  size: exact decoded length required, or 0
 * for any non-empty value. */
static int get_b64(struct json_object *obj, const char *name, const char *who, int required,
		   size_t size, const char *why, struct crypto_bytes *out, struct err *err)
{
	const char *s;
	size_t len, rawlen = 0;
	uint8_t *raw = NULL;
	int rc = get_string(obj, name, who, &s, &len, err);

	if (rc)
		return rc;
	if (s == NULL) {
		if (required)
			return err_set(err, ERR_INVALID, "key %s: member \"%s\" is missing", who,
				       name);
		return 0;
	}
	if (len == 0)
		return err_set(err, ERR_INVALID, "key %s: member \"%s\" is empty", who, name);
	rc = b64url_decode(s, len, &raw, &rawlen);
	if (rc == ERR_NOMEM)
		return err_set(err, rc, "key %s: out of memory", who);
	if (rc)
		return err_set(err, ERR_INVALID,
			       "key %s: member \"%s\" is not strict base64url (RFC 7515 section "
			       "2: no '=' padding, no '+' or '/', no whitespace or other bytes, "
			       "canonical last character)",
			       who, name);
	if (size && rawlen != size)
		rc = err_set(err, ERR_INVALID,
			     "key %s: member \"%s\" is %zu bytes; %s needs exactly %zu", who, name,
			     rawlen, why, size);
	else if (crypto_bytes_set(out, raw, rawlen))
		rc = err_set(err, ERR_NOMEM, "key %s: out of memory", who);
	sodium_memzero(raw, rawlen);
	free(raw);
	return rc;
}

static char *dup_n(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* --------------------------------------------------------- jwk_parse */

/* "kid", "alg", "use", "key_ops" (RFC 7517 section 4). */
static int parse_common(struct json_object *obj, struct jwk *key, struct err *err)
{
	struct json_object *ops;
	const char *s;
	size_t len;
	int rc = get_string(obj, "kid", "without kid", &s, &len, err);

	if (rc)
		return rc;
	make_label(key->label, s, len);
	if (s) {
		if (strlen(s) != len)
			return err_set(err, ERR_INVALID, "key %s: member \"kid\" contains U+0000",
				       key->label);
		if ((key->kid = dup_n(s, len)) == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
	}
	rc = get_string(obj, "alg", key->label, &s, &len, err);
	if (rc)
		return rc;
	if (s) {
		if ((key->alg_name = dup_n(s, len)) == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
		if (jws_alg_from_name(key->alg_name, &key->alg) != 0 || strlen(s) != len)
			key->alg = JWS_ALG_INVALID;
	}
	rc = get_string(obj, "use", key->label, &s, &len, err);
	if (rc)
		return rc;
	if (s && (key->use = dup_n(s, len)) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	if (json_object_object_get_ex(obj, "key_ops", &ops)) {
		size_t n;

		if (!json_object_is_type(ops, json_type_array))
			return err_set(err, ERR_INVALID,
				       "key %s: member \"key_ops\" is not an array", key->label);
		key->has_key_ops = 1;
		n = json_object_array_length(ops);
		for (size_t i = 0; i < n; i++) {
			struct json_object *op = json_object_array_get_idx(ops, i);

			if (!json_object_is_type(op, json_type_string))
				return err_set(err, ERR_INVALID,
					       "key %s: member \"key_ops\" holds a non-string",
					       key->label);
			if (strcmp(json_object_get_string(op), "sign") == 0)
				key->key_ops_sign = 1;
		}
	}
	return 0;
}

/* RFC 7518 section 6.4: "k". */
static int parse_oct(struct json_object *obj, struct jwk *key, struct err *err)
{
	struct crypto_bytes k = {NULL, 0};
	int rc = get_b64(obj, "k", key->label, 1, 0, NULL, &k, err);

	if (rc)
		return rc;
	key->secret = k.p;
	key->secret_len = k.len;
	key->bits = (unsigned)(k.len > UINT_MAX / 8 ? UINT_MAX : k.len * 8);
	key->is_private = 1;
	return 0;
}

/* Drop leading zero bytes of the modulus (some encoders add one). */
static int strip_modulus(struct crypto_bytes *n, const char *who, unsigned *bits, struct err *err)
{
	size_t z = 0;
	unsigned top;

	while (z < n->len && n->p[z] == 0)
		z++;
	if (z == n->len)
		return err_set(err, ERR_INVALID, "key %s: member \"n\" is zero", who);
	if (z > 0) {
		struct crypto_bytes s = {NULL, 0};

		if (crypto_bytes_set(&s, n->p + z, n->len - z))
			return err_set(err, ERR_NOMEM, "out of memory");
		crypto_bytes_free(n);
		*n = s;
	}
	if (n->len > CRYPTO_RSA_MAX_BITS / 8)
		return err_set(err, ERR_UNSUPPORTED,
			       "key %s: member \"n\": RSA modulus over %u bits is not supported",
			       who, CRYPTO_RSA_MAX_BITS);
	top = 0;
	for (unsigned v = n->p[0]; v; v >>= 1)
		top++;
	*bits = (unsigned)(n->len - 1) * 8 + top;
	return 0;
}

/* RFC 7518 section 6.3.2: with "d", the other private members are all
 * present or all absent.  Members we cannot do without are "p" and "q". */
static int rsa_check_members(const struct crypto_rsa *r, const char *who, struct err *err)
{
	static const char *const names[] = {"p", "q", "dp", "dq", "qi"};
	const struct crypto_bytes *m[] = {&r->p, &r->q, &r->dp, &r->dq, &r->qi};
	int present = 0;

	for (int i = 0; i < 5; i++)
		present += m[i]->p != NULL;
	if (r->d.p == NULL) {
		for (int i = 0; i < 5; i++)
			if (m[i]->p)
				return err_set(err, ERR_INVALID,
					       "key %s: member \"d\" is missing but \"%s\" is "
					       "present (RFC 7518 section 6.3.2: a private RSA key "
					       "has \"d\")",
					       who, names[i]);
		return 0;
	}
	if (present == 0)
		return err_set(err, ERR_UNSUPPORTED,
			       "key %s: members \"p\" and \"q\" are missing: RSA private keys "
			       "without their primes are not supported",
			       who);
	for (int i = 0; i < 5; i++) {
		/* Only dp, dq, qi together may be left out (then derived). */
		if (m[i]->p == NULL && (i < 2 || m[2]->p || m[3]->p || m[4]->p))
			return err_set(err, ERR_INVALID,
				       "key %s: member \"%s\" is missing (RFC 7518 section "
				       "6.3.2: \"p\", \"q\", \"dp\", \"dq\", \"qi\" come together)",
				       who, names[i]);
	}
	return 0;
}

/* RFC 7518 section 6.3. */
static int parse_rsa(struct json_object *obj, struct jwk *key, struct err *err)
{
	struct crypto_rsa r;
	const char *who = key->label;
	int rc;

	memset(&r, 0, sizeof(r));
	if (json_object_object_get_ex(obj, "oth", NULL)) {
		rc = err_set(err, ERR_UNSUPPORTED,
			     "key %s: member \"oth\": multi-prime RSA keys are not supported", who);
		goto out;
	}
	if ((rc = get_b64(obj, "n", who, 1, 0, NULL, &r.n, err)) ||
	    (rc = get_b64(obj, "e", who, 1, 0, NULL, &r.e, err)) ||
	    (rc = get_b64(obj, "d", who, 0, 0, NULL, &r.d, err)) ||
	    (rc = get_b64(obj, "p", who, 0, 0, NULL, &r.p, err)) ||
	    (rc = get_b64(obj, "q", who, 0, 0, NULL, &r.q, err)) ||
	    (rc = get_b64(obj, "dp", who, 0, 0, NULL, &r.dp, err)) ||
	    (rc = get_b64(obj, "dq", who, 0, 0, NULL, &r.dq, err)) ||
	    (rc = get_b64(obj, "qi", who, 0, 0, NULL, &r.qi, err)))
		goto out;
	if ((rc = strip_modulus(&r.n, who, &key->bits, err)) != 0)
		goto out;
	if ((rc = rsa_check_members(&r, who, err)) != 0)
		goto out;
	if (r.d.p == NULL)
		goto out; /* a public key */
	rc = crypto_rsa_import(&r, who, &key->priv, &key->bits, err);
	if (rc == 0)
		key->is_private = 1;
out:
	crypto_rsa_free(&r);
	return rc;
}

static int parse_curve(struct json_object *obj, struct jwk *key, int okp, struct err *err)
{
	char shown[40];
	const char *s;
	size_t len;
	int rc = get_string(obj, "crv", key->label, &s, &len, err);

	if (rc)
		return rc;
	if (s == NULL)
		return err_set(err, ERR_INVALID, "key %s: member \"crv\" is missing", key->label);
	key->crv = strlen(s) == len ? crypto_curve_from_name(s) : 0;
	if (key->crv == 0 || (key->crv == CRYPTO_ED25519) != okp) {
		key->crv = 0;
		printable(shown, sizeof(shown), s, len);
		return err_set(err, ERR_UNSUPPORTED,
			       "key %s: member \"crv\": curve \"%s\" is not supported for kty "
			       "\"%s\" (%s)",
			       key->label, shown, okp ? "OKP" : "EC",
			       okp ? "Ed25519" : "P-256, P-384, P-521");
	}
	return 0;
}

/* RFC 7518 section 6.2. */
static int parse_ec(struct json_object *obj, struct jwk *key, struct err *err)
{
	struct crypto_bytes x = {NULL, 0}, y = {NULL, 0}, d = {NULL, 0};
	const char *who = key->label;
	size_t size;
	int rc = parse_curve(obj, key, 0, err);

	if (rc)
		return rc;
	size = crypto_curve_size(key->crv);
	key->bits = key->crv == CRYPTO_P521 ? 521 : (unsigned)size * 8;
	if ((rc = get_b64(obj, "x", who, 1, size, crypto_curve_name(key->crv), &x, err)) ||
	    (rc = get_b64(obj, "y", who, 1, size, crypto_curve_name(key->crv), &y, err)) ||
	    (rc = get_b64(obj, "d", who, 0, size, crypto_curve_name(key->crv), &d, err)))
		goto out;
	if (d.p == NULL)
		goto out; /* a public key */
	rc = crypto_ec_import(key->crv, x.p, y.p, d.p, who, &key->priv, err);
	if (rc == 0)
		key->is_private = 1;
out:
	crypto_bytes_free(&x);
	crypto_bytes_free(&y);
	crypto_bytes_free(&d);
	return rc;
}

/* RFC 8037 section 2. */
static int parse_okp(struct json_object *obj, struct jwk *key, struct err *err)
{
	struct crypto_bytes x = {NULL, 0}, d = {NULL, 0}, sk = {NULL, 0};
	const char *who = key->label;
	int rc = parse_curve(obj, key, 1, err);

	if (rc)
		return rc;
	key->bits = 256;
	if ((rc = get_b64(obj, "x", who, 1, CRYPTO_ED25519_PUB, "Ed25519", &x, err)) ||
	    (rc = get_b64(obj, "d", who, 0, CRYPTO_ED25519_SEED, "Ed25519", &d, err)))
		goto out;
	if (d.p == NULL)
		goto out; /* a public key */
	rc = crypto_ed25519_import(d.p, x.p, who, &sk, err);
	if (rc == 0) {
		key->secret = sk.p;
		key->secret_len = sk.len;
		key->is_private = 1;
	}
out:
	crypto_bytes_free(&x);
	crypto_bytes_free(&d);
	return rc;
}

static int kty_from_name(const char *s, enum jwk_kty *out)
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

static const char *kty_name(enum jwk_kty kty)
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
	}
	return "?";
}

int jwk_parse(struct json_object *obj, struct jwk **out, struct err *err)
{
	struct jwk *key;
	const char *s;
	size_t len;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(err, ERR_CRYPTO, "libsodium cannot be initialised");
	if (!json_object_is_type(obj, json_type_object))
		return err_set(err, ERR_INVALID, "a JWK must be a JSON object");
	key = calloc(1, sizeof(*key));
	if (key == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	rc = parse_common(obj, key, err);
	if (rc)
		goto out;
	rc = get_string(obj, "kty", key->label, &s, &len, err);
	if (rc)
		goto out;
	if (s == NULL) {
		rc = err_set(err, ERR_INVALID, "key %s: member \"kty\" is missing", key->label);
		goto out;
	}
	if (strlen(s) != len || kty_from_name(s, &key->kty) != 0) {
		char shown[40];

		printable(shown, sizeof(shown), s, len);
		rc = err_set(err, ERR_UNSUPPORTED,
			     "key %s: member \"kty\": key type \"%s\" is not supported (oct, "
			     "RSA, EC, OKP)",
			     key->label, shown);
		goto out;
	}
	switch (key->kty) {
	case JWK_KTY_OCT:
		rc = parse_oct(obj, key, err);
		if (rc == 0 && crypto_hmac_prepare(key) != 0)
			rc = err_set(err, ERR_NOMEM, "key %s: cannot prepare the HMAC key",
				     key->label);
		break;
	case JWK_KTY_RSA:
		rc = parse_rsa(obj, key, err);
		break;
	case JWK_KTY_EC:
		rc = parse_ec(obj, key, err);
		break;
	case JWK_KTY_OKP:
		rc = parse_okp(obj, key, err);
		break;
	}
out:
	if (rc) {
		jwk_free(key);
		return rc;
	}
	*out = key;
	return 0;
}

/* ------------------------------------------------------ key accessors */

int jwk_check_alg(const struct jwk *key, enum jws_alg alg, struct err *err)
{
	const struct crypto_alg *a = crypto_alg_info(alg);
	const char *name = jws_alg_name(alg);

	if (a == NULL)
		return err_set(err, ERR_UNSUPPORTED,
			       "key %s: no valid alg to sign with (\"none\" is never used)",
			       key ? key->label : "(none)");
	if (key == NULL)
		return err_set(err, ERR_KEY, "no key to sign %s with", name);
	if (key->kty != a->kty)
		return err_set(err, ERR_KEY,
			       "key %s: member \"kty\": a \"%s\" key cannot sign %s (needs kty "
			       "\"%s\")",
			       key->label, kty_name(key->kty), name, kty_name(a->kty));
	if (key->alg_name && key->alg != alg) {
		char shown[40];

		printable(shown, sizeof(shown), key->alg_name, strlen(key->alg_name));
		return err_set(err, ERR_KEY,
			       "key %s: member \"alg\" is \"%s\" but the configured alg is %s",
			       key->label, shown, name);
	}
	if ((a->kty == JWK_KTY_EC || a->kty == JWK_KTY_OKP) && key->crv != a->crv)
		return err_set(
		    err, ERR_KEY, "key %s: member \"crv\": a %s key cannot sign %s (needs %s)",
		    key->label, crypto_curve_name(key->crv), name, crypto_curve_name(a->crv));
	if (!key->is_private)
		return err_set(err, ERR_KEY,
			       "key %s: member \"d\" is missing: a public key cannot sign",
			       key->label);
	if (a->kty == JWK_KTY_RSA && key->bits < CRYPTO_RSA_MIN_BITS)
		return err_set(err, ERR_KEY,
			       "key %s: member \"n\": a %u-bit RSA key is too small for %s (at "
			       "least %u bits, RFC 7518 section 3.3)",
			       key->label, key->bits, name, CRYPTO_RSA_MIN_BITS);
	if (key->use && strcmp(key->use, "sig") != 0) {
		char shown[40];

		printable(shown, sizeof(shown), key->use, strlen(key->use));
		return err_set(err, ERR_KEY,
			       "key %s: member \"use\" is \"%s\": the key is not meant for "
			       "signatures (RFC 7517 section 4.2)",
			       key->label, shown);
	}
	if (key->has_key_ops && !key->key_ops_sign)
		return err_set(err, ERR_KEY,
			       "key %s: member \"key_ops\" does not include \"sign\" (RFC 7517 "
			       "section 4.3)",
			       key->label);
	return 0;
}

const char *jwk_kid(const struct jwk *key)
{
	return key ? key->kid : NULL;
}

enum jwk_kty jwk_kty(const struct jwk *key)
{
	return key->kty;
}

void jwk_free(struct jwk *key)
{
	if (key == NULL)
		return;
	if (key->secret) {
		sodium_memzero(key->secret, key->secret_len);
		sodium_free(key->secret);
	}
	if (key->priv)
		gnutls_privkey_deinit(key->priv);
	crypto_hmac_release(key);
	free(key->kid);
	free(key->alg_name);
	free(key->use);
	sodium_memzero(key, sizeof(*key));
	free(key);
}

/* ------------------------------------------------------------ JWK Sets */

/* One entry of "keys", indexed by kid. */
struct kid_ref {
	const char *kid;
	size_t pos;
};

struct jwk_set {
	struct json_object *root;
	struct json_object *keys;
	size_t n;
	struct kid_ref *index; /* entries with a kid, sorted by kid */
	size_t nindex;
};

static int kid_ref_cmp(const void *a, const void *b)
{
	const struct kid_ref *x = a, *y = b;
	int c = strcmp(x->kid, y->kid);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int kid_key_cmp(const void *k, const void *e)
{
	return strcmp((const char *)k, ((const struct kid_ref *)e)->kid);
}

static void set_close(struct jwk_set *set)
{
	free(set->index);
	doc_release(set->root);
	memset(set, 0, sizeof(*set));
}

/* Shape check of entry i: an object with a string "kty" and, when
 * present, a string "kid" without U+0000. */
static int set_check_entry(struct jwk_set *set, size_t i, struct err *err)
{
	struct json_object *e = json_object_array_get_idx(set->keys, i), *v;

	if (!json_object_is_type(e, json_type_object))
		return err_set(err, ERR_INVALID, "JWK Set: entry #%zu of \"keys\" is not an object",
			       i);
	if (!json_object_object_get_ex(e, "kty", &v) || !json_object_is_type(v, json_type_string))
		return err_set(err, ERR_INVALID,
			       "JWK Set: entry #%zu: member \"kty\" is missing or not a string", i);
	if (!json_object_object_get_ex(e, "kid", &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return err_set(err, ERR_INVALID,
			       "JWK Set: entry #%zu: member \"kid\" is not a string without "
			       "U+0000",
			       i);
	set->index[set->nindex].kid = json_object_get_string(v);
	set->index[set->nindex].pos = i;
	set->nindex++;
	return 0;
}

/* Parse doc as a JWK Set {"keys":[...]} and index its kids. */
static int set_open(struct jwk_set *set, const char *doc, size_t len, const struct jwk_limits *lim,
		    struct err *err)
{
	struct json_object *v;
	int rc;

	memset(set, 0, sizeof(*set));
	rc = doc_parse(doc, len, lim, &set->root, err);
	if (rc)
		return rc;
	rc = ERR_INVALID;
	if (!json_object_is_type(set->root, json_type_object)) {
		err_set(err, rc, "JWK Set is not a JSON object");
		goto fail;
	}
	if (!json_object_object_get_ex(set->root, "keys", &set->keys)) {
		if (json_object_object_get_ex(set->root, "kty", &v))
			err_set(err, rc,
				"a single JWK was given where a JWK Set is expected: wrap it as "
				"{\"keys\":[JWK]} (RFC 7517 section 5)");
		else
			err_set(err, rc, "JWK Set has no \"keys\" member (RFC 7517 section 5)");
		goto fail;
	}
	if (!json_object_is_type(set->keys, json_type_array)) {
		err_set(err, rc, "JWK Set: member \"keys\" is not an array");
		goto fail;
	}
	set->n = json_object_array_length(set->keys);
	if (set->n == 0) {
		err_set(err, rc, "JWK Set: \"keys\" is empty");
		goto fail;
	}
	if (lim && lim->max_keys && set->n > lim->max_keys) {
		rc = err_set(err, ERR_LIMIT, "JWK Set holds %zu keys; the limit is %zu", set->n,
			     lim->max_keys);
		goto fail;
	}
	set->index = calloc(set->n, sizeof(*set->index));
	if (set->index == NULL) {
		rc = err_set(err, ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < set->n; i++) {
		rc = set_check_entry(set, i, err);
		if (rc)
			goto fail;
	}
	qsort(set->index, set->nindex, sizeof(*set->index), kid_ref_cmp);
	for (size_t i = 1; i < set->nindex; i++) {
		if (strcmp(set->index[i - 1].kid, set->index[i].kid) == 0) {
			char label[CRYPTO_LABEL_SIZE];

			make_label(label, set->index[i].kid, strlen(set->index[i].kid));
			rc = err_set(err, ERR_INVALID,
				     "JWK Set: kid %s appears twice (entries #%zu and #%zu)", label,
				     set->index[i - 1].pos, set->index[i].pos);
			goto fail;
		}
	}
	return 0;
fail:
	set_close(set);
	return rc;
}

/* The entry with this kid, or NULL. */
static struct json_object *set_find(const struct jwk_set *set, const char *kid)
{
	const struct kid_ref *r;

	if (kid == NULL || set->nindex == 0)
		return NULL;
	r = bsearch(kid, set->index, set->nindex, sizeof(*set->index), kid_key_cmp);
	return r ? json_object_array_get_idx(set->keys, r->pos) : NULL;
}

static void not_found(const char *const *kids, size_t nkids, struct err *err)
{
	char list[ERR_MSG_SIZE / 2] = "";
	size_t used = 0;

	for (size_t i = 0; i < nkids && used + CRYPTO_LABEL_SIZE + 3 < sizeof(list); i++) {
		char label[CRYPTO_LABEL_SIZE];

		if (kids[i] == NULL)
			continue;
		make_label(label, kids[i], strlen(kids[i]));
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "",
					 label);
	}
	err_set(err, ERR_NOTFOUND, "JWK Set has no key with kid %s", used ? list : "(none given)");
}

int jwk_set_select(const char *doc, size_t len, const char *const *kids, size_t nkids,
		   enum jws_alg alg, const struct jwk_limits *lim, struct jwk **out,
		   struct err *err)
{
	struct json_object *entry = NULL;
	struct jwk_set set;
	struct jwk *key = NULL;
	int rc;

	*out = NULL;
	if (crypto_alg_info(alg) == NULL)
		return err_set(err, ERR_UNSUPPORTED,
			       "no valid alg to sign with (\"none\" is never used)");
	rc = set_open(&set, doc, len, lim, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < nkids && entry == NULL; i++)
		entry = set_find(&set, kids[i]);
	if (entry == NULL) {
		not_found(kids, nkids, err);
		rc = ERR_NOTFOUND;
		goto out;
	}
	rc = jwk_parse(entry, &key, err);
	if (rc == 0)
		rc = jwk_check_alg(key, alg, err);
	if (rc == 0) {
		*out = key;
		key = NULL;
	}
out:
	jwk_free(key);
	set_close(&set);
	return rc;
}

/* ------------------------------------------------------ jwk_set_public */

/* Append ,"name":"value" for a string member that is present. */
static int copy_member(struct buf *b, struct json_object *obj, const char *name)
{
	struct json_object *v;
	int rc;

	if (!json_object_object_get_ex(obj, name, &v))
		return 0;
	rc = buf_printf(b, ",\"%s\":", name);
	if (rc == 0)
		rc = gojson_write_string(b, json_object_get_string(v),
					 (size_t)json_object_get_string_len(v));
	return rc;
}

static int copy_key_ops(struct buf *b, struct json_object *obj)
{
	struct json_object *ops;
	size_t n;
	int rc;

	if (!json_object_object_get_ex(obj, "key_ops", &ops))
		return 0;
	rc = buf_puts(b, ",\"key_ops\":[");
	n = json_object_array_length(ops);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct json_object *op = json_object_array_get_idx(ops, i);

		if (i)
			rc = buf_putc(b, ',');
		if (rc == 0)
			rc = gojson_write_string(b, json_object_get_string(op),
						 (size_t)json_object_get_string_len(op));
	}
	if (rc == 0)
		rc = buf_putc(b, ']');
	return rc;
}

/* Append the public form of the (validated) key entry. */
static int write_public(struct buf *b, struct json_object *e, const struct jwk *key)
{
	static const char *const rsa[] = {"n", "e", NULL};
	static const char *const ec[] = {"crv", "x", "y", NULL};
	static const char *const okp[] = {"crv", "x", NULL};
	const char *const *m = key->kty == JWK_KTY_RSA ? rsa : key->kty == JWK_KTY_EC ? ec : okp;
	int rc = buf_printf(b, "{\"kty\":\"%s\"", kty_name(key->kty));

	if (rc == 0)
		rc = copy_member(b, e, "kid");
	if (rc == 0)
		rc = copy_member(b, e, "use");
	if (rc == 0)
		rc = copy_key_ops(b, e);
	if (rc == 0)
		rc = copy_member(b, e, "alg");
	for (; rc == 0 && *m; m++)
		rc = copy_member(b, e, *m);
	if (rc == 0)
		rc = buf_putc(b, '}');
	return rc;
}

int jwk_set_public(const char *doc, size_t len, const struct jwk_limits *lim, struct buf *out,
		   struct err *err)
{
	struct buf b = BUF_INIT;
	struct jwk_set set;
	size_t written = 0;
	int rc;

	if (sodium_init() < 0)
		return err_set(err, ERR_CRYPTO, "libsodium cannot be initialised");
	rc = set_open(&set, doc, len, lim, err);
	if (rc)
		return rc;
	rc = buf_puts(&b, "{\"keys\":[");
	for (size_t i = 0; rc == 0 && i < set.n; i++) {
		struct json_object *e = json_object_array_get_idx(set.keys, i);
		struct jwk *key = NULL;

		/* Full parse: the public part is exported only from a key that
		 * is well-formed and, when private, consistent. */
		rc = jwk_parse(e, &key, err);
		if (rc) {
			if (err)
				err_prefix(err, "JWK Set entry #%zu", i);
			goto out;
		}
		if (key->kty != JWK_KTY_OCT) {
			if (written++)
				rc = buf_putc(&b, ',');
			if (rc == 0)
				rc = write_public(&b, e, key);
		}
		jwk_free(key);
	}
	if (rc == 0)
		rc = buf_puts(&b, "]}");
	if (rc == 0)
		rc = buf_append(out, b.data, b.len);
	if (rc)
		err_set(err, rc, "cannot write the public JWK Set: %s", err_strerror(rc));
out:
	buf_free(&b);
	set_close(&set);
	return rc;
}

/* -------------------------------------------------------- jwk_generate */

/* Append ,"name":"BASE64URL(bytes)". */
static int put_b64(struct buf *b, const char *name, const struct crypto_bytes *v)
{
	int rc = buf_printf(b, ",\"%s\":\"", name);

	if (rc == 0)
		rc = b64url_encode_buf(b, v->p, v->len);
	if (rc == 0)
		rc = buf_putc(b, '"');
	return rc;
}

/* Append {"keys":[{"kty":KTY,"kid":KID,"use":"sig"[,"alg":ALG] (the set
 * and the key are left open). */
static int put_head(struct buf *b, enum jwk_kty kty, const char *kid, enum jws_alg alg)
{
	int rc = buf_printf(b, "{\"keys\":[{\"kty\":\"%s\",\"kid\":", kty_name(kty));

	if (rc == 0)
		rc = gojson_write_string(b, kid, strlen(kid));
	if (rc == 0)
		rc = buf_puts(b, ",\"use\":\"sig\"");
	if (rc == 0 && alg != JWS_ALG_INVALID)
		rc = buf_printf(b, ",\"alg\":\"%s\"", jws_alg_name(alg));
	return rc;
}

struct gen_params {
	enum jwk_kty kty;
	unsigned bits;
	enum crypto_curve crv;
	const struct crypto_alg *alg; /* or NULL */
};

/* Check the request and fill in defaults. */
static int gen_check(const char *kty, unsigned bits, const char *crv, const char *kid,
		     const char *alg, struct gen_params *g, struct err *err)
{
	enum jws_alg a;

	memset(g, 0, sizeof(*g));
	if (kid == NULL || *kid == '\0')
		return err_set(err, ERR_INVALID, "genkey: a kid is required");
	if (kty == NULL || kty_from_name(kty, &g->kty) != 0)
		return err_set(err, ERR_UNSUPPORTED, "genkey: kty must be oct, RSA, EC or OKP");
	if (alg) {
		if (jws_alg_from_name(alg, &a) != 0)
			return err_set(err, ERR_UNSUPPORTED,
				       "genkey: alg \"%.20s\" is not supported", alg);
		g->alg = crypto_alg_info(a);
		if (g->alg->kty != g->kty)
			return err_set(err, ERR_INVALID, "genkey: alg %s needs kty \"%s\"", alg,
				       kty_name(g->alg->kty));
	}
	if ((g->kty == JWK_KTY_OCT || g->kty == JWK_KTY_RSA) && crv)
		return err_set(err, ERR_INVALID, "genkey: crv applies to kty EC and OKP only");
	if ((g->kty == JWK_KTY_EC || g->kty == JWK_KTY_OKP) && bits)
		return err_set(err, ERR_INVALID,
			       "genkey: the size applies to kty oct and RSA only (use crv)");
	switch (g->kty) {
	case JWK_KTY_OCT:
		/* RFC 7518 section 3.2: at least the hash size. */
		g->bits = bits ? bits : g->alg ? (unsigned)g->alg->hash_len * 8 : 256;
		if (g->bits % 8 || g->bits < 128 || g->bits > 8192)
			return err_set(err, ERR_INVALID,
				       "genkey: oct size must be a multiple of 8 from 128 to 8192");
		if (g->alg && g->bits < g->alg->hash_len * 8)
			return err_set(err, ERR_INVALID,
				       "genkey: %s needs a key of at least %zu bits (RFC 7518 "
				       "section 3.2)",
				       alg, g->alg->hash_len * 8);
		break;
	case JWK_KTY_RSA:
		g->bits = bits ? bits : CRYPTO_RSA_MIN_BITS;
		if (g->bits % 8 || g->bits < CRYPTO_RSA_MIN_BITS || g->bits > CRYPTO_RSA_MAX_BITS)
			return err_set(err, ERR_INVALID,
				       "genkey: RSA size must be a multiple of 8 from %u to %u",
				       CRYPTO_RSA_MIN_BITS, CRYPTO_RSA_MAX_BITS);
		break;
	case JWK_KTY_EC:
	case JWK_KTY_OKP:
		if (crv == NULL)
			g->crv = g->alg			? g->alg->crv
				 : g->kty == JWK_KTY_EC ? CRYPTO_P256
							: CRYPTO_ED25519;
		else
			g->crv = crypto_curve_from_name(crv);
		if (g->crv == 0 || (g->crv == CRYPTO_ED25519) != (g->kty == JWK_KTY_OKP))
			return err_set(err, ERR_UNSUPPORTED, "genkey: crv must be %s",
				       g->kty == JWK_KTY_OKP ? "Ed25519" : "P-256, P-384 or P-521");
		if (g->alg && g->alg->crv != g->crv)
			return err_set(err, ERR_INVALID, "genkey: alg %s needs crv %s", alg,
				       crypto_curve_name(g->alg->crv));
		break;
	}
	return 0;
}

/* Write the key members of a new key into b (reserved beforehand so the
 * secret is never left behind by a realloc). */
static int gen_members(struct buf *b, const struct gen_params *g, struct err *err)
{
	struct crypto_rsa r;
	struct crypto_bytes x = {NULL, 0}, y = {NULL, 0}, d = {NULL, 0};
	int rc;

	memset(&r, 0, sizeof(r));
	switch (g->kty) {
	case JWK_KTY_OCT:
		d.p = sodium_malloc(g->bits / 8);
		if (d.p == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
		d.len = g->bits / 8;
		randombytes_buf(d.p, d.len);
		rc = put_b64(b, "k", &d);
		break;
	case JWK_KTY_RSA:
		rc = crypto_rsa_generate(g->bits, &r, err);
		if (rc)
			return rc;
		if ((rc = put_b64(b, "n", &r.n)) || (rc = put_b64(b, "e", &r.e)) ||
		    (rc = put_b64(b, "d", &r.d)) || (rc = put_b64(b, "p", &r.p)) ||
		    (rc = put_b64(b, "q", &r.q)) || (rc = put_b64(b, "dp", &r.dp)) ||
		    (rc = put_b64(b, "dq", &r.dq)) || (rc = put_b64(b, "qi", &r.qi)))
			break;
		break;
	default:
		rc = crypto_ec_generate(g->crv, &x, &y, &d, err);
		if (rc)
			return rc;
		rc = buf_printf(b, ",\"crv\":\"%s\"", crypto_curve_name(g->crv));
		if (rc == 0)
			rc = put_b64(b, "x", &x);
		if (rc == 0 && y.p)
			rc = put_b64(b, "y", &y);
		if (rc == 0)
			rc = put_b64(b, "d", &d);
		break;
	}
	crypto_rsa_free(&r);
	crypto_bytes_free(&x);
	crypto_bytes_free(&y);
	crypto_bytes_free(&d);
	if (rc)
		return err_set(err, rc, "genkey: cannot write the key: %s", err_strerror(rc));
	return 0;
}

/* Parse the new set back and check the key can sign: catches any
 * mismatch between GnuTLS's export and the JWK encoding. */
static int gen_selfcheck(const struct buf *b, const char *kid, const struct gen_params *g,
			 struct err *err)
{
	static const enum jws_alg natural[] = {[JWK_KTY_OCT] = JWS_ALG_HS256,
					       [JWK_KTY_RSA] = JWS_ALG_RS256,
					       [JWK_KTY_EC] = JWS_ALG_ES256,
					       [JWK_KTY_OKP] = JWS_ALG_EDDSA};
	const char *kids[1] = {kid};
	enum jws_alg alg = g->alg ? g->alg->alg : natural[g->kty];
	struct jwk *key = NULL;
	int rc;

	if (!g->alg && g->kty == JWK_KTY_EC)
		alg = g->crv == CRYPTO_P384   ? JWS_ALG_ES384
		      : g->crv == CRYPTO_P521 ? JWS_ALG_ES512
					      : JWS_ALG_ES256;
	rc = jwk_set_select(b->data, b->len, kids, 1, alg, NULL, &key, err);
	jwk_free(key);
	if (rc && err)
		err_prefix(err, "genkey: the new key failed its check");
	return rc;
}

int jwk_generate(struct buf *out, const char *kty, unsigned bits, const char *crv, const char *kid,
		 const char *alg, struct err *err)
{
	struct gen_params g;
	struct buf b = BUF_INIT_SECRET;
	int rc;

	if (sodium_init() < 0)
		return err_set(err, ERR_CRYPTO, "libsodium cannot be initialised");
	rc = gen_check(kty, bits, crv, kid, alg, &g, err);
	if (rc)
		return rc;
	/* Room for every member (RSA: about 4.5 modulus sizes, base64url'd)
	 * plus the kid, escaped at most 6 bytes per byte. */
	rc = buf_reserve(&b, (g.kty == JWK_KTY_RSA || g.kty == JWK_KTY_OCT ? g.bits : 0) + 1024 +
				 6 * strlen(kid));
	if (rc == 0)
		rc = put_head(&b, g.kty, kid, g.alg ? g.alg->alg : JWS_ALG_INVALID);
	if (rc) {
		err_set(err, rc, "genkey: %s", err_strerror(rc));
		goto out;
	}
	rc = gen_members(&b, &g, err);
	if (rc)
		goto out;
	rc = buf_puts(&b, "}]}");
	if (rc == 0)
		rc = buf_reserve(out, b.len);
	if (rc) {
		err_set(err, rc, "genkey: %s", err_strerror(rc));
		goto out;
	}
	rc = gen_selfcheck(&b, kid, &g, err);
	if (rc == 0)
		rc = buf_append(out, b.data, b.len);
out:
	buf_wipe_free(&b);
	return rc;
}

/* ----------------------------------------------------------------- PEM */

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "-----END "
#define PEM_DASHES "-----"
/* RFC 7468 labels in use are short; a longer one is not a PEM line. */
#define PEM_LABEL_MAX 64

static int pem_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int jwk_is_pem(const char *doc, size_t len)
{
	size_t i = 0;

	while (i < len && pem_space(doc[i]))
		i++;
	/* A JWK Set starts with '{'; anything else holding a BEGIN line is
	 * PEM, with the explanatory text certtool and openssl put before it. */
	return i < len && doc[i] != '{' &&
	       memmem(doc + i, len - i, PEM_BEGIN, sizeof(PEM_BEGIN) - 1) != NULL;
}

/* The first occurrence of the n bytes at needle in s[from, len), or len. */
static size_t find_bytes(const char *s, size_t len, size_t from, const char *needle, size_t n)
{
	for (size_t i = from; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return i;
	return len;
}

/* One PEM block (RFC 7468 section 2), pointing into the document. */
struct pem_block {
	const char *text;  /* "-----BEGIN " */
	size_t len;	   /* through the closing "-----" of the END line */
	const char *label; /* e.g. "PRIVATE KEY", not NUL-terminated */
	size_t label_len;
};

/* Is the BEGIN marker at i at the start of a line (spaces and tabs may
 * come before it)? */
static int at_line_start(const char *s, size_t i)
{
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
		i--;
	return i == 0 || s[i - 1] == '\n' || s[i - 1] == '\r';
}

/* Find the next block from *pos.  Returns 1 (found, *pos after it), 0
 * (none left) or ERR_INVALID (a BEGIN line without its label's END). */
static int pem_next(const char *s, size_t len, size_t *pos, struct pem_block *b, struct err *err)
{
	const size_t nb = sizeof(PEM_BEGIN) - 1, nd = sizeof(PEM_DASHES) - 1;
	char end[sizeof(PEM_END) + PEM_LABEL_MAX + sizeof(PEM_DASHES)];
	char shown[PEM_LABEL_MAX + 8];
	size_t i = *pos, lab, close, e, n;

	for (;; i++) {
		i = find_bytes(s, len, i, PEM_BEGIN, nb);
		if (i == len)
			return 0;
		if (at_line_start(s, i))
			break;
	}
	lab = i + nb;
	close = find_bytes(s, len, lab, PEM_DASHES, nd);
	for (size_t k = lab; k < close; k++) {
		if (s[k] == '\n' || s[k] == '\r') {
			close = len;
			break;
		}
	}
	if (close == len || close - lab > PEM_LABEL_MAX)
		return err_set(err, ERR_INVALID,
			       "PEM: a \"-----BEGIN \" line has no label closed by \"-----\" "
			       "(RFC 7468 section 2)");
	for (size_t k = lab; k < close; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c < 0x20 || c > 0x7e)
			return err_set(err, ERR_INVALID,
				       "PEM: a \"-----BEGIN \" line has a label with a byte "
				       "outside printable ASCII (RFC 7468 section 2)");
	}
	n = (size_t)snprintf(end, sizeof(end), "%s%.*s%s", PEM_END, (int)(close - lab), s + lab,
			     PEM_DASHES);
	e = find_bytes(s, len, close + nd, end, n);
	if (e == len) {
		printable(shown, sizeof(shown), s + lab, close - lab);
		return err_set(err, ERR_INVALID,
			       "PEM: the \"%s\" block has no \"-----END %s-----\" line (file cut "
			       "short?)",
			       shown, shown);
	}
	b->text = s + i;
	b->len = e + n - i;
	b->label = s + lab;
	b->label_len = close - lab;
	*pos = e + n;
	return 1;
}

static int label_is(const struct pem_block *b, const char *label)
{
	return b->label_len == strlen(label) && memcmp(b->label, label, b->label_len) == 0;
}

static int label_ends_with(const struct pem_block *b, const char *tail)
{
	size_t n = strlen(tail);

	return b->label_len >= n && memcmp(b->label + b->label_len - n, tail, n) == 0;
}

/* The first block whose label ends with "PRIVATE KEY", checked to be one
 * we can read. */
static int pem_find_key(const char *pem, size_t len, struct pem_block *key, struct err *err)
{
	struct pem_block b = {NULL, 0, NULL, 0}, first = {NULL, 0, NULL, 0};
	char shown[PEM_LABEL_MAX + 8];
	size_t pos = 0;
	int rc;

	while ((rc = pem_next(pem, len, &pos, &b, err)) == 1) {
		if (label_ends_with(&b, "PRIVATE KEY"))
			break;
		if (first.text == NULL)
			first = b;
	}
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (first.text == NULL)
			return err_set(err, ERR_INVALID,
				       "PEM: no \"-----BEGIN ...-----\" line found");
		printable(shown, sizeof(shown), first.label, first.label_len);
		return err_set(err, ERR_KEY,
			       "PEM: a private key is needed, but the file holds no \"... "
			       "PRIVATE KEY\" block (first block: \"%s\")",
			       shown);
	}
	printable(shown, sizeof(shown), b.label, b.label_len);
	if (label_is(&b, "ENCRYPTED PRIVATE KEY"))
		return err_set(err, ERR_UNSUPPORTED,
			       "PEM: the private key is encrypted (\"ENCRYPTED PRIVATE KEY\", "
			       "PKCS#8); jwtsign reads unencrypted keys only: decrypt it (e.g. "
			       "openssl pkcs8 -in KEY -out PLAIN) and protect the file with its "
			       "permissions");
	if (label_is(&b, "OPENSSH PRIVATE KEY"))
		return err_set(err, ERR_UNSUPPORTED,
			       "PEM: an OpenSSH private key is not supported: convert it to "
			       "PKCS#8 (ssh-keygen -p -m PKCS8 -f KEY)");
	if (!label_is(&b, "PRIVATE KEY") && !label_is(&b, "RSA PRIVATE KEY") &&
	    !label_is(&b, "EC PRIVATE KEY"))
		return err_set(err, ERR_UNSUPPORTED,
			       "PEM: a \"%s\" block is not supported (\"PRIVATE KEY\" (PKCS#8), "
			       "\"RSA PRIVATE KEY\" (PKCS#1), \"EC PRIVATE KEY\" (SEC1))",
			       shown);
	/* RFC 1421 headers of OpenSSL's legacy encryption. */
	if (find_bytes(b.text, b.len, 0, "Proc-Type:", 10) != b.len)
		return err_set(err, ERR_UNSUPPORTED,
			       "PEM: the \"%s\" is encrypted (Proc-Type header); jwtsign reads "
			       "unencrypted keys only: decrypt it (e.g. openssl pkey -in KEY "
			       "-out PLAIN) and protect the file with its permissions",
			       shown);
	*key = b;
	return 0;
}

/* Append the members of k (RFC 7518 section 6, RFC 8037 section 2). */
static int put_pem_members(struct buf *b, const struct crypto_pem_key *k)
{
	const struct crypto_rsa *r = &k->rsa;
	int rc;

	if (k->kty == JWK_KTY_RSA) {
		if ((rc = put_b64(b, "n", &r->n)) || (rc = put_b64(b, "e", &r->e)) ||
		    (rc = put_b64(b, "d", &r->d)) || (rc = put_b64(b, "p", &r->p)) ||
		    (rc = put_b64(b, "q", &r->q)) || (rc = put_b64(b, "dp", &r->dp)) ||
		    (rc = put_b64(b, "dq", &r->dq)) || (rc = put_b64(b, "qi", &r->qi)))
			return rc;
		return 0;
	}
	rc = buf_printf(b, ",\"crv\":\"%s\"", crypto_curve_name(k->crv));
	if (rc == 0)
		rc = put_b64(b, "x", &k->x);
	if (rc == 0 && k->kty == JWK_KTY_EC)
		rc = put_b64(b, "y", &k->y);
	if (rc == 0)
		rc = put_b64(b, "d", &k->d);
	return rc;
}

/* Bytes of the base64url member values of k. */
static size_t pem_members_size(const struct crypto_pem_key *k)
{
	const struct crypto_bytes *m[] = {&k->rsa.n, &k->rsa.e,	 &k->rsa.d,  &k->rsa.p,
					  &k->rsa.q, &k->rsa.dp, &k->rsa.dq, &k->rsa.qi,
					  &k->x,     &k->y,	 &k->d};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		n += b64url_encoded_len(m[i]->len) + 8;
	return n;
}

/* Parse the new set back (full key checks) and, with alg, check the key
 * can sign with it: the result must be accepted by jwk_set_select. */
static int pem_selfcheck(const struct buf *b, enum jws_alg alg, struct err *err)
{
	struct jwk_set set;
	struct jwk *key = NULL;
	int rc = set_open(&set, b->data, b->len, NULL, err);

	if (rc)
		return rc;
	rc = jwk_parse(json_object_array_get_idx(set.keys, 0), &key, err);
	if (rc == 0 && alg != JWS_ALG_INVALID)
		rc = jwk_check_alg(key, alg, err);
	jwk_free(key);
	set_close(&set);
	return rc;
}

int jwk_pem_to_set(const char *pem, size_t len, const char *kid, const char *alg_or_null,
		   struct buf *out, struct err *err)
{
	struct crypto_pem_key k;
	struct pem_block block = {NULL, 0, NULL, 0};
	struct buf b = BUF_INIT_SECRET;
	enum jws_alg alg = JWS_ALG_INVALID;
	char shown[PEM_LABEL_MAX + 8];
	int rc;

	memset(&k, 0, sizeof(k));
	if (sodium_init() < 0)
		return err_set(err, ERR_CRYPTO, "libsodium cannot be initialised");
	if (kid == NULL || *kid == '\0')
		return err_set(err, ERR_INVALID,
			       "PEM: a kid is needed to turn a PEM private key into a JWK");
	if (alg_or_null && jws_alg_from_name(alg_or_null, &alg) != 0)
		return err_set(err, ERR_UNSUPPORTED, "PEM: alg \"%.20s\" is not supported",
			       alg_or_null);
	if (pem == NULL)
		len = 0;
	rc = pem_find_key(pem, len, &block, err);
	if (rc)
		return rc;
	rc = crypto_pem_key_read(block.text, block.len, &k, err);
	if (rc) {
		printable(shown, sizeof(shown), block.label, block.label_len);
		err_prefix(err, "PEM: the \"%s\" block", shown);
		goto out;
	}
	/* Reserved once, so that no realloc leaves key material behind. */
	rc = buf_reserve(&b, pem_members_size(&k) + 6 * strlen(kid) + 256);
	if (rc == 0)
		rc = put_head(&b, k.kty, kid, alg);
	if (rc == 0)
		rc = put_pem_members(&b, &k);
	if (rc == 0)
		rc = buf_puts(&b, "}]}");
	if (rc == 0)
		rc = buf_reserve(out, b.len);
	if (rc) {
		err_set(err, rc, "PEM: cannot write the JWK Set: %s", err_strerror(rc));
		goto out;
	}
	rc = pem_selfcheck(&b, alg, err);
	if (rc) {
		err_prefix(err, "PEM");
		goto out;
	}
	rc = buf_append(out, b.data, b.len);
out:
	crypto_pem_key_free(&k);
	buf_wipe_free(&b);
	return rc;
}
