/*
 * task_kind.c -- the record kind "task" (schemas.h, "task dispatch";
 * CDDL in schemas/task.cddl): a task an agency dispatches to others.
 * Keys in deterministic order (RFC 8949 §4.2.1); optional keys
 * ("note", "links", "detail") are absent rather than empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/task_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const priorities[] = { "urgent", "high", "normal",
	"low" };
static const char *const statuses[] = { "open", "closed", "cancelled" };

enum task_key {
	TASK_LEAD, TASK_NOTE, TASK_LINKS, TASK_DETAIL, TASK_STATUS,
	TASK_SUBJECT, TASK_DEADLINE, TASK_PRIORITY, TASK_ASSIGNEES, TASK_NKEYS
};
static const char *const task_keys[TASK_NKEYS] = { "lead", "note",
	"links", "detail", "status", "subject", "deadline", "priority",
	"assignees" };
#define TASK_OPTIONAL ((1u << TASK_NOTE) | (1u << TASK_LINKS) | \
	(1u << TASK_DETAIL))
#define TASK_ALL ((1u << TASK_NKEYS) - 1)

SCH_ENUM_NAMES(task_priority, enum rm_task_priority, priorities)
SCH_ENUM_NAMES(task_status, enum rm_task_status, statuses)

int
task_status_next(const struct rm_task *cur, const struct rm_task *next,
    rm_why *why)
{
	if (cur == NULL && next->status != RM_TASK_OPEN)
		return rm_fail_at(why, RM_EBADVALUE, "status", "a new task is "
		    "open, not %s", task_status_name(next->status));
	if (cur != NULL && cur->status != RM_TASK_OPEN)
		return rm_fail_at(why, RM_EEXIST, "status", "the task is %s "
		    "(final); dispatch a new task", task_status_name(
		    cur->status));
	return RM_OK;
}

struct rm_task *
record_task(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_task)
		return NULL;
	return rec->body;
}

static int
put_kv(rm_buf *b, enum task_key k, const char *v)
{
	return sch_put_text_entry(b, task_keys[k], v);
}

static int
task_encode(const void *body, rm_buf *b)
{
	const struct rm_task *t = body;
	size_t n = 6 + (t->note != NULL) + (t->n_links > 0) +
	    (t->detail != NULL);
	int rv;

	if ((rv = rm_cbor_put_map(b, n)) != RM_OK ||
	    (rv = put_kv(b, TASK_LEAD, t->lead)) != RM_OK)
		return rv;
	if (t->note != NULL && (rv = put_kv(b, TASK_NOTE, t->note)) != RM_OK)
		return rv;
	if (t->n_links > 0) {
		if ((rv = rm_cbor_put_cstr(b, task_keys[TASK_LINKS])) != RM_OK ||
		    (rv = rm_cbor_put_array(b, t->n_links)) != RM_OK)
			return rv;
		for (size_t i = 0; i < t->n_links; i++)
			if ((rv = sch_task_ref_encode(&t->links[i], b)) != RM_OK)
				return rv;
	}
	if (t->detail != NULL &&
	    (rv = put_kv(b, TASK_DETAIL, t->detail)) != RM_OK)
		return rv;
	if ((rv = put_kv(b, TASK_STATUS, task_status_name(t->status))) !=
	    RM_OK ||
	    (rv = put_kv(b, TASK_SUBJECT, t->subject)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, task_keys[TASK_DEADLINE])) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, (uint64_t)t->deadline_ms)) != RM_OK ||
	    (rv = put_kv(b, TASK_PRIORITY, task_priority_name(t->priority))) !=
	    RM_OK ||
	    (rv = rm_cbor_put_cstr(b, task_keys[TASK_ASSIGNEES])) != RM_OK)
		return rv;
	return sch_agency_list_encode(t->assignees, t->n_assignees, b);
}

static int
rd_links(rm_cbor_rd *rd, struct rm_task *t, rm_why *why)
{
	size_t n;
	int rv;

	if ((rv = sch_dec_array(rd, "task.links", &n, why)) != RM_OK)
		return rv;
	if (n == 0 || n > RM_TASK_LINKS_MAX)
		return rm_fail(why, RM_EBADVALUE, "task.links: 1..%d when "
		    "present, got %zu", RM_TASK_LINKS_MAX, n);
	for (size_t i = 0; i < n; i++)
		if ((rv = sch_task_ref_decode(rd, "task.links", &t->links[i],
		    why)) != RM_OK)
			return rv;
	t->n_links = n;
	return RM_OK;
}

static int
rd_field(rm_cbor_rd *rd, struct rm_task *t, enum task_key k, rm_why *why)
{
	const char *p;
	uint64_t u;
	size_t n;
	int v = 0, rv;

	switch (k) {
	case TASK_LEAD:
		if ((rv = sch_dec_text(rd, "task.lead", RM_AGENCY_ID_MAX, &p, &n,
		    why)) != RM_OK)
			return rv;
		memcpy(t->lead, p, n);
		t->lead[n] = '\0';
		return RM_OK;
	case TASK_NOTE:
		return sch_dec_strdup(rd, "task.note", RM_TASK_NOTE_MAX,
		    &t->note, why);
	case TASK_LINKS:
		return rd_links(rd, t, why);
	case TASK_DETAIL:
		return sch_dec_strdup(rd, "task.detail", RM_TASK_DETAIL_MAX,
		    &t->detail, why);
	case TASK_STATUS:
		rv = sch_dec_enum(rd, "task.status", statuses, NELEM(statuses),
		    NULL, &v, why);
		t->status = (enum rm_task_status)v;
		return rv;
	case TASK_SUBJECT:
		return sch_dec_strdup(rd, "task.subject", RM_TASK_SUBJECT_MAX,
		    &t->subject, why);
	case TASK_DEADLINE:
		if ((rv = sch_dec_uint(rd, "task.deadline", &u, why)) != RM_OK)
			return rv;
		if (u == 0 || u > INT64_MAX)
			return rm_fail(why, RM_EBADVALUE, "task.deadline: out of "
			    "range");
		t->deadline_ms = (rm_utc_ms)u;
		return RM_OK;
	case TASK_PRIORITY:
		rv = sch_dec_enum(rd, "task.priority", priorities,
		    NELEM(priorities), NULL, &v, why);
		t->priority = (enum rm_task_priority)v;
		return rv;
	default:
		return sch_agency_list_decode(rd, "task.assignees", t->assignees,
		    RM_TASK_ASSIGNEES_MAX, &t->n_assignees, why);
	}
}

static int
task_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	struct rm_task *t = body;
	rm_cbor_keys ks;
	size_t npairs;
	unsigned seen = 0;
	int rv, i;

	if ((rv = sch_dec_map(rd, "task", &npairs, why)) != RM_OK)
		return rv;
	if (npairs < 6 || npairs > TASK_NKEYS)
		return rm_fail(why, RM_EMISSING, "task: 6..%d fields, got %zu",
		    TASK_NKEYS, npairs);
	rm_cbor_keys_init(&ks);
	for (size_t p = 0; p < npairs; p++) {
		if ((rv = sch_dec_key(rd, &ks, "task", task_keys, TASK_NKEYS,
		    &i, why)) != RM_OK)
			return rv;
		seen |= 1u << i;
		if ((rv = rd_field(rd, t, (enum task_key)i, why)) != RM_OK)
			return rv;
	}
	if ((seen | TASK_OPTIONAL) != TASK_ALL)
		return rm_fail(why, RM_EMISSING, "task: lead, status, subject, "
		    "deadline, priority and assignees are required");
	return RM_OK;
}

static int
task_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_task *t = rec->body;
	int rv;

	if (!task_id_valid(rec->object_id))
		return rm_fail(why, RM_EBADVALUE, "oid: a task id is 1..%d "
		    "bytes of an object id", RM_TASK_ID_MAX);
	if ((rv = sch_text_check(t->subject, "task.subject",
	    RM_TASK_SUBJECT_MAX, true, why)) != RM_OK ||
	    (rv = sch_text_check_lines(t->detail, "task.detail", RM_TASK_DETAIL_MAX,
	    false, why)) != RM_OK ||
	    (rv = sch_text_check_lines(t->note, "task.note", RM_TASK_NOTE_MAX,
	    false, why)) != RM_OK ||
	    (rv = sch_agency_list_check(t->assignees,
	    t->n_assignees, RM_TASK_ASSIGNEES_MAX,
	    "task.assignees", why)) != RM_OK)
		return rv;
	if (!task_is_assignee(t, t->lead))
		return rm_fail(why, RM_EBADVALUE, "task.lead: \"%.64s\" is not "
		    "one of the assignees", t->lead);
	if (task_is_assignee(t, rec->origin))
		return rm_fail(why, RM_EBADVALUE, "task.assignees: the assigner "
		    "%s cannot assign itself", rec->origin);
	if (t->n_links > RM_TASK_LINKS_MAX)
		return rm_fail(why, RM_EBADVALUE, "task.links: at most %d",
		    RM_TASK_LINKS_MAX);
	for (size_t i = 0; i < t->n_links; i++)
		if ((rv = sch_task_ref_check(&t->links[i], "task.links",
		    why)) != RM_OK)
			return rv;
	if (task_priority_name(t->priority) == NULL)
		return rm_fail(why, RM_EBADVALUE, "task.priority: out of range "
		    "(urgent|high|normal|low)");
	if (task_status_name(t->status) == NULL)
		return rm_fail(why, RM_EBADVALUE, "task.status: out of range "
		    "(open|closed|cancelled)");
	if (t->deadline_ms <= 0)
		return rm_fail(why, RM_EBADVALUE, "task.deadline: required, a "
		    "time after 1970");
	return RM_OK;
}

static void
task_fini(void *body)
{
	struct rm_task *t = body;

	free(t->subject);
	free(t->detail);
	free(t->note);
	t->subject = t->detail = t->note = NULL;
}

static size_t
task_recipients(const struct rm_record *rec, const char **out, size_t max)
{
	const struct rm_task *t = rec->body;

	for (size_t i = 0; i < t->n_assignees && i < max; i++)
		out[i] = t->assignees[i];
	return t->n_assignees;
}

static bool
task_in_force(const struct rm_record *rec)
{
	return ((const struct rm_task *)rec->body)->status == RM_TASK_OPEN;
}

/* Agency ids longer than a key allows are cut; the service compares
 * the fields themselves. */
static int
task_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	const struct rm_task *t = rec->body;
	char key[RM_INDEX_KEY_MAX + 1];
	int rv;

	snprintf(key, sizeof(key), "priority=%s",
	    task_priority_name(t->priority));
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	snprintf(key, sizeof(key), "origin=%.57s", rec->origin);
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	for (size_t i = 0; i < t->n_assignees; i++) {
		snprintf(key, sizeof(key), "assignee=%.55s", t->assignees[i]);
		if ((rv = emit(arg, key)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

static void
task_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_task *t = rec->body;

	snprintf(out, len, "task %s %s -> %s%s: %s",
	    task_priority_name(t->priority), task_status_name(t->status),
	    t->lead, t->n_assignees > 1 ? " +" : "", t->subject);
}

/* rm_kind_ops.transition: task_status_next against the latest version. */
static int
task_transition(const struct rm_record *prev, const struct rm_record *next,
    rm_why *why)
{
	return task_status_next(record_task(prev), record_task(next), why) == RM_OK ? RM_OK :
	    RM_EBADVALUE;
}

const struct rm_kind_ops rm_kind_task = {
	.name = "task",
	.cddl = "task.cddl",
	.body_size = sizeof(struct rm_task),
	.encode = task_encode,
	.decode = task_decode,
	.validate = task_validate,
	.fini = task_fini,
	.recipients = task_recipients,
	.in_force = task_in_force,
	.index_keys = task_index_keys,
	.summary = task_summary,
	.transition = task_transition,
};
