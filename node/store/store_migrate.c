/*
 * store_migrate.c -- layout 2/3 -> 4 in place (docs/STORAGE.md
 * "Layout 4"): inside store_open's write transaction, `active` and
 * `index` are emptied and refiled from `latest` with order-key values,
 * `within` is filled alongside, and `history` is built from `log`.
 * One transaction: a crash leaves the old layout, and the next open
 * migrates again.
 */
#include <string.h>

#include "node/store/store_int.h"

/* Refile every winner that `latest` marks in force. */
static int
migrate_active(store *s, MDB_txn *txn, uint64_t *items)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int mrc;

	if ((mrc = mdb_cursor_open(txn, s->db_latest, &cur)) != 0)
		return mrc;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct rm_record rec;
		rm_hash h;

		if (v.mv_size != STORE_LATEST_LEN) {
			mrc = MDB_CORRUPTED;
			break;
		}
		if (!(((const uint8_t *)v.mv_data)[RM_HASH_BYTES + 8] &
		    STORE_LATEST_ACTIVE))
			continue;
		memcpy(h.b, v.mv_data, RM_HASH_BYTES);
		if ((mrc = store_record_load(s, txn, &h, &rec)) != 0)
			break;
		mrc = store_active_update(s, txn, &rec, &h, true);
		record_fini(&rec);
		if (mrc != 0)
			break;
		(*items)++;
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

/* Every record of every origin's log enters `history`. */
static int
migrate_history(store *s, MDB_txn *txn)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int mrc;

	if ((mrc = mdb_cursor_open(txn, s->db_log, &cur)) != 0)
		return mrc;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct rm_record rec;
		rm_hash h;

		if (v.mv_size != RM_HASH_BYTES) {
			mrc = MDB_CORRUPTED;
			break;
		}
		memcpy(h.b, v.mv_data, RM_HASH_BYTES);
		if ((mrc = store_record_load(s, txn, &h, &rec)) != 0)
			break;
		mrc = store_history_add(s, txn, &h, &rec);
		record_fini(&rec);
		if (mrc != 0)
			break;
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

int
store_migrate(store *s, MDB_txn *txn, uint64_t *items)
{
	int mrc;

	*items = 0;
	/* mdb_drop(.., 0) empties a database and keeps it open */
	if ((mrc = mdb_drop(txn, s->db_active, 0)) != 0 ||
	    (mrc = mdb_drop(txn, s->db_index, 0)) != 0 ||
	    (mrc = mdb_drop(txn, s->db_within, 0)) != 0 ||
	    (mrc = mdb_drop(txn, s->db_history, 0)) != 0)
		return mrc;
	if ((mrc = migrate_active(s, txn, items)) != 0)
		return mrc;
	return migrate_history(s, txn);
}
