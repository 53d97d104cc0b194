/*
 * rbsr_sum.c -- keys, sums mod 2^256 and fingerprints of rbsr.h.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "federation/rbsr/rbsr.h"

int
rbsr_key_cmp(const struct rbsr_key *a, const struct rbsr_key *b)
{
	if (a->issued_ms != b->issued_ms)
		return a->issued_ms < b->issued_ms ? -1 : 1;
	return memcmp(a->hash, b->hash, RM_HASH_BYTES);
}

void
rbsr_key_encode(const struct rbsr_key *k, uint8_t out[RBSR_KEY_BYTES])
{
	uint64_t v = k->issued_ms;
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
	memcpy(out + 8, k->hash, RM_HASH_BYTES);
}

void
rbsr_key_decode(const uint8_t in[RBSR_KEY_BYTES], struct rbsr_key *k)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | in[i];
	k->issued_ms = v;
	memcpy(k->hash, in + 8, RM_HASH_BYTES);
}

void
rbsr_sum_zero(struct rbsr_sum *s)
{
	memset(s, 0, sizeof(*s));
}

/* a += b mod 2^256, both little-endian. */
static void
add256(uint8_t a[RM_HASH_BYTES], const uint8_t b[RM_HASH_BYTES])
{
	unsigned carry = 0;
	int i;

	for (i = 0; i < RM_HASH_BYTES; i++) {
		carry += (unsigned)a[i] + b[i];
		a[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

/* a -= b mod 2^256, both little-endian. */
static void
sub256(uint8_t a[RM_HASH_BYTES], const uint8_t b[RM_HASH_BYTES])
{
	int borrow = 0;
	int i;

	for (i = 0; i < RM_HASH_BYTES; i++) {
		int d = (int)a[i] - b[i] - borrow;

		borrow = d < 0;
		a[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

void
rbsr_sum_add(struct rbsr_sum *s, const uint8_t hash[RM_HASH_BYTES])
{
	add256(s->sum, hash);
	s->count++;
}

void
rbsr_sum_sub(struct rbsr_sum *s, const uint8_t hash[RM_HASH_BYTES])
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
rbsr_fingerprint(const struct rbsr_sum *s, uint8_t out[RBSR_FP_BYTES])
{
	uint8_t buf[RM_HASH_BYTES + 8];
	uint64_t c = s->count;
	rm_hash h;
	int i;

	memcpy(buf, s->sum, RM_HASH_BYTES);
	for (i = 0; i < 8; i++) {
		buf[RM_HASH_BYTES + i] = (uint8_t)c;
		c >>= 8;
	}
	crypto_sha256(buf, sizeof(buf), &h);
	memcpy(out, h.b, RBSR_FP_BYTES);
}
