/*
 * cose.c -- COSE_Sign1 (RFC 9052 §4.2) with ES256 (RFC 9053 §2.1).
 *
 * Only one shape is produced and accepted:
 *
 *   18([ h'A2 01 26 04 58 20 <kid:32>',   ; protected {1: -7, 4: kid}
 *        {},                              ; unprotected, empty
 *        h'<payload>',                    ; embedded payload
 *        h'<r||s:64>' ])                  ; signature
 *
 * signed over Sig_structure = ["Signature1", protected, h'', payload]
 * (RFC 9052 §4.4), everything deterministic CBOR (RFC 8949 §4.2.1).
 * Encoding uses the rm_cbor_put_* writer and decoding the strict
 * rm_cbor_rd_* reader from common/.
 */
#include <string.h>

#include "crypto/crypto_int.h"

/* Build the deterministic protected header map {1: -7, 4: kid}. */
static int
put_protected(rm_buf *b, const rm_hash *kid)
{
	int rv;

	if ((rv = rm_cbor_put_map(b, 2)) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, COSE_HDR_ALG)) != RM_OK ||
	    (rv = rm_cbor_put_int(b, COSE_ALG_ES256)) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, COSE_HDR_KID)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, kid->b, RM_HASH_BYTES)) != RM_OK)
		return rv;
	return RM_OK;
}

/* Sig_structure for a COSE_Sign1 with empty external_aad (§4.4). */
static int
put_sig_structure(rm_buf *b, const uint8_t *prot, size_t prot_len,
    const uint8_t *payload, size_t n)
{
	int rv;

	if ((rv = rm_cbor_put_array(b, 4)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "Signature1")) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, prot, prot_len)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, NULL, 0)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, payload, n)) != RM_OK)
		return rv;
	return RM_OK;
}

int
cose_sign1_sign(crypto_signer *s, const uint8_t *payload, size_t n,
    rm_buf *out, rm_why *why)
{
	rm_buf prot = RM_BUF_INIT, tbs = RM_BUF_INIT;
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	size_t old = out->len;
	rm_hash kid;
	int rv;

	if (n > COSE_SIGN1_MAX)
		return rm_fail(why, RM_ETOOBIG, "cose.payload: %zu bytes, "
		    "more than %d", n, COSE_SIGN1_MAX);
	if (s == NULL || (payload == NULL && n != 0))
		return rm_fail(why, RM_EINVAL, "cose: no signer or payload");
	if ((rv = crypto_signer_kid(s, &kid)) != RM_OK)
		return rm_fail(why, rv, "cose: signer kid");
	if ((rv = put_protected(&prot, &kid)) != RM_OK ||
	    (rv = put_sig_structure(&tbs, prot.data, prot.len, payload,
	    n)) != RM_OK) {
		rm_fail(why, rv, "cose: encode Sig_structure: %s",
		    rm_strerror(rv));
		goto done;
	}
	if ((rv = crypto_signer_sign(s, tbs.data, tbs.len, sig, why)) !=
	    RM_OK)
		goto done;
	if ((rv = rm_cbor_put_tag(out, COSE_TAG_SIGN1)) != RM_OK ||
	    (rv = rm_cbor_put_array(out, 4)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(out, prot.data, prot.len)) != RM_OK ||
	    (rv = rm_cbor_put_map(out, 0)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(out, payload, n)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(out, sig, sizeof(sig))) != RM_OK) {
		out->len = old;
		rm_fail(why, rv, "cose: encode COSE_Sign1: %s", rm_strerror(rv));
		goto done;
	}
	if (out->len - old > COSE_SIGN1_MAX) {
		out->len = old;
		rv = rm_fail(why, RM_ETOOBIG, "cose: message over %d bytes",
		    COSE_SIGN1_MAX);
	}
done:
	rm_buf_fini(&prot);
	rm_buf_fini(&tbs);
	return rv;
}

/*
 * Explain a reader failure at `what`, where an item of type `want` was
 * expected: a different well-formed type is RM_EMALFORMED, truncation
 * RM_EMALFORMED, and the reader's own verdict (RM_ENONCANON for
 * non-deterministic encodings, ...) is kept otherwise.
 */
int
cose_rd_fail(const rm_cbor_rd *rd, int rv, rm_cbor_type want,
    const char *what, rm_why *why)
{
	rm_cbor_type got = rm_cbor_rd_peek(rd);

	if (got == RM_CBOR_END)
		return rm_fail(why, RM_EMALFORMED, "%s: truncated", what);
	if (got != RM_CBOR_OTHER && got != want)
		return rm_fail(why, RM_EMALFORMED, "%s: %s, expected %s", what,
		    rm_cbor_type_name(got), rm_cbor_type_name(want));
	return rm_fail(why, rv, "%s: %s", what, rm_strerror(rv));
}

/* Parse the protected header bstr contents: exactly {1: -7, 4: kid}. */
static int
decode_protected(const uint8_t *p, size_t n, int64_t *alg, rm_hash *kid,
    rm_why *why)
{
	bool have_alg = false, have_kid = false;
	const uint8_t *kp;
	rm_cbor_keys keys;
	rm_cbor_rd rd;
	size_t npairs, kn;
	int64_t label;
	int rv;

	if (n == 0)
		return rm_fail(why, RM_EMISSING,
		    "cose.protected: empty, alg and kid required");
	rm_cbor_rd_init(&rd, p, n);
	if ((rv = rm_cbor_rd_map(&rd, &npairs)) != RM_OK)
		return cose_rd_fail(&rd, rv, RM_CBOR_MAP, "cose.protected",
		    why);
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < npairs; i++) {
		rm_cbor_type kt = rm_cbor_rd_peek(&rd);

		if (kt == RM_CBOR_TEXT)
			return rm_fail(why, RM_EUNKNOWN, "cose.protected: "
			    "unknown header parameter (text label)");
		if ((rv = rm_cbor_rd_ikey(&rd, &keys, &label)) != RM_OK) {
			if (rv == RM_ENONCANON && kt != RM_CBOR_OTHER)
				return rm_fail(why, rv, "cose.protected: labels "
				    "out of order or duplicated");
			return cose_rd_fail(&rd, rv, kt == RM_CBOR_NEGINT ?
			    RM_CBOR_NEGINT : RM_CBOR_UINT,
			    "cose.protected: label", why);
		}
		switch (label) {
		case COSE_HDR_ALG:
			if ((rv = rm_cbor_rd_int(&rd, alg)) != RM_OK) {
				rm_cbor_type vt = rm_cbor_rd_peek(&rd);

				if (rv != RM_EBADVALUE || vt == RM_CBOR_OTHER ||
				    vt == RM_CBOR_END)
					return cose_rd_fail(&rd, rv,
					    RM_CBOR_NEGINT,
					    "cose.protected.alg", why);
				return rm_fail(why, RM_EBADVALUE,
				    "cose.protected.alg: %s, only ES256 (-7)",
				    rm_cbor_type_name(vt));
			}
			if (*alg != COSE_ALG_ES256)
				return rm_fail(why, RM_EBADVALUE,
				    "cose.protected.alg: %lld, only ES256 (-7)",
				    (long long)*alg);
			have_alg = true;
			break;
		case COSE_HDR_KID:
			if ((rv = rm_cbor_rd_bytes(&rd, &kp, &kn)) != RM_OK)
				return cose_rd_fail(&rd, rv, RM_CBOR_BYTES,
				    "cose.protected.kid", why);
			if (kn != RM_HASH_BYTES)
				return rm_fail(why, RM_EBADVALUE,
				    "cose.protected.kid: %zu bytes, expected %d",
				    kn, RM_HASH_BYTES);
			memcpy(kid->b, kp, RM_HASH_BYTES);
			have_kid = true;
			break;
		default:
			return rm_fail(why, RM_EUNKNOWN, "cose.protected: "
			    "unknown header parameter %lld", (long long)label);
		}
	}
	if (rm_cbor_rd_end(&rd) != RM_OK)
		return rm_fail(why, RM_EMALFORMED,
		    "cose.protected: trailing bytes after the map");
	if (!have_alg)
		return rm_fail(why, RM_EMISSING, "cose.protected.alg: required");
	if (!have_kid)
		return rm_fail(why, RM_EMISSING, "cose.protected.kid: required");
	return RM_OK;
}

int
cose_sign1_decode(const uint8_t *p, size_t n, struct cose_sign1 *out,
    rm_why *why)
{
	struct cose_sign1 m;
	rm_cbor_rd rd;
	uint64_t tag;
	size_t len;
	int rv;

	memset(&m, 0, sizeof(m));
	if (n > COSE_SIGN1_MAX)
		return rm_fail(why, RM_ETOOBIG, "cose: %zu bytes, more than %d",
		    n, COSE_SIGN1_MAX);
	rm_cbor_rd_init(&rd, p, n);
	if ((rv = rm_cbor_rd_tag(&rd, &tag)) != RM_OK)
		return cose_rd_fail(&rd, rv,
		    RM_CBOR_TAG, "cose: COSE_Sign1 tag",
		    why);
	if (tag != COSE_TAG_SIGN1)
		return rm_fail(why, RM_EBADVALUE,
		    "cose: tag %llu, expected %d (COSE_Sign1)",
		    (unsigned long long)tag, COSE_TAG_SIGN1);
	if ((rv = rm_cbor_rd_array(&rd, &len)) != RM_OK)
		return cose_rd_fail(&rd, rv, RM_CBOR_ARRAY, "cose: COSE_Sign1",
		    why);
	if (len != 4)
		return rm_fail(why, RM_EMALFORMED,
		    "cose: array of %zu elements, expected 4", len);

	if ((rv = rm_cbor_rd_bytes(&rd, &m.protected_hdr,
	    &m.protected_len)) != RM_OK)
		return cose_rd_fail(&rd, rv, RM_CBOR_BYTES, "cose.protected",
		    why);
	if ((rv = decode_protected(m.protected_hdr, m.protected_len, &m.alg,
	    &m.kid, why)) != RM_OK)
		return rv;

	if ((rv = rm_cbor_rd_map(&rd, &len)) != RM_OK)
		return cose_rd_fail(&rd, rv, RM_CBOR_MAP, "cose.unprotected",
		    why);
	if (len != 0)
		return rm_fail(why, RM_EUNKNOWN, "cose.unprotected: %zu header "
		    "parameters, must be empty", len);

	if (rm_cbor_rd_peek(&rd) == RM_CBOR_NULL)
		return rm_fail(why, RM_EMISSING,
		    "cose.payload: detached (nil) payload not supported");
	if ((rv = rm_cbor_rd_bytes(&rd, &m.payload, &m.payload_len)) != RM_OK)
		return cose_rd_fail(&rd, rv, RM_CBOR_BYTES, "cose.payload",
		    why);

	if ((rv = rm_cbor_rd_bytes(&rd, &m.signature, &len)) != RM_OK)
		return cose_rd_fail(&rd, rv, RM_CBOR_BYTES, "cose.signature",
		    why);
	if (len != CRYPTO_ES256_SIG_BYTES)
		return rm_fail(why, RM_EBADVALUE,
		    "cose.signature: %zu bytes, expected %d (ES256 r||s)", len,
		    CRYPTO_ES256_SIG_BYTES);
	if (rm_cbor_rd_end(&rd) != RM_OK)
		return rm_fail(why, RM_EMALFORMED,
		    "cose: trailing bytes after COSE_Sign1");
	*out = m;
	return RM_OK;
}

int
cose_sign1_verify(const crypto_key *pub, const struct cose_sign1 *msg,
    rm_why *why)
{
	rm_buf tbs = RM_BUF_INIT;
	rm_hash kid;
	int rv;

	if (msg->alg != COSE_ALG_ES256)
		return rm_fail(why, RM_EBADVALUE,
		    "cose.protected.alg: %lld, only ES256 (-7)",
		    (long long)msg->alg);
	crypto_key_kid(pub, &kid);
	if (!crypto_equal(kid.b, msg->kid.b, RM_HASH_BYTES))
		return rm_fail(why, RM_EBADSIG,
		    "cose.protected.kid: not the verifying key's kid");
	if ((rv = put_sig_structure(&tbs, msg->protected_hdr,
	    msg->protected_len, msg->payload, msg->payload_len)) != RM_OK) {
		rm_fail(why, rv, "cose: encode Sig_structure: %s",
		    rm_strerror(rv));
		goto done;
	}
	rv = crypto_es256_verify(pub, tbs.data, tbs.len, msg->signature);
	if (rv == RM_EBADSIG)
		rm_fail(why, rv, "cose.signature: does not verify");
	else if (rv != RM_OK)
		rm_fail(why, rv, "cose.signature: %s", rm_strerror(rv));
done:
	rm_buf_fini(&tbs);
	return rv;
}

void
cose_record_hash(const uint8_t *p, size_t n, rm_hash *out)
{
	crypto_sha256(p, n, out);
}
