/*
 * test_keys.c -- P-256 keys: generate, PEM save/load, SPKI, kid, curve
 * checks, reference counting.
 */
#include <sys/stat.h>

#include "crypto_test.h"
#include "rm_test.h"

/* Other key types, made with the openssl CLI (genpkey / pkey -pubout). */
static const char p384_priv[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBUijnOIBcWL0Y7CqfW\n"
    "qHHP/a1JqejQ66eOcJjyloYvrtj5xwz5eEDv065nzXm5+5+hZANiAAQUKLi2OpsL\n"
    "xTRjEd656F86pinQvMSaXW3YNQU4Yypnbp7EI5H/tG5jgtEqlbKjS5ufVNnLEg7y\n"
    "SSREcUnKTpgfH8L2gyuYrLXzLJxtZyWv4++abYhfsdPheIJ1h0KuKHg=\n"
    "-----END PRIVATE KEY-----\n";
static const char p384_pub[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEFCi4tjqbC8U0YxHeuehfOqYp0LzEml1t\n"
    "2DUFOGMqZ26exCOR/7RuY4LRKpWyo0ubn1TZyxIO8kkkRHFJyk6YHx/C9oMrmKy1\n"
    "8yycbWclr+Pvmm2IX7HT4XiCdYdCrih4\n"
    "-----END PUBLIC KEY-----\n";
static const char k256_pub[] =   /* secp256k1: 256 bits, wrong curve */
    "-----BEGIN PUBLIC KEY-----\n"
    "MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAE+pT2xLtHTDS+7vupQOcUntjKwPh7GTdI\n"
    "hEyGNHxLZXXjxyrOuHlngMcgzaV5i3qXzb7x0OPs7mkl89o/ymxxKw==\n"
    "-----END PUBLIC KEY-----\n";
static const char ed25519_priv[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIC8iQd+HwYMmUi1XNdOm7sKC1znl75Gbl3bN38EQ4zND\n"
    "-----END PRIVATE KEY-----\n";
static const char rsa_pub[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCJL1j/04NWDYxdpvD000DP5i3\n"
    "x/p5BtVm4F/66PNHmCLlS1yALeNnd+w9kCkrlNg1JR5MvH1L0SwbXwAOTPrXGru1\n"
    "44oXvWqkjlrVfQ/UaJaHOBadB+PqOJMZah127I1t/swv7UxzT/R3zO19Q73kHTFZ\n"
    "xM7rkyDsLew8R/yGGwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static int
from_pem(const char *pem, crypto_key **out, rm_why *why)
{
	return crypto_key_from_pem(pem, strlen(pem), out, why);
}

static void
test_generate_save_load(void)
{
	crypto_key *k = ct_newkey(), *l = NULL;
	const char *path = ct_path("gen.pem");
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	rm_hash a, b;
	rm_buf pem = RM_BUF_INIT;
	struct stat st;
	rm_why why;

	CU_ASSERT(crypto_key_has_private(k));
	CU_ASSERT_EQUAL(crypto_key_save_private_pem(k, path, &why), RM_OK);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(rm_file_read(path, 4096, &pem, NULL), RM_OK);
	CU_ASSERT_EQUAL(rm_buf_cstr(&pem), RM_OK);
	CU_ASSERT(strstr((char *)pem.data, "-----BEGIN PRIVATE KEY-----") ==
	    (char *)pem.data);   /* PKCS#8, not SEC1 */
	rm_buf_fini(&pem);

	CU_ASSERT_EQUAL(crypto_key_load_pem(path, &l, &why), RM_OK);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT(crypto_key_has_private(l));
	crypto_key_kid(k, &a);
	crypto_key_kid(l, &b);
	CU_ASSERT(memcmp(a.b, b.b, 32) == 0);
	/* the loaded key signs what the original verifies */
	CU_ASSERT_EQUAL(crypto_es256_sign(l, "m", 1, sig, &why), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(k, "m", 1, sig), RM_OK);
	crypto_key_free(l);
	crypto_key_free(k);
}

static void
test_sec1_and_known_kid(void)
{
	crypto_key *k = ct_key();
	rm_buf spki = RM_BUF_INIT;
	rm_hash kid, h;
	char hex[65];

	CU_ASSERT(crypto_key_has_private(k));
	CU_ASSERT_EQUAL(crypto_key_kid(k, &kid), RM_OK);
	rm_hash_hex(&kid, hex);
	CU_ASSERT_STRING_EQUAL(hex, ct_p256_kid_hex);
	/* kid is SHA-256 of the DER SPKI (91 bytes for P-256) */
	CU_ASSERT_EQUAL(crypto_key_spki(k, &spki), RM_OK);
	CU_ASSERT_EQUAL(spki.len, 91);
	crypto_sha256(spki.data, spki.len, &h);
	CU_ASSERT(memcmp(h.b, kid.b, 32) == 0);
	/* stable: asking again gives the same */
	CU_ASSERT_EQUAL(crypto_key_kid(k, &h), RM_OK);
	CU_ASSERT(memcmp(h.b, kid.b, 32) == 0);
	rm_buf_fini(&spki);
	crypto_key_free(k);
}

static void
test_public_only(void)
{
	crypto_key *pub = NULL, *priv = ct_key();
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	rm_hash a, b;
	rm_why why;

	CU_ASSERT_EQUAL(from_pem(ct_p256_pub, &pub, &why), RM_OK);
	CU_ASSERT_FATAL(pub != NULL);
	CU_ASSERT(!crypto_key_has_private(pub));
	crypto_key_kid(pub, &a);
	crypto_key_kid(priv, &b);
	CU_ASSERT(memcmp(a.b, b.b, 32) == 0);
	memset(sig, 0xaa, sizeof(sig));
	CU_ASSERT_EQUAL(crypto_es256_sign(pub, "m", 1, sig, &why), RM_EINVAL);
	CU_ASSERT(sig[0] == 0xaa && sig[63] == 0xaa);   /* untouched */
	CU_ASSERT_EQUAL(crypto_key_save_private_pem(pub, ct_path("no.pem"),
	    &why), RM_EINVAL);
	CU_ASSERT(strstr(why.msg, "no private part") != NULL);
	/* public verifies what the private signed */
	CU_ASSERT_EQUAL(crypto_es256_sign(priv, "m", 1, sig, NULL), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(pub, "m", 1, sig), RM_OK);
	crypto_key_free(pub);
	crypto_key_free(priv);
}

static void
test_public_pem_and_spki_roundtrip(void)
{
	crypto_key *k = ct_newkey(), *p = NULL, *q = NULL;
	rm_buf pem = RM_BUF_INIT, spki = RM_BUF_INIT;
	rm_hash a, b, c;
	rm_why why;

	CU_ASSERT_EQUAL(crypto_key_public_pem(k, &pem), RM_OK);
	CU_ASSERT(pem.len > 20 &&
	    memcmp(pem.data, "-----BEGIN PUBLIC KEY-----", 26) == 0);
	CU_ASSERT_EQUAL(crypto_key_from_pem(pem.data, pem.len, &p, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(crypto_key_spki(k, &spki), RM_OK);
	CU_ASSERT_EQUAL(crypto_key_from_spki(spki.data, spki.len, &q, &why),
	    RM_OK);
	CU_ASSERT_FATAL(p != NULL && q != NULL);
	CU_ASSERT(!crypto_key_has_private(p) && !crypto_key_has_private(q));
	crypto_key_kid(k, &a);
	crypto_key_kid(p, &b);
	crypto_key_kid(q, &c);
	CU_ASSERT(memcmp(a.b, b.b, 32) == 0 && memcmp(a.b, c.b, 32) == 0);
	rm_buf_fini(&pem);
	rm_buf_fini(&spki);
	crypto_key_free(k);
	crypto_key_free(p);
	crypto_key_free(q);
}

static void
test_spki_rejects(void)
{
	crypto_key *k = ct_key(), *q = (crypto_key *)&q;
	rm_buf spki = RM_BUF_INIT;
	rm_why why;

	CU_ASSERT_EQUAL(crypto_key_spki(k, &spki), RM_OK);
	CU_ASSERT_EQUAL(crypto_key_from_spki(spki.data, 0, &q, &why),
	    RM_EMALFORMED);
	CU_ASSERT_EQUAL(crypto_key_from_spki(spki.data, spki.len - 1, &q,
	    &why), RM_EMALFORMED);
	rm_buf_append_byte(&spki, 0);
	CU_ASSERT_EQUAL(crypto_key_from_spki(spki.data, spki.len, &q, &why),
	    RM_EMALFORMED);
	CU_ASSERT(strstr(why.msg, "trailing") != NULL);
	CU_ASSERT_EQUAL(crypto_key_from_spki((const uint8_t *)"garbage", 7,
	    &q, &why), RM_EMALFORMED);
	CU_ASSERT(q == (crypto_key *)&q);   /* out untouched on failure */
	rm_buf_fini(&spki);
	crypto_key_free(k);
}

static void
test_wrong_curve_rejected(void)
{
	static const char *const bad[] = {
		p384_priv, p384_pub, k256_pub, ed25519_priv, rsa_pub,
	};
	crypto_key *k = NULL;
	rm_why why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why.msg[0] = '\0';
		CU_ASSERT_EQUAL(from_pem(bad[i], &k, &why), RM_EBADVALUE);
		CU_ASSERT(k == NULL);
		CU_ASSERT(strstr(why.msg, "key:") != NULL);
	}
	CU_ASSERT_EQUAL(from_pem(p384_pub, &k, &why), RM_EBADVALUE);
	CU_ASSERT(strstr(why.msg, "secp384r1") != NULL);
	CU_ASSERT_EQUAL(from_pem(rsa_pub, &k, &why), RM_EBADVALUE);
	CU_ASSERT(strstr(why.msg, "not an EC key") != NULL);
}

static void
test_wrong_curve_from_cli(void)
{
	const char *path = ct_path("p521.pem");
	crypto_key *k = NULL;
	char cmd[512];
	rm_why why;

	snprintf(cmd, sizeof(cmd), "openssl genpkey -algorithm EC -pkeyopt "
	    "ec_paramgen_curve:P-521 -out '%s' 2>/dev/null", path);
	if (system(cmd) != 0) {
		CU_FAIL("openssl CLI not available");
		return;
	}
	CU_ASSERT_EQUAL(crypto_key_load_pem(path, &k, &why), RM_EBADVALUE);
	CU_ASSERT(strstr(why.msg, path) != NULL);
	CU_ASSERT(strstr(why.msg, "not P-256") != NULL);
	CU_ASSERT(k == NULL);
}

static void
test_bad_pem_and_files(void)
{
	static const char enc_hdr[] =
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
	    "-----END ENCRYPTED PRIVATE KEY-----\n";
	crypto_key *k = NULL;
	rm_why why;

	CU_ASSERT_EQUAL(from_pem("not a pem", &k, &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(crypto_key_from_pem("", 0, &k, &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(from_pem(enc_hdr, &k, &why), RM_EMALFORMED);
	/* truncated PEM body */
	CU_ASSERT_EQUAL(crypto_key_from_pem(ct_p256_sec1, 60, &k, &why),
	    RM_EMALFORMED);
	CU_ASSERT_EQUAL(crypto_key_load_pem(ct_path("missing.pem"), &k, &why),
	    RM_EIO);
	CU_ASSERT(strstr(why.msg, "missing.pem") != NULL);
	CU_ASSERT(k == NULL);
}

static void
test_refcount(void)
{
	crypto_key *k = ct_newkey();
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];

	CU_ASSERT(crypto_key_ref(k) == k);
	crypto_key_free(k);
	/* still alive after one drop */
	CU_ASSERT_EQUAL(crypto_es256_sign(k, "x", 1, sig, NULL), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(k, "x", 1, sig), RM_OK);
	crypto_key_free(k);
	crypto_key_free(NULL);
	CU_ASSERT(crypto_key_ref(NULL) == NULL);
}

static CU_TestInfo tests[] = {
	{ "generate_save_load", test_generate_save_load },
	{ "sec1_and_known_kid", test_sec1_and_known_kid },
	{ "public_only", test_public_only },
	{ "public_pem_and_spki_roundtrip", test_public_pem_and_spki_roundtrip },
	{ "spki_rejects", test_spki_rejects },
	{ "wrong_curve_rejected", test_wrong_curve_rejected },
	{ "wrong_curve_from_cli", test_wrong_curve_from_cli },
	{ "bad_pem_and_files", test_bad_pem_and_files },
	{ "refcount", test_refcount },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("crypto.keys", tests);
}
