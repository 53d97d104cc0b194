/*
 * coap_int.h -- private to node/coap_*.c: the server object and the
 * functions its files share. libcoap types stay behind this header;
 * nothing outside node/coap_*.c includes it.
 *
 * Thread rules: everything here runs on the server thread, or before it
 * starts / after it was joined, except the fields marked otherwise.
 */
#ifndef RM_NODE_COAP_INT_H
#define RM_NODE_COAP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include <coap3/coap.h>

#include "node/coap/coap_srv.h"

#define SRV_TAG         "coap"
#define SRV_PENDING_MAX 256   /* changed area codes kept per round */
#define SRV_PREFIX      "alerts/"
#define SRV_TOKEN_MAX   8     /* RFC 7252 §3 */
#define SRV_FULL_LOG_MS 60000 /* at most one "table full" warning a minute */
#define SRV_CF_LINK     40    /* application/link-format (RFC 6690) */
#define SRV_CACHE_MAX   8     /* bodies kept per notification round */
#define SRV_PEEK_BURST  32    /* datagrams per csrv_peek_read() */
#define SRV_RESTORED_TTL_S (24 * 3600) /* ... notified at most this long */
#define SRV_HS_MAX      1024  /* DTLS handshakes watched at once */
#define SRV_HS_TIMEOUT_MS 10000 /* a handshake not done by then failed */

/* A DTLS handshake in progress (coap_dtls.c). */
struct srv_hs {
	coap_session_t *s;
	rm_mono_ms deadline;
};

typedef char srv_code[RM_AREA_CODE_MAX + 1];

/* user_data of each resource; freed by libcoap through free(). */
struct srv_res {
	struct alertcoap *srv;
	bool all;               /* /alerts */
	bool fixed;             /* /alerts, pre-created areas: never evicted */
	srv_code area;          /* area resources */
	uint64_t used;          /* c->tick at the last request (LRU) */
	size_t n_obs;           /* observations in the tally and the own
	                           table (coap_own.c) */
	coap_resource_t *r;     /* the resource itself */
	uint64_t hit_round;     /* changed in this round (coap_own.c) */
	uint64_t tail_round;    /* tail[] built in this round */
	struct own_tail *tail[4]; /* by content format (coap_own.c) */
	uint64_t sent_etag[4];  /* ETag of the body last notified, by
	                           content format; valid if sent_valid */
	bool sent_valid[4];
};

struct srv_area {
	srv_code code;
	coap_resource_t *r;
};

/* A body rendered for notifications in round `round` (coap_res.c). */
struct srv_cached {
	uint64_t round;
	coap_resource_t *r;
	srv_code area;          /* "" for /alerts */
	unsigned cf;
	rm_buf body;
	struct alertcoap_set_info info;
};

/* One observation, as far as the server can tell (see coap_srv.h). */
struct srv_obs {
	coap_session_t *s;
	coap_resource_t *r;
	uint8_t tok[SRV_TOKEN_MAX];
	size_t tok_len;
	unsigned cf;
	coap_mid_t mid;         /* of the last message libcoap built on this
	                           observation (its RST silently ends it) */
};

struct own_tail;
struct srv_own;

/* An observation read from the observers file (coap_restore.c). */
struct srv_restored {
	struct sockaddr_storage to;
	socklen_t tolen;
	uint8_t tok[SRV_TOKEN_MAX];
	size_t tok_len;
	bool all;               /* /alerts, else area */
	srv_code area;
	unsigned cf;
	uint64_t since_s;       /* Unix s of its registration or last save */
};

/* What the peek at the next datagram saw (coap_peek.c). */
struct srv_peek {
	bool rst;               /* an RST: mid below */
	bool cancel;            /* GET with Observe: 1: token and path below */
	coap_mid_t mid;
	coap_address_t from;
	uint8_t tok[SRV_TOKEN_MAX];
	size_t tok_len;
	srv_code area;          /* "" for /alerts */
	bool all;
};

struct alertcoap {
	coap_context_t *ctx;
	struct alertcoap_provider provider;
	int max_age_s;
	uint32_t ack_timeout_ms; /* alertcoap_opts.ack_timeout_ms */
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	int wake_fd;            /* eventfd: written by notify and stop */
	int ep_fd;              /* {libcoap's epoll fd, wake_fd}; -1 when
	                           libcoap has no epoll (coap_srv.c) */
	int udp_fd;             /* libcoap's endpoint socket, found after
	                           bind (coap_peek.c); -1 = unknown */
	void *udp_ptr;          /* libcoap's epoll data for udp_fd */
	struct srv_peek peek;   /* server thread */
	bool peek_consumed;
	bool udp_ready;         /* epoll said udp_fd is readable */
	rm_mono_ms block_wake_ms; /* wake then: see srv_round_epoll() */     /* the peeked datagram was answered here */
	uint16_t own_mid;       /* MIDs of the responses coap_peek.c sends */

	pthread_mutex_t mu;     /* any thread: guards the pending_* fields */
	bool pending_any;
	bool pending_all;
	size_t n_pending;
	srv_code pending[SRV_PENDING_MAX];

	/* Server thread only (and start/stop around it). */
	coap_resource_t *all;
	/* Area resources: the n_fixed pre-created ones first (eviction
	 * swaps the last entry into the freed slot, so they stay first). */
	struct srv_area *areas;
	size_t n_areas, cap_areas, n_fixed;
	srv_code *served;       /* served prefixes; none = all served */
	size_t n_served;
	uint64_t tick;          /* request clock for the LRU */
	rm_mono_ms full_log_ms; /* last "table full" warning, 0 = never */
	uint64_t full_evicted;  /* since that warning */
	uint64_t full_refused;
	bool closing;           /* coap_free_context() is running */
	struct srv_obs *obs;
	size_t n_obs, cap_obs;
	size_t obs_hint;        /* where csrv_obs_find() starts (coap_obs.c) */
	rm_utc_ms next_expiry_ms;
	uintptr_t last_released;
	/* Observers kept across restarts (coap_restore.c). */
	char *observers_file;   /* NULL: not kept */
	bool obs_dirty;         /* the file is behind the tally */
	rm_mono_ms obs_saved_ms;
	struct srv_own *own;    /* plain-UDP observers (coap_own.c); NULL
	                           when udp_fd is unknown */
	/* Notification rounds: one per batch of changes taken by the
	 * thread. Every observer of a resource notified in one round gets
	 * the same body, rendered once per content format. */
	uint64_t round;
	struct srv_cached cache[SRV_CACHE_MAX];

	/* Any thread. */
	atomic_uint_fast64_t st_requests;
	atomic_uint_fast64_t st_notifications;
	atomic_uint_fast64_t st_observers;
	atomic_uint_fast64_t st_resources;
	atomic_uint_fast64_t st_evicted;
	atomic_uint_fast64_t st_malformed;
	atomic_uint_fast64_t st_left_out;  /* alertcoap_stats.left_out */
	atomic_uint_fast64_t st_block_obs; /* Block2 fetches with Observe */
	atomic_uint_fast64_t st_restored;  /* restored observers left */
	atomic_uint_fast64_t st_restored_sent;
	atomic_uint_fast64_t st_dtls_ok;
	atomic_uint_fast64_t st_dtls_failed;
	atomic_uint_fast64_t st_psk_unknown;
	atomic_uint_fast64_t st_plain_refused;
	bool allow_plain;       /* !alertcoap_opts.registered_only */
	struct alertcoap_devices devices;
	rm_log_limit dtls_log;  /* refused handshakes and receipts */
	struct srv_hs hs[SRV_HS_MAX]; /* server thread: handshakes watched */
	size_t n_hs;
	atomic_uint_fast64_t st_registrations; /* own engine (coap_own.c) */
	atomic_uint_fast64_t st_sent_non;
	atomic_uint_fast64_t st_sent_con;
	atomic_uint_fast64_t st_retransmits;
	atomic_uint_fast64_t st_acks;
	atomic_uint_fast64_t st_dropped_no_ack;
	atomic_uint_fast64_t st_send_errors;
	atomic_uint_fast64_t st_sock_drops; /* SO_RXQ_OVFL, udp_fd */
	rm_log_limit junk_log;  /* malformed datagrams: a sample logged */
	rm_log_limit lib_log;   /* every other libcoap line */
};

/* coap_obs.c: libcoap start-up (reference counted, process-wide; routes
 * libcoap's log into rm_log at warnings and above, info when rm_log is
 * at debug) and the observation tally. */
void csrv_lib_acquire(void);
void csrv_lib_release(void);
/* Index of the observation (session s, resource r or any if NULL,
 * token t), or -1. */
ssize_t csrv_obs_find(struct alertcoap *c, coap_session_t *s,
    coap_resource_t *r, coap_bin_const_t t);
/* A registration libcoap accepted: replaces the same session's earlier
 * one on r with the same token or Accept (as libcoap does). */
void csrv_obs_add(struct alertcoap *c, coap_session_t *s, coap_resource_t *r,
    coap_bin_const_t t, unsigned cf);
/* Drop the observations of s (on r, or any if NULL; token t, or any if
 * t.s is NULL). */
void csrv_obs_forget(struct alertcoap *c, coap_session_t *s,
    coap_resource_t *r, coap_bin_const_t t);
/* The mid of the message libcoap just built for observation (s, r, t). */
void csrv_obs_sent(struct alertcoap *c, coap_session_t *s, coap_resource_t *r,
    coap_bin_const_t t, coap_mid_t mid);
/* Context handlers that keep the tally: RST (nack) and session end. */
void csrv_nack(coap_session_t *s, const coap_pdu_t *sent,
    coap_nack_reason_t why, coap_mid_t mid);
int csrv_event(coap_session_t *s, const coap_event_t ev);

/* coap_res.c: resources and their GET handlers. */
/* Create and register /alerts (area NULL) or /alerts/<area>; NULL when
 * out of memory. */
coap_resource_t *csrv_res_new(struct alertcoap *c, const char *area);
/* Answer resp with 2.05 and body p[0..n) in content format cf, with
 * Max-Age, ETag and Block2 as needed (libcoap's large-body API on
 * resource r); on failure an error code and text. */
void csrv_send_body(struct alertcoap *c, coap_resource_t *r,
    coap_session_t *s, const coap_pdu_t *req, const coap_string_t *q,
    coap_pdu_t *resp, unsigned cf, const uint8_t *p, size_t n);
/* Set an error code and a short diagnostic payload on resp. */
void csrv_error(coap_pdu_t *resp, coap_pdu_code_t code, const char *text);
/* Free the notification bodies (at shutdown). */
void csrv_cache_fini(struct alertcoap *c);
/* GET handler of libcoap's unknown resource: 4.04, or the area
 * resource created and the request answered, or (Observe GET)
 * re-dispatched to it through coap_register_async() (coap_srv.h). */
void csrv_hnd_unknown(coap_resource_t *r, coap_session_t *s,
    const coap_pdu_t *req, const coap_string_t *q, coap_pdu_t *resp);

/* The body (appended to out) and set (info, may be NULL) of resource r
 * (area NULL = /alerts) in format cf at now, from the round's cache or
 * rendered and cached (coap_res.c); RM_OK or the error of
 * alertcoap_render(). */
int csrv_body(struct alertcoap *c, coap_resource_t *r, const char *area,
    unsigned cf, rm_buf *out, struct alertcoap_set_info *info, rm_why *why);
uint64_t csrv_etag(const uint8_t *p, size_t n);

/* coap_peek.c: a look at the datagram libcoap reads next, before it
 * does (see the top of coap_peek.c). */
/* Find libcoap's endpoint socket after bind (by its local address). */
void csrv_peek_init(struct alertcoap *c, const coap_address_t *bound);
/* Look at the next datagram: count runts, note an RST or an Observe
 * cancel, and answer a Block2 request with Observe: 0 for a later
 * block itself (taken off the socket: it never reaches libcoap).
 * True when libcoap should read the datagram; false when there is
 * none or it was answered here (peek_consumed). */
bool csrv_peek_before(struct alertcoap *c);
/* Give udp_fd back to libcoap's epoll set (before it closes it). */
void csrv_peek_fini(struct alertcoap *c);
/* udp_fd is readable: peek, hand libcoap one read, mirror, up to
 * SRV_PEEK_BURST datagrams; how many were handled (fewer: the socket
 * is empty). */
int csrv_peek_read(struct alertcoap *c);
/* After coap_io_process(): mirror in the tally what libcoap did with
 * the noted RST or cancel. */
void csrv_peek_after(struct alertcoap *c);
/* Same family, address and port. */
bool csrv_sa_eq(const struct sockaddr *a, const struct sockaddr *b);
/* The server running on this thread, for the log handler (coap_obs.c). */
void csrv_set_current(struct alertcoap *c);

/* coap_dtls.c: registered devices (coaps://, /receipts). */
/* PSK callback and the DTLS endpoint on addr. RM_ECONFIG (no DTLS in
 * libcoap), RM_ECRYPTO, RM_ENET. */
int csrv_dtls_start(struct alertcoap *c, const coap_address_t *addr,
    rm_why *why);
/* Count DTLS handshake outcomes (from csrv_event, any event of a DTLS
 * session). */
void csrv_dtls_event(struct alertcoap *c, coap_session_t *s, coap_event_t ev);
/* Count the handshakes past their deadline as failed; ms until the
 * next deadline, -1 = none. */
int csrv_dtls_sweep(struct alertcoap *c);
/* Create and register /receipts (POST); NULL when out of memory. */
coap_resource_t *csrv_receipts_new(struct alertcoap *c);
/* allow_plain off and s is plain UDP: resp set to 4.01, counted, true. */
bool csrv_plain_refused(struct alertcoap *c, coap_session_t *s,
    coap_pdu_t *resp);

/* coap_wk.c: /.well-known/core (coap_srv.h), and fixed resources. */
/* Create and register the never-evicted resource uri with handler h
 * for method; NULL when out of memory. */
coap_resource_t *csrv_fixed_new(struct alertcoap *c, const char *uri,
    coap_request_t method, coap_method_handler_t h);
/* Create and register it; NULL when out of memory. */
coap_resource_t *csrv_wk_new(struct alertcoap *c);

/* coap_area.c: the area table. */
/* Copy and check the served prefixes; RM_EINVAL / RM_ENOMEM. */
int csrv_served_init(struct alertcoap *c, const char *const *v, size_t n,
    rm_why *why);
/* True iff a served prefix contains the valid code (or none is set). */
bool csrv_served(const struct alertcoap *c, const char *code);
/* The area resource of code, or NULL. */
coap_resource_t *csrv_area_find(struct alertcoap *c, const char *code);
/* The resource of a valid area code, created if missing. `fixed`: a
 * pre-created resource (start-up only; never evicted). At
 * ALERTCOAP_AREAS_MAX an on-demand resource is evicted (coap_srv.h);
 * NULL when none can be, or out of memory. */
coap_resource_t *csrv_area_get(struct alertcoap *c, const char *code,
    bool fixed);
/* A request for r: moves it to the back of the LRU. */
void csrv_area_touch(struct alertcoap *c, coap_resource_t *r);

/* coap_restore.c: observers kept across restarts (see its top). */
/* The observation tally changed: save the file within a second. */
void csrv_restore_dirty(struct alertcoap *c);
/* Write the file now (atomically); RM_OK or the error, logged. */
int csrv_restore_save(struct alertcoap *c);
/* Milliseconds until a due save, -1 when none is due. */
int csrv_restore_wait_ms(const struct alertcoap *c);
/* Save if due (server thread, once a round). */
void csrv_restore_tick(struct alertcoap *c);
/* Read the file at start into the own table (after csrv_own_init());
 * true when observers were read (they are notified at once). */
bool csrv_restore_load(struct alertcoap *c);

#endif /* RM_NODE_COAP_INT_H */
