/* testutil.c - helpers shared by the unit tests; see testutil.h. */
#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "err.h"

char *tu_read_file(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *s;
	long n;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

struct json_object *tu_vector(const char *name)
{
	char path[512];
	struct json_object *v;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	v = json_object_from_file(path);
	cr_assert_not_null(v, "cannot read %s", path);
	return v;
}

struct json_object *tu_vobj(struct json_object *obj, const char *member)
{
	struct json_object *v;

	cr_assert(json_object_object_get_ex(obj, member, &v), "no member %s", member);
	return v;
}

const char *tu_vstr(struct json_object *obj, const char *member)
{
	return json_object_get_string(tu_vobj(obj, member));
}

struct json_object *tu_vector_jwk(const char *file)
{
	struct json_object *v = tu_vector(file), *copy = NULL;

	cr_assert_eq(json_object_deep_copy(tu_vobj(v, "jwk"), &copy, NULL), 0);
	json_object_put(v);
	return copy;
}

uint8_t *tu_b64d(const char *s, size_t *n)
{
	uint8_t *out;

	cr_assert_eq(b64url_decode(s, strlen(s), &out, n), 0, "bad base64url in a vector");
	return out;
}

struct jwk *tu_select_key(const char *doc, size_t len, const char *kid, enum jws_alg alg,
			  const struct jwk_limits *lim)
{
	const char *kids[1] = {kid};
	struct jwk *key = NULL;
	struct err e = {0};
	int rc = jwk_set_select(doc, len, kids, 1, alg, lim, &key, &e);

	cr_assert_eq(rc, 0, "jwk_set_select %s: %s", kid, e.msg);
	cr_assert_not_null(key);
	return key;
}

void tu_read_stderr(char *buf, size_t size)
{
	FILE *f;
	size_t n;

	fflush(stderr);
	f = cr_get_redirected_stderr();
	cr_assert_not_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
}
