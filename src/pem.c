/* pem.c - PEM private keys (RFC 7468 text; PKCS#8, PKCS#1, SEC1) into
 * private JWK Sets; see pem.h.  The text (blocks, labels) is read here,
 * the DER inside through GnuTLS; the new set is checked by the JWK Set
 * layer before it is handed out.
 */
#include "pem.h"
#include "b64.h"
#include "crypto.h"
#include "jwk_int.h"
#include "jwk_set.h"

#include <gnutls/x509.h>
#include <limits.h>
#include <sodium.h>
#include <string.h>

/* ------------------------------------------------- the key, through GnuTLS */

/* A private key read from PEM, as JWK members (RFC 7518 section 6,
 * RFC 8037 section 2), each sodium_malloc'd. */
struct pem_key {
	enum jwk_kty kty;	     /* JWK_KTY_RSA, JWK_KTY_EC or JWK_KTY_OKP */
	enum jwk_crv crv;	     /* EC and OKP; JWK_CRV_NONE for RSA */
	struct crypto_rsa rsa;	     /* RSA: all eight members, minimal big-endian */
	struct crypto_bytes x, y, d; /* EC: alg_crv_size bytes each, left-padded;
				      * OKP: x (public key) and d (seed), y empty */
};

/* pem_key_free - wipe and free every member.  NULL-safe. */
static void pem_key_free(struct pem_key *k)
{
	if (k == NULL)
		return;
	crypto_rsa_free(&k->rsa);
	crypto_bytes_free(&k->x);
	crypto_bytes_free(&k->y);
	crypto_bytes_free(&k->d);
	k->kty = JWK_KTY_NONE;
	k->crv = JWK_CRV_NONE;
}

/* GnuTLS errors that mean "understood, but not supported". */
static int import_error_code(int gnutls_rc)
{
	switch (gnutls_rc) {
	case GNUTLS_E_ECC_UNSUPPORTED_CURVE:
	case GNUTLS_E_UNKNOWN_PK_ALGORITHM:
	case GNUTLS_E_UNKNOWN_ALGORITHM:
	case GNUTLS_E_UNIMPLEMENTED_FEATURE:
	case GNUTLS_E_UNKNOWN_CIPHER_TYPE:
		return ERR_UNSUPPORTED;
	case GNUTLS_E_MEMORY_ERROR:
		return ERR_NOMEM;
	default:
		return ERR_INVALID;
	}
}

/* EC (x, y, d) or Ed25519 (x = public key, d = seed). */
static int pem_export_ecc(gnutls_privkey_t k, struct pem_key *out, struct err *err)
{
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	gnutls_datum_t x = {0}, y = {0}, d = {0};
	size_t size;
	int rc = gnutls_privkey_export_ecc_raw2(k, &curve, &x, &y, &d, GNUTLS_EXPORT_FLAG_NO_LZ);

	if (rc < 0) {
		rc = err_set(err, import_error_code(rc), "EC key export failed: %s",
			     gnutls_strerror(rc));
		goto out;
	}
	out->crv = crypto_crv_from_gnutls(curve);
	if (out->crv == JWK_CRV_NONE) {
		const char *name = gnutls_ecc_curve_get_name(curve);

		rc = err_set(err, ERR_UNSUPPORTED,
			     "curve %s is not supported (P-256, P-384, P-521, Ed25519)",
			     name ? name : "(unknown)");
		goto out;
	}
	size = alg_crv_size(out->crv);
	if (out->crv == JWK_CRV_ED25519 && (x.size != size || d.size != size)) {
		rc = err_set(err, ERR_CRYPTO, "Ed25519 key export: unexpected sizes");
		goto out;
	}
	/* RFC 7518 section 6.2.1.2/6.2.2.1: fixed-size members. */
	rc = crypto_take_datum_padded(&out->x, &x, size);
	if (rc == 0 && out->crv != JWK_CRV_ED25519)
		rc = crypto_take_datum_padded(&out->y, &y, size);
	if (rc == 0)
		rc = crypto_take_datum_padded(&out->d, &d, size);
	if (rc)
		rc = err_set(err, rc, "EC key export: %s", err_strerror(rc));
out:
	crypto_datum_wipe(&x);
	crypto_datum_wipe(&y);
	crypto_datum_wipe(&d);
	return rc;
}

/* Import the block into a new gnutls_privkey_t (through an x509 key). */
static int pem_import(const char *block, size_t len, gnutls_privkey_t *out, struct err *err)
{
	gnutls_datum_t data = {(unsigned char *)block, (unsigned)len};
	gnutls_x509_privkey_t x = NULL;
	gnutls_privkey_t k = NULL;
	int rc;

	*out = NULL;
	if (len > UINT_MAX)
		return err_set(err, ERR_LIMIT, "PEM block too large");
	rc = gnutls_x509_privkey_init(&x);
	if (rc < 0)
		return err_set(err, ERR_NOMEM, "gnutls_x509_privkey_init: %s", gnutls_strerror(rc));
	/* No password and GNUTLS_PKCS_PLAIN: never decrypt, never ask a PIN
	 * callback. */
	rc = gnutls_x509_privkey_import2(x, &data, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN);
	if (rc < 0) {
		/* A curve GnuTLS does not know (secp256k1, brainpool) also
		 * ends here, as a DER error: GnuTLS does not name it. */
		rc = err_set(err, import_error_code(rc),
			     "GnuTLS cannot read the key (%s): the block is damaged, or holds a "
			     "key type or curve GnuTLS does not know (jwtsign supports RSA, EC "
			     "P-256/P-384/P-521, Ed25519)",
			     gnutls_strerror(rc));
		goto out;
	}
	rc = gnutls_privkey_init(&k);
	if (rc < 0) {
		rc = err_set(err, ERR_NOMEM, "gnutls_privkey_init: %s", gnutls_strerror(rc));
		goto out;
	}
	rc = gnutls_privkey_import_x509(k, x, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
	if (rc < 0) {
		rc =
		    err_set(err, ERR_CRYPTO, "gnutls_privkey_import_x509: %s", gnutls_strerror(rc));
		goto out;
	}
	x = NULL; /* owned by k now */
	*out = k;
	k = NULL;
out:
	if (k)
		gnutls_privkey_deinit(k);
	if (x)
		gnutls_x509_privkey_deinit(x);
	return rc;
}

/* pem_key_read - read the unencrypted private key in one PEM block
 * (the len bytes at block, from "-----BEGIN " to the end of its
 * "-----END ...-----" line; PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE
 * KEY" or SEC1 "EC PRIVATE KEY") with GnuTLS
 * (gnutls_x509_privkey_import2, no password, GNUTLS_PKCS_PLAIN) and export
 * its members into *out (zeroed first; free with pem_key_free).
 * The key is not checked for consistency here (jwk_parse does that).
 * Every GnuTLS export is wiped before it is freed.
 * Returns 0, ERR_INVALID (GnuTLS cannot read the block: bad base64, DER,
 * an encrypted key, or a curve GnuTLS does not know such as secp256k1 or
 * brainpool, which GnuTLS reports as a DER error), ERR_UNSUPPORTED
 * (RSA-PSS-only, DSA, Ed448, X25519, GOST keys; curves GnuTLS knows other
 * than P-256/P-384/P-521/Ed25519), ERR_CRYPTO, ERR_NOMEM, ERR_LIMIT (len
 * over UINT_MAX).  Messages name no key material. */
static int pem_key_read(const char *block, size_t len, struct pem_key *out, struct err *err)
{
	gnutls_privkey_t k = NULL;
	unsigned bits = 0;
	int pk, rc;

	memset(out, 0, sizeof(*out));
	rc = pem_import(block, len, &k, err);
	if (rc)
		return rc;
	pk = gnutls_privkey_get_pk_algorithm(k, &bits);
	switch (pk) {
	case GNUTLS_PK_RSA:
		out->kty = JWK_KTY_RSA;
		rc = crypto_rsa_export(k, &out->rsa, err);
		break;
	case GNUTLS_PK_ECDSA:
		out->kty = JWK_KTY_EC;
		rc = pem_export_ecc(k, out, err);
		break;
	case GNUTLS_PK_EDDSA_ED25519:
		out->kty = JWK_KTY_OKP;
		rc = pem_export_ecc(k, out, err);
		break;
	case GNUTLS_PK_RSA_PSS:
		rc = err_set(err, ERR_UNSUPPORTED,
			     "an RSA-PSS-only key (RFC 4055 id-RSASSA-PSS) is not supported: "
			     "use a plain RSA key (rsaEncryption)");
		break;
	default: {
		const char *name = pk > 0 ? gnutls_pk_get_name((gnutls_pk_algorithm_t)pk) : NULL;

		rc = err_set(err, ERR_UNSUPPORTED,
			     "key type %s is not supported (RSA, EC P-256/P-384/P-521, Ed25519)",
			     name ? name : "unknown");
		break;
	}
	}
	gnutls_privkey_deinit(k);
	if (rc)
		pem_key_free(out);
	return rc;
}

/* --------------------------------------------------------- the PEM text */

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "-----END "
#define PEM_DASHES "-----"
/* RFC 7468 labels in use are short; a longer one is not a PEM line. */
#define PEM_LABEL_MAX 64

static int pem_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int pem_detect(const char *doc, size_t len)
{
	size_t i = 0;

	while (i < len && pem_space(doc[i]))
		i++;
	/* A JWK Set starts with '{'; anything else holding a BEGIN line is
	 * PEM, with the explanatory text certtool and openssl put before it. */
	return i < len && doc[i] != '{' &&
	       memmem(doc + i, len - i, PEM_BEGIN, sizeof(PEM_BEGIN) - 1) != NULL;
}

/* The first occurrence of the n bytes at needle in s[from, len), or len. */
static size_t find_bytes(const char *s, size_t len, size_t from, const char *needle, size_t n)
{
	for (size_t i = from; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return i;
	return len;
}

/* One PEM block (RFC 7468 section 2), pointing into the document. */
struct pem_block {
	const char *text;  /* "-----BEGIN " */
	size_t len;	   /* through the closing "-----" of the END line */
	const char *label; /* e.g. "PRIVATE KEY", not NUL-terminated */
	size_t label_len;
};

/* Is the BEGIN marker at i at the start of a line (spaces and tabs may
 * come before it)? */
static int at_line_start(const char *s, size_t i)
{
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
		i--;
	return i == 0 || s[i - 1] == '\n' || s[i - 1] == '\r';
}

/* Find the next block from *pos.  Returns 1 (found, *pos after it), 0
 * (none left) or ERR_INVALID (a BEGIN line without its label's END). */
static int pem_next(const char *s, size_t len, size_t *pos, struct pem_block *b, struct err *err)
{
	const size_t nb = sizeof(PEM_BEGIN) - 1, nd = sizeof(PEM_DASHES) - 1;
	char end[sizeof(PEM_END) + PEM_LABEL_MAX + sizeof(PEM_DASHES)];
	char shown[PEM_LABEL_MAX + 8];
	size_t i = *pos, lab, close, e, n;

	for (;; i++) {
		i = find_bytes(s, len, i, PEM_BEGIN, nb);
		if (i == len)
			return 0;
		if (at_line_start(s, i))
			break;
	}
	lab = i + nb;
	close = find_bytes(s, len, lab, PEM_DASHES, nd);
	for (size_t k = lab; k < close; k++) {
		if (s[k] == '\n' || s[k] == '\r') {
			close = len;
			break;
		}
	}
	if (close == len || close - lab > PEM_LABEL_MAX)
		return err_set(err, ERR_INVALID,
			       "PEM: a \"-----BEGIN \" line has no label closed by \"-----\" "
			       "(RFC 7468 section 2)");
	for (size_t k = lab; k < close; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c < 0x20 || c > 0x7e)
			return err_set(err, ERR_INVALID,
				       "PEM: a \"-----BEGIN \" line has a label with a byte "
				       "outside printable ASCII (RFC 7468 section 2)");
	}
	n = (size_t)snprintf(end, sizeof(end), "%s%.*s%s", PEM_END, (int)(close - lab), s + lab,
			     PEM_DASHES);
	e = find_bytes(s, len, close + nd, end, n);
	if (e == len) {
		jwk_printable(shown, sizeof(shown), s + lab, close - lab);
		return err_set(err, ERR_INVALID,
			       "PEM: the \"%s\" block has no \"-----END %s-----\" line (file cut "
			       "short?)",
			       shown, shown);
	}
	b->text = s + i;
	b->len = e + n - i;
	b->label = s + lab;
	b->label_len = close - lab;
	*pos = e + n;
	return 1;
}

static int label_is(const struct pem_block *b, const char *label)
{
	return b->label_len == strlen(label) && memcmp(b->label, label, b->label_len) == 0;
}

static int label_ends_with(const struct pem_block *b, const char *tail)
{
	size_t n = strlen(tail);

	return b->label_len >= n && memcmp(b->label + b->label_len - n, tail, n) == 0;
}

/* The first block whose label ends with "PRIVATE KEY", checked to be one
 * we can read. */
/* No other private key after pos: which of several keys is meant cannot
 * be guessed, and the first one is never taken in silence (certificates
 * and parameters beside the key are fine). */
static int pem_only_key(const char *pem, size_t len, size_t pos, struct err *err)
{
	struct pem_block b = {NULL, 0, NULL, 0};
	int rc;

	while ((rc = pem_next(pem, len, &pos, &b, err)) == 1) {
		if (label_ends_with(&b, "PRIVATE KEY"))
			return err_set(err, ERR_INVALID,
				       "PEM: the file holds more than one private key; keep one "
				       "key per file (jwtsign does not choose one)");
	}
	return rc;
}

static int pem_find_key(const char *pem, size_t len, struct pem_block *key, struct err *err)
{
	struct pem_block b = {NULL, 0, NULL, 0}, first = {NULL, 0, NULL, 0};
	char shown[PEM_LABEL_MAX + 8];
	size_t pos = 0;
	int rc;

	while ((rc = pem_next(pem, len, &pos, &b, err)) == 1) {
		if (label_ends_with(&b, "PRIVATE KEY"))
			break;
		if (first.text == NULL)
			first = b;
	}
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (first.text == NULL)
			return err_set(err, ERR_INVALID,
				       "PEM: no \"-----BEGIN ...-----\" line found");
		jwk_printable(shown, sizeof(shown), first.label, first.label_len);
		return err_set(err, ERR_KEY,
			       "PEM: a private key is needed, but the file holds no \"... "
			       "PRIVATE KEY\" block (first block: \"%s\")",
			       shown);
	}
	if ((rc = pem_only_key(pem, len, pos, err)) != 0)
		return rc;
	jwk_printable(shown, sizeof(shown), b.label, b.label_len);
	if (label_is(&b, "ENCRYPTED PRIVATE KEY"))
		return err_set(err, ERR_UNSUPPORTED,
			       "PEM: the private key is encrypted (\"ENCRYPTED PRIVATE KEY\", "
			       "PKCS#8); jwtsign reads unencrypted keys only: decrypt it (e.g. "
			       "openssl pkcs8 -in KEY -out PLAIN) and protect the file with its "
			       "permissions");
	if (label_is(&b, "OPENSSH PRIVATE KEY"))
		return err_set(err, ERR_UNSUPPORTED,
			       "PEM: an OpenSSH private key is not supported: convert it to "
			       "PKCS#8 (ssh-keygen -p -m PKCS8 -f KEY)");
	if (!label_is(&b, "PRIVATE KEY") && !label_is(&b, "RSA PRIVATE KEY") &&
	    !label_is(&b, "EC PRIVATE KEY"))
		return err_set(err, ERR_UNSUPPORTED,
			       "PEM: a \"%s\" block is not supported (\"PRIVATE KEY\" (PKCS#8), "
			       "\"RSA PRIVATE KEY\" (PKCS#1), \"EC PRIVATE KEY\" (SEC1))",
			       shown);
	/* RFC 1421 headers of OpenSSL's legacy encryption. */
	if (find_bytes(b.text, b.len, 0, "Proc-Type:", 10) != b.len)
		return err_set(err, ERR_UNSUPPORTED,
			       "PEM: the \"%s\" is encrypted (Proc-Type header); jwtsign reads "
			       "unencrypted keys only: decrypt it (e.g. openssl pkey -in KEY "
			       "-out PLAIN) and protect the file with its permissions",
			       shown);
	*key = b;
	return 0;
}

/* Append the members of k (RFC 7518 section 6, RFC 8037 section 2). */
static int put_pem_members(struct buf *b, const struct pem_key *k)
{
	const struct crypto_rsa *r = &k->rsa;
	int rc;

	if (k->kty == JWK_KTY_RSA) {
		if ((rc = jwk_put_b64(b, "n", &r->n)) || (rc = jwk_put_b64(b, "e", &r->e)) ||
		    (rc = jwk_put_b64(b, "d", &r->d)) || (rc = jwk_put_b64(b, "p", &r->p)) ||
		    (rc = jwk_put_b64(b, "q", &r->q)) || (rc = jwk_put_b64(b, "dp", &r->dp)) ||
		    (rc = jwk_put_b64(b, "dq", &r->dq)) || (rc = jwk_put_b64(b, "qi", &r->qi)))
			return rc;
		return 0;
	}
	rc = buf_printf(b, ",\"crv\":\"%s\"", alg_crv_name(k->crv));
	if (rc == 0)
		rc = jwk_put_b64(b, "x", &k->x);
	if (rc == 0 && k->kty == JWK_KTY_EC)
		rc = jwk_put_b64(b, "y", &k->y);
	if (rc == 0)
		rc = jwk_put_b64(b, "d", &k->d);
	return rc;
}

/* Bytes of the base64url member values of k. */
static size_t pem_members_size(const struct pem_key *k)
{
	const struct crypto_bytes *m[] = {&k->rsa.n, &k->rsa.e,	 &k->rsa.d,  &k->rsa.p,
					  &k->rsa.q, &k->rsa.dp, &k->rsa.dq, &k->rsa.qi,
					  &k->x,     &k->y,	 &k->d};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		n += b64url_encoded_len(m[i]->len) + 8;
	return n;
}

int pem_to_jwk_set(const char *pem, size_t len, const char *kid, const char *alg_or_null,
		   struct buf *out, struct err *err)
{
	struct pem_key k;
	struct pem_block block = {NULL, 0, NULL, 0};
	struct buf b = BUF_INIT_SECRET;
	enum jws_alg alg = JWS_ALG_INVALID;
	char shown[PEM_LABEL_MAX + 8];
	int rc;

	memset(&k, 0, sizeof(k));
	if (sodium_init() < 0)
		return err_set(err, ERR_CRYPTO, "libsodium cannot be initialised");
	if (kid == NULL || *kid == '\0')
		return err_set(err, ERR_INVALID,
			       "PEM: a kid is needed to turn a PEM private key into a JWK");
	if (alg_or_null && alg_from_name(alg_or_null, &alg) != 0)
		return err_set(err, ERR_UNSUPPORTED, "PEM: alg \"%.20s\" is not supported",
			       alg_or_null);
	if (pem == NULL)
		len = 0;
	rc = pem_find_key(pem, len, &block, err);
	if (rc)
		return rc;
	rc = pem_key_read(block.text, block.len, &k, err);
	if (rc) {
		jwk_printable(shown, sizeof(shown), block.label, block.label_len);
		err_prefix(err, "PEM: the \"%s\" block", shown);
		goto out;
	}
	/* Reserved once, so that no realloc leaves key material behind. */
	rc = buf_reserve(&b, pem_members_size(&k) + 6 * strlen(kid) + 256);
	if (rc == 0)
		rc = jwk_put_head(&b, k.kty, kid, alg);
	if (rc == 0)
		rc = put_pem_members(&b, &k);
	if (rc == 0)
		rc = buf_puts(&b, "}]}");
	if (rc == 0)
		rc = buf_reserve(out, b.len);
	if (rc) {
		err_set(err, rc, "PEM: cannot write the JWK Set: %s", err_strerror(rc));
		goto out;
	}
	rc = jwk_set_check_first(b.data, b.len, alg, err);
	if (rc) {
		err_prefix(err, "PEM");
		goto out;
	}
	rc = buf_append(out, b.data, b.len);
out:
	pem_key_free(&k);
	buf_wipe_free(&b);
	return rc;
}
