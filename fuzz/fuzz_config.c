/* fuzz_config.c - libFuzzer target: the configuration loader.
 *
 * Input: a configuration document, given to cfg_parse() as is, and (as a
 * NUL-terminated string) to cfg_parse_duration().
 * Properties: no crash, leak or undefined behaviour; on success a
 * configuration with at least one signer endpoint whose required settings
 * are all present; on failure no configuration and an error code and
 * message.
 */
#include <string.h>
#include <strings.h>

#include "config.h"
#include "fuzz.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR); /* skipped endpoints and warnings are info/warn */
	return 0;
}

static void check_endpoint(const struct cfg_endpoint *ep)
{
	const struct cfg_signer *s = &ep->signer;

	FUZZ_ASSERT(ep->endpoint != NULL && ep->endpoint[0] == '/');
	FUZZ_ASSERT(ep->method != NULL);
	FUZZ_ASSERT(ep->backend.nhosts >= 1 && ep->backend.hosts != NULL);
	FUZZ_ASSERT(ep->backend.url_pattern != NULL);
	FUZZ_ASSERT(s->alg != JWS_ALG_INVALID && alg_name(s->alg) != NULL);
	FUZZ_ASSERT(s->nkids >= 1 && s->kids != NULL);
	FUZZ_ASSERT(s->nkeys_to_sign >= 1 && s->keys_to_sign != NULL);
	/* exactly one key source */
	FUZZ_ASSERT((s->keys.jwk_url != NULL) != (s->keys.jwk_local_path != NULL));
	/* TLS unless disabled (URL schemes are case-insensitive, RFC 3986
	 * section 3.1) */
	if (s->keys.jwk_url && !s->keys.disable_jwk_security)
		FUZZ_ASSERT(strncasecmp(s->keys.jwk_url, "https://", 8) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *cfg = (struct cfg *)1;
	struct err err = {0};
	char *text;
	unsigned ms = 12345;
	size_t i;
	int rc;

	rc = cfg_parse((const char *)data, size, "fuzz.json", &cfg, &err);
	if (rc == 0) {
		FUZZ_ASSERT(cfg != NULL);
		FUZZ_ASSERT(cfg->nendpoints >= 1);
		for (i = 0; i < cfg->nendpoints; i++)
			check_endpoint(&cfg->endpoints[i]);
		FUZZ_ASSERT(cfg->limits.max_json_depth >= 1);
		cfg_free(cfg);
	} else {
		FUZZ_ASSERT(rc < 0);
		FUZZ_ASSERT(cfg == NULL);
		FUZZ_ASSERT(err.code == rc);
		FUZZ_ASSERT(err.msg[0] != '\0');
		FUZZ_ASSERT(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
	}

	if (size <= 256 && (text = malloc(size + 1)) != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		rc = cfg_parse_duration(text, &ms);
		if (rc != 0)
			FUZZ_ASSERT(ms == 12345); /* left unchanged on error */
		else
			FUZZ_ASSERT(ms <= 24u * 3600u * 1000u);
		free(text);
	}
	return 0;
}
