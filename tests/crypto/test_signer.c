/*
 * test_signer.c -- crypto_signer: open from PEM, generate, sign/verify
 * round trip against the public key, kid, COSE through a signer,
 * reference counting and bad arguments.
 */
#include <sys/stat.h>

#include "crypto_test.h"
#include "rm_test.h"

static void
write_text(const char *path, const char *text)
{
	CU_ASSERT_EQUAL_FATAL(rm_file_write_atomic(path, text, strlen(text),
	    0600, NULL), RM_OK);
}

/* Open the known SEC1 key: the signature verifies with the public key,
 * the kid is crypto_key_kid of the public key (and the known value). */
static void
test_open_sign_verify(void)
{
	const char *path = ct_path("agency.key");
	static const uint8_t msg[] = "sign these bytes";
	uint8_t sig[CRYPTO_ES256_SIG_BYTES], sig2[CRYPTO_ES256_SIG_BYTES];
	crypto_signer *s = NULL;
	crypto_key *pub = NULL, *known = NULL;
	rm_hash kid, pkid;
	char hex[65];
	rm_why why;

	write_text(path, ct_p256_sec1);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_open_pem(path, &s, &why), RM_OK);
	CU_ASSERT_EQUAL(crypto_signer_sign(s, msg, sizeof(msg), sig, &why),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_public_key(s, &pub), RM_OK);
	CU_ASSERT(!crypto_key_has_private(pub));
	CU_ASSERT_EQUAL(crypto_es256_verify(pub, msg, sizeof(msg), sig),
	    RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(pub, msg, sizeof(msg) - 1, sig),
	    RM_EBADSIG);
	/* an independent load of the public key verifies too */
	CU_ASSERT_EQUAL_FATAL(crypto_key_from_pem(ct_p256_pub,
	    strlen(ct_p256_pub), &known, NULL), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(known, msg, sizeof(msg), sig),
	    RM_OK);
	/* ECDSA is randomised: a second signature differs, both verify */
	CU_ASSERT_EQUAL(crypto_signer_sign(s, msg, sizeof(msg), sig2, &why),
	    RM_OK);
	CU_ASSERT(memcmp(sig, sig2, sizeof(sig)) != 0);
	CU_ASSERT_EQUAL(crypto_es256_verify(pub, msg, sizeof(msg), sig2),
	    RM_OK);
	/* empty message */
	CU_ASSERT_EQUAL(crypto_signer_sign(s, NULL, 0, sig, &why), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(pub, "", 0, sig), RM_OK);

	CU_ASSERT_EQUAL(crypto_signer_kid(s, &kid), RM_OK);
	CU_ASSERT_EQUAL(crypto_key_kid(pub, &pkid), RM_OK);
	CU_ASSERT(memcmp(kid.b, pkid.b, RM_HASH_BYTES) == 0);
	rm_hash_hex(&kid, hex);
	CU_ASSERT_STRING_EQUAL(hex, ct_p256_kid_hex);
	crypto_key_free(known);
	crypto_key_free(pub);
	crypto_signer_free(s);
}

/* A COSE_Sign1 sealed through a signer verifies with its public key. */
static void
test_cose_through_signer(void)
{
	static const uint8_t payload[] = { 0xa1, 0x01, 0x02 };
	rm_buf out = RM_BUF_INIT;
	struct cose_sign1 m;
	crypto_signer *s = NULL;
	crypto_key *k = ct_newkey(), *pub = NULL;
	rm_hash kid;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(crypto_signer_from_key(k, &s, &why), RM_OK);
	crypto_key_free(k);            /* the signer holds its own reference */
	CU_ASSERT_EQUAL_FATAL(cose_sign1_sign(s, payload, sizeof(payload),
	    &out, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(cose_sign1_decode(out.data, out.len, &m, &why),
	    RM_OK);
	crypto_signer_kid(s, &kid);
	CU_ASSERT(memcmp(m.kid.b, kid.b, RM_HASH_BYTES) == 0);
	crypto_signer_public_key(s, &pub);
	CU_ASSERT_EQUAL(cose_sign1_verify(pub, &m, &why), RM_OK);
	CU_ASSERT_EQUAL(cose_sign1_sign(NULL, payload, 1, &out, &why),
	    RM_EINVAL);
	crypto_key_free(pub);
	crypto_signer_free(s);
	rm_buf_fini(&out);
}

/* generate_pem writes a 0600 PKCS#8 file that opens to the same kid. */
static void
test_generate(void)
{
	const char *path = ct_path("new.key");
	crypto_signer *s = NULL, *t = NULL;
	rm_hash a, b;
	struct stat st;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(crypto_signer_generate_pem(path, &s, &why),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_open_pem(path, &t, &why), RM_OK);
	crypto_signer_kid(s, &a);
	crypto_signer_kid(t, &b);
	CU_ASSERT(memcmp(a.b, b.b, RM_HASH_BYTES) == 0);
	crypto_signer_free(t);
	crypto_signer_free(s);
}

/* Public keys, missing files, other curves and NULLs are refused; out
 * is untouched on failure. */
static void
test_bad_args(void)
{
	crypto_signer *s = (crypto_signer *)&s, *ok = NULL;
	crypto_key *pub = NULL, *kp = (crypto_key *)&kp;
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	rm_hash kid;
	rm_why why;

	write_text(ct_path("pub.pem"), ct_p256_pub);
	CU_ASSERT_EQUAL(crypto_signer_open_pem(ct_path("pub.pem"), &s, &why),
	    RM_EBADVALUE);
	CU_ASSERT(strstr(why.msg, "public key only") != NULL);
	CU_ASSERT_EQUAL(crypto_signer_open_pem(ct_path("missing.pem"), &s,
	    &why), RM_EIO);
	write_text(ct_path("junk.pem"), "not a key\n");
	CU_ASSERT_EQUAL(crypto_signer_open_pem(ct_path("junk.pem"), &s,
	    &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(crypto_signer_open_pem(NULL, &s, &why), RM_EINVAL);
	CU_ASSERT_EQUAL(crypto_signer_generate_pem(NULL, &s, &why),
	    RM_EINVAL);
	CU_ASSERT_EQUAL(crypto_signer_generate_pem(ct_path("no/such/dir.key"),
	    &s, &why), RM_EIO);
	CU_ASSERT_EQUAL_FATAL(crypto_key_from_pem(ct_p256_pub,
	    strlen(ct_p256_pub), &pub, NULL), RM_OK);
	CU_ASSERT_EQUAL(crypto_signer_from_key(pub, &s, &why), RM_EINVAL);
	CU_ASSERT_EQUAL(crypto_signer_from_key(NULL, &s, &why), RM_EINVAL);
	CU_ASSERT(s == (crypto_signer *)&s);

	CU_ASSERT_EQUAL(crypto_signer_sign(NULL, (const uint8_t *)"x", 1,
	    sig, &why), RM_EINVAL);
	CU_ASSERT_EQUAL(crypto_signer_kid(NULL, &kid), RM_EINVAL);
	CU_ASSERT_EQUAL(crypto_signer_public_key(NULL, &kp), RM_EINVAL);
	CU_ASSERT(kp == (crypto_key *)&kp);
	write_text(ct_path("ok.key"), ct_p256_sec1);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_open_pem(ct_path("ok.key"), &ok,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(crypto_signer_sign(ok, NULL, 1, sig, &why),
	    RM_EINVAL);
	CU_ASSERT_EQUAL(crypto_signer_sign(ok, (const uint8_t *)"x", 1, NULL,
	    &why), RM_EINVAL);
	CU_ASSERT_EQUAL(crypto_signer_kid(ok, NULL), RM_EINVAL);
	crypto_signer_free(ok);
	crypto_key_free(pub);
}

/* Several references; the key is released (and wiped) on the last. */
static void
test_refcount(void)
{
	crypto_key *k = ct_key();
	crypto_signer *s = NULL;
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];

	CU_ASSERT_EQUAL_FATAL(crypto_signer_from_key(k, &s, NULL), RM_OK);
	CU_ASSERT(crypto_signer_ref(s) == s);
	crypto_signer_free(s);
	CU_ASSERT_EQUAL(crypto_signer_sign(s, (const uint8_t *)"x", 1, sig,
	    NULL), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(k, "x", 1, sig), RM_OK);
	crypto_signer_free(s);
	crypto_signer_free(NULL);
	CU_ASSERT(crypto_signer_ref(NULL) == NULL);
	crypto_key_free(k);
}

static CU_TestInfo tests[] = {
	{ "open_sign_verify", test_open_sign_verify },
	{ "cose_through_signer", test_cose_through_signer },
	{ "generate", test_generate },
	{ "bad_args", test_bad_args },
	{ "refcount", test_refcount },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("crypto.signer", tests);
}
