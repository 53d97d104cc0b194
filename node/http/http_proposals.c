/*
 * http_proposals.c -- the proposals resource group (docs/API.md
 * "Proposals and rules"):
 *   GET  /v1/proposals[?area=]         open proposals (every agency's)
 *   GET  /v1/proposals.csv[?area=]     the same as CSV (UTF-8 BOM, CRLF)
 *   POST /v1/proposals/{id}/confirm    the own warning proposal -> an
 *                                      alert (service_proposal_confirm)
 *   POST /v1/rules/observations        observations for the rules engine
 *                                      (node_rules_observe)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "node/http/http_int.h"

#define OBS_MAX 10000          /* observations per request */

static int
list_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	json_t *arr = arg, *o = repr_record_object(rec, h);

	(void)p;
	(void)n;
	if (o == NULL || json_array_append_new(arr, o) != 0)
		return RM_ENOMEM;
	return RM_OK;
}

static const char *
area_param(struct http_call_ctx *c)
{
	for (size_t i = 0; i < c->q->n; i++)
		if (strcmp(c->q->p[i].name, "area") == 0)
			return c->q->p[i].val;
	return NULL;
}

/* GET /v1/proposals */
int
http_get_proposals(struct http_call_ctx *c)
{
	json_t *arr = json_array();
	int rv;

	if (arr == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	if ((rv = service_proposals_list(c->n, area_param(c), rm_utc_now_ms(),
	    list_each, arr, &c->why)) != RM_OK) {
		json_decref(arr);
		return rv;
	}
	http_res_json(c->res, 200, json_pack("{s:I,s:o}", "count",
	    (json_int_t)json_array_size(arr), "proposals", arr));
	return RM_OK;
}

static const char *const csv_header[] = { "object_id", "origin", "area",
	"rule", "type", "state", "grade", "event", "headline", "assignee",
	"subject", "raised", "evidence" };
#define CSV_COLS (sizeof(csv_header) / sizeof(csv_header[0]))

static int
csv_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	const struct rm_proposal *pr = record_proposal(rec);
	char raised[32], ev[1024], v[64];
	const char *f[CSV_COLS];
	size_t o = 0;

	(void)h;
	(void)p;
	(void)n;
	if (pr == NULL)
		return RM_OK;
	rm_utc_format(pr->raised_ms, raised);
	ev[0] = '\0';
	for (size_t i = 0; i < pr->n_evidence && o < sizeof(ev); i++) {
		const struct rm_proposal_evidence *x = &pr->evidence[i];

		if (x->has_value)
			proposal_num_text(&x->value, v, sizeof(v));
		else
			snprintf(v, sizeof(v), "%s", grade_name(x->grade));
		o += (size_t)snprintf(ev + o, sizeof(ev) - o, "%s%s %s %s",
		    i > 0 ? "; " : "", x->what, x->code, v);
	}
	f[0] = rec->object_id;
	f[1] = rec->origin;
	f[2] = rec->areas[0];
	f[3] = pr->rule;
	f[4] = proposal_type_name(pr->type);
	f[5] = proposal_state_name(pr->state);
	f[6] = pr->grade != 0 ? grade_name(pr->grade) : NULL;
	f[7] = pr->event;
	f[8] = pr->headline;
	f[9] = pr->assignee[0] != '\0' ? pr->assignee : NULL;
	f[10] = pr->subject;
	f[11] = raised;
	f[12] = ev;
	return rm_csv_row(arg, f, CSV_COLS);
}

/* GET /v1/proposals.csv */
int
http_get_proposals_csv(struct http_call_ctx *c)
{
	rm_buf *b = &c->res->body;
	int rv;

	rm_buf_reset(b);
	if ((rv = rm_csv_bom(b)) != RM_OK ||
	    (rv = rm_csv_row(b, csv_header, CSV_COLS)) != RM_OK)
		return http_refuse(c, 500, rv, "", "out of memory");
	if ((rv = service_proposals_list(c->n, area_param(c), rm_utc_now_ms(),
	    csv_each, b, &c->why)) != RM_OK) {
		rm_buf_reset(b);
		return rv;
	}
	c->res->status = 200;
	c->res->content_type = HTTP_CT_CSV;
	return RM_OK;
}

/* POST /v1/proposals/{id}/confirm */
int
http_post_proposal_confirm(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2];
	struct service_issued is;
	int rv;

	if ((rv = http_path_object_id(c, oid)) != RM_OK)
		return rv;
	rv = service_proposal_confirm(c->n, oid, &is, &c->why);
	return http_issue_answer(c, rv, &is);
}

/* One {"code", "area", "time", "value"} of POST /v1/rules/observations. */
static int
obs_one(struct http_call_ctx *c, json_t *o, size_t i)
{
	static const char *const keys[] = { "code", "area", "time", "value",
		NULL };
	char pre[48];
	const char *code, *area, *ts;
	json_t *v = json_object_get(o, "value");
	rm_utc_ms t;
	int rv;

	snprintf(pre, sizeof(pre), "observations[%zu].", i);
	if (!json_is_object(o))
		return rm_fail_at(&c->why, RM_EMALFORMED, "observations",
		    "%.40s: an object {code, area, time, value}", pre);
	if ((rv = req_check_keys(o, keys, pre, &c->why)) != RM_OK ||
	    (rv = req_get_str(o, "code", "observations", true, RM_PROPOSAL_CODE_MAX,
	    &code, &c->why)) != RM_OK ||
	    (rv = req_get_str(o, "area", "observations", true,
	    RM_AREA_CODE_MAX, &area, &c->why)) != RM_OK ||
	    (rv = req_get_str(o, "time", "observations", true, 40, &ts,
	    &c->why)) != RM_OK)
		return rv;
	if (rm_utc_parse(ts, &t) != RM_OK)
		return rm_fail_at(&c->why, RM_EBADVALUE, "observations", "%stime:"
		    " \"%.40s\" is not an RFC 3339 time with an offset", pre, ts);
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return rm_fail_at(&c->why, v == NULL ? RM_EMISSING :
		    RM_EMALFORMED, "observations", "%svalue: a JSON number", pre);
	return node_rules_observe(c->n, code, area, t, json_number_value(v),
	    &c->why);
}

/* POST /v1/rules/observations: {"observations": [...]} -> 202
 * {"accepted": n}; the first bad one stops the rest (those before it
 * are taken). */
int
http_post_rules_observations(struct http_call_ctx *c)
{
	static const char *const keys[] = { "observations", NULL };
	json_t *root = NULL, *arr;
	size_t i;
	int rv;

	if ((rv = req_json_object(c->req->body, c->req->body_len, &root,
	    &c->why)) != RM_OK ||
	    (rv = req_check_keys(root, keys, "", &c->why)) != RM_OK ||
	    (rv = req_get_array(root, "observations", true, 1, OBS_MAX, &arr,
	    &c->why)) != RM_OK)
		goto out;
	for (i = 0; i < json_array_size(arr); i++)
		if ((rv = obs_one(c, json_array_get(arr, i), i)) != RM_OK)
			goto out;
	http_res_json(c->res, 202, json_pack("{s:I}", "accepted",
	    (json_int_t)i));
out:
	json_decref(root);
	return rv;
}
