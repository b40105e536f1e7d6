/* bench_common.h - the timing loop, the figure printer and small helpers
 * shared by the in-process benchmarks (bench_sign.c, bench_verify.c; see
 * bench/README.md).  Not part of `make check`.
 *
 * Rates are operations per second of this thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID; bench_clock = CLOCK_MONOTONIC for wall time),
 * the best of N interleaved rounds: on a shared, noisy machine the best
 * round is the one least disturbed, and interleaving puts a figure and
 * its reference under the same conditions.
 */
#ifndef JWTSIGN_BENCH_COMMON_H
#define JWTSIGN_BENCH_COMMON_H

#include <stddef.h>
#include <time.h>

/* The program name of die()'s messages ("bench_sign", ...). */
extern const char *bench_prog;
/* The clock of every rate (default CLOCK_THREAD_CPUTIME_ID). */
extern clockid_t bench_clock;

/* now_s - bench_clock in seconds. */
double now_s(void);

/* die - "PROG: WHAT: MSG" on stderr, exit 1. */
__attribute__((noreturn)) void die(const char *what, const char *msg);

/* One measured operation: fn(ctx) returns 0 on success (anything else
 * stops the program: a benchmark of a failing operation means nothing). */
struct bench {
	const char *name;
	int (*fn)(void *);
	void *ctx;
	unsigned long batch; /* operations between two clock readings */
	double best;	     /* best round: operations per second */
};

/* run_interleaved - calibrate each of bs[0..n) (about 1 ms per batch),
 * then `rounds` rounds of round_s seconds of each in turn (A B C A B C
 * ...), keeping each one's best rate in .best. */
void run_interleaved(struct bench *bs, size_t n, unsigned rounds, double round_s);

/* figure - print "bench: NAME: VALUE UNIT (reference REF_NAME REF
 * REF_UNIT, ratio R)". */
void figure(const char *name, double value, const char *unit, const char *ref_name, double ref,
	    const char *ref_unit);

/* target - print "target: NAME: ratio R >= MIN: met" (or "**not met**")
 * for the ratio value / ref; returns 1 when met. */
int target(const char *name, double value, double ref, double min);

/* read_file - the whole file at path, malloc'd (not NUL-terminated:
 * *len bytes); dies when it cannot be read or is empty. */
char *read_file(const char *path, size_t *len);

#endif
