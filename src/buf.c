/* buf.c - growable byte buffer; see buf.h. */
#include "buf.h"
#include "err.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t limit)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->limit = limit;
	b->secret = false;
}

void buf_init_secret(struct buf *b, size_t limit)
{
	buf_init(b, limit);
	b->secret = true;
}

/* Move a secret buffer to a new block of ncap bytes, wiping the old one:
 * realloc would free it as it is. */
static char *grow_secret(struct buf *b, size_t ncap)
{
	char *p = malloc(ncap);

	if (p == NULL)
		return NULL;
	if (b->data) {
		memcpy(p, b->data, b->len);
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	p[b->len] = '\0';
	return p;
}

int buf_reserve(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return ERR_NOMEM;
	if (b->limit && b->len + extra > b->limit)
		return ERR_LIMIT;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = b->secret ? grow_secret(b, ncap) : realloc(b->data, ncap);
	if (p == NULL)
		return ERR_NOMEM;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_INVALID;
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_commit(struct buf *b, size_t n)
{
	if (b->data == NULL || n >= b->cap - b->len)
		return n == 0 && b->data == NULL ? 0 : ERR_INTERNAL;
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len > b->len)
		return;
	if (b->secret && b->data)
		sodium_memzero(b->data + len, b->len - len);
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

void buf_reset(struct buf *b)
{
	if (b->secret && b->data)
		sodium_memzero(b->data, b->cap);
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_steal(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	if (p == NULL)
		return NULL;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->secret && b->data)
		sodium_memzero(b->data, b->cap);
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_wipe_free(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->data)
		sodium_memzero(b->data, b->cap);
	buf_free(b);
}
