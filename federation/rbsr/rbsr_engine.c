/*
 * rbsr_engine.c -- one side of one reconciliation (federation/rbsr/rbsr.h):
 * the first message, and the answer to each message of the peer, range
 * by range. The fan-out adapts to how many of the peer's ranges
 * matched (an estimate of the differences per range), so that a few
 * differences in a large set cost few bytes and many cost few rounds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "federation/rbsr/rbsr_int.h"

/* Room kept in an answer for the ranges one incoming range may become. */
#define ROOM_RANGES (RBSR_FANOUT_MAX + 2)
#define ROOM_BYTES (RBSR_FANOUT_MAX * 64 + RBSR_IDS_SEVERAL * 24 + 256)

int
rbsr_session_new(const struct rbsr_source_ops *ops, void *src,
    const struct rbsr_emit_ops *emit, void *ctx, rbsr_session **out)
{
	rbsr_session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->scratch = calloc(RBSR_SCAN_MAX, sizeof(*s->scratch))) ==
	    NULL) {
		free(s);
		return RM_ENOMEM;
	}
	s->ops = ops;
	s->src = src;
	s->emit = emit;
	s->ctx = ctx;
	*out = s;
	return RM_OK;
}

void
rbsr_session_free(rbsr_session *s)
{
	if (s == NULL)
		return;
	free(s->scratch);
	free(s);
}

void
rbsr_session_stats(const rbsr_session *s, struct rbsr_stats *out)
{
	*out = s->st;
}

static int
finish(rbsr_session *s, struct rbsr_enc *e, rm_buf *out, rm_why *why)
{
	size_t old = out->len;
	int rv;

	if ((rv = rbsr_enc_finish(e, out)) != RM_OK)
		return rm_fail(why, rv, "rbsr: encoding the message: %s",
		    rm_strerror(rv));
	s->st.rounds++;
	s->st.bytes_out += out->len - old;
	return RM_OK;
}

int
rbsr_session_start(rbsr_session *s, rm_buf *out, rm_why *why)
{
	const struct rbsr_key lo = RBSR_KEY_MIN;
	struct rbsr_enc e;
	struct rbsr_sum all;
	uint64_t f;
	int rv;

	if (s->started || s->failed)
		return rm_fail(why, RM_EINVAL, "rbsr: session already started");
	s->started = true;
	rbsr_enc_init(&e);
	if ((rv = s->ops->sum(s->src, &lo, &RBSR_KEY_MAX, &all)) != RM_OK) {
		rm_fail(why, rv, "rbsr: reading the set (sum): %s",
		    rm_strerror(rv));
		goto fail;
	}
	/* The first split: one range per 4096 keys (16..256), whose
	 * fingerprints the peer compares; how many match tells it how many
	 * differences to expect. */
	if (all.count <= RBSR_IDS_SMALL)
		rv = rbsr_mismatch(s, &e, &lo, &RBSR_KEY_MAX, &all, 1, 0, why);
	else {
		f = all.count / 4096;
		f = f < 16 ? 16 : f > RBSR_FANOUT_FIRST ? RBSR_FANOUT_FIRST : f;
		rv = rbsr_split(s, &e, &lo, &RBSR_KEY_MAX, &all,
		    f < all.count ? f : all.count, false, why);
	}
	if (rv == RM_OK)
		rv = finish(s, &e, out, why);
fail:
	rbsr_enc_fini(&e);
	if (rv != RM_OK)
		s->failed = true;
	return rv;
}

/* Expected differences in a range that differs, from how many of the
 * peer's summarised ranges matched ours: with k of t matching, about
 * lambda = -ln(k/t) per range (Poisson), lambda / (1 - e^-lambda) given
 * that it differs. */
static double
estimate(size_t matched, size_t total)
{
	double l;

	if (total == 0 || matched == total)
		return 1;
	if (matched == 0)
		l = log((double)total) + 1;
	else
		l = -log((double)matched / (double)total);
	return l / (1 - exp(-l));
}

/* Our sums of the peer's summarised ranges, and how many matched. */
static int
our_sums(rbsr_session *s, const struct rbsr_msg *m, struct rbsr_sum *mine,
    size_t *matched, size_t *total, rm_why *why)
{
	struct rbsr_key lo = RBSR_KEY_MIN;
	uint8_t fp[RBSR_FP_BYTES];
	int rv;

	*matched = *total = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct rbsr_range *r = &m->ranges[i];

		if (r->mode == RBSR_MODE_FP || r->mode == RBSR_MODE_SUM) {
			if ((rv = s->ops->sum(s->src, &lo, &r->hi, &mine[i])) !=
			    RM_OK)
				return rm_fail(why, rv, "rbsr: reading the set "
				    "(sum): %s", rm_strerror(rv));
			if (r->mode == RBSR_MODE_FP)
				rbsr_fingerprint(&mine[i], fp);
			if (mine[i].count == r->count &&
			    (r->mode == RBSR_MODE_FP ?
			    memcmp(fp, r->fp, RBSR_FP_BYTES) :
			    memcmp(mine[i].sum, r->sum, RBSR_SUM_BYTES)) == 0)
				(*matched)++;
			(*total)++;
		}
		lo = r->hi;
	}
	return RM_OK;
}

static bool
same(const struct rbsr_range *r, const struct rbsr_sum *mine)
{
	uint8_t fp[RBSR_FP_BYTES];

	if (r->count != mine->count)
		return false;
	if (r->mode == RBSR_MODE_SUM)
		return memcmp(r->sum, mine->sum, RBSR_SUM_BYTES) == 0;
	rbsr_fingerprint(mine, fp);
	return memcmp(r->fp, fp, RBSR_FP_BYTES) == 0;
}

/* A sum range that differs: resolved when we hold exactly one key more;
 * echoed when the peer holds one more (it resolves it); else split. */
static int
answer_sum(rbsr_session *s, struct rbsr_enc *e, const struct rbsr_key *lo,
    const struct rbsr_range *r, const struct rbsr_sum *mine, double lambda,
    rm_why *why)
{
	bool found;
	int rv;

	if (mine->count == r->count + 1) {
		if ((rv = rbsr_resolve_one(s, lo, &r->hi, mine, r->sum, &found,
		    why)) != RM_OK)
			return rv;
		if (found)
			return rbsr_enc_skip(e, &r->hi);
	} else if (mine->count + 1 == r->count &&
	    mine->count < RBSR_SCAN_MAX && mine->count > RBSR_IDS_SMALL / 8) {
		s->st.ranges_out++;
		return rbsr_enc_sum(e, &r->hi, mine);
	}
	/* Equal counts, or one apart and not one key: two or three
	 * differences at least. */
	if (lambda < (mine->count == r->count ? 2 : 3))
		lambda = mine->count == r->count ? 2 : 3;
	/* a small range known to differ in several keys: its ids end it */
	if (mine->count <= RBSR_IDS_SEVERAL && r->count > 0)
		return rbsr_summary(s, e, lo, &r->hi, mine, why);
	return rbsr_mismatch(s, e, lo, &r->hi, mine, r->count, lambda, why);
}

static int
answer(rbsr_session *s, const struct rbsr_msg *m, const struct rbsr_sum *mine,
    double lambda, struct rbsr_enc *e, rm_why *why)
{
	struct rbsr_key lo = RBSR_KEY_MIN;
	struct rbsr_sum rest;
	int rv = RM_OK;

	for (size_t i = 0; i < m->n && rv == RM_OK; i++) {
		const struct rbsr_range *r = &m->ranges[i];

		if (i > 0 && (rbsr_enc_ranges(e) + ROOM_RANGES >
		    RBSR_RANGES_MAX || rbsr_enc_bytes(e) + ROOM_BYTES >
		    RBSR_MSG_MAX || e->nids + 2 * RBSR_FANOUT_MAX + RBSR_IDS_SEVERAL >
		    RBSR_IDS_MAX)) {
			/* full: the rest is one range for the next round */
			if ((rv = s->ops->sum(s->src, &lo, &RBSR_KEY_MAX,
			    &rest)) != RM_OK)
				return rm_fail(why, rv, "rbsr: reading the set "
				    "(sum): %s", rm_strerror(rv));
			return rbsr_summary(s, e, &lo, &RBSR_KEY_MAX, &rest,
			    why);
		}
		switch (r->mode) {
		case RBSR_MODE_SKIP:
			rv = rbsr_enc_skip(e, &r->hi);
			break;
		case RBSR_MODE_FP:
			if (same(r, &mine[i]))
				rv = rbsr_enc_skip(e, &r->hi);
			else
				rv = rbsr_mismatch(s, e, &lo, &r->hi, &mine[i],
				    r->count, lambda, why);
			break;
		case RBSR_MODE_SUM:
			if (same(r, &mine[i]))
				rv = rbsr_enc_skip(e, &r->hi);
			else
				rv = answer_sum(s, e, &lo, r, &mine[i], lambda,
				    why);
			break;
		case RBSR_MODE_IDS:
			if ((rv = rbsr_take_ids(s, &lo, &r->hi,
			    m->ids + r->ids_off, r->ids_n, why)) == RM_OK)
				rv = rbsr_enc_skip(e, &r->hi);
			break;
		}
		lo = r->hi;
	}
	if (rv != RM_OK && why != NULL && why->msg[0] == '\0')
		rm_fail(why, rv, "rbsr: %s", rm_strerror(rv));
	return rv;
}

int
rbsr_session_reply(rbsr_session *s, const uint8_t *in, size_t n, rm_buf *out,
    bool *done, rm_why *why)
{
	struct rbsr_msg m;
	struct rbsr_sum *mine = NULL;
	struct rbsr_enc e;
	size_t matched, total;
	int rv;

	*done = false;
	if (s->done || s->failed)
		return rm_fail(why, RM_EINVAL, "rbsr: session is over");
	s->started = true;
	if (why != NULL)
		why->msg[0] = '\0';
	if ((rv = rbsr_msg_decode(in, n, &m, why)) != RM_OK) {
		s->failed = true;
		return rv;
	}
	s->st.rounds++;
	s->st.bytes_in += n;
	if (m.n == 0) {
		rbsr_msg_fini(&m);
		s->done = *done = true;
		return RM_OK;
	}
	if (s->st.rounds >= RBSR_ROUNDS_MAX) {
		rbsr_msg_fini(&m);
		s->failed = true;
		return rm_fail(why, RM_ETOOBIG, "rbsr: session exceeds %d "
		    "messages", RBSR_ROUNDS_MAX);
	}
	rbsr_enc_init(&e);
	if ((mine = calloc(m.n, sizeof(*mine))) == NULL) {
		rv = rm_fail(why, RM_ENOMEM, "rbsr: out of memory");
		goto out;
	}
	if ((rv = our_sums(s, &m, mine, &matched, &total, why)) != RM_OK ||
	    (rv = answer(s, &m, mine, estimate(matched, total), &e, why)) !=
	    RM_OK ||
	    (rv = finish(s, &e, out, why)) != RM_OK)
		goto out;
	if (e.n == 0)
		s->done = *done = true;
out:
	free(mine);
	rbsr_enc_fini(&e);
	rbsr_msg_fini(&m);
	if (rv != RM_OK)
		s->failed = true;
	return rv;
}
