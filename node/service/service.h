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
	store *store;
	fed *fed;
	/* Front ends, started, owned and stopped by the daemon; opaque
	 * to the service. coap is NULL when CoAP is off. */
	struct alertcoap *coap;
	struct http_srv *http;
	/* CoAP figures for the status pages; NULL when CoAP is off. */
	void (*coap_stats)(struct node *n, struct node_coap_stats *out);
	/* Guards fed and subs as seen by the store observer (writer
	 * thread) against node_stop(). */
	pthread_mutex_t obs_mtx;
	bool obs_mtx_ok;
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
/* Store observer part (writer thread, obs_mtx held): collects agency
 * records and, at the last event of a commit, installs the roster with
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
	struct fed_peer_status peers[CONFIG_PEERS_MAX];
	struct roster *roster;       /* the current roster, referenced;
	                                NULL if there is none */
	bool own_key_valid;          /* node_own_key_valid(roster) */
	uint64_t roster_seen;        /* highest roster version a peer
	                                announced (fed_roster_seen), 0 if
	                                none; above roster's: stale */
	bool coap_on;                /* the CoAP server is running */
	struct node_coap_stats coap; /* zeros when !coap_on */
};

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

/* ---------------- the risk register (node_risk.c) ----------------
 * Items of the own agency's risk register (kind "risk", schemas.h "the
 * risk kind"), issued through the same path as alerts: the kind's
 * status rule (risk_status_next), the own-log guard, roster_authorise
 * (the agency's roster entry must list kind "risk", the risk's area
 * must be within its areas and its grade at most its max_grade) and
 * store_issue with optimistic concurrency. Errors as
 * service_alert_issue, and:
 *   RM_EEXIST      field "object_id": a new risk whose id exists, or an
 *                  object that is not a risk; field "status": the risk
 *                  was removed (removed is final)
 *   RM_ENOTFOUND   field "object_id": no such risk of the agency
 *   RM_EBUSY       field "object_id": the risk changed since the
 *                  version the update was based on
 */

/*
 * The own agency's latest version of risk `id`, decoded into *out
 * (record_fini() it) with its hash in *hash. Errors: RM_ENOTFOUND (field
 * object_id: none, or not a valid object id), RM_EEXIST (an object that
 * is not a risk), RM_ESTORE.
 */
int service_risk_latest(struct node *n, const char *id,
    struct rm_record *out, rm_hash *hash, rm_why *why);

/*
 * Issue draft (a risk record of the own agency, ver = seq = 0, one
 * area; the caller owns it): base NULL for a new risk (RM_EEXIST if the
 * id exists), else the next version of the version with hash *base (as
 * service_risk_latest gave it; RM_EBUSY if another version came since,
 * RM_ENOTFOUND if there is none). Returns after the commit; *out on
 * success only. Thread-safe.
 */
int service_risk_issue(struct node *n, struct rm_record *draft,
    const rm_hash *base, struct service_issued *out, rm_why *why);

/*
 * Remove risk `id` of the own agency: the next version of its latest
 * one with status "removed" and reason (1..RM_RISK_REASON_MAX bytes of
 * UTF-8; RM_EMISSING/RM_EBADVALUE field "reason" otherwise). Errors
 * as service_risk_latest and service_risk_issue.
 */
int service_risk_remove(struct node *n, const char *id, const char *reason,
    struct service_issued *out, rm_why *why);

/* List filters; 0 / NULL / false: any. */
struct service_risk_filter {
	const char *area;            /* overlapping this area code */
	rm_grade grade;
	enum rm_risk_status status;  /* identified or controlled (removed
	                                risks are not in force) */
	enum rm_risk_category category;
	const char *responsible;     /* agency id */
	/* the views (node_risk_views.c, service_risks_page) */
	bool within;                 /* area: only items inside it (a
	                                district's register) */
	enum rm_risk_subcategory subcategory;
	bool overdue;                /* review date before `today` */
	const char *today;           /* "YYYY-MM-DD"; NULL: the UTC date
	                                of now */
	size_t limit;                /* items of one page; 0: all */
	const struct store_cursor *after; /* resume after this item (a
	                                page's next); NULL: the newest */
};

/*
 * The risks in force at now (every agency's, status not removed) that
 * match every filter of f, newest issued first: service_risks_page
 * without the page. Errors as service_risks_page.
 */
int service_risks_list(struct node *n, const struct service_risk_filter *f,
    rm_utc_ms now, store_each_fn each, void *arg, rm_why *why);

/* ---------------- risk register views (node_risk_views.c) ----------------
 * The views of the register over the store's query engine (store.h
 * "queries"): every filter is an index (the area, the kind's keys
 * grade=, status=, category=, subcategory=, responsible=, the key range
 * review= .. review=<today> for overdue items), AND'ed in the store, so
 * a page of 100 reads 100 records whatever the register's size.
 */
#define SERVICE_RISKS_LIMIT_MAX 100000

/*
 * One page of the risks in force at now matching every filter of f,
 * newest issued first: each() per item (as store_query), *page (may be
 * NULL) on success: how many, whether more follow, and the cursor of
 * the next page. Errors: RM_EBADVALUE (field "area": not an area code;
 * "within": no area; "today": not a date; "limit": above
 * SERVICE_RISKS_LIMIT_MAX), those of the store and each.
 */
int service_risks_page(struct node *n, const struct service_risk_filter *f,
    rm_utc_ms now, store_each_fn each, void *arg, struct store_page *page,
    rm_why *why);

/* Counts of in-force risks (no record is read). */
struct service_risk_counts {
	uint64_t total;
	uint64_t grade[5];           /* by rm_grade 1 (blue) .. 4 (red) */
	uint64_t status[3];          /* by rm_risk_status 1 (identified),
	                                2 (controlled) */
};

/* What the summary reports: one group and its counts. */
enum service_risk_group {
	SERVICE_RISK_AREA_TOTAL,     /* the area itself: name = the area */
	SERVICE_RISK_AREA_CHILD,     /* one level below (a district of a
	                                city): name = its significant prefix */
	SERVICE_RISK_RESPONSIBLE,    /* a responsible unit (department):
	                                name = its agency id */
};

/*
 * The roll-up of the register of `area` (items within it; NULL: every
 * item): each(arg, group, name, counts) for the area's total, then
 * each child area with items, then each responsible unit with items,
 * in key order (name and counts valid during the call; non-zero stops
 * and is returned). Counts only: no record is decoded. Errors:
 * RM_EBADVALUE (field "area"), those of the store and each.
 */
int service_risks_summary(struct node *n, const char *area, rm_utc_ms now,
    int (*each)(void *arg, enum service_risk_group group, const char *name,
        const struct service_risk_counts *c),
    void *arg, rm_why *why);

/* One change of the register between two dates. */
struct service_risk_change {
	const char *change;          /* "added", "regraded", "removed",
	                                "changed" */
	const struct rm_record *old; /* the version in force at `from`
	                                (NULL: added in the interval) */
	const rm_hash *old_hash;
	const struct rm_record *cur; /* the last version issued in the
	                                interval */
	const rm_hash *cur_hash;
	unsigned versions;           /* versions issued in the interval */
};

/*
 * The changes of the register in [from_ms, to_ms): per risk object with
 * a version issued then (every agency's, from the store's history),
 * ordered by the last version's issued time, each(arg, change). A risk
 * whose last version is removed is "removed" (its reason in the
 * record); one with no version before from_ms "added"; one whose grade
 * differs from the version before from_ms "regraded"; else "changed".
 * area: only risks whose area (old or new) overlaps it (NULL: all).
 * Errors: RM_EBADVALUE (field "from": not before to; "area"), RM_ENOMEM,
 * those of the store and each.
 */
int service_risks_diff(struct node *n, rm_utc_ms from_ms, rm_utc_ms to_ms,
    const char *area,
    int (*each)(void *arg, const struct service_risk_change *c), void *arg,
    rm_why *why);

/* ---------------- task dispatch (node_task*.c) ----------------
 * Tasks (交办) of the own agency, acks of the tasks it is assigned, and
 * the escalation of its overdue tasks (schemas.h "task dispatch"),
 * issued through the path of node_issue.c: the kind's status rules,
 * the own-log guard, roster_authorise (the agency's roster entry must
 * list kind "task" for tasks and escalations; any roster agency may
 * sign an ack) and store_issue with optimistic concurrency. That only
 * an assignee acknowledges is enforced here, when issuing (RM_EUNAUTH)
 * and in every view: an ack by an agency that is not among the task's
 * assignees is stored (it is validly signed) but never counts; such
 * acks are counted (n->ctr.acks_ignored) and logged, rate-limited.
 * Errors as service_alert_issue, and:
 *   RM_ENOTFOUND   field "object_id": no such task (of that origin);
 *                  field "origin": not an agency id
 *   RM_EEXIST      field "object_id": a new task whose id exists, an
 *                  object that is not a task, or an id several
 *                  assigners use (give the origin); field "status": the
 *                  task is closed or cancelled; field "state": the ack
 *                  is done or refused
 *   RM_EUNAUTH     field "assignees": this agency is not an assignee
 *                  (the reason names the task's assignees)
 *   RM_EBADVALUE   field "assignees" / "lead": not an agency of the
 *                  roster; "deadline": not in the future; "state": a
 *                  step backwards
 * Times ("now") come from n->clock (rm_utc_now_ms when NULL), so tests
 * drive deadlines with a fake clock.
 */

/* The time the task code runs at: n->clock() or rm_utc_now_ms(). */
rm_utc_ms node_now(struct node *n);

/*
 * The latest version of task `id` of agency `origin` (NULL: the own
 * agency's, else the one open task with that id assigned to the own
 * agency), decoded into *out (record_fini() it) with its hash. Errors:
 * RM_ENOTFOUND (fields "object_id" or "origin"), RM_EEXIST (not a task;
 * or origin NULL and several assigners have an open task with that id
 * for this agency), RM_ESTORE.
 */
int service_task_find(struct node *n, const char *origin, const char *id,
    struct rm_record *out, rm_hash *hash, rm_why *why);

/*
 * Issue draft (a task of the own agency, ver = seq = 0; caller owns
 * it): base NULL for a new task (RM_EEXIST if the id exists; its
 * deadline must be after now, its status open), else the next version
 * of the version with hash *base (RM_EBUSY if another came since).
 * Every assignee must be an agency of the roster in use, not removed.
 * Returns after the commit; *out on success only. Thread-safe.
 */
int service_task_issue(struct node *n, struct rm_record *draft,
    const rm_hash *base, struct service_issued *out, rm_why *why);

/* Close (status closed) or cancel (status cancelled) own task `id`
 * with an optional note (1..RM_TASK_NOTE_MAX bytes of UTF-8). Errors
 * as service_task_find and service_task_issue; RM_EINVAL for another
 * status. */
int service_task_close(struct node *n, const char *id,
    enum rm_task_status status, const char *note, struct service_issued *out,
    rm_why *why);

/*
 * Acknowledge task (origin, id) (origin NULL: as service_task_find) as
 * the own agency: the next version of its ack object (kind "ack", oid
 * ack_object_id, area the agency's first roster area) with state, note
 * (required for done) and reason (required for refused). Refused with
 * RM_EUNAUTH (field "assignees") unless the own agency is an assignee,
 * RM_EEXIST (field "status") if the task is not open, ack_state_next's
 * errors. Thread-safe.
 */
int service_task_ack(struct node *n, const char *origin, const char *id,
    enum rm_ack_state state, const char *note, const char *reason,
    struct service_issued *out, rm_why *why);

/* One assignee's answer as the views see it. */
struct service_task_ack {
	char agency[RM_AGENCY_ID_MAX + 1];
	enum rm_ack_state state;     /* 0: no ack yet */
	uint64_t ver;                /* the ack object's version, 0: none */
	rm_utc_ms issued_ms;         /* its latest version's issue time */
};

/* A task with its acks joined in (one per assignee, assignee order). */
struct service_task_view {
	const struct rm_record *rec; /* latest version, borrowed */
	const rm_hash *hash;
	size_t n_acks;               /* == the task's n_assignees */
	struct service_task_ack acks[RM_TASK_ASSIGNEES_MAX];
	size_t n_done;               /* assignees done */
	size_t n_ignored;            /* acks by non-assignees (never count) */
	bool overdue;                /* open, deadline <= now, not all done */
	bool escalated;              /* its escalation is stored here */
	rm_hash escalation;          /* its hash, if escalated */
};

/* List filters; 0 / NULL / false: any. */
struct service_task_filter {
	const char *assigner;        /* agency id (the task's origin) */
	const char *assignee;        /* agency id among the assignees */
	const char *area;            /* overlapping this area code */
	bool overdue;                /* only overdue tasks */
};

/* Views get the task view; everything is valid during the call only.
 * A non-zero return stops the walk and is returned. */
typedef int (*service_task_each_fn)(void *arg,
    const struct service_task_view *v);

/*
 * The open tasks (every agency's: tasks are in force while open) that
 * match f, newest issued first, with their acks at `now`. One index is
 * walked (assignee=, else origin=, else the area) and the rest is
 * compared with the fields. Errors: RM_EBADVALUE (field "area",
 * "assigner", "assignee": malformed), the store's, each()'s.
 */
int service_tasks_list(struct node *n, const struct service_task_filter *f,
    rm_utc_ms now, service_task_each_fn each, void *arg, rm_why *why);

/* What a task's history walk reports: role "task" (every version,
 * newest first), "ack" (every version of each assignee's ack, newest
 * first) or "escalation". Valid during the call only. */
typedef int (*service_task_history_fn)(void *arg, const char *role,
    const rm_hash *h, const struct rm_record *rec);

/*
 * Task (origin, id) (as service_task_find) at `now`: view(arg, the
 * view) once, then hist for its whole history. Either may be NULL.
 * Errors: those of service_task_find, RM_ESTORE, the callbacks'.
 */
int service_task_show(struct node *n, const char *origin, const char *id,
    rm_utc_ms now, service_task_each_fn view, service_task_history_fn hist,
    void *arg, rm_why *why);

/*
 * The escalation scheduler of the own agency's tasks: a thread that
 * sleeps (condition variable, no tick) until the earliest deadline of
 * the agency's open tasks not yet escalated with some assignee not
 * done, then issues each due escalation once (its oid is deterministic:
 * a stored one, also from before a restart, is never issued again).
 * It is woken when a task or ack is stored (a subscriber added here:
 * call while records cannot be stored yet, like node_subscribe) and by
 * node_tasks_kick. Refusals are logged and retried after 1 s (own-log
 * guard) or 60 s. Errors: RM_ENOMEM, RM_ETOOBIG (subscribers full),
 * RM_EIO (thread).
 */
int node_tasks_start(struct node *n, rm_why *why);
/* Stop and join the scheduler (prompt: it is woken); safe if never
 * started. Call before store_close. */
void node_tasks_stop(struct node *n);
/* Wake the scheduler to look again (tests: after moving a fake
 * clock). Thread-safe; nothing if not started. */
void node_tasks_kick(struct node *n);
/* Completed scheduler passes since start (tests wait for a change). */
uint64_t node_tasks_passes(struct node *n);

/* ---------------- indicators (node_indicator.c, node_ind_ingest.c,
 * node_ind_query.c) ----------------
 * Indicator definitions and series of the own agency (kinds
 * "indicator_def" and "indicator", schemas.h "the indicator kinds"),
 * issued through the same path as alerts (own-log guard,
 * roster_authorise: the agency's roster entry must list "indicator"
 * and cover the area, store_issue), and the single values every
 * node's store holds, read from the kinds' index keys ("code=C",
 * "at=C@AREA", "in=C@PREFIX"). Errors as service_alert_issue, and:
 *   RM_EEXIST      field "code": the own object with that oid is not an
 *                  indicator definition
 */

/*
 * Define indicator draft->code, or publish the next version of the own
 * agency's definition of it (a new target, name or threshold): draft
 * is an indicator_def record of the own agency (oid == code, ver = seq
 * = 0, the areas it applies to). Returns after the commit; *out on
 * success only. The caller owns draft. Thread-safe.
 */
int service_indicator_define(struct node *n, struct rm_record *draft,
    struct service_issued *out, rm_why *why);

/*
 * Every agency's indicator definitions in force: of code (NULL: every
 * code) whose areas overlap area (NULL: any), newest issued first, as
 * store_index_each / store_active give them. Errors: RM_EBADVALUE
 * (field "code" or "area": malformed), the store's and each's.
 */
int service_indicator_defs(struct node *n, const char *code,
    const char *area, rm_utc_ms now, store_each_fn each, void *arg,
    rm_why *why);

/* What bulk ingest did (service_indicator_ingest). */
struct service_ind_series {
	struct service_issued is;
	char code[RM_IND_CODE_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	char unit[RM_IND_UNIT_MAX + 1];
	enum rm_ind_source source;
	enum rm_ind_period period;
	size_t count;                /* values in the series */
	int64_t first, last;         /* times of its first and last point */
};
struct service_ind_ingest {
	size_t values;               /* values stored */
	size_t refused;              /* values refused (skip_bad) */
	size_t n_series;             /* series records issued */
	struct service_ind_series *series; /* heap (free()), n_series */
};

/*
 * Store values v[0..nv) of the own agency (bulk ingest): each value's
 * unit and source default to its code's definition (the newest in
 * force whose areas cover its area; RM_EMISSING field "unit" or
 * "source" if there is none), then the values are grouped by (code,
 * area, source, unit, period kind), sorted by time (a later value of
 * one time replaces an earlier one), cut into series of at most
 * RM_IND_POINTS_MAX points and RM_IND_POINTS_BYTES_MAX bytes, checked
 * (record_validate, roster_authorise) and issued one record (one
 * commit) per series. A refused value is reported to bad(arg, e) with
 * its line (e->line = v[i].line); unless skip_bad, any refusal stops
 * everything before anything is issued (returned with why). A failure
 * while issuing (store, own-log guard) stops there: *res says what was
 * issued before it. v is sorted in place. *res is always written
 * (series: free() it). Thread-safe; blocks for the commits.
 */
int service_indicator_ingest(struct node *n, struct rm_ind_value *v,
    size_t nv, bool skip_bad, rm_ind_row_err_fn bad, void *arg,
    struct service_ind_ingest *res, rm_why *why);

/* One value of a stored series, as queries and the rules engine see
 * it. Pointers borrow from the record (valid during the call). */
struct service_ind_obs {
	const char *code;
	const char *area;            /* the series' area */
	const char *unit;
	const char *origin;          /* the publishing agency */
	const rm_hash *series;       /* hash of the series record (NULL
	                                from service_indicator_points) */
	enum rm_ind_source source;
	enum rm_ind_period period;
	int64_t t;                   /* as struct rm_ind_point */
	rm_utc_ms time_ms;           /* indicator_time_ms(period, t) */
	struct rm_decimal value;     /* exact */
	double value_d;              /* decimal_to_double(value) */
};
typedef int (*service_ind_fn)(void *arg, const struct service_ind_obs *o);

/*
 * The observations (code, area, time, value) of one indicator record,
 * in time order: for the rules engine, which gets newly stored records
 * from node_subscribe (ev->rec) and needs no store read. Returns
 * RM_EINVAL if rec is not an indicator (or not decrypted), else RM_OK
 * or each's first non-zero value. Pure; any thread.
 */
int service_indicator_points(const struct rm_record *rec, service_ind_fn each,
    void *arg);

/* How a value query's area matches a series' area. */
enum service_ind_match {
	SERVICE_IND_OVERLAP = 0,     /* contains it or lies within it */
	SERVICE_IND_WITHIN,          /* lies within it (or is it) */
	SERVICE_IND_EXACT,           /* is it */
};

#define SERVICE_IND_LIMIT_DEFAULT 1000
#define SERVICE_IND_LIMIT_MAX     100000
#define SERVICE_IND_SCAN_MAX      2000000 /* values a query may gather */

struct service_ind_query {
	const char *code;            /* required */
	const char *area;            /* NULL: every area */
	enum service_ind_match match;
	rm_utc_ms from_ms, to_ms;    /* time_ms in [from, to]; 0: open */
	bool has_period;             /* only values of one period: points
	                                of that period kind at it, and
	                                instants within it */
	enum rm_ind_period period_kind;
	int64_t period;
	bool ascending;              /* by time; default newest first */
	bool latest;                 /* one value per area: its newest */
	size_t limit;                /* 0: SERVICE_IND_LIMIT_DEFAULT */
};

/*
 * Single values of every agency's series matching q, newest first (or
 * ascending), at most limit, via one index lookup (code and area) and
 * a decode of each series found. A value given again for one (origin,
 * area, source, time) by a newer series replaces the older one. Errors:
 * RM_EMISSING (field "code"), RM_EBADVALUE (fields "code", "area",
 * "limit"), RM_ETOOBIG (more than SERVICE_IND_SCAN_MAX values gathered:
 * narrow the query), the store's and each's. Thread-safe.
 */
int service_indicator_values(struct node *n, const struct service_ind_query *q,
    rm_utc_ms now, service_ind_fn each, void *arg, rm_why *why);


/* ---------------- the risk register import (node_risk_import.c) -------
 * A whole register (the spreadsheet form, read by a front end: the
 * HTTP import reads CSV through node/repr) imported into the own
 * agency's register: per row a new risk (an id the agency has not
 * used), a new version of an existing one (only if something changed;
 * an unchanged row is counted, not issued again) or a removal (status
 * removed), each under the rules of service_risk_issue (status rule,
 * roster_authorise, the responsible unit covers the area). Every row is
 * checked first; nothing is imported from a register with a bad row
 * unless skip_errors (then the good rows are, and the bad ones are
 * listed as skipped). Then the rows are issued in batches of
 * SERVICE_IMPORT_BATCH records, each numbered and signed on the
 * importing thread and stored with one commit (store_put_sealed_batch),
 * the next batch signed while the store's writer applies the one
 * before, so that the rate approaches the signer's. Acknowledged only
 * after the commits. */

#define SERVICE_IMPORT_BATCH    1000    /* records per store commit */
#define SERVICE_IMPORT_BAD_MAX  10000   /* problems listed in a report
                                           (all bad rows are counted) */
#define SERVICE_IMPORT_ROWS_MAX 1000000 /* data rows in one import */

/* One problem of a row: its line in the file, the file's column at
 * fault ("grade", or "row" for the row as a whole), the reason. */
struct service_import_bad {
	size_t line;
	char column[32];
	char reason[RM_WHY_MAX];
};

/* What an import did (or, for a check, would do). */
struct service_import_report {
	size_t rows;                 /* data rows read */
	size_t created, updated, removed, unchanged;
	size_t foreign;              /* rows of another agency's register
	                                (origin column): left alone */
	size_t skipped;              /* bad rows left out (skip_errors) */
	size_t bad_rows;             /* rows with at least one problem */
	size_t n_bad;                /* problems listed in bad[] */
	size_t n_bad_total;          /* problems found */
	struct service_import_bad *bad; /* heap, n_bad entries, file order
	                                   of discovery */
	size_t bad_cap;
};

/* Free what rep holds (rep itself is the caller's); zeroes it. */
void service_import_report_fini(struct service_import_report *rep);

/* List a problem of the row at line (column, reason as above; cut to
 * fit). Counts it in n_bad_total; lists it if fewer than
 * SERVICE_IMPORT_BAD_MAX are listed. Errors: RM_ENOMEM. */
int service_import_report_bad(struct service_import_report *rep,
    size_t line, const char *column, const char *reason);

/*
 * Where the rows come from. The import reads them twice (to check every
 * row, then to issue), so the source can start again.
 *   rewind(arg, why): back to the first data row. Errors stop the import.
 *   next(arg, rep, &draft, &line, why): the next data row. RM_OK with
 *     *draft, a risk draft (ver = seq = 0, one area; origin the node's
 *     agency, or the agency whose register the row came from when the
 *     file says so: its origin column) owned by the source and valid
 *     until the next call, and
 *     *line, the 1-based line the row starts on; RM_EBADVALUE: the row
 *     could not be read as a risk and the source listed its problems
 *     with service_import_report_bad (*line set); RM_ENOTFOUND after
 *     the last row; any other error stops the import (why says why).
 *   column(arg, field): the file's column that holds a draft field
 *     ("object_id", "areas", "grade", "status", "responsible", "risk.
 *     review", ...), or "row" when none does.
 */
struct service_import_src {
	void *arg;
	int (*rewind)(void *arg, rm_why *why);
	int (*next)(void *arg, struct service_import_report *rep,
	    struct rm_record **draft, size_t *line, rm_why *why);
	const char *(*column)(void *arg, const char *field);
};

struct service_import_opts {
	bool skip_errors;            /* import the good rows of a file with
	                                bad ones (listed, counted skipped) */
	bool check;                  /* check against the roster and the
	                                store only: nothing is issued */
};

/*
 * Import the register src gives into the own agency's register. A row
 * whose draft's origin is another agency (an export of the city
 * register holds every agency's rows) is counted in rep->foreign and
 * left alone: neither checked against the store nor issued. Every
 * other row is checked first (the draft's rules, an id given twice, the
 * status rule against the latest version, roster_authorise, the
 * responsible unit); each problem is listed in rep with its line and
 * column. Then, unless o->check, the rows that change something are
 * issued in file order, SERVICE_IMPORT_BATCH records per commit
 * (store_put_sealed_batch: numbered from the own log's head and signed
 * by the agency's signer on this thread, stored only if the head and
 * each object's latest version are still the ones they were sealed on;
 * a head moved by a concurrent issue makes the batch be sealed again,
 * up to 8 times). rep (zeroed by
 * the caller) is filled in every case; service_import_report_fini it.
 * Returns RM_OK when everything (but the skipped rows) was imported or,
 * for a check, would be; RM_EBADVALUE (why: how many rows are bad)
 * when a row is bad and not skip_errors: nothing was issued. After
 * some batches were committed an error (RM_EBUSY field "object_id": a
 * risk changed meanwhile; the own-log guard's RM_EBUSY; RM_EBUSY
 * without a field when the own log's head kept moving under a batch;
 * RM_EFORK; store errors)
 * stops the import: rep counts what was committed and why names the
 * row ("line N: ..."). Errors also: RM_ETOOBIG (more than
 * SERVICE_IMPORT_ROWS_MAX rows), RM_ENOMEM, the source's. Blocks for the
 * commits; any thread but the store's.
 */
int service_risk_import(struct node *n, const struct service_import_src *src,
    const struct service_import_opts *o, struct service_import_report *rep,
    rm_why *why);

/* ---------------- monitoring rules and proposals (node_rules.c,
 * node_proposal.c) ----------------
 * The node runs the rules file of config `rules` (docs/RULES.md) with
 * the engine of node/rules: observations (node_rules_observe; the
 * indicator records once that kind is wired to it) and the alerts in
 * force (every alert version stored, own or a peer's, through the store
 * observer; those in force at start) go in; a rule raising in an area
 * issues a proposal record (kind "proposal", schemas.h), or with
 * auto_issue on a rule and config rules_auto_issue the alert itself
 * (service_alert_issue); a rule clearing issues the proposal's next
 * version, expired. Records are issued by the rules thread, which
 * sleeps on a condition variable until a transition is queued or the
 * earliest pending deadline (no polling tick). At start the node's own
 * open proposals put their (rule, area) back in the firing state, so
 * that clearing still expires them.
 */

/* Load config `rules` (nothing when unset) and start the rules thread:
 * subscribes to stored records (node_subscribe), feeds the alerts in
 * force and restores the open proposals. Call after the store observer
 * is installed and before the federation starts. Errors: rules_load's
 * (RM_ECONFIG with "FILE:LINE: what"; RM_EIO), RM_ETOOBIG (no
 * subscriber slot), RM_ENOMEM, the store's. */
int node_rules_start(struct node *n, rm_why *why);
/* Stop and join the rules thread (no issue runs after it returns),
 * detach the rules from the store subscriber (under obs_mtx) and free
 * them. Call before node_detach, while the federation and the store are
 * open. Safe when not started. */
void node_rules_stop(struct node *n);

/*
 * One observation for the rules: indicator `code` in `area` (a GB/T
 * 2260 code) at t, value v (finite; in the indicator's unit). Evaluated
 * at once under the engine's lock; what it raises or clears is issued
 * by the rules thread. Any thread, the store writer's included (never
 * blocks on the store). Errors: RM_ENOTFOUND (field "rules": this node
 * has no rules), RM_EBADVALUE (field code, area or value), RM_ETOOBIG
 * (field "rules": an engine bound, docs/RULES.md "Limits").
 */
int node_rules_observe(struct node *n, const char *code, const char *area,
    rm_utc_ms t, double v, rm_why *why);

/* Figures of the engine for the status pages; zeros without rules. */
struct node_rules_stats {
	bool on;
	size_t rules;
	uint64_t obs_used, obs_ignored, refused, raised, cleared;
	uint64_t evicted;            /* engine entries evicted for room
	                                (rules_stats.evicted) */
	uint64_t issue_failed;       /* proposals or alerts not issued */
	uint64_t review_refused;     /* overdue risks past a rule's
	                                NODE_REVIEW_HELD_MAX */
};
void node_rules_get_stats(struct node *n, struct node_rules_stats *out);

/*
 * The own agency's latest version of proposal `id` into *out
 * (record_fini it) with its hash. Errors: RM_ENOTFOUND (field
 * object_id), RM_EEXIST (an object that is not a proposal), RM_ESTORE.
 */
int service_proposal_latest(struct node *n, const char *id,
    struct rm_record *out, rm_hash *hash, rm_why *why);

/* Days a task confirmed from a task proposal has before its deadline. */
#define NODE_PROPOSAL_TASK_DAYS 7

/*
 * Confirm the own agency's open proposal `id` with one call. A warning
 * proposal becomes an alert (Actual, Alert, category Met, urgency
 * Expected, certainty Likely, severity from the grade) with the
 * proposal's grade, event, headline and lang, the evidence as its
 * description, the proposal's area, and a CAP reference
 * "origin,oid,issued" to the proposal, issued with
 * service_alert_issue. A task proposal becomes a task (service_task_
 * issue) to the proposal's assignee as the lead unit, subject the
 * proposal's, the evidence as its detail, linked to the proposal,
 * priority high, due NODE_PROPOSAL_TASK_DAYS after now, in the
 * proposal's area. Then the proposal's next version, confirmed, names
 * the alert or task; *out is the alert's or task's. Errors: those of
 * service_proposal_latest; RM_EEXIST (field "state": confirmed or
 * expired already); then service_alert_issue's or service_task_issue's
 * (e.g. RM_EBADVALUE field "assignees" for an assignee that is this
 * agency or not in the roster).
 */
int service_proposal_confirm(struct node *n, const char *id,
    struct service_issued *out, rm_why *why);

/* The proposals in force (open) at now whose area overlaps area (NULL:
 * all), every agency's, newest issued first (store_active). Errors:
 * RM_EBADVALUE (field "area"), the store's, each's. */
int service_proposals_list(struct node *n, const char *area, rm_utc_ms now,
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

#endif /* RM_NODE_SERVICE_SERVICE_H */
