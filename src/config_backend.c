/* config_backend.c - the backend of an endpoint: hosts (KrakenD's
 * sanitising), url_pattern, method, and the manipulation of its answer
 * (encoding, is_collection, target, allow, deny, mapping, group: entity.h).
 * See config_int.h. */
#include "config_int.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ endpoints */

static bool tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

bool cfg_is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++) {
		if (!tchar(*s))
			return false;
	}
	return true;
}

/* An HTTP method (RFC 9110 token), stored upper-case; absent: dflt. */
int cfg_parse_method(struct cfg_pctx *c, json_object *obj, const char *dflt, char **out)
{
	json_object *v = cfg_member(obj, "method");
	const char *m = dflt;
	char sh[CFG_SHOW];
	int rc;

	if (v != NULL && (rc = cfg_want_nonempty(c, v, "method", &m)) != 0)
		return rc;
	for (const char *p = m; *p; p++) {
		if (!tchar(*p))
			return cfg_fail(c, ERR_INVALID, "method", "\"%s\" is not an HTTP method",
					cfg_show_str(sh, m));
	}
	if ((rc = cfg_dup_str(c, m, out)) != 0)
		return rc;
	for (char *p = *out; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	return 0;
}

/* KrakenD host sanitising: no scheme means http://; no trailing '/'. */
static int parse_host(struct cfg_pctx *c, const char *h, size_t i, char **out)
{
	const char *sep = strstr(h, "://");
	char sh[CFG_SHOW];
	size_t len = strlen(h);
	const char *prefix = "";

	for (const char *q = h; *q; q++) {
		if ((unsigned char)*q <= 0x20 || *q == 0x7f)
			return cfg_fail(c, ERR_INVALID, "host",
					"element %zu: \"%s\": blanks and control characters are "
					"not allowed",
					i, cfg_show_str(sh, h));
	}
	if (sep == NULL) {
		prefix = "http://";
	} else if (!((sep - h == 4 && strncasecmp(h, "http", 4) == 0) ||
		     (sep - h == 5 && strncasecmp(h, "https", 5) == 0))) {
		return cfg_fail(c, ERR_INVALID, "host",
				"element %zu: \"%s\": only http:// and https:// are supported", i,
				cfg_show_str(sh, h));
	}
	while (len > 0 && h[len - 1] == '/')
		len--;
	if (len <= (sep ? (size_t)(sep - h) + 3 : 0))
		return cfg_fail(c, ERR_INVALID, "host", "element %zu: \"%s\": no host name", i,
				cfg_show_str(sh, h));
	*out = malloc(strlen(prefix) + len + 1);
	if (*out == NULL)
		return cfg_nomem(c);
	memcpy(*out, prefix, strlen(prefix));
	memcpy(*out + strlen(prefix), h, len);
	(*out)[strlen(prefix) + len] = '\0';
	return 0;
}

static int parse_hosts(struct cfg_pctx *c, json_object *v, struct cfg_backend *b)
{
	char **raw = NULL;
	size_t n = 0;
	int rc;

	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0)
		return cfg_fail(c, ERR_INVALID, "host", "no host: the list is empty");
	if ((rc = cfg_want_strv(c, v, "host", &raw, &n)) != 0)
		return rc;
	b->hosts = calloc(n, sizeof(*b->hosts));
	if (b->hosts == NULL) {
		rc = cfg_nomem(c);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = parse_host(c, raw[i], i, &b->hosts[i])) != 0)
			goto out;
		b->nhosts++;
	}
out:
	cfg_free_strv(raw, n);
	return rc;
}

/* An optional list of dot paths ("allow", "deny"); [] is no list. */
static int opt_paths(struct cfg_pctx *c, json_object *obj, const char *key, char ***out, size_t *n)
{
	json_object *v = cfg_member(obj, key);

	if (v == NULL ||
	    (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0))
		return 0;
	return cfg_want_strv(c, v, key, out, n);
}

static int opt_str(struct cfg_pctx *c, json_object *obj, const char *key, char **out)
{
	json_object *v = cfg_member(obj, key);
	const char *s;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = cfg_want_string(c, v, key, &s)) != 0)
		return rc;
	return *s ? cfg_dup_str(c, s, out) : 0; /* "" is KrakenD's "none" */
}

/* "mapping": {"from": "to", ...}, kept in file order. */
static int parse_mapping(struct cfg_pctx *c, json_object *obj, struct entity_rules *r)
{
	json_object *v = cfg_member(obj, "mapping");
	size_t n;
	int rc;

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return cfg_fail(c, ERR_INVALID, "mapping", "expected an object, got %s",
				cfg_jtype(v));
	n = (size_t)json_object_object_length(v);
	if (n == 0)
		return 0;
	if ((r->map = calloc(n, sizeof(*r->map))) == NULL)
		return cfg_nomem(c);
	json_object_object_foreach(v, from, to)
	{
		const char *t;
		char sh[CFG_SHOW];

		if ((rc = cfg_want_string(c, to, "mapping", &t)) != 0)
			return rc;
		if (*from == '\0' || *t == '\0')
			return cfg_fail(c, ERR_INVALID, "mapping",
					"\"%s\": empty names are not allowed",
					cfg_show_str(sh, from));
		if ((r->map[r->nmap].from = strdup(from)) == NULL ||
		    (r->map[r->nmap].to = strdup(t)) == NULL) {
			free(r->map[r->nmap].from);
			return cfg_nomem(c);
		}
		r->nmap++;
	}
	return 0;
}

/* "encoding" and "is_collection" (lura's decoders, case-insensitive). */
static int parse_decoding(struct cfg_pctx *c, json_object *obj, struct entity_rules *r)
{
	json_object *v = cfg_member(obj, "encoding");
	const char *enc = "json";
	bool coll = false;
	char sh[CFG_SHOW];
	int rc;

	if (v != NULL && (rc = cfg_want_string(c, v, "encoding", &enc)) != 0)
		return rc;
	if ((rc = cfg_opt_bool(c, obj, "is_collection", &coll)) != 0)
		return rc;
	if (strcasecmp(enc, "json") == 0 || *enc == '\0')
		r->decoding = coll ? ENTITY_COLLECTION : ENTITY_OBJECT;
	else if (strcasecmp(enc, "safejson") == 0)
		r->decoding = ENTITY_SAFE;
	else
		return cfg_fail(c, ERR_UNSUPPORTED, "encoding",
				"\"%s\" cannot be signed: a signer endpoint needs \"json\" (the "
				"default) or \"safejson\"",
				cfg_show_str(sh, enc));
	return 0;
}

/* KrakenD's manipulation of the answer (entity.h). */
static int parse_rules(struct cfg_pctx *c, json_object *obj, struct entity_rules *r)
{
	int rc;

	if ((rc = parse_decoding(c, obj, r)) != 0 || (rc = opt_str(c, obj, "target", &r->target)) ||
	    (rc = opt_str(c, obj, "group", &r->group)) ||
	    (rc = opt_paths(c, obj, "allow", &r->allow, &r->nallow)) ||
	    (rc = opt_paths(c, obj, "deny", &r->deny, &r->ndeny)) ||
	    (rc = parse_mapping(c, obj, r)))
		return rc;
	if (r->nallow && r->ndeny)
		log_warn("config",
			 "%s: %s: %s: \"allow\" and \"deny\" are both set: only \"allow\" "
			 "applies, as in KrakenD",
			 c->name, c->ep, c->sect);
	return 0;
}

int cfg_parse_backend(struct cfg_pctx *c, json_object *ep_obj, json_object *default_hosts,
		      struct cfg_endpoint *e)
{
	json_object *arr = cfg_member(ep_obj, "backend"), *obj, *v;
	const char *up;
	int rc;

	if (arr == NULL)
		return cfg_fail(c, ERR_INVALID, "backend",
				"missing (one backend with \"host\" and \"url_pattern\")");
	if (!json_object_is_type(arr, json_type_array))
		return cfg_fail(c, ERR_INVALID, "backend", "expected an array, got %s",
				cfg_jtype(arr));
	if (json_object_array_length(arr) == 0)
		return cfg_fail(c, ERR_INVALID, "backend", "no backend: the list is empty");
	if (json_object_array_length(arr) > 1)
		return cfg_fail(c, ERR_INVALID, "backend",
				"%zu backends: a signer endpoint takes exactly one",
				json_object_array_length(arr));
	obj = json_object_array_get_idx(arr, 0);
	if (!json_object_is_type(obj, json_type_object))
		return cfg_fail(c, ERR_INVALID, "backend", "element 0: expected an object, got %s",
				cfg_jtype(obj));
	snprintf(c->sect, sizeof(c->sect), "backend[0]");
	if ((rc = cfg_check_names(c, obj)) != 0)
		goto out;
	if ((rc = cfg_check_known(c, obj, CFG_BACKEND)) != 0)
		goto out;
	snprintf(c->sect, sizeof(c->sect), "backend[0]: extra_config");
	if ((rc = cfg_check_known(c, cfg_member(obj, "extra_config"), CFG_BACKEND_NS)) != 0)
		goto out;
	snprintf(c->sect, sizeof(c->sect), "backend[0]");
	v = cfg_member(obj, "host");
	if (v == NULL)
		v = default_hosts;
	if (v == NULL) {
		rc = cfg_fail(c, ERR_INVALID, "host",
			      "missing: no host for this backend and no top-level \"host\"");
		goto out;
	}
	if ((rc = parse_hosts(c, v, &e->backend)) != 0)
		goto out;
	if ((v = cfg_member(obj, "url_pattern")) == NULL) {
		rc = cfg_fail(c, ERR_INVALID, "url_pattern", "missing (the path on the backend)");
		goto out;
	}
	if ((rc = cfg_want_nonempty(c, v, "url_pattern", &up)) != 0 ||
	    (rc = cfg_clean_path(c, up, &e->backend.url_pattern)) != 0 ||
	    (rc = cfg_check_url_pattern(c, e->backend.url_pattern, e->endpoint)) != 0 ||
	    (rc = cfg_parse_method(c, obj, e->method, &e->backend.method)) != 0 ||
	    (rc = parse_rules(c, obj, &e->backend.rules)) != 0)
		goto out;
out:
	c->sect[0] = '\0';
	return rc;
}
