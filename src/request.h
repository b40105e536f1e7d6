/* request.h - one HTTP request as jwtsign sees it, read from a CGI or
 * FastCGI environment and body stream.  The reader enforces the body limit
 * and CONTENT_LENGTH rules; the handler never does I/O with the client.
 */
#ifndef JWTSIGN_REQUEST_H
#define JWTSIGN_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Where a request comes from: a parameter lookup and a body reader.  For
 * CGI these are getenv() and read(0); for FastCGI FCGX_GetParam() and
 * FCGX_GetStr(). */
struct request_source {
	/* Value of a CGI meta-variable, or NULL when absent.  Borrowed. */
	const char *(*param)(void *ctx, const char *name);
	/* Read up to n bytes into p.  Returns bytes read (0 at end of input),
	 * or -1 on a read error. */
	long (*read)(void *ctx, void *p, size_t n);
	void *ctx;
};

struct request {
	char *method;	     /* REQUEST_METHOD, e.g. "POST" */
	char *path;	     /* REQUEST_URI without query, else SCRIPT_NAME + PATH_INFO */
	char *content_type;  /* CONTENT_TYPE or NULL */
	char *remote_addr;   /* REMOTE_ADDR or NULL */
	char *forwarded_for; /* HTTP_X_FORWARDED_FOR or NULL */
	uint8_t *body; /* exactly body_len bytes (+ a NUL not counted); never NULL after read */
	size_t body_len;
	/* Set when the request itself is unacceptable: the HTTP status (400,
	 * 413) and the short error code to answer with; 0/NULL otherwise. */
	int reject_status;
	const char *reject_code;
};

/* request_read - fill req from src.  The body is read only when
 * CONTENT_LENGTH is present: exactly CONTENT_LENGTH bytes (extra bytes are
 * not read); a missing CONTENT_LENGTH means an empty body, without reading.
 * Client faults do not fail the call: they set reject_status/reject_code:
 *   400 "bad_request"     CONTENT_LENGTH not a non-negative decimal number;
 *   413 "body_too_large"  CONTENT_LENGTH above max_body (bytes): the body
 *                         is not read;
 *   400 "incomplete_body" the stream ended before CONTENT_LENGTH bytes.
 * req must be zeroed or freed before; release with request_free().
 * Returns 0, ERR_NOMEM, or ERR_IO (read error from the server). */
int request_read(struct request *req, const struct request_source *src, size_t max_body,
		 struct err *err);

/* request_free - release everything req owns and zero it.  NULL-safe. */
void request_free(struct request *req);

#endif
