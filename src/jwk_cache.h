/* jwk_cache.h - the JWK Set cache shared by every jwtsign process of one
 * user, so that N FastCGI workers and every CGI invocation share one
 * download of each JWK Set.
 *
 * Design (the simplest that meets every rule of jwtsign.json(5)):
 * - A directory (jwk_cache_default_dir, rundir.h): JWTSIGN_CACHE_DIR,
 *   systemd's RUNTIME_DIRECTORY, the package's /run/jwtsign/cache-EUID,
 *   else /dev/shm/jwtsign-EUID (tmpfs).  It is created with mode 0700 when
 *   missing, and used only when it is a real directory (not a symbolic
 *   link) owned by the effective user with mode exactly 0700 (checked with
 *   fstat on a descriptor opened with O_NOFOLLOW).  The rate limit table
 *   (ratelimit.h) lives in the same directory.
 * - One file per source, "jwks-HEX.cache", where HEX is the first 16
 *   bytes of the source id (a BLAKE2b hash of the URL and every security
 *   setting, jwk_cache_id()).  The file holds a fixed header (magic
 *   "JWTSJWKC", format version, source id, generation, fetch/failure/miss
 *   times, ETag, Last-Modified, last error, BLAKE2b-256 of the document,
 *   BLAKE2b-256 checksum of header and document) followed by the raw JWK
 *   Set document.  Native byte order: the file never leaves the host.
 * - A file is never modified in place: a writer writes "jwks-HEX.tmp"
 *   (O_EXCL, O_NOFOLLOW, mode 0600) and renames it over the old file, so a
 *   reader sees the old or the new file, never a half-written one.  The
 *   inode number therefore changes on every write, which lets readers skip
 *   re-reading an unchanged file (jwk_cache_read's stamp).
 * - Writers serialise on "jwks-HEX.lock" with an fcntl open-file-
 *   description lock (F_OFD_SETLK), which the kernel releases when the
 *   holder dies (kill -9 included); a writer killed mid-update leaves at
 *   most a stale .tmp file, removed by the next writer.
 * - A reader trusts a file only when it is a regular file (not a symbolic
 *   link: O_NOFOLLOW) owned by the effective user with mode exactly 0600,
 *   of the exact size the header announces, with the right magic, version,
 *   source id and checksums; anything else is refused with a message
 *   saying why (the caller then rebuilds it by writing a new file).
 * The documents may contain secret keys (oct JWK Sets): hence the modes,
 * and document buffers are wiped before they are freed.
 */
#ifndef JWTSIGN_JWK_CACHE_H
#define JWTSIGN_JWK_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "err.h"

/* Size of a source id (BLAKE2b-256), in bytes. */
#define JWK_CACHE_ID_SIZE 32
/* Version of the file format written and accepted. */
#define JWK_CACHE_FORMAT 1
/* jwk_cache_read's answer when the file did not change since *stamp. */
#define JWK_CACHE_UNCHANGED 1

struct jwk_cache;

/* One cache entry: the last good document of a source and the state of
 * its refreshes.  Times are clock_now() seconds (wall clock: they are
 * shared between processes). */
struct jwk_cache_entry {
	uint64_t generation;	       /* incremented for every new document; 0 = none yet */
	unsigned char doc_hash[32];    /* BLAKE2b-256 of doc (all zero when none) */
	int64_t fetched_at;	       /* last download answered 200 or 304, or 0 = never */
	int64_t failed_at;	       /* last failed download, or 0 */
	int64_t miss_at;	       /* last refresh caused by an unknown kid, or 0 */
	uint32_t nfail;		       /* failed downloads since the last good one */
	int last_code;		       /* enum err_code of the last failure, or 0 */
	char etag[256];		       /* for If-None-Match, or "" */
	char last_modified[128];       /* for If-Modified-Since, or "" */
	char last_error[ERR_MSG_SIZE]; /* message of the last failure, or "" */
	struct buf doc;		       /* the raw JWK Set (len 0 = none); a secret
					* buf (buf_init_secret): it may hold secrets;
					* freed by jwk_cache_entry_free */
};

/* Identity of the file last read, to skip re-reading an unchanged one.
 * Zero-initialise it (valid = false) before the first read. */
struct jwk_cache_stamp {
	bool valid;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

/* jwk_cache_entry_init - make e empty (no document, all times 0; doc a
 * secret buf without a limit). */
void jwk_cache_entry_init(struct jwk_cache_entry *e);

/* jwk_cache_entry_free - wipe and free e's document; e becomes empty.
 * NULL-safe. */
void jwk_cache_entry_free(struct jwk_cache_entry *e);

/* jwk_cache_default_dir - the cache directory, written to out (size
 * bytes): rundir_default (rundir.h: $JWTSIGN_CACHE_DIR, systemd's
 * $RUNTIME_DIRECTORY, /run/jwtsign/cache-EUID, else
 * "/dev/shm/jwtsign-EUID").  Returns 0, ERR_INVALID (JWTSIGN_CACHE_DIR
 * not an absolute path) or ERR_LIMIT (too long). */
int jwk_cache_default_dir(char *out, size_t size, struct err *err);

/* jwk_cache_open - open (creating it with mode 0700 when missing; its
 * parent must exist) and check the cache directory dir.  *out is freed
 * with jwk_cache_close().  Returns 0, ERR_INVALID (refused: a symbolic
 * link, not a directory, another owner, a mode other than 0700; the
 * message says which), ERR_IO (cannot create or open; strerror), or
 * ERR_NOMEM. */
int jwk_cache_open(const char *dir, struct jwk_cache **out, struct err *err);

/* jwk_cache_close - close the directory.  NULL-safe. */
void jwk_cache_close(struct jwk_cache *c);

/* jwk_cache_dir - the directory's path (borrowed from c). */
const char *jwk_cache_dir(const struct jwk_cache *c);

/* jwk_cache_id - the source id of parts[0..n-1] (URL, then every setting
 * that changes what a download may return), each hashed with its length
 * so that no two lists collide. */
void jwk_cache_id(const char *const *parts, size_t n, unsigned char id[JWK_CACHE_ID_SIZE]);

/* jwk_cache_path - "DIR/jwks-HEX.cache" of source id, into out (size
 * bytes, truncated when too small). */
void jwk_cache_path(const struct jwk_cache *c, const unsigned char id[JWK_CACHE_ID_SIZE], char *out,
		    size_t size);

/* jwk_cache_read - read and verify the entry of source id into e.
 * stamp (in/out, may be NULL): when it is valid and the file is the same
 * one (device, inode, size, mtime, ctime), nothing is read and
 * JWK_CACHE_UNCHANGED is returned; after a successful read it describes
 * the file read.  max_doc: largest accepted document, in bytes.
 * On success e's previous document is wiped and replaced; on error e is
 * unchanged.
 * Returns 0, JWK_CACHE_UNCHANGED, ERR_NOTFOUND (no file), ERR_INVALID
 * (refused: symbolic link, not a regular file, another owner, mode not
 * 0600, truncated or oversized, bad magic, unknown format version, other
 * source, checksum mismatch; the message names the file and the reason),
 * ERR_IO, ERR_NOMEM. */
int jwk_cache_read(struct jwk_cache *c, const unsigned char id[JWK_CACHE_ID_SIZE],
		   struct jwk_cache_stamp *stamp, size_t max_doc, struct jwk_cache_entry *e,
		   struct err *err);

/* jwk_cache_lock - take the writer lock of source id, waiting up to
 * wait_ms milliseconds (0: do not wait) while another process holds it.
 * *fd receives the lock's descriptor, released with jwk_cache_unlock()
 * (or by the kernel when the process dies).
 * Returns 0, ERR_TIMEOUT (still held by another process), ERR_INVALID
 * (the lock file is not a regular 0600 file of ours; it is removed so
 * that the next attempt recreates it), ERR_IO. */
int jwk_cache_lock(struct jwk_cache *c, const unsigned char id[JWK_CACHE_ID_SIZE], unsigned wait_ms,
		   int *fd, struct err *err);

/* jwk_cache_unlock - release a lock taken with jwk_cache_lock.  fd < 0 is
 * ignored. */
void jwk_cache_unlock(int fd);

/* jwk_cache_write - replace the entry of source id by e, atomically
 * (write a temporary file, then rename).  The caller must hold the lock.
 * Returns 0, ERR_LIMIT (document over 4 GiB), ERR_IO, ERR_NOMEM. */
int jwk_cache_write(struct jwk_cache *c, const unsigned char id[JWK_CACHE_ID_SIZE],
		    const struct jwk_cache_entry *e, struct err *err);

#endif
