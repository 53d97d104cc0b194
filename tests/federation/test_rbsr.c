/*
 * test_rbsr.c -- range-based set reconciliation (federation/rbsr): keys,
 * sums and fingerprints (never XOR), the strict message codec, and the
 * engine between two in-memory sorted sets (mset.c): 0, 1, many and all
 * differences, equal sets, empty sides, a subset, lying peers, the
 * round limit.
 */
#include <stdlib.h>
#include <string.h>

#include "federation/rbsr/rbsr.h"
#include "mset.h"
#include "rm_test.h"

static uint64_t rng = 88172645463325252ull;

/* a gets n_common + n_a keys, b gets n_common + n_b keys. */
static void
make_sets(struct mset *a, struct mset *b, size_t n_common, size_t n_a,
    size_t n_b)
{
	struct rbsr_key k;

	mset_init(a);
	mset_init(b);
	for (size_t i = 0; i < n_common + n_a + n_b; i++) {
		mset_rand_key(&rng, &k);
		if (i < n_common || i < n_common + n_a)
			mset_push(a, &k);
		if (i < n_common || i >= n_common + n_a)
			mset_push(b, &k);
	}
	mset_sort(a);
	mset_sort(b);
}

static void
run(size_t n_common, size_t n_a, size_t n_b, unsigned max_messages)
{
	struct mset a, b;
	struct mset_result r;

	make_sets(&a, &b, n_common, n_a, n_b);
	mset_reconcile(&a, &b, &r);
	if (r.rv != RM_OK)
		fprintf(stderr, "reconcile: %s\n", r.why.msg);
	CU_ASSERT_EQUAL(r.rv, RM_OK);
	CU_ASSERT(mset_equal(&a, &b));
	CU_ASSERT_EQUAL(a.n, n_common + n_a + n_b);
	CU_ASSERT_EQUAL(r.sent_ab, n_a);
	CU_ASSERT_EQUAL(r.sent_ba, n_b);
	CU_ASSERT(r.messages <= max_messages);
	if (r.messages > max_messages)
		fprintf(stderr, "%zu/%zu/%zu: %u messages\n", n_common, n_a,
		    n_b, r.messages);
	mset_fini(&a);
	mset_fini(&b);
}

/* ---------------- keys and sums ---------------- */

static void
test_keys(void)
{
	struct rbsr_key a = { 5, { 1 } }, b = { 5, { 2 } }, c = { 6, { 0 } };
	struct rbsr_key d, n;
	uint8_t ea[RBSR_KEY_BYTES], eb[RBSR_KEY_BYTES], ec[RBSR_KEY_BYTES];

	CU_ASSERT(rbsr_key_cmp(&a, &b) < 0);
	CU_ASSERT(rbsr_key_cmp(&b, &c) < 0);
	CU_ASSERT(rbsr_key_cmp(&c, &RBSR_KEY_MAX) < 0);
	CU_ASSERT(rbsr_key_cmp(&RBSR_KEY_MIN, &a) < 0);
	rbsr_key_encode(&a, ea);
	rbsr_key_encode(&b, eb);
	rbsr_key_encode(&c, ec);
	CU_ASSERT(memcmp(ea, eb, RBSR_KEY_BYTES) < 0);
	CU_ASSERT(memcmp(eb, ec, RBSR_KEY_BYTES) < 0);
	CU_ASSERT_EQUAL(ea[7], 5);
	rbsr_key_decode(ec, &d);
	CU_ASSERT_EQUAL(rbsr_key_cmp(&c, &d), 0);
	/* the successor carries from the hash into issued */
	memset(d.hash, 0xff, RM_HASH_BYTES);
	d.issued_ms = 9;
	CU_ASSERT(rbsr_key_next(&d, &n));
	CU_ASSERT_EQUAL(n.issued_ms, 10);
	CU_ASSERT_EQUAL(n.hash[0], 0);
	CU_ASSERT_FALSE(rbsr_key_next(&RBSR_KEY_MAX, &n));
	CU_ASSERT(rbsr_key_is_max(&RBSR_KEY_MAX));
}

static void
hex_fp(const struct rbsr_sum *s, char out[33])
{
	uint8_t fp[RBSR_FP_BYTES];

	rbsr_fingerprint(s, fp);
	rm_hex_encode(fp, sizeof(fp), out);
}

static void
test_sums(void)
{
	uint8_t h1[32] = { 3 }, h2[32] = { 1 }, h3[32] = { 2 }, h4[32] = { 0 };
	uint8_t ff[32], one[32] = { 1 }, d[32];
	struct rbsr_sum a, b, c;
	char hex[33];

	/* fingerprint test vectors (Python hashlib) */
	rbsr_sum_zero(&a);
	hex_fp(&a, hex);
	CU_ASSERT_STRING_EQUAL(hex, "2c34ce1df23b838c5abf2a7f6437cca3");
	rbsr_sum_add(&a, h1);
	rbsr_sum_add(&a, h2);
	CU_ASSERT_EQUAL(a.count, 2);
	CU_ASSERT_EQUAL(a.sum[0], 4);
	hex_fp(&a, hex);
	CU_ASSERT_STRING_EQUAL(hex, "a6413c3d5906a266b53750b8a11557f6");
	/* XOR cancellation does not fool the sum: 3^1 == 2^0, 3+1 != 2+0 */
	rbsr_sum_zero(&b);
	rbsr_sum_add(&b, h3);
	rbsr_sum_add(&b, h4);
	CU_ASSERT_FALSE(rbsr_sum_equal(&a, &b));
	{
		uint8_t fa[RBSR_FP_BYTES], fb[RBSR_FP_BYTES];

		rbsr_fingerprint(&a, fa);
		rbsr_fingerprint(&b, fb);
		CU_ASSERT(memcmp(fa, fb, RBSR_FP_BYTES) != 0);
	}
	/* carry through all 256 bits, wrapping mod 2^256 */
	memset(ff, 0xff, sizeof(ff));
	rbsr_sum_zero(&c);
	rbsr_sum_add(&c, ff);
	rbsr_sum_add(&c, one);
	for (int i = 0; i < 32; i++)
		CU_ASSERT_EQUAL(c.sum[i], 0);
	rbsr_sum_sub(&c, one);
	CU_ASSERT(memcmp(c.sum, ff, 32) == 0);
	CU_ASSERT_EQUAL(c.count, 1);
	/* merge, diff */
	rbsr_sum_merge(&c, &a);
	CU_ASSERT_EQUAL(c.count, 3);
	rbsr_sum_diff(&c, &a, d);
	CU_ASSERT(memcmp(d, ff, 32) == 0);
	/* the count is part of the fingerprint */
	b = a;
	b.count++;
	CU_ASSERT_FALSE(rbsr_sum_equal(&a, &b));
}

/* ---------------- codec ---------------- */

static void
test_codec_roundtrip(void)
{
	struct rbsr_key k[3] = { { 100, { 0xaa, 0x01 } }, { 100, { 0xaa, 0x02 } },
	    { 105, { 0x10 } } };
	struct rbsr_key b1 = { 50, { 0 } }, b2 = { 100, { 0xaa, 0x02 } };
	struct rbsr_key b3 = { 200, { 0x33 } };
	struct rbsr_sum s;
	struct rbsr_enc e;
	struct rbsr_msg m;
	rm_buf out = RM_BUF_INIT, again = RM_BUF_INIT;
	rm_why why;

	rbsr_sum_zero(&s);
	rbsr_sum_add(&s, k[0].hash);
	rbsr_enc_init(&e);
	CU_ASSERT_EQUAL(rbsr_enc_skip(&e, &b1), RM_OK);
	CU_ASSERT_EQUAL(rbsr_enc_fp(&e, &b2, &s), RM_OK);
	CU_ASSERT_EQUAL(rbsr_enc_ids(&e, &b3, k + 1, 2), RM_OK);
	CU_ASSERT_EQUAL(rbsr_enc_sum(&e, &RBSR_KEY_MAX, &s), RM_OK);
	CU_ASSERT_EQUAL(rbsr_enc_finish(&e, &out), RM_OK);
	rbsr_enc_fini(&e);
	CU_ASSERT_EQUAL_FATAL(rbsr_msg_decode(out.data, out.len, &m, &why),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(m.n, 4);
	CU_ASSERT_EQUAL(m.ranges[0].mode, RBSR_MODE_SKIP);
	CU_ASSERT_EQUAL(rbsr_key_cmp(&m.ranges[0].hi, &b1), 0);
	CU_ASSERT_EQUAL(m.ranges[1].mode, RBSR_MODE_FP);
	CU_ASSERT_EQUAL(m.ranges[1].count, 1);
	CU_ASSERT_EQUAL(rbsr_key_cmp(&m.ranges[1].hi, &b2), 0);
	CU_ASSERT_EQUAL(m.ranges[2].mode, RBSR_MODE_IDS);
	CU_ASSERT_EQUAL(m.ranges[2].ids_n, 2);
	CU_ASSERT_EQUAL(m.ids[1].issued_ms, 105);
	CU_ASSERT_EQUAL(m.ids[1].prefix[0], 0x10);
	CU_ASSERT_EQUAL(m.ranges[3].mode, RBSR_MODE_SUM);
	CU_ASSERT(rbsr_key_is_max(&m.ranges[3].hi));
	CU_ASSERT(memcmp(m.ranges[3].sum, s.sum, 32) == 0);
	/* re-encoding gives the same bytes */
	CU_ASSERT_EQUAL(rbsr_msg_encode(&m, &again), RM_OK);
	CU_ASSERT(again.len == out.len &&
	    memcmp(again.data, out.data, out.len) == 0);
	rbsr_msg_fini(&m);
	/* skips coalesce, a trailing skip is dropped: the empty message */
	rbsr_enc_init(&e);
	CU_ASSERT_EQUAL(rbsr_enc_skip(&e, &b1), RM_OK);
	CU_ASSERT_EQUAL(rbsr_enc_skip(&e, &RBSR_KEY_MAX), RM_OK);
	rm_buf_reset(&out);
	CU_ASSERT_EQUAL(rbsr_enc_finish(&e, &out), RM_OK);
	CU_ASSERT_EQUAL(out.len, 1);
	CU_ASSERT_EQUAL(out.data[0], 0x80);
	/* out of order is refused by the encoder too */
	rbsr_enc_fini(&e);
	rbsr_enc_init(&e);
	CU_ASSERT_EQUAL(rbsr_enc_fp(&e, &b2, &s), RM_OK);
	CU_ASSERT_EQUAL(rbsr_enc_fp(&e, &b1, &s), RM_EINVAL);
	rbsr_enc_fini(&e);
	rm_buf_fini(&out);
	rm_buf_fini(&again);
}

struct bad {
	const char *hex;
	int err;
	const char *what;
};

static void
test_codec_refusals(void)
{
	/* 16-byte fingerprint "00..": 50 + 16 zero bytes */
#define FP16 "5000000000000000000000000000000000"
#define ID16 "5011111111111111111111111111111111"
	static const struct bad bad[] = {
		{ "", RM_EMALFORMED, "empty" },
		{ "a0", RM_EMALFORMED, "a map" },
		{ "81", RM_EMALFORMED, "truncated" },
		{ "8000", RM_EMALFORMED, "trailing bytes" },
		{ "9f83004000ff", RM_ENONCANON, "indefinite array" },
		{ "81820040", RM_EMALFORMED, "arity 2" },
		{ "8183014004", RM_EUNKNOWN, "mode 4" },
		{ "8184014000" "00", RM_EMALFORMED, "skip with a payload" },
		{ "8185014001" FP16 "00" "00", RM_EMALFORMED,
		  "trailing bytes after a range" },
		{ "8183004000", RM_EBADVALUE, "empty first range (hi == MIN)" },
		{ "818301420100" "00", RM_ENONCANON, "prefix ends in 0x00" },
		{ "8183180140" "00", RM_ENONCANON, "long head" },
		{ "8183015821" "000102030405060708090a0b0c0d0e0f"
		  "101112131415161718191a1b1c1d1e1f20" "00", RM_ETOOBIG,
		  "prefix of 33 bytes" },
		{ "828301400083014000", RM_ENONCANON, "two skips, trailing" },
		{ "82" "83014000" "85004001" FP16 "00",
		  RM_EBADVALUE, "second bound equal to the first" },
		{ "82" "83054000" "85" "1bffffffffffffffff" "4001" FP16 "00",
		  RM_EBADVALUE, "issued overflows" },
		{ "82" "83" "0a" "41aa" "00" "85" "00" "41a9" "01" FP16 "00",
		  RM_EBADVALUE, "bound below the previous one" },
		{ "8185fb3ff00000000000004001" FP16 "00", RM_EBADVALUE,
		  "a float" },
		{ "8185014001" "4f000000000000000000000000000000" "00",
		  RM_EBADVALUE, "fingerprint of 15 bytes" },
		{ "81851bffffffffffffffff4101024100" "00", RM_EBADVALUE,
		  "issued 2^64-1 with a prefix" },
		{ "8184014003" "83" "00" ID16 "00", RM_EMALFORMED,
		  "odd id array" },
		{ "8184054003" "84" "00" ID16 "00" ID16, RM_EBADVALUE,
		  "repeated id" },
		{ "8184054003" "82" "05" ID16, RM_EBADVALUE,
		  "id at the range's bound" },
		{ "8184014003" "82" "00" "4f1111111111111111111111111111"
		  "11", RM_EBADVALUE, "id prefix of 15 bytes" },
		{ "81850a4002" "5820" "0000000000000000000000000000000000000000000000000000000000000000"
		  "1b0000000000000001" "", RM_ENONCANON, "count long head" },
	};
	struct rbsr_msg m;
	uint8_t buf[256];
	rm_why why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i].hex) / 2;
		int rv;

		CU_ASSERT_EQUAL_FATAL(rm_hex_decode(bad[i].hex, buf, n), RM_OK);
		why.msg[0] = '\0';
		rv = rbsr_msg_decode(buf, n, &m, &why);
		if (rv != bad[i].err)
			fprintf(stderr, "%s: got %s (%s)\n", bad[i].what,
			    rm_errname(rv), why.msg);
		CU_ASSERT_EQUAL(rv, bad[i].err);
		CU_ASSERT(why.msg[0] != '\0');
		if (rv == RM_OK)
			rbsr_msg_fini(&m);
	}
	/* oversized */
	{
		uint8_t *big = calloc(1, RBSR_MSG_MAX + 1);

		CU_ASSERT_EQUAL(rbsr_msg_decode(big, RBSR_MSG_MAX + 1, &m,
		    &why), RM_ETOOBIG);
		free(big);
	}
	/* too many ranges: array head of RBSR_RANGES_MAX + 1 skips */
	{
		size_t n = 3 + 4 * (RBSR_RANGES_MAX + 1);
		uint8_t *p = calloc(1, n);

		p[0] = 0x99;
		p[1] = (RBSR_RANGES_MAX + 1) >> 8;
		p[2] = (RBSR_RANGES_MAX + 1) & 0xff;
		for (size_t i = 3; i + 4 <= n; i += 4)
			memcpy(p + i, "\x83\x01\x40\x00", 4);
		CU_ASSERT_EQUAL(rbsr_msg_decode(p, n, &m, &why), RM_ETOOBIG);
		free(p);
	}
}

/* ---------------- the engine ---------------- */

static void
test_equal(void)
{
	run(20000, 0, 0, 2);
	run(5, 0, 0, 2);
}

static void
test_one(void)
{
	run(20000, 1, 0, 6);
	run(20000, 0, 1, 6);
}

static void
test_many(void)
{
	run(50000, 300, 300, 10);
	run(50000, 1000, 0, 10);
}

static void
test_all(void)
{
	run(0, 3000, 3000, 12);         /* disjoint */
	run(0, 5, 7, 4);
}

static void
test_empty(void)
{
	run(0, 0, 0, 2);
	run(0, 20000, 0, 4);            /* the peer joins cold */
	run(0, 0, 20000, 4);            /* we join cold */
}

static void
test_subset(void)
{
	run(10000, 2000, 0, 10);
	run(10000, 0, 2000, 10);
}

static int
count_send(void *ctx, const struct rbsr_key *k)
{
	(void)k;
	(*(unsigned *)ctx)++;
	return RM_OK;
}

static int
count_want(void *ctx, uint64_t issued_ms, const uint8_t *p, size_t n)
{
	(void)issued_ms;
	(void)p;
	(void)n;
	(*((unsigned *)ctx + 1))++;
	return RM_OK;
}

static const struct rbsr_emit_ops counting = { count_send, count_want };

/* One message of one range [MIN, MAX) in mode (FP or SUM) from s, into
 * in; our answer in out; nothing may be sent or wanted for it. Returns
 * whether the session ended. */
static bool
lie(struct mset *a, enum rbsr_mode mode, const struct rbsr_sum *s, rm_buf *in,
    rm_buf *out, unsigned counts[2])
{
	struct rbsr_enc e;
	rbsr_session *x;
	bool done = false;
	rm_why why;

	rm_buf_reset(in);
	rm_buf_reset(out);
	rbsr_enc_init(&e);
	if (mode == RBSR_MODE_FP)
		rbsr_enc_fp(&e, &RBSR_KEY_MAX, s);
	else
		rbsr_enc_sum(&e, &RBSR_KEY_MAX, s);
	rbsr_enc_finish(&e, in);
	rbsr_enc_fini(&e);
	CU_ASSERT_EQUAL_FATAL(rbsr_session_new(&mset_ops, a, &counting, counts,
	    &x), RM_OK);
	CU_ASSERT_EQUAL(rbsr_session_reply(x, in->data, in->len, out, &done,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(counts[0] + counts[1], 0);
	rbsr_session_free(x);
	return done;
}

/* A peer that lies about fingerprints and counts cannot make us lose a
 * key or ask for anything it did not list, and a sum crafted to look
 * like "one key less" finds nothing we do not hold. */
static void
test_liar(void)
{
	struct mset a, b;
	struct rbsr_sum s;
	rbsr_session *x;
	rm_buf in = RM_BUF_INIT, out = RM_BUF_INIT;
	unsigned counts[2] = { 0, 0 };
	size_t before;
	bool done;
	rm_why why;

	make_sets(&a, &b, 100, 20, 0);
	before = a.n;
	/* 1: "my fingerprint equals yours" for the whole set: we skip, we
	 * keep everything, and we send nothing. */
	CU_ASSERT_EQUAL(mset_ops.sum(&a, &RBSR_KEY_MIN, &RBSR_KEY_MAX, &s),
	    RM_OK);
	CU_ASSERT(lie(&a, RBSR_MODE_FP, &s, &in, &out, counts));
	CU_ASSERT_EQUAL(out.len, 1);    /* the empty message: done */
	CU_ASSERT_EQUAL(a.n, before);
	/* 2: a sum "one key less than yours" that is no key of ours, and a
	 * count that lies: nothing sent for it, the range split instead */
	s.sum[5] ^= 0x40;
	s.count--;
	CU_ASSERT_FALSE(lie(&a, RBSR_MODE_SUM, &s, &in, &out, counts));
	CU_ASSERT(out.len > 1);
	/* 3: a peer that always answers "everything differs" runs out of
	 * rounds and is refused */
	CU_ASSERT_EQUAL(rbsr_session_new(&mset_ops, &a, &counting, counts,
	    &x), RM_OK);
	{
		int rv = RM_OK;
		unsigned i;

		for (i = 0; i < 2 * RBSR_ROUNDS_MAX && rv == RM_OK; i++) {
			rm_buf_reset(&out);
			rv = rbsr_session_reply(x, in.data, in.len, &out,
			    &done, &why);
		}
		CU_ASSERT_EQUAL(rv, RM_ETOOBIG);
		CU_ASSERT(i <= RBSR_ROUNDS_MAX);
		CU_ASSERT(strstr(why.msg, "exceeds") != NULL);
		/* and the session is unusable afterwards */
		CU_ASSERT_EQUAL(rbsr_session_reply(x, in.data, in.len, &out,
		    &done, &why), RM_EINVAL);
	}
	rbsr_session_free(x);
	CU_ASSERT_EQUAL(a.n, before);
	/* 4: a malformed message is refused, the session unusable */
	CU_ASSERT_EQUAL(rbsr_session_new(&mset_ops, &a, &counting, counts,
	    &x), RM_OK);
	CU_ASSERT_EQUAL(rbsr_session_reply(x, (const uint8_t *)"\x81\x83", 2,
	    &out, &done, &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(rbsr_session_reply(x, in.data, in.len, &out, &done,
	    &why), RM_EINVAL);
	rbsr_session_free(x);
	rm_buf_fini(&in);
	rm_buf_fini(&out);
	mset_fini(&a);
	mset_fini(&b);
}

/* Keys sharing an issued time and 15 bytes of hash: bounds need long
 * prefixes; ids (16 bytes) still tell them apart. */
static void
test_close_keys(void)
{
	struct mset a, b;
	struct mset_result r;
	struct rbsr_key k = { 1000, { 0 } };

	mset_init(&a);
	mset_init(&b);
	for (int i = 0; i < 200; i++) {
		memset(k.hash, 0x5a, 15);
		k.hash[15] = (uint8_t)i;
		k.hash[31] = (uint8_t)(i * 7);
		mset_push(&a, &k);
		if (i % 17 != 3)
			mset_push(&b, &k);
	}
	mset_sort(&a);
	mset_sort(&b);
	mset_reconcile(&a, &b, &r);
	CU_ASSERT_EQUAL(r.rv, RM_OK);
	CU_ASSERT(mset_equal(&a, &b));
	mset_fini(&a);
	mset_fini(&b);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "keys", test_keys },
		{ "sums", test_sums },
		{ "codec_roundtrip", test_codec_roundtrip },
		{ "codec_refusals", test_codec_refusals },
		{ "equal", test_equal },
		{ "one", test_one },
		{ "many", test_many },
		{ "all", test_all },
		{ "empty", test_empty },
		{ "subset", test_subset },
		{ "liar", test_liar },
		{ "close_keys", test_close_keys },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("rbsr", tests);
}
