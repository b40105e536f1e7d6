/* entity.c - lura's backend answer manipulation; see entity.h. */
#include "entity.h"

#include <stdlib.h>
#include <string.h>

bool entity_rules_active(const struct entity_rules *r)
{
	return r && (r->decoding != ENTITY_OBJECT || r->target || r->nallow || r->ndeny ||
		     r->nmap || r->group);
}

/* The member names of obj, in a new array (NULL when it has none or out of
 * memory: *n tells which), so that members can be deleted while walking. */
static char **member_names(struct json_object *obj, size_t *n, bool *oom)
{
	size_t count = (size_t)json_object_object_length(obj), i = 0;
	char **names;

	*n = 0;
	*oom = false;
	if (count == 0)
		return NULL;
	if ((names = calloc(count, sizeof(*names))) == NULL) {
		*oom = true;
		return NULL;
	}
	json_object_object_foreach(obj, key, val)
	{
		(void)val;
		names[i++] = key;
	}
	*n = i;
	return names;
}

/* The child object of tree named by the len bytes at name, made (or made
 * to replace a leaf) when absent: lura's buildDictPath. */
static struct json_object *child_dict(struct json_object *tree, const char *name, size_t len,
				      bool make)
{
	struct json_object *c = NULL;
	char key[256];

	if (len >= sizeof(key))
		len = sizeof(key) - 1;
	memcpy(key, name, len);
	key[len] = '\0';
	if (json_object_object_get_ex(tree, key, &c) && json_object_is_type(c, json_type_object))
		return c;
	if (!make || (c = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(tree, key, c) != 0) {
		json_object_put(c);
		return NULL;
	}
	return c;
}

/* ------------------------------------------------------------ allow */

/* lura's allowlist tree: objects for paths, true for leaves. */
static int allow_tree(char *const *paths, size_t n, struct json_object **out)
{
	struct json_object *tree = json_object_new_object();

	for (size_t i = 0; tree && i < n; i++) {
		struct json_object *d = tree;
		const char *p = paths[i], *dot;
		bool walking = true;

		while (d && (dot = strchr(p, '.')) != NULL) {
			struct json_object *c =
			    walking ? child_dict(d, p, (size_t)(dot - p), false) : NULL;

			if (c == NULL) {
				walking = false;
				c = child_dict(d, p, (size_t)(dot - p), true);
			}
			d = c;
			p = dot + 1;
		}
		if (d == NULL || json_object_object_add(d, p, json_object_new_boolean(1)) != 0) {
			json_object_put(tree);
			tree = NULL;
		}
	}
	*out = tree;
	return tree ? 0 : ERR_NOMEM;
}

/* lura's AllowlistPrune: removes from in what wl does not keep; returns
 * whether everything was removed. */
static bool allow_prune(struct json_object *wl, struct json_object *in, bool *oom)
{
	bool can_delete = true;
	size_t n;
	char **names = member_names(in, &n, oom);

	for (size_t i = 0; i < n; i++) {
		struct json_object *sub = NULL, *v = json_object_object_get(in, names[i]);
		bool del = true;

		if (json_object_object_get_ex(wl, names[i], &sub)) {
			if (json_object_is_type(sub, json_type_object)) {
				if (json_object_is_type(v, json_type_object) &&
				    !allow_prune(sub, v, oom))
					del = false;
			} else {
				del = false; /* a leaf: the whole branch stays */
			}
		}
		if (del)
			json_object_object_del(in, names[i]);
		else
			can_delete = false;
	}
	free(names);
	return can_delete;
}

static int apply_allow(char *const *paths, size_t n, struct json_object *data)
{
	struct json_object *wl;
	bool oom = false;
	int rc = allow_tree(paths, n, &wl);

	if (rc)
		return rc;
	allow_prune(wl, data, &oom);
	json_object_put(wl);
	return oom ? ERR_NOMEM : 0;
}

/* ------------------------------------------------------------ deny */

/* lura's buildDenyTree: null marks a member to delete with all below it. */
static int deny_path(struct json_object *tree, const char *p)
{
	const char *dot = strchr(p, '.');
	struct json_object *c = NULL;
	char key[256];
	size_t len = dot ? (size_t)(dot - p) : strlen(p);

	if (len >= sizeof(key))
		len = sizeof(key) - 1;
	memcpy(key, p, len);
	key[len] = '\0';
	if (dot == NULL)
		return json_object_object_add(tree, key, NULL) ? ERR_NOMEM : 0;
	if (json_object_object_get_ex(tree, key, &c)) {
		if (c == NULL)
			return 0; /* everything below is deleted already */
		return deny_path(c, dot + 1);
	}
	if ((c = child_dict(tree, key, len, true)) == NULL)
		return ERR_NOMEM;
	return deny_path(c, dot + 1);
}

/* lura's recDelete. */
static void deny_delete(struct json_object *ref, struct json_object *v)
{
	if (!json_object_is_type(v, json_type_object))
		return;
	json_object_object_foreach(ref, rk, rv)
	{
		struct json_object *dv;

		if (!json_object_object_get_ex(v, rk, &dv))
			continue;
		if (rv == NULL)
			json_object_object_del(v, rk);
		else
			deny_delete(rv, dv);
	}
}

static int apply_deny(char *const *paths, size_t n, struct json_object *data)
{
	struct json_object *tree = json_object_new_object();
	int rc = tree ? 0 : ERR_NOMEM;

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = deny_path(tree, paths[i]);
	if (rc == 0)
		deny_delete(tree, data);
	json_object_put(tree);
	return rc;
}

/* ------------------------------------------------------------ the rest */

/* lura's extractTarget: *data becomes the object at the dot path, or {}. */
static int apply_target(const char *target, struct json_object **data)
{
	struct json_object *cur = *data, *next;
	const char *p = target;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		char key[256];

		if (len >= sizeof(key))
			len = sizeof(key) - 1;
		memcpy(key, p, len);
		key[len] = '\0';
		if (!json_object_object_get_ex(cur, key, &next) ||
		    !json_object_is_type(next, json_type_object)) {
			next = json_object_new_object();
			break;
		}
		cur = next;
		if (dot == NULL) {
			json_object_get(next);
			break;
		}
		p = dot + 1;
	}
	if (next == NULL)
		return ERR_NOMEM;
	json_object_put(*data);
	*data = next;
	return 0;
}

static int apply_mapping(const struct entity_rename *map, size_t n, struct json_object *data)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *v;
		char to[256];
		size_t len = strcspn(map[i].to, ".");

		if (!json_object_object_get_ex(data, map[i].from, &v))
			continue;
		if (len >= sizeof(to))
			len = sizeof(to) - 1;
		memcpy(to, map[i].to, len);
		to[len] = '\0';
		if (json_object_object_add(data, to, json_object_get(v)) != 0) {
			json_object_put(v);
			return ERR_NOMEM;
		}
		json_object_object_del(data, map[i].from);
	}
	return 0;
}

/* *data becomes {name: *data}. */
static int wrap(const char *name, struct json_object **data)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL || json_object_object_add(o, name, *data) != 0) {
		json_object_put(o);
		return ERR_NOMEM;
	}
	*data = o;
	return 0;
}

static int decode(const struct entity_rules *r, struct json_object **root, struct err *err)
{
	enum entity_decoding d = r ? r->decoding : ENTITY_OBJECT;
	bool is_array = json_object_is_type(*root, json_type_array);

	if (d == ENTITY_OBJECT && !json_object_is_type(*root, json_type_object))
		return err_set(err, ERR_INVALID,
			       "the backend answer is a JSON %s, not an object (\"is_collection\" "
			       "or \"encoding\": \"safejson\" take an array)",
			       json_type_to_name(json_object_get_type(*root)));
	if (d == ENTITY_COLLECTION && !is_array)
		return err_set(err, ERR_INVALID,
			       "\"is_collection\" is set but the backend answer is a JSON %s, not "
			       "an array",
			       json_type_to_name(json_object_get_type(*root)));
	if (json_object_is_type(*root, json_type_object))
		return 0;
	/* safejson keeps any other value under "content" (null included). */
	if (wrap(is_array ? "collection" : "content", root) != 0)
		return err_set(err, ERR_NOMEM, "out of memory");
	return 0;
}

int entity_apply(const struct entity_rules *r, struct json_object **root, struct err *err)
{
	int rc = decode(r, root, err);

	if (rc || r == NULL)
		return rc;
	if (r->target)
		rc = apply_target(r->target, root);
	if (rc == 0 && json_object_object_length(*root) > 0)
		rc = r->nallow ? apply_allow(r->allow, r->nallow, *root)
			       : apply_deny(r->deny, r->ndeny, *root);
	if (rc == 0 && json_object_object_length(*root) > 0)
		rc = apply_mapping(r->map, r->nmap, *root);
	if (rc == 0 && r->group)
		rc = wrap(r->group, root);
	return rc ? err_set(err, rc, "out of memory applying the backend's rules") : 0;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void entity_rules_free(struct entity_rules *r)
{
	if (r == NULL)
		return;
	free(r->target);
	free(r->group);
	free_strv(r->allow, r->nallow);
	free_strv(r->deny, r->ndeny);
	for (size_t i = 0; r->map && i < r->nmap; i++) {
		free(r->map[i].from);
		free(r->map[i].to);
	}
	free(r->map);
	memset(r, 0, sizeof(*r));
}
