/* clock.h - the one source of wall-clock time, replaceable in tests. */
#ifndef JWTSIGN_CLOCK_H
#define JWTSIGN_CLOCK_H

#include <time.h>

/* clock_now - seconds since the Unix epoch (UTC): the test override when
 * one is set, else time(NULL). */
time_t clock_now(void);

/* clock_set_override - make clock_now() return t (pass (time_t)-1 to go
 * back to the real clock).  For tests and the CLI's --now option only. */
void clock_set_override(time_t t);

/* clock_monotonic_ms - milliseconds from CLOCK_MONOTONIC, for timeouts and
 * cache ages that must not jump with the wall clock. */
long long clock_monotonic_ms(void);

/* clock_monotonic_us - microseconds from CLOCK_MONOTONIC (one clock for
 * every process of the machine: the shared rate limit table's time), or
 * the test override when one is set. */
long long clock_monotonic_us(void);

/* clock_set_monotonic_override - make clock_monotonic_us() return us
 * (pass -1 to go back to the real clock).  For tests only; a forked
 * child inherits it. */
void clock_set_monotonic_override(long long us);

#endif
