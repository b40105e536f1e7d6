/* backend.c - backend calls with libcurl; see backend.h. */
#include "backend.h"
#include "header_cap.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

struct backend {
	CURL *curl;
};

struct sink {
	struct buf *body;
	int over_limit;		  /* body over its buf's limit */
	struct header_cap header; /* max_header_size on each header block */
};

int backend_new(struct backend **out, struct err *err)
{
	struct backend *be = calloc(1, sizeof(*be));

	*out = NULL;
	if (be == NULL || (be->curl = curl_easy_init()) == NULL) {
		free(be);
		return err_set(err, ERR_NOMEM, "cannot create a libcurl handle");
	}
	*out = be;
	return 0;
}

void backend_free(struct backend *be)
{
	if (be == NULL)
		return;
	curl_easy_cleanup(be->curl);
	free(be);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;
	int rc = buf_append(s->body, p, len);

	if (rc == ERR_LIMIT)
		s->over_limit = 1;
	return rc ? 0 : len; /* a short count makes libcurl stop: CURLE_WRITE_ERROR */
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;

	if (header_cap_line(&s->header, p, len, NULL) != 0)
		return 0; /* makes libcurl stop: CURLE_WRITE_ERROR */
	return len;
}

static int map_curl_error(CURLcode cc, const struct sink *s, const char *url, struct err *err)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return err_set(err, ERR_NET, "backend %s: %s", url, curl_easy_strerror(cc));
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(err, ERR_TIMEOUT, "backend %s: %s", url, curl_easy_strerror(cc));
	case CURLE_WRITE_ERROR:
		if (s->header.over)
			return err_set(err, ERR_LIMIT,
				       "backend %s: response header block larger than "
				       "%zu bytes (max_header_size)",
				       url, s->header.max);
		if (s->over_limit)
			return err_set(err, ERR_LIMIT,
				       "backend %s: answer larger than the "
				       "limit of %zu bytes (max_backend_response)",
				       url, s->body->limit);
		return err_set(err, ERR_NOMEM, "backend %s: out of memory", url);
	case CURLE_OUT_OF_MEMORY:
		/* libcurl 7.88 also reports a response header over its 100 KiB
		 * limit this way: a bad answer rather than our memory. */
		return err_set(err, ERR_IO,
			       "backend %s: %s (a response header over libcurl's limit?)", url,
			       curl_easy_strerror(cc));
	default:
		return err_set(err, ERR_IO, "backend %s: %s", url, curl_easy_strerror(cc));
	}
}

static void copy_content_type(CURL *curl, struct backend_reply *reply)
{
	char *ct = NULL;
	size_t j = 0, i;

	reply->content_type[0] = '\0';
	if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK || ct == NULL)
		return;
	for (i = 0; ct[i] && j + 1 < sizeof(reply->content_type); i++) {
		unsigned char c = (unsigned char)ct[i];

		if (c >= 0x20 && c != 0x7f)
			reply->content_type[j++] = (char)c;
	}
	/* Never a cut value: one that does not fit is no Content-Type. */
	reply->content_type[ct[i] ? 0 : j] = '\0';
}

/* Append "name: value\r\n" with control bytes dropped from value. */
static int append_header_line(struct buf *out, const char *name, const char *value)
{
	int rc = buf_printf(out, "%s: ", name);

	for (const char *p = value; rc == 0 && *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x20 && c != 0x7f)
			rc = buf_putc(out, *p);
	}
	return rc ? rc : buf_puts(out, "\r\n");
}

/* Every instance of each BACKEND_KEPT_HEADERS header of the last answer
 * (libcurl's header API: the final response, no 1xx or trailers). */
static int collect_headers(CURL *curl, struct buf *out)
{
	static const char *const kept[] = BACKEND_KEPT_HEADERS;

	for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
		struct curl_header *h;

		for (size_t i = 0;
		     curl_easy_header(curl, kept[k], i, CURLH_HEADER, -1, &h) == CURLHE_OK; i++) {
			if (append_header_line(out, kept[k], h->value) != 0)
				return ERR_NOMEM;
			if (i + 1 >= h->amount)
				break;
		}
	}
	return 0;
}

/* Append "Name: value" with control bytes dropped from value, so that no
 * client- or backend-controlled text can split a header line.  The value is
 * never cut: its length is the caller's limit (max_header_size). */
static int add_header(struct curl_slist **h, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = value ? strlen(value) : 0, j;
	char *line = malloc(nlen + 2 + vlen + 1);
	struct curl_slist *t;

	if (line == NULL)
		return ERR_NOMEM;
	memcpy(line, name, nlen);
	j = nlen;
	line[j++] = ':';
	if (value)
		line[j++] = ' ';
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c >= 0x20 && c != 0x7f)
			line[j++] = (char)c;
	}
	line[j] = '\0';
	t = curl_slist_append(*h, line); /* copies line */
	free(line);
	if (t == NULL)
		return ERR_NOMEM;
	*h = t;
	return 0;
}

static int build_headers(const struct backend_request *req, struct curl_slist **out)
{
	struct curl_slist *h = NULL;

	*out = NULL;
	/* "Expect:" with no value disables 100-continue.  libcurl sends a form
	 * Content-Type for POSTFIELDS unless overridden; an empty
	 * "Content-Type:" removes it when the client sent none. */
	if (add_header(&h, "Expect", NULL) || add_header(&h, "Content-Type", req->content_type) ||
	    (req->forwarded_for && add_header(&h, "X-Forwarded-For", req->forwarded_for)))
		goto oom;
	for (size_t i = 0; i < req->nheaders; i++)
		if (add_header(&h, req->headers[i].name, req->headers[i].value))
			goto oom;
	*out = h;
	return 0;
oom:
	curl_slist_free_all(h);
	return ERR_NOMEM;
}

static void setup_handle(CURL *curl, const struct backend_request *req, struct curl_slist *hdrs,
			 struct sink *sink)
{
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)req->connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, sink);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "jwtsign/" PACKAGE_VERSION);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_response);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); /* every coding libcurl has */
	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)req->body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
	}
}

/* Whether any byte of the request reached the connection: then the host
 * has (or may have) the credentials, and trying another host would send
 * the same login twice (a one-time code, a rotating refresh token). */
static int request_was_sent(CURL *curl)
{
	long sent = 0;

	return curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK || sent > 0;
}

int backend_call(void *ctx, const struct backend_request *req, struct backend_reply *reply,
		 struct err *err)
{
	struct backend *be = ctx;
	struct curl_slist *hdrs = NULL;
	struct sink sink = {&reply->body, 0, {0, 0, false}};
	CURLcode cc;
	int rc;

	header_cap_init(&sink.header, req->max_header);
	buf_reset(&reply->body);
	buf_reset(&reply->headers);
	reply->body.limit = req->max_response;
	reply->status = 0;
	reply->content_type[0] = '\0';
	if (build_headers(req, &hdrs) != 0)
		return err_set(err, ERR_NOMEM, "out of memory building backend headers");
	setup_handle(be->curl, req, hdrs, &sink);
	cc = curl_easy_perform(be->curl);
	if (cc == CURLE_FILESIZE_EXCEEDED) {
		sink.over_limit = 1;
		cc = CURLE_WRITE_ERROR;
	}
	if (cc != CURLE_OK) {
		rc = map_curl_error(cc, &sink, req->url, err);
		if (rc == ERR_NET && request_was_sent(be->curl))
			rc = err_set(err, ERR_IO,
				     "backend %s: %s after the request was sent (no other host "
				     "is tried)",
				     req->url, curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(be->curl, CURLINFO_RESPONSE_CODE, &reply->status);
	copy_content_type(be->curl, reply);
	rc = collect_headers(be->curl, &reply->headers);
	if (rc)
		err_set(err, ERR_NOMEM, "backend %s: out of memory keeping headers", req->url);
out:
	/* The handle must not keep pointers to this call's data. */
	curl_easy_setopt(be->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	return rc;
}
