/*
 * store_index.c -- filing inside the write transaction: an in-force
 * version under its keys of `active` (its areas), `within` (every level
 * of them) and `index` (the kind's index_keys), with the in-force value
 * (order key || expiry, docs/STORAGE.md "Layout"), and every logged
 * version in `history`.
 */
#include <string.h>

#include "node/store/store_int.h"

/* Add (add) or remove one key -> value pair of a DUPSORT index. */
static int
index_pair(MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen, bool add)
{
	MDB_val k = { klen, (void *)key };
	MDB_val v = { vlen, (void *)val };
	int mrc;

	if (add) {
		mrc = mdb_put(txn, dbi, &k, &v, MDB_NODUPDATA);
		return mrc == MDB_KEYEXIST ? 0 : mrc;
	}
	mrc = mdb_del(txn, dbi, &k, &v);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

void
store_ival(uint8_t *v, const rm_hash *h, const struct rm_record *rec)
{
	uint64_t issued = rec->issued_ms > 0 ? (uint64_t)rec->issued_ms : 0;
	uint64_t expires = rec->expires_ms > 0 ? (uint64_t)rec->expires_ms : 0;

	store_be64_put(v, UINT64_MAX - issued);
	memcpy(v + 8, h->b, RM_HASH_BYTES);
	store_be64_put(v + STORE_OKEY_LEN, expires);
}

size_t
store_area_levels(const char *area, char out[6][RM_AREA_CODE_MAX + 1])
{
	static const size_t levels[] = { 2, 4, 6, 9 };
	char pre[RM_AREA_CODE_MAX + 1], t[RM_AREA_CODE_MAX + 1];
	size_t len, i, n = 1;

	out[0][0] = '\0';
	if ((len = area_code_prefix(area, pre)) == 0)
		return 1;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]) &&
	    levels[i] < len; i++) {
		memcpy(t, pre, levels[i]);
		t[levels[i]] = '\0';
		(void)area_code_prefix(t, out[n]);
		if (strcmp(out[n], out[n - 1]) != 0)
			n++;
	}
	if (strcmp(pre, out[n - 1]) != 0)
		memcpy(out[n++], pre, len + 1);
	return n;
}

struct index_emit {
	store *s;
	MDB_txn *txn;
	const struct rm_record *rec;
	const uint8_t *val;
	bool add;
	int mrc;
};

/* rm_kind_ops.index_keys callback: kind NUL key -> value in `index`. */
static int
index_emit_key(void *arg, const char *key)
{
	struct index_emit *e = arg;
	uint8_t kb[STORE_INDEX_KEY_MAX];
	size_t n = strnlen(key, RM_INDEX_KEY_MAX + 1);
	size_t kl = store_kind_key(kb, e->rec->kind, key, n);

	if (n == 0 || n > RM_INDEX_KEY_MAX)
		return RM_OK;            /* not a key the kind may emit */
	e->mrc = index_pair(e->txn, e->s->db_index, kb, kl, e->val,
	    STORE_IVAL_LEN, e->add);
	return e->mrc == 0 ? RM_OK : RM_ESTORE;
}

/*
 * Add or remove an in-force version in the secondary indexes: under
 * (kind, significant prefix of each area) in `active`, under (kind,
 * each level of each area, "" included) in `within`, and under (kind,
 * key) in `index` for each key the kind names (rm_kind_ops.index_keys).
 */
int
store_active_update(store *s, MDB_txn *txn, const struct rm_record *rec,
    const rm_hash *h, bool add)
{
	uint8_t kb[STORE_INDEX_KEY_MAX], val[STORE_IVAL_LEN];
	struct index_emit e = { s, txn, rec, val, add, 0 };
	char lv[6][RM_AREA_CODE_MAX + 1];
	size_t i, l, nl, n;
	int mrc;

	store_ival(val, h, rec);
	for (i = 0; i < rec->n_areas && i < RM_AREAS_MAX; i++) {
		nl = store_area_levels(rec->areas[i], lv);
		if (nl < 2)
			continue;        /* not an area code */
		n = store_kind_key(kb, rec->kind, lv[nl - 1],
		    strlen(lv[nl - 1]));
		if ((mrc = index_pair(txn, s->db_active, kb, n, val,
		    STORE_IVAL_LEN, add)) != 0)
			return mrc;
		for (l = 0; l < nl; l++) {
			n = store_kind_key(kb, rec->kind, lv[l], strlen(lv[l]));
			if ((mrc = index_pair(txn, s->db_within, kb, n, val,
			    STORE_IVAL_LEN, add)) != 0)
				return mrc;
		}
	}
	/* a restricted record's body is not ours to index, even on the
	 * node that issued it (docs/PROTOCOL.md §6a) */
	if (!record_restricted(rec) && rec->kind->index_keys != NULL &&
	    rec->kind->index_keys(rec, index_emit_key, &e) != RM_OK &&
	    e.mrc != 0)
		return e.mrc;
	return 0;
}

int
store_history_add(store *s, MDB_txn *txn, const rm_hash *h,
    const struct rm_record *rec)
{
	uint8_t kb[STORE_INDEX_KEY_MAX], val[STORE_HVAL_LEN];
	size_t n = store_kind_key(kb, rec->kind, "", 0);

	store_be64_put(val, rec->issued_ms > 0 ? (uint64_t)rec->issued_ms : 0);
	memcpy(val + 8, h->b, RM_HASH_BYTES);
	return index_pair(txn, s->db_history, kb, n, val, STORE_HVAL_LEN, true);
}
