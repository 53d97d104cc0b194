/*
 * test_http_fx.h -- shared by the HTTP API tests (test_http.c,
 * test_http_net.c): a node `fx` whose store lives in a temp dir, its
 * roster (OWN may issue orange alerts in 120000, OTHER red; both have
 * encryption keys, and the node decrypts as OWN), and
 * helpers that route requests in-process or over a socket.
 */
#ifndef RM_TEST_HTTP_FX_H
#define RM_TEST_HTTP_FX_H

#include <stdint.h>

#include "node/daemon/daemon.h"
#include "node/http/http.h"
#include "rm_test.h"

#define OWN   "120000.water"     /* areas 120000, max orange */
#define OTHER "120000.command"
#define TOKEN "test-token-0123456789abcdef"
#define AUTH  "Bearer " TOKEN

#define TEXTS "\"texts\":[{\"lang\":\"zh-CN\",\"event\":\"暴雨\"," \
    "\"headline\":\"暴雨橙色预警\"}]"

#define BODY(extra) "{\"grade\":\"blue\",\"areas\":[\"120116\"]," TEXTS \
    extra "}"

extern struct node fx;
/* The kinds OWN and OTHER may publish (default: alert); set before
 * http_fx_init. */
extern rm_kind_set http_fx_kinds;

/* CUnit suite init/fini: the node, its store, the roster. */
int http_fx_init(void);
int http_fx_fini(void);

/* One request through http_route(); *js (if js) is the body as JSON,
 * caller json_decref()s. Returns the status. */
/* The Content-Type of the bodies call() sends ("application/json"
 * unless a test sets another; tests of the media type set it and put
 * it back). */
extern const char *call_ct;
int call(const char *method, const char *uri, const char *auth,
    const char *body, struct http_res *res, json_t **js);
/* Expect an error: status, error name, field (and a reason part). */
void expect_err(const char *method, const char *uri, const char *body,
    int status, const char *err, const char *field);
void expect_reason(const char *method, const char *uri, const char *body,
    int status, const char *err, const char *field, const char *part);
/* Records in the store. */
uint64_t records(void);
/* POST /v1/alerts; *ver (if ver) from a 201, err (if err) the error. */
int post_alert(const char *body, uint64_t *ver, char *err, size_t errlen);
/* Send raw bytes to 127.0.0.1:port, read the answer until EOF. */
void raw(uint16_t port, const char *req, char *out, size_t outlen);

#endif /* RM_TEST_HTTP_FX_H */
