/* fileio.h - whole-file reads and whole-buffer writes on file descriptors.
 *
 * The one place that loops over read(2)/write(2), retrying on EINTR and
 * short counts.  Errors are codes only (no struct err): each caller words
 * its message itself, naming the file and its setting; on ERR_IO errno
 * still says why.
 */
#ifndef JWTSIGN_FILEIO_H
#define JWTSIGN_FILEIO_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* fileio_read_fd - append everything fd yields until end of file to b.
 * b:   caller-owned; its limit (bytes) caps the total length.  Initialise
 *      it with buf_init_secret when the file may hold key material: the
 *      stack chunk used for reading is wiped in any case.
 * Returns 0; ERR_IO when read(2) fails (errno is kept); ERR_LIMIT when
 * the data would exceed b->limit; ERR_NOMEM.  On error b keeps the bytes
 * appended so far (the caller frees it as usual). */
int fileio_read_fd(int fd, struct buf *b) __attribute__((warn_unused_result));

/* fileio_read_file - open path read-only (O_CLOEXEC) and fileio_read_fd
 * it into b, then close it.
 * at_open: optional out; set to true when open(2) failed, false otherwise
 *          (so the caller can say "cannot open" rather than "cannot read").
 * Returns as fileio_read_fd (ERR_IO with errno also when open failed). */
int fileio_read_file(const char *path, struct buf *b, bool *at_open)
    __attribute__((warn_unused_result));

/* fileio_read_exact - read exactly n bytes from fd at its current offset
 * into the caller's p (n bytes of room).
 * Returns 0; ERR_INVALID when end of file comes first; ERR_IO when
 * read(2) fails (errno is kept).  On error p holds a partial read. */
int fileio_read_exact(int fd, void *p, size_t n) __attribute__((warn_unused_result));

/* fileio_write_all - write all n bytes at p to fd, retrying on EINTR and
 * short writes.
 * Returns 0, or ERR_IO when write(2) fails (errno says why) or writes
 * nothing (errno is then left as it was). */
int fileio_write_all(int fd, const void *p, size_t n) __attribute__((warn_unused_result));

#endif
