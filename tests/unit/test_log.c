/* test_log.c - the logger: one event is one line, whatever the context
 * (a request path) and the message hold. */
#include "log.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
	tu_read_stderr(out, sizeof(out));
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
	tu_read_stderr(out, sizeof(out));
	snprintf(want, sizeof(want), "jwtsign[%ld]: error: /token: backend answered 502\n",
		 (long)getpid());
	cr_assert_str_eq(out, want);
}

struct redact_case {
	const char *in, *want;
};

Test(log, urls_lose_userinfo_and_query)
{
	static const struct redact_case cases[] = {
	    {"jwk_url https://user:pw@keys.example/jwks.json: HTTP status 404",
	     "jwk_url https://***@keys.example/jwks.json: HTTP status 404"},
	    {"jwk_url https://keys.example/jwks.json?access_token=s3cr3t: timeout",
	     "jwk_url https://keys.example/jwks.json?*** timeout"},
	    {"url \"http://a:b@h:8080/p?x=1#frag\", cached",
	     "url \"http://***@h:8080/p?***#frag\", cached"},
	    {"backend http://127.0.0.1:9/token: refused",
	     "backend http://127.0.0.1:9/token: refused"},
	    {"two: https://u@a/?q and https://b/c?d e",
	     "two: https://***@a/?*** and https://b/c?*** e"},
	    {"p@ss://x not a scheme? ://nothing", "p@ss://x not a scheme? ://nothing"},
	    {"svn+ssh://me@host/repo", "svn+ssh://***@host/repo"},
	    {"no url here: a@b?c", "no url here: a@b?c"},
	    {"https://u:p@h", "https://***@h"},
	};
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		log_redact_urls(cases[i].in, out, sizeof(out));
		cr_assert_str_eq(out, cases[i].want);
	}
	cr_assert_eq(log_redact_urls("https://u:p@h/x", out, 8), 7);
	cr_assert_str_eq(out, "https:/");
}

Test(log, log_lines_are_redacted, .init = cr_redirect_stderr)
{
	char out[1024];

	log_error("/token", "JWK Set from https://admin:hunter2@k.example/jwks?token=abc failed");
	tu_read_stderr(out, sizeof(out));
	cr_assert_null(strstr(out, "hunter2"));
	cr_assert_null(strstr(out, "token=abc"));
	cr_assert_not_null(strstr(out, "https://***@k.example/jwks?*** failed"), "%s", out);
}

/* The file target: one line per event, stamped by default, reopened
 * after a rename (logrotate); a long line is cut with a mark. */
Test(log, file_target_stamped_reopened_and_cut)
{
	char dir[] = "/tmp/test_log.XXXXXX", path[64], moved[80], buf[8192], big[5000];
	struct err e = {0};
	FILE *f;
	size_t n;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/j.log", dir);
	snprintf(moved, sizeof(moved), "%s.1", path);
	cr_assert_eq(log_check_target("syslog:local0", NULL), 0);
	cr_assert_eq(log_check_target("nope", NULL), ERR_INVALID);
	cr_assert_eq(log_set_target(path, &e), 0, "%s", e.msg);
	cr_assert_str_eq(log_target(), path);
	log_error("/token", "first");
	cr_assert(!log_reopen(false));
	cr_assert_eq(rename(path, moved), 0);
	cr_assert(log_reopen(false));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_error("/token", "%s", big);
	cr_assert_eq(log_set_target("stderr", &e), 0);
	f = fopen(moved, "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	cr_assert(n > 24 && buf[4] == '-' && buf[10] == 'T' && buf[23] == 'Z', "got: %s", buf);
	cr_assert_not_null(strstr(buf, ": error: /token: first\n"));
	f = fopen(path, "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	cr_assert_eq(n, LOG_LINE_MAX - 1, "line of %zu bytes", n);
	cr_assert_not_null(strstr(buf, "x" LOG_CUT_MARK "\n"));
	unlink(path);
	unlink(moved);
	rmdir(dir);
}
