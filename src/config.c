/* config.c - the KrakenD-format configuration file; see config.h and
 * jwtsign.json(5).
 *
 * Parsing is strict (json-c with JSON_TOKENER_STRICT, whole input
 * consumed) and every error message names the file, the endpoint, the
 * section and the setting, e.g.
 *   /etc/jwtsign/jwtsign.json: endpoint "/token": extra_config
 *   "auth/signer": "alg": unsupported value "none"
 * JSON null counts as "absent", as it does for KrakenD (Go's
 * encoding/json leaves the field at its zero value).
 */
#include "config.h"
#include "fileio.h"
#include "log.h"
#include "router.h"
#include "signer.h"

#include <errno.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define CFG_MAX_FILE (4u * 1024 * 1024) /* bytes */
#define CFG_JSON_DEPTH 512		/* nesting accepted in the config file */
#define CFG_MAX_SECONDS 2147483647LL	/* cache_duration & co. */
#define CFG_MAX_JSON_DEPTH 10000	/* upper bound of max_json_depth */
#define CFG_SHOW 64			/* buffer for a value echoed in a message */

#define NS_SIGNER "auth/signer"
#define NS_SIGNER_OLD "github.com/devopsfaith/krakend-jose/signer"
#define NS_JWTSIGN "jwtsign"

/* Where a message points: file, endpoint, section. */
struct pctx {
	const char *name;
	char ep[160];  /* `endpoint "/token"` or `endpoints[3]`; "" at top level */
	char sect[96]; /* `extra_config "auth/signer"`, `backend[0]`, or "" */
	struct err *err;
};

static int clean_path(struct pctx *c, const char *in, char **out);
static int check_path_bytes(struct pctx *c, const char *setting, const char *p, bool query_ok);

/* ------------------------------------------------------------ messages */

/* Append formatted text to dst (size bytes) at *len, truncating. */
static void cat(char *dst, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void cat(char *dst, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(dst + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*len += (size_t)n;
	if (*len >= size)
		*len = size - 1;
}

/* Record an error "NAME[: EP][: SECT][: "SETTING"]: MESSAGE". */
static int fail(struct pctx *c, int code, const char *setting, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct pctx *c, int code, const char *setting, const char *fmt, ...)
{
	char msg[ERR_MSG_SIZE];
	char where[ERR_MSG_SIZE];
	size_t len = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cat(where, sizeof(where), &len, "%s", c->name);
	if (c->ep[0])
		cat(where, sizeof(where), &len, ": %s", c->ep);
	if (c->sect[0])
		cat(where, sizeof(where), &len, ": %s", c->sect);
	if (setting)
		cat(where, sizeof(where), &len, ": \"%s\"", setting);
	cat(where, sizeof(where), &len, ": %s", msg);
	return err_set(c->err, code, "%s", where);
}

static int nomem(struct pctx *c)
{
	return err_set(c->err, ERR_NOMEM, "%s: out of memory", c->name);
}

/* A value safe to echo: at most ~48 bytes (cut on a UTF-8 boundary, then
 * "..."), control bytes, '"' and '\\' shown as '?'. */
static const char *show(char out[CFG_SHOW], const char *s, size_t len)
{
	size_t i, j = 0, max = 48;

	for (i = 0; i < len && j < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[j++] = (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') ? '?' : (char)ch;
	}
	if (i < len) {
		while (j > 0 && ((unsigned char)out[j - 1] & 0xc0) == 0x80)
			j--; /* continuation bytes of a cut character */
		if (j > 0 && ((unsigned char)out[j - 1] & 0xc0) == 0xc0)
			j--; /* its lead byte */
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
	return out;
}

static const char *show_str(char out[CFG_SHOW], const char *s)
{
	return show(out, s, strlen(s));
}

/* "a string", "a number", ... for "expected X, got Y" messages. */
static const char *jtype(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "an unknown type";
}

/* ------------------------------------------------------------ accessors */

/* The member key of obj, or NULL when absent or JSON null. */
static json_object *member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* The value of a setting with two accepted spellings (a, b).  Both present
 * with different values is an error.  *used receives the spelling found. */
static int aliased(struct pctx *c, json_object *obj, const char *a, const char *b,
		   json_object **out, const char **used)
{
	json_object *va = member(obj, a), *vb = member(obj, b);

	if (va && vb && !json_object_equal(va, vb))
		return fail(c, ERR_INVALID, a,
			    "conflicts with \"%s\": both spellings are present with different "
			    "values (keep one)",
			    b);
	*out = va ? va : vb;
	*used = va ? a : b;
	return 0;
}

/* v must be a string without NUL bytes. */
static int want_string(struct pctx *c, json_object *v, const char *setting, const char **out)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return fail(c, ERR_INVALID, setting, "expected a string, got %s", jtype(v));
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return fail(c, ERR_INVALID, setting, "contains a NUL character");
	*out = s;
	return 0;
}

static int want_nonempty(struct pctx *c, json_object *v, const char *setting, const char **out)
{
	int rc = want_string(c, v, setting, out);

	if (rc == 0 && **out == '\0')
		return fail(c, ERR_INVALID, setting, "must not be empty");
	return rc;
}

static int dup_str(struct pctx *c, const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : nomem(c);
}

/* Optional boolean: absent leaves *out unchanged. */
static int opt_bool(struct pctx *c, json_object *obj, const char *key, bool *out)
{
	json_object *v = member(obj, key);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(c, ERR_INVALID, key, "expected true or false, got %s", jtype(v));
	*out = json_object_get_boolean(v);
	return 0;
}

/* An integer in [min, max]. */
static int want_int(struct pctx *c, json_object *v, const char *setting, long long min,
		    long long max, long long *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return fail(c, ERR_INVALID, setting, "expected an integer, got %s", jtype(v));
	x = json_object_get_int64(v);
	/* json-c keeps numbers above INT64_MAX as uint64 and clamps them here */
	if (x < min || x > max || (x == INT64_MAX && json_object_get_uint64(v) != INT64_MAX))
		return fail(c, ERR_INVALID, setting, "%s out of range (%lld to %lld)",
			    json_object_to_json_string(v), min, max);
	*out = x;
	return 0;
}

/* Optional duration string: absent leaves *ms unchanged; zero refused. */
static int opt_duration(struct pctx *c, json_object *obj, const char *key, unsigned *ms)
{
	json_object *v = member(obj, key);
	char sh[CFG_SHOW];
	const char *s;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = want_string(c, v, key, &s)) != 0)
		return rc;
	if (cfg_parse_duration(s, ms) != 0)
		return fail(c, ERR_INVALID, key,
			    "invalid duration \"%s\" (expected e.g. \"500ms\", \"2s\", \"1m30s\"; "
			    "at most 24h)",
			    show_str(sh, s));
	if (*ms == 0)
		return fail(c, ERR_INVALID, key, "must be greater than zero");
	return 0;
}

static void free_strv(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A non-empty array of non-empty strings, copied. */
static int want_strv(struct pctx *c, json_object *v, const char *setting, char ***out, size_t *nout)
{
	size_t n, i;
	char **arr;
	int rc = 0;

	if (!json_object_is_type(v, json_type_array))
		return fail(c, ERR_INVALID, setting, "expected an array of strings, got %s",
			    jtype(v));
	n = json_object_array_length(v);
	if (n == 0)
		return fail(c, ERR_INVALID, setting, "must not be an empty array");
	arr = calloc(n, sizeof(*arr));
	if (arr == NULL)
		return nomem(c);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const char *s;

		if (!json_object_is_type(e, json_type_string)) {
			rc = fail(c, ERR_INVALID, setting, "element %zu: expected a string, got %s",
				  i, jtype(e));
			break;
		}
		s = json_object_get_string(e);
		if (*s == '\0' || strlen(s) != (size_t)json_object_get_string_len(e)) {
			rc = fail(c, ERR_INVALID, setting,
				  "element %zu: must be a non-empty string", i);
			break;
		}
		if ((rc = dup_str(c, s, &arr[i])) != 0)
			break;
	}
	if (rc) {
		free_strv(arr, n);
		return rc;
	}
	*out = arr;
	*nout = n;
	return 0;
}

/* ------------------------------------------------------------ durations */

#define NS_PER_MS 1000000ULL
#define MAX_DURATION_NS (24ULL * 3600 * 1000 * NS_PER_MS)

/* Length of the unit at s (up to the next digit, '.' or end) and its
 * value in nanoseconds, or 0 when unknown. */
static uint64_t duration_unit(const char *s, size_t *len)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
	    {"ns", 1},
	    {"us", 1000},
	    {"\xc2\xb5s", 1000}, /* U+00B5 MICRO SIGN */
	    {"\xce\xbcs", 1000}, /* U+03BC GREEK SMALL LETTER MU */
	    {"ms", NS_PER_MS},
	    {"s", 1000 * NS_PER_MS},
	    {"m", 60 * 1000 * NS_PER_MS},
	    {"h", 3600 * 1000 * NS_PER_MS},
	};
	size_t n = 0;

	while (s[n] && s[n] != '.' && !(s[n] >= '0' && s[n] <= '9'))
		n++;
	*len = n;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].name) == n && memcmp(units[i].name, s, n) == 0)
			return units[i].ns;
	}
	return 0;
}

/* Go's time.ParseDuration, restricted to 0 .. 24h; see config.h. */
int cfg_parse_duration(const char *s, unsigned *ms)
{
	uint64_t total = 0;
	const char *p = s;

	if (s == NULL || *p == '-')
		return ERR_INVALID;
	if (*p == '+')
		p++;
	if (strcmp(p, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (*p == '\0')
		return ERR_INVALID;
	while (*p) {
		uint64_t v = 0, f = 0, unit;
		double scale = 1;
		bool pre = false, post = false, overflow = false;
		size_t ulen;

		if (!(*p == '.' || (*p >= '0' && *p <= '9')))
			return ERR_INVALID;
		for (; *p >= '0' && *p <= '9'; p++) {
			pre = true;
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > MAX_DURATION_NS)
				return ERR_INVALID;
		}
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++) {
				post = true;
				if (overflow || f > (UINT64_MAX - 9) / 10 / 10)
					overflow = true; /* Go ignores the further digits too */
				else {
					f = f * 10 + (uint64_t)(*p - '0');
					scale *= 10;
				}
			}
		}
		if (!pre && !post)
			return ERR_INVALID; /* "." or ".s" */
		unit = duration_unit(p, &ulen);
		if (unit == 0)
			return ERR_INVALID; /* missing or unknown unit */
		p += ulen;
		if (v > MAX_DURATION_NS / unit)
			return ERR_INVALID;
		v *= unit;
		if (f > 0)
			v += (uint64_t)((double)f * ((double)unit / scale));
		total += v;
		if (total > MAX_DURATION_NS)
			return ERR_INVALID;
	}
	*ms = (unsigned)(total / NS_PER_MS + (total % NS_PER_MS != 0));
	return 0;
}

/* ------------------------------------------------------------ cipher suites */

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

const char *cfg_cipher_suite_name(uint16_t id)
{
	for (size_t i = 0; i < sizeof(cipher_suites) / sizeof(cipher_suites[0]); i++) {
		if (cipher_suites[i].id == id)
			return cipher_suites[i].name;
	}
	return NULL;
}

static int cipher_suite_index(long long id)
{
	for (size_t i = 0; i < sizeof(cipher_suites) / sizeof(cipher_suites[0]); i++) {
		if (cipher_suites[i].id == id)
			return (int)i;
	}
	return -1;
}

static int parse_cipher_suites(struct pctx *c, json_object *v, struct cfg_signer *s)
{
	const char *key = "cipher_suites";
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return fail(c, ERR_INVALID, key, "expected an array of IANA numbers, got %s",
			    jtype(v));
	n = json_object_array_length(v);
	if (n == 0)
		return 0; /* empty: the TLS library's default, as in KrakenD */
	s->cipher_suites = calloc(n, sizeof(*s->cipher_suites));
	if (s->cipher_suites == NULL)
		return nomem(c);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		long long id;
		int idx, rc;

		if ((rc = want_int(c, e, key, 0, 65535, &id)) != 0)
			return rc;
		if ((idx = cipher_suite_index(id)) < 0)
			return fail(c, ERR_INVALID, key,
				    "unknown cipher suite %lld (0x%04llx); use IANA numbers, e.g. "
				    "49199 for TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
				    id, id);
		if (cipher_suites[idx].insecure)
			log_warn("config", "%s: %s: %s: \"%s\": %s (%lld) is insecure", c->name,
				 c->ep, c->sect, key, cipher_suites[idx].name, id);
		s->cipher_suites[s->ncipher_suites++] = (uint16_t)id;
	}
	return 0;
}

/* ------------------------------------------------------------ signer */

/* Decode a SHA-256 fingerprint in any base64 flavour (KrakenD uses
 * base64url with padding) and store it as standard padded base64. */
static int parse_fingerprint(struct pctx *c, const char *in, size_t i, char **out)
{
	static const int variants[] = {
	    sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING,
	    sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING};
	unsigned char bin[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	size_t len = strlen(in);
	char sh[CFG_SHOW];

	for (size_t k = 0; k < sizeof(variants) / sizeof(variants[0]); k++) {
		const char *end = NULL;
		size_t n = 0;

		if (sodium_base642bin(bin, sizeof(bin), in, len, NULL, &n, &end, variants[k]) ==
			0 &&
		    end == in + len && n == sizeof(bin)) {
			sodium_bin2base64(b64, sizeof(b64), bin, sizeof(bin),
					  sodium_base64_VARIANT_ORIGINAL);
			return dup_str(c, b64, out);
		}
	}
	return fail(c, ERR_INVALID, "jwk_fingerprints",
		    "element %zu: \"%s\" is not a base64 SHA-256 digest (32 bytes)", i,
		    show_str(sh, in));
}

static int parse_fingerprints(struct pctx *c, json_object *v, struct cfg_signer *s)
{
	char **raw = NULL;
	size_t n = 0;
	int rc;

	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0)
		return 0; /* empty: no pinning */
	if ((rc = want_strv(c, v, "jwk_fingerprints", &raw, &n)) != 0)
		return rc;
	s->jwk_fingerprints = calloc(n, sizeof(*s->jwk_fingerprints));
	if (s->jwk_fingerprints == NULL) {
		rc = nomem(c);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = parse_fingerprint(c, raw[i], i, &s->jwk_fingerprints[i])) != 0)
			goto out;
		s->njwk_fingerprints++;
	}
out:
	free_strv(raw, n);
	return rc;
}

static int parse_kid(struct pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v = member(obj, "kid");
	const char *kid;
	int rc;

	if (v == NULL)
		return fail(c, ERR_INVALID, "kid", "missing (the key id to sign with)");
	if (json_object_is_type(v, json_type_array))
		return want_strv(c, v, "kid", &s->kids, &s->nkids);
	if ((rc = want_nonempty(c, v, "kid", &kid)) != 0)
		return rc;
	s->kids = calloc(1, sizeof(*s->kids));
	if (s->kids == NULL)
		return nomem(c);
	s->nkids = 1;
	return dup_str(c, kid, &s->kids[0]);
}

static int parse_alg(struct pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v = member(obj, "alg");
	char sh[CFG_SHOW];
	const char *name;
	int rc;

	if (v == NULL)
		return fail(c, ERR_INVALID, "alg",
			    "missing (e.g. \"RS256\", \"ES256\", \"EdDSA\")");
	if ((rc = want_string(c, v, "alg", &name)) != 0)
		return rc;
	rc = jws_alg_from_name(name, &s->alg);
	if (rc != 0 || s->alg == JWS_ALG_INVALID)
		return fail(c, rc ? rc : ERR_UNSUPPORTED, "alg", "unsupported value \"%s\"",
			    show_str(sh, name));
	return 0;
}

/* jwk_url / jwk_local_path: exactly one; URL policy. */
static int parse_jwk_source(struct pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *url, *path;
	const char *ukey, *pkey, *str;
	char sh[CFG_SHOW];
	int rc;

	if ((rc = aliased(c, obj, "jwk_url", "jwk-url", &url, &ukey)) != 0 ||
	    (rc = aliased(c, obj, "jwk_local_path", "jwk-local-path", &path, &pkey)) != 0)
		return rc;
	if (url && path)
		return fail(c, ERR_INVALID, ukey, "conflicts with \"%s\": set only one of them",
			    pkey);
	if (!url && !path)
		return fail(c, ERR_INVALID, "jwk_url",
			    "missing: set \"jwk_url\" or \"jwk_local_path\" (where the JWK Set "
			    "is)");
	if (path) {
		if ((rc = want_nonempty(c, path, pkey, &str)) != 0)
			return rc;
		return dup_str(c, str, &s->jwk_local_path);
	}
	if ((rc = want_nonempty(c, url, ukey, &str)) != 0)
		return rc;
	if (strncasecmp(str, "https://", 8) != 0) {
		if (strncasecmp(str, "http://", 7) != 0)
			return fail(c, ERR_INVALID, ukey,
				    "\"%s\": only https:// URLs (or http:// with "
				    "disable_jwk_security) are allowed",
				    show_str(sh, str));
		if (!s->disable_jwk_security)
			return fail(c, ERR_INVALID, ukey,
				    "\"%s\" is not https:// (set \"disable_jwk_security\": true to "
				    "allow it)",
				    show_str(sh, str));
	}
	if (s->disable_jwk_security)
		log_warn("config",
			 "%s: %s: %s: \"disable_jwk_security\" is true: the JWK Set "
			 "server's certificate is not checked",
			 c->name, c->ep, c->sect);
	return dup_str(c, str, &s->jwk_url);
}

static int opt_seconds(struct pctx *c, json_object *obj, const char *key, unsigned *out)
{
	json_object *v = member(obj, key);
	long long x;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = want_int(c, v, key, 0, CFG_MAX_SECONDS, &x)) != 0)
		return rc;
	*out = (unsigned)x;
	return 0;
}

/* keys_to_sign: non-empty strings; entries starting with '/' are JSON
 * Pointers checked by signer_check_key. */
static int parse_keys_to_sign(struct pctx *c, json_object *v, const char *key, struct cfg_signer *s)
{
	char sh[CFG_SHOW];
	int rc;

	if ((rc = want_strv(c, v, key, &s->keys_to_sign, &s->nkeys_to_sign)) != 0)
		return rc;
	for (size_t i = 0; i < s->nkeys_to_sign; i++) {
		struct err e = {0};

		if (signer_check_key(s->keys_to_sign[i], &e) != 0)
			return fail(c, ERR_INVALID, key, "element %zu: \"%s\": %s", i,
				    show_str(sh, s->keys_to_sign[i]), e.msg);
	}
	return 0;
}

/* set_iat, ttl, nbf_skew (extensions; see config.h). */
static int parse_time_claims(struct pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v;
	long long x;
	int rc;

	if ((rc = opt_bool(c, obj, "set_iat", &s->set_iat)) != 0)
		return rc;
	if ((v = member(obj, "ttl")) != NULL) {
		if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 0)
			return fail(c, ERR_INVALID, "ttl",
				    "must be at least 1 second (leave \"ttl\" out to add no "
				    "\"exp\" claim)");
		if ((rc = want_int(c, v, "ttl", 1, CFG_MAX_SECONDS, &x)) != 0)
			return rc;
		s->ttl = (unsigned)x;
	}
	if ((v = member(obj, "nbf_skew")) != NULL) {
		if ((rc = want_int(c, v, "nbf_skew", 0, CFG_MAX_SECONDS, &x)) != 0)
			return rc;
		s->set_nbf = true;
		s->nbf_skew = (unsigned)x;
	}
	return 0;
}

/* jwks_endpoint: a fixed path (checks across endpoints: see
 * check_jwks_endpoints). */
static int parse_jwks_endpoint(struct pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v = member(obj, "jwks_endpoint");
	char sh[CFG_SHOW];
	const char *str;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = want_nonempty(c, v, "jwks_endpoint", &str)) != 0 ||
	    (rc = clean_path(c, str, &s->jwks_endpoint)) != 0 ||
	    (rc = check_path_bytes(c, "jwks_endpoint", s->jwks_endpoint, false)) != 0)
		return rc;
	if (strpbrk(s->jwks_endpoint, "{}") != NULL)
		return fail(c, ERR_INVALID, "jwks_endpoint",
			    "\"%s\": a fixed path is expected ('{' and '}' are not allowed)",
			    show_str(sh, s->jwks_endpoint));
	return 0;
}

static const char *const signer_keys[] = {
    "alg",
    "kid",
    "keys_to_sign",
    "keys-to-sign",
    "jwk_url",
    "jwk-url",
    "jwk_local_path",
    "jwk-local-path",
    "full",
    "typ",
    "disable_jwk_security",
    "jwk_fingerprints",
    "cipher_suites",
    "jwk_local_ca",
    "cache_duration",
    "failed_jwk_key_cooldown",
    "max_stale",
    "jwks_endpoint",
    "set_iat",
    "ttl",
    "nbf_skew",
};

/* Refuse what jwtsign cannot do; warn about unknown settings (typos). */
static int check_signer_keys(struct pctx *c, json_object *obj)
{
	json_object_object_foreach(obj, key, val)
	{
		size_t i, n = sizeof(signer_keys) / sizeof(signer_keys[0]);
		char sh[CFG_SHOW];

		if ((strcmp(key, "secret_url") == 0 || strcmp(key, "cipher_key") == 0) &&
		    val != NULL &&
		    !(json_object_is_type(val, json_type_string) &&
		      json_object_get_string_len(val) == 0))
			return fail(c, ERR_UNSUPPORTED, key,
				    "encrypted JWK files are not supported by jwtsign");
		for (i = 0; i < n; i++) {
			if (strcmp(key, signer_keys[i]) == 0)
				break;
		}
		if (i == n)
			log_warn("config", "%s: %s: %s: unknown setting \"%s\" ignored", c->name,
				 c->ep, c->sect, show_str(sh, key));
	}
	return 0;
}

static int parse_signer(struct pctx *c, json_object *obj, struct cfg_signer *s)
{
	json_object *v;
	const char *key, *str;
	int rc;

	s->cache_duration = 900;
	s->failed_jwk_key_cooldown = 60;
	s->max_stale = 86400;
	if ((rc = check_signer_keys(c, obj)) != 0 || (rc = parse_alg(c, obj, s)) != 0 ||
	    (rc = parse_kid(c, obj, s)) != 0)
		return rc;
	if ((rc = aliased(c, obj, "keys_to_sign", "keys-to-sign", &v, &key)) != 0)
		return rc;
	if (v == NULL)
		return fail(c, ERR_INVALID, "keys_to_sign",
			    "missing (the response members to sign, e.g. [\"access_token\"])");
	if ((rc = parse_keys_to_sign(c, v, key, s)) != 0 ||
	    (rc = opt_bool(c, obj, "full", &s->full)) != 0 ||
	    (rc = opt_bool(c, obj, "disable_jwk_security", &s->disable_jwk_security)) != 0 ||
	    (rc = parse_jwk_source(c, obj, s)) != 0)
		return rc;
	str = "JWT";
	if ((v = member(obj, "typ")) != NULL && (rc = want_string(c, v, "typ", &str)) != 0)
		return rc;
	if ((rc = dup_str(c, str, &s->typ)) != 0)
		return rc;
	if ((v = member(obj, "jwk_fingerprints")) != NULL &&
	    (rc = parse_fingerprints(c, v, s)) != 0)
		return rc;
	if ((v = member(obj, "cipher_suites")) != NULL && (rc = parse_cipher_suites(c, v, s)) != 0)
		return rc;
	if ((v = member(obj, "jwk_local_ca")) != NULL) {
		if ((rc = want_nonempty(c, v, "jwk_local_ca", &str)) != 0 ||
		    (rc = dup_str(c, str, &s->jwk_local_ca)) != 0)
			return rc;
	}
	if ((rc = opt_seconds(c, obj, "cache_duration", &s->cache_duration)) != 0 ||
	    (rc = opt_seconds(c, obj, "failed_jwk_key_cooldown", &s->failed_jwk_key_cooldown)) !=
		0 ||
	    (rc = opt_seconds(c, obj, "max_stale", &s->max_stale)) != 0)
		return rc;
	if (s->cache_duration == 0)
		s->cache_duration = 900; /* KrakenD: 0 means the default, 15 min */
	if ((rc = parse_time_claims(c, obj, s)) != 0 || (rc = parse_jwks_endpoint(c, obj, s)) != 0)
		return rc;
	return 0;
}

/* ------------------------------------------------------------ paths */

static bool param_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-' || ch == '.';
}

/* KrakenD's CleanPath: make sure the path starts with '/'. */
static int clean_path(struct pctx *c, const char *in, char **out)
{
	size_t n = strlen(in);

	if (in[0] == '/')
		return dup_str(c, in, out);
	*out = malloc(n + 2);
	if (*out == NULL)
		return nomem(c);
	(*out)[0] = '/';
	memcpy(*out + 1, in, n + 1);
	return 0;
}

/* Bytes never allowed in a path: CTL, space, DEL, '#', and (in the
 * endpoint) '?'. */
static int check_path_bytes(struct pctx *c, const char *setting, const char *p, bool query_ok)
{
	char sh[CFG_SHOW];

	for (const char *q = p; *q; q++) {
		unsigned char ch = (unsigned char)*q;

		if (ch <= 0x20 || ch == 0x7f || ch == '#' || (ch == '?' && !query_ok))
			return fail(c, ERR_INVALID, setting,
				    "\"%s\": character %s not allowed in a path", show_str(sh, p),
				    ch == '#'	? "'#'"
				    : ch == '?' ? "'?'"
				    : ch == ' ' ? "' '"
						: "(control)");
	}
	return 0;
}

/* Endpoint pattern: a {name} must be a whole segment; names unique; at
 * most ROUTER_MAX_PARAMS of them. */
static int check_endpoint_pattern(struct pctx *c, const char *ep)
{
	const char *seg = ep + 1;
	size_t nparams = 0;
	char sh[CFG_SHOW];
	int rc;

	if ((rc = check_path_bytes(c, "endpoint", ep, false)) != 0)
		return rc;
	for (;;) {
		size_t len = strcspn(seg, "/");
		bool has_brace = memchr(seg, '{', len) || memchr(seg, '}', len);

		if (has_brace) {
			bool ok = len >= 3 && seg[0] == '{' && seg[len - 1] == '}';

			for (size_t i = 1; ok && i + 1 < len; i++)
				ok = param_name_char(seg[i]);
			if (!ok)
				return fail(
				    c, ERR_INVALID, "endpoint",
				    "\"%s\": a parameter must be a whole segment \"{name}\" "
				    "(letters, digits, '_', '-', '.')",
				    show_str(sh, ep));
			/* unique names */
			for (const char *q = ep + 1; q < seg; q += strcspn(q, "/") + 1) {
				size_t ql = strcspn(q, "/");

				if (ql == len && memcmp(q, seg, len) == 0)
					return fail(c, ERR_INVALID, "endpoint",
						    "\"%s\": parameter %.*s appears twice",
						    show_str(sh, ep), (int)len, seg);
			}
			if (++nparams > ROUTER_MAX_PARAMS)
				return fail(c, ERR_INVALID, "endpoint",
					    "\"%s\": more than %d parameters", show_str(sh, ep),
					    ROUTER_MAX_PARAMS);
		}
		if (seg[len] == '\0')
			break;
		seg += len + 1;
	}
	return 0;
}

/* Whether the endpoint pattern ep has the parameter segment {name}. */
static bool endpoint_has_param(const char *ep, const char *name, size_t len)
{
	for (const char *q = ep + 1;; q += strcspn(q, "/") + 1) {
		size_t ql = strcspn(q, "/");

		if (ql == len + 2 && q[0] == '{' && memcmp(q + 1, name, len) == 0)
			return true;
		if (q[ql] == '\0')
			return false;
	}
}

/* url_pattern: {name} placeholders must be endpoint parameters. */
static int check_url_pattern(struct pctx *c, const char *up, const char *ep)
{
	char sh[CFG_SHOW];
	int rc;

	if ((rc = check_path_bytes(c, "url_pattern", up, true)) != 0)
		return rc;
	for (const char *p = up; *p; p++) {
		const char *name;
		size_t len = 0;

		if (*p == '}')
			return fail(c, ERR_INVALID, "url_pattern", "\"%s\": unmatched '}'",
				    show_str(sh, up));
		if (*p != '{')
			continue;
		name = p + 1;
		while (param_name_char(name[len]))
			len++;
		if (len == 0 || name[len] != '}')
			return fail(c, ERR_INVALID, "url_pattern",
				    "\"%s\": malformed placeholder (expected \"{name}\")",
				    show_str(sh, up));
		if (!endpoint_has_param(ep, name, len))
			return fail(c, ERR_INVALID, "url_pattern",
				    "\"%s\": placeholder {%.*s} is not a parameter of the endpoint",
				    show_str(sh, up), (int)len, name);
		p = name + len;
	}
	return 0;
}

/* Same route: same method and the same segments, any {param} being equal
 * to any other (gin would refuse the pair). */
static bool same_route(const struct cfg_endpoint *a, const struct cfg_endpoint *b)
{
	const char *p = a->endpoint, *q = b->endpoint;

	if (strcmp(a->method, b->method) != 0)
		return false;
	for (;;) {
		size_t pl = strcspn(p, "/"), ql = strcspn(q, "/");
		bool pp = pl >= 2 && p[0] == '{', qp = ql >= 2 && q[0] == '{';

		if (pp != qp || (!pp && (pl != ql || memcmp(p, q, pl) != 0)))
			return false;
		if (p[pl] == '\0' || q[ql] == '\0')
			return p[pl] == q[ql];
		p += pl + 1;
		q += ql + 1;
	}
}

/* ------------------------------------------------------------ endpoints */

static bool tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* An HTTP method (RFC 9110 token), stored upper-case; absent: dflt. */
static int parse_method(struct pctx *c, json_object *obj, const char *dflt, char **out)
{
	json_object *v = member(obj, "method");
	const char *m = dflt;
	char sh[CFG_SHOW];
	int rc;

	if (v != NULL && (rc = want_nonempty(c, v, "method", &m)) != 0)
		return rc;
	for (const char *p = m; *p; p++) {
		if (!tchar(*p))
			return fail(c, ERR_INVALID, "method", "\"%s\" is not an HTTP method",
				    show_str(sh, m));
	}
	if ((rc = dup_str(c, m, out)) != 0)
		return rc;
	for (char *p = *out; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	return 0;
}

/* KrakenD host sanitising: no scheme means http://; no trailing '/'. */
static int parse_host(struct pctx *c, const char *h, size_t i, char **out)
{
	const char *sep = strstr(h, "://");
	char sh[CFG_SHOW];
	size_t len = strlen(h);
	const char *prefix = "";

	for (const char *q = h; *q; q++) {
		if ((unsigned char)*q <= 0x20 || *q == 0x7f)
			return fail(c, ERR_INVALID, "host",
				    "element %zu: \"%s\": blanks and control characters are "
				    "not allowed",
				    i, show_str(sh, h));
	}
	if (sep == NULL) {
		prefix = "http://";
	} else if (!((sep - h == 4 && strncasecmp(h, "http", 4) == 0) ||
		     (sep - h == 5 && strncasecmp(h, "https", 5) == 0))) {
		return fail(c, ERR_INVALID, "host",
			    "element %zu: \"%s\": only http:// and https:// are supported", i,
			    show_str(sh, h));
	}
	while (len > 0 && h[len - 1] == '/')
		len--;
	if (len <= (sep ? (size_t)(sep - h) + 3 : 0))
		return fail(c, ERR_INVALID, "host", "element %zu: \"%s\": no host name", i,
			    show_str(sh, h));
	*out = malloc(strlen(prefix) + len + 1);
	if (*out == NULL)
		return nomem(c);
	memcpy(*out, prefix, strlen(prefix));
	memcpy(*out + strlen(prefix), h, len);
	(*out)[strlen(prefix) + len] = '\0';
	return 0;
}

static int parse_hosts(struct pctx *c, json_object *v, struct cfg_backend *b)
{
	char **raw = NULL;
	size_t n = 0;
	int rc;

	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0)
		return fail(c, ERR_INVALID, "host", "no host: the list is empty");
	if ((rc = want_strv(c, v, "host", &raw, &n)) != 0)
		return rc;
	b->hosts = calloc(n, sizeof(*b->hosts));
	if (b->hosts == NULL) {
		rc = nomem(c);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = parse_host(c, raw[i], i, &b->hosts[i])) != 0)
			goto out;
		b->nhosts++;
	}
out:
	free_strv(raw, n);
	return rc;
}

static int parse_backend(struct pctx *c, json_object *ep_obj, json_object *default_hosts,
			 struct cfg_endpoint *e)
{
	json_object *arr = member(ep_obj, "backend"), *obj, *v;
	const char *up;
	int rc;

	if (arr == NULL)
		return fail(c, ERR_INVALID, "backend",
			    "missing (one backend with \"host\" and \"url_pattern\")");
	if (!json_object_is_type(arr, json_type_array))
		return fail(c, ERR_INVALID, "backend", "expected an array, got %s", jtype(arr));
	if (json_object_array_length(arr) == 0)
		return fail(c, ERR_INVALID, "backend", "no backend: the list is empty");
	if (json_object_array_length(arr) > 1)
		return fail(c, ERR_INVALID, "backend",
			    "%zu backends: a signer endpoint takes exactly one",
			    json_object_array_length(arr));
	obj = json_object_array_get_idx(arr, 0);
	if (!json_object_is_type(obj, json_type_object))
		return fail(c, ERR_INVALID, "backend", "element 0: expected an object, got %s",
			    jtype(obj));
	snprintf(c->sect, sizeof(c->sect), "backend[0]");
	v = member(obj, "host");
	if (v == NULL)
		v = default_hosts;
	if (v == NULL) {
		rc = fail(c, ERR_INVALID, "host",
			  "missing: no host for this backend and no top-level \"host\"");
		goto out;
	}
	if ((rc = parse_hosts(c, v, &e->backend)) != 0)
		goto out;
	if ((v = member(obj, "url_pattern")) == NULL) {
		rc = fail(c, ERR_INVALID, "url_pattern", "missing (the path on the backend)");
		goto out;
	}
	if ((rc = want_nonempty(c, v, "url_pattern", &up)) != 0 ||
	    (rc = clean_path(c, up, &e->backend.url_pattern)) != 0 ||
	    (rc = check_url_pattern(c, e->backend.url_pattern, e->endpoint)) != 0 ||
	    (rc = parse_method(c, obj, e->method, &e->backend.method)) != 0)
		goto out;
out:
	c->sect[0] = '\0';
	return rc;
}

/* The signer block of an endpoint object, or NULL; *ns receives the
 * namespace used.  Both namespaces with different content is an error. */
static int signer_block(struct pctx *c, json_object *ep_obj, json_object **out, const char **ns)
{
	json_object *ec = member(ep_obj, "extra_config"), *a, *b;

	*out = NULL;
	if (ec == NULL)
		return 0;
	if (!json_object_is_type(ec, json_type_object))
		return fail(c, ERR_INVALID, "extra_config", "expected an object, got %s",
			    jtype(ec));
	a = member(ec, NS_SIGNER);
	b = member(ec, NS_SIGNER_OLD);
	if (a && b && !json_object_equal(a, b))
		return fail(c, ERR_INVALID, "extra_config",
			    "both \"" NS_SIGNER "\" and \"" NS_SIGNER_OLD
			    "\" are present with different content (keep one)");
	*out = a ? a : b;
	*ns = a ? NS_SIGNER : NS_SIGNER_OLD;
	if (*out && !json_object_is_type(*out, json_type_object)) {
		snprintf(c->sect, sizeof(c->sect), "extra_config \"%s\"", *ns);
		return fail(c, ERR_INVALID, NULL, "expected an object, got %s", jtype(*out));
	}
	return 0;
}

/* Label the endpoint for messages: its path when it has one. */
static void set_ep_label(struct pctx *c, json_object *ep_obj, size_t i)
{
	json_object *v = member(ep_obj, "endpoint");
	char sh[CFG_SHOW];

	if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0)
		snprintf(
		    c->ep, sizeof(c->ep), "endpoint \"%s\"",
		    show(sh, json_object_get_string(v), (size_t)json_object_get_string_len(v)));
	else
		snprintf(c->ep, sizeof(c->ep), "endpoints[%zu]", i);
	c->sect[0] = '\0';
}

static int parse_endpoint(struct pctx *c, json_object *ep_obj, json_object *signer, const char *ns,
			  json_object *default_hosts, unsigned default_timeout,
			  struct cfg_endpoint *e)
{
	json_object *v = member(ep_obj, "endpoint");
	const char *path;
	int rc;

	if (v == NULL)
		return fail(c, ERR_INVALID, "endpoint",
			    "missing (the public path, e.g. \"/token\")");
	if ((rc = want_nonempty(c, v, "endpoint", &path)) != 0 ||
	    (rc = clean_path(c, path, &e->endpoint)) != 0 ||
	    (rc = check_endpoint_pattern(c, e->endpoint)) != 0 ||
	    (rc = parse_method(c, ep_obj, "GET", &e->method)) != 0)
		return rc;
	e->timeout_ms = default_timeout;
	if ((rc = opt_duration(c, ep_obj, "timeout", &e->timeout_ms)) != 0 ||
	    (rc = parse_backend(c, ep_obj, default_hosts, e)) != 0)
		return rc;
	snprintf(c->sect, sizeof(c->sect), "extra_config \"%s\"", ns);
	rc = parse_signer(c, signer, &e->signer);
	c->sect[0] = '\0';
	return rc;
}

/* ------------------------------------------------------------ top level */

static void default_limits(struct cfg_limits *l)
{
	l->max_request_body = 1048576;
	l->max_backend_response = 1048576;
	l->max_json_depth = 128;
	l->max_json_members = 100000;
	l->max_jwk_set_size = 1048576;
	l->max_jwk_keys = 1000;
	l->max_header_size = 65536;
	l->connect_timeout_ms = 2000;
	l->jwk_fetch_timeout_ms = 5000;
}

static int limit_size(struct pctx *c, json_object *obj, const char *key, long long max, size_t *out)
{
	json_object *v = member(obj, key);
	long long x;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = want_int(c, v, key, 1, max, &x)) != 0)
		return rc;
	*out = (size_t)x;
	return 0;
}

static int parse_limits(struct pctx *c, json_object *root, struct cfg_limits *l)
{
	static const char *const known[] = {
	    "max_request_body", "max_backend_response", "max_json_depth",
	    "max_json_members", "max_jwk_set_size",	"max_jwk_keys",
	    "max_header_size",	"connect_timeout",	"jwk_fetch_timeout",
	};
	const long long smax = SIZE_MAX > INT64_MAX ? INT64_MAX : (long long)SIZE_MAX;
	json_object *ec = member(root, "extra_config"), *obj;
	size_t depth = l->max_json_depth;
	int rc;

	if (ec == NULL)
		return 0;
	if (!json_object_is_type(ec, json_type_object))
		return fail(c, ERR_INVALID, "extra_config", "expected an object, got %s",
			    jtype(ec));
	if ((obj = member(ec, NS_JWTSIGN)) == NULL)
		return 0;
	snprintf(c->sect, sizeof(c->sect), "extra_config \"" NS_JWTSIGN "\"");
	if (!json_object_is_type(obj, json_type_object))
		return fail(c, ERR_INVALID, NULL, "expected an object, got %s", jtype(obj));
	json_object_object_foreach(obj, key, val)
	{
		size_t i, n = sizeof(known) / sizeof(known[0]);
		char sh[CFG_SHOW];

		(void)val;
		for (i = 0; i < n && strcmp(key, known[i]) != 0; i++)
			;
		if (i == n)
			return fail(c, ERR_INVALID, show_str(sh, key), "unknown setting");
	}
	if ((rc = limit_size(c, obj, "max_request_body", smax, &l->max_request_body)) != 0 ||
	    (rc = limit_size(c, obj, "max_backend_response", smax, &l->max_backend_response)) !=
		0 ||
	    (rc = limit_size(c, obj, "max_json_depth", CFG_MAX_JSON_DEPTH, &depth)) != 0 ||
	    (rc = limit_size(c, obj, "max_json_members", smax, &l->max_json_members)) != 0 ||
	    (rc = limit_size(c, obj, "max_jwk_set_size", smax, &l->max_jwk_set_size)) != 0 ||
	    (rc = limit_size(c, obj, "max_jwk_keys", smax, &l->max_jwk_keys)) != 0 ||
	    (rc = limit_size(c, obj, "max_header_size", smax, &l->max_header_size)) != 0 ||
	    (rc = opt_duration(c, obj, "connect_timeout", &l->connect_timeout_ms)) != 0 ||
	    (rc = opt_duration(c, obj, "jwk_fetch_timeout", &l->jwk_fetch_timeout_ms)) != 0)
		return rc;
	l->max_json_depth = (unsigned)depth;
	c->sect[0] = '\0';
	return 0;
}

/* json-c 0.16's strict mode still takes single-quoted strings, NaN,
 * Infinity, "1." and raw control characters in strings.  This lexical
 * check (not a parser: it only tracks whether a byte is inside a string)
 * runs on a document json-c accepted and returns the offset of the first
 * such byte, or len. */
static size_t json_extension_at(const char *doc, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)doc[i];

		if (in_string) {
			if (ch < 0x20)
				return i;
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_string = false;
		} else if (ch == '"') {
			in_string = true;
		} else if (ch == '.' && !(i + 1 < len && doc[i + 1] >= '0' && doc[i + 1] <= '9')) {
			return i;
		} else if (ch == '\0' || !strchr(" \t\r\n{}[]:,0123456789+-.eEtruefalsn", ch)) {
			return i;
		}
	}
	return len;
}

static void line_col(const char *doc, size_t end, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < end; i++) {
		*col = doc[i] == '\n' ? 1 : *col + 1;
		*line += doc[i] == '\n';
	}
}

/* Strict parse of the whole document into *root. */
static int parse_json(struct pctx *c, const char *doc, size_t len, json_object **root)
{
	struct json_tokener *tok = json_tokener_new_ex(CFG_JSON_DEPTH);
	enum json_tokener_error jerr;
	size_t end, line, col;
	int rc = 0;

	*root = NULL;
	if (tok == NULL)
		return nomem(c);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	if (len > INT32_MAX) {
		rc = fail(c, ERR_LIMIT, NULL, "document too large");
		goto out;
	}
	*root = json_tokener_parse_ex(tok, doc, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (*root != NULL && jerr == json_tokener_success) {
		while (end < len && doc[end] != '\0' && strchr(" \t\r\n", doc[end]))
			end++;
		if (end == len && (end = json_extension_at(doc, len)) == len)
			goto out;
		line_col(doc, end, &line, &col);
		rc = fail(c, ERR_INVALID, NULL, "invalid JSON at line %zu, column %zu: %s", line,
			  col,
			  end < json_tokener_get_parse_end(tok) ? "not standard JSON"
								: "data after the document");
	} else if (jerr == json_tokener_continue) {
		rc = fail(c, ERR_INVALID, NULL, "invalid JSON: unexpected end of input");
	} else {
		line_col(doc, end, &line, &col);
		rc = fail(c, ERR_INVALID, NULL, "invalid JSON at line %zu, column %zu: %s", line,
			  col, json_tokener_error_desc(jerr));
	}
	json_object_put(*root);
	*root = NULL;
out:
	json_tokener_free(tok);
	return rc;
}

static int parse_top(struct pctx *c, json_object *root, struct cfg *cfg, unsigned *timeout,
		     json_object **hosts, json_object **endpoints)
{
	json_object *v;
	long long version;
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return fail(c, ERR_INVALID, NULL,
			    "expected a JSON object (a KrakenD configuration), got %s",
			    jtype(root));
	if ((v = member(root, "version")) != NULL &&
	    (rc = want_int(c, v, "version", 2, 3, &version)) != 0)
		return rc;
	*timeout = 2000;
	if ((rc = opt_duration(c, root, "timeout", timeout)) != 0 ||
	    (rc = parse_limits(c, root, &cfg->limits)) != 0)
		return rc;
	*hosts = member(root, "host");
	*endpoints = member(root, "endpoints");
	if (*endpoints && !json_object_is_type(*endpoints, json_type_array))
		return fail(c, ERR_INVALID, "endpoints", "expected an array, got %s",
			    jtype(*endpoints));
	return 0;
}

static int parse_endpoints(struct pctx *c, json_object *arr, json_object *hosts, unsigned timeout,
			   struct cfg *cfg)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	int rc;

	cfg->endpoints = calloc(n ? n : 1, sizeof(*cfg->endpoints));
	if (cfg->endpoints == NULL)
		return nomem(c);
	for (size_t i = 0; i < n; i++) {
		json_object *ep = json_object_array_get_idx(arr, i), *signer;
		const char *ns = NULL;
		struct cfg_endpoint *e = &cfg->endpoints[cfg->nendpoints];

		snprintf(c->ep, sizeof(c->ep), "endpoints[%zu]", i);
		if (!json_object_is_type(ep, json_type_object))
			return fail(c, ERR_INVALID, NULL, "expected an object, got %s", jtype(ep));
		set_ep_label(c, ep, i);
		if ((rc = signer_block(c, ep, &signer, &ns)) != 0)
			return rc;
		if (signer == NULL) {
			cfg->nignored++;
			continue;
		}
		cfg->nendpoints++;
		if ((rc = parse_endpoint(c, ep, signer, ns, hosts, timeout, e)) != 0)
			return rc;
		for (size_t j = 0; j + 1 < cfg->nendpoints; j++) {
			char sh[CFG_SHOW];

			if (same_route(&cfg->endpoints[j], e))
				return fail(c, ERR_INVALID, "endpoint",
					    "same route as an earlier signer endpoint (\"%s\" %s)",
					    show_str(sh, cfg->endpoints[j].endpoint), e->method);
		}
	}
	c->ep[0] = '\0';
	if (cfg->nendpoints == 0)
		return fail(c, ERR_INVALID, "endpoints",
			    "nothing to serve: no endpoint has an \"" NS_SIGNER "\" block in "
			    "its extra_config");
	return 0;
}

/* Each jwks_endpoint path is set on one endpoint only and no signer
 * endpoint (of any method) matches it, so GET on it is unambiguous. */
static int check_jwks_endpoints(struct pctx *c, const struct cfg *cfg)
{
	char sh[CFG_SHOW], sh2[CFG_SHOW];

	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const struct cfg_endpoint *e = &cfg->endpoints[i], *m;
		const char *path = e->signer.jwks_endpoint;

		if (path == NULL)
			continue;
		snprintf(c->ep, sizeof(c->ep), "endpoint \"%s\"", show_str(sh, e->endpoint));
		for (size_t j = 0; j < i; j++) {
			const char *other = cfg->endpoints[j].signer.jwks_endpoint;

			if (other && strcmp(other, path) == 0)
				return fail(c, ERR_INVALID, "jwks_endpoint",
					    "\"%s\" is already set on endpoint \"%s\" (%s): set it "
					    "on one endpoint only",
					    show_str(sh, path),
					    show_str(sh2, cfg->endpoints[j].endpoint),
					    cfg->endpoints[j].method);
		}
		if ((m = router_match(cfg, path, NULL)) != NULL)
			return fail(c, ERR_INVALID, "jwks_endpoint",
				    "\"%s\" is also served by endpoint \"%s\" (%s): choose a "
				    "path no endpoint matches",
				    show_str(sh, path), show_str(sh2, m->endpoint), m->method);
	}
	c->ep[0] = '\0';
	return 0;
}

/* One info line per endpoint jwtsign does not serve. */
static void log_ignored(struct pctx *c, json_object *arr)
{
	size_t n = arr ? json_object_array_length(arr) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *ep = json_object_array_get_idx(arr, i), *signer = NULL;
		const char *ns = NULL;

		set_ep_label(c, ep, i);
		if (signer_block(c, ep, &signer, &ns) == 0 && signer == NULL)
			log_info("config", "%s: %s has no \"" NS_SIGNER "\" block: ignored",
				 c->name, c->ep);
	}
	c->ep[0] = '\0';
}

const char *cfg_default_path(void)
{
	return SYSCONFDIR "/jwtsign/jwtsign.json";
}

int cfg_parse(const char *doc, size_t len, const char *name, struct cfg **out, struct err *err)
{
	struct pctx c = {.name = name ? name : "(config)", .err = err};
	json_object *root = NULL, *hosts = NULL, *endpoints = NULL;
	struct cfg *cfg;
	unsigned timeout = 2000;
	int rc;

	*out = NULL;
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return nomem(&c);
	default_limits(&cfg->limits);
	if ((rc = dup_str(&c, c.name, &cfg->path)) != 0 ||
	    (rc = parse_json(&c, doc, len, &root)) != 0 ||
	    (rc = parse_top(&c, root, cfg, &timeout, &hosts, &endpoints)) != 0 ||
	    (rc = parse_endpoints(&c, endpoints, hosts, timeout, cfg)) != 0 ||
	    (rc = check_jwks_endpoints(&c, cfg)) != 0)
		goto out;
	log_ignored(&c, endpoints);
	*out = cfg;
	cfg = NULL;
out:
	json_object_put(root);
	cfg_free(cfg);
	return rc;
}

int cfg_load(const char *path, struct cfg **out, struct err *err)
{
	struct buf b;
	bool at_open = false;
	int rc;

	*out = NULL;
	buf_init(&b, CFG_MAX_FILE);
	rc = fileio_read_file(path, &b, &at_open);
	if (rc == ERR_IO)
		rc = err_set(err, ERR_IO, "%s: cannot %s: %s", path, at_open ? "open" : "read",
			     strerror(errno));
	else if (rc == ERR_LIMIT)
		rc = err_set(err, ERR_LIMIT, "%s: larger than %u bytes", path, CFG_MAX_FILE);
	else if (rc)
		rc = err_set(err, rc, "%s: out of memory", path);
	else
		rc = cfg_parse(b.data ? b.data : "", b.len, path, out, err);
	buf_free(&b);
	return rc;
}

static void free_signer(struct cfg_signer *s)
{
	free_strv(s->kids, s->nkids);
	free_strv(s->keys_to_sign, s->nkeys_to_sign);
	free(s->jwk_url);
	free(s->jwk_local_path);
	free(s->typ);
	free_strv(s->jwk_fingerprints, s->njwk_fingerprints);
	free(s->cipher_suites);
	free(s->jwk_local_ca);
	free(s->jwks_endpoint);
}

void cfg_free(struct cfg *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		struct cfg_endpoint *e = &cfg->endpoints[i];

		free(e->endpoint);
		free(e->method);
		free_strv(e->backend.hosts, e->backend.nhosts);
		free(e->backend.url_pattern);
		free(e->backend.method);
		free_signer(&e->signer);
	}
	free(cfg->endpoints);
	free(cfg->path);
	free(cfg);
}
