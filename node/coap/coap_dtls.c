/*
 * coap_dtls.c -- registered devices: the coaps:// endpoint (DTLS 1.2
 * with pre-shared keys, RFC 4279; RFC 7252 §9.1.3.1 "PreSharedKey"),
 * the identity lookup that libcoap 4.3.1 calls during each handshake
 * (coap_context_set_psk2(), validate_id_call_back), the handshake
 * counters, and POST /receipts (docs/COAP.md "Delivery receipts").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/coap/coap_int.h"

/* Server thread: the key handed to libcoap for the handshake in
 * progress (libcoap copies it into the session at once). */
static _Thread_local uint8_t srv_psk_buf[ALERTCOAP_PSK_MAX];
static _Thread_local coap_bin_const_t srv_psk_bin;

static const coap_bin_const_t *
srv_psk_lookup(coap_bin_const_t *identity, coap_session_t *s, void *arg)
{
	struct alertcoap *c = arg;
	size_t n = 0;

	(void)s;
	if (identity == NULL || identity->s == NULL ||
	    !c->devices.psk(c->devices.arg, identity->s, identity->length,
	    srv_psk_buf, &n) || n == 0 || n > sizeof(srv_psk_buf)) {
		atomic_fetch_add(&c->st_psk_unknown, 1);
		if (rm_log_allow(&c->dtls_log, NULL))
			rm_log_sec(SRV_TAG, "DTLS handshake refused: identity "
			    "%.*s is not registered", identity != NULL &&
			    identity->length < 80 ? (int)identity->length : 0,
			    identity != NULL && identity->s != NULL ?
			    (const char *)identity->s : "");
		return NULL;    /* libcoap fails the handshake */
	}
	srv_psk_bin.s = srv_psk_buf;
	srv_psk_bin.length = n;
	return &srv_psk_bin;
}

/*
 * Handshake outcomes. libcoap 4.3.1 reports COAP_EVENT_DTLS_CONNECTED
 * and, for an unknown identity (the PSK callback returned NULL),
 * COAP_EVENT_DTLS_ERROR. A wrong key gives no event at all: the
 * client's Finished does not decrypt, and DTLS silently discards such
 * records (RFC 6347 §4.1.2.7), so the session just stays in its
 * handshake. So every new DTLS session is watched: connected = ok;
 * an error, the session ending, or SRV_HS_TIMEOUT_MS passing before it
 * connects = failed.
 */
static void
srv_hs_failed(struct alertcoap *c, const char *what)
{
	atomic_fetch_add(&c->st_dtls_failed, 1);
	if (rm_log_allow(&c->dtls_log, NULL))
		rm_log_sec(SRV_TAG, "DTLS handshake failed: %s", what);
}

/* Stop watching s; true if it was watched. */
static bool
srv_hs_drop(struct alertcoap *c, coap_session_t *s)
{
	for (size_t i = 0; i < c->n_hs; i++)
		if (c->hs[i].s == s) {
			c->hs[i] = c->hs[--c->n_hs];
			return true;
		}
	return false;
}

void
csrv_dtls_event(struct alertcoap *c, coap_session_t *s, coap_event_t ev)
{
	switch (ev) {
	case COAP_EVENT_SERVER_SESSION_NEW:
		if (c->n_hs == SRV_HS_MAX) {
			/* the oldest watched one: assume it failed */
			size_t old = 0;
			for (size_t i = 1; i < c->n_hs; i++)
				if (c->hs[i].deadline < c->hs[old].deadline)
					old = i;
			c->hs[old] = c->hs[--c->n_hs];
			srv_hs_failed(c, "too many handshakes at once");
		}
		c->hs[c->n_hs].s = s;
		c->hs[c->n_hs++].deadline = rm_mono_now_ms() +
		    SRV_HS_TIMEOUT_MS;
		break;
	case COAP_EVENT_DTLS_CONNECTED:
		(void)srv_hs_drop(c, s);
		atomic_fetch_add(&c->st_dtls_ok, 1);
		break;
	case COAP_EVENT_DTLS_ERROR:
		if (srv_hs_drop(c, s))
			srv_hs_failed(c, "unknown identity or bad handshake");
		break;
	case COAP_EVENT_DTLS_CLOSED:
	case COAP_EVENT_SERVER_SESSION_DEL:
		if (srv_hs_drop(c, s) && !c->closing)
			srv_hs_failed(c, "session ended before the handshake "
			    "completed");
		break;
	default:
		break;
	}
	/* the key copy of the last handshake is no longer needed */
	memset(srv_psk_buf, 0, sizeof(srv_psk_buf));
}

int
csrv_dtls_sweep(struct alertcoap *c)
{
	rm_mono_ms now = rm_mono_now_ms(), next = -1;

	for (size_t i = 0; i < c->n_hs;) {
		if (c->hs[i].deadline <= now) {
			c->hs[i] = c->hs[--c->n_hs];
			srv_hs_failed(c, "not completed within 10 s (wrong key?)");
			continue;
		}
		if (next < 0 || c->hs[i].deadline - now < next)
			next = c->hs[i].deadline - now;
		i++;
	}
	return (int)next;
}

int
csrv_dtls_start(struct alertcoap *c, const coap_address_t *addr, rm_why *why)
{
	coap_dtls_spsk_t sp;

	if (!coap_dtls_is_supported())
		return rm_fail(why, RM_ECONFIG, "coaps_listen: this libcoap "
		    "has no DTLS");
	memset(&sp, 0, sizeof(sp));
	sp.version = COAP_DTLS_SPSK_SETUP_VERSION;
	sp.validate_id_call_back = srv_psk_lookup;
	sp.id_call_back_arg = c;
	if (!coap_context_set_psk2(c->ctx, &sp))
		return rm_fail(why, RM_ECRYPTO, "coaps: cannot set up PSK");
	if (coap_new_endpoint(c->ctx, addr, COAP_PROTO_DTLS) == NULL)
		return rm_fail(why, RM_ENET, "coaps: cannot listen (udp, "
		    "DTLS)");
	return RM_OK;
}

bool
csrv_plain_refused(struct alertcoap *c, coap_session_t *s, coap_pdu_t *resp)
{
	if (c->allow_plain || coap_session_get_proto(s) != COAP_PROTO_UDP)
		return false;
	atomic_fetch_add(&c->st_plain_refused, 1);
	csrv_error(resp, COAP_RESPONSE_CODE_UNAUTHORIZED, "registered "
	    "devices only: coaps:// with the device's PSK");
	return true;
}

/* Content-Format of the request; 0 when absent (RFC 7252 §5.10.3). */
static unsigned
srv_content_format(const coap_pdu_t *req, bool *bad)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(req, COAP_OPTION_CONTENT_FORMAT,
	    &it);

	*bad = false;
	if (o == NULL)
		return 0;
	if (coap_opt_length(o) > 2) {
		*bad = true;
		return 0xffffu;
	}
	return coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o));
}

static void
srv_hnd_receipt(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
    const coap_string_t *q, coap_pdu_t *resp)
{
	struct srv_res *u = coap_resource_get_userdata(r);
	struct alertcoap *c = u->srv;
	const coap_bin_const_t *id = NULL;
	const uint8_t *p = NULL;
	size_t n = 0, off, total;
	rm_why why;
	bool dup = false, bad;
	unsigned cf;
	int rv;

	(void)q;
	atomic_fetch_add(&c->st_requests, 1);
	if (coap_session_get_proto(s) == COAP_PROTO_DTLS)
		id = coap_session_get_psk_identity(s);
	cf = srv_content_format(req, &bad);
	if (!coap_get_data_large(req, &n, &p, &off, &total) || off != 0 ||
	    n != total)
		n = 0, p = NULL;
	rv = c->devices.receipt(c->devices.arg, id != NULL ? id->s : NULL,
	    id != NULL ? id->length : 0, cf, p, n, &dup, &why);
	switch (rv) {
	case RM_OK:
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CHANGED);
		coap_add_data(resp, dup ? 15 : 7, (const uint8_t *)(dup ?
		    "already counted" : "counted"));
		return;
	case RM_EUNAUTH:
		csrv_error(resp, COAP_RESPONSE_CODE_UNAUTHORIZED, why.msg);
		break;
	case RM_EUNSUPPORTED:
		csrv_error(resp, COAP_RESPONSE_CODE_UNSUPPORTED_CONTENT_FORMAT,
		    why.msg);
		break;
	case RM_ENOTFOUND:
		csrv_error(resp, COAP_RESPONSE_CODE_NOT_FOUND, why.msg);
		break;
	case RM_EBUSY:
	case RM_EIO:
		csrv_error(resp, COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE,
		    why.msg);
		break;
	default:
		csrv_error(resp, COAP_RESPONSE_CODE_BAD_REQUEST, why.msg);
		break;
	}
	if (rm_log_allow(&c->dtls_log, NULL))
		rm_log_sec(SRV_TAG, "receipt refused (%s): %s", id != NULL ?
		    "coaps" : "plain coap", why.msg);
}

coap_resource_t *
csrv_receipts_new(struct alertcoap *c)
{
	return csrv_fixed_new(c, "receipts", COAP_REQUEST_POST,
	    srv_hnd_receipt);
}
