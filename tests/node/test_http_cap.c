/*
 * test_http_cap.c -- CAP 1.2 over the HTTP API in-process (node/http
 * http_cap.c): POST /v1/alerts by media type (415 for the others), a CAP
 * message issued, deduplicated and refused, GET /v1/alerts/{id}.xml and
 * the Atom feed.
 */
#define _GNU_SOURCE  /* memmem */
#include <stdio.h>
#include <string.h>

#include "rm_test.h"
#include "test_http_fx.h"

/* An orange Alert of sender S (OWN: the fixture's agency, max orange). */
#define CAP_DOC(S)                                                       \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                       \
    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"            \
    "<identifier>" OWN "-cap-1</identifier>\n"                          \
    "<sender>" S "</sender>\n"                                          \
    "<sent>2099-07-01T08:00:00+08:00</sent>\n"                          \
    "<status>Actual</status><msgType>Alert</msgType><scope>Public</scope>\n" \
    "<info><language>zh-CN</language><category>Met</category>\n"        \
    "<event>暴雨</event><urgency>Expected</urgency>\n"                  \
    "<severity>Severe</severity><certainty>Likely</certainty>\n"        \
    "<expires>2099-07-02T08:00:00+08:00</expires>\n"                    \
    "<headline>暴雨橙色预警</headline>\n"                               \
    "<parameter><valueName>grade</valueName><value>orange</value>"     \
    "</parameter>\n"                                                   \
    "<area><areaDesc>和平区</areaDesc><geocode><valueName>GB/T2260"     \
    "</valueName><value>120101</value></geocode></area></info>\n"      \
    "</alert>\n"
static const char doc[] = CAP_DOC(OWN);

static int
post_ct(const char *ct, const char *body, struct http_res *r, json_t **j)
{
	const char *old = call_ct;
	int st;

	call_ct = ct;
	st = call("POST", "/v1/alerts", AUTH, body, r, j);
	call_ct = old;
	return st;
}

static void
test_media_types(void)
{
	struct http_res r;
	json_t *j;

	CU_ASSERT_EQUAL(post_ct("text/plain", "red", &r, &j), 415);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "error")),
	    "EUNSUPPORTED");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(j,
	    "reason")), "text/plain"));
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(post_ct(NULL, "{}", &r, &j), 415);
	json_decref(j);
	rm_buf_fini(&r.body);
	/* parameters and case do not matter */
	CU_ASSERT_EQUAL(post_ct("Application/JSON; charset=utf-8", "{",
	    &r, &j), 400);
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(post_ct("application/cap+xml", "<alert/>", &r, &j),
	    400);
	json_decref(j);
	rm_buf_fini(&r.body);
}

static void
test_issue_export_feed(void)
{
	struct http_res r;
	json_t *j;
	uint64_t before = records();

	CU_ASSERT_EQUAL_FATAL(post_ct("application/cap+xml", doc, &r, &j),
	    201);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j,
	    "object_id")), OWN "-cap-1");
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(post_ct("application/cap+xml", doc, &r, &j), 200);
	CU_ASSERT(json_is_true(json_object_get(j, "duplicate")));
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(records(), before + 1);
	/* another sender: not this node's to sign */
	CU_ASSERT_EQUAL(post_ct("application/cap+xml", CAP_DOC(OTHER), &r,
	    &j), 403);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "field")),
	    "sender");
	json_decref(j);
	rm_buf_fini(&r.body);
	/* the document back, as CAP */
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts/" OWN "-cap-1.xml", AUTH, NULL,
	    &r, NULL), 200);
	CU_ASSERT_STRING_EQUAL(r.content_type, "application/cap+xml");
	CU_ASSERT_PTR_NOT_NULL(memmem(r.body.data, r.body.len,
	    "<headline>暴雨橙色预警</headline>", 37));
	CU_ASSERT_PTR_NOT_NULL(memmem(r.body.data, r.body.len,
	    "<sent>2099-07-01T08:00:00+08:00</sent>", 38));
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts/nope.xml", AUTH, NULL, &r,
	    NULL), 404);
	rm_buf_fini(&r.body);
	/* the feed links to it */
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts.atom", AUTH, NULL, &r, NULL),
	    200);
	CU_ASSERT_STRING_EQUAL(r.content_type, "application/atom+xml");
	CU_ASSERT_PTR_NOT_NULL(memmem(r.body.data, r.body.len,
	    "/v1/alerts/" OWN "-cap-1.xml?origin=" OWN,
	    strlen("/v1/alerts/" OWN "-cap-1.xml?origin=" OWN)));
	CU_ASSERT_PTR_NOT_NULL(memmem(r.body.data, r.body.len,
	    "type=\"application/cap+xml\"", 26));
	rm_buf_fini(&r.body);
	/* the JSON API cancels it: the Cancel does not carry the Alert's
	 * message, and is written from its fields */
	CU_ASSERT_EQUAL(call("POST", "/v1/alerts/" OWN "-cap-1/cancel", AUTH,
	    NULL, &r, NULL), 201);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts/" OWN "-cap-1.xml", AUTH, NULL,
	    &r, NULL), 200);
	CU_ASSERT_PTR_NOT_NULL(memmem(r.body.data, r.body.len,
	    "<msgType>Cancel</msgType>", 25));
	rm_buf_fini(&r.body);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "media_types", test_media_types },
		{ "issue_export_feed", test_issue_export_feed },
		CU_TEST_INFO_NULL,
	};

	CU_pSuite s = CU_add_suite("node.http_cap", http_fx_init, http_fx_fini);

	for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
		CU_add_test(s, t->pName, t->pTestFunc);
}
