/*
 * fed_fixture.c -- test federation, sample records, fake host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fed_fixture.h"

static struct fx_fed fx;
static pthread_once_t fx_once = PTHREAD_ONCE_INIT;

static void
die(const char *what, const rm_why *why)
{
	fprintf(stderr, "fixture: %s: %s\n", what, why ? why->msg : "");
	abort();
}

static void
fx_make(void)
{
	rm_why why;

	if (crypto_key_generate(&fx.root, &why) != RM_OK ||
	    crypto_signer_from_key(fx.root, &fx.root_signer, &why) != RM_OK)
		die("root key", &why);
	fx.id[0] = FX_COMMAND;
	fx.id[1] = FX_EMERGENCY;
	fx.id[2] = FX_WATER;
	for (size_t i = 0; i < FX_N_AGENCIES; i++)
		if (crypto_key_generate(&fx.key[i], &why) != RM_OK ||
		    crypto_signer_from_key(fx.key[i], &fx.signer[i], &why) !=
		    RM_OK)
			die("agency key", &why);
}

const struct fx_fed *
fx_fed(void)
{
	pthread_once(&fx_once, fx_make);
	return &fx;
}

size_t
fx_index(const char *id)
{
	fx_fed();
	for (size_t i = 0; i < FX_N_AGENCIES; i++)
		if (strcmp(fx.id[i], id) == 0)
			return i;
	abort();
}

void
fx_agency(size_t i, struct roster_agency *a)
{
	fx_fed();
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", fx.id[i]);
	a->kinds = ROSTER_KIND_ALERT;
	a->key = fx.key[i];
	switch (i) {
	case 0:
		strcpy(a->name_zh, "天津市城市运行管理指挥中心");
		strcpy(a->name_en, "Tianjin City Operations Command Centre");
		strcpy(a->role, "centre");
		a->max_grade = RM_GRADE_RED;
		a->n_areas = 1;
		strcpy(a->areas[0], "120000");
		break;
	case 1:
		strcpy(a->name_zh, "河西区应急管理局");
		strcpy(a->name_en, "Hexi District Emergency Management");
		strcpy(a->role, "district");
		a->max_grade = RM_GRADE_ORANGE;
		a->n_areas = 1;
		strcpy(a->areas[0], "120103");
		break;
	default:
		strcpy(a->name_zh, "南开区水务局");
		strcpy(a->name_en, "Nankai Water Affairs");
		strcpy(a->role, "department");
		a->max_grade = RM_GRADE_YELLOW;
		a->n_areas = 2;
		strcpy(a->areas[0], "120104");
		strcpy(a->areas[1], "120105");
		break;
	}
}

void
fx_roster_bytes(uint64_t version, rm_buf *out)
{
	struct roster *r;
	struct roster_agency a;
	rm_why why;

	fx_fed();
	if (roster_new(FX_FED_NAME, version, &r, &why) != RM_OK)
		die("roster_new", &why);
	for (size_t i = 0; i < FX_N_AGENCIES; i++) {
		fx_agency(i, &a);
		if (roster_put_agency(r, &a, &why) != RM_OK)
			die("roster_put_agency", &why);
	}
	if (roster_sign(r, fx.root_signer, out, &why) != RM_OK)
		die("roster_sign", &why);
	roster_free(r);
}

struct roster *
fx_roster(uint64_t version)
{
	rm_buf b = RM_BUF_INIT;
	struct roster *r;
	rm_why why;

	fx_roster_bytes(version, &b);
	if (roster_open(b.data, b.len, fx.root, &r, &why) != RM_OK)
		die("roster_open", &why);
	rm_buf_fini(&b);
	return r;
}

void
fx_record(struct fx_rec *x, const char *origin, uint64_t seq,
    const rm_hash *prev, const char *area, rm_grade g)
{
	struct rm_record *r = &x->r;

	memset(x, 0, sizeof(*x));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_alert;
	r->body = &x->a;
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	snprintf(r->object_id, sizeof(r->object_id), "obj-%llu",
	    (unsigned long long)seq);
	r->ver = 1;
	r->seq = seq;
	r->issued_ms = 1786000000000LL + (rm_utc_ms)seq;
	r->n_areas = 1;
	snprintf(r->areas[0], sizeof(r->areas[0]), "%s", area);
	if (prev != NULL) {
		r->has_prev = true;
		r->prev = *prev;
	}
	snprintf(x->ident, sizeof(x->ident), "%s-%llu", origin,
	    (unsigned long long)seq);
	x->t.lang = "zh-CN";
	x->t.event = "暴雨";
	x->t.headline = "暴雨预警";
	record_alert(r)->identifier = x->ident;
	record_alert(r)->status = RM_STATUS_EXERCISE;
	record_alert(r)->msg_type = RM_MSGTYPE_ALERT;
	record_alert(r)->categories = RM_CAT_MET;
	record_alert(r)->urgency = RM_URGENCY_EXPECTED;
	record_alert(r)->severity = grade_cap_severity(g);
	record_alert(r)->certainty = RM_CERTAINTY_LIKELY;
	record_alert(r)->grade = g;
	record_alert(r)->effective_ms = r->issued_ms;
	record_alert(r)->n_texts = 1;
	record_alert(r)->texts = &x->t;
}

void
fx_seal(const struct fx_rec *x, rm_buf *out, rm_hash *hash)
{
	rm_why why;

	if (fed_record_seal(fx_fed()->signer[fx_index(x->r.origin)], &x->r, out,
	    hash, &why) != RM_OK)
		die("fed_record_seal", &why);
}

/* ---------------- fake host ---------------- */

void
fx_host_init(struct fx_host *h, const char *self)
{
	memset(h, 0, sizeof(*h));
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
host_ingest(void *host, const char *from, const struct fed_record *fr,
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
host_vector(void *host, void (*each)(void *, const char *, uint64_t),
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
		uint64_t seq = 0;
		bool found = true;

		while (found) {
			found = false;
			for (size_t i = 0; i < h->n && !found; i++)
				found = h->recs[i].seq == seq + 1 &&
				    strcmp(h->recs[i].origin, origins[j]) == 0;
			if (found)
				seq++;
		}
		if (seq > 0)
			each(arg, origins[j], seq);
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
	struct roster *r = fx_roster(1);
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

void
fx_host_publish(struct fx_host *h, const char *area, rm_grade g)
{
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;
	rm_hash hash;

	fx_record(&x, h->self, h->next_seq, h->next_seq > 1 ? &h->last : NULL,
	    area, g);
	fx_seal(&x, &b, &hash);
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
	o->agency_signer = fx_fed()->signer[fx_index(id)];
	o->root_key = fx_fed()->root;
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
