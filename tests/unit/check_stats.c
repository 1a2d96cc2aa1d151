/* check_stats.c -- the stats module against published reference values.
 *
 * Every statistic is checked against a value printed in a named source:
 * the NIST/SEMATECH Statistical Reference Datasets (StRD) with their
 * certified values, the examples of R's documentation (the output those
 * examples print), SciPy's documentation, Wikipedia's worked examples,
 * and textbooks.  Where no printed value exists the expected value is
 * derived by hand in the comment next to it.  Full-precision digits
 * beyond what a source prints were confirmed with R 4.2.2 (Debian 12),
 * the same function the source documents; the printed digits are quoted
 * so the test can be checked against the source itself.
 */
#include "unit.h"
#include "hist.h"
#include "lt.h"
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* |actual - expected| <= rel |expected|, with the values in the message. */
#define ck_rel(actual, expected, rel)                                          \
	do {                                                                   \
		double a_ = (actual), e_ = (expected);                         \
		ck_assert_msg(fabs(a_ - e_) <= (rel) * fabs(e_),               \
			      "%s = %.17g, expected %.17g", #actual, a_, e_);  \
	} while (0)

#define ck_abs(actual, expected, tol)                                          \
	do {                                                                   \
		double a_ = (actual), e_ = (expected);                         \
		ck_assert_msg(fabs(a_ - e_) <= (tol),                          \
			      "%s = %.17g, expected %.17g", #actual, a_, e_);  \
	} while (0)

/* ---- reference data ---- */

/* NIST StRD univariate "Michelso" (Michelson's 1879 speed of light,
 * km/s - 299000, in thousands): certified mean 299.852400000000,
 * standard deviation 0.0790105478190518, lag-1 autocorrelation
 * 0.535199668621283. */
static const double michelso[100] = {
	299.85, 299.74, 299.90, 300.07, 299.93, 299.85, 299.95, 299.98,
	299.98, 299.88, 300.00, 299.98, 299.93, 299.65, 299.76, 299.81,
	300.00, 300.00, 299.96, 299.96, 299.96, 299.94, 299.96, 299.94,
	299.88, 299.80, 299.85, 299.88, 299.90, 299.84, 299.83, 299.79,
	299.81, 299.88, 299.88, 299.83, 299.80, 299.79, 299.76, 299.80,
	299.88, 299.88, 299.88, 299.86, 299.72, 299.72, 299.62, 299.86,
	299.97, 299.95, 299.88, 299.91, 299.85, 299.87, 299.84, 299.84,
	299.85, 299.84, 299.84, 299.84, 299.89, 299.81, 299.81, 299.82,
	299.80, 299.77, 299.76, 299.74, 299.75, 299.76, 299.91, 299.92,
	299.89, 299.86, 299.88, 299.72, 299.84, 299.85, 299.85, 299.78,
	299.89, 299.84, 299.78, 299.81, 299.76, 299.81, 299.79, 299.81,
	299.82, 299.85, 299.87, 299.87, 299.81, 299.74, 299.81, 299.94,
	299.95, 299.80, 299.81, 299.87,
};

/* NIST StRD univariate "Lew" (beam deflection): certified mean
 * -177.435000000000, standard deviation 277.332168044316, lag-1
 * autocorrelation -0.307304800605679. */
static const double lew[200] = {
	-213, -564, -35, -15, 141, 115, -420, -360, 203, -338, -431, 194,
	-220, -513, 154, -125, -559, 92, -21, -579, -52, 99, -543, -175,
	162, -457, -346, 204, -300, -474, 164, -107, -572, -8, 83, -541,
	-224, 180, -420, -374, 201, -236, -531, 83, 27, -564, -112, 131,
	-507, -254, 199, -311, -495, 143, -46, -579, -90, 136, -472, -338,
	202, -287, -477, 169, -124, -568, 17, 48, -568, -135, 162, -430,
	-422, 172, -74, -577, -13, 92, -534, -243, 194, -355, -465, 156,
	-81, -578, -64, 139, -449, -384, 193, -198, -538, 110, -44, -577,
	-6, 66, -552, -164, 161, -460, -344, 205, -281, -504, 134, -28,
	-576, -118, 156, -437, -381, 200, -220, -540, 83, 11, -568, -160,
	172, -414, -408, 188, -125, -572, -32, 139, -492, -321, 205, -262,
	-504, 142, -83, -574, 0, 48, -571, -106, 137, -501, -266, 190,
	-391, -406, 194, -186, -553, 83, -13, -577, -49, 103, -515, -280,
	201, 300, -506, 131, -45, -578, -80, 138, -462, -361, 201, -211,
	-554, 32, 74, -533, -235, 187, -372, -442, 182, -147, -566, 25,
	68, -535, -244, 194, -351, -463, 174, -125, -570, 15, 72, -550,
	-190, 172, -424, -385, 198, -218, -536, 96,
};

/* NIST StRD univariate "Mavro" (filter transmittance), a test of
 * precision: certified mean 2.00185600000000, standard deviation
 * 0.000429123454003053, lag-1 autocorrelation 0.937989183438248. */
static const double mavro[50] = {
	2.00180, 2.00170, 2.00180, 2.00190, 2.00180, 2.00170, 2.00150,
	2.00140, 2.00150, 2.00150, 2.00170, 2.00180, 2.00180, 2.00190,
	2.00190, 2.00210, 2.00200, 2.00160, 2.00140, 2.00130, 2.00130,
	2.00150, 2.00150, 2.00160, 2.00150, 2.00140, 2.00130, 2.00140,
	2.00150, 2.00140, 2.00150, 2.00160, 2.00150, 2.00160, 2.00190,
	2.00200, 2.00200, 2.00210, 2.00220, 2.00230, 2.00240, 2.00250,
	2.00270, 2.00260, 2.00260, 2.00260, 2.00270, 2.00260, 2.00250,
	2.00240,
};

/* NIST StRD univariate "NumAcc1": certified mean 10000002, standard
 * deviation 1, lag-1 autocorrelation -0.5. */
static const double numacc1[3] = {10000001, 10000003, 10000002};

/* NIST StRD linear least squares "Norris" (calibration of ozone
 * monitors), 36 observations of (x, y). */
static const double norris_x[36] = {
	0.2, 337.4, 118.2, 884.6, 10.1, 226.5, 666.3, 996.3, 448.6, 777.0,
	558.2, 0.4, 0.6, 775.5, 666.9, 338.0, 447.5, 11.6, 556.0, 228.1,
	995.8, 887.6, 120.2, 0.3, 0.3, 556.8, 339.1, 887.2, 999.0, 779.0,
	11.1, 118.3, 229.2, 669.1, 448.9, 0.5,
};
static const double norris_y[36] = {
	0.1, 338.8, 118.1, 888.0, 9.2, 228.1, 668.5, 998.5, 449.1, 778.9,
	559.2, 0.3, 0.1, 778.1, 668.8, 339.3, 448.9, 10.8, 557.7, 228.3,
	998.0, 888.8, 119.6, 0.3, 0.6, 557.6, 339.3, 888.0, 998.5, 778.9,
	10.2, 117.6, 228.9, 668.4, 449.2, 0.2,
};

/* R's datasets::sleep (Cushny and Peebles 1905, as Student 1908 used
 * it): extra hours of sleep under drug 1 and drug 2. */
static const double sleep1[10] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
static const double sleep2[10] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

/* ---- descriptive statistics ---- */

START_TEST(test_describe_nist)
{
	struct lt_stats_desc d;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_describe(michelso, 100, &d, &err), LT_OK);
	ck_assert_uint_eq(d.n, 100);
	ck_rel(d.mean, 299.852400000000, 1e-14);
	ck_rel(d.stddev, 0.0790105478190518, 1e-12);
	ck_rel(d.variance, 0.0790105478190518 * 0.0790105478190518, 1e-12);
	ck_abs(d.min, 299.62, 0);
	ck_abs(d.max, 300.07, 0);

	ck_assert_int_eq(lt_stats_describe(lew, 200, &d, &err), LT_OK);
	ck_rel(d.mean, -177.435000000000, 1e-14);
	ck_rel(d.stddev, 277.332168044316, 1e-13);

	ck_assert_int_eq(lt_stats_describe(mavro, 50, &d, &err), LT_OK);
	ck_rel(d.mean, 2.00185600000000, 1e-14);
	ck_rel(d.stddev, 0.000429123454003053, 1e-10);

	ck_assert_int_eq(lt_stats_describe(numacc1, 3, &d, &err), LT_OK);
	ck_abs(d.mean, 10000002, 0);
	ck_abs(d.stddev, 1, 1e-12);
}
END_TEST

START_TEST(test_quantile_median_mad)
{
	/* Hyndman and Fan (1996) type 7 by hand, x = 15 20 35 40 50: the
	 * order statistic at h = (n - 1) p (0-based), interpolated.
	 *   p 0.05: h 0.2 → 15 + 0.2 (20 - 15) = 16
	 *   p 0.30: h 1.2 → 20 + 0.2 (35 - 20) = 23
	 *   p 0.40: h 1.6 → 20 + 0.6 (35 - 20) = 29
	 *   p 0.95: h 3.8 → 40 + 0.8 (50 - 40) = 48
	 * Unsorted on purpose. */
	const double x[] = {40, 15, 50, 35, 20};
	const double probs[] = {0.05, 0.30, 0.40, 0.95, 0, 1};
	double q[N_OF(probs)], one;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_quantiles(x, 5, probs, N_OF(probs), q, &err), LT_OK);
	ck_abs(q[0], 16, 1e-12);
	ck_abs(q[1], 23, 1e-12);
	ck_abs(q[2], 29, 1e-12);
	ck_abs(q[3], 48, 1e-12);
	ck_abs(q[4], 15, 0);
	ck_abs(q[5], 50, 0);
	ck_abs(x[0], 40, 0);  /* the input is not reordered */
	ck_assert_int_eq(lt_stats_quantile(x, 1, 0.5, &one, &err), LT_OK);
	ck_abs(one, 40, 0);
	ck_assert_int_eq(lt_stats_quantile(x, 5, 1.5, &one, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_quantile(x, 0, 0.5, &one, &err), LT_EINVAL);

	/* Wikipedia, "Median absolute deviation": (1, 1, 2, 2, 4, 6, 9) has
	 * median 2, absolute deviations (1, 1, 0, 0, 2, 4, 7), MAD 1. */
	const double m[] = {1, 1, 2, 2, 4, 6, 9};
	struct lt_stats_desc d;
	ck_assert_int_eq(lt_stats_describe(m, 7, &d, &err), LT_OK);
	ck_abs(d.median, 2, 0);
	ck_abs(d.mad, 1, 0);
	/* q1, q3 by hand: h = 1.5 → 1 + 0.5 (2 - 1) = 1.5; h = 4.5 → 5. */
	ck_abs(d.q1, 1.5, 1e-12);
	ck_abs(d.q3, 5, 1e-12);
}
END_TEST

START_TEST(test_cv)
{
	/* Wikipedia's standard deviation example 2 4 4 4 5 5 7 9: mean 5,
	 * Σ (x - 5)² = 32, sample sd sqrt(32/7); cv = sqrt(32/7)/5. */
	const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
	const double zero_mean[] = {-1, 1};
	double cv;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_cv(x, 8, &cv, &err), LT_OK);
	ck_rel(cv, sqrt(32.0 / 7) / 5, 1e-14);
	ck_assert_int_eq(lt_stats_cv(zero_mean, 2, &cv, &err), LT_EINVAL);
	ck_assert(strstr(lt_errmsg(&err), "mean is 0") != NULL);
}
END_TEST

START_TEST(test_describe_bad_input)
{
	const double x[] = {1, NAN, 3};
	const double inf[] = {1, 2, INFINITY};
	struct lt_stats_desc d;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_describe(x, 1, &d, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "x: need at least 2 values, got 1");
	ck_assert_int_eq(lt_stats_describe(x, 3, &d, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "x[1] is not a finite number");
	ck_assert_int_eq(lt_stats_describe(inf, 3, &d, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_describe(NULL, 3, &d, &err), LT_EINVAL);
}
END_TEST

/* ---- Welch ---- */

START_TEST(test_welch_sleep)
{
	/* R ?t.test example, t.test(extra ~ group, data = sleep), prints
	 *   t = -1.8608, df = 17.776, p-value = 0.07939
	 *   95 percent confidence interval: -3.3654832  0.2054832
	 *   mean in group 1 0.75, mean in group 2 2.33
	 * (full digits: t -1.8608134674868531, df 17.776473516178498,
	 * p 0.0793941401873582; alternative "less" 0.0396970700936791). */
	struct lt_stats_welch w;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_welch(sleep1, 10, sleep2, 10, 0.95, &w, &err), LT_OK);
	ck_rel(w.mean_a, 0.75, 1e-14);
	ck_rel(w.mean_b, 2.33, 1e-14);
	ck_rel(w.diff, -1.58, 1e-13);
	ck_rel(w.t, -1.8608134674868531, 1e-10);
	ck_rel(w.df, 17.776473516178498, 1e-10);
	ck_rel(w.p.two_sided, 0.0793941401873582, 1e-8);
	ck_rel(w.p.less, 0.0396970700936791, 1e-8);
	ck_rel(w.p.greater, 0.960302929906321, 1e-8);
	ck_rel(w.ci_low, -3.3654832307117104, 1e-8);
	ck_rel(w.ci_high, 0.2054832307117102, 1e-8);
	/* Effect sizes by hand: var 3.2005556 and 4.0090000, pooled sd
	 * sqrt((9 var1 + 9 var2) / 18) = 1.8986252; d = -1.58 / that =
	 * -0.8321811; J = Γ(9) / (3 Γ(8.5)) = 0.9576464 (Hedges 1981), so
	 * g = -0.7969352. */
	ck_rel(w.cohen_d, -0.832181081349540, 1e-9);
	ck_rel(w.hedges_g, -0.796935239191122, 1e-9);

	/* The 90 % interval narrows around the same difference. */
	struct lt_stats_welch w90;
	ck_assert_int_eq(lt_stats_welch(sleep1, 10, sleep2, 10, 0.90, &w90, &err), LT_OK);
	ck_assert(w90.ci_low > w.ci_low && w90.ci_high < w.ci_high);
}
END_TEST

START_TEST(test_welch_properties)
{
	double shifted[10];
	struct lt_stats_welch w;
	struct lt_err err = {0};

	/* Identical samples: no difference at all. */
	ck_assert_int_eq(lt_stats_welch(sleep1, 10, sleep1, 10, 0.95, &w, &err), LT_OK);
	ck_abs(w.t, 0, 0);
	ck_abs(w.p.two_sided, 1, 1e-15);
	ck_abs(w.p.greater, 0.5, 1e-15);
	ck_assert(w.ci_low < 0 && w.ci_high > 0);

	/* A shift of 100 against a spread of about 2: overwhelming. */
	for (size_t i = 0; i < 10; i++)
		shifted[i] = sleep1[i] + 100;
	ck_assert_int_eq(lt_stats_welch(shifted, 10, sleep1, 10, 0.95, &w, &err), LT_OK);
	ck_assert(w.p.two_sided < 1e-10);
	ck_assert(w.p.greater < 1e-10);
	ck_assert(w.p.less > 1 - 1e-10);
	ck_rel(w.diff, 100, 1e-12);

	/* One constant sample, by hand: a = 1 1 1, b = 1 2 3.  se =
	 * sqrt(0 + 1/3), t = -1 / sqrt(1/3) = -sqrt(3); df = (1/3)² /
	 * ((1/3)² / 2) = 2, where P(T > t) = 1/2 - t / (2 sqrt(2 + t²)):
	 * two-sided p = 1 - sqrt(3) / sqrt(5). */
	const double a[] = {1, 1, 1}, b[] = {1, 2, 3};
	ck_assert_int_eq(lt_stats_welch(a, 3, b, 3, 0.95, &w, &err), LT_OK);
	ck_rel(w.t, -sqrt(3), 1e-14);
	ck_rel(w.df, 2, 1e-14);
	ck_rel(w.p.two_sided, 1 - sqrt(3.0 / 5), 1e-9);
}
END_TEST

START_TEST(test_welch_bad_input)
{
	const double c1[] = {5, 5, 5}, c2[] = {7, 7};
	const double nan_in[] = {1, 2, NAN};
	struct lt_stats_welch w;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_welch(c1, 3, c2, 2, 0.95, &w, &err), LT_EINVAL);
	ck_assert(strstr(lt_errmsg(&err), "zero variance") != NULL);
	ck_assert_int_eq(lt_stats_welch(sleep1, 1, sleep2, 10, 0.95, &w, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "a: need at least 2 values, got 1");
	ck_assert_int_eq(lt_stats_welch(sleep1, 10, nan_in, 3, 0.95, &w, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "b[2] is not a finite number");
	ck_assert_int_eq(lt_stats_welch(sleep1, 10, sleep2, 10, 1.0, &w, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_welch(sleep1, 10, sleep2, 10, 0, &w, &err), LT_EINVAL);
}
END_TEST

/* ---- Mann-Whitney ---- */

START_TEST(test_mann_whitney_scipy)
{
	/* SciPy's scipy.stats.mannwhitneyu documentation (ages of male and
	 * female employees): U1 = 17.0; method="exact" p = 0.1111111111111111,
	 * method="asymptotic" p = 0.11134688653314041.  R's wilcox.test
	 * agrees: W = 17, p-value = 0.1113 (exact = FALSE). */
	const double males[] = {19, 22, 16, 29, 24};
	const double females[] = {20, 11, 17, 12};
	struct lt_stats_mw mw;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_mann_whitney(males, 5, females, 4, &mw, &err), LT_OK);
	ck_abs(mw.u, 17, 0);
	ck_abs(mw.u_b, 3, 0);
	ck_assert(!mw.ties && !mw.exact);
	ck_rel(mw.p.two_sided, 0.11134688653314041, 1e-9);
	/* By hand: mean 10, sigma sqrt(5·4·10/12), z = (17 - 10 - 0.5)/sigma. */
	ck_rel(mw.z, 6.5 / sqrt(200.0 / 12), 1e-14);
	ck_rel(mw.prob_superiority, 17.0 / 20, 1e-15);
	ck_rel(mw.r, mw.z / 3, 1e-15);

	ck_assert_int_eq(lt_stats_mann_whitney_exact(males, 5, females, 4, &mw, &err), LT_OK);
	ck_assert(mw.exact);
	ck_rel(mw.p.two_sided, 0.1111111111111111, 1e-12);
}
END_TEST

START_TEST(test_mann_whitney_exact_hollander_wolfe)
{
	/* R ?wilcox.test example (Hollander and Wolfe 1973, p. 69,
	 * permeability constants): wilcox.test(x, y, alternative = "g")
	 * prints W = 35, p-value = 0.1272 (exact: 0.127206127206). */
	const double x[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
	const double y[] = {1.15, 0.88, 0.90, 0.74, 1.21};
	struct lt_stats_mw mw;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_mann_whitney_exact(x, 10, y, 5, &mw, &err), LT_OK);
	ck_abs(mw.u, 35, 0);
	ck_rel(mw.p.greater, 0.127206127206127, 1e-10);
	ck_rel(mw.p.two_sided, 0.254412254412254, 1e-10);
	/* Normal approximation, R exact = FALSE: 0.244623605126983. */
	ck_assert_int_eq(lt_stats_mann_whitney(x, 10, y, 5, &mw, &err), LT_OK);
	ck_rel(mw.p.two_sided, 0.244623605126983, 1e-9);
}
END_TEST

START_TEST(test_mann_whitney_ties)
{
	/* By hand, a = 1 2 2 3, b = 2 3 4 5.  Pooled ranks: 1 → 1; the
	 * three 2s share 2..4 → 3; the two 3s share 5..6 → 5.5; 4 → 7;
	 * 5 → 8.  R_a = 1 + 3 + 3 + 5.5 = 12.5, U = 12.5 - 4·5/2 = 2.5.
	 * Tie term Σ (t³ - t) = 24 + 6 = 30; sigma² = (4·4/12)(9 - 30/56)
	 * = 79/7; z = (2.5 - 8 + 0.5) / sqrt(79/7) = -5 / sqrt(79/7).
	 * R: wilcox.test(a, b, exact = FALSE) W = 2.5, p-value =
	 * 0.136658247738; "less" 0.0683291238690737, "greater"
	 * 0.962952125509326. */
	const double a[] = {1, 2, 2, 3}, b[] = {2, 3, 4, 5};
	struct lt_stats_mw mw;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_mann_whitney(a, 4, b, 4, &mw, &err), LT_OK);
	ck_assert(mw.ties);
	ck_abs(mw.u, 2.5, 0);
	ck_rel(mw.z, -5 / sqrt(79.0 / 7), 1e-14);
	ck_rel(mw.p.two_sided, 0.136658247738148, 1e-9);
	ck_rel(mw.p.less, 0.0683291238690737, 1e-9);
	ck_rel(mw.p.greater, 0.962952125509326, 1e-9);
	ck_rel(mw.prob_superiority, 2.5 / 16, 1e-15);

	/* Exact p-values assume distinct values. */
	ck_assert_int_eq(lt_stats_mann_whitney_exact(a, 4, b, 4, &mw, &err), LT_EINVAL);
	ck_assert(strstr(lt_errmsg(&err), "ties") != NULL);

	/* Everything tied: no evidence either way. */
	const double c[] = {7, 7}, d[] = {7, 7, 7};
	ck_assert_int_eq(lt_stats_mann_whitney(c, 2, d, 3, &mw, &err), LT_OK);
	ck_abs(mw.z, 0, 0);
	ck_abs(mw.p.two_sided, 1, 0);
	ck_abs(mw.prob_superiority, 0.5, 0);
}
END_TEST

START_TEST(test_mann_whitney_bad_input)
{
	double big[LT_STATS_MW_EXACT_MAX + 1];
	const double one[] = {1}, bad[] = {1, NAN};
	struct lt_stats_mw mw;
	struct lt_err err = {0};

	for (size_t i = 0; i < N_OF(big); i++)
		big[i] = (double)i;
	ck_assert_int_eq(lt_stats_mann_whitney_exact(big, N_OF(big), one, 1, &mw, &err), LT_ELIMIT);
	ck_assert_int_eq(lt_stats_mann_whitney(big, N_OF(big), one, 0, &mw, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "b: need at least 1 value, got 0");
	ck_assert_int_eq(lt_stats_mann_whitney(bad, 2, one, 1, &mw, &err), LT_EINVAL);
	/* Exact and approximate agree closely at the size limit. */
	double lo[50], hi[50];
	for (int i = 0; i < 50; i++) {
		lo[i] = 2.0 * i;
		hi[i] = 2.0 * i + 7.5;
	}
	struct lt_stats_mw ex, ap;
	ck_assert_int_eq(lt_stats_mann_whitney_exact(lo, 50, hi, 50, &ex, &err), LT_OK);
	ck_assert_int_eq(lt_stats_mann_whitney(lo, 50, hi, 50, &ap, &err), LT_OK);
	ck_abs(ex.p.two_sided, ap.p.two_sided, 0.01);
}
END_TEST

/* ---- Mann-Kendall and Sen ---- */

START_TEST(test_mann_kendall_by_hand_example)
{
	/* "A Mann-Kendall Example (By Hand)", College of the Holy Cross
	 * (mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt):
	 * 91 pairs, 72 up, 18 down, 1 tie → S = 54; one tied pair, so
	 * V = 14·13·33/18 - 2·1·9/18 = 332.667; Z = (S - 1)/sqrt(V) =
	 * 2.9058, p = .0018 (one-sided, "using the standard normal
	 * table").  tau = 54/91. */
	const double x[] = {12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9,
			    11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7};
	struct lt_stats_mk mk;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_mann_kendall(x, 14, &mk, &err), LT_OK);
	ck_assert_uint_eq(mk.n, 14);
	ck_abs(mk.s, 54, 0);
	ck_rel(mk.var_s, (14.0 * 13 * 33 - 2 * 1 * 9) / 18, 1e-14);
	ck_assert_uint_eq(mk.tie_groups, 1);
	ck_rel(mk.z, 53 / sqrt(5988.0 / 18), 1e-14);
	ck_abs(mk.z, 2.9058, 5e-5);
	ck_abs(mk.p.greater, 0.0018, 5e-5);
	ck_rel(mk.p.greater, 1.83136188144122e-03, 1e-9);
	ck_rel(mk.p.two_sided, 3.66272376288244e-03, 1e-9);
	ck_rel(mk.tau, 54.0 / 91, 1e-14);
}
END_TEST

START_TEST(test_mann_kendall_properties)
{
	double up[40], down[40], flat[10];
	struct lt_stats_mk mk;
	struct lt_err err = {0};

	for (int i = 0; i < 40; i++) {
		up[i] = 0.5 * i * i + 3;
		down[i] = -up[i];
	}
	/* Strictly increasing: every pair goes up, S = n(n-1)/2, tau = 1. */
	ck_assert_int_eq(lt_stats_mann_kendall(up, 40, &mk, &err), LT_OK);
	ck_abs(mk.s, 40 * 39 / 2, 0);
	ck_abs(mk.tau, 1, 0);
	ck_abs(mk.var_s, 40.0 * 39 * 85 / 18, 1e-9);
	ck_assert(mk.p.greater < 1e-10 && mk.p.two_sided < 1e-10);
	ck_assert_int_eq(lt_stats_mann_kendall(down, 40, &mk, &err), LT_OK);
	ck_abs(mk.s, -780, 0);
	ck_abs(mk.tau, -1, 0);
	ck_assert(mk.p.less < 1e-10);

	/* Constant: S = 0, variance 0, no trend, not an error. */
	for (int i = 0; i < 10; i++)
		flat[i] = 4;
	ck_assert_int_eq(lt_stats_mann_kendall(flat, 10, &mk, &err), LT_OK);
	ck_abs(mk.s, 0, 0);
	ck_abs(mk.var_s, 0, 0);
	ck_abs(mk.z, 0, 0);
	ck_abs(mk.p.two_sided, 1, 0);

	ck_assert_int_eq(lt_stats_mann_kendall(flat, 2, &mk, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "x: need at least 3 values, got 2");
	flat[3] = NAN;
	ck_assert_int_eq(lt_stats_mann_kendall(flat, 10, &mk, &err), LT_EINVAL);
}
END_TEST

START_TEST(test_sen_by_hand)
{
	/* y = 1 3 2 5 4 at x = 0..4.  The ten pairwise slopes:
	 *   (0,1) 2   (0,2) 1/2  (0,3) 4/3  (0,4) 3/4  (1,2) -1
	 *   (1,3) 1   (1,4) 1/3  (2,3) 3    (2,4) 1    (3,4) -1
	 * sorted: -1 -1 1/3 1/2 3/4 1 1 4/3 2 3; median (3/4 + 1)/2 = 7/8.
	 * Intercept (Conover): median(y) - slope median(x) = 3 - 7/4 = 5/4.
	 * Interval (Gilbert 1987 §16.5): no ties, var S = 5·4·15/18 =
	 * 50/3; at 95 %, C = 1.959964 sqrt(50/3) = 8.0016, ranks
	 * round(0.9992) = 1 and round(10.0008) = 10: [-1, 3].  At 80 %,
	 * C = 1.281552 sqrt(50/3) = 5.2320, ranks round(2.384) = 2 and
	 * round(8.616) = 9: [-1, 2]. */
	const double y[] = {1, 3, 2, 5, 4};
	struct lt_stats_sen sen;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_sen(NULL, y, 5, 0.95, &sen, &err), LT_OK);
	ck_rel(sen.slope, 0.875, 1e-15);
	ck_rel(sen.intercept, 1.25, 1e-15);
	ck_assert_uint_eq(sen.n_slopes, 10);
	ck_abs(sen.ci_low, -1, 0);
	ck_abs(sen.ci_high, 3, 0);
	ck_assert_int_eq(lt_stats_sen(NULL, y, 5, 0.80, &sen, &err), LT_OK);
	ck_abs(sen.ci_low, -1, 0);
	ck_abs(sen.ci_high, 2, 0);

	/* With times: x in days, twice as far apart, half the slope. */
	const double days[] = {0, 2, 4, 6, 8};
	ck_assert_int_eq(lt_stats_sen(days, y, 5, 0.95, &sen, &err), LT_OK);
	ck_rel(sen.slope, 0.4375, 1e-15);
	ck_rel(sen.intercept, 3 - 0.4375 * 4, 1e-15);
}
END_TEST

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

START_TEST(test_sen_properties)
{
	double y[200], x[200];
	struct lt_stats_sen sen;
	struct lt_err err = {0};

	/* y = 3x + 7, noise-free: every pairwise slope is exactly 3. */
	for (int i = 0; i < 200; i++)
		y[i] = 3.0 * i + 7;
	ck_assert_int_eq(lt_stats_sen(NULL, y, 200, 0.95, &sen, &err), LT_OK);
	ck_abs(sen.slope, 3, 0);
	ck_abs(sen.intercept, 7, 0);
	ck_abs(sen.ci_low, 3, 0);
	ck_abs(sen.ci_high, 3, 0);

	/* Repeated x values: the pairs with equal x carry no slope. */
	for (int i = 0; i < 200; i++) {
		x[i] = (double)(i / 2);
		y[i] = -2.0 * x[i];
	}
	ck_assert_int_eq(lt_stats_sen(x, y, 200, 0.95, &sen, &err), LT_OK);
	ck_abs(sen.slope, -2, 0);
	ck_assert_uint_eq(sen.n_slopes, 200 * 199 / 2 - 100);

	/* Against the definition, sorting every slope (the module selects
	 * instead): seeded series with ties, odd and even slope counts. */
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 11);
	for (int trial = 0; trial < 200; trial++) {
		size_t n = 4 + gsl_rng_uniform_int(rng, 40), count = 0;
		double slopes[43 * 42 / 2];
		for (size_t i = 0; i < n; i++)
			y[i] = (double)gsl_rng_uniform_int(rng, 7) + 0.1 * (double)i;
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				slopes[count++] = (y[j] - y[i]) / (double)(j - i);
		qsort(slopes, count, sizeof slopes[0], compare_doubles);
		double median = count % 2 ? slopes[count / 2]
					  : (slopes[count / 2 - 1] + slopes[count / 2]) / 2;
		ck_assert_int_eq(lt_stats_sen(NULL, y, n, 0.95, &sen, &err), LT_OK);
		ck_assert_msg(sen.slope == median, "n %zu: %g, expected %g", n, sen.slope, median);
		ck_assert(sen.ci_low >= slopes[0] && sen.ci_low <= median);
		ck_assert(sen.ci_high <= slopes[count - 1] && sen.ci_high >= median);
	}
	gsl_rng_free(rng);

	for (int i = 0; i < 200; i++)
		x[i] = 1;
	ck_assert_int_eq(lt_stats_sen(x, y, 200, 0.95, &sen, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_sen(NULL, y, 2, 0.95, &sen, &err), LT_EINVAL);
	static const double many[LT_STATS_SEN_MAX_N + 1];
	ck_assert_int_eq(lt_stats_sen(NULL, many, N_OF(many), 0.95, &sen, &err), LT_ELIMIT);
}
END_TEST

/* ---- correlation ---- */

START_TEST(test_spearman_wikipedia)
{
	/* Wikipedia, "Spearman's rank correlation coefficient", example:
	 * IQ against hours of TV per week; rho = -29/165 = -0.175757575...
	 * with p = 0.627188 (t distribution). */
	const double iq[] = {106, 100, 86, 101, 99, 103, 97, 113, 112, 110};
	const double tv[] = {7, 27, 2, 50, 28, 29, 20, 12, 6, 17};
	struct lt_stats_corr c;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_spearman(iq, tv, 10, &c, &err), LT_OK);
	ck_rel(c.r, -29.0 / 165, 1e-13);
	ck_abs(c.p.two_sided, 0.627188, 5e-7);
	ck_rel(c.p.two_sided, 0.627188344776, 1e-9);  /* R cor.test, exact = FALSE */
	ck_abs(c.df, 8, 0);
}
END_TEST

START_TEST(test_spearman_ties)
{
	/* By hand, x = 1 2 2 3 → ranks 1 2.5 2.5 4; y = 1 3 2 4 → ranks
	 * 1 3 2 4.  Deviations from 2.5: (-1.5 0 0 1.5), (-1.5 .5 -.5 1.5);
	 * Sxy = 4.5, Sxx = 4.5, Syy = 5: rho = 4.5 / sqrt(22.5) = 3/sqrt(10).
	 * t = rho sqrt(2 / (1 - rho²)) = sqrt(18) with 2 df, where the
	 * two-sided p is 1 - t / sqrt(2 + t²) = 1 - 3/sqrt(10). */
	const double x[] = {1, 2, 2, 3}, y[] = {1, 3, 2, 4};
	struct lt_stats_corr c;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_spearman(x, y, 4, &c, &err), LT_OK);
	ck_rel(c.r, 3 / sqrt(10), 1e-14);
	ck_rel(c.t, sqrt(18), 1e-13);
	ck_rel(c.p.two_sided, 1 - 3 / sqrt(10), 1e-9);
}
END_TEST

START_TEST(test_pearson_references)
{
	/* R ?cor.test example (Hollander and Wolfe 1973, p. 187f):
	 * cor.test(x, y) prints t = 1.8411, df = 7, p-value = 0.1082,
	 * cor 0.5711816 (full: t 1.841082638115, p 0.108173054349,
	 * r 0.571181557563829).  Spearman there: rho 0.6. */
	const double x[] = {44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1};
	const double y[] = {2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8};
	struct lt_stats_corr c;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_pearson(x, y, 9, &c, &err), LT_OK);
	ck_rel(c.r, 0.571181557563829, 1e-12);
	ck_rel(c.t, 1.841082638115, 1e-10);
	ck_rel(c.p.two_sided, 0.108173054349, 1e-9);
	ck_abs(c.df, 7, 0);
	ck_assert_int_eq(lt_stats_spearman(x, y, 9, &c, &err), LT_OK);
	ck_rel(c.r, 0.6, 1e-14);

	/* NIST StRD Norris: certified R² 0.999993745883712, so r is its
	 * square root. */
	ck_assert_int_eq(lt_stats_pearson(norris_x, norris_y, 36, &c, &err), LT_OK);
	ck_rel(c.r * c.r, 0.999993745883712, 1e-13);
	ck_assert(c.p.two_sided < 1e-80);

	/* Perfect correlation: r = 1 exactly, p = 0, t infinite. */
	const double line[] = {1, 2, 3, 4}, twice[] = {2, 4, 6, 8};
	ck_assert_int_eq(lt_stats_pearson(line, twice, 4, &c, &err), LT_OK);
	ck_abs(c.r, 1, 0);
	ck_abs(c.p.two_sided, 0, 0);
	ck_assert(isinf(c.t) && c.t > 0);
	/* Reversed ranks of three: rho = -1 exactly, so p = 0 (R's
	 * cor.test(1:3, 3:1, method = "spearman", exact = FALSE) too) even
	 * with 1 degree of freedom, where rho = -1 + 2e-16 would give 1e-8. */
	const double three[] = {0.5, 7, 9}, back[] = {30, 20, 10};
	ck_assert_int_eq(lt_stats_spearman(three, back, 3, &c, &err), LT_OK);
	ck_abs(c.r, -1, 0);
	ck_abs(c.p.two_sided, 0, 0);
	ck_abs(c.p.less, 0, 0);

	/* Constant and short series are refused. */
	const double flat[] = {3, 3, 3, 3};
	ck_assert_int_eq(lt_stats_pearson(line, flat, 4, &c, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "y is constant: the correlation is undefined");
	ck_assert_int_eq(lt_stats_spearman(line, twice, 2, &c, &err), LT_EINVAL);
}
END_TEST

START_TEST(test_corr_matrix)
{
	const double x[] = {44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1};
	const double y[] = {2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8};
	const double flat[] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
	const double *series[] = {x, y, flat};
	double r[9], p[9];
	struct lt_stats_corr c;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_corr_matrix(series, 3, 9, LT_STATS_SPEARMAN, r, p, &err), LT_OK);
	ck_assert_int_eq(lt_stats_spearman(x, y, 9, &c, &err), LT_OK);
	ck_abs(r[0], 1, 0);
	ck_abs(p[0], 0, 0);
	ck_abs(r[1], c.r, 1e-15);
	ck_abs(r[3], c.r, 1e-15);
	ck_abs(p[1], c.p.two_sided, 1e-15);
	ck_assert(isnan(r[2]) && isnan(r[6]) && isnan(r[8]) && isnan(p[5]));

	ck_assert_int_eq(lt_stats_corr_matrix(series, 2, 9, LT_STATS_PEARSON, r, NULL, &err), LT_OK);
	ck_rel(r[1], 0.571181557563829, 1e-12);
	ck_rel(r[2], 0.571181557563829, 1e-12);
	ck_assert_int_eq(lt_stats_corr_matrix(series, 0, 9, LT_STATS_PEARSON, r, p, &err), LT_EINVAL);
}
END_TEST

/* ---- bootstrap ---- */

static double mean_of(double *x, size_t n, void *ctx)
{
	(void)ctx;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	return sum / (double)n;
}

static double not_finite(double *x, size_t n, void *ctx)
{
	(void)x;
	(void)n;
	(void)ctx;
	return NAN;
}

START_TEST(test_bootstrap_generic)
{
	double a[60], b[60], c[60];
	struct lt_stats_boot_opts opts = {.resamples = 1000, .seed = 42};
	struct lt_stats_ci ci, again;
	struct lt_err err = {0};
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, 7);
	for (int i = 0; i < 60; i++) {
		a[i] = 100 + gsl_ran_gaussian(rng, 10);
		b[i] = a[i] + 5;
		c[i] = 100 + gsl_ran_gaussian(rng, 10);
	}
	gsl_rng_free(rng);

	/* b is a shifted by 5: the estimate is 5 (up to rounding), and the
	 * interval, driven by the spread of both resamples, holds 5. */
	ck_assert_int_eq(lt_stats_bootstrap_diff(b, 60, a, 60, mean_of, NULL, &opts, &ci, &err), LT_OK);
	ck_rel(ci.estimate, 5, 1e-12);
	ck_assert(ci.low < 5 && ci.high > 5);
	ck_assert_uint_eq(ci.resamples, 1000);
	ck_rel(ci.level, 0.95, 0);
	/* Same seed, same interval. */
	ck_assert_int_eq(lt_stats_bootstrap_diff(b, 60, a, 60, mean_of, NULL, &opts, &again, &err), LT_OK);
	ck_abs(again.low, ci.low, 0);
	ck_abs(again.high, ci.high, 0);

	/* The same sample twice: the interval holds 0. */
	ck_assert_int_eq(lt_stats_bootstrap_diff(a, 60, a, 60, mean_of, NULL, &opts, &ci, &err), LT_OK);
	ck_abs(ci.estimate, 0, 0);
	ck_assert(ci.low < 0 && ci.high > 0);

	/* A shift of 40 against sd 10: the interval is far from 0. */
	for (int i = 0; i < 60; i++)
		b[i] = c[i] + 40;
	ck_assert_int_eq(lt_stats_bootstrap_diff(b, 60, a, 60, mean_of, NULL, NULL, &ci, &err), LT_OK);
	ck_assert_uint_eq(ci.resamples, LT_STATS_BOOT_RESAMPLES);
	ck_assert(ci.low > 30 && ci.high < 50);

	ck_assert_int_eq(lt_stats_bootstrap_diff(a, 60, b, 60, not_finite, NULL, &opts, &ci, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_bootstrap_diff(a, 1, b, 60, mean_of, NULL, &opts, &ci, &err), LT_EINVAL);
	opts.level = 1.5;
	ck_assert_int_eq(lt_stats_bootstrap_diff(a, 60, b, 60, mean_of, NULL, &opts, &ci, &err), LT_EINVAL);
}
END_TEST

/* A latency histogram of n values, lognormal around median_us, seeded;
 * shift_us added to every value. */
static struct lt_hist *latency_hist(unsigned long seed, size_t n, double median_us,
				    double shift_us)
{
	struct lt_hist *h = lt_hist_new();
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	ck_assert_ptr_nonnull(h);
	gsl_rng_set(rng, seed);
	for (size_t i = 0; i < n; i++)
		lt_hist_record(h, (uint64_t)llround(median_us * exp(gsl_ran_gaussian(rng, 0.4)) + shift_us));
	gsl_rng_free(rng);
	return h;
}

START_TEST(test_bootstrap_hist_percentile)
{
	struct lt_hist *base = latency_hist(1, 20000, 20000, 0);
	struct lt_hist *copy = latency_hist(1, 20000, 20000, 0);
	struct lt_hist *slower = latency_hist(1, 20000, 20000, 10000);
	struct lt_stats_boot_opts opts = {.resamples = 4000, .seed = 2024};
	struct lt_stats_ci ci, again, full;
	struct lt_err err = {0};

	/* Two identical histograms: the p95 difference is 0 and the
	 * interval holds it. */
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(copy, base, 95, &opts, &ci, &err), LT_OK);
	ck_abs(ci.estimate, 0, 0);
	ck_assert_msg(ci.low < 0 && ci.high > 0, "[%g, %g]", ci.low, ci.high);
	ck_assert_uint_eq(ci.resample_size_a, LT_STATS_BOOT_HIST_MAX_N);

	/* Every value 10 ms later: the interval holds 10,000 µs, not 0. */
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(slower, base, 95, &opts, &ci, &err), LT_OK);
	ck_abs(ci.estimate, 10000, 40);  /* bucket widths are 16 and 32 µs here */
	ck_assert_msg(ci.low < 10000 && ci.high > 10000, "[%g, %g]", ci.low, ci.high);
	ck_assert(ci.low > 0);
	/* And the other way round, negative. */
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(base, slower, 95, &opts, &again, &err), LT_OK);
	ck_assert(again.high < 0 && again.low < -10000 && again.high > -10000);

	/* Reproducible for a seed. */
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(slower, base, 95, &opts, &again, &err), LT_OK);
	ck_abs(again.low, ci.low, 0);
	ck_abs(again.high, ci.high, 0);

	/* Resampling all 20,000 values instead of 10,000 narrows the
	 * interval by about sqrt(2). */
	opts.max_resample_size = UINT64_MAX;
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(slower, base, 95, &opts, &full, &err), LT_OK);
	ck_assert_uint_eq(full.resample_size_a, 20000);
	double ratio = (ci.high - ci.low) / (full.high - full.low);
	ck_assert_msg(ratio > 1.2 && ratio < 1.7, "width ratio %g", ratio);

	/* The median works the same way. */
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(slower, base, 50, &opts, &ci, &err), LT_OK);
	ck_assert(ci.low < 10000 && ci.high > 10000 && ci.low > 9000);

	lt_hist_free(base);
	lt_hist_free(copy);
	lt_hist_free(slower);
}
END_TEST

START_TEST(test_bootstrap_hist_rank_as_hist)
{
	/* The percentile's rank is read as hist.h reads it, the decimal p
	 * as written: p 0.07 of 10,000 values is the 7th, although
	 * 0.07 · 10000 / 100 is 7.0000000000000009 in doubles.  a has 7
	 * values of 1000 µs and 9993 of 5000 µs, b 10,000 of 5000 µs.  By
	 * hand: a resample's 7th value is 1000 when at least 7 of its 10,000
	 * draws hit a 1000 (X ~ Binomial(10000, 0.0007), P(X >= 7) =
	 * 0.5503), so the difference is -4000 with that probability, else 0,
	 * and both ends of the 4 % interval (the 48 % and 52 % quantiles)
	 * are -4000.  Had the rank become 8, P(X >= 8) = 0.4013 and both
	 * would be 0. */
	struct lt_hist *a = lt_hist_new(), *b = lt_hist_new();
	struct lt_stats_boot_opts opts = {.resamples = 20000, .level = 0.04, .seed = 5};
	struct lt_stats_ci ci;
	struct lt_err err = {0};

	lt_hist_record_n(a, 1000, 7);
	lt_hist_record_n(a, 5000, 9993);
	lt_hist_record_n(b, 5000, 10000);
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(a, b, 0.07, &opts, &ci, &err), LT_OK);
	ck_abs(ci.estimate, -4000, 0);
	ck_abs(ci.low, -4000, 0);
	ck_abs(ci.high, -4000, 0);
	lt_hist_free(a);
	lt_hist_free(b);
}
END_TEST

START_TEST(test_bootstrap_hist_bad_input)
{
	struct lt_hist *empty = lt_hist_new();
	struct lt_hist *one = lt_hist_new();
	struct lt_stats_ci ci;
	struct lt_err err = {0};

	lt_hist_record(one, 1000);
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(empty, one, 95, NULL, &ci, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "a: need at least 2 values, got 0");
	lt_hist_record(one, 2000);
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(one, one, 95, NULL, &ci, &err), LT_OK);
	ck_abs(ci.estimate, 0, 0);
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(one, one, 101, NULL, &ci, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(one, one, NAN, NULL, &ci, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_bootstrap_hist_percentile(one, NULL, 50, NULL, &ci, &err), LT_EINVAL);
	lt_hist_free(empty);
	lt_hist_free(one);
}
END_TEST

/* ---- Benjamini-Hochberg ---- */

/* Benjamini and Hochberg (1995), J. R. Statist. Soc. B 57, p. 297, the
 * example of section 4: 15 p-values of a study of myocardial infarction
 * treatment.  At q* = 0.05 the procedure rejects the four smallest
 * (p <= 0.0095; the fifth, 0.0201, is above 5 · 0.05/15 = 0.0167). */
static const double bh_p[15] = {
	0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
	0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000,
};

START_TEST(test_bh_paper_example)
{
	bool reject[15];
	size_t n_rejected = 0;
	double q[15];
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_bh_reject(bh_p, 15, 0.05, reject, &n_rejected, &err), LT_OK);
	ck_assert_uint_eq(n_rejected, 4);
	for (int i = 0; i < 15; i++)
		ck_assert(reject[i] == (i < 4));

	/* Adjusted p-values by hand, m p_(k) / k with the running minimum
	 * from the top (R's p.adjust(p, "BH") gives the same):
	 *   k=1: 15·0.0001 = 0.0015      k=4: 15·0.0095/4 = 0.035625
	 *   k=6: min(15·0.0278/6 = 0.0695, 15·0.0298/7 = 0.0638571...) */
	ck_assert_int_eq(lt_stats_bh_adjust(bh_p, 15, q, &err), LT_OK);
	ck_rel(q[0], 0.0015, 1e-12);
	ck_rel(q[1], 0.003, 1e-12);
	ck_rel(q[2], 0.0095, 1e-12);
	ck_rel(q[3], 0.035625, 1e-12);
	ck_rel(q[4], 0.0603, 1e-12);
	ck_rel(q[5], 15 * 0.0298 / 7, 1e-12);
	ck_rel(q[6], 15 * 0.0298 / 7, 1e-12);
	ck_rel(q[14], 1, 0);
	for (int i = 0; i < 15; i++)
		ck_assert((q[i] <= 0.05) == reject[i]);
}
END_TEST

START_TEST(test_bh_order_and_edges)
{
	/* Unordered input keeps its order in the output; in place works. */
	double p[] = {0.04, 0.01, 0.03, 0.02};
	bool reject[4];
	size_t n = 0;
	struct lt_err err = {0};

	/* k p_(k)/m at alpha 0.05: 0.0125, 0.025, 0.0375, 0.05; all four
	 * p_(k) are below, so all are rejected; q = 0.04 for each. */
	ck_assert_int_eq(lt_stats_bh_reject(p, 4, 0.05, reject, &n, &err), LT_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(lt_stats_bh_adjust(p, 4, p, &err), LT_OK);
	for (int i = 0; i < 4; i++)
		ck_rel(p[i], 0.04, 1e-14);

	const double bad[] = {0.1, 1.5};
	const double nan_p[] = {NAN};
	ck_assert_int_eq(lt_stats_bh_adjust(bad, 2, p, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_bh_adjust(nan_p, 1, p, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_bh_adjust(bad, 0, p, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_bh_reject(bh_p, 15, 0, reject, &n, &err), LT_EINVAL);
}
END_TEST

/* ---- regression and forecast ---- */

START_TEST(test_linfit_norris)
{
	/* NIST StRD Norris certified values: B0 -0.262323073774029 (sd
	 * 0.232818234301152), B1 1.00211681802045 (sd 0.429796848199937E-03),
	 * residual sd 0.884796396144373, R² 0.999993745883712. */
	struct lt_stats_linfit fit;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_linfit(norris_x, norris_y, 36, &fit, &err), LT_OK);
	ck_assert_uint_eq(fit.n, 36);
	ck_rel(fit.intercept, -0.262323073774029, 1e-10);
	ck_rel(fit.slope, 1.00211681802045, 1e-12);
	ck_rel(fit.se_intercept, 0.232818234301152, 1e-10);
	ck_rel(fit.se_slope, 0.429796848199937E-03, 1e-10);
	ck_rel(fit.residual_sd, 0.884796396144373, 1e-10);
	ck_rel(fit.r2, 0.999993745883712, 1e-13);
}
END_TEST

START_TEST(test_linfit_forecast_by_hand)
{
	/* x = 1..5, y = 1 3 2 5 4.  x̄ = ȳ = 3, Sxx = 10, Sxy = 8: slope
	 * 0.8, intercept 0.6; residuals -0.4 0.8 -1 1.2 -0.6, SSE 3.6,
	 * s² = 1.2; SST 10, R² 0.64; se(slope) = sqrt(1.2/10), se(b0) =
	 * sqrt(1.2 (1/5 + 9/10)).  At x = 6: ŷ = 5.4, se of a new value
	 * sqrt(1.2 (1 + 1/5 + 9/10)) = sqrt(2.52), t(0.975, 3) = 3.182446
	 * (any t table): 5.4 ± 5.0520, R's predict(..., interval =
	 * "prediction") 0.348023109241781 .. 10.4519768907582.  The line
	 * reaches 10 at x = (10 - 0.6)/0.8 = 11.75. */
	const double x[] = {1, 2, 3, 4, 5}, y[] = {1, 3, 2, 5, 4};
	struct lt_stats_linfit fit;
	struct lt_stats_prediction pr;
	struct lt_err err = {0};
	double at = -1;
	bool found = false;

	ck_assert_int_eq(lt_stats_linfit(x, y, 5, &fit, &err), LT_OK);
	ck_rel(fit.slope, 0.8, 1e-14);
	ck_rel(fit.intercept, 0.6, 1e-13);
	ck_rel(fit.r2, 0.64, 1e-14);
	ck_rel(fit.residual_sd, sqrt(1.2), 1e-14);
	ck_rel(fit.se_slope, sqrt(0.12), 1e-14);
	ck_rel(fit.se_intercept, sqrt(1.32), 1e-14);

	ck_assert_int_eq(lt_stats_linfit_predict(&fit, 6, 0.95, &pr, &err), LT_OK);
	ck_rel(pr.y, 5.4, 1e-14);
	ck_rel(pr.se, sqrt(2.52), 1e-13);
	ck_rel(pr.low, 0.348023109241781, 1e-9);
	ck_rel(pr.high, 10.4519768907582, 1e-9);

	ck_assert_int_eq(lt_stats_linfit_crossing(&fit, 10, LT_STATS_RISING, &at, &found, &err), LT_OK);
	ck_assert(found);
	ck_rel(at, 11.75, 1e-14);
	/* A lower limit the rising line never falls through. */
	at = -1;
	ck_assert_int_eq(lt_stats_linfit_crossing(&fit, 0, LT_STATS_FALLING, &at, &found, &err), LT_OK);
	ck_assert(!found);
	ck_abs(at, -1, 0);

	/* x NULL is 0..n-1: the same line moved one step. */
	ck_assert_int_eq(lt_stats_linfit(NULL, y, 5, &fit, &err), LT_OK);
	ck_rel(fit.intercept, 1.4, 1e-14);
	ck_assert_int_eq(lt_stats_linfit_predict(&fit, 5, 0.95, &pr, &err), LT_OK);
	ck_rel(pr.low, 0.348023109241781, 1e-9);
}
END_TEST

START_TEST(test_linfit_edges)
{
	const double x[] = {1, 2, 3, 4}, flat[] = {2, 2, 2, 2}, same[] = {5, 5, 5, 5};
	struct lt_stats_linfit fit;
	struct lt_stats_prediction pr;
	struct lt_err err = {0};
	bool found = true;
	double at;

	/* A constant y: a flat line through every point. */
	ck_assert_int_eq(lt_stats_linfit(x, flat, 4, &fit, &err), LT_OK);
	ck_abs(fit.slope, 0, 1e-15);
	ck_abs(fit.r2, 1, 0);
	ck_assert_int_eq(lt_stats_linfit_predict(&fit, 10, 0.95, &pr, &err), LT_OK);
	ck_abs(pr.low, 2, 1e-12);
	ck_abs(pr.high, 2, 1e-12);
	ck_assert_int_eq(lt_stats_linfit_crossing(&fit, 3, LT_STATS_RISING, &at, &found, &err), LT_OK);
	ck_assert(!found);

	ck_assert_int_eq(lt_stats_linfit(same, x, 4, &fit, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "x: all values are equal, no line fits");
	ck_assert_int_eq(lt_stats_linfit(x, flat, 2, &fit, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_linfit_predict(NULL, 1, 0.95, &pr, &err), LT_EINVAL);
}
END_TEST

/* ---- autocorrelation and seasonality ---- */

START_TEST(test_acf_nist)
{
	/* The NIST StRD certified lag-1 autocorrelations. */
	double acf[3];
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_acf(michelso, 100, 2, acf, &err), LT_OK);
	ck_abs(acf[0], 1, 1e-15);
	ck_rel(acf[1], 0.535199668621283, 1e-12);
	ck_assert_int_eq(lt_stats_acf(lew, 200, 1, acf, &err), LT_OK);
	ck_rel(acf[1], -0.307304800605679, 1e-12);
	ck_assert_int_eq(lt_stats_acf(mavro, 50, 1, acf, &err), LT_OK);
	ck_rel(acf[1], 0.937989183438248, 1e-9);
	ck_assert_int_eq(lt_stats_acf(numacc1, 3, 1, acf, &err), LT_OK);
	ck_rel(acf[1], -0.5, 1e-12);

	const double flat[] = {1, 1, 1};
	ck_assert_int_eq(lt_stats_acf(flat, 3, 1, acf, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_acf(numacc1, 3, 3, acf, &err), LT_EINVAL);
}
END_TEST

START_TEST(test_period)
{
	double x[144], ramp[50], flat[20];
	struct lt_stats_period per;
	struct lt_err err = {0};

	/* A 12-step cycle with a little deterministic wobble: the ACF peaks
	 * at 12 (cos(2π k/12) scaled by (n - k)/n, 0.91 there), and at 24,
	 * lower, by the (n - k)/n factor. */
	for (int t = 0; t < 144; t++)
		x[t] = 10 * sin(2 * M_PI * t / 12) + 0.5 * sin(0.37 * t * t);
	ck_assert_int_eq(lt_stats_period(x, 144, 0, &per, &err), LT_OK);
	ck_assert_uint_eq(per.period, 12);
	ck_assert(per.strength > 0.8 && per.strength < 1);
	ck_rel(per.bound, 1.96 / 12, 1e-15);
	ck_assert_uint_eq(per.max_lag, 72);

	/* A 30-step cycle searched only up to lag 27: the ACF still climbs
	 * toward its peak at 30 there, so lag 26, though high (cos(2π 26/30)
	 * = 0.67 before the (n - k)/n factor), is no peak.  Searched to the
	 * default n/2, the peak at 30 is found. */
	double slow[300];
	for (int t = 0; t < 300; t++)
		slow[t] = cos(2 * M_PI * t / 30);
	ck_assert_int_eq(lt_stats_period(slow, 300, 27, &per, &err), LT_OK);
	ck_assert_uint_eq(per.period, 0);
	ck_assert_int_eq(lt_stats_period(slow, 300, 0, &per, &err), LT_OK);
	ck_assert_uint_eq(per.period, 30);

	/* A ramp: the ACF falls monotonically, no peak, no period. */
	for (int t = 0; t < 50; t++)
		ramp[t] = t;
	ck_assert_int_eq(lt_stats_period(ramp, 50, 0, &per, &err), LT_OK);
	ck_assert_uint_eq(per.period, 0);
	ck_abs(per.strength, 0, 0);

	/* Constant: none, not an error. */
	for (int t = 0; t < 20; t++)
		flat[t] = 3;
	ck_assert_int_eq(lt_stats_period(flat, 20, 0, &per, &err), LT_OK);
	ck_assert_uint_eq(per.period, 0);

	ck_assert_int_eq(lt_stats_period(flat, 5, 0, &per, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_period(x, 144, 144, &per, &err), LT_EINVAL);
}
END_TEST

/* ---- scores ---- */

START_TEST(test_score_by_hand)
{
	/* prev = 10 12 14: mean 12, sd 2.  x = 16: z = 2, two-sided normal
	 * p = 2(1 - Φ(2)) = 0.0455003 (normal tables: 0.0455).  t = 4 /
	 * (2 sqrt(1 + 1/3)) = sqrt(3) with 2 df, where P(T > t) = 1/2 -
	 * t / (2 sqrt(2 + t²)): two-sided 1 - sqrt(3/5), one-sided half. */
	const double prev[] = {10, 12, 14};
	struct lt_stats_score sc;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_score(prev, 3, 16, &sc, &err), LT_OK);
	ck_abs(sc.mean, 12, 1e-14);
	ck_rel(sc.stddev, 2, 1e-14);
	ck_rel(sc.z, 2, 1e-14);
	ck_rel(sc.p_z.two_sided, 0.0455002638963584, 1e-10);
	ck_rel(sc.p_z.greater, 0.0227501319481792, 1e-10);
	ck_rel(sc.t, sqrt(3), 1e-14);
	ck_abs(sc.df, 2, 0);
	ck_rel(sc.p_t.two_sided, 1 - sqrt(3.0 / 5), 1e-10);
	ck_rel(sc.p_t.greater, (1 - sqrt(3.0 / 5)) / 2, 1e-10);
	ck_rel(sc.p_t.less, 1 - (1 - sqrt(3.0 / 5)) / 2, 1e-10);

	const double same[] = {5, 5, 5};
	ck_assert_int_eq(lt_stats_score(same, 3, 5, &sc, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_score(prev, 1, 5, &sc, &err), LT_EINVAL);
	ck_assert_int_eq(lt_stats_score(prev, 3, NAN, &sc, &err), LT_EINVAL);
}
END_TEST

/* ---- GSL at the edge ---- */

START_TEST(test_gsl_handler_off)
{
	/* After any call, a GSL domain error returns instead of aborting
	 * (an abort would fail this test in its fork). */
	double q;
	struct lt_err err = {0};

	ck_assert_int_eq(lt_stats_quantile(numacc1, 3, 0.5, &q, &err), LT_OK);
	ck_assert(isnan(gsl_cdf_tdist_Pinv(2.0, 3)));
}
END_TEST

/* On failure the output is left as it was. */
START_TEST(test_output_unchanged_on_failure)
{
	struct lt_stats_welch w;
	struct lt_stats_welch before;
	struct lt_err err = {0};
	const double c[] = {1, 1};

	memset(&w, 0x5a, sizeof w);
	before = w;
	ck_assert_int_eq(lt_stats_welch(c, 2, c, 2, 0.95, &w, &err), LT_EINVAL);
	ck_assert(memcmp(&w, &before, sizeof w) == 0);
	ck_assert_int_eq(lt_stats_welch(c, 2, c, 2, 0.95, &w, NULL), LT_EINVAL);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *desc = tcase_create("descriptive");
	TCase *tests = tcase_create("tests");
	TCase *trend = tcase_create("trend");
	TCase *corr = tcase_create("correlation");
	TCase *boot = tcase_create("bootstrap");
	TCase *other = tcase_create("other");

	tcase_add_test(desc, test_describe_nist);
	tcase_add_test(desc, test_quantile_median_mad);
	tcase_add_test(desc, test_cv);
	tcase_add_test(desc, test_describe_bad_input);
	tcase_add_test(tests, test_welch_sleep);
	tcase_add_test(tests, test_welch_properties);
	tcase_add_test(tests, test_welch_bad_input);
	tcase_add_test(tests, test_mann_whitney_scipy);
	tcase_add_test(tests, test_mann_whitney_exact_hollander_wolfe);
	tcase_add_test(tests, test_mann_whitney_ties);
	tcase_add_test(tests, test_mann_whitney_bad_input);
	tcase_add_test(trend, test_mann_kendall_by_hand_example);
	tcase_add_test(trend, test_mann_kendall_properties);
	tcase_add_test(trend, test_sen_by_hand);
	tcase_add_test(trend, test_sen_properties);
	tcase_add_test(corr, test_spearman_wikipedia);
	tcase_add_test(corr, test_spearman_ties);
	tcase_add_test(corr, test_pearson_references);
	tcase_add_test(corr, test_corr_matrix);
	tcase_add_test(boot, test_bootstrap_generic);
	tcase_add_test(boot, test_bootstrap_hist_percentile);
	tcase_add_test(boot, test_bootstrap_hist_rank_as_hist);
	tcase_add_test(boot, test_bootstrap_hist_bad_input);
	tcase_add_test(other, test_bh_paper_example);
	tcase_add_test(other, test_bh_order_and_edges);
	tcase_add_test(other, test_linfit_norris);
	tcase_add_test(other, test_linfit_forecast_by_hand);
	tcase_add_test(other, test_linfit_edges);
	tcase_add_test(other, test_acf_nist);
	tcase_add_test(other, test_period);
	tcase_add_test(other, test_score_by_hand);
	tcase_add_test(other, test_gsl_handler_off);
	tcase_add_test(other, test_output_unchanged_on_failure);
	suite_add_tcase(s, desc);
	suite_add_tcase(s, tests);
	suite_add_tcase(s, trend);
	suite_add_tcase(s, corr);
	suite_add_tcase(s, boot);
	suite_add_tcase(s, other);
	return s;
}
