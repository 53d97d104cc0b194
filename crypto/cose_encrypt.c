/*
 * cose_encrypt.c -- COSE_Encrypt (RFC 9052 §5.1, tag 96) for restricted
 * records: AES-GCM content (RFC 9053 §4.1), one content key wrapped per
 * recipient with ECDH-ES + AES Key Wrap (RFC 9053 §6.4.1) on P-256.
 *
 * Produced (crypto.h, cose_encrypt_seal, shows the bytes):
 *   layer 0: protected {1: 3} (A256GCM), unprotected {5: iv},
 *            ciphertext || tag over Enc_structure (RFC 9052 §5.3);
 *   layer 1: one COSE_recipient (RFC 9052 §5.1) per recipient, ordered
 *            by kid: protected {1: -31} (ECDH-ES + A256KW), unprotected
 *            {4: kid, -1: ephemeral COSE_Key (RFC 9052 §7, RFC 9053
 *            §7.1.1)}, ciphertext = AES-KW(KEK, CEK).
 *
 * Why ECDH-ES + A256KW and not direct ECDH-ES + HKDF-256 (-25): direct
 * key agreement derives the content key itself, so it serves exactly
 * one recipient (RFC 9052 §5.1, "direct key agreement"); a restricted
 * record goes to up to 64 agencies, so one random content key is
 * encrypted once and wrapped per recipient (40 bytes each). A256 rather
 * than A128 for margin at equal cost. Decryption also reads A128GCM and
 * ECDH-ES + A128KW for interop (the RFC 9053 example set uses them).
 *
 * Deterministic CBOR (RFC 8949 §4.2.1) for everything written, through
 * the rm_cbor_put_* writer; the strict decoder is cose_encrypt_dec.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto_int.h"

#define A256_KEY  32
#define WRAPPED   (A256_KEY + CRYPTO_KW_OVERHEAD)
#define COSE_ALG_A128KW (-3)     /* RFC 9053 §6.2.1 */
#define COSE_ALG_A256KW (-5)
#define COSE_KEY_KTY    1        /* RFC 9052 §7.1 */
#define COSE_KTY_EC2    2        /* RFC 9053 §7.1 */
#define COSE_EC2_CRV    (-1)
#define COSE_EC2_X      (-2)
#define COSE_EC2_Y      (-3)
#define COSE_CRV_P256   1

size_t
cose_enc_key_len(int64_t alg)
{
	switch (alg) {
	case COSE_ALG_A128GCM:
	case COSE_ALG_ECDH_ES_A128KW:
		return 16;
	case COSE_ALG_A256GCM:
	case COSE_ALG_ECDH_ES_A256KW:
		return 32;
	default:
		return 0;
	}
}

/* A protected header bstr contents: the map {1: alg}. */
static int
put_alg_map(rm_buf *b, int64_t alg)
{
	int rv;

	if ((rv = rm_cbor_put_map(b, 1)) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, COSE_HDR_ALG)) != RM_OK ||
	    (rv = rm_cbor_put_int(b, alg)) != RM_OK)
		return rv;
	return RM_OK;
}

/* Enc_structure = ["Encrypt", protected, external_aad] (RFC 9052 §5.3). */
static int
put_enc_structure(rm_buf *b, const uint8_t *prot, size_t prot_len,
    const uint8_t *aad, size_t aad_len)
{
	int rv;

	if ((rv = rm_cbor_put_array(b, 3)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "Encrypt")) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, prot, prot_len)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, aad, aad_len)) != RM_OK)
		return rv;
	return RM_OK;
}

/*
 * COSE_KDF_Context (RFC 9053 §5.2) for ECDH-ES + AxxxKW:
 *   [AlgorithmID = the key wrap alg (A128KW -3 / A256KW -5),
 *    PartyUInfo [nil, nil, nil], PartyVInfo [nil, nil, nil],
 *    SuppPubInfo [keyDataLength in bits, recipient protected bstr]]
 * No PartyU/PartyV parameters (-21..-26) are sent, so all are nil.
 */
static int
put_kdf_context(rm_buf *b, int64_t rcpt_alg, const uint8_t *prot,
    size_t prot_len)
{
	size_t key_len = cose_enc_key_len(rcpt_alg);
	int rv;

	if ((rv = rm_cbor_put_array(b, 4)) != RM_OK ||
	    (rv = rm_cbor_put_int(b, key_len == 16 ? COSE_ALG_A128KW :
	    COSE_ALG_A256KW)) != RM_OK)
		return rv;
	for (int party = 0; party < 2; party++) {
		if ((rv = rm_cbor_put_array(b, 3)) != RM_OK)
			return rv;
		for (int i = 0; i < 3; i++)
			if ((rv = rm_buf_append_byte(b, 0xf6)) != RM_OK)
				return rv;   /* nil (RFC 8949 §3.3) */
	}
	if ((rv = rm_cbor_put_array(b, 2)) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, key_len * 8)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, prot, prot_len)) != RM_OK)
		return rv;
	return RM_OK;
}

/* One sealed recipient, before encoding. */
struct rcpt_out {
	rm_hash kid;
	uint8_t x[CRYPTO_P256_COORD_BYTES], y[CRYPTO_P256_COORD_BYTES];
	uint8_t wrapped[WRAPPED];
};

static int
kid_cmp(const void *a, const void *b)
{
	return memcmp(((const struct rcpt_out *)a)->kid.b,
	    ((const struct rcpt_out *)b)->kid.b, RM_HASH_BYTES);
}

/* Fresh ephemeral key, KEK = HKDF(ECDH(eph, pub), ctx), wrap cek. */
static int
seal_recipient(const crypto_key *pub, const uint8_t *ctx, size_t ctx_len,
    const uint8_t cek[A256_KEY], struct rcpt_out *r, rm_why *why)
{
	uint8_t kek[A256_KEY];
	EVP_PKEY *eph;
	int rv;

	if ((eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		return crypto_ossl_fail(why, RM_ECRYPTO,
		    "cose_encrypt: ephemeral key");
	if ((rv = crypto_p256_xy(eph, r->x, r->y, why)) == RM_OK &&
	    (rv = crypto_ecdh_hkdf(eph, pub->pk, ctx, ctx_len, kek,
	    sizeof(kek), why)) == RM_OK)
		rv = crypto_aes_kw_wrap(kek, sizeof(kek), cek, A256_KEY,
		    r->wrapped, why);
	OPENSSL_cleanse(kek, sizeof(kek));
	EVP_PKEY_free(eph);   /* clears the ephemeral scalar */
	return rv;
}

static int
put_recipient(rm_buf *b, const uint8_t *prot, size_t prot_len,
    const struct rcpt_out *r)
{
	int rv;

	/* unprotected {4: kid, -1: epk}: 0x04 sorts before 0x20 (-1) */
	if ((rv = rm_cbor_put_array(b, 3)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, prot, prot_len)) != RM_OK ||
	    (rv = rm_cbor_put_map(b, 2)) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, COSE_HDR_KID)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, r->kid.b, RM_HASH_BYTES)) != RM_OK ||
	    (rv = rm_cbor_put_int(b, COSE_HDR_EPK)) != RM_OK ||
	    (rv = rm_cbor_put_map(b, 4)) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, COSE_KEY_KTY)) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, COSE_KTY_EC2)) != RM_OK ||
	    (rv = rm_cbor_put_int(b, COSE_EC2_CRV)) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, COSE_CRV_P256)) != RM_OK ||
	    (rv = rm_cbor_put_int(b, COSE_EC2_X)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, r->x, sizeof(r->x))) != RM_OK ||
	    (rv = rm_cbor_put_int(b, COSE_EC2_Y)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, r->y, sizeof(r->y))) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, r->wrapped, sizeof(r->wrapped))) !=
	    RM_OK)
		return rv;
	return RM_OK;
}

static int
seal_check(const uint8_t *pt, size_t n, const crypto_key *const *keys,
    size_t nk, const uint8_t *aad, size_t aad_len, const rm_buf *out,
    rm_why *why)
{
	if (out == NULL || (pt == NULL && n != 0) ||
	    (aad == NULL && aad_len != 0) || keys == NULL || nk == 0)
		return rm_fail(why, RM_EINVAL, "cose_encrypt: no plaintext, "
		    "recipients or output");
	if (n > COSE_ENCRYPT_PLAINTEXT_MAX)
		return rm_fail(why, RM_ETOOBIG, "cose_encrypt.plaintext: %zu "
		    "bytes, more than %d", n, COSE_ENCRYPT_PLAINTEXT_MAX);
	if (aad_len > COSE_ENCRYPT_AAD_MAX)
		return rm_fail(why, RM_ETOOBIG, "cose_encrypt.external_aad: "
		    "%zu bytes, more than %d", aad_len, COSE_ENCRYPT_AAD_MAX);
	if (nk > COSE_ENCRYPT_RECIPIENTS_MAX)
		return rm_fail(why, RM_ETOOBIG, "cose_encrypt.recipients: %zu, "
		    "more than %d", nk, COSE_ENCRYPT_RECIPIENTS_MAX);
	for (size_t i = 0; i < nk; i++)
		if (keys[i] == NULL)
			return rm_fail(why, RM_EINVAL, "cose_encrypt."
			    "recipients[%zu]: no key", i);
	return RM_OK;
}

int
cose_encrypt_seal(const uint8_t *plaintext, size_t n,
    const crypto_key *const *recipients, size_t n_recipients,
    const uint8_t *external_aad, size_t aad_len, rm_buf *out, rm_why *why)
{
	rm_buf prot0 = RM_BUF_INIT, prot1 = RM_BUF_INIT, kctx = RM_BUF_INIT;
	rm_buf aad = RM_BUF_INIT, ct = RM_BUF_INIT;
	uint8_t cek[A256_KEY], iv[COSE_ENCRYPT_IV_BYTES];
	struct rcpt_out *rs = NULL;
	size_t old = out != NULL ? out->len : 0;
	int rv;

	if ((rv = seal_check(plaintext, n, recipients, n_recipients,
	    external_aad, aad_len, out, why)) != RM_OK)
		return rv;
	if ((rs = calloc(n_recipients, sizeof(*rs))) == NULL)
		return rm_fail(why, RM_ENOMEM, "cose_encrypt: out of memory");
	for (size_t i = 0; i < n_recipients; i++)
		crypto_key_kid(recipients[i], &rs[i].kid);
	if ((rv = crypto_random(cek, sizeof(cek))) != RM_OK ||
	    (rv = crypto_random(iv, sizeof(iv))) != RM_OK) {
		rm_fail(why, rv, "cose_encrypt: random bytes");
		goto done;
	}
	if ((rv = put_alg_map(&prot0, COSE_ALG_A256GCM)) != RM_OK ||
	    (rv = put_alg_map(&prot1, COSE_ALG_ECDH_ES_A256KW)) != RM_OK ||
	    (rv = put_kdf_context(&kctx, COSE_ALG_ECDH_ES_A256KW, prot1.data,
	    prot1.len)) != RM_OK ||
	    (rv = put_enc_structure(&aad, prot0.data, prot0.len, external_aad,
	    aad_len)) != RM_OK) {
		rm_fail(why, rv, "cose_encrypt: encode headers: %s",
		    rm_strerror(rv));
		goto done;
	}
	for (size_t i = 0; i < n_recipients; i++)
		if ((rv = seal_recipient(recipients[i], kctx.data, kctx.len,
		    cek, &rs[i], why)) != RM_OK)
			goto done;
	/* recipients in ascending kid order; equal kids are one key twice */
	qsort(rs, n_recipients, sizeof(*rs), kid_cmp);
	for (size_t i = 1; i < n_recipients; i++)
		if (kid_cmp(&rs[i - 1], &rs[i]) == 0) {
			rv = rm_fail(why, RM_EINVAL, "cose_encrypt.recipients: "
			    "one key named twice");
			goto done;
		}
	if ((rv = crypto_aes_gcm_seal(cek, sizeof(cek), iv, aad.data,
	    aad.len, plaintext, n, &ct, why)) != RM_OK)
		goto done;
	if ((rv = rm_cbor_put_tag(out, COSE_TAG_ENCRYPT)) != RM_OK ||
	    (rv = rm_cbor_put_array(out, 4)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(out, prot0.data, prot0.len)) != RM_OK ||
	    (rv = rm_cbor_put_map(out, 1)) != RM_OK ||
	    (rv = rm_cbor_put_uint(out, COSE_HDR_IV)) != RM_OK ||
	    (rv = rm_cbor_put_bytes(out, iv, sizeof(iv))) != RM_OK ||
	    (rv = rm_cbor_put_bytes(out, ct.data, ct.len)) != RM_OK ||
	    (rv = rm_cbor_put_array(out, n_recipients)) != RM_OK) {
		rm_fail(why, rv, "cose_encrypt: encode: %s", rm_strerror(rv));
		goto done;
	}
	for (size_t i = 0; i < n_recipients; i++)
		if ((rv = put_recipient(out, prot1.data, prot1.len, &rs[i])) !=
		    RM_OK) {
			rm_fail(why, rv, "cose_encrypt: encode recipient: %s",
			    rm_strerror(rv));
			goto done;
		}
	if (out->len - old > COSE_ENCRYPT_MAX)
		rv = rm_fail(why, RM_ETOOBIG, "cose_encrypt: message over %d "
		    "bytes", COSE_ENCRYPT_MAX);
done:
	if (rv != RM_OK && out != NULL)
		out->len = old;
	OPENSSL_cleanse(cek, sizeof(cek));
	OPENSSL_cleanse(rs, n_recipients * sizeof(*rs));
	free(rs);
	rm_buf_fini(&prot0);
	rm_buf_fini(&prot1);
	rm_buf_fini(&kctx);
	rm_buf_fini(&aad);
	rm_buf_fini(&ct);
	return rv;
}

/* The recipient with my kid (recipients are sorted: binary search). */
static const struct cose_enc_rcpt *
find_recipient(const struct cose_enc_msg *m, const rm_hash *kid)
{
	size_t lo = 0, hi = m->n_rcpt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(m->rcpt[mid].kid.b, kid->b, RM_HASH_BYTES);

		if (c == 0)
			return &m->rcpt[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Unwrap the CEK of recipient r through me (RFC 9053 §6.4.1). */
static int
open_recipient(crypto_decrypter *me, const struct cose_enc_rcpt *r,
    uint8_t *cek, size_t cek_len, rm_why *why)
{
	size_t kek_len = cose_enc_key_len(r->alg);
	uint8_t kek[CRYPTO_AES_MAX_KEY];
	rm_buf kctx = RM_BUF_INIT;
	int rv;

	if (r->wrapped_len != cek_len + CRYPTO_KW_OVERHEAD)
		return rm_fail(why, RM_EBADVALUE, "cose_encrypt: wrapped key "
		    "of %zu bytes for a %zu-byte content key", r->wrapped_len,
		    cek_len);
	if ((rv = put_kdf_context(&kctx, r->alg, r->prot, r->prot_len)) !=
	    RM_OK) {
		rm_buf_fini(&kctx);
		return rm_fail(why, rv, "cose_encrypt: KDF context: %s",
		    rm_strerror(rv));
	}
	if ((rv = crypto_decrypter_derive(me, r->x, r->y, kctx.data,
	    kctx.len, kek, kek_len, why)) == RM_OK &&
	    (rv = crypto_aes_kw_unwrap(kek, kek_len, r->wrapped,
	    r->wrapped_len, cek, why)) != RM_OK && rv == RM_EBADSIG)
		rm_fail(why, rv, "cose_encrypt: recipient key unwrap: "
		    "integrity check failed (tampered or not for this key)");
	OPENSSL_cleanse(kek, sizeof(kek));
	rm_buf_fini(&kctx);
	return rv;
}

int
cose_encrypt_open(const uint8_t *p, size_t n, crypto_decrypter *me,
    const uint8_t *external_aad, size_t aad_len, rm_buf *plaintext_out,
    rm_why *why)
{
	const struct cose_enc_rcpt *r;
	uint8_t cek[CRYPTO_AES_MAX_KEY];
	rm_buf aad = RM_BUF_INIT;
	struct cose_enc_msg *m;
	char hex[2 * RM_HASH_BYTES + 1];
	rm_hash kid;
	int rv;

	if (p == NULL || me == NULL || plaintext_out == NULL ||
	    (external_aad == NULL && aad_len != 0))
		return rm_fail(why, RM_EINVAL, "cose_encrypt: bad arguments");
	if (aad_len > COSE_ENCRYPT_AAD_MAX)
		return rm_fail(why, RM_EINVAL, "cose_encrypt.external_aad: "
		    "%zu bytes, more than %d", aad_len, COSE_ENCRYPT_AAD_MAX);
	if ((m = malloc(sizeof(*m))) == NULL)
		return rm_fail(why, RM_ENOMEM, "cose_encrypt: out of memory");
	if ((rv = cose_enc_decode(p, n, m, why)) != RM_OK)
		goto done;
	crypto_decrypter_kid(me, &kid);
	if ((r = find_recipient(m, &kid)) == NULL) {
		rm_hash_hex(&kid, hex);
		rv = rm_fail(why, RM_ENOTFOUND, "cose_encrypt: not addressed "
		    "to kid %.16s… (%zu recipients)", hex, m->n_rcpt);
		goto done;
	}
	if ((rv = open_recipient(me, r, cek, m->key_len, why)) != RM_OK)
		goto done;
	if ((rv = put_enc_structure(&aad, m->prot, m->prot_len, external_aad,
	    aad_len)) != RM_OK) {
		rm_fail(why, rv, "cose_encrypt: Enc_structure: %s",
		    rm_strerror(rv));
		goto done;
	}
	rv = crypto_aes_gcm_open(cek, m->key_len, m->iv, aad.data, aad.len,
	    m->ct, m->ct_len, plaintext_out, why);
done:
	OPENSSL_cleanse(cek, sizeof(cek));
	rm_buf_fini(&aad);
	free(m);
	return rv;
}

int
cose_encrypt_recipients(const uint8_t *p, size_t n,
    rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX], size_t *n_kids, rm_why *why)
{
	struct cose_enc_msg *m;
	int rv;

	if (p == NULL || kids == NULL || n_kids == NULL)
		return rm_fail(why, RM_EINVAL, "cose_encrypt: bad arguments");
	if ((m = malloc(sizeof(*m))) == NULL)
		return rm_fail(why, RM_ENOMEM, "cose_encrypt: out of memory");
	if ((rv = cose_enc_decode(p, n, m, why)) == RM_OK) {
		for (size_t i = 0; i < m->n_rcpt; i++)
			kids[i] = m->rcpt[i].kid;
		*n_kids = m->n_rcpt;
	}
	free(m);
	return rv;
}
