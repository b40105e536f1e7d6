/* test_keysource.c - a signer's keys from jwk_url through the shared
 * cache, with a controlled clock (clock_set_override) and a local HTTP
 * stub (tls_stub.c) that counts downloads: one download shared by several
 * sources (standing for processes), conditional refresh after
 * cache_duration, re-parsing only on a new generation, kid rotation with
 * failed_jwk_key_cooldown, stale keys while the server is down then an
 * error after max_stale, failure back-off shared through the cache,
 * refused cache files rebuilt, an unusable cache directory, a refresher
 * holding the lock; and jwk_local_path. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "jwk.h"
#include "jwk_cache.h"
#include "jwk_keyring.h"
#include "keysource.h"
#include "log.h"
#include "tls_stub.h"

/* keysource_new's arguments for a signer block s. */
#define SIGNER_KEYS(s)                                                                             \
	&(s).keys, (const char *const *)(s).kids, (s).nkids, (s).alg, (s).jwks_endpoint

#define T0 ((time_t)1700000000)
#define K1                                                                                         \
	"{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k1\",\"k\":"                                        \
	"\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"}]}"
#define K12                                                                                        \
	"{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k1\",\"k\":"                                        \
	"\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"},"                                        \
	"{\"kty\":\"oct\",\"kid\":\"k2\",\"k\":\"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\"}]}"

static struct stub stub;
static char url[128];
static char base[64], cachedir[128], logpath[160];
static char *kids1[] = {"k1"}, *kids2[] = {"k2"};
static struct cfg_signer signer;
static struct cfg_limits limits;
static int saved_stderr = -1;

static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/jwtsign-ks-test.XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	snprintf(cachedir, sizeof(cachedir), "%s/cache", base);
	setenv("JWTSIGN_CACHE_DIR", cachedir, 1);
	/* log lines go to a file the tests read */
	snprintf(logpath, sizeof(logpath), "%s/log", base);
	fflush(stderr);
	saved_stderr = dup(2);
	{
		int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		cr_assert_geq(fd, 0);
		dup2(fd, 2);
		close(fd);
	}
	log_set_level(LOG_DEBUG);
	clock_set_override(T0);
	cr_assert_eq(stub_start(&stub, NULL, NULL, NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/jwks.json", stub.port);
	stub_set_body(&stub, K1);
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"v1\"");
	memset(&signer, 0, sizeof(signer));
	signer.alg = JWS_ALG_HS256;
	signer.kids = kids1;
	signer.nkids = 1;
	signer.keys.jwk_url = url;
	signer.keys.disable_jwk_security = true;
	signer.keys.cache_duration = 900;
	signer.keys.failed_jwk_key_cooldown = 60;
	signer.keys.max_stale = 3600;
	memset(&limits, 0, sizeof(limits));
	limits.max_jwk_set_size = 65536;
	limits.max_jwk_keys = 100;
	limits.connect_timeout_ms = 300;
	limits.jwk_fetch_timeout_ms = 500;
}

static void teardown(void)
{
	char cmd[256];

	stub_stop(&stub);
	if (saved_stderr >= 0) {
		dup2(saved_stderr, 2);
		close(saved_stderr);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", base);
	clock_set_override((time_t)-1);
}

TestSuite(keysource, .init = setup, .fini = teardown);

static struct keysource *new_source(void)
{
	struct keysource *ks = NULL;
	struct err e = {0};

	cr_assert_eq(keysource_new(SIGNER_KEYS(signer), &limits, "/token", &ks, &e), 0, "%s",
		     e.msg);
	return ks;
}

static const struct jwk *get_ok(struct keysource *ks)
{
	const struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(keysource_get(ks, &key, &e), 0, "%s", e.msg);
	cr_assert_not_null(key);
	return key;
}

static int get_rc(struct keysource *ks, struct err *e)
{
	const struct jwk *key = NULL;
	int rc;

	err_clear(e);
	rc = keysource_get(ks, &key, e);
	cr_assert((rc == 0) == (key != NULL));
	return rc;
}

/* Lines of the log containing s. */
static int log_count(const char *s)
{
	FILE *f = fopen(logpath, "r");
	char line[2048];
	int n = 0;

	fflush(stderr);
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, s) != NULL;
	fclose(f);
	return n;
}

static void advance(time_t s)
{
	clock_set_override(clock_now() + s);
}

/* The cache file of the (only) source in the cache, without ".cache". */
static void only_entry(char *out, size_t size)
{
	char cmd[300];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls '%s' | sed -n 's/\\.cache$//p'", cachedir);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(out, (int)size, f));
	pclose(f);
	out[strcspn(out, "\n")] = '\0';
}

/* ------------------------------------------------------------ sharing */

Test(keysource, one_download_shared_by_every_process)
{
	struct keysource *a = new_source(), *b = new_source(), *c = new_source();
	char where[1024];

	cr_assert_str_eq(jwk_kid(get_ok(a)), "k1");
	cr_assert_eq(stub.cfg->requests, 1);
	for (int i = 0; i < 50; i++) {
		get_ok(a);
		cr_assert_str_eq(jwk_kid(get_ok(b)), "k1");
		get_ok(c);
		advance(10);
	}
	cr_assert_eq(stub.cfg->requests, 1);
	keysource_describe(b, where, sizeof(where));
	cr_assert(strstr(where, url) && strstr(where, cachedir) && strstr(where, "/jwks-") &&
		      strstr(where, "generation 1"),
		  "%s", where);
	cr_assert(strstr(where, "fetched 500 s ago"), "%s", where);
	/* each source parsed generation 1 once */
	cr_assert_eq(log_count("JWK Set generation 1 parsed"), 2, "a parsed what it downloaded");
	keysource_free(a);
	keysource_free(b);
	keysource_free(c);
	keysource_free(NULL);
}

Test(keysource, expiry_refreshes_once_with_a_conditional_get)
{
	struct keysource *a = new_source(), *b = new_source();
	const struct jwk *k;

	k = get_ok(a);
	get_ok(b);
	advance(899);
	cr_assert_eq(get_ok(a), k);
	cr_assert_eq(stub.cfg->requests, 1);
	advance(1);
	cr_assert_eq(get_ok(a), k, "304: same parsed key");
	cr_assert_eq(stub.cfg->requests, 2);
	cr_assert_eq(stub.cfg->answered_304, 1);
	cr_assert(strstr(stub.cfg->last_request, "If-None-Match: \"v1\""));
	get_ok(b);
	get_ok(a);
	cr_assert_eq(stub.cfg->requests, 2, "b sees a's refresh");
	cr_assert_eq(log_count("parsed"), 1, "a 304 does not make anyone parse again");
	/* a new document: a new generation, parsed once by each */
	stub_set_body(&stub, K12);
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"v2\"");
	advance(900);
	get_ok(b);
	cr_assert_eq(stub.cfg->requests, 3);
	get_ok(a);
	get_ok(a);
	cr_assert_eq(log_count("JWK Set generation 2 parsed"), 1, "b parsed what it downloaded");
	cr_assert_eq(log_count("parsed"), 2);
	keysource_free(a);
	keysource_free(b);
}

/* ------------------------------------------------------------ rotation */

Test(keysource, a_new_kid_is_picked_up_after_the_cooldown)
{
	struct keysource *a, *b;
	struct err e;

	signer.kids = kids2;
	a = new_source();
	b = new_source();
	cr_assert_eq(get_rc(a, &e), ERR_NOTFOUND);
	cr_assert(strstr(e.msg, "k2"), "%s", e.msg);
	cr_assert_eq(stub.cfg->requests, 1);
	/* within failed_jwk_key_cooldown: no new download, by anyone */
	advance(30);
	cr_assert_eq(get_rc(a, &e), ERR_NOTFOUND);
	cr_assert_eq(get_rc(b, &e), ERR_NOTFOUND);
	cr_assert_eq(stub.cfg->requests, 1);
	/* the server rotates; after the cooldown one refresh picks k2 up */
	stub_set_body(&stub, K12);
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"v2\"");
	advance(30);
	cr_assert_str_eq(jwk_kid(get_ok(b)), "k2");
	cr_assert_str_eq(jwk_kid(get_ok(a)), "k2");
	cr_assert_eq(stub.cfg->requests, 2);
	cr_assert_eq(log_count("none of the configured kids"), 1);
	keysource_free(a);
	keysource_free(b);
}

Test(keysource, a_kid_removed_by_the_server_stops_being_used)
{
	struct keysource *a;
	struct err e;

	signer.kids = kids2;
	stub_set_body(&stub, K12);
	a = new_source();
	get_ok(a);
	stub_set_body(&stub, K1);
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"v2\"");
	advance(900);
	cr_assert_eq(get_rc(a, &e), ERR_NOTFOUND);
	keysource_free(a);
}

/* ------------------------------------------------------------ failures */

Test(keysource, stale_keys_while_the_server_is_down_then_an_error)
{
	struct keysource *a, *b;
	const struct jwk *k;
	struct err e;

	signer.keys.cache_duration = 10;
	signer.keys.max_stale = 20;
	a = new_source();
	b = new_source();
	k = get_ok(a);
	stub.cfg->status = 500;
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "%s", "");
	advance(10);
	cr_assert_eq(get_ok(a), k, "stale key served");
	cr_assert_eq(stub.cfg->requests, 2);
	cr_assert_eq(log_count("JWK Set refresh failed (1 in a row"), 1);
	/* back-off: no new attempt within 1 s, by any process */
	cr_assert_not_null(get_ok(b));
	cr_assert_eq(get_ok(a), k);
	cr_assert_eq(stub.cfg->requests, 2);
	advance(1);
	get_ok(b);
	cr_assert_eq(stub.cfg->requests, 3);
	cr_assert_eq(log_count("refresh failed (2 in a row, next attempt in 2 s)"), 1);
	/* still usable until cache_duration + max_stale after the download */
	clock_set_override(T0 + 29);
	get_ok(a);
	clock_set_override(T0 + 30);
	cr_assert_eq(get_rc(a, &e), ERR_HTTP);
	cr_assert(strstr(e.msg, "too old") && strstr(e.msg, "500"), "%s", e.msg);
	cr_assert_eq(get_rc(b, &e), ERR_HTTP);
	/* the server comes back */
	stub.cfg->status = 200;
	clock_set_override(T0 + 100);
	cr_assert_eq(get_ok(a) != NULL, 1);
	keysource_free(a);
	keysource_free(b);
}

Test(keysource, cold_failures_back_off_across_processes)
{
	struct keysource *a = new_source(), *b = new_source();
	struct err e;

	stub.cfg->status = 503;
	cr_assert_eq(get_rc(a, &e), ERR_HTTP);
	cr_assert(strstr(e.msg, "503"), "%s", e.msg);
	cr_assert_eq(get_rc(b, &e), ERR_HTTP);
	cr_assert(strstr(e.msg, "no JWK Set") && strstr(e.msg, "503"), "%s", e.msg);
	cr_assert_eq(stub.cfg->requests, 1);
	stub.cfg->status = 200;
	advance(1);
	get_ok(b);
	get_ok(a);
	cr_assert_eq(stub.cfg->requests, 2);
	keysource_free(a);
	keysource_free(b);
}

Test(keysource, a_broken_document_keeps_the_previous_one)
{
	struct keysource *a = new_source();
	const struct jwk *k = get_ok(a);

	stub_set_body(&stub, "{\"keys\":[ not json");
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"v2\"");
	advance(900);
	cr_assert_eq(get_ok(a), k);
	cr_assert_eq(stub.cfg->requests, 2);
	cr_assert_eq(log_count("JWK Set refresh failed"), 1);
	keysource_free(a);
}

/* ------------------------------------------------------------ cache safety */

Test(keysource, a_refused_cache_file_is_rebuilt)
{
	struct keysource *a = new_source(), *b;
	char path[600], cmd[700];
	struct stat st;

	get_ok(a);
	/* find the file: the only .cache in the directory */
	snprintf(cmd, sizeof(cmd), "chmod 0644 '%s'/*.cache", cachedir);
	cr_assert_eq(system(cmd), 0);
	b = new_source();
	get_ok(b);
	cr_assert_eq(stub.cfg->requests, 2, "b refused the file and downloaded");
	cr_assert_eq(log_count("mode is not 0600"), 1);
	cr_assert_geq(log_count("not trusted, it will be rebuilt"), 1);
	{
		char name[200];

		only_entry(name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s.cache", cachedir, name);
	}
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	/* a keeps its key and takes the rebuilt file */
	get_ok(a);
	cr_assert_eq(stub.cfg->requests, 2);
	keysource_free(a);
	keysource_free(b);
}

Test(keysource, an_unusable_cache_directory_means_direct_downloads)
{
	struct keysource *a, *b;
	char where[1024];

	cr_assert_eq(mkdir(cachedir, 0755), 0);
	cr_assert_eq(chmod(cachedir, 0755), 0);
	a = new_source();
	b = new_source();
	get_ok(a);
	get_ok(b);
	cr_assert_eq(stub.cfg->requests, 2);
	get_ok(a);
	cr_assert_eq(stub.cfg->requests, 2);
	keysource_describe(a, where, sizeof(where));
	cr_assert(strstr(where, "no shared cache") && strstr(where, "mode 0755"), "%s", where);
	cr_assert_eq(log_count("downloading JWK Sets directly"), 2);
	/* the same rules without the cache: conditional refresh on expiry */
	advance(900);
	get_ok(a);
	cr_assert_eq(stub.cfg->answered_304, 1);
	keysource_free(a);
	keysource_free(b);
}

/* Hold the source's writer lock in a child process until killed. */
static pid_t hold_lock(void)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char name[200], lock[400], ch;
	int p[2], fd;
	pid_t pid;

	only_entry(name, sizeof(name));
	snprintf(lock, sizeof(lock), "%s/%s.lock", cachedir, name);
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		alarm(20); /* never outlive a failed test */
		fd = open(lock, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || fcntl(fd, F_OFD_SETLK, &fl) != 0 || write(p[1], "L", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &ch, 1), 1, "the child could not take the lock");
	close(p[0]);
	return pid;
}

Test(keysource, while_another_process_refreshes)
{
	struct keysource *a = new_source(), *b;
	const struct jwk *k = get_ok(a);
	long long t0;
	pid_t pid;

	pid = hold_lock();
	/* a has keys: it keeps serving them, without waiting or downloading */
	advance(900);
	t0 = clock_monotonic_ms();
	cr_assert_eq(get_ok(a), k);
	cr_assert_lt(clock_monotonic_ms() - t0, 200);
	cr_assert_eq(stub.cfg->requests, 1);
	/* b has none (the cache file is gone): it waits (connect + download
	 * timeout + 1 s), then downloads by itself */
	{
		char name[200], path[400];

		only_entry(name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s.cache", cachedir, name);
		cr_assert_eq(unlink(path), 0);
	}
	b = new_source();
	t0 = clock_monotonic_ms();
	get_ok(b);
	cr_assert_geq(clock_monotonic_ms() - t0, 1700);
	cr_assert_eq(stub.cfg->requests, 2);
	cr_assert_eq(log_count("downloading without the cache"), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* the holder died: the lock is free again, a refreshes through it */
	get_ok(a);
	cr_assert_eq(stub.cfg->requests, 3);
	get_ok(b);
	cr_assert_eq(stub.cfg->requests, 3);
	keysource_free(a);
	keysource_free(b);
}

/* ------------------------------------------------------------ config, file */

Test(keysource, bad_tls_settings_are_config_errors)
{
	struct keysource *ks = NULL;
	struct err e = {0};
	char *pins[] = {"not-a-pin"};
	uint16_t suites[] = {0x1234};

	signer.keys.jwk_fingerprints = pins;
	signer.keys.njwk_fingerprints = 1;
	cr_assert_eq(keysource_new(SIGNER_KEYS(signer), &limits, "/token", &ks, &e), ERR_INVALID);
	cr_assert_null(ks);
	cr_assert(strstr(e.msg, "/token") && strstr(e.msg, "jwk_fingerprints[0]"), "%s", e.msg);
	signer.keys.njwk_fingerprints = 0;
	signer.keys.cipher_suites = suites;
	signer.keys.ncipher_suites = 1;
	cr_assert_eq(keysource_new(SIGNER_KEYS(signer), &limits, "/token", &ks, &e),
		     ERR_UNSUPPORTED);
}

Test(keysource, local_file)
{
	struct keysource *ks;
	struct err e;
	char path[200], where[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/k.json", base);
	signer.keys.jwk_url = NULL;
	signer.keys.jwk_local_path = path;
	ks = new_source();
	cr_assert_eq(get_rc(ks, &e), ERR_IO);
	cr_assert(strstr(e.msg, path), "%s", e.msg);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(K1, f);
	fclose(f);
	/* retried after a second only */
	cr_assert_eq(get_rc(ks, &e), ERR_IO);
	usleep(1100000);
	cr_assert_str_eq(jwk_kid(get_ok(ks)), "k1");
	keysource_describe(ks, where, sizeof(where));
	cr_assert(strncmp(where, "file ", 5) == 0 && strstr(where, path), "%s", where);
	cr_assert_eq(stub.cfg->requests, 0);
	keysource_free(ks);
}

/* ------------------------------------------------------------ validator */

/* A validator's source: no kids, every key of the set in a ring. */
static struct keysource *new_ring_source(void)
{
	struct keysource *ks = NULL;
	struct err e = {0};

	cr_assert_eq(
	    keysource_new(&signer.keys, NULL, 0, JWS_ALG_INVALID, NULL, &limits, "/api", &ks, &e),
	    0, "%s", e.msg);
	return ks;
}

static bool ring_has(struct keysource *ks, const char *kid)
{
	const struct jwk_keyring *ring = NULL;
	const struct jwk *key = NULL;
	struct err e = {0};

	cr_assert_eq(keysource_get_ring(ks, &ring, &e), 0, "%s", e.msg);
	return jwk_keyring_find(ring, kid, JWS_ALG_HS256, &key, &e) == 0;
}

/* A token's unknown kid refreshes the set at most once per
 * failed_jwk_key_cooldown, for every process sharing the cache: random
 * kids cannot drive downloads. */
Test(keysource, a_validator_picks_up_a_rotated_key_once_per_cooldown)
{
	struct keysource *a = new_ring_source(), *b = new_ring_source();
	const struct jwk *key;
	struct err e = {0};

	cr_assert(ring_has(a, "k1"));
	cr_assert_not(ring_has(a, "k2"));
	cr_assert(ring_has(b, "k1")); /* from the shared cache */
	cr_assert_eq(stub.cfg->requests, 1);
	cr_assert_eq(keysource_get(a, &key, &e), ERR_INVALID, "a ring does not sign");
	/* k2 asked for: one refresh now, the server still has only k1 */
	cr_assert_not(keysource_ring_miss(a));
	cr_assert_eq(stub.cfg->requests, 2);
	/* within the cooldown: nobody downloads again */
	advance(30);
	cr_assert_not(keysource_ring_miss(a));
	cr_assert_not(keysource_ring_miss(b));
	cr_assert_eq(stub.cfg->requests, 2);
	/* the server rotates; after the cooldown one refresh loads k2 */
	stub_set_body(&stub, K12);
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"v2\"");
	advance(31);
	cr_assert(keysource_ring_miss(b));
	cr_assert(ring_has(b, "k2"));
	cr_assert(ring_has(a, "k2")); /* a reads b's download from the cache */
	cr_assert_eq(stub.cfg->requests, 3);
	cr_assert_eq(log_count("a token names a kid that is not in"), 2);
	keysource_free(a);
	keysource_free(b);
}

/* The server drops a key: after cache_duration tokens of that kid fail. */
Test(keysource, a_validator_drops_a_key_the_server_removed)
{
	struct keysource *a;

	stub_set_body(&stub, K12);
	a = new_ring_source();
	cr_assert(ring_has(a, "k2"));
	stub_set_body(&stub, K1);
	snprintf(stub.cfg->etag, sizeof(stub.cfg->etag), "\"v2\"");
	advance(900);
	cr_assert_not(ring_has(a, "k2"));
	cr_assert(ring_has(a, "k1"));
	keysource_free(a);
}

/* An outage logs one "keys unavailable" line a second, not one per
 * request: the next line counts those left out. */
Test(keysource, unavailable_lines_once_a_second)
{
	struct keysource *ks = new_source();
	unsigned skipped = 99;

	cr_assert(keysource_log_due(ks, &skipped));
	cr_assert_eq(skipped, 0);
	for (int i = 0; i < 5; i++) {
		cr_assert_not(keysource_log_due(ks, &skipped), "request %d", i);
		cr_assert_eq(skipped, 0);
	}
	usleep(1050 * 1000);
	cr_assert(keysource_log_due(ks, &skipped));
	cr_assert_eq(skipped, 5);
	cr_assert(keysource_log_due(NULL, &skipped));
	keysource_free(ks);
}
