/*
 * test_http_restricted.c -- restricted alerts through the domain API and
 * the HTTP routes (docs/API.md, docs/PROTOCOL.md §6a): POST with "to",
 * the record and the alert list decrypted on a recipient's node and
 * without content on another (the same node with its decrypter taken
 * away), a restricted Cancel, the refusals of "to" and "view".
 */
#define _GNU_SOURCE     /* memmem */
#include <string.h>

#include "test_http_fx.h"

#define RBODY(oid, to) "{\"grade\":\"orange\",\"areas\":[\"120116\"]," \
    TEXTS ",\"object_id\":\"" oid "\",\"to\":" to "}"

/* POST, 201 expected; the record hash into hex. */
static void
issue(const char *body, char hex[65])
{
	struct http_res res;
	json_t *js;

	CU_ASSERT_EQUAL_FATAL(call("POST", "/v1/alerts", AUTH, body, &res,
	    &js), 201);
	snprintf(hex, 65, "%s", json_string_value(json_object_get(js,
	    "hash")));
	json_decref(js);
	rm_buf_fini(&res.body);
}

static json_t *
get_json(const char *uri)
{
	struct http_res res;
	json_t *js;

	CU_ASSERT_EQUAL(call("GET", uri, AUTH, NULL, &res, &js), 200);
	rm_buf_fini(&res.body);
	return js;
}

static const char *
str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

static void
test_issue_and_read(void)
{
	crypto_decrypter *d = fx.decrypter;
	char hex[65], uri[128];
	json_t *js, *to, *a;

	issue(RBODY("secret-1", "[\"" OTHER "\"]"), hex);
	snprintf(uri, sizeof(uri), "/v1/records/%s?view=json", hex);
	/* the origin is a recipient: content shown */
	js = get_json(uri);
	CU_ASSERT_TRUE(json_is_true(json_object_get(js, "restricted")));
	to = json_object_get(js, "to");
	CU_ASSERT_EQUAL(json_array_size(to), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(to, 0)), OTHER);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(to, 1)), OWN);
	CU_ASSERT_STRING_EQUAL(str(js, "grade"), "orange");
	json_decref(js);
	js = get_json("/v1/alerts");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(js, "count")), 1);
	a = json_array_get(json_object_get(js, "alerts"), 0);
	CU_ASSERT_STRING_EQUAL(str(a, "msg_type"), "Alert");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(a, "texts"));
	json_decref(js);

	/* a node that cannot read it: no content anywhere */
	fx.decrypter = NULL;
	js = get_json(uri);
	CU_ASSERT_TRUE(json_is_true(json_object_get(js, "restricted")));
	CU_ASSERT_STRING_EQUAL(str(js, "origin"), OWN);
	CU_ASSERT_STRING_EQUAL(str(js, "kind"), "alert");
	CU_ASSERT_PTR_NULL(json_object_get(js, "texts"));
	CU_ASSERT_PTR_NULL(json_object_get(js, "grade"));
	json_decref(js);
	js = get_json("/v1/alerts?area=120116");
	a = json_array_get(json_object_get(js, "alerts"), 0);
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "restricted")));
	CU_ASSERT_PTR_NULL(json_object_get(a, "texts"));
	json_decref(js);
	fx.decrypter = d;

	/* the raw record holds no plaintext */
	{
		struct http_res res;

		snprintf(uri, sizeof(uri), "/v1/records/%s", hex);
		CU_ASSERT_EQUAL(call("GET", uri, AUTH, NULL, &res, NULL), 200);
		CU_ASSERT(memmem(res.body.data, res.body.len, "暴雨橙色预警",
		    strlen("暴雨橙色预警")) == NULL);
		rm_buf_fini(&res.body);
	}
}

static void
test_cancel(void)
{
	crypto_decrypter *d = fx.decrypter;
	struct http_res res;
	char hex[65];
	json_t *js, *a;

	issue(RBODY("secret-2", "[\"" OTHER "\"]"), hex);
	CU_ASSERT_EQUAL(call("POST", "/v1/alerts/secret-2/cancel", AUTH,
	    NULL, &res, NULL), 201);
	rm_buf_fini(&res.body);
	/* on a recipient the Cancel ends it */
	js = get_json("/v1/alerts");
	for (size_t i = 0; i < json_array_size(json_object_get(js,
	    "alerts")); i++) {
		a = json_array_get(json_object_get(js, "alerts"), i);
		CU_ASSERT_STRING_NOT_EQUAL(str(a, "object_id"), "secret-2");
	}
	json_decref(js);
	/* elsewhere ver 2 stays listed, restricted to the same agencies */
	fx.decrypter = NULL;
	js = get_json("/v1/alerts");
	a = json_array_get(json_object_get(js, "alerts"), 0);
	CU_ASSERT_STRING_EQUAL(str(a, "object_id"), "secret-2");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "ver")), 2);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(a, "to")), 2);
	json_decref(js);
	fx.decrypter = d;
}

static void
test_refusals(void)
{
	uint64_t before = records();
	char hex[65];

	expect_err("POST", "/v1/alerts", RBODY("r-1", "[\"120105.nobody\"]"),
	    422, "EBADVALUE", "to");
	expect_reason("POST", "/v1/alerts", RBODY("r-1",
	    "[\"not an id\"]"), 422, "EBADVALUE", "to", "to[0]");
	expect_err("POST", "/v1/alerts", RBODY("r-1", "[\"" OTHER "\",\""
	    OTHER "\"]"), 422, "EBADVALUE", "to");
	expect_err("POST", "/v1/alerts", RBODY("r-1", "[]"), 422,
	    "EBADVALUE", "to");
	expect_err("POST", "/v1/alerts", RBODY("r-1", "\"" OTHER "\""), 400,
	    "EMALFORMED", "to");
	/* the grade is checked before encrypting (OWN: max orange) */
	expect_err("POST", "/v1/alerts", "{\"grade\":\"red\",\"areas\":"
	    "[\"120116\"]," TEXTS ",\"to\":[\"" OTHER "\"]}", 403, "EUNAUTH",
	    "grade");
	CU_ASSERT_EQUAL(records(), before);
	issue(RBODY("r-2", "[\"" OTHER "\"]"), hex);
	{
		char uri[128];

		snprintf(uri, sizeof(uri), "/v1/records/%s?view=xml", hex);
		expect_err("GET", uri, NULL, 400, "EBADVALUE", "view");
		snprintf(uri, sizeof(uri), "/v1/records/%s?format=json", hex);
		expect_err("GET", uri, NULL, 400, "EUNKNOWN", "format");
	}
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "issue_and_read", test_issue_and_read },
		{ "cancel", test_cancel },
		{ "refusals", test_refusals },
		CU_TEST_INFO_NULL,
	};
	CU_pSuite s = CU_add_suite("node.http_restricted", http_fx_init,
	    http_fx_fini);

	for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
		CU_add_test(s, t->pName, t->pTestFunc);
}
