/*
 * service.h -- the node's domain layer (rm_service): struct node (the
 * identity, the store, the federation and the counters every front end
 * reads), the issue path (issue, cancel), the federation's host
 * operations (ingest into the store) and the fan-out of newly stored
 * records to the federation and to subscribers (the CoAP server).
 * See docs/ARCHITECTURE.md for who calls whom.
 *
 * Layering: uses node/store, node/config, node/repr, federation, crypto,
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
 * writer thread and federation threads; node_subscribe() only before
 * the store observer is installed (start-up, main thread).
 */
#ifndef RM_NODE_SERVICE_SERVICE_H
#define RM_NODE_SERVICE_SERVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "federation/federation.h"
#include "node/config/config.h"
#include "node/repr/repr.h"
#include "node/store/store.h"

#define NODE_HTTP_STATUS_MAX 600       /* counters by HTTP status code */
#define NODE_BODY_MAX (1024 * 1024)    /* request body limit, bytes */
#define NODE_SUBSCRIBERS_MAX 4         /* node_subscribe() slots */

struct http_srv;                 /* node/http/http.h, opaque here */
struct coap_srv;                 /* node/coap/coap_srv.h, opaque here */

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
};

/* CoAP server figures for the status and metrics pages (a copy of
 * node/coap's statistics, so that node/http need not include it). */
struct node_coap_stats {
	uint64_t requests;
	uint64_t notifications;
	uint64_t observers;
	uint64_t resources;
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
	crypto_key *root;            /* federation root (CA) public key */
	rm_hash kid;                 /* kid of the signer */
	struct roster *roster;       /* roster at start-up (fed holds the
	                                current one, see node_roster()) */
	store *store;
	fed *fed;
	/* Front ends, started, owned and stopped by the daemon; opaque
	 * to the service. coap is NULL when CoAP is off. */
	struct coap_srv *coap;
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
};

/* The current roster, referenced (caller roster_free()s). */
struct roster *node_roster(struct node *n);

/* ---------------- issue path (node_issue.c) ---------------- */

struct node_issued {
	rm_hash hash;
	char object_id[RM_OBJECT_ID_MAX + 1];
	char origin[RM_AGENCY_ID_MAX + 1];
	uint64_t seq;
	uint64_t ver;
};

/*
 * POST /v1/alerts: JSON body -> alert record of the own agency -> the
 * msg_type rules against the object's latest version (docs/API.md): a
 * new object must be an Alert (422 otherwise); a cancelled object is
 * closed (409 EEXIST); a body without msg_type for an existing object is
 * issued as an Update, an explicit Alert for it is 409 EEXIST, Update and
 * Cancel are accepted, Ack and Error are 422 -> roster_authorise (403
 * with the rule) -> store_issue with the record sealed by the agency
 * key, only if the store's latest version is still the one the decision
 * was based on (else 409 EBUSY, nothing stored: optimistic
 * concurrency). Returns after the commit.
 * Errors: RM_OK, or e filled (status 400/403/409/422/500/503).
 */
int node_issue_alert(struct node *n, const char *body, size_t len,
    struct node_issued *out, struct json_error *e);

/*
 * POST /v1/alerts/{object_id}/cancel: a new version of the own agency's
 * object with msg_type Cancel; an optional body {"reason": "…"} becomes
 * the description of every text. 404 if the agency has no such object
 * (or object_id is not a valid object id), 409 EEXIST if it is already
 * cancelled, 409 EBUSY if another version was stored concurrently
 * (same optimistic check as node_issue_alert; nothing stored).
 */
int node_cancel_alert(struct node *n, const char *object_id,
    const char *body, size_t len, struct node_issued *out,
    struct json_error *e);

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
