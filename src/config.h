/* config.h - the configuration file: a KrakenD configuration
 * ({"version":3,"endpoints":[...]}) of which jwtsign serves the endpoints
 * that carry a signer block in extra_config, under "auth/signer" or
 * "github.com/devopsfaith/krakend-jose/signer".  See jwtsign.json(5).
 */
#ifndef JWTSIGN_CONFIG_H
#define JWTSIGN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "jws.h"

/* Process limits, from the top-level extra_config "jwtsign" block.
 * Defaults in parentheses (documented in jwtsign.json(5)). */
struct cfg_limits {
	size_t max_request_body;     /* client body, bytes (1 MiB) */
	size_t max_backend_response; /* backend body, bytes (1 MiB) */
	unsigned max_json_depth;     /* nesting levels (128) */
	size_t max_json_members;     /* members + elements per document (100000) */
	size_t max_jwk_set_size;     /* JWK Set document, bytes (1 MiB) */
	size_t max_jwk_keys;         /* keys in a JWK Set (1000) */
	unsigned connect_timeout_ms; /* TCP+TLS connect to backend / JWK server (2000) */
	unsigned jwk_fetch_timeout_ms; /* whole JWK Set download (5000) */
};

/* The signer block of one endpoint.  Strings are owned by the struct cfg. */
struct cfg_signer {
	enum jws_alg alg;
	char **kids;               /* "kid": one string or (extension) a list */
	size_t nkids;
	char **keys_to_sign;       /* "keys_to_sign" / "keys-to-sign" */
	size_t nkeys_to_sign;
	char *jwk_url;             /* "jwk_url" / "jwk-url", or NULL */
	char *jwk_local_path;      /* "jwk_local_path" / "jwk-local-path", or NULL */
	bool full;                 /* flattened JSON serialization instead of compact */
	char *typ;                 /* "typ" header value; "" omits it (default "JWT") */
	bool disable_jwk_security; /* allow http:// and skip certificate checks */
	char **jwk_fingerprints;   /* base64 SHA-256 of SubjectPublicKeyInfo */
	size_t njwk_fingerprints;
	uint16_t *cipher_suites;   /* IANA numbers */
	size_t ncipher_suites;
	char *jwk_local_ca;        /* extra trusted CA PEM file, or NULL */
	unsigned cache_duration;   /* seconds (900) */
	unsigned failed_jwk_key_cooldown; /* seconds (60) */
	unsigned max_stale;        /* seconds (86400) */
};

struct cfg_backend {
	char **hosts;     /* "host": tried in order */
	size_t nhosts;
	char *url_pattern;
	char *method;     /* default: the endpoint's method */
};

struct cfg_endpoint {
	char *endpoint;      /* public path, may contain {param} segments */
	char *method;        /* upper case; default "GET" as in KrakenD */
	unsigned timeout_ms; /* endpoint "timeout", else top-level, else 2000 */
	struct cfg_backend backend;
	struct cfg_signer signer;
};

struct cfg {
	char *path;          /* the file it was loaded from (for messages) */
	struct cfg_endpoint *endpoints; /* only endpoints with a signer block */
	size_t nendpoints;
	size_t nignored;     /* endpoints without a signer block, skipped */
	struct cfg_limits limits;
};

/* cfg_default_path - the default config file:
 * SYSCONFDIR "/jwtsign/jwtsign.json" (static string). */
const char *cfg_default_path(void);

/* cfg_load - read and parse the file at path (see cfg_parse).  The file
 * may be at most 4 MiB.  Errors: ERR_IO (cannot read; message has the
 * path and strerror), else as cfg_parse. */
int cfg_load(const char *path, struct cfg **out, struct err *err);

/* cfg_parse - parse a configuration document (len bytes).  name is used
 * in messages (usually the file path).  On success *out is a new struct
 * cfg, freed with cfg_free().  Each endpoint without a signer block is
 * skipped with an info log line.
 * Errors (ERR_INVALID, message naming the file, the endpoint and the
 * setting): not a JSON object; wrong types; unknown alg (ERR_UNSUPPORTED);
 * both spellings of a setting with different values; no kid; no
 * keys_to_sign; neither or both of jwk_url/jwk_local_path; a jwk_url not
 * https:// without disable_jwk_security; more than one backend; no host;
 * a malformed duration; an unknown cipher suite number; no signer
 * endpoint at all.  ERR_NOMEM. */
int cfg_parse(const char *doc, size_t len, const char *name, struct cfg **out, struct err *err);

/* cfg_free - release a configuration.  NULL-safe. */
void cfg_free(struct cfg *cfg);

/* cfg_parse_duration - parse a Go/KrakenD duration ("2s", "500ms",
 * "1m30s", "1.5s", "100us", "0") into milliseconds (sub-millisecond parts
 * rounded up to 1 ms when non-zero).  Negative values, a missing unit on a
 * non-zero number, or a result over 24 h are ERR_INVALID. */
int cfg_parse_duration(const char *s, unsigned *ms);

#endif
