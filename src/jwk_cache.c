/* jwk_cache.c - the shared JWK Set cache; see jwk_cache.h for the design. */
#include "jwk_cache.h"
#include "clock.h"
#include "fileio.h"
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CACHE_MAGIC "JWTSJWKC"
/* Hex digits of the source id used in file names (16 bytes). */
#define NAME_ID_BYTES 16
/* Poll interval while waiting for a lock, in milliseconds. */
#define LOCK_POLL_MS 10

/* The file header, written as is (native byte order; no padding: see the
 * static assertion). */
struct cache_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;
	unsigned char id[JWK_CACHE_ID_SIZE];
	uint64_t generation;
	int64_t fetched_at;
	int64_t failed_at;
	int64_t miss_at;
	uint32_t nfail;
	uint32_t doc_len;
	int32_t last_code;
	uint32_t reserved; /* 0 */
	unsigned char doc_hash[32];
	char etag[256];
	char last_modified[128];
	char last_error[512];
	unsigned char checksum[32]; /* BLAKE2b-256 of the bytes before it, then the doc */
};
_Static_assert(sizeof(struct cache_hdr) == 1056, "struct cache_hdr has padding");

struct jwk_cache {
	int dirfd;
	char *dir;
};

/* ------------------------------------------------------------ entries */

void jwk_cache_entry_init(struct jwk_cache_entry *e)
{
	memset(e, 0, sizeof(*e));
	buf_init_secret(&e->doc, 0);
}

void jwk_cache_entry_free(struct jwk_cache_entry *e)
{
	if (e == NULL)
		return;
	buf_wipe_free(&e->doc);
	jwk_cache_entry_init(e);
}

/* ------------------------------------------------------------ directory */

int jwk_cache_default_dir(char *out, size_t size, struct err *err)
{
	return rundir_default(out, size, err);
}

int jwk_cache_open(const char *dir, struct jwk_cache **out, struct err *err)
{
	struct jwk_cache *c;
	int fd;

	*out = NULL;
	fd = rundir_open(dir, err);
	if (fd < 0)
		return fd;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->dir = strdup(dir)) == NULL) {
		free(c);
		close(fd);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	c->dirfd = fd;
	*out = c;
	return 0;
}

void jwk_cache_close(struct jwk_cache *c)
{
	if (c == NULL)
		return;
	close(c->dirfd);
	free(c->dir);
	free(c);
}

const char *jwk_cache_dir(const struct jwk_cache *c)
{
	return c->dir;
}

/* ------------------------------------------------------------ names */

void jwk_cache_id(const char *const *parts, size_t n, unsigned char id[JWK_CACHE_ID_SIZE])
{
	static const char context[] = "jwtsign JWK Set source v1";
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, JWK_CACHE_ID_SIZE);
	crypto_generichash_update(&st, (const unsigned char *)context, sizeof(context));
	for (size_t i = 0; i < n; i++) {
		const char *p = parts[i] ? parts[i] : "";
		uint64_t len = strlen(p);

		/* The length first: ("ab","c") and ("a","bc") differ. */
		crypto_generichash_update(&st, (const unsigned char *)&len, sizeof(len));
		crypto_generichash_update(&st, (const unsigned char *)p, len);
	}
	crypto_generichash_final(&st, id, JWK_CACHE_ID_SIZE);
}

/* "jwks-HEX" + suffix into out. */
static void file_name(const unsigned char id[JWK_CACHE_ID_SIZE], const char *suffix, char *out,
		      size_t size)
{
	char hex[NAME_ID_BYTES * 2 + 1];

	sodium_bin2hex(hex, sizeof(hex), id, NAME_ID_BYTES);
	snprintf(out, size, "jwks-%s%s", hex, suffix);
}

void jwk_cache_path(const struct jwk_cache *c, const unsigned char id[JWK_CACHE_ID_SIZE], char *out,
		    size_t size)
{
	char name[64];

	file_name(id, ".cache", name, sizeof(name));
	snprintf(out, size, "%s/%s", c->dir, name);
}

/* ------------------------------------------------------------ reading */

static bool same_stamp(const struct jwk_cache_stamp *s, const struct stat *st)
{
	return s->valid && s->dev == st->st_dev && s->ino == st->st_ino && s->size == st->st_size &&
	       s->mtime.tv_sec == st->st_mtim.tv_sec && s->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       s->ctime.tv_sec == st->st_ctim.tv_sec && s->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static void set_stamp(struct jwk_cache_stamp *s, const struct stat *st)
{
	s->valid = true;
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = st->st_size;
	s->mtime = st->st_mtim;
	s->ctime = st->st_ctim;
}

static void checksum(const struct cache_hdr *h, const void *doc, size_t len, unsigned char out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)h,
				  offsetof(struct cache_hdr, checksum));
	crypto_generichash_update(&st, doc, len);
	crypto_generichash_final(&st, out, 32);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Check the header fields that need no document. */
static const char *bad_header(const struct cache_hdr *h, const unsigned char *id,
			      const struct stat *st, size_t max_doc, char *why, size_t whysz)
{
	if (memcmp(h->magic, CACHE_MAGIC, 8) != 0)
		return "not a jwtsign cache file (bad magic)";
	if (h->version != JWK_CACHE_FORMAT) {
		snprintf(why, whysz, "unknown format version %lu (this jwtsign reads %d)",
			 (unsigned long)h->version, JWK_CACHE_FORMAT);
		return why;
	}
	if (h->hdr_size != sizeof(*h))
		return "header size mismatch";
	if (sodium_memcmp(h->id, id, JWK_CACHE_ID_SIZE) != 0)
		return "entry of another source";
	if (h->doc_len > max_doc)
		return "document larger than max_jwk_set_size";
	if ((uint64_t)st->st_size != (uint64_t)sizeof(*h) + h->doc_len)
		return (uint64_t)st->st_size < (uint64_t)sizeof(*h) + h->doc_len
			   ? "truncated"
			   : "trailing bytes after the document";
	if (!terminated(h->etag, sizeof(h->etag)) ||
	    !terminated(h->last_modified, sizeof(h->last_modified)) ||
	    !terminated(h->last_error, sizeof(h->last_error)))
		return "malformed header strings";
	return NULL;
}

static const char *bad_file(int fd, const struct stat *st)
{
	(void)fd;
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_uid != geteuid())
		return "owned by another user";
	if ((st->st_mode & 07777) != 0600)
		return "mode is not 0600";
	if ((size_t)st->st_size < sizeof(struct cache_hdr))
		return "truncated";
	return NULL;
}

static int refused(struct err *err, const struct jwk_cache *c, const char *name, const char *why)
{
	return err_set(err, ERR_INVALID, "cache file %s/%s refused: %s", c->dir, name, why);
}

/* Read header and document from fd into e (already checked stat st). */
static int read_entry(int fd, const struct stat *st, const unsigned char *id, size_t max_doc,
		      struct jwk_cache_entry *e, const struct jwk_cache *c, const char *name,
		      struct err *err)
{
	struct cache_hdr h;
	unsigned char sum[32], dh[32];
	char why[96];
	const char *bad;
	int rc;

	if ((rc = fileio_read_exact(fd, &h, sizeof(h))) != 0)
		return rc == ERR_IO ? err_set(err, ERR_IO, "cache file %s/%s: %s", c->dir, name,
					      strerror(errno))
				    : refused(err, c, name, "truncated");
	if ((bad = bad_header(&h, id, st, max_doc, why, sizeof(why))) != NULL)
		return refused(err, c, name, bad);
	buf_init_secret(&e->doc, max_doc);
	if (h.doc_len > 0) {
		if (buf_reserve(&e->doc, h.doc_len) != 0)
			return err_set(err, ERR_NOMEM, "cache file %s/%s: out of memory", c->dir,
				       name);
		if ((rc = fileio_read_exact(fd, e->doc.data, h.doc_len)) != 0)
			return rc == ERR_IO ? err_set(err, ERR_IO, "cache file %s/%s: %s", c->dir,
						      name, strerror(errno))
					    : refused(err, c, name, "truncated");
		if ((rc = buf_commit(&e->doc, h.doc_len)) != 0)
			return err_set(err, rc, "cache file %s/%s: %s", c->dir, name,
				       err_strerror(rc));
	}
	checksum(&h, e->doc.data ? e->doc.data : "", h.doc_len, sum);
	if (sodium_memcmp(sum, h.checksum, sizeof(sum)) != 0)
		return refused(err, c, name, "checksum mismatch (corrupt)");
	crypto_generichash(dh, sizeof(dh), (const unsigned char *)(e->doc.data ? e->doc.data : ""),
			   h.doc_len, NULL, 0);
	if (h.doc_len > 0 && sodium_memcmp(dh, h.doc_hash, sizeof(dh)) != 0)
		return refused(err, c, name, "document hash mismatch (corrupt)");
	e->generation = h.generation;
	memcpy(e->doc_hash, h.doc_hash, sizeof(e->doc_hash));
	e->fetched_at = h.fetched_at;
	e->failed_at = h.failed_at;
	e->miss_at = h.miss_at;
	e->nfail = h.nfail;
	e->last_code = h.last_code;
	memcpy(e->etag, h.etag, sizeof(e->etag));
	memcpy(e->last_modified, h.last_modified, sizeof(e->last_modified));
	memcpy(e->last_error, h.last_error, sizeof(e->last_error));
	return 0;
}

int jwk_cache_read(struct jwk_cache *c, const unsigned char id[JWK_CACHE_ID_SIZE],
		   struct jwk_cache_stamp *stamp, size_t max_doc, struct jwk_cache_entry *e,
		   struct err *err)
{
	struct jwk_cache_entry tmp;
	struct stat st;
	char name[64];
	const char *bad;
	int fd, rc;

	file_name(id, ".cache", name, sizeof(name));
	if (max_doc > UINT32_MAX)
		max_doc = UINT32_MAX;
	if (stamp && stamp->valid && fstatat(c->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    same_stamp(stamp, &st) && bad_file(-1, &st) == NULL)
		return JWK_CACHE_UNCHANGED;
	fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(err, ERR_NOTFOUND, "cache file %s/%s: none yet", c->dir,
				       name);
		if (errno == ELOOP)
			return refused(err, c, name, "a symbolic link");
		return err_set(err, ERR_IO, "cache file %s/%s: %s", c->dir, name, strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		rc = err_set(err, ERR_IO, "cache file %s/%s: %s", c->dir, name, strerror(errno));
		goto out;
	}
	if ((bad = bad_file(fd, &st)) != NULL) {
		rc = refused(err, c, name, bad);
		goto out;
	}
	jwk_cache_entry_init(&tmp);
	rc = read_entry(fd, &st, id, max_doc, &tmp, c, name, err);
	if (rc != 0) {
		jwk_cache_entry_free(&tmp);
		goto out;
	}
	jwk_cache_entry_free(e);
	*e = tmp;
	if (stamp)
		set_stamp(stamp, &st);
out:
	close(fd);
	return rc;
}

/* ------------------------------------------------------------ locking */

static int try_lock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
	/* Owned by this open file description: two sources in one process
	 * (or two lock attempts) do not share it, and close() releases it. */
	return fcntl(fd, F_OFD_SETLK, &fl);
#else
	return fcntl(fd, F_SETLK, &fl);
#endif
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int open_lock(struct jwk_cache *c, const char *name, struct err *err)
{
	struct stat st;
	int fd =
	    openat(c->dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);

	if (fd < 0) {
		if (errno == ELOOP) {
			unlinkat(c->dirfd, name, 0);
			return refused(err, c, name, "a symbolic link (removed)");
		}
		return err_set(err, ERR_IO, "lock file %s/%s: %s", c->dir, name, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		close(fd);
		unlinkat(c->dirfd, name, 0);
		return refused(err, c, name, "not a regular 0600 file of ours (removed)");
	}
	if ((st.st_mode & 07777) != 0600)
		fchmod(fd, 0600); /* created under a umask that dropped bits */
	return fd;
}

int jwk_cache_lock(struct jwk_cache *c, const unsigned char id[JWK_CACHE_ID_SIZE], unsigned wait_ms,
		   int *fdp, struct err *err)
{
	long long deadline = clock_monotonic_ms() + wait_ms;
	char name[64];
	int fd;

	*fdp = -1;
	file_name(id, ".lock", name, sizeof(name));
	fd = open_lock(c, name, err);
	if (fd < 0)
		return fd;
	for (;;) {
		if (try_lock(fd) == 0) {
			*fdp = fd;
			return 0;
		}
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			int e = errno;

			close(fd);
			return err_set(err, ERR_IO, "lock file %s/%s: %s", c->dir, name,
				       strerror(e));
		}
		if (clock_monotonic_ms() >= deadline)
			break;
		sleep_ms(LOCK_POLL_MS);
	}
	close(fd);
	return err_set(err, ERR_TIMEOUT,
		       "cache lock %s/%s still held by another process after %u ms", c->dir, name,
		       wait_ms);
}

void jwk_cache_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the lock */
}

/* ------------------------------------------------------------ writing */

static void fill_header(struct cache_hdr *h, const unsigned char *id,
			const struct jwk_cache_entry *e)
{
	const char *doc = e->doc.data ? e->doc.data : "";

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, CACHE_MAGIC, 8);
	h->version = JWK_CACHE_FORMAT;
	h->hdr_size = sizeof(*h);
	memcpy(h->id, id, JWK_CACHE_ID_SIZE);
	h->generation = e->generation;
	h->fetched_at = e->fetched_at;
	h->failed_at = e->failed_at;
	h->miss_at = e->miss_at;
	h->nfail = e->nfail;
	h->last_code = e->last_code;
	h->doc_len = (uint32_t)e->doc.len;
	if (e->doc.len > 0)
		crypto_generichash(h->doc_hash, sizeof(h->doc_hash), (const unsigned char *)doc,
				   e->doc.len, NULL, 0);
	snprintf(h->etag, sizeof(h->etag), "%s", e->etag);
	snprintf(h->last_modified, sizeof(h->last_modified), "%s", e->last_modified);
	snprintf(h->last_error, sizeof(h->last_error), "%s", e->last_error);
	checksum(h, doc, e->doc.len, h->checksum);
}

int jwk_cache_write(struct jwk_cache *c, const unsigned char id[JWK_CACHE_ID_SIZE],
		    const struct jwk_cache_entry *e, struct err *err)
{
	struct cache_hdr h;
	char tmp[64], name[64];
	int fd, rc = 0;

	if (e->doc.len > UINT32_MAX)
		return err_set(err, ERR_LIMIT, "cache: document too large");
	file_name(id, ".tmp", tmp, sizeof(tmp));
	file_name(id, ".cache", name, sizeof(name));
	fill_header(&h, id, e);
	/* Left over by a writer that died: only lock holders write it. */
	unlinkat(c->dirfd, tmp, 0);
	fd = openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, ERR_IO, "cache file %s/%s: %s", c->dir, tmp, strerror(errno));
	if (fchmod(fd, 0600) != 0 || fileio_write_all(fd, &h, sizeof(h)) != 0 ||
	    (e->doc.len > 0 && fileio_write_all(fd, e->doc.data, e->doc.len) != 0))
		rc = err_set(err, ERR_IO, "cache file %s/%s: %s", c->dir, tmp, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = err_set(err, ERR_IO, "cache file %s/%s: %s", c->dir, tmp, strerror(errno));
	if (rc == 0 && renameat(c->dirfd, tmp, c->dirfd, name) != 0)
		rc = err_set(err, ERR_IO, "cache file %s/%s: rename: %s", c->dir, name,
			     strerror(errno));
	if (rc != 0)
		unlinkat(c->dirfd, tmp, 0);
	return rc;
}
