/*
 * rbsr_bench.c -- range-based set reconciliation between two in-memory
 * sorted sets (tests/federation/mset.c): round trips, bytes and time.
 *   cmake --build build --target bench_rbsr && build/tests/bench/bench_rbsr [N]
 * Target (issue 8): N = 1,000,000 keys each and 1,000 differences in
 * <= 4 round trips, bytes <= 1.5 x the missing records + 100 KB, with
 * records of about 600 bytes. The overhead is the RBSR messages plus the
 * WANTs; the records themselves are counted at 600 bytes each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mset.h"

#define RECORD_BYTES 600

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
one(const char *name, size_t common, size_t only_a, size_t only_b)
{
	struct mset a, b;
	struct mset_result r;
	struct rbsr_key k;
	double t0, t1;
	unsigned long long missing, overhead, total, budget;
	int ok;

	mset_init(&a);
	mset_init(&b);
	for (size_t i = 0; i < common + only_a + only_b; i++) {
		mset_rand_key(&rng, &k);
		if (i < common + only_a)
			mset_push(&a, &k);
		if (i < common || i >= common + only_a)
			mset_push(&b, &k);
	}
	mset_sort(&a);
	mset_sort(&b);
	/* the prefix sums are the in-memory stand-in for the store's
	 * aggregate index: built before the clock starts */
	mset_ops.sum(&a, &RBSR_KEY_MIN, &RBSR_KEY_MIN, &(struct rbsr_sum){ 0 });
	mset_ops.sum(&b, &RBSR_KEY_MIN, &RBSR_KEY_MIN, &(struct rbsr_sum){ 0 });
	t0 = now_s();
	mset_reconcile(&a, &b, &r);
	t1 = now_s();
	missing = (r.sent_ab + r.sent_ba) * RECORD_BYTES;
	overhead = r.msg_bytes + r.want_bytes;
	total = missing + overhead;
	budget = missing + missing / 2 + 100 * 1024;
	ok = r.rv == RM_OK && mset_equal(&a, &b) &&
	    r.sent_ab == only_a && r.sent_ba == only_b;
	printf("%-28s %8zu %8zu %7zu %7zu | %2u msgs %4.1f RT | rbsr %8llu B"
	    " want %6llu B overhead %8llu B | records %9llu B | total/budget"
	    " %5.2f | %6.3f s | %s\n", name, a.n - only_b, b.n - only_a,
	    only_a, only_b, r.messages, r.messages / 2.0, r.msg_bytes,
	    r.want_bytes, overhead, missing,
	    budget ? (double)total / (double)budget : 0, t1 - t0,
	    ok ? "ok" : r.rv != RM_OK ? r.why.msg : !mset_equal(&a, &b) ?
	    "NOT EQUAL" : "duplicates sent");
	mset_fini(&a);
	mset_fini(&b);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	int bad = 0;

	if (argc > 3) {
		/* one case: N only_a only_b */
		return one("custom", n, strtoul(argv[2], NULL, 10),
		    strtoul(argv[3], NULL, 10));
	}
	printf("%-28s %8s %8s %7s %7s\n", "case", "|A|", "|B|", "A-B", "B-A");
	bad += one("0 differences", n, 0, 0);
	bad += one("1 difference (B lacks)", n - 1, 1, 0);
	bad += one("1 difference (A lacks)", n - 1, 0, 1);
	bad += one("1000 (500 each way)", n - 500, 500, 500);
	bad += one("1000 (B lacks all)", n - 1000, 1000, 0);
	bad += one("1000 (A lacks all)", n - 1000, 0, 1000);
	bad += one("10000 (5000 each way)", n - 5000, 5000, 5000);
	bad += one("cold join (B empty)", 0, n, 0);
	bad += one("cold join (A empty)", 0, 0, n);
	bad += one("all differ (disjoint 100k)", 0, 100000, 100000);
	return bad ? 1 : 0;
}
