/*
 * http_routes.c -- the routes of the HTTP/JSON API (docs/API.md):
 * bearer auth, dispatch by path and method, JSON errors, counters.
 * No nng types here: http_srv.c hands over a struct http_req.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/http/http.h"

static const char ct_json[] = "application/json";
static const char ct_cose[] = "application/cose; cose-type=\"cose-sign1\"";
static const char ct_text[] = "text/plain; version=0.0.4; charset=utf-8";

void
node_count_http(struct node *n, int status, int err)
{
	atomic_fetch_add(&n->ctr.http_requests, 1);
	if (status > 0 && status < NODE_HTTP_STATUS_MAX)
		atomic_fetch_add(&n->ctr.http_status[status], 1);
	if (status >= 400 && err > 0 && err < RM_ERR_COUNT)
		atomic_fetch_add(&n->ctr.http_refused[err], 1);
}

static void
res_json(struct http_res *res, int status, json_t *v)
{
	rm_buf_reset(&res->body);
	res->status = status;
	res->content_type = ct_json;
	if (v == NULL || json_dump_buf(v, 0, &res->body) != RM_OK ||
	    rm_buf_append_byte(&res->body, '\n') != RM_OK) {
		rm_buf_reset(&res->body);
		res->status = 500;
		(void)rm_buf_printf(&res->body, "{\"error\":\"ENOMEM\","
		    "\"field\":\"\",\"reason\":\"out of memory\"}\n");
	}
	json_decref(v);
}

void
http_error_res(struct http_res *res, const struct json_error *e)
{
	char field[JSON_FIELD_MAX], reason[RM_WHY_MAX];

	/* Already clean when e comes from json_fail*(); make sure. */
	json_text_clean(e->field, field, sizeof(field));
	json_text_clean(e->reason, reason, sizeof(reason));
	res_json(res, e->status, json_pack("{s:s,s:s,s:s}", "error",
	    rm_errname(e->err), "field", field, "reason", reason));
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

enum pct_rv { PCT_OK, PCT_BADESC, PCT_NUL, PCT_LONG, PCT_UTF8, PCT_CTRL };

/* Percent-decode s[0..n) into out (NUL-terminated; '+' stays '+') and
 * check the result is UTF-8 text without control characters. */
static enum pct_rv
pct_decode(const char *s, size_t n, char *out, size_t outlen)
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

/* 400 naming the part (path, query, query parameter) that failed. */
static int
pct_fail(enum pct_rv rv, const char *part, struct json_error *e)
{
	switch (rv) {
	case PCT_BADESC:
		return json_fail(e, 400, RM_EMALFORMED, part, "bad percent "
		    "escape (%%XX with two hex digits, RFC 3986 §2.1)");
	case PCT_NUL:
		return json_fail(e, 400, RM_EMALFORMED, part, "%%00 (NUL) is "
		    "not allowed");
	case PCT_LONG:
		return json_fail(e, 400, RM_ETOOBIG, part, "too long");
	case PCT_UTF8:
		return json_fail(e, 400, RM_EMALFORMED, part, "not UTF-8 "
		    "text after percent-decoding");
	case PCT_CTRL:
	default:
		return json_fail(e, 400, RM_EMALFORMED, part, "control "
		    "character after percent-decoding");
	}
}

#define QUERY_PARAMS_MAX 8

/* 400 with the query parameter's name as the field. */
static int query_fail(struct json_error *e, int err, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
query_fail(struct json_error *e, int err, const char *name,
    const char *fmt, ...)
{
	va_list ap;
	char reason[RM_WHY_MAX];

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	json_fail(e, 400, err, "", "%s", reason);
	if (e != NULL)
		json_text_clean(name, e->field, sizeof(e->field));
	return err;
}

/* A decoded query string: name=value pairs, each name once. */
struct query {
	size_t n;
	struct {
		char name[48];
		char val[256];
		bool has_val;        /* "name=…" rather than "name" */
	} p[QUERY_PARAMS_MAX];
};

/* Split, decode and check a query string (NULL or "" is empty). */
static int
query_parse(const char *qs, struct query *q, struct json_error *e)
{
	enum pct_rv pr;

	q->n = 0;
	if (qs == NULL || *qs == '\0')
		return RM_OK;
	for (;;) {
		const char *amp = strchr(qs, '&'), *eq;
		size_t len = amp != NULL ? (size_t)(amp - qs) : strlen(qs);
		size_t nl;

		if (len == 0)
			return json_fail(e, 400, RM_EMALFORMED, "query",
			    "empty parameter (\"&&\", or \"&\" at an end)");
		if (q->n == QUERY_PARAMS_MAX)
			return json_fail(e, 400, RM_ETOOBIG, "query", "more "
			    "than %d parameters", QUERY_PARAMS_MAX);
		eq = memchr(qs, '=', len);
		nl = eq != NULL ? (size_t)(eq - qs) : len;
		if (nl == 0)
			return json_fail(e, 400, RM_EMALFORMED, "query",
			    "parameter without a name");
		pr = pct_decode(qs, nl, q->p[q->n].name,
		    sizeof(q->p[q->n].name));
		if (pr == PCT_LONG)
			return json_fail(e, 400, RM_EUNKNOWN, "query",
			    "unknown query parameter (name longer than %zu "
			    "bytes)", sizeof(q->p[q->n].name) - 1);
		if (pr != PCT_OK)
			return pct_fail(pr, "query", e);
		for (size_t i = 0; i < q->n; i++)
			if (strcmp(q->p[i].name, q->p[q->n].name) == 0)
				return query_fail(e, RM_EMALFORMED,
				    q->p[i].name, "query parameter \"%s\" given "
				    "more than once", q->p[i].name);
		q->p[q->n].has_val = eq != NULL;
		q->p[q->n].val[0] = '\0';
		if (eq != NULL && (pr = pct_decode(eq + 1, len - nl - 1,
		    q->p[q->n].val, sizeof(q->p[q->n].val))) != PCT_OK) {
			if (pr == PCT_LONG)
				return json_fail(e, 422, RM_ETOOBIG, "query",
				    "value of \"%s\" longer than %zu bytes",
				    q->p[q->n].name,
				    sizeof(q->p[q->n].val) - 1);
			return pct_fail(pr, "query", e);
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
query_only(const struct query *q, const char *const *allowed,
    const char *hint, struct json_error *e)
{
	for (size_t i = 0; i < q->n; i++) {
		size_t k = 0;

		while (allowed != NULL && allowed[k] != NULL &&
		    strcmp(allowed[k], q->p[i].name) != 0)
			k++;
		if (allowed == NULL || allowed[k] == NULL)
			return query_fail(e, RM_EUNKNOWN, q->p[i].name,
			    "unknown query parameter \"%s\" (%s)",
			    q->p[i].name, hint);
	}
	return RM_OK;
}

static int
method_not_allowed(struct http_res *res, const char *method,
    const char *path, const char *allow, struct json_error *e)
{
	res->allow = allow;
	return json_fail(e, 405, RM_EINVAL, "", "method %.16s is not allowed "
	    "on %.100s (allowed: %s)", method, path, allow);
}

static int
issued_res(struct http_res *res, const struct node_issued *is)
{
	char hex[65];

	rm_hash_hex(&is->hash, hex);
	res_json(res, 201, json_pack("{s:s,s:s,s:s,s:I,s:I}", "hash", hex,
	    "object_id", is->object_id, "origin", is->origin,
	    "seq", (json_int_t)is->seq, "ver", (json_int_t)is->ver));
	return RM_OK;
}

struct list_ctx {
	json_t *alerts;
	bool failed;
};

static int
list_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct list_ctx *c = arg;
	json_t *o = json_record_object(rec, h);

	(void)p;
	(void)n;
	if (o == NULL || json_array_append_new(c->alerts, o) != 0) {
		c->failed = true;
		return RM_ENOMEM;
	}
	return RM_OK;
}

/* GET /v1/alerts[?area=CODE] */
static int
route_list(struct node *n, const struct query *q, struct http_res *res,
    struct json_error *e)
{
	static const char *const params[] = { "area", NULL };
	const char *area = NULL;
	struct list_ctx c = { NULL, false };
	int rv;

	if ((rv = query_only(q, params, "allowed: area=CODE", e)) != RM_OK)
		return rv;
	if (q->n == 1) {
		area = q->p[0].val;
		if (!q->p[0].has_val || strlen(area) > RM_AREA_CODE_MAX ||
		    !area_code_valid(area))
			return json_fail(e, 422, RM_EBADVALUE, "area",
			    "\"%.40s\" is not a GB/T 2260 area code (6, 9 or "
			    "12 digits)", area);
	}
	if ((c.alerts = json_array()) == NULL)
		return json_fail(e, 500, RM_ENOMEM, "", "out of memory");
	rv = store_active(n->store, &rm_kind_alert, area, rm_utc_now_ms(), list_each,
	    &c);
	if (rv != RM_OK) {
		json_decref(c.alerts);
		return json_fail(e, 500, rv, "", "cannot read alerts: %s",
		    rm_strerror(rv));
	}
	res_json(res, 200, json_pack("{s:o,s:I,s:o}",
	    "area", area != NULL ? json_string(area) : json_null(),
	    "count", (json_int_t)json_array_size(c.alerts),
	    "alerts", c.alerts));
	return RM_OK;
}

/* GET /v1/records/{hash} */
static int
route_record(struct node *n, const char *hexhash, struct http_res *res,
    struct json_error *e)
{
	rm_hash h;
	int rv;

	if (strlen(hexhash) != 2 * RM_HASH_BYTES ||
	    rm_hash_parse(hexhash, &h) != RM_OK)
		return json_fail(e, 400, RM_EMALFORMED, "hash",
		    "\"%.70s\" is not 64 hex digits", hexhash);
	rm_buf_reset(&res->body);
	if ((rv = store_get(n->store, &h, &res->body)) == RM_ENOTFOUND)
		return json_fail(e, 404, RM_ENOTFOUND, "hash", "no record %s",
		    hexhash);
	if (rv != RM_OK)
		return json_fail(e, 500, rv, "", "cannot read the record: %s",
		    rm_strerror(rv));
	res->status = 200;
	res->content_type = ct_cose;
	return RM_OK;
}

static int
route_text(struct http_res *res, int rv, struct json_error *e)
{
	if (rv != RM_OK)
		return json_fail(e, 500, rv, "", "%s", rm_strerror(rv));
	res->status = 200;
	return RM_OK;
}

static int
dispatch(struct node *n, const struct http_req *req, const char *method,
    const char *path, const struct query *q, struct http_res *res,
    struct json_error *e)
{
	static const char alerts_pfx[] = "/v1/alerts/";
	static const char records_pfx[] = "/v1/records/";
	static const char cancel_sfx[] = "/cancel";
	static const char none[] = "this route takes none";
	bool get = strcmp(method, "GET") == 0;
	bool post = strcmp(method, "POST") == 0;
	struct node_issued is;
	size_t plen = strlen(path);
	int rv;

	if (strcmp(path, "/metrics") == 0) {
		if (!get)
			return method_not_allowed(res, method, path, "GET", e);
		if ((rv = query_only(q, NULL, none, e)) != RM_OK)
			return rv;
		res->content_type = ct_text;
		return route_text(res, http_metrics(n, &res->body), e);
	}
	if (strcmp(path, "/v1/status") == 0) {
		if (!get)
			return method_not_allowed(res, method, path, "GET", e);
		if ((rv = query_only(q, NULL, none, e)) != RM_OK)
			return rv;
		res->content_type = ct_json;
		return route_text(res, http_status_json(n, &res->body), e);
	}
	if (strcmp(path, "/v1/alerts") == 0) {
		if (get)
			return route_list(n, q, res, e);
		if (!post)
			return method_not_allowed(res, method, path,
			    "GET, POST", e);
		if ((rv = query_only(q, NULL, none, e)) != RM_OK ||
		    (rv = node_issue_alert(n, req->body, req->body_len, &is,
		    e)) != RM_OK)
			return rv;
		return issued_res(res, &is);
	}
	if (strncmp(path, alerts_pfx, sizeof(alerts_pfx) - 1) == 0 &&
	    plen > sizeof(alerts_pfx) - 1 + sizeof(cancel_sfx) - 1 &&
	    strcmp(path + plen - (sizeof(cancel_sfx) - 1), cancel_sfx) == 0) {
		char oid[RM_OBJECT_ID_MAX + 2];
		const char *s = path + sizeof(alerts_pfx) - 1;
		size_t len = plen - (sizeof(alerts_pfx) - 1) -
		    (sizeof(cancel_sfx) - 1);
		enum pct_rv pr;

		if (!post)
			return method_not_allowed(res, method, path, "POST", e);
		if ((rv = query_only(q, NULL, none, e)) != RM_OK)
			return rv;
		pr = pct_decode(s, len, oid, sizeof(oid));
		if (pr == PCT_LONG)
			return json_fail(e, 404, RM_ENOTFOUND, "object_id",
			    "longer than %d bytes, so there is no such object",
			    RM_OBJECT_ID_MAX);
		if (pr != PCT_OK)
			return pct_fail(pr, "object_id", e);
		if (!object_id_valid(oid))
			return json_fail(e, 404, RM_ENOTFOUND, "object_id",
			    "\"%.80s\" is not a valid object id (%s), so there "
			    "is no such object", oid, JSON_OBJECT_ID_RULE);
		if ((rv = node_cancel_alert(n, oid, req->body, req->body_len,
		    &is, e)) != RM_OK)
			return rv;
		return issued_res(res, &is);
	}
	if (strncmp(path, records_pfx, sizeof(records_pfx) - 1) == 0 &&
	    plen > sizeof(records_pfx) - 1) {
		if (!get)
			return method_not_allowed(res, method, path, "GET", e);
		if ((rv = query_only(q, NULL, none, e)) != RM_OK)
			return rv;
		return route_record(n, path + sizeof(records_pfx) - 1, res, e);
	}
	return json_fail(e, 404, RM_ENOTFOUND, "", "no route %.16s %.100s",
	    method, path);
}

void
http_route(struct node *n, const struct http_req *req, struct http_res *res)
{
	struct json_error e;
	struct query *qp = NULL;
	char path[1024], dec[1024];
	const char *q, *method = req->method;
	enum pct_rv pr;
	size_t plen;
	int rv;

	memset(&e, 0, sizeof(e));
	res->status = 500;
	res->content_type = ct_json;
	res->allow = NULL;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	if (!authorised(n, req->authorization)) {
		rv = json_fail(&e, 401, RM_EUNAUTH, "authorization",
		    "missing or wrong bearer token (Authorization: Bearer "
		    "<token>)");
		rm_log_sec("http", "%.16s %.100s: missing or wrong bearer "
		    "token", req->method, req->uri);
		goto fail;
	}
	q = strchr(req->uri, '?');
	plen = q != NULL ? (size_t)(q - req->uri) : strlen(req->uri);
	if (plen >= sizeof(path)) {
		rv = json_fail(&e, 404, RM_ENOTFOUND, "path", "longer than "
		    "%zu bytes: no such route", sizeof(path) - 1);
		goto fail;
	}
	memcpy(path, req->uri, plen);
	path[plen] = '\0';
	/* The whole path must decode to UTF-8 text, whatever the route. */
	if ((pr = pct_decode(path, plen, dec, sizeof(dec))) != PCT_OK) {
		rv = pct_fail(pr, "path", &e);
		goto fail;
	}
	if ((qp = malloc(sizeof(*qp))) == NULL) {
		rv = json_fail(&e, 500, RM_ENOMEM, "", "out of memory");
		goto fail;
	}
	if ((rv = query_parse(q != NULL ? q + 1 : NULL, qp, &e)) != RM_OK)
		goto fail;
	rv = dispatch(n, req, method, path, qp, res, &e);
	if (rv != RM_OK)
		goto fail;
	free(qp);
	node_count_http(n, res->status, RM_OK);
	rm_log(RM_LOG_DEBUG, "http", "%s %s -> %d", req->method, req->uri,
	    res->status);
	return;
fail:
	free(qp);
	http_error_res(res, &e);
	node_count_http(n, res->status, e.err);
	rm_log(res->status >= 500 ? RM_LOG_ERR : RM_LOG_INFO, "http",
	    "%.16s %.100s -> %d %s %s: %s", req->method, req->uri,
	    res->status, rm_errname(e.err), e.field, e.reason);
}
