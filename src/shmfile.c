/* shmfile.c - the shared files of one user; see shmfile.h. */
#include "shmfile.h"
#include "fileio.h"
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Make the file under a temporary name and link it into place; EEXIST
 * (another process made it first) is not an error. */
static int create_file(int dirfd, const char *dir, const char *name, const char *what,
		       const void *hdr, size_t hdr_len, size_t size, struct err *err)
{
	char tmp[128];
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", name, (long)getpid());
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, ERR_IO, "%s %s/%s: %s", what, dir, tmp, strerror(errno));
	if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)size) != 0 ||
	    fileio_write_all(fd, hdr, hdr_len) != 0)
		rc = err_set(err, ERR_IO, "%s %s/%s: %s", what, dir, tmp, strerror(errno));
	close(fd);
	if (rc == 0 && linkat(dirfd, tmp, dirfd, name, 0) != 0 && errno != EEXIST)
		rc = err_set(err, ERR_IO, "%s %s/%s: %s", what, dir, name, strerror(errno));
	unlinkat(dirfd, tmp, 0);
	return rc;
}

static int check_file(int fd, const char *dir, const char *name, const char *what, size_t hdr_len,
		      size_t size, bool exact, struct err *err)
{
	struct stat st;
	const char *why = NULL;

	if (fstat(fd, &st) != 0)
		return err_set(err, ERR_IO, "%s %s/%s: %s", what, dir, name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != geteuid())
		why = "owned by another user";
	else if ((st.st_mode & 07777) != 0600)
		why = "mode is not 0600";
	else if ((size_t)st.st_size < hdr_len)
		why = "truncated";
	else if (exact && (size_t)st.st_size != size)
		why = "size does not match its header";
	if (why)
		return err_set(err, ERR_INVALID, "%s %s/%s refused: %s (remove it)", what, dir,
			       name, why);
	return 0;
}

int shmfile_open(const char *dir, const char *name, const char *what, const void *hdr,
		 size_t hdr_len, size_t size, bool exact, struct err *err)
{
	int dirfd = rundir_open(dir, err), fd, rc = 0;

	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && hdr == NULL)
		rc = err_set(err, ERR_NOTFOUND, "%s %s/%s: not made yet", what, dir, name);
	else if (fd < 0 && errno == ENOENT) {
		rc = create_file(dirfd, dir, name, what, hdr, hdr_len, size, err);
		if (rc == 0)
			fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	}
	if (rc == 0 && fd < 0)
		rc = errno == ELOOP
			 ? err_set(err, ERR_INVALID, "%s %s/%s refused: a symbolic link", what, dir,
				   name)
			 : err_set(err, ERR_IO, "%s %s/%s: %s", what, dir, name, strerror(errno));
	close(dirfd);
	if (rc == 0 && (rc = check_file(fd, dir, name, what, hdr_len, size, exact, err)) != 0)
		close(fd);
	return rc ? rc : fd;
}

void *shmfile_map(int fd, size_t size, const char *path, struct err *err)
{
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m != MAP_FAILED)
		return m;
	err_set(err, ERR_IO, "%s: mmap: %s", path, strerror(errno));
	return NULL;
}
