/*
 * rbsr_split.c -- what the engine answers for one range: the ids of a
 * small range, a split by count into children (fingerprints, or sums
 * when a child is expected to differ by at most one key), the
 * resolution of a one-key difference from two sums, and the comparison
 * of an id list with our keys.
 */
#include <math.h>
#include <string.h>

#include "federation/rbsr/rbsr_int.h"

static int
src_fail(rm_why *why, int rv, const char *what)
{
	return rm_fail(why, rv, "rbsr: reading the set (%s): %s", what,
	    rm_strerror(rv));
}

static int
emit_send(rbsr_session *s, const struct rbsr_key *k, rm_why *why)
{
	int rv;

	if ((rv = s->emit->send(s->ctx, k)) != RM_OK)
		return rm_fail(why, rv, "rbsr: sending a record: %s",
		    rm_strerror(rv));
	s->st.sent++;
	return RM_OK;
}

static int
emit_want(rbsr_session *s, const struct rbsr_id *id, rm_why *why)
{
	int rv;

	if ((rv = s->emit->want(s->ctx, id->issued_ms, id->prefix,
	    RBSR_ID_PREFIX_BYTES)) != RM_OK)
		return rm_fail(why, rv, "rbsr: asking for a record: %s",
		    rm_strerror(rv));
	s->st.wanted++;
	return RM_OK;
}

/* Calls fn for every key of ours in [lo, hi), in batches; stops at the
 * first error. Bounded by the size of the set. */
static int
each_key(rbsr_session *s, const struct rbsr_key *lo, const struct rbsr_key *hi,
    int (*fn)(rbsr_session *, const struct rbsr_key *, void *), void *arg,
    rm_why *why)
{
	struct rbsr_key cur = *lo;
	size_t n;
	int rv;

	for (;;) {
		if ((rv = s->ops->keys(s->src, &cur, hi, RBSR_KEYS_BATCH,
		    s->scratch, &n)) != RM_OK)
			return src_fail(why, rv, "keys");
		if (n > RBSR_KEYS_BATCH)
			return rm_fail(why, RM_EINVAL, "rbsr: source returned "
			    "%zu keys for %d", n, RBSR_KEYS_BATCH);
		for (size_t i = 0; i < n; i++)
			if ((rv = fn(s, &s->scratch[i], arg)) != RM_OK)
				return rv;
		if (n < RBSR_KEYS_BATCH ||
		    !rbsr_key_next(&s->scratch[n - 1], &cur) ||
		    rbsr_key_cmp(&cur, hi) >= 0)
			return RM_OK;
	}
}

static int
send_one(rbsr_session *s, const struct rbsr_key *k, void *arg)
{
	return emit_send(s, k, arg);
}

int
rbsr_send_all(rbsr_session *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, rm_why *why)
{
	return each_key(s, lo, hi, send_one, why, why);
}

/* ---------------- one-key differences ---------------- */

int
rbsr_resolve_one(rbsr_session *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, const struct rbsr_sum *mine,
    const uint8_t peer_sum[RBSR_SUM_BYTES], bool *found, rm_why *why)
{
	struct rbsr_sum peer;
	uint8_t d[RBSR_SUM_BYTES];
	size_t n;
	int rv;

	*found = false;
	if (mine->count > RBSR_SCAN_MAX)
		return RM_OK;
	memcpy(peer.sum, peer_sum, RBSR_SUM_BYTES);
	peer.count = mine->count - 1;
	/* mine - d == peer and counts differ by one: the peer lacks the key
	 * whose hash is d, and has every other key of ours here (up to a
	 * collision of the sum, as for any fingerprint). */
	rbsr_sum_diff(mine, &peer, d);
	if ((rv = s->ops->keys(s->src, lo, hi, RBSR_SCAN_MAX, s->scratch,
	    &n)) != RM_OK)
		return src_fail(why, rv, "keys");
	for (size_t i = 0; i < n && i < RBSR_SCAN_MAX; i++)
		if (memcmp(s->scratch[i].hash, d, RBSR_SUM_BYTES) == 0) {
			*found = true;
			return emit_send(s, &s->scratch[i], why);
		}
	return RM_OK;
}

/* ---------------- id lists ---------------- */

struct ids_walk {
	const struct rbsr_id *ids;
	size_t n, j;
	bool matched;                   /* ids[j] matched one of our keys */
	unsigned nmatch;                /* how many of ours matched ids[j] */
	struct rbsr_key first;          /* the first of them */
	rm_why *why;
};

static int
walk_key(rbsr_session *s, const struct rbsr_key *k, void *arg)
{
	struct ids_walk *w = arg;
	int rv;

	while (w->j < w->n && !rbsr_id_matches(&w->ids[w->j], k) &&
	    rbsr_id_cmp_key(&w->ids[w->j], k) < 0) {
		if (!w->matched && (rv = emit_want(s, &w->ids[w->j],
		    w->why)) != RM_OK)
			return rv;
		w->j++;
		w->matched = false;
		w->nmatch = 0;
	}
	if (w->j < w->n && rbsr_id_matches(&w->ids[w->j], k)) {
		w->matched = true;      /* the peer has it */
		/* Two of ours share this id (the first 16 bytes of their
		 * hashes): we cannot tell which the peer has, so it gets both
		 * (a duplicate is harmless). */
		if (++w->nmatch == 1) {
			w->first = *k;
			return RM_OK;
		}
		if (w->nmatch == 2 && (rv = emit_send(s, &w->first,
		    w->why)) != RM_OK)
			return rv;
	}
	return emit_send(s, k, w->why);
}

int
rbsr_take_ids(rbsr_session *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, const struct rbsr_id *ids, size_t n,
    rm_why *why)
{
	struct ids_walk w = { .ids = ids, .n = n, .why = why };
	int rv;

	if ((rv = each_key(s, lo, hi, walk_key, &w, why)) != RM_OK)
		return rv;
	for (; w.j < n; w.j++, w.matched = false)
		if (!w.matched && (rv = emit_want(s, &ids[w.j], why)) != RM_OK)
			return rv;
	return RM_OK;
}

/* ---------------- summaries and splits ---------------- */

static int
put_ids(rbsr_session *s, struct rbsr_enc *e, const struct rbsr_key *lo,
    const struct rbsr_key *hi, rm_why *why, size_t max)
{
	size_t n;
	int rv;

	if ((rv = s->ops->keys(s->src, lo, hi, max, s->scratch, &n)) != RM_OK)
		return src_fail(why, rv, "keys");
	if (n > max)
		return rm_fail(why, RM_EINVAL, "rbsr: source returned %zu keys "
		    "for %zu", n, max);
	if ((rv = rbsr_enc_ids(e, hi, s->scratch, n)) != RM_OK)
		return rm_fail(why, rv, "rbsr: encoding ids: %s",
		    rm_strerror(rv));
	s->st.ids_out += n;
	return RM_OK;
}

int
rbsr_summary(rbsr_session *s, struct rbsr_enc *e, const struct rbsr_key *lo,
    const struct rbsr_key *hi, const struct rbsr_sum *mine, rm_why *why)
{
	int rv;

	if (mine->count <= RBSR_IDS_SEVERAL)
		return put_ids(s, e, lo, hi, why, RBSR_IDS_SEVERAL);
	if ((rv = rbsr_enc_fp(e, hi, mine)) != RM_OK)
		return rm_fail(why, rv, "rbsr: encoding a fingerprint: %s",
		    rm_strerror(rv));
	return RM_OK;
}

/* How many children: about three per expected difference, so that most
 * children differ by none or one key and a one-key difference is
 * resolved from the sums at once. */
static uint64_t
fanout(uint64_t count, uint64_t peer_count, double lambda, double *est_out)
{
	double est = lambda;
	double dc = count > peer_count ? (double)(count - peer_count) :
	    (double)(peer_count - count);
	uint64_t f;

	if (dc > est)
		est = dc;
	if (est < 1)
		est = 1;
	*est_out = est;
	f = (uint64_t)ceil(est * 3);
	if (f < RBSR_FANOUT_MIN)
		f = RBSR_FANOUT_MIN;
	if (f > RBSR_FANOUT_MAX)
		f = RBSR_FANOUT_MAX;
	if (f > count)
		f = count;
	return f;
}

/* Child j's upper bound: between the keys at idx-1 and idx. */
static int
child_bound(rbsr_session *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, uint64_t idx, struct rbsr_key *out,
    rm_why *why)
{
	struct rbsr_key a, b;
	int rv;

	if ((rv = s->ops->nth(s->src, lo, hi, idx - 1, &a)) != RM_OK ||
	    (rv = s->ops->nth(s->src, lo, hi, idx, &b)) != RM_OK)
		return src_fail(why, rv, "nth");
	if (rbsr_key_cmp(&a, &b) >= 0 || rbsr_key_cmp(&a, lo) < 0 ||
	    rbsr_key_cmp(&b, hi) >= 0)
		return rm_fail(why, RM_EINVAL, "rbsr: source keys out of order");
	rbsr_bound_between(&a, &b, out);
	return RM_OK;
}

int
rbsr_split(rbsr_session *s, struct rbsr_enc *e, const struct rbsr_key *lo,
    const struct rbsr_key *hi, const struct rbsr_sum *mine, uint64_t f,
    bool sums, rm_why *why)
{
	struct rbsr_key clo = *lo, chi;
	struct rbsr_sum cs;
	int rv;

	for (uint64_t j = 1; j <= f; j++) {
		if (j == f)
			chi = *hi;
		else if ((rv = child_bound(s, lo, hi, j * mine->count / f,
		    &chi, why)) != RM_OK)
			return rv;
		if ((rv = s->ops->sum(s->src, &clo, &chi, &cs)) != RM_OK)
			return src_fail(why, rv, "sum");
		if (cs.count <= RBSR_IDS_SMALL / 8)
			rv = put_ids(s, e, &clo, &chi, why, RBSR_IDS_SMALL);
		else if (sums && (rv = rbsr_enc_sum(e, &chi, &cs)) != RM_OK)
			rv = rm_fail(why, rv, "rbsr: encoding a sum: %s",
			    rm_strerror(rv));
		else if (!sums)
			rv = rbsr_summary(s, e, &clo, &chi, &cs, why);
		if (rv != RM_OK)
			return rv;
		s->st.ranges_out++;
		clo = chi;
	}
	return RM_OK;
}

int
rbsr_mismatch(rbsr_session *s, struct rbsr_enc *e, const struct rbsr_key *lo,
    const struct rbsr_key *hi, const struct rbsr_sum *mine,
    uint64_t peer_count, double lambda, rm_why *why)
{
	int rv;

	if (peer_count == 0 && mine->count > 0) {
		/* the peer says it has nothing here: it gets all of ours */
		if ((rv = rbsr_send_all(s, lo, hi, why)) != RM_OK)
			return rv;
		if ((rv = rbsr_enc_skip(e, hi)) != RM_OK)
			return rm_fail(why, rv, "rbsr: encoding: %s",
			    rm_strerror(rv));
		return RM_OK;
	}
	double est;
	uint64_t f;

	if (mine->count <= RBSR_IDS_SMALL)
		return put_ids(s, e, lo, hi, why, RBSR_IDS_SMALL);
	f = fanout(mine->count, peer_count, lambda, &est);
	return rbsr_split(s, e, lo, hi, mine, f, est / (double)f <= 1.0 &&
	    mine->count / f <= RBSR_SCAN_MAX, why);
}
