/*
 * rules_target.c -- the off_target term of the rules engine (rules.h,
 * docs/RULES.md "Conditions"): indicator definition facts (code,
 * target, warning threshold, direction) kept per code, newest first,
 * and whether the newest value of an area is worse than the target.
 */
#include <math.h>
#include <string.h>

#include "node/rules/rules_int.h"

/* Index of code in the sorted facts, or where it goes. */
static size_t
def_pos(const struct rules_engine *e, const char *code, bool *found)
{
	size_t lo = 0, hi = e->n_defs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(e->defs[mid].code, code);

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

/* Whether rule r has an off_target term on code. */
static bool
uses_target(const struct rules_rule *r, const char *code)
{
	for (size_t i = 0; i < r->n_terms; i++)
		if (r->terms[i].kind == RULES_OFF_TARGET &&
		    strcmp(r->terms[i].code, code) == 0)
			return true;
	return false;
}

bool
rules_target_holds(const struct rules_engine *e, const struct rules_term *tm,
    const struct rules_series *s, rm_utc_ms t, struct rules_evidence *x)
{
	struct rules_term level = { .kind = RULES_LEVEL };
	const struct rules_def *d;
	size_t i;
	bool found;
	double thr;

	memcpy(x->code, tm->code, sizeof(x->code));
	i = def_pos(e, tm->code, &found);
	if (s == NULL || !found || !rules_series_eval(s, &level, t, &x->value,
	    &x->at_ms))
		return false;
	d = &e->defs[i];
	if (tm->at_warning && !d->has_warning)
		return false;
	thr = tm->at_warning ? d->warning : d->target;
	return d->lower_worse ? x->value < thr : x->value > thr;
}

int
rules_define(struct rules_engine *e, const struct rules_def_fact *f,
    rules_emit_fn emit, void *arg)
{
	struct rules_def *d;
	bool found, used = false;
	size_t i;

	if (e == NULL || f == NULL || f->code == NULL)
		return RM_EINVAL;
	if (!rules_code_valid(f->code) || !isfinite(f->target) ||
	    (f->has_warning && !isfinite(f->warning)))
		return RM_EBADVALUE;
	for (size_t r = 0; r < e->set->n && !used; r++)
		used = uses_target(&e->set->rules[r], f->code);
	if (!used)
		return RM_OK;
	i = def_pos(e, f->code, &found);
	if (found && e->defs[i].t > f->t_ms)
		return RM_OK;              /* an older definition */
	if (!found) {
		if (e->n_defs == RULES_DEFS_MAX) {
			e->stats.refused++;
			return RM_ETOOBIG;
		}
		memmove(&e->defs[i + 1], &e->defs[i], (e->n_defs - i) *
		    sizeof(e->defs[0]));
		e->n_defs++;
	}
	d = &e->defs[i];
	memset(d, 0, sizeof(*d));
	memcpy(d->code, f->code, strlen(f->code) + 1);
	d->target = f->target;
	d->has_warning = f->has_warning;
	d->warning = f->has_warning ? f->warning : 0;
	d->lower_worse = f->lower_worse;
	d->t = f->t_ms;
	for (size_t k = 0; k < e->n_states; k++)
		if (uses_target(&e->set->rules[e->states[k].rule], f->code))
			rules_step(e, &e->states[k], e->clock, emit, arg);
	return RM_OK;
}
