/*
 * test_task_sched.c -- the escalation scheduler of task dispatch
 * (node/service/node_task_sched.c) on a node with a real store, driven
 * by a fake clock (struct node.clock): an escalation is issued exactly
 * once, at the deadline and not before, never for a task every assignee
 * has done nor for a closed one, never again after a restart of the
 * scheduler; a new earlier task re-arms it; an ack from an agency that
 * is not an assignee is stored but never counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/service/service.h"
#include "rm_test.h"

#define OWN   "120116.gov"      /* the assigner: this node */
#define OTHER "120101.gov"      /* the assignee */
#define THIRD "120102.gov"      /* neither */

static struct node fx;
static crypto_signer *other_signer, *third_signer;
static char tmpdir[64];
static _Atomic rm_utc_ms fake_ms;
static _Atomic bool fake_runs;    /* advance with the real clock */
static rm_utc_ms real0_ms;

static rm_utc_ms
fake_clock(void)
{
	return fake_ms + (fake_runs ? rm_utc_now_ms() - real0_ms : 0);
}

static void
die(const char *what, const rm_why *why)
{
	fprintf(stderr, "fixture: %s: %s\n", what, why ? why->msg : "");
	abort();
}

static void
agency(struct roster *r, const char *id, crypto_key *k, const char *area)
{
	struct roster_agency a;
	rm_why why;

	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "%s", id);
	snprintf(a.name_en, sizeof(a.name_en), "%s", id);
	snprintf(a.name_zh, sizeof(a.name_zh), "测试 %s", id);
	snprintf(a.role, sizeof(a.role), "district");
	a.kinds = ROSTER_KIND_ALERT |
	    ((rm_kind_set)1u << kind_index(&rm_kind_task));
	a.max_grade = RM_GRADE_ORANGE;
	a.n_areas = 1;
	snprintf(a.areas[0], sizeof(a.areas[0]), "%s", area);
	if (crypto_key_kid(k, &a.kid) != RM_OK)
		abort();
	a.key = k;
	if (roster_put_agency(r, &a, &why) != RM_OK)
		die("put", &why);
}

static int
fx_init(void)
{
	struct store_opts so = { 0 };
	struct roster *r;
	crypto_key *own = NULL, *other = NULL, *third = NULL, *root = NULL;
	crypto_signer *root_signer = NULL;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	rm_log_set_level(RM_LOG_ERR);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rm-test-task.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	if (crypto_key_generate(&root, &why) != RM_OK ||
	    crypto_key_generate(&own, &why) != RM_OK ||
	    crypto_key_generate(&other, &why) != RM_OK ||
	    crypto_key_generate(&third, &why) != RM_OK ||
	    crypto_signer_from_key(root, &root_signer, &why) != RM_OK ||
	    crypto_signer_from_key(own, &fx.signer, &why) != RM_OK ||
	    crypto_signer_from_key(other, &other_signer, &why) != RM_OK ||
	    crypto_signer_from_key(third, &third_signer, &why) != RM_OK ||
	    crypto_signer_public_key(root_signer, &fx.root) != RM_OK)
		die("keys", &why);
	crypto_key_free(root);
	if (roster_new("task-test", 3, &r, &why) != RM_OK)
		die("roster_new", &why);
	agency(r, OWN, own, "120116");
	agency(r, OTHER, other, "120101");
	agency(r, THIRD, third, "120102");
	if (roster_sign(r, root_signer, &b, &why) != RM_OK)
		die("sign", &why);
	roster_free(r);
	crypto_signer_free(root_signer);
	crypto_key_free(own);
	crypto_key_free(other);
	crypto_key_free(third);
	if (roster_open(b.data, b.len, fx.root, &fx.roster, &why) != RM_OK)
		die("roster_open", &why);
	rm_buf_fini(&b);
	crypto_signer_kid(fx.signer, &fx.kid);
	config_defaults(&fx.cfg);
	snprintf(fx.cfg.agency, sizeof(fx.cfg.agency), OWN);
	snprintf(fx.cfg.data_dir, sizeof(fx.cfg.data_dir), "%s/data", tmpdir);
	so.dir = fx.cfg.data_dir;
	if (store_open(&so, &fx.store, &why) != RM_OK)
		die("store_open", &why);
	pthread_mutex_init(&fx.obs_mtx, NULL);
	fx.obs_mtx_ok = true;
	store_set_observer(fx.store, node_store_observer, &fx);
	fx.started_ms = rm_utc_now_ms();
	real0_ms = rm_utc_now_ms();
	fake_ms = real0_ms;
	fx.clock = fake_clock;
	if (node_tasks_start(&fx, &why) != RM_OK)
		die("node_tasks_start", &why);
	return 0;
}

static int
fx_fini(void)
{
	char cmd[128];

	node_tasks_stop(&fx);
	store_close(fx.store);
	roster_free(fx.roster);
	crypto_key_free(fx.root);
	crypto_signer_free(fx.signer);
	crypto_signer_free(other_signer);
	crypto_signer_free(third_signer);
	pthread_mutex_destroy(&fx.obs_mtx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : 1;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Kick the scheduler and wait until it finished a pass after that. */
static void
settle(void)
{
	uint64_t p = node_tasks_passes(&fx);

	node_tasks_kick(&fx);
	for (int i = 0; i < 2000 && node_tasks_passes(&fx) < p + 1; i++)
		sleep_ms(5);
	CU_ASSERT(node_tasks_passes(&fx) >= p + 1);
}

static bool
escalated(const char *id, struct rm_record *out)
{
	char oid[RM_OBJECT_ID_MAX + 1];
	rm_hash h;
	rm_why why;

	snprintf(oid, sizeof(oid), "esc:%s", id);
	if (store_latest(fx.store, OWN, oid, &h) != RM_OK)
		return false;
	if (out != NULL)
		CU_ASSERT_EQUAL_FATAL(service_record_read(&fx, &h, out, &why),
		    RM_OK);
	return true;
}

static void
dispatch(const char *id, rm_utc_ms deadline)
{
	struct rm_record d;
	struct rm_task t;
	struct service_issued is;
	rm_why why;

	memset(&d, 0, sizeof(d));
	memset(&t, 0, sizeof(t));
	d.schema_version = RM_SCHEMA_VERSION;
	d.kind = &rm_kind_task;
	d.body = &t;
	snprintf(d.origin, sizeof(d.origin), OWN);
	snprintf(d.object_id, sizeof(d.object_id), "%s", id);
	d.issued_ms = fake_clock();
	d.n_areas = 1;
	snprintf(d.areas[0], sizeof(d.areas[0]), "120116");
	t.subject = (char *)"上报隐患台账";
	t.n_assignees = 1;
	snprintf(t.assignees[0], sizeof(t.assignees[0]), OTHER);
	snprintf(t.lead, sizeof(t.lead), OTHER);
	t.priority = RM_TASK_HIGH;
	t.deadline_ms = deadline;
	t.status = RM_TASK_OPEN;
	if (service_task_issue(&fx, &d, NULL, &is, &why) != RM_OK)
		fprintf(stderr, "\n  dispatch %s: %s\n", id, why.msg);
	CU_ASSERT_EQUAL_FATAL(is.ver, 1);
}

/* An ack of OWN's task id by agency `by` (signed with s), stored as a
 * peer's record would be. */
static void
ack_from(const char *by, crypto_signer *s, const char *area, uint64_t seq,
    const char *id, enum rm_ack_state st)
{
	struct rm_record d;
	struct rm_ack a;
	rm_buf b = RM_BUF_INIT;
	rm_hash h;
	rm_why why;

	memset(&d, 0, sizeof(d));
	memset(&a, 0, sizeof(a));
	d.schema_version = RM_SCHEMA_VERSION;
	d.kind = &rm_kind_ack;
	d.body = &a;
	snprintf(d.origin, sizeof(d.origin), "%s", by);
	snprintf(a.task.origin, sizeof(a.task.origin), OWN);
	snprintf(a.task.oid, sizeof(a.task.oid), "%s", id);
	CU_ASSERT_EQUAL(ack_object_id(&a.task, d.object_id), RM_OK);
	d.ver = 1;
	d.seq = seq;
	d.issued_ms = fake_clock();
	d.n_areas = 1;
	snprintf(d.areas[0], sizeof(d.areas[0]), "%s", area);
	a.state = st;
	a.note = st == RM_ACK_DONE ? (char *)"已办结" : NULL;
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(s, &d, &b, &h, &why), RM_OK);
	CU_ASSERT_EQUAL(store_put_wait(fx.store, b.data, b.len, &h, by,
	    NULL), RM_OK);
	rm_buf_fini(&b);
}

static void
test_fires_once_at_deadline(void)
{
	rm_utc_ms t0 = fake_clock(), deadline = t0 + 10000;
	struct rm_record e;

	dispatch("t1", deadline);
	settle();
	CU_ASSERT(!escalated("t1", NULL));
	fake_ms = deadline - 1;
	settle();
	CU_ASSERT(!escalated("t1", NULL));
	fake_ms = deadline;
	settle();
	CU_ASSERT_FATAL(escalated("t1", &e));
	CU_ASSERT(e.issued_ms >= deadline);
	CU_ASSERT_EQUAL(record_escalation(&e)->deadline_ms, deadline);
	CU_ASSERT_STRING_EQUAL(record_escalation(&e)->lead, OTHER);
	CU_ASSERT_EQUAL(record_escalation(&e)->n_pending, 1);
	record_fini(&e);
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.escalations), 1);
	fake_ms = deadline + 60000;
	settle();
	settle();
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.escalations), 1);
}

static void
test_restart_issues_none(void)
{
	rm_why why;

	/* t1 is escalated already: a new scheduler finds its record */
	node_tasks_stop(&fx);
	CU_ASSERT_EQUAL_FATAL(node_tasks_start(&fx, &why), RM_OK);
	settle();
	settle();
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.escalations), 1);
}

static void
test_not_when_done_or_closed(void)
{
	rm_utc_ms t0 = fake_clock();
	struct service_issued is;
	rm_why why;

	dispatch("t2", t0 + 1000);
	ack_from(OTHER, other_signer, "120101", 1, "t2", RM_ACK_DONE);
	dispatch("t3", t0 + 1000);
	CU_ASSERT_EQUAL(service_task_close(&fx, "t3", RM_TASK_CLOSED, NULL,
	    &is, &why), RM_OK);
	fake_ms = t0 + 5000;
	settle();
	CU_ASSERT(!escalated("t2", NULL));
	CU_ASSERT(!escalated("t3", NULL));
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.escalations), 1);
}

struct seen {
	int n;
	struct service_task_view v;
};

static int
view_each(void *arg, const struct service_task_view *v)
{
	struct seen *s = arg;

	s->n++;
	s->v = *v;
	return RM_OK;
}

static void
test_foreign_ack_never_counts(void)
{
	rm_utc_ms t0 = fake_clock();
	struct service_task_filter f;
	struct seen s;
	rm_why why;

	dispatch("t4", t0 + 1000);
	/* THIRD signs a valid "done" for t4: stored, never counted */
	ack_from(THIRD, third_signer, "120102", 1, "t4", RM_ACK_DONE);
	CU_ASSERT_EQUAL(atomic_load(&fx.ctr.acks_ignored), 1);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(service_task_show(&fx, NULL, "t4", fake_clock(),
	    view_each, NULL, &s, &why), RM_OK);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(s.v.n_done, 0);
	CU_ASSERT_EQUAL(s.v.n_ignored, 1);
	CU_ASSERT_EQUAL(s.v.acks[0].state, 0);
	fake_ms = t0 + 2000;
	settle();
	CU_ASSERT(escalated("t4", NULL));
	memset(&f, 0, sizeof(f));
	f.overdue = true;
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(service_tasks_list(&fx, &f, fake_clock(), view_each,
	    &s, &why), RM_OK);
	CU_ASSERT_EQUAL(s.n, 2);    /* t1 and t4 */
}

static void
test_rearmed_by_earlier_task(void)
{
	rm_utc_ms t0;
	int i;

	/* the fake clock now runs: a later task puts the scheduler to sleep
	 * for 10 minutes; an earlier one stored meanwhile must wake it */
	real0_ms = rm_utc_now_ms();
	fake_runs = true;
	t0 = fake_clock();
	dispatch("t5", t0 + 600000);
	settle();
	dispatch("t6", t0 + 300);
	for (i = 0; i < 400 && !escalated("t6", NULL); i++)
		sleep_ms(50);
	CU_ASSERT(escalated("t6", NULL));
	CU_ASSERT(!escalated("t5", NULL));
	fake_runs = false;
}

static CU_TestInfo tests[] = {
	{ "fires_once_at_deadline", test_fires_once_at_deadline },
	{ "restart_issues_none", test_restart_issues_none },
	{ "not_when_done_or_closed", test_not_when_done_or_closed },
	{ "foreign_ack_never_counts", test_foreign_ack_never_counts },
	{ "rearmed_by_earlier_task", test_rearmed_by_earlier_task },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	CU_pSuite s = CU_add_suite("node.task_sched", fx_init, fx_fini);

	for (CU_TestInfo *t = tests; s != NULL && t->pName != NULL; t++)
		CU_add_test(s, t->pName, t->pTestFunc);
}
