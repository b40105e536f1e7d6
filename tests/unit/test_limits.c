/* test_limits.c - every size/count limit is explicit, has the documented
 * default, can be set in the "jwtsign" block, and is enforced exactly at
 * its boundary (N passes, N+1 is ERR_LIMIT) by the module that owns it:
 * request body (request.c), backend JSON depth and members (gojson via
 * signer_transform), JWK Set size and key count (jwk_set.c).  The backend
 * response size and the timeouts need a peer: tests/integration/hostile.sh.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "gojson.h"
#include "jwk.h"
#include "jwk_set.h"
#include "log.h"
#include "request.h"
#include "signer.h"
#include "testutil.h"

#define KEY_K                                                                                      \
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
#define HS_KEY "{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"" KEY_K "\"}"

static const char cfg_head[] =
    "{\"version\":3,\"endpoints\":[{\"endpoint\":\"/t\",\"method\":\"POST\","
    "\"backend\":[{\"host\":[\"http://127.0.0.1:1\"],\"url_pattern\":\"/x\"}],"
    "\"extra_config\":{\"auth/signer\":{\"alg\":\"HS256\",\"kid\":\"k\","
    "\"keys_to_sign\":[\"a\"],\"jwk_local_path\":\"/k.json\"}}}]";

static struct cfg *parse_cfg(const char *jwtsign_block)
{
	struct buf doc = BUF_INIT;
	struct cfg *cfg = NULL;
	struct err err = {0};

	cr_assert_eq(buf_puts(&doc, cfg_head), 0);
	if (jwtsign_block)
		cr_assert_eq(buf_printf(&doc, ",\"extra_config\":{\"jwtsign\":%s}", jwtsign_block),
			     0);
	cr_assert_eq(buf_putc(&doc, '}'), 0);
	cr_assert_eq(cfg_parse(doc.data, doc.len, "limits.json", &cfg, &err), 0, "%s", err.msg);
	buf_free(&doc);
	return cfg;
}

static void setup(void)
{
	log_set_level(LOG_ERROR);
}

TestSuite(limits, .init = setup);

/* The defaults of jwtsign.json(5). */
Test(limits, defaults_as_documented)
{
	struct cfg *cfg = parse_cfg(NULL);
	const struct cfg_limits *l = &cfg->limits;

	cr_assert_eq(l->max_request_body, 1048576);
	cr_assert_eq(l->max_backend_response, 1048576);
	cr_assert_eq(l->max_json_depth, 128);
	cr_assert_eq(l->max_json_members, 100000);
	cr_assert_eq(l->max_jwk_set_size, 1048576);
	cr_assert_eq(l->max_jwk_keys, 1000);
	cr_assert_eq(l->max_header_size, 65536);
	cr_assert_eq(l->connect_timeout_ms, 2000);
	cr_assert_eq(l->jwk_fetch_timeout_ms, 5000);
	cr_assert_eq(cfg->endpoints[0].timeout_ms, 2000);
	cfg_free(cfg);
}

Test(limits, every_limit_settable)
{
	struct cfg *cfg =
	    parse_cfg("{\"max_request_body\":10,\"max_backend_response\":20,\"max_json_depth\":64,"
		      "\"max_json_members\":30,\"max_jwk_set_size\":40,\"max_jwk_keys\":2,"
		      "\"max_header_size\":1024,"
		      "\"connect_timeout\":\"250ms\",\"jwk_fetch_timeout\":\"1m\"}");
	const struct cfg_limits *l = &cfg->limits;

	cr_assert_eq(l->max_request_body, 10);
	cr_assert_eq(l->max_backend_response, 20);
	cr_assert_eq(l->max_json_depth, 64);
	cr_assert_eq(l->max_json_members, 30);
	cr_assert_eq(l->max_jwk_set_size, 40);
	cr_assert_eq(l->max_jwk_keys, 2);
	cr_assert_eq(l->max_header_size, 1024);
	cr_assert_eq(l->connect_timeout_ms, 250);
	cr_assert_eq(l->jwk_fetch_timeout_ms, 60000);
	cfg_free(cfg);
}

/* ------------------------------------------------------------ request body */

struct mem_src {
	const char *cl;
	const char *body;
	size_t len, pos;
};

static const char *mem_param(void *ctx, const char *name)
{
	struct mem_src *m = ctx;

	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return m->cl;
	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "POST";
	return NULL;
}

static long mem_read(void *ctx, void *p, size_t n)
{
	struct mem_src *m = ctx;

	if (n > m->len - m->pos)
		n = m->len - m->pos;
	memcpy(p, m->body + m->pos, n);
	m->pos += n;
	return (long)n;
}

Test(limits, request_body_boundary)
{
	static const char body[] = "0123456789A";
	struct mem_src m = {"10", body, 11, 0};
	struct request_source src = {mem_param, mem_read, &m, NULL};
	struct request req;
	struct err err = {0};

	cr_assert_eq(request_read(&req, &src, 10, &err), 0);
	cr_assert_eq(req.reject_status, 0);
	cr_assert_eq(req.body_len, 10);
	request_free(&req);

	m.cl = "11";
	m.pos = 0;
	cr_assert_eq(request_read(&req, &src, 10, &err), 0);
	cr_assert_eq(req.reject_status, 413);
	cr_assert_str_eq(req.reject_code, "body_too_large");
	cr_assert_eq(m.pos, 0, "the body must not be read");
	request_free(&req);
}

/* ------------------------------------------------------------ backend JSON */

static struct jwk *hs_key(void)
{
	static const char set[] = "{\"keys\":[" HS_KEY "]}";

	return tu_select_key(set, strlen(set), "k", JWS_ALG_HS256, NULL);
}

static int transform(const char *body, size_t len, unsigned depth, size_t members)
{
	static char *const names[] = {"access_token"};
	struct jwk *key = hs_key();
	struct signer_opts o = {.key = key,
				.alg = JWS_ALG_HS256,
				.typ = "JWT",
				.keys_to_sign = names,
				.nkeys_to_sign = 1,
				.limits = {depth, members}};
	struct buf out = BUF_INIT;
	struct err err = {0};
	int rc = signer_transform(&o, body, len, &out, &err);

	if (rc == 0)
		cr_assert(strstr(out.data, "\"access_token\":\"ey") != NULL, "not signed: %s",
			  out.data);
	buf_free(&out);
	jwk_free(key);
	return rc;
}

/* {"access_token":{"a":{"a":...{}}}} nested depth levels in all. */
static char *nested(unsigned depth, size_t *len)
{
	struct buf b = BUF_INIT;
	unsigned i;

	cr_assert_geq(depth, 2);
	cr_assert_eq(buf_puts(&b, "{\"access_token\":"), 0);
	for (i = 0; i < depth - 2; i++)
		cr_assert_eq(buf_puts(&b, "{\"a\":"), 0);
	cr_assert_eq(buf_puts(&b, "{}"), 0);
	for (i = 0; i < depth - 1; i++)
		cr_assert_eq(buf_putc(&b, '}'), 0);
	return buf_steal(&b, len);
}

Test(limits, depth_64_signs_and_boundary)
{
	size_t len;
	char *doc = nested(64, &len);

	cr_assert_eq(transform(doc, len, 64, 0), 0, "64 levels must sign at max_json_depth 64");
	cr_assert_eq(transform(doc, len, 128, 0), 0);
	cr_assert_eq(transform(doc, len, 63, 0), ERR_LIMIT);
	free(doc);
	doc = nested(128, &len);
	cr_assert_eq(transform(doc, len, 128, 0), 0, "the default depth must sign");
	free(doc);
	doc = nested(129, &len);
	cr_assert_eq(transform(doc, len, 128, 0), ERR_LIMIT);
	free(doc);
}

Test(limits, million_brackets_is_a_clean_limit)
{
	size_t n = 1000000;
	char *doc = malloc(n);

	cr_assert_not_null(doc);
	memset(doc, '[', n);
	cr_assert_eq(transform(doc, n, 128, 100000), ERR_LIMIT);
	cr_assert_eq(transform(doc, n, 10000, 0), ERR_LIMIT, "Go's own cap, 10000");
	free(doc);
}

Test(limits, members_boundary)
{
	/* {"access_token":{},"a":[0,0,0]}: 2 members + 3 elements = 5 */
	static const char doc[] = "{\"access_token\":{},\"a\":[0,0,0]}";

	cr_assert_eq(transform(doc, strlen(doc), 128, 5), 0);
	cr_assert_eq(transform(doc, strlen(doc), 128, 4), ERR_LIMIT);
}

/* ------------------------------------------------------------ JWK Set */

Test(limits, jwk_set_size_and_keys_boundary)
{
	static const char set[] =
	    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"x\",\"k\":\"AAAA\"}," HS_KEY "]}";
	const char *kid = "k";
	struct jwk *key = NULL;
	struct jwk_limits lim = {strlen(set), 2};
	struct err err = {0};

	cr_assert_eq(jwk_set_select(set, strlen(set), &kid, 1, JWS_ALG_HS256, &lim, &key, &err), 0,
		     "%s", err.msg);
	jwk_free(key);
	key = NULL;
	lim.max_doc_bytes = strlen(set) - 1;
	cr_assert_eq(jwk_set_select(set, strlen(set), &kid, 1, JWS_ALG_HS256, &lim, &key, &err),
		     ERR_LIMIT);
	cr_assert_null(key);
	lim.max_doc_bytes = strlen(set);
	lim.max_keys = 1;
	cr_assert_eq(jwk_set_select(set, strlen(set), &kid, 1, JWS_ALG_HS256, &lim, &key, &err),
		     ERR_LIMIT);
	cr_assert_null(key);
}
