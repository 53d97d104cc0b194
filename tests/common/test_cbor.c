/*
 * test_cbor.c -- the strict deterministic-CBOR reader and writer.
 */
#include <string.h>

#include "common/common.h"
#include "rm_test.h"

static void
test_writer_minimal_heads(void)
{
	rm_buf b = RM_BUF_INIT;
	static const uint8_t want[] = {
		0x17, 0x18, 0x18, 0x19, 0x01, 0x00, 0x1a, 0x00, 0x01, 0x00, 0x00,
		0x20, 0x38, 0x63, 0x63, 'a', 'b', 'c', 0x42, 0x01, 0x02, 0x82,
		0xa1, 0xd2, 0xf5,
	};

	CU_ASSERT_EQUAL(rm_cbor_put_uint(&b, 23), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_uint(&b, 24), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_uint(&b, 256), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_uint(&b, 65536), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_int(&b, -1), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_int(&b, -100), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_cstr(&b, "abc"), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_bytes(&b, "\x01\x02", 2), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_array(&b, 2), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_map(&b, 1), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_tag(&b, 18), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_bool(&b, true), RM_OK);
	CU_ASSERT_EQUAL(b.len, sizeof(want));
	CU_ASSERT(memcmp(b.data, want, sizeof(want)) == 0);
	rm_buf_fini(&b);
}

static void
test_reader_roundtrip(void)
{
	rm_buf b = RM_BUF_INIT;
	rm_cbor_rd rd;
	rm_cbor_keys k;
	const char *s;
	const uint8_t *bs;
	size_t n;
	uint64_t u;
	int64_t i;

	rm_cbor_put_map(&b, 3);
	rm_cbor_put_cstr(&b, "a");
	rm_cbor_put_uint(&b, 1000000);
	rm_cbor_put_cstr(&b, "bb");
	rm_cbor_put_int(&b, -5);
	rm_cbor_put_cstr(&b, "ccc");
	rm_cbor_put_bytes(&b, "xyz", 3);

	rm_cbor_rd_init(&rd, b.data, b.len);
	CU_ASSERT_EQUAL(rm_cbor_rd_peek(&rd), RM_CBOR_MAP);
	CU_ASSERT_EQUAL(rm_cbor_rd_map(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL(n, 3);
	rm_cbor_keys_init(&k);
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT(rm_cbor_key_is(s, n, "a"));
	CU_ASSERT_EQUAL(rm_cbor_rd_uint(&rd, &u), RM_OK);
	CU_ASSERT_EQUAL(u, 1000000);
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT(rm_cbor_key_is(s, n, "bb"));
	CU_ASSERT_EQUAL(rm_cbor_rd_int(&rd, &i), RM_OK);
	CU_ASSERT_EQUAL(i, -5);
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_rd_bytes(&rd, &bs, &n), RM_OK);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT(memcmp(bs, "xyz", 3) == 0);
	CU_ASSERT_EQUAL(rm_cbor_rd_end(&rd), RM_OK);
	rm_buf_fini(&b);
}

static int
read_uint(const uint8_t *p, size_t n, uint64_t *v)
{
	rm_cbor_rd rd;

	rm_cbor_rd_init(&rd, p, n);
	return rm_cbor_rd_uint(&rd, v);
}

static void
test_reader_rejects_noncanonical(void)
{
	uint64_t v;
	rm_cbor_rd rd;
	size_t n;
	const char *s;
	rm_cbor_keys k;

	/* 5 encoded in one extra byte */
	CU_ASSERT_EQUAL(read_uint((const uint8_t *)"\x18\x05", 2, &v), RM_ENONCANON);
	/* 255 encoded in two bytes */
	CU_ASSERT_EQUAL(read_uint((const uint8_t *)"\x19\x00\xff", 3, &v), RM_ENONCANON);
	/* 65535 in four bytes */
	CU_ASSERT_EQUAL(read_uint((const uint8_t *)"\x1a\x00\x00\xff\xff", 5, &v), RM_ENONCANON);
	/* truncated */
	CU_ASSERT_EQUAL(read_uint((const uint8_t *)"\x19\x01", 2, &v), RM_EMALFORMED);
	/* float is not allowed */
	CU_ASSERT_EQUAL(read_uint((const uint8_t *)"\xf9\x3c\x00", 3, &v), RM_EBADVALUE);
	/* indefinite-length text */
	rm_cbor_rd_init(&rd, "\x7f\x61\x61\xff", 4);
	CU_ASSERT_EQUAL(rm_cbor_rd_text(&rd, &s, &n), RM_ENONCANON);
	/* text length with non-minimal head */
	rm_cbor_rd_init(&rd, "\x78\x01\x61", 3);
	CU_ASSERT_EQUAL(rm_cbor_rd_text(&rd, &s, &n), RM_ENONCANON);
	/* invalid UTF-8 */
	rm_cbor_rd_init(&rd, "\x62\xc3\x28", 3);
	CU_ASSERT_EQUAL(rm_cbor_rd_text(&rd, &s, &n), RM_EBADVALUE);
	/* keys out of order: {"b":1, "a":2} */
	rm_cbor_rd_init(&rd, "\xa2\x61\x62\x01\x61\x61\x02", 7);
	CU_ASSERT_EQUAL(rm_cbor_rd_map(&rd, &n), RM_OK);
	rm_cbor_keys_init(&k);
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_rd_uint(&rd, &v), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_ENONCANON);
	/* duplicate keys via skip */
	rm_cbor_rd_init(&rd, "\xa2\x61\x61\x01\x61\x61\x02", 7);
	CU_ASSERT_EQUAL(rm_cbor_rd_skip(&rd), RM_ENONCANON);
	/* longer key sorts after shorter: {"b":1,"aa":2} is canonical */
	rm_cbor_rd_init(&rd, "\xa2\x61\x62\x01\x62\x61\x61\x02", 8);
	CU_ASSERT_EQUAL(rm_cbor_rd_skip(&rd), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_rd_end(&rd), RM_OK);
	/* trailing bytes */
	rm_cbor_rd_init(&rd, "\x01\x02", 2);
	CU_ASSERT_EQUAL(rm_cbor_rd_uint(&rd, &v), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_rd_end(&rd), RM_EMALFORMED);
	/* array count larger than the input */
	rm_cbor_rd_init(&rd, "\x9a\xff\xff\xff\xff", 5);
	CU_ASSERT_EQUAL(rm_cbor_rd_array(&rd, &n), RM_EMALFORMED);
}

static void
test_reader_depth_limit(void)
{
	uint8_t deep[64];
	rm_cbor_rd rd;

	memset(deep, 0x81, sizeof(deep)); /* [[[[...]]]] */
	deep[sizeof(deep) - 1] = 0x01;
	rm_cbor_rd_init(&rd, deep, sizeof(deep));
	CU_ASSERT_EQUAL(rm_cbor_rd_skip(&rd), RM_ETOOBIG);
	CU_ASSERT_EQUAL(rd.off, 0);
}

static CU_TestInfo cbor_tests[] = {
	{ "writer emits minimal heads", test_writer_minimal_heads },
	{ "reader round trip", test_reader_roundtrip },
	{ "reader rejects non-canonical input", test_reader_rejects_noncanonical },
	{ "reader bounds nesting depth", test_reader_depth_limit },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("common.cbor", cbor_tests);
}
