/* log.c - the logger; see log.h. */
#include "log.h"
#include "err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Process-wide logger setting: written once at start-up. */
static enum log_level current_level = LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

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

void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
{
	char line[1024], clean[1024];
	va_list ap;
	int n;

	if (!log_enabled(level))
		return;
	n = snprintf(line, sizeof(line), "jwtsign[%ld]: %s: %s: ", (long)getpid(),
		     level_names[level], ctx ? ctx : "main");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* The context is cleaned too: it is the request path, which a direct
	 * FastCGI client can fill with raw newlines. */
	for (char *p = line; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	log_redact_urls(line, clean, sizeof(clean));
	fprintf(stderr, "%s\n", clean);
	fflush(stderr);
}
