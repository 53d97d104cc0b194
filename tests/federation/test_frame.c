/*
 * test_frame.c -- wire frames: round trip of every type, the handshake
 * transcript, and every rejection of the strict decoder.
 */
#include <stdlib.h>
#include <string.h>

#include "fed_fixture.h"
#include "federation/peer/peer.h"
#include "rm_test.h"

static const uint8_t nonce[FED_NONCE_BYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static void
test_hello_proof_roster(void)
{
	rm_buf b = RM_BUF_INIT;
	struct fed_frame f;
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	rm_why why;

	CU_ASSERT_EQUAL(fed_frame_hello(&b, FX_WATER, 42, nonce), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_HELLO);
	CU_ASSERT_EQUAL(f.u.hello.proto, FED_PROTO_VERSION);
	CU_ASSERT_EQUAL(f.u.hello.agency_len, strlen(FX_WATER));
	CU_ASSERT(memcmp(f.u.hello.agency, FX_WATER, strlen(FX_WATER)) == 0);
	CU_ASSERT_EQUAL(f.u.hello.roster_version, 42);
	CU_ASSERT(memcmp(f.u.hello.nonce, nonce, FED_NONCE_BYTES) == 0);
	fed_frame_fini(&f);

	memset(sig, 0x5a, sizeof(sig));
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_proof(&b, sig), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_PROOF);
	CU_ASSERT(memcmp(f.u.proof.sig, sig, sizeof(sig)) == 0);
	fed_frame_fini(&f);

	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_roster(&b, (const uint8_t *)"abc", 3), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_ROSTER);
	CU_ASSERT_EQUAL(f.u.roster.n, 3);
	CU_ASSERT(memcmp(f.u.roster.p, "abc", 3) == 0);
	fed_frame_fini(&f);
	rm_buf_fini(&b);
}

static void
test_vector_records_refuse(void)
{
	const char *origins[] = { "120103.emergency", "120000.command",
		"120104.water", "110000.x" };
	const uint64_t seqs[] = { 5, 7, 0, 1 };
	rm_hash heads[4];
	rm_buf b = RM_BUF_INIT;
	struct fed_frame f;
	rm_why why;

	for (int i = 0; i < 4; i++)
		memset(heads[i].b, 0xa0 + i, RM_HASH_BYTES);
	CU_ASSERT_EQUAL(fed_frame_vector(&b, origins, seqs, heads, 4), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_VECTOR);
	CU_ASSERT_EQUAL_FATAL(f.u.vector.n, 4);
	/* canonical order: shorter first, then bytewise */
	CU_ASSERT(f.u.vector.entries[0].origin_len == 8 &&
	    memcmp(f.u.vector.entries[0].origin, "110000.x", 8) == 0);
	CU_ASSERT(memcmp(f.u.vector.entries[1].origin, "120104.water", 12) ==
	    0);
	CU_ASSERT_EQUAL(f.u.vector.entries[1].seq, 0);
	CU_ASSERT_PTR_NULL(f.u.vector.entries[1].head);   /* [0] */
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.u.vector.entries[0].head);
	CU_ASSERT(memcmp(f.u.vector.entries[0].head, heads[3].b,
	    RM_HASH_BYTES) == 0);                       /* follows its origin */
	CU_ASSERT(memcmp(f.u.vector.entries[2].origin, "120000.command", 14) ==
	    0);
	CU_ASSERT_EQUAL(f.u.vector.entries[2].seq, 7);
	CU_ASSERT_EQUAL(f.u.vector.entries[3].seq, 5);
	CU_ASSERT(memcmp(f.u.vector.entries[3].head, heads[0].b,
	    RM_HASH_BYTES) == 0);
	fed_frame_fini(&f);
	/* duplicate origins are refused by the encoder */
	origins[1] = "120103.emergency";
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_vector(&b, origins, seqs, heads, 4),
	    RM_EINVAL);
	CU_ASSERT_EQUAL(b.len, 0);
	/* empty vector */
	CU_ASSERT_EQUAL(fed_frame_vector(&b, origins, seqs, heads, 0), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.u.vector.n, 0);
	fed_frame_fini(&f);

	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_records_begin(&b, 2), RM_OK);
	CU_ASSERT_EQUAL(fed_frame_records_add(&b, (const uint8_t *)"one", 3),
	    RM_OK);
	CU_ASSERT_EQUAL(fed_frame_records_add(&b, (const uint8_t *)"three", 5),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_RECORDS);
	CU_ASSERT_EQUAL_FATAL(f.u.records.n, 2);
	CU_ASSERT_EQUAL(f.u.records.len[1], 5);
	CU_ASSERT(memcmp(f.u.records.p[1], "three", 5) == 0);
	fed_frame_fini(&f);

	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_refuse(&b, RM_EBADSIG, "record 3fa2: bad"),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_REFUSE);
	CU_ASSERT_EQUAL(f.u.refuse.code, RM_EBADSIG);
	CU_ASSERT_EQUAL(f.u.refuse.reason_len, 16);
	CU_ASSERT_FALSE(f.u.refuse.close);       /* one record refused */
	fed_frame_fini(&f);
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_refuse_close(&b, RM_EBADSIG, "PROOF"),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_REFUSE);
	CU_ASSERT_EQUAL(f.u.refuse.code, RM_EBADSIG);
	CU_ASSERT_EQUAL(f.u.refuse.reason_len, 5);
	CU_ASSERT(f.u.refuse.close);             /* the session refused */
	fed_frame_fini(&f);
	CU_ASSERT_EQUAL(fed_frame_refuse_close(&b, 0, "x"), RM_EINVAL);
	CU_ASSERT_EQUAL(fed_frame_refuse(&b, 0, "x"), RM_EINVAL);
	rm_buf_fini(&b);
}

static void
test_transcript(void)
{
	rm_buf b = RM_BUF_INIT;
	uint8_t other[FED_NONCE_BYTES];

	memset(other, 0xee, sizeof(other));
	CU_ASSERT_EQUAL(fed_hello_transcript(&b, nonce, other, "120000.a",
	    "120103.b"), RM_OK);
	CU_ASSERT_EQUAL(b.len, 16 + 32 + 32 + 8 + 1 + 8);
	CU_ASSERT(memcmp(b.data, "riskmesh/1 hello", 16) == 0);
	CU_ASSERT(memcmp(b.data + 16, nonce, 32) == 0);
	CU_ASSERT(memcmp(b.data + 48, other, 32) == 0);
	CU_ASSERT(memcmp(b.data + 80, "120000.a\0" "120103.b", 17) == 0);
	rm_buf_fini(&b);
}

/* Decode hex and expect err. */
static void
reject(const char *hex, int want)
{
	rm_buf b = RM_BUF_INIT;
	struct fed_frame f;
	rm_why why;
	size_t n = strlen(hex) / 2;
	int rv;

	rm_buf_reserve(&b, n + 1);
	CU_ASSERT_EQUAL_FATAL(rm_hex_decode(hex, b.data, n), RM_OK);
	b.len = n;
	why.msg[0] = '\0';
	rv = fed_frame_decode(b.data, b.len, &f, &why);
	if (rv != want)
		fprintf(stderr, "frame %s: got %s (%s), want %s\n", hex,
		    rm_errname(rv), why.msg, rm_errname(want));
	CU_ASSERT_EQUAL(rv, want);
	if (rv == RM_OK)
		fed_frame_fini(&f);
	else
		CU_ASSERT(why.msg[0] != '\0');
	rm_buf_fini(&b);
}

/* RECONCILE and WANT (version 3, docs/PROTOCOL.md §7a). */
static void
test_reconcile_want(void)
{
	static const uint8_t msg[] = { 0x80 };
	static const uint8_t pre[RM_HASH_BYTES] = { 0xab, 0xcd };
	struct fed_want w[2] = { { 1700000000000ull, pre, 16 },
	    { 5, pre, RM_HASH_BYTES } };
	rm_buf b = RM_BUF_INIT;
	struct fed_frame f;
	rm_why why;

	CU_ASSERT_EQUAL(fed_frame_reconcile(&b, 42, msg, sizeof(msg)), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_RECONCILE);
	CU_ASSERT_EQUAL(f.u.reconcile.session, 42);
	CU_ASSERT_EQUAL(f.u.reconcile.n, 1);
	CU_ASSERT_EQUAL(f.u.reconcile.msg[0], 0x80);
	fed_frame_fini(&f);
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_reconcile(&b, 42, NULL, 0), RM_OK); /* abort */
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.u.reconcile.n, 0);
	fed_frame_fini(&f);
	CU_ASSERT_EQUAL(fed_frame_reconcile(&b, 0, msg, 1), RM_EINVAL);
	CU_ASSERT_EQUAL(fed_frame_reconcile(&b, 1, msg, RBSR_MSG_MAX + 1),
	    RM_ETOOBIG);
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_want(&b, w, 2), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.type, FED_WANT);
	CU_ASSERT_EQUAL_FATAL(f.u.want.n, 2);
	CU_ASSERT_EQUAL(f.u.want.w[0].issued_ms, 1700000000000ull);
	CU_ASSERT_EQUAL(f.u.want.w[0].prefix_len, 16);
	CU_ASSERT_EQUAL(f.u.want.w[1].prefix_len, RM_HASH_BYTES);
	CU_ASSERT(memcmp(f.u.want.w[1].prefix, pre, RM_HASH_BYTES) == 0);
	fed_frame_fini(&f);
	CU_ASSERT_EQUAL(fed_frame_want(&b, w, 0), RM_EINVAL);
	CU_ASSERT_EQUAL(fed_frame_want(&b, w, FED_WANT_MAX + 1), RM_ETOOBIG);
	rm_buf_fini(&b);
}

static void
test_rejections(void)
{
	rm_buf b = RM_BUF_INIT;
	struct fed_frame f;
	rm_why why;
	char hex[2 * 400];

	reject("", RM_EMALFORMED);
	reject("a0", RM_EMALFORMED);               /* not an array */
	reject("80", RM_EMALFORMED);               /* empty */
	reject("8109", RM_EUNKNOWN);               /* unknown type 9 (7
	                                              and 8 since v3) */
	reject("8100", RM_EUNKNOWN);               /* type 0 */
	reject("8161", RM_EMALFORMED);             /* type is text */
	reject("8102", RM_EMALFORMED);             /* PROOF without sig */
	reject("830241004100", RM_EMALFORMED);     /* PROOF arity 3 */
	reject("82024100", RM_EBADVALUE);          /* short signature */
	reject("820401", RM_EBADVALUE);            /* VECTOR not a map */
	reject("8202", RM_EMALFORMED);             /* truncated */
	reject("9f0201ff", RM_ENONCANON);          /* indefinite array */
	reject("82180241", RM_ENONCANON);          /* type with long head */
	reject("8306006100", RM_EBADVALUE);        /* REFUSE code 0 */
	reject("83070040", RM_EBADVALUE);          /* RECONCILE session 0 */
	reject("8307014180", RM_OK);               /* RECONCILE ok */
	reject("82070141", RM_EMALFORMED);         /* RECONCILE arity 2 */
	reject("830701" "60", RM_EBADVALUE);       /* RECONCILE msg text */
	reject("820880", RM_EMALFORMED);           /* WANT of no key */
	reject("82088101", RM_EMALFORMED);         /* WANT odd array */
	reject("8208820140", RM_EBADVALUE);        /* WANT empty prefix */
	reject("82088201" "5821" "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f20", RM_EBADVALUE);
	                                           /* WANT prefix of 33 */
	reject("8208824101" "4101", RM_EBADVALUE); /* WANT issued a bstr */
	reject("830801820141ab", RM_EMALFORMED);   /* WANT arity 3 */
	reject("8306016178", RM_OK);               /* REFUSE ok */
	reject("830601617800", RM_EMALFORMED);     /* trailing byte */
	reject("840601617801", RM_OK);             /* session REFUSE ok */
	reject("840601617802", RM_EBADVALUE);      /* unknown scope */
	reject("8406016178f5", RM_EBADVALUE);      /* scope not a uint */
	reject("85060161780101", RM_EMALFORMED);   /* REFUSE arity 5 */
	reject("8206", RM_EMALFORMED);             /* REFUSE arity 2 */
	/* VECTOR origin not an agency id, keys out of order */
	reject("8204a1634142430a", RM_EBADVALUE);
	reject("8204a2683132303130342e6281006831323031"
	    "30332e618100", RM_ENONCANON);
	/* HELLO: short nonce, long agency */
	rm_buf_reset(&b);
	rm_cbor_put_array(&b, 5);
	rm_cbor_put_uint(&b, 1);
	rm_cbor_put_uint(&b, 1);
	rm_cbor_put_cstr(&b, FX_WATER);
	rm_cbor_put_uint(&b, 1);
	rm_cbor_put_bytes(&b, nonce, 31);
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, b.len, &f, &why), RM_ETOOBIG);
	CU_ASSERT(strstr(why.msg, "nonce") != NULL);
	rm_buf_reset(&b);
	rm_cbor_put_array(&b, 5);
	rm_cbor_put_uint(&b, 1);
	rm_cbor_put_uint(&b, 1);
	rm_cbor_put_cstr(&b, "120104.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	rm_cbor_put_uint(&b, 1);
	rm_cbor_put_bytes(&b, nonce, 32);
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, b.len, &f, &why), RM_ETOOBIG);
	CU_ASSERT(strstr(why.msg, "agency") != NULL);
	/* HELLO with a bad agency id */
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_hello(&b, "Nobody", 1, nonce), RM_OK);
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, b.len, &f, &why),
	    RM_EBADVALUE);
	/* HELLO arity 4 */
	rm_buf_reset(&b);
	rm_cbor_put_array(&b, 4);
	rm_cbor_put_uint(&b, 1);
	rm_cbor_put_uint(&b, 1);
	rm_cbor_put_cstr(&b, FX_WATER);
	rm_cbor_put_uint(&b, 1);
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, b.len, &f, &why),
	    RM_EMALFORMED);
	/* more than FED_BATCH_MAX records */
	rm_buf_reset(&b);
	rm_cbor_put_array(&b, 2);
	rm_cbor_put_uint(&b, FED_RECORDS);
	rm_cbor_put_array(&b, FED_BATCH_MAX + 1);
	for (int i = 0; i < FED_BATCH_MAX + 1; i++)
		rm_cbor_put_bytes(&b, "x", 1);
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, b.len, &f, &why), RM_ETOOBIG);
	CU_ASSERT_EQUAL(fed_frame_records_begin(&b, FED_BATCH_MAX + 1),
	    RM_ETOOBIG);
	/* records that are not bstr */
	rm_buf_reset(&b);
	rm_cbor_put_array(&b, 2);
	rm_cbor_put_uint(&b, FED_RECORDS);
	rm_cbor_put_array(&b, 1);
	rm_cbor_put_cstr(&b, "x");
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, b.len, &f, &why),
	    RM_EBADVALUE);
	/* REFUSE reason too long */
	rm_buf_reset(&b);
	memset(hex, 'a', FED_REASON_MAX + 1);
	hex[FED_REASON_MAX + 1] = '\0';
	rm_cbor_put_array(&b, 3);
	rm_cbor_put_uint(&b, FED_REFUSE);
	rm_cbor_put_uint(&b, RM_EBADSIG);
	rm_cbor_put_cstr(&b, hex);
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, b.len, &f, &why), RM_ETOOBIG);
	/* the encoder truncates instead */
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_frame_refuse(&b, RM_EBADSIG, hex), RM_OK);
	CU_ASSERT_EQUAL_FATAL(fed_frame_decode(b.data, b.len, &f, &why), RM_OK);
	CU_ASSERT_EQUAL(f.u.refuse.reason_len, FED_REASON_MAX);
	fed_frame_fini(&f);
	/* frame over FED_FRAME_MAX */
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, FED_FRAME_MAX + 1, &f, &why),
	    RM_ETOOBIG);
	rm_buf_fini(&b);
}

static void
test_vector_too_many(void)
{
	rm_buf b = RM_BUF_INIT;
	struct fed_frame f;
	rm_why why;
	char id[32];

	rm_cbor_put_array(&b, 2);
	rm_cbor_put_uint(&b, FED_VECTOR);
	rm_cbor_put_map(&b, FED_VECTOR_MAX + 1);
	for (int i = 0; i < FED_VECTOR_MAX + 1; i++) {
		snprintf(id, sizeof(id), "120000.a%05d", i);
		rm_cbor_put_cstr(&b, id);
		rm_cbor_put_array(&b, 1);
		rm_cbor_put_uint(&b, 0);
	}
	CU_ASSERT_EQUAL(fed_frame_decode(b.data, b.len, &f, &why), RM_ETOOBIG);
	rm_buf_fini(&b);
}

/* Vector values are [0] or [seq >= 1, 32-byte head]; v1's bare seq and
 * every other shape are refused. */
static void
test_vector_values(void)
{
	static const struct {
		const char *what;
		int want;
	} cases[] = {
		{ "uint", RM_EBADVALUE }, { "[1]", RM_EMALFORMED },
		{ "[0,h]", RM_EMALFORMED }, { "[1,short]", RM_EBADVALUE },
		{ "[1,text]", RM_EBADVALUE }, { "[1,h]", RM_OK },
		{ "[0]", RM_OK },
	};
	uint8_t h[RM_HASH_BYTES];
	struct fed_frame f;
	rm_why why;

	memset(h, 7, sizeof(h));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w = cases[i].what;
		rm_buf b = RM_BUF_INIT;
		int rv;

		rm_cbor_put_array(&b, 2);
		rm_cbor_put_uint(&b, FED_VECTOR);
		rm_cbor_put_map(&b, 1);
		rm_cbor_put_cstr(&b, "120000.command");
		if (strcmp(w, "uint") == 0) {
			rm_cbor_put_uint(&b, 3);
		} else {
			bool zero = strncmp(w, "[0", 2) == 0;
			size_t n = strchr(w, ',') != NULL ? 2 : 1;

			rm_cbor_put_array(&b, n);
			rm_cbor_put_uint(&b, zero ? 0 : 1);
			if (strstr(w, ",h]") != NULL)
				rm_cbor_put_bytes(&b, h, sizeof(h));
			else if (strstr(w, "short") != NULL)
				rm_cbor_put_bytes(&b, h, 31);
			else if (strstr(w, "text") != NULL)
				rm_cbor_put_cstr(&b, "head");
		}
		rv = fed_frame_decode(b.data, b.len, &f, &why);
		if (rv != cases[i].want)
			fprintf(stderr, "vector value %s: %s (%s)\n", w,
			    rm_errname(rv), why.msg);
		CU_ASSERT_EQUAL(rv, cases[i].want);
		if (rv == RM_OK)
			fed_frame_fini(&f);
		rm_buf_fini(&b);
	}
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "hello_proof_roster", test_hello_proof_roster },
		{ "vector_records_refuse", test_vector_records_refuse },
		{ "transcript", test_transcript },
		{ "rejections", test_rejections },
		{ "reconcile_want", test_reconcile_want },
		{ "vector_too_many", test_vector_too_many },
		{ "vector_values", test_vector_values },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.frame", tests);
}
