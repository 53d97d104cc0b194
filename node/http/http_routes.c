/*
 * http_routes.c -- the route table of the HTTP/JSON API (docs/API.md):
 * bearer auth, path and query decoding, dispatch by path and method to
 * the handlers of each resource group (http_alerts.c, http_risks.c,
 * http_proposals.c, http_records.c, http_status.c, http_metrics.c), error bodies and
 * counters.
 * No nng types here: http_srv.c hands over a struct http_req.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/http/http_int.h"

void
node_count_http(struct node *n, int status, int err)
{
	atomic_fetch_add(&n->ctr.http_requests, 1);
	if (status > 0 && status < NODE_HTTP_STATUS_MAX)
		atomic_fetch_add(&n->ctr.http_status[status], 1);
	if (status >= 400 && err > 0 && err < RM_ERR_COUNT)
		atomic_fetch_add(&n->ctr.http_refused[err], 1);
}

static int vrefuse(struct http_call_ctx *c, int status, int err,
    const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static int
vrefuse(struct http_call_ctx *c, int status, int err, const char *path,
    const char *fmt, va_list ap)
{
	char reason[RM_WHY_MAX];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	c->status = status;
	return rm_fail_at(&c->why, err, path, "%s", reason);
}

int
http_refuse(struct http_call_ctx *c, int status, int err, const char *path,
    const char *fmt, ...)
{
	va_list ap;
	int rv;

	va_start(ap, fmt);
	rv = vrefuse(c, status, err, path, fmt, ap);
	va_end(ap);
	return rv;
}

/* RFC 6750 §2.1: "Bearer <token>", compared in constant time. */
static bool
authorised(const struct node *n, const char *hdr)
{
	char got[CONFIG_TOKEN_MAX + 1], want[CONFIG_TOKEN_MAX + 1];
	size_t gl, wl;
	bool ok;

	if (hdr == NULL || strncasecmp(hdr, "Bearer ", 7) != 0)
		return false;
	hdr += 7;
	while (*hdr == ' ')
		hdr++;
	gl = strlen(hdr);
	while (gl > 0 && (hdr[gl - 1] == ' ' || hdr[gl - 1] == '\t'))
		gl--;
	wl = strlen(n->cfg.http_token);
	if (gl > CONFIG_TOKEN_MAX || wl == 0)
		return false;
	memset(got, 0, sizeof(got));
	memset(want, 0, sizeof(want));
	memcpy(got, hdr, gl);
	memcpy(want, n->cfg.http_token, wl);
	ok = crypto_equal(got, want, sizeof(got));
	return ok && gl == wl;
}

enum http_pct_rv
http_pct_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				return PCT_BADESC;
			if ((h = rm_hex_digit(s[i + 1])) < 0 ||
			    (l = rm_hex_digit(s[i + 2])) < 0)
				return PCT_BADESC;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0)
			return PCT_NUL;
		if (o + 1 >= outlen)
			return PCT_LONG;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (!rm_utf8_valid(out, o))
		return PCT_UTF8;
	for (size_t i = 0; i < o; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			return PCT_CTRL;
	return PCT_OK;
}

int
http_pct_refuse(struct http_call_ctx *c, enum http_pct_rv rv,
    const char *part)
{
	switch (rv) {
	case PCT_BADESC:
		return http_refuse(c, 400, RM_EMALFORMED, part, "bad percent "
		    "escape (%%XX with two hex digits, RFC 3986 §2.1)");
	case PCT_NUL:
		return http_refuse(c, 400, RM_EMALFORMED, part, "%%00 (NUL) is "
		    "not allowed");
	case PCT_LONG:
		return http_refuse(c, 400, RM_ETOOBIG, part, "too long");
	case PCT_UTF8:
		return http_refuse(c, 400, RM_EMALFORMED, part, "not UTF-8 "
		    "text after percent-decoding");
	case PCT_CTRL:
	default:
		return http_refuse(c, 400, RM_EMALFORMED, part, "control "
		    "character after percent-decoding");
	}
}


/* 400 with the query parameter's name as the field (not a path). */
static int query_refuse(struct http_call_ctx *c, int err, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
query_refuse(struct http_call_ctx *c, int err, const char *name,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrefuse(c, 400, err, "", fmt, ap);
	va_end(ap);
	snprintf(c->why.field, sizeof(c->why.field), "%s", name);
	return err;
}

/* Split, decode and check a query string (NULL or "" is empty). */
static int
query_parse(struct http_call_ctx *c, const char *qs, struct http_query *q)
{
	enum http_pct_rv pr;

	q->n = 0;
	if (qs == NULL || *qs == '\0')
		return RM_OK;
	for (;;) {
		const char *amp = strchr(qs, '&'), *eq;
		size_t len = amp != NULL ? (size_t)(amp - qs) : strlen(qs);
		size_t nl;

		if (len == 0)
			return http_refuse(c, 400, RM_EMALFORMED, "query",
			    "empty parameter (\"&&\", or \"&\" at an end)");
		if (q->n == HTTP_QUERY_PARAMS_MAX)
			return http_refuse(c, 400, RM_ETOOBIG, "query", "more "
			    "than %d parameters", HTTP_QUERY_PARAMS_MAX);
		eq = memchr(qs, '=', len);
		nl = eq != NULL ? (size_t)(eq - qs) : len;
		if (nl == 0)
			return http_refuse(c, 400, RM_EMALFORMED, "query",
			    "parameter without a name");
		pr = http_pct_decode(qs, nl, q->p[q->n].name,
		    sizeof(q->p[q->n].name));
		if (pr == PCT_LONG)
			return http_refuse(c, 400, RM_EUNKNOWN, "query",
			    "unknown query parameter (name longer than %zu "
			    "bytes)", sizeof(q->p[q->n].name) - 1);
		if (pr != PCT_OK)
			return http_pct_refuse(c, pr, "query");
		for (size_t i = 0; i < q->n; i++)
			if (strcmp(q->p[i].name, q->p[q->n].name) == 0)
				return query_refuse(c, RM_EMALFORMED,
				    q->p[i].name, "query parameter \"%s\" given "
				    "more than once", q->p[i].name);
		q->p[q->n].has_val = eq != NULL;
		q->p[q->n].val[0] = '\0';
		if (eq != NULL && (pr = http_pct_decode(eq + 1, len - nl - 1,
		    q->p[q->n].val, sizeof(q->p[q->n].val))) != PCT_OK) {
			if (pr == PCT_LONG)
				return http_refuse(c, 422, RM_ETOOBIG, "query",
				    "value of \"%s\" longer than %zu bytes",
				    q->p[q->n].name,
				    sizeof(q->p[q->n].val) - 1);
			return http_pct_refuse(c, pr, "query");
		}
		q->n++;
		if (amp == NULL)
			return RM_OK;
		qs = amp + 1;
	}
}

/* 400 EUNKNOWN for the first parameter not named in allowed (a
 * NULL-terminated list, or NULL for a route without parameters); hint
 * says what the route takes. */
static int
query_only(struct http_call_ctx *c, const char *const *allowed,
    const char *hint)
{
	const struct http_query *q = c->q;

	for (size_t i = 0; i < q->n; i++) {
		size_t k = 0;

		while (allowed != NULL && allowed[k] != NULL &&
		    strcmp(allowed[k], q->p[i].name) != 0)
			k++;
		if (allowed == NULL || allowed[k] == NULL)
			return query_refuse(c, RM_EUNKNOWN, q->p[i].name,
			    "unknown query parameter \"%s\" (%s)",
			    q->p[i].name, hint);
	}
	return RM_OK;
}

static const char *const alerts_params[] = { "area", NULL };
static const char *const records_params[] = { "view", NULL };
static const char *const xml_params[] = { "origin", NULL };
static const char *const risks_params[] = { "area", "grade", "status",
	"category", "responsible", "within", "subcategory", "overdue", "limit",
	"next", NULL };
static const char *const risks_summary_params[] = { "area", NULL };
static const char *const risks_diff_params[] = { "from", "to", "area",
	NULL };
static const char *const tasks_params[] = { "assigner", "assignee",
	"status", "overdue", "area", NULL };
static const char *const task_params[] = { "origin", NULL };
#define TASKS_HINT "allowed: assigner=AGENCY, assignee=AGENCY, " \
	"status=open, overdue=1, area=CODE"
static const char *const ind_params[] = { "code", "area", "match", "from",
	"to", "period", "order", "limit", NULL };
static const char *const ind_latest_params[] = { "code", "area", "match",
	NULL };
static const char *const ind_post_params[] = { "skip_errors", NULL };
static const char *const ind_defs_params[] = { "code", "area", NULL };
#define IND_HINT "allowed: code=, area=CODE, match=overlap|within|exact, " \
	"from=, to=, period=, order=newest|time, limit="
static const char *const import_params[] = { "skip_errors", "check",
	"first_line", NULL };
static const char *const proposals_params[] = { "area", NULL };

/*
 * The route table. A route matches a path equal to prefix, or, with
 * tail, a path of prefix + a non-empty tail (+ suffix, if any). Each
 * method has a handler (NULL: 405 with allow) and the query parameters
 * it takes (NULL: none); a POST takes none unless post_params (below)
 * names them.
 */
static const struct route {
	const char *prefix;
	const char *suffix;
	bool tail;
	const char *allow;
	http_handler_fn get, post;
	const char *const *get_params;
	const char *get_hint;
} routes[] = {
	{ "/metrics", NULL, false, "GET", http_get_metrics, NULL, NULL, NULL },
	{ "/v1/status", NULL, false, "GET", http_get_status, NULL, NULL,
	  NULL },
	{ "/v1/alerts", NULL, false, "GET, POST", http_get_alerts,
	  http_post_alert, alerts_params, "allowed: area=CODE" },
	{ "/v1/alerts.csv", NULL, false, "GET", http_get_alerts_csv, NULL,
	  alerts_params, "allowed: area=CODE" },
	{ "/v1/alerts/", "/cancel", true, "POST", NULL, http_post_cancel,
	  NULL, NULL },
	{ "/v1/alerts/", "/reach", true, "GET", http_get_alert_reach, NULL,
	  xml_params, "allowed: origin=AGENCY" },
	{ "/v1/devices", NULL, false, "GET, POST", http_get_devices,
	  http_post_device, NULL, NULL },
	/* DELETE: del_routes below */
	{ "/v1/devices/", NULL, true, "DELETE", NULL, NULL, NULL, NULL },
	{ "/v1/alerts.atom", NULL, false, "GET", http_get_alerts_atom, NULL,
	  NULL, NULL },
	{ "/v1/alerts/", ".xml", true, "GET", http_get_alert_xml, NULL,
	  xml_params, "allowed: origin=AGENCY" },
	{ "/v1/risks", NULL, false, "GET, POST", http_get_risks,
	  http_post_risk, risks_params, "allowed: area=CODE, grade=, status=, "
	  "category=, responsible=AGENCY, within=1, subcategory=, overdue=1, "
	  "limit=N, next=CURSOR" },
	{ "/v1/risks.csv", NULL, false, "GET", http_get_risks_csv, NULL,
	  risks_params, "allowed: area=CODE, grade=, status=, category=, "
	  "responsible=AGENCY, within=1, subcategory=, overdue=1, limit=N, "
	  "next=CURSOR" },
	{ "/v1/risks/summary", NULL, false, "GET", http_get_risks_summary,
	  NULL, risks_summary_params, "allowed: area=CODE" },
	{ "/v1/risks/diff", NULL, false, "GET", http_get_risks_diff, NULL,
	  risks_diff_params, "allowed: from=DATE, to=DATE, area=CODE" },
	{ "/v1/risks/import", NULL, false, "POST", NULL, http_post_risk_import,
	  NULL, NULL },
	{ "/v1/risks/", "/remove", true, "POST", NULL, http_post_risk_remove,
	  NULL, NULL },
	{ "/v1/risks/", NULL, true, "POST", NULL, http_post_risk_update, NULL,
	  NULL },
	{ "/v1/tasks", NULL, false, "GET, POST", http_get_tasks,
	  http_post_task, tasks_params, TASKS_HINT },
	{ "/v1/tasks.csv", NULL, false, "GET", http_get_tasks_csv, NULL,
	  tasks_params, TASKS_HINT },
	{ "/v1/tasks/", "/ack", true, "POST", NULL, http_post_task_ack, NULL,
	  NULL },
	{ "/v1/tasks/", "/close", true, "POST", NULL, http_post_task_close,
	  NULL, NULL },
	{ "/v1/tasks/", NULL, true, "GET", http_get_task, NULL, task_params,
	  "allowed: origin=AGENCY (the assigner)" },
	{ "/v1/records", NULL, false, "POST", NULL, http_post_records, NULL,
	  NULL },
	{ "/v1/records/", NULL, true, "GET", http_get_record, NULL,
	  records_params, "allowed: view=json|cose" },
	{ "/v1/forks", NULL, false, "GET", http_get_forks, NULL, NULL, NULL },
	{ "/v1/peers", NULL, false, "GET", http_get_peers, NULL, NULL, NULL },
	{ "/v1/peers/", "/sync", true, "POST", NULL, http_post_peer_sync,
	  NULL, NULL },
	{ "/v1/peers/", NULL, true, "GET", http_get_peer, NULL, NULL, NULL },
	{ "/v1/forks/", "/resolve", true, "POST", NULL, http_post_fork_resolve,
	  NULL, NULL },
	{ "/v1/indicators", NULL, false, "GET, POST", http_get_indicators,
	  http_post_indicators, ind_params, IND_HINT },
	{ "/v1/indicators.csv", NULL, false, "GET", http_get_indicators_csv,
	  NULL, ind_params, IND_HINT },
	{ "/v1/indicators/latest", NULL, false, "GET",
	  http_get_indicators_latest, NULL, ind_latest_params,
	  "allowed: code=, area=CODE, match=overlap|within|exact" },
	{ "/v1/indicator-defs", NULL, false, "GET, POST",
	  http_get_indicator_defs, http_post_indicator_def, ind_defs_params,
	  "allowed: code=, area=CODE" },
	{ "/v1/indicator-defs.csv", NULL, false, "GET",
	  http_get_indicator_defs_csv, NULL, ind_defs_params,
	  "allowed: code=, area=CODE" },
	{ "/v1/proposals", NULL, false, "GET", http_get_proposals, NULL,
	  proposals_params, "allowed: area=CODE" },
	{ "/v1/proposals.csv", NULL, false, "GET", http_get_proposals_csv,
	  NULL, proposals_params, "allowed: area=CODE" },
	{ "/v1/proposals/", "/confirm", true, "POST", NULL,
	  http_post_proposal_confirm, NULL, NULL },
	{ "/v1/rules/observations", NULL, false, "POST", NULL,
	  http_post_rules_observations, NULL, NULL },
};

/* The routes that take DELETE (prefix + a non-empty tail; no query
 * parameters). The route table above names them too, for 405's Allow. */
static const struct del_route {
	const char *prefix;
	http_handler_fn del;
} del_routes[] = {
	{ "/v1/devices/", http_delete_device },
};

/* The query parameters a POST handler takes (the others take none). */
static const struct post_params {
	http_handler_fn post;
	const char *const *params;
	const char *hint;
} post_params[] = {
	{ http_post_indicators, ind_post_params, "allowed: skip_errors=1" },
	{ http_post_risk_import, import_params, "allowed: skip_errors=1, "
	  "check=1, first_line=N" },
};

static const struct post_params *
post_params_of(http_handler_fn fn)
{
	for (size_t i = 0; i < sizeof(post_params) / sizeof(post_params[0]);
	    i++)
		if (post_params[i].post == fn)
			return &post_params[i];
	return NULL;
}

/* Does path match r? Sets c->tail. */
static bool
route_match(const struct route *r, const char *path,
    struct http_call_ctx *c)
{
	size_t plen = strlen(path), pl = strlen(r->prefix);
	size_t sl = r->suffix != NULL ? strlen(r->suffix) : 0;

	if (!r->tail)
		return strcmp(path, r->prefix) == 0;
	if (strncmp(path, r->prefix, pl) != 0 || plen <= pl + sl ||
	    (sl > 0 && strcmp(path + plen - sl, r->suffix) != 0))
		return false;
	c->tail = path + pl;
	c->tail_len = plen - pl - sl;
	return true;
}

static int
dispatch(struct http_call_ctx *c, const char *method, const char *path)
{
	static const char none[] = "this route takes none";
	bool get = strcmp(method, "GET") == 0;
	bool post = strcmp(method, "POST") == 0;
	bool del = strcmp(method, "DELETE") == 0;
	const struct post_params *pp;
	http_handler_fn fn;
	int rv;

	for (size_t i = 0; del && i < sizeof(del_routes) /
	    sizeof(del_routes[0]); i++) {
		const struct route r = { del_routes[i].prefix, NULL, true,
		    "DELETE", NULL, NULL, NULL, NULL };

		if (!route_match(&r, path, c))
			continue;
		if ((rv = query_only(c, NULL, none)) != RM_OK)
			return rv;
		return del_routes[i].del(c);
	}

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];

		if (!route_match(r, path, c))
			continue;
		fn = get ? r->get : post ? r->post : NULL;
		if (fn == NULL) {
			c->res->allow = r->allow;
			return http_refuse(c, 405, RM_EINVAL, "", "method %.16s "
			    "is not allowed on %.100s (allowed: %s)", method,
			    path, r->allow);
		}
		pp = get ? NULL : post_params_of(fn);
		if ((rv = query_only(c, get ? r->get_params : pp != NULL ?
		    pp->params : NULL, get && r->get_hint != NULL ?
		    r->get_hint : pp != NULL ? pp->hint : none)) != RM_OK)
			return rv;
		return fn(c);
	}
	return http_refuse(c, 404, RM_ENOTFOUND, "", "no route %.16s %.100s",
	    method, path);
}

void
http_route(struct node *n, const struct http_req *req, struct http_res *res)
{
	struct http_call_ctx c;
	struct http_query *qp = NULL;
	char path[1024], dec[1024];
	char field[RM_WHY_FIELD_MAX], reason[RM_WHY_MAX];
	const char *q, *method = req->method;
	enum http_pct_rv pr;
	size_t plen;
	int rv, status;

	memset(&c, 0, sizeof(c));
	c.n = n;
	c.req = req;
	c.res = res;
	res->status = 500;
	res->content_type = HTTP_CT_JSON;
	res->allow = NULL;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	if (!authorised(n, req->authorization)) {
		rv = http_refuse(&c, 401, RM_EUNAUTH, "authorization",
		    "missing or wrong bearer token (Authorization: Bearer "
		    "<token>)");
		http_log_refusal_sec(401, "%.16s %.100s: missing or wrong "
		    "bearer token", req->method, req->uri);
		goto fail;
	}
	q = strchr(req->uri, '?');
	plen = q != NULL ? (size_t)(q - req->uri) : strlen(req->uri);
	if (plen >= sizeof(path)) {
		rv = http_refuse(&c, 404, RM_ENOTFOUND, "path", "longer than "
		    "%zu bytes: no such route", sizeof(path) - 1);
		goto fail;
	}
	memcpy(path, req->uri, plen);
	path[plen] = '\0';
	/* The whole path must decode to UTF-8 text, whatever the route. */
	if ((pr = http_pct_decode(path, plen, dec, sizeof(dec))) != PCT_OK) {
		rv = http_pct_refuse(&c, pr, "path");
		goto fail;
	}
	if ((qp = malloc(sizeof(*qp))) == NULL) {
		rv = http_refuse(&c, 500, RM_ENOMEM, "", "out of memory");
		goto fail;
	}
	c.q = qp;
	if ((rv = query_parse(&c, q != NULL ? q + 1 : NULL, qp)) != RM_OK)
		goto fail;
	if ((rv = dispatch(&c, method, path)) != RM_OK)
		goto fail;
	free(qp);
	node_count_http(n, res->status, RM_OK);
	rm_log(RM_LOG_DEBUG, "http", "%s %s -> %d", req->method, req->uri,
	    res->status);
	return;
fail:
	free(qp);
	status = c.status != 0 ? c.status : http_status_for(rv, &c.why);
	http_error_res(res, status, rv, &c.why);
	node_count_http(n, res->status, rv);
	http_error_text(&c.why, field, sizeof(field), reason, sizeof(reason));
	/* 503 EBUSY (own-log guard), ECLOSED (shutting down),
	 * EUNKNOWNSIGNER (own key rotated, said once by the service) and
	 * 501 (a feature this build lacks) are expected states, not errors
	 * of this request path. */
	http_log_refusal(res->status >= 500 && res->status != 501 &&
	    rv != RM_EBUSY && rv != RM_ECLOSED && rv != RM_EUNKNOWNSIGNER ?
	    RM_LOG_ERR : RM_LOG_INFO, res->status,
	    "%.16s %.100s -> %d %s %s: %s", req->method, req->uri,
	    res->status, rm_errname(rv), field, reason);
}

int
http_issue_answer(struct http_call_ctx *c, int rv,
    const struct service_issued *is)
{
	char hex[65];
	json_t *o;

	if (rv != RM_OK) {
		http_why_request_path(&c->why);
		return rv;
	}
	rm_hash_hex(&is->hash, hex);
	o = json_pack("{s:s,s:s,s:s,s:I,s:I}", "hash", hex, "object_id",
	    is->object_id, "origin", is->origin, "seq", (json_int_t)is->seq,
	    "ver", (json_int_t)is->ver);
	/* what was issued: a proposal becomes an alert or a task */
	if (o != NULL && is->kind != NULL)
		json_object_set_new(o, "kind", json_string(is->kind));
	http_res_json(c->res, 201, o);
	return RM_OK;
}

int
http_path_object_id(struct http_call_ctx *c, char oid[RM_OBJECT_ID_MAX + 2])
{
	enum http_pct_rv pr;

	pr = http_pct_decode(c->tail, c->tail_len, oid, RM_OBJECT_ID_MAX + 2);
	if (pr == PCT_LONG)
		return http_refuse(c, 404, RM_ENOTFOUND, "object_id", "longer "
		    "than %d bytes, so there is no such object",
		    RM_OBJECT_ID_MAX);
	if (pr != PCT_OK)
		return http_pct_refuse(c, pr, "object_id");
	if (!object_id_valid(oid))
		return http_refuse(c, 404, RM_ENOTFOUND, "object_id", "\"%.80s\" "
		    "is not a valid object id (%s), so there is no such "
		    "object", oid, NODE_OBJECT_ID_RULE);
	return RM_OK;
}
