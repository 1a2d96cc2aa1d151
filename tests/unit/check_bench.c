/* check_bench.c -- the benchmark runner (bench.c): statistics, command
 * runs, word splitting, the catalogue, sessions, the status file.
 *
 * Expected statistics are derived by hand in the comments from the
 * formulas of bench.h.  Student's t quantiles are the published table
 * values (NIST/SEMATECH e-Handbook of Statistical Methods, section
 * 1.3.6.7.2, "Critical values of the Student's t distribution":
 * t(0.975, 4) = 2.776, t(0.975, 8) = 2.306), given here to the digits
 * of R's qt(); the modified z-score and its 3.5 cut-off are those of the
 * same handbook, section 1.3.5.17.1, after Iglewicz and Hoaglin (1993).
 */
#include "unit.h"
#include "bench.h"
#include "ndjson.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_975_4 2.7764451052
#define T_975_8 2.3060041350

#define ck_near(a, b, tol) \
	ck_assert_msg(fabs((a) - (b)) <= (tol), "%s = %.10g, expected %.10g", #a, (double)(a), (double)(b))

/* ---- statistics ---- */

START_TEST(test_stats_one_to_five)
{
	/* mean 3; squares of deviations 4+1+0+1+4 = 10, variance 10/4 =
	 * 2.5, stddev 1.5811388301; CI half-width 2.7764451052 *
	 * 1.5811388301 / sqrt(5) = 1.9632432; no outliers (median 3, MAD
	 * 1, largest |z| 0.6745 * 2 = 1.349). */
	const double x[] = {2, 4, 1, 5, 3};
	struct lt_bench_stats st;
	ck_assert_int_eq(lt_bench_stats_compute(x, 5, &st, NULL), LT_OK);
	ck_assert_uint_eq(st.n, 5);
	ck_near(st.mean, 3, 1e-12);
	ck_near(st.stddev, sqrt(2.5), 1e-12);
	ck_near(st.median, 3, 0);
	ck_near(st.min, 1, 0);
	ck_near(st.max, 5, 0);
	ck_assert(st.has_ci95);
	ck_near(st.ci95_lo, 3 - T_975_4 * sqrt(2.5) / sqrt(5), 1e-8);
	ck_near(st.ci95_hi, 3 + T_975_4 * sqrt(2.5) / sqrt(5), 1e-8);
	ck_near(st.ci95_hi, 4.9632432, 1e-6);
	ck_assert_uint_eq(st.outliers_low + st.outliers_high, 0);
}
END_TEST

START_TEST(test_stats_even_median_and_single_value)
{
	const double x[] = {4, 1, 3, 2}, one[] = {7.5};
	struct lt_bench_stats st;
	ck_assert_int_eq(lt_bench_stats_compute(x, 4, &st, NULL), LT_OK);
	ck_near(st.median, 2.5, 0);
	/* One value: no spread, no interval. */
	ck_assert_int_eq(lt_bench_stats_compute(one, 1, &st, NULL), LT_OK);
	ck_near(st.mean, 7.5, 0);
	ck_near(st.stddev, 0, 0);
	ck_assert(!st.has_ci95);
}
END_TEST

START_TEST(test_stats_bad_input)
{
	const double x[] = {1, NAN, 3}, y[] = {1, INFINITY};
	struct lt_bench_stats st = {.n = 99};
	struct lt_err err = {0};
	ck_assert_int_eq(lt_bench_stats_compute(x, 0, &st, &err), LT_EINVAL);
	ck_assert_int_eq(lt_bench_stats_compute(x, 3, &st, &err), LT_EINVAL);
	ck_assert_str_eq(err.msg, "value 2 is not a finite number");
	ck_assert_int_eq(lt_bench_stats_compute(y, 2, &st, &err), LT_EINVAL);
	ck_assert_uint_eq(st.n, 99); /* unchanged on failure */
}
END_TEST

START_TEST(test_outlier_one_high)
{
	/* median 11; |x - 11| = 1 0 1 0 1 0 39, sorted 0 0 0 1 1 1 39, MAD
	 * 1 (the floor, 1 % of 11 = 0.11, is below it).  z(50) = 0.6745
	 * * 39 = 26.3055: an outlier; z(10) = -0.6745, z(12) = 0.6745. */
	const double x[] = {10, 11, 12, 11, 10, 11, 50};
	double z[7];
	struct lt_bench_stats st;
	ck_assert_int_eq(lt_bench_modified_z(x, 7, z, NULL), LT_OK);
	ck_near(z[6], 26.3055, 1e-9);
	ck_near(z[0], -0.6745, 1e-12);
	ck_near(z[2], 0.6745, 1e-12);
	ck_near(z[1], 0, 0);
	ck_assert_int_eq(lt_bench_stats_compute(x, 7, &st, NULL), LT_OK);
	ck_assert_uint_eq(st.outliers_high, 1);
	ck_assert_uint_eq(st.outliers_low, 0);
}
END_TEST

START_TEST(test_outlier_low_and_boundary)
{
	/* sorted 70 98 99 100 101 102: median (99 + 100) / 2 = 99.5;
	 * deviations 0.5 0.5 1.5 1.5 2.5 29.5, MAD (1.5 + 1.5) / 2 = 1.5.
	 * z(70) = 0.6745 * -29.5 / 1.5 = -13.265167: low.  z(102) = 0.6745
	 * * 2.5 / 1.5 = 1.124167: inside. */
	const double x[] = {100, 99, 101, 98, 102, 70};
	double z[6];
	struct lt_bench_stats st;
	ck_assert_int_eq(lt_bench_modified_z(x, 6, z, NULL), LT_OK);
	ck_near(z[5], -13.265166667, 1e-8);
	ck_near(z[4], 1.124166667, 1e-8);
	ck_assert_int_eq(lt_bench_stats_compute(x, 6, &st, NULL), LT_OK);
	ck_assert_uint_eq(st.outliers_low, 1);
	ck_assert_uint_eq(st.outliers_high, 0);
}
END_TEST

START_TEST(test_outlier_mad_floor)
{
	/* Very tight runs: median 100.01, deviations 0.01 0 0.01 0 0.29,
	 * MAD 0.01, which alone would give z(100.3) = 0.6745 * 0.29 / 0.01
	 * = 19.56.  The floor raises MAD to 1 % of 100.01 = 1.0001:
	 * z = 0.6745 * 0.29 / 1.0001 = 0.19559, not an outlier.  A run
	 * 3 % off the median (the shape a CI machine once gave) is not one
	 * either: z = 0.6745 * 3 / 1 = 2.02. */
	const double x[] = {100.0, 100.01, 100.02, 100.01, 100.3};
	double z[5];
	struct lt_bench_stats st;
	ck_assert_int_eq(lt_bench_modified_z(x, 5, z, NULL), LT_OK);
	ck_near(z[4], 0.6745 * 0.29 / 1.0001, 1e-9);
	ck_assert_int_eq(lt_bench_stats_compute(x, 5, &st, NULL), LT_OK);
	ck_assert_uint_eq(st.outliers_low + st.outliers_high, 0);
}
END_TEST

START_TEST(test_outlier_degenerate)
{
	/* Median 0 and MAD 0: anything else is infinitely far. */
	const double x[] = {0, 0, 0, 0, 5}, two[] = {1, 1000}, four[] = {1, 1, 1, 1000};
	double z[5];
	struct lt_bench_stats st;
	ck_assert_int_eq(lt_bench_modified_z(x, 5, z, NULL), LT_OK);
	ck_assert(isinf(z[4]) && z[4] > 0);
	ck_near(z[0], 0, 0);
	/* Two or four values: too few to call any unusual. */
	ck_assert_int_eq(lt_bench_stats_compute(two, 2, &st, NULL), LT_OK);
	ck_assert_uint_eq(st.outliers_low + st.outliers_high, 0);
	ck_assert_int_eq(lt_bench_stats_compute(four, 4, &st, NULL), LT_OK);
	ck_assert_uint_eq(st.outliers_low + st.outliers_high, 0);
}
END_TEST

START_TEST(test_ratio_equal_terms)
{
	/* a: n 5, mean 10, sd 1; b: n 5, mean 20, sd 2.  r = 0.5.  Terms
	 * 1 / (5 * 100) = 0.002 and 4 / (5 * 400) = 0.002; relative se
	 * sqrt(0.004) = 0.0632456; se = 0.0316228.  df = 0.004^2 /
	 * (0.002^2 / 4 + 0.002^2 / 4) = 8, t = 2.3060041; half-width
	 * 0.0729224: [0.4270776, 0.5729224]. */
	struct lt_bench_stats a = {.n = 5, .mean = 10, .stddev = 1};
	struct lt_bench_stats b = {.n = 5, .mean = 20, .stddev = 2};
	struct lt_bench_ratio r;
	ck_assert_int_eq(lt_bench_ratio_compute(&a, &b, &r, NULL), LT_OK);
	ck_near(r.ratio, 0.5, 1e-15);
	ck_near(r.df, 8, 1e-9);
	ck_near(r.ci95_lo, 0.5 - T_975_8 * 0.5 * sqrt(0.004), 1e-9);
	ck_near(r.ci95_hi, 0.5729224, 1e-6);
	/* The other way round: same relative error, ratio 2. */
	ck_assert_int_eq(lt_bench_ratio_compute(&b, &a, &r, NULL), LT_OK);
	ck_near(r.ratio, 2, 1e-15);
	ck_near(r.ci95_hi - r.ratio, T_975_8 * 2 * sqrt(0.004), 1e-9);
}
END_TEST

START_TEST(test_ratio_welch_df_and_degenerate)
{
	/* a: n 10, mean 100, sd 5 -> 25 / (10 * 10^4) = 2.5e-4; b: n 4,
	 * mean 50, sd 1 -> 1 / (4 * 2500) = 1e-4.  df = (3.5e-4)^2 /
	 * ((2.5e-4)^2 / 9 + (1e-4)^2 / 3) = 1.225e-7 / 1.0277778e-8 =
	 * 11.918919. */
	struct lt_bench_stats a = {.n = 10, .mean = 100, .stddev = 5};
	struct lt_bench_stats b = {.n = 4, .mean = 50, .stddev = 1};
	struct lt_bench_stats c = {.n = 3, .mean = 4, .stddev = 0};
	struct lt_bench_stats d = {.n = 6, .mean = 2, .stddev = 0};
	struct lt_bench_stats one = {.n = 1, .mean = 2};
	struct lt_bench_ratio r = {.ratio = -1};
	struct lt_err err = {0};
	ck_assert_int_eq(lt_bench_ratio_compute(&a, &b, &r, NULL), LT_OK);
	ck_near(r.ratio, 2, 1e-15);
	ck_near(r.df, 11.918919, 1e-6);
	/* t(0.975, 11.92) lies between t(0.975, 12) = 2.179 and
	 * t(0.975, 11) = 2.201. */
	double t = (r.ci95_hi - r.ratio) / (2 * sqrt(3.5e-4));
	ck_assert_msg(t > 2.1788 && t < 2.2010, "t = %g", t);
	/* No spread at all: a point interval, df n_a + n_b - 2. */
	ck_assert_int_eq(lt_bench_ratio_compute(&c, &d, &r, NULL), LT_OK);
	ck_near(r.ratio, 2, 0);
	ck_near(r.ci95_lo, 2, 0);
	ck_near(r.ci95_hi, 2, 0);
	ck_near(r.df, 7, 0);
	r.ratio = -1;
	ck_assert_int_eq(lt_bench_ratio_compute(&one, &d, &r, &err), LT_EINVAL);
	ck_near(r.ratio, -1, 0);
	c.mean = 0;
	ck_assert_int_eq(lt_bench_ratio_compute(&d, &c, &r, &err), LT_EINVAL);
}
END_TEST

/* ---- running commands ---- */

START_TEST(test_exec_true)
{
	char *argv[] = {"/bin/true", NULL};
	struct lt_bench_exec_result r;
	ck_assert_int_eq(lt_bench_exec(argv, NULL, &r, NULL), LT_OK);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_int_eq(r.term_signal, 0);
	ck_assert(!r.timed_out);
	ck_assert_msg(r.wall_s > 0 && r.wall_s < 2, "wall %g", r.wall_s);
	ck_assert_msg(r.max_rss_kb > 0, "max_rss_kb %llu", (unsigned long long)r.max_rss_kb);
	/* Found through $PATH too. */
	char *viapath[] = {"true", NULL};
	ck_assert_int_eq(lt_bench_exec(viapath, NULL, &r, NULL), LT_OK);
	ck_assert_int_eq(r.exit_code, 0);
}
END_TEST

START_TEST(test_exec_failing_and_killed)
{
	char *fail[] = {"sh", "-c", "exit 3", NULL};
	char *killed[] = {"sh", "-c", "kill -9 $$", NULL};
	struct lt_bench_exec_result r;
	ck_assert_int_eq(lt_bench_exec(fail, NULL, &r, NULL), LT_OK);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_int_eq(lt_bench_exec(killed, NULL, &r, NULL), LT_OK);
	ck_assert_int_eq(r.exit_code, -1);
	ck_assert_int_eq(r.term_signal, SIGKILL);
}
END_TEST

START_TEST(test_exec_not_found)
{
	char *argv[] = {"lt-no-such-command-3f9", NULL};
	char *notexec[] = {LT_SOURCE_DIR "/Makefile", NULL};
	struct lt_bench_exec_result r = {.exit_code = 77};
	struct lt_err err = {0};
	ck_assert_int_eq(lt_bench_exec(argv, NULL, &r, &err), LT_ENOTFOUND);
	ck_assert_str_eq(err.msg, "lt-no-such-command-3f9: command not found");
	ck_assert_int_eq(r.exit_code, 77);
	ck_assert_int_eq(lt_bench_exec(notexec, NULL, &r, &err), LT_ENOTFOUND);
	ck_assert_msg(strstr(err.msg, "Permission denied") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(test_exec_rusage)
{
	/* About 50 ms of shell arithmetic: CPU time shows, and it cannot
	 * exceed the wall time by much on one thread. */
	char *argv[] = {"sh", "-c", "i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done", NULL};
	struct lt_bench_exec_result r;
	ck_assert_int_eq(lt_bench_exec(argv, NULL, &r, NULL), LT_OK);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(r.user_s + r.sys_s > 0.005, "user %g sys %g", r.user_s, r.sys_s);
	ck_assert_msg(r.user_s + r.sys_s <= r.wall_s * 1.2 + 0.01, "cpu %g wall %g",
		      r.user_s + r.sys_s, r.wall_s);
}
END_TEST

START_TEST(test_exec_timeout_kills_group)
{
	/* The shell's child sleeps too: killing the group ends both, so the
	 * call returns at the timeout, not after 5 s. */
	char *argv[] = {"sh", "-c", "sleep 5.0123; true", NULL};
	struct lt_bench_exec_opts o = {.timeout_s = 0.2, .output_fd = -1};
	struct lt_bench_exec_result r;
	ck_assert_int_eq(lt_bench_exec(argv, &o, &r, NULL), LT_OK);
	ck_assert(r.timed_out);
	ck_assert_int_eq(r.term_signal, SIGKILL);
	ck_assert_msg(r.wall_s >= 0.19 && r.wall_s < 2, "wall %g", r.wall_s);
	/* No sleep of ours is left behind. */
	ck_assert_int_eq(system("pgrep -f '^sleep 5.0123$' >/dev/null"), 256);
}
END_TEST

START_TEST(test_exec_stop_and_output)
{
	char *slow[] = {"sleep", "5", NULL};
	char *echo[] = {"echo", "hello", NULL};
	volatile int stop = 1;
	struct lt_bench_exec_opts o = {.output_fd = -1, .stop = &stop};
	struct lt_bench_exec_result r;
	char buf[16] = "";
	int p[2];

	ck_assert_int_eq(lt_bench_exec(slow, &o, &r, NULL), LT_EINTR);
	ck_assert_msg(r.wall_s < 2, "wall %g", r.wall_s);
	ck_assert_int_eq(pipe(p), 0);
	o.stop = NULL;
	o.output_fd = p[1];
	ck_assert_int_eq(lt_bench_exec(echo, &o, &r, NULL), LT_OK);
	close(p[1]);
	ck_assert_int_eq(read(p[0], buf, sizeof buf - 1), 6);
	ck_assert_str_eq(buf, "hello\n");
	close(p[0]);
}
END_TEST

/* ---- splitting ---- */

START_TEST(test_split)
{
	char **argv;
	size_t n;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_bench_split(" a 'b c'  \"d \\\"e\\\" $x\" f\\ g '' ", &argv, &n, NULL),
			 LT_OK);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(argv[0], "a");
	ck_assert_str_eq(argv[1], "b c");
	ck_assert_str_eq(argv[2], "d \"e\" $x");
	ck_assert_str_eq(argv[3], "f g");
	ck_assert_str_eq(argv[4], "");
	ck_assert_ptr_null(argv[5]);
	lt_bench_argv_free(argv);
	ck_assert_int_eq(lt_bench_split("sh -c 'echo \"$HOME\" | wc'", &argv, &n, NULL), LT_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(argv[2], "echo \"$HOME\" | wc");
	lt_bench_argv_free(argv);
	argv = NULL;
	ck_assert_int_eq(lt_bench_split("echo 'oops", &argv, &n, &err), LT_EINVAL);
	ck_assert_str_eq(err.msg, "unterminated ' quote in \"echo 'oops\"");
	ck_assert_ptr_null(argv);
	ck_assert_int_eq(lt_bench_split("  \t ", &argv, &n, &err), LT_EINVAL);
	ck_assert_str_eq(err.msg, "empty command");
	lt_bench_argv_free(NULL);
}
END_TEST

/* ---- the catalogue and the selection ---- */

START_TEST(test_catalogue)
{
	size_t n = lt_bench_count(), suites = 0;
	ck_assert_uint_ge(n, 25);
	for (size_t s = 0; lt_bench_suite_name(s); s++, suites++) {
		size_t in = 0;
		for (size_t i = 0; i < n; i++)
			in += strcmp(lt_bench_get(i)->suite, lt_bench_suite_name(s)) == 0;
		ck_assert_msg(in > 0, "suite %s is empty", lt_bench_suite_name(s));
		ck_assert_ptr_nonnull(lt_bench_suite_description(s));
	}
	ck_assert_uint_eq(suites, 8);
	ck_assert_ptr_null(lt_bench_get(n));
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert(strcmp(lt_bench_get(i)->suite, lt_bench_get(j)->suite) != 0 ||
				  strcmp(lt_bench_get(i)->name, lt_bench_get(j)->name) != 0);
}
END_TEST

START_TEST(test_select)
{
	size_t count = 0;
	struct lt_err err = {0};
	ck_assert_int_eq(lt_bench_select("memory", NULL, &count, NULL), LT_OK);
	ck_assert_uint_eq(count, 4);
	ck_assert_int_eq(lt_bench_select("memory,disk", NULL, &count, NULL), LT_OK);
	ck_assert_uint_eq(count, 7);
	ck_assert_int_eq(lt_bench_select(NULL, "cache/latency_*", &count, NULL), LT_OK);
	ck_assert_uint_eq(count, 4);
	ck_assert_int_eq(lt_bench_select("all", "read_*", &count, NULL), LT_OK);
	ck_assert_uint_eq(count, 4);
	ck_assert_int_eq(lt_bench_select(NULL, NULL, &count, NULL), LT_OK);
	ck_assert_uint_eq(count, lt_bench_count());
	ck_assert_int_eq(lt_bench_select("memory,nope", NULL, &count, &err), LT_EUSAGE);
	ck_assert_msg(strncmp(err.msg, "unknown suite 'nope' (known: database, cache,", 45) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(lt_bench_select("disk", "latency_*", &count, &err), LT_EUSAGE);
	ck_assert_str_eq(err.msg, "no benchmark matches 'latency_*'");
}
END_TEST

/* ---- sessions ---- */

struct seen {
	int results, failed, skipped, progress;
	char reason[512];
	cJSON *last;
};

static lt_rc keep_events(const struct lt_bench_event *ev, void *user)
{
	struct seen *s = user;
	switch (ev->kind) {
	case LT_BENCH_EV_RESULT:
		s->results++;
		cJSON_Delete(s->last);
		s->last = cJSON_Duplicate(ev->record, true);
		break;
	case LT_BENCH_EV_FAILED:
		s->failed++;
		snprintf(s->reason, sizeof s->reason, "%s", ev->reason);
		break;
	case LT_BENCH_EV_SKIPPED:
		s->skipped++;
		snprintf(s->reason, sizeof s->reason, "%s", ev->reason);
		break;
	case LT_BENCH_EV_PROGRESS:
		s->progress++;
		break;
	case LT_BENCH_EV_START:
		break;
	}
	return LT_OK;
}

START_TEST(test_session_commands)
{
	char *t[] = {"true", NULL}, *f[] = {"sh", "-c", "exit 2", NULL};
	struct lt_bench_command cmds[] = {{t, NULL}, {f, "failing"}, {t, "again"}};
	struct seen s = {0};
	struct lt_bench_opts o = {.runs = 4, .warmup = 1, .output_fd = -1, .on_event = keep_events,
				  .user = &s};
	struct lt_bench *b;
	struct lt_bench_totals tot;
	enum lt_ndjson_type type;
	struct lt_err err = {0};
	double ratio;

	ck_assert_int_eq(lt_bench_new(&o, &b, NULL), LT_OK);
	ck_assert_int_eq(lt_bench_run_commands(b, cmds, 3, &err), LT_OK);
	lt_bench_totals(b, &tot);
	ck_assert_uint_eq(tot.done, 2);
	ck_assert_uint_eq(tot.failed, 1);
	ck_assert_int_eq(s.failed, 1);
	ck_assert_str_eq(s.reason, "'failing' exited with status 2 on run 1 (--ignore-failure "
				   "measures it anyway)");
	/* The last record: valid, 4 runs, relative to the first command. */
	ck_assert_int_eq(lt_ndjson_validate(s.last, &type, &err), LT_OK);
	ck_assert_int_eq(type, LT_NDJSON_BENCH);
	ck_assert_str_eq(lt_ndjson_get_str(s.last, "suite"), "command");
	ck_assert_str_eq(lt_ndjson_get_str(s.last, "name"), "again");
	ck_assert_str_eq(lt_ndjson_get_str(s.last, "unit"), "ms");
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(s.last, "values")), 4);
	ck_assert_str_eq(lt_ndjson_get_str(s.last, "relative.to"), "true");
	ck_assert(lt_ndjson_get_num(s.last, "relative.ratio", &ratio) && ratio > 0);
	ck_assert_str_eq(lt_ndjson_get_str(s.last, "command[0]"), "true");
	lt_bench_free(b);
	cJSON_Delete(s.last);

	/* With --ignore-failure the failing command is measured. */
	memset(&s, 0, sizeof s);
	o.ignore_failure = true;
	ck_assert_int_eq(lt_bench_new(&o, &b, NULL), LT_OK);
	ck_assert_int_eq(lt_bench_run_commands(b, &cmds[1], 1, &err), LT_OK);
	uint64_t failed_runs = 0;
	ck_assert(lt_ndjson_get_count(s.last, "failed_runs", &failed_runs));
	ck_assert_uint_eq(failed_runs, 4);
	lt_bench_free(b);
	cJSON_Delete(s.last);
}
END_TEST

START_TEST(test_session_not_found_runs_nothing)
{
	char *t[] = {"true", NULL}, *x[] = {"lt-no-such-command-3f9", "a", NULL};
	struct lt_bench_command cmds[] = {{t, NULL}, {x, NULL}};
	struct seen s = {0};
	struct lt_bench_opts o = {.runs = 2, .output_fd = -1, .on_event = keep_events, .user = &s};
	struct lt_bench *b;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_bench_new(&o, &b, NULL), LT_OK);
	ck_assert_int_eq(lt_bench_run_commands(b, cmds, 2, &err), LT_ENOTFOUND);
	ck_assert_str_eq(err.msg, "lt-no-such-command-3f9: command not found");
	ck_assert_int_eq(s.results + s.progress, 0);
	lt_bench_free(b);
}
END_TEST

START_TEST(test_session_timeout_fails_benchmark)
{
	char *slow[] = {"sleep", "3", NULL};
	struct lt_bench_command cmd = {slow, NULL};
	struct seen s = {0};
	struct lt_bench_opts o = {.runs = 3, .timeout_s = 0.1, .output_fd = -1,
				  .on_event = keep_events, .user = &s};
	struct lt_bench *b;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_bench_new(&o, &b, NULL), LT_OK);
	ck_assert_int_eq(lt_bench_run_commands(b, &cmd, 1, &err), LT_OK);
	ck_assert_int_eq(s.failed, 1);
	ck_assert_str_eq(s.reason, "'sleep 3' timed out after 0.1 s on run 1 (--timeout)");
	lt_bench_free(b);
}
END_TEST

START_TEST(test_session_builtin_and_status)
{
	char dir[] = "/tmp/check_bench.XXXXXX", path[64];
	struct seen s = {0};
	struct lt_bench_opts o = {.runs = 3, .warmup = 0, .min_time_s = 0.002, .output_fd = -1,
				  .on_event = keep_events, .user = &s};
	struct lt_bench *b;
	struct lt_err err = {0};
	cJSON *st = NULL;
	uint64_t v = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/status.json", dir);
	o.status_path = path;
	ck_assert_int_eq(lt_bench_new(&o, &b, NULL), LT_OK);
	ck_assert_int_eq(lt_bench_run_suites(b, "memory,concurrency", "*malloc*,mutex_un*", &err),
			 LT_EUSAGE); /* one glob, not a list */
	ck_assert_int_eq(lt_bench_run_suites(b, "memory", "malloc_free", &err), LT_OK);
	ck_assert_int_eq(s.results, 1);
	ck_assert_int_eq(lt_ndjson_validate(s.last, NULL, &err), LT_OK);
	ck_assert_str_eq(lt_ndjson_get_str(s.last, "unit"), "ns");
	ck_assert(lt_ndjson_get_count(s.last, "iterations", &v) && v >= 1);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(s.last, "values")), 3);
	ck_assert_str_eq(lt_ndjson_get_str(s.last, "better"), "lower");
	lt_bench_free(b);

	ck_assert_int_eq(lt_bench_status_read(path, &st, &err), LT_OK);
	ck_assert_str_eq(lt_ndjson_get_str(st, "state"), "finished");
	ck_assert(lt_ndjson_get_count(st, "done", &v) && v == 1);
	ck_assert_str_eq(lt_ndjson_get_str(st, "last.name"), "malloc_free");
	cJSON_Delete(st);
	cJSON_Delete(s.last);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_status_abandoned_and_missing)
{
	char dir[] = "/tmp/check_bench.XXXXXX", path[64];
	struct lt_err err = {0};
	cJSON *st = NULL;
	FILE *f;
	pid_t gone = fork();

	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/status.json", dir);
	ck_assert_int_eq(lt_bench_status_read(path, &st, &err), LT_ENOTFOUND);
	f = fopen(path, "w");
	fprintf(f, "{\"pid\":%d,\"state\":\"running\",\"done\":2}\n", (int)gone);
	fclose(f);
	ck_assert_int_eq(lt_bench_status_read(path, &st, &err), LT_OK);
	ck_assert_str_eq(lt_ndjson_get_str(st, "state"), "abandoned");
	cJSON_Delete(st);
	f = fopen(path, "w");
	fputs("[1,2]\n", f);
	fclose(f);
	ck_assert_int_eq(lt_bench_status_read(path, &st, &err), LT_EINVAL);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_status_path)
{
	char *p = NULL;
	setenv("LT_BENCH_STATUS", "/x/status.json", 1);
	ck_assert_int_eq(lt_bench_status_path(&p, NULL), LT_OK);
	ck_assert_str_eq(p, "/x/status.json");
	free(p);
	unsetenv("LT_BENCH_STATUS");
	setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
	ck_assert_int_eq(lt_bench_status_path(&p, NULL), LT_OK);
	ck_assert_str_eq(p, "/run/user/7/lt-bench.json");
	free(p);
	unsetenv("XDG_RUNTIME_DIR");
	ck_assert_int_eq(lt_bench_status_path(&p, NULL), LT_OK);
	ck_assert_msg(strncmp(p, "/tmp/lt-bench-", 14) == 0, "%s", p);
	free(p);
}
END_TEST

START_TEST(test_new_rejects_bad_options)
{
	struct lt_bench_opts o = {.runs = LT_BENCH_MAX_RUNS + 1};
	struct lt_bench *b = NULL;
	struct lt_err err = {0};
	ck_assert_int_eq(lt_bench_new(&o, &b, &err), LT_EINVAL);
	ck_assert_ptr_null(b);
	o.runs = 0;
	o.min_time_s = NAN;
	ck_assert_int_eq(lt_bench_new(&o, &b, &err), LT_EINVAL);
	o.min_time_s = 0;
	o.timeout_s = -1;
	ck_assert_int_eq(lt_bench_new(&o, &b, &err), LT_EINVAL);
	lt_bench_free(NULL);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("bench");
	TCase *stats = tcase_create("stats");
	TCase *exec = tcase_create("exec");
	TCase *session = tcase_create("session");

	tcase_add_test(stats, test_stats_one_to_five);
	tcase_add_test(stats, test_stats_even_median_and_single_value);
	tcase_add_test(stats, test_stats_bad_input);
	tcase_add_test(stats, test_outlier_one_high);
	tcase_add_test(stats, test_outlier_low_and_boundary);
	tcase_add_test(stats, test_outlier_mad_floor);
	tcase_add_test(stats, test_outlier_degenerate);
	tcase_add_test(stats, test_ratio_equal_terms);
	tcase_add_test(stats, test_ratio_welch_df_and_degenerate);
	tcase_add_test(stats, test_split);
	suite_add_tcase(s, stats);

	tcase_add_test(exec, test_exec_true);
	tcase_add_test(exec, test_exec_failing_and_killed);
	tcase_add_test(exec, test_exec_not_found);
	tcase_add_test(exec, test_exec_rusage);
	tcase_add_test(exec, test_exec_timeout_kills_group);
	tcase_add_test(exec, test_exec_stop_and_output);
	suite_add_tcase(s, exec);

	/* Sessions run real commands and a real benchmark; under valgrind
	 * each takes a few seconds. */
	tcase_set_timeout(session, 60);
	tcase_add_test(session, test_catalogue);
	tcase_add_test(session, test_select);
	tcase_add_test(session, test_session_commands);
	tcase_add_test(session, test_session_not_found_runs_nothing);
	tcase_add_test(session, test_session_timeout_fails_benchmark);
	tcase_add_test(session, test_session_builtin_and_status);
	tcase_add_test(session, test_status_abandoned_and_missing);
	tcase_add_test(session, test_status_path);
	tcase_add_test(session, test_new_rejects_bad_options);
	suite_add_tcase(s, session);
	return s;
}
