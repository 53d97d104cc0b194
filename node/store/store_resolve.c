/*
 * store_resolve.c -- a fork resolution inside the writer's transaction
 * (docs/STORAGE.md "Fork resolution"): the fork at (origin, seq) is
 * marked resolved, the log at seq keeps or switches to the chosen
 * record, records chained after the losing one leave the log, and the
 * origin is no longer held unless another fork of it is open.
 *
 * The store never names a kind: a resolution is any record whose kind
 * has rm_kind_ops.resolves. Convention as store_apply.c: LMDB codes are
 * returned, job outcomes go to the job.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "node/store/store_int.h"

static const struct rm_fork_ref *
resolves(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind == NULL || rec->kind->resolves == NULL ||
	    rec->body == NULL)
		return NULL;
	return rec->kind->resolves(rec);
}

bool
store_resolves_own_fork(const struct rm_record *rec)
{
	const struct rm_fork_ref *f = resolves(rec);

	return f != NULL && strcmp(f->origin, rec->origin) == 0;
}

/* The kid in a stored record's COSE header. */
static int
stored_kid(store *s, MDB_txn *txn, const rm_hash *h, rm_hash *kid)
{
	MDB_val k = { RM_HASH_BYTES, (void *)h->b }, v;
	struct cose_sign1 msg;
	int mrc;

	if ((mrc = mdb_get(txn, s->db_records, &k, &v)) != 0)
		return mrc == MDB_NOTFOUND ? MDB_CORRUPTED : mrc;
	if (cose_sign1_decode(v.mv_data, v.mv_size, &msg, NULL) != RM_OK)
		return MDB_CORRUPTED;
	*kid = msg.kid;
	return 0;
}

/* Is any fork of origin still open (a `forks` value without a
 * resolution)? */
static int
open_fork_left(store *s, MDB_txn *txn, const char *origin, bool *open)
{
	uint8_t kb[STORE_SEQKEY_MAX];
	size_t kn = store_seqkey(kb, origin, 0);
	MDB_val k = { kn, kb }, v;
	MDB_cursor *cur;
	int mrc;

	*open = false;
	if ((mrc = mdb_cursor_open(txn, s->db_forks, &cur)) != 0)
		return mrc;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != kn || memcmp(k.mv_data, kb, kn - 8) != 0)
			break;
		if (v.mv_size == RM_HASH_BYTES) {
			*open = true;
			break;
		}
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

/* Take one record out of the log at (origin, seq): it stays in
 * `records` (so it is a duplicate if it comes again) but is no longer
 * a version of anything. */
static int
log_remove(store *s, MDB_txn *txn, const char *origin, uint64_t seq,
    const rm_hash *h, const struct rm_record *rec)
{
	uint8_t kb[STORE_SEQKEY_MAX];
	MDB_val k = { store_seqkey(kb, origin, seq), kb };
	int mrc;

	if ((mrc = store_latest_withdraw(s, txn, h, rec)) != 0)
		return mrc;
	return mdb_del(txn, s->db_log, &k, NULL);
}

/*
 * After `kept` became the log record at seq: remove the records at
 * seq+1, seq+2, ... that do not chain to it (they chain to the losing
 * record), stopping at a gap or at the first record linked to the one
 * kept before it. *last is the highest seq removed (0: none).
 */
static int
prune_after(store *s, MDB_txn *txn, const char *origin, uint64_t seq,
    const rm_hash *kept, uint64_t *last)
{
	rm_hash want = *kept, h;
	bool first = true;
	int mrc;

	*last = 0;
	for (uint64_t i = seq + 1; i != 0; i++) {
		struct rm_record r;
		bool linked;

		if ((mrc = store_log_get(s, txn, origin, i, &h)) != 0)
			return mrc == MDB_NOTFOUND ? 0 : mrc;
		if ((mrc = store_record_load(s, txn, &h, &r)) != 0)
			return mrc;
		linked = r.has_prev &&
		    memcmp(r.prev.b, want.b, RM_HASH_BYTES) == 0;
		/* seq+1 linked to the kept record: the chain holds. Later:
		 * only what links to a removed record goes. */
		if (first == linked) {
			record_fini(&r);
			return 0;
		}
		mrc = log_remove(s, txn, origin, i, &h, &r);
		record_fini(&r);
		if (mrc != 0)
			return mrc;
		want = h;
		first = false;
		*last = i;
	}
	return 0;
}

/* keep is the evidence: it replaces the log record at seq (which, if
 * there is one, becomes the evidence). */
static int
switch_log(store *s, MDB_txn *txn, const struct rm_fork_ref *f,
    const rm_hash *log, struct store_heads *h, uint64_t *equivocations)
{
	uint8_t kb[STORE_SEQKEY_MAX];
	MDB_val k = { store_seqkey(kb, f->origin, f->seq), kb };
	MDB_val v = { RM_HASH_BYTES, (void *)f->keep.b };
	struct rm_record r;
	bool latest = false, equiv = false;
	uint64_t last;
	int mrc;

	if (log != NULL) {
		if ((mrc = store_record_load(s, txn, log, &r)) != 0)
			return mrc;
		mrc = store_latest_withdraw(s, txn, log, &r);
		record_fini(&r);
		if (mrc != 0)
			return mrc;
	}
	if ((mrc = prune_after(s, txn, f->origin, f->seq, &f->keep,
	    &last)) != 0)
		return mrc;
	if ((mrc = mdb_put(txn, s->db_log, &k, &v, 0)) != 0)
		return mrc;
	if ((mrc = store_record_load(s, txn, &f->keep, &r)) != 0)
		return mrc;
	mrc = store_latest_apply(s, txn, &f->keep, &r, &latest, &equiv,
	    equivocations);
	record_fini(&r);
	if (mrc != 0)
		return mrc;
	/* heads: the pruned seqs are gone, seq is filled. */
	if (last != 0 && h->contig > f->seq)
		h->contig = f->seq;
	if (last != 0 && last >= h->max)
		h->max = f->seq;
	if (f->seq > h->max)
		h->max = f->seq;
	if (h->contig == f->seq - 1) {
		rm_hash x;

		h->contig = f->seq;
		while ((mrc = store_log_get(s, txn, f->origin, h->contig + 1,
		    &x)) == 0)
			h->contig++;
		if (mrc != MDB_NOTFOUND)
			return mrc;
	}
	return 0;
}

/* The checks that need the stored records; j->err on refusal. */
static int
resolution_check(store *s, MDB_txn *txn, struct store_job *j,
    const struct rm_record *rec, const uint8_t *p, size_t n,
    const struct rm_fork_ref *f, const rm_hash *evidence,
    const rm_hash *log)
{
	const rm_hash *loser;
	struct cose_sign1 msg;
	rm_hash kid, prev;
	struct rm_record r;
	bool keep_ev = memcmp(f->keep.b, evidence->b, RM_HASH_BYTES) == 0;
	int mrc;

	if (!keep_ev && (log == NULL ||
	    memcmp(f->keep.b, log->b, RM_HASH_BYTES) != 0)) {
		j->err = rm_fail(&j->iwhy, RM_EBADVALUE, "fork resolution: "
		    "keep names neither record of the fork of %s at seq %llu",
		    f->origin, (unsigned long long)f->seq);
		return 0;
	}
	/* The evidence may contradict a neighbour's link rather than hold
	 * the seq itself: it can only be kept if it links to the log at
	 * seq-1 (else the fork is earlier: resolve that seq). */
	if (keep_ev && f->seq > 1) {
		mrc = store_log_get(s, txn, f->origin, f->seq - 1, &prev);
		if (mrc != 0 && mrc != MDB_NOTFOUND)
			return mrc;
		if (mrc == 0) {
			bool linked;

			if ((mrc = store_record_load(s, txn, evidence, &r)) !=
			    0)
				return mrc;
			linked = r.has_prev && memcmp(r.prev.b, prev.b,
			    RM_HASH_BYTES) == 0;
			record_fini(&r);
			if (!linked) {
				j->err = rm_fail(&j->iwhy, RM_EBADVALUE,
				    "fork resolution: the record to keep does "
				    "not link to the log of %s at seq %llu: "
				    "resolve the earlier seq", f->origin,
				    (unsigned long long)(f->seq - 1));
				return 0;
			}
		}
	}
	if (strcmp(rec->origin, f->origin) != 0)
		return 0;               /* a registrar: the roster decided */
	/* The origin itself: not with the key that signed the losing
	 * record (it may be the stolen one that made the fork). */
	loser = keep_ev ? (log != NULL ? log : evidence) : evidence;
	if ((mrc = stored_kid(s, txn, loser, &kid)) != 0)
		return mrc;
	if (cose_sign1_decode(p, n, &msg, NULL) != RM_OK)
		return MDB_CORRUPTED;
	if (memcmp(msg.kid.b, kid.b, RM_HASH_BYTES) == 0)
		j->err = rm_fail(&j->iwhy, RM_EUNAUTH, "fork resolution: %s "
		    "signed it with the key that signed the losing record; "
		    "rotate the agency's key first (or ask a registrar)",
		    f->origin);
	return 0;
}

int
store_resolve_apply(store *s, MDB_txn *txn, struct store_job *j,
    const struct rm_record *rec, const uint8_t *p, size_t n,
    uint64_t *equivocations)
{
	const struct rm_fork_ref *f = resolves(rec);
	uint8_t kb[STORE_SEQKEY_MAX], nv[STORE_FORK_RESOLVED_LEN];
	MDB_val k, v;
	struct store_heads h;
	rm_hash evidence, log;
	bool has_log, open;
	int mrc;

	if (f == NULL)
		return 0;
	k.mv_size = store_seqkey(kb, f->origin, f->seq);
	k.mv_data = kb;
	mrc = mdb_get(txn, s->db_forks, &k, &v);
	if (mrc == MDB_NOTFOUND)
		return 0;               /* no fork here: nothing to resolve */
	if (mrc != 0)
		return mrc;
	if (v.mv_size != RM_HASH_BYTES && v.mv_size != STORE_FORK_RESOLVED_LEN)
		return MDB_CORRUPTED;
	memcpy(evidence.b, v.mv_data, RM_HASH_BYTES);
	mrc = store_log_get(s, txn, f->origin, f->seq, &log);
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return mrc;
	has_log = mrc == 0;
	if (v.mv_size == STORE_FORK_RESOLVED_LEN) {
		/* The first resolution a node applies is final. */
		if (has_log && memcmp(log.b, f->keep.b, RM_HASH_BYTES) == 0)
			return 0;
		j->err = rm_fail(&j->iwhy, RM_EEXIST, "fork resolution: the "
		    "fork of %s at seq %llu is already resolved for another "
		    "record", f->origin, (unsigned long long)f->seq);
		return 0;
	}
	if ((mrc = resolution_check(s, txn, j, rec, p, n, f, &evidence,
	    has_log ? &log : NULL)) != 0 || j->err != RM_OK)
		return mrc;
	if ((mrc = store_heads_get(s, txn, f->origin, &h)) != 0)
		return mrc;
	if (memcmp(f->keep.b, evidence.b, RM_HASH_BYTES) == 0) {
		if ((mrc = switch_log(s, txn, f, has_log ? &log : NULL, &h,
		    equivocations)) != 0)
			return mrc;
		if (has_log)
			evidence = log;     /* the former log record */
	}
	memcpy(nv, evidence.b, RM_HASH_BYTES);
	memcpy(nv + RM_HASH_BYTES, j->hash.b, RM_HASH_BYTES);
	v.mv_size = sizeof(nv);
	v.mv_data = nv;
	if ((mrc = mdb_put(txn, s->db_forks, &k, &v, 0)) != 0)
		return mrc;
	if ((mrc = open_fork_left(s, txn, f->origin, &open)) != 0)
		return mrc;
	if (!open)
		h.flags &= (uint8_t)~STORE_HEADS_FORKED;
	return store_heads_put(s, txn, f->origin, &h);
}
