/*
 * link_sync.c -- version vectors, catch-up streams, push of queued
 * records, and refusal of bad records (docs/PROTOCOL.md §7, §8). Runs on
 * the peer thread, below the session; it calls only the socket
 * (link_nng.c), the shared state (link_state.c) and the host ops, never
 * the session or the handshake.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"
#include "federation/peer/verify_pool_int.h"

#define FED_PULL_MIN_MS        1000   /* least gap between pull VECTORs */
#define FED_CATCHUP_PER_PUMP   2      /* log_range batches per loop turn */

struct vec {
	size_t n, cap;
	struct vec_ent {
		char origin[RM_AGENCY_ID_MAX + 1];
		uint64_t seq;
		rm_hash head;            /* zero when seq is 0 */
	} *e;
	bool oom;
};

static void
vec_each(void *arg, const char *origin, uint64_t seq, const rm_hash *head)
{
	struct vec *v = arg;

	if (v->oom || strlen(origin) > RM_AGENCY_ID_MAX)
		return;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 32;
		struct vec_ent *ne = realloc(v->e, cap * sizeof(*ne));

		if (ne == NULL) {
			v->oom = true;
			return;
		}
		v->e = ne;
		v->cap = cap;
	}
	snprintf(v->e[v->n].origin, sizeof(v->e[v->n].origin), "%s", origin);
	v->e[v->n].seq = seq;
	if (head != NULL)
		v->e[v->n].head = *head;
	else
		memset(&v->e[v->n].head, 0, sizeof(v->e[v->n].head));
	v->n++;
}

static int
vec_load(fed *f, struct vec *v)
{
	int rv;

	memset(v, 0, sizeof(*v));
	if ((rv = f->ops->vector(f->host, vec_each, v)) != RM_OK || v->oom) {
		free(v->e);
		memset(v, 0, sizeof(*v));
		return rv != RM_OK ? rv : RM_ENOMEM;
	}
	return RM_OK;
}

int
fed_sync_send_vector(struct fed_peer *p)
{
	struct vec v;
	const char **origins = NULL;
	uint64_t *seqs = NULL;
	rm_hash *heads = NULL;
	rm_buf b = RM_BUF_INIT;
	size_t n;
	int rv;

	if ((rv = vec_load(p->f, &v)) != RM_OK) {
		rm_log(RM_LOG_WARN, "fed", "peer %s: cannot read the version "
		    "vector: %s", p->agency, rm_strerror(rv));
		return rv;
	}
	n = v.n > FED_VECTOR_MAX ? FED_VECTOR_MAX : v.n;
	if (v.n > FED_VECTOR_MAX)
		rm_log(RM_LOG_WARN, "fed", "version vector has %zu origins; "
		    "sending the first %d", v.n, FED_VECTOR_MAX);
	rv = RM_ENOMEM;
	if ((origins = calloc(n + 1, sizeof(*origins))) == NULL ||
	    (seqs = calloc(n + 1, sizeof(*seqs))) == NULL ||
	    (heads = calloc(n + 1, sizeof(*heads))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		origins[i] = v.e[i].origin;
		seqs[i] = v.e[i].seq;
		heads[i] = v.e[i].head;
	}
	if ((rv = fed_frame_vector(&b, origins, seqs, heads, n)) == RM_OK)
		rv = fed_net_send(p, &b);
	p->s->last_vector_ms = p->s->last_pull_ms = rm_mono_now_ms();
out:
	free(origins);
	free(seqs);
	free(heads);
	free(v.e);
	rm_buf_fini(&b);
	return rv;
}

int
fed_sync_send_records(struct fed_peer *p, const uint8_t *const *rp,
    const size_t *rl, size_t n)
{
	rm_buf b = RM_BUF_INIT;
	size_t i = 0;
	int rv = RM_OK;

	while (i < n && rv == RM_OK) {
		size_t k = 0, bytes = 0;

		while (i + k < n && k < FED_BATCH_MAX &&
		    (k == 0 || bytes + rl[i + k] <= FED_FRAME_SOFT_MAX))
			bytes += rl[i + k++];
		rm_buf_reset(&b);
		if ((rv = fed_frame_records_begin(&b, k)) != RM_OK)
			break;
		for (size_t j = 0; j < k && rv == RM_OK; j++)
			rv = fed_frame_records_add(&b, rp[i + j], rl[i + j]);
		if (rv == RM_OK && (rv = fed_net_send(p, &b)) == RM_OK) {
			pthread_mutex_lock(&p->mtx);
			p->records_sent += k;
			p->last_sent_ms = rm_utc_now_ms();
			pthread_mutex_unlock(&p->mtx);
			FED_COUNT(p->f, records_out, k);
		}
		i += k;
	}
	rm_buf_fini(&b);
	return rv;
}

/* ---------------- exchange ---------------- */

/* Find origin in a decoded vector (canonical order: length, bytes). */
static const struct fed_vector_entry *
vector_find(const struct fed_frame *fr, const char *origin)
{
	size_t n = strlen(origin), lo = 0, hi = fr->u.vector.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fed_vector_entry *e = &fr->u.vector.entries[mid];
		int c = e->origin_len != n ? (e->origin_len < n ? -1 : 1) :
		    memcmp(e->origin, origin, n);

		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Remember what the peer holds of our own log, so the node can refuse to
 * issue with a seq that peers already hold (a store restored from an old
 * backup or wiped would otherwise sign two records with one seq). */
static void
note_own_log(fed *f, const struct fed_frame *fr)
{
	const struct fed_vector_entry *e = vector_find(fr, f->agency_id);
	uint64_t seen;

	atomic_fetch_add(&f->vectors_seen, 1);
	if (e == NULL)
		return;
	seen = atomic_load(&f->own_seen_seq);
	while (e->seq > seen &&
	    !atomic_compare_exchange_weak(&f->own_seen_seq, &seen, e->seq))
		;
}

struct hash_at {
	rm_hash h;
	bool found;
};

static int
hash_at_each(void *arg, const uint8_t *p, size_t n)
{
	struct hash_at *x = arg;

	cose_record_hash(p, n, &x->h);
	x->found = true;
	return RM_OK;
}

/*
 * Does our log record of ent's origin at seq (1 <= seq <= ent->seq)
 * differ from the peer's head there? Our head when seq is our
 * contiguous seq, else one log lookup. A record we cannot read is not
 * called a fork.
 */
static bool
heads_differ(fed *f, const struct vec_ent *ent, uint64_t seq,
    const uint8_t *theirs)
{
	struct hash_at x = { .found = false };

	if (seq == 0)
		return false;
	if (seq == ent->seq)
		return memcmp(ent->head.b, theirs, RM_HASH_BYTES) != 0;
	if (f->ops->log_range(f->host, ent->origin, seq - 1, seq, 1,
	    hash_at_each, &x) != RM_OK || !x.found)
		return false;
	return memcmp(x.h.b, theirs, RM_HASH_BYTES) != 0;
}

void
fed_sync_on_vector(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_session *s = p->s;
	struct vec v;
	struct fed_catchup *c;
	bool pull = false;
	size_t nc = 0;

	/* what another federation says of our log holds nothing back */
	if (p->gateway)
		atomic_fetch_add(&p->f->vectors_seen, 1);
	else
		note_own_log(p->f, fr);
	if (vec_load(p->f, &v) != RM_OK)
		return;
	if ((c = calloc(v.n + 1, sizeof(*c))) == NULL) {
		free(v.e);
		return;
	}
	for (size_t i = 0; i < v.n; i++) {
		const struct fed_vector_entry *e = vector_find(fr,
		    v.e[i].origin);
		uint64_t theirs = e != NULL ? e->seq : 0;
		uint64_t after = theirs;

		/* The same seq with another record is a fork: send ours
		 * at that seq as evidence (the peer's store keeps it and
		 * marks the origin forked), even when the logs are of one
		 * length and nothing else would be sent. */
		if (e != NULL && e->head != NULL && theirs <= v.e[i].seq &&
		    heads_differ(p->f, &v.e[i], theirs, e->head))
			after = theirs - 1;
		/* A gateway peer holds a filtered subset: its seq stops at
		 * the first record withheld. Stream each range once per
		 * connection (docs/PROTOCOL.md §12.3). */
		if (p->gateway) {
			uint64_t m = fed_gw_mark(p, v.e[i].origin);

			if (m > after)
				after = m;
			if (v.e[i].seq > after)
				fed_gw_mark_set(p, v.e[i].origin, v.e[i].seq);
		}
		if (v.e[i].seq > after) {
			snprintf(c[nc].origin, sizeof(c[nc].origin), "%s",
			    v.e[i].origin);
			c[nc].after = after;
			c[nc].upto = v.e[i].seq;
			nc++;
		}
	}
	/* Does the peer have anything we lack? Then let it know ours. */
	for (size_t i = 0; i < fr->u.vector.n && !pull; i++) {
		const struct fed_vector_entry *e = &fr->u.vector.entries[i];
		size_t j;

		for (j = 0; j < v.n; j++)
			if (strlen(v.e[j].origin) == e->origin_len &&
			    memcmp(v.e[j].origin, e->origin, e->origin_len) ==
			    0)
				break;
		pull = e->seq > (j < v.n ? v.e[j].seq : 0);
	}
	free(v.e);
	free(s->catchup);
	s->catchup = c;
	s->n_catchup = nc;
	/* a gateway peer always holds records we do not take: no pull */
	if (pull && !p->gateway && rm_mono_now_ms() - s->last_pull_ms >= FED_PULL_MIN_MS)
		(void)fed_sync_send_vector(p);
}

/* Hand the frame's records to the verifier pool (verify_pool_int.h):
 * verified in parallel, ingested in arrival order, refusals counted,
 * logged and answered with REFUSE (fed_vpool_flush_refusals, from the
 * pump). Blocks while the pool is full, so a fast peer is held back. */
void
fed_sync_on_records(struct fed_peer *p, const struct fed_frame *fr)
{
	fed *f = p->f;
	int rv;

	pthread_mutex_lock(&p->mtx);
	p->records_received += fr->u.records.n;
	p->last_received_ms = rm_utc_now_ms();
	pthread_mutex_unlock(&p->mtx);
	FED_COUNT(f, records_in, fr->u.records.n);
	rv = fed_vpool_submit(f->vpool, p, p->s->pipe, fr->u.records.p,
	    fr->u.records.len, fr->u.records.n);
	if (rv != RM_OK && rv != RM_ECLOSED)
		rm_log(RM_LOG_WARN, "fed", "%zu records from peer %s dropped: "
		    "%s (the next vector exchange fetches them again)",
		    fr->u.records.n, p->agency, rm_strerror(rv));
}

/* ---------------- pumping ---------------- */

struct collect {
	size_t n, cap;
	uint8_t **p;
	size_t *len;
	bool oom;
};

static int
collect_each(void *arg, const uint8_t *rp, size_t rl)
{
	struct collect *c = arg;
	uint8_t *copy;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		uint8_t **np = realloc(c->p, cap * sizeof(*np));
		size_t *nl;

		if (np == NULL)
			goto oom;
		c->p = np;
		if ((nl = realloc(c->len, cap * sizeof(*nl))) == NULL)
			goto oom;
		c->len = nl;
		c->cap = cap;
	}
	if ((copy = malloc(rl ? rl : 1)) == NULL)
		goto oom;
	memcpy(copy, rp, rl);
	c->p[c->n] = copy;
	c->len[c->n++] = rl;
	return RM_OK;
oom:
	c->oom = true;
	return RM_ENOMEM;
}

static void
collect_fini(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->p[i]);
	free(c->p);
	free(c->len);
}

/* Keep only the records gateway peer p may receive (freeing the rest). */
static void
col_filter(struct fed_peer *p, struct collect *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (!fed_gw_allows_bytes(p, c->p[i], c->len[i])) {
			free(c->p[i]);
			continue;
		}
		c->p[k] = c->p[i];
		c->len[k++] = c->len[i];
	}
	c->n = k;
}

/* Stream one log_range batch of the first pending catch-up. */
static int
pump_catchup(struct fed_peer *p)
{
	struct fed_session *s = p->s;
	struct fed_catchup *c = &s->catchup[0];
	struct collect col = { 0 };
	size_t scanned;
	int rv;

	rv = p->f->ops->log_range(p->f->host, c->origin, c->after, c->upto,
	    FED_BATCH_MAX, collect_each, &col);
	scanned = col.n;
	if (p->gateway)             /* only what the policy exports */
		col_filter(p, &col);
	if (rv == RM_OK && col.n > 0)
		rv = fed_sync_send_records(p, (const uint8_t *const *)col.p,
		    col.len, col.n);
	c->after += scanned;
	if (rv != RM_OK || scanned == 0 || c->after >= c->upto) {
		if (rv != RM_OK && rv != RM_ETIMEDOUT && rv != RM_ENET)
			rm_log(RM_LOG_WARN, "fed", "catch-up of %s for peer %s "
			    "stopped: %s", c->origin, p->agency,
			    rm_strerror(rv));
		memmove(&s->catchup[0], &s->catchup[1],
		    (s->n_catchup - 1) * sizeof(*c));
		s->n_catchup--;
	}
	collect_fini(&col);
	return rv == RM_ETIMEDOUT || rv == RM_ENET ? rv : RM_OK;
}

static int
pump_queue(struct fed_peer *p)
{
	struct fed_qrec *head, *q;
	const uint8_t **rp;
	size_t *rl, n;
	int rv = RM_OK;

	n = fed_peer_queue_take(p, FED_BATCH_MAX, FED_FRAME_SOFT_MAX, &head);
	if (n == 0)
		return RM_OK;
	rp = calloc(n, sizeof(*rp));
	rl = calloc(n, sizeof(*rl));
	if (rp != NULL && rl != NULL) {
		size_t i = 0;

		for (q = head; q != NULL; q = q->next, i++) {
			rp[i] = q->bytes;
			rl[i] = q->len;
		}
		rv = fed_sync_send_records(p, rp, rl, n);
	} else {
		rv = RM_ENOMEM;
	}
	free(rp);
	free(rl);
	fed_peer_queue_free(head);
	if (rv != RM_OK) {
		/* Drop the rest too and let vectors repair. */
		fed_peer_queue_drop(p);
	}
	return rv;
}

rm_mono_ms
fed_sync_due_ms(const struct fed_peer *p)
{
	return p->s->last_vector_ms + p->f->sync_interval_ms;
}

bool
fed_sync_pump(struct fed_peer *p)
{
	struct fed_session *s = p->s;

	uint64_t gen = atomic_load(&p->f->roster_gen);

	fed_vpool_flush_refusals(p->f->vpool, p, s->pipe);
	/* A roster change may make records the peer sent valid now (an
	 * agency record arrived before its agency's records were sent
	 * again): our vector asks for them. */
	if (fed_peer_queue_overflowed(p) || s->roster_gen != gen ||
	    rm_mono_now_ms() >= fed_sync_due_ms(p)) {
		s->roster_gen = gen;
		(void)fed_sync_send_vector(p);
	}
	for (int i = 0; i < FED_CATCHUP_PER_PUMP && s->n_catchup > 0; i++)
		if (pump_catchup(p) != RM_OK) {
			s->n_catchup = 0;
			break;
		}
	(void)pump_queue(p);
	return s->n_catchup > 0 || fed_peer_queue_pending(p);
}
