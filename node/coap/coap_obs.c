/*
 * coap_obs.c -- libcoap start-up and log routing, and the server's tally
 * of observations (libcoap 4.3.1 offers no way to count them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/coap/coap_int.h"

static pthread_mutex_t srv_lib_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned srv_lib_users;

static void
srv_coap_log(coap_log_t level, const char *message)
{
	char line[512];
	size_t n;
	rm_log_level l;

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
	atomic_store(&c->st_observers, c->n_obs);
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
	srv_obs_count(c, r, 1);
	atomic_store(&c->st_observers, c->n_obs);
}

static struct alertcoap *
srv_of_session(coap_session_t *s)
{
	coap_context_t *ctx = coap_session_get_context(s);

	return ctx != NULL ? coap_get_app_data(ctx) : NULL;
}

void
csrv_nack(coap_session_t *s, const coap_pdu_t *sent, coap_nack_reason_t why,
    coap_mid_t mid)
{
	struct alertcoap *c = srv_of_session(s);

	(void)mid;
	/* An RST to a confirmable notification ends the observation
	 * (RFC 7641 §3.6); libcoap 4.3.1 drops it in coap_cancel(). */
	if (c != NULL && sent != NULL && why == COAP_NACK_RST)
		csrv_obs_forget(c, s, NULL, coap_pdu_get_token(sent));
}

int
csrv_event(coap_session_t *s, const coap_event_t ev)
{
	struct alertcoap *c = srv_of_session(s);
	coap_bin_const_t any = { 0, NULL };

	if (c != NULL && ev == COAP_EVENT_SERVER_SESSION_DEL)
		csrv_obs_forget(c, s, NULL, any);
	return 0;
}
