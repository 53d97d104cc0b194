/*
 * peer.c -- the peer engine's public lifecycle: options, configured
 * peers, start and stop, broadcast of newly stored records, status.
 *
 * Threads: one per peer (link_session.c). Shared state and its locks are
 * in link_state.c. Nothing here is process-global: every engine lives in
 * its own struct fed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"
#include "federation/peer/verify_pool_int.h"

#define FED_CLOSE_WAIT_MS 10000

static char *
dup_opt(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int
fed_open(const struct fed_opts *o, fed **out, rm_why *why)
{
	fed *f;

	if (o->agency_id == NULL || !agency_id_valid(o->agency_id))
		return rm_fail(why, RM_ECONFIG, "federation: agency id \"%s\" "
		    "is not valid", o->agency_id ? o->agency_id : "");
	if (o->agency_signer == NULL)
		return rm_fail(why, RM_ECONFIG, "federation: no agency signer");
	if (o->root_key == NULL || o->roster == NULL)
		return rm_fail(why, RM_ECONFIG, "federation: root key and "
		    "roster are required");
	if (o->ops == NULL || o->ops->ingest == NULL ||
	    o->ops->vector == NULL || o->ops->log_range == NULL)
		return rm_fail(why, RM_EINVAL, "federation: host ops "
		    "ingest, vector and log_range are required");
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return rm_fail(why, RM_ENOMEM, "federation: out of memory");
	snprintf(f->agency_id, sizeof(f->agency_id), "%s", o->agency_id);
	f->agency_signer = crypto_signer_ref(o->agency_signer);
	f->root_key = o->root_key;
	f->ca_file = dup_opt(o->ca_file);
	f->tls_cert_file = dup_opt(o->tls_cert_file);
	f->tls_key_file = dup_opt(o->tls_key_file);
	f->insecure = o->insecure;
	f->reconnect_min_ms = o->reconnect_min_ms ? o->reconnect_min_ms : 100;
	f->reconnect_max_ms = o->reconnect_max_ms ? o->reconnect_max_ms : 5000;
	f->sync_interval_ms = o->sync_interval_ms ? o->sync_interval_ms : 30000;
	f->reconcile_interval_ms = o->reconcile_interval_ms;
	f->handshake_timeout_ms = o->handshake_timeout_ms ?
	    o->handshake_timeout_ms : 5000;
	f->verify_threads = o->verify_threads;
	f->ops = o->ops;
	f->host = o->host;
	f->roster = roster_ref(o->roster);
	pthread_mutex_init(&f->roster_mtx, NULL);
	pthread_mutex_init(&f->foreign_mtx, NULL);
	pthread_mutex_init(&f->stats_mtx, NULL);
	atomic_init(&f->stopping, false);
	atomic_init(&f->pending_ingest, 0);
	atomic_init(&f->pending_ingest_bytes, 0);
	if ((o->ca_file && !f->ca_file) ||
	    (o->tls_cert_file && !f->tls_cert_file) ||
	    (o->tls_key_file && !f->tls_key_file)) {
		fed_close(f);
		return rm_fail(why, RM_ENOMEM, "federation: out of memory");
	}
	if (crypto_key_kid(o->root_key, &f->root_kid) != RM_OK) {
		fed_close(f);
		return rm_fail(why, RM_ECRYPTO, "federation: root key");
	}
	trust_roster_areas(o->roster, &f->home_areas);
	if (o->n_foreign > TRUST_FOREIGN_MAX) {
		fed_close(f);
		return rm_fail(why, RM_ECONFIG, "federation: more than %d "
		    "foreign federations", TRUST_FOREIGN_MAX);
	}
	for (size_t i = 0; i < o->n_foreign; i++) {
		const struct fed_foreign_opts *fo = &o->foreign[i];
		struct fed_foreign *ff = &f->foreign[i];
		int rv = trust_foreign_init(&ff->t, fo->name, fo->root,
		    fo->areas, why);

		for (size_t j = 0; rv == RM_OK && j < i; j++)
			if (strcmp(f->foreign[j].t.name, fo->name) == 0)
				rv = rm_fail(why, RM_ECONFIG, "foreign "
				    "federation %s: configured twice",
				    fo->name);
		if (rv == RM_OK && strcmp(fo->name,
		    roster_federation(o->roster)) == 0)
			rv = rm_fail(why, RM_ECONFIG, "foreign federation %s: "
			    "that is this node's federation", fo->name);
		if (rv != RM_OK) {
			fed_close(f);
			return rv == RM_EBADVALUE ? RM_ECONFIG : rv;
		}
		ff->ca_file = dup_opt(fo->ca_file);
		if (fo->roster != NULL)
			ff->t.roster = roster_ref(fo->roster);
		f->n_foreign = i + 1;
	}
	if (roster_find(o->roster, f->agency_id) == NULL)
		rm_log(RM_LOG_WARN, "fed", "agency %s is not in roster version "
		    "%llu: peers will refuse its handshake", f->agency_id,
		    (unsigned long long)roster_version(o->roster));
	*out = f;
	return RM_OK;
}

int
fed_peer_add(fed *f, const char *agency_id, const char *url, bool listen,
    rm_why *why)
{
	struct fed_peer *p;
	bool tls;

	if (f->started)
		return rm_fail(why, RM_EINVAL, "peer %s: links already started",
		    agency_id);
	if (!agency_id_valid(agency_id))
		return rm_fail(why, RM_ECONFIG, "peer \"%s\": not a valid "
		    "agency id", agency_id);
	if (strcmp(agency_id, f->agency_id) == 0)
		return rm_fail(why, RM_ECONFIG, "peer %s: that is this node",
		    agency_id);
	if (strlen(url) >= sizeof(p->url))
		return rm_fail(why, RM_ECONFIG, "peer %s: url too long",
		    agency_id);
	if (strncmp(url, "tls+tcp://", 10) == 0)
		tls = true;
	else if (strncmp(url, "tcp://", 6) == 0)
		tls = false;
	else
		return rm_fail(why, RM_ECONFIG, "peer %s: url \"%s\": scheme "
		    "must be tls+tcp:// (or tcp:// when insecure)", agency_id,
		    url);
	if (!tls && !f->insecure)
		return rm_fail(why, RM_ECONFIG, "peer %s: url \"%s\": tcp:// "
		    "without TLS is only allowed when insecure", agency_id,
		    url);
	if (tls && (f->ca_file == NULL || f->tls_cert_file == NULL ||
	    f->tls_key_file == NULL))
		return rm_fail(why, RM_ECONFIG, "peer %s: tls+tcp:// needs the "
		    "CA, certificate and key files", agency_id);
	for (size_t i = 0; i < f->n_peers; i++)
		if (strcmp(f->peers[i]->agency, agency_id) == 0)
			return rm_fail(why, RM_EEXIST, "peer %s: configured "
			    "twice", agency_id);
	if (f->n_peers == FED_PEERS_MAX)
		return rm_fail(why, RM_ETOOBIG, "peer %s: more than %d peers",
		    agency_id, FED_PEERS_MAX);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return rm_fail(why, RM_ENOMEM, "peer %s: out of memory",
		    agency_id);
	p->f = f;
	p->index = f->n_peers;
	snprintf(p->agency, sizeof(p->agency), "%s", agency_id);
	snprintf(p->url, sizeof(p->url), "%s", url);
	p->listen = listen;
	p->state = FED_PEER_DOWN;
	p->wake_rd = p->wake_wr = -1;
	atomic_init(&p->wake_pending, false);
	pthread_mutex_init(&p->mtx, NULL);
	f->peers[f->n_peers++] = p;
	return RM_OK;
}

int
fed_start(fed *f, rm_why *why)
{
	int rv;

	if (f->started)
		return rm_fail(why, RM_EINVAL, "federation: already started");
	f->started = true;
	if ((rv = fed_vpool_open(f, f->verify_threads, &f->vpool, why)) !=
	    RM_OK)
		return rv;
	for (size_t i = 0; i < f->n_peers; i++)
		if ((rv = fed_peer_wake_open(f->peers[i], why)) != RM_OK ||
		    (rv = fed_net_open(f->peers[i], why)) != RM_OK)
			return rv;
	for (size_t i = 0; i < f->n_peers; i++) {
		struct fed_peer *p = f->peers[i];

		if (pthread_create(&p->thread, NULL, fed_peer_main, p) != 0)
			return rm_fail(why, RM_ENOMEM, "peer %s: cannot start "
			    "thread", p->agency);
		p->thread_started = true;
	}
	return RM_OK;
}

void
fed_close(fed *f)
{
	unsigned left = 0;

	if (f == NULL)
		return;
	/*
	 * No new connections, then each peer thread ends its sessions and
	 * frees its connections (fed_net_close) and returns. Nothing here
	 * waits on the network: nng's own sockets are not used (see
	 * link_nng.c), so no nng_close that waits for its reaper.
	 */
	atomic_store(&f->stopping, true);
	/* Verifiers stop first: a link thread blocked handing them records
	 * is released, and nothing new reaches ingest. */
	fed_vpool_stop(f->vpool);
	for (size_t i = 0; i < f->n_peers; i++) {
		fed_net_shutdown(f->peers[i]);
		fed_peer_wake(f->peers[i]);
	}
	for (size_t i = 0; i < f->n_peers; i++)
		if (f->peers[i]->thread_started)
			pthread_join(f->peers[i]->thread, NULL);
	for (size_t i = 0; i < f->n_peers; i++)
		fed_net_free(f->peers[i]);
	/* Ingest completions still refer to f and the pool: wait for them,
	 * bounded. */
	if (f->vpool != NULL)
		left = fed_vpool_wait_ingest(f->vpool, FED_CLOSE_WAIT_MS);
	if (left > 0) {
		rm_log(RM_LOG_ERR, "fed", "%u ingests never completed; "
		    "federation state leaked", left);
		return;
	}
	fed_vpool_free(f->vpool);
	for (size_t i = 0; i < f->n_peers; i++) {
		struct fed_peer *p = f->peers[i];

		fed_peer_queue_clear_locked(p);
		fed_peer_wake_close(p);
		for (size_t j = 0; j < FED_CONNS_MAX; j++) {
			free(p->sess[j].catchup);
			free(p->sess[j].mark);
		}
		pthread_mutex_destroy(&p->mtx);
		fed_rc_fini(p);
		free(p);
	}
	roster_free(f->roster);
	for (size_t i = 0; i < f->n_foreign; i++) {
		roster_free(f->foreign[i].t.roster);
		free(f->foreign[i].ca_file);
	}
	crypto_signer_free(f->agency_signer);
	free(f->ca_file);
	free(f->tls_cert_file);
	free(f->tls_key_file);
	pthread_mutex_destroy(&f->roster_mtx);
	pthread_mutex_destroy(&f->foreign_mtx);
	pthread_mutex_destroy(&f->stats_mtx);
	free(f);
}

void
fed_broadcast(fed *f, const uint8_t *p, size_t n, const char *except)
{
	if (n == 0 || n > COSE_SIGN1_MAX)
		return;
	for (size_t i = 0; i < f->n_peers; i++) {
		struct fed_peer *peer = f->peers[i];

		if (except != NULL && strcmp(peer->agency, except) == 0)
			continue;
		/* a gateway link carries what its policy exports */
		if (peer->gateway && !fed_gw_allows_bytes(peer, p, n))
			continue;
		fed_peer_queue_push(peer, p, n);   /* wakes its thread */
	}
}

size_t
fed_peers(fed *f, struct fed_peer_status *out, size_t max)
{
	size_t i;

	for (i = 0; i < f->n_peers && i < max; i++) {
		struct fed_peer *p = f->peers[i];
		struct fed_peer_status *s = &out[i];

		memset(s, 0, sizeof(*s));
		snprintf(s->agency, sizeof(s->agency), "%s", p->agency);
		snprintf(s->url, sizeof(s->url), "%s", p->url);
		s->listen = p->listen;
		pthread_mutex_lock(&p->mtx);
		s->state = p->state;
		s->records_sent = p->records_sent;
		s->records_received = p->records_received;
		s->records_refused = p->records_refused;
		s->connects = p->connects;
		s->last_up_ms = p->last_up_ms;
		s->refusal_code = p->refusal_code;
		s->refused_by_peer = p->refused_by_peer;
		snprintf(s->refusal, sizeof(s->refusal), "%s", p->refusal);
		s->refusal_logs_held = p->rlog.held_total;
		s->reconcile_running = p->rcs.running;
		s->reconcile_requested = p->rcs.requested;
		s->reconcile_sessions = p->rcs.sessions;
		s->reconcile_rounds = p->rcs.rounds;
		s->reconcile_bytes = p->rcs.bytes;
		s->reconcile_sent = p->rcs.sent;
		s->reconcile_wanted = p->rcs.wanted;
		s->reconcile_started_ms = p->rcs.started_ms;
		s->reconcile_finished_ms = p->rcs.finished_ms;
		s->reconcile_error = p->rcs.error;
		snprintf(s->reconcile_why, sizeof(s->reconcile_why), "%s",
		    p->rcs.why);
		s->gateway = p->gateway;
		if (p->gateway) {
			snprintf(s->federation, sizeof(s->federation), "%s",
			    f->foreign[p->fi].t.name);
			gateway_policy_format(&p->policy, s->policy,
			    sizeof(s->policy));
			s->policy_refused = p->policy_refused;
			s->foreign_refused = p->foreign_refused;
			s->queued = p->q_len;
			s->last_sent_ms = p->last_sent_ms;
			s->last_received_ms = p->last_received_ms;
		}
		pthread_mutex_unlock(&p->mtx);
		s->roster_announced = atomic_load(&p->roster_announced);
	}
	return i;
}

void
fed_get_counters(fed *f, struct fed_counters *out)
{
	pthread_mutex_lock(&f->stats_mtx);
	*out = f->c;
	pthread_mutex_unlock(&f->stats_mtx);
}

const char *
fed_peer_state_name(enum fed_peer_state s)
{
	switch (s) {
	case FED_PEER_DOWN: return "down";
	case FED_PEER_HANDSHAKE: return "handshake";
	case FED_PEER_UP: return "up";
	case FED_PEER_REFUSED: return "refused";
	}
	return "unknown";
}

bool
fed_own_key_refused(fed *f, char *peer, size_t peer_len, char *reason,
    size_t reason_len)
{
	bool refused = false, up = false;

	for (size_t i = 0; i < f->n_peers; i++) {
		struct fed_peer *p = f->peers[i];

		pthread_mutex_lock(&p->mtx);
		if (p->refuses_our_key && !refused) {
			refused = true;
			snprintf(peer, peer_len, "%s", p->agency);
			snprintf(reason, reason_len, "%s", p->refusal);
		}
		up |= p->state == FED_PEER_UP;
		pthread_mutex_unlock(&p->mtx);
	}
	/* A peer that takes our key (a link up) may simply be ahead of
	 * the one that refuses it: only a key no peer takes is refused. */
	return refused && !up;
}

void
fed_own_log_seen(fed *f, uint64_t *max_seq, uint64_t *vectors)
{
	*max_seq = atomic_load(&f->own_seen_seq);
	*vectors = atomic_load(&f->vectors_seen);
}
