/*
 * rbsr_sum.c -- range sums (256-bit little-endian sum mod 2^256 of the
 * record hashes, plus a count) and fingerprints (first 16 bytes of
 * SHA-256(sum || count u64 LE), through crypto/). Never XOR.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "federation/rbsr/rbsr.h"

void
rbsr_sum_zero(struct rbsr_sum *s)
{
	memset(s, 0, sizeof(*s));
}

static void
add256(uint8_t acc[RBSR_SUM_BYTES], const uint8_t v[RBSR_SUM_BYTES])
{
	unsigned carry = 0;

	for (int i = 0; i < RBSR_SUM_BYTES; i++) {
		carry += (unsigned)acc[i] + v[i];
		acc[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

static void
sub256(uint8_t acc[RBSR_SUM_BYTES], const uint8_t v[RBSR_SUM_BYTES])
{
	int borrow = 0;

	for (int i = 0; i < RBSR_SUM_BYTES; i++) {
		int d = (int)acc[i] - v[i] - borrow;

		borrow = d < 0;
		acc[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

void
rbsr_sum_add(struct rbsr_sum *s, const uint8_t hash[32])
{
	add256(s->sum, hash);
	s->count++;
}

void
rbsr_sum_sub(struct rbsr_sum *s, const uint8_t hash[32])
{
	sub256(s->sum, hash);
	s->count--;
}

void
rbsr_sum_merge(struct rbsr_sum *s, const struct rbsr_sum *other)
{
	add256(s->sum, other->sum);
	s->count += other->count;
}

void
rbsr_sum_diff(const struct rbsr_sum *a, const struct rbsr_sum *b,
    uint8_t out[RBSR_SUM_BYTES])
{
	uint8_t d[RBSR_SUM_BYTES];

	memcpy(d, a->sum, RBSR_SUM_BYTES);
	sub256(d, b->sum);
	memcpy(out, d, RBSR_SUM_BYTES);
}

bool
rbsr_sum_equal(const struct rbsr_sum *a, const struct rbsr_sum *b)
{
	return a->count == b->count &&
	    memcmp(a->sum, b->sum, RBSR_SUM_BYTES) == 0;
}

void
rbsr_fingerprint(const struct rbsr_sum *s, uint8_t out[RBSR_FP_BYTES])
{
	uint8_t count[8];
	const void *parts[2] = { s->sum, count };
	const size_t lens[2] = { RBSR_SUM_BYTES, sizeof(count) };
	rm_hash h;

	for (int i = 0; i < 8; i++)
		count[i] = (uint8_t)(s->count >> (8 * i));
	crypto_sha256_v(parts, lens, 2, &h);
	memcpy(out, h.b, RBSR_FP_BYTES);
}
