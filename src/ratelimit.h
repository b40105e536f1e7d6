/* ratelimit.h - the rate limit table shared by every jwtsign process of
 * one user (8 FastCGI workers or 200 CGI processes enforce one limit, not
 * eight): token buckets for qos/ratelimit/router and failure counters for
 * the failed-login throttle.
 *
 * Design:
 * - One file, "ratelimit-v1.table", in the directory the JWK Set cache
 *   uses (rundir.h: 0700, owned by the effective user).  The file itself
 *   must be a regular file (O_NOFOLLOW) owned by the effective user with
 *   mode exactly 0600 and of the size its header announces; it is made
 *   under a temporary name and linked into place, so that no process maps
 *   a half-written header.  It is mapped MAP_SHARED.
 * - Header: magic "JWTSRLT1", version, slot count, the SipHash key of
 *   the file (crypto_shorthash, 16 random bytes made when the file is
 *   made: clients cannot choose keys that collide) and a BLAKE2b checksum
 *   of those.  Then the slots, 16 bytes each (key word, state word), in
 *   groups of RL_GROUP: a key's group is its hash modulo the group count.
 * - A key word is the 64-bit keyed hash with its top bit set (0 = empty).
 *   A state word packs a 7-bit generation, a kind bit and 56 bits of
 *   payload; it is only ever changed by compare-and-swap (C11 atomics),
 *   so N processes racing on one key admit exactly what the bucket holds.
 *   - a token bucket (kind 0) keeps its theoretical arrival time (GCRA):
 *     the microsecond at which the bucket is full again.  A request at
 *     now takes a token when max(tat, now) - now <= interval * (capacity
 *     - 1); tat then moves on by one interval.  This is the token bucket
 *     of capacity tokens refilled one per interval, in one word.
 *   - a failure counter (kind 1) keeps a count (12 bits) and the end of
 *     its window (44 bits, in units of 1024 microseconds).
 *   Payload 0 is a fresh entry: a full bucket, no failures.
 * - Inserting a key (and evicting) takes an fcntl open-file-description
 *   lock on its group's bytes (the kernel drops it if the holder dies); a
 *   lookup and an update do not.  Only an idle entry is evicted (a bucket
 *   that is full again, a counter whose window passed: forgetting it
 *   changes nothing); the evicter marks its state first, so no update of
 *   the old key is lost, then writes the new key and a fresh state of
 *   the next generation.  A stale mark (the evicter died) is repaired by
 *   the next lock holder.
 * - Degrading: when a group holds no idle entry (the table is full), or
 *   the file cannot be used (refused, corrupt, out of space), the request
 *   is allowed untracked and the condition is logged once per process:
 *   never a crash, never a global block.
 * Times are clock_monotonic_us(): one clock for every process of the
 * machine, which does not jump with the wall clock.
 */
#ifndef JWTSIGN_RATELIMIT_H
#define JWTSIGN_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Slots per group (one lock, one cache line pair). */
#define RL_GROUP 8
/* Slots of a new table: 1 MiB of slots. */
#define RL_DEFAULT_SLOTS 65536
/* Largest failure count kept (12 bits). */
#define RL_COUNT_MAX 4095
/* The file's name in the directory. */
#define RL_FILE_NAME "ratelimit-v1.table"

/* What a table operation found. */
enum rl_verdict {
	RL_ALLOW = 0,	  /* a token taken, or not blocked */
	RL_DENY = 1,	  /* no token, or blocked: *retry_us says for how long */
	RL_UNTRACKED = 2, /* no room for the key (table full; logged once): allowed */
};

struct rl_table;

/* ------------------------------------------------ arithmetic (pure) */

/* rl_bucket_take - one request at now (microseconds) on the bucket whose
 * theoretical arrival time is tat (0: a fresh, full bucket), refilled one
 * token per interval_us (>= 1), holding capacity (>= 1) tokens.  A tat
 * beyond any reachable value (now + interval * capacity: a table of an
 * earlier boot, or a damaged slot) counts as a full bucket.  Returns true
 * with *new_tat, or false with *retry_us (> 0: the time until a token
 * comes) and *new_tat = tat. */
bool rl_bucket_take(uint64_t tat, uint64_t now, uint64_t interval_us, uint64_t capacity,
		    uint64_t *new_tat, uint64_t *retry_us);

/* rl_counter_blocked - whether the counter payload (count, window end)
 * has reached max (>= 1) failures in a window that has not ended at now;
 * then *retry_us is the time left. */
bool rl_counter_blocked(uint64_t payload, uint64_t now, unsigned max, uint64_t *retry_us);

/* rl_counter_add - the counter payload after one more failure at now: a
 * new window of window_us (count 1) when the last one ended or none was
 * open, else the count plus one (at most RL_COUNT_MAX). */
uint64_t rl_counter_add(uint64_t payload, uint64_t now, uint64_t window_us);

/* rl_counter_count - the failures of payload (0 for a fresh one). */
unsigned rl_counter_count(uint64_t payload);

/* ------------------------------------------------ the shared table */

/* rl_table_open - open the table of directory dir (a path rundir_open
 * accepts), making it with nslots slots (a multiple of RL_GROUP, 8 to
 * 2^24; an existing file keeps its own count) when there is none.
 * *out is freed with rl_table_close.  Returns 0, ERR_INVALID (the
 * directory or the file refused, or corrupt: the message says why),
 * ERR_IO, ERR_NOMEM. */
int rl_table_open(const char *dir, uint32_t nslots, struct rl_table **out, struct err *err);

/* rl_table_close - unmap and close.  NULL-safe. */
void rl_table_close(struct rl_table *t);

/* rl_table_path - the file's path (borrowed from t). */
const char *rl_table_path(const struct rl_table *t);

/* rl_key - the table key of parts[0..n-1] (each hashed with its length,
 * with the file's SipHash key): the kind of limit, the endpoint, the
 * limit's parameters and the client or username.  Never 0. */
uint64_t rl_key(const struct rl_table *t, const char *const *parts, size_t n);

/* rl_take - take one token from key's bucket (interval_us, capacity as
 * for rl_bucket_take) at clock_monotonic_us().  RL_DENY fills *retry_us. */
enum rl_verdict rl_take(struct rl_table *t, uint64_t key, uint64_t interval_us, uint64_t capacity,
			uint64_t *retry_us);

/* rl_fail_blocked - RL_DENY (with *retry_us) when key's counter holds
 * max failures in a window not yet ended; else RL_ALLOW.  Reads only. */
enum rl_verdict rl_fail_blocked(struct rl_table *t, uint64_t key, unsigned max, uint64_t *retry_us);

/* rl_fail_add - count one failure of key (rl_counter_add).  Returns the
 * count after it, or 0 when untracked (table full). */
unsigned rl_fail_add(struct rl_table *t, uint64_t key, uint64_t window_us);

/* rl_fail_reset - forget key's failures (a successful login). */
void rl_fail_reset(struct rl_table *t, uint64_t key);

#endif
