/* handler.h - one request in, one response out: routing, method check,
 * keys, the backend call, signing, and the mapping of every failure to an
 * HTTP status.  No client I/O happens here.
 */
#ifndef JWTSIGN_HANDLER_H
#define JWTSIGN_HANDLER_H

#include "app.h"
#include "request.h"
#include "response.h"

/* handle_request - answer req into resp (initialised by the caller with
 * response_init; the caller frees it).  Always produces a complete
 * response; never fails.  Statuses (error bodies {"error":"CODE"}):
 *   200 backend answered 200/201 with a JSON object, members signed;
 *   4xx from the backend: passed through (status, Content-Type, body);
 *   400 bad_request / incomplete_body, 413 body_too_large (from the reader);
 *   404 not_found; 405 method_not_allowed (with Allow);
 *   500 signing_failed / internal_error;
 *   502 backend_unreachable / backend_bad_status / backend_bad_response;
 *   503 not_configured / keys_unavailable (with Retry-After);
 *   504 backend_timeout.
 * The detail of every error goes to the log (stderr), never to the client. */
void handle_request(struct app *app, const struct request *req, struct response *resp);

#endif
