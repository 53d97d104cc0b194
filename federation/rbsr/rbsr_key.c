/*
 * rbsr_key.c -- keys of the reconciled set: (issued ms, record hash),
 * their order and their 40-byte encoding (federation/rbsr/rbsr.h).
 */
#include <string.h>

#include "federation/rbsr/rbsr.h"

const struct rbsr_key rbsr_key_max = {
	UINT64_MAX,
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

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
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(k->issued_ms >> (56 - 8 * i));
	memcpy(out + 8, k->hash, RM_HASH_BYTES);
}

void
rbsr_key_decode(const uint8_t in[RBSR_KEY_BYTES], struct rbsr_key *k)
{
	k->issued_ms = 0;
	for (int i = 0; i < 8; i++)
		k->issued_ms = k->issued_ms << 8 | in[i];
	memcpy(k->hash, in + 8, RM_HASH_BYTES);
}

bool
rbsr_key_next(const struct rbsr_key *k, struct rbsr_key *out)
{
	struct rbsr_key n = *k;

	for (int i = RM_HASH_BYTES - 1; i >= 0; i--)
		if (++n.hash[i] != 0) {
			*out = n;
			return true;
		}
	if (n.issued_ms == UINT64_MAX)
		return false;
	n.issued_ms++;
	*out = n;                       /* hash wrapped to all zero */
	return true;
}

bool
rbsr_key_is_max(const struct rbsr_key *k)
{
	return rbsr_key_cmp(k, &rbsr_key_max) == 0;
}
