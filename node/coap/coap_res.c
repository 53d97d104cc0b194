/*
 * coap_res.c -- the server's resources (/alerts, /alerts/<area>, the
 * unknown-resource handler) and their GET handlers: Accept, rendering,
 * block-wise bodies with Max-Age and ETag, the observation tally. The
 * area table itself is in coap_area.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/coap/coap_int.h"

/* A body handed to coap_add_data_large_response(). */
struct srv_body {
	struct alertcoap *srv;
	uint8_t data[];
};

uint64_t
csrv_etag(const uint8_t *p, size_t n)
{
	/* FNV-1a 64: a cache validator, not a security check. */
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h != 0 ? h : 1;
}

static void
srv_body_release(coap_session_t *s, void *app_ptr)
{
	struct srv_body *b = app_ptr;

	(void)s;
	b->srv->last_released = (uintptr_t)b;
	free(b);
}

void
csrv_error(coap_pdu_t *resp, coap_pdu_code_t code, const char *text)
{
	coap_pdu_set_code(resp, code);
	coap_add_data(resp, strlen(text), (const uint8_t *)text);
}

static unsigned
srv_accept(const coap_pdu_t *req, bool *bad)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(req, COAP_OPTION_ACCEPT, &it);

	*bad = false;
	if (o == NULL)
		return ALERTCOAP_CF_TEXT;
	if (coap_opt_length(o) > 2) {
		*bad = true;
		return 0;
	}
	return coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o));
}

/* Observe option of the request: -1 absent, else its value. */
static int
srv_observe_opt(const coap_pdu_t *req)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(req, COAP_OPTION_OBSERVE, &it);

	if (o == NULL || coap_opt_length(o) > 3)
		return -1;
	return (int)coap_decode_var_bytes(coap_opt_value(o),
	    coap_opt_length(o));
}

/*
 * Is this handler call libcoap re-running GET for a notification? A
 * response to a request is an ACK (CON request) or NON (NON request); a
 * notification is CON or NON, built on the stored request.
 */
static bool
srv_is_notification(struct alertcoap *c, coap_resource_t *r,
    coap_session_t *s, const coap_pdu_t *req, const coap_pdu_t *resp)
{
	coap_pdu_type_t rt = coap_pdu_get_type(resp);

	if (rt == COAP_MESSAGE_ACK)
		return false;
	/* A request re-dispatched by csrv_hnd_unknown(): libcoap keeps
	 * the async entry until the handler returns, and its separate
	 * response is CON. */
	if (coap_find_async(s, coap_pdu_get_token(req)) != NULL)
		return false;
	if (rt == COAP_MESSAGE_CON || coap_pdu_get_type(req) == COAP_MESSAGE_CON)
		return true;
	return srv_observe_opt(req) == COAP_OBSERVE_ESTABLISH &&
	    csrv_obs_find(c, s, r, coap_pdu_get_token(req)) >= 0;
}

/*
 * The body of resource r (area NULL = /alerts) in format cf for a
 * notification of the current round: rendered by the first observer's
 * notification, reused by the others (1,000 observers cost one store
 * read, not 1,000). A change after the render starts a new round, so
 * no observer keeps a stale body. NULL: not rendered yet.
 */
static struct srv_cached *
srv_cache_find(struct alertcoap *c, coap_resource_t *r, const char *area,
    unsigned cf)
{
	for (size_t i = 0; i < SRV_CACHE_MAX; i++) {
		struct srv_cached *e = &c->cache[i];
		if (e->round == c->round && e->r == r && e->cf == cf &&
		    strcmp(e->area, area ? area : "") == 0)
			return e;
	}
	return NULL;
}

/* Keep a copy of a notification body; on failure (no memory, table
 * full of this round's bodies) nothing is kept. */
static void
srv_cache_put(struct alertcoap *c, coap_resource_t *r, const char *area,
    unsigned cf, const rm_buf *b, const struct alertcoap_set_info *info)
{
	struct srv_cached *e = NULL;

	for (size_t i = 0; e == NULL && i < SRV_CACHE_MAX; i++)
		if (c->cache[i].round != c->round)
			e = &c->cache[i];
	if (e == NULL)
		return;
	rm_buf_reset(&e->body);
	if (b->len > 0 && rm_buf_append(&e->body, b->data, b->len) != RM_OK)
		return;
	e->round = c->round;
	e->r = r;
	e->cf = cf;
	snprintf(e->area, sizeof(e->area), "%s", area ? area : "");
	e->info = *info;
}

void
csrv_cache_fini(struct alertcoap *c)
{
	for (size_t i = 0; i < SRV_CACHE_MAX; i++)
		rm_buf_fini(&c->cache[i].body);
}

int
csrv_body(struct alertcoap *c, coap_resource_t *r, const char *area,
    unsigned cf, rm_buf *out, struct alertcoap_set_info *info, rm_why *why)
{
	struct alertcoap_set_info in;
	struct srv_cached *hit = srv_cache_find(c, r, area, cf);
	rm_buf b = RM_BUF_INIT;
	int rv;

	if (hit != NULL) {
		if (info != NULL)
			*info = hit->info;
		return rm_buf_append(out, hit->body.data, hit->body.len);
	}
	rv = alertcoap_render(&c->provider, area, rm_utc_now_ms(), cf, &b,
	    &in, why);
	if (rv == RM_OK && in.next_expiry_ms != 0 &&
	    (c->next_expiry_ms == 0 || in.next_expiry_ms < c->next_expiry_ms))
		c->next_expiry_ms = in.next_expiry_ms;
	if (rv == RM_OK) {
		if (in.n_left_out > 0)
			atomic_fetch_add(&c->st_left_out, in.n_left_out);
		srv_cache_put(c, r, area, cf, &b, &in);
		if (info != NULL)
			*info = in;
		rv = rm_buf_append(out, b.data, b.len);
	}
	rm_buf_fini(&b);
	return rv;
}

/*
 * Answer GET for resource r (area NULL = all alerts). `observable`:
 * libcoap handled the Observe option for this request (false for the
 * unknown resource), so the tally follows it.
 */
static void
srv_serve(struct alertcoap *c, coap_resource_t *r, const char *area,
    bool observable, coap_session_t *s, const coap_pdu_t *req,
    const coap_string_t *q, coap_pdu_t *resp)
{
	struct alertcoap_set_info info;
	struct srv_cached *hit;
	rm_buf b = RM_BUF_INIT;
	rm_why why;
	bool notif, bad;
	unsigned cf = ALERTCOAP_CF_TEXT;
	int obs, rv;

	notif = observable && srv_is_notification(c, r, s, req, resp);
	obs = srv_observe_opt(req);
	if (!notif) {
		atomic_fetch_add(&c->st_requests, 1);
		csrv_area_touch(c, r);
	}
	if (csrv_plain_refused(c, s, resp))
		goto done;
	cf = srv_accept(req, &bad);
	if (bad || !alertcoap_cf_supported(cf)) {
		csrv_error(resp, COAP_RESPONSE_CODE_NOT_ACCEPTABLE,
		    "Accept: text/plain (0), application/cose (18), "
		    "application/json (50) or application/cbor (60)");
		goto done;
	}
	if (notif && (hit = srv_cache_find(c, r, area, cf)) != NULL) {
		csrv_send_body(c, r, s, req, q, resp, cf, hit->body.data,
		    hit->body.len);
		goto done;
	}
	rv = alertcoap_render(&c->provider, area, rm_utc_now_ms(), cf, &b,
	    &info, &why);
	if (rv != RM_OK) {
		rm_log(RM_LOG_ERR, SRV_TAG, "%s", why.msg);
		csrv_error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR,
		    "cannot read alerts");
		goto done;
	}
	if (info.next_expiry_ms != 0 && (c->next_expiry_ms == 0 ||
	    info.next_expiry_ms < c->next_expiry_ms))
		c->next_expiry_ms = info.next_expiry_ms;
	if (info.n_left_out > 0)
		atomic_fetch_add(&c->st_left_out, info.n_left_out);
	if (notif)
		srv_cache_put(c, r, area, cf, &b, &info);
	csrv_send_body(c, r, s, req, q, resp, cf, b.data, b.len);
done:
	rm_buf_fini(&b);
	if (!observable)
		return;
	if (COAP_RESPONSE_CLASS(coap_pdu_get_code(resp)) != 2) {
		/* libcoap drops the observation on an error response. */
		if (obs == COAP_OBSERVE_ESTABLISH)
			csrv_obs_forget(c, s, r, coap_pdu_get_token(req));
	} else if (!notif && obs == COAP_OBSERVE_ESTABLISH) {
		csrv_obs_add(c, s, r, coap_pdu_get_token(req), cf);
	} else if (notif) {
		csrv_obs_sent(c, s, r, coap_pdu_get_token(req),
		    coap_pdu_get_mid(resp));
	} else if (!notif && obs == COAP_OBSERVE_CANCEL) {
		csrv_obs_forget(c, s, r, coap_pdu_get_token(req));
	}
}

void
csrv_send_body(struct alertcoap *c, coap_resource_t *r, coap_session_t *s,
    const coap_pdu_t *req, const coap_string_t *q, coap_pdu_t *resp,
    unsigned cf, const uint8_t *p, size_t n)
{
	struct srv_body *body;
	uint8_t ebuf[8];
	uint64_t etag;

	if ((body = malloc(sizeof(*body) + n)) == NULL) {
		csrv_error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR, "no memory");
		return;
	}
	body->srv = c;
	if (n > 0)
		memcpy(body->data, p, n);
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CONTENT);
	/* libcoap 4.3.1 adds the ETag itself only to block-wise bodies
	 * (and then replaces this one with the same value). */
	etag = csrv_etag(body->data, n);
	coap_add_option(resp, COAP_OPTION_ETAG,
	    coap_encode_var_safe8(ebuf, sizeof(ebuf), etag), ebuf);
	c->last_released = 0;
	if (!coap_add_data_large_response(r, s, req, resp, q, (uint16_t)cf,
	    c->max_age_s, etag, n, body->data, srv_body_release, body)) {
		/* libcoap 4.3.1 frees through the callback on some failure
		 * paths only; it already set the response code. */
		if (c->last_released != (uintptr_t)body)
			free(body);
	}
}

static void
srv_hnd_get(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
    const coap_string_t *q, coap_pdu_t *resp)
{
	struct srv_res *u = coap_resource_get_userdata(r);

	srv_serve(u->srv, r, u->all ? NULL : u->area, true, s, req, q, resp);
}

static void
srv_attr(coap_resource_t *r, const char *name, const char *val)
{
	coap_str_const_t *n, *v = NULL;

	n = coap_new_str_const((const uint8_t *)name, strlen(name));
	if (val != NULL)
		v = coap_new_str_const((const uint8_t *)val, strlen(val));
	if (n == NULL || (val != NULL && v == NULL) ||
	    coap_add_attr(r, n, v, COAP_ATTR_FLAGS_RELEASE_NAME |
	    COAP_ATTR_FLAGS_RELEASE_VALUE) == NULL) {
		coap_delete_str_const(n);
		coap_delete_str_const(v);
		rm_log(RM_LOG_WARN, SRV_TAG, "cannot add link attribute %s",
		    name);
	}
}

/* Create and register /alerts (area NULL) or /alerts/<area>. */
coap_resource_t *
csrv_res_new(struct alertcoap *c, const char *area)
{
	char uri[sizeof(SRV_PREFIX) + RM_AREA_CODE_MAX + 1];
	char title[64];
	coap_str_const_t *path;
	coap_resource_t *r;
	struct srv_res *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->srv = c;
	u->all = area == NULL;
	if (area != NULL) {
		snprintf(u->area, sizeof(u->area), "%s", area);
		snprintf(uri, sizeof(uri), SRV_PREFIX "%s", area);
		snprintf(title, sizeof(title), "\"Alerts for area %s\"", area);
	} else {
		snprintf(uri, sizeof(uri), "alerts");
		snprintf(title, sizeof(title), "\"All alerts\"");
	}
	path = coap_new_str_const((const uint8_t *)uri, strlen(uri));
	if (path == NULL) {
		free(u);
		return NULL;
	}
	r = coap_resource_init(path, COAP_RESOURCE_FLAGS_RELEASE_URI |
	    COAP_RESOURCE_FLAGS_NOTIFY_NON);
	if (r == NULL) {
		coap_delete_str_const(path);
		free(u);
		return NULL;
	}
	u->r = r;
	coap_resource_set_userdata(r, u);
	coap_register_request_handler(r, COAP_REQUEST_GET, srv_hnd_get);
	coap_resource_set_get_observable(r, 1);
	/* RFC 6690 §3: link attributes for /.well-known/core (libcoap
	 * prints ";obs" itself for an observable resource). */
	srv_attr(r, "rt", "\"riskmesh.alerts\"");
	srv_attr(r, "ct", "\"0 50 60 18\"");
	srv_attr(r, "title", title);
	coap_add_resource(c->ctx, r);
	return r;
}

/*
 * Should this GET be re-dispatched to the area resource just created?
 * Only an Observe registration for the first block: libcoap 4.3.1
 * registers observers only in handle_request() (src/coap_net.c), on the
 * resource the path matched, and notifies only the resources in the
 * context's table (coap_check_notify(), src/coap_resource.c), which the
 * unknown resource is not part of.
 */
static bool
srv_wants_redispatch(const coap_pdu_t *req)
{
	coap_block_t blk;

	if (srv_observe_opt(req) != COAP_OBSERVE_ESTABLISH ||
	    !coap_async_is_supported())
		return false;
	return !coap_get_block(req, COAP_OPTION_BLOCK2, &blk) || blk.num == 0;
}

/* GET for a path with no resource (libcoap's unknown resource). */
void
csrv_hnd_unknown(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
    const coap_string_t *q, coap_pdu_t *resp)
{
	struct srv_res *u = coap_resource_get_userdata(r);
	struct alertcoap *c = u->srv;
	coap_string_t *path = coap_get_uri_path(req);
	const size_t plen = sizeof(SRV_PREFIX) - 1;
	coap_resource_t *ar;
	coap_async_t *as;
	srv_code code;
	size_t n;

	if (path == NULL || path->length <= plen ||
	    memcmp(path->s, SRV_PREFIX, plen) != 0 ||
	    (n = path->length - plen) > RM_AREA_CODE_MAX)
		goto not_found;
	memcpy(code, path->s + plen, n);
	code[n] = '\0';
	if (!area_code_valid(code))
		goto not_found;
	coap_delete_string(path);
	if (csrv_plain_refused(c, s, resp)) {
		atomic_fetch_add(&c->st_requests, 1);
		return;
	}
	if (!csrv_served(c, code)) {
		atomic_fetch_add(&c->st_requests, 1);
		csrv_error(resp, COAP_RESPONSE_CODE_NOT_FOUND,
		    "area outside this federation");
		return;
	}
	ar = csrv_area_get(c, code, false);
	/*
	 * An Observe GET: hand a copy of the request back to libcoap as a
	 * separate response (RFC 7252 §5.2.2). coap_check_async() runs it
	 * through handle_request() again on the next coap_io_process()
	 * round; it now matches the new resource, so libcoap registers
	 * the observer there and the response carries Observe. The
	 * response to this call stays empty: an empty ACK for a CON
	 * request, nothing for a NON one.
	 */
	if (ar != NULL && srv_wants_redispatch(req) &&
	    (as = coap_register_async(s, req, 0)) != NULL) {
		coap_async_trigger(as);
		rm_log(RM_LOG_DEBUG, SRV_TAG, "area %s: Observe GET "
		    "re-dispatched to the new resource", code);
		return;
	}
	/* Plain GET (or no resource could be made, or the async entry
	 * exists already): answer now, without registration. Serve from
	 * the new resource so that Block2 follow-ups, which now reach it,
	 * find the transfer libcoap keeps for it. */
	srv_serve(c, ar != NULL ? ar : r, code, false, s, req, q, resp);
	return;
not_found:
	coap_delete_string(path);
	atomic_fetch_add(&c->st_requests, 1);
	csrv_error(resp, COAP_RESPONSE_CODE_NOT_FOUND, "no such resource");
}
