/*
 * coap_peek.c -- a look at the datagram libcoap 4.3.1 reads next, before
 * it reads it, for what libcoap does silently or wrongly:
 *
 *  - Block2 with Observe. A stack that fetches the later blocks of a
 *    notification with the registration's Observe: 0 and token (node-coap
 *    asks for Block2 1/0/1024 that way) gets 4.00 from libcoap's
 *    handle_request() (src/net.c: "block.num != 0" -> 400, before any
 *    handler runs), which then drops the observation (an error response
 *    to an Observe request). RFC 7959 §2.4 lets a client send Observe
 *    with later blocks, and RFC 7641 §3.1 says a request with Observe: 0
 *    on an existing token only refreshes the registration. Such a
 *    request never reaches libcoap: this file takes it off the socket
 *    and answers it as a block fetch of the current representation
 *    (same format, same ETag as the block-0 notification when the set
 *    did not change; a changed set has a new ETag, as RFC 7959 §2.4
 *    wants), leaving the observation as it is. To the registered
 *    observer the answer carries Observe (its last block a new value),
 *    else node-coap drops the reassembled body as stale: it takes the
 *    Observe of the message that completed the body, and none reads 0.
 *  - RSTs that libcoap handles without a callback: an RST to a message
 *    that is not in its send queue (a non-confirmable notification)
 *    drops the observation whose last message had that MID
 *    (coap_dispatch()). Noted here, mirrored in the tally afterwards.
 *  - GET with Observe: 1 that libcoap answers from its block-wise
 *    state without calling our handler: the cancellation is mirrored.
 *  - Runts (under 4 bytes): libcoap drops them without a word; they are
 *    counted as malformed here.
 *
 * Why a peek is exact: the server thread takes libcoap's endpoint
 * socket out of libcoap's epoll set (its registration's data pointer
 * is read from /proc/self/fdinfo) and into its own; when it is
 * readable the thread peeks, then hands libcoap exactly one read with
 * coap_io_do_epoll() and that pointer (coap_read_endpoint() reads one
 * datagram per event). So every datagram is seen before libcoap reads
 * it, even the answers to what libcoap sends inside coap_io_process().
 * Without epoll, or when the socket or its pointer cannot be found
 * (udp_fd -1, logged), nothing here runs. Cost: one recvfrom(MSG_PEEK)
 * per datagram.
 */
#define _GNU_SOURCE     /* sendmmsg(), SO_RXQ_OVFL, SO_*BUFFORCE */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "node/coap/coap_own_int.h"

#define PEEK_MAX    1600    /* larger datagrams are left to libcoap */
#define PEEK_SZX    6       /* 1024-byte blocks at most */

bool
csrv_sa_eq(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return false;
}

/* libcoap's epoll registration of udp_fd: read its data pointer, then
 * take the socket out of libcoap's set. */
static bool
srv_take_socket(struct alertcoap *c)
{
	int epfd = coap_context_get_coap_fd(c->ctx);
	char path[64], line[256];
	unsigned long long data = 0;
	bool found = false;
	FILE *f;

	if (epfd < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", epfd);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		int tfd;
		unsigned ev;
		found = sscanf(line, "tfd: %d events: %x data: %llx", &tfd, &ev,
		    &data) == 3 && tfd == c->udp_fd && data != 0;
	}
	fclose(f);
	if (!found || epoll_ctl(epfd, EPOLL_CTL_DEL, c->udp_fd, NULL) != 0)
		return false;
	c->udp_ptr = (void *)(uintptr_t)data;
	return true;
}

void
csrv_peek_fini(struct alertcoap *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int epfd = coap_context_get_coap_fd(c->ctx);

	if (c->udp_fd < 0 || c->udp_ptr == NULL || epfd < 0)
		return;
	if (c->ep_fd >= 0)
		(void)epoll_ctl(c->ep_fd, EPOLL_CTL_DEL, c->udp_fd, NULL);
	ev.data.ptr = c->udp_ptr;
	(void)epoll_ctl(epfd, EPOLL_CTL_ADD, c->udp_fd, &ev);
}

void
csrv_peek_init(struct alertcoap *c, const coap_address_t *bound)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	c->udp_fd = -1;
	coap_prng(&c->own_mid, sizeof(c->own_mid));
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct sockaddr_storage ss;
		socklen_t l = sizeof(ss), tl;
		int fd = atoi(e->d_name), type = 0;

		tl = sizeof(type);
		if (fd <= 2 || fd == dirfd(d) ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 ||
		    type != SOCK_DGRAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &l) != 0)
			continue;
		if (csrv_sa_eq((struct sockaddr *)&ss, &bound->addr.sa)) {
			c->udp_fd = fd;
			break;
		}
	}
	closedir(d);
	if (c->udp_fd >= 0 && !srv_take_socket(c))
		c->udp_fd = -1;
	if (c->udp_fd < 0)
		rm_log(RM_LOG_WARN, SRV_TAG, "cannot find libcoap's socket: "
		    "Block2 requests with Observe get libcoap's 4.00");
}

/* Answer request q (already taken off the socket) for block blk of
 * resource r in format cf: 2.05 with the block, or an error. To an own
 * observer (endpoint and token of its registration) the answer carries
 * Observe, the last block a new value (csrv_own_block_observe()): a
 * stack that reassembles the body and takes the Observe of the message
 * that completed it (node-coap 1.5 does, and drops a body whose Observe
 * is absent or not newer as stale, RFC 7641 §3.4) gets every body. */
static void
srv_block_answer(struct alertcoap *c, coap_resource_t *r, const char *area,
    const coap_pdu_t *q, coap_block_t blk, unsigned cf,
    const struct sockaddr *to, socklen_t tolen)
{
	uint8_t out[PEEK_MAX], v[8];
	coap_bin_const_t tok = coap_pdu_get_token(q);
	rm_buf b = RM_BUF_INIT;
	const char *err = NULL;
	unsigned last = 0, szx = blk.szx > PEEK_SZX ? PEEK_SZX : blk.szx;
	size_t bs = (size_t)1 << (szx + 4), off = 0, n = 0, take = 0;
	uint8_t code = 0x45; /* 2.05 */
	rm_why why;
	bool more = false;

	if (!alertcoap_cf_supported(cf)) {
		code = 0x86;
		err = "Accept: text/plain (0), application/cose (18), "
		    "application/json (50) or application/cbor (60)";
	} else if (csrv_body(c, r, area, cf, &b, NULL, &why) != RM_OK) {
		rm_log(RM_LOG_ERR, SRV_TAG, "%s", why.msg);
		code = 0xa0;
		err = "cannot read alerts";
	} else if ((off = (size_t)blk.num * bs) >= b.len) {
		code = 0x82; /* 4.02 Bad Option: no such block */
		err = "Block2 beyond the body";
	} else {
		take = b.len - off < bs ? b.len - off : bs;
		more = off + take < b.len;
	}
	out[n++] = (uint8_t)(1 << 6 |
	    (coap_pdu_get_type(q) == COAP_MESSAGE_CON ? COAP_MESSAGE_ACK :
	    COAP_MESSAGE_NON) << 4 | tok.length);
	out[n++] = code;
	if (coap_pdu_get_type(q) == COAP_MESSAGE_CON) {
		out[n++] = (uint8_t)(coap_pdu_get_mid(q) >> 8);
		out[n++] = (uint8_t)coap_pdu_get_mid(q);
	} else {
		c->own_mid++;
		out[n++] = (uint8_t)(c->own_mid >> 8);
		out[n++] = (uint8_t)c->own_mid;
	}
	memcpy(out + n, tok.s, tok.length);
	n += tok.length;
	if (err == NULL) {
		uint64_t etag = csrv_etag(b.data, b.len);
		uint32_t obs;
		n += cw_opt(out + n, &last, COAP_OPTION_ETAG, v,
		    coap_encode_var_safe8(v, sizeof(v), etag));
		if (csrv_own_block_observe(c, to, tok.s, tok.length, r, !more,
		    &obs))
			n += cw_opt(out + n, &last, COAP_OPTION_OBSERVE, v,
			    cw_uint(v, obs));
		n += cw_opt(out + n, &last, COAP_OPTION_CONTENT_FORMAT, v,
		    cw_uint(v, cf));
		n += cw_opt(out + n, &last, COAP_OPTION_MAXAGE, v,
		    cw_uint(v, (uint64_t)c->max_age_s));
		n += cw_opt(out + n, &last, COAP_OPTION_BLOCK2, v,
		    cw_uint(v, (uint64_t)blk.num << 4 | (more ? 8u : 0u) |
		    szx));
		n += cw_opt(out + n, &last, COAP_OPTION_SIZE2, v,
		    cw_uint(v, b.len));
		if (take > 0) {
			out[n++] = 0xff;
			memcpy(out + n, b.data + off, take);
			n += take;
		}
	} else {
		out[n++] = 0xff;
		memcpy(out + n, err, strlen(err));
		n += strlen(err);
	}
	rm_buf_fini(&b);
	if (sendto(c->udp_fd, out, n, 0, to, tolen) < 0)
		rm_log(RM_LOG_DEBUG, SRV_TAG, "block answer: %s",
		    strerror(errno));
}

/* The resource a request path names ("alerts" or "alerts/<code>"),
 * existing ones only; *named: the path has one of these forms. */
static coap_resource_t *
srv_res_of(struct alertcoap *c, const coap_pdu_t *q, srv_code area,
    bool *all, bool *named)
{
	coap_string_t *p = coap_get_uri_path(q);
	const size_t plen = sizeof(SRV_PREFIX) - 1;
	coap_resource_t *r = NULL;

	area[0] = '\0';
	*all = *named = false;
	if (p == NULL)
		return NULL;
	if (p->length == 6 && memcmp(p->s, "alerts", 6) == 0) {
		*all = true;
		r = c->all;
	} else if (p->length > plen && p->length - plen <= RM_AREA_CODE_MAX &&
	    memcmp(p->s, SRV_PREFIX, plen) == 0) {
		memcpy(area, p->s + plen, p->length - plen);
		area[p->length - plen] = '\0';
		r = csrv_area_find(c, area);
		*named = true;
	}
	*named = *named || *all;
	coap_delete_string(p);
	return r;
}

static unsigned
srv_accept(const coap_pdu_t *q)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(q, COAP_OPTION_ACCEPT, &it);

	if (o == NULL)
		return ALERTCOAP_CF_TEXT;
	return coap_opt_length(o) > 2 ? ~0u : coap_decode_var_bytes(
	    coap_opt_value(o), coap_opt_length(o));
}

/* Only options this file understands: a critical option it does not
 * know (RFC 7252 §5.4.1: 4.02, Proxy-Uri 5.05) or a second Accept or
 * Block2 (§5.4.5: a repeated non-repeatable critical option is
 * unrecognised) leaves the request to libcoap, which answers it as it
 * always did; nothing is registered. */
static bool
srv_options_ok(const coap_pdu_t *q)
{
	coap_opt_iterator_t it;
	coap_opt_t *o;
	unsigned accept = 0, block2 = 0;

	coap_option_iterator_init(q, &it, COAP_OPT_ALL);
	while ((o = coap_option_next(&it)) != NULL) {
		switch (it.number) {
		case COAP_OPTION_ACCEPT:
			if (++accept > 1)
				return false;
			break;
		case COAP_OPTION_BLOCK2:
			if (++block2 > 1)
				return false;
			break;
		case COAP_OPTION_URI_HOST:
		case COAP_OPTION_URI_PORT:
		case COAP_OPTION_URI_PATH:
		case COAP_OPTION_URI_QUERY:
			break;
		default:
			if (it.number & 1)      /* critical */
				return false;
		}
	}
	return true;
}

static bool
srv_peek_get(struct alertcoap *c, uint8_t *buf, size_t n,
    const struct sockaddr *from, socklen_t fl)
{
	coap_opt_iterator_t it;
	coap_pdu_t *q = coap_pdu_init(0, 0, 0, PEEK_MAX);
	coap_resource_t *r;
	coap_opt_t *o;
	coap_block_t blk;
	coap_bin_const_t tok;
	unsigned obs, cf;
	srv_code area;
	bool all, named, has_blk;

	if (q == NULL || !coap_pdu_parse(COAP_PROTO_UDP, buf, n, q))
		goto done;
	if ((o = coap_check_option(q, COAP_OPTION_OBSERVE, &it)) == NULL ||
	    coap_opt_length(o) > 3)
		goto done;
	r = srv_res_of(c, q, area, &all, &named);
	/* coap_allow_unregistered = no: libcoap's handler answers 4.01 */
	if (!named || !c->allow_plain)
		goto done;
	obs = coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o));
	tok = coap_pdu_get_token(q);
	if (obs == COAP_OBSERVE_CANCEL) {
		csrv_own_cancel(c, from, tok.s, tok.length);
		if (r == NULL)
			goto done;
		c->peek.cancel = true;
		c->peek.tok_len = tok.length;
		memcpy(c->peek.tok, tok.s, tok.length);
		memcpy(c->peek.area, area, sizeof(area));
		c->peek.all = all;
		goto done;
	}
	if (obs != COAP_OBSERVE_ESTABLISH || !srv_options_ok(q))
		goto done;
	cf = srv_accept(q);
	has_blk = coap_get_block(q, COAP_OPTION_BLOCK2, &blk);
	if (!has_blk || blk.num == 0) {
		/* A registration: the own engine (coap_own.c). */
		if (alertcoap_cf_supported(cf) &&
		    csrv_own_register(c, q, from, fl, all, area, cf)) {
			coap_delete_pdu(q);
			c->peek_consumed = true;
			return true;
		}
		goto done;
	}
	if (r == NULL)
		goto done;
	/* Take it off the socket: libcoap must not see it. */
	if (recv(c->udp_fd, buf, n, MSG_DONTWAIT) < 0)
		goto done;
	atomic_fetch_add(&c->st_requests, 1);
	csrv_area_touch(c, r);
	srv_block_answer(c, r, all ? NULL : area, q, blk, cf, from, fl);
	coap_delete_pdu(q);
	c->peek_consumed = true;
	/* coap_notify_observers() holds this session's next notification
	 * until 2 s after its last block-wise one: look again then (DTLS
	 * or libcoap-held observers only). */
	c->block_wake_ms = rm_mono_now_ms() + 2100;
	return true;
done:
	coap_delete_pdu(q);
	return false;
}

/* Take the peeked datagram off the socket (it was ours). */
static bool
srv_consume(struct alertcoap *c)
{
	uint8_t b[4];

	if (recv(c->udp_fd, b, sizeof(b), MSG_DONTWAIT) < 0)
		return false;
	c->peek_consumed = true;
	return true;
}

bool
csrv_peek_before(struct alertcoap *c)
{
	uint8_t buf[PEEK_MAX];
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(uint32_t))];
	} ctl;
	struct sockaddr_storage from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh;
	struct cmsghdr *cm;
	unsigned long long more = 0;
	socklen_t fl;
	ssize_t n;

	c->peek.rst = c->peek.cancel = false;
	c->peek_consumed = false;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof(ctl.b);
	n = recvmsg(c->udp_fd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return false;
	fl = mh.msg_namelen;
	/* SO_RXQ_OVFL (coap_own.c): datagrams the kernel dropped on this
	 * socket so far, a cumulative count. */
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SO_RXQ_OVFL) {
			uint32_t d;
			memcpy(&d, CMSG_DATA(cm), sizeof(d));
			atomic_store(&c->st_sock_drops, d);
		}
	if ((size_t)n > sizeof(buf) || fl > sizeof(c->peek.from.addr))
		return true;
	if (n < 4) {
		/* coap_handle_dgram() ignores runts without a word. */
		atomic_fetch_add(&c->st_malformed, 1);
		if (rm_log_allow(&c->junk_log, &more))
			rm_log(RM_LOG_INFO, SRV_TAG, "runt datagram of %zd "
			    "bytes ignored (%llu similar lines not logged)",
			    n, more);
		return true;
	}
	if (buf[0] >> 6 != 1)
		return true;
	coap_address_init(&c->peek.from);
	memcpy(&c->peek.from.addr, &from, fl);
	c->peek.from.size = fl;
	if ((buf[0] >> 4 & 3) == COAP_MESSAGE_ACK && buf[1] == 0) {
		/* An ACK to one of our CON notifications. */
		if (csrv_own_ack(c, (struct sockaddr *)&from,
		    (uint16_t)(buf[2] << 8 | buf[3])))
			return !srv_consume(c);
	} else if ((buf[0] >> 4 & 3) == COAP_MESSAGE_RST && buf[1] == 0) {
		if (csrv_own_rst(c, (struct sockaddr *)&from,
		    (uint16_t)(buf[2] << 8 | buf[3])))
			return !srv_consume(c);
		c->peek.rst = true;
		c->peek.mid = buf[2] << 8 | buf[3];
	} else if (buf[1] == COAP_REQUEST_CODE_GET &&
	    (buf[0] >> 4 & 3) <= COAP_MESSAGE_NON) {
		return !srv_peek_get(c, buf, (size_t)n,
		    (struct sockaddr *)&from, fl);
	}
	return true;
}

int
csrv_peek_read(struct alertcoap *c)
{
	struct epoll_event ev = { .events = EPOLLIN };

	for (int i = 0; i < SRV_PEEK_BURST; i++) {
		bool lib;
		if (!(lib = csrv_peek_before(c)) && !c->peek_consumed)
			return i;           /* nothing to read */
		if (lib) {
			ev.data.ptr = c->udp_ptr;
			coap_io_do_epoll(c->ctx, &ev, 1);
		}
		csrv_peek_after(c);
	}
	return SRV_PEEK_BURST;
}

void
csrv_peek_after(struct alertcoap *c)
{
	coap_bin_const_t tok;
	coap_resource_t *r = NULL;

	if (!c->peek.rst && !c->peek.cancel)
		return;
	if (c->peek.cancel)
		r = c->peek.all ? c->all : csrv_area_find(c, c->peek.area);
	tok.length = c->peek.tok_len;
	tok.s = c->peek.tok;
	for (size_t i = c->n_obs; i-- > 0;) {
		struct srv_obs *o = &c->obs[i];
		const coap_address_t *a = coap_session_get_addr_remote(o->s);
		if (a == NULL || !csrv_sa_eq(&a->addr.sa, &c->peek.from.addr.sa))
			continue;
		if (c->peek.rst && o->mid == c->peek.mid) {
			csrv_obs_forget(c, o->s, o->r, (coap_bin_const_t){
			    o->tok_len, o->tok });
			break;  /* one per RST, as in coap_dispatch() */
		}
		if (c->peek.cancel && o->r == r) {
			csrv_obs_forget(c, o->s, r, tok);
			break;
		}
	}
	c->peek.rst = c->peek.cancel = false;
}
