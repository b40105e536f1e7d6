/* test_metrics.c - the shared counters: the exposition text of a small
 * layout byte for byte (escaped label values, histogram, ages), counting
 * from forked processes into one file, a new file for another layout,
 * and refused files turning counting off without a crash. */
#include <criterion/criterion.h>
#include <glob.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "metrics.h"

static char base[64]; /* mkdtemp'd parent */
static char dir[128]; /* the shared directory, base/c */

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	snprintf(base, sizeof(base), "/tmp/jwtsign-metrics-test.XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/c", base);
}

static void teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", base);
}

TestSuite(metrics, .init = setup, .fini = teardown);

/* One signer endpoint with a quote in its path, a jwk_url whose query is
 * redacted, and the metrics_endpoint. */
static const char DOC[] =
    "{\"version\":3,\"extra_config\":{\"jwtsign\":{\"metrics_endpoint\":\"/metrics\"}},"
    "\"endpoints\":[{\"endpoint\":\"/to\\\"ken\",\"method\":\"POST\","
    "\"backend\":[{\"host\":[\"http://127.0.0.1:1\"],\"url_pattern\":\"/t\"}],"
    "\"extra_config\":{\"auth/signer\":{\"alg\":\"HS256\",\"kid\":\"k\\\\1\","
    "\"keys_to_sign\":[\"access_token\"],"
    "\"jwk_url\":\"https://keys.example/jwks?secret=1\"}}}]}";

static struct cfg *load(const char *doc)
{
	struct cfg *cfg = NULL;
	struct err e = {0};

	cr_assert_eq(cfg_parse(doc, strlen(doc), "test.json", &cfg, &e), 0, "%s", e.msg);
	return cfg;
}

static struct metrics *open_m(const struct cfg *cfg)
{
	struct metrics *m = NULL;
	struct err e = {0};

	cr_assert_eq(metrics_open(dir, cfg, true, &m, &e), 0, "%s", e.msg);
	return m;
}

static const char EXPECTED[] =
    "# HELP jwtsign_build_info The jwtsign version; always 1.\n"
    "# TYPE jwtsign_build_info gauge\n"
    "jwtsign_build_info{version=\"1.2\"} 1\n"
    "# HELP jwtsign_requests_total Requests answered, by endpoint and HTTP status code.\n"
    "# TYPE jwtsign_requests_total counter\n"
    "jwtsign_requests_total{endpoint=\"none\",code=\"404\"} 1\n"
    "jwtsign_requests_total{endpoint=\"/to\\\"ken\",code=\"200\"} 2\n"
    "jwtsign_requests_total{endpoint=\"/to\\\"ken\",code=\"502\"} 1\n"
    "# HELP jwtsign_errors_total Error answers, by endpoint and the error code of their "
    "body.\n"
    "# TYPE jwtsign_errors_total counter\n"
    "jwtsign_errors_total{endpoint=\"none\",reason=\"not_found\"} 1\n"
    "jwtsign_errors_total{endpoint=\"/to\\\"ken\",reason=\"backend_bad_status\"} 1\n"
    "# HELP jwtsign_backend_duration_seconds Time of the backend calls, by endpoint.\n"
    "# TYPE jwtsign_backend_duration_seconds histogram\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"0.005\"} 1\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"0.01\"} 1\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"0.025\"} 1\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"0.05\"} 1\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"0.1\"} 1\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"0.25\"} 2\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"0.5\"} 2\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"1\"} 2\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"2.5\"} 2\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"5\"} 2\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"10\"} 2\n"
    "jwtsign_backend_duration_seconds_bucket{endpoint=\"/to\\\"ken\",le=\"+Inf\"} 3\n"
    "jwtsign_backend_duration_seconds_sum{endpoint=\"/to\\\"ken\"} 12.205001\n"
    "jwtsign_backend_duration_seconds_count{endpoint=\"/to\\\"ken\"} 3\n"
    "# HELP jwtsign_tokens_issued_total Answers signed, by endpoint, algorithm and key id.\n"
    "# TYPE jwtsign_tokens_issued_total counter\n"
    "jwtsign_tokens_issued_total{endpoint=\"/to\\\"ken\",alg=\"HS256\",kid=\"k\\\\1\"} 2\n"
    "# HELP jwtsign_validator_decisions_total Tokens checked by an auth/validator, by "
    "endpoint, decision and reason.\n"
    "# TYPE jwtsign_validator_decisions_total counter\n"
    "jwtsign_validator_decisions_total{endpoint=\"/to\\\"ken\",decision=\"allow\","
    "reason=\"ok\"} 1\n"
    "jwtsign_validator_decisions_total{endpoint=\"/to\\\"ken\",decision=\"deny\","
    "reason=\"expired\"} 1\n"
    "jwtsign_validator_decisions_total{endpoint=\"/to\\\"ken\",decision=\"deny\","
    "reason=\"other\"} 1\n"
    "# HELP jwtsign_limiter_decisions_total Rate limit and failed-login throttle checks, by "
    "endpoint, limit and decision.\n"
    "# TYPE jwtsign_limiter_decisions_total counter\n"
    "jwtsign_limiter_decisions_total{endpoint=\"/to\\\"ken\",limit=\"client\","
    "decision=\"deny\"} 1\n"
    "# HELP jwtsign_jwks_fetch_total JWK Set downloads of this process group, by source and "
    "result.\n"
    "# TYPE jwtsign_jwks_fetch_total counter\n"
    "jwtsign_jwks_fetch_total{source=\"https://keys.example/jwks?***\",result=\"ok\"} 1\n"
    "jwtsign_jwks_fetch_total{source=\"https://keys.example/jwks?***\",result=\"error\"} 1\n"
    "# HELP jwtsign_jwks_age_seconds Seconds since the JWK Set of a source was last "
    "downloaded or confirmed.\n"
    "# TYPE jwtsign_jwks_age_seconds gauge\n"
    "jwtsign_jwks_age_seconds{source=\"https://keys.example/jwks?***\"} 30\n"
    "# HELP jwtsign_config_reloads_total Configuration reloads, applied (ok) or refused "
    "(failed).\n"
    "# TYPE jwtsign_config_reloads_total counter\n"
    "jwtsign_config_reloads_total{result=\"ok\"} 0\n"
    "jwtsign_config_reloads_total{result=\"failed\"} 1\n";

Test(metrics, exposition_byte_exact)
{
	struct cfg *cfg = load(DOC);
	struct metrics *m = open_m(cfg);
	size_t ep = metrics_endpoint(m, "/to\"ken");
	struct buf out = BUF_INIT;
	const char *url = "https://keys.example/jwks?secret=1";

	cr_assert_neq(ep, 0);
	cr_assert_eq(metrics_endpoint(m, "/nope"), 0, "an unknown path is \"none\"");
	metrics_request(m, ep, 200, NULL);
	metrics_request(m, ep, 200, NULL);
	metrics_request(m, ep, 502, "backend_bad_status");
	metrics_request(m, 0, 404, "not_found");
	metrics_request(m, ep, 99, NULL); /* not a status: not counted */
	metrics_backend(m, ep, 5000);	  /* le 0.005 */
	metrics_backend(m, ep, 200001);	  /* le 0.25 */
	metrics_backend(m, ep, 12000000); /* +Inf */
	metrics_backend(m, 0, 1);	  /* no backend: no histogram */
	metrics_token(m, ep, "HS256", "k\\1");
	metrics_token(m, ep, "HS256", "k\\1");
	metrics_token(m, ep, "HS256", "other"); /* not in the layout */
	metrics_validator(m, ep, NULL);
	metrics_validator(m, ep, "expired");
	metrics_validator(m, ep, "no such reason");
	metrics_limiter(m, ep, METRICS_LIMIT_CLIENT, true);
	metrics_jwks_fetch(m, url, METRICS_FETCH_OK, 1000);
	metrics_jwks_fetch(m, url, METRICS_FETCH_ERROR, 1010);
	metrics_jwks_fetch(m, "https://other.example/", METRICS_FETCH_OK, 1020);
	metrics_reload(m, false);
	cr_assert_eq(metrics_format(m, 1030, "1.2", &out), 0);
	cr_assert_eq(out.len, strlen(EXPECTED), "length %zu:\n%.*s", out.len, (int)out.len,
		     out.data);
	cr_assert_eq(memcmp(out.data, EXPECTED, out.len), 0, "got:\n%.*s", (int)out.len, out.data);
	buf_free(&out);
	metrics_close(m);
	cfg_free(cfg);
}

Test(metrics, forked_processes_count_in_one_file)
{
	struct cfg *cfg = load(DOC);
	struct metrics *m = open_m(cfg);
	size_t ep = metrics_endpoint(m, "/to\"ken");
	struct buf out = BUF_INIT;
	pid_t pids[8];

	for (int i = 0; i < 8; i++) {
		pids[i] = fork();
		cr_assert_geq(pids[i], 0);
		if (pids[i] == 0) {
			struct metrics *c = NULL;
			struct err e = {0};

			/* Each process opens the file as a worker does. */
			if (metrics_open(dir, cfg, true, &c, &e) != 0)
				_exit(1);
			for (int k = 0; k < 1000; k++)
				metrics_request(c, ep, 200, NULL);
			_exit(0);
		}
	}
	for (int i = 0; i < 8; i++) {
		int st;

		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	cr_assert_eq(metrics_format(m, 0, "x", &out), 0);
	cr_assert_not_null(strstr(out.data, "jwtsign_requests_total{endpoint=\"/to\\\"ken\","
					    "code=\"200\"} 8000\n"),
			   "%s", out.data);
	buf_free(&out);
	metrics_close(m);
	/* A process of the same layout later (a recycled worker) sees them. */
	m = open_m(cfg);
	cr_assert_eq(metrics_format(m, 0, "x", &out), 0);
	cr_assert_not_null(strstr(out.data, "code=\"200\"} 8000\n"));
	buf_free(&out);
	metrics_close(m);
	cfg_free(cfg);
}

static size_t count_files(void)
{
	char pat[256];
	glob_t g;
	size_t n;

	snprintf(pat, sizeof(pat), "%s/metrics-v1-*.counters", dir);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

Test(metrics, another_layout_gets_its_own_file)
{
	static const char other[] =
	    "{\"version\":3,\"endpoints\":[{\"endpoint\":\"/login\",\"method\":\"POST\","
	    "\"backend\":[{\"host\":[\"http://127.0.0.1:1\"],\"url_pattern\":\"/t\"}],"
	    "\"extra_config\":{\"auth/signer\":{\"alg\":\"HS256\",\"kid\":\"k\","
	    "\"keys_to_sign\":[\"access_token\"],\"jwk_local_path\":\"/x.json\"}}}]}";
	struct cfg *a = load(DOC), *b = load(other);
	struct metrics *ma = open_m(a), *mb;
	struct buf out = BUF_INIT;

	metrics_request(ma, 0, 404, "not_found");
	mb = open_m(b);
	cr_assert_str_neq(metrics_path(ma), metrics_path(mb));
	cr_assert_eq(count_files(), 2);
	cr_assert_eq(metrics_format(mb, 0, "x", &out), 0);
	cr_assert_null(strstr(out.data, "code=\"404\""), "no old slot read anew:\n%s", out.data);
	buf_free(&out);
	metrics_close(ma);
	metrics_close(mb);
	cfg_free(a);
	cfg_free(b);
}

Test(metrics, refused_files_turn_counting_off)
{
	struct cfg *cfg = load(DOC);
	struct metrics *m = open_m(cfg), *again = NULL;
	struct err e = {0};
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s", metrics_path(m));
	metrics_close(m);
	/* A damaged header: refused, not trusted. */
	f = fopen(path, "r+");
	cr_assert_not_null(f);
	fseek(f, 20, SEEK_SET);
	fputc('X', f);
	fclose(f);
	cr_assert_eq(metrics_open(dir, cfg, true, &again, &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "corrupt"), "%s", e.msg);
	cr_assert_null(again);
	/* Another mode. */
	unlink(path);
	m = open_m(cfg);
	metrics_close(m);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(metrics_open(dir, cfg, true, &again, &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "0600"), "%s", e.msg);
	/* Truncated. */
	cr_assert_eq(chmod(path, 0600), 0);
	cr_assert_eq(truncate(path, 100), 0);
	cr_assert_eq(metrics_open(dir, cfg, true, &again, &e), ERR_INVALID);
	/* A symbolic link. */
	unlink(path);
	cr_assert_eq(symlink("/etc/passwd", path), 0);
	cr_assert_eq(metrics_open(dir, cfg, true, &again, &e), ERR_INVALID);
	cr_assert_not_null(strstr(e.msg, "symbolic link"), "%s", e.msg);
	/* Not made, and not to be made (jwtsign metrics). */
	unlink(path);
	cr_assert_eq(metrics_open(dir, cfg, false, &again, &e), ERR_NOTFOUND);
	/* Counting off: NULL everywhere, nothing happens. */
	metrics_request(NULL, 0, 200, "x");
	metrics_backend(NULL, 0, 1);
	metrics_token(NULL, 0, "HS256", NULL);
	metrics_validator(NULL, 0, NULL);
	metrics_limiter(NULL, 0, METRICS_LIMIT_CLIENT, false);
	metrics_jwks_fetch(NULL, "u", METRICS_FETCH_OK, 1);
	metrics_reload(NULL, true);
	metrics_close(NULL);
	cr_assert_eq(metrics_endpoint(NULL, "/x"), 0);
	cfg_free(cfg);
}
