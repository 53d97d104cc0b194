/*
 * record_enc.c -- deterministic CBOR encoding of a record body
 * (schemas/record.cddl, RFC 8949 §4.2.1). Keys are written in the order
 * of enum rec_key (schemas_int.h); nothing is sorted at run time.
 */
#include <string.h>

#include "schemas/schemas_int.h"

#define TRY(x)                                                           \
	do {                                                             \
		if ((rv = (x)) != RM_OK)                                 \
			return rv;                                       \
	} while (0)

static int
put_value(rm_buf *b, const struct rm_record *rec, int k)
{
	int rv;

	switch (k) {
	case RK_V:
		return rm_cbor_put_uint(b, rec->schema_version);
	case RK_TO:
		TRY(rm_cbor_put_array(b, rec->n_to));
		for (size_t i = 0; i < rec->n_to; i++)
			TRY(rm_cbor_put_cstr(b, rec->to[i]));
		return RM_OK;
	case RK_OID:
		return rm_cbor_put_cstr(b, rec->object_id);
	case RK_SEQ:
		return rm_cbor_put_uint(b, rec->seq);
	case RK_VER:
		return rm_cbor_put_uint(b, rec->ver);
	case RK_BODY:
		/* restricted: the COSE_Encrypt, even when the body is
		 * known here (the issuer's draft, a recipient's copy) */
		if (rec->n_to > 0)
			return rm_cbor_put_bytes(b, rec->enc, rec->enc_len);
		return rec->kind->encode(rec->body, b);
	case RK_KIND:
		return rm_cbor_put_cstr(b, rec->kind->name);
	case RK_PREV:
		return rm_cbor_put_bytes(b, rec->prev.b, RM_HASH_BYTES);
	case RK_AREAS:
		TRY(rm_cbor_put_array(b, rec->n_areas));
		for (size_t i = 0; i < rec->n_areas; i++)
			TRY(rm_cbor_put_cstr(b, rec->areas[i]));
		return RM_OK;
	case RK_ISSUED:
		return rm_cbor_put_int(b, rec->issued_ms);
	case RK_ORIGIN:
		return rm_cbor_put_cstr(b, rec->origin);
	case RK_EXPIRES:
		return rm_cbor_put_int(b, rec->expires_ms);
	case RK_SUPERSEDES:
		return rm_cbor_put_bytes(b, rec->supersedes.b, RM_HASH_BYTES);
	default:
		return RM_EINVAL;
	}
}

static int
encode_body(const struct rm_record *rec, rm_buf *b)
{
	bool present[RK_COUNT];
	size_t n = 0;
	int rv;

	for (int k = 0; k < RK_COUNT; k++)
		present[k] = true;
	present[RK_TO] = rec->n_to > 0;
	present[RK_PREV] = rec->has_prev;
	present[RK_EXPIRES] = rec->expires_ms != 0;
	present[RK_SUPERSEDES] = rec->has_supersedes;
	for (int k = 0; k < RK_COUNT; k++)
		n += present[k];
	TRY(rm_cbor_put_map(b, n));
	for (int k = 0; k < RK_COUNT; k++) {
		if (!present[k])
			continue;
		TRY(rm_cbor_put_cstr(b, rm_rec_keys[k]));
		TRY(put_value(b, rec, k));
	}
	return RM_OK;
}

int
record_encode(const struct rm_record *rec, rm_buf *out, rm_why *why)
{
	size_t old;
	int rv;

	if (out == NULL)
		return rm_fail(why, RM_EINVAL, "record: no output buffer");
	if ((rv = record_validate(rec, why)) != RM_OK)
		return rv;
	old = out->len;
	if ((rv = encode_body(rec, out)) != RM_OK) {
		out->len = old;
		if (rv == RM_ETOOBIG)
			return rm_fail(why, rv, "record: output buffer limit "
			    "reached");
		return rm_fail(why, rv, "record: %s", rm_strerror(rv));
	}
	if (out->len - old > record_max(rec)) {
		rv = rm_fail(why, RM_ETOOBIG, "record: encoded body %zu bytes, "
		    "limit %zu", out->len - old, record_max(rec));
		out->len = old;
		return rv;
	}
	return RM_OK;
}

size_t
record_max(const struct rm_record *rec)
{
	size_t m;

	if (rec == NULL || rec->kind == NULL || rec->kind->body_max == NULL ||
	    rec->body == NULL || record_restricted(rec))
		return RM_RECORD_BODY_MAX;
	m = rec->kind->body_max(rec);
	return m < RM_RECORD_BODY_MAX ? RM_RECORD_BODY_MAX :
	    m > RM_RECORD_ANY_MAX ? RM_RECORD_ANY_MAX : m;
}
