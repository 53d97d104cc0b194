/*
 * test_gateway_policy.c -- export policies of gateway links
 * (docs/PROTOCOL.md §12.4): parsing and printing, and what crosses:
 * kinds, area prefixes, lowest grade, named agencies, restricted
 * records only with a recipient on the far side.
 */
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer.h"
#include "fed_fixture.h"
#include "rm_test.h"

static struct gateway_policy
policy(const char *text)
{
	struct gateway_policy p;
	rm_why why;

	memset(&p, 0, sizeof(p));
	if (gateway_policy_parse(text, &p, &why) != RM_OK) {
		fprintf(stderr, "policy \"%s\": %s\n", text, why.msg);
		CU_FAIL_FATAL("gateway_policy_parse");
	}
	return p;
}

static int
check(const struct gateway_policy *p, const struct rm_record *rec,
    const char *far_list, const char *needle)
{
	struct trust_areas far;
	rm_why why;
	int rv;

	why.msg[0] = '\0';
	if (far_list != NULL)
		CU_ASSERT_EQUAL_FATAL(trust_areas_parse(far_list, &far, &why),
		    RM_OK);
	rv = gateway_policy_check(p, rec, far_list != NULL ? &far : NULL,
	    &why);
	if (needle != NULL && strstr(why.msg, needle) == NULL) {
		fprintf(stderr, "why \"%s\" lacks \"%s\"\n", why.msg, needle);
		CU_FAIL("rm_why text");
	}
	/* the predicate agrees with the check */
	{
		struct fed_record fr;

		memset(&fr, 0, sizeof(fr));
		fr.rec = *rec;
		CU_ASSERT_EQUAL(gateway_policy_allows(p, &fr, far_list != NULL ?
		    &far : NULL), rv == RM_OK);
	}
	return rv;
}

/* Equal policies: the same fields (compared by their text form and the
 * raw fields, never by memcmp of the structs: struct copies need not
 * copy padding). */
static bool
same_policy(const struct gateway_policy *a, const struct gateway_policy *b)
{
	char ta[GATEWAY_POLICY_MAX], tb[GATEWAY_POLICY_MAX];

	gateway_policy_format(a, ta, sizeof(ta));
	gateway_policy_format(b, tb, sizeof(tb));
	return strcmp(ta, tb) == 0 && a->kinds == b->kinds &&
	    a->min_grade == b->min_grade && a->areas.n == b->areas.n &&
	    a->n_agencies == b->n_agencies;
}

static void
test_parse_format(void)
{
	struct gateway_policy p, q;
	char text[GATEWAY_POLICY_MAX];
	rm_why why;

	p = policy("grade=yellow kinds=alert,agency areas=11,120000 "
	    "agencies=110000.command,110105.gov,110000.command");
	CU_ASSERT_EQUAL(p.min_grade, RM_GRADE_YELLOW);
	CU_ASSERT_EQUAL(p.areas.n, 2);
	CU_ASSERT_EQUAL(p.n_agencies, 2);
	CU_ASSERT(p.kinds & RM_KIND_SET_ALERT);
	CU_ASSERT(p.kinds & ((rm_kind_set)1u << kind_index(&rm_kind_agency)));
	gateway_policy_format(&p, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "kinds=agency,alert areas=110000,120000 "
	    "grade=yellow agencies=110000.command,110105.gov");
	q = policy(text);                           /* round trip */
	CU_ASSERT(same_policy(&p, &q));
	p = policy("kinds=alert");
	gateway_policy_format(&p, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "kinds=alert");

	/* refusals leave *out unchanged */
	q = p;
	static const char *const bad[] = {
		"", "areas=110000", "kinds=", "kinds=alert,nosuchkind",
		"kinds=alert kinds=alert", "kinds=alert colour=red",
		"kinds=alert  grade=red", "kinds=alert grade=purple",
		"kinds=alert grade=", "kinds=alert areas=11x",
		"kinds=alert agencies=NotAnId", "kinds=alert agencies=",
		"kinds=alert,,agency", "kinds=alert ", "kinds",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rv = gateway_policy_parse(bad[i], &q, &why);

		if (rv != RM_EBADVALUE)
			fprintf(stderr, "\"%s\": %d %s\n", bad[i], rv,
			    why.msg);
		CU_ASSERT_EQUAL(rv, RM_EBADVALUE);
	}
	CU_ASSERT(same_policy(&p, &q));
	{
		char big[GATEWAY_POLICY_MAX + 16];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CU_ASSERT_EQUAL(gateway_policy_parse(big, &q, &why),
		    RM_ETOOBIG);
	}
	CU_ASSERT_EQUAL(gateway_policy_parse("kinds=alert agencies="
	    "110000.a,110000.b,110000.c,110000.d,110000.e,110000.f,110000.g,"
	    "110000.h,110000.i,110000.j,110000.k,110000.l,110000.m,110000.n,"
	    "110000.o,110000.p,110000.q", &q, &why), RM_ETOOBIG);
}

/* The case the issue names: a region-wide red alert crosses, a
 * district's blue notice does not. */
/* A policy at every limit (every kind, 16 areas of 12 digits, the
 * grade, 16 agency ids of 61 bytes, the longest) prints within
 * GATEWAY_POLICY_MAX
 * and parses back to the same policy. */
static void
test_largest(void)
{
	char text[4096], out[GATEWAY_POLICY_MAX];
	struct gateway_policy p, q;
	size_t off;
	rm_why why;

	off = (size_t)snprintf(text, sizeof(text), "kinds=");
	for (unsigned i = 0; kind_at(i) != NULL; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%s",
		    i ? "," : "", kind_at(i)->name);
	off += (size_t)snprintf(text + off, sizeof(text) - off, " areas=");
	for (int i = 0; i < TRUST_AREAS_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "%s1201160010%02d", i ? "," : "", i + 1);
	off += (size_t)snprintf(text + off, sizeof(text) - off,
	    " grade=orange agencies=");
	for (int i = 0; i < GATEWAY_AGENCIES_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "%s1201160010%02d.%.*s%02d", i ? "," : "", i + 1,
		    48 - 2,             /* the unit: 48 at most */
		    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh",
		    i);
	CU_ASSERT_TRUE_FATAL(off < sizeof(text));
	CU_ASSERT_EQUAL_FATAL(gateway_policy_parse(text, &p, &why), RM_OK);
	CU_ASSERT_EQUAL(p.n_agencies, GATEWAY_AGENCIES_MAX);
	CU_ASSERT_EQUAL(p.areas.n, TRUST_AREAS_MAX);
	gateway_policy_format(&p, out, sizeof(out));
	CU_ASSERT(strlen(out) + 1 < sizeof(out));      /* not cut */
	CU_ASSERT_EQUAL_FATAL(gateway_policy_parse(out, &q, &why), RM_OK);
	CU_ASSERT(same_policy(&p, &q));
}

static void
test_grade_and_areas(void)
{
	struct gateway_policy p = policy("kinds=alert,agency areas=110000 "
	    "grade=yellow");
	struct fx_rec x;

	fx_record(&x, "110000.command", 1, NULL, "110000", RM_GRADE_RED);
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", NULL), RM_OK);
	fx_record(&x, "110105.gov", 1, NULL, "110105", RM_GRADE_BLUE);
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", "grade blue is below "
	    "yellow"), RM_EUNAUTH);
	/* at the lowest grade: crosses */
	fx_record(&x, "110105.gov", 2, NULL, "110105", RM_GRADE_YELLOW);
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", NULL), RM_OK);
	/* an area outside the prefixes, even beside one inside */
	fx_record(&x, "110000.command", 3, NULL, "110000", RM_GRADE_RED);
	x.r.n_areas = 2;
	strcpy(x.r.areas[1], "130100");
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", "area 130100"), RM_EUNAUTH);
	/* prefixes narrower than a region: one district only */
	p = policy("kinds=alert areas=110105");
	fx_record(&x, "110105.gov", 4, NULL, "110105", RM_GRADE_BLUE);
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, NULL), RM_OK);
	fx_record(&x, "110000.command", 5, NULL, "110000", RM_GRADE_RED);
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, "area 110000"), RM_EUNAUTH);
	/* no areas term: any area */
	p = policy("kinds=alert");
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, NULL), RM_OK);
}

static void
test_kinds(void)
{
	struct gateway_policy p = policy("kinds=agency areas=110000");
	struct fx_rec x;

	fx_record(&x, "110000.command", 1, NULL, "110000", RM_GRADE_RED);
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, "kind alert is not exported"),
	    RM_EUNAUTH);
	p = policy("kinds=alert");
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, NULL), RM_OK);
	/* ungraded kinds pass the grade term */
	p = policy("kinds=agency,alert grade=red");
	x.r.kind = &rm_kind_agency;
	x.r.body = NULL;        /* the grade of an ungraded kind is unread */
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, NULL), RM_OK);
}

static void
test_agencies(void)
{
	struct gateway_policy p = policy("kinds=alert,agency "
	    "agencies=110000.command,110000.meteorology");
	struct fx_rec x;

	fx_record(&x, "110000.meteorology", 1, NULL, "110000", RM_GRADE_RED);
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, NULL), RM_OK);
	fx_record(&x, "110105.gov", 1, NULL, "110105", RM_GRADE_RED);
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, "origin 110105.gov is not "
	    "exported"), RM_EUNAUTH);
	/* the registrar's agency record of a named agency crosses; of
	 * another agency it does not */
	fx_record(&x, "110000.registry", 1, NULL, "110000", RM_GRADE_RED);
	x.r.kind = &rm_kind_agency;
	x.r.body = NULL;
	strcpy(x.r.object_id, "110000.command");
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, NULL), RM_OK);
	strcpy(x.r.object_id, "110105.gov");
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, "origin 110000.registry"),
	    RM_EUNAUTH);
}

static void
test_restricted(void)
{
	struct gateway_policy p = policy("kinds=alert areas=110000 "
	    "grade=orange");
	static char to[2][RM_AGENCY_ID_MAX + 1];
	static uint8_t enc[4] = { 1, 2, 3, 4 };
	struct fx_rec x;

	fx_record(&x, "110000.command", 1, NULL, "110000", RM_GRADE_RED);
	x.r.body = NULL;                /* encrypted: relays see no body */
	x.r.enc = enc;
	x.r.enc_len = sizeof(enc);
	x.r.to = to;
	/* recipients in Beijing only: nobody on the Tianjin side */
	strcpy(to[0], "110000.command");
	strcpy(to[1], "110105.gov");
	x.r.n_to = 2;
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", "no recipient on the far "
	    "side"), RM_EUNAUTH);
	/* one recipient in Tianjin: crosses (its grade is encrypted) */
	strcpy(to[1], "120000.command");
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", NULL), RM_OK);
	/* the far side unknown: never */
	CU_ASSERT_EQUAL(check(&p, &x.r, NULL, "no recipient"), RM_EUNAUTH);
	/* the other terms still apply to what is visible */
	strcpy(x.r.areas[0], "110105");
	p = policy("kinds=alert areas=110000");
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", NULL), RM_OK);
	p = policy("kinds=alert areas=110106");
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", "area 110105"),
	    RM_EUNAUTH);
	p = policy("kinds=agency");
	CU_ASSERT_EQUAL(check(&p, &x.r, "120000", "kind alert"), RM_EUNAUTH);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "parse_format", test_parse_format },
		{ "grade_and_areas", test_grade_and_areas },
		{ "kinds", test_kinds },
		{ "agencies", test_agencies },
		{ "restricted", test_restricted },
		{ "largest", test_largest },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.gateway_policy", tests);
}
