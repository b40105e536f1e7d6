/* gojson_write.c - the writer of Go's encoding/json bytes; see gojson.h. */
#include "gojson.h"

#include "gojson_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------------------- writer */

/* Bytes below 0x80 that Go writes as they are (HTML escaping on): not
 * the controls, '"', '&', '<', '>', '\\'. */
/* clang-format off */
static const unsigned char gj_ascii_raw[128] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, /* 0x30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
};
/* clang-format on */

/* Process-wide: set once at start-up (gojson_set_legacy_escapes). */
static bool legacy_escapes;

void gojson_set_legacy_escapes(bool on)
{
	legacy_escapes = on;
}

/* gj_escape - append the escape for an ASCII byte Go does not write raw. */
static int gj_escape(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};

	switch (c) {
	case '"':
		return buf_append(b, "\\\"", 2);
	case '\\':
		return buf_append(b, "\\\\", 2);
	case '\n':
		return buf_append(b, "\\n", 2);
	case '\r':
		return buf_append(b, "\\r", 2);
	case '\t':
		return buf_append(b, "\\t", 2);
	case '\b': /* Go 1.22 and later; before, "\u0008" */
		return legacy_escapes ? buf_append(b, e, sizeof(e)) : buf_append(b, "\\b", 2);
	case '\f': /* Go 1.22 and later; before, "\u000c" */
		return legacy_escapes ? buf_append(b, e, sizeof(e)) : buf_append(b, "\\f", 2);
	default:
		return buf_append(b, e, sizeof(e));
	}
}

/* gj_string_body - the string without quotes; see gojson_write_string. */
static int gj_string_body(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, k;
	uint32_t cp;
	int rc;

	while (i < len) {
		if (p[i] < 0x80) {
			if (gj_ascii_raw[p[i]]) {
				i++;
				continue;
			}
			if ((rc = buf_append(b, s + start, i - start)) || (rc = gj_escape(b, p[i])))
				return rc;
			start = ++i;
			continue;
		}
		k = gj_utf8_seq(p + i, len - i, &cp);
		if (k != 0 && cp != 0x2028 && cp != 0x2029) {
			i += k;
			continue;
		}
		if ((rc = buf_append(b, s + start, i - start)))
			return rc;
		if (k == 0)
			rc = buf_append(b, "\\ufffd", 6);
		else
			rc = buf_append(b, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
		if (rc)
			return rc;
		i += k ? k : 1;
		start = i;
	}
	return buf_append(b, s + start, i - start);
}

int gojson_write_string(struct buf *b, const char *s, size_t len)
{
	size_t old = b->len;
	int rc;

	if (len > SIZE_MAX - 2)
		return ERR_NOMEM;
	rc = buf_reserve(b, len + 2);
	if (rc == 0)
		rc = buf_putc(b, '"');
	if (rc == 0)
		rc = gj_string_body(b, s, len);
	if (rc == 0)
		rc = buf_putc(b, '"');
	if (rc)
		buf_truncate(b, old);
	return rc;
}

/* gj_write_u64 - append the decimal form of v, with a leading '-' if neg. */
static int gj_write_u64(struct buf *b, uint64_t v, int neg)
{
	char t[24];
	size_t i = sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		t[--i] = '-';
	return buf_append(b, t + i, sizeof(t) - i);
}

static int gj_write_int(struct buf *b, struct json_object *v)
{
	int64_t i = json_object_get_int64(v);

	/* json_object_get_uint64 gives the exact value of a non-negative int,
	 * including uint64 values above INT64_MAX (for which get_int64 is
	 * clamped). */
	if (i < 0)
		return gj_write_u64(b, (uint64_t)0 - (uint64_t)i, 1);
	return gj_write_u64(b, json_object_get_uint64(v), 0);
}

/* gj_write_float - a double without its source literal, formatted as Go's
 * encoding/json formats a float64: shortest digits that read back to the
 * same double ('f' layout, or 'e' layout below 1e-6 and from 1e21 on, with
 * "e-07" shortened to "e-7").  The digit search uses the C library's
 * correctly rounded %e; it can differ from Go's in the last digit only for
 * rare values at a power-of-two boundary. */
static int gj_write_float(struct buf *b, double f, struct err *err)
{
	char t[40], digits[20], *p, *e;
	int prec, exp10, nd = 0, i;
	double a = fabs(f);
	int rc = 0;

	if (!isfinite(f))
		return err_set(err, ERR_INVALID, "JSON: a non-finite number cannot be written");
	if (f == 0)
		return buf_puts(b, signbit(f) ? "-0" : "0");
	for (prec = 0; prec < 17; prec++) {
		snprintf(t, sizeof(t), "%.*e", prec, a);
		if (strtod(t, NULL) == a)
			break;
	}
	if (prec == 17)
		snprintf(t, sizeof(t), "%.*e", prec, a);
	e = strchr(t, 'e');
	for (p = t; p < e; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp10 = atoi(e + 1);
	if (f < 0)
		rc = buf_putc(b, '-');
	if (rc == 0 && (a < 1e-6 || a >= 1e21)) {
		rc = buf_putc(b, digits[0]);
		if (rc == 0 && nd > 1 && (rc = buf_putc(b, '.')) == 0)
			rc = buf_append(b, digits + 1, (size_t)nd - 1);
		if (rc == 0)
			rc = buf_printf(b, "e%c%d", exp10 < 0 ? '-' : '+', abs(exp10));
		return rc;
	}
	if (rc == 0 && exp10 < 0) {
		rc = buf_append(b, "0.", 2);
		for (i = 0; rc == 0 && i < -exp10 - 1; i++)
			rc = buf_putc(b, '0');
		if (rc == 0)
			rc = buf_append(b, digits, (size_t)nd);
		return rc;
	}
	for (i = 0; rc == 0 && i <= exp10; i++)
		rc = buf_putc(b, i < nd ? digits[i] : '0');
	if (rc == 0 && nd > exp10 + 1 && (rc = buf_putc(b, '.')) == 0)
		rc = buf_append(b, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
	return rc;
}

static int gj_write_double(struct buf *b, struct json_object *v, struct err *err)
{
	/* A double parsed by json-c carries its source literal as userdata
	 * (json_object_new_double_s): written as it is, like Go's
	 * json.Number. */
	const char *lit = json_object_get_userdata(v);
	size_t n;
	int is_int;

	if (lit == NULL)
		return gj_write_float(b, json_object_get_double(v), err);
	n = strlen(lit);
	if (gj_number_len((const unsigned char *)lit, n, &is_int) != n)
		return err_set(err, ERR_INVALID, "JSON: invalid number literal \"%.*s\"",
			       (int)(n > 40 ? 40 : n), lit);
	return buf_append(b, lit, n);
}

struct gj_member {
	const char *key;
	size_t klen;
	struct json_object *val;
};

/* Members of the objects being written, innermost last: one allocation per
 * gojson_write call instead of one per object. */
struct gj_writer {
	struct buf *b;
	struct gj_member *stack;
	size_t top, cap;
	struct err *err;
};

static int gj_member_cmp(const void *pa, const void *pb)
{
	const struct gj_member *a = pa, *b = pb;
	int c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);

	if (c)
		return c;
	return a->klen < b->klen ? -1 : a->klen > b->klen;
}

static void gj_sort(struct gj_member *m, size_t n)
{
	size_t i, j;
	struct gj_member t;

	if (n > 12) {
		qsort(m, n, sizeof(*m), gj_member_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		t = m[i];
		for (j = i; j > 0 && gj_member_cmp(&m[j - 1], &t) > 0; j--)
			m[j] = m[j - 1];
		m[j] = t;
	}
}

static int gj_write_value(struct gj_writer *w, struct json_object *v, unsigned depth);

static int gj_write_object(struct gj_writer *w, struct json_object *v, unsigned depth)
{
	size_t n = (size_t)json_object_object_length(v), base = w->top, i;
	struct gj_member *m;
	int rc;

	if (n == 0) /* no member: w->stack may still be NULL */
		return buf_puts(w->b, "{}");
	if (n > w->cap - w->top) {
		size_t ncap = w->cap ? w->cap : 64;
		while (ncap - w->top < n)
			ncap *= 2;
		m = realloc(w->stack, ncap * sizeof(*m));
		if (m == NULL)
			return err_set(w->err, ERR_NOMEM, "JSON: out of memory");
		w->stack = m;
		w->cap = ncap;
	}
	m = w->stack + base;
	i = 0;
	json_object_object_foreach(v, key, val)
	{
		m[i].key = key;
		m[i].klen = strlen(key);
		m[i].val = val;
		i++;
	}
	gj_sort(m, n);
	w->top = base + n;
	rc = buf_putc(w->b, '{');
	for (i = 0; rc == 0 && i < n; i++) {
		/* w->stack may move while a member is written. */
		m = w->stack + base + i;
		if (i && (rc = buf_putc(w->b, ',')))
			break;
		if ((rc = gojson_write_string(w->b, m->key, m->klen)) || (rc = buf_putc(w->b, ':')))
			break;
		rc = gj_write_value(w, m->val, depth + 1);
	}
	w->top = base;
	return rc ? rc : buf_putc(w->b, '}');
}

static int gj_write_array(struct gj_writer *w, struct json_object *v, unsigned depth)
{
	size_t n = json_object_array_length(v), i;
	int rc = buf_putc(w->b, '[');

	for (i = 0; rc == 0 && i < n; i++) {
		if (i && (rc = buf_putc(w->b, ',')))
			break;
		rc = gj_write_value(w, json_object_array_get_idx(v, i), depth + 1);
	}
	return rc ? rc : buf_putc(w->b, ']');
}

static int gj_write_value(struct gj_writer *w, struct json_object *v, unsigned depth)
{
	if (depth > GJ_HARD_MAX_DEPTH)
		return err_set(w->err, ERR_LIMIT, "JSON: value nested deeper than %u levels",
			       GJ_HARD_MAX_DEPTH);
	switch (json_object_get_type(v)) {
	case json_type_null:
		return buf_append(w->b, "null", 4);
	case json_type_boolean:
		return json_object_get_boolean(v) ? buf_append(w->b, "true", 4)
						  : buf_append(w->b, "false", 5);
	case json_type_int:
		return gj_write_int(w->b, v);
	case json_type_double:
		return gj_write_double(w->b, v, w->err);
	case json_type_string:
		return gojson_write_string(w->b, json_object_get_string(v),
					   (size_t)json_object_get_string_len(v));
	case json_type_array:
		return gj_write_array(w, v, depth);
	case json_type_object:
		return gj_write_object(w, v, depth);
	}
	return err_set(w->err, ERR_INTERNAL, "JSON: unknown json-c type");
}

int gojson_write(struct buf *b, struct json_object *v, struct err *err)
{
	struct gj_writer w = {b, NULL, 0, 0, err};
	size_t old = b->len;
	int rc;

	/* Errors from buf_* carry no message: one is added below when the
	 * record is still clear. */
	err_clear(err);
	rc = gj_write_value(&w, v, 0);
	free(w.stack);
	if (rc) {
		buf_truncate(b, old);
		if (err && err->code == 0)
			err_set(err, rc, "JSON: %s while writing",
				rc == ERR_LIMIT ? "output over the size limit" : err_strerror(rc));
	}
	return rc;
}
