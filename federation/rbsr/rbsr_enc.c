/*
 * rbsr_enc.c -- the RBSR message encoder: ranges appended in ascending
 * order, skips coalesced and a trailing skip dropped, so that what it
 * writes is the one encoding rbsr_msg_decode accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "federation/rbsr/rbsr_int.h"

void
rbsr_enc_init(struct rbsr_enc *e)
{
	memset(e, 0, sizeof(*e));
	e->body.limit = RBSR_MSG_MAX;
}

void
rbsr_enc_fini(struct rbsr_enc *e)
{
	rm_buf_fini(&e->body);
	memset(e, 0, sizeof(*e));
}

size_t
rbsr_enc_bytes(const struct rbsr_enc *e)
{
	return e->body.len + (e->pending_skip ? 12 : 0);
}

size_t
rbsr_enc_ranges(const struct rbsr_enc *e)
{
	return e->n + (e->pending_skip ? 1 : 0);
}

const struct rbsr_key *
rbsr_enc_lo(const struct rbsr_enc *e)
{
	return e->pending_skip ? &e->skip_hi : &e->lo;
}

/* [delta, prefix, mode, ...]: the head of a range of `arity` items. */
static int
put_head(struct rbsr_enc *e, const struct rbsr_key *hi, size_t arity,
    enum rbsr_mode mode)
{
	size_t plen;
	int rv;

	if (rbsr_key_cmp(hi, &e->lo) <= 0 ||
	    (hi->issued_ms == UINT64_MAX && !rbsr_key_is_max(hi)))
		return RM_EINVAL;
	if (e->n >= RBSR_RANGES_MAX)
		return RM_ETOOBIG;
	rbsr_bound_wire(hi, &plen);
	if ((rv = rm_cbor_put_array(&e->body, arity)) != RM_OK ||
	    (rv = rm_cbor_put_uint(&e->body, hi->issued_ms -
	    e->lo.issued_ms)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(&e->body, hi->hash, plen)) != RM_OK ||
	    (rv = rm_cbor_put_uint(&e->body, mode)) != RM_OK)
		return rv;
	return RM_OK;
}

/* Write the pending skip before a range that is not one. */
static int
flush_skip(struct rbsr_enc *e)
{
	size_t old = e->body.len;
	int rv;

	if (!e->pending_skip)
		return RM_OK;
	if ((rv = put_head(e, &e->skip_hi, 3, RBSR_MODE_SKIP)) != RM_OK) {
		e->body.len = old;
		return rv;
	}
	e->pending_skip = false;
	e->lo = e->skip_hi;
	e->n++;
	return RM_OK;
}

int
rbsr_enc_skip(struct rbsr_enc *e, const struct rbsr_key *hi)
{
	if (rbsr_key_cmp(hi, rbsr_enc_lo(e)) <= 0 ||
	    (hi->issued_ms == UINT64_MAX && !rbsr_key_is_max(hi)))
		return RM_EINVAL;
	e->pending_skip = true;
	e->skip_hi = *hi;
	return RM_OK;
}

static int
enc_summary(struct rbsr_enc *e, const struct rbsr_key *hi,
    enum rbsr_mode mode, const uint8_t *p, size_t n, uint64_t count)
{
	size_t old = e->body.len;
	int rv;

	if ((rv = flush_skip(e)) != RM_OK)
		return rv;
	old = e->body.len;
	if ((rv = put_head(e, hi, 5, mode)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(&e->body, p, n)) != RM_OK ||
	    (rv = rm_cbor_put_uint(&e->body, count)) != RM_OK) {
		e->body.len = old;
		return rv;
	}
	e->lo = *hi;
	e->n++;
	return RM_OK;
}

int
rbsr_enc_fp(struct rbsr_enc *e, const struct rbsr_key *hi,
    const struct rbsr_sum *s)
{
	uint8_t fp[RBSR_FP_BYTES];

	rbsr_fingerprint(s, fp);
	return enc_summary(e, hi, RBSR_MODE_FP, fp, sizeof(fp), s->count);
}

int
rbsr_enc_sum(struct rbsr_enc *e, const struct rbsr_key *hi,
    const struct rbsr_sum *s)
{
	return enc_summary(e, hi, RBSR_MODE_SUM, s->sum, RBSR_SUM_BYTES,
	    s->count);
}

/* ids as given (ascending, inside [lo, hi)); refused otherwise. */
static int
enc_ids(struct rbsr_enc *e, const struct rbsr_key *hi,
    const struct rbsr_id *ids, size_t n)
{
	uint64_t base;
	size_t old;
	int rv;

	if ((rv = flush_skip(e)) != RM_OK)
		return rv;
	if (n > RBSR_IDS_MAX - e->nids)
		return RM_ETOOBIG;
	old = e->body.len;
	base = e->lo.issued_ms;
	if ((rv = put_head(e, hi, 4, RBSR_MODE_IDS)) != RM_OK ||
	    (rv = rm_cbor_put_array(&e->body, 2 * n)) != RM_OK)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (ids[i].issued_ms < base || rbsr_id_cmp_key(&ids[i], hi) >=
		    0 || (i == 0 && (ids[0].issued_ms == e->lo.issued_ms &&
		    memcmp(ids[0].prefix, e->lo.hash, RBSR_ID_PREFIX_BYTES) <
		    0)) || (i > 0 && ids[i].issued_ms == base &&
		    memcmp(ids[i].prefix, ids[i - 1].prefix,
		    RBSR_ID_PREFIX_BYTES) <= 0)) {
			rv = RM_EINVAL;
			goto fail;
		}
		if ((rv = rm_cbor_put_uint(&e->body, ids[i].issued_ms -
		    base)) != RM_OK || (rv = rm_cbor_put_bytes(&e->body,
		    ids[i].prefix, RBSR_ID_PREFIX_BYTES)) != RM_OK)
			goto fail;
		base = ids[i].issued_ms;
	}
	e->lo = *hi;
	e->n++;
	e->nids += n;
	return RM_OK;
fail:
	e->body.len = old;
	return rv;
}

int
rbsr_enc_ids(struct rbsr_enc *e, const struct rbsr_key *hi,
    const struct rbsr_key *keys, size_t n)
{
	struct rbsr_id *ids;
	size_t m = 0;
	int rv;

	if (n > RBSR_IDS_MAX)
		return RM_ETOOBIG;
	if ((ids = malloc((n ? n : 1) * sizeof(*ids))) == NULL)
		return RM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct rbsr_id id;

		id.issued_ms = keys[i].issued_ms;
		memcpy(id.prefix, keys[i].hash, RBSR_ID_PREFIX_BYTES);
		/* two keys sharing (issued, prefix) are one id */
		if (m > 0 && ids[m - 1].issued_ms == id.issued_ms &&
		    memcmp(ids[m - 1].prefix, id.prefix,
		    RBSR_ID_PREFIX_BYTES) == 0)
			continue;
		ids[m++] = id;
	}
	rv = enc_ids(e, hi, ids, m);
	free(ids);
	return rv;
}

int
rbsr_enc_finish(struct rbsr_enc *e, rm_buf *out)
{
	size_t old = out->len;
	int rv;

	/* a trailing skip is implied */
	e->pending_skip = false;
	if (e->body.len + 9 > RBSR_MSG_MAX)
		return RM_ETOOBIG;
	if ((rv = rm_cbor_put_array(out, e->n)) != RM_OK ||
	    (rv = rm_buf_append(out, e->body.data, e->body.len)) != RM_OK) {
		out->len = old;
		return rv;
	}
	return RM_OK;
}

int
rbsr_msg_encode(const struct rbsr_msg *m, rm_buf *out)
{
	struct rbsr_enc e;
	struct rbsr_sum s;
	int rv = RM_OK;

	if (m->n > 0 && m->ranges[m->n - 1].mode == RBSR_MODE_SKIP)
		return RM_EINVAL;
	rbsr_enc_init(&e);
	for (size_t i = 0; i < m->n && rv == RM_OK; i++) {
		const struct rbsr_range *r = &m->ranges[i];

		switch (r->mode) {
		case RBSR_MODE_SKIP:
			if (i > 0 && m->ranges[i - 1].mode == RBSR_MODE_SKIP)
				rv = RM_EINVAL;
			else
				rv = rbsr_enc_skip(&e, &r->hi);
			break;
		case RBSR_MODE_FP:
			if ((rv = flush_skip(&e)) == RM_OK)
				rv = enc_summary(&e, &r->hi, RBSR_MODE_FP,
				    r->fp, RBSR_FP_BYTES, r->count);
			break;
		case RBSR_MODE_SUM:
			memcpy(s.sum, r->sum, RBSR_SUM_BYTES);
			s.count = r->count;
			rv = rbsr_enc_sum(&e, &r->hi, &s);
			break;
		case RBSR_MODE_IDS:
			if (r->ids_off > m->nids ||
			    r->ids_n > m->nids - r->ids_off)
				rv = RM_EINVAL;
			else
				rv = enc_ids(&e, &r->hi, m->ids + r->ids_off,
				    r->ids_n);
			break;
		default:
			rv = RM_EINVAL;
		}
	}
	if (rv == RM_OK)
		rv = rbsr_enc_finish(&e, out);
	rbsr_enc_fini(&e);
	return rv;
}
