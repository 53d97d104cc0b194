/*
 * test_hash.c -- SHA-256 vectors (FIPS 180-4 examples), randomness,
 * constant-time compare, raw ES256 sign/verify (RFC 9053 §2.1 r||s),
 * including the per-thread cache of prepared verify contexts.
 */
#include <pthread.h>

#include "crypto_test.h"
#include "rm_test.h"

static void
expect_hash(const rm_hash *h, const char *hex)
{
	char got[65];

	rm_hash_hex(h, got);
	CU_ASSERT_STRING_EQUAL(got, hex);
}

static void
test_sha256_vectors(void)
{
	static const char two_blocks[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	rm_hash h;

	crypto_sha256("abc", 3, &h);
	expect_hash(&h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	crypto_sha256("", 0, &h);
	expect_hash(&h, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	crypto_sha256(two_blocks, sizeof(two_blocks) - 1, &h);
	expect_hash(&h, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_sha256_v(void)
{
	const void *parts[3] = { "a", "", "bc" };
	size_t lens[3] = { 1, 0, 2 };
	rm_hash h;

	crypto_sha256_v(parts, lens, 3, &h);
	expect_hash(&h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	crypto_sha256_v(NULL, NULL, 0, &h);
	expect_hash(&h, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

static void
test_random_and_equal(void)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 }, z[32] = { 0 };

	CU_ASSERT_EQUAL(crypto_random(a, sizeof(a)), RM_OK);
	CU_ASSERT_EQUAL(crypto_random(b, sizeof(b)), RM_OK);
	CU_ASSERT(!crypto_equal(a, z, sizeof(a)));
	CU_ASSERT(!crypto_equal(a, b, sizeof(a)));
	CU_ASSERT(crypto_equal(a, a, sizeof(a)));
	memcpy(b, a, sizeof(a));
	b[31] ^= 1;
	CU_ASSERT(!crypto_equal(a, b, sizeof(a)));
	CU_ASSERT(crypto_equal(a, b, 31));
	CU_ASSERT_EQUAL(crypto_random(a, 0), RM_OK);
}

static void
test_es256_roundtrip(void)
{
	crypto_key *k = ct_newkey(), *other = ct_newkey();
	uint8_t sig[CRYPTO_ES256_SIG_BYTES], sig2[CRYPTO_ES256_SIG_BYTES];
	static const char msg[] = "risk alert";

	CU_ASSERT_EQUAL(crypto_es256_sign(k, msg, sizeof(msg), sig, NULL),
	    RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(k, msg, sizeof(msg), sig), RM_OK);
	/* ECDSA is randomised: a second signature differs but verifies */
	CU_ASSERT_EQUAL(crypto_es256_sign(k, msg, sizeof(msg), sig2, NULL),
	    RM_OK);
	CU_ASSERT(memcmp(sig, sig2, sizeof(sig)) != 0);
	CU_ASSERT_EQUAL(crypto_es256_verify(k, msg, sizeof(msg), sig2), RM_OK);
	/* empty message */
	CU_ASSERT_EQUAL(crypto_es256_sign(k, "", 0, sig2, NULL), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(k, "", 0, sig2), RM_OK);

	CU_ASSERT_EQUAL(crypto_es256_verify(other, msg, sizeof(msg), sig),
	    RM_EBADSIG);
	CU_ASSERT_EQUAL(crypto_es256_verify(k, msg, sizeof(msg) - 1, sig),
	    RM_EBADSIG);
	for (size_t i = 0; i < sizeof(sig); i += 7) {
		memcpy(sig2, sig, sizeof(sig));
		sig2[i] ^= 0x01;
		CU_ASSERT_EQUAL(crypto_es256_verify(k, msg, sizeof(msg), sig2),
		    RM_EBADSIG);
	}
	memset(sig2, 0, sizeof(sig2));          /* r = s = 0 */
	CU_ASSERT_EQUAL(crypto_es256_verify(k, msg, sizeof(msg), sig2),
	    RM_EBADSIG);
	memset(sig2, 0xff, sizeof(sig2));       /* r, s >= n */
	CU_ASSERT_EQUAL(crypto_es256_verify(k, msg, sizeof(msg), sig2),
	    RM_EBADSIG);
	crypto_key_free(k);
	crypto_key_free(other);
}

/* A signature made independently (python3-cryptography, ECDSA SHA-256,
 * DER converted to r||s) with the fixed test key. */
static void
test_es256_known_vector(void)
{
	static const char msg[] = "riskmesh es256 vector";
	static const char sig_hex[] =
	    "67d084ebdc29a797c722b78f42d17ad941dc22a19462760bfbe38da21bd6dbbc"
	    "5201e148c90f04623a97b2d9fe738b2baa524d696737aa250e30dc1128bc53c9";
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	crypto_key *k = ct_key();

	CU_ASSERT_EQUAL_FATAL(rm_hex_decode(sig_hex, sig, sizeof(sig)), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(k, msg, sizeof(msg) - 1, sig),
	    RM_OK);
	sig[0] ^= 0x80;
	CU_ASSERT_EQUAL(crypto_es256_verify(k, msg, sizeof(msg) - 1, sig),
	    RM_EBADSIG);
	crypto_key_free(k);
}

/*
 * Prepared verify contexts are cached per thread by kid (64 a thread,
 * direct-mapped), for public-only keys: more keys than entries force
 * evictions and reuse, a key loaded again as a new object hits the
 * entry of the freed one, and each key's signature verifies only with
 * that key, from several threads at once, with the public copy as with
 * the private key (never cached).
 */
#define VC_KEYS 72

struct vc_set {
	crypto_key *k[VC_KEYS];
	uint8_t sig[VC_KEYS][CRYPTO_ES256_SIG_BYTES];
	int bad;                     /* verdicts other than expected */
};

static const char vc_msg[] = "cached verify";

static void
vc_check(struct vc_set *vs)
{
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < VC_KEYS; i++) {
			size_t j = (i + 1 + (size_t)round) % VC_KEYS;

			if (crypto_es256_verify(vs->k[i], vc_msg,
			    sizeof(vc_msg), vs->sig[i]) != RM_OK)
				vs->bad++;
			if (crypto_es256_verify(vs->k[j], vc_msg,
			    sizeof(vc_msg), vs->sig[i]) != RM_EBADSIG)
				vs->bad++;
		}
}

static void *
vc_thread(void *arg)
{
	vc_check(arg);
	return NULL;
}

static void
test_es256_verify_cache(void)
{
	static struct vc_set vs, vt;
	rm_buf spki = RM_BUF_INIT;
	crypto_key *again;
	pthread_t t;

	for (size_t i = 0; i < VC_KEYS; i++) {
		crypto_key *priv = ct_newkey();

		CU_ASSERT_EQUAL_FATAL(crypto_es256_sign(priv, vc_msg,
		    sizeof(vc_msg), vs.sig[i], NULL), RM_OK);
		rm_buf_reset(&spki);
		CU_ASSERT_EQUAL_FATAL(crypto_key_spki(priv, &spki), RM_OK);
		CU_ASSERT_EQUAL_FATAL(crypto_key_from_spki(spki.data, spki.len,
		    &vs.k[i], NULL), RM_OK);
		CU_ASSERT(!crypto_key_has_private(vs.k[i]));
		CU_ASSERT_EQUAL(crypto_es256_verify(priv, vc_msg,
		    sizeof(vc_msg), vs.sig[i]), RM_OK);
		crypto_key_free(priv);
	}
	vt = vs;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, vc_thread, &vt), 0);
	vc_check(&vs);
	CU_ASSERT_EQUAL(pthread_join(t, NULL), 0);
	CU_ASSERT_EQUAL(vs.bad, 0);
	CU_ASSERT_EQUAL(vt.bad, 0);

	/* The public half of key 0, loaded again after the original is
	 * freed: same kid, so the cached context is reused; it still
	 * verifies key 0's signature and nothing else. */
	rm_buf_reset(&spki);
	CU_ASSERT_EQUAL_FATAL(crypto_key_spki(vs.k[0], &spki), RM_OK);
	crypto_key_free(vs.k[0]);
	CU_ASSERT_EQUAL_FATAL(crypto_key_from_spki(spki.data, spki.len,
	    &again, NULL), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(again, vc_msg, sizeof(vc_msg),
	    vs.sig[0]), RM_OK);
	CU_ASSERT_EQUAL(crypto_es256_verify(again, vc_msg, sizeof(vc_msg),
	    vs.sig[1]), RM_EBADSIG);
	CU_ASSERT_EQUAL(crypto_es256_verify(again, vc_msg, sizeof(vc_msg) - 1,
	    vs.sig[0]), RM_EBADSIG);
	crypto_key_free(again);
	rm_buf_fini(&spki);
	for (size_t i = 1; i < VC_KEYS; i++)
		crypto_key_free(vs.k[i]);
}

static CU_TestInfo tests[] = {
	{ "sha256_vectors", test_sha256_vectors },
	{ "sha256_v", test_sha256_v },
	{ "random_and_equal", test_random_and_equal },
	{ "es256_roundtrip", test_es256_roundtrip },
	{ "es256_known_vector", test_es256_known_vector },
	{ "es256_verify_cache", test_es256_verify_cache },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("crypto.hash", tests);
}
