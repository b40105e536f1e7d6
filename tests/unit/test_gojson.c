/* test_gojson.c - the strict parser and the Go encoding/json-compatible
 * writer.  Every expected string was written by hand from the rules of
 * Go's encoding/json (decoder with UseNumber into map[string]interface{},
 * then Marshal) as stated in gojson.h. */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "gojson.h"

static const struct gojson_limits LIM = {128, 0};

/* A string literal and its length. */
#define LIT(s) s, sizeof(s) - 1

/* Parse in (len bytes) with lim, write the tree to out. */
static int roundtrip(const char *in, size_t len, const struct gojson_limits *lim, struct buf *out,
		     struct err *e)
{
	struct json_object *o = NULL;
	int rc = gojson_parse(in, len, lim, &o, e);

	if (rc)
		return rc;
	rc = gojson_write(out, o, e);
	json_object_put(o);
	return rc;
}

static void expect_rt_len(const char *in, size_t inlen, const char *want, size_t wantlen)
{
	struct buf b = BUF_INIT;
	struct err e = {0};
	int rc = roundtrip(in, inlen, &LIM, &b, &e);

	cr_assert_eq(rc, 0, "input %s: rc %d: %s", in, rc, e.msg);
	cr_assert_eq(b.len, wantlen, "input %s: got %s (%zu bytes), want %s (%zu bytes)", in,
		     b.data, b.len, want, wantlen);
	cr_assert(memcmp(b.data, want, wantlen) == 0, "input %s: got %s, want %s", in, b.data,
		  want);
	buf_free(&b);
}

/* Literal arguments only (sizeof gives the length, NULs included). */
#define EXPECT_RT(in, want) expect_rt_len(in, sizeof(in) - 1, want, sizeof(want) - 1)
#define EXPECT_SAME(in) EXPECT_RT(in, in)

static void expect_fail_lim(const char *in, size_t len, const struct gojson_limits *lim, int code)
{
	struct json_object *o = (struct json_object *)&o; /* must be reset */
	struct err e = {0};
	int rc = gojson_parse(in, len, lim, &o, &e);

	cr_assert_eq(rc, code, "input \"%.60s\": rc %d, want %d (%s)", in, rc, code, e.msg);
	cr_assert_eq(e.code, code, "input \"%.60s\": err.code %d", in, e.code);
	cr_assert(e.msg[0] != '\0', "input \"%.60s\": no message", in);
	cr_assert_null(o, "input \"%.60s\": *out not NULL on error", in);
}

#define EXPECT_FAIL(in, code) expect_fail_lim(in, sizeof(in) - 1, &LIM, code)

/* ------------------------------------------------------------- objects */

Test(gojson, keys_sorted_at_every_depth)
{
	EXPECT_RT("{\"b\":1,\"a\":{\"d\":[1,{\"z\":0,\"y\":1}],\"c\":2},\"A\":3,\"aa\":4,\"\":5,"
		  "\"ab\":6}",
		  "{\"\":5,\"A\":3,\"a\":{\"c\":2,\"d\":[1,{\"y\":1,\"z\":0}]},\"aa\":4,\"ab\":6,"
		  "\"b\":1}");
}

Test(gojson, keys_sorted_by_raw_bytes)
{
	/* UTF-8 bytes: "z" 7a < "\u00e9" c3 a9 < "\u4e2d" e4 b8 ad; '<' 3c sorts
	 * by its raw byte, not by its escaped form; "_" 5f > "Z" 5a. */
	EXPECT_RT(
	    "{\"\\u4e2d\":1,\"\\u00e9\":2,\"z\":3,\"_\":4,\"Z\":5,\"<\":6,\"=\":7}",
	    "{\"\\u003c\":6,\"=\":7,\"Z\":5,\"_\":4,\"z\":3,\"\xc3\xa9\":2,\"\xe4\xb8\xad\":1}");
}

Test(gojson, many_keys_sorted)
{
	/* More members than the insertion-sort threshold: the qsort path. */
	EXPECT_RT(
	    "{\"p\":0,\"o\":0,\"n\":0,\"m\":0,\"l\":0,\"k\":0,\"j\":0,\"i\":0,\"h\":0,"
	    "\"g\":0,\"f\":0,\"e\":0,\"d\":0,\"c\":0,\"b\":0,\"a\":0,\"aa\":1,\"a\\u0001\":2}",
	    "{\"a\":0,\"a\\u0001\":2,\"aa\":1,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,"
	    "\"g\":0,\"h\":0,\"i\":0,\"j\":0,\"k\":0,\"l\":0,\"m\":0,\"n\":0,\"o\":0,"
	    "\"p\":0}");
}

Test(gojson, whitespace_removed)
{
	EXPECT_RT(" \r\n\t{ \"a\" : [ 1 , 2 , [ ] , { } ] ,\n\t\"b\" :true , \"c\":false,"
		  "\"d\":null } \r\n\t",
		  "{\"a\":[1,2,[],{}],\"b\":true,\"c\":false,\"d\":null}");
}

Test(gojson, empty_objects)
{
	/* The first object written may have no member (fuzz_signer F1). */
	EXPECT_SAME("{}");
	EXPECT_RT("{ }", "{}");
	EXPECT_SAME("{\"a\":{},\"b\":[{},{\"c\":{}}]}");
}

Test(gojson, duplicate_keys_last_wins)
{
	EXPECT_RT("{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}");
	EXPECT_RT("{\"a\":{\"x\":1},\"a\":[2],\"c\":{\"k\":1,\"k\":\"v\"}}",
		  "{\"a\":[2],\"c\":{\"k\":\"v\"}}");
}

Test(gojson, top_level_scalars)
{
	EXPECT_SAME("123");
	EXPECT_SAME("-1.5e-3");
	EXPECT_SAME("\"x\"");
	EXPECT_SAME("true");
	EXPECT_SAME("false");
	EXPECT_SAME("null");
	EXPECT_RT(" 7 ", "7");
}

/* ------------------------------------------------------------- strings */

Test(gojson, slash_not_escaped)
{
	EXPECT_RT("{\"u\":\"https:\\/\\/x/y\"}", "{\"u\":\"https://x/y\"}");
}

Test(gojson, html_characters_escaped)
{
	EXPECT_RT("[\"<a href=\\\"x\\\">&amp;</a>\"]",
		  "[\"\\u003ca href=\\\"x\\\"\\u003e\\u0026amp;\\u003c/a\\u003e\"]");
	EXPECT_RT("[\"\\u003c\\u003e\\u0026\"]", "[\"\\u003c\\u003e\\u0026\"]");
}

Test(gojson, line_and_paragraph_separators_escaped)
{
	EXPECT_RT("[\"a\xe2\x80\xa8"
		  "b\\u2029c\xe2\x80\xa7\"]",
		  "[\"a\\u2028b\\u2029c\xe2\x80\xa7\"]");
}

Test(gojson, control_characters)
{
	/* \b and \f as Go 1.22 and later write them (the default); DEL
	 * (0x7f) is written raw. */
	EXPECT_RT("[\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\\u007f\\\"\\\\\\u0020\"]",
		  "[\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\x7f\\\"\\\\ \"]");
	/* Older Go ("json_escapes": "go1.21"): \u0008 and \u000c. */
	gojson_set_legacy_escapes(true);
	EXPECT_RT("[\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\\u007f\\\"\\\\\\u0020\"]",
		  "[\"\\u0000\\u0001\\u0008\\u000c\\n\\r\\t\\u001f\x7f\\\"\\\\ \"]");
	gojson_set_legacy_escapes(false);
}

Test(gojson, every_ascii_byte)
{
	struct buf b = BUF_INIT;
	char c, want[16];
	int i;

	for (i = 0; i < 0x80; i++) {
		c = (char)i;
		buf_reset(&b);
		cr_assert_eq(gojson_write_string(&b, &c, 1), 0);
		if (i == '"')
			strcpy(want, "\"\\\"\"");
		else if (i == '\\')
			strcpy(want, "\"\\\\\"");
		else if (i == '\n')
			strcpy(want, "\"\\n\"");
		else if (i == '\r')
			strcpy(want, "\"\\r\"");
		else if (i == '\t')
			strcpy(want, "\"\\t\"");
		else if (i == '\b')
			strcpy(want, "\"\\b\"");
		else if (i == '\f')
			strcpy(want, "\"\\f\"");
		else if (i < 0x20 || i == '<' || i == '>' || i == '&')
			snprintf(want, sizeof(want), "\"\\u%04x\"", (unsigned)i);
		else
			snprintf(want, sizeof(want), "\"%c\"", i);
		cr_assert_eq(b.len, strlen(want), "byte 0x%02x: got %s want %s", (unsigned)i,
			     b.data, want);
		cr_assert(memcmp(b.data, want, b.len) == 0, "byte 0x%02x: got %s want %s",
			  (unsigned)i, b.data, want);
	}
	buf_free(&b);
}

Test(gojson, non_ascii_written_raw)
{
	EXPECT_RT("[\"\\u00e9\\u4E2D\\ud83d\\ude00\xc3\xa9\xf0\x9f\x98\x80\"]",
		  "[\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xc3\xa9\xf0\x9f\x98\x80\"]");
}

Test(gojson, nul_in_string_values_kept)
{
	EXPECT_RT("{\"k\":\"a\\u0000b\",\"l\":[\"\\u0000\"]}",
		  "{\"k\":\"a\\u0000b\",\"l\":[\"\\u0000\"]}");
	/* An escaped backslash followed by "u0000" is no NUL. */
	EXPECT_RT("{\"a\\\\u0000\":1}", "{\"a\\\\u0000\":1}");
}

Test(gojson, write_string_invalid_utf8_per_byte)
{
	struct buf b = BUF_INIT;
	/* 0xff, 0xfe; truncated 3-byte sequence; encoded surrogate U+D800;
	 * overlong '/'; > U+10FFFF; lone continuation byte; NUL; overlong
	 * 3- and 4-byte forms; U+10FFFF itself is valid. */
	static const char in[] = "a\xff\xfe"
				 "b\xe2\x82"
				 "c\xed\xa0\x80"
				 "d\xc0\xaf"
				 "e\xf4\x90\x80\x80"
				 "f\x80g\0h"
				 "\xe0\x80\xaf"
				 "i\xf0\x80\x80\xaf"
				 "j\xf4\x8f\xbf\xbf";
	static const char want[] =
	    "\"a\\ufffd\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffd"
	    "d\\ufffd\\ufffde\\ufffd\\ufffd\\ufffd\\ufffdf\\ufffdg\\u0000h"
	    "\\ufffd\\ufffd\\ufffdi\\ufffd\\ufffd\\ufffd\\ufffdj\xf4\x8f\xbf\xbf\"";

	cr_assert_eq(gojson_write_string(&b, in, sizeof(in) - 1), 0);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
}

Test(gojson, invalid_utf8_coerced_as_go_decoder_does)
{
	/* Go's decoder replaces each ill-formed byte by U+FFFD before the
	 * encoder sees the string, so the output holds the raw U+FFFD bytes. */
	EXPECT_RT("{\"s\":\"a\xff"
		  "b\xc3(\",\"t\":[\"\xe2\x82\"]}",
		  "{\"s\":\"a\xef\xbf\xbd"
		  "b\xef\xbf\xbd(\",\"t\":[\"\xef\xbf\xbd\xef\xbf\xbd\"]}");
	/* Keys too, and the sort sees the replaced key. */
	EXPECT_RT("{\"\xff\":1,\"\xef\xbf\xbe\":2,\"a\":3}",
		  "{\"a\":3,\"\xef\xbf\xbd\":1,\"\xef\xbf\xbe\":2}");
}

Test(gojson, lone_surrogate_escapes_replaced)
{
	EXPECT_RT("[\"\\ud800x\",\"\\udc00\",\"\\ud800\\u0041\",\"\\ud800\\ud800\\udc00\"]",
		  "[\"\xef\xbf\xbdx\",\"\xef\xbf\xbd\",\"\xef\xbf\xbd"
		  "A\",\"\xef\xbf\xbd\xf0\x90\x80\x80\"]");
}

Test(gojson, keys_colliding_after_utf8_replacement_refused)
{
	EXPECT_FAIL("{\"\xff\":1,\"\xfe\":2}", ERR_INVALID);
	EXPECT_FAIL("{\"\xef\xbf\xbd\":1,\"\xff\":2}", ERR_INVALID);
}

/* ------------------------------------------------------------- numbers */

Test(gojson, number_literals_kept)
{
	EXPECT_SAME("[1.0,1e5,1E+5,-1.5e-3,12345678901234567890,1e400,0,-1,1.5E-07,-0.0,0e0,"
		    "0.000,-0e-0,9223372036854775807,-9223372036854775808,"
		    "18446744073709551615,3.141592653589793238462643383279]");
	EXPECT_RT("{\"n\":1.0,\"m\":1E+5}", "{\"m\":1E+5,\"n\":1.0}");
}

Test(gojson, number_literals_refused)
{
	EXPECT_FAIL("[-0]", ERR_INVALID);
	EXPECT_FAIL("-0", ERR_INVALID);
	EXPECT_FAIL("{\"a\":-0}", ERR_INVALID);
	EXPECT_FAIL("[-01]", ERR_INVALID);
	EXPECT_FAIL("[01]", ERR_INVALID);
	EXPECT_FAIL("[00]", ERR_INVALID);
	EXPECT_FAIL("[-00.5]", ERR_INVALID);
	EXPECT_FAIL("[1.]", ERR_INVALID);
	EXPECT_FAIL("[.5]", ERR_INVALID);
	EXPECT_FAIL("[+1]", ERR_INVALID);
	EXPECT_FAIL("[1e]", ERR_INVALID);
	EXPECT_FAIL("[1e+]", ERR_INVALID);
	EXPECT_FAIL("[1.5.3]", ERR_INVALID);
	EXPECT_FAIL("[--1]", ERR_INVALID);
	EXPECT_FAIL("[-]", ERR_INVALID);
	EXPECT_FAIL("[2-3]", ERR_INVALID);
	EXPECT_FAIL("[0x10]", ERR_INVALID);
	EXPECT_FAIL("[18446744073709551616]", ERR_INVALID);
	EXPECT_FAIL("[99999999999999999999]", ERR_INVALID);
	EXPECT_FAIL("[-9223372036854775809]", ERR_INVALID);
	EXPECT_FAIL("[123456789012345678901234567890]", ERR_INVALID);
}

/* ------------------------------------------------------------ refusals */

Test(gojson, object_keys_with_nul_refused)
{
	EXPECT_FAIL("{\"a\\u0000b\":1}", ERR_INVALID);
	EXPECT_FAIL("{\"x\":{\"\\u0000\" : 1}}", ERR_INVALID);
}

Test(gojson, invalid_documents_refused)
{
	EXPECT_FAIL("", ERR_INVALID);
	EXPECT_FAIL("  \n ", ERR_INVALID);
	EXPECT_FAIL("[1] x", ERR_INVALID);
	EXPECT_FAIL("{} {}", ERR_INVALID);
	EXPECT_FAIL("{}}", ERR_INVALID);
	EXPECT_FAIL("1 2", ERR_INVALID);
	EXPECT_FAIL("NaN", ERR_INVALID);
	EXPECT_FAIL("[NaN]", ERR_INVALID);
	EXPECT_FAIL("[nan]", ERR_INVALID);
	EXPECT_FAIL("[Infinity]", ERR_INVALID);
	EXPECT_FAIL("[-Infinity]", ERR_INVALID);
	EXPECT_FAIL("{\"a\":1} // c", ERR_INVALID);
	EXPECT_FAIL("{/* c */\"a\":1}", ERR_INVALID);
	EXPECT_FAIL("{'a':1}", ERR_INVALID);
	EXPECT_FAIL("['a']", ERR_INVALID);
	EXPECT_FAIL("[1,]", ERR_INVALID);
	EXPECT_FAIL("{\"a\":1,}", ERR_INVALID);
	EXPECT_FAIL("{\"a\" 1}", ERR_INVALID);
	EXPECT_FAIL("{\"a\":}", ERR_INVALID);
	EXPECT_FAIL("{a:1}", ERR_INVALID);
	EXPECT_FAIL("[\v1]", ERR_INVALID);
	EXPECT_FAIL("[\f1]", ERR_INVALID);
	EXPECT_FAIL("[\"a\x01\"]", ERR_INVALID);
	EXPECT_FAIL("[\"a\tb\"]", ERR_INVALID);
	EXPECT_FAIL("[\"a\\x\"]", ERR_INVALID);
	EXPECT_FAIL("[\"\\u12\"]", ERR_INVALID);
	EXPECT_FAIL("[\"abc", ERR_INVALID);
	EXPECT_FAIL("[\"abc\\", ERR_INVALID);
	EXPECT_FAIL("[1", ERR_INVALID);
	EXPECT_FAIL("{\"a\":1", ERR_INVALID);
	EXPECT_FAIL("tru", ERR_INVALID);
	EXPECT_FAIL("[True]", ERR_INVALID);
	EXPECT_FAIL("[nul]", ERR_INVALID);
	EXPECT_FAIL("\xef\xbb\xbf{}", ERR_INVALID);
	EXPECT_FAIL("]", ERR_INVALID);
}

Test(gojson, nul_bytes_outside_strings_refused)
{
	EXPECT_FAIL("[1]\0", ERR_INVALID);
	EXPECT_FAIL("[1,\0 2]", ERR_INVALID);
	EXPECT_FAIL("\0[1]", ERR_INVALID);
	/* A raw NUL inside a string is a control character. */
	EXPECT_FAIL("[\"a\0b\"]", ERR_INVALID);
}

Test(gojson, input_need_not_be_nul_terminated)
{
	static const char doc[] = "{\"a\":[1,2]}xyz";
	char *copy = malloc(11);
	struct buf b = BUF_INIT;
	struct err e = {0};

	/* An exact-size heap copy: valgrind sees any read past the end. */
	cr_assert_not_null(copy);
	memcpy(copy, doc, 11);
	cr_assert_eq(roundtrip(copy, 11, &LIM, &b, &e), 0, "%s", e.msg);
	cr_assert_str_eq(b.data, "{\"a\":[1,2]}");
	buf_reset(&b);
	memcpy(copy, "[123456789", 10);
	cr_assert_eq(roundtrip(copy, 10, &LIM, &b, &e), ERR_INVALID);
	memcpy(copy, "1234567890", 10);
	cr_assert_eq(roundtrip(copy, 10, &LIM, &b, &e), 0, "%s", e.msg);
	cr_assert_str_eq(b.data, "1234567890");
	free(copy);
	buf_free(&b);
}

/* -------------------------------------------------------------- limits */

static char *nested(size_t levels, const char *open, const char *inner, const char *close)
{
	size_t lo = strlen(open), li = strlen(inner), lc = strlen(close), i;
	char *s = malloc(levels * (lo + lc) + li + 1), *p = s;

	cr_assert_not_null(s);
	for (i = 0; i < levels; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, inner, li);
	p += li;
	for (i = 0; i < levels; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

Test(gojson, depth_64_parses_and_writes)
{
	char *doc = nested(64, "{\"a\":[", "1", "]}");
	struct buf b = BUF_INIT;
	struct err e = {0};

	/* 128 levels: 64 objects and 64 arrays. */
	cr_assert_eq(roundtrip(doc, strlen(doc), &LIM, &b, &e), 0, "%s", e.msg);
	cr_assert_str_eq(b.data, doc);
	free(doc);
	doc = nested(129, "[", "", "]");
	expect_fail_lim(doc, strlen(doc), &LIM, ERR_LIMIT);
	free(doc);
	buf_free(&b);
}

Test(gojson, depth_limit_exact)
{
	struct gojson_limits lim = {3, 0};
	struct json_object *o = NULL;

	cr_assert_eq(gojson_parse(LIT("[[[]]]"), &lim, &o, NULL), 0);
	json_object_put(o);
	cr_assert_eq(gojson_parse(LIT("[[[1,\"x\",true]]]"), &lim, &o, NULL), 0);
	json_object_put(o);
	cr_assert_eq(gojson_parse(LIT("{\"a\":{\"b\":{\"c\":1}}}"), &lim, &o, NULL), 0);
	json_object_put(o);
	expect_fail_lim(LIT("[[[[]]]]"), &lim, ERR_LIMIT);
	expect_fail_lim(LIT("{\"a\":{\"b\":{\"c\":{}}}}"), &lim, ERR_LIMIT);
	expect_fail_lim(LIT("[[],[[],[[[]]]]]"), &lim, ERR_LIMIT);
	/* Brackets inside strings do not count. */
	cr_assert_eq(gojson_parse(LIT("[\"[[[[[[\",\"{{{{\"]"), &lim, &o, NULL), 0);
	json_object_put(o);
}

Test(gojson, million_brackets_refused_cleanly)
{
	size_t n = 1000000;
	char *doc = malloc(n);
	struct gojson_limits unlimited = {UINT32_MAX, 0};

	cr_assert_not_null(doc);
	memset(doc, '[', n);
	expect_fail_lim(doc, n, &LIM, ERR_LIMIT);
	/* Even with a huge configured limit (Go's own 10000 applies). */
	expect_fail_lim(doc, n, &unlimited, ERR_LIMIT);
	memset(doc, '{', n);
	expect_fail_lim(doc, n, &unlimited, ERR_LIMIT);
	expect_fail_lim(doc, n, NULL, ERR_LIMIT);
	free(doc);
}

Test(gojson, go_depth_10000_accepted)
{
	struct gojson_limits unlimited = {UINT32_MAX, 0};
	char *doc = nested(10000, "[", "1", "]");
	struct buf b = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(roundtrip(doc, strlen(doc), &unlimited, &b, &e), 0, "%s", e.msg);
	cr_assert_str_eq(b.data, doc);
	free(doc);
	doc = nested(10001, "[", "1", "]");
	expect_fail_lim(doc, strlen(doc), &unlimited, ERR_LIMIT);
	free(doc);
	buf_free(&b);
}

Test(gojson, member_limit)
{
	struct gojson_limits lim = {128, 3};
	struct json_object *o = NULL;

	cr_assert_eq(gojson_parse(LIT("[1,2,3]"), &lim, &o, NULL), 0);
	json_object_put(o);
	cr_assert_eq(gojson_parse(LIT("{\"a\":[1,2]}"), &lim, &o, NULL), 0);
	json_object_put(o);
	cr_assert_eq(gojson_parse(LIT("[[],{},[ ]]"), &lim, &o, NULL), 0);
	json_object_put(o);
	cr_assert_eq(gojson_parse(LIT("[\",,,,\",\"]]\"]"), &lim, &o, NULL), 0);
	json_object_put(o);
	expect_fail_lim(LIT("[1,2,3,4]"), &lim, ERR_LIMIT);
	expect_fail_lim(LIT("{\"a\":[1,2],\"b\":0}"), &lim, ERR_LIMIT);
	expect_fail_lim(LIT("[[[[1]]]]"), &lim, ERR_LIMIT);
}

/* -------------------------------------------------------------- writer */

static void expect_write(struct json_object *v, const char *want)
{
	struct buf b = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(gojson_write(&b, v, &e), 0, "%s", e.msg);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
	json_object_put(v);
}

Test(gojson, write_built_values)
{
	struct json_object *o = json_object_new_object();

	expect_write(NULL, "null");
	json_object_object_add(o, "z", json_object_new_int64(INT64_MIN));
	json_object_object_add(o, "y", json_object_new_uint64(UINT64_MAX));
	json_object_object_add(o, "x", json_object_new_boolean(1));
	json_object_object_add(o, "w", json_object_new_string_len("a\0<", 3));
	json_object_object_add(o, "v", json_object_new_array());
	json_object_object_add(o, "u", json_object_new_double_s(0, "1E+2"));
	expect_write(o, "{\"u\":1E+2,\"v\":[],\"w\":\"a\\u0000\\u003c\",\"x\":true,"
			"\"y\":18446744073709551615,\"z\":-9223372036854775808}");
}

Test(gojson, write_doubles_as_go_float64)
{
	static const struct {
		double d;
		const char *want;
	} v[] = {
	    {1.5, "1.5"},
	    {0.1, "0.1"},
	    {-2.0, "-2"},
	    {123456789.0, "123456789"},
	    {1e20, "100000000000000000000"},
	    {1e21, "1e+21"},
	    {1.5e300, "1.5e+300"},
	    {0.000001, "0.000001"},
	    {1e-7, "1e-7"},
	    {-1.2345e-10, "-1.2345e-10"},
	    {1e-100, "1e-100"},
	    {5e-324, "5e-324"},
	    {1.7976931348623157e308, "1.7976931348623157e+308"},
	    {0.30000000000000004, "0.30000000000000004"},
	    {0.0, "0"},
	    {-0.0, "-0"},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		expect_write(json_object_new_double(v[i].d), v[i].want);
}

Test(gojson, write_refuses_non_finite_and_bad_literals)
{
	struct json_object *bad[] = {json_object_new_double(NAN), json_object_new_double(INFINITY),
				     json_object_new_double_s(1, "1."),
				     json_object_new_double_s(1, "Infinity")};
	size_t i;

	for (i = 0; i < 4; i++) {
		struct json_object *a = json_object_new_array();
		struct buf b = BUF_INIT;
		struct err e = {0};

		json_object_array_add(a, json_object_new_int(1));
		json_object_array_add(a, bad[i]);
		cr_assert_eq(buf_puts(&b, "keep"), 0);
		cr_assert_eq(gojson_write(&b, a, &e), ERR_INVALID, "value %zu", i);
		cr_assert_eq(e.code, ERR_INVALID);
		cr_assert_str_eq(b.data, "keep");
		cr_assert_eq(b.len, 4);
		json_object_put(a);
		buf_free(&b);
	}
}

Test(gojson, write_respects_buffer_limit)
{
	struct json_object *o = NULL;
	struct buf b;
	struct err e = {0};

	cr_assert_eq(gojson_parse(LIT("{\"a\":\"0123456789\"}"), &LIM, &o, NULL), 0);
	buf_init(&b, 20);
	cr_assert_eq(buf_puts(&b, "xy"), 0);
	cr_assert_eq(gojson_write(&b, o, &e), 0);
	cr_assert_str_eq(b.data, "xy{\"a\":\"0123456789\"}");
	buf_reset(&b);
	cr_assert_eq(buf_puts(&b, "xyz"), 0);
	cr_assert_eq(gojson_write(&b, o, &e), ERR_LIMIT);
	cr_assert_eq(e.code, ERR_LIMIT);
	cr_assert_str_eq(b.data, "xyz");
	cr_assert_eq(gojson_write_string(&b, "0123456789abcdef", 16), ERR_LIMIT);
	cr_assert_str_eq(b.data, "xyz");
	json_object_put(o);
	buf_free(&b);
}

Test(gojson, write_is_stable)
{
	static const char doc[] = "{\"b\":[{\"y\":\"<\\u2028>\",\"x\":1e5}],\"a\":\"\xff\"}";
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	struct err e = {0};

	cr_assert_eq(roundtrip(doc, sizeof(doc) - 1, &LIM, &b1, &e), 0, "%s", e.msg);
	cr_assert_eq(roundtrip(b1.data, b1.len, &LIM, &b2, &e), 0, "%s", e.msg);
	cr_assert_str_eq(b1.data, b2.data);
	cr_assert_str_eq(
	    b1.data,
	    "{\"a\":\"\xef\xbf\xbd\",\"b\":[{\"x\":1e5,\"y\":\"\\u003c\\u2028\\u003e\"}]}");
	buf_free(&b1);
	buf_free(&b2);
}

/* gojson_parse_ex: the stage and offset of each refusal, and the flags. */
static void expect_stage(const char *in, size_t len, unsigned flags, enum gojson_stage stage,
			 size_t offset)
{
	struct json_object *o = NULL;
	struct gojson_failure f;
	struct err e = {0};

	cr_assert_neq(gojson_parse_ex(in, len, &LIM, flags, &o, &f, &e), 0, "%.*s", (int)len, in);
	cr_assert_null(o);
	cr_assert_eq(f.stage, stage, "%.*s: stage %d", (int)len, in, (int)f.stage);
	cr_assert_eq(f.offset, offset, "%.*s: offset %zu", (int)len, in, f.offset);
}

Test(gojson, parse_ex_stages)
{
	struct gojson_limits shallow = {2, 2};
	struct json_object *o = NULL;
	struct gojson_failure f;

	expect_stage(LIT(" \n"), 0, GOJSON_EMPTY, 2);
	expect_stage(LIT("{\"a\":[1,2"), 0, GOJSON_TRUNCATED, 9);
	expect_stage(LIT("{\"a\":\"bc"), 0, GOJSON_TRUNCATED, 8);
	expect_stage(LIT("{\"a\":'b'}"), 0, GOJSON_LEXICAL, 5);
	cr_assert_eq(gojson_parse_ex(LIT("{\"a\":'b'}"), &LIM, 0, &o, &f, NULL), ERR_INVALID);
	cr_assert_null(f.detail);
	cr_assert_eq(gojson_parse_ex(LIT("{\"a\":1} x"), &LIM, 0, &o, &f, NULL), ERR_INVALID);
	cr_assert_eq(f.stage, GOJSON_LEXICAL);
	cr_assert_str_eq(f.detail, "unexpected character");
	expect_stage(LIT("{\"a\":\"\x01\"}"), 0, GOJSON_LEXICAL, 6);
	expect_stage(LIT("{\"a\":01}"), 0, GOJSON_LEXICAL, 5);
	expect_stage(LIT("{\"a\":1,}"), 0, GOJSON_GRAMMAR, 7);
	/* json-c's strict mode itself refuses a second value */
	expect_stage(LIT("{\"a\":1}  {}"), 0, GOJSON_GRAMMAR, 9);
	expect_stage(LIT("{\"a\":\"\xff\"}"), GOJSON_UTF8_STRICT, GOJSON_GRAMMAR, 6);
	expect_stage(LIT("[-0]"), 0, GOJSON_LEXICAL, 1);
	cr_assert_eq(gojson_parse_ex(LIT("[[[1]]]"), &shallow, 0, &o, &f, NULL), ERR_LIMIT);
	cr_assert_eq(f.stage, GOJSON_DEPTH);
	cr_assert_eq(gojson_parse_ex(LIT("[1,2,3]"), &shallow, 0, &o, &f, NULL), ERR_LIMIT);
	cr_assert_eq(f.stage, GOJSON_MEMBERS);
	/* the flags */
	cr_assert_eq(gojson_parse_ex(LIT("{\"a\":\"\xff\"}"), &LIM, 0, &o, &f, NULL), 0);
	cr_assert_eq(f.stage, GOJSON_ACCEPTED);
	json_object_put(o);
	cr_assert_eq(gojson_parse_ex(LIT("[-0,99999999999999999999]"), &LIM, GOJSON_LOSSY_INTS, &o,
				     &f, NULL),
		     0);
	cr_assert_eq(json_object_get_int64(json_object_array_get_idx(o, 0)), 0);
	json_object_put(o);
}
