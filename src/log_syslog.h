/* log_syslog.h - syslog(3) behind the logger (log.c), in a file of its own
 * because <syslog.h> defines LOG_INFO and LOG_DEBUG, the names of log.h's
 * levels.  Only log.c uses it.
 */
#ifndef JWTSIGN_LOG_SYSLOG_H
#define JWTSIGN_LOG_SYSLOG_H

/* log_syslog_facility - the facility named name ("daemon", "local0", ...;
 * see log_check_target), as a syslog(3) value in *out.  Returns 0, or -1
 * for a name that is not one. */
int log_syslog_facility(const char *name, int *out);

/* log_syslog_open - openlog("jwtsign", LOG_PID | LOG_NDELAY, facility). */
void log_syslog_open(int facility);

/* log_syslog_close - closelog(). */
void log_syslog_close(void);

/* log_syslog_write - one message at level (0 error, 1 warn, 2 info,
 * 3 debug: log.h's enum log_level). */
void log_syslog_write(int level, const char *line);

#endif
