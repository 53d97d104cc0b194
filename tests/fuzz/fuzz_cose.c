/*
 * fuzz_cose.c -- libFuzzer harness for cose_sign1_decode (RFC 9052 §4.2).
 *
 * Two modes, chosen by the first input byte:
 *   even: the rest of the input is decoded as is;
 *   odd:  the rest is a list of (offset, xor) byte pairs applied to a
 *         valid built-in COSE_Sign1, so mutations reach the deep parts of
 *         the decoder (protected header, signature) without a corpus.
 * On success the decoder's documented invariants are checked: alg -7,
 * a 64-byte signature, and every borrowed pointer inside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 18([h'A2012604582 0<kid>', {}, h'hello', h'<64 bytes>']) */
static const uint8_t valid[] = {
	0xd2, 0x84, 0x58, 0x26, 0xa2, 0x01, 0x26, 0x04, 0x58, 0x20,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
	0xa0, 0x45, 'h', 'e', 'l', 'l', 'o', 0x58, 0x40,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int
inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
	return p >= base && p <= base + len && n <= (size_t)(base + len - p);
}

static void
check(const uint8_t *p, size_t n)
{
	struct cose_sign1 m;
	rm_why why;
	rm_hash h;
	int rv;

	why.msg[0] = '\0';
	rv = cose_sign1_decode(p, n, &m, &why);
	if (rv != RM_OK) {
		/* every rejection names what was wrong */
		if (why.msg[0] == '\0' || rv >= RM_ERR_COUNT)
			abort();
		return;
	}
	if (m.alg != COSE_ALG_ES256 || m.signature == NULL ||
	    !inside(m.signature, CRYPTO_ES256_SIG_BYTES, p, n) ||
	    !inside(m.payload, m.payload_len, p, n) ||
	    !inside(m.protected_hdr, m.protected_len, p, n) ||
	    n > COSE_SIGN1_MAX)
		abort();
	cose_record_hash(p, n, &h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t n;

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
		if (data[i] < n)
			buf[data[i]] ^= data[i + 1];
	check(buf, n);
	free(buf);
	return 0;
}
