/* err.c - error records; see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[ERR_MSG_SIZE];
	char old[ERR_MSG_SIZE];
	va_list ap;

	if (e == NULL)
		return ERR_INTERNAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Assemble by hand: truncation of the tail is intended. */
	{
		size_t pl = strnlen(prefix, sizeof(e->msg) - 1);
		size_t room;

		memcpy(e->msg, prefix, pl);
		room = sizeof(e->msg) - 1 - pl;
		if (room >= 2) {
			memcpy(e->msg + pl, ": ", 2);
			pl += 2;
			room -= 2;
			size_t ol = strnlen(old, room);
			memcpy(e->msg + pl, old, ol);
			pl += ol;
		}
		e->msg[pl] = '\0';
	}
	return e->code;
}

void err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}

const char *err_strerror(int code)
{
	switch (code) {
	case ERR_OK:
		return "success";
	case ERR_NOMEM:
		return "out of memory";
	case ERR_INVALID:
		return "invalid input";
	case ERR_UNSUPPORTED:
		return "not supported";
	case ERR_KEY:
		return "unusable key";
	case ERR_CRYPTO:
		return "cryptographic operation failed";
	case ERR_LIMIT:
		return "limit exceeded";
	case ERR_IO:
		return "I/O error";
	case ERR_NET:
		return "network error";
	case ERR_TIMEOUT:
		return "timed out";
	case ERR_HTTP:
		return "unexpected HTTP answer";
	case ERR_NOTFOUND:
		return "not found";
	case ERR_INTERNAL:
		return "internal error";
	}
	return "unknown error";
}
