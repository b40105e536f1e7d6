/* Unit tests for request.c: CONTENT_LENGTH rules and path selection. */
#include <criterion/criterion.h>
#include <string.h>

#include "request.h"

struct src {
	const char *env[16]; /* name, value pairs */
	const char *body;
	size_t body_len;
	size_t pos;
	size_t chunk; /* max bytes per read, to exercise short reads */
	int reads;
};

static const char *p_param(void *ctx, const char *name)
{
	struct src *s = ctx;

	for (size_t i = 0; s->env[i]; i += 2) {
		if (strcmp(s->env[i], name) == 0)
			return s->env[i + 1];
	}
	return NULL;
}

static long p_read(void *ctx, void *p, size_t n)
{
	struct src *s = ctx;
	size_t left = s->body_len - s->pos;

	s->reads++;
	if (n > left)
		n = left;
	if (s->chunk && n > s->chunk)
		n = s->chunk;
	memcpy(p, s->body + s->pos, n);
	s->pos += n;
	return (long)n;
}

static struct request req;

static void read_with(struct src *s, size_t max)
{
	struct request_source rs = {p_param, p_read, s, NULL};
	struct err e = {0};

	cr_assert_eq(request_read(&req, &rs, max, &e), 0, "%s", e.msg);
}

static void fini(void)
{
	request_free(&req);
}

TestSuite(request, .fini = fini);

Test(request, reads_exactly_content_length_bytes_binary_safe)
{
	struct src s = {
	    {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", "5", "REQUEST_URI", "/token?x=1", NULL},
	    "a\0b\0cEXTRA",
	    10,
	    0,
	    2,
	    0};

	read_with(&s, 100);
	cr_assert_eq(req.reject_status, 0);
	cr_assert_eq(req.body_len, 5);
	cr_assert(memcmp(req.body, "a\0b\0c", 5) == 0);
	cr_assert_str_eq(req.path, "/token");
	cr_assert_str_eq(req.method, "POST");
}

Test(request, short_body_is_400_incomplete)
{
	struct src s = {{"CONTENT_LENGTH", "10", "REQUEST_URI", "/t", NULL}, "abc", 3, 0, 0, 0};

	read_with(&s, 100);
	cr_assert_eq(req.reject_status, 400);
	cr_assert_str_eq(req.reject_code, "incomplete_body");
	cr_assert_str_eq(req.reject_why,
			 "the body ended after 3 of the 10 bytes of CONTENT_LENGTH");
}

Test(request, over_limit_is_413_without_reading)
{
	struct src s = {{"CONTENT_LENGTH", "101", "REQUEST_URI", "/t", NULL}, "x", 1, 0, 0, 0};

	read_with(&s, 100);
	cr_assert_eq(req.reject_status, 413);
	cr_assert_str_eq(req.reject_code, "body_too_large");
	cr_assert_str_eq(req.reject_why, "CONTENT_LENGTH 101 over max_request_body 100");
	cr_assert_eq(s.reads, 0);
}

Test(request, bad_content_length_is_400)
{
	static const char *const bad[] = {"-1", "abc", "1x",
					  " 1", "+1",  "99999999999999999999999999"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct src s = {
		    {"CONTENT_LENGTH", bad[i], "REQUEST_URI", "/t", NULL}, "", 0, 0, 0, 0};

		read_with(&s, 100);
		cr_assert_eq(req.reject_status, 400, "CONTENT_LENGTH %s", bad[i]);
		cr_assert_str_eq(req.reject_code, "bad_request");
		cr_assert(strstr(req.reject_why, "is not a number of bytes"), "%s", req.reject_why);
		cr_assert_eq(s.reads, 0);
		request_free(&req);
	}
}

Test(request, missing_content_length_means_empty_body_without_reading)
{
	struct src s = {{"REQUEST_URI", "/t", NULL}, "data", 4, 0, 0, 0};

	read_with(&s, 100);
	cr_assert_eq(req.reject_status, 0);
	cr_assert_eq(req.body_len, 0);
	cr_assert_eq(s.reads, 0);
}

Test(request, path_from_script_name_and_path_info)
{
	struct src s = {
	    {"SCRIPT_NAME", "/cgi-bin/jwtsign", "PATH_INFO", "/token", NULL}, "", 0, 0, 0, 0};

	read_with(&s, 100);
	cr_assert_str_eq(req.path, "/cgi-bin/jwtsign/token");
}

Test(request, chunked_without_length_is_read_to_end_of_input)
{
	struct src s = {{"HTTP_TRANSFER_ENCODING", "chunked", "REQUEST_URI", "/t", NULL},
			"abc\0def",
			7,
			0,
			3,
			0};

	read_with(&s, 100);
	cr_assert_eq(req.reject_status, 0);
	cr_assert_eq(req.body_len, 7);
	cr_assert(memcmp(req.body, "abc\0def", 7) == 0);
}

Test(request, chunked_over_limit_is_413_and_drained)
{
	static const char body[] = "0123456789abcdefghij";
	struct src s = {
	    {"HTTP_TRANSFER_ENCODING", "Chunked", "REQUEST_URI", "/t", NULL}, body, 20, 0, 0, 0};
	struct request_source rs = {p_param, p_read, &s, NULL};

	read_with(&s, 10);
	cr_assert_eq(req.reject_status, 413);
	cr_assert_eq(req.body_len, 0);
	request_drain(&req, &rs, 1000);
	cr_assert_eq(s.pos, 20, "the rest of the input is consumed");
}

Test(request, refused_body_is_drained_up_to_the_cap)
{
	static const char body[] = "0123456789abcdefghij";
	struct src s = {{"CONTENT_LENGTH", "20", "REQUEST_URI", "/t", NULL}, body, 20, 0, 0, 0};
	struct request_source rs = {p_param, p_read, &s, NULL};

	read_with(&s, 10);
	cr_assert_eq(req.reject_status, 413);
	cr_assert_eq(s.pos, 0);
	request_drain(&req, &rs, 15);
	cr_assert_eq(s.pos, 15, "drain stops at its cap");
	request_drain(&req, &rs, 100);
	cr_assert_eq(s.pos, 20, "and never reads past CONTENT_LENGTH");
}
