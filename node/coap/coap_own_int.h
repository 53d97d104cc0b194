/*
 * coap_own_int.h -- private to node/coap_*.c: the server's own observe
 * engine for plain-UDP observers (coap_own.c; why and how at its top).
 * Server thread only, like coap_int.h.
 */
#ifndef RM_NODE_COAP_OWN_INT_H
#define RM_NODE_COAP_OWN_INT_H

#include <netinet/in.h>

#include "node/coap/coap_int.h"
#include "node/coap/coap_wire.h"

#define OWN_MAX           100000  /* observers in the table (RFC 7641 §4.1:
                                     beyond, answered without Observe) */
#define OWN_BATCH         64      /* datagrams per sendmmsg() */
#define OWN_ACK_TIMEOUT_MS 2000   /* RFC 7252 §4.8 ACK_TIMEOUT */
#define OWN_MAX_RETRANSMIT 4      /* RFC 7252 §4.8 MAX_RETRANSMIT */
#define OWN_SOCKBUF_BYTES (8 * 1024 * 1024) /* asked for SO_RCVBUF/SNDBUF */
#define OWN_EP_BUCKETS    65536   /* endpoint hash */
#define OWN_OBSERVE_FIRST (1u << 22) /* Observe counter with no file */
#define OWN_OBSERVE_SLACK 4096    /* added after a restart (kill -9) */

union own_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* Options and payload shared by every observer of one resource in one
 * content format in one round; reference counted (the resource holds
 * one, each outstanding CON another). */
struct own_tail {
	unsigned refs;
	unsigned type;          /* COAP_MESSAGE_CON or _NON */
	bool unchanged;         /* the body the resource's observers in this
	                           format were last sent: no notification */
	size_t len;
	uint8_t data[];
};

struct own_obs {
	union own_addr to;
	socklen_t tolen;
	struct srv_res *res;    /* NULL: a free slot */
	struct own_tail *out;   /* the outstanding CON's tail, or NULL */
	uint64_t since_s;       /* Unix s: registration (restored: as saved) */
	uint32_t ep_next;       /* endpoint chain; free list when free */
	uint32_t timeout_ms;    /* current retransmission timeout */
	uint16_t mid;           /* of the last message sent to it */
	uint16_t cf;            /* content format */
	uint8_t tok[SRV_TOKEN_MAX];
	uint8_t tok_len;
	uint8_t retries;        /* retransmissions of the outstanding CON */
	bool restored;          /* read from the file, not registered since */
};

struct srv_own {
	struct own_obs *v;      /* slots 0..n_slots */
	size_t n_slots, cap;
	size_t n;               /* observers */
	size_t n_restored;      /* of those, restored */
	uint32_t free_head;     /* CW_NONE: none */
	uint32_t ep_head[OWN_EP_BUCKETS];
	struct cw_heap heap;    /* outstanding CONs by deadline (mono ms) */
	struct cw_mids mids;    /* last MID of each observer */
	uint32_t observe;       /* server's Observe counter, mod 2^24 */
};

/* Start the engine on udp_fd (after csrv_peek_init()): socket buffers,
 * SO_RXQ_OVFL. Without udp_fd it stays off (c->own NULL) and libcoap
 * keeps every observer. RM_OK or RM_ENOMEM. */
int csrv_own_init(struct alertcoap *c, rm_why *why);
void csrv_own_fini(struct alertcoap *c);
/* libcoap's user-data release for our resources: drops tails, frees. */
void csrv_res_release(void *p);
/* The observers gauge: own table + libcoap's tally. */
void csrv_gauge(struct alertcoap *c);

/* coap_peek.c hooks. A plain-UDP GET with Observe: 0 (block 0 or no
 * Block2), supported Accept cf, on /alerts (all) or a served area:
 * registered and answered here; false: leave it to libcoap. */
bool csrv_own_register(struct alertcoap *c, const coap_pdu_t *q,
    const struct sockaddr *from, socklen_t fl, bool all, const char *area,
    unsigned cf);
/* GET with Observe: 1 from `from` with token t: that observer ends. */
void csrv_own_cancel(struct alertcoap *c, const struct sockaddr *from,
    const uint8_t *tok, size_t tkl);
/* A later block (Block2 num > 0) asked for with Observe: 0 on the
 * token tok from `from` (node-coap, coap_peek.c): true when that is an
 * own observer of resource r; then *observe is the Observe value for
 * the answer: the counter, advanced by one first when the block is the
 * body's last (`last`), so the completed body is always newer (RFC 7641
 * §3.4) than every notification and block answer before it. false: no
 * such observer, answer without Observe (RFC 7641 §4.1). */
bool csrv_own_block_observe(struct alertcoap *c, const struct sockaddr *from,
    const uint8_t *tok, size_t tkl, coap_resource_t *r, bool last,
    uint32_t *observe);
/* An empty ACK / RST from `from` for mid: true when it was for one of
 * our notifications (then consumed: libcoap must not see it). */
bool csrv_own_ack(struct alertcoap *c, const struct sockaddr *from,
    uint16_t mid);
bool csrv_own_rst(struct alertcoap *c, const struct sockaddr *from,
    uint16_t mid);

/* coap_srv.c hooks. Resource u changes in this round. */
void csrv_own_mark(struct alertcoap *c, coap_resource_t *r);
/* Send this round's notifications to the own observers of the marked
 * resources (after the marks, c->round already advanced). */
void csrv_own_round(struct alertcoap *c);
/* Retransmit what is due, drop observers that never acknowledged. */
void csrv_own_tick(struct alertcoap *c);
/* Milliseconds until the next retransmission, -1 none. */
int csrv_own_wait_ms(const struct alertcoap *c);

/* coap_restore.c hooks: one observer read back (restored), false when
 * the table is full or its resource cannot be made. */
bool csrv_own_restore(struct alertcoap *c, const struct srv_restored *r);

#endif /* RM_NODE_COAP_OWN_INT_H */
