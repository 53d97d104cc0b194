/*
 * http_srv.c -- the HTTP server on nng's supplemental HTTP server.
 *
 * One handler, registered for the whole tree "/" and every method, so
 * that 404, 405 (with Allow) and 413 get the API's JSON error bodies
 * instead of nng's HTML pages. The handler does not let nng collect the
 * body: it checks Content-Length itself (413 above NODE_BODY_MAX, or
 * the larger limit of a route in body_rules with its media type, 415
 * for another one,
 * without reading), then reads the body with nng_http_conn_read_all and
 * hands the request to http_route(). Handlers run on nng's threads and
 * may block there (store_issue waits for its commit). nng types never
 * leave this file.
 *
 * Shutdown (http_stop): the `closing` flag is set first, so every request
 * whose headers arrive from then on is answered 503 ECLOSED (with
 * Connection: close) before anything is read or stored; then http_stop
 * waits (at most HTTP_DRAIN_WAIT_MS) until the requests already in
 * flight have handed their responses to nng, gives nng a moment to write
 * them, and only then stops the server (which closes every connection).
 * So a request that got into the handler before the stop is either
 * answered (201 after its commit) or, if it came later, refused with 503
 * and not stored.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "node/http/http.h"
#include "node/http/http_int.h"

#define HTTP_BODY_TIMEOUT_MS 10000
#define HTTP_DRAIN_WAIT_MS   10000  /* requests in flight, before stop */
#define HTTP_WRITE_GRACE_MS  200    /* for nng to write the last answers */
#define HTTP_STOP_WAIT_MS    30000  /* handlers still running, after stop */

struct http_srv {
	struct node *n;
	nng_http_server *srv;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	unsigned inflight;           /* handlers between entry and response */
	atomic_bool closing;         /* http_stop() began: new requests 503 */
	uint16_t port;
};

/* One request being served. */
struct http_call {
	struct http_srv *hs;
	nng_aio *aio;          /* the handler's aio (nng's) */
	nng_http_req *req;
	nng_aio *rd;           /* body read, if any */
	char *body;
	size_t len;
	bool close;            /* body left unread: close the connection */
};

static void
call_done(struct http_call *c)
{
	struct http_srv *hs = c->hs;

	if (c->rd != NULL)
		nng_aio_reap(c->rd);
	free(c->body);
	free(c);
	pthread_mutex_lock(&hs->mtx);
	hs->inflight--;
	pthread_cond_broadcast(&hs->cv);
	pthread_mutex_unlock(&hs->mtx);
}

/* Reason phrases nng 1.5 does not know (RFC 9110 §15). */
static const char *
reason_phrase(int status)
{
	switch (status) {
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	default:
		return NULL;
	}
}

/* Hand res to nng (it sends and frees it) and finish the call. */
static void
call_send(struct http_call *c, struct http_res *r)
{
	nng_http_res *res;
	int rv;

	if ((rv = nng_http_res_alloc(&res)) != 0) {
		nng_aio_finish(c->aio, rv);
		goto out;
	}
	if ((rv = nng_http_res_set_status(res, (uint16_t)r->status)) != 0 ||
	    (reason_phrase(r->status) != NULL &&
	        (rv = nng_http_res_set_reason(res,
	        reason_phrase(r->status))) != 0) ||
	    (rv = nng_http_res_set_header(res, "Content-Type",
	        r->content_type)) != 0 ||
	    (rv = nng_http_res_set_header(res, "Cache-Control",
	        "no-store")) != 0 ||
	    (r->allow != NULL && (rv = nng_http_res_set_header(res, "Allow",
	        r->allow)) != 0) ||
	    /* RFC 9110 §11.6.1: a 401 names the scheme (RFC 6750 §3). */
	    (r->status == 401 && (rv = nng_http_res_set_header(res,
	        "WWW-Authenticate", "Bearer realm=\"riskmesh\"")) != 0) ||
	    (c->close && (rv = nng_http_res_set_header(res, "Connection",
	        "close")) != 0) ||
	    (rv = nng_http_res_copy_data(res, r->body.data, r->body.len)) != 0) {
		nng_http_res_free(res);
		nng_aio_finish(c->aio, rv);
		goto out;
	}
	nng_aio_set_output(c->aio, 0, res);
	nng_aio_finish(c->aio, 0);
out:
	rm_buf_fini(&r->body);
	call_done(c);
}

/* Refuse before routing (bad length, too big, shutting down). */
static void
call_refuse(struct http_call *c, int status, int err, const char *reason)
{
	struct http_res r;
	rm_why why;

	memset(&r, 0, sizeof(r));
	rm_fail(&why, err, "%s", reason);
	http_error_res(&r, status, err, &why);
	node_count_http(c->hs->n, status, err);
	http_log_refusal(RM_LOG_INFO, status, "%.16s %.100s -> %d: %s",
	    nng_http_req_get_method(c->req), nng_http_req_get_uri(c->req),
	    status, reason);
	call_send(c, &r);
}

static void
call_route(struct http_call *c)
{
	struct http_req q;
	struct http_res r;

	memset(&r, 0, sizeof(r));
	q.method = nng_http_req_get_method(c->req);
	q.uri = nng_http_req_get_uri(c->req);
	q.authorization = nng_http_req_get_header(c->req, "Authorization");
	q.content_type = nng_http_req_get_header(c->req, "Content-Type");
	q.body = c->body;
	q.body_len = c->len;
	http_route(c->hs->n, &q, &r);
	call_send(c, &r);
}

/* Request bodies cut short: a client can make one per connection. */
static rm_log_limit body_log = RM_LOG_LIMIT(HTTP_REFUSAL_LOG_BURST,
    HTTP_REFUSAL_LOG_WINDOW_MS);

static void
body_read(void *arg)
{
	struct http_call *c = arg;
	int rv = nng_aio_result(c->rd);

	if (rv != 0 || nng_aio_count(c->rd) != c->len) {
		if (rm_log_allow(&body_log, NULL))
			rm_log(RM_LOG_INFO, "http", "request body not received: "
			    "%s (at most %d lines a minute)", rv != 0 ?
			    nng_strerror(rv) : "short read",
			    HTTP_REFUSAL_LOG_BURST);
		nng_aio_finish(c->aio, rv != 0 ? rv : NNG_ECLOSED);
		call_done(c);
		return;
	}
	c->body[c->len] = '\0';
	call_route(c);
}

/* Routes whose bodies differ from the JSON default: a larger limit
 * and a required media type (checked before the body is read). */
static const struct body_rule {
	const char *path;            /* exact path, without query */
	size_t max;                  /* bytes */
	const char *max_text;
	const char *ctype;           /* media type (parameters allowed) */
} body_rules[] = {
	{ "/v1/risks/import", NODE_IMPORT_BODY_MAX, "64 MiB", "text/csv" },
};

static const struct body_rule *
body_rule(const char *uri)
{
	size_t n = strcspn(uri, "?");

	for (size_t i = 0; i < sizeof(body_rules) / sizeof(body_rules[0]); i++)
		if (strlen(body_rules[i].path) == n &&
		    strncmp(uri, body_rules[i].path, n) == 0)
			return &body_rules[i];
	return NULL;
}

/* Content-Type ct is the media type want (RFC 9110 §8.3.1: case-
 * insensitive, optional parameters after ';'). */

static void
http_handle(nng_aio *aio)
{
	nng_http_req *req = nng_aio_get_input(aio, 0);
	nng_http_handler *h = nng_aio_get_input(aio, 1);
	nng_http_conn *conn = nng_aio_get_input(aio, 2);
	struct http_srv *hs = nng_http_handler_get_data(h);
	struct http_call *c;
	const char *cl;
	const struct body_rule *rule;
	unsigned long long len = 0;
	nng_iov iov;
	int rv;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	c->hs = hs;
	c->aio = aio;
	c->req = req;
	pthread_mutex_lock(&hs->mtx);
	hs->inflight++;
	pthread_mutex_unlock(&hs->mtx);
	if (atomic_load(&hs->closing)) {
		c->close = true;
		call_refuse(c, 503, RM_ECLOSED, "the node is shutting down");
		return;
	}
	if (nng_http_req_get_header(req, "Transfer-Encoding") != NULL) {
		c->close = true;
		call_refuse(c, 400, RM_EMALFORMED, "chunked request bodies are "
		    "not supported; send Content-Length");
		return;
	}
	if ((cl = nng_http_req_get_header(req, "Content-Length")) != NULL) {
		char *end;

		errno = 0;
		len = strtoull(cl, &end, 10);
		if (cl[0] < '0' || cl[0] > '9' || *end != '\0' || errno != 0) {
			c->close = true;
			call_refuse(c, 400, RM_EMALFORMED, "bad Content-Length");
			return;
		}
	}
	rule = body_rule(nng_http_req_get_uri(req));
	if (len > (rule != NULL ? rule->max : NODE_BODY_MAX)) {
		char msg[64];

		snprintf(msg, sizeof(msg), "request body larger than %s",
		    rule != NULL ? rule->max_text : "1 MiB");
		c->close = true;
		call_refuse(c, 413, RM_ETOOBIG, msg);
		return;
	}
	if (rule != NULL && strcmp(nng_http_req_get_method(req), "POST") ==
	    0 && !http_media_is(nng_http_req_get_header(req, "Content-Type"),
	    rule->ctype)) {
		char msg[96];

		snprintf(msg, sizeof(msg), "send the body as Content-Type: %s",
		    rule->ctype);
		c->close = len > 0;
		call_refuse(c, 415, RM_EUNSUPPORTED, msg);
		return;
	}
	if (len == 0) {
		call_route(c);
		return;
	}
	c->len = (size_t)len;
	if ((c->body = malloc(c->len + 1)) == NULL ||
	    (rv = nng_aio_alloc(&c->rd, body_read, c)) != 0) {
		c->close = true;
		call_refuse(c, 500, RM_ENOMEM, "out of memory");
		return;
	}
	nng_aio_set_timeout(c->rd, HTTP_BODY_TIMEOUT_MS);
	iov.iov_buf = c->body;
	iov.iov_len = c->len;
	if ((rv = nng_aio_set_iov(c->rd, 1, &iov)) != 0) {
		c->close = true;
		call_refuse(c, 500, RM_ENOMEM, "out of memory");
		return;
	}
	nng_http_conn_read_all(conn, c->rd);
}

/*
 * The answers nng's HTTP server gives by itself, before any handler runs
 * (a request line that is not HTTP/1.x, a method or path it cannot
 * parse): the same JSON error body as ours (docs/API.md "Errors") instead
 * of nng's HTML page. nng 1.5 labels them text/html whatever the body
 * (nni_http_server_res_error); the body is what clients read.
 */
static int
set_error_pages(nng_http_server *srv)
{
	static const struct {
		uint16_t code;
		const char *body;
	} pages[] = {
		{ 400, "{\"error\":\"EMALFORMED\",\"field\":\"\","
		    "\"reason\":\"the request is not valid HTTP/1.1\"}\n" },
		{ 404, "{\"error\":\"ENOTFOUND\",\"field\":\"\","
		    "\"reason\":\"no such resource\"}\n" },
		{ 405, "{\"error\":\"EINVAL\",\"field\":\"\","
		    "\"reason\":\"method not allowed\"}\n" },
		{ 500, "{\"error\":\"EIO\",\"field\":\"\","
		    "\"reason\":\"internal error\"}\n" },
		{ 505, "{\"error\":\"EUNSUPPORTED\",\"field\":\"\","
		    "\"reason\":\"HTTP version not supported: "
		    "only HTTP/1.0 and HTTP/1.1 are spoken\"}\n" },
	};
	int rv;

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if ((rv = nng_http_server_set_error_page(srv, pages[i].code,
		    pages[i].body)) != 0)
			return rv;
	return 0;
}

int
http_start(struct node *n, const char *listen, struct http_srv **out,
    rm_why *why)
{
	struct http_srv *hs;
	nng_http_handler *h = NULL;
	nng_sockaddr sa;
	nng_url *url = NULL;
	char u[CONFIG_URL_MAX + 16];
	int rv, err = RM_ENET;

	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		return rm_fail(why, RM_ENOMEM, "http: out of memory");
	hs->n = n;
	atomic_init(&hs->closing, false);
	pthread_mutex_init(&hs->mtx, NULL);
	pthread_cond_init(&hs->cv, NULL);
	snprintf(u, sizeof(u), "http://%s", listen);
	if ((rv = nng_url_parse(&url, u)) != 0) {
		err = rm_fail(why, RM_ECONFIG, "http_listen %s: %s", listen,
		    nng_strerror(rv));
		goto fail;
	}
	if ((rv = nng_http_server_hold(&hs->srv, url)) != 0 ||
	    (rv = nng_http_handler_alloc(&h, "/", http_handle)) != 0 ||
	    (rv = nng_http_handler_set_method(h, NULL)) != 0 ||
	    (rv = nng_http_handler_set_tree(h)) != 0 ||
	    (rv = nng_http_handler_collect_body(h, false, 0)) != 0 ||
	    (rv = nng_http_handler_set_data(h, hs, NULL)) != 0 ||
	    (rv = nng_http_server_add_handler(hs->srv, h)) != 0) {
		rm_fail(why, RM_ENET, "http %s: %s", listen, nng_strerror(rv));
		if (h != NULL)
			nng_http_handler_free(h);
		goto fail;
	}
	if ((rv = set_error_pages(hs->srv)) != 0) {
		rm_fail(why, RM_ENET, "http %s: %s", listen, nng_strerror(rv));
		goto fail;
	}
	if ((rv = nng_http_server_start(hs->srv)) != 0) {
		rm_fail(why, RM_ENET, "http: cannot listen on %s: %s", listen,
		    nng_strerror(rv));
		goto fail;
	}
	if (nng_http_server_get_addr(hs->srv, &sa) == 0) {
		if (sa.s_family == NNG_AF_INET)
			hs->port = ntohs(sa.s_in.sa_port);
		else if (sa.s_family == NNG_AF_INET6)
			hs->port = ntohs(sa.s_in6.sa_port);
	}
	if (hs->port == 0)
		hs->port = (uint16_t)atoi(url->u_port);
	nng_url_free(url);
	*out = hs;
	return RM_OK;
fail:
	if (url != NULL)
		nng_url_free(url);
	if (hs->srv != NULL)
		nng_http_server_release(hs->srv);
	pthread_cond_destroy(&hs->cv);
	pthread_mutex_destroy(&hs->mtx);
	free(hs);
	return err;
}

uint16_t
http_port(struct http_srv *hs)
{
	return hs != NULL ? hs->port : 0;
}

/* Wait until no handler is in flight or ms have passed; mtx held.
 * True if none is left. */
static bool
wait_idle(struct http_srv *hs, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (hs->inflight > 0)
		if (pthread_cond_timedwait(&hs->cv, &hs->mtx, &ts) ==
		    ETIMEDOUT)
			break;
	return hs->inflight == 0;
}

unsigned
http_inflight(struct http_srv *hs)
{
	unsigned v;

	if (hs == NULL)
		return 0;
	pthread_mutex_lock(&hs->mtx);
	v = hs->inflight;
	pthread_mutex_unlock(&hs->mtx);
	return v;
}

void
http_stop(struct http_srv *hs)
{
	struct timespec grace = { 0, HTTP_WRITE_GRACE_MS * 1000000L };
	unsigned left;

	if (hs == NULL)
		return;
	/* 1. New requests get 503 from here on. */
	atomic_store(&hs->closing, true);
	/* 2. Let the requests in flight finish and answer. */
	pthread_mutex_lock(&hs->mtx);
	if (!wait_idle(hs, HTTP_DRAIN_WAIT_MS))
		rm_log(RM_LOG_WARN, "http", "%u requests still in flight after "
		    "%d ms; stopping the server anyway", hs->inflight,
		    HTTP_DRAIN_WAIT_MS);
	pthread_mutex_unlock(&hs->mtx);
	nanosleep(&grace, NULL);
	/* 3. Close the listener and every connection. */
	nng_http_server_stop(hs->srv);
	pthread_mutex_lock(&hs->mtx);
	if (!wait_idle(hs, HTTP_STOP_WAIT_MS)) {
		/* Leak rather than free what a stuck handler still uses. */
		left = hs->inflight;
		pthread_mutex_unlock(&hs->mtx);
		rm_log(RM_LOG_ERR, "http", "%u requests still in flight after "
		    "stop; not freeing the server", left);
		return;
	}
	pthread_mutex_unlock(&hs->mtx);
	nng_http_server_release(hs->srv);
	pthread_cond_destroy(&hs->cv);
	pthread_mutex_destroy(&hs->mtx);
	free(hs);
}
