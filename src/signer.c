/* signer.c - see signer.h.
 *
 * Mirrors KrakenD's signer: the backend answer is decoded (Go's decoder
 * with UseNumber, here gojson_parse), each configured top-level member
 * holding an object is replaced by the JWS of its Go encoding, and the
 * whole object is encoded again (gojson_write).
 *
 * Extensions, each off unless configured: keys_to_sign entries that are
 * JSON Pointers (RFC 6901) and the time claims iat / exp / nbf.
 *
 * JSON Pointers are resolved here rather than with json-c 0.16's
 * json_pointer_get/json_pointer_set: json_pointer_get reads an array
 * index into an int32_t, so "/a/4294967296" selects element 0, and
 * json_pointer_set leaves "~0"/"~1" escaped in the last token.  The
 * walk below is the few lines of RFC 6901 section 4 over json-c's own
 * object and array accessors.
 */
#include "signer.h"

#include "clock.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* Where a keys_to_sign entry points: the container (root for a plain
 * name) and, in it, the member name or the array index. */
struct signer_target {
	struct json_object *parent;
	const char *name; /* member name when parent is an object */
	size_t idx;	  /* element index when parent is an array */
	struct json_object *claims;
};

bool signer_key_is_pointer(const char *name)
{
	return name[0] == '/';
}

int signer_check_key(const char *name, struct err *err)
{
	if (name[0] == '\0')
		return err_set(err, ERR_INVALID, "must not be empty");
	if (!signer_key_is_pointer(name))
		return 0;
	for (const char *p = name; *p; p++) {
		if (*p == '~' && p[1] != '0' && p[1] != '1')
			return err_set(err, ERR_INVALID,
				       "JSON Pointer: '~' at byte %zu is not followed by '0' or "
				       "'1' (write ~0 for '~' and ~1 for '/')",
				       (size_t)(p - name) + 1);
	}
	return 0;
}

/* pointer_token - decode the reference token at *p (just after its '/')
 * into tok (NUL-terminated) and move *p to the next '/' or the end.
 * RFC 6901 section 4: "~1" is '/', "~0" is '~', read left to right so
 * that "~01" is "~1".  Returns 0, ERR_NOMEM, ERR_INTERNAL (bad escape:
 * the entry did not pass signer_check_key). */
static int pointer_token(const char **p, struct buf *tok)
{
	const char *s = *p;
	int rc;

	buf_reset(tok);
	if ((rc = buf_append(tok, "", 0)) != 0)
		return rc;
	for (; *s && *s != '/'; s++) {
		char ch = *s;

		if (ch == '~') {
			if (s[1] != '0' && s[1] != '1')
				return ERR_INTERNAL;
			ch = s[1] == '0' ? '~' : '/';
			s++;
		}
		if ((rc = buf_putc(tok, ch)) != 0)
			return rc;
	}
	*p = s;
	return 0;
}

/* array_index - RFC 6901 section 4: tok is "0" or digits without a
 * leading zero, and below len.  "-" (the element after the last) and
 * anything else select nothing. */
static bool array_index(const char *tok, size_t len, size_t *idx)
{
	size_t v = 0;

	if (tok[0] < '0' || tok[0] > '9' || (tok[0] == '0' && tok[1] != '\0'))
		return false;
	for (const char *p = tok; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (size_t)(*p - '0');
		if (v >= len)
			return false; /* also stops before any overflow */
	}
	*idx = v;
	return true;
}

/* pointer_resolve - walk the JSON Pointer ptr from root.  On success t
 * holds the target's container, its name (in tok) or index, and the
 * target value (possibly NULL for JSON null); *found tells whether every
 * token selected something.  Returns 0, ERR_NOMEM, ERR_INTERNAL. */
static int pointer_resolve(struct json_object *root, const char *ptr, struct buf *tok,
			   struct signer_target *t, bool *found)
{
	struct json_object *cur = root, *next = NULL;
	const char *p = ptr;
	int rc;

	*found = false;
	while (*p == '/') {
		p++;
		if ((rc = pointer_token(&p, tok)) != 0)
			return rc;
		if (json_object_is_type(cur, json_type_object)) {
			if (!json_object_object_get_ex(cur, tok->data, &next))
				return 0;
		} else if (json_object_is_type(cur, json_type_array)) {
			if (!array_index(tok->data, json_object_array_length(cur), &t->idx))
				return 0;
			next = json_object_array_get_idx(cur, t->idx);
		} else {
			return 0; /* a scalar or null has no members */
		}
		t->parent = cur;
		cur = next;
	}
	t->name = tok->data;
	t->claims = cur;
	*found = true;
	return 0;
}

int signer_pointer_get(struct json_object *root, const char *ptr, struct json_object **out)
{
	struct signer_target t;
	struct buf tok = BUF_INIT;
	bool found = false;
	int rc;

	memset(&t, 0, sizeof(t));
	*out = NULL;
	rc = pointer_resolve(root, ptr, &tok, &t, &found);
	buf_wipe_free(&tok); /* a member name of a login body */
	if (rc)
		return rc == ERR_INTERNAL ? 0 : rc;
	*out = found ? t.claims : NULL;
	return found;
}

/* Find the target of entry name: a top-level member or a pointer. */
static int signer_find(struct json_object *root, const char *name, struct buf *tok,
		       struct signer_target *t, bool *found)
{
	if (signer_key_is_pointer(name))
		return pointer_resolve(root, name, tok, t, found);
	t->parent = root;
	t->name = name;
	*found = json_object_object_get_ex(root, name, &t->claims);
	return 0;
}

/* Add claim name = value to claims unless a member of that name exists. */
static int add_claim(struct json_object *claims, const char *name, int64_t value)
{
	struct json_object *v;

	if (json_object_object_get_ex(claims, name, NULL))
		return 0;
	v = json_object_new_int64(value);
	if (v == NULL)
		return ERR_NOMEM;
	if (json_object_object_add(claims, name, v) != 0) {
		json_object_put(v);
		return ERR_NOMEM;
	}
	return 0;
}

/* The configured time claims (signer.h), relative to now (seconds). */
static int add_time_claims(const struct signer_opts *opts, int64_t now, struct json_object *claims)
{
	int rc = 0;

	if (opts->set_iat && (rc = add_claim(claims, "iat", now)) != 0)
		return rc;
	if (opts->ttl > 0 && (rc = add_claim(claims, "exp", now + (int64_t)opts->ttl)) != 0)
		return rc;
	if (opts->set_nbf && (rc = add_claim(claims, "nbf", now - (int64_t)opts->nbf_skew)) != 0)
		return rc;
	return 0;
}

/* Put the token string str in place of the target (releasing the claims
 * object).  Takes str in all cases. */
static int replace_target(const struct signer_target *t, struct json_object *str)
{
	int rc;

	if (json_object_is_type(t->parent, json_type_array))
		rc = json_object_array_put_idx(t->parent, t->idx, str);
	else
		rc = json_object_object_add(t->parent, t->name, str);
	if (rc != 0) {
		json_object_put(str);
		return ERR_NOMEM;
	}
	return 0;
}

/* signer_member - replace the target of entry name by its JWS when it
 * holds an object.  payload, token and tok are scratch buffers reused
 * across entries. */
static int signer_member(const struct signer_opts *opts, int64_t now, struct json_object *root,
			 const char *name, struct buf *payload, struct buf *token, struct buf *tok,
			 struct err *err)
{
	struct signer_target t = {0};
	struct json_object *str;
	bool found = false;
	int rc;

	rc = signer_find(root, name, tok, &t, &found);
	if (rc == ERR_INTERNAL)
		return err_set(err, rc, "keys_to_sign entry \"%s\": malformed JSON Pointer", name);
	if (rc)
		return err_set(err, rc, "member \"%s\": out of memory", name);
	if (!found || !json_object_is_type(t.claims, json_type_object))
		return 0;
	if (add_time_claims(opts, now, t.claims) != 0)
		return err_set(err, ERR_NOMEM, "member \"%s\": out of memory", name);
	buf_reset(payload);
	buf_reset(token);
	rc = gojson_write(payload, t.claims, err);
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
	if (str == NULL || replace_target(&t, str) != 0)
		return err_set(err, ERR_NOMEM, "signing member \"%s\": out of memory", name);
	return 0;
}

static bool any_time_claim(const struct signer_opts *opts)
{
	return opts->set_iat || opts->ttl > 0 || opts->set_nbf;
}

int signer_transform(const struct signer_opts *opts, const char *body, size_t len, struct buf *out,
		     struct err *err)
{
	struct json_object *root = NULL;
	struct buf payload = BUF_INIT, token = BUF_INIT, tok = BUF_INIT;
	size_t old = out->len, i;
	int64_t now = any_time_claim(opts) ? (int64_t)clock_now() : 0;
	int rc;

	rc = gojson_parse(body, len, &opts->limits, &root, err);
	if (rc) {
		err_prefix(err, "backend answer");
		goto out;
	}
	if (entity_rules_active(opts->entity) &&
	    (rc = entity_apply(opts->entity, &root, err)) != 0) {
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
		rc = signer_member(opts, now, root, opts->keys_to_sign[i], &payload, &token, &tok,
				   err);
	if (rc == 0 && (rc = gojson_write(out, root, err)) != 0)
		err_prefix(err, "response");
out:
	if (rc)
		buf_truncate(out, old);
	json_object_put(root);
	buf_free(&payload);
	buf_free(&token);
	buf_free(&tok);
	return rc;
}
