/* rundir.c - the per-user private directory; see rundir.h. */
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether path (len bytes) names a directory of ours (not a link); then
 * it is written to out (size bytes). */
static bool own_dir(const char *path, size_t len, char *out, size_t size)
{
	struct stat st;
	int n = snprintf(out, size, "%.*s", (int)len, path);

	return n > 0 && (size_t)n < size && lstat(out, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid();
}

int rundir_default(char *out, size_t size, struct err *err)
{
	const char *env = getenv("JWTSIGN_CACHE_DIR"), *rt = getenv("RUNTIME_DIRECTORY");
	unsigned long uid = (unsigned long)geteuid();
	char run[64];
	int n;

	if (env && *env && env[0] != '/')
		return err_set(err, ERR_INVALID,
			       "JWTSIGN_CACHE_DIR \"%.200s\" is not an absolute path", env);
	snprintf(run, sizeof(run), RUNDIR_RUN_DIR "/cache-%lu", uid);
	if (env && *env)
		n = snprintf(out, size, "%s", env);
	/* systemd's RuntimeDirectory= (the first of a ':' list), made for the
	 * service's user: not one a web server's unit made for itself. */
	else if (rt && rt[0] == '/' && own_dir(rt, strcspn(rt, ":"), out, size))
		return 0;
	/* The package's directory for this user (tmpfiles.d): under root's
	 * /run/jwtsign no other user can take its name, as one can take
	 * /dev/shm/jwtsign-UID before this user's first process does. */
	else if (own_dir(run, strlen(run), out, size))
		return 0;
	else
		n = snprintf(out, size, "/dev/shm/jwtsign-%lu", uid);
	if (n < 0 || (size_t)n >= size)
		return err_set(err, ERR_LIMIT, "cache directory path longer than %zu bytes",
			       size - 1);
	return 0;
}

static int check_dir(int fd, const char *dir, bool created, struct err *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return err_set(err, ERR_IO, "cache directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(err, ERR_INVALID, "cache directory %s refused: not a directory",
			       dir);
	if (st.st_uid != geteuid())
		return err_set(err, ERR_INVALID,
			       "cache directory %s refused: owned by uid %lu, not by uid %lu", dir,
			       (unsigned long)st.st_uid, (unsigned long)geteuid());
	if ((st.st_mode & 07777) != 0700) {
		/* A directory we just made may have lost bits to the umask. */
		if (created && (st.st_mode & 077) == 0 && fchmod(fd, 0700) == 0)
			return 0;
		return err_set(err, ERR_INVALID,
			       "cache directory %s refused: mode %04o, 0700 required", dir,
			       (unsigned)(st.st_mode & 07777));
	}
	return 0;
}

static int open_dir(const char *dir, bool *created, struct err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	*created = false;
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0700) == 0)
			*created = true;
		else if (errno != EEXIST)
			return err_set(err, ERR_IO, "cache directory %s: cannot create it: %s", dir,
				       strerror(errno));
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd >= 0)
		return fd;
	if (errno == ELOOP || errno == ENOTDIR) {
		struct stat st;

		if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
			return err_set(err, ERR_INVALID,
				       "cache directory %s refused: a symbolic link", dir);
		return err_set(err, ERR_INVALID, "cache directory %s refused: not a directory",
			       dir);
	}
	return err_set(err, ERR_IO, "cache directory %s: %s", dir, strerror(errno));
}

int rundir_open(const char *dir, struct err *err)
{
	bool created;
	int fd = open_dir(dir, &created, err), rc;

	if (fd < 0)
		return fd;
	if ((rc = check_dir(fd, dir, created, err)) != 0) {
		close(fd);
		return rc;
	}
	return fd;
}
