/* main.c - wiring: pick the mode (FastCGI loop, one CGI request, or a
 * subcommand), set up the libraries, and move bytes between the web
 * server and the handler.  See jwtsign(8). */
#include "app.h"
#include "buf.h"
#include "cli.h"
#include "fileio.h"
#include "handler.h"
#include "log.h"
#include "reload.h"
#include "reqid.h"
#include "request.h"
#include "response.h"
#include "wipe_alloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* Set by SIGTERM/SIGUSR1: finish the request in flight, then exit 0. */
static volatile sig_atomic_t stop_requested;
/* Set by SIGUSR2 or SIGHUP (the signal number): reload the configuration
 * and keys between requests; never a stop. */
static volatile sig_atomic_t reload_signal;
/* Opened on /dev/null before the FastCGI loop starts (fd 0 is the
 * listening socket then); -1 otherwise. */
static volatile sig_atomic_t null_fd = -1;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	FCGX_ShutdownPending();
	/* A signal that lands between the loop's check and accept() would
	 * leave accept() blocked until the server kills us.  The listening
	 * socket is shared with the other workers (spawn-fcgi -F N, systemd
	 * socket activation): shutting it down would stop them all.
	 * Replacing this process's fd 0 with /dev/null makes only our next
	 * accept() fail (ENOTSOCK); the socket stays open in the others.  The
	 * connection of a request in flight is another fd. */
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
}

/* Only a flag: the worker reloads between requests (an idle one at once,
 * its wait for the next connection is interrupted). */
static void on_reload_signal(int sig)
{
	reload_signal = sig;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: accept() must return EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_reload_signal;
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: jwtsign [-c FILE] [-v]          serve (FastCGI, or CGI when "
		   "GATEWAY_INTERFACE is set)\n"
		   "       jwtsign sign --jwks FILE --kid KID --alg ALG [--full] [--typ T]\n"
		   "       jwtsign check-config [-c FILE] [-q] [--user NAME]\n"
		   "       jwtsign metrics [-c FILE]\n"
		   "       jwtsign genkey --kty oct|RSA|EC|OKP [--size BITS] [--crv CURVE] --kid "
		   "KID [--alg ALG] [-o FILE [--force]]\n"
		   "       jwtsign pubkeys < private-jwks.json\n"
		   "       jwtsign verify --jwks FILE --alg ALG [--kid KID] [--iss ISS] [--aud "
		   "AUD]... [--leeway DUR] [--now T] < tokens\n"
		   "       jwtsign verify -c FILE --endpoint PATH [--kid KID] [--now T] < tokens\n"
		   "       jwtsign --help | --version\n"
		   "See jwtsign(8) and jwtsign.json(5).\n");
}

static const char *default_config(void)
{
	const char *env = getenv("JWTSIGN_CONFIG");

	return env && *env ? env : cfg_default_path();
}

/* ------------------------------------------------------------ CGI */

/* Most bytes of a refused body read and discarded after answering (see
 * request_drain), in bytes. */
#define CGI_MAX_DRAIN (64u * 1024 * 1024)

static const char *cgi_param(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static long cgi_read(void *ctx, void *p, size_t n)
{
	ssize_t r;

	(void)ctx;
	do
		r = read(STDIN_FILENO, p, n);
	while (r < 0 && errno == EINTR);
	return (long)r;
}

/* Handle req into one serialized buffer (so the answer is all or nothing):
 * *p, *n receive the bytes to send (out's, or a short complete 500 when
 * out of memory: response_emit). */
static void answer(struct app *app, const struct request *req, struct buf *out, const char **p,
		   size_t *n)
{
	struct response resp;

	response_init(&resp);
	handle_request(app, req, &resp);
	/* ERR_NOMEM too leaves a complete answer (the 500) to send. */
	response_emit(&resp, out, p, n);
	response_free(&resp);
}

static size_t max_body(const struct app *app)
{
	return app->cfg ? app->cfg->limits.max_request_body : 1024 * 1024;
}

/* The service settings (the log tag), or NULL without a configuration. */
static const struct cfg_limits *limits_of(const struct app *app)
{
	return app->cfg ? &app->cfg->limits : NULL;
}

static int serve_cgi(struct app *app)
{
	struct request_source src = {cgi_param, cgi_read, NULL, environ};
	struct request req;
	struct buf out = BUF_INIT;
	struct err e = {0};
	struct reload rl;
	const char *p;
	size_t n;
	int status = 0;

	/* The configuration's "log" applies to a CGI request too. */
	(void)reload_init(&rl, app, NULL, getenv("JWTSIGN_LOG"));
	reload_free(&rl);
	reqid_begin(limits_of(app), &src);
	if (request_read(&req, &src, max_body(app), &e) != 0) {
		log_error("cgi", "%s", e.msg);
		request_free(&req);
		return 1;
	}
	answer(app, &req, &out, &p, &n);
	if (fileio_write_all(STDOUT_FILENO, p, n) != 0) {
		log_warn("cgi", "writing the response failed: %s", strerror(errno));
		status = 1;
	}
	request_drain(&req, &src, CGI_MAX_DRAIN);
	buf_free(&out);
	request_free(&req);
	return status;
}

/* -------------------------------------------------------- FastCGI */

static const char *fcgi_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static long fcgi_read(void *ctx, void *p, size_t n)
{
	int chunk = n > 1 << 30 ? 1 << 30 : (int)n;

	return FCGX_GetStr(p, chunk, ((FCGX_Request *)ctx)->in);
}

/* Answer a request in a role other than FCGI_RESPONDER or FCGI_AUTHORIZER
 * (the filter role) with an
 * FCGI_END_REQUEST record whose protocolStatus is FCGI_UNKNOWN_ROLE
 * (FastCGI specification §5.1, §5.5), and no output: an authorizer's
 * caller must not read a responder's 200 as "allow".  libfcgi has no call
 * for it, so the record is written on the connection and the streams are
 * marked closed, so that FCGX_Finish_r writes no FCGI_REQUEST_COMPLETE
 * record of its own. */
static void fcgi_refuse_role(FCGX_Request *fr)
{
	unsigned char rec[FCGI_HEADER_LEN + 8] = {FCGI_VERSION_1, FCGI_END_REQUEST};

	log_warn("fastcgi",
		 "request in FastCGI role %d refused (FCGI_UNKNOWN_ROLE): jwtsign answers "
		 "the responder and authorizer roles only",
		 fr->role);
	rec[2] = (unsigned char)(fr->requestId >> 8);
	rec[3] = (unsigned char)fr->requestId;
	rec[5] = 8; /* contentLength: FCGI_EndRequestBody */
	rec[FCGI_HEADER_LEN + 4] = FCGI_UNKNOWN_ROLE;
	fr->out->wasFCloseCalled = 1;
	fr->err->wasFCloseCalled = 1;
	fr->keepConnection = 0;
	if (fileio_write_all(fr->ipcFd, rec, sizeof(rec)) != 0)
		log_warn("fastcgi", "the web server went away before the answer was sent");
}

static void fcgi_one(struct app *app, FCGX_Request *fr, struct buf *out)
{
	struct request_source src = {fcgi_param, fcgi_read, fr, fr->envp};
	struct request req;
	struct err e = {0};
	const char *p;
	size_t n;

	buf_reset(out);
	reqid_begin(limits_of(app), &src);
	if (fr->role != FCGI_RESPONDER && fr->role != FCGI_AUTHORIZER) {
		fcgi_refuse_role(fr);
		goto out;
	}
	if (request_read(&req, &src, max_body(app), &e) != 0) {
		log_error("fastcgi", "%s", e.msg);
		request_free(&req);
		goto out;
	}
	if (fr->role == FCGI_AUTHORIZER)
		req.authorizer = true;
	answer(app, &req, out, &p, &n);
	if (FCGX_PutStr(p, (int)n, fr->out) != (int)n || FCGX_FFlush(fr->out) != 0)
		log_warn(req.path, "the client went away before the response was sent");
	request_free(&req);
out:
	reqid_end();
}

/* Wait (at most until the next look at the files is due) until the listening socket has a
 * connection or a signal arrives.  Returns true when a connection is waiting.  An idle worker thus
 * looks at its files once a second and reloads on a signal at once; another worker may take the
 * connection first, then accept() waits for the next one. */
static bool wait_listener(const struct reload *rl)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};

	/* +1: wake when the look is due, not a hair before it. */
	return poll(&p, 1, reload_wait_ms(rl) + 1) > 0;
}

/* Between requests: a reload signal, or a changed file (reload.h). */
static void between_requests(struct reload *rl, struct app *app)
{
	int sig = reload_signal;

	if (sig) {
		reload_signal = 0;
		log_info("signal",
			 "%s received: reloading the configuration and keys (SIGTERM or "
			 "SIGUSR1 stop jwtsign)",
			 sig == SIGHUP ? "SIGHUP" : "SIGUSR2");
	}
	reload_tick(rl, app, sig != 0, sig == SIGHUP ? "SIGHUP" : "SIGUSR2");
}

static int serve_fastcgi(struct app *app, const char *config)
{
	FCGX_Request fr;
	struct buf out = BUF_INIT;
	struct reload rl;
	int rc;

	/* FCGI_FAIL_ACCEPT_ON_INTR: a reload signal also ends the wait of a
	 * worker blocked in accept() because another took the connection
	 * that woke them both. */
	if (FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error("fastcgi", "FCGX_InitRequest failed");
		return 1;
	}
	/* First: the configuration's "log" then receives the key lines. */
	if (reload_init(&rl, app, config, getenv("JWTSIGN_LOG")) != 0)
		log_error("reload", "out of memory: file changes will not be noticed");
	app_load_keys(app);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0) {
		log_error("fastcgi", "cannot open /dev/null: %s", strerror(errno));
		reload_free(&rl);
		FCGX_Free(&fr, 1);
		return 1;
	}
	log_info("fastcgi", "ready");
	while (!stop_requested) {
		/* With a kept connection (fr.ipcFd open) the next request comes
		 * on it, not on the listening socket. */
		bool ready = fr.ipcFd >= 0 || wait_listener(&rl);

		between_requests(&rl, app);
		if (stop_requested)
			break;
		if (!ready)
			continue;
		if ((rc = FCGX_Accept_r(&fr)) == -EINTR)
			continue;
		if (rc < 0)
			break;
		/* accept() may have waited long: another worker took the
		 * connection that woke this one, and this one slept in accept()
		 * until the next.  A look that fell due meanwhile comes before
		 * the request, so a changed key never signs it. */
		between_requests(&rl, app);
		fcgi_one(app, &fr, &out);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	buf_free(&out);
	reload_free(&rl);
	log_info("fastcgi", "%s, exiting", stop_requested ? "stop requested" : "accept failed");
	return 0;
}

/* ----------------------------------------------------------- main */

/* A core dump of a worker would hold the private keys (in GnuTLS's and
 * nettle's heap, out of our reach): no core file and no ptrace attach by
 * other processes of the same user, unless JWTSIGN_CORE_DUMPS=1 asks to
 * keep them for debugging (jwtsign(8), ENVIRONMENT). */
static void no_core_dumps(void)
{
	const char *keep = getenv("JWTSIGN_CORE_DUMPS");
	struct rlimit rl = {0, 0};

	if (keep && strcmp(keep, "1") == 0) {
		log_warn("main", "JWTSIGN_CORE_DUMPS=1: core dumps are allowed and will hold "
				 "the private keys");
		return;
	}
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		log_warn("main", "setrlimit(RLIMIT_CORE, 0) failed: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		log_warn("main", "prctl(PR_SET_DUMPABLE, 0) failed: %s", strerror(errno));
}

static int libs_init(void)
{
	if (sodium_init() < 0) {
		log_error("main", "libsodium initialisation failed");
		return -1;
	}
	/* libcurl's buffers hold whole JWK Sets: wiped when freed. */
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, wipe_malloc, wipe_free, wipe_realloc,
				 wipe_strdup, wipe_calloc) != CURLE_OK) {
		log_error("main", "libcurl initialisation failed");
		return -1;
	}
	return 0;
}

static void set_log_level_from_env(void)
{
	const char *lv = getenv("JWTSIGN_LOG_LEVEL");
	enum log_level level;

	if (lv && *lv) {
		if (log_level_from_name(lv, &level) == 0)
			log_set_level(level);
		else
			log_warn("main",
				 "JWTSIGN_LOG_LEVEL=\"%.32s\" ignored (use error, warn, "
				 "info or debug)",
				 lv);
	}
}

/* JWTSIGN_LOG: where the server logs (before the configuration is read,
 * so that its errors land there too); it wins over the "log" setting. */
static void set_log_target_from_env(void)
{
	const char *t = getenv("JWTSIGN_LOG");
	struct err e = {0};

	if (t && *t && log_set_target(t, &e) != 0)
		log_error("main", "JWTSIGN_LOG: %s; logging to stderr", e.msg);
}

static int run_subcommand(int argc, char **argv, int *status)
{
	const char *cmd = argv[1];

	if (strcmp(cmd, "sign") == 0)
		*status = cli_sign(argc - 1, argv + 1);
	else if (strcmp(cmd, "check-config") == 0)
		*status = cli_check_config(argc - 1, argv + 1, default_config());
	else if (strcmp(cmd, "genkey") == 0)
		*status = cli_genkey(argc - 1, argv + 1);
	else if (strcmp(cmd, "pubkeys") == 0)
		*status = cli_pubkeys(argc - 1, argv + 1);
	else if (strcmp(cmd, "verify") == 0)
		*status = cli_verify(argc - 1, argv + 1);
	else if (strcmp(cmd, "metrics") == 0)
		*status = cli_metrics(argc - 1, argv + 1, default_config());
	else
		return 0;
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	struct app app;
	struct err e = {0};
	int c, status;

	set_log_level_from_env();
	no_core_dumps();
	if (libs_init() != 0)
		return 1;
	if (argc > 1 && argv[1][0] != '-' && run_subcommand(argc, argv, &status))
		return status;
	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("jwtsign %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "jwtsign: unknown command \"%s\"\n", argv[optind]);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (config == NULL)
		config = default_config();
	if (FCGX_IsCGI() && getenv("GATEWAY_INTERFACE") == NULL) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	set_log_target_from_env();
	install_signals();
	app_init(&app, config, &e); /* on error: logged, every request answered 503 */
	status = FCGX_IsCGI() ? serve_cgi(&app) : serve_fastcgi(&app, config);
	app_free(&app);
	curl_global_cleanup();
	return status;
}
