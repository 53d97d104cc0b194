/*
 * rbsr.h -- range-based set reconciliation (RBSR) of record sets
 * (docs/PROTOCOL.md "Range-based set reconciliation"; the contract
 * between helpers is /work/wt/RBSR.md). Pure: no I/O, no threads, no
 * store; the set is read through struct rbsr_source_ops.
 *
 * The set is every record a node holds, ordered by key = (issued ms of
 * the record's common header, record hash): issued first (numerically),
 * then hash bytewise. A range [lo, hi) is summarised by a sum (the
 * 256-bit sum mod 2^256 of its hashes read as little-endian integers,
 * plus the count) and a fingerprint (the first 16 bytes of
 * SHA-256(sum || count as u64 LE)). Never XOR: XOR lets two different
 * sets (a^b == c^d) cancel.
 *
 * Pieces: keys and sums (rbsr_key.c, rbsr_sum.c), the message codec
 * (rbsr_codec.c: deterministic CBOR, strict bounded decoder, fuzzed by
 * tests/fuzz/fuzz_rbsr.c), and the engine (rbsr_engine.c, rbsr_split.c):
 * one rbsr_session per reconciliation, driven by the caller with the
 * messages it receives, emitting "the peer lacks this key of ours"
 * (send) and "we lack this key" (want) through callbacks.
 *
 * Thread rules: functions on distinct objects are thread-safe; one
 * rbsr_session is used by one thread at a time. Nothing here logs.
 */
#ifndef RM_RBSR_H
#define RM_RBSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ---------------- keys and sums ---------------- */

#define RBSR_FP_BYTES 16
#define RBSR_SUM_BYTES 32
#define RBSR_KEY_BYTES 40       /* rbsr_key_encode */

struct rbsr_key {
	uint64_t issued_ms;
	uint8_t hash[RM_HASH_BYTES];
};

/* Inclusive lower bound of everything: issued 0, hash all 0x00. */
#define RBSR_KEY_MIN ((struct rbsr_key){ 0, { 0 } })
/* Exclusive upper bound ("infinity"): issued UINT64_MAX, hash all 0xff.
 * Issued UINT64_MAX is reserved: a set must not hold such a key. */
extern const struct rbsr_key rbsr_key_max;
#define RBSR_KEY_MAX (rbsr_key_max)

/* <0, 0, >0 as a sorts before, equal to, after b (issued, then hash). */
int rbsr_key_cmp(const struct rbsr_key *a, const struct rbsr_key *b);
/* issued u64 big-endian || hash: memcmp order == rbsr_key_cmp order. */
void rbsr_key_encode(const struct rbsr_key *k, uint8_t out[RBSR_KEY_BYTES]);
void rbsr_key_decode(const uint8_t in[RBSR_KEY_BYTES], struct rbsr_key *k);
/* The smallest key after k (hash + 1 big-endian, carrying into issued).
 * false if k is the largest key (nothing after it). */
bool rbsr_key_next(const struct rbsr_key *k, struct rbsr_key *out);
/* True if k is RBSR_KEY_MAX. */
bool rbsr_key_is_max(const struct rbsr_key *k);

struct rbsr_sum {
	uint8_t sum[RBSR_SUM_BYTES];    /* little-endian, mod 2^256 */
	uint64_t count;
};

void rbsr_sum_zero(struct rbsr_sum *s);
/* sum += hash (LE, mod 2^256), count += 1. */
void rbsr_sum_add(struct rbsr_sum *s, const uint8_t hash[32]);
/* sum -= hash (mod 2^256), count -= 1 (mod 2^64). */
void rbsr_sum_sub(struct rbsr_sum *s, const uint8_t hash[32]);
/* s += other (sums and counts). */
void rbsr_sum_merge(struct rbsr_sum *s, const struct rbsr_sum *other);
/* out = a.sum - b.sum mod 2^256 (counts ignored): with exactly one key
 * more in a than in b and otherwise the same keys, that key's hash. */
void rbsr_sum_diff(const struct rbsr_sum *a, const struct rbsr_sum *b,
    uint8_t out[RBSR_SUM_BYTES]);
/* True iff sums and counts are equal. */
bool rbsr_sum_equal(const struct rbsr_sum *a, const struct rbsr_sum *b);
/* First 16 bytes of SHA-256(sum (32 bytes LE) || count (u64 LE)). */
void rbsr_fingerprint(const struct rbsr_sum *s, uint8_t out[RBSR_FP_BYTES]);

/*
 * A side's set, as the engine reads it. Ranges are [lo, hi). Each call
 * may open and close its own short read transaction; none is held
 * between calls. Each returns RM_OK or an rm_err (passed up unchanged).
 */
struct rbsr_source_ops {
	int (*sum)(void *src, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, struct rbsr_sum *out);
	/* up to max keys in [lo,hi) ascending into out; *n = how many */
	int (*keys)(void *src, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, size_t max, struct rbsr_key *out,
	    size_t *n);
	/* the key at position idx (0-based) inside [lo,hi); RM_ENOTFOUND if
	 * idx >= count */
	int (*nth)(void *src, const struct rbsr_key *lo,
	    const struct rbsr_key *hi, uint64_t idx, struct rbsr_key *out);
};

/* ---------------- messages (the wire format) ---------------- */

/*
 * A message is a CBOR array of ranges; range i covers [lo_i, hi_i) with
 * lo_0 = RBSR_KEY_MIN and lo_i = hi_{i-1}; the space after the last
 * range is skipped (a message of no ranges ends the session). Each
 * range is [issued delta, hash prefix, mode, payload...]:
 *   skip  [d, p, 0]                 nothing to do here
 *   fp    [d, p, 1, fp(16), count]  fingerprint and count of my keys
 *   sum   [d, p, 2, sum(32), count] raw sum and count (a range that
 *                                   differs by one key is resolved)
 *   ids   [d, p, 3, [* d, prefix(16)]] all my keys (issued delta from
 *                                   the previous id, first from lo)
 * The upper bound is (lo.issued + d, p zero-padded); the bound with
 * issued UINT64_MAX (and an empty prefix) is RBSR_KEY_MAX.
 */
#define RBSR_MSG_MAX (1024 * 1024)      /* bytes of one message */
#define RBSR_RANGES_MAX 32768           /* ranges in one message */
#define RBSR_IDS_MAX 32768              /* ids in one message, all ranges */
#define RBSR_ID_PREFIX_BYTES 16         /* hash prefix of an id */
#define RBSR_ROUNDS_MAX 40              /* messages of one session, both
                                           directions */

enum rbsr_mode {
	RBSR_MODE_SKIP = 0,
	RBSR_MODE_FP = 1,
	RBSR_MODE_SUM = 2,
	RBSR_MODE_IDS = 3,
};

/* An id: issued time and the first 16 bytes of the hash. */
struct rbsr_id {
	uint64_t issued_ms;
	uint8_t prefix[RBSR_ID_PREFIX_BYTES];
};

struct rbsr_range {
	struct rbsr_key hi;             /* exclusive upper bound */
	enum rbsr_mode mode;
	uint64_t count;                 /* FP, SUM */
	uint8_t fp[RBSR_FP_BYTES];      /* FP */
	uint8_t sum[RBSR_SUM_BYTES];    /* SUM */
	size_t ids_off, ids_n;          /* IDS: msg->ids[ids_off, +ids_n) */
};

struct rbsr_msg {
	struct rbsr_range *ranges;      /* malloc'd; n of them */
	size_t n;
	struct rbsr_id *ids;            /* malloc'd; nids of them */
	size_t nids;
};

/*
 * Decode one message (strict, bounded, no side effects on failure). On
 * success *out owns two arrays: free with rbsr_msg_fini. Errors (why
 * says where):
 *   RM_ETOOBIG     over RBSR_MSG_MAX bytes, RBSR_RANGES_MAX ranges or
 *                  RBSR_IDS_MAX ids; a prefix over 32 bytes
 *   RM_EMALFORMED  not CBOR, truncated, trailing bytes, not an array,
 *                  a range of the wrong arity, an odd id array
 *   RM_ENONCANON   non-deterministic CBOR; a bound prefix ending in a
 *                  0x00 byte; two skips in a row; a trailing skip
 *   RM_EUNKNOWN    unknown mode
 *   RM_EBADVALUE   wrong types or sizes (fp 16, sum 32, id prefix 16);
 *                  a bound not above the previous one (out of order,
 *                  overlapping or empty range); issued overflow; issued
 *                  UINT64_MAX with a prefix; an id outside its range or
 *                  not above the previous id
 *   RM_ENOMEM
 */
int rbsr_msg_decode(const uint8_t *p, size_t n, struct rbsr_msg *out,
    rm_why *why);
void rbsr_msg_fini(struct rbsr_msg *m);

/* Encode a message (the decoder's inverse for every message it accepts).
 * Appends to out; on error out keeps its length. RM_EINVAL for a message
 * the decoder would refuse (bounds out of order, a trailing or repeated
 * skip, an id outside its range, a bound with issued UINT64_MAX that is
 * not RBSR_KEY_MAX), RM_ETOOBIG over the limits, RM_ENOMEM. */
int rbsr_msg_encode(const struct rbsr_msg *m, rm_buf *out);

/*
 * Incremental encoder, used by the engine: add ranges in ascending
 * order, then finish. Skips are coalesced and a trailing skip dropped,
 * so the result is canonical. bytes() is the encoded size so far (the
 * final message is at most 5 bytes longer).
 */
struct rbsr_enc {
	rm_buf body;
	size_t n;                       /* ranges written */
	size_t nids;                    /* ids written */
	struct rbsr_key lo;             /* lower bound of the next range */
	bool pending_skip;
	struct rbsr_key skip_hi;
};

void rbsr_enc_init(struct rbsr_enc *e);
void rbsr_enc_fini(struct rbsr_enc *e);
size_t rbsr_enc_bytes(const struct rbsr_enc *e);
/* Ranges and ids written so far, a pending skip counted as one range. */
size_t rbsr_enc_ranges(const struct rbsr_enc *e);
/* The lower bound of the next range (hi of the last one added). */
const struct rbsr_key *rbsr_enc_lo(const struct rbsr_enc *e);
int rbsr_enc_skip(struct rbsr_enc *e, const struct rbsr_key *hi);
int rbsr_enc_fp(struct rbsr_enc *e, const struct rbsr_key *hi,
    const struct rbsr_sum *s);
int rbsr_enc_sum(struct rbsr_enc *e, const struct rbsr_key *hi,
    const struct rbsr_sum *s);
/* ids: n keys of [lo, hi), ascending; each sent as (issued, 16-byte
 * prefix). */
int rbsr_enc_ids(struct rbsr_enc *e, const struct rbsr_key *hi,
    const struct rbsr_key *keys, size_t n);
/* Append the whole message to out (array head + ranges). */
int rbsr_enc_finish(struct rbsr_enc *e, rm_buf *out);

/* ---------------- the engine ---------------- */

/* What a session reports. Each callback returns RM_OK or an error that
 * aborts the session (rbsr_session_reply returns it). */
struct rbsr_emit_ops {
	/* The peer lacks our key k: send it the record. */
	int (*send)(void *ctx, const struct rbsr_key *k);
	/* We lack the record with this issued time whose hash starts with
	 * prefix (prefix_len bytes, 16 today): ask for it (WANT). */
	int (*want)(void *ctx, uint64_t issued_ms, const uint8_t *prefix,
	    size_t prefix_len);
};

struct rbsr_stats {
	unsigned rounds;                /* messages in and out so far */
	uint64_t bytes_in, bytes_out;   /* message bytes */
	uint64_t sent;                  /* send() calls */
	uint64_t wanted;                /* want() calls */
	uint64_t ranges_out, ids_out;
};

typedef struct rbsr_session rbsr_session;

/*
 * A session for one side of one reconciliation. ops/src and emit/ctx are
 * borrowed for the session's life. Errors: RM_ENOMEM.
 */
int rbsr_session_new(const struct rbsr_source_ops *ops, void *src,
    const struct rbsr_emit_ops *emit, void *ctx, rbsr_session **out);
void rbsr_session_free(rbsr_session *s);

/* The initiator's first message, appended to out. Errors: the source's,
 * RM_ENOMEM, RM_EINVAL (called twice or after a reply). */
int rbsr_session_start(rbsr_session *s, rm_buf *out, rm_why *why);

/*
 * Process the peer's message in[0..n) and append our answer to out.
 * *done is set true when the session is over: either the peer's message
 * was empty (out is left unchanged: nothing to send), or our answer is
 * the empty message (send it; the peer then stops too). Calls emit's
 * send and want while it runs. Errors (the session is then unusable):
 * those of rbsr_msg_decode (a refused message), RM_ETOOBIG (more than
 * RBSR_ROUNDS_MAX messages), RM_EINVAL (called after done), the
 * source's and the callbacks' errors.
 */
int rbsr_session_reply(rbsr_session *s, const uint8_t *in, size_t n,
    rm_buf *out, bool *done, rm_why *why);

/* Counters so far (valid after any call, also after an error). */
void rbsr_session_stats(const rbsr_session *s, struct rbsr_stats *out);

#endif /* RM_RBSR_H */
