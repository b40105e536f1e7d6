/* reqid.c - a request's log tag; see reqid.h. */
#include "reqid.h"
#include "log.h"

#include <sodium.h>
#include <string.h>

bool reqid_valid(const char *id)
{
	size_t n;

	if (id == NULL || (n = strlen(id)) == 0 || n > REQID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
		    strchr("-._:@+=/", c) == NULL)
			return false;
	}
	return true;
}

void reqid_pick(const struct request_source *src, char *out, size_t size)
{
	static const char *const names[] = {"REQUEST_ID", "UNIQUE_ID", "HTTP_X_REQUEST_ID"};
	unsigned char raw[REQID_GEN_LEN / 2];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = src->param(src->ctx, names[i]);

		if (reqid_valid(v) && strlen(v) < size) {
			memcpy(out, v, strlen(v) + 1);
			return;
		}
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, size, raw, sizeof(raw));
}

void reqid_begin(const struct cfg_limits *lim, const struct request_source *src)
{
	char id[REQID_MAX + 1];

	if (lim == NULL || (!lim->log_client && !lim->log_request_id)) {
		log_set_request(NULL, NULL);
		return;
	}
	if (lim->log_request_id)
		reqid_pick(src, id, sizeof(id));
	log_set_request(lim->log_client ? src->param(src->ctx, "REMOTE_ADDR") : NULL,
			lim->log_request_id ? id : NULL);
}

void reqid_end(void)
{
	log_set_request(NULL, NULL);
}
