/*
 * cipher.c -- the primitives under COSE_Encrypt (cose_encrypt.c):
 * P-256 points from and to COSE EC2 coordinates, ECDH + HKDF-SHA-256
 * (RFC 9053 §5.1, §6.3.1), AES Key Wrap (RFC 3394; RFC 9053 §6.2.1) and
 * AES-GCM (RFC 9053 §4.1, NIST SP 800-38D). OpenSSL 3 EVP throughout;
 * every intermediate secret is wiped (OPENSSL_cleanse).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "crypto/crypto_int.h"

#define C_COORD CRYPTO_P256_COORD_BYTES

int
crypto_p256_from_xy(const uint8_t x[C_COORD], const uint8_t y[C_COORD],
    EVP_PKEY **out, rm_why *why)
{
	/* SEC 1 §2.3.3 uncompressed point: 0x04 || x || y */
	uint8_t pt[1 + 2 * C_COORD];
	char group[] = "P-256";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *pk = NULL;
	int rv = RM_OK;

	pt[0] = 0x04;
	memcpy(pt + 1, x, C_COORD);
	memcpy(pt + 1 + C_COORD, y, C_COORD);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    pt, sizeof(pt));
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "ecdh: key context");
		goto done;
	}
	/* fromdata decodes the point (EC_POINT_oct2point checks it is on
	 * the curve); the public check adds the full SP 800-56A partial
	 * validation. P-256 has cofactor 1: on the curve = in the group. */
	if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1 ||
	    (chk = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL ||
	    EVP_PKEY_public_check(chk) != 1) {
		ERR_clear_error();
		EVP_PKEY_free(pk);
		pk = NULL;
		rv = rm_fail(why, RM_EBADVALUE,
		    "ephemeral key: not a point on P-256");
		goto done;
	}
	*out = pk;
done:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

int
crypto_p256_xy(const EVP_PKEY *pk, uint8_t x[C_COORD], uint8_t y[C_COORD],
    rm_why *why)
{
	BIGNUM *bx = NULL, *by = NULL;
	int rv = RM_OK;

	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &bx) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &by) != 1 ||
	    BN_bn2binpad(bx, x, C_COORD) != C_COORD ||
	    BN_bn2binpad(by, y, C_COORD) != C_COORD)
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "ecdh: public point");
	BN_free(bx);
	BN_free(by);
	return rv;
}

int
crypto_ecdh_hkdf(EVP_PKEY *priv, EVP_PKEY *peer, const uint8_t *info,
    size_t info_len, uint8_t *key, size_t key_len, rm_why *why)
{
	uint8_t z[C_COORD], tmp[CRYPTO_AES_MAX_KEY];
	size_t z_len = sizeof(z);
	char digest[] = "SHA256";
	OSSL_PARAM params[4];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf = NULL;
	int rv = RM_OK;

	if (key_len > sizeof(tmp))
		return rm_fail(why, RM_EINVAL, "hkdf: %zu-byte key", key_len);
	/* ECDH (SP 800-56A §5.7.1.2): Z is the shared point's x-coordinate,
	 * which RFC 9053 §6.3.1 takes as the HKDF input keying material. */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, peer) != 1 ||
	    EVP_PKEY_derive(ctx, z, &z_len) != 1 || z_len != sizeof(z)) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "ecdh: derive");
		goto done;
	}
	/* HKDF (RFC 5869) with SHA-256 and no salt (RFC 9053 §5.1: the
	 * salt parameter -20 is absent, so HashLen zero bytes). */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z,
	    z_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)info, info_len);
	params[3] = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (kctx = EVP_KDF_CTX_new(kdf)) == NULL ||
	    EVP_KDF_derive(kctx, tmp, key_len, params) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "ecdh: hkdf");
		goto done;
	}
	memcpy(key, tmp, key_len);
done:
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(tmp, sizeof(tmp));
	EVP_KDF_CTX_free(kctx);   /* cleanses its copy of the key */
	EVP_KDF_free(kdf);
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

/* EVP cipher by AES key length: wrap (RFC 3394) or GCM. */
static const char *
aes_name(size_t key_len, bool wrap)
{
	if (key_len == 16)
		return wrap ? "AES-128-WRAP" : "AES-128-GCM";
	if (key_len == 32)
		return wrap ? "AES-256-WRAP" : "AES-256-GCM";
	return NULL;
}

/* One AES key wrap or unwrap of in[0..in_len) into out; *out_len set. */
static int
aes_kw(bool enc, const uint8_t *kek, size_t kek_len, const uint8_t *in,
    size_t in_len, uint8_t *out, int *out_len)
{
	const char *name = aes_name(kek_len, true);
	EVP_CIPHER_CTX *ctx = NULL;
	EVP_CIPHER *c = NULL;
	int len = 0, fin = 0, ok = 0;

	if (name == NULL || in_len > 64)
		return 0;
	if ((c = EVP_CIPHER_fetch(NULL, name, NULL)) != NULL &&
	    (ctx = EVP_CIPHER_CTX_new()) != NULL) {
		EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
		ok = EVP_CipherInit_ex2(ctx, c, kek, NULL, enc ? 1 : 0,
		    NULL) == 1 &&
		    EVP_CipherUpdate(ctx, out, &len, in, (int)in_len) == 1 &&
		    len > 0 &&
		    EVP_CipherFinal_ex(ctx, out + len, &fin) == 1;
	}
	*out_len = len + fin;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok;
}

int
crypto_aes_kw_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *cek,
    size_t cek_len, uint8_t *out, rm_why *why)
{
	uint8_t tmp[CRYPTO_AES_MAX_KEY + CRYPTO_KW_OVERHEAD + 16];
	int len = 0;

	if (cek_len > CRYPTO_AES_MAX_KEY || cek_len % 8 != 0 ||
	    !aes_kw(true, kek, kek_len, cek, cek_len, tmp, &len) ||
	    (size_t)len != cek_len + CRYPTO_KW_OVERHEAD)
		return crypto_ossl_fail(why, RM_ECRYPTO, "aes key wrap");
	memcpy(out, tmp, (size_t)len);
	return RM_OK;
}

int
crypto_aes_kw_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in,
    size_t in_len, uint8_t *cek, rm_why *why)
{
	uint8_t tmp[CRYPTO_AES_MAX_KEY + CRYPTO_KW_OVERHEAD + 16];
	int len = 0, rv = RM_OK;

	if (aes_name(kek_len, true) == NULL || in_len < 2 * 8 ||
	    in_len > CRYPTO_AES_MAX_KEY + CRYPTO_KW_OVERHEAD || in_len % 8 != 0)
		return rm_fail(why, RM_EINVAL, "aes key unwrap: %zu bytes",
		    in_len);
	/* RFC 3394 §2.2.3: a wrong KEK or any altered byte fails the
	 * integrity check on the recovered IV. */
	if (!aes_kw(false, kek, kek_len, in, in_len, tmp, &len) ||
	    (size_t)len != in_len - CRYPTO_KW_OVERHEAD) {
		ERR_clear_error();
		rv = rm_fail(why, RM_EBADSIG,
		    "key unwrap: integrity check failed");
	} else {
		memcpy(cek, tmp, (size_t)len);
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rv;
}

/* Set up ctx for AES-GCM with key and a 12-byte IV, and feed the AAD. */
static int
gcm_init(EVP_CIPHER_CTX *ctx, EVP_CIPHER **c, bool enc, const uint8_t *key,
    size_t key_len, const uint8_t *iv, const uint8_t *aad, size_t aad_len)
{
	const char *name = aes_name(key_len, false);
	int len;

	if (name == NULL || aad_len > INT32_MAX ||
	    (*c = EVP_CIPHER_fetch(NULL, name, NULL)) == NULL)
		return 0;
	/* 12 bytes is the GCM default IV length (RFC 9053 §4.1) */
	return EVP_CipherInit_ex2(ctx, *c, key, iv, enc ? 1 : 0, NULL) == 1 &&
	    (aad_len == 0 ||
	    EVP_CipherUpdate(ctx, NULL, &len, aad, (int)aad_len) == 1);
}

int
crypto_aes_gcm_seal(const uint8_t *key, size_t key_len,
    const uint8_t iv[COSE_ENCRYPT_IV_BYTES], const uint8_t *aad,
    size_t aad_len, const uint8_t *pt, size_t n, rm_buf *out, rm_why *why)
{
	EVP_CIPHER_CTX *ctx;
	EVP_CIPHER *c = NULL;
	size_t old = out->len;
	int len = 0, fin = 0, rv = RM_OK;

	if (n > INT32_MAX - 64)
		return rm_fail(why, RM_ETOOBIG, "aes-gcm: %zu bytes", n);
	if ((rv = rm_buf_reserve(out, n + COSE_ENCRYPT_TAG_BYTES + 16)) !=
	    RM_OK)
		return rm_fail(why, rv, "aes-gcm: out of memory");
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return rm_fail(why, RM_ENOMEM, "aes-gcm: out of memory");
	if (!gcm_init(ctx, &c, true, key, key_len, iv, aad, aad_len) ||
	    (n > 0 && EVP_EncryptUpdate(ctx, out->data + old, &len, pt,
	    (int)n) != 1) ||
	    EVP_EncryptFinal_ex(ctx, out->data + old + len, &fin) != 1 ||
	    (size_t)(len + fin) != n ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
	    COSE_ENCRYPT_TAG_BYTES, out->data + old + n) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "aes-gcm: encrypt");
		goto done;
	}
	out->len = old + n + COSE_ENCRYPT_TAG_BYTES;
done:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return rv;
}

int
crypto_aes_gcm_open(const uint8_t *key, size_t key_len,
    const uint8_t iv[COSE_ENCRYPT_IV_BYTES], const uint8_t *aad,
    size_t aad_len, const uint8_t *ct, size_t n, rm_buf *out, rm_why *why)
{
	uint8_t tag[COSE_ENCRYPT_TAG_BYTES];
	EVP_CIPHER_CTX *ctx;
	EVP_CIPHER *c = NULL;
	size_t old = out->len, m;
	int len = 0, fin = 0, rv = RM_OK;

	if (n < COSE_ENCRYPT_TAG_BYTES || n > INT32_MAX - 64)
		return rm_fail(why, RM_EINVAL, "aes-gcm: %zu bytes", n);
	m = n - COSE_ENCRYPT_TAG_BYTES;
	memcpy(tag, ct + m, sizeof(tag));
	if ((rv = rm_buf_reserve(out, m + 16)) != RM_OK)
		return rm_fail(why, rv, "aes-gcm: out of memory");
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return rm_fail(why, RM_ENOMEM, "aes-gcm: out of memory");
	if (!gcm_init(ctx, &c, false, key, key_len, iv, aad, aad_len) ||
	    (m > 0 && EVP_DecryptUpdate(ctx, out->data + old, &len, ct,
	    (int)m) != 1) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)sizeof(tag),
	    tag) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "aes-gcm: decrypt");
		goto done;
	}
	if (EVP_DecryptFinal_ex(ctx, out->data + old + len, &fin) != 1 ||
	    (size_t)(len + fin) != m) {
		ERR_clear_error();
		rv = rm_fail(why, RM_EBADSIG, "ciphertext: authentication tag "
		    "does not verify");
		goto done;
	}
	out->len = old + m;
done:
	if (rv != RM_OK)   /* no unauthenticated plaintext left behind */
		OPENSSL_cleanse(out->data + old, m);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return rv;
}
