/*
 * es256.c -- ECDSA P-256 with SHA-256 (FIPS 186-4) in the COSE form:
 * the signature is r||s, each a 32-byte big-endian integer
 * (RFC 9053 §2.1), not the DER ECDSA-Sig-Value OpenSSL produces, so
 * each direction converts through ECDSA_SIG.
 *
 * Verifying is the hot path of peer ingest: the message is hashed once
 * (SHA-256) and the digest checked with EVP_PKEY_verify on a context
 * prepared for the key (EVP_PKEY_verify_init done once), taken from a
 * small cache private to the calling thread (OpenSSL contexts are not
 * shareable between threads). The cache is indexed by kid, the SHA-256
 * of the key's SPKI: an entry serves any crypto_key holding the same
 * public key, and, since the context holds a reference on its EVP_PKEY,
 * it stays valid after the crypto_key it was made from is freed. Each
 * thread caches at most ES256_VCACHE contexts, freed when it exits.
 * Only public keys are cached (roster keys): a context holds its
 * EVP_PKEY, and a private scalar must not outlive its crypto_key.
 */
#include <pthread.h>
#include <stdlib.h>
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

/* Sign the SHA-256 of msg with k's prepared context (k->sign_ctx, made
 * on first use), if no other thread is using it. 1 signed (DER in der,
 * *der_len), 0 busy or unusable (the caller signs the usual way), -1
 * OpenSSL failed. Saves the per-signature context set-up (algorithm
 * fetches, EVP_DigestSignInit) on the issue path's single writer. */
static int
sign_prepared(crypto_key *k, const void *msg, size_t n, unsigned char *der,
    size_t *der_len)
{
	rm_hash dg;
	int rv = 0;

	if (pthread_mutex_trylock(&k->sign_mtx) != 0)
		return 0;
	if (k->sign_ctx == NULL &&
	    (k->sign_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk, NULL)) !=
	    NULL && (EVP_PKEY_sign_init(k->sign_ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(k->sign_ctx, crypto_md_sha256()) !=
	    1)) {
		EVP_PKEY_CTX_free(k->sign_ctx);
		k->sign_ctx = NULL;
	}
	if (k->sign_ctx != NULL) {
		crypto_sha256(msg, n, &dg);
		rv = EVP_PKEY_sign(k->sign_ctx, der, der_len, dg.b,
		    sizeof(dg.b)) == 1 ? 1 : -1;
	}
	pthread_mutex_unlock(&k->sign_mtx);
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
	/* k is const to callers; its cached context is not part of the
	 * key's value */
	switch (sign_prepared((crypto_key *)k, msg, n, der, &der_len)) {
	case 1:
		if (der_to_raw(der, der_len, raw) != RM_OK)
			return crypto_ossl_fail(why, RM_ECRYPTO,
			    "es256: DER signature conversion");
		memcpy(sig, raw, sizeof(raw));
		return RM_OK;
	case -1:
		return crypto_ossl_fail(why, RM_ECRYPTO, "es256: sign");
	default:
		der_len = sizeof(der);
		break;
	}
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

/* ---------------- prepared verify contexts ---------------- */

#define ES256_VCACHE 64   /* contexts a thread keeps (direct-mapped) */

struct es256_vcache {
	struct {
		rm_hash kid;
		EVP_PKEY_CTX *ctx;   /* NULL: empty */
	} e[ES256_VCACHE];
};

static pthread_key_t vcache_key;
static pthread_once_t vcache_once = PTHREAD_ONCE_INIT;
static bool vcache_ok;

static void
vcache_free(void *arg)
{
	struct es256_vcache *c = arg;

	for (size_t i = 0; i < ES256_VCACHE; i++)
		EVP_PKEY_CTX_free(c->e[i].ctx);
	free(c);
}

static void
vcache_init(void)
{
	vcache_ok = pthread_key_create(&vcache_key, vcache_free) == 0;
}

/* A context of k's key with EVP_PKEY_verify_init done (SHA-256
 * digests), owned by the caller. NULL on failure. */
static EVP_PKEY_CTX *
vctx_new(const crypto_key *k)
{
	EVP_PKEY_CTX *ctx;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk, NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, crypto_md_sha256()) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The calling thread's prepared context for k (borrowed: valid until
 * this thread's next call here), made and cached on a miss. NULL if the
 * cache cannot be used; the caller then makes its own (vctx_new). */
static EVP_PKEY_CTX *
vctx_get(const crypto_key *k)
{
	struct es256_vcache *c;
	EVP_PKEY_CTX *ctx;
	size_t i = k->kid.b[0] % ES256_VCACHE;

	pthread_once(&vcache_once, vcache_init);
	if (!vcache_ok)
		return NULL;
	if ((c = pthread_getspecific(vcache_key)) == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return NULL;
		if (pthread_setspecific(vcache_key, c) != 0) {
			free(c);
			return NULL;
		}
	}
	if (c->e[i].ctx != NULL &&
	    memcmp(c->e[i].kid.b, k->kid.b, RM_HASH_BYTES) == 0)
		return c->e[i].ctx;
	if ((ctx = vctx_new(k)) == NULL)
		return NULL;
	EVP_PKEY_CTX_free(c->e[i].ctx);
	c->e[i].ctx = ctx;
	c->e[i].kid = k->kid;
	return ctx;
}

/* sig over the message whose SHA-256 is digest: RM_OK, RM_EBADSIG. */
static int
verify_digest(const crypto_key *k, const rm_hash *digest,
    const uint8_t sig[CRYPTO_ES256_SIG_BYTES])
{
	unsigned char der[ES256_DER_MAX];
	size_t der_len;
	EVP_PKEY_CTX *ctx = NULL, *own = NULL;
	int rv = RM_EBADSIG;

	if (raw_to_der(sig, der, &der_len) != RM_OK) {
		ERR_clear_error();
		return RM_ECRYPTO;
	}
	/* A key with a private part is never cached: its scalar must not
	 * outlive the crypto_key (SECURITY: wiped when the key is freed). */
	if ((k->priv || (ctx = vctx_get(k)) == NULL) &&
	    (ctx = own = vctx_new(k)) == NULL) {
		ERR_clear_error();
		return RM_ECRYPTO;
	}
	if (EVP_PKEY_verify(ctx, der, der_len, digest->b, RM_HASH_BYTES) == 1)
		rv = RM_OK;
	ERR_clear_error();
	EVP_PKEY_CTX_free(own);
	return rv;
}

int
crypto_es256_verify(const crypto_key *k, const void *msg, size_t n,
    const uint8_t sig[CRYPTO_ES256_SIG_BYTES])
{
	rm_hash digest;

	crypto_sha256(msg, n, &digest);
	return verify_digest(k, &digest, sig);
}
