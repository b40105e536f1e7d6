/* fileio.c - whole-file reads and whole-buffer writes; see fileio.h. */
#include "fileio.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

int fileio_read_fd(int fd, struct buf *b)
{
	char chunk[8192];
	ssize_t n;
	int rc = 0, saved;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ERR_IO;
			break;
		}
		if ((rc = buf_append(b, chunk, (size_t)n)) != 0)
			break;
	}
	saved = errno;
	sodium_memzero(chunk, sizeof(chunk));
	errno = saved;
	return rc;
}

int fileio_read_file(const char *path, struct buf *b, bool *at_open)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc, saved;

	if (at_open)
		*at_open = fd < 0;
	if (fd < 0)
		return ERR_IO;
	rc = fileio_read_fd(fd, b);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int fileio_read_exact(int fd, void *p, size_t n)
{
	char *q = p;

	while (n > 0) {
		ssize_t r = read(fd, q, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? ERR_INVALID : ERR_IO;
		q += r;
		n -= (size_t)r;
	}
	return 0;
}

int fileio_write_all(int fd, const void *p, size_t n)
{
	const char *q = p;

	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ERR_IO;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}
