/*
 * node_rules_review.c -- the review_overdue rules of the node (docs/
 * RULES.md "Risk review dates"): one task proposal per risk in a rule's
 * scope whose review date has passed (status identified or controlled),
 * to its responsible unit; the proposal expires when the risk gets a
 * later review date (not past) or is removed.
 *
 * The engine of node/rules never sees these rules: the register is in
 * the store, so they are evaluated here -- over the store at start and
 * at each midnight (UTC+08:00, when review dates pass), and for each
 * risk version the store observer hands over. The held proposals
 * (rule, risk origin, risk id -> proposal oid) are the rules thread's
 * own; the queue of risk versions and the day of the last full pass
 * are guarded by the node_rules mutex.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

struct held {
	size_t rule;
	char origin[RM_AGENCY_ID_MAX + 1];
	char oid[RM_OBJECT_ID_MAX + 1];
	char pid[RM_OBJECT_ID_MAX + 1];    /* the proposal's oid */
	bool seen;                         /* in the current full pass */
};

struct node_review {
	const struct rules_set *set;
	struct held *held;                 /* rules thread */
	size_t n_held, cap_held;
	struct node_review_item *q;        /* mu */
	size_t qn, qcap;
	int64_t day;                       /* mu: CST day of the last full
	                                      pass; -1: none yet */
	size_t held_max;                   /* open proposals per rule */
	bool refused_any;                  /* rules thread: a risk refused
	                                      for the bound since the last
	                                      full pass */
	bool again;                        /* rules thread: a full pass is
	                                      due (work deferred for an
	                                      import, or a slot freed while
	                                      risks wait) */
	atomic_uint_fast64_t raised, cleared, failed, refused;
};

static rm_log_limit review_log = RM_LOG_LIMIT(10, 60000);

int
node_review_new(const struct rules_set *set, size_t held_max,
    struct node_review **out)
{
	struct node_review *v;
	bool any = false;

	for (size_t i = 0; i < set->n; i++)
		any = any || rules_is_review(&set->rules[i]);
	*out = NULL;
	if (!any)
		return RM_OK;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return RM_ENOMEM;
	v->set = set;
	v->day = -1;
	v->held_max = held_max == 0 || held_max > NODE_REVIEW_HELD_MAX ?
	    NODE_REVIEW_HELD_MAX : held_max;
	*out = v;
	return RM_OK;
}

void
node_review_free(struct node_review *v)
{
	if (v == NULL)
		return;
	free(v->held);
	free(v->q);
	free(v);
}

static struct held *
held_find(struct node_review *v, size_t rule, const char *origin,
    const char *oid)
{
	for (size_t i = 0; i < v->n_held; i++)
		if (v->held[i].rule == rule &&
		    strcmp(v->held[i].origin, origin) == 0 &&
		    strcmp(v->held[i].oid, oid) == 0)
			return &v->held[i];
	return NULL;
}

/* Whether rule may hold one more proposal (fewer than held_max);
 * counted when not. */
static bool
held_room(struct node_review *v, size_t rule)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n_held; i++)
		n += v->held[i].rule == rule;
	if (n < v->held_max)
		return true;
	atomic_fetch_add(&v->refused, 1);
	v->refused_any = true;
	return false;
}

/* Hold proposal pid of rule for origin/oid; false (counted) when
 * memory is short. */
static bool
held_add(struct node_review *v, size_t rule, const char *origin,
    const char *oid, const char *pid)
{
	struct held *h;

	if (v->n_held == v->cap_held) {
		size_t cap = v->cap_held == 0 ? 16 : v->cap_held * 2;
		void *nh = realloc(v->held, cap * sizeof(*h));

		if (nh == NULL) {
			atomic_fetch_add(&v->refused, 1);
			return false;
		}
		v->held = nh;
		v->cap_held = cap;
	}
	h = &v->held[v->n_held++];
	memset(h, 0, sizeof(*h));
	h->rule = rule;
	snprintf(h->origin, sizeof(h->origin), "%s", origin);
	snprintf(h->oid, sizeof(h->oid), "%s", oid);
	snprintf(h->pid, sizeof(h->pid), "%s", pid);
	h->seen = true;
	return true;
}

static void
held_remove(struct node_review *v, struct held *h)
{
	*h = v->held[--v->n_held];
}

void
node_review_restore(struct node_review *v, const struct rm_record *rec)
{
	const struct rm_proposal *p = record_proposal(rec);
	const struct rules_rule *r;
	const char *ref, *sl;
	char origin[RM_AGENCY_ID_MAX + 1];

	if (v == NULL || p == NULL || p->state != RM_PROPOSAL_OPEN ||
	    p->n_evidence != 1 || (r = rules_find(v->set, p->rule)) == NULL ||
	    !rules_is_review(r))
		return;
	ref = p->evidence[0].ref;
	if ((sl = strchr(ref, '/')) == NULL || (size_t)(sl - ref) >=
	    sizeof(origin))
		return;
	memcpy(origin, ref, (size_t)(sl - ref));
	origin[sl - ref] = '\0';
	if (held_find(v, (size_t)(r - v->set->rules), origin, sl + 1) == NULL &&
	    held_room(v, (size_t)(r - v->set->rules)))
		(void)held_add(v, (size_t)(r - v->set->rules), origin, sl + 1,
		    rec->object_id);
}

/* The item of a risk version; false for a record that is not a
 * readable risk. */
static bool
item_of(const struct rm_record *rec, struct node_review_item *it)
{
	const struct rm_risk *k = record_risk(rec);

	if (k == NULL || rec->n_areas != 1)
		return false;
	memset(it, 0, sizeof(*it));
	snprintf(it->origin, sizeof(it->origin), "%s", rec->origin);
	snprintf(it->oid, sizeof(it->oid), "%s", rec->object_id);
	snprintf(it->area, sizeof(it->area), "%s", rec->areas[0]);
	snprintf(it->responsible, sizeof(it->responsible), "%s",
	    k->responsible);
	snprintf(it->name, sizeof(it->name), "%s", k->name != NULL ? k->name :
	    "");
	snprintf(it->review, sizeof(it->review), "%s", k->review);
	it->in_force = k->status == RM_RISK_IDENTIFIED ||
	    k->status == RM_RISK_CONTROLLED;
	return true;
}

void
node_review_queue(struct node_review *v, const struct rm_record *rec)
{
	struct node_review_item it;

	if (v == NULL || !item_of(rec, &it))
		return;
	if (v->qn == v->qcap) {
		size_t cap = v->qcap == 0 ? 16 : v->qcap * 2;
		void *nq = realloc(v->q, cap * sizeof(*v->q));

		if (nq == NULL) {
			atomic_fetch_add(&v->failed, 1);
			return;
		}
		v->q = nq;
		v->qcap = cap;
	}
	v->q[v->qn++] = it;
}

bool
node_review_ready(const struct node_review *v, rm_utc_ms now)
{
	return v != NULL && (v->qn > 0 ||
	    indicator_period_of(RM_IND_DAY, now) != v->day);
}

rm_utc_ms
node_review_next_ms(const struct node_review *v)
{
	return indicator_time_ms(RM_IND_DAY, v->day + 1);
}

/* Whether risk it is overdue on `today` (a CST day) for rule r: in
 * force, in its scope, its review date before today. */
static bool
overdue(const struct rules_rule *r, const struct node_review_item *it,
    int64_t today)
{
	enum rm_ind_period k;
	int64_t day;
	bool scope = false;

	for (size_t i = 0; i < r->n_scope && !scope; i++)
		scope = area_contains(r->scope[i], it->area);
	return it->in_force && scope &&
	    indicator_time_parse(it->review, &k, &day) == RM_OK &&
	    k == RM_IND_DAY && day < today;
}

static void
failed(struct node_review *v, const struct rules_rule *r,
    const char *what, const struct node_review_item *it, const rm_why *why,
    int rv)
{
	atomic_fetch_add(&v->failed, 1);
	if (rm_log_allow(&review_log, NULL))
		rm_log(RM_LOG_WARN, "node", "rule %s: risk %s/%s: %s: %s (%s)",
		    r->id, it->origin, it->oid, what, why->msg, rm_errname(rv));
}

/* Raise (overdue, not held) or expire (held, no longer overdue) the
 * proposal of rule ri for it. */
static void
review_one(struct node *n, struct node_review *v, size_t ri,
    const struct node_review_item *it, int64_t today)
{
	const struct rules_rule *r = &v->set->rules[ri];
	struct held *h = held_find(v, ri, it->origin, it->oid);
	char pid[RM_OBJECT_ID_MAX + 1];
	rm_why why;
	int rv;

	memset(&why, 0, sizeof(why));
	if (overdue(r, it, today)) {
		if (h != NULL) {
			h->seen = true;
			return;
		}
		if (atomic_load(&n->imports) > 0) {
			v->again = true;   /* an import runs: the next pass */
			return;
		}
		if (!held_room(v, ri))
			return;
		node_proposal_review_oid(r->id, it->origin, it->oid, it->review,
		    pid);
		rv = node_proposal_review_raise(n, r, it, &why);
		/* EEXPIRED: this review date's proposal was confirmed or
		 * expired: it stands; a new date raises a new one */
		if (rv != RM_OK && rv != RM_EEXIST && rv != RM_EEXPIRED) {
			failed(v, r, "not raised", it, &why, rv);
			return;
		}
		if (held_add(v, ri, it->origin, it->oid, pid) && rv == RM_OK) {
			atomic_fetch_add(&v->raised, 1);
			rm_log(RM_LOG_NOTICE, "node", "rule %s raised for risk "
			    "%s/%s (review date %s)", r->id, it->origin, it->oid,
			    it->review);
		}
		return;
	}
	if (h == NULL)
		return;
	if (atomic_load(&n->imports) > 0) {
		v->again = true;
		return;
	}
	if ((rv = node_proposal_expire_oid(n, h->pid, &why)) != RM_OK) {
		failed(v, r, "not expired", it, &why, rv);
		return;
	}
	atomic_fetch_add(&v->cleared, 1);
	rm_log(RM_LOG_NOTICE, "node", "rule %s cleared for risk %s/%s",
	    r->id, it->origin, it->oid);
	held_remove(v, h);
	/* a slot freed: risks refused for the bound get theirs */
	v->again = v->again || v->refused_any;
}

struct pass {
	struct node *n;
	struct node_review *v;
	size_t rule;
	int64_t today;
};

static int
pass_each(void *arg, const rm_hash *h, const uint8_t *p, size_t len,
    const struct rm_record *rec)
{
	struct pass *ps = arg;
	struct node_review_item it;

	(void)h;
	(void)p;
	(void)len;
	if (item_of(rec, &it))
		review_one(ps->n, ps->v, ps->rule, &it, ps->today);
	return RM_OK;
}

/* Every review rule over the store's overdue risks in its scope; held
 * proposals whose risk is no longer among them expire. */
static void
full_pass(struct node *n, struct node_review *v, int64_t today)
{
	char day[RM_IND_TIME_TEXT_MAX];
	struct pass ps = { n, v, 0, today };
	struct service_risk_filter f;
	rm_why why;

	indicator_time_format(RM_IND_DAY, today, day);
	v->refused_any = false;
	for (size_t i = 0; i < v->n_held; i++)
		v->held[i].seen = false;
	for (size_t ri = 0; ri < v->set->n; ri++) {
		const struct rules_rule *r = &v->set->rules[ri];

		if (!rules_is_review(r))
			continue;
		ps.rule = ri;
		for (size_t a = 0; a < r->n_scope; a++) {
			memset(&f, 0, sizeof(f));
			f.area = r->scope[a];
			f.within = true;
			f.overdue = true;
			f.today = day;
			if (service_risks_list(n, &f, node_now(n), pass_each, &ps,
			    &why) != RM_OK && rm_log_allow(&review_log, NULL))
				rm_log(RM_LOG_WARN, "node", "rule %s: cannot list "
				    "overdue risks: %s", r->id, why.msg);
		}
	}
	/* held but not overdue any more (a version the observer missed,
	 * or one stored while the node was down) */
	for (size_t i = 0; i < v->n_held;) {
		struct node_review_item it;
		size_t before = v->n_held;

		if (v->held[i].seen) {
			i++;
			continue;
		}
		memset(&it, 0, sizeof(it));
		snprintf(it.origin, sizeof(it.origin), "%s", v->held[i].origin);
		snprintf(it.oid, sizeof(it.oid), "%s", v->held[i].oid);
		review_one(n, v, v->held[i].rule, &it, today);
		if (v->n_held == before)
			v->held[i++].seen = true;   /* not expired: retry later */
	}
}

void
node_review_run(struct node *n, struct node_review *v, pthread_mutex_t *mu)
{
	struct node_review_item *q;
	size_t qn;
	int64_t today;
	bool full;

	pthread_mutex_lock(mu);
	today = indicator_period_of(RM_IND_DAY, node_now(n));
	full = today != v->day;
	v->day = today;
	q = v->q;
	qn = v->qn;
	v->q = NULL;
	v->qn = v->qcap = 0;
	pthread_mutex_unlock(mu);
	if (full)
		full_pass(n, v, today);
	for (size_t i = 0; i < qn; i++)
		for (size_t ri = 0; ri < v->set->n; ri++)
			if (rules_is_review(&v->set->rules[ri]))
				review_one(n, v, ri, &q[i], today);
	free(q);
	/* deferred or refused work: one more full pass at the next ready
	 * (the rules thread waits while an import runs) */
	if (v->again) {
		pthread_mutex_lock(mu);
		v->day = -1;
		pthread_mutex_unlock(mu);
	}
}

void
node_review_stats(const struct node_review *v, struct node_rules_stats *out)
{
	if (v == NULL)
		return;
	out->raised += atomic_load(&v->raised);
	out->cleared += atomic_load(&v->cleared);
	out->issue_failed += atomic_load(&v->failed);
	out->review_refused += atomic_load(&v->refused);
}
