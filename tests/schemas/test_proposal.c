/*
 * test_proposal.c -- the record kind "proposal" (schemas/proposal_kind.c,
 * proposal_codec.c): the round trip of a warning and of a task, the
 * decimal fraction (tag 4) in its one form, the field rules, in force
 * while open, the authorisation and index hooks.
 */
#include <stdio.h>
#include <string.h>

#include "schemas/schemas.h"
#include "rm_test.h"

static char event[] = "暴雨";
static char headline[] = "滨海新区3小时降雨量超过50毫米";
static char subject[] = "河道水位上涨，请核查堤防";

static void
sample(struct rm_record *r, struct rm_proposal *p, bool task)
{
	memset(r, 0, sizeof(*r));
	memset(p, 0, sizeof(*p));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_proposal;
	r->body = p;
	snprintf(r->origin, sizeof(r->origin), "120116.gov");
	snprintf(r->object_id, sizeof(r->object_id),
	    "prop:rain3h:120116:1780000000000");
	r->ver = 1;
	r->seq = 1;
	r->issued_ms = 1780000000500LL;
	r->n_areas = 1;
	snprintf(r->areas[0], sizeof(r->areas[0]), "120116");
	snprintf(p->rule, sizeof(p->rule), "rain3h");
	p->state = RM_PROPOSAL_OPEN;
	p->raised_ms = 1780000000000LL;
	if (task) {
		p->type = RM_PROPOSAL_TASK;
		snprintf(p->assignee, sizeof(p->assignee), "120116.water");
		p->subject = subject;
	} else {
		p->type = RM_PROPOSAL_WARNING;
		p->grade = RM_GRADE_ORANGE;
		p->event = event;
		p->headline = headline;
		snprintf(p->lang, sizeof(p->lang), "zh-CN");
	}
	p->n_evidence = 2;
	snprintf(p->evidence[0].what, 8, "rise");
	snprintf(p->evidence[0].code, sizeof(p->evidence[0].code), "river");
	p->evidence[0].at_ms = 1779999000000LL;
	p->evidence[0].window_s = 10800;
	p->evidence[0].has_value = true;
	p->evidence[0].value.mant = 62;
	p->evidence[0].value.exp = -2;
	snprintf(p->evidence[1].what, 8, "alert");
	snprintf(p->evidence[1].code, sizeof(p->evidence[1].code), "台风");
	p->evidence[1].grade = RM_GRADE_RED;
	snprintf(p->evidence[1].ref, sizeof(p->evidence[1].ref),
	    "120000.meteorology/ty-1");
	p->evidence[1].at_ms = 1779990000000LL;
}

static void
roundtrip(bool task)
{
	struct rm_record r, d;
	struct rm_proposal p;
	const struct rm_proposal *q;
	rm_buf b = RM_BUF_INIT, b2 = RM_BUF_INIT;
	rm_why why;

	sample(&r, &p, task);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	if (record_decode(b.data, b.len, &d, &why) != RM_OK)
		fprintf(stderr, "decode: %s\n", why.msg);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);

	q = record_proposal(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_STRING_EQUAL(q->rule, "rain3h");
	CU_ASSERT_EQUAL(q->type, p.type);
	CU_ASSERT_EQUAL(q->n_evidence, 2);
	CU_ASSERT(q->evidence[0].value.mant == 62 && q->evidence[0].value.exp ==
	    -2 && q->evidence[0].window_s == 10800);
	CU_ASSERT_STRING_EQUAL(q->evidence[1].ref, "120000.meteorology/ty-1");
	CU_ASSERT_EQUAL(q->evidence[1].grade, RM_GRADE_RED);
	CU_ASSERT(record_in_force(&d, 0));
	CU_ASSERT_EQUAL(d.kind->grade(&d), task ? 0 : RM_GRADE_ORANGE);
	CU_ASSERT_STRING_EQUAL(d.kind->roster_kind, "alert");
	CU_ASSERT_EQUAL(record_encode(&d, &b2, &why), RM_OK);
	CU_ASSERT(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	record_fini(&d);
	rm_buf_fini(&b);
	rm_buf_fini(&b2);
}

static void
test_roundtrip(void)
{
	roundtrip(false);
	roundtrip(true);
}

static void
test_states(void)
{
	struct rm_record r, d;
	struct rm_proposal p;
	rm_buf b = RM_BUF_INIT;
	rm_why why;
	char line[200];

	sample(&r, &p, false);
	p.state = RM_PROPOSAL_CONFIRMED;
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EMISSING);
	snprintf(p.confirmed_origin, sizeof(p.confirmed_origin), "120116.gov");
	snprintf(p.confirmed_oid, sizeof(p.confirmed_oid), "alert-1");
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(record_proposal(&d)->confirmed_oid, "alert-1");
	CU_ASSERT_FALSE(record_in_force(&d, 0));
	record_summary(&d, line, sizeof(line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "confirmed warning orange"));
	record_fini(&d);
	rm_buf_fini(&b);
	p.state = RM_PROPOSAL_EXPIRED;
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
}

static void
test_rules(void)
{
	struct rm_record r;
	struct rm_proposal p;
	rm_why why;

	sample(&r, &p, false);
	p.evidence[0].value.mant = 620;          /* not canonical */
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	sample(&r, &p, false);
	p.evidence[0].window_s = 0;              /* rise needs a window */
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	sample(&r, &p, false);
	p.evidence[1].has_value = true;          /* alert: no value */
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	sample(&r, &p, false);
	p.headline = NULL;
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EMISSING);
	sample(&r, &p, true);
	p.grade = RM_GRADE_RED;                  /* a task has no grade */
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	sample(&r, &p, true);
	snprintf(p.assignee, sizeof(p.assignee), "nobody");
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	sample(&r, &p, false);
	snprintf(p.rule, sizeof(p.rule), "a b");
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	sample(&r, &p, false);
	p.n_evidence = 0;
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EMISSING);
	sample(&r, &p, false);
	r.n_areas = 2;
	snprintf(r.areas[1], sizeof(r.areas[1]), "120117");
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
}

/* A float where a decimal fraction belongs is refused. */
static void
test_strict_decimal(void)
{
	struct rm_record r, d;
	struct rm_proposal p;
	rm_buf b = RM_BUF_INIT;
	rm_why why;
	size_t i;

	sample(&r, &p, false);
	p.evidence[0].value.mant = 5;
	p.evidence[0].value.exp = 0;
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	/* "value" then c4 82 00 05: tag 4, [0, 5] -> make it [0, 10] */
	for (i = 0; i + 4 < b.len; i++)
		if (b.data[i] == 0xc4 && b.data[i + 1] == 0x82 &&
		    b.data[i + 2] == 0x00 && b.data[i + 3] == 0x05)
			break;
	CU_ASSERT_FATAL(i + 4 < b.len);
	b.data[i + 3] = 0x0a;
	CU_ASSERT_EQUAL(record_decode(b.data, b.len, &d, &why), RM_ENONCANON);
	b.data[i] = 0xc5;                        /* tag 5: bigfloat */
	b.data[i + 3] = 0x05;
	CU_ASSERT_EQUAL(record_decode(b.data, b.len, &d, &why), RM_EBADVALUE);
	rm_buf_fini(&b);
}

static void
test_names(void)
{
	struct rm_proposal_num v = { 625, -1 };
	enum rm_proposal_state st;
	char s[64];

	proposal_num_text(&v, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "62.5");
	v.mant = -3;
	v.exp = -2;
	proposal_num_text(&v, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "-0.03");
	v.mant = 12;
	v.exp = 2;
	proposal_num_text(&v, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "1200");
	CU_ASSERT(proposal_state_parse("expired", &st) == RM_OK &&
	    st == RM_PROPOSAL_EXPIRED);
	CU_ASSERT_EQUAL(proposal_state_parse("closed", &st), RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(proposal_type_name(RM_PROPOSAL_TASK), "task");
	CU_ASSERT(proposal_rule_id_valid("rain3h-orange.v2"));
	CU_ASSERT_FALSE(proposal_rule_id_valid("雨"));
	CU_ASSERT(kind_find("proposal", 8) == &rm_kind_proposal);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "roundtrip", test_roundtrip },
		{ "states", test_states },
		{ "rules", test_rules },
		{ "strict_decimal", test_strict_decimal },
		{ "names", test_names },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("proposal", tests);
}
