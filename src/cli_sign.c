/* cli_sign.c - `jwtsign sign`: JSON Lines of claims in, one JWS per line
 * out, with a key from a JWK Set or PEM file (--jwks) or on a PKCS#11
 * token (--key-uri); see cli.h. */
#include "cli.h"
#include "buf.h"
#include "fileio.h"
#include "gojson.h"
#include "jwk.h"
#include "jwk_pkcs11.h"
#include "jwk_set.h"
#include "jws.h"
#include "pem.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read the file at path into b (at most CLI_MAX_INPUT bytes). */
static int read_path(const char *path, struct buf *b, struct err *err)
{
	int rc;

	b->limit = CLI_MAX_INPUT;
	rc = fileio_read_file(path, b, NULL);
	if (rc == ERR_IO)
		return err_set(err, ERR_IO, "%s: %s", path, strerror(errno));
	if (rc)
		return err_set(err, rc, "%s: larger than %u bytes", path, CLI_MAX_INPUT);
	return 0;
}

struct sign_args {
	const char *jwks, *key_uri, *pin_file, *kid, *alg, *typ;
	int full;
};

static int sign_usage(void)
{
	fprintf(stderr, "usage: jwtsign sign --jwks FILE --kid KID --alg ALG [--full] [--typ T]\n"
			"       jwtsign sign --key-uri URI [--pin-file FILE] --kid KID --alg ALG "
			"[--full] [--typ T]\n");
	return CLI_EXIT_USAGE;
}

static int parse_sign_args(int argc, char **argv, struct sign_args *a)
{
	static const struct option opts[] = {
	    {"jwks", required_argument, NULL, 'j'},
	    {"key-uri", required_argument, NULL, 'u'},
	    {"pin-file", required_argument, NULL, 'p'},
	    {"kid", required_argument, NULL, 'k'},
	    {"alg", required_argument, NULL, 'a'},
	    {"typ", required_argument, NULL, 't'},
	    {"full", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->typ = "JWT";
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a->jwks = optarg;
			break;
		case 'u':
			a->key_uri = optarg;
			break;
		case 'p':
			a->pin_file = optarg;
			break;
		case 'k':
			a->kid = optarg;
			break;
		case 'a':
			a->alg = optarg;
			break;
		case 't':
			a->typ = optarg;
			break;
		case 'f':
			a->full = 1;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || !a->jwks == !a->key_uri || !a->kid || !a->alg ||
	    (a->pin_file && !a->key_uri))
		return -1;
	return 0;
}

/* Sign one claims line into out (one token + '\n'). */
static int sign_line(const struct jwk *key, enum jws_alg alg, const struct sign_args *a,
		     const char *line, size_t len, struct buf *payload, struct buf *out,
		     struct err *err)
{
	struct gojson_limits lim = {128, 100000};
	struct json_object *obj = NULL;
	int rc;

	rc = gojson_parse(line, len, &lim, &obj, err);
	if (rc)
		return rc;
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return err_set(err, ERR_INVALID, "claims must be a JSON object");
	}
	buf_reset(payload);
	rc = gojson_write(payload, obj, err);
	json_object_put(obj);
	if (rc)
		return rc;
	if (a->full)
		rc = jws_sign_flattened(out, key, alg, a->typ, (const uint8_t *)payload->data,
					payload->len, err);
	else
		rc = jws_sign_compact(out, key, alg, a->typ, (const uint8_t *)payload->data,
				      payload->len, err);
	if (rc == 0)
		rc = buf_putc(out, '\n');
	return rc;
}

/* State of `sign` over its input: lines are cut from blocks read with
 * read(2), and the tokens of one block are written with one write(2), so
 * a batch costs few system calls while interactive input is still answered
 * line by line. */
struct sign_stream {
	const struct jwk *key;
	enum jws_alg alg;
	const struct sign_args *args;
	struct buf pending; /* bytes of an unfinished line */
	struct buf payload; /* scratch: the Go encoding of one claims object */
	struct buf out;	    /* tokens not yet written */
	size_t lineno;
};

/* Sign one line (without its newline) into st->out.  Blank lines are
 * skipped.  Returns 0, or an error reported on stderr. */
static int sign_one(struct sign_stream *st, const char *line, size_t n)
{
	struct err e = {0};

	st->lineno++;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (strspn(line, " \t") >= n)
		return 0;
	if (sign_line(st->key, st->alg, st->args, line, n, &st->payload, &st->out, &e) != 0) {
		fprintf(stderr, "jwtsign sign: line %zu: %s\n", st->lineno, e.msg);
		return -1;
	}
	return 0;
}

/* Sign every complete line in pending; keep the unfinished tail. */
static int sign_complete_lines(struct sign_stream *st)
{
	char *p = st->pending.data, *end = p + st->pending.len, *nl;
	int rc = 0;

	while (rc == 0 && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		rc = sign_one(st, p, (size_t)(nl - p));
		p = nl + 1;
	}
	memmove(st->pending.data, p, (size_t)(end - p));
	buf_truncate(&st->pending, (size_t)(end - p));
	return rc;
}

static int flush_tokens(struct sign_stream *st)
{
	if (st->out.len && fileio_write_all(STDOUT_FILENO, st->out.data, st->out.len) != 0) {
		fprintf(stderr, "jwtsign sign: writing to stdout: %s\n", strerror(errno));
		return -1;
	}
	buf_reset(&st->out);
	return 0;
}

static int sign_stream(const struct jwk *key, enum jws_alg alg, const struct sign_args *a)
{
	struct sign_stream st = {key, alg, a, BUF_INIT, BUF_INIT, BUF_INIT, 0};
	char chunk[65536];
	int rc = 0;

	st.pending.limit = CLI_MAX_INPUT;
	for (;;) {
		ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "jwtsign sign: reading stdin: %s\n", strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0) {
			if (st.pending.len)
				rc = sign_one(&st, st.pending.data, st.pending.len);
			break;
		}
		if (buf_append(&st.pending, chunk, (size_t)n) != 0) {
			fprintf(stderr, "jwtsign sign: line %zu: longer than %u bytes\n",
				st.lineno + 1, CLI_MAX_INPUT);
			rc = -1;
			break;
		}
		rc = sign_complete_lines(&st);
		/* Tokens of the lines before a bad one are still written. */
		if (flush_tokens(&st) != 0 || rc != 0) {
			rc = -1;
			break;
		}
	}
	if (flush_tokens(&st) != 0)
		rc = -1;
	buf_free(&st.pending);
	buf_free(&st.payload);
	buf_free(&st.out);
	return rc ? 1 : 0;
}

/* A PEM private key given to --jwks: replace doc by the JWK Set built from
 * it (kid and alg from the command line), as the server does. */
static int pem_to_set(struct buf *doc, const char *kid, enum jws_alg alg, struct err *err)
{
	struct buf conv = BUF_INIT_SECRET;
	int rc;

	if (!pem_detect(doc->data, doc->len))
		return 0;
	rc = pem_to_jwk_set(doc->data, doc->len, kid, alg_name(alg), &conv, err);
	buf_wipe_free(doc);
	if (rc) {
		buf_wipe_free(&conv);
		return rc;
	}
	*doc = conv;
	return 0;
}

int cli_sign(int argc, char **argv)
{
	struct jwk_limits lim = {CLI_MAX_INPUT, 100000};
	struct sign_args a;
	struct buf doc = BUF_INIT_SECRET;
	struct jwk *key = NULL;
	enum jws_alg alg;
	struct err e = {0};
	int status = 1;

	if (parse_sign_args(argc, argv, &a) != 0)
		return sign_usage();
	if (alg_from_name(a.alg, &alg) != 0) {
		fprintf(stderr, "jwtsign sign: --alg \"%s\" is not a supported JWS algorithm\n",
			a.alg);
		return CLI_EXIT_USAGE;
	}
	if (a.key_uri) {
		struct jwk_pkcs11_opts o = {a.key_uri, a.pin_file, a.kid, alg};
		bool has_pub, has_pin = false;

		/* As in the configuration: the PIN named twice is an error. */
		if (jwk_pkcs11_uri_check(a.key_uri, NULL, &has_pin, &e) == 0 && has_pin &&
		    a.pin_file) {
			fprintf(stderr, "jwtsign sign: --pin-file conflicts with the PIN named in "
					"--key-uri (pin-value or pin-source): give only one\n");
			return CLI_EXIT_USAGE;
		}
		if (jwk_pkcs11_open(&o, &key, NULL, &has_pub, &e) == 0)
			status = sign_stream(key, alg, &a);
		else
			fprintf(stderr, "jwtsign sign: %s\n", e.msg);
	} else if (read_path(a.jwks, &doc, &e) == 0 && pem_to_set(&doc, a.kid, alg, &e) == 0 &&
		   jwk_set_select(doc.data ? doc.data : "", doc.len, &a.kid, 1, alg, &lim, &key,
				  &e) == 0)
		status = sign_stream(key, alg, &a);
	else
		fprintf(stderr, "jwtsign sign: %s: %s\n", a.jwks, e.msg);
	buf_wipe_free(&doc);
	jwk_free(key);
	return status;
}
