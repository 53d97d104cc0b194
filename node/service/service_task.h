/*
 * service_task.h -- task dispatch (交办): tasks, acks, escalations and their views: a part of the domain API.
 *
 * Include "node/service/service.h", which includes this file after
 * struct node and the domain API it builds on; thread rules and error
 * conventions are those of service.h.
 */
#ifndef RM_NODE_SERVICE_SERVICE_TASK_H
#define RM_NODE_SERVICE_SERVICE_TASK_H

#include "node/service/service.h"

/* ---------------- task dispatch (node_task*.c) ----------------
 * Tasks (交办) of the own agency, acks of the tasks it is assigned, and
 * the escalation of its overdue tasks (schemas.h "task dispatch"),
 * issued through the path of node_issue.c: the kind's status rules,
 * the own-log guard, roster_authorise (the agency's roster entry must
 * list kind "task" for tasks and escalations; any roster agency may
 * sign an ack) and store_issue with optimistic concurrency. That only
 * an assignee acknowledges is enforced here, when issuing (RM_EUNAUTH)
 * and in every view: an ack by an agency that is not among the task's
 * assignees is stored (it is validly signed) but never counts; such
 * acks are counted (n->ctr.acks_ignored) and logged, rate-limited.
 * Errors as service_alert_issue, and:
 *   RM_ENOTFOUND   field "object_id": no such task (of that origin);
 *                  field "origin": not an agency id
 *   RM_EEXIST      field "object_id": a new task whose id exists, an
 *                  object that is not a task, or an id several
 *                  assigners use (give the origin); field "status": the
 *                  task is closed or cancelled; field "state": the ack
 *                  is done or refused
 *   RM_EUNAUTH     field "assignees": this agency is not an assignee
 *                  (the reason names the task's assignees)
 *   RM_EBADVALUE   field "assignees" / "lead": not an agency of the
 *                  roster; "deadline": not in the future; "state": a
 *                  step backwards
 * Times ("now") come from n->clock (rm_utc_now_ms when NULL), so tests
 * drive deadlines with a fake clock.
 */

/* The time the task code runs at: n->clock() or rm_utc_now_ms(). */
rm_utc_ms node_now(struct node *n);

/*
 * The latest version of task `id` of agency `origin` (NULL: the own
 * agency's, else the one open task with that id assigned to the own
 * agency), decoded into *out (record_fini() it) with its hash. Errors:
 * RM_ENOTFOUND (fields "object_id" or "origin"), RM_EEXIST (not a task;
 * or origin NULL and several assigners have an open task with that id
 * for this agency), RM_ESTORE.
 */
int service_task_find(struct node *n, const char *origin, const char *id,
    struct rm_record *out, rm_hash *hash, rm_why *why);

/*
 * Issue draft (a task of the own agency, ver = seq = 0; caller owns
 * it): base NULL for a new task (RM_EEXIST if the id exists; its
 * deadline must be after now, its status open), else the next version
 * of the version with hash *base (RM_EBUSY if another came since).
 * Every assignee must be an agency of the roster in use, not removed.
 * Returns after the commit; *out on success only. Thread-safe.
 */
int service_task_issue(struct node *n, struct rm_record *draft,
    const rm_hash *base, struct service_issued *out, rm_why *why);

/* Close (status closed) or cancel (status cancelled) own task `id`
 * with an optional note (1..RM_TASK_NOTE_MAX bytes of UTF-8). Errors
 * as service_task_find and service_task_issue; RM_EINVAL for another
 * status. */
int service_task_close(struct node *n, const char *id,
    enum rm_task_status status, const char *note, struct service_issued *out,
    rm_why *why);

/*
 * Acknowledge task (origin, id) (origin NULL: as service_task_find) as
 * the own agency: the next version of its ack object (kind "ack", oid
 * ack_object_id, area the agency's first roster area) with state, note
 * (required for done) and reason (required for refused). Refused with
 * RM_EUNAUTH (field "assignees") unless the own agency is an assignee,
 * RM_EEXIST (field "status") if the task is not open, ack_state_next's
 * errors. Thread-safe.
 */
int service_task_ack(struct node *n, const char *origin, const char *id,
    enum rm_ack_state state, const char *note, const char *reason,
    struct service_issued *out, rm_why *why);

/* One assignee's answer as the views see it. */
struct service_task_ack {
	char agency[RM_AGENCY_ID_MAX + 1];
	enum rm_ack_state state;     /* 0: no ack yet */
	uint64_t ver;                /* the ack object's version, 0: none */
	rm_utc_ms issued_ms;         /* its latest version's issue time */
};

/* A task with its acks joined in (one per assignee, assignee order). */
struct service_task_view {
	const struct rm_record *rec; /* latest version, borrowed */
	const rm_hash *hash;
	size_t n_acks;               /* == the task's n_assignees */
	struct service_task_ack acks[RM_TASK_ASSIGNEES_MAX];
	size_t n_done;               /* assignees done */
	size_t n_ignored;            /* acks by non-assignees (never count) */
	bool overdue;                /* open, deadline <= now, not all done */
	bool escalated;              /* its escalation is stored here */
	rm_hash escalation;          /* its hash, if escalated */
};

/* List filters; 0 / NULL / false: any. */
struct service_task_filter {
	const char *assigner;        /* agency id (the task's origin) */
	const char *assignee;        /* agency id among the assignees */
	const char *area;            /* overlapping this area code */
	bool overdue;                /* only overdue tasks */
};

/* Views get the task view; everything is valid during the call only.
 * A non-zero return stops the walk and is returned. */
typedef int (*service_task_each_fn)(void *arg,
    const struct service_task_view *v);

/*
 * The open tasks (every agency's: tasks are in force while open) that
 * match f, newest issued first, with their acks at `now`. One index is
 * walked (assignee=, else origin=, else the area) and the rest is
 * compared with the fields. Errors: RM_EBADVALUE (field "area",
 * "assigner", "assignee": malformed), the store's, each()'s.
 */
int service_tasks_list(struct node *n, const struct service_task_filter *f,
    rm_utc_ms now, service_task_each_fn each, void *arg, rm_why *why);

/* What a task's history walk reports: role "task" (every version,
 * newest first), "ack" (every version of each assignee's ack, newest
 * first) or "escalation". Valid during the call only. */
typedef int (*service_task_history_fn)(void *arg, const char *role,
    const rm_hash *h, const struct rm_record *rec);

/*
 * Task (origin, id) (as service_task_find) at `now`: view(arg, the
 * view) once, then hist for its whole history. Either may be NULL.
 * Errors: those of service_task_find, RM_ESTORE, the callbacks'.
 */
int service_task_show(struct node *n, const char *origin, const char *id,
    rm_utc_ms now, service_task_each_fn view, service_task_history_fn hist,
    void *arg, rm_why *why);

/*
 * The escalation scheduler of the own agency's tasks: a thread that
 * sleeps (condition variable, no tick) until the earliest deadline of
 * the agency's open tasks not yet escalated with some assignee not
 * done, then issues each due escalation once (its oid is deterministic:
 * a stored one, also from before a restart, is never issued again).
 * It is woken when a task or ack is stored (a subscriber added here:
 * call while records cannot be stored yet, like node_subscribe) and by
 * node_tasks_kick. Refusals are logged and retried after 1 s (own-log
 * guard) or 60 s. Errors: RM_ENOMEM, RM_ETOOBIG (subscribers full),
 * RM_EIO (thread).
 */
int node_tasks_start(struct node *n, rm_why *why);
/* Stop and join the scheduler (prompt: it is woken); safe if never
 * started. Call before store_close. */
void node_tasks_stop(struct node *n);
/* Wake the scheduler to look again (tests: after moving a fake
 * clock). Thread-safe; nothing if not started. */
void node_tasks_kick(struct node *n);
/* Completed scheduler passes since start (tests wait for a change). */
uint64_t node_tasks_passes(struct node *n);

#endif /* RM_NODE_SERVICE_SERVICE_TASK_H */
