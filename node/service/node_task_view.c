/*
 * node_task_view.c -- the views of task dispatch (service.h, "task
 * dispatch"): a task with its assignees' acks joined in, lists by
 * assigner, assignee, area and overdue, and one task's whole history.
 * Acks are found through the ack kind's index ("task=<oid>"); an ack
 * whose signer is not among the task's assignees never counts: it is
 * counted as ignored (log rate-limited) and skipped.
 */
#include <stdio.h>
#include <string.h>

#include "node/service/service_int.h"

static rm_log_limit ignored_log = RM_LOG_LIMIT(5, 60000);

struct ack_walk {
	struct node *n;
	const struct rm_record *task;
	struct service_task_view *v;
};

static int
ack_each(void *arg, const rm_hash *h, const uint8_t *p, size_t len,
    const struct rm_record *rec)
{
	struct ack_walk *w = arg;
	const struct rm_ack *a = record_ack(rec);
	const struct rm_task *t = record_task(w->task);
	struct service_task_ack *sa;

	(void)h;
	(void)p;
	(void)len;
	if (a == NULL || strcmp(a->task.origin, w->task->origin) != 0 ||
	    strcmp(a->task.oid, w->task->object_id) != 0)
		return RM_OK;
	for (size_t i = 0; i < t->n_assignees; i++) {
		if (strcmp(t->assignees[i], rec->origin) != 0)
			continue;
		sa = &w->v->acks[i];
		sa->state = a->state;
		sa->ver = rec->ver;
		sa->issued_ms = rec->issued_ms;
		return RM_OK;
	}
	w->v->n_ignored++;
	if (rm_log_allow(&ignored_log, NULL))
		rm_log_sec("node", "ack by %s of task %s/%s ignored: not an "
		    "assignee (counted; at most 5 lines a minute)", rec->origin,
		    w->task->origin, w->task->object_id);
	return RM_OK;
}

int
node_task_view_build(struct node *n, const struct rm_record *rec,
    const rm_hash *h, rm_utc_ms now, struct service_task_view *v,
    rm_why *why)
{
	const struct rm_task *t = record_task(rec);
	struct ack_walk w = { n, rec, v };
	struct rm_task_ref ref;
	char key[RM_INDEX_KEY_MAX + 1], eoid[RM_OBJECT_ID_MAX + 1];
	int rv;

	memset(v, 0, sizeof(*v));
	v->rec = rec;
	v->hash = h;
	v->n_acks = t->n_assignees;
	for (size_t i = 0; i < t->n_assignees; i++)
		snprintf(v->acks[i].agency, sizeof(v->acks[i].agency), "%s",
		    t->assignees[i]);
	snprintf(key, sizeof(key), "task=%.59s", rec->object_id);
	if ((rv = store_index_each(n->store, &rm_kind_ack, key, now, ack_each,
	    &w)) != RM_OK)
		return rm_fail(why, rv, "cannot read acks: %s", rm_strerror(rv));
	for (size_t i = 0; i < v->n_acks; i++)
		if (v->acks[i].state == RM_ACK_DONE)
			v->n_done++;
	snprintf(ref.origin, sizeof(ref.origin), "%s", rec->origin);
	snprintf(ref.oid, sizeof(ref.oid), "%s", rec->object_id);
	v->escalated = escalation_object_id(&ref, eoid) == RM_OK &&
	    store_latest(n->store, rec->origin, eoid, &v->escalation) == RM_OK;
	v->overdue = t->status == RM_TASK_OPEN && t->deadline_ms <= now &&
	    v->n_done < v->n_acks;
	return RM_OK;
}

struct list_walk {
	struct node *n;
	const struct service_task_filter *f;
	rm_utc_ms now;
	service_task_each_fn each;
	void *arg;
	rm_why *why;
	bool failed;                 /* a view or each() failed: why is set
	                                or each()'s */
};

static bool
area_match(const struct rm_record *rec, const char *area)
{
	for (size_t i = 0; i < rec->n_areas; i++)
		if (area_overlaps(area, rec->areas[i]))
			return true;
	return false;
}

static int
list_each(void *arg, const rm_hash *h, const uint8_t *p, size_t len,
    const struct rm_record *rec)
{
	struct list_walk *w = arg;
	const struct service_task_filter *f = w->f;
	const struct rm_task *t = record_task(rec);
	struct service_task_view v;
	int rv;

	(void)p;
	(void)len;
	if (t == NULL ||
	    (f->assigner != NULL && strcmp(f->assigner, rec->origin) != 0) ||
	    (f->assignee != NULL && !task_is_assignee(t, f->assignee)) ||
	    (f->area != NULL && !area_match(rec, f->area)) ||
	    (f->overdue && t->deadline_ms > w->now))
		return RM_OK;
	if ((rv = node_task_view_build(w->n, rec, h, w->now, &v, w->why)) ==
	    RM_OK && (!f->overdue || v.overdue))
		rv = w->each(w->arg, &v);
	w->failed = rv != RM_OK;
	return rv;
}

int
service_tasks_list(struct node *n, const struct service_task_filter *f,
    rm_utc_ms now, service_task_each_fn each, void *arg, rm_why *why)
{
	struct list_walk w = { n, f, now, each, arg, why, false };
	char key[RM_INDEX_KEY_MAX + 1];
	int rv;

	if (f->area != NULL && (strlen(f->area) > RM_AREA_CODE_MAX ||
	    !area_code_valid(f->area)))
		return rm_fail_at(why, RM_EBADVALUE, "area", "\"%.40s\" is not a "
		    "GB/T 2260 area code", f->area);
	if (f->assigner != NULL && !agency_id_valid(f->assigner))
		return rm_fail_at(why, RM_EBADVALUE, "assigner", "\"%.40s\" is "
		    "not an agency id (%s)", f->assigner, RM_AGENCY_ID_RULE);
	if (f->assignee != NULL && !agency_id_valid(f->assignee))
		return rm_fail_at(why, RM_EBADVALUE, "assignee", "\"%.40s\" is "
		    "not an agency id (%s)", f->assignee, RM_AGENCY_ID_RULE);
	if (f->assignee != NULL)
		snprintf(key, sizeof(key), "assignee=%.55s", f->assignee);
	else if (f->assigner != NULL)
		snprintf(key, sizeof(key), "origin=%.57s", f->assigner);
	else
		key[0] = '\0';
	if (key[0] != '\0')
		rv = store_index_each(n->store, &rm_kind_task, key, now,
		    list_each, &w);
	else
		rv = store_active(n->store, &rm_kind_task, f->area, now,
		    list_each, &w);
	if (rv != RM_OK && !w.failed)
		return rm_fail(why, rv, "cannot read tasks: %s",
		    rm_strerror(rv));
	return rv;
}

/* Every version of an object from its latest (hash h), newest first,
 * following supersedes. */
static int
chain_each(struct node *n, const char *role, const rm_hash *h,
    service_task_history_fn hist, void *arg, rm_why *why)
{
	struct rm_record rec;
	rm_hash cur = *h;
	int rv;

	for (;;) {
		if ((rv = service_record_read(n, &cur, &rec, why)) != RM_OK)
			return rv;
		rv = hist(arg, role, &cur, &rec);
		if (rv == RM_OK && rec.has_supersedes)
			cur = rec.supersedes;
		else if (rv == RM_OK) {
			record_fini(&rec);
			return RM_OK;
		}
		record_fini(&rec);
		if (rv != RM_OK)
			return rv;
	}
}

int
service_task_show(struct node *n, const char *origin, const char *id,
    rm_utc_ms now, service_task_each_fn view, service_task_history_fn hist,
    void *arg, rm_why *why)
{
	struct service_task_view v;
	struct rm_task_ref ref;
	struct rm_record task;
	char aoid[RM_OBJECT_ID_MAX + 1];
	rm_hash h, ah;
	int rv;

	memset(why, 0, sizeof(*why));
	if ((rv = service_task_find(n, origin, id, &task, &h, why)) != RM_OK)
		return rv;
	if ((rv = node_task_view_build(n, &task, &h, now, &v, why)) != RM_OK)
		goto out;
	if (view != NULL && (rv = view(arg, &v)) != RM_OK)
		goto out;
	if (hist == NULL)
		goto out;
	if ((rv = chain_each(n, "task", &h, hist, arg, why)) != RM_OK)
		goto out;
	snprintf(ref.origin, sizeof(ref.origin), "%s", task.origin);
	snprintf(ref.oid, sizeof(ref.oid), "%s", task.object_id);
	(void)ack_object_id(&ref, aoid);
	for (size_t i = 0; i < v.n_acks; i++)
		if (v.acks[i].ver > 0 && store_latest(n->store,
		    v.acks[i].agency, aoid, &ah) == RM_OK &&
		    (rv = chain_each(n, "ack", &ah, hist, arg, why)) != RM_OK)
			goto out;
	if (v.escalated)
		rv = chain_each(n, "escalation", &v.escalation, hist, arg, why);
out:
	record_fini(&task);
	return rv;
}
