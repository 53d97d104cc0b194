/*
 * test_task.c -- the kinds of task dispatch (schemas/task_kind.c,
 * ack_kind.c, escalation_kind.c): round trips through the record codec,
 * field rules, the status and state rules, recipients, index keys and
 * the roster permission an escalation needs.
 */
#include <stdio.h>
#include <string.h>

#include "schemas/schemas.h"
#include "rm_test.h"

static char subject[] = "排查海河堤防渗漏点";
static char note[] = "已完成加固";

static void
base(struct rm_record *r, const struct rm_kind_ops *k, void *body,
    const char *origin, const char *oid)
{
	memset(r, 0, sizeof(*r));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = k;
	r->body = body;
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	snprintf(r->object_id, sizeof(r->object_id), "%s", oid);
	r->ver = r->seq = 1;
	r->issued_ms = 1786000000000LL;
	r->n_areas = 1;
	snprintf(r->areas[0], sizeof(r->areas[0]), "120116");
}

static void
task(struct rm_record *r, struct rm_task *t)
{
	memset(t, 0, sizeof(*t));
	base(r, &rm_kind_task, t, "120116.gov", "t1");
	t->subject = subject;
	t->n_assignees = 2;
	snprintf(t->assignees[0], sizeof(t->assignees[0]), "120101.gov");
	snprintf(t->assignees[1], sizeof(t->assignees[1]), "120116.water");
	snprintf(t->lead, sizeof(t->lead), "120116.water");
	t->n_links = 1;
	snprintf(t->links[0].origin, sizeof(t->links[0].origin), "120116.gov");
	snprintf(t->links[0].oid, sizeof(t->links[0].oid), "bh-flood-1");
	t->priority = RM_TASK_URGENT;
	t->deadline_ms = 1786100000000LL;
	t->status = RM_TASK_OPEN;
}

static void
roundtrip(struct rm_record *r, struct rm_record *out)
{
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(record_encode(r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, out, &why), RM_OK);
	rm_buf_fini(&b);
}

static int
expect(struct rm_record *r, int err, const char *part)
{
	rm_why why;
	int rv = record_validate(r, &why);

	CU_ASSERT_EQUAL(rv, err);
	if (rv != RM_OK && part != NULL && strstr(why.msg, part) == NULL) {
		fprintf(stderr, "\n  want \"%s\" in \"%s\"\n", part, why.msg);
		CU_FAIL("reason");
	}
	return rv;
}

static void
test_task_roundtrip(void)
{
	struct rm_record r, d;
	struct rm_task t;
	const char *to[4];

	task(&r, &t);
	roundtrip(&r, &d);
	CU_ASSERT_STRING_EQUAL(record_task(&d)->subject, subject);
	CU_ASSERT_STRING_EQUAL(record_task(&d)->lead, "120116.water");
	CU_ASSERT_EQUAL(record_task(&d)->n_links, 1);
	CU_ASSERT_EQUAL(record_task(&d)->deadline_ms, 1786100000000LL);
	CU_ASSERT(record_in_force(&d, 0));
	CU_ASSERT_EQUAL(d.kind->recipients(&d, to, 4), 2);
	CU_ASSERT_STRING_EQUAL(to[1], "120116.water");
	record_fini(&d);
	t.status = RM_TASK_CLOSED;
	t.note = note;
	roundtrip(&r, &d);
	CU_ASSERT(!record_in_force(&d, 0));
	CU_ASSERT_STRING_EQUAL(record_task(&d)->note, note);
	record_fini(&d);
}

static void
test_task_rules(void)
{
	struct rm_record r;
	struct rm_task t;

	task(&r, &t);
	snprintf(t.lead, sizeof(t.lead), "120000.water");
	expect(&r, RM_EBADVALUE, "task.lead");
	task(&r, &t);
	snprintf(t.assignees[0], sizeof(t.assignees[0]), "120116.water");
	expect(&r, RM_EBADVALUE, "not sorted or repeated");
	task(&r, &t);
	t.n_assignees = 0;
	expect(&r, RM_EMISSING, "task.assignees");
	task(&r, &t);
	t.n_assignees = RM_TASK_ASSIGNEES_MAX + 1;
	expect(&r, RM_EBADVALUE, "task.assignees");
	task(&r, &t);
	snprintf(t.assignees[0], sizeof(t.assignees[0]), "120116.gov");
	expect(&r, RM_EBADVALUE, "cannot assign itself");
	task(&r, &t);
	t.subject = NULL;
	expect(&r, RM_EMISSING, "task.subject");
	task(&r, &t);
	t.priority = 9;
	expect(&r, RM_EBADVALUE, "task.priority");
	task(&r, &t);
	t.status = 0;
	expect(&r, RM_EBADVALUE, "task.status");
	task(&r, &t);
	t.deadline_ms = 0;
	expect(&r, RM_EBADVALUE, "task.deadline");
	task(&r, &t);
	snprintf(t.links[0].origin, sizeof(t.links[0].origin), "nobody");
	expect(&r, RM_EBADVALUE, "task.links.origin");
	task(&r, &t);
	memset(r.object_id, 'a', RM_TASK_ID_MAX + 1);
	r.object_id[RM_TASK_ID_MAX + 1] = '\0';
	expect(&r, RM_EBADVALUE, "task id");
}

static void
test_task_status(void)
{
	struct rm_task cur, next;
	rm_why why;

	memset(&cur, 0, sizeof(cur));
	memset(&next, 0, sizeof(next));
	next.status = RM_TASK_OPEN;
	CU_ASSERT_EQUAL(task_status_next(NULL, &next, &why), RM_OK);
	next.status = RM_TASK_CLOSED;
	CU_ASSERT_EQUAL(task_status_next(NULL, &next, &why), RM_EBADVALUE);
	cur.status = RM_TASK_OPEN;
	CU_ASSERT_EQUAL(task_status_next(&cur, &next, &why), RM_OK);
	next.status = RM_TASK_CANCELLED;
	CU_ASSERT_EQUAL(task_status_next(&cur, &next, &why), RM_OK);
	for (int s = RM_TASK_CLOSED; s <= RM_TASK_CANCELLED; s++) {
		cur.status = (enum rm_task_status)s;
		next.status = RM_TASK_OPEN;
		CU_ASSERT_EQUAL(task_status_next(&cur, &next, &why),
		    RM_EEXIST);
		CU_ASSERT_STRING_EQUAL(why.field, "status");
	}
}

static void
ack(struct rm_record *r, struct rm_ack *a, enum rm_ack_state st)
{
	memset(a, 0, sizeof(*a));
	base(r, &rm_kind_ack, a, "120101.gov", "ack:120116.gov:t1");
	snprintf(r->areas[0], sizeof(r->areas[0]), "120101");
	snprintf(a->task.origin, sizeof(a->task.origin), "120116.gov");
	snprintf(a->task.oid, sizeof(a->task.oid), "t1");
	a->state = st;
	if (st == RM_ACK_DONE)
		a->note = note;
	if (st == RM_ACK_REFUSED)
		a->reason = note;
}

static void
test_ack_rules(void)
{
	struct rm_record r, d;
	struct rm_ack a;
	char oid[RM_OBJECT_ID_MAX + 1];
	bool reg = false;
	rm_why why;

	for (int s = RM_ACK_RECEIVED; s <= RM_ACK_REFUSED; s++) {
		ack(&r, &a, (enum rm_ack_state)s);
		roundtrip(&r, &d);
		CU_ASSERT_EQUAL(record_ack(&d)->state, s);
		CU_ASSERT(record_in_force(&d, 0));
		record_fini(&d);
	}
	CU_ASSERT_EQUAL(ack_object_id(&a.task, oid), RM_OK);
	CU_ASSERT_STRING_EQUAL(oid, "ack:120116.gov:t1");
	ack(&r, &a, RM_ACK_DONE);
	a.note = NULL;
	expect(&r, RM_EMISSING, "done needs a note");
	ack(&r, &a, RM_ACK_REFUSED);
	a.reason = NULL;
	expect(&r, RM_EMISSING, "ack.reason");
	ack(&r, &a, RM_ACK_RECEIVED);
	a.reason = note;
	expect(&r, RM_EBADVALUE, "only a refusal");
	ack(&r, &a, RM_ACK_RECEIVED);
	snprintf(r.object_id, sizeof(r.object_id), "ack-1");
	expect(&r, RM_EBADVALUE, "oid");
	ack(&r, &a, RM_ACK_RECEIVED);
	snprintf(r.origin, sizeof(r.origin), "120116.gov");
	expect(&r, RM_EBADVALUE, "own task");
	/* any roster agency may sign one: the service and the views decide */
	ack(&r, &a, RM_ACK_RECEIVED);
	CU_ASSERT_EQUAL(rm_kind_ack.authorise(&r, reg, &why), RM_OK);
}

static void
test_ack_state(void)
{
	struct rm_ack cur, next;
	rm_why why;

	memset(&cur, 0, sizeof(cur));
	next = cur;
	next.state = RM_ACK_DONE;
	CU_ASSERT_EQUAL(ack_state_next(NULL, &next, &why), RM_OK);
	cur.state = RM_ACK_RECEIVED;
	CU_ASSERT_EQUAL(ack_state_next(&cur, &next, &why), RM_OK);
	cur.state = RM_ACK_IN_PROGRESS;
	next.state = RM_ACK_IN_PROGRESS;
	CU_ASSERT_EQUAL(ack_state_next(&cur, &next, &why), RM_OK);
	next.state = RM_ACK_RECEIVED;
	CU_ASSERT_EQUAL(ack_state_next(&cur, &next, &why), RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(why.field, "state");
	cur.state = RM_ACK_DONE;
	next.state = RM_ACK_REFUSED;
	CU_ASSERT_EQUAL(ack_state_next(&cur, &next, &why), RM_EEXIST);
	cur.state = RM_ACK_REFUSED;
	next.state = RM_ACK_DONE;
	CU_ASSERT_EQUAL(ack_state_next(&cur, &next, &why), RM_EEXIST);
	cur.state = RM_ACK_RECEIVED;
	snprintf(next.task.oid, sizeof(next.task.oid), "t2");
	CU_ASSERT_EQUAL(ack_state_next(&cur, &next, &why), RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(why.field, "task");
}

static void
test_escalation(void)
{
	struct rm_record r, d;
	struct rm_escalation e;
	const char *to[4];

	memset(&e, 0, sizeof(e));
	base(&r, &rm_kind_escalation, &e, "120116.gov", "esc:t1");
	snprintf(e.task.origin, sizeof(e.task.origin), "120116.gov");
	snprintf(e.task.oid, sizeof(e.task.oid), "t1");
	snprintf(e.lead, sizeof(e.lead), "120116.water");
	e.n_pending = 2;
	snprintf(e.pending[0], sizeof(e.pending[0]), "120101.gov");
	snprintf(e.pending[1], sizeof(e.pending[1]), "120116.water");
	e.deadline_ms = 1786100000000LL;
	roundtrip(&r, &d);
	CU_ASSERT_EQUAL(d.kind->recipients(&d, to, 4), 2);
	CU_ASSERT_STRING_EQUAL(to[0], "120116.water");
	CU_ASSERT_STRING_EQUAL(to[1], "120101.gov");
	record_fini(&d);
	CU_ASSERT_STRING_EQUAL(rm_kind_escalation.roster_kind, "task");
	snprintf(r.origin, sizeof(r.origin), "120101.gov");
	expect(&r, RM_EBADVALUE, "only the assigner");
	snprintf(r.origin, sizeof(r.origin), "120116.gov");
	snprintf(r.object_id, sizeof(r.object_id), "esc:t2");
	expect(&r, RM_EBADVALUE, "oid");
}

static CU_TestInfo tests[] = {
	{ "task_roundtrip", test_task_roundtrip },
	{ "task_rules", test_task_rules },
	{ "task_status", test_task_status },
	{ "ack_rules", test_ack_rules },
	{ "ack_state", test_ack_state },
	{ "escalation", test_escalation },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("schemas.task", tests);
}
