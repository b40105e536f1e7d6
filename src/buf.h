/* buf.h - a growable byte buffer that enforces its own rules.
 *
 * The buffer owns its memory (malloc).  data is always NUL-terminated (the
 * NUL is not counted in len) so text can be used as a C string.  Growth
 * stops at an optional size limit.  Every function that can fail is marked
 * warn_unused_result: a failed append leaves the buffer as it was, and the
 * caller must say what that means.
 *
 * A *secret* buffer (buf_init_secret) may hold key material: whenever it
 * grows, the old block is wiped (sodium_memzero) before it is freed, and
 * buf_reset, buf_truncate and buf_free wipe what they drop.  An ordinary
 * buffer that happened to hold a secret can still be released with
 * buf_wipe_free(), but only a secret buffer keeps no copies when it grows.
 * (Model: curl's lib/curlx/dynbuf.h.)
 */
#ifndef JWTSIGN_BUF_H
#define JWTSIGN_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* BUF_WUR - the result must be used (see above). */
#define BUF_WUR __attribute__((warn_unused_result))

struct buf {
	char *data;   /* NULL until the first append; then NUL-terminated */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t cap;   /* bytes allocated */
	size_t limit; /* maximum len in bytes; 0 means no limit */
	bool secret;  /* wipe every block dropped (buf_init_secret) */
};

/* BUF_INIT - an empty ordinary buffer without a limit. */
#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0, 0, false                                                               \
	}

/* BUF_INIT_SECRET - an empty secret buffer without a limit (see
 * buf_init_secret). */
#define BUF_INIT_SECRET                                                                            \
	{                                                                                          \
		NULL, 0, 0, 0, true                                                                \
	}

/* buf_init - make b an empty ordinary buffer with the given limit (bytes,
 * 0 = none).  Does not free earlier contents. */
void buf_init(struct buf *b, size_t limit);

/* buf_init_secret - as buf_init, for a buffer that will hold key material
 * (a JWK Set, a PEM key, a secret): every block the buffer drops while
 * growing, and on buf_reset/buf_truncate/buf_free, is wiped first. */
void buf_init_secret(struct buf *b, size_t limit);

/* buf_reserve - make room for extra more bytes plus the NUL, so that
 * data[len .. len+extra-1] may be written directly (then count them with
 * buf_commit).  Returns 0, ERR_NOMEM, or ERR_LIMIT when len + extra
 * would exceed limit; on error b is unchanged. */
int buf_reserve(struct buf *b, size_t extra) BUF_WUR;

/* buf_append - append n bytes from p (p may contain NULs).
 * Returns 0, ERR_NOMEM, or ERR_LIMIT when len would exceed limit (then
 * nothing is appended). */
int buf_append(struct buf *b, const void *p, size_t n) BUF_WUR;

/* buf_puts - append the C string s.  Errors as buf_append. */
int buf_puts(struct buf *b, const char *s) BUF_WUR;

/* buf_putc - append one byte.  Errors as buf_append. */
int buf_putc(struct buf *b, char c) BUF_WUR;

/* buf_printf - append formatted text.  Errors as buf_append, and
 * ERR_INVALID when fmt cannot be formatted (vsnprintf failed). */
int buf_printf(struct buf *b, const char *fmt, ...) BUF_WUR __attribute__((format(printf, 2, 3)));

/* buf_commit - count n bytes that the caller wrote directly at
 * data[len .. len+n-1] after buf_reserve(b, extra >= n), and NUL-terminate.
 * Returns 0, or ERR_INTERNAL (b unchanged) when n does not fit the room
 * reserved. */
int buf_commit(struct buf *b, size_t n) BUF_WUR;

/* buf_truncate - cut b to its first len bytes (len <= b->len; a larger len
 * is ignored) and NUL-terminate it; memory is kept.  Use it to undo a
 * partial append.  A secret buffer wipes the bytes cut off. */
void buf_truncate(struct buf *b, size_t len);

/* buf_reset - set len to 0, keeping the memory for reuse (a secret buffer
 * wipes the whole allocation first).  data stays valid when it was. */
void buf_reset(struct buf *b);

/* buf_steal - hand the data to the caller (who frees it with free(), after
 * wiping it when b was secret) and leave b empty.  Returns a NUL-terminated
 * string ("" allocated when the buffer was never written), or NULL on
 * allocation failure (b is unchanged).  If len is not NULL it receives the
 * length in bytes. */
char *buf_steal(struct buf *b, size_t *len) BUF_WUR;

/* buf_free - release the memory (wiped first when b is secret); b becomes
 * empty and keeps its limit and mode.  NULL-safe. */
void buf_free(struct buf *b);

/* buf_wipe_free - zero the whole allocation (sodium_memzero), then free,
 * whatever the mode.  NULL-safe. */
void buf_wipe_free(struct buf *b);

#endif
