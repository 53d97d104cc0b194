/*
 * test_rules_target.c -- the off_target and review_overdue terms
 * (node/rules, docs/RULES.md): the parser (forms and every error with
 * its line) and the engine's off_target with recorded values and
 * indicator definition facts: it fires on the worse side only, by
 * direction, clears back on target, the warning variant compares with
 * the warning threshold; a newer definition moves the target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/rules/rules.h"
#include "rm_test.h"

#define T0   1780000000000LL          /* 2026-05-28T20:26:40Z */
#define DAY  86400000LL

struct errs {
	size_t n;
	unsigned line[16];
	char msg[16][512];
};

static void
collect(void *arg, unsigned line, const char *msg)
{
	struct errs *e = arg;

	if (e->n < 16) {
		e->line[e->n] = line;
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
		e->n++;
	}
}

static bool
has(const struct errs *e, unsigned line, const char *want)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->line[i] == line && strstr(e->msg[i], want) != NULL)
			return true;
	fprintf(stderr, "no error at line %u with \"%s\"; got:\n", line, want);
	for (size_t i = 0; i < e->n; i++)
		fprintf(stderr, "  %u: %s\n", e->line[i], e->msg[i]);
	return false;
}

static int
parse(const char *text, struct rules_set **out, struct errs *e)
{
	rm_why why;

	memset(e, 0, sizeof(*e));
	*out = NULL;
	return rules_parse(text, strlen(text), "t.rules", out, NULL, collect,
	    e, &why);
}

static void
test_parse_good(void)
{
	static const char text[] =
	    "rule green\n"
	    "    scope 120116\n"
	    "    when  off_target(green_ratio)\n"
	    "    task  responsible\n"
	    "    subject 绿地率未达标，请制定整改方案\n"
	    "end\n"
	    "rule pm\n"
	    "    scope 120100\n"
	    "    when  off_target( pm2_5 , warning ) and rain_1h < 1\n"
	    "    task  120000.environment\n"
	    "    subject 细颗粒物浓度超过预警值，请整改\n"
	    "end\n"
	    "rule review\n"
	    "    scope 120116 120101\n"
	    "    when  review_overdue   # alone\n"
	    "    task  responsible\n"
	    "    subject 风险清单复核逾期，请复核\n"
	    "end\n"
	    "rule named\n"
	    "    scope 120116\n"
	    "    when  review_overdue >= 3\n"
	    "    task  responsible\n"
	    "    subject s\n"
	    "end\n";
	struct rules_set *s;
	struct errs e;

	CU_ASSERT_EQUAL_FATAL(parse(text, &s, &e), RM_OK);
	CU_ASSERT_EQUAL_FATAL(s->n, 4);
	CU_ASSERT_EQUAL(s->rules[0].n_terms, 1);
	CU_ASSERT_EQUAL(s->rules[0].terms[0].kind, RULES_OFF_TARGET);
	CU_ASSERT_STRING_EQUAL(s->rules[0].terms[0].code, "green_ratio");
	CU_ASSERT_FALSE(s->rules[0].terms[0].at_warning);
	CU_ASSERT_FALSE(rules_is_review(&s->rules[0]));
	CU_ASSERT_EQUAL(s->rules[1].n_terms, 2);
	CU_ASSERT_EQUAL(s->rules[1].terms[0].kind, RULES_OFF_TARGET);
	CU_ASSERT_STRING_EQUAL(s->rules[1].terms[0].code, "pm2_5");
	CU_ASSERT(s->rules[1].terms[0].at_warning);
	CU_ASSERT_EQUAL(s->rules[1].terms[1].kind, RULES_LEVEL);
	CU_ASSERT(rules_is_review(&s->rules[2]));
	CU_ASSERT_EQUAL(s->rules[2].terms[0].kind, RULES_REVIEW);
	CU_ASSERT_STRING_EQUAL(s->rules[2].terms[0].code, "");
	/* a level term on a code called review_overdue stays one */
	CU_ASSERT_EQUAL(s->rules[3].terms[0].kind, RULES_LEVEL);
	CU_ASSERT_STRING_EQUAL(s->rules[3].terms[0].code, "review_overdue");
	CU_ASSERT_STRING_EQUAL(rules_term_name(RULES_OFF_TARGET), "target");
	CU_ASSERT_STRING_EQUAL(rules_term_name(RULES_REVIEW), "review");
	rules_set_free(s);
}

static void
test_parse_bad(void)
{
	static const char text[] =
	    "rule a\n"                                         /* 1 */
	    "    scope 120116\n"
	    "    when  review_overdue and rain >= 5\n"         /* 3 */
	    "    task  responsible\n"
	    "    subject s\n"
	    "end\n"
	    "rule b\n"                                         /* 7 */
	    "    scope 120116\n"
	    "    when  rain >= 5\n"
	    "    when  review_overdue\n"                       /* 10 */
	    "    task  responsible\n"
	    "    subject s\n"
	    "end\n"
	    "rule c\n"                                         /* 14 */
	    "    scope 120116\n"
	    "    when  review_overdue\n"
	    "    warning orange\n"
	    "    event e\n"
	    "    headline h\n"
	    "end\n"
	    "rule d\n"                                         /* 21 */
	    "    scope 120116\n"
	    "    when  off_target(Green-Ratio)\n"              /* 23 */
	    "    when  off_target(pm2_5, yellow)\n"            /* 24 */
	    "    when  off_target(pm2_5\n"                     /* 25 */
	    "    when  off_target()\n"                         /* 26 */
	    "    task  responsible\n"
	    "    subject s\n"
	    "end\n"
	    "rule e\n"                                         /* 30 */
	    "    scope 120116\n"
	    "    when  review_overdue\n"
	    "    pending 1d\n"
	    "    task  responsible\n"
	    "    subject s\n"
	    "end\n";
	struct rules_set *s;
	struct errs e;

	CU_ASSERT_EQUAL(parse(text, &s, &e), RM_ECONFIG);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT(has(&e, 3, "review_overdue stands alone"));
	CU_ASSERT(has(&e, 10, "review_overdue stands alone"));
	CU_ASSERT(has(&e, 14, "rule c: review_overdue raises a review task"));
	CU_ASSERT(has(&e, 23, "off_target(\"Green-Ratio\")"));
	CU_ASSERT(has(&e, 23, "indicator code"));
	CU_ASSERT(has(&e, 24, "the second argument is the word warning"));
	CU_ASSERT(has(&e, 25, "off_target(pm2_5...: want \")\""));
	CU_ASSERT(has(&e, 26, "off_target(\")\")"));
	CU_ASSERT(has(&e, 30, "rule e: review_overdue has no pending"));
	CU_ASSERT_EQUAL(e.n, 8);
}

struct log {
	size_t n;
	struct rules_transition t[32];
};

static void
record(void *arg, const struct rules_transition *t)
{
	struct log *l = arg;

	if (l->n < 32)
		l->t[l->n] = *t;
	l->n++;
}

static struct rules_set *
set_of(const char *text)
{
	struct rules_set *s = NULL;
	rm_why why;

	if (rules_parse(text, strlen(text), "test", &s, NULL, NULL, NULL,
	    &why) != RM_OK)
		fprintf(stderr, "%s\n", why.msg);
	return s;
}

static const char target_rules[] =
    "rule green\n scope 120116\n when off_target(green_ratio)\n"
    " task responsible\n subject 绿地率整改\nend\n"
    "rule pm\n scope 120116\n when off_target(pm2_5)\n"
    " task responsible\n subject 细颗粒物整改\nend\n"
    "rule pm-warn\n scope 120116\n when off_target(pm2_5, warning)\n"
    " task responsible\n subject 细颗粒物超过预警值\nend\n";

/* Recorded yearly values of a city health check (城市体检): green
 * ratio (%, lower is worse, target 40) and PM2.5 (µg/m³, higher is
 * worse, target 35, warning 50). */
static const struct {
	const char *code;
	int year;
	double value;
} recorded[] = {
	{ "green_ratio", 0, 41.2 }, { "pm2_5", 0, 33 },
	{ "green_ratio", 1, 39.5 }, { "pm2_5", 1, 38 },     /* both off */
	{ "green_ratio", 2, 38.0 }, { "pm2_5", 2, 52.5 },   /* pm warn */
	{ "green_ratio", 3, 40.0 }, { "pm2_5", 3, 47 },     /* green on */
	{ "green_ratio", 4, 42.1 }, { "pm2_5", 4, 35 },     /* all on */
};

static void
feed(struct rules_engine *e, size_t i, struct log *l)
{
	struct rules_obs o = { recorded[i].code, "120116",
		T0 + recorded[i].year * 365 * DAY, recorded[i].value };

	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, record, l), RM_OK);
}

static void
test_off_target(void)
{
	struct rules_set *s = set_of(target_rules);
	struct rules_def_fact green = { "green_ratio", 40, false, 0, true, 1 };
	struct rules_def_fact pm = { "pm2_5", 35, true, 50, false, 1 };
	struct rules_engine *e;
	struct log l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	memset(&l, 0, sizeof(l));
	/* no definition yet: values alone never fire */
	for (size_t i = 0; i < 4; i++)                     /* years 0, 1 */
		feed(e, i, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	/* the definitions come: both are off target at year 1, on the
	 * worse side of each direction (39.5 < 40, 38 > 35); 38 is under
	 * the warning threshold 50 */
	CU_ASSERT_EQUAL(rules_define(e, &green, record, &l), RM_OK);
	CU_ASSERT_EQUAL(rules_define(e, &pm, record, &l), RM_OK);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT(l.t[0].raised);
	CU_ASSERT_STRING_EQUAL(l.t[0].rule->id, "green");
	CU_ASSERT_EQUAL(l.t[0].evidence[0].kind, RULES_OFF_TARGET);
	CU_ASSERT(l.t[0].evidence[0].value == 39.5);
	CU_ASSERT_EQUAL(l.t[0].evidence[0].at_ms, T0 + 365 * DAY);
	CU_ASSERT_STRING_EQUAL(l.t[0].evidence[0].code, "green_ratio");
	CU_ASSERT(l.t[1].raised);
	CU_ASSERT_STRING_EQUAL(l.t[1].rule->id, "pm");
	/* year 2: green stays off; 52.5 is past the warning threshold */
	feed(e, 4, &l);
	feed(e, 5, &l);
	CU_ASSERT_EQUAL_FATAL(l.n, 3);
	CU_ASSERT(l.t[2].raised);
	CU_ASSERT_STRING_EQUAL(l.t[2].rule->id, "pm-warn");
	CU_ASSERT(l.t[2].evidence[0].value == 52.5);
	/* year 3: green is back at 40 (on target: not worse) and clears;
	 * pm 47 clears the warning variant only */
	feed(e, 6, &l);
	feed(e, 7, &l);
	CU_ASSERT_EQUAL_FATAL(l.n, 5);
	CU_ASSERT_FALSE(l.t[3].raised);
	CU_ASSERT_STRING_EQUAL(l.t[3].rule->id, "green");
	CU_ASSERT_EQUAL(l.t[3].since_ms, T0 + 365 * DAY);
	CU_ASSERT_FALSE(l.t[4].raised);
	CU_ASSERT_STRING_EQUAL(l.t[4].rule->id, "pm-warn");
	/* year 4: pm at the target 35 is on target: clears */
	feed(e, 8, &l);
	feed(e, 9, &l);
	CU_ASSERT_EQUAL_FATAL(l.n, 6);
	CU_ASSERT_FALSE(l.t[5].raised);
	CU_ASSERT_STRING_EQUAL(l.t[5].rule->id, "pm");
	rules_engine_free(e);
	rules_set_free(s);
}

/* A newer definition moves the target; an older one is ignored; codes
 * no off_target term uses are not kept; a lower_worse value above the
 * target never fires. */
static void
test_definitions(void)
{
	struct rules_set *s = set_of(target_rules);
	struct rules_def_fact green = { "green_ratio", 40, false, 0, true, 10 };
	struct rules_def_fact other = { "rain_1h", 1, false, 0, false, 10 };
	struct rules_obs o = { "green_ratio", "120116", T0, 45 };
	struct rules_engine *e;
	struct rules_stats st;
	struct log l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	memset(&l, 0, sizeof(l));
	CU_ASSERT_EQUAL(rules_define(e, &green, record, &l), RM_OK);
	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, record, &l), RM_OK);
	CU_ASSERT_EQUAL(l.n, 0);                 /* 45 is better than 40 */
	green.target = 50;                       /* a newer target: 45 off */
	green.t_ms = 20;
	CU_ASSERT_EQUAL(rules_define(e, &green, record, &l), RM_OK);
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT(l.t[0].raised);
	green.target = 30;                       /* an older one: ignored */
	green.t_ms = 15;
	CU_ASSERT_EQUAL(rules_define(e, &green, record, &l), RM_OK);
	CU_ASSERT_EQUAL(l.n, 1);
	green.t_ms = 30;                         /* newer again: clears */
	CU_ASSERT_EQUAL(rules_define(e, &green, record, &l), RM_OK);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT_FALSE(l.t[1].raised);
	CU_ASSERT_EQUAL(rules_define(e, &other, record, &l), RM_OK);
	other.code = "bad code";
	CU_ASSERT_EQUAL(rules_define(e, &other, record, &l), RM_EBADVALUE);
	rules_get_stats(e, &st);
	CU_ASSERT_EQUAL(st.refused, 0);
	rules_engine_free(e);
	rules_set_free(s);
}

/* A definition flipping direction 40 times without an observation
 * (the engine clock stands still): each raise has its own since (the
 * proposal's object id), later than the last one, and each clear names
 * the since of the raise it ends. */
static void
test_flipping_definition(void)
{
	struct rules_set *s = set_of(target_rules);
	struct rules_def_fact green = { "green_ratio", 40, false, 0, true, 10 };
	struct rules_obs o = { "green_ratio", "120116", T0, 38 };
	struct rules_engine *e;
	rm_utc_ms last = 0, open = 0;
	size_t raises = 0;
	struct log l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	memset(&l, 0, sizeof(l));
	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, record, &l), RM_OK);
	for (int i = 0; i < 40; i++) {
		green.lower_worse = i % 2 == 0;   /* 38 < 40: off, then on */
		green.t_ms = 10 + i;
		l.n = 0;
		CU_ASSERT_EQUAL(rules_define(e, &green, record, &l), RM_OK);
		CU_ASSERT_EQUAL_FATAL(l.n, 1);
		if (l.t[0].raised) {
			CU_ASSERT(l.t[0].at_ms > last);
			CU_ASSERT(l.t[0].at_ms >= T0);
			last = open = l.t[0].at_ms;
			raises++;
		} else {
			CU_ASSERT_EQUAL(l.t[0].since_ms, open);
			open = 0;
		}
	}
	CU_ASSERT_EQUAL(raises, 20);
	CU_ASSERT_EQUAL(last, T0 + 19);
	rules_engine_free(e);
	rules_set_free(s);
}

/* The engine never evaluates a review_overdue rule. */
static void
test_review_not_engine(void)
{
	struct rules_set *s = set_of("rule r\n scope 120116\n"
	    " when review_overdue\n task responsible\n subject s\nend\n");
	struct rules_obs o = { "review_overdue", "120116", T0, 1 };
	struct rules_engine *e;
	struct rules_stats st;
	struct log l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	memset(&l, 0, sizeof(l));
	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, record, &l), RM_OK);
	rules_advance(e, T0 + DAY, record, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	rules_get_stats(e, &st);
	CU_ASSERT_EQUAL(st.states, 0);
	CU_ASSERT_EQUAL(st.obs_ignored, 1);
	rules_engine_free(e);
	rules_set_free(s);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "parse_good", test_parse_good },
		{ "parse_bad", test_parse_bad },
		{ "off_target", test_off_target },
		{ "definitions", test_definitions },
		{ "flipping_definition", test_flipping_definition },
		{ "review_not_engine", test_review_not_engine },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("rules_target", tests);
}
