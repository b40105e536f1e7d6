/* router.c - which configured endpoint serves a request; see router.h. */
#include "router.h"
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The shared search: method NULL means any method.  *path_matched (may be
 * NULL) tells whether some endpoint matched the path at all. */
static const struct cfg_endpoint *find(const struct cfg *cfg, const char *method, const char *path,
				       struct route_params *params, bool *path_matched)
{
	const struct cfg_endpoint *best = NULL;
	struct route_params cur, best_params;

	if (path_matched)
		*path_matched = false;
	if (params)
		params->n = 0;
	if (cfg == NULL || path == NULL)
		return NULL;
	best_params.n = 0;
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const struct cfg_endpoint *e = &cfg->endpoints[i];

		/* a protected endpoint (validator only) is the web server's */
		if (!e->has_signer || !route_match(e->endpoint, path, &cur))
			continue;
		if (path_matched)
			*path_matched = true;
		if (method && (e->method == NULL || strcmp(method, e->method) != 0))
			continue;
		if (route_better(e->endpoint, best ? best->endpoint : NULL)) {
			best = e;
			best_params = cur;
		}
	}
	if (best && params)
		*params = best_params;
	return best;
}

const struct cfg_endpoint *router_match(const struct cfg *cfg, const char *path,
					struct route_params *params)
{
	return find(cfg, NULL, path, params, NULL);
}

const struct cfg_endpoint *router_match_method(const struct cfg *cfg, const char *method,
					       const char *path, struct route_params *params,
					       bool *path_matched)
{
	return find(cfg, method ? method : "", path, params, path_matched);
}

/* ------------------------------------------------------------ lookups */

const struct cfg_endpoint *router_find_jwks(const struct cfg *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const char *p = cfg->endpoints[i].signer.jwks_endpoint;

		if (p != NULL && strcmp(p, path) == 0)
			return &cfg->endpoints[i];
	}
	return NULL;
}

void router_allowed_methods(const struct cfg *cfg, const char *path, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < cfg->nendpoints; i++) {
		const char *m = cfg->endpoints[i].method;
		int n;

		/* Only the endpoint that wins for its method is listed, so each
		 * method appears once. */
		if (router_match_method(cfg, m, path, NULL, NULL) != &cfg->endpoints[i])
			continue;
		n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", m);
		if (n < 0 || (size_t)n >= size - used) {
			out[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
}
