/* jwk_pkcs11.c - a struct jwk whose private key stays on a PKCS#11 token;
 * see jwk_pkcs11.h.  GnuTLS does the PKCS#11 work (p11-kit finds the
 * modules); this file splits the PIN attributes off the URI, answers the
 * token's PIN requests, checks the key against the alg and exports its
 * public part as a JWK. */
#include "jwk_pkcs11.h"
#include "jwk_int.h"
#include "clock.h"
#include "fileio.h"

#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Longest redacted URI kept for messages. */
#define P11_SHOWN 200

/* The PIN sources of one key; the callback data of its GnuTLS key. */
struct jwk_pkcs11_pin {
	char *file;	       /* malloc'd path of the PIN file, or NULL */
	struct buf value;      /* the URI's pin-value (secret buf), or empty */
	bool has_value;	       /* the URI had a pin-value */
	bool missing;	       /* the token asked and there was no PIN */
	bool wrong;	       /* the token refused the PIN */
	int file_errno;	       /* the PIN file could not be read: errno, or 0 */
	char file_problem[96]; /* the PIN file was refused: why, or "" */
	char shown[P11_SHOWN]; /* the URI, redacted */
};

/* Process state: token keys in existence, and whether an open could not
 * find its token or object (jwk_pkcs11_reset_wanted). */
static size_t p11_keys;
static bool p11_reset_wanted;
/* Monotonic time of the last initialisation again (ms, 0: none), and how
 * many came in a row without a key opened since. */
static long long p11_reset_ms;
static unsigned p11_resets_in_a_row;

/* The least time between two initialisations again, ms: while a token
 * stays away, every key of the process is closed and opened again at
 * this pace at most. */
#define P11_RESET_MIN_MS 5000

void jwk_pkcs11_pin_free(struct jwk_pkcs11_pin *p)
{
	if (p == NULL)
		return;
	p11_keys--;
	free(p->file);
	buf_wipe_free(&p->value);
	sodium_memzero(p, sizeof(*p));
	free(p);
}

/* ------------------------------------------------------------ the URI */

static bool has_scheme(const char *uri)
{
	return strncasecmp(uri, "pkcs11:", 7) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append the n bytes at s, percent-decoded (RFC 3986 section 2.1), to out. */
static int pct_decode(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int rc;

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return ERR_INVALID;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return ERR_INVALID;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0')
			return ERR_INVALID;
		if ((rc = buf_putc(out, c)) != 0)
			return rc;
	}
	return 0;
}

/* One attribute name=value of the URI at s (n bytes) is name. */
static bool attr_is(const char *s, size_t n, const char *name)
{
	size_t k = strlen(name);

	/* In any case: a "PIN-VALUE" must be taken out and redacted too. */
	return n > k && strncasecmp(s, name, k) == 0 && s[k] == '=';
}

/* What the URI holds beside the key's attributes. */
struct uri_split {
	struct buf clean;  /* the URI without pin-value and pin-source */
	struct buf value;  /* pin-value, decoded (secret) */
	struct buf source; /* pin-source, decoded */
	int nvalue, nsource;
};

static void uri_split_free(struct uri_split *u)
{
	buf_free(&u->clean);
	buf_wipe_free(&u->value);
	buf_free(&u->source);
}

/* Keep one attribute of the URI in the clean copy, or take it out. */
static int split_attr(struct uri_split *u, const char *s, size_t n, bool query, bool *first_q,
		      bool *first_p)
{
	int rc;

	if (attr_is(s, n, "pin-value")) {
		u->nvalue++;
		buf_reset(&u->value);
		return pct_decode(s + 10, n - 10, &u->value);
	}
	if (attr_is(s, n, "pin-source")) {
		u->nsource++;
		buf_reset(&u->source);
		return pct_decode(s + 11, n - 11, &u->source);
	}
	if (n == 0)
		return 0;
	if (query)
		rc = buf_putc(&u->clean, *first_q ? '?' : '&');
	else
		rc = *first_p ? 0 : buf_putc(&u->clean, ';');
	if (query)
		*first_q = false;
	else
		*first_p = false;
	return rc ? rc : buf_append(&u->clean, s, n);
}

/* Split uri: path attributes are separated by ';', query attributes
 * (after '?') by '&' (RFC 7512 section 2.3). */
static int uri_split(const char *uri, struct uri_split *u)
{
	const char *s = uri + 7;
	bool query = false, first_q = true, first_p = true;
	int rc;

	memset(u, 0, sizeof(*u));
	buf_init(&u->clean, 0);
	buf_init_secret(&u->value, JWK_PKCS11_PIN_MAX);
	buf_init(&u->source, 0);
	if (!has_scheme(uri))
		return ERR_INVALID;
	if ((rc = buf_puts(&u->clean, "pkcs11:")) != 0)
		return rc;
	for (;;) {
		size_t n = strcspn(s, query ? "&" : ";?");

		if ((rc = split_attr(u, s, n, query, &first_q, &first_p)) != 0)
			return rc;
		s += n;
		if (*s == '\0')
			break;
		if (*s == '?')
			query = true;
		s++;
	}
	return buf_putc(&u->clean, '\0');
}

int jwk_pkcs11_uri_check(const char *uri, bool *has_pin_value, bool *has_pin, struct err *err)
{
	struct uri_split u;
	int rc = uri_split(uri, &u);

	if (rc == ERR_INVALID && !has_scheme(uri))
		rc = err_set(err, ERR_INVALID,
			     "expected a PKCS#11 URI \"pkcs11:token=...;object=...\"");
	else if (rc == ERR_INVALID || rc == ERR_LIMIT)
		rc = err_set(err, ERR_INVALID,
			     "a pin-value or pin-source attribute is malformed (a bad %% escape, a "
			     "NUL, or more than %d bytes)",
			     JWK_PKCS11_PIN_MAX);
	else if (rc)
		rc = err_set(err, rc, "out of memory");
	else if (u.nvalue + u.nsource > 1)
		rc = err_set(err, ERR_INVALID,
			     "names the PIN more than once (pin-value, pin-source): "
			     "keep one");
	else if (u.nsource && (u.source.len == 0 || u.source.data[0] != '/'))
		rc = err_set(err, ERR_INVALID,
			     "pin-source must be an absolute file path (\"pin-source=/etc/...\")");
	if (rc == 0 && has_pin_value)
		*has_pin_value = u.nvalue > 0;
	if (rc == 0 && has_pin)
		*has_pin = u.nvalue + u.nsource > 0;
	uri_split_free(&u);
	return rc;
}

void jwk_pkcs11_uri_redact(const char *uri, char *out, size_t size)
{
	size_t o = 0;
	bool start = true;

	if (size == 0)
		return;
	for (const char *s = uri; *s && o + 1 < size;) {
		if (start && s - uri >= 7 && attr_is(s, strcspn(s, ";&?"), "pin-value")) {
			const char *r = "pin-value=REDACTED";

			for (; *r && o + 1 < size; r++)
				out[o++] = *r;
			s += strcspn(s, ";&?");
			start = false;
			continue;
		}
		start = (*s == ';' || *s == '&' || *s == '?' || (s - uri == 6 && *s == ':'));
		out[o++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
		s++;
	}
	out[o] = '\0';
}

/* ------------------------------------------------------------ the PIN */

/* Read the PIN file into b (secret); a trailing "\n" or "\r\n" is not
 * part of the PIN. */
static int read_pin_file(struct jwk_pkcs11_pin *p, struct buf *b)
{
	struct stat st;
	int rc;

	/* Refused before the token sees it: a PIN every local user can read,
	 * or none (an empty PIN would use up one of the token's tries). */
	if (stat(p->file, &st) == 0 && (st.st_mode & (S_IROTH | S_IWOTH))) {
		snprintf(p->file_problem, sizeof(p->file_problem),
			 "is readable or writable by every user (mode %04o): chmod o-rw",
			 (unsigned)(st.st_mode & 07777));
		return ERR_KEY;
	}
	if ((rc = fileio_read_file(p->file, b, NULL)) != 0) {
		p->file_errno = rc == ERR_IO ? errno : EFBIG;
		return rc;
	}
	while (b->len > 0 && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		buf_truncate(b, b->len - 1);
	if (b->len == 0) {
		snprintf(p->file_problem, sizeof(p->file_problem), "is empty");
		return ERR_KEY;
	}
	return 0;
}

/* GnuTLS's PIN callback (gnutls_pin_callback_t): copy the PIN into pin
 * (pin_max bytes, NUL-terminated).  Never called again for the same
 * PIN after GNUTLS_PIN_WRONG: a token locks after a few wrong PINs. */
static int pin_cb(void *userdata, int attempt, const char *token_url, const char *token_label,
		  unsigned int flags, char *pin, size_t pin_max)
{
	struct jwk_pkcs11_pin *p = userdata;
	struct buf b;
	const struct buf *src = &p->value;
	int rc = 0;

	(void)attempt;
	(void)token_url;
	(void)token_label;
	if (flags & GNUTLS_PIN_WRONG) {
		p->wrong = true;
		return GNUTLS_E_PKCS11_PIN_ERROR;
	}
	buf_init_secret(&b, JWK_PKCS11_PIN_MAX);
	if (!p->has_value) {
		if (p->file == NULL) {
			p->missing = true;
			return GNUTLS_E_PKCS11_PIN_ERROR;
		}
		if (read_pin_file(p, &b) != 0) {
			buf_wipe_free(&b);
			return GNUTLS_E_PKCS11_PIN_ERROR;
		}
		src = &b;
	}
	if (src->len + 1 > pin_max || memchr(src->data ? src->data : "", 0, src->len)) {
		rc = GNUTLS_E_PKCS11_PIN_ERROR;
	} else {
		if (src->len)
			memcpy(pin, src->data, src->len);
		pin[src->len] = '\0';
	}
	buf_wipe_free(&b);
	return rc;
}

/* The PIN sources of o: the URI's, else the pin file. */
static int pin_new(const struct jwk_pkcs11_opts *o, struct uri_split *u,
		   struct jwk_pkcs11_pin **out)
{
	struct jwk_pkcs11_pin *p = calloc(1, sizeof(*p));
	const char *file = u->nsource ? u->source.data : o->pin_file;

	*out = NULL;
	if (p == NULL)
		return ERR_NOMEM;
	p11_keys++;
	buf_init_secret(&p->value, JWK_PKCS11_PIN_MAX);
	jwk_pkcs11_uri_redact(o->uri, p->shown, sizeof(p->shown));
	if (u->nvalue) {
		p->has_value = true;
		p->value = u->value; /* taken */
		buf_init_secret(&u->value, JWK_PKCS11_PIN_MAX);
	} else if (file && (p->file = strdup(file)) == NULL) {
		jwk_pkcs11_pin_free(p);
		return ERR_NOMEM;
	}
	*out = p;
	return 0;
}

/* ------------------------------------------------------------ the key */

/* The message of a failed gnutls_privkey_import_url. */
static int import_failed(const struct jwk_pkcs11_pin *p, int grc, struct err *err)
{
	if (p->wrong)
		return err_set(err, ERR_KEY, "%s: the token refused the PIN (wrong PIN)", p->shown);
	if (p->file_errno)
		return err_set(err, ERR_IO, "%s: cannot read the PIN file %s: %s", p->shown,
			       p->file, strerror(p->file_errno));
	if (p->file_problem[0])
		return err_set(err, ERR_KEY, "%s: the PIN file %s %s", p->shown, p->file,
			       p->file_problem);
	if (p->missing)
		return err_set(err, ERR_KEY,
			       "%s: the token asks for a PIN: set pin-source in the URI or "
			       "\"pin_file\"",
			       p->shown);
	/* A token or object not found may be one the modules lost track of
	 * (it came back, or several processes opened it at once, which
	 * SoftHSM fails now and then): initialising again finds it. */
	if (grc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		p11_reset_wanted = true;
		return err_set(err, ERR_NOTFOUND,
			       "%s: no such private key on the PKCS#11 tokens p11-kit knows (check "
			       "token= and object=; `p11tool --list-all-privkeys --login`)",
			       p->shown);
	}
	if (grc == GNUTLS_E_PKCS11_REQUESTED_OBJECT_NOT_AVAILBLE ||
	    grc == GNUTLS_E_PKCS11_TOKEN_ERROR || grc == GNUTLS_E_PKCS11_DEVICE_ERROR) {
		p11_reset_wanted = true;
		return err_set(err, ERR_NOTFOUND, "%s: the token or its key is not available: %s",
			       p->shown, gnutls_strerror(grc));
	}
	if (grc == GNUTLS_E_PKCS11_PIN_ERROR)
		return err_set(err, ERR_KEY, "%s: PIN error: %s", p->shown, gnutls_strerror(grc));
	if (grc == GNUTLS_E_PARSING_ERROR || grc == GNUTLS_E_INVALID_REQUEST)
		return err_set(err, ERR_INVALID, "%s: not a usable PKCS#11 URI: %s", p->shown,
			       gnutls_strerror(grc));
	return err_set(err, ERR_CRYPTO, "%s: cannot open the key: %s", p->shown,
		       gnutls_strerror(grc));
}

/* The public key's curve and, for Ed25519, its 32 bytes. */
static int read_curve(struct jwk *key)
{
	gnutls_datum_t x = {NULL, 0}, y = {NULL, 0};
	gnutls_ecc_curve_t c;

	if (gnutls_pubkey_export_ecc_raw2(key->ck.pub, &c, &x, &y, 0) < 0)
		return ERR_CRYPTO;
	key->crv = crypto_crv_from_gnutls(c);
	if (key->crv == JWK_CRV_ED25519 && x.size == CRYPTO_ED25519_PUB) {
		memcpy(key->ck.ed25519_pub, x.data, CRYPTO_ED25519_PUB);
		key->ck.has_ed25519_pub = 1;
	}
	gnutls_free(x.data);
	gnutls_free(y.data);
	return 0;
}

/* Key type, size and curve from the token's key; the public key when
 * GnuTLS can read it. */
static int describe(struct jwk *key, const char *shown, struct err *err)
{
	unsigned bits = 0;
	int pk = gnutls_privkey_get_pk_algorithm(key->ck.priv, &bits);
	struct err ignored = {0};

	if (crypto_pub_from_priv(key->ck.priv, key->label, &key->ck.pub, &ignored) != 0)
		key->ck.pub = NULL;
	switch (pk) {
	case GNUTLS_PK_RSA:
	case GNUTLS_PK_RSA_PSS:
		key->kty = JWK_KTY_RSA;
		key->bits = bits;
		return 0;
	case GNUTLS_PK_ECDSA:
		key->kty = JWK_KTY_EC;
		if (key->ck.pub && read_curve(key) != 0) {
			gnutls_pubkey_deinit(key->ck.pub);
			key->ck.pub = NULL;
		}
		return 0; /* no public key: curve_by_signature */
	case GNUTLS_PK_EDDSA_ED25519:
		key->kty = JWK_KTY_OKP;
		key->crv = JWK_CRV_ED25519;
		if (key->ck.pub && read_curve(key) != 0) {
			gnutls_pubkey_deinit(key->ck.pub);
			key->ck.pub = NULL;
		}
		return 0;
	default:
		return err_set(err, ERR_KEY, "%s: a %s key cannot sign JWS", shown,
			       gnutls_pk_get_name((gnutls_pk_algorithm_t)pk)
				   ? gnutls_pk_get_name((gnutls_pk_algorithm_t)pk)
				   : "unknown");
	}
}

/* Length of the DER integer d without its leading zero bytes. */
static size_t int_len(const gnutls_datum_t *d)
{
	size_t n = d->size;
	const unsigned char *p = d->data;

	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	return n;
}

/* An EC key whose public key GnuTLS cannot read (a private key object
 * imported alone): its curve from one signature.  R and S are below the
 * group order, so longer than the field of a's curve means a larger curve;
 * both more than 3 bytes shorter means a smaller one (for the right curve
 * that has a probability of about 2^-64). */
static int curve_by_signature(struct jwk *key, const struct alg_info *a, const char *shown,
			      struct err *err)
{
	static const unsigned char msg[] = "jwtsign: PKCS#11 curve probe";
	gnutls_datum_t data = {(unsigned char *)msg, sizeof(msg) - 1}, sig = {NULL, 0};
	gnutls_datum_t r = {NULL, 0}, s = {NULL, 0};
	size_t field = alg_crv_size(a->crv), n;
	int rc = gnutls_privkey_sign_data2(key->ck.priv, crypto_gnutls_sign(a), 0, &data, &sig);

	if (rc < 0)
		return err_set(err, ERR_IO, "%s: test signature failed: %s", shown,
			       gnutls_strerror(rc));
	rc = gnutls_decode_rs_value(&sig, &r, &s);
	gnutls_free(sig.data);
	if (rc < 0)
		return err_set(err, ERR_CRYPTO, "%s: cannot decode the ECDSA signature", shown);
	n = int_len(&r) > int_len(&s) ? int_len(&r) : int_len(&s);
	gnutls_free(r.data);
	gnutls_free(s.data);
	if (n > field || n + 3 < field)
		return err_set(
		    err, ERR_KEY,
		    "%s: the token's EC key is not on %s, which %s needs (its public key "
		    "cannot be read; the curve was told by a signature)",
		    shown, alg_crv_name(a->crv), a->name);
	key->crv = a->crv;
	return 0;
}

/* The key fits alg: type, curve, RSA size. */
static int check_fits(const struct jwk *key, const struct alg_info *a, const char *shown,
		      struct err *err)
{
	if (key->kty != a->kty ||
	    ((a->kty == JWK_KTY_EC || a->kty == JWK_KTY_OKP) && key->crv != a->crv))
		return err_set(err, ERR_KEY, "%s: the token's key is %s%s%s, %s needs %s%s%s",
			       shown, alg_kty_name(key->kty), key->crv ? " " : "",
			       key->crv ? alg_crv_name(key->crv) : "", a->name,
			       alg_kty_name(a->kty), a->crv ? " " : "",
			       a->crv ? alg_crv_name(a->crv) : "");
	if (a->kty == JWK_KTY_RSA && key->bits < CRYPTO_RSA_MIN_BITS)
		return err_set(err, ERR_KEY,
			       "%s: a %u-bit RSA key is too small for %s (at least %u bits, RFC "
			       "7518 section 3.3)",
			       shown, key->bits, a->name, CRYPTO_RSA_MIN_BITS);
	return 0;
}

/* One signature on the token, verified with the public key when there is
 * one: the PIN, the key's usage flags and the public key are all right. */
static int test_signature(struct jwk *key, enum jws_alg alg, const char *shown, struct err *err)
{
	static const uint8_t msg[] = "jwtsign: PKCS#11 test signature";
	struct buf sig = BUF_INIT;
	struct err e = {0};
	int rc = crypto_jws_sign(&key->ck, alg, msg, sizeof(msg) - 1, &sig, &e);

	if (rc) {
		err_set(err, rc, "%s: test signature failed: %s", shown, e.msg);
		goto out;
	}
	if (key->ck.pub == NULL && !key->ck.has_ed25519_pub)
		goto out;
	rc = crypto_jws_verify(&key->ck, alg, msg, sizeof(msg) - 1, (const uint8_t *)sig.data,
			       sig.len, &e);
	if (rc)
		rc = err_set(err, ERR_KEY,
			     "%s: the token's public key does not verify the test signature: %s",
			     shown, e.msg);
out:
	buf_free(&sig);
	return rc;
}

/* Append ,"name":"BASE64URL" of a GnuTLS datum (freed), with its leading
 * zero bytes stripped (n) or padded to size (EC coordinates). */
static int put_datum(struct buf *b, const char *name, gnutls_datum_t *d, size_t size)
{
	struct crypto_bytes v = {NULL, 0};
	int rc;

	if (size)
		rc = crypto_take_datum_padded(&v, d, size);
	else {
		unsigned char *p = d->data;
		unsigned n = d->size;

		while (n > 1 && *p == 0) {
			p++;
			n--;
		}
		rc = crypto_bytes_set(&v, p, n);
		crypto_datum_wipe(d);
	}
	if (rc == 0)
		rc = jwk_put_b64(b, name, &v);
	crypto_bytes_free(&v);
	return rc;
}

/* The public JWK Set of key, from its GnuTLS public key. */
static int export_public(const struct jwk *key, enum jws_alg alg, struct buf *out)
{
	gnutls_datum_t m = {NULL, 0}, e = {NULL, 0}, x = {NULL, 0}, y = {NULL, 0};
	gnutls_ecc_curve_t c;
	size_t start = out->len;
	int rc = jwk_put_head(out, key->kty, key->kid, alg);

	if (rc == 0 && key->kty == JWK_KTY_RSA) {
		if (gnutls_pubkey_export_rsa_raw2(key->ck.pub, &m, &e, 0) < 0)
			rc = ERR_CRYPTO;
		else if ((rc = put_datum(out, "n", &m, 0)) == 0)
			rc = put_datum(out, "e", &e, 0);
	} else if (rc == 0) {
		if (gnutls_pubkey_export_ecc_raw2(key->ck.pub, &c, &x, &y, 0) < 0)
			rc = ERR_CRYPTO;
		else if ((rc = buf_printf(out, ",\"crv\":\"%s\"", alg_crv_name(key->crv))) == 0 &&
			 (rc = put_datum(out, "x", &x, alg_crv_size(key->crv))) == 0 &&
			 key->kty == JWK_KTY_EC)
			rc = put_datum(out, "y", &y, alg_crv_size(key->crv));
	}
	if (rc == 0)
		rc = buf_puts(out, "}]}");
	crypto_datum_wipe(&m);
	crypto_datum_wipe(&e);
	crypto_datum_wipe(&x);
	crypto_datum_wipe(&y);
	if (rc)
		buf_truncate(out, start);
	return rc;
}

/* Open the token's key into key (its pin and label set). */
static int import_key(struct jwk *key, const char *clean, struct err *err)
{
	int rc = gnutls_privkey_init(&key->ck.priv);

	if (rc < 0) {
		key->ck.priv = NULL;
		return err_set(err, ERR_NOMEM, "%s: gnutls_privkey_init: %s", key->p11->shown,
			       gnutls_strerror(rc));
	}
	gnutls_privkey_set_pin_function(key->ck.priv, pin_cb, key->p11);
	rc = gnutls_privkey_import_url(key->ck.priv, clean, 0);
	if (rc < 0)
		return import_failed(key->p11, rc, err);
	return 0;
}

static int new_key(const struct jwk_pkcs11_opts *o, struct uri_split *u, struct jwk **out,
		   struct err *err)
{
	struct jwk *key = calloc(1, sizeof(*key));

	*out = NULL;
	if (key == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	key->ck.label = key->label;
	key->ck.token = 1;
	key->is_private = 1;
	jwk_make_label(key->label, o->kid, o->kid ? strlen(o->kid) : 0);
	if ((o->kid && (key->kid = strdup(o->kid)) == NULL) || pin_new(o, u, &key->p11) != 0) {
		jwk_free(key);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	*out = key;
	return 0;
}

int jwk_pkcs11_open(const struct jwk_pkcs11_opts *o, struct jwk **out, struct buf *pub,
		    bool *has_pub, struct err *err)
{
	const struct alg_info *a = alg_info(o->alg);
	char shown[P11_SHOWN];
	struct uri_split u;
	struct jwk *key = NULL;
	int rc;

	*out = NULL;
	*has_pub = false;
	jwk_pkcs11_uri_redact(o->uri, shown, sizeof(shown));
	if (a == NULL || a->family == ALG_FAMILY_HMAC)
		return err_set(err, ERR_UNSUPPORTED,
			       "%s: %s cannot sign through PKCS#11 (RS*, PS*, ES* or EdDSA can)",
			       shown, a ? a->name : "no alg");
	if ((rc = jwk_pkcs11_uri_check(o->uri, NULL, NULL, err)) != 0) {
		err_prefix(err, "%s", shown);
		return rc;
	}
	if (sodium_init() < 0)
		return err_set(err, ERR_CRYPTO, "libsodium cannot be initialised");
	rc = uri_split(o->uri, &u);
	if (rc == 0)
		rc = new_key(o, &u, &key, err);
	else
		err_set(err, rc, "out of memory");
	if (rc == 0)
		rc = import_key(key, u.clean.data, err);
	if (rc == 0)
		rc = describe(key, shown, err);
	if (rc == 0 && key->kty == JWK_KTY_EC && key->crv == JWK_CRV_NONE && a->kty == JWK_KTY_EC)
		rc = curve_by_signature(key, a, shown, err);
	if (rc == 0)
		rc = check_fits(key, a, shown, err);
	if (rc == 0)
		rc = test_signature(key, o->alg, shown, err);
	if (rc == 0 && key->ck.pub && pub) {
		if ((rc = export_public(key, o->alg, pub)) != 0)
			err_set(err, rc, "%s: cannot write the public JWK: %s", shown,
				err_strerror(rc));
		else
			*has_pub = true;
	}
	uri_split_free(&u);
	if (rc) {
		jwk_free(key);
		return rc;
	}
	p11_resets_in_a_row = 0;
	*out = key;
	return 0;
}

/* ------------------------------------------------------------ recovery */

bool jwk_pkcs11_reset_wanted(void)
{
	return p11_reset_wanted &&
	       (p11_reset_ms == 0 || clock_monotonic_ms() - p11_reset_ms >= P11_RESET_MIN_MS);
}

unsigned jwk_pkcs11_resets_in_a_row(void)
{
	return p11_resets_in_a_row;
}

size_t jwk_pkcs11_keys(void)
{
	return p11_keys;
}

int jwk_pkcs11_reset(struct err *err)
{
	int rc;

	if (p11_keys != 0)
		return err_set(
		    err, ERR_INTERNAL,
		    "PKCS#11 cannot be initialised again while %zu token key(s) are open",
		    p11_keys);
	gnutls_pkcs11_deinit();
	rc = gnutls_pkcs11_init(GNUTLS_PKCS11_FLAG_AUTO, NULL);
	p11_reset_wanted = false;
	p11_reset_ms = clock_monotonic_ms();
	p11_resets_in_a_row++;
	if (rc < 0)
		return err_set(err, ERR_CRYPTO, "gnutls_pkcs11_init: %s", gnutls_strerror(rc));
	return 0;
}
