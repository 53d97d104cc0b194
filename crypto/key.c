/*
 * key.c -- P-256 keys: generate, PEM/SPKI load and save, kid, refcount.
 *
 * Keys are OpenSSL 3 EVP_PKEYs of type "EC" on group P-256 (prime256v1);
 * every constructor checks the curve, so the rest of the module can
 * assume it. The kid (SHA-256 of the DER SubjectPublicKeyInfo,
 * RFC 5280 §4.1.2.7) is computed once at creation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/crypto_int.h"

#define KEY_PEM_MAX (16 * 1024)  /* a P-256 PEM is ~250 bytes */

int
crypto_ossl_fail(rm_why *why, int err, const char *what)
{
	char reason[120];
	unsigned long e = ERR_peek_error();

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "unknown OpenSSL error");
	ERR_clear_error();
	return rm_fail(why, err, "%s: %s", what, reason);
}

static int
check_p256(EVP_PKEY *pk, rm_why *why)
{
	char group[64];
	size_t len = 0;

	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)
		return rm_fail(why, RM_EBADVALUE, "key: not an EC key (%s)",
		    EVP_PKEY_get0_type_name(pk) != NULL ?
		    EVP_PKEY_get0_type_name(pk) : "?");
	if (EVP_PKEY_get_group_name(pk, group, sizeof(group), &len) != 1) {
		ERR_clear_error();
		return rm_fail(why, RM_EBADVALUE,
		    "key: EC key without a named curve");
	}
	if (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0)
		return rm_fail(why, RM_EBADVALUE,
		    "key: curve %s is not P-256", group);
	return RM_OK;
}

int
crypto_key_wrap(EVP_PKEY *pk, bool priv, crypto_key **out, rm_why *why)
{
	unsigned char der[CRYPTO_SPKI_MAX], *p = der;
	crypto_key *k;
	int len, rv;

	if ((rv = check_p256(pk, why)) != RM_OK)
		return rv;
	len = i2d_PUBKEY(pk, NULL);
	if (len <= 0 || len > (int)sizeof(der))
		return crypto_ossl_fail(why, RM_ECRYPTO, "key: SPKI length");
	if (i2d_PUBKEY(pk, &p) != len)
		return crypto_ossl_fail(why, RM_ECRYPTO, "key: SPKI encode");
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return rm_fail(why, RM_ENOMEM, "key: out of memory");
	atomic_init(&k->refs, 1);
	pthread_mutex_init(&k->sign_mtx, NULL);
	k->pk = pk;
	k->priv = priv;
	crypto_sha256(der, (size_t)len, &k->kid);
	*out = k;
	return RM_OK;
}

int
crypto_key_generate(crypto_key **out, rm_why *why)
{
	EVP_PKEY *pk;
	int rv;

	if ((pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		return crypto_ossl_fail(why, RM_ECRYPTO, "key: generate P-256");
	if ((rv = crypto_key_wrap(pk, true, out, why)) != RM_OK)
		EVP_PKEY_free(pk);
	return rv;
}

/* Never prompt for a pass phrase: encrypted keys simply fail to load. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int
crypto_key_from_pem(const void *pem, size_t n, crypto_key **out, rm_why *why)
{
	EVP_PKEY *pk = NULL;
	BIO *bio;
	bool priv = true;
	int rv;

	if (n == 0 || n > KEY_PEM_MAX)
		return rm_fail(why, n == 0 ? RM_EMALFORMED : RM_ETOOBIG,
		    "key: PEM of %zu bytes", n);
	if ((bio = BIO_new_mem_buf(pem, (int)n)) == NULL)
		return crypto_ossl_fail(why, RM_ENOMEM, "key: BIO");
	pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (pk == NULL) {
		ERR_clear_error();
		priv = false;
		if ((bio = BIO_new_mem_buf(pem, (int)n)) == NULL)
			return crypto_ossl_fail(why, RM_ENOMEM, "key: BIO");
		pk = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	}
	if (pk == NULL) {
		ERR_clear_error();
		return rm_fail(why, RM_EMALFORMED,
		    "key: no readable PRIVATE KEY, EC PRIVATE KEY or PUBLIC KEY"
		    " PEM block");
	}
	if ((rv = crypto_key_wrap(pk, priv, out, why)) != RM_OK)
		EVP_PKEY_free(pk);
	return rv;
}

int
crypto_key_load_pem(const char *path, crypto_key **out, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	int rv;

	/* Reserve everything up front so the buffer is never moved by
	 * realloc (which would leave an unwiped copy of the key). */
	if (rm_buf_reserve(&b, KEY_PEM_MAX + 1) != RM_OK)
		return rm_fail(why, RM_ENOMEM, "%s: out of memory", path);
	if ((rv = rm_file_read(path, KEY_PEM_MAX, &b, why)) != RM_OK)
		goto done;
	if ((rv = crypto_key_from_pem(b.data, b.len, out, why)) != RM_OK) {
		rm_why inner;

		if (why != NULL) {
			inner = *why;
			rm_fail(why, rv, "%s: %s", path, inner.msg);
		}
	}
done:
	OPENSSL_cleanse(b.data, b.cap);
	rm_buf_fini(&b);
	return rv;
}

int
crypto_key_from_spki(const uint8_t *der, size_t n, crypto_key **out,
    rm_why *why)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	int rv;

	if (n == 0 || n > CRYPTO_SPKI_MAX)
		return rm_fail(why, n == 0 ? RM_EMALFORMED : RM_ETOOBIG,
		    "spki: %zu bytes", n);
	if ((pk = d2i_PUBKEY(NULL, &p, (long)n)) == NULL) {
		ERR_clear_error();
		return rm_fail(why, RM_EMALFORMED,
		    "spki: not a DER SubjectPublicKeyInfo");
	}
	if (p != der + n) {
		EVP_PKEY_free(pk);
		return rm_fail(why, RM_EMALFORMED, "spki: trailing bytes");
	}
	if ((rv = crypto_key_wrap(pk, false, out, why)) != RM_OK)
		EVP_PKEY_free(pk);
	return rv;
}

int
crypto_key_save_private_pem(const crypto_key *k, const char *path,
    rm_why *why)
{
	BUF_MEM *mem = NULL;
	BIO *bio;
	int rv;

	if (!k->priv)
		return rm_fail(why, RM_EINVAL, "%s: key has no private part",
		    path);
	/* Secure-heap memory BIO: cleansed when freed. */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return crypto_ossl_fail(why, RM_ENOMEM, "key: BIO");
	/* PKCS#8 PrivateKeyInfo, unencrypted (RFC 5208 §5). */
	if (PEM_write_bio_PKCS8PrivateKey(bio, k->pk, NULL, NULL, 0, NULL,
	    NULL) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "key: PKCS#8 encode");
		goto done;
	}
	BIO_get_mem_ptr(bio, &mem);
	rv = rm_file_write_atomic(path, mem->data, mem->length, 0600, why);
	OPENSSL_cleanse(mem->data, mem->length);
done:
	BIO_free(bio);
	return rv;
}

int
crypto_key_public_pem(const crypto_key *k, rm_buf *out)
{
	BUF_MEM *mem = NULL;
	BIO *bio;
	int rv;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return RM_ENOMEM;
	if (PEM_write_bio_PUBKEY(bio, k->pk) != 1) {
		ERR_clear_error();
		rv = RM_ECRYPTO;
		goto done;
	}
	BIO_get_mem_ptr(bio, &mem);
	rv = rm_buf_append(out, mem->data, mem->length);
done:
	BIO_free(bio);
	return rv;
}

int
crypto_key_spki(const crypto_key *k, rm_buf *out)
{
	unsigned char der[CRYPTO_SPKI_MAX], *p = der;
	int len;

	len = i2d_PUBKEY(k->pk, NULL);
	if (len <= 0 || len > (int)sizeof(der) || i2d_PUBKEY(k->pk, &p) != len) {
		ERR_clear_error();
		return RM_ECRYPTO;
	}
	return rm_buf_append(out, der, (size_t)len);
}

int
crypto_key_kid(const crypto_key *k, rm_hash *out)
{
	*out = k->kid;
	return RM_OK;
}

bool
crypto_key_has_private(const crypto_key *k)
{
	return k->priv;
}

crypto_key *
crypto_key_ref(crypto_key *k)
{
	if (k != NULL)
		atomic_fetch_add(&k->refs, 1);
	return k;
}

void
crypto_key_free(crypto_key *k)
{
	if (k == NULL || atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	/* EVP_PKEY_free clears the private scalar (BN_clear_free); the
	 * signing context holds a reference on it. */
	EVP_PKEY_CTX_free(k->sign_ctx);
	pthread_mutex_destroy(&k->sign_mtx);
	EVP_PKEY_free(k->pk);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}
