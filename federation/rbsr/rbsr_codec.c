/*
 * rbsr_codec.c -- the RBSR message decoder (docs/PROTOCOL.md
 * "Range-based set reconciliation"): strict deterministic CBOR, bounded
 * in bytes, ranges and ids, refusing out-of-order, overlapping and empty
 * ranges and non-canonical forms, so that one message has one encoding.
 * A libFuzzer target (tests/fuzz/fuzz_rbsr.c).
 */
#include <stdlib.h>
#include <string.h>

#include "federation/rbsr/rbsr_int.h"

void
rbsr_bound_wire(const struct rbsr_key *k, size_t *prefix_len)
{
	size_t n = RM_HASH_BYTES;

	if (rbsr_key_is_max(k)) {
		*prefix_len = 0;
		return;
	}
	while (n > 0 && k->hash[n - 1] == 0)
		n--;
	*prefix_len = n;
}

void
rbsr_bound_between(const struct rbsr_key *prev, const struct rbsr_key *k,
    struct rbsr_key *out)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->issued_ms = k->issued_ms;
	if (prev->issued_ms != k->issued_ms)
		return;
	while (i < RM_HASH_BYTES && prev->hash[i] == k->hash[i])
		i++;
	/* prev < k, so i < 32 and k->hash[i] > prev->hash[i] */
	memcpy(out->hash, k->hash, i + 1);
}

int
rbsr_id_cmp_key(const struct rbsr_id *id, const struct rbsr_key *k)
{
	static const uint8_t zero[RM_HASH_BYTES - RBSR_ID_PREFIX_BYTES];
	int c;

	if (id->issued_ms != k->issued_ms)
		return id->issued_ms < k->issued_ms ? -1 : 1;
	if ((c = memcmp(id->prefix, k->hash, RBSR_ID_PREFIX_BYTES)) != 0)
		return c;
	return memcmp(zero, k->hash + RBSR_ID_PREFIX_BYTES, sizeof(zero));
}

bool
rbsr_id_matches(const struct rbsr_id *id, const struct rbsr_key *k)
{
	return id->issued_ms == k->issued_ms &&
	    memcmp(id->prefix, k->hash, RBSR_ID_PREFIX_BYTES) == 0;
}

static int
id_cmp(const struct rbsr_id *a, const struct rbsr_id *b)
{
	if (a->issued_ms != b->issued_ms)
		return a->issued_ms < b->issued_ms ? -1 : 1;
	return memcmp(a->prefix, b->prefix, RBSR_ID_PREFIX_BYTES);
}

/* issued = base + delta, refusing overflow. */
static int
rd_issued(rm_cbor_rd *rd, uint64_t base, uint64_t *out, const char *what,
    size_t i, rm_why *why)
{
	uint64_t d;
	int rv;

	if ((rv = rm_cbor_rd_uint(rd, &d)) != RM_OK)
		return rm_fail(why, rv, "range %zu: %s: expected uint delta",
		    i, what);
	if (d > UINT64_MAX - base)
		return rm_fail(why, RM_EBADVALUE, "range %zu: %s: issued "
		    "overflows", i, what);
	*out = base + d;
	return RM_OK;
}

static int
rd_bound(rm_cbor_rd *rd, const struct rbsr_key *lo, size_t i,
    struct rbsr_key *hi, rm_why *why)
{
	const uint8_t *p;
	size_t n;
	int rv;

	memset(hi, 0, sizeof(*hi));
	if ((rv = rd_issued(rd, lo->issued_ms, &hi->issued_ms, "bound", i,
	    why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_bytes(rd, &p, &n)) != RM_OK)
		return rm_fail(why, rv, "range %zu: bound prefix: expected "
		    "bstr", i);
	if (n > RM_HASH_BYTES)
		return rm_fail(why, RM_ETOOBIG, "range %zu: bound prefix of "
		    "%zu bytes, limit %d", i, n, RM_HASH_BYTES);
	if (n > 0 && p[n - 1] == 0)
		return rm_fail(why, RM_ENONCANON, "range %zu: bound prefix "
		    "ends in a zero byte", i);
	if (hi->issued_ms == UINT64_MAX) {
		if (n != 0)
			return rm_fail(why, RM_EBADVALUE, "range %zu: bound "
			    "with issued 2^64-1 must have no prefix", i);
		*hi = rbsr_key_max;
	} else
		memcpy(hi->hash, p, n);
	if (rbsr_key_cmp(hi, lo) <= 0)
		return rm_fail(why, RM_EBADVALUE, "range %zu: bound not above "
		    "the previous one (out of order or empty range)", i);
	return RM_OK;
}

static int
rd_fixed(rm_cbor_rd *rd, uint8_t *out, size_t want, const char *what,
    size_t i, rm_why *why)
{
	const uint8_t *p;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_bytes(rd, &p, &n)) != RM_OK)
		return rm_fail(why, rv, "range %zu: %s: expected bstr", i, what);
	if (n != want)
		return rm_fail(why, RM_EBADVALUE, "range %zu: %s: %zu bytes, "
		    "must be %zu", i, what, n, want);
	memcpy(out, p, n);
	return RM_OK;
}

static int
rd_ids(rm_cbor_rd *rd, const struct rbsr_key *lo, struct rbsr_range *r,
    struct rbsr_msg *m, size_t i, rm_why *why)
{
	uint64_t base = lo->issued_ms;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "range %zu: ids: expected array", i);
	if (n % 2 != 0)
		return rm_fail(why, RM_EMALFORMED, "range %zu: ids: %zu "
		    "items, must be pairs", i, n);
	if (n / 2 > RBSR_IDS_MAX - m->nids)
		return rm_fail(why, RM_ETOOBIG, "range %zu: more than %d ids "
		    "in the message", i, RBSR_IDS_MAX);
	r->ids_off = m->nids;
	r->ids_n = n / 2;
	for (size_t j = 0; j < n / 2; j++) {
		struct rbsr_id *id = &m->ids[m->nids];

		if ((rv = rd_issued(rd, base, &id->issued_ms, "id", i,
		    why)) != RM_OK ||
		    (rv = rd_fixed(rd, id->prefix, RBSR_ID_PREFIX_BYTES,
		    "id prefix", i, why)) != RM_OK)
			return rv;
		base = id->issued_ms;
		if (j == 0 ? (id->issued_ms < lo->issued_ms ||
		    (id->issued_ms == lo->issued_ms &&
		    memcmp(id->prefix, lo->hash, RBSR_ID_PREFIX_BYTES) < 0)) :
		    id_cmp(id, id - 1) <= 0)
			return rm_fail(why, RM_EBADVALUE, "range %zu: id %zu "
			    "below its range or not above the previous id",
			    i, j);
		if (rbsr_id_cmp_key(id, &r->hi) >= 0)
			return rm_fail(why, RM_EBADVALUE, "range %zu: id %zu "
			    "not below the range's bound", i, j);
		m->nids++;
	}
	return RM_OK;
}

static const size_t mode_arity[] = {
	[RBSR_MODE_SKIP] = 3, [RBSR_MODE_FP] = 5, [RBSR_MODE_SUM] = 5,
	[RBSR_MODE_IDS] = 4,
};

static int
rd_range(rm_cbor_rd *rd, struct rbsr_key *lo, struct rbsr_msg *m, size_t i,
    rm_why *why)
{
	struct rbsr_range *r = &m->ranges[i];
	uint64_t mode;
	size_t arity;
	int rv;

	memset(r, 0, sizeof(*r));
	if ((rv = rm_cbor_rd_array(rd, &arity)) != RM_OK)
		return rm_fail(why, rv == RM_EBADVALUE ? RM_EMALFORMED : rv,
		    "range %zu: expected array", i);
	if (arity < 3)
		return rm_fail(why, RM_EMALFORMED, "range %zu: %zu elements, "
		    "at least 3", i, arity);
	if ((rv = rd_bound(rd, lo, i, &r->hi, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_uint(rd, &mode)) != RM_OK)
		return rm_fail(why, rv, "range %zu: mode: expected uint", i);
	if (mode > RBSR_MODE_IDS)
		return rm_fail(why, RM_EUNKNOWN, "range %zu: unknown mode %llu",
		    i, (unsigned long long)mode);
	if (arity != mode_arity[mode])
		return rm_fail(why, RM_EMALFORMED, "range %zu: %zu elements, "
		    "mode %llu has %zu", i, arity, (unsigned long long)mode,
		    mode_arity[mode]);
	r->mode = (enum rbsr_mode)mode;
	if (r->mode == RBSR_MODE_SKIP && i > 0 &&
	    m->ranges[i - 1].mode == RBSR_MODE_SKIP)
		return rm_fail(why, RM_ENONCANON, "range %zu: two skips in a "
		    "row", i);
	switch (r->mode) {
	case RBSR_MODE_FP:
	case RBSR_MODE_SUM:
		if (r->mode == RBSR_MODE_FP)
			rv = rd_fixed(rd, r->fp, RBSR_FP_BYTES, "fingerprint",
			    i, why);
		else
			rv = rd_fixed(rd, r->sum, RBSR_SUM_BYTES, "sum", i,
			    why);
		if (rv != RM_OK)
			return rv;
		if ((rv = rm_cbor_rd_uint(rd, &r->count)) != RM_OK)
			return rm_fail(why, rv, "range %zu: count: expected "
			    "uint", i);
		break;
	case RBSR_MODE_IDS:
		if ((rv = rd_ids(rd, lo, r, m, i, why)) != RM_OK)
			return rv;
		break;
	default:
		break;
	}
	*lo = r->hi;
	return RM_OK;
}

int
rbsr_msg_decode(const uint8_t *p, size_t n, struct rbsr_msg *out, rm_why *why)
{
	struct rbsr_msg m = { 0 };
	struct rbsr_key lo = RBSR_KEY_MIN;
	rm_cbor_rd rd;
	size_t nr;
	int rv;

	if (n > RBSR_MSG_MAX)
		return rm_fail(why, RM_ETOOBIG, "rbsr message: %zu bytes, "
		    "limit %d", n, RBSR_MSG_MAX);
	rm_cbor_rd_init(&rd, p, n);
	if ((rv = rm_cbor_rd_array(&rd, &nr)) != RM_OK)
		return rm_fail(why, rv == RM_EBADVALUE ? RM_EMALFORMED : rv,
		    "rbsr message: not a CBOR array");
	if (nr > RBSR_RANGES_MAX)
		return rm_fail(why, RM_ETOOBIG, "rbsr message: %zu ranges, "
		    "limit %d", nr, RBSR_RANGES_MAX);
	/* Each range takes at least 4 bytes, each id 18: bound the arrays
	 * by the input before allocating. */
	if (nr > n / 4)
		return rm_fail(why, RM_EMALFORMED, "rbsr message: %zu ranges "
		    "in %zu bytes", nr, n);
	if (nr > 0 && ((m.ranges = calloc(nr, sizeof(*m.ranges))) == NULL ||
	    (m.ids = calloc(n / 18 + 1, sizeof(*m.ids))) == NULL)) {
		rv = rm_fail(why, RM_ENOMEM, "rbsr message: out of memory");
		goto fail;
	}
	for (size_t i = 0; i < nr; i++) {
		if ((rv = rd_range(&rd, &lo, &m, i, why)) != RM_OK)
			goto fail;
		m.n = i + 1;
	}
	if (nr > 0 && m.ranges[nr - 1].mode == RBSR_MODE_SKIP) {
		rv = rm_fail(why, RM_ENONCANON, "rbsr message: ends with a "
		    "skip");
		goto fail;
	}
	if ((rv = rm_cbor_rd_end(&rd)) != RM_OK) {
		rm_fail(why, rv, "rbsr message: trailing bytes");
		goto fail;
	}
	*out = m;
	return RM_OK;
fail:
	rbsr_msg_fini(&m);
	return rv;
}

void
rbsr_msg_fini(struct rbsr_msg *m)
{
	if (m == NULL)
		return;
	free(m->ranges);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}
