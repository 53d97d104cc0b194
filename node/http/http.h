/*
 * http.h -- the HTTP/JSON API (rm_http, docs/API.md): nng's HTTP server,
 * the route table and one file per resource group (alerts, records,
 * status, metrics). The only module that maps rm_err to HTTP status
 * codes and JSON error bodies. Request JSON is parsed here
 * (req_alert.c); records are written by node/repr.
 *
 * Thread rules: http_route() and the page builders are reentrant and
 * run on nng's HTTP threads; http_start/http_stop on the main thread.
 */
#ifndef RM_NODE_HTTP_HTTP_H
#define RM_NODE_HTTP_HTTP_H

#include "node/repr/repr.h"
#include "node/service/service.h"

/* A request as the routes see it (nng types stay in http_srv.c). */
struct http_req {
	const char *method;          /* "GET", "POST", … ("HEAD" as GET) */
	const char *uri;             /* raw request target, with query */
	const char *authorization;   /* header value or NULL */
	const char *body;            /* NULL if none */
	size_t body_len;
	const char *content_type;    /* Content-Type header value or NULL */
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

/*
 * An error response: status, and the body {"error": rm_errname(err),
 * "field": …, "reason": …} of docs/API.md built from why (why->field
 * when set, else the request field named by a leading "path: " of
 * why->msg; field "" when the whole request is at fault). Field and
 * reason are cleaned with repr_text_clean(). Counts nothing
 * (http_route does).
 */
void http_error_res(struct http_res *res, int status, int err,
    const rm_why *why);

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

#endif /* RM_NODE_HTTP_HTTP_H */
