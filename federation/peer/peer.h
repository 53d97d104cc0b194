/*
 * peer.h -- the peer engine: the wire format (frames) and peer links over
 * nng with mutual TLS, the HELLO/PROOF handshake, sessions and catch-up by
 * version vectors (docs/PROTOCOL.md).
 *
 * Depends on federation/trust (roster, envelope, authorisation),
 * federation/rbsr (range-based set reconciliation), schemas/, crypto/ and
 * common/. It never touches the store: the node hands it a
 * table of host operations (struct fed_host_ops) through which it ingests
 * records and reads the local log. nng types never leave
 * federation/peer/link_nng.c.
 *
 * Instances: every piece of engine state lives in its `fed` handle, so one
 * process may run several engines side by side, each with its own trust
 * root (root key, roster, own agency and key) -- e.g. the two sides of a
 * gateway between federations. Handles share nothing but the logger.
 */
#ifndef RM_PEER_H
#define RM_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "federation/rbsr/rbsr.h"
#include "federation/trust/trust.h"
#include "federation/peer/gateway.h"

/* ================================================================== */
/* Wire frames (docs/PROTOCOL.md)                                      */
/* ================================================================== */

#define FED_PROTO_VERSION     3   /* 2: vector entries carry the head hash;
                                     3: RECONCILE and WANT */
#define FED_NONCE_BYTES       32
#define FED_FRAME_MAX         (4 * 1024 * 1024) /* checked on the SP
                                                   length prefix */
#define FED_BATCH_MAX         256               /* records per frame */
#define FED_VECTOR_MAX        4096              /* origins per vector */
#define FED_REASON_MAX        256
#define FED_WANT_MAX          1024              /* keys per WANT frame */

enum fed_frame_type {
	FED_HELLO = 1,   /* [1, proto, agency, roster_version, nonce] */
	FED_PROOF = 2,   /* [2, sig64] */
	FED_ROSTER = 3,  /* [3, signed roster bstr] */
	FED_VECTOR = 4,  /* [4, {origin: [contiguous seq, head hash]}] */
	FED_RECORDS = 5, /* [5, [record bstr, ...]] */
	FED_REFUSE = 6,  /* [6, rm_err code, reason text(, 1)] */
	FED_RECONCILE = 7, /* [7, session id, rbsr message bstr] (v3) */
	FED_WANT = 8,    /* [8, [issued, hash prefix, ...]] (v3) */
};

/* One key a WANT asks for: the record with this issued time whose hash
 * starts with prefix (1..32 bytes, borrowed from the frame). */
struct fed_want {
	uint64_t issued_ms;
	const uint8_t *prefix;
	size_t prefix_len;
};

/* The optional 4th element of REFUSE: the sender refuses the session
 * (not one record) and closes the connection (docs/PROTOCOL.md §3). */
#define FED_REFUSE_SESSION    1

struct fed_vector_entry {
	const char *origin;   /* borrowed from the frame, NOT NUL-terminated */
	size_t origin_len;
	uint64_t seq;
	const uint8_t *head;  /* RM_HASH_BYTES: hash of the record at seq
	                         (borrowed); NULL when seq is 0 */
};

/* A decoded frame; all pointers borrow from the frame buffer. */
struct fed_frame {
	enum fed_frame_type type;
	union {
		struct {
			uint64_t proto;
			const char *agency; size_t agency_len;
			uint64_t roster_version;
			const uint8_t *nonce; /* FED_NONCE_BYTES */
		} hello;
		struct { const uint8_t *sig; } proof;  /* 64 bytes */
		struct { const uint8_t *p; size_t n; } roster;
		struct {
			size_t n;
			struct fed_vector_entry *entries; /* heap; fed_frame_fini */
		} vector;
		struct {
			size_t n;
			const uint8_t **p;  /* heap arrays; fed_frame_fini */
			size_t *len;
		} records;
		struct {
			uint64_t session;     /* the initiator's id, >= 1 */
			const uint8_t *msg;   /* rbsr message (rbsr.h), <=
			                         RBSR_MSG_MAX; n == 0: the
			                         sender aborts the session */
			size_t n;
		} reconcile;
		struct {
			size_t n;             /* 1..FED_WANT_MAX */
			struct fed_want *w;   /* heap; fed_frame_fini */
		} want;
		struct {
			uint64_t code;
			const char *reason; size_t reason_len;
			bool close;   /* [6, code, reason, 1]: the session
			                 is refused, the connection closes */
		} refuse;
	} u;
};

/* Decode one frame. Rejects non-canonical CBOR, unknown types
 * (RM_EUNKNOWN), wrong arity or types (RM_EMALFORMED/RM_EBADVALUE),
 * oversize (RM_ETOOBIG: frame > FED_FRAME_MAX, more than FED_BATCH_MAX
 * records or FED_VECTOR_MAX origins, agency id too long, bad nonce
 * length), and vector origins that are not valid agency ids. On error
 * nothing needs freeing. */
int fed_frame_decode(const uint8_t *p, size_t n, struct fed_frame *out,
    rm_why *why);
void fed_frame_fini(struct fed_frame *f);

/* Encoders; each appends one complete frame to out. */
int fed_frame_hello(rm_buf *out, const char *agency, uint64_t roster_version,
    const uint8_t nonce[FED_NONCE_BYTES]);
int fed_frame_proof(rm_buf *out, const uint8_t sig[CRYPTO_ES256_SIG_BYTES]);
int fed_frame_roster(rm_buf *out, const uint8_t *p, size_t n);
/* origins/seqs/heads are parallel arrays; they are sorted for canonical
 * order inside the encoder. heads[i] is the hash of the record at
 * seqs[i], ignored when seqs[i] is 0 (docs/PROTOCOL.md §2 vector). */
int fed_frame_vector(rm_buf *out, const char *const *origins,
    const uint64_t *seqs, const rm_hash *heads, size_t n);
/* Records frame: start with the count, then append each record. */
int fed_frame_records_begin(rm_buf *out, size_t n);
int fed_frame_records_add(rm_buf *out, const uint8_t *p, size_t n);
/* RECONCILE [7, session, msg] (n == 0: abort the session); session >= 1,
 * n <= RBSR_MSG_MAX (RM_EINVAL, RM_ETOOBIG otherwise). */
int fed_frame_reconcile(rm_buf *out, uint64_t session, const uint8_t *msg,
    size_t n);
/* WANT [8, [issued, prefix, ...]]: 1..FED_WANT_MAX keys, prefixes of
 * 1..32 bytes (RM_EINVAL, RM_ETOOBIG otherwise). */
int fed_frame_want(rm_buf *out, const struct fed_want *w, size_t n);
/* REFUSE of one record [6, code, reason]: the session goes on. */
int fed_frame_refuse(rm_buf *out, int code, const char *reason);
/* REFUSE of the session [6, code, reason, 1]: the sender closes the
 * connection; the receiver reports the link refused with this reason. */
int fed_frame_refuse_close(rm_buf *out, int code, const char *reason);

/* Transcript signed in the handshake PROOF (docs/PROTOCOL.md §HELLO):
 * "riskmesh/1 hello" || verifier_nonce || prover_nonce ||
 * prover_id || 0x00 || verifier_id. Appends to out. */
int fed_hello_transcript(rm_buf *out, const uint8_t *verifier_nonce,
    const uint8_t *prover_nonce, const char *prover_id,
    const char *verifier_id);

/* ================================================================== */
/* Peer links                                                          */
/* ================================================================== */

typedef struct fed fed;

/* Completion for an ingest: err is RM_OK (stored == true for new, false
 * for duplicate) or the reason the record was refused or not stored. */
typedef void (*fed_ingest_done)(void *ctx, int err, bool stored);

/*
 * What the node provides. Called from federation threads; each must be
 * thread-safe.
 */
struct fed_host_ops {
	/*
	 * Store a verified record received from peer `from`. The host
	 * copies the bytes it needs before returning; fr stays the
	 * caller's, except that on RM_OK the host may take the decoded
	 * body fr->rec (so that the store does not decode the record a
	 * second time), leaving fr->rec zeroed: the caller then calls
	 * fed_record_fini(fr) as always. It calls done exactly once, after
	 * the store transaction committed (or failed), from any thread.
	 * Returns RM_OK if accepted for storing (done will follow) or an
	 * error (done is not called; fr is untouched).
	 */
	int (*ingest)(void *host, const char *from, struct fed_record *fr,
	    fed_ingest_done done, void *ctx);
	/* Version vector {origin -> highest contiguous seq, hash of the
	 * record at that seq (NULL when seq is 0)}: call each() per origin. */
	int (*vector)(void *host,
	    void (*each)(void *arg, const char *origin, uint64_t seq,
	        const rm_hash *head),
	    void *arg);
	/* Signed records of origin with seq in (after, upto], ascending, at
	 * most max of them: call each() per record (bytes valid during the
	 * call only). The host may hold a read transaction across each():
	 * each() only copies the bytes and never calls back into the host. */
	int (*log_range)(void *host, const char *origin, uint64_t after,
	    uint64_t upto, size_t max,
	    int (*each)(void *arg, const uint8_t *p, size_t n), void *arg);
	/* A newer roster arrived from a peer and verified: persist it.
	 * Optional (NULL: not persisted). */
	int (*roster_save)(void *host, const uint8_t *p, size_t n);
	/* True if the host already stores the record with this hash
	 * (SHA-256 of its signed bytes). Optional: with it, a record that
	 * every other peer relays again is not verified again but counted
	 * as a duplicate (fed_counters.records_duplicate), as ingest would
	 * report it. Called from the verifier threads; must not block on
	 * the store writer. */
	bool (*has)(void *host, const rm_hash *hash);
	/* The newest agency record of `agency` (docs/PROTOCOL.md §5a), its
	 * signed bytes appended to out: sent, before the REFUSE, to a peer
	 * that proved itself with a key its agency no longer uses, so that
	 * it learns why and stops issuing. Optional; RM_ENOTFOUND if the
	 * node holds none (a charter agency). Called from link threads. */
	int (*agency_record)(void *host, const char *agency, rm_buf *out);

	/*
	 * Range-based set reconciliation (docs/PROTOCOL.md §7a), optional:
	 * a host without rbsr_sum, rbsr_keys, rbsr_nth and rbsr_get never
	 * reconciles (it aborts the peer's sessions and ignores WANTs). The
	 * set is every record the host would give `peer` (its agency id; a
	 * gateway serves a filtered set), ordered by (issued ms, hash);
	 * ranges are [lo, hi). Each call opens and closes its own read
	 * transaction: none is held across a round trip. Called from the
	 * link's thread. Errors are passed up and abort the session.
	 */
	/* Sum and count of the keys in [lo, hi). */
	int (*rbsr_sum)(void *host, const char *peer, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, struct rbsr_sum *out);
	/* Up to max keys in [lo, hi), ascending, into out; *n = how many. */
	int (*rbsr_keys)(void *host, const char *peer, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, size_t max, struct rbsr_key *out,
	    size_t *n);
	/* The key at position idx (0-based) in [lo, hi); RM_ENOTFOUND if
	 * idx >= the count. */
	int (*rbsr_nth)(void *host, const char *peer, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, uint64_t idx, struct rbsr_key *out);
	/* Sums of the consecutive ranges [bounds[i], bounds[i+1]) for
	 * i < n (bounds has n + 1 keys), in one pass. Optional (not used
	 * today). */
	int (*rbsr_sums)(void *host, const char *peer,
	    const struct rbsr_key *bounds, size_t n, struct rbsr_sum *out);
	/* The signed bytes of the record whose key has this issued time and
	 * whose hash starts with prefix (1..32 bytes), appended to out;
	 * RM_ENOTFOUND if not held (or not exportable to this peer). */
	int (*rbsr_get)(void *host, const char *peer, uint64_t issued_ms,
	    const uint8_t *prefix, size_t prefix_len, rm_buf *out);
	/* A newer charter of foreign federation `federation` arrived and
	 * verified with its root (docs/PROTOCOL.md §12.2): persist it.
	 * Optional. Called from link threads. */
	int (*foreign_roster_save)(void *host, const char *federation,
	    const uint8_t *p, size_t n);
};

/* A foreign federation the engine trusts for its areas only
 * (docs/PROTOCOL.md §12.1). */
struct fed_foreign_opts {
	const char *name;               /* its charter's "federation" */
	const crypto_key *root;         /* its root key; borrowed for the
	                                   life of the engine */
	const char *areas;              /* trust_areas_parse list */
	const char *ca_file;            /* its root certificate (PEM): TLS
	                                   of gateway links to it */
	struct roster *roster;          /* its roster in use (charter +
	                                   agency records), referenced;
	                                   NULL while none is known */
};

/* The node's default reconcile_interval_ms (10 minutes). */
#define FED_RECONCILE_INTERVAL_MS 600000

struct fed_opts {
	const char *agency_id;          /* this node's agency */
	crypto_signer *agency_signer;   /* referenced; signs PROOFs */
	const crypto_key *root_key;     /* verifies rosters from peers */
	struct roster *roster;          /* referenced; may be replaced */
	const char *ca_file;            /* TLS: federation CA (PEM) */
	const char *tls_cert_file;      /* TLS: this node's certificate */
	const char *tls_key_file;       /* TLS: its private key */
	bool insecure;                  /* allow tcp:// (tests only) */
	uint32_t reconnect_min_ms;      /* default 100 */
	uint32_t reconnect_max_ms;      /* default 5000 */
	uint32_t sync_interval_ms;      /* periodic vector exchange, 30000 */
	uint32_t handshake_timeout_ms;  /* default 5000 */
	/* Threads verifying received records (ES256, roster, body) before
	 * they are handed to ops->ingest, in the order they arrived on
	 * each link. 0 (default): one per online core; at most 64. */
	unsigned verify_threads;
	/* Range-based set reconciliation with each peer, started by the
	 * dialing side: once after the link comes UP and then every
	 * reconcile_interval_ms; 0 = never on a timer (fed_reconcile still
	 * works). The node sets FED_RECONCILE_INTERVAL_MS unless configured
	 * otherwise. Needs the host's rbsr ops. */
	uint32_t reconcile_interval_ms;
	const struct fed_host_ops *ops;
	void *host;
	/* Foreign federations (docs/PROTOCOL.md §12.1), at most
	 * TRUST_FOREIGN_MAX; names unique. */
	const struct fed_foreign_opts *foreign;
	size_t n_foreign;
};

enum fed_peer_state {
	FED_PEER_DOWN = 0,      /* no connection */
	FED_PEER_HANDSHAKE,     /* connected, HELLO in progress */
	FED_PEER_UP,            /* authenticated, exchanging */
	FED_PEER_REFUSED,       /* handshake failed; waiting to retry */
};

struct fed_peer_status {
	char agency[RM_AGENCY_ID_MAX + 1];
	char url[256];
	bool listen;
	enum fed_peer_state state;
	uint64_t records_sent, records_received, records_refused;
	uint64_t connects;
	rm_utc_ms last_up_ms;        /* 0 = never */
	/* Why the link is REFUSED: the last refusal since it was last UP,
	 * by this node (refused_by_peer false) or by the peer (its REFUSE);
	 * refusal_code 0 and refusal "" when there was none. */
	int refusal_code;            /* rm_err */
	bool refused_by_peer;
	char refusal[RM_WHY_MAX];
	/* Refusal log lines about this peer held back by the rate limit
	 * (one line per reason per minute), since fed_start. */
	uint64_t refusal_logs_held;
	/* Roster version the peer announced in its latest authenticated
	 * HELLO (0: none, or its PROOF no longer verifies). */
	uint64_t roster_announced;
	/* Range-based set reconciliation with this peer (§7a). rounds,
	 * bytes (RECONCILE messages, both ways), sent (records the peer
	 * lacked) and wanted (keys we lacked) are of the current session
	 * while running, else of the last one. requested: fed_reconcile
	 * asked for a session that has not started yet (the link's thread
	 * starts it; if the link goes down first, the request is dropped
	 * and error is RM_ENET). A session asked for is over when neither
	 * running nor requested. */
	bool reconcile_running;
	bool reconcile_requested;
	uint64_t reconcile_sessions;    /* started since fed_start */
	unsigned reconcile_rounds;
	uint64_t reconcile_bytes;
	uint64_t reconcile_sent, reconcile_wanted;
	rm_utc_ms reconcile_started_ms; /* 0 = never */
	rm_utc_ms reconcile_finished_ms;/* 0 = never or running */
	int reconcile_error;            /* rm_err of the last session; 0 ok */
	char reconcile_why[RM_WHY_MAX]; /* its reason, "" if none */
	/* Gateway links (docs/PROTOCOL.md §12.3; gateway false for the
	 * others, and the rest zero): the foreign federation, the export
	 * policy (gateway_policy_format), records refused by the policy and
	 * foreign records refused for their areas, and the lag: records
	 * queued for the peer, when a record last went and came (UTC ms,
	 * 0 = never). */
	bool gateway;
	char federation[ROSTER_FED_NAME_MAX + 1];
	char policy[GATEWAY_POLICY_MAX];
	uint64_t policy_refused, foreign_refused;
	uint64_t queued;
	rm_utc_ms last_sent_ms, last_received_ms;
};

/* Refusal counters, by error code (index rm_err). */
struct fed_counters {
	uint64_t refused[RM_ERR_COUNT];
	uint64_t frames_in, frames_out, frames_malformed;
	uint64_t records_in, records_out, records_duplicate;
	uint64_t handshakes_ok, handshakes_failed;
	/* RECONCILE frames whose rbsr message we refused (malformed,
	 * out of order, over the limits or the round limit: the session is
	 * aborted), and WANT frames refused (before UP, from a host without
	 * the rbsr ops). */
	uint64_t reconcile_refused, want_refused;
	/* docs/PROTOCOL.md §12: foreign records refused for an area
	 * outside their federation's areas; records a gateway policy
	 * refused on receipt; ROSTER frames of a federation whose root this
	 * node does not trust (ignored); foreign charters adopted;
	 * records of an origin outside this federation's areas whose
	 * federation this node has no foreign root for (refused, but
	 * counted here and not in refused[EUNKNOWNSIGNER]: expected on a
	 * node that does not take another region's records, §12.2). */
	uint64_t foreign_refused, policy_refused;
	uint64_t rosters_foreign_ignored, rosters_foreign_adopted;
	uint64_t foreign_untrusted;
};

/* Create the federation engine (no threads yet). */
int fed_open(const struct fed_opts *opts, fed **out, rm_why *why);
/* Configure a link: dial or listen on url for the given peer agency.
 * url schemes: tls+tcp:// (default), tcp:// only with opts.insecure
 * (RM_ECONFIG otherwise). Before fed_start only. */
int fed_peer_add(fed *f, const char *agency_id, const char *url, bool listen,
    rm_why *why);
/*
 * Configure a gateway link (docs/PROTOCOL.md §12.3) to agency_id of the
 * foreign federation `federation` (a name of fed_opts.foreign): as
 * fed_peer_add, authenticated with that federation's roster, TLS
 * against its root certificate, carrying only what `policy` (copied)
 * allows, both ways. Before fed_start only. Errors: those of
 * fed_peer_add, RM_ECONFIG (unknown federation, the agency's area not
 * inside that federation's areas, TLS without its ca_file).
 */
int fed_gateway_add(fed *f, const char *agency_id, const char *url,
    bool listen, const char *federation, const struct gateway_policy *policy,
    rm_why *why);
/* The roster in use of foreign federation `name`, referenced (roster_free),
 * or NULL (unknown name, or no charter known yet). Thread-safe. */
struct roster *fed_foreign_roster(fed *f, const char *name);
/*
 * Install nr (referenced) as the roster in use of foreign federation
 * `name` (its charter plus its agency records the node stored, built by
 * roster_apply). Every link re-sends its vector. RM_ENOTFOUND (no such
 * federation), RM_EINVAL (nr of another federation). Thread-safe.
 */
int fed_foreign_update(fed *f, const char *name, struct roster *nr);
/*
 * Is peer a gateway link? Then *policy (may be NULL) gets its export
 * policy and *far (may be NULL) the areas of its federation, so that the
 * node serves that peer only what gateway_policy_allows(policy, record,
 * far) lets cross -- range-based reconciliation over a gateway runs on
 * that subset (docs/PROTOCOL.md §12.5). False for another peer or an
 * unknown id. Thread-safe (set before fed_start, read-only after).
 */
bool fed_gateway_policy(fed *f, const char *peer,
    struct gateway_policy *policy, struct trust_areas *far);
/* Names of the foreign federations (index 0..), NULL past the end. */
const char *fed_foreign_name(fed *f, size_t i);

/* Open the sockets and start the link threads. */
int fed_start(fed *f, rm_why *why);
/* Stop all links and free. Safe after a failed fed_start. */
void fed_close(fed *f);

/*
 * A record was newly stored: push it to every peer that is UP, except
 * `except` (the agency it came from, or NULL). Copies bytes into each
 * link's queue and wakes the link's thread at once (no polling tick);
 * never blocks on the network. Thread-safe.
 */
void fed_broadcast(fed *f, const uint8_t *p, size_t n, const char *except);

/* Verify a record against the current roster or, for a signer the home
 * roster does not know, the foreign federations' rosters for their
 * areas only (fed_record_open_trusted, docs/PROTOCOL.md §12.1) and, on
 * refusal, count it by reason (and in foreign_refused). Thread-safe. */
int fed_verify(fed *f, const uint8_t *p, size_t n, struct fed_record *out,
    rm_why *why);
/* Current roster, referenced; caller roster_free()s. */
struct roster *fed_roster(fed *f);
/*
 * Install nr (referenced) as the current roster: the same charter (the
 * federation and version of the one in use) with other agency-record
 * entries, built by roster_apply from records the node stored
 * (docs/PROTOCOL.md §5a). Every up link then sends its vector at once,
 * so that records refused for an unknown or not yet valid signer are
 * sent again. RM_EINVAL if nr is of another federation or charter
 * version (a newer charter arrives only in ROSTER frames).
 * Thread-safe.
 */
int fed_roster_update(fed *f, struct roster *nr);
/* Peer status snapshot: up to max entries, returns the count. */
size_t fed_peers(fed *f, struct fed_peer_status *out, size_t max);
void fed_get_counters(fed *f, struct fed_counters *out);
/*
 * What peers hold of this node's own agency log, from the VECTOR frames
 * received since fed_start: *max_seq is the highest contiguous seq any
 * peer reported for our agency (0 if none), *vectors the number of
 * VECTOR frames received. The node refuses to issue while its own log is
 * behind *max_seq: issuing then would sign a second record with a seq
 * that peers already hold (a fork). Thread-safe.
 */
void fed_own_log_seen(fed *f, uint64_t *max_seq, uint64_t *vectors);

/*
 * Do the peers refuse this node's key? True when a peer that this node
 * authenticated (its PROOF verified) refused this node's PROOF
 * (EBADSIG, EUNAUTH, EUNKNOWNSIGNER) in its latest session and no link
 * is up: this node's key is then not its agency's key in use in its
 * peers' rosters (rotated, revoked, removed by an agency record this
 * node has not seen, since a refused link cannot bring it), and
 * anything it signs would be refused. The first refusing peer and its
 * reason are copied out (NUL-terminated, truncated). The node refuses
 * to issue meanwhile (docs/PROTOCOL.md §5b). A peer's verdict is
 * cleared when a session with it comes up. Thread-safe.
 */
bool fed_own_key_refused(fed *f, char *peer, size_t peer_len, char *reason,
    size_t reason_len);

/*
 * The highest roster version over the peers' latest announcements: each
 * peer counts with the version it announced in the HELLO of its latest
 * session whose PROOF verified (an unauthenticated HELLO counts for
 * nothing; a peer whose PROOF no longer verifies after a roster change
 * counts 0); 0 if none. Above the version in use it means a newer
 * roster exists that this node has not adopted (it did not verify, or
 * the session failed first): the node keeps working on the roster it
 * has and reports itself stale (docs/PROTOCOL.md §5, "no trust cliff").
 * A report, never enforced. Thread-safe.
 */
uint64_t fed_roster_seen(fed *f);
const char *fed_peer_state_name(enum fed_peer_state s);

/*
 * Reconcile with peer (its agency id) now (docs/PROTOCOL.md §7a): the
 * link's thread starts a session at once; progress and the result are
 * in fed_peers (reconcile_*). One session at a time per link.
 * Errors: RM_ENOTFOUND (no link to that peer), RM_EBUSY (the link is
 * not UP, or a session is running or already requested: retry later),
 * RM_EUNSUPPORTED (the host has no rbsr ops). Thread-safe.
 */
int fed_reconcile(fed *f, const char *peer, rm_why *why);

#endif /* RM_PEER_H */
