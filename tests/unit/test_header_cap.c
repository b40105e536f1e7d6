/* test_header_cap.c - the max_header_size count of libcurl header lines:
 * the boundary, the restart at each status line, no cap. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "header_cap.h"

static int line(struct header_cap *h, const char *s, bool *status)
{
	return header_cap_line(h, s, strlen(s), status);
}

Test(header_cap, counts_every_line_up_to_the_cap)
{
	struct header_cap h;
	bool status = false;

	header_cap_init(&h, 40);
	cr_assert_eq(line(&h, "HTTP/1.1 200 OK\r\n", &status), 0); /* 17 */
	cr_assert(status);
	cr_assert_eq(line(&h, "ETag: \"abcdefghij\"\r\n", &status), 0); /* 20: 37 */
	cr_assert(!status);
	cr_assert_eq(line(&h, "\r\n", NULL), 0); /* 39 */
	cr_assert(!h.over);
	cr_assert_eq(h.len, 39);
	cr_assert_eq(line(&h, "X", NULL), 0); /* 40: exactly the cap */
	cr_assert(!h.over);
	cr_assert_eq(line(&h, "Y", NULL), ERR_LIMIT); /* 41 */
	cr_assert(h.over);
}

/* Each block (after a redirect, a 1xx) has the whole cap again. */
Test(header_cap, a_status_line_starts_a_new_block)
{
	struct header_cap h;
	bool status = false;

	header_cap_init(&h, 30);
	cr_assert_eq(line(&h, "HTTP/1.1 302 Found\r\n", &status), 0);	/* 20 */
	cr_assert_eq(line(&h, "Location: /x\r\n", &status), ERR_LIMIT); /* 34 */
	header_cap_init(&h, 30);
	cr_assert_eq(line(&h, "HTTP/1.1 302 Found\r\n", &status), 0);
	cr_assert_eq(line(&h, "L: /x\r\n", &status), 0); /* 27 */
	cr_assert(!status);
	cr_assert_eq(line(&h, "HTTP/1.1 200 OK\r\n", &status), 0); /* restarts: 17 */
	cr_assert(status);
	cr_assert_eq(h.len, 17);
	cr_assert_eq(line(&h, "A: 1234567\r\n", &status), 0); /* 29 */
	cr_assert(!h.over);
	/* "HTTP/" must start the line, case and all. */
	cr_assert_eq(line(&h, "http/1.1\r\n", &status), ERR_LIMIT);
	cr_assert(!status);
}

Test(header_cap, zero_means_no_cap)
{
	struct header_cap h;
	char big[70000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	header_cap_init(&h, 0);
	cr_assert_eq(line(&h, big, NULL), 0);
	cr_assert_eq(line(&h, big, NULL), 0);
	cr_assert(!h.over);
	/* Short lines cannot be status lines. */
	cr_assert_eq(header_cap_line(&h, "HTTP", 4, NULL), 0);
}
