/* cors.h - KrakenD's service-level "security/cors" (krakend-cors over
 * rs/cors v1.11): a browser's preflight (OPTIONS with
 * Access-Control-Request-Method) is answered on any path before routing,
 * and actual answers carry the CORS headers, so that a single-page
 * application can log in cross-origin.  The rules are read by config.c. */
#ifndef JWTSIGN_CORS_H
#define JWTSIGN_CORS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct cors {
	bool enabled;	      /* "security/cors" is present */
	char **origins;	      /* lower case; "*" anywhere: all (origins_all) */
	size_t norigins;      /* an entry may hold one '*' wildcard */
	bool origins_all;     /* */
	char **methods;	      /* allow_methods; default GET, POST, HEAD */
	size_t nmethods;      /* */
	char **headers;	      /* allow_headers, lower case; default: all */
	size_t nheaders;      /* */
	bool headers_all;     /* */
	char *expose;	      /* expose_headers canonicalised, ", "-joined, or NULL */
	bool credentials;     /* allow_credentials */
	unsigned max_age;     /* seconds; 0: no Access-Control-Max-Age */
	int preflight_status; /* options_success_status; default 204 */
};

/* cors_is_preflight - whether a request of method with the
 * Access-Control-Request-Method value acrm (NULL when absent) is a CORS
 * preflight. */
bool cors_is_preflight(const char *method, const char *acrm);

/* cors_preflight - the header lines ("Name: value\r\n") of the answer to a
 * preflight, appended to out, and its status in *status (c->
 * preflight_status): Vary always; the Access-Control-Allow-* headers only
 * when the origin, the requested method acrm and every requested header
 * acrh (may be NULL) are allowed.  All strings borrowed.  Returns 0 or
 * ERR_NOMEM. */
int cors_preflight(const struct cors *c, const char *origin, const char *acrm, const char *acrh,
		   struct buf *out, int *status);

/* cors_actual - the header lines of an actual answer to a request of
 * method from origin (may be NULL), appended to out: Vary: Origin always;
 * Access-Control-Allow-Origin (with Expose-Headers and Allow-Credentials
 * when set) when the origin and the method are allowed.  Returns 0 or
 * ERR_NOMEM. */
int cors_actual(const struct cors *c, const char *origin, const char *method, struct buf *out);

/* cors_free - release what c owns and zero it.  NULL-safe. */
void cors_free(struct cors *c);

#endif
