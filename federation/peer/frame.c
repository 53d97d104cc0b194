/*
 * frame.c -- the peer wire format (docs/PROTOCOL.md §Frames): one frame
 * is one nng message holding one deterministic CBOR array [type, ...].
 * The decoder is strict and bounded; it is a libFuzzer target
 * (tests/fuzz/fuzz_frame.c).
 */
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"

static const char hello_label[] = "riskmesh/1 hello";

/* ---------------- decoder ---------------- */

static int
rd_agency_text(rm_cbor_rd *rd, const char *what, const char **p, size_t *n,
    rm_why *why)
{
	char id[RM_AGENCY_ID_MAX + 1];
	int rv;

	if ((rv = rm_cbor_rd_text(rd, p, n)) != RM_OK)
		return rm_fail(why, rv, "%s: expected agency id text", what);
	if (*n > RM_AGENCY_ID_MAX)
		return rm_fail(why, RM_ETOOBIG, "%s: agency id of %zu bytes, "
		    "limit %d", what, *n, RM_AGENCY_ID_MAX);
	memcpy(id, *p, *n);
	id[*n] = '\0';
	if (!agency_id_valid(id))
		return rm_fail(why, RM_EBADVALUE, "%s: \"%s\" is not a valid "
		    "agency id", what, id);
	return RM_OK;
}

static int
dec_hello(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	const uint8_t *nonce;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_uint(rd, &f->u.hello.proto)) != RM_OK)
		return rm_fail(why, rv, "HELLO.proto: expected uint");
	if ((rv = rd_agency_text(rd, "HELLO.agency", &f->u.hello.agency,
	    &f->u.hello.agency_len, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_uint(rd, &f->u.hello.roster_version)) != RM_OK)
		return rm_fail(why, rv, "HELLO.roster_version: expected uint");
	if ((rv = rm_cbor_rd_bytes(rd, &nonce, &n)) != RM_OK)
		return rm_fail(why, rv, "HELLO.nonce: expected bstr");
	if (n != FED_NONCE_BYTES)
		return rm_fail(why, RM_ETOOBIG, "HELLO.nonce: %zu bytes, must "
		    "be %d", n, FED_NONCE_BYTES);
	f->u.hello.nonce = nonce;
	return RM_OK;
}

static int
dec_proof(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_bytes(rd, &f->u.proof.sig, &n)) != RM_OK)
		return rm_fail(why, rv, "PROOF.sig: expected bstr");
	if (n != CRYPTO_ES256_SIG_BYTES)
		return rm_fail(why, RM_EBADVALUE, "PROOF.sig: %zu bytes, must "
		    "be %d", n, CRYPTO_ES256_SIG_BYTES);
	return RM_OK;
}

static int
dec_roster(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	int rv;

	if ((rv = rm_cbor_rd_bytes(rd, &f->u.roster.p, &f->u.roster.n)) !=
	    RM_OK)
		return rm_fail(why, rv, "ROSTER: expected bstr");
	if (f->u.roster.n > ROSTER_MAX_BYTES)
		return rm_fail(why, RM_ETOOBIG, "ROSTER: %zu bytes, limit %d",
		    f->u.roster.n, ROSTER_MAX_BYTES);
	return RM_OK;
}

/* [seq, head] for seq >= 1, [0] for an origin with no contiguous log. */
static int
dec_vector_value(rm_cbor_rd *rd, struct fed_vector_entry *e, rm_why *why)
{
	size_t n, hn;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK ||
	    (rv = rm_cbor_rd_uint(rd, &e->seq)) != RM_OK)
		return rm_fail(why, rv == RM_OK ? RM_EMALFORMED : rv,
		    "VECTOR[%.*s]: expected [seq, head]", (int)e->origin_len,
		    e->origin);
	if (n != (e->seq == 0 ? 1u : 2u))
		return rm_fail(why, RM_EMALFORMED, "VECTOR[%.*s]: %zu elements, "
		    "expected %s", (int)e->origin_len, e->origin, n,
		    e->seq == 0 ? "[0]" : "[seq, head]");
	if (e->seq == 0)
		return RM_OK;
	if ((rv = rm_cbor_rd_bytes(rd, &e->head, &hn)) != RM_OK)
		return rm_fail(why, rv, "VECTOR[%.*s]: head: expected bstr",
		    (int)e->origin_len, e->origin);
	if (hn != RM_HASH_BYTES)
		return rm_fail(why, RM_EBADVALUE, "VECTOR[%.*s]: head: %zu "
		    "bytes, expected %d", (int)e->origin_len, e->origin, hn,
		    RM_HASH_BYTES);
	return RM_OK;
}

static int
dec_vector(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	struct fed_vector_entry *e = NULL;
	rm_cbor_keys keys;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_map(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "VECTOR: expected map");
	if (n > FED_VECTOR_MAX)
		return rm_fail(why, RM_ETOOBIG, "VECTOR: %zu origins, limit %d",
		    n, FED_VECTOR_MAX);
	if (n > 0 && (e = calloc(n, sizeof(*e))) == NULL)
		return rm_fail(why, RM_ENOMEM, "VECTOR: out of memory");
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < n; i++) {
		size_t start = rd->off;

		if ((rv = rm_cbor_rd_key(rd, &keys, &e[i].origin,
		    &e[i].origin_len)) != RM_OK) {
			rm_fail(why, rv, "VECTOR key %zu: %s", i,
			    rm_strerror(rv));
			goto fail;
		}
		/* Re-read the key to apply the agency id rules. */
		rd->off = start;
		if ((rv = rd_agency_text(rd, "VECTOR origin", &e[i].origin,
		    &e[i].origin_len, why)) != RM_OK)
			goto fail;
		if ((rv = dec_vector_value(rd, &e[i], why)) != RM_OK)
			goto fail;
	}
	f->u.vector.n = n;
	f->u.vector.entries = e;
	return RM_OK;
fail:
	free(e);
	return rv;
}

static int
dec_records(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	const uint8_t **p = NULL;
	size_t *len = NULL;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "RECORDS: expected array");
	if (n > FED_BATCH_MAX)
		return rm_fail(why, RM_ETOOBIG, "RECORDS: %zu records, limit %d",
		    n, FED_BATCH_MAX);
	if (n > 0 && ((p = calloc(n, sizeof(*p))) == NULL ||
	    (len = calloc(n, sizeof(*len))) == NULL)) {
		rv = rm_fail(why, RM_ENOMEM, "RECORDS: out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rv = rm_cbor_rd_bytes(rd, &p[i], &len[i])) != RM_OK) {
			rm_fail(why, rv, "RECORDS[%zu]: expected bstr", i);
			goto fail;
		}
		if (len[i] > COSE_SIGN1_MAX) {
			rv = rm_fail(why, RM_ETOOBIG, "RECORDS[%zu]: %zu bytes, "
			    "limit %d", i, len[i], COSE_SIGN1_MAX);
			goto fail;
		}
	}
	f->u.records.n = n;
	f->u.records.p = p;
	f->u.records.len = len;
	return RM_OK;
fail:
	free(p);
	free(len);
	return rv;
}

static int
dec_refuse(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	int rv;

	if ((rv = rm_cbor_rd_uint(rd, &f->u.refuse.code)) != RM_OK)
		return rm_fail(why, rv, "REFUSE.code: expected uint");
	if (f->u.refuse.code == 0 || f->u.refuse.code >= RM_ERR_COUNT)
		return rm_fail(why, RM_EBADVALUE, "REFUSE.code: %llu is not an "
		    "error code", (unsigned long long)f->u.refuse.code);
	if ((rv = rm_cbor_rd_text(rd, &f->u.refuse.reason,
	    &f->u.refuse.reason_len)) != RM_OK)
		return rm_fail(why, rv, "REFUSE.reason: expected UTF-8 text");
	if (f->u.refuse.reason_len > FED_REASON_MAX)
		return rm_fail(why, RM_ETOOBIG, "REFUSE.reason: %zu bytes, "
		    "limit %d", f->u.refuse.reason_len, FED_REASON_MAX);
	return RM_OK;
}

/* [6, code, reason, 1]: the sender refuses the session and closes. */
static int
dec_refuse_close(rm_cbor_rd *rd, struct fed_frame *f, rm_why *why)
{
	uint64_t scope;
	int rv;

	if ((rv = dec_refuse(rd, f, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_uint(rd, &scope)) != RM_OK)
		return rm_fail(why, rv, "REFUSE.scope: expected uint");
	if (scope != FED_REFUSE_SESSION)
		return rm_fail(why, RM_EBADVALUE, "REFUSE.scope: %llu, must "
		    "be %d", (unsigned long long)scope, FED_REFUSE_SESSION);
	f->u.refuse.close = true;
	return RM_OK;
}

static const struct {
	const char *name;
	size_t arity;
	int (*dec)(rm_cbor_rd *, struct fed_frame *, rm_why *);
	/* A second form with one more element (0: none). */
	int (*dec_long)(rm_cbor_rd *, struct fed_frame *, rm_why *);
} frame_types[] = {
	[FED_HELLO] = { "HELLO", 5, dec_hello, NULL },
	[FED_PROOF] = { "PROOF", 2, dec_proof, NULL },
	[FED_ROSTER] = { "ROSTER", 2, dec_roster, NULL },
	[FED_VECTOR] = { "VECTOR", 2, dec_vector, NULL },
	[FED_RECORDS] = { "RECORDS", 2, dec_records, NULL },
	[FED_REFUSE] = { "REFUSE", 3, dec_refuse, dec_refuse_close },
	[FED_RECONCILE] = { "RECONCILE", 3, fed_frame_dec_reconcile, NULL },
	[FED_WANT] = { "WANT", 2, fed_frame_dec_want, NULL },
};

int
fed_frame_decode(const uint8_t *p, size_t n, struct fed_frame *out,
    rm_why *why)
{
	struct fed_frame f;
	rm_cbor_rd rd;
	uint64_t type;
	size_t arity;
	int rv;

	memset(&f, 0, sizeof(f));
	if (n > FED_FRAME_MAX)
		return rm_fail(why, RM_ETOOBIG, "frame: %zu bytes, limit %d",
		    n, FED_FRAME_MAX);
	rm_cbor_rd_init(&rd, p, n);
	if ((rv = rm_cbor_rd_array(&rd, &arity)) != RM_OK)
		return rm_fail(why, rv == RM_EBADVALUE ? RM_EMALFORMED : rv,
		    "frame: not a CBOR array");
	if (arity == 0)
		return rm_fail(why, RM_EMALFORMED, "frame: empty array");
	if ((rv = rm_cbor_rd_uint(&rd, &type)) != RM_OK)
		return rm_fail(why, rv == RM_EBADVALUE ? RM_EMALFORMED : rv,
		    "frame: type is not a uint");
	if (type == 0 || type >= sizeof(frame_types) / sizeof(frame_types[0]))
		return rm_fail(why, RM_EUNKNOWN, "frame: unknown type %llu",
		    (unsigned long long)type);
	if (arity != frame_types[type].arity &&
	    (frame_types[type].dec_long == NULL ||
	    arity != frame_types[type].arity + 1))
		return rm_fail(why, RM_EMALFORMED, "%s: %zu elements, must be "
		    "%zu%s", frame_types[type].name, arity,
		    frame_types[type].arity, frame_types[type].dec_long != NULL ?
		    " or one more" : "");
	f.type = (enum fed_frame_type)type;
	if ((rv = (arity == frame_types[type].arity ? frame_types[type].dec :
	    frame_types[type].dec_long)(&rd, &f, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_end(&rd)) != RM_OK) {
		fed_frame_fini(&f);
		return rm_fail(why, rv, "%s: trailing bytes",
		    frame_types[type].name);
	}
	*out = f;
	return RM_OK;
}

void
fed_frame_fini(struct fed_frame *f)
{
	if (f == NULL)
		return;
	if (f->type == FED_VECTOR)
		free(f->u.vector.entries);
	else if (f->type == FED_RECORDS) {
		free(f->u.records.p);
		free(f->u.records.len);
	} else if (f->type == FED_WANT)
		free(f->u.want.w);
	memset(f, 0, sizeof(*f));
}

/* ---------------- encoders ---------------- */

#define ENC_BEGIN(out) size_t old_ = (out)->len; int rv_
#define ENC(call) do { if ((rv_ = (call)) != RM_OK) goto fail; } while (0)
#define ENC_END(out) return RM_OK; fail: (out)->len = old_; return rv_

int
fed_frame_hello(rm_buf *out, const char *agency, uint64_t roster_version,
    const uint8_t nonce[FED_NONCE_BYTES])
{
	ENC_BEGIN(out);
	ENC(rm_cbor_put_array(out, 5));
	ENC(rm_cbor_put_uint(out, FED_HELLO));
	ENC(rm_cbor_put_uint(out, FED_PROTO_VERSION));
	ENC(rm_cbor_put_cstr(out, agency));
	ENC(rm_cbor_put_uint(out, roster_version));
	ENC(rm_cbor_put_bytes(out, nonce, FED_NONCE_BYTES));
	ENC_END(out);
}

int
fed_frame_proof(rm_buf *out, const uint8_t sig[CRYPTO_ES256_SIG_BYTES])
{
	ENC_BEGIN(out);
	ENC(rm_cbor_put_array(out, 2));
	ENC(rm_cbor_put_uint(out, FED_PROOF));
	ENC(rm_cbor_put_bytes(out, sig, CRYPTO_ES256_SIG_BYTES));
	ENC_END(out);
}

int
fed_frame_roster(rm_buf *out, const uint8_t *p, size_t n)
{
	if (n > ROSTER_MAX_BYTES)
		return RM_ETOOBIG;
	ENC_BEGIN(out);
	ENC(rm_cbor_put_array(out, 2));
	ENC(rm_cbor_put_uint(out, FED_ROSTER));
	ENC(rm_cbor_put_bytes(out, p, n));
	ENC_END(out);
}

/* Canonical order of text keys: by length, then bytewise (RFC 8949
 * §4.2.1: the encoded head grows with the length). */
static int
text_key_cmp(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na != nb)
		return na < nb ? -1 : 1;
	return memcmp(a, b, na);
}

int
fed_frame_vector(rm_buf *out, const char *const *origins, const uint64_t *seqs,
    const rm_hash *heads, size_t n)
{
	size_t *idx;

	if (n > FED_VECTOR_MAX)
		return RM_ETOOBIG;
	if ((idx = malloc((n ? n : 1) * sizeof(*idx))) == NULL)
		return RM_ENOMEM;
	/* Insertion sort of indices: n is bounded and usually small. */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && text_key_cmp(origins[idx[j - 1]],
		    origins[i]) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
		if (j > 0 && text_key_cmp(origins[idx[j - 1]], origins[i]) ==
		    0) {
			free(idx);
			return RM_EINVAL;       /* duplicate origin */
		}
	}
	ENC_BEGIN(out);
	ENC(rm_cbor_put_array(out, 2));
	ENC(rm_cbor_put_uint(out, FED_VECTOR));
	ENC(rm_cbor_put_map(out, n));
	for (size_t i = 0; i < n; i++) {
		ENC(rm_cbor_put_cstr(out, origins[idx[i]]));
		ENC(rm_cbor_put_array(out, seqs[idx[i]] == 0 ? 1 : 2));
		ENC(rm_cbor_put_uint(out, seqs[idx[i]]));
		if (seqs[idx[i]] != 0)
			ENC(rm_cbor_put_bytes(out, heads[idx[i]].b,
			    RM_HASH_BYTES));
	}
	free(idx);
	return RM_OK;
fail:
	free(idx);
	out->len = old_;
	return rv_;
}

int
fed_frame_records_begin(rm_buf *out, size_t n)
{
	if (n > FED_BATCH_MAX)
		return RM_ETOOBIG;
	ENC_BEGIN(out);
	ENC(rm_cbor_put_array(out, 2));
	ENC(rm_cbor_put_uint(out, FED_RECORDS));
	ENC(rm_cbor_put_array(out, n));
	ENC_END(out);
}

int
fed_frame_records_add(rm_buf *out, const uint8_t *p, size_t n)
{
	if (n > COSE_SIGN1_MAX)
		return RM_ETOOBIG;
	return rm_cbor_put_bytes(out, p, n);
}

static int
refuse_encode(rm_buf *out, int code, const char *reason, bool close)
{
	size_t n = strlen(reason);

	if (code <= 0 || code >= RM_ERR_COUNT)
		return RM_EINVAL;
	/* Cut at FED_REASON_MAX on a UTF-8 character boundary. */
	if (n > FED_REASON_MAX) {
		n = FED_REASON_MAX;
		while (n > 0 && ((uint8_t)reason[n] & 0xc0) == 0x80)
			n--;
	}
	ENC_BEGIN(out);
	ENC(rm_cbor_put_array(out, close ? 4 : 3));
	ENC(rm_cbor_put_uint(out, FED_REFUSE));
	ENC(rm_cbor_put_uint(out, (uint64_t)code));
	ENC(rm_cbor_put_text(out, reason, n));
	if (close)
		ENC(rm_cbor_put_uint(out, FED_REFUSE_SESSION));
	ENC_END(out);
}

int
fed_frame_refuse(rm_buf *out, int code, const char *reason)
{
	return refuse_encode(out, code, reason, false);
}

int
fed_frame_refuse_close(rm_buf *out, int code, const char *reason)
{
	return refuse_encode(out, code, reason, true);
}

int
fed_hello_transcript(rm_buf *out, const uint8_t *verifier_nonce,
    const uint8_t *prover_nonce, const char *prover_id,
    const char *verifier_id)
{
	ENC_BEGIN(out);
	ENC(rm_buf_append(out, hello_label, sizeof(hello_label) - 1));
	ENC(rm_buf_append(out, verifier_nonce, FED_NONCE_BYTES));
	ENC(rm_buf_append(out, prover_nonce, FED_NONCE_BYTES));
	ENC(rm_buf_append(out, prover_id, strlen(prover_id)));
	ENC(rm_buf_append_byte(out, 0));
	ENC(rm_buf_append(out, verifier_id, strlen(verifier_id)));
	ENC_END(out);
}
