/* cors.c - KrakenD's (rs/cors) CORS answers; see cors.h. */
#include "cors.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool cors_is_preflight(const char *method, const char *acrm)
{
	return strcmp(method, "OPTIONS") == 0 && acrm && *acrm;
}

/* An allowed origin: exact (case-insensitive), or a prefix*suffix
 * wildcard. */
static bool origin_allowed(const struct cors *c, const char *origin)
{
	size_t n = strlen(origin);

	if (c->origins_all)
		return true;
	for (size_t i = 0; i < c->norigins; i++) {
		const char *o = c->origins[i], *star = strchr(o, '*');
		size_t pre, suf;

		if (star == NULL) {
			if (strcasecmp(o, origin) == 0)
				return true;
			continue;
		}
		pre = (size_t)(star - o);
		suf = strlen(star + 1);
		if (n >= pre + suf && strncasecmp(origin, o, pre) == 0 &&
		    strcasecmp(origin + n - suf, star + 1) == 0)
			return true;
	}
	return false;
}

/* rs/cors: OPTIONS is always allowed; an empty list allows nothing. */
static bool method_allowed(const struct cors *c, const char *method)
{
	if (c->nmethods == 0)
		return false;
	if (strcmp(method, "OPTIONS") == 0)
		return true;
	for (size_t i = 0; i < c->nmethods; i++)
		if (strcmp(c->methods[i], method) == 0)
			return true;
	return false;
}

/* Every comma-separated name of acrh (blanks trimmed, empty ones skipped)
 * is an allowed header. */
static bool headers_allowed(const struct cors *c, const char *acrh)
{
	if (c->headers_all || acrh == NULL)
		return true;
	for (const char *p = acrh; *p;) {
		size_t len = strcspn(p, ","), a = 0, b = len;
		bool found = false;

		while (a < b && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
			b--;
		for (size_t i = 0; b > a && i < c->nheaders && !found; i++)
			found = strlen(c->headers[i]) == b - a &&
				strncasecmp(c->headers[i], p + a, b - a) == 0;
		if (b > a && !found)
			return false;
		p += len + (p[len] == ',');
	}
	return true;
}

/* Append "name: value\r\n" with control bytes dropped from value. */
static int line(struct buf *out, const char *name, const char *value)
{
	int rc = buf_printf(out, "%s: ", name);

	for (const char *p = value; rc == 0 && *p; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			rc = buf_putc(out, *p);
	return rc ? rc : buf_puts(out, "\r\n");
}

int cors_preflight(const struct cors *c, const char *origin, const char *acrm, const char *acrh,
		   struct buf *out, int *status)
{
	char age[16];
	int rc;

	*status = c->preflight_status;
	rc = line(out, "Vary",
		  "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
	if (rc || origin == NULL || *origin == '\0' || !origin_allowed(c, origin) ||
	    !method_allowed(c, acrm) || !headers_allowed(c, acrh))
		return rc;
	rc = line(out, "Access-Control-Allow-Origin", c->origins_all ? "*" : origin);
	if (rc == 0)
		rc = line(out, "Access-Control-Allow-Methods", acrm);
	if (rc == 0 && acrh && *acrh)
		rc = line(out, "Access-Control-Allow-Headers", acrh);
	if (rc == 0 && c->credentials)
		rc = line(out, "Access-Control-Allow-Credentials", "true");
	if (rc == 0 && c->max_age) {
		snprintf(age, sizeof(age), "%u", c->max_age);
		rc = line(out, "Access-Control-Max-Age", age);
	}
	return rc;
}

int cors_actual(const struct cors *c, const char *origin, const char *method, struct buf *out)
{
	int rc = line(out, "Vary", "Origin");

	if (rc || origin == NULL || *origin == '\0' || !origin_allowed(c, origin) ||
	    !method_allowed(c, method))
		return rc;
	rc = line(out, "Access-Control-Allow-Origin", c->origins_all ? "*" : origin);
	if (rc == 0 && c->expose)
		rc = line(out, "Access-Control-Expose-Headers", c->expose);
	if (rc == 0 && c->credentials)
		rc = line(out, "Access-Control-Allow-Credentials", "true");
	return rc;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void cors_free(struct cors *c)
{
	if (c == NULL)
		return;
	free_strv(c->origins, c->norigins);
	free_strv(c->methods, c->nmethods);
	free_strv(c->headers, c->nheaders);
	free(c->expose);
	memset(c, 0, sizeof(*c));
}
