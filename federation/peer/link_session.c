/*
 * link_session.c -- the peer thread: connection events, session start,
 * failure and end, frame dispatch and the main loop (docs/PROTOCOL.md §3).
 * It drives the handshake (link_handshake.c) and the exchange
 * (link_sync.c); they return verdicts and never call back up here.
 *
 * Everything here runs on the peer's own thread and owns p->s; shared
 * fields of the peer are touched under p->mtx only.
 *
 * Sessions: one per connection (p->sess, keyed by the connection id), so
 * that a stranger handshaking on one connection never touches another,
 * and a frame is only ever answered on the connection it came from. At
 * most one session is up; a newer authenticated one replaces it.
 *
 * No ticks: the thread sleeps in fed_net_recv until a frame arrives, its
 * wake pipe is written (a record to send, a connection event, a roster
 * change, shutdown) or the next timer is due (handshake timeouts, REFUSE
 * linger, a dial attempt, periodic VECTOR).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"

#define FED_REFUSE_LINGER_MS   100    /* REFUSE, then close the pipe */

/* ---------------- state ---------------- */

static struct fed_session *
session_of(struct fed_peer *p, uint32_t conn)
{
	for (size_t i = 0; i < FED_CONNS_MAX; i++)
		if (conn != 0 && p->sess[i].pipe == conn)
			return &p->sess[i];
	return NULL;
}

static struct fed_session *
session_up_now(struct fed_peer *p)
{
	for (size_t i = 0; i < FED_CONNS_MAX; i++)
		if (p->sess[i].pipe != 0 && p->sess[i].up)
			return &p->sess[i];
	return NULL;
}

/*
 * The link's state from its sessions: UP while one is up (a refused
 * stranger on another connection does not change that), otherwise
 * REFUSED after a refusal (until a session comes up), HANDSHAKE while
 * one is in progress, DOWN. A refusal (code != 0; by_peer: the peer's
 * REFUSE) that leaves the link REFUSED is kept as its reason.
 */
static void
state_update(struct fed_peer *p, int code, bool by_peer,
    const char *reason)
{
	enum fed_peer_state st = FED_PEER_DOWN;
	bool hs = false;

	if (session_up_now(p) != NULL)
		return;                 /* stays UP; session_up set it */
	for (size_t i = 0; i < FED_CONNS_MAX; i++)
		hs |= p->sess[i].pipe != 0;
	pthread_mutex_lock(&p->mtx);
	if (code != 0) {
		p->refusal_code = code;
		p->refused_by_peer = by_peer;
		snprintf(p->refusal, sizeof(p->refusal), "%s", reason);
	}
	if (code != 0 || p->state == FED_PEER_REFUSED)
		st = FED_PEER_REFUSED;
	else if (hs)
		st = FED_PEER_HANDSHAKE;
	pthread_mutex_unlock(&p->mtx);
	fed_peer_set_state(p, st);           /* also drops the queue */
}

/* ---------------- session lifecycle ---------------- */

/* End the session p->s; the caller disposes of its connection. */
static void
session_end(struct fed_peer *p)
{
	struct fed_session *s = p->s;
	bool was_up = s->up;

	if (was_up)
		fed_rc_on_down(p);
	free(s->catchup);
	free(s->mark);
	memset(s, 0, sizeof(*s));
	if (was_up)
		rm_log(RM_LOG_NOTICE, "fed", "peer %s down (%s)", p->agency,
		    p->url);
}

/*
 * The connection of p->s broke the protocol or failed the handshake:
 * count it, log it on the security channel (one line per reason per
 * minute, the rest counted), tell the peer why in a session REFUSE, end
 * the session and close the connection after a short linger (so that the
 * REFUSE gets out).
 */
static void __attribute__((format(printf, 3, 4)))
session_fail(struct fed_peer *p, int code, const char *fmt, ...)
{
	char reason[RM_WHY_MAX];
	rm_buf b = RM_BUF_INIT;
	va_list ap;
	uint32_t conn = p->s->pipe, held;
	bool was_up = p->s->up;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!was_up)
		FED_COUNT(p->f, handshakes_failed, 1);
	if (fed_peer_rlog_allow(p, FED_RLOG_SESSION, code, &held))
		rm_log_sec("fed", "peer %s (%s): %s %s: %s (%u more held back)",
		    p->agency, p->url, was_up ? "connection closed" :
		    "handshake refused", rm_errname(code), reason, held);
	if (fed_frame_refuse_close(&b, code, reason) == RM_OK)
		(void)fed_net_send(p, &b);
	rm_buf_fini(&b);
	session_end(p);
	fed_net_drop(p, conn, FED_REFUSE_LINGER_MS);
	/* A stranger refused beside an up session leaves the link UP. */
	state_update(p, code, false, reason);
}

/*
 * The peer refused the session of p->s (a session REFUSE, or any REFUSE
 * before UP): it closes the connection, so do we, and the link is
 * REFUSED with the peer's reason -- never UP while the peer refuses it.
 * Nothing is sent back.
 */
static void
session_refused(struct fed_peer *p, const struct fed_frame *fr)
{
	char reason[RM_WHY_MAX];
	uint32_t conn = p->s->pipe, held;
	int code = (int)fr->u.refuse.code;

	snprintf(reason, sizeof(reason), "%.*s", (int)fr->u.refuse.reason_len,
	    fr->u.refuse.reason);
	if (!p->s->up)
		FED_COUNT(p->f, handshakes_failed, 1);
	/* A peer we authenticated says our key does not prove us: our
	 * agency's key was rotated, revoked or removed in its roster. */
	if (p->s->authed && (code == RM_EBADSIG || code == RM_EUNAUTH ||
	    code == RM_EUNKNOWNSIGNER)) {
		pthread_mutex_lock(&p->mtx);
		p->refuses_our_key = true;
		pthread_mutex_unlock(&p->mtx);
	}
	if (fed_peer_rlog_allow(p, FED_RLOG_PEER_SESSION, code, &held))
		rm_log_sec("fed", "peer %s (%s): %s by the peer: %s: %s (%u "
		    "more held back)", p->agency, p->url, p->s->up ?
		    "connection closed" : "handshake refused", rm_errname(code),
		    reason, held);
	session_end(p);
	fed_net_drop(p, conn, 0);
	state_update(p, code, true, reason);
}

static void
session_start(struct fed_peer *p, uint32_t conn)
{
	struct fed_session *s = NULL;
	rm_why why;
	int rv;

	for (size_t i = 0; i < FED_CONNS_MAX && s == NULL; i++)
		if (p->sess[i].pipe == 0)
			s = &p->sess[i];
	if (s == NULL) {            /* fed_net caps connections: not reached */
		fed_net_drop(p, conn, 0);
		return;
	}
	memset(s, 0, sizeof(*s));
	s->pipe = conn;
	s->started_ms = s->last_rx_ms = rm_mono_now_ms();
	p->s = s;
	if (session_up_now(p) == NULL) {
		pthread_mutex_lock(&p->mtx);
		if (p->state != FED_PEER_REFUSED)
			p->state = FED_PEER_HANDSHAKE;
		pthread_mutex_unlock(&p->mtx);
	}
	if ((rv = fed_hs_start(p, &why)) != RM_OK)
		session_fail(p, rv, "%s", why.msg);
}

/*
 * The peer's PROOF verified on p->s: it may send VECTOR and RECORDS now.
 * Our VECTOR tells the peer that we accepted its PROOF; the link is UP
 * only when the peer's VECTOR says the same (session_up).
 */
static void
session_authed(struct fed_peer *p)
{
	p->s->authed = true;
	fed_note_roster_seen(p, p->s->peer_roster_version);
	p->s->roster_gen = atomic_load(&p->f->roster_gen);
	if (fed_sync_send_vector(p) != RM_OK)
		session_fail(p, RM_ENET, "cannot send VECTOR");
}

/*
 * The peer's first VECTOR on the authenticated p->s: both sides accepted
 * each other, it is the link now. An older up session (a connection the
 * peer has given up on) is closed: only the holder of the peer's key gets
 * here, with a fresh nonce.
 */
static void
session_up(struct fed_peer *p)
{
	struct fed_session *cur = p->s, *old = session_up_now(p);

	if (old != NULL && old != cur) {
		uint32_t conn = old->pipe;

		p->s = old;
		session_end(p);
		fed_net_drop(p, conn, 0);
		p->s = cur;
	}
	cur->up = true;
	fed_net_up(p, cur->pipe);
	fed_peer_set_state(p, FED_PEER_UP);
	pthread_mutex_lock(&p->mtx);
	p->connects++;
	p->last_up_ms = rm_utc_now_ms();
	p->refusal_code = 0;
	p->refused_by_peer = false;
	p->refusal[0] = '\0';
	p->refuses_our_key = false;
	pthread_mutex_unlock(&p->mtx);
	FED_COUNT(p->f, handshakes_ok, 1);
	rm_log(RM_LOG_INFO, "fed", "peer %s up (%s)", p->agency, p->url);
	fed_rc_on_up(p);
}

/* Act on a handshake step's verdict. */
static void
session_verdict(struct fed_peer *p, int rv, bool authed, const rm_why *why)
{
	if (rv != RM_OK)
		session_fail(p, rv, "%s", why->msg);
	else if (authed)
		session_authed(p);
}

/* A REFUSE: of the session (the peer closes), or of one of our records
 * (after UP, without the session scope: logged, the session goes on). */
static void
on_refuse(struct fed_peer *p, const struct fed_frame *fr)
{
	uint32_t held;

	if (fr->u.refuse.close || !p->s->up) {
		session_refused(p, fr);
		return;
	}
	if (fed_peer_rlog_allow(p, FED_RLOG_PEER_RECORD,
	    (int)fr->u.refuse.code, &held))
		rm_log(RM_LOG_NOTICE, "fed", "peer %s refused: %s: %.*s (%u "
		    "more held back)", p->agency,
		    rm_errname((int)fr->u.refuse.code),
		    (int)fr->u.refuse.reason_len, fr->u.refuse.reason, held);
}

/* One frame of connection conn: only its own session sees it. */
static void
on_message(struct fed_peer *p, uint32_t conn, const uint8_t *buf,
    size_t len)
{
	struct fed_frame fr;
	rm_why why;
	bool up = false;
	int rv;

	if ((p->s = session_of(p, conn)) == NULL)
		return;                 /* ended meanwhile: drop the frame */
	FED_COUNT(p->f, frames_in, 1);
	p->s->last_rx_ms = rm_mono_now_ms();
	if ((rv = fed_frame_decode(buf, len, &fr, &why)) != RM_OK) {
		FED_COUNT(p->f, frames_malformed, 1);
		session_fail(p, rv, "malformed frame: %s", why.msg);
		return;
	}
	switch (fr.type) {
	case FED_HELLO:
		rv = fed_hs_on_hello(p, &fr, &why);
		session_verdict(p, rv, false, &why);
		break;
	case FED_PROOF:
		rv = fed_hs_on_proof(p, &fr, &up, &why);
		session_verdict(p, rv, up, &why);
		break;
	case FED_ROSTER:
		rv = fed_hs_on_roster(p, &fr, &up, &why);
		session_verdict(p, rv, up, &why);
		break;
	case FED_VECTOR:
		if (!p->s->authed) {
			session_fail(p, RM_EPROTO, "VECTOR before handshake");
			break;
		}
		if (!p->s->up)
			session_up(p);  /* the peer accepted our PROOF */
		fed_sync_on_vector(p, &fr);
		break;
	case FED_RECORDS:
		if (!p->s->authed && p->gateway) {
			/* the peer's agency record, before its PROOF */
			if ((rv = fed_gw_on_records_early(p, &fr, &why)) !=
			    RM_OK)
				session_fail(p, rv, "%s", why.msg);
		} else if (!p->s->authed)
			session_fail(p, RM_EPROTO, "RECORDS before handshake");
		else
			fed_sync_on_records(p, &fr);
		break;
	case FED_REFUSE:
		on_refuse(p, &fr);
		break;
	case FED_RECONCILE:
	case FED_WANT:
		if (!p->s->up) {
			if (fr.type == FED_WANT)
				FED_COUNT(p->f, want_refused, 1);
			else
				FED_COUNT(p->f, reconcile_refused, 1);
			session_fail(p, RM_EPROTO, "%s before UP",
			    fr.type == FED_WANT ? "WANT" : "RECONCILE");
		} else if (fr.type == FED_WANT)
			fed_rc_on_want(p, &fr);
		else
			fed_rc_on_reconcile(p, &fr);
		break;
	}
	fed_frame_fini(&fr);
}

/* Connections that came (a session each) and went (its session ends). */
static void
take_events(struct fed_peer *p)
{
	uint32_t conn;
	bool add;

	while (fed_net_event(p, &conn, &add)) {
		if (add) {
			session_start(p, conn);
			continue;
		}
		if ((p->s = session_of(p, conn)) != NULL) {
			session_end(p);
			state_update(p, 0, false, NULL);
		}
		fed_net_drop(p, conn, 0);
	}
}

/*
 * A live peer sends its VECTOR every sync interval, so an up session
 * that has received nothing for three intervals plus a handshake timeout
 * (95 s by default; peers with other intervals are tolerated up to
 * three times ours) is dead, whatever the socket says: a TLS connection
 * whose far end vanished (a node killed with -9, a partition) may never
 * report its close. The session is then failed and the connection
 * closed, so that the dialer reconnects and the vectors repair what was
 * missed.
 */
static rm_mono_ms
silence_due_ms(const struct fed_session *s, const fed *f)
{
	return s->last_rx_ms + 3 * (rm_mono_ms)f->sync_interval_ms +
	    (rm_mono_ms)f->handshake_timeout_ms;
}

static rm_mono_ms
hs_due_ms(const struct fed_session *s, const fed *f)
{
	return s->started_ms + (rm_mono_ms)f->handshake_timeout_ms + 1;
}

/* Timers of every session: handshake bound, silence of the up one. */
static void
sessions_timers(struct fed_peer *p, rm_mono_ms now)
{
	fed *f = p->f;

	for (size_t i = 0; i < FED_CONNS_MAX; i++) {
		p->s = &p->sess[i];
		if (p->s->pipe == 0)
			continue;
		if (!p->s->up && now >= hs_due_ms(p->s, f))
			session_fail(p, RM_ETIMEDOUT, "handshake not complete "
			    "after %u ms%s", f->handshake_timeout_ms,
			    p->s->authed ? " (the peer never confirmed our "
			    "PROOF)" : "");
		else if (p->s->up && now >= silence_due_ms(p->s, f))
			session_fail(p, RM_ETIMEDOUT, "nothing received for "
			    "%lld ms: the connection is dead",
			    (long long)(now - p->s->last_rx_ms));
	}
}

/*
 * After a roster change (a peer thread is woken by it), every
 * authenticated session checks its peer's PROOF against the new roster:
 * a peer whose key was rotated or revoked, or that was removed, is
 * refused with a session REFUSE, so that both sides report the link
 * refused instead of one of them still calling it UP.
 */
static void
sessions_recheck(struct fed_peer *p)
{
	rm_why why;
	int rv;

	for (size_t i = 0; i < FED_CONNS_MAX; i++) {
		p->s = &p->sess[i];
		if (p->s->pipe != 0 && p->s->authed &&
		    (rv = fed_hs_recheck(p, &why)) != RM_OK)
			session_fail(p, rv, "after a roster change: %s",
			    why.msg);
	}
}

/* How long the thread may sleep: until the earliest timer (net_due is
 * fed_net_tick's), at most FED_IDLE_MAX_MS; 0 if work is pending. */
static unsigned
wait_ms(struct fed_peer *p, bool busy, rm_mono_ms now, rm_mono_ms net_due)
{
	rm_mono_ms due = now + FED_IDLE_MAX_MS;
	struct fed_session *up = session_up_now(p);

	if (busy)
		return 0;
	if (net_due < due)
		due = net_due;
	for (size_t i = 0; i < FED_CONNS_MAX; i++)
		if (p->sess[i].pipe != 0 && !p->sess[i].up &&
		    hs_due_ms(&p->sess[i], p->f) < due)
			due = hs_due_ms(&p->sess[i], p->f);
	if (up != NULL) {
		p->s = up;
		if (fed_sync_due_ms(p) < due)
			due = fed_sync_due_ms(p);
		if (silence_due_ms(up, p->f) < due)
			due = silence_due_ms(up, p->f);
		if (fed_rc_due_ms(p) < due)
			due = fed_rc_due_ms(p);
	}
	return due > now ? (unsigned)(due - now) : 0;
}

void *
fed_peer_main(void *arg)
{
	struct fed_peer *p = arg;
	fed *f = p->f;
	bool busy = false;

	p->s = &p->sess[0];
	while (!atomic_load(&f->stopping)) {
		uint8_t *buf;
		size_t len;
		uint32_t conn;
		rm_mono_ms now, net_due;
		struct fed_session *up;

		/* Before looking for work, so that no wake is lost. */
		fed_peer_wake_drain(p);
		now = rm_mono_now_ms();
		net_due = fed_net_tick(p, now);
		take_events(p);
		sessions_recheck(p);
		sessions_timers(p, now);
		busy = false;
		if ((up = session_up_now(p)) != NULL) {
			p->s = up;
			fed_hs_offer_roster(p);
			if (p->s->pipe != 0)
				fed_gw_offer_foreign(p);
			if (p->s->pipe != 0)
				busy = fed_sync_pump(p);
			if (p->s->pipe != 0 && fed_rc_pump(p))
				busy = true;
		}
		if (fed_net_recv(p, wait_ms(p, busy, rm_mono_now_ms(), net_due),
		    &buf, &len, &conn) == RM_OK) {
			on_message(p, conn, buf, len);
			free(buf);
		}
	}
	/* Stopping: end every session and close every connection now. */
	for (size_t i = 0; i < FED_CONNS_MAX; i++) {
		p->s = &p->sess[i];
		if (p->s->pipe != 0)
			session_end(p);
	}
	fed_peer_set_state(p, FED_PEER_DOWN);
	fed_net_close(p);
	return NULL;
}
