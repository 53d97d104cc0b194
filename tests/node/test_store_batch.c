/*
 * test_store_batch.c -- store_issue_batch: n own records in one write
 * transaction (seqs k+1..k+n, each prev the record before, one commit),
 * all or nothing when a seal fails, batches and single issues from
 * other threads keeping the log contiguous and chained, observer events
 * after the commit (commit_last on the last), and kill -9 never leaving
 * part of a batch visible.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL
#define B "120103.emergency"
#define NB 1000

/* Records with their bodies, for a batch of n. */
struct recs {
	size_t n;
	struct rm_record *r;
	struct rm_alert *a;
	struct store_issue_item *it;
	char (*oid)[32];
};

static void
recs_make(struct recs *x, size_t n, const char *tag)
{
	x->n = n;
	x->r = calloc(n, sizeof(*x->r));
	x->a = calloc(n, sizeof(*x->a));
	x->it = calloc(n, sizeof(*x->it));
	x->oid = calloc(n, sizeof(*x->oid));
	CU_ASSERT_FATAL(x->r != NULL && x->a != NULL && x->it != NULL &&
	    x->oid != NULL);
	for (size_t i = 0; i < n; i++) {
		snprintf(x->oid[i], sizeof(x->oid[i]), "%s-%zu", tag, i);
		sfx_record(&x->r[i], &x->a[i], B, x->oid[i], 0, 0, NULL,
		    "120103", RM_MSGTYPE_ALERT, T0, 0);
		x->it[i].rec = &x->r[i];
	}
}

static void
recs_free(struct recs *x)
{
	free(x->r);
	free(x->a);
	free(x->it);
	free(x->oid);
}

static uint64_t
chain_len(store *s)
{
	return sfx_chain_len(s, B, NULL);
}

/* Observer: counts events and commit_last marks. */
struct obs {
	unsigned events, lasts;
	uint64_t last_seq;
};

static void
obs_fn(void *arg, const struct store_event *ev)
{
	struct obs *o = arg;

	o->events++;
	o->lasts += ev->commit_last;
	o->last_seq = ev->rec->seq;
}

static void
single(store *s, const char *oid)
{
	struct rm_record r;
	struct rm_alert a;
	rm_why why;

	sfx_record(&r, &a, B, oid, 0, 0, NULL, "120103", RM_MSGTYPE_ALERT, T0,
	    0);
	CU_ASSERT_EQUAL(store_issue(s, &r, sfx_seal, NULL, NULL, &why), RM_OK);
}

static void
test_batch(void)
{
	struct store_stats st0, st1;
	struct obs o = { 0, 0, 0 };
	struct recs x;
	size_t bad;
	rm_why why;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	store_set_observer(s, obs_fn, &o);
	single(s, "first");
	single(s, "second");
	CU_ASSERT_EQUAL(store_get_stats(s, &st0), RM_OK);
	recs_make(&x, NB, "b");
	CU_ASSERT_EQUAL_FATAL(store_issue_batch(s, x.it, x.n, sfx_seal, &bad,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(bad, NB);
	CU_ASSERT_EQUAL(store_get_stats(s, &st1), RM_OK);
	CU_ASSERT_EQUAL(st1.commits, st0.commits + 1);       /* one commit */
	CU_ASSERT_EQUAL(st1.records, st0.records + NB);
	for (size_t i = 0; i < NB; i++) {
		CU_ASSERT_EQUAL(x.r[i].seq, 3 + i);
		CU_ASSERT_EQUAL(x.it[i].res.seq, 3 + i);
		CU_ASSERT_EQUAL(x.r[i].ver, 1);
		CU_ASSERT(x.it[i].res.stored);
		if (i > 0)
			CU_ASSERT(memcmp(x.r[i].prev.b, x.it[i - 1].res.hash.b,
			    RM_HASH_BYTES) == 0);
	}
	CU_ASSERT_EQUAL(o.events, 2 + NB);
	CU_ASSERT_EQUAL(o.lasts, 3);         /* one per commit */
	CU_ASSERT_EQUAL(o.last_seq, 2 + NB);
	CU_ASSERT_EQUAL(chain_len(s), 2 + NB);
	/* Argument errors. */
	CU_ASSERT_EQUAL(store_issue_batch(s, x.it, 0, sfx_seal, NULL, &why),
	    RM_EINVAL);
	recs_free(&x);
	store_close(s);
	sfx_rmdir(dir);
}

/* Fails the record whose object id ends in "-7". */
static int
seal_some(void *arg, struct rm_record *rec, rm_buf *out, rm_hash *hash,
    rm_why *why)
{
	const char *oid = rec->object_id;
	size_t n = strlen(oid);

	(void)arg;
	if (n >= 2 && strcmp(oid + n - 2, "-7") == 0)
		return rm_fail(why, RM_ECRYPTO, "test: cannot sign");
	return sfx_seal(NULL, rec, out, hash, why);
}

static void
test_batch_fails_whole(void)
{
	struct store_stats st0, st1;
	struct obs o = { 0, 0, 0 };
	struct recs x;
	size_t bad;
	rm_why why;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	store_set_observer(s, obs_fn, &o);
	single(s, "first");
	CU_ASSERT_EQUAL(store_get_stats(s, &st0), RM_OK);
	recs_make(&x, 20, "f");
	CU_ASSERT_EQUAL(store_issue_batch(s, x.it, x.n, seal_some, &bad, &why),
	    RM_ECRYPTO);
	CU_ASSERT_EQUAL(bad, 7);
	CU_ASSERT(strstr(why.msg, "record 7") != NULL);
	CU_ASSERT(strstr(why.msg, "cannot sign") != NULL);
	CU_ASSERT_EQUAL(store_get_stats(s, &st1), RM_OK);
	CU_ASSERT_EQUAL(st1.records, st0.records);           /* nothing */
	CU_ASSERT_EQUAL(o.events, 1);
	CU_ASSERT_EQUAL(chain_len(s), 1);
	/* The seqs were not consumed: the next single issue is seq 2. */
	single(s, "after");
	CU_ASSERT_EQUAL(chain_len(s), 2);
	recs_free(&x);
	store_close(s);
	sfx_rmdir(dir);
}

/* Batches on one thread, single issues on another. */
#define CONC_BATCHES 8
#define CONC_BATCH_N 250
#define CONC_SINGLES 300

static void *
singles_main(void *arg)
{
	store *s = arg;
	char oid[32];

	for (int i = 0; i < CONC_SINGLES; i++) {
		snprintf(oid, sizeof(oid), "single-%d", i);
		single(s, oid);
	}
	return NULL;
}

static void
test_batch_concurrent(void)
{
	struct recs x[CONC_BATCHES];
	pthread_t t;
	rm_why why;
	char dir[256], tag[16];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, singles_main, s), 0);
	for (int b = 0; b < CONC_BATCHES; b++) {
		snprintf(tag, sizeof(tag), "c%d", b);
		recs_make(&x[b], CONC_BATCH_N, tag);
		CU_ASSERT_EQUAL(store_issue_batch(s, x[b].it, x[b].n, sfx_seal,
		    NULL, &why), RM_OK);
		/* a batch's seqs are consecutive whatever ran beside it */
		for (size_t i = 1; i < CONC_BATCH_N; i++)
			CU_ASSERT_EQUAL(x[b].r[i].seq, x[b].r[0].seq + i);
	}
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(chain_len(s), CONC_BATCHES * CONC_BATCH_N +
	    CONC_SINGLES);
	for (int b = 0; b < CONC_BATCHES; b++)
		recs_free(&x[b]);
	store_close(s);
	sfx_rmdir(dir);
}

/* Map growth inside a batch: the whole batch is retried and sealed
 * again with the same numbers. */
static void
test_batch_map_growth(void)
{
	struct recs x;
	rm_why why;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 256 * 1024);
	recs_make(&x, 2000, "g");
	CU_ASSERT_EQUAL(store_issue_batch(s, x.it, x.n, sfx_seal, NULL, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(chain_len(s), 2000);
	recs_free(&x);
	store_close(s);
	sfx_rmdir(dir);
}

/* Slow seal: the kill lands inside a batch most of the time. */
static int
seal_slow(void *arg, struct rm_record *rec, rm_buf *out, rm_hash *hash,
    rm_why *why)
{
	(void)arg;
	nanosleep(&(struct timespec){ 0, 20000 }, NULL);
	return sfx_seal(NULL, rec, out, hash, why);
}

/* Issues batches of 500 with a slow seal until killed. */
static void
crash_child(const char *dir, int fd)
{
	store *s = sfx_open(dir, 0);
	struct recs x;
	char tag[16];
	uint64_t got;

	for (uint64_t b = 0;; b++) {
		rm_why why;

		snprintf(tag, sizeof(tag), "k%llu", (unsigned long long)b);
		recs_make(&x, 500, tag);
		if (store_issue_batch(s, x.it, x.n, seal_slow, NULL,
		    &why) != RM_OK)
			_exit(3);
		got = x.r[x.n - 1].seq;
		if (write(fd, &got, sizeof(got)) != sizeof(got))
			_exit(4);
		recs_free(&x);
	}
}

static void
test_batch_crash(void)
{
	char dir[256];
	uint64_t acked, len;
	store *s;

	sfx_tmpdir(dir);
	acked = sfx_crash_run(dir, crash_child, 1500);
	s = sfx_open(dir, 0);
	CU_ASSERT_FATAL(s != NULL);
	len = chain_len(s);
	CU_ASSERT(len >= acked);           /* nothing acknowledged lost */
	CU_ASSERT_EQUAL(len % 500, 0);     /* no part of a batch */
	store_close(s);
	sfx_rmdir(dir);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "batch", test_batch },
		{ "batch_fails_whole", test_batch_fails_whole },
		{ "batch_concurrent", test_batch_concurrent },
		{ "batch_map_growth", test_batch_map_growth },
		{ "batch_crash", test_batch_crash },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("store.batch", tests);
}
