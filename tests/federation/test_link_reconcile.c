/*
 * test_link_reconcile.c -- range-based set reconciliation over real links
 * (docs/PROTOCOL.md §7a): two engines in one process on loopback whose
 * hosts serve no catch-up (their vectors look complete) but hold
 * different records of a third origin; fed_reconcile, or the session the
 * dialer starts after UP, makes the two sets equal, through WANT and
 * RECORDS and the normal verify/ingest path. Every wait is bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fx_host.h"
#include "rm_test.h"

#define WAIT_MS 10000

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

struct node {
	const char *id;
	struct fx_host h;
	struct roster *r;
	fed *f;
};

static void
node_open(struct node *n, const char *id, const char *peer, bool listen,
    uint32_t reconcile_ms, unsigned slot)
{
	struct fed_opts o;
	char url[128];
	rm_why why;

	memset(n, 0, sizeof(*n));
	n->id = id;
	fx_host_init(&n->h, id);
	n->h.no_catchup = true;
	n->r = fx_roster(1);
	fx_opts(&o, id, n->r, &n->h);
	o.reconcile_interval_ms = reconcile_ms;
	CU_ASSERT_EQUAL_FATAL(fed_open(&o, &n->f, &why), RM_OK);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%u", rm_test_port(slot));
	CU_ASSERT_EQUAL_FATAL(fed_peer_add(n->f, peer, url, listen, &why),
	    RM_OK);
}

static void
node_fini(struct node *n)
{
	fed_close(n->f);
	n->h.f = NULL;
	roster_free(n->r);
	fx_host_fini(&n->h);
}

/* The water agency's chain, seq 1..WATER_MAX, sealed once so that both
 * hosts hold the very same records. */
#define WATER_MAX 40
static rm_buf water_rec[WATER_MAX + 1];

static void
water_make(void)
{
	rm_hash prev;

	for (unsigned seq = 1; seq <= WATER_MAX; seq++) {
		struct fx_rec x;
		rm_hash hash;

		rm_buf_fini(&water_rec[seq]);
		fx_record(&x, FX_WATER, seq, seq > 1 ? &prev : NULL, "120104",
		    RM_GRADE_YELLOW);
		x.r.issued_ms += seq;   /* spread the keys over time */
		fx_seal(&x, &water_rec[seq], &hash);
		prev = hash;
	}
}

/* Store water records seq from..to in h quietly (no link is up). */
static void
water(struct fx_host *h, unsigned from, unsigned to)
{
	for (unsigned seq = from; seq <= to; seq++)
		CU_ASSERT_EQUAL_FATAL(fx_host_put_quiet(h, water_rec[seq].data,
		    water_rec[seq].len), RM_OK);
}

static bool
up(void *arg)
{
	struct fed_peer_status st;

	return fed_peers(arg, &st, 1) == 1 && st.state == FED_PEER_UP;
}

struct pair {
	struct node *a, *b;
};

static bool
same(void *arg)
{
	struct pair *p = arg;

	return fx_host_same_set(&p->a->h, &p->b->h);
}

static bool
idle(void *arg)
{
	struct fed_peer_status st;

	return fed_peers(arg, &st, 1) == 1 && !st.reconcile_running &&
	    !st.reconcile_requested && st.reconcile_finished_ms > 0;
}

/* Right after fed_reconcile the session shows as asked for: requested
 * until the link's thread starts it, then running, then counted. A
 * status that showed none of these would let a waiter (riskmesh sync)
 * take the previous session's result for this one. */
static void
check_requested(fed *f, uint64_t sessions_before)
{
	struct fed_peer_status st;

	CU_ASSERT_EQUAL_FATAL(fed_peers(f, &st, 1), 1);
	CU_ASSERT(st.reconcile_requested || st.reconcile_running ||
	    st.reconcile_sessions > sessions_before);
}

static void
start_pair(struct node *a, struct node *b)
{
	rm_why why;

	a->h.f = a->f;
	b->h.f = b->f;
	CU_ASSERT_EQUAL_FATAL(fed_start(a->f, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_start(b->f, &why), RM_OK);
	CU_ASSERT_FATAL(fx_wait(up, a->f, WAIT_MS));
	CU_ASSERT_FATAL(fx_wait(up, b->f, WAIT_MS));
}

/* On demand: A listens, B dials; A lacks water 31..40, B lacks 1..10. */
static void
test_on_demand(void)
{
	struct node a, b;
	struct pair pr = { &a, &b };
	struct fed_peer_status st;
	struct fed_counters c;
	rm_why why;

	node_open(&a, FX_COMMAND, FX_EMERGENCY, true, 0, 0);
	node_open(&b, FX_EMERGENCY, FX_COMMAND, false, 0, 0);
	water_make();
	water(&a.h, 1, 30);
	water(&b.h, 11, 40);
	CU_ASSERT_EQUAL(fed_reconcile(b.f, "120000.nobody", &why),
	    RM_ENOTFOUND);
	CU_ASSERT_EQUAL(fed_reconcile(b.f, FX_COMMAND, &why), RM_EBUSY);
	CU_ASSERT(strstr(why.msg, "not up") != NULL);
	start_pair(&a, &b);
	/* the vectors moved nothing: the sets still differ */
	sleep_ms(300);
	CU_ASSERT_FALSE(fx_host_same_set(&a.h, &b.h));
	CU_ASSERT_EQUAL(fx_host_count(&a.h), 30);
	CU_ASSERT_EQUAL(fx_host_count(&b.h), 30);

	CU_ASSERT_EQUAL(fed_reconcile(b.f, FX_COMMAND, &why), RM_OK);
	check_requested(b.f, 0);
	CU_ASSERT(fx_wait(same, &pr, WAIT_MS));
	CU_ASSERT_EQUAL(fx_host_count(&a.h), 40);
	CU_ASSERT_EQUAL(fx_host_count(&b.h), 40);
	CU_ASSERT_EQUAL(fx_host_count_origin(&a.h, FX_WATER), 40);
	CU_ASSERT(fx_wait(idle, b.f, WAIT_MS));
	CU_ASSERT_EQUAL(fed_peers(b.f, &st, 1), 1);
	CU_ASSERT_EQUAL(st.reconcile_sessions, 1);
	CU_ASSERT_EQUAL(st.reconcile_error, 0);
	CU_ASSERT(st.reconcile_rounds >= 2);
	CU_ASSERT(st.reconcile_bytes > 0);
	CU_ASSERT(st.reconcile_started_ms > 0 &&
	    st.reconcile_finished_ms >= st.reconcile_started_ms);
	/* the responder reports the same session */
	CU_ASSERT(fx_wait(idle, a.f, WAIT_MS));
	CU_ASSERT_EQUAL(fed_peers(a.f, &st, 1), 1);
	CU_ASSERT_EQUAL(st.reconcile_sessions, 1);
	CU_ASSERT_EQUAL(st.reconcile_error, 0);
	/* 30 keys each: B's first message lists them (ids), A found it
	 * lacks 10 (WANT) and B lacks 10 (sent) */
	CU_ASSERT_EQUAL(st.reconcile_sent, 10);
	CU_ASSERT_EQUAL(st.reconcile_wanted, 10);
	/* every record came through verify and ingest */
	fed_get_counters(a.f, &c);
	CU_ASSERT(c.records_in >= 10);
	CU_ASSERT_EQUAL(c.reconcile_refused, 0);
	CU_ASSERT_EQUAL(c.want_refused, 0);
	CU_ASSERT_EQUAL(c.frames_malformed, 0);
	fed_get_counters(b.f, &c);
	CU_ASSERT(c.records_in >= 10);

	/* equal sets: a second session moves nothing */
	CU_ASSERT_EQUAL(fed_reconcile(a.f, FX_EMERGENCY, &why), RM_OK);
	check_requested(a.f, 1);
	CU_ASSERT(fx_wait(idle, a.f, WAIT_MS));
	sleep_ms(100);
	CU_ASSERT_EQUAL(fed_peers(a.f, &st, 1), 1);
	CU_ASSERT_EQUAL(st.reconcile_sessions, 2);
	CU_ASSERT_EQUAL(st.reconcile_sent + st.reconcile_wanted, 0);
	CU_ASSERT_EQUAL(st.reconcile_error, 0);
	CU_ASSERT_EQUAL(fx_host_count(&a.h), 40);
	node_fini(&b);
	node_fini(&a);
}

/* The dialer reconciles by itself once the link is UP. */
static void
test_after_up(void)
{
	struct node a, b;
	struct pair pr = { &a, &b };

	node_open(&a, FX_COMMAND, FX_EMERGENCY, true, 600000, 1);
	node_open(&b, FX_EMERGENCY, FX_COMMAND, false, 600000, 1);
	water_make();
	water(&a.h, 1, 25);
	water(&b.h, 5, 12);
	start_pair(&a, &b);
	CU_ASSERT(fx_wait(same, &pr, WAIT_MS));
	CU_ASSERT_EQUAL(fx_host_count(&b.h), 25);
	node_fini(&b);
	node_fini(&a);
	for (unsigned seq = 1; seq <= WATER_MAX; seq++)
		rm_buf_fini(&water_rec[seq]);
}

/* A host without the rbsr ops never reconciles. */
static void
test_no_ops(void)
{
	struct fx_host h;
	struct roster *r = fx_roster(1);
	struct fed_host_ops ops = fx_host_ops;
	struct fed_opts o;
	fed *f;
	rm_why why;

	ops.rbsr_sum = NULL;
	ops.rbsr_keys = NULL;
	ops.rbsr_nth = NULL;
	ops.rbsr_get = NULL;
	fx_host_init(&h, FX_COMMAND);
	fx_opts(&o, FX_COMMAND, r, &h);
	o.ops = &ops;
	CU_ASSERT_EQUAL_FATAL(fed_open(&o, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(fed_peer_add(f, FX_WATER, "tcp://127.0.0.1:1", false,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(fed_reconcile(f, FX_WATER, &why), RM_EUNSUPPORTED);
	fed_close(f);
	roster_free(r);
	fx_host_fini(&h);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "on_demand", test_on_demand },
		{ "after_up", test_after_up },
		{ "no_ops", test_no_ops },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("federation.link_reconcile", tests);
}
