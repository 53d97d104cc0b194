/*
 * rbsr_real.c -- benchmark (not a test) of range-based set
 * reconciliation between two REAL stores (node/store, LMDB), with every
 * message on the wire as the link sends it (docs/PROTOCOL.md §7a):
 *
 *   bench_rbsr_real DIR [N] [DIFFS]
 *   (defaults: N 1000000 keys per side, DIFFS "0,1,1000,10000")
 *
 * Setup (before any clock starts):
 *  - the COMMON keys (N - 5,500 of them, so that each side holds about
 *    N during the 1,000 case) are random keys (issued times over 30
 *    days, random hashes) filed in both stores' `timeline` / `timesum`
 *    through the TEST-ONLY path (store_int.h, store_timeline_add, as
 *    tests/bench/rbsr_store.c does): storing a million signed records
 *    through store_put takes minutes. They have no record bytes; the
 *    engine never asks for them (they are not differences).
 *  - for each DIFFS value d, in one run and in that order, d REAL
 *    records are signed (risk records as tests/bench/risk_gen.c makes
 *    them, ES256, their own origin's log; d/2 by 120000.emergency put in
 *    store A only, d - d/2 by 120000.water in store B only), issued at
 *    random times over the same 30 days, stored with store_put (the
 *    writer's path, group commit). The cases run one after the other on
 *    the same two stores: each reconciliation converges them, so case k
 *    starts from N - 5,500 + the differences of the cases before it.
 *
 * The run (timed: wall and CPU of the whole process, every thread, the
 * stores' writers included): A initiates; each rbsr message travels in
 * a RECONCILE frame (fed_frame_reconcile), decoded by the receiver
 * (fed_frame_decode) and answered by rbsr_session_reply over the
 * store's own operations (store_rbsr_sum, _keys, _nth: each its own
 * read transaction, as the node's host ops). The keys the engine finds
 * the peer lacks are read (store_rbsr_get) and sent in RECORDS frames
 * (<= 256 records, about 1 MiB); the keys it finds we lack go in WANT
 * frames (<= 1024 keys) answered the same way. The receiver decodes
 * every RECORDS frame and stores each record (store_put); signatures
 * are not verified here (the node's verify pool does it; the cold join
 * bench measures that). At the end both stores' full-range sums must be
 * equal and the records moved must be exactly the differences.
 *
 * Bytes: every frame's CBOR plus the 12-byte SP message header
 * (PROTOCOL §1), not TLS. Round trips: flights / 2, a flight being one
 * side's turn (a message and the WANTs and RECORDS it triggers); records
 * answering the last message's WANTs are one more flight. Target (issue
 * 8): <= 4 round trips, total bytes <= 1.5 x the missing records' bytes
 * + 100 KB (102,400 bytes), under 2 s.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "crypto/crypto.h"
#include "federation/peer/peer.h"
#include "federation/rbsr/rbsr.h"
#include "federation/trust/trust.h"
#include "node/store/store_int.h"
#include "schemas/schemas.h"

#define DAY_MS (24ULL * 3600 * 1000)
#define T0 1786000000000ULL
#define SPAN_MS (30 * DAY_MS)
#define SP_HDR 12               /* SP pair1: u64 length + u32 hop count */
#define REC_FRAME_SOFT (1024 * 1024)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
die(const char *what, int rv)
{
	fprintf(stderr, "bench_rbsr_real: %s: %d (%s)\n", what, rv,
	    rv < 0 || rv >= RM_ERR_COUNT ? "mdb" : rm_strerror(rv));
	exit(1);
}

/* ---------------- stores ---------------- */

/* Commits waited for: store_put's done callbacks on the writers. */
static struct {
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	uint64_t queued, done, failed;
} wt = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };

static void
put_done(void *arg, int err, const struct store_put_result *res)
{
	(void)arg;
	(void)res;
	pthread_mutex_lock(&wt.mtx);
	wt.done++;
	if (err != RM_OK)
		wt.failed++;
	pthread_cond_broadcast(&wt.cv);
	pthread_mutex_unlock(&wt.mtx);
}

static void
put(store *s, const uint8_t *p, size_t n)
{
	rm_hash h;
	int rv;

	crypto_sha256(p, n, &h);
	pthread_mutex_lock(&wt.mtx);
	wt.queued++;
	pthread_mutex_unlock(&wt.mtx);
	if ((rv = store_put(s, p, n, &h, "bench", put_done, NULL)) != RM_OK)
		die("store_put", rv);
}

static void
put_wait(void)
{
	pthread_mutex_lock(&wt.mtx);
	while (wt.done < wt.queued)
		pthread_cond_wait(&wt.cv, &wt.mtx);
	if (wt.failed != 0) {
		pthread_mutex_unlock(&wt.mtx);
		die("a record was not stored", (int)wt.failed);
	}
	pthread_mutex_unlock(&wt.mtx);
}

static store *
open_store(const char *dir)
{
	struct store_opts o = { .dir = dir, .map_size_bytes = 4ULL << 30 };
	rm_why why = { "", "" };
	store *s;

	if (store_open(&o, &s, &why) != RM_OK) {
		fprintf(stderr, "store_open %s: %s\n", dir, why.msg);
		exit(1);
	}
	return s;
}

static int
kcmp(const void *a, const void *b)
{
	return rbsr_key_cmp(a, b);
}

/* The common keys, sorted, filed in both stores (test-only path). */
static void
fill_common(store *a, store *b, uint64_t n)
{
	struct rbsr_key *k = malloc(n * sizeof(*k));
	store *ss[2] = { a, b };

	if (k == NULL)
		die("malloc", RM_ENOMEM);
	for (uint64_t i = 0; i < n; i++) {
		k[i].issued_ms = T0 + rnd() % SPAN_MS;
		for (int w = 0; w < 4; w++) {
			uint64_t r = rnd();

			memcpy(k[i].hash + 8 * w, &r, 8);
		}
	}
	qsort(k, n, sizeof(*k), kcmp);
	for (int si = 0; si < 2; si++)
		for (uint64_t i = 0; i < n;) {
			MDB_txn *txn;
			int mrc;

			if ((mrc = mdb_txn_begin(ss[si]->env, NULL, 0, &txn)))
				die("begin", mrc);
			for (uint64_t j = 0; j < 200000 && i < n; j++, i++) {
				rm_hash h;

				memcpy(h.b, k[i].hash, RM_HASH_BYTES);
				if ((mrc = store_timeline_add(ss[si], txn, &h,
				    k[i].issued_ms)) != 0)
					die("timeline add", mrc);
			}
			if ((mrc = mdb_txn_commit(txn)) != 0)
				die("commit", mrc);
		}
	free(k);
}

/* ---------------- signed records ---------------- */

struct origin {
	const char *id;
	crypto_signer *sg;
	uint64_t seq;
	rm_hash prev;
	uint64_t bytes;         /* record bytes signed */
};

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* d risk records of o (risk_gen.c's shape), random issued times over
 * the span, in seq order, stored in s. */
static void
sign_into(struct origin *o, store *s, size_t d)
{
	static char name[] = "基准风险点 bench risk";
	static char loc[] = "某街道某路段";
	static const char *const districts[] = { "120101", "120102",
		"120103", "120104", "120105", "120106", "120110", "120111" };
	uint64_t *t = malloc((d ? d : 1) * sizeof(*t));
	rm_buf one = RM_BUF_INIT;
	rm_why why;

	if (t == NULL)
		die("malloc", RM_ENOMEM);
	for (size_t i = 0; i < d; i++)
		t[i] = T0 + rnd() % SPAN_MS;
	qsort(t, d, sizeof(*t), u64cmp);
	for (size_t i = 0; i < d; i++) {
		struct rm_record r;
		struct rm_risk k;
		uint32_t x = (uint32_t)(o->seq + 1) * 2654435761u;
		time_t rt = (time_t)(1735689600 + (x >> 8) % 1095 * 86400);
		struct tm tm;

		memset(&r, 0, sizeof(r));
		memset(&k, 0, sizeof(k));
		o->seq++;
		r.schema_version = RM_SCHEMA_VERSION;
		r.kind = &rm_kind_risk;
		r.body = &k;
		snprintf(r.origin, sizeof(r.origin), "%s", o->id);
		snprintf(r.object_id, sizeof(r.object_id), "b%06llu",
		    (unsigned long long)o->seq);
		r.ver = 1;
		r.seq = o->seq;
		r.has_prev = o->seq > 1;
		r.prev = o->prev;
		r.issued_ms = t[i];
		r.n_areas = 1;
		snprintf(r.areas[0], sizeof(r.areas[0]), "%s",
		    districts[(x >> 4) % 8]);
		snprintf(k.id, sizeof(k.id), "%s", r.object_id);
		k.name = name;
		k.location = loc;
		k.category = RM_RISK_NATURAL;
		k.subcategory = RM_RISK_FLOOD;
		k.grade = (rm_grade)(1 + (x >> 16) % 4);
		k.status = RM_RISK_IDENTIFIED;
		snprintf(k.responsible, sizeof(k.responsible), "%s.gov",
		    districts[(x >> 4) % 8]);
		gmtime_r(&rt, &tm);
		strftime(k.review, sizeof(k.review), "%Y-%m-%d", &tm);
		rm_buf_reset(&one);
		if (fed_record_seal(o->sg, &r, &one, &o->prev, &why) != RM_OK) {
			fprintf(stderr, "seal: %s\n", why.msg);
			exit(1);
		}
		o->bytes += one.len;
		put(s, one.data, one.len);
	}
	put_wait();
	rm_buf_fini(&one);
	free(t);
}

/* ---------------- one side of the wire ---------------- */

struct side {
	const char *name;
	store *st;
	rbsr_session *rs;
	struct side *peer;
	/* found by the engine in this turn */
	struct rbsr_key *send;
	size_t n_send, cap_send;
	struct rbsr_id *want;
	size_t n_want, cap_want;
	/* counters */
	uint64_t rbsr_bytes, want_bytes, rec_frame_bytes, rec_bytes;
	uint64_t records_out, frames;
};

static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 256;
	if ((p = realloc(p, *cap * size)) == NULL)
		die("realloc", RM_ENOMEM);
	return p;
}

static int
src_sum(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    struct rbsr_sum *out)
{
	return store_rbsr_sum(src, lo, hi, out);
}

static int
src_keys(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    size_t max, struct rbsr_key *out, size_t *n)
{
	return store_rbsr_keys(src, lo, hi, max, out, n);
}

static int
src_nth(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    uint64_t idx, struct rbsr_key *out)
{
	return store_rbsr_nth(src, lo, hi, idx, out);
}

static const struct rbsr_source_ops src_ops = { src_sum, src_keys, src_nth };

static int
on_send(void *ctx, const struct rbsr_key *k)
{
	struct side *sd = ctx;

	sd->send = grow(sd->send, &sd->cap_send, sd->n_send, sizeof(*k));
	sd->send[sd->n_send++] = *k;
	return RM_OK;
}

static int
on_want(void *ctx, uint64_t issued_ms, const uint8_t *prefix, size_t len)
{
	struct side *sd = ctx;
	struct rbsr_id *w;

	if (len != RBSR_ID_PREFIX_BYTES)
		return RM_EINVAL;
	sd->want = grow(sd->want, &sd->cap_want, sd->n_want, sizeof(*w));
	w = &sd->want[sd->n_want++];
	w->issued_ms = issued_ms;
	memcpy(w->prefix, prefix, len);
	return RM_OK;
}

static const struct rbsr_emit_ops emit_ops = { on_send, on_want };

/* One frame "on the wire" from sd to its peer: counted, decoded. */
static void
wire(struct side *sd, const rm_buf *f, uint64_t *counter,
    struct fed_frame *out)
{
	rm_why why = { "", "" };
	int rv;

	*counter += f->len + SP_HDR;
	sd->frames++;
	if ((rv = fed_frame_decode(f->data, f->len, out, &why)) != RM_OK) {
		fprintf(stderr, "frame refused: %s\n", why.msg);
		exit(1);
	}
}

/* RECORDS frames from sd to its peer for these keys (as the link's
 * send_keys: <= 256 records, about 1 MiB); the peer stores them. */
static void
send_records(struct side *sd, const struct fed_want *w, size_t n)
{
	rm_buf recs = RM_BUF_INIT, f = RM_BUF_INIT;
	size_t off[FED_BATCH_MAX + 1], k = 0;
	int rv;

	for (size_t i = 0; i <= n; i++) {
		if (i < n) {
			off[k] = recs.len;
			rv = store_rbsr_get(sd->st, w[i].issued_ms, w[i].prefix,
			    w[i].prefix_len, &recs);
			if (rv == RM_ENOTFOUND)
				continue;
			if (rv != RM_OK)
				die("store_rbsr_get", rv);
			k++;
		}
		if (k > 0 && (i == n || k == FED_BATCH_MAX ||
		    recs.len >= REC_FRAME_SOFT)) {
			struct fed_frame fr;

			off[k] = recs.len;
			rm_buf_reset(&f);
			if ((rv = fed_frame_records_begin(&f, k)) != RM_OK)
				die("records frame", rv);
			for (size_t j = 0; j < k; j++)
				if ((rv = fed_frame_records_add(&f, recs.data +
				    off[j], off[j + 1] - off[j])) != RM_OK)
					die("records frame", rv);
			wire(sd, &f, &sd->rec_frame_bytes, &fr);
			for (size_t j = 0; j < fr.u.records.n; j++) {
				sd->rec_bytes += fr.u.records.len[j];
				sd->records_out++;
				put(sd->peer->st, fr.u.records.p[j],
				    fr.u.records.len[j]);
			}
			fed_frame_fini(&fr);
			rm_buf_reset(&recs);
			k = 0;
		}
	}
	rm_buf_fini(&recs);
	rm_buf_fini(&f);
}

/* What sd's engine found in its turn: the records the peer lacks, then
 * the WANTs (each answered by the peer with RECORDS: counted in the
 * next flight). Returns whether WANTs went out. */
static bool
flush(struct side *sd)
{
	struct fed_want w[FED_WANT_MAX];
	bool wanted = sd->n_want > 0;
	rm_buf f = RM_BUF_INIT;

	for (size_t i = 0; i < sd->n_send;) {
		size_t k = 0;

		for (; k < FED_WANT_MAX && i < sd->n_send; k++, i++) {
			w[k].issued_ms = sd->send[i].issued_ms;
			w[k].prefix = sd->send[i].hash;
			w[k].prefix_len = RM_HASH_BYTES;
		}
		send_records(sd, w, k);
	}
	sd->n_send = 0;
	for (size_t i = 0; i < sd->n_want;) {
		struct fed_frame fr;
		size_t k = 0;
		int rv;

		for (; k < FED_WANT_MAX && i < sd->n_want; k++, i++) {
			w[k].issued_ms = sd->want[i].issued_ms;
			w[k].prefix = sd->want[i].prefix;
			w[k].prefix_len = RBSR_ID_PREFIX_BYTES;
		}
		rm_buf_reset(&f);
		if ((rv = fed_frame_want(&f, w, k)) != RM_OK)
			die("want frame", rv);
		wire(sd, &f, &sd->want_bytes, &fr);
		/* the peer answers from its store */
		send_records(sd->peer, fr.u.want.w, fr.u.want.n);
		fed_frame_fini(&fr);
	}
	sd->n_want = 0;
	rm_buf_fini(&f);
	return wanted;
}

struct result {
	unsigned messages, flights;
	uint64_t rbsr, want, recframes, recs, records;
	double wall, cpu;
};

static void
reconcile(struct side *a, struct side *b, struct result *r)
{
	rm_buf msg = RM_BUF_INIT, f = RM_BUF_INIT;
	struct side *turn = a;
	bool done = false, tail = false;
	rm_why why = { "", "" };
	int rv;
	double t0 = now_s(), c0 = cpu_s();

	memset(r, 0, sizeof(*r));
	if ((rv = rbsr_session_new(&src_ops, a->st, &emit_ops, a, &a->rs)) ||
	    (rv = rbsr_session_new(&src_ops, b->st, &emit_ops, b, &b->rs)))
		die("session", rv);
	if ((rv = rbsr_session_start(a->rs, &msg, &why)) != RM_OK)
		die(why.msg, rv);
	for (unsigned i = 0; i < 2 * RBSR_ROUNDS_MAX + 2; i++) {
		struct fed_frame fr = { 0 };
		struct side *to = turn->peer;
		bool sent = msg.len > 0;

		/* turn's flight: its message, then what its engine found */
		if (sent) {
			rm_buf_reset(&f);
			if ((rv = fed_frame_reconcile(&f, 1, msg.data,
			    msg.len)) != RM_OK)
				die("reconcile frame", rv);
			wire(turn, &f, &turn->rbsr_bytes, &fr);
			r->messages++;
		}
		r->flights++;
		tail = flush(turn);
		if (done || !sent) {    /* the session is over */
			if (sent)
				fed_frame_fini(&fr);
			break;
		}
		rm_buf_reset(&msg);
		if ((rv = rbsr_session_reply(to->rs, fr.u.reconcile.msg,
		    fr.u.reconcile.n, &msg, &done, &why)) != RM_OK)
			die(why.msg, rv);
		fed_frame_fini(&fr);
		turn = to;
	}
	if (!done)
		die("session did not end", 0);
	if (tail)
		r->flights++;           /* RECORDS answering the last WANTs */
	put_wait();
	r->wall = now_s() - t0;
	r->cpu = cpu_s() - c0;
	r->rbsr = a->rbsr_bytes + b->rbsr_bytes;
	r->want = a->want_bytes + b->want_bytes;
	r->recframes = a->rec_frame_bytes + b->rec_frame_bytes;
	r->recs = a->rec_bytes + b->rec_bytes;
	r->records = a->records_out + b->records_out;
	rbsr_session_free(a->rs);
	rbsr_session_free(b->rs);
	a->rs = b->rs = NULL;
	a->rbsr_bytes = a->want_bytes = a->rec_frame_bytes = a->rec_bytes = 0;
	b->rbsr_bytes = b->want_bytes = b->rec_frame_bytes = b->rec_bytes = 0;
	a->records_out = b->records_out = 0;
	rm_buf_fini(&msg);
	rm_buf_fini(&f);
}

static uint64_t
count(store *s, struct rbsr_sum *sum)
{
	int rv;

	if ((rv = store_rbsr_sum(s, &RBSR_KEY_MIN, &RBSR_KEY_MAX, sum)))
		die("sum", rv);
	return sum->count;
}

int
main(int argc, char **argv)
{
	char pa[512], pb[512], list[256], *tok, *save;
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	uint64_t common = n > 5500 ? n - 5500 : n;
	struct origin oa = { "120000.emergency", NULL, 0, { { 0 } }, 0 };
	struct origin ob = { "120000.water", NULL, 0, { { 0 } }, 0 };
	struct side a = { .name = "A" }, b = { .name = "B" };
	rm_why why;
	int bad = 0;
	double t;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_rbsr_real DIR [N] [DIFFS]\n");
		return 2;
	}
	snprintf(list, sizeof(list), "%s", argc > 3 ? argv[3] :
	    "0,1,1000,10000");
	if (mkdir(argv[1], 0700) != 0) {
		perror(argv[1]);
		return 1;
	}
	snprintf(pa, sizeof(pa), "%s/a", argv[1]);
	snprintf(pb, sizeof(pb), "%s/b", argv[1]);
	{
		char ka[600], kb[600];

		snprintf(ka, sizeof(ka), "%s/a.key", argv[1]);
		snprintf(kb, sizeof(kb), "%s/b.key", argv[1]);
		if (crypto_signer_generate_pem(ka, &oa.sg, &why) != RM_OK ||
		    crypto_signer_generate_pem(kb, &ob.sg, &why) != RM_OK) {
			fprintf(stderr, "key: %s\n", why.msg);
			return 1;
		}
	}
	a.st = open_store(pa);
	b.st = open_store(pb);
	a.peer = &b;
	b.peer = &a;
	t = now_s();
	fill_common(a.st, b.st, common);
	printf("%llu common keys filed in both stores (test-only timeline "
	    "path) in %.1f s\n\n", (unsigned long long)common, now_s() - t);
	printf("| differences (A only + B only) | keys A / B | round trips "
	    "| RBSR msgs | RBSR bytes | WANT bytes | RECORDS frame bytes "
	    "(records) | missing records' bytes | total / target | wall s "
	    "| CPU s | |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		size_t d = strtoul(tok, NULL, 10);
		uint64_t ba = oa.bytes, bb = ob.bytes, missing, total, budget;
		uint64_t ca, cb;
		struct rbsr_sum sa, sb;
		struct result r;
		bool ok;

		sign_into(&oa, a.st, d / 2);
		sign_into(&ob, b.st, d - d / 2);
		missing = oa.bytes - ba + ob.bytes - bb;
		ca = count(a.st, &sa);
		cb = count(b.st, &sb);
		reconcile(&a, &b, &r);
		total = r.rbsr + r.want + r.recframes;
		budget = missing + missing / 2 + 102400;
		ok = count(a.st, &sa) == count(b.st, &sb) &&
		    rbsr_sum_equal(&sa, &sb) && r.records == d &&
		    r.recs == missing;
		bad |= !ok;
		printf("| %zu (%zu + %zu) | %llu / %llu | %.1f | %u | %llu | "
		    "%llu | %llu (%llu) | %llu | %.3f | %.3f | %.3f | %s |\n",
		    d, d / 2, d - d / 2, (unsigned long long)ca,
		    (unsigned long long)cb, r.flights / 2.0, r.messages,
		    (unsigned long long)r.rbsr, (unsigned long long)r.want,
		    (unsigned long long)r.recframes,
		    (unsigned long long)r.records, (unsigned long long)missing,
		    (double)total / (double)budget, r.wall, r.cpu,
		    ok ? "converged" : "NOT CONVERGED");
		fflush(stdout);
	}
	if (oa.seq + ob.seq > 0)
		printf("\nrecords: %.0f bytes on average (signed risk "
		    "records)\n", (double)(oa.bytes + ob.bytes) /
		    (double)(oa.seq + ob.seq));
	store_close(a.st);
	store_close(b.st);
	crypto_signer_free(oa.sg);
	crypto_signer_free(ob.sg);
	return bad;
}
