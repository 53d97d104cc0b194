/*
 * link_state.c -- the engine state every layer of the peer engine shares:
 * counters, the refused-hash ring, the current roster, each peer's
 * outbound queue, refusal log limiter and wake pipe. Calls nothing above it.
 *
 * Locks: fed.roster_mtx (roster pointer), fed.stats_mtx (counters,
 * refused ring), fed_peer.mtx (state, per-peer counters, queue, pipe
 * events). Lock order: peer.mtx before stats_mtx; roster_mtx is never
 * held while taking another lock.
 *
 * Waking: a peer thread waits in poll(2) on two descriptors, nng's
 * receive-readiness fd and the read end of its own non-blocking pipe.
 * Whoever gives it work -- fed_broadcast (a newly stored record), nng's
 * pipe callback (a connection came or went), a roster change, fed_close
 * -- writes one byte to the pipe, so the thread runs at once instead of
 * at the next poll tick. A pipe rather than nng aio callbacks: the thread
 * keeps owning its session with no locking, and a pipe (unlike eventfd)
 * is POSIX. wake_pending keeps it to one byte in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "federation/peer/peer_int.h"

void
fed_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

void
fed_count(fed *f, size_t field_offset, uint64_t n)
{
	pthread_mutex_lock(&f->stats_mtx);
	*(uint64_t *)(void *)((char *)&f->c + field_offset) += n;
	pthread_mutex_unlock(&f->stats_mtx);
}

bool
fed_refused_seen(fed *f, const rm_hash *h)
{
	bool seen = false;

	pthread_mutex_lock(&f->stats_mtx);
	for (size_t i = 0; i < f->n_refused && !seen; i++)
		seen = memcmp(f->refused[i].b, h->b, RM_HASH_BYTES) == 0;
	if (!seen) {
		f->refused[f->refused_next] = *h;
		f->refused_next = (f->refused_next + 1) % FED_REFUSED_RING;
		if (f->n_refused < FED_REFUSED_RING)
			f->n_refused++;
	}
	pthread_mutex_unlock(&f->stats_mtx);
	return seen;
}

int
fed_verify(fed *f, const uint8_t *p, size_t n, struct fed_record *out,
    rm_why *why)
{
	return fed_verify_trusted(f, p, n, out, NULL, NULL, NULL, why);
}

void
fed_note_roster_seen(struct fed_peer *p, uint64_t version)
{
	atomic_store(&p->roster_announced, version);
}

uint64_t
fed_roster_seen(fed *f)
{
	uint64_t seen = 0;

	for (size_t i = 0; i < f->n_peers; i++) {
		/* a gateway peer announces its own federation's version */
		uint64_t v = f->peers[i]->gateway ? 0 :
		    atomic_load(&f->peers[i]->roster_announced);

		if (v > seen)
			seen = v;
	}
	return seen;
}

/* ---------------- refusal log limiter ---------------- */

bool
fed_rlog_allow(struct fed_rlog *l, enum fed_rlog_kind kind, int code,
    rm_mono_ms now, uint32_t *held)
{
	size_t k = (size_t)kind < FED_RLOG_KINDS ? (size_t)kind : 0;
	size_t c = code > 0 && code < RM_ERR_COUNT ? (size_t)code : 0;

	if (l->logged[k][c] && now - l->last_ms[k][c] < FED_RLOG_MS) {
		if (l->held[k][c] < UINT32_MAX)
			l->held[k][c]++;
		l->held_total++;
		return false;
	}
	if (held != NULL)
		*held = l->held[k][c];
	l->logged[k][c] = true;
	l->last_ms[k][c] = now;
	l->held[k][c] = 0;
	return true;
}

bool
fed_peer_rlog_allow(struct fed_peer *p, enum fed_rlog_kind kind, int code,
    uint32_t *held)
{
	bool ok;

	pthread_mutex_lock(&p->mtx);
	ok = fed_rlog_allow(&p->rlog, kind, code, rm_mono_now_ms(), held);
	pthread_mutex_unlock(&p->mtx);
	return ok;
}

struct roster *
fed_roster(fed *f)
{
	struct roster *r;

	pthread_mutex_lock(&f->roster_mtx);
	r = roster_ref(f->roster);
	pthread_mutex_unlock(&f->roster_mtx);
	return r;
}

/* A newer charter from a peer: rebased on the agency-record entries of
 * the roster in use (roster_rebase), installed, links woken. */
bool
fed_roster_replace(fed *f, struct roster *nr, struct roster **old)
{
	struct roster *prev = NULL, *merged = NULL;
	rm_why why;

	pthread_mutex_lock(&f->roster_mtx);
	if (roster_version(nr) > roster_version(f->roster) &&
	    strcmp(roster_federation(nr), roster_federation(f->roster)) == 0) {
		if (roster_rebase(nr, f->roster, &merged, &why) != RM_OK)
			rm_log(RM_LOG_ERR, "fed", "roster version %llu: %s",
			    (unsigned long long)roster_version(nr), why.msg);
		else {
			prev = f->roster;
			f->roster = merged;
			atomic_fetch_add(&f->roster_gen, 1);
		}
	}
	pthread_mutex_unlock(&f->roster_mtx);
	if (prev == NULL)
		return false;
	for (size_t i = 0; i < f->n_peers; i++)
		fed_peer_wake(f->peers[i]);
	*old = prev;
	return true;
}

int
fed_roster_update(fed *f, struct roster *nr)
{
	struct roster *prev = NULL;

	pthread_mutex_lock(&f->roster_mtx);
	if (roster_version(nr) == roster_version(f->roster) &&
	    strcmp(roster_federation(nr), roster_federation(f->roster)) == 0) {
		prev = f->roster;
		f->roster = roster_ref(nr);
		atomic_fetch_add(&f->roster_gen, 1);
	}
	pthread_mutex_unlock(&f->roster_mtx);
	if (prev == NULL)
		return RM_EINVAL;
	roster_free(prev);
	for (size_t i = 0; i < f->n_peers; i++)
		fed_peer_wake(f->peers[i]);
	return RM_OK;
}

/* ---------------- wake pipe ---------------- */

int
fed_peer_wake_open(struct fed_peer *p, rm_why *why)
{
	int fds[2];

	if (pipe(fds) != 0)
		return rm_fail(why, RM_EIO, "peer %s: wake pipe: %s", p->agency,
		    strerror(errno));
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(fds[i], F_GETFL);

		(void)fcntl(fds[i], F_SETFL, fl | O_NONBLOCK);
		(void)fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	p->wake_rd = fds[0];
	p->wake_wr = fds[1];
	return RM_OK;
}

void
fed_peer_wake_close(struct fed_peer *p)
{
	if (p->wake_wr >= 0)
		(void)close(p->wake_wr);
	if (p->wake_rd >= 0)
		(void)close(p->wake_rd);
	p->wake_rd = p->wake_wr = -1;
}

void
fed_peer_wake(struct fed_peer *p)
{
	static const uint8_t one = 1;

	if (p->wake_wr < 0 || atomic_exchange(&p->wake_pending, true))
		return;
	/* EAGAIN: the pipe is full, so the thread is woken anyway. */
	while (write(p->wake_wr, &one, 1) < 0 && errno == EINTR)
		;
}

void
fed_peer_wake_drain(struct fed_peer *p)
{
	uint8_t buf[64];

	if (p->wake_rd < 0)
		return;
	/* Clear the flag first: a wake after this point writes a new byte. */
	atomic_store(&p->wake_pending, false);
	while (read(p->wake_rd, buf, sizeof(buf)) > 0)
		;
}

/* ---------------- state and outbound queue ---------------- */

void
fed_peer_queue_free(struct fed_qrec *q)
{
	struct fed_qrec *next;

	for (; q != NULL; q = next) {
		next = q->next;
		free(q);
	}
}

void
fed_peer_queue_clear_locked(struct fed_peer *p)
{
	fed_peer_queue_free(p->q_head);
	p->q_head = p->q_tail = NULL;
	p->q_len = 0;
}

void
fed_peer_set_state(struct fed_peer *p, enum fed_peer_state st)
{
	pthread_mutex_lock(&p->mtx);
	p->state = st;
	if (st != FED_PEER_UP) {
		fed_peer_queue_clear_locked(p);
		p->q_overflow = false;
	}
	pthread_mutex_unlock(&p->mtx);
}

void
fed_peer_queue_push(struct fed_peer *p, const uint8_t *b, size_t n)
{
	struct fed_qrec *q;

	pthread_mutex_lock(&p->mtx);
	if (p->state != FED_PEER_UP) {
		pthread_mutex_unlock(&p->mtx);
		return;
	}
	if (p->q_len >= FED_QUEUE_MAX) {
		/* Drop it all; the next VECTOR exchange repairs. */
		fed_peer_queue_clear_locked(p);
		p->q_overflow = true;
	}
	if ((q = malloc(sizeof(*q) + n)) == NULL) {
		p->q_overflow = true;
	} else {
		q->next = NULL;
		q->len = n;
		memcpy(q->bytes, b, n);
		if (p->q_tail != NULL)
			p->q_tail->next = q;
		else
			p->q_head = q;
		p->q_tail = q;
		p->q_len++;
	}
	pthread_mutex_unlock(&p->mtx);
	fed_peer_wake(p);
}

size_t
fed_peer_queue_take(struct fed_peer *p, size_t max, size_t max_bytes,
    struct fed_qrec **out)
{
	struct fed_qrec *head, *q, *last = NULL;
	size_t n = 0, bytes = 0;

	pthread_mutex_lock(&p->mtx);
	head = p->q_head;
	for (q = head; q != NULL && n < max &&
	    (n == 0 || bytes + q->len <= max_bytes); q = q->next) {
		bytes += q->len;
		last = q;
		n++;
	}
	if (n > 0) {
		p->q_head = last->next;
		if (p->q_head == NULL)
			p->q_tail = NULL;
		last->next = NULL;
		p->q_len -= n;
	}
	pthread_mutex_unlock(&p->mtx);
	*out = n > 0 ? head : NULL;
	return n;
}

void
fed_peer_queue_drop(struct fed_peer *p)
{
	pthread_mutex_lock(&p->mtx);
	fed_peer_queue_clear_locked(p);
	p->q_overflow = true;
	pthread_mutex_unlock(&p->mtx);
}

bool
fed_peer_queue_overflowed(struct fed_peer *p)
{
	bool o;

	pthread_mutex_lock(&p->mtx);
	o = p->q_overflow;
	p->q_overflow = false;
	pthread_mutex_unlock(&p->mtx);
	return o;
}

bool
fed_peer_queue_pending(struct fed_peer *p)
{
	bool more;

	pthread_mutex_lock(&p->mtx);
	more = p->q_head != NULL;
	pthread_mutex_unlock(&p->mtx);
	return more;
}
