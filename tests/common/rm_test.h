/*
 * rm_test.h -- helpers shared by the CUnit tests.
 */
#ifndef RM_TEST_H
#define RM_TEST_H

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

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

/*
 * A loopback port for one of a test's listeners (slot 0..99): below
 * 32768, where the kernel's ephemeral range starts, and spread by PID
 * (120 bands of 100 from 20000) so that two test processes on one machine
 * rarely meet. A test that can meet another retries with the next slot.
 */
static inline uint16_t
rm_test_port(unsigned slot)
{
	return (uint16_t)(20000 + (getpid() % 120) * 100 + slot % 100);
}

#endif
