/* jwk_int.h - PRIVATE to the JWK layer (jwk.c, jwk_set.c, jwk_gen.c,
 * pem.c) and the JWS layer that hands a key to the primitives (jws.c):
 * the layout of struct jwk and the helpers the JWK files share.  Other
 * modules use jwk.h, which keeps struct jwk opaque.  jwk_pkcs11.c makes
 * a struct jwk for a key on a PKCS#11 token.  (As cjose's
 * src/include/jwk_int.h.)
 */
#ifndef JWTSIGN_JWK_INT_H
#define JWTSIGN_JWK_INT_H

#include <stddef.h>

#include "alg.h"
#include "buf.h"
#include "crypto.h"
#include "jwk.h"
#include "jwk_set.h"

/* Longest label used in messages for a key: `"KID"` (sanitised,
 * truncated) or `without kid`, plus the NUL. */
#define JWK_LABEL_SIZE 80

struct jwk_pkcs11_pin;

/* One parsed JWK.  Allocated by jwk.c (jwk_parse), freed by jwk_free. */
struct jwk {
	enum jwk_kty kty;
	char *kid;		    /* malloc'd copy of "kid", or NULL */
	char label[JWK_LABEL_SIZE]; /* printable kid for messages */
	char *alg_name;		    /* malloc'd copy of "alg", or NULL */
	enum jws_alg alg;	    /* "alg" as enum; JWS_ALG_INVALID if absent/unknown */
	char *use;		    /* malloc'd copy of "use", or NULL */
	int has_key_ops;	    /* "key_ops" present */
	int key_ops_sign;	    /* "key_ops" contains "sign" */
	int key_ops_verify;	    /* "key_ops" contains "verify" */
	int is_private;		    /* oct always; RSA/EC/OKP with "d" */
	unsigned bits;		    /* oct: key bits; RSA: modulus bits; EC: curve bits */
	enum jwk_crv crv;	    /* EC and OKP */
	struct crypto_key ck;	    /* the material the primitives sign and verify
				     * with (ck.pub for RSA/EC, public or private;
				     * ck.ed25519_pub for OKP); ck.label points at
				     * label */
	struct jwk_pkcs11_pin *p11; /* a key on a PKCS#11 token (jwk_pkcs11.c): its
				     * PIN sources, the callback data of ck.priv;
				     * else NULL */
};

/* jwk_pkcs11_pin_free - wipe and free a token key's PIN sources
 * (jwk_pkcs11.c; called by jwk_free after ck.priv is released).
 * NULL-safe. */
void jwk_pkcs11_pin_free(struct jwk_pkcs11_pin *p);

/* jwk_printable - copy the len bytes at s into dst (size n, at least 5)
 * for a message: control bytes, '"' and '\\' become '?', long text is cut
 * with "..." (never inside a UTF-8 sequence).  Always NUL-terminated. */
void jwk_printable(char *dst, size_t n, const char *s, size_t len);

/* jwk_make_label - the message label of a key into dst (JWK_LABEL_SIZE
 * bytes): "KID" (quoted, through jwk_printable) or `without kid` when kid
 * is NULL. */
void jwk_make_label(char *dst, const char *kid, size_t len);

/* jwk_put_b64 - append ,"name":"BASE64URL(bytes)" to b.  Returns 0,
 * ERR_NOMEM, ERR_LIMIT. */
int jwk_put_b64(struct buf *b, const char *name, const struct crypto_bytes *v);

/* jwk_put_head - append {"keys":[{"kty":KTY,"kid":KID,"use":"sig" and,
 * unless alg is JWS_ALG_INVALID, ,"alg":ALG to b (the set and the key are
 * left open).  kid: JSON-escaped.  Returns 0, ERR_NOMEM, ERR_LIMIT. */
int jwk_put_head(struct buf *b, enum jwk_kty kty, const char *kid, enum jws_alg alg);

/* jwk_doc_parse - parse a JWK Set document strictly (gojson_parse with
 * GOJSON_SECRET, nesting limited as jwk_set_select does) under lim
 * (max_doc_bytes; may be NULL).  *out: the tree, released with
 * jwk_doc_release.  Returns 0, ERR_INVALID, ERR_LIMIT, ERR_NOMEM. */
int jwk_doc_parse(const char *doc, size_t len, const struct jwk_limits *lim,
		  struct json_object **out, struct err *err);

/* jwk_doc_release - wipe every string of the tree (key material), then
 * release it.  NULL-safe. */
void jwk_doc_release(struct json_object *root);

#endif
