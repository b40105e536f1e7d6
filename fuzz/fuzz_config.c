/* fuzz_config.c - libFuzzer target: the configuration loader.
 *
 * Input: a configuration document, given to cfg_parse() as is, and (as a
 * NUL-terminated string) to cfg_parse_duration().
 * Properties: no crash, leak or undefined behaviour; on success a
 * configuration with at least one endpoint, each with a signer or a
 * validator block whose required settings are all present (and never
 * "none" among a validator's algs); on failure no configuration and an
 * error code and message.
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

static void check_keys(const struct cfg_keys *k)
{
	/* exactly one key source (key_uri: a signer's key on a PKCS#11 token) */
	FUZZ_ASSERT((k->jwk_url != NULL) + (k->jwk_local_path != NULL) + (k->key_uri != NULL) == 1);
	FUZZ_ASSERT(k->key_uri != NULL || (k->pin_file == NULL && k->public_jwk_path == NULL));
	if (k->key_uri)
		FUZZ_ASSERT(strncasecmp(k->key_uri, "pkcs11:", 7) == 0);
	/* TLS unless disabled (URL schemes are case-insensitive, RFC 3986
	 * section 3.1) */
	if (k->jwk_url && !k->disable_jwk_security)
		FUZZ_ASSERT(strncasecmp(k->jwk_url, "https://", 8) == 0);
	FUZZ_ASSERT(k->cache_duration >= 1);
}

static void check_validator(const struct cfg_validator *v)
{
	FUZZ_ASSERT(v->nalgs >= 1 && v->algs != NULL);
	for (size_t i = 0; i < v->nalgs; i++)
		FUZZ_ASSERT(v->algs[i] != JWS_ALG_INVALID && alg_name(v->algs[i]) != NULL);
	check_keys(&v->keys);
	FUZZ_ASSERT(v->roles_key != NULL && v->roles_key[0] != '\0');
	FUZZ_ASSERT(v->nscopes == 0 || v->scopes_key != NULL);
	FUZZ_ASSERT(v->auth_header_name != NULL && v->auth_header_name[0] != '\0');
	FUZZ_ASSERT(v->cookie_key == NULL || v->cookie_key[0] != '\0'); /* none unless set */
	FUZZ_ASSERT(v->leeway <= 86400);
	for (size_t i = 0; i < v->npropagate; i++)
		FUZZ_ASSERT(v->propagate[i].claim[0] != '\0' && v->propagate[i].header[0] != '\0');
}

static void check_endpoint(const struct cfg_endpoint *ep)
{
	const struct cfg_signer *s = &ep->signer;

	FUZZ_ASSERT(ep->endpoint != NULL && ep->endpoint[0] == '/');
	FUZZ_ASSERT(ep->method != NULL);
	FUZZ_ASSERT(ep->has_signer || ep->has_validator);
	if (ep->has_validator)
		check_validator(&ep->validator);
	if (!ep->has_signer)
		return;
	FUZZ_ASSERT(ep->backend.nhosts >= 1 && ep->backend.hosts != NULL);
	FUZZ_ASSERT(ep->backend.url_pattern != NULL);
	FUZZ_ASSERT(s->alg != JWS_ALG_INVALID && alg_name(s->alg) != NULL);
	FUZZ_ASSERT(s->nkids >= 1 && s->kids != NULL);
	FUZZ_ASSERT(s->nkeys_to_sign >= 1 && s->keys_to_sign != NULL);
	if (s->keys.key_uri)
		FUZZ_ASSERT(s->nkids == 1 && alg_info(s->alg)->family != ALG_FAMILY_HMAC);
	check_keys(&s->keys);
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
		FUZZ_ASSERT(cfg->nsigners + cfg->nprotected == cfg->nendpoints);
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
