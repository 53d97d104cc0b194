/*
 * test_foreign.c -- trust in a foreign federation for its areas only
 * (docs/PROTOCOL.md §12.1): area lists, foreign charters, and
 * fed_record_open_trusted: a foreign record inside the foreign areas is
 * accepted, one for a local area (a root that lists an agency for
 * someone else's areas) is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "fed_fixture.h"
#include "rm_test.h"

#define BJ_FED      FX_FED2_NAME
#define BJ_COMMAND  "110000.command"
#define BJ_ROGUE    "120101.rogue"      /* Beijing's root, Tianjin's area */

/* Beijing's charter, signed by fx_fed2's root: its command centre
 * (110000, key 0) and a rogue agency for a Tianjin district (key 1). */
static void
bj_charter(const char *fed_name, rm_buf *out)
{
	const struct fx_fed *x = fx_fed2();
	struct roster *r;
	struct roster_agency a;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(roster_new(fed_name, 3, &r, &why), RM_OK);
	fx_agency_in(x, 0, &a);
	strcpy(a.id, BJ_COMMAND);
	strcpy(a.areas[0], "110000");
	CU_ASSERT_EQUAL_FATAL(roster_put_agency(r, &a, &why), RM_OK);
	fx_agency_in(x, 1, &a);
	strcpy(a.id, BJ_ROGUE);
	strcpy(a.areas[0], "120101");
	a.max_grade = RM_GRADE_RED;
	CU_ASSERT_EQUAL_FATAL(roster_put_agency(r, &a, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(roster_sign(r, x->root_signer, out, &why),
	    RM_OK);
	roster_free(r);
}

static void
bj_trust(struct trust_foreign *tf)
{
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(trust_foreign_init(tf, BJ_FED, fx_fed2()->root,
	    "11", &why), RM_OK);
	bj_charter(BJ_FED, &b);
	CU_ASSERT_EQUAL_FATAL(trust_foreign_charter_open(tf, b.data, b.len,
	    &tf->roster, &why), RM_OK);
	rm_buf_fini(&b);
}

static void
seal_bj(size_t key, const char *origin, const char *area, rm_grade g,
    rm_buf *out)
{
	struct fx_rec x;
	rm_why why;

	fx_record(&x, origin, 1, NULL, area, g);
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed2()->signer[key], &x.r,
	    out, NULL, &why), RM_OK);
}

static void
test_areas_parse(void)
{
	struct trust_areas a, keep;
	char buf[256];
	rm_why why;

	CU_ASSERT_EQUAL(trust_areas_parse("11,1201,120116,1201", &a, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(a.n, 3);
	CU_ASSERT_STRING_EQUAL(a.code[0], "110000");
	CU_ASSERT_STRING_EQUAL(a.code[1], "120100");
	CU_ASSERT_STRING_EQUAL(a.code[2], "120116");
	trust_areas_format(&a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "110000,120100,120116");
	CU_ASSERT(trust_areas_contain(&a, "110105"));
	CU_ASSERT(trust_areas_contain(&a, "120101"));
	CU_ASSERT(!trust_areas_contain(&a, "120200"));
	CU_ASSERT(!trust_areas_contain(&a, "130000"));
	CU_ASSERT(trust_areas_contain_agency(&a, "110105.gov"));
	CU_ASSERT(!trust_areas_contain_agency(&a, "130000.command"));
	CU_ASSERT(!trust_areas_contain_agency(&a, "nodot"));

	keep = a;
	CU_ASSERT_EQUAL(trust_areas_parse("", &a, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(trust_areas_parse("11,", &a, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(trust_areas_parse("1", &a, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(trust_areas_parse("00", &a, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(trust_areas_parse("11a", &a, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(trust_areas_parse("11 ,12", &a, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(trust_areas_parse("11,12,13,14,15,21,22,23,31,32,"
	    "33,34,35,36,37,41,42", &a, &why), RM_ETOOBIG);
	CU_ASSERT(memcmp(&a, &keep, sizeof(a)) == 0);   /* unchanged */
}

static void
test_record_areas(void)
{
	struct trust_areas a;
	struct fx_rec x;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(trust_areas_parse("110000", &a, &why), RM_OK);
	fx_record(&x, BJ_COMMAND, 1, NULL, "110105", RM_GRADE_RED);
	CU_ASSERT_EQUAL(trust_areas_check_record(&a, &x.r, &why), RM_OK);
	/* every area, not just one */
	x.r.n_areas = 2;
	strcpy(x.r.areas[1], "120103");
	CU_ASSERT_EQUAL(trust_areas_check_record(&a, &x.r, &why),
	    RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, "120103") != NULL);
	/* the origin's own area code too */
	fx_record(&x, BJ_ROGUE, 1, NULL, "110105", RM_GRADE_RED);
	CU_ASSERT_EQUAL(trust_areas_check_record(&a, &x.r, &why),
	    RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, BJ_ROGUE) != NULL);
}

static void
test_charter(void)
{
	struct trust_foreign tf;
	struct roster *r = NULL;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(trust_foreign_init(&tf, BJ_FED, fx_fed2()->root,
	    "110000", &why), RM_OK);
	CU_ASSERT_PTR_NULL(tf.roster);
	CU_ASSERT_EQUAL(trust_foreign_init(&tf, "", fx_fed2()->root,
	    "110000", &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(trust_foreign_init(&tf, BJ_FED, fx_fed2()->root,
	    "x", &why), RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(tf.name, BJ_FED);    /* unchanged */

	/* Beijing's charter verifies with Beijing's root... */
	bj_charter(BJ_FED, &b);
	CU_ASSERT_EQUAL(trust_foreign_charter_open(&tf, b.data, b.len, &r,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(roster_version(r), 3);
	roster_free(r);
	/* ...and its COSE kid is that root's */
	{
		rm_hash kid;

		CU_ASSERT_EQUAL(trust_signed_kid(b.data, b.len, &kid, &why),
		    RM_OK);
		CU_ASSERT(memcmp(kid.b, tf.root_kid.b, RM_HASH_BYTES) == 0);
	}
	rm_buf_fini(&b);
	/* a charter of another name signed by that root is refused */
	bj_charter("hebei-test", &b);
	CU_ASSERT_EQUAL(trust_foreign_charter_open(&tf, b.data, b.len, &r,
	    &why), RM_EUNAUTH);
	rm_buf_fini(&b);
	/* Tianjin's charter does not verify with Beijing's root */
	fx_roster_bytes(1, &b);
	CU_ASSERT_EQUAL(trust_foreign_charter_open(&tf, b.data, b.len, &r,
	    &why), RM_EBADSIG);
	rm_buf_fini(&b);
}

static void
test_open_trusted(void)
{
	struct roster *home = fx_roster(1);
	struct trust_foreign tf;
	struct fed_record fr;
	struct fx_rec x;
	rm_buf b = RM_BUF_INIT;
	bool outside;
	rm_why why;
	int which;

	bj_trust(&tf);
	/* a home record: the home roster */
	fx_record(&x, FX_COMMAND, 1, NULL, "120000", RM_GRADE_RED);
	fx_seal(&x, &b, NULL);
	CU_ASSERT_EQUAL(fed_record_open_trusted(home, &tf, 1, b.data, b.len,
	    &fr, &which, &outside, &why), RM_OK);
	CU_ASSERT_EQUAL(which, TRUST_HOME);
	fed_record_fini(&fr);
	rm_buf_fini(&b);

	/* a Beijing record for a Beijing district: accepted, foreign 0 */
	seal_bj(0, BJ_COMMAND, "110105", RM_GRADE_RED, &b);
	CU_ASSERT_EQUAL(fed_record_open_trusted(home, &tf, 1, b.data, b.len,
	    &fr, &which, &outside, &why), RM_OK);
	CU_ASSERT_EQUAL(which, 0);
	CU_ASSERT(!outside);
	CU_ASSERT_STRING_EQUAL(fr.rec.origin, BJ_COMMAND);
	fed_record_fini(&fr);
	/* without the foreign trust it is an unknown signer */
	CU_ASSERT_EQUAL(fed_record_open_trusted(home, NULL, 0, b.data, b.len,
	    &fr, &which, &outside, &why), RM_EUNKNOWNSIGNER);
	rm_buf_fini(&b);

	/* Beijing's root lists an agency for a Tianjin district: its
	 * record verifies against Beijing's roster, but Tianjin trusts
	 * Beijing's root for 11xxxx only */
	seal_bj(1, BJ_ROGUE, "120101", RM_GRADE_RED, &b);
	memset(&fr, 0xa5, sizeof(fr));
	CU_ASSERT_EQUAL(fed_record_open_trusted(home, &tf, 1, b.data, b.len,
	    &fr, &which, &outside, &why), RM_EUNAUTH);
	CU_ASSERT_EQUAL(which, 0);
	CU_ASSERT(outside);
	CU_ASSERT(strstr(why.msg, "foreign record of " BJ_FED) != NULL);
	CU_ASSERT(strstr(why.msg, "120101") != NULL);
	CU_ASSERT_EQUAL(fr.len, 0);                 /* zeroed */
	CU_ASSERT_PTR_NULL(fr.bytes);
	/* a Beijing-rooted record is never checked against the home
	 * roster: the same bytes with home only are an unknown signer */
	CU_ASSERT_EQUAL(fed_record_open_trusted(home, NULL, 0, b.data, b.len,
	    &fr, NULL, NULL, &why), RM_EUNKNOWNSIGNER);
	rm_buf_fini(&b);

	/* a foreign root that names one of our agency ids: refused, even
	 * for an area it is trusted for (it would fork our log of it) */
	{
		struct trust_foreign t2 = tf;
		struct roster *r2;
		struct roster_agency a;
		rm_buf cb = RM_BUF_INIT;

		CU_ASSERT_EQUAL_FATAL(roster_new(BJ_FED, 4, &r2, &why), RM_OK);
		fx_agency_in(fx_fed2(), 0, &a);     /* id 120000.command */
		strcpy(a.areas[0], "110000");
		CU_ASSERT_EQUAL_FATAL(roster_put_agency(r2, &a, &why), RM_OK);
		CU_ASSERT_EQUAL_FATAL(roster_sign(r2, fx_fed2()->root_signer,
		    &cb, &why), RM_OK);
		roster_free(r2);
		CU_ASSERT_EQUAL_FATAL(trust_foreign_charter_open(&t2, cb.data,
		    cb.len, &t2.roster, &why), RM_OK);
		rm_buf_fini(&cb);
		seal_bj(0, FX_COMMAND, "110000", RM_GRADE_RED, &b);
		CU_ASSERT_EQUAL(fed_record_open_trusted(home, &t2, 1, b.data,
		    b.len, &fr, &which, &outside, &why), RM_EUNAUTH);
		CU_ASSERT(outside);
		CU_ASSERT(strstr(why.msg, "agency of this federation") !=
		    NULL);
		rm_buf_fini(&b);
		roster_free(t2.roster);
	}

	/* the foreign roster's own rules still apply: Beijing's command
	 * centre may not publish for Tianjin either (roster, not areas) */
	seal_bj(0, BJ_COMMAND, "120000", RM_GRADE_RED, &b);
	CU_ASSERT_EQUAL(fed_record_open_trusted(home, &tf, 1, b.data, b.len,
	    &fr, &which, &outside, &why), RM_EUNAUTH);
	CU_ASSERT(!outside);
	rm_buf_fini(&b);

	/* a tampered foreign record */
	seal_bj(0, BJ_COMMAND, "110105", RM_GRADE_RED, &b);
	b.data[b.len - 3] ^= 1;
	CU_ASSERT_EQUAL(fed_record_open_trusted(home, &tf, 1, b.data, b.len,
	    &fr, &which, &outside, &why), RM_EBADSIG);
	rm_buf_fini(&b);

	/* malformed input */
	CU_ASSERT_EQUAL(fed_record_open_trusted(home, &tf, 1,
	    (const uint8_t *)"\x01", 1, &fr, &which, &outside, &why),
	    RM_EMALFORMED);
	CU_ASSERT_EQUAL(which, TRUST_NONE);
	roster_free(tf.roster);
	roster_free(home);
}

static void
test_roster_areas(void)
{
	struct trust_areas a;
	struct roster *r;

	r = fx_roster(1);
	trust_roster_areas(r, &a);
	CU_ASSERT_EQUAL(a.n, 0);                    /* no registrars */
	roster_free(r);
	fx_kinds_extra[0] = (rm_kind_set)1u << kind_index(&rm_kind_agency);
	r = fx_roster(1);
	trust_roster_areas(r, &a);
	CU_ASSERT_EQUAL(a.n, 1);
	CU_ASSERT_STRING_EQUAL(a.code[0], "120000");
	roster_free(r);
	fx_kinds_extra[0] = 0;
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "areas_parse", test_areas_parse },
		{ "record_areas", test_record_areas },
		{ "charter", test_charter },
		{ "open_trusted", test_open_trusted },
		{ "roster_areas", test_roster_areas },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.foreign", tests);
}
