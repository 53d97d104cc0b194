/*
 * store_history.c -- the versions of a kind by issued time (`history`,
 * store_history) and the key listings the views group by
 * (store_index_keys, store_area_children). One read transaction each.
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

int
store_index_keys(store *s, const struct rm_kind_ops *kind, const char *prefix,
    int (*each)(void *arg, const char *key), void *arg)
{
	uint8_t kb[STORE_INDEX_KEY_MAX];
	char key[RM_INDEX_KEY_MAX + 1];
	size_t pn, kn;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	int mrc, err = RM_OK;

	if (s == NULL || kind == NULL || each == NULL || prefix == NULL ||
	    strlen(prefix) > RM_INDEX_KEY_MAX)
		return RM_EINVAL;
	pn = store_kind_key(kb, kind, prefix, strlen(prefix));
	kn = pn - strlen(prefix);            /* kind NUL */
	k.mv_size = pn;
	k.mv_data = kb;
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, s->db_index, &cur)) != 0)
		goto done;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_NODUP)) {
		if (k.mv_size < pn || memcmp(k.mv_data, kb, pn) != 0)
			break;
		if (k.mv_size - kn > RM_INDEX_KEY_MAX) {
			mrc = MDB_CORRUPTED;
			break;
		}
		memcpy(key, (const uint8_t *)k.mv_data + kn, k.mv_size - kn);
		key[k.mv_size - kn] = '\0';
		if ((err = each(arg, key)) != RM_OK)
			break;
	}
	mdb_cursor_close(cur);
done:
	store_rd_end(s, txn);
	return err != RM_OK ? err : mdb_rm(mrc);
}

/* The area one level below a prefix of length pl in which the key
 * area a (a longer significant prefix starting with it) lies; its
 * length, 0 if none. */
static size_t
child_of(const char *a, size_t pl, char out[RM_AREA_CODE_MAX + 1])
{
	static const size_t levels[] = { 2, 4, 6, 9, 12 };
	char t[RM_AREA_CODE_MAX + 1];
	size_t i = 0, an = strlen(a), l;

	while (i < sizeof(levels) / sizeof(levels[0]) && levels[i] <= pl)
		i++;
	if (i == sizeof(levels) / sizeof(levels[0]))
		return 0;
	l = levels[i] < an ? levels[i] : an;
	memcpy(t, a, l);
	t[l] = '\0';
	return area_code_prefix(t, out);
}

int
store_area_children(store *s, const struct rm_kind_ops *kind,
    const char *area, int (*each)(void *arg, const char *prefix), void *arg)
{
	char pre[RM_AREA_CODE_MAX + 1] = "", a[RM_AREA_CODE_MAX + 1];
	char child[RM_AREA_CODE_MAX + 1];
	uint8_t kb[STORE_INDEX_KEY_MAX], sk[STORE_INDEX_KEY_MAX + 1];
	size_t pn, kn, pl = 0, cl;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	int mrc, err = RM_OK;

	if (s == NULL || kind == NULL || each == NULL ||
	    (area != NULL && !area_code_valid(area)))
		return RM_EINVAL;
	if (area != NULL)
		pl = area_code_prefix(area, pre);
	pn = store_kind_key(kb, kind, pre, pl);
	kn = pn - pl;
	k.mv_size = pn;
	k.mv_data = kb;
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, s->db_within, &cur)) != 0)
		goto done;
	mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (mrc == 0) {
		if (k.mv_size < pn || memcmp(k.mv_data, kb, pn) != 0)
			break;
		if (k.mv_size - kn > RM_AREA_CODE_MAX) {
			mrc = MDB_CORRUPTED;
			break;
		}
		if (k.mv_size == pn) {       /* the area itself */
			mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_NODUP);
			continue;
		}
		memcpy(a, (const uint8_t *)k.mv_data + kn, k.mv_size - kn);
		a[k.mv_size - kn] = '\0';
		if ((cl = child_of(a, pl, child)) == 0 || cl <= pl) {
			mrc = MDB_CORRUPTED;
			break;
		}
		if ((err = each(arg, child)) != RM_OK)
			break;
		/* skip the child's own subtree: kind NUL child 0xff */
		memcpy(sk, kb, kn);
		memcpy(sk + kn, child, cl);
		sk[kn + cl] = 0xff;
		k.mv_size = kn + cl + 1;
		k.mv_data = sk;
		mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	}
	mdb_cursor_close(cur);
done:
	store_rd_end(s, txn);
	return err != RM_OK ? err : mdb_rm(mrc);
}
