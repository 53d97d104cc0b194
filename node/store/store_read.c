/*
 * store_read.c -- read paths. Each call is one short MDB_RDONLY
 * transaction (store_rd_begin) on the caller's thread; callbacks run
 * inside it, so the bytes they get stay valid for the call only.
 */
#include <errno.h>
#include <stdlib.h>
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

/* ---------------- in-force alerts by area ---------------- */

struct hashset {
	rm_hash *h;
	size_t n, cap;
};

static int
hashset_add(struct hashset *hs, const MDB_val *v)
{
	if (v->mv_size != RM_HASH_BYTES)
		return MDB_CORRUPTED;
	if (hs->n == hs->cap) {
		size_t cap = hs->cap ? hs->cap * 2 : 16;
		rm_hash *h = realloc(hs->h, cap * sizeof(*h));

		if (h == NULL)
			return ENOMEM;
		hs->h = h;
		hs->cap = cap;
	}
	memcpy(hs->h[hs->n++].b, v->mv_data, RM_HASH_BYTES);
	return 0;
}

static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, RM_HASH_BYTES);
}

/* Every hash under exactly the key (kind, key). */
static int
active_exact(MDB_cursor *cur, const struct rm_kind_ops *kind,
    const char *key, struct hashset *hs)
{
	uint8_t kb[STORE_INDEX_KEY_MAX];
	MDB_val k = { store_kind_key(kb, kind, key, strlen(key)), kb }, v;
	int mrc;

	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP))
		if ((mrc = hashset_add(hs, &v)) != 0)
			return mrc;
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

/* Every hash under keys starting with (kind, pre); pre "" = the whole
 * kind. */
static int
active_prefix(MDB_cursor *cur, const struct rm_kind_ops *kind,
    const char *pre, struct hashset *hs)
{
	uint8_t kb[STORE_INDEX_KEY_MAX];
	size_t n = store_kind_key(kb, kind, pre, strlen(pre));
	MDB_val k = { n, kb }, v;
	int mrc;

	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < n || memcmp(k.mv_data, kb, n) != 0)
			break;
		if ((mrc = hashset_add(hs, &v)) != 0)
			return mrc;
	}
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

/*
 * Hashes of alerts whose areas overlap `area`: keys of `active` are
 * significant prefixes, so the areas containing `area` are the
 * normalised prefixes of its own prefix at each shorter level (exact
 * lookups), and the areas it contains are the keys starting with its
 * prefix (one range scan).
 */
static int
active_collect(MDB_cursor *cur, const struct rm_kind_ops *kind,
    const char *area, struct hashset *hs)
{
	static const size_t levels[] = { 2, 4, 6, 9 };
	char pre[RM_AREA_CODE_MAX + 1], t[RM_AREA_CODE_MAX + 1];
	char anc[RM_AREA_CODE_MAX + 1], last[RM_AREA_CODE_MAX + 1] = "";
	size_t len, i;
	int mrc;

	if (area == NULL)
		return active_prefix(cur, kind, "", hs);
	len = area_code_prefix(area, pre);
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (levels[i] >= len)
			break;
		memcpy(t, pre, levels[i]);
		t[levels[i]] = '\0';
		(void)area_code_prefix(t, anc);
		if (strcmp(anc, last) == 0)
			continue;
		memcpy(last, anc, sizeof(last));
		if ((mrc = active_exact(cur, kind, anc, hs)) != 0)
			return mrc;
	}
	return active_prefix(cur, kind, pre, hs);
}

/* One in-force version found: its order key only. Records are decoded
 * again, one at a time, when they are handed to each(): a walk over
 * 10,000 agency records holds 10,000 of these (48 bytes), never 10,000
 * decoded records. */
struct active_hit {
	rm_hash hash;
	rm_utc_ms issued_ms;
};

static int
hit_cmp(const void *a, const void *b)
{
	const struct active_hit *x = a, *y = b;

	if (x->issued_ms != y->issued_ms)
		return x->issued_ms > y->issued_ms ? -1 : 1;
	return memcmp(x->hash.b, y->hash.b, RM_HASH_BYTES);
}

/* What to collect from which index (store_active, store_index_each). */
struct active_query {
	const struct rm_kind_ops *kind;
	const char *area;            /* store_active: area or NULL */
	const char *key;             /* store_index_each: exact key */
};

/* Decode the record of hash h in txn into rec (record_fini after);
 * MDB_CORRUPTED for a hash the index names but `records` lacks. */
static int
hit_load(store *s, MDB_txn *txn, const rm_hash *h, MDB_val *v,
    struct rm_record *rec)
{
	MDB_val k = { RM_HASH_BYTES, (void *)h->b };
	int mrc;

	if ((mrc = mdb_get(txn, s->db_records, &k, v)) != 0)
		return mrc == MDB_NOTFOUND ? MDB_CORRUPTED : mrc;
	if (store_decode_signed(v->mv_data, v->mv_size, rec, NULL) != RM_OK)
		return MDB_CORRUPTED;
	return 0;
}

static int
active_walk(store *s, const struct active_query *q, rm_utc_ms now,
    store_each_fn each, void *arg)
{
	struct hashset hs = { NULL, 0, 0 };
	struct active_hit *hits = NULL;
	size_t i, u, nhits = 0;
	struct rm_record rec;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val v;
	int mrc, err = RM_OK;

	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = mdb_cursor_open(txn, q->key != NULL ? s->db_index :
	    s->db_active, &cur)) != 0)
		goto done;
	if (q->key != NULL)
		mrc = active_exact(cur, q->kind, q->key, &hs);
	else
		mrc = active_collect(cur, q->kind, q->area, &hs);
	mdb_cursor_close(cur);
	if (mrc != 0 || hs.n == 0)
		goto done;
	qsort(hs.h, hs.n, sizeof(hs.h[0]), hash_cmp);
	for (i = 1, u = 1; i < hs.n; i++)
		if (memcmp(hs.h[i].b, hs.h[u - 1].b, RM_HASH_BYTES) != 0)
			hs.h[u++] = hs.h[i];
	hs.n = u;
	if ((hits = calloc(hs.n, sizeof(*hits))) == NULL) {
		mrc = ENOMEM;
		goto done;
	}
	for (i = 0; i < hs.n; i++) {
		bool in_force;

		if ((mrc = hit_load(s, txn, &hs.h[i], &v, &rec)) != 0)
			goto done;
		in_force = record_in_force(&rec, now);
		hits[nhits].hash = hs.h[i];
		hits[nhits].issued_ms = rec.issued_ms;
		record_fini(&rec);
		nhits += in_force;
	}
	qsort(hits, nhits, sizeof(hits[0]), hit_cmp);
	for (i = 0; i < nhits; i++) {
		if ((mrc = hit_load(s, txn, &hits[i].hash, &v, &rec)) != 0)
			goto done;
		err = each(arg, &hits[i].hash, v.mv_data, v.mv_size, &rec);
		record_fini(&rec);
		if (err != 0)
			break;
	}
done:
	free(hits);
	free(hs.h);
	store_rd_end(s, txn);
	if (err != RM_OK)
		return err;
	if (mrc == ENOMEM)
		return RM_ENOMEM;
	return mrc == 0 ? RM_OK : RM_ESTORE;
}

int
store_active(store *s, const struct rm_kind_ops *kind, const char *area,
    rm_utc_ms now, store_each_fn each, void *arg)
{
	struct active_query q = { kind, area, NULL };

	if (s == NULL || kind == NULL || each == NULL ||
	    (area != NULL && !area_code_valid(area)))
		return RM_EINVAL;
	return active_walk(s, &q, now, each, arg);
}

int
store_index_each(store *s, const struct rm_kind_ops *kind, const char *key,
    rm_utc_ms now, store_each_fn each, void *arg)
{
	struct active_query q = { kind, NULL, key };
	size_t n;

	if (s == NULL || kind == NULL || each == NULL || key == NULL ||
	    (n = strlen(key)) == 0 || n > RM_INDEX_KEY_MAX)
		return RM_EINVAL;
	return active_walk(s, &q, now, each, arg);
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
