/*
 * rules.h -- monitoring and early-warning rules (rm_rules): the rules
 * file (docs/RULES.md) and the engine that evaluates it.
 *
 * The model is the one of hydrological forecasting systems (Delft-FEWS
 * threshold evaluation is the reference): a rule's condition is a chain
 * of terms joined by "and" -- a level crossing of one indicator
 * (rain_3h >= 50), a rise or fall over a window (rise(river_level, 3h)
 * >= 0.5), a maximum or minimum over a window, an alert in force for
 * the area (alert(typhoon) >= orange) -- with a pending period (the
 * condition must hold that long before the rule fires) and hysteresis
 * (a clear threshold per numeric term: a firing rule clears only once
 * the value is past it, so a value hovering at the fire threshold does
 * not flap), an indicator worse than its definition's target
 * (off_target(CODE)). A rule is evaluated per area of its scope;
 * firing raises a proposal (a warning to confirm into an alert, or a task), clearing
 * expires it.
 *
 * The engine is pure and deterministic: no clock, no I/O, no threads.
 * Its inputs are observations (code, area, time, value), alert facts,
 * indicator definition facts (off_target) and "advance to time t";
 * its outputs are transitions handed to a callback. Time is event time: deadlines (the end of a pending period,
 * the expiry of an alert) due at or before an input's time are
 * processed before that input, at their own time. So for inputs in
 * time order the transitions depend only on the inputs, never on how
 * they are batched or on rules_advance calls at times no later than
 * the next input (tests/node/test_rules_engine.c checks it). An input
 * older than the engine's clock (the latest time seen) joins its series
 * at its own time and is evaluated at the clock.
 *
 * Memory is bounded: at most RULES_SERIES_POINTS points per (code,
 * area) series, kept only as long as the longest window of a rule on
 * that code needs them (and the newest point, for level terms); at most
 * RULES_STATES_MAX (rule, area) states, RULES_SERIES_MAX series and
 * RULES_ALERTS_MAX alert facts. When the states or the series are full,
 * a new one evicts the one observed least recently (by the engine clock
 * at its last observation, then rule and area for states, code and area
 * for series) among those nothing depends on: an idle state, a series
 * no pending or firing state of a rule on its code in its area reads.
 * Evictions are counted (rules_stats.evicted); an evicted (rule, area)
 * starts idle again, with the points observed after. Only when every
 * state is pending or firing (every series needed) is the input
 * refused with RM_ETOOBIG and counted; a full table of alert facts
 * refuses too. Eviction depends only on the inputs, so the engine stays
 * deterministic. Observations of codes no rule uses, or of areas
 * outside every scope of the rules using the code, are dropped at once.
 *
 * Thread rules: a rules_set is immutable once parsed and may be shared;
 * an engine is not locked: one thread at a time (node/service holds a
 * mutex around it).
 */
#ifndef RM_NODE_RULES_H
#define RM_NODE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "schemas/schemas.h"

#define RULES_FILE_MAX       (1024 * 1024)  /* bytes of a rules file */
#define RULES_LINE_MAX       1024           /* bytes of one line */
#define RULES_MAX            256            /* rules in a file */
#define RULES_ID_MAX         64             /* [A-Za-z0-9._-] */
#define RULES_CODE_MAX       64             /* indicator code / event */
#define RULES_TERMS_MAX      8              /* terms in a chain */
#define RULES_SCOPE_MAX      32             /* area codes in a scope */
#define RULES_SUBJECT_MAX    512            /* bytes of UTF-8 */
#define RULES_DURATION_MAX_MS (7LL * 86400 * 1000) /* windows, pending */
#define RULES_SERIES_POINTS  512            /* points kept per series */
#define RULES_STATES_MAX     8192           /* (rule, area) states */
#define RULES_SERIES_MAX     8192           /* (code, area) series */
#define RULES_ALERTS_MAX     1024           /* alert facts in force */
#define RULES_ALERT_KEY_MAX  (RM_AGENCY_ID_MAX + RM_OBJECT_ID_MAX + 1)
#define RULES_ALERT_EVENTS_MAX RM_ALERT_TEXTS_MAX
#define RULES_ERRORS_MAX     100            /* errors reported per file */
#define RULES_DEFS_MAX       256            /* indicator definition facts
                                               (codes of off_target terms) */

/* What a term looks at. */
enum rules_term_kind {
	RULES_LEVEL = 1,     /* CODE OP N: the newest value */
	RULES_RISE,          /* rise(CODE, W): newest - min over W */
	RULES_FALL,          /* fall(CODE, W): max over W - newest */
	RULES_MAXW,          /* max(CODE, W) */
	RULES_MINW,          /* min(CODE, W) */
	RULES_ALERT,         /* alert(EVENT) OP GRADE: an alert in force */
	RULES_OFF_TARGET,    /* off_target(CODE[, warning]): the newest
	                        value is worse than the target (or warning
	                        threshold) of CODE's definition */
	RULES_REVIEW,        /* review_overdue: alone in its rule; evaluated
	                        by node/service over the risk register, never
	                        by the engine */
};

enum rules_op { RULES_GE = 1, RULES_GT, RULES_LE, RULES_LT, RULES_EQ };

struct rules_term {
	enum rules_term_kind kind;
	char code[RULES_CODE_MAX + 1]; /* indicator code; for RULES_ALERT
	                                  the event ("*": any) */
	rm_utc_ms window_ms;           /* RISE, FALL, MAXW, MINW: > 0 */
	enum rules_op op;
	double threshold;              /* numeric terms */
	bool has_clear;                /* "clear N" given (hysteresis) */
	double clear;                  /* >=, >: clears when value < clear;
	                                  <=, <: when value > clear */
	rm_grade grade;                /* RULES_ALERT */
	bool at_warning;               /* RULES_OFF_TARGET: compare with the
	                                  definition's warning threshold */
};

enum rules_action { RULES_WARNING = 1, RULES_TASK };

/* The assignee of a task rule that means "the responsible unit of the
 * highest-graded risk in force in the area" (node/service resolves
 * it). */
#define RULES_RESPONSIBLE "responsible"

struct rules_rule {
	char id[RULES_ID_MAX + 1];
	unsigned line;                 /* of its "rule" line */
	size_t n_terms;                /* 1..RULES_TERMS_MAX, all must hold */
	struct rules_term terms[RULES_TERMS_MAX];
	size_t n_scope;                /* 1..RULES_SCOPE_MAX area codes; an
	                                  area is in scope when one contains
	                                  it (area_contains) */
	char scope[RULES_SCOPE_MAX][RM_AREA_CODE_MAX + 1];
	rm_utc_ms pending_ms;          /* 0: fire at once */
	bool auto_issue;               /* warning rules only */
	enum rules_action action;
	/* warning */
	rm_grade grade;
	char event[RM_ALERT_EVENT_MAX + 1];
	char headline[RM_ALERT_HEADLINE_MAX + 1];
	char lang[RM_ALERT_LANG_MAX + 1];   /* default "zh-CN" */
	/* task */
	char assignee[RM_AGENCY_ID_MAX + 1]; /* agency id or
	                                        RULES_RESPONSIBLE */
	char subject[RULES_SUBJECT_MAX + 1];
};

/* A parsed rules file; rules in file order. */
struct rules_set {
	size_t n;
	struct rules_rule *rules;      /* heap, n entries */
};

/* One error of a rules file: its 1-based line (0: the file as a whole)
 * and what is wrong and why (UTF-8, no line break). */
typedef void (*rules_err_fn)(void *arg, unsigned line, const char *msg);

/*
 * Parse text[0..len) (a rules file, docs/RULES.md) named `name` (for
 * messages). Every error is reported to each (may be NULL), in line
 * order, at most RULES_ERRORS_MAX; *n_errors (may be NULL) gets their
 * number. On success (no error) *out is a new set (rules_set_free it).
 * Errors: RM_ECONFIG (the file has errors; why holds the first as
 * "NAME:LINE: msg"), RM_ETOOBIG (over RULES_FILE_MAX), RM_ENOMEM.
 * Reentrant.
 */
int rules_parse(const char *text, size_t len, const char *name,
    struct rules_set **out, size_t *n_errors, rules_err_fn each, void *arg,
    rm_why *why);

/* rules_parse on the file at path (name = path). Errors: rm_file_read's
 * (RM_EIO), then rules_parse's. */
int rules_load(const char *path, struct rules_set **out, size_t *n_errors,
    rules_err_fn each, void *arg, rm_why *why);

void rules_set_free(struct rules_set *s);

/* The rule called id, or NULL. */
const struct rules_rule *rules_find(const struct rules_set *s,
    const char *id);

/* Whether r is a review_overdue rule (its one term is RULES_REVIEW):
 * the engine never evaluates it, node/service does. */
bool rules_is_review(const struct rules_rule *r);

/* Names in the file and in proposals: ">=", "rise", ... (static);
 * RULES_OFF_TARGET is "target" and RULES_REVIEW "review" (the
 * proposal's evidence "what"). */
const char *rules_op_name(enum rules_op op);
const char *rules_term_name(enum rules_term_kind k);

/* ---------------- the engine ---------------- */

struct rules_engine;

/* One observation: borrowed strings, valid during the call. */
struct rules_obs {
	const char *code;              /* indicator code */
	const char *area;              /* GB/T 2260 area code */
	rm_utc_ms t_ms;                /* observation time */
	double value;                  /* finite */
};

/* An alert version as the rules see it: in force (added or replaced
 * under its key) or not (removed). Borrowed, valid during the call. */
struct rules_alert_fact {
	const char *key;               /* "ORIGIN/OID" */
	size_t n_areas;
	const char *const *areas;      /* covers an area it contains */
	size_t n_events;               /* the event text of each language */
	const char *const *events;     /* matched ASCII case-insensitively */
	rm_grade grade;
	bool in_force;
	rm_utc_ms t_ms;                /* when this became known */
	rm_utc_ms expires_ms;          /* 0: none */
};

/* What one term saw when the rule fired. */
struct rules_evidence {
	enum rules_term_kind kind;
	char code[RULES_CODE_MAX + 1]; /* indicator code, or the alert's
	                                  matching event */
	double value;                  /* numeric terms: the value compared */
	rm_utc_ms at_ms;               /* time of the newest point used, or
	                                  when the alert became known */
	rm_utc_ms window_ms;           /* 0 for level and alert terms */
	rm_grade grade;                /* alert terms */
	char ref[RULES_ALERT_KEY_MAX + 1]; /* alert terms: its key */
};

/* A rule raised (fired) or cleared in an area. */
struct rules_transition {
	bool raised;                   /* false: cleared */
	const struct rules_rule *rule; /* in the engine's set */
	size_t rule_index;
	char area[RM_AREA_CODE_MAX + 1];
	rm_utc_ms at_ms;               /* event time of the transition;
	                                  raised: its since, which is later
	                                  than every earlier firing's of the
	                                  (rule, area) (the previous + 1 ms
	                                  when the clock has not moved), so
	                                  each firing has its own proposal
	                                  object id */
	rm_utc_ms since_ms;            /* cleared: when it had fired (the
	                                  at_ms of its raise) */
	size_t n_evidence;             /* raised: one per term */
	struct rules_evidence evidence[RULES_TERMS_MAX];
};

/* Called for each transition, in order; t valid during the call. */
typedef void (*rules_emit_fn)(void *arg, const struct rules_transition *t);

/* Counters of inputs the engine could not keep (bounded memory). */
struct rules_stats {
	uint64_t obs_used, obs_ignored;  /* ignored: no rule uses them */
	uint64_t refused;                /* over a RULES_*_MAX bound */
	uint64_t evicted;                /* idle states and unneeded series
	                                    dropped for room ("Memory") */
	uint64_t points_dropped;         /* oldest points of full series */
	size_t states, series, alerts;   /* in use */
};

/* A new engine over set (borrowed: it must outlive the engine), every
 * (rule, area) idle, clock 0. Errors: RM_EINVAL, RM_ENOMEM. */
int rules_engine_new(const struct rules_set *set, struct rules_engine **out);
void rules_engine_free(struct rules_engine *e);

/*
 * Feed n observations in order: for each, deadlines due at or before
 * its time first, then the point joins its series and every rule using
 * its code whose scope contains its area is evaluated for that area.
 * Errors (the others are still applied): RM_EBADVALUE (bad area code,
 * code too long, a value that is not finite), RM_ETOOBIG (a bound).
 */
int rules_observe(struct rules_engine *e, const struct rules_obs *obs,
    size_t n, rules_emit_fn emit, void *arg);

/* Feed an alert fact (deadlines up to its time first), then evaluate
 * every (rule, area) with an alert term; a rule whose terms are all
 * alert terms gets a state for each area of the fact in its scope.
 * Errors: RM_EINVAL, RM_ETOOBIG. */
int rules_alert(struct rules_engine *e, const struct rules_alert_fact *f,
    rules_emit_fn emit, void *arg);

/* An indicator definition as the rules see it (kind indicator_def):
 * borrowed, valid during the call. */
struct rules_def_fact {
	const char *code;              /* indicator code */
	double target;                 /* finite */
	bool has_warning;
	double warning;                /* finite when has_warning */
	bool lower_worse;              /* direction lower_worse; false:
	                                  higher_worse */
	rm_utc_ms t_ms;                /* the definition's issue time */
};

/*
 * Feed an indicator definition fact (rules_target.c): kept when a rule
 * has an off_target term on its code and it is not older (t_ms) than
 * the fact kept for the code, then every (rule, area) with an
 * off_target term on the code is evaluated at the clock (the clock does
 * not move: a definition is not an event of the series). A term
 * off_target(CODE) holds while the newest value of CODE in the area is
 * worse than the target (higher_worse: value > target; lower_worse:
 * value < target); off_target(CODE, warning) compares with the warning
 * threshold and does not hold for a definition without one; neither
 * holds without a definition or a value. No hysteresis: it clears when
 * the value is back on target. Errors: RM_EINVAL (NULL), RM_EBADVALUE
 * (a code that is not rules_code_valid, a value not finite),
 * RM_ETOOBIG (RULES_DEFS_MAX codes kept; counted in refused).
 */
int rules_define(struct rules_engine *e, const struct rules_def_fact *f,
    rules_emit_fn emit, void *arg);

/* Process the deadlines due at or before now (pending periods ending,
 * alerts expiring), each at its own time, then set the clock to now if
 * later. */
void rules_advance(struct rules_engine *e, rm_utc_ms now,
    rules_emit_fn emit, void *arg);

/* The earliest deadline after the clock, if any (false: none). */
bool rules_next_deadline(const struct rules_engine *e, rm_utc_ms *out);

/* Put (rule id, area) in the firing state since since_ms without an
 * output: a node restarting with an open proposal of the rule, so that
 * clearing still expires it. RM_ENOTFOUND (no such rule), RM_EBADVALUE
 * (area not in the rule's scope), RM_ETOOBIG. */
int rules_restore_firing(struct rules_engine *e, const char *rule_id,
    const char *area, rm_utc_ms since_ms);

void rules_get_stats(const struct rules_engine *e, struct rules_stats *out);

/* The decimal form of v with at most 15 significant digits as a
 * mantissa and a power of ten (v = mant * 10^exp), the mantissa not a
 * multiple of 10 unless 0 (then exp 0): what the proposal kind carries
 * (CBOR decimal fraction, RFC 8949 §3.4.4). RM_EBADVALUE for a value
 * that is not finite or out of range. */
int rules_decimal(double v, int64_t *mant, int32_t *exp);

#endif /* RM_NODE_RULES_H */
