/* config_value.c - reading one typed setting of the configuration file:
 * the message prefix (file, endpoint, section, setting), the accessors
 * that check a JSON value's type and range, Go durations, and the path
 * settings (KrakenD's CleanPath and route.h's pattern checks).  See
 * config_int.h. */
#include "config_int.h"
#include "route.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ messages */

/* Append formatted text to dst (size bytes) at *len, truncating. */
static void cat(char *dst, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void cat(char *dst, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(dst + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*len += (size_t)n;
	if (*len >= size)
		*len = size - 1;
}

/* Record an error "NAME[: EP][: SECT][: "SETTING"]: MESSAGE". */
int cfg_fail(struct cfg_pctx *c, int code, const char *setting, const char *fmt, ...)
{
	char msg[ERR_MSG_SIZE];
	char where[ERR_MSG_SIZE];
	size_t len = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cat(where, sizeof(where), &len, "%s", c->name);
	if (c->ep[0])
		cat(where, sizeof(where), &len, ": %s", c->ep);
	if (c->sect[0])
		cat(where, sizeof(where), &len, ": %s", c->sect);
	if (setting)
		cat(where, sizeof(where), &len, ": \"%s\"", setting);
	cat(where, sizeof(where), &len, ": %s", msg);
	return err_set(c->err, code, "%s", where);
}

int cfg_nomem(struct cfg_pctx *c)
{
	return err_set(c->err, ERR_NOMEM, "%s: out of memory", c->name);
}

/* A value safe to echo: at most ~48 bytes (cut on a UTF-8 boundary, then
 * "..."), control bytes, '"' and '\\' shown as '?'. */
const char *cfg_show(char out[CFG_SHOW], const char *s, size_t len)
{
	size_t i, j = 0, max = 48;

	for (i = 0; i < len && j < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[j++] = (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') ? '?' : (char)ch;
	}
	if (i < len) {
		while (j > 0 && ((unsigned char)out[j - 1] & 0xc0) == 0x80)
			j--; /* continuation bytes of a cut character */
		if (j > 0 && ((unsigned char)out[j - 1] & 0xc0) == 0xc0)
			j--; /* its lead byte */
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
	return out;
}

const char *cfg_show_str(char out[CFG_SHOW], const char *s)
{
	return cfg_show(out, s, strlen(s));
}

/* "a string", "a number", ... for "expected X, got Y" messages. */
const char *cfg_jtype(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "an unknown type";
}

/* ------------------------------------------------------------ accessors */

/* The member key of obj, or NULL when absent or JSON null. */
json_object *cfg_member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (json_object_object_get_ex(obj, key, &v))
		return v;
	json_object_object_foreach(obj, name, val)
	{
		if (strcasecmp(name, key) == 0)
			return val;
	}
	return NULL;
}

json_object *cfg_ns(json_object *extra_config, const char *ns)
{
	json_object *v = NULL;

	return json_object_object_get_ex(extra_config, ns, &v) ? v : NULL;
}

int cfg_check_names(struct cfg_pctx *c, json_object *obj)
{
	json_object_object_foreach(obj, a, va)
	{
		(void)va;
		json_object_object_foreach(obj, b, vb)
		{
			char sa[CFG_SHOW], sb[CFG_SHOW];

			(void)vb;
			if (a == b)
				break; /* each pair once: b runs over the members before a */
			if (strcasecmp(a, b) == 0)
				return cfg_fail(
				    c, ERR_INVALID, cfg_show_str(sa, a),
				    "and \"%s\" are the same setting (names are matched "
				    "case-insensitively, as KrakenD does): keep one",
				    cfg_show_str(sb, b));
		}
	}
	return 0;
}

/* The value of a setting with two accepted spellings (a, b).  Both present
 * with different values is an error.  *used receives the spelling found. */
int cfg_aliased(struct cfg_pctx *c, json_object *obj, const char *a, const char *b,
		json_object **out, const char **used)
{
	json_object *va = cfg_member(obj, a), *vb = cfg_member(obj, b);

	if (va && vb && !json_object_equal(va, vb))
		return cfg_fail(c, ERR_INVALID, a,
				"conflicts with \"%s\": both spellings are present with different "
				"values (keep one)",
				b);
	*out = va ? va : vb;
	*used = va ? a : b;
	return 0;
}

/* v must be a string without NUL bytes. */
int cfg_want_string(struct cfg_pctx *c, json_object *v, const char *setting, const char **out)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return cfg_fail(c, ERR_INVALID, setting, "expected a string, got %s", cfg_jtype(v));
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return cfg_fail(c, ERR_INVALID, setting, "contains a NUL character");
	*out = s;
	return 0;
}

int cfg_want_nonempty(struct cfg_pctx *c, json_object *v, const char *setting, const char **out)
{
	int rc = cfg_want_string(c, v, setting, out);

	if (rc == 0 && **out == '\0')
		return cfg_fail(c, ERR_INVALID, setting, "must not be empty");
	return rc;
}

int cfg_dup_str(struct cfg_pctx *c, const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : cfg_nomem(c);
}

/* Optional boolean: absent leaves *out unchanged. */
int cfg_opt_bool(struct cfg_pctx *c, json_object *obj, const char *key, bool *out)
{
	json_object *v = cfg_member(obj, key);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return cfg_fail(c, ERR_INVALID, key, "expected true or false, got %s",
				cfg_jtype(v));
	*out = json_object_get_boolean(v);
	return 0;
}

/* An integer in [min, max]. */
int cfg_want_int(struct cfg_pctx *c, json_object *v, const char *setting, long long min,
		 long long max, long long *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return cfg_fail(c, ERR_INVALID, setting, "expected an integer, got %s",
				cfg_jtype(v));
	x = json_object_get_int64(v);
	/* json-c keeps numbers above INT64_MAX as uint64 and clamps them here */
	if (x < min || x > max || (x == INT64_MAX && json_object_get_uint64(v) != INT64_MAX))
		return cfg_fail(c, ERR_INVALID, setting, "%s out of range (%lld to %lld)",
				json_object_to_json_string(v), min, max);
	*out = x;
	return 0;
}

/* Optional duration string: absent leaves *ms unchanged; zero refused. */
int cfg_opt_duration(struct cfg_pctx *c, json_object *obj, const char *key, unsigned *ms)
{
	json_object *v = cfg_member(obj, key);
	char sh[CFG_SHOW];
	const char *s;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = cfg_want_string(c, v, key, &s)) != 0)
		return rc;
	if (cfg_parse_duration(s, ms) != 0)
		return cfg_fail(
		    c, ERR_INVALID, key,
		    "invalid duration \"%s\" (expected e.g. \"500ms\", \"2s\", \"1m30s\"; "
		    "at most 24h)",
		    cfg_show_str(sh, s));
	if (*ms == 0)
		return cfg_fail(c, ERR_INVALID, key, "must be greater than zero");
	return 0;
}

void cfg_free_strv(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A non-empty array of non-empty strings, copied. */
int cfg_want_strv(struct cfg_pctx *c, json_object *v, const char *setting, char ***out,
		  size_t *nout)
{
	size_t n, i;
	char **arr;
	int rc = 0;

	if (!json_object_is_type(v, json_type_array))
		return cfg_fail(c, ERR_INVALID, setting, "expected an array of strings, got %s",
				cfg_jtype(v));
	n = json_object_array_length(v);
	if (n == 0)
		return cfg_fail(c, ERR_INVALID, setting, "must not be an empty array");
	arr = calloc(n, sizeof(*arr));
	if (arr == NULL)
		return cfg_nomem(c);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const char *s;

		if (!json_object_is_type(e, json_type_string)) {
			rc = cfg_fail(c, ERR_INVALID, setting,
				      "element %zu: expected a string, got %s", i, cfg_jtype(e));
			break;
		}
		s = json_object_get_string(e);
		if (*s == '\0' || strlen(s) != (size_t)json_object_get_string_len(e)) {
			rc = cfg_fail(c, ERR_INVALID, setting,
				      "element %zu: must be a non-empty string", i);
			break;
		}
		if ((rc = cfg_dup_str(c, s, &arr[i])) != 0)
			break;
	}
	if (rc) {
		cfg_free_strv(arr, n);
		return rc;
	}
	*out = arr;
	*nout = n;
	return 0;
}

/* ------------------------------------------------------------ durations */

#define NS_PER_MS 1000000ULL
#define MAX_DURATION_NS (24ULL * 3600 * 1000 * NS_PER_MS)

/* Length of the unit at s (up to the next digit, '.' or end) and its
 * value in nanoseconds, or 0 when unknown. */
static uint64_t duration_unit(const char *s, size_t *len)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
	    {"ns", 1},
	    {"us", 1000},
	    {"\xc2\xb5s", 1000}, /* U+00B5 MICRO SIGN */
	    {"\xce\xbcs", 1000}, /* U+03BC GREEK SMALL LETTER MU */
	    {"ms", NS_PER_MS},
	    {"s", 1000 * NS_PER_MS},
	    {"m", 60 * 1000 * NS_PER_MS},
	    {"h", 3600 * 1000 * NS_PER_MS},
	};
	size_t n = 0;

	while (s[n] && s[n] != '.' && !(s[n] >= '0' && s[n] <= '9'))
		n++;
	*len = n;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].name) == n && memcmp(units[i].name, s, n) == 0)
			return units[i].ns;
	}
	return 0;
}

/* Go's time.ParseDuration, restricted to 0 .. 24h; see config.h. */
int cfg_parse_duration(const char *s, unsigned *ms)
{
	uint64_t total = 0;
	const char *p = s;

	if (s == NULL || *p == '-')
		return ERR_INVALID;
	if (*p == '+')
		p++;
	if (strcmp(p, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (*p == '\0')
		return ERR_INVALID;
	while (*p) {
		uint64_t v = 0, f = 0, unit;
		double scale = 1;
		bool pre = false, post = false, overflow = false;
		size_t ulen;

		if (!(*p == '.' || (*p >= '0' && *p <= '9')))
			return ERR_INVALID;
		for (; *p >= '0' && *p <= '9'; p++) {
			pre = true;
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > MAX_DURATION_NS)
				return ERR_INVALID;
		}
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++) {
				post = true;
				if (overflow || f > (UINT64_MAX - 9) / 10 / 10)
					overflow = true; /* Go ignores the further digits too */
				else {
					f = f * 10 + (uint64_t)(*p - '0');
					scale *= 10;
				}
			}
		}
		if (!pre && !post)
			return ERR_INVALID; /* "." or ".s" */
		unit = duration_unit(p, &ulen);
		if (unit == 0)
			return ERR_INVALID; /* missing or unknown unit */
		p += ulen;
		if (v > MAX_DURATION_NS / unit)
			return ERR_INVALID;
		v *= unit;
		if (f > 0)
			v += (uint64_t)((double)f * ((double)unit / scale));
		total += v;
		if (total > MAX_DURATION_NS)
			return ERR_INVALID;
	}
	*ms = (unsigned)(total / NS_PER_MS + (total % NS_PER_MS != 0));
	return 0;
}

/* ------------------------------------------------------------ paths */

/* KrakenD's CleanPath: make sure the path starts with '/'. */
int cfg_clean_path(struct cfg_pctx *c, const char *in, char **out)
{
	size_t n = strlen(in);

	if (in[0] == '/')
		return cfg_dup_str(c, in, out);
	*out = malloc(n + 2);
	if (*out == NULL)
		return cfg_nomem(c);
	(*out)[0] = '/';
	memcpy(*out + 1, in, n + 1);
	return 0;
}

/* The path checks of route.h, with this file's message prefix: the
 * setting, then the value as shown in messages. */
static int route_fail(struct cfg_pctx *c, const char *setting, const char *value, struct err *e)
{
	char sh[CFG_SHOW];

	return cfg_fail(c, e->code, setting, "\"%s\": %s", cfg_show_str(sh, value), e->msg);
}

int cfg_check_path(struct cfg_pctx *c, const char *setting, const char *p, bool query_ok)
{
	struct err e = {0};

	return route_check_path(p, query_ok, &e) ? route_fail(c, setting, p, &e) : 0;
}

int cfg_check_endpoint(struct cfg_pctx *c, const char *ep)
{
	struct err e = {0};

	return route_check_endpoint(ep, &e) ? route_fail(c, "endpoint", ep, &e) : 0;
}

int cfg_check_url_pattern(struct cfg_pctx *c, const char *up, const char *ep)
{
	struct err e = {0};

	return route_check_url_pattern(up, ep, &e) ? route_fail(c, "url_pattern", up, &e) : 0;
}
