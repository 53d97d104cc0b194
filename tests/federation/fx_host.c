/*
 * fx_host.c -- an in-memory fake host implementing struct fed_host_ops,
 * and engine options for it. Links with rm_peer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fx_host.h"

void
fx_host_init(struct fx_host *h, const char *self)
{
	memset(h, 0, sizeof(*h));
	h->fed = fx_fed();
	pthread_mutex_init(&h->mtx, NULL);
	snprintf(h->self, sizeof(h->self), "%s", self);
	h->next_seq = 1;
	mset_init(&h->set);
}

void
fx_host_fini(struct fx_host *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->recs[i].bytes);
	mset_fini(&h->set);
	pthread_mutex_destroy(&h->mtx);
}

/* Store under h->mtx; returns 1 new, 0 duplicate, -1 error. */
static int
host_store(struct fx_host *h, const rm_hash *hash, const struct rm_record *r,
    const uint8_t *p, size_t n)
{
	struct fx_stored *s;
	struct rbsr_key k;

	for (size_t i = 0; i < h->n; i++)
		if (memcmp(h->recs[i].hash.b, hash->b, RM_HASH_BYTES) == 0) {
			h->duplicates++;
			return 0;
		}
	if (h->n == FX_HOST_MAX)
		return -1;
	s = &h->recs[h->n];
	s->hash = *hash;
	snprintf(s->origin, sizeof(s->origin), "%s", r->origin);
	s->seq = r->seq;
	s->issued_ms = r->issued_ms;
	if ((s->bytes = malloc(n)) == NULL)
		return -1;
	memcpy(s->bytes, p, n);
	s->len = n;
	k.issued_ms = (uint64_t)r->issued_ms;
	memcpy(k.hash, hash->b, RM_HASH_BYTES);
	mset_add(&h->set, &k);
	h->n++;
	h->stored++;
	return 1;
}

static int
host_ingest(void *host, const char *from, struct fed_record *fr,
    fed_ingest_done done, void *ctx)
{
	struct fx_host *h = host;
	int st;

	pthread_mutex_lock(&h->mtx);
	st = host_store(h, &fr->hash, &fr->rec, fr->bytes, fr->len);
	pthread_mutex_unlock(&h->mtx);
	if (st < 0)
		return RM_ESTORE;
	done(ctx, RM_OK, st == 1);
	if (st == 1 && h->f != NULL)
		fed_broadcast(h->f, fr->bytes, fr->len, from);
	return RM_OK;
}

static int
host_vector(void *host,
    void (*each)(void *, const char *, uint64_t, const rm_hash *),
    void *arg)
{
	struct fx_host *h = host;
	char origins[FX_HOST_MAX][RM_AGENCY_ID_MAX + 1];
	size_t no = 0;

	if (h->no_catchup)
		return RM_OK;
	pthread_mutex_lock(&h->mtx);
	for (size_t i = 0; i < h->n; i++) {
		size_t j;

		for (j = 0; j < no; j++)
			if (strcmp(origins[j], h->recs[i].origin) == 0)
				break;
		if (j == no)
			strcpy(origins[no++], h->recs[i].origin);
	}
	for (size_t j = 0; j < no; j++) {
		const rm_hash *head = NULL;
		uint64_t seq = 0;
		bool found = true;

		while (found) {
			found = false;
			for (size_t i = 0; i < h->n && !found; i++)
				if (h->recs[i].seq == seq + 1 &&
				    strcmp(h->recs[i].origin, origins[j]) == 0) {
					found = true;
					head = &h->recs[i].hash;
				}
			if (found)
				seq++;
		}
		if (seq > 0)
			each(arg, origins[j], seq, head);
	}
	pthread_mutex_unlock(&h->mtx);
	return RM_OK;
}

static int
host_log_range(void *host, const char *origin, uint64_t after, uint64_t upto,
    size_t max, int (*each)(void *, const uint8_t *, size_t), void *arg)
{
	struct fx_host *h = host;
	size_t sent = 0;
	int rv = RM_OK;

	if (h->no_catchup)
		return RM_OK;
	pthread_mutex_lock(&h->mtx);
	for (uint64_t seq = after + 1; seq <= upto && sent < max &&
	    rv == RM_OK; seq++) {
		size_t i;

		for (i = 0; i < h->n; i++)
			if (h->recs[i].seq == seq &&
			    strcmp(h->recs[i].origin, origin) == 0)
				break;
		if (i == h->n)
			break;
		rv = each(arg, h->recs[i].bytes, h->recs[i].len);
		sent++;
	}
	pthread_mutex_unlock(&h->mtx);
	return rv;
}

static int
host_roster_save(void *host, const uint8_t *p, size_t n)
{
	struct fx_host *h = host;

	(void)p;
	(void)n;
	pthread_mutex_lock(&h->mtx);
	h->roster_saves++;
	pthread_mutex_unlock(&h->mtx);
	return RM_OK;
}

/* The rbsr ops: the in-memory set under the host's lock. */
static int
host_rbsr_sum(void *host, const char *peer, const struct rbsr_key *lo,
    const struct rbsr_key *hi, struct rbsr_sum *out)
{
	struct fx_host *h = host;
	int rv;

	(void)peer;
	pthread_mutex_lock(&h->mtx);
	rv = mset_ops.sum(&h->set, lo, hi, out);
	pthread_mutex_unlock(&h->mtx);
	return rv;
}

static int
host_rbsr_keys(void *host, const char *peer, const struct rbsr_key *lo,
    const struct rbsr_key *hi, size_t max, struct rbsr_key *out, size_t *n)
{
	struct fx_host *h = host;
	int rv;

	(void)peer;
	pthread_mutex_lock(&h->mtx);
	rv = mset_ops.keys(&h->set, lo, hi, max, out, n);
	pthread_mutex_unlock(&h->mtx);
	return rv;
}

static int
host_rbsr_nth(void *host, const char *peer, const struct rbsr_key *lo,
    const struct rbsr_key *hi, uint64_t idx, struct rbsr_key *out)
{
	struct fx_host *h = host;
	int rv;

	(void)peer;
	pthread_mutex_lock(&h->mtx);
	rv = mset_ops.nth(&h->set, lo, hi, idx, out);
	pthread_mutex_unlock(&h->mtx);
	return rv;
}

static int
host_rbsr_get(void *host, const char *peer, uint64_t issued_ms,
    const uint8_t *prefix, size_t prefix_len, rm_buf *out)
{
	struct fx_host *h = host;
	int rv = RM_ENOTFOUND;

	(void)peer;
	pthread_mutex_lock(&h->mtx);
	for (size_t i = 0; i < h->n && rv == RM_ENOTFOUND; i++)
		if ((uint64_t)h->recs[i].issued_ms == issued_ms &&
		    memcmp(h->recs[i].hash.b, prefix, prefix_len) == 0)
			rv = rm_buf_append(out, h->recs[i].bytes,
			    h->recs[i].len);
	pthread_mutex_unlock(&h->mtx);
	return rv;
}

const struct fed_host_ops fx_host_ops = {
	.ingest = host_ingest,
	.vector = host_vector,
	.log_range = host_log_range,
	.roster_save = host_roster_save,
	.rbsr_sum = host_rbsr_sum,
	.rbsr_keys = host_rbsr_keys,
	.rbsr_nth = host_rbsr_nth,
	.rbsr_get = host_rbsr_get,
};

bool
fx_host_same_set(struct fx_host *a, struct fx_host *b)
{
	bool same;

	pthread_mutex_lock(&a->mtx);
	pthread_mutex_lock(&b->mtx);
	same = mset_equal(&a->set, &b->set);
	pthread_mutex_unlock(&b->mtx);
	pthread_mutex_unlock(&a->mtx);
	return same;
}

static int
put(struct fx_host *h, const uint8_t *p, size_t n, const char *from,
    bool relay)
{
	struct fed_record fr;
	struct roster *r = fx_roster_in(h->fed, 1);
	rm_why why;
	int rv, st;

	if ((rv = fed_record_open(r, p, n, &fr, &why)) != RM_OK) {
		roster_free(r);
		return rv;
	}
	pthread_mutex_lock(&h->mtx);
	st = host_store(h, &fr.hash, &fr.rec, p, n);
	pthread_mutex_unlock(&h->mtx);
	if (st == 1 && h->f != NULL && relay)
		fed_broadcast(h->f, p, n, from);
	fed_record_fini(&fr);
	roster_free(r);
	return st < 0 ? RM_ESTORE : RM_OK;
}

int
fx_host_put(struct fx_host *h, const uint8_t *p, size_t n, const char *from)
{
	return put(h, p, n, from, true);
}

int
fx_host_put_quiet(struct fx_host *h, const uint8_t *p, size_t n)
{
	return put(h, p, n, NULL, false);
}

int
fx_host_put_raw(struct fx_host *h, const uint8_t *p, size_t n,
    const char *origin, uint64_t seq)
{
	struct cose_sign1 m;
	struct rm_record rec;
	rm_hash hash;
	rm_why why;
	int st;

	/* not verified (a foreign record): only its header is read */
	if (cose_sign1_decode(p, n, &m, &why) != RM_OK ||
	    record_decode(m.payload, m.payload_len, &rec, &why) != RM_OK)
		return RM_EMALFORMED;
	if (strcmp(rec.origin, origin) != 0 || rec.seq != seq) {
		record_fini(&rec);
		return RM_EINVAL;
	}
	cose_record_hash(p, n, &hash);
	pthread_mutex_lock(&h->mtx);
	st = host_store(h, &hash, &rec, p, n);
	pthread_mutex_unlock(&h->mtx);
	record_fini(&rec);
	if (st == 1 && h->f != NULL)
		fed_broadcast(h->f, p, n, NULL);
	return st < 0 ? RM_ESTORE : RM_OK;
}

void
fx_host_publish(struct fx_host *h, const char *area, rm_grade g)
{
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;
	rm_hash hash;

	fx_record(&x, h->self, h->next_seq, h->next_seq > 1 ? &h->last : NULL,
	    area, g);
	fx_seal_in(h->fed, &x, &b, &hash);
	if (fx_host_put(h, b.data, b.len, NULL) != RM_OK)
		abort();
	h->last = hash;
	h->next_seq++;
	rm_buf_fini(&b);
}

unsigned
fx_host_count(struct fx_host *h)
{
	unsigned n;

	pthread_mutex_lock(&h->mtx);
	n = h->stored;
	pthread_mutex_unlock(&h->mtx);
	return n;
}

unsigned
fx_host_count_origin(struct fx_host *h, const char *origin)
{
	unsigned n = 0;

	pthread_mutex_lock(&h->mtx);
	for (size_t i = 0; i < h->n; i++)
		n += strcmp(h->recs[i].origin, origin) == 0;
	pthread_mutex_unlock(&h->mtx);
	return n;
}

void
fx_opts(struct fed_opts *o, const char *id, struct roster *r,
    struct fx_host *h)
{
	memset(o, 0, sizeof(*o));
	o->agency_id = id;
	o->agency_signer = h->fed->signer[fx_index(id)];
	o->root_key = h->fed->root;
	o->roster = r;
	o->insecure = true;
	o->reconnect_min_ms = 50;
	o->reconnect_max_ms = 200;
	o->sync_interval_ms = 1000;
	o->handshake_timeout_ms = 2000;
	o->ops = &fx_host_ops;
	o->host = h;
}

bool
fx_wait(bool (*cond)(void *), void *arg, unsigned timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	unsigned waited = 0;

	while (!cond(arg)) {
		if (waited >= timeout_ms)
			return false;
		nanosleep(&ts, NULL);
		waited += 10;
	}
	return true;
}
