/* shmfile.h - a file the processes of one user map MAP_SHARED, in the
 * directory of rundir.h: the rate limit table (ratelimit.h) and the
 * metrics counters (metrics.h).  Opening it, making it whole under a
 * temporary name and linking it into place (no process maps a
 * half-written header), and refusing one another user could have made
 * or changed live here, once; each user checks its own header.
 */
#ifndef JWTSIGN_SHMFILE_H
#define JWTSIGN_SHMFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* shmfile_open - open dir/name read-write, making it when missing (hdr:
 * hdr_len bytes, then zeros up to size bytes; mode 0600) unless hdr is
 * NULL (then a missing file is ERR_NOTFOUND).  what names
 * the file in messages ("rate limit table").  The file must be a regular
 * file (not a symbolic link) owned by the effective user with mode
 * exactly 0600, of size bytes when exact, else of at least hdr_len (the
 * caller checks the size its header announces).
 * Returns a descriptor (close-on-exec; the caller closes it), or
 * ERR_INVALID (refused: the message says why, and to remove it),
 * ERR_NOTFOUND, ERR_IO. */
int shmfile_open(const char *dir, const char *name, const char *what, const void *hdr,
		 size_t hdr_len, size_t size, bool exact, struct err *err);

/* shmfile_map - map size bytes of fd MAP_SHARED, read-write.  Returns the
 * mapping (munmap it) or NULL with ERR_IO in err. */
void *shmfile_map(int fd, size_t size, const char *path, struct err *err);

#endif
