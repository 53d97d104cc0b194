/*
 * test_coap_repr.c -- the CoAP representations (text, CBOR, JSON, COSE)
 * rendered from an in-memory provider, without a network.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rm_test.h"
#include "test_coap_fake.h"

static const struct fake_spec typhoon = {
	.oid = "typhoon-1", .grade = RM_GRADE_RED,
	.zh_event = "台风", .zh_headline = "天津市气象局发布台风红色预警",
	.en_event = "Typhoon",
	.en_headline = "Red typhoon warning for the Binhai coast",
	.areas = { "120116" }, .expires_ms = FAKE_EXPIRES_MS,
};

static const char typhoon_line[] = "[红色预警/RED] 台风 Typhoon: "
    "天津市气象局发布台风红色预警 | Red typhoon warning for the Binhai "
    "coast (120116) until 2026-08-15T22:00:00Z\n";

static int
render(struct fake *f, const char *area, unsigned cf, rm_buf *out,
    struct alertcoap_set_info *info)
{
	struct alertcoap_provider p = fake_provider(f);

	return alertcoap_render(&p, area, FAKE_NOW_MS, cf, out, info, NULL);
}

static bool
buf_is(const rm_buf *b, const char *s)
{
	return b->len == strlen(s) && memcmp(b->data, s, b->len) == 0;
}

static void
test_text_line(void)
{
	struct fake f;
	rm_buf b = RM_BUF_INIT;
	struct alertcoap_set_info info;

	fake_init(&f);
	fake_add(&f, &typhoon);
	CU_ASSERT_EQUAL(render(&f, "120116", ALERTCOAP_CF_TEXT, &b, &info),
	    RM_OK);
	CU_ASSERT(buf_is(&b, typhoon_line));
	CU_ASSERT_EQUAL(info.n_alerts, 1);
	CU_ASSERT_EQUAL(info.max_grade, RM_GRADE_RED);
	CU_ASSERT_EQUAL(info.next_expiry_ms, FAKE_EXPIRES_MS);
	rm_buf_fini(&b);
	fake_fini(&f);
}

static void
test_text_empty_and_filter(void)
{
	struct fake f;
	rm_buf b = RM_BUF_INIT;
	struct alertcoap_set_info info;

	fake_init(&f);
	CU_ASSERT_EQUAL(render(&f, NULL, ALERTCOAP_CF_TEXT, &b, &info), RM_OK);
	CU_ASSERT(buf_is(&b, "(no active alerts / 无生效预警)\n"));
	CU_ASSERT_EQUAL(info.n_alerts, 0);
	CU_ASSERT_EQUAL(info.max_grade, 0);
	CU_ASSERT_EQUAL(info.next_expiry_ms, 0);
	fake_add(&f, &typhoon);
	rm_buf_reset(&b);
	/* 120103 does not overlap 120116: still empty there */
	CU_ASSERT_EQUAL(render(&f, "120103", ALERTCOAP_CF_TEXT, &b, NULL),
	    RM_OK);
	CU_ASSERT(buf_is(&b, "(no active alerts / 无生效预警)\n"));
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(render(&f, "120000", ALERTCOAP_CF_TEXT, &b, NULL),
	    RM_OK);
	CU_ASSERT(buf_is(&b, typhoon_line));
	rm_buf_fini(&b);
	fake_fini(&f);
}

static void
test_text_marks_and_one_language(void)
{
	struct fake f;
	rm_buf b = RM_BUF_INIT;
	struct fake_spec s = {
		.oid = "drill", .grade = RM_GRADE_YELLOW,
		.status = RM_STATUS_EXERCISE, .zh_event = "暴雨",
		.zh_headline = "演练：暴雨黄色预警\n第二行",
		.areas = { "120101", "120102" },
	};

	fake_init(&f);
	fake_add(&f, &s);
	s.oid = "t1";
	s.status = RM_STATUS_TEST;
	s.zh_headline = NULL;
	s.en_event = "Heat";
	s.en_headline = "Test \"heat\" alert";
	s.areas[1] = NULL;
	fake_add(&f, &s);
	s.oid = "d1";
	s.status = RM_STATUS_DRAFT;
	fake_add(&f, &s);
	CU_ASSERT_EQUAL(render(&f, NULL, ALERTCOAP_CF_TEXT, &b, NULL), RM_OK);
	rm_buf_cstr(&b);
	/* newest first; no expiry, no "until"; newline became a space */
	CU_ASSERT_STRING_EQUAL((char *)b.data,
	    "[草稿 DRAFT] [黄色预警/YELLOW] Heat: Test \"heat\" alert (120101)\n"
	    "[测试 TEST] [黄色预警/YELLOW] Heat: Test \"heat\" alert (120101)\n"
	    "[演练 EXERCISE] [黄色预警/YELLOW] 暴雨: 演练：暴雨黄色预警 第二行 "
	    "(120101,120102)\n");
	rm_buf_fini(&b);
	fake_fini(&f);
}

/* Read a text value and compare. */
static void
expect_key_text(rm_cbor_rd *rd, rm_cbor_keys *k, const char *key,
    const char *val)
{
	const char *s;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_key(rd, k, &s, &n), RM_OK);
	CU_ASSERT(rm_cbor_key_is(s, n, key));
	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_text(rd, &s, &n), RM_OK);
	CU_ASSERT(n == strlen(val) && memcmp(s, val, n) == 0);
}

static void
test_cbor(void)
{
	struct fake f;
	struct fake_alert *a;
	rm_buf b = RM_BUF_INIT;
	rm_cbor_rd rd;
	rm_cbor_keys k;
	const uint8_t *bs;
	const char *s;
	size_t n;
	uint64_t u;

	fake_init(&f);
	a = fake_add(&f, &typhoon);
	CU_ASSERT_EQUAL(render(&f, "120116", ALERTCOAP_CF_CBOR, &b, NULL),
	    RM_OK);
	rm_cbor_rd_init(&rd, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_array(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_map(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 12);
	rm_cbor_keys_init(&k);  /* rm_cbor_rd_key also checks the order */
	expect_key_text(&rd, &k, "oid", "typhoon-1");
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT(rm_cbor_key_is(s, n, "ver"));
	CU_ASSERT_EQUAL(rm_cbor_rd_uint(&rd, &u), RM_OK);
	CU_ASSERT_EQUAL(u, 1);
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT(rm_cbor_key_is(s, n, "hash"));
	CU_ASSERT_EQUAL(rm_cbor_rd_bytes(&rd, &bs, &n), RM_OK);
	CU_ASSERT(n == RM_HASH_BYTES && memcmp(bs, a->h.b, n) == 0);
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT(rm_cbor_key_is(s, n, "areas"));
	CU_ASSERT_EQUAL(rm_cbor_rd_array(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(rm_cbor_rd_text(&rd, &s, &n), RM_OK);
	CU_ASSERT(n == 6 && memcmp(s, "120116", 6) == 0);
	expect_key_text(&rd, &k, "event", "台风");
	expect_key_text(&rd, &k, "grade", "red");
	expect_key_text(&rd, &k, "origin", "120116.weather");
	expect_key_text(&rd, &k, "status", "Actual");
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT(rm_cbor_key_is(s, n, "expires"));
	CU_ASSERT_EQUAL(rm_cbor_rd_uint(&rd, &u), RM_OK);
	CU_ASSERT_EQUAL(u, (uint64_t)FAKE_EXPIRES_MS);
	expect_key_text(&rd, &k, "msgType", "Alert");
	CU_ASSERT_EQUAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
	CU_ASSERT(rm_cbor_key_is(s, n, "headline"));
	CU_ASSERT_EQUAL(rm_cbor_rd_array(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(rm_cbor_rd_text(&rd, &s, &n), RM_OK);
	CU_ASSERT(n == strlen(typhoon.zh_headline) &&
	    memcmp(s, typhoon.zh_headline, n) == 0);
	CU_ASSERT_EQUAL(rm_cbor_rd_text(&rd, &s, &n), RM_OK);
	CU_ASSERT(n == strlen(typhoon.en_headline) &&
	    memcmp(s, typhoon.en_headline, n) == 0);
	expect_key_text(&rd, &k, "identifier", "CN-TJ-typhoon-1");
	CU_ASSERT_EQUAL(rm_cbor_rd_end(&rd), RM_OK);
	rm_buf_fini(&b);
	fake_fini(&f);
}

static void
test_json(void)
{
	struct fake f;
	rm_buf b = RM_BUF_INIT;
	struct fake_spec s = {
		.oid = "j1", .grade = RM_GRADE_ORANGE, .status = RM_STATUS_EXERCISE,
		.en_event = "Flood", .en_headline = "Say \"hi\"\\\n\x01",
		.areas = { "120116", "120103" },
	};
	char want[1024];
	char hex[65];
	struct fake_alert *a;

	fake_init(&f);
	CU_ASSERT_EQUAL(render(&f, NULL, ALERTCOAP_CF_JSON, &b, NULL), RM_OK);
	CU_ASSERT(buf_is(&b, "[]"));
	rm_buf_reset(&b);
	a = fake_add(&f, &s);
	rm_hash_hex(&a->h, hex);
	CU_ASSERT_EQUAL(render(&f, NULL, ALERTCOAP_CF_JSON, &b, NULL), RM_OK);
	/* The one alert shape of docs/API.md (node/repr), as in GET /v1/alerts */
	snprintf(want, sizeof(want), "[{\"hash\":\"%s\",\"kind\":\"alert\","
	    "\"origin\":\"120116.weather\",\"object_id\":\"j1\",\"ver\":1,"
	    "\"seq\":1,\"issued\":\"2026-08-15T09:00:00.000Z\","
	    "\"areas\":[\"120116\",\"120103\"],\"identifier\":\"CN-TJ-j1\","
	    "\"status\":\"Exercise\",\"msg_type\":\"Alert\","
	    "\"categories\":[\"Met\"],\"urgency\":\"Immediate\","
	    "\"severity\":\"Severe\",\"certainty\":\"Likely\","
	    "\"grade\":\"orange\",\"effective\":\"2026-08-15T09:00:00.000Z\","
	    "\"texts\":[{\"lang\":\"en-US\",\"event\":\"Flood\","
	    "\"headline\":\"Say \\\"hi\\\"\\\\\\n\\u0001\"}]}]", hex);
	rm_buf_cstr(&b);
	CU_ASSERT_STRING_EQUAL((char *)b.data, want);
	rm_buf_reset(&b);
	fake_add(&f, &typhoon);  /* expires at that instant: not in force */
	{
		struct alertcoap_provider p = fake_provider(&f);
		CU_ASSERT_EQUAL(alertcoap_render(&p, NULL, FAKE_EXPIRES_MS,
		    ALERTCOAP_CF_JSON, &b, NULL, NULL), RM_OK);
		rm_buf_cstr(&b);
		CU_ASSERT_STRING_EQUAL((char *)b.data, want);
	}
	rm_buf_fini(&b);
	fake_fini(&f);
}

static void
test_cose(void)
{
	struct fake f;
	struct fake_alert *a1, *a2;
	struct fake_spec bad = typhoon;
	rm_buf b = RM_BUF_INIT;
	rm_cbor_rd rd;
	size_t n, off;

	fake_init(&f);
	a1 = fake_add(&f, &typhoon);
	bad.oid = "bad";
	bad.bad_signed = true;
	fake_add(&f, &bad);
	bad.oid = "typhoon-2";
	bad.bad_signed = false;
	a2 = fake_add(&f, &bad);
	CU_ASSERT_EQUAL(render(&f, "120116", ALERTCOAP_CF_COSE, &b, NULL),
	    RM_OK);
	rm_cbor_rd_init(&rd, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_array(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 2);   /* the malformed one left out */
	off = rd.off;
	CU_ASSERT_EQUAL(rm_cbor_rd_skip(&rd), RM_OK);
	CU_ASSERT(rd.off - off == a2->n_signed &&
	    memcmp(b.data + off, a2->signed_bytes, a2->n_signed) == 0);
	off = rd.off;
	CU_ASSERT_EQUAL(rm_cbor_rd_skip(&rd), RM_OK);
	CU_ASSERT(rd.off - off == a1->n_signed &&
	    memcmp(b.data + off, a1->signed_bytes, a1->n_signed) == 0);
	CU_ASSERT_EQUAL(rm_cbor_rd_end(&rd), RM_OK);
	CU_ASSERT_EQUAL(b.data[1], 0xd2);   /* tag 18 */
	rm_buf_fini(&b);
	fake_fini(&f);
}

static void
test_rejects(void)
{
	struct fake f;
	rm_buf b = RM_BUF_INIT;
	struct alertcoap_provider p;
	struct alertcoap_set_info info = { .n_alerts = 7,
	    .max_grade = RM_GRADE_BLUE, .next_expiry_ms = 9 };
	rm_why why;
	struct fake_spec big = typhoon;
	char head[RM_ALERT_HEADLINE_MAX];

	fake_init(&f);
	fake_add(&f, &typhoon);
	p = fake_provider(&f);
	rm_buf_append(&b, "keep", 4);
	/* unsupported content format (application/xml = 41) */
	CU_ASSERT_EQUAL(alertcoap_render(&p, NULL, FAKE_NOW_MS, 41, &b, &info,
	    &why), RM_EINVAL);
	CU_ASSERT(strstr(why.msg, "41") != NULL);
	CU_ASSERT(alertcoap_cf_supported(ALERTCOAP_CF_COSE));
	CU_ASSERT(!alertcoap_cf_supported(41));
	/* the provider's error is passed on, out and info unchanged */
	f.fail = RM_ESTORE;
	CU_ASSERT_EQUAL(alertcoap_render(&p, NULL, FAKE_NOW_MS,
	    ALERTCOAP_CF_CBOR, &b, &info, &why), RM_ESTORE);
	CU_ASSERT(buf_is(&b, "keep"));
	CU_ASSERT_EQUAL(info.n_alerts, 7);
	f.fail = 0;
	/* no provider */
	p.alerts = NULL;
	CU_ASSERT_EQUAL(alertcoap_render(&p, NULL, FAKE_NOW_MS,
	    ALERTCOAP_CF_TEXT, &b, NULL, NULL), RM_EINVAL);
	p = fake_provider(&f);
	/* a set over ALERTCOAP_BODY_MAX */
	memset(head, 'x', sizeof(head) - 1);
	head[sizeof(head) - 1] = '\0';
	big.oid = "big";
	big.zh_headline = head;
	big.en_headline = head;
	fake_add(&f, &big);
	f.repeat = ALERTCOAP_BODY_MAX / RM_ALERT_HEADLINE_MAX;
	/* no longer refused: records are left out (test_over_limit) */
	CU_ASSERT_EQUAL(alertcoap_render(&p, NULL, FAKE_NOW_MS,
	    ALERTCOAP_CF_TEXT, &b, &info, &why), RM_OK);
	CU_ASSERT(b.len > 4 && b.len <= 4 + ALERTCOAP_BODY_MAX &&
	    memcmp(b.data, "keep", 4) == 0);
	CU_ASSERT(info.n_left_out > 0);
	CU_ASSERT_EQUAL(b.limit, 0);
	b.len = 4;
	CU_ASSERT_EQUAL(alertcoap_render(&p, NULL, FAKE_NOW_MS,
	    ALERTCOAP_CF_COSE, &b, NULL, &why), RM_OK);  /* small items */
	rm_buf_fini(&b);
	fake_fini(&f);
}

static void
test_info_only(void)
{
	struct fake f;
	struct alertcoap_set_info info;
	struct fake_spec s = typhoon;

	fake_init(&f);
	s.oid = "y";
	s.grade = RM_GRADE_YELLOW;
	s.expires_ms = FAKE_NOW_MS + 1000;
	fake_add(&f, &s);
	CU_ASSERT_EQUAL(render(&f, "120000", ALERTCOAP_CF_TEXT, NULL, &info),
	    RM_OK);
	CU_ASSERT_EQUAL(info.n_alerts, 1);
	CU_ASSERT_EQUAL(info.max_grade, RM_GRADE_YELLOW);
	CU_ASSERT_EQUAL(info.next_expiry_ms, FAKE_NOW_MS + 1000);
	fake_add(&f, &typhoon);
	CU_ASSERT_EQUAL(render(&f, "120116", ALERTCOAP_CF_CBOR, NULL, &info),
	    RM_OK);
	CU_ASSERT_EQUAL(info.n_alerts, 2);
	CU_ASSERT_EQUAL(info.max_grade, RM_GRADE_RED);
	CU_ASSERT_EQUAL(info.next_expiry_ms, FAKE_NOW_MS + 1000);
	fake_fini(&f);
}

/* Read a text item and compare. */
static void
expect_text(rm_cbor_rd *rd, const char *val)
{
	const char *t;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_text(rd, &t, &n), RM_OK);
	CU_ASSERT(n == strlen(val) && memcmp(t, val, n) == 0);
}

/* Replace a's signed bytes by a COSE_Sign1 with a payload of n bytes. */
static void
make_big(struct fake_alert *a, size_t n)
{
	rm_buf b = RM_BUF_INIT;
	uint8_t *pl = malloc(n);

	CU_ASSERT_FATAL(pl != NULL);
	memset(pl, 'p', n);
	rm_cbor_put_tag(&b, 18);
	rm_cbor_put_array(&b, 4);
	rm_cbor_put_bytes(&b, "\xa1\x01\x26", 3);
	rm_cbor_put_map(&b, 0);
	rm_cbor_put_bytes(&b, pl, n);
	rm_cbor_put_bytes(&b, pl, 64);
	free(pl);
	free(a->signed_bytes);
	a->signed_bytes = rm_buf_steal(&b, &a->n_signed);
}

/* The next element of a COSE array: the whole record (returns true,
 * its oid checked through the payload) or a stub naming oid. */
static bool
cose_elem(rm_cbor_rd *rd, const struct fake_alert *a, const char *grade)
{
	size_t off = rd->off, npairs;
	char href[80], hex[65];

	if (rm_cbor_rd_peek(rd) == RM_CBOR_TAG) {
		CU_ASSERT_EQUAL(rm_cbor_rd_skip(rd), RM_OK);
		CU_ASSERT(rd->off - off == a->n_signed &&
		    memcmp(rd->p + off, a->signed_bytes, a->n_signed) == 0);
		return true;
	}
	CU_ASSERT_EQUAL(rm_cbor_rd_map(rd, &npairs), RM_OK);
	CU_ASSERT_EQUAL(npairs, 8);
	rm_hash_hex(&a->h, hex);
	snprintf(href, sizeof(href), "/v1/records/%s", hex);
	expect_text(rd, "oid");
	expect_text(rd, a->rec.object_id);
	expect_text(rd, "ver");
	CU_ASSERT_EQUAL(rm_cbor_rd_skip(rd), RM_OK);
	expect_text(rd, "hash");
	CU_ASSERT_EQUAL(rm_cbor_rd_skip(rd), RM_OK);
	expect_text(rd, "href");
	expect_text(rd, href);
	expect_text(rd, "grade");
	expect_text(rd, grade);
	expect_text(rd, "origin");
	expect_text(rd, a->rec.origin);
	expect_text(rd, "status");
	expect_text(rd, "Actual");
	expect_text(rd, "left_out");
	CU_ASSERT_EQUAL(rm_cbor_rd_peek(rd), RM_CBOR_BOOL);
	CU_ASSERT_EQUAL(rm_cbor_rd_skip(rd), RM_OK);
	return false;
}

/* Four signed records of 450 KiB (1.8 MiB) and a small one: the two
 * red ones are kept whole (highest grade first), the orange and the
 * yellow ones are stubs, the small blue one still fits. */
static void
test_over_limit_cose(void)
{
	struct fake f;
	rm_buf b = RM_BUF_INIT;
	rm_cbor_rd rd;
	size_t n;
	struct alertcoap_set_info info;
	struct fake_spec s = typhoon;
	struct fake_alert *blue, *red1, *yellow, *red2, *orange;

	fake_init(&f);
	s.oid = "blue-small"; s.grade = RM_GRADE_BLUE;
	blue = fake_add(&f, &s);
	s.oid = "red-1"; s.grade = RM_GRADE_RED;
	make_big(red1 = fake_add(&f, &s), 450 * 1024);
	s.oid = "yellow"; s.grade = RM_GRADE_YELLOW;
	make_big(yellow = fake_add(&f, &s), 450 * 1024);
	s.oid = "red-2"; s.grade = RM_GRADE_RED;
	make_big(red2 = fake_add(&f, &s), 450 * 1024);
	s.oid = "orange"; s.grade = RM_GRADE_ORANGE;
	make_big(orange = fake_add(&f, &s), 450 * 1024);
	CU_ASSERT_EQUAL(render(&f, "120116", ALERTCOAP_CF_COSE, &b, &info),
	    RM_OK);
	CU_ASSERT(b.len <= ALERTCOAP_BODY_MAX);
	CU_ASSERT_EQUAL(info.n_alerts, 3);
	CU_ASSERT_EQUAL(info.n_left_out, 2);
	CU_ASSERT_EQUAL(info.n_unnamed, 0);
	CU_ASSERT_EQUAL(info.max_grade, RM_GRADE_RED);
	/* newest first, stubs in place */
	rm_cbor_rd_init(&rd, b.data, b.len);
	CU_ASSERT_EQUAL(rm_cbor_rd_array(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT(!cose_elem(&rd, orange, "orange"));
	CU_ASSERT(cose_elem(&rd, red2, "red"));
	CU_ASSERT(!cose_elem(&rd, yellow, "yellow"));
	CU_ASSERT(cose_elem(&rd, red1, "red"));
	CU_ASSERT(cose_elem(&rd, blue, "blue"));
	CU_ASSERT_EQUAL(rm_cbor_rd_end(&rd), RM_OK);
	/* the same set, one red alert alone: no stub */
	rm_buf_reset(&b);
	f.v[0] = red1;
	f.n = 1;
	CU_ASSERT_EQUAL(render(&f, NULL, ALERTCOAP_CF_COSE, &b, &info), RM_OK);
	CU_ASSERT_EQUAL(info.n_left_out, 0);
	CU_ASSERT_EQUAL(b.len, 1 + red1->n_signed);
	f.v[0] = blue;
	f.n = 5;
	/* a caller's tighter cap: everything is a stub */
	rm_buf_reset(&b);
	b.limit = 4096;
	CU_ASSERT_EQUAL(render(&f, NULL, ALERTCOAP_CF_COSE, &b, &info), RM_OK);
	CU_ASSERT(b.len <= 4096);
	CU_ASSERT_EQUAL(b.limit, 4096);
	CU_ASSERT_EQUAL(info.n_alerts, 1);          /* the small one */
	CU_ASSERT_EQUAL(info.n_left_out, 4);
	rm_buf_fini(&b);
	fake_fini(&f);
}

/* Offset of needle in b from `from`, SIZE_MAX if absent. */
static size_t
find_in(const rm_buf *b, size_t from, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = from; i + n <= b->len; i++)
		if (memcmp(b->data + i, needle, n) == 0)
			return i;
	return SIZE_MAX;
}

/* Count occurrences of needle in b. */
static size_t
count_in(const rm_buf *b, const char *needle)
{
	size_t k = 0;

	for (size_t i = find_in(b, 0, needle); i != SIZE_MAX;
	    i = find_in(b, i + 1, needle))
		k++;
	return k;
}

/* Text, JSON and CBOR sets far over the limit: within it, every record
 * whole or a stub, the whole ones first (same grade: newest first). */
static void
test_over_limit_formats(void)
{
	static const unsigned cfs[] = { ALERTCOAP_CF_TEXT,
	    ALERTCOAP_CF_JSON, ALERTCOAP_CF_CBOR };
	static const char *const stub_mark[] = { "[未列出 LEFT OUT]",
	    "{\"left_out\":true,", "left_out" };
	struct fake f;
	rm_buf b = RM_BUF_INIT;
	struct alertcoap_set_info info;
	struct fake_spec big = typhoon;
	char head[RM_ALERT_HEADLINE_MAX];
	size_t total;

	memset(head, 'x', sizeof(head) - 1);
	head[sizeof(head) - 1] = '\0';
	big.zh_headline = head;
	big.en_headline = head;
	fake_init(&f);
	fake_add(&f, &big);
	f.repeat = 3 * ALERTCOAP_BODY_MAX / (4 * RM_ALERT_HEADLINE_MAX);
	total = f.repeat;
	for (size_t i = 0; i < sizeof(cfs) / sizeof(cfs[0]); i++) {
		size_t first_stub;

		rm_buf_reset(&b);
		CU_ASSERT_EQUAL(render(&f, NULL, cfs[i], &b, &info), RM_OK);
		CU_ASSERT(b.len <= ALERTCOAP_BODY_MAX);
		CU_ASSERT(info.n_alerts > 0 && info.n_left_out > 0);
		CU_ASSERT_EQUAL(info.n_alerts + info.n_left_out, total);
		CU_ASSERT_EQUAL(info.n_unnamed, 0);
		CU_ASSERT_EQUAL(count_in(&b, stub_mark[i]), info.n_left_out);
		CU_ASSERT_EQUAL(count_in(&b, head) / 2, info.n_alerts);
		/* no whole record after the first stub */
		first_stub = find_in(&b, 0, stub_mark[i]);
		CU_ASSERT_FATAL(first_stub != SIZE_MAX);
		CU_ASSERT_EQUAL(find_in(&b, first_stub, head), SIZE_MAX);
	}
	rm_buf_fini(&b);
	fake_fini(&f);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "text_line", test_text_line },
		{ "text_empty_and_filter", test_text_empty_and_filter },
		{ "text_marks_and_one_language", test_text_marks_and_one_language },
		{ "cbor", test_cbor },
		{ "json", test_json },
		{ "cose", test_cose },
		{ "rejects", test_rejects },
		{ "info_only", test_info_only },
		{ "over_limit_cose", test_over_limit_cose },
		{ "over_limit_formats", test_over_limit_formats },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("coap_repr", tests);
}
