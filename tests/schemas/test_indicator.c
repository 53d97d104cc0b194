/*
 * test_indicator.c -- the record kinds "indicator_def" and "indicator"
 * (schemas/indicator_def_kind.c, indicator_kind.c): round trips through
 * the record codec, every field rule with the field named in the
 * refusal, the bounds, exact decimals on the wire (RFC 8949 §3.4.4),
 * the strict decoder, the index keys and the registry entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas.h"
#include "rm_test.h"

static char name_zh[] = "人均公园绿地面积";

static void
header(struct rm_record *r, const struct rm_kind_ops *k, void *body,
    const char *oid, const char *area)
{
	memset(r, 0, sizeof(*r));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = k;
	r->body = body;
	snprintf(r->origin, sizeof(r->origin), "120116.gov");
	snprintf(r->object_id, sizeof(r->object_id), "%s", oid);
	r->ver = 1;
	r->seq = 1;
	r->issued_ms = 1786000000000LL;
	r->n_areas = 1;
	snprintf(r->areas[0], sizeof(r->areas[0]), "%s", area);
}

static void
def_sample(struct rm_record *r, struct rm_indicator_def *d)
{
	memset(d, 0, sizeof(*d));
	header(r, &rm_kind_indicator_def, d, "hc.green_space_per_capita",
	    "120116");
	snprintf(d->code, sizeof(d->code), "hc.green_space_per_capita");
	d->name_zh = name_zh;
	snprintf(d->unit, sizeof(d->unit), "m²/人");
	d->direction = RM_IND_LOWER_WORSE;
	d->target = (struct rm_decimal){ 15, 0 };
	d->has_warning = true;
	d->warning = (struct rm_decimal){ 125, -1 };
	d->source = RM_IND_STATISTICS;
	d->period = RM_IND_YEAR;
}

static struct rm_ind_point pts[RM_IND_POINTS_MAX + 1];

static void
series_sample(struct rm_record *r, struct rm_indicator *s, size_t n)
{
	memset(s, 0, sizeof(*s));
	header(r, &rm_kind_indicator, s, "ind:rain_3h:120116001:1", "120116001");
	snprintf(s->code, sizeof(s->code), "rain_3h");
	snprintf(s->unit, sizeof(s->unit), "mm");
	s->source = RM_IND_SENSOR;
	s->period = RM_IND_INSTANT;
	for (size_t i = 0; i < n; i++) {
		pts[i].t = 1782864000000LL + (int64_t)i * 60000;
		pts[i].v = (struct rm_decimal){ (int64_t)(i % 1000) * 10 + 5,
		    -1 };   /* 0.5, 10.5, 20.5, ... */
	}
	s->points = pts;
	s->n_points = n;
}

static void
expect(const struct rm_record *r, int err, const char *part)
{
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	memset(&why, 0, sizeof(why));
	CU_ASSERT_EQUAL(record_encode(r, &b, &why), err);
	if (strstr(why.msg, part) == NULL)
		fprintf(stderr, "want \"%s\" in \"%s\"\n", part, why.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, part));
	rm_buf_fini(&b);
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
test_def_roundtrip(void)
{
	struct rm_record r, d;
	struct rm_indicator_def k;
	const struct rm_indicator_def *dk;
	rm_buf b = RM_BUF_INIT, b2 = RM_BUF_INIT;
	struct keys ks = { 0 };
	char line[200];
	rm_why why;

	def_sample(&r, &k);
	CU_ASSERT_PTR_EQUAL(kind_find("indicator_def", 13),
	    &rm_kind_indicator_def);
	CU_ASSERT_STRING_EQUAL(rm_kind_indicator_def.roster_kind, "indicator");
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	dk = record_indicator_def(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dk);
	CU_ASSERT_PTR_NULL(record_indicator(&d));
	CU_ASSERT_STRING_EQUAL(dk->code, "hc.green_space_per_capita");
	CU_ASSERT_STRING_EQUAL(dk->name_zh, name_zh);
	CU_ASSERT_PTR_NULL(dk->name_en);
	CU_ASSERT_STRING_EQUAL(dk->unit, "m²/人");
	CU_ASSERT_EQUAL(dk->direction, RM_IND_LOWER_WORSE);
	CU_ASSERT(dk->target.m == 15 && dk->target.e == 0);
	CU_ASSERT(dk->has_warning && dk->warning.m == 125 &&
	    dk->warning.e == -1);
	CU_ASSERT_EQUAL(dk->source, RM_IND_STATISTICS);
	CU_ASSERT_EQUAL(dk->period, RM_IND_YEAR);
	CU_ASSERT(record_in_force(&d, 0));
	CU_ASSERT_EQUAL(d.kind->index_keys(&d, collect, &ks), RM_OK);
	CU_ASSERT_EQUAL_FATAL(ks.n, 1);
	CU_ASSERT_STRING_EQUAL(ks.k[0], "code=hc.green_space_per_capita");
	record_summary(&d, line, sizeof(line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "target 15 m²/人 (lower_worse)"));
	CU_ASSERT_EQUAL(record_encode(&d, &b2, &why), RM_OK);
	CU_ASSERT(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	record_fini(&d);
	/* English name only, no warning */
	k.name_zh = NULL;
	k.name_en = (char *)"Park green space per capita";
	k.has_warning = false;
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_PTR_NULL(record_indicator_def(&d)->name_zh);
	CU_ASSERT(!record_indicator_def(&d)->has_warning);
	record_fini(&d);
	rm_buf_fini(&b);
	rm_buf_fini(&b2);
}

static void
test_def_rules(void)
{
	struct rm_record r;
	struct rm_indicator_def k;
	char long_unit[RM_IND_UNIT_MAX + 2];

	def_sample(&r, &k);
	snprintf(k.code, sizeof(k.code), "Bad");
	expect(&r, RM_EBADVALUE, "indicator_def.code");
	def_sample(&r, &k);
	snprintf(r.object_id, sizeof(r.object_id), "other");
	expect(&r, RM_EBADVALUE, "indicator_def.code: \"hc.green_space_per_"
	    "capita\" is not the record's oid");
	def_sample(&r, &k);
	k.name_zh = NULL;
	expect(&r, RM_EMISSING, "indicator_def.name_zh");
	def_sample(&r, &k);
	k.name_en = (char *)"";
	expect(&r, RM_EMISSING, "indicator_def.name_en");
	def_sample(&r, &k);
	k.unit[0] = '\0';
	expect(&r, RM_EMISSING, "indicator_def.unit");
	def_sample(&r, &k);
	memset(long_unit, 'u', sizeof(long_unit) - 1);
	long_unit[sizeof(long_unit) - 1] = '\0';
	memcpy(k.unit, long_unit, sizeof(k.unit) - 1);
	k.unit[sizeof(k.unit) - 1] = '\xff';   /* not UTF-8 */
	expect(&r, RM_EBADVALUE, "indicator_def.unit");
	def_sample(&r, &k);
	k.direction = 3;
	expect(&r, RM_EBADVALUE, "indicator_def.direction");
	def_sample(&r, &k);
	k.source = 0;
	expect(&r, RM_EBADVALUE, "indicator_def.source");
	def_sample(&r, &k);
	k.period = 9;
	expect(&r, RM_EBADVALUE, "indicator_def.period");
	def_sample(&r, &k);
	k.target = (struct rm_decimal){ 150, -1 };   /* not canonical */
	expect(&r, RM_EBADVALUE, "indicator_def.target");
	def_sample(&r, &k);
	k.warning = (struct rm_decimal){ 16, 0 };    /* better than 15 */
	expect(&r, RM_EBADVALUE, "indicator_def.warning: on the better side");
	def_sample(&r, &k);
	k.direction = RM_IND_HIGHER_WORSE;           /* 12.5 < 15: better */
	expect(&r, RM_EBADVALUE, "indicator_def.warning");
	k.warning = (struct rm_decimal){ 15, 0 };    /* equal is fine */
	expect(&r, RM_OK, "");
}

static void
test_series_roundtrip(void)
{
	struct rm_record r, d;
	struct rm_indicator s;
	const struct rm_indicator *ds;
	rm_buf b = RM_BUF_INIT, b2 = RM_BUF_INIT;
	struct keys ks = { 0 };
	char line[200];
	rm_why why;

	series_sample(&r, &s, 3);
	CU_ASSERT_PTR_EQUAL(kind_find("indicator", 9), &rm_kind_indicator);
	CU_ASSERT_PTR_NULL(rm_kind_indicator.roster_kind);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	ds = record_indicator(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
	CU_ASSERT_STRING_EQUAL(ds->code, "rain_3h");
	CU_ASSERT_STRING_EQUAL(ds->unit, "mm");
	CU_ASSERT_EQUAL(ds->source, RM_IND_SENSOR);
	CU_ASSERT_EQUAL(ds->period, RM_IND_INSTANT);
	CU_ASSERT_EQUAL_FATAL(ds->n_points, 3);
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT(ds->points[i].t == pts[i].t &&
		    ds->points[i].v.m == pts[i].v.m &&
		    ds->points[i].v.e == pts[i].v.e);
	CU_ASSERT_EQUAL(d.kind->index_keys(&d, collect, &ks), RM_OK);
	CU_ASSERT_EQUAL_FATAL(ks.n, 6);
	CU_ASSERT_STRING_EQUAL(ks.k[0], "code=rain_3h");
	CU_ASSERT_STRING_EQUAL(ks.k[1], "at=rain_3h@120116001");
	CU_ASSERT_STRING_EQUAL(ks.k[2], "in=rain_3h@12");
	CU_ASSERT_STRING_EQUAL(ks.k[3], "in=rain_3h@1201");
	CU_ASSERT_STRING_EQUAL(ks.k[4], "in=rain_3h@120116");
	CU_ASSERT_STRING_EQUAL(ks.k[5], "in=rain_3h@120116001");
	record_summary(&d, line, sizeof(line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "indicator rain_3h 120116001 "
	    "sensor 3 values"));
	CU_ASSERT_EQUAL(record_encode(&d, &b2, &why), RM_OK);
	CU_ASSERT(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	record_fini(&d);
	/* a full series of RM_IND_POINTS_MAX small values fits a record */
	series_sample(&r, &s, RM_IND_POINTS_MAX);
	for (size_t i = 0; i < RM_IND_POINTS_MAX; i++)
		pts[i].v = (struct rm_decimal){ (int64_t)(i % 20), 0 };
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT(b.len <= RM_RECORD_BODY_MAX);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_EQUAL(record_indicator(&d)->n_points, RM_IND_POINTS_MAX);
	record_fini(&d);
	/* a city-level area: in= keys for its level only */
	series_sample(&r, &s, 1);
	snprintf(r.areas[0], sizeof(r.areas[0]), "120100");
	ks.n = 0;
	CU_ASSERT_EQUAL(r.kind->index_keys(&r, collect, &ks), RM_OK);
	CU_ASSERT_EQUAL_FATAL(ks.n, 4);
	CU_ASSERT_STRING_EQUAL(ks.k[1], "at=rain_3h@1201");
	CU_ASSERT_STRING_EQUAL(ks.k[3], "in=rain_3h@1201");
	rm_buf_fini(&b);
	rm_buf_fini(&b2);
}

static void
test_series_rules(void)
{
	static struct rm_ind_point big[2600];
	struct rm_record r;
	struct rm_indicator s;

	series_sample(&r, &s, 3);
	s.n_points = 0;
	expect(&r, RM_EMISSING, "indicator.points");
	series_sample(&r, &s, RM_IND_POINTS_MAX + 1);
	expect(&r, RM_ETOOBIG, "indicator.points: at most 4096");
	series_sample(&r, &s, 3);
	pts[2].t = pts[1].t;
	expect(&r, RM_EBADVALUE, "indicator.points[2]: times must ascend");
	series_sample(&r, &s, 3);
	pts[1].v = (struct rm_decimal){ 10, -1 };
	expect(&r, RM_EBADVALUE, "indicator.points[1]: not a canonical");
	series_sample(&r, &s, 3);
	pts[0].t = -3000000000000LL;   /* before 1900 */
	expect(&r, RM_EBADVALUE, "indicator.points[0]: time out of range");
	series_sample(&r, &s, 3);
	s.period = RM_IND_YEAR;
	pts[0].t = 2024;
	pts[1].t = 2025;
	pts[2].t = 10000;
	expect(&r, RM_EBADVALUE, "indicator.points[2]: time out of range");
	series_sample(&r, &s, 3);
	r.n_areas = 2;
	snprintf(r.areas[1], sizeof(r.areas[1]), "120116002");
	expect(&r, RM_EBADVALUE, "areas: a series has one area");
	series_sample(&r, &s, 3);
	snprintf(s.code, sizeof(s.code), "a..b");
	expect(&r, RM_EBADVALUE, "indicator.code");
	series_sample(&r, &s, 3);
	s.unit[0] = '\0';
	expect(&r, RM_EMISSING, "indicator.unit");
	series_sample(&r, &s, 3);
	s.source = 5;
	expect(&r, RM_EBADVALUE, "indicator.source");
	/* the byte budget: 18-digit values, 2600 points */
	series_sample(&r, &s, 1);
	for (size_t i = 0; i < 2600; i++) {
		big[i].t = 1782864000000LL + (int64_t)i * 3600000;
		big[i].v = (struct rm_decimal){ 123456789012345671LL, -6 };
	}
	s.points = big;
	s.n_points = 2600;
	expect(&r, RM_ETOOBIG, "indicator.points: ");
	s.n_points = 2000;
	expect(&r, RM_OK, "");
}

/* The body map of a series, written by hand: t0 0, one point whose
 * value is given as raw CBOR by put(). */
static void
body_with(void (*put)(rm_buf *), int want, const char *part)
{
	struct rm_indicator s;
	rm_buf b = RM_BUF_INIT;
	rm_cbor_rd rd;
	rm_why why;

	rm_cbor_put_map(&b, 6);
	rm_cbor_put_cstr(&b, "t0");
	rm_cbor_put_int(&b, 1782864000000LL);
	rm_cbor_put_cstr(&b, "code");
	rm_cbor_put_cstr(&b, "rain_3h");
	rm_cbor_put_cstr(&b, "unit");
	rm_cbor_put_cstr(&b, "mm");
	rm_cbor_put_cstr(&b, "period");
	rm_cbor_put_cstr(&b, "instant");
	rm_cbor_put_cstr(&b, "points");
	put(&b);
	rm_cbor_put_cstr(&b, "source");
	rm_cbor_put_cstr(&b, "sensor");
	memset(&s, 0, sizeof(s));
	memset(&why, 0, sizeof(why));
	rm_cbor_rd_init(&rd, b.data, b.len);
	rd.max_depth = 8;
	CU_ASSERT_EQUAL(rm_kind_indicator.decode(&rd, &s, &why), want);
	if (strstr(why.msg, part) == NULL)
		fprintf(stderr, "want \"%s\" in \"%s\"\n", part, why.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, part));
	rm_kind_indicator.fini(&s);
	rm_buf_fini(&b);
}

static void
p_ok(rm_buf *b)          /* [[0, 4([-1, 125])]]: 12.5 */
{
	rm_cbor_put_array(b, 1);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_uint(b, 0);
	rm_cbor_put_tag(b, 4);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_int(b, -1);
	rm_cbor_put_int(b, 125);
}

static void
p_trailing_zero(rm_buf *b)  /* 4([-2, 1250]): 12.50, not canonical */
{
	rm_cbor_put_array(b, 1);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_uint(b, 0);
	rm_cbor_put_tag(b, 4);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_int(b, -2);
	rm_cbor_put_int(b, 1250);
}

static void
p_exp0(rm_buf *b)        /* 4([0, 12]): an integer in disguise */
{
	rm_cbor_put_array(b, 1);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_uint(b, 0);
	rm_cbor_put_tag(b, 4);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_int(b, 0);
	rm_cbor_put_int(b, 12);
}

static void
p_bigfloat(rm_buf *b)    /* tag 5 (bigfloat) */
{
	rm_cbor_put_array(b, 1);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_uint(b, 0);
	rm_cbor_put_tag(b, 5);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_int(b, -1);
	rm_cbor_put_int(b, 3);
}

static void
p_float(rm_buf *b)       /* a half float 1.0 */
{
	static const uint8_t f[] = { 0xf9, 0x3c, 0x00 };

	rm_cbor_put_array(b, 1);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_uint(b, 0);
	rm_buf_append(b, f, sizeof(f));
}

static void
p_first_offset(rm_buf *b)  /* the first offset is not 0 */
{
	rm_cbor_put_array(b, 1);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_uint(b, 5);
	rm_cbor_put_int(b, 1);
}

static void
p_descending(rm_buf *b)
{
	rm_cbor_put_array(b, 2);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_uint(b, 0);
	rm_cbor_put_int(b, 1);
	rm_cbor_put_array(b, 2);
	rm_cbor_put_uint(b, 0);
	rm_cbor_put_int(b, 1);
}

static void
p_too_many(rm_buf *b)    /* 4097 points */
{
	rm_cbor_put_array(b, RM_IND_POINTS_MAX + 1);
	for (unsigned i = 0; i <= RM_IND_POINTS_MAX; i++) {
		rm_cbor_put_array(b, 2);
		rm_cbor_put_uint(b, i);
		rm_cbor_put_int(b, 1);
	}
}

static void
p_truncated(rm_buf *b)   /* claims 4000 points, holds none */
{
	rm_cbor_put_array(b, 4000);
}

static void
p_empty(rm_buf *b)
{
	rm_cbor_put_array(b, 0);
}

static void
test_series_decoder(void)
{
	body_with(p_ok, RM_OK, "");
	body_with(p_trailing_zero, RM_ENONCANON, "indicator.points[0]: not a "
	    "canonical decimal");
	body_with(p_exp0, RM_ENONCANON, "exponent 0");
	body_with(p_bigfloat, RM_EBADVALUE, "tag 5");
	body_with(p_float, RM_EBADVALUE, "indicator.points[0]");
	body_with(p_first_offset, RM_EBADVALUE, "indicator.points[0]: time "
	    "offsets start at 0");
	body_with(p_descending, RM_EBADVALUE, "indicator.points[1]");
	body_with(p_too_many, RM_ETOOBIG, "indicator.points: 1..4096");
	body_with(p_empty, RM_EMISSING, "indicator.points");
	body_with(p_truncated, RM_EMALFORMED, "indicator.points");
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "def_roundtrip", test_def_roundtrip },
		{ "def_rules", test_def_rules },
		{ "series_roundtrip", test_series_roundtrip },
		{ "series_rules", test_series_rules },
		{ "series_decoder", test_series_decoder },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("schemas.indicator", tests);
}
