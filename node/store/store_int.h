/*
 * store_int.h -- private to node/store*.c: the store object, write jobs
 * and key helpers shared by store.c (environment), store_writer.c (queue
 * and group commit), store_apply.c (merge rules inside the write
 * transaction) and store_read.c (read paths). LMDB types do not leave
 * these files; never include this header elsewhere.
 */
#ifndef RM_NODE_STORE_INT_H
#define RM_NODE_STORE_INT_H

#include <pthread.h>

#include <lmdb.h>

#include "federation/rbsr/rbsr.h"
#include "node/store/store.h"

/* Layout version kept in meta "layout"; bump on incompatible changes. */
#define STORE_LAYOUT_VERSION "5"
/* Older layouts store_open still opens, migrated in place in one
 * transaction (store_migrate.c): layout 4 gets `timeline` and `timesum`
 * built from `records`; layouts 2 and 3 first get `active` / `index`
 * refiled with order keys and `within` and `history` built. */
#define STORE_LAYOUT_OLD4    "4"
#define STORE_LAYOUT_OLD3    "3"
#define STORE_LAYOUT_OLD2    "2"
/* In-force index value (`active`, `index`, `within`; DUPFIXED):
 * inverted issued ms (u64 BE, UINT64_MAX - issued) || hash (32) ||
 * expires ms (u64 BE, 0 = none). The first STORE_OKEY_LEN bytes are the
 * item's order key: dups sort newest issued first, ties by hash. */
#define STORE_OKEY_LEN       (8 + RM_HASH_BYTES)
#define STORE_IVAL_LEN       (STORE_OKEY_LEN + 8)
/* history value (DUPFIXED): issued ms (u64 BE) || hash (32). */
#define STORE_HVAL_LEN       (8 + RM_HASH_BYTES)
/* Longest `active` / `index` key: kind name, NUL, key. */
#define STORE_INDEX_KEY_MAX  (RM_KIND_NAME_MAX + 1 + RM_INDEX_KEY_MAX)
/* Longest log / forks key: origin, NUL, u64. */
#define STORE_SEQKEY_MAX     (RM_AGENCY_ID_MAX + 1 + 8)
/* latest value: hash (32) || ver (u64 BE) || flags (1). */
#define STORE_LATEST_LEN     (RM_HASH_BYTES + 8 + 1)
#define STORE_LATEST_ACTIVE  0x01   /* its hash is in `active`, `index` */
/* heads value: contiguous (u64 BE) || max (u64 BE) || flags (1). */
#define STORE_HEADS_LEN      17
#define STORE_HEADS_FORKED   0x01
/* forks value: evidence hash (32), then, once resolved, the resolution
 * record's hash (32). */
#define STORE_FORK_RESOLVED_LEN (2 * RM_HASH_BYTES)

/* timesum value: the chunk's sum (32, little-endian, rbsr.h) || its
 * count of keys (u64 BE). The key is the chunk's lower bound (an
 * encoded rbsr key); the chunks partition the key space, the first one
 * starts at RBSR_KEY_MIN. */
#define STORE_TSUM_LEN       (RM_HASH_BYTES + 8)
/* Keys per chunk: a chunk is split in two when it passes twice this
 * (store_opts.rbsr_chunk_keys overrides; docs/STORAGE.md "RBSR index"). */
#define STORE_RBSR_CHUNK_DEFAULT 1024
#define STORE_RBSR_CHUNK_MIN     2
#define STORE_RBSR_CHUNK_MAX     65536

/* heads value, decoded. */
struct store_heads {
	uint64_t contig;             /* seqs 1..contig all in the log */
	uint64_t max;                /* highest seq in the log */
	uint8_t flags;               /* STORE_HEADS_FORKED */
};
/* Map growth: at most this many doublings for one batch. */
#define STORE_GROW_MAX       16

/* PUT: a record handed in (store_put*); ISSUE: one own record sealed
 * in the transaction (store_issue), or, with seal NULL, one already
 * sealed by the caller (a sub job of store_put_sealed_batch); BATCH: n
 * own records in a nested transaction, all or nothing
 * (store_issue_batch, store_put_sealed_batch: store_batch.c,
 * store_sealed.c). */
enum store_job_kind { STORE_JOB_PUT, STORE_JOB_ISSUE, STORE_JOB_BATCH };

struct store_job {
	struct store_job *next;
	enum store_job_kind kind;

	/* PUT: owned copies; rec is decoded from bytes on the caller's
	 * thread (record_fini). */
	uint8_t *bytes;
	size_t len;
	rm_hash hash;
	char *source;
	struct rm_record rec;
	store_done_fn done;
	void *done_arg;

	/* ISSUE: borrowed from the blocked caller. */
	struct rm_record *irec;
	uint64_t iver0;              /* rec->ver as given, for retries */
	store_seal_fn seal;
	void *seal_arg;
	rm_buf sealed;               /* signed bytes of this attempt (a
	                                pre-sealed record's: a copy) */
	rm_why iwhy;
	bool head_moved;             /* pre-sealed (seal NULL): refused
	                                because the log head moved */

	/* Outcome of the current attempt. */
	int err;
	bool is_latest;
	struct store_put_result res;

	/* BATCH: one ISSUE job per record (irec, seal, seal_arg, iver0
	 * set; never queued themselves), owned by the batch job; bad is
	 * the index of the record that failed the attempt. */
	struct store_job *subs;
	size_t n_subs;
	size_t bad;
};

struct store {
	MDB_env *env;
	int lock_fd;                 /* flock(LOCK_EX) on dir/riskmesh.lock */
	MDB_dbi db_records, db_latest, db_log, db_heads;
	MDB_dbi db_active, db_index, db_forks, db_meta;
	MDB_dbi db_within, db_history;   /* layout 4 */
	MDB_dbi db_timeline, db_timesum; /* layout 5 */
	unsigned migrated_from;      /* layout migrated at open, 0 = none */
	uint64_t migrated_items;     /* in-force items refiled then */
	uint64_t migrated_records;   /* records filed in `timeline` then */
	uint64_t rbsr_chunk;         /* keys per timesum chunk (C) */
	uint64_t rbsr_splits;        /* chunks split since open (writer) */
	bool rbsr_off;               /* benchmarks only (tests/bench): the
	                                writer files no timeline key, to
	                                measure the index's write cost */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;          /* store_opts.migrate_progress */
	/* Readers hold it shared for the life of a read transaction; the
	 * writer holds it exclusively only around mdb_env_set_mapsize. */
	pthread_rwlock_t resize_lk;
	unsigned group_max;

	pthread_mutex_t mtx;         /* guards everything below */
	pthread_cond_t work_cv;      /* writer: jobs queued or closing */
	pthread_cond_t done_cv;      /* waiters: some job completed */
	struct store_job *head, *tail;
	bool closing;
	bool writer_started;
	pthread_t writer;
	uint64_t commits;
	uint64_t jobs;

	void (*obs)(void *arg, const struct store_event *ev);
	void *obs_arg;
};

/* ---- store.c ---- */
/* Map an LMDB return code to RM_ESTORE with "what: mdb_strerror". */
int store_mdb_fail(rm_why *why, int mrc, const char *what);
/* A write transaction that could not commit (mrc: LMDB or errno code):
 * RM_ESTORE with why saying so. A full disk or quota (ENOSPC, EDQUOT;
 * EIO while the file system has under STORE_DISK_LOW_BYTES free, as
 * some report a failed flush; MDB_MAP_FULL once growth failed) is
 * "disk full (ENOSPC) at DIR: nothing of this batch was stored". */
#define STORE_DISK_LOW_BYTES (1024u * 1024)
int store_commit_fail(store *s, int mrc, rm_why *why);
/* Double the map (caller has no transaction open). MDB error or 0. */
int store_grow(store *s);
/* Adopt a map size changed by another process (MDB_MAP_RESIZED). */
int store_adopt_mapsize(store *s);
/* Read transaction for the read paths: takes resize_lk shared, begins
 * an MDB_RDONLY txn. store_rd_end aborts it and releases the lock. */
int store_rd_begin(store *s, MDB_txn **txn);
void store_rd_end(store *s, MDB_txn *txn);

/* ---- store_writer.c ---- */
void *store_writer_main(void *arg);
void store_job_free(struct store_job *j);
/* Queue j for the writer; RM_ECLOSED if the store is closing. */
int store_enqueue(store *s, struct store_job *j);

/* ---- store_batch.c ---- */
/* Apply a BATCH job inside txn, in a nested transaction: every sub job
 * in order; if one fails (its err, or not stored) the nested
 * transaction is aborted, the counters are restored, j->err / j->iwhy
 * / j->bad say which record and why, and 0 is returned (the other jobs
 * of the group commit are not affected). An LMDB failure is returned
 * as the MDB code and fails the group, as store_apply_job's. */
int store_batch_apply(store *s, MDB_txn *txn, struct store_job *j,
    uint64_t *forks, uint64_t *equivocations);
/* Release what a BATCH job owns (its subs' sealed bytes, the array). */
void store_batch_release(struct store_job *j);
/* A BATCH job of n ISSUE sub jobs (zeroed otherwise), or NULL (out of
 * memory); store_job_free it. */
struct store_job *store_batch_new(size_t n);
/* Queue the BATCH job j and wait until the writer has completed it
 * (store_complete sets the flag done_arg points at, under the mutex);
 * its error: RM_ECLOSED if the store is closing (j not queued), else
 * j->err with *bad (may be NULL) the record at fault (n_subs when none
 * is, or when the log head moved under a pre-sealed record) and *why
 * its reason. j stays the caller's (store_job_free). */
int store_batch_run(store *s, struct store_job *j, size_t *bad,
    rm_why *why);

/* ---- store_sealed.c ---- */
/* The writer's checks of a pre-sealed record (an ISSUE sub job with
 * seal NULL: store_put_sealed_batch) before it is applied like a put:
 * its origin is not forked (RM_EFORK), the log head is still the
 * record's prev (RM_EBUSY, j->head_moved), the object's latest version
 * is still the one it supersedes (RM_EBUSY). Outcomes in j->err;
 * returns an MDB code. */
int store_sealed_check(store *s, MDB_txn *txn, struct store_job *j);

/* ---- store_apply.c ---- */
/*
 * Apply one job inside the write transaction. Job-level outcomes
 * (duplicate, fork, seal failure) go to j->err / j->res and return 0;
 * an LMDB failure is returned as the MDB code and fails the batch.
 */
int store_apply_job(store *s, MDB_txn *txn, struct store_job *j,
    uint64_t *forks, uint64_t *equivocations);
/* heads[origin] into *h (zeroed if absent) / from *h. MDB code. */
int store_heads_get(store *s, MDB_txn *txn, const char *origin,
    struct store_heads *h);
int store_heads_put(store *s, MDB_txn *txn, const char *origin,
    const struct store_heads *h);
/* log[origin, seq] into *out; MDB_NOTFOUND if absent. */
int store_log_get(store *s, MDB_txn *txn, const char *origin, uint64_t seq,
    rm_hash *out);
/* Decode the stored record h (must exist and decode, else
 * MDB_CORRUPTED); record_fini it. */
int store_record_load(store *s, MDB_txn *txn, const rm_hash *h,
    struct rm_record *rec);
/* Make h (the record rec) the latest version of its object if it wins
 * (higher ver; equal ver: lower hash, counted as an equivocation), and
 * keep `active` / `index` in step. *is_latest, *equivocation set when
 * they happen. MDB code. */
int store_latest_apply(store *s, MDB_txn *txn, const rm_hash *h,
    const struct rm_record *rec, bool *is_latest, bool *equivocation,
    uint64_t *equivocations);
/* If h (the record rec) is the latest version of its object, remove it
 * from `latest`, `active` and `index` (the object then has no latest
 * version until another arrives). MDB code. */
int store_latest_withdraw(store *s, MDB_txn *txn, const rm_hash *h,
    const struct rm_record *rec);

/* In-force index value of (h, rec) into v (STORE_IVAL_LEN bytes). */
void store_ival(uint8_t *v, const rm_hash *h, const struct rm_record *rec);
/* File (add) or unfile the in-force version h (the record rec) under
 * every key of `active`, `within` and `index` (store_index.c). */
int store_active_update(store *s, MDB_txn *txn, const struct rm_record *rec,
    const rm_hash *h, bool add);
/* Add the log record h (rec) to `history`. MDB code. */
int store_history_add(store *s, MDB_txn *txn, const rm_hash *h,
    const struct rm_record *rec);
/* The normalised prefixes `area` is filed under in `within`: "" and
 * its significant prefix at each level up to its own, deduplicated,
 * shortest first, into out (at most 6); returns how many. */
size_t store_area_levels(const char *area,
    char out[6][RM_AREA_CODE_MAX + 1]);

/* ---- store_stream.c ---- */
/* One list: a key and a cursor on its current dup. */
struct qm {
	MDB_cursor *cur;
	uint8_t key[STORE_INDEX_KEY_MAX];
	size_t klen;
	uint8_t v[STORE_IVAL_LEN];
};

/* A stream: a union of lists; heap[0..hn) are the members with a
 * current value, a min-heap by order key. Zero it before use. */
struct qs {
	struct qm *m;
	size_t n, cap;
	size_t *heap, hn;
	uint64_t est;                /* entries of all its lists */
};

/* Compare two order keys (STORE_OKEY_LEN bytes). */
int store_okey_cmp(const uint8_t *a, const uint8_t *b);
/* The stream's head (an in-force value), NULL when it ran out. */
const uint8_t *store_qs_head(const struct qs *q);
/* Close every cursor and free the stream (zeroed). */
void store_qs_fini(struct qs *q);
/* Add the list under key (klen bytes) of dbi, if it exists, positioned
 * at its first dup. MDB code or ENOMEM. */
int store_qs_add(struct qs *q, MDB_txn *txn, MDB_dbi dbi,
    const uint8_t *key, size_t klen);
/* Advance every member whose head is below probe (an in-force value)
 * to its first value >= probe. MDB code. */
int store_qs_seek(struct qs *q, const uint8_t *probe);
/* Step past the current head (every member holding it). MDB code. */
int store_qs_next(struct qs *q);

/* ---- store_query.c ---- */
/* Is q a valid query (store_query's RM_EINVAL rules)? */
bool store_query_valid(const struct store_query *q);
/* The order keys (STORE_OKEY_LEN bytes each, ascending) of every item
 * matching q (limit and cursor ignored) in txn, into a malloc'd *okeys
 * (free it; NULL when *n is 0). MDB code or ENOMEM. */
int store_query_collect(store *s, MDB_txn *txn, const struct store_query *q,
    uint8_t **okeys, size_t *n);

/* ---- store_migrate.c ---- */
/* Rebuild `active`, `index`, `within` from `latest` and `history` from
 * `log` in txn (layout 2/3 -> 4); *items gets the in-force count.
 * MDB code. */
int store_migrate(store *s, MDB_txn *txn, uint64_t *items);
/* Build `timeline` and `timesum` from `records` in txn (layout 4 -> 5):
 * every record decoded for its issued time, the keys sorted and
 * appended, chunks of s->rbsr_chunk keys; s->progress reports. *n gets
 * the number of records. MDB code, ENOMEM. */
int store_migrate_timeline(store *s, MDB_txn *txn, uint64_t *n);

/* ---- store_timeline.c ---- */
/* File the record h issued at issued_ms in `timeline` and add it to
 * its `timesum` chunk (splitting the chunk when it passes twice
 * s->rbsr_chunk keys: C + 1 keys scanned). A key already filed changes
 * nothing. MDB code. */
int store_timeline_add(store *s, MDB_txn *txn, const rm_hash *h,
    uint64_t issued_ms);
/* Put the chunk starting at lo (RBSR_KEY_BYTES) with sum *sum. */
int store_timesum_put(store *s, MDB_txn *txn, const uint8_t *lo,
    const struct rbsr_sum *sum);
/* Decode a timesum value (STORE_TSUM_LEN bytes, else MDB_CORRUPTED). */
int store_timesum_decode(const MDB_val *v, struct rbsr_sum *out);
/* out = b - a: sums subtracted mod 2^256, counts subtracted. */
void store_sum_diff(const struct rbsr_sum *b, const struct rbsr_sum *a,
    struct rbsr_sum *out);

/* ---- store_resolve.c ---- */
/* Does rec resolve a fork of its own origin (the issue path lets it
 * through a forked origin's hold)? */
bool store_resolves_own_fork(const struct rm_record *rec);
/*
 * If rec (signed bytes p, n; hash j->hash) is a fork resolution
 * (rm_kind_ops.resolves), apply it before the record itself is stored:
 * docs/STORAGE.md "Fork resolution". A resolution that cannot apply
 * (the origin's own key signed the losing record, keep names neither
 * record) sets j->err and changes nothing. MDB code.
 */
int store_resolve_apply(store *s, MDB_txn *txn, struct store_job *j,
    const struct rm_record *rec, const uint8_t *p, size_t n,
    uint64_t *equivocations);

/* Read / write the u64 counters kept in meta. */
int store_meta_get_u64(store *s, MDB_txn *txn, const char *key,
    uint64_t *out);
int store_meta_put_u64(store *s, MDB_txn *txn, const char *key, uint64_t v);

/* ---- keys and decoding (store_apply.c) ---- */
void store_be64_put(uint8_t *p, uint64_t v);
uint64_t store_be64_get(const uint8_t *p);
/* kind name NUL key[0..n) (n capped at RM_INDEX_KEY_MAX) into k, which
 * holds STORE_INDEX_KEY_MAX bytes; returns the key length. */
size_t store_kind_key(uint8_t *k, const struct rm_kind_ops *kind,
    const char *key, size_t n);
/* origin NUL seq-BE; returns the key length. */
size_t store_seqkey(uint8_t *k, const char *origin, uint64_t seq);
/* Decode the body of stored signed bytes into *rec (record_fini). */
int store_decode_signed(const uint8_t *p, size_t n, struct rm_record *rec,
    rm_why *why);

#endif /* RM_NODE_STORE_INT_H */
