/*
 * store_group.c -- what the roll-up views group by: the index keys of a
 * kind (store_index_keys), the child areas of an area
 * (store_area_children), and grouped counts (store_query_groups): the
 * matches of a query collected as sorted order keys, each dimension's
 * lists walked once and labels found by galloping search, counted in a
 * dense table. No record is read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node/store/store_int.h"

#define GROUP_CELLS_MAX (1u << 22)
#define LABEL_MAX (RM_INDEX_KEY_MAX + 1)

static int
mdb_rm(int mrc)
{
	if (mrc == 0 || mrc == MDB_NOTFOUND)
		return RM_OK;
	return mrc == ENOMEM ? RM_ENOMEM : RM_ESTORE;
}

typedef int (*label_fn)(void *arg, const char *label);

/* Index keys of kind starting with prefix, in txn. MDB code, or the
 * callback's value in *err. */
static int
keys_txn(store *s, MDB_txn *txn, const struct rm_kind_ops *kind,
    const char *prefix, label_fn each, void *arg, int *err)
{
	uint8_t kb[STORE_INDEX_KEY_MAX];
	char key[LABEL_MAX];
	size_t pn = store_kind_key(kb, kind, prefix, strlen(prefix));
	size_t kn = pn - strlen(prefix);            /* kind NUL */
	MDB_val k = { pn, kb }, v;
	MDB_cursor *cur;
	int mrc;

	if ((mrc = mdb_cursor_open(txn, s->db_index, &cur)) != 0)
		return mrc;
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
		if ((*err = each(arg, key)) != RM_OK)
			break;
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
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

/* The child areas of area (NULL: the provinces) with items, in txn. */
static int
children_txn(store *s, MDB_txn *txn, const struct rm_kind_ops *kind,
    const char *area, label_fn each, void *arg, int *err)
{
	char pre[RM_AREA_CODE_MAX + 1] = "", a[RM_AREA_CODE_MAX + 1];
	char child[RM_AREA_CODE_MAX + 1];
	uint8_t kb[STORE_INDEX_KEY_MAX], sk[STORE_INDEX_KEY_MAX + 1];
	size_t pn, kn, pl = 0, cl;
	MDB_cursor *cur;
	MDB_val k, v;
	int mrc;

	if (area != NULL)
		pl = area_code_prefix(area, pre);
	pn = store_kind_key(kb, kind, pre, pl);
	kn = pn - pl;
	k.mv_size = pn;
	k.mv_data = kb;
	if ((mrc = mdb_cursor_open(txn, s->db_within, &cur)) != 0)
		return mrc;
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
		if ((cl = child_of(a, pl, child)) <= pl) {
			mrc = MDB_CORRUPTED;
			break;
		}
		if ((*err = each(arg, child)) != RM_OK)
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
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

int
store_index_keys(store *s, const struct rm_kind_ops *kind, const char *prefix,
    int (*each)(void *arg, const char *key), void *arg)
{
	MDB_txn *txn;
	int mrc, err = RM_OK;

	if (s == NULL || kind == NULL || each == NULL || prefix == NULL ||
	    strlen(prefix) > RM_INDEX_KEY_MAX)
		return RM_EINVAL;
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	mrc = keys_txn(s, txn, kind, prefix, each, arg, &err);
	store_rd_end(s, txn);
	return err != RM_OK ? err : mdb_rm(mrc);
}

int
store_area_children(store *s, const struct rm_kind_ops *kind,
    const char *area, int (*each)(void *arg, const char *prefix), void *arg)
{
	MDB_txn *txn;
	int mrc, err = RM_OK;

	if (s == NULL || kind == NULL || each == NULL ||
	    (area != NULL && !area_code_valid(area)))
		return RM_EINVAL;
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	mrc = children_txn(s, txn, kind, area, each, arg, &err);
	store_rd_end(s, txn);
	return err != RM_OK ? err : mdb_rm(mrc);
}

/* ---------------- grouped counts ---------------- */

/* The labels of one dimension. */
struct labels {
	char (*l)[LABEL_MAX];
	size_t n, cap;
};

static int
label_add(void *arg, const char *label)
{
	struct labels *ls = arg;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 16;
		char (*nl)[LABEL_MAX] = realloc(ls->l, cap * LABEL_MAX);

		if (nl == NULL)
			return RM_ENOMEM;
		ls->l = nl;
		ls->cap = cap;
	}
	strcpy(ls->l[ls->n++], label);
	return RM_OK;
}

/* The first index >= from of sorted okeys[0..n) not below v (galloping
 * from `from`). */
static size_t
gallop(const uint8_t *okeys, size_t n, size_t from, const uint8_t *v)
{
	size_t lo = from, step = 1, hi;

	while (lo + step < n &&
	    memcmp(okeys + (lo + step) * STORE_OKEY_LEN, v, STORE_OKEY_LEN) < 0)
		step *= 2;
	hi = lo + step < n ? lo + step : n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(okeys + mid * STORE_OKEY_LEN, v, STORE_OKEY_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Label (1-based j) every collected item filed under key (kb, klen) of
 * dbi: one walk over its dups. */
static int
label_list(MDB_cursor *cur, const uint8_t *kb, size_t klen,
    const uint8_t *okeys, size_t n, uint16_t *lab, size_t n_dims, size_t d,
    uint16_t j)
{
	MDB_val k = { klen, (void *)kb }, v;
	size_t p = 0;
	int mrc;

	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); mrc == 0 && p < n;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size != STORE_IVAL_LEN)
			return MDB_CORRUPTED;
		p = gallop(okeys, n, p, v.mv_data);
		if (p < n && memcmp(okeys + p * STORE_OKEY_LEN, v.mv_data,
		    STORE_OKEY_LEN) == 0)
			lab[p * n_dims + d] = j;
	}
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

/* Labels of dimension d for every collected item. */
static int
label_dim(store *s, MDB_txn *txn, const struct store_query *q,
    const char *child_area, const char *dim, struct labels *ls,
    const uint8_t *okeys, size_t n, uint16_t *lab, size_t n_dims, size_t d,
    int *err)
{
	uint8_t kb[STORE_INDEX_KEY_MAX];
	MDB_cursor *cur;
	int mrc;

	if (dim == NULL)
		mrc = children_txn(s, txn, q->kind, child_area, label_add, ls,
		    err);
	else
		mrc = keys_txn(s, txn, q->kind, dim, label_add, ls, err);
	if (mrc != 0 || *err != RM_OK)
		return mrc;
	if (ls->n >= UINT16_MAX) {
		*err = RM_ETOOBIG;
		return 0;
	}
	if ((mrc = mdb_cursor_open(txn, dim == NULL ? s->db_within :
	    s->db_index, &cur)) != 0)
		return mrc;
	for (size_t j = 0; j < ls->n && mrc == 0; j++)
		mrc = label_list(cur, kb, store_kind_key(kb, q->kind, ls->l[j],
		    strlen(ls->l[j])), okeys, n, lab, n_dims, d,
		    (uint16_t)(j + 1));
	mdb_cursor_close(cur);
	return mrc;
}

/* Count the cells and report them. */
static int
group_report(struct labels *ls, size_t n_dims, const uint16_t *lab,
    size_t n, int (*each)(void *arg, const char *const *labels,
    uint64_t count), void *arg)
{
	const char *names[STORE_GROUP_DIMS_MAX];
	size_t cells = 1, d, i, c;
	uint64_t *cnt;
	int err = RM_OK;

	for (d = 0; d < n_dims; d++)
		if ((cells *= ls[d].n + 1) > GROUP_CELLS_MAX)
			return RM_ETOOBIG;
	if ((cnt = calloc(cells, sizeof(*cnt))) == NULL)
		return RM_ENOMEM;
	for (i = 0; i < n; i++) {
		for (c = 0, d = 0; d < n_dims; d++)
			c = c * (ls[d].n + 1) + lab[i * n_dims + d];
		cnt[c]++;
	}
	for (c = 0; c < cells && err == RM_OK; c++) {
		size_t r = c;

		if (cnt[c] == 0)
			continue;
		for (d = n_dims; d-- > 0;) {
			size_t j = r % (ls[d].n + 1);

			names[d] = j == 0 ? NULL : ls[d].l[j - 1];
			r /= ls[d].n + 1;
		}
		err = each(arg, names, cnt[c]);
	}
	free(cnt);
	return err;
}

int
store_query_groups(store *s, const struct store_query *q,
    const char *child_area, const char *const *dims, size_t n_dims,
    int (*each)(void *arg, const char *const *labels, uint64_t count),
    void *arg)
{
	struct labels ls[STORE_GROUP_DIMS_MAX];
	uint8_t *okeys = NULL;
	uint16_t *lab = NULL;
	size_t n = 0, d;
	MDB_txn *txn;
	int mrc, err = RM_OK;

	if (s == NULL || each == NULL || !store_query_valid(q) ||
	    n_dims == 0 || n_dims > STORE_GROUP_DIMS_MAX ||
	    (child_area != NULL && !area_code_valid(child_area)))
		return RM_EINVAL;
	if (child_area == NULL)
		child_area = q->area;
	memset(ls, 0, sizeof(ls));
	if (store_rd_begin(s, &txn) != 0)
		return RM_ESTORE;
	if ((mrc = store_query_collect(s, txn, q, &okeys, &n)) != 0)
		goto done;
	if (n > 0 && (lab = calloc(n * n_dims, sizeof(*lab))) == NULL) {
		mrc = ENOMEM;
		goto done;
	}
	for (d = 0; d < n_dims && mrc == 0 && err == RM_OK; d++)
		mrc = label_dim(s, txn, q, child_area, dims[d], &ls[d], okeys, n,
		    lab, n_dims, d, &err);
done:
	store_rd_end(s, txn);
	if (mrc == 0 && err == RM_OK)
		err = group_report(ls, n_dims, lab, n, each, arg);
	for (d = 0; d < STORE_GROUP_DIMS_MAX; d++)
		free(ls[d].l);
	free(lab);
	free(okeys);
	return err != RM_OK ? err : mdb_rm(mrc);
}
