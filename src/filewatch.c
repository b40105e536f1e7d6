/* filewatch.c - file change detection; see filewatch.h. */
#include "filewatch.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

/* The state of path now, into e (path not touched). */
static void observe(const char *path, struct filewatch_entry *e)
{
	struct stat st;

	e->exists = stat(path, &st) == 0;
	e->dev = e->exists ? st.st_dev : 0;
	e->ino = e->exists ? st.st_ino : 0;
	e->size = e->exists ? st.st_size : 0;
	if (e->exists)
		e->mtime = st.st_mtim;
	else
		memset(&e->mtime, 0, sizeof(e->mtime));
}

int filewatch_add(struct filewatch *w, const char *path)
{
	struct filewatch_entry *grown;

	if (path == NULL || *path == '\0')
		return 0;
	for (size_t i = 0; i < w->n; i++) {
		if (strcmp(w->e[i].path, path) == 0)
			return 0;
	}
	grown = realloc(w->e, (w->n + 1) * sizeof(*w->e));
	if (grown == NULL)
		return ERR_NOMEM;
	w->e = grown;
	memset(&w->e[w->n], 0, sizeof(w->e[w->n]));
	if ((w->e[w->n].path = strdup(path)) == NULL)
		return ERR_NOMEM;
	observe(path, &w->e[w->n]);
	w->n++;
	return 0;
}

const char *filewatch_changed(const struct filewatch *w)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct filewatch_entry *old = &w->e[i];
		struct filewatch_entry now;

		observe(old->path, &now);
		if (now.exists != old->exists || now.dev != old->dev || now.ino != old->ino ||
		    now.size != old->size || now.mtime.tv_sec != old->mtime.tv_sec ||
		    now.mtime.tv_nsec != old->mtime.tv_nsec)
			return old->path;
	}
	return NULL;
}

void filewatch_free(struct filewatch *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->e[i].path);
	free(w->e);
	w->e = NULL;
	w->n = 0;
}
