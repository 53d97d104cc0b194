/*
 * fed_int.h -- federation internals shared by the federation sources only.
 *
 * Not a public header: nothing outside federation/ includes it. nng types
 * never appear here; link_nng.c hides them behind struct fed_net.
 */
#ifndef RM_FED_INT_H
#define RM_FED_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>

#include "federation/federation.h"

/* ---------------- roster ---------------- */

struct roster {
	atomic_uint refs;
	char federation[ROSTER_FED_NAME_MAX + 1];
	uint64_t version;
	rm_utc_ms issued_ms;
	size_t n, cap;
	struct roster_agency *agencies;     /* sorted by id (strcmp) */
	uint8_t *signed_bytes;              /* as opened; NULL if built */
	size_t signed_len;
};

#define ROSTER_FORMAT_VERSION 1

/* Validate one entry (id, names, role, kinds, grade, areas, key). */
int roster_agency_check(const struct roster_agency *a, rm_why *why);
/* Shared by roster_new and roster_open. */
struct roster *roster_alloc(void);
void roster_set_issued(struct roster *r, rm_utc_ms issued_ms);

/* Short hex prefix of a hash for messages: 8 hex digits + "…" + NUL. */
void fed_hash_short(const rm_hash *h, char out[16]);

/* ---------------- links ---------------- */

#define FED_PEERS_MAX          64
#define FED_QUEUE_MAX          10000     /* queued outbound records per peer */
#define FED_FRAME_SOFT_MAX     (1024 * 1024) /* RECORDS frame payload bound */
#define FED_REFUSED_RING       64        /* recently refused record hashes */
#define FED_RECV_POLL_MS       100
#define FED_SEND_TIMEOUT_MS    2000

struct fed_net;       /* link_nng.c: the nng socket of one peer */

/* One queued outbound record. */
struct fed_qrec {
	struct fed_qrec *next;
	size_t len;
	uint8_t bytes[];
};

/* A pending catch-up stream for one origin: send seqs (after, upto]. */
struct fed_catchup {
	char origin[RM_AGENCY_ID_MAX + 1];
	uint64_t after, upto;
};

/* Handshake and exchange state of the current connection; owned by the
 * peer thread. */
struct fed_session {
	uint32_t pipe;                 /* nng pipe id, 0 = none */
	rm_mono_ms started_ms;
	rm_mono_ms last_vector_ms;
	uint8_t own_nonce[FED_NONCE_BYTES];
	uint8_t peer_nonce[FED_NONCE_BYTES];
	uint64_t peer_roster_version;
	bool hello_rx;                 /* peer HELLO accepted */
	bool proof_pending;            /* PROOF stashed until the newer ROSTER */
	uint8_t proof[CRYPTO_ES256_SIG_BYTES];
	bool up;
	uint64_t roster_told;          /* highest roster version sent/seen */
	rm_mono_ms last_pull_ms;       /* last VECTOR sent to pull records */
	size_t n_catchup, cap_catchup;
	struct fed_catchup *catchup;
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
	struct {
		uint32_t pipe;
		bool add;              /* true: connected, false: gone */
	} ev[16];                      /* pipe events from the nng callback */
	size_t n_ev;

	/* Peer thread only. */
	struct fed_session s;
	uint32_t dead[8];              /* recently closed pipe ids */
	uint32_t linger_pipe;          /* refused; closed at linger_until_ms */
	rm_mono_ms linger_until_ms;
	size_t dead_next;
	char last_refusal[RM_WHY_MAX]; /* rate-limits handshake refusal logs */
	rm_mono_ms last_refusal_ms;
};

struct fed {
	char agency_id[RM_AGENCY_ID_MAX + 1];
	crypto_signer *agency_signer;
	const crypto_key *root_key;
	char *ca_file, *tls_cert_file, *tls_key_file;
	bool insecure;
	uint32_t reconnect_min_ms, reconnect_max_ms;
	uint32_t sync_interval_ms, handshake_timeout_ms;
	const struct fed_host_ops *ops;
	void *host;

	pthread_mutex_t roster_mtx;
	struct roster *roster;

	pthread_mutex_t stats_mtx;
	struct fed_counters c;
	rm_hash refused[FED_REFUSED_RING];
	size_t n_refused, refused_next;

	atomic_bool stopping;
	atomic_uint pending_ingest;
	/* What peers' VECTORs said about our own agency's log (see
	 * fed_own_log_seen): highest contiguous seq any peer holds, and how
	 * many VECTORs arrived since start. */
	_Atomic uint64_t own_seen_seq;
	_Atomic uint64_t vectors_seen;
	bool started;
	size_t n_peers;
	struct fed_peer *peers[FED_PEERS_MAX];
};

/* link.c */
void fed_sleep_ms(unsigned ms);
void fed_count(fed *f, size_t field_offset, uint64_t n);
#define FED_COUNT(f, field, n) fed_count((f), offsetof(struct fed_counters, field), (n))
void fed_peer_set_state(struct fed_peer *p, enum fed_peer_state st);
/* Drop the outbound queue and ask for a VECTOR exchange (repair). */
void fed_peer_queue_drop(struct fed_peer *p);
/* True if h was refused recently (and remembers it otherwise). */
bool fed_refused_seen(fed *f, const rm_hash *h);

/* link_session.c: the peer thread. */
void *fed_peer_main(void *arg);
/* Send one frame (counts frames_out). RM_OK, RM_ETIMEDOUT, RM_ENET. */
int fed_send_buf(struct fed_peer *p, rm_buf *b);
/* Refuse the connection: count, log (sec), REFUSE, close, REFUSED. */
void fed_session_fail(struct fed_peer *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The peer's PROOF verified: state UP, send our VECTOR. */
void fed_session_up(struct fed_peer *p);

/* link_handshake.c */
int fed_send_roster(struct fed_peer *p, const struct roster *r);
void fed_on_hello(struct fed_peer *p, const struct fed_frame *fr);
void fed_on_proof(struct fed_peer *p, const struct fed_frame *fr);
void fed_on_roster(struct fed_peer *p, const struct fed_frame *fr);

/* link_sync.c */
int fed_send_vector(struct fed_peer *p);
void fed_on_vector(struct fed_peer *p, const struct fed_frame *fr);
void fed_on_records(struct fed_peer *p, const struct fed_frame *fr);
/* Work while UP (roster push, vectors, catch-up, queue). Returns true
 * if more is pending. */
bool fed_pump(struct fed_peer *p);

/* link_nng.c */
int fed_net_open(struct fed_peer *p, rm_why *why);
/* Shutdown order: fed_net_shutdown (no new connections), fed_net_close
 * (the socket: a blocked fed_net_recv returns RM_ECLOSED), then, once
 * the peer thread is joined, fed_net_free. */
void fed_net_shutdown(struct fed_peer *p);
void fed_net_close(struct fed_peer *p);
void fed_net_free(struct fed_peer *p);
/* Receive one frame (timeout_ms bounded). RM_OK with *buf (malloc'd,
 * caller frees), *len and the pipe id; RM_ETIMEDOUT; RM_ECLOSED. */
int fed_net_recv(struct fed_peer *p, unsigned timeout_ms, uint8_t **buf,
    size_t *len, uint32_t *pipe);
/* Send one frame to the connected pipe. RM_OK, RM_ETIMEDOUT, RM_ENET. */
int fed_net_send(struct fed_peer *p, const uint8_t *buf, size_t len);
/* Close one connection (the peer's dialer reconnects). */
void fed_net_drop(struct fed_peer *p, uint32_t pipe);

#endif /* RM_FED_INT_H */
