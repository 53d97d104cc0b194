/*
 * store_query.c -- the query engine over the in-force indexes
 * (store.h "queries", docs/STORAGE.md "Queries").
 *
 * Every list (the dups of one key of `active`, `within` or `index`) is
 * sorted by the item's order key (inverted issued ms || hash). A
 * stream is a union of such lists: one cursor per list in a min-heap,
 * so that its head is the smallest order key among them. A query is
 * the AND of its streams (the area, each exact key, the key range): a
 * leapfrog join, in which every stream seeks (MDB_GET_BOTH_RANGE, after
 * a few MDB_NEXT_DUP steps) to the largest head until all heads agree.
 * Only the agreed items are read from `records` and decoded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node/store/store_int.h"

/* ---------------- building the streams ---------------- */

static int
qs_add_str(struct qs *q, MDB_txn *txn, MDB_dbi dbi,
    const struct rm_kind_ops *kind, const char *key)
{
	uint8_t kb[STORE_INDEX_KEY_MAX];

	return store_qs_add(q, txn, dbi, kb, store_kind_key(kb, kind, key,
	    strlen(key)));
}

/* The area: `within` at its own prefix, plus (overlap) the exact areas
 * of `active` that contain it. */
static int
qs_area(store *s, MDB_txn *txn, const struct store_query *q, struct qs *out)
{
	char lv[6][RM_AREA_CODE_MAX + 1];
	size_t nl = store_area_levels(q->area != NULL ? q->area : "", lv), i;
	int mrc;

	if ((mrc = qs_add_str(out, txn, s->db_within, q->kind,
	    lv[nl - 1])) != 0)
		return mrc;
	if (q->area_mode == STORE_AREA_WITHIN)
		return 0;
	for (i = 1; i + 1 < nl; i++)
		if ((mrc = qs_add_str(out, txn, s->db_active, q->kind,
		    lv[i])) != 0)
			return mrc;
	return 0;
}

/* Every key of `index` in [lo, hi). */
static int
qs_range(store *s, MDB_txn *txn, const struct store_query *q,
    struct qs *out)
{
	uint8_t lo[STORE_INDEX_KEY_MAX], hi[STORE_INDEX_KEY_MAX];
	size_t ll = store_kind_key(lo, q->kind, q->range_lo,
	    strlen(q->range_lo));
	size_t hl = store_kind_key(hi, q->kind, q->range_hi,
	    strlen(q->range_hi));
	MDB_cursor *cur;
	MDB_val k = { ll, lo }, v;
	int mrc;

	if ((mrc = mdb_cursor_open(txn, s->db_index, &cur)) != 0)
		return mrc;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_NODUP)) {
		size_t c = k.mv_size < hl ? k.mv_size : hl;
		int d = memcmp(k.mv_data, hi, c);

		if (d > 0 || (d == 0 && k.mv_size >= hl))
			break;           /* key >= hi */
		if (k.mv_size > STORE_INDEX_KEY_MAX) {
			mrc = MDB_CORRUPTED;
			break;
		}
		if ((mrc = store_qs_add(out, txn, s->db_index, k.mv_data,
		    k.mv_size)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

static bool
key_ok(const char *k)
{
	size_t n;

	return k != NULL && (n = strlen(k)) > 0 && n <= RM_INDEX_KEY_MAX;
}

bool
store_query_valid(const struct store_query *q)
{
	if (q == NULL || q->kind == NULL || q->n_keys > STORE_QUERY_KEYS_MAX ||
	    (q->area != NULL && !area_code_valid(q->area)) ||
	    ((q->range_lo == NULL) != (q->range_hi == NULL)) ||
	    (q->range_lo != NULL && (strlen(q->range_lo) > RM_INDEX_KEY_MAX ||
	    !key_ok(q->range_hi))))
		return false;
	for (size_t i = 0; i < q->n_keys; i++)
		if (!key_ok(q->keys[i]))
			return false;
	return true;
}

static int
est_cmp(const void *a, const void *b)
{
	const struct qs *x = a, *y = b;

	return x->est < y->est ? -1 : x->est > y->est;
}

/* The streams of q, most selective first; *n of them. */
static int
query_streams(store *s, MDB_txn *txn, const struct store_query *q,
    struct qs *st, size_t *n)
{
	int mrc = 0;

	*n = 0;
	if (q->area != NULL || (q->n_keys == 0 && q->range_lo == NULL))
		mrc = qs_area(s, txn, q, &st[(*n)++]);
	for (size_t i = 0; mrc == 0 && i < q->n_keys; i++)
		mrc = qs_add_str(&st[(*n)++], txn, s->db_index, q->kind,
		    q->keys[i]);
	if (mrc == 0 && q->range_lo != NULL)
		mrc = qs_range(s, txn, q, &st[(*n)++]);
	if (mrc == 0)
		qsort(st, *n, sizeof(st[0]), est_cmp);
	return mrc;
}

/*
 * The leapfrog: the next item >= every stream's head on which all
 * streams agree, in st[0]'s head; false when one stream ran out.
 */
static int
join_next(struct qs *st, size_t n, bool *found)
{
	uint8_t x[STORE_IVAL_LEN];
	size_t i;
	int mrc;

	*found = false;
again:
	if (store_qs_head(&st[0]) == NULL)
		return 0;
	memcpy(x, store_qs_head(&st[0]), STORE_IVAL_LEN);
	memset(x + STORE_OKEY_LEN, 0, 8);
	for (i = 1; i < n; i++) {
		if ((mrc = store_qs_seek(&st[i], x)) != 0)
			return mrc;
		if (store_qs_head(&st[i]) == NULL)
			return 0;
		if (store_okey_cmp(store_qs_head(&st[i]), x) > 0) {
			memcpy(x, store_qs_head(&st[i]), STORE_OKEY_LEN);
			if ((mrc = store_qs_seek(&st[0], x)) != 0)
				return mrc;
			goto again;
		}
	}
	*found = true;
	return 0;
}

/* What a run does with each match. */
struct qrun {
	store *s;
	MDB_txn *txn;
	const struct store_query *q;
	store_each_fn each;          /* NULL: count (and collect) only */
	void *arg;
	uint8_t *okeys;              /* collect: order keys of the matches */
	size_t n_okeys, cap_okeys;
	bool collect;
	struct store_page page;
	uint64_t count;
	int err;                     /* each()'s stop value */
};

static int
match(struct qrun *r, const uint8_t *v, bool *stop)
{
	MDB_val k = { RM_HASH_BYTES, (void *)(v + 8) }, rv;
	struct rm_record rec;
	rm_hash h;
	int mrc;

	if (r->each == NULL) {
		r->count++;
		if (!r->collect)
			return 0;
		if (r->n_okeys == r->cap_okeys) {
			size_t cap = r->cap_okeys ? 2 * r->cap_okeys : 1024;
			uint8_t *nk = realloc(r->okeys, cap * STORE_OKEY_LEN);

			if (nk == NULL)
				return ENOMEM;
			r->okeys = nk;
			r->cap_okeys = cap;
		}
		memcpy(r->okeys + r->n_okeys++ * STORE_OKEY_LEN, v,
		    STORE_OKEY_LEN);
		return 0;
	}
	if (r->q->limit != 0 && r->page.n == r->q->limit) {
		r->page.more = true;
		*stop = true;
		return 0;
	}
	memcpy(h.b, v + 8, RM_HASH_BYTES);
	if ((mrc = mdb_get(r->txn, r->s->db_records, &k, &rv)) != 0)
		return mrc == MDB_NOTFOUND ? MDB_CORRUPTED : mrc;
	if (store_decode_signed(rv.mv_data, rv.mv_size, &rec, NULL) != RM_OK)
		return MDB_CORRUPTED;
	r->err = r->each(r->arg, &h, rv.mv_data, rv.mv_size, &rec);
	record_fini(&rec);
	memcpy(r->page.next.b, v, STORE_OKEY_LEN);
	r->page.n++;
	*stop = r->err != 0;
	return 0;
}

/* The probe just after cursor c: c + 1 as a big number, then zeros;
 * false if c is the largest order key. */
static bool
after_probe(const struct store_cursor *c, uint8_t *probe)
{
	int i;

	memcpy(probe, c->b, STORE_OKEY_LEN);
	memset(probe + STORE_OKEY_LEN, 0, 8);
	for (i = STORE_OKEY_LEN - 1; i >= 0; i--)
		if (++probe[i] != 0)
			return true;
	return false;
}

static int
query_run(struct qrun *r)
{
	struct qs st[STORE_QUERY_KEYS_MAX + 2];
	uint64_t now = r->q->now > 0 ? (uint64_t)r->q->now : 0;
	uint8_t probe[STORE_IVAL_LEN];
	size_t n = 0, i;
	bool found, stop = false;
	int mrc;

	memset(st, 0, sizeof(st));
	if ((mrc = query_streams(r->s, r->txn, r->q, st, &n)) != 0)
		goto done;
	if (r->each != NULL && r->q->after != NULL) {
		if (!after_probe(r->q->after, probe))
			goto done;
		if ((mrc = store_qs_seek(&st[0], probe)) != 0)
			goto done;
	}
	while (!stop) {
		const uint8_t *v;
		uint64_t exp;

		if ((mrc = join_next(st, n, &found)) != 0 || !found)
			break;
		v = store_qs_head(&st[0]);
		exp = store_be64_get(v + STORE_OKEY_LEN);
		if ((exp == 0 || now < exp) && (mrc = match(r, v, &stop)) != 0)
			break;
		if (!stop && (mrc = store_qs_next(&st[0])) != 0)
			break;
	}
done:
	for (i = 0; i < n; i++)
		store_qs_fini(&st[i]);
	return mrc;
}

static int
query_txn(store *s, struct qrun *r)
{
	int mrc;

	if (store_rd_begin(s, &r->txn) != 0)
		return RM_ESTORE;
	mrc = query_run(r);
	store_rd_end(s, r->txn);
	if (r->err != 0)
		return r->err;
	if (mrc == ENOMEM)
		return RM_ENOMEM;
	return mrc == 0 ? RM_OK : RM_ESTORE;
}

int
store_query(store *s, const struct store_query *q, store_each_fn each,
    void *arg, struct store_page *page)
{
	struct qrun r;
	int rv;

	if (s == NULL || each == NULL || !store_query_valid(q))
		return RM_EINVAL;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.q = q;
	r.each = each;
	r.arg = arg;
	if ((rv = query_txn(s, &r)) == RM_OK && page != NULL)
		*page = r.page;
	return rv;
}

int
store_query_count(store *s, const struct store_query *q, uint64_t *out)
{
	struct qrun r;
	int rv;

	if (s == NULL || out == NULL || !store_query_valid(q))
		return RM_EINVAL;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.q = q;
	if ((rv = query_txn(s, &r)) == RM_OK)
		*out = r.count;
	return rv;
}

int
store_query_collect(store *s, MDB_txn *txn, const struct store_query *q,
    uint8_t **okeys, size_t *n)
{
	struct qrun r;
	int mrc;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.txn = txn;
	r.q = q;
	r.collect = true;
	if ((mrc = query_run(&r)) != 0) {
		free(r.okeys);
		return mrc;
	}
	*okeys = r.okeys;
	*n = r.n_okeys;
	return 0;
}
