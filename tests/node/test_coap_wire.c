/*
 * test_coap_wire.c -- the pure pieces of the own observe engine
 * (node/coap/coap_wire.h): message bytes against RFC 7252 Appendix A
 * and RFC 7641 / RFC 7959 option encodings, the deadline heap, the
 * MID -> observer map.
 */
#include <stdlib.h>
#include <string.h>

#include "rm_test.h"
#include "node/coap/coap_wire.h"

/* RFC 7252 Appendix A, Figure 19: CON GET /temperature, MID 0x7d34,
 * token 0x20; piggybacked ACK 2.05 "22.3 C". */
static void
test_rfc7252_examples(void)
{
	static const uint8_t req[] = { 0x41, 0x01, 0x7d, 0x34, 0x20, 0xbb,
	    't', 'e', 'm', 'p', 'e', 'r', 'a', 't', 'u', 'r', 'e' };
	static const uint8_t resp[] = { 0x61, 0x45, 0x7d, 0x34, 0x20, 0xff,
	    '2', '2', '.', '3', ' ', 'C' };
	uint8_t p[128], tok = 0x20;
	unsigned last = 0;
	size_t n;
	struct cw_tail t;

	n = cw_header(p, 0, 0x01, 0x7d34, &tok, 1);
	n += cw_opt(p + n, &last, 11, (const uint8_t *)"temperature", 11);
	CU_ASSERT_EQUAL(n, sizeof(req));
	CU_ASSERT(memcmp(p, req, sizeof(req)) == 0);

	memset(&t, 0, sizeof(t));
	t.observe = -1;
	t.max_age_s = -1;
	t.body = (const uint8_t *)"22.3 C";
	t.body_len = 6;
	t.block = 1024;
	n = cw_header(p, 2, 0x45, 0x7d34, &tok, 1);
	n += cw_tail(p + n, sizeof(p) - n, &t);
	CU_ASSERT_EQUAL(n, sizeof(resp));
	CU_ASSERT(memcmp(p, resp, sizeof(resp)) == 0);
}

static void
test_uint_and_opts(void)
{
	uint8_t p[16];
	unsigned last = 0;

	CU_ASSERT_EQUAL(cw_uint(p, 0), 0);      /* RFC 7252 §3.2: empty */
	CU_ASSERT_EQUAL(cw_uint(p, 0x3c), 1);
	CU_ASSERT_EQUAL(cw_uint(p, 0x1234), 2);
	CU_ASSERT(p[0] == 0x12 && p[1] == 0x34);
	/* Observe: 12 (RFC 7641 Figure 2): delta 6, length 1 */
	CU_ASSERT_EQUAL(cw_opt(p, &last, 6, (const uint8_t *)"\x0c", 1), 2);
	CU_ASSERT(p[0] == 0x61 && p[1] == 0x0c);
	/* Size2 (28) after Observe: delta 22 = 13 + 9 */
	CU_ASSERT_EQUAL(cw_opt(p, &last, 28, (const uint8_t *)"\x07\xd0", 2),
	    4);
	CU_ASSERT(p[0] == 0xd2 && p[1] == 9 && p[2] == 0x07 && p[3] == 0xd0);
	/* a 13-byte value: extended length */
	last = 0;
	CU_ASSERT_EQUAL(cw_opt(p, &last, 11, (const uint8_t *)"0123456789abc",
	    13), 15);
	CU_ASSERT(p[0] == 0xbd && p[1] == 0);
}

/* A notification: ETag, Observe, Content-Format 60, Max-Age 60, and a
 * body over one block: Block2 0/1/1024 (0x0e) and Size2. */
static void
test_notification_tail(void)
{
	static const uint8_t want[] = {
		0x48, 1, 2, 3, 4, 5, 6, 7, 8,   /* ETag (4) */
		0x23, 0x40, 0x00, 0x01,         /* Observe (6) = 2^22 + 1 */
		0x61, 60,                       /* Content-Format (12) */
		0x21, 60,                       /* Max-Age (14) */
		0x91, 0x0e,                     /* Block2 (23) 0/1/1024 */
		0x52, 0x07, 0xd0,               /* Size2 (28) = 2000 */
		0xff,
	};
	uint8_t *body = malloc(2000), *p = malloc(CW_TAIL_MAX);
	struct cw_tail t;
	size_t n;

	CU_ASSERT_FATAL(body != NULL && p != NULL);
	memset(body, 'x', 2000);
	memset(&t, 0, sizeof(t));
	t.etag = 0x0102030405060708ULL;
	t.observe = (1 << 22) + 1;
	t.cf = 60;
	t.max_age_s = 60;
	t.body = body;
	t.body_len = 2000;
	t.block = 1024;
	n = cw_tail(p, CW_TAIL_MAX, &t);
	CU_ASSERT_EQUAL(n, sizeof(want) + 1024);
	CU_ASSERT(memcmp(p, want, sizeof(want)) == 0);
	/* text/plain: no Content-Format; a small body goes whole */
	t.cf = 0;
	t.body_len = 10;
	t.observe = 0x1000000 + 5;      /* mod 2^24 */
	n = cw_tail(p, CW_TAIL_MAX, &t);
	CU_ASSERT_EQUAL(n, 9 + 2 + 2 + 1 + 10);
	CU_ASSERT(p[9] == 0x21 && p[10] == 5 && p[11] == 0x81 && p[12] == 60);
	free(body);
	free(p);
}

static void
test_heap(void)
{
	struct cw_heap h;
	int64_t key, prev = INT64_MIN;
	uint32_t id;
	size_t n = 0;

	memset(&h, 0, sizeof(h));
	CU_ASSERT_FATAL(cw_heap_reserve(&h, 1000));
	for (uint32_t i = 0; i < 1000; i++)
		cw_heap_set(&h, i, (int64_t)((i * 7919u) % 1000));
	cw_heap_del(&h, 500);           /* key (500 * 7919) % 1000 */
	cw_heap_del(&h, 500);           /* twice: nothing */
	cw_heap_set(&h, 3, -5);         /* moved to the top */
	CU_ASSERT(cw_heap_top(&h, &id, &key) && id == 3 && key == -5);
	cw_heap_set(&h, 3, 5000);       /* moved to the bottom */
	while (cw_heap_top(&h, &id, &key)) {
		CU_ASSERT(key >= prev);
		CU_ASSERT(id != 500);
		prev = key;
		cw_heap_del(&h, id);
		n++;
	}
	CU_ASSERT_EQUAL(n, 999);
	CU_ASSERT_EQUAL(prev, 5000);
	cw_heap_fini(&h);
}

static void
test_mids(void)
{
	struct cw_mids *m = malloc(sizeof(*m));
	size_t n = 0;

	CU_ASSERT_FATAL(m != NULL);
	cw_mids_init(m);
	CU_ASSERT_FATAL(cw_mids_reserve(m, 8));
	cw_mids_set(m, 1, 0x7d34);
	cw_mids_set(m, 2, 0x7d34);      /* another endpoint, same MID */
	cw_mids_set(m, 3, 0x7d34);
	cw_mids_set(m, 4, 1);
	for (uint32_t id = cw_mids_first(m, 0x7d34); id != CW_NONE;
	    id = cw_mids_next(m, id))
		n++;
	CU_ASSERT_EQUAL(n, 3);
	cw_mids_set(m, 2, 0x7d35);      /* moves */
	cw_mids_del(m, 3);
	cw_mids_del(m, 3);
	CU_ASSERT_EQUAL(cw_mids_first(m, 0x7d34), 1);
	CU_ASSERT_EQUAL(cw_mids_next(m, 1), CW_NONE);
	CU_ASSERT_EQUAL(cw_mids_first(m, 0x7d35), 2);
	CU_ASSERT_EQUAL(cw_mids_first(m, 1), 4);
	CU_ASSERT_EQUAL(cw_mids_first(m, 2), CW_NONE);
	cw_mids_fini(m);
	free(m);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "rfc7252_examples", test_rfc7252_examples },
		{ "uint_and_opts", test_uint_and_opts },
		{ "notification_tail", test_notification_tail },
		{ "heap", test_heap },
		{ "mids", test_mids },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("coap_wire", tests);
}
