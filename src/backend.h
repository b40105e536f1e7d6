/* backend.h - the call to the login backend over HTTP(S) with libcurl.
 * One struct backend per process holds one reusable libcurl handle, so
 * connections are kept alive across FastCGI requests.
 */
#ifndef JWTSIGN_BACKEND_H
#define JWTSIGN_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct backend;

/* One more request header: name and value, borrowed. */
struct backend_header {
	const char *name, *value;
};

struct backend_request {
	const char *url;     /* absolute http(s) URL */
	const char *method;  /* e.g. "POST" */
	const uint8_t *body; /* forwarded exactly, body_len bytes (may hold NULs) */
	size_t body_len;
	const char *content_type;	      /* the client's Content-Type, or NULL */
	const char *forwarded_for;	      /* X-Forwarded-For value to send, or NULL */
	const struct backend_header *headers; /* the client headers the endpoint
					       * forwards (input_headers) */
	size_t nheaders;
	unsigned timeout_ms; /* whole exchange */
	unsigned connect_timeout_ms;
	size_t max_response; /* body cap in bytes */
	size_t max_header;   /* cap on the answer's header block (status line
			      * and every header line), bytes; 0: no cap of
			      * ours (libcurl still refuses one line > 100 KiB) */
};

struct backend_reply {
	long status; /* HTTP status */
	/* Content-Type of the answer (control bytes removed), or "" when there
	 * was none or it did not fit (then it is not taken for JSON). */
	char content_type[256];
	struct buf body; /* body bytes, at most max_response (after libcurl
			  * removed any content coding it offered) */
	/* The answer's headers a client needs when a 4xx is passed on, as
	 * "Name: value\r\n" lines (control bytes removed), in
	 * BACKEND_KEPT_HEADERS order: see backend_call. */
	struct buf headers;
};

/* The response headers of a backend answer that backend_call keeps in
 * reply->headers, all instances of each: the ones a client needs to act
 * on a refusal (RFC 9110 section 11.6.1: a 401 carries WWW-Authenticate;
 * 10.2.3 Retry-After).  Never hop-by-hop headers (RFC 9110 section 7.6.1),
 * Set-Cookie, or Content-Encoding/Content-Length (the body is decoded). */
#define BACKEND_KEPT_HEADERS                                                                       \
	{                                                                                          \
		"Content-Type", "WWW-Authenticate", "Retry-After", "Content-Language",             \
		    "Cache-Control"                                                                \
	}

/* Signature of a backend call, so the handler can be driven by a fake in
 * tests.  Contract as backend_call(). */
typedef int (*backend_call_fn)(void *ctx, const struct backend_request *req,
			       struct backend_reply *reply, struct err *err);

/* backend_new - create a backend with its libcurl handle.  Call
 * curl_global_init() once before.  *out is freed with backend_free().
 * Returns 0 or ERR_NOMEM. */
int backend_new(struct backend **out, struct err *err);

/* backend_free - release the handle.  NULL-safe. */
void backend_free(struct backend *be);

/* backend_call - send req and collect the answer into reply (reply->body
 * and reply->headers must be initialised by the caller with buf_init;
 * both are reset first).  Content codings libcurl supports (gzip, deflate,
 * ...) are offered with Accept-Encoding and decoded, as Go's client does.
 * No redirects are followed (a 3xx is returned as such).  Headers sent:
 * the client's Content-Type, "Expect:" (empty: no 100-continue),
 * X-Forwarded-For when given, and req->headers.  ctx is a struct backend *.
 * Header values are sent whole (control bytes dropped), never cut.
 * Returns 0 when an HTTP answer arrived, else ERR_NET (no byte of the
 * request was sent: connection refused, DNS, TLS handshake, bad URL; the
 * caller may try the next host), ERR_TIMEOUT,
 * ERR_LIMIT (body over max_response, or header block over max_header),
 * ERR_IO (connection broken mid-answer, an answer that is not HTTP, any
 * failure after the request was sent, or one header line over libcurl's
 * 100 KiB), ERR_NOMEM. */
int backend_call(void *ctx, const struct backend_request *req, struct backend_reply *reply,
		 struct err *err);

#endif
