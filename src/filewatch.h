/* filewatch.h - whether files changed since they were recorded: device,
 * inode, size and modification time (to the nanosecond), or that the
 * file appeared or went away.  A file replaced by rename (the safe way to
 * install a key), edited in place, or removed is seen as changed.
 */
#ifndef JWTSIGN_FILEWATCH_H
#define JWTSIGN_FILEWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct filewatch_entry {
	char *path; /* owned */
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct filewatch {
	struct filewatch_entry *e; /* owned */
	size_t n;
};

#define FILEWATCH_INIT                                                                             \
	{                                                                                          \
		NULL, 0                                                                            \
	}

/* filewatch_add - record path (copied) as it is now; a path already
 * recorded is not added twice.  NULL or "" is ignored.  Returns 0 or
 * ERR_NOMEM. */
int filewatch_add(struct filewatch *w, const char *path);

/* filewatch_changed - the first recorded path that is not as recorded
 * (borrowed from w), or NULL when none changed. */
const char *filewatch_changed(const struct filewatch *w);

/* filewatch_free - release w's entries and empty it.  NULL-safe. */
void filewatch_free(struct filewatch *w);

#endif
