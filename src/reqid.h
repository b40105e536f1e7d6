/* reqid.h - the tag of a request's log lines: its client address and a
 * request id, when the configuration asks for them ("log_client" and
 * "log_request_id" in the "jwtsign" block; jwtsign.json(5)), so that an
 * operator can match jwtsign's lines with the web server's access log.
 *
 * The client address is REMOTE_ADDR (the web server's: behind a proxy,
 * its real-IP module decides it; X-Forwarded-For, which a client writes,
 * is never used).  The id is the first valid one of REQUEST_ID (nginx:
 * fastcgi_param REQUEST_ID $request_id), UNIQUE_ID (Apache's
 * mod_unique_id), the client's X-Request-Id header, else 16 random
 * hexadecimal digits.
 */
#ifndef JWTSIGN_REQID_H
#define JWTSIGN_REQID_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "request.h"

/* Longest request id taken from the request, in bytes. */
#define REQID_MAX 64
/* Hexadecimal digits of a generated id. */
#define REQID_GEN_LEN 16

/* reqid_valid - whether id (NUL-terminated, may be NULL) is a usable
 * request id: 1 to REQID_MAX bytes of letters, digits and "-._:@+=/". */
bool reqid_valid(const char *id);

/* reqid_pick - the request's id into out (size bytes, at least
 * REQID_MAX + 1; NUL-terminated): the first valid of src's REQUEST_ID,
 * UNIQUE_ID and HTTP_X_REQUEST_ID, else REQID_GEN_LEN random hexadecimal
 * digits (libsodium's randombytes_buf). */
void reqid_pick(const struct request_source *src, char *out, size_t size);

/* reqid_begin - tag the log lines of the request from src as lim asks
 * (lim->log_client, lim->log_request_id; lim may be NULL: no tag), until
 * reqid_end.  See log_set_request. */
void reqid_begin(const struct cfg_limits *lim, const struct request_source *src);

/* reqid_end - no tag on the following lines (between requests). */
void reqid_end(void);

#endif
