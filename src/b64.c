/* b64.c - base64url through libsodium (secrets) and nettle (public
 * bytes); see b64.h. */
#include "b64.h"
#include "err.h"

#include <nettle/base64.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

size_t b64url_encoded_len(size_t n)
{
	/* sodium_base64_ENCODED_LEN counts the NUL terminator. */
	return sodium_base64_ENCODED_LEN(n, B64_VARIANT) - 1;
}

int b64url_encode_buf(struct buf *b, const uint8_t *p, size_t n)
{
	size_t enc = sodium_base64_ENCODED_LEN(n, B64_VARIANT); /* counts the NUL */
	int rc = buf_reserve(b, enc - 1);

	if (rc)
		return rc;
	sodium_bin2base64(b->data + b->len, enc, p, n, B64_VARIANT);
	return buf_commit(b, enc - 1);
}

/* The length and alphabet rules both decoders share: 0 or ERR_INVALID. */
static int check_text(const char *text, size_t len)
{
	if (len % 4 == 1)
		return ERR_INVALID;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return ERR_INVALID;
	}
	return 0;
}

int b64url_decode(const char *text, size_t len, uint8_t **out, size_t *outlen)
{
	size_t maxlen = len / 4 * 3 + 3;
	const char *end = NULL;
	size_t bin_len = 0;
	uint8_t *bin;

	*out = NULL;
	*outlen = 0;
	if (check_text(text, len) != 0)
		return ERR_INVALID;
	bin = malloc(maxlen);
	if (bin == NULL)
		return ERR_NOMEM;
	if (sodium_base642bin(bin, maxlen, text, len, NULL, &bin_len, &end, B64_VARIANT) != 0 ||
	    end != text + len) {
		sodium_memzero(bin, maxlen);
		free(bin);
		return ERR_INVALID;
	}
	*out = bin;
	*outlen = bin_len;
	return 0;
}

int b64url_encode_public(struct buf *b, const uint8_t *p, size_t n)
{
	struct base64_encode_ctx ctx;
	size_t enc = b64url_encoded_len(n), whole = n - n % 3, done;
	char tail[BASE64_ENCODE_LENGTH(2) + BASE64_ENCODE_FINAL_LENGTH];
	int rc = buf_reserve(b, enc);

	if (rc)
		return rc;
	base64url_encode_init(&ctx);
	/* Whole groups in place; nettle pads the last one with '=', so it is
	 * made aside and copied without the padding. */
	done = base64_encode_update(&ctx, b->data + b->len, whole, p);
	if (whole < n) {
		size_t t = base64_encode_update(&ctx, tail, n - whole, p + whole);

		base64_encode_final(&ctx, tail + t);
		memcpy(b->data + b->len + done, tail, enc - done);
	}
	return buf_commit(b, enc);
}

int b64url_decode_public(const char *text, size_t len, uint8_t **out, size_t *outlen)
{
	struct base64_decode_ctx ctx;
	size_t dlen = 0;
	uint8_t *bin;

	*out = NULL;
	*outlen = 0;
	if (check_text(text, len) != 0)
		return ERR_INVALID;
	bin = malloc(BASE64_DECODE_LENGTH(len) + 1);
	if (bin == NULL)
		return ERR_NOMEM;
	base64url_decode_init(&ctx);
	/* Without padding the last group leaves 2 or 4 bits, which must be
	 * zero (a canonical encoding; RFC 7515 appendix C). */
	if (!base64_decode_update(&ctx, &dlen, bin, len, text) ||
	    (ctx.word & ((1u << ctx.bits) - 1)) != 0) {
		free(bin);
		return ERR_INVALID;
	}
	*out = bin;
	*outlen = dlen;
	return 0;
}
