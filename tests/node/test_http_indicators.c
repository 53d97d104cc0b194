/*
 * test_http_indicators.c -- bulk ingest of indicator values through
 * the routes, in-process against a real store (node/http over
 * node/service): how values are grouped into series (by code, area,
 * source, unit; sorted; a later value of one time replacing an earlier
 * one; cut at RM_IND_POINTS_MAX points and RM_IND_POINTS_BYTES_MAX
 * bytes), all-or-nothing and ?skip_errors=1, the roster's area check,
 * units from definitions, and the value queries' parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_http_fx.h"

static json_t *
post(const char *uri, const char *body, int want)
{
	struct http_res res;
	json_t *js = NULL;
	int st;

	/* values are CSV or NDJSON, definitions JSON */
	call_ct = strncmp(uri, "/v1/indicators", 14) != 0 ?
	    "application/json" : body[0] == '{' ? "application/x-ndjson" :
	    "text/csv";
	st = call("POST", uri, AUTH, body, &res, &js);
	call_ct = "application/json";

	if (st != want)
		fprintf(stderr, "POST %s: %d %.*s\n", uri, st,
		    (int)res.body.len, (const char *)res.body.data);
	CU_ASSERT_EQUAL(st, want);
	rm_buf_fini(&res.body);
	return js;
}

static json_t *
get(const char *uri)
{
	struct http_res res;
	json_t *js = NULL;

	CU_ASSERT_EQUAL(call("GET", uri, AUTH, NULL, &res, &js), 200);
	rm_buf_fini(&res.body);
	return js;
}

static long long
jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void
test_split_by_count(void)
{
	rm_buf b = RM_BUF_INIT;
	uint64_t before = records();
	json_t *js, *s;

	rm_buf_printf(&b, "code,area,time,value,unit,source\n");
	for (int i = 0; i < 10000; i++)
		rm_buf_printf(&b, "flow,120116,%lld,%d,m3/s,sensor\n", 0LL, 0);
	rm_buf_reset(&b);
	rm_buf_printf(&b, "code,area,time,value,unit,source\n");
	for (int i = 0; i < 10000; i++) {
		char t[32];

		rm_utc_format(1782864000000LL + (int64_t)i * 60000, t);
		rm_buf_printf(&b, "flow,120116,%s,%d,m3/s,sensor\n", t, i % 20);
	}
	rm_buf_cstr(&b);
	js = post("/v1/indicators", (const char *)b.data, 201);
	CU_ASSERT_EQUAL(jint(js, "stored"), 10000);
	CU_ASSERT_EQUAL(jint(js, "series_count"), 3);
	s = json_object_get(js, "series");
	CU_ASSERT_EQUAL(jint(json_array_get(s, 0), "count"), RM_IND_POINTS_MAX);
	CU_ASSERT_EQUAL(jint(json_array_get(s, 1), "count"), RM_IND_POINTS_MAX);
	CU_ASSERT_EQUAL(jint(json_array_get(s, 2), "count"),
	    10000 - 2 * RM_IND_POINTS_MAX);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(s, 0), "from")), "2026-07-01T00:00:00.000Z");
	CU_ASSERT_EQUAL(records(), before + 3);
	json_decref(js);
	/* every value comes back, oldest first */
	js = get("/v1/indicators?code=flow&area=120116&order=time&limit=100000");
	CU_ASSERT_EQUAL(jint(js, "count"), 10000);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(json_object_get(js, "indicators"), 4097), "value")),
	    "17");
	json_decref(js);
	rm_buf_fini(&b);
}

static void
test_split_by_bytes(void)
{
	rm_buf b = RM_BUF_INIT;
	json_t *js, *s, *x;
	size_t i, total = 0;

	rm_buf_printf(&b, "code,area,time,value,unit,source\n");
	for (int k = 0; k < 3000; k++)
		rm_buf_printf(&b, "gdp,120116,2026-07-01T%02d:%02d:00Z,"
		    "123456789012.34567%d,yuan,statistics\n", k / 60 % 24,
		    k % 60, 1 + k % 9);
	rm_buf_cstr(&b);
	/* one value per minute of a day, repeated: later rows win */
	js = post("/v1/indicators", (const char *)b.data, 201);
	CU_ASSERT_EQUAL(jint(js, "stored"), 1440);
	s = json_object_get(js, "series");
	json_array_foreach(s, i, x) {
		CU_ASSERT(jint(x, "count") <= RM_IND_POINTS_MAX);
		total += (size_t)jint(x, "count");
	}
	CU_ASSERT_EQUAL(total, 1440);
	json_decref(js);
	/* the row of 00:00 last given was k = 1440*2 = 2880: ...345671 + 0 */
	js = get("/v1/indicators?code=gdp&area=120116&order=time&limit=1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(json_object_get(js, "indicators"), 0), "value")),
	    "123456789012.345671");
	json_decref(js);
	/* 4000 values of 18 digits: the byte budget cuts before 4096 */
	rm_buf_reset(&b);
	rm_buf_printf(&b, "code,area,time,value,unit,source\n");
	for (int k = 0; k < 4000; k++)
		rm_buf_printf(&b, "gdp2,120116,%d-%02d,12345678901234567.%d,"
		    "yuan,statistics\n", 2000 + k / 12, 1 + k % 12, 1 + k % 9);
	rm_buf_cstr(&b);
	js = post("/v1/indicators", (const char *)b.data, 201);
	if (jint(js, "series_count") != 2)
		fprintf(stderr, "%s\n", json_dumps(js, 0));
	CU_ASSERT_EQUAL(jint(js, "series_count"), 2);
	json_decref(js);
	rm_buf_fini(&b);
}

static void
test_grouping(void)
{
	json_t *js, *s, *v;

	/* interleaved areas and sources, out of order */
	js = post("/v1/indicators", "code,area,time,value,unit,source\n"
	    "lvl,120116,2026-07-01T02:00:00Z,3.5,m,sensor\n"
	    "lvl,120101,2026-07-01T01:00:00Z,1.25,m,sensor\n"
	    "lvl,120116,2026-07-01T01:00:00Z,2.5,m,sensor\n"
	    "lvl,120116,2026-07-01T01:00:00Z,2.75,m,survey\n"
	    "lvl,120116,2026-07-01T00:00:00Z,1.5,m,sensor\n"
	    "lvl,120116,2026-07-01T00:00:00Z,1.0,m,sensor\n", 201);
	CU_ASSERT_EQUAL(jint(js, "stored"), 5);
	CU_ASSERT_EQUAL(jint(js, "series_count"), 3);
	s = json_object_get(js, "series");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(s, 0), "area")), "120101");
	/* by code, area, source (survey before sensor), unit */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(s, 1), "source")), "survey");
	CU_ASSERT_EQUAL(jint(json_array_get(s, 2), "count"), 3);
	json_decref(js);
	js = get("/v1/indicators?code=lvl&area=120116&match=exact&order=time");
	v = json_object_get(js, "indicators");
	CU_ASSERT_EQUAL_FATAL(json_array_size(v), 4);
	/* the later of two rows for 00:00 wins: "1.0" -> "1" */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(v, 0), "value")), "1");
	json_decref(js);
	js = get("/v1/indicators/latest?code=lvl&area=120000");
	CU_ASSERT_EQUAL(jint(js, "count"), 2);
	json_decref(js);
}

static void
test_refusals(void)
{
	uint64_t before = records();
	json_t *js, *rows;

	/* Beijing is outside OWN's areas: nothing stored, the area named */
	js = post("/v1/indicators", "code,area,time,value,unit,source\n"
	    "q,120116,2025,1,m,survey\n"
	    "q,110101,2025,2,m,survey\n", 403);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(js,
	    "error")), "EUNAUTH");
	rows = json_object_get(js, "rows");
	CU_ASSERT_EQUAL(jint(json_array_get(rows, 0), "line"), 3);
	json_decref(js);
	CU_ASSERT_EQUAL(records(), before);
	js = post("/v1/indicators?skip_errors=1",
	    "code,area,time,value,unit,source\n"
	    "q,120116,2025,1,m,survey\n"
	    "q,110101,2025,2,m,survey\n", 201);
	CU_ASSERT_EQUAL(jint(js, "stored"), 1);
	CU_ASSERT_EQUAL(jint(js, "refused"), 1);
	json_decref(js);
	/* no unit and no definition */
	call_ct = "text/csv";
	expect_reason("POST", "/v1/indicators", "code,area,time,value\n"
	    "undefined_code,120116,2025,1\n", 400, "EMISSING", "unit",
	    "no unit given");
	call_ct = "application/json";
	/* a definition gives unit and source */
	js = post("/v1/indicator-defs", "{\"code\":\"hc.pm25\",\"area\":"
	    "\"120000\",\"name_zh\":\"PM2.5\",\"unit\":\"μg/m³\","
	    "\"direction\":\"higher_worse\",\"target\":\"35\",\"source\":"
	    "\"statistics\",\"period\":\"year\"}", 201);
	json_decref(js);
	js = post("/v1/indicators", "{\"code\":\"hc.pm25\",\"area\":\"120116\","
	    "\"time\":\"2025\",\"value\":36.5}\n", 201);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(json_object_get(js, "series"), 0), "unit")),
	    "μg/m³");
	json_decref(js);
	/* NDJSON with a broken line */
	js = post("/v1/indicators", "{\"code\":\"hc.pm25\",\"area\":\"120116\","
	    "\"time\":\"2024\",\"value\":\"1\"}\n{\"code\":1}\n{nope\n", 400);
	rows = json_object_get(js, "rows");
	CU_ASSERT_EQUAL(json_array_size(rows), 2);
	CU_ASSERT_EQUAL(jint(json_array_get(rows, 0), "line"), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
	    json_array_get(rows, 0), "field")), "code");
	json_decref(js);
	call_ct = "text/csv";
	expect_err("POST", "/v1/indicators", "", 400, "EMISSING", "");
	expect_err("POST", "/v1/indicators?skip_errors=yes", "x", 422,
	    "EBADVALUE", "skip_errors");
	expect_err("POST", "/v1/indicators?other=1", "x", 400, "EUNKNOWN",
	    "other");
	/* values in a type the route does not take */
	call_ct = "application/json";
	expect_err("POST", "/v1/indicators", "x", 415, "EUNSUPPORTED",
	    "content-type");
	expect_err("POST", "/v1/indicator-defs", "{\"code\":\"a\",\"area\":"
	    "\"120000\",\"name_zh\":\"x\",\"unit\":\"m\",\"direction\":"
	    "\"higher_worse\",\"target\":\"1.2.3\",\"source\":\"survey\","
	    "\"period\":\"year\"}", 422, "EBADVALUE", "target");
	expect_err("POST", "/v1/indicator-defs", "{\"code\":\"a\",\"area\":"
	    "\"120000\",\"unit\":\"m\",\"direction\":\"up\",\"target\":1,"
	    "\"source\":\"survey\",\"period\":\"year\"}", 422, "EBADVALUE",
	    "direction");
	/* queries */
	expect_err("GET", "/v1/indicators", NULL, 422, "EMISSING", "code");
	expect_err("GET", "/v1/indicators?code=Bad", NULL, 422, "EBADVALUE",
	    "code");
	expect_err("GET", "/v1/indicators?code=a&area=12", NULL, 422,
	    "EBADVALUE", "area");
	expect_err("GET", "/v1/indicators?code=a&from=yesterday", NULL, 422,
	    "EBADVALUE", "from");
	expect_err("GET", "/v1/indicators?code=a&period=2026-07-01T00:00:00Z",
	    NULL, 422, "EBADVALUE", "period");
	expect_err("GET", "/v1/indicators?code=a&limit=0", NULL, 422,
	    "EBADVALUE", "limit");
	expect_err("GET", "/v1/indicators?code=a&match=near", NULL, 422,
	    "EBADVALUE", "match");
	js = get("/v1/indicator-defs?code=hc.pm25");
	CU_ASSERT_EQUAL(jint(js, "count"), 1);
	json_decref(js);
}

static int
init(void)
{
	http_fx_kinds = ROSTER_KIND_ALERT |
	    (rm_kind_set)1u << kind_index(&rm_kind_indicator);
	return http_fx_init();
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "split_by_count", test_split_by_count },
		{ "split_by_bytes", test_split_by_bytes },
		{ "grouping", test_grouping },
		{ "refusals", test_refusals },
		CU_TEST_INFO_NULL,
	};
	CU_pSuite s = CU_add_suite("node.http_indicators", init, http_fx_fini);

	for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
		CU_add_test(s, t->pName, t->pTestFunc);
}
