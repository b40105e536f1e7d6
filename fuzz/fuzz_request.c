/* fuzz_request.c - libFuzzer target: the CGI request reader.
 *
 * Input: byte 0 holds reader options (bits 0-3: the most bytes one read
 * returns, 0 meaning no cap; bit 4: the stream fails (-1) instead of
 * ending (0) once the body is exhausted; bit 5: max_body 64 bytes instead
 * of 1 MiB); then the environment as NAME=VALUE lines ("\n"-separated, a
 * line without '=' is ignored, the last of repeated names wins), an empty
 * line, and the body bytes (everything after the first "\n\n").
 * Properties (besides no crash, leak or undefined behaviour):
 *  - without CONTENT_LENGTH (or with an empty one) nothing is read and the
 *    body is empty;
 *  - never more than CONTENT_LENGTH bytes are read from the stream;
 *  - a CONTENT_LENGTH that is not plain decimal digits is 400 bad_request;
 *    one over max_body is 413 body_too_large with nothing read;
 *  - with a valid CONTENT_LENGTH and enough bytes, the body is exactly the
 *    first CONTENT_LENGTH bytes (NULs included), NUL-terminated;
 *  - with fewer bytes, 400 incomplete_body (or ERR_IO for a failing
 *    stream);
 *  - without CONTENT_LENGTH but with HTTP_TRANSFER_ENCODING naming
 *    "chunked": read to the end of input, at most max_body + 1 bytes; over
 *    max_body is 413 with an empty body, else the body is all the input;
 *  - method defaults to GET; the path never holds '?' from REQUEST_URI;
 *  - request_drain then reads at most its max, and only what is left of
 *    the announced body (anything, for a chunked one).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "request.h"

#define FUZZ_MAX_ENV 32
#define FUZZ_DRAIN_MAX 100

struct fake_source {
	const char *names[FUZZ_MAX_ENV];
	const char *values[FUZZ_MAX_ENV];
	size_t nenv;
	const uint8_t *body;
	size_t body_len, pos;
	size_t chunk; /* 0 = no cap */
	bool fail_at_end;
	size_t reads;
};

static const char *fake_param(void *ctx, const char *name)
{
	struct fake_source *s = ctx;
	size_t i;
	const char *v = NULL;

	for (i = 0; i < s->nenv; i++)
		if (strcmp(s->names[i], name) == 0)
			v = s->values[i];
	return v;
}

static long fake_read(void *ctx, void *p, size_t n)
{
	struct fake_source *s = ctx;
	size_t left = s->body_len - s->pos;

	s->reads++;
	FUZZ_ASSERT(n > 0);
	if (left == 0)
		return s->fail_at_end ? -1 : 0;
	if (n > left)
		n = left;
	if (s->chunk && n > s->chunk)
		n = s->chunk;
	memcpy(p, s->body + s->pos, n);
	s->pos += n;
	return (long)n;
}

/* Plain decimal digits, no sign, no blanks, no overflow. */
static bool plain_length(const char *s, unsigned long long *v)
{
	unsigned long long x = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');

		if (x > (~0ULL - d) / 10)
			return false; /* over ULLONG_MAX */
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char fallback[] = "X="; /* an entry when malloc fails */
	struct fake_source s;
	struct request_source src;
	struct request req;
	struct err err = {0};
	char *env = NULL, *line, *save = NULL, *envp[FUZZ_MAX_ENV + 1];
	size_t nenvp = 0;
	const uint8_t *sep;
	size_t envlen, max_body;
	const char *cl, *te;
	unsigned long long want = 0;
	int rc, no_cl, chunked;

	if (size < 1)
		return 0;
	memset(&s, 0, sizeof(s));
	s.chunk = data[0] & 15;
	s.fail_at_end = (data[0] >> 4) & 1;
	max_body = (data[0] & 32) ? 64 : 1024 * 1024;
	data++;
	size--;
	sep = memmem(data, size, "\n\n", 2);
	envlen = sep ? (size_t)(sep - data) : size;
	if (sep) {
		s.body = sep + 2;
		s.body_len = size - envlen - 2;
	}
	/* The environment: NUL-terminated strings, cut at a NUL byte as a
	 * real environment would be. */
	if ((env = malloc(envlen + 1)) == NULL)
		return 0;
	memcpy(env, data, envlen);
	env[envlen] = '\0';
	for (line = strtok_r(env, "\n", &save); line && s.nenv < FUZZ_MAX_ENV;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (eq == NULL || eq == line)
			continue;
		*eq = '\0';
		s.names[s.nenv] = line;
		s.values[s.nenv++] = eq + 1;
	}
	/* The same variables as an environ, for the client headers. */
	for (size_t i = 0; i < s.nenv; i++) {
		size_t n = strlen(s.names[i]) + strlen(s.values[i]) + 2;

		if ((envp[i] = malloc(n)) != NULL)
			snprintf(envp[i], n, "%s=%s", s.names[i], s.values[i]);
		else
			envp[i] = fallback;
		nenvp = i + 1;
	}
	envp[nenvp] = NULL;
	src.param = fake_param;
	src.read = fake_read;
	src.ctx = &s;
	src.env = envp;

	rc = request_read(&req, &src, max_body, &err);
	cl = fake_param(&s, "CONTENT_LENGTH");
	te = fake_param(&s, "HTTP_TRANSFER_ENCODING");
	no_cl = cl == NULL || *cl == '\0';
	chunked = no_cl && te != NULL && strcasestr(te, "chunked") != NULL;
	if (rc != 0) {
		/* Only a failing stream is an error here (no NOMEM expected):
		 * before CONTENT_LENGTH bytes, or before max_body + 1 bytes of
		 * a chunked body read to the end. */
		FUZZ_ASSERT(rc == ERR_IO && s.fail_at_end);
		FUZZ_ASSERT(err.code == rc && err.msg[0] != '\0');
		if (chunked)
			FUZZ_ASSERT(s.body_len <= max_body);
		else
			FUZZ_ASSERT(!no_cl && plain_length(cl, &want) && want <= max_body &&
				    s.pos < want);
		goto out;
	}
	FUZZ_ASSERT(req.method != NULL && req.path != NULL && req.body != NULL);
	FUZZ_ASSERT(req.body[req.body_len] == '\0');
	if (fake_param(&s, "REQUEST_METHOD") == NULL)
		FUZZ_ASSERT(strcmp(req.method, "GET") == 0);
	{
		const char *uri = fake_param(&s, "REQUEST_URI");

		if (uri && *uri)
			FUZZ_ASSERT(strchr(req.path, '?') == NULL);
	}
	{
		/* The authorizer role (JWTSIGN_MODE other than "responder", or
		 * FCGI_ROLE AUTHORIZER) reads no body at all. */
		const char *m = fake_param(&s, "JWTSIGN_MODE");
		const char *role = fake_param(&s, "FCGI_ROLE");

		if ((m && *m && strcmp(m, "responder") != 0) ||
		    (role && strcmp(role, "AUTHORIZER") == 0)) {
			FUZZ_ASSERT(req.authorizer);
			FUZZ_ASSERT(req.mode_invalid ==
				    (m && *m && strcmp(m, "responder") != 0 &&
				     strcmp(m, "authorizer") != 0));
			FUZZ_ASSERT(s.reads == 0 && req.body_len == 0 && req.reject_status == 0);
			goto drain;
		}
	}
	if (chunked) {
		/* Read to the end, never more than max_body + 1 bytes. */
		FUZZ_ASSERT(s.pos <= max_body + 1);
		if (s.body_len > max_body) {
			FUZZ_ASSERT(req.reject_status == 413 &&
				    strcmp(req.reject_code, "body_too_large") == 0);
			FUZZ_ASSERT(req.body_len == 0);
		} else {
			FUZZ_ASSERT(!s.fail_at_end); /* that was ERR_IO above */
			FUZZ_ASSERT(req.reject_status == 0 && req.body_len == s.body_len);
			FUZZ_ASSERT(s.body_len == 0 || memcmp(req.body, s.body, s.body_len) == 0);
		}
		goto drain;
	}
	if (no_cl) {
		FUZZ_ASSERT(s.reads == 0);
		FUZZ_ASSERT(req.body_len == 0 && req.reject_status == 0);
		goto drain;
	}
	if (!plain_length(cl, &want)) {
		FUZZ_ASSERT(req.reject_status == 400 &&
			    strcmp(req.reject_code, "bad_request") == 0);
		FUZZ_ASSERT(s.reads == 0 && req.body_len == 0);
		goto drain;
	}
	if (want > max_body) {
		FUZZ_ASSERT(req.reject_status == 413 &&
			    strcmp(req.reject_code, "body_too_large") == 0);
		FUZZ_ASSERT(s.reads == 0 && req.body_len == 0);
		goto drain;
	}
	FUZZ_ASSERT(s.pos <= want);
	if (want <= s.body_len) {
		FUZZ_ASSERT(req.reject_status == 0 && req.reject_code == NULL);
		FUZZ_ASSERT(req.body_len == want && s.pos == want);
		FUZZ_ASSERT(want == 0 || memcmp(req.body, s.body, want) == 0);
	} else {
		FUZZ_ASSERT(!s.fail_at_end); /* that was ERR_IO above */
		FUZZ_ASSERT(req.reject_status == 400 &&
			    strcmp(req.reject_code, "incomplete_body") == 0);
		FUZZ_ASSERT(req.body_len == s.body_len);
	}
drain:
	/* request_drain reads at most max bytes, and never beyond what is
	 * left of the announced body (all input for a chunked one). */
	{
		unsigned long long unread = req.unread;
		int to_eof = req.unread_to_eof;
		size_t before = s.pos;

		request_drain(&req, &src, FUZZ_DRAIN_MAX);
		FUZZ_ASSERT(s.pos - before <= FUZZ_DRAIN_MAX);
		if (!to_eof)
			FUZZ_ASSERT(s.pos - before <= unread);
		if (!to_eof && unread == 0)
			FUZZ_ASSERT(s.pos == before);
	}
out:
	request_free(&req);
	for (size_t i = 0; i < nenvp; i++)
		if (envp[i] != fallback)
			free(envp[i]);
	free(env);
	return 0;
}
