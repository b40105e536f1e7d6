/* config.h - the configuration file: a KrakenD configuration
 * ({"version":3,"endpoints":[...]}) of which jwtsign loads the endpoints
 * that carry a signer block in extra_config ("auth/signer" or
 * "github.com/devopsfaith/krakend-jose/signer": jwtsign serves them), a
 * validator block ("auth/validator" or
 * "github.com/devopsfaith/krakend-jose/validator": jwtsign checks their
 * tokens), or both (KrakenD's refresh pattern).  See jwtsign.json(5).
 */
#ifndef JWTSIGN_CONFIG_H
#define JWTSIGN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "cors.h"
#include "entity.h"
#include "jws.h"

/* Process limits, from the top-level extra_config "jwtsign" block.
 * Defaults in parentheses (documented in jwtsign.json(5)). */
struct cfg_limits {
	size_t max_request_body;       /* client body, bytes (1 MiB) */
	size_t max_backend_response;   /* backend body, bytes (1 MiB) */
	unsigned max_json_depth;       /* nesting levels (128) */
	size_t max_json_members;       /* members + elements per document (100000) */
	size_t max_jwk_set_size;       /* JWK Set document, bytes (1 MiB) */
	size_t max_jwk_keys;	       /* keys in a JWK Set (1000) */
	size_t max_header_size;	       /* one response's header block from the backend
					* or the JWK server, and each client header
					* jwtsign reads, bytes (65536) */
	unsigned connect_timeout_ms;   /* TCP+TLS connect to backend / JWK server (2000) */
	unsigned jwk_fetch_timeout_ms; /* whole JWK Set download (5000) */
	bool legacy_escapes;	       /* "json_escapes": "go1.21" (gojson.h) */
	/* Service settings of the same block (owned strings, NULL when absent). */
	char *log;		/* "log": stderr, syslog[:FACILITY] or an absolute
				 * file path (log.h); JWTSIGN_LOG wins over it */
	int log_timestamp;	/* "log_timestamp": 1 true, 0 false, -1 absent (a
				 * file target's lines are stamped, others not) */
	bool log_client;	/* "log_client": a request's lines carry
				 * [client REMOTE_ADDR] (reqid.h) */
	bool log_request_id;	/* "log_request_id": ... and [id ID] */
	char *health_endpoint;	/* "health_endpoint": fixed path answering the
				 * health check (health.h), or NULL; no signer
				 * endpoint or jwks_endpoint has it */
	char *metrics_endpoint; /* "metrics_endpoint": fixed path answering GET and
				 * HEAD with the Prometheus text (metrics.h), or
				 * NULL; no other endpoint has it */
};

/* Where a block's keys come from and how they are kept: the settings the
 * signer and the validator share, read by one reader (config_keys.c) with
 * the same defaults, errors and notices for both.  Strings are owned by
 * the struct cfg. */
struct cfg_keys {
	char *jwk_url;	      /* "jwk_url" / "jwk-url", or NULL */
	char *jwk_local_path; /* "jwk_local_path" / "jwk-local-path", or NULL;
			       * exactly one of the two is set (or key_uri) */
	/* Extension, signer blocks only: a key that stays on a PKCS#11 token,
	 * instead of jwk_url / jwk_local_path. */
	char *key_uri;		   /* "key_uri": "pkcs11:..." (RFC 7512; pin-source an
				    * absolute path), or NULL.  Wiped when freed (it may
				    * hold a pin-value).  Needs one "kid" and an RS*, PS*,
				    * ES* or EdDSA "alg" */
	char *pin_file;		   /* "pin_file": the token's PIN (one line), used when
				    * key_uri names no PIN; or NULL */
	char *public_jwk_path;	   /* "public_jwk_path": JWK Set file holding the public key
				    * of the kid, published at jwks_endpoint instead of
				    * the one read from the token; or NULL */
	bool disable_jwk_security; /* allow http:// and skip certificate checks */
	char **jwk_fingerprints;   /* SHA-256 of SubjectPublicKeyInfo, accepted in any base64
				    * flavour (KrakenD: base64url, padded), stored as
				    * standard padded base64 (44 chars: the form libcurl's
				    * CURLOPT_PINNEDPUBLICKEY takes after "sha256//");
				    * NULL (with a notice) unless jwk_url is https:// */
	size_t njwk_fingerprints;
	uint16_t *cipher_suites; /* IANA numbers, each known to tls_cipher_suite_name();
				  * NULL when absent or [] (library default) */
	size_t ncipher_suites;
	char *jwk_local_ca;	 /* extra trusted CA PEM file, or NULL */
	unsigned cache_duration; /* seconds (900; 0 in the file means 900, as in KrakenD) */
	unsigned failed_jwk_key_cooldown; /* seconds (60); a validator also takes
					   * KrakenD's Go duration string */
	unsigned max_stale;		  /* seconds (86400) */
};

/* The signer block of one endpoint.  Strings are owned by the struct cfg. */
struct cfg_signer {
	enum jws_alg alg;
	char **kids; /* "kid": one string or (extension) a list */
	size_t nkids;
	char **keys_to_sign; /* "keys_to_sign" / "keys-to-sign" */
	size_t nkeys_to_sign;
	struct cfg_keys keys; /* the JWK source, its TLS settings, cache times */
	bool full;	      /* flattened JSON serialization instead of compact */
	char *typ;	      /* "typ" header value; "" omits it (default "JWT") */
	/* Extensions to KrakenD's signer, each off when absent. */
	char *jwks_endpoint; /* "jwks_endpoint": path answering GET with the public
			      * JWK Set, or NULL.  Starts with '/' (prepended if
			      * missing, as for "endpoint"); a fixed path (no
			      * {param}); matched by no signer endpoint of any
			      * method; set on at most one endpoint per path */
	bool set_iat;	     /* "set_iat": add "iat" = now (false) */
	unsigned ttl;	     /* "ttl": seconds, 1 to 2147483647: add "exp" = now +
			      * ttl; 0 when absent (no "exp" added) */
	bool set_nbf;	     /* "nbf_skew" is present */
	unsigned nbf_skew;   /* "nbf_skew": seconds, 0 to 2147483647: add "nbf" =
			      * now - nbf_skew (only with set_nbf) */
};

/* "key_identify_strategy": which token header member names the key. */
enum cfg_kid_strategy {
	CFG_KID_KID = 0,  /* "kid" (default): the kid */
	CFG_KID_X5T,	  /* "x5t": the x5t, else the kid */
	CFG_KID_X5T_S256, /* "x5t#S256": the x5t#S256, else the kid */
	CFG_KID_KID_X5T,  /* "kid_x5t": the kid and the x5t, concatenated */
};

/* One "propagate_claims" entry: ["claim", "Header"]. */
struct cfg_propagate {
	char *claim;  /* non-empty; a dot path ("realm_access.roles") unless it
		       * starts with "http" (a URL-named claim, never split, as
		       * in KrakenD); a dot path has no empty segment */
	char *header; /* an HTTP token (RFC 9110), as written; unique in the
		       * block (ASCII case ignored) */
};

/* The validator block of one endpoint ("auth/validator" or
 * "github.com/devopsfaith/krakend-jose/validator"): KrakenD's settings with
 * KrakenD's meaning, read by config_validator.c.  Strings are owned by the
 * struct cfg; a list that is absent or [] is NULL with a count of 0. */
struct cfg_validator {
	enum jws_alg *algs; /* "alg": a string or (extension) a non-empty list,
			     * without repeats; never "none" */
	size_t nalgs;
	struct cfg_keys keys; /* where the public keys are: as for a signer */
	bool cache;	      /* "cache" as written (false).  KrakenD downloads the
			       * JWK Set for every token unless true; jwtsign always
			       * keeps it for keys.cache_duration (a notice says so
			       * for a jwk_url without "cache": true) */
	char *issuer;	      /* "issuer": the iss every token must carry, or NULL
			       * (absent or "": not checked) */
	char **audience;      /* "audience": each must be in the token's aud */
	size_t naudience;
	char **roles; /* "roles": the token needs one of them in roles_key */
	size_t nroles;
	char *roles_key;	  /* "roles_key" ("roles"; "" means "roles") */
	bool roles_key_is_nested; /* "roles_key_is_nested": roles_key is a dot
				   * path (false; a key starting with "http" is
				   * never split, as in KrakenD) */
	char **scopes;		  /* "scopes": checked in scopes_key */
	size_t nscopes;
	char *scopes_key;		 /* "scopes_key", or NULL; required with scopes (KrakenD
					  * would check nothing without it); a dot path */
	bool scopes_all;		 /* "scopes_matcher": "all" (true) or "any" (false, the
					  * default; "" too) */
	unsigned leeway;		 /* "leeway": seconds of clock skew allowed for exp, nbf
					  * and iat (1, KrakenD's default); a Go duration string
					  * ("30s"), whole seconds kept, at most 24h */
	char *auth_header_name;		 /* "auth_header_name": the request header with
					  * the token, an optional "Bearer " before it
					  * ("Authorization"; "" too); an HTTP token,
					  * stored as Go's CanonicalMIMEHeaderKey */
	char *cookie_key;		 /* "cookie_key": the cookie read when the header
					  * holds no token, or NULL (absent or "": no cookie is
					  * read; KrakenD reads "access_token"); an HTTP token */
	struct cfg_propagate *propagate; /* "propagate_claims" */
	size_t npropagate;
	enum cfg_kid_strategy kid_strategy; /* "key_identify_strategy" */
	bool operation_debug;		    /* "operation_debug": log why each token
					     * is refused, at info level (false) */
	bool require_exp;		    /* "require_exp" (extension): tokens without exp are
					     * refused (true) */
};

struct cfg_backend {
	char **hosts; /* "host" (else the top-level "host"): tried in order.  As in
		       * KrakenD, "http://" is prepended when there is no scheme and
		       * trailing '/' are removed; only http:// and https:// */
	size_t nhosts;
	char *url_pattern;	   /* starts with '/'; each {name} is an endpoint parameter */
	char *method;		   /* default: the endpoint's method */
	struct entity_rules rules; /* what KrakenD does to the answer (entity.h) */
};

/* "strategy" of qos/ratelimit/router: who a client is. */
enum cfg_rl_strategy {
	CFG_RL_NONE = 0, /* absent: KrakenD then applies no client limit */
	CFG_RL_IP,	 /* "ip": the first address of the header "key" when it holds
			  * one, else REMOTE_ADDR */
	CFG_RL_HEADER,	 /* "header": the value of the header "key" */
	CFG_RL_PARAM,	 /* "param": the endpoint's {key} parameter */
};

/* An endpoint's "qos/ratelimit/router" block, with KrakenD's meaning
 * (krakend-ratelimit router.ConfigGetter): a rate is max_rate tokens per
 * "every" (default 1s; shorter counts as 1s), a bucket starts full.  Read
 * by config_ratelimit.c; honoured on signer endpoints (handler.c). */
struct cfg_ratelimit {
	uint64_t interval_us;	     /* "max_rate": microseconds per token of the endpoint's
				      * one bucket; 0 = no endpoint limit (absent or 0) */
	uint64_t capacity;	     /* "capacity" (0 in the file: the rate per second, at
				      * least 1, as KrakenD) */
	uint64_t client_interval_us; /* "client_max_rate": per client; 0 = none */
	uint64_t client_capacity;    /* "client_capacity" (default as for capacity) */
	enum cfg_rl_strategy strategy;
	char *key; /* "key": the header (ip: the one to trust, or NULL) or
		    * the parameter name */
};

/* The failed-login throttle (extension): the endpoint's extra_config
 * "jwtsign": {"failed_login": {...}}.  Off (max_failures 0) when absent.
 * Read by config_ratelimit.c. */
struct cfg_login_throttle {
	unsigned max_failures; /* "max_failures": 1 to 4095 failures of one
				* username within window, then 429 */
	unsigned window_ms;    /* "window": Go duration (15m), at most 24h */
	char *username;	       /* "username": JSON Pointer into the login body
				* (e.g. "/user"), or NULL (per client only) */
	int statuses[8];       /* "failure_statuses": backend statuses that count
				* as a failed login, 400 to 599 ([401, 403]) */
	size_t nstatuses;
	unsigned client_max_failures; /* "client_max_failures": failures of one client
				       * (any username) within window, 0 = not counted
				       * (10 x max_failures, at most 4095) */
};

struct cfg_endpoint {
	char *endpoint;	     /* public path, starts with '/' (prepended if missing, as
			      * KrakenD does); may contain whole "{param}" segments */
	char *method;	     /* upper case; default "GET" as in KrakenD */
	unsigned timeout_ms; /* endpoint "timeout", else top-level, else 2000 */
	/* "input_headers": the client headers sent to the backend (names as
	 * written; "*" for all), NULL when absent: Content-Type only, as in
	 * KrakenD.  "input_query_strings" likewise (absent: none). */
	char **input_headers;
	size_t ninput_headers;
	char **input_query;
	size_t ninput_query;
	struct cfg_backend backend;	    /* zeroed when !has_signer: the backend of
					     * a protected endpoint is the web server's */
	struct cfg_signer signer;	    /* when has_signer */
	bool has_signer;		    /* "auth/signer" (or the old namespace) */
	struct cfg_validator validator;	    /* when has_validator */
	bool has_validator;		    /* "auth/validator" (or the old namespace) */
	bool has_ratelimit;		    /* "qos/ratelimit/router" on a signer endpoint */
	struct cfg_ratelimit ratelimit;	    /* when has_ratelimit */
	struct cfg_login_throttle throttle; /* "jwtsign" "failed_login" (max_failures
					     * 0: off); signer endpoints only */
	/* Why this endpoint is never served (fail closed: a setting it holds
	 * that jwtsign does not honour yet would change who gets a token),
	 * or NULL.  Requests get 503 not_configured, check-config an error. */
	char *refused;
};

struct cfg {
	char *path;			/* the file it was loaded from (for messages) */
	struct cfg_endpoint *endpoints; /* endpoints with a signer block, a
					 * validator block or both, in file
					 * order */
	size_t nendpoints;
	size_t nsigners;   /* of them, with a signer block (served by jwtsign) */
	size_t nprotected; /* of them, with a validator and no signer (served
			    * by the web server, authorized by jwtsign) */
	size_t nignored;   /* endpoints with neither block, skipped */
	struct cfg_limits limits;
	struct cors cors; /* the service's "security/cors" (enabled: present) */
	/* The settings jwtsign does not honour, one line each ("endpoint
	 * \"/token\": namespace \"qos/ratelimit/proxy\" is ignored: ...").
	 * for check-config; each was logged at load. */
	char **notices;
	size_t nnotices;
};

/* config.c (the document; one signer block is read by config_signer.c,
 * one backend by config_backend.c) */

/* cfg_default_path - the default config file:
 * SYSCONFDIR "/jwtsign/jwtsign.json" (static string). */
const char *cfg_default_path(void);

/* cfg_load - read and parse the file at path (see cfg_parse).  The file
 * may be at most 4 MiB.  Errors: ERR_IO (cannot read; message has the
 * path and strerror), ERR_LIMIT (larger than 4 MiB), else as cfg_parse. */
int cfg_load(const char *path, struct cfg **out, struct err *err);

/* cfg_parse - parse a configuration document (len bytes).  name is used
 * in messages (usually the file path).  On success *out is a new struct
 * cfg, freed with cfg_free(); on failure *out is NULL.  Each endpoint
 * with neither a signer nor a validator block is skipped with an info log
 * line (written only when the whole file is valid).  JSON null counts as an absent setting.
 * Unknown settings in a signer block are logged as warnings; unknown
 * settings in the "jwtsign" block are errors.  "version", when present,
 * must be 2 or 3.  The JSON must be standard: the document is read by
 * gojson_parse_ex (gojson.h: RFC 8259, whole input, none of the
 * extensions json-c 0.16 still allows in strict mode such as single
 * quotes, NaN, Infinity, "1.", raw control bytes, no key holding U+0000)
 * with ill-formed UTF-8 refused; integers out of the 64-bit range are
 * refused by the range of their setting.  A JSON error gives the line and
 * the column.
 * Errors (ERR_INVALID, message naming the file, the endpoint and the
 * setting): not a JSON object; wrong types; unknown alg (ERR_UNSUPPORTED);
 * both spellings of a setting with different values; no kid; no
 * keys_to_sign; a keys_to_sign entry that fails signer_check_key (a JSON
 * Pointer with a '~' not followed by '0' or '1'); a "ttl" not an integer
 * from 1 to 2147483647, a "nbf_skew" not an integer from 0 to
 * 2147483647, a "set_iat" not a boolean; a "jwks_endpoint" that is not a
 * non-empty string, holds blanks, control characters, '?', '#', '{' or
 * '}', is matched by a signer endpoint, or is set on two endpoints;
 * neither or both of jwk_url/jwk_local_path; a jwk_url not
 * https:// without disable_jwk_security; more than one backend; no host;
 * a malformed duration; an unknown cipher suite number; a malformed
 * endpoint pattern or a url_pattern {name} the endpoint lacks; two
 * loaded endpoints with the same route (method and pattern); "secret_url",
 * "cypher_key" or "cipher_key" (encrypted key files: ERR_UNSUPPORTED); a
 * validator block's errors (struct cfg_validator: "none" or an unknown
 * alg (ERR_UNSUPPORTED), scopes without scopes_key, an unknown
 * scopes_matcher or key_identify_strategy, a leeway that is not a Go
 * duration string, a header or cookie name that is no HTTP token, a
 * propagate_claims entry that is not a ["claim","Header"] pair or names a
 * header twice); no endpoint with a signer or a validator block at all.
 * ERR_NOMEM. */
int cfg_parse(const char *doc, size_t len, const char *name, struct cfg **out, struct err *err);

/* cfg_free - release a configuration.  NULL-safe. */
void cfg_free(struct cfg *cfg);

/* config_value.c */

/* cfg_parse_duration - parse a Go/KrakenD duration ("2s", "500ms",
 * "1m30s", "1.5s", "100us", "0") into milliseconds: Go's
 * time.ParseDuration syntax (units ns, us, µs (U+00B5 or U+03BC), ms, s,
 * m, h; decimal fractions; several components; optional '+'), the total
 * rounded up to the next whole millisecond ("1ns" is 1 ms).  A '-' sign,
 * a missing unit on a non-zero number, an unknown unit, blanks, or a
 * result over 24 h are ERR_INVALID (and *ms is left unchanged). */
int cfg_parse_duration(const char *s, unsigned *ms);

#endif
