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
 * loaded key's kid) -> store -> federation (host ops: ingest, vector,
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
#include "federation/federation.h"
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
	atomic_uint_fast64_t coap_notified;    /* coap_srv_notify calls */
};

struct node {
	struct node_config cfg;
	crypto_key *key;             /* agency signing key (private) */
	crypto_key *root;            /* federation root (CA) public key */
	rm_hash kid;                 /* kid of key */
	struct roster *roster;       /* roster at start-up (fed holds the
	                                current one, see node_roster()) */
	store *store;
	fed *fed;
	struct coap_srv *coap;
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
 * the agency key (private, P-256), the root key (public key of the CA
 * certificate), the roster (signature checked with the root key); the
 * own agency must be listed and its roster kid must equal the key's.
 * On error, *cfg_key names the config key at fault ("key", "ca",
 * "roster", "agency") and why says what; n keeps nothing.
 * Errors: those of crypto_key_load_pem, x509_public_key, roster_load;
 * RM_EUNKNOWNSIGNER (agency not in roster), RM_EBADVALUE (kid mismatch,
 * public-only key).
 */
int node_load_identity(struct node *n, const struct node_config *cfg,
    const char **cfg_key, rm_why *why);

/* Everything `riskmeshd -n` checks beyond config_load: identity as
 * above, plus the TLS certificate (chains to the CA, in validity) and
 * its key. Nothing is opened or bound. */
int node_check(const struct node_config *cfg, const char **cfg_key,
    rm_why *why);

/*
 * Start the node (see the start order above). n must be zeroed. On
 * failure everything started so far is stopped again, why says what
 * failed (one line for the log) and RM_* is returned.
 */
int node_start(struct node *n, const struct node_config *cfg, rm_why *why);

/* Stop in reverse order: HTTP (waits for requests in flight), federation,
 * CoAP, store; frees keys and roster. Safe on a partly started node. */
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
 * POST /v1/alerts: JSON body -> alert record of the own agency ->
 * roster_authorise (403 with the rule) -> store_issue with the record
 * sealed by the agency key. Returns after the commit. A body without
 * msg_type for an object that already exists is issued as an Update.
 * Errors: RM_OK, or e filled (status 400/403/422/500/503).
 */
int node_issue_alert(struct node *n, const char *body, size_t len,
    struct node_issued *out, struct json_error *e);

/*
 * POST /v1/alerts/{object_id}/cancel: a new version of the own agency's
 * object with msg_type Cancel; an optional body {"reason": "…"} becomes
 * the description of every text. 404 if the agency has no such object,
 * 422 if it is already cancelled.
 */
int node_cancel_alert(struct node *n, const char *object_id,
    const char *body, size_t len, struct node_issued *out,
    struct json_error *e);

/* ---------------- glue (node_glue.c) ---------------- */

/* Host operations handed to the federation (ingest -> store_put, …). */
extern const struct fed_host_ops node_fed_ops;

/* Store observer: counters, fed_broadcast, coap_srv_notify. */
void node_store_observer(void *arg, const struct store_event *ev);

/* CoAP provider: store_alerts_active. */
int node_coap_alerts(void *arg, const char *area, rm_utc_ms now,
    coap_srv_each_fn each, void *ctx);

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
/* Refuse new requests (503), stop the server, wait for requests in
 * flight, free. NULL is fine. */
void http_stop(struct http_srv *h);

/* Count one response (status, and the error if status >= 400). */
void node_count_http(struct node *n, int status, int err);

#endif /* RM_NODE_NODE_H */
