/* log.h - the one logger: one line per event, on stderr (the default: the
 * web server's error log under FastCGI and CGI), to syslog, or appended to
 * a file (log_set_target).
 *
 * Format: "[TIME ]jwtsign[PID]: LEVEL: [TAG ]CONTEXT: message" (syslog:
 * "LEVEL: [TAG ]CONTEXT: message", syslog adds the rest).  CONTEXT is the
 * endpoint path while a request is handled, else the module name given by
 * the caller; TAG is the request's "[client ADDR] [id ID]" while one is
 * set (log_set_request).
 * A line is at most LOG_LINE_MAX bytes; a longer one ends in
 * LOG_CUT_MARK.  Never pass key material or whole tokens to these
 * functions.
 */
#ifndef JWTSIGN_LOG_H
#define JWTSIGN_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Longest line written, newline included, in bytes. */
#define LOG_LINE_MAX 4096
/* The end of a line that was cut to LOG_LINE_MAX. */
#define LOG_CUT_MARK " [cut]"

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* log_set_level - set the most verbose level written (default LOG_INFO). */
void log_set_level(enum log_level level);

/* log_level_from_name - parse "error", "warn", "info" or "debug" (case
 * insensitive).  Returns 0 and sets *out, or ERR_INVALID for other text. */
int log_level_from_name(const char *name, enum log_level *out);

/* log_enabled - nonzero when messages at level are written. */
int log_enabled(enum log_level level);

/* log_check_target - whether spec names a log target: "stderr",
 * "syslog", "syslog:FACILITY" (auth, authpriv, cron, daemon, kern, lpr,
 * mail, news, syslog, user, uucp, local0 ... local7; "syslog" alone is
 * daemon), or an absolute file path.  Nothing is opened.  Returns 0 or
 * ERR_INVALID with the reason in err (optional). */
int log_check_target(const char *spec, struct err *err);

/* log_set_target - send the following lines to spec (log_check_target).
 * A file is opened O_WRONLY|O_APPEND|O_CREAT, mode 0640, close-on-exec;
 * each line is one write(), so that the workers sharing it do not mix
 * their lines.  Returns 0, or ERR_INVALID / ERR_IO (the file cannot be
 * opened) with the reason in err: the current target is kept then. */
int log_set_target(const char *spec, struct err *err);

/* log_target - the current target as given ("stderr" by default);
 * borrowed until the next log_set_target. */
const char *log_target(void);

/* log_set_timestamp - 1: every line starts with the UTC time
 * (2026-12-01T10:00:00.123Z and a space), 0: never, -1 (the default):
 * only for a file target (stderr goes to a log that stamps its lines, and
 * so does syslog). */
void log_set_timestamp(int mode);

/* log_reopen - for a file target: open the path again when force is
 * true, or when the path no longer names the open file (renamed or
 * removed by logrotate); else nothing.  A failure is logged to the file
 * still open.  Returns true when the file was reopened. */
bool log_reopen(bool force);

/* Longest client address and request id log_set_request keeps, in
 * bytes (longer ones are cut). */
#define LOG_TAG_PART_MAX 64

/* log_set_request - tag the following lines with "[client ADDR]" (when
 * client is not NULL) and "[id ID]" (when id is not NULL), until the next
 * call; both NULL: no tag (between requests).  The strings are copied
 * (cut to LOG_TAG_PART_MAX bytes; control bytes become '?' like the rest
 * of a line). */
void log_set_request(const char *client, const char *id);

/* log_more - " (N more like it left out)" into buf (size bytes) and
 * returned, or "" when skipped is 0: the end of a line written at most
 * once a second (keysource_log_due). */
const char *log_more(unsigned skipped, char *buf, size_t size);

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
