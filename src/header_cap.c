/* header_cap.c - the per-block header size cap; see header_cap.h. */
#include "header_cap.h"
#include "err.h"

#include <stdint.h>
#include <string.h>

void header_cap_init(struct header_cap *h, size_t max)
{
	h->max = max;
	h->len = 0;
	h->over = false;
}

int header_cap_line(struct header_cap *h, const char *line, size_t len, bool *status_line)
{
	bool status = len >= 5 && memcmp(line, "HTTP/", 5) == 0;

	if (status_line)
		*status_line = status;
	if (status)
		h->len = 0;
	h->len = len > SIZE_MAX - h->len ? SIZE_MAX : h->len + len;
	if (h->max && h->len > h->max) {
		h->over = true;
		return ERR_LIMIT;
	}
	return 0;
}
