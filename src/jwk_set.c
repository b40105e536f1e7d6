/* jwk_set.c - JWK Sets (RFC 7517 section 5): selecting the signing key
 * by kid and alg, the public export and the published set; see
 * jwk_set.h.
 *
 * Only the selected key of a set is parsed fully (jwk_parse); the other
 * entries are checked for shape, so a set of thousands of keys stays
 * cheap.  Every string of the json-c document is wiped before the
 * document is released.
 */
#include "jwk_set.h"
#include "gojson.h"
#include "jwk_int.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Nesting allowed in a JWK Set: set, "keys", key, "key_ops"/"x5c", plus
 * headroom for extension members. */
#define JWK_JSON_DEPTH 16

/* ------------------------------------------------------------ helpers */

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
	rc = gojson_parse_ex(doc, len, &glim, GOJSON_SECRET, out, NULL, err);
	if (rc) {
		*out = NULL;
		if (err)
			err_prefix(err, "JWK Set");
	}
	return rc;
}

int jwk_doc_parse(const char *doc, size_t len, const struct jwk_limits *lim,
		  struct json_object **out, struct err *err)
{
	return doc_parse(doc, len, lim, out, err);
}

void jwk_doc_release(struct json_object *root)
{
	gojson_put_wiped(root);
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
	gojson_put_wiped(set->root);
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
	/* Sorted by kid, then by position: one kid may name several keys
	 * (RFC 7517 section 4.5 allows it across key types); the selection
	 * decides (set_find). */
	qsort(set->index, set->nindex, sizeof(*set->index), kid_ref_cmp);
	return 0;
fail:
	set_close(set);
	return rc;
}

/* Whether entry e's string member name equals want. */
static bool member_is(struct json_object *e, const char *name, const char *want)
{
	struct json_object *v;

	return json_object_object_get_ex(e, name, &v) && json_object_is_type(v, json_type_string) &&
	       strcmp(json_object_get_string(v), want) == 0;
}

/* The entry with this kid that can sign alg: among the entries with the
 * kid, the one of alg's key type; when several are, the one whose "alg"
 * member names alg.  When no entry of the kid has alg's key type, the
 * first entry of the kid (jwk_check_alg then names the mismatch).
 * *out is NULL when the set has no such kid.  Returns 0, or ERR_INVALID
 * when the choice is ambiguous. */
static int set_find(const struct jwk_set *set, const char *kid, enum jws_alg alg,
		    struct json_object **out, struct err *err)
{
	const struct kid_ref *r;
	const char *kty = alg_kty_name(alg_info(alg)->kty), *name = alg_name(alg);
	size_t lo, hi, nkty = 0, nalg = 0, first_kty = 0, second_kty = 0, first_alg = 0;

	*out = NULL;
	if (kid == NULL || set->nindex == 0 ||
	    (r = bsearch(kid, set->index, set->nindex, sizeof(*set->index), kid_key_cmp)) == NULL)
		return 0;
	for (lo = (size_t)(r - set->index); lo > 0 && strcmp(set->index[lo - 1].kid, kid) == 0;)
		lo--;
	for (hi = lo; hi < set->nindex && strcmp(set->index[hi].kid, kid) == 0;)
		hi++;
	for (size_t i = lo; i < hi; i++) {
		struct json_object *e = json_object_array_get_idx(set->keys, set->index[i].pos);

		if (!member_is(e, "kty", kty))
			continue;
		if (nkty == 1)
			second_kty = i;
		if (nkty++ == 0)
			first_kty = i;
		if (member_is(e, "alg", name) && nalg++ == 0)
			first_alg = i;
	}
	if (nkty > 1 && nalg != 1) {
		char label[JWK_LABEL_SIZE];

		jwk_make_label(label, kid, strlen(kid));
		return err_set(err, ERR_INVALID,
			       "JWK Set: kid %s names %zu keys of type %s that could sign %s "
			       "(entries #%zu and #%zu): give each its own kid, or \"alg\": \"%s\" "
			       "to one",
			       label, nkty, kty, name, set->index[first_kty].pos,
			       set->index[second_kty].pos, name);
	}
	*out = json_object_array_get_idx(set->keys, set->index[nkty > 1 ? first_alg
							       : nkty	? first_kty
									: lo]
							.pos);
	return 0;
}

static void not_found(const char *const *kids, size_t nkids, struct err *err)
{
	char list[ERR_MSG_SIZE / 2] = "";
	size_t used = 0;

	for (size_t i = 0; i < nkids && used + JWK_LABEL_SIZE + 3 < sizeof(list); i++) {
		char label[JWK_LABEL_SIZE];

		if (kids[i] == NULL)
			continue;
		jwk_make_label(label, kids[i], strlen(kids[i]));
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
	if (alg_info(alg) == NULL)
		return err_set(err, ERR_UNSUPPORTED,
			       "no valid alg to sign with (\"none\" is never used)");
	rc = set_open(&set, doc, len, lim, err);
	if (rc)
		return rc;
	for (size_t i = 0; rc == 0 && i < nkids && entry == NULL; i++)
		rc = set_find(&set, kids[i], alg, &entry, err);
	if (rc)
		goto out;
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
	int rc = buf_printf(b, "{\"kty\":\"%s\"", alg_kty_name(key->kty));

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

/* --------------------------------------------------- jwk_set_check_first */

int jwk_set_check_first(const char *doc, size_t len, enum jws_alg alg, struct err *err)
{
	struct jwk_set set;
	struct jwk *key = NULL;
	int rc = set_open(&set, doc, len, NULL, err);

	if (rc)
		return rc;
	rc = jwk_parse(json_object_array_get_idx(set.keys, 0), &key, err);
	if (rc == 0 && alg != JWS_ALG_INVALID)
		rc = jwk_check_alg(key, alg, err);
	jwk_free(key);
	set_close(&set);
	return rc;
}

/* ----------------------------------------------------- jwk_set_publish */

/* The entry of keys whose "kid" is kid, or NULL. */
static struct json_object *find_kid(struct json_object *keys, const char *kid)
{
	size_t n = json_object_array_length(keys);

	for (size_t i = 0; i < n; i++) {
		struct json_object *k = json_object_array_get_idx(keys, i), *v;

		if (json_object_object_get_ex(k, "kid", &v) &&
		    json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), kid) == 0)
			return k;
	}
	return NULL;
}

static int build_set(struct json_object *pub, const char *const *kids, size_t nkids,
		     struct json_object **out)
{
	struct json_object *keys, *set = json_object_new_object(), *arr = json_object_new_array();

	*out = NULL;
	if (set == NULL || arr == NULL || json_object_object_add(set, "keys", arr) != 0) {
		json_object_put(set);
		json_object_put(arr);
		return ERR_NOMEM;
	}
	if (!json_object_object_get_ex(pub, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		json_object_put(set);
		return ERR_INTERNAL;
	}
	for (size_t i = 0; i < nkids; i++) {
		struct json_object *k = find_kid(keys, kids[i]);

		if (k == NULL || find_kid(arr, kids[i]) != NULL)
			continue;
		if (json_object_array_add(arr, json_object_get(k)) != 0) {
			json_object_put(k);
			json_object_put(set);
			return ERR_NOMEM;
		}
	}
	*out = set;
	return 0;
}

int jwk_set_publish(const char *doc, size_t len, const char *const *kids, size_t nkids,
		    const struct jwk_limits *lim, struct buf *out, struct err *err)
{
	struct buf all = BUF_INIT;
	struct json_object *pub = NULL, *set = NULL;
	size_t start = out->len;
	int rc;

	rc = jwk_set_public(doc, len, lim, &all, err);
	if (rc == 0)
		rc = gojson_parse(all.data ? all.data : "", all.len, NULL, &pub, err);
	if (rc == 0 && (rc = build_set(pub, kids, nkids, &set)) != 0)
		err_set(err, rc, "cannot build the public JWK Set: %s", err_strerror(rc));
	if (rc == 0)
		rc = gojson_write(out, set, err);
	if (rc)
		buf_truncate(out, start);
	json_object_put(set);
	json_object_put(pub);
	buf_free(&all);
	return rc;
}
