/*
 * node_task_sched.c -- the escalation scheduler (service.h, "task
 * dispatch"): one thread that sleeps on a condition variable until the
 * earliest deadline among the own agency's open tasks that are neither
 * escalated nor done by every assignee, and then issues their
 * escalations. No tick: it is woken by a stored task or ack (a store
 * subscriber), by node_tasks_kick and by node_tasks_stop. The subscriber
 * also counts acks from agencies that are not among their task's
 * assignees (n->ctr.acks_ignored).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/service/service_int.h"

#define RETRY_BUSY_MS   1000    /* own-log guard: the node is not ready */
#define RETRY_FAIL_MS   60000   /* any other refusal */
#define DUE_MAX         64      /* escalations issued per pass */

struct node_tasks {
	struct node *n;
	pthread_t th;
	pthread_mutex_t mtx;
	pthread_cond_t cv;           /* CLOCK_MONOTONIC */
	bool stop, dirty;
	atomic_uint_fast64_t passes;
};

static rm_log_limit esc_log = RM_LOG_LIMIT(10, 60000);
static rm_log_limit foreign_log = RM_LOG_LIMIT(5, 60000);

/* A due escalation, collected in the read walk, issued after it. */
struct due {
	struct rm_record rec;
	struct rm_escalation body;
};

struct scan {
	struct node *n;
	rm_utc_ms now, next;         /* next: earliest future deadline */
	struct due *due;
	size_t n_due;
	rm_why why;
};

static void
next_at(struct scan *s, rm_utc_ms t)
{
	if (s->next == 0 || t < s->next)
		s->next = t;
}

static int
scan_each(void *arg, const rm_hash *h, const uint8_t *p, size_t len,
    const struct rm_record *rec)
{
	struct scan *s = arg;
	const struct rm_task *t = record_task(rec);
	struct service_task_view v;
	struct due *d;
	int rv;

	(void)p;
	(void)len;
	if (t == NULL || strcmp(rec->origin, s->n->cfg.agency) != 0)
		return RM_OK;
	if ((rv = node_task_view_build(s->n, rec, h, s->now, &v, &s->why)) !=
	    RM_OK)
		return rv;
	if (v.escalated || v.n_done == v.n_acks)
		return RM_OK;
	if (t->deadline_ms > s->now) {
		next_at(s, t->deadline_ms);
		return RM_OK;
	}
	if (s->n_due == DUE_MAX) {
		next_at(s, s->now);
		return RM_OK;
	}
	d = &s->due[s->n_due++];
	memset(d, 0, sizeof(*d));
	d->rec.schema_version = RM_SCHEMA_VERSION;
	d->rec.kind = &rm_kind_escalation;
	d->rec.body = &d->body;
	snprintf(d->rec.origin, sizeof(d->rec.origin), "%s", rec->origin);
	d->rec.n_areas = rec->n_areas;
	memcpy(d->rec.areas, rec->areas, sizeof(rec->areas));
	snprintf(d->body.task.origin, sizeof(d->body.task.origin), "%s",
	    rec->origin);
	snprintf(d->body.task.oid, sizeof(d->body.task.oid), "%s",
	    rec->object_id);
	(void)escalation_object_id(&d->body.task, d->rec.object_id);
	d->body.deadline_ms = t->deadline_ms;
	snprintf(d->body.lead, sizeof(d->body.lead), "%s", t->lead);
	for (size_t i = 0; i < v.n_acks; i++)
		if (v.acks[i].state != RM_ACK_DONE)
			snprintf(d->body.pending[d->body.n_pending++],
			    sizeof(d->body.pending[0]), "%s", v.acks[i].agency);
	return RM_OK;
}

/* Issue one due escalation; RM_OK also when another pass or a restart
 * already stored it. */
static int
escalate(struct node *n, struct due *d, rm_why *why)
{
	struct issue_base base;
	struct service_issued is;
	struct rm_record cur;
	int rv;

	memset(&base, 0, sizeof(base));
	memset(&cur, 0, sizeof(cur));
	base.n = n;
	d->rec.issued_ms = node_now(n);
	if ((rv = node_issue_draft_valid(n, &rm_kind_escalation, &d->rec,
	    why)) != RM_OK ||
	    (rv = node_issue_latest(n, d->rec.object_id, &base.exists,
	    &base.hash, &cur, why)) != RM_OK)
		return rv;
	if (base.exists) {
		record_fini(&cur);
		return RM_OK;
	}
	if ((rv = node_issue_authorise(n, &d->rec, why)) != RM_OK ||
	    (rv = node_issue_commit(n, &d->rec, &base, &is, why)) != RM_OK)
		return rv;
	atomic_fetch_add(&n->ctr.escalations, 1);
	rm_log(RM_LOG_NOTICE, "node", "task %s is overdue: escalated to %s "
	    "(%zu assignee%s not done)", d->body.task.oid, d->body.lead,
	    d->body.n_pending, d->body.n_pending == 1 ? "" : "s");
	return RM_OK;
}

/* One pass: issue what is due; the time to look again (0: none). */
static rm_utc_ms
pass(struct node *n)
{
	struct scan s;
	char key[RM_INDEX_KEY_MAX + 1];
	int rv;

	memset(&s, 0, sizeof(s));
	s.n = n;
	s.now = node_now(n);
	if ((s.due = calloc(DUE_MAX, sizeof(*s.due))) == NULL)
		return s.now + RETRY_BUSY_MS;
	snprintf(key, sizeof(key), "origin=%.57s", n->cfg.agency);
	rv = store_index_each(n->store, &rm_kind_task, key, s.now, scan_each,
	    &s);
	if (rv != RM_OK) {
		if (rm_log_allow(&esc_log, NULL))
			rm_log(RM_LOG_ERR, "node", "escalations: cannot read "
			    "tasks: %s", s.why.msg[0] ? s.why.msg :
			    rm_strerror(rv));
		next_at(&s, s.now + RETRY_FAIL_MS);
	}
	for (size_t i = 0; i < s.n_due; i++) {
		rm_why why;

		memset(&why, 0, sizeof(why));
		if ((rv = escalate(n, &s.due[i], &why)) == RM_OK)
			continue;
		next_at(&s, s.now + (rv == RM_EBUSY ? RETRY_BUSY_MS :
		    RETRY_FAIL_MS));
		if (rv != RM_EBUSY && rm_log_allow(&esc_log, NULL))
			rm_log(RM_LOG_WARN, "node", "escalation of task %s not "
			    "issued: %s (retried in %d s)",
			    s.due[i].body.task.oid, why.msg,
			    RETRY_FAIL_MS / 1000);
	}
	free(s.due);
	return s.next;
}

static void *
sched_main(void *arg)
{
	struct node_tasks *t = arg;
	struct timespec ts;
	rm_utc_ms next, delta;

	pthread_mutex_lock(&t->mtx);
	while (!t->stop) {
		t->dirty = false;
		pthread_mutex_unlock(&t->mtx);
		next = pass(t->n);
		atomic_fetch_add(&t->passes, 1);
		pthread_mutex_lock(&t->mtx);
		if (t->stop || t->dirty)
			continue;
		if (next == 0) {
			pthread_cond_wait(&t->cv, &t->mtx);
			continue;
		}
		if ((delta = next - node_now(t->n)) <= 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += delta / 1000;
		ts.tv_nsec += (long)(delta % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&t->cv, &t->mtx, &ts);
	}
	pthread_mutex_unlock(&t->mtx);
	return NULL;
}

/* An ack whose signer is not among its task's assignees (when the task
 * is here) is counted and logged; it never counts in the views. */
static void
check_ack(struct node *n, const struct rm_record *rec)
{
	const struct rm_ack *a = record_ack(rec);
	struct rm_record task;
	rm_hash h;
	rm_why why;

	if (a == NULL || store_latest(n->store, a->task.origin, a->task.oid,
	    &h) != RM_OK || service_record_read(n, &h, &task, &why) != RM_OK)
		return;
	if (record_task(&task) != NULL &&
	    !task_is_assignee(record_task(&task), rec->origin)) {
		atomic_fetch_add(&n->ctr.acks_ignored, 1);
		if (rm_log_allow(&foreign_log, NULL))
			rm_log_sec("node", "ack by %s of task %s/%s stored but "
			    "ignored: %s is not an assignee (counted; at most 5 "
			    "lines a minute)", rec->origin, a->task.origin,
			    a->task.oid, rec->origin);
	}
	record_fini(&task);
}

static void
kick(struct node_tasks *t)
{
	pthread_mutex_lock(&t->mtx);
	t->dirty = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mtx);
}

/* Subscriber (store writer thread, obs_mtx held): a task of the own
 * agency, or an ack of one, wakes the scheduler. */
static void
sched_stored(void *arg, const struct store_event *ev)
{
	struct node_tasks *t = arg;
	const struct rm_record *rec = ev->rec;

	const struct rm_ack *a = record_ack(rec);

	if (rec->body == NULL)
		return;
	if (a != NULL)
		check_ack(t->n, rec);
	/* only the own agency's tasks and their acks move its deadlines */
	if ((record_task(rec) != NULL &&
	    strcmp(rec->origin, t->n->cfg.agency) == 0) ||
	    (a != NULL && strcmp(a->task.origin, t->n->cfg.agency) == 0))
		kick(t);
}

int
node_tasks_start(struct node *n, rm_why *why)
{
	struct node_tasks *t;
	pthread_condattr_t ca;
	int rv;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return rm_fail(why, RM_ENOMEM, "tasks: out of memory");
	t->n = n;
	pthread_mutex_init(&t->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((rv = node_subscribe(n, sched_stored, t)) != RM_OK) {
		rm_fail(why, rv, "tasks: no subscriber slot left");
		goto fail;
	}
	if (pthread_create(&t->th, NULL, sched_main, t) != 0) {
		n->n_subs--;
		rv = rm_fail(why, RM_EIO, "tasks: cannot start the escalation "
		    "thread");
		goto fail;
	}
	n->tasks = t;
	return RM_OK;
fail:
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mtx);
	free(t);
	return rv;
}

void
node_tasks_kick(struct node *n)
{
	if (n->tasks != NULL)
		kick(n->tasks);
}

uint64_t
node_tasks_passes(struct node *n)
{
	return n->tasks != NULL ? atomic_load(&n->tasks->passes) : 0;
}

void
node_tasks_stop(struct node *n)
{
	struct node_tasks *t = n->tasks;

	if (t == NULL)
		return;
	/* No subscriber call can reach t once it is out of the list. */
	if (n->obs_mtx_ok)
		pthread_mutex_lock(&n->obs_mtx);
	for (size_t i = 0; i < n->n_subs; i++)
		if (n->subs[i].arg == t) {
			memmove(&n->subs[i], &n->subs[i + 1],
			    (n->n_subs - i - 1) * sizeof(n->subs[0]));
			n->n_subs--;
			break;
		}
	n->tasks = NULL;
	if (n->obs_mtx_ok)
		pthread_mutex_unlock(&n->obs_mtx);
	pthread_mutex_lock(&t->mtx);
	t->stop = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mtx);
	pthread_join(t->th, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mtx);
	free(t);
}
