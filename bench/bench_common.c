/* bench_common.c - see bench_common.h. */
#include "bench_common.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>

const char *bench_prog = "bench";
clockid_t bench_clock = CLOCK_THREAD_CPUTIME_ID;

double now_s(void)
{
	struct timespec ts;

	clock_gettime(bench_clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void die(const char *what, const char *msg)
{
	fprintf(stderr, "%s: %s: %s\n", bench_prog, what, msg);
	exit(1);
}

static void run_or_die(struct bench *b)
{
	int rc = b->fn(b->ctx);

	if (rc != 0) {
		char msg[64];

		snprintf(msg, sizeof(msg), "operation failed (%d)", rc);
		die(b->name, msg);
	}
}

/* Warm up and size the batch so that one batch takes about 1 ms. */
static void calibrate(struct bench *b)
{
	unsigned long n = 0;
	double t0 = now_s(), dt;

	do {
		run_or_die(b);
		n++;
		dt = now_s() - t0;
	} while (dt < 0.02);
	b->batch = (unsigned long)((double)n / dt * 0.001);
	if (b->batch < 1)
		b->batch = 1;
}

static double one_round(struct bench *b, double seconds)
{
	unsigned long n = 0;
	double t0 = now_s(), dt;

	do {
		for (unsigned long i = 0; i < b->batch; i++)
			run_or_die(b);
		n += b->batch;
		dt = now_s() - t0;
	} while (dt < seconds);
	return (double)n / dt;
}

void run_interleaved(struct bench *bs, size_t n, unsigned rounds, double round_s)
{
	for (size_t i = 0; i < n; i++) {
		calibrate(&bs[i]);
		bs[i].best = 0;
	}
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n; i++) {
			double rate = one_round(&bs[i], round_s);

			if (rate > bs[i].best)
				bs[i].best = rate;
		}
	}
}

void figure(const char *name, double value, const char *unit, const char *ref_name, double ref,
	    const char *ref_unit)
{
	printf("bench: %s: %.*f %s (reference %s %.*f %s, ratio %.2f)\n", name, value < 100 ? 2 : 0,
	       value, unit, ref_name, ref < 100 ? 2 : 0, ref, ref_unit,
	       ref != 0 ? value / ref : 0.0);
	fflush(stdout);
}

int target(const char *name, double value, double ref, double min)
{
	double r = ref != 0 ? value / ref : 0.0;
	int met = r >= min;

	printf("target: %s: ratio %.2f >= %.2f: %s\n", name, r, min, met ? "met" : "**not met**");
	fflush(stdout);
	return met;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		die(path, "cannot open");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) != 0)
			die(path, "out of memory");
	fclose(f);
	if (b.data == NULL)
		die(path, "empty file");
	*len = b.len;
	return b.data;
}
