/*
 * cose_encrypt_dec.c -- strict decoder for the riskmesh COSE_Encrypt
 * profile (RFC 9052 §5.1; crypto.h, cose_encrypt_seal, shows the shape):
 *
 *   COSE_Encrypt_Tagged = #6.96([protected, unprotected, ciphertext,
 *                                recipients])
 *   COSE_recipient      = [protected, unprotected, ciphertext]
 *                         (no nested recipients, RFC 9052 §5.1 allows
 *                         them; key agreement with key wrap needs none)
 *
 * Every header holds exactly the parameters the profile uses: alg (1)
 * protected; IV (5) unprotected at layer 0; kid (4) and the ephemeral
 * key (-1, RFC 9053 §6.4) unprotected in each recipient. The ephemeral
 * key is a COSE_Key (RFC 9052 §7) of type EC2 on P-256 with both
 * coordinates as 32-byte byte strings (RFC 9053 §7.1.1; the compressed
 * form, y as a bool, is refused). All CBOR deterministic (RFC 8949
 * §4.2.1) through the strict rm_cbor_rd_* reader; recipients in strictly
 * ascending kid order. Nothing here touches key material: the checks on
 * the point itself (on the curve) happen when a recipient opens it.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto_int.h"

/* Read one integer header label into *label (RFC 9052 §3: labels are
 * int or tstr; text labels are not in the profile). */
static int
rd_label(rm_cbor_rd *rd, rm_cbor_keys *keys, const char *what,
    int64_t *label, rm_why *why)
{
	rm_cbor_type kt = rm_cbor_rd_peek(rd);
	int rv;

	if (kt == RM_CBOR_TEXT)
		return rm_fail(why, RM_EUNKNOWN, "%s: unknown header parameter "
		    "(text label)", what);
	if ((rv = rm_cbor_rd_ikey(rd, keys, label)) == RM_OK)
		return RM_OK;
	if (rv == RM_ENONCANON && (kt == RM_CBOR_UINT || kt == RM_CBOR_NEGINT))
		return rm_fail(why, rv, "%s: labels out of order or "
		    "duplicated", what);
	return cose_rd_fail(rd, rv, kt == RM_CBOR_NEGINT ? RM_CBOR_NEGINT :
	    RM_CBOR_UINT, what, why);
}

/* Read an integer value (alg, kty, crv) of `what`. */
static int
rd_int(rm_cbor_rd *rd, const char *what, int64_t *v, rm_why *why)
{
	rm_cbor_type vt = rm_cbor_rd_peek(rd);
	int rv;

	if ((rv = rm_cbor_rd_int(rd, v)) == RM_OK)
		return RM_OK;
	if (rv == RM_EBADVALUE && vt != RM_CBOR_OTHER && vt != RM_CBOR_END &&
	    vt != RM_CBOR_UINT && vt != RM_CBOR_NEGINT)
		return rm_fail(why, RM_EMALFORMED, "%s: %s, expected an "
		    "integer", what, rm_cbor_type_name(vt));
	return cose_rd_fail(rd, rv, RM_CBOR_NEGINT, what, why);
}

/* Read a byte string of exactly want bytes (0: any length). */
static int
rd_bytes(rm_cbor_rd *rd, const char *what, size_t want, const uint8_t **p,
    size_t *n, rm_why *why)
{
	int rv;

	if (rm_cbor_rd_peek(rd) == RM_CBOR_NULL)
		return rm_fail(why, RM_EMISSING, "%s: nil (detached) not "
		    "supported", what);
	if ((rv = rm_cbor_rd_bytes(rd, p, n)) != RM_OK)
		return cose_rd_fail(rd, rv, RM_CBOR_BYTES, what, why);
	if (want != 0 && *n != want)
		return rm_fail(why, RM_EBADVALUE, "%s: %zu bytes, expected %zu",
		    what, *n, want);
	return RM_OK;
}

/* Read the next map head and start its label-order check. */
static int
rd_map(rm_cbor_rd *rd, const char *what, size_t *npairs, rm_cbor_keys *keys,
    rm_why *why)
{
	int rv;

	if ((rv = rm_cbor_rd_map(rd, npairs)) != RM_OK)
		return cose_rd_fail(rd, rv, RM_CBOR_MAP, what, why);
	rm_cbor_keys_init(keys);
	return RM_OK;
}

/* Read the next array head and require exactly want elements. */
static int
rd_array(rm_cbor_rd *rd, const char *what, size_t want, size_t *got,
    rm_why *why)
{
	int rv;

	if ((rv = rm_cbor_rd_array(rd, got)) != RM_OK)
		return cose_rd_fail(rd, rv, RM_CBOR_ARRAY, what, why);
	if (want != 0 && *got != want)
		return rm_fail(why, RM_EMALFORMED, "%s: array of %zu elements, "
		    "expected %zu", what, *got, want);
	return RM_OK;
}

/* A protected header (bstr contents): exactly {1: alg}, alg one of the
 * profile's (content: 1, 3; recipient: -29, -31). */
static int
decode_alg_map(const uint8_t *p, size_t n, bool content, const char *what,
    int64_t *alg, rm_why *why)
{
	rm_cbor_keys keys;
	rm_cbor_rd rd;
	size_t npairs;
	int64_t label;
	char w[80];
	int rv;

	if (n == 0)
		return rm_fail(why, RM_EMISSING, "%s: empty, alg required",
		    what);
	rm_cbor_rd_init(&rd, p, n);
	if ((rv = rm_cbor_rd_map(&rd, &npairs)) != RM_OK)
		return cose_rd_fail(&rd, rv, RM_CBOR_MAP, what, why);
	if (npairs == 0)
		return rm_fail(why, RM_EMISSING, "%s.alg: required", what);
	rm_cbor_keys_init(&keys);
	if ((rv = rd_label(&rd, &keys, what, &label, why)) != RM_OK)
		return rv;
	if (label != COSE_HDR_ALG)
		return rm_fail(why, RM_EUNKNOWN, "%s: unknown header parameter "
		    "%lld", what, (long long)label);
	snprintf(w, sizeof(w), "%s.alg", what);
	if ((rv = rd_int(&rd, w, alg, why)) != RM_OK)
		return rv;
	if (content ? *alg != COSE_ALG_A256GCM && *alg != COSE_ALG_A128GCM :
	    *alg != COSE_ALG_ECDH_ES_A256KW && *alg != COSE_ALG_ECDH_ES_A128KW)
		return rm_fail(why, RM_EUNKNOWN, "%s: %lld not in the profile "
		    "(%s)", w, (long long)*alg, content ? "A256GCM 3 or "
		    "A128GCM 1" : "ECDH-ES + A256KW -31 or ECDH-ES + A128KW "
		    "-29");
	if (npairs > 1) {
		if ((rv = rd_label(&rd, &keys, what, &label, why)) != RM_OK)
			return rv;
		return rm_fail(why, RM_EUNKNOWN, "%s: unknown header parameter "
		    "%lld", what, (long long)label);
	}
	if (rm_cbor_rd_end(&rd) != RM_OK)
		return rm_fail(why, RM_EMALFORMED, "%s: trailing bytes after "
		    "the map", what);
	return RM_OK;
}

/* Layer-0 unprotected header: exactly {5: iv}. */
static int
decode_unprot0(rm_cbor_rd *rd, struct cose_enc_msg *m, rm_why *why)
{
	const char *what = "cose_encrypt.unprotected";
	rm_cbor_keys keys;
	size_t npairs, len;
	int64_t label;
	int rv;

	if ((rv = rd_map(rd, what, &npairs, &keys, why)) != RM_OK)
		return rv;
	for (size_t i = 0; i < npairs; i++) {
		if ((rv = rd_label(rd, &keys, what, &label, why)) != RM_OK)
			return rv;
		if (label != COSE_HDR_IV)
			return rm_fail(why, RM_EUNKNOWN, "%s: unknown header "
			    "parameter %lld", what, (long long)label);
		if ((rv = rd_bytes(rd, "cose_encrypt.unprotected.iv",
		    COSE_ENCRYPT_IV_BYTES, &m->iv, &len, why)) != RM_OK)
			return rv;
	}
	if (m->iv == NULL)
		return rm_fail(why, RM_EMISSING, "%s.iv: required", what);
	return RM_OK;
}

/* The ephemeral key: exactly {1: 2, -1: 1, -2: x, -3: y} (EC2, P-256). */
static int
decode_epk(rm_cbor_rd *rd, const char *what, struct cose_enc_rcpt *r,
    rm_why *why)
{
	bool have_kty = false, have_crv = false;
	rm_cbor_keys keys;
	size_t npairs, len;
	int64_t label, v;
	char w[80];
	int rv;

	if ((rv = rd_map(rd, what, &npairs, &keys, why)) != RM_OK)
		return rv;
	for (size_t i = 0; i < npairs; i++) {
		if ((rv = rd_label(rd, &keys, what, &label, why)) != RM_OK)
			return rv;
		switch (label) {
		case 1:   /* kty */
		case -1:  /* crv */
			snprintf(w, sizeof(w), "%s.%s", what, label == 1 ?
			    "kty" : "crv");
			if ((rv = rd_int(rd, w, &v, why)) != RM_OK)
				return rv;
			if (v != (label == 1 ? 2 : 1))
				return rm_fail(why, RM_EBADVALUE, "%s: %lld, "
				    "expected %s", w, (long long)v,
				    label == 1 ? "EC2 (2)" : "P-256 (1)");
			*(label == 1 ? &have_kty : &have_crv) = true;
			break;
		case -2:  /* x */
		case -3:  /* y */
			snprintf(w, sizeof(w), "%s.%s", what, label == -2 ?
			    "x" : "y");
			if (label == -3 && rm_cbor_rd_peek(rd) == RM_CBOR_BOOL)
				return rm_fail(why, RM_EBADVALUE, "%s: "
				    "compressed point not supported", w);
			if ((rv = rd_bytes(rd, w, CRYPTO_P256_COORD_BYTES,
			    label == -2 ? &r->x : &r->y, &len, why)) != RM_OK)
				return rv;
			break;
		default:
			return rm_fail(why, RM_EUNKNOWN, "%s: unknown key "
			    "parameter %lld", what, (long long)label);
		}
	}
	if (!have_kty || !have_crv || r->x == NULL || r->y == NULL)
		return rm_fail(why, RM_EMISSING, "%s.%s: required", what,
		    !have_kty ? "kty" : !have_crv ? "crv" : r->x == NULL ? "x" :
		    "y");
	return RM_OK;
}

/* Recipient unprotected header: exactly {4: kid, -1: epk}. */
static int
decode_unprot1(rm_cbor_rd *rd, const char *what, struct cose_enc_rcpt *r,
    rm_why *why)
{
	bool have_kid = false, have_epk = false;
	const uint8_t *kp;
	rm_cbor_keys keys;
	size_t npairs, len;
	int64_t label;
	char w[72];
	int rv;

	if ((rv = rd_map(rd, what, &npairs, &keys, why)) != RM_OK)
		return rv;
	for (size_t i = 0; i < npairs; i++) {
		if ((rv = rd_label(rd, &keys, what, &label, why)) != RM_OK)
			return rv;
		if (label == COSE_HDR_KID) {
			snprintf(w, sizeof(w), "%s.kid", what);
			if ((rv = rd_bytes(rd, w, RM_HASH_BYTES, &kp, &len,
			    why)) != RM_OK)
				return rv;
			memcpy(r->kid.b, kp, RM_HASH_BYTES);
			have_kid = true;
		} else if (label == COSE_HDR_EPK) {
			snprintf(w, sizeof(w), "%s.epk", what);
			if ((rv = decode_epk(rd, w, r, why)) != RM_OK)
				return rv;
			have_epk = true;
		} else {
			return rm_fail(why, RM_EUNKNOWN, "%s: unknown header "
			    "parameter %lld", what, (long long)label);
		}
	}
	if (!have_kid || !have_epk)
		return rm_fail(why, RM_EMISSING, "%s.%s: required", what,
		    have_kid ? "epk" : "kid");
	return RM_OK;
}

static int
decode_recipient(rm_cbor_rd *rd, size_t i, size_t key_len,
    struct cose_enc_rcpt *r, rm_why *why)
{
	char what[48], w[64];
	size_t len;
	int rv;

	memset(r, 0, sizeof(*r));
	snprintf(what, sizeof(what), "cose_encrypt.recipients[%zu]", i);
	if ((rv = rm_cbor_rd_array(rd, &len)) != RM_OK)
		return cose_rd_fail(rd, rv, RM_CBOR_ARRAY, what, why);
	if (len == 4)
		return rm_fail(why, RM_EMALFORMED, "%s: nested recipients not "
		    "supported", what);
	if (len != 3)
		return rm_fail(why, RM_EMALFORMED, "%s: array of %zu elements, "
		    "expected 3", what, len);
	snprintf(w, sizeof(w), "%s.protected", what);
	if ((rv = rd_bytes(rd, w, 0, &r->prot, &r->prot_len, why)) != RM_OK ||
	    (rv = decode_alg_map(r->prot, r->prot_len, false, w, &r->alg,
	    why)) != RM_OK)
		return rv;
	snprintf(w, sizeof(w), "%s.unprotected", what);
	if ((rv = decode_unprot1(rd, w, r, why)) != RM_OK)
		return rv;
	/* the wrapped key: RFC 3394 adds one 8-byte block to the CEK */
	snprintf(w, sizeof(w), "%s.ciphertext", what);
	return rd_bytes(rd, w, key_len + CRYPTO_KW_OVERHEAD, &r->wrapped,
	    &r->wrapped_len, why);
}

static int
decode_recipients(rm_cbor_rd *rd, struct cose_enc_msg *m, rm_why *why)
{
	const char *what = "cose_encrypt.recipients";
	size_t len;
	int rv, c;

	if ((rv = rm_cbor_rd_array(rd, &len)) != RM_OK)
		return cose_rd_fail(rd, rv, RM_CBOR_ARRAY, what, why);
	if (len == 0)
		return rm_fail(why, RM_EMISSING, "%s: empty, at least one "
		    "required", what);
	if (len > COSE_ENCRYPT_RECIPIENTS_MAX)
		return rm_fail(why, RM_ETOOBIG, "%s: %zu, more than %d", what,
		    len, COSE_ENCRYPT_RECIPIENTS_MAX);
	for (size_t i = 0; i < len; i++) {
		if ((rv = decode_recipient(rd, i, m->key_len, &m->rcpt[i],
		    why)) != RM_OK)
			return rv;
		if (i == 0)
			continue;
		c = memcmp(m->rcpt[i - 1].kid.b, m->rcpt[i].kid.b,
		    RM_HASH_BYTES);
		if (c == 0)
			return rm_fail(why, RM_EBADVALUE, "%s[%zu].kid: same "
			    "kid as recipient %zu", what, i, i - 1);
		if (c > 0)
			return rm_fail(why, RM_ENONCANON, "%s[%zu].kid: "
			    "recipients not in ascending kid order", what, i);
	}
	m->n_rcpt = len;
	return RM_OK;
}

int
cose_enc_decode(const uint8_t *p, size_t n, struct cose_enc_msg *m,
    rm_why *why)
{
	rm_cbor_rd rd;
	uint64_t tag;
	size_t len;
	int rv;

	memset(m, 0, offsetof(struct cose_enc_msg, rcpt));
	if (n > COSE_ENCRYPT_MAX)
		return rm_fail(why, RM_ETOOBIG, "cose_encrypt: %zu bytes, more "
		    "than %d", n, COSE_ENCRYPT_MAX);
	rm_cbor_rd_init(&rd, p, n);
	if ((rv = rm_cbor_rd_tag(&rd, &tag)) != RM_OK)
		return cose_rd_fail(&rd, rv, RM_CBOR_TAG,
		    "cose_encrypt: COSE_Encrypt tag", why);
	if (tag != COSE_TAG_ENCRYPT)
		return rm_fail(why, RM_EBADVALUE, "cose_encrypt: tag %llu, "
		    "expected %d (COSE_Encrypt)", (unsigned long long)tag,
		    COSE_TAG_ENCRYPT);
	if ((rv = rd_array(&rd, "cose_encrypt", 4, &len, why)) != RM_OK)
		return rv;
	if ((rv = rd_bytes(&rd, "cose_encrypt.protected", 0, &m->prot,
	    &m->prot_len, why)) != RM_OK ||
	    (rv = decode_alg_map(m->prot, m->prot_len, true,
	    "cose_encrypt.protected", &m->alg, why)) != RM_OK)
		return rv;
	m->key_len = cose_enc_key_len(m->alg);
	if ((rv = decode_unprot0(&rd, m, why)) != RM_OK)
		return rv;
	if ((rv = rd_bytes(&rd, "cose_encrypt.ciphertext", 0, &m->ct,
	    &m->ct_len, why)) != RM_OK)
		return rv;
	if (m->ct_len < COSE_ENCRYPT_TAG_BYTES)
		return rm_fail(why, RM_EBADVALUE, "cose_encrypt.ciphertext: "
		    "%zu bytes, shorter than the %d-byte tag", m->ct_len,
		    COSE_ENCRYPT_TAG_BYTES);
	if ((rv = decode_recipients(&rd, m, why)) != RM_OK)
		return rv;
	if (rm_cbor_rd_end(&rd) != RM_OK)
		return rm_fail(why, RM_EMALFORMED,
		    "cose_encrypt: trailing bytes after COSE_Encrypt");
	return RM_OK;
}
