/* b64.c - base64url through libsodium; see b64.h. */
#include "b64.h"
#include "err.h"

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

int b64url_decode(const char *text, size_t len, uint8_t **out, size_t *outlen)
{
	size_t maxlen = len / 4 * 3 + 3;
	const char *end = NULL;
	size_t bin_len = 0;
	uint8_t *bin;

	*out = NULL;
	*outlen = 0;
	if (len % 4 == 1)
		return ERR_INVALID;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return ERR_INVALID;
	}
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
