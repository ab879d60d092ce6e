// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one Check runner: every `Suite *NAME_suite(void)` defined under
 * tests/unit/ is collected by the Makefile into suites.h and run here.
 * CK_RUN_SUITE / CK_RUN_CASE select a part (make check T=... C=...).
 */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *runner = srunner_create(NULL);
#define X(make_suite) srunner_add_suite(runner, make_suite());
	DT_ALL_SUITES
#undef X
	srunner_run_all(runner, CK_ENV);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
