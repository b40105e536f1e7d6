/* test_response.c - serializing a response for sending (response_emit),
 * including the out-of-memory answer.
 *
 * Linked with -Wl,--wrap=realloc: while fail_realloc is set, every
 * realloc() called from jwtsign's code (buf_reserve) fails, as under
 * memory pressure.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "response.h"

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static bool fail_realloc;

void *__wrap_realloc(void *p, size_t n)
{
	if (fail_realloc)
		return NULL;
	return __real_realloc(p, n);
}

/* A 200 JSON response whose body is len bytes of 'x' inside quotes. */
static void make_response(struct response *r, size_t len)
{
	response_init(r);
	r->status = 200;
	snprintf(r->content_type, sizeof(r->content_type), "application/json");
	cr_assert_eq(buf_putc(&r->body, '"'), 0);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(buf_putc(&r->body, 'x'), 0);
	cr_assert_eq(buf_putc(&r->body, '"'), 0);
}

/* The bytes sent end with r's body and start with its status line. */
static void assert_sends(const char *p, size_t n, const struct response *r)
{
	cr_assert_not_null(p);
	cr_assert_geq(n, r->body.len);
	cr_assert_eq(strncmp(p, "Status: 200 OK\r\n", 16), 0);
	cr_assert_eq(memcmp(p + n - r->body.len, r->body.data, r->body.len), 0);
}

Test(response, emit_reuses_the_buffer)
{
	struct response small, big;
	struct buf out = BUF_INIT;
	const char *p = NULL;
	size_t n = 0;

	make_response(&small, 10);
	make_response(&big, 5000);
	cr_assert_eq(response_emit(&big, &out, &p, &n), 0);
	assert_sends(p, n, &big);
	cr_assert_eq(p, out.data);
	cr_assert_eq(n, out.len);
	cr_assert_eq(response_emit(&small, &out, &p, &n), 0);
	assert_sends(p, n, &small);
	cr_assert_eq(n, out.len, "the earlier answer was not dropped");
	response_free(&small);
	response_free(&big);
	buf_free(&out);
}

/* Out of memory while serializing: the fixed 500 is sent instead, and the
 * same buffer still works for the next request (it used to keep its cap
 * with data set to NULL, so the next append wrote through NULL). */
Test(response, out_of_memory_sends_500_and_the_buffer_stays_usable)
{
	static const char oom[] = RESPONSE_OOM;
	struct response small, big;
	struct buf out = BUF_INIT;
	const char *p = NULL;
	size_t n = 0;

	make_response(&small, 10);
	make_response(&big, 5000);
	/* A first request leaves memory in out, as in the FastCGI loop. */
	cr_assert_eq(response_emit(&small, &out, &p, &n), 0);
	cr_assert_lt(out.cap, big.body.len);
	fail_realloc = true;
	cr_assert_eq(response_emit(&big, &out, &p, &n), ERR_NOMEM);
	fail_realloc = false;
	cr_assert_eq(n, sizeof(oom) - 1);
	cr_assert_eq(memcmp(p, oom, n), 0);
	cr_assert_eq(out.len, 0);
	cr_assert((out.data == NULL) == (out.cap == 0), "data %p with cap %zu", (void *)out.data,
		  out.cap);
	/* The next request on the same buffer. */
	cr_assert_eq(response_emit(&small, &out, &p, &n), 0);
	assert_sends(p, n, &small);
	cr_assert_eq(response_emit(&big, &out, &p, &n), 0);
	assert_sends(p, n, &big);
	response_free(&small);
	response_free(&big);
	buf_free(&out);
}

/* The fixed answer is a complete CGI response: its Content-Length is the
 * length of its body. */
Test(response, oom_answer_is_complete)
{
	static const char oom[] = RESPONSE_OOM;
	const char *body = strstr(oom, "\r\n\r\n");

	cr_assert_not_null(body);
	body += 4;
	cr_assert_not_null(strstr(oom, "Content-Length: 26\r\n"));
	cr_assert_eq(strlen(body), 26);
	cr_assert_str_eq(body, "{\"error\":\"internal_error\"}");
	cr_assert_eq(strncmp(oom, "Status: 500 Internal Server Error\r\n", 35), 0);
}
