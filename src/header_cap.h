/* header_cap.h - the max_header_size cap on an HTTP answer's header block,
 * counted in libcurl header callbacks (backend.c, fetch.c).
 *
 * libcurl hands the header callback each line of a header block: the
 * status line, every header line and the blank line, each with its CRLF.
 * A status line ("HTTP/...") starts a new block (a redirect followed, an
 * interim 1xx answer), so the count restarts there: the cap applies to
 * each block, not to their sum.
 */
#ifndef JWTSIGN_HEADER_CAP_H
#define JWTSIGN_HEADER_CAP_H

#include <stdbool.h>
#include <stddef.h>

struct header_cap {
	size_t max; /* bytes allowed per header block; 0 = no cap */
	size_t len; /* bytes of the current block so far */
	bool over;  /* a block went over max (the transfer must stop) */
};

/* header_cap_init - start counting with a cap of max bytes per block
 * (0 = none).  Nothing to free. */
void header_cap_init(struct header_cap *h, size_t max);

/* header_cap_line - count one line of len bytes (as given to libcurl's
 * header callback; need not be NUL-terminated).
 * status_line: optional out; true when the line is a status line (it
 *              starts a new block), for callers that reset per answer.
 * Returns 0, or ERR_LIMIT when the block is now over the cap (h->over is
 * then set: the callback returns 0 to make libcurl stop with
 * CURLE_WRITE_ERROR, and the caller's error says max_header_size). */
int header_cap_line(struct header_cap *h, const char *line, size_t len, bool *status_line)
    __attribute__((warn_unused_result));

#endif
