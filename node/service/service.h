/*
 * service.h -- the node's domain layer (rm_service): struct node (the
 * identity, the store, the federation and the counters every front end
 * reads), the domain API (issue, cancel, reads, status snapshot), the
 * federation's host operations (ingest into the store) and the fan-out
 * of newly stored records to the federation and to subscribers (the
 * CoAP server).
 *
 * Layering: uses node/store, node/config, federation, crypto,
 * schemas, common. It never includes node/http or node/coap: the front
 * ends are started by the daemon (node/daemon/daemon.h), which hands
 * their handles to struct node (opaque here) and subscribes CoAP to
 * stored records (node_subscribe).
 *
 * Roles and their log tags: "node" (start-up, issue path), "http",
 * "fed", "store", "coap".
 *
 * Thread rules: the functions here (issue, cancel, counters, the store
 * observer) are thread-safe and run on nng's HTTP threads, the store
 * writer thread and federation threads; node_subscribe() only at
 * start-up on the main thread, before anything can be stored (see its
 * comment).
 */
#ifndef RM_NODE_SERVICE_SERVICE_H
#define RM_NODE_SERVICE_SERVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "federation/peer/peer.h"
#include "federation/rbsr/rbsr.h"
#include "federation/trust/trust.h"
#include "node/cap/cap.h"
#include "node/config/config.h"
#include "node/store/store.h"

#define NODE_HTTP_STATUS_MAX 600       /* counters by HTTP status code */
#define NODE_BODY_MAX (1024 * 1024)    /* request body limit, bytes */
#define NODE_IMPORT_BODY_MAX (64u * 1024 * 1024) /* body limit of POST
                                       /v1/risks/import (a register of
                                       100,000 rows is ~30 MiB) */
#define NODE_SUBSCRIBERS_MAX 4         /* node_subscribe() slots */

struct http_srv;                 /* node/http/http.h, opaque here */
struct alertcoap;                /* node/coap/coap_srv.h, opaque here */
struct devices;                  /* node/devices/devices.h, opaque */
struct node_tasks;               /* node_task_sched.c */

struct node_rules;               /* node_rules.c, opaque */

/* Counters; all monotonic since start, read without locks. */
struct node_counters {
	atomic_uint_fast64_t stored_local;     /* own records committed */
	atomic_uint_fast64_t stored_peer;      /* peer records committed */
	atomic_uint_fast64_t ingest_refused[RM_ERR_COUNT]; /* store refused a
	                                          verified peer record */
	atomic_uint_fast64_t issued;           /* 201s of the issue path */
	atomic_uint_fast64_t http_requests;
	atomic_uint_fast64_t http_status[NODE_HTTP_STATUS_MAX];
	atomic_uint_fast64_t http_refused[RM_ERR_COUNT]; /* 4xx/5xx by error */
	atomic_uint_fast64_t coap_notified;    /* alert changes handed to
	                                          the CoAP server */
	atomic_uint_fast64_t agency_applied;   /* agency records applied to
	                                          the roster in use */
	atomic_uint_fast64_t agency_skipped;   /* agency records not applied
	                                          (charter agency, key held
	                                          by another agency) */
	atomic_uint_fast64_t own_key_refused;  /* issues refused: this node's
	                                          key is not its agency's
	                                          key in use */
	atomic_uint_fast64_t acks_ignored;     /* acks stored from agencies
	                                          not among the task's
	                                          assignees (never count) */
	atomic_uint_fast64_t escalations;      /* escalations issued by the
	                                          scheduler */
};

/* Agency records stored in one commit, applied together at its end. */
struct node_agency_batch {
	struct roster_agency *e;
	size_t n, cap;
};

/* Largest registrars' log file read at start (config `agencies`). */
#define NODE_AGENCIES_FILE_MAX (256u * 1024 * 1024)

/* CoAP server figures for the status and metrics pages (a copy of
 * node/coap's statistics, so that node/http need not include it). */
struct node_coap_stats {
	uint64_t requests;
	uint64_t notifications;
	uint64_t observers;
	uint64_t resources;
	uint64_t malformed;  /* datagrams dropped as malformed */
	uint64_t left_out;   /* alerts left out of bodies over 1 MiB */
	uint64_t restored;   /* observers kept over a restart, not yet back */
	uint64_t restored_sent; /* notifications sent to them */
	uint64_t dtls_ok;    /* DTLS handshakes completed (coaps://) */
	uint64_t dtls_failed; /* DTLS handshakes failed */
	uint64_t psk_unknown; /* of those, identity not registered */
	uint64_t plain_refused; /* plain GETs refused (registered only) */
	uint64_t registrations; /* own observe engine (docs/COAP.md) */
	uint64_t sent_non;
	uint64_t sent_con;
	uint64_t retransmits;
	uint64_t acks;
	uint64_t dropped_no_ack;
	uint64_t sock_drops;    /* datagrams dropped at the UDP socket */
};

/*
 * A subscriber to newly stored records: called on the store writer
 * thread after each commit, with the node's observer lock held (so it
 * never runs after node_unsubscribe_all() returns). ev and everything
 * it points to are valid during the call only. Must not block.
 */
typedef void (*node_event_fn)(void *arg, const struct store_event *ev);

struct node_sub {
	node_event_fn fn;
	void *arg;
};

struct node {
	struct node_config cfg;
	crypto_signer *signer;       /* the agency's signer (holds the key) */
	crypto_decrypter *decrypter; /* the agency's encryption key (config
	                                enc_key), NULL if none: restricted
	                                records are then shown without
	                                content (docs/PROTOCOL.md §6a) */
	crypto_key *root;            /* federation root (CA) public key */
	rm_hash kid;                 /* kid of the signer */
	struct roster *roster;       /* roster at start-up (fed holds the
	                                current one, see node_roster()) */
	/* Foreign federations (config `foreign`, docs/PROTOCOL.md §12.1),
	 * as cfg.foreign: their root keys and, at start-up, their rosters
	 * in use (NULL while no charter is known; fed holds the current
	 * ones). node_foreign_load fills them. */
	crypto_key *foreign_root[CONFIG_FOREIGN_MAX];
	struct roster *foreign_roster[CONFIG_FOREIGN_MAX];
	store *store;
	fed *fed;
	/* Front ends, started, owned and stopped by the daemon; opaque
	 * to the service. coap is NULL when CoAP is off. */
	struct alertcoap *coap;
	struct http_srv *http;
	/* Registered devices and their receipts (node/devices), opened
	 * by the daemon after the store; NULL in tools and tests. */
	struct devices *devices;
	/* CoAP figures for the status pages; NULL when CoAP is off. */
	void (*coap_stats)(struct node *n, struct node_coap_stats *out);
	/* Guards fed and subs as seen by the store observer (writer
	 * thread) against node_stop(). */
	pthread_mutex_t obs_mtx;
	bool obs_mtx_ok;
	/* The reconciliation sets of gateway peers (node_gateway_set.c),
	 * created on first use; the list is guarded by gw_mtx (initialised
	 * with obs_mtx). */
	pthread_mutex_t gw_mtx;
	struct node_gw_set *gw_sets;
	struct node_sub subs[NODE_SUBSCRIBERS_MAX];
	size_t n_subs;
	rm_utc_ms started_ms;
	struct node_counters ctr;
	struct node_agency_batch agency_pending; /* writer thread only */
	/* Task dispatch: the clock of deadlines (NULL: rm_utc_now_ms; set
	 * before node_tasks_start) and the escalation scheduler. */
	rm_utc_ms (*clock)(void);
	struct node_tasks *tasks;

	struct node_rules *rules;    /* the monitoring rules (node_rules.c),
	                                NULL when config `rules` is unset */
	/* Risk imports in pass 2 (node_risk_batch.c): while one runs, the
	 * review_overdue rules issue nothing (docs/RULES.md "Risk review
	 * dates"), so that their proposals do not move the own log's head
	 * under the import's sealed batches. */
	atomic_uint imports;
};

/* The current roster, referenced (caller roster_free()s); thread-safe. */
struct roster *node_roster(struct node *n);

/* ---------------- the roster in use (node_roster.c) ----------------
 * The charter (roster file) plus the newest agency record of every
 * agency (docs/PROTOCOL.md §5a). */

/*
 * Verify the registrars' log file at path (config `agencies`, an RFC
 * 8742 CBOR sequence of COSE_Sign1 records) against charter and return
 * the charter with its agency records applied (out NULL: only walk and
 * store, no roster is built). With n non-NULL and
 * n->store open, records the store lacks are stored (waiting for the
 * commit) and a summary is logged; refused records are logged (rate
 * limited) and skipped. path NULL or "": *out is charter referenced.
 * Errors: rm_file_read's (RM_EIO, RM_ETOOBIG over
 * NODE_AGENCIES_FILE_MAX), RM_EMALFORMED (not a CBOR sequence),
 * roster_apply's.
 */
int node_roster_from_file(struct node *n, const struct roster *charter,
    const char *path, struct roster **out, rm_why *why);
/* base plus the newest agency record of every agency in n->store (one
 * read transaction). Errors: RM_ESTORE, RM_ENOMEM, roster_apply's. */
int node_roster_from_store(struct node *n, const struct roster *base,
    struct roster **out, rm_why *why);
/*
 * The foreign federations of n->cfg (docs/PROTOCOL.md §12.1): each root
 * certificate's key into n->foreign_root[i] and, when the charter saved
 * under DATA_DIR/foreign/NAME.cose is there (node_foreign_save) and
 * verifies with that root, that charter plus the agency records of its
 * registrars in n->store (NULL: only check) into n->foreign_roster[i].
 * Errors: x509_public_key's (field: the root file), RM_EBADVALUE (a bad
 * area list or name).
 */
int node_foreign_load(struct node *n, rm_why *why);
/* Write a foreign charter to DATA_DIR/foreign/NAME.cose (atomically,
 * directory created 0700). Errors: RM_EIO, RM_EINVAL (name not of
 * cfg.foreign). */
int node_foreign_save(struct node *n, const char *name, const uint8_t *p,
    size_t len);
/* Store observer part (writer thread, obs_mtx held): collects the
 * agency records of the home federation's registrars (a foreign
 * registrar's records go to that federation's roster, in the peer
 * engine) and, at the last event of a commit, installs the roster with
 * them applied (fed_roster_update). */
void node_roster_observe(struct node *n, const struct store_event *ev);

/* Is this node's signing key the key roster r names for its agency?
 * False after a rotation or revocation, if the agency left the roster,
 * or for r NULL: the node then refuses to issue (RM_EUNKNOWNSIGNER,
 * field "key" or "agency") rather than sign records every peer
 * refuses. Reads only n->cfg and n->kid: thread-safe. */
bool node_own_key_valid(struct node *n, const struct roster *r);

/* ---------------- the domain API (node_issue.c, node_read.c) --------
 * Issuing, cancelling and reading records of the node's own agency, in
 * C structures; front ends (HTTP today; CAP XML, CSV import, rule
 * proposals and gateway links later) call these and never build JSON
 * to issue something. Errors are rm_err with why saying what (and,
 * where one input is at fault, why->field naming it); each distinct
 * refusal has its own rm_err (docs/API.md maps them to HTTP):
 *   RM_EBADVALUE   the draft breaks a rule (msg_type for a new object,
 *                  Ack/Error, invalid record), field set
 *   RM_EEXIST      the object is cancelled, is not an alert, or exists
 *                  and the draft says Alert (field object_id/msg_type)
 *   RM_EBUSY       field "object_id": the object changed concurrently
 *                  (optimistic concurrency; nothing stored, retry);
 *                  field "": the own-log guard (see below; retry later)
 *   RM_EUNAUTH     the roster does not let the agency issue this (why
 *                  names the rule)
 *   RM_EUNKNOWNSIGNER   field "agency": the agency is not in the current
 *                  roster; field "key": the roster names another key for
 *                  it (rotated or revoked) -- the node cannot issue at
 *                  all until it is given the current key
 *   RM_ENOTFOUND   no such object of the agency (cancel)
 *   RM_ECLOSED     the node is shutting down
 *   RM_ESTORE, RM_EIO, RM_ENOMEM, RM_EFORK, RM_ECRYPTO   nothing stored
 */

/* The rule of object_id_valid() (schemas/schemas.h), for reasons. */
#define NODE_OBJECT_ID_RULE "1..128 of A-Z a-z 0-9 . _ : -, not \".\" " \
    "or \"..\""

/* What was issued. */
struct service_issued {
	rm_hash hash;
	char object_id[RM_OBJECT_ID_MAX + 1];
	char origin[RM_AGENCY_ID_MAX + 1];
	uint64_t seq;
	uint64_t ver;
	const char *kind;            /* the kind's name ("alert", "task"):
	                                static, the registry's; NULL if not
	                                known */
};

/* A fresh CAP identifier for a draft that has none:
 * "<agency>-<now ms>-<8 random hex digits>". Errors: RM_ECRYPTO. */
int service_alert_default_id(struct node *n, rm_utc_ms now,
    char out[RM_ALERT_IDENTIFIER_MAX + 1], rm_why *why);

/*
 * Issue draft (an alert record of the own agency, ver = seq = 0, as
 * req_alert_parse() or another front end builds it) under the msg_type
 * rules against the object's latest version (docs/API.md): a new
 * object must be an Alert (EBADVALUE otherwise); a cancelled object is
 * closed (EEXIST); when msg_type_given is false and the object exists
 * the draft is issued as an Update, an explicit Alert for it is
 * EEXIST, Update and Cancel are accepted, Ack and Error are EBADVALUE
 * -> the own-log guard (EBUSY, field "": a peer holds more of the own
 * log, or no own record yet and no peer vector within 10 s of start)
 * -> roster_authorise (EUNKNOWNSIGNER / EUNAUTH with the rule) ->
 * store_issue with the record sealed by the agency's signer, only if
 * the store's latest version is still the one the decision was based
 * on (else EBUSY field "object_id", nothing stored). Returns after the
 * commit; *out is written on success only. draft's msg_type may be
 * changed to Update; the caller still owns draft (record_fini()).
 * Thread-safe.
 */
int service_alert_issue(struct node *n, struct rm_record *draft,
    bool msg_type_given, struct service_issued *out, rm_why *why);

/*
 * Issue a CAP 1.2 message (docs/CAP.md "Issuing from CAP"; node_cap.c):
 * the record carries the whole message ("cap", schemas/cap_model.h) and
 * its core (cap_to_record). cap is borrowed for the call. The sender
 * must be this node's agency (RM_EUNAUTH, field "sender"). An Alert
 * starts the object named by its identifier (RM_EBADVALUE, field
 * "identifier", if that is not a valid object id); an Update or a
 * Cancel is the next version of the object named by the first of its
 * references with the same sender whose identifier is an object of
 * this agency (RM_ENOTFOUND, field "references", if none; a message
 * without <info> takes the core from that object's latest version).
 * Deduplication by sender and identifier: when the object (or the
 * object named by the identifier) already has a version with this
 * identifier, the same message (identical CBOR form) gives RM_OK, *dup
 * true and that version in *out, nothing issued or broadcast; another
 * message is RM_EEXIST (field "identifier", CAP 1.2 §3.2.1). A message
 * naming itself in its references is refused by cap_parse before.
 * Ack, Error: RM_EBADVALUE (field "msgType"). Then as
 * service_alert_issue (a cancelled object is closed: RM_EEXIST).
 * Thread-safe; two copies arriving at once are stored once (the second
 * retries after EBUSY and finds the first).
 */
int service_alert_issue_cap(struct node *n, const struct cap_alert *cap,
    struct service_issued *out, bool *dup, rm_why *why);

/*
 * The winning version of alert object oid of origin, decoded into *out
 * (record_fini) with its hash; a restricted one decrypted when this
 * node can read it. Errors: RM_ENOTFOUND (field "object_id": not a
 * valid id, no such object, not an alert or not readable here),
 * RM_ESTORE. Thread-safe.
 */
int service_alert_read(struct node *n, const char *origin, const char *oid,
    struct rm_record *out, rm_hash *hash, rm_why *why);

/*
 * Cancel the own agency's object object_id: a new version with
 * msg_type Cancel and, when reason is non-NULL, reason as the
 * description of every text. ENOTFOUND (field object_id) if the agency
 * has no such object or object_id is not a valid object id, EEXIST if
 * it is already cancelled or not an alert, EBUSY if another version
 * was stored concurrently; then as service_alert_issue().
 */
int service_alert_cancel(struct node *n, const char *object_id,
    const char *reason, struct service_issued *out, rm_why *why);

/* What POST /v1/records did with each record (service_records_ingest). */
#define SERVICE_INGEST_REFUSED_MAX 64   /* refusals reported in detail */
struct service_ingest_refusal {
	size_t index;                /* 0-based position in the sequence */
	int err;                     /* rm_err */
	char reason[200];
};
struct service_ingest {
	size_t stored, duplicate;
	size_t n_refused_total;      /* all refusals */
	size_t n_refused;            /* detailed below (the first ones) */
	struct service_ingest_refusal refused[SERVICE_INGEST_REFUSED_MAX];
};

/*
 * Store signed records handed in (an RFC 8742 CBOR sequence of
 * COSE_Sign1, e.g. a registrars' log published by `riskmesh roster
 * publish`): each is verified against the roster in use exactly as a
 * peer's record is (fed_record_open: signer, key validity, signature,
 * body, authorisation), stored (waiting for the commit) if new, and
 * relayed to the peers by the store observer. A record that fails is
 * reported in res and never stops the others. Errors (nothing after the
 * first bad byte is looked at): RM_EMISSING (empty), RM_EMALFORMED (not
 * a sequence of complete CBOR items). Any thread but the store's.
 */
int service_records_ingest(struct node *n, const uint8_t *p, size_t len,
    struct service_ingest *res, rm_why *why);

/*
 * Resolve the fork of `origin` at `seq` this node holds evidence of:
 * issue a fork_resolution record (docs/PROTOCOL.md "Fork resolution")
 * signed with the node's agency key, keeping the record with hash keep
 * in origin's log; object id "fork:<origin>:<seq>", the signer's first
 * roster area. The store applies it at once (node/store/store.h) and
 * it replicates like any record. Allowed when this node's agency is the
 * forked origin (its current key must differ from the key of the losing
 * record, i.e. after a rotation) or a registrar (roster_is_registrar).
 * Errors: RM_ENOTFOUND (field "origin": not an agency id; field "seq":
 * no such fork here), RM_EUNAUTH (neither origin nor registrar; or the
 * origin's key signed the losing record), RM_EBADVALUE (keep names
 * neither record), RM_EEXIST (already resolved for the other record),
 * then as service_alert_issue (own-log guard, own key, store).
 * Thread-safe.
 */
int service_fork_resolve(struct node *n, const char *origin, uint64_t seq,
    const rm_hash *keep, struct service_issued *out, rm_why *why);

/* The signed record (COSE_Sign1 bytes) with this hash, appended to out.
 * Errors: RM_ENOTFOUND (field "hash"), those of store_get. */
int service_record_get(struct node *n, const rm_hash *hash, rm_buf *out,
    rm_why *why);

/* The record with this hash, decoded into *out (record_fini() it; only
 * on success). A restricted record is returned as stored (body NULL):
 * see service_record_reveal. Errors: those of service_record_get,
 * RM_ESTORE (a stored record that does not decode). Thread-safe. */
int service_record_read(struct node *n, const rm_hash *hash,
    struct rm_record *out, rm_why *why);

/*
 * Decrypt a restricted record in place if this node can: its agency is
 * among rec->to and an enc_key is configured (n->decrypter). Then
 * rec->body is set (owned by rec: record_fini, or record_body_free for
 * a shallow copy of a borrowed record) after fed_record_decrypt's
 * checks, grade included. RM_OK with rec unchanged when rec is not
 * restricted, already has its body, or is not for this node: callers
 * test rec->body. Errors: those of fed_record_decrypt (rec unchanged;
 * logged on the security channel, rate-limited). Thread-safe.
 */
int service_record_reveal(struct node *n, struct rm_record *rec,
    rm_why *why);

/* The forks this node holds evidence of (store_forks_each: origin, seq,
 * the evidence's hash, the log's hash at that seq or NULL, the
 * resolution's hash or NULL while open), by origin
 * then seq. each() runs inside a store read transaction: it may call
 * store reads but never store_issue, store_put_wait or store_close; a
 * non-zero return stops the walk and is returned. Errors: RM_ESTORE,
 * RM_ENOMEM, each()'s value. Thread-safe. */
int service_forks_each(struct node *n, store_fork_fn each, void *arg,
    rm_why *why);

/* A snapshot of the node for the status pages (service_status). */
struct service_status {
	struct store_stats store;
	bool fed_on;                 /* a federation is running */
	struct fed_counters fed;     /* zeros when !fed_on */
	size_t n_peers;
	struct fed_peer_status peers[CONFIG_PEERS_MAX + CONFIG_GATEWAYS_MAX];
	struct roster *roster;       /* the current roster, referenced;
	                                NULL if there is none */
	bool own_key_valid;          /* node_own_key_valid(roster) */
	uint64_t roster_seen;        /* highest roster version a peer
	                                announced (fed_roster_seen), 0 if
	                                none; above roster's: stale */
	bool coap_on;                /* the CoAP server is running */
	struct node_coap_stats coap; /* zeros when !coap_on */
	/* The whole stored set as range-based reconciliation sees it
	 * (docs/PROTOCOL.md): its count and fingerprint. Two nodes hold
	 * the same records exactly when these are equal. */
	uint64_t set_count;
	uint8_t set_fingerprint[RBSR_FP_BYTES];
};

/* The peer links' status (fed_peers): up to max entries into out;
 * returns the count (0 without a federation). Thread-safe. */
size_t service_peers(struct node *n, struct fed_peer_status *out,
    size_t max);
/* Start a range-based set reconciliation with peer `agency` now
 * (fed_reconcile, docs/PROTOCOL.md §7a); its progress and result are in
 * the peer's status (reconcile_*). Errors: RM_ENOTFOUND (no link to that
 * agency, or no federation), RM_EBUSY (the link is not up, or a session
 * is already running), RM_EUNSUPPORTED. Thread-safe. */
int service_peer_sync(struct node *n, const char *agency, rm_why *why);

/* Range-based reconciliation sets (node_gateway_set.c, docs/PROTOCOL.md
 * §12.5): the rbsr host ops (fed_host_ops) for peer `peer`. For a
 * gateway peer they read the set of records its export policy lets
 * cross (built from the store at first use, then kept current by
 * node_gw_sets_observe); for any other peer they are the store's
 * store_rbsr_* calls. Errors: those of the store, RM_ENOMEM;
 * node_gw_rbsr_get RM_ENOTFOUND also for a record not exported to peer.
 * Thread-safe. */
int node_gw_rbsr_sum(struct node *n, const char *peer,
    const struct rbsr_key *lo, const struct rbsr_key *hi,
    struct rbsr_sum *out);
int node_gw_rbsr_keys(struct node *n, const char *peer,
    const struct rbsr_key *lo, const struct rbsr_key *hi, size_t max,
    struct rbsr_key *out, size_t *cnt);
int node_gw_rbsr_nth(struct node *n, const char *peer,
    const struct rbsr_key *lo, const struct rbsr_key *hi, uint64_t idx,
    struct rbsr_key *out);
int node_gw_rbsr_sums(struct node *n, const char *peer,
    const struct rbsr_key *bounds, size_t cnt, struct rbsr_sum *out);
int node_gw_rbsr_get(struct node *n, const char *peer, uint64_t issued_ms,
    const uint8_t *prefix, size_t prefix_len, rm_buf *out);
/* A record was stored (store observer, writer thread): insert it into
 * every gateway set whose policy exports it. */
void node_gw_sets_observe(struct node *n, const struct store_event *ev);
/* Free the sets (at node_fini, no thread left). */
void node_gw_sets_fini(struct node *n);

/* Take a snapshot into a new *out (service_status_free() it); the
 * node's own counters (n->ctr) are read by the caller. Errors: those
 * of store_get_stats, RM_ENOMEM. */
int service_status(struct node *n, struct service_status **out,
    rm_why *why);
void service_status_free(struct service_status *st);

/* The alerts in force at now in area (NULL = all), newest first, as
 * store_active() gives them. Restricted alerts (docs/PROTOCOL.md §6a)
 * are listed decrypted on a node of a recipient agency (and left out
 * there when the content is a Cancel), and without content elsewhere
 * (body NULL, until their expiry). Errors: those of store_active and
 * each. */
int service_alerts_active(struct node *n, const char *area, rm_utc_ms now,
    store_each_fn each, void *arg, rm_why *why);

/* ---------------- glue (node_glue.c) ---------------- */

/* Host operations handed to the federation (ingest -> store_put, …). */
extern const struct fed_host_ops node_fed_ops;

/* Store observer (install with store_set_observer(store,
 * node_store_observer, n)): counters, a log line, fed_broadcast, then
 * every subscriber in the order of node_subscribe(). */
void node_store_observer(void *arg, const struct store_event *ev);

/* Add a subscriber to stored records. Errors: RM_ETOOBIG (more than
 * NODE_SUBSCRIBERS_MAX). Call before records can be stored or with
 * obs_mtx held. */
int node_subscribe(struct node *n, node_event_fn fn, void *arg);

/* Remove every subscriber and detach the federation from the observer
 * (under obs_mtx): after it returns, no subscriber runs again. Returns
 * the federation handle, now owned by the caller (fed_close() it). */
fed *node_detach(struct node *n);

/* ---------------- the registers, each in its own header ---------------- */

#include "node/service/service_risk.h"
#include "node/service/service_task.h"
#include "node/service/service_indicator.h"
#include "node/service/service_rules.h"

#endif /* RM_NODE_SERVICE_SERVICE_H */
