/*
 * mset.c -- an in-memory sorted set of rbsr keys for the RBSR tests
 * (see mset.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mset.h"

void
mset_init(struct mset *s)
{
	memset(s, 0, sizeof(*s));
	s->dirty = true;
}

void
mset_fini(struct mset *s)
{
	free(s->k);
	free(s->pre);
	memset(s, 0, sizeof(*s));
}

static void
grow(struct mset *s)
{
	if (s->n < s->cap)
		return;
	s->cap = s->cap ? s->cap * 2 : 64;
	if ((s->k = realloc(s->k, s->cap * sizeof(*s->k))) == NULL)
		abort();
}

/* First index whose key is >= k. */
static size_t
lower(const struct mset *s, const struct rbsr_key *k)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rbsr_key_cmp(&s->k[mid], k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
mset_add(struct mset *s, const struct rbsr_key *k)
{
	size_t i = lower(s, k);

	if (i < s->n && rbsr_key_cmp(&s->k[i], k) == 0)
		return;
	grow(s);
	memmove(&s->k[i + 1], &s->k[i], (s->n - i) * sizeof(*s->k));
	s->k[i] = *k;
	s->n++;
	s->dirty = true;
}

void
mset_push(struct mset *s, const struct rbsr_key *k)
{
	grow(s);
	s->k[s->n++] = *k;
	s->dirty = true;
}

static int
key_qcmp(const void *a, const void *b)
{
	return rbsr_key_cmp(a, b);
}

void
mset_sort(struct mset *s)
{
	size_t m = 0;

	if (s->n > 1)
		qsort(s->k, s->n, sizeof(*s->k), key_qcmp);
	for (size_t i = 0; i < s->n; i++)
		if (m == 0 || rbsr_key_cmp(&s->k[m - 1], &s->k[i]) != 0)
			s->k[m++] = s->k[i];
	s->n = m;
	s->dirty = true;
}

bool
mset_has(const struct mset *s, const struct rbsr_key *k)
{
	size_t i = lower(s, k);

	return i < s->n && rbsr_key_cmp(&s->k[i], k) == 0;
}

bool
mset_find(const struct mset *s, uint64_t issued_ms, const uint8_t *prefix,
    size_t len, struct rbsr_key *out)
{
	struct rbsr_key k = { issued_ms, { 0 } };
	size_t i;

	memcpy(k.hash, prefix, len);
	i = lower(s, &k);
	if (i < s->n && s->k[i].issued_ms == issued_ms &&
	    memcmp(s->k[i].hash, prefix, len) == 0) {
		*out = s->k[i];
		return true;
	}
	return false;
}

bool
mset_equal(const struct mset *a, const struct mset *b)
{
	return a->n == b->n && (a->n == 0 ||
	    memcmp(a->k, b->k, a->n * sizeof(*a->k)) == 0);
}

static void
prefix_sums(struct mset *s)
{
	struct rbsr_sum acc;

	if (!s->dirty)
		return;
	free(s->pre);
	if ((s->pre = malloc((s->n + 1) * sizeof(*s->pre))) == NULL)
		abort();
	rbsr_sum_zero(&acc);
	memcpy(s->pre[0], acc.sum, RBSR_SUM_BYTES);
	for (size_t i = 0; i < s->n; i++) {
		rbsr_sum_add(&acc, s->k[i].hash);
		memcpy(s->pre[i + 1], acc.sum, RBSR_SUM_BYTES);
	}
	s->dirty = false;
}

static int
src_sum(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    struct rbsr_sum *out)
{
	struct mset *s = src;
	struct rbsr_sum a, b;
	size_t i = lower(s, lo), j = lower(s, hi);

	s->calls++;
	prefix_sums(s);
	if (j < i)
		j = i;
	memcpy(a.sum, s->pre[j], RBSR_SUM_BYTES);
	memcpy(b.sum, s->pre[i], RBSR_SUM_BYTES);
	rbsr_sum_diff(&a, &b, out->sum);
	out->count = j - i;
	return RM_OK;
}

static int
src_keys(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    size_t max, struct rbsr_key *out, size_t *n)
{
	struct mset *s = src;
	size_t i = lower(s, lo), m = 0;

	s->calls++;
	while (i < s->n && m < max && rbsr_key_cmp(&s->k[i], hi) < 0)
		out[m++] = s->k[i++];
	*n = m;
	return RM_OK;
}

static int
src_nth(void *src, const struct rbsr_key *lo, const struct rbsr_key *hi,
    uint64_t idx, struct rbsr_key *out)
{
	struct mset *s = src;
	size_t i = lower(s, lo), j = lower(s, hi);

	s->calls++;
	if (j <= i || idx >= j - i)
		return RM_ENOTFOUND;
	*out = s->k[i + idx];
	return RM_OK;
}

const struct rbsr_source_ops mset_ops = { src_sum, src_keys, src_nth };

static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

void
mset_rand_key(uint64_t *state, struct rbsr_key *k)
{
	k->issued_ms = 1700000000000ull + next_rand(state) %
	    (30ull * 86400000);
	for (int i = 0; i < RM_HASH_BYTES; i += 8) {
		uint64_t v = next_rand(state);

		memcpy(k->hash + i, &v, 8);
	}
}

/* ---------------- the driver ---------------- */

struct side {
	struct mset *self, *peer;
	struct mset moved;              /* keys to add to peer or self */
	struct mset_result *r;
	bool a;
};

static int
on_send(void *ctx, const struct rbsr_key *k)
{
	struct side *sd = ctx;

	if (!mset_has(sd->self, k))
		abort();                /* the engine sends only what it has */
	mset_push(&sd->moved, k);
	if (sd->a)
		sd->r->sent_ab++;
	else
		sd->r->sent_ba++;
	return RM_OK;
}

static int
on_want(void *ctx, uint64_t issued_ms, const uint8_t *prefix, size_t len)
{
	struct side *sd = ctx;
	struct rbsr_key k;

	sd->r->wants++;
	sd->r->want_bytes += 8 + len;
	/* the peer answers from its own set (rbsr_get) */
	if (mset_find(sd->peer, issued_ms, prefix, len, &k)) {
		mset_push(&sd->moved, &k);
		if (sd->a)
			sd->r->sent_ba++;
		else
			sd->r->sent_ab++;
	}
	return RM_OK;
}

static const struct rbsr_emit_ops emit = { on_send, on_want };

void
mset_reconcile(struct mset *a, struct mset *b, struct mset_result *r)
{
	struct side sa = { a, b, { 0 }, r, true };
	struct side sb = { b, a, { 0 }, r, false };
	rbsr_session *x = NULL, *y = NULL;
	rm_buf m1 = RM_BUF_INIT, m2 = RM_BUF_INIT;
	struct mset to_a, to_b;
	bool done = false;

	memset(r, 0, sizeof(*r));
	mset_init(&sa.moved);
	mset_init(&sb.moved);
	if ((r->rv = rbsr_session_new(&mset_ops, a, &emit, &sa, &x)) != RM_OK ||
	    (r->rv = rbsr_session_new(&mset_ops, b, &emit, &sb, &y)) != RM_OK ||
	    (r->rv = rbsr_session_start(x, &m1, &r->why)) != RM_OK)
		goto out;
	for (unsigned i = 0; !done && i < 2 * RBSR_ROUNDS_MAX; i++) {
		rbsr_session *s = i % 2 == 0 ? y : x;
		rm_buf *in = i % 2 == 0 ? &m1 : &m2;
		rm_buf *out = i % 2 == 0 ? &m2 : &m1;

		r->messages++;
		r->msg_bytes += in->len;
		if (getenv("MSET_TRACE") != NULL) {
			struct rbsr_msg m;
			size_t nm[4] = { 0 };

			if (rbsr_msg_decode(in->data, in->len, &m, NULL) ==
			    RM_OK) {
				for (size_t j = 0; j < m.n; j++)
					nm[m.ranges[j].mode]++;
				fprintf(stderr, "msg %u: %zu bytes: skip %zu "
				    "fp %zu sum %zu ids %zu (%zu ids)\n", i,
				    in->len, nm[0], nm[1], nm[2], nm[3],
				    m.nids);
				rbsr_msg_fini(&m);
			}
		}
		rm_buf_reset(out);
		if ((r->rv = rbsr_session_reply(s, in->data, in->len, out,
		    &done, &r->why)) != RM_OK)
			goto out;
		if (done && out->len > 0) {
			/* the empty answer: the other side stops too */
			r->messages++;
			r->msg_bytes += out->len;
		}
	}
out:
	/* apply: each moved key goes to the side that lacks it */
	mset_init(&to_a);
	mset_init(&to_b);
	for (int side = 0; side < 2; side++) {
		struct side *sd = side == 0 ? &sa : &sb;

		for (size_t i = 0; i < sd->moved.n; i++)
			mset_push(mset_has(a, &sd->moved.k[i]) ? &to_b : &to_a,
			    &sd->moved.k[i]);
	}
	for (size_t i = 0; i < to_a.n; i++)
		mset_push(a, &to_a.k[i]);
	for (size_t i = 0; i < to_b.n; i++)
		mset_push(b, &to_b.k[i]);
	mset_sort(a);
	mset_sort(b);
	mset_fini(&to_a);
	mset_fini(&to_b);
	mset_fini(&sa.moved);
	mset_fini(&sb.moved);
	rbsr_session_free(x);
	rbsr_session_free(y);
	rm_buf_fini(&m1);
	rm_buf_fini(&m2);
}
