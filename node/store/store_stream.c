/*
 * store_stream.c -- streams for the query engine (store_query.c): a
 * stream is a union of sorted dup lists of the in-force indexes, one
 * cursor per list in a min-heap by order key, so that its head is the
 * smallest order key among them; it seeks (a few MDB_NEXT_DUP steps,
 * then MDB_GET_BOTH_RANGE) and steps past its head.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node/store/store_int.h"

#define QS_STEPS 4      /* MDB_NEXT_DUP tries before a seek */

int
store_okey_cmp(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, STORE_OKEY_LEN);
}

static bool
heap_less(const struct qs *q, size_t a, size_t b)
{
	return store_okey_cmp(q->m[q->heap[a]].v, q->m[q->heap[b]].v) < 0;
}

static void
heap_swap(struct qs *q, size_t a, size_t b)
{
	size_t t = q->heap[a];

	q->heap[a] = q->heap[b];
	q->heap[b] = t;
}

static void
heap_push(struct qs *q, size_t mi)
{
	size_t i = q->hn++;

	q->heap[i] = mi;
	while (i > 0 && heap_less(q, i, (i - 1) / 2)) {
		heap_swap(q, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static size_t
heap_pop(struct qs *q)
{
	size_t top = q->heap[0], i = 0;

	q->heap[0] = q->heap[--q->hn];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < q->hn && heap_less(q, l, m))
			m = l;
		if (r < q->hn && heap_less(q, r, m))
			m = r;
		if (m == i)
			break;
		heap_swap(q, i, m);
		i = m;
	}
	return top;
}

const uint8_t *
store_qs_head(const struct qs *q)
{
	return q->hn > 0 ? q->m[q->heap[0]].v : NULL;
}

void
store_qs_fini(struct qs *q)
{
	for (size_t i = 0; i < q->n; i++)
		mdb_cursor_close(q->m[i].cur);
	free(q->m);
	free(q->heap);
	memset(q, 0, sizeof(*q));
}

/* Add the list under key (klen bytes) of dbi, if it exists. */
int
store_qs_add(struct qs *q, MDB_txn *txn, MDB_dbi dbi, const uint8_t *key,
    size_t klen)
{
	MDB_val k = { klen, (void *)key }, v;
	struct qm *m;
	size_t cnt;
	int mrc;

	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 4;
		struct qm *nm = realloc(q->m, cap * sizeof(*nm));
		size_t *nh;

		if (nm == NULL)
			return ENOMEM;
		q->m = nm;
		if ((nh = realloc(q->heap, cap * sizeof(*nh))) == NULL)
			return ENOMEM;
		q->heap = nh;
		q->cap = cap;
	}
	m = &q->m[q->n];
	if ((mrc = mdb_cursor_open(txn, dbi, &m->cur)) != 0)
		return mrc;
	mrc = mdb_cursor_get(m->cur, &k, &v, MDB_SET_KEY);
	if (mrc == 0 && v.mv_size != STORE_IVAL_LEN)
		mrc = MDB_CORRUPTED;
	if (mrc == 0)
		mrc = mdb_cursor_count(m->cur, &cnt);
	if (mrc != 0) {
		mdb_cursor_close(m->cur);
		return mrc == MDB_NOTFOUND ? 0 : mrc;
	}
	memcpy(m->key, key, klen);
	m->klen = klen;
	memcpy(m->v, v.mv_data, STORE_IVAL_LEN);
	q->est += cnt;
	heap_push(q, q->n++);
	return 0;
}

/* Move member m to its first value >= probe; 0, MDB_NOTFOUND (none
 * left) or an MDB error. */
static int
qm_seek(struct qm *m, const uint8_t *probe)
{
	MDB_val k, v;
	int mrc, i;

	for (i = 0; i < QS_STEPS; i++) {
		if ((mrc = mdb_cursor_get(m->cur, &k, &v, MDB_NEXT_DUP)) != 0)
			return mrc;
		if (v.mv_size != STORE_IVAL_LEN)
			return MDB_CORRUPTED;
		memcpy(m->v, v.mv_data, STORE_IVAL_LEN);
		if (store_okey_cmp(m->v, probe) >= 0)
			return 0;
	}
	k.mv_size = m->klen;
	k.mv_data = m->key;
	v.mv_size = STORE_IVAL_LEN;
	v.mv_data = (void *)probe;
	if ((mrc = mdb_cursor_get(m->cur, &k, &v, MDB_GET_BOTH_RANGE)) != 0)
		return mrc;
	if (v.mv_size != STORE_IVAL_LEN)
		return MDB_CORRUPTED;
	memcpy(m->v, v.mv_data, STORE_IVAL_LEN);
	return 0;
}

/* Advance every member whose head is below probe to >= probe. */
int
store_qs_seek(struct qs *q, const uint8_t *probe)
{
	int mrc;

	while (q->hn > 0 && store_okey_cmp(store_qs_head(q), probe) < 0) {
		size_t mi = heap_pop(q);

		if ((mrc = qm_seek(&q->m[mi], probe)) == 0)
			heap_push(q, mi);
		else if (mrc != MDB_NOTFOUND)
			return mrc;
	}
	return 0;
}

/* Step past the current head (every member holding it). */
int
store_qs_next(struct qs *q)
{
	uint8_t old[STORE_OKEY_LEN];
	MDB_val k, v;
	int mrc;

	memcpy(old, store_qs_head(q), STORE_OKEY_LEN);
	while (q->hn > 0 && store_okey_cmp(store_qs_head(q), old) == 0) {
		size_t mi = heap_pop(q);

		mrc = mdb_cursor_get(q->m[mi].cur, &k, &v, MDB_NEXT_DUP);
		if (mrc == 0 && v.mv_size != STORE_IVAL_LEN)
			return MDB_CORRUPTED;
		if (mrc == 0) {
			memcpy(q->m[mi].v, v.mv_data, STORE_IVAL_LEN);
			heap_push(q, mi);
		} else if (mrc != MDB_NOTFOUND) {
			return mrc;
		}
	}
	return 0;
}
