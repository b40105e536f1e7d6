/* log_syslog.c - syslog(3) for the logger; see log_syslog.h. */
#include "log_syslog.h"

#include <string.h>
#include <syslog.h>

static const struct {
	const char *name;
	int value;
} facilities[] = {
    {"auth", LOG_AUTH},	    {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},
    {"daemon", LOG_DAEMON}, {"kern", LOG_KERN},		{"lpr", LOG_LPR},
    {"mail", LOG_MAIL},	    {"news", LOG_NEWS},		{"syslog", LOG_SYSLOG},
    {"user", LOG_USER},	    {"uucp", LOG_UUCP},		{"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},	{"local3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},	{"local6", LOG_LOCAL6},
    {"local7", LOG_LOCAL7},
};

int log_syslog_facility(const char *name, int *out)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcmp(name, facilities[i].name) == 0) {
			*out = facilities[i].value;
			return 0;
		}
	}
	return -1;
}

void log_syslog_open(int facility)
{
	openlog("jwtsign", LOG_PID | LOG_NDELAY, facility);
}

void log_syslog_close(void)
{
	closelog();
}

void log_syslog_write(int level, const char *line)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

	syslog(prio[level >= 0 && level <= 3 ? level : 0], "%s", line);
}
