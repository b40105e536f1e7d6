/* jwks.c - the published public JWK Set; see jwks.h. */
#include "jwks.h"
#include "gojson.h"

#include <string.h>

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

int jwks_publish(const char *doc, size_t len, const char *const *kids, size_t nkids,
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
