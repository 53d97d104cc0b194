/*
 * link_session.c -- the peer thread: connection events, session start,
 * failure and end, frame dispatch and the main loop (docs/PROTOCOL.md §3).
 * It drives the handshake (link_handshake.c) and the exchange
 * (link_sync.c); they return verdicts and never call back up here.
 *
 * Everything here runs on the peer's own thread and owns p->s; shared
 * fields of the peer are touched under p->mtx only.
 *
 * No ticks: the thread sleeps in fed_net_recv until a frame arrives, its
 * wake pipe is written (a record to send, a connection event, a roster
 * change, shutdown) or the next timer is due (handshake timeout, REFUSE
 * linger, periodic VECTOR).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"

#define FED_REFUSAL_LOG_MS     60000  /* repeat an identical refusal log */
#define FED_REFUSE_LINGER_MS   100    /* REFUSE, then close the pipe */

static void session_end(struct fed_peer *p);

/* ---------------- failures ---------------- */

static void
dead_add(struct fed_peer *p, uint32_t pipe)
{
	p->dead[p->dead_next] = pipe;
	p->dead_next = (p->dead_next + 1) % (sizeof(p->dead) / sizeof(p->dead[0]));
}

static bool
dead_has(const struct fed_peer *p, uint32_t pipe)
{
	for (size_t i = 0; i < sizeof(p->dead) / sizeof(p->dead[0]); i++)
		if (p->dead[i] == pipe)
			return true;
	return false;
}

/*
 * The connection broke the protocol or failed the handshake: count it,
 * log it on the security channel (identical reasons at most once a
 * minute), tell the peer why, close the pipe and mark the peer REFUSED.
 */
static void __attribute__((format(printf, 3, 4)))
session_fail(struct fed_peer *p, int code, const char *fmt, ...)
{
	char reason[RM_WHY_MAX];
	rm_buf b = RM_BUF_INIT;
	rm_mono_ms now = rm_mono_now_ms();
	va_list ap;
	uint32_t pipe = p->s.pipe;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!p->s.up)
		FED_COUNT(p->f, handshakes_failed, 1);
	if (strcmp(reason, p->last_refusal) != 0 ||
	    now - p->last_refusal_ms >= FED_REFUSAL_LOG_MS) {
		rm_log_sec("fed", "peer %s (%s): %s %s: %s", p->agency, p->url,
		    p->s.up ? "connection closed" : "handshake refused",
		    rm_errname(code), reason);
		snprintf(p->last_refusal, sizeof(p->last_refusal), "%s",
		    reason);
		p->last_refusal_ms = now;
	}
	if (fed_frame_refuse(&b, code, reason) == RM_OK)
		(void)fed_net_send(p, &b);
	rm_buf_fini(&b);
	session_end(p);
	fed_peer_set_state(p, FED_PEER_REFUSED);
	if (pipe != 0) {
		/* Close after a short linger so that the REFUSE gets out. */
		dead_add(p, pipe);
		if (p->linger_pipe != 0)
			fed_net_drop(p, p->linger_pipe);
		p->linger_pipe = pipe;
		p->linger_until_ms = now + FED_REFUSE_LINGER_MS;
	}
}

/* ---------------- session lifecycle ---------------- */

static void
session_end(struct fed_peer *p)
{
	struct fed_session *s = &p->s;
	bool was_up = s->up;
	enum fed_peer_state st;

	if (s->pipe == 0)
		return;
	free(s->catchup);
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&p->mtx);
	st = p->state == FED_PEER_REFUSED ? FED_PEER_REFUSED : FED_PEER_DOWN;
	pthread_mutex_unlock(&p->mtx);
	fed_peer_set_state(p, st);          /* also drops the queue */
	if (was_up)
		rm_log(RM_LOG_NOTICE, "fed", "peer %s down (%s)", p->agency,
		    p->url);
}

static void
session_start(struct fed_peer *p, uint32_t pipe)
{
	struct fed_session *s = &p->s;
	rm_why why;
	int rv;

	session_end(p);
	s->pipe = pipe;
	s->started_ms = s->last_rx_ms = rm_mono_now_ms();
	fed_peer_set_state(p, FED_PEER_HANDSHAKE);
	if ((rv = fed_hs_start(p, &why)) != RM_OK)
		session_fail(p, rv, "%s", why.msg);
}

/* The peer's PROOF verified: state UP, send our VECTOR. */
static void
session_up(struct fed_peer *p)
{
	p->s.up = true;
	pthread_mutex_lock(&p->mtx);
	p->state = FED_PEER_UP;
	p->connects++;
	p->last_up_ms = rm_utc_now_ms();
	pthread_mutex_unlock(&p->mtx);
	FED_COUNT(p->f, handshakes_ok, 1);
	p->last_refusal[0] = '\0';
	rm_log(RM_LOG_INFO, "fed", "peer %s up (%s)", p->agency, p->url);
	if (fed_sync_send_vector(p) != RM_OK)
		session_fail(p, RM_ENET, "cannot send VECTOR");
}

/* Act on a handshake step's verdict. */
static void
session_verdict(struct fed_peer *p, int rv, bool up, const rm_why *why)
{
	if (rv != RM_OK)
		session_fail(p, rv, "%s", why->msg);
	else if (up)
		session_up(p);
}

static void
on_message(struct fed_peer *p, uint32_t pipe, const uint8_t *buf, size_t len)
{
	struct fed_frame fr;
	rm_why why;
	bool up = false;
	int rv;

	if (dead_has(p, pipe))
		return;
	FED_COUNT(p->f, frames_in, 1);
	rv = fed_frame_decode(buf, len, &fr, &why);
	if (pipe != p->s.pipe) {
		/* First frame of a connection we have not been told about. */
		if (rv != RM_OK || fr.type != FED_HELLO) {
			if (rv == RM_OK)
				fed_frame_fini(&fr);
			return;
		}
		session_start(p, pipe);
		if (p->s.pipe != pipe) {
			fed_frame_fini(&fr);
			return;
		}
	}
	p->s.last_rx_ms = rm_mono_now_ms();
	if (rv != RM_OK) {
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
		if (!p->s.up)
			session_fail(p, RM_EPROTO, "VECTOR before handshake");
		else
			fed_sync_on_vector(p, &fr);
		break;
	case FED_RECORDS:
		if (!p->s.up)
			session_fail(p, RM_EPROTO, "RECORDS before handshake");
		else
			fed_sync_on_records(p, &fr);
		break;
	case FED_REFUSE:
		rm_log(RM_LOG_NOTICE, "fed", "peer %s refused: %s: %.*s",
		    p->agency, rm_errname((int)fr.u.refuse.code),
		    (int)fr.u.refuse.reason_len, fr.u.refuse.reason);
		if (!p->s.up)
			session_fail(p, RM_EPROTO, "peer refused the handshake");
		break;
	}
	fed_frame_fini(&fr);
}

static void
take_events(struct fed_peer *p)
{
	struct { uint32_t pipe; bool add; } ev[16];
	size_t n;

	pthread_mutex_lock(&p->mtx);
	n = p->n_ev;
	memcpy(ev, p->ev, n * sizeof(ev[0]));
	p->n_ev = 0;
	pthread_mutex_unlock(&p->mtx);
	for (size_t i = 0; i < n; i++) {
		if (ev[i].add) {
			if (ev[i].pipe != p->s.pipe && !dead_has(p, ev[i].pipe))
				session_start(p, ev[i].pipe);
		} else {
			dead_add(p, ev[i].pipe);
			if (ev[i].pipe == p->s.pipe)
				session_end(p);
		}
	}
}

/*
 * A live peer sends its VECTOR every sync interval, so an up session
 * that has received nothing for three intervals plus a handshake timeout
 * (95 s by default; peers with other intervals are tolerated up to
 * three times ours) is dead, whatever nng says: a TLS connection whose far end vanished
 * (a node killed with -9, a partition) may never report its close. The
 * session is then failed and the pipe closed, so that the dialer
 * reconnects and the vectors repair what was missed.
 */
static rm_mono_ms
silence_due_ms(const struct fed_peer *p)
{
	return p->s.last_rx_ms + 3 * (rm_mono_ms)p->f->sync_interval_ms +
	    (rm_mono_ms)p->f->handshake_timeout_ms;
}

/* How long the thread may sleep: until the earliest timer, at most
 * FED_IDLE_MAX_MS; 0 if work is pending. */
static unsigned
wait_ms(const struct fed_peer *p, bool busy, rm_mono_ms now)
{
	rm_mono_ms due = now + FED_IDLE_MAX_MS;

	if (busy)
		return 0;
	if (p->s.pipe != 0 && !p->s.up) {
		rm_mono_ms hs = p->s.started_ms + p->f->handshake_timeout_ms + 1;

		if (hs < due)
			due = hs;
	}
	if (p->linger_pipe != 0 && p->linger_until_ms < due)
		due = p->linger_until_ms;
	if (p->s.up && fed_sync_due_ms(p) < due)
		due = fed_sync_due_ms(p);
	if (p->s.up && silence_due_ms(p) < due)
		due = silence_due_ms(p);
	return due > now ? (unsigned)(due - now) : 0;
}

void *
fed_peer_main(void *arg)
{
	struct fed_peer *p = arg;
	fed *f = p->f;
	bool busy = false;

	for (;;) {
		uint8_t *buf;
		size_t len;
		uint32_t pipe;
		rm_mono_ms now;
		int rv;

		if (atomic_load(&f->stopping)) {
			/* Drain until fed_close closes the socket. */
			session_end(p);
			p->linger_pipe = 0;
			fed_peer_wake_drain(p);
			rv = fed_net_recv(p, 10, &buf, &len, &pipe);
			if (rv == RM_OK)
				free(buf);
			else if (rv == RM_ECLOSED)
				break;
			continue;
		}
		/* Before looking for work, so that no wake is lost. */
		fed_peer_wake_drain(p);
		take_events(p);
		now = rm_mono_now_ms();
		if (p->linger_pipe != 0 && now >= p->linger_until_ms) {
			fed_net_drop(p, p->linger_pipe);
			p->linger_pipe = 0;
		}
		if (p->s.pipe != 0 && !p->s.up && now - p->s.started_ms >
		    (rm_mono_ms)f->handshake_timeout_ms)
			session_fail(p, RM_ETIMEDOUT, "handshake not complete "
			    "after %u ms", f->handshake_timeout_ms);
		if (p->s.up && p->s.pipe != 0 && now >= silence_due_ms(p))
			session_fail(p, RM_ETIMEDOUT, "nothing received for "
			    "%lld ms: the connection is dead",
			    (long long)(now - p->s.last_rx_ms));
		if (p->s.up && p->s.pipe != 0) {
			fed_hs_offer_roster(p);
			busy = fed_sync_pump(p);
		} else {
			busy = false;
		}
		rv = fed_net_recv(p, wait_ms(p, busy, rm_mono_now_ms()), &buf,
		    &len, &pipe);
		if (rv == RM_OK) {
			on_message(p, pipe, buf, len);
			free(buf);
		} else if (rv == RM_ECLOSED) {
			break;
		}
	}
	session_end(p);
	return NULL;
}
