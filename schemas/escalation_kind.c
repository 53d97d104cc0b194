/*
 * escalation_kind.c -- the record kind "escalation" (schemas.h, "task
 * dispatch"; CDDL in schemas/escalation.cddl): an open task past its
 * deadline with assignees not done, issued once by the assigner's node.
 * Keys in deterministic order: "lead", "task", "pending", "deadline".
 */
#include <stdio.h>
#include <string.h>

#include "schemas/task_int.h"

enum esc_key { ESC_LEAD, ESC_TASK, ESC_PENDING, ESC_DEADLINE, ESC_NKEYS };
static const char *const esc_keys[ESC_NKEYS] = { "lead", "task", "pending",
	"deadline" };

struct rm_escalation *
record_escalation(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_escalation)
		return NULL;
	return rec->body;
}

static int
esc_encode(const void *body, rm_buf *b)
{
	const struct rm_escalation *e = body;
	int rv;

	if ((rv = rm_cbor_put_map(b, ESC_NKEYS)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, esc_keys[ESC_LEAD])) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, e->lead)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, esc_keys[ESC_TASK])) != RM_OK ||
	    (rv = sch_task_ref_encode(&e->task, b)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, esc_keys[ESC_PENDING])) != RM_OK ||
	    (rv = sch_agency_list_encode(e->pending, e->n_pending, b)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, esc_keys[ESC_DEADLINE])) != RM_OK)
		return rv;
	return rm_cbor_put_uint(b, (uint64_t)e->deadline_ms);
}

static int
esc_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	struct rm_escalation *e = body;
	rm_cbor_keys ks;
	const char *p;
	uint64_t u;
	size_t npairs, n;
	int rv, i;

	if ((rv = sch_dec_map(rd, "escalation", &npairs, why)) != RM_OK)
		return rv;
	if (npairs != ESC_NKEYS)
		return rm_fail(why, RM_EMISSING, "escalation: lead, task, "
		    "pending and deadline are required");
	rm_cbor_keys_init(&ks);
	for (size_t k = 0; k < npairs; k++) {
		if ((rv = sch_dec_key(rd, &ks, "escalation", esc_keys,
		    ESC_NKEYS, &i, why)) != RM_OK)
			return rv;
		switch (i) {
		case ESC_LEAD:
			if ((rv = sch_dec_text(rd, "escalation.lead",
			    RM_AGENCY_ID_MAX, &p, &n, why)) == RM_OK) {
				memcpy(e->lead, p, n);
				e->lead[n] = '\0';
			}
			break;
		case ESC_TASK:
			rv = sch_task_ref_decode(rd, "escalation.task", &e->task,
			    why);
			break;
		case ESC_PENDING:
			rv = sch_agency_list_decode(rd, "escalation.pending",
			    e->pending, RM_TASK_ASSIGNEES_MAX, &e->n_pending,
			    why);
			break;
		default:
			if ((rv = sch_dec_uint(rd, "escalation.deadline", &u,
			    why)) == RM_OK && (u == 0 || u > INT64_MAX))
				rv = rm_fail(why, RM_EBADVALUE,
				    "escalation.deadline: out of range");
			e->deadline_ms = (rm_utc_ms)u;
			break;
		}
		if (rv != RM_OK)
			return rv;
	}
	return RM_OK;
}

static int
esc_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_escalation *e = rec->body;
	char oid[RM_OBJECT_ID_MAX + 1];
	int rv;

	if ((rv = sch_task_ref_check(&e->task, "escalation.task", why)) !=
	    RM_OK)
		return rv;
	if (strcmp(e->task.origin, rec->origin) != 0)
		return rm_fail(why, RM_EBADVALUE, "escalation.task.origin: %s; "
		    "only the assigner (%s) escalates its task", e->task.origin,
		    rec->origin);
	if (escalation_object_id(&e->task, oid) != RM_OK ||
	    strcmp(oid, rec->object_id) != 0)
		return rm_fail(why, RM_EBADVALUE, "oid: the escalation of task "
		    "%s is object \"%s\"", e->task.oid, oid);
	if (!agency_id_valid(e->lead))
		return rm_fail(why, RM_EBADVALUE, "escalation.lead: not an "
		    "agency id (%s)", RM_AGENCY_ID_RULE);
	if (e->deadline_ms <= 0)
		return rm_fail(why, RM_EBADVALUE, "escalation.deadline: "
		    "required");
	return sch_agency_list_check(e->pending, e->n_pending, RM_TASK_ASSIGNEES_MAX,
	    "escalation.pending", why);
}

static void
esc_fini(void *body)
{
	(void)body;
}

/* The lead unit, then the assignees not done (but the lead). */
static size_t
esc_recipients(const struct rm_record *rec, const char **out, size_t max)
{
	const struct rm_escalation *e = rec->body;
	size_t n = 0;

	if (n < max)
		out[n] = e->lead;
	n++;
	for (size_t i = 0; i < e->n_pending; i++) {
		if (strcmp(e->pending[i], e->lead) == 0)
			continue;
		if (n < max)
			out[n] = e->pending[i];
		n++;
	}
	return n;
}

static bool
esc_in_force(const struct rm_record *rec)
{
	(void)rec;
	return true;
}

static int
esc_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	const struct rm_escalation *e = rec->body;
	char key[RM_INDEX_KEY_MAX + 1];

	snprintf(key, sizeof(key), "lead=%.59s", e->lead);
	return emit(arg, key);
}

static void
esc_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_escalation *e = rec->body;

	snprintf(out, len, "escalation of %s/%s: %zu assignee%s not done, lead "
	    "%s", e->task.origin, e->task.oid, e->n_pending,
	    e->n_pending == 1 ? "" : "s", e->lead);
}

const struct rm_kind_ops rm_kind_escalation = {
	.name = "escalation",
	.cddl = "escalation.cddl",
	.body_size = sizeof(struct rm_escalation),
	.encode = esc_encode,
	.decode = esc_decode,
	.validate = esc_validate,
	.fini = esc_fini,
	.recipients = esc_recipients,
	.in_force = esc_in_force,
	.index_keys = esc_index_keys,
	.summary = esc_summary,
	.roster_kind = "task",
};
