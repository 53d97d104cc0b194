/*
 * rules_int.h -- private to node/rules: the pieces of the rules file
 * parser (rules_parse.c, rules_cond.c) and of the engine (rules_engine.c,
 * rules_series.c).
 */
#ifndef RM_NODE_RULES_INT_H
#define RM_NODE_RULES_INT_H

#include "node/rules/rules.h"

/* ">=" ... into *out; RM_EBADVALUE. */
int rules_op_parse(const char *s, enum rules_op *out);
/* A decimal number (strtod syntax, finite, |v| <= 1e15). */
int rules_number_parse(const char *s, double *out);
/* "90s", "30m", "3h", "1d" -> ms, at most RULES_DURATION_MAX_MS. */
int rules_duration_parse(const char *s, rm_utc_ms *out);
/* 1..RULES_CODE_MAX of A-Z a-z 0-9 _ . : - */
bool rules_code_valid(const char *s);
/* Append the terms of one `when` line to r; err gets the reason. */
int rules_cond_parse(const char *s, struct rules_rule *r, char *err,
    size_t el);

/* ---------------- series (rules_series.c) ---------------- */

struct rules_point {
	rm_utc_ms t;
	double v;
};

/* The points of one (code, area), sorted by time. */
struct rules_series {
	char code[RULES_CODE_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	rm_utc_ms keep_ms;           /* the longest window on the code */
	rm_utc_ms seen;              /* engine clock at its last observation
	                                (eviction order) */
	size_t n;
	struct rules_point pt[RULES_SERIES_POINTS];
};

/* Insert (t, v) in time order (a point at the same time replaces the
 * one there), then drop points older than clock - keep_ms but the
 * newest; a full series drops its oldest. Returns the points dropped
 * for want of room. */
size_t rules_series_add(struct rules_series *s, rm_utc_ms t, double v,
    rm_utc_ms clock);
/* The value a numeric term compares at time t (points after t are not
 * used), with the time of the newest point used; false: no data. */
bool rules_series_eval(const struct rules_series *s,
    const struct rules_term *term, rm_utc_ms t, double *value,
    rm_utc_ms *at);

/* ---------------- engine (rules_engine.c, rules_alert.c) ---------- */

enum st { ST_IDLE, ST_PENDING, ST_FIRING };

struct state {
	size_t rule;
	char area[RM_AREA_CODE_MAX + 1];
	enum st st;
	rm_utc_ms since, deadline;
	rm_utc_ms raised;            /* since of the last firing (0: none):
	                                each firing's since is later */
	rm_utc_ms seen;              /* engine clock when last observed
	                                (rules_state_get; eviction order) */
};

struct fact {
	char key[RULES_ALERT_KEY_MAX + 1];
	size_t n_areas;
	char areas[RM_AREAS_MAX][RM_AREA_CODE_MAX + 1];
	size_t n_events;
	char events[RULES_ALERT_EVENTS_MAX][RM_ALERT_EVENT_MAX + 1];
	rm_grade grade;
	rm_utc_ms t, expires;
};

/* The indicator definition kept for a code (rules_target.c). */
struct rules_def {
	char code[RULES_CODE_MAX + 1];
	double target, warning;
	bool has_warning, lower_worse;
	rm_utc_ms t;
};

struct rules_engine {
	const struct rules_set *set;
	rm_utc_ms clock;
	size_t n_states, n_series, n_facts;
	struct state *states;                /* RULES_STATES_MAX */
	struct rules_series **series;        /* RULES_SERIES_MAX */
	struct fact *facts;                  /* RULES_ALERTS_MAX */
	struct rules_stats stats;
	size_t n_defs;                       /* sorted by code */
	struct rules_def defs[RULES_DEFS_MAX];
};

bool rules_in_scope(const struct rules_rule *r, const char *area);
bool rules_cmp(double v, enum rules_op op, double thr);
/* The state of (rule, area), made idle if new, marked observed now
 * (seen = the clock). When RULES_STATES_MAX are in use, the least
 * recently observed idle state is evicted first (rules.h, "Memory");
 * NULL (counted in refused) when none is idle. Pointers to states are
 * invalid after a call. */
struct state *rules_state_get(struct rules_engine *e, size_t rule,
    const char *area);
/* Evaluate state s at t and move it, emitting a transition. */
void rules_step(struct rules_engine *e, struct state *s, rm_utc_ms t,
    rules_emit_fn emit, void *arg);
/* Whether r has an alert term; *only: all its terms are. */
bool rules_has_alert_term(const struct rules_rule *r, bool *only);
/* Step every state of the rules with an alert term at t. */
void rules_step_alert_rules(struct rules_engine *e, rm_utc_ms t,
    rules_emit_fn emit, void *arg);
/* The best in-force fact for alert term tm in area at t (highest grade,
 * then first key) and the index of its matching event; NULL: none. */
const struct fact *rules_alert_match(const struct rules_engine *e,
    const struct rules_term *tm, const char *area, rm_utc_ms t,
    size_t *event);
/* Add, replace or remove (f->in_force false) the fact under f->key. */
int rules_fact_set(struct rules_engine *e, const struct rules_alert_fact *f);

/* ---------------- off_target (rules_target.c) ---------------- */

/* Whether off_target term tm holds for series s (NULL: no value) at t:
 * *x gets the code, the value compared and its time. */
bool rules_target_holds(const struct rules_engine *e,
    const struct rules_term *tm, const struct rules_series *s,
    rm_utc_ms t, struct rules_evidence *x);

#endif /* RM_NODE_RULES_INT_H */
