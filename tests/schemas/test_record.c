/*
 * test_record.c -- record codec: key tables, byte-exact tiny record,
 * full round trip, encoder error behaviour, alert-in-force.
 */
#include <string.h>

#include "schemas/schemas_int.h"
#include "fixtures.h"
#include "rm_test.h"

/* RFC 8949 §4.2.1: a < b in bytewise order of their encodings. */
static bool
key_before(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	/* Keys here are < 24 bytes: the head is 0x60 + length. */
	if (la != lb)
		return la < lb;
	return memcmp(a, b, la) < 0;
}

static void
check_table(const char *const *t, int n)
{
	for (int i = 1; i < n; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[i]);
		CU_ASSERT(strlen(t[i]) < 24);
		if (!key_before(t[i - 1], t[i]))
			CU_FAIL("key table not in canonical order");
	}
}

static void
test_key_tables(void)
{
	check_table(rm_rec_keys, RK_COUNT);
	check_table(rm_alert_keys, AK_COUNT);
	check_table(rm_text_keys, TK_COUNT);
	CU_ASSERT_STRING_EQUAL(rm_rec_keys[0], "v");
	CU_ASSERT_STRING_EQUAL(rm_rec_keys[RK_COUNT - 1], "supersedes");
}

static void
test_tiny_exact(void)
{
	struct rm_record r, d;
	rm_buf want = RM_BUF_INIT, got = RM_BUF_INIT;
	rm_why why = { "", "" };

	fx_tiny(&r);
	fx_unhex(FX_TINY_HEX, &want);
	CU_ASSERT_EQUAL(want.len, 233);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &got, &why), RM_OK);
	CU_ASSERT_EQUAL(got.len, want.len);
	CU_ASSERT(got.len == want.len &&
	    memcmp(got.data, want.data, want.len) == 0);

	CU_ASSERT_EQUAL_FATAL(record_decode(want.data, want.len, &d, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(d.schema_version, 1);
	CU_ASSERT_PTR_EQUAL(d.kind, &rm_kind_alert);
	CU_ASSERT_STRING_EQUAL(d.origin, "120103.em");
	CU_ASSERT_STRING_EQUAL(d.object_id, "a1");
	CU_ASSERT_EQUAL(d.ver, 1);
	CU_ASSERT_EQUAL(d.seq, 1);
	CU_ASSERT_EQUAL(d.issued_ms, 1000);
	CU_ASSERT_EQUAL(d.expires_ms, 0);
	CU_ASSERT_EQUAL(d.n_areas, 1);
	CU_ASSERT_STRING_EQUAL(d.areas[0], "120103");
	CU_ASSERT(!d.has_prev);
	CU_ASSERT(!d.has_supersedes);
	CU_ASSERT_STRING_EQUAL(record_alert(&d)->identifier, "x");
	CU_ASSERT_EQUAL(record_alert(&d)->categories, RM_CAT_MET);
	CU_ASSERT_EQUAL(record_alert(&d)->grade, RM_GRADE_RED);
	CU_ASSERT_EQUAL(record_alert(&d)->n_texts, 1);
	CU_ASSERT_STRING_EQUAL(record_alert(&d)->texts[0].headline, "H");
	CU_ASSERT_PTR_NULL(record_alert(&d)->texts[0].description);
	CU_ASSERT_EQUAL(record_alert(&d)->n_polygon, 0);
	CU_ASSERT(!record_alert(&d)->has_circle);
	CU_ASSERT_EQUAL(record_alert(&d)->n_references, 0);
	record_fini(&d);
	CU_ASSERT_EQUAL(d.n_areas, 0);
	CU_ASSERT_PTR_NULL(d.body);
	record_fini(&d);	/* safe on a zeroed record */
	rm_buf_fini(&want);
	rm_buf_fini(&got);
}

static void
check_typhoon(const struct rm_record *d)
{
	const struct rm_alert *a = record_alert(d);

	CU_ASSERT_STRING_EQUAL(d->origin, "120000.meteo");
	CU_ASSERT_STRING_EQUAL(d->object_id, "typhoon-2026-09:tj");
	CU_ASSERT_EQUAL(d->ver, 2);
	CU_ASSERT_EQUAL(d->seq, 7);
	CU_ASSERT_EQUAL(d->issued_ms, 1786000000000LL);
	CU_ASSERT_EQUAL(d->expires_ms, 1786086400000LL);
	CU_ASSERT_EQUAL(d->n_areas, 3);
	CU_ASSERT_STRING_EQUAL(d->areas[2], "120116001");
	CU_ASSERT(d->has_prev && d->prev.b[0] == 0 && d->prev.b[31] == 31);
	CU_ASSERT(d->has_supersedes && d->supersedes.b[31] == 0xa0 + 31);
	CU_ASSERT_STRING_EQUAL(a->identifier, "CN-TJ-METEO-2026-0915-01");
	CU_ASSERT_EQUAL(a->status, RM_STATUS_ACTUAL);
	CU_ASSERT_EQUAL(a->msg_type, RM_MSGTYPE_UPDATE);
	CU_ASSERT_EQUAL(a->categories, RM_CAT_MET | RM_CAT_SAFETY);
	CU_ASSERT_EQUAL(a->urgency, RM_URGENCY_IMMEDIATE);
	CU_ASSERT_EQUAL(a->severity, RM_SEVERITY_EXTREME);
	CU_ASSERT_EQUAL(a->certainty, RM_CERTAINTY_LIKELY);
	CU_ASSERT_EQUAL(a->grade, RM_GRADE_RED);
	CU_ASSERT_EQUAL(a->effective_ms, 1786000000000LL);
	CU_ASSERT_EQUAL_FATAL(a->n_texts, 2);
	CU_ASSERT_STRING_EQUAL(a->texts[0].lang, "zh-CN");
	CU_ASSERT_STRING_EQUAL(a->texts[0].event, "台风");
	CU_ASSERT_STRING_EQUAL(a->texts[0].headline,
	    "天津市气象台发布台风红色预警信号");
	CU_ASSERT_STRING_EQUAL(a->texts[0].area_desc, "天津市全境");
	CU_ASSERT_STRING_EQUAL(a->texts[1].lang, "en-US");
	CU_ASSERT_STRING_EQUAL(a->texts[1].sender_name,
	    "Tianjin Meteorological Observatory");
	CU_ASSERT_STRING_EQUAL(a->texts[1].instruction,
	    "Stay indoors; schools and businesses closed.");
	CU_ASSERT_EQUAL_FATAL(a->n_polygon, 5);
	CU_ASSERT_EQUAL(a->polygon[1].lon_udeg, 117900000);
	CU_ASSERT_EQUAL(a->polygon[2].lat_udeg, 38600000);
	CU_ASSERT(a->has_circle);
	CU_ASSERT_EQUAL(a->circle_centre.lat_udeg, 39084000);
	CU_ASSERT_EQUAL(a->circle_radius_m, 150000);
	CU_ASSERT_EQUAL_FATAL(a->n_references, 2);
	CU_ASSERT_STRING_EQUAL(a->references[1], "120000.meteo,"
	    "CN-TJ-METEO-2026-0914-03,2026-08-14T18:00:00+08:00");
}

static void
test_typhoon_roundtrip(void)
{
	struct rm_record r, d;
	rm_buf b1 = RM_BUF_INIT, b2 = RM_BUF_INIT;
	rm_why why = { "", "" };

	fx_typhoon(&r);
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b1, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b1.data, b1.len, &d, &why),
	    RM_OK);
	check_typhoon(&d);
	CU_ASSERT_EQUAL(record_encode(&d, &b2, &why), RM_OK);
	CU_ASSERT(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
	record_fini(&d);
	rm_buf_fini(&b1);
	rm_buf_fini(&b2);
}

/* record_encode appends, and leaves out untouched on error. */
static void
test_encode_appends_and_unchanged_on_error(void)
{
	struct rm_record r;
	rm_buf b = RM_BUF_INIT, want = RM_BUF_INIT;
	rm_why why = { "", "" };

	rm_buf_append(&b, "XY", 2);
	fx_tiny(&r);
	CU_ASSERT_EQUAL(record_encode(&r, &b, &why), RM_OK);
	fx_unhex(FX_TINY_HEX, &want);
	CU_ASSERT_EQUAL(b.len, 2 + want.len);
	CU_ASSERT(memcmp(b.data, "XY", 2) == 0);
	CU_ASSERT(memcmp(b.data + 2, want.data, want.len) == 0);

	record_alert(&r)->grade = (rm_grade)9;
	CU_ASSERT_EQUAL(record_encode(&r, &b, &why), RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(why.msg, "alert.grade: unknown value 9");
	CU_ASSERT_EQUAL(b.len, 2 + want.len);
	rm_buf_fini(&b);
	rm_buf_fini(&want);
}

/* Every field at its limit in four blocks is more than 48 KiB. */
static void
test_encode_too_big(void)
{
	static char desc[RM_ALERT_DESCRIPTION_MAX + 1];
	static char instr[RM_ALERT_INSTRUCTION_MAX + 1];
	static char head[RM_ALERT_HEADLINE_MAX + 1];
	static const char *langs[4] = { "zh-CN", "en-US", "fr", "de" };
	struct rm_alert_text t[4];
	struct rm_record r;
	rm_buf b = RM_BUF_INIT;
	rm_why why = { "", "" };

	memset(desc, 'd', sizeof(desc) - 1);
	memset(instr, 'i', sizeof(instr) - 1);
	memset(head, 'h', sizeof(head) - 1);
	fx_tiny(&r);
	for (int i = 0; i < 4; i++) {
		t[i] = record_alert(&r)->texts[0];
		t[i].lang = (char *)langs[i];
		t[i].description = desc;
		t[i].instruction = instr;
		t[i].headline = head;
		t[i].area_desc = head;
	}
	record_alert(&r)->texts = t;
	record_alert(&r)->n_texts = 4;
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_OK);
	CU_ASSERT_EQUAL(record_encode(&r, &b, &why), RM_ETOOBIG);
	CU_ASSERT(strstr(why.msg, "limit 49152") != NULL);
	CU_ASSERT_EQUAL(b.len, 0);
	/* Three blocks fit. */
	record_alert(&r)->n_texts = 3;
	CU_ASSERT_EQUAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT(b.len > 40000 && b.len <= RM_RECORD_BODY_MAX);
	rm_buf_fini(&b);
}

static void
test_in_force(void)
{
	struct rm_record r;

	fx_tiny(&r);
	CU_ASSERT(record_in_force(&r, 5000));
	r.expires_ms = 2000;
	CU_ASSERT(record_in_force(&r, 1999));
	CU_ASSERT(!record_in_force(&r, 2000));
	record_alert(&r)->msg_type = RM_MSGTYPE_UPDATE;
	CU_ASSERT(record_in_force(&r, 1500));
	record_alert(&r)->msg_type = RM_MSGTYPE_CANCEL;
	CU_ASSERT(!record_in_force(&r, 1500));
	record_alert(&r)->msg_type = RM_MSGTYPE_ACK;
	CU_ASSERT(!record_in_force(&r, 1500));
	CU_ASSERT(!record_in_force(NULL, 1500));
}

static CU_TestInfo record_tests[] = {
	{ "key tables in canonical order", test_key_tables },
	{ "tiny record byte-exact", test_tiny_exact },
	{ "typhoon alert round trip", test_typhoon_roundtrip },
	{ "encode appends, unchanged on error",
	    test_encode_appends_and_unchanged_on_error },
	{ "encode over 48 KiB", test_encode_too_big },
	{ "alert in force", test_in_force },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("schemas.record", record_tests);
}
