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
}

void
fx_host_fini(struct fx_host *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->recs[i].bytes);
	pthread_mutex_destroy(&h->mtx);
}

/* Store under h->mtx; returns 1 new, 0 duplicate, -1 error. */
static int
host_store(struct fx_host *h, const rm_hash *hash, const char *origin,
    uint64_t seq, const uint8_t *p, size_t n)
{
	struct fx_stored *s;

	for (size_t i = 0; i < h->n; i++)
		if (memcmp(h->recs[i].hash.b, hash->b, RM_HASH_BYTES) == 0) {
			h->duplicates++;
			return 0;
		}
	if (h->n == FX_HOST_MAX)
		return -1;
	s = &h->recs[h->n];
	s->hash = *hash;
	snprintf(s->origin, sizeof(s->origin), "%s", origin);
	s->seq = seq;
	if ((s->bytes = malloc(n)) == NULL)
		return -1;
	memcpy(s->bytes, p, n);
	s->len = n;
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
	st = host_store(h, &fr->hash, fr->rec.origin, fr->rec.seq, fr->bytes,
	    fr->len);
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

const struct fed_host_ops fx_host_ops = {
	.ingest = host_ingest,
	.vector = host_vector,
	.log_range = host_log_range,
	.roster_save = host_roster_save,
};

int
fx_host_put(struct fx_host *h, const uint8_t *p, size_t n, const char *from)
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
	st = host_store(h, &fr.hash, fr.rec.origin, fr.rec.seq, p, n);
	pthread_mutex_unlock(&h->mtx);
	if (st == 1 && h->f != NULL)
		fed_broadcast(h->f, p, n, from);
	fed_record_fini(&fr);
	roster_free(r);
	return st < 0 ? RM_ESTORE : RM_OK;
}

int
fx_host_put_raw(struct fx_host *h, const uint8_t *p, size_t n,
    const char *origin, uint64_t seq)
{
	rm_hash hash;
	int st;

	cose_record_hash(p, n, &hash);
	pthread_mutex_lock(&h->mtx);
	st = host_store(h, &hash, origin, seq, p, n);
	pthread_mutex_unlock(&h->mtx);
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
