/* request.c - read a CGI/FastCGI request; see request.h. */
#include "request.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int dup_param(const struct request_source *src, const char *name, char **out)
{
	const char *v = src->param(src->ctx, name);

	*out = NULL;
	if (v == NULL)
		return 0;
	*out = strdup(v);
	return *out ? 0 : ERR_NOMEM;
}

/* The path without query string: REQUEST_URI when set, else SCRIPT_NAME +
 * PATH_INFO (servers differ in how they split the URL between the two). */
static int read_path(struct request *req, const struct request_source *src)
{
	const char *uri = src->param(src->ctx, "REQUEST_URI");
	size_t n;

	if (uri && *uri) {
		n = strcspn(uri, "?#");
		req->path = strndup(uri, n);
	} else {
		const char *sn = src->param(src->ctx, "SCRIPT_NAME");
		const char *pi = src->param(src->ctx, "PATH_INFO");
		size_t a = sn ? strlen(sn) : 0, b = pi ? strlen(pi) : 0;

		req->path = malloc(a + b + 2);
		if (req->path) {
			memcpy(req->path, sn ? sn : "", a);
			memcpy(req->path + a, pi ? pi : "", b);
			req->path[a + b] = '\0';
			if (a + b == 0)
				strcpy(req->path, "/");
		}
	}
	return req->path ? 0 : ERR_NOMEM;
}

/* Parse CONTENT_LENGTH strictly: decimal digits only, no sign or blanks.
 * Returns 0 and *len, or ERR_INVALID. */
static int parse_length(const char *s, unsigned long long *len)
{
	char *end;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
		return ERR_INVALID;
	errno = 0;
	*len = strtoull(s, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return ERR_INVALID;
	return 0;
}

static void reject(struct request *req, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Refuse the request with status and code; fmt says why, for the log. */
static void reject(struct request *req, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	req->reject_status = status;
	req->reject_code = code;
	va_start(ap, fmt);
	vsnprintf(req->reject_why, sizeof(req->reject_why), fmt, ap);
	va_end(ap);
}

/* Whether HTTP_TRANSFER_ENCODING announces a chunked body. */
static int chunked_without_length(const struct request_source *src)
{
	const char *te = src->param(src->ctx, "HTTP_TRANSFER_ENCODING");

	return te != NULL && strcasestr(te, "chunked") != NULL;
}

/* Read into req->body until want bytes or, with to_eof, the end of input;
 * at most want bytes.  Sets *eof when the input ended first. */
static int read_into(struct request *req, const struct request_source *src, size_t want, int *eof,
		     struct err *err)
{
	size_t got = 0;

	*eof = 0;
	while (got < want) {
		long n = src->read(src->ctx, req->body + got, want - got);

		if (n < 0)
			return err_set(err, ERR_IO,
				       "reading the request body failed after %zu bytes", got);
		if (n == 0) {
			*eof = 1;
			break;
		}
		got += (size_t)n;
	}
	req->body_len = got;
	req->body[got] = '\0';
	return 0;
}

static int read_body(struct request *req, const struct request_source *src, size_t max_body,
		     struct err *err)
{
	const char *cl = src ? src->param(src->ctx, "CONTENT_LENGTH") : NULL;
	unsigned long long want = 0;
	int to_eof = 0, eof = 0, rc;

	if (cl != NULL && *cl != '\0') {
		if (parse_length(cl, &want) != 0) {
			reject(req, 400, "bad_request",
			       "CONTENT_LENGTH \"%.32s\" is not a number of bytes", cl);
			want = 0;
		} else if (want > max_body) {
			reject(req, 413, "body_too_large",
			       "CONTENT_LENGTH %llu over max_request_body %zu", want, max_body);
			req->unread = want;
			want = 0;
		}
	} else if (src && chunked_without_length(src)) {
		to_eof = 1;
		want = (unsigned long long)max_body + 1; /* one more byte tells "too large" */
	}
	req->body = malloc((size_t)want + 1);
	req->body_alloc = req->body ? (size_t)want + 1 : 0;
	if (req->body == NULL)
		return err_set(err, ERR_NOMEM, "cannot allocate %llu bytes for the request body",
			       want);
	rc = read_into(req, src, (size_t)want, &eof, err);
	if (rc)
		return rc;
	if (to_eof && !eof && req->body_len > max_body) {
		reject(req, 413, "body_too_large", "a chunked body over max_request_body %zu",
		       max_body);
		req->unread_to_eof = 1;
		req->body_len = 0;
		req->body[0] = '\0';
	} else if (!to_eof && eof) {
		reject(req, 400, "incomplete_body",
		       "the body ended after %zu of the %llu bytes of CONTENT_LENGTH",
		       req->body_len, want);
	}
	return 0;
}

void request_drain(struct request *req, const struct request_source *src, size_t max)
{
	char sink[8192];
	size_t done = 0;

	while (done < max && (req->unread_to_eof || req->unread > 0)) {
		size_t n = sizeof(sink);
		long r;

		if (!req->unread_to_eof && n > req->unread)
			n = (size_t)req->unread;
		if (n > max - done)
			n = max - done;
		r = src->read(src->ctx, sink, n);
		if (r <= 0)
			break;
		done += (size_t)r;
		if (!req->unread_to_eof)
			req->unread -= (unsigned long long)r;
	}
}

/* Copy every HTTP_* entry of src->env into req->headers. */
static int read_headers(struct request *req, const struct request_source *src)
{
	size_t n = 0;

	for (size_t i = 0; src->env && src->env[i]; i++)
		n += strncmp(src->env[i], "HTTP_", 5) == 0;
	if (n == 0)
		return 0;
	if ((req->headers = calloc(n, sizeof(*req->headers))) == NULL)
		return ERR_NOMEM;
	for (size_t i = 0; src->env[i] && req->nheaders < n; i++) {
		if (strncmp(src->env[i], "HTTP_", 5) != 0 || strchr(src->env[i], '=') == NULL)
			continue;
		if ((req->headers[req->nheaders] = strdup(src->env[i])) == NULL)
			return ERR_NOMEM;
		req->nheaders++;
	}
	return 0;
}

const char *request_header(const struct request *req, const char *var)
{
	size_t n = strlen(var);

	for (size_t i = 0; i < req->nheaders; i++)
		if (strncmp(req->headers[i], var, n) == 0 && req->headers[i][n] == '=')
			return req->headers[i] + n + 1;
	return NULL;
}

/* JWTSIGN_MODE, set by the web server (a client cannot set a variable
 * without the HTTP_ prefix): "authorizer" selects the authorizer role in
 * the responder role (nginx auth_request); "responder" or absent, the
 * responder.  Any other value fails closed: the authorizer, which denies
 * every request of that call (mode_invalid). */
static void read_mode(struct request *req, const struct request_source *src)
{
	const char *m = src->param(src->ctx, "JWTSIGN_MODE");
	const char *role = src->param(src->ctx, "FCGI_ROLE");

	if (role && strcmp(role, "AUTHORIZER") == 0)
		req->authorizer = true;

	if (m == NULL || *m == '\0' || strcmp(m, "responder") == 0)
		return;
	req->authorizer = true;
	req->mode_invalid = strcmp(m, "authorizer") != 0;
}

int request_read(struct request *req, const struct request_source *src, size_t max_body,
		 struct err *err)
{
	int rc;

	memset(req, 0, sizeof(*req));
	if ((rc = dup_param(src, "REQUEST_METHOD", &req->method)) ||
	    (rc = dup_param(src, "CONTENT_TYPE", &req->content_type)) ||
	    (rc = dup_param(src, "REMOTE_ADDR", &req->remote_addr)) ||
	    (rc = dup_param(src, "HTTP_X_FORWARDED_FOR", &req->forwarded_for)) ||
	    (rc = dup_param(src, "HTTP_IF_NONE_MATCH", &req->if_none_match)) ||
	    (rc = dup_param(src, "QUERY_STRING", &req->query)) || (rc = read_headers(req, src)) ||
	    (rc = read_path(req, src)))
		return err_set(err, rc, "out of memory reading the request");
	if (req->method == NULL && (req->method = strdup("GET")) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory reading the request");
	read_mode(req, src);
	if (req->authorizer) /* an authorizer gets no body (nginx: an empty
			      * CONTENT_LENGTH; lighttpd: HTTP_CONTENT_LENGTH) */
		return read_body(req, NULL, 0, err);
	return read_body(req, src, max_body, err);
}

void request_free(struct request *req)
{
	if (req == NULL)
		return;
	free(req->method);
	free(req->path);
	free(req->content_type);
	free(req->remote_addr);
	free(req->forwarded_for);
	free(req->if_none_match);
	free(req->query);
	for (size_t i = 0; i < req->nheaders; i++) {
		sodium_memzero(req->headers[i], strlen(req->headers[i]));
		free(req->headers[i]);
	}
	free(req->headers);
	if (req->body)
		sodium_memzero(req->body, req->body_alloc);
	free(req->body);
	memset(req, 0, sizeof(*req));
}
