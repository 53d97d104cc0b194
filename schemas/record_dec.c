/*
 * record_dec.c -- strict decoding of a record body (schemas/record.cddl).
 *
 * Order of checks: size limit; the strict reader (canonical heads, key
 * order, no duplicates, no trailing bytes); types, unknown and missing
 * keys; the kind-specific body; record_validate(); and finally a
 * re-encoding that must reproduce the input byte for byte, so that
 * record_decode() accepts exactly what record_encode() produces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas_int.h"

#define TRY(x)                                                           \
	do {                                                             \
		if ((rv = (x)) != RM_OK)                                 \
			return rv;                                       \
	} while (0)

/* Where the body map sits in the input, decoded after "kind" is known
 * ("body" sorts before "kind"); enc: the body is a bstr (the
 * COSE_Encrypt of a restricted record) and p/n are its contents. */
struct body_span {
	const uint8_t *p;
	size_t n;
	bool enc;
};

static int
dec_fixed(rm_cbor_rd *rd, const char *field, char *dst, size_t max,
    rm_why *why)
{
	const char *p;
	size_t n;
	int rv;

	TRY(sch_dec_text(rd, field, max, &p, &n, why));
	memcpy(dst, p, n);
	dst[n] = '\0';
	return RM_OK;
}

static int
dec_hash(rm_cbor_rd *rd, const char *field, rm_hash *h, rm_why *why)
{
	const uint8_t *p;
	size_t n;
	int rv;

	TRY(sch_dec_bytes(rd, field, &p, &n, why));
	if (n != RM_HASH_BYTES)
		return rm_fail(why, RM_EBADVALUE, "%s: %zu bytes, expected %d",
		    field, n, RM_HASH_BYTES);
	memcpy(h->b, p, RM_HASH_BYTES);
	return RM_OK;
}

static int
dec_areas(rm_cbor_rd *rd, struct rm_record *r, rm_why *why)
{
	char f[32];
	size_t n;
	int rv;

	TRY(sch_dec_array(rd, "areas", &n, why));
	if (n == 0)
		return rm_fail(why, RM_EBADVALUE,
		    "areas: at least one area code required");
	if (n > RM_AREAS_MAX)
		return rm_fail(why, RM_ETOOBIG, "areas: %zu codes, limit %d",
		    n, RM_AREAS_MAX);
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "areas[%zu]", i);
		TRY(dec_fixed(rd, f, r->areas[i], RM_AREA_CODE_MAX, why));
	}
	r->n_areas = n;
	return RM_OK;
}

/* ["to"]: 1..RM_RECORD_TO_MAX agency ids, sorted and unique (checked by
 * record_validate). */
static int
dec_to(rm_cbor_rd *rd, struct rm_record *r, rm_why *why)
{
	char f[32];
	size_t n;
	int rv;

	TRY(sch_dec_array(rd, "to", &n, why));
	if (n == 0)
		return rm_fail(why, RM_EBADVALUE, "to: at least one recipient "
		    "(omit the key for an unrestricted record)");
	if (n > RM_RECORD_TO_MAX)
		return rm_fail(why, RM_ETOOBIG, "to: %zu recipients, limit %d",
		    n, RM_RECORD_TO_MAX);
	if ((r->to = calloc(n, sizeof(*r->to))) == NULL)
		return rm_fail(why, RM_ENOMEM, "record: out of memory");
	r->n_to = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "to[%zu]", i);
		TRY(dec_fixed(rd, f, r->to[i], RM_AGENCY_ID_MAX, why));
	}
	return RM_OK;
}

/*
 * The reader only says "bad item somewhere in the body", and "kind"
 * comes after "body": decode the body as each registered kind would and
 * report the error of the kind that read furthest before failing, so
 * the message names the field ("alert.texts[0].headline: ...").
 * RM_OK if no kind found an error.
 */
static int
diagnose_body(const uint8_t *p, size_t n, rm_why *why)
{
	const struct rm_kind_ops *k;
	size_t best_off = 0;
	int best = RM_OK;

	for (unsigned i = 0; (k = kind_at(i)) != NULL; i++) {
		rm_cbor_rd rd;
		rm_why w = { 0 };
		void *body = calloc(1, k->body_size);
		int rv;

		if (body == NULL)
			return rm_fail(why, RM_ENOMEM, "record: out of memory");
		rm_cbor_rd_init(&rd, p, n);
		rv = k->decode(&rd, body, &w);
		k->fini(body);
		free(body);
		if (rv != RM_OK && (best == RM_OK || rd.off > best_off)) {
			best = rv;
			best_off = rd.off;
			if (why != NULL)
				*why = w;
		}
	}
	return best;
}

static int
dec_field(rm_cbor_rd *rd, int k, struct rm_record *r, struct body_span *body,
    rm_why *why)
{
	char q[160];
	const char *p;
	uint64_t u;
	size_t n, start;
	int rv;

	switch (k) {
	case RK_V:
		TRY(sch_dec_uint(rd, "v", &u, why));
		if (u != RM_SCHEMA_VERSION)
			return rm_fail(why, RM_EUNKNOWN, "v: unknown schema "
			    "version %llu", (unsigned long long)u);
		r->schema_version = (uint32_t)u;
		return RM_OK;
	case RK_OID:
		return dec_fixed(rd, "oid", r->object_id, RM_OBJECT_ID_MAX,
		    why);
	case RK_SEQ:
		return sch_dec_uint(rd, "seq", &r->seq, why);
	case RK_VER:
		return sch_dec_uint(rd, "ver", &r->ver, why);
	case RK_TO:
		return dec_to(rd, r, why);
	case RK_BODY:
		start = rd->off;
		if (rm_cbor_rd_peek(rd) == RM_CBOR_BYTES) {
			TRY(sch_dec_bytes(rd, "body", &body->p, &body->n, why));
			body->enc = true;
			return RM_OK;
		}
		if (rm_cbor_rd_peek(rd) != RM_CBOR_MAP)
			return sch_dec_map(rd, "body", &n, why); /* diagnoses */
		if ((rv = rm_cbor_rd_skip(rd)) != RM_OK) {
			int drv = diagnose_body(rd->p + start, rd->n - start,
			    why);
			if (drv == RM_OK)
				return sch_dec_err(why, rv, "body");
			return drv;
		}
		body->p = rd->p + start;
		body->n = rd->off - start;
		return RM_OK;
	case RK_KIND:
		TRY(sch_dec_text(rd, "kind", 256, &p, &n, why));
		if ((r->kind = kind_find(p, n)) != NULL)
			return RM_OK;
		schemas_quote(p, n, q);
		return rm_fail(why, RM_EUNKNOWN, "kind: unknown kind %s", q);
	case RK_PREV:
		TRY(dec_hash(rd, "prev", &r->prev, why));
		r->has_prev = true;
		return RM_OK;
	case RK_AREAS:
		return dec_areas(rd, r, why);
	case RK_ISSUED:
		return sch_dec_int(rd, "issued", &r->issued_ms, why);
	case RK_ORIGIN:
		return dec_fixed(rd, "origin", r->origin, RM_AGENCY_ID_MAX,
		    why);
	case RK_EXPIRES:
		TRY(sch_dec_int(rd, "expires", &r->expires_ms, why));
		if (r->expires_ms == 0)
			return rm_fail(why, RM_EBADVALUE, "expires: 0 (omit "
			    "the key for no expiry)");
		return RM_OK;
	case RK_SUPERSEDES:
		TRY(dec_hash(rd, "supersedes", &r->supersedes, why));
		r->has_supersedes = true;
		return RM_OK;
	default:
		return rm_fail(why, RM_EINVAL, "record: internal key %d", k);
	}
}

/* The body map, as r->kind (known now) reads it. */
static int
decode_body(const struct body_span *body, struct rm_record *r, rm_why *why)
{
	rm_cbor_rd rd;
	int rv;

	if (body->enc != (r->n_to > 0))
		return rm_fail(why, RM_EBADVALUE, body->enc ? "body: a bstr "
		    "(COSE_Encrypt) requires \"to\"" : "body: must be a "
		    "bstr (COSE_Encrypt) when \"to\" is present");
	if (body->enc) {
		if (body->n == 0)
			return rm_fail(why, RM_EBADVALUE, "body: empty "
			    "COSE_Encrypt");
		if ((r->enc = malloc(body->n)) == NULL)
			return rm_fail(why, RM_ENOMEM, "record: out of memory");
		memcpy(r->enc, body->p, body->n);
		r->enc_len = body->n;
		return RM_OK;
	}
	if ((r->body = calloc(1, r->kind->body_size)) == NULL)
		return rm_fail(why, RM_ENOMEM, "record: out of memory");
	rm_cbor_rd_init(&rd, body->p, body->n);
	if ((rv = r->kind->decode(&rd, r->body, why)) != RM_OK)
		return rv;
	if (rm_cbor_rd_end(&rd) != RM_OK)
		return rm_fail(why, RM_EMALFORMED, "%s: trailing bytes",
		    r->kind->name);
	return RM_OK;
}

static int
decode_fields(const uint8_t *p, size_t n, struct rm_record *r, rm_why *why)
{
	static const int required[] = {
		RK_V, RK_OID, RK_SEQ, RK_VER, RK_BODY, RK_KIND, RK_AREAS,
		RK_ISSUED, RK_ORIGIN,
	};
	bool seen[RK_COUNT] = { false };
	struct body_span body = { NULL, 0, false };
	rm_cbor_keys keys;
	rm_cbor_rd rd;
	size_t npairs;
	int rv, k;

	rm_cbor_rd_init(&rd, p, n);
	TRY(sch_dec_map(&rd, "record", &npairs, why));
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < npairs; i++) {
		TRY(sch_dec_key(&rd, &keys, "record", rm_rec_keys, RK_COUNT, &k,
		    why));
		seen[k] = true;
		TRY(dec_field(&rd, k, r, &body, why));
	}
	if (rm_cbor_rd_end(&rd) != RM_OK)
		return rm_fail(why, RM_EMALFORMED, "record: %zu trailing "
		    "bytes after the body map", rd.n - rd.off);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!seen[required[i]])
			return rm_fail(why, RM_EMISSING, "%s: required",
			    rm_rec_keys[required[i]]);
	return decode_body(&body, r, why);
}

int
record_decode(const uint8_t *p, size_t n, struct rm_record *out, rm_why *why)
{
	struct rm_record *r;
	rm_buf re = RM_BUF_INIT;
	int rv;

	if (out == NULL)
		return rm_fail(why, RM_EINVAL, "record: no output");
	memset(out, 0, sizeof(*out));
	if (p == NULL && n > 0)
		return rm_fail(why, RM_EINVAL, "record: no input");
	if (n > RM_RECORD_ANY_MAX)
		return rm_fail(why, RM_ETOOBIG, "record: %zu bytes, limit %d",
		    n, RM_RECORD_ANY_MAX);
	if (n == 0)
		return rm_fail(why, RM_EMALFORMED, "record: empty input");
	/* struct rm_record is ~1.3 KiB: keep it off small thread stacks. */
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return rm_fail(why, RM_ENOMEM, "record: out of memory");
	if ((rv = decode_fields(p, n, r, why)) != RM_OK ||
	    n > record_max(r)) {
		if (n > RM_RECORD_BODY_MAX)
			rv = rm_fail(why, RM_ETOOBIG, "record: %zu bytes, limit "
			    "%d (%d for an alert carrying its CAP message)", n,
			    RM_RECORD_BODY_MAX, RM_RECORD_ANY_MAX);
		goto fail;
	}
	/* Validates, then must reproduce the input exactly. */
	re.limit = RM_RECORD_ANY_MAX + 1;
	if ((rv = record_encode(r, &re, why)) != RM_OK)
		goto fail;
	if (re.len != n || memcmp(re.data, p, n) != 0) {
		rv = rm_fail(why, RM_ENONCANON, "record: not in canonical "
		    "form (re-encoding differs)");
		goto fail;
	}
	rm_buf_fini(&re);
	*out = *r;
	free(r);
	return RM_OK;

fail:
	rm_buf_fini(&re);
	record_fini(r);
	free(r);
	return rv;
}

void
record_fini(struct rm_record *rec)
{
	if (rec == NULL)
		return;
	record_body_free(rec);
	free(rec->to);
	free(rec->enc);
	memset(rec, 0, sizeof(*rec));
}
