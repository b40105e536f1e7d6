/* router.c - endpoint matching and url_pattern expansion; see router.h. */
#include "router.h"

#include <stdbool.h>
#include <string.h>

/* Whether seg (len bytes) is a "{name}" parameter segment. */
static bool is_param(const char *seg, size_t len)
{
	return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

/* Whether v (len bytes, raw path bytes) is acceptable as a parameter
 * value: non-empty, not "." or ".." (also when percent-encoded), and
 * without blanks, control bytes, '?' or '#'. */
static bool param_value_ok(const char *v, size_t len)
{
	size_t dots = 0, chars = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '?' || ch == '#')
			return false;
		chars++;
		if (ch == '.') {
			dots++;
		} else if (ch == '%' && i + 2 < len && v[i + 1] == '2' &&
			   (v[i + 2] == 'e' || v[i + 2] == 'E')) {
			dots++;
			i += 2;
		}
	}
	return !(dots == chars && dots <= 2);
}

/* Match path against the pattern; fill p (may be NULL) on success. */
static bool match(const char *pat, const char *path, struct route_params *p)
{
	struct route_params tmp;

	tmp.n = 0;
	if (pat == NULL || pat[0] != '/' || path[0] != '/')
		return false;
	pat++;
	path++;
	for (;;) {
		size_t pl = strcspn(pat, "/"), sl = strcspn(path, "/");

		if (is_param(pat, pl)) {
			if (!param_value_ok(path, sl) || tmp.n >= ROUTER_MAX_PARAMS)
				return false;
			tmp.p[tmp.n].name = pat + 1;
			tmp.p[tmp.n].name_len = pl - 2;
			tmp.p[tmp.n].value = path;
			tmp.p[tmp.n].value_len = sl;
			tmp.n++;
		} else if (pl != sl || memcmp(pat, path, pl) != 0) {
			return false;
		}
		if (pat[pl] == '\0' || path[sl] == '\0') {
			if (pat[pl] != path[sl])
				return false;
			break;
		}
		pat += pl + 1;
		path += sl + 1;
	}
	if (p)
		*p = tmp;
	return true;
}

static bool is_literal(const char *pat)
{
	for (const char *seg = pat;; seg += strcspn(seg, "/") + 1) {
		if (is_param(seg, strcspn(seg, "/")))
			return false;
		if (seg[strcspn(seg, "/")] == '\0')
			return true;
	}
}

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

		if (!match(e->endpoint, path, &cur))
			continue;
		if (path_matched)
			*path_matched = true;
		if (method && (e->method == NULL || strcmp(method, e->method) != 0))
			continue;
		if (is_literal(e->endpoint)) {
			best = e;
			best_params = cur;
			break;
		}
		if (best == NULL) {
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

int router_expand(struct buf *out, const char *url_pattern, const struct route_params *params,
		  struct err *err)
{
	size_t start = out->len;
	const char *p = url_pattern;
	int rc = 0;

	while (*p) {
		const char *close;
		size_t lit = strcspn(p, "{"), i, nlen;

		if ((rc = buf_append(out, p, lit)) != 0)
			goto fail;
		p += lit;
		if (*p == '\0')
			break;
		close = strchr(p, '}');
		if (close == NULL) { /* a lone '{': copied as is */
			if ((rc = buf_puts(out, p)) != 0)
				goto fail;
			break;
		}
		nlen = (size_t)(close - p - 1);
		for (i = 0; params && i < params->n; i++) {
			if (params->p[i].name_len == nlen &&
			    memcmp(params->p[i].name, p + 1, nlen) == 0)
				break;
		}
		if (params == NULL || i == params->n) {
			rc = err_set(err, ERR_INVALID,
				     "url_pattern \"%.200s\": no endpoint parameter {%.*s}",
				     url_pattern, (int)(nlen > 64 ? 64 : nlen), p + 1);
			goto fail;
		}
		if ((rc = buf_append(out, params->p[i].value, params->p[i].value_len)) != 0)
			goto fail;
		p = close + 1;
	}
	return 0;
fail:
	if (rc == ERR_NOMEM)
		err_set(err, rc, "out of memory expanding the backend URL");
	else if (rc == ERR_LIMIT)
		err_set(err, rc, "backend URL too long");
	buf_truncate(out, start);
	return rc;
}
