/* bench_spawn.c - time whole process runs for `make bench` (see
 * bench/README.md): the batch CLI and CGI requests against the
 * process-spawn floor.  Not part of `make check`.
 *
 *   bench_spawn [--runs N] [--stdin FILE] [--stderr FILE] [--expect PREFIX]
 *               -- CMD [ARG...] [--vs CMD2 [ARG...]]
 *
 * Runs CMD N times (alternating with CMD2 when given: A B A B ..., so
 * both see the same machine load), each with stdin from FILE (default
 * /dev/null), stdout read through a pipe and discarded, stderr appended to
 * --stderr FILE (default: inherited), and the caller's environment.  A run
 * fails when the exit status is not 0 or, for CMD only, when its output
 * does not start with PREFIX.  Prints one line per command:
 *   a runs=N fail=F wall_med_us=.. wall_p90_us=.. wall_min_us=.. cpu_med_us=.. cpu_min_us=..
 * wall: fork to reaped child (CLOCK_MONOTONIC); cpu: the child's user +
 * system time (wait4).  Exit status 0, or 1 when a run failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cmd {
	char **argv;
	const char *expect;
	double *wall, *cpu; /* microseconds, one per run */
	unsigned fail;
};

static double mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double tv_us(struct timeval tv)
{
	return (double)tv.tv_sec * 1e6 + (double)tv.tv_usec;
}

/* Run c once; record its times in slot i.  0 or -1 (failed run). */
static int run_once(struct cmd *c, size_t i, const char *in_path, const char *err_path)
{
	int out[2], status = 0, ok = 1;
	size_t seen = 0, plen = c->expect ? strlen(c->expect) : 0;
	char chunk[65536];
	struct rusage ru;
	double t0;
	pid_t pid;
	ssize_t n;

	if (pipe(out) != 0)
		return -1;
	t0 = mono_us();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open(in_path ? in_path : "/dev/null", O_RDONLY);

		if (in < 0 || dup2(in, 0) < 0 || dup2(out[1], 1) < 0)
			_exit(126);
		if (err_path) {
			int e = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

			if (e < 0 || dup2(e, 2) < 0)
				_exit(126);
			close(e);
		}
		close(in);
		close(out[0]);
		close(out[1]);
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	close(out[1]);
	while ((n = read(out[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (seen < plen) {
			size_t k = plen - seen < (size_t)n ? plen - seen : (size_t)n;

			if (memcmp(chunk, c->expect + seen, k) != 0)
				ok = 0;
		}
		seen += (size_t)n;
	}
	close(out[0]);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			return -1;
	}
	c->wall[i] = mono_us() - t0;
	c->cpu[i] = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || seen < plen)
		ok = 0;
	return ok ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n sorted values, nearest rank. */
static double quantile(const double *v, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static void report(const char *label, struct cmd *c, size_t runs)
{
	qsort(c->wall, runs, sizeof(double), cmp_double);
	qsort(c->cpu, runs, sizeof(double), cmp_double);
	printf("%s runs=%zu fail=%u wall_med_us=%.0f wall_p90_us=%.0f wall_min_us=%.0f "
	       "cpu_med_us=%.0f cpu_min_us=%.0f\n",
	       label, runs, c->fail, quantile(c->wall, runs, 0.5), quantile(c->wall, runs, 0.9),
	       c->wall[0], quantile(c->cpu, runs, 0.5), c->cpu[0]);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_spawn [--runs N] [--stdin FILE] [--stderr FILE] "
			"[--expect PREFIX] -- CMD [ARG...] [--vs CMD2 [ARG...]]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	struct cmd cmds[2];
	const char *in_path = NULL, *err_path = NULL, *expect = NULL;
	size_t runs = 10, ncmd = 0;
	int i;

	memset(cmds, 0, sizeof(cmds));
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--runs") == 0)
			runs = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--stdin") == 0)
			in_path = argv[i + 1];
		else if (strcmp(argv[i], "--stderr") == 0)
			err_path = argv[i + 1];
		else if (strcmp(argv[i], "--expect") == 0)
			expect = argv[i + 1];
		else
			usage();
	}
	if (i >= argc - 1 || runs == 0)
		usage();
	cmds[ncmd++].argv = &argv[i + 1];
	for (int j = i + 1; j < argc; j++) {
		if (strcmp(argv[j], "--vs") == 0) {
			argv[j] = NULL;
			if (j + 1 >= argc)
				usage();
			cmds[ncmd++].argv = &argv[j + 1];
			break;
		}
	}
	cmds[0].expect = expect;
	for (size_t k = 0; k < ncmd; k++) {
		cmds[k].wall = calloc(runs, sizeof(double));
		cmds[k].cpu = calloc(runs, sizeof(double));
		if (cmds[k].wall == NULL || cmds[k].cpu == NULL)
			return 1;
	}
	for (size_t r = 0; r < runs; r++) {
		for (size_t k = 0; k < ncmd; k++) {
			if (run_once(&cmds[k], r, in_path, err_path) != 0)
				cmds[k].fail++;
		}
	}
	for (size_t k = 0; k < ncmd; k++) {
		report(k == 0 ? "a" : "b", &cmds[k], runs);
		free(cmds[k].wall);
		free(cmds[k].cpu);
	}
	return cmds[0].fail || cmds[1].fail ? 1 : 0;
}
