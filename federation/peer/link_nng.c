/*
 * link_nng.c -- the one file that talks to nng: the connections of one
 * peer link as nng byte streams (tcp:// or tls+tcp:// with mutual TLS
 * against the federation CA), framed as SP pair1 on the wire.
 *
 * Why streams and not an nng pair1 socket: a pair1 socket has one peer
 * slot, queues frames of every pipe in one receive queue and sends to
 * whichever pipe holds the slot, and nng 1.5.2 redials only once a lost
 * pipe has been reaped. One silent but authenticated TLS connection then
 * holds the slot, a frame queued for an old pipe goes out on a new one,
 * and a stalled reaper stops the dialer for good. Here every connection
 * is ours: its own receive buffer, frames tagged with its own id, sends
 * that go to that connection or nowhere, several connections accepted at
 * once (at most FED_CONNS_MAX, the oldest unauthenticated one evicted),
 * SP negotiation bounded by the handshake timeout, and the dialer is one
 * nng_stream_dialer_dial per attempt, retried on our own clock.
 *
 * Wire format (nng's SP over TCP and TLS, so that nng pair1 peers such as
 * the probe interoperate): both ends send the 8-byte header 00 'S' 'P' 00
 * 00 11 00 00 (pair1), then each message is a 64-bit big-endian length
 * and the pair1 body: a 32-bit hop count (1) and the frame.
 *
 * Threads: nng's callbacks (accept, dial, receive, send) update the
 * connection under net.mtx and wake the peer thread; everything else runs
 * on the peer thread, which alone frees connections (after nng_aio_stop,
 * with no lock held). nng errors become rm_err here.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

#include "federation/peer/peer_int.h"

#define SP_HDR_BYTES   8
#define SP_LEN_BYTES   8
#define PAIR1_HDR      4
static const uint8_t sp_hdr[SP_HDR_BYTES] = { 0, 'S', 'P', 0, 0, 0x11, 0, 0 };

enum rx_phase { RX_NEGO, RX_LEN, RX_BODY, RX_PARKED };

struct fed_conn {
	struct fed_conn *next;
	struct fed_net *n;
	uint32_t id;
	nng_stream *st;
	nng_aio *rx_aio, *tx_aio;
	rm_mono_ms born_ms;
	/* Guarded by net.mtx. */
	enum rx_phase phase;
	uint8_t hdr[SP_LEN_BYTES];
	uint8_t *body;
	size_t want, have;
	uint8_t *frame;                /* a complete frame, not yet taken */
	size_t frame_len;
	bool ready;                    /* SP header exchanged */
	bool announced;                /* ADD reported to the session */
	bool dead;                     /* closed or broken */
	bool rem_told;                 /* REM reported to the session */
	bool disowned;                 /* the session let go of it */
	bool up;                       /* authenticated: never evicted */
	rm_mono_ms close_at_ms;        /* disowned: free at (0 = now) */
	bool tx_busy;
	int tx_rv;
	size_t tx_count;
};

struct fed_net {
	struct fed_peer *p;
	pthread_mutex_t mtx;
	pthread_cond_t cv;             /* a send completed */
	nng_tls_config *tls;
	nng_stream_listener *listener;
	nng_stream_dialer *dialer;
	nng_aio *acc_aio;              /* the accept in flight */
	bool acc_pausing;              /* acc_aio sleeps after a failed
	                                  accept (accept_cb only) */
	nng_aio *dial_aio;             /* the dial attempt in flight */
	bool dialing, dial_done, closing;
	rm_mono_ms dial_started_ms, next_dial_ms;
	uint32_t backoff_ms;
	uint32_t next_id;
	uint32_t rng;
	struct fed_conn *conns;        /* newest first */
	size_t n_conns;
};

static uint32_t
conn_cap(const struct fed_peer *p)
{
	return p->listen ? FED_CONNS_MAX : 1;
}

/* ---------------- callbacks (nng threads) ---------------- */

static void
rx_arm(struct fed_conn *c)
{
	nng_iov iov;

	iov.iov_buf = c->phase == RX_BODY ? c->body + c->have :
	    c->hdr + c->have;
	iov.iov_len = c->want - c->have;
	(void)nng_aio_set_iov(c->rx_aio, 1, &iov);
	nng_stream_recv(c->st, c->rx_aio);
}

static void
conn_dead_locked(struct fed_conn *c)
{
	if (!c->dead) {
		c->dead = true;
		nng_stream_close(c->st);
	}
}

/* One receive completed: advance the SP state machine. */
static void
rx_cb(void *arg)
{
	struct fed_conn *c = arg;
	struct fed_net *n = c->n;
	struct fed_peer *p = n->p;
	int rv = nng_aio_result(c->rx_aio);
	bool arm = false, wake = false;
	uint64_t len;

	pthread_mutex_lock(&n->mtx);
	if (rv != 0 || nng_aio_count(c->rx_aio) == 0 || c->dead) {
		conn_dead_locked(c);
		wake = true;
		goto out;
	}
	c->have += nng_aio_count(c->rx_aio);
	if (c->have < c->want) {
		arm = true;
		goto out;
	}
	switch (c->phase) {
	case RX_NEGO:
		if (memcmp(c->hdr, sp_hdr, SP_HDR_BYTES) != 0) {
			FED_COUNT(p->f, frames_malformed, 1);
			conn_dead_locked(c);
		} else {
			c->ready = true;
			c->phase = RX_LEN;
			c->want = SP_LEN_BYTES;
			c->have = 0;
			arm = true;
		}
		wake = true;
		break;
	case RX_LEN:
		len = 0;
		for (int i = 0; i < SP_LEN_BYTES; i++)
			len = len << 8 | c->hdr[i];
		if (len < PAIR1_HDR || len > PAIR1_HDR + (uint64_t)FED_FRAME_MAX ||
		    (c->body = malloc((size_t)len)) == NULL) {
			FED_COUNT(p->f, frames_malformed, 1);
			conn_dead_locked(c);
			wake = true;
			break;
		}
		c->phase = RX_BODY;
		c->want = (size_t)len;
		c->have = 0;
		arm = true;
		break;
	case RX_BODY:
		/* pair1: the hop count, at most 0xff (nng drops beyond 8). */
		if (c->body[0] != 0 || c->body[1] != 0 || c->body[2] != 0 ||
		    c->body[3] == 0 || c->body[3] > 8) {
			FED_COUNT(p->f, frames_malformed, 1);
			free(c->body);
			c->body = NULL;
			conn_dead_locked(c);
		} else {
			memmove(c->body, c->body + PAIR1_HDR,
			    c->want - PAIR1_HDR);
			c->frame = c->body;
			c->frame_len = c->want - PAIR1_HDR;
			c->body = NULL;
			c->phase = RX_PARKED;   /* re-armed when taken */
		}
		wake = true;
		break;
	case RX_PARKED:
		break;
	}
out:
	pthread_mutex_unlock(&n->mtx);
	/* c lives until the peer thread's nng_aio_stop returns. */
	if (arm)
		rx_arm(c);
	if (wake)
		fed_peer_wake(p);
}

/* A send completed. A failed one ends the connection at once: nng 1.5.2's
 * TLS layer, on a transport error (a reset), fails the operations queued
 * at that moment but does not mark itself closed, and a receive queued
 * after it is never completed (tls_common.c: tls_tcp_error; the TCP aio
 * it would start is stopped, so nni_aio_begin refuses it without a
 * callback). A dialed connection reset right after the TCP connect so
 * fails our SP header send while its header receive, armed a moment
 * later, would wait for the handshake timeout: closing the stream here
 * fails that receive too, the connection is reaped and the dialer backs
 * off as after any failed attempt. */
static void
tx_cb(void *arg)
{
	struct fed_conn *c = arg;
	struct fed_net *n = c->n;
	bool failed;

	pthread_mutex_lock(&n->mtx);
	c->tx_rv = nng_aio_result(c->tx_aio);
	c->tx_count = nng_aio_count(c->tx_aio);
	c->tx_busy = false;
	failed = c->tx_rv != 0;
	if (failed)
		conn_dead_locked(c);
	pthread_cond_broadcast(&n->cv);
	pthread_mutex_unlock(&n->mtx);
	if (failed)
		fed_peer_wake(n->p);
}

/* A new stream (accepted or dialed): send our SP header, read theirs. */
static void
conn_new(struct fed_net *n, nng_stream *st)
{
	struct fed_conn *c;
	nng_iov iov;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    nng_aio_alloc(&c->rx_aio, rx_cb, c) != 0 ||
	    nng_aio_alloc(&c->tx_aio, tx_cb, c) != 0) {
		if (c != NULL)
			nng_aio_free(c->rx_aio);
		free(c);
		nng_stream_free(st);
		return;
	}
	c->n = n;
	c->st = st;
	c->born_ms = rm_mono_now_ms();
	c->phase = RX_NEGO;
	c->want = SP_HDR_BYTES;
	pthread_mutex_lock(&n->mtx);
	if (n->closing) {
		pthread_mutex_unlock(&n->mtx);
		nng_aio_free(c->rx_aio);
		nng_aio_free(c->tx_aio);
		free(c);
		nng_stream_free(st);
		return;
	}
	c->id = ++n->next_id ? n->next_id : ++n->next_id;
	c->next = n->conns;
	n->conns = c;
	n->n_conns++;
	c->tx_busy = true;
	/* Under the lock: nng completes these on its task threads, never
	 * inside the call, and fed_net_close cannot free c meanwhile. */
	iov.iov_buf = (void *)(uintptr_t)sp_hdr;
	iov.iov_len = SP_HDR_BYTES;
	(void)nng_aio_set_iov(c->tx_aio, 1, &iov);
	nng_stream_send(st, c->tx_aio);
	rx_arm(c);
	pthread_mutex_unlock(&n->mtx);
	fed_peer_wake(n->p);
}

/* After a failed accept (a reset, or no file descriptors left), wait
 * this long before the next one, so that a lasting failure cannot spin. */
#define FED_ACCEPT_PAUSE_MS 20

static void
accept_cb(void *arg)
{
	struct fed_net *n = arg;
	int rv = nng_aio_result(n->acc_aio);
	bool closing, paused = n->acc_pausing;

	n->acc_pausing = false;
	if (rv == 0 && !paused)
		conn_new(n, nng_aio_get_output(n->acc_aio, 0));
	pthread_mutex_lock(&n->mtx);
	closing = n->closing;
	pthread_mutex_unlock(&n->mtx);
	if (closing || rv == NNG_ECLOSED || rv == NNG_ECANCELED)
		return;
	/* Per-connection errors do not stop us, but pause a moment. */
	if (rv != 0 && !paused) {
		n->acc_pausing = true;
		nng_sleep_aio(FED_ACCEPT_PAUSE_MS, n->acc_aio);
		return;
	}
	nng_stream_listener_accept(n->listener, n->acc_aio);
}

static void
dial_cb(void *arg)
{
	struct fed_net *n = arg;

	if (nng_aio_result(n->dial_aio) == 0)
		conn_new(n, nng_aio_get_output(n->dial_aio, 0));
	pthread_mutex_lock(&n->mtx);
	n->dial_done = true;
	pthread_mutex_unlock(&n->mtx);
	fed_peer_wake(n->p);
}

/* ---------------- set-up and teardown ---------------- */

/* Read a PEM file as a NUL-terminated string. */
static int
read_pem(const char *path, rm_buf *b, rm_why *why)
{
	int rv;

	if ((rv = rm_file_read(path, 64 * 1024, b, why)) != RM_OK)
		return rv;
	if ((rv = rm_buf_cstr(b)) != RM_OK)
		return rm_fail(why, rv, "%s: %s", path, rm_strerror(rv));
	return RM_OK;
}

static int
tls_setup(struct fed_peer *p, struct fed_net *n, rm_why *why)
{
	fed *f = p->f;
	rm_buf cert = RM_BUF_INIT, key = RM_BUF_INIT;
	const char *step;
	int nrv = 0, rv;

	if ((rv = read_pem(f->tls_cert_file, &cert, why)) != RM_OK ||
	    (rv = read_pem(f->tls_key_file, &key, why)) != RM_OK)
		goto fail;
	rv = RM_ECONFIG;
	step = "alloc";
	if ((nrv = nng_tls_config_alloc(&n->tls, p->listen ?
	    NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT)) != 0)
		goto nng_fail;
	step = "auth mode";
	if ((nrv = nng_tls_config_auth_mode(n->tls,
	    NNG_TLS_AUTH_MODE_REQUIRED)) != 0)
		goto nng_fail;
	/* a gateway link trusts the other federation's root (§12.3) */
	step = p->gateway ? f->foreign[p->fi].ca_file : f->ca_file;
	if ((nrv = nng_tls_config_ca_file(n->tls, step)) != 0)
		goto nng_fail;
	step = f->tls_cert_file;
	if ((nrv = nng_tls_config_own_cert(n->tls, (const char *)cert.data,
	    (const char *)key.data, NULL)) != 0)
		goto nng_fail;
	step = "server name";
	if (!p->listen &&
	    (nrv = nng_tls_config_server_name(n->tls, p->agency)) != 0)
		goto nng_fail;
	rv = RM_OK;
	goto fail;
nng_fail:
	rm_fail(why, rv, "peer %s: TLS %s: %s", p->agency, step,
	    nng_strerror(nrv));
fail:
	if (key.data != NULL)
		memset(key.data, 0, key.cap);   /* private key PEM */
	rm_buf_fini(&key);
	rm_buf_fini(&cert);
	return rv;
}

int
fed_net_open(struct fed_peer *p, rm_why *why)
{
	fed *f = p->f;
	struct fed_net *n;
	bool tls = strncmp(p->url, "tls+", 4) == 0;
	pthread_condattr_t ca;
	const char *step;
	int nrv, rv;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return rm_fail(why, RM_ENOMEM, "peer %s: out of memory",
		    p->agency);
	n->p = p;
	pthread_mutex_init(&n->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&n->cv, &ca);
	pthread_condattr_destroy(&ca);
	n->backoff_ms = f->reconnect_min_ms;
	n->rng = (uint32_t)rm_mono_now_ms() ^ (uint32_t)(uintptr_t)p;
	p->net = n;
	if (tls && (rv = tls_setup(p, n, why)) != RM_OK)
		return rv;
	if (p->listen) {
		step = "listen";
		if ((nrv = nng_stream_listener_alloc(&n->listener,
		    p->url)) != 0 ||
		    (tls && (nrv = nng_stream_listener_set_ptr(n->listener,
		    NNG_OPT_TLS_CONFIG, n->tls)) != 0))
			goto fail;
		(void)nng_stream_listener_set_bool(n->listener,
		    NNG_OPT_TCP_KEEPALIVE, true);
		if ((nrv = nng_stream_listener_listen(n->listener)) != 0 ||
		    (nrv = nng_aio_alloc(&n->acc_aio, accept_cb, n)) != 0)
			goto fail;
		nng_stream_listener_accept(n->listener, n->acc_aio);
	} else {
		step = "dial";
		if ((nrv = nng_stream_dialer_alloc(&n->dialer, p->url)) != 0 ||
		    (tls && (nrv = nng_stream_dialer_set_ptr(n->dialer,
		    NNG_OPT_TLS_CONFIG, n->tls)) != 0) ||
		    (nrv = nng_aio_alloc(&n->dial_aio, dial_cb, n)) != 0)
			goto fail;
		(void)nng_stream_dialer_set_bool(n->dialer,
		    NNG_OPT_TCP_KEEPALIVE, true);
		n->next_dial_ms = rm_mono_now_ms();   /* the thread dials */
	}
	rm_log(RM_LOG_INFO, "fed", "peer %s: %s %s", p->agency,
	    p->listen ? "listening on" : "dialing", p->url);
	return RM_OK;
fail:
	return rm_fail(why, nrv == NNG_EADDRINUSE || nrv == NNG_EADDRINVAL ||
	    nrv == NNG_ENOTSUP || nrv == NNG_EINVAL ? RM_ECONFIG : RM_ENET,
	    "peer %s: %s %s: %s", p->agency, step, p->url, nng_strerror(nrv));
}

/* The next dial attempt after the back-off, jittered in [b/2, b]; b
 * doubles up to reconnect_max_ms and is reset by fed_net_up. */
static void
dial_backoff(struct fed_net *n, rm_mono_ms now)
{
	uint32_t b = n->backoff_ms;

	n->rng = n->rng * 1103515245u + 12345u;
	n->next_dial_ms = now + b / 2 + (n->rng >> 8) % (b / 2 + 1);
	n->backoff_ms = b * 2 > n->p->f->reconnect_max_ms ?
	    n->p->f->reconnect_max_ms : b * 2;
}

/* Free one connection; peer thread, no lock held, c unlinked. */
static void
conn_free(struct fed_conn *c)
{
	nng_stream_close(c->st);
	nng_aio_stop(c->rx_aio);
	nng_aio_stop(c->tx_aio);
	nng_aio_free(c->rx_aio);
	nng_aio_free(c->tx_aio);
	nng_stream_free(c->st);
	free(c->body);
	free(c->frame);
	free(c);
}

/* Unlink and free the connections that are done with (all of them when
 * all): dropped and due, broken before anyone knew them, or without an
 * SP header after the handshake timeout. Peer thread. */
static void
conns_reap(struct fed_net *n, bool all, rm_mono_ms now)
{
	struct fed_conn **pp, *c, *gone = NULL;

	pthread_mutex_lock(&n->mtx);
	for (pp = &n->conns; (c = *pp) != NULL;) {
		bool drop = all ||
		    (c->disowned && (c->dead || now >= c->close_at_ms)) ||
		    (!c->announced && c->dead) ||
		    (!c->ready && now - c->born_ms >
		    (rm_mono_ms)n->p->f->handshake_timeout_ms);

		if (!drop) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		n->n_conns--;
		c->next = gone;
		gone = c;
	}
	pthread_mutex_unlock(&n->mtx);
	for (; gone != NULL; gone = c) {
		c = gone->next;
		if (!n->listener && !n->closing) {
			/* A dialed connection ended. */
			dial_backoff(n, now);
		}
		conn_free(gone);
	}
}

void
fed_net_shutdown(struct fed_peer *p)
{
	struct fed_net *n = p->net;

	if (n == NULL)
		return;
	pthread_mutex_lock(&n->mtx);
	n->closing = true;
	/* a send waiting for its connection gives up now (fed_net_send) */
	pthread_cond_broadcast(&n->cv);
	pthread_mutex_unlock(&n->mtx);
	if (n->listener != NULL)
		nng_stream_listener_close(n->listener);
	if (n->dialer != NULL)
		nng_stream_dialer_close(n->dialer);
	if (n->dial_aio != NULL)
		nng_aio_cancel(n->dial_aio);
}

void
fed_net_close(struct fed_peer *p)
{
	struct fed_net *n = p->net;

	if (n == NULL)
		return;
	fed_net_shutdown(p);
	conns_reap(n, true, rm_mono_now_ms());
}

void
fed_net_free(struct fed_peer *p)
{
	struct fed_net *n = p->net;

	if (n == NULL)
		return;
	fed_net_close(p);
	nng_aio_free(n->acc_aio);
	nng_aio_free(n->dial_aio);
	conns_reap(n, true, rm_mono_now_ms());   /* accepted meanwhile */
	nng_stream_listener_free(n->listener);
	nng_stream_dialer_free(n->dialer);
	if (n->tls != NULL)
		nng_tls_config_free(n->tls);
	pthread_cond_destroy(&n->cv);
	pthread_mutex_destroy(&n->mtx);
	free(n);
	p->net = NULL;
}

/* ---------------- the peer thread's side ---------------- */

static struct fed_conn *
conn_find_locked(struct fed_net *n, uint32_t id)
{
	struct fed_conn *c;

	for (c = n->conns; c != NULL && c->id != id; c = c->next)
		;
	return c;
}

rm_mono_ms
fed_net_tick(struct fed_peer *p, rm_mono_ms now)
{
	struct fed_net *n = p->net;
	rm_mono_ms due = now + FED_IDLE_MAX_MS, hs = p->f->handshake_timeout_ms;
	bool dial = false, done;
	struct fed_conn *c, *victim = NULL;

	conns_reap(n, false, now);
	pthread_mutex_lock(&n->mtx);
	/* Over the cap: evict the oldest connection nobody vouches for. */
	if (n->n_conns > conn_cap(p))
		for (c = n->conns; c != NULL; c = c->next)
			if (!c->up && !c->dead && !c->disowned)
				victim = c;
	if (victim != NULL)
		conn_dead_locked(victim);
	for (c = n->conns; c != NULL; c = c->next) {
		rm_mono_ms t = c->disowned ? c->close_at_ms :
		    !c->ready ? c->born_ms + hs + 1 : due;

		if (t < due)
			due = t;
	}
	done = n->dial_done;
	if (done) {
		n->dial_done = false;
		n->dialing = false;
	}
	if (n->dialer != NULL && !n->closing && !n->dialing &&
	    n->n_conns == 0 && now >= n->next_dial_ms) {
		dial = true;
		n->dialing = true;
		n->dial_started_ms = now;
	}
	pthread_mutex_unlock(&n->mtx);
	if (done && n->n_conns == 0) {
		dial_backoff(n, now);   /* the attempt failed */
	}
	if (dial) {
		nng_aio_set_timeout(n->dial_aio, (nng_duration)hs);
		nng_stream_dialer_dial(n->dialer, n->dial_aio);
	} else if (n->dialing && now - n->dial_started_ms > 2 * hs) {
		/* nng's own timeout did not fire (nanomsg/nng#1486). */
		nng_aio_cancel(n->dial_aio);
	}
	if (n->dialer != NULL && !n->dialing && n->n_conns == 0 &&
	    n->next_dial_ms < due)
		due = n->next_dial_ms;
	if (n->dialing && n->dial_started_ms + 2 * hs + 1 < due)
		due = n->dial_started_ms + 2 * hs + 1;
	return due > now ? due : now;
}

bool
fed_net_event(struct fed_peer *p, uint32_t *conn, bool *add)
{
	struct fed_net *n = p->net;
	struct fed_conn *c;
	bool found = false;

	pthread_mutex_lock(&n->mtx);
	/* Oldest first: the list is newest first, so take the last match. */
	for (c = n->conns; c != NULL; c = c->next) {
		if (c->disowned)
			continue;
		if ((c->ready && !c->dead && !c->announced) ||
		    (c->announced && c->dead && !c->rem_told)) {
			*conn = c->id;
			*add = !c->announced;
			found = true;
		}
	}
	if (found) {
		c = conn_find_locked(n, *conn);
		if (*add)
			c->announced = true;
		else
			c->rem_told = true;
	}
	pthread_mutex_unlock(&n->mtx);
	return found;
}

int
fed_net_recv(struct fed_peer *p, unsigned timeout_ms, uint8_t **buf,
    size_t *len, uint32_t *conn)
{
	struct fed_net *n = p->net;
	struct fed_conn *c, *got = NULL;
	struct pollfd pfd = { .fd = p->wake_rd, .events = POLLIN };
	int rv;

	pthread_mutex_lock(&n->mtx);
	for (c = n->conns; c != NULL; c = c->next)
		if (c->frame != NULL && c->announced && !c->disowned &&
		    !c->dead)
			got = c;               /* oldest connection first */
	if (got != NULL) {
		*buf = got->frame;
		*len = got->frame_len;
		*conn = got->id;
		got->frame = NULL;
		got->phase = RX_LEN;
		got->want = SP_LEN_BYTES;
		got->have = 0;
	}
	pthread_mutex_unlock(&n->mtx);
	if (got != NULL) {
		rx_arm(got);     /* only this thread frees got */
		return RM_OK;
	}
	do
		rv = poll(&pfd, 1, (int)timeout_ms);
	while (rv < 0 && errno == EINTR);
	return RM_ETIMEDOUT;
}

int
fed_net_send(struct fed_peer *p, const rm_buf *b)
{
	struct fed_net *n = p->net;
	rm_mono_ms deadline = rm_mono_now_ms() + FED_SEND_TIMEOUT_MS;
	struct timespec ts = { deadline / 1000, (long)(deadline % 1000) * 1000000L };
	struct fed_conn *c;
	uint8_t *m;
	size_t len = SP_LEN_BYTES + PAIR1_HDR + b->len, off = 0;
	uint64_t body = PAIR1_HDR + b->len;
	int rv = RM_OK;

	if (p->s == NULL || p->s->pipe == 0)
		return RM_ENET;
	if ((m = malloc(len)) == NULL)
		return RM_ENOMEM;
	for (int i = 0; i < SP_LEN_BYTES; i++)
		m[i] = (uint8_t)(body >> (8 * (SP_LEN_BYTES - 1 - i)));
	memcpy(m + SP_LEN_BYTES, "\0\0\0\1", PAIR1_HDR);
	memcpy(m + SP_LEN_BYTES + PAIR1_HDR, b->data, b->len);
	pthread_mutex_lock(&n->mtx);
	if ((c = conn_find_locked(n, p->s->pipe)) == NULL || c->dead ||
	    c->disowned) {
		pthread_mutex_unlock(&n->mtx);
		free(m);
		return RM_ENET;
	}
	while (off < len) {
		nng_iov iov = { .iov_buf = m + off, .iov_len = len - off };

		/* The previous send (or our SP header) must be done. */
		while (c->tx_busy && !c->dead && !n->closing &&
		    pthread_cond_timedwait(&n->cv, &n->mtx, &ts) != ETIMEDOUT)
			;
		if (c->tx_busy || c->dead || c->tx_rv != 0) {
			rv = c->tx_busy ? RM_ETIMEDOUT : RM_ENET;
			break;
		}
		if (off > 0 && c->tx_count == 0) {
			rv = RM_ENET;
			break;
		}
		(void)nng_aio_set_iov(c->tx_aio, 1, &iov);
		c->tx_busy = true;
		c->tx_count = 0;
		nng_stream_send(c->st, c->tx_aio);   /* completes on a task */
		while (c->tx_busy && !n->closing &&
		    pthread_cond_timedwait(&n->cv, &n->mtx, &ts) != ETIMEDOUT)
			;
		if (c->tx_busy || c->tx_rv != 0) {
			rv = c->tx_busy ? RM_ETIMEDOUT : RM_ENET;
			break;
		}
		off += c->tx_count;
	}
	if (rv != RM_OK)
		conn_dead_locked(c);    /* a half-sent frame: unusable */
	pthread_mutex_unlock(&n->mtx);
	if (rv == RM_ETIMEDOUT)
		nng_aio_stop(c->tx_aio);   /* closed above, so prompt; m free */
	free(m);
	if (rv == RM_OK)
		FED_COUNT(p->f, frames_out, 1);
	return rv;
}

void
fed_net_drop(struct fed_peer *p, uint32_t conn, unsigned linger_ms)
{
	struct fed_net *n = p->net;
	struct fed_conn *c;

	pthread_mutex_lock(&n->mtx);
	if ((c = conn_find_locked(n, conn)) != NULL) {
		c->disowned = true;
		c->close_at_ms = rm_mono_now_ms() + linger_ms;
	}
	pthread_mutex_unlock(&n->mtx);
	if (c != NULL && linger_ms == 0)
		conns_reap(n, false, rm_mono_now_ms());
}

void
fed_net_up(struct fed_peer *p, uint32_t conn)
{
	struct fed_net *n = p->net;
	struct fed_conn *c;

	pthread_mutex_lock(&n->mtx);
	if ((c = conn_find_locked(n, conn)) != NULL)
		c->up = true;
	pthread_mutex_unlock(&n->mtx);
	n->backoff_ms = p->f->reconnect_min_ms;
}
