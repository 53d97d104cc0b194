/*
 * coap_own.c -- the server's own observe engine for plain-UDP observers.
 *
 * libcoap 4.3.1 does not scale to a fan-out of thousands: one session
 * per observer, a retransmit queue and session walk that grow with N^2
 * for confirmable notifications, every 5th NON notification sent CON
 * (unless NON_ALWAYS) and one missed ACK ends an observation. So the
 * server keeps plain-UDP observers itself; DTLS observers (coaps://)
 * stay with libcoap.
 *
 *  - Registration (RFC 7641 §3.1, §4.1). coap_peek.c sees every datagram
 *    before libcoap; a GET with Observe: 0 on /alerts or a served
 *    /alerts/<code> (block 0 or no Block2, a supported Accept) is taken
 *    off the socket and registered here by endpoint and token: the same
 *    endpoint and token refreshes, a new token from the same endpoint
 *    for the same resource and content format replaces. It is answered
 *    as libcoap would: a piggybacked ACK 2.05 (CON request) or NON, with
 *    ETag, Observe, Content-Format (not for text/plain), Max-Age, and
 *    Block2 0/1/1024 + Size2 for a larger body. At OWN_MAX observers the
 *    answer has no Observe (not registered). Everything else (errors,
 *    4.06, unknown paths) goes on to libcoap.
 *  - Cancel: GET with Observe: 1 ends it (libcoap still answers), so
 *    does an RST to one of our messages (RFC 7641 §3.6).
 *  - Rounds. For each resource changed in a round and each content
 *    format, the body is rendered once (csrv_body()) and the tail of the
 *    message (options + payload) built once; each observer gets its own
 *    4-byte header and token in front of that shared tail, batched with
 *    sendmmsg(). The set's highest grade picks the type: CON for orange
 *    and red, NON below. One Observe counter for the whole server,
 *    advanced once a round (registration answers carry its current
 *    value) and saved with the observers, so it keeps growing across
 *    restarts; a device sees values that grow by less than 2^23 between
 *    two notifications unless 2^23 rounds pass, which takes far longer
 *    than the 128 s of RFC 7641 §3.4.
 *  - CON (RFC 7252 §4.2, §4.8; RFC 7641 §4.5). Each observer has at most
 *    one outstanding CON (a newer notification replaces it, RFC 7641
 *    §4.5.2), its MID in a 65536-slot map (MIDs are per endpoint, so a
 *    slot chains the observers using it; the ACK's source must match),
 *    its deadline in a min-heap whose top sets the thread's epoll
 *    timeout: ACK_TIMEOUT 2 s (alertcoap_opts.ack_timeout_ms) times a
 *    random 1-1.5, doubled on each of MAX_RETRANSMIT 4 retransmissions; no ACK after the last one ends the
 *    observation (RFC 7641 §4.5). Each observer's MIDs count up from a
 *    random start (RFC 7252 §4.4: unique per endpoint for 65536
 *    messages).
 *  - ACKs are consumed in the peek, never reaching libcoap; while a big
 *    round is sent the socket is drained between batches, and its
 *    buffers are raised at start, so an ACK storm is not dropped; what
 *    the kernel still drops is counted (SO_RXQ_OVFL).
 */
#define _GNU_SOURCE     /* sendmmsg(), SO_RXQ_OVFL, SO_*BUFFORCE */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "node/coap/coap_own_int.h"

static uint32_t
own_id(const struct srv_own *w, const struct own_obs *o)
{
	return (uint32_t)(o - w->v);
}

static uint32_t
ep_hash(const struct sockaddr *sa)
{
	uint32_t h = 2166136261u;
	const uint8_t *p;
	size_t n;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)sa;
		h = (h ^ x->sin_port) * 16777619u;
		p = (const uint8_t *)&x->sin_addr;
		n = 4;
	} else {
		const struct sockaddr_in6 *x = (const void *)sa;
		h = (h ^ x->sin6_port) * 16777619u;
		p = (const uint8_t *)&x->sin6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return (h ^ h >> 16) % OWN_EP_BUCKETS;
}

static void
tail_release(struct own_tail *t)
{
	if (t != NULL && --t->refs == 0)
		free(t);
}

void
csrv_res_release(void *p)
{
	struct srv_res *u = p;

	for (size_t i = 0; u != NULL && i < 4; i++)
		tail_release(u->tail[i]);
	free(u);
}

void
csrv_gauge(struct alertcoap *c)
{
	atomic_store(&c->st_observers, c->n_obs +
	    (c->own != NULL ? c->own->n : 0));
	atomic_store(&c->st_restored, c->own != NULL ? c->own->n_restored : 0);
}

static unsigned
cf_index(unsigned cf)
{
	switch (cf) {
	case ALERTCOAP_CF_COSE:
		return 1;
	case ALERTCOAP_CF_JSON:
		return 2;
	case ALERTCOAP_CF_CBOR:
		return 3;
	default:
		return 0;
	}
}

static void
set_bufs(struct alertcoap *c)
{
	int want = OWN_SOCKBUF_BYTES, rcv = 0, snd = 0;
	socklen_t l = sizeof(int);
	bool frc = true, fsnd = true;

	if (setsockopt(c->udp_fd, SOL_SOCKET, SO_RCVBUFFORCE, &want,
	    sizeof(want)) != 0) {
		frc = false;    /* no CAP_NET_ADMIN: up to net.core.rmem_max */
		(void)setsockopt(c->udp_fd, SOL_SOCKET, SO_RCVBUF, &want,
		    sizeof(want));
	}
	if (setsockopt(c->udp_fd, SOL_SOCKET, SO_SNDBUFFORCE, &want,
	    sizeof(want)) != 0) {
		fsnd = false;
		(void)setsockopt(c->udp_fd, SOL_SOCKET, SO_SNDBUF, &want,
		    sizeof(want));
	}
	(void)getsockopt(c->udp_fd, SOL_SOCKET, SO_RCVBUF, &rcv, &l);
	l = sizeof(int);
	(void)getsockopt(c->udp_fd, SOL_SOCKET, SO_SNDBUF, &snd, &l);
	rm_log(RM_LOG_INFO, SRV_TAG, "udp socket buffers: receive %d bytes%s, "
	    "send %d bytes%s (asked %d)", rcv, frc ? "" :
	    " (net.core.rmem_max)", snd, fsnd ? "" : " (net.core.wmem_max)",
	    want);
	want = 1;
	(void)setsockopt(c->udp_fd, SOL_SOCKET, SO_RXQ_OVFL, &want,
	    sizeof(want));
}

int
csrv_own_init(struct alertcoap *c, rm_why *why)
{
	struct srv_own *w;

	if (c->udp_fd < 0)
		return RM_OK;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return rm_fail(why, RM_ENOMEM, "coap: no memory");
	for (size_t i = 0; i < OWN_EP_BUCKETS; i++)
		w->ep_head[i] = CW_NONE;
	w->free_head = CW_NONE;
	cw_mids_init(&w->mids);
	w->observe = OWN_OBSERVE_FIRST;
	c->own = w;
	set_bufs(c);
	return RM_OK;
}

void
csrv_own_fini(struct alertcoap *c)
{
	struct srv_own *w = c->own;

	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n_slots; i++)
		if (w->v[i].res != NULL)
			tail_release(w->v[i].out);
	cw_heap_fini(&w->heap);
	cw_mids_fini(&w->mids);
	free(w->v);
	free(w);
	c->own = NULL;
}

static void
res_count(struct alertcoap *c, struct srv_res *u, int delta)
{
	if (c->closing || u == NULL)
		return;
	if (delta > 0)
		u->n_obs++;
	else if (u->n_obs > 0)
		u->n_obs--;
}

/* ---- sending ---- */

struct own_batch {
	struct mmsghdr m[OWN_BATCH];
	struct iovec iov[OWN_BATCH][2];
	uint8_t hdr[OWN_BATCH][4 + SRV_TOKEN_MAX];
	union own_addr to[OWN_BATCH];
	unsigned n;
};

/* Read what arrived (ACKs above all) so the receive buffer never fills
 * while a round is sent; bounded. */
static void
own_drain(struct alertcoap *c)
{
	for (int i = 0; i < 16; i++)
		if (csrv_peek_read(c) < SRV_PEEK_BURST)
			return;
}

static void
batch_flush(struct alertcoap *c, struct own_batch *b)
{
	unsigned done = 0;
	int tries = 0;

	while (done < b->n && tries < 64) {
		int k = sendmmsg(c->udp_fd, b->m + done, b->n - done,
		    MSG_DONTWAIT);
		if (k > 0) {
			done += (unsigned)k;
			continue;
		}
		tries++;
		if (k < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			struct pollfd p = { .fd = c->udp_fd,
			    .events = POLLOUT };
			own_drain(c);
			(void)poll(&p, 1, 100);
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		done++;         /* that one cannot go: skip it */
		atomic_fetch_add(&c->st_send_errors, 1);
	}
	b->n = 0;
	own_drain(c);
}

static void
batch_add(struct alertcoap *c, struct own_batch *b, const struct own_obs *o,
    unsigned type, const struct own_tail *t)
{
	unsigned i = b->n;

	b->to[i] = o->to;
	b->iov[i][0].iov_base = b->hdr[i];
	b->iov[i][0].iov_len = cw_header(b->hdr[i], type, 0x45, o->mid, o->tok,
	    o->tok_len);
	b->iov[i][1].iov_base = (void *)t->data;
	b->iov[i][1].iov_len = t->len;
	memset(&b->m[i], 0, sizeof(b->m[i]));
	b->m[i].msg_hdr.msg_name = &b->to[i];
	b->m[i].msg_hdr.msg_namelen = o->tolen;
	b->m[i].msg_hdr.msg_iov = b->iov[i];
	b->m[i].msg_hdr.msg_iovlen = 2;
	if (++b->n == OWN_BATCH)
		batch_flush(c, b);
}

/* The tail of resource u in format cf for this round (observe: with
 * the Observe option); NULL when the body cannot be rendered. */
static struct own_tail *
tail_get(struct alertcoap *c, struct srv_res *u, unsigned cf)
{
	struct alertcoap_set_info info;
	unsigned k = cf_index(cf);
	rm_buf b = RM_BUF_INIT;
	struct own_tail *t;
	struct cw_tail ct;
	rm_why why;

	if (u->tail_round != c->round) {
		for (size_t i = 0; i < 4; i++) {
			tail_release(u->tail[i]);
			u->tail[i] = NULL;
		}
		u->tail_round = c->round;
	}
	if (u->tail[k] != NULL)
		return u->tail[k];
	if (csrv_body(c, u->r, u->all ? NULL : u->area, cf, &b, &info, &why)
	    != RM_OK) {
		rm_log(RM_LOG_ERR, SRV_TAG, "%s", why.msg);
		rm_buf_fini(&b);
		return NULL;
	}
	if ((t = malloc(sizeof(*t) + CW_TAIL_MAX)) == NULL) {
		rm_buf_fini(&b);
		return NULL;
	}
	memset(&ct, 0, sizeof(ct));
	ct.etag = csrv_etag(b.data, b.len);
	ct.observe = c->own->observe;
	ct.cf = cf;
	ct.max_age_s = c->max_age_s;
	ct.body = b.data;
	ct.body_len = b.len;
	ct.block = 1024;
	t->len = cw_tail(t->data, CW_TAIL_MAX, &ct);
	t->type = info.max_grade >= RM_GRADE_ORANGE ? COAP_MESSAGE_CON :
	    COAP_MESSAGE_NON;
	/* A round whose set did not change for this resource (an alert
	 * that arrived already expired, an expiry of an alert no longer
	 * shown) sends nothing: each change is broadcast once. */
	t->unchanged = u->sent_valid[k] && u->sent_etag[k] == ct.etag;
	/* Rendered for a registration outside a round of this resource
	 * (a change already in the store whose round has not run yet, an
	 * expiry not yet processed): its observers were not sent it, so
	 * the round must still find it changed. */
	if (u->hit_round == c->round || !u->sent_valid[k]) {
		u->sent_etag[k] = ct.etag;
		u->sent_valid[k] = true;
	}
	t->refs = 1;
	rm_buf_fini(&b);
	u->tail[k] = t;
	return t;
}

static uint32_t
rand_u32(void)
{
	uint32_t v = 0;

	coap_prng(&v, sizeof(v));
	return v;
}

/* Queue one notification to o with tail t (RFC 7641 §4.2). */
static void
notify_one(struct alertcoap *c, struct own_batch *b, struct own_obs *o,
    struct own_tail *t, rm_mono_ms now)
{
	struct srv_own *w = c->own;
	uint32_t id = own_id(w, o);

	if (o->out != NULL) {           /* RFC 7641 §4.5.2: replaced */
		tail_release(o->out);
		o->out = NULL;
		cw_heap_del(&w->heap, id);
	}
	o->mid++;
	cw_mids_set(&w->mids, id, o->mid);
	if (t->type == COAP_MESSAGE_CON) {
		o->out = t;
		t->refs++;
		o->retries = 0;
		/* ACK_TIMEOUT x [1, ACK_RANDOM_FACTOR 1.5] */
		o->timeout_ms = c->ack_timeout_ms +
		    rand_u32() % (c->ack_timeout_ms / 2 + 1);
		cw_heap_set(&w->heap, id, now + o->timeout_ms);
		atomic_fetch_add(&c->st_sent_con, 1);
	} else {
		atomic_fetch_add(&c->st_sent_non, 1);
	}
	batch_add(c, b, o, t->type, t);
}

/* ---- the table ---- */

static void
own_del(struct alertcoap *c, uint32_t id)
{
	struct srv_own *w = c->own;
	struct own_obs *o = &w->v[id];
	uint32_t *p;

	cw_heap_del(&w->heap, id);
	cw_mids_del(&w->mids, id);
	tail_release(o->out);
	for (p = &w->ep_head[ep_hash(&o->to.sa)]; *p != CW_NONE;
	    p = &w->v[*p].ep_next)
		if (*p == id) {
			*p = o->ep_next;
			break;
		}
	res_count(c, o->res, -1);
	if (o->restored)
		w->n_restored--;
	memset(o, 0, sizeof(*o));
	o->ep_next = w->free_head;
	w->free_head = id;
	w->n--;
	csrv_gauge(c);
	csrv_restore_dirty(c);
}

/* A free slot (room in every per-id array), or CW_NONE. */
static uint32_t
own_alloc(struct srv_own *w)
{
	uint32_t id;

	if (w->free_head != CW_NONE) {
		id = w->free_head;
		w->free_head = w->v[id].ep_next;
		return id;
	}
	if (w->n_slots == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 1024;
		struct own_obs *v;
		if (cap > OWN_MAX)
			cap = OWN_MAX;
		if (cap <= w->cap ||
		    (v = realloc(w->v, cap * sizeof(*v))) == NULL)
			return CW_NONE;
		w->v = v;
		if (!cw_heap_reserve(&w->heap, cap) ||
		    !cw_mids_reserve(&w->mids, cap))
			return CW_NONE;
		w->cap = cap;
	}
	return (uint32_t)w->n_slots++;
}

static struct own_obs *
own_add(struct alertcoap *c, const struct sockaddr *from, socklen_t fl,
    struct srv_res *u, const uint8_t *tok, size_t tkl, unsigned cf)
{
	struct srv_own *w = c->own;
	struct own_obs *o;
	uint32_t id, h;

	if (w->n >= OWN_MAX || fl > sizeof(o->to) ||
	    (id = own_alloc(w)) == CW_NONE)
		return NULL;
	o = &w->v[id];
	memset(o, 0, sizeof(*o));
	memcpy(&o->to, from, fl);
	o->tolen = fl;
	o->res = u;
	o->cf = (uint16_t)cf;
	memcpy(o->tok, tok, tkl);
	o->tok_len = (uint8_t)tkl;
	o->mid = (uint16_t)rand_u32();
	o->since_s = (uint64_t)time(NULL);
	h = ep_hash(from);
	o->ep_next = w->ep_head[h];
	w->ep_head[h] = id;
	res_count(c, u, 1);
	w->n++;
	csrv_gauge(c);
	csrv_restore_dirty(c);
	return o;
}

/* ---- hooks ---- */

static struct srv_res *
res_of(struct alertcoap *c, bool all, const char *area)
{
	coap_resource_t *r;

	if (all)
		r = c->all;
	else if (!area_code_valid(area) || !csrv_served(c, area) ||
	    (r = csrv_area_get(c, area, false)) == NULL)
		return NULL;
	return coap_resource_get_userdata(r);
}

bool
csrv_own_register(struct alertcoap *c, const coap_pdu_t *q,
    const struct sockaddr *from, socklen_t fl, bool all, const char *area,
    unsigned cf)
{
	struct srv_own *w = c->own;
	coap_bin_const_t tok = coap_pdu_get_token(q);
	bool con = coap_pdu_get_type(q) == COAP_MESSAGE_CON;
	struct own_obs *o = NULL;
	struct own_tail *t;
	struct srv_res *u;
	uint8_t hdr[4 + SRV_TOKEN_MAX], lim[CW_TAIL_MAX];
	struct iovec iov[2];
	struct msghdr mh;
	uint16_t mid;

	if (w == NULL || tok.length > SRV_TOKEN_MAX ||
	    (u = res_of(c, all, area)) == NULL ||
	    (t = tail_get(c, u, cf)) == NULL)
		return false;
	/* Take it off the socket: libcoap must not see it. */
	if (recv(c->udp_fd, hdr, 1, MSG_DONTWAIT) < 0)
		return false;
	atomic_fetch_add(&c->st_requests, 1);
	csrv_area_touch(c, u->r);
	for (uint32_t id = w->ep_head[ep_hash(from)]; id != CW_NONE;) {
		struct own_obs *x = &w->v[id];
		uint32_t next = x->ep_next;
		if (csrv_sa_eq(&x->to.sa, from)) {
			bool same_tok = x->tok_len == tok.length &&
			    memcmp(x->tok, tok.s, tok.length) == 0;
			if (same_tok && x->res == u && o == NULL) {
				o = x;          /* refresh (RFC 7641 §4.1) */
			} else if (same_tok || (x->res == u && x->cf == cf)) {
				own_del(c, id); /* replaced */
			}
		}
		id = next;
	}
	if (o != NULL) {
		o->cf = (uint16_t)cf;
		o->since_s = (uint64_t)time(NULL);
		if (o->restored) {
			o->restored = false;
			w->n_restored--;
			csrv_gauge(c);
		}
		csrv_restore_dirty(c);
	} else {
		o = own_add(c, from, fl, u, tok.s, tok.length, cf);
	}
	atomic_fetch_add(&c->st_registrations, 1);
	if (o == NULL) {
		/* RFC 7641 §4.1: full, answered without Observe. */
		struct alertcoap_set_info info;
		struct own_tail *lt = (void *)lim;
		rm_buf b = RM_BUF_INIT;
		struct cw_tail ct;
		rm_why why;
		if (csrv_body(c, u->r, all ? NULL : area, cf, &b, &info, &why)
		    != RM_OK) {
			rm_buf_fini(&b);
			return true;    /* the device asks again */
		}
		memset(&ct, 0, sizeof(ct));
		ct.etag = csrv_etag(b.data, b.len);
		ct.observe = -1;
		ct.cf = cf;
		ct.max_age_s = c->max_age_s;
		ct.body = b.data;
		ct.body_len = b.len;
		ct.block = 1024;
		lt->len = cw_tail(lt->data, sizeof(lim) - sizeof(*lt), &ct);
		rm_buf_fini(&b);
		t = lt;
	}
	if (con) {
		mid = coap_pdu_get_mid(q);
	} else if (o != NULL && o->out == NULL) {
		mid = ++o->mid;
		cw_mids_set(&w->mids, own_id(w, o), mid);
	} else {
		/* Full, or a CON still outstanding: its retransmissions keep
		 * its MID and its ACK must still match (RFC 7252 §4.4: a MID
		 * names one message), so this answer takes another. */
		mid = ++c->own_mid;
	}
	iov[0].iov_base = hdr;
	iov[0].iov_len = cw_header(hdr, con ? COAP_MESSAGE_ACK :
	    COAP_MESSAGE_NON, 0x45, mid, tok.s, tok.length);
	iov[1].iov_base = t->data;
	iov[1].iov_len = t->len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = (void *)from;
	mh.msg_namelen = fl;
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	if (sendmsg(c->udp_fd, &mh, MSG_DONTWAIT) < 0)
		atomic_fetch_add(&c->st_send_errors, 1);
	return true;
}

void
csrv_own_cancel(struct alertcoap *c, const struct sockaddr *from,
    const uint8_t *tok, size_t tkl)
{
	struct srv_own *w = c->own;

	if (w == NULL)
		return;
	for (uint32_t id = w->ep_head[ep_hash(from)]; id != CW_NONE;) {
		struct own_obs *x = &w->v[id];
		uint32_t next = x->ep_next;
		if (csrv_sa_eq(&x->to.sa, from) && x->tok_len == tkl &&
		    memcmp(x->tok, tok, tkl) == 0)
			own_del(c, id);
		id = next;
	}
}

bool
csrv_own_block_observe(struct alertcoap *c, const struct sockaddr *from,
    const uint8_t *tok, size_t tkl, coap_resource_t *r, bool last,
    uint32_t *observe)
{
	struct srv_own *w = c->own;
	struct srv_res *u = coap_resource_get_userdata(r);

	if (w == NULL || u == NULL)
		return false;
	for (uint32_t id = w->ep_head[ep_hash(from)]; id != CW_NONE;
	    id = w->v[id].ep_next) {
		const struct own_obs *x = &w->v[id];
		if (x->res != u || x->tok_len != tkl ||
		    memcmp(x->tok, tok, tkl) != 0 ||
		    !csrv_sa_eq(&x->to.sa, from))
			continue;
		if (last) {
			w->observe = (w->observe + 1) & 0xffffffu;
			csrv_restore_dirty(c);  /* the counter is saved */
		}
		*observe = w->observe;
		return true;
	}
	return false;
}

/* The observer whose last message to `from` had mid, or CW_NONE. */
static uint32_t
by_mid(struct srv_own *w, const struct sockaddr *from, uint16_t mid)
{
	for (uint32_t id = cw_mids_first(&w->mids, mid); id != CW_NONE;
	    id = cw_mids_next(&w->mids, id))
		if (w->v[id].res != NULL && w->v[id].mid == mid &&
		    csrv_sa_eq(&w->v[id].to.sa, from))
			return id;
	return CW_NONE;
}

bool
csrv_own_ack(struct alertcoap *c, const struct sockaddr *from, uint16_t mid)
{
	struct srv_own *w = c->own;
	struct own_obs *o;
	uint32_t id;

	if (w == NULL || (id = by_mid(w, from, mid)) == CW_NONE)
		return false;
	o = &w->v[id];
	if (o->out != NULL) {
		tail_release(o->out);
		o->out = NULL;
		cw_heap_del(&w->heap, id);
		atomic_fetch_add(&c->st_acks, 1);
	}
	return true;
}

bool
csrv_own_rst(struct alertcoap *c, const struct sockaddr *from, uint16_t mid)
{
	struct srv_own *w = c->own;
	uint32_t id;

	if (w == NULL || (id = by_mid(w, from, mid)) == CW_NONE)
		return false;
	own_del(c, id);
	return true;
}

void
csrv_own_mark(struct alertcoap *c, coap_resource_t *r)
{
	struct srv_res *u = coap_resource_get_userdata(r);

	if (u != NULL)
		u->hit_round = c->round;
}

void
csrv_own_round(struct alertcoap *c)
{
	struct srv_own *w = c->own;
	struct own_batch *b;
	uint64_t now_s = (uint64_t)time(NULL);
	rm_mono_ms now = rm_mono_now_ms();

	if (w == NULL)
		return;
	w->observe = (w->observe + 1) & 0xffffffu;
	csrv_restore_dirty(c);          /* the counter is saved too */
	if (w->n == 0 || (b = malloc(sizeof(*b))) == NULL)
		return;
	b->n = 0;
	/* Slots may be added (registrations read while draining) or freed
	 * (RSTs, cancels) during the loop: index, never a kept pointer. */
	for (size_t i = 0; i < w->n_slots; i++) {
		struct own_obs *o = &w->v[i];
		struct own_tail *t;
		if (o->res == NULL || o->res->hit_round != c->round)
			continue;
		if (o->restored && o->since_s + SRV_RESTORED_TTL_S < now_s) {
			own_del(c, (uint32_t)i);
			continue;
		}
		if ((t = tail_get(c, o->res, o->cf)) == NULL || t->unchanged)
			continue;
		if (o->restored)
			atomic_fetch_add(&c->st_restored_sent, 1);
		notify_one(c, b, o, t, now);
	}
	if (b->n > 0)
		batch_flush(c, b);
	free(b);
}

void
csrv_own_tick(struct alertcoap *c)
{
	struct srv_own *w = c->own;
	struct own_batch *b = NULL;
	rm_mono_ms now = rm_mono_now_ms();
	uint32_t id;
	int64_t due;

	if (w == NULL)
		return;
	for (size_t k = 0; k < OWN_MAX && cw_heap_top(&w->heap, &id, &due) &&
	    due <= now; k++) {
		struct own_obs *o = &w->v[id];
		if (o->out == NULL || o->retries >= OWN_MAX_RETRANSMIT) {
			if (o->out != NULL) {   /* RFC 7641 §4.5 */
				atomic_fetch_add(&c->st_dropped_no_ack, 1);
				own_del(c, id);
			} else {
				cw_heap_del(&w->heap, id);
			}
			continue;
		}
		if (b == NULL) {
			if ((b = malloc(sizeof(*b))) == NULL)
				break;
			b->n = 0;
		}
		o->retries++;
		o->timeout_ms *= 2;
		cw_heap_set(&w->heap, id, now + o->timeout_ms);
		atomic_fetch_add(&c->st_retransmits, 1);
		batch_add(c, b, o, COAP_MESSAGE_CON, o->out);
	}
	if (b != NULL && b->n > 0)
		batch_flush(c, b);
	free(b);
}

int
csrv_own_wait_ms(const struct alertcoap *c)
{
	uint32_t id;
	int64_t due, left;

	if (c->own == NULL || !cw_heap_top(&c->own->heap, &id, &due))
		return -1;
	left = due - rm_mono_now_ms();
	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

bool
csrv_own_restore(struct alertcoap *c, const struct srv_restored *r)
{
	struct own_obs *o;
	struct srv_res *u;

	if (c->own == NULL || (u = res_of(c, r->all, r->area)) == NULL ||
	    (o = own_add(c, (const struct sockaddr *)&r->to, r->tolen, u,
	    r->tok, r->tok_len, r->cf)) == NULL)
		return false;
	o->since_s = r->since_s;
	o->restored = true;
	c->own->n_restored++;
	csrv_gauge(c);
	return true;
}
