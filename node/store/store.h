/*
 * store.h -- the node's local store on LMDB (docs/STORAGE.md).
 *
 * One LMDB environment per node, sub-databases:
 *   records   record hash (32)                  -> signed bytes (COSE_Sign1)
 *   latest    origin NUL object_id              -> hash of winning version
 *                                                  || ver (u64 BE) || flags
 *   log       origin NUL seq (u64 big-endian)   -> hash (first seen wins)
 *   heads     origin                            -> {contiguous seq, max seq,
 *                                                  flags (forked)}
 *   active    kind NUL area code's significant  -> in-force value (DUPSORT,
 *             prefix (area_code_prefix)            DUPFIXED): order key
 *                                                  (UINT64_MAX - issued ms
 *                                                  BE || hash) || expires
 *                                                  ms BE (0 = none)
 *   within    kind NUL each level of the area   -> in-force value
 *             ("" = the whole kind, "12", ...)
 *   index     kind NUL key (rm_kind_ops.        -> in-force value
 *             index_keys: "grade=red")
 *   history   kind NUL                          -> issued ms BE || hash of
 *                                                  every logged version
 *   forks     origin NUL seq                    -> hash of the conflicting record
 *   meta      text key                          -> value ("layout", "forks",
 *                                                  "equivocations")
 *   timeline  rbsr key: issued ms BE || hash    -> empty: every record in
 *                                                  `records` (RBSR's set)
 *   timesum   a chunk's lower bound (rbsr key)  -> the sum of its timeline
 *                                                  keys' hashes (32, LE)
 *                                                  || their count (u64 BE)
 *
 * Writes go through one writer thread with group commit: it takes every
 * job waiting (up to group_max), applies them in one write transaction,
 * commits (fsync), and only then completes the jobs. Nothing is
 * acknowledged before its commit. MDB_MAP_FULL grows the map and
 * retries. Readers use short read transactions and never block the
 * writer (except for the moment the writer grows the map). LMDB types
 * never leave node/store*.c.
 *
 * Thread rules: every function may be called from any thread, except
 * that callbacks (done, observer, the each() of the read functions) must
 * not call store_put_wait, store_issue or store_close: the writer may be
 * waiting for them. Read callbacks run inside a read transaction and may
 * call other read functions and store_put.
 *
 * Merge rules (docs/STORAGE.md "Merge rules"): per (origin, object id) the highest
 * ver wins; two different records with one (origin, object id, ver) are
 * an equivocation: both are kept, the lower hash wins, it is counted.
 * Two different records with one (origin, seq) are a fork: both are
 * kept, the first stays in the log, the second is recorded in `forks`
 * and the origin is marked forked (store_put refuses its new records with
 * RM_EFORK until the fork is resolved).
 *
 * Fork resolution (docs/STORAGE.md): a record whose kind resolves a fork
 * (rm_kind_ops.resolves: origin, seq, keep) applies when it is stored,
 * before its own log rules: the `forks` entry gets the resolution's hash
 * (the evidence stays), the log at seq keeps the chosen record or
 * switches to it (the former log record becomes the evidence; records
 * after seq chained to it leave the log and every index but stay in
 * `records`, so they are never accepted again), and the origin's forked
 * flag is cleared unless another fork of it is open. A resolution from
 * the forked origin itself is accepted while it is held, but refused
 * (RM_EUNAUTH) if signed with the key (kid) that signed the losing
 * record; one whose keep names neither record is RM_EBADVALUE; a second
 * one keeping the other record is RM_EEXIST (the first applied is
 * final). A resolution for a fork this node never saw is stored as a
 * plain record.
 */
#ifndef RM_NODE_STORE_H
#define RM_NODE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "federation/rbsr/rbsr.h"
#include "schemas/schemas.h"

typedef struct store store;

struct store_opts {
	const char *dir;               /* created if missing (mode 0700) */
	size_t map_size_bytes;         /* initial map size; default 64 MiB */
	unsigned max_readers;          /* default 126 */
	unsigned group_max;            /* jobs per transaction; default 1024 */
	unsigned rbsr_chunk_keys;      /* C: keys per chunk of the RBSR
	                                  index, a chunk is split when it
	                                  passes 2C (docs/STORAGE.md "RBSR
	                                  index"); default 1024, clamped to
	                                  2..65536. Any value gives the
	                                  same sums; tests use small ones */
	/* Progress of a migration at open (layout 4 -> 5 reads every
	 * record): called on store_open's thread about every 65,536
	 * records and once at the end, with the records done and the
	 * total. NULL: none. May log; must not call the store. */
	void (*migrate_progress)(void *arg, uint64_t done, uint64_t total);
	void *migrate_progress_arg;
};

/* Open (create) the environment, clear stale readers, migrate an older
 * layout in place (docs/STORAGE.md: 2, 3 and 4 are migrated in one
 * write transaction; a crash leaves the old layout), start the writer.
 * Errors: RM_EIO (dir), RM_EBUSY (another process has it open),
 * RM_ENOMEM, RM_ESTORE (LMDB, an unknown layout; detail in why). */
int store_open(const struct store_opts *opts, store **out, rm_why *why);
/* Finish queued jobs, stop the writer, close the environment. */
void store_close(store *s);

/* ---------------- events ---------------- */

/* A newly stored record, reported after its commit. Everything is
 * borrowed for the duration of the callback. */
struct store_event {
	rm_hash hash;
	const uint8_t *bytes;
	size_t len;
	const struct rm_record *rec;
	const char *source;      /* peer agency it came from, NULL if local */
	bool is_latest;          /* became the winning version of its object */
	bool fork_evidence;      /* kept as evidence of a fork of its origin
	                            (not in the log, never latest): relay it,
	                            do not serve it */
	bool commit_last;        /* the last event of its commit: an
	                            observer may batch work until then */
};

/* Set the observer (once, before any write). Called on the writer thread
 * after each commit, once per newly stored record, in commit order; it
 * must not call store write functions and should return quickly.
 * Newly stored means accepted into its origin's log (err RM_OK) or kept
 * as new fork evidence (the put's err RM_EFORK with stored=true; then
 * ev->fork_evidence is set): evidence must be relayed so that every node
 * detects the fork, but it is no version of anything. ev->rec is the
 * full record: decoded from the bytes by store_put on the caller's
 * thread, or handed over decoded (store_put_decoded). */
void store_set_observer(store *s,
    void (*fn)(void *arg, const struct store_event *ev), void *arg);

/* ---------------- writes ---------------- */

struct store_put_result {
	rm_hash hash;
	bool stored;             /* false: already had it (duplicate) */
	uint64_t seq;
	uint64_t ver;
	bool equivocation;       /* same (origin, oid, ver), different record */
};

typedef void (*store_done_fn)(void *arg, int err,
    const struct store_put_result *res);

/*
 * Queue a verified record for storing. bytes (the signed encoding) are
 * copied and decoded (COSE_Sign1 payload, record_decode) on the
 * caller's thread before return; the signature is not checked again:
 * the caller verified it. hash is the record hash. `source` is the peer
 * agency id (copied) or NULL. done(arg, ...) runs on the writer thread
 * after the commit (err RM_OK) or failure (RM_ESTORE, RM_EFORK if the
 * origin is forked or this record forks it; for a fork resolution
 * RM_EUNAUTH, RM_EBADVALUE or RM_EEXIST, see "Fork resolution" above,
 * nothing stored; RM_EBADVALUE, nothing stored, when the record would
 * become the latest version of an object and its kind's version rule
 * refuses it after that object's latest version: a final state such
 * as a removed risk stays final, rm_kind_ops.transition). Kind-specific fields are
 * reached only through the kind registry (rm_kind_ops: in_force,
 * index_keys). Returns RM_OK if queued, RM_ECLOSED if closing,
 * RM_ENOMEM, RM_EINVAL (NULL argument, len 0, bytes that do not decode
 * as a signed record), RM_ETOOBIG (len > COSE_SIGN1_MAX); in that case
 * done is not called.
 */
int store_put(store *s, const uint8_t *bytes, size_t len,
    const rm_hash *hash, const char *source, store_done_fn done, void *arg);

/*
 * store_put for a caller that has already decoded the record (peer
 * ingest: fed_record_open decoded and verified it), so that the store
 * does not decode it a second time. rec must be the body of bytes as
 * record_decode returns it (the store trusts it: it files the record
 * under rec's origin, seq, object and areas, and the observer reports
 * it). bytes, hash, source, done and arg as for store_put. On RM_OK the
 * store owns what rec holds (its body) and *rec is zeroed, so a later
 * record_fini(rec) is harmless; on any error *rec is unchanged and the
 * caller still owns it. Errors: those of store_put, and RM_EINVAL for a
 * NULL rec or one without a kind; done is then not called.
 */
int store_put_decoded(store *s, const uint8_t *bytes, size_t len,
    const rm_hash *hash, struct rm_record *rec, const char *source,
    store_done_fn done, void *arg);

/* store_put, waiting for the commit; returns the job's error (or the queueing
 * error). res (may be NULL) is written on RM_OK and RM_EFORK. */
int store_put_wait(store *s, const uint8_t *bytes, size_t len,
    const rm_hash *hash, const char *source, struct store_put_result *res);

/*
 * Issue a record of this node's own agency. On the writer thread, in the
 * transaction: sets rec->seq to the next seq of rec->origin, rec->prev to
 * the hash of the previous record (has_prev = seq > 1), and, if rec->ver
 * is 0, rec->ver to the latest version of the object + 1 (1 for a new
 * object) and rec->supersedes to that version's hash; then calls
 * seal(seal_arg, rec, signed_out, why) to encode and sign, and stores
 * the result. Blocks until committed: the own log is on disk before the
 * record can be sent anywhere, so a crash can never make the node sign
 * two records with one seq. rec is updated in place (seq, prev, ver,
 * supersedes). If the batch is retried (map growth) seal is called
 * again with the same fields. Errors: those of seal, RM_ESTORE,
 * RM_ECLOSED, RM_EFORK (the origin is marked forked; a resolution of
 * its own fork passes), a fork resolution's refusals and the kind's
 * version rule (RM_EBADVALUE, as store_put), RM_EINVAL; why names the
 * cause. res (may be NULL) is written on success.
 */
typedef int (*store_seal_fn)(void *arg, struct rm_record *rec, rm_buf *out,
    rm_hash *hash, rm_why *why);
int store_issue(store *s, struct rm_record *rec, store_seal_fn seal,
    void *seal_arg, struct store_put_result *res, rm_why *why);

/* Most records in one store_issue_batch. */
#define STORE_ISSUE_BATCH_MAX 10000

/* One record of a batch: rec and seal_arg in, res out. */
struct store_issue_item {
	struct rm_record *rec;       /* borrowed, updated in place as by
	                                store_issue (seq, prev, ver,
	                                supersedes) */
	void *seal_arg;              /* handed to seal with this record */
	struct store_put_result res; /* written on success */
};

/*
 * Issue n records of this node's own agency in ONE write transaction:
 * store_issue for each of items[0..n) in order, on the writer thread,
 * with consecutive seqs (each prev the hash of the one before), each
 * sealed by seal(items[i].seal_arg, ...) in order, and one commit
 * (fsync) for all. The observer sees them after the commit, in order,
 * as for single issues (commit_last on the last event of the commit).
 * All or nothing: if a seal or a store rule refuses any record (or the
 * origin is forked) nothing of the batch is stored (a nested
 * transaction is aborted; other jobs sharing the commit are not
 * affected), the record's error is returned, *bad (may be NULL) is its
 * index and why says "record I (OBJECT_ID): reason". Map growth
 * retries the whole batch with the same numbers (every record is
 * sealed again). Blocks until committed; single issues and puts queued
 * meanwhile by other threads wait for their turn (the log stays
 * contiguous). Sealing is serial (each prev is the previous record's
 * hash), so the batch takes about n signatures of the writer thread.
 * Errors: those of store_issue; RM_EINVAL also for n 0 or over
 * STORE_ISSUE_BATCH_MAX, a NULL item record. *bad is n when no single
 * record is at fault (closing, commit failure).
 */
int store_issue_batch(store *s, struct store_issue_item *items, size_t n,
    store_seal_fn seal, size_t *bad, rm_why *why);

/* ---------------- pre-sealed batches (store_sealed.c) ----------------
 *
 * A caller that issues many own records can sign them on its own thread
 * instead of the writer's: it reads the origin's log head
 * (store_own_head), numbers and chains the next records from it (seq
 * head+1.., each prev the hash of the one before, ver and supersedes
 * from the object's latest version), signs them, and hands them to
 * store_put_sealed_batch with the head they were chained on. The writer
 * stores them only if that is still the head, so signing batch k+1
 * (chained on batch k's last record) overlaps the writer applying batch
 * k. If the head moved (a single issue, or a peer's copy of the own
 * log, came first) nothing is stored and the caller seals again from
 * the new head; the records signed for seqs that another record took
 * must then be dropped: never stored, never sent, freed. That is not a
 * fork: a fork is two records of one (origin, seq) that both exist
 * outside the signer's memory (stored here, or held by a peer); a
 * record refused here was never written to the store and the store
 * observer never saw it, so no other code, disk or node can ever hold
 * it, and a crash loses it with the process.
 */

/*
 * The head of origin's log as store_issue would chain on it: *seq the
 * highest seq logged (0: none) and *hash the hash of the record logged
 * there (zeroed when *seq is 0). One read transaction; written on
 * RM_OK only. Errors: RM_EINVAL (NULL argument, origin empty or longer
 * than RM_AGENCY_ID_MAX), RM_EFORK (the origin is marked forked: it may
 * not issue), RM_ESTORE. Any thread.
 */
int store_own_head(store *s, const char *origin, uint64_t *seq,
    rm_hash *hash, rm_why *why);

/* One pre-sealed record: rec, bytes and hash in, res out. */
struct store_sealed_item {
	const struct rm_record *rec; /* the record as signed: numbered
	                                (seq, prev, ver, supersedes);
	                                borrowed until the call returns (the
	                                observer sees it), never modified */
	const uint8_t *bytes;        /* its signed bytes (COSE_Sign1),
	                                copied before the call queues */
	size_t len;
	rm_hash hash;                /* record hash of bytes */
	struct store_put_result res; /* written on success */
};

/*
 * Store n records of one origin sealed by the caller, in ONE write
 * transaction, all or nothing, if the origin's log head is still
 * (head_seq, head_hash) (store_own_head; head_hash zero for an empty
 * log). items[i].rec must be seq head_seq+1+i, has_prev iff its seq >
 * 1, prev head_hash for i 0 and items[i-1].hash after (checked before
 * queueing: RM_EINVAL). On the writer thread, for each record in
 * order: the head is still its prev, its object's latest version is
 * still the one it supersedes (none if !has_supersedes; else
 * supersedes with ver rec->ver - 1), then the merge rules, indexes and
 * own-log rules of store_issue; the records are never signed again.
 * One commit (fsync) for all; the observer sees them after it, in
 * order (commit_last on the last event). Blocks until committed or
 * refused. The store never checks the signatures (the caller made
 * them). Errors (nothing of the batch stored, *bad (may be NULL) the
 * index of the record at fault, n when none is):
 *   RM_EBUSY, *bad == n: the head moved (another record of the origin
 *     was stored since the head was read); seal from the new head;
 *   RM_EBUSY, *bad < n: that record's object changed concurrently;
 *   RM_EFORK (the origin is marked forked), RM_EEXIST (a record is
 *     already stored), RM_ESTORE, RM_ECLOSED, RM_ENOMEM;
 *   RM_EINVAL: n 0 or over STORE_ISSUE_BATCH_MAX, a NULL argument or
 *     record, an empty or over COSE_SIGN1_MAX encoding, records of
 *     different origins, without an object id or ver, or not chained
 *     as above.
 * why names the cause. Any thread but the writer's (not from a store
 * callback).
 */
int store_put_sealed_batch(store *s, uint64_t head_seq,
    const rm_hash *head_hash, struct store_sealed_item *items, size_t n,
    size_t *bad, rm_why *why);

/* ---------------- reads ---------------- */

/* Signed bytes of a record (appended to out). RM_ENOTFOUND, RM_ENOMEM,
 * RM_ESTORE. */
int store_get(store *s, const rm_hash *hash, rm_buf *out);
/* Does the store hold a record with this hash? False also when LMDB
 * cannot be read (the caller then treats the record as new: verifying
 * and putting it again is harmless, the put deduplicates). */
bool store_has(store *s, const rm_hash *hash);

/* Hash of the winning version of (origin, object_id). RM_ENOTFOUND. */
int store_latest(store *s, const char *origin, const char *object_id,
    rm_hash *out);

/* Version vector: each(arg, origin, contiguous seq, head) per origin,
 * sorted by origin bytes; head is the hash of the log record at the
 * contiguous seq (NULL when it is 0), so that two logs of one length
 * that differ can be told apart (fork detection). RM_ESTORE. */
int store_vector(store *s,
    void (*each)(void *arg, const char *origin, uint64_t seq,
        const rm_hash *head),
    void *arg);

/* Records of origin with after < seq <= upto, ascending, at most max;
 * each() gets the signed bytes (valid during the call). Stops early and
 * returns each()'s error if non-zero. Only log records (never fork
 * evidence); gaps are skipped. RM_EINVAL (origin NULL, empty or too
 * long), RM_ESTORE. */
int store_log_range(store *s, const char *origin, uint64_t after,
    uint64_t upto, size_t max,
    int (*each)(void *arg, const uint8_t *p, size_t n), void *arg);

/* What the in-force walks report: hash, signed bytes and decoded
 * record, all valid during the call only. A non-zero return stops the
 * walk and is returned. */
typedef int (*store_each_fn)(void *arg, const rm_hash *h, const uint8_t *p,
    size_t n, const struct rm_record *rec);

/*
 * In-force versions of `kind` whose areas overlap `area` (contain it or
 * are contained by it), each once, newest issued first. `area` NULL
 * means all in-force versions of the kind. now: expiry reference (a
 * version is in force while now < expires_ms, record_in_force). Only
 * the winning version of each object is listed, and only if its kind
 * says it is in force (rm_kind_ops.in_force: an alert's Alert or
 * Update). Returns RM_OK, each()'s non-zero value, RM_EINVAL (kind
 * NULL, area not a valid code), RM_ENOMEM, RM_ESTORE.
 */
int store_active(store *s, const struct rm_kind_ops *kind, const char *area,
    rm_utc_ms now, store_each_fn each, void *arg);

/*
 * In-force versions of `kind` filed under a secondary index key (one
 * that rm_kind_ops.index_keys emits, e.g. "grade=red"), newest issued
 * first, with the same rules and errors as store_active(); RM_EINVAL
 * also for a key of 0 or more than RM_INDEX_KEY_MAX bytes.
 */
int store_index_each(store *s, const struct rm_kind_ops *kind,
    const char *key, rm_utc_ms now, store_each_fn each, void *arg);

/* ---------------- queries over the in-force indexes ----------------
 *
 * A query joins sorted lists of the in-force indexes (docs/STORAGE.md
 * "Queries"): each list holds the order keys of the items filed under
 * one key (newest issued first), so an AND of keys is a leapfrog of
 * cursors (each seeks to the first order key >= the others'), an area
 * or a key range is a union of lists merged on the fly, and no record
 * is read unless it is returned. Expiry is in the index value: expired
 * items are skipped without reading them.
 */
#define STORE_QUERY_KEYS_MAX 8
#define STORE_CURSOR_LEN     (8 + 32)     /* inverted issued ms || hash */

/* Where a query resumes: the order key of the last item returned. */
struct store_cursor {
	uint8_t b[STORE_CURSOR_LEN];
};

enum store_area_mode {
	STORE_AREA_OVERLAP = 0,  /* the item's area contains `area` or lies
	                            inside it (store_active) */
	STORE_AREA_WITHIN,       /* the item is filed under an area inside
	                            `area` (equal included): a district's
	                            register */
};

struct store_query {
	const struct rm_kind_ops *kind;    /* required */
	const char *area;                  /* area code; NULL: any area */
	enum store_area_mode area_mode;
	size_t n_keys;                     /* 0..STORE_QUERY_KEYS_MAX */
	const char *keys[STORE_QUERY_KEYS_MAX]; /* exact index keys (the
	                                      kind's index_keys), AND'ed */
	const char *range_lo, *range_hi;   /* both or neither: items filed
	                                      under some index key k with
	                                      lo <= k < hi (bytewise), e.g.
	                                      "review=" .. "review=2026-07-01"
	                                      for review dates before July */
	size_t limit;                      /* items returned; 0: no limit */
	const struct store_cursor *after;  /* resume after this item (a
	                                      previous page's next); NULL:
	                                      from the newest */
	rm_utc_ms now;                     /* expiry reference: an item is
	                                      in force while now < expires */
};

/* One page of a query. */
struct store_page {
	size_t n;                          /* items handed to each() */
	bool more;                         /* another item matches after
	                                      the last one returned */
	struct store_cursor next;          /* the last item's order key
	                                      (valid when n > 0): pass it as
	                                      `after` for the next page */
};

/*
 * The in-force versions of q->kind that match every condition of q,
 * newest issued first (ties by hash), each once, at most q->limit of
 * them, starting after q->after: each(arg, hash, bytes, n, record) per
 * item (valid during the call only; a non-zero return stops the query
 * and is returned). Pages resume exactly: no item is skipped or
 * repeated across pages while nothing is written; an item issued or
 * changed between pages appears where its order key puts it. *page
 * (may be NULL) is written on RM_OK. One read transaction. Errors:
 * RM_EINVAL (kind NULL, more than STORE_QUERY_KEYS_MAX keys, an empty
 * or longer than RM_INDEX_KEY_MAX key or bound, only one range bound,
 * an invalid area code), RM_ENOMEM, RM_ESTORE.
 */
int store_query(store *s, const struct store_query *q, store_each_fn each,
    void *arg, struct store_page *page);

/* How many items store_query would return with no limit and no cursor
 * (q->limit and q->after are ignored); reads no record. *out written on
 * RM_OK. Errors as store_query. */
int store_query_count(store *s, const struct store_query *q, uint64_t *out);

/*
 * Counts of the items matching q (limit and cursor ignored), grouped
 * by up to STORE_GROUP_DIMS_MAX dimensions: dims[d] is an index key
 * prefix ("grade=": an item's label is the key of that prefix it is
 * filed under) or NULL (the area one level below child_area, or below
 * q->area if child_area is NULL, that the item lies in, as
 * store_area_children names it). each(arg, labels, count) once per
 * combination with count > 0, labels[d] the label of dimension d or
 * NULL for items without one (valid during the call; non-zero stops and
 * is returned). Reads no record: one pass over the matches and one
 * over the lists of each dimension. Errors: those of store_query,
 * RM_EINVAL (n_dims 0 or above the maximum, child_area invalid),
 * RM_ETOOBIG (more than 2^22 combinations).
 */
#define STORE_GROUP_DIMS_MAX 4
int store_query_groups(store *s, const struct store_query *q,
    const char *child_area, const char *const *dims, size_t n_dims,
    int (*each)(void *arg, const char *const *labels, uint64_t count),
    void *arg);

/*
 * The index keys of `kind` starting with `prefix` ("grade=",
 * "responsible="; "" for all), ascending: each(arg, key) per key
 * (NUL-terminated, valid during the call; non-zero stops and is
 * returned). Keys are listed while any version of the kind is filed
 * under them. Errors: RM_EINVAL (kind or each NULL, prefix longer than
 * RM_INDEX_KEY_MAX), RM_ESTORE.
 */
int store_index_keys(store *s, const struct rm_kind_ops *kind,
    const char *prefix, int (*each)(void *arg, const char *key), void *arg);

/*
 * The areas one level below `area` (NULL: the provinces) under which
 * in-force versions of `kind` are filed, as significant prefixes
 * (area_code_prefix: "120103" for a district of "12"), ascending:
 * each(arg, prefix) per area, as store_index_keys. Errors: RM_EINVAL
 * (kind or each NULL, area not a valid code), RM_ESTORE.
 */
int store_area_children(store *s, const struct rm_kind_ops *kind,
    const char *area, int (*each)(void *arg, const char *prefix),
    void *arg);

/*
 * Every version of `kind` that entered its origin's log, issued in
 * [from_ms, to_ms), ascending by issued time (ties by hash), whether or
 * not it is in force: each() as store_active. Versions pruned from a
 * log by a fork resolution are skipped. Errors: RM_EINVAL (kind or each
 * NULL), RM_ESTORE, each()'s non-zero value.
 */
int store_history(store *s, const struct rm_kind_ops *kind,
    rm_utc_ms from_ms, rm_utc_ms to_ms, store_each_fn each, void *arg);

struct store_stats {
	uint64_t records;            /* entries in `records` */
	uint64_t origins;
	uint64_t active_alerts;      /* alert entries in `active` (alert x
	                                area; other kinds not counted) */
	uint64_t forks;              /* fork evidence ever recorded */
	uint64_t forks_open;         /* `forks` entries not yet resolved */
	uint64_t forks_resolved;     /* `forks` entries resolved */
	uint64_t equivocations;
	uint64_t commits;            /* write transactions since open */
	uint64_t jobs;               /* jobs committed since open */
	uint64_t map_size_bytes;
	uint64_t map_used_bytes;
	unsigned migrated_from;      /* layout this open migrated from (2,
	                                3 or 4; docs/STORAGE.md), 0: none */
	uint64_t migrated_items;     /* in-force items refiled by it (from
	                                2 or 3) */
	uint64_t migrated_records;   /* records filed in the RBSR index by
	                                it */
	uint64_t rbsr_keys;          /* keys in `timeline` (== records) */
	uint64_t rbsr_chunks;        /* chunks in `timesum` */
};
/* Figures of the store (one read transaction; *out written on success).
 * Errors: RM_ESTORE. */
int store_get_stats(store *s, struct store_stats *out);

/*
 * The fork evidence the store keeps (`forks`), ordered by origin bytes
 * then seq: each(arg, origin, seq, evidence, log, resolution) per entry,
 * where evidence is the hash of the record kept as evidence, log the
 * hash the origin's log holds at that seq (NULL when the log has no
 * record there: the evidence contradicts a neighbour's prev link
 * instead), and resolution the hash of the fork resolution record
 * applied to it (NULL while the fork is open). Everything is valid
 * during the call only; a non-zero return stops the walk and is
 * returned. Errors: RM_ESTORE.
 */
typedef int (*store_fork_fn)(void *arg, const char *origin, uint64_t seq,
    const rm_hash *evidence, const rm_hash *log, const rm_hash *resolution);
int store_forks_each(store *s, store_fork_fn each, void *arg);

/* Is origin marked forked (a fork of it is open: recorded and not
 * resolved)? False also when LMDB cannot be read (the writer checks
 * again inside its transaction before storing). */
bool store_origin_forked(store *s, const char *origin);

/* ---------------- range-based set reconciliation (store_rbsr.c) -----
 *
 * RBSR's set (federation/rbsr/rbsr.h, docs/STORAGE.md "RBSR index") is
 * every record in `records`: log records, fork evidence, everything,
 * ordered by rbsr key (issued ms of the record's common header, then
 * record hash). Ranges are [lo, hi); a range with lo >= hi is empty.
 * The index keeps the sum of every chunk of C consecutive keys (C to
 * 2C), so a range's sum adds whole chunks and scans only the two chunks
 * that hold its bounds: O(chunks in the range + 4C) reads, never a
 * scan of every key.
 *
 * Thread rules: any thread, concurrently with writes and with each
 * other. Each call opens its own short read transaction and closes it
 * before returning: nothing is held between calls (so never across a
 * network round trip), and two calls may see different states of the
 * store if a write committed between them. Not from a callback that
 * must not read (none of the store's own callbacks forbid it).
 */

/*
 * The sum and count of the keys in [lo, hi) into *out (written on
 * RM_OK; the empty sum for an empty range). Errors: RM_EINVAL (a NULL
 * argument), RM_ESTORE (LMDB, a corrupt index).
 */
int store_rbsr_sum(store *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, struct rbsr_sum *out);

/*
 * The sums of n consecutive ranges [bounds[i], bounds[i+1]) for
 * i < n (bounds holds n + 1 keys) into out[0..n), in one read
 * transaction and one pass when the bounds ascend (the engine's
 * splits): each bound is located once, and each chunk between the
 * first and the last bound is read once. A range whose bounds do not
 * ascend is empty (the pass then starts again at the next bound). On
 * an error out[] may have been written in part (the caller's array:
 * discard it). Errors: RM_EINVAL (a NULL argument, n 0), RM_ESTORE.
 */
int store_rbsr_sums(store *s, const struct rbsr_key *bounds, size_t n,
    struct rbsr_sum *out);

/*
 * Up to max keys of [lo, hi), ascending, into out[0..max); *n = how
 * many (0 for an empty range or max 0). Errors: RM_EINVAL (a NULL
 * argument; out may be NULL when max is 0), RM_ESTORE.
 */
int store_rbsr_keys(store *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, size_t max, struct rbsr_key *out, size_t *n);

/*
 * The key at position idx (0-based) of [lo, hi) into *out (written on
 * RM_OK). Found through the chunks' counts: the chunks before the one
 * holding it are skipped whole, so the cost is that of store_rbsr_sum.
 * Errors: RM_ENOTFOUND (idx >= the range's count, an empty range),
 * RM_EINVAL (a NULL argument), RM_ESTORE.
 */
int store_rbsr_nth(store *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, uint64_t idx, struct rbsr_key *out);

/*
 * The signed bytes (COSE_Sign1) of the record issued at issued_ms whose
 * hash starts with prefix[0..prefix_len), appended to out (as
 * store_get). When several match (an ambiguous prefix) the one with the
 * lowest hash is given. Errors: RM_ENOTFOUND (none held), RM_EINVAL (a
 * NULL argument, prefix_len 0 or over RM_HASH_BYTES), RM_ENOMEM (out
 * unchanged), RM_ESTORE.
 */
int store_rbsr_get(store *s, uint64_t issued_ms, const uint8_t *prefix,
    size_t prefix_len, rm_buf *out);

#endif /* RM_NODE_STORE_H */
