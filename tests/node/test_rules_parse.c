/*
 * test_rules_parse.c -- the rules file (node/rules, docs/RULES.md): a
 * good file's rules field by field, and every error reported with its
 * line, in line order, the parse going on after each.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "node/rules/rules.h"
#include "rm_test.h"

#define MAXE 64

struct errs {
	size_t n;
	unsigned line[MAXE];
	char msg[MAXE][512];
};

static void
collect(void *arg, unsigned line, const char *msg)
{
	struct errs *e = arg;

	if (e->n < MAXE) {
		e->line[e->n] = line;
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
		e->n++;
	}
}

static int
parse(const char *text, struct rules_set **out, struct errs *e, rm_why *why)
{
	size_t n = 0;
	int rv;

	memset(e, 0, sizeof(*e));
	*out = NULL;
	rv = rules_parse(text, strlen(text), "t.rules", out, &n, collect, e,
	    why);
	CU_ASSERT_EQUAL(n, e->n);
	return rv;
}

/* Is there an error at line whose text has want? */
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

static void
test_good_file(void)
{
	char path[1024];
	struct rules_set *s = NULL;
	const struct rules_rule *r;
	size_t n = 9;
	rm_why why;

	snprintf(path, sizeof(path), "%s/data/rules_ok.rules", RM_RULES_DIR);
	CU_ASSERT_EQUAL_FATAL(rules_load(path, &s, &n, NULL, NULL, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL_FATAL(s->n, 3);
	r = rules_find(s, "rain3h-orange");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->n_scope, 1);
	CU_ASSERT_STRING_EQUAL(r->scope[0], "120116");
	CU_ASSERT_EQUAL(r->n_terms, 1);
	CU_ASSERT_EQUAL(r->terms[0].kind, RULES_LEVEL);
	CU_ASSERT_STRING_EQUAL(r->terms[0].code, "rain_3h");
	CU_ASSERT_EQUAL(r->terms[0].op, RULES_GE);
	CU_ASSERT(r->terms[0].threshold == 50 && r->terms[0].has_clear &&
	    r->terms[0].clear == 40);
	CU_ASSERT_EQUAL(r->pending_ms, 30 * 60000);
	CU_ASSERT_EQUAL(r->action, RULES_WARNING);
	CU_ASSERT_EQUAL(r->grade, RM_GRADE_ORANGE);
	CU_ASSERT_STRING_EQUAL(r->event, "暴雨");
	CU_ASSERT_STRING_EQUAL(r->lang, "zh-CN");
	CU_ASSERT_FALSE(r->auto_issue);
	r = rules_find(s, "typhoon-river");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->n_scope, 2);
	CU_ASSERT_EQUAL_FATAL(r->n_terms, 2);
	CU_ASSERT_EQUAL(r->terms[0].kind, RULES_ALERT);
	CU_ASSERT_STRING_EQUAL(r->terms[0].code, "台风");
	CU_ASSERT_EQUAL(r->terms[0].grade, RM_GRADE_ORANGE);
	CU_ASSERT_EQUAL(r->terms[1].kind, RULES_LEVEL);
	CU_ASSERT(fabs(r->terms[1].clear - 4.3) < 1e-9);
	r = rules_find(s, "river-rise");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->action, RULES_TASK);
	CU_ASSERT_STRING_EQUAL(r->assignee, RULES_RESPONSIBLE);
	CU_ASSERT_EQUAL_FATAL(r->n_terms, 2);   /* two when lines: and */
	CU_ASSERT_EQUAL(r->terms[0].kind, RULES_RISE);
	CU_ASSERT_EQUAL(r->terms[0].window_ms, 3 * 3600000);
	CU_ASSERT_EQUAL(r->terms[1].kind, RULES_MAXW);
	CU_ASSERT_EQUAL(r->terms[1].window_ms, 6 * 3600000);
	rules_set_free(s);
}

/* The fixture with one mistake a line: each reported at its line. */
static void
test_bad_file(void)
{
	char path[1024];
	struct rules_set *s = NULL;
	struct errs e;
	size_t n = 0;
	rm_why why;

	memset(&e, 0, sizeof(e));
	snprintf(path, sizeof(path), "%s/data/rules_bad.rules", RM_RULES_DIR);
	CU_ASSERT_EQUAL(rules_load(path, &s, &n, collect, &e, &why),
	    RM_ECONFIG);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT(has(&e, 2, "an id is 1..64"));
	CU_ASSERT(has(&e, 3, "\"1201\" is not a GB/T 2260 area code"));
	CU_ASSERT(has(&e, 4, "got \">>\""));
	CU_ASSERT(has(&e, 6, "rule r2: no scope"));
	CU_ASSERT(has(&e, 6, "a warning needs event and headline"));
	CU_ASSERT(has(&e, 7, "\"0h\""));
	CU_ASSERT(has(&e, 8, "pending \"30 minutes\""));
	CU_ASSERT(has(&e, 9, "warning \"purple\""));
	CU_ASSERT(has(&e, 10, "unknown keyword \"colour\""));
	CU_ASSERT(has(&e, 12, "auto_issue is for warnings"));
	CU_ASSERT(has(&e, 14, "clear 60: must be at or below the threshold"));
	CU_ASSERT(has(&e, 19, "end without rule"));
	CU_ASSERT(has(&e, 20, "the id is taken by the rule of line 12"));
	CU_ASSERT(has(&e, 20, "rule r3 has no end"));
	CU_ASSERT_EQUAL(n, e.n);
	for (size_t i = 1; i < e.n; i++)
		CU_ASSERT(e.line[i - 1] <= e.line[i]);
	/* why: the first, as FILE:LINE: msg */
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "rules_bad.rules:2: "));
}

/* One error each, at the line given. */
static const struct {
	const char *text;
	unsigned line;
	const char *want;
} cases[] = {
	{ "scope 120116\n", 1, "scope outside a rule" },
	{ "rule a\nscope 120116\nwhen x >= 1\nwarning red\nevent e\n"
	  "headline h\nend\nrule a\nscope 120116\nwhen x >= 1\nwarning red\n"
	  "event e\nheadline h\nend\n", 8, "taken by the rule of line 1" },
	{ "rule a\nscope 120116\nwhen x >= 1 or y >= 2\nwarning red\n"
	  "event e\nheadline h\nend\n", 3, "joined by \"and\"" },
	{ "rule a\nscope 120116\nwhen alert(台风) >= purple\nwarning red\n"
	  "event e\nheadline h\nend\n", 3, "is not a grade" },
	{ "rule a\nscope 120116\nwhen alert(台风 风) >= red\nwarning red\n"
	  "event e\nheadline h\nend\n", 3, "an event is one word" },
	{ "rule a\nscope 120116\nwhen x == 1 clear 2\nwarning red\n"
	  "event e\nheadline h\nend\n", 3, "== has no hysteresis" },
	{ "rule a\nscope 120116\nwhen x <= 1 clear 0\nwarning red\n"
	  "event e\nheadline h\nend\n", 3, "at or above the threshold" },
	{ "rule a\nscope 120116\nwhen x >= abc\nwarning red\n"
	  "event e\nheadline h\nend\n", 3, "\"abc\": not a number" },
	{ "rule a\nscope 120116\nwhen max(x, 8d) >= 1\nwarning red\n"
	  "event e\nheadline h\nend\n", 3, "at most 7d" },
	{ "rule a\nscope 120116\nwhen x >= 1\nwarning red\nwarning red\n"
	  "event e\nheadline h\nend\n", 5, "warning given twice" },
	{ "rule a\nscope 120116\nwhen x >= 1\nwarning red\ntask 120116.gov\n"
	  "event e\nheadline h\nend\n", 1, "one action a rule" },
	{ "rule a\nscope 120116\nwhen x >= 1\ntask nobody\nsubject s\nend\n",
	  4, "is \"responsible\"" },
	{ "rule a\nscope 120116\nwhen x >= 1\ntask responsible\nend\n", 1,
	  "a task needs a subject" },
	{ "rule a\nscope 120116\nwhen x >= 1\nwarning red\nevent e\n"
	  "headline h\nauto_issue maybe\nend\n", 7, "yes or no" },
	{ "rule a\nscope 120116\nwhen\nwarning red\nevent e\nheadline h\n"
	  "end\n", 3, "when: needs a value" },
	{ "rule a\nscope 120116\nwhen x >= 1\nwarning red\nevent e\n"
	  "headline h\nend now\n", 7, "end takes nothing" },
	{ "rule a\nrule b\n", 2, "rule inside rule a" },
	{ "rule a\r\nscope 120116 # the district\r\nwhen x>=1#not a comment\r\n"
	  "end\r\n", 3, "\"#\" after a term" },
	{ "rule a\nscope \xff\n", 2, "not UTF-8" },
	{ "rule a\nscope 120116\nwhen a>=1 and b>=1 and c>=1 and d>=1 and "
	  "e>=1 and f>=1 and g>=1 and h>=1 and i>=1\n", 3, "more than 8 terms" },
};

static void
test_each_error(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rules_set *s;
		struct errs e;
		rm_why why;

		CU_ASSERT_EQUAL(parse(cases[i].text, &s, &e, &why), RM_ECONFIG);
		CU_ASSERT_PTR_NULL(s);
		if (!has(&e, cases[i].line, cases[i].want))
			CU_FAIL("case");
	}
}

static void
test_limits(void)
{
	static char big[RULES_LINE_MAX + 64];
	struct rules_set *s;
	struct errs e;
	rm_why why;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(parse(big, &s, &e, &why), RM_ECONFIG);
	CU_ASSERT(has(&e, 1, "longer than 1024 bytes"));
	CU_ASSERT_EQUAL(rules_parse("rule a\0", 7, "t", &s, NULL, collect, &e,
	    &why), RM_ECONFIG);
	CU_ASSERT_EQUAL(rules_parse("", RULES_FILE_MAX + 1, "t", &s, NULL, NULL,
	    NULL, &why), RM_ETOOBIG);
	/* an empty file is a clean file with no rules */
	CU_ASSERT_EQUAL(parse("# nothing yet\n\n", &s, &e, &why), RM_OK);
	CU_ASSERT_EQUAL(s->n, 0);
	rules_set_free(s);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "good_file", test_good_file },
		{ "bad_file", test_bad_file },
		{ "each_error", test_each_error },
		{ "limits", test_limits },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("rules_parse", tests);
}
