/*
 * fuzz_cose_encrypt.c -- libFuzzer harness for the COSE_Encrypt decoder
 * (cose_encrypt_recipients) and, on what decodes, cose_encrypt_open
 * (RFC 9052 §5.1; ECDH-ES + AES-KW, AES-GCM, RFC 9053).
 *
 * Two modes, chosen by the first input byte, as fuzz_cose.c:
 *   even: the rest of the input is decoded as is;
 *   odd:  the rest is a list of (offset, xor) byte pairs applied to a
 *         valid built-in message addressed to the built-in key (the COSE
 *         WG example p256-wrap-256-01 in the riskmesh profile, as in
 *         tests/crypto/test_cose_encrypt.c), so mutations reach the
 *         ephemeral key, the key unwrap and the GCM tag check.
 * Checked: every rejection names its cause; a decoded message has 1..64
 * recipients in strictly ascending kid order; open never leaves
 * plaintext behind on failure.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIK/5B8mfmtOq5sTN8hEivOK9aLUoPmkHFUrZEYQPogjPoAoGCCqGSM49\n"
    "AwEHoUQDQgAEZe2loSV3wrroKUN/4zhwGhCqo3Xhu1td4QjeQ5wIVR0eUu11cBFj\n"
    "9/nkDd+fNBs9ybqGCvfgynyn6e7NAITRnA==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char valid_hex[] =
    "d8608443a10101a1054c02d1f7e6f26c43d4868d87ce582464f84d913ba60a76"
    "070a9a48f26e97e863e2852948658f0811139868826e89218a75715b818344a1"
    "01381ea2045820eb28a65877d2b84b92a6a9b5fd762a45e50665933d97fc0c72"
    "4e70a161f2031a20a4010220012158203fc1141f492fdb3b33122be61b31bafd"
    "860798db190e07831fb7a2e42713f4ca225820fc09d3def88ea52953b51f4895"
    "5bfac1ac79b4286f0673519a4a71fc18b628695818e00e25b58aeadde5a475f1"
    "d69d2a2c199e5c1f231c5b164a";
static uint8_t valid[sizeof(valid_hex) / 2];
static crypto_decrypter *me;

static void
setup(void)
{
	rm_buf pt = RM_BUF_INIT;
	crypto_key *k = NULL;

	if (me != NULL)
		return;
	/* the built-in message opens to the example's plaintext */
	if (rm_hex_decode(valid_hex, valid, sizeof(valid)) != RM_OK ||
	    crypto_key_from_pem(key_pem, sizeof(key_pem) - 1, &k, NULL) !=
	    RM_OK || crypto_decrypter_from_key(k, &me, NULL) != RM_OK ||
	    cose_encrypt_open(valid, sizeof(valid), me, NULL, 0, &pt, NULL) !=
	    RM_OK || pt.len != 20 || memcmp(pt.data, "This is the content.",
	    20) != 0)
		abort();
	rm_buf_fini(&pt);
	crypto_key_free(k);
}

static void
check(const uint8_t *p, size_t n)
{
	rm_hash kids[COSE_ENCRYPT_RECIPIENTS_MAX];
	rm_buf pt = RM_BUF_INIT;
	size_t nk = 0;
	rm_why why;
	int rv;

	why.msg[0] = '\0';
	rv = cose_encrypt_recipients(p, n, kids, &nk, &why);
	if (rv != RM_OK) {
		if (why.msg[0] == '\0' || rv >= RM_ERR_COUNT)
			abort();
		return;
	}
	if (nk == 0 || nk > COSE_ENCRYPT_RECIPIENTS_MAX || n > COSE_ENCRYPT_MAX)
		abort();
	for (size_t i = 1; i < nk; i++)
		if (memcmp(kids[i - 1].b, kids[i].b, RM_HASH_BYTES) >= 0)
			abort();
	why.msg[0] = '\0';
	rv = cose_encrypt_open(p, n, me, NULL, 0, &pt, &why);
	if (rv != RM_OK && (why.msg[0] == '\0' || pt.len != 0 ||
	    rv == RM_EMALFORMED || rv == RM_ENONCANON))
		abort();   /* decode already passed: only crypto verdicts */
	rm_buf_fini(&pt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t n;

	setup();
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		/* exact-size copy so ASan catches any over-read */
		if ((buf = malloc(size - 1 ? size - 1 : 1)) == NULL)
			return 0;
		memcpy(buf, data + 1, size - 1);
		check(buf, size - 1);
		free(buf);
		return 0;
	}
	/* an even total length also truncates the message */
	n = (size & 1) == 0 ? sizeof(valid) - data[size - 1] % sizeof(valid) :
	    sizeof(valid);
	if ((buf = malloc(n)) == NULL)
		return 0;
	memcpy(buf, valid, n);
	for (size_t i = 1; i + 1 < size; i += 2)
		buf[data[i] % n] ^= data[i + 1];
	check(buf, n);
	free(buf);
	return 0;
}
