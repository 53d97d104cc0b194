/*
 * rbsr_int.h -- internals shared by the files of federation/rbsr.
 */
#ifndef RM_RBSR_INT_H
#define RM_RBSR_INT_H

#include "federation/rbsr/rbsr.h"

/* A bound on the wire: issued and the hash without its trailing zero
 * bytes (RBSR_KEY_MAX: issued UINT64_MAX, no prefix). */
void rbsr_bound_wire(const struct rbsr_key *k, size_t *prefix_len);

/* The shortest bound b with prev < b <= k (prev < k): k's issued and
 * the shortest prefix of k's hash that sorts above prev. */
void rbsr_bound_between(const struct rbsr_key *prev, const struct rbsr_key *k,
    struct rbsr_key *out);

/* An id (issued, 16-byte prefix) against a key: the order of the id's
 * zero-padded key. */
int rbsr_id_cmp_key(const struct rbsr_id *id, const struct rbsr_key *k);
/* Does the key carry this id (same issued, hash starts with prefix)? */
bool rbsr_id_matches(const struct rbsr_id *id, const struct rbsr_key *k);

/* ---------------- the engine (rbsr_engine.c, rbsr_split.c) ---------------- */

#define RBSR_IDS_SMALL 16       /* a range of at most this many keys is
                                   answered with its ids */
#define RBSR_IDS_SEVERAL 48     /* the same, for a range known to differ
                                   in several keys */
#define RBSR_SCAN_MAX 4096      /* largest range scanned to resolve a
                                   one-key difference from a sum */
#define RBSR_FANOUT_MIN 2
#define RBSR_FANOUT_MAX 64      /* children of one split in an answer */
#define RBSR_FANOUT_FIRST 256   /* most children of the first message */
#define RBSR_KEYS_BATCH 512     /* keys read per source call */

struct rbsr_session {
	const struct rbsr_source_ops *ops;
	void *src;
	const struct rbsr_emit_ops *emit;
	void *ctx;
	struct rbsr_stats st;
	bool started, done, failed;
	struct rbsr_key *scratch;       /* RBSR_SCAN_MAX keys */
};

/* Our answer to a range [lo, hi) whose summary differs from the peer's
 * (mine: our sum; peer_count: the count the peer claims; lambda: the
 * expected differences in such a range): ids, a split, or (the peer has
 * nothing) every key sent. */
int rbsr_mismatch(rbsr_session *s, struct rbsr_enc *e,
    const struct rbsr_key *lo, const struct rbsr_key *hi,
    const struct rbsr_sum *mine, uint64_t peer_count, double lambda,
    rm_why *why);
/* Split [lo, hi) (mine: our sum, count >= f) by count into f children,
 * each sent as its ids (a child of at most 2 keys), its sum (sums) or
 * its fingerprint. */
int rbsr_split(rbsr_session *s, struct rbsr_enc *e, const struct rbsr_key *lo,
    const struct rbsr_key *hi, const struct rbsr_sum *mine, uint64_t f,
    bool sums, rm_why *why);
/* The peer's sum is ours less one key: find it (scan at most
 * RBSR_SCAN_MAX keys) and send it. *found says whether it was. */
int rbsr_resolve_one(rbsr_session *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, const struct rbsr_sum *mine,
    const uint8_t peer_sum[RBSR_SUM_BYTES], bool *found, rm_why *why);
/* The peer listed all its ids of [lo, hi): send what it lacks, want
 * what we lack. */
int rbsr_take_ids(rbsr_session *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, const struct rbsr_id *ids, size_t n,
    rm_why *why);
/* Send every key of ours in [lo, hi). */
int rbsr_send_all(rbsr_session *s, const struct rbsr_key *lo,
    const struct rbsr_key *hi, rm_why *why);
/* The summary of [lo, hi) for a range the peer will compare: ids when
 * small or empty, else a fingerprint. */
int rbsr_summary(rbsr_session *s, struct rbsr_enc *e,
    const struct rbsr_key *lo, const struct rbsr_key *hi,
    const struct rbsr_sum *mine, rm_why *why);

#endif
