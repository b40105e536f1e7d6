/* log.h - the one logger: one line per event on stderr, which is the web
 * server's error log under FastCGI and CGI.
 *
 * Format: "jwtsign[PID]: LEVEL: CONTEXT: message".  CONTEXT is the
 * endpoint path while a request is handled, else the module name given by
 * the caller.  Never pass key material or whole tokens to these functions.
 */
#ifndef JWTSIGN_LOG_H
#define JWTSIGN_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* log_set_level - set the most verbose level written (default LOG_INFO). */
void log_set_level(enum log_level level);

/* log_level_from_name - parse "error", "warn", "info" or "debug" (case
 * insensitive).  Returns 0 and sets *out, or ERR_INVALID for other text. */
int log_level_from_name(const char *name, enum log_level *out);

/* log_enabled - nonzero when messages at level are written. */
int log_enabled(enum log_level level);

/* log_msg - write one line.  ctx: endpoint path or module name (may be
 * NULL).  Newlines and control bytes in the context and the formatted
 * text are replaced with '?' so that one event stays one line. */
void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* log_redact_urls - copy in to out (size bytes, NUL-terminated, cut to
 * fit) with the secrets of every URL (a scheme, "://", ...) replaced by
 * three stars: the userinfo ("https://user:pw@host" becomes
 * "https://" + stars + "@host") and the query ("?access_token=..." becomes
 * "?" + stars).  log_msg applies it to every line; callers that print
 * messages elsewhere (check-config) use it too.  Returns the length
 * written. */
size_t log_redact_urls(const char *in, char *out, size_t size);

#define log_error(ctx, ...) log_msg(LOG_ERROR, (ctx), __VA_ARGS__)
#define log_warn(ctx, ...) log_msg(LOG_WARN, (ctx), __VA_ARGS__)
#define log_info(ctx, ...) log_msg(LOG_INFO, (ctx), __VA_ARGS__)
#define log_debug(ctx, ...)                                                                        \
	do {                                                                                       \
		if (log_enabled(LOG_DEBUG))                                                        \
			log_msg(LOG_DEBUG, (ctx), __VA_ARGS__);                                    \
	} while (0)

#endif
