/*
 * store_apply.c -- one write job inside the writer's transaction: the
 * merge rules of store.h (duplicates, per-origin log, fork evidence,
 * latest version and equivocation) and heads; the in-force indexes and
 * `history` are filed by store_index.c. docs/STORAGE.md states the
 * rules this file implements.
 *
 * Convention: functions here return an LMDB code (0 = success); a
 * non-zero code aborts the whole batch. Outcomes that concern only the
 * job (duplicate, fork, seal failure) are written to the job and 0 is
 * returned.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "node/store/store_int.h"

void
store_be64_put(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t
store_be64_get(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

size_t
store_seqkey(uint8_t *k, const char *origin, uint64_t seq)
{
	size_t n = strnlen(origin, RM_AGENCY_ID_MAX);

	memcpy(k, origin, n);
	k[n] = 0;
	store_be64_put(k + n + 1, seq);
	return n + 9;
}

int
store_decode_signed(const uint8_t *p, size_t n, struct rm_record *rec,
    rm_why *why)
{
	struct cose_sign1 msg;
	int rv;

	if ((rv = cose_sign1_decode(p, n, &msg, why)) != RM_OK)
		return rv;
	return record_decode(msg.payload, msg.payload_len, rec, why);
}

size_t
store_kind_key(uint8_t *k, const struct rm_kind_ops *kind, const char *key,
    size_t n)
{
	size_t kn = strnlen(kind->name, RM_KIND_NAME_MAX);

	if (n > RM_INDEX_KEY_MAX)
		n = RM_INDEX_KEY_MAX;
	memcpy(k, kind->name, kn);
	k[kn] = 0;
	memcpy(k + kn + 1, key, n);
	return kn + 1 + n;
}

int
store_meta_get_u64(store *s, MDB_txn *txn, const char *key, uint64_t *out)
{
	MDB_val k = { strlen(key), (void *)key }, v;
	int mrc;

	mrc = mdb_get(txn, s->db_meta, &k, &v);
	if (mrc == MDB_NOTFOUND) {
		*out = 0;
		return 0;
	}
	if (mrc != 0)
		return mrc;
	if (v.mv_size != 8)
		return MDB_CORRUPTED;
	*out = store_be64_get(v.mv_data);
	return 0;
}

int
store_meta_put_u64(store *s, MDB_txn *txn, const char *key, uint64_t v)
{
	uint8_t b[8];
	MDB_val k = { strlen(key), (void *)key }, d = { 8, b };

	store_be64_put(b, v);
	return mdb_put(txn, s->db_meta, &k, &d, 0);
}

int
store_heads_get(store *s, MDB_txn *txn, const char *origin,
    struct store_heads *h)
{
	MDB_val k = { strlen(origin), (void *)origin }, v;
	int mrc;

	memset(h, 0, sizeof(*h));
	mrc = mdb_get(txn, s->db_heads, &k, &v);
	if (mrc == MDB_NOTFOUND)
		return 0;
	if (mrc != 0)
		return mrc;
	if (v.mv_size != STORE_HEADS_LEN)
		return MDB_CORRUPTED;
	h->contig = store_be64_get(v.mv_data);
	h->max = store_be64_get((const uint8_t *)v.mv_data + 8);
	h->flags = ((const uint8_t *)v.mv_data)[16];
	return 0;
}

int
store_heads_put(store *s, MDB_txn *txn, const char *origin,
    const struct store_heads *h)
{
	uint8_t b[STORE_HEADS_LEN];
	MDB_val k = { strlen(origin), (void *)origin }, v = { sizeof(b), b };

	store_be64_put(b, h->contig);
	store_be64_put(b + 8, h->max);
	b[16] = h->flags;
	return mdb_put(txn, s->db_heads, &k, &v, 0);
}

/* log[origin, seq] into *out; MDB_NOTFOUND if absent. */
int
store_log_get(store *s, MDB_txn *txn, const char *origin, uint64_t seq,
    rm_hash *out)
{
	uint8_t kb[STORE_SEQKEY_MAX];
	MDB_val k = { store_seqkey(kb, origin, seq), kb }, v;
	int mrc;

	if ((mrc = mdb_get(txn, s->db_log, &k, &v)) != 0)
		return mrc;
	if (v.mv_size != RM_HASH_BYTES)
		return MDB_CORRUPTED;
	memcpy(out->b, v.mv_data, RM_HASH_BYTES);
	return 0;
}

/* Decode the stored record `h` (must exist and decode). */
int
store_record_load(store *s, MDB_txn *txn, const rm_hash *h,
    struct rm_record *rec)
{
	MDB_val k = { RM_HASH_BYTES, (void *)h->b }, v;
	int mrc;

	if ((mrc = mdb_get(txn, s->db_records, &k, &v)) != 0)
		return mrc == MDB_NOTFOUND ? MDB_CORRUPTED : mrc;
	if (store_decode_signed(v.mv_data, v.mv_size, rec, NULL) != RM_OK)
		return MDB_CORRUPTED;
	return 0;
}

/* Every record that enters `records` (log record or fork evidence) is
 * filed in the RBSR index in the same transaction (store_timeline.c). */
static int
put_record(store *s, MDB_txn *txn, const rm_hash *h,
    const struct rm_record *rec, const uint8_t *p, size_t n)
{
	MDB_val k = { RM_HASH_BYTES, (void *)h->b }, v = { n, (void *)p };
	int mrc;

	if ((mrc = mdb_put(txn, s->db_records, &k, &v, MDB_NOOVERWRITE)) != 0)
		return mrc;
	return store_timeline_add(s, txn, h, (uint64_t)rec->issued_ms);
}

/* Keep a record that forks its origin: stored and listed in `forks`,
 * the origin marked, but kept out of log, latest and active. */
static int
store_fork(store *s, MDB_txn *txn, struct store_job *j,
    const struct rm_record *rec, const uint8_t *p, size_t n,
    struct store_heads *h, uint64_t *forks, const char *why)
{
	uint8_t kb[STORE_SEQKEY_MAX];
	MDB_val k = { store_seqkey(kb, rec->origin, rec->seq), kb };
	MDB_val v = { RM_HASH_BYTES, j->hash.b };
	int mrc;

	if ((mrc = put_record(s, txn, &j->hash, rec, p, n)) != 0)
		return mrc;
	mrc = mdb_put(txn, s->db_forks, &k, &v, MDB_NOOVERWRITE);
	if (mrc == MDB_KEYEXIST && v.mv_size == STORE_FORK_RESOLVED_LEN) {
		/* A third record at a resolved seq: a new, open fork. */
		v.mv_size = RM_HASH_BYTES;
		v.mv_data = j->hash.b;
		mrc = mdb_put(txn, s->db_forks, &k, &v, 0);
	}
	if (mrc != 0 && mrc != MDB_KEYEXIST)
		return mrc;
	h->flags |= STORE_HEADS_FORKED;
	if ((mrc = store_heads_put(s, txn, rec->origin, h)) != 0)
		return mrc;
	(*forks)++;
	j->res.stored = true;
	j->err = rm_fail(&j->iwhy, RM_EFORK, "origin %s seq %llu: %s",
	    rec->origin, (unsigned long long)rec->seq, why);
	return 0;
}

/* Does this version keep its object in force (the kind's rule; expiry
 * is applied when reading)? A restricted version always does. */
static bool
rec_is_active(const struct rm_record *rec)
{
	if (record_restricted(rec))
		return true;     /* content unknown: in force until expiry */
	return rec->kind->in_force != NULL && rec->kind->in_force(rec);
}

/* latest[rec's origin, oid]: its key into kb/k, its value into cur;
 * *had false when the object has no latest version yet. */
static int
latest_get(store *s, MDB_txn *txn, const struct rm_record *rec,
    uint8_t *kb, MDB_val *k, uint8_t *cur, bool *had)
{
	size_t on = strnlen(rec->origin, RM_AGENCY_ID_MAX);
	size_t bn = strnlen(rec->object_id, RM_OBJECT_ID_MAX);
	MDB_val v;
	int mrc;

	memcpy(kb, rec->origin, on);
	kb[on] = 0;
	memcpy(kb + on + 1, rec->object_id, bn);
	k->mv_size = on + 1 + bn;
	k->mv_data = kb;
	*had = false;
	mrc = mdb_get(txn, s->db_latest, k, &v);
	if (mrc == MDB_NOTFOUND)
		return 0;
	if (mrc != 0)
		return mrc;
	if (v.mv_size != STORE_LATEST_LEN)
		return MDB_CORRUPTED;
	memcpy(cur, v.mv_data, STORE_LATEST_LEN);
	*had = true;
	return 0;
}

/* Would the version h of rec replace the latest version cur (merge
 * rule 6: a higher ver, or the same ver with a lower hash)? */
static bool
latest_replaces(const uint8_t *cur, const rm_hash *h,
    const struct rm_record *rec)
{
	uint64_t cver = store_be64_get(cur + RM_HASH_BYTES);

	return rec->ver > cver ||
	    (rec->ver == cver && memcmp(h->b, cur, RM_HASH_BYTES) < 0);
}

/*
 * Merge rule 4, where a record would become the latest version of an
 * existing object: it must be of the object's kind (that of the latest
 * version), and the kind's version rule (rm_kind_ops.transition) must
 * allow it after that version when both are readable (not restricted).
 * A refusal is the job's RM_EBADVALUE: not stored.
 */
static int
transition_check(store *s, MDB_txn *txn, struct store_job *j,
    const struct rm_record *rec)
{
	uint8_t kb[RM_AGENCY_ID_MAX + 1 + RM_OBJECT_ID_MAX];
	uint8_t cur[STORE_LATEST_LEN];
	struct rm_record prev;
	rm_hash ph;
	rm_why w = { "", "" };
	MDB_val k;
	bool had;
	int mrc;

	if ((mrc = latest_get(s, txn, rec, kb, &k, cur, &had)) != 0)
		return mrc;
	if (!had || !latest_replaces(cur, &j->hash, rec))
		return 0;
	memcpy(ph.b, cur, RM_HASH_BYTES);
	if ((mrc = store_record_load(s, txn, &ph, &prev)) != 0)
		return mrc;
	/* An object keeps its kind: a version of another kind would step
	 * around the kind's rule (a task over a removed risk, then the
	 * risk again). */
	if (prev.kind != rec->kind)
		j->err = rm_fail_at(&j->iwhy, RM_EBADVALUE, "kind",
		    "%s/%s is a %s: a %s (ver %llu) cannot be its next version",
		    rec->origin, rec->object_id, prev.kind->name,
		    rec->kind->name, (unsigned long long)rec->ver);
	else if (rec->kind->transition != NULL && rec->body != NULL &&
	    !record_restricted(rec) && prev.body != NULL &&
	    !record_restricted(&prev) &&
	    rec->kind->transition(&prev, rec, &w) != RM_OK)
		j->err = rm_fail_at(&j->iwhy, RM_EBADVALUE, w.field,
		    "%s %s/%s ver %llu cannot follow ver %llu: %s",
		    rec->kind->name, rec->origin, rec->object_id,
		    (unsigned long long)rec->ver,
		    (unsigned long long)prev.ver, w.msg);
	record_fini(&prev);
	return 0;
}

int
store_latest_apply(store *s, MDB_txn *txn, const rm_hash *h,
    const struct rm_record *rec, bool *is_latest, bool *equivocation,
    uint64_t *equivocations)
{
	uint8_t kb[RM_AGENCY_ID_MAX + 1 + RM_OBJECT_ID_MAX];
	uint8_t cur[STORE_LATEST_LEN], nv[STORE_LATEST_LEN];
	MDB_val k, v;
	bool had, active;
	rm_hash old;
	int mrc;

	/* every version entering the log (here, or a fork resolution's
	 * keep) is in `history`; the reader skips pruned ones */
	if ((mrc = store_history_add(s, txn, h, rec)) != 0)
		return mrc;
	if ((mrc = latest_get(s, txn, rec, kb, &k, cur, &had)) != 0)
		return mrc;
	if (had && rec->ver == store_be64_get(cur + RM_HASH_BYTES)) {
		/* Equivocation: both kept, the lower hash wins. */
		(*equivocations)++;
		*equivocation = true;
	}
	if (had && !latest_replaces(cur, h, rec))
		return 0;
	if (had && (cur[RM_HASH_BYTES + 8] & STORE_LATEST_ACTIVE)) {
		struct rm_record orec;

		memcpy(old.b, cur, RM_HASH_BYTES);
		if ((mrc = store_record_load(s, txn, &old, &orec)) != 0)
			return mrc;
		mrc = store_active_update(s, txn, &orec, &old, false);
		record_fini(&orec);
		if (mrc != 0)
			return mrc;
	}
	active = rec_is_active(rec);
	if (active && (mrc = store_active_update(s, txn, rec, h, true)) != 0)
		return mrc;
	memcpy(nv, h->b, RM_HASH_BYTES);
	store_be64_put(nv + RM_HASH_BYTES, rec->ver);
	nv[RM_HASH_BYTES + 8] = active ? STORE_LATEST_ACTIVE : 0;
	v.mv_size = sizeof(nv);
	v.mv_data = nv;
	if ((mrc = mdb_put(txn, s->db_latest, &k, &v, 0)) != 0)
		return mrc;
	*is_latest = true;
	return 0;
}

int
store_latest_withdraw(store *s, MDB_txn *txn, const rm_hash *h,
    const struct rm_record *rec)
{
	uint8_t kb[RM_AGENCY_ID_MAX + 1 + RM_OBJECT_ID_MAX];
	size_t on = strnlen(rec->origin, RM_AGENCY_ID_MAX);
	size_t bn = strnlen(rec->object_id, RM_OBJECT_ID_MAX);
	MDB_val k = { on + 1 + bn, kb }, v;
	int mrc;

	memcpy(kb, rec->origin, on);
	kb[on] = 0;
	memcpy(kb + on + 1, rec->object_id, bn);
	mrc = mdb_get(txn, s->db_latest, &k, &v);
	if (mrc == MDB_NOTFOUND)
		return 0;
	if (mrc != 0)
		return mrc;
	if (v.mv_size != STORE_LATEST_LEN)
		return MDB_CORRUPTED;
	if (memcmp(v.mv_data, h->b, RM_HASH_BYTES) != 0)
		return 0;               /* another version is the latest */
	if ((((const uint8_t *)v.mv_data)[RM_HASH_BYTES + 8] &
	    STORE_LATEST_ACTIVE) &&
	    (mrc = store_active_update(s, txn, rec, h, false)) != 0)
		return mrc;
	return mdb_del(txn, s->db_latest, &k, NULL);
}

/* store_issue: number, link and seal the caller's record. */
static int
prepare_issue(store *s, MDB_txn *txn, struct store_job *j)
{
	struct rm_record *rec = j->irec;
	uint8_t kb[RM_AGENCY_ID_MAX + 1 + RM_OBJECT_ID_MAX];
	size_t on = strnlen(rec->origin, RM_AGENCY_ID_MAX);
	size_t bn = strnlen(rec->object_id, RM_OBJECT_ID_MAX);
	MDB_val k = { on + 1 + bn, kb }, v;
	struct store_heads h;
	int mrc, rv;

	if (on == 0 || bn == 0) {
		j->err = rm_fail(&j->iwhy, RM_EINVAL,
		    "store issue: origin and object id required");
		return 0;
	}
	if ((mrc = store_heads_get(s, txn, rec->origin, &h)) != 0)
		return mrc;
	if ((h.flags & STORE_HEADS_FORKED) &&
	    !store_resolves_own_fork(rec)) {
		j->err = rm_fail(&j->iwhy, RM_EFORK,
		    "store issue: origin %s is marked forked", rec->origin);
		return 0;
	}
	rec->seq = h.max + 1;
	rec->has_prev = rec->seq > 1;
	memset(&rec->prev, 0, sizeof(rec->prev));
	if (rec->has_prev &&
	    (mrc = store_log_get(s, txn, rec->origin, rec->seq - 1, &rec->prev)) != 0)
		return mrc == MDB_NOTFOUND ? MDB_CORRUPTED : mrc;
	rec->ver = j->iver0;
	if (rec->ver == 0) {
		memcpy(kb, rec->origin, on);
		kb[on] = 0;
		memcpy(kb + on + 1, rec->object_id, bn);
		mrc = mdb_get(txn, s->db_latest, &k, &v);
		if (mrc == MDB_NOTFOUND) {
			rec->ver = 1;
			rec->has_supersedes = false;
			memset(&rec->supersedes, 0, sizeof(rec->supersedes));
		} else if (mrc != 0) {
			return mrc;
		} else if (v.mv_size != STORE_LATEST_LEN) {
			return MDB_CORRUPTED;
		} else {
			const uint8_t *cur = v.mv_data;

			rec->ver = store_be64_get(cur + RM_HASH_BYTES) + 1;
			rec->has_supersedes = true;
			memcpy(rec->supersedes.b, cur, RM_HASH_BYTES);
		}
	}
	rm_buf_reset(&j->sealed);
	rv = j->seal(j->seal_arg, rec, &j->sealed, &j->hash, &j->iwhy);
	if (rv != RM_OK)
		j->err = rv;
	else if (j->sealed.len == 0)
		j->err = rm_fail(&j->iwhy, RM_EINVAL,
		    "store issue: seal produced no bytes");
	return 0;
}

int
store_apply_job(store *s, MDB_txn *txn, struct store_job *j,
    uint64_t *forks, uint64_t *equivocations)
{
	const struct rm_record *rec;
	const uint8_t *p;
	struct store_heads h;
	rm_hash cur;
	MDB_val k, v;
	size_t n;
	int mrc;

	j->err = RM_OK;
	j->is_latest = false;
	memset(&j->res, 0, sizeof(j->res));
	if (j->kind == STORE_JOB_ISSUE) {
		if ((mrc = j->seal != NULL ? prepare_issue(s, txn, j) :
		    store_sealed_check(s, txn, j)) != 0 || j->err != RM_OK)
			return mrc;
		rec = j->irec;
		p = j->sealed.data;
		n = j->sealed.len;
	} else {
		rec = &j->rec;
		p = j->bytes;
		n = j->len;
	}
	j->res.hash = j->hash;
	j->res.seq = rec->seq;
	j->res.ver = rec->ver;
	if (rec->origin[0] == '\0' || rec->object_id[0] == '\0' ||
	    rec->seq == 0 || rec->ver == 0) {
		j->err = rm_fail(&j->iwhy, RM_EINVAL,
		    "store: origin, oid, seq and ver required");
		return 0;
	}

	/* A record we already hold: nothing to do. */
	k.mv_size = RM_HASH_BYTES;
	k.mv_data = j->hash.b;
	if ((mrc = mdb_get(txn, s->db_records, &k, &v)) == 0)
		return 0;
	if (mrc != MDB_NOTFOUND)
		return mrc;

	if ((mrc = store_heads_get(s, txn, rec->origin, &h)) != 0)
		return mrc;
	if ((h.flags & STORE_HEADS_FORKED) && !store_resolves_own_fork(rec)) {
		j->err = rm_fail(&j->iwhy, RM_EFORK,
		    "origin %s is marked forked", rec->origin);
		return 0;
	}
	/* A fork resolution takes effect before it is logged: it may
	 * release its own origin and change its log (store_resolve.c). */
	if ((mrc = store_resolve_apply(s, txn, j, rec, p, n,
	    equivocations)) != 0 || j->err != RM_OK)
		return mrc;
	if ((mrc = store_heads_get(s, txn, rec->origin, &h)) != 0)
		return mrc;

	/* The log: first seen wins; anything contradicting it is fork
	 * evidence. */
	mrc = store_log_get(s, txn, rec->origin, rec->seq, &cur);
	if (mrc == 0)
		return store_fork(s, txn, j, rec, p, n, &h, forks,
		    "another record holds this seq");
	if (mrc != MDB_NOTFOUND)
		return mrc;
	if (rec->seq > 1) {
		mrc = store_log_get(s, txn, rec->origin, rec->seq - 1, &cur);
		if (mrc == 0 && (!rec->has_prev ||
		    memcmp(cur.b, rec->prev.b, RM_HASH_BYTES) != 0))
			return store_fork(s, txn, j, rec, p, n, &h, forks,
			    "prev is not the hash of the record at seq-1");
		if (mrc != 0 && mrc != MDB_NOTFOUND)
			return mrc;
	}
	mrc = store_log_get(s, txn, rec->origin, rec->seq + 1, &cur);
	if (mrc == 0) {
		struct rm_record nrec;
		bool linked;

		if ((mrc = store_record_load(s, txn, &cur, &nrec)) != 0)
			return mrc;
		linked = nrec.has_prev &&
		    memcmp(nrec.prev.b, j->hash.b, RM_HASH_BYTES) == 0;
		record_fini(&nrec);
		if (!linked)
			return store_fork(s, txn, j, rec, p, n, &h, forks,
			    "the record at seq+1 links to another record");
	} else if (mrc != MDB_NOTFOUND) {
		return mrc;
	}

	if ((mrc = transition_check(s, txn, j, rec)) != 0 || j->err != RM_OK)
		return mrc;
	if ((mrc = put_record(s, txn, &j->hash, rec, p, n)) != 0)
		return mrc;
	{
		uint8_t kb[STORE_SEQKEY_MAX];

		k.mv_size = store_seqkey(kb, rec->origin, rec->seq);
		k.mv_data = kb;
		v.mv_size = RM_HASH_BYTES;
		v.mv_data = j->hash.b;
		if ((mrc = mdb_put(txn, s->db_log, &k, &v, 0)) != 0)
			return mrc;
	}
	if (rec->seq > h.max)
		h.max = rec->seq;
	if (rec->seq == h.contig + 1) {
		h.contig = rec->seq;
		while ((mrc = store_log_get(s, txn, rec->origin, h.contig + 1,
		    &cur)) == 0)
			h.contig++;
		if (mrc != MDB_NOTFOUND)
			return mrc;
	}
	if ((mrc = store_heads_put(s, txn, rec->origin, &h)) != 0)
		return mrc;
	if ((mrc = store_latest_apply(s, txn, &j->hash, rec, &j->is_latest,
	    &j->res.equivocation, equivocations)) != 0)
		return mrc;
	j->res.stored = true;
	return 0;
}
