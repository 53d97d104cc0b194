/*
 * decrypter.c -- crypto_decrypter: "derive the key-encryption key for
 * this ephemeral point and this context" (ECDH-ES + HKDF-SHA-256,
 * RFC 9053 §6.3.1, §6.4.1), the private-key half of COSE_Encrypt.
 *
 * As signer.c, an ops table plus the public key. The one implementation
 * today keeps the key in this process (inproc_ops). A key process is a
 * second ops table whose derive() sends (x, y, info, key_len) and reads
 * back the derived key; its constructor learns the public key once.
 * Only the derived KEK crosses the interface, never the ECDH secret.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto_int.h"

struct crypto_decrypter_ops {
	const char *name;
	/* as crypto_decrypter_derive; may be called from several threads */
	int (*derive)(void *impl, const uint8_t *x, const uint8_t *y,
	    const uint8_t *info, size_t info_len, uint8_t *key,
	    size_t key_len, rm_why *why);
	/* release impl; wipe any key material first */
	void (*fini)(void *impl);
};

struct crypto_decrypter {
	atomic_int refs;
	const struct crypto_decrypter_ops *ops;
	void *impl;
	rm_hash kid;
};

/* ---------------- in-process key ---------------- */

static int
inproc_derive(void *impl, const uint8_t *x, const uint8_t *y,
    const uint8_t *info, size_t info_len, uint8_t *key, size_t key_len,
    rm_why *why)
{
	crypto_key *k = impl;
	EVP_PKEY *peer = NULL;
	int rv;

	if ((rv = crypto_p256_from_xy(x, y, &peer, why)) != RM_OK)
		return rv;
	rv = crypto_ecdh_hkdf(k->pk, peer, info, info_len, key, key_len, why);
	EVP_PKEY_free(peer);
	return rv;
}

static void
inproc_fini(void *impl)
{
	crypto_key_free(impl);   /* wipes on the last reference */
}

static const struct crypto_decrypter_ops inproc_ops = {
	.name = "in-process",
	.derive = inproc_derive,
	.fini = inproc_fini,
};

/* ---------------- generic ---------------- */

int
crypto_decrypter_from_key(crypto_key *k, crypto_decrypter **out,
    rm_why *why)
{
	crypto_decrypter *d;

	if (k == NULL || out == NULL)
		return rm_fail(why, RM_EINVAL, "decrypter: no key");
	if (!crypto_key_has_private(k))
		return rm_fail(why, RM_EINVAL, "decrypter: key has no private "
		    "part");
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return rm_fail(why, RM_ENOMEM, "decrypter: out of memory");
	atomic_init(&d->refs, 1);
	d->ops = &inproc_ops;
	d->impl = crypto_key_ref(k);
	crypto_key_kid(k, &d->kid);
	*out = d;
	return RM_OK;
}

int
crypto_decrypter_open_pem(const char *path, crypto_decrypter **out,
    rm_why *why)
{
	crypto_key *k = NULL;
	int rv;

	if (path == NULL || out == NULL)
		return rm_fail(why, RM_EINVAL, "decrypter: no key file");
	if ((rv = crypto_key_load_pem(path, &k, why)) != RM_OK)
		return rv;
	if (!crypto_key_has_private(k))
		rv = rm_fail(why, RM_EBADVALUE, "%s: public key only; a "
		    "decryption key must be private", path);
	else
		rv = crypto_decrypter_from_key(k, out, why);
	crypto_key_free(k);     /* the decrypter holds its own reference */
	return rv;
}

int
crypto_decrypter_derive(crypto_decrypter *d,
    const uint8_t x[CRYPTO_P256_COORD_BYTES],
    const uint8_t y[CRYPTO_P256_COORD_BYTES], const uint8_t *info,
    size_t info_len, uint8_t *key, size_t key_len, rm_why *why)
{
	uint8_t tmp[CRYPTO_AES_MAX_KEY];
	int rv;

	if (d == NULL || x == NULL || y == NULL || key == NULL ||
	    key_len > sizeof(tmp) || (info == NULL && info_len != 0))
		return rm_fail(why, RM_EINVAL, "decrypter: bad arguments");
	if ((rv = d->ops->derive(d->impl, x, y, info, info_len, tmp, key_len,
	    why)) == RM_OK)
		memcpy(key, tmp, key_len);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rv;
}

int
crypto_decrypter_kid(const crypto_decrypter *d, rm_hash *out)
{
	if (d == NULL || out == NULL)
		return RM_EINVAL;
	*out = d->kid;
	return RM_OK;
}

crypto_decrypter *
crypto_decrypter_ref(crypto_decrypter *d)
{
	if (d != NULL)
		atomic_fetch_add(&d->refs, 1);
	return d;
}

void
crypto_decrypter_free(crypto_decrypter *d)
{
	if (d == NULL || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	d->ops->fini(d->impl);
	OPENSSL_cleanse(d, sizeof(*d));
	free(d);
}
