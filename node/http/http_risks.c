/*
 * http_risks.c -- the risks resource group (docs/API.md):
 *   (the GET views are in http_risk_views.c and http_risk_report.c)
 *   POST /v1/risks                 a new risk (service_risk_issue)
 *   POST /v1/risks/{id}            its next version: the body's fields
 *                                  replace the latest version's
 *   POST /v1/risks/{id}/remove     {"reason": ...} (service_risk_remove)
 */
#include <stdio.h>
#include <string.h>

#include "node/http/http_int.h"

int
http_risk_filter(struct http_call_ctx *c, const char *name, const char *val,
    struct service_risk_filter *f)
{
	enum rm_risk_status st;
	enum rm_risk_category cat;

	/* "管控中", "较大 orange": the register's words, as in its CSV */
	if (strcmp(name, "area") != 0 && strcmp(name, "responsible") != 0)
		val = repr_risk_value_en(val);
	if (strcmp(name, "area") == 0)
		f->area = val;
	else if (strcmp(name, "responsible") == 0) {
		if (!agency_id_valid(val))
			return http_refuse(c, 422, RM_EBADVALUE, "responsible",
			    "\"%.40s\" is not an agency id (%s)", val,
			    RM_AGENCY_ID_RULE);
		f->responsible = val;
	}
	else if (strcmp(name, "grade") == 0) {
		if (risk_grade_parse(val, &f->grade) != RM_OK)
			return http_refuse(c, 422, RM_EBADVALUE, "grade",
			    "\"%.40s\" is not blue, yellow, orange or red", val);
	} else if (strcmp(name, "status") == 0) {
		if (risk_status_parse(val, &st) != RM_OK ||
		    st == RM_RISK_REMOVED)
			return http_refuse(c, 422, RM_EBADVALUE, "status",
			    "\"%.40s\" is not identified or controlled (removed "
			    "risks are not in force)", val);
		f->status = st;
	} else {
		if (risk_category_parse(val, &cat) != RM_OK)
			return http_refuse(c, 422, RM_EBADVALUE, "category",
			    "\"%.40s\" is not natural, accident, public_health "
			    "or social_security", val);
		f->category = cat;
	}
	return RM_OK;
}

/* POST /v1/risks */
int
http_post_risk(struct http_call_ctx *c)
{
	struct service_issued is;
	struct rm_record draft;
	struct rm_risk body;
	char defid[RM_ALERT_IDENTIFIER_MAX + 1];
	rm_utc_ms now = rm_utc_now_ms();
	json_t *root;
	int rv;

	if ((rv = service_alert_default_id(c->n, now, defid, &c->why)) !=
	    RM_OK)
		return rv;
	if ((rv = req_risk_parse(c->req->body, c->req->body_len,
	    c->n->cfg.agency, now, defid, NULL, &draft, &body, &root,
	    &c->why)) == RM_OK)
		rv = service_risk_issue(c->n, &draft, NULL, &is, &c->why);
	json_decref(root);
	return http_issue_answer(c, rv, &is);
}

/* POST /v1/risks/{id} */
int
http_post_risk_update(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2];
	struct service_issued is;
	struct rm_record cur, draft;
	struct rm_risk body;
	rm_hash h;
	json_t *root = NULL;
	int rv;

	if ((rv = http_path_object_id(c, oid)) != RM_OK)
		return rv;
	if ((rv = service_risk_latest(c->n, oid, &cur, &h, &c->why)) != RM_OK)
		return rv;
	if ((rv = req_risk_parse(c->req->body, c->req->body_len,
	    c->n->cfg.agency, rm_utc_now_ms(), NULL, &cur, &draft, &body,
	    &root, &c->why)) == RM_OK)
		rv = service_risk_issue(c->n, &draft, &h, &is, &c->why);
	json_decref(root);
	record_fini(&cur);
	return http_issue_answer(c, rv, &is);
}

/* POST /v1/risks/{id}/remove */
int
http_post_risk_remove(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2];
	struct service_issued is;
	const char *reason;
	json_t *root;
	int rv;

	if ((rv = http_path_object_id(c, oid)) != RM_OK)
		return rv;
	if ((rv = req_cancel_parse(c->req->body, c->req->body_len, &root,
	    &reason, &c->why)) == RM_OK)
		rv = service_risk_remove(c->n, oid, reason, &is, &c->why);
	json_decref(root);
	return http_issue_answer(c, rv, &is);
}
