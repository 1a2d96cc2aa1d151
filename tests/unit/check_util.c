/* check_util.c -- result codes (err.c) and the shared helpers (util.c). */
#include "unit.h"
#include "lt.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_err_set_and_prefix)
{
	struct lt_err err = {0};
	ck_assert_int_eq(lt_err_set(&err, LT_EINVAL, "got %d", -3), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "got -3");
	lt_err_prefix(&err, "%s", "health.json");
	ck_assert_str_eq(lt_errmsg(&err), "health.json: got -3");
	ck_assert_int_eq(lt_err_set(NULL, LT_EIO, "x"), LT_EIO);
}
END_TEST

START_TEST(test_exit_status_mapping)
{
	ck_assert_int_eq(lt_rc_exit_status(LT_OK), 0);
	ck_assert_int_eq(lt_rc_exit_status(LT_EINVAL), 2);
	ck_assert_int_eq(lt_rc_exit_status(LT_EUSAGE), 2);
	ck_assert_int_eq(lt_rc_exit_status(LT_EDB), 2);
	ck_assert_int_eq(lt_rc_exit_status(LT_EIO), 3);
	ck_assert_int_eq(lt_rc_exit_status(LT_EINTR), 130);
	ck_assert_str_eq(lt_strerror(LT_EDB), "database error");
}
END_TEST

START_TEST(test_time_roundtrip)
{
	char buf[LTI_TIME_LEN];
	double t = 0;
	lti_time_format(1795748264.123, buf);
	ck_assert_str_eq(buf, "2026-11-27T02:57:44.123Z");
	ck_assert(lti_time_parse(buf, &t));
	ck_assert_double_eq_tol(t, 1795748264.123, 1e-6);
	ck_assert(lti_time_parse("2026-11-27T03:57:44+01:00", &t));
	ck_assert_double_eq_tol(t, 1795748264.0, 1e-9);
	ck_assert(!lti_time_parse("2026-13-01T00:00:00Z", &t));
	ck_assert(!lti_time_parse("2026-02-30T00:00:00Z", &t));
	ck_assert(lti_time_parse("2028-02-29T00:00:00Z", &t));
	ck_assert(!lti_time_parse("2026-11-27 garbage", &t));
	ck_assert(!lti_time_parse("2026-11-27T02:57:44", &t));
}
END_TEST

START_TEST(test_uuid_shape)
{
	char a[LTI_UUID_LEN], b[LTI_UUID_LEN];
	lti_uuid(a);
	lti_uuid(b);
	ck_assert_int_eq((int)strlen(a), 36);
	ck_assert_int_eq(a[14], '4');
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_utf8)
{
	ck_assert(lti_utf8_valid("plain", 5));
	ck_assert(lti_utf8_valid("\xc2\xb5s", 3));             /* µs */
	ck_assert(lti_utf8_valid("\xf0\x9f\x98\x80", 4));     /* emoji */
	ck_assert(!lti_utf8_valid("\xc0\xaf", 2));            /* overlong */
	ck_assert(!lti_utf8_valid("\xed\xa0\x80", 3));        /* surrogate */
	ck_assert(!lti_utf8_valid("\xe2\x82", 2));            /* truncated */
	ck_assert(!lti_utf8_valid("\xff", 1));
}
END_TEST

START_TEST(test_read_file_limits)
{
	char *buf = NULL;
	size_t len = 0;
	struct lt_err err = {0};
	ck_assert_int_eq(lti_read_file(LT_SOURCE_DIR "/COPYING", 1 << 20, &buf, &len, &err), LT_OK);
	ck_assert(len > 100);
	ck_assert_uint_eq(strlen(buf), len);
	free(buf);
	buf = NULL;
	ck_assert_int_eq(lti_read_file(LT_SOURCE_DIR "/COPYING", 10, &buf, &len, &err), LT_ELIMIT);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(lti_read_file("/nonexistent/x", 10, &buf, &len, &err), LT_ENOTFOUND);
	ck_assert(strstr(lt_errmsg(&err), "/nonexistent/x") != NULL);
}
END_TEST

/* lti_find_program searches as execvp does; a missing program is ENOENT
 * before anything is started (posix_spawnp cannot say so under valgrind). */
START_TEST(test_find_program)
{
	char out[4096];
	const char *saved = getenv("PATH");
	char *path = saved ? strdup(saved) : NULL;

	setenv("PATH", "/nonexistent-dir::/bin:/usr/bin", 1);
	ck_assert_int_eq(lti_find_program("sh", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "/sh") != NULL, "found %s", out);
	ck_assert_int_eq(lti_find_program("lt-no-such-program", out, sizeof out), ENOENT);
	ck_assert_int_eq(lti_find_program("/bin/sh", out, sizeof out), 0);
	ck_assert_str_eq(out, "/bin/sh");
	ck_assert_int_eq(lti_find_program("/tmp", out, sizeof out), EISDIR);
	ck_assert_int_eq(lti_find_program("/nonexistent-dir/x", out, sizeof out), ENOENT);
	/* too long for the buffer: never a truncated path */
	ck_assert_int_eq(lti_find_program("/bin/sh", out, 4), ENAMETOOLONG);
	ck_assert_int_eq(lti_find_program("sh", out, 4), ENOENT);
	if (path) {
		setenv("PATH", path, 1);
		free(path);
	} else {
		unsetenv("PATH");
	}
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_err_set_and_prefix);
	tcase_add_test(tc, test_exit_status_mapping);
	tcase_add_test(tc, test_time_roundtrip);
	tcase_add_test(tc, test_uuid_shape);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_read_file_limits);
	tcase_add_test(tc, test_find_program);
	suite_add_tcase(s, tc);
	return s;
}
