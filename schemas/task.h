/*
 * task.h -- task dispatch (交办): kinds "task", "ack", "escalation".
 *
 * Part of the schemas module's public interface: include
 * "schemas/schemas.h", which includes this file after the record model
 * and the kind registry it builds on. Thread rules and conventions are
 * those of schemas.h.
 */
#ifndef RM_SCHEMAS_TASK_H
#define RM_SCHEMAS_TASK_H

#include "schemas/schemas.h"

/* ---------------- task dispatch (交办): task, ack, escalation -------- */

/*
 * Kind "task" (schemas/task.cddl, schemas/task_kind.c): a task an
 * agency (the record's origin, the assigner) dispatches to 1..16 other
 * agencies (the assignees), one of them the lead unit (牵头单位). Its
 * oid is the task id (task_id_valid), its areas those the task is
 * about (within the assigner's: the roster checks). Every change is a
 * new version; closed and cancelled are final (task_status_next). A
 * task is in force while open; it addresses its assignees
 * (rm_kind_ops.recipients).
 *
 * Kind "ack" (schemas/ack.cddl): an assignee's answer to a task, one
 * object per (task, assignee): origin the assignee, oid
 * ack_object_id(task); versions move received -> in_progress -> done
 * (with a note) | refused (with a reason); done and refused are final
 * (ack_state_next). Any roster agency may sign an ack (the roster
 * cannot know assignments: rm_kind_ops.authorise); that only an
 * assignee's ack counts is the service's rule (node/service, "task
 * dispatch"), on the issuing node and in every view.
 *
 * Kind "escalation" (schemas/escalation.cddl): issued once by the
 * assigner's node when an open task passes its deadline with some
 * assignee not done: oid escalation_object_id(task), origin the task's
 * origin, body the task reference, its deadline, the lead unit and the
 * assignees not done. Addresses the lead unit and those assignees. The
 * roster permission for "task" covers it (rm_kind_ops.roster_kind).
 */
#define RM_TASK_ID_MAX         59   /* bytes of a task id: "ack:" +
                                       agency id + ":" + task id fits
                                       RM_OBJECT_ID_MAX */
#define RM_TASK_SUBJECT_MAX    512  /* bytes of UTF-8 */
#define RM_TASK_DETAIL_MAX     8192
#define RM_TASK_NOTE_MAX       1024 /* task note, ack note and reason */
#define RM_TASK_ASSIGNEES_MAX  16
#define RM_TASK_LINKS_MAX      8

/* A reference to an object: a task (in an ack or escalation) or the
 * risk or alert a task is about. */
struct rm_task_ref {
	char origin[RM_AGENCY_ID_MAX + 1];  /* ["origin"] agency id */
	char oid[RM_OBJECT_ID_MAX + 1];     /* ["oid"] object id */
};

enum rm_task_priority {
	RM_TASK_URGENT = 1, RM_TASK_HIGH, RM_TASK_NORMAL, RM_TASK_LOW,
};

/* open -> closed | cancelled (task_status_next). */
enum rm_task_status {
	RM_TASK_OPEN = 1, RM_TASK_CLOSED, RM_TASK_CANCELLED,
};

struct rm_task {
	char *subject;                      /* ["subject"] heap, required */
	char *detail;                       /* ["detail"] heap, optional */
	char *note;                         /* ["note"] heap, optional: why
	                                       it was closed or cancelled */
	size_t n_assignees;                 /* ["assignees"] 1..16, sorted
	                                       by strcmp, unique */
	char assignees[RM_TASK_ASSIGNEES_MAX][RM_AGENCY_ID_MAX + 1];
	char lead[RM_AGENCY_ID_MAX + 1];    /* ["lead"] one of assignees */
	size_t n_links;                     /* ["links"] absent iff 0 */
	struct rm_task_ref links[RM_TASK_LINKS_MAX];
	enum rm_task_priority priority;     /* ["priority"] */
	rm_utc_ms deadline_ms;              /* ["deadline"] > 0 */
	enum rm_task_status status;         /* ["status"] */
};

/* received -> in_progress -> done | refused (ack_state_next). */
enum rm_ack_state {
	RM_ACK_RECEIVED = 1, RM_ACK_IN_PROGRESS, RM_ACK_DONE, RM_ACK_REFUSED,
};

struct rm_ack {
	struct rm_task_ref task;            /* ["task"] */
	enum rm_ack_state state;            /* ["state"] */
	char *note;                         /* ["note"] heap; required when
	                                       done, optional before */
	char *reason;                       /* ["reason"] heap; present iff
	                                       refused */
};

struct rm_escalation {
	struct rm_task_ref task;            /* ["task"] origin == record's */
	rm_utc_ms deadline_ms;              /* ["deadline"] the task's */
	char lead[RM_AGENCY_ID_MAX + 1];    /* ["lead"] the lead unit */
	size_t n_pending;                   /* ["pending"] 1..16, sorted,
	                                       unique: assignees not done */
	char pending[RM_TASK_ASSIGNEES_MAX][RM_AGENCY_ID_MAX + 1];
};

/* The bodies, or NULL if rec is not of that kind (or its body is not
 * decrypted here). */
struct rm_task *record_task(const struct rm_record *rec);
struct rm_ack *record_ack(const struct rm_record *rec);
struct rm_escalation *record_escalation(const struct rm_record *rec);

/* Names as on the wire and in the JSON API ("urgent", "in_progress"):
 * static strings, NULL outside the enum; parsers match exactly,
 * RM_EBADVALUE otherwise (*out written on success only). */
const char *task_priority_name(enum rm_task_priority p);
int task_priority_parse(const char *s, enum rm_task_priority *out);
const char *task_status_name(enum rm_task_status s);
int task_status_parse(const char *s, enum rm_task_status *out);
const char *ack_state_name(enum rm_ack_state s);
int ack_state_parse(const char *s, enum rm_ack_state *out);

/* True iff s is a task id: an object id (object_id_valid) of at most
 * RM_TASK_ID_MAX bytes. */
bool task_id_valid(const char *s);

/* The oid of the ack of task t by any assignee: "ack:" origin ":" oid;
 * of its escalation: "esc:" oid. out holds RM_OBJECT_ID_MAX + 1 bytes.
 * RM_EBADVALUE if t is not a valid reference. */
int ack_object_id(const struct rm_task_ref *t, char *out);
int escalation_object_id(const struct rm_task_ref *t, char *out);

/* Is agency among t's assignees? */
bool task_is_assignee(const struct rm_task *t, const char *agency);

/*
 * The status rule of a task object: may `next` follow `cur` (NULL: a
 * new task)? A new task is open; an open one may stay open (edited),
 * close or be cancelled; closed and cancelled are final. RM_OK, or
 * RM_EBADVALUE (a new task that is not open) / RM_EEXIST (final) with
 * why naming "status".
 */
int task_status_next(const struct rm_task *cur, const struct rm_task *next,
    rm_why *why);

/*
 * The state rule of an ack object: received -> in_progress -> done |
 * refused; a state may repeat (a new note) and steps may be skipped
 * forward (received -> done); never backwards; done and refused are
 * final. cur NULL: a new ack (any state). RM_OK, RM_EBADVALUE
 * (backwards), RM_EEXIST (final), why naming "state"; RM_EBADVALUE
 * field "task" when next names another task than cur.
 */
int ack_state_next(const struct rm_ack *cur, const struct rm_ack *next,
    rm_why *why);

/* The built-in kinds of task dispatch. */
extern const struct rm_kind_ops rm_kind_task;        /* task_kind.c */
extern const struct rm_kind_ops rm_kind_ack;         /* ack_kind.c */
extern const struct rm_kind_ops rm_kind_escalation;  /* escalation_kind.c */

#endif /* RM_SCHEMAS_TASK_H */
