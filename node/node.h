/*
 * node.h -- internal header of riskmeshd: struct node and the functions
 * that wire the store, the federation, the CoAP server and the HTTP API
 * together (docs/OPERATIONS.md, docs/API.md).
 *
 * Roles and their log tags: "node" (start-up, issue path), "http",
 * "fed", "store", "coap".
 *
 * Start order (node_start): identity (agency key, root key from the CA
 * certificate, roster; the own agency must be in the roster with the
 * loaded key's kid) -> TLS certificate and key, peer lines
 * (node_check_more) -> store -> federation (host ops: ingest, vector,
 * log range, roster save) -> peers -> store observer -> CoAP server ->
 * federation links -> HTTP server. node_stop() undoes it in reverse.
 *
 * Thread rules: node_start/node_stop on the main thread; everything
 * else (issue, cancel, counters) is thread-safe and runs on nng's HTTP
 * threads, the store writer thread and federation threads.
 */
#ifndef RM_NODE_NODE_H
#define RM_NODE_NODE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "federation/peer/peer.h"
#include "node/coap_srv.h"
#include "node/config.h"
#include "node/json_record.h"
#include "node/store.h"

#define NODE_HTTP_STATUS_MAX 600       /* counters by HTTP status code */
#define NODE_BODY_MAX (1024 * 1024)    /* request body limit, bytes */

struct http_srv;

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
	atomic_uint_fast64_t coap_notified;    /* alertcoap_notify calls */
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
	struct alertcoap *coap;
	struct http_srv *http;
	/* Guards fed and coap as seen by the store observer (writer
	 * thread) against node_stop(). */
	pthread_mutex_t obs_mtx;
	bool obs_mtx_ok;
	rm_utc_ms started_ms;
	struct node_counters ctr;
};

/*
 * Load and check the node's identity from cfg (copied into n->cfg):
 * the agency's signer (crypto_signer_open_pem on `key`: a private
 * P-256 key), the root key (public key of the CA
 * certificate), the roster (signature checked with the root key); the
 * own agency must be listed and its roster kid must equal the key's.
 * On error, *cfg_key names the config key at fault ("key", "ca",
 * "roster", "agency") and why says what; n keeps nothing.
 * Errors: those of crypto_signer_open_pem, x509_public_key, roster_load;
 * RM_EUNKNOWNSIGNER (agency not in roster), RM_EBADVALUE (kid mismatch,
 * public-only key).
 */
int node_load_identity(struct node *n, const struct node_config *cfg,
    const char **cfg_key, rm_why *why);

/*
 * The checks after the identity, against roster r: the TLS certificate
 * (chains to the CA, in validity, issued for the agency id), tls_key (a
 * private key whose kid equals the kid of the certificate's public key,
 * x509_public_key, crypto_signer_kid), and every `peer` line (an agency of
 * r, not the node's own). On error *cfg_key names the config key
 * ("tls_cert", "tls_key", "peer"), *cfg_val the peer's agency for
 * "peer" (NULL otherwise; it borrows from cfg), why says what.
 * node_start() runs them too. Errors: those of x509_verify,
 * x509_public_key, crypto_signer_open_pem; RM_EBADVALUE (wrong CN, public
 * key only, key mismatch, own agency as peer), RM_EUNKNOWNSIGNER (peer
 * not in the roster).
 */
int node_check_more(const struct node_config *cfg, const struct roster *r,
    const char **cfg_key, const char **cfg_val, rm_why *why);

/* Everything `riskmeshd -n` checks beyond config_load: identity as
 * above, then node_check_more(). Nothing is opened or bound. *cfg_key,
 * *cfg_val and why as for node_check_more(). */
int node_check(const struct node_config *cfg, const char **cfg_key,
    const char **cfg_val, rm_why *why);

/*
 * Start the node (see the start order above). n must be zeroed. On
 * failure everything started so far is stopped again, why says what
 * failed (one line for the log) and RM_* is returned.
 */
int node_start(struct node *n, const struct node_config *cfg, rm_why *why);

/* Stop in reverse order: HTTP first (new requests get 503 at once,
 * requests in flight are answered before the server stops, see
 * http_stop()), then federation, CoAP, store; frees keys and roster.
 * Safe on a partly started node. */
void node_stop(struct node *n);

/* The current roster, referenced (caller roster_free()s). */
struct roster *node_roster(struct node *n);

/* Bound HTTP address "host:port" (after start), for the ready line. */
void node_http_addr(struct node *n, char *out, size_t len);

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

/* Store observer: counters, fed_broadcast, alertcoap_notify. */
void node_store_observer(void *arg, const struct store_event *ev);

/* CoAP provider: store_active() of the alert kind. */
int node_coap_alerts(void *arg, const char *area, rm_utc_ms now,
    alertcoap_each_fn each, void *ctx);

/* ---------------- HTTP (http_*.c) ---------------- */

/* A request as the routes see it (nng types stay in http_srv.c). */
struct http_req {
	const char *method;          /* "GET", "POST", … ("HEAD" as GET) */
	const char *uri;             /* raw request target, with query */
	const char *authorization;   /* header value or NULL */
	const char *body;            /* NULL if none */
	size_t body_len;
};

struct http_res {
	int status;
	const char *content_type;    /* static string */
	const char *allow;           /* Allow header for 405, or NULL */
	rm_buf body;                 /* owned; rm_buf_fini after sending */
};

/*
 * Route one request: bearer auth (constant time), dispatch, errors as
 * JSON bodies {"error", "field", "reason"}, counters by status and by
 * error. Always fills res (status 500 on allocation failure).
 */
void http_route(struct node *n, const struct http_req *req,
    struct http_res *res);

/* An error response from e; counts nothing (http_route does). */
void http_error_res(struct http_res *res, const struct json_error *e);

/* GET /metrics body, Prometheus text format 0.0.4 (http_metrics.c). */
int http_metrics(struct node *n, rm_buf *out);
/* GET /v1/status body (http_status.c). */
int http_status_json(struct node *n, rm_buf *out);

/* Start nng's HTTP server on "http://<listen>" (host:port) and route
 * every request to http_route(). Errors: RM_ENET (bind, detail in why),
 * RM_ENOMEM. */
int http_start(struct node *n, const char *listen, struct http_srv **out,
    rm_why *why);
/* Bound port (useful when the config says port 0). */
uint16_t http_port(struct http_srv *h);
/*
 * Stop in this order: (1) from now on every new request is answered 503
 * ECLOSED ("the node is shutting down", Connection: close) before
 * anything is read or stored; (2) wait, at most 10 s, until the requests
 * already in flight have answered (an issue in flight commits and gets
 * its 201), plus 200 ms for nng to write the answers; (3) stop nng's
 * server (closes the listener and every connection), wait for handlers
 * still running, free. Blocks the caller for that long. NULL is fine.
 */
void http_stop(struct http_srv *h);
/* Requests between the handler's entry and their response (for tests
 * and diagnostics). 0 for NULL. */
unsigned http_inflight(struct http_srv *h);

/* Count one response (status, and the error if status >= 400). */
void node_count_http(struct node *n, int status, int err);

#endif /* RM_NODE_NODE_H */
