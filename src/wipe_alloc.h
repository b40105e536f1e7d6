/* wipe_alloc.h - allocators that wipe every block they give back, for a
 * library that holds key material in memory jwtsign does not own: libcurl
 * (its receive buffer holds the whole JWK Set downloaded from jwk_url),
 * installed with curl_global_init_mem by main.c.  A block's size is taken
 * from glibc's malloc_usable_size, so the whole block is wiped, slack
 * included.  realloc always moves the block (and wipes the old one): an
 * in-place growth would be fine, but a moving one must not leave a copy.
 * Same contracts as malloc(3) and friends; they never fail other than
 * their libc counterparts do (NULL, errno ENOMEM). */
#ifndef JWTSIGN_WIPE_ALLOC_H
#define JWTSIGN_WIPE_ALLOC_H

#include <stddef.h>

/* wipe_malloc, wipe_calloc, wipe_strdup - as malloc, calloc, strdup. */
void *wipe_malloc(size_t n);
void *wipe_calloc(size_t n, size_t size);
char *wipe_strdup(const char *s);

/* wipe_free - wipe the whole block with sodium_memzero, then free it.
 * NULL is a no-op. */
void wipe_free(void *p);

/* wipe_realloc - a new block of n bytes holding the old contents (up to
 * n), the old block wiped and freed; realloc(NULL, n) is malloc, and n 0
 * frees p and returns NULL.  On failure p is untouched. */
void *wipe_realloc(void *p, size_t n);

#endif
