/*
 * coap_obs.c -- libcoap start-up and log routing, and the server's tally
 * of observations (libcoap 4.3.1 offers no way to count them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/coap/coap_own_int.h"

static pthread_mutex_t srv_lib_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned srv_lib_users;
/* libcoap's log handler is process-wide and has no context: each
 * server thread says which server it runs (srv_main()). */
static _Thread_local struct alertcoap *srv_current;
/* Lines libcoap logs outside a server thread (start-up, shutdown). */
static rm_log_limit srv_other_log = RM_LOG_LIMIT(20, 10000);

void
csrv_set_current(struct alertcoap *c)
{
	srv_current = c;
}

/* Lines libcoap 4.3.1 writes for what a peer sent (one or more per
 * datagram): logged as a sample, never one per datagram. */
static bool
srv_peer_line(const char *line)
{
	static const char *const pfx[] = { "discard malformed PDU",
	    "coap_pdu_parse:", "got RST", "discarded oversized packet",
	    "** ", "*  ", "coap_dispatch:", "observe: unexpected",
	    "Invalid Hop Limit", "Retransmit async" };

	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (strncmp(line, pfx[i], strlen(pfx[i])) == 0)
			return true;
	return false;
}

static void
srv_coap_log(coap_log_t level, const char *message)
{
	struct alertcoap *c = srv_current;
	unsigned long long more = 0;
	rm_log_limit *lim;
	char line[512];
	size_t n;
	rm_log_level l;
	bool junk;

	snprintf(line, sizeof(line), "%s", message ? message : "");
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (level <= LOG_ERR)
		l = RM_LOG_ERR;
	else if (level == LOG_WARNING)
		l = RM_LOG_WARN;
	else if (level == LOG_NOTICE)
		l = RM_LOG_NOTICE;
	else if (level == LOG_INFO)
		l = RM_LOG_INFO;
	else
		l = RM_LOG_DEBUG;
	/* libcoap 4.3.1 reports a peer's RST at LOG_ALERT: routine. */
	if (strncmp(line, "got RST", 7) == 0)
		l = RM_LOG_INFO;
	/* One "discard malformed PDU" per datagram that does not parse
	 * (coap_handle_dgram()): the count is exact, the log a sample. */
	junk = strcmp(line, "discard malformed PDU") == 0;
	if (junk && c != NULL)
		atomic_fetch_add(&c->st_malformed, 1);
	if (c == NULL)
		lim = &srv_other_log;
	else
		lim = junk || srv_peer_line(line) ? &c->junk_log : &c->lib_log;
	if (!rm_log_allow(lim, &more))
		return;
	if (more > 0)
		rm_log(l, SRV_TAG, "libcoap: %s (%llu similar lines not "
		    "logged)", line, more);
	else
		rm_log(l, SRV_TAG, "libcoap: %s", line);
}

void
csrv_lib_acquire(void)
{
	pthread_mutex_lock(&srv_lib_mu);
	if (srv_lib_users++ == 0) {
		coap_startup();
		coap_set_log_handler(srv_coap_log);
		/* Warnings and above, unless the daemon runs at debug. */
		coap_set_log_level(rm_log_get_level() == RM_LOG_DEBUG ?
		    LOG_INFO : LOG_WARNING);
	}
	pthread_mutex_unlock(&srv_lib_mu);
}

void
csrv_lib_release(void)
{
	pthread_mutex_lock(&srv_lib_mu);
	if (--srv_lib_users == 0)
		coap_cleanup();
	pthread_mutex_unlock(&srv_lib_mu);
}

static bool
srv_tok_eq(const struct srv_obs *o, coap_bin_const_t t)
{
	return o->tok_len == t.length &&
	    (t.length == 0 || memcmp(o->tok, t.s, t.length) == 0);
}

/* A notification round asks for every observation of a resource in
 * libcoap's order, which is the reverse of registration (its list
 * prepends): the search starts below the last hit and goes down, so a
 * round costs O(n), not O(n^2). */
ssize_t
csrv_obs_find(struct alertcoap *c, coap_session_t *s, coap_resource_t *r,
    coap_bin_const_t t)
{
	size_t n = c->n_obs;

	for (size_t k = 0; k < n; k++) {
		size_t i = (c->obs_hint + n - k) % n;
		if (c->obs[i].s == s && (r == NULL || c->obs[i].r == r) &&
		    srv_tok_eq(&c->obs[i], t)) {
			c->obs_hint = i + n - 1;
			return (ssize_t)i;
		}
	}
	return -1;
}

/* The per-resource count that keeps observed resources from eviction.
 * Not while the context is freed: libcoap frees the resources (and
 * their user data) before it ends the sessions. */
static void
srv_obs_count(struct alertcoap *c, coap_resource_t *r, int delta)
{
	struct srv_res *u;

	if (c->closing || (u = coap_resource_get_userdata(r)) == NULL)
		return;
	if (delta > 0)
		u->n_obs++;
	else if (u->n_obs > 0)
		u->n_obs--;
}

static void
srv_obs_del_at(struct alertcoap *c, size_t i)
{
	srv_obs_count(c, c->obs[i].r, -1);
	c->obs[i] = c->obs[--c->n_obs];
	csrv_gauge(c);
	csrv_restore_dirty(c);
}

/* Remove the observations of session s (token t, or all if t.s NULL). */
void
csrv_obs_forget(struct alertcoap *c, coap_session_t *s, coap_resource_t *r,
    coap_bin_const_t t)
{
	for (size_t i = c->n_obs; i-- > 0;) {
		struct srv_obs *o = &c->obs[i];
		if (o->s == s && (r == NULL || o->r == r) &&
		    (t.s == NULL || srv_tok_eq(o, t)))
			srv_obs_del_at(c, i);
	}
}

/* libcoap keeps one subscription per (session, resource, request
 * options): a re-registration with a new token replaces the old one. */
void
csrv_obs_add(struct alertcoap *c, coap_session_t *s, coap_resource_t *r,
    coap_bin_const_t t, unsigned cf)
{
	struct srv_obs *o;

	if (t.length > SRV_TOKEN_MAX)
		return;
	for (size_t i = c->n_obs; i-- > 0;) {
		o = &c->obs[i];
		if (o->s == s && o->r == r && (o->cf == cf || srv_tok_eq(o, t)))
			srv_obs_del_at(c, i);
	}
	if (c->n_obs == c->cap_obs) {
		size_t cap = c->cap_obs ? 2 * c->cap_obs : 16;
		struct srv_obs *p = realloc(c->obs, cap * sizeof(*p));
		if (p == NULL)
			return;     /* the tally undercounts; harmless */
		c->obs = p;
		c->cap_obs = cap;
	}
	o = &c->obs[c->n_obs++];
	o->s = s;
	o->r = r;
	o->tok_len = t.length;
	if (t.length > 0)
		memcpy(o->tok, t.s, t.length);
	o->cf = cf;
	o->mid = COAP_INVALID_MID;
	srv_obs_count(c, r, 1);
	csrv_gauge(c);
	csrv_restore_dirty(c);
}

static struct alertcoap *
srv_of_session(coap_session_t *s)
{
	coap_context_t *ctx = coap_session_get_context(s);

	return ctx != NULL ? coap_get_app_data(ctx) : NULL;
}

void
csrv_obs_sent(struct alertcoap *c, coap_session_t *s, coap_resource_t *r,
    coap_bin_const_t t, coap_mid_t mid)
{
	ssize_t i = csrv_obs_find(c, s, r, t);

	if (i >= 0)
		c->obs[i].mid = mid;
}

/*
 * How libcoap 4.3.1 ends observations, and where the tally learns it:
 *  - GET with Observe: 1, or an error response (also to a notification):
 *    handle_request() / coap_notify_observers(), seen by the GET
 *    handler (coap_res.c), or by coap_peek.c when libcoap answers from
 *    its block-wise state without calling the handler;
 *  - an RST to a message still in its send queue (a CON not yet
 *    acknowledged): coap_cancel() drops every observation of that
 *    session with the message's token, then COAP_NACK_RST here;
 *  - an RST to anything else (a NON notification, the first
 *    response): coap_dispatch() drops the observation whose last
 *    message had that MID, with no callback: coap_peek.c saw the RST;
 *  - a confirmable message that was never acknowledged
 *    (COAP_OBS_MAX_FAIL is 1 in 4.3.1): coap_retransmit() runs
 *    coap_handle_failed_notify() for a response code, dropping the
 *    session's observations with that token, then
 *    COAP_NACK_TOO_MANY_RETRIES here;
 *  - a session torn down (coap_session_disconnected()) drops all of its
 *    observations: the other nack reasons;
 *  - a session freed only when no observation holds it (so
 *    COAP_EVENT_SERVER_SESSION_DEL finds none, kept as a guard).
 */
void
csrv_nack(coap_session_t *s, const coap_pdu_t *sent, coap_nack_reason_t why,
    coap_mid_t mid)
{
	struct alertcoap *c = srv_of_session(s);
	coap_bin_const_t any = { 0, NULL };

	(void)mid;
	if (c == NULL || sent == NULL)
		return;
	switch (why) {
	case COAP_NACK_RST:
		csrv_obs_forget(c, s, NULL, coap_pdu_get_token(sent));
		break;
	case COAP_NACK_TOO_MANY_RETRIES:
		if (COAP_RESPONSE_CLASS(coap_pdu_get_code(sent)) >= 2)
			csrv_obs_forget(c, s, NULL, coap_pdu_get_token(sent));
		break;
	default:
		csrv_obs_forget(c, s, NULL, any);
		break;
	}
}

int
csrv_event(coap_session_t *s, const coap_event_t ev)
{
	struct alertcoap *c = srv_of_session(s);
	coap_bin_const_t any = { 0, NULL };

	if (c != NULL && ev == COAP_EVENT_SERVER_SESSION_DEL)
		csrv_obs_forget(c, s, NULL, any);
	if (c != NULL && coap_session_get_proto(s) == COAP_PROTO_DTLS)
		csrv_dtls_event(c, s, ev);
	return 0;
}
