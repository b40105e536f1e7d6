/* test_jwk_cache.c - the shared JWK Set cache: directory and file safety
 * checks (symlink, owner, mode, truncation, corruption, format version,
 * other source), atomic replacement while other processes read, the
 * writer lock across processes and its release when the holder is
 * killed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "jwk_cache.h"

static char base[64]; /* mkdtemp'd parent */
static char dir[128]; /* the cache directory, base/c */

static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/jwtsign-cache-test.XXXXXX");
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

TestSuite(jwk_cache, .init = setup, .fini = teardown);

static void id_of(const char *url, unsigned char id[JWK_CACHE_ID_SIZE])
{
	const char *parts[] = {url, "verify"};

	jwk_cache_id(parts, 2, id);
}

static struct jwk_cache *open_ok(void)
{
	struct jwk_cache *c = NULL;
	struct err e = {0};

	cr_assert_eq(jwk_cache_open(dir, &c, &e), 0, "%s", e.msg);
	return c;
}

static void entry_with(struct jwk_cache_entry *e, const char *doc, uint64_t gen)
{
	jwk_cache_entry_init(e);
	cr_assert_eq(buf_puts(&e->doc, doc), 0);
	e->generation = gen;
	e->fetched_at = 1700000000;
	e->failed_at = 1700000100;
	e->miss_at = 1700000050;
	e->nfail = 2;
	e->last_code = ERR_NET;
	snprintf(e->etag, sizeof(e->etag), "\"etag-%llu\"", (unsigned long long)gen);
	snprintf(e->last_modified, sizeof(e->last_modified), "Mon, 01 Jan 2024 00:00:00 GMT");
	snprintf(e->last_error, sizeof(e->last_error), "jwk_url x: refused");
}

static void file_of(const struct jwk_cache *c, const unsigned char *id, char *out, size_t size)
{
	jwk_cache_path(c, id, out, size);
}

static void write_ok(struct jwk_cache *c, const unsigned char *id, const char *doc, uint64_t gen)
{
	struct jwk_cache_entry e;
	struct err err = {0};

	entry_with(&e, doc, gen);
	cr_assert_eq(jwk_cache_write(c, id, &e, &err), 0, "%s", err.msg);
	jwk_cache_entry_free(&e);
}

static int read_rc(struct jwk_cache *c, const unsigned char *id, struct err *err)
{
	struct jwk_cache_entry e;
	int rc;

	jwk_cache_entry_init(&e);
	err_clear(err);
	rc = jwk_cache_read(c, id, NULL, 1 << 20, &e, err);
	jwk_cache_entry_free(&e);
	return rc;
}

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* ------------------------------------------------------------ directory */

Test(jwk_cache, default_dir)
{
	char out[256], run[64], shm[64];
	const char *dflt;
	struct err e = {0};
	struct stat st;

	unsetenv("JWTSIGN_CACHE_DIR");
	unsetenv("RUNTIME_DIRECTORY");
	/* The package's directory when it exists, else /dev/shm. */
	snprintf(run, sizeof(run), "/run/jwtsign/cache-%lu", (unsigned long)geteuid());
	snprintf(shm, sizeof(shm), "/dev/shm/jwtsign-%lu", (unsigned long)geteuid());
	dflt = lstat(run, &st) == 0 && S_ISDIR(st.st_mode) ? run : shm;
	cr_assert_eq(jwk_cache_default_dir(out, sizeof(out), &e), 0);
	cr_assert_str_eq(out, dflt);
	setenv("JWTSIGN_CACHE_DIR", "", 1);
	cr_assert_eq(jwk_cache_default_dir(out, sizeof(out), &e), 0);
	cr_assert_str_eq(out, dflt);
	setenv("JWTSIGN_CACHE_DIR", "/run/jwtsign", 1);
	cr_assert_eq(jwk_cache_default_dir(out, sizeof(out), &e), 0);
	cr_assert_str_eq(out, "/run/jwtsign");
	setenv("JWTSIGN_CACHE_DIR", "relative/dir", 1);
	cr_assert_eq(jwk_cache_default_dir(out, sizeof(out), &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "absolute"), "%s", e.msg);
	setenv("JWTSIGN_CACHE_DIR", "/run/jwtsign", 1);
	cr_assert_eq(jwk_cache_default_dir(out, 5, &e), ERR_LIMIT);
	/* systemd's RuntimeDirectory= (the first entry), after the variable. */
	unsetenv("JWTSIGN_CACHE_DIR");
	{
		char rt[320];

		snprintf(rt, sizeof(rt), "%s:/run/other", base); /* ours */
		setenv("RUNTIME_DIRECTORY", rt, 1);
		cr_assert_eq(jwk_cache_default_dir(out, sizeof(out), &e), 0);
		cr_assert_str_eq(out, base);
	}
	setenv("RUNTIME_DIRECTORY", "/", 1); /* root's, or not ours: skipped */
	cr_assert_eq(jwk_cache_default_dir(out, sizeof(out), &e), 0);
	cr_assert_str_eq(out, geteuid() == 0 ? "/" : dflt);
	setenv("JWTSIGN_CACHE_DIR", "/var/cache/x", 1);
	cr_assert_eq(jwk_cache_default_dir(out, sizeof(out), &e), 0);
	cr_assert_str_eq(out, "/var/cache/x");
	unsetenv("JWTSIGN_CACHE_DIR");
	setenv("RUNTIME_DIRECTORY", "relative", 1); /* not systemd's: ignored */
	cr_assert_eq(jwk_cache_default_dir(out, sizeof(out), &e), 0);
	cr_assert_str_neq(out, "relative");
	unsetenv("RUNTIME_DIRECTORY");
}

Test(jwk_cache, open_creates_a_0700_directory_despite_the_umask)
{
	struct jwk_cache *c;
	struct stat st;
	mode_t old = umask(0277);

	c = open_ok();
	umask(old);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0700);
	cr_assert_str_eq(jwk_cache_dir(c), dir);
	jwk_cache_close(c);
	jwk_cache_close(NULL);
}

Test(jwk_cache, open_refuses_unsafe_directories)
{
	struct jwk_cache *c = NULL;
	struct err e = {0};
	char real[160];

	/* wrong mode */
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(jwk_cache_open(dir, &c, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "mode 0755") && strstr(e.msg, dir), "%s", e.msg);
	cr_assert_null(c);
	/* a symbolic link to a good directory */
	cr_assert_eq(rmdir(dir), 0);
	snprintf(real, sizeof(real), "%s/real", base);
	cr_assert_eq(mkdir(real, 0700), 0);
	cr_assert_eq(symlink(real, dir), 0);
	cr_assert_eq(jwk_cache_open(dir, &c, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "symbolic link"), "%s", e.msg);
	/* a file */
	cr_assert_eq(unlink(dir), 0);
	sh("touch '%s'%s", dir, "");
	cr_assert_eq(jwk_cache_open(dir, &c, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "not a directory"), "%s", e.msg);
	/* missing parent */
	cr_assert_eq(jwk_cache_open("/nonexistent-jwtsign/c", &c, &e), ERR_IO);
}

Test(jwk_cache, open_refuses_a_directory_of_another_user)
{
	struct jwk_cache *c = NULL;
	struct err e = {0};

	if (geteuid() != 0)
		cr_skip_test("needs root to make a directory owned by another user");
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(chown(dir, 65534, 65534), 0);
	cr_assert_eq(jwk_cache_open(dir, &c, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "owned by uid 65534"), "%s", e.msg);
}

/* ------------------------------------------------------------ files */

Test(jwk_cache, ids)
{
	unsigned char a[JWK_CACHE_ID_SIZE], b[JWK_CACHE_ID_SIZE];
	const char *p1[] = {"ab", "c"}, *p2[] = {"a", "bc"}, *p3[] = {"ab", "c", NULL};

	jwk_cache_id(p1, 2, a);
	jwk_cache_id(p2, 2, b);
	cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
	jwk_cache_id(p3, 3, b);
	cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
	jwk_cache_id(p1, 2, b);
	cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
}

Test(jwk_cache, write_then_read_round_trip)
{
	struct jwk_cache *c = open_ok();
	unsigned char id[JWK_CACHE_ID_SIZE];
	struct jwk_cache_entry e, w;
	struct jwk_cache_stamp stamp = {0};
	struct err err = {0};
	char path[512], tmp[520];
	struct stat st;

	id_of("https://a.example/jwks.json", id);
	jwk_cache_entry_init(&e);
	cr_assert_eq(jwk_cache_read(c, id, &stamp, 1 << 20, &e, &err), ERR_NOTFOUND);
	entry_with(&w, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"c2VjcmV0\"}]}", 7);
	cr_assert_eq(jwk_cache_write(c, id, &w, &err), 0, "%s", err.msg);
	cr_assert_eq(jwk_cache_read(c, id, &stamp, 1 << 20, &e, &err), 0, "%s", err.msg);
	cr_assert_str_eq(e.doc.data, w.doc.data);
	cr_assert_eq(e.doc.len, w.doc.len);
	cr_assert_eq(e.generation, 7);
	cr_assert_eq(e.fetched_at, 1700000000);
	cr_assert_eq(e.failed_at, 1700000100);
	cr_assert_eq(e.miss_at, 1700000050);
	cr_assert_eq(e.nfail, 2);
	cr_assert_eq(e.last_code, ERR_NET);
	cr_assert_str_eq(e.etag, "\"etag-7\"");
	cr_assert_str_eq(e.last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
	cr_assert_str_eq(e.last_error, "jwk_url x: refused");
	/* the file: 0600, named after the id, no temporary file left */
	file_of(c, id, path, sizeof(path));
	cr_assert(strstr(path, "/jwks-") && strstr(path, ".cache"), "%s", path);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	snprintf(tmp, sizeof(tmp), "%.*s.tmp", (int)(strlen(path) - 6), path);
	cr_assert_neq(access(tmp, F_OK), 0);
	/* unchanged: not read again; rewritten: read again */
	cr_assert_eq(jwk_cache_read(c, id, &stamp, 1 << 20, &e, &err), JWK_CACHE_UNCHANGED);
	w.generation = 8;
	cr_assert_eq(jwk_cache_write(c, id, &w, &err), 0);
	cr_assert_eq(jwk_cache_read(c, id, &stamp, 1 << 20, &e, &err), 0);
	cr_assert_eq(e.generation, 8);
	/* an empty document (a failure record) */
	buf_wipe_free(&w.doc);
	cr_assert_eq(jwk_cache_write(c, id, &w, &err), 0);
	cr_assert_eq(jwk_cache_read(c, id, &stamp, 1 << 20, &e, &err), 0);
	cr_assert_eq(e.doc.len, 0);
	jwk_cache_entry_free(&w);
	jwk_cache_entry_free(&e);
	jwk_cache_close(c);
}

/* Corrupt the cache file of id with a shell command (%s = the path). */
static void corrupt(struct jwk_cache *c, const unsigned char *id, const char *cmd)
{
	char path[512];

	write_ok(c, id, "{\"keys\":[]}", 1);
	file_of(c, id, path, sizeof(path));
	sh(cmd, path, "");
}

static void expect_refused(struct jwk_cache *c, const unsigned char *id, const char *why)
{
	struct err err;
	struct jwk_cache_entry e;
	struct jwk_cache_stamp stamp = {0};

	cr_assert_eq(read_rc(c, id, &err), ERR_INVALID, "expected refusal (%s)", why);
	cr_assert(strstr(err.msg, why) && strstr(err.msg, "refused"), "%s", err.msg);
	/* the stamp does not hide a bad file either */
	jwk_cache_entry_init(&e);
	cr_assert_eq(jwk_cache_read(c, id, &stamp, 1 << 20, &e, &err), ERR_INVALID);
	cr_assert_eq(jwk_cache_read(c, id, &stamp, 1 << 20, &e, &err), ERR_INVALID);
	jwk_cache_entry_free(&e);
}

Test(jwk_cache, unsafe_or_damaged_files_are_refused)
{
	struct jwk_cache *c = open_ok();
	unsigned char id[JWK_CACHE_ID_SIZE], other[JWK_CACHE_ID_SIZE];
	char path[512], opath[512];
	struct err err;

	id_of("https://a.example/jwks.json", id);
	id_of("https://b.example/jwks.json", other);
	corrupt(c, id, "chmod 0644 '%s'%s");
	expect_refused(c, id, "mode is not 0600");
	/* a symbolic link to a perfectly valid copy */
	write_ok(c, id, "{\"keys\":[]}", 1);
	file_of(c, id, path, sizeof(path));
	{
		char target[600];

		snprintf(target, sizeof(target), "%s.copy", path);
		cr_assert_eq(rename(path, target), 0);
		cr_assert_eq(symlink(target, path), 0);
	}
	expect_refused(c, id, "symbolic link");
	cr_assert_eq(unlink(path), 0);
	corrupt(c, id, "truncate -s -1 '%s'%s");
	expect_refused(c, id, "truncated");
	corrupt(c, id, "truncate -s 100 '%s'%s");
	expect_refused(c, id, "truncated");
	corrupt(c, id, "printf x >>'%s'%s");
	expect_refused(c, id, "trailing");
	/* one byte of the document flipped (the last byte) */
	corrupt(c, id,
		"python3 -c 'import sys;p=sys.argv[1];b=bytearray(open(p,\"rb\").read());"
		"b[-2]^=1;open(p,\"wb\").write(b)' '%s'%s");
	expect_refused(c, id, "checksum");
	/* format version 2 */
	corrupt(c, id,
		"python3 -c 'import sys;p=sys.argv[1];b=bytearray(open(p,\"rb\").read());"
		"b[8]=2;open(p,\"wb\").write(b)' '%s'%s");
	expect_refused(c, id, "unknown format version 2");
	corrupt(c, id,
		"python3 -c 'import sys;p=sys.argv[1];b=bytearray(open(p,\"rb\").read());"
		"b[0]=0;open(p,\"wb\").write(b)' '%s'%s");
	expect_refused(c, id, "magic");
	/* the file of another source under this source's name */
	write_ok(c, other, "{\"keys\":[]}", 1);
	file_of(c, other, opath, sizeof(opath));
	file_of(c, id, path, sizeof(path));
	cr_assert_eq(rename(opath, path), 0);
	expect_refused(c, id, "another source");
	/* a directory */
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(mkdir(path, 0700), 0);
	expect_refused(c, id, "not a regular file");
	cr_assert_eq(rmdir(path), 0);
	/* too large for max_jwk_set_size */
	write_ok(c, id, "{\"keys\":[]}", 1);
	{
		struct jwk_cache_entry e;

		jwk_cache_entry_init(&e);
		cr_assert_eq(jwk_cache_read(c, id, NULL, 5, &e, &err), ERR_INVALID);
		cr_assert(strstr(err.msg, "max_jwk_set_size"), "%s", err.msg);
		jwk_cache_entry_free(&e);
	}
	jwk_cache_close(c);
}

Test(jwk_cache, a_file_of_another_user_is_refused)
{
	struct jwk_cache *c = open_ok();
	unsigned char id[JWK_CACHE_ID_SIZE];

	if (geteuid() != 0)
		cr_skip_test("needs root to make a file owned by another user");
	id_of("https://a.example/jwks.json", id);
	corrupt(c, id, "chown 65534 '%s'%s");
	expect_refused(c, id, "owned by another user");
	jwk_cache_close(c);
}

Test(jwk_cache, writing_replaces_a_bad_file_without_following_it)
{
	struct jwk_cache *c = open_ok();
	unsigned char id[JWK_CACHE_ID_SIZE];
	char path[512], target[600], tmp[520];
	struct err err;
	struct stat st;

	id_of("https://a.example/jwks.json", id);
	file_of(c, id, path, sizeof(path));
	snprintf(target, sizeof(target), "%s/victim", base);
	sh("echo precious >'%s'%s", target, "");
	cr_assert_eq(symlink(target, path), 0);
	/* a writer that died left a temporary file (a symlink, even) */
	snprintf(tmp, sizeof(tmp), "%.*s.tmp", (int)(strlen(path) - 6), path);
	cr_assert_eq(symlink(target, tmp), 0);
	write_ok(c, id, "{\"keys\":[]}", 3);
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	sh("grep -qx precious '%s'%s", target, "");
	cr_assert_eq(read_rc(c, id, &err), 0, "%s", err.msg);
	jwk_cache_close(c);
}

/* ------------------------------------------------------------ concurrency */

Test(jwk_cache, readers_never_see_a_half_written_entry)
{
	struct jwk_cache *c = open_ok();
	unsigned char id[JWK_CACHE_ID_SIZE];
	long long end;
	int reads = 0, status;
	pid_t pid;

	id_of("https://a.example/jwks.json", id);
	write_ok(c, id, "{\"gen\":0}", 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* the writer: documents of varying size naming their generation */
		struct jwk_cache_entry e;
		char doc[20000];

		for (uint64_t g = 1; g < 400; g++) {
			size_t pad = (size_t)(g * 37 % 19000);

			jwk_cache_entry_init(&e);
			snprintf(doc, sizeof(doc), "{\"gen\":%llu,\"pad\":\"%*s\"}",
				 (unsigned long long)g, (int)pad, "");
			if (buf_puts(&e.doc, doc) != 0)
				_exit(1);
			e.generation = g;
			if (jwk_cache_write(c, id, &e, NULL) != 0)
				_exit(1);
			jwk_cache_entry_free(&e);
		}
		jwk_cache_close(c);
		_exit(0);
	}
	end = clock_monotonic_ms() + 5000;
	while (clock_monotonic_ms() < end) {
		struct jwk_cache_entry e;
		struct err err = {0};
		unsigned long long g = 999999;
		int rc;

		jwk_cache_entry_init(&e);
		rc = jwk_cache_read(c, id, NULL, 1 << 20, &e, &err);
		cr_assert_eq(rc, 0, "read %d: %s", reads, err.msg);
		cr_assert_eq(sscanf(e.doc.data, "{\"gen\":%llu", &g), 1);
		cr_assert_eq(g, e.generation);
		jwk_cache_entry_free(&e);
		reads++;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_gt(reads, 10);
	jwk_cache_close(c);
}

Test(jwk_cache, lock_is_exclusive_and_released_when_the_holder_dies)
{
	struct jwk_cache *c = open_ok();
	unsigned char id[JWK_CACHE_ID_SIZE], id2[JWK_CACHE_ID_SIZE];
	int fd, fd2, pipefd[2], status;
	struct err err = {0};
	long long t0;
	char ch;
	pid_t pid;

	id_of("https://a.example/jwks.json", id);
	id_of("https://b.example/jwks.json", id2);
	/* within one process too: two sources, two attempts on one source */
	cr_assert_eq(jwk_cache_lock(c, id, 0, &fd, &err), 0, "%s", err.msg);
	cr_assert_eq(jwk_cache_lock(c, id, 0, &fd2, &err), ERR_TIMEOUT);
	cr_assert_eq(fd2, -1);
	cr_assert_eq(jwk_cache_lock(c, id2, 0, &fd2, &err), 0);
	jwk_cache_unlock(fd2);
	jwk_cache_unlock(fd);
	/* another process holds it, then is killed */
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int lfd;

		if (jwk_cache_lock(c, id, 0, &lfd, NULL) != 0)
			_exit(1);
		if (write(pipefd[1], "L", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	cr_assert_eq(read(pipefd[0], &ch, 1), 1);
	t0 = clock_monotonic_ms();
	cr_assert_eq(jwk_cache_lock(c, id, 150, &fd, &err), ERR_TIMEOUT);
	cr_assert_geq(clock_monotonic_ms() - t0, 150);
	cr_assert(strstr(err.msg, "held by another process"), "%s", err.msg);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	t0 = clock_monotonic_ms();
	cr_assert_eq(jwk_cache_lock(c, id, 5000, &fd, &err), 0, "%s", err.msg);
	cr_assert_lt(clock_monotonic_ms() - t0, 1000);
	jwk_cache_unlock(fd);
	jwk_cache_unlock(-1);
	close(pipefd[0]);
	close(pipefd[1]);
	jwk_cache_close(c);
}

Test(jwk_cache, a_waiter_gets_the_lock_when_the_holder_releases_it)
{
	struct jwk_cache *c = open_ok();
	unsigned char id[JWK_CACHE_ID_SIZE];
	int fd, status;
	struct err err = {0};
	pid_t pid;

	id_of("https://a.example/jwks.json", id);
	cr_assert_eq(jwk_cache_lock(c, id, 0, &fd, &err), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int lfd;

		/* an OFD lock is shared by inherited descriptors: drop ours */
		int rc;

		jwk_cache_unlock(fd);
		rc = jwk_cache_lock(c, id, 5000, &lfd, NULL);
		jwk_cache_unlock(lfd);
		jwk_cache_close(c);
		_exit(rc == 0 ? 0 : 1);
	}
	usleep(200000);
	jwk_cache_unlock(fd);
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	jwk_cache_close(c);
}

Test(jwk_cache, an_unsafe_lock_file_is_replaced)
{
	struct jwk_cache *c = open_ok();
	unsigned char id[JWK_CACHE_ID_SIZE];
	char path[512], lock[520], target[600];
	struct err err = {0};
	int fd;

	id_of("https://a.example/jwks.json", id);
	file_of(c, id, path, sizeof(path));
	snprintf(lock, sizeof(lock), "%.*s.lock", (int)(strlen(path) - 6), path);
	snprintf(target, sizeof(target), "%s/elsewhere", base);
	cr_assert_eq(symlink(target, lock), 0);
	cr_assert_eq(jwk_cache_lock(c, id, 0, &fd, &err), ERR_INVALID);
	cr_assert(strstr(err.msg, "symbolic link"), "%s", err.msg);
	cr_assert_neq(access(target, F_OK), 0);
	cr_assert_eq(jwk_cache_lock(c, id, 0, &fd, &err), 0, "%s", err.msg);
	jwk_cache_unlock(fd);
	cr_assert_eq(chmod(lock, 0644), 0);
	cr_assert_eq(jwk_cache_lock(c, id, 0, &fd, &err), ERR_INVALID);
	cr_assert_eq(jwk_cache_lock(c, id, 0, &fd, &err), 0, "%s", err.msg);
	jwk_cache_unlock(fd);
	jwk_cache_close(c);
}
