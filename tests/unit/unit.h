/* unit.h -- what every Check suite of tests/unit shares.
 *
 * Each tests/unit/check_<module>.c defines lt_test_suite() and is linked
 * with main.c, which runs it in fork mode (a crash fails one test, not the
 * suite) and prints the closing line "N passed, N failed".
 */
#ifndef LT_UNIT_H
#define LT_UNIT_H

#include <check.h>
#include <stdlib.h>

/* The source tree, for test data: LT_SOURCE_DIR "/tests/bad/...". */
#ifndef LT_SOURCE_DIR
#define LT_SOURCE_DIR "."
#endif

Suite *lt_test_suite(void);

/* A wall-clock bound of a test, in seconds, stretched by LT_TEST_SLOWDOWN
 * (tests/run-unit.sh sets 20 under valgrind, where everything runs some
 * twenty times slower): only for the upper bounds that say "did not hang",
 * never for a time the test measures. */
static inline double lt_test_slow(double seconds)
{
	const char *f = getenv("LT_TEST_SLOWDOWN");
	double k = f ? atof(f) : 1;
	return seconds * (k > 1 ? k : 1);
}

#endif
