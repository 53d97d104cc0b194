/*
 * test_cap_rules.c -- every CAP 1.2 rule of cap_parse (node/cap), one
 * table row each: a variant of a valid document refused naming the
 * element and the rule, and accepted edge cases (UTC as -00:00, any
 * white space between polygon pairs, circle radius 0, …) that also
 * round-trip through cap_write.
 */
#include <string.h>

#include "rm_test.h"
#include "test_cap_fx.h"

#define I0 "alert/info[0]/"
#define A0 I0 "area[0]/"
#define REFS "120000.meteorology,120000.meteorology-T-1," \
	"2026-08-15T06:00:00+08:00"
#define POLY "38.9,117.6 39.3,117.6 39.3,117.95 38.9,117.6"
#define PARAM "<parameter><valueName>grade</valueName><value>red</value>" \
	"</parameter>"

struct rule {
	const char *from, *to;
	int err;                 /* RM_OK: accepted */
	const char *field, *rule;
};

static const struct rule ns_order[] = {
	{ "cap:1.2\"", "cap:1.1\"", RM_EUNKNOWN, "alert", "CAP 1.1" },
	{ "cap:1.2\"", "cap:1.1\"", RM_EUNKNOWN, "alert",
	  "only CAP 1.2 is read" },
	{ "urn:oasis:names:tc:emergency:cap:1.2", "http://www.incident.com/"
	  "cap/1.0", RM_EUNKNOWN, "alert", "CAP 1.0" },
	{ " xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"", "", RM_EUNKNOWN,
	  "alert", "no namespace" },
	{ "<status>Actual</status>\n<msgType>Update</msgType>",
	  "<msgType>Update</msgType>\n<status>Actual</status>", RM_EBADVALUE,
	  "alert/status", "out of order" },
	{ "<sender>120000.meteorology</sender>\n", "", RM_EMISSING,
	  "alert/sender", "required (CAP 1.2 §3.2.1)" },
	{ "<event>台风</event>\n", "", RM_EMISSING, I0 "event", "required" },
	{ "<areaDesc>滨海新区</areaDesc>\n", "", RM_EMISSING, A0 "areaDesc",
	  "required (CAP 1.2 §3.2.4)" },
	{ "<scope>Public</scope>", "<scope>Public</scope><note>a</note>"
	  "<note>b</note>", RM_EBADVALUE, "alert/note", "at most 1" },
	{ "<scope>Public</scope>", "<scope>Public</scope><foo>x</foo>",
	  RM_EUNKNOWN, "alert/foo", "unknown element" },
	{ "<scope>Public</scope>", "<scope>Public</scope><x:y xmlns:x=\"urn:"
	  "x\">1</x:y>", RM_EUNKNOWN, "alert/y", "outside the CAP 1.2" },
	{ "<expires>2026-08-16T06:00:00+08:00</expires>\n<headline>台风红色预警"
	  "</headline>", "<headline>台风红色预警</headline>\n<expires>2026-08-"
	  "16T06:00:00+08:00</expires>", RM_EBADVALUE, I0 "expires",
	  "out of order: must come before <headline>" },
	{ "<status>Actual", "<status lang=\"en\">Actual", RM_EBADVALUE,
	  "alert/status", "attribute \"lang\" not allowed" },
	{ "<scope>Public</scope>", "<scope>Public</scope>junk",
	  RM_EMALFORMED, "alert", "between elements" },
	{ "<headline>台风红色预警</headline>", "<headline>台风<b>x</b>"
	  "</headline>", RM_EMALFORMED, I0 "headline", "text only" },
	{ "</alert>", "", RM_EMALFORMED, "", "not well-formed XML" },
	{ "<headline>台风红色预警</headline>", "<!-- c --><headline><![CDATA["
	  "台风 <红色> & 预警]]></headline>", RM_OK, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct rule enums[] = {
	{ ">Actual<", ">actual<", RM_EBADVALUE, "alert/status", "exact case" },
	{ ">Update<", ">update<", RM_EBADVALUE, "alert/msgType", "exact case" },
	{ ">Public<", ">public<", RM_EBADVALUE, "alert/scope", "exact case" },
	{ ">Met<", ">met<", RM_EBADVALUE, I0 "category", "exact case" },
	{ "<event>台风</event>", "<event>台风</event><responseType>shelter"
	  "</responseType>", RM_EBADVALUE, I0 "responseType", "AllClear" },
	{ ">Immediate<", ">immediate<", RM_EBADVALUE, I0 "urgency",
	  "CAP 1.2 §3.2.2, exact case" },
	{ ">Extreme<", ">EXTREME<", RM_EBADVALUE, I0 "severity", "exact" },
	{ ">Likely<", ">likely<", RM_EBADVALUE, I0 "certainty", "exact" },
	{ "<category>Met</category>", "<category>Met</category><category>"
	  "CBRNE</category>", RM_OK, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct rule times[] = {
	{ "12:00:00+08:00</sent>", "04:00:00Z</sent>", RM_EBADVALUE,
	  "alert/sent", "\"Z\" is not allowed" },
	{ "12:00:00+08:00</sent>", "12:00:00</sent>", RM_EBADVALUE,
	  "alert/sent", "no time zone offset" },
	{ "12:00:00+08:00</sent>", "04:00:00+00:00</sent>", RM_EBADVALUE,
	  "alert/sent", "UTC is written -00:00" },
	{ "12:00:00+08:00</sent>", "12:00:00.5+08:00</sent>", RM_EBADVALUE,
	  "alert/sent", "fractional seconds" },
	{ "2026-08-15T12:00:00+08:00</sent>", "2026-02-30T12:00:00+08:00"
	  "</sent>", RM_EBADVALUE, "alert/sent", "not a valid date" },
	{ "12:00:00+08:00</sent>", "04:00:00-00:00</sent>", RM_OK, NULL,
	  NULL },
	{ "<effective>2026-08-15T12:00:00", "<effective>2026-08-15T11:59:59",
	  RM_EBADVALUE, I0 "effective", "before <sent>" },
	{ "</effective>", "</effective><onset>2026-08-15T03:00:00-00:00"
	  "</onset>", RM_EBADVALUE, I0 "onset", "before <sent>" },
	{ "<expires>2026-08-16T06:00:00+08:00", "<expires>2026-08-15T11:00:00"
	  "+08:00", RM_EBADVALUE, I0 "expires", "before <sent>" },
	{ "<expires>2026-08-16T06:00:00+08:00", "<expires>2026-08-15T22:00:00"
	  "-05:30", RM_OK, NULL, NULL },
	{ "<sent>2026-08-15T12:00:00+08:00", "<sent>\n 2026-08-15T12:00:00"
	  "+08:00 ", RM_OK, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct rule refs[] = {
	{ REFS, "120000.meteorology-T-1", RM_EBADVALUE, "alert/references",
	  "is not sender,identifier,sent" },
	{ REFS, "120000.meteorology,120000.meteorology-T-2,2026-08-15T06:00:"
	  "00+08:00", RM_EBADVALUE, "alert/references", "itself" },
	{ REFS, "120000.meteorology,120000.meteorology-T-1,2026-08-15T13:00:"
	  "00+08:00", RM_EBADVALUE, "alert/references", "after this one" },
	{ REFS, "120000.meteorology,120000.meteorology-T-1,2026-08-14T22:00:"
	  "00Z", RM_EBADVALUE, "alert/references", "\"Z\" is not allowed" },
	{ "<references>" REFS "</references>\n", "", RM_EMISSING,
	  "alert/references", "required with msgType Update" },
	{ ">Update<", ">Cancel<", RM_OK, NULL, NULL },
	{ REFS, REFS "\t\n  120000.meteorology,120000.meteorology-T-0,2026-"
	  "08-14T06:00:00-00:00 ", RM_OK, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct rule idents[] = {
	{ "<identifier>120000.meteorology-T-2", "<identifier>T 2",
	  RM_EBADVALUE, "alert/identifier", "white space, ',', '<' or '&'" },
	{ "<identifier>120000.meteorology-T-2", "<identifier>T,2",
	  RM_EBADVALUE, "alert/identifier", "CAP 1.2 §3.2.1" },
	{ "<identifier>120000.meteorology-T-2", "<identifier>T&amp;2",
	  RM_EBADVALUE, "alert/identifier", "'&'" },
	{ "<identifier>120000.meteorology-T-2", "<identifier>T&lt;2",
	  RM_EBADVALUE, "alert/identifier", "'<'" },
	{ "<identifier>120000.meteorology-T-2", "<identifier>",
	  RM_EBADVALUE, "alert/identifier", "empty" },
	{ "<sender>120000.meteorology", "<sender>tianjin weather",
	  RM_EBADVALUE, "alert/sender", "white space" },
	{ "<identifier>120000.meteorology-T-2", "<identifier>T-2:x.y_z",
	  RM_OK, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct rule scopes[] = {
	{ "<scope>Public</scope>", "<scope>Public</scope><restriction>x"
	  "</restriction>", RM_EBADVALUE, "alert/restriction",
	  "only with scope Restricted" },
	{ ">Public<", ">Restricted<", RM_EMISSING, "alert/restriction",
	  "required with scope Restricted" },
	{ "<scope>Public</scope>", "<scope>Restricted</scope><restriction>"
	  "officials</restriction>", RM_OK, NULL, NULL },
	{ ">Public<", ">Private<", RM_EMISSING, "alert/addresses",
	  "required with scope Private" },
	{ "<scope>Public</scope>", "<scope>Public</scope><addresses>a"
	  "</addresses>", RM_EBADVALUE, "alert/addresses",
	  "only with scope Private or Restricted" },
	{ "<scope>Public</scope>", "<scope>Private</scope><addresses>"
	  "120116.gov \"district office\"</addresses><code>IPAWSv1.0</code>",
	  RM_OK, NULL, NULL },
	{ "<language>zh-CN</language>\n", "", RM_OK, NULL, NULL },
	{ "<language>zh-CN", "<language>zh_CN", RM_EBADVALUE, I0 "language",
	  "RFC 3066" },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct rule geometry[] = {
	{ POLY, "38.9,117.6 39.3,117.6 38.9,117.6", RM_EBADVALUE,
	  A0 "polygon[0]", "at least 4" },
	{ POLY, "38.9,117.6 39.3,117.6 39.3,117.95 39.0,117.6", RM_EBADVALUE,
	  A0 "polygon[0]", "not closed" },
	{ POLY, "91,117.6 39.3,117.6 39.3,117.95 91,117.6", RM_EBADVALUE,
	  A0 "polygon[0]", "in range" },
	{ POLY, "38.9,181 39.3,117.6 39.3,117.95 38.9,181", RM_EBADVALUE,
	  A0 "polygon[0]", "-180..180" },
	{ POLY, "38.9, 117.6 39.3,117.6 39.3,117.95 38.9,117.6", RM_EBADVALUE,
	  A0 "polygon[0]", "pair 0" },
	{ POLY, "38.9,117.6,39.3,117.6,39.3,117.95,38.9,117.6", RM_EBADVALUE,
	  A0 "polygon[0]", "not lat,lon" },
	{ POLY, "3.89e1,117.6 39.3,117.6 39.3,117.95 3.89e1,117.6",
	  RM_EBADVALUE, A0 "polygon[0]", "CAP 1.2 §3.2.4" },
	{ POLY, "\n  38.9,117.6\t39.3,117.6\r\n   39.3,117.95  38.90,"
	  "+117.600 \n", RM_OK, NULL, NULL },
	{ "</polygon>", "</polygon><polygon>-90,-180 90,-180 90,180 -90,-180"
	  "</polygon>", RM_OK, NULL, NULL },
	{ "39.0,117.7 10", "39.0,117.7 0", RM_OK, NULL, NULL },
	{ "39.0,117.7 10", "39.0,117.7\t\n 0.25 ", RM_OK, NULL, NULL },
	{ "39.0,117.7 10", "39.0,117.7 -1", RM_EBADVALUE, A0 "circle[0]",
	  "radius >= 0" },
	{ "39.0,117.7 10", "39.0,117.7", RM_EBADVALUE, A0 "circle[0]",
	  "lat,lon radius" },
	{ "39.0,117.7 10", "99.0,117.7 10", RM_EBADVALUE, A0 "circle[0]",
	  "in range" },
	{ "</geocode>", "</geocode><ceiling>100</ceiling>", RM_EBADVALUE,
	  A0 "ceiling", "only with <altitude>" },
	{ "</geocode>", "</geocode><altitude>-12.5</altitude><ceiling>1000"
	  "</ceiling>", RM_OK, NULL, NULL },
	{ "</geocode>", "</geocode><altitude>high</altitude>", RM_EBADVALUE,
	  A0 "altitude", "decimal" },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct rule grades[] = {
	{ "<value>red</value>", "<value>Red</value>", RM_EBADVALUE,
	  I0 "parameter[0]", "blue, yellow, orange, red" },
	{ "<value>red</value>", "<value>purple</value>", RM_EBADVALUE,
	  I0 "parameter[0]", "colour grade" },
	{ PARAM, PARAM PARAM, RM_EBADVALUE, I0 "parameter[1]",
	  "a second grade" },
	{ "<valueName>grade</valueName>", "<valueName>urn:riskmesh:grade"
	  "</valueName>", RM_OK, NULL, NULL },
	{ PARAM, "<parameter><valueName>other</valueName><value>Red</value>"
	  "</parameter>", RM_OK, NULL, NULL },
	{ "</parameter>", "</parameter><resource><resourceDesc>map"
	  "</resourceDesc><mimeType>image/png</mimeType><size>12x</size>"
	  "</resource>", RM_EBADVALUE, I0 "resource[0]/size", "integer" },
	{ "</parameter>", "</parameter><resource><resourceDesc>map"
	  "</resourceDesc><mimeType>image/png</mimeType><size>1234</size><uri>"
	  "http://example.org/m.png</uri></resource>", RM_OK, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL },
};

static void
run(const struct rule *r)
{
	cap_fx_expect(cap_fx_base, strlen(cap_fx_base), RM_OK, NULL, NULL);
	for (; r->from != NULL; r++) {
		char *doc = cap_fx_variant(cap_fx_base, r->from, r->to);

		cap_fx_expect(doc, strlen(doc), r->err, r->field, r->rule);
		free(doc);
	}
}

static void test_ns_order(void) { run(ns_order); }
static void test_enums(void) { run(enums); }
static void test_times(void) { run(times); }
static void test_refs(void) { run(refs); }
static void test_idents(void) { run(idents); }
static void test_scopes(void) { run(scopes); }
static void test_geometry(void) { run(geometry); }
static void test_grades(void) { run(grades); }

/* Accepted values read as they should: the instant and offset of
 * -00:00, the default language, radius 0. */
static void
test_values(void)
{
	char *doc = cap_fx_variant(cap_fx_base, "12:00:00+08:00</sent>",
	    "04:00:00-00:00</sent>");
	char *d2 = cap_fx_variant(doc, "<language>zh-CN</language>\n", "");
	char *d3 = cap_fx_variant(d2, "39.0,117.7 10", "39.0,117.7 0");
	struct cap_alert a, b;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(cap_parse(cap_fx_base, strlen(cap_fx_base), &a,
	    &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(cap_parse(d3, strlen(d3), &b, &why), RM_OK);
	CU_ASSERT_EQUAL(a.sent.at_ms, b.sent.at_ms);
	CU_ASSERT_EQUAL(a.sent.at_ms, 1786766400000LL); /* 04:00Z */
	CU_ASSERT_EQUAL(a.sent.offset_min, 480);
	CU_ASSERT_EQUAL(b.sent.offset_min, 0);
	CU_ASSERT_STRING_EQUAL(b.info[0].language, "en-US");
	CU_ASSERT_EQUAL(b.info[0].area[0].circle[0].radius_km, 0.0);
	CU_ASSERT_EQUAL(a.info[0].grade, RM_GRADE_RED);
	CU_ASSERT_EQUAL(a.info[0].area[0].polygon[0].n, 4);
	CU_ASSERT_EQUAL(a.n_ref, 1);
	CU_ASSERT_STRING_EQUAL(a.ref[0].identifier, "120000.meteorology-T-1");
	cap_alert_fini(&a);
	cap_alert_fini(&b);
	free(doc);
	free(d2);
	free(d3);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "namespace_order_structure", test_ns_order },
		{ "enumerations", test_enums },
		{ "times", test_times },
		{ "references", test_refs },
		{ "identifier_sender", test_idents },
		{ "scope_language", test_scopes },
		{ "polygon_circle_altitude", test_geometry },
		{ "grade_resource", test_grades },
		{ "accepted_values", test_values },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("cap_rules", tests);
}
