/* config_int.h - what the files of the configuration reader share
 * (config.c: the document and the endpoints; config_value.c: typed
 * settings and messages; config_keys.c: the key source a signer and a
 * validator share; config_signer.c: the signer block; config_backend.c:
 * the backend).  Private to them: config.h is the
 * public interface.
 *
 * Every function taking a struct cfg_pctx returns 0 or a negative
 * enum err_code, and on error has filled c->err with a message naming the
 * file, the endpoint, the section and the setting (see cfg_fail).  No
 * function here allocates on its error path except to free.
 */
#ifndef JWTSIGN_CONFIG_INT_H
#define JWTSIGN_CONFIG_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "err.h"

#define CFG_SHOW 64 /* buffer for a value echoed in a message */

/* Where a message points: file, endpoint, section. */
struct cfg_pctx {
	struct cfg *cfg; /* being built: notices go to cfg->notices */
	const char *name;
	char ep[160];  /* `endpoint "/token"` or `endpoints[3]`; "" at top level */
	char sect[96]; /* `extra_config "auth/signer"`, `backend[0]`, or "" */
	struct err *err;
};

/* config_value.c: messages */

/* cfg_fail - record an error "NAME[: EP][: SECT][: "SETTING"]: MESSAGE"
 * in c->err (setting may be NULL; the message is printf-formatted and
 * truncated to ERR_MSG_SIZE).  Returns code. */
int cfg_fail(struct cfg_pctx *c, int code, const char *setting, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* cfg_nomem - record "NAME: out of memory".  Returns ERR_NOMEM. */
int cfg_nomem(struct cfg_pctx *c);

/* cfg_show - a value safe to echo, written to out and returned: at most
 * ~48 bytes of s (len bytes; cut on a UTF-8 boundary, then "..."), control
 * bytes, '"' and '\\' shown as '?'.  cfg_show_str: of a C string. */
const char *cfg_show(char out[CFG_SHOW], const char *s, size_t len);
const char *cfg_show_str(char out[CFG_SHOW], const char *s);

/* cfg_jtype - "a string", "a number", ... (static) for "expected X, got
 * Y" messages. */
const char *cfg_jtype(json_object *v);

/* config_value.c: accessors (v and obj are borrowed json-c values) */

/* cfg_member - the member key of obj, or NULL when absent or JSON null.
 * Setting names match as Go's encoding/json matches struct fields, which
 * KrakenD uses: the exact name first, else any ASCII case ("Alg",
 * "KEYS_TO_SIGN"); cfg_check_names refuses two names of one setting. */
json_object *cfg_member(json_object *obj, const char *key);

/* cfg_ns - the extra_config namespace ns (an exact map key: KrakenD
 * reads extra_config as a map), or NULL. */
json_object *cfg_ns(json_object *extra_config, const char *ns);

/* cfg_check_names - ERR_INVALID (naming both) when two member names of
 * obj differ only in ASCII case: Go would let the last one win; jwtsign
 * refuses the ambiguity.  For objects read with cfg_member only (not maps
 * such as extra_config). */
int cfg_check_names(struct cfg_pctx *c, json_object *obj);

/* cfg_aliased - the value of a setting with two accepted spellings (a,
 * b) in *out (NULL when neither), and in *used the spelling found.  Both
 * present with different values is ERR_INVALID. */
int cfg_aliased(struct cfg_pctx *c, json_object *obj, const char *a, const char *b,
		json_object **out, const char **used);

/* cfg_want_string - v must be a string without NUL bytes; *out borrows it
 * from v.  cfg_want_nonempty: and not "".  ERR_INVALID. */
int cfg_want_string(struct cfg_pctx *c, json_object *v, const char *setting, const char **out);
int cfg_want_nonempty(struct cfg_pctx *c, json_object *v, const char *setting, const char **out);

/* cfg_dup_str - *out = a malloc'd copy of s (caller frees).  ERR_NOMEM. */
int cfg_dup_str(struct cfg_pctx *c, const char *s, char **out);

/* cfg_opt_bool - optional boolean member key: absent leaves *out
 * unchanged; not a boolean is ERR_INVALID. */
int cfg_opt_bool(struct cfg_pctx *c, json_object *obj, const char *key, bool *out);

/* cfg_want_int - v must be an integer in [min, max] (json-c's clamped
 * values count as out of range).  ERR_INVALID. */
int cfg_want_int(struct cfg_pctx *c, json_object *v, const char *setting, long long min,
		 long long max, long long *out);

/* cfg_opt_duration - optional Go duration string member key
 * (cfg_parse_duration), in milliseconds: absent leaves *ms unchanged;
 * malformed, over 24 h or zero is ERR_INVALID. */
int cfg_opt_duration(struct cfg_pctx *c, json_object *obj, const char *key, unsigned *ms);

/* cfg_want_strv - v must be a non-empty array of non-empty strings
 * without NUL bytes; *out receives malloc'd copies (n in *nout; free with
 * cfg_free_strv).  ERR_INVALID, ERR_NOMEM (nothing left allocated). */
int cfg_want_strv(struct cfg_pctx *c, json_object *v, const char *setting, char ***out,
		  size_t *nout);

/* cfg_free_strv - free n strings and the array.  NULL-safe. */
void cfg_free_strv(char **v, size_t n);

/* config_value.c: paths */

/* cfg_clean_path - KrakenD's CleanPath: *out = a malloc'd copy of in
 * starting with '/' (prepended if missing).  ERR_NOMEM. */
int cfg_clean_path(struct cfg_pctx *c, const char *in, char **out);

/* cfg_check_path, cfg_check_endpoint, cfg_check_url_pattern - the
 * route grammar's checks (route_check_path, route_check_endpoint,
 * route_check_url_pattern) on a setting, their message prefixed with the
 * setting and the value.  ERR_INVALID. */
int cfg_check_path(struct cfg_pctx *c, const char *setting, const char *p, bool query_ok);
int cfg_check_endpoint(struct cfg_pctx *c, const char *ep);
int cfg_check_url_pattern(struct cfg_pctx *c, const char *up, const char *ep);

/* config_keys.c */

/* Which block a struct cfg_keys is read for: the one difference is
 * failed_jwk_key_cooldown, a Go duration string in KrakenD's validator
 * (also accepted there) and seconds only in a signer. */
enum cfg_keys_block { CFG_KEYS_SIGNER = 0, CFG_KEYS_VALIDATOR };

/* The settings cfg_parse_keys reads, for a block's list of known names. */
#define CFG_KEYS_NAMES                                                                             \
	"jwk_url", "jwk-url", "jwk_local_path", "jwk-local-path", "disable_jwk_security",          \
	    "jwk_fingerprints", "cipher_suites", "jwk_local_ca", "cache_duration",                 \
	    "failed_jwk_key_cooldown", "max_stale"

/* cfg_parse_keys - fill k from the block obj: exactly one of jwk_url /
 * jwk_local_path (a jwk_url https://, or http:// with
 * disable_jwk_security), the TLS settings (jwk_fingerprints ignored with a
 * notice unless the URL is https://), cache_duration (900; 0 means 900),
 * failed_jwk_key_cooldown (60), max_stale (86400), each as config.h says.
 * In a signer block (CFG_KEYS_SIGNER) key_uri may replace both sources,
 * with pin_file and public_jwk_path (checked with jwk_pkcs11_uri_check; a
 * pin-value is warned about).
 * On error k may be partly filled: cfg_free_keys frees it.  ERR_INVALID,
 * ERR_NOMEM. */
/* The settings of a signer's key_uri (jwtsign extensions). */
#define CFG_KEYS_P11_NAMES "key_uri", "pin_file", "public_jwk_path"

int cfg_parse_keys(struct cfg_pctx *c, json_object *obj, enum cfg_keys_block block,
		   struct cfg_keys *k);

/* cfg_keys_refused - ERR_UNSUPPORTED when the member key (value val) asks
 * for an encrypted JWK file ("secret_url", "cypher_key" (KrakenD's
 * spelling) or "cipher_key", not null or "");
 * else 0. */
int cfg_keys_refused(struct cfg_pctx *c, const char *key, json_object *val);

/* cfg_free_keys - free what k owns (not k).  Safe on a partly filled or
 * zeroed k. */
void cfg_free_keys(struct cfg_keys *k);

/* config_signer.c */

/* cfg_parse_signer - fill s from the signer block obj (see config.h for
 * the settings, their defaults and errors); unknown settings are logged
 * as warnings.  On error s may be partly filled: cfg_free_signer frees
 * it. */
int cfg_parse_signer(struct cfg_pctx *c, json_object *obj, struct cfg_signer *s);

/* cfg_free_signer - free what s owns (not s).  Safe on a partly filled
 * or zeroed s. */
void cfg_free_signer(struct cfg_signer *s);

/* config_validator.c */

/* cfg_parse_validator - fill v from the validator block obj (see config.h
 * for the settings, their defaults and errors); unknown settings are
 * notices.  On error v may be partly filled: cfg_free_validator frees
 * it. */
int cfg_parse_validator(struct cfg_pctx *c, json_object *obj, struct cfg_validator *v);

/* cfg_free_validator - free what v owns (not v).  Safe on a partly filled
 * or zeroed v. */
void cfg_free_validator(struct cfg_validator *v);

/* config_backend.c */

/* cfg_is_token - s is a non-empty RFC 9110 token (a method, a header or
 * cookie name). */
bool cfg_is_token(const char *s);

/* cfg_parse_method - *out = the "method" member of obj (an RFC 9110
 * token) or dflt, upper-cased, malloc'd.  ERR_INVALID, ERR_NOMEM. */
int cfg_parse_method(struct cfg_pctx *c, json_object *obj, const char *dflt, char **out);

/* cfg_parse_backend - fill e->backend from the endpoint object's one
 * "backend" (hosts, else default_hosts; url_pattern checked against
 * e->endpoint; method, default e->method).  ERR_INVALID, ERR_NOMEM. */
int cfg_parse_backend(struct cfg_pctx *c, json_object *ep_obj, json_object *default_hosts,
		      struct cfg_endpoint *e);

/* config_ratelimit.c */

/* cfg_parse_ratelimit - the endpoint's "qos/ratelimit/router" block obj
 * into r (e: the endpoint, for a "param" key's check).  ERR_INVALID
 * naming the setting, ERR_NOMEM. */
int cfg_parse_ratelimit(struct cfg_pctx *c, json_object *obj, const struct cfg_endpoint *e,
			struct cfg_ratelimit *r);

/* cfg_parse_endpoint_jwtsign - the endpoint's "jwtsign" block obj (the
 * extension settings of one endpoint: "failed_login") into e.
 * ERR_INVALID, ERR_NOMEM. */
int cfg_parse_endpoint_jwtsign(struct cfg_pctx *c, json_object *obj, struct cfg_endpoint *e);

/* cfg_free_ratelimit - free what e's ratelimit and throttle own. */
void cfg_free_ratelimit(struct cfg_endpoint *e);

/* config_cors.c */

/* cfg_parse_cors - the service's "security/cors" object obj into *r
 * (zeroed first; freed with cors_free), with krakend-cors's defaults: all
 * origins, all headers, GET/POST/HEAD, preflight status 204 (rs/cors).
 * Errors: ERR_INVALID naming the setting, ERR_NOMEM. */
int cfg_parse_cors(struct cfg_pctx *c, json_object *obj, struct cors *r);

/* config_known.c */

/* Where cfg_check_known looks: a level's settings, or extra_config
 * namespaces (exact map keys). */
enum cfg_level {
	CFG_TOP = 0,
	CFG_ENDPOINT,
	CFG_BACKEND,
	CFG_SERVICE_NS,
	CFG_ENDPOINT_NS,
	CFG_BACKEND_NS,
};

/* cfg_notice - a setting of the file that jwtsign does not honour: logged
 * (warn) with the file, endpoint and section, and kept in c->cfg->notices
 * for check-config (out of memory: logged only). */
void cfg_notice(struct cfg_pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cfg_check_known - a notice for each member of obj (a level's object, or
 * an extra_config object for the _NS levels) that jwtsign ignores with a
 * consequence, or does not know ("did you mean" an ignored name).  An
 * unknown name that is a likely typo of a name jwtsign honours
 * ("auth/validatr", "Auth/Validator", "extra_confg") is refused: ignoring
 * it would drop a validator, a rate limit or a signer in silence.
 * Returns 0 or ERR_INVALID (recorded with cfg_fail). */
int cfg_check_known(struct cfg_pctx *c, json_object *obj, enum cfg_level level);

/* cfg_suggest - the name of names[0..n-1] that name is a likely typo of
 * (at most 2 edits, ASCII case ignored), or NULL.  Borrowed. */
const char *cfg_suggest(const char *name, const char *const *names, size_t n);

/* cfg_unknown - an unknown what ("setting", "namespace") name, where
 * names[0..n-1] are the names honoured there: a likely typo of one of
 * them is refused (ERR_INVALID, through cfg_fail, "did you mean"); any
 * other name gets a notice and 0. */
int cfg_unknown(struct cfg_pctx *c, const char *what, const char *name, const char *const *names,
		size_t n);

#endif
