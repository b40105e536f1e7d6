/* query.h - the client's query string as KrakenD forwards it to a backend
 * (input_query_strings): parsed as Go's net/url ParseQuery does, the
 * chosen keys kept, and encoded as url.Values.Encode does (keys sorted,
 * QueryEscape), so that the backend URL is byte for byte lura's. */
#ifndef JWTSIGN_QUERY_H
#define JWTSIGN_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* query_forward - append to out the pairs of the raw query string raw
 * (without '?'; NULL is empty) whose decoded key is one of keys[0..n-1],
 * or every pair when all is true, encoded as Go's url.Values.Encode:
 * sorted by key (bytes), the values of one key in their order, each
 * "key=value" with QueryEscape ('+' for space; A-Z a-z 0-9 - _ . ~ kept;
 * every other byte %XX), joined with '&'.  Parsing follows ParseQuery:
 * pairs split on '&', empty ones skipped, a pair holding ';' or a bad
 * %-escape skipped, "k" alone is "k=", '+' decodes to a space.  Nothing
 * is appended when no pair is kept.  Returns 0 or ERR_NOMEM/ERR_LIMIT
 * (out's limit; out then keeps its previous length). */
int query_forward(const char *raw, char *const *keys, size_t n, bool all, struct buf *out);

#endif
