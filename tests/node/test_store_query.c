/*
 * test_store_query.c -- the query engine over the in-force indexes
 * (store_query, store_query_count, store_index_keys,
 * store_area_children, store_history): every answer is compared with
 * a brute-force filter of a model of what was issued (AND of keys, area
 * overlap vs within, key ranges, expiry, newest-first order with ties
 * by hash, limit + cursor resuming without gaps or repeats), and the
 * migration of a layout-3 store (index values written the old way:
 * bare hashes, no `within`, no `history`) gives the same answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL
#define ORIGIN "120000.gov"
#define NITEMS 60

static const char *const areas[] = { "120101", "120102", "120101001",
	"120000", "120102003" };
static const char *const units[] = { "120000.gov", "120101.gov" };
static const char *const reviews[] = { "2026-01-31", "2026-03-15",
	"2026-06-30", "2026-12-31" };

/* The model: what the store holds of each object (its winner). */
struct item {
	char oid[16];
	const char *area;
	rm_grade grade;
	enum rm_risk_status status;
	const char *resp;
	const char *review;
	rm_utc_ms issued, expires;
	rm_hash hash;
	bool in_force;
};

static struct item items[NITEMS];
static char name[] = "test risk";
static char loc[] = "somewhere";

static void
issue(store *s, struct item *it)
{
	struct rm_record r;
	struct rm_risk k;
	struct store_put_result res;
	rm_why why;

	memset(&r, 0, sizeof(r));
	memset(&k, 0, sizeof(k));
	r.schema_version = RM_SCHEMA_VERSION;
	r.kind = &rm_kind_risk;
	r.body = &k;
	snprintf(r.origin, sizeof(r.origin), ORIGIN);
	snprintf(r.object_id, sizeof(r.object_id), "%s", it->oid);
	r.issued_ms = it->issued;
	r.expires_ms = it->expires;
	r.n_areas = 1;
	snprintf(r.areas[0], sizeof(r.areas[0]), "%s", it->area);
	snprintf(k.id, sizeof(k.id), "%s", it->oid);
	k.name = name;
	k.location = loc;
	k.category = RM_RISK_NATURAL;
	k.subcategory = RM_RISK_FLOOD;
	k.grade = it->grade;
	k.status = it->status;
	if (it->status == RM_RISK_REMOVED)
		k.reason = name;
	snprintf(k.responsible, sizeof(k.responsible), "%s", it->resp);
	snprintf(k.review, sizeof(k.review), "%s", it->review);
	CU_ASSERT_EQUAL_FATAL(store_issue(s, &r, sfx_seal, NULL, &res, &why),
	    RM_OK);
	it->hash = res.hash;
	it->in_force = it->status != RM_RISK_REMOVED;
}

static void
populate(store *s)
{
	for (int i = 0; i < NITEMS; i++) {
		struct item *it = &items[i];

		snprintf(it->oid, sizeof(it->oid), "r%02d", i);
		it->area = areas[i % 5];
		it->grade = (rm_grade)(1 + i % 4);
		it->status = i % 3 == 0 ? RM_RISK_CONTROLLED :
		    RM_RISK_IDENTIFIED;
		it->resp = units[i % 2];
		it->review = reviews[(i / 2) % 4];
		/* pairs share an issued time: ties go by hash */
		it->issued = T0 + (i / 2) * 1000;
		it->expires = i % 11 == 5 ? T0 + 500 : 0;   /* expired */
		issue(s, it);
	}
}

/* Does item it match q at now (the model's answer)? */
static bool
model_match(const struct item *it, const struct store_query *q)
{
	char k[RM_INDEX_KEY_MAX + 1];

	if (!it->in_force || (it->expires != 0 && q->now >= it->expires))
		return false;
	if (q->area != NULL && (q->area_mode == STORE_AREA_WITHIN ?
	    !area_contains(q->area, it->area) :
	    !area_overlaps(q->area, it->area)))
		return false;
	for (size_t i = 0; i < q->n_keys; i++) {
		const char *key = q->keys[i];
		bool ok = false;

		snprintf(k, sizeof(k), "grade=%s", grade_name(it->grade));
		ok |= strcmp(k, key) == 0;
		snprintf(k, sizeof(k), "status=%s",
		    risk_status_name(it->status));
		ok |= strcmp(k, key) == 0;
		snprintf(k, sizeof(k), "responsible=%s", it->resp);
		ok |= strcmp(k, key) == 0;
		ok |= strcmp(key, "category=natural") == 0;
		if (!ok)
			return false;
	}
	if (q->range_lo != NULL) {
		snprintf(k, sizeof(k), "review=%s", it->review);
		if (strcmp(k, q->range_lo) < 0 || strcmp(k, q->range_hi) >= 0)
			return false;
	}
	return true;
}

static int
order_cmp(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a;
	const struct item *y = *(struct item *const *)b;

	if (x->issued != y->issued)
		return x->issued > y->issued ? -1 : 1;
	return memcmp(x->hash.b, y->hash.b, RM_HASH_BYTES);
}

/* The model's answer, in order. */
static size_t
model(const struct store_query *q, const struct item **out)
{
	size_t n = 0;

	for (int i = 0; i < NITEMS; i++)
		if (model_match(&items[i], q))
			out[n++] = &items[i];
	qsort(out, n, sizeof(out[0]), order_cmp);
	return n;
}

struct got {
	size_t n;
	rm_hash h[NITEMS];
	bool rec_ok;
};

static int
got_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct got *g = arg;

	(void)p;
	(void)n;
	if (g->n == NITEMS)
		return RM_ETOOBIG;
	g->rec_ok = g->rec_ok && record_risk(rec) != NULL;
	g->h[g->n++] = *h;
	return RM_OK;
}

/* Run q in pages of `limit` (0: one call) and compare with the model;
 * returns how many matched. */
static size_t
check(store *s, struct store_query q, size_t limit)
{
	const struct item *want[NITEMS];
	size_t nw = model(&q, want), pages = 0;
	struct store_cursor cur;
	struct store_page pg;
	struct got g = { 0, { { { 0 } } }, true };
	uint64_t count = 0;

	q.limit = limit;
	q.after = NULL;
	do {
		size_t before = g.n;

		CU_ASSERT_EQUAL_FATAL(store_query(s, &q, got_each, &g, &pg),
		    RM_OK);
		CU_ASSERT_EQUAL(pg.n, g.n - before);
		if (limit != 0)
			CU_ASSERT(pg.n <= limit);
		cur = pg.next;
		q.after = &cur;
		CU_ASSERT_FATAL(++pages <= NITEMS + 1);
	} while (pg.more);
	CU_ASSERT(g.rec_ok);
	CU_ASSERT_EQUAL_FATAL(g.n, nw);
	for (size_t i = 0; i < nw; i++)
		CU_ASSERT(memcmp(g.h[i].b, want[i]->hash.b, RM_HASH_BYTES) == 0);
	CU_ASSERT_EQUAL(store_query_count(s, &q, &count), RM_OK);
	CU_ASSERT_EQUAL(count, nw);
	return nw;
}

/* A battery of queries at now, each whole and in pages of 1 and 7. */
static void
battery(store *s, rm_utc_ms now)
{
	struct store_query q;
	size_t limits[] = { 0, 1, 7 }, ov;

	for (size_t l = 0; l < 3; l++) {
		memset(&q, 0, sizeof(q));
		q.kind = &rm_kind_risk;
		q.now = now;
		CU_ASSERT(check(s, q, limits[l]) > 40); /* everything */
		q.area = "120101";
		ov = check(s, q, limits[l]);            /* overlap */
		q.area_mode = STORE_AREA_WITHIN;
		CU_ASSERT(check(s, q, limits[l]) < ov); /* within: not the city */
		q.keys[q.n_keys++] = "grade=red";
		CU_ASSERT(check(s, q, limits[l]) > 0);  /* within AND key */
		q.area = NULL;
		q.keys[q.n_keys++] = "status=identified";
		CU_ASSERT(check(s, q, limits[l]) > 0);  /* AND of keys */
		q.keys[q.n_keys++] = "responsible=120101.gov";
		check(s, q, limits[l]);
		q.n_keys = 1;
		q.keys[0] = "category=natural";
		q.range_lo = "review=";
		q.range_hi = "review=2026-06-30";       /* overdue */
		CU_ASSERT(check(s, q, limits[l]) > 0);
		q.area = "120102";
		q.area_mode = STORE_AREA_OVERLAP;
		check(s, q, limits[l]);                 /* range AND area */
		q.keys[0] = "grade=none-such";
		check(s, q, limits[l]);                 /* empty list */
	}
}

static void
test_query(void)
{
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	populate(s);
	battery(s, T0 + 100);            /* before the expiries */
	battery(s, T0 + 1000);           /* after them */
	/* a regrade: the new version is the newest; a removal leaves */
	items[10].grade = RM_GRADE_RED;
	items[10].issued = T0 + 100000;
	issue(s, &items[10]);
	items[11].status = RM_RISK_REMOVED;
	items[11].issued = T0 + 100001;
	issue(s, &items[11]);
	battery(s, T0 + 1000);
	store_close(s);
	sfx_rmdir(dir);
}

static int
keys_each(void *arg, const char *key)
{
	char *acc = arg;

	strcat(acc, key);
	strcat(acc, ";");
	return RM_OK;
}

static int
hist_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	size_t *count = arg;

	(void)h;
	(void)p;
	(void)n;
	CU_ASSERT(rec->issued_ms >= T0 + 5000 && rec->issued_ms < T0 + 9000);
	(*count)++;
	return RM_OK;
}

static void
test_keys_children_history(void)
{
	char dir[256], acc[512] = "";
	size_t count = 0;
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	populate(s);
	CU_ASSERT_EQUAL(store_index_keys(s, &rm_kind_risk, "responsible=",
	    keys_each, acc), RM_OK);
	CU_ASSERT_STRING_EQUAL(acc, "responsible=120000.gov;"
	    "responsible=120101.gov;");
	acc[0] = '\0';
	CU_ASSERT_EQUAL(store_area_children(s, &rm_kind_risk, "120000",
	    keys_each, acc), RM_OK);
	CU_ASSERT_STRING_EQUAL(acc, "1201;");
	acc[0] = '\0';
	CU_ASSERT_EQUAL(store_area_children(s, &rm_kind_risk, "120100",
	    keys_each, acc), RM_OK);
	CU_ASSERT_STRING_EQUAL(acc, "120101;120102;");
	acc[0] = '\0';
	CU_ASSERT_EQUAL(store_area_children(s, &rm_kind_risk, "120101",
	    keys_each, acc), RM_OK);
	CU_ASSERT_STRING_EQUAL(acc, "120101001;");
	/* versions issued in [T0+5000, T0+9000): pairs 5..8, 8 items */
	CU_ASSERT_EQUAL(store_history(s, &rm_kind_risk, T0 + 5000, T0 + 9000,
	    hist_each, &count), RM_OK);
	CU_ASSERT_EQUAL(count, 8);
	store_close(s);
	sfx_rmdir(dir);
}

static int
hist_each_all(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	(void)h;
	(void)p;
	(void)n;
	(void)rec;
	(*(size_t *)arg)++;
	return RM_OK;
}

/* store_query_groups against the model: (child area, grade,
 * responsible) counts of the items within 120100 at now. */
struct cells {
	uint64_t sum, bad;
};

static int
cell_each(void *arg, const char *const *l, uint64_t count)
{
	struct cells *c = arg;
	uint64_t want = 0;

	for (int i = 0; i < NITEMS; i++) {
		const struct item *it = &items[i];
		char g[32], r[80];

		snprintf(g, sizeof(g), "grade=%s", grade_name(it->grade));
		snprintf(r, sizeof(r), "responsible=%s", it->resp);
		if (it->in_force && (it->expires == 0 || T0 + 1000 <
		    it->expires) && area_contains("120100", it->area) &&
		    l[0] != NULL && strncmp(it->area, l[0], 6) == 0 &&
		    l[1] != NULL && strcmp(g, l[1]) == 0 &&
		    l[2] != NULL && strcmp(r, l[2]) == 0)
			want++;
	}
	c->bad += want != count;
	c->sum += count;
	return RM_OK;
}

static void
test_groups(void)
{
	static const char *const dims[] = { NULL, "grade=", "responsible=" };
	struct store_query q;
	struct cells c = { 0, 0 };
	uint64_t total;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	populate(s);
	memset(&q, 0, sizeof(q));
	q.kind = &rm_kind_risk;
	q.area = "120100";
	q.area_mode = STORE_AREA_WITHIN;
	q.now = T0 + 1000;
	CU_ASSERT_EQUAL(store_query_groups(s, &q, NULL, dims, 3, cell_each,
	    &c), RM_OK);
	CU_ASSERT_EQUAL(store_query_count(s, &q, &total), RM_OK);
	CU_ASSERT(total > 20);
	CU_ASSERT_EQUAL(c.sum, total);
	CU_ASSERT_EQUAL(c.bad, 0);
	CU_ASSERT_EQUAL(store_query_groups(s, &q, NULL, dims, 0, cell_each,
	    &c), RM_EINVAL);
	store_close(s);
	sfx_rmdir(dir);
}

/* Rewrite a closed store as layout 3 wrote it: `active` and `index`
 * values bare hashes, no `within` or `history` (layout 4), no
 * `timeline` or `timesum` (layout 5). */
static void
to_layout3(const char *dir)
{
	static const char *const dbs[] = { "active", "index" };
	static const char *const later[] = { "within", "history",
	    "timeline", "timesum" };
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t (*keys)[128] = calloc(4096, 128), (*vals)[32] =
	    calloc(4096, 32);
	size_t klen[4096], n;

	CU_ASSERT_FATAL(keys != NULL && vals != NULL);
	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, dir, 0, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, 0, &txn), 0);
	for (size_t d = 0; d < 2; d++) {
		CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, dbs[d], MDB_DUPSORT |
		    MDB_DUPFIXED, &dbi), 0);
		CU_ASSERT_EQUAL_FATAL(mdb_cursor_open(txn, dbi, &cur), 0);
		n = 0;
		while (mdb_cursor_get(cur, &k, &v, n == 0 ? MDB_FIRST :
		    MDB_NEXT) == 0) {
			CU_ASSERT_FATAL(n < 4096 && k.mv_size <= 128 &&
			    v.mv_size == 48);
			memcpy(keys[n], k.mv_data, k.mv_size);
			klen[n] = k.mv_size;
			memcpy(vals[n], (uint8_t *)v.mv_data + 8, 32);
			n++;
		}
		mdb_cursor_close(cur);
		CU_ASSERT_EQUAL_FATAL(mdb_drop(txn, dbi, 0), 0);
		for (size_t i = 0; i < n; i++) {
			k.mv_size = klen[i];
			k.mv_data = keys[i];
			v.mv_size = 32;
			v.mv_data = vals[i];
			CU_ASSERT_EQUAL_FATAL(mdb_put(txn, dbi, &k, &v, 0), 0);
		}
	}
	CU_ASSERT_EQUAL_FATAL(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	free(keys);
	free(vals);
	sfx_drop_dbs(dir, later, sizeof(later) / sizeof(later[0]));
	sfx_meta_set(dir, "layout", "3");
}

static void
test_migrate(void)
{
	struct store_stats st;
	char dir[256], v[8];
	size_t count = 0;
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	populate(s);
	items[3].status = RM_RISK_REMOVED;
	items[3].issued = T0 + 100000;
	issue(s, &items[3]);
	store_close(s);
	to_layout3(dir);
	s = sfx_open(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.migrated_from, 3);
	CU_ASSERT_EQUAL(st.migrated_items, NITEMS - 1);
	battery(s, T0 + 100);
	battery(s, T0 + 1000);
	/* history rebuilt from the log: every version */
	CU_ASSERT_EQUAL(store_history(s, &rm_kind_risk, 0, T0 + 200000,
	    hist_each_all, &count), RM_OK);
	store_close(s);
	sfx_meta_get(dir, "layout", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "5");
	/* reopened: no second migration */
	s = sfx_open(dir, 0);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.migrated_from, 0);
	store_close(s);
	sfx_rmdir(dir);
	CU_ASSERT_EQUAL(count, NITEMS + 1);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "query", test_query },
		{ "keys_children_history", test_keys_children_history },
		{ "groups", test_groups },
		{ "migrate", test_migrate },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("store.query", tests);
}
