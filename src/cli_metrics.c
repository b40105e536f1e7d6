/* cli_metrics.c - `jwtsign metrics`; see cli.h. */
#include "cli.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "rundir.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

/* A read-only command makes nothing: no directory yet, no counters
 * (metrics_open would make the directory).  True, with err set, when dir
 * is absent. */
static bool no_dir(const char *dir, struct err *err)
{
	struct stat st;

	if (lstat(dir, &st) == 0 || errno != ENOENT)
		return false;
	err_set(err, ERR_NOTFOUND, "%s: not made yet", dir);
	return true;
}

int cli_metrics(int argc, char **argv, const char *default_config)
{
	const char *path = default_config;
	struct cfg *cfg = NULL;
	struct metrics *m = NULL;
	struct buf out = BUF_INIT;
	struct err e = {0};
	char dir[PATH_MAX], msg[ERR_MSG_SIZE];
	int c, status = 1;

	optind = 1;
	while ((c = getopt(argc, argv, "c:")) != -1) {
		if (c != 'c') {
			fprintf(stderr, "usage: jwtsign metrics [-c FILE]\n");
			return 2;
		}
		path = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: jwtsign metrics [-c FILE]\n");
		return 2;
	}
	if (cfg_load(path, &cfg, &e) != 0) {
		log_redact_urls(e.msg, msg, sizeof(msg));
		fprintf(stderr, "jwtsign metrics: %s: configuration error: %s\n", path, msg);
		return 1;
	}
	if (rundir_default(dir, sizeof(dir), &e) != 0 || no_dir(dir, &e) ||
	    metrics_open(dir, cfg, false, &m, &e) != 0) {
		log_redact_urls(e.msg, msg, sizeof(msg));
		fprintf(stderr, "jwtsign metrics: %s%s\n", msg,
			e.code == ERR_NOTFOUND ? " (no worker of this user has counted with this "
						 "configuration: run as the workers' user)"
					       : "");
	} else if (metrics_format(m, clock_now(), PACKAGE_VERSION, &out) != 0) {
		fprintf(stderr, "jwtsign metrics: out of memory\n");
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "jwtsign metrics: cannot write the output\n");
	} else {
		status = 0;
	}
	buf_free(&out);
	metrics_close(m);
	cfg_free(cfg);
	return status;
}
