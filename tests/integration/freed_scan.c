/* freed_scan.c - an LD_PRELOAD shim for tests/integration/freed_memory.sh:
 * every block given back with free() or realloc() is searched, before it
 * goes back to glibc, for the secrets listed in $FREED_SCAN_NEEDLES (a
 * file of lines "NAME HEX"); each hit is counted per the object (dladdr
 * of the caller: jwtsign itself, libcurl, libjson-c, ...) that freed it.
 * realloc always moves the block, so that a growth that might move is
 * seen.  At exit, "OBJECT NAME COUNT" lines go to $FREED_SCAN_OUT.
 * Built by the test script itself (cc -shared); glibc only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

#define MAX_NEEDLES 16
#define MAX_HITS 64

static struct {
	char name[32];
	unsigned char bytes[256];
	size_t len;
} needles[MAX_NEEDLES];
static size_t nneedles;
static int loaded, busy; /* busy: inside scan (no re-entry) */

static struct {
	char object[128], needle[32];
	unsigned long count;
} hits[MAX_HITS];
static size_t nhits;

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Read the needles with read(2) only: no allocation while loading. */
static void load(void)
{
	const char *path = getenv("FREED_SCAN_NEEDLES");
	static char text[16384];
	ssize_t n;
	int fd;

	loaded = 1;
	if (path == NULL || (fd = open(path, O_RDONLY)) < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return;
	text[n] = '\0';
	for (char *line = strtok(text, "\n"); line && nneedles < MAX_NEEDLES;
	     line = strtok(NULL, "\n")) {
		char *hex = strchr(line, ' ');
		size_t k = 0;

		if (hex == NULL)
			continue;
		*hex++ = '\0';
		snprintf(needles[nneedles].name, sizeof(needles[nneedles].name), "%.31s", line);
		for (; hex[0] && hex[1] && k < sizeof(needles[0].bytes); hex += 2)
			needles[nneedles].bytes[k++] =
			    (unsigned char)(hexval(hex[0]) << 4 | hexval(hex[1]));
		needles[nneedles].len = k;
		if (k >= 8)
			nneedles++;
	}
}

static void count(const void *caller, const char *needle)
{
	Dl_info info;
	const char *obj = "?";
	size_t i;

	if (dladdr(caller, &info) && info.dli_fname && *info.dli_fname) {
		obj = strrchr(info.dli_fname, '/');
		obj = obj ? obj + 1 : info.dli_fname;
	}
	for (i = 0; i < nhits; i++)
		if (strcmp(hits[i].object, obj) == 0 && strcmp(hits[i].needle, needle) == 0)
			break;
	if (i == nhits) {
		if (nhits == MAX_HITS)
			return;
		snprintf(hits[i].object, sizeof(hits[i].object), "%.127s", obj);
		snprintf(hits[i].needle, sizeof(hits[i].needle), "%.31s", needle);
		nhits++;
	}
	hits[i].count++;
}

static void scan(void *p, const void *caller)
{
	size_t size;

	if (p == NULL || busy)
		return;
	busy = 1;
	if (!loaded)
		load();
	size = malloc_usable_size(p);
	for (size_t i = 0; i < nneedles; i++)
		if (size >= needles[i].len && memmem(p, size, needles[i].bytes, needles[i].len))
			count(caller, needles[i].name);
	busy = 0;
}

void free(void *p)
{
	scan(p, __builtin_return_address(0));
	__libc_free(p);
}

void *realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return __libc_malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	if ((q = __libc_malloc(n)) == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	scan(p, __builtin_return_address(0));
	__libc_free(p);
	return q;
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("FREED_SCAN_OUT");
	char line[256];
	int fd;

	if (path == NULL || (fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0)
		return;
	for (size_t i = 0; i < nhits; i++) {
		int n = snprintf(line, sizeof(line), "%s %s %lu\n", hits[i].object,
				 hits[i].needle, hits[i].count);
		if (n > 0 && write(fd, line, (size_t)n) < 0)
			break;
	}
	if (nhits == 0 && write(fd, "none\n", 5) < 0)
		nhits = 0;
	close(fd);
}
