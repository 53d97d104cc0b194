/*
 * signer.c -- crypto_signer: "sign these bytes, give me your kid".
 *
 * A signer is an ops table plus the signer's public key. Everything
 * above crypto/ signs through a signer and never holds a private key.
 * The one implementation today keeps the key in this process
 * (inproc_ops, built by crypto_signer_open_pem / crypto_signer_from_key).
 * A privilege-separated signing process is a second ops table whose
 * sign() sends the message to that process and reads back the 64-byte
 * r||s; its constructor learns the public key (SPKI) from the process
 * once, so kid and public_key() need no round trip. Nothing outside
 * this file changes when it is added.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto_int.h"

struct crypto_signer_ops {
	const char *name;
	/* msg/n as crypto_signer_sign; writes 64 bytes r||s on RM_OK. May
	 * be called from several threads at once. */
	int (*sign)(void *impl, const uint8_t *msg, size_t n,
	    uint8_t sig[CRYPTO_ES256_SIG_BYTES], rm_why *why);
	/* The in-process private key, or NULL if the key lives elsewhere
	 * (used by x509.c, which needs OpenSSL's own signing). */
	crypto_key *(*key)(void *impl);
	/* Release impl; wipe any key material first. */
	void (*fini)(void *impl);
};

struct crypto_signer {
	atomic_int refs;
	const struct crypto_signer_ops *ops;
	void *impl;
	crypto_key *pub;        /* public part only: kid, SPKI, verify */
};

/* ---------------- in-process key ---------------- */

static int
inproc_sign(void *impl, const uint8_t *msg, size_t n,
    uint8_t sig[CRYPTO_ES256_SIG_BYTES], rm_why *why)
{
	return crypto_es256_sign(impl, msg, n, sig, why);
}

static crypto_key *
inproc_key(void *impl)
{
	return impl;
}

static void
inproc_fini(void *impl)
{
	crypto_key_free(impl);   /* wipes on the last reference */
}

static const struct crypto_signer_ops inproc_ops = {
	.name = "in-process",
	.sign = inproc_sign,
	.key = inproc_key,
	.fini = inproc_fini,
};

/* ---------------- generic ---------------- */

/* Wrap impl (ownership passes on success only) behind ops, with the
 * public key given as DER SPKI. */
static int
signer_new(const struct crypto_signer_ops *ops, void *impl,
    const uint8_t *spki, size_t spki_len, crypto_signer **out, rm_why *why)
{
	crypto_signer *s;
	int rv;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return rm_fail(why, RM_ENOMEM, "signer: out of memory");
	if ((rv = crypto_key_from_spki(spki, spki_len, &s->pub, why)) !=
	    RM_OK) {
		free(s);
		return rv;
	}
	atomic_init(&s->refs, 1);
	s->ops = ops;
	s->impl = impl;
	*out = s;
	return RM_OK;
}

int
crypto_signer_from_key(crypto_key *k, crypto_signer **out, rm_why *why)
{
	rm_buf spki = RM_BUF_INIT;
	int rv;

	if (k == NULL || out == NULL)
		return rm_fail(why, RM_EINVAL, "signer: no key");
	if (!crypto_key_has_private(k))
		return rm_fail(why, RM_EINVAL, "signer: key has no private "
		    "part");
	if ((rv = crypto_key_spki(k, &spki)) != RM_OK) {
		rm_fail(why, rv, "signer: public key: %s", rm_strerror(rv));
		goto done;
	}
	if ((rv = signer_new(&inproc_ops, k, spki.data, spki.len, out,
	    why)) == RM_OK)
		crypto_key_ref(k);
done:
	rm_buf_fini(&spki);
	return rv;
}

int
crypto_signer_open_pem(const char *path, crypto_signer **out, rm_why *why)
{
	crypto_key *k = NULL;
	int rv;

	if (path == NULL || out == NULL)
		return rm_fail(why, RM_EINVAL, "signer: no key file");
	if ((rv = crypto_key_load_pem(path, &k, why)) != RM_OK)
		return rv;
	if (!crypto_key_has_private(k))
		rv = rm_fail(why, RM_EBADVALUE, "%s: public key only; a "
		    "signing key must be private", path);
	else
		rv = crypto_signer_from_key(k, out, why);
	crypto_key_free(k);     /* the signer holds its own reference */
	return rv;
}

int
crypto_signer_generate_pem(const char *path, crypto_signer **out,
    rm_why *why)
{
	crypto_key *k = NULL;
	int rv;

	if (path == NULL || out == NULL)
		return rm_fail(why, RM_EINVAL, "signer: no key file");
	if ((rv = crypto_key_generate(&k, why)) != RM_OK)
		return rv;
	if ((rv = crypto_key_save_private_pem(k, path, why)) == RM_OK)
		rv = crypto_signer_from_key(k, out, why);
	crypto_key_free(k);
	return rv;
}

int
crypto_signer_sign(crypto_signer *s, const uint8_t *msg, size_t n,
    uint8_t sig[CRYPTO_ES256_SIG_BYTES], rm_why *why)
{
	uint8_t tmp[CRYPTO_ES256_SIG_BYTES];
	int rv;

	if (s == NULL || sig == NULL || (msg == NULL && n != 0))
		return rm_fail(why, RM_EINVAL, "signer: bad arguments");
	if ((rv = s->ops->sign(s->impl, msg, n, tmp, why)) != RM_OK)
		return rv;
	memcpy(sig, tmp, sizeof(tmp));
	return RM_OK;
}

int
crypto_signer_kid(const crypto_signer *s, rm_hash *out)
{
	if (s == NULL || out == NULL)
		return RM_EINVAL;
	return crypto_key_kid(s->pub, out);
}

int
crypto_signer_public_key(const crypto_signer *s, crypto_key **out)
{
	if (s == NULL || out == NULL)
		return RM_EINVAL;
	*out = crypto_key_ref(s->pub);
	return RM_OK;
}

crypto_key *
crypto_signer_key0(const crypto_signer *s)
{
	return s->ops->key != NULL ? s->ops->key(s->impl) : NULL;
}

crypto_signer *
crypto_signer_ref(crypto_signer *s)
{
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

void
crypto_signer_free(crypto_signer *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	s->ops->fini(s->impl);
	crypto_key_free(s->pub);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}
