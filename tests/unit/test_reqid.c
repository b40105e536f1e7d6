/* test_reqid.c - a request's log tag: which id is taken, that a bad one
 * is not, and that the tag reaches the line only when asked for. */
#include "config.h"
#include "log.h"
#include "reqid.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A parameter table: NULL-terminated name, value pairs. */
static const char *table_param(void *ctx, const char *name)
{
	const char *const *kv = ctx;

	for (; kv[0]; kv += 2) {
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	}
	return NULL;
}

static struct request_source source_of(const char *const *kv)
{
	struct request_source src = {table_param, NULL, (void *)kv, NULL};

	return src;
}

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (; *s; s++) {
		if (!strchr("0123456789abcdef", *s))
			return false;
	}
	return true;
}

Test(reqid, valid_ids)
{
	char max[REQID_MAX + 2];

	cr_assert(reqid_valid("5f2c9e0a6b1d4c3e8f7a9b0c1d2e3f40"));
	cr_assert(reqid_valid("Z2xr@AAB-cd.ef:1+2=3/4_5"));
	cr_assert_not(reqid_valid(NULL));
	cr_assert_not(reqid_valid(""));
	cr_assert_not(reqid_valid("a b"));
	cr_assert_not(reqid_valid("a\nb"));
	cr_assert_not(reqid_valid("a\"b"));
	cr_assert_not(reqid_valid("caf\xc3\xa9"));
	memset(max, 'a', REQID_MAX);
	max[REQID_MAX] = '\0';
	cr_assert(reqid_valid(max));
	max[REQID_MAX] = 'a';
	max[REQID_MAX + 1] = '\0';
	cr_assert_not(reqid_valid(max));
}

Test(reqid, server_id_wins_over_the_clients)
{
	const char *kv[] = {"HTTP_X_REQUEST_ID", "from-client", "UNIQUE_ID", "apache-id",
			    "REQUEST_ID",	 "nginx-id",	NULL};
	const char *kv2[] = {"HTTP_X_REQUEST_ID", "from-client", "UNIQUE_ID", "apache-id", NULL};
	const char *kv3[] = {"HTTP_X_REQUEST_ID", "from-client", "REQUEST_ID", "bad id", NULL};
	struct request_source s1 = source_of(kv), s2 = source_of(kv2), s3 = source_of(kv3);
	char id[REQID_MAX + 1];

	reqid_pick(&s1, id, sizeof(id));
	cr_assert_str_eq(id, "nginx-id");
	reqid_pick(&s2, id, sizeof(id));
	cr_assert_str_eq(id, "apache-id");
	reqid_pick(&s3, id, sizeof(id));
	cr_assert_str_eq(id, "from-client");
}

Test(reqid, generated_when_none_is_usable)
{
	const char *kv[] = {"HTTP_X_REQUEST_ID", "no\x01pe", NULL};
	struct request_source src = source_of(kv);
	char a[REQID_MAX + 1], b[REQID_MAX + 1];

	cr_assert(sodium_init() >= 0);
	reqid_pick(&src, a, sizeof(a));
	reqid_pick(&src, b, sizeof(b));
	cr_assert(is_hex(a, REQID_GEN_LEN), "generated id: %s", a);
	cr_assert(is_hex(b, REQID_GEN_LEN), "generated id: %s", b);
	cr_assert_str_neq(a, b);
}

Test(reqid, tag_only_when_asked, .init = cr_redirect_stderr)
{
	const char *kv[] = {"REMOTE_ADDR", "192.0.2.7", "REQUEST_ID", "r-1", NULL};
	struct request_source src = source_of(kv);
	struct cfg_limits lim;
	char out[2048];

	memset(&lim, 0, sizeof(lim));
	log_set_level(LOG_INFO);
	reqid_begin(&lim, &src);
	log_info("/token", "off");
	lim.log_client = true;
	reqid_begin(&lim, &src);
	log_info("/token", "client");
	lim.log_request_id = true;
	reqid_begin(&lim, &src);
	log_info("/token", "both");
	reqid_end();
	log_info("reload", "between");
	reqid_begin(NULL, &src);
	log_info("/token", "none");
	tu_read_stderr(out, sizeof(out));
	cr_assert(strstr(out, "]: info: /token: off\n"), "%s", out);
	cr_assert(strstr(out, "]: info: [client 192.0.2.7] /token: client\n"), "%s", out);
	cr_assert(strstr(out, "]: info: [client 192.0.2.7] [id r-1] /token: both\n"), "%s", out);
	cr_assert(strstr(out, "]: info: reload: between\n"), "%s", out);
	cr_assert(strstr(out, "]: info: /token: none\n"), "%s", out);
}

Test(reqid, tag_parts_are_cut_and_cleaned, .init = cr_redirect_stderr)
{
	char addr[200], out[2048], want[120];

	memset(addr, '1', sizeof(addr) - 1);
	addr[sizeof(addr) - 1] = '\0';
	addr[3] = '\n';
	log_set_request(addr, NULL);
	log_info("/t", "x");
	log_set_request(NULL, NULL);
	tu_read_stderr(out, sizeof(out));
	memset(want, '1', LOG_TAG_PART_MAX);
	want[3] = '?';
	want[LOG_TAG_PART_MAX] = '\0';
	cr_assert(strstr(out, want), "%s", out);
	cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line: %s", out);
	cr_assert(strstr(out, "111] /t: x"), "%s", out);
}
