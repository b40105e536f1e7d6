/* response.c - building and serializing responses; see response.h. */
#include "response.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

void response_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	buf_init(&r->headers, 0);
	buf_init(&r->body, 0);
}

void response_free(struct response *r)
{
	if (r == NULL)
		return;
	buf_free(&r->headers);
	buf_free(&r->body);
}

void response_error(struct response *r, int status, const char *code)
{
	r->status = status;
	snprintf(r->content_type, sizeof(r->content_type), "application/json; charset=utf-8");
	r->no_store = 1;
	r->error = code;
	buf_reset(&r->headers);
	buf_reset(&r->body);
	/* code is a static [a-z_] word: no escaping needed. */
	if (buf_printf(&r->body, "{\"error\":\"%s\"}", code) != 0)
		buf_reset(&r->body);
}

const char *response_reason(int status)
{
	static const struct {
		int code;
		const char *text;
	} reasons[] = {
	    {100, "Continue"},
	    {101, "Switching Protocols"},
	    {200, "OK"},
	    {201, "Created"},
	    {202, "Accepted"},
	    {203, "Non-Authoritative Information"},
	    {204, "No Content"},
	    {205, "Reset Content"},
	    {206, "Partial Content"},
	    {300, "Multiple Choices"},
	    {301, "Moved Permanently"},
	    {302, "Found"},
	    {303, "See Other"},
	    {304, "Not Modified"},
	    {305, "Use Proxy"},
	    {307, "Temporary Redirect"},
	    {308, "Permanent Redirect"},
	    {400, "Bad Request"},
	    {401, "Unauthorized"},
	    {402, "Payment Required"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {405, "Method Not Allowed"},
	    {406, "Not Acceptable"},
	    {407, "Proxy Authentication Required"},
	    {408, "Request Timeout"},
	    {409, "Conflict"},
	    {410, "Gone"},
	    {411, "Length Required"},
	    {412, "Precondition Failed"},
	    {413, "Content Too Large"},
	    {414, "URI Too Long"},
	    {415, "Unsupported Media Type"},
	    {416, "Range Not Satisfiable"},
	    {417, "Expectation Failed"},
	    {421, "Misdirected Request"},
	    {422, "Unprocessable Content"},
	    {423, "Locked"},
	    {424, "Failed Dependency"},
	    {425, "Too Early"},
	    {426, "Upgrade Required"},
	    {428, "Precondition Required"},
	    {429, "Too Many Requests"},
	    {431, "Request Header Fields Too Large"},
	    {451, "Unavailable For Legal Reasons"},
	    {499, "Client Closed Request"},
	    {500, "Internal Server Error"},
	    {501, "Not Implemented"},
	    {502, "Bad Gateway"},
	    {503, "Service Unavailable"},
	    {504, "Gateway Timeout"},
	    {505, "HTTP Version Not Supported"},
	    {506, "Variant Also Negotiates"},
	    {507, "Insufficient Storage"},
	    {508, "Loop Detected"},
	    {511, "Network Authentication Required"},
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (reasons[i].code == status)
			return reasons[i].text;
	}
	static const char *const classes[] = {"Unknown",     "Informational", "Success",
					      "Redirection", "Client Error",  "Server Error"};

	return classes[status >= 100 && status <= 599 ? status / 100 : 0];
}

int response_emit(const struct response *r, struct buf *out, const char **p, size_t *n)
{
	static const char oom[] = RESPONSE_OOM;

	buf_reset(out);
	if (response_serialize(r, out) != 0) {
		/* Give the memory back (we are short of it); out stays a valid
		 * empty buffer for the next request. */
		buf_free(out);
		*p = oom;
		*n = sizeof(oom) - 1;
		return ERR_NOMEM;
	}
	*p = out->data;
	*n = out->len;
	return 0;
}

int response_serialize(const struct response *r, struct buf *out)
{
	int rc;

	rc = buf_printf(out, "Status: %d %s\r\n", r->status, response_reason(r->status));
	if (!rc && r->content_type[0])
		rc = buf_printf(out, "Content-Type: %s\r\n", r->content_type);
	if (!rc)
		rc = buf_printf(out, "Content-Length: %zu\r\n", r->body.len);
	if (!rc && r->no_store)
		rc = buf_puts(out, "Cache-Control: no-store\r\nPragma: no-cache\r\n");
	if (!rc && !r->no_store && r->cache_control[0])
		rc = buf_printf(out, "Cache-Control: %s\r\n", r->cache_control);
	if (!rc && r->etag[0])
		rc = buf_printf(out, "ETag: %s\r\n", r->etag);
	if (!rc && r->allow[0])
		rc = buf_printf(out, "Allow: %s\r\n", r->allow);
	if (!rc && r->retry_after)
		rc = buf_printf(out, "Retry-After: %u\r\n", r->retry_after);
	if (!rc && r->nosniff)
		rc = buf_puts(out, "X-Content-Type-Options: nosniff\r\n");
	if (!rc && r->headers.len)
		rc = buf_append(out, r->headers.data, r->headers.len);
	if (!rc)
		rc = buf_puts(out, "\r\n");
	if (!rc)
		rc = buf_append(out, r->body.data, r->body.len);
	return rc;
}
