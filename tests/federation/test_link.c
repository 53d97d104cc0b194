/*
 * test_link.c -- peer links in one process over loopback: two nodes, a
 * line of three (A-B-C) with a restart of B, TLS with certificates from
 * the federation CA, roster hand-over, forged records, peers that fail
 * the handshake, and engines of two federations (two trust roots) side by
 * side. Every wait is bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "../schemas/notice_kind.h"
#include "fx_host.h"
#include "rm_test.h"

#define WAIT_MS 8000

static int
port(int i)
{
	return rm_test_port((unsigned)i);
}

struct node {
	const char *id;
	struct fx_host h;
	struct roster *r;
	fed *f;
};

struct tls_files {
	char dir[64];
	char ca[128];
	char cert[FX_N_AGENCIES][128];
	char key[FX_N_AGENCIES][128];
};

static void
node_init(struct node *n, const char *id, uint64_t roster_version)
{
	memset(n, 0, sizeof(*n));
	n->id = id;
	fx_host_init(&n->h, id);
	n->r = fx_roster(roster_version);
}

/* Open (not start) the fed of n; signer overrides the agency's. */
static void
node_open(struct node *n, const struct tls_files *tls,
    crypto_signer *signer)
{
	struct fed_opts o;
	rm_why why;

	fx_opts(&o, n->id, n->r, &n->h);
	if (signer != NULL)
		o.agency_signer = signer;
	if (tls != NULL) {
		size_t i = fx_index(n->id);

		o.insecure = false;
		o.ca_file = tls->ca;
		o.tls_cert_file = tls->cert[i];
		o.tls_key_file = tls->key[i];
	}
	if (fed_open(&o, &n->f, &why) != RM_OK) {
		fprintf(stderr, "fed_open %s: %s\n", n->id, why.msg);
		CU_FAIL_FATAL("fed_open");
	}
	n->h.f = n->f;
}

static void
node_peer(struct node *n, const char *peer, const char *scheme, int port_i,
    bool listen)
{
	char url[128];
	rm_why why;

	snprintf(url, sizeof(url), "%s://127.0.0.1:%d", scheme, port(port_i));
	if (fed_peer_add(n->f, peer, url, listen, &why) != RM_OK) {
		fprintf(stderr, "fed_peer_add %s: %s\n", n->id, why.msg);
		CU_FAIL_FATAL("fed_peer_add");
	}
}

static void
node_start(struct node *n)
{
	rm_why why;

	if (fed_start(n->f, &why) != RM_OK) {
		fprintf(stderr, "fed_start %s: %s\n", n->id, why.msg);
		CU_FAIL_FATAL("fed_start");
	}
}

static void
node_stop(struct node *n)
{
	fed_close(n->f);
	n->f = NULL;
	n->h.f = NULL;
}

static void
node_fini(struct node *n)
{
	if (n->f != NULL)
		node_stop(n);
	roster_free(n->r);
	fx_host_fini(&n->h);
}

/* ---------------- conditions ---------------- */

static bool
all_up(void *arg)
{
	fed *f = arg;
	struct fed_peer_status st[8];
	size_t n = fed_peers(f, st, 8);

	for (size_t i = 0; i < n; i++)
		if (st[i].state != FED_PEER_UP)
			return false;
	return n > 0;
}

struct want {
	struct fx_host *h;
	const char *origin;
	unsigned n;
};

static bool
has_records(void *arg)
{
	struct want *w = arg;

	return fx_host_count_origin(w->h, w->origin) >= w->n;
}

static void
wait_records(struct node *n, const char *origin, unsigned count)
{
	struct want w = { &n->h, origin, count };

	if (!fx_wait(has_records, &w, WAIT_MS))
		fprintf(stderr, "%s has %u records of %s, want %u\n", n->id,
		    fx_host_count_origin(&n->h, origin), origin, count);
	CU_ASSERT_EQUAL(fx_host_count_origin(&n->h, origin), count);
}

static uint64_t
counter_refused(fed *f, int err)
{
	struct fed_counters c;

	fed_get_counters(f, &c);
	return c.refused[err];
}

static bool
refused_twice(void *arg)
{
	return counter_refused(arg, RM_EBADSIG) >= 2;
}

/* Seal a notice of h->self as the next record of its chain and hand it
 * to the host, which stores and relays it like any record. */
static void
publish_notice(struct fx_host *h, const char *oid, const char *area,
    const char *to)
{
	struct rm_record r;
	struct notice nb;
	rm_buf b = RM_BUF_INIT;
	rm_hash hash;
	rm_why why;

	notice_record(&r, &nb, h->self, oid, area, RM_GRADE_ORANGE, to, 0);
	r.seq = h->next_seq;
	r.has_prev = r.seq > 1;
	if (r.has_prev)
		r.prev = h->last;
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed()->signer[fx_index(
	    h->self)], &r, &b, &hash, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fx_host_put(h, b.data, b.len, NULL), RM_OK);
	h->last = hash;
	h->next_seq++;
	rm_buf_fini(&b);
}

static bool
refused_unauth(void *arg)
{
	return counter_refused(arg, RM_EUNAUTH) >= 1;
}

/* ---------------- tests ---------------- */

static void
test_config_rejects(void)
{
	struct node a;
	rm_why why;

	node_init(&a, FX_COMMAND, 1);
	node_open(&a, NULL, NULL);
	CU_ASSERT_EQUAL(fed_peer_add(a.f, FX_WATER, "ws://127.0.0.1:1", false,
	    &why), RM_ECONFIG);
	CU_ASSERT_EQUAL(fed_peer_add(a.f, "bogus", "tcp://127.0.0.1:1", false,
	    &why), RM_ECONFIG);
	CU_ASSERT_EQUAL(fed_peer_add(a.f, FX_COMMAND, "tcp://127.0.0.1:1",
	    false, &why), RM_ECONFIG);
	/* TLS without CA/cert/key */
	CU_ASSERT_EQUAL(fed_peer_add(a.f, FX_WATER, "tls+tcp://127.0.0.1:1",
	    false, &why), RM_ECONFIG);
	CU_ASSERT_EQUAL(fed_peer_add(a.f, FX_WATER, "tcp://127.0.0.1:1", false,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(fed_peer_add(a.f, FX_WATER, "tcp://127.0.0.1:2", false,
	    &why), RM_EEXIST);
	node_fini(&a);

	/* tcp:// refused unless insecure */
	node_init(&a, FX_COMMAND, 1);
	{
		struct fed_opts o;

		fx_opts(&o, FX_COMMAND, a.r, &a.h);
		o.insecure = false;
		CU_ASSERT_EQUAL_FATAL(fed_open(&o, &a.f, &why), RM_OK);
		CU_ASSERT_EQUAL(fed_peer_add(a.f, FX_WATER, "tcp://127.0.0.1:1",
		    false, &why), RM_ECONFIG);
		CU_ASSERT(strstr(why.msg, "insecure") != NULL);
	}
	node_fini(&a);
}

static void
test_two_nodes(void)
{
	struct node a, b;
	struct fed_counters c;
	struct fed_peer_status st;
	struct roster *r;
	struct fx_rec x;
	rm_buf forged = RM_BUF_INIT;

	node_init(&a, FX_COMMAND, 2);        /* A has the newer roster */
	node_init(&b, FX_EMERGENCY, 1);
	node_open(&a, NULL, NULL);
	node_open(&b, NULL, NULL);
	node_peer(&a, FX_EMERGENCY, "tcp", 0, true);
	node_peer(&b, FX_COMMAND, "tcp", 0, false);
	fx_host_publish(&a.h, "120000", RM_GRADE_RED);
	fx_host_publish(&a.h, "120116", RM_GRADE_ORANGE);
	node_start(&a);
	node_start(&b);
	CU_ASSERT_FATAL(fx_wait(all_up, a.f, WAIT_MS));
	CU_ASSERT_FATAL(fx_wait(all_up, b.f, WAIT_MS));
	/* catch-up of what A had before */
	wait_records(&b, FX_COMMAND, 2);
	/* push */
	for (int i = 0; i < 3; i++)
		fx_host_publish(&a.h, "120103", RM_GRADE_YELLOW);
	wait_records(&b, FX_COMMAND, 5);
	fx_host_publish(&b.h, "120103", RM_GRADE_ORANGE);
	fx_host_publish(&b.h, "120103001", RM_GRADE_BLUE);
	wait_records(&a, FX_EMERGENCY, 2);
	CU_ASSERT_EQUAL(fx_host_count(&a.h), 7);
	CU_ASSERT_EQUAL(fx_host_count(&b.h), 7);
	/* the newer roster travelled to B and was saved */
	r = fed_roster(b.f);
	CU_ASSERT_EQUAL(roster_version(r), 2);
	roster_free(r);
	CU_ASSERT_EQUAL(fed_roster_seen(b.f), 2);   /* adopted: not stale */
	CU_ASSERT_EQUAL(fed_roster_seen(a.f), 1);
	CU_ASSERT_EQUAL(b.h.roster_saves, 1);

	/* A forged record pushed by A is refused by B, counted each time,
	 * never stored. */
	fx_record(&x, FX_COMMAND, 99, NULL, "120000", RM_GRADE_RED);
	x.r.has_prev = true;
	fx_seal(&x, &forged, NULL);
	forged.data[forged.len - 1] ^= 1;
	fed_broadcast(a.f, forged.data, forged.len, NULL);
	fed_broadcast(a.f, forged.data, forged.len, NULL);
	CU_ASSERT(fx_wait(refused_twice, b.f, WAIT_MS));
	CU_ASSERT_EQUAL(counter_refused(b.f, RM_EBADSIG), 2);
	CU_ASSERT_EQUAL(fx_host_count(&b.h), 7);
	CU_ASSERT_EQUAL(fed_peers(b.f, &st, 1), 1);
	CU_ASSERT_EQUAL(st.records_refused, 2);
	CU_ASSERT_EQUAL(st.state, FED_PEER_UP);
	CU_ASSERT_STRING_EQUAL(st.agency, FX_COMMAND);
	CU_ASSERT(st.connects >= 1 && st.last_up_ms > 0);

	fed_get_counters(a.f, &c);
	CU_ASSERT(c.handshakes_ok >= 1);
	CU_ASSERT_EQUAL(c.handshakes_failed, 0);
	CU_ASSERT(c.records_out >= 5);
	CU_ASSERT(c.frames_in > 0 && c.frames_out > 0);
	CU_ASSERT_EQUAL(c.frames_malformed, 0);
	fed_get_counters(b.f, &c);
	CU_ASSERT(c.records_in >= 5);
	rm_buf_fini(&forged);
	node_fini(&b);
	node_fini(&a);
}

/*
 * A record kind the engine has never heard of ("notice", defined only in
 * tests/schemas/notice_kind.c): authorised by the roster for the centre
 * only, it is relayed, verified and stored by the peer like an alert,
 * and the same kind from an agency the roster does not allow is refused
 * (RM_EUNAUTH, counted, not stored) -- with no change to federation/.
 */
static void
test_second_kind(void)
{
	struct node a, b;
	struct fed_record fr;
	struct roster *r;
	rm_buf forged = RM_BUF_INIT;
	struct rm_record nr;
	struct notice nb;
	rm_why why;

	notice_kind_register();
	fx_kinds_extra[fx_index(FX_COMMAND)] =
	    (rm_kind_set)1u << kind_index(&notice_kind);
	node_init(&a, FX_COMMAND, 1);
	node_init(&b, FX_EMERGENCY, 1);
	node_open(&a, NULL, NULL);
	node_open(&b, NULL, NULL);
	node_peer(&a, FX_EMERGENCY, "tcp", 40, true);
	node_peer(&b, FX_COMMAND, "tcp", 40, false);
	publish_notice(&a.h, "notice-1", "120103", "120103.emergency");
	node_start(&a);
	node_start(&b);
	CU_ASSERT_FATAL(fx_wait(all_up, a.f, WAIT_MS));
	CU_ASSERT_FATAL(fx_wait(all_up, b.f, WAIT_MS));
	wait_records(&b, FX_COMMAND, 1);           /* catch-up */
	publish_notice(&a.h, "notice-2", "120000", "120103.emergency");
	wait_records(&b, FX_COMMAND, 2);           /* push */
	/* what B holds is the notice, verified against its roster */
	r = fed_roster(b.f);
	pthread_mutex_lock(&b.h.mtx);
	CU_ASSERT_EQUAL(fed_record_open(r, b.h.recs[1].bytes, b.h.recs[1].len,
	    &fr, &why), RM_OK);
	pthread_mutex_unlock(&b.h.mtx);
	CU_ASSERT_PTR_EQUAL(fr.rec.kind, &notice_kind);
	CU_ASSERT_STRING_EQUAL(fr.rec.object_id, "notice-2");
	CU_ASSERT_STRING_EQUAL(((const struct notice *)fr.rec.body)->to[0],
	    "120103.emergency");
	fed_record_fini(&fr);
	roster_free(r);

	/* B's agency may not publish notices: A refuses one pushed by B */
	notice_record(&nr, &nb, FX_EMERGENCY, "notice-x", "120103",
	    RM_GRADE_BLUE, "120000.command", 0);
	CU_ASSERT_EQUAL(fed_record_seal(fx_fed()->signer[fx_index(
	    FX_EMERGENCY)], &nr, &forged, NULL, &why), RM_OK);
	fed_broadcast(b.f, forged.data, forged.len, NULL);
	CU_ASSERT(fx_wait(refused_unauth, a.f, WAIT_MS));
	CU_ASSERT_EQUAL(counter_refused(a.f, RM_EUNAUTH), 1);
	CU_ASSERT_EQUAL(fx_host_count_origin(&a.h, FX_EMERGENCY), 0);
	CU_ASSERT_EQUAL(fx_host_count(&a.h), 2);
	rm_buf_fini(&forged);
	node_fini(&b);
	node_fini(&a);
	fx_kinds_extra[fx_index(FX_COMMAND)] = 0;
}

static bool
handshake_failed(void *arg)
{
	struct fed_counters c;

	fed_get_counters(arg, &c);
	return c.handshakes_failed >= 1;
}

/*
 * Four engines in one process, two per federation, each federation with
 * its own root key, roster and agency keys under the same agency ids (as
 * a gateway node holding one identity in each federation would run them).
 * Each pair replicates its own records only; a record of one federation
 * does not verify in the other; a link across the two roots is refused.
 */
static void
test_two_roots(void)
{
	struct node a1, b1, a2, b2, c2;
	struct fed_peer_status st;
	struct fed_record fr;
	struct fx_rec x;
	struct roster *r;
	rm_buf rec2 = RM_BUF_INIT;
	rm_why why;

	node_init(&a1, FX_COMMAND, 1);
	node_init(&b1, FX_EMERGENCY, 1);
	node_init(&a2, FX_COMMAND, 1);
	node_init(&b2, FX_EMERGENCY, 1);
	node_init(&c2, FX_WATER, 1);
	/* the second federation: its fixture keys and roster */
	a2.h.fed = b2.h.fed = c2.h.fed = fx_fed2();
	roster_free(a2.r);
	roster_free(b2.r);
	roster_free(c2.r);
	a2.r = fx_roster_in(fx_fed2(), 1);
	b2.r = fx_roster_in(fx_fed2(), 1);
	/* c2 announces a newer roster (3) that a1 cannot verify */
	c2.r = fx_roster_in(fx_fed2(), 3);
	node_open(&a1, NULL, NULL);
	node_open(&b1, NULL, NULL);
	node_open(&a2, NULL, NULL);
	node_open(&b2, NULL, NULL);
	node_open(&c2, NULL, NULL);
	node_peer(&a1, FX_EMERGENCY, "tcp", 10, true);
	node_peer(&b1, FX_COMMAND, "tcp", 10, false);
	node_peer(&a2, FX_EMERGENCY, "tcp", 11, true);
	node_peer(&b2, FX_COMMAND, "tcp", 11, false);
	/* c2 (water of the second federation) dials a1 as water */
	node_peer(&a1, FX_WATER, "tcp", 12, true);
	node_peer(&c2, FX_COMMAND, "tcp", 12, false);
	fx_host_publish(&a1.h, "120000", RM_GRADE_RED);
	fx_host_publish(&a1.h, "120000", RM_GRADE_RED);
	fx_host_publish(&a2.h, "120000", RM_GRADE_RED);
	node_start(&a1);
	node_start(&b1);
	node_start(&a2);
	node_start(&b2);
	node_start(&c2);
	CU_ASSERT_FATAL(fx_wait(all_up, b1.f, WAIT_MS));
	CU_ASSERT_FATAL(fx_wait(all_up, b2.f, WAIT_MS));
	/* catch-up and push, each within its own federation */
	fx_host_publish(&a2.h, "120000", RM_GRADE_RED);
	fx_host_publish(&a2.h, "120103", RM_GRADE_YELLOW);
	wait_records(&b1, FX_COMMAND, 2);
	wait_records(&b2, FX_COMMAND, 3);
	fx_host_publish(&b1.h, "120103", RM_GRADE_ORANGE);
	wait_records(&a1, FX_EMERGENCY, 1);
	CU_ASSERT_EQUAL(fx_host_count(&b1.h), 3);
	CU_ASSERT_EQUAL(fx_host_count(&b2.h), 3);
	CU_ASSERT_EQUAL(fx_host_count(&a2.h), 3);
	r = fed_roster(b2.f);
	CU_ASSERT_STRING_EQUAL(roster_federation(r), FX_FED2_NAME);
	roster_free(r);
	r = fed_roster(b1.f);
	CU_ASSERT_STRING_EQUAL(roster_federation(r), FX_FED_NAME);
	roster_free(r);

	/* a record of the second federation verifies there only */
	fx_record(&x, FX_COMMAND, 1, NULL, "120000", RM_GRADE_RED);
	fx_seal_in(fx_fed2(), &x, &rec2, NULL);
	CU_ASSERT_EQUAL(fed_verify(b1.f, rec2.data, rec2.len, &fr, &why),
	    RM_EUNKNOWNSIGNER);
	CU_ASSERT_EQUAL(fed_verify(b2.f, rec2.data, rec2.len, &fr, &why),
	    RM_OK);
	fed_record_fini(&fr);

	/* the link across the two roots never comes up, on either side */
	CU_ASSERT(fx_wait(handshake_failed, a1.f, WAIT_MS));
	CU_ASSERT(fx_wait(handshake_failed, c2.f, WAIT_MS));
	CU_ASSERT_EQUAL(fed_peers(c2.f, &st, 1), 1);
	CU_ASSERT_NOT_EQUAL(st.state, FED_PEER_UP);
	CU_ASSERT_EQUAL(st.connects, 0);
	CU_ASSERT_EQUAL(fx_host_count(&c2.h), 0);
	/* c2 announced roster 3 but never proved itself: its claim counts
	 * for nothing (stale_roster: a newer roster announced by an
	 * authenticated peer is reported), only b1's roster 1 does, and
	 * a1 keeps roster 1 */
	CU_ASSERT_EQUAL(fed_roster_seen(a1.f), 1);
	r = fed_roster(a1.f);
	CU_ASSERT_EQUAL(roster_version(r), 1);
	roster_free(r);

	rm_buf_fini(&rec2);
	node_fini(&c2);
	node_fini(&b2);
	node_fini(&a2);
	node_fini(&b1);
	node_fini(&a1);
}

static void
test_line_restart(void)
{
	struct node a, b, c;

	node_init(&a, FX_COMMAND, 1);
	node_init(&b, FX_EMERGENCY, 1);
	node_init(&c, FX_WATER, 1);
	node_open(&a, NULL, NULL);
	node_open(&b, NULL, NULL);
	node_open(&c, NULL, NULL);
	node_peer(&a, FX_EMERGENCY, "tcp", 1, false);   /* A dials B */
	node_peer(&b, FX_COMMAND, "tcp", 1, true);
	node_peer(&b, FX_WATER, "tcp", 2, false);       /* B dials C */
	node_peer(&c, FX_EMERGENCY, "tcp", 2, true);
	node_start(&a);
	node_start(&b);
	node_start(&c);
	CU_ASSERT_FATAL(fx_wait(all_up, a.f, WAIT_MS));
	CU_ASSERT_FATAL(fx_wait(all_up, b.f, WAIT_MS));
	CU_ASSERT_FATAL(fx_wait(all_up, c.f, WAIT_MS));
	for (int i = 0; i < 5; i++)
		fx_host_publish(&a.h, "120000", RM_GRADE_RED);
	wait_records(&c, FX_COMMAND, 5);
	/* exactly once: C stored each of A's records one time */
	CU_ASSERT_EQUAL(fx_host_count(&c.h), 5);
	CU_ASSERT_EQUAL(fx_host_count(&b.h), 5);
	CU_ASSERT_EQUAL(fx_host_count(&a.h), 5);

	/* B goes away; A and C keep publishing; B comes back and both
	 * sides catch up through it by version vectors. */
	node_stop(&b);
	for (int i = 0; i < 3; i++)
		fx_host_publish(&a.h, "120116", RM_GRADE_ORANGE);
	fx_host_publish(&c.h, "120104", RM_GRADE_YELLOW);
	node_open(&b, NULL, NULL);
	node_peer(&b, FX_COMMAND, "tcp", 1, true);
	node_peer(&b, FX_WATER, "tcp", 2, false);
	node_start(&b);
	wait_records(&c, FX_COMMAND, 8);
	wait_records(&b, FX_COMMAND, 8);
	wait_records(&a, FX_WATER, 1);
	wait_records(&b, FX_WATER, 1);
	CU_ASSERT_EQUAL(fx_host_count(&c.h), 9);
	CU_ASSERT_EQUAL(fx_host_count(&a.h), 9);
	node_fini(&a);
	node_fini(&b);
	node_fini(&c);
}

static void
tls_make(struct tls_files *t)
{
	rm_why why;

	snprintf(t->dir, sizeof(t->dir), "/tmp/rm_fed_tls_XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(t->dir));
	snprintf(t->ca, sizeof(t->ca), "%s/ca.crt", t->dir);
	CU_ASSERT_EQUAL_FATAL(x509_ca_create(fx_fed()->root_signer,
	    "riskmesh test federation", 2, t->ca, &why), RM_OK);
	for (size_t i = 0; i < FX_N_AGENCIES; i++) {
		crypto_key *k;

		snprintf(t->cert[i], sizeof(t->cert[i]), "%s/%zu.crt", t->dir,
		    i);
		snprintf(t->key[i], sizeof(t->key[i]), "%s/%zu.key", t->dir, i);
		CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&k, &why), RM_OK);
		CU_ASSERT_EQUAL_FATAL(crypto_key_save_private_pem(k, t->key[i],
		    &why), RM_OK);
		if (x509_issue(fx_fed()->root_signer, t->ca, k,
		    fx_fed()->id[i], 2, t->cert[i], &why) != RM_OK) {
			fprintf(stderr, "x509_issue: %s\n", why.msg);
			CU_FAIL_FATAL("x509_issue");
		}
		crypto_key_free(k);
	}
}

static void
tls_remove(struct tls_files *t)
{
	unlink(t->ca);
	for (size_t i = 0; i < FX_N_AGENCIES; i++) {
		unlink(t->cert[i]);
		unlink(t->key[i]);
	}
	rmdir(t->dir);
}

static void
test_tls(void)
{
	struct tls_files t;
	struct node a, b;

	tls_make(&t);
	node_init(&a, FX_COMMAND, 1);
	node_init(&b, FX_EMERGENCY, 1);
	node_open(&a, &t, NULL);
	node_open(&b, &t, NULL);
	node_peer(&a, FX_EMERGENCY, "tls+tcp", 3, true);
	node_peer(&b, FX_COMMAND, "tls+tcp", 3, false);
	fx_host_publish(&a.h, "120000", RM_GRADE_RED);
	node_start(&a);
	node_start(&b);
	CU_ASSERT_FATAL(fx_wait(all_up, b.f, WAIT_MS));
	wait_records(&b, FX_COMMAND, 1);
	fx_host_publish(&b.h, "120103", RM_GRADE_BLUE);
	wait_records(&a, FX_EMERGENCY, 1);
	node_fini(&a);
	node_fini(&b);

	/* A node presenting another agency's certificate: the dialer checks
	 * the server name and never connects. */
	node_init(&a, FX_COMMAND, 1);
	node_init(&b, FX_EMERGENCY, 1);
	node_open(&a, &t, NULL);
	{
		struct tls_files wrong = t;

		snprintf(wrong.cert[1], sizeof(wrong.cert[1]), "%s",
		    t.cert[2]);
		snprintf(wrong.key[1], sizeof(wrong.key[1]), "%s", t.key[2]);
		node_open(&b, &wrong, NULL);
	}
	node_peer(&a, FX_EMERGENCY, "tls+tcp", 4, false);
	node_peer(&b, FX_COMMAND, "tls+tcp", 4, true);
	node_start(&a);
	node_start(&b);
	CU_ASSERT_FALSE(fx_wait(all_up, a.f, 1500));
	CU_ASSERT_FALSE(all_up(b.f));
	node_fini(&a);
	node_fini(&b);
	tls_remove(&t);
}

/*
 * Misbehaving peers run in another process (rm_peer_probe): nng 1.5.2
 * can deadlock or crash when both ends of rapidly refused connections
 * live in one process, and a separate process is what a real attacker
 * is anyway.
 */
struct probe_files {
	char dir[64];
	char ca[128], roster[128], key[FX_N_AGENCIES][128], stranger[128];
};

static void
probe_files_make(struct probe_files *pf)
{
	rm_buf b = RM_BUF_INIT;
	crypto_key *k;
	rm_why why;

	snprintf(pf->dir, sizeof(pf->dir), "/tmp/rm_fed_probe_XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(pf->dir));
	snprintf(pf->ca, sizeof(pf->ca), "%s/ca.crt", pf->dir);
	snprintf(pf->roster, sizeof(pf->roster), "%s/roster.cose", pf->dir);
	snprintf(pf->stranger, sizeof(pf->stranger), "%s/stranger.key",
	    pf->dir);
	CU_ASSERT_EQUAL_FATAL(x509_ca_create(fx_fed()->root_signer,
	    "riskmesh test", 2, pf->ca, &why), RM_OK);
	fx_roster_bytes(1, &b);
	CU_ASSERT_EQUAL_FATAL(rm_file_write_atomic(pf->roster, b.data, b.len,
	    0600, &why), RM_OK);
	for (size_t i = 0; i < FX_N_AGENCIES; i++) {
		snprintf(pf->key[i], sizeof(pf->key[i]), "%s/%zu.key", pf->dir,
		    i);
		CU_ASSERT_EQUAL_FATAL(crypto_key_save_private_pem(
		    fx_fed()->key[i], pf->key[i], &why), RM_OK);
	}
	CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&k, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_key_save_private_pem(k, pf->stranger,
	    &why), RM_OK);
	crypto_key_free(k);
	rm_buf_fini(&b);
}

static void
probe_files_remove(struct probe_files *pf)
{
	unlink(pf->ca);
	unlink(pf->roster);
	unlink(pf->stranger);
	for (size_t i = 0; i < FX_N_AGENCIES; i++)
		unlink(pf->key[i]);
	rmdir(pf->dir);
}

/* Run the probe; its stdout goes to out; returns its exit status. */
static int
probe_run(const struct probe_files *pf, const char *agency, const char *key,
    int port_i, const char *action, rm_buf *out)
{
	const char *bd = getenv("RM_BUILD_DIR");
	char cmd[1024], chunk[512];
	size_t n;
	FILE *fp;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/tests/federation/rm_peer_probe "
	    "--agency %s --key %s --ca %s --roster %s --insecure "
	    "--dial tcp://127.0.0.1:%d %s", bd ? bd : "..", agency, key,
	    pf->ca, pf->roster, port(port_i), action);
	rm_buf_reset(out);
	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rm_buf_append(out, chunk, n);
	st = pclose(fp);
	rm_buf_cstr(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool
contains(const rm_buf *b, const char *s)
{
	return b->data != NULL && strstr((const char *)b->data, s) != NULL;
}

static void
test_bad_peers(void)
{
	struct probe_files pf;
	struct node a;
	struct fed_peer_status st;
	struct fed_counters c;
	rm_buf out = RM_BUF_INIT;
	int rv;

	probe_files_make(&pf);
	node_init(&a, FX_COMMAND, 1);
	node_open(&a, NULL, NULL);
	node_peer(&a, FX_EMERGENCY, "tcp", 5, true);
	fx_host_publish(&a.h, "120000", RM_GRADE_RED);
	node_start(&a);

	/* HELLO claims another agency than the link is for. */
	rv = probe_run(&pf, FX_WATER, pf.key[2], 5, "--forge badsig", &out);
	CU_ASSERT_EQUAL(rv, 2);
	CU_ASSERT(contains(&out, "refused EUNAUTH HELLO claims agency "
	    "120104.water"));
	/* The right agency, signing with a key not in the roster. */
	rv = probe_run(&pf, FX_EMERGENCY, pf.stranger, 5, "--forge badsig",
	    &out);
	CU_ASSERT_EQUAL(rv, 2);
	CU_ASSERT(contains(&out, "refused EBADSIG PROOF does not verify"));
	fed_get_counters(a.f, &c);
	CU_ASSERT_EQUAL(c.handshakes_failed, 2);
	CU_ASSERT_EQUAL(c.handshakes_ok, 0);
	CU_ASSERT_EQUAL(fed_peers(a.f, &st, 1), 1);
	CU_ASSERT_NOT_EQUAL(st.state, FED_PEER_UP);
	CU_ASSERT_EQUAL(st.connects, 0);
	CU_ASSERT_EQUAL(st.last_up_ms, 0);

	/* The right agency and key: every forged record is refused with
	 * its reason, counted, and nothing is stored. */
	rv = probe_run(&pf, FX_EMERGENCY, pf.key[1], 5, "--forge badsig",
	    &out);
	CU_ASSERT_EQUAL(rv, 0);
	CU_ASSERT(contains(&out, "refused EBADSIG record "));
	rv = probe_run(&pf, FX_EMERGENCY, pf.key[1], 5,
	    "--forge unknown-signer", &out);
	CU_ASSERT_EQUAL(rv, 0);
	CU_ASSERT(contains(&out, "refused EUNKNOWNSIGNER record "));
	rv = probe_run(&pf, FX_EMERGENCY, pf.key[1], 5, "--forge malformed",
	    &out);
	CU_ASSERT_EQUAL(rv, 0);
	CU_ASSERT(contains(&out, "refused EMALFORMED record ") ||
	    contains(&out, "refused ENONCANON record "));
	rv = probe_run(&pf, FX_EMERGENCY, pf.key[1], 5, "--forge unauthorised",
	    &out);
	CU_ASSERT_EQUAL(rv, 0);
	CU_ASSERT(contains(&out, "refused EUNAUTH record "));
	CU_ASSERT(contains(&out, "grade"));
	rv = probe_run(&pf, FX_EMERGENCY, pf.key[1], 5,
	    "--forge origin-mismatch", &out);
	CU_ASSERT_EQUAL(rv, 0);
	CU_ASSERT(contains(&out, "refused EUNAUTH record "));
	CU_ASSERT(contains(&out, "is not its signer"));
	fed_get_counters(a.f, &c);
	CU_ASSERT_EQUAL(c.refused[RM_EBADSIG], 1);
	CU_ASSERT_EQUAL(c.refused[RM_EUNKNOWNSIGNER], 1);
	CU_ASSERT_EQUAL(c.refused[RM_EUNAUTH], 2);
	CU_ASSERT_EQUAL(c.handshakes_ok, 5);
	CU_ASSERT_EQUAL(fx_host_count(&a.h), 1);
	CU_ASSERT_EQUAL(fed_peers(a.f, &st, 1), 1);
	CU_ASSERT_EQUAL(st.records_refused, 5);

	/* A peer that completes the handshake and then goes silent (its
	 * connection died without a close) is dropped once nothing has
	 * arrived for 3 sync intervals + a handshake timeout (5 s here). */
	rv = probe_run(&pf, FX_EMERGENCY, pf.key[1], 5, "--silent 15000",
	    &out);
	CU_ASSERT_EQUAL(rv, 0);
	CU_ASSERT(contains(&out, "refused ETIMEDOUT nothing received for "));
	fed_get_counters(a.f, &c);
	CU_ASSERT_EQUAL(c.handshakes_ok, 6);
	CU_ASSERT_EQUAL(fed_peers(a.f, &st, 1), 1);
	CU_ASSERT_NOT_EQUAL(st.state, FED_PEER_UP);

	node_fini(&a);
	probe_files_remove(&pf);
	rm_buf_fini(&out);
}

static void
fed_sleep_test(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool
all_refused(void *arg)
{
	fed *f = arg;
	struct fed_peer_status st[8];
	size_t n = fed_peers(f, st, 8);

	for (size_t i = 0; i < n; i++)
		if (st[i].state != FED_PEER_REFUSED)
			return false;
	return n > 0;
}

/*
 * The emergency node signs with a key its roster entry no longer names
 * (its agency's key was rotated): the command node refuses its PROOF,
 * and the emergency node -- which verified the command node's PROOF --
 * learns it from the session REFUSE. Both report the link refused with
 * the reason, neither ever reports it up.
 */
static void
test_symmetric_refusal(void)
{
	struct node a, b;
	struct fed_peer_status st;
	crypto_signer *old_key;
	crypto_key *k;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&k, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_from_key(k, &old_key, &why),
	    RM_OK);
	crypto_key_free(k);
	node_init(&a, FX_COMMAND, 1);
	node_init(&b, FX_EMERGENCY, 1);
	node_open(&a, NULL, NULL);
	node_open(&b, NULL, old_key);
	node_peer(&a, FX_EMERGENCY, "tcp", 6, true);
	node_peer(&b, FX_COMMAND, "tcp", 6, false);
	node_start(&a);
	node_start(&b);
	CU_ASSERT(fx_wait(all_refused, a.f, WAIT_MS));
	CU_ASSERT(fx_wait(all_refused, b.f, WAIT_MS));
	/* a few reconnects later, still refused on both sides */
	fed_sleep_test(500);
	CU_ASSERT_EQUAL(fed_peers(a.f, &st, 1), 1);
	CU_ASSERT_EQUAL(st.state, FED_PEER_REFUSED);
	CU_ASSERT_EQUAL(st.connects, 0);
	CU_ASSERT_FALSE(st.refused_by_peer);
	CU_ASSERT_EQUAL(st.refusal_code, RM_EBADSIG);
	CU_ASSERT(strstr(st.refusal, "PROOF does not verify") != NULL);
	CU_ASSERT_EQUAL(fed_peers(b.f, &st, 1), 1);
	CU_ASSERT_EQUAL(st.state, FED_PEER_REFUSED);
	CU_ASSERT_EQUAL(st.connects, 0);          /* never up */
	CU_ASSERT(st.refused_by_peer);
	CU_ASSERT_EQUAL(st.refusal_code, RM_EBADSIG);
	CU_ASSERT(strstr(st.refusal, "PROOF does not verify") != NULL);
	/* a's PROOF verified on b, but b was refused: b's roster claim of
	 * a counts; a counts nothing from b */
	CU_ASSERT_EQUAL(fed_roster_seen(b.f), 1);
	CU_ASSERT_EQUAL(fed_roster_seen(a.f), 0);
	/* b's only peer, which b authenticated, refuses b's key and no link
	 * is up: b knows its key is not taken (it then refuses to issue);
	 * a's key is fine */
	{
		char peer[RM_AGENCY_ID_MAX + 1], reason[RM_WHY_MAX];

		CU_ASSERT_TRUE(fed_own_key_refused(b.f, peer, sizeof(peer),
		    reason, sizeof(reason)));
		CU_ASSERT_STRING_EQUAL(peer, FX_COMMAND);
		CU_ASSERT(strstr(reason, "PROOF does not verify") != NULL);
		CU_ASSERT_FALSE(fed_own_key_refused(a.f, peer, sizeof(peer),
		    reason, sizeof(reason)));
	}
	node_fini(&b);
	node_fini(&a);
	crypto_signer_free(old_key);
}

/*
 * No trust cliff: the emergency node announces roster 3, which the
 * command node cannot verify (it trusts another root key for rosters),
 * but its PROOF verifies with the key of roster 1: the link is up, the
 * command node keeps roster 1 and reports a newer one was announced by
 * an authenticated peer.
 */
static void
test_stale_roster(void)
{
	struct node a, b;
	struct fed_opts o;
	struct roster *r;
	rm_why why;

	node_init(&a, FX_COMMAND, 1);
	node_init(&b, FX_EMERGENCY, 3);
	fx_opts(&o, a.id, a.r, &a.h);
	o.root_key = fx_fed2()->root;         /* cannot verify roster 3 */
	CU_ASSERT_EQUAL_FATAL(fed_open(&o, &a.f, &why), RM_OK);
	a.h.f = a.f;
	node_open(&b, NULL, NULL);
	node_peer(&a, FX_EMERGENCY, "tcp", 7, true);
	node_peer(&b, FX_COMMAND, "tcp", 7, false);
	node_start(&a);
	node_start(&b);
	CU_ASSERT_FATAL(fx_wait(all_up, a.f, WAIT_MS));
	CU_ASSERT_FATAL(fx_wait(all_up, b.f, WAIT_MS));
	r = fed_roster(a.f);
	CU_ASSERT_EQUAL(roster_version(r), 1);
	roster_free(r);
	CU_ASSERT_EQUAL(fed_roster_seen(a.f), 3);    /* stale, reported */
	CU_ASSERT_EQUAL(fed_roster_seen(b.f), 1);
	node_fini(&b);
	CU_ASSERT_EQUAL(fed_roster_seen(a.f), 3);    /* the latest claim */
	node_fini(&a);
}


/* ---------------- gateway links (docs/PROTOCOL.md §12) ---------------- */

#define GW_BJ_CMD    "110000.command"
#define GW_BJ_DIST   "110105.gov"
#define GW_BJ_ROGUE  "120103.rogue"     /* Beijing's root, a Tianjin area */

/* The second federation as "Beijing": its command centre (key 0,
 * 110000), a district (key 1, 110105) and an agency its root names for
 * a Tianjin district (key 2, 120103). */
static struct roster *
gw_bj_roster(void)
{
	static const struct { const char *id, *area; } e[] = {
		{ GW_BJ_CMD, "110000" }, { GW_BJ_DIST, "110105" },
		{ GW_BJ_ROGUE, "120103" },
	};
	struct roster *r, *o;
	struct roster_agency a;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(roster_new(FX_FED2_NAME, 1, &r, &why), RM_OK);
	for (size_t i = 0; i < 3; i++) {
		fx_agency_in(fx_fed2(), i, &a);
		strcpy(a.id, e[i].id);
		a.n_areas = 1;
		strcpy(a.areas[0], e[i].area);
		a.max_grade = RM_GRADE_RED;
		CU_ASSERT_EQUAL_FATAL(roster_put_agency(r, &a, &why), RM_OK);
	}
	CU_ASSERT_EQUAL_FATAL(roster_sign(r, fx_fed2()->root_signer, &b,
	    &why), RM_OK);
	roster_free(r);
	CU_ASSERT_EQUAL_FATAL(roster_open(b.data, b.len, fx_fed2()->root, &o,
	    &why), RM_OK);
	rm_buf_fini(&b);
	return o;
}

/* A Beijing record of agency key k, stored on h (and pushed). */
static rm_hash
gw_bj_put(struct fx_host *h, size_t k, const char *origin, uint64_t seq,
    const rm_hash *prev, const char *area, rm_grade g)
{
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;
	rm_hash hash;
	rm_why why;

	fx_record(&x, origin, seq, prev, area, g);
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed2()->signer[k], &x.r, &b,
	    &hash, &why), RM_OK);
	CU_ASSERT_EQUAL(fx_host_put_raw(h, b.data, b.len, origin, seq), RM_OK);
	rm_buf_fini(&b);
	return hash;
}

static void
gw_open(struct node *n, const char *id, crypto_signer *signer,
    const crypto_key *root, const struct fed_foreign_opts *fo,
    const char *peer, bool listen, const char *policy)
{
	struct fed_opts o;
	struct gateway_policy pol;
	char url[64];
	rm_why why;

	fx_opts(&o, FX_COMMAND, n->r, &n->h);
	o.agency_id = id;
	o.agency_signer = signer;
	o.root_key = root;
	o.sync_interval_ms = 200;       /* many exchanges: no loop */
	o.foreign = fo;
	o.n_foreign = 1;
	CU_ASSERT_EQUAL_FATAL(fed_open(&o, &n->f, &why), RM_OK);
	n->h.f = n->f;
	CU_ASSERT_EQUAL_FATAL(gateway_policy_parse(policy, &pol, &why), RM_OK);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port(30));
	if (fed_gateway_add(n->f, peer, url, listen, fo->name, &pol, &why) !=
	    RM_OK) {
		fprintf(stderr, "fed_gateway_add: %s\n", why.msg);
		CU_FAIL_FATAL("fed_gateway_add");
	}
}

/*
 * A gateway link between "Tianjin" (fx_fed, 12xxxx) and "Beijing"
 * (fx_fed2 with 11xxxx agencies): each engine trusts the other's root
 * for its areas only, authenticates the other gateway with the other
 * charter (sent in the handshake), and carries what its policy allows.
 * Beijing's policy is loose (every alert) and Tianjin's strict (yellow
 * and up): Tianjin re-checks and refuses the blue notice Beijing sends,
 * once (the filtered catch-up does not loop); it refuses the record of
 * the agency Beijing's root names for a Tianjin district.
 */
static void
test_gateway(void)
{
	struct node t, b;
	struct fed_foreign_opts fo_t = { FX_FED2_NAME, NULL, "110000", NULL,
		NULL };
	struct fed_foreign_opts fo_b = { FX_FED_NAME, NULL, "120000", NULL,
		NULL };
	struct fed_peer_status st[2];
	struct fed_counters c;
	struct roster *r;
	rm_hash h1;
	uint64_t refused;
	rm_why why;

	fo_t.root = fx_fed2()->root;
	fo_b.root = fx_fed()->root;
	node_init(&t, FX_COMMAND, 1);
	node_init(&b, GW_BJ_CMD, 1);
	roster_free(b.r);
	b.r = gw_bj_roster();
	gw_open(&t, FX_COMMAND, fx_fed()->signer[0], fx_fed()->root, &fo_t,
	    GW_BJ_CMD, true, "kinds=alert areas=110000,120000 grade=yellow");
	gw_open(&b, GW_BJ_CMD, fx_fed2()->signer[0], fx_fed2()->root, &fo_b,
	    FX_COMMAND, false, "kinds=alert");
	/* a gateway outside its federation's areas is refused */
	{
		struct gateway_policy pol;

		CU_ASSERT_EQUAL(gateway_policy_parse("kinds=alert", &pol,
		    &why), RM_OK);
		CU_ASSERT_EQUAL(fed_gateway_add(t.f, "130000.command",
		    "tcp://127.0.0.1:1", false, FX_FED2_NAME, &pol, &why),
		    RM_ECONFIG);
		CU_ASSERT_EQUAL(fed_gateway_add(t.f, "110000.other",
		    "tcp://127.0.0.1:1", false, "nosuch", &pol, &why),
		    RM_ECONFIG);
	}
	/* before the link: caught up (filtered) when it comes up */
	h1 = gw_bj_put(&b.h, 0, GW_BJ_CMD, 1, NULL, "110000", RM_GRADE_RED);
	gw_bj_put(&b.h, 1, GW_BJ_DIST, 1, NULL, "110105", RM_GRADE_BLUE);
	node_start(&t);
	node_start(&b);
	CU_ASSERT_FATAL(fx_wait(all_up, t.f, WAIT_MS));
	CU_ASSERT_FATAL(fx_wait(all_up, b.f, WAIT_MS));
	wait_records(&t, GW_BJ_CMD, 1);
	/* each side holds the other's charter now */
	r = fed_foreign_roster(t.f, FX_FED2_NAME);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(roster_find(r, GW_BJ_CMD));
	roster_free(r);
	CU_ASSERT_PTR_NULL(fed_foreign_roster(t.f, "nosuch"));
	/* pushed: a red alert after the link is up crosses, the forged
	 * record does not */
	gw_bj_put(&b.h, 0, GW_BJ_CMD, 2, &h1, "110000", RM_GRADE_RED);
	gw_bj_put(&b.h, 2, GW_BJ_ROGUE, 1, NULL, "120103", RM_GRADE_RED);
	wait_records(&t, GW_BJ_CMD, 2);
	CU_ASSERT_EQUAL(fx_host_count_origin(&t.h, GW_BJ_DIST), 0);
	CU_ASSERT_EQUAL(fx_host_count_origin(&t.h, GW_BJ_ROGUE), 0);
	/* Tianjin -> Beijing */
	fx_host_publish(&t.h, "120000", RM_GRADE_RED);
	wait_records(&b, FX_COMMAND, 1);
	/* many vector exchanges (200 ms): the refused blue notice is not
	 * streamed again, so it is refused once */
	{
		struct timespec ts = { 1, 200 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	fed_get_counters(t.f, &c);
	CU_ASSERT_EQUAL(c.policy_refused, 1);
	CU_ASSERT(c.foreign_refused >= 1);
	refused = c.refused[RM_EUNAUTH];
	CU_ASSERT(refused >= 2);      /* the policy's and the foreign one */
	CU_ASSERT_EQUAL(fed_peers(t.f, st, 2), 1);
	CU_ASSERT_TRUE(st[0].gateway);
	CU_ASSERT_STRING_EQUAL(st[0].federation, FX_FED2_NAME);
	CU_ASSERT_STRING_EQUAL(st[0].policy,
	    "kinds=alert areas=110000,120000 grade=yellow");
	CU_ASSERT_EQUAL(st[0].policy_refused, 1);
	CU_ASSERT(st[0].foreign_refused >= 1);
	CU_ASSERT(st[0].last_received_ms > 0);
	CU_ASSERT(st[0].last_sent_ms > 0);
	/* what the node's reconciliation over this link filters with */
	{
		struct gateway_policy pol;
		struct trust_areas far;

		CU_ASSERT_TRUE(fed_gateway_policy(t.f, GW_BJ_CMD, &pol, &far));
		CU_ASSERT_EQUAL(pol.min_grade, RM_GRADE_YELLOW);
		CU_ASSERT_EQUAL(far.n, 1);
		CU_ASSERT_STRING_EQUAL(far.code[0], "110000");
		CU_ASSERT_FALSE(fed_gateway_policy(t.f, FX_EMERGENCY, NULL,
		    NULL));
	}
	/* the gateway's roster announcement is not a newer home roster */
	CU_ASSERT_EQUAL(fed_roster_seen(t.f), 0);
	CU_ASSERT_EQUAL(fx_host_count_origin(&t.h, GW_BJ_DIST), 0);
	node_fini(&b);
	node_fini(&t);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "config_rejects", test_config_rejects },
		{ "two_nodes", test_two_nodes },
		{ "line_restart", test_line_restart },
		{ "tls", test_tls },
		{ "bad_peers", test_bad_peers },
		{ "two_roots", test_two_roots },
		{ "symmetric_refusal", test_symmetric_refusal },
		{ "stale_roster", test_stale_roster },
		{ "second_kind", test_second_kind },
		{ "gateway", test_gateway },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.link", tests);
}
