/*
 * test_json.c -- JSON alert <-> struct rm_record: the request parser
 * (node/http/req_alert.c), the emitter (node/repr/repr.h) and the
 * error bodies HTTP builds from rm_err + rm_why (node/http/http_error.c).
 *
 * The typhoon alert of sims/data/cap/typhoon-red-zh-en.xml, written as
 * the JSON of docs/API.md, goes JSON -> record -> CBOR -> record -> JSON;
 * every refusal is checked for its status, error and field.
 */
#include <string.h>

#include "node/http/http_int.h"
#include "rm_test.h"

#define NOW_MS 1786744800000LL  /* 2026-08-14T22:00:00Z */

static const char typhoon_json[] =
    "{\"identifier\": \"120000.meteorology-2026-0815-001\","
    " \"status\": \"Actual\", \"msg_type\": \"Alert\","
    " \"categories\": [\"Met\"], \"urgency\": \"Immediate\","
    " \"severity\": \"Extreme\", \"certainty\": \"Likely\","
    " \"grade\": \"red\","
    " \"effective\": \"2026-08-15T06:00:00+08:00\","
    " \"expires\": \"2026-08-16T06:00:00+08:00\","
    " \"areas\": [\"120116\"],"
    " \"texts\": ["
    "  {\"lang\": \"zh-CN\", \"event\": \"台风\","
    "   \"headline\": \"天津市气象局发布台风红色预警\","
    "   \"description\": \"预计未来12小时内滨海新区沿海将受台风严重影响，"
    "平均风力可达12级以上。\","
    "   \"instruction\": \"停止集会、停课、停业（特殊行业除外）；"
    "人员尽可能待在防风安全的地方。\","
    "   \"sender_name\": \"天津市气象局\", \"area_desc\": \"滨海新区沿海\"},"
    "  {\"lang\": \"en-US\", \"event\": \"Typhoon\","
    "   \"headline\": \"Red typhoon warning for the Binhai coast\","
    "   \"sender_name\": \"Tianjin Meteorological Bureau\","
    "   \"area_desc\": \"Binhai New Area coast\"}],"
    " \"polygon\": [[38.90, 117.60], [39.30, 117.60], [39.30, 117.95],"
    "   [38.90, 117.95], [38.90, 117.60]],"
    " \"circle\": {\"lat\": 39.1, \"lon\": 117.7, \"radius_m\": 5000},"
    " \"references\": [\"120000.meteorology,120000.meteorology-2026-0814-"
    "009,2026-08-14T18:00:00+08:00\"]}";

static const struct req_alert_ctx ctx = {
	.origin = "120000.meteorology",
	.now_ms = NOW_MS,
	.default_identifier = "120000.meteorology-1786744800000-ab12",
};

/* A refusal as the HTTP API answers it: status and the field and reason
 * of its error body. */
struct view {
	int status;
	char field[RM_WHY_FIELD_MAX];
	char reason[RM_WHY_MAX];
};

static struct view
view_of(int err, const rm_why *why)
{
	struct view v;

	v.status = http_status_for(err, why);
	http_error_text(why, v.field, sizeof(v.field), v.reason,
	    sizeof(v.reason));
	return v;
}

static void
test_typhoon_fields(void)
{
	struct rm_record r;
	rm_why e;
	bool mt_set = false;
	const struct rm_alert *a;

	CU_ASSERT_EQUAL_FATAL(req_alert_parse(typhoon_json,
	    strlen(typhoon_json), &ctx, &r, &mt_set, &e), RM_OK);
	a = record_alert(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT(mt_set);
	CU_ASSERT_PTR_EQUAL(r.kind, &rm_kind_alert);
	CU_ASSERT_STRING_EQUAL(r.origin, "120000.meteorology");
	CU_ASSERT_STRING_EQUAL(r.object_id, "120000.meteorology-2026-0815-001");
	CU_ASSERT_EQUAL(r.ver, 0);
	CU_ASSERT_EQUAL(r.seq, 0);
	CU_ASSERT_EQUAL(r.issued_ms, NOW_MS);
	CU_ASSERT_EQUAL(r.expires_ms, 1786831200000LL);
	CU_ASSERT_EQUAL(r.n_areas, 1);
	CU_ASSERT_STRING_EQUAL(r.areas[0], "120116");
	CU_ASSERT_STRING_EQUAL(a->identifier,
	    "120000.meteorology-2026-0815-001");
	CU_ASSERT_EQUAL(a->status, RM_STATUS_ACTUAL);
	CU_ASSERT_EQUAL(a->msg_type, RM_MSGTYPE_ALERT);
	CU_ASSERT_EQUAL(a->categories, RM_CAT_MET);
	CU_ASSERT_EQUAL(a->urgency, RM_URGENCY_IMMEDIATE);
	CU_ASSERT_EQUAL(a->severity, RM_SEVERITY_EXTREME);
	CU_ASSERT_EQUAL(a->certainty, RM_CERTAINTY_LIKELY);
	CU_ASSERT_EQUAL(a->grade, RM_GRADE_RED);
	CU_ASSERT_EQUAL(a->effective_ms, 1786744800000LL);
	CU_ASSERT_EQUAL_FATAL(a->n_texts, 2);
	CU_ASSERT_STRING_EQUAL(a->texts[0].lang, "zh-CN");
	CU_ASSERT_STRING_EQUAL(a->texts[0].event, "台风");
	CU_ASSERT_STRING_EQUAL(a->texts[0].area_desc, "滨海新区沿海");
	CU_ASSERT_STRING_EQUAL(a->texts[1].headline,
	    "Red typhoon warning for the Binhai coast");
	CU_ASSERT_PTR_NULL(a->texts[1].description);
	CU_ASSERT_EQUAL_FATAL(a->n_polygon, 5);
	CU_ASSERT_EQUAL(a->polygon[0].lat_udeg, 38900000);
	CU_ASSERT_EQUAL(a->polygon[2].lon_udeg, 117950000);
	CU_ASSERT(a->has_circle);
	CU_ASSERT_EQUAL(a->circle_centre.lat_udeg, 39100000);
	CU_ASSERT_EQUAL(a->circle_radius_m, 5000);
	CU_ASSERT_EQUAL_FATAL(a->n_references, 1);
	record_fini(&r);
	CU_ASSERT_PTR_NULL(r.body);
}

/* Drop what the node sets, so an emitted alert can be posted again. */
static void
strip_node_fields(json_t *o)
{
	static const char *const keys[] = { "hash", "kind", "origin", "ver",
	    "seq", "issued", "prev", "supersedes", NULL };

	for (size_t i = 0; keys[i] != NULL; i++)
		json_object_del(o, keys[i]);
}

static void
test_typhoon_roundtrip(void)
{
	struct rm_record r, r2, dec;
	rm_why e;
	rm_buf cbor = RM_BUF_INIT, js = RM_BUF_INIT;
	rm_hash h;
	rm_why why;
	json_t *o1, *o2, *o3;

	memset(h.b, 0xab, sizeof(h.b));
	CU_ASSERT_EQUAL_FATAL(req_alert_parse(typhoon_json,
	    strlen(typhoon_json), &ctx, &r, NULL, &e), RM_OK);
	r.ver = 1;
	r.seq = 1;
	/* through the deterministic CBOR body and back */
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &cbor, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(cbor.data, cbor.len, &dec, &why),
	    RM_OK);
	o1 = repr_record_object(&r, &h);
	o2 = repr_record_object(&dec, &h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o2);
	CU_ASSERT(json_equal(o1, o2));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o1, "hash")),
	    "abababababababababababababababababababababababababababababababab");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o1,
	    "effective")), "2026-08-14T22:00:00.000Z");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o1,
	    "severity")), "Extreme");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o1, "ver")), 1);
	/* coordinates come out as the decimal degrees that went in */
	CU_ASSERT_EQUAL_FATAL(repr_record_dump(&r, NULL, 0, &js), RM_OK);
	CU_ASSERT_EQUAL_FATAL(rm_buf_cstr(&js), RM_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)js.data,
	    "\"polygon\":[[38.9,117.6],[39.3,117.6],[39.3,117.95]"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)js.data, "\"event\":\"台风\""));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)js.data,
	    "\"circle\":{\"lat\":39.1,\"lon\":117.7,\"radius_m\":5000}"));
	/* the emitted shape is accepted as a request and gives the same */
	strip_node_fields(o2);
	rm_buf_reset(&js);
	CU_ASSERT_EQUAL_FATAL(repr_dump_buf(o2, 0, &js), RM_OK);
	CU_ASSERT_EQUAL_FATAL(req_alert_parse((char *)js.data, js.len, &ctx,
	    &r2, NULL, &e), RM_OK);
	r2.ver = 1;
	r2.seq = 1;
	o3 = repr_record_object(&r2, &h);
	CU_ASSERT(json_equal(o1, o3));
	json_decref(o1);
	json_decref(o2);
	json_decref(o3);
	record_fini(&r);
	record_fini(&r2);
	record_fini(&dec);
	rm_buf_fini(&cbor);
	rm_buf_fini(&js);
}

static void
test_defaults(void)
{
	static const char body[] = "{\"grade\": \"orange\", \"areas\": "
	    "[\"120116\"], \"texts\": [{\"lang\": \"zh-CN\", \"event\": "
	    "\"暴雨\", \"headline\": \"暴雨橙色预警\"}]}";
	struct rm_record r;
	rm_why e;
	bool mt_set = true;

	CU_ASSERT_EQUAL_FATAL(req_alert_parse(body, strlen(body), &ctx, &r,
	    &mt_set, &e), RM_OK);
	CU_ASSERT(!mt_set);
	CU_ASSERT_STRING_EQUAL(record_alert(&r)->identifier, ctx.default_identifier);
	CU_ASSERT_STRING_EQUAL(r.object_id, ctx.default_identifier);
	CU_ASSERT_EQUAL(record_alert(&r)->status, RM_STATUS_ACTUAL);
	CU_ASSERT_EQUAL(record_alert(&r)->msg_type, RM_MSGTYPE_ALERT);
	CU_ASSERT_EQUAL(record_alert(&r)->categories, RM_CAT_OTHER);
	CU_ASSERT_EQUAL(record_alert(&r)->urgency, RM_URGENCY_UNKNOWN);
	CU_ASSERT_EQUAL(record_alert(&r)->severity, RM_SEVERITY_SEVERE);
	CU_ASSERT_EQUAL(record_alert(&r)->certainty, RM_CERTAINTY_UNKNOWN);
	CU_ASSERT_EQUAL(record_alert(&r)->effective_ms, NOW_MS);
	CU_ASSERT_EQUAL(r.expires_ms, 0);
	CU_ASSERT_EQUAL(record_alert(&r)->n_polygon, 0);
	CU_ASSERT(!record_alert(&r)->has_circle);
	record_fini(&r);
}

/* A body that must be refused with (status, err, field). */
static void
refuse(const char *body, int status, int err, const char *field,
    const char *reason_part)
{
	struct rm_record r;
	struct view v;
	rm_why e;
	int rv;

	memset(&e, 0, sizeof(e));
	rv = req_alert_parse(body, strlen(body), &ctx, &r, NULL, &e);
	v = view_of(rv, &e);
	CU_ASSERT_EQUAL(rv, err);
	CU_ASSERT_EQUAL(v.status, status);
	CU_ASSERT_STRING_EQUAL(v.field, field);
	if (reason_part != NULL)
		CU_ASSERT_PTR_NOT_NULL(strstr(v.reason, reason_part));
	CU_ASSERT_PTR_NULL(r.body);   /* *out zeroed */
	CU_ASSERT_EQUAL(r.n_areas, 0);
	if (v.status != status || strcmp(v.field, field) != 0)
		fprintf(stderr, "\n  body %.60s: got %d %s [%s] %s\n", body,
		    v.status, rm_errname(rv), v.field, v.reason);
}

#define T1 "\"texts\":[{\"lang\":\"zh-CN\",\"event\":\"暴雨\"," \
    "\"headline\":\"暴雨预警\"}]"
#define A1 "\"areas\":[\"120116\"]"

static void
test_structure_errors(void)
{
	refuse("{\"grade\": ", 400, RM_EMALFORMED, "", "not JSON");
	refuse("[1, 2]", 400, RM_EMALFORMED, "", "JSON object");
	refuse("{\"grade\":\"blue\"," A1 "," T1 "} x", 400, RM_EMALFORMED, "",
	    NULL);
	refuse("{\"grade\":\"blue\",\"grade\":\"red\"," A1 "," T1 "}", 400,
	    RM_EMALFORMED, "", "duplicate");
	refuse("{" A1 "," T1 "}", 400, RM_EMISSING, "grade", "required");
	refuse("{\"grade\":3," A1 "," T1 "}", 400, RM_EMALFORMED, "grade",
	    "string");
	refuse("{\"grade\":\"blue\"," T1 "}", 400, RM_EMISSING, "areas", NULL);
	refuse("{\"grade\":\"blue\",\"areas\":\"120116\"," T1 "}", 400,
	    RM_EMALFORMED, "areas", "array");
	refuse("{\"grade\":\"blue\",\"areas\":[120116]," T1 "}", 400,
	    RM_EMALFORMED, "areas", "areas[0]");
	refuse("{\"grade\":\"blue\"," A1 "}", 400, RM_EMISSING, "texts", NULL);
	refuse("{\"grade\":\"blue\"," A1 ",\"texts\":[\"hi\"]}", 400,
	    RM_EMALFORMED, "texts", "texts[0]");
	refuse("{\"grade\":\"blue\"," A1 ",\"texts\":[{\"lang\":\"zh-CN\","
	    "\"event\":\"x\"}]}", 400, RM_EMISSING, "texts",
	    "texts[0].headline: required");
	refuse("{\"grade\":\"blue\"," A1 ",\"texts\":[{\"lang\":\"zh-CN\","
	    "\"event\":\"x\",\"headline\":\"y\",\"colour\":1}]}", 400,
	    RM_EUNKNOWN, "texts", "texts[0].colour");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"expiry\":\"x\"}", 400,
	    RM_EUNKNOWN, "expiry", "unknown field");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"origin\":\"x\"}", 400,
	    RM_EUNKNOWN, "origin", "set by the node");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"expires\":20300101}", 400,
	    RM_EMALFORMED, "expires", NULL);
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"polygon\":[1,2,3,4]}", 400,
	    RM_EMALFORMED, "polygon", "polygon[0]");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"circle\":{\"lat\":1,"
	    "\"lon\":2}}", 400, RM_EMISSING, "circle", "circle.radius_m");
}

static void
test_value_errors(void)
{
	refuse("{\"grade\":\"purple\"," A1 "," T1 "}", 422, RM_EBADVALUE,
	    "grade", "unknown grade \"purple\" (blue|yellow|orange|red)");
	refuse("{\"grade\":\"blue\",\"areas\":[\"12011\"]," T1 "}", 422,
	    RM_EBADVALUE, "areas", "areas[0]: \"12011\" is not");
	refuse("{\"grade\":\"blue\",\"areas\":[\"120116\",\"12011x\"]," T1 "}",
	    422, RM_EBADVALUE, "areas", "areas[1]");
	refuse("{\"grade\":\"blue\",\"areas\":[]," T1 "}", 422, RM_EBADVALUE,
	    "areas", NULL);
	refuse("{\"grade\":\"blue\",\"areas\":[\"120116\",\"120116\"]," T1 "}",
	    422, RM_EBADVALUE, "areas", "duplicate");
	refuse("{\"grade\":\"blue\"," A1 ",\"texts\":[]}", 422, RM_EBADVALUE,
	    "texts", NULL);
	refuse("{\"grade\":\"blue\"," A1 ",\"texts\":[{\"lang\":\"zh CN\","
	    "\"event\":\"x\",\"headline\":\"y\"}]}", 422, RM_EBADVALUE,
	    "texts", "texts[0].lang");
	refuse("{\"grade\":\"blue\"," A1 "," T1
	    ",\"expires\":\"2030-01-01T00:00:00\"}", 422, RM_EBADVALUE,
	    "expires", "offset");
	refuse("{\"grade\":\"blue\"," A1 "," T1
	    ",\"effective\":\"2030-01-01T08:00:00+08:00\","
	    "\"expires\":\"2030-01-01T00:00:00Z\"}", 422, RM_EBADVALUE,
	    "expires", "after effective");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"polygon\":[[38.9,117.6],"
	    "[39.3,117.6],[39.3,117.95],[38.9,117.95]]}", 422, RM_EBADVALUE,
	    "polygon", "not closed");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"polygon\":[[38.9,117.6],"
	    "[39.3,117.6],[38.9,117.6]]}", 422, RM_EBADVALUE, "polygon",
	    "at least 4");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"polygon\":[[98.9,117.6],"
	    "[39.3,117.6],[39.3,117.95],[98.9,117.6]]}", 422, RM_EBADVALUE,
	    "polygon", "polygon[0][0]");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"circle\":{\"lat\":39,"
	    "\"lon\":117,\"radius_m\":0}}", 422, RM_EBADVALUE, "circle",
	    "circle.radius_m");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"status\":\"Real\"}", 422,
	    RM_EBADVALUE, "status", "Actual|");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"categories\":[\"Weather\"]}",
	    422, RM_EBADVALUE, "categories", "categories[0]");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"references\":[\"a,b\"]}",
	    422, RM_EBADVALUE, "references", "sender,identifier,sent");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"identifier\":\"a b\"}", 422,
	    RM_EBADVALUE, "identifier", NULL);
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"object_id\":\"a/b\"}", 422,
	    RM_EBADVALUE, "object_id", NULL);
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"identifier\":\"\"}", 422,
	    RM_EBADVALUE, "identifier", "empty");
}

/* Rules of the issue path named in the reason, request paths only. */
static void
test_rules(void)
{
	struct rm_record r;
	rm_why e;
	struct view v;
	static const char cjk[] = "{\"grade\":\"blue\"," A1 "," T1
	    ",\"identifier\":\"TJ-气象-2026-001\"}";
	static const char slash[] = "{\"grade\":\"blue\"," A1 "," T1
	    ",\"identifier\":\"tj/2026/001\"}";

	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"object_id\":\"a@b\"}",
	    422, RM_EBADVALUE, "object_id", "\"a@b\" is not a valid object id "
	    "(1..128 of A-Z a-z 0-9 . _ : -, not \".\" or \"..\")");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"object_id\":\".\"}",
	    422, RM_EBADVALUE, "object_id", "not a valid object id");
	refuse("{\"grade\":\"blue\"," A1 "," T1 ",\"object_id\":\"..\"}",
	    422, RM_EBADVALUE, "object_id", "not a valid object id");
	/* a CAP identifier that is no object id gives a derived one */
	CU_ASSERT_EQUAL_FATAL(req_alert_parse(cjk, strlen(cjk), &ctx, &r,
	    NULL, &e), RM_OK);
	CU_ASSERT_STRING_EQUAL(record_alert(&r)->identifier, "TJ-气象-2026-001");
	CU_ASSERT_STRING_EQUAL(r.object_id,
	    "120000.meteorology-57d0a7e4e462a413");
	record_fini(&r);
	CU_ASSERT_EQUAL_FATAL(req_alert_parse(slash, strlen(slash), &ctx, &r,
	    NULL, &e), RM_OK);
	CU_ASSERT_STRING_EQUAL(record_alert(&r)->identifier, "tj/2026/001");
	CU_ASSERT(strncmp(r.object_id, "120000.meteorology-", 19) == 0);
	CU_ASSERT_EQUAL(strlen(r.object_id), 19 + 16);
	record_fini(&r);
	/* language tags: schemas' rule, with the request's path */
	refuse("{\"grade\":\"blue\"," A1 ",\"texts\":[{\"lang\":\"a\","
	    "\"event\":\"x\",\"headline\":\"y\"}]}", 422, RM_EBADVALUE,
	    "texts", "texts[0].lang: not a language tag (RFC 5646");
	{
		static const char b[] = "{\"grade\":\"blue\"," A1 ",\"texts\":"
		    "[{\"lang\":\"a\",\"event\":\"x\",\"headline\":\"y\"}]}";

		CU_ASSERT_EQUAL(req_alert_parse(b, strlen(b), &ctx, &r, NULL,
		    &e), RM_EBADVALUE);
		CU_ASSERT(strncmp(view_of(RM_EBADVALUE, &e).reason,
		    "texts[0].lang: ", 15) == 0);
	}
	refuse("{\"grade\":\"blue\"," A1 ",\"texts\":[{\"lang\":\"zh-CN\","
	    "\"event\":\"x\",\"headline\":\"y\"},{\"lang\":\"english\","
	    "\"event\":\"x\",\"headline\":\"y\"}]}", 422, RM_EBADVALUE,
	    "texts", "texts[1].lang: not a language tag");
	/* expires in the past at issue time (ctx.now_ms is 2026-08-14) */
	refuse("{\"grade\":\"blue\"," A1 "," T1
	    ",\"expires\":\"2020-01-01T00:00:00Z\"}", 422, RM_EBADVALUE,
	    "expires", "2020-01-01T00:00:00.000Z is in the past");
	refuse("{\"grade\":\"blue\"," A1 "," T1
	    ",\"effective\":\"2026-08-01T00:00:00Z\","
	    "\"expires\":\"2026-08-14T21:59:59Z\"}", 422, RM_EBADVALUE,
	    "expires", "in the past");
	/* areas in any order: the record has them sorted */
	{
		static const char b[] = "{\"grade\":\"blue\",\"areas\":"
		    "[\"120116\",\"120101\"]," T1 "}";

		CU_ASSERT_EQUAL_FATAL(req_alert_parse(b, strlen(b), &ctx, &r,
		    NULL, &e), RM_OK);
		CU_ASSERT_STRING_EQUAL(r.areas[0], "120101");
		CU_ASSERT_STRING_EQUAL(r.areas[1], "120116");
		record_fini(&r);
	}
	/* no body at all */
	memset(&e, 0, sizeof(e));
	CU_ASSERT_EQUAL(req_alert_parse(NULL, 0, &ctx, &r, NULL, &e),
	    RM_EMISSING);
	v = view_of(RM_EMISSING, &e);
	CU_ASSERT_EQUAL(v.status, 400);
	CU_ASSERT_STRING_EQUAL(v.field, "");
	CU_ASSERT(strncmp(v.reason, "body: required (", 16) == 0);
	refuse("", 400, RM_EMISSING, "", "body: required");
}

/* Reasons and fields never carry bytes that are not UTF-8 text. */
static void
test_clean(void)
{
	rm_why e;
	struct view v;
	char out[16];

	repr_text_clean("ok 台风\xff\x01\n", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "ok 台风\\xff");   /* \x01 does not fit */
	repr_text_clean("\xc0\xaf/", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "\\xc0\\xaf/");
	repr_text_clean("abcdefghijklm台", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "abcdefghijklm");     /* no half 台 */
	rm_fail_at(&e, RM_ENOTFOUND, "object_id", "no object \"%s\"",
	    "\xff\xfe\x1b[31m");
	v = view_of(RM_ENOTFOUND, &e);
	CU_ASSERT_STRING_EQUAL(v.reason,
	    "no object \"\\xff\\xfe\\x1b[31m\"");
	CU_ASSERT(rm_utf8_valid(v.reason, strlen(v.reason)));
	rm_fail_at(&e, RM_EUNKNOWN, "\xff", "x");
	v = view_of(RM_EUNKNOWN, &e);
	CU_ASSERT_STRING_EQUAL(v.field, "\\xff");
}

static void
test_too_big(void)
{
	char body[1024];
	size_t n;

	n = (size_t)snprintf(body, sizeof(body), "{\"grade\":\"blue\"," T1
	    ",\"areas\":[");
	for (int i = 0; i < RM_AREAS_MAX + 1; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"1201%02d\"",
		    i ? "," : "", i + 1);
	snprintf(body + n, sizeof(body) - n, "]}");
	refuse(body, 422, RM_ETOOBIG, "areas", "at most 32");
}

static void
test_fail_why(void)
{
	struct view v;
	rm_why why;

	rm_fail(&why, RM_EUNAUTH, "grade: red above the maximum orange of x");
	http_why_request_path(&why);
	v = view_of(RM_EUNAUTH, &why);
	CU_ASSERT_STRING_EQUAL(v.field, "grade");
	CU_ASSERT_STRING_EQUAL(v.reason, why.msg);
	CU_ASSERT_EQUAL(v.status, 403);
	rm_fail(&why, RM_EUNAUTH, "areas[1]: 110101 is outside the areas");
	http_why_request_path(&why);
	v = view_of(RM_EUNAUTH, &why);
	CU_ASSERT_STRING_EQUAL(v.field, "areas");
	rm_fail(&why, RM_EBADVALUE, "alert.texts[0].lang: required");
	http_why_request_path(&why);
	v = view_of(RM_EBADVALUE, &why);
	CU_ASSERT_STRING_EQUAL(v.field, "texts");
	rm_fail(&why, RM_EBADVALUE, "alert.id: contains space");
	http_why_request_path(&why);
	v = view_of(RM_EBADVALUE, &why);
	CU_ASSERT_STRING_EQUAL(v.field, "identifier");
	CU_ASSERT_STRING_EQUAL(v.reason, "identifier: contains space");
	rm_fail(&why, RM_EBADVALUE, "alert.texts[2].areaDesc: empty text");
	http_why_request_path(&why);
	v = view_of(RM_EBADVALUE, &why);
	CU_ASSERT_STRING_EQUAL(v.field, "texts");
	CU_ASSERT_STRING_EQUAL(v.reason, "texts[2].area_desc: empty text");
	rm_fail(&why, RM_EBADVALUE, "oid: invalid object id \"a@b\"");
	http_why_request_path(&why);
	v = view_of(RM_EBADVALUE, &why);
	CU_ASSERT_STRING_EQUAL(v.field, "object_id");
	CU_ASSERT_STRING_EQUAL(v.reason, "object_id: invalid object id \"a@b\"");
	rm_fail(&why, RM_EBADVALUE, "alert.msgType: unknown value 9");
	http_why_request_path(&why);
	v = view_of(RM_EBADVALUE, &why);
	CU_ASSERT_STRING_EQUAL(v.field, "msg_type");
	rm_fail(&why, RM_ESTORE, "mdb_put failed");
	http_why_request_path(&why);
	v = view_of(RM_ESTORE, &why);
	CU_ASSERT_STRING_EQUAL(v.field, "");
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "typhoon_fields", test_typhoon_fields },
		{ "typhoon_roundtrip", test_typhoon_roundtrip },
		{ "defaults", test_defaults },
		{ "structure_errors", test_structure_errors },
		{ "value_errors", test_value_errors },
		{ "rules", test_rules },
		{ "clean", test_clean },
		{ "too_big", test_too_big },
		{ "fail_why", test_fail_why },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("node.json", tests);
}
