/* forward.c - the client headers sent to the backend; see forward.h. */
#include "forward.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool never_forwarded(const char *name)
{
	static const char *const never[] = {
	    "Connection",
	    "Keep-Alive",
	    "Proxy-Connection",
	    "TE",
	    "Trailer",
	    "Transfer-Encoding",
	    "Upgrade",
	    "Host",
	    "Content-Length",
	    "Expect",
	    "Content-Type",
	    "X-Forwarded-For",
	    "X-Forwarded-Host",
	    "X-Forwarded-Via",
	    "Proxy-Authorization",
	    "HTTP2-Settings",
	};

	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (strcasecmp(name, never[i]) == 0)
			return true;
	return false;
}

/* The meta-variable of header name: "HTTP_" + upper case, '-' as '_'. */
static char *var_of(const char *name)
{
	size_t n = strlen(name);
	char *v = malloc(n + 6);

	if (v == NULL)
		return NULL;
	memcpy(v, "HTTP_", 5);
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];

		v[5 + i] = c == '-' ? '_' : (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	return v;
}

/* The header name of meta-variable "HTTP_X_API_KEY=..." in Go's canonical
 * form ("X-Api-Key"). */
static char *name_of(const char *var)
{
	const char *s = var + 5;
	size_t n = strcspn(s, "=");
	char *out = malloc(n + 1);
	bool up = true;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] == '_' ? '-' : s[i];

		if (c >= 'A' && c <= 'Z' && !up)
			c = (char)(c + 32);
		else if (c >= 'a' && c <= 'z' && up)
			c = (char)(c - 32);
		out[i] = c;
		up = c == '-';
	}
	out[n] = '\0';
	return out;
}

/* Append name (taken: freed on error) with value (copied). */
static int add(struct forward_headers *f, char *name, const char *value, size_t max,
	       const char **too_large)
{
	struct backend_header *h = realloc(f->h, (f->n + 1) * sizeof(*h));
	char *v;

	if (h == NULL) {
		free(name);
		return ERR_NOMEM;
	}
	f->h = h;
	if ((v = strdup(value)) == NULL) {
		free(name);
		return ERR_NOMEM;
	}
	f->h[f->n++] = (struct backend_header){name, v};
	if (strlen(value) > max) {
		*too_large = name;
		return ERR_LIMIT;
	}
	return 0;
}

static bool listed_all(const struct cfg_endpoint *ep)
{
	for (size_t i = 0; i < ep->ninput_headers; i++)
		if (strcmp(ep->input_headers[i], "*") == 0)
			return true;
	return false;
}

static int add_listed(const struct cfg_endpoint *ep, const struct request *req, size_t max,
		      struct forward_headers *f, const char **too_large)
{
	bool all = listed_all(ep);
	int rc = 0;

	if (all) {
		for (size_t i = 0; rc == 0 && i < req->nheaders; i++) {
			char *name = name_of(req->headers[i]);

			if (name == NULL)
				return ERR_NOMEM;
			if (never_forwarded(name)) {
				free(name);
				continue;
			}
			rc = add(f, name, strchr(req->headers[i], '=') + 1, max, too_large);
		}
		return rc;
	}
	for (size_t i = 0; rc == 0 && i < ep->ninput_headers; i++) {
		const char *value;
		char *var, *name;

		if (never_forwarded(ep->input_headers[i]))
			continue;
		if ((var = var_of(ep->input_headers[i])) == NULL)
			return ERR_NOMEM;
		value = request_header(req, var);
		free(var);
		if (value == NULL)
			continue;
		if ((name = strdup(ep->input_headers[i])) == NULL)
			return ERR_NOMEM;
		rc = add(f, name, value, max, too_large);
	}
	return rc;
}

/* Whether a header named name is among f's. */
static bool has(const struct forward_headers *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcasecmp(f->h[i].name, name) == 0)
			return true;
	return false;
}

int forward_headers_build(const struct cfg_endpoint *ep, const struct request *req, size_t max,
			  struct forward_headers *out, const char **too_large)
{
	const char *host = request_header(req, "HTTP_HOST");
	char *name;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	*too_large = NULL;
	if (ep->input_headers && (rc = add_listed(ep, req, max, out, too_large)) != 0)
		return rc;
	if (has(out, "User-Agent")) {
		if ((name = strdup("X-Forwarded-Via")) == NULL)
			return ERR_NOMEM;
		rc = add(out, name, "jwtsign/" PACKAGE_VERSION, max, too_large);
	}
	if (rc == 0 && host) {
		if ((name = strdup("X-Forwarded-Host")) == NULL)
			return ERR_NOMEM;
		rc = add(out, name, host, max, too_large);
	}
	return rc;
}

/* Remove every entry named name (case-insensitive), wiping its value. */
static void drop(struct forward_headers *f, const char *name)
{
	size_t j = 0;

	for (size_t i = 0; i < f->n; i++) {
		char *v = (char *)f->h[i].value;

		if (strcasecmp(f->h[i].name, name) != 0) {
			f->h[j++] = f->h[i];
			continue;
		}
		sodium_memzero(v, strlen(v));
		free(v);
		free((char *)f->h[i].name);
	}
	f->n = j;
}

int forward_headers_set(struct forward_headers *f, const char *name, const char *value, size_t max,
			const char **too_large)
{
	char *n;

	drop(f, name);
	if ((n = strdup(name)) == NULL)
		return ERR_NOMEM;
	return add(f, n, value, max, too_large);
}

void forward_headers_free(struct forward_headers *out)
{
	if (out == NULL)
		return;
	for (size_t i = 0; i < out->n; i++) {
		char *v = (char *)out->h[i].value;

		sodium_memzero(v, strlen(v));
		free(v);
		free((char *)out->h[i].name);
	}
	free(out->h);
	memset(out, 0, sizeof(*out));
}
