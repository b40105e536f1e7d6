/* test_log.c - the logger: one event is one line, whatever the context
 * (a request path) and the message hold. */
#include "log.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The whole of what was written to the redirected stderr. */
static void read_stderr(char *buf, size_t size)
{
	FILE *f;
	size_t n;

	fflush(stderr);
	f = cr_get_redirected_stderr();
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
}

static unsigned count_char(const char *s, char c)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

Test(log, control_bytes_in_context_and_message_stay_on_one_line, .init = cr_redirect_stderr)
{
	char out[4096];

	log_warn("/token\njwtsign[1]: error: forged: line\r\x1b[2J\x7f",
		 "message\nwith\r\nbreaks %s", "and\x01 an\targument\n");
	read_stderr(out, sizeof(out));
	cr_assert_eq(count_char(out, '\n'), 1, "one line expected, got: %s", out);
	cr_assert_eq(out[strlen(out) - 1], '\n');
	cr_assert_null(strchr(out, '\r'));
	cr_assert_null(strchr(out, '\x1b'));
	cr_assert_null(strchr(out, '\x7f'));
	cr_assert_not_null(strstr(out, ": warn: /token?jwtsign[1]: error: forged: line??[2J?: "
				       "message?with??breaks and? an?argument?\n"),
			   "got: %s", out);
}

Test(log, plain_line_is_unchanged, .init = cr_redirect_stderr)
{
	char out[1024], want[128];

	log_error("/token", "backend answered %d", 502);
	read_stderr(out, sizeof(out));
	snprintf(want, sizeof(want), "jwtsign[%ld]: error: /token: backend answered 502\n",
		 (long)getpid());
	cr_assert_str_eq(out, want);
}
