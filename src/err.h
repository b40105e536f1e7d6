/* err.h - error codes and the caller-owned error record.
 *
 * Every fallible function in jwtsign returns 0 on success or a negative
 * enum err_code, and fills an optional caller-owned struct err with a
 * message an operator can act on.  Filling the record never allocates, so
 * it is safe on out-of-memory paths.  Messages never contain key material.
 */
#ifndef JWTSIGN_ERR_H
#define JWTSIGN_ERR_H

#include <stddef.h>

enum err_code {
	ERR_OK = 0,
	ERR_NOMEM = -1,	      /* allocation failed */
	ERR_INVALID = -2,     /* malformed input: JSON, base64url, config value, request */
	ERR_UNSUPPORTED = -3, /* well-formed but not supported (alg, kty, crv, method) */
	ERR_KEY = -4,	      /* key unusable: wrong type for alg, missing part, kid absent */
	ERR_CRYPTO = -5,      /* the crypto library failed while signing or importing */
	ERR_LIMIT = -6,	      /* a configured size/depth/count limit was exceeded */
	ERR_IO = -7,	      /* file or socket I/O failed */
	ERR_NET = -8,	      /* connection failed (refused, DNS, TLS handshake) */
	ERR_TIMEOUT = -9,     /* an operation exceeded its timeout */
	ERR_HTTP = -10,	      /* a peer answered with an unexpected HTTP status/type */
	ERR_NOTFOUND = -11,   /* no such endpoint, key, member or file */
	ERR_INTERNAL = -12,   /* a bug: an invariant did not hold */
};

/* Size of struct err's message buffer, in bytes (including the NUL). */
#define ERR_MSG_SIZE 512

/* A caller-owned error record.  Zero-initialise it or call err_clear(). */
struct err {
	int code;		/* 0 or an enum err_code */
	char msg[ERR_MSG_SIZE]; /* NUL-terminated, possibly truncated */
};

/* err_set - record an error.
 * e:    the record to fill, or NULL (then only the code is returned).
 * code: a negative enum err_code.
 * fmt:  printf format for the message; truncated to ERR_MSG_SIZE - 1 bytes.
 * Returns code, so callers can write `return err_set(e, ERR_X, "...")`.
 * Never allocates. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* err_prefix - prepend "PREFIX: " to an already set message (truncating
 * the tail if needed).  e may be NULL.  Returns e->code (or ERR_INTERNAL
 * when e is NULL). */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* err_clear - reset a record to "no error".  e may be NULL. */
void err_clear(struct err *e);

/* err_strerror - a short, static, lower-case description of a code
 * ("out of memory", "invalid input", ...).  Never NULL. */
const char *err_strerror(int code);

#endif
