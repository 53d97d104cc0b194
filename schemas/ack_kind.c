/*
 * ack_kind.c -- the record kind "ack" (schemas.h, "task dispatch"; CDDL
 * in schemas/ack.cddl): an assignee's answer to a task. Keys in
 * deterministic order: "note", "task", "state", "reason".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/task_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const states[] = { "received", "in_progress", "done",
	"refused" };

enum ack_key { ACK_NOTE, ACK_TASK, ACK_STATE, ACK_REASON, ACK_NKEYS };
static const char *const ack_keys[ACK_NKEYS] = { "note", "task", "state",
	"reason" };

SCH_ENUM_NAMES(ack_state, enum rm_ack_state, states)

static bool
final(enum rm_ack_state s)
{
	return s == RM_ACK_DONE || s == RM_ACK_REFUSED;
}

int
ack_state_next(const struct rm_ack *cur, const struct rm_ack *next,
    rm_why *why)
{
	if (cur == NULL)
		return RM_OK;
	if (strcmp(cur->task.origin, next->task.origin) != 0 ||
	    strcmp(cur->task.oid, next->task.oid) != 0)
		return rm_fail_at(why, RM_EBADVALUE, "task", "the ack is of "
		    "task %s/%s", cur->task.origin, cur->task.oid);
	if (final(cur->state))
		return rm_fail_at(why, RM_EEXIST, "state", "the ack is %s "
		    "(final)", ack_state_name(cur->state));
	if (next->state < cur->state)
		return rm_fail_at(why, RM_EBADVALUE, "state", "%s cannot follow "
		    "%s (received -> in_progress -> done | refused)",
		    ack_state_name(next->state), ack_state_name(cur->state));
	return RM_OK;
}

struct rm_ack *
record_ack(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_ack)
		return NULL;
	return rec->body;
}

static int
ack_encode(const void *body, rm_buf *b)
{
	const struct rm_ack *a = body;
	int rv;

	if ((rv = rm_cbor_put_map(b, 2 + (a->note != NULL) +
	    (a->reason != NULL))) != RM_OK)
		return rv;
	if (a->note != NULL &&
	    ((rv = rm_cbor_put_cstr(b, ack_keys[ACK_NOTE])) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->note)) != RM_OK))
		return rv;
	if ((rv = rm_cbor_put_cstr(b, ack_keys[ACK_TASK])) != RM_OK ||
	    (rv = sch_task_ref_encode(&a->task, b)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, ack_keys[ACK_STATE])) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, ack_state_name(a->state))) != RM_OK)
		return rv;
	if (a->reason != NULL &&
	    ((rv = rm_cbor_put_cstr(b, ack_keys[ACK_REASON])) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->reason)) != RM_OK))
		return rv;
	return RM_OK;
}

static int
ack_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	struct rm_ack *a = body;
	rm_cbor_keys ks;
	size_t npairs;
	unsigned seen = 0;
	int rv, i, v;

	if ((rv = sch_dec_map(rd, "ack", &npairs, why)) != RM_OK)
		return rv;
	if (npairs < 2 || npairs > ACK_NKEYS)
		return rm_fail(why, RM_EMISSING, "ack: 2..%d fields, got %zu",
		    ACK_NKEYS, npairs);
	rm_cbor_keys_init(&ks);
	for (size_t p = 0; p < npairs; p++) {
		if ((rv = sch_dec_key(rd, &ks, "ack", ack_keys, ACK_NKEYS, &i,
		    why)) != RM_OK)
			return rv;
		seen |= 1u << i;
		switch (i) {
		case ACK_NOTE:
			rv = sch_dec_strdup(rd, "ack.note", RM_TASK_NOTE_MAX,
			    &a->note, why);
			break;
		case ACK_TASK:
			rv = sch_task_ref_decode(rd, "ack.task", &a->task, why);
			break;
		case ACK_STATE:
			rv = sch_dec_enum(rd, "ack.state", states,
			    NELEM(states), NULL, &v, why);
			a->state = (enum rm_ack_state)v;
			break;
		default:
			rv = sch_dec_strdup(rd, "ack.reason", RM_TASK_NOTE_MAX,
			    &a->reason, why);
			break;
		}
		if (rv != RM_OK)
			return rv;
	}
	if (!(seen & (1u << ACK_TASK)) || !(seen & (1u << ACK_STATE)))
		return rm_fail(why, RM_EMISSING, "ack: task and state are "
		    "required");
	return RM_OK;
}

static int
ack_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_ack *a = rec->body;
	char oid[RM_OBJECT_ID_MAX + 1];
	int rv;

	if ((rv = sch_task_ref_check(&a->task, "ack.task", why)) != RM_OK)
		return rv;
	if (!task_id_valid(a->task.oid))
		return rm_fail(why, RM_EBADVALUE, "ack.task.oid: a task id is "
		    "1..%d bytes", RM_TASK_ID_MAX);
	if (ack_object_id(&a->task, oid) != RM_OK ||
	    strcmp(oid, rec->object_id) != 0)
		return rm_fail(why, RM_EBADVALUE, "oid: an ack of task %s/%s "
		    "is object \"%s\"", a->task.origin, a->task.oid, oid);
	if (strcmp(a->task.origin, rec->origin) == 0)
		return rm_fail(why, RM_EBADVALUE, "ack.task: %s cannot "
		    "acknowledge its own task", rec->origin);
	if (ack_state_name(a->state) == NULL)
		return rm_fail(why, RM_EBADVALUE, "ack.state: out of range "
		    "(received|in_progress|done|refused)");
	if (a->state == RM_ACK_DONE && a->note == NULL)
		return rm_fail(why, RM_EMISSING, "ack.note: done needs a note "
		    "(what was done)");
	if ((rv = sch_text_check_lines(a->note, "ack.note", RM_TASK_NOTE_MAX,
	    a->state == RM_ACK_DONE, why)) != RM_OK)
		return rv;
	if (a->state == RM_ACK_REFUSED && a->reason == NULL)
		return rm_fail(why, RM_EMISSING, "ack.reason: a refusal needs a "
		    "reason");
	if (a->state != RM_ACK_REFUSED && a->reason != NULL)
		return rm_fail(why, RM_EBADVALUE, "ack.reason: only a refusal "
		    "has a reason (state is %s)", ack_state_name(a->state));
	return sch_text_check_lines(a->reason, "ack.reason", RM_TASK_NOTE_MAX,
	    false, why);
}

static void
ack_fini(void *body)
{
	struct rm_ack *a = body;

	free(a->note);
	free(a->reason);
	a->note = a->reason = NULL;
}

static size_t
ack_recipients(const struct rm_record *rec, const char **out, size_t max)
{
	const struct rm_ack *a = rec->body;

	if (max > 0)
		out[0] = a->task.origin;
	return 1;
}

static bool
ack_in_force(const struct rm_record *rec)
{
	(void)rec;
	return true;
}

/* "task=<task oid>": the views find a task's acks by it and keep only
 * those of the task's origin and assignees. */
static int
ack_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	const struct rm_ack *a = rec->body;
	char key[RM_INDEX_KEY_MAX + 1];

	snprintf(key, sizeof(key), "task=%.59s", a->task.oid);
	return emit(arg, key);
}

static void
ack_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_ack *a = rec->body;

	snprintf(out, len, "ack %s of %s/%s by %s", ack_state_name(a->state),
	    a->task.origin, a->task.oid, rec->origin);
}

/* Any roster agency may sign an ack (the roster's origin and area checks
 * still apply): whether it is an assignee depends on the task, which
 * only the service can read. */
static int
ack_authorise(const struct rm_record *rec, bool signer_registrar,
    rm_why *why)
{
	(void)rec;
	(void)signer_registrar;
	(void)why;
	return RM_OK;
}

/* rm_kind_ops.transition: ack_state_next against the latest version. */
static int
ack_transition(const struct rm_record *prev, const struct rm_record *next,
    rm_why *why)
{
	return ack_state_next(record_ack(prev), record_ack(next), why) == RM_OK ? RM_OK :
	    RM_EBADVALUE;
}

const struct rm_kind_ops rm_kind_ack = {
	.name = "ack",
	.cddl = "ack.cddl",
	.body_size = sizeof(struct rm_ack),
	.encode = ack_encode,
	.decode = ack_decode,
	.validate = ack_validate,
	.fini = ack_fini,
	.recipients = ack_recipients,
	.in_force = ack_in_force,
	.index_keys = ack_index_keys,
	.summary = ack_summary,
	.authorise = ack_authorise,
	.transition = ack_transition,
};
