/*
 * store_timeline.c -- the RBSR index, write side (docs/STORAGE.md "RBSR
 * index"): every record put into `records` is filed in `timeline` under
 * its rbsr key (issued ms BE || hash) and added to the `timesum` chunk
 * that contains that key, in the same write transaction. A chunk that
 * passes 2C keys is split at once into C keys and the rest: C + 1
 * timeline keys are read, so a split costs about one key read per
 * record inserted since the chunk was last split.
 */
#include <string.h>

#include "node/store/store_int.h"

void
store_sum_diff(const struct rbsr_sum *b, const struct rbsr_sum *a,
    struct rbsr_sum *out)
{
	uint64_t count = b->count - a->count;

	rbsr_sum_diff(b, a, out->sum);
	out->count = count;
}

int
store_timesum_decode(const MDB_val *v, struct rbsr_sum *out)
{
	if (v->mv_size != STORE_TSUM_LEN)
		return MDB_CORRUPTED;
	memcpy(out->sum, v->mv_data, RM_HASH_BYTES);
	out->count = store_be64_get((const uint8_t *)v->mv_data +
	    RM_HASH_BYTES);
	return 0;
}

int
store_timesum_put(store *s, MDB_txn *txn, const uint8_t *lo,
    const struct rbsr_sum *sum)
{
	uint8_t vb[STORE_TSUM_LEN];
	MDB_val k = { RBSR_KEY_BYTES, (void *)lo }, v = { sizeof(vb), vb };

	memcpy(vb, sum->sum, RM_HASH_BYTES);
	store_be64_put(vb + RM_HASH_BYTES, sum->count);
	return mdb_put(txn, s->db_timesum, &k, &v, 0);
}

/* Split the chunk at lo (sum *all, more than 2C keys): its first C keys
 * stay, the rest becomes a chunk starting at the (C+1)-th key. */
static int
timesum_split(store *s, MDB_txn *txn, const uint8_t *lo,
    const struct rbsr_sum *all)
{
	uint8_t mid[RBSR_KEY_BYTES];
	struct rbsr_sum low, high;
	MDB_cursor *cur;
	MDB_val k = { RBSR_KEY_BYTES, (void *)lo }, v;
	uint64_t i;
	int mrc;

	rbsr_sum_zero(&low);
	if ((mrc = mdb_cursor_open(txn, s->db_timeline, &cur)) != 0)
		return mrc;
	mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	for (i = 0; mrc == 0 && i < s->rbsr_chunk; i++) {
		if (k.mv_size != RBSR_KEY_BYTES) {
			mrc = MDB_CORRUPTED;
			break;
		}
		rbsr_sum_add(&low, (const uint8_t *)k.mv_data + 8);
		mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (mrc == 0 && k.mv_size != RBSR_KEY_BYTES)
		mrc = MDB_CORRUPTED;
	if (mrc == 0)
		memcpy(mid, k.mv_data, RBSR_KEY_BYTES);
	mdb_cursor_close(cur);
	if (mrc != 0)   /* fewer keys than the chunk's count */
		return mrc == MDB_NOTFOUND ? MDB_CORRUPTED : mrc;
	store_sum_diff(all, &low, &high);
	if ((mrc = store_timesum_put(s, txn, lo, &low)) != 0 ||
	    (mrc = store_timesum_put(s, txn, mid, &high)) != 0)
		return mrc;
	s->rbsr_splits++;
	return 0;
}

int
store_timeline_add(store *s, MDB_txn *txn, const rm_hash *h,
    uint64_t issued_ms)
{
	uint8_t kb[RBSR_KEY_BYTES], lo[RBSR_KEY_BYTES];
	struct rbsr_key key;
	struct rbsr_sum sum;
	MDB_cursor *cur;
	MDB_val k = { RBSR_KEY_BYTES, kb }, v = { 0, NULL };
	int mrc;

	if (s->rbsr_off)
		return 0;
	key.issued_ms = issued_ms;
	memcpy(key.hash, h->b, RM_HASH_BYTES);
	rbsr_key_encode(&key, kb);
	mrc = mdb_put(txn, s->db_timeline, &k, &v, MDB_NOOVERWRITE);
	if (mrc == MDB_KEYEXIST)
		return 0;
	if (mrc != 0)
		return mrc;
	/* The chunk containing kb: the greatest lower bound <= kb. */
	if ((mrc = mdb_cursor_open(txn, s->db_timesum, &cur)) != 0)
		return mrc;
	mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (mrc == 0 && memcmp(k.mv_data, kb, RBSR_KEY_BYTES) != 0)
		mrc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
	else if (mrc == MDB_NOTFOUND)
		mrc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (mrc == MDB_NOTFOUND) {
		/* no chunk yet: the first one starts at RBSR_KEY_MIN */
		memset(lo, 0, sizeof(lo));
		rbsr_sum_zero(&sum);
		mrc = 0;
	} else if (mrc == 0 && k.mv_size != RBSR_KEY_BYTES) {
		mrc = MDB_CORRUPTED;
	} else if (mrc == 0) {
		memcpy(lo, k.mv_data, RBSR_KEY_BYTES);
		mrc = store_timesum_decode(&v, &sum);
	}
	mdb_cursor_close(cur);
	if (mrc != 0)
		return mrc;
	rbsr_sum_add(&sum, h->b);
	if (sum.count > 2 * s->rbsr_chunk)
		return timesum_split(s, txn, lo, &sum);
	return store_timesum_put(s, txn, lo, &sum);
}
