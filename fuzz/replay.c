/* replay.c - run a fuzz target without libFuzzer: feed every regular file
 * of the given directories (or the given files) to LLVMFuzzerTestOneInput,
 * in name order.  Without arguments, the directories compiled in as
 * FUZZ_CORPUS_DIRS (a ':'-separated list; missing directories are
 * skipped).  Exit status 0 when every input ran (a failed property
 * aborts), 1 when an input cannot be read, 77 (skip) when no input at all
 * was found.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_CORPUS_DIRS
#define FUZZ_CORPUS_DIRS ""
#endif

#define REPLAY_MAX_INPUT (16u * 1024u * 1024u)

/* The target may define LLVMFuzzerInitialize; libFuzzer calls it once. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int replay_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = 1;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	data = malloc(REPLAY_MAX_INPUT);
	if (data == NULL)
		goto out;
	len = fread(data, 1, REPLAY_MAX_INPUT, f);
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		goto out;
	}
	/* A copy of exactly len bytes, so ASan sees reads past the end. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL)
			goto out;
		memcpy(exact, data, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	(*count)++;
	rc = 0;
out:
	free(data);
	fclose(f);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const char *path, size_t *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (stat(path, &st) != 0)
		return 0; /* an absent directory holds no inputs */
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

			if (nn == NULL) {
				rc = 1;
				break;
			}
			names = nn;
		}
		if ((names[n] = malloc(strlen(path) + strlen(e->d_name) + 2)) == NULL) {
			rc = 1;
			break;
		}
		sprintf(names[n++], "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			rc = replay_file(names[i], count);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int rc = 0, i;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc && rc == 0; i++)
			rc = replay_path(argv[i], &count);
	} else {
		char *dirs = strdup(FUZZ_CORPUS_DIRS), *save = NULL, *p;

		if (dirs == NULL)
			return 1;
		for (p = strtok_r(dirs, ":", &save); p && rc == 0; p = strtok_r(NULL, ":", &save))
			rc = replay_path(p, &count);
		free(dirs);
	}
	printf("replay: %zu inputs\n", count);
	if (rc)
		return 1;
	return count ? 0 : 77;
}
