/* metrics.c - the shared counters and their exposition; see metrics.h. */
#include "metrics.h"
#include "alg.h"
#include "log.h"
#include "shmfile.h"

#include <limits.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define M_MAGIC "JWTSMET1"
#define M_VERSION 1u
#define M_CODE_MIN 100
#define M_NCODES 500 /* 100..599 */
#define M_MAX_SLOTS (UINT64_C(1) << 24)

/* The {"error":CODE} words handler.h lists, and "other". */
static const char *const err_reasons[] = {
    "not_configured",
    "header_too_large",
    "method_not_allowed",
    "not_found",
    "bad_request",
    "incomplete_body",
    "body_too_large",
    "rate_limited",
    "invalid_token",
    "insufficient_scope",
    "no_protected_route",
    "keys_unavailable",
    "internal_error",
    "signing_failed",
    "backend_unreachable",
    "backend_bad_status",
    "backend_bad_response",
    "backend_timeout",
    "backend_error",
    "metrics_unavailable",
    "unhealthy",
    "other",
};
#define M_NERR (sizeof(err_reasons) / sizeof(err_reasons[0]))

/* authz_result.reason (jwt_reason_word, "missing", ...); "ok" allows. */
static const char *const val_reasons[] = {
    "ok",
    "missing",
    "malformed",
    "alg",
    "kid",
    "signature",
    "expired",
    "not_yet_valid",
    "issued_in_future",
    "issuer",
    "audience",
    "missing_exp",
    "crit",
    "roles",
    "scopes",
    "keys_unavailable",
    "internal",
    "other",
};
#define M_NVAL (sizeof(val_reasons) / sizeof(val_reasons[0]))

static const char *const limit_names[METRICS_NLIMIT] = {"client", "endpoint", "failed_login"};
static const char *const fetch_names[METRICS_NFETCH] = {"ok", "not_modified", "error"};

/* Histogram upper bounds (microseconds) and their le labels. */
static const uint64_t bucket_us[] = {5000,   10000,   25000,   50000,	100000,	 250000,
				     500000, 1000000, 2500000, 5000000, 10000000};
static const char *const bucket_le[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
					"0.5",	 "1",	 "2.5",	  "5",	  "10"};
#define M_NB (sizeof(bucket_us) / sizeof(bucket_us[0]))
/* Per endpoint: M_NB buckets, the one above the last, the sum (us). */
#define M_HIST (M_NB + 2)

struct m_hdr {
	char magic[8];
	uint32_t version;
	uint32_t reserved0;
	uint64_t nslots;
	unsigned char layout[32]; /* BLAKE2b of the layout */
	unsigned char checksum[16];
	unsigned char reserved[56]; /* the slots start on a 128-byte boundary */
};

struct m_key {
	size_t ep;
	const char *alg, *kid;
};

struct metrics {
	char path[PATH_MAX];
	void *map;
	size_t size;
	_Atomic uint64_t *slots;
	const char **eps; /* label values; [0] METRICS_NO_ENDPOINT */
	bool *ep_backend; /* the endpoint calls a backend (histogram) */
	size_t neps;
	struct m_key *keys;
	size_t nkeys;
	const char **srcs; /* jwk_url values (shown redacted) */
	size_t nsrcs;
	/* Offsets of each family's slots. */
	size_t o_req, o_err, o_hist, o_tok, o_val, o_lim, o_fetch, o_age, o_reload, nslots;
};

/* ------------------------------------------------------------ layout */

static int add_str(const char ***v, size_t *n, const char *s, size_t *idx)
{
	const char **nv;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0) {
			if (idx)
				*idx = i;
			return 0;
		}
	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
		return ERR_NOMEM;
	*v = nv;
	nv[*n] = s;
	if (idx)
		*idx = *n;
	(*n)++;
	return 0;
}

static int add_ep(struct metrics *m, const char *path, bool backend, size_t *idx)
{
	size_t i, n = m->neps;
	bool *nb;

	if (add_str(&m->eps, &m->neps, path, &i) != 0)
		return ERR_NOMEM;
	if (m->neps != n) {
		if ((nb = realloc(m->ep_backend, m->neps * sizeof(*nb))) == NULL)
			return ERR_NOMEM;
		m->ep_backend = nb;
		nb[i] = false;
	}
	m->ep_backend[i] = m->ep_backend[i] || backend;
	if (idx)
		*idx = i;
	return 0;
}

static int add_key(struct metrics *m, size_t ep, const char *alg, const char *kid)
{
	struct m_key *nk;

	for (size_t i = 0; i < m->nkeys; i++)
		if (m->keys[i].ep == ep && strcmp(m->keys[i].alg, alg) == 0 &&
		    strcmp(m->keys[i].kid, kid) == 0)
			return 0;
	if ((nk = realloc(m->keys, (m->nkeys + 1) * sizeof(*nk))) == NULL)
		return ERR_NOMEM;
	m->keys = nk;
	nk[m->nkeys++] = (struct m_key){ep, alg, kid};
	return 0;
}

static int add_endpoint(struct metrics *m, const struct cfg_endpoint *ep)
{
	const struct cfg_signer *s = &ep->signer;
	const char *alg = alg_name(s->alg);
	size_t i;
	int rc = add_ep(m, ep->endpoint, ep->has_signer, &i);

	if (rc == 0 && ep->has_signer && s->jwks_endpoint)
		rc = add_ep(m, s->jwks_endpoint, false, NULL);
	if (rc == 0 && ep->has_signer && s->nkids == 0)
		rc = add_key(m, i, alg ? alg : "", "");
	for (size_t k = 0; rc == 0 && ep->has_signer && k < s->nkids; k++)
		rc = add_key(m, i, alg ? alg : "", s->kids[k]);
	if (rc == 0 && ep->has_signer && s->keys.jwk_url)
		rc = add_str(&m->srcs, &m->nsrcs, s->keys.jwk_url, NULL);
	if (rc == 0 && ep->has_validator && ep->validator.keys.jwk_url)
		rc = add_str(&m->srcs, &m->nsrcs, ep->validator.keys.jwk_url, NULL);
	return rc;
}

static void hash_str(crypto_generichash_state *st, const char *s)
{
	uint64_t len = strlen(s);

	crypto_generichash_update(st, (const unsigned char *)&len, sizeof(len));
	crypto_generichash_update(st, (const unsigned char *)s, len);
}

static void hash_num(crypto_generichash_state *st, uint64_t v)
{
	crypto_generichash_update(st, (const unsigned char *)&v, sizeof(v));
}

/* The digest of everything that gives a slot its meaning. */
static void layout_digest(const struct metrics *m, unsigned char out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	hash_str(&st, M_MAGIC);
	hash_num(&st, M_NCODES);
	hash_num(&st, M_NERR);
	hash_num(&st, M_HIST);
	hash_num(&st, M_NVAL);
	hash_num(&st, METRICS_NLIMIT);
	hash_num(&st, METRICS_NFETCH);
	for (size_t i = 0; i < M_NERR; i++)
		hash_str(&st, err_reasons[i]);
	for (size_t i = 0; i < M_NVAL; i++)
		hash_str(&st, val_reasons[i]);
	hash_num(&st, m->neps);
	for (size_t i = 0; i < m->neps; i++) {
		hash_str(&st, m->eps[i]);
		hash_num(&st, m->ep_backend[i]);
	}
	hash_num(&st, m->nkeys);
	for (size_t i = 0; i < m->nkeys; i++) {
		hash_num(&st, m->keys[i].ep);
		hash_str(&st, m->keys[i].alg);
		hash_str(&st, m->keys[i].kid);
	}
	hash_num(&st, m->nsrcs);
	for (size_t i = 0; i < m->nsrcs; i++)
		hash_str(&st, m->srcs[i]);
	crypto_generichash_final(&st, out, 32);
}

static int build_layout(struct metrics *m, const struct cfg *cfg)
{
	int rc = add_ep(m, METRICS_NO_ENDPOINT, false, NULL);
	size_t o = 0;

	for (size_t i = 0; rc == 0 && i < cfg->nendpoints; i++)
		rc = add_endpoint(m, &cfg->endpoints[i]);
	if (rc == 0 && cfg->limits.health_endpoint)
		rc = add_ep(m, cfg->limits.health_endpoint, false, NULL);
	if (rc == 0 && cfg->limits.metrics_endpoint)
		rc = add_ep(m, cfg->limits.metrics_endpoint, false, NULL);
	if (rc)
		return rc;
	m->o_req = o, o += m->neps * M_NCODES;
	m->o_err = o, o += m->neps * M_NERR;
	m->o_hist = o, o += m->neps * M_HIST;
	m->o_tok = o, o += m->nkeys;
	m->o_val = o, o += m->neps * M_NVAL;
	m->o_lim = o, o += m->neps * METRICS_NLIMIT * 2;
	m->o_fetch = o, o += m->nsrcs * METRICS_NFETCH;
	m->o_age = o, o += m->nsrcs;
	m->o_reload = o, o += 2;
	m->nslots = o;
	return o > M_MAX_SLOTS ? ERR_LIMIT : 0;
}

/* ------------------------------------------------------------ the file */

static void hdr_checksum(const struct m_hdr *h, unsigned char out[16])
{
	crypto_generichash(out, 16, (const unsigned char *)h, offsetof(struct m_hdr, checksum),
			   NULL, 0);
}

static int map_file(struct metrics *m, const char *dir, const char *name, bool create,
		    struct err *err)
{
	struct m_hdr want, h;
	const char *why = NULL;
	unsigned char sum[16];
	int fd;

	memset(&want, 0, sizeof(want));
	memcpy(want.magic, M_MAGIC, 8);
	want.version = M_VERSION;
	want.nslots = m->nslots;
	layout_digest(m, want.layout);
	hdr_checksum(&want, want.checksum);
	m->size = sizeof(want) + m->nslots * sizeof(uint64_t);
	fd = shmfile_open(dir, name, "metrics file", create ? &want : NULL, sizeof(want), m->size,
			  true, err);
	if (fd < 0)
		return fd;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		why = "truncated";
	else if (memcmp(h.magic, M_MAGIC, 8) != 0)
		why = "not a jwtsign metrics file (bad magic)";
	else if (h.version != M_VERSION)
		why = "unknown format version";
	else if ((hdr_checksum(&h, sum), memcmp(sum, h.checksum, sizeof(sum)) != 0))
		why = "header checksum mismatch (corrupt)";
	else if (h.nslots != m->nslots || memcmp(h.layout, want.layout, sizeof(h.layout)) != 0)
		why = "made for another layout";
	if (why) {
		close(fd);
		return err_set(err, ERR_INVALID, "metrics file %s refused: %s (remove it)", m->path,
			       why);
	}
	m->map = shmfile_map(fd, m->size, m->path, err);
	close(fd);
	if (m->map == NULL)
		return ERR_IO;
	m->slots = (_Atomic uint64_t *)((char *)m->map + sizeof(struct m_hdr));
	return 0;
}

int metrics_open(const char *dir, const struct cfg *cfg, bool create, struct metrics **out,
		 struct err *err)
{
	struct metrics *m = calloc(1, sizeof(*m));
	unsigned char digest[32];
	char name[64], hex[17];
	int rc;

	*out = NULL;
	if (m == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	if ((rc = build_layout(m, cfg)) != 0) {
		metrics_close(m);
		return rc == ERR_LIMIT ? err_set(err, ERR_LIMIT, "metrics: too many series")
				       : err_set(err, ERR_NOMEM, "out of memory");
	}
	layout_digest(m, digest);
	sodium_bin2hex(hex, sizeof(hex), digest, 8);
	snprintf(name, sizeof(name), "metrics-v%u-%s.counters", M_VERSION, hex);
	snprintf(m->path, sizeof(m->path), "%s/%s", dir, name);
	if ((rc = map_file(m, dir, name, create, err)) != 0) {
		metrics_close(m);
		return rc;
	}
	*out = m;
	return 0;
}

void metrics_close(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->map)
		munmap(m->map, m->size);
	free(m->eps);
	free(m->ep_backend);
	free(m->keys);
	free(m->srcs);
	free(m);
}

const char *metrics_path(const struct metrics *m)
{
	return m->path;
}

/* ------------------------------------------------------------ counting */

static void add(struct metrics *m, size_t slot, uint64_t n)
{
	atomic_fetch_add_explicit(&m->slots[slot], n, memory_order_relaxed);
}

static uint64_t get(const struct metrics *m, size_t slot)
{
	return atomic_load_explicit(&m->slots[slot], memory_order_relaxed);
}

static size_t word_index(const char *const *words, size_t n, const char *w)
{
	for (size_t i = 0; w && i + 1 < n; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return n - 1; /* "other" */
}

size_t metrics_endpoint(const struct metrics *m, const char *path)
{
	for (size_t i = 1; m && path && i < m->neps; i++)
		if (strcmp(m->eps[i], path) == 0)
			return i;
	return 0;
}

void metrics_request(struct metrics *m, size_t ep, int status, const char *error)
{
	if (m == NULL || ep >= m->neps)
		return;
	if (status >= M_CODE_MIN && status < M_CODE_MIN + M_NCODES)
		add(m, m->o_req + ep * M_NCODES + (size_t)(status - M_CODE_MIN), 1);
	if (error)
		add(m, m->o_err + ep * M_NERR + word_index(err_reasons, M_NERR, error), 1);
}

void metrics_backend(struct metrics *m, size_t ep, uint64_t us)
{
	size_t b = 0;

	if (m == NULL || ep >= m->neps || !m->ep_backend[ep])
		return;
	while (b < M_NB && us > bucket_us[b])
		b++;
	add(m, m->o_hist + ep * M_HIST + b, 1);
	add(m, m->o_hist + ep * M_HIST + M_NB + 1, us);
}

void metrics_token(struct metrics *m, size_t ep, const char *alg, const char *kid)
{
	if (m == NULL || alg == NULL)
		return;
	for (size_t i = 0; i < m->nkeys; i++)
		if (m->keys[i].ep == ep && strcmp(m->keys[i].alg, alg) == 0 &&
		    strcmp(m->keys[i].kid, kid ? kid : "") == 0) {
			add(m, m->o_tok + i, 1);
			return;
		}
}

void metrics_validator(struct metrics *m, size_t ep, const char *reason)
{
	if (m == NULL || ep >= m->neps)
		return;
	add(m, m->o_val + ep * M_NVAL + word_index(val_reasons, M_NVAL, reason ? reason : "ok"), 1);
}

void metrics_limiter(struct metrics *m, size_t ep, enum metrics_limit limit, bool deny)
{
	if (m == NULL || ep >= m->neps || (unsigned)limit >= METRICS_NLIMIT)
		return;
	add(m, m->o_lim + (ep * METRICS_NLIMIT + (size_t)limit) * 2 + (deny ? 1 : 0), 1);
}

void metrics_jwks_fetch(struct metrics *m, const char *url, enum metrics_fetch result, time_t now)
{
	if (m == NULL || url == NULL || (unsigned)result >= METRICS_NFETCH)
		return;
	for (size_t i = 0; i < m->nsrcs; i++) {
		if (strcmp(m->srcs[i], url) != 0)
			continue;
		add(m, m->o_fetch + i * METRICS_NFETCH + (size_t)result, 1);
		if (result != METRICS_FETCH_ERROR && now > 0)
			atomic_store_explicit(&m->slots[m->o_age + i], (uint64_t)now,
					      memory_order_relaxed);
		return;
	}
}

void metrics_reload(struct metrics *m, bool ok)
{
	if (m)
		add(m, m->o_reload + (ok ? 0 : 1), 1);
}

/* ------------------------------------------------------------ exposition */

/* A label value, escaped as the text format wants. */
static int put_value(struct buf *out, const char *v)
{
	int rc = buf_putc(out, '"');

	for (; rc == 0 && *v; v++) {
		if (*v == '\\')
			rc = buf_puts(out, "\\\\");
		else if (*v == '"')
			rc = buf_puts(out, "\\\"");
		else if (*v == '\n')
			rc = buf_puts(out, "\\n");
		else
			rc = buf_putc(out, *v);
	}
	return rc ? rc : buf_putc(out, '"');
}

static int family(struct buf *out, const char *name, const char *type, const char *help)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{k1="v1",k2="v2"} value, for n (0..3) labels. */
static int sample(struct buf *out, const char *name, const char *const *kv, size_t n,
		  const char *value)
{
	int rc = buf_puts(out, name);

	for (size_t i = 0; rc == 0 && i < n; i++)
		if ((rc = buf_printf(out, "%s%s=", i ? "," : "{", kv[2 * i])) == 0)
			rc = put_value(out, kv[2 * i + 1]);
	if (rc == 0 && n)
		rc = buf_putc(out, '}');
	return rc ? rc : buf_printf(out, " %s\n", value);
}

static int sample_u(struct buf *out, const char *name, const char *const *kv, size_t n, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	return sample(out, name, kv, n, num);
}

static int fmt_requests(const struct metrics *m, struct buf *out)
{
	char code[8];
	int rc = family(out, "jwtsign_requests_total", "counter",
			"Requests answered, by endpoint and HTTP status code.");

	for (size_t e = 0; rc == 0 && e < m->neps; e++)
		for (size_t c = 0; rc == 0 && c < M_NCODES; c++) {
			uint64_t v = get(m, m->o_req + e * M_NCODES + c);
			const char *kv[] = {"endpoint", m->eps[e], "code", code};

			snprintf(code, sizeof(code), "%zu", c + M_CODE_MIN);
			if (v)
				rc = sample_u(out, "jwtsign_requests_total", kv, 2, v);
		}
	if (rc == 0)
		rc = family(out, "jwtsign_errors_total", "counter",
			    "Error answers, by endpoint and the error code of their body.");
	for (size_t e = 0; rc == 0 && e < m->neps; e++)
		for (size_t r = 0; rc == 0 && r < M_NERR; r++) {
			uint64_t v = get(m, m->o_err + e * M_NERR + r);
			const char *kv[] = {"endpoint", m->eps[e], "reason", err_reasons[r]};

			if (v)
				rc = sample_u(out, "jwtsign_errors_total", kv, 2, v);
		}
	return rc;
}

static int fmt_histogram(const struct metrics *m, struct buf *out)
{
	const char *name = "jwtsign_backend_duration_seconds";
	char num[48];
	int rc = family(out, name, "histogram", "Time of the backend calls, by endpoint.");

	for (size_t e = 0; rc == 0 && e < m->neps; e++) {
		size_t o = m->o_hist + e * M_HIST;
		uint64_t cum = 0, sum;

		if (!m->ep_backend[e])
			continue;
		for (size_t b = 0; rc == 0 && b <= M_NB; b++) {
			const char *kv[] = {"endpoint", m->eps[e], "le",
					    b < M_NB ? bucket_le[b] : "+Inf"};

			cum += get(m, o + b);
			rc = sample_u(out, "jwtsign_backend_duration_seconds_bucket", kv, 2, cum);
		}
		sum = get(m, o + M_NB + 1);
		snprintf(num, sizeof(num), "%llu.%06llu", (unsigned long long)(sum / 1000000),
			 (unsigned long long)(sum % 1000000));
		const char *kv[] = {"endpoint", m->eps[e]};
		if (rc == 0)
			rc = sample(out, "jwtsign_backend_duration_seconds_sum", kv, 1, num);
		if (rc == 0)
			rc = sample_u(out, "jwtsign_backend_duration_seconds_count", kv, 1, cum);
	}
	return rc;
}

static int fmt_tokens(const struct metrics *m, struct buf *out)
{
	int rc = family(out, "jwtsign_tokens_issued_total", "counter",
			"Answers signed, by endpoint, algorithm and key id.");

	for (size_t i = 0; rc == 0 && i < m->nkeys; i++) {
		const char *kv[] = {"endpoint", m->eps[m->keys[i].ep], "alg", m->keys[i].alg,
				    "kid",	m->keys[i].kid};

		rc = sample_u(out, "jwtsign_tokens_issued_total", kv, 3, get(m, m->o_tok + i));
	}
	return rc;
}

static int fmt_decisions(const struct metrics *m, struct buf *out)
{
	int rc = family(out, "jwtsign_validator_decisions_total", "counter",
			"Tokens checked by an auth/validator, by endpoint, decision and reason.");

	for (size_t e = 0; rc == 0 && e < m->neps; e++)
		for (size_t r = 0; rc == 0 && r < M_NVAL; r++) {
			uint64_t v = get(m, m->o_val + e * M_NVAL + r);
			const char *kv[] = {"endpoint",		  m->eps[e], "decision",
					    r ? "deny" : "allow", "reason",  val_reasons[r]};

			if (v)
				rc = sample_u(out, "jwtsign_validator_decisions_total", kv, 3, v);
		}
	if (rc == 0)
		rc = family(out, "jwtsign_limiter_decisions_total", "counter",
			    "Rate limit and failed-login throttle checks, by endpoint, limit and "
			    "decision.");
	for (size_t e = 0; rc == 0 && e < m->neps; e++)
		for (size_t l = 0; rc == 0 && l < METRICS_NLIMIT * 2; l++) {
			uint64_t v = get(m, m->o_lim + e * METRICS_NLIMIT * 2 + l);
			const char *kv[] = {"endpoint", m->eps[e],
					    "limit",	limit_names[l / 2],
					    "decision", l % 2 ? "deny" : "allow"};

			if (v)
				rc = sample_u(out, "jwtsign_limiter_decisions_total", kv, 3, v);
		}
	return rc;
}

static int fmt_jwks(const struct metrics *m, time_t now, struct buf *out)
{
	char src[1024];
	int rc = family(out, "jwtsign_jwks_fetch_total", "counter",
			"JWK Set downloads of this process group, by source and result.");

	for (size_t s = 0; rc == 0 && s < m->nsrcs; s++) {
		log_redact_urls(m->srcs[s], src, sizeof(src));
		for (size_t r = 0; rc == 0 && r < METRICS_NFETCH; r++) {
			uint64_t v = get(m, m->o_fetch + s * METRICS_NFETCH + r);
			const char *kv[] = {"source", src, "result", fetch_names[r]};

			if (v)
				rc = sample_u(out, "jwtsign_jwks_fetch_total", kv, 2, v);
		}
	}
	if (rc == 0)
		rc = family(out, "jwtsign_jwks_age_seconds", "gauge",
			    "Seconds since the JWK Set of a source was last downloaded or "
			    "confirmed.");
	for (size_t s = 0; rc == 0 && s < m->nsrcs; s++) {
		uint64_t at = get(m, m->o_age + s);
		const char *kv[] = {"source", src};

		if (at == 0)
			continue;
		log_redact_urls(m->srcs[s], src, sizeof(src));
		rc = sample_u(out, "jwtsign_jwks_age_seconds", kv, 1,
			      (uint64_t)now > at ? (uint64_t)now - at : 0);
	}
	return rc;
}

int metrics_format(const struct metrics *m, time_t now, const char *version, struct buf *out)
{
	const char *bi[] = {"version", version};
	const char *ok[] = {"result", "ok"}, *failed[] = {"result", "failed"};
	int rc = family(out, "jwtsign_build_info", "gauge", "The jwtsign version; always 1.");

	if (rc == 0)
		rc = sample(out, "jwtsign_build_info", bi, 1, "1");
	if (rc == 0)
		rc = fmt_requests(m, out);
	if (rc == 0)
		rc = fmt_histogram(m, out);
	if (rc == 0)
		rc = fmt_tokens(m, out);
	if (rc == 0)
		rc = fmt_decisions(m, out);
	if (rc == 0)
		rc = fmt_jwks(m, now, out);
	if (rc == 0)
		rc = family(out, "jwtsign_config_reloads_total", "counter",
			    "Configuration reloads, applied (ok) or refused (failed).");
	if (rc == 0)
		rc = sample_u(out, "jwtsign_config_reloads_total", ok, 1, get(m, m->o_reload));
	if (rc == 0)
		rc = sample_u(out, "jwtsign_config_reloads_total", failed, 1,
			      get(m, m->o_reload + 1));
	return rc ? ERR_NOMEM : 0;
}
