/*
 * crypto_test.h -- helpers shared by the crypto tests: a private temp
 * directory per test executable and fixed key material.
 */
#ifndef RM_CRYPTO_TEST_H
#define RM_CRYPTO_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

/* A fresh directory under $TMPDIR (or /tmp), created on first use and
 * removed at exit. */
static char ct_dir[256] __attribute__((unused));

static inline void
ct_cleanup(void)
{
	char cmd[300];

	if (ct_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ct_dir);
		(void)system(cmd);
	}
}

/* path of `name` inside the temp dir; static storage, rotating 8 slots */
static inline const char *
ct_path(const char *name)
{
	static char slots[8][320];
	static unsigned next;
	char *p;

	if (ct_dir[0] == '\0') {
		const char *t = getenv("TMPDIR");

		snprintf(ct_dir, sizeof(ct_dir), "%s/rm-crypto-XXXXXX",
		    t != NULL && *t != '\0' ? t : "/tmp");
		if (mkdtemp(ct_dir) == NULL) {
			perror("mkdtemp");
			exit(2);
		}
		atexit(ct_cleanup);
	}
	p = slots[next++ % 8];
	snprintf(p, 320, "%s/%s", ct_dir, name);
	return p;
}

/* P-256 key as SEC1 "EC PRIVATE KEY" (made with `openssl ecparam`), its
 * public key, and kid = sha256(DER SPKI) computed by
 * `openssl pkey -pubout -outform DER | sha256sum`. */
__attribute__((unused)) static const char ct_p256_sec1[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIFNANZwB14wB8pOLudJLwlHlihk08c3nfliNrRy61QXcoAoGCCqGSM49\n"
    "AwEHoUQDQgAE9Zx01h+Z4JPv2/8PYtSZjsD5u+wK2dvGuQoI46EU92ayMPe+7mAW\n"
    "fgERlETwRLtX8/XIRuyIlc8pZpJw3AuWxg==\n"
    "-----END EC PRIVATE KEY-----\n";
__attribute__((unused)) static const char ct_p256_pub[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9Zx01h+Z4JPv2/8PYtSZjsD5u+wK\n"
    "2dvGuQoI46EU92ayMPe+7mAWfgERlETwRLtX8/XIRuyIlc8pZpJw3AuWxg==\n"
    "-----END PUBLIC KEY-----\n";
__attribute__((unused)) static const char ct_p256_kid_hex[] =
    "8491ba9a33f1294cb0b5af739058600409a9a633e45696475818914bed1cafde";

static inline crypto_key *
ct_key(void)
{
	crypto_key *k = NULL;

	if (crypto_key_from_pem(ct_p256_sec1, sizeof(ct_p256_sec1) - 1, &k,
	    NULL) != RM_OK)
		abort();
	return k;
}

static inline crypto_key *
ct_newkey(void)
{
	crypto_key *k = NULL;

	if (crypto_key_generate(&k, NULL) != RM_OK)
		abort();
	return k;
}

/* The calls that take a signer, for tests that hold a crypto_key: wrap
 * k in a one-shot in-process signer (crypto_signer_from_key), so a
 * public-only key gives crypto_signer_from_key's RM_EINVAL. */
static inline int
ct_cose_sign(crypto_key *k, const uint8_t *payload, size_t n, rm_buf *out,
    rm_why *why)
{
	crypto_signer *s = NULL;
	int rv;

	if ((rv = crypto_signer_from_key(k, &s, why)) != RM_OK)
		return rv;
	rv = cose_sign1_sign(s, payload, n, out, why);
	crypto_signer_free(s);
	return rv;
}

static inline int
ct_ca_create(crypto_key *k, const char *cn, unsigned days,
    const char *path, rm_why *why)
{
	crypto_signer *s = NULL;
	int rv;

	if ((rv = crypto_signer_from_key(k, &s, why)) != RM_OK)
		return rv;
	rv = x509_ca_create(s, cn, days, path, why);
	crypto_signer_free(s);
	return rv;
}

static inline int
ct_issue(crypto_key *ca, const char *ca_path, const crypto_key *subject,
    const char *cn, unsigned days, const char *path, rm_why *why)
{
	crypto_signer *s = NULL;
	int rv;

	if ((rv = crypto_signer_from_key(ca, &s, why)) != RM_OK)
		return rv;
	rv = x509_issue(s, ca_path, subject, cn, days, path, why);
	crypto_signer_free(s);
	return rv;
}

#endif
