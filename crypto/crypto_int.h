/*
 * crypto_int.h -- private to crypto/: the crypto_key layout and helpers
 * shared by key.c, es256.c and x509.c. Never include it outside crypto/;
 * OpenSSL types do not leave this module.
 */
#ifndef RM_CRYPTO_INT_H
#define RM_CRYPTO_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"

struct crypto_key {
	atomic_int refs;
	EVP_PKEY *pk;        /* P-256, checked on creation; owned */
	bool priv;           /* holds a private scalar */
	rm_hash kid;         /* SHA-256 of DER SPKI, computed on creation */
	/* A private key's prepared signing context (EVP_PKEY_sign_init
	 * done), made on first use and freed with the key, so the scalar
	 * never outlives it; used by one thread at a time (sign_mtx,
	 * tried: a busy context makes the caller build its own). */
	pthread_mutex_t sign_mtx;
	EVP_PKEY_CTX *sign_ctx;
};

/* Wrap pk (ownership passes on success only) after checking that it is
 * an EC key on P-256; RM_EBADVALUE otherwise. */
int crypto_key_wrap(EVP_PKEY *pk, bool priv, crypto_key **out, rm_why *why);

/* Put the first OpenSSL error (or "unknown") into why as
 * "<what>: <openssl reason>", clear the thread's error queue and return
 * err. */
int crypto_ossl_fail(rm_why *why, int err, const char *what);

/* The in-process private key behind s (borrowed, lives as long as s), or
 * NULL if s keeps its key elsewhere. For x509.c, which needs OpenSSL's
 * X509_sign. */
crypto_key *crypto_signer_key0(const crypto_signer *s);

/* SHA-256 as an EVP_MD fetched once per process. */
const EVP_MD *crypto_md_sha256(void);

/* Explain a strict-reader failure at `what`, where an item of type want
 * was expected (cose.c): another well-formed type or truncation is
 * RM_EMALFORMED, otherwise the reader's verdict (RM_ENONCANON, ...). */
int cose_rd_fail(const rm_cbor_rd *rd, int rv, rm_cbor_type want,
    const char *what, rm_why *why);

/* ---------------- restricted records (cipher.c) ---------------- */

#define CRYPTO_P256_COORD_BYTES 32
#define CRYPTO_AES_MAX_KEY      32
#define CRYPTO_KW_OVERHEAD      8    /* RFC 3394 integrity block */

/* The P-256 public key with affine coordinates x, y (32 bytes each,
 * big-endian), fully validated (on the curve, not the point at
 * infinity: EVP_PKEY_public_check). RM_EBADVALUE if not a valid point. */
int crypto_p256_from_xy(const uint8_t x[CRYPTO_P256_COORD_BYTES],
    const uint8_t y[CRYPTO_P256_COORD_BYTES], EVP_PKEY **out, rm_why *why);
/* The affine coordinates of a P-256 key's public point. */
int crypto_p256_xy(const EVP_PKEY *pk, uint8_t x[CRYPTO_P256_COORD_BYTES],
    uint8_t y[CRYPTO_P256_COORD_BYTES], rm_why *why);
/* key[0..key_len) = HKDF-SHA-256(salt = none (HashLen zeros), IKM = the
 * ECDH shared x-coordinate of priv and peer, info) (RFC 5869; RFC 9053
 * §5.1, §6.3.1). The shared secret is wiped. key written only on RM_OK. */
int crypto_ecdh_hkdf(EVP_PKEY *priv, EVP_PKEY *peer, const uint8_t *info,
    size_t info_len, uint8_t *key, size_t key_len, rm_why *why);
/* AES Key Wrap (RFC 3394, default IV) of cek[0..cek_len) under
 * kek[0..kek_len) (16 or 32 bytes): out gets cek_len + 8 bytes. */
int crypto_aes_kw_wrap(const uint8_t *kek, size_t kek_len,
    const uint8_t *cek, size_t cek_len, uint8_t *out, rm_why *why);
/* The inverse: in[0..in_len) -> cek[0..in_len - 8). RM_EBADSIG if the
 * integrity check fails; cek untouched then. */
int crypto_aes_kw_unwrap(const uint8_t *kek, size_t kek_len,
    const uint8_t *in, size_t in_len, uint8_t *cek, rm_why *why);
/* AES-GCM (key 16 or 32 bytes, 12-byte IV, 16-byte tag) of pt[0..n)
 * with aad: appends ciphertext || tag to out (unchanged on error). */
int crypto_aes_gcm_seal(const uint8_t *key, size_t key_len,
    const uint8_t iv[COSE_ENCRYPT_IV_BYTES], const uint8_t *aad,
    size_t aad_len, const uint8_t *pt, size_t n, rm_buf *out, rm_why *why);
/* The inverse of ct[0..n) (n >= 16, tag last): appends the plaintext to
 * out; RM_EBADSIG if the tag does not verify, and out is then unchanged
 * (what was decrypted is wiped). */
int crypto_aes_gcm_open(const uint8_t *key, size_t key_len,
    const uint8_t iv[COSE_ENCRYPT_IV_BYTES], const uint8_t *aad,
    size_t aad_len, const uint8_t *ct, size_t n, rm_buf *out, rm_why *why);

/* The decrypter's one operation: key[0..key_len) = HKDF-SHA-256 over the
 * ECDH secret of its private key and the peer point (x, y), info as
 * above. RM_EBADVALUE if (x, y) is not a P-256 point. */
int crypto_decrypter_derive(crypto_decrypter *d,
    const uint8_t x[CRYPTO_P256_COORD_BYTES],
    const uint8_t y[CRYPTO_P256_COORD_BYTES], const uint8_t *info,
    size_t info_len, uint8_t *key, size_t key_len, rm_why *why);

/* A decoded COSE_Encrypt (cose_encrypt_dec.c); pointers borrow from the
 * input. Everything is checked as cose_encrypt_recipients documents. */
struct cose_enc_rcpt {
	const uint8_t *prot;       /* protected header bstr contents */
	size_t prot_len;
	int64_t alg;               /* -29 or -31 */
	rm_hash kid;
	const uint8_t *x, *y;      /* ephemeral key, 32 bytes each */
	const uint8_t *wrapped;    /* wrapped CEK, key length + 8 bytes */
	size_t wrapped_len;
};

struct cose_enc_msg {
	const uint8_t *prot;       /* protected header bstr contents */
	size_t prot_len;
	int64_t alg;               /* 1 or 3 */
	size_t key_len;            /* 16 or 32 */
	const uint8_t *iv;         /* 12 bytes */
	const uint8_t *ct;         /* ciphertext || tag */
	size_t ct_len;
	size_t n_rcpt;
	struct cose_enc_rcpt rcpt[COSE_ENCRYPT_RECIPIENTS_MAX];
};

/* Strict decode into *m (written even on failure; contents then
 * undefined). Errors as cose_encrypt_recipients. */
int cose_enc_decode(const uint8_t *p, size_t n, struct cose_enc_msg *m,
    rm_why *why);
/* AES key length in bytes of a content alg (1, 3) or key-wrap alg (-29,
 * -31); 0 for any other. */
size_t cose_enc_key_len(int64_t alg);

#endif /* RM_CRYPTO_INT_H */
