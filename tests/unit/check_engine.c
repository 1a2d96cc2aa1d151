/* check_engine.c -- the pure functions of the load engine (engine.c):
 * ramp offsets and think times.
 *
 * The engine's load itself is tested end to end by tests/cli/run/, against
 * the test server; here are the curves and distributions it draws from,
 * checked against their closed forms in engine.h.  Think times are drawn
 * 10^5 times from a fixed-seed splitmix64 generator, so every run sees the
 * same variates and a failure reproduces.
 */
#include "unit.h"
#include "engine.h"

#include <math.h>
#include <stdint.h>

#define DRAWS 100000

/* splitmix64 (Steele, Lea, Flood 2014), as in check_hist.c. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1), the range lt_engine_think_ms takes. */
static double rng_unit(uint64_t *state)
{
	return (double)(rng_next(state) >> 11) * 0x1.0p-53;
}

/* ---- ramp offsets ---- */

/* Users active t seconds into a ramp up: those whose offset is <= t. */
static unsigned active_at(lt_ramp_strategy s, int steps, double d, unsigned n, double t)
{
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++)
		k += lt_engine_ramp_offset(s, steps, d, n, i) <= t;
	return k;
}

START_TEST(test_ramp_linear)
{
	/* i * d / n: one user every d/n seconds, the first at once. */
	for (unsigned i = 0; i < 10; i++)
		ck_assert_double_eq_tol(lt_engine_ramp_offset(LT_RAMP_LINEAR, 0, 5, 10, i),
					0.5 * i, 1e-12);
	/* Active count: floor(t n / d) + 1, at most n. */
	for (double t = 0; t < 6; t += 0.25) {
		unsigned want = (unsigned)floor(t * 10 / 5 + 1e-9) + 1;
		ck_assert_uint_eq(active_at(LT_RAMP_LINEAR, 0, 5, 10, t), want > 10 ? 10 : want);
	}
}
END_TEST

START_TEST(test_ramp_exponential)
{
	const unsigned n = 20;
	const double d = 4;
	double prev = -1;

	/* d ln(i + 1) / ln(n + 1); 2 ln 2 / ln 4 = 1 exactly. */
	ck_assert_double_eq_tol(lt_engine_ramp_offset(LT_RAMP_EXPONENTIAL, 0, 2, 3, 1), 1.0, 1e-12);
	ck_assert_double_eq(lt_engine_ramp_offset(LT_RAMP_EXPONENTIAL, 0, d, n, 0), 0);
	for (unsigned i = 0; i < n; i++) {
		double o = lt_engine_ramp_offset(LT_RAMP_EXPONENTIAL, 0, d, n, i);
		ck_assert_double_eq_tol(o, d * log(i + 1.0) / log(n + 1.0), 1e-12);
		ck_assert(o > prev && o < d);
		prev = o;
	}
	/* The active count is the curve (n + 1)^(t/d) rounded down: user i
	 * starts exactly when the curve reaches i + 1.  It multiplies by the
	 * same factor in equal slices of time: 21^(1/4) per second here. */
	for (double t = 0.1; t < d; t += 0.1) {
		double curve = pow(n + 1.0, t / d);
		unsigned want = (unsigned)floor(curve + 1e-9);
		ck_assert_uint_eq(active_at(LT_RAMP_EXPONENTIAL, 0, d, n, t), want > n ? n : want);
	}
	/* Few at first, most at the end: a quarter of the time starts 2. */
	ck_assert_uint_eq(active_at(LT_RAMP_EXPONENTIAL, 0, d, n, 1.0), 2);
	ck_assert_uint_eq(active_at(LT_RAMP_EXPONENTIAL, 0, d, n, 3.0), 9);
}
END_TEST

START_TEST(test_ramp_step)
{
	/* 10 users in 4 steps over 8 s: groups start at 0, 2, 4, 6 s and
	 * take users floor(i * 4 / 10): 0-2, 3-4, 5-7, 8-9. */
	static const double want[10] = {0, 0, 0, 2, 2, 4, 4, 4, 6, 6};
	for (unsigned i = 0; i < 10; i++)
		ck_assert_double_eq_tol(lt_engine_ramp_offset(LT_RAMP_STEP, 4, 8, 10, i),
					want[i], 1e-12);
	ck_assert_uint_eq(active_at(LT_RAMP_STEP, 4, 8, 10, 1.99), 3);
	ck_assert_uint_eq(active_at(LT_RAMP_STEP, 4, 8, 10, 2.0), 5);
	/* Equal groups when steps divides n. */
	for (unsigned k = 0; k < 5; k++)
		ck_assert_uint_eq(active_at(LT_RAMP_STEP, 5, 10, 100, 2.0 * k), 20 * (k + 1));
	/* steps < 1 is one step: everybody at once. */
	ck_assert_uint_eq(active_at(LT_RAMP_STEP, 0, 10, 7, 0), 7);
}
END_TEST

START_TEST(test_ramp_no_duration)
{
	for (int s = LT_RAMP_LINEAR; s <= LT_RAMP_STEP; s++) {
		ck_assert_double_eq(lt_engine_ramp_offset(s, 4, 0, 10, 9), 0);
		ck_assert_double_eq(lt_engine_ramp_offset(s, 4, 10, 0, 0), 0);
	}
}
END_TEST

/* ---- think times ---- */

struct draws {
	double mean, sd, min, max;
	double below;           /* fraction of draws <= the `at` given */
	double within;          /* fraction within [lo, hi] */
};

static struct draws draw(const struct lt_think_time *t, uint64_t seed, double at,
			 double lo, double hi)
{
	struct draws r = {.min = INFINITY, .max = -INFINITY};
	double sum = 0, sumsq = 0;
	long below = 0, within = 0;

	for (long i = 0; i < DRAWS; i++) {
		double u = rng_unit(&seed), u2 = rng_unit(&seed);
		double v = lt_engine_think_ms(t, u, u2);
		sum += v;
		sumsq += v * v;
		r.min = v < r.min ? v : r.min;
		r.max = v > r.max ? v : r.max;
		below += v <= at;
		within += v >= lo && v <= hi;
	}
	r.mean = sum / DRAWS;
	r.sd = sqrt(sumsq / DRAWS - r.mean * r.mean);
	r.below = (double)below / DRAWS;
	r.within = (double)within / DRAWS;
	return r;
}

/* The issue asks for means within 5 %; 10^5 draws give a standard error
 * near 0.1 % for these ranges, so 1 % is a bound that still catches a
 * wrong formula (a mean off by a tenth of the range fails it). */
#define MEAN_TOL 0.01

START_TEST(test_think_uniform)
{
	struct lt_think_time t = {.min_ms = 100, .max_ms = 500,
				  .distribution = LT_THINK_UNIFORM};
	struct draws r = draw(&t, 1, 300, 100, 500);

	ck_assert_double_eq(lt_engine_think_mean_ms(&t), 300);
	ck_assert_msg(fabs(r.mean / 300 - 1) < MEAN_TOL, "mean %.3f", r.mean);
	ck_assert(r.min >= 100 && r.max < 500);
	/* Uniform: sd = width / sqrt(12), half the draws below the middle. */
	ck_assert_msg(fabs(r.sd / (400 / sqrt(12)) - 1) < 0.02, "sd %.3f", r.sd);
	ck_assert_msg(fabs(r.below - 0.5) < 0.01, "below the middle %.4f", r.below);
	/* The ends of the variate map to the ends of the range. */
	ck_assert_double_eq(lt_engine_think_ms(&t, 0, 0.5), 100);
	ck_assert_double_eq_tol(lt_engine_think_ms(&t, 0.75, 0.5), 400, 1e-9);
}
END_TEST

START_TEST(test_think_normal)
{
	struct lt_think_time t = {.min_ms = 50, .max_ms = 350,
				  .distribution = LT_THINK_NORMAL};
	/* sd = width / 6 = 50 around the middle 200. */
	struct draws r = draw(&t, 2, 200, 150, 250);

	ck_assert_double_eq(lt_engine_think_mean_ms(&t), 200);
	ck_assert_msg(fabs(r.mean / 200 - 1) < MEAN_TOL, "mean %.3f", r.mean);
	ck_assert(r.min >= 50 && r.max <= 350);
	/* Clamping at 3 sd barely narrows it (0.27 % of the draws). */
	ck_assert_msg(fabs(r.sd / 50 - 1) < 0.03, "sd %.3f", r.sd);
	/* P(|Z| <= 1) = 0.6827 (Abramowitz and Stegun, table 26.1). */
	ck_assert_msg(fabs(r.within - 0.6827) < 0.01, "within one sd %.4f", r.within);
	ck_assert_msg(fabs(r.below - 0.5) < 0.01, "below the middle %.4f", r.below);
}
END_TEST

START_TEST(test_think_exponential)
{
	struct lt_think_time t = {.min_ms = 100, .max_ms = 900,
				  .distribution = LT_THINK_EXPONENTIAL};
	/* Scale = width / 4 = 200, cut at max (4 scales above min). */
	struct draws r = draw(&t, 3, 300, 100, 900);
	/* Mean of an exponential of scale s truncated at k s:
	 * s (1 - k e^-k / (1 - e^-k)); k = 4 gives 0.231343 of the width. */
	double k = 4, want = 100 + 200 * (1 - k * exp(-k) / (1 - exp(-k)));

	ck_assert_double_eq_tol(want, 100 + 0.231343 * 800, 0.01);
	ck_assert_double_eq_tol(lt_engine_think_mean_ms(&t), want, 1e-9);
	ck_assert_msg(fabs(r.mean / want - 1) < MEAN_TOL, "mean %.3f, want %.3f", r.mean, want);
	ck_assert(r.min >= 100 && r.max <= 900);
	/* P(X <= min + s) = (1 - e^-1) / (1 - e^-4) = 0.6439: mostly short
	 * pauses, a few long. */
	ck_assert_msg(fabs(r.below - (1 - exp(-1)) / (1 - exp(-4))) < 0.01,
		      "below min + scale %.4f", r.below);
	ck_assert_double_eq(lt_engine_think_ms(&t, 0, 0.5), 100);
	ck_assert(lt_engine_think_ms(&t, 1 - 0x1.0p-53, 0.5) <= 900);
}
END_TEST

START_TEST(test_think_fixed)
{
	/* min == max: always min, whatever the distribution. */
	for (int d = LT_THINK_UNIFORM; d <= LT_THINK_EXPONENTIAL; d++) {
		struct lt_think_time t = {.min_ms = 250, .max_ms = 250, .distribution = d};
		ck_assert_double_eq(lt_engine_think_ms(&t, 0.3, 0.7), 250);
		ck_assert_double_eq(lt_engine_think_mean_ms(&t), 250);
	}
	struct lt_think_time none = {0};
	ck_assert_double_eq(lt_engine_think_ms(&none, 0.5, 0.5), 0);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *ramp = tcase_create("ramp");
	TCase *think = tcase_create("think");

	tcase_add_test(ramp, test_ramp_linear);
	tcase_add_test(ramp, test_ramp_exponential);
	tcase_add_test(ramp, test_ramp_step);
	tcase_add_test(ramp, test_ramp_no_duration);
	tcase_set_timeout(think, 30);
	tcase_add_test(think, test_think_uniform);
	tcase_add_test(think, test_think_normal);
	tcase_add_test(think, test_think_exponential);
	tcase_add_test(think, test_think_fixed);
	suite_add_tcase(s, ramp);
	suite_add_tcase(s, think);
	return s;
}
