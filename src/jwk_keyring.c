/* jwk_keyring.c - the verification keys of a JWK Set; see jwk_keyring.h.
 * RFC 7517 sections 4 and 5.
 */
#include "jwk_keyring.h"
#include "b64.h"
#include "jwk_int.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* One usable key and its identifiers for each strategy ("" when the JWK
 * has no such member; never NULL). */
struct ring_entry {
	struct jwk *key;
	char *x5t;	/* base64url of the decoded "x5t" */
	char *x5t_s256; /* base64url of the decoded "x5t#S256" */
	char *kid_x5t;	/* kid followed by x5t */
};

struct jwk_keyring {
	struct ring_entry *e;
	size_t n;
	size_t skipped;
};

/* The thumbprint member name of obj re-encoded as base64url (go-jose
 * decodes it, krakend-jose encodes it again), or "" when absent or not
 * canonical base64url (such a key is found only by kid). */
static char *thumbprint(struct json_object *obj, const char *name)
{
	struct json_object *v;
	struct buf b = BUF_INIT;
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	char *s;

	if (json_object_object_get_ex(obj, name, &v) && json_object_is_type(v, json_type_string) &&
	    b64url_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v), &raw,
			  &rawlen) == 0 &&
	    rawlen > 0 && b64url_encode_buf(&b, raw, rawlen) == 0) {
		free(raw);
		s = buf_steal(&b, NULL);
		buf_free(&b);
		return s;
	}
	free(raw);
	buf_free(&b);
	return strdup("");
}

static void entry_free(struct ring_entry *e)
{
	jwk_free(e->key);
	free(e->x5t);
	free(e->x5t_s256);
	free(e->kid_x5t);
	memset(e, 0, sizeof(*e));
}

/* Whether the parsed key may verify anything at all (see the header). */
static int usable(const struct jwk *k, struct err *err)
{
	if (k->use && strcmp(k->use, "sig") != 0)
		return err_set(err, ERR_UNSUPPORTED, "key %s: \"use\" is not \"sig\"", k->label);
	if (k->has_key_ops && !k->key_ops_verify)
		return err_set(err, ERR_UNSUPPORTED, "key %s: \"key_ops\" lacks \"verify\"",
			       k->label);
	return 0;
}

/* Parse entry obj into e; nonzero (and a message in err) means skip it. */
static int entry_make(struct json_object *obj, struct ring_entry *e, struct err *err)
{
	const char *kid;
	size_t klen;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = jwk_parse(obj, &e->key, err);
	if (rc == 0)
		rc = usable(e->key, err);
	if (rc)
		goto fail;
	e->x5t = thumbprint(obj, "x5t");
	e->x5t_s256 = thumbprint(obj, "x5t#S256");
	kid = e->key->kid ? e->key->kid : "";
	klen = strlen(kid);
	if (e->x5t && e->x5t_s256 && (e->kid_x5t = malloc(klen + strlen(e->x5t) + 1)) != NULL) {
		memcpy(e->kid_x5t, kid, klen);
		strcpy(e->kid_x5t + klen, e->x5t);
		return 0;
	}
	rc = err_set(err, ERR_NOMEM, "out of memory");
fail:
	entry_free(e);
	return rc;
}

/* Shape of entry i, as jwk_set_select requires it. */
static int check_shape(struct json_object *e, size_t i, struct err *err)
{
	struct json_object *v;

	if (!json_object_is_type(e, json_type_object))
		return err_set(err, ERR_INVALID, "JWK Set: entry #%zu of \"keys\" is not an object",
			       i);
	if (!json_object_object_get_ex(e, "kty", &v) || !json_object_is_type(v, json_type_string))
		return err_set(err, ERR_INVALID,
			       "JWK Set: entry #%zu: member \"kty\" is missing or not a string", i);
	if (json_object_object_get_ex(e, "kid", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	     strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)))
		return err_set(err, ERR_INVALID,
			       "JWK Set: entry #%zu: member \"kid\" is not a string without "
			       "U+0000",
			       i);
	return 0;
}

/* The "keys" array of root, checked; n entries. */
static int keys_of(struct json_object *root, const struct jwk_limits *lim,
		   struct json_object **keys, size_t *n, struct err *err)
{
	if (!json_object_is_type(root, json_type_object))
		return err_set(err, ERR_INVALID, "JWK Set is not a JSON object");
	if (!json_object_object_get_ex(root, "keys", keys))
		return err_set(err, ERR_INVALID,
			       json_object_object_get_ex(root, "kty", NULL)
				   ? "a single JWK was given where a JWK Set is expected: wrap it "
				     "as {\"keys\":[JWK]} (RFC 7517 section 5)"
				   : "JWK Set has no \"keys\" member (RFC 7517 section 5)");
	if (!json_object_is_type(*keys, json_type_array))
		return err_set(err, ERR_INVALID, "JWK Set: member \"keys\" is not an array");
	*n = json_object_array_length(*keys);
	if (*n == 0)
		return err_set(err, ERR_NOTFOUND, "JWK Set: \"keys\" is empty");
	if (lim && lim->max_keys && *n > lim->max_keys)
		return err_set(err, ERR_LIMIT, "JWK Set holds %zu keys; the limit is %zu", *n,
			       lim->max_keys);
	for (size_t i = 0; i < *n; i++) {
		int rc = check_shape(json_object_array_get_idx(*keys, i), i, err);

		if (rc)
			return rc;
	}
	return 0;
}

int jwk_keyring_parse(const char *doc, size_t len, const struct jwk_limits *lim,
		      struct jwk_keyring **out, struct err *err)
{
	struct json_object *root = NULL, *keys = NULL;
	struct jwk_keyring *ring = NULL;
	struct err why = {0};
	size_t n = 0;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(err, ERR_CRYPTO, "libsodium cannot be initialised");
	rc = jwk_doc_parse(doc, len, lim, &root, err);
	if (rc)
		return rc;
	rc = keys_of(root, lim, &keys, &n, err);
	if (rc)
		goto out;
	ring = calloc(1, sizeof(*ring));
	if (ring == NULL || (ring->e = calloc(n, sizeof(*ring->e))) == NULL) {
		rc = err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = entry_make(json_object_array_get_idx(keys, i), &ring->e[ring->n], &why);
		if (rc == ERR_NOMEM) {
			err_set(err, rc, "out of memory");
			goto out;
		}
		if (rc == 0)
			ring->n++;
		else
			ring->skipped++;
	}
	rc = 0;
	if (ring->n == 0)
		rc = err_set(err, ERR_NOTFOUND,
			     "JWK Set: none of its %zu keys can verify signatures (last: %s)", n,
			     why.msg);
out:
	jwk_doc_release(root);
	if (rc) {
		jwk_keyring_free(ring);
		return rc;
	}
	*out = ring;
	return 0;
}

void jwk_keyring_free(struct jwk_keyring *ring)
{
	if (ring == NULL)
		return;
	for (size_t i = 0; i < ring->n; i++)
		entry_free(&ring->e[i]);
	free(ring->e);
	free(ring);
}

size_t jwk_keyring_count(const struct jwk_keyring *ring)
{
	return ring ? ring->n : 0;
}

size_t jwk_keyring_skipped(const struct jwk_keyring *ring)
{
	return ring ? ring->skipped : 0;
}

int jwk_keyring_find(const struct jwk_keyring *ring, const char *kid, enum jws_alg alg,
		     const struct jwk **key, struct err *err)
{
	return jwk_keyring_find_by(ring, JWK_ID_KID, kid, alg, key, err);
}

static const char *entry_id(const struct ring_entry *e, enum jwk_keyring_id which)
{
	switch (which) {
	case JWK_ID_X5T:
		return e->x5t;
	case JWK_ID_X5T_S256:
		return e->x5t_s256;
	case JWK_ID_KID_X5T:
		return e->kid_x5t;
	case JWK_ID_KID:
		break;
	}
	return e->key->kid ? e->key->kid : "";
}

size_t jwk_keyring_usable_with(const struct jwk_keyring *ring, enum jws_alg alg)
{
	size_t n = 0;

	for (size_t i = 0; ring && i < ring->n; i++)
		if (jwk_check_verify_alg(ring->e[i].key, alg, NULL) == 0)
			n++;
	return n;
}

int jwk_keyring_find_by(const struct jwk_keyring *ring, enum jwk_keyring_id which, const char *id,
			enum jws_alg alg, const struct jwk **key, struct err *err)
{
	const struct alg_info *a = alg_info(alg);
	const struct ring_entry *first = NULL, *of_kty = NULL, *named = NULL;
	size_t nkty = 0, nnamed = 0;
	char label[JWK_LABEL_SIZE];

	*key = NULL;
	if (a == NULL)
		return err_set(err, ERR_UNSUPPORTED, "no valid alg to verify with");
	if (id == NULL)
		id = "";
	for (size_t i = 0; ring && i < ring->n; i++) {
		const struct ring_entry *e = &ring->e[i];

		if (strcmp(entry_id(e, which), id) != 0)
			continue;
		if (first == NULL)
			first = e;
		if (e->key->kty != a->kty)
			continue;
		if (nkty++ == 0)
			of_kty = e;
		if (e->key->alg_name && e->key->alg == alg && nnamed++ == 0)
			named = e;
	}
	/* The label is for the messages only: made when one is written. */
	if (first == NULL || (nkty > 1 && nnamed != 1))
		jwk_make_label(label, *id ? id : NULL, strlen(id));
	if (first == NULL)
		return err_set(err, ERR_NOTFOUND, "JWK Set has no key %s", label);
	if (nkty > 1 && nnamed != 1)
		return err_set(err, ERR_KEY,
			       "JWK Set: %zu keys %s of type %s could verify %s and %s names it: "
			       "ambiguous",
			       nkty, label, alg_kty_name(a->kty), a->name,
			       nnamed ? "more than one" : "none");
	if (nkty > 1)
		of_kty = named;
	if (of_kty == NULL)
		return jwk_check_verify_alg(first->key, alg, err);
	if (jwk_check_verify_alg(of_kty->key, alg, err) != 0)
		return ERR_KEY;
	*key = of_kty->key;
	return 0;
}

int jwk_keyring_verify(const struct jwk *key, enum jws_alg alg, const uint8_t *msg, size_t len,
		       const uint8_t *sig, size_t siglen, struct err *err)
{
	if (key == NULL)
		return err_set(err, ERR_KEY, "no key to verify with");
	return crypto_jws_verify(&key->ck, alg, msg, len, sig, siglen, err);
}
