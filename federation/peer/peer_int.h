/*
 * peer_int.h -- peer engine internals shared by the federation/peer
 * sources only. Not a public header. nng types never appear here;
 * link_nng.c hides them behind struct fed_net (the connections of a link).
 *
 * Layering inside the engine, each file calling only the ones below it
 * (never up, never sideways between handshake and sync):
 *
 *   peer.c            public lifecycle: open, add, start, close, broadcast,
 *                     status
 *   link_session.c    the peer thread: waits for events, owns the session,
 *                     dispatches frames, and drives
 *   link_handshake.c  HELLO / PROOF / ROSTER steps    link_sync.c  vectors,
 *                     (return a verdict: go on, up,                catch-up,
 *                     or refuse with a reason)                     push
 *   link_nng.c        the connections: dial, accept, SP framing, send,
 *                     receive-or-wake, drop
 *   link_state.c      shared state: counters, roster, refused ring,
 *                     outbound queue, the wake pipe
 *   frame.c           the wire format (frame_reconcile.c: RECONCILE, WANT)
 *
 * link_reconcile.c (range-based set reconciliation: sessions, WANTs and
 * the records they ask for) sits beside link_sync.c, below the session.
 */
#ifndef RM_PEER_INT_H
#define RM_PEER_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>

#include "federation/peer/peer.h"

/* ---------------- frames ---------------- */

/* frame_reconcile.c: the decoders of RECONCILE and WANT (frame.c's table). */
int fed_frame_dec_reconcile(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why);
int fed_frame_dec_want(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why);

/* ---------------- links ---------------- */

#define FED_PEERS_MAX          64
#define FED_QUEUE_MAX          10000     /* queued outbound records per peer */
#define FED_FRAME_SOFT_MAX     (1024 * 1024) /* RECORDS frame payload bound */
#define FED_REFUSED_RING       64        /* recently refused record hashes */
/* Longest idle wait of a peer thread. Everything that needs it wakes the
 * thread at once (see link_state.c); this bound is only a guard. Not on
 * any hot path: records are sent and received on events. */
#define FED_IDLE_MAX_MS        1000
#define FED_SEND_TIMEOUT_MS    2000
/* Connections a listening link keeps at once (handshaking or up); past
 * it, the oldest unauthenticated one is closed. A dialing link has one. */
#define FED_CONNS_MAX          8

struct fed_net;       /* link_nng.c: the nng socket of one peer */

/*
 * Refusal log limiter of one peer (link_state.c): one log line per
 * reason per FED_RLOG_MS, the lines over it held back and counted. A
 * reason is a kind of refusal and its rm_err code. Guarded by the
 * peer's mtx.
 */
#define FED_RLOG_MS            60000
enum fed_rlog_kind {
	FED_RLOG_SESSION = 0,      /* we refused the handshake or session */
	FED_RLOG_PEER_SESSION,     /* the peer refused ours (REFUSE) */
	FED_RLOG_RECORD,           /* we refused a record of the peer */
	FED_RLOG_PEER_RECORD,      /* the peer refused one of our records */
	FED_RLOG_ROSTER,           /* a ROSTER of the peer did not verify */
	FED_RLOG_RECONCILE,        /* a reconciliation failed or was refused */
	FED_RLOG_KINDS
};
struct fed_rlog {
	bool logged[FED_RLOG_KINDS][RM_ERR_COUNT];
	rm_mono_ms last_ms[FED_RLOG_KINDS][RM_ERR_COUNT]; /* last line */
	uint32_t held[FED_RLOG_KINDS][RM_ERR_COUNT];  /* since that line */
	uint64_t held_total;           /* lines held back since start */
};
struct fed_vpool;     /* verify_pool.c: the verifier threads */

/* One queued outbound record. */
struct fed_qrec {
	struct fed_qrec *next;
	size_t len;
	uint8_t bytes[];
};

/* What a gateway session streamed of one origin (docs/PROTOCOL.md
 * §12.3): the far side holds a policy-filtered subset, so its
 * contiguous seq stays at the first record withheld; a catch-up starts
 * after max(its seq, this mark), once per connection. */
struct fed_mark {
	char origin[RM_AGENCY_ID_MAX + 1];
	uint64_t seq;
};

/* A pending catch-up stream for one origin: send seqs (after, upto]. */
struct fed_catchup {
	char origin[RM_AGENCY_ID_MAX + 1];
	uint64_t after, upto;
};

/* Handshake and exchange state of the current connection; owned by the
 * peer thread. */
struct fed_session {
	uint32_t pipe;                 /* connection id, 0 = slot free */
	rm_mono_ms started_ms;
	rm_mono_ms last_rx_ms;         /* last frame received on pipe */
	unsigned rosters_rx;           /* ROSTER frames on this connection */
	rm_mono_ms last_roster_ms;     /* when the last one arrived */
	rm_mono_ms last_vector_ms;
	uint8_t own_nonce[FED_NONCE_BYTES];
	uint8_t peer_nonce[FED_NONCE_BYTES];
	uint64_t peer_roster_version;
	bool hello_rx;                 /* peer HELLO accepted */
	bool proof_pending;            /* PROOF stashed until the newer ROSTER */
	bool roster_bad;               /* its ROSTER did not verify: the PROOF
	                                  is checked against our roster */
	uint8_t proof[CRYPTO_ES256_SIG_BYTES];
	/* The peer's PROOF verified against the roster of generation
	 * proof_roster (fed.roster_gen; checked again when it changes): it may send VECTOR and
	 * RECORDS, and our VECTOR went out. */
	bool authed;
	uint64_t proof_roster;
	/* authed, and the peer's first VECTOR arrived: the peer accepted
	 * our PROOF too (it sends VECTOR only then), so the link is UP on
	 * both sides -- never UP here while the peer refuses us. */
	bool up;
	uint64_t roster_told;          /* highest roster version sent/seen */
	uint64_t roster_gen;           /* fed.roster_gen last acted on */
	rm_mono_ms last_pull_ms;       /* last VECTOR sent to pull records */
	size_t n_catchup, cap_catchup;
	struct fed_catchup *catchup;
	/* Foreign rosters (docs/PROTOCOL.md §12.2): the version of each
	 * (index of fed.foreign) sent to or seen from the peer, and the
	 * rate bound of the foreign ROSTER frames it sends. */
	uint64_t foreign_told[TRUST_FOREIGN_MAX];
	unsigned foreign_rx;
	rm_mono_ms foreign_rx_ms;
	/* Gateway links: the streamed marks (struct fed_mark). */
	size_t n_mark, cap_mark;
	struct fed_mark *mark;
};

/* Reconciliation of a link, as fed_peers reports it (under the peer's
 * mtx); see struct fed_peer_status. */
struct fed_rc_status {
	bool running;
	bool requested;                /* fed_reconcile: start one now */
	uint64_t sessions;
	unsigned rounds;
	uint64_t bytes, sent, wanted;
	rm_utc_ms started_ms, finished_ms;
	int error;
	char why[RM_WHY_MAX];
};

/* A key the peer should send us (a WANT entry). */
struct fed_rc_want {
	uint64_t issued_ms;
	uint8_t prefix[RM_HASH_BYTES];
	size_t len;
};

/* Reconciliation state of a link (link_reconcile.c): peer thread only. */
struct fed_rc {
	rbsr_session *rs;              /* the running session, or NULL */
	uint64_t id;                   /* its id (the initiator's) */
	bool initiator;
	uint32_t pipe;                 /* the connection it runs on */
	rm_mono_ms last_ms;            /* last RECONCILE in or out */
	rm_mono_ms due_ms;             /* next session on the timer; 0 none */
	uint64_t next_id;              /* sessions we started; their ids
	                                  are odd (dialer) or even */
	struct rbsr_key *send;         /* records the peer lacks, to send */
	size_t n_send, cap_send, send_next;
	struct fed_rc_want *want;      /* keys we lack, to ask for */
	size_t n_want, cap_want;
	/* The peer's session budget (FED_RC_PEER_BURST); 0 ms = full. */
	unsigned peer_tokens;
	rm_mono_ms peer_refill_ms;
};

struct fed_peer {
	struct fed *f;
	size_t index;
	char agency[RM_AGENCY_ID_MAX + 1];
	char url[256];
	bool listen;
	struct fed_net *net;
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t mtx;           /* guards everything below */
	enum fed_peer_state state;
	uint64_t records_sent, records_received, records_refused;
	uint64_t connects;
	rm_utc_ms last_up_ms;
	struct fed_qrec *q_head, *q_tail;
	size_t q_len;
	bool q_overflow;               /* queue dropped: resend VECTOR */
	/* Wake pipe: written (one byte) by fed_peer_wake from any thread,
	 * polled by the peer thread beside the socket (link_state.c). */
	int wake_rd, wake_wr;
	atomic_bool wake_pending;

	/* Peer thread only. One session per connection (keyed by its id,
	 * frames of one never reach another); s is the one being served:
	 * the handshake and sync steps work on p->s. */
	struct fed_session sess[FED_CONNS_MAX];
	struct fed_session *s;
	struct fed_rc rc;

	/* Under mtx: why the link is REFUSED (kept until it is UP again),
	 * and the refusal log limiter (link threads and verifiers). */
	int refusal_code;              /* rm_err; 0 = none */
	bool refused_by_peer;
	char refusal[RM_WHY_MAX];
	/* The peer, authenticated (its PROOF verified), refused our PROOF:
	 * our key is not our agency's key in its roster. Cleared when a
	 * session with it comes up. */
	bool refuses_our_key;
	struct fed_rlog rlog;
	/* Latest roster version the peer announced in the HELLO of a
	 * session whose PROOF verified; 0 after its PROOF was refused.
	 * fed_roster_seen is the highest over the peers. */
	_Atomic uint64_t roster_announced;
	/* Under mtx: reconciliation progress (fed_peers). */
	struct fed_rc_status rcs;

	/* A gateway link (docs/PROTOCOL.md §12.3): the peer is of foreign
	 * federation fi (index of fed.foreign) and what crosses is what
	 * policy allows. Set before fed_start, read-only after. */
	bool gateway;
	size_t fi;
	struct gateway_policy policy;
	/* Under mtx: records refused by the policy, foreign records
	 * refused for their areas, when a record last went / came (UTC). */
	uint64_t policy_refused, foreign_refused;
	rm_utc_ms last_sent_ms, last_received_ms;
};

/* A foreign federation the engine trusts for its areas (§12.1). t.roster
 * is replaced under fed.roster_mtx; the rest is read-only. */
struct fed_foreign {
	struct trust_foreign t;
	char *ca_file;                 /* its root certificate (TLS) */
};

struct fed {
	char agency_id[RM_AGENCY_ID_MAX + 1];
	crypto_signer *agency_signer;
	const crypto_key *root_key;
	char *ca_file, *tls_cert_file, *tls_key_file;
	bool insecure;
	uint32_t reconnect_min_ms, reconnect_max_ms;
	uint32_t sync_interval_ms, handshake_timeout_ms;
	uint32_t reconcile_interval_ms;  /* 0: no timer */
	unsigned verify_threads;       /* as configured; 0 = one per core */
	struct fed_vpool *vpool;       /* from fed_start (verify_pool_int.h) */
	const struct fed_host_ops *ops;
	void *host;

	pthread_mutex_t roster_mtx;
	struct roster *roster;
	rm_hash root_kid;                /* kid of root_key */
	struct trust_areas home_areas;   /* the charter's registrars' areas */
	size_t n_foreign;
	struct fed_foreign foreign[TRUST_FOREIGN_MAX]; /* rosters: roster_mtx */
	_Atomic uint64_t foreign_gen;    /* bumped by each foreign roster */
	/* Serialises read-apply-install of a foreign roster in use
	 * (verifiers apply agency records, link threads adopt charters);
	 * taken before roster_mtx. */
	pthread_mutex_t foreign_mtx;
	_Atomic uint64_t roster_gen;     /* bumped by every roster change */

	pthread_mutex_t stats_mtx;
	struct fed_counters c;
	rm_hash refused[FED_REFUSED_RING];
	size_t n_refused, refused_next;

	atomic_bool stopping;
	atomic_uint pending_ingest;
	atomic_size_t pending_ingest_bytes; /* their signed bytes */
	/* What peers' VECTORs said about our own agency's log (see
	 * fed_own_log_seen): highest contiguous seq any peer holds, and how
	 * many VECTORs arrived since start. */
	_Atomic uint64_t own_seen_seq;
	_Atomic uint64_t vectors_seen;
	bool started;
	size_t n_peers;
	struct fed_peer *peers[FED_PEERS_MAX];
};

/* ---------------- link_state.c ---------------- */

/* May a refusal of this kind and code (0 < code < RM_ERR_COUNT; others
 * share slot 0) be logged at now? true: log it, *held
 * (may be NULL) gets how many of the same were held back since its
 * previous line; false: held back and counted (held_total). The caller
 * holds the lock guarding l (the peer's mtx). Pure: no clock, no log. */
bool fed_rlog_allow(struct fed_rlog *l, enum fed_rlog_kind kind, int code,
    rm_mono_ms now, uint32_t *held);
/* The same for peer p, under its mtx, at the current monotonic time. */
bool fed_peer_rlog_allow(struct fed_peer *p, enum fed_rlog_kind kind,
    int code, uint32_t *held);

void fed_sleep_ms(unsigned ms);
void fed_count(fed *f, size_t field_offset, uint64_t n);
#define FED_COUNT(f, field, n) fed_count((f), offsetof(struct fed_counters, field), (n))
/* True if h was refused recently (and remembers it otherwise). */
bool fed_refused_seen(fed *f, const rm_hash *h);
/* Replace the roster if nr is newer and of the same federation; wakes
 * every peer thread so that each offers it to its peer. Returns true if
 * it replaced ours (the caller logs and persists it). *old gets the
 * previous roster (caller roster_free()s) when true. */
bool fed_roster_replace(fed *f, struct roster *nr, struct roster **old);

/* The wake pipe of one peer: fed_peer_wake_open before the thread
 * starts, fed_peer_wake_close after it was joined. fed_peer_wake is
 * async-signal-unsafe but thread-safe and never blocks; fed_peer_wake_fd
 * is polled by the peer thread, which calls fed_peer_wake_drain before it
 * looks for work (so that no wake is lost). */
int fed_peer_wake_open(struct fed_peer *p, rm_why *why);
void fed_peer_wake_close(struct fed_peer *p);
void fed_peer_wake(struct fed_peer *p);
void fed_peer_wake_drain(struct fed_peer *p);

void fed_peer_set_state(struct fed_peer *p, enum fed_peer_state st);
/* Append a copy of a record to the peer's outbound queue if it is UP
 * (drops the whole queue and asks for a repair VECTOR when full); wakes
 * the peer thread. */
void fed_peer_queue_push(struct fed_peer *p, const uint8_t *b, size_t n);
/* Detach up to max records / about max_bytes from the queue head; the
 * caller frees the list (fed_peer_queue_free). Returns the count. */
size_t fed_peer_queue_take(struct fed_peer *p, size_t max, size_t max_bytes,
    struct fed_qrec **out);
void fed_peer_queue_free(struct fed_qrec *q);
/* Drop the outbound queue and ask for a VECTOR exchange (repair). */
void fed_peer_queue_drop(struct fed_peer *p);
/* Clear the queue; p->mtx held by the caller. */
void fed_peer_queue_clear_locked(struct fed_peer *p);
/* Take and reset the overflow flag; true if records were dropped. */
bool fed_peer_queue_overflowed(struct fed_peer *p);
bool fed_peer_queue_pending(struct fed_peer *p);

/* ---------------- link_gateway.c ---------------- */

/* fed_verify with the foreign federations (fed_record_open_trusted):
 * *which and *outside as that function gives them; *untrusted (may be
 * NULL) true for a record refused only because its origin is of a
 * federation this node has no foreign root for (an origin outside the
 * home areas, RM_EUNKNOWNSIGNER: why says so and how to trust it);
 * counts refusals (refused[code], foreign_refused, foreign_untrusted
 * instead of refused[] for the latter). Thread-safe. */
int fed_verify_trusted(fed *f, const uint8_t *p, size_t n,
    struct fed_record *out, int *which, bool *outside, bool *untrusted,
    rm_why *why);
/* The roster that authenticates peer p: the home roster, or for a
 * gateway link its federation's foreign roster in use (NULL while
 * unknown). Referenced; roster_free. */
struct roster *fed_link_roster(struct fed_peer *p);
/* May the stored record b (verified before: decoded, not verified) go
 * to gateway peer p? True for every record on other links. */
bool fed_gw_allows_bytes(struct fed_peer *p, const uint8_t *b, size_t n);
/* A verified record of foreign federation fi: when it is an agency
 * record, apply it to that federation's roster in use (bumps
 * roster_gen, so that links re-send their vectors). */
void fed_foreign_apply(fed *f, int fi, const struct fed_record *fr);
/* A ROSTER frame whose kid is not the home root's (§12.2): verify it
 * with a foreign root, adopt and persist it if newer; else ignore it
 * (counted). RM_OK, or RM_EPROTO when the peer sends foreign rosters
 * faster than the bound. */
int fed_gw_on_roster(struct fed_peer *p, const uint8_t *b, size_t n,
    const rm_hash *kid, rm_why *why);
/* Is kid the root of a configured foreign federation? */
bool fed_foreign_root_known(const fed *f, const rm_hash *kid);
/* Send p->s every foreign roster newer than the peer was told. */
void fed_gw_offer_foreign(struct fed_peer *p);
/* A gateway session after the peer's HELLO: our home charter and the
 * agency record of our agency (if any), before our PROOF. */
int fed_gw_hello_extras(struct fed_peer *p, rm_why *why);
/* RECORDS before UP on a gateway link: the agency records of the
 * peer's agency, applied to the foreign roster in use. RM_EPROTO for
 * anything else. */
int fed_gw_on_records_early(struct fed_peer *p, const struct fed_frame *fr,
    rm_why *why);
/* The streamed mark of origin on p->s (0: none), and raising it. */
uint64_t fed_gw_mark(const struct fed_peer *p, const char *origin);
void fed_gw_mark_set(struct fed_peer *p, const char *origin, uint64_t seq);

/* ---------------- link_nng.c ---------------- */

/*
 * The connections of one link. Each has an id (never 0, not reused) that
 * tags its frames; nothing sent or received for one ever reaches another.
 * All calls but fed_net_shutdown are made by the peer thread.
 *
 * Open before the thread starts; at shutdown fed_net_shutdown (any
 * thread: no new connections), the thread's fed_net_close (every
 * connection closed and freed) and, once the thread is joined,
 * fed_net_free. None of them waits on the network.
 */
int fed_net_open(struct fed_peer *p, rm_why *why);
void fed_net_shutdown(struct fed_peer *p);
void fed_net_close(struct fed_peer *p);
void fed_net_free(struct fed_peer *p);
/* Housekeeping at now: frees dropped and broken connections, closes
 * connections still without an SP header after the handshake timeout,
 * evicts the oldest unauthenticated one past FED_CONNS_MAX, starts a
 * dial attempt when one is due (back-off between reconnect_min_ms and
 * reconnect_max_ms, reset by fed_net_up). Returns when it is next due. */
rm_mono_ms fed_net_tick(struct fed_peer *p, rm_mono_ms now);
/* The next connection event, oldest first: *add true for a connection
 * ready for a session, false for one that closed (after an add only).
 * False if there is none. */
bool fed_net_event(struct fed_peer *p, uint32_t *conn, bool *add);
/* Take one received frame (of an added connection), or wait up to
 * timeout_ms for the wake pipe (connections wake it). RM_OK with *buf
 * (malloc'd, caller frees), *len and *conn; RM_ETIMEDOUT if none. */
int fed_net_recv(struct fed_peer *p, unsigned timeout_ms, uint8_t **buf,
    size_t *len, uint32_t *conn);
/* Send one frame on the connection of p->s; counts frames_out.
 * RM_OK, RM_ETIMEDOUT (FED_SEND_TIMEOUT_MS), RM_ENET (no such or broken
 * connection). A failed send leaves the connection closed. */
int fed_net_send(struct fed_peer *p, const rm_buf *b);
/* The session let go of conn: close it after linger_ms (so that a
 * REFUSE gets out), with no further events or frames. */
void fed_net_drop(struct fed_peer *p, uint32_t conn, unsigned linger_ms);
/* conn authenticated: never evicted; the dial back-off starts afresh. */
void fed_net_up(struct fed_peer *p, uint32_t conn);

/* ---------------- link_handshake.c ---------------- */

/*
 * The handshake steps run on the peer thread against p->s and return a
 * verdict instead of acting on the session: RM_OK to go on (with *up set
 * when the peer's PROOF verified), or an error code with why saying what
 * failed -- the session then refuses the connection (fed_session_fail).
 */
/* Start a session on a new pipe: fresh nonce, HELLO sent. */
int fed_hs_start(struct fed_peer *p, rm_why *why);
int fed_hs_on_hello(struct fed_peer *p, const struct fed_frame *fr,
    rm_why *why);
int fed_hs_on_proof(struct fed_peer *p, const struct fed_frame *fr,
    bool *up, rm_why *why);
int fed_hs_on_roster(struct fed_peer *p, const struct fed_frame *fr,
    bool *up, rm_why *why);
/* An authenticated session after a roster change: verify the peer's
 * PROOF again with the key the current roster names (a key rotated or
 * revoked, an agency removed). RM_OK if it still verifies (or the
 * roster did not change), else the reason to refuse the session. */
int fed_hs_recheck(struct fed_peer *p, rm_why *why);
/* While UP: offer our roster if it is newer than what the peer has seen. */
void fed_hs_offer_roster(struct fed_peer *p);

/* ---------------- link_sync.c ---------------- */

/* The roster version peer p announced in the HELLO of a session whose
 * PROOF verified (0: its PROOF was refused); fed_roster_seen is the
 * highest over the peers (link_state.c). Any thread. */
void fed_note_roster_seen(struct fed_peer *p, uint64_t version);

/* Send records as RECORDS frames of <= FED_BATCH_MAX records and about
 * FED_FRAME_SOFT_MAX bytes on p->s; counts them. */
int fed_sync_send_records(struct fed_peer *p, const uint8_t *const *rp,
    const size_t *rl, size_t n);
/* Send our version vector (on UP, periodically, to pull, to repair). */
int fed_sync_send_vector(struct fed_peer *p);
void fed_sync_on_vector(struct fed_peer *p, const struct fed_frame *fr);
/* Verify, refuse or ingest each record of a RECORDS frame. */
void fed_sync_on_records(struct fed_peer *p, const struct fed_frame *fr);
/* Work while UP (repair and periodic vectors, catch-up, queued records).
 * Returns true if more is pending right now. */
bool fed_sync_pump(struct fed_peer *p);
/* When the next periodic VECTOR is due (monotonic ms). */
rm_mono_ms fed_sync_due_ms(const struct fed_peer *p);

/* ---------------- link_reconcile.c ---------------- */

#define FED_RC_TIMEOUT_MS      60000  /* a session silent this long ends */
#define FED_RC_UP_DELAY_MS     1000   /* first session after UP (dialer) */
/* Sessions a peer may start: a bucket of FED_RC_PEER_BURST, one back
 * every FED_RC_PEER_REFILL_MS; a session beyond it is aborted and
 * counted (each "I hold none" session would stream the whole set). */
#define FED_RC_PEER_BURST      8
#define FED_RC_PEER_REFILL_MS  2000
#define FED_RC_SEND_PER_PUMP   FED_BATCH_MAX /* records per loop turn */

/* The session p->s came UP / ends: schedule the first reconciliation
 * (dialer, timer on) / abandon the running one and its queues. */
void fed_rc_on_up(struct fed_peer *p);
void fed_rc_on_down(struct fed_peer *p);
/* A RECONCILE or WANT frame on the up session p->s. */
void fed_rc_on_reconcile(struct fed_peer *p, const struct fed_frame *fr);
void fed_rc_on_want(struct fed_peer *p, const struct fed_frame *fr);
/* Start a requested or due session, end a silent one, send queued
 * records. Returns true if more is pending right now. */
bool fed_rc_pump(struct fed_peer *p);
/* When fed_rc_pump next has something to do (monotonic ms). */
rm_mono_ms fed_rc_due_ms(const struct fed_peer *p);
/* Free what the link's reconciliation holds (at close). */
void fed_rc_fini(struct fed_peer *p);

/* ---------------- link_session.c ---------------- */

/* The peer thread (pthread start routine; arg is the struct fed_peer). */
void *fed_peer_main(void *arg);

#endif /* RM_PEER_INT_H */
