/* log.c - the logger; see log.h. */
#include "log.h"
#include "err.h"
#include "log_syslog.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Process-wide logger settings: written at start-up and on a reload,
 * between requests. */
static enum log_level current_level = LOG_INFO;

enum target_kind { TARGET_STDERR, TARGET_SYSLOG, TARGET_FILE };

static struct {
	enum target_kind kind;
	char spec[1024]; /* as given: "stderr", "syslog:local0", "/var/log/..." */
	int fd;		 /* TARGET_FILE: the open file */
	int timestamp;	 /* 1, 0, -1: log_set_timestamp */
} target = {TARGET_STDERR, "stderr", -1, -1};

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/* The request's tag and a space, or "" (log_set_request). */
static char request_tag[2 * LOG_TAG_PART_MAX + 32];

const char *log_more(unsigned skipped, char *buf, size_t size)
{
	if (skipped == 0 || size == 0)
		return "";
	snprintf(buf, size, " (%u more like it left out)", skipped);
	return buf;
}

void log_set_request(const char *client, const char *id)
{
	int n = 0;

	request_tag[0] = '\0';
	if (client)
		n = snprintf(request_tag, sizeof(request_tag), "[client %.*s] ", LOG_TAG_PART_MAX,
			     client);
	if (id && n >= 0 && (size_t)n < sizeof(request_tag))
		snprintf(request_tag + n, sizeof(request_tag) - (size_t)n, "[id %.*s] ",
			 LOG_TAG_PART_MAX, id);
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

int log_level_from_name(const char *name, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(name, "warning") == 0) {
		*out = LOG_WARN;
		return 0;
	}
	return ERR_INVALID;
}

/* Parse spec: kind, and for syslog the facility. */
static int parse_target(const char *spec, enum target_kind *kind, int *facility, struct err *err)
{
	if (spec == NULL || *spec == '\0')
		return err_set(err, ERR_INVALID,
			       "empty log target (stderr, syslog[:FACILITY] or an "
			       "absolute file path)");
	if (strlen(spec) >= sizeof(target.spec))
		return err_set(err, ERR_INVALID, "log file path over %zu bytes",
			       sizeof(target.spec) - 1);
	if (strcmp(spec, "stderr") == 0) {
		*kind = TARGET_STDERR;
		return 0;
	}
	if (strcmp(spec, "syslog") == 0 || strncmp(spec, "syslog:", 7) == 0) {
		*kind = TARGET_SYSLOG;
		if (log_syslog_facility(spec[6] ? spec + 7 : "daemon", facility) != 0)
			return err_set(err, ERR_INVALID,
				       "\"%.64s\": unknown syslog facility (auth, authpriv, cron, "
				       "daemon, kern, lpr, mail, news, syslog, user, uucp, "
				       "local0 ... local7)",
				       spec);
		return 0;
	}
	if (spec[0] == '/') {
		*kind = TARGET_FILE;
		return 0;
	}
	return err_set(err, ERR_INVALID,
		       "\"%.64s\": expected stderr, syslog, syslog:FACILITY or an absolute file "
		       "path",
		       spec);
}

int log_check_target(const char *spec, struct err *err)
{
	enum target_kind kind;
	int facility;

	return parse_target(spec, &kind, &facility, err);
}

static int open_file(const char *path, struct err *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return err_set(err, ERR_IO, "cannot open log file %s: %s", path, strerror(errno));
	return fd;
}

int log_set_target(const char *spec, struct err *err)
{
	enum target_kind kind;
	int facility = 0, fd = -1, rc;

	if ((rc = parse_target(spec, &kind, &facility, err)) != 0)
		return rc;
	if (kind == TARGET_FILE && (fd = open_file(spec, err)) < 0)
		return fd;
	if (target.kind == TARGET_FILE && target.fd >= 0)
		close(target.fd);
	if (target.kind == TARGET_SYSLOG)
		log_syslog_close();
	if (kind == TARGET_SYSLOG)
		log_syslog_open(facility);
	target.kind = kind;
	target.fd = fd;
	snprintf(target.spec, sizeof(target.spec), "%s", spec);
	return 0;
}

const char *log_target(void)
{
	return target.spec;
}

void log_set_timestamp(int mode)
{
	target.timestamp = mode < 0 ? -1 : mode > 0;
}

bool log_reopen(bool force)
{
	struct stat by_path, open_file_st;
	struct err e = {0};
	int fd;

	if (target.kind != TARGET_FILE)
		return false;
	if (!force && stat(target.spec, &by_path) == 0 && fstat(target.fd, &open_file_st) == 0 &&
	    by_path.st_dev == open_file_st.st_dev && by_path.st_ino == open_file_st.st_ino)
		return false;
	if ((fd = open_file(target.spec, &e)) < 0) {
		log_error("log", "%s; still writing to the file open before", e.msg);
		return false;
	}
	close(target.fd);
	target.fd = fd;
	return true;
}

int log_enabled(enum log_level level)
{
	return level <= current_level;
}

/* Where a URL in text ends: blanks and quotes delimit it. */
static bool url_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '<' || c == '>';
}

/* Whether in[i] starts "://" after a URI scheme (RFC 3986 section 3.1)
 * that begins at or before i. */
static bool at_scheme_sep(const char *in, size_t i)
{
	size_t j = i;

	if (strncmp(in + i, "://", 3) != 0)
		return false;
	while (j > 0 && (isalnum((unsigned char)in[j - 1]) || in[j - 1] == '+' ||
			 in[j - 1] == '-' || in[j - 1] == '.'))
		j--;
	return j < i && isalpha((unsigned char)in[j]);
}

/* Append n bytes of p to out at *o (size bytes), keeping room for NUL. */
static void put(char *out, size_t size, size_t *o, const char *p, size_t n)
{
	while (n-- > 0 && *o + 1 < size)
		out[(*o)++] = *p++;
}

/* Copy the URL part after "://" at in (up to its end) with its userinfo
 * and query replaced by "***"; returns the bytes of in consumed. */
static size_t redact_one(const char *in, char *out, size_t size, size_t *o)
{
	size_t auth = 0, at = 0, i;

	while (!url_end(in[auth]) && in[auth] != '/' && in[auth] != '?' && in[auth] != '#')
		auth++;
	for (i = 0; i < auth; i++)
		if (in[i] == '@')
			at = i + 1;
	if (at)
		put(out, size, o, "***@", 4);
	put(out, size, o, in + at, auth - at);
	for (i = auth; !url_end(in[i]) && in[i] != '?' && in[i] != '#'; i++)
		;
	put(out, size, o, in + auth, i - auth);
	if (in[i] == '?') {
		put(out, size, o, "?***", 4);
		while (!url_end(in[i]) && in[i] != '#')
			i++;
	}
	return i;
}

size_t log_redact_urls(const char *in, char *out, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return 0;
	for (size_t i = 0; in[i];) {
		if (at_scheme_sep(in, i)) {
			put(out, size, &o, "://", 3);
			i += 3;
			i += redact_one(in + i, out, size, &o);
		} else {
			put(out, size, &o, in + i, 1);
			i++;
		}
	}
	out[o] = '\0';
	return o;
}

/* "2026-12-01T10:00:00.123Z " into out (size >= 32), or "" when the
 * clock fails. */
static void timestamp(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	out[0] = '\0';
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || gmtime_r(&ts.tv_sec, &tm) == NULL)
		return;
	n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n > 0)
		snprintf(out + n, size - n, ".%03ldZ ", ts.tv_nsec / 1000000);
}

/* Replace the end of a full line by LOG_CUT_MARK. */
static void mark_cut(char *line, size_t size)
{
	size_t m = sizeof(LOG_CUT_MARK) - 1;

	memcpy(line + size - 1 - m, LOG_CUT_MARK, m + 1);
}

void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
{
	char line[LOG_LINE_MAX], clean[LOG_LINE_MAX], stamp[40] = "";
	va_list ap;
	size_t len;
	int n, m;

	if (!log_enabled(level))
		return;
	if (target.kind != TARGET_SYSLOG &&
	    (target.timestamp == 1 || (target.timestamp == -1 && target.kind == TARGET_FILE)))
		timestamp(stamp, sizeof(stamp));
	if (target.kind == TARGET_SYSLOG)
		n = snprintf(line, sizeof(line) - 1, "%s: %s%s: ", level_names[level], request_tag,
			     ctx ? ctx : "main");
	else
		n = snprintf(line, sizeof(line) - 1, "%sjwtsign[%ld]: %s: %s%s: ", stamp,
			     (long)getpid(), level_names[level], request_tag, ctx ? ctx : "main");
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		n = 0;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - 1 - (size_t)n, fmt, ap);
	va_end(ap);
	if (m >= 0 && (size_t)m >= sizeof(line) - 1 - (size_t)n)
		mark_cut(line, sizeof(line) - 1);
	/* The context is cleaned too: it is the request path, which a direct
	 * FastCGI client can fill with raw newlines. */
	for (char *p = line; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	len = log_redact_urls(line, clean, sizeof(clean) - 1);
	if (target.kind == TARGET_SYSLOG) {
		log_syslog_write((int)level, clean);
		return;
	}
	clean[len++] = '\n';
	if (target.kind == TARGET_FILE) {
		/* One write: O_APPEND keeps the workers' lines whole. */
		if (write(target.fd, clean, len) == (ssize_t)len)
			return;
	}
	fwrite(clean, 1, len, stderr);
	fflush(stderr);
}
