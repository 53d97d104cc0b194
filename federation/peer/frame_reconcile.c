/*
 * frame_reconcile.c -- the frames of range-based set reconciliation
 * (docs/PROTOCOL.md §2, §7a; version 3): RECONCILE [7, session, msg]
 * carries one rbsr message (decoded by federation/rbsr, not here), WANT
 * [8, [issued, prefix, ...]] the keys the sender lacks. Decoders for
 * frame.c's table, and the encoders.
 */
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"

#define ENC_BEGIN(out) size_t old_ = (out)->len; int rv_
#define ENC(call) do { if ((rv_ = (call)) != RM_OK) goto fail; } while (0)
#define ENC_END(out) return RM_OK; fail: (out)->len = old_; return rv_

int
fed_frame_dec_reconcile(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	int rv;

	if ((rv = rm_cbor_rd_uint(rd, &f->u.reconcile.session)) != RM_OK)
		return rm_fail(why, rv, "RECONCILE.session: expected uint");
	if (f->u.reconcile.session == 0)
		return rm_fail(why, RM_EBADVALUE, "RECONCILE.session: 0");
	if ((rv = rm_cbor_rd_bytes(rd, &f->u.reconcile.msg,
	    &f->u.reconcile.n)) != RM_OK)
		return rm_fail(why, rv, "RECONCILE.msg: expected bstr");
	if (f->u.reconcile.n > RBSR_MSG_MAX)
		return rm_fail(why, RM_ETOOBIG, "RECONCILE.msg: %zu bytes, "
		    "limit %d", f->u.reconcile.n, RBSR_MSG_MAX);
	return RM_OK;
}

int
fed_frame_dec_want(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	struct fed_want *w;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "WANT: expected array");
	if (n == 0 || n % 2 != 0)
		return rm_fail(why, RM_EMALFORMED, "WANT: %zu items, must be "
		    "(issued, prefix) pairs, at least one", n);
	if (n / 2 > FED_WANT_MAX)
		return rm_fail(why, RM_ETOOBIG, "WANT: %zu keys, limit %d",
		    n / 2, FED_WANT_MAX);
	if ((w = calloc(n / 2, sizeof(*w))) == NULL)
		return rm_fail(why, RM_ENOMEM, "WANT: out of memory");
	for (size_t i = 0; i < n / 2; i++) {
		if ((rv = rm_cbor_rd_uint(rd, &w[i].issued_ms)) != RM_OK) {
			rm_fail(why, rv, "WANT[%zu].issued: expected uint", i);
			goto fail;
		}
		if ((rv = rm_cbor_rd_bytes(rd, &w[i].prefix,
		    &w[i].prefix_len)) != RM_OK) {
			rm_fail(why, rv, "WANT[%zu].prefix: expected bstr", i);
			goto fail;
		}
		if (w[i].prefix_len == 0 || w[i].prefix_len > RM_HASH_BYTES) {
			rv = rm_fail(why, RM_EBADVALUE, "WANT[%zu].prefix: %zu "
			    "bytes, must be 1..%d", i, w[i].prefix_len,
			    RM_HASH_BYTES);
			goto fail;
		}
	}
	f->u.want.n = n / 2;
	f->u.want.w = w;
	return RM_OK;
fail:
	free(w);
	return rv;
}

int
fed_frame_reconcile(rm_buf *out, uint64_t session, const uint8_t *msg,
    size_t n)
{
	if (session == 0)
		return RM_EINVAL;
	if (n > RBSR_MSG_MAX)
		return RM_ETOOBIG;
	ENC_BEGIN(out);
	ENC(rm_cbor_put_array(out, 3));
	ENC(rm_cbor_put_uint(out, FED_RECONCILE));
	ENC(rm_cbor_put_uint(out, session));
	ENC(rm_cbor_put_bytes(out, msg, n));
	ENC_END(out);
}

int
fed_frame_want(rm_buf *out, const struct fed_want *w, size_t n)
{
	if (n == 0)
		return RM_EINVAL;
	if (n > FED_WANT_MAX)
		return RM_ETOOBIG;
	for (size_t i = 0; i < n; i++)
		if (w[i].prefix_len == 0 || w[i].prefix_len > RM_HASH_BYTES)
			return RM_EINVAL;
	ENC_BEGIN(out);
	ENC(rm_cbor_put_array(out, 2));
	ENC(rm_cbor_put_uint(out, FED_WANT));
	ENC(rm_cbor_put_array(out, 2 * n));
	for (size_t i = 0; i < n; i++) {
		ENC(rm_cbor_put_uint(out, w[i].issued_ms));
		ENC(rm_cbor_put_bytes(out, w[i].prefix, w[i].prefix_len));
	}
	ENC_END(out);
}
