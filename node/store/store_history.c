/*
 * store_history.c -- the versions of a kind by issued time (`history`,
 * store_history): one read transaction, a range scan.
 */
#include <errno.h>
#include <string.h>

#include "node/store/store_int.h"

static int
mdb_rm(int mrc)
{
	if (mrc == 0 || mrc == MDB_NOTFOUND)
		return RM_OK;
	return mrc == ENOMEM ? RM_ENOMEM : RM_ESTORE;
}

/* Is h still its origin's log record at rec's seq (not pruned by a
 * fork resolution)? */
static int
in_log(store *s, MDB_txn *txn, const rm_hash *h, const struct rm_record *rec,
    bool *yes)
{
	rm_hash cur;
	int mrc = store_log_get(s, txn, rec->origin, rec->seq, &cur);

	*yes = mrc == 0 && memcmp(cur.b, h->b, RM_HASH_BYTES) == 0;
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

int
store_history(store *s, const struct rm_kind_ops *kind, rm_utc_ms from_ms,
    rm_utc_ms to_ms, store_each_fn each, void *arg)
{
	uint8_t kb[STORE_INDEX_KEY_MAX], probe[STORE_HVAL_LEN];
	MDB_val k, v, rk, rv;
	MDB_cursor *cur;
	MDB_txn *txn;
	uint64_t to = to_ms > 0 ? (uint64_t)to_ms : 0;
	int mrc, err = RM_OK;

	if (s == NULL || kind == NULL || each == NULL)
		return RM_EINVAL;
	if (to_ms <= from_ms || to == 0)
		return RM_OK;
	k.mv_size = store_kind_key(kb, kind, "", 0);
	k.mv_data = kb;
	memset(probe, 0, sizeof(probe));
	store_be64_put(probe, from_ms > 0 ? (uint64_t)from_ms : 0);
	v.mv_size = sizeof(probe);
	v.mv_data = probe;
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, s->db_history, &cur)) != 0)
		goto done;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		struct rm_record rec;
		rm_hash h;
		bool live;

		if (v.mv_size != STORE_HVAL_LEN) {
			mrc = MDB_CORRUPTED;
			break;
		}
		if (store_be64_get(v.mv_data) >= to)
			break;
		memcpy(h.b, (const uint8_t *)v.mv_data + 8, RM_HASH_BYTES);
		rk.mv_size = RM_HASH_BYTES;
		rk.mv_data = h.b;
		if ((mrc = mdb_get(txn, s->db_records, &rk, &rv)) != 0 ||
		    store_decode_signed(rv.mv_data, rv.mv_size, &rec,
		    NULL) != RM_OK) {
			mrc = MDB_CORRUPTED;
			break;
		}
		if ((mrc = in_log(s, txn, &h, &rec, &live)) == 0 && live)
			err = each(arg, &h, rv.mv_data, rv.mv_size, &rec);
		record_fini(&rec);
		if (mrc != 0 || err != RM_OK)
			break;
	}
	mdb_cursor_close(cur);
done:
	store_rd_end(s, txn);
	return err != RM_OK ? err : mdb_rm(mrc);
}
