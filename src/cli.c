/* cli.c - operator subcommands; see cli.h (sign: cli_sign.c). */
#include "cli.h"
#include "app.h"
#include "buf.h"
#include "config.h"
#include "fileio.h"
#include "jwk.h"
#include "jwk_gen.h"
#include "jwk_keyring.h"
#include "jwk_set.h"
#include "keysource.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The message of a failed read of what (a path or "stdin") into b. */
static int read_failed(int rc, const char *what, struct err *err)
{
	if (rc == ERR_IO)
		return err_set(err, ERR_IO, "%s: %s", what, strerror(errno));
	return err_set(err, rc, "%s: larger than %u bytes", what, CLI_MAX_INPUT);
}

/* Read all of fd into b (at most CLI_MAX_INPUT bytes). */
static int read_all(int fd, struct buf *b, const char *what, struct err *err)
{
	int rc;

	b->limit = CLI_MAX_INPUT;
	rc = fileio_read_fd(fd, b);
	return rc ? read_failed(rc, what, err) : 0;
}

/* s with the secrets of its URLs replaced (log_redact_urls), in buf. */
static const char *redacted(const char *s, char *buf, size_t size)
{
	log_redact_urls(s, buf, size);
	return buf;
}

/* Remove dir (a cache directory: files only) when dir is not "". */
static void remove_dir(const char *dir)
{
	DIR *d;
	struct dirent *de;

	if (dir[0] == '\0' || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(dir);
}

/* Whether the user (uid, in the groups) may open path for reading: x on
 * every directory above it and r on the file, from their modes (as the
 * kernel decides, ACLs aside).  *why says what stops it. */
static bool readable_by(const char *path, uid_t uid, const gid_t *groups, int ngroups, char *why,
			size_t n)
{
	char part[PATH_MAX];
	size_t len = strlen(path);

	if (uid == 0)
		return true;
	if (len >= sizeof(part)) {
		snprintf(why, n, "path too long");
		return false;
	}
	for (size_t i = 1; i <= len; i++) {
		struct stat st;
		mode_t need;
		bool in_group = false;

		if (i < len && path[i] != '/')
			continue;
		memcpy(part, path, i);
		part[i] = '\0';
		if (stat(part, &st) != 0) {
			snprintf(why, n, "%s: %s", part, strerror(errno));
			return false;
		}
		need = i < len ? S_IXUSR : S_IRUSR; /* owner bits; shifted below */
		for (int g = 0; g < ngroups; g++)
			in_group = in_group || groups[g] == st.st_gid;
		if (!(st.st_uid == uid ? st.st_mode & need
		      : in_group       ? st.st_mode & (need >> 3)
				       : st.st_mode & (need >> 6))) {
			snprintf(why, n, "%s (mode %04o, uid %lu, gid %lu) cannot be %s", part,
				 (unsigned)(st.st_mode & 07777), (unsigned long)st.st_uid,
				 (unsigned long)st.st_gid, i < len ? "entered" : "read");
			return false;
		}
	}
	return true;
}

/* files[0..n-1] with path added (when not NULL and not there yet): the
 * new count.  Each file is judged once, however many endpoints name it. */
static size_t add_file(const char **files, size_t n, const char *path)
{
	if (path == NULL)
		return n;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(files[i], path) == 0)
			return n;
	}
	files[n] = path;
	return n + 1;
}

/* check-config --user: every file the configuration names, readable by
 * user name.  Returns the number of files that are not. */
static int check_user_files(const char *user, const char *config, const struct cfg *cfg)
{
	struct passwd *pw = getpwnam(user);
	gid_t groups[256];
	int ngroups = 256, bad = 0;
	char why[PATH_MAX + 128];

	if (pw == NULL) {
		fprintf(stderr, "check-config: --user %s: no such user\n", user);
		return 1;
	}
	if (getgrouplist(user, pw->pw_gid, groups, &ngroups) < 0)
		ngroups = 256;
	const char **files = calloc(1 + 6 * cfg->nendpoints, sizeof(*files));
	size_t nfiles = 0;

	if (files == NULL) {
		fprintf(stderr, "check-config: --user %s: out of memory\n", user);
		return 1;
	}
	files[nfiles++] = config;
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const struct cfg_endpoint *ep = &cfg->endpoints[i];
		const struct cfg_keys *ks[2] = {ep->has_signer ? &ep->signer.keys : NULL,
						ep->has_validator ? &ep->validator.keys : NULL};

		for (size_t j = 0; j < 2; j++) {
			if (ks[j])
				nfiles = add_file(files, nfiles, ks[j]->jwk_local_path);
			if (ks[j])
				nfiles = add_file(files, nfiles, ks[j]->jwk_local_ca);
			if (ks[j])
				nfiles = add_file(files, nfiles, ks[j]->pin_file);
			if (ks[j])
				nfiles = add_file(files, nfiles, ks[j]->public_jwk_path);
		}
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (!readable_by(files[i], pw->pw_uid, groups, ngroups, why, sizeof(why))) {
			fprintf(stderr, "%s: error: not readable by user %s: %s\n", files[i], user,
				why);
			bad++;
		}
	}
	free(files);
	return bad;
}

static int check_usage(void)
{
	fprintf(stderr, "usage: jwtsign check-config [-c FILE] [-q] [--user NAME]\n");
	return CLI_EXIT_USAGE;
}

/* The algs of a validator, "ES256, RS256", into out. */
static void alg_list(const struct cfg_validator *v, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < v->nalgs && used < size; i++) {
		int n =
		    snprintf(out + used, size - used, "%s%s", i ? ", " : "", alg_name(v->algs[i]));

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* An endpoint's validator: its keys to verify with must load (else every
 * token is denied).  "METHOD PATH: ok: ..." on stdout (not with quiet), or
 * "METHOD PATH: error: ..." on stderr.  Returns 0 when usable. */
static int check_validator(struct app *app, size_t i, bool quiet)
{
	const struct cfg_endpoint *ep = &app->cfg->endpoints[i];
	const struct jwk_keyring *ring;
	char where[600], shown[700], msg[ERR_MSG_SIZE + 64], algs[128];
	struct err e = {0};
	int rc;

	keysource_retry_now(app->eps[i].vkeys);
	rc = keysource_get_ring(app->eps[i].vkeys, &ring, &e);
	keysource_describe(app->eps[i].vkeys, where, sizeof(where));
	redacted(where, shown, sizeof(shown));
	if (rc != 0) {
		fprintf(stderr,
			"%s %s: error: auth/validator: %s (keys from %s): every token would be "
			"denied\n",
			ep->method, ep->endpoint, redacted(e.msg, msg, sizeof(msg)), shown);
		return 1;
	}
	for (size_t a = 0; a < ep->validator.nalgs; a++) {
		if (jwk_keyring_usable_with(ring, ep->validator.algs[a]) != 0)
			continue;
		fprintf(stderr,
			"%s %s: error: auth/validator: alg %s, but no key of %s can verify it "
			"(key type, curve, size, \"alg\", \"use\" or \"key_ops\"): every %s "
			"token would be denied\n",
			ep->method, ep->endpoint, alg_name(ep->validator.algs[a]), shown,
			alg_name(ep->validator.algs[a]));
		return 1;
	}
	if (quiet)
		return 0;
	alg_list(&ep->validator, algs, sizeof(algs));
	printf("%s %s: ok: %s, alg %s, %zu key(s) to verify with from %s\n", ep->method,
	       ep->endpoint,
	       ep->has_signer ? "validates the token before the backend is called (refresh)"
			      : "protected (validated by the authorizer; its backend is served "
				"by the web server)",
	       algs, jwk_keyring_count(ring), shown);
	return 0;
}

/* One endpoint's signer line: "METHOD PATH: ok: ..." on stdout (not with
 * quiet), or "METHOD PATH: error: ..." on stderr; then its validator's.
 * Returns 0 when usable. */
static int check_endpoint(struct app *app, size_t i, bool quiet)
{
	const struct cfg_endpoint *ep = &app->cfg->endpoints[i];
	const struct jwk *key;
	char where[600], shown[700], msg[ERR_MSG_SIZE + 64];
	struct err e = {0};
	int rc, bad = 0;

	if (ep->refused) {
		fprintf(stderr, "%s %s: error: %s\n", ep->method, ep->endpoint, ep->refused);
		return 1;
	}
	if (ep->has_signer) {
		keysource_retry_now(app->eps[i].keys);
		rc = keysource_get(app->eps[i].keys, &key, &e);
		keysource_describe(app->eps[i].keys, where, sizeof(where));
		redacted(where, shown, sizeof(shown));
		if (rc != 0) {
			fprintf(stderr, "%s %s: error: %s (keys from %s)\n", ep->method,
				ep->endpoint, redacted(e.msg, msg, sizeof(msg)), shown);
			bad = 1;
		} else if (!quiet) {
			printf("%s %s: ok: alg %s, kid \"%s\", keys from %s\n", ep->method,
			       ep->endpoint, alg_name(ep->signer.alg),
			       jwk_kid(key) ? jwk_kid(key) : "", shown);
		}
	}
	if (ep->has_validator && check_validator(app, i, quiet) != 0)
		bad = 1;
	return bad;
}

/* msg without a leading "PATH: " (the configuration's messages name the
 * file, which check-config's line names already). */
static const char *without_path(const char *msg, const char *path)
{
	size_t n = strlen(path);

	return strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ' ? msg + n + 2 : msg;
}

/* The configuration at path, as app_init builds it but without its log
 * line: check-config prints the error itself, once.  Returns 0 or the
 * error code (app freed). */
static int check_load(struct app *app, const char *path, struct err *e)
{
	struct cfg *cfg = NULL;
	int rc;

	memset(app, 0, sizeof(*app));
	if ((rc = cfg_load(path, &cfg, e)) != 0)
		return rc;
	if ((rc = app_init_cfg(app, cfg, NULL, NULL, e)) != 0)
		app_free(app);
	return rc;
}

int cli_check_config(int argc, char **argv, const char *default_config)
{
	const char *path = default_config;
	struct app app;
	struct err e = {0};
	char msg[ERR_MSG_SIZE + 64];
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"quiet", no_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	const char *user = NULL;
	bool quiet = false;
	char own_cache[] = "/tmp/jwtsign-check-config.XXXXXX";
	int status = 0, unreadable = 0, failed = 0, c;
	size_t usable = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:qu:", opts, NULL)) != -1) {
		if (c == 'c')
			path = optarg;
		else if (c == 'q')
			quiet = true;
		else if (c == 'u')
			user = optarg;
		else
			return check_usage();
	}
	if (optind != argc)
		return check_usage();
	/* As root, without JWTSIGN_CACHE_DIR, keep no key cache of its own
	 * behind: a private one, removed at the end. */
	if (geteuid() == 0 && !(getenv("JWTSIGN_CACHE_DIR") && *getenv("JWTSIGN_CACHE_DIR")) &&
	    mkdtemp(own_cache) != NULL)
		setenv("JWTSIGN_CACHE_DIR", own_cache, 1);
	else
		own_cache[0] = '\0';
	/* Its own lines say what the log would (twice); JWTSIGN_LOG_LEVEL=debug
	 * still shows the log. */
	if (!log_enabled(LOG_DEBUG))
		log_set_level(LOG_ERROR);
	if (check_load(&app, path, &e) != 0) {
		fprintf(stderr, "%s: configuration error: %s\n", path,
			without_path(redacted(e.msg, msg, sizeof(msg)), path));
		app_free(&app);
		remove_dir(own_cache);
		return 1;
	}
	if (user && check_user_files(user, path, app.cfg) != 0)
		status = unreadable = 1;
	for (size_t i = 0; i < app.cfg->nendpoints; i++) {
		if (check_endpoint(&app, i, quiet) != 0)
			status = failed = 1;
		else if (app.cfg->endpoints[i].has_signer)
			usable++;
	}
	for (size_t i = 0; i < app.cfg->nnotices; i++)
		fprintf(stderr, "%s: ignored: %s\n", path,
			redacted(app.cfg->notices[i], msg, sizeof(msg)));
	if (!quiet || status) {
		char prot[64] = "";

		if (app.cfg->nprotected)
			snprintf(prot, sizeof(prot), ", %zu protected", app.cfg->nprotected);
		printf("%s: %zu endpoint(s), %zu usable%s%s%s%s%s\n", path, app.cfg->nsigners,
		       usable, failed ? ", some not" : "", prot,
		       unreadable ? ", files unreadable by " : "", unreadable ? user : "",
		       app.cfg->nnotices ? ", some settings ignored (see above)" : "");
	}
	if (status == 0 && app.cfg->nnotices)
		status = CLI_EXIT_IGNORED;
	app_free(&app);
	remove_dir(own_cache);
	return status;
}

struct genkey_args {
	const char *kty, *crv, *kid, *alg, *out;
	unsigned bits;
	bool force; /* --force: -o may replace a file of the caller's */
};

static int genkey_usage(void)
{
	fprintf(stderr, "usage: jwtsign genkey --kty oct|RSA|EC|OKP [--size BITS] [--crv CURVE] "
			"--kid KID [--alg ALG] [-o FILE [--force]]\n");
	return CLI_EXIT_USAGE;
}

static int parse_genkey_args(int argc, char **argv, struct genkey_args *a)
{
	static const struct option opts[] = {
	    {"kty", required_argument, NULL, 't'}, {"size", required_argument, NULL, 's'},
	    {"crv", required_argument, NULL, 'c'}, {"kid", required_argument, NULL, 'k'},
	    {"alg", required_argument, NULL, 'a'}, {"output", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},	   {NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			a->kty = optarg;
			break;
		case 's':
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > 16384)
				return -1;
			a->bits = (unsigned)v;
			break;
		case 'c':
			a->crv = optarg;
			break;
		case 'k':
			a->kid = optarg;
			break;
		case 'a':
			a->alg = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'f':
			a->force = true;
			break;
		default:
			return -1;
		}
	}
	return (optind == argc && a->kty && a->kid && (a->out || !a->force)) ? 0 : -1;
}

/* Whether an existing path may be replaced: only with force, and only a
 * regular file (not a symbolic link) owned by the caller.  Returns 0 when
 * path does not exist or may be replaced (*exists tells which). */
static int check_replace(const char *path, bool force, bool *exists, struct err *err)
{
	struct stat st;

	*exists = false;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : err_set(err, ERR_IO, "%s: %s", path, strerror(errno));
	*exists = true;
	if (!force)
		return err_set(err, ERR_IO, "%s exists (use --force to replace it)", path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, ERR_IO, "%s is not a regular file: not replaced", path);
	if (st.st_uid != geteuid())
		return err_set(err, ERR_IO, "%s belongs to uid %ld, not to you: not replaced", path,
			       (long)st.st_uid);
	return 0;
}

/* Write data to a new mode 0600 file (O_EXCL) beside path, then move it
 * into place: link() when path must not exist (atomic, never replaces a
 * file created meanwhile), rename() when --force allows replacing one of
 * the caller's regular files.  Nothing is ever written through an existing
 * file or a symbolic link; on error no temporary file is left. */
static int write_private_file(const char *path, const struct buf *data, bool force, struct err *err)
{
	struct buf tmp = BUF_INIT;
	bool exists;
	int fd = -1, rc;

	if ((rc = check_replace(path, force, &exists, err)) != 0)
		return rc;
	if (buf_printf(&tmp, "%s.XXXXXX", path) != 0)
		return err_set(err, ERR_NOMEM, "out of memory");
	fd = mkstemp(tmp.data); /* O_EXCL, mode 0600 */
	if (fd < 0) {
		rc = err_set(err, ERR_IO, "%s: cannot create a file beside it: %s", path,
			     strerror(errno));
		goto out;
	}
	if (fileio_write_all(fd, data->data, data->len) != 0 || fsync(fd) != 0) {
		rc = err_set(err, ERR_IO, "%s: %s", tmp.data, strerror(errno));
		goto out_unlink;
	}
	rc = close(fd);
	fd = -1;
	if (rc != 0) {
		rc = err_set(err, ERR_IO, "%s: %s", tmp.data, strerror(errno));
		goto out_unlink;
	}
	if (exists ? rename(tmp.data, path) != 0 : link(tmp.data, path) != 0) {
		rc = err_set(err, ERR_IO, "%s: %s", path,
			     errno == EEXIST ? "exists (use --force to replace it)"
					     : strerror(errno));
		goto out_unlink;
	}
	if (!exists)
		unlink(tmp.data);
	rc = 0;
	goto out;
out_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp.data);
out:
	buf_free(&tmp);
	return rc;
}

int cli_genkey(int argc, char **argv)
{
	struct genkey_args a;
	struct buf out = BUF_INIT_SECRET;
	struct err e = {0};
	int rc;

	if (parse_genkey_args(argc, argv, &a) != 0)
		return genkey_usage();
	rc = jwk_generate(&out, a.kty, a.bits, a.crv, a.kid, a.alg, &e);
	if (rc == 0 && buf_putc(&out, '\n') != 0)
		rc = err_set(&e, ERR_NOMEM, "out of memory");
	if (rc == 0) {
		if (a.out)
			rc = write_private_file(a.out, &out, a.force, &e);
		else if (fileio_write_all(STDOUT_FILENO, out.data, out.len) != 0)
			rc = err_set(&e, ERR_IO, "writing to stdout: %s", strerror(errno));
	}
	buf_wipe_free(&out);
	if (rc) {
		fprintf(stderr, "jwtsign genkey: %s\n", e.msg);
		return rc == ERR_INVALID || rc == ERR_UNSUPPORTED ? CLI_EXIT_USAGE : 1;
	}
	return 0;
}

int cli_pubkeys(int argc, char **argv)
{
	struct jwk_limits lim = {CLI_MAX_INPUT, 100000};
	struct buf in = BUF_INIT_SECRET, out = BUF_INIT;
	struct err e = {0};
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: jwtsign pubkeys < private.json > public.json\n");
		return CLI_EXIT_USAGE;
	}
	rc = read_all(STDIN_FILENO, &in, "stdin", &e);
	if (rc == 0)
		rc = jwk_set_public(in.data ? in.data : "", in.len, &lim, &out, &e);
	if (rc == 0 &&
	    (buf_putc(&out, '\n') != 0 || fileio_write_all(STDOUT_FILENO, out.data, out.len)))
		rc = err_set(&e, ERR_IO, "writing to stdout: %s", strerror(errno));
	buf_wipe_free(&in);
	buf_free(&out);
	if (rc) {
		fprintf(stderr, "jwtsign pubkeys: %s\n", e.msg);
		return 1;
	}
	return 0;
}
