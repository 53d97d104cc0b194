/*
 * rbsr.h -- range-based set reconciliation (issue 8; /work/wt/RBSR.md is
 * the contract between its helpers): keys, range sums and fingerprints.
 *
 * The set is every record a node holds, ordered by key = (issued ms of
 * the record's common header, record hash): issued first (numerically),
 * then the hash bytewise. The fingerprint of a range is the first
 * RBSR_FP_BYTES bytes of SHA-256(sum || count) (FIPS 180-4), where sum
 * is the 256-bit sum mod 2^256 of the record hashes read as
 * little-endian integers (32 bytes, little-endian) and count is a u64
 * little-endian (8 bytes). Sums (never XOR, which can be forged) can be
 * added and subtracted, so a store keeps them per chunk of keys and a
 * range's sum needs no scan of every key in it.
 *
 * Pure functions over values: no threads, no allocation, no global
 * state; any thread. Uses crypto (SHA-256) and common.
 */
#ifndef RM_FEDERATION_RBSR_H
#define RM_FEDERATION_RBSR_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* Bytes of a range fingerprint. */
#define RBSR_FP_BYTES  16
/* Bytes of an encoded key: issued ms (u64 big-endian) || hash. */
#define RBSR_KEY_BYTES (8 + RM_HASH_BYTES)

/* A position in the set's order. */
struct rbsr_key {
	uint64_t issued_ms;             /* the record's issued time, ms
	                                   since the Unix epoch */
	uint8_t hash[RM_HASH_BYTES];    /* the record hash */
};

/* The inclusive lower bound of every range: issued 0, hash all 0x00. */
#define RBSR_KEY_MIN ((struct rbsr_key){ 0, { 0 } })
/* The exclusive upper bound ("infinity"): issued UINT64_MAX, hash all
 * 0xff. */
#define RBSR_KEY_MAX ((struct rbsr_key){ UINT64_MAX, { \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } })

/* <0, 0, >0 as a sorts before, equal to, after b: issued_ms
 * numerically, then hash bytewise. */
int rbsr_key_cmp(const struct rbsr_key *a, const struct rbsr_key *b);
/* out = issued_ms (u64 big-endian) || hash, so that memcmp of two
 * encodings orders them as rbsr_key_cmp does. */
void rbsr_key_encode(const struct rbsr_key *k, uint8_t out[RBSR_KEY_BYTES]);
/* The inverse of rbsr_key_encode. */
void rbsr_key_decode(const uint8_t in[RBSR_KEY_BYTES], struct rbsr_key *k);

/* The sum of a set of hashes and their count. */
struct rbsr_sum {
	uint8_t sum[RM_HASH_BYTES];     /* sum mod 2^256, little-endian */
	uint64_t count;                 /* how many hashes (mod 2^64) */
};

/* s = the empty sum (0, count 0). */
void rbsr_sum_zero(struct rbsr_sum *s);
/* s += hash (read as a 256-bit little-endian integer), count + 1. */
void rbsr_sum_add(struct rbsr_sum *s, const uint8_t hash[RM_HASH_BYTES]);
/* s -= hash mod 2^256, count - 1 (the inverse of rbsr_sum_add). */
void rbsr_sum_sub(struct rbsr_sum *s, const uint8_t hash[RM_HASH_BYTES]);
/* s += other: sums added mod 2^256, counts added. */
void rbsr_sum_merge(struct rbsr_sum *s, const struct rbsr_sum *other);
/* out = the first RBSR_FP_BYTES bytes of SHA-256(s->sum || count as a
 * u64 little-endian). */
void rbsr_fingerprint(const struct rbsr_sum *s, uint8_t out[RBSR_FP_BYTES]);

/*
 * A side's set, as the engine reads it. Ranges are [lo, hi). Each call
 * may open and close its own short read transaction; none is held
 * between calls.
 */
struct rbsr_source_ops {
	int (*sum)(void *src, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, struct rbsr_sum *out);
	/* up to max keys in [lo,hi) ascending into out; *n = how many */
	int (*keys)(void *src, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, size_t max, struct rbsr_key *out,
	    size_t *n);
	/* the key at position idx (0-based) inside [lo,hi); RM_ENOTFOUND
	 * if idx >= count */
	int (*nth)(void *src, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, uint64_t idx, struct rbsr_key *out);
};

#endif /* RM_FEDERATION_RBSR_H */
