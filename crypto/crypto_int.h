/*
 * crypto_int.h -- private to crypto/: the crypto_key layout and helpers
 * shared by key.c, es256.c and x509.c. Never include it outside crypto/;
 * OpenSSL types do not leave this module.
 */
#ifndef RM_CRYPTO_INT_H
#define RM_CRYPTO_INT_H

#include <stdatomic.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"

struct crypto_key {
	atomic_int refs;
	EVP_PKEY *pk;        /* P-256, checked on creation; owned */
	bool priv;           /* holds a private scalar */
	rm_hash kid;         /* SHA-256 of DER SPKI, computed on creation */
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

#endif /* RM_CRYPTO_INT_H */
