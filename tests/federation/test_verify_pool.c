/*
 * test_verify_pool.c -- the peer engine's verifier pool
 * (federation/peer/verify_pool_int.h) without sockets: an engine opened
 * but not started, its peers as submitters, a host that records the
 * order in which records reach ingest. Order per link and origin under
 * many concurrent batches, refusals counted and queued as REFUSE frames
 * for their link (a copy of a refused record refused again), copies
 * from several links verified once, close while submitters are blocked and the store is
 * slow. Every wait is bounded (ctest's timeout).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "federation/peer/peer_int.h"
#include "federation/peer/verify_pool_int.h"
#include "fx_host.h"
#include "rm_test.h"

#define N_LINKS   4
#define PER_ORIGIN 120              /* records per origin */
#define N_RECS    (FX_N_AGENCIES * PER_ORIGIN)
#define LOG_MAX   (N_LINKS * N_RECS + 64)

/* ---------------- records ---------------- */

static uint8_t *rec_p[N_RECS];
static size_t rec_len[N_RECS];
static const char *rec_origin[N_RECS];
static uint64_t rec_seq[N_RECS];

static const char *const areas[FX_N_AGENCIES] = {
	"120000", "120103", "120104",
};

/* Interleaved chains of the three fixture agencies: record i is origin
 * i % 3, seq i / 3 + 1, chained to its predecessor. */
static void
records_make(void)
{
	rm_hash last[FX_N_AGENCIES];

	if (rec_p[0] != NULL)
		return;
	for (size_t i = 0; i < N_RECS; i++) {
		size_t a = i % FX_N_AGENCIES;
		uint64_t seq = i / FX_N_AGENCIES + 1;
		struct fx_rec x;
		rm_buf b = RM_BUF_INIT;

		fx_record(&x, fx_fed()->id[a], seq, seq > 1 ? &last[a] : NULL,
		    areas[a], RM_GRADE_YELLOW);
		fx_seal(&x, &b, &last[a]);
		rec_p[i] = b.data;
		rec_len[i] = b.len;
		rec_origin[i] = fx_fed()->id[a];
		rec_seq[i] = seq;
	}
}

/* ---------------- host ---------------- */

struct ingested {
	char from[RM_AGENCY_ID_MAX + 1];
	char origin[RM_AGENCY_ID_MAX + 1];
	uint64_t seq;
};

static struct {
	pthread_mutex_t mtx;
	size_t n;
	struct ingested log[LOG_MAX];
	unsigned delay_us;            /* a slow store */
} host = { .mtx = PTHREAD_MUTEX_INITIALIZER };

static int
host_ingest(void *h, const char *from, struct fed_record *fr,
    fed_ingest_done done, void *ctx)
{
	(void)h;
	if (host.delay_us > 0) {
		struct timespec ts = { 0, (long)host.delay_us * 1000L };

		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&host.mtx);
	if (host.n < LOG_MAX) {
		struct ingested *e = &host.log[host.n++];

		snprintf(e->from, sizeof(e->from), "%s", from);
		snprintf(e->origin, sizeof(e->origin), "%s", fr->rec.origin);
		e->seq = fr->rec.seq;
	}
	pthread_mutex_unlock(&host.mtx);
	done(ctx, RM_OK, true);   /* from the caller's thread: allowed */
	return RM_OK;
}

/* The fake host's ops (fx_host.c; vector and log_range are never called
 * without links) with our ingest. */
static struct fed_host_ops ops;
static struct fx_host fxh;

static void
host_reset(unsigned delay_us)
{
	pthread_mutex_lock(&host.mtx);
	host.n = 0;
	host.delay_us = delay_us;
	pthread_mutex_unlock(&host.mtx);
}

/* ---------------- engine ---------------- */

static const char *const link_ids[N_LINKS] = {
	"120101.gov", "120102.gov", "120105.gov", "120106.gov",
};

static fed *
engine_open(struct roster **r)
{
	struct fed_opts o;
	rm_why why;
	fed *f;
	char url[64];

	*r = fx_roster(1);
	if (ops.ingest == NULL) {
		fx_host_init(&fxh, FX_WATER);
		ops = fx_host_ops;
		ops.ingest = host_ingest;
		ops.has = NULL;
	}
	memset(&o, 0, sizeof(o));
	o.agency_id = FX_WATER;
	o.agency_signer = fx_fed()->signer[fx_index(FX_WATER)];
	o.root_key = fx_fed()->root;
	o.roster = *r;
	o.insecure = true;
	o.ops = &ops;
	o.host = &fxh;
	CU_ASSERT_EQUAL_FATAL(fed_open(&o, &f, &why), RM_OK);
	for (int i = 0; i < N_LINKS; i++) {
		snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", 1000 + i);
		CU_ASSERT_EQUAL_FATAL(fed_peer_add(f, link_ids[i], url, false,
		    &why), RM_OK);
	}
	return f;
}

static void
engine_close(fed *f, struct roster *r)
{
	fed_close(f);    /* not started: frees the peers */
	roster_free(r);
}

/* ---------------- submitters ---------------- */

struct submitter {
	struct fed_vpool *vp;
	struct fed_peer *p;
	unsigned seed;
	size_t sent;                  /* records accepted by submit */
	int last_rv;
};

/* Send every record in order, in batches of 1..FED_BATCH_MAX. */
static void *
submit_all(void *arg)
{
	struct submitter *s = arg;
	size_t i = 0;

	while (i < N_RECS) {
		size_t n = 1 + (size_t)rand_r(&s->seed) % FED_BATCH_MAX;

		if (n > N_RECS - i)
			n = N_RECS - i;
		s->last_rv = fed_vpool_submit(s->vp, s->p, 0,
		    (const uint8_t *const *)&rec_p[i], &rec_len[i], n);
		if (s->last_rv != RM_OK)
			break;
		s->sent += n;
		i += n;
	}
	return NULL;
}

/* Until n records were ingested or counted as duplicates. */
static void
wait_handed(fed *f, size_t n)
{
	for (int i = 0; i < 2000; i++) {
		struct fed_counters c;
		size_t got;

		fed_get_counters(f, &c);
		pthread_mutex_lock(&host.mtx);
		got = host.n + c.records_duplicate;
		pthread_mutex_unlock(&host.mtx);
		if (got >= n)
			return;
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static void
wait_ingested(size_t n)
{
	for (int i = 0; i < 2000; i++) {
		size_t got;

		pthread_mutex_lock(&host.mtx);
		got = host.n;
		pthread_mutex_unlock(&host.mtx);
		if (got >= n)
			return;
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/*
 * Copies of a record handed over before are not ingested again (counted
 * as duplicates), so per origin the first arrivals at ingest are seq 1,
 * 2, 3, ... with no gap, and per (link, origin) the seqs that reach
 * ingest only go up. top[] gets the highest seq per origin. host.mtx
 * held.
 */
static bool
order_ok_locked(uint64_t top[FX_N_AGENCIES])
{
	uint64_t last[N_LINKS][FX_N_AGENCIES];
	bool ok = true;

	memset(last, 0, sizeof(last));
	memset(top, 0, FX_N_AGENCIES * sizeof(top[0]));
	for (size_t i = 0; i < host.n; i++) {
		const struct ingested *e = &host.log[i];
		int l, a = (int)fx_index(e->origin);

		for (l = 0; l < N_LINKS; l++)
			if (strcmp(link_ids[l], e->from) == 0)
				break;
		if (l == N_LINKS)
			return false;
		if (e->seq <= last[l][a] || e->seq > top[a] + 1) {
			if (ok)
				fprintf(stderr, "\n  out of order: %s from %s: "
				    "seq %llu after %llu (link), %llu (all)\n",
				    e->origin, e->from,
				    (unsigned long long)e->seq,
				    (unsigned long long)last[l][a],
				    (unsigned long long)top[a]);
			ok = false;
		}
		last[l][a] = e->seq;
		if (e->seq > top[a])
			top[a] = e->seq;
	}
	return ok;
}

/* Every link sent every record: all arrived, in order; nothing is lost
 * (ingested + duplicates = records sent). */
static void
check_order(fed *f)
{
	uint64_t top[FX_N_AGENCIES];
	struct fed_counters c;
	bool ok;

	fed_get_counters(f, &c);
	pthread_mutex_lock(&host.mtx);
	CU_ASSERT_EQUAL(host.n + c.records_duplicate, N_LINKS * N_RECS);
	ok = order_ok_locked(top);
	pthread_mutex_unlock(&host.mtx);
	for (int a = 0; a < FX_N_AGENCIES; a++)
		CU_ASSERT_EQUAL(top[a], PER_ORIGIN);
	CU_ASSERT_TRUE(ok);
}

static void
run_order(unsigned threads)
{
	struct roster *r;
	fed *f = engine_open(&r);
	struct fed_vpool *vp;
	struct submitter s[N_LINKS];
	pthread_t t[N_LINKS];
	struct fed_counters c;
	rm_why why;

	records_make();
	host_reset(0);
	CU_ASSERT_EQUAL_FATAL(fed_vpool_open(f, threads, &vp, &why), RM_OK);
	for (int i = 0; i < N_LINKS; i++) {
		s[i] = (struct submitter){ vp, f->peers[i], 7u * (unsigned)i +
		    threads, 0, RM_OK };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, submit_all,
		    &s[i]), 0);
	}
	for (int i = 0; i < N_LINKS; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(s[i].last_rv, RM_OK);
		CU_ASSERT_EQUAL(s[i].sent, N_RECS);
	}
	wait_handed(f, N_LINKS * N_RECS);
	CU_ASSERT_EQUAL(fed_vpool_wait_ingest(vp, 5000), 0);
	check_order(f);
	fed_get_counters(f, &c);
	for (int e = 0; e < RM_ERR_COUNT; e++)
		CU_ASSERT_EQUAL(c.refused[e], 0);
	fed_vpool_stop(vp);
	fed_vpool_free(vp);
	engine_close(f, r);
}

/* One verifier, and more verifiers than cores, four links at once. */
static void
test_order_one_thread(void)
{
	run_order(1);
}

static void
test_order_many_threads(void)
{
	run_order(8);
}

static void
test_threads_default(void)
{
	CU_ASSERT_TRUE(fed_vpool_threads(0) >= 1);
	CU_ASSERT_EQUAL(fed_vpool_threads(3), 3);
	CU_ASSERT_EQUAL(fed_vpool_threads(1000), FED_VERIFY_THREADS_MAX);
}

/* The same records from two links, the second submitted while the
 * first copies are still queued: each is verified and ingested once,
 * the copies counted as duplicates. */
static void
test_copies(void)
{
	struct roster *r;
	fed *f = engine_open(&r);
	struct fed_vpool *vp;
	struct fed_counters c;
	rm_why why;

	records_make();
	host_reset(0);
	CU_ASSERT_EQUAL_FATAL(fed_vpool_open(f, 2, &vp, &why), RM_OK);
	CU_ASSERT_EQUAL(fed_vpool_submit(vp, f->peers[0], 0,
	    (const uint8_t *const *)rec_p, rec_len, 30), RM_OK);
	CU_ASSERT_EQUAL(fed_vpool_submit(vp, f->peers[1], 0,
	    (const uint8_t *const *)rec_p, rec_len, 30), RM_OK);
	wait_handed(f, 60);
	CU_ASSERT_EQUAL(fed_vpool_wait_ingest(vp, 5000), 0);
	fed_get_counters(f, &c);
	pthread_mutex_lock(&host.mtx);
	CU_ASSERT_EQUAL(host.n, 30);
	for (size_t i = 0; i < host.n; i++) {
		CU_ASSERT_STRING_EQUAL(host.log[i].from, link_ids[0]);
		CU_ASSERT_EQUAL(host.log[i].seq, rec_seq[i]);
	}
	pthread_mutex_unlock(&host.mtx);
	CU_ASSERT_EQUAL(c.records_duplicate, 30);
	fed_vpool_stop(vp);
	fed_vpool_free(vp);
	engine_close(f, r);
}

/* Bad records amid good ones: each refused one counted by reason and on
 * its link, a REFUSE queued for that link, the good ones still ingested
 * in order. */
static void
test_refusals(void)
{
	struct roster *r;
	fed *f = engine_open(&r);
	struct fed_vpool *vp;
	struct fed_counters c;
	struct fed_peer_status st[N_LINKS];
	const uint8_t *bp[8];
	size_t bl[8];
	uint8_t *forged, garbage[16] = { 0xff, 0x00, 0x13 };
	rm_why why;

	records_make();
	host_reset(0);
	CU_ASSERT_EQUAL_FATAL(fed_vpool_open(f, 2, &vp, &why), RM_OK);
	forged = malloc(rec_len[3]);
	memcpy(forged, rec_p[3], rec_len[3]);
	forged[rec_len[3] - 5] ^= 0x40;           /* in the signature */
	/* link 0: r0, forged r3, r1, garbage, r2 */
	bp[0] = rec_p[0]; bl[0] = rec_len[0];
	bp[1] = forged;   bl[1] = rec_len[3];
	bp[2] = rec_p[1]; bl[2] = rec_len[1];
	bp[3] = garbage;  bl[3] = sizeof(garbage);
	bp[4] = rec_p[2]; bl[4] = rec_len[2];
	CU_ASSERT_EQUAL(fed_vpool_submit(vp, f->peers[0], 0, bp, bl, 5),
	    RM_OK);
	/* link 1: garbage only, a copy of link 0's: refused again */
	CU_ASSERT_EQUAL(fed_vpool_submit(vp, f->peers[1], 0, bp + 3, bl + 3,
	    1), RM_OK);
	wait_ingested(3);
	for (int i = 0; i < 500 && (fed_vpool_refusals(vp, f->peers[0]) < 2 ||
	    fed_vpool_refusals(vp, f->peers[1]) < 1); i++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	CU_ASSERT_EQUAL(fed_vpool_wait_ingest(vp, 5000), 0);
	pthread_mutex_lock(&host.mtx);
	CU_ASSERT_EQUAL(host.n, 3);
	for (size_t i = 0; i < host.n && i < 3; i++) {
		CU_ASSERT_STRING_EQUAL(host.log[i].origin, rec_origin[i]);
		CU_ASSERT_EQUAL(host.log[i].seq, rec_seq[i]);
	}
	pthread_mutex_unlock(&host.mtx);
	fed_get_counters(f, &c);
	CU_ASSERT_EQUAL(c.refused[RM_EBADSIG], 1);
	CU_ASSERT_EQUAL(c.refused[RM_EMALFORMED] + c.refused[RM_ENONCANON],
	    2);
	CU_ASSERT_EQUAL(fed_peers(f, st, N_LINKS), N_LINKS);
	CU_ASSERT_EQUAL(st[0].records_refused, 2);
	CU_ASSERT_EQUAL(st[1].records_refused, 1);
	CU_ASSERT_EQUAL(st[2].records_refused, 0);
	CU_ASSERT_EQUAL(fed_vpool_refusals(vp, f->peers[0]), 2);
	CU_ASSERT_EQUAL(fed_vpool_refusals(vp, f->peers[1]), 1);
	/* Not connected (pipe 0): flushing drops them without sending. */
	fed_vpool_flush_refusals(vp, f->peers[0], 0);
	CU_ASSERT_EQUAL(fed_vpool_refusals(vp, f->peers[0]), 0);
	fed_vpool_stop(vp);
	fed_vpool_free(vp);   /* frees link 1's pending REFUSE */
	free(forged);
	engine_close(f, r);
}

/* A slow store and four links pushing: submitters block on the bound;
 * stop releases them (RM_ECLOSED) and returns; what reached ingest is
 * in order. */
static void
test_close_while_busy(void)
{
	struct roster *r;
	fed *f = engine_open(&r);
	struct fed_vpool *vp;
	struct submitter s[N_LINKS];
	pthread_t t[N_LINKS];
	uint64_t top[FX_N_AGENCIES];
	rm_mono_ms t0;
	rm_why why;
	bool ok;

	records_make();
	host_reset(2000);             /* 2 ms per record: ~500/s */
	CU_ASSERT_EQUAL_FATAL(fed_vpool_open(f, 2, &vp, &why), RM_OK);
	for (int i = 0; i < N_LINKS; i++) {
		s[i] = (struct submitter){ vp, f->peers[i], 11u * (unsigned)i,
		    0, RM_OK };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, submit_all,
		    &s[i]), 0);
	}
	wait_ingested(20);
	t0 = rm_mono_now_ms();
	fed_vpool_stop(vp);
	for (int i = 0; i < N_LINKS; i++) {
		pthread_join(t[i], NULL);
		if (s[i].sent < N_RECS)
			CU_ASSERT_EQUAL(s[i].last_rv, RM_ECLOSED);
	}
	/* Bounded: each worker finishes its record, the deliverer its run
	 * (at most FED_VPOOL_RECORDS_MAX records of 2 ms). */
	CU_ASSERT_TRUE(rm_mono_now_ms() - t0 < 5000);
	CU_ASSERT_EQUAL(fed_vpool_wait_ingest(vp, 5000), 0);
	/* Submitting after stop is refused at once. */
	CU_ASSERT_EQUAL(fed_vpool_submit(vp, f->peers[0], 0,
	    (const uint8_t *const *)rec_p, rec_len, 1), RM_ECLOSED);
	pthread_mutex_lock(&host.mtx);
	CU_ASSERT_TRUE(host.n < (size_t)N_LINKS * N_RECS);
	ok = order_ok_locked(top);
	pthread_mutex_unlock(&host.mtx);
	CU_ASSERT_TRUE(ok);
	fed_vpool_free(vp);
	host_reset(0);
	engine_close(f, r);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "threads_default", test_threads_default },
		{ "order_one_thread", test_order_one_thread },
		{ "order_many_threads", test_order_many_threads },
		{ "copies", test_copies },
		{ "refusals", test_refusals },
		{ "close_while_busy", test_close_while_busy },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.verify_pool", tests);
}
