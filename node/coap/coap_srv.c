/*
 * coap_srv.c -- the node's CoAP alert server: the libcoap 4.3.1 context,
 * its thread, and change propagation.
 *
 * Every libcoap call happens either before the thread starts, on the
 * thread, or after it was joined: libcoap 4.3.1 is not thread-safe.
 * alertcoap_notify() only records area codes under a mutex and wakes
 * the thread; the thread turns them into
 * coap_resource_notify_observers() calls.
 *
 * How the thread sleeps (no fixed tick). A stored alert must reach the
 * observers at once, and libcoap's own timers (retransmissions,
 * Observe, idle sessions, block-wise transfers) must still fire on
 * time. libcoap 4.3.1 built with epoll (Debian's is) keeps all its
 * sockets and a timerfd for its next deadline in one epoll fd,
 * coap_context_get_coap_fd(); coap_io_process_with_fds() ignores extra
 * fds in that build, so the thread owns a second epoll set holding that
 * fd and an eventfd, wake_fd, that alertcoap_notify() and
 * alertcoap_stop() write. One round:
 *   1. take the pending changes and mark their resources dirty;
 *   2. coap_io_process(ctx, COAP_IO_NO_WAIT): send the notifications,
 *      run due timers, read what arrived, without blocking;
 *   3. coap_io_prepare_epoll(): re-arm libcoap's timer for what step 2
 *      started (new sessions, retransmissions) and learn how far its
 *      next deadline is;
 *   4. epoll_wait() on {libcoap's fd, wake_fd} until the earlier of
 *      that deadline and the next alert expiry (none: no timeout).
 * So the thread sleeps until min(libcoap's next timer, an event): a
 * packet, a store change or shutdown. libcoap built without epoll
 * (coap_context_get_coap_fd() == -1) gets the same through
 * coap_io_process_with_fds() with wake_fd in its select() set. nng's
 * aio callbacks were not an option here: libcoap owns this loop.
 *
 * Every observer of a resource notified in one round gets the same
 * body, rendered once per content format (coap_res.c): 1,000 observers
 * cost one store read, not 1,000.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "node/coap/coap_own_int.h"

static void
srv_notify_res(struct alertcoap *c, coap_resource_t *r, const char *area,
    rm_utc_ms now)
{
	struct alertcoap_set_info info;
	rm_why why;
	int mode = COAP_RESOURCE_FLAGS_NOTIFY_CON;
	const struct srv_res *u = coap_resource_get_userdata(r);

	csrv_own_mark(c, r);    /* own observers: csrv_own_round() */
	if (!coap_resource_notify_observers(r, NULL)) {
		if (u != NULL && u->n_obs > 0)
			atomic_fetch_add(&c->st_notifications, 1);
		return;         /* libcoap has no observer of it */
	}
	atomic_fetch_add(&c->st_notifications, 1);
	/* The mode is read when libcoap sends, later in this loop. */
	if (alertcoap_render(&c->provider, area, now, ALERTCOAP_CF_TEXT, NULL,
	    &info, &why) != RM_OK)
		rm_log(RM_LOG_WARN, SRV_TAG, "%s", why.msg);
	else if (info.max_grade < RM_GRADE_ORANGE)
		mode = COAP_RESOURCE_FLAGS_NOTIFY_NON;
	coap_resource_set_mode(r, mode);
}

static void
srv_process_pending(struct alertcoap *c)
{
	srv_code pend[SRV_PENDING_MAX];
	size_t n;
	bool any, all;
	rm_utc_ms now = rm_utc_now_ms();

	pthread_mutex_lock(&c->mu);
	any = c->pending_any;
	all = c->pending_all;
	n = c->n_pending;
	memcpy(pend, c->pending, n * sizeof(pend[0]));
	c->pending_any = c->pending_all = false;
	c->n_pending = 0;
	pthread_mutex_unlock(&c->mu);

	if (c->next_expiry_ms != 0 && now >= c->next_expiry_ms) {
		any = all = true;       /* an alert we served expired */
		c->next_expiry_ms = 0;  /* learnt again while rendering */
	}
	if (!any)
		return;
	c->round++;             /* bodies rendered before are stale */
	for (size_t i = 0; i < n; i++)
		if (csrv_served(c, pend[i]))
			(void)csrv_area_get(c, pend[i], false);
	srv_notify_res(c, c->all, NULL, now);
	for (size_t i = 0; i < c->n_areas; i++) {
		bool hit = all;
		for (size_t j = 0; !hit && j < n; j++)
			hit = area_overlaps(c->areas[i].code, pend[j]);
		if (hit)
			srv_notify_res(c, c->areas[i].r, c->areas[i].code, now);
	}
	csrv_own_round(c);
}

/* Wake the server thread (any thread; never blocks). */
static void
srv_wake(struct alertcoap *c)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is full, so a wake-up is pending anyway. */
	(void)!write(c->wake_fd, &one, sizeof(one));
}

/* Server thread: reset wake_fd after it fired. */
static void
srv_woken(struct alertcoap *c)
{
	uint64_t v;

	(void)!read(c->wake_fd, &v, sizeof(v));
}

/* Milliseconds until an alert the server served expires; -1 = none. */
static int
srv_expiry_wait_ms(const struct alertcoap *c)
{
	rm_utc_ms left;

	if (c->next_expiry_ms == 0)
		return -1;
	left = c->next_expiry_ms - rm_utc_now_ms();
	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* The earlier of two waits in ms, -1 meaning none. */
static int
srv_min_wait(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* Steps 2-4 with libcoap's epoll fd (see the top of this file). */
static int
srv_round_epoll(struct alertcoap *c)
{
	struct epoll_event ev[3];
	coap_tick_t now;
	unsigned lib_ms;
	int n, wait_ms;

	if (c->udp_ready) {
		c->udp_ready = false;
		csrv_peek_read(c);
	}
	if (coap_io_process(c->ctx, COAP_IO_NO_WAIT) < 0)
		return -1;
	coap_ticks(&now);
	lib_ms = coap_io_prepare_epoll(c->ctx, now); /* 0: no deadline */
	wait_ms = srv_min_wait(srv_expiry_wait_ms(c),
	    lib_ms == 0 ? -1 : lib_ms > INT_MAX ? INT_MAX : (int)lib_ms);
	wait_ms = srv_min_wait(wait_ms, csrv_restore_wait_ms(c));
	wait_ms = srv_min_wait(wait_ms, csrv_dtls_sweep(c));
	wait_ms = srv_min_wait(wait_ms, csrv_own_wait_ms(c));
	/* After a block answered by coap_peek.c, libcoap holds the next
	 * notification to that session for 2 s (it believes the block-wise
	 * notification unfinished) and sets no timer for it: look again. */
	if (c->block_wake_ms != 0) {
		rm_mono_ms left = c->block_wake_ms - rm_mono_now_ms();
		if (left <= 0)
			c->block_wake_ms = 0;   /* the next round retries */
		wait_ms = srv_min_wait(wait_ms, left <= 0 ? 0 : (int)left);
	}
	if ((n = epoll_wait(c->ep_fd, ev, 3, wait_ms)) < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		if (ev[i].data.fd == c->wake_fd)
			srv_woken(c);
		else if (ev[i].data.fd == c->udp_fd)
			c->udp_ready = true;
	}
	return 0;
}

/* The same through select() when libcoap has no epoll fd. */
static int
srv_round_select(struct alertcoap *c)
{
	int wait_ms = srv_min_wait(srv_min_wait(srv_expiry_wait_ms(c),
	    csrv_restore_wait_ms(c)), srv_min_wait(csrv_dtls_sweep(c),
	    csrv_own_wait_ms(c)));
	fd_set rd;

	FD_ZERO(&rd);
	FD_SET(c->wake_fd, &rd);
	/* COAP_IO_WAIT (0): until libcoap's own next deadline. */
	if (coap_io_process_with_fds(c->ctx, wait_ms < 0 ? COAP_IO_WAIT :
	    wait_ms == 0 ? COAP_IO_NO_WAIT : (uint32_t)wait_ms,
	    c->wake_fd + 1, &rd, NULL, NULL) < 0)
		return -1;
	if (FD_ISSET(c->wake_fd, &rd))
		srv_woken(c);
	return 0;
}

static void *
srv_main(void *arg)
{
	struct alertcoap *c = arg;

	csrv_set_current(c);
	while (!atomic_load(&c->stop)) {
		srv_process_pending(c);
		csrv_own_tick(c);
		csrv_restore_tick(c);
		if ((c->ep_fd >= 0 ? srv_round_epoll(c) :
		    srv_round_select(c)) < 0) {
			rm_log(RM_LOG_ERR, SRV_TAG, "server loop failed: %s",
			    strerror(errno));
			break;
		}
	}
	return NULL;
}

void
alertcoap_notify(struct alertcoap *c, const struct rm_record *rec)
{
	bool wake;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	wake = !c->pending_any;
	c->pending_any = true;
	if (rec == NULL)
		c->pending_all = true;
	for (size_t i = 0; rec != NULL && i < rec->n_areas &&
	    i < RM_AREAS_MAX; i++) {
		const char *a = rec->areas[i];
		bool dup = false;
		if (!area_code_valid(a))
			continue;
		for (size_t j = 0; !dup && j < c->n_pending; j++)
			dup = strcmp(c->pending[j], a) == 0;
		if (dup)
			continue;
		if (c->n_pending == SRV_PENDING_MAX) {
			c->pending_all = true;
			continue;
		}
		snprintf(c->pending[c->n_pending++], sizeof(srv_code), "%s", a);
	}
	pthread_mutex_unlock(&c->mu);
	if (wake)
		srv_wake(c);
}

void
alertcoap_get_stats(struct alertcoap *c, struct alertcoap_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	out->requests = atomic_load(&c->st_requests);
	out->notifications = atomic_load(&c->st_notifications);
	out->observers = atomic_load(&c->st_observers);
	out->resources = atomic_load(&c->st_resources);
	out->evicted = atomic_load(&c->st_evicted);
	out->malformed = atomic_load(&c->st_malformed);
	out->left_out = atomic_load(&c->st_left_out);
	out->restored = atomic_load(&c->st_restored);
	out->restored_sent = atomic_load(&c->st_restored_sent);
	out->dtls_ok = atomic_load(&c->st_dtls_ok);
	out->dtls_failed = atomic_load(&c->st_dtls_failed);
	out->psk_unknown = atomic_load(&c->st_psk_unknown);
	out->plain_refused = atomic_load(&c->st_plain_refused);
	out->registrations = atomic_load(&c->st_registrations);
	out->sent_non = atomic_load(&c->st_sent_non);
	out->sent_con = atomic_load(&c->st_sent_con);
	out->retransmits = atomic_load(&c->st_retransmits);
	out->acks = atomic_load(&c->st_acks);
	out->dropped_no_ack = atomic_load(&c->st_dropped_no_ack);
	out->send_errors = atomic_load(&c->st_send_errors);
	out->sock_drops = atomic_load(&c->st_sock_drops);
}

static int
srv_bind(struct alertcoap *c, const char *host, uint16_t port, bool dtls,
    rm_why *why)
{
	struct addrinfo hints, *ai = NULL;
	coap_address_t addr;
	char ports[8];
	int rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(ports, sizeof(ports), "%u", (unsigned)port);
	if ((rv = getaddrinfo(host, ports, &hints, &ai)) != 0)
		return rm_fail(why, RM_EINVAL, "coap.host: \"%s\": %s", host,
		    gai_strerror(rv));
	coap_address_init(&addr);
	if (ai->ai_addrlen > sizeof(addr.addr)) {
		freeaddrinfo(ai);
		return rm_fail(why, RM_EINVAL, "coap.host: \"%s\": "
		    "unsupported address family", host);
	}
	memcpy(&addr.addr, ai->ai_addr, ai->ai_addrlen);
	addr.size = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (dtls)
		return csrv_dtls_start(c, &addr, why);
	if (coap_new_endpoint(c->ctx, &addr, COAP_PROTO_UDP) == NULL)
		return rm_fail(why, RM_ENET, "coap: cannot listen on %s "
		    "port %u (udp)", host, (unsigned)port);
	csrv_peek_init(c, &addr);
	return RM_OK;
}

static void
srv_free(struct alertcoap *c)
{
	if (c->ctx != NULL) {
		if (c->thread_started)
			(void)csrv_restore_save(c); /* a clean stop */
		c->closing = true;
		csrv_peek_fini(c);
		coap_free_context(c->ctx);  /* resources, userdata, sessions */
		csrv_lib_release();
	}
	csrv_own_fini(c);
	if (c->ep_fd >= 0)
		close(c->ep_fd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	csrv_cache_fini(c);
	pthread_mutex_destroy(&c->mu);
	free(c->areas);
	free(c->served);
	free(c->obs);
	free(c->observers_file);
	free(c);
}

/* wake_fd, and the thread's epoll set when libcoap has an epoll fd. */
static int
srv_wake_init(struct alertcoap *c, rm_why *why)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int coap_fd = coap_context_get_coap_fd(c->ctx);

	if ((c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return rm_fail(why, RM_ENOMEM, "coap: eventfd: %s",
		    strerror(errno));
	if (coap_fd < 0)
		return RM_OK;   /* libcoap without epoll: select() */
	if ((c->ep_fd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return rm_fail(why, RM_ENOMEM, "coap: epoll_create1: %s",
		    strerror(errno));
	ev.data.fd = coap_fd;
	if (epoll_ctl(c->ep_fd, EPOLL_CTL_ADD, coap_fd, &ev) != 0)
		return rm_fail(why, RM_ENOMEM, "coap: epoll_ctl: %s",
		    strerror(errno));
	ev.data.fd = c->wake_fd;
	if (epoll_ctl(c->ep_fd, EPOLL_CTL_ADD, c->wake_fd, &ev) != 0)
		return rm_fail(why, RM_ENOMEM, "coap: epoll_ctl: %s",
		    strerror(errno));
	/* libcoap's socket, taken out of libcoap's set (coap_peek.c). */
	ev.data.fd = c->udp_fd;
	if (c->udp_fd >= 0 &&
	    epoll_ctl(c->ep_fd, EPOLL_CTL_ADD, c->udp_fd, &ev) != 0)
		return rm_fail(why, RM_ENOMEM, "coap: epoll_ctl: %s",
		    strerror(errno));
	return RM_OK;
}

int
alertcoap_start(const struct alertcoap_opts *opts, struct alertcoap **out,
    rm_why *why)
{
	struct alertcoap *c;
	coap_resource_t *u;
	struct srv_res *ud;
	const char *host;
	int rv;

	if (opts == NULL || out == NULL)
		return rm_fail(why, RM_EINVAL, "coap: no options");
	if (opts->provider.alerts == NULL)
		return rm_fail(why, RM_EINVAL, "coap: no alert provider");
	if (opts->n_areas > ALERTCOAP_AREAS_MAX)
		return rm_fail(why, RM_EINVAL, "coap.areas: more than %d",
		    ALERTCOAP_AREAS_MAX);
	for (size_t i = 0; i < opts->n_areas; i++)
		if (opts->areas == NULL || opts->areas[i] == NULL ||
		    !area_code_valid(opts->areas[i]))
			return rm_fail(why, RM_EINVAL, "coap.areas[%zu]: not a "
			    "GB/T 2260 area code", i);
	if (opts->max_age_s > 0xffffffu)
		return rm_fail(why, RM_EINVAL, "coap.max_age_s: %u too large",
		    opts->max_age_s);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return rm_fail(why, RM_ENOMEM, "coap: no memory");
	pthread_mutex_init(&c->mu, NULL);
	atomic_init(&c->stop, false);
	c->ep_fd = c->wake_fd = c->udp_fd = -1;
	/* A flood of junk logs a sample: 5 lines per 10 s. */
	c->junk_log.burst = 5;
	c->junk_log.window_ms = 10000;
	c->lib_log.burst = 20;
	c->lib_log.window_ms = 10000;
	c->round = 1;           /* cache entries start at round 0 */
	c->provider = opts->provider;
	c->allow_plain = !opts->registered_only;
	c->devices = opts->devices;
	c->dtls_log.burst = 10;
	c->dtls_log.window_ms = 60000;
	if (opts->dtls_port != 0 && opts->devices.psk == NULL) {
		rv = rm_fail(why, RM_ECONFIG, "coaps: no device registry");
		goto fail;
	}
	c->max_age_s = opts->max_age_s ? (int)opts->max_age_s : 60;
	c->ack_timeout_ms = opts->ack_timeout_ms ? opts->ack_timeout_ms :
	    OWN_ACK_TIMEOUT_MS;
	if (opts->observers_file != NULL &&
	    (c->observers_file = strdup(opts->observers_file)) == NULL) {
		rv = rm_fail(why, RM_ENOMEM, "coap: no memory");
		goto fail;
	}
	if ((rv = csrv_served_init(c, opts->served, opts->n_served, why))
	    != RM_OK)
		goto fail;
	host = opts->host ? opts->host : "127.0.0.1";

	csrv_lib_acquire();
	if ((c->ctx = coap_new_context(NULL)) == NULL) {
		csrv_lib_release();
		rv = rm_fail(why, RM_ENOMEM, "coap: cannot create context");
		goto fail;
	}
	coap_set_app_data(c->ctx, c);
	coap_context_set_block_mode(c->ctx, COAP_BLOCK_USE_LIBCOAP |
	    COAP_BLOCK_SINGLE_BODY);
	coap_resource_release_userdata_handler(c->ctx, csrv_res_release);
	coap_register_nack_handler(c->ctx, csrv_nack);
	coap_register_event_handler(c->ctx, csrv_event);
	if ((rv = srv_bind(c, host, opts->port ? opts->port : 5683, false,
	    why)) != RM_OK)
		goto fail;
	if (opts->dtls_port != 0 && (rv = srv_bind(c, opts->dtls_host ?
	    opts->dtls_host : host, opts->dtls_port, true, why)) != RM_OK)
		goto fail;
	if (c->devices.receipt != NULL && csrv_receipts_new(c) == NULL)
		goto nomem;
	if ((c->all = csrv_res_new(c, NULL)) == NULL ||
	    csrv_wk_new(c) == NULL)
		goto nomem;
	if ((ud = calloc(1, sizeof(*ud))) == NULL)
		goto nomem;
	ud->srv = c;
	if ((u = coap_resource_unknown_init2(NULL, 0)) == NULL) {
		free(ud);
		goto nomem;
	}
	coap_resource_set_userdata(u, ud);
	coap_register_request_handler(u, COAP_REQUEST_GET, csrv_hnd_unknown);
	coap_add_resource(c->ctx, u);
	for (size_t i = 0; i < opts->n_areas; i++)
		if (csrv_area_get(c, opts->areas[i], true) == NULL)
			goto nomem;
	if ((rv = srv_wake_init(c, why)) != RM_OK ||
	    (rv = csrv_own_init(c, why)) != RM_OK)
		goto fail;
	/* Observers read back are notified at once: the set may have
	 * changed while the node was down. */
	if (csrv_restore_load(c))
		c->pending_any = c->pending_all = true;
	if (pthread_create(&c->thread, NULL, srv_main, c) != 0) {
		rv = rm_fail(why, RM_ENOMEM, "coap: cannot start thread");
		goto fail;
	}
	c->thread_started = true;
	rm_log(RM_LOG_INFO, SRV_TAG, "listening on %s port %u (udp), "
	    "%zu area resources, %zu served prefixes%s", host,
	    (unsigned)(opts->port ? opts->port : 5683), c->n_areas,
	    c->n_served, c->n_served == 0 ? " (every area served)" : "");
	if (opts->dtls_port != 0)
		rm_log(RM_LOG_INFO, SRV_TAG, "listening on %s port %u (udp, "
		    "DTLS-PSK: registered devices)%s", opts->dtls_host ?
		    opts->dtls_host : host, (unsigned)opts->dtls_port,
		    c->allow_plain ? "" : "; plain coap:// refused (4.01)");
	*out = c;
	return RM_OK;
nomem:
	rv = rm_fail(why, RM_ENOMEM, "coap: cannot create resources");
fail:
	srv_free(c);
	return rv;
}

void
alertcoap_stop(struct alertcoap *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->stop, true);
	srv_wake(c);
	pthread_join(c->thread, NULL);
	srv_free(c);
}
