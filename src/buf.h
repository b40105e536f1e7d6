/* buf.h - a growable byte buffer with an optional size limit.
 *
 * The buffer owns its memory (malloc).  data is always NUL-terminated (the
 * NUL is not counted in len) so text can be used as a C string.  A buffer
 * that may hold secrets must be released with buf_wipe_free().
 */
#ifndef JWTSIGN_BUF_H
#define JWTSIGN_BUF_H

#include <stddef.h>

struct buf {
	char *data;   /* NULL until the first append; then NUL-terminated */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t cap;   /* bytes allocated */
	size_t limit; /* maximum len in bytes; 0 means no limit */
};

/* BUF_INIT - an empty buffer without a limit. */
#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0, 0                                                                      \
	}

/* buf_init - make b empty with the given limit (bytes, 0 = none).  Does not
 * free earlier contents. */
void buf_init(struct buf *b, size_t limit);

/* buf_reserve - make room for extra more bytes plus the NUL, so that
 * data[len .. len+extra] may be written directly (then add to len).
 * Returns 0, ERR_NOMEM, or ERR_LIMIT when len + extra would exceed limit. */
int buf_reserve(struct buf *b, size_t extra);

/* buf_append - append n bytes from p (p may contain NULs).
 * Returns 0, ERR_NOMEM, or ERR_LIMIT when len would exceed limit (then
 * nothing is appended). */
int buf_append(struct buf *b, const void *p, size_t n);

/* buf_puts - append the C string s.  Errors as buf_append. */
int buf_puts(struct buf *b, const char *s);

/* buf_putc - append one byte.  Errors as buf_append. */
int buf_putc(struct buf *b, char c);

/* buf_printf - append formatted text.  Errors as buf_append. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* buf_truncate - cut b to its first len bytes (len <= b->len; a larger len
 * is ignored) and NUL-terminate it; memory is kept.  Use it to undo a
 * partial append. */
void buf_truncate(struct buf *b, size_t len);

/* buf_reset - set len to 0, keeping the memory for reuse. */
void buf_reset(struct buf *b);

/* buf_steal - hand the data to the caller (who frees it with free()) and
 * leave b empty.  Returns a NUL-terminated string ("" allocated when the
 * buffer was never written), or NULL on allocation failure.
 * If len is not NULL it receives the length in bytes. */
char *buf_steal(struct buf *b, size_t *len);

/* buf_free - release the memory; b becomes empty.  NULL-safe. */
void buf_free(struct buf *b);

/* buf_wipe_free - zero the whole allocation (sodium_memzero), then free. */
void buf_wipe_free(struct buf *b);

#endif
