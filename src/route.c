/* route.c - the route grammar; see route.h. */
#include "route.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether seg (len bytes) is a "{name}" parameter segment. */
static bool is_param(const char *seg, size_t len)
{
	return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode the percent-escapes of s (*n bytes) in place and update *n.
 * Returns 0, or -1 at a '%' not followed by two hex digits (s is then
 * partly decoded). */
static int pct_decode(char *s, size_t *n)
{
	size_t o = 0;
	int hi, lo;

	for (size_t i = 0; i < *n; i++) {
		if (s[i] != '%') {
			s[o++] = s[i];
			continue;
		}
		if (i + 2 >= *n || (hi = hex_digit((unsigned char)s[i + 1])) < 0 ||
		    (lo = hex_digit((unsigned char)s[i + 2])) < 0)
			return -1;
		s[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	*n = o;
	return 0;
}

/* Whether a decoded value is no dot segment ("." or "..") and holds no
 * '/', '\\', ';', NUL or control byte. */
static bool decoded_value_ok(const char *d, size_t n)
{
	size_t dots = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '\\' || ch == ';')
			return false;
		dots += ch == '.';
	}
	return n > 0 && !(dots == n && n <= 2);
}

/* Decodings of a parameter value checked: a backend may decode twice. */
#define ROUTE_DECODE_LEVELS 4

/* Whether v (len bytes, raw path bytes) is acceptable as a parameter
 * value.  The raw bytes hold no blank, control byte, '?' or '#', and no
 * malformed percent-escape; the value, and the value decoded once and up
 * to ROUTE_DECODE_LEVELS times, passes decoded_value_ok: a backend that
 * decodes %2F, or reads ';' as a path parameter (Tomcat, Jetty, Apache
 * with AllowEncodedSlashes), must not be led out of the url_pattern's
 * path.  The value is forwarded as it came.  Fails closed when out of
 * memory. */
static bool param_value_ok(const char *v, size_t len)
{
	bool ok = true;
	char *d;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '?' || ch == '#')
			return false;
	}
	if (!decoded_value_ok(v, len))
		return false;
	if (memchr(v, '%', len) == NULL)
		return true;
	if ((d = malloc(len)) == NULL)
		return false;
	memcpy(d, v, len);
	for (int level = 0; ok && level < ROUTE_DECODE_LEVELS && memchr(d, '%', len); level++) {
		if (pct_decode(d, &len) != 0) {
			/* Malformed in the raw value: refused; deeper, the
			 * '%' is a literal one and decoding stops. */
			ok = level > 0;
			break;
		}
		ok = decoded_value_ok(d, len);
	}
	free(d);
	return ok;
}

bool route_match(const char *pat, const char *path, struct route_params *p)
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
			if (!param_value_ok(path, sl) || tmp.n >= ROUTE_MAX_PARAMS)
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

bool route_is_literal(const char *pat)
{
	for (const char *seg = pat;; seg += strcspn(seg, "/") + 1) {
		if (is_param(seg, strcspn(seg, "/")))
			return false;
		if (seg[strcspn(seg, "/")] == '\0')
			return true;
	}
}

bool route_better(const char *pattern, const char *best)
{
	return best == NULL || (!route_is_literal(best) && route_is_literal(pattern));
}

int route_expand(struct buf *out, const char *url_pattern, const struct route_params *params,
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

/* ------------------------------------------------------------ pattern checks */

static bool param_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-' || ch == '.';
}

/* Bytes never allowed in a path: CTL, space, DEL, '#', and (in the
 * endpoint) '?'. */
int route_check_path(const char *p, bool query_ok, struct err *err)
{
	for (const char *q = p; *q; q++) {
		unsigned char ch = (unsigned char)*q;

		if (ch <= 0x20 || ch == 0x7f || ch == '#' || (ch == '?' && !query_ok))
			return err_set(err, ERR_INVALID, "character %s not allowed in a path",
				       ch == '#'   ? "'#'"
				       : ch == '?' ? "'?'"
				       : ch == ' ' ? "' '"
						   : "(control)");
	}
	return 0;
}

/* Endpoint pattern: a {name} must be a whole segment; names unique; at
 * most ROUTE_MAX_PARAMS of them. */
int route_check_endpoint(const char *ep, struct err *err)
{
	const char *seg = ep + 1;
	size_t nparams = 0;
	int rc;

	if ((rc = route_check_path(ep, false, err)) != 0)
		return rc;
	for (;;) {
		size_t len = strcspn(seg, "/");
		bool has_brace = memchr(seg, '{', len) || memchr(seg, '}', len);

		if (has_brace) {
			bool ok = len >= 3 && seg[0] == '{' && seg[len - 1] == '}';

			for (size_t i = 1; ok && i + 1 < len; i++)
				ok = param_name_char(seg[i]);
			if (!ok)
				return err_set(err, ERR_INVALID,
					       "a parameter must be a whole segment \"{name}\" "
					       "(letters, digits, '_', '-', '.')");
			/* unique names */
			for (const char *q = ep + 1; q < seg; q += strcspn(q, "/") + 1) {
				size_t ql = strcspn(q, "/");

				if (ql == len && memcmp(q, seg, len) == 0)
					return err_set(err, ERR_INVALID,
						       "parameter %.*s appears twice", (int)len,
						       seg);
			}
			if (++nparams > ROUTE_MAX_PARAMS)
				return err_set(err, ERR_INVALID, "more than %d parameters",
					       ROUTE_MAX_PARAMS);
		}
		if (seg[len] == '\0')
			break;
		seg += len + 1;
	}
	return 0;
}

/* Whether the endpoint pattern ep has the parameter segment {name}. */
static bool endpoint_has_param(const char *ep, const char *name, size_t len)
{
	for (const char *q = ep + 1;; q += strcspn(q, "/") + 1) {
		size_t ql = strcspn(q, "/");

		if (ql == len + 2 && q[0] == '{' && memcmp(q + 1, name, len) == 0)
			return true;
		if (q[ql] == '\0')
			return false;
	}
}

/* url_pattern: {name} placeholders must be endpoint parameters. */
int route_check_url_pattern(const char *up, const char *ep, struct err *err)
{
	int rc;

	if ((rc = route_check_path(up, true, err)) != 0)
		return rc;
	for (const char *p = up; *p; p++) {
		const char *name;
		size_t len = 0;

		if (*p == '}')
			return err_set(err, ERR_INVALID, "unmatched '}'");
		if (*p != '{')
			continue;
		name = p + 1;
		while (param_name_char(name[len]))
			len++;
		if (len == 0 || name[len] != '}')
			return err_set(err, ERR_INVALID,
				       "malformed placeholder (expected \"{name}\")");
		if (!endpoint_has_param(ep, name, len))
			return err_set(err, ERR_INVALID,
				       "placeholder {%.*s} is not a parameter of the endpoint",
				       (int)len, name);
		p = name + len;
	}
	return 0;
}

/* ------------------------------------------------------------ routes */

bool route_same(const char *p, const char *q)
{
	for (;;) {
		size_t pl = strcspn(p, "/"), ql = strcspn(q, "/");
		bool pp = pl >= 2 && p[0] == '{', qp = ql >= 2 && q[0] == '{';

		if (pp != qp || (!pp && (pl != ql || memcmp(p, q, pl) != 0)))
			return false;
		if (p[pl] == '\0' || q[ql] == '\0')
			return p[pl] == q[ql];
		p += pl + 1;
		q += ql + 1;
	}
}

/* ------------------------------------------------------------ normal form */

/* Decode the percent-escapes of raw into out (NUL-terminated); refuse a
 * malformed escape and any byte a path segment cannot hold once decoded. */
static int decode_path(const char *raw, struct buf *out)
{
	for (const char *p = raw; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool escaped = false;

		if (c == '%') {
			int hi = hex_digit((unsigned char)p[1]);
			int lo = hi < 0 ? -1 : hex_digit((unsigned char)p[2]);

			if (lo < 0)
				return ERR_INVALID;
			c = (unsigned char)(hi * 16 + lo);
			p += 2;
			escaped = true;
		}
		if (c < 0x20 || c == 0x7f || c == '\\' || (escaped && c == '/'))
			return ERR_INVALID;
		if (buf_append(out, &c, 1) != 0)
			return ERR_NOMEM;
	}
	return 0;
}

/* Append segment seg (n bytes) to out, or undo the last one for "..";
 * "." and empty segments are dropped. */
static int put_segment(struct buf *out, const char *seg, size_t n)
{
	if (n == 0 || (n == 1 && seg[0] == '.'))
		return 0;
	if (n == 2 && seg[0] == '.' && seg[1] == '.') {
		size_t cut = out->len;

		if (cut == 0)
			return ERR_INVALID; /* above the root */
		while (cut > 0 && out->data[cut - 1] != '/')
			cut--;
		buf_truncate(out, cut - 1);
		return 0;
	}
	if (buf_append(out, "/", 1) != 0 || buf_append(out, seg, n) != 0)
		return ERR_NOMEM;
	return 0;
}

int route_normalize(const char *raw, struct buf *out)
{
	struct buf dec = BUF_INIT;
	const char *p, *end;
	bool trailing;
	int rc;

	buf_reset(out);
	if (raw == NULL || raw[0] != '/')
		return ERR_INVALID;
	if ((rc = decode_path(raw, &dec)) != 0)
		goto out;
	p = dec.data;
	end = dec.data + dec.len;
	trailing = false;
	while (p < end && rc == 0) {
		const char *q = memchr(p, '/', (size_t)(end - p));
		size_t n = q ? (size_t)(q - p) : (size_t)(end - p);

		rc = put_segment(out, p, n);
		/* the path ends as a directory: "/a/", "/a/.", "/a/b/.." */
		trailing = q == NULL
			       ? (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')
			       : q + 1 == end;
		p += n + 1;
	}
	if (rc == 0 && (out->len == 0 || trailing) &&
	    (out->len == 0 || out->data[out->len - 1] != '/'))
		rc = buf_append(out, "/", 1) ? ERR_NOMEM : 0;
out:
	buf_free(&dec);
	if (rc)
		buf_reset(out);
	return rc;
}
