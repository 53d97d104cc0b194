/*
 * http_int.h -- shared by the files of node/http only (the public part is
 * node/http/http.h): request JSON parsing, the error mapping and the
 * route handlers of each resource group.
 *
 * Request bodies are strict (docs/API.md "POST /v1/alerts"): one JSON
 * object without duplicate keys, unknown fields refused, and every
 * refusal is rm_fail_at() with the JSON path of the offending value
 * ("texts[1].lang"): why->field is the top-level request field
 * ("texts") and the message starts with the path when it is deeper
 * ("texts[1].lang: required"). The HTTP status follows from the rm_err
 * (http_status_for): not JSON, wrong JSON type, required field missing,
 * unknown field 400; well-formed but invalid value (unknown grade, bad
 * area code, time without offset, expires not after effective, open
 * polygon, over a limit of schemas/schemas.h) 422.
 *
 * Thread rules: everything here is reentrant.
 */
#ifndef RM_NODE_HTTP_INT_H
#define RM_NODE_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "node/http/http.h"

/* ---------------- errors (http_error.c) ---------------- */

/*
 * The HTTP status of a refusal (docs/API.md "Errors"): EMALFORMED,
 * EMISSING, EUNKNOWN, ENONCANON 400; EUNAUTH, EUNKNOWNSIGNER, EBADSIG
 * 403 (401 is the bearer check's own); ENOTFOUND 404; EEXIST 409;
 * EBUSY 409 when why names a field (the object changed concurrently)
 * and 503 when it does not (the node is not ready: own-log guard);
 * ECLOSED 503; EUNSUPPORTED 415 (a Content-Type the route does not
 * take); EBADVALUE, ETOOBIG, EINVAL, EEXPIRED, EGAP 422; anything
 * else (ESTORE, EIO, ENOMEM, EFORK, ECRYPTO, …) 500. Routes that need
 * another status for an error (400 ETOOBIG for a too long path, 405)
 * pass it to http_error_res() themselves.
 */
int http_status_for(int err, const rm_why *why);

/*
 * A lower layer's diagnostic in the request's terms: when why names no
 * field, a leading "path: " of why->msg (schemas/, roster_authorise())
 * is rewritten to the request's path ("alert.texts[0].areaDesc" ->
 * "texts[0].area_desc", "oid" -> "object_id", "alert.id" ->
 * "identifier") and why->field becomes its top-level part ("texts").
 * A message without a leading "path: " is left as it is (field "").
 */
void http_why_request_path(rm_why *why);

/* The cleaned (repr_text_clean) field and reason of the error body for
 * why; fl and rl are the buffer sizes. */
void http_error_text(const rm_why *why, char *field, size_t fl,
    char *reason, size_t rl);

/*
 * The log line of one refused request (status >= 400), rate-limited per
 * status: at most HTTP_REFUSAL_LOG_BURST lines a minute for each of 400,
 * 401, 403, 404, 405, 406, 409, 413, 415, 422, 429, 500, 501 and 503,
 * and as many for all other 4xx and all other 5xx together; the first
 * line allowed after some were held back ends with how many. The
 * counters (node_count_http, /metrics) count every request whatever is
 * logged. level and the printf-style line as rm_log (tag "http").
 * Thread-safe (lock-free).
 */
#define HTTP_REFUSAL_LOG_BURST     10
#define HTTP_REFUSAL_LOG_WINDOW_MS 60000
void http_log_refusal(rm_log_level level, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same limit for a line on the security channel (rm_log_sec), e.g.
 * the 401 of a missing or wrong bearer token: its own slot per status. */
void http_log_refusal_sec(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A JSON response: v (consumed, json_decref()ed) serialised with
 * repr_dump_buf() and a newline; 500 ENOMEM body if that fails. */
void http_res_json(struct http_res *res, int status, json_t *v);

#define HTTP_CT_JSON "application/json"
#define HTTP_CT_CSV "text/csv; charset=utf-8"

/* A CSV response (RFC 4180, RFC 7111's text/csv with charset=utf-8):
 * 200 with the bytes of csv (a UTF-8 byte order mark first, so that
 * spreadsheet programs read Chinese text correctly: rm_csv_bom), moved
 * into the response (csv is left empty). */
void http_res_csv(struct http_res *res, rm_buf *csv);

/* ---------------- routing (http_routes.c) ---------------- */

#define HTTP_QUERY_PARAMS_MAX 12

/* A decoded query string: name=value pairs, each name once. */
struct http_query {
	size_t n;
	struct {
		char name[48];
		char val[256];
		bool has_val;        /* "name=…" rather than "name" */
	} p[HTTP_QUERY_PARAMS_MAX];
};

/* One request on its way through a route handler. */
struct http_call_ctx {
	struct node *n;
	const struct http_req *req;
	const struct http_query *q;
	const char *tail;            /* the path between the route's prefix
	                                and suffix (still percent-encoded) */
	size_t tail_len;
	struct http_res *res;        /* filled on success */
	int status;                  /* a refusal's status, 0 = the one
	                                http_status_for() gives */
	rm_why why;                  /* why the request was refused */
};

/* A route handler: fill c->res and return RM_OK, or refuse: return the
 * rm_err with c->why (and c->status, when it is not the err's usual
 * one) set. */
typedef int (*http_handler_fn)(struct http_call_ctx *c);

/* Refuse with an explicit status (0 = from err) and a reason for the
 * request field at path (rm_fail_at). Returns err. */
int http_refuse(struct http_call_ctx *c, int status, int err,
    const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

enum http_pct_rv { PCT_OK, PCT_BADESC, PCT_NUL, PCT_LONG, PCT_UTF8,
	PCT_CTRL };

/* Percent-decode s[0..n) into out (NUL-terminated; '+' stays '+') and
 * check the result is UTF-8 text without control characters. */
enum http_pct_rv http_pct_decode(const char *s, size_t n, char *out,
    size_t outlen);

/* 400 naming the part (path, query, a parameter) that failed to decode. */
int http_pct_refuse(struct http_call_ctx *c, enum http_pct_rv rv,
    const char *part);

/* The answer of an issue path that returned rv: a refusal (rv, with
 * c->why in the request's terms: http_why_request_path) or 201 with
 * what was issued, {hash, object_id, origin, seq, ver}. Returns rv. */
int http_issue_answer(struct http_call_ctx *c, int rv,
    const struct service_issued *is);

/* The route's tail as an object id (percent-decoded into oid): 404
 * ENOTFOUND if longer than RM_OBJECT_ID_MAX or not a valid object id
 * (object_id_valid: there is no such object), 400 if it does not
 * decode (http_pct_refuse). */
int http_path_object_id(struct http_call_ctx *c,
    char oid[RM_OBJECT_ID_MAX + 2]);

/* The media type of a Content-Type value (RFC 9110 §8.3.1), lower
 * case, without parameters or white space ("application/cap+xml"); ""
 * for NULL. Longer types are cut at 63 bytes. */
void http_media_type(const char *ct, char out[64]);
/* Is the media type of Content-Type value ct (NULL: none) `type`
 * (lower case, "text/csv")? Parameters ("; charset=utf-8") and case are
 * ignored (RFC 9110 §8.3.1). */
bool http_media_is(const char *ct, const char *type);

/* The origin of GET /v1/alerts/{id}.xml and /reach: the query's only
 * parameter origin= (422 if not an agency id), else the one agency with
 * an alert in force of that id (409 if several), else this node's. */
int http_alert_origin(struct http_call_ctx *c, const char *oid,
    char out[RM_AGENCY_ID_MAX + 1]);

/* Handlers of each resource group. */
int http_post_alert_cap(struct http_call_ctx *c);  /* http_cap.c */
int http_get_alert_xml(struct http_call_ctx *c);   /* http_cap.c */
int http_get_alerts_atom(struct http_call_ctx *c); /* http_cap.c */
int http_get_alerts(struct http_call_ctx *c);     /* http_alerts.c */
int http_get_alerts_csv(struct http_call_ctx *c); /* http_alerts.c */
int http_post_alert(struct http_call_ctx *c);
int http_post_cancel(struct http_call_ctx *c);
int http_post_records(struct http_call_ctx *c);
int http_get_record(struct http_call_ctx *c);     /* http_records.c */
int http_get_forks(struct http_call_ctx *c);      /* http_forks.c */
/* http_peers.c: the peer links and range-based reconciliation on demand */
int http_get_peers(struct http_call_ctx *c);      /* GET /v1/peers */
int http_get_peer(struct http_call_ctx *c);       /* GET /v1/peers/{id} */
int http_post_peer_sync(struct http_call_ctx *c); /* POST .../{id}/sync */
/* The JSON array of peer links of GET /v1/status and /v1/peers; NULL
 * when out of memory. */
json_t *http_peers_json(const struct fed_peer_status *p, size_t n);
/* Why a link is refused: {"by": "self"|"peer", "code", "reason"}; JSON
 * null when it is not refused. */
json_t *http_refusal_json(const struct fed_peer_status *p);
/* An RFC 3339 UTC time string, or JSON null for 0 (never). */
json_t *http_time_or_null(rm_utc_ms t);
int http_post_fork_resolve(struct http_call_ctx *c); /* http_forks.c */
int http_get_status(struct http_call_ctx *c);     /* http_status.c */
int http_get_risks(struct http_call_ctx *c);      /* http_risk_views.c */
int http_get_risks_csv(struct http_call_ctx *c);  /* http_risk_views.c */
int http_get_risks_summary(struct http_call_ctx *c); /* http_risk_report.c */
int http_get_risks_diff(struct http_call_ctx *c); /* http_risk_report.c */
/* One list filter of the risk views (area, responsible, grade, status,
 * category) into f; a bad value is refused (422, the field named).
 * http_risks.c. */
int http_risk_filter(struct http_call_ctx *c, const char *name,
    const char *val, struct service_risk_filter *f);
int http_post_risk(struct http_call_ctx *c);
int http_post_risk_update(struct http_call_ctx *c);
int http_post_risk_remove(struct http_call_ctx *c);
int http_post_risk_import(struct http_call_ctx *c); /* http_risk_import.c */
int http_get_metrics(struct http_call_ctx *c);    /* http_metrics.c */
int http_get_devices(struct http_call_ctx *c);    /* http_devices.c */
int http_post_device(struct http_call_ctx *c);
int http_delete_device(struct http_call_ctx *c);
int http_get_alert_reach(struct http_call_ctx *c);
int http_get_tasks(struct http_call_ctx *c);      /* http_tasks.c */
int http_get_tasks_csv(struct http_call_ctx *c);
int http_post_task(struct http_call_ctx *c);
int http_get_task(struct http_call_ctx *c);
int http_post_task_ack(struct http_call_ctx *c);
int http_post_task_close(struct http_call_ctx *c);
int http_get_indicators(struct http_call_ctx *c); /* http_indicators.c */
int http_get_indicators_csv(struct http_call_ctx *c);
int http_get_indicators_latest(struct http_call_ctx *c);
int http_post_indicators(struct http_call_ctx *c);
int http_get_indicator_defs(struct http_call_ctx *c);
int http_get_indicator_defs_csv(struct http_call_ctx *c);
int http_post_indicator_def(struct http_call_ctx *c);
int http_get_proposals(struct http_call_ctx *c);  /* http_proposals.c */
int http_get_proposals_csv(struct http_call_ctx *c);
int http_post_proposal_confirm(struct http_call_ctx *c);
int http_post_rules_observations(struct http_call_ctx *c);

/* ---------------- request JSON (req_*.c) ---------------- */

/* Context for turning a request into an alert draft. Borrowed strings. */
struct req_alert_ctx {
	const char *origin;             /* the node's own agency id */
	rm_utc_ms now_ms;               /* issued time; default effective */
	const char *default_identifier; /* used when "identifier" is absent
	                                   (service_alert_default_id) */
};

/*
 * Parse a POST /v1/alerts body (len bytes of UTF-8 JSON) into an alert
 * draft: kind alert, schema version 1, origin = ctx->origin, issued =
 * ctx->now_ms, ver = 0 and seq = 0 (the store assigns both), no
 * prev/supersedes. Defaults as in docs/API.md; object_id, when absent,
 * is the identifier if that is a valid object id, else
 * "<origin>-<16 hex digits of SHA-256(identifier)>". The draft is
 * checked with record_validate() (as ver 1, seq 1). *msg_type_set tells
 * whether the body named msg_type (may be NULL).
 * On success *out owns heap memory: record_fini() it. On error *out is
 * zeroed and why says what (field and reason).
 * Errors: RM_EMALFORMED (not JSON / wrong JSON type), RM_EMISSING,
 * RM_EUNKNOWN (unknown field), RM_EBADVALUE, RM_ETOOBIG, RM_ENOMEM.
 */
int req_alert_parse(const char *body, size_t len,
    const struct req_alert_ctx *ctx, struct rm_record *out,
    bool *msg_type_set, rm_why *why);

/*
 * The optional body of POST /v1/alerts/{object_id}/cancel:
 * {"reason": "…"} (1..RM_ALERT_DESCRIPTION_MAX bytes). *root is the
 * parsed body (json_decref() it, NULL when there is none) and *reason
 * borrows from it (NULL when absent). Errors as req_alert_parse.
 */
int req_cancel_parse(const char *body, size_t len, json_t **root,
    const char **reason, rm_why *why);

/*
 * Parse a POST /v1/risks (base NULL: a new risk) or POST /v1/risks/{id}
 * (base: the risk's latest version, whose fields the body's replace)
 * body into a risk draft of agency `origin`, issued now_ms: *out and
 * *body (zeroed here) borrow strings from *root (json_decref() it after
 * the draft is issued, also on error; NULL when the body did not
 * parse) and from base. Fields as docs/API.md "POST /v1/risks"; a new
 * risk's id defaults to default_id, its status to identified, its
 * responsible unit to origin; null clears an optional field of base
 * (point, measures, cooperating). The draft is checked with
 * record_validate (as ver 1, seq 1). Errors as req_alert_parse.
 */
int req_risk_parse(const char *text, size_t len, const char *origin,
    rm_utc_ms now_ms, const char *default_id, const struct rm_record *base,
    struct rm_record *out, struct rm_risk *body, json_t **root, rm_why *why);

/*
 * Parse a POST /v1/tasks body into a task draft of agency `origin`
 * issued now_ms (docs/API.md "Task dispatch"): *out and *t (zeroed
 * here) borrow strings from *root (json_decref() it after issuing, also
 * on error). The id defaults to default_id, areas to [area], lead to
 * the only assignee, priority to normal; assignees are sorted; deadline
 * is RFC 3339. Checked with record_validate (as ver 1, seq 1). Errors
 * as req_alert_parse.
 */
int req_task_parse(const char *text, size_t len, const char *origin,
    const char *area, rm_utc_ms now_ms, const char *default_id,
    struct rm_record *out, struct rm_task *t, json_t **root, rm_why *why);

/* POST /v1/tasks/{id}/ack: {"state", "note", "reason", "origin"}; the
 * strings borrow from *root (json_decref() it). note is required for
 * done, reason for refused (and only then). Errors as req_alert_parse. */
struct req_ack {
	const char *origin;          /* the task's assigner, or NULL */
	enum rm_ack_state state;
	const char *note, *reason;
};
int req_ack_parse(const char *text, size_t len, json_t **root,
    struct req_ack *out, rm_why *why);

/* POST /v1/tasks/{id}/close: optional {"status": "closed"|"cancelled",
 * "note"}; status defaults to closed. Errors as req_alert_parse. */
int req_close_parse(const char *text, size_t len, json_t **root,
    enum rm_task_status *status, const char **note, rm_why *why);

/*
 * Parse a POST /v1/indicator-defs body into an indicator_def draft of
 * agency origin, issued now_ms: *out and *body (zeroed here) borrow
 * strings from *root (json_decref() it after the draft is issued, also
 * on error). Fields as docs/API.md "Indicators"; the draft is checked
 * with record_validate (as ver 1, seq 1). Errors as req_alert_parse.
 */
int req_indicator_def_parse(const char *text, size_t len, const char *origin,
    rm_utc_ms now_ms, struct rm_record *out, struct rm_indicator_def *body,
    json_t **root, rm_why *why);

/*
 * Read NDJSON text[0..len) (one JSON object per line: code, area,
 * time, value as a string or a number, optional unit and source) as
 * indicator_csv_read reads CSV: good values into *vals (heap, free()),
 * refused lines to bad(). A number is taken as its shortest text of
 * at most 15 significant digits; send strings for more. Errors:
 * RM_ETOOBIG (more than max values), RM_ENOMEM.
 */
int req_indicator_ndjson(const char *text, size_t len, size_t max,
    struct rm_ind_value **vals, size_t *nvals, rm_ind_row_err_fn bad,
    void *arg, size_t *nbad);

/* EUNKNOWN for the first key of obj not in the NULL-terminated allowed
 * list; prefix ("texts[0].") is put before the key in the reported
 * path. Node-set fields get their own reason. */
int req_check_keys(json_t *obj, const char *const *allowed,
    const char *prefix, rm_why *why);

/* A string member: *out NULL if absent (or null) and optional;
 * EMISSING if missing and required, EMALFORMED if not a string;
 * EBADVALUE if empty or holding NUL, ETOOBIG if longer than max bytes.
 * *out borrows from obj. */
int req_get_str(json_t *obj, const char *key, const char *field,
    bool required, size_t max, const char **out, rm_why *why);

/* A coordinate v (a JSON number of decimal degrees, |v| <= limit) as
 * micro-degrees, rounded: EMISSING (v NULL), EMALFORMED (not a number),
 * EBADVALUE (out of range), naming path f. */
int req_get_coord(json_t *v, const char *f, double limit, int32_t *out,
    rm_why *why);

/* jansson's reason for a body that is not JSON, in the API's words
 * (its "\\u0000 is not allowed without JSON_ALLOW_NUL" names an
 * internal flag): a static string or jerr->text. */
const char *req_json_error_text(const json_error_t *jerr);

/* Parse len bytes of body as one JSON object without duplicate keys
 * into *root (json_decref() it, also on error; NULL when it is not
 * JSON). Errors: RM_EMALFORMED (not JSON, not an object). */
int req_json_object(const char *body, size_t len, json_t **root,
    rm_why *why);

/* strcmp for qsort over arrays of char[N] (area codes, agency ids). */
int req_str_cmp(const void *a, const void *b);

/* strdup for the record (NULL stays NULL); RM_ENOMEM. */
int req_dup_str(const char *s, const char *field, char **out, rm_why *why);

/* An array member: *out NULL if absent and optional; EMISSING if
 * missing and required, EMALFORMED if not an array; EBADVALUE if it has
 * fewer than min, ETOOBIG if more than max elements. */
int req_get_array(json_t *obj, const char *key, bool required, size_t min,
    size_t max, json_t **out, rm_why *why);

#endif /* RM_NODE_HTTP_INT_H */
