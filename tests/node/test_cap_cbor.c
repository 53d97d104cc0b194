/*
 * test_cap_cbor.c -- the CAP 1.2 model as deterministic CBOR
 * (schemas/cap_model.h) and the alert records that carry it: round trips
 * through a signed-record encoding, numbers without floats, the
 * decoder's bounds and refusals, the kind's check that the core agrees
 * with the message, records without "cap" still valid, a Cancel
 * without <info> taking its core from the alert it follows.
 */
#include <stdio.h>
#include <string.h>

#include "rm_test.h"
#include "schemas/cap_int.h"   /* cap_num_decode */
#include "test_cap_fx.h"

static char *
corpus(const char *rel, size_t *len)
{
	char path[1024];
	char *p;

	snprintf(path, sizeof(path), "%s/cap/%s", rm_test_data_dir(), rel);
	p = cap_fx_read(path, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

/* cap_to_record of a corpus file, numbered as the store would. */
static void
record_of(const char *file, const struct rm_record *base,
    struct cap_alert *a, struct rm_record *rec)
{
	rm_why why = { "", "" };
	size_t len;
	char *doc = corpus(file, &len);
	int rv;

	CU_ASSERT_EQUAL_FATAL(cap_parse(doc, len, a, &why), RM_OK);
	rv = cap_to_record(a, base, rec, &why);
	if (rv != RM_OK)
		fprintf(stderr, "%s: %s\n", file, why.msg);
	CU_ASSERT_EQUAL_FATAL(rv, RM_OK);
	snprintf(rec->object_id, sizeof(rec->object_id), "%s", "obj-1");
	rec->ver = rec->seq = 1;
	rec->issued_ms = a->sent.at_ms;
	free(doc);
}

static void
test_record_round_trip(void)
{
	struct cap_alert a;
	struct rm_record rec, back;
	rm_buf x = RM_BUF_INIT, y = RM_BUF_INIT;
	rm_why why = { "", "" };

	record_of("typhoon-red-zh-en.xml", NULL, &a, &rec);
	CU_ASSERT_EQUAL_FATAL(record_encode(&rec, &x, &why), RM_OK);
	CU_ASSERT_EQUAL(record_encode(&rec, &y, &why), RM_OK);
	CU_ASSERT(x.len == y.len && memcmp(x.data, y.data, x.len) == 0);
	CU_ASSERT_EQUAL_FATAL(record_decode(x.data, x.len, &back, &why),
	    RM_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(record_alert(&back)->cap);
	CU_ASSERT_EQUAL(cap_alert_equal(record_alert(&back)->cap, &a, &why),
	    RM_OK);
	/* Chinese text and offsets as read */
	CU_ASSERT_STRING_EQUAL(record_alert(&back)->cap->info[0].description,
	    a.info[0].description);
	CU_ASSERT_EQUAL(record_alert(&back)->cap->sent.offset_min, 480);
	CU_ASSERT_STRING_EQUAL(record_alert(&back)->texts[1].lang, "en-US");
	record_fini(&back);
	record_fini(&rec);
	cap_alert_fini(&a);
	rm_buf_fini(&x);
	rm_buf_fini(&y);
}

/* Numbers: integer millionths when exact, else a decimal fraction. */
static void
test_numbers(void)
{
	static const double v[] = { 38.9, -117.95, 0, 1e15, -1e15,
		0.1234567, 39.000001, 12.123456789012345, 1e-15, 20000 };
	rm_buf b = RM_BUF_INIT;
	struct cap_alert x;
	rm_why why = { "", "" };
	double d;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rm_buf_reset(&b);
		CU_ASSERT_EQUAL_FATAL(cap_model_encode(&(struct cap_alert){
		    0 }, &b), RM_EINVAL); /* no identifier: refused */
		rm_buf_reset(&b);
		/* through a circle radius: one number */
		{
			struct cap_circle ci = { { 0, 0 }, v[i] < 0 ? -v[i] :
			    v[i] };
			struct cap_area ar = { "x", 0, NULL, 1, &ci, 0, NULL,
				false, false, 0, 0 };
			uint32_t cat = RM_CAT_MET;
			struct cap_info in = { .language = "en-US",
				.n_category = 1, .category = &cat,
				.event = "e", .urgency = 1, .severity = 1,
				.certainty = 1, .n_area = 1, .area = &ar };
			struct cap_alert al = { .identifier = "i",
				.sender = "s", .sent = { true, 0, 0 },
				.status = 1, .msg_type = 1, .scope = 1,
				.n_info = 1, .info = &in };

			CU_ASSERT_EQUAL_FATAL(cap_model_encode(&al, &b), RM_OK);
			CU_ASSERT_EQUAL_FATAL(cap_model_decode(b.data, b.len, &x,
			    &why), RM_OK);
			d = x.info[0].area[0].circle[0].radius_km;
			CU_ASSERT_EQUAL(d, ci.radius_km);
			cap_alert_fini(&x);
		}
	}
	rm_buf_fini(&b);
}

/* A map {"identifier": id...} prefix is enough to reach each check. */
static int
decode_hex(const char *hex, rm_why *why)
{
	uint8_t buf[256];
	size_t n = strlen(hex) / 2;
	struct cap_alert a;

	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &buf[i]);
	return cap_model_decode(buf, n, &a, why);
}

static void
test_refusals(void)
{
	rm_why why = { "", "" };

	/* not a map */
	CU_ASSERT_EQUAL(decode_hex("80", &why), RM_EBADVALUE);
	/* {"code": ["x"]}: the required keys missing */
	CU_ASSERT_EQUAL(decode_hex("a164636f64658161" "78", &why),
	    RM_EMISSING);
	/* {"info": [17 x {}]}: over CAP_MODEL_INFO_MAX */
	CU_ASSERT_EQUAL(decode_hex("a164696e666f91" "a0a0a0a0a0a0a0a0a0a0"
	    "a0a0a0a0a0a0a0", &why), RM_ETOOBIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "cap.info"));
	/* {"code": []}: empty arrays are omitted, not written */
	CU_ASSERT_EQUAL(decode_hex("a164636f646580", &why), RM_EBADVALUE);
	/* {"code": [""]}: empty strings too */
	CU_ASSERT_EQUAL(decode_hex("a164636f64658160", &why), RM_EBADVALUE);
	/* {"zzzz": 1}: unknown key */
	CU_ASSERT_EQUAL(decode_hex("a1647a7a7a7a01", &why), RM_EUNKNOWN);
	/* {"note": "x", "code": ["x"]}: keys out of order */
	CU_ASSERT_EQUAL(decode_hex("a2646e6f7465617864636f64658161" "78",
	    &why), RM_ENONCANON);
	/* {"sent": [1.5, 0]}: a float */
	CU_ASSERT_NOT_EQUAL(decode_hex("a16473656e7482f93e0000", &why),
	    RM_OK);
	/* {"sent": [0, 1440]}: offset out of range */
	CU_ASSERT_EQUAL(decode_hex("a16473656e7482001905a0", &why),
	    RM_EBADVALUE);
}

/* A number in a form the encoder would not write is refused. */
static void
test_number_canonical(void)
{
	rm_why why = { "", "" };
	rm_cbor_rd rd;
	double d;
	/* 4([-1, 389]) = 38.9, which is written 38900000 */
	static const uint8_t frac[] = { 0xc4, 0x82, 0x20, 0x19, 0x01, 0x85 };
	/* 4([-7, 1234567]) = 0.1234567: canonical */
	static const uint8_t ok[] = { 0xc4, 0x82, 0x26, 0x1a, 0x00, 0x12,
		0xd6, 0x87 };
	/* 5([...]): a bigfloat */
	static const uint8_t big[] = { 0xc5, 0x82, 0x20, 0x01 };
	/* 38900000: 38.9 */
	static const uint8_t scaled[] = { 0x1a, 0x02, 0x51, 0x91, 0x20 };

	rm_cbor_rd_init(&rd, frac, sizeof(frac));
	CU_ASSERT_EQUAL(cap_num_decode(&rd, "n", &d, &why), RM_ENONCANON);
	rm_cbor_rd_init(&rd, ok, sizeof(ok));
	CU_ASSERT_EQUAL(cap_num_decode(&rd, "n", &d, &why), RM_OK);
	CU_ASSERT_EQUAL(d, 0.1234567);
	rm_cbor_rd_init(&rd, big, sizeof(big));
	CU_ASSERT_EQUAL(cap_num_decode(&rd, "n", &d, &why), RM_EBADVALUE);
	rm_cbor_rd_init(&rd, scaled, sizeof(scaled));
	CU_ASSERT_EQUAL(cap_num_decode(&rd, "n", &d, &why), RM_OK);
	CU_ASSERT_EQUAL(d, 38.9);
}

/* The kind refuses a record whose core differs from its message. */
static void
test_agreement(void)
{
	struct cap_alert a;
	struct rm_record rec;
	struct rm_alert *al;
	rm_buf b = RM_BUF_INIT;
	rm_why why = { "", "" };

	record_of("typhoon-red-zh-en.xml", NULL, &a, &rec);
	al = record_alert(&rec);
	CU_ASSERT_EQUAL(record_validate(&rec, &why), RM_OK);
	al->grade = RM_GRADE_ORANGE;
	CU_ASSERT_EQUAL(record_encode(&rec, &b, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "core fields differ"));
	al->grade = RM_GRADE_RED;
	snprintf(rec.origin, sizeof(rec.origin), "%s", "120116.gov");
	CU_ASSERT_EQUAL(record_validate(&rec, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "not the record's origin"));
	snprintf(rec.origin, sizeof(rec.origin), "%s", a.sender);
	snprintf(rec.areas[0], sizeof(rec.areas[0]), "%s", "120101");
	CU_ASSERT_EQUAL(record_validate(&rec, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "areas"));
	snprintf(rec.areas[0], sizeof(rec.areas[0]), "%s", "120116");
	rec.expires_ms += 1000;
	CU_ASSERT_EQUAL(record_validate(&rec, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "expires"));
	rec.expires_ms -= 1000;
	CU_ASSERT_EQUAL(record_validate(&rec, &why), RM_OK);
	/* without "cap" the core alone is a valid (old) record */
	cap_alert_fini(al->cap);
	free(al->cap);
	al->cap = NULL;
	al->grade = RM_GRADE_ORANGE;
	CU_ASSERT_EQUAL(record_encode(&rec, &b, &why), RM_OK);
	record_fini(&rec);
	cap_alert_fini(&a);
	rm_buf_fini(&b);
}

/* A Cancel without <info> takes its core from the alert it follows. */
static void
test_cancel_without_info(void)
{
	struct cap_alert a, c;
	struct rm_record first, cancel;
	rm_buf b = RM_BUF_INIT;
	rm_why why = { "", "" };

	record_of("typhoon-red-zh-en.xml", NULL, &a, &first);
	record_of("typhoon-cancel.xml", &first, &c, &cancel);
	CU_ASSERT_EQUAL(record_alert(&cancel)->msg_type, RM_MSGTYPE_CANCEL);
	CU_ASSERT_EQUAL(record_alert(&cancel)->grade, RM_GRADE_RED);
	CU_ASSERT_STRING_EQUAL(record_alert(&cancel)->identifier,
	    c.identifier);
	CU_ASSERT_EQUAL(record_alert(&cancel)->n_references, 2);
	CU_ASSERT_STRING_EQUAL(cancel.areas[0], "120116");
	CU_ASSERT_EQUAL(record_encode(&cancel, &b, &why), RM_OK);
	record_fini(&cancel);
	record_fini(&first);
	cap_alert_fini(&a);
	cap_alert_fini(&c);
	rm_buf_fini(&b);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "record_round_trip", test_record_round_trip },
		{ "numbers", test_numbers },
		{ "number_canonical", test_number_canonical },
		{ "refusals", test_refusals },
		{ "agreement", test_agreement },
		{ "cancel_without_info", test_cancel_without_info },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("cap_cbor", tests);
}
