/*
 * http_tasks.c -- the tasks resource group (docs/API.md "Task
 * dispatch"):
 *   GET  /v1/tasks[?assigner=&assignee=&status=open&overdue=1&area=]
 *                                 open tasks with their acks
 *   GET  /v1/tasks.csv[?same]     the same view as CSV (UTF-8 BOM, CRLF)
 *   POST /v1/tasks                dispatch a task (service_task_issue)
 *   GET  /v1/tasks/{id}[?origin=] one task with its whole history
 *   POST /v1/tasks/{id}/ack       {state, note, reason, origin}
 *   POST /v1/tasks/{id}/close     {status: closed|cancelled, note}
 */
#include <stdio.h>
#include <string.h>

#include "node/http/http_int.h"

/* The JSON of one task view: the record's shape plus the view. */
static json_t *
view_object(const struct service_task_view *v)
{
	json_t *o = repr_record_object(v->rec, v->hash), *acks = json_array();
	char at[32];

	if (o == NULL || acks == NULL)
		goto fail;
	for (size_t i = 0; i < v->n_acks; i++) {
		const struct service_task_ack *a = &v->acks[i];
		json_t *x = json_pack("{s:s,s:o,s:I}", "agency", a->agency,
		    "state", a->state != 0 ?
		    json_string(ack_state_name(a->state)) : json_null(), "ver",
		    (json_int_t)a->ver);

		if (x != NULL && a->ver > 0) {
			rm_utc_format(a->issued_ms, at);
			json_object_set_new(x, "at", json_string(at));
		}
		if (x == NULL || json_array_append_new(acks, x) != 0)
			goto fail;
	}
	if (json_object_set_new(o, "acks", acks) != 0)
		goto fail_o;
	acks = NULL;
	if (json_object_set_new(o, "done", json_integer((json_int_t)v->n_done))
	    != 0 || json_object_set_new(o, "overdue", json_boolean(v->overdue))
	    != 0 || json_object_set_new(o, "escalated",
	    json_boolean(v->escalated)) != 0 ||
	    json_object_set_new(o, "ignored_acks",
	    json_integer((json_int_t)v->n_ignored)) != 0)
		goto fail_o;
	return o;
fail:
	json_decref(acks);
fail_o:
	json_decref(o);
	return NULL;
}

static int
list_each(void *arg, const struct service_task_view *v)
{
	json_t *o = view_object(v);

	if (o == NULL || json_array_append_new(arg, o) != 0)
		return RM_ENOMEM;
	return RM_OK;
}

static int
filters(struct http_call_ctx *c, struct service_task_filter *f)
{
	const struct http_query *q = c->q;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < q->n; i++) {
		const char *k = q->p[i].name, *v = q->p[i].val;

		if (!q->p[i].has_val || v[0] == '\0')
			return http_refuse(c, 422, RM_EBADVALUE, k, "needs a "
			    "value");
		if (strcmp(k, "assigner") == 0)
			f->assigner = v;
		else if (strcmp(k, "assignee") == 0)
			f->assignee = v;
		else if (strcmp(k, "area") == 0)
			f->area = v;
		else if (strcmp(k, "overdue") == 0) {
			if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0)
				return http_refuse(c, 422, RM_EBADVALUE, k,
				    "1 or 0");
			f->overdue = v[0] == '1';
		} else if (strcmp(v, "open") != 0)
			return http_refuse(c, 422, RM_EBADVALUE, k, "\"%.40s\": "
			    "lists hold open tasks (closed and cancelled ones "
			    "are not in force: GET /v1/tasks/{id} shows one)", v);
	}
	return RM_OK;
}

static int
collect(struct http_call_ctx *c, json_t **out)
{
	struct service_task_filter f;
	json_t *tasks;
	int rv;

	if ((rv = filters(c, &f)) != RM_OK)
		return rv;
	if ((tasks = json_array()) == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	if ((rv = service_tasks_list(c->n, &f, node_now(c->n), list_each,
	    tasks, &c->why)) != RM_OK) {
		json_decref(tasks);
		return rv;
	}
	*out = tasks;
	return RM_OK;
}

/* GET /v1/tasks */
int
http_get_tasks(struct http_call_ctx *c)
{
	json_t *tasks;
	int rv;

	if ((rv = collect(c, &tasks)) != RM_OK)
		return rv;
	http_res_json(c->res, 200, json_pack("{s:I,s:o}", "count",
	    (json_int_t)json_array_size(tasks), "tasks", tasks));
	return RM_OK;
}

/* One CSV row of a task's JSON view. */
static int
csv_row(rm_buf *b, json_t *t)
{
	char assignees[1200], acks[1600], done[32];
	const char *f[13];
	size_t i, la = 0, lk = 0;
	json_t *x;

	assignees[0] = acks[0] = '\0';
	json_array_foreach(json_object_get(t, "assignees"), i, x)
		la += (size_t)snprintf(assignees + la, la < sizeof(assignees) ?
		    sizeof(assignees) - la : 0, "%s%s", i ? ";" : "",
		    json_string_value(x));
	json_array_foreach(json_object_get(t, "acks"), i, x) {
		json_t *st = json_object_get(x, "state");

		lk += (size_t)snprintf(acks + lk, lk < sizeof(acks) ?
		    sizeof(acks) - lk : 0, "%s%s:%s", i ? ";" : "",
		    json_string_value(json_object_get(x, "agency")),
		    json_is_string(st) ? json_string_value(st) : "none");
	}
	snprintf(done, sizeof(done), "%lld/%zu",
	    (long long)json_integer_value(json_object_get(t, "done")),
	    json_array_size(json_object_get(t, "acks")));
	f[0] = json_string_value(json_object_get(t, "origin"));
	f[1] = json_string_value(json_object_get(t, "object_id"));
	f[2] = json_string_value(json_object_get(t, "subject"));
	f[3] = json_string_value(json_object_get(t, "priority"));
	f[4] = json_string_value(json_object_get(t, "deadline"));
	f[5] = json_string_value(json_object_get(t, "status"));
	f[6] = json_string_value(json_object_get(t, "lead"));
	f[7] = assignees;
	f[8] = done;
	f[9] = acks;
	f[10] = json_is_true(json_object_get(t, "overdue")) ? "yes" : "no";
	f[11] = json_is_true(json_object_get(t, "escalated")) ? "yes" : "no";
	f[12] = json_string_value(json_object_get(t, "issued"));
	return rm_csv_row(b, f, 13);
}

/* GET /v1/tasks.csv */
int
http_get_tasks_csv(struct http_call_ctx *c)
{
	static const char *const header[] = { "assigner 交办单位", "id 编号",
		"subject 事项", "priority 优先级", "deadline 期限",
		"status 状态", "lead 牵头单位", "assignees 承办单位",
		"done 已办结", "acks 签收情况", "overdue 超期",
		"escalated 已督办", "issued 交办时间" };
	json_t *tasks, *t;
	size_t i;
	int rv;

	if ((rv = collect(c, &tasks)) != RM_OK)
		return rv;
	rm_buf_reset(&c->res->body);
	rv = rm_csv_bom(&c->res->body);
	if (rv == RM_OK)
		rv = rm_csv_row(&c->res->body, header, 13);
	json_array_foreach(tasks, i, t)
		if (rv == RM_OK)
			rv = csv_row(&c->res->body, t);
	json_decref(tasks);
	if (rv != RM_OK)
		return http_refuse(c, 500, rv, "", "cannot write CSV");
	c->res->status = 200;
	c->res->content_type = HTTP_CT_CSV;
	return RM_OK;
}

/* POST /v1/tasks */
int
http_post_task(struct http_call_ctx *c)
{
	struct service_issued is;
	struct rm_record draft;
	struct rm_task body;
	struct roster *ro = node_roster(c->n);
	const struct roster_agency *a = ro != NULL ?
	    roster_find(ro, c->n->cfg.agency) : NULL;
	char defid[RM_ALERT_IDENTIFIER_MAX + 1], area[RM_AREA_CODE_MAX + 1];
	char id[RM_TASK_ID_MAX + 1];
	rm_utc_ms now = node_now(c->n);
	json_t *root = NULL;
	int rv;

	snprintf(area, sizeof(area), "%s", a != NULL && a->n_areas > 0 ?
	    a->areas[0] : "");
	roster_free(ro);
	if ((rv = service_alert_default_id(c->n, now, defid, &c->why)) !=
	    RM_OK)
		return rv;
	/* "<agency>-<ms>-<hex>" may be too long for a task id:
	 * "t-<ms>-<hex>" (the agency is the task's origin anyway) */
	snprintf(id, sizeof(id), "t-%.57s", defid + strlen(c->n->cfg.agency) +
	    (strlen(defid) > strlen(c->n->cfg.agency) ? 1 : 0));
	if ((rv = req_task_parse(c->req->body, c->req->body_len,
	    c->n->cfg.agency, area, now, id, &draft, &body, &root,
	    &c->why)) == RM_OK)
		rv = service_task_issue(c->n, &draft, NULL, &is, &c->why);
	json_decref(root);
	return http_issue_answer(c, rv, &is);
}

static int
hist_each(void *arg, const char *role, const rm_hash *h,
    const struct rm_record *rec)
{
	json_t *o = repr_record_object(rec, h);

	if (o == NULL || json_object_set_new(o, "role", json_string(role)) !=
	    0 || json_array_append_new(arg, o) != 0)
		return RM_ENOMEM;
	return RM_OK;
}

struct show {
	json_t *view, *hist;
};

static int
show_view(void *arg, const struct service_task_view *v)
{
	struct show *s = arg;

	return (s->view = view_object(v)) != NULL ? RM_OK : RM_ENOMEM;
}

static int
show_hist(void *arg, const char *role, const rm_hash *h,
    const struct rm_record *rec)
{
	return hist_each(((struct show *)arg)->hist, role, h, rec);
}

/* GET /v1/tasks/{id} */
int
http_get_task(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2];
	const char *origin = NULL;
	struct show s = { NULL, json_array() };
	int rv;

	if ((rv = http_path_object_id(c, oid)) != RM_OK)
		goto out;
	for (size_t i = 0; i < c->q->n; i++)
		origin = c->q->p[i].val;
	if ((rv = service_task_show(c->n, origin, oid, node_now(c->n),
	    show_view, show_hist, &s, &c->why)) != RM_OK)
		goto out;
	http_res_json(c->res, 200, json_pack("{s:o,s:o}", "task", s.view,
	    "history", s.hist));
	return RM_OK;
out:
	json_decref(s.view);
	json_decref(s.hist);
	return rv;
}

/* POST /v1/tasks/{id}/ack */
int
http_post_task_ack(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2];
	struct service_issued is;
	struct req_ack a;
	json_t *root = NULL;
	int rv;

	if ((rv = http_path_object_id(c, oid)) != RM_OK)
		return rv;
	if ((rv = req_ack_parse(c->req->body, c->req->body_len, &root, &a,
	    &c->why)) == RM_OK)
		rv = service_task_ack(c->n, a.origin, oid, a.state, a.note,
		    a.reason, &is, &c->why);
	json_decref(root);
	return http_issue_answer(c, rv, &is);
}

/* POST /v1/tasks/{id}/close */
int
http_post_task_close(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2];
	struct service_issued is;
	enum rm_task_status st;
	const char *note;
	json_t *root = NULL;
	int rv;

	if ((rv = http_path_object_id(c, oid)) != RM_OK)
		return rv;
	if ((rv = req_close_parse(c->req->body, c->req->body_len, &root, &st,
	    &note, &c->why)) == RM_OK)
		rv = service_task_close(c->n, oid, st, note, &is, &c->why);
	json_decref(root);
	return http_issue_answer(c, rv, &is);
}
