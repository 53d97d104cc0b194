/*
 * mset.h -- for the RBSR tests and benchmark: an in-memory sorted set of
 * rbsr keys (a sorted array with prefix sums, so that a range sum is two
 * binary searches) implementing struct rbsr_source_ops, and a driver
 * that reconciles two sets in one process.
 */
#ifndef RM_TEST_MSET_H
#define RM_TEST_MSET_H

#include <stdbool.h>
#include <stddef.h>

#include "federation/rbsr/rbsr.h"

struct mset {
	struct rbsr_key *k;     /* ascending, unique */
	size_t n, cap;
	uint8_t (*pre)[RBSR_SUM_BYTES]; /* pre[i] = sum of k[0..i) */
	bool dirty;             /* pre out of date */
	unsigned long long calls;       /* source calls */
};

extern const struct rbsr_source_ops mset_ops;

void mset_init(struct mset *s);
void mset_fini(struct mset *s);
/* Insert (sorted, a duplicate ignored). O(n). */
void mset_add(struct mset *s, const struct rbsr_key *k);
/* Append without order, then mset_sort once (sorts and dedupes). */
void mset_push(struct mset *s, const struct rbsr_key *k);
void mset_sort(struct mset *s);
bool mset_has(const struct mset *s, const struct rbsr_key *k);
/* The key with this issued time whose hash starts with prefix. */
bool mset_find(const struct mset *s, uint64_t issued_ms,
    const uint8_t *prefix, size_t len, struct rbsr_key *out);
bool mset_equal(const struct mset *a, const struct mset *b);

/* A pseudo-random key from *state (xorshift64; never 0): issued within
 * a month from 2023-11-14, a random hash. */
void mset_rand_key(uint64_t *state, struct rbsr_key *k);

struct mset_result {
	int rv;                 /* RM_OK or the error that stopped it */
	rm_why why;
	unsigned messages;      /* RBSR messages, both directions */
	unsigned long long msg_bytes;   /* their bytes */
	unsigned long long sent_ab, sent_ba;    /* records sent */
	unsigned long long wants;       /* WANTs (each asks for one record) */
	unsigned long long want_bytes;  /* 8 + 16 bytes each */
};

/*
 * Reconcile a (initiator) and b: run both sessions to the end, then
 * apply what they sent and what they asked for (each record moves from
 * the side that has it). Bounded by RBSR_ROUNDS_MAX.
 */
void mset_reconcile(struct mset *a, struct mset *b, struct mset_result *r);

#endif
