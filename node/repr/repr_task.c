/*
 * repr_task.c -- the JSON shape of the bodies of task dispatch (docs/
 * API.md "Task dispatch"): task, ack, escalation. Times are RFC 3339
 * UTC; optional fields are absent.
 */
#include <string.h>

#include "node/repr/repr.h"

static bool
put(json_t *o, const char *k, json_t *v)
{
	return v != NULL && json_object_set_new(o, k, v) == 0;
}

static json_t *
when(rm_utc_ms ms)
{
	char s[40];

	rm_utc_format(ms, s);
	return json_string(s);
}

static json_t *
ref(const struct rm_task_ref *r)
{
	return json_pack("{s:s,s:s}", "origin", r->origin, "oid", r->oid);
}

static json_t *
ids(char (*a)[RM_AGENCY_ID_MAX + 1], size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(arr, json_string(a[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static bool
put_task(json_t *o, struct rm_task *t)
{
	json_t *links;

	if (!put(o, "subject", json_string(t->subject)) ||
	    (t->detail != NULL && !put(o, "detail", json_string(t->detail))) ||
	    !put(o, "assignees", ids(t->assignees, t->n_assignees)) ||
	    !put(o, "lead", json_string(t->lead)) ||
	    !put(o, "links", links = json_array()))
		return false;
	for (size_t i = 0; i < t->n_links; i++)
		if (json_array_append_new(links, ref(&t->links[i])) != 0)
			return false;
	return put(o, "priority", json_string(task_priority_name(t->priority)))
	    && put(o, "deadline", when(t->deadline_ms)) &&
	    put(o, "status", json_string(task_status_name(t->status))) &&
	    (t->note == NULL || put(o, "note", json_string(t->note)));
}

bool
repr_task_fields(json_t *o, const struct rm_record *rec)
{
	const struct rm_ack *a;
	struct rm_escalation *e;

	if (record_task(rec) != NULL)
		return put_task(o, record_task(rec));
	if ((a = record_ack(rec)) != NULL)
		return put(o, "task", ref(&a->task)) &&
		    put(o, "state", json_string(ack_state_name(a->state))) &&
		    (a->note == NULL || put(o, "note", json_string(a->note))) &&
		    (a->reason == NULL ||
		    put(o, "reason", json_string(a->reason)));
	if ((e = record_escalation(rec)) != NULL)
		return put(o, "task", ref(&e->task)) &&
		    put(o, "deadline", when(e->deadline_ms)) &&
		    put(o, "lead", json_string(e->lead)) &&
		    put(o, "pending", ids(e->pending, e->n_pending));
	return true;
}
