/* jws.c - JWS protected header, signing input and serializations; see
 * jws.h.  RFC 7515 sections 3, 5.1 and 7.
 */
#include "jws.h"
#include "b64.h"
#include "crypto.h"
#include "gojson.h"
#include "jwk.h"
#include "jwk_int.h"

#include <string.h>

int jws_protected_header(struct buf *b, enum jws_alg alg, const char *kid, const char *typ)
{
	const char *name = alg_name(alg);
	size_t start = b->len;
	int rc;

	if (name == NULL)
		return ERR_UNSUPPORTED;
	/* Members in byte order: "alg" < "kid" < "typ". */
	rc = buf_puts(b, "{\"alg\":");
	if (rc == 0)
		rc = gojson_write_string(b, name, strlen(name));
	if (rc == 0 && kid) {
		rc = buf_puts(b, ",\"kid\":");
		if (rc == 0)
			rc = gojson_write_string(b, kid, strlen(kid));
	}
	if (rc == 0 && typ && *typ) {
		rc = buf_puts(b, ",\"typ\":");
		if (rc == 0)
			rc = gojson_write_string(b, typ, strlen(typ));
	}
	if (rc == 0)
		rc = buf_putc(b, '}');
	if (rc)
		buf_truncate(b, start);
	return rc;
}

int jws_sign_input(struct buf *sig, const struct jwk *key, enum jws_alg alg, const uint8_t *input,
		   size_t len, struct err *err)
{
	int rc;

	if (key == NULL)
		return err_set(err, ERR_KEY, "no key to sign with");
	rc = jwk_check_alg(key, alg, err);
	if (rc)
		return rc;
	return crypto_jws_sign(&key->ck, alg, input, len, sig, err);
}

/* Append BASE64URL(header) '.' BASE64URL(payload) to b. */
static int signing_input(struct buf *b, const struct jwk *key, enum jws_alg alg, const char *typ,
			 const uint8_t *payload, size_t len, struct err *err)
{
	struct buf hdr = BUF_INIT;
	int rc = jws_protected_header(&hdr, alg, jwk_kid(key), typ);

	if (rc == 0)
		rc = b64url_encode_public(b, (const uint8_t *)hdr.data, hdr.len);
	if (rc == 0)
		rc = buf_putc(b, '.');
	if (rc == 0)
		rc = b64url_encode_public(b, payload, len);
	buf_free(&hdr);
	if (rc)
		return err_set(err, rc, "cannot build the JWS signing input: %s", err_strerror(rc));
	return 0;
}

int jws_sign_compact(struct buf *out, const struct jwk *key, enum jws_alg alg, const char *typ,
		     const uint8_t *payload, size_t len, struct err *err)
{
	struct buf sig = BUF_INIT;
	size_t start = out->len;
	int rc;

	if (key == NULL)
		return err_set(err, ERR_KEY, "no key to sign with");
	rc = jwk_check_alg(key, alg, err);
	if (rc)
		return rc;
	rc = signing_input(out, key, alg, typ, payload, len, err);
	if (rc)
		goto out;
	rc = crypto_jws_sign(&key->ck, alg, (const uint8_t *)out->data + start, out->len - start,
			     &sig, err);
	if (rc)
		goto out;
	rc = buf_putc(out, '.');
	if (rc == 0)
		rc = b64url_encode_public(out, (const uint8_t *)sig.data, sig.len);
	if (rc)
		err_set(err, rc, "cannot store the JWS: %s", err_strerror(rc));
out:
	buf_free(&sig);
	if (rc)
		buf_truncate(out, start);
	return rc;
}

int jws_sign_flattened(struct buf *out, const struct jwk *key, enum jws_alg alg, const char *typ,
		       const uint8_t *payload, size_t len, struct err *err)
{
	struct buf in = BUF_INIT, sig = BUF_INIT;
	size_t start = out->len;
	const char *dot;
	int rc;

	if (key == NULL)
		return err_set(err, ERR_KEY, "no key to sign with");
	rc = jwk_check_alg(key, alg, err);
	if (rc)
		return rc;
	rc = signing_input(&in, key, alg, typ, payload, len, err);
	if (rc)
		goto out;
	rc = crypto_jws_sign(&key->ck, alg, (const uint8_t *)in.data, in.len, &sig, err);
	if (rc)
		goto out;
	/* in = header '.' payload; base64url never contains '.'. */
	dot = memchr(in.data, '.', in.len);
	rc = buf_puts(out, "{\"payload\":\"");
	if (rc == 0)
		rc = buf_append(out, dot + 1, in.len - (size_t)(dot + 1 - in.data));
	if (rc == 0)
		rc = buf_puts(out, "\",\"protected\":\"");
	if (rc == 0)
		rc = buf_append(out, in.data, (size_t)(dot - in.data));
	if (rc == 0)
		rc = buf_puts(out, "\",\"signature\":\"");
	if (rc == 0)
		rc = b64url_encode_public(out, (const uint8_t *)sig.data, sig.len);
	if (rc == 0)
		rc = buf_puts(out, "\"}");
	if (rc)
		err_set(err, rc, "cannot store the JWS: %s", err_strerror(rc));
out:
	buf_free(&in);
	buf_free(&sig);
	if (rc)
		buf_truncate(out, start);
	return rc;
}
