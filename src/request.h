/* request.h - one HTTP request as jwtsign sees it, read from a CGI or
 * FastCGI environment and body stream.  The reader enforces the body limit
 * and CONTENT_LENGTH rules; the handler never does I/O with the client.
 */
#ifndef JWTSIGN_REQUEST_H
#define JWTSIGN_REQUEST_H

#include <stdbool.h>
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
	/* Every meta-variable as "NAME=value" (NULL-terminated; borrowed: the
	 * CGI environ or the FastCGI request's envp), for the client headers
	 * (HTTP_*) an endpoint forwards; NULL: none. */
	char *const *env;
};

struct request {
	char *method;	     /* REQUEST_METHOD, e.g. "POST" */
	char *path;	     /* REQUEST_URI without query, else SCRIPT_NAME + PATH_INFO */
	char *content_type;  /* CONTENT_TYPE or NULL */
	char *remote_addr;   /* REMOTE_ADDR or NULL */
	char *forwarded_for; /* HTTP_X_FORWARDED_FOR or NULL */
	char *if_none_match; /* HTTP_IF_NONE_MATCH or NULL (jwks_endpoint) */
	char *query;	     /* QUERY_STRING (raw, without '?') or NULL */
	/* Every HTTP_* meta-variable of the source's env, as "HTTP_NAME=value"
	 * copies (the client's headers, for input_headers); wiped when freed
	 * (Authorization, Cookie). */
	char **headers;
	size_t nheaders;
	uint8_t *body; /* exactly body_len bytes (+ a NUL not counted); never NULL after read */
	size_t body_len;
	size_t body_alloc; /* bytes allocated at body: wiped by request_free (a
			    * login body holds credentials) */
	/* The authorizer role (handler.h, handle_authorize): FCGI_ROLE
	 * AUTHORIZER (set by main.c) or JWTSIGN_MODE=authorizer.  mode_invalid:
	 * JWTSIGN_MODE held an unknown value (every such request is denied). */
	bool authorizer;
	bool mode_invalid;
	/* Set when the request itself is unacceptable: the HTTP status (400,
	 * 413) and the short error code to answer with; 0/NULL otherwise. */
	int reject_status;
	const char *reject_code;
	char reject_why[128]; /* what was wrong, for the log line ("" if none) */
	/* Bytes of the announced body left unread (body refused, or extra
	 * input of a chunked request); see request_drain(). */
	unsigned long long unread;
	int unread_to_eof; /* the body's end is the end of input */
};

/* request_read - fill req from src.  With CONTENT_LENGTH, exactly that
 * many bytes are read (extra bytes are not read, RFC 3875 section 4.2).
 * Without it the body is empty and nothing is read, except when
 * HTTP_TRANSFER_ENCODING names "chunked": some servers (Apache mod_cgi)
 * pass a de-chunked body without a length, which is then read to the end
 * of input.
 * Client faults do not fail the call: they set reject_status/reject_code:
 *   400 "bad_request"     CONTENT_LENGTH not a non-negative decimal number;
 *   413 "body_too_large"  CONTENT_LENGTH above max_body (bytes): the body
 *                         is not read;
 *   400 "incomplete_body" the stream ended before CONTENT_LENGTH bytes.
 * req must be zeroed or freed before; release with request_free().
 * Returns 0, ERR_NOMEM, or ERR_IO (read error from the server). */
int request_read(struct request *req, const struct request_source *src, size_t max_body,
		 struct err *err);

/* request_drain - read and discard what is left of a body that was not
 * read (a refused body, or the rest of a chunked one), at most max bytes,
 * so the web server can finish writing it: Apache mod_cgid resets the
 * client's connection when a CGI program leaves input unread.  Call it
 * after the response was written.  Errors are ignored. */
void request_drain(struct request *req, const struct request_source *src, size_t max);

/* request_header - the value of the client header whose meta-variable
 * is var ("HTTP_AUTHORIZATION"), from req->headers, or NULL.  Borrowed. */
const char *request_header(const struct request *req, const char *var);

/* request_free - release everything req owns (the body wiped first: a
 * login holds credentials) and zero it.  NULL-safe. */
void request_free(struct request *req);

#endif
