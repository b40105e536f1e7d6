/* route.h - the route grammar, below the configuration: the endpoint
 * and url_pattern patterns (KrakenD/gin semantics: a {name} endpoint
 * segment matches one non-empty path segment), matching one pattern
 * against a request path, the priority of a literal pattern over one with
 * parameters, and the expansion of {param} placeholders in a backend
 * url_pattern.  config*.c check the configured patterns with it;
 * router.c chooses among the configured endpoints with it. */
#ifndef JWTSIGN_ROUTE_H
#define JWTSIGN_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define ROUTE_MAX_PARAMS 16

/* Parameters captured by a match.  Names and values point into the
 * endpoint pattern and the request path respectively (not NUL-terminated),
 * so they are valid while both are. */
struct route_params {
	size_t n;
	struct {
		const char *name;
		size_t name_len;
		const char *value;
		size_t value_len;
	} p[ROUTE_MAX_PARAMS];
};

/* route_match - whether path (the URL path without query string, not
 * percent-decoded) matches the endpoint pattern pat; fills p (may be
 * NULL) with the captured parameters on success.  Segments are compared
 * byte for byte; a trailing '/' is significant ("/token" and "/token/"
 * differ, as in KrakenD/gin).  A {name} segment matches one non-empty
 * segment whose raw bytes hold no blank, control byte, '?', '#' or
 * malformed percent-escape and which, decoded once and up to four times
 * (a backend may decode twice), is no dot segment ("." or "..") and holds
 * no '/', '\\', ';', NUL or control byte. */
bool route_match(const char *pat, const char *path, struct route_params *p);

/* route_is_literal - whether the endpoint pattern pat has no parameter. */
bool route_is_literal(const char *pat);

/* route_better - whether a pattern that matched should replace the best
 * match so far (best: its pattern, NULL when none): a literal pattern wins
 * over one with parameters, else the first in file order (gin's static
 * routes first). */
bool route_better(const char *pattern, const char *best);

/* route_expand - append url_pattern to out with each {name} replaced by
 * the value captured for name (raw bytes as in the request path, not
 * decoded or re-encoded).  A '{' without '}' is copied as is (cfg_parse
 * refuses such patterns).  On failure out keeps its previous length.
 * params may be NULL (no parameters).  Returns 0, ERR_NOMEM, ERR_LIMIT,
 * or ERR_INVALID when the pattern names a parameter the endpoint lacks. */
int route_expand(struct buf *out, const char *url_pattern, const struct route_params *params,
		 struct err *err);

/* route_check_path - bytes never allowed in a configured path p
 * (borrowed, NUL-terminated): control bytes, space, DEL, '#', and '?'
 * unless query_ok (a url_pattern may carry a query string).  Returns 0 or
 * ERR_INVALID, with a message such as "character '#' not allowed in a
 * path" that does not repeat p (the caller names the setting and p). */
int route_check_path(const char *p, bool query_ok, struct err *err);

/* route_check_endpoint - check an endpoint pattern (starts with '/'):
 * route_check_path without '?', each {name} a whole segment of letters,
 * digits, '_', '-', '.', names unique, at most ROUTE_MAX_PARAMS of them.
 * Returns 0 or ERR_INVALID; the message does not repeat the pattern. */
int route_check_endpoint(const char *pattern, struct err *err);

/* route_check_url_pattern - check a backend url_pattern up against the
 * endpoint pattern ep (both borrowed, checked by route_check_endpoint for
 * ep): route_check_path with '?' allowed, no lone '}', each '{' opening a
 * "{name}" placeholder that names a parameter of ep.  Returns 0 or
 * ERR_INVALID; the message does not repeat up. */
int route_check_url_pattern(const char *up, const char *ep, struct err *err);

/* route_same - whether the endpoint patterns a and b (borrowed) have the
 * same segments, any {param} being equal to any other: with the same
 * method, gin would refuse the pair, and the second could never be
 * reached. */
bool route_same(const char *a, const char *b);

/* route_normalize - the path a web server serves for the raw request
 * path raw (REQUEST_URI without its query), into out (reset first; the
 * caller frees it): percent-escapes decoded, empty and "." segments
 * dropped, ".." removing the segment before it (RFC 3986 section 5.2.4),
 * a trailing '/' kept ("/a/b/.." is "/a/").  The authorizer matches this,
 * not the raw bytes: lighttpd, Apache and nginx serve /api/doc/secret for
 * /api/doc/%73ecret or /api/x/../doc//secret, so a raw match would let a
 * token for one route open another.  ERR_INVALID (the caller denies): no
 * leading '/', a malformed escape, an escaped '/' (%2F: servers differ on
 * it), a '\\', NUL or control byte, ".." above the root.  ERR_NOMEM. */
int route_normalize(const char *raw, struct buf *out);

#endif
