/*
 * rules_alert.c -- alert facts of the rules engine (rules.h): the alerts
 * in force as the rules see them (key, areas, event texts, grade,
 * expiry), kept sorted by key, and the alert term's match.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "node/rules/rules_int.h"

/* The best alert fact for an alert term in area at t: the highest
 * grade, then the first key. */
const struct fact *
rules_alert_match(const struct rules_engine *e, const struct rules_term *tm,
    const char *area, rm_utc_ms t, size_t *event)
{
	const struct fact *best = NULL;

	for (size_t i = 0; i < e->n_facts; i++) {
		const struct fact *f = &e->facts[i];
		size_t a, ev;

		if ((f->expires != 0 && t >= f->expires) ||
		    !rules_cmp((double)f->grade, tm->op, (double)tm->grade) ||
		    (best != NULL && f->grade <= best->grade))
			continue;
		for (a = 0; a < f->n_areas; a++)
			if (area_contains(f->areas[a], area))
				break;
		for (ev = 0; ev < f->n_events; ev++)
			if (strcmp(tm->code, "*") == 0 ||
			    strcasecmp(tm->code, f->events[ev]) == 0)
				break;
		if (a < f->n_areas && ev < f->n_events) {
			best = f;
			*event = ev;
		}
	}
	return best;
}

/* Add, replace or remove the fact under f->key. */
int
rules_fact_set(struct rules_engine *e, const struct rules_alert_fact *f)
{
	size_t i;
	struct fact *x;

	for (i = 0; i < e->n_facts; i++)
		if (strcmp(e->facts[i].key, f->key) >= 0)
			break;
	if (i < e->n_facts && strcmp(e->facts[i].key, f->key) == 0) {
		memmove(&e->facts[i], &e->facts[i + 1], (e->n_facts - i - 1) *
		    sizeof(*x));
		e->n_facts--;
	}
	if (!f->in_force)
		return RM_OK;
	if (e->n_facts == RULES_ALERTS_MAX) {
		e->stats.refused++;
		return RM_ETOOBIG;
	}
	memmove(&e->facts[i + 1], &e->facts[i], (e->n_facts - i) * sizeof(*x));
	e->n_facts++;
	x = &e->facts[i];
	memset(x, 0, sizeof(*x));
	snprintf(x->key, sizeof(x->key), "%s", f->key);
	for (size_t a = 0; a < f->n_areas && a < RM_AREAS_MAX; a++)
		snprintf(x->areas[x->n_areas++], sizeof(x->areas[0]), "%s",
		    f->areas[a]);
	for (size_t v = 0; v < f->n_events && v < RULES_ALERT_EVENTS_MAX; v++)
		snprintf(x->events[x->n_events++], sizeof(x->events[0]), "%s",
		    f->events[v]);
	x->grade = f->grade;
	x->t = f->t_ms;
	x->expires = f->expires_ms;
	return RM_OK;
}

int
rules_alert(struct rules_engine *e, const struct rules_alert_fact *f,
    rules_emit_fn emit, void *arg)
{
	bool only;
	int rv;

	if (f == NULL || f->key == NULL || (f->n_areas > 0 && f->areas == NULL) ||
	    (f->n_events > 0 && f->events == NULL))
		return RM_EINVAL;
	rules_advance(e, f->t_ms, emit, arg);
	if ((rv = rules_fact_set(e, f)) != RM_OK)
		return rv;
	for (size_t r = 0; f->in_force && r < e->set->n; r++) {
		if (!rules_has_alert_term(&e->set->rules[r], &only) || !only)
			continue;
		for (size_t a = 0; a < f->n_areas; a++)
			if (area_code_valid(f->areas[a]) &&
			    rules_in_scope(&e->set->rules[r], f->areas[a]) &&
			    rules_state_get(e, r, f->areas[a]) == NULL)
				rv = RM_ETOOBIG;
	}
	rules_step_alert_rules(e, e->clock, emit, arg);
	return rv;
}

