/*
 * rules_cond.c -- the condition of a rule (docs/RULES.md "Conditions"):
 * one `when` line is a chain of terms joined by "and":
 *
 *   CODE OP NUMBER [clear NUMBER]                     level crossing
 *   rise|fall|max|min(CODE, DURATION) OP NUMBER [clear NUMBER]
 *   alert(EVENT) OP GRADE                             alert in force
 *   off_target(CODE) | off_target(CODE, warning)      indicator target
 *   review_overdue                                    risk review date
 *
 * OP is >=, >, <=, < or ==. Tokens are separated by blanks except
 * around "(", ",", ")" and the operators.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/rules/rules_int.h"

struct cur {
	const char *p;
	char tok[RULES_LINE_MAX];
};

static bool
word_byte(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-' ||
	    c == '+' || c == '*' || c >= 0x80;
}

/* The next token into c->tok ("" at the end). */
static const char *
next(struct cur *c)
{
	size_t n = 0;

	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
	if (*c->p == '\0') {
		c->tok[0] = '\0';
		return c->tok;
	}
	if (strchr("(),", *c->p) != NULL)
		c->tok[n++] = *c->p++;
	else if (strchr("<>=!", *c->p) != NULL) {
		while (strchr("<>=!", *c->p) != NULL && *c->p != '\0' &&
		    n + 1 < sizeof(c->tok))
			c->tok[n++] = *c->p++;
	} else if (word_byte((unsigned char)*c->p)) {
		while (word_byte((unsigned char)*c->p) && n + 1 < sizeof(c->tok))
			c->tok[n++] = *c->p++;
	} else
		c->tok[n++] = *c->p++;
	c->tok[n] = '\0';
	return c->tok;
}

int
rules_op_parse(const char *s, enum rules_op *out)
{
	static const char *const ops[] = { ">=", ">", "<=", "<", "==" };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i]) == 0) {
			*out = (enum rules_op)(i + 1);
			return RM_OK;
		}
	return RM_EBADVALUE;
}

int
rules_number_parse(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || !(isdigit((unsigned char)*s) || *s == '-' ||
	    *s == '+' || *s == '.'))
		return RM_EBADVALUE;
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v) || fabs(v) > 1e15)
		return RM_EBADVALUE;
	*out = v;
	return RM_OK;
}

int
rules_duration_parse(const char *s, rm_utc_ms *out)
{
	char *end;
	long long v;
	rm_utc_ms unit;

	if (!isdigit((unsigned char)*s))
		return RM_EBADVALUE;
	v = strtoll(s, &end, 10);
	switch (*end) {
	case 's': unit = 1000; break;
	case 'm': unit = 60000; break;
	case 'h': unit = 3600000; break;
	case 'd': unit = 86400000; break;
	default: return RM_EBADVALUE;
	}
	if (end[1] != '\0' || v < 0 || v > RULES_DURATION_MAX_MS / unit)
		return RM_EBADVALUE;
	*out = (rm_utc_ms)v * unit;
	return RM_OK;
}

bool
rules_code_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > RULES_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.:-", s[i]) == NULL)
			return false;
	return true;
}

/* ( CODE , DURATION ) of a window function. */
static int
window_args(struct cur *c, struct rules_term *t, char *err, size_t el)
{
	if (strcmp(next(c), "(") != 0 || !rules_code_valid(next(c)))
		return snprintf(err, el, "%s: want (CODE, DURATION), where CODE "
		    "is 1..%d of A-Z a-z 0-9 _ . : -",
		    rules_term_name(t->kind), RULES_CODE_MAX), RM_EBADVALUE;
	snprintf(t->code, sizeof(t->code), "%s", c->tok);
	if (strcmp(next(c), ",") != 0)
		return snprintf(err, el, "%s(%s: want \", DURATION)\"",
		    rules_term_name(t->kind), t->code), RM_EBADVALUE;
	if (rules_duration_parse(next(c), &t->window_ms) != RM_OK ||
	    t->window_ms == 0)
		return snprintf(err, el, "%s(%s, \"%.32s\"): a window is a "
		    "number and s, m, h or d (30m, 3h), at most 7d and not 0",
		    rules_term_name(t->kind), t->code, c->tok), RM_EBADVALUE;
	if (strcmp(next(c), ")") != 0)
		return snprintf(err, el, "%s(%s, ...: want \")\"",
		    rules_term_name(t->kind), t->code), RM_EBADVALUE;
	return RM_OK;
}

/* clear N: on the side of the threshold the value leaves when it
 * clears (below it for >= and >, above it for <= and <). */
static int
clear_part(struct cur *c, struct rules_term *t, char *err, size_t el)
{
	const char *save = c->p;

	if (strcmp(next(c), "clear") != 0) {
		c->p = save;
		return RM_OK;
	}
	if (rules_number_parse(next(c), &t->clear) != RM_OK)
		return snprintf(err, el, "clear \"%.32s\": not a number",
		    c->tok), RM_EBADVALUE;
	t->has_clear = true;
	if (t->op == RULES_EQ)
		return snprintf(err, el, "clear: a term with == has no "
		    "hysteresis"), RM_EBADVALUE;
	if ((t->op == RULES_GE || t->op == RULES_GT) ?
	    t->clear > t->threshold : t->clear < t->threshold)
		return snprintf(err, el, "clear %g: must be %s the threshold "
		    "%g (the value %s it to clear)", t->clear,
		    t->op <= RULES_GT ? "at or below" : "at or above",
		    t->threshold, t->op <= RULES_GT ? "falls below" :
		    "rises above"), RM_EBADVALUE;
	return RM_OK;
}

/* ( CODE [, warning] ) of off_target: CODE an indicator code of the
 * indicator_def kind (indicator_code_valid). */
static int
target_args(struct cur *c, struct rules_term *t, char *err, size_t el)
{
	t->kind = RULES_OFF_TARGET;
	if (strcmp(next(c), "(") != 0 || c->tok[0] == '\0' ||
	    strcmp(next(c), ")") == 0 ||
	    !indicator_code_valid(c->tok, strlen(c->tok)))
		return snprintf(err, el, "off_target(\"%.48s\"): want "
		    "off_target(CODE) or off_target(CODE, warning), where CODE "
		    "is an indicator code (%s)", c->tok, RM_IND_CODE_RULE),
		    RM_EBADVALUE;
	snprintf(t->code, sizeof(t->code), "%s", c->tok);
	if (strcmp(next(c), ",") == 0) {
		if (strcmp(next(c), "warning") != 0)
			return snprintf(err, el, "off_target(%s, \"%.32s\"): the "
			    "second argument is the word warning (worse than the "
			    "definition's warning threshold)", t->code, c->tok),
			    RM_EBADVALUE;
		t->at_warning = true;
		next(c);
	}
	if (strcmp(c->tok, ")") != 0)
		return snprintf(err, el, "off_target(%s...: want \")\"",
		    t->code), RM_EBADVALUE;
	return RM_OK;
}

static int
term_parse(struct cur *c, struct rules_term *t, char *err, size_t el)
{
	static const struct {
		const char *name;
		enum rules_term_kind kind;
	} fns[] = { { "rise", RULES_RISE }, { "fall", RULES_FALL },
		{ "max", RULES_MAXW }, { "min", RULES_MINW } };
	const char *save;
	int rv;

	memset(t, 0, sizeof(*t));
	next(c);
	save = c->p;
	if (strcmp(c->tok, "alert") == 0 && strcmp(next(c), "(") == 0) {
		t->kind = RULES_ALERT;
		next(c);
		if (strcmp(c->tok, ")") == 0 || c->tok[0] == '\0' ||
		    strlen(c->tok) > RULES_CODE_MAX ||
		    !rm_utf8_valid(c->tok, strlen(c->tok)))
			return snprintf(err, el, "alert(EVENT): want an event "
			    "text (typhoon, 暴雨) or *"), RM_EBADVALUE;
		snprintf(t->code, sizeof(t->code), "%s", c->tok);
		if (strcmp(next(c), ")") != 0)
			return snprintf(err, el, "alert(%s: want \")\" (an event "
			    "is one word)", t->code), RM_EBADVALUE;
		if (rules_op_parse(next(c), &t->op) != RM_OK)
			return snprintf(err, el, "alert(%s): want an operator "
			    "(>=, >, <=, <, ==) and a grade, got \"%.32s\"",
			    t->code, c->tok), RM_EBADVALUE;
		if (risk_grade_parse(next(c), &t->grade) != RM_OK)
			return snprintf(err, el, "alert(%s) %s: \"%.32s\" is not "
			    "a grade (blue, yellow, orange, red)", t->code,
			    rules_op_name(t->op), c->tok), RM_EBADVALUE;
		return RM_OK;
	}
	c->p = save;
	if (strcmp(c->tok, "off_target") == 0 && *c->p == '(')
		return target_args(c, t, err, el);
	if (strcmp(c->tok, "review_overdue") == 0) {
		/* the term, unless a comparison follows (a code so named) */
		bool alone = strcmp(next(c), "and") == 0 || c->tok[0] == '\0';

		c->p = save;
		snprintf(c->tok, sizeof(c->tok), "review_overdue");
		if (alone) {
			t->kind = RULES_REVIEW;  /* no code: no observation is
			                            ever one of its */
			return RM_OK;
		}
	}
	t->kind = RULES_LEVEL;
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strcmp(c->tok, fns[i].name) == 0 && *c->p == '(')
			t->kind = fns[i].kind;
	if (t->kind != RULES_LEVEL) {
		if ((rv = window_args(c, t, err, el)) != RM_OK)
			return rv;
	} else if (!rules_code_valid(c->tok))
		return snprintf(err, el, "\"%.32s\": want an indicator code (1..%d "
		    "of A-Z a-z 0-9 _ . : -), rise(...), fall(...), max(...), "
		    "min(...) or alert(...)", c->tok, RULES_CODE_MAX),
		    RM_EBADVALUE;
	else
		snprintf(t->code, sizeof(t->code), "%s", c->tok);
	if (rules_op_parse(next(c), &t->op) != RM_OK)
		return snprintf(err, el, "%s: want an operator (>=, >, <=, <, "
		    "==), got \"%.32s\"", t->code, c->tok), RM_EBADVALUE;
	if (rules_number_parse(next(c), &t->threshold) != RM_OK)
		return snprintf(err, el, "%s %s \"%.32s\": not a number", t->code,
		    rules_op_name(t->op), c->tok), RM_EBADVALUE;
	return clear_part(c, t, err, el);
}

int
rules_cond_parse(const char *s, struct rules_rule *r, char *err, size_t el)
{
	struct cur c;
	int rv;

	c.p = s;
	for (;;) {
		if (r->n_terms == RULES_TERMS_MAX)
			return snprintf(err, el, "more than %d terms in a rule",
			    RULES_TERMS_MAX), RM_ETOOBIG;
		if ((rv = term_parse(&c, &r->terms[r->n_terms], err, el)) !=
		    RM_OK)
			return rv;
		if (r->n_terms > 0 && (r->terms[0].kind == RULES_REVIEW ||
		    r->terms[r->n_terms].kind == RULES_REVIEW))
			return snprintf(err, el, "review_overdue stands alone in "
			    "its rule (one proposal per overdue risk): no other "
			    "term, no second when"), RM_EBADVALUE;
		r->n_terms++;
		next(&c);
		if (c.tok[0] == '\0')
			return RM_OK;
		if (strcmp(c.tok, "and") != 0)
			return snprintf(err, el, "\"%.32s\" after a term: terms "
			    "are joined by \"and\" (\"or\": write two rules)",
			    c.tok), RM_EBADVALUE;
	}
}

const char *
rules_op_name(enum rules_op op)
{
	static const char *const n[] = { "?", ">=", ">", "<=", "<", "==" };

	return (unsigned)op < sizeof(n) / sizeof(n[0]) ? n[op] : "?";
}

const char *
rules_term_name(enum rules_term_kind k)
{
	static const char *const n[] = { "?", "level", "rise", "fall", "max",
		"min", "alert", "target", "review" };

	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

bool
rules_is_review(const struct rules_rule *r)
{
	return r->n_terms == 1 && r->terms[0].kind == RULES_REVIEW;
}
