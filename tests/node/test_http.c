/*
 * test_http.c -- the HTTP/JSON API in-process: routes (auth, issue,
 * update, cancel, list, records, status, metrics, every refusal) against
 * a real store in a temp dir, then a few requests over a real socket to
 * nng's HTTP server (413 without reading the body, JSON 404/405).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "node/node.h"
#include "rm_test.h"

#define OWN   "120000.water"     /* areas 120000, max orange */
#define OTHER "120000.command"
#define TOKEN "test-token-0123456789abcdef"

static struct node n;
static char tmpdir[64];

static void
die(const char *what, const rm_why *why)
{
	fprintf(stderr, "fixture: %s: %s\n", what, why ? why->msg : "");
	abort();
}

static void
fx_agency(struct roster_agency *a, const char *id, crypto_key *k,
    const char *area, rm_grade max)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->name_en, sizeof(a->name_en), "%s", id);
	snprintf(a->name_zh, sizeof(a->name_zh), "测试 %s", id);
	snprintf(a->role, sizeof(a->role), "department");
	a->kinds = ROSTER_KIND_ALERT;
	a->max_grade = max;
	a->n_areas = 1;
	snprintf(a->areas[0], sizeof(a->areas[0]), "%s", area);
	if (crypto_key_kid(k, &a->kid) != RM_OK)
		abort();
	a->key = k;
}

static int
suite_init(void)
{
	struct store_opts so = { 0 };
	struct roster_agency a;
	struct roster *r;
	crypto_key *other;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	rm_log_set_level(RM_LOG_ERR);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rm-test-http.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	if (crypto_key_generate(&n.root, &why) != RM_OK ||
	    crypto_key_generate(&n.key, &why) != RM_OK ||
	    crypto_key_generate(&other, &why) != RM_OK)
		die("keys", &why);
	if (roster_new("http-test", 3, &r, &why) != RM_OK)
		die("roster_new", &why);
	fx_agency(&a, OWN, n.key, "120000", RM_GRADE_ORANGE);
	if (roster_put_agency(r, &a, &why) != RM_OK)
		die("put", &why);
	fx_agency(&a, OTHER, other, "120000", RM_GRADE_RED);
	if (roster_put_agency(r, &a, &why) != RM_OK)
		die("put", &why);
	if (roster_sign(r, n.root, &b, &why) != RM_OK)
		die("sign", &why);
	roster_free(r);
	crypto_key_free(other);
	if (roster_open(b.data, b.len, n.root, &n.roster, &why) != RM_OK)
		die("roster_open", &why);
	rm_buf_fini(&b);
	crypto_key_kid(n.key, &n.kid);
	config_defaults(&n.cfg);
	snprintf(n.cfg.agency, sizeof(n.cfg.agency), OWN);
	snprintf(n.cfg.http_token, sizeof(n.cfg.http_token), TOKEN);
	snprintf(n.cfg.data_dir, sizeof(n.cfg.data_dir), "%s/data", tmpdir);
	so.dir = n.cfg.data_dir;
	if (store_open(&so, &n.store, &why) != RM_OK)
		die("store_open", &why);
	pthread_mutex_init(&n.obs_mtx, NULL);
	n.obs_mtx_ok = true;
	store_set_observer(n.store, node_store_observer, &n);
	n.started_ms = rm_utc_now_ms();
	return 0;
}

static int
suite_fini(void)
{
	char cmd[128];

	node_stop(&n);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : 1;
}

/* One request through http_route(); the body of res is NUL-terminated
 * and parsed as JSON into *js when it is JSON (caller json_decref()s). */
static int
call(const char *method, const char *uri, const char *auth, const char *body,
    struct http_res *res, json_t **js)
{
	struct http_req q = { method, uri, auth, body,
	    body != NULL ? strlen(body) : 0 };

	memset(res, 0, sizeof(*res));
	http_route(&n, &q, res);
	if (js != NULL) {
		*js = json_loadb((const char *)res->body.data, res->body.len, 0,
		    NULL);
		CU_ASSERT_PTR_NOT_NULL(*js);
	}
	return res->status;
}

#define AUTH "Bearer " TOKEN

/* Expect an error: status, error name, field. */
static void
expect_err(const char *method, const char *uri, const char *body, int status,
    const char *err, const char *field)
{
	struct http_res r;
	json_t *j;

	CU_ASSERT_EQUAL(call(method, uri, AUTH, body, &r, &j), status);
	CU_ASSERT_STRING_EQUAL(r.content_type, "application/json");
	if (j != NULL) {
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j,
		    "error")), err);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j,
		    "field")), field);
		CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(j,
		    "reason")));
		json_decref(j);
	}
	rm_buf_fini(&r.body);
}

static uint64_t
records(void)
{
	struct store_stats ss;

	CU_ASSERT_EQUAL_FATAL(store_get_stats(n.store, &ss), RM_OK);
	return ss.records;
}

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
	CU_ASSERT_EQUAL(atomic_load(&n.ctr.http_status[401]), 5);
	CU_ASSERT_EQUAL(atomic_load(&n.ctr.http_refused[RM_EUNAUTH]), 5);
}

#define TEXTS "\"texts\":[{\"lang\":\"zh-CN\",\"event\":\"暴雨\"," \
    "\"headline\":\"暴雨橙色预警\"}]"

static char first_hash[65];

static void
test_issue_and_get(void)
{
	struct http_res r;
	struct cose_sign1 msg;
	struct rm_record rec;
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
	CU_ASSERT_EQUAL(atomic_load(&n.ctr.stored_local), 1);

	/* the signed record, as stored */
	snprintf(uri, sizeof(uri), "/v1/records/%s", first_hash);
	CU_ASSERT_EQUAL_FATAL(call("GET", uri, AUTH, NULL, &r, NULL), 200);
	CU_ASSERT_STRING_EQUAL(r.content_type,
	    "application/cose; cose-type=\"cose-sign1\"");
	CU_ASSERT_EQUAL_FATAL(cose_sign1_decode(r.body.data, r.body.len, &msg,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(cose_sign1_verify(n.key, &msg, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(msg.payload, msg.payload_len, &rec,
	    &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(rec.origin, OWN);
	CU_ASSERT_EQUAL(rec.u.alert.grade, RM_GRADE_ORANGE);
	CU_ASSERT_EQUAL(rec.u.alert.msg_type, RM_MSGTYPE_ALERT);
	CU_ASSERT_EQUAL(rec.u.alert.severity, RM_SEVERITY_SEVERE);
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
	expect_err("POST", "/v1/alerts", NULL, 400, "EMALFORMED", "");
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
	expect_err("POST", "/v1/alerts/rain-1/cancel", NULL, 422, "EBADVALUE",
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
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "issued")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "http"), "refused"), "EUNAUTH")), 7);
	CU_ASSERT(json_is_array(json_object_get(j, "peers")));
	json_decref(j);
	rm_buf_fini(&r.body);
}

/* Send raw bytes to the server, return the response (NUL-terminated). */
static void
raw(uint16_t port, const char *req, char *out, size_t outlen)
{
	struct sockaddr_in sa;
	size_t got = 0;
	ssize_t k;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	out[0] = '\0';
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	while (got + 1 < outlen &&
	    (k = read(fd, out + got, outlen - 1 - got)) > 0)
		got += (size_t)k;
	out[got] = '\0';
	close(fd);
}

static void
test_socket(void)
{
	char resp[4096];
	rm_why why;
	uint16_t port;

	CU_ASSERT_EQUAL_FATAL(http_start(&n, "127.0.0.1:0", &n.http, &why),
	    RM_OK);
	port = http_port(n.http);
	CU_ASSERT_FATAL(port != 0);
	/* 413 from the header alone: the 2 MB body is never sent */
	raw(port, "POST /v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: "
	    AUTH "\r\nContent-Length: 2000000\r\n\r\n", resp, sizeof(resp));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "HTTP/1.1 413"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "\"error\":\"ETOOBIG\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Connection: close"));
	raw(port, "GET /nothing HTTP/1.1\r\nHost: x\r\nAuthorization: " AUTH
	    "\r\nConnection: close\r\n\r\n", resp, sizeof(resp));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "HTTP/1.1 404"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Content-Type: application/json"));
	raw(port, "PUT /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: " AUTH
	    "\r\nConnection: close\r\n\r\n", resp, sizeof(resp));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "HTTP/1.1 405"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Allow: GET"));
	/* a body is read and routed */
	raw(port, "POST /v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: " AUTH
	    "\r\nConnection: close\r\nContent-Length: 16\r\n\r\n"
	    "{\"grade\":\"blue\"}", resp, sizeof(resp));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "HTTP/1.1 400"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "\"field\":\"areas\""));
	http_stop(n.http);
	n.http = NULL;
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
		{ "socket", test_socket },
		CU_TEST_INFO_NULL,
	};
	CU_pSuite s = CU_add_suite("node.http", suite_init, suite_fini);

	for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
		CU_add_test(s, t->pName, t->pTestFunc);
}
