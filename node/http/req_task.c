/*
 * req_task.c -- the bodies of POST /v1/tasks and POST
 * /v1/tasks/{id}/ack (docs/API.md "Task dispatch") as drafts and
 * arguments of the service (http_int.h). Drafts borrow their strings
 * from the parsed JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/http/http_int.h"

static const char *const task_keys[] = { "id", "areas", "subject",
	"detail", "assignees", "lead", "links", "priority", "deadline", NULL };

static int
get_assignees(json_t *root, struct rm_task *t, rm_why *why)
{
	json_t *arr, *v;
	char f[RM_WHY_FIELD_MAX];
	size_t i;
	int rv;

	if ((rv = req_get_array(root, "assignees", true, 1,
	    RM_TASK_ASSIGNEES_MAX, &arr, why)) != RM_OK)
		return rv;
	json_array_foreach(arr, i, v) {
		snprintf(f, sizeof(f), "assignees[%zu]", i);
		if (!json_is_string(v) || !agency_id_valid(json_string_value(v)))
			return rm_fail_at(why, RM_EBADVALUE, f, "\"%.64s\" is not "
			    "an agency id (%s)", json_is_string(v) ?
			    json_string_value(v) : "", RM_AGENCY_ID_RULE);
		snprintf(t->assignees[i], sizeof(t->assignees[i]), "%s",
		    json_string_value(v));
	}
	t->n_assignees = json_array_size(arr);
	qsort(t->assignees, t->n_assignees, sizeof(t->assignees[0]),
	    req_str_cmp);
	for (i = 1; i < t->n_assignees; i++)
		if (strcmp(t->assignees[i - 1], t->assignees[i]) == 0)
			return rm_fail_at(why, RM_EBADVALUE, "assignees", "%s is "
			    "named twice", t->assignees[i]);
	return RM_OK;
}

static int
get_links(json_t *root, struct rm_task *t, rm_why *why)
{
	json_t *arr, *v;
	const char *o, *id;
	char f[RM_WHY_FIELD_MAX];
	size_t i;
	int rv;

	if ((rv = req_get_array(root, "links", false, 0, RM_TASK_LINKS_MAX,
	    &arr, why)) != RM_OK || arr == NULL)
		return rv;
	json_array_foreach(arr, i, v) {
		snprintf(f, sizeof(f), "links[%zu].", i);
		if (!json_is_object(v))
			return rm_fail_at(why, RM_EMALFORMED, "links", "%s: must "
			    "be {\"origin\": AGENCY, \"oid\": ID}", f);
		if ((rv = req_check_keys(v, (const char *const[]){ "origin",
		    "oid", NULL }, f, why)) != RM_OK ||
		    (rv = req_get_str(v, "origin", "links", true,
		    RM_AGENCY_ID_MAX, &o, why)) != RM_OK ||
		    (rv = req_get_str(v, "oid", "links", true, RM_OBJECT_ID_MAX,
		    &id, why)) != RM_OK)
			return rv;
		if (!agency_id_valid(o) || !object_id_valid(id))
			return rm_fail_at(why, RM_EBADVALUE, "links", "links[%zu]: "
			    "origin must be an agency id and oid an object id",
			    i);
		snprintf(t->links[i].origin, sizeof(t->links[i].origin), "%s",
		    o);
		snprintf(t->links[i].oid, sizeof(t->links[i].oid), "%s", id);
	}
	t->n_links = json_array_size(arr);
	return RM_OK;
}

static int
get_areas(json_t *root, struct rm_record *rec, const char *def, rm_why *why)
{
	json_t *arr, *v;
	size_t i;
	int rv;

	if ((rv = req_get_array(root, "areas", false, 1, RM_AREAS_MAX, &arr,
	    why)) != RM_OK)
		return rv;
	if (arr == NULL) {
		rec->n_areas = 1;
		snprintf(rec->areas[0], sizeof(rec->areas[0]), "%s", def);
		return RM_OK;
	}
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) >
		    RM_AREA_CODE_MAX || !area_code_valid(json_string_value(v)))
			return rm_fail_at(why, RM_EBADVALUE, "areas", "areas[%zu]: "
			    "not a GB/T 2260 area code", i);
		snprintf(rec->areas[i], sizeof(rec->areas[i]), "%s",
		    json_string_value(v));
	}
	rec->n_areas = json_array_size(arr);
	qsort(rec->areas, rec->n_areas, sizeof(rec->areas[0]), req_str_cmp);
	return RM_OK;
}

int
req_task_parse(const char *text, size_t len, const char *origin,
    const char *area, rm_utc_ms now_ms, const char *default_id,
    struct rm_record *out, struct rm_task *t, json_t **root, rm_why *why)
{
	const char *s, *lead, *prio, *dl;
	int rv;

	memset(out, 0, sizeof(*out));
	memset(t, 0, sizeof(*t));
	if ((rv = req_json_object(text, len, root, why)) != RM_OK ||
	    (rv = req_check_keys(*root, task_keys, "", why)) != RM_OK ||
	    (rv = req_get_str(*root, "id", "id", false, RM_TASK_ID_MAX, &s,
	    why)) != RM_OK)
		return rv;
	if (s == NULL)
		s = default_id;
	if (!task_id_valid(s))
		return rm_fail_at(why, RM_EBADVALUE, "id", "\"%.80s\" is not a "
		    "task id (1..%d of A-Z a-z 0-9 . _ : -)", s, RM_TASK_ID_MAX);
	snprintf(out->object_id, sizeof(out->object_id), "%s", s);
	out->schema_version = RM_SCHEMA_VERSION;
	out->kind = &rm_kind_task;
	out->body = t;
	out->issued_ms = now_ms;
	snprintf(out->origin, sizeof(out->origin), "%s", origin);
	t->status = RM_TASK_OPEN;
	t->priority = RM_TASK_NORMAL;
	if ((rv = get_areas(*root, out, area, why)) != RM_OK ||
	    (rv = req_get_str(*root, "subject", "subject", true,
	    RM_TASK_SUBJECT_MAX, (const char **)&t->subject, why)) != RM_OK ||
	    (rv = req_get_str(*root, "detail", "detail", false,
	    RM_TASK_DETAIL_MAX, (const char **)&t->detail, why)) != RM_OK ||
	    (rv = get_assignees(*root, t, why)) != RM_OK ||
	    (rv = get_links(*root, t, why)) != RM_OK ||
	    (rv = req_get_str(*root, "lead", "lead", t->n_assignees > 1,
	    RM_AGENCY_ID_MAX, &lead, why)) != RM_OK ||
	    (rv = req_get_str(*root, "priority", "priority", false, 16, &prio,
	    why)) != RM_OK ||
	    (rv = req_get_str(*root, "deadline", "deadline", true, 40, &dl,
	    why)) != RM_OK)
		return rv;
	snprintf(t->lead, sizeof(t->lead), "%s", lead != NULL ? lead :
	    t->assignees[0]);
	if (prio != NULL && task_priority_parse(prio, &t->priority) != RM_OK)
		return rm_fail_at(why, RM_EBADVALUE, "priority", "\"%.20s\" is "
		    "not urgent, high, normal or low", prio);
	if (rm_utc_parse(dl, &t->deadline_ms) != RM_OK)
		return rm_fail_at(why, RM_EBADVALUE, "deadline", "\"%.40s\" is "
		    "not an RFC 3339 time with an offset", dl);
	out->ver = 1;
	out->seq = 1;
	rv = record_validate(out, why);
	out->ver = out->seq = 0;
	return rv;
}

int
req_ack_parse(const char *text, size_t len, json_t **root,
    struct req_ack *out, rm_why *why)
{
	static const char *const keys[] = { "origin", "state", "note",
		"reason", NULL };
	const char *st;
	int rv;

	memset(out, 0, sizeof(*out));
	if ((rv = req_json_object(text, len, root, why)) != RM_OK ||
	    (rv = req_check_keys(*root, keys, "", why)) != RM_OK ||
	    (rv = req_get_str(*root, "origin", "origin", false,
	    RM_AGENCY_ID_MAX, &out->origin, why)) != RM_OK ||
	    (rv = req_get_str(*root, "state", "state", true, 16, &st, why)) !=
	    RM_OK ||
	    (rv = req_get_str(*root, "note", "note", false, RM_TASK_NOTE_MAX,
	    &out->note, why)) != RM_OK ||
	    (rv = req_get_str(*root, "reason", "reason", false,
	    RM_TASK_NOTE_MAX, &out->reason, why)) != RM_OK)
		return rv;
	if (ack_state_parse(st, &out->state) != RM_OK)
		return rm_fail_at(why, RM_EBADVALUE, "state", "\"%.20s\" is not "
		    "received, in_progress, done or refused", st);
	if (out->state == RM_ACK_DONE && out->note == NULL)
		return rm_fail_at(why, RM_EMISSING, "note", "done needs a note "
		    "(what was done)");
	if (out->state == RM_ACK_REFUSED && out->reason == NULL)
		return rm_fail_at(why, RM_EMISSING, "reason", "a refusal needs a "
		    "reason");
	if (out->state != RM_ACK_REFUSED && out->reason != NULL)
		return rm_fail_at(why, RM_EBADVALUE, "reason", "only a refusal "
		    "has a reason");
	return RM_OK;
}

int
req_close_parse(const char *text, size_t len, json_t **root,
    enum rm_task_status *status, const char **note, rm_why *why)
{
	static const char *const keys[] = { "status", "note", NULL };
	const char *st = NULL;
	int rv;

	*root = NULL;
	*note = NULL;
	*status = RM_TASK_CLOSED;
	if (text == NULL || len == 0)
		return RM_OK;
	if ((rv = req_json_object(text, len, root, why)) != RM_OK ||
	    (rv = req_check_keys(*root, keys, "", why)) != RM_OK ||
	    (rv = req_get_str(*root, "status", "status", false, 16, &st,
	    why)) != RM_OK ||
	    (rv = req_get_str(*root, "note", "note", false, RM_TASK_NOTE_MAX,
	    note, why)) != RM_OK)
		return rv;
	if (st != NULL && (task_status_parse(st, status) != RM_OK ||
	    *status == RM_TASK_OPEN))
		return rm_fail_at(why, RM_EBADVALUE, "status", "\"%.20s\" is not "
		    "closed or cancelled", st);
	return RM_OK;
}
