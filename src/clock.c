/* clock.c - time source; see clock.h. */
#include "clock.h"

/* Process-wide test override: (time_t)-1 when unset. */
static time_t clock_override = (time_t)-1;
/* The same for clock_monotonic_us: -1 when unset. */
static long long mono_override = -1;

time_t clock_now(void)
{
	if (clock_override != (time_t)-1)
		return clock_override;
	return time(NULL);
}

void clock_set_override(time_t t)
{
	clock_override = t;
}

long long clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long clock_monotonic_us(void)
{
	struct timespec ts;

	if (mono_override >= 0)
		return mono_override;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void clock_set_monotonic_override(long long us)
{
	mono_override = us;
}
