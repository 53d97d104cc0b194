/*
 * x509.c -- the federation's X.509 certificates (RFC 5280), PEM files.
 *
 * Profile, chosen so that nng 1.5's TLS (mbedTLS 2.28) accepts the
 * certificates for mutual TLS:
 *   all: v3, ecdsa-with-SHA256, P-256 subject keys, subjectKeyIdentifier
 *        (§4.2.1.2), random positive 128-bit serial (§4.1.2.2), notBefore
 *        backdated by NOT_BEFORE_SLACK_S for clock skew between nodes.
 *   CA:  self-signed, basicConstraints CA:TRUE critical (§4.2.1.9),
 *        keyUsage keyCertSign|cRLSign critical (§4.2.1.3).
 *   leaf (agency/node): basicConstraints CA:FALSE critical, keyUsage
 *        digitalSignature critical, extendedKeyUsage serverAuth,clientAuth
 *        (§4.2.1.12), authorityKeyIdentifier (§4.2.1.1), subjectAltName
 *        DNS:<cn>, IP:127.0.0.1, IP:::1 (§4.2.1.6).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto_int.h"

#define CERT_PEM_MAX (64 * 1024)
#define CN_MAX 64                   /* ub-common-name, RFC 5280 App. A */
#define DAYS_MAX 36500
#define NOT_BEFORE_SLACK_S 300
#define SERIAL_BYTES 16

static int
read_cert(const char *path, X509 **out, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	BIO *bio = NULL;
	X509 *x;
	int rv;

	if ((rv = rm_file_read(path, CERT_PEM_MAX, &b, why)) != RM_OK)
		goto done;
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL) {
		rv = crypto_ossl_fail(why, RM_ENOMEM, path);
		goto done;
	}
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		ERR_clear_error();
		rv = rm_fail(why, RM_EMALFORMED,
		    "%s: no readable CERTIFICATE PEM block", path);
		goto done;
	}
	*out = x;
done:
	BIO_free(bio);
	rm_buf_fini(&b);
	return rv;
}

static int
write_cert(X509 *x, const char *path, rm_why *why)
{
	BUF_MEM *mem = NULL;
	BIO *bio;
	int rv;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return crypto_ossl_fail(why, RM_ENOMEM, "x509: BIO");
	if (PEM_write_bio_X509(bio, x) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "x509: PEM encode");
		goto done;
	}
	BIO_get_mem_ptr(bio, &mem);
	rv = rm_file_write_atomic(path, mem->data, mem->length, 0644, why);
done:
	BIO_free(bio);
	return rv;
}

/* dns: letters, digits, '-' and '.' only (usable as a SAN dNSName);
 * otherwise printable ASCII. */
static int
check_cn(const char *cn, bool dns, rm_why *why)
{
	size_t n = strlen(cn);

	if (n == 0 || n > CN_MAX)
		return rm_fail(why, RM_EBADVALUE,
		    "x509.cn: %zu bytes, must be 1..%d", n, CN_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)cn[i];
		bool ok = dns ? ((c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.') : (c >= 0x20 && c < 0x7f);

		if (!ok)
			return rm_fail(why, RM_EBADVALUE,
			    "x509.cn: character 0x%02x not allowed%s", c,
			    dns ? " in a DNS name" : "");
	}
	return RM_OK;
}

/* Version, serial, validity, subject CN and public key. */
static int
set_basics(X509 *x, EVP_PKEY *pub, const char *cn, unsigned days,
    rm_why *why)
{
	unsigned char serial[SERIAL_BYTES];
	ASN1_INTEGER *ai = NULL;
	BIGNUM *bn = NULL;
	X509_NAME *name;
	int rv = RM_ECRYPTO;

	if (days == 0 || days > DAYS_MAX)
		return rm_fail(why, RM_EINVAL, "x509.days: %u, must be 1..%d",
		    days, DAYS_MAX);
	do {
		if (crypto_random(serial, sizeof(serial)) != RM_OK)
			return rm_fail(why, RM_ECRYPTO, "x509: random serial");
		BN_free(bn);
		/* BN_bin2bn is unsigned: the serial is always positive. */
		if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL)
			goto fail;
	} while (BN_is_zero(bn));
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    (ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    X509_set_serialNumber(x, ai) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -NOT_BEFORE_SLACK_S) ==
	    NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) ==
	    NULL)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_pubkey(x, pub) != 1)
		goto fail;
	rv = RM_OK;
fail:
	if (rv != RM_OK)
		crypto_ossl_fail(why, rv, "x509: certificate fields");
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return rv;
}

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value, rm_why *why)
{
	X509_EXTENSION *ext;
	int ok;

	if ((ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value)) == NULL)
		return crypto_ossl_fail(why, RM_ECRYPTO, OBJ_nid2sn(nid));
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ok != 1)
		return crypto_ossl_fail(why, RM_ECRYPTO, OBJ_nid2sn(nid));
	return RM_OK;
}

static int
add_gen(GENERAL_NAMES *gens, int type, const char *value)
{
	GENERAL_NAME *gn;
	ASN1_STRING *s;

	if ((gn = GENERAL_NAME_new()) == NULL)
		return RM_ENOMEM;
	if (type == GEN_IPADD)
		s = a2i_IPADDRESS(value);
	else if ((s = ASN1_IA5STRING_new()) != NULL &&
	    ASN1_STRING_set(s, value, -1) != 1) {
		ASN1_STRING_free(s);
		s = NULL;
	}
	if (s == NULL) {
		GENERAL_NAME_free(gn);
		return RM_ECRYPTO;
	}
	GENERAL_NAME_set0_value(gn, type, s);
	if (sk_GENERAL_NAME_push(gens, gn) <= 0) {
		GENERAL_NAME_free(gn);
		return RM_ENOMEM;
	}
	return RM_OK;
}

/* subjectAltName DNS:<cn>, IP:127.0.0.1, IP:::1, built without the
 * config-string parser so no character in cn can inject names. */
static int
add_san(X509 *x, const char *cn, rm_why *why)
{
	GENERAL_NAMES *gens;
	int rv;

	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		return rm_fail(why, RM_ENOMEM, "x509: out of memory");
	if ((rv = add_gen(gens, GEN_DNS, cn)) != RM_OK ||
	    (rv = add_gen(gens, GEN_IPADD, "127.0.0.1")) != RM_OK ||
	    (rv = add_gen(gens, GEN_IPADD, "::1")) != RM_OK)
		rv = crypto_ossl_fail(why, rv, "x509: subjectAltName");
	else if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) != 1)
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "x509: subjectAltName");
	GENERAL_NAMES_free(gens);
	return rv;
}

static int
sign_and_write(X509 *x, const crypto_key *signer, const char *path,
    rm_why *why)
{
	/* ecdsa-with-SHA256 (RFC 5758 §3.2) */
	if (X509_sign(x, signer->pk, crypto_md_sha256()) <= 0)
		return crypto_ossl_fail(why, RM_ECRYPTO, "x509: sign");
	return write_cert(x, path, why);
}

/* The in-process private key behind a signer; certificates are signed
 * by OpenSSL itself, so a signer whose key lives elsewhere cannot. */
static int
signer_key(crypto_signer *s, const crypto_key **out, rm_why *why)
{
	const crypto_key *k = s != NULL ? crypto_signer_key0(s) : NULL;

	if (k == NULL || !k->priv)
		return rm_fail(why, RM_EINVAL, "x509: CA signer has no "
		    "in-process private key");
	*out = k;
	return RM_OK;
}

int
x509_ca_create(crypto_signer *ca, const char *common_name,
    unsigned days, const char *cert_path, rm_why *why)
{
	const crypto_key *root = NULL;
	X509V3_CTX ctx;
	X509 *x;
	int rv;

	if ((rv = signer_key(ca, &root, why)) != RM_OK)
		return rv;
	if ((rv = check_cn(common_name, false, why)) != RM_OK)
		return rv;
	if ((x = X509_new()) == NULL)
		return rm_fail(why, RM_ENOMEM, "x509: out of memory");
	if ((rv = set_basics(x, root->pk, common_name, days, why)) != RM_OK)
		goto done;
	if (X509_set_issuer_name(x, X509_get_subject_name(x)) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "x509: issuer");
		goto done;
	}
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((rv = add_ext(x, &ctx, NID_basic_constraints,
	    "critical,CA:TRUE", why)) != RM_OK ||
	    (rv = add_ext(x, &ctx, NID_key_usage,
	    "critical,keyCertSign,cRLSign", why)) != RM_OK ||
	    (rv = add_ext(x, &ctx, NID_subject_key_identifier, "hash",
	    why)) != RM_OK ||
	    (rv = add_ext(x, &ctx, NID_authority_key_identifier,
	    "keyid:always", why)) != RM_OK)
		goto done;
	rv = sign_and_write(x, root, cert_path, why);
done:
	X509_free(x);
	return rv;
}

int
x509_issue(crypto_signer *ca_signer, const char *ca_cert_path,
    const crypto_key *subject_key, const char *common_name, unsigned days,
    const char *cert_path, rm_why *why)
{
	const crypto_key *ca_key = NULL;
	X509 *ca = NULL, *x = NULL;
	X509V3_CTX ctx;
	int rv;

	if ((rv = signer_key(ca_signer, &ca_key, why)) != RM_OK)
		return rv;
	if ((rv = check_cn(common_name, true, why)) != RM_OK)
		return rv;
	if ((rv = read_cert(ca_cert_path, &ca, why)) != RM_OK)
		return rv;
	if (X509_check_private_key(ca, ca_key->pk) != 1) {
		ERR_clear_error();
		rv = rm_fail(why, RM_EBADVALUE,
		    "%s: CA key does not match the CA certificate",
		    ca_cert_path);
		goto done;
	}
	if ((x = X509_new()) == NULL) {
		rv = rm_fail(why, RM_ENOMEM, "x509: out of memory");
		goto done;
	}
	if ((rv = set_basics(x, subject_key->pk, common_name, days,
	    why)) != RM_OK)
		goto done;
	if (X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "x509: issuer");
		goto done;
	}
	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	if ((rv = add_ext(x, &ctx, NID_basic_constraints,
	    "critical,CA:FALSE", why)) != RM_OK ||
	    (rv = add_ext(x, &ctx, NID_key_usage,
	    "critical,digitalSignature", why)) != RM_OK ||
	    (rv = add_ext(x, &ctx, NID_ext_key_usage,
	    "serverAuth,clientAuth", why)) != RM_OK ||
	    (rv = add_ext(x, &ctx, NID_subject_key_identifier, "hash",
	    why)) != RM_OK ||
	    (rv = add_ext(x, &ctx, NID_authority_key_identifier,
	    "keyid:always", why)) != RM_OK ||
	    (rv = add_san(x, common_name, why)) != RM_OK)
		goto done;
	rv = sign_and_write(x, ca_key, cert_path, why);
done:
	X509_free(x);
	X509_free(ca);
	return rv;
}

/* Copy the subject CN as UTF-8 into out[len]. */
static int
copy_cn(X509 *x, char *out, size_t len, rm_why *why)
{
	X509_NAME *name = X509_get_subject_name(x);
	unsigned char *utf8 = NULL;
	X509_NAME_ENTRY *e;
	int i, n;

	if ((i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0 ||
	    (e = X509_NAME_get_entry(name, i)) == NULL)
		return rm_fail(why, RM_EMISSING, "x509.cn: no common name");
	if ((n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e))) < 0)
		return crypto_ossl_fail(why, RM_EMALFORMED, "x509.cn");
	if (memchr(utf8, '\0', (size_t)n) != NULL) {
		OPENSSL_free(utf8);
		return rm_fail(why, RM_EMALFORMED, "x509.cn: embedded NUL");
	}
	if ((size_t)n >= len) {
		OPENSSL_free(utf8);
		return rm_fail(why, RM_ETOOBIG, "x509.cn: %d bytes, buffer %zu",
		    n, len);
	}
	memcpy(out, utf8, (size_t)n);
	out[n] = '\0';
	OPENSSL_free(utf8);
	return RM_OK;
}

int
x509_verify(const char *ca_cert_path, const char *cert_path, char *cn_out,
    size_t cn_len, rm_why *why)
{
	X509 *ca = NULL, *x = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	int rv, err;

	if ((rv = read_cert(ca_cert_path, &ca, why)) != RM_OK ||
	    (rv = read_cert(cert_path, &x, why)) != RM_OK)
		goto done;
	if ((store = X509_STORE_new()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL) {
		rv = rm_fail(why, RM_ENOMEM, "x509: out of memory");
		goto done;
	}
	if (X509_STORE_add_cert(store, ca) != 1 ||
	    X509_STORE_CTX_init(ctx, store, x, NULL) != 1) {
		rv = crypto_ossl_fail(why, RM_ECRYPTO, "x509: verify setup");
		goto done;
	}
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		ERR_clear_error();
		rv = (err == X509_V_ERR_CERT_HAS_EXPIRED ||
		    err == X509_V_ERR_CERT_NOT_YET_VALID ||
		    err == X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD ||
		    err == X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD) ?
		    RM_EEXPIRED : RM_EBADSIG;
		rm_fail(why, rv, "%s: %s", cert_path,
		    X509_verify_cert_error_string(err));
		goto done;
	}
	if (cn_out != NULL)
		rv = copy_cn(x, cn_out, cn_len, why);
done:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(x);
	X509_free(ca);
	return rv;
}

int
x509_public_key(const char *cert_path, crypto_key **out, rm_why *why)
{
	EVP_PKEY *pk;
	X509 *x;
	int rv;

	if ((rv = read_cert(cert_path, &x, why)) != RM_OK)
		return rv;
	pk = X509_get_pubkey(x);
	X509_free(x);
	if (pk == NULL)
		return crypto_ossl_fail(why, RM_EMALFORMED, cert_path);
	if ((rv = crypto_key_wrap(pk, false, out, why)) != RM_OK)
		EVP_PKEY_free(pk);
	return rv;
}
