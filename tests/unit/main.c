/* main.c -- runs the suite of one tests/unit/check_<module>.c. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	SRunner *sr = srunner_create(lt_test_suite());
	int run, failed;

	srunner_run_all(sr, CK_ENV);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%d passed, %d failed\n", run - failed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
