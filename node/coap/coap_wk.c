/*
 * coap_wk.c -- /.well-known/core (RFC 6690): the server's own discovery
 * resource, replacing libcoap's, which lists every resource of the
 * context and so would grow with each area created on demand. This one
 * lists /alerts and the pre-created areas only, with the filter query of
 * RFC 6690 §4.1 (coap_srv.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/coap/coap_int.h"

/* One filter query, split: name=pattern, a trailing "*" cut off. */
struct wk_filter {
	const uint8_t *name, *pat;
	size_t name_len, pat_len;
	bool prefix;            /* pattern ended in "*" */
	bool tokens;            /* match one space-separated value */
	bool bad;               /* not name=value: matches nothing */
};

static bool
wk_is(const struct wk_filter *f, const char *name)
{
	return f->name_len == strlen(name) &&
	    memcmp(f->name, name, f->name_len) == 0;
}

/* The first Uri-Query of req, or false if there is none. */
static bool
wk_filter_get(const coap_pdu_t *req, struct wk_filter *f)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(req, COAP_OPTION_URI_QUERY, &it);
	const uint8_t *v, *eq;
	size_t n;

	memset(f, 0, sizeof(*f));
	if (o == NULL)
		return false;
	v = coap_opt_value(o);
	n = coap_opt_length(o);
	if ((eq = memchr(v, '=', n)) == NULL || eq == v) {
		f->bad = true;
		return true;
	}
	f->name = v;
	f->name_len = (size_t)(eq - v);
	f->pat = eq + 1;
	f->pat_len = n - f->name_len - 1;
	if (wk_is(f, "href") && f->pat_len > 0 && f->pat[0] == '/') {
		f->pat++;
		f->pat_len--;
	}
	if (f->pat_len > 0 && f->pat[f->pat_len - 1] == '*') {
		f->pat_len--;
		f->prefix = true;
	}
	f->tokens = wk_is(f, "rt") || wk_is(f, "if") || wk_is(f, "rel") ||
	    wk_is(f, "ct");
	return true;
}

static bool
wk_match_one(const struct wk_filter *f, const uint8_t *s, size_t n)
{
	if (n < f->pat_len || (!f->prefix && n != f->pat_len))
		return false;
	return f->pat_len == 0 || memcmp(s, f->pat, f->pat_len) == 0;
}

static bool
wk_match_value(const struct wk_filter *f, const uint8_t *s, size_t n)
{
	if (!f->tokens)
		return wk_match_one(f, s, n);
	while (n > 0) {
		const uint8_t *sp = memchr(s, ' ', n);
		size_t tl = sp != NULL ? (size_t)(sp - s) : n;
		if (wk_match_one(f, s, tl))
			return true;
		if (sp == NULL)
			break;
		s += tl + 1;
		n -= tl + 1;
	}
	return false;
}

static bool
wk_match(const struct wk_filter *f, coap_resource_t *r)
{
	coap_str_const_t name = { f->name_len, f->name };
	coap_str_const_t *v;
	const uint8_t *s;
	size_t n;

	if (f->bad)
		return false;
	if (wk_is(f, "href")) {
		v = coap_resource_get_uri_path(r);
		return v != NULL && wk_match_value(f, v->s, v->length);
	}
	v = coap_attr_get_value(coap_find_attr(r, &name));
	if (v == NULL || v->s == NULL)
		return false;
	s = v->s;
	n = v->length;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	return wk_match_value(f, s, n);
}

/* Append r's link (coap_print_link(): "</path>;attr=...;obs"). */
static int
wk_link(rm_buf *b, coap_resource_t *r)
{
	size_t len = 0, off = 0;
	coap_print_status_t st;
	uint8_t probe[1];
	int rv;

	/* First the length (libcoap counts what it could not write). */
	st = coap_print_link(r, probe, &len, &off);
	if (st & COAP_PRINT_STATUS_ERROR)
		return RM_EINVAL;
	if (b->len > 0 && (rv = rm_buf_append_byte(b, ',')) != RM_OK)
		return rv;
	if ((rv = rm_buf_reserve(b, len)) != RM_OK)
		return rv;
	off = 0;
	st = coap_print_link(r, b->data + b->len, &len, &off);
	if (st & COAP_PRINT_STATUS_ERROR)
		return RM_EINVAL;
	b->len += COAP_PRINT_OUTPUT_LENGTH(st);
	return RM_OK;
}

static void
wk_hnd_get(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
    const coap_string_t *q, coap_pdu_t *resp)
{
	struct srv_res *u = coap_resource_get_userdata(r);
	struct alertcoap *c = u->srv;
	struct wk_filter f;
	rm_buf b = RM_BUF_INIT;
	bool filter;
	int rv = RM_OK;

	atomic_fetch_add(&c->st_requests, 1);
	filter = wk_filter_get(req, &f);
	if (!filter || wk_match(&f, c->all))
		rv = wk_link(&b, c->all);
	for (size_t i = 0; rv == RM_OK && i < c->n_fixed; i++)
		if (!filter || wk_match(&f, c->areas[i].r))
			rv = wk_link(&b, c->areas[i].r);
	if (rv != RM_OK) {
		rm_log(RM_LOG_ERR, SRV_TAG, "/.well-known/core: %s",
		    rm_strerror(rv));
		csrv_error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR,
		    "cannot list resources");
	} else {
		csrv_send_body(c, r, s, req, q, resp, SRV_CF_LINK, b.data,
		    b.len);
	}
	rm_buf_fini(&b);
}

coap_resource_t *
csrv_fixed_new(struct alertcoap *c, const char *uri,
    coap_request_t method, coap_method_handler_t h)
{
	coap_str_const_t *path;
	coap_resource_t *r;
	struct srv_res *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->srv = c;
	u->fixed = true;
	if ((path = coap_new_str_const((const uint8_t *)uri, strlen(uri))) ==
	    NULL) {
		free(u);
		return NULL;
	}
	if ((r = coap_resource_init(path, COAP_RESOURCE_FLAGS_RELEASE_URI))
	    == NULL) {
		coap_delete_str_const(path);
		free(u);
		return NULL;
	}
	coap_resource_set_userdata(r, u);
	coap_register_request_handler(r, method, h);
	coap_add_resource(c->ctx, r);
	return r;
}

coap_resource_t *
csrv_wk_new(struct alertcoap *c)
{
	/* libcoap 4.3.1 answers /.well-known/core itself only when no
	 * resource has that path (handle_request(), src/net.c). */
	return csrv_fixed_new(c, ".well-known/core", COAP_REQUEST_GET,
	    wk_hnd_get);
}
