/*
 * http_risk_report.c -- the register's reports (docs/API.md "Risk
 * register views"):
 *   GET /v1/risks/summary[?area=CODE]   the roll-up: counts by grade and
 *                                       status for the area, each child
 *                                       area and each responsible unit
 *   GET /v1/risks/diff?from=&to=[&area=]   the changes between dates
 */
#include <stdio.h>
#include <string.h>

#include "node/http/http_int.h"

#define DAY_MS (24LL * 3600 * 1000)

static json_t *
counts_json(const struct service_risk_counts *c)
{
	return json_pack("{s:I,s:{s:I,s:I,s:I,s:I},s:{s:I,s:I}}",
	    "total", (json_int_t)c->total,
	    "grade", "red", (json_int_t)c->grade[RM_GRADE_RED],
	    "orange", (json_int_t)c->grade[RM_GRADE_ORANGE],
	    "yellow", (json_int_t)c->grade[RM_GRADE_YELLOW],
	    "blue", (json_int_t)c->grade[RM_GRADE_BLUE],
	    "status", "identified", (json_int_t)c->status[RM_RISK_IDENTIFIED],
	    "controlled", (json_int_t)c->status[RM_RISK_CONTROLLED]);
}

static int
summary_each(void *arg, enum service_risk_group group, const char *name,
    const struct service_risk_counts *c)
{
	json_t *root = arg, *o = counts_json(c);

	if (o == NULL)
		return RM_ENOMEM;
	switch (group) {
	case SERVICE_RISK_AREA_TOTAL:
		return json_object_set_new(root, "total", o) == 0 ? RM_OK :
		    RM_ENOMEM;
	case SERVICE_RISK_AREA_CHILD:
		json_object_set_new(o, "area", json_string(name));
		return json_array_append_new(json_object_get(root, "areas"),
		    o) == 0 ? RM_OK : RM_ENOMEM;
	default:
		json_object_set_new(o, "responsible", json_string(name));
		return json_array_append_new(json_object_get(root,
		    "responsible"), o) == 0 ? RM_OK : RM_ENOMEM;
	}
}

/* GET /v1/risks/summary */
int
http_get_risks_summary(struct http_call_ctx *c)
{
	const char *area = NULL;
	json_t *root;
	int rv;

	if (c->q->n == 1) {
		area = c->q->p[0].val;
		if (!area_code_valid(area))
			return http_refuse(c, 422, RM_EBADVALUE, "area", "\"%.40s\" "
			    "is not a GB/T 2260 area code", area);
	}
	root = json_pack("{s:s?,s:[],s:[]}", "area", area, "areas",
	    "responsible");
	if (root == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	if ((rv = service_risks_summary(c->n, area, rm_utc_now_ms(),
	    summary_each, root, &c->why)) != RM_OK) {
		json_decref(root);
		return rv;
	}
	http_res_json(c->res, 200, root);
	return RM_OK;
}

/* A date "YYYY-MM-DD" (its start, UTC; with end: the start of the next
 * day, so that to=DATE includes that day) or an RFC 3339 time. */
static int
time_param(struct http_call_ctx *c, const char *name, const char *v,
    bool end, rm_utc_ms *out)
{
	char t[40];
	rm_utc_ms last;

	/* The answer names its bounds as RFC 3339 times (years 0000-9999):
	 * to=9999-12-31 would end in the year 10000. */
	if (rm_utc_parse("9999-12-31T00:00:00Z", &last) != RM_OK)
		return http_refuse(c, 500, RM_EINVAL, name, "time limits");
	if (strlen(v) == 10 && risk_date_valid(v)) {
		snprintf(t, sizeof(t), "%sT00:00:00Z", v);
		if (rm_utc_parse(t, out) == RM_OK) {
			*out += end ? DAY_MS : 0;
			goto range;
		}
	} else if (rm_utc_parse(v, out) == RM_OK) {
		goto range;
	}
	return http_refuse(c, 422, RM_EBADVALUE, name, "\"%.40s\" is not a "
	    "date YYYY-MM-DD or an RFC 3339 time", v);
range:
	if (*out > last)
		return http_refuse(c, 422, RM_EBADVALUE, name, "\"%.40s\" is "
		    "after 9999-12-30 (a diff ends by 9999-12-31T00:00:00Z)", v);
	return RM_OK;
}

static json_t *
time_json(rm_utc_ms t)
{
	char s[32];

	rm_utc_format(t, s);
	return json_string(s);
}

static int
diff_each(void *arg, const struct service_risk_change *ch)
{
	json_t *changes = arg, *o;
	const struct rm_risk *cur = record_risk(ch->cur);
	const struct rm_risk *old = ch->old != NULL ? record_risk(ch->old) :
	    NULL;

	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:I}",
	    "change", ch->change, "origin", ch->cur->origin,
	    "id", ch->cur->object_id, "name", cur->name,
	    "area", ch->cur->areas[0], "grade", grade_name(cur->grade),
	    "ver", (json_int_t)ch->cur->ver, "issued",
	    time_json(ch->cur->issued_ms), "versions",
	    (json_int_t)ch->versions);
	if (o == NULL)
		return RM_ENOMEM;
	json_object_set_new(o, "status", json_string(risk_status_name(
	    cur->status)));
	if (old != NULL) {
		json_object_set_new(o, "old_grade",
		    json_string(grade_name(old->grade)));
		json_object_set_new(o, "old_status",
		    json_string(risk_status_name(old->status)));
		json_object_set_new(o, "old_ver", json_integer(
		    (json_int_t)ch->old->ver));
		json_object_set_new(o, "old_issued",
		    time_json(ch->old->issued_ms));
	}
	if (cur->reason != NULL)
		json_object_set_new(o, "reason", json_string(cur->reason));
	return json_array_append_new(changes, o) == 0 ? RM_OK : RM_ENOMEM;
}

/* GET /v1/risks/diff */
int
http_get_risks_diff(struct http_call_ctx *c)
{
	const char *from = NULL, *to = NULL, *area = NULL;
	rm_utc_ms from_ms, to_ms;
	json_t *changes;
	int rv;

	for (size_t i = 0; i < c->q->n; i++) {
		const char *nm = c->q->p[i].name, *v = c->q->p[i].val;

		if (!c->q->p[i].has_val || v[0] == '\0')
			return http_refuse(c, 422, RM_EBADVALUE, nm,
			    "needs a value");
		if (strcmp(nm, "from") == 0)
			from = v;
		else if (strcmp(nm, "to") == 0)
			to = v;
		else
			area = v;
	}
	if (from == NULL || to == NULL)
		return http_refuse(c, 400, RM_EMISSING, from == NULL ? "from" :
		    "to", "required (a date YYYY-MM-DD)");
	if ((rv = time_param(c, "from", from, false, &from_ms)) != RM_OK ||
	    (rv = time_param(c, "to", to, true, &to_ms)) != RM_OK)
		return rv;
	if ((changes = json_array()) == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	if ((rv = service_risks_diff(c->n, from_ms, to_ms, area, diff_each,
	    changes, &c->why)) != RM_OK) {
		json_decref(changes);
		return rv;
	}
	http_res_json(c->res, 200, json_pack("{s:o,s:o,s:I,s:o}", "from",
	    time_json(from_ms), "to", time_json(to_ms), "count",
	    (json_int_t)json_array_size(changes), "changes", changes));
	return RM_OK;
}
