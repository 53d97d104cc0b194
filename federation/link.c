/*
 * link.c -- the federation engine: options, configured peers, outbound
 * queues, counters, the current roster, start and stop.
 *
 * Threads: one per peer (link_session.c). Shared state is guarded by
 * fed.roster_mtx (roster pointer), fed.stats_mtx (counters, refused-hash
 * ring) and fed_peer.mtx (state, per-peer counters, queue, pipe events).
 * Lock order: peer.mtx before stats_mtx; roster_mtx is never held while
 * taking another lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "federation/fed_int.h"

#define FED_CLOSE_WAIT_MS 10000
#define FED_SHUTDOWN_SETTLE_MS 250

void
fed_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

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
	f->handshake_timeout_ms = o->handshake_timeout_ms ?
	    o->handshake_timeout_ms : 5000;
	f->ops = o->ops;
	f->host = o->host;
	f->roster = roster_ref(o->roster);
	pthread_mutex_init(&f->roster_mtx, NULL);
	pthread_mutex_init(&f->stats_mtx, NULL);
	atomic_init(&f->stopping, false);
	atomic_init(&f->pending_ingest, 0);
	if ((o->ca_file && !f->ca_file) ||
	    (o->tls_cert_file && !f->tls_cert_file) ||
	    (o->tls_key_file && !f->tls_key_file)) {
		fed_close(f);
		return rm_fail(why, RM_ENOMEM, "federation: out of memory");
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
	for (size_t i = 0; i < f->n_peers; i++)
		if ((rv = fed_net_open(f->peers[i], why)) != RM_OK)
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

static void
queue_clear(struct fed_peer *p)
{
	struct fed_qrec *q, *next;

	for (q = p->q_head; q != NULL; q = next) {
		next = q->next;
		free(q);
	}
	p->q_head = p->q_tail = NULL;
	p->q_len = 0;
}

void
fed_close(fed *f)
{
	rm_mono_ms deadline;

	if (f == NULL)
		return;
	/*
	 * Peer threads stop their sessions and only drain what arrives
	 * until their socket is closed. Endpoints close first and in-flight
	 * connections get a moment to settle: nng 1.5.2 can hang in
	 * nng_close() when a connection is torn down at the same moment
	 * (seen with both ends in one process).
	 */
	atomic_store(&f->stopping, true);
	for (size_t i = 0; i < f->n_peers; i++)
		fed_net_shutdown(f->peers[i]);
	if (f->n_peers > 0 && f->started)
		fed_sleep_ms(FED_SHUTDOWN_SETTLE_MS);
	for (size_t i = 0; i < f->n_peers; i++)
		fed_net_close(f->peers[i]);
	for (size_t i = 0; i < f->n_peers; i++)
		if (f->peers[i]->thread_started)
			pthread_join(f->peers[i]->thread, NULL);
	for (size_t i = 0; i < f->n_peers; i++)
		fed_net_free(f->peers[i]);
	/* Ingest completions still refer to f: wait for them, bounded. */
	deadline = rm_mono_now_ms() + FED_CLOSE_WAIT_MS;
	while (atomic_load(&f->pending_ingest) > 0 &&
	    rm_mono_now_ms() < deadline)
		fed_sleep_ms(10);
	if (atomic_load(&f->pending_ingest) > 0) {
		rm_log(RM_LOG_ERR, "fed", "%u ingests never completed; "
		    "federation state leaked", atomic_load(&f->pending_ingest));
		return;
	}
	for (size_t i = 0; i < f->n_peers; i++) {
		struct fed_peer *p = f->peers[i];

		queue_clear(p);
		free(p->s.catchup);
		pthread_mutex_destroy(&p->mtx);
		free(p);
	}
	roster_free(f->roster);
	crypto_signer_free(f->agency_signer);
	free(f->ca_file);
	free(f->tls_cert_file);
	free(f->tls_key_file);
	pthread_mutex_destroy(&f->roster_mtx);
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
		struct fed_qrec *q;

		if (except != NULL && strcmp(peer->agency, except) == 0)
			continue;
		pthread_mutex_lock(&peer->mtx);
		if (peer->state != FED_PEER_UP) {
			pthread_mutex_unlock(&peer->mtx);
			continue;
		}
		if (peer->q_len >= FED_QUEUE_MAX) {
			/* Drop it all; the next VECTOR exchange repairs. */
			queue_clear(peer);
			peer->q_overflow = true;
		}
		if ((q = malloc(sizeof(*q) + n)) == NULL) {
			peer->q_overflow = true;
			pthread_mutex_unlock(&peer->mtx);
			continue;
		}
		q->next = NULL;
		q->len = n;
		memcpy(q->bytes, p, n);
		if (peer->q_tail != NULL)
			peer->q_tail->next = q;
		else
			peer->q_head = q;
		peer->q_tail = q;
		peer->q_len++;
		pthread_mutex_unlock(&peer->mtx);
	}
}

void
fed_count(fed *f, size_t field_offset, uint64_t n)
{
	pthread_mutex_lock(&f->stats_mtx);
	*(uint64_t *)(void *)((char *)&f->c + field_offset) += n;
	pthread_mutex_unlock(&f->stats_mtx);
}

bool
fed_refused_seen(fed *f, const rm_hash *h)
{
	bool seen = false;

	pthread_mutex_lock(&f->stats_mtx);
	for (size_t i = 0; i < f->n_refused && !seen; i++)
		seen = memcmp(f->refused[i].b, h->b, RM_HASH_BYTES) == 0;
	if (!seen) {
		f->refused[f->refused_next] = *h;
		f->refused_next = (f->refused_next + 1) % FED_REFUSED_RING;
		if (f->n_refused < FED_REFUSED_RING)
			f->n_refused++;
	}
	pthread_mutex_unlock(&f->stats_mtx);
	return seen;
}

int
fed_verify(fed *f, const uint8_t *p, size_t n, struct fed_record *out,
    rm_why *why)
{
	struct roster *r = fed_roster(f);
	int rv;

	rv = fed_record_open(r, p, n, out, why);
	roster_free(r);
	if (rv != RM_OK && rv > 0 && rv < RM_ERR_COUNT) {
		pthread_mutex_lock(&f->stats_mtx);
		f->c.refused[rv]++;
		pthread_mutex_unlock(&f->stats_mtx);
	}
	return rv;
}

struct roster *
fed_roster(fed *f)
{
	struct roster *r;

	pthread_mutex_lock(&f->roster_mtx);
	r = roster_ref(f->roster);
	pthread_mutex_unlock(&f->roster_mtx);
	return r;
}

void
fed_peer_set_state(struct fed_peer *p, enum fed_peer_state st)
{
	pthread_mutex_lock(&p->mtx);
	p->state = st;
	if (st != FED_PEER_UP) {
		queue_clear(p);
		p->q_overflow = false;
	}
	pthread_mutex_unlock(&p->mtx);
}

void
fed_peer_queue_drop(struct fed_peer *p)
{
	pthread_mutex_lock(&p->mtx);
	queue_clear(p);
	p->q_overflow = true;
	pthread_mutex_unlock(&p->mtx);
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
		pthread_mutex_unlock(&p->mtx);
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

void
fed_own_log_seen(fed *f, uint64_t *max_seq, uint64_t *vectors)
{
	*max_seq = atomic_load(&f->own_seen_seq);
	*vectors = atomic_load(&f->vectors_seen);
}
