/*
 * test_refusal_log.c -- the refusal log limiter of a peer link
 * (fed_rlog_allow, federation/peer/link_state.c): one line per reason
 * (kind of refusal and rm_err code) per FED_RLOG_MS, the rest held back
 * and counted. The clock is passed in: values, not timing.
 */
#include <string.h>

#include "federation/peer/peer_int.h"
#include "rm_test.h"

static void
test_one_line_per_reason_per_minute(void)
{
	struct fed_rlog l;
	uint32_t held = 99;
	rm_mono_ms t0 = 1000000;

	memset(&l, 0, sizeof(l));
	/* the first refusal of a reason is logged */
	CU_ASSERT(fed_rlog_allow(&l, FED_RLOG_SESSION, RM_EBADSIG, t0, &held));
	CU_ASSERT_EQUAL(held, 0);
	/* the same reason within the minute: held back, counted */
	for (int i = 1; i <= 5; i++)
		CU_ASSERT_FALSE(fed_rlog_allow(&l, FED_RLOG_SESSION,
		    RM_EBADSIG, t0 + i * 1000, &held));
	CU_ASSERT_FALSE(fed_rlog_allow(&l, FED_RLOG_SESSION, RM_EBADSIG,
	    t0 + FED_RLOG_MS - 1, NULL));
	CU_ASSERT_EQUAL(l.held_total, 6);
	/* another code, or another kind with the same code: own reason */
	CU_ASSERT(fed_rlog_allow(&l, FED_RLOG_SESSION, RM_ETIMEDOUT, t0 + 10,
	    &held));
	CU_ASSERT_EQUAL(held, 0);
	CU_ASSERT(fed_rlog_allow(&l, FED_RLOG_PEER_SESSION, RM_EBADSIG,
	    t0 + 10, &held));
	CU_ASSERT(fed_rlog_allow(&l, FED_RLOG_RECORD, RM_EBADSIG, t0 + 10,
	    &held));
	CU_ASSERT_EQUAL(l.held_total, 6);
	/* a minute after its last line: logged, with the count held back */
	CU_ASSERT(fed_rlog_allow(&l, FED_RLOG_SESSION, RM_EBADSIG,
	    t0 + FED_RLOG_MS, &held));
	CU_ASSERT_EQUAL(held, 6);
	/* the window restarts at that line */
	CU_ASSERT_FALSE(fed_rlog_allow(&l, FED_RLOG_SESSION, RM_EBADSIG,
	    t0 + FED_RLOG_MS + 1, &held));
	CU_ASSERT(fed_rlog_allow(&l, FED_RLOG_SESSION, RM_EBADSIG,
	    t0 + 2 * FED_RLOG_MS, &held));
	CU_ASSERT_EQUAL(held, 1);
	CU_ASSERT_EQUAL(l.held_total, 7);
}

static void
test_out_of_range(void)
{
	struct fed_rlog l;

	memset(&l, 0, sizeof(l));
	/* codes outside the enum share one slot; never out of bounds */
	CU_ASSERT(fed_rlog_allow(&l, FED_RLOG_SESSION, 0, 5, NULL));
	CU_ASSERT_FALSE(fed_rlog_allow(&l, FED_RLOG_SESSION, RM_ERR_COUNT, 6,
	    NULL));
	CU_ASSERT_FALSE(fed_rlog_allow(&l, FED_RLOG_SESSION, -3, 7, NULL));
	CU_ASSERT_EQUAL(l.held_total, 2);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "one_line_per_reason_per_minute",
		  test_one_line_per_reason_per_minute },
		{ "out_of_range", test_out_of_range },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.refusal_log", tests);
}
