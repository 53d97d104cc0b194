/*
 * rules_time.c -- the engine's clock and deadlines (rules.h): pending
 * periods ending and alerts expiring, each processed at its own time in
 * time order (ties: pending states in (rule, area) order first); the
 * firing state restored after a restart; the figures.
 */
#include <string.h>

#include "node/rules/rules_int.h"

void
rules_advance(struct rules_engine *e, rm_utc_ms now, rules_emit_fn emit,
    void *arg)
{
	for (;;) {
		struct state *p = NULL;
		size_t fi = e->n_facts;
		rm_utc_ms d = 0;

		for (size_t i = 0; i < e->n_states; i++)
			if (e->states[i].st == ST_PENDING &&
			    (p == NULL || e->states[i].deadline < p->deadline))
				p = &e->states[i];
		for (size_t i = 0; i < e->n_facts; i++)
			if (e->facts[i].expires != 0 && (fi == e->n_facts ||
			    e->facts[i].expires < e->facts[fi].expires))
				fi = i;
		if (p != NULL)
			d = p->deadline;
		if (fi < e->n_facts && (p == NULL || e->facts[fi].expires < d)) {
			p = NULL;
			d = e->facts[fi].expires;
		}
		if ((p == NULL && fi == e->n_facts) || d > now)
			break;
		if (d > e->clock)
			e->clock = d;
		if (p != NULL) {
			rules_step(e, p, d, emit, arg);
			continue;
		}
		memmove(&e->facts[fi], &e->facts[fi + 1], (e->n_facts - fi - 1) *
		    sizeof(*e->facts));
		e->n_facts--;
		rules_step_alert_rules(e, d, emit, arg);
	}
	if (now > e->clock)
		e->clock = now;
}

bool
rules_next_deadline(const struct rules_engine *e, rm_utc_ms *out)
{
	bool any = false;
	rm_utc_ms d = 0;

	for (size_t i = 0; i < e->n_states; i++)
		if (e->states[i].st == ST_PENDING && (!any ||
		    e->states[i].deadline < d)) {
			d = e->states[i].deadline;
			any = true;
		}
	for (size_t i = 0; i < e->n_facts; i++)
		if (e->facts[i].expires != 0 && (!any || e->facts[i].expires < d)) {
			d = e->facts[i].expires;
			any = true;
		}
	if (any)
		*out = d;
	return any;
}

int
rules_restore_firing(struct rules_engine *e, const char *rule_id,
    const char *area, rm_utc_ms since_ms)
{
	const struct rules_rule *r = rules_find(e->set, rule_id);
	struct state *s;

	if (r == NULL)
		return RM_ENOTFOUND;
	if (!area_code_valid(area) || !rules_in_scope(r, area))
		return RM_EBADVALUE;
	if ((s = rules_state_get(e, (size_t)(r - e->set->rules), area)) == NULL)
		return RM_ETOOBIG;
	s->st = ST_FIRING;
	s->since = since_ms;
	s->raised = since_ms;
	return RM_OK;
}

void
rules_get_stats(const struct rules_engine *e, struct rules_stats *out)
{
	*out = e->stats;
	out->states = e->n_states;
	out->series = e->n_series;
	out->alerts = e->n_facts;
}

