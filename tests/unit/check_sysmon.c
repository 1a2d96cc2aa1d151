/* check_sysmon.c -- resource figures from /proc. */
#include "unit.h"
#include "sysmon.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

/* Burn CPU for about ms milliseconds of wall time. */
static volatile double sink;
static void spin(unsigned ms)
{
	uint64_t end = lti_mono_ns() + (uint64_t)ms * 1000000u;
	double x = 1;
	while (lti_mono_ns() < end)
		for (int i = 0; i < 1000; i++)
			x = x * 1.0000001 + 1e-9;
	sink = x;
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_busy_process_shows_cpu)
{
	struct lt_sysmon *m = lt_sysmon_new();
	struct lt_sysmon_reading r;
	double cpu0 = cpu_seconds(), wall0 = (double)lti_mono_ns() / 1e9;

	ck_assert_ptr_nonnull(m);
	/* Burn 300 ms of CPU time, however long a loaded machine takes to
	 * give it, then compare with what the kernel's own clock says. */
	while (cpu_seconds() - cpu0 < 0.3)
		spin(10);
	lt_sysmon_read(m, &r);
	double expected = 100 * (cpu_seconds() - cpu0) / ((double)lti_mono_ns() / 1e9 - wall0);
	/* /proc counts in 10 ms ticks: allow a few ticks over the interval. */
	double slack = 100 * 0.04 / r.interval_s;
	ck_assert_msg(fabs(r.cpu_pct - expected) <= slack + 5, "cpu_pct %.1f, expected %.1f",
		      r.cpu_pct, expected);
	ck_assert(r.cpu_pct > 10);
	ck_assert(r.user_s > 0.1);
	ck_assert(r.host_cpu_pct > 0 && r.host_cpu_pct <= 100);
	lt_sysmon_free(m);
}
END_TEST

START_TEST(test_idle_process_shows_little_cpu)
{
	struct lt_sysmon *m = lt_sysmon_new();
	struct lt_sysmon_reading r;
	struct timespec ts = {0, 300 * 1000000L};
	nanosleep(&ts, NULL);
	lt_sysmon_read(m, &r);
	ck_assert_msg(r.cpu_pct < 20, "cpu_pct %.1f", r.cpu_pct);
	lt_sysmon_free(m);
}
END_TEST

START_TEST(test_memory_figures)
{
	struct lt_sysmon *m = lt_sysmon_new();
	struct lt_sysmon_reading before, after;
	size_t n = 64u << 20;
	char *p;

	lt_sysmon_read(m, &before);
	p = malloc(n);
	ck_assert_ptr_nonnull(p);
	memset(p, 1, n); /* touch it so it is resident */
	lt_sysmon_read(m, &after);
	sink = p[n / 2]; /* keep the compiler from dropping the buffer */
	ck_assert_msg(after.rss_kb >= before.rss_kb + 60000, "rss %llu -> %llu",
		      (unsigned long long)before.rss_kb, (unsigned long long)after.rss_kb);
	ck_assert(after.max_rss_kb >= after.rss_kb);
	ck_assert(after.mem_total_kb > 0 && after.mem_used_kb <= after.mem_total_kb);
	ck_assert(after.ncpu >= 1);
	free(p);
	lt_sysmon_free(m);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("sysmon");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_busy_process_shows_cpu);
	tcase_add_test(tc, test_idle_process_shows_little_cpu);
	tcase_add_test(tc, test_memory_figures);
	suite_add_tcase(s, tc);
	return s;
}
