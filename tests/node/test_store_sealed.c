/*
 * test_store_sealed.c -- pre-sealed batches (store_sealed.c):
 * store_own_head, and store_put_sealed_batch storing records numbered,
 * chained and signed by the caller only if the log head is still the
 * one they were chained on: the right chain and versions; a moved head
 * is RM_EBUSY with nothing stored; an object changed meanwhile is
 * RM_EBUSY naming the record; of two pipelined batches whose first
 * fails nothing of the second is stored; single issues beside an
 * importing thread that seals again on RM_EBUSY keep the log
 * contiguous, and every record verifies with the signer's key; kill -9
 * of an importing process never leaves part of a batch.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL
#define B "120103.emergency"

/* A batch sealed by the test: records, bodies, signed bytes, items. */
struct pre {
	size_t n;
	struct rm_record *r;
	struct rm_alert *a;
	rm_buf *sig;
	struct store_sealed_item *it;
	char (*oid)[32];
};

static crypto_signer *signer;
static crypto_key *pub;

/* A store_seal_fn signing for real with arg, a crypto_signer. */
static int
seal_real(void *arg, struct rm_record *r, rm_buf *out, rm_hash *hash,
    rm_why *why)
{
	rm_buf body = RM_BUF_INIT;
	size_t start = out->len;
	int rv;

	if ((rv = record_encode(r, &body, why)) == RM_OK &&
	    (rv = cose_sign1_sign(arg, body.data, body.len, out, why)) ==
	    RM_OK)
		cose_record_hash(out->data + start, out->len - start, hash);
	rm_buf_fini(&body);
	return rv;
}

static void
pre_make(struct pre *x, size_t n, const char *tag)
{
	x->n = n;
	x->r = calloc(n, sizeof(*x->r));
	x->a = calloc(n, sizeof(*x->a));
	x->sig = calloc(n, sizeof(*x->sig));
	x->it = calloc(n, sizeof(*x->it));
	x->oid = calloc(n, sizeof(*x->oid));
	CU_ASSERT_FATAL(x->r != NULL && x->a != NULL && x->sig != NULL &&
	    x->it != NULL && x->oid != NULL);
	for (size_t i = 0; i < n; i++) {
		snprintf(x->oid[i], sizeof(x->oid[i]), "%s-%zu", tag, i);
		sfx_record(&x->r[i], &x->a[i], B, x->oid[i], 1, 0, NULL,
		    "120103", RM_MSGTYPE_ALERT, T0, 0);
	}
}

/* Number, chain and sign x on (seq, hash), as an importer does. */
static void
pre_seal(struct pre *x, uint64_t seq, const rm_hash *hash)
{
	rm_hash prev = *hash;
	rm_why why;

	for (size_t i = 0; i < x->n; i++) {
		struct rm_record *r = &x->r[i];

		r->seq = seq + 1 + i;
		r->has_prev = r->seq > 1;
		memset(&r->prev, 0, sizeof(r->prev));
		if (r->has_prev)
			r->prev = prev;
		rm_buf_reset(&x->sig[i]);
		CU_ASSERT_EQUAL_FATAL(seal_real(signer, r, &x->sig[i],
		    &x->it[i].hash, &why), RM_OK);
		x->it[i].rec = r;
		x->it[i].bytes = x->sig[i].data;
		x->it[i].len = x->sig[i].len;
		prev = x->it[i].hash;
	}
}

static void
pre_free(struct pre *x)
{
	for (size_t i = 0; i < x->n; i++)
		rm_buf_fini(&x->sig[i]);
	free(x->r);
	free(x->a);
	free(x->sig);
	free(x->it);
	free(x->oid);
}

static uint64_t
chain_len(store *s)
{
	return sfx_chain_len(s, B, pub);
}

static void
single(store *s, const char *oid)
{
	struct rm_record r;
	struct rm_alert a;
	rm_why why;

	sfx_record(&r, &a, B, oid, 0, 0, NULL, "120103", RM_MSGTYPE_ALERT, T0,
	    0);
	CU_ASSERT_EQUAL(store_issue(s, &r, seal_real, signer, NULL, &why),
	    RM_OK);
}

static void
head(store *s, uint64_t *seq, rm_hash *hash)
{
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(store_own_head(s, B, seq, hash, &why), RM_OK);
}

static void
test_sealed_chain(void)
{
	struct pre x, y;
	struct store_stats st0, st1;
	uint64_t seq;
	rm_hash h, lh;
	size_t bad;
	rm_why why;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	head(s, &seq, &h);
	CU_ASSERT_EQUAL(seq, 0);
	CU_ASSERT(memcmp(h.b, (rm_hash){ { 0 } }.b, RM_HASH_BYTES) == 0);
	single(s, "first");
	head(s, &seq, &h);
	CU_ASSERT_EQUAL(seq, 1);
	CU_ASSERT_EQUAL(store_get_stats(s, &st0), RM_OK);
	pre_make(&x, 50, "p");
	pre_seal(&x, seq, &h);
	CU_ASSERT_EQUAL_FATAL(store_put_sealed_batch(s, seq, &h, x.it, x.n,
	    &bad, &why), RM_OK);
	CU_ASSERT_EQUAL(bad, x.n);
	CU_ASSERT_EQUAL(store_get_stats(s, &st1), RM_OK);
	CU_ASSERT_EQUAL(st1.commits, st0.commits + 1);
	for (size_t i = 0; i < x.n; i++) {
		CU_ASSERT(x.it[i].res.stored);
		CU_ASSERT_EQUAL(x.it[i].res.seq, 2 + i);
		CU_ASSERT(memcmp(x.it[i].res.hash.b, x.it[i].hash.b,
		    RM_HASH_BYTES) == 0);
	}
	head(s, &seq, &h);
	CU_ASSERT_EQUAL(seq, 51);
	CU_ASSERT(memcmp(h.b, x.it[49].hash.b, RM_HASH_BYTES) == 0);
	/* A next version of p-3 in a second batch: ver 2 superseding it. */
	pre_make(&y, 1, "q");
	snprintf(y.r[0].object_id, sizeof(y.r[0].object_id), "p-3");
	y.r[0].ver = 2;
	y.r[0].has_supersedes = true;
	y.r[0].supersedes = x.it[3].hash;
	pre_seal(&y, seq, &h);
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq, &h, y.it, 1, &bad,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(store_latest(s, B, "p-3", &lh), RM_OK);
	CU_ASSERT(memcmp(lh.b, y.it[0].hash.b, RM_HASH_BYTES) == 0);
	CU_ASSERT_EQUAL(chain_len(s), 52);
	/* Not chained on the head given: refused before queueing. */
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq + 5, &h, y.it, 1, &bad,
	    &why), RM_EINVAL);
	CU_ASSERT_EQUAL(bad, 0);
	pre_free(&x);
	pre_free(&y);
	store_close(s);
	sfx_rmdir(dir);
}

static void
test_sealed_head_moved(void)
{
	struct pre x, y;
	struct store_stats st0, st1;
	uint64_t seq, seq2;
	rm_hash h, h2;
	size_t bad;
	rm_why why;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	single(s, "first");
	head(s, &seq, &h);
	pre_make(&x, 20, "m");
	pre_seal(&x, seq, &h);
	single(s, "between");           /* takes seq 2 first */
	CU_ASSERT_EQUAL(store_get_stats(s, &st0), RM_OK);
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq, &h, x.it, x.n, &bad,
	    &why), RM_EBUSY);
	CU_ASSERT_EQUAL(bad, x.n);      /* no record at fault: the head */
	CU_ASSERT(strstr(why.msg, "moved") != NULL);
	CU_ASSERT_EQUAL(store_get_stats(s, &st1), RM_OK);
	CU_ASSERT_EQUAL(st1.records, st0.records);
	for (size_t i = 0; i < x.n; i++)
		CU_ASSERT(!store_has(s, &x.it[i].hash));
	/* Sealed again from the new head, it goes in after the single. */
	head(s, &seq2, &h2);
	CU_ASSERT_EQUAL(seq2, 2);
	pre_seal(&x, seq2, &h2);
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq2, &h2, x.it, x.n, &bad,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(chain_len(s), 22);
	/* An object changed since the batch was sealed: that record. */
	head(s, &seq, &h);
	pre_make(&y, 5, "o");
	/* m-4 exists (ver 1): this ver 1 is sealed as new */
	snprintf(y.r[3].object_id, sizeof(y.r[3].object_id), "m-4");
	pre_seal(&y, seq, &h);
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq, &h, y.it, y.n, &bad,
	    &why), RM_EBUSY);
	CU_ASSERT_EQUAL(bad, 3);
	CU_ASSERT(strstr(why.msg, "m-4") != NULL);
	CU_ASSERT(!store_has(s, &y.it[0].hash));
	CU_ASSERT_EQUAL(chain_len(s), 22);
	pre_free(&x);
	pre_free(&y);
	store_close(s);
	sfx_rmdir(dir);
}

/* Batch k+1 is sealed on batch k before k is stored; k fails. */
static void
test_sealed_pipeline_fail(void)
{
	struct pre a, b;
	uint64_t seq;
	rm_hash h, at;
	size_t bad;
	rm_why why;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	single(s, "first");
	head(s, &seq, &h);
	pre_make(&a, 10, "a");
	pre_make(&b, 10, "b");
	pre_seal(&a, seq, &h);
	at = a.it[9].hash;
	pre_seal(&b, seq + 10, &at);
	single(s, "between");           /* batch a will find the head moved */
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq, &h, a.it, a.n, &bad,
	    &why), RM_EBUSY);
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq + 10, &at, b.it, b.n,
	    &bad, &why), RM_EBUSY);
	CU_ASSERT_EQUAL(bad, b.n);
	for (size_t i = 0; i < 10; i++) {
		CU_ASSERT(!store_has(s, &a.it[i].hash));
		CU_ASSERT(!store_has(s, &b.it[i].hash));
	}
	CU_ASSERT_EQUAL(chain_len(s), 2);
	/* Both sealed again, in order, from the new head. */
	head(s, &seq, &h);
	pre_seal(&a, seq, &h);
	at = a.it[9].hash;
	pre_seal(&b, seq + 10, &at);
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq, &h, a.it, a.n, &bad,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(store_put_sealed_batch(s, seq + 10, &at, b.it, b.n,
	    &bad, &why), RM_OK);
	CU_ASSERT_EQUAL(chain_len(s), 22);
	pre_free(&a);
	pre_free(&b);
	store_close(s);
	sfx_rmdir(dir);
}

#define CONC_BATCHES 12
#define CONC_BATCH_N 100
#define CONC_SINGLES 150

static void *
singles_main(void *arg)
{
	char oid[32];

	for (int i = 0; i < CONC_SINGLES; i++) {
		snprintf(oid, sizeof(oid), "single-%d", i);
		single(arg, oid);
	}
	return NULL;
}

/* An importer on this thread (read the head, seal, put; on a moved
 * head seal again), single issues on another. */
static void
test_sealed_concurrent(void)
{
	struct pre x;
	pthread_t t;
	uint64_t seq;
	rm_hash h;
	size_t bad;
	rm_why why;
	char dir[256], tag[16];
	unsigned reseals = 0;
	store *s;
	int rv;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, singles_main, s), 0);
	for (int k = 0; k < CONC_BATCHES; k++) {
		snprintf(tag, sizeof(tag), "c%d", k);
		pre_make(&x, CONC_BATCH_N, tag);
		do {
			head(s, &seq, &h);
			pre_seal(&x, seq, &h);
			rv = store_put_sealed_batch(s, seq, &h, x.it, x.n, &bad,
			    &why);
			reseals += rv == RM_EBUSY;
		} while (rv == RM_EBUSY && bad == x.n);
		CU_ASSERT_EQUAL(rv, RM_OK);
		pre_free(&x);
	}
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(chain_len(s), CONC_BATCHES * CONC_BATCH_N +
	    CONC_SINGLES);
	(void)reseals;                  /* how many depends on timing */
	store_close(s);
	sfx_rmdir(dir);
}

/* Imports batches of 500 (head, seal, put) until killed. */
static void
crash_child(const char *dir, int fd)
{
	store *s = sfx_open(dir, 0);
	struct pre x;
	char tag[16];
	uint64_t seq, got;
	rm_hash h;

	for (uint64_t k = 0;; k++) {
		rm_why why;

		snprintf(tag, sizeof(tag), "k%llu", (unsigned long long)k);
		pre_make(&x, 500, tag);
		if (store_own_head(s, B, &seq, &h, &why) != RM_OK)
			_exit(2);
		pre_seal(&x, seq, &h);
		if (store_put_sealed_batch(s, seq, &h, x.it, x.n, NULL,
		    &why) != RM_OK)
			_exit(3);
		got = x.it[x.n - 1].res.seq;
		if (write(fd, &got, sizeof(got)) != sizeof(got))
			_exit(4);
		pre_free(&x);
	}
}

/* kill -9 mid-import: the log holds whole batches, at least those
 * acknowledged. */
static void
test_sealed_crash(void)
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

static int
suite_init(void)
{
	crypto_key *k;
	rm_why why;

	if (crypto_key_generate(&k, &why) != RM_OK ||
	    crypto_signer_from_key(k, &signer, &why) != RM_OK ||
	    crypto_signer_public_key(signer, &pub) != RM_OK)
		return -1;
	crypto_key_free(k);
	return 0;
}

static int
suite_fini(void)
{
	crypto_key_free(pub);
	crypto_signer_free(signer);
	return 0;
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "sealed_chain", test_sealed_chain },
		{ "sealed_head_moved", test_sealed_head_moved },
		{ "sealed_pipeline_fail", test_sealed_pipeline_fail },
		{ "sealed_concurrent", test_sealed_concurrent },
		{ "sealed_crash", test_sealed_crash },
		CU_TEST_INFO_NULL,
	};
	CU_pSuite su = CU_add_suite("store.sealed", suite_init, suite_fini);

	for (CU_TestInfo *t = tests; su != NULL && t->pName != NULL; t++)
		CU_add_test(su, t->pName, t->pTestFunc);
}
