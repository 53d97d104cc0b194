/*
 * test_risk.c -- the record kind "risk" (schemas/risk_kind.c): the
 * round trip through the record codec, the strict decoder, every field
 * rule of risk_validate, the status rule (risk_status_next), the
 * authorisation and index hooks, and the name tables.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "schemas/schemas.h"
#include "rm_test.h"

static char name[] = "海河堤防渗漏 Haihe embankment seepage";
static char location[] = "津南区双港镇海河左岸 K12+300";
static char measures[] = "汛期每日巡查; 沙袋 2000 只";
static char reason[] = "堤防加固完成";

/* A full risk record: every optional field present except reason. */
static void
sample(struct rm_record *r, struct rm_risk *k)
{
	memset(r, 0, sizeof(*r));
	memset(k, 0, sizeof(*k));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_risk;
	r->body = k;
	snprintf(r->origin, sizeof(r->origin), "120112.gov");
	snprintf(r->object_id, sizeof(r->object_id), "risk-0001");
	r->ver = 1;
	r->seq = 1;
	r->issued_ms = 1786000000000LL;
	r->n_areas = 1;
	snprintf(r->areas[0], sizeof(r->areas[0]), "120112");
	snprintf(k->id, sizeof(k->id), "risk-0001");
	k->name = name;
	k->category = RM_RISK_NATURAL;
	k->subcategory = RM_RISK_FLOOD;
	k->grade = RM_GRADE_ORANGE;
	k->has_point = true;
	k->point.lat_udeg = 38990000;
	k->point.lon_udeg = -117400000;
	k->location = location;
	snprintf(k->responsible, sizeof(k->responsible), "120112.gov");
	k->n_coop = 2;
	snprintf(k->coop[0], sizeof(k->coop[0]), "120000.water");
	snprintf(k->coop[1], sizeof(k->coop[1]), "120112.water");
	k->measures = measures;
	k->status = RM_RISK_IDENTIFIED;
	snprintf(k->review, sizeof(k->review), "2026-06-30");
}

struct keys {
	size_t n;
	char k[8][RM_INDEX_KEY_MAX + 1];
};

static int
collect(void *arg, const char *key)
{
	struct keys *ks = arg;

	if (ks->n < 8)
		snprintf(ks->k[ks->n++], RM_INDEX_KEY_MAX + 1, "%s", key);
	return RM_OK;
}

static void
test_roundtrip(void)
{
	struct rm_record r, d;
	struct rm_risk k;
	const struct rm_risk *dk;
	rm_buf b = RM_BUF_INIT, b2 = RM_BUF_INIT;
	struct keys ks = { 0 };
	char line[160];
	rm_why why;

	sample(&r, &k);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_PTR_EQUAL(d.kind, &rm_kind_risk);
	CU_ASSERT_PTR_EQUAL(kind_find("risk", 4), &rm_kind_risk);
	CU_ASSERT_PTR_NULL(record_alert(&d));
	CU_ASSERT_PTR_EQUAL(record_risk(&r), &k);
	dk = record_risk(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dk);
	CU_ASSERT_STRING_EQUAL(dk->id, "risk-0001");
	CU_ASSERT_STRING_EQUAL(dk->name, name);
	CU_ASSERT_EQUAL(dk->category, RM_RISK_NATURAL);
	CU_ASSERT_EQUAL(dk->subcategory, RM_RISK_FLOOD);
	CU_ASSERT_EQUAL(dk->grade, RM_GRADE_ORANGE);
	CU_ASSERT(dk->has_point);
	CU_ASSERT_EQUAL(dk->point.lat_udeg, 38990000);
	CU_ASSERT_EQUAL(dk->point.lon_udeg, -117400000);
	CU_ASSERT_STRING_EQUAL(dk->location, location);
	CU_ASSERT_STRING_EQUAL(dk->responsible, "120112.gov");
	CU_ASSERT_EQUAL(dk->n_coop, 2);
	CU_ASSERT_STRING_EQUAL(dk->coop[1], "120112.water");
	CU_ASSERT_STRING_EQUAL(dk->measures, measures);
	CU_ASSERT_EQUAL(dk->status, RM_RISK_IDENTIFIED);
	CU_ASSERT_PTR_NULL(dk->reason);
	CU_ASSERT_STRING_EQUAL(dk->review, "2026-06-30");
	/* the roster's grade check applies to risks */
	CU_ASSERT_EQUAL(d.kind->grade(&d), RM_GRADE_ORANGE);
	CU_ASSERT(record_in_force(&d, 0));
	CU_ASSERT_EQUAL(d.kind->index_keys(&d, collect, &ks), RM_OK);
	CU_ASSERT_EQUAL_FATAL(ks.n, 6);
	CU_ASSERT_STRING_EQUAL(ks.k[0], "grade=orange");
	CU_ASSERT_STRING_EQUAL(ks.k[1], "status=identified");
	CU_ASSERT_STRING_EQUAL(ks.k[2], "category=natural");
	CU_ASSERT_STRING_EQUAL(ks.k[3], "responsible=120112.gov");
	/* the whole review date (overdue = a key range), the subcategory */
	CU_ASSERT_STRING_EQUAL(ks.k[4], "review=2026-06-30");
	CU_ASSERT_STRING_EQUAL(ks.k[5], "subcategory=flood");
	record_summary(&d, line, sizeof(line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "risk orange identified "
	    "natural/flood: "));
	/* deterministic: re-encoding the decoded record gives the bytes */
	CU_ASSERT_EQUAL(record_encode(&d, &b2, &why), RM_OK);
	CU_ASSERT(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	record_fini(&d);

	/* the minimal body: no point, measures, cooperating */
	k.has_point = false;
	k.measures = NULL;
	k.n_coop = 0;
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	dk = record_risk(&d);
	CU_ASSERT(!dk->has_point);
	CU_ASSERT_PTR_NULL(dk->measures);
	CU_ASSERT_EQUAL(dk->n_coop, 0);
	record_fini(&d);

	/* removed: a tombstone with its reason, never in force */
	k.status = RM_RISK_REMOVED;
	k.reason = reason;
	CU_ASSERT(!record_in_force(&r, 0));
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(record_risk(&d)->reason, reason);
	CU_ASSERT(!record_in_force(&d, 0));
	record_fini(&d);
	rm_buf_fini(&b);
	rm_buf_fini(&b2);
}

/* record_validate's verdict on the sample after mutate(), and the
 * field its reason names. */
static void
expect(void (*mutate)(struct rm_record *, struct rm_risk *), int err,
    const char *in_reason)
{
	struct rm_record r;
	struct rm_risk k;
	rm_why why;
	int rv;

	sample(&r, &k);
	mutate(&r, &k);
	rv = record_validate(&r, &why);
	CU_ASSERT_EQUAL(rv, err);
	if (rv != RM_OK && strstr(why.msg, in_reason) == NULL) {
		fprintf(stderr, "want \"%s\" in \"%s\"\n", in_reason, why.msg);
		CU_FAIL("reason");
	}
}

static char empty[] = "";
static char long_text[RM_RISK_MEASURES_MAX + 2];
static char bad_utf8[] = "\xff\xfe";

static void m_ok(struct rm_record *r, struct rm_risk *k) { (void)r; (void)k; }
static void m_id(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->id, sizeof(k->id), "risk-0002"); }
static void m_areas(struct rm_record *r, struct rm_risk *k)
{ (void)k; r->n_areas = 2; snprintf(r->areas[1], 7, "120113"); }
static void m_name_empty(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = empty; }
static void m_name_null(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = NULL; }
static void m_name_long(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = long_text; }
static void m_name_utf8(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = bad_utf8; }
static void m_location(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->location = NULL; }
/* Control and bidirectional formatting characters (one-line fields
 * take none, text of several lines line feeds and tabs only). */
static char esc_name[] = "x\x1b]0;pwned\x07";
static char lf_name[] = "x\ny";
static char c1_name[] = "x\xc2\x9b" "31m";
static char bidi_name[] = "abc\xe2\x80\xaetxt.exe";
static char isolate_name[] = "abc\xe2\x81\xa6x";
static char lf_measures[] = "每日巡查\n\t沙袋 2000 只";
static char cr_measures[] = "每日巡查\r沙袋";
static void m_name_esc(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = esc_name; }
static void m_name_lf(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = lf_name; }
static void m_name_c1(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = c1_name; }
static void m_name_bidi(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = bidi_name; }
static void m_name_isolate(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->name = isolate_name; }
static void m_measures_lf(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->measures = lf_measures; }
static void m_measures_cr(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->measures = cr_measures; }
static void m_measures(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->measures = long_text; }
static void m_measures_empty(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->measures = empty; }
static void m_category(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->category = 5; }
static void m_subcategory(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->subcategory = 0; }
static void m_class(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->subcategory = RM_RISK_GAS; }
static void m_other(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->category = RM_RISK_SOCIAL_SECURITY;
  k->subcategory = RM_RISK_OTHER; }
static void m_crowd(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->category = RM_RISK_SOCIAL_SECURITY;
  k->subcategory = RM_RISK_CROWD; }
static void m_grade0(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->grade = 0; }
static void m_grade5(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->grade = 5; }
static void m_lat(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->point.lat_udeg = 90000001; }
static void m_lon(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->point.lon_udeg = -180000001; }
static void m_lon_edge(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->point.lon_udeg = 180000000; k->point.lat_udeg = -90000000; }
static void m_resp(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->responsible, sizeof(k->responsible), "gov"); }
static void m_coop_bad(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->coop[1], sizeof(k->coop[1]), "12.x"); }
static void m_coop_order(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->coop[0], sizeof(k->coop[0]), "120112.water"); }
static void m_coop_resp(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->coop[1], sizeof(k->coop[1]), "120112.gov"); }
static void m_coop_many(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->n_coop = RM_RISK_COOP_MAX + 1; }
static void m_status(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->status = 4; }
static void m_removed_noreason(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->status = RM_RISK_REMOVED; }
static void m_removed(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->status = RM_RISK_REMOVED; k->reason = reason; }
static void m_removed_empty(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->status = RM_RISK_REMOVED; k->reason = empty; }
static void m_reason_not_removed(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->status = RM_RISK_CONTROLLED; k->reason = reason; }
static void m_review_feb29(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->review, sizeof(k->review), "2026-02-29"); }
static void m_review_leap(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->review, sizeof(k->review), "2028-02-29"); }
static void m_review_month(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->review, sizeof(k->review), "2026-13-01"); }
static void m_review_form(struct rm_record *r, struct rm_risk *k)
{ (void)r; snprintf(k->review, sizeof(k->review), "2026/06/30"); }
static void m_review_empty(struct rm_record *r, struct rm_risk *k)
{ (void)r; k->review[0] = '\0'; }

static void
test_field_rules(void)
{
	memset(long_text, 'a', sizeof(long_text) - 1);
	expect(m_ok, RM_OK, "");
	expect(m_id, RM_EBADVALUE, "risk.id");
	expect(m_areas, RM_EBADVALUE, "one area");
	expect(m_name_empty, RM_EMISSING, "risk.name");
	expect(m_name_null, RM_EMISSING, "risk.name");
	expect(m_name_long, RM_EBADVALUE, "risk.name");
	expect(m_name_utf8, RM_EBADVALUE, "risk.name");
	expect(m_location, RM_EMISSING, "risk.location");
	expect(m_name_esc, RM_EBADVALUE, "risk.name: control character "
	    "U+001B at byte 1");
	expect(m_name_lf, RM_EBADVALUE, "risk.name: control character U+000A");
	expect(m_name_c1, RM_EBADVALUE, "risk.name: control character U+009B");
	expect(m_name_bidi, RM_EBADVALUE, "risk.name: control character "
	    "U+202E at byte 3");
	expect(m_name_isolate, RM_EBADVALUE, "U+2066");
	expect(m_measures_lf, RM_OK, "");
	expect(m_measures_cr, RM_EBADVALUE, "risk.measures: control "
	    "character U+000D");
	expect(m_measures, RM_EBADVALUE, "risk.measures");
	expect(m_measures_empty, RM_EMISSING, "risk.measures");
	expect(m_category, RM_EBADVALUE, "risk.category");
	expect(m_subcategory, RM_EBADVALUE, "risk.subcategory");
	expect(m_class, RM_EBADVALUE, "gas is a accident risk, not natural");
	expect(m_other, RM_OK, "");
	expect(m_crowd, RM_OK, "");
	expect(m_grade0, RM_EBADVALUE, "risk.grade");
	expect(m_grade5, RM_EBADVALUE, "risk.grade");
	expect(m_lat, RM_EBADVALUE, "risk.point");
	expect(m_lon, RM_EBADVALUE, "risk.point");
	expect(m_lon_edge, RM_OK, "");
	expect(m_resp, RM_EBADVALUE, "risk.responsible");
	expect(m_coop_bad, RM_EBADVALUE, "risk.cooperating[1]");
	expect(m_coop_order, RM_EBADVALUE, "not sorted or repeated");
	expect(m_coop_resp, RM_EBADVALUE, "is the responsible unit");
	expect(m_coop_many, RM_EBADVALUE, "risk.cooperating");
	expect(m_status, RM_EBADVALUE, "risk.status");
	expect(m_removed_noreason, RM_EMISSING, "risk.reason");
	expect(m_removed, RM_OK, "");
	expect(m_removed_empty, RM_EMISSING, "risk.reason");
	expect(m_reason_not_removed, RM_EBADVALUE, "only a removal");
	expect(m_review_feb29, RM_EBADVALUE, "risk.review");
	expect(m_review_leap, RM_OK, "");
	expect(m_review_month, RM_EBADVALUE, "risk.review");
	expect(m_review_form, RM_EBADVALUE, "risk.review");
	expect(m_review_empty, RM_EBADVALUE, "risk.review");
}

/* Decode a hand-built body map with the kind's decoder. */
static int
decode_body(const rm_buf *b, rm_why *why)
{
	struct rm_risk k;
	rm_cbor_rd rd;
	int rv;

	memset(&k, 0, sizeof(k));
	rm_cbor_rd_init(&rd, b->data, b->len);
	rv = rm_kind_risk.decode(&rd, &k, why);
	rm_kind_risk.fini(&k);
	return rv;
}

/* The sample's body map with one text value or key replaced. */
static void
body_patched(rm_buf *b, const char *from, const char *to)
{
	struct rm_record r;
	struct rm_risk k;
	rm_why why;
	size_t n = strlen(from);

	sample(&r, &k);
	rm_buf_reset(b);
	CU_ASSERT_EQUAL_FATAL(record_body_encode(&r, b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(strlen(to), n);
	for (size_t i = 0; i + n <= b->len; i++)
		if (memcmp(b->data + i, from, n) == 0) {
			memcpy(b->data + i, to, n);
			return;
		}
	CU_FAIL("pattern not found");
}

static void
test_decoder(void)
{
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	body_patched(&b, "natural", "natural");
	CU_ASSERT_EQUAL(decode_body(&b, &why), RM_OK);
	body_patched(&b, "status", "statut");
	CU_ASSERT_EQUAL(decode_body(&b, &why), RM_EUNKNOWN);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "statut"));
	body_patched(&b, "natural", "naturaX");
	CU_ASSERT_EQUAL(decode_body(&b, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "risk.category"));
	body_patched(&b, "orange", "purple");
	CU_ASSERT_EQUAL(decode_body(&b, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "risk.grade"));
	body_patched(&b, "identified", "identifieX");
	CU_ASSERT_EQUAL(decode_body(&b, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "risk.status"));
	body_patched(&b, "flood", "fl00d");
	CU_ASSERT_EQUAL(decode_body(&b, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "risk.subcategory"));
	/* a key repeated ("point" -> a second "grade") */
	body_patched(&b, "point", "grade");
	CU_ASSERT_EQUAL(decode_body(&b, &why), RM_ENONCANON);
	body_patched(&b, "lat", "lot");
	CU_ASSERT_NOT_EQUAL(decode_body(&b, &why), RM_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "risk.point"));

	/* missing fields: a map of one pair */
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(rm_cbor_put_map(&b, 1), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_cstr(&b, "id"), RM_OK);
	CU_ASSERT_EQUAL(rm_cbor_put_cstr(&b, "x"), RM_OK);
	CU_ASSERT_EQUAL(decode_body(&b, &why), RM_EMISSING);
	/* an array, not a map */
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(rm_cbor_put_array(&b, 0), RM_OK);
	CU_ASSERT_NOT_EQUAL(decode_body(&b, &why), RM_OK);
	rm_buf_fini(&b);
}

static void
test_status_transitions(void)
{
	struct rm_risk cur, next;
	rm_why why;

	memset(&cur, 0, sizeof(cur));
	memset(&next, 0, sizeof(next));
	snprintf(cur.id, sizeof(cur.id), "r-1");
	/* a new item */
	next.status = RM_RISK_IDENTIFIED;
	CU_ASSERT_EQUAL(risk_status_next(NULL, &next, &why), RM_OK);
	next.status = RM_RISK_CONTROLLED;
	CU_ASSERT_EQUAL(risk_status_next(NULL, &next, &why), RM_OK);
	next.status = RM_RISK_REMOVED;
	CU_ASSERT_EQUAL(risk_status_next(NULL, &next, &why), RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(why.field, "status");
	/* identified and controlled move freely, and may be removed */
	for (int c = RM_RISK_IDENTIFIED; c <= RM_RISK_CONTROLLED; c++)
		for (int n = RM_RISK_IDENTIFIED; n <= RM_RISK_REMOVED; n++) {
			cur.status = (enum rm_risk_status)c;
			next.status = (enum rm_risk_status)n;
			CU_ASSERT_EQUAL(risk_status_next(&cur, &next, &why),
			    RM_OK);
		}
	/* removed is final */
	cur.status = RM_RISK_REMOVED;
	cur.reason = reason;
	for (int n = RM_RISK_IDENTIFIED; n <= RM_RISK_REMOVED; n++) {
		next.status = (enum rm_risk_status)n;
		CU_ASSERT_EQUAL(risk_status_next(&cur, &next, &why), RM_EEXIST);
		CU_ASSERT_STRING_EQUAL(why.field, "status");
		CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, reason));
	}
}

static void
test_names(void)
{
	enum rm_risk_category c;
	enum rm_risk_subcategory s;
	enum rm_risk_status st;
	rm_grade g;

	CU_ASSERT_EQUAL(risk_category_parse("public_health", &c), RM_OK);
	CU_ASSERT_EQUAL(c, RM_RISK_PUBLIC_HEALTH);
	CU_ASSERT_EQUAL(risk_category_parse("Natural", &c), RM_EBADVALUE);
	CU_ASSERT_EQUAL(risk_category_parse(NULL, &c), RM_EBADVALUE);
	CU_ASSERT_PTR_NULL(risk_category_name(0));
	CU_ASSERT_STRING_EQUAL(risk_category_name(RM_RISK_SOCIAL_SECURITY),
	    "social_security");
	for (int i = RM_RISK_TYPHOON; i <= RM_RISK_OTHER; i++) {
		const char *nm = risk_subcategory_name(i);

		CU_ASSERT_PTR_NOT_NULL_FATAL(nm);
		CU_ASSERT_EQUAL(risk_subcategory_parse(nm, &s), RM_OK);
		CU_ASSERT_EQUAL((int)s, i);
		CU_ASSERT((risk_subcategory_class(s) != 0) ==
		    (s != RM_RISK_OTHER));
	}
	CU_ASSERT_PTR_NULL(risk_subcategory_name(RM_RISK_OTHER + 1));
	CU_ASSERT_EQUAL(risk_subcategory_class(RM_RISK_INFECTIOUS_DISEASE),
	    RM_RISK_PUBLIC_HEALTH);
	CU_ASSERT_EQUAL(risk_subcategory_class(RM_RISK_TYPHOON),
	    RM_RISK_NATURAL);
	CU_ASSERT_EQUAL(risk_subcategory_parse("rainstorm_waterlogging", &s),
	    RM_OK);
	CU_ASSERT_EQUAL(s, RM_RISK_RAINSTORM_WATERLOGGING);
	CU_ASSERT_EQUAL(risk_status_parse("controlled", &st), RM_OK);
	CU_ASSERT_EQUAL(st, RM_RISK_CONTROLLED);
	CU_ASSERT_EQUAL(risk_status_parse("closed", &st), RM_EBADVALUE);
	CU_ASSERT_EQUAL(risk_grade_parse("重大", &g), RM_OK);
	CU_ASSERT_EQUAL(g, RM_GRADE_RED);
	CU_ASSERT_EQUAL(risk_grade_parse("较大", &g), RM_OK);
	CU_ASSERT_EQUAL(g, RM_GRADE_ORANGE);
	CU_ASSERT_EQUAL(risk_grade_parse("一般", &g), RM_OK);
	CU_ASSERT_EQUAL(g, RM_GRADE_YELLOW);
	CU_ASSERT_EQUAL(risk_grade_parse("低", &g), RM_OK);
	CU_ASSERT_EQUAL(g, RM_GRADE_BLUE);
	CU_ASSERT_EQUAL(risk_grade_parse("yellow", &g), RM_OK);
	CU_ASSERT_EQUAL(g, RM_GRADE_YELLOW);
	CU_ASSERT_EQUAL(risk_grade_parse("高", &g), RM_EBADVALUE);
	CU_ASSERT(risk_date_valid("2000-02-29"));
	CU_ASSERT(!risk_date_valid("1900-02-29"));
	CU_ASSERT(risk_date_valid("2026-12-31"));
	CU_ASSERT(!risk_date_valid("2026-04-31"));
	CU_ASSERT(!risk_date_valid("2026-00-10"));
	CU_ASSERT(!risk_date_valid("2026-01-00"));
	CU_ASSERT(!risk_date_valid("2026-1-001"));
	CU_ASSERT(!risk_date_valid("2026-01-01T"));
	CU_ASSERT(!risk_date_valid(NULL));
}

static CU_TestInfo tests[] = {
	{ "roundtrip", test_roundtrip },
	{ "field_rules", test_field_rules },
	{ "decoder", test_decoder },
	{ "status_transitions", test_status_transitions },
	{ "names", test_names },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("schemas.risk", tests);
}
