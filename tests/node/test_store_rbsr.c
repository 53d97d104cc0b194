/*
 * test_store_rbsr.c -- the RBSR index (store_timeline.c, store_rbsr.c,
 * docs/STORAGE.md "RBSR index"): range sums, batch sums, keys and nth
 * against a brute-force model of the set after random inserts (out of
 * and in time order, duplicates, fork evidence, many chunk splits with
 * a small chunk size), every key as a bound (so every chunk edge),
 * empty ranges, the full range, get by issued time and hash prefix,
 * and the layout 4 -> 5 migration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL
#define A "120000.met"
#define B "120103.emergency"
#define F "120104.water"
#define NA 240                  /* chain of A, put in random order */
#define NB 120                  /* chain of B, put in time order */
#define NMAX (NA + NB + 64)
#define CHUNK 4                 /* C: a chunk splits past 8 keys */

/* The set as a sorted array of keys (the model). */
struct model {
	struct rbsr_key k[NMAX];
	size_t n;
};

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	return sfx_rand(&rng);
}

static void
model_add(struct model *m, const struct sfx *f)
{
	struct rbsr_key k;
	size_t i;

	k.issued_ms = (uint64_t)f->rec.issued_ms;
	memcpy(k.hash, f->hash.b, RM_HASH_BYTES);
	for (i = 0; i < m->n; i++)
		if (rbsr_key_cmp(&m->k[i], &k) >= 0)
			break;
	if (i < m->n && rbsr_key_cmp(&m->k[i], &k) == 0)
		return;
	CU_ASSERT_FATAL(m->n < NMAX);
	memmove(&m->k[i + 1], &m->k[i], (m->n - i) * sizeof(k));
	m->k[i] = k;
	m->n++;
}

static void
model_sum(const struct model *m, const struct rbsr_key *lo,
    const struct rbsr_key *hi, struct rbsr_sum *out)
{
	size_t i;

	rbsr_sum_zero(out);
	for (i = 0; i < m->n; i++)
		if (rbsr_key_cmp(&m->k[i], lo) >= 0 &&
		    rbsr_key_cmp(&m->k[i], hi) < 0)
			rbsr_sum_add(out, m->k[i].hash);
}

static bool
sum_eq(const struct rbsr_sum *a, const struct rbsr_sum *b)
{
	return a->count == b->count && memcmp(a->sum, b->sum, 32) == 0;
}

static store *
open_c(const char *dir, unsigned chunk,
    void (*progress)(void *, uint64_t, uint64_t), void *arg)
{
	struct store_opts o = { .dir = dir, .rbsr_chunk_keys = chunk,
	    .migrate_progress = progress, .migrate_progress_arg = arg };
	rm_why why = { "", "" };
	store *s = NULL;
	int rv = store_open(&o, &s, &why);

	if (rv != RM_OK)
		fprintf(stderr, "store_open: %s\n", why.msg);
	CU_ASSERT_EQUAL_FATAL(rv, RM_OK);
	return s;
}

/* A bound near the model's keys: a key itself, just below or above it
 * (same issued, hash 00.. or ff..), or MIN / MAX / random. */
static struct rbsr_key
some_bound(const struct model *m)
{
	struct rbsr_key k = RBSR_KEY_MIN;
	uint64_t r = rnd();

	switch (r % 7) {
	case 0:
		return RBSR_KEY_MIN;
	case 1:
		return RBSR_KEY_MAX;
	case 2:
		k.issued_ms = (uint64_t)T0 + (r >> 8) % 600;
		memset(k.hash, (int)(r >> 4) & 0xff, sizeof(k.hash));
		return k;
	default:
		break;
	}
	if (m->n == 0)
		return k;
	k = m->k[(r >> 8) % m->n];
	if (r % 7 == 4)
		memset(k.hash, 0, sizeof(k.hash));
	else if (r % 7 == 5)
		memset(k.hash, 0xff, sizeof(k.hash));
	return k;
}

/* Every check of sums, batch sums, keys and nth against the model. */
static void
check_all(store *s, const struct model *m)
{
	struct rbsr_key lo, hi, got, bounds[41], keys[NMAX];
	struct rbsr_sum want, have, outs[40], pre;
	struct store_stats st;
	size_t i, j, n;

	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.rbsr_keys, m->n);
	CU_ASSERT_EQUAL(st.rbsr_keys, st.records);
	/* the full range */
	lo = RBSR_KEY_MIN;
	hi = RBSR_KEY_MAX;
	model_sum(m, &lo, &hi, &want);
	CU_ASSERT_EQUAL(store_rbsr_sum(s, &lo, &hi, &have), RM_OK);
	CU_ASSERT(sum_eq(&want, &have));
	CU_ASSERT_EQUAL(have.count, m->n);
	/* every key as a bound: [MIN, k_i) and [k_i, MAX), nth there */
	rbsr_sum_zero(&pre);
	for (i = 0; i <= m->n; i++) {
		struct rbsr_key b = i < m->n ? m->k[i] : RBSR_KEY_MAX;

		CU_ASSERT_EQUAL(store_rbsr_sum(s, &lo, &b, &have), RM_OK);
		CU_ASSERT(sum_eq(&pre, &have));
		if (i < m->n) {
			rbsr_sum_add(&pre, m->k[i].hash);
			CU_ASSERT_EQUAL(store_rbsr_nth(s, &b, &hi, 0, &got),
			    RM_OK);
			CU_ASSERT(rbsr_key_cmp(&got, &m->k[i]) == 0);
			CU_ASSERT_EQUAL(store_rbsr_nth(s, &b, &hi,
			    m->n - 1 - i, &got), RM_OK);
			CU_ASSERT(rbsr_key_cmp(&got, &m->k[m->n - 1]) == 0);
			CU_ASSERT_EQUAL(store_rbsr_nth(s, &b, &hi, m->n - i,
			    &got), RM_ENOTFOUND);
		}
		CU_ASSERT_EQUAL(store_rbsr_nth(s, &lo, &b, i, &got),
		    RM_ENOTFOUND);
		if (i > 0) {
			CU_ASSERT_EQUAL(store_rbsr_nth(s, &lo, &b, i - 1, &got),
			    RM_OK);
			CU_ASSERT(rbsr_key_cmp(&got, &m->k[i - 1]) == 0);
		}
		CU_ASSERT_EQUAL(store_rbsr_nth(s, &lo, &hi, i, &got),
		    i < m->n ? RM_OK : RM_ENOTFOUND);
		if (i < m->n)
			CU_ASSERT(rbsr_key_cmp(&got, &m->k[i]) == 0);
	}
	/* random ranges: sum, keys, nth of every index */
	for (i = 0; i < 150; i++) {
		size_t first, cnt, max = (size_t)(rnd() % 12);

		lo = some_bound(m);
		hi = some_bound(m);
		model_sum(m, &lo, &hi, &want);
		CU_ASSERT_EQUAL(store_rbsr_sum(s, &lo, &hi, &have), RM_OK);
		CU_ASSERT(sum_eq(&want, &have));
		for (first = 0; first < m->n &&
		    rbsr_key_cmp(&m->k[first], &lo) < 0; first++)
			;
		cnt = (size_t)want.count;
		CU_ASSERT_EQUAL(store_rbsr_keys(s, &lo, &hi, max, keys, &n),
		    RM_OK);
		CU_ASSERT_EQUAL(n, cnt < max ? cnt : max);
		for (j = 0; j < n && j < max; j++)
			CU_ASSERT(rbsr_key_cmp(&keys[j], &m->k[first + j]) == 0);
		for (j = 0; j <= cnt && i % 5 == 0; j++) {
			int rv = store_rbsr_nth(s, &lo, &hi, j, &got);

			CU_ASSERT_EQUAL(rv, j < cnt ? RM_OK : RM_ENOTFOUND);
			if (rv == RM_OK)
				CU_ASSERT(rbsr_key_cmp(&got,
				    &m->k[first + j]) == 0);
		}
	}
	/* batch sums: ascending bounds (some equal), then a descending
	 * step in the middle */
	for (i = 0; i < 41; i++)
		bounds[i] = some_bound(m);
	for (i = 1; i < 41; i++)
		for (j = i; j > 0 && rbsr_key_cmp(&bounds[j - 1],
		    &bounds[j]) > 0; j--) {
			struct rbsr_key t = bounds[j];

			bounds[j] = bounds[j - 1];
			bounds[j - 1] = t;
		}
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			struct rbsr_key t = bounds[10];

			bounds[10] = bounds[30];
			bounds[30] = t;
		}
		CU_ASSERT_EQUAL(store_rbsr_sums(s, bounds, 40, outs), RM_OK);
		for (i = 0; i < 40; i++) {
			model_sum(m, &bounds[i], &bounds[i + 1], &want);
			CU_ASSERT(sum_eq(&want, &outs[i]));
		}
	}
}

/* Put n records (async, one wait); stored counts those newly stored. */
static void
put_all(store *s, struct sfx **fs, size_t n, unsigned *stored)
{
	struct sfx_wait w;
	size_t i;

	sfx_wait_init(&w);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(store_put(s, fs[i]->bytes.data, fs[i]->bytes.len,
		    &fs[i]->hash, NULL, sfx_wait_cb, &w), RM_OK);
	sfx_wait_for(&w, (unsigned)n);
	*stored = w.stored;
	sfx_wait_fini(&w);
}

static struct sfx fa[NA], fb[NB], fk[2];
static struct model model;

/* Build the store of the tests in dir: A's chain with random issued
 * times (many ties) put in random order, duplicates, B's chain in time
 * order, a fork of F (the evidence is in the set too). Checks along
 * the way. */
static store *
build(const char *dir)
{
	struct sfx *order[NA];
	store *s;
	char oid[32];
	unsigned stored;
	size_t i;

	memset(&model, 0, sizeof(model));
	s = open_c(dir, CHUNK, NULL, NULL);
	check_all(s, &model);    /* empty */
	for (i = 0; i < NA; i++) {
		snprintf(oid, sizeof(oid), "a-%zu", i);
		sfx_make(&fa[i], A, oid, 1, i + 1, i ? &fa[i - 1].hash : NULL,
		    "120000", RM_MSGTYPE_ALERT, T0 + (int64_t)(rnd() % 60), 0);
		order[i] = &fa[i];
	}
	for (i = NA - 1; i > 0; i--) {
		size_t j = (size_t)(rnd() % (i + 1));
		struct sfx *t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	put_all(s, order, NA / 2, &stored);
	CU_ASSERT_EQUAL(stored, NA / 2);
	for (i = 0; i < NA / 2; i++)
		model_add(&model, order[i]);
	check_all(s, &model);
	/* the rest, with the first half again (duplicates: no change) */
	put_all(s, order, NA, &stored);
	CU_ASSERT_EQUAL(stored, NA - NA / 2);
	for (i = 0; i < NA; i++)
		model_add(&model, &fa[i]);
	check_all(s, &model);
	/* in time order, after everything */
	for (i = 0; i < NB; i++) {
		snprintf(oid, sizeof(oid), "b-%zu", i);
		sfx_make(&fb[i], B, oid, 1, i + 1, i ? &fb[i - 1].hash : NULL,
		    "120103", RM_MSGTYPE_ALERT, T0 + 300 + (int64_t)i, 0);
		order[i] = &fb[i];
		model_add(&model, &fb[i]);
	}
	put_all(s, order, NB, &stored);
	CU_ASSERT_EQUAL(stored, NB);
	/* fork evidence: two records at (F, 1) */
	sfx_make(&fk[0], F, "f-1", 1, 1, NULL, "120104", RM_MSGTYPE_ALERT,
	    T0 + 5, 0);
	sfx_make(&fk[1], F, "f-2", 1, 1, NULL, "120104", RM_MSGTYPE_ALERT,
	    T0 + 500, 0);
	CU_ASSERT_EQUAL(sfx_put(s, &fk[0], NULL), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &fk[1], NULL), RM_EFORK);
	model_add(&model, &fk[0]);
	model_add(&model, &fk[1]);
	check_all(s, &model);
	return s;
}

static void
fini_all(void)
{
	size_t i;

	for (i = 0; i < NA; i++)
		sfx_fini(&fa[i]);
	for (i = 0; i < NB; i++)
		sfx_fini(&fb[i]);
	sfx_fini(&fk[0]);
	sfx_fini(&fk[1]);
}

static void
test_sums(void)
{
	struct store_stats st;
	struct rbsr_key lo, hi, got;
	struct rbsr_sum have;
	char dir[256];
	size_t n;
	store *s;

	sfx_tmpdir(dir);
	s = build(dir);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	/* chunks were split: at most 2C keys each */
	CU_ASSERT(st.rbsr_chunks >= model.n / (2 * CHUNK));
	/* lo >= hi is empty */
	lo = model.k[10];
	hi = model.k[3];
	CU_ASSERT_EQUAL(store_rbsr_sum(s, &lo, &hi, &have), RM_OK);
	CU_ASSERT_EQUAL(have.count, 0);
	CU_ASSERT_EQUAL(store_rbsr_sum(s, &lo, &lo, &have), RM_OK);
	CU_ASSERT_EQUAL(have.count, 0);
	CU_ASSERT_EQUAL(store_rbsr_nth(s, &lo, &lo, 0, &got), RM_ENOTFOUND);
	CU_ASSERT_EQUAL(store_rbsr_keys(s, &lo, &hi, 5, &got, &n), RM_OK);
	CU_ASSERT_EQUAL(n, 0);
	/* the index survives a reopen with another chunk size */
	store_close(s);
	s = open_c(dir, 1024, NULL, NULL);
	check_all(s, &model);
	CU_ASSERT_EQUAL(store_rbsr_sum(NULL, &lo, &hi, &have), RM_EINVAL);
	CU_ASSERT_EQUAL(store_rbsr_sums(s, &lo, 0, &have), RM_EINVAL);
	CU_ASSERT_EQUAL(store_rbsr_keys(s, &lo, &hi, 1, NULL, &n), RM_EINVAL);
	store_close(s);
	fini_all();
	sfx_rmdir(dir);
}

/* The record of the tests with this hash (A's, B's or F's). */
static const struct sfx *
by_hash(const uint8_t *h)
{
	size_t i;

	for (i = 0; i < NA; i++)
		if (memcmp(fa[i].hash.b, h, RM_HASH_BYTES) == 0)
			return &fa[i];
	for (i = 0; i < NB; i++)
		if (memcmp(fb[i].hash.b, h, RM_HASH_BYTES) == 0)
			return &fb[i];
	for (i = 0; i < 2; i++)
		if (memcmp(fk[i].hash.b, h, RM_HASH_BYTES) == 0)
			return &fk[i];
	return NULL;
}

static void
test_get(void)
{
	uint8_t pre[RM_HASH_BYTES];
	struct sfx extra[64];
	rm_buf out = RM_BUF_INIT;
	char dir[256], oid[32];
	size_t i, ne = 0, plen[] = { 1, 4, 32 };
	int hit = -1, other = -1;
	store *s;

	sfx_tmpdir(dir);
	s = build(dir);
	/* every record by issued time and prefix: the first key of the
	 * model with both (itself, or a lower hash sharing the prefix) */
	for (i = 0; i < NA; i++)
		for (size_t p = 0; p < 3; p++) {
			const struct sfx *want = NULL;
			size_t j;

			for (j = 0; j < model.n && want == NULL; j++)
				if (model.k[j].issued_ms ==
				    (uint64_t)fa[i].rec.issued_ms &&
				    memcmp(model.k[j].hash, fa[i].hash.b,
				    plen[p]) == 0)
					want = by_hash(model.k[j].hash);
			CU_ASSERT_FATAL(want != NULL);
			CU_ASSERT(p < 2 || want == &fa[i]);
			out.len = 0;
			CU_ASSERT_EQUAL(store_rbsr_get(s,
			    (uint64_t)fa[i].rec.issued_ms, fa[i].hash.b,
			    plen[p], &out), RM_OK);
			CU_ASSERT(out.len == want->bytes.len &&
			    memcmp(out.data, want->bytes.data, out.len) == 0);
		}
	/* fork evidence is served too */
	out.len = 0;
	CU_ASSERT_EQUAL(store_rbsr_get(s, (uint64_t)fk[1].rec.issued_ms,
	    fk[1].hash.b, 32, &out), RM_OK);
	/* two records at one issued time sharing a first hash byte: the
	 * one-byte prefix gives the lower hash */
	for (ne = 0; ne < 64 && hit < 0; ne++) {
		snprintf(oid, sizeof(oid), "e-%zu", ne);
		sfx_make(&extra[ne], "120105.fire", oid, 1, ne + 1,
		    ne ? &extra[ne - 1].hash : NULL, "120105",
		    RM_MSGTYPE_ALERT, T0 + 777, 0);
		CU_ASSERT_EQUAL(sfx_put(s, &extra[ne], NULL), RM_OK);
		for (i = 0; i < ne; i++)
			if (extra[i].hash.b[0] == extra[ne].hash.b[0]) {
				bool low = memcmp(extra[i].hash.b,
				    extra[ne].hash.b, 32) < 0;

				hit = (int)(low ? i : ne);
				other = (int)(low ? ne : i);
			}
	}
	CU_ASSERT_FATAL(hit >= 0);
	out.len = 0;
	CU_ASSERT_EQUAL(store_rbsr_get(s, T0 + 777, extra[hit].hash.b, 1,
	    &out), RM_OK);
	CU_ASSERT(out.len == extra[hit].bytes.len &&
	    memcmp(out.data, extra[hit].bytes.data, out.len) == 0);
	out.len = 0;
	CU_ASSERT_EQUAL(store_rbsr_get(s, T0 + 777, extra[other].hash.b, 32,
	    &out), RM_OK);
	CU_ASSERT(memcmp(out.data, extra[other].bytes.data, out.len) == 0);
	/* absent: no record at that time, or none with the prefix */
	out.len = 0;
	CU_ASSERT_EQUAL(store_rbsr_get(s, T0 + 100000, fa[0].hash.b, 4, &out),
	    RM_ENOTFOUND);
	memcpy(pre, fa[0].hash.b, sizeof(pre));
	pre[3] ^= 0x5a;
	CU_ASSERT_EQUAL(store_rbsr_get(s, (uint64_t)fa[0].rec.issued_ms, pre,
	    32, &out), RM_ENOTFOUND);
	CU_ASSERT_EQUAL(store_rbsr_get(s, (uint64_t)fa[0].rec.issued_ms + 1,
	    fa[0].hash.b, 32, &out), RM_ENOTFOUND);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL(store_rbsr_get(s, 1, pre, 0, &out), RM_EINVAL);
	CU_ASSERT_EQUAL(store_rbsr_get(s, 1, pre, 33, &out), RM_EINVAL);
	rm_buf_fini(&out);
	store_close(s);
	for (i = 0; i < ne; i++)
		sfx_fini(&extra[i]);
	fini_all();
	sfx_rmdir(dir);
}

/* Make the closed store in dir a layout-4 store, as that release wrote
 * it: no `timeline`, no `timesum`, meta "layout" "4". */
static void
to_layout4(const char *dir)
{
	static const char *const later[] = { "timeline", "timesum" };

	sfx_drop_dbs(dir, later, 2);
	sfx_meta_set(dir, "layout", "4");
}

struct prog {
	unsigned calls;
	uint64_t done, total;
};

static void
prog_cb(void *arg, uint64_t done, uint64_t total)
{
	struct prog *p = arg;

	p->calls++;
	p->done = done;
	p->total = total;
}

static void
test_migrate(void)
{
	struct rbsr_key lo = RBSR_KEY_MIN, hi = RBSR_KEY_MAX;
	struct rbsr_sum before, after;
	struct store_stats st;
	struct prog pr = { 0, 0, 0 };
	char dir[256], v[8];
	store *s;

	sfx_tmpdir(dir);
	s = build(dir);
	CU_ASSERT_EQUAL(store_rbsr_sum(s, &lo, &hi, &before), RM_OK);
	store_close(s);
	to_layout4(dir);
	s = open_c(dir, CHUNK, prog_cb, &pr);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.migrated_from, 4);
	CU_ASSERT_EQUAL(st.migrated_records, model.n);
	CU_ASSERT_EQUAL(st.migrated_items, 0);
	CU_ASSERT(pr.calls >= 1);
	CU_ASSERT_EQUAL(pr.done, model.n);
	CU_ASSERT_EQUAL(pr.total, model.n);
	CU_ASSERT_EQUAL(st.rbsr_chunks, (model.n + CHUNK - 1) / CHUNK);
	CU_ASSERT_EQUAL(store_rbsr_sum(s, &lo, &hi, &after), RM_OK);
	CU_ASSERT(sum_eq(&before, &after));
	check_all(s, &model);
	/* new records after the migration split its chunks */
	{
		struct sfx g;

		sfx_make(&g, A, "a-next", 1, NA + 1, &fa[NA - 1].hash,
		    "120000", RM_MSGTYPE_ALERT, T0 + 30, 0);
		CU_ASSERT_EQUAL(sfx_put(s, &g, NULL), RM_OK);
		model_add(&model, &g);
		check_all(s, &model);
		sfx_fini(&g);
	}
	store_close(s);
	sfx_meta_get(dir, "layout", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "5");
	/* reopened: no second migration */
	s = open_c(dir, CHUNK, prog_cb, &pr);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.migrated_from, 0);
	check_all(s, &model);
	store_close(s);
	fini_all();
	sfx_rmdir(dir);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "sums", test_sums },
		{ "get", test_get },
		{ "migrate", test_migrate },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("store.rbsr", tests);
}
