/* tls.c - the TLS policy: cipher suites, priority strings and pins; see
 * tls.h. */
#include "tls.h"
#include "buf.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ config table */

/* The suites "cipher_suites" may name. */
static const struct {
	uint16_t id;
	const char *name;
	bool insecure; /* in Go's tls.InsecureCipherSuites(): logged as a warning */
} cipher_suites[] = {
    /* TLS 1.3 */
    {0x1301, "TLS_AES_128_GCM_SHA256", false},
    {0x1302, "TLS_AES_256_GCM_SHA384", false},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", false},
    /* RSA key exchange */
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA", true},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", true},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", false},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", false},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", true},
    {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", false},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", false},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", false},
    /* DHE-RSA (not in Go; GnuTLS knows them) */
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", false},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", false},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", false},
    {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", false},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", false},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", false},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false},
    /* ECDHE */
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", true},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", false},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", false},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", true},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", true},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", false},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", true},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", false},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", true},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", false},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", false},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", false},
};

const char *tls_cipher_suite_name(uint16_t id)
{
	for (size_t i = 0; i < sizeof(cipher_suites) / sizeof(cipher_suites[0]); i++) {
		if (cipher_suites[i].id == id)
			return cipher_suites[i].name;
	}
	return NULL;
}

bool tls_cipher_suite_insecure(uint16_t id)
{
	for (size_t i = 0; i < sizeof(cipher_suites) / sizeof(cipher_suites[0]); i++) {
		if (cipher_suites[i].id == id)
			return cipher_suites[i].insecure;
	}
	return false;
}

/* ------------------------------------------------------------ GnuTLS suites */

/* The TLS 1.2 suites of the default policy (KrakenD's default list):
 * ECDHE with AES-GCM or ChaCha20-Poly1305.  Any TLS 1.3 suite is allowed
 * by default too. */
static const uint16_t default_suites[] = {
    0xc02b, /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    0xc02f, /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    0xc02c, /* TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
    0xc030, /* TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
    0xcca8, /* TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
    0xcca9, /* TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
};
#define NDEFAULT_SUITES (sizeof(default_suites) / sizeof(default_suites[0]))

/* One entry of GnuTLS's cipher-suite table. */
struct suite_info {
	uint16_t id;
	const char *name;	  /* GnuTLS's name, e.g. TLS_ECDHE_RSA_AES_128_GCM_SHA256 */
	gnutls_kx_algorithm_t kx; /* GNUTLS_KX_UNKNOWN for TLS 1.3 suites */
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t mac;
	gnutls_protocol_t min_version;
};

static int suite_lookup(uint16_t id, struct suite_info *out)
{
	unsigned char cs[2];

	for (size_t i = 0;; i++) {
		const char *name = gnutls_cipher_suite_info(i, cs, &out->kx, &out->cipher,
							    &out->mac, &out->min_version);

		if (name == NULL)
			return ERR_NOTFOUND;
		if ((uint16_t)(cs[0] << 8 | cs[1]) == id) {
			out->id = id;
			out->name = name;
			return 0;
		}
	}
}

static bool is_tls13_suite(const struct suite_info *s)
{
	return s->min_version == GNUTLS_TLS1_3;
}

bool tls_suite_allowed(const uint16_t *suites, size_t n, uint16_t id)
{
	if (n == 0) {
		struct suite_info si;

		if (suite_lookup(id, &si) == 0 && is_tls13_suite(&si))
			return true;
		suites = default_suites;
		n = NDEFAULT_SUITES;
	}
	for (size_t i = 0; i < n; i++) {
		if (suites[i] == id)
			return true;
	}
	return false;
}

/* Which TLS versions the list needs: bit 0 = TLS 1.2, bit 1 = TLS 1.3. */
int tls_suite_versions(const uint16_t *suites, size_t n)
{
	int v = 0;

	if (n == 0)
		return 3;
	for (size_t i = 0; i < n; i++) {
		struct suite_info si;

		if (suite_lookup(suites[i], &si) == 0)
			v |= is_tls13_suite(&si) ? 2 : 1;
	}
	return v;
}

/* Append "+NAME" to the priority string p unless it is already there. */
static int add_token(struct buf *p, const char *name)
{
	char tok[64];

	if (name == NULL)
		return 0;
	snprintf(tok, sizeof(tok), ":+%s", name);
	if (p->data && strstr(p->data, tok) != NULL)
		return 0;
	return buf_puts(p, tok);
}

/* The three parts of suites[] (kx, cipher, mac) appended to p: one
 * "-X-ALL:+A:+B" group per part. */
static int add_parts(struct buf *p, const uint16_t *suites, size_t n, struct err *err)
{
	struct suite_info si;
	int rc = 0;

	for (int part = 0; part < 3 && rc == 0; part++) {
		rc = buf_puts(p, part == 0 ? ":-KX-ALL" : part == 1 ? ":-CIPHER-ALL" : ":-MAC-ALL");
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (suite_lookup(suites[i], &si) != 0)
				return err_set(
				    err, ERR_UNSUPPORTED,
				    "cipher_suites: %u (0x%04x) is not a cipher suite GnuTLS "
				    "knows",
				    suites[i], suites[i]);
			if (part == 0 && si.kx != GNUTLS_KX_UNKNOWN)
				rc = add_token(p, gnutls_kx_get_name(si.kx));
			else if (part == 1)
				rc = add_token(p, gnutls_cipher_get_name(si.cipher));
			else if (part == 2)
				rc = add_token(p, gnutls_mac_get_name(si.mac));
		}
	}
	return rc ? err_set(err, rc, "cipher_suites: out of memory") : 0;
}

int tls_priority(const uint16_t *suites, size_t n, char *out, size_t size, struct err *err)
{
	struct buf p = BUF_INIT;
	int versions, rc;

	if (n == 0) {
		/* The TLS 1.2 default set; TLS 1.3 suites use the same ciphers. */
		suites = default_suites;
		n = NDEFAULT_SUITES;
		versions = 3;
	} else {
		versions = tls_suite_versions(suites, n);
	}
	rc = buf_puts(&p, "NORMAL:-VERS-ALL");
	if (rc == 0 && (versions & 2))
		rc = buf_puts(&p, ":+VERS-TLS1.3");
	if (rc == 0 && (versions & 1))
		rc = buf_puts(&p, ":+VERS-TLS1.2");
	if (rc != 0) {
		buf_free(&p);
		return err_set(err, rc, "cipher_suites: out of memory");
	}
	rc = add_parts(&p, suites, n, err);
	if (rc == 0 && p.len + 1 > size)
		rc = err_set(err, ERR_LIMIT, "cipher_suites: priority string longer than %zu bytes",
			     size);
	if (rc == 0)
		memcpy(out, p.data, p.len + 1);
	buf_free(&p);
	return rc;
}

/* ------------------------------------------------------------ pins */

int tls_pin_decode(const char *b64, unsigned char out[TLS_PIN_SIZE])
{
	static const int variants[] = {
	    sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
	    sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING};
	size_t len = strlen(b64);

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		size_t bin_len = 0;
		const char *end = NULL;

		if (sodium_base642bin(out, TLS_PIN_SIZE, b64, len, NULL, &bin_len, &end,
				      variants[i]) == 0 &&
		    end == b64 + len && bin_len == TLS_PIN_SIZE)
			return 0;
	}
	return ERR_INVALID;
}

int tls_spki_sha256(const unsigned char *der, size_t len, unsigned char out[TLS_PIN_SIZE],
		    struct err *err)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t in = {(unsigned char *)der, (unsigned int)len};
	gnutls_datum_t spki = {NULL, 0};
	int rc = 0;

	if (len > 0xffffffffu)
		return err_set(err, ERR_INVALID, "certificate too large");
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_pubkey_init(&pub) < 0) {
		rc = err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_pubkey_import_x509(pub, crt, 0) < 0) {
		rc = err_set(err, ERR_INVALID, "not a DER X.509 certificate with a public key");
		goto out;
	}
	if (gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki) < 0 ||
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, out) < 0)
		rc = err_set(err, ERR_CRYPTO, "cannot hash the certificate's public key");
out:
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/* The negotiated suite's IANA number, from GnuTLS's table. */
int tls_session_suite(gnutls_session_t s, uint16_t *id)
{
	gnutls_protocol_t ver = gnutls_protocol_get_version(s);
	gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
	gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s);
	gnutls_mac_algorithm_t mac = gnutls_mac_get(s);
	unsigned char cs[2];
	gnutls_kx_algorithm_t tkx;
	gnutls_cipher_algorithm_t tcipher;
	gnutls_mac_algorithm_t tmac;
	gnutls_protocol_t tver;

	for (size_t i = 0; gnutls_cipher_suite_info(i, cs, &tkx, &tcipher, &tmac, &tver); i++) {
		bool v13 = tver == GNUTLS_TLS1_3;

		if (tcipher != cipher || tmac != mac || v13 != (ver == GNUTLS_TLS1_3))
			continue;
		if (v13 || tkx == kx) {
			*id = (uint16_t)(cs[0] << 8 | cs[1]);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

/* Whether issuer, a CA certificate, signed cert (times are not checked:
 * the TLS verification did that for the path it accepted). */
static bool signed_by(gnutls_x509_crt_t cert, gnutls_x509_crt_t issuer)
{
	unsigned int status = 0;

	return gnutls_x509_crt_check_issuer(cert, issuer) == 1 &&
	       gnutls_x509_crt_verify(cert, &issuer, 1,
				      GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
					  GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
				      &status) == GNUTLS_E_SUCCESS &&
	       status == 0;
}

/* The unused certificate of crt (m entries, NULL for unparsable ones)
 * that issued crt[cur], or m. */
static size_t find_issuer(gnutls_x509_crt_t *crt, const bool *used, size_t m, size_t cur)
{
	for (size_t j = 0; j < m; j++) {
		if (!used[j] && crt[j] && signed_by(crt[cur], crt[j]))
			return j;
	}
	return m;
}

size_t tls_chain_path(const gnutls_datum_t *chain, size_t n, size_t *idx, size_t max)
{
	gnutls_x509_crt_t crt[TLS_MAX_CHAIN] = {NULL};
	bool used[TLS_MAX_CHAIN] = {false};
	size_t m = n < TLS_MAX_CHAIN ? n : TLS_MAX_CHAIN, count = 0, cur = 0, next;

	for (size_t i = 0; i < m; i++) {
		if (gnutls_x509_crt_init(&crt[i]) < 0)
			goto out;
		if (gnutls_x509_crt_import(crt[i], &chain[i], GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crt[i]);
			crt[i] = NULL;
		}
	}
	if (m == 0 || max == 0 || crt[0] == NULL)
		goto out;
	idx[count++] = 0;
	used[0] = true;
	while (count < max && gnutls_x509_crt_check_issuer(crt[cur], crt[cur]) != 1 &&
	       (next = find_issuer(crt, used, m, cur)) < m) {
		idx[count++] = next;
		used[next] = true;
		cur = next;
	}
out:
	for (size_t i = 0; i < m; i++)
		if (crt[i])
			gnutls_x509_crt_deinit(crt[i]);
	return count;
}
