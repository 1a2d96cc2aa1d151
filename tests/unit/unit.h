/* unit.h -- what every Check suite of tests/unit shares.
 *
 * Each tests/unit/check_<module>.c defines lt_test_suite() and is linked
 * with main.c, which runs it in fork mode (a crash fails one test, not the
 * suite) and prints the closing line "N passed, N failed".
 */
#ifndef LT_UNIT_H
#define LT_UNIT_H

#include <check.h>

/* The source tree, for test data: LT_SOURCE_DIR "/tests/bad/...". */
#ifndef LT_SOURCE_DIR
#define LT_SOURCE_DIR "."
#endif

Suite *lt_test_suite(void);

#endif
