/* ratelimit.c - the shared rate limit table; see ratelimit.h. */
#include "ratelimit.h"
#include "clock.h"
#include "log.h"
#include "shmfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RL_MAGIC "JWTSRLT1"
#define RL_VERSION 1u
#define RL_MIN_SLOTS RL_GROUP
#define RL_MAX_SLOTS (1u << 24)

/* State word: generation (7 bits), kind (1 bit), payload (56 bits). */
#define ST_GEN_SHIFT 57
#define ST_KIND (UINT64_C(1) << 56)
#define ST_PAYLOAD ((UINT64_C(1) << 56) - 1)
/* The payload of a slot being evicted: no real value has it (a bucket
 * full in 2284 years, a counter window ending in 570). */
#define ST_MARK ST_PAYLOAD
/* Counter payload: count in bits 44..55, window end in 1024 us units. */
#define CNT_SHIFT 44
#define CNT_END ((UINT64_C(1) << CNT_SHIFT) - 1)
#define CNT_UNIT_SHIFT 10
/* A key word always has its top bit: 0 is an empty slot. */
#define KEY_SET (UINT64_C(1) << 63)
/* Spins on a marked slot before taking the group lock to repair it. */
#define MARK_SPINS 1000

struct rl_hdr {
	char magic[8];
	uint32_t version;
	uint32_t nslots;
	unsigned char key[crypto_shorthash_KEYBYTES];
	unsigned char checksum[16]; /* BLAKE2b-128 of the bytes before it */
	unsigned char reserved[16];
};
_Static_assert(sizeof(struct rl_hdr) == 64, "struct rl_hdr has padding");

struct rl_slot {
	_Atomic uint64_t key;
	_Atomic uint64_t state;
};
_Static_assert(sizeof(struct rl_slot) == 16, "struct rl_slot has padding");

struct rl_table {
	int fd;
	pid_t fd_pid; /* the process fd was opened in: a lock is per open file */
	void *map;
	size_t size;
	struct rl_slot *slots;
	uint32_t ngroups;
	unsigned char key[crypto_shorthash_KEYBYTES];
	char path[PATH_MAX];
	bool full_logged, lock_logged;
};

/* ------------------------------------------------------------ arithmetic */

bool rl_bucket_take(uint64_t tat, uint64_t now, uint64_t interval_us, uint64_t capacity,
		    uint64_t *new_tat, uint64_t *retry_us)
{
	uint64_t tau = interval_us * (capacity - 1), t;

	*new_tat = tat;
	if (tat > now + tau + interval_us)
		tat = 0; /* unreachable: an earlier boot's table, or damage */
	t = tat > now ? tat : now;
	if (t - now > tau) {
		*retry_us = t - now - tau;
		return false;
	}
	*new_tat = t + interval_us;
	return true;
}

unsigned rl_counter_count(uint64_t payload)
{
	return (unsigned)((payload & ST_PAYLOAD) >> CNT_SHIFT);
}

static uint64_t counter_end(uint64_t payload)
{
	return (payload & CNT_END) << CNT_UNIT_SHIFT;
}

bool rl_counter_blocked(uint64_t payload, uint64_t now, unsigned max, uint64_t *retry_us)
{
	uint64_t end = counter_end(payload);

	if (rl_counter_count(payload) < max || now >= end)
		return false;
	*retry_us = end - now;
	return true;
}

uint64_t rl_counter_add(uint64_t payload, uint64_t now, uint64_t window_us)
{
	unsigned n = rl_counter_count(payload);
	uint64_t end;

	if (n == 0 || now >= counter_end(payload)) {
		end = (now + window_us + (1u << CNT_UNIT_SHIFT) - 1) >> CNT_UNIT_SHIFT;
		return (UINT64_C(1) << CNT_SHIFT) | (end & CNT_END);
	}
	if (n < RL_COUNT_MAX)
		n++;
	return ((uint64_t)n << CNT_SHIFT) | (payload & CNT_END);
}

/* Whether an entry's state says nothing a fresh one would not. */
static bool idle(uint64_t st, uint64_t now)
{
	uint64_t p = st & ST_PAYLOAD;

	if (p == ST_MARK)
		return false;
	if (st & ST_KIND)
		return rl_counter_count(p) == 0 || now >= counter_end(p);
	return p <= now;
}

static uint64_t gen_of(uint64_t st)
{
	return st >> ST_GEN_SHIFT;
}

static uint64_t with_gen(uint64_t gen, uint64_t kind_payload)
{
	return ((gen & 0x7f) << ST_GEN_SHIFT) | kind_payload;
}

/* ------------------------------------------------------------ the file */

static void hdr_checksum(const struct rl_hdr *h, unsigned char out[16])
{
	crypto_generichash(out, 16, (const unsigned char *)h, offsetof(struct rl_hdr, checksum),
			   NULL, 0);
}

static size_t file_size(uint32_t nslots)
{
	return sizeof(struct rl_hdr) + (size_t)nslots * sizeof(struct rl_slot);
}

/* A new table's header: a fresh SipHash key. */
static void new_header(struct rl_hdr *h, uint32_t nslots)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, RL_MAGIC, 8);
	h->version = RL_VERSION;
	h->nslots = nslots;
	randombytes_buf(h->key, sizeof(h->key));
	hdr_checksum(h, h->checksum);
}

/* Check the header of the open file fd (shmfile_open checked the file);
 * map it into t. */
static int map_file(struct rl_table *t, int fd, struct err *err)
{
	struct stat st;
	struct rl_hdr h;
	unsigned char sum[16];
	const char *why = NULL;

	if (fstat(fd, &st) != 0)
		return err_set(err, ERR_IO, "rate limit table %s: %s", t->path, strerror(errno));
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		why = "truncated";
	else if (memcmp(h.magic, RL_MAGIC, 8) != 0)
		why = "not a jwtsign rate limit table (bad magic)";
	else if (h.version != RL_VERSION)
		why = "unknown format version";
	else if ((hdr_checksum(&h, sum), sodium_memcmp(sum, h.checksum, sizeof(sum)) != 0))
		why = "header checksum mismatch (corrupt)";
	else if (h.nslots < RL_MIN_SLOTS || h.nslots > RL_MAX_SLOTS || h.nslots % RL_GROUP)
		why = "bad slot count";
	else if ((uint64_t)st.st_size != file_size(h.nslots))
		why = "size does not match its slot count";
	if (why)
		return err_set(err, ERR_INVALID, "rate limit table %s refused: %s (remove it)",
			       t->path, why);
	t->size = file_size(h.nslots);
	if ((t->map = shmfile_map(fd, t->size, t->path, err)) == NULL)
		return ERR_IO;
	t->slots = (struct rl_slot *)((char *)t->map + sizeof(struct rl_hdr));
	t->ngroups = h.nslots / RL_GROUP;
	memcpy(t->key, h.key, sizeof(t->key));
	sodium_memzero(&h, sizeof(h));
	return 0;
}

int rl_table_open(const char *dir, uint32_t nslots, struct rl_table **out, struct err *err)
{
	struct rl_table *t;
	struct rl_hdr h;
	int fd, rc;

	*out = NULL;
	if (nslots < RL_MIN_SLOTS || nslots > RL_MAX_SLOTS || nslots % RL_GROUP)
		return err_set(err, ERR_INVALID, "rate limit table: bad slot count %lu",
			       (unsigned long)nslots);
	new_header(&h, nslots);
	fd = shmfile_open(dir, RL_FILE_NAME, "rate limit table", &h, sizeof(h), file_size(nslots),
			  false, err);
	sodium_memzero(&h, sizeof(h));
	if (fd < 0)
		return fd;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		close(fd);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	snprintf(t->path, sizeof(t->path), "%s/%s", dir, RL_FILE_NAME);
	t->fd = fd;
	t->fd_pid = getpid();
	if ((rc = map_file(t, fd, err)) != 0) {
		rl_table_close(t);
		return rc;
	}
	*out = t;
	return 0;
}

void rl_table_close(struct rl_table *t)
{
	if (t == NULL)
		return;
	if (t->map)
		munmap(t->map, t->size);
	if (t->fd >= 0)
		close(t->fd);
	sodium_memzero(t->key, sizeof(t->key));
	free(t);
}

const char *rl_table_path(const struct rl_table *t)
{
	return t->path;
}

uint64_t rl_key(const struct rl_table *t, const char *const *parts, size_t n)
{
	unsigned char out[crypto_shorthash_BYTES], digest[32];
	crypto_generichash_state st;
	uint64_t k;

	/* The parts are folded into one BLAKE2b digest first (any length),
	 * then keyed with the file's SipHash key. */
	crypto_generichash_init(&st, NULL, 0, sizeof(digest));
	for (size_t i = 0; i < n; i++) {
		const char *p = parts[i] ? parts[i] : "";
		uint64_t len = strlen(p);

		crypto_generichash_update(&st, (const unsigned char *)&len, sizeof(len));
		crypto_generichash_update(&st, (const unsigned char *)p, len);
	}
	crypto_generichash_final(&st, digest, sizeof(digest));
	crypto_shorthash(out, digest, sizeof(digest), t->key);
	memcpy(&k, out, sizeof(k));
	return k | KEY_SET;
}

/* ------------------------------------------------------------ locking */

static int group_lock(struct rl_table *t, uint32_t g, short type)
{
	struct flock fl;

	if (t->fd_pid != getpid()) {
		/* A forked child: a lock belongs to the open file description,
		 * which the child shares with its parent; open its own. */
		int fd = open(t->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0)
			return -1;
		close(t->fd);
		t->fd = fd;
		t->fd_pid = getpid();
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)(sizeof(struct rl_hdr) + (size_t)g * RL_GROUP * sizeof(struct rl_slot));
	fl.l_len = (off_t)(RL_GROUP * sizeof(struct rl_slot));
	for (;;) {
#ifdef F_OFD_SETLKW
		if (fcntl(t->fd, F_OFD_SETLKW, &fl) == 0)
#else
		if (fcntl(t->fd, F_SETLKW, &fl) == 0)
#endif
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* ------------------------------------------------------------ operations */

enum op_kind { OP_TAKE, OP_BLOCKED, OP_FAIL, OP_RESET };

struct op {
	enum op_kind kind;
	uint64_t now, interval, capacity, window;
	unsigned max;
	/* results */
	enum rl_verdict verdict;
	uint64_t retry;
	unsigned count;
};

/* The new state for op on state st, or st itself when nothing changes. */
static uint64_t apply(struct op *op, uint64_t st)
{
	uint64_t gen = gen_of(st), p = st & ST_PAYLOAD, nt;
	bool counter = (st & ST_KIND) != 0;

	switch (op->kind) {
	case OP_TAKE:
		if (counter)
			p = 0; /* another kind's data under this key: start over */
		if (!rl_bucket_take(p, op->now, op->interval, op->capacity, &nt, &op->retry)) {
			op->verdict = RL_DENY;
			return st;
		}
		op->verdict = RL_ALLOW;
		return with_gen(gen, nt);
	case OP_BLOCKED:
		op->verdict = counter && rl_counter_blocked(p, op->now, op->max, &op->retry)
				  ? RL_DENY
				  : RL_ALLOW;
		return st;
	case OP_FAIL:
		nt = rl_counter_add(counter ? p : 0, op->now, op->window);
		op->count = rl_counter_count(nt);
		return with_gen(gen, ST_KIND | nt);
	case OP_RESET:
		return p == 0 ? st : with_gen(gen, 0);
	}
	return st;
}

/* Apply op to slot s while it holds key.  Returns 1 (done), 0 (the slot
 * holds another key now) or -1 (marked for too long: repair it). */
static int slot_apply(struct rl_slot *s, uint64_t key, struct op *op)
{
	unsigned spins = 0;

	for (;;) {
		uint64_t st, nst;

		if (atomic_load(&s->key) != key)
			return 0;
		st = atomic_load(&s->state);
		if (atomic_load(&s->key) != key)
			return 0;
		if ((st & ST_PAYLOAD) == ST_MARK) {
			if (++spins > MARK_SPINS)
				return -1;
			sched_yield();
			continue;
		}
		nst = apply(op, st);
		if (nst == st || atomic_compare_exchange_strong(&s->state, &st, nst))
			return 1;
	}
}

static void log_full(struct rl_table *t)
{
	if (t->full_logged)
		return;
	t->full_logged = true;
	log_warn("ratelimit",
		 "rate limit table %s is full: new clients are allowed untracked (logged once; "
		 "entries are reused as they go idle)",
		 t->path);
}

/* Under the group lock: repair stale marks, find key or a slot for it
 * (empty, else idle: evicted), and apply op there. */
static bool locked_apply(struct rl_slot *grp, uint64_t key, struct op *op)
{
	struct rl_slot *found = NULL, *empty = NULL;

	for (unsigned i = 0; i < RL_GROUP; i++) {
		struct rl_slot *s = &grp[i];
		uint64_t k = atomic_load(&s->key), st = atomic_load(&s->state);

		if ((st & ST_PAYLOAD) == ST_MARK) /* its evicter died mid-way */
			atomic_store(&s->state, with_gen(gen_of(st) + 1, 0));
		if (k == key)
			found = s;
		else if (k == 0 && empty == NULL)
			empty = s;
	}
	if (found == NULL && empty) {
		atomic_store(&empty->key, key);
		found = empty;
	}
	for (unsigned i = 0; found == NULL && i < RL_GROUP; i++) {
		struct rl_slot *s = &grp[i];
		uint64_t st = atomic_load(&s->state);

		if (!idle(st, op->now))
			continue;
		/* Mark first: an update of the old key between our look and the
		 * mark makes the CAS fail, and the entry is looked at again. */
		if (!atomic_compare_exchange_strong(&s->state, &st,
						    with_gen(gen_of(st), ST_MARK))) {
			i--;
			continue;
		}
		atomic_store(&s->key, key);
		atomic_store(&s->state, with_gen(gen_of(st) + 1, 0));
		found = s;
	}
	if (found == NULL)
		return false;
	return slot_apply(found, key, op) == 1;
}

static void run(struct rl_table *t, uint64_t key, struct op *op)
{
	uint32_t g = (uint32_t)((key & ~KEY_SET) % t->ngroups);
	struct rl_slot *grp = &t->slots[(size_t)g * RL_GROUP];
	bool ok;

	op->verdict = RL_ALLOW;
	op->now = (uint64_t)clock_monotonic_us();
	for (unsigned i = 0; i < RL_GROUP; i++) {
		if (atomic_load(&grp[i].key) != key)
			continue;
		int r = slot_apply(&grp[i], key, op);

		if (r == 1)
			return;
		break; /* evicted meanwhile, or a stale mark */
	}
	if (op->kind == OP_BLOCKED || op->kind == OP_RESET) {
		/* Nothing to read or forget unless the key is there. */
		for (unsigned i = 0; i < RL_GROUP; i++)
			if (atomic_load(&grp[i].key) == key)
				goto locked;
		return;
	}
locked:
	if (group_lock(t, g, F_WRLCK) != 0) {
		if (!t->lock_logged)
			log_warn("ratelimit",
				 "rate limit table %s: lock: %s (allowing, logged once)", t->path,
				 strerror(errno));
		t->lock_logged = true;
		op->verdict = RL_UNTRACKED;
		return;
	}
	ok = locked_apply(grp, key, op);
	group_lock(t, g, F_UNLCK);
	if (!ok) {
		log_full(t);
		op->verdict = RL_UNTRACKED;
		op->count = 0;
	}
}

enum rl_verdict rl_take(struct rl_table *t, uint64_t key, uint64_t interval_us, uint64_t capacity,
			uint64_t *retry_us)
{
	struct op op = {.kind = OP_TAKE,
			.interval = interval_us ? interval_us : 1,
			.capacity = capacity ? capacity : 1};

	run(t, key, &op);
	if (op.verdict == RL_DENY)
		*retry_us = op.retry;
	return op.verdict;
}

enum rl_verdict rl_fail_blocked(struct rl_table *t, uint64_t key, unsigned max, uint64_t *retry_us)
{
	struct op op = {.kind = OP_BLOCKED, .max = max ? max : 1};

	run(t, key, &op);
	if (op.verdict == RL_DENY)
		*retry_us = op.retry;
	return op.verdict == RL_DENY ? RL_DENY : RL_ALLOW;
}

unsigned rl_fail_add(struct rl_table *t, uint64_t key, uint64_t window_us)
{
	struct op op = {.kind = OP_FAIL, .window = window_us};

	run(t, key, &op);
	return op.count;
}

void rl_fail_reset(struct rl_table *t, uint64_t key)
{
	struct op op = {.kind = OP_RESET};

	run(t, key, &op);
}
