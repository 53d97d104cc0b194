/*
 * link_reconcile.c -- range-based set reconciliation over a link
 * (docs/PROTOCOL.md §7a): one rbsr_session at a time per link, started
 * by the dialing side (after UP and on the timer) or on demand
 * (fed_reconcile); RECONCILE frames carry its messages, WANT frames the
 * keys we lack, answered with RECORDS from the host's rbsr_get. Runs on
 * the peer thread below the session, like link_sync.c; the host's rbsr
 * ops each open their own read transaction, so nothing is held across a
 * round trip.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"

static bool
host_can(const fed *f)
{
	return f->ops->rbsr_sum != NULL && f->ops->rbsr_keys != NULL &&
	    f->ops->rbsr_nth != NULL && f->ops->rbsr_get != NULL;
}

/* ---------------- the set, as the engine reads it ---------------- */

static int
src_sum(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    struct rbsr_sum *out)
{
	struct fed_peer *p = src;

	return p->f->ops->rbsr_sum(p->f->host, p->agency, lo, hi, out);
}

static int
src_keys(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    size_t max, struct rbsr_key *out, size_t *n)
{
	struct fed_peer *p = src;

	return p->f->ops->rbsr_keys(p->f->host, p->agency, lo, hi, max, out, n);
}

static int
src_nth(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    uint64_t idx, struct rbsr_key *out)
{
	struct fed_peer *p = src;

	return p->f->ops->rbsr_nth(p->f->host, p->agency, lo, hi, idx, out);
}

static const struct rbsr_source_ops src_ops = { src_sum, src_keys, src_nth };

/* Room for one more of n items of size bytes in *arr (doubling). */
static int
grow(void *arr, size_t *cap, size_t n, size_t size)
{
	void **a = arr;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *na;

	if (n < *cap)
		return RM_OK;
	if ((na = realloc(*a, ncap * size)) == NULL)
		return RM_ENOMEM;
	*a = na;
	*cap = ncap;
	return RM_OK;
}

/* The engine's findings: queued, sent by fed_rc_pump and flush_wants. */
static int
on_send(void *ctx, const struct rbsr_key *k)
{
	struct fed_rc *rc = &((struct fed_peer *)ctx)->rc;

	if (grow(&rc->send, &rc->cap_send, rc->n_send, sizeof(*k)) != RM_OK)
		return RM_ENOMEM;
	rc->send[rc->n_send++] = *k;
	return RM_OK;
}

static int
on_want(void *ctx, uint64_t issued_ms, const uint8_t *prefix, size_t len)
{
	struct fed_rc *rc = &((struct fed_peer *)ctx)->rc;
	struct fed_rc_want *w;

	if (len == 0 || len > RM_HASH_BYTES)
		return RM_EINVAL;
	if (grow(&rc->want, &rc->cap_want, rc->n_want, sizeof(*w)) != RM_OK)
		return RM_ENOMEM;
	w = &rc->want[rc->n_want++];
	w->issued_ms = issued_ms;
	memcpy(w->prefix, prefix, len);
	w->len = len;
	return RM_OK;
}

static const struct rbsr_emit_ops emit_ops = { on_send, on_want };

/* ---------------- records for the peer ---------------- */

/* Send the k records held in b (record j at off[j]..off[j + 1]). */
static int
send_batch(struct fed_peer *p, const rm_buf *b, size_t *off, size_t k)
{
	const uint8_t *rp[FED_BATCH_MAX];
	size_t rl[FED_BATCH_MAX];

	off[k] = b->len;
	for (size_t j = 0; j < k; j++) {
		rp[j] = b->data + off[j];
		rl[j] = off[j + 1] - off[j];
	}
	return fed_sync_send_records(p, rp, rl, k);
}

/* The records of n keys (issued, prefix), fetched one by one from the
 * host and sent in RECORDS frames of about FED_FRAME_SOFT_MAX bytes.
 * A key the host does not hold (any more) is skipped; on a host error
 * the records fetched so far are still sent, then the error returned. */
static int
send_keys(struct fed_peer *p, const struct fed_want *w, size_t n)
{
	rm_buf b = RM_BUF_INIT;
	size_t off[FED_BATCH_MAX + 1], k = 0;
	int rv = RM_OK, err = RM_OK;

	for (size_t i = 0; i < n && err == RM_OK && rv == RM_OK; i++) {
		off[k] = b.len;
		err = p->f->ops->rbsr_get(p->f->host, p->agency,
		    w[i].issued_ms, w[i].prefix, w[i].prefix_len, &b);
		if (err == RM_ENOTFOUND) {
			err = RM_OK;
			continue;
		}
		if (err != RM_OK) {
			b.len = off[k];         /* nothing of a failed get */
			break;
		}
		if (++k == FED_BATCH_MAX || b.len >= FED_FRAME_SOFT_MAX) {
			rv = send_batch(p, &b, off, k);
			rm_buf_reset(&b);
			k = 0;
		}
	}
	if (k > 0 && rv == RM_OK)
		rv = send_batch(p, &b, off, k);
	rm_buf_fini(&b);
	return rv != RM_OK ? rv : err;
}

static int
key_order(const void *a, const void *b)
{
	return rbsr_key_cmp(a, b);
}

/* The records still queued for the peer, sorted and each once: however
 * many sessions or messages the peer sends that name our whole set
 * ("I hold none"), the queue never holds more keys than our set. */
static void
compact_sends(struct fed_rc *rc)
{
	size_t n = rc->n_send - rc->send_next, k = 0;
	struct rbsr_key *q = rc->send + rc->send_next;

	if (n < 2)
		return;
	qsort(q, n, sizeof(*q), key_order);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || rbsr_key_cmp(&rc->send[k - 1], &q[i]) != 0)
			rc->send[k++] = q[i];
	rc->send_next = 0;
	rc->n_send = k;
}

static int
want_order(const void *a, const void *b)
{
	const struct fed_want *x = a, *y = b;
	size_t n = x->prefix_len < y->prefix_len ? x->prefix_len :
	    y->prefix_len;
	int c;

	if (x->issued_ms != y->issued_ms)
		return x->issued_ms < y->issued_ms ? -1 : 1;
	if ((c = memcmp(x->prefix, y->prefix, n)) != 0)
		return c;
	return x->prefix_len < y->prefix_len ? -1 :
	    x->prefix_len > y->prefix_len;
}

/* The keys of a WANT, sorted, each record asked for once: a key equal
 * to, or a longer prefix of, the one kept before it is dropped (one
 * WANT of 1,024 copies of one key made us send that record 1,024 times).
 * Returns the number kept in out. */
static size_t
want_unique(const struct fed_want *w, size_t n, struct fed_want *out)
{
	size_t k = 0;

	memcpy(out, w, n * sizeof(*w));
	qsort(out, n, sizeof(*out), want_order);
	for (size_t i = 0; i < n; i++) {
		const struct fed_want *prev = k > 0 ? &out[k - 1] : NULL;

		if (prev != NULL && prev->issued_ms == out[i].issued_ms &&
		    memcmp(prev->prefix, out[i].prefix, prev->prefix_len) == 0)
			continue;       /* sorted: prev is no longer */
		out[k++] = out[i];
	}
	return k;
}

/* Send up to FED_RC_SEND_PER_PUMP of the queued records the peer lacks. */
static int
pump_sends(struct fed_peer *p)
{
	struct fed_rc *rc = &p->rc;
	struct fed_want w[FED_RC_SEND_PER_PUMP];
	size_t n = 0;
	int rv;

	while (n < FED_RC_SEND_PER_PUMP && rc->send_next < rc->n_send) {
		const struct rbsr_key *k = &rc->send[rc->send_next++];

		w[n].issued_ms = k->issued_ms;
		w[n].prefix = k->hash;
		w[n].prefix_len = RM_HASH_BYTES;
		n++;
	}
	rv = n > 0 ? send_keys(p, w, n) : RM_OK;
	if (rc->send_next == rc->n_send || rv != RM_OK) {
		rc->n_send = rc->send_next = 0;
		if (rc->cap_send > 4096) {      /* give a big queue back */
			free(rc->send);
			rc->send = NULL;
			rc->cap_send = 0;
		}
	}
	return rv;
}

/* WANT frames for the keys the engine found we lack. */
static int
flush_wants(struct fed_peer *p)
{
	struct fed_rc *rc = &p->rc;
	struct fed_want w[FED_WANT_MAX];
	rm_buf b = RM_BUF_INIT;
	int rv = RM_OK;

	for (size_t i = 0; i < rc->n_want && rv == RM_OK;) {
		size_t k = 0;

		for (; k < FED_WANT_MAX && i < rc->n_want; k++, i++) {
			w[k].issued_ms = rc->want[i].issued_ms;
			w[k].prefix = rc->want[i].prefix;
			w[k].prefix_len = rc->want[i].len;
		}
		rm_buf_reset(&b);
		if ((rv = fed_frame_want(&b, w, k)) == RM_OK)
			rv = fed_net_send(p, &b);
	}
	rc->n_want = 0;
	rm_buf_fini(&b);
	return rv;
}

/* ---------------- sessions ---------------- */

static void
status_from_session(struct fed_peer *p)
{
	struct rbsr_stats st;

	rbsr_session_stats(p->rc.rs, &st);
	pthread_mutex_lock(&p->mtx);
	p->rcs.rounds = st.rounds;
	p->rcs.bytes = st.bytes_in + st.bytes_out;
	p->rcs.sent = st.sent;
	p->rcs.wanted = st.wanted;
	pthread_mutex_unlock(&p->mtx);
}

/* End the running session: err RM_OK (done) or why it stopped. */
static void
rc_end(struct fed_peer *p, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
rc_end(struct fed_peer *p, int err, const char *fmt, ...)
{
	struct fed_rc *rc = &p->rc;
	char why[RM_WHY_MAX] = "";
	uint32_t held;
	va_list ap;

	if (rc->rs == NULL)
		return;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	status_from_session(p);
	rbsr_session_free(rc->rs);
	rc->rs = NULL;
	pthread_mutex_lock(&p->mtx);
	p->rcs.running = false;
	p->rcs.finished_ms = rm_utc_now_ms();
	p->rcs.error = err;
	snprintf(p->rcs.why, sizeof(p->rcs.why), "%s", why);
	pthread_mutex_unlock(&p->mtx);
	if (err == RM_OK)
		rm_log(RM_LOG_INFO, "fed", "peer %s: reconciled (session %llu:"
		    " %u messages, %llu bytes, %llu records sent, %llu wanted)",
		    p->agency, (unsigned long long)rc->id, p->rcs.rounds,
		    (unsigned long long)p->rcs.bytes,
		    (unsigned long long)p->rcs.sent,
		    (unsigned long long)p->rcs.wanted);
	else if (fed_peer_rlog_allow(p, FED_RLOG_RECONCILE, err, &held))
		rm_log(RM_LOG_NOTICE, "fed", "peer %s: reconciliation %llu "
		    "stopped: %s: %s (%u more held back)", p->agency,
		    (unsigned long long)rc->id, rm_errname(err), why, held);
}

static void
send_abort(struct fed_peer *p, uint64_t id)
{
	rm_buf b = RM_BUF_INIT;

	if (fed_frame_reconcile(&b, id, NULL, 0) == RM_OK)
		(void)fed_net_send(p, &b);
	rm_buf_fini(&b);
}

static int
rc_begin(struct fed_peer *p, uint64_t id, bool initiator, rm_why *why)
{
	struct fed_rc *rc = &p->rc;
	int rv;

	if ((rv = rbsr_session_new(&src_ops, p, &emit_ops, p, &rc->rs)) !=
	    RM_OK)
		return rm_fail(why, rv, "rbsr session: %s", rm_strerror(rv));
	rc->id = id;
	rc->initiator = initiator;
	rc->pipe = p->s->pipe;
	rc->last_ms = rm_mono_now_ms();
	pthread_mutex_lock(&p->mtx);
	p->rcs.running = true;
	p->rcs.sessions++;
	p->rcs.rounds = 0;
	p->rcs.bytes = p->rcs.sent = p->rcs.wanted = 0;
	p->rcs.started_ms = rm_utc_now_ms();
	p->rcs.finished_ms = 0;
	p->rcs.error = 0;
	p->rcs.why[0] = '\0';
	pthread_mutex_unlock(&p->mtx);
	return RM_OK;
}

/* Send one message of the running session (and the WANTs it found). */
static void
rc_send(struct fed_peer *p, const rm_buf *msg, bool done)
{
	rm_buf b = RM_BUF_INIT;
	int rv = RM_OK;

	p->rc.last_ms = rm_mono_now_ms();
	if (msg->len > 0 && (rv = fed_frame_reconcile(&b, p->rc.id, msg->data,
	    msg->len)) == RM_OK)
		rv = fed_net_send(p, &b);
	if (rv == RM_OK)
		rv = flush_wants(p);
	rm_buf_fini(&b);
	status_from_session(p);
	if (rv != RM_OK)
		rc_end(p, rv, "sending: %s", rm_strerror(rv));
	else if (done)
		rc_end(p, RM_OK, NULL);
}

/* Start a session as the initiator. */
static void
rc_start(struct fed_peer *p)
{
	rm_buf msg = RM_BUF_INIT;
	uint64_t id;
	rm_why why;
	int rv;

	/* The dialer's ids are odd, the listener's even: two sessions that
	 * cross never share an id (both sides counting from 1, a RECONCILE
	 * of the peer's session was taken for an answer in ours, and the
	 * crossing rule below, which compares ids, never ran). */
	id = 2 * ++p->rc.next_id - (p->listen ? 0 : 1);
	if ((rv = rc_begin(p, id, true, &why)) != RM_OK) {
		pthread_mutex_lock(&p->mtx);
		p->rcs.error = rv;
		snprintf(p->rcs.why, sizeof(p->rcs.why), "%s", why.msg);
		pthread_mutex_unlock(&p->mtx);
		return;
	}
	if ((rv = rbsr_session_start(p->rc.rs, &msg, &why)) != RM_OK)
		rc_end(p, rv, "%s", why.msg);
	else {
		compact_sends(&p->rc);
		rc_send(p, &msg, false);
	}
	rm_buf_fini(&msg);
}

void
fed_rc_on_up(struct fed_peer *p)
{
	if (!p->listen && p->f->reconcile_interval_ms > 0 && host_can(p->f))
		p->rc.due_ms = rm_mono_now_ms() + FED_RC_UP_DELAY_MS;
}

void
fed_rc_on_down(struct fed_peer *p)
{
	struct fed_rc *rc = &p->rc;

	if (rc->rs != NULL && rc->pipe == p->s->pipe)
		rc_end(p, RM_ENET, "the connection closed");
	/* only one session is up: what was queued for it goes with it */
	rc->n_send = rc->send_next = rc->n_want = 0;
	rc->due_ms = 0;
	pthread_mutex_lock(&p->mtx);
	if (p->rcs.requested) {
		/* whoever waits for it (riskmesh sync) learns it never ran */
		p->rcs.requested = false;
		p->rcs.error = RM_ENET;
		snprintf(p->rcs.why, sizeof(p->rcs.why), "the link went down "
		    "before the requested session started");
	}
	pthread_mutex_unlock(&p->mtx);
}

static bool
refusal_code(int rv)
{
	return rv == RM_EMALFORMED || rv == RM_ENONCANON ||
	    rv == RM_ETOOBIG || rv == RM_EBADVALUE || rv == RM_EUNKNOWN;
}

/* May the peer start another session now? Takes one from its budget. */
static bool
peer_session_allowed(struct fed_rc *rc)
{
	rm_mono_ms now = rm_mono_now_ms();

	if (rc->peer_refill_ms == 0) {
		rc->peer_tokens = FED_RC_PEER_BURST;
		rc->peer_refill_ms = now;
	}
	while (rc->peer_tokens < FED_RC_PEER_BURST &&
	    now - rc->peer_refill_ms >= FED_RC_PEER_REFILL_MS) {
		rc->peer_tokens++;
		rc->peer_refill_ms += FED_RC_PEER_REFILL_MS;
	}
	if (rc->peer_tokens == FED_RC_PEER_BURST)
		rc->peer_refill_ms = now;
	if (rc->peer_tokens == 0)
		return false;
	rc->peer_tokens--;
	return true;
}

void
fed_rc_on_reconcile(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_rc *rc = &p->rc;
	uint64_t id = fr->u.reconcile.session;
	rm_buf out = RM_BUF_INIT;
	bool done = false;
	uint32_t held;
	rm_why why;
	int rv;

	if (!host_can(p->f)) {
		FED_COUNT(p->f, reconcile_refused, 1);
		if (fr->u.reconcile.n > 0)
			send_abort(p, id);      /* we never reconcile */
		return;
	}
	if (fr->u.reconcile.n == 0) {           /* the peer aborts */
		if (rc->rs != NULL && rc->id == id)
			rc_end(p, RM_ECLOSED, "aborted by the peer");
		return;
	}
	if (rc->rs != NULL && rc->id != id) {
		/* Two sessions crossed: the dialer's goes on. */
		if (rc->initiator && !p->listen) {
			send_abort(p, id);
			return;
		}
		rc_end(p, RM_EBUSY, "gave way to the peer's session %llu",
		    (unsigned long long)id);
	}
	if (rc->rs == NULL && !peer_session_allowed(rc)) {
		FED_COUNT(p->f, reconcile_refused, 1);
		if (fed_peer_rlog_allow(p, FED_RLOG_RECONCILE, RM_EBUSY, &held))
			rm_log_sec("fed", "peer %s: RECONCILE %llu refused: "
			    "more than %d sessions started, one more every "
			    "%d ms (%u more held back)", p->agency,
			    (unsigned long long)id, FED_RC_PEER_BURST,
			    FED_RC_PEER_REFILL_MS, held);
		send_abort(p, id);
		return;
	}
	if (rc->rs == NULL && (rv = rc_begin(p, id, false, &why)) != RM_OK) {
		send_abort(p, id);
		return;
	}
	if ((rv = rbsr_session_reply(rc->rs, fr->u.reconcile.msg,
	    fr->u.reconcile.n, &out, &done, &why)) != RM_OK) {
		if (refusal_code(rv)) {
			FED_COUNT(p->f, reconcile_refused, 1);
			if (fed_peer_rlog_allow(p, FED_RLOG_RECONCILE, rv,
			    &held))
				rm_log_sec("fed", "peer %s: RECONCILE %llu "
				    "refused: %s: %s (%u more held back)",
				    p->agency, (unsigned long long)id,
				    rm_errname(rv), why.msg, held);
		}
		send_abort(p, id);
		rc->n_want = 0;
		rc_end(p, rv, "%s", why.msg);
	} else {
		compact_sends(rc);
		rc_send(p, &out, done);
	}
	rm_buf_fini(&out);
}

void
fed_rc_on_want(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_want w[FED_WANT_MAX];
	size_t n;
	int rv;

	if (!host_can(p->f)) {
		FED_COUNT(p->f, want_refused, 1);
		return;
	}
	n = want_unique(fr->u.want.w, fr->u.want.n, w);
	if ((rv = send_keys(p, w, n)) != RM_OK &&
	    rv != RM_ETIMEDOUT && rv != RM_ENET)
		rm_log(RM_LOG_WARN, "fed", "peer %s: answering a WANT: %s",
		    p->agency, rm_strerror(rv));
}

bool
fed_rc_pump(struct fed_peer *p)
{
	struct fed_rc *rc = &p->rc;
	rm_mono_ms now = rm_mono_now_ms();
	bool requested;

	if (rc->rs != NULL && now - rc->last_ms >= FED_RC_TIMEOUT_MS) {
		send_abort(p, rc->id);
		rc_end(p, RM_ETIMEDOUT, "no answer for %d ms",
		    FED_RC_TIMEOUT_MS);
	}
	pthread_mutex_lock(&p->mtx);
	requested = p->rcs.requested;
	if (requested && rc->rs == NULL)
		p->rcs.requested = false;
	pthread_mutex_unlock(&p->mtx);
	if (rc->rs == NULL && host_can(p->f) && (requested ||
	    (rc->due_ms != 0 && now >= rc->due_ms))) {
		rc->due_ms = p->f->reconcile_interval_ms > 0 && !p->listen ?
		    now + p->f->reconcile_interval_ms : 0;
		rc_start(p);
	}
	if (rc->send_next < rc->n_send && pump_sends(p) != RM_OK)
		rc->n_send = rc->send_next = 0;
	return rc->send_next < rc->n_send;
}

rm_mono_ms
fed_rc_due_ms(const struct fed_peer *p)
{
	const struct fed_rc *rc = &p->rc;
	rm_mono_ms due = INT64_MAX;

	if (rc->rs != NULL)
		due = rc->last_ms + FED_RC_TIMEOUT_MS;
	else if (rc->due_ms != 0)
		due = rc->due_ms;
	return due;
}

void
fed_rc_fini(struct fed_peer *p)
{
	struct fed_rc *rc = &p->rc;

	rbsr_session_free(rc->rs);
	free(rc->send);
	free(rc->want);
	memset(rc, 0, sizeof(*rc));
}

int
fed_reconcile(fed *f, const char *peer, rm_why *why)
{
	struct fed_peer *p = NULL;
	int rv = RM_OK;

	for (size_t i = 0; i < f->n_peers && p == NULL; i++)
		if (strcmp(f->peers[i]->agency, peer) == 0)
			p = f->peers[i];
	if (p == NULL)
		return rm_fail(why, RM_ENOTFOUND, "no link to peer %s", peer);
	if (!host_can(f))
		return rm_fail(why, RM_EUNSUPPORTED, "this node does not "
		    "reconcile (no rbsr operations)");
	pthread_mutex_lock(&p->mtx);
	if (p->state != FED_PEER_UP)
		rv = rm_fail(why, RM_EBUSY, "peer %s is %s, not up", peer,
		    fed_peer_state_name(p->state));
	else if (p->rcs.running || p->rcs.requested)
		rv = rm_fail(why, RM_EBUSY, "a reconciliation with %s is "
		    "already running", peer);
	else
		p->rcs.requested = true;
	pthread_mutex_unlock(&p->mtx);
	if (rv == RM_OK)
		fed_peer_wake(p);
	return rv;
}
