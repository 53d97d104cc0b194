/*
 * test_http_fx.c -- the fixture of the HTTP API tests (test_http_fx.h):
 * a node with a real store in a temp dir and a two-agency roster, and
 * request helpers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_http_fx.h"


struct node fx;
static char tmpdir[64];

static void
die(const char *what, const rm_why *why)
{
	fprintf(stderr, "fixture: %s: %s\n", what, why ? why->msg : "");
	abort();
}

rm_kind_set http_fx_kinds = ROSTER_KIND_ALERT;

static void
fx_agency(struct roster_agency *a, const char *id, crypto_key *k,
    const char *area, rm_grade max)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->name_en, sizeof(a->name_en), "%s", id);
	snprintf(a->name_zh, sizeof(a->name_zh), "测试 %s", id);
	snprintf(a->role, sizeof(a->role), "department");
	a->kinds = http_fx_kinds;
	a->max_grade = max;
	a->n_areas = 1;
	snprintf(a->areas[0], sizeof(a->areas[0]), "%s", area);
	if (crypto_key_kid(k, &a->kid) != RM_OK)
		abort();
	a->key = k;
}

int
http_fx_init(void)
{
	struct store_opts so = { 0 };
	struct roster_agency a;
	struct roster *r;
	crypto_key *other = NULL, *own = NULL, *root = NULL;
	crypto_key *own_enc = NULL, *other_enc = NULL;
	crypto_signer *root_signer = NULL;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	rm_log_set_level(RM_LOG_ERR);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rm-test-http.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	if (crypto_key_generate(&root, &why) != RM_OK ||
	    crypto_key_generate(&own, &why) != RM_OK ||
	    crypto_key_generate(&other, &why) != RM_OK ||
	    crypto_signer_from_key(root, &root_signer, &why) != RM_OK ||
	    crypto_signer_from_key(own, &fx.signer, &why) != RM_OK ||
	    crypto_signer_public_key(root_signer, &fx.root) != RM_OK)
		die("keys", &why);
	/* The node holds signers and the root's public key only. */
	crypto_key_free(root);
	if (roster_new("http-test", 3, &r, &why) != RM_OK)
		die("roster_new", &why);
	/* encryption keys for restricted records (docs/PROTOCOL.md §6a):
	 * the node holds OWN's as its decrypter */
	if (crypto_key_generate(&own_enc, &why) != RM_OK ||
	    crypto_key_generate(&other_enc, &why) != RM_OK ||
	    crypto_decrypter_from_key(own_enc, &fx.decrypter, &why) != RM_OK)
		die("enc keys", &why);
	fx_agency(&a, OWN, own, "120000", RM_GRADE_ORANGE);
	a.enc_key = own_enc;
	if (roster_put_agency(r, &a, &why) != RM_OK)
		die("put", &why);
	fx_agency(&a, OTHER, other, "120000", RM_GRADE_RED);
	a.enc_key = other_enc;
	if (roster_put_agency(r, &a, &why) != RM_OK)
		die("put", &why);
	crypto_key_free(own_enc);
	crypto_key_free(other_enc);
	if (roster_sign(r, root_signer, &b, &why) != RM_OK)
		die("sign", &why);
	roster_free(r);
	crypto_signer_free(root_signer);
	crypto_key_free(other);
	crypto_key_free(own);
	if (roster_open(b.data, b.len, fx.root, &fx.roster, &why) != RM_OK)
		die("roster_open", &why);
	rm_buf_fini(&b);
	crypto_signer_kid(fx.signer, &fx.kid);
	config_defaults(&fx.cfg);
	snprintf(fx.cfg.agency, sizeof(fx.cfg.agency), OWN);
	snprintf(fx.cfg.http_token, sizeof(fx.cfg.http_token), TOKEN);
	snprintf(fx.cfg.data_dir, sizeof(fx.cfg.data_dir), "%s/data", tmpdir);
	so.dir = fx.cfg.data_dir;
	if (store_open(&so, &fx.store, &why) != RM_OK)
		die("store_open", &why);
	pthread_mutex_init(&fx.obs_mtx, NULL);
	fx.obs_mtx_ok = true;
	store_set_observer(fx.store, node_store_observer, &fx);
	fx.started_ms = rm_utc_now_ms();
	return 0;
}

int
http_fx_fini(void)
{
	char cmd[128];

	node_stop(&fx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : 1;
}

const char *call_ct = "application/json";

/* One request through http_route(); the body of res is NUL-terminated
 * and parsed as JSON into *js when it is JSON (caller json_decref()s). */
int
call(const char *method, const char *uri, const char *auth, const char *body,
    struct http_res *res, json_t **js)
{
	/* a body is JSON unless call_ct() says otherwise */
	struct http_req q = { method, uri, auth, body,
	    body != NULL ? strlen(body) : 0, body != NULL ? call_ct : NULL };

	memset(res, 0, sizeof(*res));
	http_route(&fx, &q, res);
	if (js != NULL) {
		*js = json_loadb((const char *)res->body.data, res->body.len, 0,
		    NULL);
		CU_ASSERT_PTR_NOT_NULL(*js);
	}
	return res->status;
}


/* Expect an error: status, error name, field. */
void
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

uint64_t
records(void)
{
	struct store_stats ss;

	CU_ASSERT_EQUAL_FATAL(store_get_stats(fx.store, &ss), RM_OK);
	return ss.records;
}

/* Expect an error whose reason contains part. */
void
expect_reason(const char *method, const char *uri, const char *body,
    int status, const char *err, const char *field, const char *part)
{
	struct http_res r;
	json_t *j;
	const char *reason;

	CU_ASSERT_EQUAL(call(method, uri, AUTH, body, &r, &j), status);
	if (j == NULL) {
		rm_buf_fini(&r.body);
		return;
	}
	reason = json_string_value(json_object_get(j, "reason"));
	if (reason == NULL) {
		fprintf(stderr, "\n  %s %s: no error, status %d\n", method, uri,
		    r.status);
		CU_FAIL("no error body");
		json_decref(j);
		rm_buf_fini(&r.body);
		return;
	}
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "error")),
	    err);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "field")),
	    field);
	if (strstr(reason, part) == NULL) {
		fprintf(stderr, "\n  %s %s: reason \"%s\" lacks \"%s\"\n",
		    method, uri, reason, part);
		CU_FAIL("reason");
	}
	json_decref(j);
	rm_buf_fini(&r.body);
}

int
post_alert(const char *body, uint64_t *ver, char *err, size_t errlen)
{
	struct http_res r;
	json_t *j;
	int st = call("POST", "/v1/alerts", AUTH, body, &r, &j);

	if (ver != NULL)
		*ver = (uint64_t)json_integer_value(json_object_get(j, "ver"));
	if (err != NULL)
		snprintf(err, errlen, "%s", st >= 400 ? json_string_value(
		    json_object_get(j, "error")) : "");
	json_decref(j);
	rm_buf_fini(&r.body);
	return st;
}

/* Send raw bytes to the server, return the response (NUL-terminated). */
void
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
