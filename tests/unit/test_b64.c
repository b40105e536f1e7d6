/* test_b64.c - base64url without padding (b64.h): RFC 4648 section 10
 * vectors in the URL-safe alphabet, RFC 7515 appendix C, and the strict
 * decoder's refusals; every check holds for both coders (libsodium's for
 * secrets, nettle's for public bytes), which agree on every input.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "err.h"

typedef int (*encode_fn)(struct buf *, const uint8_t *, size_t);
typedef int (*decode_fn)(const char *, size_t, uint8_t **, size_t *);
static const encode_fn encoders[2] = {b64url_encode_buf, b64url_encode_public};
static const decode_fn decoders[2] = {b64url_decode, b64url_decode_public};

static void expect_encode(const char *bin, size_t n, const char *want)
{
	for (int k = 0; k < 2; k++) {
		struct buf b = BUF_INIT;

		cr_assert_eq(encoders[k](&b, (const uint8_t *)bin, n), 0);
		cr_assert_eq(b.len, strlen(want), "coder %d", k);
		cr_assert_eq(b64url_encoded_len(n), strlen(want));
		cr_assert_str_eq(b.data ? b.data : "", want, "coder %d", k);
		buf_free(&b);
	}
}

static void expect_decode(const char *text, const char *want, size_t n)
{
	for (int k = 0; k < 2; k++) {
		uint8_t *out = NULL;
		size_t len = 99;

		cr_assert_eq(decoders[k](text, strlen(text), &out, &len), 0, "%s (coder %d)", text,
			     k);
		cr_assert_not_null(out);
		cr_assert_eq(len, n, "%s", text);
		cr_assert_arr_eq(out, want, n);
		free(out);
	}
}

static void expect_refused(const char *text, size_t len)
{
	for (int k = 0; k < 2; k++) {
		uint8_t *out = (uint8_t *)1;
		size_t n = 99;

		cr_assert_eq(decoders[k](text, len, &out, &n), ERR_INVALID,
			     "'%.*s' accepted (coder %d)", (int)len, text, k);
		cr_assert_null(out);
		cr_assert_eq(n, 0);
	}
}

/* Both coders, every length 0..300 of pseudo-random bytes: the same text,
 * decoded back; and every 2- and 3-character tail (canonical or not): the
 * same verdict and bytes. */
Test(b64, coders_agree)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t bin[300];
	unsigned x = 12345;

	for (size_t n = 0; n <= sizeof(bin); n++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		uint8_t *d = NULL;
		size_t dl = 0;

		for (size_t i = 0; i < n; i++)
			bin[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
		cr_assert_eq(b64url_encode_buf(&a, bin, n), 0);
		cr_assert_eq(b64url_encode_public(&b, bin, n), 0);
		cr_assert_eq(a.len, b.len);
		cr_assert_arr_eq(a.data ? a.data : "", b.data ? b.data : "", a.len, "n=%zu", n);
		cr_assert_eq(b64url_decode_public(a.data ? a.data : "", a.len, &d, &dl), 0);
		cr_assert_eq(dl, n);
		cr_assert_arr_eq(d, bin, n);
		free(d);
		buf_free(&a);
		buf_free(&b);
	}
	for (size_t i = 0; i < 64 * 64 * 4; i++) {
		char t[8] = "QUJD";
		size_t len = i < 64 * 64 ? 6 : 7;
		uint8_t *o[2] = {NULL, NULL};
		size_t ol[2] = {0, 0};
		int rc[2];

		t[4] = alpha[i % 64];
		t[5] = alpha[(i / 64) % 64];
		t[6] = alpha[(i * 7) % 64];
		for (int k = 0; k < 2; k++)
			rc[k] = decoders[k](t, len, &o[k], &ol[k]);
		cr_assert_eq(rc[0], rc[1], "%.*s", (int)len, t);
		cr_assert_eq(ol[0], ol[1]);
		if (rc[0] == 0)
			cr_assert_arr_eq(o[0], o[1], ol[0]);
		free(o[0]);
		free(o[1]);
	}
}

/* RFC 4648 section 10 (padding removed; the alphabet is the same). */
Test(b64, rfc4648_vectors)
{
	static const char *const bin[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const txt[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

	for (int i = 0; i < 7; i++) {
		expect_encode(bin[i], strlen(bin[i]), txt[i]);
		expect_decode(txt[i], bin[i], strlen(bin[i]));
	}
}

/* RFC 7515 appendix C: the octets 3, 236, 255, 224, 193 -> "A-z_4ME". */
Test(b64, rfc7515_appendix_c)
{
	static const char octets[] = {3, (char)236, (char)255, (char)224, (char)193};

	expect_encode(octets, 5, "A-z_4ME");
	expect_decode("A-z_4ME", octets, 5);
}

Test(b64, url_safe_alphabet)
{
	static const char ff[] = {(char)0xfb, (char)0xff, (char)0xbf};

	expect_encode(ff, 3, "-_-_");
	expect_decode("-_-_", ff, 3);
}

Test(b64, round_trip_all_bytes_and_lengths)
{
	uint8_t bin[300];

	for (int i = 0; i < 300; i++)
		bin[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= 300; n++) {
		struct buf b = BUF_INIT;
		uint8_t *out;
		size_t len;

		cr_assert_eq(b64url_encode_buf(&b, bin, n), 0);
		cr_assert_eq(b.len, b64url_encoded_len(n));
		cr_assert_eq(b.len, (n * 4 + 2) / 3, "no padding for %zu bytes", n);
		cr_assert_eq(b64url_decode(b.data ? b.data : "", b.len, &out, &len), 0);
		cr_assert_eq(len, n);
		cr_assert_arr_eq(out, bin, n);
		free(out);
		buf_free(&b);
	}
}

Test(b64, encode_appends)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(buf_puts(&b, "x."), 0);
	cr_assert_eq(b64url_encode_buf(&b, (const uint8_t *)"foo", 3), 0);
	cr_assert_str_eq(b.data, "x.Zm9v");
	cr_assert_eq(b.len, 6);
	buf_free(&b);
}

Test(b64, encode_respects_limit)
{
	struct buf b;

	buf_init(&b, 5);
	cr_assert_eq(buf_puts(&b, "x."), 0);
	cr_assert_eq(b64url_encode_buf(&b, (const uint8_t *)"foo", 3), ERR_LIMIT);
	cr_assert_str_eq(b.data, "x.");
	cr_assert_eq(b.len, 2);
	buf_free(&b);
}

Test(b64, padding_refused)
{
	expect_refused("Zg==", 4);
	expect_refused("Zg=", 3);
	expect_refused("Zm8=", 4);
	expect_refused("A-z_4ME=", 8);
	expect_refused("=", 1);
}

Test(b64, standard_alphabet_refused)
{
	expect_refused("-_+/", 4);
	expect_refused("a+Fh", 4);
	expect_refused("a/Fh", 4);
}

Test(b64, stray_bytes_refused)
{
	expect_refused("Zm9v\n", 5);
	expect_refused("Zm 9v", 5);
	expect_refused(" Zm9v", 5);
	expect_refused("Zm9v\r\n", 6);
	expect_refused("Zm*v", 4);
	expect_refused("Zm9v\0Zm9v", 9);
	expect_refused("Zm9\xc3\xa9", 5);
}

Test(b64, impossible_length_refused)
{
	expect_refused("Z", 1);
	expect_refused("Zm9vY", 5);
	expect_refused("Zm9vYmFyZ", 9);
}

/* The unused low bits of the last character must be zero: "Zh" would
 * also decode to "f" in a lenient decoder. */
Test(b64, non_canonical_refused)
{
	expect_refused("Zh", 2);
	expect_refused("Zm9", 3);
	expect_decode("Zm8", "fo", 2);
	expect_refused("Zm9vYh", 6);
}

Test(b64, empty_decodes_to_nothing)
{
	uint8_t *out = NULL;
	size_t n = 5;

	cr_assert_eq(b64url_decode("", 0, &out, &n), 0);
	cr_assert_not_null(out);
	cr_assert_eq(n, 0);
	free(out);
}

Test(b64, length_argument_respected)
{
	/* Only the first 4 bytes are read; no NUL needed. */
	{
		uint8_t *out;
		size_t n;

		cr_assert_eq(b64url_decode("Zm9vYmFy", 4, &out, &n), 0);
		cr_assert_eq(n, 3);
		cr_assert_arr_eq(out, "foo", 3);
		free(out);
	}
}
