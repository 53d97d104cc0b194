/*
 * verify_pool.c -- verifier threads between the link threads and the
 * host's ingest (verify_pool_int.h). Calls the shared state
 * (link_state.c: fed_verify, counters, the refused ring, wake) and, for
 * REFUSE frames on the link thread, the socket (link_nng.c).
 *
 * One FIFO of jobs (a job is one RECORDS frame of one link). Workers
 * claim records one at a time from the oldest job with unclaimed
 * records, verify them without the lock, and mark them done. Hand-over
 * is in FIFO order: whichever worker finds the oldest undelivered record
 * done becomes the only deliverer (vp->delivering), takes the run of
 * done records at the head, and hands them to ingest (or refuses them)
 * without the lock while the others go on verifying.
 *
 * Copies: a node joining linked to several peers gets every record from
 * each of them, at about the same time. The pool remembers the hashes of
 * the last FED_VPOOL_SEEN records submitted (vp->seen, a ring indexed
 * by a set-associative table of hashes) and what became of them. A record whose
 * hash matches an earlier one still in the ring is not verified again:
 * when its turn to be handed over comes, the earlier copy has been
 * handed over before it (FIFO), and if that copy was accepted this one
 * is counted as a duplicate (records_duplicate, as the store would
 * report it) instead of being ingested; if it was refused, or has left
 * the ring, this copy is verified then and there, as any other. And a
 * record the host already stores (fed_host_ops.has: relayed back by
 * every other peer) is counted as a duplicate without being verified.
 *
 * Lock: vp->mtx guards the queue, the slots' states, the counts, the
 * deliverer flag and the refusal lists. It is never held while calling
 * fed_verify, the host or another lock's owner (p->mtx, stats_mtx).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "federation/peer/verify_pool_int.h"

enum { SLOT_QUEUED, SLOT_BUSY, SLOT_DONE };
enum { SEEN_PENDING, SEEN_ACCEPTED, SEEN_REFUSED };

#define FED_VPOOL_SEEN     (2 * FED_VPOOL_RECORDS_MAX)  /* ring entries */
#define FED_VPOOL_SETS     (2 * FED_VPOOL_SEEN)         /* power of 2 */
#define FED_VPOOL_WAYS     4                            /* entries a set */

struct vslot {
	size_t off, len;             /* in job->bytes */
	rm_hash hash;                /* of the signed bytes */
	uint32_t seen;               /* its entry in vp->seen */
	bool dup;                    /* a copy of an earlier record */
	bool held;                   /* the host stores it already */
	int state;                   /* under vp->mtx */
	int rv;                      /* fed_verify's verdict */
	uint64_t gen;                /* fed.roster_gen it was verified at */
	struct fed_record rec;       /* rv == RM_OK */
	char *why;                   /* rv != RM_OK: malloc'd reason */
	bool untrusted;              /* refused: another region's record
	                                this node takes no root for */
};

struct vjob {
	struct vjob *next;
	struct fed_peer *p;
	uint32_t pipe;
	size_t n;
	size_t next_claim;           /* first slot no worker took */
	size_t next_deliver;         /* first slot not handed over */
	uint8_t *bytes;
	struct vslot slot[];
};

/* A REFUSE frame due to a peer, sent by its link thread. */
struct vrefusal {
	struct vrefusal *next;
	uint32_t pipe;
	int err;
	char reason[];
};

struct fed_vpool {
	fed *f;
	pthread_mutex_t mtx;
	pthread_cond_t work_cv;      /* workers: a record to verify or hand over */
	pthread_cond_t space_cv;     /* submitters: room in the queue */
	pthread_cond_t ingest_cv;    /* deliverer, close: an ingest completed */
	struct vjob *head, *tail;
	struct vjob *claim;          /* oldest job with unclaimed records */
	size_t queued;               /* records in jobs not yet handed over */
	bool delivering;
	bool stopping;
	struct vrefusal *ref_head[FED_PEERS_MAX], *ref_tail[FED_PEERS_MAX];
	struct {
		rm_hash h;
		uint8_t state;       /* SEEN_* */
	} seen[FED_VPOOL_SEEN];
	uint32_t seen_next;
	/* Index of the ring by hash: sets of FED_VPOOL_WAYS ring indexes + 1
	 * (0 = none); a way whose entry was reused is stale. */
	uint16_t set[FED_VPOOL_SETS][FED_VPOOL_WAYS];
	unsigned n_threads;
	pthread_t threads[];
};

/*
 * Refused records are logged once per hash (the engine's refused ring)
 * and at most one line per reason (rm_err code) per peer per minute
 * (fed_peer_rlog_allow): a peer streaming distinct forged records cannot
 * fill the disk. Every refusal is counted (fed_counters.refused[err] by
 * fed_verify, fed_peer_status.records_refused here, the lines held back
 * in fed_peer_status.refusal_logs_held) and answered with REFUSE.
 */

unsigned
fed_vpool_threads(unsigned threads)
{
	long cores;

	if (threads == 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores > 0 ? (unsigned)cores : 1;
	}
	return threads > FED_VERIFY_THREADS_MAX ? FED_VERIFY_THREADS_MAX :
	    threads;
}

static void
job_free(struct vjob *j)
{
	for (size_t i = j->next_deliver; i < j->n; i++) {
		if (j->slot[i].state != SLOT_DONE)
			continue;
		if (j->slot[i].rv == RM_OK)
			fed_record_fini(&j->slot[i].rec);
		free(j->slot[i].why);
	}
	free(j->bytes);
	free(j);
}

/* ---------------- copies ---------------- */

/* vp->mtx held. Mark s as a copy of an earlier record not refused, or
 * enter it in the ring, in place of its set's oldest way. */
static void
seen_enter_locked(struct fed_vpool *vp, struct vslot *s)
{
	uint16_t *set = vp->set[((size_t)s->hash.b[0] |
	    (size_t)s->hash.b[1] << 8) & (FED_VPOOL_SETS - 1)];
	unsigned oldest = 0, oldest_age = 0;

	for (unsigned w = 0; w < FED_VPOOL_WAYS; w++) {
		unsigned i = set[w], age;

		if (i > 0 && memcmp(vp->seen[i - 1].h.b, s->hash.b,
		    RM_HASH_BYTES) == 0 &&
		    vp->seen[i - 1].state != SEEN_REFUSED) {
			s->dup = true;
			s->seen = i - 1;
			return;
		}
		/* Age in the ring (0: the newest entry); an empty way is
		 * older than any. */
		age = i == 0 ? FED_VPOOL_SEEN : (vp->seen_next +
		    FED_VPOOL_SEEN - i) % FED_VPOOL_SEEN;
		if (w == 0 || age > oldest_age) {
			oldest = w;
			oldest_age = age;
		}
	}
	s->seen = vp->seen_next;
	vp->seen_next = (vp->seen_next + 1) % FED_VPOOL_SEEN;
	vp->seen[s->seen].h = s->hash;
	vp->seen[s->seen].state = SEEN_PENDING;
	set[oldest] = (uint16_t)(s->seen + 1);
}

/* The state of s's ring entry, or SEEN_REFUSED if the entry was reused
 * for another record. */
static int
seen_state(struct fed_vpool *vp, const struct vslot *s)
{
	int st = SEEN_REFUSED;

	pthread_mutex_lock(&vp->mtx);
	if (memcmp(vp->seen[s->seen].h.b, s->hash.b, RM_HASH_BYTES) == 0)
		st = vp->seen[s->seen].state;
	pthread_mutex_unlock(&vp->mtx);
	return st;
}

static void
seen_settle(struct fed_vpool *vp, const struct vslot *s)
{
	pthread_mutex_lock(&vp->mtx);
	if (memcmp(vp->seen[s->seen].h.b, s->hash.b, RM_HASH_BYTES) == 0 &&
	    vp->seen[s->seen].state == SEEN_PENDING)
		vp->seen[s->seen].state = s->rv == RM_OK ? SEEN_ACCEPTED :
		    SEEN_REFUSED;
	pthread_mutex_unlock(&vp->mtx);
}

/* ---------------- hand-over ---------------- */

/* One record handed to ingest: what its completion gives back. */
struct ingest_ctx {
	struct fed_vpool *vp;
	size_t len;
};

static void
ingest_done(void *ctx, int err, bool stored)
{
	struct ingest_ctx *ic = ctx;
	struct fed_vpool *vp = ic->vp;
	size_t len = ic->len, bleft;
	unsigned left;

	free(ic);
	if (err == RM_OK && !stored)
		FED_COUNT(vp->f, records_duplicate, 1);
	/* Wake the deliverer once the store caught up by half a bound
	 * (one wake per group commit rather than per record), and close
	 * when the last completes. */
	left = atomic_fetch_sub(&vp->f->pending_ingest, 1) - 1;
	bleft = atomic_fetch_sub(&vp->f->pending_ingest_bytes, len) - len;
	if (left == FED_VPOOL_INGEST_MAX / 2 || left == 0 ||
	    (bleft <= FED_VPOOL_INGEST_BYTES / 2 &&
	    bleft + len > FED_VPOOL_INGEST_BYTES / 2)) {
		pthread_mutex_lock(&vp->mtx);
		pthread_cond_broadcast(&vp->ingest_cv);
		pthread_mutex_unlock(&vp->mtx);
	}
}

/* Count, log and queue the REFUSE for one refused record. */
static void
refuse_record(struct fed_vpool *vp, const struct vjob *j,
    const struct vslot *s)
{
	struct fed_peer *p = j->p;
	const uint8_t *rp = j->bytes + s->off;
	const char *why = s->why != NULL ? s->why : rm_strerror(s->rv);
	uint32_t held;
	char hex[65], sh[16];
	struct vrefusal *r;
	rm_hash h;
	int len;

	pthread_mutex_lock(&p->mtx);
	p->records_refused++;
	pthread_mutex_unlock(&p->mtx);
	cose_record_hash(rp, s->len, &h);
	if (!fed_refused_seen(vp->f, &h) &&
	    fed_peer_rlog_allow(p, FED_RLOG_RECORD, s->rv, &held)) {
		rm_hash_hex(&h, hex);
		if (s->untrusted)       /* expected, not an attack */
			rm_log(RM_LOG_NOTICE, "fed", "record %s from peer %s "
			    "not kept: %s (%u more held back)", hex, p->agency,
			    why, held);
		else
			rm_log_sec("fed", "refused record %s from peer %s: "
			    "%s: %s (%u more held back)", hex, p->agency,
			    rm_errname(s->rv), why, held);
	}
	fed_hash_short(&h, sh);
	len = snprintf(NULL, 0, "record %s: %s", sh, why);
	if (len < 0 || (r = malloc(sizeof(*r) + (size_t)len + 1)) == NULL)
		return;
	r->next = NULL;
	r->pipe = j->pipe;
	r->err = s->rv;
	snprintf(r->reason, (size_t)len + 1, "record %s: %s", sh, why);
	pthread_mutex_lock(&vp->mtx);
	if (vp->ref_tail[p->index] != NULL)
		vp->ref_tail[p->index]->next = r;
	else
		vp->ref_head[p->index] = r;
	vp->ref_tail[p->index] = r;
	pthread_mutex_unlock(&vp->mtx);
	fed_peer_wake(p);
}

/* Hand one verified record to the host, waiting while too many ingests
 * are pending. */
static void
ingest_record(struct fed_vpool *vp, const struct vjob *j, struct vslot *s)
{
	fed *f = vp->f;
	struct ingest_ctx *ic;
	int rv;

	if (atomic_load(&f->pending_ingest) >= FED_VPOOL_INGEST_MAX ||
	    atomic_load(&f->pending_ingest_bytes) >= FED_VPOOL_INGEST_BYTES) {
		/* The store is behind: wait until it has done half. */
		pthread_mutex_lock(&vp->mtx);
		while (!vp->stopping && (atomic_load(&f->pending_ingest) >
		    FED_VPOOL_INGEST_MAX / 2 ||
		    atomic_load(&f->pending_ingest_bytes) >
		    FED_VPOOL_INGEST_BYTES / 2))
			pthread_cond_wait(&vp->ingest_cv, &vp->mtx);
		pthread_mutex_unlock(&vp->mtx);
	}
	if ((ic = malloc(sizeof(*ic))) == NULL) {
		rm_log(RM_LOG_WARN, "fed", "record from peer %s not stored: "
		    "out of memory (the next vector exchange fetches it "
		    "again)", j->p->agency);
		fed_record_fini(&s->rec);
		return;
	}
	ic->vp = vp;
	ic->len = s->len;
	atomic_fetch_add(&f->pending_ingest, 1);
	atomic_fetch_add(&f->pending_ingest_bytes, s->len);
	rv = f->ops->ingest(f->host, j->p->agency, &s->rec, ingest_done, ic);
	if (rv != RM_OK) {
		free(ic);
		atomic_fetch_sub(&f->pending_ingest_bytes, s->len);
		atomic_fetch_sub(&f->pending_ingest, 1);
		rm_log(RM_LOG_DEBUG, "fed", "record %s seq %llu from peer "
		    "%s not ingested: %s", s->rec.rec.origin,
		    (unsigned long long)s->rec.rec.seq, j->p->agency,
		    rm_strerror(rv));
	}
	fed_record_fini(&s->rec);
}

/* Verify one slot, unless the host holds it already; no lock held. */
static void
verify_slot(struct fed_vpool *vp, const struct vjob *j, struct vslot *s)
{
	rm_why why, pwhy;
	bool outside = false;
	int which, rv;

	if (vp->f->ops->has != NULL && vp->f->ops->has(vp->f->host, &s->hash)) {
		s->held = true;
		s->rv = RM_OK;
		return;
	}
	s->gen = atomic_load(&vp->f->roster_gen);
	s->rv = fed_verify_trusted(vp->f, j->bytes + s->off, s->len, &s->rec,
	    &which, &outside, &s->untrusted, &why);
	if (s->rv == RM_OK && j->p->gateway &&
	    (rv = gateway_policy_check(&j->p->policy, &s->rec.rec,
	    &vp->f->home_areas, &pwhy)) != RM_OK) {
		/* the receiving side re-checks its policy (§12.3) */
		fed_record_fini(&s->rec);
		s->rv = rm_fail(&why, rv, "not allowed by the gateway policy "
		    "of %s: %s", j->p->agency, pwhy.msg);
		pthread_mutex_lock(&vp->f->stats_mtx);
		vp->f->c.policy_refused++;
		vp->f->c.refused[rv]++;
		pthread_mutex_unlock(&vp->f->stats_mtx);
		pthread_mutex_lock(&j->p->mtx);
		j->p->policy_refused++;
		pthread_mutex_unlock(&j->p->mtx);
	} else if (s->rv == RM_OK && which >= 0) {
		/* a foreign agency record: the foreign roster takes it now,
		 * so that the records after it verify (§12.2) */
		fed_foreign_apply(vp->f, which, &s->rec);
	}
	if (outside) {
		pthread_mutex_lock(&j->p->mtx);
		j->p->foreign_refused++;
		pthread_mutex_unlock(&j->p->mtx);
	}
	if (s->rv != RM_OK)
		s->why = strdup(why.msg);
}

/*
 * vp->mtx held, vp->delivering set by the caller. Hand over the run of
 * done records at the head of the queue, in order, releasing the lock
 * while doing so; pop the jobs finished.
 */
static void
deliver_locked(struct fed_vpool *vp)
{
	struct vjob *j;

	while (!vp->stopping && (j = vp->head) != NULL &&
	    j->next_deliver < j->n &&
	    j->slot[j->next_deliver].state == SLOT_DONE) {
		size_t from = j->next_deliver, to = from;

		while (to < j->n && j->slot[to].state == SLOT_DONE)
			to++;
		pthread_mutex_unlock(&vp->mtx);
		/* Slots [from, to) are done: nobody else touches them. */
		for (size_t i = from; i < to; i++) {
			struct vslot *s = &j->slot[i];

			if (s->dup && seen_state(vp, s) == SEEN_ACCEPTED) {
				FED_COUNT(vp->f, records_duplicate, 1);
				continue;
			}
			/* Refused for an unknown signer while the roster
			 * changed (an agency record before it in the
			 * stream was applied meanwhile): once more, in
			 * order. */
			if (s->dup || (!s->held && s->rv == RM_EUNKNOWNSIGNER &&
			    s->gen != atomic_load(&vp->f->roster_gen))) {
				free(s->why);
				s->why = NULL;
				verify_slot(vp, j, s);
			}
			if (s->held)
				FED_COUNT(vp->f, records_duplicate, 1);
			else if (s->rv == RM_OK)
				ingest_record(vp, j, s);
			else
				refuse_record(vp, j, s);
			if (!s->dup)
				seen_settle(vp, s);
			free(s->why);
			s->why = NULL;
		}
		pthread_mutex_lock(&vp->mtx);
		j->next_deliver = to;
		vp->queued -= to - from;
		if (to == j->n) {
			vp->head = j->next;
			if (vp->head == NULL)
				vp->tail = NULL;
			pthread_mutex_unlock(&vp->mtx);
			job_free(j);
			pthread_mutex_lock(&vp->mtx);
		}
		pthread_cond_broadcast(&vp->space_cv);
	}
}

/* ---------------- workers ---------------- */

static bool
deliverable(const struct fed_vpool *vp)
{
	const struct vjob *j = vp->head;

	return !vp->delivering && j != NULL && j->next_deliver < j->n &&
	    j->slot[j->next_deliver].state == SLOT_DONE;
}

static void *
worker_main(void *arg)
{
	struct fed_vpool *vp = arg;

	pthread_mutex_lock(&vp->mtx);
	while (!vp->stopping) {
		struct vjob *j = vp->claim;
		struct vslot *s;

		if (deliverable(vp)) {
			vp->delivering = true;
			deliver_locked(vp);
			vp->delivering = false;
			continue;
		}
		if (j == NULL) {
			pthread_cond_wait(&vp->work_cv, &vp->mtx);
			continue;
		}
		s = &j->slot[j->next_claim++];
		while (vp->claim != NULL &&
		    vp->claim->next_claim == vp->claim->n)
			vp->claim = vp->claim->next;
		if (s->dup) {
			/* Settled when handed over (deliver_locked). */
			s->state = SLOT_DONE;
			continue;
		}
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&vp->mtx);
		verify_slot(vp, j, s);
		pthread_mutex_lock(&vp->mtx);
		s->state = SLOT_DONE;
	}
	pthread_mutex_unlock(&vp->mtx);
	return NULL;
}

/* ---------------- lifecycle ---------------- */

int
fed_vpool_open(fed *f, unsigned threads, struct fed_vpool **out, rm_why *why)
{
	struct fed_vpool *vp;
	pthread_condattr_t ca;
	unsigned n = fed_vpool_threads(threads);

	if ((vp = calloc(1, sizeof(*vp) + n * sizeof(vp->threads[0]))) ==
	    NULL)
		return rm_fail(why, RM_ENOMEM, "verify pool: out of memory");
	vp->f = f;
	pthread_mutex_init(&vp->mtx, NULL);
	pthread_cond_init(&vp->work_cv, NULL);
	pthread_cond_init(&vp->space_cv, NULL);
	/* Timed waits on ingest_cv (close) count on the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vp->ingest_cv, &ca);
	pthread_condattr_destroy(&ca);
	for (; vp->n_threads < n; vp->n_threads++)
		if (pthread_create(&vp->threads[vp->n_threads], NULL,
		    worker_main, vp) != 0) {
			fed_vpool_stop(vp);
			fed_vpool_free(vp);
			return rm_fail(why, RM_ENOMEM, "verify pool: cannot "
			    "start thread %u of %u", vp->n_threads + 1, n);
		}
	rm_log(RM_LOG_DEBUG, "fed", "verify pool: %u threads", n);
	*out = vp;
	return RM_OK;
}

int
fed_vpool_submit(struct fed_vpool *vp, struct fed_peer *p, uint32_t pipe,
    const uint8_t *const *rp, const size_t *rl, size_t n)
{
	struct vjob *j;
	size_t total = 0;

	if (n == 0)
		return RM_OK;
	for (size_t i = 0; i < n; i++)
		total += rl[i];
	if ((j = calloc(1, sizeof(*j) + n * sizeof(j->slot[0]))) == NULL ||
	    (j->bytes = malloc(total ? total : 1)) == NULL) {
		free(j);
		return RM_ENOMEM;
	}
	j->p = p;
	j->pipe = pipe;
	j->n = n;
	total = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(j->bytes + total, rp[i], rl[i]);
		j->slot[i].off = total;
		j->slot[i].len = rl[i];
		cose_record_hash(rp[i], rl[i], &j->slot[i].hash);
		total += rl[i];
	}
	pthread_mutex_lock(&vp->mtx);
	while (!vp->stopping && vp->queued > 0 &&
	    vp->queued + n > FED_VPOOL_RECORDS_MAX)
		pthread_cond_wait(&vp->space_cv, &vp->mtx);
	if (vp->stopping) {
		pthread_mutex_unlock(&vp->mtx);
		job_free(j);
		return RM_ECLOSED;
	}
	for (size_t i = 0; i < n; i++)
		seen_enter_locked(vp, &j->slot[i]);
	if (vp->tail != NULL)
		vp->tail->next = j;
	else
		vp->head = j;
	vp->tail = j;
	if (vp->claim == NULL)
		vp->claim = j;
	vp->queued += n;
	pthread_cond_broadcast(&vp->work_cv);
	pthread_mutex_unlock(&vp->mtx);
	return RM_OK;
}

void
fed_vpool_flush_refusals(struct fed_vpool *vp, struct fed_peer *p,
    uint32_t pipe)
{
	struct vrefusal *r, *next;
	rm_buf b = RM_BUF_INIT;

	pthread_mutex_lock(&vp->mtx);
	r = vp->ref_head[p->index];
	vp->ref_head[p->index] = vp->ref_tail[p->index] = NULL;
	pthread_mutex_unlock(&vp->mtx);
	for (; r != NULL; r = next) {
		next = r->next;
		if (r->pipe == pipe && pipe != 0) {
			rm_buf_reset(&b);
			if (fed_frame_refuse(&b, r->err, r->reason) == RM_OK)
				(void)fed_net_send(p, &b);
		}
		free(r);
	}
	rm_buf_fini(&b);
}

size_t
fed_vpool_refusals(struct fed_vpool *vp, const struct fed_peer *p)
{
	size_t n = 0;

	pthread_mutex_lock(&vp->mtx);
	for (const struct vrefusal *r = vp->ref_head[p->index]; r != NULL;
	    r = r->next)
		n++;
	pthread_mutex_unlock(&vp->mtx);
	return n;
}

void
fed_vpool_stop(struct fed_vpool *vp)
{
	struct vjob *j, *next;

	if (vp == NULL)
		return;
	pthread_mutex_lock(&vp->mtx);
	if (vp->stopping && vp->n_threads == 0) {
		pthread_mutex_unlock(&vp->mtx);
		return;
	}
	vp->stopping = true;
	pthread_cond_broadcast(&vp->work_cv);
	pthread_cond_broadcast(&vp->space_cv);
	pthread_cond_broadcast(&vp->ingest_cv);
	pthread_mutex_unlock(&vp->mtx);
	for (unsigned i = 0; i < vp->n_threads; i++)
		pthread_join(vp->threads[i], NULL);
	vp->n_threads = 0;
	for (j = vp->head; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	vp->head = vp->tail = vp->claim = NULL;
	vp->queued = 0;
}

unsigned
fed_vpool_wait_ingest(struct fed_vpool *vp, unsigned timeout_ms)
{
	/* rm_mono_now_ms is CLOCK_MONOTONIC, the clock of ingest_cv. */
	rm_mono_ms at = rm_mono_now_ms() + (rm_mono_ms)timeout_ms;
	struct timespec until = { (time_t)(at / 1000),
	    (long)(at % 1000) * 1000000L };
	unsigned left;

	pthread_mutex_lock(&vp->mtx);
	while (atomic_load(&vp->f->pending_ingest) > 0)
		if (pthread_cond_timedwait(&vp->ingest_cv, &vp->mtx,
		    &until) != 0)
			break;
	left = atomic_load(&vp->f->pending_ingest);
	pthread_mutex_unlock(&vp->mtx);
	return left;
}

void
fed_vpool_free(struct fed_vpool *vp)
{
	if (vp == NULL)
		return;
	fed_vpool_stop(vp);
	for (size_t i = 0; i < FED_PEERS_MAX; i++) {
		struct vrefusal *r, *next;

		for (r = vp->ref_head[i]; r != NULL; r = next) {
			next = r->next;
			free(r);
		}
	}
	pthread_cond_destroy(&vp->work_cv);
	pthread_cond_destroy(&vp->space_cv);
	pthread_cond_destroy(&vp->ingest_cv);
	pthread_mutex_destroy(&vp->mtx);
	free(vp);
}
