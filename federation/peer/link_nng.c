/*
 * link_nng.c -- the one file that talks to nng: a pair1 socket per peer
 * (not polyamorous: one connection at a time), its dialer or listener,
 * mutual TLS against the federation CA, and pipe notifications.
 *
 * nng errors are converted to rm_err here; the nng detail goes into the
 * rm_why of the call that failed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/tls/tls.h>

#include "federation/peer/peer_int.h"

struct fed_net {
	nng_socket sock;
	bool sock_open;
	nng_dialer dialer;
	nng_listener listener;
	bool has_dialer, has_listener;
	nng_tls_config *tls;
	int recv_fd, send_fd;          /* readiness, polled with our clock */
};

/* nng thread: remember the pipe event for the peer thread. */
static void
pipe_cb(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
	struct fed_peer *p = arg;

	pthread_mutex_lock(&p->mtx);
	if (p->n_ev == sizeof(p->ev) / sizeof(p->ev[0])) {
		/* Only the latest events matter; drop the oldest. */
		memmove(&p->ev[0], &p->ev[1], sizeof(p->ev) - sizeof(p->ev[0]));
		p->n_ev--;
	}
	p->ev[p->n_ev].pipe = (uint32_t)nng_pipe_id(pipe);
	p->ev[p->n_ev].add = ev == NNG_PIPE_EV_ADD_POST;
	p->n_ev++;
	pthread_mutex_unlock(&p->mtx);
	fed_peer_wake(p);
}

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
	step = f->ca_file;
	if ((nrv = nng_tls_config_ca_file(n->tls, f->ca_file)) != 0)
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
	const char *step;
	int nrv, rv;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return rm_fail(why, RM_ENOMEM, "peer %s: out of memory",
		    p->agency);
	p->net = n;
	if (tls && (rv = tls_setup(p, n, why)) != RM_OK)
		return rv;
	step = "open socket";
	if ((nrv = nng_pair1_open(&n->sock)) != 0)
		goto fail;
	n->sock_open = true;
	step = "socket options";
	if ((nrv = nng_socket_set_size(n->sock, NNG_OPT_RECVMAXSZ,
	    FED_FRAME_MAX)) != 0 ||
	    (nrv = nng_socket_set_ms(n->sock, NNG_OPT_RECONNMINT,
	    (nng_duration)f->reconnect_min_ms)) != 0 ||
	    (nrv = nng_socket_set_ms(n->sock, NNG_OPT_RECONNMAXT,
	    (nng_duration)f->reconnect_max_ms)) != 0 ||
	    (nrv = nng_socket_get_int(n->sock, NNG_OPT_RECVFD,
	    &n->recv_fd)) != 0 ||
	    (nrv = nng_socket_get_int(n->sock, NNG_OPT_SENDFD,
	    &n->send_fd)) != 0)
		goto fail;
	step = "pipe notify";
	if ((nrv = nng_pipe_notify(n->sock, NNG_PIPE_EV_ADD_POST, pipe_cb,
	    p)) != 0 ||
	    (nrv = nng_pipe_notify(n->sock, NNG_PIPE_EV_REM_POST, pipe_cb,
	    p)) != 0)
		goto fail;
	if (p->listen) {
		step = "listen";
		if ((nrv = nng_listener_create(&n->listener, n->sock,
		    p->url)) != 0)
			goto fail;
		n->has_listener = true;
		if (tls && (nrv = nng_listener_set_ptr(n->listener,
		    NNG_OPT_TLS_CONFIG, n->tls)) != 0)
			goto fail;
		(void)nng_listener_set_bool(n->listener, NNG_OPT_TCP_KEEPALIVE,
		    true);
		if ((nrv = nng_listener_start(n->listener, 0)) != 0)
			goto fail;
	} else {
		step = "dial";
		if ((nrv = nng_dialer_create(&n->dialer, n->sock, p->url)) != 0)
			goto fail;
		n->has_dialer = true;
		if (tls && (nrv = nng_dialer_set_ptr(n->dialer,
		    NNG_OPT_TLS_CONFIG, n->tls)) != 0)
			goto fail;
		(void)nng_dialer_set_bool(n->dialer, NNG_OPT_TCP_KEEPALIVE,
		    true);
		/* Non-blocking: keeps retrying in the background. */
		if ((nrv = nng_dialer_start(n->dialer, NNG_FLAG_NONBLOCK)) != 0)
			goto fail;
	}
	rm_log(RM_LOG_INFO, "fed", "peer %s: %s %s", p->agency,
	    p->listen ? "listening on" : "dialing", p->url);
	return RM_OK;
fail:
	return rm_fail(why, nrv == NNG_EADDRINUSE || nrv == NNG_EADDRINVAL ||
	    nrv == NNG_ENOTSUP || nrv == NNG_EINVAL ? RM_ECONFIG : RM_ENET,
	    "peer %s: %s %s: %s", p->agency, step, p->url, nng_strerror(nrv));
}

void
fed_net_shutdown(struct fed_peer *p)
{
	struct fed_net *n = p->net;

	if (n == NULL)
		return;
	if (n->has_dialer)
		(void)nng_dialer_close(n->dialer);
	if (n->has_listener)
		(void)nng_listener_close(n->listener);
	n->has_dialer = n->has_listener = false;
}

void
fed_net_close(struct fed_peer *p)
{
	struct fed_net *n = p->net;

	if (n == NULL)
		return;
	if (n->sock_open)
		nng_close(n->sock);
	n->sock_open = false;
}

void
fed_net_free(struct fed_peer *p)
{
	struct fed_net *n = p->net;

	if (n == NULL)
		return;
	fed_net_close(p);
	if (n->tls != NULL)
		nng_tls_config_free(n->tls);
	free(n);
	p->net = NULL;
}

/*
 * Wait until the socket has a frame, the peer's wake pipe is readable or
 * timeout_ms passed, on our own clock: the blocking nng calls rely on
 * nng's aio expiry, which nng 1.5 can miss (nanomsg/nng#1486), leaving a
 * "timed" receive blocked for good. wake_fd < 0: socket only.
 */
static bool
wait_fd(int fd, int wake_fd, unsigned timeout_ms)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = wake_fd, .events = POLLIN },
	};
	int rv;

	do
		rv = poll(pfd, wake_fd >= 0 ? 2 : 1, (int)timeout_ms);
	while (rv < 0 && errno == EINTR);
	return rv > 0 && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP));
}

int
fed_net_recv(struct fed_peer *p, unsigned timeout_ms, uint8_t **buf,
    size_t *len, uint32_t *pipe)
{
	struct fed_net *n = p->net;
	nng_msg *m;
	uint8_t *copy;
	size_t l;
	int nrv;

	nrv = nng_recvmsg(n->sock, &m, NNG_FLAG_NONBLOCK);
	if (nrv == NNG_EAGAIN) {
		if (!wait_fd(n->recv_fd, p->wake_rd, timeout_ms))
			return RM_ETIMEDOUT;
		nrv = nng_recvmsg(n->sock, &m, NNG_FLAG_NONBLOCK);
	}
	if (nrv != 0) {
		if (nrv == NNG_ETIMEDOUT || nrv == NNG_EAGAIN)
			return RM_ETIMEDOUT;
		return nrv == NNG_ECLOSED ? RM_ECLOSED : RM_ENET;
	}
	l = nng_msg_len(m);
	if ((copy = malloc(l ? l : 1)) == NULL) {
		nng_msg_free(m);
		return RM_ENOMEM;
	}
	memcpy(copy, nng_msg_body(m), l);
	*pipe = (uint32_t)nng_pipe_id(nng_msg_get_pipe(m));
	nng_msg_free(m);
	*buf = copy;
	*len = l;
	return RM_OK;
}

int
fed_net_send(struct fed_peer *p, const rm_buf *b)
{
	struct fed_net *n = p->net;
	rm_mono_ms deadline = rm_mono_now_ms() + FED_SEND_TIMEOUT_MS;
	nng_msg *m;
	int nrv;

	if ((nrv = nng_msg_alloc(&m, b->len)) != 0)
		return RM_ENOMEM;
	memcpy(nng_msg_body(m), b->data, b->len);
	for (;;) {
		rm_mono_ms now;

		if ((nrv = nng_sendmsg(n->sock, m, NNG_FLAG_NONBLOCK)) == 0) {
			FED_COUNT(p->f, frames_out, 1);
			return RM_OK;
		}
		now = rm_mono_now_ms();
		if (nrv != NNG_EAGAIN || now >= deadline ||
		    atomic_load(&p->f->stopping))
			break;
		(void)wait_fd(n->send_fd, -1, (unsigned)(deadline - now < 50 ?
		    deadline - now : 50));
	}
	nng_msg_free(m);
	return nrv == NNG_EAGAIN ? RM_ETIMEDOUT : RM_ENET;
}

void
fed_net_drop(struct fed_peer *p, uint32_t pipe)
{
	nng_pipe np = NNG_PIPE_INITIALIZER;

	(void)p;
	np.id = pipe;
	(void)nng_pipe_close(np);
}
