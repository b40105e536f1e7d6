/* config_cors.c - the service's "security/cors" block (krakend-cors's
 * settings and defaults) into a struct cors.  See config_int.h. */
#include "config_int.h"

#include <stdlib.h>
#include <string.h>

/* An optional list of strings; [] is an empty list (*out stays NULL). */
static int opt_list(struct cfg_pctx *c, json_object *obj, const char *key, char ***out, size_t *n)
{
	json_object *v = cfg_member(obj, key);

	if (v == NULL ||
	    (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0))
		return 0;
	return cfg_want_strv(c, v, key, out, n);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* Go's http.CanonicalHeaderKey of each name, joined with ", ". */
static int expose_value(struct cfg_pctx *c, char **names, size_t n, char **out)
{
	size_t len = 1;
	char *v;

	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 2;
	if ((v = malloc(len)) == NULL)
		return cfg_nomem(c);
	v[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		bool up = true;
		char *p = v + strlen(v);

		if (i) {
			memcpy(p, ", ", 3);
			p += 2;
		}
		for (const char *s = names[i]; *s; s++) {
			char ch = *s;

			if (up && ch >= 'a' && ch <= 'z')
				ch = (char)(ch - 32);
			else if (!up && ch >= 'A' && ch <= 'Z')
				ch = (char)(ch + 32);
			*p++ = ch;
			up = ch == '-';
		}
		*p = '\0';
	}
	*out = v;
	return 0;
}

static int defaults(struct cfg_pctx *c, struct cors *r)
{
	static const char *const methods[] = {"GET", "POST", "HEAD"};

	if (r->norigins == 0)
		r->origins_all = true; /* krakend-cors: ["*"] */
	if (r->nheaders == 0)
		r->headers_all = true; /* krakend-cors: ["*"] */
	if (r->nmethods == 0) {	       /* rs/cors: the simple methods */
		if ((r->methods = calloc(3, sizeof(*r->methods))) == NULL)
			return cfg_nomem(c);
		for (size_t i = 0; i < 3; i++) {
			if ((r->methods[i] = strdup(methods[i])) == NULL)
				return cfg_nomem(c);
			r->nmethods++;
		}
	}
	return 0;
}

int cfg_parse_cors(struct cfg_pctx *c, json_object *obj, struct cors *r)
{
	char **expose = NULL;
	size_t nexpose = 0;
	unsigned max_age_ms = 0;
	long long status = 204;
	json_object *v;
	int rc;

	memset(r, 0, sizeof(*r));
	r->enabled = true;
	if (!json_object_is_type(obj, json_type_object))
		return cfg_fail(c, ERR_INVALID, NULL, "expected an object, got %s", cfg_jtype(obj));
	if ((rc = cfg_check_names(c, obj)) ||
	    (rc = opt_list(c, obj, "allow_origins", &r->origins, &r->norigins)) ||
	    (rc = opt_list(c, obj, "allow_methods", &r->methods, &r->nmethods)) ||
	    (rc = opt_list(c, obj, "allow_headers", &r->headers, &r->nheaders)) ||
	    (rc = opt_list(c, obj, "expose_headers", &expose, &nexpose)) ||
	    (rc = cfg_opt_bool(c, obj, "allow_credentials", &r->credentials)) ||
	    (rc = cfg_opt_duration(c, obj, "max_age", &max_age_ms)))
		goto out;
	if ((v = cfg_member(obj, "options_success_status")) != NULL &&
	    (rc = cfg_want_int(c, v, "options_success_status", 200, 299, &status)) != 0)
		goto out;
	r->preflight_status = (int)status;
	r->max_age = max_age_ms / 1000;
	for (size_t i = 0; i < r->norigins; i++) {
		lower(r->origins[i]);
		r->origins_all = r->origins_all || strcmp(r->origins[i], "*") == 0;
	}
	for (size_t i = 0; i < r->nheaders; i++) {
		lower(r->headers[i]);
		r->headers_all = r->headers_all || strcmp(r->headers[i], "*") == 0;
	}
	if (nexpose && (rc = expose_value(c, expose, nexpose, &r->expose)) != 0)
		goto out;
	rc = defaults(c, r);
out:
	cfg_free_strv(expose, nexpose);
	return rc;
}
