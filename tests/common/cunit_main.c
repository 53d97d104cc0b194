/*
 * cunit_main.c -- shared main() for every CUnit test executable.
 * Each test file defines rm_test_register(), which adds its suites.
 * The exit status is the number of failures (0 = all passed), capped.
 */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "rm_test.h"

int
main(void)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	rm_test_register();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	if (CU_get_error() != CUE_SUCCESS)
		failed++;
	CU_cleanup_registry();
	return failed > 100 ? 100 : (int)failed;
}
