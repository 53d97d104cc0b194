/*
 * rm_test.h -- helpers shared by the CUnit tests.
 */
#ifndef RM_TEST_H
#define RM_TEST_H

#include <stdlib.h>

#include <CUnit/CUnit.h>

/* Defined by each test file: adds its suites to the CUnit registry. */
void rm_test_register(void);

/* Add a suite with the given tests, NULL-terminated CU_TestInfo array. */
#define RM_SUITE(name, tests)                                            \
	do {                                                             \
		CU_pSuite s_ = CU_add_suite((name), NULL, NULL);         \
		for (CU_TestInfo *t_ = (tests); s_ && t_->pName; t_++)   \
			CU_add_test(s_, t_->pName, t_->pTestFunc);       \
	} while (0)

/* Directory with the project's test data (sims/data), from ctest's
 * environment; falls back to a path relative to the build tree. */
static inline const char *
rm_test_data_dir(void)
{
	const char *d = getenv("RM_TEST_DATA");
	return d != NULL ? d : "../sims/data";
}

#endif
