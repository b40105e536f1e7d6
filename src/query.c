/* query.c - query strings as Go's net/url reads and writes them; see
 * query.h. */
#include "query.h"

#include <stdlib.h>
#include <string.h>

struct pair {
	char *key, *value; /* decoded, NUL-terminated */
	size_t pos;	   /* order in the query, for a stable sort */
};

static int hexval(int c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Go's QueryUnescape of the len bytes at s into a new string, or NULL on a
 * bad escape (*bad set) or out of memory. */
static char *unescape(const char *s, size_t len, bool *bad)
{
	char *out = malloc(len + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				*bad = true;
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static bool wanted(const char *key, char *const *keys, size_t n, bool all)
{
	if (all)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Go's QueryEscape of s appended to out. */
static int escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			rc = buf_putc(out, (char)*p);
		} else if (*p == ' ') {
			rc = buf_putc(out, '+');
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};

			rc = buf_append(out, e, 3);
		}
	}
	return rc;
}

/* Split raw into decoded pairs (ParseQuery), the wanted ones in *out. */
static int parse(const char *raw, char *const *keys, size_t n, bool all, struct pair **out,
		 size_t *count)
{
	size_t cap = 1, len = strlen(raw);
	struct pair *v;

	for (size_t i = 0; i < len; i++)
		cap += raw[i] == '&';
	if ((v = calloc(cap, sizeof(*v))) == NULL)
		return ERR_NOMEM;
	*out = v;
	*count = 0;
	for (const char *p = raw; *p;) {
		size_t seg = strcspn(p, "&"), klen = strcspn(p, "=");
		bool bad = false;
		char *k, *val;

		if (klen > seg)
			klen = seg;
		if (seg == 0 || memchr(p, ';', seg) != NULL) {
			p += seg + (p[seg] == '&');
			continue;
		}
		k = unescape(p, klen, &bad);
		val = k ? unescape(p + klen + (klen < seg), seg - klen - (klen < seg), &bad) : NULL;
		if ((k == NULL || val == NULL) && !bad) {
			free(k);
			return ERR_NOMEM;
		}
		if (bad || !wanted(k, keys, n, all)) {
			free(k);
			free(val);
		} else {
			v[*count] = (struct pair){k, val, *count};
			(*count)++;
		}
		p += seg + (p[seg] == '&');
	}
	return 0;
}

int query_forward(const char *raw, char *const *keys, size_t n, bool all, struct buf *out)
{
	struct pair *v = NULL;
	size_t count = 0, start = out->len;
	int rc = parse(raw ? raw : "", keys, n, all, &v, &count);

	if (rc == 0)
		qsort(v, count, sizeof(*v), pair_cmp);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (i)
			rc = buf_putc(out, '&');
		if (rc == 0)
			rc = escape(out, v[i].key);
		if (rc == 0)
			rc = buf_putc(out, '=');
		if (rc == 0)
			rc = escape(out, v[i].value);
	}
	for (size_t i = 0; v && i < count; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
	if (rc)
		buf_truncate(out, start);
	return rc;
}
