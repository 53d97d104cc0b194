/*
 * rbsr_store.c -- benchmark (not a test) of the store's RBSR index
 * (node/store/store_rbsr.c, docs/STORAGE.md "RBSR index").
 *
 *   bench_rbsr_store DIR [KEYS] [PUTS] [CHUNKS]
 *   (defaults: 1000000 keys, 20000 puts, chunk sizes "256,1024,4096")
 *
 * 1. Reads, for each chunk size C: KEYS random keys (issued times over
 *    30 days, random hashes, inserted in random time order) are filed
 *    in `timeline` / `timesum` through the TEST-ONLY path: the bench
 *    includes store_int.h and calls store_timeline_add in its own write
 *    transactions (100,000 keys each), because storing a million
 *    records (store_put) takes minutes; the index code is the writer's.
 *    Then, each the median of 5 runs: the full-range sum; 64 range sums
 *    (the 64 equal ranges of the first reconciliation round, located
 *    with store_rbsr_nth); 4096 consecutive sums in one store_rbsr_sums
 *    call; 1,000 store_rbsr_nth at random positions of the full range;
 *    and, for scale, a plain scan summing every key of `timeline`. The
 *    split cost is given as timeline keys read per insert (a split
 *    reads C + 1), its time is inside the insert figure.
 * 2. Writes: PUTS records (unsigned COSE_Sign1, as the store tests
 *    make; random issued times) through store_put with group commit,
 *    into a store with the index and one without (rbsr_off, a field
 *    only this bench sets), alternating, three rounds each, in one run:
 *    records/s (medians) and the ratio.
 * 3. Migration: the store of (2) made layout 4 (timeline and timesum
 *    deleted) and reopened: records/s of the 4 -> 5 build.
 * DIR must not exist (it is created and removed). Prints Markdown.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <lmdb.h>

#include "node/store/store_int.h"
#include "test_store_fx.h"

#define RUNS 5
#define DAY_MS (24ULL * 3600 * 1000)
#define T0 1786000000000ULL

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	return sfx_rand(&rng);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dcmp);
	return v[n / 2];
}

static void
die(const char *what, int rv)
{
	fprintf(stderr, "bench_rbsr_store: %s: %d\n", what, rv);
	exit(1);
}

static store *
open_store(const char *dir, unsigned chunk)
{
	struct store_opts o = { .dir = dir, .map_size_bytes = 1ULL << 30,
	    .rbsr_chunk_keys = chunk };
	rm_why why = { "", "" };
	store *s;
	int rv;

	if ((rv = store_open(&o, &s, &why)) != RM_OK) {
		fprintf(stderr, "store_open %s: %s\n", dir, why.msg);
		exit(1);
	}
	return s;
}

/* KEYS random keys through store_timeline_add (the test-only path). */
static double
fill(store *s, uint64_t keys)
{
	double t = now_s();
	uint64_t i = 0;

	while (i < keys) {
		MDB_txn *txn;
		int mrc;

		if ((mrc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
			die("begin", mrc);
		for (uint64_t j = 0; j < 100000 && i < keys; j++, i++) {
			rm_hash h;

			for (int w = 0; w < 4; w++) {
				uint64_t r = rnd();

				memcpy(h.b + 8 * w, &r, 8);
			}
			if ((mrc = store_timeline_add(s, txn, &h,
			    T0 + rnd() % (30 * DAY_MS))) != 0)
				die("timeline add", mrc);
		}
		if ((mrc = mdb_txn_commit(txn)) != 0)
			die("commit", mrc);
	}
	return now_s() - t;
}

/* The plain scan: every key of `timeline` summed (what the index
 * avoids). */
static double
scan_all(store *s, uint64_t *n)
{
	struct rbsr_sum sum;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	double t = now_s();
	int mrc;

	rbsr_sum_zero(&sum);
	if (store_rd_begin(s, &txn) != 0 ||
	    mdb_cursor_open(txn, s->db_timeline, &cur) != 0)
		die("scan", 0);
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		rbsr_sum_add(&sum, (const uint8_t *)k.mv_data + 8);
	mdb_cursor_close(cur);
	store_rd_end(s, txn);
	*n = sum.count;
	return now_s() - t;
}

static void
bench_reads(const char *dir, uint64_t keys, unsigned chunk)
{
	static struct rbsr_key bounds[4097];
	static struct rbsr_sum outs[4096];
	struct rbsr_key lo = RBSR_KEY_MIN, hi = RBSR_KEY_MAX, k;
	struct rbsr_sum sum;
	struct store_stats st;
	double full[RUNS], r64[RUNS], r4096[RUNS], nth[RUNS], scan[RUNS];
	double fill_s;
	uint64_t n = 0, splits;
	store *s = open_store(dir, chunk);
	int rv;

	fill_s = fill(s, keys);
	splits = s->rbsr_splits;
	if (store_get_stats(s, &st) != RM_OK)
		die("stats", 0);
	for (int r = 0; r < RUNS; r++) {
		double t = now_s();

		if ((rv = store_rbsr_sum(s, &lo, &hi, &sum)) != RM_OK)
			die("sum", rv);
		full[r] = now_s() - t;
		/* 64 equal ranges, as a first round splits */
		bounds[0] = lo;
		for (int i = 1; i < 64; i++)
			if ((rv = store_rbsr_nth(s, &lo, &hi,
			    sum.count / 64 * (uint64_t)i, &bounds[i])) != RM_OK)
				die("nth", rv);
		bounds[64] = hi;
		t = now_s();
		for (int i = 0; i < 64; i++)
			if ((rv = store_rbsr_sum(s, &bounds[i], &bounds[i + 1],
			    &outs[i])) != RM_OK)
				die("sum64", rv);
		r64[r] = now_s() - t;
		/* 4096 consecutive ranges in one call */
		bounds[0] = lo;
		for (int i = 1; i < 4096; i++) {
			bounds[i].issued_ms = T0 + 30 * DAY_MS / 4096 *
			    (uint64_t)i;
			memset(bounds[i].hash, 0, RM_HASH_BYTES);
		}
		bounds[4096] = hi;
		t = now_s();
		if ((rv = store_rbsr_sums(s, bounds, 4096, outs)) != RM_OK)
			die("sums", rv);
		r4096[r] = now_s() - t;
		t = now_s();
		for (int i = 0; i < 1000; i++)
			if ((rv = store_rbsr_nth(s, &lo, &hi, rnd() % sum.count,
			    &k)) != RM_OK)
				die("nth", rv);
		nth[r] = (now_s() - t) / 1000;
		scan[r] = scan_all(s, &n);
	}
	if (n != keys || sum.count != keys)
		die("count", (int)(n - keys));
	/* a split reads C + 1 timeline keys */
	printf("| %u | %llu | %.2f | %.2f | %.3f | %.2f | %.2f | "
	    "%.1f | %.1f | %.1f |\n", chunk, (unsigned long long)st.rbsr_chunks,
	    fill_s * 1e6 / (double)keys,
	    (double)splits * (chunk + 1) / (double)keys,
	    median(full, RUNS) * 1e3, median(r64, RUNS) * 1e3,
	    median(r4096, RUNS) * 1e3, median(nth, RUNS) * 1e6,
	    median(scan, RUNS) * 1e3,
	    median(scan, RUNS) / median(full, RUNS));
	store_close(s);
}

/* PUTS records through store_put into a fresh store; records/s. */
static double
bench_puts(const char *dir, uint64_t puts, bool index_off, bool in_order,
    uint64_t *got)
{
	struct sfx *f = calloc(puts, sizeof(*f));
	struct sfx_wait w;
	store *s = open_store(dir, 0);
	double t;
	char oid[32];

	if (f == NULL)
		die("calloc", 0);
	s->rbsr_off = index_off;
	for (uint64_t i = 0; i < puts; i++) {
		snprintf(oid, sizeof(oid), "o-%llu", (unsigned long long)i);
		sfx_make(&f[i], "120000.met", oid, 1, i + 1,
		    i ? &f[i - 1].hash : NULL, "120000", RM_MSGTYPE_ALERT,
		    (rm_utc_ms)(in_order ? T0 + i * 1000 :
		    T0 + rnd() % (30 * DAY_MS)), 0);
	}
	sfx_wait_init(&w);
	t = now_s();
	for (uint64_t i = 0; i < puts; i++)
		if (store_put(s, f[i].bytes.data, f[i].bytes.len, &f[i].hash,
		    NULL, sfx_wait_cb, &w) != RM_OK)
			die("put", 0);
	sfx_wait_for(&w, (unsigned)puts);
	t = now_s() - t;
	*got = w.stored;
	sfx_wait_fini(&w);
	store_close(s);
	for (uint64_t i = 0; i < puts; i++)
		sfx_fini(&f[i]);
	free(f);
	return (double)puts / t;
}

static int b_argc;
static char **b_argv;

/* The whole bench, run as a CUnit test: the store fixtures
 * (test_store_fx.c) assert through CUnit. */
static void
bench(void)
{
	int argc = b_argc;
	char **argv = b_argv;
	char sub[512], list[256];
	uint64_t keys = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	uint64_t puts = argc > 3 ? strtoull(argv[3], NULL, 10) : 20000;
	uint64_t got_on, got_off;
	double on, off, mig, ons[3], offs[3];
	struct store_stats st;
	char *tok, *save;
	store *s;

	snprintf(list, sizeof(list), "%s", argc > 4 ? argv[4] :
	    "256,1024,4096");
	if (mkdir(argv[1], 0700) != 0)
		die("mkdir DIR (must not exist)", 0);
	printf("%llu keys (random issued times over 30 days, random "
	    "hashes), medians of %d runs\n\n", (unsigned long long)keys, RUNS);
	printf("| C | chunks | index insert µs/key | split: keys read "
	    "per insert | full-range sum ms | 64 sums ms | 4096 sums "
	    "(one call) ms | nth µs | plain scan ms | scan / sum |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|\n");
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		snprintf(sub, sizeof(sub), "%s/keys-%s", argv[1], tok);
		bench_reads(sub, keys, (unsigned)atoi(tok));
		sfx_rmdir(sub);
	}
	/* alternate without / with, three rounds each (a shared machine:
	 * medians); issued in time order (records arrive about so), then
	 * at random times (the index's worst case: every insert in
	 * another page) */
	for (int order = 1; order >= 0; order--) {
		for (int r = 0; r < 3; r++) {
			snprintf(sub, sizeof(sub), "%s/off", argv[1]);
			offs[r] = bench_puts(sub, puts, true, order, &got_off);
			sfx_rmdir(sub);
			snprintf(sub, sizeof(sub), "%s/on", argv[1]);
			ons[r] = bench_puts(sub, puts, false, order, &got_on);
			if (got_on != puts || got_off != puts)
				die("stored", 0);
			if (r < 2 || order == 1)
				sfx_rmdir(sub);
		}
		off = median(offs, 3);
		on = median(ons, 3);
		printf("\n%llu puts (store_put, group commit, issued %s), "
		    "median of 3 alternating rounds: without the index %.0f "
		    "records/s, with it %.0f records/s (with / without "
		    "%.3f)\n", (unsigned long long)puts, order ?
		    "in time order" : "at random times", off, on, on / off);
	}
	{
		static const char *const later[] = { "timeline", "timesum" };
		double t;

		sfx_drop_dbs(sub, later, 2);
		sfx_meta_set(sub, "layout", "4");
		t = now_s();
		s = open_store(sub, 0);
		mig = now_s() - t;
		if (store_get_stats(s, &st) != RM_OK ||
		    st.migrated_records != puts)
			die("migration", 0);
		store_close(s);
	}
	printf("\nmigration 4 -> 5 of that store: %llu records in %.2f s "
	    "(%.0f records/s, open included)\n", (unsigned long long)puts,
	    mig, (double)puts / mig);
	sfx_rmdir(sub);
	rmdir(argv[1]);
}

int
main(int argc, char **argv)
{
	CU_pSuite suite;
	unsigned failed;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_rbsr_store DIR [KEYS] [PUTS] "
		    "[CHUNKS]\n");
		return 2;
	}
	b_argc = argc;
	b_argv = argv;
	if (CU_initialize_registry() != CUE_SUCCESS ||
	    (suite = CU_add_suite("bench", NULL, NULL)) == NULL ||
	    CU_add_test(suite, "rbsr_store", bench) == NULL)
		return 1;
	CU_basic_set_mode(CU_BRM_SILENT);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	if (failed != 0)
		fprintf(stderr, "bench_rbsr_store: %u fixture assertions "
		    "failed\n", failed);
	return failed != 0;
}
