/* wipe_alloc.c - allocators that wipe what they free; see wipe_alloc.h. */
#include "wipe_alloc.h"

#include <malloc.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void *wipe_malloc(size_t n)
{
	return malloc(n);
}

void *wipe_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

char *wipe_strdup(const char *s)
{
	return strdup(s);
}

void wipe_free(void *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

void *wipe_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		wipe_free(p);
		return NULL;
	}
	if ((q = malloc(n)) == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	wipe_free(p);
	return q;
}
