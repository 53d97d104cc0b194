/*
 * node_gateway_set.c -- the set a gateway peer reconciles against
 * (docs/PROTOCOL.md §12.5): the records its export policy lets cross,
 * not the whole store. Range-based reconciliation with an ordinary peer
 * reads the store's RBSR index directly; with a gateway peer it reads
 * one of these.
 *
 * A set is built on the first reconciliation with its peer by one walk
 * of the store's timeline (each record read and its header checked
 * against the policy, gateway_policy_check), then kept current by the
 * store observer (a stored record that passes is inserted). It is an
 * ascending array of keys with a prefix-sum array rebuilt when a session
 * first needs it after a change (the idle-time index: an insert costs a
 * binary search and a move, never a re-sum), so a range sum is one
 * subtraction and nth is an index. Memory: 72 bytes per exported record.
 *
 * Thread rules: each set has its own mutex; the list of sets is guarded
 * by n->gw_mtx. The store observer runs on the writer thread; the rbsr
 * host ops on the link threads.
 */
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

#define GW_WALK_BATCH 1024

struct node_gw_set {
	struct node_gw_set *next;
	char peer[RM_AGENCY_ID_MAX + 1];
	struct gateway_policy policy;
	struct trust_areas far;
	pthread_mutex_t mu;
	bool built;
	struct rbsr_key *keys;          /* ascending, unique */
	size_t n, cap;
	struct rbsr_sum *prefix;        /* prefix[i]: sum of keys[0..i) */
	size_t n_prefix;                /* valid entries; n + 1 when current */
};

/* Does the record p[0..len) cross towards the set's peer? */
static bool
bytes_allowed(const struct node_gw_set *g, const uint8_t *p, size_t len)
{
	struct cose_sign1 m;
	struct rm_record rec;
	rm_why why;
	bool ok;

	if (cose_sign1_decode(p, len, &m, &why) != RM_OK ||
	    record_decode(m.payload, m.payload_len, &rec, &why) != RM_OK)
		return false;
	ok = gateway_policy_check(&g->policy, &rec, &g->far, NULL) == RM_OK;
	record_fini(&rec);
	return ok;
}

/* Index of the first key >= k. */
static size_t
lower_bound(const struct node_gw_set *g, const struct rbsr_key *k)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rbsr_key_cmp(&g->keys[mid], k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Insert k (mu held); RM_ENOMEM. A key already there is kept once. */
static int
set_insert(struct node_gw_set *g, const struct rbsr_key *k)
{
	size_t i = lower_bound(g, k);

	if (i < g->n && rbsr_key_cmp(&g->keys[i], k) == 0)
		return RM_OK;
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 256;
		struct rbsr_key *nk = realloc(g->keys, cap * sizeof(*nk));
		if (nk == NULL)
			return RM_ENOMEM;
		g->keys = nk;
		g->cap = cap;
	}
	memmove(&g->keys[i + 1], &g->keys[i], (g->n - i) * sizeof(*g->keys));
	g->keys[i] = *k;
	g->n++;
	if (g->n_prefix > i)
		g->n_prefix = i + 1;    /* sums past i are stale */
	return RM_OK;
}

/* Bring the prefix sums up to date (mu held). */
static int
prefix_current(struct node_gw_set *g)
{
	struct rbsr_sum *np;

	if (g->n_prefix == g->n + 1)
		return RM_OK;
	if ((np = realloc(g->prefix, (g->n + 1) * sizeof(*np))) == NULL)
		return RM_ENOMEM;
	g->prefix = np;
	if (g->n_prefix == 0) {
		rbsr_sum_zero(&g->prefix[0]);
		g->n_prefix = 1;
	}
	for (size_t i = g->n_prefix; i <= g->n; i++) {
		g->prefix[i] = g->prefix[i - 1];
		rbsr_sum_add(&g->prefix[i], g->keys[i - 1].hash);
	}
	g->n_prefix = g->n + 1;
	return RM_OK;
}

/* Build g from the store (mu not held while reading the store). */
static int
set_build(struct node *n, struct node_gw_set *g)
{
	struct rbsr_key lo = RBSR_KEY_MIN, hi = RBSR_KEY_MAX;
	struct rbsr_key *batch;
	rm_buf b = RM_BUF_INIT;
	size_t got, kept = 0, walked = 0;
	int rv = RM_OK;

	if ((batch = calloc(GW_WALK_BATCH, sizeof(*batch))) == NULL)
		return RM_ENOMEM;
	for (;;) {
		if ((rv = store_rbsr_keys(n->store, &lo, &hi, GW_WALK_BATCH,
		    batch, &got)) != RM_OK || got == 0)
			break;
		for (size_t i = 0; rv == RM_OK && i < got; i++) {
			rm_hash h;
			int grv;

			memcpy(h.b, batch[i].hash, RM_HASH_BYTES);
			rm_buf_reset(&b);
			/* a read error fails the build (not built: tried again
			 * at the next session), never a set silently short of
			 * a record that the observer will not add later */
			if ((grv = store_get(n->store, &h, &b)) != RM_OK) {
				if (grv != RM_ENOTFOUND)
					rv = grv;
				continue;
			}
			if (!bytes_allowed(g, b.data, b.len))
				continue;
			pthread_mutex_lock(&g->mu);
			rv = set_insert(g, &batch[i]);
			pthread_mutex_unlock(&g->mu);
			if (rv == RM_OK)
				kept++;
		}
		walked += got;
		if (rv != RM_OK || !rbsr_key_next(&batch[got - 1], &lo))
			break;
	}
	rm_buf_fini(&b);
	free(batch);
	if (rv == RM_OK) {
		pthread_mutex_lock(&g->mu);
		g->built = true;
		pthread_mutex_unlock(&g->mu);
		rm_log(RM_LOG_INFO, "node", "gateway %s: %zu of %zu stored "
		    "records exported by its policy (reconciliation set)",
		    g->peer, kept, walked);
	}
	return rv;
}

/* The built set of gateway peer `peer`, NULL for another peer. The set
 * is created and built on first use. *err: RM_OK or why there is none. */
static struct node_gw_set *
set_of(struct node *n, const char *peer, int *err)
{
	struct node_gw_set *g;
	struct gateway_policy pol;
	struct trust_areas far;
	bool built;

	*err = RM_OK;
	if (n->fed == NULL || peer == NULL ||
	    !fed_gateway_policy(n->fed, peer, &pol, &far))
		return NULL;
	pthread_mutex_lock(&n->gw_mtx);
	for (g = n->gw_sets; g != NULL; g = g->next)
		if (strcmp(g->peer, peer) == 0)
			break;
	if (g == NULL && (g = calloc(1, sizeof(*g))) != NULL) {
		snprintf(g->peer, sizeof(g->peer), "%s", peer);
		g->policy = pol;
		g->far = far;
		pthread_mutex_init(&g->mu, NULL);
		g->next = n->gw_sets;
		n->gw_sets = g;     /* the observer inserts from now on */
	}
	pthread_mutex_unlock(&n->gw_mtx);
	if (g == NULL) {
		*err = RM_ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&g->mu);
	built = g->built;
	pthread_mutex_unlock(&g->mu);
	/* Two link threads of one peer never reconcile at once (one
	 * session per link); a second build would only insert the same
	 * keys again. */
	if (!built && (*err = set_build(n, g)) != RM_OK)
		return NULL;
	return g;
}

void
node_gw_sets_observe(struct node *n, const struct store_event *ev)
{
	struct node_gw_set *g;
	struct rbsr_key k;

	pthread_mutex_lock(&n->gw_mtx);
	for (g = n->gw_sets; g != NULL; g = g->next) {
		if (gateway_policy_check(&g->policy, ev->rec, &g->far, NULL) !=
		    RM_OK)
			continue;
		k.issued_ms = (uint64_t)ev->rec->issued_ms;
		memcpy(k.hash, ev->hash.b, RM_HASH_BYTES);
		pthread_mutex_lock(&g->mu);
		if (set_insert(g, &k) != RM_OK)
			g->built = false;       /* rebuilt at the next session */
		pthread_mutex_unlock(&g->mu);
	}
	pthread_mutex_unlock(&n->gw_mtx);
}

void
node_gw_sets_fini(struct node *n)
{
	struct node_gw_set *g, *next;

	for (g = n->gw_sets; g != NULL; g = next) {
		next = g->next;
		pthread_mutex_destroy(&g->mu);
		free(g->keys);
		free(g->prefix);
		free(g);
	}
	n->gw_sets = NULL;
}

/* [i, j) of the keys in [lo, hi) (mu held). */
static void
range_of(const struct node_gw_set *g, const struct rbsr_key *lo,
    const struct rbsr_key *hi, size_t *i, size_t *j)
{
	*i = lower_bound(g, lo);
	*j = lower_bound(g, hi);
	if (*j < *i)
		*j = *i;
}

int
node_gw_rbsr_sum(struct node *n, const char *peer, const struct rbsr_key *lo,
    const struct rbsr_key *hi, struct rbsr_sum *out)
{
	struct node_gw_set *g;
	size_t i, j;
	int rv;

	if ((g = set_of(n, peer, &rv)) == NULL)
		return rv != RM_OK ? rv :
		    store_rbsr_sum(n->store, lo, hi, out);
	pthread_mutex_lock(&g->mu);
	if ((rv = prefix_current(g)) == RM_OK) {
		range_of(g, lo, hi, &i, &j);
		rbsr_sum_diff(&g->prefix[j], &g->prefix[i], out->sum);
		out->count = j - i;
	}
	pthread_mutex_unlock(&g->mu);
	return rv;
}

int
node_gw_rbsr_keys(struct node *n, const char *peer,
    const struct rbsr_key *lo, const struct rbsr_key *hi, size_t max,
    struct rbsr_key *out, size_t *cnt)
{
	struct node_gw_set *g;
	size_t i, j;
	int rv;

	if ((g = set_of(n, peer, &rv)) == NULL)
		return rv != RM_OK ? rv :
		    store_rbsr_keys(n->store, lo, hi, max, out, cnt);
	pthread_mutex_lock(&g->mu);
	range_of(g, lo, hi, &i, &j);
	*cnt = j - i < max ? j - i : max;
	if (*cnt > 0)
		memcpy(out, &g->keys[i], *cnt * sizeof(*out));
	pthread_mutex_unlock(&g->mu);
	return RM_OK;
}

int
node_gw_rbsr_nth(struct node *n, const char *peer, const struct rbsr_key *lo,
    const struct rbsr_key *hi, uint64_t idx, struct rbsr_key *out)
{
	struct node_gw_set *g;
	size_t i, j;
	int rv;

	if ((g = set_of(n, peer, &rv)) == NULL)
		return rv != RM_OK ? rv :
		    store_rbsr_nth(n->store, lo, hi, idx, out);
	pthread_mutex_lock(&g->mu);
	range_of(g, lo, hi, &i, &j);
	if (idx < j - i) {
		*out = g->keys[i + idx];
		rv = RM_OK;
	} else {
		rv = RM_ENOTFOUND;
	}
	pthread_mutex_unlock(&g->mu);
	return rv;
}

int
node_gw_rbsr_sums(struct node *n, const char *peer,
    const struct rbsr_key *bounds, size_t cnt, struct rbsr_sum *out)
{
	int rv = RM_OK;

	if (n->fed == NULL || !fed_gateway_policy(n->fed, peer, NULL, NULL))
		return store_rbsr_sums(n->store, bounds, cnt, out);
	for (size_t k = 0; rv == RM_OK && k < cnt; k++)
		rv = node_gw_rbsr_sum(n, peer, &bounds[k], &bounds[k + 1],
		    &out[k]);
	return rv;
}

int
node_gw_rbsr_get(struct node *n, const char *peer, uint64_t issued_ms,
    const uint8_t *prefix, size_t prefix_len, rm_buf *out)
{
	struct node_gw_set *g;
	struct rbsr_key k;
	rm_hash h;
	size_t i;
	bool found = false;
	int rv;

	if ((g = set_of(n, peer, &rv)) == NULL)
		return rv != RM_OK ? rv : store_rbsr_get(n->store, issued_ms,
		    prefix, prefix_len, out);
	if (prefix_len == 0 || prefix_len > RM_HASH_BYTES)
		return RM_EINVAL;
	/* only a record of the exported set is served */
	memset(&k, 0, sizeof(k));
	k.issued_ms = issued_ms;
	memcpy(k.hash, prefix, prefix_len);
	pthread_mutex_lock(&g->mu);
	i = lower_bound(g, &k);
	if (i < g->n && g->keys[i].issued_ms == issued_ms &&
	    memcmp(g->keys[i].hash, prefix, prefix_len) == 0) {
		memcpy(h.b, g->keys[i].hash, RM_HASH_BYTES);
		found = true;
	}
	pthread_mutex_unlock(&g->mu);
	return found ? store_get(n->store, &h, out) : RM_ENOTFOUND;
}
