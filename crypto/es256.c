/*
 * es256.c -- ECDSA P-256 with SHA-256 (FIPS 186-4) in the COSE form:
 * the signature is r||s, each a 32-byte big-endian integer
 * (RFC 9053 §2.1), not the DER ECDSA-Sig-Value OpenSSL produces, so
 * each direction converts through ECDSA_SIG.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "crypto/crypto_int.h"

#define ES256_HALF (CRYPTO_ES256_SIG_BYTES / 2)
#define ES256_DER_MAX 80   /* SEQUENCE of two INTEGERs of <= 33 bytes */

/* DER ECDSA-Sig-Value -> r||s. */
static int
der_to_raw(const unsigned char *der, size_t n,
    uint8_t sig[CRYPTO_ES256_SIG_BYTES])
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	int rv = RM_ECRYPTO;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)n)) == NULL)
		return RM_ECRYPTO;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, ES256_HALF) == ES256_HALF &&
	    BN_bn2binpad(s, sig + ES256_HALF, ES256_HALF) == ES256_HALF)
		rv = RM_OK;
	ECDSA_SIG_free(es);
	return rv;
}

/* r||s -> DER ECDSA-Sig-Value; *der_len set on success. */
static int
raw_to_der(const uint8_t sig[CRYPTO_ES256_SIG_BYTES],
    unsigned char der[ES256_DER_MAX], size_t *der_len)
{
	BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char *p = der;
	int len, rv = RM_ECRYPTO;

	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, ES256_HALF, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + ES256_HALF, ES256_HALF, NULL)) == NULL)
		goto fail;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto fail;
	r = s = NULL;   /* owned by es now */
	len = i2d_ECDSA_SIG(es, NULL);
	if (len <= 0 || len > ES256_DER_MAX || i2d_ECDSA_SIG(es, &p) != len)
		goto fail;
	*der_len = (size_t)len;
	rv = RM_OK;
fail:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rv;
}

int
crypto_es256_sign(const crypto_key *k, const void *msg, size_t n,
    uint8_t sig[CRYPTO_ES256_SIG_BYTES], rm_why *why)
{
	unsigned char der[ES256_DER_MAX + 8];
	size_t der_len = sizeof(der);
	uint8_t raw[CRYPTO_ES256_SIG_BYTES];
	EVP_MD_CTX *ctx;
	int rv;

	if (!k->priv)
		return rm_fail(why, RM_EINVAL, "es256: key has no private part");
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return rm_fail(why, RM_ENOMEM, "es256: out of memory");
	if (EVP_DigestSignInit(ctx, NULL, crypto_md_sha256(), NULL,
	    k->pk) != 1 ||
	    EVP_DigestSign(ctx, der, &der_len, msg, n) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "es256: sign");
		goto done;
	}
	if ((rv = der_to_raw(der, der_len, raw)) != RM_OK) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO,
		    "es256: DER signature conversion");
		goto done;
	}
	memcpy(sig, raw, sizeof(raw));
done:
	EVP_MD_CTX_free(ctx);
	return rv;
}

int
crypto_es256_verify(const crypto_key *k, const void *msg, size_t n,
    const uint8_t sig[CRYPTO_ES256_SIG_BYTES])
{
	unsigned char der[ES256_DER_MAX];
	size_t der_len;
	EVP_MD_CTX *ctx;
	int rv = RM_EBADSIG;

	if (raw_to_der(sig, der, &der_len) != RM_OK) {
		ERR_clear_error();
		return RM_ECRYPTO;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return RM_ENOMEM;
	if (EVP_DigestVerifyInit(ctx, NULL, crypto_md_sha256(), NULL,
	    k->pk) != 1) {
		rv = RM_ECRYPTO;
		goto done;
	}
	if (EVP_DigestVerify(ctx, der, der_len, msg, n) == 1)
		rv = RM_OK;
done:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return rv;
}
