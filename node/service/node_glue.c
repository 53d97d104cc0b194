/*
 * node_glue.c -- what the node hands to its parts: the federation's host
 * operations (ingest -> store), the store observer (fan-out of newly
 * stored records to peers and to subscribers such as the CoAP server)
 * and the current roster.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service.h"

struct ingest_wait {
	struct node *n;
	fed_ingest_done done;
	void *ctx;
	char from[RM_AGENCY_ID_MAX + 1];
};

/*
 * Records of a forked origin keep arriving (every peer streams them) and
 * are all refused: log the first, then at most one line a minute with the
 * number refused meanwhile. The metrics count every one
 * (riskmesh_records_refused_total{reason="EFORK"}).
 */
#define FORK_LOG_INTERVAL_MS 60000

static rm_log_limit fork_log = RM_LOG_LIMIT(1, FORK_LOG_INTERVAL_MS);
/* Other store refusals of peer records (a full disk under a stream). */
static rm_log_limit ingest_log = RM_LOG_LIMIT(10, 10000);

static void
log_fork_refusal(const struct ingest_wait *w,
    const struct store_put_result *res)
{
	unsigned long long n;

	if (!rm_log_allow(&fork_log, &n))
		return;
	rm_log_sec("store", "record from %s refused: %s (seq %llu); %llu more "
	    "refused for forks since the last line", w->from,
	    rm_strerror(RM_EFORK),
	    res != NULL ? (unsigned long long)res->seq : 0ULL, n);
}

/* Store completion of a peer record: count refusals, tell the fed. */
static void
ingest_stored(void *arg, int err, const struct store_put_result *res)
{
	struct ingest_wait *w = arg;

	if (err != RM_OK) {
		if (err > 0 && err < RM_ERR_COUNT)
			atomic_fetch_add(&w->n->ctr.ingest_refused[err], 1);
		if (err == RM_EFORK)
			log_fork_refusal(w, res);
		else if (rm_log_allow(&ingest_log, NULL))
			rm_log(RM_LOG_WARN, "store", "record from %s not "
			    "stored: %s (counted; at most 10 lines in 10 s)",
			    w->from, rm_strerror(err));
	}
	w->done(w->ctx, err, err == RM_OK && res != NULL && res->stored);
	free(w);
}

static int
host_ingest(void *host, const char *from, struct fed_record *fr,
    fed_ingest_done done, void *ctx)
{
	struct node *n = host;
	struct ingest_wait *w;
	int rv;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return RM_ENOMEM;
	w->n = n;
	w->done = done;
	w->ctx = ctx;
	snprintf(w->from, sizeof(w->from), "%s", from != NULL ? from : "");
	/* The store takes the body fed_record_open decoded. */
	rv = store_put_decoded(n->store, fr->bytes, fr->len, &fr->hash,
	    &fr->rec, from, ingest_stored, w);
	if (rv != RM_OK)
		free(w);
	return rv;
}

static int
host_vector(void *host,
    void (*each)(void *arg, const char *origin, uint64_t seq,
        const rm_hash *head),
    void *arg)
{
	struct node *n = host;

	return store_vector(n->store, each, arg);
}

static int
host_log_range(void *host, const char *origin, uint64_t after,
    uint64_t upto, size_t max,
    int (*each)(void *arg, const uint8_t *p, size_t n), void *arg)
{
	struct node *n = host;

	return store_log_range(n->store, origin, after, upto, max, each, arg);
}

/* A newer roster arrived from a peer and verified: keep it on disk so
 * that a restart starts from it. */
static int
host_roster_save(void *host, const uint8_t *p, size_t len)
{
	struct node *n = host;
	rm_why why;
	int rv;

	rv = rm_file_write_atomic(n->cfg.roster_file, p, len, 0644, &why);
	if (rv != RM_OK)
		rm_log(RM_LOG_ERR, "node", "cannot save the new roster: %s",
		    why.msg);
	else
		rm_log(RM_LOG_NOTICE, "node", "new roster saved to %s",
		    n->cfg.roster_file);
	return rv;
}

static bool
host_has(void *host, const rm_hash *hash)
{
	struct node *n = host;

	return store_has(n->store, hash);
}

static int
agency_record_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	(void)h;
	(void)rec;
	/* newest issued first: the first is the one */
	return rm_buf_append(arg, p, n) == RM_OK ? 1 : RM_ENOMEM;
}

static int
host_agency_record(void *host, const char *agency, rm_buf *out)
{
	struct node *n = host;
	char key[RM_INDEX_KEY_MAX + 1];
	size_t before = out->len;
	int rv;

	snprintf(key, sizeof(key), "id=%.61s", agency);
	rv = store_index_each(n->store, &rm_kind_agency, key,
	    rm_utc_now_ms(), agency_record_each, out);
	if (rv == 1)
		return RM_OK;
	return rv == RM_OK && out->len == before ? RM_ENOTFOUND : rv;
}

/* Range-based set reconciliation (docs/PROTOCOL.md §7a, §12.5): the
 * whole store for a peer of this federation, the exported subset for a
 * gateway peer (node_gateway_set.c). */
static int
host_rbsr_sum(void *host, const char *peer, const struct rbsr_key *lo,
    const struct rbsr_key *hi, struct rbsr_sum *out)
{
	return node_gw_rbsr_sum(host, peer, lo, hi, out);
}

static int
host_rbsr_keys(void *host, const char *peer, const struct rbsr_key *lo,
    const struct rbsr_key *hi, size_t max, struct rbsr_key *out, size_t *cnt)
{
	return node_gw_rbsr_keys(host, peer, lo, hi, max, out, cnt);
}

static int
host_rbsr_nth(void *host, const char *peer, const struct rbsr_key *lo,
    const struct rbsr_key *hi, uint64_t idx, struct rbsr_key *out)
{
	return node_gw_rbsr_nth(host, peer, lo, hi, idx, out);
}

static int
host_rbsr_sums(void *host, const char *peer, const struct rbsr_key *bounds,
    size_t cnt, struct rbsr_sum *out)
{
	return node_gw_rbsr_sums(host, peer, bounds, cnt, out);
}

static int
host_rbsr_get(void *host, const char *peer, uint64_t issued_ms,
    const uint8_t *prefix, size_t prefix_len, rm_buf *out)
{
	return node_gw_rbsr_get(host, peer, issued_ms, prefix, prefix_len,
	    out);
}

static int
host_foreign_roster_save(void *host, const char *federation,
    const uint8_t *p, size_t len)
{
	return node_foreign_save(host, federation, p, len);
}

const struct fed_host_ops node_fed_ops = {
	.ingest = host_ingest,
	.vector = host_vector,
	.log_range = host_log_range,
	.roster_save = host_roster_save,
	.has = host_has,
	.agency_record = host_agency_record,
	.rbsr_sum = host_rbsr_sum,
	.rbsr_keys = host_rbsr_keys,
	.rbsr_nth = host_rbsr_nth,
	.rbsr_sums = host_rbsr_sums,
	.rbsr_get = host_rbsr_get,
	.foreign_roster_save = host_foreign_roster_save,
};

struct relay_ctx {
	fed *f;
};

static int
relay_each(void *arg, const uint8_t *p, size_t len)
{
	struct relay_ctx *rc = arg;

	fed_broadcast(rc->f, p, len, NULL);
	return RM_OK;
}

void
node_store_observer(void *arg, const struct store_event *ev)
{
	struct node *n = arg;
	const struct rm_record *r = ev->rec;
	char hex[65];

	rm_hash_hex(&ev->hash, hex);
	pthread_mutex_lock(&n->obs_mtx);
	node_roster_observe(n, ev);
	pthread_mutex_unlock(&n->obs_mtx);
	if (ev->fork_evidence) {
		/* Evidence of a fork spreads to every peer (except where it
		 * came from) so that every node detects it; it is no
		 * version of anything, so subscribers never see it. */
		rm_log_sec("store", "fork of %s at seq %llu: kept %.16s from %s "
		    "as evidence; the origin's new records are held", r->origin,
		    (unsigned long long)r->seq, hex, ev->source != NULL ?
		    ev->source : "local");
		pthread_mutex_lock(&n->obs_mtx);
		if (n->fed != NULL) {
			struct relay_ctx rc = { n->fed };

			fed_broadcast(n->fed, ev->bytes, ev->len, ev->source);
			/* and the record our log holds at that seq: a peer
			 * that already had the evidence (the longer log's
			 * record) learns of the fork only from ours */
			if (r->seq > 0)
				(void)store_log_range(n->store, r->origin,
				    r->seq - 1, r->seq, 1, relay_each, &rc);
		}
		pthread_mutex_unlock(&n->obs_mtx);
		return;
	}
	node_gw_sets_observe(n, ev);
	if (ev->source == NULL)
		atomic_fetch_add(&n->ctr.stored_local, 1);
	else
		atomic_fetch_add(&n->ctr.stored_peer, 1);
	rm_log(RM_LOG_INFO, "store", "stored %.16s %s %s ver %llu seq %llu "
	    "from %s%s", hex, r->origin, r->object_id,
	    (unsigned long long)r->ver, (unsigned long long)r->seq,
	    ev->source != NULL ? ev->source : "local",
	    ev->is_latest ? "" : " (superseded)");
	if (r->kind->resolves != NULL && r->kind->resolves(r) != NULL) {
		const struct rm_fork_ref *f = r->kind->resolves(r);
		char keep[65];

		/* the store applied it before logging it (store.h) */
		rm_hash_hex(&f->keep, keep);
		rm_log_sec("store", "fork resolution %.16s by %s: %s seq %llu "
		    "keeps %.16s", hex, r->origin, f->origin,
		    (unsigned long long)f->seq, keep);
	}
	pthread_mutex_lock(&n->obs_mtx);
	if (n->fed != NULL)
		fed_broadcast(n->fed, ev->bytes, ev->len, ev->source);
	for (size_t i = 0; i < n->n_subs; i++)
		n->subs[i].fn(n->subs[i].arg, ev);
	pthread_mutex_unlock(&n->obs_mtx);
}

int
node_subscribe(struct node *n, node_event_fn fn, void *arg)
{
	if (n->n_subs == NODE_SUBSCRIBERS_MAX)
		return RM_ETOOBIG;
	n->subs[n->n_subs].fn = fn;
	n->subs[n->n_subs].arg = arg;
	n->n_subs++;
	return RM_OK;
}

fed *
node_detach(struct node *n)
{
	fed *f;

	if (n->obs_mtx_ok)
		pthread_mutex_lock(&n->obs_mtx);
	f = n->fed;
	n->fed = NULL;
	n->n_subs = 0;
	if (n->obs_mtx_ok)
		pthread_mutex_unlock(&n->obs_mtx);
	return f;
}

struct roster *
node_roster(struct node *n)
{
	if (n->fed != NULL)
		return fed_roster(n->fed);
	return roster_ref(n->roster);
}
