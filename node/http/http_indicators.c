/*
 * http_indicators.c -- the indicator resource group (docs/API.md
 * "Indicators"):
 *   POST /v1/indicators[?skip_errors=1]   bulk values, text/csv or
 *                                  application/x-ndjson
 *                                  (service_indicator_ingest)
 *   GET  /v1/indicators[.csv]?code=&area=&match=&from=&to=&period=
 *        &order=&limit=            single values (service_indicator_values)
 *   GET  /v1/indicators/latest?code=&area=&match=   the newest per area
 *   POST /v1/indicator-defs        a definition (service_indicator_define)
 *   GET  /v1/indicator-defs[.csv]?code=&area=
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/http/http_int.h"

#define IND_ROWS_REPORTED 100        /* refused rows listed in detail */
#define IND_VALUES_MAX    200000     /* values of one request */

/* ---------------- POST /v1/indicators ---------------- */

struct rows {
	json_t *arr;
	size_t n;
	struct rm_ind_row_err first;
};

static void
row_bad(void *arg, const struct rm_ind_row_err *e)
{
	struct rows *r = arg;

	if (r->n++ == 0)
		r->first = *e;
	if (json_array_size(r->arr) < IND_ROWS_REPORTED)
		json_array_append_new(r->arr, json_pack("{s:I,s:I,s:s,s:s,s:s}",
		    "line", (json_int_t)e->line, "column",
		    (json_int_t)e->column, "field", e->field, "error",
		    rm_errname(e->err), "reason", e->reason));
}

/* 4xx with the refused rows: the error body plus "refused" and
 * "rows". Counted as a refusal (http_route counts the status). */
static int
rows_refuse(struct http_call_ctx *c, struct rows *r, int err)
{
	rm_why why;
	char field[RM_WHY_FIELD_MAX], reason[RM_WHY_MAX];

	if (r->first.column > 0)
		rm_fail_at(&why, err, r->first.field, "line %zu, column %zu: "
		    "%s", r->first.line, r->first.column, r->first.reason);
	else if (r->first.line > 0)
		rm_fail_at(&why, err, r->first.field, "line %zu: %s",
		    r->first.line, r->first.reason);
	else
		rm_fail_at(&why, err, r->first.field, "%s", r->n > 0 ?
		    r->first.reason : "no values");
	http_error_text(&why, field, sizeof(field), reason, sizeof(reason));
	if (err > 0 && err < RM_ERR_COUNT)
		atomic_fetch_add(&c->n->ctr.http_refused[err], 1);
	http_res_json(c->res, http_status_for(err, &why),
	    json_pack("{s:s,s:s,s:s,s:I,s:O}", "error", rm_errname(err),
	    "field", field, "reason", reason, "refused", (json_int_t)r->n,
	    "rows", r->arr));
	return RM_OK;
}

static json_t *
series_json(const struct service_ind_series *s)
{
	char hex[65], a[RM_IND_TIME_TEXT_MAX], b[RM_IND_TIME_TEXT_MAX];

	rm_hash_hex(&s->is.hash, hex);
	indicator_time_format(s->period, s->first, a);
	indicator_time_format(s->period, s->last, b);
	return json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s}",
	    "hash", hex, "object_id", s->is.object_id, "seq",
	    (json_int_t)s->is.seq, "code", s->code, "area", s->area, "unit",
	    s->unit, "source", indicator_source_name(s->source), "period",
	    indicator_period_name(s->period), "count", (json_int_t)s->count,
	    "from", a, "to", b);
}


int
http_post_indicators(struct http_call_ctx *c)
{
	const char *ct = c->req->content_type, *body = c->req->body;
	size_t len = c->req->body_len, nv = 0, nbad = 0;
	struct rows r = { json_array(), 0, { 0 } };
	struct rm_ind_value *v = NULL;
	struct service_ind_ingest res;
	bool skip = false, ndjson;
	json_t *recs;
	int rv;

	memset(&res, 0, sizeof(res));
	if (c->q->n == 1 && (!c->q->p[0].has_val ||
	    (strcmp(c->q->p[0].val, "1") != 0 &&
	    strcmp(c->q->p[0].val, "0") != 0))) {
		json_decref(r.arr);
		return http_refuse(c, 422, RM_EBADVALUE, "skip_errors", "0 or 1");
	}
	skip = c->q->n == 1 && strcmp(c->q->p[0].val, "1") == 0;
	if (ct != NULL && !http_media_is(ct, "text/csv") &&
	    !http_media_is(ct, "application/x-ndjson") && !http_media_is(ct, "text/plain")) {
		json_decref(r.arr);
		return http_refuse(c, 415, RM_EUNSUPPORTED, "content-type", "\"%.60s\""
		    " (text/csv or application/x-ndjson)", ct);
	}
	if (body == NULL || len == 0) {
		json_decref(r.arr);
		return http_refuse(c, 400, RM_EMISSING, "", "no values (a CSV "
		    "with header code,area,time,value[,unit,source], or "
		    "NDJSON)");
	}
	ndjson = http_media_is(ct, "application/x-ndjson") || (ct == NULL &&
	    body[0] == '{');
	rv = ndjson ? req_indicator_ndjson(body, len, IND_VALUES_MAX, &v, &nv,
	    row_bad, &r, &nbad) : indicator_csv_read(body, len,
	    IND_VALUES_MAX, &v, &nv, row_bad, &r, &nbad);
	if (rv == RM_ENOMEM) {
		rv = http_refuse(c, 500, rv, "", "out of memory");
		goto out;
	}
	if (rv != RM_OK || (nbad > 0 && !skip)) {
		rv = rows_refuse(c, &r, r.first.err ? r.first.err : rv);
		goto out;
	}
	if (nv == 0) {
		rv = rows_refuse(c, &r, RM_EMISSING);
		goto out;
	}
	rv = service_indicator_ingest(c->n, v, nv, skip, row_bad, &r, &res,
	    &c->why);
	if (rv != RM_OK) {
		if (r.n > nbad)     /* the service refused values */
			rv = rows_refuse(c, &r, rv);
		else
			http_why_request_path(&c->why);
		goto out;
	}
	if ((recs = json_array()) == NULL) {
		rv = http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < res.n_series; i++)
		json_array_append_new(recs, series_json(&res.series[i]));
	http_res_json(c->res, 201, json_pack("{s:I,s:I,s:I,s:O,s:o}",
	    "stored", (json_int_t)res.values, "refused", (json_int_t)r.n,
	    "series_count", (json_int_t)res.n_series, "rows", r.arr,
	    "series", recs));
out:
	json_decref(r.arr);
	free(res.series);
	free(v);
	return rv;
}

/* ---------------- definitions ---------------- */

int
http_post_indicator_def(struct http_call_ctx *c)
{
	struct service_issued is;
	struct rm_record draft;
	struct rm_indicator_def body;
	json_t *root = NULL;
	int rv;

	if ((rv = req_indicator_def_parse(c->req->body, c->req->body_len,
	    c->n->cfg.agency, rm_utc_now_ms(), &draft, &body, &root,
	    &c->why)) == RM_OK)
		rv = service_indicator_define(c->n, &draft, &is, &c->why);
	json_decref(root);
	return http_issue_answer(c, rv, &is);
}
