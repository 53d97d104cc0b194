/*
 * node_task.c -- task dispatch of the node's own agency (service.h,
 * "task dispatch"): new tasks, their next versions, closing, and the
 * acks of tasks assigned to the agency, all through the issue path of
 * node_issue.c (service_int.h). Views: node_task_view.c; the
 * escalation scheduler: node_task_sched.c.
 */
#include <stdio.h>
#include <string.h>

#include "node/service/service_int.h"

rm_utc_ms
node_now(struct node *n)
{
	return n->clock != NULL ? n->clock() : rm_utc_now_ms();
}

/* The one open task `id` assigned to the own agency (origin unknown). */
struct find_walk {
	const char *id, *me;
	size_t found;
	rm_hash h;
	char origin[RM_AGENCY_ID_MAX + 1];
};

static int
find_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct find_walk *w = arg;

	(void)p;
	(void)n;
	if (strcmp(rec->object_id, w->id) != 0 ||
	    !task_is_assignee(record_task(rec), w->me))
		return RM_OK;
	if (w->found++ == 0) {
		w->h = *h;
		snprintf(w->origin, sizeof(w->origin), "%s", rec->origin);
	}
	return RM_OK;
}

int
service_task_find(struct node *n, const char *origin, const char *id,
    struct rm_record *out, rm_hash *hash, rm_why *why)
{
	char key[RM_INDEX_KEY_MAX + 1];
	struct find_walk w;
	rm_hash h;
	int rv;

	if (!task_id_valid(id))
		return rm_fail_at(why, RM_ENOTFOUND, "object_id", "\"%.80s\" is "
		    "not a task id (1..%d of A-Z a-z 0-9 . _ : -)", id != NULL ?
		    id : "", RM_TASK_ID_MAX);
	if (origin != NULL && !agency_id_valid(origin))
		return rm_fail_at(why, RM_ENOTFOUND, "origin", "\"%.80s\" is not "
		    "an agency id (%s)", origin, RM_AGENCY_ID_RULE);
	if (origin == NULL &&
	    store_latest(n->store, n->cfg.agency, id, &h) != RM_OK) {
		memset(&w, 0, sizeof(w));
		w.id = id;
		w.me = n->cfg.agency;
		snprintf(key, sizeof(key), "assignee=%.55s", n->cfg.agency);
		if ((rv = store_index_each(n->store, &rm_kind_task, key,
		    node_now(n), find_each, &w)) != RM_OK)
			return rm_fail(why, rv, "cannot read tasks: %s",
			    rm_strerror(rv));
		if (w.found == 0)
			return rm_fail_at(why, RM_ENOTFOUND, "object_id", "no "
			    "task \"%s\" of %s nor an open one assigned to it "
			    "(another agency's task: give its origin, the "
			    "assigner: ?origin=, riskmesh task show --origin)",
			    id, n->cfg.agency);
		if (w.found > 1)
			return rm_fail_at(why, RM_EEXIST, "object_id", "%zu "
			    "assigners have an open task \"%s\" for %s: give "
			    "the origin", w.found, id, n->cfg.agency);
		origin = w.origin;
	} else if (origin == NULL)
		origin = n->cfg.agency;
	if ((rv = store_latest(n->store, origin, id, &h)) != RM_OK)
		return rv == RM_ENOTFOUND ? rm_fail_at(why, rv, "object_id",
		    "%s has no task \"%s\"", origin, id) : rm_fail(why, rv,
		    "cannot read task %s: %s", id, rm_strerror(rv));
	if ((rv = service_record_read(n, &h, out, why)) != RM_OK)
		return rv;
	if (record_task(out) == NULL) {
		rv = rm_fail_at(why, RM_EEXIST, "object_id", "object %s of %s is "
		    "a %s, not a task", id, origin, out->kind->name);
		record_fini(out);
		return rv;
	}
	*hash = h;
	return RM_OK;
}

/* Assignees (and so the lead) are agencies of the roster in use. */
static int
task_units_check(struct node *n, const struct rm_task *t, rm_why *why)
{
	struct roster *ro = node_roster(n);
	const struct roster_agency *a;
	int rv = RM_OK;

	if (ro == NULL)
		return rm_fail_at(why, RM_EUNKNOWNSIGNER, "agency", "no roster");
	for (size_t i = 0; i < t->n_assignees; i++)
		if ((a = roster_find(ro, t->assignees[i])) == NULL ||
		    a->removed) {
			rv = rm_fail_at(why, RM_EBADVALUE, "assignees", "%s is %s",
			    t->assignees[i], a == NULL ? "not an agency of the "
			    "roster" : "removed from the federation");
			break;
		}
	roster_free(ro);
	return rv;
}

/* The checks of a new task or a next version against the latest. */
static int
task_rules(struct node *n, struct rm_record *draft, const rm_hash *base_hash,
    const struct issue_base *base, const struct rm_record *cur, rm_why *why)
{
	const struct rm_task *t = record_task(draft);

	int rv;

	if ((rv = node_issue_base_check(n, draft, base_hash, base, cur,
	    why)) != RM_OK)
		return rv;
	if (!base->exists && t->deadline_ms <= node_now(n))
		return rm_fail_at(why, RM_EBADVALUE, "deadline", "a new task's "
		    "deadline must be in the future");
	return task_status_next(base->exists ? record_task(cur) : NULL, t,
	    why);
}

int
service_task_issue(struct node *n, struct rm_record *draft,
    const rm_hash *base_hash, struct service_issued *out, rm_why *why)
{
	struct rm_record cur;
	struct issue_base base;
	int rv;

	if (record_restricted(draft) || draft->kind != &rm_kind_task)
		return rm_fail(why, RM_EINVAL, "not a plain task draft");
	if ((rv = node_issue_base_of(n, &rm_kind_task, draft, &base, &cur,
	    why)) != RM_OK)
		return rv;
	if ((rv = task_rules(n, draft, base_hash, &base, &cur, why)) == RM_OK &&
	    (rv = node_issue_authorise(n, draft, why)) == RM_OK &&
	    (rv = task_units_check(n, record_task(draft), why)) == RM_OK)
		rv = node_issue_commit(n, draft, &base, out, why);
	if (base.exists)
		record_fini(&cur);
	return rv;
}

int
service_task_close(struct node *n, const char *id, enum rm_task_status st,
    const char *note, struct service_issued *out, rm_why *why)
{
	struct rm_record cur, next;
	struct rm_task body;
	rm_hash h;
	int rv;

	if (st != RM_TASK_CLOSED && st != RM_TASK_CANCELLED)
		return rm_fail_at(why, RM_EINVAL, "status", "closed or "
		    "cancelled");
	if (note != NULL && (note[0] == '\0' || strlen(note) >
	    RM_TASK_NOTE_MAX || !rm_utf8_valid(note, strlen(note))))
		return rm_fail_at(why, RM_EBADVALUE, "note", "1..%d bytes of "
		    "UTF-8", RM_TASK_NOTE_MAX);
	if ((rv = service_task_find(n, n->cfg.agency, id, &cur, &h, why)) !=
	    RM_OK)
		return rv;
	next = cur;
	body = *record_task(&cur);
	next.body = &body;
	next.ver = next.seq = 0;
	next.has_prev = next.has_supersedes = false;
	next.issued_ms = node_now(n);
	body.status = st;
	body.note = (char *)note;
	rv = service_task_issue(n, &next, &h, out, why);
	record_fini(&cur);
	return rv;
}

/* The own agency's first roster area: where its acks are filed. */
static int
own_area(struct node *n, char out[RM_AREA_CODE_MAX + 1], rm_why *why)
{
	struct roster *ro = node_roster(n);
	const struct roster_agency *a = ro != NULL ?
	    roster_find(ro, n->cfg.agency) : NULL;
	int rv = RM_OK;

	if (a == NULL || a->n_areas == 0)
		rv = rm_fail_at(why, RM_EUNKNOWNSIGNER, "agency", "agency %s is "
		    "not in the roster", n->cfg.agency);
	else
		snprintf(out, RM_AREA_CODE_MAX + 1, "%s", a->areas[0]);
	roster_free(ro);
	return rv;
}

static void
assignee_list(const struct rm_task *t, char *out, size_t len)
{
	size_t l = 0;

	out[0] = '\0';
	for (size_t i = 0; i < t->n_assignees && l < len; i++)
		l += (size_t)snprintf(out + l, len - l, "%s%s", i ? ", " : "",
		    t->assignees[i]);
}

/* The ack draft's rules against the task and the ack's latest version. */
static int
ack_rules(struct node *n, const struct rm_record *task,
    const struct rm_record *draft, const struct issue_base *base,
    const struct rm_record *cur, rm_why *why)
{
	const struct rm_task *t = record_task(task);
	char who[RM_TASK_ASSIGNEES_MAX * (RM_AGENCY_ID_MAX + 2)];

	if (!task_is_assignee(t, n->cfg.agency)) {
		assignee_list(t, who, sizeof(who));
		return rm_fail_at(why, RM_EUNAUTH, "assignees", "%s is not an "
		    "assignee of task %s/%s: only %s may acknowledge it",
		    n->cfg.agency, task->origin, task->object_id, who);
	}
	if (t->status != RM_TASK_OPEN)
		return rm_fail_at(why, RM_EEXIST, "status", "task %s/%s is %s",
		    task->origin, task->object_id,
		    task_status_name(t->status));
	if (base->exists && record_ack(cur) == NULL)
		return rm_fail_at(why, RM_EEXIST, "object_id", "object %s is a "
		    "%s, not an ack", draft->object_id, cur->kind->name);
	return ack_state_next(base->exists ? record_ack(cur) : NULL,
	    record_ack(draft), why);
}

int
service_task_ack(struct node *n, const char *origin, const char *id,
    enum rm_ack_state state, const char *note, const char *reason,
    struct service_issued *out, rm_why *why)
{
	struct rm_record task, cur, d;
	struct rm_ack a;
	struct issue_base base;
	rm_hash th;
	int rv;

	if ((rv = service_task_find(n, origin, id, &task, &th, why)) != RM_OK)
		return rv;
	/* only an assignee: said before the ack's own rules */
	if (!task_is_assignee(record_task(&task), n->cfg.agency)) {
		rv = ack_rules(n, &task, NULL, NULL, NULL, why);
		record_fini(&task);
		return rv;
	}
	memset(&d, 0, sizeof(d));
	memset(&a, 0, sizeof(a));
	memset(&cur, 0, sizeof(cur));
	memset(&base, 0, sizeof(base));
	base.n = n;
	snprintf(a.task.origin, sizeof(a.task.origin), "%s", task.origin);
	snprintf(a.task.oid, sizeof(a.task.oid), "%s", task.object_id);
	a.state = state;
	a.note = (char *)note;
	a.reason = (char *)reason;
	d.schema_version = RM_SCHEMA_VERSION;
	d.kind = &rm_kind_ack;
	d.body = &a;
	d.issued_ms = node_now(n);
	d.n_areas = 1;
	snprintf(d.origin, sizeof(d.origin), "%s", n->cfg.agency);
	if ((rv = ack_object_id(&a.task, d.object_id)) != RM_OK)
		rv = rm_fail_at(why, rv, "object_id", "bad task reference");
	else if ((rv = own_area(n, d.areas[0], why)) == RM_OK &&
	    (rv = node_issue_draft_valid(n, &rm_kind_ack, &d, why)) == RM_OK &&
	    (rv = node_issue_latest(n, d.object_id, &base.exists, &base.hash,
	    &cur, why)) == RM_OK) {
		if ((rv = ack_rules(n, &task, &d, &base, &cur, why)) == RM_OK &&
		    (rv = node_issue_authorise(n, &d, why)) == RM_OK)
			rv = node_issue_commit(n, &d, &base, out, why);
		if (base.exists)
			record_fini(&cur);
	}
	record_fini(&task);
	return rv;
}
