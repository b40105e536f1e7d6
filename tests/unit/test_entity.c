/* test_entity.c - KrakenD's manipulation of a backend answer, byte for
 * byte: the cases of lura's proxy/formatter_test.go and encoding.go, the
 * answers written with gojson_write (Go's member order). */
#include "entity.h"
#include "gojson.h"

#include <criterion/criterion.h>
#include <string.h>

static char *paths_a[8];

/* Apply r to the JSON text in, expect the JSON text want (NULL: want the
 * error code code). */
static void expect(const struct entity_rules *r, const char *in, const char *want, int code)
{
	struct json_object *root = NULL;
	struct buf out = BUF_INIT;
	struct err e = {0};
	int rc;

	cr_assert_eq(gojson_parse(in, strlen(in), NULL, &root, &e), 0, "%s", e.msg);
	rc = entity_apply(r, &root, &e);
	if (want == NULL) {
		cr_assert_eq(rc, code, "%s: rc %d (%s)", in, rc, e.msg);
	} else {
		cr_assert_eq(rc, 0, "%s: %s", in, e.msg);
		cr_assert_eq(gojson_write(&out, root, &e), 0, "%s", e.msg);
		cr_assert_str_eq(out.data, want, "in: %s", in);
	}
	json_object_put(root);
	buf_free(&out);
}

static char **strv(const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		paths_a[i] = (char *)v[i];
	return paths_a;
}

#define SAMPLE                                                                                     \
	"{\"supu\":42,\"tupu\":false,\"foo\":\"bar\",\"a\":{\"b\":true,\"c\":42,\"d\":\"tupu\"}}"

Test(entity, allow)
{
	static const char *const allow[] = {"supu", "a.b", "a.c", "foo.unknown"};
	struct entity_rules r = {0};

	r.allow = strv(allow, 4);
	r.nallow = 4;
	expect(&r, SAMPLE, "{\"a\":{\"b\":true,\"c\":42},\"supu\":42}", 0);
}

Test(entity, allow_deep_fields)
{
	static const char *const allow[] = {"tupu.muku.supu", "tupu.muku.gutu.kugu"};
	struct entity_rules r = {0};

	r.allow = strv(allow, 2);
	r.nallow = 2;
	expect(&r,
	       "{\"id\":42,\"tupu\":{\"muku\":{\"supu\":1,\"muku\":2,\"gutu\":{\"kugu\":42}},"
	       "\"supu\":{\"supu\":3,\"muku\":4}}}",
	       "{\"tupu\":{\"muku\":{\"gutu\":{\"kugu\":42},\"supu\":1}}}", 0);
}

/* lura's tree: a leaf and a path through it, in either order. */
Test(entity, allow_leaf_and_path_through_it)
{
	static const char *const ab[] = {"a", "a.b"}, *const ba[] = {"a.b", "a"};
	struct entity_rules r = {0};

	r.allow = strv(ab, 2);
	r.nallow = 2;
	expect(&r, SAMPLE, "{\"a\":{\"b\":true}}", 0);
	r.allow = strv(ba, 2);
	expect(&r, SAMPLE, "{\"a\":{\"b\":true,\"c\":42,\"d\":\"tupu\"}}", 0);
	/* Objects only: an array is never entered; nothing kept is {}. */
	r.allow = strv((const char *const[]){"x.y"}, 1);
	r.nallow = 1;
	expect(&r, "{\"x\":[{\"y\":1}],\"z\":1}", "{}", 0);
}

Test(entity, deny)
{
	static const char *const deny[] = {
	    "supu", "a.b", "a.c", "foo.unknown", "a.a.b", "a.a.deeper.a.aa", "a.a.deeper.b.aa"};
	struct entity_rules r = {0};

	r.deny = strv(deny, 7);
	r.ndeny = 7;
	expect(&r,
	       "{\"supu\":42,\"tupu\":false,\"foo\":\"bar\",\"a\":{\"a\":{\"b\":true,\"c\":42,"
	       "\"d\":\"tupu\",\"deeper\":{\"a\":{\"aa\":\"x\",\"bb\":\"y\"},\"b\":{\"aa\":\"x\","
	       "\"bb\":\"y\"}}},\"b\":true,\"c\":42,\"d\":\"tupu\"}}",
	       "{\"a\":{\"a\":{\"c\":42,\"d\":\"tupu\",\"deeper\":{\"a\":{\"bb\":\"y\"},\"b\":{"
	       "\"bb\":\"y\"}}},\"d\":\"tupu\"},\"foo\":\"bar\",\"tupu\":false}",
	       0);
	/* The KrakenD example: a password hash never reaches the client. */
	r.deny = strv((const char *const[]){"password_hash", "user.ssn"}, 2);
	r.ndeny = 2;
	expect(&r,
	       "{\"access_token\":{\"sub\":\"u\"},\"password_hash\":\"$2y$...\",\"user\":{\"ssn\":"
	       "\"1\",\"id\":7}}",
	       "{\"access_token\":{\"sub\":\"u\"},\"user\":{\"id\":7}}", 0);
}

/* allow wins over deny (lura uses the deny list only when allow is empty). */
Test(entity, allow_wins_over_deny)
{
	struct entity_rules r = {0};

	r.allow = strv((const char *const[]){"supu"}, 1);
	r.nallow = 1;
	r.deny = r.allow;
	r.ndeny = 1;
	expect(&r, SAMPLE, "{\"supu\":42}", 0);
}

Test(entity, mapping)
{
	struct entity_rename map[] = {{(char *)"supu", (char *)"SUPUUUUU"},
				      {(char *)"tupu", (char *)"TUPUUUUU"},
				      {(char *)"a.b", (char *)"a.BOOOOO"},
				      {(char *)"foo", (char *)"foo"}};
	struct entity_rules r = {0};

	r.map = map;
	r.nmap = 3;
	expect(&r, SAMPLE,
	       "{\"SUPUUUUU\":42,\"TUPUUUUU\":false,\"a\":{\"b\":true,\"c\":42,\"d\":\"tupu\"},"
	       "\"foo\":\"bar\"}",
	       0);
	/* A member mapped to itself is set, then deleted, as lura does. */
	r.map = map + 3;
	r.nmap = 1;
	expect(&r, "{\"foo\":1,\"x\":2}", "{\"x\":2}", 0);
}

Test(entity, target_and_group)
{
	struct entity_rules r = {0};

	r.target = (char *)"a";
	expect(&r, SAMPLE, "{\"b\":true,\"c\":42,\"d\":\"tupu\"}", 0);
	r.target = (char *)"g.g";
	expect(&r, "{\"g\":{\"x\":1,\"g\":{\"b\":true}}}", "{\"b\":true}", 0);
	r.target = (char *)"nope";
	expect(&r, SAMPLE, "{}", 0);
	r.target = (char *)"foo"; /* not an object */
	expect(&r, SAMPLE, "{}", 0);
	r.target = NULL;
	r.group = (char *)"login";
	expect(&r, "{\"a\":1}", "{\"login\":{\"a\":1}}", 0);
	r.target = (char *)"nope"; /* grouping an empty answer still groups */
	expect(&r, SAMPLE, "{\"login\":{}}", 0);
}

/* lura's TestEntityFormatter_altogether: target, allow, mapping, group;
 * then a deeper variant. */
Test(entity, altogether)
{
	struct entity_rename map[] = {{(char *)"a", (char *)"A"}},
			     lura[] = {{(char *)"d", (char *)"D"}};
	struct entity_rules r = {0};

	r.target = (char *)"a";
	r.allow = strv((const char *const[]){"d"}, 1);
	r.nallow = 1;
	r.map = lura;
	r.nmap = 1;
	r.group = (char *)"group";
	expect(&r, SAMPLE, "{\"group\":{\"D\":\"tupu\"}}", 0);
	memset(&r, 0, sizeof(r));

	r.target = (char *)"a";
	r.allow = strv((const char *const[]){"a", "c", "d"}, 3);
	r.nallow = 3;
	r.map = map;
	r.nmap = 1;
	r.group = (char *)"group";
	expect(&r,
	       "{\"supu\":42,\"tupu\":false,\"foo\":\"bar\",\"a\":{\"a\":{\"b\":true},"
	       "\"c\":42,\"d\":\"tupu\",\"e\":1}}",
	       "{\"group\":{\"A\":{\"b\":true},\"c\":42,\"d\":\"tupu\"}}", 0);
}

Test(entity, decoders)
{
	struct entity_rules r = {0};

	expect(NULL, "[1]", NULL, ERR_INVALID);
	expect(&r, "[1]", NULL, ERR_INVALID);
	r.decoding = ENTITY_COLLECTION;
	expect(&r, "[{\"a\":1},2]", "{\"collection\":[{\"a\":1},2]}", 0);
	expect(&r, "{\"a\":1}", NULL, ERR_INVALID);
	r.decoding = ENTITY_SAFE;
	expect(&r, "[1]", "{\"collection\":[1]}", 0);
	expect(&r, "{\"a\":1}", "{\"a\":1}", 0);
	expect(&r, "\"x\"", "{\"content\":\"x\"}", 0);
	expect(&r, "null", "{\"content\":null}", 0);
	/* The collection is there for the other rules: group it. */
	r.decoding = ENTITY_COLLECTION;
	r.group = (char *)"users";
	expect(&r, "[1]", "{\"users\":{\"collection\":[1]}}", 0);
}
