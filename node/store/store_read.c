/*
 * store_read.c -- read paths. Each call is one short MDB_RDONLY
 * transaction (store_rd_begin) on the caller's thread; callbacks run
 * inside it, so the bytes they get stay valid for the call only.
 */
#include <string.h>

#include "node/store/store_int.h"

static int
mdb_to_rm(int mrc)
{
	switch (mrc) {
	case 0:
		return RM_OK;
	case MDB_NOTFOUND:
		return RM_ENOTFOUND;
	default:
		return RM_ESTORE;
	}
}

int
store_get(store *s, const rm_hash *hash, rm_buf *out)
{
	MDB_val k = { RM_HASH_BYTES, (void *)hash->b }, v;
	MDB_txn *txn;
	int mrc, rv;

	if ((mrc = store_rd_begin(s, &txn)) != 0)
		return RM_ESTORE;
	mrc = mdb_get(txn, s->db_records, &k, &v);
	rv = mdb_to_rm(mrc);
	if (rv == RM_OK)
		rv = rm_buf_append(out, v.mv_data, v.mv_size);
	store_rd_end(s, txn);
	return rv;
}

bool
store_has(store *s, const rm_hash *hash)
{
	MDB_val k = { RM_HASH_BYTES, (void *)hash->b }, v;
	MDB_txn *txn;
	int mrc;

	if (store_rd_begin(s, &txn) != 0)
		return false;
	mrc = mdb_get(txn, s->db_records, &k, &v);
	store_rd_end(s, txn);
	return mrc == 0;
}

int
store_latest(store *s, const char *origin, const char *object_id,
    rm_hash *out)
{
	uint8_t kb[RM_AGENCY_ID_MAX + 1 + RM_OBJECT_ID_MAX];
	size_t on, bn;
	MDB_val k, v;
	MDB_txn *txn;
	int mrc, rv;

	if (origin == NULL || object_id == NULL)
		return RM_EINVAL;
	on = strlen(origin);
	bn = strlen(object_id);
	if (on == 0 || on > RM_AGENCY_ID_MAX || bn == 0 ||
	    bn > RM_OBJECT_ID_MAX)
		return RM_ENOTFOUND;
	memcpy(kb, origin, on);
	kb[on] = 0;
	memcpy(kb + on + 1, object_id, bn);
	k.mv_size = on + 1 + bn;
	k.mv_data = kb;
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	mrc = mdb_get(txn, s->db_latest, &k, &v);
	rv = mdb_to_rm(mrc);
	if (rv == RM_OK && v.mv_size != STORE_LATEST_LEN)
		rv = RM_ESTORE;
	if (rv == RM_OK)
		memcpy(out->b, v.mv_data, RM_HASH_BYTES);
	store_rd_end(s, txn);
	return rv;
}

int
store_vector(store *s,
    void (*each)(void *arg, const char *origin, uint64_t seq,
        const rm_hash *head),
    void *arg)
{
	char origin[RM_AGENCY_ID_MAX + 1];
	uint8_t kb[STORE_SEQKEY_MAX];
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	int mrc;

	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, s->db_heads, &cur)) != 0)
		goto done;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t contig;
		rm_hash head;
		MDB_val lk, lv;

		if (k.mv_size == 0 || k.mv_size > RM_AGENCY_ID_MAX ||
		    v.mv_size != STORE_HEADS_LEN) {
			mrc = MDB_CORRUPTED;
			break;
		}
		contig = store_be64_get(v.mv_data);
		memcpy(origin, k.mv_data, k.mv_size);
		origin[k.mv_size] = '\0';
		if (contig == 0) {
			each(arg, origin, 0, NULL);
			continue;
		}
		lk.mv_size = store_seqkey(kb, origin, contig);
		lk.mv_data = kb;
		if ((mrc = mdb_get(txn, s->db_log, &lk, &lv)) != 0 ||
		    lv.mv_size != RM_HASH_BYTES) {
			mrc = MDB_CORRUPTED;      /* heads says it is there */
			break;
		}
		memcpy(head.b, lv.mv_data, RM_HASH_BYTES);
		each(arg, origin, contig, &head);
	}
	mdb_cursor_close(cur);
	if (mrc == MDB_NOTFOUND)
		mrc = 0;
done:
	store_rd_end(s, txn);
	return mrc == 0 ? RM_OK : RM_ESTORE;
}

int
store_log_range(store *s, const char *origin, uint64_t after,
    uint64_t upto, size_t max,
    int (*each)(void *arg, const uint8_t *p, size_t n), void *arg)
{
	uint8_t kb[STORE_SEQKEY_MAX];
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v, rk, rv;
	size_t on, count = 0;
	int mrc, err = RM_OK;

	if (origin == NULL || (on = strlen(origin)) == 0 ||
	    on > RM_AGENCY_ID_MAX)
		return RM_EINVAL;
	if (after >= upto || max == 0 || after == UINT64_MAX)
		return RM_OK;
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, s->db_log, &cur)) != 0)
		goto done;
	k.mv_size = store_seqkey(kb, origin, after + 1);
	k.mv_data = kb;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t seq;

		if (k.mv_size != on + 9 || memcmp(k.mv_data, origin, on) != 0 ||
		    ((const uint8_t *)k.mv_data)[on] != 0)
			break;
		seq = store_be64_get((const uint8_t *)k.mv_data + on + 1);
		if (seq > upto || count >= max)
			break;
		if (v.mv_size != RM_HASH_BYTES) {
			mrc = MDB_CORRUPTED;
			break;
		}
		rk = v;
		if ((mrc = mdb_get(txn, s->db_records, &rk, &rv)) != 0) {
			if (mrc == MDB_NOTFOUND)
				mrc = MDB_CORRUPTED;
			break;
		}
		count++;
		if ((err = each(arg, rv.mv_data, rv.mv_size)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (mrc == MDB_NOTFOUND)
		mrc = 0;
done:
	store_rd_end(s, txn);
	if (err != 0)
		return err;
	return mrc == 0 ? RM_OK : RM_ESTORE;
}

bool
store_origin_forked(store *s, const char *origin)
{
	MDB_val k, v;
	MDB_txn *txn;
	bool forked = false;

	if (origin == NULL || origin[0] == '\0')
		return false;
	k.mv_size = strlen(origin);
	k.mv_data = (void *)origin;
	if (store_rd_begin(s, &txn) != 0)
		return false;
	if (mdb_get(txn, s->db_heads, &k, &v) == 0 &&
	    v.mv_size == STORE_HEADS_LEN)
		forked = (((const uint8_t *)v.mv_data)[16] &
		    STORE_HEADS_FORKED) != 0;
	store_rd_end(s, txn);
	return forked;
}

/* ---------------- in-force versions by area or key ----------------
 * The query engine (store_query.c) with one area or one key and no
 * limit: the order keys of the indexes give newest issued first, ties
 * by hash, and expiry, without decoding anything not returned. */

int
store_active(store *s, const struct rm_kind_ops *kind, const char *area,
    rm_utc_ms now, store_each_fn each, void *arg)
{
	struct store_query q;

	if (s == NULL || kind == NULL || each == NULL ||
	    (area != NULL && !area_code_valid(area)))
		return RM_EINVAL;
	memset(&q, 0, sizeof(q));
	q.kind = kind;
	q.area = area;
	q.now = now;
	return store_query(s, &q, each, arg, NULL);
}

int
store_index_each(store *s, const struct rm_kind_ops *kind, const char *key,
    rm_utc_ms now, store_each_fn each, void *arg)
{
	struct store_query q;
	size_t n;

	if (s == NULL || kind == NULL || each == NULL || key == NULL ||
	    (n = strlen(key)) == 0 || n > RM_INDEX_KEY_MAX)
		return RM_EINVAL;
	memset(&q, 0, sizeof(q));
	q.kind = kind;
	q.n_keys = 1;
	q.keys[0] = key;
	q.now = now;
	return store_query(s, &q, each, arg, NULL);
}

int
store_forks_each(store *s, store_fork_fn each, void *arg)
{
	char origin[RM_AGENCY_ID_MAX + 1];
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v, lv;
	int mrc, err = RM_OK;

	if (s == NULL || each == NULL)
		return RM_EINVAL;
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, s->db_forks, &cur)) != 0)
		goto done;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		rm_hash evidence, log, resolution;
		size_t on;
		uint64_t seq;
		bool has_log, resolved = v.mv_size == STORE_FORK_RESOLVED_LEN;

		/* key: origin NUL seq (u64 BE), as store_seqkey writes it */
		if (k.mv_size < 10 || k.mv_size > STORE_SEQKEY_MAX ||
		    kp[k.mv_size - 9] != 0 || (v.mv_size != RM_HASH_BYTES &&
		    v.mv_size != STORE_FORK_RESOLVED_LEN)) {
			mrc = MDB_CORRUPTED;
			break;
		}
		on = k.mv_size - 9;
		memcpy(origin, kp, on);
		origin[on] = '\0';
		seq = store_be64_get(kp + on + 1);
		memcpy(evidence.b, v.mv_data, RM_HASH_BYTES);
		if (resolved)
			memcpy(resolution.b, (const uint8_t *)v.mv_data +
			    RM_HASH_BYTES, RM_HASH_BYTES);
		mrc = mdb_get(txn, s->db_log, &k, &lv);
		if (mrc != 0 && mrc != MDB_NOTFOUND)
			break;
		has_log = mrc == 0 && lv.mv_size == RM_HASH_BYTES;
		if (has_log)
			memcpy(log.b, lv.mv_data, RM_HASH_BYTES);
		mrc = 0;
		if ((err = each(arg, origin, seq, &evidence, has_log ? &log :
		    NULL, resolved ? &resolution : NULL)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (mrc == MDB_NOTFOUND)
		mrc = 0;
done:
	store_rd_end(s, txn);
	if (err != RM_OK)
		return err;
	return mrc == 0 ? RM_OK : RM_ESTORE;
}
