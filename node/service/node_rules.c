/*
 * node_rules.c -- the node's monitoring rules (service.h, "monitoring
 * rules and proposals"): the engine of node/rules behind a mutex, fed by
 * node_rules_observe and by the store observer (alert versions,
 * indicator definitions and values, risk versions for the
 * review_overdue rules of node_rules_review.c); the rules thread issues
 * what the engine raises or clears, and sleeps on a condition variable
 * until a transition is queued, the earliest pending deadline comes or
 * the next midnight (UTC+08:00) when review rules exist (no polling
 * tick).
 *
 * Deadlines are processed up to the deadline itself, never up to the
 * wall clock: the engine's clock stays event time, so observations that
 * arrive late (a gateway replaying a morning) are still evaluated in
 * their own order (node/rules/rules.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/service/service_int.h"

#define RULES_RETRY_MS     500     /* own-log guard: retry the issue */
#define RULES_RETRIES      40

struct node_rules {
	struct rules_set *set;
	struct rules_engine *eng;
	struct node_review *rv;      /* NULL: no review_overdue rule */
	pthread_mutex_t mu;          /* guards eng, q, stop */
	pthread_cond_t cv;
	pthread_t th;
	bool th_ok, stop;
	struct rules_transition *q;  /* to issue, in order */
	size_t qn, qcap;
	atomic_uint_fast64_t raised, cleared, issue_failed;
	uint64_t evicted_logged;     /* engine evictions logged (mu) */
};

static rm_log_limit issue_log = RM_LOG_LIMIT(10, 60000);
/* Evictions for room in the engine (a flood of distinct areas): one
 * line a minute with the number since the last line. */
static rm_log_limit evict_log = RM_LOG_LIMIT(1, 60000);

/* After an input to the engine (mu held): log new evictions, at most
 * one line a minute. */
static void
log_evictions(struct node_rules *r)
{
	struct rules_stats s;

	rules_get_stats(r->eng, &s);
	if (s.evicted == r->evicted_logged || !rm_log_allow(&evict_log, NULL))
		return;
	rm_log(RM_LOG_WARN, "node", "rules: %llu idle (rule, area) states or "
	    "series evicted for room since the last line (%llu in all; "
	    "%zu states, %zu series in use; docs/RULES.md \"Limits\")",
	    (unsigned long long)(s.evicted - r->evicted_logged),
	    (unsigned long long)s.evicted, s.states, s.series);
	r->evicted_logged = s.evicted;
}

/* rules_emit_fn: queue the transition (mu held). */
static void
enqueue(void *arg, const struct rules_transition *t)
{
	struct node_rules *r = arg;

	if (r->qn == r->qcap) {
		size_t cap = r->qcap == 0 ? 16 : r->qcap * 2;
		void *nq = realloc(r->q, cap * sizeof(*r->q));

		if (nq == NULL) {
			atomic_fetch_add(&r->issue_failed, 1);
			return;
		}
		r->q = nq;
		r->qcap = cap;
	}
	r->q[r->qn++] = *t;
	pthread_cond_signal(&r->cv);
}

static void
wait_until(struct node_rules *r, rm_utc_ms t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 1000);
	ts.tv_nsec = (long)(t % 1000) * 1000000L;
	(void)pthread_cond_timedwait(&r->cv, &r->mu, &ts);
}

/* Issue one transition (mu not held); retried while the own-log guard
 * holds the node back (RM_EBUSY at start). */
static void
act(struct node *n, struct node_rules *r, const struct rules_transition *t)
{
	rm_why why;
	int rv = RM_OK;

	for (int i = 0; i < RULES_RETRIES; i++) {
		memset(&why, 0, sizeof(why));
		rv = t->raised ? node_proposal_raise(n, t, &why) :
		    node_proposal_expire(n, t, &why);
		if (rv != RM_EBUSY || why.field[0] != '\0')
			break;
		pthread_mutex_lock(&r->mu);
		if (!r->stop)
			wait_until(r, rm_utc_now_ms() + RULES_RETRY_MS);
		i = r->stop ? RULES_RETRIES : i;
		pthread_mutex_unlock(&r->mu);
	}
	/* EEXIST: the proposal is open (raised before a restart);
	 * EEXPIRED (its object id taken by one no longer open) is a
	 * failure like any other: counted and logged */
	if (rv == RM_OK || (t->raised && rv == RM_EEXIST)) {
		atomic_fetch_add(t->raised ? &r->raised : &r->cleared, 1);
		rm_log(RM_LOG_NOTICE, "node", "rule %s %s in %s", t->rule->id,
		    t->raised ? "raised" : "cleared", t->area);
		return;
	}
	atomic_fetch_add(&r->issue_failed, 1);
	if (rm_log_allow(&issue_log, NULL))
		rm_log(RM_LOG_WARN, "node", "rule %s %s in %s: not issued: %s "
		    "(%s)", t->rule->id, t->raised ? "raised" : "cleared",
		    t->area, why.msg, rm_errname(rv));
}

/* The wall time of the next midnight (UTC+08:00) of node time, when
 * review dates pass (mu held). */
static rm_utc_ms
midnight_wall(struct node *n, struct node_rules *r)
{
	return rm_utc_now_ms() + (node_review_next_ms(r->rv) - node_now(n));
}

static void *
rules_main(void *arg)
{
	struct node *n = arg;
	struct node_rules *r = n->rules;
	rm_utc_ms d;

	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		if (r->qn > 0) {
			struct rules_transition *q = r->q;
			size_t qn = r->qn;

			r->q = NULL;
			r->qn = r->qcap = 0;
			pthread_mutex_unlock(&r->mu);
			for (size_t i = 0; i < qn; i++)
				act(n, r, &q[i]);
			free(q);
			pthread_mutex_lock(&r->mu);
		} else if (atomic_load(&n->imports) == 0 &&
		    node_review_ready(r->rv, node_now(n))) {
			/* held while a risk import runs (struct node) */
			pthread_mutex_unlock(&r->mu);
			node_review_run(n, r->rv, &r->mu);
			pthread_mutex_lock(&r->mu);
		} else if (!rules_next_deadline(r->eng, &d)) {
			if (r->rv == NULL)
				pthread_cond_wait(&r->cv, &r->mu);
			else
				wait_until(r, midnight_wall(n, r));
		} else if (d <= rm_utc_now_ms())
			rules_advance(r->eng, d, enqueue, r);
		else
			wait_until(r, r->rv != NULL && midnight_wall(n, r) < d ?
			    midnight_wall(n, r) : d);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* An alert version as a fact (mu held). Restricted alerts never feed
 * rules: a proposal would tell everyone what they say. */
static void
alert_fact(struct node_rules *r, const struct rm_record *rec)
{
	const struct rm_alert *a = record_alert(rec);
	const char *areas[RM_AREAS_MAX], *events[RM_ALERT_TEXTS_MAX];
	char key[RULES_ALERT_KEY_MAX + 1];
	struct rules_alert_fact f;

	if (a == NULL || record_restricted(rec))
		return;
	memset(&f, 0, sizeof(f));
	snprintf(key, sizeof(key), "%s/%s", rec->origin, rec->object_id);
	for (size_t i = 0; i < rec->n_areas; i++)
		areas[i] = rec->areas[i];
	for (size_t i = 0; i < a->n_texts && i < RM_ALERT_TEXTS_MAX; i++)
		events[f.n_events++] = a->texts[i].event;
	f.key = key;
	f.n_areas = rec->n_areas;
	f.areas = areas;
	f.events = events;
	f.grade = a->grade;
	/* the kind's rule (not a Cancel); the engine applies the expiry */
	f.in_force = record_in_force(rec, 0);
	f.t_ms = rec->issued_ms;
	f.expires_ms = rec->expires_ms;
	(void)rules_alert(r->eng, &f, enqueue, r);
	log_evictions(r);
}

/* An indicator definition as a fact (mu held). */
static void
def_fact(struct node_rules *r, const struct rm_record *rec)
{
	const struct rm_indicator_def *d = record_indicator_def(rec);
	struct rules_def_fact f;

	if (d == NULL)
		return;
	memset(&f, 0, sizeof(f));
	f.code = d->code;
	f.target = decimal_to_double(d->target);
	f.has_warning = d->has_warning;
	f.warning = d->has_warning ? decimal_to_double(d->warning) : 0;
	f.lower_worse = d->direction == RM_IND_LOWER_WORSE;
	f.t_ms = rec->issued_ms;
	(void)rules_define(r->eng, &f, enqueue, r);
}

/* service_ind_fn: one value of a stored indicator series, observed
 * (mu held). A value the engine refuses (a code longer than its
 * bound) is skipped: the record is valid, the rule cannot use it. */
static int
observe_point(void *arg, const struct service_ind_obs *o)
{
	struct node_rules *r = arg;
	struct rules_obs ob = { o->code, o->area, o->time_ms, o->value_d };

	(void)rules_observe(r->eng, &ob, 1, enqueue, r);
	log_evictions(r);
	return RM_OK;
}

/* Store subscriber (writer thread): alert versions become facts, the
 * values of indicator series (from this node or a peer) observations. */
static void
rules_stored(void *arg, const struct store_event *ev)
{
	struct node *n = arg;

	/* obs_mtx is held: n->rules is NULL once node_rules_stop ran */
	if (n->rules == NULL || ev->fork_evidence)
		return;
	if (ev->rec->kind == &rm_kind_indicator) {
		pthread_mutex_lock(&n->rules->mu);
		(void)service_indicator_points(ev->rec, observe_point, n->rules);
		pthread_cond_signal(&n->rules->cv);
		pthread_mutex_unlock(&n->rules->mu);
		return;
	}
	if (!ev->is_latest || (ev->rec->kind != &rm_kind_alert &&
	    ev->rec->kind != &rm_kind_indicator_def &&
	    ev->rec->kind != &rm_kind_risk))
		return;
	pthread_mutex_lock(&n->rules->mu);
	if (ev->rec->kind == &rm_kind_alert)
		alert_fact(n->rules, ev->rec);
	else if (ev->rec->kind == &rm_kind_indicator_def)
		def_fact(n->rules, ev->rec);
	else
		node_review_queue(n->rules->rv, ev->rec);
	pthread_cond_signal(&n->rules->cv);
	pthread_mutex_unlock(&n->rules->mu);
}

static int
start_alert_each(void *arg, const rm_hash *h, const uint8_t *p, size_t len,
    const struct rm_record *rec)
{
	(void)h;
	(void)p;
	(void)len;
	if (rec->body != NULL)
		alert_fact(arg, rec);
	return RM_OK;
}

static int
start_def_each(void *arg, const rm_hash *h, const uint8_t *p, size_t len,
    const struct rm_record *rec)
{
	(void)h;
	(void)p;
	(void)len;
	def_fact(arg, rec);
	return RM_OK;
}

/* An own open proposal: its (rule, area) fires again, so that clearing
 * expires it. */
static int
start_proposal_each(void *arg, const rm_hash *h, const uint8_t *p,
    size_t len, const struct rm_record *rec)
{
	struct node *n = arg;
	const struct rm_proposal *pr = record_proposal(rec);
	const struct rules_rule *rule;

	(void)h;
	(void)p;
	(void)len;
	if (pr == NULL || pr->state != RM_PROPOSAL_OPEN ||
	    strcmp(rec->origin, n->cfg.agency) != 0)
		return RM_OK;
	rule = rules_find(n->rules->set, pr->rule);
	if (rule != NULL && rules_is_review(rule))
		node_review_restore(n->rules->rv, rec);
	else
		(void)rules_restore_firing(n->rules->eng, pr->rule,
		    rec->areas[0], pr->raised_ms);
	return RM_OK;
}

static void
log_rules_error(void *arg, unsigned line, const char *msg)
{
	rm_log(RM_LOG_ERR, "node", "%s:%u: %s", (const char *)arg, line, msg);
}

int
node_rules_start(struct node *n, rm_why *why)
{
	struct node_rules *r;
	rm_utc_ms now = rm_utc_now_ms();
	size_t nerr;
	int rv;

	if (n->cfg.rules_file[0] == '\0')
		return RM_OK;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return rm_fail(why, RM_ENOMEM, "rules: out of memory");
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	n->rules = r;
	if ((rv = rules_load(n->cfg.rules_file, &r->set, &nerr,
	    log_rules_error, n->cfg.rules_file, why)) != RM_OK ||
	    (rv = rules_engine_new(r->set, &r->eng)) != RM_OK ||
	    (rv = node_review_new(r->set, n->cfg.rules_review_max, &r->rv)) !=
	    RM_OK)
		goto fail;
	if ((rv = store_active(n->store, &rm_kind_proposal, NULL, now,
	    start_proposal_each, n)) != RM_OK ||
	    (rv = service_alerts_active(n, NULL, now, start_alert_each, r,
	    why)) != RM_OK ||
	    (rv = service_indicator_defs(n, NULL, NULL, now, start_def_each, r,
	    why)) != RM_OK)
		goto fail;
	if ((rv = node_subscribe(n, rules_stored, n)) != RM_OK) {
		rm_fail(why, rv, "rules: no subscriber slot");
		goto fail;
	}
	if (pthread_create(&r->th, NULL, rules_main, n) != 0) {
		rv = rm_fail(why, RM_ENOMEM, "rules: cannot start the thread");
		goto fail;
	}
	r->th_ok = true;
	rm_log(RM_LOG_INFO, "node", "rules: %zu from %s", r->set->n,
	    n->cfg.rules_file);
	return RM_OK;
fail:
	if (rv == RM_ESTORE || rv == RM_ENOMEM)
		rm_fail(why, rv, "rules: %s", rm_strerror(rv));
	node_rules_stop(n);
	return rv;
}

void
node_rules_stop(struct node *n)
{
	struct node_rules *r = n->rules;

	if (r == NULL)
		return;
	if (r->th_ok) {
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->th, NULL);
	}
	/* the store subscriber runs under obs_mtx */
	if (n->obs_mtx_ok)
		pthread_mutex_lock(&n->obs_mtx);
	n->rules = NULL;
	if (n->obs_mtx_ok)
		pthread_mutex_unlock(&n->obs_mtx);
	rules_engine_free(r->eng);
	node_review_free(r->rv);
	rules_set_free(r->set);
	free(r->q);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

int
node_rules_observe(struct node *n, const char *code, const char *area,
    rm_utc_ms t, double v, rm_why *why)
{
	struct rules_obs o = { code, area, t, v };
	int rv;

	if (n->rules == NULL)
		return rm_fail_at(why, RM_ENOTFOUND, "rules", "this node has no "
		    "rules (config key rules)");
	pthread_mutex_lock(&n->rules->mu);
	rv = rules_observe(n->rules->eng, &o, 1, enqueue, n->rules);
	log_evictions(n->rules);
	/* a new pending deadline: the thread's sleep may end earlier */
	pthread_cond_signal(&n->rules->cv);
	pthread_mutex_unlock(&n->rules->mu);
	if (rv == RM_EBADVALUE)
		return rm_fail_at(why, rv, "value", "code %.64s, area %.16s, "
		    "value: an indicator code (1..%d of A-Z a-z 0-9 _ . : -), "
		    "a GB/T 2260 area code and a finite number", code != NULL ?
		    code : "", area != NULL ? area : "", RULES_CODE_MAX);
	if (rv == RM_ETOOBIG)
		return rm_fail_at(why, rv, "rules", "an engine bound is reached "
		    "(docs/RULES.md \"Limits\")");
	return rv;
}

void
node_rules_import_done(struct node *n)
{
	/* n->rules is NULL once node_rules_stop ran (under obs_mtx) */
	if (n->obs_mtx_ok)
		pthread_mutex_lock(&n->obs_mtx);
	if (n->rules != NULL) {
		pthread_mutex_lock(&n->rules->mu);
		pthread_cond_signal(&n->rules->cv);
		pthread_mutex_unlock(&n->rules->mu);
	}
	if (n->obs_mtx_ok)
		pthread_mutex_unlock(&n->obs_mtx);
}

void
node_rules_get_stats(struct node *n, struct node_rules_stats *out)
{
	struct node_rules *r = n->rules;
	struct rules_stats s;

	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	rules_get_stats(r->eng, &s);
	pthread_mutex_unlock(&r->mu);
	out->on = true;
	out->rules = r->set->n;
	out->obs_used = s.obs_used;
	out->obs_ignored = s.obs_ignored;
	out->refused = s.refused;
	out->evicted = s.evicted;
	out->raised = atomic_load(&r->raised);
	out->cleared = atomic_load(&r->cleared);
	out->issue_failed = atomic_load(&r->issue_failed);
	node_review_stats(r->rv, out);
}
