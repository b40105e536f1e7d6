/* response.h - the answer to one request, built by the handler and
 * serialized in one piece (CGI/FastCGI header block + body), so a client
 * gets a complete response or nothing.
 */
#ifndef JWTSIGN_RESPONSE_H
#define JWTSIGN_RESPONSE_H

#include <stddef.h>

#include "buf.h"

struct response {
	int status;		/* HTTP status code */
	char content_type[256]; /* Content-Type value */
	char allow[64];		/* Allow header value for 405, or "" */
	unsigned retry_after;	/* Retry-After seconds for 503, or 0 */
	int no_store;		/* send Cache-Control: no-store and Pragma: no-cache */
	char cache_control[64]; /* another Cache-Control value (when !no_store), or "" */
	char etag[80];		/* ETag header value (quoted), or "" */
	int nosniff;		/* send X-Content-Type-Options: nosniff */
	/* More header lines, "Name: value\r\n" each, control bytes already
	 * removed (owned): a backend's headers passed on with its 4xx. */
	struct buf headers;
	struct buf body; /* the body bytes (owned) */
	/* For the metrics (metrics.h): the error code of the body that
	 * response_error wrote (static), and the path of the endpoint that
	 * answered (borrowed from the configuration); NULL when none. */
	const char *error;
	const char *endpoint;
};

/* response_init - an empty 500 response with no body.  Does not free. */
void response_init(struct response *r);

/* response_free - release the body and the header lines.  NULL-safe. */
void response_free(struct response *r);

/* response_error - replace r's contents with status and the JSON body
 * {"error":"CODE"} (code: a short static [a-z_] word), Content-Type
 * application/json; charset=utf-8, no-store.  Keeps allow/retry_after;
 * drops the extra header lines. */
void response_error(struct response *r, int status, const char *code);

/* response_reason - the reason phrase for status: the IANA registry's
 * (RFC 9110 section 15, "OK", "Bad Gateway", ...; 499 as nginx names it),
 * else the class's ("Client Error" for an unregistered 4xx, ...).  Static. */
const char *response_reason(int status);

/* response_serialize - append the CGI response (RFC 3875 section 6:
 * "Status: NNN Reason", Content-Type, Content-Length, the optional headers,
 * a blank line, the body) to out.  Returns 0 or ERR_NOMEM. */
int response_serialize(const struct response *r, struct buf *out);

/* RESPONSE_OOM - the complete CGI response sent when the real one cannot
 * be serialized: 500, {"error":"internal_error"}. */
#define RESPONSE_OOM                                                                               \
	"Status: 500 Internal Server Error\r\nContent-Type: application/json; "                    \
	"charset=utf-8\r\nContent-Length: 26\r\n\r\n{\"error\":\"internal_error\"}"

/* response_emit - serialize r into out for sending in one piece.
 * out: caller-owned, reused across requests; emptied first (memory kept).
 * p, n: out; the bytes to send and their count: out->data and out->len,
 *       or, when serializing ran out of memory, the static RESPONSE_OOM
 *       (then out is freed: it is empty and usable for the next request).
 * Returns 0 (p points into out) or ERR_NOMEM (p is RESPONSE_OOM); both
 * leave something complete to send. */
int response_emit(const struct response *r, struct buf *out, const char **p, size_t *n);

#endif
