/*
 * store_migrate.c -- older layouts in place, inside store_open's write
 * transaction (docs/STORAGE.md "Layout"):
 *   2/3 -> 4: `active` and `index` are emptied and refiled from
 *   `latest` with order-key values, `within` is filled alongside, and
 *   `history` is built from `log`;
 *   4 -> 5: `timeline` and `timesum` (the RBSR index) are built from
 *   `records`.
 * One transaction: a crash leaves the old layout, and the next open
 * migrates again.
 */
#include <errno.h>
#include <stdlib.h>
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

/* Records between two progress reports of the timeline build. */
#define MIGRATE_PROGRESS_EVERY 65536

static int
key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, RBSR_KEY_BYTES);
}

/* The rbsr key of every record, unsorted, into a malloc'd *keys. */
static int
timeline_collect(store *s, MDB_txn *txn, uint8_t **keys, uint64_t *n)
{
	MDB_cursor *cur;
	MDB_stat st;
	MDB_val k, v;
	uint64_t total, i = 0;
	uint8_t *out;
	int mrc;

	if ((mrc = mdb_stat(txn, s->db_records, &st)) != 0)
		return mrc;
	total = st.ms_entries;
	if (total > SIZE_MAX / RBSR_KEY_BYTES)
		return ENOMEM;
	if ((out = malloc(total ? total * RBSR_KEY_BYTES : 1)) == NULL)
		return ENOMEM;
	if ((mrc = mdb_cursor_open(txn, s->db_records, &cur)) != 0) {
		free(out);
		return mrc;
	}
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct rm_record rec;
		struct rbsr_key key;

		if (i >= total || k.mv_size != RM_HASH_BYTES ||
		    store_decode_signed(v.mv_data, v.mv_size, &rec,
		    NULL) != RM_OK) {
			mrc = MDB_CORRUPTED;
			break;
		}
		key.issued_ms = (uint64_t)rec.issued_ms;
		memcpy(key.hash, k.mv_data, RM_HASH_BYTES);
		record_fini(&rec);
		rbsr_key_encode(&key, out + i * RBSR_KEY_BYTES);
		if (++i % MIGRATE_PROGRESS_EVERY == 0 && s->progress != NULL)
			s->progress(s->progress_arg, i, total);
	}
	mdb_cursor_close(cur);
	if (mrc != MDB_NOTFOUND) {
		free(out);
		return mrc;
	}
	*keys = out;
	*n = i;
	return 0;
}

int
store_migrate_timeline(store *s, MDB_txn *txn, uint64_t *n)
{
	uint8_t *keys = NULL, lo[RBSR_KEY_BYTES];
	struct rbsr_sum sum;
	MDB_cursor *cur = NULL;
	MDB_val k, v = { 0, NULL };
	uint64_t i, total = 0;
	int mrc;

	*n = 0;
	if ((mrc = mdb_drop(txn, s->db_timeline, 0)) != 0 ||
	    (mrc = mdb_drop(txn, s->db_timesum, 0)) != 0 ||
	    (mrc = timeline_collect(s, txn, &keys, &total)) != 0)
		return mrc;
	qsort(keys, (size_t)total, RBSR_KEY_BYTES, key_cmp);
	if ((mrc = mdb_cursor_open(txn, s->db_timeline, &cur)) != 0)
		goto done;
	/* Chunks of C keys (room to grow to 2C before a split); the first
	 * starts at RBSR_KEY_MIN. */
	memset(lo, 0, sizeof(lo));
	rbsr_sum_zero(&sum);
	for (i = 0; i < total; i++) {
		const uint8_t *kb = keys + i * RBSR_KEY_BYTES;

		if (i > 0 && i % s->rbsr_chunk == 0) {
			if ((mrc = store_timesum_put(s, txn, lo, &sum)) != 0)
				goto done;
			memcpy(lo, kb, RBSR_KEY_BYTES);
			rbsr_sum_zero(&sum);
		}
		k.mv_size = RBSR_KEY_BYTES;
		k.mv_data = (void *)kb;
		if ((mrc = mdb_cursor_put(cur, &k, &v, MDB_APPEND)) != 0)
			goto done;
		rbsr_sum_add(&sum, kb + 8);
	}
	if (total > 0 && (mrc = store_timesum_put(s, txn, lo, &sum)) != 0)
		goto done;
	if (s->progress != NULL)
		s->progress(s->progress_arg, total, total);
	*n = total;
done:
	if (cur != NULL)
		mdb_cursor_close(cur);
	free(keys);
	return mrc;
}
