/*
 * http_routes.c -- the routes of the HTTP/JSON API (docs/API.md):
 * bearer auth, dispatch by path and method, JSON errors, counters.
 * No nng types here: http_srv.c hands over a struct http_req.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/node.h"

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
	res_json(res, e->status, json_pack("{s:s,s:s,s:s}", "error",
	    rm_errname(e->err), "field", e->field, "reason", e->reason));
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

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) into out (NUL-terminated); '+' stays '+'.
 * False on a bad escape, a NUL, or if it does not fit. */
static bool
pct_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				return false;
			if ((h = hexval(s[i + 1])) < 0 ||
			    (l = hexval(s[i + 2])) < 0)
				return false;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0 || o + 1 >= outlen)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
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
route_list(struct node *n, const char *query, struct http_res *res,
    struct json_error *e)
{
	char area[RM_AREA_CODE_MAX + 1], name[32], val[64];
	bool has_area = false;
	struct list_ctx c = { NULL, false };
	int rv;

	while (query != NULL && *query != '\0') {
		const char *amp = strchr(query, '&'), *eq;
		size_t len = amp != NULL ? (size_t)(amp - query) : strlen(query);

		eq = memchr(query, '=', len);
		if (!pct_decode(query, eq != NULL ? (size_t)(eq - query) : len,
		    name, sizeof(name)))
			return json_fail(e, 400, RM_EMALFORMED, "",
			    "bad query string");
		if (strcmp(name, "area") != 0)
			return json_fail(e, 400, RM_EUNKNOWN, name,
			    "unknown query parameter (area=CODE)");
		if (eq == NULL || !pct_decode(eq + 1,
		    len - (size_t)(eq + 1 - query), val, sizeof(val)) ||
		    strlen(val) > RM_AREA_CODE_MAX || !area_code_valid(val))
			return json_fail(e, 422, RM_EBADVALUE, "area",
			    "not a GB/T 2260 area code (6, 9 or 12 digits)");
		memcpy(area, val, strlen(val) + 1);
		has_area = true;
		query = amp != NULL ? amp + 1 : NULL;
	}
	if ((c.alerts = json_array()) == NULL)
		return json_fail(e, 500, RM_ENOMEM, "", "out of memory");
	rv = store_alerts_active(n->store, has_area ? area : NULL,
	    rm_utc_now_ms(), list_each, &c);
	if (rv != RM_OK) {
		json_decref(c.alerts);
		return json_fail(e, 500, rv, "", "cannot read alerts: %s",
		    rm_strerror(rv));
	}
	res_json(res, 200, json_pack("{s:o,s:I,s:o}",
	    "area", has_area ? json_string(area) : json_null(),
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
    const char *path, const char *query, struct http_res *res,
    struct json_error *e)
{
	static const char alerts_pfx[] = "/v1/alerts/";
	static const char records_pfx[] = "/v1/records/";
	static const char cancel_sfx[] = "/cancel";
	bool get = strcmp(method, "GET") == 0;
	bool post = strcmp(method, "POST") == 0;
	struct node_issued is;
	size_t plen = strlen(path);
	int rv;

	if (strcmp(path, "/metrics") == 0) {
		if (!get)
			return method_not_allowed(res, method, path, "GET", e);
		res->content_type = ct_text;
		return route_text(res, http_metrics(n, &res->body), e);
	}
	if (strcmp(path, "/v1/status") == 0) {
		if (!get)
			return method_not_allowed(res, method, path, "GET", e);
		res->content_type = ct_json;
		return route_text(res, http_status_json(n, &res->body), e);
	}
	if (strcmp(path, "/v1/alerts") == 0) {
		if (get)
			return route_list(n, query, res, e);
		if (!post)
			return method_not_allowed(res, method, path,
			    "GET, POST", e);
		if ((rv = node_issue_alert(n, req->body, req->body_len, &is,
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

		if (!post)
			return method_not_allowed(res, method, path, "POST", e);
		if (!pct_decode(s, len, oid, sizeof(oid)))
			return json_fail(e, 404, RM_ENOTFOUND, "object_id",
			    "no such object");
		if ((rv = node_cancel_alert(n, oid, req->body, req->body_len,
		    &is, e)) != RM_OK)
			return rv;
		return issued_res(res, &is);
	}
	if (strncmp(path, records_pfx, sizeof(records_pfx) - 1) == 0 &&
	    plen > sizeof(records_pfx) - 1) {
		if (!get)
			return method_not_allowed(res, method, path, "GET", e);
		return route_record(n, path + sizeof(records_pfx) - 1, res, e);
	}
	return json_fail(e, 404, RM_ENOTFOUND, "", "no route %.16s %.100s",
	    method, path);
}

void
http_route(struct node *n, const struct http_req *req, struct http_res *res)
{
	struct json_error e;
	char path[1024];
	const char *q, *method = req->method;
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
		    "missing or wrong bearer token");
		rm_log_sec("http", "%.16s %.100s: missing or wrong bearer "
		    "token", req->method, req->uri);
		goto fail;
	}
	q = strchr(req->uri, '?');
	plen = q != NULL ? (size_t)(q - req->uri) : strlen(req->uri);
	if (plen >= sizeof(path)) {
		rv = json_fail(&e, 404, RM_ENOTFOUND, "", "no such route");
		goto fail;
	}
	memcpy(path, req->uri, plen);
	path[plen] = '\0';
	rv = dispatch(n, req, method, path, q != NULL ? q + 1 : NULL, res, &e);
	if (rv != RM_OK)
		goto fail;
	node_count_http(n, res->status, RM_OK);
	rm_log(RM_LOG_DEBUG, "http", "%s %s -> %d", req->method, req->uri,
	    res->status);
	return;
fail:
	http_error_res(res, &e);
	node_count_http(n, res->status, e.err);
	rm_log(res->status >= 500 ? RM_LOG_ERR : RM_LOG_INFO, "http",
	    "%.16s %.100s -> %d %s %s: %s", req->method, req->uri,
	    res->status, rm_errname(e.err), e.field, e.reason);
}
