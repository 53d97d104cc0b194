/*
 * rules_engine.c -- the rules engine (rules.h): per (rule, area) a state
 * idle | pending(since, deadline) | firing(since), driven by
 * observations, alert facts and deadlines in event time.
 *
 * States are kept sorted by (rule index, area), series by (code, area)
 * and alert facts by key, so every walk -- and so the order of the
 * transitions -- depends only on the inputs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/rules/rules_int.h"

int
rules_engine_new(const struct rules_set *set, struct rules_engine **out)
{
	struct rules_engine *e;

	if (set == NULL || out == NULL)
		return RM_EINVAL;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->states = calloc(RULES_STATES_MAX, sizeof(*e->states))) ==
	    NULL ||
	    (e->series = calloc(RULES_SERIES_MAX, sizeof(*e->series))) ==
	    NULL ||
	    (e->facts = calloc(RULES_ALERTS_MAX, sizeof(*e->facts))) == NULL) {
		rules_engine_free(e);
		return RM_ENOMEM;
	}
	e->set = set;
	*out = e;
	return RM_OK;
}

void
rules_engine_free(struct rules_engine *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; e->series != NULL && i < e->n_series; i++)
		free(e->series[i]);
	free(e->series);
	free(e->states);
	free(e->facts);
	free(e);
}

bool
rules_in_scope(const struct rules_rule *r, const char *area)
{
	for (size_t i = 0; i < r->n_scope; i++)
		if (area_contains(r->scope[i], area))
			return true;
	return false;
}

/* Index of (rule, area) or where it goes; *found says which. */
static size_t
state_pos(const struct rules_engine *e, size_t rule, const char *area,
    bool *found)
{
	size_t lo = 0, hi = e->n_states;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct state *s = &e->states[mid];
		int c = s->rule != rule ? (s->rule < rule ? -1 : 1) :
		    strcmp(s->area, area);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/*
 * Eviction (the tables are full): the entry observed least recently
 * (smallest `seen`, the engine clock at its last observation) that holds
 * nothing a transition depends on; ties go to the first in table order,
 * (rule, area) for states, (code, area) for series. So which entry goes
 * depends only on the inputs.
 */
static bool
state_victim(const struct rules_engine *e, size_t *out)
{
	bool any = false;

	for (size_t i = 0; i < e->n_states; i++)
		if (e->states[i].st == ST_IDLE &&
		    (!any || e->states[i].seen < e->states[*out].seen)) {
			*out = i;
			any = true;
		}
	return any;
}

struct state *
rules_state_get(struct rules_engine *e, size_t rule, const char *area)
{
	bool found;
	size_t i = state_pos(e, rule, area, &found), j = 0;
	struct state *s;

	if (found) {
		e->states[i].seen = e->clock;
		return &e->states[i];
	}
	if (e->n_states == RULES_STATES_MAX) {
		if (!state_victim(e, &j)) {
			e->stats.refused++;
			return NULL;
		}
		memmove(&e->states[j], &e->states[j + 1], (e->n_states - j -
		    1) * sizeof(*s));
		e->n_states--;
		e->stats.evicted++;
		if (j < i)
			i--;
	}
	memmove(&e->states[i + 1], &e->states[i], (e->n_states - i) *
	    sizeof(*s));
	e->n_states++;
	s = &e->states[i];
	memset(s, 0, sizeof(*s));
	s->rule = rule;
	s->seen = e->clock;
	memcpy(s->area, area, strlen(area) + 1);
	return s;
}

static bool
rule_uses(const struct rules_rule *r, const char *code)
{
	for (size_t i = 0; i < r->n_terms; i++)
		if (r->terms[i].kind != RULES_ALERT &&
		    strcmp(r->terms[i].code, code) == 0)
			return true;
	return false;
}

/* Does a pending or firing state of a rule on s's code in s's area
 * depend on the series? */
static bool
series_pinned(const struct rules_engine *e, const struct rules_series *s)
{
	bool found;
	size_t i;

	for (size_t r = 0; r < e->set->n; r++) {
		if (!rule_uses(&e->set->rules[r], s->code))
			continue;
		i = state_pos(e, r, s->area, &found);
		if (found && e->states[i].st != ST_IDLE)
			return true;
	}
	return false;
}

/* Evict the least recently observed series no pending or firing state
 * needs (the order above); false if every one is needed. */
static bool
series_evict(struct rules_engine *e)
{
	size_t v = 0;
	bool any = false;

	for (size_t i = 0; i < e->n_series; i++)
		if ((!any || e->series[i]->seen < e->series[v]->seen) &&
		    !series_pinned(e, e->series[i])) {
			v = i;
			any = true;
		}
	if (!any)
		return false;
	free(e->series[v]);
	memmove(&e->series[v], &e->series[v + 1], (e->n_series - v - 1) *
	    sizeof(*e->series));
	e->n_series--;
	e->stats.evicted++;
	return true;
}

static int
series_cmp(const struct rules_series *s, const char *code, const char *area)
{
	int c = strcmp(s->code, code);

	return c != 0 ? c : strcmp(s->area, area);
}

static struct rules_series *
series_get(struct rules_engine *e, const char *code, const char *area,
    bool create)
{
	size_t lo = 0, hi = e->n_series;
	struct rules_series *s;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = series_cmp(e->series[mid], code, area);

		if (c == 0)
			return e->series[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create)
		return NULL;
	if (e->n_series == RULES_SERIES_MAX) {
		if (!series_evict(e)) {
			e->stats.refused++;
			return NULL;
		}
		/* the place of (code, area) moved if the victim was before */
		return series_get(e, code, area, create);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		e->stats.refused++;
		return NULL;
	}
	memcpy(s->code, code, strlen(code) + 1);
	memcpy(s->area, area, strlen(area) + 1);
	for (size_t r = 0; r < e->set->n; r++)
		for (size_t t = 0; t < e->set->rules[r].n_terms; t++) {
			const struct rules_term *tm = &e->set->rules[r].terms[t];

			if (tm->kind != RULES_ALERT && strcmp(tm->code, code) == 0 &&
			    tm->window_ms > s->keep_ms)
				s->keep_ms = tm->window_ms;
		}
	memmove(&e->series[lo + 1], &e->series[lo], (e->n_series - lo) *
	    sizeof(*e->series));
	e->series[lo] = s;
	e->n_series++;
	return s;
}

bool
rules_cmp(double v, enum rules_op op, double thr)
{
	switch (op) {
	case RULES_GE: return v >= thr;
	case RULES_GT: return v > thr;
	case RULES_LE: return v <= thr;
	case RULES_LT: return v < thr;
	default: return v == thr;
	}
}

/* Evaluate every term of rule r for area at t: *fire (all hold at their
 * thresholds), *keep (none is past its clear threshold), evidence. */
static void
eval(struct rules_engine *e, const struct rules_rule *r,
    const char *area, rm_utc_ms t, bool *fire, bool *keep,
    struct rules_evidence *ev)
{
	*fire = *keep = true;
	for (size_t i = 0; i < r->n_terms; i++) {
		const struct rules_term *tm = &r->terms[i];
		struct rules_evidence *x = &ev[i];
		const struct rules_series *s;
		bool f, k;

		memset(x, 0, sizeof(*x));
		x->kind = tm->kind;
		x->window_ms = tm->kind == RULES_LEVEL ? 0 : tm->window_ms;
		if (tm->kind == RULES_ALERT) {
			size_t evi = 0;
			const struct fact *a = rules_alert_match(e, tm, area, t, &evi);

			x->window_ms = 0;
			f = k = a != NULL;
			if (a != NULL) {
				snprintf(x->code, sizeof(x->code), "%.*s",
				    RULES_CODE_MAX, a->events[evi]);
				x->grade = a->grade;
				x->at_ms = a->t;
				memcpy(x->ref, a->key, sizeof(x->ref));
			}
		} else if (tm->kind == RULES_OFF_TARGET) {
			f = k = rules_target_holds(e, tm, series_get(e, tm->code,
			    area, false), t, x);
		} else {
			memcpy(x->code, tm->code, sizeof(x->code));
			s = series_get(e, tm->code, area, false);
			f = k = s != NULL && rules_series_eval(s, tm, t,
			    &x->value, &x->at_ms);
			if (f) {
				f = rules_cmp(x->value, tm->op, tm->threshold);
				if (!tm->has_clear)
					k = f;
				else if (tm->op == RULES_GE || tm->op == RULES_GT)
					k = x->value >= tm->clear;
				else
					k = x->value <= tm->clear;
			}
		}
		*fire = *fire && f;
		*keep = *keep && k;
	}
}

static void
emit_transition(struct rules_engine *e, const struct state *s, bool raised,
    rm_utc_ms t, const struct rules_evidence *ev, rules_emit_fn emit,
    void *arg)
{
	struct rules_transition tr;
	const struct rules_rule *r = &e->set->rules[s->rule];

	memset(&tr, 0, sizeof(tr));
	tr.raised = raised;
	tr.rule = r;
	tr.rule_index = s->rule;
	memcpy(tr.area, s->area, sizeof(tr.area));
	tr.at_ms = t;
	tr.since_ms = s->since;
	if (raised) {
		tr.n_evidence = r->n_terms;
		memcpy(tr.evidence, ev, r->n_terms * sizeof(*ev));
	}
	if (emit != NULL)
		emit(arg, &tr);
}

/* s fires at t: since becomes t, or the previous firing's since + 1 ms
 * when the clock has not passed it (a definition flipping back and
 * forth without an observation), so that each firing of a (rule, area)
 * has its own since (the proposal's object id, rules.h). The raise is
 * emitted at that since. */
static void
fire_at(struct rules_engine *e, struct state *s, rm_utc_ms t,
    const struct rules_evidence *ev, rules_emit_fn emit, void *arg)
{
	s->st = ST_FIRING;
	s->since = s->raised != 0 && t <= s->raised ? s->raised + 1 : t;
	s->raised = s->since;
	emit_transition(e, s, true, s->since, ev, emit, arg);
}

/* Evaluate state s at t and move it. */
void
rules_step(struct rules_engine *e, struct state *s, rm_utc_ms t,
    rules_emit_fn emit, void *arg)
{
	const struct rules_rule *r = &e->set->rules[s->rule];
	struct rules_evidence ev[RULES_TERMS_MAX];
	bool fire, keep;

	eval(e, r, s->area, t, &fire, &keep, ev);
	switch (s->st) {
	case ST_IDLE:
		if (!fire)
			break;
		s->since = t;
		if (r->pending_ms > 0) {
			s->st = ST_PENDING;
			s->deadline = t + r->pending_ms;
			break;
		}
		fire_at(e, s, t, ev, emit, arg);
		break;
	case ST_PENDING:
		if (!fire)
			s->st = ST_IDLE;
		else if (t >= s->deadline)
			fire_at(e, s, t, ev, emit, arg);
		break;
	case ST_FIRING:
		if (!keep) {
			s->st = ST_IDLE;
			emit_transition(e, s, false, t, NULL, emit, arg);
		}
		break;
	}
}

bool
rules_has_alert_term(const struct rules_rule *r, bool *only)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_terms; i++)
		n += r->terms[i].kind == RULES_ALERT;
	*only = n == r->n_terms;
	return n > 0;
}

/* Step every state of the rules with an alert term at t. */
void
rules_step_alert_rules(struct rules_engine *e, rm_utc_ms t, rules_emit_fn emit,
    void *arg)
{
	bool only;

	for (size_t i = 0; i < e->n_states; i++)
		if (rules_has_alert_term(&e->set->rules[e->states[i].rule], &only))
			rules_step(e, &e->states[i], t, emit, arg);
}

static int
observe_one(struct rules_engine *e, const struct rules_obs *o,
    rules_emit_fn emit, void *arg)
{
	struct rules_series *s;
	bool used = false;
	int rv = RM_OK;

	if (o->code == NULL || o->area == NULL || !rules_code_valid(o->code) ||
	    strlen(o->area) > RM_AREA_CODE_MAX || !area_code_valid(o->area) ||
	    !isfinite(o->value))
		return RM_EBADVALUE;
	rules_advance(e, o->t_ms, emit, arg);
	for (size_t r = 0; r < e->set->n && !used; r++)
		used = rule_uses(&e->set->rules[r], o->code) &&
		    rules_in_scope(&e->set->rules[r], o->area);
	if (!used) {
		e->stats.obs_ignored++;
		return RM_OK;
	}
	if ((s = series_get(e, o->code, o->area, true)) == NULL)
		return RM_ETOOBIG;
	s->seen = e->clock;
	e->stats.obs_used++;
	e->stats.points_dropped += rules_series_add(s, o->t_ms, o->value,
	    e->clock);
	for (size_t r = 0; r < e->set->n; r++) {
		struct state *st;

		if (!rule_uses(&e->set->rules[r], o->code) ||
		    !rules_in_scope(&e->set->rules[r], o->area))
			continue;
		if ((st = rules_state_get(e, r, o->area)) == NULL) {
			rv = RM_ETOOBIG;
			continue;
		}
		rules_step(e, st, e->clock, emit, arg);
	}
	return rv;
}

int
rules_observe(struct rules_engine *e, const struct rules_obs *obs, size_t n,
    rules_emit_fn emit, void *arg)
{
	int rv = RM_OK, r;

	for (size_t i = 0; i < n; i++)
		if ((r = observe_one(e, &obs[i], emit, arg)) != RM_OK &&
		    rv == RM_OK)
			rv = r;
	return rv;
}
