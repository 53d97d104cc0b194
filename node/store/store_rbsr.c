/*
 * store_rbsr.c -- the RBSR index, read side (store.h "range-based set
 * reconciliation", docs/STORAGE.md "RBSR index"). Each call is one
 * short read transaction.
 *
 * A range's sum is P(hi) - P(lo), where P(k) is the sum of the keys
 * below k counted from a base (the lower bound of the chunk the walk
 * started in): P(k) adds the whole chunks between the base and the
 * chunk holding k (from `timesum`), then scans that chunk's keys
 * (`timeline`) from both ends towards k (walk_scan). A walk only moves
 * forward, so ascending bounds (store_rbsr_sums) read each chunk once.
 */
#include <errno.h>
#include <string.h>

#include "node/store/store_int.h"

/* A forward walk over the chunks, yielding P(k). */
struct walk {
	store *s;
	MDB_txn *txn;
	MDB_cursor *ts;              /* timesum: at the next chunk */
	MDB_cursor *tl;              /* timeline: scans inside a chunk */
	MDB_cursor *tb;              /* timeline: the same, backward */
	bool started;
	uint8_t last[RBSR_KEY_BYTES];    /* the last key asked */
	/* the chunk holding `last` */
	uint8_t lo[RBSR_KEY_BYTES];
	struct rbsr_sum chunk;       /* its sum */
	struct rbsr_sum acc;         /* the chunks from the base to lo */
	/* the chunk after it */
	bool has_next;
	uint8_t next_lo[RBSR_KEY_BYTES];
	struct rbsr_sum next;
	/* keys of [lo, scan) already summed into part */
	uint8_t scan[RBSR_KEY_BYTES];
	struct rbsr_sum part;
};

static int
mdb_rm(int mrc)
{
	switch (mrc) {
	case 0:
		return RM_OK;
	case MDB_NOTFOUND:
		return RM_ENOTFOUND;
	case ENOMEM:
		return RM_ENOMEM;
	default:
		return RM_ESTORE;
	}
}

static int
walk_open(struct walk *w, store *s)
{
	int mrc;

	memset(w, 0, sizeof(*w));
	w->s = s;
	if ((mrc = store_rd_begin(s, &w->txn)) != 0)
		return mrc;
	if ((mrc = mdb_cursor_open(w->txn, s->db_timesum, &w->ts)) != 0 ||
	    (mrc = mdb_cursor_open(w->txn, s->db_timeline, &w->tl)) != 0 ||
	    (mrc = mdb_cursor_open(w->txn, s->db_timeline, &w->tb)) != 0) {
		if (w->tl != NULL)
			mdb_cursor_close(w->tl);
		if (w->ts != NULL)
			mdb_cursor_close(w->ts);
		store_rd_end(s, w->txn);
		return mrc;
	}
	return 0;
}

static void
walk_close(struct walk *w)
{
	mdb_cursor_close(w->tb);
	mdb_cursor_close(w->tl);
	mdb_cursor_close(w->ts);
	store_rd_end(w->s, w->txn);
}

/* Read the chunk under the ts cursor (mrc the cursor's result) into
 * next / next_lo / has_next. */
static int
walk_load_next(struct walk *w, int mrc, const MDB_val *k, const MDB_val *v)
{
	w->has_next = false;
	if (mrc == MDB_NOTFOUND)
		return 0;
	if (mrc != 0)
		return mrc;
	if (k->mv_size != RBSR_KEY_BYTES)
		return MDB_CORRUPTED;
	memcpy(w->next_lo, k->mv_data, RBSR_KEY_BYTES);
	if ((mrc = store_timesum_decode(v, &w->next)) != 0)
		return mrc;
	w->has_next = true;
	return 0;
}

/* Start a walk (a new base) at the chunk holding k. */
static int
walk_start(struct walk *w, const uint8_t *k)
{
	MDB_val mk = { RBSR_KEY_BYTES, (void *)k }, mv;
	int mrc;

	rbsr_sum_zero(&w->acc);
	rbsr_sum_zero(&w->part);
	rbsr_sum_zero(&w->chunk);
	memset(w->lo, 0, sizeof(w->lo));
	w->started = true;
	mrc = mdb_cursor_get(w->ts, &mk, &mv, MDB_SET_RANGE);
	if (mrc == 0 && memcmp(mk.mv_data, k, RBSR_KEY_BYTES) != 0)
		mrc = mdb_cursor_get(w->ts, &mk, &mv, MDB_PREV);
	else if (mrc == MDB_NOTFOUND)
		mrc = mdb_cursor_get(w->ts, &mk, &mv, MDB_LAST);
	if (mrc == MDB_NOTFOUND) {
		/* no chunk at or below k (an empty index): an empty chunk
		 * at RBSR_KEY_MIN, followed by the first chunk if any */
		mrc = mdb_cursor_get(w->ts, &mk, &mv, MDB_FIRST);
	} else if (mrc == 0) {
		if (mk.mv_size != RBSR_KEY_BYTES)
			return MDB_CORRUPTED;
		memcpy(w->lo, mk.mv_data, RBSR_KEY_BYTES);
		if ((mrc = store_timesum_decode(&mv, &w->chunk)) != 0)
			return mrc;
		mrc = mdb_cursor_get(w->ts, &mk, &mv, MDB_NEXT);
	}
	memcpy(w->scan, w->lo, RBSR_KEY_BYTES);
	return walk_load_next(w, mrc, &mk, &mv);
}

/* Move to the next chunk, adding the current one whole. */
static int
walk_advance(struct walk *w)
{
	MDB_val mk, mv;
	int mrc;

	rbsr_sum_merge(&w->acc, &w->chunk);
	memcpy(w->lo, w->next_lo, RBSR_KEY_BYTES);
	w->chunk = w->next;
	memcpy(w->scan, w->lo, RBSR_KEY_BYTES);
	rbsr_sum_zero(&w->part);
	mrc = mdb_cursor_get(w->ts, &mk, &mv, MDB_NEXT);
	return walk_load_next(w, mrc, &mk, &mv);
}

/*
 * part += the keys of [scan, k), all inside the current chunk (k <
 * next_lo). From the chunk's start, two cursors meet k from both ends,
 * a step each in turn: forward adding keys below k, backward from the
 * chunk's end adding keys at or above k (then part = chunk - those),
 * so the keys read are at most twice those between k and the nearer
 * end. After a bound inside the chunk (ascending batch bounds, usually
 * close together) forward only, so that the chunk is read once.
 */
static int
walk_scan(struct walk *w, const uint8_t *k)
{
	MDB_val fk = { RBSR_KEY_BYTES, w->scan }, fv, bk, bv;
	struct rbsr_sum fwd = w->part, bwd;
	bool both = memcmp(w->scan, w->lo, RBSR_KEY_BYTES) == 0;
	int fr, br = MDB_NOTFOUND;

	rbsr_sum_zero(&bwd);
	fr = mdb_cursor_get(w->tl, &fk, &fv, MDB_SET_RANGE);
	if (both && w->has_next) {
		/* the last key below next_lo (NOTFOUND: none) */
		bk.mv_size = RBSR_KEY_BYTES;
		bk.mv_data = w->next_lo;
		br = mdb_cursor_get(w->tb, &bk, &bv, MDB_SET_RANGE);
		if (br == 0)
			br = mdb_cursor_get(w->tb, &bk, &bv, MDB_PREV);
		else if (br == MDB_NOTFOUND)
			br = mdb_cursor_get(w->tb, &bk, &bv, MDB_LAST);
	} else if (both) {
		br = mdb_cursor_get(w->tb, &bk, &bv, MDB_LAST);
	}
	for (;;) {
		/* forward: the first key >= k ends it; so does the end */
		if (fr == MDB_NOTFOUND || (fr == 0 &&
		    memcmp(fk.mv_data, k, RBSR_KEY_BYTES) >= 0)) {
			w->part = fwd;
			return 0;
		}
		if (fr != 0)
			return fr;
		if (fk.mv_size != RBSR_KEY_BYTES)
			return MDB_CORRUPTED;
		rbsr_sum_add(&fwd, (const uint8_t *)fk.mv_data + 8);
		fr = mdb_cursor_get(w->tl, &fk, &fv, MDB_NEXT);
		if (!both)
			continue;
		/* backward: the first key < k ends it; so does the start */
		if (br == MDB_NOTFOUND || (br == 0 &&
		    memcmp(bk.mv_data, k, RBSR_KEY_BYTES) < 0)) {
			store_sum_diff(&w->chunk, &bwd, &w->part);
			return 0;
		}
		if (br != 0)
			return br;
		if (bk.mv_size != RBSR_KEY_BYTES)
			return MDB_CORRUPTED;
		rbsr_sum_add(&bwd, (const uint8_t *)bk.mv_data + 8);
		br = mdb_cursor_get(w->tb, &bk, &bv, MDB_PREV);
	}
}

/* *p = P(k): the sum of the keys in [base, k). A k below the last one
 * asked starts a new base (the caller must not mix P of two bases). */
static int
walk_pos(struct walk *w, const uint8_t *k, struct rbsr_sum *p, bool *rebased)
{
	int mrc;

	*rebased = false;
	if (!w->started || memcmp(k, w->last, RBSR_KEY_BYTES) < 0) {
		if ((mrc = walk_start(w, k)) != 0)
			return mrc;
		*rebased = true;
	}
	memcpy(w->last, k, RBSR_KEY_BYTES);
	while (w->has_next && memcmp(w->next_lo, k, RBSR_KEY_BYTES) <= 0)
		if ((mrc = walk_advance(w)) != 0)
			return mrc;
	if (memcmp(w->scan, k, RBSR_KEY_BYTES) < 0) {
		if ((mrc = walk_scan(w, k)) != 0)
			return mrc;
		memcpy(w->scan, k, RBSR_KEY_BYTES);
	}
	*p = w->acc;
	rbsr_sum_merge(p, &w->part);
	return 0;
}

/* The sum of [lo, hi) (encoded keys) with the walk w. */
static int
walk_range(struct walk *w, const uint8_t *lo, const uint8_t *hi,
    struct rbsr_sum *out)
{
	struct rbsr_sum plo, phi;
	bool rebased;
	int mrc;

	if (memcmp(lo, hi, RBSR_KEY_BYTES) >= 0) {
		rbsr_sum_zero(out);
		return 0;
	}
	if ((mrc = walk_pos(w, lo, &plo, &rebased)) != 0 ||
	    (mrc = walk_pos(w, hi, &phi, &rebased)) != 0)
		return mrc;
	store_sum_diff(&phi, &plo, out);
	return 0;
}

int
store_rbsr_sums(store *s, const struct rbsr_key *bounds, size_t n,
    struct rbsr_sum *out)
{
	uint8_t lo[RBSR_KEY_BYTES], hi[RBSR_KEY_BYTES];
	struct rbsr_sum plo, phi;
	struct walk w;
	bool rebased;
	size_t i;
	int mrc = 0;

	if (s == NULL || bounds == NULL || out == NULL || n == 0)
		return RM_EINVAL;
	if (walk_open(&w, s) != 0)
		return RM_ESTORE;
	rbsr_key_encode(&bounds[0], lo);
	for (i = 0; i < n && mrc == 0; i++) {
		rbsr_key_encode(&bounds[i + 1], hi);
		if (memcmp(lo, hi, RBSR_KEY_BYTES) >= 0) {
			rbsr_sum_zero(&out[i]);
		} else {
			/* P(lo) is known from the range before unless the
			 * walk has to start again (descending bounds) */
			if (i == 0 || !w.started ||
			    memcmp(lo, w.last, RBSR_KEY_BYTES) != 0)
				mrc = walk_pos(&w, lo, &plo, &rebased);
			if (mrc == 0)
				mrc = walk_pos(&w, hi, &phi, &rebased);
			if (mrc == 0)
				store_sum_diff(&phi, &plo, &out[i]);
			plo = phi;
		}
		memcpy(lo, hi, RBSR_KEY_BYTES);
	}
	walk_close(&w);
	return mdb_rm(mrc);
}

int
store_rbsr_sum(store *s, const struct rbsr_key *lo, const struct rbsr_key *hi,
    struct rbsr_sum *out)
{
	uint8_t lb[RBSR_KEY_BYTES], hb[RBSR_KEY_BYTES];
	struct rbsr_sum r;
	struct walk w;
	int mrc;

	if (s == NULL || lo == NULL || hi == NULL || out == NULL)
		return RM_EINVAL;
	rbsr_key_encode(lo, lb);
	rbsr_key_encode(hi, hb);
	if (memcmp(lb, hb, RBSR_KEY_BYTES) >= 0) {
		rbsr_sum_zero(out);
		return RM_OK;
	}
	if (walk_open(&w, s) != 0)
		return RM_ESTORE;
	mrc = walk_range(&w, lb, hb, &r);
	walk_close(&w);
	if (mrc == 0)
		*out = r;
	return mdb_rm(mrc);
}

int
store_rbsr_keys(store *s, const struct rbsr_key *lo, const struct rbsr_key *hi,
    size_t max, struct rbsr_key *out, size_t *n)
{
	uint8_t lb[RBSR_KEY_BYTES], hb[RBSR_KEY_BYTES];
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k = { RBSR_KEY_BYTES, lb }, v;
	size_t got = 0;
	int mrc;

	if (s == NULL || lo == NULL || hi == NULL || n == NULL ||
	    (out == NULL && max > 0))
		return RM_EINVAL;
	rbsr_key_encode(lo, lb);
	rbsr_key_encode(hi, hb);
	if (max == 0 || memcmp(lb, hb, RBSR_KEY_BYTES) >= 0) {
		*n = 0;
		return RM_OK;
	}
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, s->db_timeline, &cur)) == 0) {
		for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		    mrc == 0 && got < max;
		    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (k.mv_size != RBSR_KEY_BYTES) {
				mrc = MDB_CORRUPTED;
				break;
			}
			if (memcmp(k.mv_data, hb, RBSR_KEY_BYTES) >= 0)
				break;
			rbsr_key_decode(k.mv_data, &out[got++]);
		}
		mdb_cursor_close(cur);
	}
	store_rd_end(s, txn);
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return mdb_rm(mrc);
	*n = got;
	return RM_OK;
}

/* The key `skip` keys after the first key >= from (encoded) into out;
 * MDB_NOTFOUND past the end. */
static int
timeline_skip(struct walk *w, const uint8_t *from, uint64_t skip,
    uint8_t *out)
{
	MDB_val k = { RBSR_KEY_BYTES, (void *)from }, v;
	uint64_t i;
	int mrc;

	mrc = mdb_cursor_get(w->tl, &k, &v, MDB_SET_RANGE);
	for (i = 0; mrc == 0 && i < skip; i++)
		mrc = mdb_cursor_get(w->tl, &k, &v, MDB_NEXT);
	if (mrc != 0)
		return mrc;
	if (k.mv_size != RBSR_KEY_BYTES)
		return MDB_CORRUPTED;
	memcpy(out, k.mv_data, RBSR_KEY_BYTES);
	return 0;
}

int
store_rbsr_nth(store *s, const struct rbsr_key *lo, const struct rbsr_key *hi,
    uint64_t idx, struct rbsr_key *out)
{
	uint8_t lb[RBSR_KEY_BYTES], hb[RBSR_KEY_BYTES], kb[RBSR_KEY_BYTES];
	struct rbsr_sum plo;
	struct walk w;
	uint64_t target;
	bool rebased;
	int mrc;

	if (s == NULL || lo == NULL || hi == NULL || out == NULL)
		return RM_EINVAL;
	rbsr_key_encode(lo, lb);
	rbsr_key_encode(hi, hb);
	if (memcmp(lb, hb, RBSR_KEY_BYTES) >= 0)
		return RM_ENOTFOUND;
	if (walk_open(&w, s) != 0)
		return RM_ESTORE;
	/* position of lo counted from its chunk's lower bound, then the
	 * target position; whole chunks are skipped by their counts */
	if ((mrc = walk_pos(&w, lb, &plo, &rebased)) != 0)
		goto done;
	if (idx > UINT64_MAX - plo.count) {
		mrc = MDB_NOTFOUND;
		goto done;
	}
	target = plo.count + idx;
	if (target - w.acc.count < w.chunk.count) {
		/* in lo's chunk: idx keys after lo */
		mrc = timeline_skip(&w, lb, idx, kb);
		goto found;
	}
	while (target - w.acc.count >= w.chunk.count) {
		if (!w.has_next ||
		    memcmp(w.next_lo, hb, RBSR_KEY_BYTES) >= 0) {
			mrc = MDB_NOTFOUND;
			goto done;
		}
		if ((mrc = walk_advance(&w)) != 0)
			goto done;
	}
	mrc = timeline_skip(&w, w.lo, target - w.acc.count, kb);
found:
	if (mrc == 0 && memcmp(kb, hb, RBSR_KEY_BYTES) >= 0)
		mrc = MDB_NOTFOUND;
	if (mrc == 0)
		rbsr_key_decode(kb, out);
done:
	walk_close(&w);
	return mdb_rm(mrc);
}

int
store_rbsr_get(store *s, uint64_t issued_ms, const uint8_t *prefix,
    size_t prefix_len, rm_buf *out)
{
	uint8_t kb[RBSR_KEY_BYTES];
	struct rbsr_key probe;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k = { RBSR_KEY_BYTES, kb }, v, rk, rval;
	int mrc, err = RM_OK;

	if (s == NULL || prefix == NULL || out == NULL || prefix_len == 0 ||
	    prefix_len > RM_HASH_BYTES)
		return RM_EINVAL;
	/* the lowest key with this issued time and prefix */
	memset(&probe, 0, sizeof(probe));
	probe.issued_ms = issued_ms;
	memcpy(probe.hash, prefix, prefix_len);
	rbsr_key_encode(&probe, kb);
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, s->db_timeline, &cur)) == 0) {
		mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (mrc == 0 && (k.mv_size != RBSR_KEY_BYTES ||
		    memcmp(k.mv_data, kb, 8 + prefix_len) != 0))
			mrc = MDB_NOTFOUND;
		if (mrc == 0) {
			rk.mv_size = RM_HASH_BYTES;
			rk.mv_data = (uint8_t *)k.mv_data + 8;
			mrc = mdb_get(txn, s->db_records, &rk, &rval);
			if (mrc == MDB_NOTFOUND)   /* indexed, not stored */
				mrc = MDB_CORRUPTED;
		}
		if (mrc == 0)
			err = rm_buf_append(out, rval.mv_data, rval.mv_size);
		mdb_cursor_close(cur);
	}
	store_rd_end(s, txn);
	return mrc != 0 ? mdb_rm(mrc) : err;
}
