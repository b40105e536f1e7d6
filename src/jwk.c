/* jwk.c - one JWK: parsing, validation for signing, the members written
 * on export; see jwk.h.  RFC 7517, RFC 7518 section 6, RFC 8037.
 *
 * A key is parsed fully (base64url, sizes, a GnuTLS/libsodium import and
 * consistency checks).  Key material is copied into sodium_malloc'd memory
 * at once; the JWK Set layer (jwk_set.c) wipes the json-c document.
 */
#include "jwk.h"
#include "b64.h"
#include "crypto.h"
#include "gojson.h"
#include "jwk_int.h"

#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

/* Copy the len bytes at s into dst (size n) for a message: control bytes,
 * '"' and '\\' become '?', long text is cut with "...". */
void jwk_printable(char *dst, size_t n, const char *s, size_t len)
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
void jwk_make_label(char *dst, const char *kid, size_t len)
{
	if (kid == NULL) {
		snprintf(dst, JWK_LABEL_SIZE, "without kid");
		return;
	}
	dst[0] = '"';
	jwk_printable(dst + 1, JWK_LABEL_SIZE - 2, kid, len);
	strcat(dst, "\"");
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
	jwk_make_label(key->label, s, len);
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
		if (alg_from_name(key->alg_name, &key->alg) != 0 || strlen(s) != len)
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
			else if (strcmp(json_object_get_string(op), "verify") == 0)
				key->key_ops_verify = 1;
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
	key->ck.secret = k.p;
	key->ck.secret_len = k.len;
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
	if (r.d.p == NULL) {
		rc = crypto_rsa_pub_import(&r.n, &r.e, who, &key->ck.pub, &key->bits, err);
		goto out; /* a public key */
	}
	rc = crypto_rsa_import(&r, who, &key->ck.priv, &key->bits, err);
	if (rc == 0)
		rc = crypto_pub_from_priv(key->ck.priv, who, &key->ck.pub, err);
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
	key->crv = strlen(s) == len ? alg_crv_from_name(s) : 0;
	if (key->crv == 0 || (key->crv == JWK_CRV_ED25519) != okp) {
		key->crv = JWK_CRV_NONE;
		jwk_printable(shown, sizeof(shown), s, len);
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
	size = alg_crv_size(key->crv);
	key->bits = key->crv == JWK_CRV_P521 ? 521 : (unsigned)size * 8;
	if ((rc = get_b64(obj, "x", who, 1, size, alg_crv_name(key->crv), &x, err)) ||
	    (rc = get_b64(obj, "y", who, 1, size, alg_crv_name(key->crv), &y, err)) ||
	    (rc = get_b64(obj, "d", who, 0, size, alg_crv_name(key->crv), &d, err)))
		goto out;
	if (d.p == NULL) {
		rc = crypto_ec_pub_import(key->crv, x.p, y.p, who, &key->ck.pub, err);
		goto out; /* a public key */
	}
	rc = crypto_ec_import(key->crv, x.p, y.p, d.p, who, &key->ck.priv, err);
	if (rc == 0)
		rc = crypto_pub_from_priv(key->ck.priv, who, &key->ck.pub, err);
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
	memcpy(key->ck.ed25519_pub, x.p, CRYPTO_ED25519_PUB);
	key->ck.has_ed25519_pub = 1;
	if (d.p == NULL)
		goto out; /* a public key */
	rc = crypto_ed25519_import(d.p, x.p, who, &sk, err);
	if (rc == 0) {
		key->ck.secret = sk.p;
		key->ck.secret_len = sk.len;
		key->is_private = 1;
	}
out:
	crypto_bytes_free(&x);
	crypto_bytes_free(&d);
	return rc;
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
	key->ck.label = key->label;
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
	if (strlen(s) != len || alg_kty_from_name(s, &key->kty) != 0) {
		char shown[40];

		jwk_printable(shown, sizeof(shown), s, len);
		rc = err_set(err, ERR_UNSUPPORTED,
			     "key %s: member \"kty\": key type \"%s\" is not supported (oct, "
			     "RSA, EC, OKP)",
			     key->label, shown);
		goto out;
	}
	switch (key->kty) {
	case JWK_KTY_OCT:
		rc = parse_oct(obj, key, err);
		if (rc == 0 && crypto_hmac_prepare(&key->ck) != 0)
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
	case JWK_KTY_NONE:
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

/* What jwk_check_alg and jwk_check_verify_alg share: key type, curve,
 * "alg", the HMAC and RSA sizes, "use".  op: "sign" or "verify". */
static int check_fit(const struct jwk *key, enum jws_alg alg, const char *op, struct err *err)
{
	const struct alg_info *a = alg_info(alg);
	const char *name = alg_name(alg);

	if (a == NULL)
		return err_set(err, ERR_UNSUPPORTED,
			       "key %s: no valid alg to %s with (\"none\" is never used)",
			       key ? key->label : "(none)", op);
	if (key == NULL)
		return err_set(err, ERR_KEY, "no key to %s %s with", op, name);
	/* An RSA, EC or OKP key is never an HMAC secret (RFC 8725 section
	 * 3.1: no HS/RS confusion): the key type decides, not the alg. */
	if (key->kty != a->kty)
		return err_set(err, ERR_KEY,
			       "key %s: member \"kty\": a \"%s\" key cannot %s %s (needs kty "
			       "\"%s\")",
			       key->label, alg_kty_name(key->kty), op, name, alg_kty_name(a->kty));
	if (key->alg_name && key->alg != alg) {
		char shown[40];

		jwk_printable(shown, sizeof(shown), key->alg_name, strlen(key->alg_name));
		return err_set(err, ERR_KEY,
			       "key %s: member \"alg\" is \"%s\" but the configured alg is %s",
			       key->label, shown, name);
	}
	if ((a->kty == JWK_KTY_EC || a->kty == JWK_KTY_OKP) && key->crv != a->crv)
		return err_set(err, ERR_KEY,
			       "key %s: member \"crv\": a %s key cannot %s %s (needs %s)",
			       key->label, alg_crv_name(key->crv), op, name, alg_crv_name(a->crv));
	if (a->kty == JWK_KTY_OCT && key->ck.secret_len < a->hash_len)
		return err_set(err, ERR_KEY,
			       "key %s: member \"k\": a %zu-byte key is too short for %s (at "
			       "least %zu bytes, the hash output: RFC 7518 section 3.2)",
			       key->label, key->ck.secret_len, name, a->hash_len);
	if (a->kty == JWK_KTY_RSA && key->bits < CRYPTO_RSA_MIN_BITS)
		return err_set(err, ERR_KEY,
			       "key %s: member \"n\": a %u-bit RSA key is too small for %s (at "
			       "least %u bits, RFC 7518 section 3.3)",
			       key->label, key->bits, name, CRYPTO_RSA_MIN_BITS);
	if (key->use && strcmp(key->use, "sig") != 0) {
		char shown[40];

		jwk_printable(shown, sizeof(shown), key->use, strlen(key->use));
		return err_set(err, ERR_KEY,
			       "key %s: member \"use\" is \"%s\": the key is not meant for "
			       "signatures (RFC 7517 section 4.2)",
			       key->label, shown);
	}
	return 0;
}

int jwk_check_alg(const struct jwk *key, enum jws_alg alg, struct err *err)
{
	int rc = check_fit(key, alg, "sign", err);

	if (rc)
		return rc;
	if (!key->is_private)
		return err_set(err, ERR_KEY,
			       "key %s: member \"d\" is missing: a public key cannot sign",
			       key->label);
	if (key->has_key_ops && !key->key_ops_sign)
		return err_set(err, ERR_KEY,
			       "key %s: member \"key_ops\" does not include \"sign\" (RFC 7517 "
			       "section 4.3)",
			       key->label);
	return 0;
}

int jwk_check_verify_alg(const struct jwk *key, enum jws_alg alg, struct err *err)
{
	const struct alg_info *a;
	int rc = check_fit(key, alg, "verify", err);

	if (rc)
		return rc;
	a = alg_info(alg);
	if (key->has_key_ops && !key->key_ops_verify)
		return err_set(err, ERR_KEY,
			       "key %s: member \"key_ops\" does not include \"verify\" (RFC 7517 "
			       "section 4.3)",
			       key->label);
	if ((a->kty == JWK_KTY_RSA || a->kty == JWK_KTY_EC) && key->ck.pub == NULL)
		return err_set(err, ERR_KEY, "key %s: no public key to verify with", key->label);
	if (a->kty == JWK_KTY_OKP && !key->ck.has_ed25519_pub)
		return err_set(err, ERR_KEY, "key %s: no Ed25519 public key", key->label);
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
	if (key->ck.secret) {
		sodium_memzero(key->ck.secret, key->ck.secret_len);
		sodium_free(key->ck.secret);
	}
	if (key->ck.priv)
		gnutls_privkey_deinit(key->ck.priv);
	if (key->ck.pub)
		gnutls_pubkey_deinit(key->ck.pub);
	jwk_pkcs11_pin_free(key->p11);
	crypto_hmac_release(&key->ck);
	free(key->kid);
	free(key->alg_name);
	free(key->use);
	sodium_memzero(key, sizeof(*key));
	free(key);
}

/* ------------------------------------------------ writing JWK members */

/* Append ,"name":"BASE64URL(bytes)". */
int jwk_put_b64(struct buf *b, const char *name, const struct crypto_bytes *v)
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
int jwk_put_head(struct buf *b, enum jwk_kty kty, const char *kid, enum jws_alg alg)
{
	int rc = buf_printf(b, "{\"keys\":[{\"kty\":\"%s\",\"kid\":", alg_kty_name(kty));

	if (rc == 0)
		rc = gojson_write_string(b, kid, strlen(kid));
	if (rc == 0)
		rc = buf_puts(b, ",\"use\":\"sig\"");
	if (rc == 0 && alg != JWS_ALG_INVALID)
		rc = buf_printf(b, ",\"alg\":\"%s\"", alg_name(alg));
	return rc;
}
