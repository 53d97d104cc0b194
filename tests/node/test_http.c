/*
 * test_http.c -- the HTTP/JSON API in-process through http_route():
 * auth, issue, update, cancel, list, records, status, metrics, the
 * msg_type rules, and every refusal (paths and queries that do not
 * decode, unknown or repeated query parameters, bad values), against a
 * real store in a temp dir (test_http_fx.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rm_version.h"
#include "test_http_fx.h"

static void
test_auth(void)
{
	struct http_res r;
	json_t *j;

	CU_ASSERT_EQUAL(call("GET", "/v1/status", NULL, NULL, &r, &j), 401);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "error")),
	    "EUNAUTH");
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/status", "Bearer " TOKEN "x", NULL,
	    &r, NULL), 401);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/status", "Bearer test-token", NULL,
	    &r, NULL), 401);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/metrics", "Basic " TOKEN, NULL, &r,
	    NULL), 401);
	rm_buf_fini(&r.body);
	/* unknown routes are not revealed without the token */
	CU_ASSERT_EQUAL(call("GET", "/nope", NULL, NULL, &r, NULL), 401);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/status", "bearer " TOKEN, NULL, &r,
	    &j), 200);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "agency")),
	    OWN);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j,
	    "roster_version")), 3);
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.http_status[401]), 5);
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.http_refused[RM_EUNAUTH]), 5);
}

static char first_hash[65];

static void
test_issue_and_get(void)
{
	struct http_res r;
	struct cose_sign1 msg;
	struct rm_record rec;
	crypto_key *pub = NULL;
	json_t *j;
	char uri[128];
	rm_why why;

	CU_ASSERT_EQUAL(call("POST", "/v1/alerts", AUTH, "{\"grade\":"
	    "\"orange\",\"areas\":[\"120116\"],\"object_id\":\"rain-1\","
	    TEXTS "}", &r, &j), 201);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j,
	    "object_id")), "rain-1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "origin")),
	    OWN);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "seq")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "ver")), 1);
	CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(j, "hash"))),
	    64);
	snprintf(first_hash, sizeof(first_hash), "%s",
	    json_string_value(json_object_get(j, "hash")));
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(records(), 1);
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.stored_local), 1);

	/* the signed record, as stored */
	snprintf(uri, sizeof(uri), "/v1/records/%s", first_hash);
	CU_ASSERT_EQUAL_FATAL(call("GET", uri, AUTH, NULL, &r, NULL), 200);
	CU_ASSERT_STRING_EQUAL(r.content_type,
	    "application/cose; cose-type=\"cose-sign1\"");
	CU_ASSERT_EQUAL_FATAL(cose_sign1_decode(r.body.data, r.body.len, &msg,
	    &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_public_key(fx.signer, &pub),
	    RM_OK);
	CU_ASSERT_EQUAL(cose_sign1_verify(pub, &msg, &why), RM_OK);
	crypto_key_free(pub);
	CU_ASSERT_EQUAL_FATAL(record_decode(msg.payload, msg.payload_len, &rec,
	    &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(rec.origin, OWN);
	CU_ASSERT_EQUAL(record_alert(&rec)->grade, RM_GRADE_ORANGE);
	CU_ASSERT_EQUAL(record_alert(&rec)->msg_type, RM_MSGTYPE_ALERT);
	CU_ASSERT_EQUAL(record_alert(&rec)->severity, RM_SEVERITY_SEVERE);
	record_fini(&rec);
	rm_buf_fini(&r.body);

	/* a second post to the object is its next version, an Update */
	CU_ASSERT_EQUAL(call("POST", "/v1/alerts", AUTH, "{\"grade\":"
	    "\"yellow\",\"areas\":[\"120116\"],\"object_id\":\"rain-1\","
	    TEXTS "}", &r, &j), 201);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "ver")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "seq")), 2);
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts?area=120116", AUTH, NULL, &r,
	    &j), 200);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "count")), 1);
	{
		json_t *a = json_array_get(json_object_get(j, "alerts"), 0);

		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a,
		    "msg_type")), "Update");
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "ver")), 2);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a,
		    "grade")), "yellow");
		CU_ASSERT_PTR_NOT_NULL(json_object_get(a, "supersedes"));
	}
	json_decref(j);
	rm_buf_fini(&r.body);
	/* area filters: the city contains the district; others do not */
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts?area=120000", AUTH, NULL, &r,
	    &j), 200);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts?area=110101", AUTH, NULL, &r,
	    &j), 200);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "count")), 0);
	json_decref(j);
	rm_buf_fini(&r.body);
	/* the same list as CSV: BOM, header, one row (the Update) */
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts.csv?area=120116", AUTH, NULL,
	    &r, NULL), 200);
	CU_ASSERT_STRING_EQUAL(r.content_type, "text/csv; charset=utf-8");
	CU_ASSERT_FATAL(rm_buf_cstr(&r.body) == RM_OK);
	CU_ASSERT(strncmp((char *)r.body.data, "\xef\xbb\xbfidentifier,origin,"
	    "object_id,ver,grade,", 32) == 0);
	CU_ASSERT(strstr((char *)r.body.data, ",rain-1,2,yellow,Update,"
	    "Actual,") != NULL);
	CU_ASSERT_PTR_NULL(strstr(strstr((char *)r.body.data, "\r\n") + 2,
	    "\r\n" "\xef"));
	rm_buf_fini(&r.body);
	expect_err("GET", "/v1/alerts.csv?area=12x", NULL, 422, "EBADVALUE",
	    "area");
}

static void
test_refusals(void)
{
	uint64_t before = records();

	expect_err("POST", "/v1/alerts", "{\"grade\":\"red\",\"areas\":"
	    "[\"120116\"]," TEXTS "}", 403, "EUNAUTH", "grade");
	expect_err("POST", "/v1/alerts", "{\"grade\":\"blue\",\"areas\":"
	    "[\"110101\"]," TEXTS "}", 403, "EUNAUTH", "areas");
	expect_err("POST", "/v1/alerts", "{\"grade\":\"purple\",\"areas\":"
	    "[\"120116\"]," TEXTS "}", 422, "EBADVALUE", "grade");
	expect_err("POST", "/v1/alerts", "{\"grade\": ", 400, "EMALFORMED", "");
	expect_err("POST", "/v1/alerts", NULL, 400, "EMISSING", "");
	expect_err("POST", "/v1/alerts", "{\"areas\":[\"120116\"]," TEXTS "}",
	    400, "EMISSING", "grade");
	expect_err("DELETE", "/v1/alerts", NULL, 405, "EINVAL", "");
	expect_err("POST", "/v1/status", NULL, 405, "EINVAL", "");
	expect_err("GET", "/v1/alerts/rain-1/cancel", NULL, 405, "EINVAL", "");
	expect_err("POST", "/v1/alerts/no-such/cancel", NULL, 404, "ENOTFOUND",
	    "object_id");
	expect_err("GET", "/v1/records/00112233", NULL, 400, "EMALFORMED",
	    "hash");
	expect_err("GET", "/v1/records/0000000000000000000000000000000000000000"
	    "000000000000000000000000", NULL, 404, "ENOTFOUND", "hash");
	expect_err("GET", "/v1/alerts?area=12011", NULL, 422, "EBADVALUE",
	    "area");
	expect_err("GET", "/v1/alerts?colour=red", NULL, 400, "EUNKNOWN",
	    "colour");
	expect_err("GET", "/nope", NULL, 404, "ENOTFOUND", "");
	CU_ASSERT_EQUAL(records(), before);
	{
		struct http_res r;

		call("DELETE", "/v1/alerts", AUTH, NULL, &r, NULL);
		CU_ASSERT_STRING_EQUAL(r.allow, "GET, POST");
		rm_buf_fini(&r.body);
	}
}

static void
test_cancel(void)
{
	struct http_res r;
	json_t *j;

	CU_ASSERT_EQUAL(call("POST", "/v1/alerts/rain-1/cancel", AUTH,
	    "{\"reason\":\"雨停了\"}", &r, &j), 201);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "ver")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "seq")), 3);
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts", AUTH, NULL, &r, &j), 200);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "count")), 0);
	CU_ASSERT(json_is_null(json_object_get(j, "area")));
	json_decref(j);
	rm_buf_fini(&r.body);
	expect_err("POST", "/v1/alerts/rain-1/cancel", NULL, 409, "EEXIST",
	    "object_id");
	expect_err("POST", "/v1/alerts/rain-1/cancel", "{\"why\":\"x\"}", 400,
	    "EUNKNOWN", "why");
	CU_ASSERT_EQUAL(records(), 3);
}

static void
test_metrics_status(void)
{
	struct http_res r;
	json_t *j;
	char *m;

	CU_ASSERT_EQUAL_FATAL(call("GET", "/metrics", AUTH, NULL, &r, NULL),
	    200);
	CU_ASSERT_STRING_EQUAL(r.content_type,
	    "text/plain; version=0.0.4; charset=utf-8");
	CU_ASSERT_EQUAL_FATAL(rm_buf_cstr(&r.body), RM_OK);
	m = (char *)r.body.data;
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\nriskmesh_records 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m,
	    "riskmesh_records_stored_total{source=\"local\"} 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m,
	    "riskmesh_http_requests_total{code=\"401\"} 5\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m,
	    "riskmesh_http_requests_total{code=\"403\"} 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m,
	    "riskmesh_http_refused_total{reason=\"EUNAUTH\"} 7\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m,
	    "riskmesh_records_refused_total{reason=\"EBADSIG\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "# TYPE riskmesh_coap_observers "
	    "gauge\n"));
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/status", AUTH, NULL, &r, &j), 200);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "records")), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j,
	    "version")), RM_VERSION);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "issued")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "http"), "refused"), "EUNAUTH")), 7);
	CU_ASSERT(json_is_array(json_object_get(j, "peers")));
	json_decref(j);
	rm_buf_fini(&r.body);
}

/* Undecodable paths and queries: 400 naming the part, never a 500. */
static void
test_paths_queries(void)
{
	uint64_t before = records(), e500 = atomic_load(&fx.ctr.http_status[500]);
	struct http_res r;
	json_t *j;

	expect_reason("POST", "/v1/alerts/%FF/cancel", NULL, 400, "EMALFORMED",
	    "path", "not UTF-8");
	expect_reason("POST", "/v1/alerts/%C0%AF/cancel", NULL, 400,
	    "EMALFORMED", "path", "not UTF-8");
	expect_reason("POST", "/v1/alerts/\xff\xfe/cancel", NULL, 400,
	    "EMALFORMED", "path", "not UTF-8");
	expect_reason("POST", "/v1/alerts/%ZZ/cancel", NULL, 400, "EMALFORMED",
	    "path", "bad percent escape");
	expect_reason("POST", "/v1/alerts/ab%2/cancel", NULL, 400, "EMALFORMED",
	    "path", "bad percent escape");
	expect_reason("POST", "/v1/alerts/a%00b/cancel", NULL, 400,
	    "EMALFORMED", "path", "NUL");
	expect_reason("GET", "/nope%1b[31m", NULL, 400, "EMALFORMED", "path",
	    "control character");
	expect_reason("GET", "/v1/alerts?%FF=1", NULL, 400, "EMALFORMED",
	    "query", "not UTF-8");
	expect_reason("GET", "/v1/alerts?area=%FF", NULL, 400, "EMALFORMED",
	    "query", "not UTF-8");
	expect_reason("GET", "/v1/alerts?area=1%Z0", NULL, 400, "EMALFORMED",
	    "query", "bad percent escape");
	expect_reason("GET", "/v1/alerts?area=120116&area=120101", NULL, 400,
	    "EMALFORMED", "area", "\"area\" given more than once");
	expect_reason("GET", "/v1/alerts?area=120116&", NULL, 400, "EMALFORMED",
	    "query", "empty parameter");
	expect_reason("GET", "/v1/alerts?=1", NULL, 400, "EMALFORMED", "query",
	    "without a name");
	expect_reason("GET", "/v1/alerts?colour=red", NULL, 400, "EUNKNOWN",
	    "colour", "unknown query parameter \"colour\" (allowed: area");
	expect_reason("GET", "/v1/status?verbose=1", NULL, 400, "EUNKNOWN",
	    "verbose", "this route takes none");
	expect_reason("GET", "/metrics?x", NULL, 400, "EUNKNOWN", "x",
	    "unknown query parameter");
	expect_reason("POST", "/v1/alerts?dry_run=1", "{}", 400, "EUNKNOWN",
	    "dry_run", "unknown query parameter");
	expect_reason("POST", "/v1/alerts/rain-1/cancel?force=1", NULL, 400,
	    "EUNKNOWN", "force", "unknown query parameter");
	expect_reason("GET", "/v1/records/00?x=1", NULL, 400, "EUNKNOWN", "x",
	    "unknown query parameter");
	expect_reason("GET", "/v1/alerts?area", NULL, 422, "EBADVALUE", "area",
	    "not a GB/T 2260 area code");
	/* a query parameter named with non-UTF-8 after decoding */
	expect_reason("GET", "/v1/alerts?a%E6%B0=1", NULL, 400, "EMALFORMED",
	    "query", "not UTF-8");
	/* valid UTF-8 (台) but not an object id: no such object, rule named */
	expect_reason("POST", "/v1/alerts/%E5%8F%B0/cancel", NULL, 404,
	    "ENOTFOUND", "object_id", "is not a valid object id (1..128 of");
	expect_reason("POST", "/v1/alerts/a@b/cancel", NULL, 404, "ENOTFOUND",
	    "object_id", "\"a@b\" is not a valid object id");
	expect_reason("POST", "/v1/alerts/../cancel", NULL, 404, "ENOTFOUND",
	    "object_id", "not \".\" or \"..\"");
	/* the method is echoed in a 404, cleaned */
	CU_ASSERT_EQUAL(call("G\xffT", "/x", AUTH, NULL, &r, &j), 404);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(j,
	    "reason")), "G\\xffT"));
	json_decref(j);
	rm_buf_fini(&r.body);
	/* a good query still works; '+' is not a space */
	CU_ASSERT_EQUAL(call("GET", "/v1/alerts?area=%31%32%30%31%31%36", AUTH,
	    NULL, &r, &j), 200);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "area")),
	    "120116");
	json_decref(j);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(call("GET", "/v1/status?", AUTH, NULL, &r, NULL), 200);
	rm_buf_fini(&r.body);
	CU_ASSERT_EQUAL(records(), before);
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.http_status[500]), e500);
}

/* The msg_type rules of POST /v1/alerts. */
static void
test_msg_types(void)
{
	uint64_t before = records(), ver = 0;
	char err[32];

	/* a new object starts with Alert */
	expect_reason("POST", "/v1/alerts", BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Update\""), 422, "EBADVALUE", "msg_type",
	    "Update needs an existing object");
	expect_reason("POST", "/v1/alerts", BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Cancel\""), 422, "EBADVALUE", "msg_type",
	    "a new object starts with msg_type Alert");
	expect_reason("POST", "/v1/alerts", BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Ack\""), 422, "EBADVALUE", "msg_type", "Ack");
	CU_ASSERT_EQUAL(records(), before);
	CU_ASSERT_EQUAL(post_alert(BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Alert\""), &ver, NULL, 0), 201);
	CU_ASSERT_EQUAL(ver, 1);
	/* an existing object: Alert is a conflict, Ack is no version */
	expect_reason("POST", "/v1/alerts", BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Alert\""), 409, "EEXIST", "msg_type",
	    "object mt-1 exists (ver 1); use msg_type Update");
	expect_reason("POST", "/v1/alerts", BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Ack\""), 422, "EBADVALUE", "msg_type",
	    "Update or a Cancel");
	CU_ASSERT_EQUAL(post_alert(BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Update\""), &ver, NULL, 0), 201);
	CU_ASSERT_EQUAL(ver, 2);
	CU_ASSERT_EQUAL(post_alert(BODY(",\"object_id\":\"mt-1\""), &ver, NULL,
	    0), 201);
	CU_ASSERT_EQUAL(ver, 3);
	/* Cancel through POST /v1/alerts */
	CU_ASSERT_EQUAL(post_alert(BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Cancel\""), &ver, NULL, 0), 201);
	CU_ASSERT_EQUAL(ver, 4);
	CU_ASSERT_EQUAL(records(), before + 4);
	/* a cancelled object is closed: no second Cancel, no revival */
	expect_reason("POST", "/v1/alerts", BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Cancel\""), 409, "EEXIST", "object_id",
	    "object mt-1 was cancelled at ver 4; issue a new object");
	CU_ASSERT_EQUAL(post_alert(BODY(",\"object_id\":\"mt-1\""), NULL, err,
	    sizeof(err)), 409);
	CU_ASSERT_STRING_EQUAL(err, "EEXIST");
	CU_ASSERT_EQUAL(post_alert(BODY(",\"object_id\":\"mt-1\","
	    "\"msg_type\":\"Update\""), NULL, err, sizeof(err)), 409);
	expect_reason("POST", "/v1/alerts/mt-1/cancel", NULL, 409, "EEXIST",
	    "object_id", "already cancelled at ver 4");
	CU_ASSERT_EQUAL(records(), before + 4);
	/* identifier that is no object id: derived object id, stable */
	CU_ASSERT_EQUAL(post_alert(BODY(",\"identifier\":\"TJ-气象-2026-001\""),
	    &ver, NULL, 0), 201);
	CU_ASSERT_EQUAL(ver, 1);
	CU_ASSERT_EQUAL(post_alert(BODY(",\"identifier\":\"TJ-气象-2026-001\""),
	    &ver, NULL, 0), 201);
	CU_ASSERT_EQUAL(ver, 2);
	{
		rm_hash h;

		CU_ASSERT_EQUAL(store_latest(fx.store, OWN,
		    OWN "-57d0a7e4e462a413", &h), RM_OK);
	}
	/* expires in the past, at issue time */
	expect_reason("POST", "/v1/alerts", BODY(",\"expires\":"
	    "\"2020-01-01T00:00:00+08:00\""), 422, "EBADVALUE", "expires",
	    "2019-12-31T16:00:00.000Z is in the past");
	expect_reason("POST", "/v1/alerts", BODY(",\"object_id\":\"a@b\""), 422,
	    "EBADVALUE", "object_id", "\"a@b\" is not a valid object id (1..128 "
	    "of A-Z a-z 0-9 . _ : -, not \".\" or \"..\")");
	expect_reason("POST", "/v1/alerts", "{\"grade\":\"blue\",\"areas\":"
	    "[\"120116\"],\"texts\":[{\"lang\":\"a\",\"event\":\"x\","
	    "\"headline\":\"y\"}]}", 422, "EBADVALUE", "texts",
	    "texts[0].lang: not a language tag");
	expect_reason("POST", "/v1/alerts", NULL, 400, "EMISSING", "",
	    "body: required (");
	expect_reason("POST", "/v1/alerts", "", 400, "EMISSING", "",
	    "body: required (");
}

/* A flood of refused requests: every one counted, the log lines about
 * them (the 401 on the security channel and the refusal line, each
 * with the attacker's path and query) rate-limited to 10 a minute each
 * (HTTP_REFUSAL_LOG_BURST, node/http/http_int.h). */
static void
test_refusal_log(void)
{
	char path[] = "/tmp/rm_http_log_XXXXXX", uri[64], line[2048];
	uint64_t before = atomic_load(&fx.ctr.http_status[401]);
	rm_log_level level = rm_log_get_level();
	struct http_res r;
	int fd, saved, n = 0;
	FILE *f;

	CU_ASSERT_FATAL((fd = mkstemp(path)) >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	rm_log_set_level(RM_LOG_INFO);
	for (int i = 0; i < 200; i++) {
		snprintf(uri, sizeof(uri), "/v1/status?probe=%d", i);
		CU_ASSERT_EQUAL(call("GET", uri, NULL, NULL, &r, NULL), 401);
		rm_buf_fini(&r.body);
	}
	rm_log_set_level(level);
	dup2(saved, STDERR_FILENO);
	close(saved);
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.http_status[401]) - before, 200);
	CU_ASSERT_FATAL((f = fdopen(fd, "r")) != NULL);
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, "probe=") != NULL;
	fclose(f);
	unlink(path);
	CU_ASSERT(n >= 1);
	CU_ASSERT(n <= 2 * 10);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "auth", test_auth },
		{ "issue_and_get", test_issue_and_get },
		{ "refusals", test_refusals },
		{ "cancel", test_cancel },
		{ "metrics_status", test_metrics_status },
		{ "paths_queries", test_paths_queries },
		{ "msg_types", test_msg_types },
		{ "refusal_log", test_refusal_log },
		CU_TEST_INFO_NULL,
	};
	CU_pSuite s = CU_add_suite("node.http", http_fx_init, http_fx_fini);

	for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
		CU_add_test(s, t->pName, t->pTestFunc);
}
