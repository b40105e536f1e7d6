/* signer.c - see signer.h.
 *
 * Mirrors KrakenD's signer: the backend answer is decoded (Go's decoder
 * with UseNumber, here gojson_parse), each configured top-level member
 * holding an object is replaced by the JWS of its Go encoding, and the
 * whole object is encoded again (gojson_write).
 */
#include "signer.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>

/* signer_member - replace root[name] by its JWS when it holds an object.
 * payload and token are scratch buffers reused across members. */
static int signer_member(const struct signer_opts *opts, struct json_object *root, const char *name,
			 struct buf *payload, struct buf *token, struct err *err)
{
	struct json_object *claims = NULL, *str;
	int rc;

	if (!json_object_object_get_ex(root, name, &claims) ||
	    !json_object_is_type(claims, json_type_object))
		return 0;
	buf_reset(payload);
	buf_reset(token);
	rc = gojson_write(payload, claims, err);
	if (rc)
		return err_prefix(err, "member \"%s\"", name);
	if (opts->full)
		rc = jws_sign_flattened(token, opts->key, opts->alg, opts->typ,
					(const uint8_t *)payload->data, payload->len, err);
	else
		rc = jws_sign_compact(token, opts->key, opts->alg, opts->typ,
				      (const uint8_t *)payload->data, payload->len, err);
	if (rc)
		return err_prefix(err, "signing member \"%s\"", name);
	if (token->len > INT_MAX)
		return err_set(err, ERR_LIMIT, "signing member \"%s\": token too large", name);
	str = json_object_new_string_len(token->data, (int)token->len);
	if (str == NULL)
		return err_set(err, ERR_NOMEM, "signing member \"%s\": out of memory", name);
	/* Replaces the value in place and releases the claims object. */
	if (json_object_object_add(root, name, str) != 0) {
		json_object_put(str);
		return err_set(err, ERR_NOMEM, "signing member \"%s\": out of memory", name);
	}
	return 0;
}

int signer_transform(const struct signer_opts *opts, const char *body, size_t len, struct buf *out,
		     struct err *err)
{
	struct json_object *root = NULL;
	struct buf payload = BUF_INIT, token = BUF_INIT;
	size_t old = out->len, i;
	int rc;

	rc = gojson_parse(body, len, &opts->limits, &root, err);
	if (rc) {
		err_prefix(err, "backend answer");
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		rc =
		    err_set(err, ERR_INVALID, "backend answer: JSON %s where an object is expected",
			    json_type_to_name(json_object_get_type(root)));
		goto out;
	}
	for (i = 0; i < opts->nkeys_to_sign && rc == 0; i++)
		rc = signer_member(opts, root, opts->keys_to_sign[i], &payload, &token, err);
	if (rc == 0 && (rc = gojson_write(out, root, err)) != 0)
		err_prefix(err, "response");
out:
	if (rc) {
		out->len = old;
		if (out->data)
			out->data[old] = '\0';
	}
	json_object_put(root);
	buf_free(&payload);
	buf_free(&token);
	return rc;
}
