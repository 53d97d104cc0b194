/*
 * http_alerts.c -- the alerts resource group (docs/API.md):
 *   GET  /v1/alerts[?area=CODE]           alerts in force
 *   GET  /v1/alerts.csv[?area=CODE]       the same as CSV
 *   POST /v1/alerts                        issue (req_alert_parse ->
 *                                          service_alert_issue) with
 *                                          application/json; CAP XML
 *                                          with application/cap+xml
 *                                          (http_cap.c); 415 otherwise
 *   POST /v1/alerts/{object_id}/cancel     cancel (service_alert_cancel)
 */
#include <stdio.h>
#include <string.h>

#include "node/cap/cap.h"
#include "node/http/http_int.h"

struct list_ctx {
	json_t *alerts;
	bool failed;
};

static int
list_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct list_ctx *c = arg;
	json_t *o = repr_record_object(rec, h);

	(void)p;
	(void)n;
	if (o == NULL || json_array_append_new(c->alerts, o) != 0) {
		c->failed = true;
		return RM_ENOMEM;
	}
	return RM_OK;
}

/* GET /v1/alerts[?area=CODE] (the query names only area: checked by
 * the route table). */
int
http_get_alerts(struct http_call_ctx *c)
{
	const struct http_query *q = c->q;
	const char *area = NULL;
	struct list_ctx l = { NULL, false };
	int rv;

	if (q->n == 1) {
		area = q->p[0].val;
		if (!q->p[0].has_val || strlen(area) > RM_AREA_CODE_MAX ||
		    !area_code_valid(area))
			return http_refuse(c, 422, RM_EBADVALUE, "area",
			    "\"%.40s\" is not a GB/T 2260 area code (6, 9 or "
			    "12 digits)", area);
	}
	if ((l.alerts = json_array()) == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	rv = service_alerts_active(c->n, area, rm_utc_now_ms(), list_each, &l,
	    &c->why);
	if (rv != RM_OK) {
		json_decref(l.alerts);
		c->status = 500;
		return rv;
	}
	http_res_json(c->res, 200, json_pack("{s:o,s:I,s:o}",
	    "area", area != NULL ? json_string(area) : json_null(),
	    "count", (json_int_t)json_array_size(l.alerts),
	    "alerts", l.alerts));
	return RM_OK;
}

/* The columns of GET /v1/alerts.csv. */
static const char *const csv_header[] = {
	"identifier", "origin", "object_id", "ver", "grade", "msg_type",
	"status", "event", "headline", "areas", "effective", "expires",
	"issued",
};
#define CSV_COLS (sizeof(csv_header) / sizeof(csv_header[0]))

/* One alert as a CSV row: its first text (the issuer's first
 * language), areas separated by ';'. */
static int
csv_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	const struct rm_alert *al = record_alert(rec);
	char ver[24], areas[RM_AREAS_MAX * (RM_AREA_CODE_MAX + 1) + 1] = "";
	char eff[32], exp[32] = "", iss[32];
	const char *f[CSV_COLS];
	size_t off = 0;

	(void)h;
	(void)p;
	(void)n;
	if (al == NULL)
		return RM_OK;
	snprintf(ver, sizeof(ver), "%llu", (unsigned long long)rec->ver);
	for (size_t i = 0; i < rec->n_areas; i++)
		off += (size_t)snprintf(areas + off, sizeof(areas) - off, "%s%s",
		    i > 0 ? ";" : "", rec->areas[i]);
	rm_utc_format(al->effective_ms, eff);
	if (rec->expires_ms != 0)
		rm_utc_format(rec->expires_ms, exp);
	rm_utc_format(rec->issued_ms, iss);
	f[0] = al->identifier;
	f[1] = rec->origin;
	f[2] = rec->object_id;
	f[3] = ver;
	f[4] = grade_name(al->grade);
	f[5] = cap_msgtype_name(al->msg_type);
	f[6] = cap_status_name(al->status);
	f[7] = al->n_texts > 0 ? al->texts[0].event : NULL;
	f[8] = al->n_texts > 0 ? al->texts[0].headline : NULL;
	f[9] = areas;
	f[10] = eff;
	f[11] = exp;
	f[12] = iss;
	return rm_csv_row(arg, f, CSV_COLS);
}

/* GET /v1/alerts.csv[?area=CODE]: the list of GET /v1/alerts as CSV. */
int
http_get_alerts_csv(struct http_call_ctx *c)
{
	const struct http_query *q = c->q;
	const char *area = q->n == 1 ? q->p[0].val : NULL;
	rm_buf csv = RM_BUF_INIT;
	int rv;

	if (area != NULL && (strlen(area) > RM_AREA_CODE_MAX ||
	    !area_code_valid(area)))
		return http_refuse(c, 422, RM_EBADVALUE, "area", "\"%.40s\" is "
		    "not a GB/T 2260 area code (6, 9 or 12 digits)", area);
	if ((rv = rm_csv_bom(&csv)) != RM_OK ||
	    (rv = rm_csv_row(&csv, csv_header, CSV_COLS)) != RM_OK ||
	    (rv = service_alerts_active(c->n, area, rm_utc_now_ms(), csv_each,
	    &csv, &c->why)) != RM_OK) {
		rm_buf_fini(&csv);
		c->status = 500;
		return rv;
	}
	http_res_csv(c->res, &csv);
	return RM_OK;
}

/* POST /v1/alerts */
int
http_post_alert(struct http_call_ctx *c)
{
	struct req_alert_ctx ctx;
	struct service_issued is;
	struct rm_record draft;
	char defid[RM_ALERT_IDENTIFIER_MAX + 1];
	char mt[64];
	bool mt_set;
	int rv;

	http_media_type(c->req->content_type, mt);
	if (strcmp(mt, CAP_MEDIA_TYPE) == 0)
		return http_post_alert_cap(c);
	/* no body and no type: the missing body is the error (400) */
	if (strcmp(mt, HTTP_CT_JSON) != 0 && (mt[0] != '\0' ||
	    c->req->body_len > 0))
		return http_refuse(c, 415, RM_EUNSUPPORTED, "content-type",
		    "Content-Type %.64s is not taken here: POST /v1/alerts takes "
		    HTTP_CT_JSON " or " CAP_MEDIA_TYPE " (CAP 1.2)",
		    mt[0] != '\0' ? mt : "(none)");
	ctx.origin = c->n->cfg.agency;
	ctx.now_ms = rm_utc_now_ms();
	if ((rv = service_alert_default_id(c->n, ctx.now_ms, defid,
	    &c->why)) != RM_OK)
		return rv;
	ctx.default_identifier = defid;
	if ((rv = req_alert_parse(c->req->body, c->req->body_len, &ctx,
	    &draft, &mt_set, &c->why)) != RM_OK)
		return rv;
	rv = service_alert_issue(c->n, &draft, mt_set, &is, &c->why);
	record_fini(&draft);
	return http_issue_answer(c, rv, &is);
}

/* POST /v1/alerts/{object_id}/cancel */
int
http_post_cancel(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2];
	struct service_issued is;
	const char *reason;
	json_t *root;
	int rv;

	if ((rv = http_path_object_id(c, oid)) != RM_OK)
		return rv;
	if ((rv = req_cancel_parse(c->req->body, c->req->body_len, &root,
	    &reason, &c->why)) != RM_OK)
		return rv;
	rv = service_alert_cancel(c->n, oid, reason, &is, &c->why);
	json_decref(root);
	return http_issue_answer(c, rv, &is);
}
