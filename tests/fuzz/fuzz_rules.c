/*
 * fuzz_rules.c -- libFuzzer harness for the rules file parser
 * (rules_parse) and, on what it accepts, the engine.
 *
 * Properties: no crash, leak or UB on any input; a refused file reports
 * at least one error, each with a line inside the file (or 0) and a
 * non-empty message, in line order, and RM_ECONFIG with "NAME:LINE: "
 * in why; an accepted file has 0..RULES_MAX rules whose ids are unique
 * and whose terms are within bounds; the engine runs a few observations
 * and alert facts over it without error other than its documented ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	size_t n, lines;
	unsigned last;
};

static void
each(void *arg, unsigned line, const char *msg)
{
	struct seen *s = arg;

	if (msg[0] == '\0' || line > s->lines + 1 || line < s->last)
		abort();
	s->last = line;
	s->n++;
}

static void
run_engine(const struct rules_set *set)
{
	static const char *const areas[] = { "120116" };
	static const char *const events[] = { "台风", "Typhoon" };
	struct rules_engine *e;
	struct rules_alert_fact f = { "a/b", 1, areas, 2, events,
		RM_GRADE_RED, true, 1000, 0 };

	if (rules_engine_new(set, &e) != RM_OK)
		return;
	for (size_t r = 0; r < set->n; r++)
		for (size_t t = 0; t < set->rules[r].n_terms; t++) {
			const struct rules_term *tm = &set->rules[r].terms[t];
			struct rules_obs o = { tm->code, set->rules[r].scope[0],
				(rm_utc_ms)(1000 + r * 60000 + t), tm->threshold };

			if (tm->kind != RULES_ALERT)
				(void)rules_observe(e, &o, 1, NULL, NULL);
		}
	(void)rules_alert(e, &f, NULL, NULL);
	rules_advance(e, 10LL * 86400 * 1000, NULL, NULL);
	rules_engine_free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_set *set = NULL;
	struct seen s = { 0, 0, 0 };
	size_t n = 0;
	rm_why why = { "", "" };
	int rv;

	for (size_t i = 0; i < size; i++)
		s.lines += data[i] == '\n';
	rv = rules_parse((const char *)data, size, "f", &set, &n, each, &s,
	    &why);
	if (rv == RM_OK) {
		if (n != 0 || s.n != 0 || set->n > RULES_MAX)
			abort();
		for (size_t i = 0; i < set->n; i++) {
			if (set->rules[i].n_terms < 1 ||
			    set->rules[i].n_terms > RULES_TERMS_MAX ||
			    set->rules[i].n_scope < 1 ||
			    rules_find(set, set->rules[i].id) != &set->rules[i])
				abort();
		}
		run_engine(set);
		rules_set_free(set);
		return 0;
	}
	if (set != NULL || (rv == RM_ECONFIG && (n == 0 || s.n == 0 ||
	    strncmp(why.msg, "f:", 2) != 0)) ||
	    (rv != RM_ECONFIG && rv != RM_ETOOBIG && rv != RM_ENOMEM))
		abort();
	return 0;
}
