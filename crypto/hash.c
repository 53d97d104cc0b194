/*
 * hash.c -- SHA-256 (FIPS 180-4), secure random bytes, constant-time
 * comparison.
 *
 * The SHA-256 implementation is fetched once per process (OpenSSL 3
 * would otherwise do an implicit fetch on every call). A failing digest
 * means a broken OpenSSL installation: that is a broken invariant, so it
 * is fatal rather than an error every caller would have to handle.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "crypto/crypto_int.h"

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256;

static void
md_fetch(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *
crypto_md_sha256(void)
{
	(void)pthread_once(&md_once, md_fetch);
	if (md_sha256 == NULL)
		rm_fatal("crypto", "OpenSSL has no SHA-256");
	return md_sha256;
}

void
crypto_sha256(const void *p, size_t n, rm_hash *out)
{
	const void *parts[1] = { p };
	size_t lens[1] = { n };

	crypto_sha256_v(parts, lens, 1, out);
}

void
crypto_sha256_v(const void *const *parts, const size_t *lens, size_t nparts,
    rm_hash *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, crypto_md_sha256(), NULL) != 1)
		rm_fatal("crypto", "SHA-256 init failed");
	for (size_t i = 0; i < nparts; i++)
		if (lens[i] > 0 && EVP_DigestUpdate(ctx, parts[i], lens[i]) != 1)
			rm_fatal("crypto", "SHA-256 update failed");
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != RM_HASH_BYTES)
		rm_fatal("crypto", "SHA-256 final failed");
	EVP_MD_CTX_free(ctx);
	memcpy(out->b, md, RM_HASH_BYTES);
}

int
crypto_random(void *p, size_t n)
{
	unsigned char *q = p;

	while (n > 0) {
		int chunk = n > 1 << 20 ? 1 << 20 : (int)n;

		if (RAND_bytes(q, chunk) != 1) {
			ERR_clear_error();
			return RM_ECRYPTO;
		}
		q += chunk;
		n -= (size_t)chunk;
	}
	return RM_OK;
}

bool
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
crypto_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}
