/* test_query.c - the forwarded query string, byte for byte as Go's
 * net/url ParseQuery + url.Values.Encode (which lura uses) give it; each
 * expected value was printed by a Go program with Debian's golang-go
 * (1.19, whose ParseQuery already refuses ';' as 1.22's does). */
#include "query.h"

#include <criterion/criterion.h>
#include <string.h>

static void expect(const char *raw, const char *const *keys, size_t n, bool all, const char *want)
{
	struct buf out = BUF_INIT;

	cr_assert_eq(query_forward(raw, (char *const *)keys, n, all, &out), 0);
	cr_assert_str_eq(out.data ? out.data : "", want, "query %s", raw ? raw : "(null)");
	buf_free(&out);
}

Test(query, listed_keys_sorted_values_in_order)
{
	static const char *const keys[] = {"lang", "b"};

	expect("b=2&lang=en+US&x=1&b=%31", keys, 2, false, "b=2&b=1&lang=en+US");
	expect("x=1", keys, 2, false, "");
	expect(NULL, keys, 2, false, "");
	expect("", keys, 2, false, "");
}

Test(query, all_keys_reencoded_as_go)
{
	/* Go's QueryEscape: unreserved kept, space '+', the rest %XX upper. */
	expect("z=%7e%2A&a=%C3%A9+x&m=a/b?c", NULL, 0, true, "a=%C3%A9+x&m=a%2Fb%3Fc&z=~%2A");
	expect("k&k=&=v", NULL, 0, true, "=v&k=&k=");
	/* Skipped as ParseQuery skips them: empty pairs, ';', bad escapes. */
	expect("a=1&&b=2&c=%zz&d=x;y&e=%4", NULL, 0, true, "a=1&b=2");
	/* Keys compare decoded: "l%61ng" is "lang". */
	expect("l%61ng=fr", (const char *const[]){"lang"}, 1, false, "lang=fr");
}
