/* cli_verify.c - `jwtsign verify`: validate compact JWTs read from stdin
 * with the same core as the server (jwt.h); see cli.h. */
#include "cli.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "fileio.h"
#include "jwk_keyring.h"
#include "jwt.h"
#include "keysource.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Largest JWK Set the command reads, in bytes. */
#define VERIFY_MAX_JWKS (16u * 1024 * 1024)
/* Most --alg, --aud options. */
#define VERIFY_MAX_LIST 16

struct verify_args {
	const char *jwks, *kid, *config, *endpoint;
	enum jws_alg algs[VERIFY_MAX_LIST];
	const char *aud[VERIFY_MAX_LIST];
	struct jwt_policy pol;
	int64_t now;
	bool has_now;
};

static int verify_usage(void)
{
	fprintf(stderr,
		"usage: jwtsign verify --jwks FILE --alg ALG [--alg ALG]... [--kid KID] "
		"[--iss ISS]\n"
		"         [--aud AUD]... [--leeway DUR] [--now UNIX_SECONDS] "
		"[--require-exp|--no-require-exp] < tokens\n"
		"       jwtsign verify -c FILE --endpoint PATH [--kid KID] [--now UNIX_SECONDS] "
		"< tokens\n");
	return CLI_EXIT_USAGE;
}

/* A usage error with its reason first. */
static int usage_why(const char *why)
{
	fprintf(stderr, "jwtsign verify: %s\n", why);
	return verify_usage();
}

static int parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

/* Parse argv into a; 0, or CLI_EXIT_USAGE after a message. */
static int parse_verify_args(int argc, char **argv, struct verify_args *a)
{
	static const struct option opts[] = {
	    {"jwks", required_argument, NULL, 'j'},
	    {"alg", required_argument, NULL, 'a'},
	    {"kid", required_argument, NULL, 'k'},
	    {"iss", required_argument, NULL, 'i'},
	    {"aud", required_argument, NULL, 'u'},
	    {"leeway", required_argument, NULL, 'l'},
	    {"now", required_argument, NULL, 'n'},
	    {"require-exp", no_argument, NULL, 'r'},
	    {"no-require-exp", no_argument, NULL, 'R'},
	    {"config", required_argument, NULL, 'c'},
	    {"endpoint", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned ms;
	int c;

	memset(a, 0, sizeof(*a));
	a->pol.algs = a->algs;
	a->pol.audience = a->aud;
	a->pol.require_exp = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a->jwks = optarg;
			break;
		case 'a':
			if (a->pol.nalgs == VERIFY_MAX_LIST ||
			    alg_from_name(optarg, &a->algs[a->pol.nalgs]) != 0) {
				fprintf(stderr,
					"jwtsign verify: --alg \"%s\" is not a supported JWS "
					"algorithm (or more than %d)\n",
					optarg, VERIFY_MAX_LIST);
				return CLI_EXIT_USAGE;
			}
			a->pol.nalgs++;
			break;
		case 'k':
			a->kid = optarg;
			break;
		case 'i':
			a->pol.issuer = optarg;
			break;
		case 'u':
			if (a->pol.naudience == VERIFY_MAX_LIST)
				return verify_usage();
			a->aud[a->pol.naudience++] = optarg;
			break;
		case 'l':
			/* KrakenD's leeway: a Go duration; a bare number is seconds. */
			if (strspn(optarg, "0123456789") == strlen(optarg) && *optarg &&
			    strlen(optarg) < 9) {
				a->pol.leeway = (unsigned)strtoul(optarg, NULL, 10);
			} else if (cfg_parse_duration(optarg, &ms) == 0) {
				a->pol.leeway = ms / 1000 + (ms % 1000 != 0);
			} else {
				fprintf(stderr,
					"jwtsign verify: --leeway \"%s\" is not a duration\n",
					optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_int64(optarg, &a->now) != 0) {
				fprintf(stderr, "jwtsign verify: --now \"%s\" is not an integer\n",
					optarg);
				return CLI_EXIT_USAGE;
			}
			a->has_now = true;
			break;
		case 'r':
			a->pol.require_exp = true;
			break;
		case 'R':
			a->pol.require_exp = false;
			break;
		case 'c':
			a->config = optarg;
			break;
		case 'e':
			a->endpoint = optarg;
			break;
		default:
			return verify_usage();
		}
	}
	if (optind != argc)
		return verify_usage();
	if (a->config || a->endpoint) {
		/* the block gives algs, iss, aud, leeway, require_exp */
		if (!a->config || !a->endpoint)
			return usage_why("-c FILE and --endpoint PATH go together");
		if (a->jwks || a->pol.nalgs || a->pol.issuer || a->pol.naudience)
			return usage_why("with -c, the endpoint's auth/validator block gives the "
					 "keys, alg, issuer and audience: --jwks, --alg, --iss and "
					 "--aud are not taken");
		return 0;
	}
	if (!a->jwks)
		return usage_why("--jwks FILE (or -c FILE --endpoint PATH) is required");
	if (a->pol.nalgs == 0)
		return usage_why("--alg ALG is required (the algorithms tokens may use; "
				 "repeat it for several)");
	return 0;
}

/* Validate one line; write its answer into out.  Returns 1 when valid. */
static int verify_line(const struct verify_args *a, const struct jwk_keyring *ring,
		       const char *line, size_t n, int64_t now, struct buf *out)
{
	struct jwt_token t;
	struct err e = {0};
	enum jwt_reason r;
	int rc;

	memset(&t, 0, sizeof(t));
	r = jwt_verify(line, n, &a->pol, ring, now, &t, &e);
	if (r == JWT_OK && a->kid && (t.kid == NULL || strcmp(t.kid, a->kid) != 0))
		r = JWT_KID;
	if (r == JWT_OK) {
		rc = buf_puts(out, "ok ");
		if (rc == 0)
			rc = buf_append(out, t.payload.data, t.payload.len);
	} else {
		rc = buf_printf(out, "invalid %s", jwt_reason_word(r));
	}
	if (rc == 0)
		rc = buf_putc(out, '\n');
	jwt_token_free(&t);
	if (rc) {
		fprintf(stderr, "jwtsign verify: out of memory\n");
		return -1;
	}
	return r == JWT_OK;
}

/* Read stdin line by line; 0 all valid, 1 otherwise. */
static int verify_stream(const struct verify_args *a, const struct jwk_keyring *ring)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;
	struct buf out = BUF_INIT;
	int64_t now = a->has_now ? a->now : (int64_t)clock_now();

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)n;
		int ok;

		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		ok = verify_line(a, ring, line, len, now, &out);
		if (ok < 0) {
			status = 1;
			break;
		}
		if (ok == 0)
			status = 1;
		if (fileio_write_all(STDOUT_FILENO, out.data, out.len) != 0) {
			fprintf(stderr, "jwtsign verify: writing to stdout: %s\n", strerror(errno));
			status = 1;
			break;
		}
		buf_reset(&out);
	}
	if (ferror(stdin)) {
		fprintf(stderr, "jwtsign verify: reading stdin: %s\n", strerror(errno));
		status = 1;
	}
	free(line);
	buf_free(&out);
	return status;
}

/* -c FILE --endpoint PATH: the policy and keys of that endpoint's
 * auth/validator block, loaded as the server loads them (the same key
 * sources: jwk_local_path, or jwk_url through the shared cache). */
static int verify_with_config(struct verify_args *a)
{
	const struct app_endpoint *aep = NULL;
	const struct jwk_keyring *ring = NULL;
	struct err e = {0};
	struct app app;
	int status = 1;

	/* its answers are on stdout; the server's info lines are noise here
	 * (JWTSIGN_LOG_LEVEL=debug still shows them) */
	if (!log_enabled(LOG_DEBUG))
		log_set_level(LOG_WARN);
	if (app_init(&app, a->config, &e) != 0) {
		fprintf(stderr, "jwtsign verify: %s\n", e.msg);
		goto out;
	}
	for (size_t i = 0; i < app.cfg->nendpoints && aep == NULL; i++) {
		const struct cfg_endpoint *ep = &app.cfg->endpoints[i];

		if (ep->has_validator && strcmp(ep->endpoint, a->endpoint) == 0)
			aep = &app.eps[i];
	}
	if (aep == NULL) {
		fprintf(stderr, "jwtsign verify: %s: no endpoint \"%s\" with auth/validator\n",
			a->config, a->endpoint);
		goto out;
	}
	keysource_retry_now(aep->vkeys);
	if (keysource_get_ring(aep->vkeys, &ring, &e) != 0) {
		fprintf(stderr, "jwtsign verify: %s: keys unavailable: %s\n", a->endpoint, e.msg);
		goto out;
	}
	a->pol = aep->policy;
	status = verify_stream(a, ring);
out:
	app_free(&app);
	return status;
}

int cli_verify(int argc, char **argv)
{
	struct jwk_limits lim = {VERIFY_MAX_JWKS, 100000};
	struct verify_args a;
	struct buf doc = BUF_INIT_SECRET;
	struct jwk_keyring *ring = NULL;
	struct err e = {0};
	int rc, status = 1;

	rc = parse_verify_args(argc, argv, &a);
	if (rc)
		return rc;
	if (a.config)
		return verify_with_config(&a);
	doc.limit = VERIFY_MAX_JWKS;
	rc = fileio_read_file(a.jwks, &doc, NULL);
	if (rc)
		err_set(&e, rc, "%s", rc == ERR_IO ? strerror(errno) : "too large");
	else
		rc = jwk_keyring_parse(doc.data ? doc.data : "", doc.len, &lim, &ring, &e);
	buf_wipe_free(&doc);
	if (rc) {
		fprintf(stderr, "jwtsign verify: %s: %s\n", a.jwks, e.msg);
		return 1;
	}
	status = verify_stream(&a, ring);
	jwk_keyring_free(ring);
	return status;
}
