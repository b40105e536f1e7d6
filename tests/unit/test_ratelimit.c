/* test_ratelimit.c - the shared rate limit table: the token bucket and
 * failure counter arithmetic with an injected clock, the file's safety
 * checks (mode, owner, symlink, corruption), eviction of idle entries
 * only, a full table allowing untracked, and 8 forked processes racing on
 * one key admitting exactly the capacity. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "ratelimit.h"

#define SEC 1000000ull

static char base[64]; /* mkdtemp'd parent */
static char dir[128]; /* the shared directory, base/c */

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	snprintf(base, sizeof(base), "/tmp/jwtsign-rl-test.XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/c", base);
	clock_set_monotonic_override(1000 * SEC);
}

static void teardown(void)
{
	char cmd[256];

	clock_set_monotonic_override(-1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", base);
}

TestSuite(ratelimit, .init = setup, .fini = teardown);

/* ------------------------------------------------ arithmetic */

Test(ratelimit, bucket_starts_full_then_one_per_interval)
{
	uint64_t tat = 0, nt, retry = 0, now = 500 * SEC, T = 12 * SEC; /* 5 per minute */

	for (int i = 0; i < 5; i++) {
		cr_assert(rl_bucket_take(tat, now, T, 5, &nt, &retry), "token %d", i);
		tat = nt;
	}
	cr_assert_not(rl_bucket_take(tat, now, T, 5, &nt, &retry));
	cr_assert_eq(nt, tat, "a refusal changes nothing");
	cr_assert_eq(retry, T, "the next token in one interval");
	/* One microsecond early: still none; on time: one, then none. */
	cr_assert_not(rl_bucket_take(tat, now + T - 1, T, 5, &nt, &retry));
	cr_assert_eq(retry, 1);
	cr_assert(rl_bucket_take(tat, now + T, T, 5, &nt, &retry));
	tat = nt;
	cr_assert_not(rl_bucket_take(tat, now + T, T, 5, &nt, &retry));
	/* Idle for an hour: full again, never more than the capacity. */
	now += 3600 * SEC;
	for (int i = 0; i < 5; i++) {
		cr_assert(rl_bucket_take(tat, now, T, 5, &nt, &retry));
		tat = nt;
	}
	cr_assert_not(rl_bucket_take(tat, now, T, 5, &nt, &retry));
}

Test(ratelimit, bucket_capacity_one_and_unreachable_tat)
{
	uint64_t nt, retry;

	cr_assert(rl_bucket_take(0, 10, 100, 1, &nt, &retry));
	cr_assert_eq(nt, 110);
	cr_assert_not(rl_bucket_take(nt, 10, 100, 1, &nt, &retry));
	cr_assert_eq(retry, 100);
	/* A tat beyond now + capacity * interval (an earlier boot's table)
	 * counts as a full bucket, not as a block for years. */
	cr_assert(rl_bucket_take(UINT64_C(1) << 50, 10, 100, 3, &nt, &retry));
	cr_assert_eq(nt, 110);
}

Test(ratelimit, counter_window)
{
	uint64_t p = 0, retry = 0, now = 100 * SEC, w = 60 * SEC;

	cr_assert_not(rl_counter_blocked(p, now, 3, &retry));
	p = rl_counter_add(p, now, w);
	cr_assert_eq(rl_counter_count(p), 1);
	p = rl_counter_add(p, now + SEC, w);
	cr_assert_not(rl_counter_blocked(p, now + SEC, 3, &retry));
	p = rl_counter_add(p, now + 2 * SEC, w);
	cr_assert_eq(rl_counter_count(p), 3);
	cr_assert(rl_counter_blocked(p, now + 2 * SEC, 3, &retry));
	/* The window counts from the first failure (1024 us units, rounded
	 * up). */
	cr_assert_geq(retry, 58 * SEC);
	cr_assert_leq(retry, 58 * SEC + 1024);
	cr_assert(rl_counter_blocked(p, now + w - 1, 3, &retry));
	cr_assert_not(rl_counter_blocked(p, now + w + 1024, 3, &retry));
	/* A failure after the window opens a new one. */
	p = rl_counter_add(p, now + w + 1024, w);
	cr_assert_eq(rl_counter_count(p), 1);
	for (int i = 0; i < RL_COUNT_MAX + 10; i++)
		p = rl_counter_add(p, now + w + 2048, w);
	cr_assert_eq(rl_counter_count(p), RL_COUNT_MAX, "the count saturates");
}

/* ------------------------------------------------ the table */

static struct rl_table *open_table(uint32_t nslots)
{
	struct rl_table *t = NULL;
	struct err e = {0};

	cr_assert_eq(rl_table_open(dir, nslots, &t, &e), 0, "%s", e.msg);
	return t;
}

static uint64_t key_of(struct rl_table *t, const char *who)
{
	const char *parts[] = {"c", "POST /token", who};

	return rl_key(t, parts, 3);
}

Test(ratelimit, table_file_mode_and_injected_clock)
{
	struct rl_table *t = open_table(1024);
	char path[256];
	struct stat st;
	uint64_t k = key_of(t, "192.0.2.1"), other = key_of(t, "192.0.2.2"), retry = 0;

	snprintf(path, sizeof(path), "%s/" RL_FILE_NAME, dir);
	cr_assert_str_eq(rl_table_path(t), path);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0700);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(st.st_size, 64 + 1024 * 16);
	cr_assert_neq(k, other);
	cr_assert_neq(k, 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(rl_take(t, k, 12 * SEC, 5, &retry), RL_ALLOW);
	cr_assert_eq(rl_take(t, k, 12 * SEC, 5, &retry), RL_DENY);
	cr_assert_eq(retry, 12 * SEC);
	cr_assert_eq(rl_take(t, other, 12 * SEC, 5, &retry), RL_ALLOW, "another client");
	clock_set_monotonic_override(1012 * SEC);
	cr_assert_eq(rl_take(t, k, 12 * SEC, 5, &retry), RL_ALLOW);
	cr_assert_eq(rl_take(t, k, 12 * SEC, 5, &retry), RL_DENY);
	rl_table_close(t);
	/* Another open sees the same buckets (the same key: it is in the file). */
	t = open_table(8);
	cr_assert_eq(rl_take(t, key_of(t, "192.0.2.1"), 12 * SEC, 5, &retry), RL_DENY);
	rl_table_close(t);
}

Test(ratelimit, failures_block_and_reset)
{
	struct rl_table *t = open_table(64);
	uint64_t alice = key_of(t, "alice"), bob = key_of(t, "bob"), retry = 0;

	cr_assert_eq(rl_fail_blocked(t, alice, 3, &retry), RL_ALLOW);
	cr_assert_eq(rl_fail_add(t, alice, 60 * SEC), 1);
	cr_assert_eq(rl_fail_add(t, alice, 60 * SEC), 2);
	cr_assert_eq(rl_fail_blocked(t, alice, 3, &retry), RL_ALLOW);
	cr_assert_eq(rl_fail_add(t, alice, 60 * SEC), 3);
	cr_assert_eq(rl_fail_blocked(t, alice, 3, &retry), RL_DENY);
	cr_assert_eq(rl_fail_blocked(t, bob, 3, &retry), RL_ALLOW);
	rl_fail_reset(t, alice);
	cr_assert_eq(rl_fail_blocked(t, alice, 3, &retry), RL_ALLOW);
	cr_assert_eq(rl_fail_add(t, alice, 60 * SEC), 1, "counting starts over");
	clock_set_monotonic_override(1061 * SEC);
	cr_assert_eq(rl_fail_add(t, alice, 60 * SEC), 1, "the window passed");
	rl_table_close(t);
}

Test(ratelimit, full_table_allows_untracked_and_evicts_idle_only)
{
	struct rl_table *t = open_table(8); /* one group */
	uint64_t retry = 0, k[9];
	char name[16];

	for (int i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "client%d", i);
		k[i] = key_of(t, name);
	}
	/* Eight live buckets (capacity 2, one token taken each). */
	for (int i = 0; i < 8; i++)
		cr_assert_eq(rl_take(t, k[i], 10 * SEC, 2, &retry), RL_ALLOW);
	/* No idle entry to evict: the ninth client is not tracked. */
	for (int i = 0; i < 5; i++)
		cr_assert_eq(rl_take(t, k[8], 10 * SEC, 2, &retry), RL_UNTRACKED);
	cr_assert_eq(rl_fail_add(t, k[8], 60 * SEC), 0);
	/* The live entries kept their state. */
	cr_assert_eq(rl_take(t, k[0], 10 * SEC, 2, &retry), RL_ALLOW);
	cr_assert_eq(rl_take(t, k[0], 10 * SEC, 2, &retry), RL_DENY);
	/* Ten seconds on, client1..7 are full again (idle): client8 takes a
	 * slot; client0 (one token short) keeps its own. */
	clock_set_monotonic_override(1010 * SEC);
	cr_assert_eq(rl_take(t, k[8], 10 * SEC, 2, &retry), RL_ALLOW);
	cr_assert_eq(rl_take(t, k[8], 10 * SEC, 2, &retry), RL_ALLOW);
	cr_assert_eq(rl_take(t, k[8], 10 * SEC, 2, &retry), RL_DENY);
	cr_assert_eq(rl_take(t, k[0], 10 * SEC, 2, &retry), RL_ALLOW);
	cr_assert_eq(rl_take(t, k[0], 10 * SEC, 2, &retry), RL_DENY, "not evicted");
	rl_table_close(t);
}

Test(ratelimit, refused_files)
{
	struct rl_table *t = NULL;
	struct err e = {0};
	char path[256], target[256];
	unsigned char junk[64];
	int fd;

	t = open_table(64);
	rl_table_close(t);
	snprintf(path, sizeof(path), "%s/" RL_FILE_NAME, dir);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(rl_table_open(dir, 64, &t, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "mode is not 0600"), "%s", e.msg);
	cr_assert_eq(chmod(path, 0600), 0);
	/* A damaged header (one byte of the key) is refused, not trusted. */
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "x", 1, 20), 1);
	close(fd);
	cr_assert_eq(rl_table_open(dir, 64, &t, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "checksum"), "%s", e.msg);
	/* Truncated. */
	cr_assert_eq(truncate(path, 100), 0);
	cr_assert_eq(rl_table_open(dir, 64, &t, &e), ERR_INVALID);
	/* Not ours: random bytes. */
	randombytes_buf(junk, sizeof(junk));
	fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	cr_assert_eq(rl_table_open(dir, 64, &t, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "bad magic"), "%s", e.msg);
	/* A symbolic link. */
	unlink(path);
	snprintf(target, sizeof(target), "%s/elsewhere", base);
	fd = open(target, O_CREAT | O_WRONLY, 0600);
	close(fd);
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(rl_table_open(dir, 64, &t, &e), ERR_INVALID);
	cr_assert(strstr(e.msg, "symbolic link"), "%s", e.msg);
	cr_assert_null(t);
	cr_assert_eq(rl_table_open(dir, 12, &t, &e), ERR_INVALID, "not a multiple of 8");
}

Test(ratelimit, damaged_slot_allows)
{
	struct rl_table *t = open_table(8);
	uint64_t k = key_of(t, "x"), retry = 0;
	char path[256];
	int fd;
	uint64_t words[16];

	cr_assert_eq(rl_take(t, k, SEC, 1, &retry), RL_ALLOW);
	cr_assert_eq(rl_take(t, k, SEC, 1, &retry), RL_DENY);
	/* Scribble over every state word with a far-future value. */
	snprintf(path, sizeof(path), "%s/" RL_FILE_NAME, dir);
	fd = open(path, O_RDWR);
	cr_assert_eq(pread(fd, words, sizeof(words), 64), (ssize_t)sizeof(words));
	for (int i = 1; i < 16; i += 2)
		words[i] = (UINT64_C(1) << 55) - 7;
	cr_assert_eq(pwrite(fd, words, sizeof(words), 64), (ssize_t)sizeof(words));
	close(fd);
	cr_assert_eq(rl_take(t, k, SEC, 1, &retry), RL_ALLOW, "counts as full, not blocked");
	rl_table_close(t);
}

/* 8 processes race on one key of a bucket that never refills during the
 * test (the clock is frozen): exactly the capacity is admitted. */
Test(ratelimit, forked_workers_admit_exactly_capacity)
{
	enum { WORKERS = 8, TRIES = 2000, CAPACITY = 1000 };
	struct rl_table *t = open_table(4096);
	_Atomic unsigned *admitted;
	pid_t pids[WORKERS];
	unsigned total = 0;

	rl_table_close(t);
	admitted = mmap(NULL, sizeof(*admitted) * WORKERS, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(admitted, MAP_FAILED);
	for (int w = 0; w < WORKERS; w++) {
		pids[w] = fork();
		cr_assert_geq(pids[w], 0);
		if (pids[w] == 0) {
			struct rl_table *mine = NULL;
			struct err e = {0};
			uint64_t retry, k;
			unsigned n = 0;

			if (rl_table_open(dir, 4096, &mine, &e) != 0)
				_exit(2);
			k = key_of(mine, "198.51.100.7");
			for (int i = 0; i < TRIES; i++)
				n += rl_take(mine, k, 3600 * SEC, CAPACITY, &retry) == RL_ALLOW;
			admitted[w] = n;
			rl_table_close(mine);
			_exit(0);
		}
	}
	for (int w = 0; w < WORKERS; w++) {
		int status = 0;

		cr_assert_eq(waitpid(pids[w], &status, 0), pids[w]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		total += admitted[w];
	}
	cr_assert_eq(total, CAPACITY, "admitted %u of %u tries, capacity %u", total,
		     WORKERS * TRIES, CAPACITY);
	munmap(admitted, sizeof(*admitted) * WORKERS);
}

/* The same race on a new key each round, so that the inserting path (the
 * group lock) is raced too. */
Test(ratelimit, forked_workers_race_on_insert)
{
	enum { WORKERS = 8, ROUNDS = 50, CAPACITY = 3 };
	_Atomic unsigned *admitted;
	pid_t pids[WORKERS];
	unsigned total = 0;

	rl_table_close(open_table(4096));
	admitted = mmap(NULL, sizeof(*admitted) * WORKERS, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (int w = 0; w < WORKERS; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			struct rl_table *mine = NULL;
			struct err e = {0};
			uint64_t retry;
			unsigned n = 0;
			char name[32];

			if (rl_table_open(dir, 4096, &mine, &e) != 0)
				_exit(2);
			for (int r = 0; r < ROUNDS; r++) {
				snprintf(name, sizeof(name), "round%d", r);
				for (int i = 0; i < 5; i++)
					n += rl_take(mine, key_of(mine, name), 3600 * SEC, CAPACITY,
						     &retry) == RL_ALLOW;
			}
			admitted[w] = n;
			rl_table_close(mine);
			_exit(0);
		}
	}
	for (int w = 0; w < WORKERS; w++) {
		int status = 0;

		waitpid(pids[w], &status, 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		total += admitted[w];
	}
	cr_assert_eq(total, ROUNDS * CAPACITY);
	munmap(admitted, sizeof(*admitted) * WORKERS);
}
